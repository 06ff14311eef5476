//! The SQLite backend against a real file in a fresh folder.

use super::{connect, migrate, Access, Sqlite};
use crate::storage::fixtures::{
    card_id, code, everything_in, failing_batch, new_gathering, next_event, TABLES,
};
use crate::storage::{Batch, Lookup, Op, Storage, StorageError};
use hearth_core::gathering::GatheringView;
use hearth_core::protocol::Outcome;
use rusqlite::{params, Connection};
use std::path::{Path, PathBuf};

type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error>>;

/// A fresh folder (deleted when dropped) and the database file in it.
fn fresh() -> Result<(tempfile::TempDir, PathBuf)> {
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("test.db");
    Ok((dir, file))
}

async fn open(file: &Path) -> std::result::Result<Sqlite, StorageError> {
    Sqlite::open(&file.display().to_string()).await
}

/// A store in a fresh file with gatherings `(id, created_at)`, each holding
/// `everything_in` it.
async fn store_with(file: &Path, ids: &[(&str, i64)]) -> Result<Sqlite> {
    let store = open(file).await?;
    for (n, (id, at)) in ids.iter().enumerate() {
        store.create_gathering(new_gathering(id, n, *at)).await?;
        store.commit(everything_in(id)?).await?;
    }
    Ok(store)
}

/// How many rows of each table belong to gathering `id`.
fn rows(file: &Path, id: &str) -> Result<Vec<i64>> {
    let db = connect(file, Access::Read)?;
    let mut counts = Vec::new();
    for table in TABLES {
        let column = if table == "gatherings" {
            "id"
        } else {
            "gathering_id"
        };
        let sql = format!("SELECT COUNT(*) FROM {table} WHERE {column} = ?");
        counts.push(db.query_row(&sql, [id], |r| r.get(0))?);
    }
    Ok(counts)
}

/// The versions the database records as applied.
fn applied(file: &Path) -> Result<Vec<i64>> {
    let db = connect(file, Access::Read)?;
    let versions = db
        .prepare("SELECT version FROM schema_migrations ORDER BY version")?
        .query_map([], |r| r.get(0))?
        .collect::<std::result::Result<_, _>>()?;
    Ok(versions)
}

fn has_table(file: &Path, name: &str) -> Result<bool> {
    let db = connect(file, Access::Read)?;
    let found = db
        .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?")?
        .exists([name])?;
    Ok(found)
}

/// Whether `text` is anywhere in the database file or its log, as bytes.
fn on_disk(file: &Path, text: &str) -> Result<bool> {
    let mut wal = file.as_os_str().to_owned();
    wal.push("-wal");
    let mut found = false;
    for path in [file.to_path_buf(), PathBuf::from(wal)] {
        let bytes = std::fs::read(&path).unwrap_or_default();
        found |= bytes.windows(text.len()).any(|w| w == text.as_bytes());
    }
    Ok(found)
}

/// Makes a database as the sqlx-based Hearth left it, migrated up to
/// `upto`: its record table exactly as sqlx 0.8 creates and fills it.
fn sqlx_made(file: &Path, upto: i64) -> Result<Connection> {
    use sha2::{Digest, Sha384};
    let db = Connection::open(file)?;
    db.execute_batch("PRAGMA journal_mode = WAL;")?;
    db.execute_batch(
        "CREATE TABLE IF NOT EXISTS _sqlx_migrations (
            version BIGINT PRIMARY KEY,
            description TEXT NOT NULL,
            installed_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
            success BOOLEAN NOT NULL,
            checksum BLOB NOT NULL,
            execution_time BIGINT NOT NULL
        );",
    )?;
    for m in migrate::MIGRATIONS.iter().filter(|m| m.version <= upto) {
        db.execute_batch(m.sql)?;
        db.execute(
            "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time)
             VALUES (?1, ?2, TRUE, ?3, 1234)",
            params![
                m.version,
                m.description,
                Sha384::digest(m.sql.as_bytes()).to_vec()
            ],
        )?;
    }
    Ok(db)
}

#[tokio::test]
async fn a_fresh_file_gets_every_migration_once() -> Result {
    let (_dir, file) = fresh()?;
    drop(open(&file).await?);
    assert_eq!(applied(&file)?, [1, 2, 3]);
    for table in TABLES.into_iter().chain(["templates"]) {
        assert!(has_table(&file, table)?, "{table} is missing");
    }
    // A second start finds nothing to do.
    drop(open(&file).await?);
    assert_eq!(applied(&file)?, [1, 2, 3]);
    Ok(())
}

#[tokio::test]
async fn a_database_made_by_the_sqlx_version_opens_with_its_data() -> Result {
    let (_dir, file) = fresh()?;
    {
        // Written by the old version: a gathering with a card, migrated by
        // sqlx up to the checkpoints.
        let db = sqlx_made(&file, 3)?;
        db.execute(
            "INSERT INTO gatherings (id, console_hash, cofacilitator_hash, screen_hash, join_token, join_code, salt, epoch, genesis, created_at)
             VALUES ('old', 'console-old', 'co-old', 'screen-old', 'token-old', ?, x'010203', 7, ?, 100)",
            params![
                code(0).as_str(),
                serde_json::to_string(&GatheringView::new("Kept".into(), Vec::new()))?
            ],
        )?;
        db.execute(
            "INSERT INTO cards (gathering_id, id, step, author, text) VALUES ('old', ?, 1, 'someone', 'still here')",
            [card_id("kept")],
        )?;
    }
    let store = open(&file).await?;
    assert_eq!(applied(&file)?, [1, 2, 3]);
    assert!(!has_table(&file, "_sqlx_migrations")?);
    let row = store
        .find_gathering(Lookup::ConsoleHash("co-old"))
        .await?
        .ok_or("the old gathering is gone")?;
    assert_eq!((row.id.as_str(), row.epoch), ("old", 7));
    assert_eq!(row.genesis.title, "Kept");
    let room = store.load_room("old").await?;
    assert_eq!(room.cards.len(), 1);
    assert_eq!(room.cards[0].text, "still here");
    // It takes new writes, and opens again.
    store.commit(everything_in("old")?).await?;
    drop(store);
    drop(open(&file).await?);
    assert_eq!(rows(&file, "old")?, [1, 1, 2, 1, 2, 1, 1]);
    Ok(())
}

#[tokio::test]
async fn a_database_sqlx_migrated_part_way_gets_the_rest() -> Result {
    let (_dir, file) = fresh()?;
    drop(sqlx_made(&file, 2)?);
    drop(open(&file).await?);
    assert_eq!(applied(&file)?, [1, 2, 3]);
    assert!(has_table(&file, "checkpoints")?);
    Ok(())
}

#[tokio::test]
async fn a_changed_or_half_applied_migration_is_refused() -> Result {
    let dir = tempfile::tempdir()?;
    let changed = dir.path().join("changed.db");
    drop(open(&changed).await?);
    connect(&changed, Access::Write)?.execute(
        "UPDATE schema_migrations SET checksum = x'00' WHERE version = 2",
        [],
    )?;
    assert!(matches!(
        open(&changed).await,
        Err(StorageError::Schema(e)) if e.contains("migration 2")
    ));

    let dirty = dir.path().join("dirty.db");
    sqlx_made(&dirty, 3)?.execute(
        "UPDATE _sqlx_migrations SET success = FALSE WHERE version = 3",
        [],
    )?;
    assert!(matches!(
        open(&dirty).await,
        Err(StorageError::Schema(e)) if e.contains("migration 3")
    ));
    // Refused, and left as it was.
    assert!(has_table(&dirty, "_sqlx_migrations")?);
    Ok(())
}

#[tokio::test]
async fn every_connection_has_the_same_settings() -> Result {
    let (_dir, file) = fresh()?;
    drop(open(&file).await?);
    for access in [Access::Write, Access::Read] {
        let db = connect(&file, access)?;
        let mode: String = db.query_row("PRAGMA journal_mode", [], |r| r.get(0))?;
        let settings: Vec<i64> = ["synchronous", "foreign_keys", "secure_delete"]
            .iter()
            .map(|p| db.query_row(&format!("PRAGMA {p}"), [], |r| r.get(0)))
            .collect::<std::result::Result<_, _>>()?;
        assert_eq!(mode, "wal");
        // FULL, ON, ON.
        assert_eq!(settings, [2, 1, 1]);
    }
    Ok(())
}

#[tokio::test]
async fn a_batch_with_a_failing_op_stores_nothing() -> Result {
    let (_dir, file) = fresh()?;
    let store = store_with(&file, &[("a", 10)]).await?;
    let before = rows(&file, "a")?;
    assert!(store.commit(failing_batch("a")).await.is_err());
    assert_eq!(rows(&file, "a")?, before);
    assert!(!on_disk(&file, "never stored")?);
    // The writer goes on.
    store.commit(next_event("a")).await?;
    Ok(())
}

#[tokio::test]
async fn a_failing_batch_in_a_round_fails_alone() -> Result {
    let (_dir, file) = fresh()?;
    let store = std::sync::Arc::new(store_with(&file, &[("a", 10), ("b", 10)]).await?);
    let before = (rows(&file, "a")?, rows(&file, "b")?);
    // Hold the writer until both batches wait in its queue, so they are
    // committed in one round.
    let (started, running) = tokio::sync::oneshot::channel();
    let (release, gate) = std::sync::mpsc::channel::<()>();
    let writer = store.writer.clone();
    let held = tokio::spawn(async move {
        writer
            .alone(move |_| {
                let _ = started.send(());
                let _ = gate.recv();
                Ok(())
            })
            .await
    });
    running.await?;
    let bad = tokio::spawn({
        let store = store.clone();
        async move { store.commit(failing_batch("a")).await }
    });
    let good = tokio::spawn({
        let store = store.clone();
        async move { store.commit(next_event("b")).await }
    });
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(5);
    while store.writer.queued() < 2 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the batches never queued"
        );
        tokio::task::yield_now().await;
    }
    release.send(())?;
    held.await??;
    assert!(bad.await?.is_err());
    good.await??;
    assert_eq!(rows(&file, "a")?, before.0);
    let mut b = before.1;
    b[1] += 1;
    assert_eq!(rows(&file, "b")?, b);
    Ok(())
}

#[tokio::test]
async fn deleting_a_gathering_deletes_everything_in_it_and_nothing_else() -> Result {
    let (_dir, file) = fresh()?;
    let store = store_with(&file, &[("a", 10), ("b", 10)]).await?;
    assert_eq!(rows(&file, "a")?, [1, 1, 1, 1, 2, 1, 1]);
    assert!(on_disk(&file, "words of a")?);
    store.delete_gathering("a").await?;
    assert_eq!(rows(&file, "a")?, [0, 0, 0, 0, 0, 0, 0]);
    assert_eq!(rows(&file, "b")?, [1, 1, 1, 1, 2, 1, 1]);
    // Rewritten and the log emptied: the words are nowhere on disk.
    assert!(!on_disk(&file, "words of a")?);
    assert!(on_disk(&file, "words of b")?);
    assert!(store
        .find_gathering(Lookup::JoinToken("token-a"))
        .await?
        .is_none());
    // Deleting it again does nothing.
    store.delete_gathering("a").await?;
    Ok(())
}

#[tokio::test]
async fn the_retention_period_deletes_only_older_gatherings() -> Result {
    let (_dir, file) = fresh()?;
    let store = store_with(&file, &[("old", 100), ("new", 200)]).await?;
    assert_eq!(store.delete_created_before(150).await?, ["old"]);
    assert_eq!(rows(&file, "old")?, [0, 0, 0, 0, 0, 0, 0]);
    assert_eq!(rows(&file, "new")?, [1, 1, 1, 1, 2, 1, 1]);
    assert!(!on_disk(&file, "words of old")?);
    assert!(store.delete_created_before(150).await?.is_empty());
    Ok(())
}

#[tokio::test]
async fn a_withdrawn_card_leaves_no_words_in_the_log() -> Result {
    let (_dir, file) = fresh()?;
    let store = store_with(&file, &[("a", 10)]).await?;
    // Keep a reader's view of the file open, as the readers do.
    store.load_room("a").await?;
    store
        .commit(Batch {
            gathering: "a".into(),
            ops: vec![Op::DeleteCard { id: card_id("a") }],
            fence: None,
        })
        .await?;
    assert!(store.load_room("a").await?.cards.is_empty());
    let mut wal = file.as_os_str().to_owned();
    wal.push("-wal");
    assert_eq!(std::fs::metadata(PathBuf::from(wal))?.len(), 0);
    Ok(())
}

#[tokio::test]
async fn forgetting_participants_drops_their_hashes_and_keeps_the_words() -> Result {
    let (_dir, file) = fresh()?;
    let store = store_with(&file, &[("a", 10), ("b", 10)]).await?;
    store
        .commit(Batch {
            gathering: "a".into(),
            ops: vec![Op::ForgetParticipants],
            fence: None,
        })
        .await?;
    let a = store.load_room("a").await?;
    assert!(a.participants.is_empty());
    assert_eq!(
        a.applied,
        [("facilitator".to_owned(), "action-2".to_owned())]
    );
    let cards: Vec<(String, String)> = a.cards.into_iter().map(|c| (c.author, c.text)).collect();
    assert_eq!(cards, [(String::new(), "words of a card".to_owned())]);
    // The mark stays (its total counts) under a stand-in author.
    let marks = a.marks;
    assert_eq!(marks.len(), 1);
    assert_ne!(marks[0].0, "author-a");
    assert_eq!(marks[0].2, 40);
    assert!(!on_disk(&file, "author-a")?);
    assert_eq!(store.load_room("b").await?.participants, ["author-b"]);
    assert_eq!(rows(&file, "b")?, [1, 1, 1, 1, 2, 1, 1]);
    Ok(())
}

#[tokio::test]
async fn templates_are_saved_listed_newest_first_and_deleted() -> Result {
    let (_dir, file) = fresh()?;
    let store = store_with(&file, &[("a", 10)]).await?;
    crate::storage::fixtures::templates_are_saved_listed_newest_first_and_deleted(&store).await?;
    // The gathering it was saved from is untouched.
    assert_eq!(rows(&file, "a")?, [1, 1, 1, 1, 2, 1, 1]);
    Ok(())
}

#[tokio::test]
async fn lookups_find_a_gathering_by_each_key() -> Result {
    let (_dir, file) = fresh()?;
    let store = store_with(&file, &[("a", 10), ("b", 10)]).await?;
    for lookup in [
        Lookup::ConsoleHash("console-a"),
        Lookup::ConsoleHash("co-a"),
        Lookup::ScreenHash("screen-a"),
        Lookup::JoinToken("token-a"),
        Lookup::Code(&code(0)),
    ] {
        let found = store.find_gathering(lookup).await?.map(|g| g.id);
        assert_eq!(found.as_deref(), Some("a"));
    }
    assert!(store.code_in_use(&code(1)).await?);
    assert!(!store.code_in_use(&code(5)).await?);
    assert_eq!(
        store
            .applied_outcome("a", "facilitator", "action-2")
            .await?,
        Some(Outcome::Done)
    );
    Ok(())
}

/// The migration runner alone: applying twice is a no-op.
#[test]
fn migrating_twice_changes_nothing() -> Result {
    let (_dir, file) = fresh()?;
    let mut db = connect(&file, Access::Write)?;
    migrate::run(&mut db)?;
    migrate::run(&mut db)?;
    let n: i64 = db.query_row("SELECT COUNT(*) FROM schema_migrations", [], |r| r.get(0))?;
    assert_eq!(n, 3);
    Ok(())
}
