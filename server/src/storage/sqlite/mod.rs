//! The embedded backend: one SQLite file in WAL mode, created on first
//! start, needing no set-up.
//!
//! One driver (rusqlite) and one list of settings (`PRAGMAS`) for every
//! connection, the writer's and the readers' alike, so the two can never
//! drift apart. Every write goes through the one writer thread
//! (`writer.rs`), which commits many rooms' batches in one transaction;
//! reads run beside it on a few read-only connections (`readers.rs`),
//! which WAL allows. The SQL itself is in `reads.rs` and `writes.rs`, and
//! the schema is brought up to date at start by `migrate.rs`.
//!
//! `synchronous = FULL` makes a commit durable before it returns, which is
//! what lets a room acknowledge an action only once it is safe;
//! `secure_delete` overwrites deleted words instead of leaving them in
//! free pages.

mod migrate;
mod readers;
mod reads;
mod writer;
mod writes;

#[cfg(test)]
mod tests;

use super::{
    Batch, GatheringRow, Lookup, NewGathering, Pending, RoomRows, Storage, StorageError, Template,
};
use hearth_core::ids::JoinCode;
use hearth_core::protocol::Outcome;
use readers::Readers;
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};
use std::time::Duration;
use writer::Writer;

/// The settings of every connection, writer and readers alike.
const PRAGMAS: &str = "PRAGMA journal_mode = WAL;
     PRAGMA synchronous = FULL;
     PRAGMA foreign_keys = ON;
     PRAGMA secure_delete = ON;";

/// How long a connection waits for a lock before it gives up.
const BUSY: Duration = Duration::from_secs(10);

/// Prepared statements each connection keeps.
const STATEMENTS: usize = 32;

/// What a connection is for.
#[derive(Clone, Copy)]
enum Access {
    /// The writer's: creates the file if needed.
    Write,
    /// A reader's: opened read-only, so a read can never change anything.
    Read,
}

/// Opens a connection to the database file with the one list of settings.
fn connect(file: &Path, access: Access) -> Result<Connection, StorageError> {
    let flags = match access {
        Access::Write => OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE,
        Access::Read => OpenFlags::SQLITE_OPEN_READ_ONLY,
    } | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let db = Connection::open_with_flags(file, flags)?;
    db.busy_timeout(BUSY)?;
    db.execute_batch(PRAGMAS)?;
    db.set_prepared_statement_cache_capacity(STATEMENTS);
    Ok(db)
}

/// The database file a location names: a path, or a `sqlite:` URL
/// (`sqlite://data/hearth.db`, `sqlite:data/hearth.db`).
fn file_of(location: &str) -> Result<PathBuf, StorageError> {
    let path = location
        .strip_prefix("sqlite://")
        .or_else(|| location.strip_prefix("sqlite:"))
        .unwrap_or(location);
    if path.is_empty() || path.contains('?') {
        return Err(StorageError::Location(location.to_owned()));
    }
    Ok(PathBuf::from(path))
}

/// The embedded SQLite storage.
pub struct Sqlite {
    writer: Writer,
    readers: Readers,
}

impl Sqlite {
    /// Opens (and on first start creates) the database at `location`,
    /// bringing its schema up to date.
    pub async fn open(location: &str) -> Result<Self, StorageError> {
        let file = file_of(location)?;
        if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| StorageError::Folder {
                path: dir.display().to_string(),
                source,
            })?;
        }
        let opened = file.clone();
        let db = tokio::task::spawn_blocking(move || {
            let mut db = connect(&opened, Access::Write)?;
            migrate::run(&mut db)?;
            Ok::<_, StorageError>(db)
        })
        .await
        .map_err(|e| StorageError::Unreadable(format!("opening the database stopped: {e}")))??;
        Ok(Self {
            writer: Writer::start(db)?,
            readers: Readers::new(file),
        })
    }
}

impl Storage for Sqlite {
    fn find_gathering<'a>(&'a self, lookup: Lookup<'a>) -> Pending<'a, Option<GatheringRow>> {
        let (column, value) = reads::lookup_column(&lookup);
        Box::pin(
            self.readers
                .read(move |db| reads::gathering(db, column, &value)),
        )
    }

    fn code_in_use<'a>(&'a self, code: &'a JoinCode) -> Pending<'a, bool> {
        let code = code.as_str().to_owned();
        Box::pin(self.readers.read(move |db| reads::code_in_use(db, &code)))
    }

    fn create_gathering(&self, gathering: NewGathering) -> Pending<'_, ()> {
        Box::pin(
            self.writer
                .alone(move |db| writes::create_gathering(db, &gathering)),
        )
    }

    fn load_room<'a>(&'a self, gathering: &'a str) -> Pending<'a, RoomRows> {
        let gathering = gathering.to_owned();
        Box::pin(
            self.readers
                .read(move |db| reads::room_rows(db, &gathering)),
        )
    }

    fn applied_outcome<'a>(
        &'a self,
        gathering: &'a str,
        actor: &'a str,
        action: &'a str,
    ) -> Pending<'a, Option<Outcome>> {
        let key = [gathering, actor, action].map(str::to_owned);
        Box::pin(
            self.readers
                .read(move |db| reads::applied_outcome(db, &key)),
        )
    }

    fn commit(&self, batch: Batch) -> Pending<'_, ()> {
        Box::pin(self.writer.commit(batch))
    }

    fn delete_gathering<'a>(&'a self, id: &'a str) -> Pending<'a, ()> {
        let id = id.to_owned();
        Box::pin(
            self.writer
                .alone(move |db| writes::delete_gathering(db, &id)),
        )
    }

    fn delete_created_before(&self, before: i64) -> Pending<'_, Vec<String>> {
        Box::pin(
            self.writer
                .alone(move |db| writes::delete_created_before(db, before)),
        )
    }

    fn templates(&self) -> Pending<'_, Vec<Template>> {
        Box::pin(self.readers.read(|db| reads::templates(db)))
    }

    fn template<'a>(&'a self, id: &'a str) -> Pending<'a, Option<Template>> {
        let id = id.to_owned();
        Box::pin(self.readers.read(move |db| reads::template(db, &id)))
    }

    fn delete_template<'a>(&'a self, id: &'a str) -> Pending<'a, ()> {
        let id = id.to_owned();
        Box::pin(
            self.writer
                .alone(move |db| writes::delete_template(db, &id)),
        )
    }
}
