//! The one writer: every change to the database goes through this thread.
//!
//! SQLite allows one writer at a time, and with `synchronous = FULL` every
//! commit waits for the disk. Rather than have each room take the write
//! lock and pay for its own flush, rooms' batches queue here; the writer
//! takes every batch waiting and commits them in one transaction with a
//! single flush (if one batch fails, the round is redone batch by batch,
//! so a bad batch fails alone). A burst of posts across many gatherings
//! thus costs one flush per round, not one per post. Each sender hears
//! back only after the commit that holds its batch has returned: that is
//! the moment an action may be acknowledged.
//!
//! Work that is no room's (creating or deleting a gathering, the retention
//! sweep, deleting a template) queues here too, in order with the batches,
//! but runs alone: it is a closure given the connection, and does its own
//! transaction and whatever erasing it needs (see `writes.rs`).
//!
//! The writer is a plain thread with its own synchronous connection and
//! cached prepared statements: writing is its whole job, and a thread that
//! blocks on the disk is cheaper and simpler than an async one pretending
//! not to.

use super::writes;
use crate::storage::{Batch, Erasure, StorageError};
use rusqlite::Connection;
use tokio::sync::{mpsc, oneshot};

/// The most batches committed together.
const MAX_ROUND: usize = 1024;
/// Jobs that may queue before senders wait.
const QUEUE: usize = 8192;

/// What the writer is asked to do.
enum Job {
    /// A room's batch, committed together with the others waiting.
    Commit {
        batch: Batch,
        done: oneshot::Sender<Result<(), StorageError>>,
    },
    /// Work run alone on the connection (it answers its own sender).
    Alone(Box<dyn FnOnce(&mut Connection) + Send>),
}

/// A batch waiting in a round, with whom to tell.
struct Waiting {
    batch: Batch,
    done: oneshot::Sender<Result<(), StorageError>>,
}

/// A handle on the writer thread.
#[derive(Clone)]
pub struct Writer {
    tx: mpsc::Sender<Job>,
}

impl Writer {
    /// Starts the writer thread on `db`, the connection it owns from now on.
    pub fn start(db: Connection) -> Result<Self, StorageError> {
        let (tx, rx) = mpsc::channel(QUEUE);
        std::thread::Builder::new()
            .name("hearth-writer".into())
            .spawn(move || run(db, rx))?;
        Ok(Self { tx })
    }

    /// Stores a batch durably; returns once it is committed and what it
    /// erased is gone from the log too.
    pub async fn commit(&self, batch: Batch) -> Result<(), StorageError> {
        let (done, answer) = oneshot::channel();
        self.send(Job::Commit { batch, done }).await?;
        answer.await.map_err(|_| StorageError::WriterGone)?
    }

    /// Runs `work` on the writer's connection, alone, in queue order with
    /// the batches.
    pub async fn alone<T, F>(&self, work: F) -> Result<T, StorageError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, StorageError> + Send + 'static,
    {
        let (done, answer) = oneshot::channel();
        self.send(Job::Alone(Box::new(move |db| {
            let _ = done.send(work(db));
        })))
        .await?;
        answer.await.map_err(|_| StorageError::WriterGone)?
    }

    /// Jobs sent and not yet taken by the thread.
    #[cfg(test)]
    pub fn queued(&self) -> usize {
        QUEUE - self.tx.capacity()
    }

    async fn send(&self, job: Job) -> Result<(), StorageError> {
        self.tx
            .send(job)
            .await
            .map_err(|_| StorageError::WriterGone)
    }
}

fn run(mut db: Connection, mut rx: mpsc::Receiver<Job>) {
    let mut round: Vec<Waiting> = Vec::with_capacity(MAX_ROUND);
    // Work that arrived while a round was being gathered: it runs next.
    let mut next: Option<Job> = None;
    loop {
        let job = match next.take() {
            Some(job) => job,
            None => match rx.blocking_recv() {
                Some(job) => job,
                None => return,
            },
        };
        match job {
            Job::Alone(work) => work(&mut db),
            Job::Commit { batch, done } => {
                round.push(Waiting { batch, done });
                while round.len() < MAX_ROUND {
                    match rx.try_recv() {
                        Ok(Job::Commit { batch, done }) => round.push(Waiting { batch, done }),
                        Ok(alone) => {
                            next = Some(alone);
                            break;
                        }
                        Err(_) => break,
                    }
                }
                commit_round(&mut db, &mut round);
            }
        }
    }
}

/// Commits the round, clears what it erased, then answers every sender.
fn commit_round(db: &mut Connection, round: &mut Vec<Waiting>) {
    let results = commit_each(db, round);
    let erased = round
        .iter()
        .zip(&results)
        .filter(|(_, result)| result.is_ok())
        .map(|(waiting, _)| waiting.batch.erasure())
        .max()
        .unwrap_or(Erasure::Nothing);
    writes::clear_erased(db, erased);
    for (waiting, result) in round.drain(..).zip(results) {
        let _ = waiting.done.send(result);
    }
}

/// Commits the whole round in one transaction. Almost always every batch
/// applies; if one fails, the round is rolled back and each batch is then
/// committed on its own, so only the faulty one is refused.
fn commit_each(db: &mut Connection, round: &[Waiting]) -> Vec<Result<(), StorageError>> {
    let all = round.iter().map(|w| &w.batch);
    match writes::commit_together(db, all) {
        Ok(()) => round.iter().map(|_| Ok(())).collect(),
        Err(_) if round.len() > 1 => round
            .iter()
            .map(|w| writes::commit_together(db, std::iter::once(&w.batch)))
            .collect(),
        Err(e) => vec![Err(e)],
    }
}
