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

use crate::storage::StorageError;
use sha2::{Digest, Sha384};
use tokio_postgres::Client;

/// One file of `server/migrations/postgres/`. Adding a file means adding
/// it here too (a test checks that the two lists agree).
pub(super) struct Migration {
    pub version: i64,
    /// The file's name without its number and `.sql`.
    pub description: &'static str,
    pub sql: &'static str,
}

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

fn checksum(sql: &str) -> Vec<u8> {
    Sha384::digest(sql.as_bytes()).to_vec()
}

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
    for (version, sum) in &applied {
        match MIGRATIONS.iter().find(|m| m.version == *version) {
            None => {
                return Err(StorageError::Schema(format!(
                    "migration {version} was applied by a newer Hearth"
                )))
            }
            Some(m) if checksum(m.sql) != *sum => {
                return Err(StorageError::Schema(format!(
                    "migration {version} ({}) has changed since it was applied",
                    m.description
                )))
            }
            Some(_) => {}
        }
    }
    for m in MIGRATIONS {
        if applied.iter().any(|(version, _)| *version == m.version) {
            continue;
        }
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
            &[&m.version, &m.description, &checksum(m.sql)],
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
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("migrations")
            .join("postgres");
        let mut files = Vec::new();
        for entry in std::fs::read_dir(dir)? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let (number, rest) = name.split_once('_').ok_or("a file without a number")?;
            let description = rest.strip_suffix(".sql").ok_or("a file not .sql")?;
            files.push((
                number.parse::<i64>()?,
                description.replace('_', " "),
                std::fs::read_to_string(entry.path())?,
            ));
        }
        files.sort();
        let listed: Vec<_> = MIGRATIONS
            .iter()
            .map(|m| (m.version, m.description.to_owned(), m.sql.to_owned()))
            .collect();
        assert_eq!(files, listed);
        Ok(())
    }
}
