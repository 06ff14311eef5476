//! Brings a database's schema up to date at start, from the files in
//! `server/migrations/sqlite/`.
//!
//! Each migration is applied once, in version order, and recorded in
//! `schema_migrations` with the SHA-384 of its text: a migration that was
//! edited after it ran is refused rather than silently skipped, and so is
//! a database that has been migrated by a newer Hearth. Everything pending
//! is applied in one transaction, so a database is either brought fully up
//! to date or left as it was.
//!
//! Hearth used to run these same files through sqlx, which kept its record
//! in `_sqlx_migrations` with the same versions and the same checksums. A
//! database from then is adopted on first open: its record is copied into
//! `schema_migrations` and the old table dropped, in the same transaction,
//! and its data stays as it is.

use crate::storage::migrations::{pending, Migration};
use crate::storage::StorageError;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior};

/// The files of `server/migrations/sqlite/`, with the descriptions sqlx
/// recorded. Adding a file means adding it here too (a test checks that
/// the two lists agree).
pub(super) const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        description: "init",
        sql: include_str!("../../../migrations/sqlite/0001_init.sql"),
    },
    Migration {
        version: 2,
        description: "exercises",
        sql: include_str!("../../../migrations/sqlite/0002_exercises.sql"),
    },
    Migration {
        version: 3,
        description: "checkpoints",
        sql: include_str!("../../../migrations/sqlite/0003_checkpoints.sql"),
    },
];

/// The record of what has been applied.
const RECORD: &str = "CREATE TABLE IF NOT EXISTS schema_migrations (
    version      INTEGER PRIMARY KEY,
    description  TEXT NOT NULL,
    checksum     BLOB NOT NULL
)";

/// Applies every migration the database does not have yet.
pub fn run(db: &mut Connection) -> Result<(), StorageError> {
    let tx = db.transaction_with_behavior(TransactionBehavior::Immediate)?;
    tx.execute_batch(RECORD)?;
    adopt_sqlx_record(&tx)?;
    let applied = tx
        .prepare("SELECT version, checksum FROM schema_migrations ORDER BY version")?
        .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?)))?
        .collect::<Result<Vec<_>, _>>()?;
    for m in pending(MIGRATIONS, &applied)? {
        tx.execute_batch(m.sql).map_err(|e| {
            StorageError::Schema(format!("migration {} ({}): {e}", m.version, m.description))
        })?;
        tx.execute(
            "INSERT INTO schema_migrations (version, description, checksum) VALUES (?, ?, ?)",
            rusqlite::params![m.version, m.description, m.checksum()],
        )?;
    }
    tx.commit()?;
    Ok(())
}

/// Takes over the record sqlx kept, if there is one.
fn adopt_sqlx_record(tx: &Connection) -> Result<(), StorageError> {
    let old = tx
        .query_row(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
            [],
            |_| Ok(()),
        )
        .optional()?;
    if old.is_none() {
        return Ok(());
    }
    // sqlx marked a migration that failed half-way; it refused to go on
    // from there, and so does this.
    let dirty: Option<i64> = tx
        .query_row(
            "SELECT version FROM _sqlx_migrations WHERE NOT success ORDER BY version LIMIT 1",
            [],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(version) = dirty {
        return Err(StorageError::Schema(format!(
            "migration {version} was left half-applied by an earlier Hearth"
        )));
    }
    tx.execute_batch(
        "INSERT OR IGNORE INTO schema_migrations (version, description, checksum)
             SELECT version, description, checksum FROM _sqlx_migrations;
         DROP TABLE _sqlx_migrations;",
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every file in `server/migrations/sqlite/` is listed, with the version
    /// and description sqlx would have given it.
    #[test]
    fn every_migration_file_is_listed() -> Result<(), Box<dyn std::error::Error>> {
        crate::storage::migrations::check_listed("sqlite", MIGRATIONS)
    }
}
