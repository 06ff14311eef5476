//! Storage: one SQLite file in WAL mode, created on first start.
//!
//! The store owns the SQL and nothing else: it does not decide what is
//! allowed (the room does) and never holds state in memory. Writes that
//! belong together take a `Tx` and are committed by the caller, so a change
//! is stored whole or not at all. `synchronous = FULL` makes a commit
//! durable before it returns, which is what lets the room acknowledge an
//! action only once it is safe; `secure_delete` overwrites withdrawn text
//! instead of leaving it in free pages.

use app::gathering::{Event, GatheringView};
use app::ids::{CardId, JoinCode, StepId};
use app::protocol::{Outcome, OwnCard};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Row, SqlitePool};
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

/// An open transaction; dropping it without `commit` rolls it back.
pub type Tx = sqlx::Transaction<'static, sqlx::Sqlite>;

/// Why storage failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("could not create the database folder {path}: {source}")]
    Folder {
        path: String,
        source: std::io::Error,
    },
    #[error("stored data could not be read: {0}")]
    Corrupt(#[from] serde_json::Error),
}

/// A gathering as the store knows it.
#[derive(Clone, Debug)]
pub struct GatheringRow {
    pub id: String,
    pub code: Option<JoinCode>,
    pub join_token: String,
    pub salt: Vec<u8>,
    pub epoch: u64,
    pub genesis: GatheringView,
}

/// Everything needed to create a gathering.
pub struct NewGathering {
    pub id: String,
    pub console_hash: String,
    pub screen_hash: String,
    pub join_token: String,
    pub code: JoinCode,
    pub salt: Vec<u8>,
    pub epoch: u64,
    pub genesis: GatheringView,
    pub created_at: i64,
}

/// How to find a gathering.
pub enum Lookup<'a> {
    ConsoleHash(&'a str),
    ScreenHash(&'a str),
    JoinToken(&'a str),
    Code(&'a JoinCode),
}

/// A stored card as the room needs it.
pub struct StoredCard {
    pub id: CardId,
    pub step: StepId,
    pub text: String,
    pub revealed_seq: Option<u64>,
}

#[derive(Clone)]
pub struct Store {
    pool: SqlitePool,
}

impl Store {
    /// Opens (and on first start creates) the database at `location`: a
    /// file path, or a `sqlite:` URL.
    pub async fn open(location: &str) -> Result<Self, StoreError> {
        let url = if location.starts_with("sqlite:") {
            location.to_owned()
        } else {
            if let Some(dir) = Path::new(location)
                .parent()
                .filter(|d| !d.as_os_str().is_empty())
            {
                std::fs::create_dir_all(dir).map_err(|source| StoreError::Folder {
                    path: dir.display().to_string(),
                    source,
                })?;
            }
            format!("sqlite://{location}")
        };
        let options = SqliteConnectOptions::from_str(&url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            .pragma("secure_delete", "ON");
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await?;
        sqlx::migrate!("./migrations").run(&pool).await?;
        Ok(Self { pool })
    }

    pub async fn begin(&self) -> Result<Tx, StoreError> {
        Ok(self.pool.begin().await?)
    }

    pub async fn create_gathering(&self, g: &NewGathering) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO gatherings (id, console_hash, screen_hash, join_token, join_code, salt, epoch, genesis, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&g.id)
        .bind(&g.console_hash)
        .bind(&g.screen_hash)
        .bind(&g.join_token)
        .bind(g.code.as_str())
        .bind(&g.salt)
        .bind(g.epoch as i64)
        .bind(serde_json::to_string(&g.genesis)?)
        .bind(g.created_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Whether a join code is in use by a gathering that has not ended.
    pub async fn code_in_use(&self, code: &JoinCode) -> Result<bool, StoreError> {
        let row = sqlx::query("SELECT 1 FROM gatherings WHERE join_code = ?")
            .bind(code.as_str())
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.is_some())
    }

    pub async fn find(&self, lookup: Lookup<'_>) -> Result<Option<GatheringRow>, StoreError> {
        let (column, value) = match lookup {
            Lookup::ConsoleHash(h) => ("console_hash", h),
            Lookup::ScreenHash(h) => ("screen_hash", h),
            Lookup::JoinToken(t) => ("join_token", t),
            Lookup::Code(c) => ("join_code", c.as_str()),
        };
        let sql = format!(
            "SELECT id, join_code, join_token, salt, epoch, genesis FROM gatherings WHERE {column} = ?"
        );
        let row = sqlx::query(&sql)
            .bind(value)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|row| {
            let code: Option<String> = row.try_get("join_code")?;
            let genesis: String = row.try_get("genesis")?;
            Ok(GatheringRow {
                id: row.try_get("id")?,
                code: code.and_then(|c| JoinCode::parse(&c).ok()),
                join_token: row.try_get("join_token")?,
                salt: row.try_get("salt")?,
                epoch: row.try_get::<i64, _>("epoch")? as u64,
                genesis: serde_json::from_str(&genesis)?,
            })
        })
        .transpose()
    }

    /// The whole event log of a gathering, in order.
    pub async fn events(&self, gathering: &str) -> Result<Vec<(u64, Event)>, StoreError> {
        let rows = sqlx::query("SELECT seq, body FROM events WHERE gathering_id = ? ORDER BY seq")
            .bind(gathering)
            .fetch_all(&self.pool)
            .await?;
        rows.into_iter()
            .map(|row| {
                let seq: i64 = row.try_get("seq")?;
                let body: String = row.try_get("body")?;
                Ok((seq as u64, serde_json::from_str(&body)?))
            })
            .collect()
    }

    /// Everyone who has joined a gathering (salted hashes).
    pub async fn participants(&self, gathering: &str) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query("SELECT author FROM participants WHERE gathering_id = ?")
            .bind(gathering)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .iter()
            .map(|r| r.try_get("author"))
            .collect::<Result<_, _>>()?)
    }

    /// How many reflections wait to be revealed.
    pub async fn waiting_count(&self, gathering: &str) -> Result<u32, StoreError> {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM cards WHERE gathering_id = ? AND revealed_seq IS NULL",
        )
        .bind(gathering)
        .fetch_one(&self.pool)
        .await?;
        Ok(n as u32)
    }

    /// A participant's own cards, for their eyes only.
    pub async fn own_cards(
        &self,
        gathering: &str,
        author: &str,
    ) -> Result<Vec<OwnCard>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, step, text, revealed_seq FROM cards WHERE gathering_id = ? AND author = ? ORDER BY rowid",
        )
        .bind(gathering)
        .bind(author)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let card = read_card(row)?;
                Ok(OwnCard {
                    id: card.id,
                    step: card.step,
                    text: card.text,
                    revealed: card.revealed_seq.is_some(),
                })
            })
            .collect()
    }

    /// The outcome of an action already applied, if it was.
    pub async fn applied(
        &self,
        gathering: &str,
        actor: &str,
        action: &str,
    ) -> Result<Option<Outcome>, StoreError> {
        let body: Option<String> = sqlx::query_scalar(
            "SELECT outcome FROM applied_actions WHERE gathering_id = ? AND actor = ? AND action_id = ?",
        )
        .bind(gathering)
        .bind(actor)
        .bind(action)
        .fetch_optional(&self.pool)
        .await?;
        Ok(body.map(|b| serde_json::from_str(&b)).transpose()?)
    }
}

fn read_card(row: &sqlx::sqlite::SqliteRow) -> Result<StoredCard, StoreError> {
    let id: String = row.try_get("id")?;
    let step: i64 = row.try_get("step")?;
    let revealed: Option<i64> = row.try_get("revealed_seq")?;
    Ok(StoredCard {
        id: CardId::parse(&id).map_err(|e| StoreError::Db(sqlx::Error::Decode(Box::new(e))))?,
        step: StepId(step as u32),
        text: row.try_get("text")?,
        revealed_seq: revealed.map(|s| s as u64),
    })
}

/// Writes that happen inside one transaction.
pub mod write {
    use super::*;

    pub async fn append_event(
        tx: &mut Tx,
        gathering: &str,
        seq: u64,
        event: &Event,
    ) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO events (gathering_id, seq, body) VALUES (?, ?, ?)")
            .bind(gathering)
            .bind(seq as i64)
            .bind(serde_json::to_string(event)?)
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    pub async fn record_applied(
        tx: &mut Tx,
        gathering: &str,
        actor: &str,
        action: &str,
        outcome: &Outcome,
    ) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO applied_actions (gathering_id, actor, action_id, outcome) VALUES (?, ?, ?, ?)")
            .bind(gathering)
            .bind(actor)
            .bind(action)
            .bind(serde_json::to_string(outcome)?)
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    pub async fn add_participant(
        tx: &mut Tx,
        gathering: &str,
        author: &str,
    ) -> Result<(), StoreError> {
        sqlx::query("INSERT OR IGNORE INTO participants (gathering_id, author) VALUES (?, ?)")
            .bind(gathering)
            .bind(author)
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    pub async fn add_card(
        tx: &mut Tx,
        gathering: &str,
        card: &CardId,
        step: StepId,
        author: &str,
        text: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO cards (gathering_id, id, step, author, text) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(gathering)
        .bind(card.as_str())
        .bind(step.0 as i64)
        .bind(author)
        .bind(text)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    /// One of an author's cards, if it is theirs.
    pub async fn own_card(
        tx: &mut Tx,
        gathering: &str,
        author: &str,
        card: &CardId,
    ) -> Result<Option<StoredCard>, StoreError> {
        let row = sqlx::query(
            "SELECT id, step, text, revealed_seq FROM cards WHERE gathering_id = ? AND author = ? AND id = ?",
        )
        .bind(gathering)
        .bind(author)
        .bind(card.as_str())
        .fetch_optional(&mut **tx)
        .await?;
        row.as_ref().map(read_card).transpose()
    }

    pub async fn delete_card(
        tx: &mut Tx,
        gathering: &str,
        card: &CardId,
    ) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM cards WHERE gathering_id = ? AND id = ?")
            .bind(gathering)
            .bind(card.as_str())
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    /// Cards of a step that wait to be revealed.
    pub async fn waiting_cards(
        tx: &mut Tx,
        gathering: &str,
        step: StepId,
    ) -> Result<Vec<StoredCard>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, step, text, revealed_seq FROM cards WHERE gathering_id = ? AND step = ? AND revealed_seq IS NULL",
        )
        .bind(gathering)
        .bind(step.0 as i64)
        .fetch_all(&mut **tx)
        .await?;
        rows.iter().map(read_card).collect()
    }

    pub async fn mark_revealed(
        tx: &mut Tx,
        gathering: &str,
        card: &CardId,
        seq: u64,
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE cards SET revealed_seq = ? WHERE gathering_id = ? AND id = ?")
            .bind(seq as i64)
            .bind(gathering)
            .bind(card.as_str())
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    /// Removes a withdrawn card's words from the event that revealed it, so
    /// the log keeps no copy of them.
    pub async fn scrub_from_event(
        tx: &mut Tx,
        gathering: &str,
        seq: u64,
        card: &CardId,
    ) -> Result<(), StoreError> {
        let body: Option<String> =
            sqlx::query_scalar("SELECT body FROM events WHERE gathering_id = ? AND seq = ?")
                .bind(gathering)
                .bind(seq as i64)
                .fetch_optional(&mut **tx)
                .await?;
        let Some(body) = body else { return Ok(()) };
        let mut event: Event = serde_json::from_str(&body)?;
        if let Event::CardsRevealed { cards } = &mut event {
            cards.retain(|c| &c.id != card);
        }
        sqlx::query("UPDATE events SET body = ? WHERE gathering_id = ? AND seq = ?")
            .bind(serde_json::to_string(&event)?)
            .bind(gathering)
            .bind(seq as i64)
            .execute(&mut **tx)
            .await?;
        Ok(())
    }
}
