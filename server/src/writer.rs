//! The one writer: every change to the database goes through this thread.
//!
//! SQLite allows one writer at a time, and with `synchronous = FULL` every
//! commit waits for the disk. Rather than have each room take the write lock
//! and pay for its own flush, rooms send their changes here as a `Batch` of
//! plain `Op`s; the writer takes everything waiting in its queue and commits
//! it in one transaction with a single flush (if a batch fails, the round is
//! redone batch by batch, so one bad batch fails alone). A burst of posts
//! across many gatherings thus costs one flush per round, not one per post.
//! Each batch's sender hears back only after the commit that holds it has
//! returned: that is the moment an action may be acknowledged.
//!
//! The writer is a plain thread with its own synchronous connection and
//! cached prepared statements: writing is its whole job, and a thread that
//! blocks on the disk is cheaper and simpler than an async one pretending
//! not to.

use crate::store::StoreError;
use rusqlite::{params, Connection};
use std::path::Path;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};

/// The most batches committed together.
const MAX_ROUND: usize = 1024;
/// Batches that may queue before senders wait.
const QUEUE: usize = 8192;

/// One change to the database, as data.
#[derive(Debug, Clone)]
pub enum Op {
    CreateGathering {
        id: String,
        console_hash: String,
        cofacilitator_hash: String,
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
    /// Replaces the gathering's checkpoint (`room::Checkpoint` as JSON).
    Checkpoint {
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
        /// `Place` as JSON.
        place: String,
        sensitive: bool,
    },
    DeleteCard {
        id: String,
    },
    MarkRevealed {
        id: String,
        seq: u64,
    },
    /// Sets one participant's mark on a target (`Target::key`).
    SetMark {
        author: String,
        target: String,
        value: u16,
    },
    DeleteMark {
        author: String,
        target: String,
    },
    /// Deletes everyone's marks on these targets (a withdrawn card's).
    DeleteMarksOn {
        targets: Vec<String>,
    },
    SaveTemplate {
        id: String,
        name: String,
        agenda: String,
        created_at: i64,
    },
    /// Deletes a saved agenda (gatherings started from it keep their own
    /// copy). The batch's gathering is not used.
    DeleteTemplate {
        id: String,
    },
    /// Deletes the batch's gathering with everything in it (the tables
    /// cascade).
    DeleteGathering,
    /// Deletes every gathering created before `before` (seconds), with
    /// everything in them: the retention period. The batch's gathering is
    /// not used.
    DeleteCreatedBefore {
        before: i64,
    },
    /// Forgets the device hashes of the batch's gathering: its participant
    /// list, the author of each card, and participants' applied actions.
    ForgetParticipants,
}

impl Op {
    /// Whether this op changes so much of a gathering at once that the
    /// file is rewritten afterwards (see `rebuild`).
    fn rebuilds(&self) -> bool {
        matches!(
            self,
            Op::DeleteGathering | Op::DeleteCreatedBefore { .. } | Op::ForgetParticipants
        )
    }

    /// Whether the op removes words or hashes that must not linger in the
    /// log file after its commit.
    fn erases(&self) -> bool {
        matches!(
            self,
            Op::DeleteGathering
                | Op::DeleteCreatedBefore { .. }
                | Op::ForgetParticipants
                // A withdrawn reflection: its words, and the reveal event
                // rewritten without them, in the same round.
                | Op::DeleteCard { .. }
        )
    }
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

/// A handle on the writer thread.
#[derive(Clone)]
pub struct Writer {
    tx: mpsc::Sender<Job>,
}

impl Writer {
    /// Opens the database file for writing and starts the writer thread.
    pub fn start(file: &Path) -> Result<Self, StoreError> {
        let db = Connection::open(file)?;
        db.busy_timeout(Duration::from_secs(10))?;
        db.execute_batch(
            "PRAGMA journal_mode = WAL;
             PRAGMA synchronous = FULL;
             PRAGMA foreign_keys = ON;
             PRAGMA secure_delete = ON;",
        )?;
        db.set_prepared_statement_cache_capacity(32);
        let (tx, rx) = mpsc::channel(QUEUE);
        std::thread::Builder::new()
            .name("hearth-writer".into())
            .spawn(move || run(db, rx))
            .map_err(|e| StoreError::Round(format!("could not start the writer: {e}")))?;
        Ok(Self { tx })
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

fn run(mut db: Connection, mut rx: mpsc::Receiver<Job>) {
    let mut round = Vec::with_capacity(MAX_ROUND);
    while let Some(first) = rx.blocking_recv() {
        round.push(first);
        while round.len() < MAX_ROUND {
            match rx.try_recv() {
                Ok(job) => round.push(job),
                Err(_) => break,
            }
        }
        let results = commit_round(&mut db, &round);
        let ops = || round.iter().flat_map(|job| job.batch.ops.iter());
        if ops().any(Op::rebuilds) {
            rebuild(&db);
        }
        if ops().any(Op::erases) {
            empty_the_log(&db);
        }
        for (job, result) in round.drain(..).zip(results) {
            let _ = job.done.send(result);
        }
    }
}

/// Writes the database file afresh. `secure_delete` zeroes what a deletion
/// frees, but when many rows of one table change at once (every mark of a
/// gathering given a stand-in author at its end) SQLite moves cells between
/// pages, and an old copy can linger in a page's unused space; the audit
/// found one. Ending or deleting a gathering is rare, so the whole file is
/// rebuilt then, leaving nothing behind. It holds the writer for as long as
/// the rewrite takes (1.1 s for a 139 MB file, checkpoint included, on this
/// 2-core machine).
fn rebuild(db: &Connection) {
    if let Err(e) = db.execute_batch("VACUUM") {
        tracing::warn!("rewriting the database file failed: {e}");
    }
}

/// Copies the log into the database file and truncates it, so that what
/// was just deleted is gone from the `-wal` file too (with `secure_delete`
/// the database file's copy is overwritten with zeros). Done before the
/// deletion is acknowledged. If a reader holds the log longer than the busy
/// timeout, the words stay there until the next deletion or checkpoint.
fn empty_the_log(db: &Connection) {
    match db.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |row| {
        row.get::<_, i64>(0)
    }) {
        Ok(0) => {}
        Ok(_) => tracing::warn!("the database log could not be emptied yet: a reader was busy"),
        Err(e) => tracing::warn!("emptying the database log failed: {e}"),
    }
}

/// Commits the whole round in one transaction. Almost always every batch
/// applies; if one fails, the round is rolled back and each batch is then
/// committed on its own, so only the faulty one is refused.
fn commit_round(db: &mut Connection, round: &[Job]) -> Vec<Result<(), StoreError>> {
    match commit_together(db, round) {
        Ok(()) => round.iter().map(|_| Ok(())).collect(),
        Err(_) if round.len() > 1 => round
            .iter()
            .map(|job| commit_together(db, std::slice::from_ref(job)))
            .collect(),
        Err(e) => vec![Err(e)],
    }
}

/// Applies the batches in one transaction: all of them, or none.
fn commit_together(db: &mut Connection, jobs: &[Job]) -> Result<(), StoreError> {
    let tx = db.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    for job in jobs {
        for op in &job.batch.ops {
            apply(&tx, &job.batch.gathering, op)?;
        }
    }
    // Dropping an uncommitted transaction rolls it back.
    tx.commit()?;
    Ok(())
}

fn apply(db: &Connection, g: &str, op: &Op) -> Result<(), StoreError> {
    match op {
        Op::CreateGathering {
            id,
            console_hash,
            cofacilitator_hash,
            screen_hash,
            join_token,
            code,
            salt,
            epoch,
            genesis,
            created_at,
        } => {
            db.prepare_cached(
                "INSERT INTO gatherings (id, console_hash, cofacilitator_hash, screen_hash, join_token, join_code, salt, epoch, genesis, created_at)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )?
            .execute(params![id, console_hash, cofacilitator_hash, screen_hash, join_token, code, salt, epoch, genesis, created_at])?;
        }
        Op::AppendEvent { seq, body } => {
            db.prepare_cached("INSERT INTO events (gathering_id, seq, body) VALUES (?, ?, ?)")?
                .execute(params![g, *seq as i64, body])?;
        }
        Op::ReplaceEvent { seq, body } => {
            db.prepare_cached("UPDATE events SET body = ? WHERE gathering_id = ? AND seq = ?")?
                .execute(params![body, g, *seq as i64])?;
        }
        Op::Checkpoint { seq, body } => {
            db.prepare_cached(
                "INSERT INTO checkpoints (gathering_id, seq, body) VALUES (?, ?, ?)
                 ON CONFLICT (gathering_id) DO UPDATE SET seq = excluded.seq, body = excluded.body",
            )?
            .execute(params![g, *seq as i64, body])?;
        }
        Op::RecordApplied {
            actor,
            action,
            outcome,
        } => {
            db.prepare_cached(
                "INSERT INTO applied_actions (gathering_id, actor, action_id, outcome) VALUES (?, ?, ?, ?)",
            )?
            .execute(params![g, actor, action, outcome])?;
        }
        Op::AddParticipant { author } => {
            db.prepare_cached(
                "INSERT OR IGNORE INTO participants (gathering_id, author) VALUES (?, ?)",
            )?
            .execute(params![g, author])?;
        }
        Op::AddCard {
            id,
            step,
            author,
            text,
            place,
            sensitive,
        } => {
            db.prepare_cached(
                "INSERT INTO cards (gathering_id, id, step, author, text, place, sensitive) VALUES (?, ?, ?, ?, ?, ?, ?)",
            )?
            .execute(params![g, id, i64::from(*step), author, text, place, sensitive])?;
        }
        Op::DeleteCard { id } => {
            db.prepare_cached("DELETE FROM cards WHERE gathering_id = ? AND id = ?")?
                .execute(params![g, id])?;
        }
        Op::MarkRevealed { id, seq } => {
            db.prepare_cached(
                "UPDATE cards SET revealed_seq = ? WHERE gathering_id = ? AND id = ?",
            )?
            .execute(params![*seq as i64, g, id])?;
        }
        Op::SetMark {
            author,
            target,
            value,
        } => {
            db.prepare_cached(
                "INSERT INTO marks (gathering_id, author, target, value) VALUES (?, ?, ?, ?)
                 ON CONFLICT (gathering_id, author, target) DO UPDATE SET value = excluded.value",
            )?
            .execute(params![g, author, target, value])?;
        }
        Op::DeleteMark { author, target } => {
            db.prepare_cached(
                "DELETE FROM marks WHERE gathering_id = ? AND author = ? AND target = ?",
            )?
            .execute(params![g, author, target])?;
        }
        Op::DeleteMarksOn { targets } => {
            let mut delete =
                db.prepare_cached("DELETE FROM marks WHERE gathering_id = ? AND target = ?")?;
            for target in targets {
                delete.execute(params![g, target])?;
            }
        }
        Op::SaveTemplate {
            id,
            name,
            agenda,
            created_at,
        } => {
            db.prepare_cached(
                "INSERT INTO templates (id, name, agenda, created_at) VALUES (?, ?, ?, ?)",
            )?
            .execute(params![id, name, agenda, created_at])?;
        }
        Op::DeleteTemplate { id } => {
            db.prepare_cached("DELETE FROM templates WHERE id = ?")?
                .execute(params![id])?;
        }
        Op::DeleteGathering => {
            db.prepare_cached("DELETE FROM gatherings WHERE id = ?")?
                .execute(params![g])?;
        }
        Op::DeleteCreatedBefore { before } => {
            db.prepare_cached("DELETE FROM gatherings WHERE created_at < ?")?
                .execute(params![before])?;
        }
        Op::ForgetParticipants => {
            // Every participant who acted joined first, so their applied
            // actions are found by the participant list (the facilitator's
            // and the screen's are kept).
            db.prepare_cached(
                "DELETE FROM applied_actions WHERE gathering_id = ?1
                 AND actor IN (SELECT author FROM participants WHERE gathering_id = ?1)",
            )?
            .execute(params![g])?;
            db.prepare_cached("UPDATE cards SET author = '' WHERE gathering_id = ?")?
                .execute(params![g])?;
            db.prepare_cached("DELETE FROM participants WHERE gathering_id = ?")?
                .execute(params![g])?;
            // Marks keep the totals they make up, each under its own random
            // stand-in, so no two of them point at one person any more.
            db.prepare_cached(
                "UPDATE marks SET author = lower(hex(randomblob(16))) WHERE gathering_id = ?",
            )?
            .execute(params![g])?;
        }
    }
    Ok(())
}
