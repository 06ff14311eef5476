//! Every statement that changes the database, and the vacuuming that
//! follows an erasure.
//!
//! A room's ops become `Step`s (a statement and its values, owned), so
//! that the writer can prepare each statement once and send a whole
//! round's steps down its connection without waiting for each answer.

use crate::storage::{Erasure, NewGathering, Op, StorageError};
use std::time::Duration;
use tokio::time::Instant;
use tokio_postgres::types::ToSql;
use tokio_postgres::Client;

/// How long an erasure waits for older snapshots before it vacuums anyway.
const SNAPSHOT_WAIT: Duration = Duration::from_secs(5);
/// How often it looks again meanwhile.
const SNAPSHOT_POLL: Duration = Duration::from_millis(5);

/// A value for a statement, owned so that a round's steps can be built
/// before any is sent.
pub type Value = Box<dyn ToSql + Sync + Send>;

/// One statement of a round, with its values.
pub struct Step {
    pub sql: &'static str,
    pub values: Vec<Value>,
    /// For a fencing check: the gathering whose lease it checks. Such a
    /// step must find exactly one row, or the round is rolled back.
    pub fence_of: Option<String>,
}

impl Step {
    fn new(sql: &'static str, values: Vec<Value>) -> Self {
        Self {
            sql,
            values,
            fence_of: None,
        }
    }

    /// The owner's fencing check, first in its batch: the lease row must
    /// still carry the batch's token. `FOR SHARE` holds the row until the
    /// commit, so no other node can take the lease over in between (its
    /// `UPDATE` waits for this commit, and the commit was the owner's).
    pub fn fence(gathering: &str, token: u64) -> Self {
        Self {
            sql: "SELECT 1 FROM leases WHERE gathering_id = $1 AND token = $2 FOR SHARE",
            values: vec![text(gathering), int(token)],
            fence_of: Some(gathering.to_owned()),
        }
    }

    /// The values as the driver takes them.
    pub fn params(&self) -> impl ExactSizeIterator<Item = &(dyn ToSql + Sync)> {
        self.values.iter().map(|v| &**v as &(dyn ToSql + Sync))
    }
}

fn text(s: &str) -> Value {
    Box::new(s.to_owned())
}

fn int(n: u64) -> Value {
    Box::new(n as i64)
}

/// The statements of one op of gathering `g`, appended to `steps`.
pub fn steps(g: &str, op: &Op, steps: &mut Vec<Step>) {
    match op {
        Op::AppendEvent { seq, body } => steps.push(Step::new(
            "INSERT INTO events (gathering_id, seq, body) VALUES ($1, $2, $3)",
            vec![text(g), int(*seq), text(body)],
        )),
        Op::ReplaceEvent { seq, body } => steps.push(Step::new(
            "UPDATE events SET body = $1 WHERE gathering_id = $2 AND seq = $3",
            vec![text(body), text(g), int(*seq)],
        )),
        Op::Checkpoint { seq, body } => steps.push(Step::new(
            "INSERT INTO checkpoints (gathering_id, seq, body) VALUES ($1, $2, $3)
             ON CONFLICT (gathering_id) DO UPDATE SET seq = excluded.seq, body = excluded.body",
            vec![text(g), int(*seq), text(body)],
        )),
        Op::RecordApplied {
            actor,
            action,
            outcome,
        } => steps.push(Step::new(
            "INSERT INTO applied_actions (gathering_id, actor, action_id, outcome)
             VALUES ($1, $2, $3, $4)",
            vec![text(g), text(actor), text(action), text(outcome)],
        )),
        Op::AddParticipant { author } => steps.push(Step::new(
            "INSERT INTO participants (gathering_id, author) VALUES ($1, $2)
             ON CONFLICT DO NOTHING",
            vec![text(g), text(author)],
        )),
        Op::AddCard {
            id,
            step,
            author,
            text: words,
            place,
            sensitive,
        } => steps.push(Step::new(
            "INSERT INTO cards (gathering_id, id, step, author, text, place, sensitive)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            vec![
                text(g),
                text(id),
                Box::new(*step as i32),
                text(author),
                text(words),
                text(place),
                Box::new(*sensitive),
            ],
        )),
        Op::DeleteCard { id } => steps.push(Step::new(
            "DELETE FROM cards WHERE gathering_id = $1 AND id = $2",
            vec![text(g), text(id)],
        )),
        Op::MarkRevealed { id, seq } => steps.push(Step::new(
            "UPDATE cards SET revealed_seq = $1 WHERE gathering_id = $2 AND id = $3",
            vec![int(*seq), text(g), text(id)],
        )),
        Op::SetMark {
            author,
            target,
            value,
        } => steps.push(Step::new(
            "INSERT INTO marks (gathering_id, author, target, value) VALUES ($1, $2, $3, $4)
             ON CONFLICT (gathering_id, author, target) DO UPDATE SET value = excluded.value",
            vec![
                text(g),
                text(author),
                text(target),
                Box::new(i32::from(*value)),
            ],
        )),
        Op::DeleteMark { author, target } => steps.push(Step::new(
            "DELETE FROM marks WHERE gathering_id = $1 AND author = $2 AND target = $3",
            vec![text(g), text(author), text(target)],
        )),
        Op::DeleteMarksOn { targets } => steps.push(Step::new(
            "DELETE FROM marks WHERE gathering_id = $1 AND target = ANY($2)",
            vec![text(g), Box::new(targets.clone())],
        )),
        Op::SaveTemplate {
            id,
            name,
            agenda,
            created_at,
        } => steps.push(Step::new(
            "INSERT INTO templates (id, name, agenda, created_at) VALUES ($1, $2, $3, $4)",
            vec![text(id), text(name), text(agenda), Box::new(*created_at)],
        )),
        // The checkpoint in the same batch holds what is left; the
        // erasure it asks for (`Op::erasure`) clears the old copies.
        Op::ForgetGroupWords => {}
        Op::ForgetParticipants => {
            // Every participant who acted joined first, so their applied
            // actions are found by the participant list (the facilitator's
            // and the screen's are kept).
            steps.push(Step::new(
                "DELETE FROM applied_actions WHERE gathering_id = $1
                 AND actor IN (SELECT author FROM participants WHERE gathering_id = $1)",
                vec![text(g)],
            ));
            steps.push(Step::new(
                "UPDATE cards SET author = '' WHERE gathering_id = $1",
                vec![text(g)],
            ));
            steps.push(Step::new(
                "DELETE FROM participants WHERE gathering_id = $1",
                vec![text(g)],
            ));
            // Marks keep the totals they make up, each under its own random
            // stand-in (122 random bits from the server's strong source),
            // so no two of them point at one person any more.
            steps.push(Step::new(
                "UPDATE marks SET author = replace(gen_random_uuid()::text, '-', '')
                 WHERE gathering_id = $1",
                vec![text(g)],
            ));
        }
    }
}

/// Stores a new gathering (one statement: durable once it returns).
pub async fn create_gathering(db: &Client, g: &NewGathering) -> Result<(), StorageError> {
    let genesis = serde_json::to_string(&g.genesis)?;
    db.execute(
        "INSERT INTO gatherings (id, console_hash, cofacilitator_hash, screen_hash, join_token,
                                 join_code, salt, epoch, genesis, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        &[
            &g.id,
            &g.console_hash,
            &g.cofacilitator_hash,
            &g.screen_hash,
            &g.join_token,
            &g.code.as_str(),
            &g.salt,
            &(g.epoch as i64),
            &genesis,
            &g.created_at,
        ],
    )
    .await?;
    Ok(())
}

/// Deletes a gathering with everything in it (`ON DELETE CASCADE`), then
/// vacuums its tables so no dead copy of its rows is left in them.
pub async fn delete_gathering(db: &mut Client, id: &str) -> Result<(), StorageError> {
    let deleted = db
        .execute("DELETE FROM gatherings WHERE id = $1", &[&id])
        .await?;
    if deleted > 0 {
        vacuum(db, Erasure::Wholesale).await;
    }
    Ok(())
}

/// Deletes every gathering created before `before` in one transaction, as
/// `delete_gathering` does; returns their ids.
/// The advisory lock the retention sweep holds while it runs ("retain").
const RETENTION_LOCK: i64 = 0x7265_7461_696e;

pub async fn delete_created_before(
    db: &mut Client,
    before: i64,
) -> Result<Vec<String>, StorageError> {
    let tx = db.transaction().await?;
    // One node of a cluster sweeps at a time; the others find the lock
    // taken and leave this sweep to it.
    let leading: bool = tx
        .query_one("SELECT pg_try_advisory_xact_lock($1)", &[&RETENTION_LOCK])
        .await?
        .try_get(0)?;
    if !leading {
        return Ok(Vec::new());
    }
    let ids = tx
        .query(
            "DELETE FROM gatherings WHERE created_at < $1 RETURNING id",
            &[&before],
        )
        .await?
        .iter()
        .map(|r| r.try_get(0))
        .collect::<Result<Vec<String>, _>>()?;
    tx.commit().await?;
    if !ids.is_empty() {
        vacuum(db, Erasure::Wholesale).await;
    }
    Ok(ids)
}

/// Deletes a saved agenda; gatherings started from it keep their copy.
pub async fn delete_template(db: &Client, id: &str) -> Result<(), StorageError> {
    db.execute("DELETE FROM templates WHERE id = $1", &[&id])
        .await?;
    Ok(())
}

/// After a commit that erased something, vacuums the tables that held it,
/// outside any transaction (VACUUM cannot run in one).
///
/// A deleted or updated row stays in its table as a dead version until
/// VACUUM, and plain VACUUM only marks its space free: the bytes stay in
/// the page until a later row happens to take their place (the restart
/// test found a withdrawn reflection's words there, after VACUUM and a
/// checkpoint). So the tables that hold words (cards, events,
/// checkpoints) get `VACUUM FULL`, which writes each afresh into new files
/// and removes the old ones, as SQLite's `VACUUM` rewrites its file. It
/// locks those tables while it runs and holds the writer: 0.7 s for 60,000
/// cards and 90,000 events (90 MB) on the 2-core development machine,
/// against 0.07 s for a plain VACUUM. Marks hold no words, only device
/// hashes, and get a plain VACUUM after a withdrawal (it takes the dead
/// rows of the withdrawn card's marks); ending or deleting a gathering
/// (`Wholesale`), which touches every table, rewrites them all. None of
/// this reaches the write-ahead log: see SECURITY.md. Failing here does not
/// undo the commit: it is logged, and the next erasure clears what is
/// left.
///
/// VACUUM keeps (and `VACUUM FULL` copies into the new files) any row
/// version that a snapshot still open in the database might see: a room
/// loading at that moment, a page's lookup, a report, a `pg_dump`. So it
/// first waits for those snapshots to end (`snapshots_before_now`).
pub async fn vacuum(db: &Client, erased: Erasure) {
    let statements: &[&str] = match erased {
        Erasure::Nothing => return,
        Erasure::Rows => &["VACUUM FULL cards, events, checkpoints", "VACUUM marks"],
        Erasure::Wholesale => &[
            "VACUUM FULL gatherings, events, cards, participants, applied_actions, marks, checkpoints, leases",
        ],
    };
    match snapshots_before_now(db).await {
        Ok(0) => {}
        Ok(n) => tracing::warn!(
            "vacuuming after an erasure while {n} older transactions still run: \
             what they could see stays until the next erasure"
        ),
        Err(e) => tracing::warn!("could not see the database's open transactions: {e}"),
    }
    for sql in statements {
        if let Err(e) = db.batch_execute(sql).await {
            tracing::warn!(
                "vacuuming after an erasure failed: {}",
                StorageError::from(e)
            );
        }
    }
}

/// Waits until nothing could still see the rows just deleted, at most
/// `SNAPSHOT_WAIT`, and answers how many transactions still could.
///
/// Two kinds count: a session on this database holding a snapshot taken
/// before now, and a transaction anywhere in the cluster that began before
/// now (while it runs, every new snapshot, VACUUM's own included, starts
/// from it: the test suite found rows kept that way while another
/// database's transaction was under way). Hearth's own reads and writes
/// last milliseconds. Sessions of another role show no snapshot to a role
/// that is not a superuser (or `pg_read_all_stats`), so they are not
/// waited for.
async fn snapshots_before_now(db: &Client) -> Result<i64, StorageError> {
    let now: String = db
        .query_one(
            "SELECT xid(pg_snapshot_xmax(pg_current_snapshot()))::text",
            &[],
        )
        .await?
        .try_get(0)?;
    let deadline = Instant::now() + SNAPSHOT_WAIT;
    loop {
        let older: i64 = db
            .query_one(
                "SELECT (SELECT count(*) FROM pg_stat_activity
                         WHERE datname = current_database() AND pid <> pg_backend_pid()
                           AND backend_xmin IS NOT NULL
                           AND age(backend_xmin) > age($1::text::xid))
                      + CASE WHEN age(xid(pg_snapshot_xmin(pg_current_snapshot())))
                                  > age($1::text::xid)
                             THEN 1 ELSE 0 END",
                &[&now],
            )
            .await?
            .try_get(0)?;
        if older == 0 || Instant::now() >= deadline {
            return Ok(older);
        }
        tokio::time::sleep(SNAPSHOT_POLL).await;
    }
}
