//! The storage seam: everything the server asks of its database, and
//! nothing about how a database answers.
//!
//! The rest of the server (rooms, the hub, forms, pages, retention) holds a
//! `Store` and calls the operations of `Storage`, each named for what it
//! does. Two backends implement it: the embedded SQLite file (`sqlite/`),
//! the default, and PostgreSQL (`postgres/`), for an organisation's server
//! and, later, for several nodes on one database. The seam speaks in
//! gatherings, rooms, batches and templates rather than in connections or
//! SQL, so the server cannot tell them apart; `open` chooses by the
//! `--database` location.
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
mod coordination;
#[cfg(test)]
mod fixtures;
mod migrations;
mod postgres;
mod rows;
mod sqlite;

pub use batch::{Batch, Erasure, Op};
pub use coordination::{Coordination, Lease, Owner};
pub use rows::{
    CardRow, GatheringRow, Lookup, NewGathering, RoomRows, StoredCard, StoredCheckpoint, Template,
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
    #[error(
        "the database location {0:?} is neither a SQLite file (a path or a sqlite: URL) \
         nor a PostgreSQL URL (postgres:// or postgresql://)"
    )]
    Location(String),
    #[error("the PostgreSQL URL {0} cannot be read: {1}")]
    PostgresUrl(String, String),
    #[error("could not connect to PostgreSQL at {at}: {reason}")]
    Unreachable { at: String, reason: String },
    /// A PostgreSQL error, as its message and SQLSTATE code only: the
    /// detail PostgreSQL adds ("Failing row contains …") may quote a row,
    /// and so a person's words, which must never reach Hearth's log.
    #[error("database error: {0}")]
    Postgres(String),
    #[error("the database's schema cannot be used: {0}")]
    Schema(String),
    #[error("stored data could not be read: {0}")]
    Corrupt(#[from] serde_json::Error),
    #[error("stored data could not be read: {0}")]
    Unreadable(String),
    #[error("the database writer has stopped")]
    WriterGone,
    /// The batch's fencing token is not the lease's any more: another
    /// node owns the gathering now, and this one must stop its room.
    #[error("this node no longer holds the lease of gathering {0}")]
    Fenced(String),
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

/// Opens the storage at `location` alone, without the cluster's half
/// (see `open_node`).
#[cfg(test)]
pub async fn open(location: &str) -> Result<Store, StorageError> {
    Ok(open_node(location).await?.0)
}

/// Opens the storage at `location`, creating and migrating the database on
/// first start: a `postgres://` or `postgresql://` URL opens PostgreSQL; a
/// file path or a `sqlite:` URL, the embedded SQLite file. Any other URL
/// is refused, rather than taken for a file name. With it comes the
/// database half of a cluster when the database offers one (PostgreSQL:
/// any number of nodes may share it; the SQLite file is one node's alone).
pub async fn open_node(
    location: &str,
) -> Result<(Store, Option<Arc<dyn Coordination>>), StorageError> {
    match Location::of(location)? {
        Location::Postgres => {
            let db = Arc::new(postgres::Postgres::open(location).await?);
            Ok((db.clone(), Some(db)))
        }
        Location::Sqlite => Ok((Arc::new(sqlite::Sqlite::open(location).await?), None)),
    }
}

/// Which backend a `--database` location names.
#[derive(Debug, PartialEq, Eq)]
enum Location {
    Sqlite,
    Postgres,
}

impl Location {
    fn of(location: &str) -> Result<Self, StorageError> {
        let scheme = location
            .split_once("://")
            .map(|(scheme, _)| scheme.to_ascii_lowercase());
        match scheme.as_deref() {
            Some("postgres" | "postgresql") => Ok(Self::Postgres),
            Some("sqlite") | None => Ok(Self::Sqlite),
            Some(_) => Err(StorageError::Location(redacted(location))),
        }
    }
}

/// A database URL as it may be shown: any password in it (before the host,
/// or as a `password=` parameter) replaced by `***`.
pub fn redacted(location: &str) -> String {
    let Some((scheme, rest)) = location.split_once("://") else {
        return location.to_owned();
    };
    if let Some((url, query)) = location.split_once('?') {
        let query: Vec<String> = query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((key, _)) if key.eq_ignore_ascii_case("password") => format!("{key}=***"),
                _ => pair.to_owned(),
            })
            .collect();
        return format!("{}?{}", redacted(url), query.join("&"));
    }
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    match authority.rsplit_once('@') {
        Some((user, host)) => {
            let user = user.split_once(':').map_or(user, |(name, _)| name);
            let hidden = if user.len() < authority.len() - host.len() - 1 {
                ":***"
            } else {
                ""
            };
            format!("{scheme}://{user}{hidden}@{host}{path}")
        }
        None => location.to_owned(),
    }
}

/// Now, in seconds since 1970: how storage keeps time.
pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_location_chooses_the_backend() {
        for sqlite in [
            "data/hearth.db",
            "/tmp/x.db",
            "sqlite://data/h.db",
            "sqlite:h.db",
        ] {
            assert_eq!(
                Location::of(sqlite).ok(),
                Some(Location::Sqlite),
                "{sqlite}"
            );
        }
        for postgres in ["postgres://h@127.0.0.1/db", "postgresql://localhost/hearth"] {
            assert_eq!(
                Location::of(postgres).ok(),
                Some(Location::Postgres),
                "{postgres}"
            );
        }
        assert_eq!(
            redacted("postgres://hearth:s3cret@db:5432/hearth?sslmode=disable"),
            "postgres://hearth:***@db:5432/hearth?sslmode=disable"
        );
        assert_eq!(
            redacted("postgres://hearth@db/hearth"),
            "postgres://hearth@db/hearth"
        );
        assert_eq!(
            redacted("postgres://h:pw@db/hearth?password=s3cret&application_name=x"),
            "postgres://h:***@db/hearth?password=***&application_name=x"
        );
        for neither in ["mysql://localhost/hearth", "http://example.org/db"] {
            assert!(
                matches!(Location::of(neither), Err(StorageError::Location(_))),
                "{neither}"
            );
        }
    }
}
