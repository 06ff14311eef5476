//! The storage seam: everything the server asks of its database, and
//! nothing about how a database answers.
//!
//! The rest of the server (rooms, the hub, forms, pages, retention) holds a
//! `Store` and calls the operations of `Storage`, each named for what it
//! does. The embedded SQLite backend (`sqlite/`) is the one there is today;
//! the PostgreSQL backend for several nodes implements the same trait next,
//! which is why the seam speaks in gatherings, rooms, batches and templates
//! rather than in connections or SQL.
//!
//! Two kinds of writes cross the seam:
//! - a room's changes, as a `Batch` of `Op`s for one gathering, stored
//!   whole or not at all (`commit`); a backend may commit many rooms'
//!   batches together, and it answers only once the batch is durable, which
//!   is the moment a room may acknowledge an action;
//! - operations that are not a room's (create, delete, the retention sweep,
//!   templates), each a method of its own.
//!
//! Erasing is part of the contract, not an afterthought: when a commit or a
//! deletion removes words or device hashes, the backend also removes the
//! copies it keeps on the side (SQLite's log file, freed pages) before it
//! answers. What each op erases is said once, in `Op::erasure`.

mod batch;
mod rows;
mod sqlite;

pub use batch::{Batch, Erasure, Op};
pub use rows::{
    GatheringRow, Lookup, NewGathering, RoomRows, StoredCard, StoredCheckpoint, Template,
};

use hearth_core::ids::JoinCode;
use hearth_core::protocol::Outcome;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// A storage operation under way. A boxed future keeps `Storage` usable as
/// `dyn Storage`, so the backend is chosen at start, not at compile time.
pub type Pending<'a, T> = Pin<Box<dyn Future<Output = Result<T, StorageError>> + Send + 'a>>;

/// The storage an instance runs on: a cheap handle (clones are `Arc` bumps).
pub type Store = Arc<dyn Storage>;

/// Why storage failed.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("could not create the database folder {path}: {source}")]
    Folder {
        path: String,
        source: std::io::Error,
    },
    #[error("the database location {0:?} is not a file path or a sqlite: URL")]
    Location(String),
    #[error("the database's schema cannot be used: {0}")]
    Schema(String),
    #[error("stored data could not be read: {0}")]
    Corrupt(#[from] serde_json::Error),
    #[error("stored data could not be read: {0}")]
    Unreadable(String),
    #[error("the database writer has stopped")]
    WriterGone,
    #[error("the database could not be used: {0}")]
    Io(#[from] std::io::Error),
}

/// What the server asks of storage.
///
/// Every method is a whole operation: it has happened (durably, for
/// writes) when its future answers `Ok`, and has changed nothing when it
/// answers `Err`.
pub trait Storage: Send + Sync {
    /// The gathering a secret's hash, a join token or a join code belongs to.
    fn find_gathering<'a>(&'a self, lookup: Lookup<'a>) -> Pending<'a, Option<GatheringRow>>;

    /// Whether a stored gathering holds this join code.
    fn code_in_use<'a>(&'a self, code: &'a JoinCode) -> Pending<'a, bool>;

    /// Stores a new gathering.
    fn create_gathering(&self, gathering: NewGathering) -> Pending<'_, ()>;

    /// Everything a gathering's room is loaded from, as of one moment.
    fn load_room<'a>(&'a self, gathering: &'a str) -> Pending<'a, RoomRows>;

    /// What an action already applied produced (`Op::RecordApplied`), so
    /// that a retry is answered the same.
    fn applied_outcome<'a>(
        &'a self,
        gathering: &'a str,
        actor: &'a str,
        action: &'a str,
    ) -> Pending<'a, Option<Outcome>>;

    /// Stores a room's batch whole or not at all, and answers once it is
    /// durable and whatever it erased is gone from the side copies too.
    fn commit(&self, batch: Batch) -> Pending<'_, ()>;

    /// Deletes a gathering with everything in it, leaving nothing of it
    /// on disk. Deleting one that is already gone does nothing.
    fn delete_gathering<'a>(&'a self, id: &'a str) -> Pending<'a, ()>;

    /// The retention period: deletes every gathering created before
    /// `before` (seconds since 1970) as `delete_gathering` does, in one
    /// go, and answers with their ids.
    fn delete_created_before(&self, before: i64) -> Pending<'_, Vec<String>>;

    /// Saved agendas, newest first. (A room saves one with
    /// `Op::SaveTemplate`, in the batch of the action that asked.)
    fn templates(&self) -> Pending<'_, Vec<Template>>;

    /// One saved agenda.
    fn template<'a>(&'a self, id: &'a str) -> Pending<'a, Option<Template>>;

    /// Deletes a saved agenda. Gatherings started from it are untouched:
    /// each keeps the agenda it copied.
    fn delete_template<'a>(&'a self, id: &'a str) -> Pending<'a, ()>;
}

/// Opens the storage at `location` (a file path, or a `sqlite:` URL),
/// creating and migrating the database on first start.
pub async fn open(location: &str) -> Result<Store, StorageError> {
    Ok(Arc::new(sqlite::Sqlite::open(location).await?))
}

/// Now, in seconds since 1970: how storage keeps time.
pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}
