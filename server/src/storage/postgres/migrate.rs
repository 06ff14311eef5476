//! Brings a PostgreSQL database's schema up to date at start, from the
//! files in `server/migrations/postgres/`.
//!
//! The same rules as the SQLite runner (`sqlite/migrate.rs`): each
//! migration is applied once, in version order, and recorded in
//! `schema_migrations` with the SHA-384 of its text; an edited migration,
//! or a database migrated by a newer Hearth, is refused; everything pending
//! is applied in one transaction. One thing more: several Hearth nodes may
//! start at once on one database, so the transaction first takes an
//! advisory lock (`pg_advisory_xact_lock`, released by the commit). The
//! second node waits there, then finds the work done.

use crate::storage::migrations::{pending, Migration};
use crate::storage::StorageError;
use tokio_postgres::Client;

/// The files of `server/migrations/postgres/`. Adding a file means adding
/// it here too (a test checks that the two lists agree).
pub(super) const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        description: "init",
        sql: include_str!("../../../migrations/postgres/0001_init.sql"),
    },
    Migration {
        version: 2,
        description: "leases",
        sql: include_str!("../../../migrations/postgres/0002_leases.sql"),
    },
    Migration {
        version: 3,
        description: "nodes",
        sql: include_str!("../../../migrations/postgres/0003_nodes.sql"),
    },
];

/// The advisory lock's key: any constant no other program on the database
/// uses. ("hearth" in ASCII.)
const LOCK: i64 = 0x6865_6172_7468;

/// The record of what has been applied.
const RECORD: &str = "CREATE TABLE IF NOT EXISTS schema_migrations (
    version      BIGINT PRIMARY KEY,
    description  TEXT NOT NULL,
    checksum     BYTEA NOT NULL
)";

/// Applies every migration the database does not have yet.
pub async fn run(db: &mut Client) -> Result<(), StorageError> {
    let tx = db.transaction().await?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&LOCK])
        .await?;
    tx.batch_execute(RECORD).await?;
    let applied: Vec<(i64, Vec<u8>)> = tx
        .query(
            "SELECT version, checksum FROM schema_migrations ORDER BY version",
            &[],
        )
        .await?
        .iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect::<Result<_, tokio_postgres::Error>>()?;
    for m in pending(MIGRATIONS, &applied)? {
        tx.batch_execute(m.sql).await.map_err(|e| {
            StorageError::Schema(format!(
                "migration {} ({}): {}",
                m.version,
                m.description,
                StorageError::from(e)
            ))
        })?;
        tx.execute(
            "INSERT INTO schema_migrations (version, description, checksum) VALUES ($1, $2, $3)",
            &[&m.version, &m.description, &m.checksum()],
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every file in `server/migrations/postgres/` is listed.
    #[test]
    fn every_migration_file_is_listed() -> Result<(), Box<dyn std::error::Error>> {
        crate::storage::migrations::check_listed("postgres", MIGRATIONS)
    }
}
