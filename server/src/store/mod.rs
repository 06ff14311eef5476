//! Storage: one SQLite file in WAL mode, created on first start.
//!
//! The store owns the SQL and nothing else: it does not decide what is
//! allowed (the room does) and holds no state in memory. Reads go through a
//! small pool (WAL lets them run beside the writer); every write goes
//! through the one `Writer` task (see `writer.rs`), as a batch that is
//! stored whole or not at all. `synchronous = FULL` makes a commit durable
//! before it returns, which is what lets a room acknowledge an action only
//! once it is safe; `secure_delete` overwrites withdrawn text instead of
//! leaving it in free pages.

mod room_rows;

use crate::writer::{Batch, Op, Writer};
use hearth_core::exercise::Place;
use hearth_core::gathering::{GatheringView, StepSpec};
use hearth_core::ids::{CardId, JoinCode, StepId};
use hearth_core::protocol::Outcome;
pub use room_rows::RoomRows;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{ConnectOptions, Row, SqlitePool};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

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
    #[error("a commit failed: {0}")]
    Round(String),
    #[error("database error: {0}")]
    Write(#[from] rusqlite::Error),
    #[error("the database writer has stopped")]
    WriterGone,
    #[error("stored data could not be read: {0}")]
    Unreadable(String),
}

/// A gathering as the store knows it.
#[derive(Clone, Debug)]
pub struct GatheringRow {
    pub id: String,
    pub code: Option<JoinCode>,
    pub join_token: String,
    /// The co-facilitator secret's hash (`None` for gatherings made before
    /// co-facilitators existed).
    pub cofacilitator_hash: Option<String>,
    pub salt: Vec<u8>,
    pub epoch: u64,
    pub genesis: GatheringView,
}

/// Everything needed to create a gathering.
pub struct NewGathering {
    pub id: String,
    pub console_hash: String,
    pub cofacilitator_hash: String,
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
    /// A facilitator's or a co-facilitator's secret, hashed.
    ConsoleHash(&'a str),
    ScreenHash(&'a str),
    JoinToken(&'a str),
    Code(&'a JoinCode),
}

impl Lookup<'_> {
    /// The lookup as one string, kind and value: a key for remembering
    /// what it found.
    pub fn key(&self) -> String {
        match self {
            Lookup::ConsoleHash(h) => format!("console:{h}"),
            Lookup::ScreenHash(h) => format!("screen:{h}"),
            Lookup::JoinToken(t) => format!("token:{t}"),
            Lookup::Code(c) => format!("code:{}", c.as_str()),
        }
    }
}

/// A stored card as the room needs it.
pub struct StoredCard {
    pub id: CardId,
    pub step: StepId,
    pub author: String,
    pub text: String,
    pub place: Place,
    pub sensitive: bool,
    pub revealed_seq: Option<u64>,
}

/// A saved agenda.
#[derive(Clone, Debug)]
pub struct Template {
    pub id: String,
    pub name: String,
    pub agenda: Vec<StepSpec>,
}

#[derive(Clone)]
pub struct Store {
    pool: SqlitePool,
    writer: Writer,
    /// The database file, for reads that go around the pool.
    file: PathBuf,
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
        let mut first = options.clone().connect().await?;
        sqlx::migrate!("./migrations").run(&mut first).await?;
        sqlx::Connection::close(first).await?;
        let file = options.get_filename().to_path_buf();
        let writer = Writer::start(&file)?;
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await?;
        Ok(Self { pool, writer, file })
    }

    /// The one writer, for rooms to commit their batches.
    pub fn writer(&self) -> &Writer {
        &self.writer
    }

    pub async fn create_gathering(&self, g: &NewGathering) -> Result<(), StoreError> {
        let op = Op::CreateGathering {
            id: g.id.clone(),
            console_hash: g.console_hash.clone(),
            cofacilitator_hash: g.cofacilitator_hash.clone(),
            screen_hash: g.screen_hash.clone(),
            join_token: g.join_token.clone(),
            code: g.code.as_str().to_owned(),
            salt: g.salt.clone(),
            epoch: g.epoch as i64,
            genesis: serde_json::to_string(&g.genesis)?,
            created_at: g.created_at,
        };
        let batch = Batch {
            gathering: g.id.clone(),
            ops: vec![op],
        };
        self.writer.commit(batch).await
    }

    /// Deletes a gathering with everything in it (its events, cards,
    /// participants and applied actions go with it through `ON DELETE
    /// CASCADE`); the writer then empties its log file, so the deleted
    /// words do not linger there either.
    pub async fn delete_gathering(&self, id: &str) -> Result<(), StoreError> {
        self.writer
            .commit(Batch {
                gathering: id.to_owned(),
                ops: vec![Op::DeleteGathering],
            })
            .await
    }

    /// The gatherings created before `before` (seconds since 1970).
    pub async fn created_before(&self, before: i64) -> Result<Vec<String>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT id FROM gatherings WHERE created_at < ?")
                .bind(before)
                .fetch_all(&self.pool)
                .await?,
        )
    }

    /// Deletes every gathering created before `before`, with everything in
    /// them, in one commit (see `delete_gathering`).
    pub async fn delete_created_before(&self, before: i64) -> Result<(), StoreError> {
        self.writer
            .commit(Batch {
                gathering: String::new(),
                ops: vec![Op::DeleteCreatedBefore { before }],
            })
            .await
    }

    /// Forgets who took part in a gathering: the salted device hashes go
    /// from its participant list, its cards and its applied actions. For
    /// when a gathering ends; the cards themselves stay, with no author.
    #[allow(dead_code, reason = "the room calls it when a gathering ends")]
    pub async fn forget_participants(&self, id: &str) -> Result<(), StoreError> {
        self.writer
            .commit(Batch {
                gathering: id.to_owned(),
                ops: vec![Op::ForgetParticipants],
            })
            .await
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
        let (condition, value) = match lookup {
            Lookup::ConsoleHash(h) => ("console_hash = ?1 OR cofacilitator_hash = ?1", h),
            Lookup::ScreenHash(h) => ("screen_hash = ?1", h),
            Lookup::JoinToken(t) => ("join_token = ?1", t),
            Lookup::Code(c) => ("join_code = ?1", c.as_str()),
        };
        let sql = format!(
            "SELECT id, join_code, join_token, cofacilitator_hash, salt, epoch, genesis FROM gatherings WHERE {condition}"
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
                cofacilitator_hash: row.try_get("cofacilitator_hash")?,
                salt: row.try_get("salt")?,
                epoch: row.try_get::<i64, _>("epoch")? as u64,
                genesis: serde_json::from_str(&genesis)?,
            })
        })
        .transpose()
    }

    /// Everything a room is loaded from (see `room_rows.rs`).
    pub async fn room_rows(&self, gathering: &str) -> Result<RoomRows, StoreError> {
        let (file, gathering) = (self.file.clone(), gathering.to_owned());
        tokio::task::spawn_blocking(move || room_rows::read(&file, &gathering))
            .await
            .map_err(|e| StoreError::Unreadable(format!("reading a room stopped: {e}")))?
    }

    /// Saved agendas, newest first.
    pub async fn templates(&self) -> Result<Vec<Template>, StoreError> {
        let rows =
            sqlx::query("SELECT id, name, agenda FROM templates ORDER BY created_at DESC, id")
                .fetch_all(&self.pool)
                .await?;
        rows.iter().map(read_template).collect()
    }

    pub async fn template(&self, id: &str) -> Result<Option<Template>, StoreError> {
        let row = sqlx::query("SELECT id, name, agenda FROM templates WHERE id = ?")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(read_template).transpose()
    }

    /// Deletes a saved agenda. Gatherings started from it are untouched:
    /// each keeps the agenda it copied.
    pub async fn delete_template(&self, id: &str) -> Result<(), StoreError> {
        self.writer
            .commit(Batch {
                gathering: String::new(),
                ops: vec![Op::DeleteTemplate { id: id.to_owned() }],
            })
            .await
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

fn read_template(row: &sqlx::sqlite::SqliteRow) -> Result<Template, StoreError> {
    let agenda: String = row.try_get("agenda")?;
    Ok(Template {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        agenda: serde_json::from_str(&agenda)?,
    })
}

/// Now, in seconds since 1970: how the store keeps time.
pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A store in a fresh folder, with one gathering `id` created at `at`
    /// holding a participant, their card and applied action, the
    /// facilitator's applied action, an event and a checkpoint.
    async fn store_with(dir: &Path, ids: &[(&str, i64)]) -> Result<Store, StoreError> {
        let store = Store::open(&dir.join("test.db").display().to_string()).await?;
        for (id, at) in ids {
            let ops = vec![
                Op::CreateGathering {
                    id: (*id).to_owned(),
                    console_hash: format!("console-{id}"),
                    cofacilitator_hash: format!("co-{id}"),
                    screen_hash: format!("screen-{id}"),
                    join_token: format!("token-{id}"),
                    code: format!("CODE{id}"),
                    salt: vec![1, 2, 3],
                    epoch: 1,
                    genesis: "{}".into(),
                    created_at: *at,
                },
                Op::AddParticipant {
                    author: format!("author-{id}"),
                },
                Op::AddCard {
                    // A card id is 16 hex digits: one made from the name.
                    id: format!(
                        "{:016x}",
                        id.bytes().fold(7u64, |h, b| h * 31 + u64::from(b))
                    ),
                    step: 1,
                    author: format!("author-{id}"),
                    text: format!("words of {id}"),
                    place: r#"{"at":"board"}"#.into(),
                    sensitive: false,
                },
                Op::SetMark {
                    author: format!("author-{id}"),
                    target: "s:1".into(),
                    value: 40,
                },
                Op::RecordApplied {
                    actor: format!("author-{id}"),
                    action: "action-1".into(),
                    outcome: "{}".into(),
                },
                Op::RecordApplied {
                    actor: "facilitator".into(),
                    action: "action-2".into(),
                    outcome: "{}".into(),
                },
                Op::AppendEvent {
                    seq: 1,
                    body: "{}".into(),
                },
                Op::Checkpoint {
                    seq: 1,
                    body: serde_json::to_string(&crate::room::Checkpoint::of(
                        1,
                        &GatheringView::new(format!("words of {id}"), Vec::new()),
                        &Default::default(),
                        &Default::default(),
                    ))?,
                },
            ];
            store
                .writer
                .commit(Batch {
                    gathering: (*id).to_owned(),
                    ops,
                })
                .await?;
        }
        Ok(store)
    }

    /// How many rows of each table belong to gathering `id`.
    async fn rows(store: &Store, id: &str) -> Result<Vec<i64>, StoreError> {
        let mut counts = Vec::new();
        for table in [
            "gatherings",
            "events",
            "cards",
            "participants",
            "applied_actions",
            "marks",
            "checkpoints",
        ] {
            let column = if table == "gatherings" {
                "id"
            } else {
                "gathering_id"
            };
            let sql = format!("SELECT COUNT(*) FROM {table} WHERE {column} = ?");
            counts.push(
                sqlx::query_scalar(&sql)
                    .bind(id)
                    .fetch_one(&store.pool)
                    .await?,
            );
        }
        Ok(counts)
    }

    #[tokio::test]
    async fn deleting_a_gathering_deletes_everything_in_it_and_nothing_else(
    ) -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let store = store_with(dir.path(), &[("a", 10), ("b", 10)]).await?;
        assert_eq!(rows(&store, "a").await?, [1, 1, 1, 1, 2, 1, 1]);
        store.delete_gathering("a").await?;
        assert_eq!(rows(&store, "a").await?, [0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(rows(&store, "b").await?, [1, 1, 1, 1, 2, 1, 1]);
        Ok(())
    }

    #[tokio::test]
    async fn the_retention_period_deletes_only_older_gatherings(
    ) -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let store = store_with(dir.path(), &[("old", 100), ("new", 200)]).await?;
        assert_eq!(store.created_before(150).await?, ["old"]);
        store.delete_created_before(150).await?;
        assert_eq!(rows(&store, "old").await?, [0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(rows(&store, "new").await?, [1, 1, 1, 1, 2, 1, 1]);
        assert!(store.created_before(150).await?.is_empty());
        Ok(())
    }

    #[tokio::test]
    async fn forgetting_participants_drops_their_hashes_and_keeps_the_words(
    ) -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let store = store_with(dir.path(), &[("a", 10), ("b", 10)]).await?;
        store.forget_participants("a").await?;
        let a = store.room_rows("a").await?;
        assert!(a.participants.is_empty());
        assert_eq!(
            a.applied,
            [("facilitator".to_owned(), "action-2".to_owned())]
        );
        let cards: Vec<(String, String)> =
            sqlx::query_as("SELECT author, text FROM cards WHERE gathering_id = 'a'")
                .fetch_all(&store.pool)
                .await?;
        assert_eq!(cards, [(String::new(), "words of a".to_owned())]);
        // The mark stays (its total counts) under a stand-in author.
        let marks = a.marks;
        assert_eq!(marks.len(), 1);
        assert_ne!(marks[0].0, "author-a");
        assert_eq!(marks[0].2, 40);
        assert_eq!(store.room_rows("b").await?.participants, ["author-b"]);
        assert_eq!(rows(&store, "b").await?, [1, 1, 1, 1, 2, 1, 1]);
        Ok(())
    }
}
