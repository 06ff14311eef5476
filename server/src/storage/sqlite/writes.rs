//! Every statement that changes the database, run by the writer thread
//! (`writer.rs`), and the clearing that follows an erasure.

use crate::storage::{Batch, Erasure, NewGathering, Op, StorageError};
use rusqlite::{params, Connection, TransactionBehavior};

/// Applies the batches in one transaction: all of them, or none.
pub fn commit_together<'a>(
    db: &mut Connection,
    batches: impl Iterator<Item = &'a Batch>,
) -> Result<(), StorageError> {
    let tx = db.transaction_with_behavior(TransactionBehavior::Immediate)?;
    for batch in batches {
        for op in &batch.ops {
            apply(&tx, &batch.gathering, op)?;
        }
    }
    // Dropping an uncommitted transaction rolls it back.
    tx.commit()?;
    Ok(())
}

/// Stores a new gathering (one statement: durable once it returns).
pub fn create_gathering(db: &mut Connection, g: &NewGathering) -> Result<(), StorageError> {
    let genesis = serde_json::to_string(&g.genesis)?;
    db.prepare_cached(
        "INSERT INTO gatherings (id, console_hash, cofacilitator_hash, screen_hash, join_token, join_code, salt, epoch, genesis, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )?
    .execute(params![
        g.id,
        g.console_hash,
        g.cofacilitator_hash,
        g.screen_hash,
        g.join_token,
        g.code.as_str(),
        g.salt,
        g.epoch as i64,
        genesis,
        g.created_at
    ])?;
    Ok(())
}

/// Deletes a gathering with everything in it (its events, cards,
/// participants, marks, applied actions and checkpoint go with it through
/// `ON DELETE CASCADE`), then rewrites the file so nothing of it lingers.
pub fn delete_gathering(db: &mut Connection, id: &str) -> Result<(), StorageError> {
    let deleted = db
        .prepare_cached("DELETE FROM gatherings WHERE id = ?")?
        .execute([id])?;
    if deleted > 0 {
        clear_erased(db, Erasure::Wholesale);
    }
    Ok(())
}

/// Deletes every gathering created before `before` in one transaction, as
/// `delete_gathering` does; returns their ids.
pub fn delete_created_before(
    db: &mut Connection,
    before: i64,
) -> Result<Vec<String>, StorageError> {
    let tx = db.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let ids = tx
        .prepare_cached("SELECT id FROM gatherings WHERE created_at < ?")?
        .query_map([before], |r| r.get(0))?
        .collect::<Result<Vec<String>, _>>()?;
    tx.prepare_cached("DELETE FROM gatherings WHERE created_at < ?")?
        .execute([before])?;
    tx.commit()?;
    if !ids.is_empty() {
        clear_erased(db, Erasure::Wholesale);
    }
    Ok(ids)
}

/// Deletes a saved agenda; gatherings started from it keep their copy.
pub fn delete_template(db: &mut Connection, id: &str) -> Result<(), StorageError> {
    db.prepare_cached("DELETE FROM templates WHERE id = ?")?
        .execute([id])?;
    Ok(())
}

/// After a commit that erased something, clears the copies SQLite keeps on
/// the side: `Wholesale` rewrites the file, then (as for `Rows`) the log
/// is emptied. Failing here does not undo the commit: it is logged, and
/// the next erasure or checkpoint clears what is left.
pub fn clear_erased(db: &Connection, erased: Erasure) {
    if erased >= Erasure::Wholesale {
        rewrite_file(db);
    }
    if erased >= Erasure::Rows {
        empty_the_log(db);
    }
}

/// Writes the database file afresh. `secure_delete` zeroes what a deletion
/// frees, but when many rows of one table change at once (every mark of a
/// gathering given a stand-in author at its end) SQLite moves cells between
/// pages, and an old copy can linger in a page's unused space; the audit
/// found one. Ending or deleting a gathering is rare, so the whole file is
/// rewritten then, leaving nothing behind. It holds the writer for as long
/// as the rewrite takes (1.1 s for a 139 MB file, checkpoint included, on
/// this 2-core machine).
fn rewrite_file(db: &Connection) {
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

fn apply(db: &Connection, g: &str, op: &Op) -> Result<(), StorageError> {
    match op {
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
        // The checkpoint in the same batch holds what is left; the
        // erasure it asks for (`Op::erasure`) clears the old copies.
        Op::ForgetGroupWords => {}
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
