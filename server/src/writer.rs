//! The one writer: every change to the database goes through this task.
//!
//! SQLite allows one writer at a time, and with `synchronous = FULL` every
//! commit waits for the disk. Rather than have each room take the write lock
//! and pay for its own flush, rooms send their changes here as a `Batch` of
//! plain `Op`s; the writer takes everything waiting in its queue and
//! commits it in one transaction with a single flush (if a batch fails, the
//! round is redone batch by batch, so one bad batch fails alone). A burst of posts across many
//! gatherings thus costs one disk flush per round, not one per post. Each
//! batch's sender hears back only after the commit that holds it has
//! returned: that is the moment an action may be acknowledged.

use crate::store::StoreError;
use sqlx::{Connection, SqliteConnection};
use tokio::sync::{mpsc, oneshot};

/// The most batches committed together.
const MAX_ROUND: usize = 512;
/// Batches that may queue before senders wait.
const QUEUE: usize = 4096;

/// One change to the database, as data.
#[derive(Debug, Clone)]
pub enum Op {
    CreateGathering {
        id: String,
        console_hash: String,
        screen_hash: String,
        join_token: String,
        code: String,
        salt: Vec<u8>,
        epoch: i64,
        genesis: String,
        created_at: i64,
    },
    AppendEvent {
        seq: u64,
        body: String,
    },
    ReplaceEvent {
        seq: u64,
        body: String,
    },
    RecordApplied {
        actor: String,
        action: String,
        outcome: String,
    },
    AddParticipant {
        author: String,
    },
    AddCard {
        id: String,
        step: u32,
        author: String,
        text: String,
    },
    DeleteCard {
        id: String,
    },
    MarkRevealed {
        id: String,
        seq: u64,
    },
}

/// The changes of one action, for one gathering: stored whole or not at all.
#[derive(Debug, Default)]
pub struct Batch {
    pub gathering: String,
    pub ops: Vec<Op>,
}

struct Job {
    batch: Batch,
    done: oneshot::Sender<Result<(), StoreError>>,
}

/// A handle on the writer task.
#[derive(Clone)]
pub struct Writer {
    tx: mpsc::Sender<Job>,
}

impl Writer {
    /// Starts the writer on its own connection.
    pub fn start(connection: SqliteConnection) -> Self {
        let (tx, rx) = mpsc::channel(QUEUE);
        tokio::spawn(run(connection, rx));
        Self { tx }
    }

    /// Stores a batch durably; returns once it is committed.
    pub async fn commit(&self, batch: Batch) -> Result<(), StoreError> {
        let (done, answer) = oneshot::channel();
        self.tx
            .send(Job { batch, done })
            .await
            .map_err(|_| StoreError::WriterGone)?;
        answer.await.map_err(|_| StoreError::WriterGone)?
    }
}

async fn run(mut db: SqliteConnection, mut rx: mpsc::Receiver<Job>) {
    let mut round = Vec::with_capacity(MAX_ROUND);
    while rx.recv_many(&mut round, MAX_ROUND).await > 0 {
        let results = commit_round(&mut db, &round).await;
        for (job, result) in round.drain(..).zip(results) {
            let _ = job.done.send(result);
        }
    }
    let _ = db.close().await;
}

/// Commits the whole round in one transaction. Almost always every batch
/// applies; if one fails, the round is rolled back and each batch is then
/// committed on its own, so only the faulty one is refused.
async fn commit_round(db: &mut SqliteConnection, round: &[Job]) -> Vec<Result<(), StoreError>> {
    match commit_together(db, round).await {
        Ok(()) => round.iter().map(|_| Ok(())).collect(),
        Err(_) if round.len() > 1 => {
            let mut results = Vec::with_capacity(round.len());
            for job in round {
                results.push(commit_together(db, std::slice::from_ref(job)).await);
            }
            results
        }
        Err(e) => vec![Err(e)],
    }
}

/// Applies the batches in one transaction: all of them, or none.
async fn commit_together(db: &mut SqliteConnection, jobs: &[Job]) -> Result<(), StoreError> {
    sqlx::query("BEGIN IMMEDIATE").execute(&mut *db).await?;
    let mut result = Ok(());
    'jobs: for job in jobs {
        for op in &job.batch.ops {
            if let Err(e) = apply(db, &job.batch.gathering, op).await {
                result = Err(e);
                break 'jobs;
            }
        }
    }
    match result {
        Ok(()) => match sqlx::query("COMMIT").execute(&mut *db).await {
            Ok(_) => Ok(()),
            Err(e) => {
                let _ = sqlx::query("ROLLBACK").execute(&mut *db).await;
                Err(StoreError::Round(e.to_string()))
            }
        },
        Err(e) => {
            let _ = sqlx::query("ROLLBACK").execute(&mut *db).await;
            Err(e)
        }
    }
}

async fn apply(db: &mut SqliteConnection, g: &str, op: &Op) -> Result<(), StoreError> {
    match op {
        Op::CreateGathering {
            id,
            console_hash,
            screen_hash,
            join_token,
            code,
            salt,
            epoch,
            genesis,
            created_at,
        } => {
            sqlx::query(
                "INSERT INTO gatherings (id, console_hash, screen_hash, join_token, join_code, salt, epoch, genesis, created_at)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(id)
            .bind(console_hash)
            .bind(screen_hash)
            .bind(join_token)
            .bind(code)
            .bind(salt)
            .bind(epoch)
            .bind(genesis)
            .bind(created_at)
            .execute(&mut *db)
            .await?;
        }
        Op::AppendEvent { seq, body } => {
            sqlx::query("INSERT INTO events (gathering_id, seq, body) VALUES (?, ?, ?)")
                .bind(g)
                .bind(*seq as i64)
                .bind(body)
                .execute(&mut *db)
                .await?;
        }
        Op::ReplaceEvent { seq, body } => {
            sqlx::query("UPDATE events SET body = ? WHERE gathering_id = ? AND seq = ?")
                .bind(body)
                .bind(g)
                .bind(*seq as i64)
                .execute(&mut *db)
                .await?;
        }
        Op::RecordApplied {
            actor,
            action,
            outcome,
        } => {
            sqlx::query(
                "INSERT INTO applied_actions (gathering_id, actor, action_id, outcome) VALUES (?, ?, ?, ?)",
            )
            .bind(g)
            .bind(actor)
            .bind(action)
            .bind(outcome)
            .execute(&mut *db)
            .await?;
        }
        Op::AddParticipant { author } => {
            sqlx::query("INSERT OR IGNORE INTO participants (gathering_id, author) VALUES (?, ?)")
                .bind(g)
                .bind(author)
                .execute(&mut *db)
                .await?;
        }
        Op::AddCard {
            id,
            step,
            author,
            text,
        } => {
            sqlx::query(
                "INSERT INTO cards (gathering_id, id, step, author, text) VALUES (?, ?, ?, ?, ?)",
            )
            .bind(g)
            .bind(id)
            .bind(i64::from(*step))
            .bind(author)
            .bind(text)
            .execute(&mut *db)
            .await?;
        }
        Op::DeleteCard { id } => {
            sqlx::query("DELETE FROM cards WHERE gathering_id = ? AND id = ?")
                .bind(g)
                .bind(id)
                .execute(&mut *db)
                .await?;
        }
        Op::MarkRevealed { id, seq } => {
            sqlx::query("UPDATE cards SET revealed_seq = ? WHERE gathering_id = ? AND id = ?")
                .bind(*seq as i64)
                .bind(g)
                .bind(id)
                .execute(&mut *db)
                .await?;
        }
    }
    Ok(())
}
