//! Every query that only reads, each on a connection from `pool.rs`.

use crate::storage::{
    CardRow, GatheringRow, Lookup, RoomRows, StorageError, StoredCard, StoredCheckpoint, Template,
};
use hearth_core::ids::JoinCode;
use hearth_core::marks::Target;
use hearth_core::protocol::Outcome;
use tokio_postgres::{Client, IsolationLevel, Row};

/// The gathering a lookup finds.
pub async fn gathering(
    db: &Client,
    lookup: &Lookup<'_>,
) -> Result<Option<GatheringRow>, StorageError> {
    const COLUMNS: &str =
        "SELECT id, join_code, join_token, cofacilitator_hash, salt, epoch, genesis FROM gatherings";
    let (condition, value) = match lookup {
        Lookup::ConsoleHash(h) => ("console_hash = $1 OR cofacilitator_hash = $1", *h),
        Lookup::ScreenHash(h) => ("screen_hash = $1", *h),
        Lookup::JoinToken(t) => ("join_token = $1", *t),
        Lookup::Code(c) => ("join_code = $1", c.as_str()),
        Lookup::Id(id) => ("id = $1", *id),
    };
    let sql = format!("{COLUMNS} WHERE {condition}");
    let Some(row) = db.query_opt(&sql, &[&value]).await? else {
        return Ok(None);
    };
    let code: Option<String> = row.try_get(1)?;
    let epoch: i64 = row.try_get(5)?;
    let genesis: String = row.try_get(6)?;
    Ok(Some(GatheringRow {
        id: row.try_get(0)?,
        code: code.and_then(|c| JoinCode::parse(&c).ok()),
        join_token: row.try_get(2)?,
        cofacilitator_hash: row.try_get(3)?,
        salt: row.try_get(4)?,
        epoch: epoch as u64,
        genesis: serde_json::from_str(&genesis)?,
    }))
}

/// Whether a stored gathering holds this join code.
pub async fn code_in_use(db: &Client, code: &str) -> Result<bool, StorageError> {
    let found = db
        .query_opt("SELECT 1 FROM gatherings WHERE join_code = $1", &[&code])
        .await?;
    Ok(found.is_some())
}

/// The stored outcome of an action, by (gathering, actor, action id).
pub async fn applied_outcome(
    db: &Client,
    gathering: &str,
    actor: &str,
    action: &str,
) -> Result<Option<Outcome>, StorageError> {
    let Some(row) = db
        .query_opt(
            "SELECT outcome FROM applied_actions
             WHERE gathering_id = $1 AND actor = $2 AND action_id = $3",
            &[&gathering, &actor, &action],
        )
        .await?
    else {
        return Ok(None);
    };
    let body: String = row.try_get(0)?;
    Ok(Some(serde_json::from_str(&body)?))
}

/// Saved agendas, newest first.
pub async fn templates(db: &Client) -> Result<Vec<Template>, StorageError> {
    db.query(
        "SELECT id, name, agenda FROM templates ORDER BY created_at DESC, id",
        &[],
    )
    .await?
    .iter()
    .map(template_of)
    .collect()
}

/// One saved agenda.
pub async fn template(db: &Client, id: &str) -> Result<Option<Template>, StorageError> {
    db.query_opt(
        "SELECT id, name, agenda FROM templates WHERE id = $1",
        &[&id],
    )
    .await?
    .as_ref()
    .map(template_of)
    .transpose()
}

fn template_of(row: &Row) -> Result<Template, StorageError> {
    let agenda: String = row.try_get(2)?;
    Ok(Template {
        id: row.try_get(0)?,
        name: row.try_get(1)?,
        agenda: serde_json::from_str(&agenda)?,
    })
}

/// Everything a room is loaded from, read in one go: one read-only
/// transaction at `REPEATABLE READ`, so the picture is one moment's, as
/// SQLite's read transaction gives.
pub async fn room_rows(db: &mut Client, gathering: &str) -> Result<RoomRows, StorageError> {
    let tx = db
        .build_transaction()
        .isolation_level(IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()
        .await?;
    let checkpoint = tx
        .query_opt(
            "SELECT seq, body FROM checkpoints WHERE gathering_id = $1",
            &[&gathering],
        )
        .await?
        .map(|r| {
            Ok::<_, StorageError>(StoredCheckpoint {
                seq: r.try_get::<_, i64>(0)? as u64,
                body: r.try_get(1)?,
            })
        })
        .transpose()?;
    let from = checkpoint.as_ref().map_or(0, |c| c.seq as i64);

    let mut events = Vec::new();
    for row in tx
        .query(
            "SELECT seq, body FROM events WHERE gathering_id = $1 AND seq > $2 ORDER BY seq",
            &[&gathering, &from],
        )
        .await?
    {
        let body: String = row.try_get(1)?;
        events.push((
            row.try_get::<_, i64>(0)? as u64,
            serde_json::from_str(&body)?,
        ));
    }

    let participants = tx
        .query(
            "SELECT author FROM participants WHERE gathering_id = $1",
            &[&gathering],
        )
        .await?
        .iter()
        .map(|r| r.try_get(0))
        .collect::<Result<Vec<String>, _>>()?;

    let mut cards = Vec::new();
    for row in tx
        .query(
            "SELECT id, step, author, text, place, sensitive, revealed_seq FROM cards
             WHERE gathering_id = $1 ORDER BY added",
            &[&gathering],
        )
        .await?
    {
        cards.push(StoredCard::try_from(CardRow {
            id: row.try_get(0)?,
            step: i64::from(row.try_get::<_, i32>(1)?),
            author: row.try_get(2)?,
            text: row.try_get(3)?,
            place: row.try_get(4)?,
            sensitive: row.try_get(5)?,
            revealed_seq: row.try_get(6)?,
        })?);
    }

    let applied = tx
        .query(
            "SELECT actor, action_id FROM applied_actions WHERE gathering_id = $1",
            &[&gathering],
        )
        .await?
        .iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect::<Result<Vec<(String, String)>, tokio_postgres::Error>>()?;

    let mut marks = Vec::new();
    for row in tx
        .query(
            "SELECT author, target, value FROM marks WHERE gathering_id = $1",
            &[&gathering],
        )
        .await?
    {
        let target: String = row.try_get(1)?;
        let value: i32 = row.try_get(2)?;
        // A row this version cannot read is skipped, not fatal.
        if let (Some(target), Ok(value)) = (Target::parse(&target), u16::try_from(value)) {
            marks.push((row.try_get(0)?, target, value));
        }
    }
    tx.commit().await?;
    Ok(RoomRows {
        checkpoint,
        events,
        participants,
        cards,
        applied,
        marks,
    })
}
