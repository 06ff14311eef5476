//! The one writer: every room's batch goes through this task.
//!
//! As with SQLite (`sqlite/writer.rs`), rooms' batches queue here and the
//! writer takes every batch waiting and commits them in one transaction:
//! with `synchronous_commit = on`, each `COMMIT` waits for the WAL flush,
//! so a burst of posts across many gatherings costs one flush per round,
//! not one per post. Each sender hears back only after the `COMMIT` that
//! holds its batch has returned (and after the vacuum its round asked
//! for): that is the moment an action may be acknowledged. If the round
//! fails, it is rolled back and each batch is committed on its own, so a
//! bad batch fails alone.
//!
//! The writer is a task with a connection of its own. Its statements are
//! prepared once, and a round's statements are all sent before the first
//! answer is read (tokio-postgres pipelines the futures `try_join_all`
//! polls together), so a round costs a few round trips, not one per op.
//! If the connection breaks (the database restarted or went away), that
//! round's senders get the error, nothing is acknowledged, and the next
//! round connects afresh.

use super::writes::{self, Step};
use super::Target;
use crate::storage::{Batch, Erasure, StorageError};
use std::collections::HashMap;
use tokio::sync::{mpsc, oneshot};
use tokio_postgres::{Client, Statement};

/// The most batches committed together.
const MAX_ROUND: usize = 1024;
/// Batches that may queue before senders wait.
const QUEUE: usize = 8192;

/// A batch waiting in a round, with whom to tell.
struct Waiting {
    batch: Batch,
    done: oneshot::Sender<Result<(), StorageError>>,
}

/// A handle on the writer task.
#[derive(Clone)]
pub struct Writer {
    tx: mpsc::Sender<Waiting>,
}

impl Writer {
    /// Connects and starts the writer task.
    pub async fn start(target: Target) -> Result<Self, StorageError> {
        let client = target.connect().await?;
        let (tx, rx) = mpsc::channel(QUEUE);
        let db = Db {
            target,
            client: Some(client),
            prepared: HashMap::new(),
        };
        tokio::spawn(run(db, rx));
        Ok(Self { tx })
    }

    /// Stores a batch durably; returns once it is committed and what it
    /// erased has been vacuumed.
    pub async fn commit(&self, batch: Batch) -> Result<(), StorageError> {
        let (done, answer) = oneshot::channel();
        self.tx
            .send(Waiting { batch, done })
            .await
            .map_err(|_| StorageError::WriterGone)?;
        answer.await.map_err(|_| StorageError::WriterGone)?
    }
}

/// The writer's connection and its prepared statements.
struct Db {
    target: Target,
    client: Option<Client>,
    prepared: HashMap<&'static str, Statement>,
}

impl Db {
    /// The open connection, connecting again if it broke.
    async fn open(&mut self) -> Result<&mut Client, StorageError> {
        if self.client.as_ref().is_none_or(Client::is_closed) {
            self.client = None;
            self.prepared.clear();
            self.client = Some(self.target.connect().await?);
        }
        self.client.as_mut().ok_or(StorageError::WriterGone)
    }
}

async fn run(mut db: Db, mut rx: mpsc::Receiver<Waiting>) {
    let mut round: Vec<Waiting> = Vec::with_capacity(MAX_ROUND);
    while let Some(first) = rx.recv().await {
        round.push(first);
        while round.len() < MAX_ROUND {
            match rx.try_recv() {
                Ok(waiting) => round.push(waiting),
                Err(_) => break,
            }
        }
        commit_round(&mut db, &mut round).await;
    }
}

/// Commits the round, vacuums what it erased, then answers every sender.
async fn commit_round(db: &mut Db, round: &mut Vec<Waiting>) {
    let results = commit_each(db, round).await;
    let erased = round
        .iter()
        .zip(&results)
        .filter(|(_, result)| result.is_ok())
        .map(|(waiting, _)| waiting.batch.erasure())
        .max()
        .unwrap_or(Erasure::Nothing);
    if erased > Erasure::Nothing {
        if let Ok(client) = db.open().await {
            writes::vacuum(client, erased).await;
        }
    }
    for (waiting, result) in round.drain(..).zip(results) {
        let _ = waiting.done.send(result);
    }
}

/// Commits the whole round in one transaction. Almost always every batch
/// applies; if one fails, the round is rolled back and each batch is then
/// committed on its own, so only the faulty one is refused.
async fn commit_each(db: &mut Db, round: &[Waiting]) -> Vec<Result<(), StorageError>> {
    let all: Vec<&Batch> = round.iter().map(|w| &w.batch).collect();
    match commit_together(db, &all).await {
        Ok(()) => round.iter().map(|_| Ok(())).collect(),
        Err(_) if round.len() > 1 => {
            let mut results = Vec::with_capacity(round.len());
            for waiting in round {
                results.push(commit_together(db, &[&waiting.batch]).await);
            }
            results
        }
        Err(e) => vec![Err(e)],
    }
}

/// Applies the batches in one transaction: all of them, or none.
async fn commit_together(db: &mut Db, batches: &[&Batch]) -> Result<(), StorageError> {
    let mut steps: Vec<Step> = Vec::new();
    for batch in batches {
        // A batch of a lease's owner is stored only while the lease still
        // carries its token (`lease.rs`); one from a node that lost the
        // gathering then fails alone, and its room stops.
        if let Some(token) = batch.fence {
            steps.push(Step::fence(&batch.gathering, token));
        }
        for op in &batch.ops {
            writes::steps(&batch.gathering, op, &mut steps);
        }
    }
    db.open().await?;
    let Db {
        client: Some(client),
        prepared,
        ..
    } = db
    else {
        return Err(StorageError::WriterGone);
    };
    match send(client, prepared, &steps).await {
        Ok(()) => Ok(()),
        Err(Failed::Fenced(gathering)) => Err(StorageError::Fenced(gathering)),
        Err(Failed::Db(e)) => {
            if connection_lost(&e) {
                // The client may not say `is_closed` yet: forget it now, so
                // that the next round does not fail on it too.
                db.client = None;
            }
            Err(e.into())
        }
    }
}

/// Why sending a round failed.
enum Failed {
    Db(tokio_postgres::Error),
    /// A fencing check found no lease with the batch's token.
    Fenced(String),
}

impl From<tokio_postgres::Error> for Failed {
    fn from(e: tokio_postgres::Error) -> Self {
        Failed::Db(e)
    }
}

/// Sends a round's steps in one transaction, all before the first answer
/// is read, and commits. Each statement is prepared on first use.
async fn send(
    client: &mut Client,
    prepared: &mut HashMap<&'static str, Statement>,
    steps: &[Step],
) -> Result<(), Failed> {
    let mut statements = Vec::with_capacity(steps.len());
    for step in steps {
        let statement = match prepared.get(step.sql) {
            Some(statement) => statement.clone(),
            None => {
                let statement = client.prepare(step.sql).await?;
                prepared.insert(step.sql, statement.clone());
                statement
            }
        };
        statements.push((statement, step));
    }
    let tx = client.transaction().await?;
    let sent = statements
        .iter()
        .map(|(statement, step)| tx.execute_raw(statement, step.params()));
    let counts = futures_util::future::try_join_all(sent).await?;
    for (step, found) in steps.iter().zip(counts) {
        if let (Some(gathering), false) = (&step.fence_of, found == 1) {
            // Dropping the transaction rolls the whole round back.
            return Err(Failed::Fenced(gathering.clone()));
        }
    }
    tx.commit().await?;
    Ok(())
}

/// Whether an error means the connection is gone (the database restarted
/// or failed over, or an administrator ended the session).
fn connection_lost(e: &tokio_postgres::Error) -> bool {
    e.is_closed()
        || e.as_db_error().is_some_and(|db| {
            let code = db.code().code();
            code.starts_with("57P") || code.starts_with("08")
        })
}
