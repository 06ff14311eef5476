//! What both backends' migration runners share: a migration, its
//! checksum, and the rule that decides what is still to apply.
//!
//! Each backend keeps its own files (`server/migrations/sqlite/`,
//! `server/migrations/postgres/`) and its own runner, which reads its
//! record (`schema_migrations`: version and SHA-384 of each applied file)
//! and applies what `pending` returns in one transaction. The rule is one:
//! a migration edited after it ran is refused rather than silently
//! skipped, and so is a database migrated by a newer Hearth.

use super::StorageError;
use sha2::{Digest, Sha384};

/// One migration file, listed in its backend's `MIGRATIONS` (a test checks
/// that the list and the folder agree).
pub struct Migration {
    pub version: i64,
    /// The file's name without its number and `.sql`.
    pub description: &'static str,
    pub sql: &'static str,
}

impl Migration {
    /// What the record keeps of the file's text.
    pub fn checksum(&self) -> Vec<u8> {
        Sha384::digest(self.sql.as_bytes()).to_vec()
    }
}

/// The migrations of `all` still to apply, in order, given the record's
/// `(version, checksum)` rows; refused if the record holds a migration
/// that is unknown here or that has changed since it ran.
pub fn pending<'a>(
    all: &'a [Migration],
    applied: &[(i64, Vec<u8>)],
) -> Result<Vec<&'a Migration>, StorageError> {
    for (version, sum) in applied {
        match all.iter().find(|m| m.version == *version) {
            None => {
                return Err(StorageError::Schema(format!(
                    "migration {version} was applied by a newer Hearth"
                )))
            }
            Some(m) if m.checksum() != *sum => {
                return Err(StorageError::Schema(format!(
                    "migration {version} ({}) has changed since it was applied",
                    m.description
                )))
            }
            Some(_) => {}
        }
    }
    Ok(all
        .iter()
        .filter(|m| !applied.iter().any(|(version, _)| *version == m.version))
        .collect())
}

/// Checks that the files in `server/migrations/<folder>/` are exactly
/// those `all` lists, with their numbers, names and texts.
#[cfg(test)]
pub fn check_listed(folder: &str, all: &[Migration]) -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(folder);
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
    let listed: Vec<_> = all
        .iter()
        .map(|m| (m.version, m.description.to_owned(), m.sql.to_owned()))
        .collect();
    assert_eq!(files, listed);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: &[Migration] = &[
        Migration {
            version: 1,
            description: "one",
            sql: "CREATE TABLE a (x INTEGER);",
        },
        Migration {
            version: 2,
            description: "two",
            sql: "CREATE TABLE b (x INTEGER);",
        },
    ];

    #[test]
    fn what_is_pending_and_what_is_refused() {
        let versions = |p: Vec<&Migration>| p.iter().map(|m| m.version).collect::<Vec<_>>();
        assert_eq!(versions(pending(ALL, &[]).unwrap()), vec![1, 2]);
        assert_eq!(
            versions(pending(ALL, &[(1, ALL[0].checksum())]).unwrap()),
            vec![2]
        );
        assert!(
            matches!(pending(ALL, &[(1, vec![0])]), Err(StorageError::Schema(_))),
            "edited"
        );
        assert!(
            matches!(pending(ALL, &[(3, vec![0])]), Err(StorageError::Schema(_))),
            "newer"
        );
    }
}
