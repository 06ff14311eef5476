//! What a room is loaded from, read in one go.
//!
//! Loading a hall's room reads tens of thousands of rows (every mark and
//! every applied action). Through the async pool each row costs a hop
//! between threads, and the pool is busiest at the very moment a room is
//! loaded after a restart: every reconnecting phone's lookup queues there
//! too. So a room's rows are read here instead, on a blocking thread with
//! a read-only connection of its own, in one read transaction: one
//! consistent picture of the gathering, in a few tens of milliseconds.

use super::{StoreError, StoredCard};
use crate::room::Checkpoint;
use hearth_core::gathering::Event;
use hearth_core::ids::{CardId, StepId};
use hearth_core::marks::Target;
use rusqlite::{params, Connection, OpenFlags, OptionalExtension};
use std::path::Path;
use std::time::Duration;

/// Everything a room is loaded from.
pub struct RoomRows {
    /// The last checkpoint of its state, if one was written.
    pub checkpoint: Option<Checkpoint>,
    /// The events after the checkpoint (or the whole log), in order.
    pub events: Vec<(u64, Event)>,
    /// Everyone who has joined (salted hashes).
    pub participants: Vec<String>,
    /// Every card, in the order they were added.
    pub cards: Vec<StoredCard>,
    /// Every action already applied, as (actor, action id).
    pub applied: Vec<(String, String)>,
    /// Every participant's marks, as (author, target, value).
    pub marks: Vec<(String, Target, u16)>,
}

/// Reads a gathering's rows from the database file at `file`.
pub fn read(file: &Path, gathering: &str) -> Result<RoomRows, StoreError> {
    let mut db = Connection::open_with_flags(
        file,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    db.busy_timeout(Duration::from_secs(10))?;
    // One read transaction: every table as of the same commit.
    let tx = db.transaction()?;
    let checkpoint = tx
        .query_row(
            "SELECT body FROM checkpoints WHERE gathering_id = ?",
            [gathering],
            |r| r.get::<_, String>(0),
        )
        .optional()?
        .map(|body| serde_json::from_str::<Checkpoint>(&body))
        .transpose()?;
    let from = checkpoint.as_ref().map_or(0, |c| c.seq);

    let mut events = Vec::new();
    let mut query =
        tx.prepare("SELECT seq, body FROM events WHERE gathering_id = ? AND seq > ? ORDER BY seq")?;
    let mut rows = query.query(params![gathering, from as i64])?;
    while let Some(row) = rows.next()? {
        let body: String = row.get(1)?;
        events.push((row.get::<_, i64>(0)? as u64, serde_json::from_str(&body)?));
    }
    drop(rows);
    drop(query);

    let participants = tx
        .prepare("SELECT author FROM participants WHERE gathering_id = ?")?
        .query_map([gathering], |r| r.get(0))?
        .collect::<Result<Vec<String>, _>>()?;

    let mut cards = Vec::new();
    let mut query = tx.prepare(
        "SELECT id, step, author, text, place, sensitive, revealed_seq FROM cards
         WHERE gathering_id = ? ORDER BY rowid",
    )?;
    let mut rows = query.query([gathering])?;
    while let Some(row) = rows.next()? {
        let id: String = row.get(0)?;
        let place: String = row.get(4)?;
        cards.push(StoredCard {
            id: CardId::parse(&id)
                .map_err(|e| StoreError::Unreadable(format!("card {id}: {e}")))?,
            step: StepId(row.get::<_, i64>(1)? as u32),
            author: row.get(2)?,
            text: row.get(3)?,
            place: serde_json::from_str(&place)?,
            sensitive: row.get(5)?,
            revealed_seq: row.get::<_, Option<i64>>(6)?.map(|s| s as u64),
        });
    }
    drop(rows);
    drop(query);

    let applied = tx
        .prepare("SELECT actor, action_id FROM applied_actions WHERE gathering_id = ?")?
        .query_map([gathering], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<Vec<(String, String)>, _>>()?;

    let mut marks = Vec::new();
    let mut query = tx.prepare("SELECT author, target, value FROM marks WHERE gathering_id = ?")?;
    let mut rows = query.query([gathering])?;
    while let Some(row) = rows.next()? {
        let target: String = row.get(1)?;
        let value: i64 = row.get(2)?;
        // A row this version cannot read is skipped, not fatal.
        if let (Some(target), Ok(value)) = (Target::parse(&target), u16::try_from(value)) {
            marks.push((row.get(0)?, target, value));
        }
    }
    drop(rows);
    drop(query);
    Ok(RoomRows {
        checkpoint,
        events,
        participants,
        cards,
        applied,
        marks,
    })
}
