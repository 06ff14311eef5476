//! Every query that only reads, each on a connection from `readers.rs`.

use crate::storage::{
    CardRow, GatheringRow, Lookup, RoomRows, StorageError, StoredCard, StoredCheckpoint, Template,
};
use hearth_core::ids::JoinCode;
use hearth_core::marks::Target;
use hearth_core::protocol::Outcome;
use rusqlite::{params, Connection, OptionalExtension, Row};

/// The condition a lookup finds its gathering by, and the value for it.
pub fn lookup_column(lookup: &Lookup<'_>) -> (&'static str, String) {
    match lookup {
        Lookup::ConsoleHash(h) => (
            "console_hash = ?1 OR cofacilitator_hash = ?1",
            h.to_string(),
        ),
        Lookup::ScreenHash(h) => ("screen_hash = ?1", h.to_string()),
        Lookup::JoinToken(t) => ("join_token = ?1", t.to_string()),
        Lookup::Code(c) => ("join_code = ?1", c.as_str().to_owned()),
        Lookup::Id(id) => ("id = ?1", id.to_string()),
    }
}

/// The gathering whose row meets `condition` (from `lookup_column`).
pub fn gathering(
    db: &Connection,
    condition: &str,
    value: &str,
) -> Result<Option<GatheringRow>, StorageError> {
    let sql = format!(
        "SELECT id, join_code, join_token, cofacilitator_hash, salt, epoch, genesis
         FROM gatherings WHERE {condition}"
    );
    let row = db
        .prepare_cached(&sql)?
        .query_row([value], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, Option<String>>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, Option<String>>(3)?,
                row.get::<_, Vec<u8>>(4)?,
                row.get::<_, i64>(5)?,
                row.get::<_, String>(6)?,
            ))
        })
        .optional()?;
    row.map(
        |(id, code, join_token, cofacilitator_hash, salt, epoch, genesis)| {
            Ok(GatheringRow {
                id,
                code: code.and_then(|c| JoinCode::parse(&c).ok()),
                join_token,
                cofacilitator_hash,
                salt,
                epoch: epoch as u64,
                genesis: serde_json::from_str(&genesis)?,
            })
        },
    )
    .transpose()
}

/// Whether a stored gathering holds this join code.
pub fn code_in_use(db: &Connection, code: &str) -> Result<bool, StorageError> {
    Ok(db
        .prepare_cached("SELECT 1 FROM gatherings WHERE join_code = ?")?
        .exists([code])?)
}

/// The stored outcome of an action, by (gathering, actor, action id).
pub fn applied_outcome(
    db: &Connection,
    key: &[String; 3],
) -> Result<Option<Outcome>, StorageError> {
    let body: Option<String> = db
        .prepare_cached(
            "SELECT outcome FROM applied_actions WHERE gathering_id = ? AND actor = ? AND action_id = ?",
        )?
        .query_row(params![key[0], key[1], key[2]], |r| r.get(0))
        .optional()?;
    Ok(body.map(|b| serde_json::from_str(&b)).transpose()?)
}

/// Saved agendas, newest first.
pub fn templates(db: &Connection) -> Result<Vec<Template>, StorageError> {
    let rows = db
        .prepare_cached("SELECT id, name, agenda FROM templates ORDER BY created_at DESC, id")?
        .query_map([], template_columns)?
        .collect::<Result<Vec<_>, _>>()?;
    rows.into_iter().map(template_of).collect()
}

/// One saved agenda.
pub fn template(db: &Connection, id: &str) -> Result<Option<Template>, StorageError> {
    db.prepare_cached("SELECT id, name, agenda FROM templates WHERE id = ?")?
        .query_row([id], template_columns)
        .optional()?
        .map(template_of)
        .transpose()
}

fn template_columns(row: &Row<'_>) -> rusqlite::Result<(String, String, String)> {
    Ok((row.get(0)?, row.get(1)?, row.get(2)?))
}

fn template_of((id, name, agenda): (String, String, String)) -> Result<Template, StorageError> {
    Ok(Template {
        id,
        name,
        agenda: serde_json::from_str(&agenda)?,
    })
}

/// Everything a room is loaded from, read in one go.
///
/// Loading a hall's room reads tens of thousands of rows (every mark and
/// every applied action), at the very moment every reconnecting phone
/// after a restart is looking its gathering up too. So it is read in one
/// read transaction, on one connection: one consistent picture of the
/// gathering, in a few tens of milliseconds.
pub fn room_rows(db: &mut Connection, gathering: &str) -> Result<RoomRows, StorageError> {
    let tx = db.transaction()?;
    // The position has its own column: the body is the room's to read,
    // once, when it loads.
    let checkpoint = tx
        .query_row(
            "SELECT seq, body FROM checkpoints WHERE gathering_id = ?",
            [gathering],
            |r| {
                Ok(StoredCheckpoint {
                    seq: r.get::<_, i64>(0)? as u64,
                    body: r.get(1)?,
                })
            },
        )
        .optional()?;
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
        cards.push(StoredCard::try_from(CardRow {
            id: row.get(0)?,
            step: row.get(1)?,
            author: row.get(2)?,
            text: row.get(3)?,
            place: row.get(4)?,
            sensitive: row.get(5)?,
            revealed_seq: row.get(6)?,
        })?);
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
