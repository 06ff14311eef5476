//! The PostgreSQL backend against a real PostgreSQL: each test in a fresh
//! database of the cluster `HEARTH_TEST_POSTGRES` names (an administrator's
//! URL; `scripts/test.sh` starts a throw-away cluster and sets it). Without
//! it, each test says so and passes having checked nothing.
//! `HEARTH_TEST_PGDATA`, the cluster's data directory, lets the erasure test
//! look at the files themselves.

use super::{migrate, Postgres};
use crate::storage::fixtures::{
    card_id, code, everything_in, failing_batch, new_gathering, next_event, TABLES,
};
use crate::storage::{Batch, Coordination, Lookup, Op, Owner, Storage, StorageError};
use hearth_core::protocol::Outcome;
use hearth_tests::store::{connect, files_under, fresh_database};
use std::path::{Path, PathBuf};
use tokio_postgres::Client;

type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error>>;

/// A fresh database on the test cluster, and an administrator's connection
/// to it.
struct Fresh {
    url: String,
    name: String,
    admin: Client,
}

/// A fresh, empty database, or `None` (said on the test's output) when no
/// test cluster is given.
async fn fresh() -> Result<Option<Fresh>> {
    let Ok(admin_url) = std::env::var("HEARTH_TEST_POSTGRES") else {
        println!("skipped: HEARTH_TEST_POSTGRES names no PostgreSQL to test against");
        return Ok(None);
    };
    let (url, name) = fresh_database(&admin_url, "hearth_unit")
        .await
        .map_err(|e| e.to_string())?;
    let admin = connect(&url).await.map_err(|e| e.to_string())?;
    Ok(Some(Fresh { url, name, admin }))
}

/// A store on `fresh` with gatherings `(id, created_at)`, each holding
/// `everything_in` it.
async fn store_with(fresh: &Fresh, ids: &[(&str, i64)]) -> Result<Postgres> {
    let store = Postgres::open(&fresh.url).await?;
    for (n, (id, at)) in ids.iter().enumerate() {
        store.create_gathering(new_gathering(id, n, *at)).await?;
        store.commit(everything_in(id)?).await?;
    }
    Ok(store)
}

/// How many rows of each table belong to gathering `id`.
async fn rows(db: &Client, id: &str) -> Result<Vec<i64>> {
    let mut counts = Vec::new();
    for table in TABLES {
        let column = if table == "gatherings" {
            "id"
        } else {
            "gathering_id"
        };
        let sql = format!("SELECT COUNT(*) FROM {table} WHERE {column} = $1");
        counts.push(db.query_one(&sql, &[&id]).await?.try_get(0)?);
    }
    Ok(counts)
}

/// Whether any column of any table holds `text` now.
async fn in_tables(db: &Client, text: &str) -> Result<bool> {
    let columns = db
        .query(
            "SELECT table_name::text, column_name::text FROM information_schema.columns
             WHERE table_schema = 'public'",
            &[],
        )
        .await?;
    for column in columns {
        let (table, name): (String, String) = (column.try_get(0)?, column.try_get(1)?);
        let sql =
            format!("SELECT COUNT(*) FROM \"{table}\" WHERE strpos(\"{name}\"::text, $1) > 0");
        let n: i64 = db.query_one(&sql, &[&text]).await?.try_get(0)?;
        if n > 0 {
            return Ok(true);
        }
    }
    Ok(false)
}

/// The files under `dir` that hold `text` as bytes, by their paths below it.
fn files_holding(dir: &Path, text: &str) -> Result<Vec<String>> {
    let mut found = Vec::new();
    for path in files_under(dir).map_err(|e| e.to_string())? {
        // A file PostgreSQL removes while we look is not holding it.
        let Ok(bytes) = std::fs::read(&path) else {
            continue;
        };
        if bytes.windows(text.len()).any(|w| w == text.as_bytes()) {
            let shown = path.strip_prefix(dir).unwrap_or(&path);
            found.push(shown.display().to_string());
        }
    }
    Ok(found)
}

/// The cluster's data directory, if the test script said where it is.
fn data_directory() -> Option<PathBuf> {
    std::env::var_os("HEARTH_TEST_PGDATA").map(PathBuf::from)
}

/// The folder of the database's own files in the data directory.
async fn database_folder(fresh: &Fresh, data: &Path) -> Result<PathBuf> {
    let oid: u32 = fresh
        .admin
        .query_one(
            "SELECT oid FROM pg_database WHERE datname = $1",
            &[&fresh.name],
        )
        .await?
        .try_get(0)?;
    Ok(data.join("base").join(oid.to_string()))
}

#[tokio::test]
async fn a_fresh_database_gets_every_migration_once_even_from_two_nodes_at_once() -> Result {
    let Some(fresh) = fresh().await? else {
        return Ok(());
    };
    // Two nodes starting together: one migrates, the other waits on the
    // advisory lock and then finds nothing to do.
    let (a, b) = tokio::join!(Postgres::open(&fresh.url), Postgres::open(&fresh.url));
    drop((a?, b?));
    drop(Postgres::open(&fresh.url).await?);
    let versions: Vec<i64> = fresh
        .admin
        .query(
            "SELECT version FROM schema_migrations ORDER BY version",
            &[],
        )
        .await?
        .iter()
        .map(|r| r.try_get(0))
        .collect::<std::result::Result<_, _>>()?;
    let known: Vec<i64> = migrate::MIGRATIONS.iter().map(|m| m.version).collect();
    assert_eq!(versions, known);
    Ok(())
}

#[tokio::test]
async fn a_changed_migration_is_refused() -> Result {
    let Some(fresh) = fresh().await? else {
        return Ok(());
    };
    drop(Postgres::open(&fresh.url).await?);
    fresh
        .admin
        .execute(
            "UPDATE schema_migrations SET checksum = '\\x00' WHERE version = 1",
            &[],
        )
        .await?;
    assert!(matches!(
        Postgres::open(&fresh.url).await,
        Err(StorageError::Schema(e)) if e.contains("migration 1")
    ));
    Ok(())
}

#[tokio::test]
async fn every_connection_commits_synchronously() -> Result {
    let Some(fresh) = fresh().await? else {
        return Ok(());
    };
    // Even where the database's own default says otherwise.
    fresh
        .admin
        .batch_execute(&format!(
            "ALTER DATABASE {} SET synchronous_commit = off",
            fresh.name
        ))
        .await?;
    let store = Postgres::open(&fresh.url).await?;
    let db = store.pool.get().await?;
    let setting: String = db
        .query_one("SHOW synchronous_commit", &[])
        .await?
        .try_get(0)?;
    assert_eq!(setting, "on");
    Ok(())
}

#[tokio::test]
async fn an_unreachable_database_is_a_clear_error_that_shows_no_password() -> Result {
    // Port 1 on loopback: nothing listens there.
    let url = "postgres://hearth:s3cret@127.0.0.1:1/hearth";
    match Postgres::open(url).await {
        Err(e @ StorageError::Unreachable { .. }) => {
            let said = e.to_string();
            assert!(
                said.starts_with(
                    "could not connect to PostgreSQL at postgres://hearth:***@127.0.0.1:1/hearth"
                ),
                "{said}"
            );
            assert!(!said.contains("s3cret"), "{said}");
        }
        Err(e) => return Err(format!("another error: {e}").into()),
        Ok(_) => return Err("a database on port 1".into()),
    }
    Ok(())
}

#[tokio::test]
async fn a_batch_with_a_failing_op_stores_nothing() -> Result {
    let Some(fresh) = fresh().await? else {
        return Ok(());
    };
    let store = store_with(&fresh, &[("a", 10)]).await?;
    let before = rows(&fresh.admin, "a").await?;
    assert!(store.commit(failing_batch("a")).await.is_err());
    assert_eq!(rows(&fresh.admin, "a").await?, before);
    assert!(!in_tables(&fresh.admin, "never stored").await?);
    // The writer goes on.
    store.commit(next_event("a")).await?;
    Ok(())
}

#[tokio::test]
async fn batches_from_many_rooms_commit_together_and_a_failing_one_fails_alone() -> Result {
    let Some(fresh) = fresh().await? else {
        return Ok(());
    };
    let ids: Vec<String> = (0..20).map(|n| format!("g{n}")).collect();
    let with: Vec<(&str, i64)> = ids.iter().map(|id| (id.as_str(), 10)).collect();
    let store = store_with(&fresh, &with).await?;
    // All sent at once: they wait in the writer's queue together, and
    // whichever rounds they fall in, only the bad one is refused.
    let mut commits = Vec::new();
    for id in &ids {
        commits.push(store.commit(next_event(id)));
    }
    commits.push(store.commit(failing_batch("g0")));
    let results = futures_util::future::join_all(commits).await;
    let (bad, good) = results.split_last().ok_or("no results")?;
    assert!(bad.is_err());
    for result in good {
        assert!(result.is_ok(), "{result:?}");
    }
    for id in &ids {
        assert_eq!(rows(&fresh.admin, id).await?, [1, 2, 1, 1, 2, 1, 1]);
    }
    assert!(!in_tables(&fresh.admin, "never stored").await?);
    Ok(())
}

#[tokio::test]
async fn deleting_a_gathering_deletes_everything_in_it_and_nothing_else() -> Result {
    let Some(fresh) = fresh().await? else {
        return Ok(());
    };
    let store = store_with(&fresh, &[("a", 10), ("b", 10)]).await?;
    assert_eq!(rows(&fresh.admin, "a").await?, [1, 1, 1, 1, 2, 1, 1]);
    store.delete_gathering("a").await?;
    assert_eq!(rows(&fresh.admin, "a").await?, [0, 0, 0, 0, 0, 0, 0]);
    assert_eq!(rows(&fresh.admin, "b").await?, [1, 1, 1, 1, 2, 1, 1]);
    assert!(!in_tables(&fresh.admin, "words of a").await?);
    assert!(store
        .find_gathering(Lookup::JoinToken("token-a"))
        .await?
        .is_none());
    // The tables were written afresh (VACUUM FULL): no file of the
    // database holds the words any more.
    if let Some(data) = data_directory() {
        fresh.admin.batch_execute("CHECKPOINT").await?;
        let folder = database_folder(&fresh, &data).await?;
        let held = files_holding(&folder, "words of a")?;
        assert_eq!(held, Vec::<String>::new());
        assert!(!files_holding(&folder, "words of b")?.is_empty());
    }
    // Deleting it again does nothing.
    store.delete_gathering("a").await?;
    Ok(())
}

#[tokio::test]
async fn the_retention_period_deletes_only_older_gatherings() -> Result {
    let Some(fresh) = fresh().await? else {
        return Ok(());
    };
    let store = store_with(&fresh, &[("old", 100), ("new", 200)]).await?;
    assert_eq!(store.delete_created_before(150).await?, ["old"]);
    assert_eq!(rows(&fresh.admin, "old").await?, [0, 0, 0, 0, 0, 0, 0]);
    assert_eq!(rows(&fresh.admin, "new").await?, [1, 1, 1, 1, 2, 1, 1]);
    assert!(store.delete_created_before(150).await?.is_empty());
    Ok(())
}

/// What a withdrawal leaves, measured: the words are gone from every
/// table at once; the test then checkpoints and says which files of the
/// cluster still hold them (SECURITY.md quotes what it prints).
#[tokio::test]
async fn a_withdrawn_card_leaves_no_words_in_any_table() -> Result {
    let Some(fresh) = fresh().await? else {
        return Ok(());
    };
    let store = store_with(&fresh, &[("a", 10)]).await?;
    store
        .commit(Batch {
            gathering: "a".into(),
            ops: vec![Op::DeleteCard { id: card_id("a") }],
            fence: None,
        })
        .await?;
    assert!(store.load_room("a").await?.cards.is_empty());
    assert!(!in_tables(&fresh.admin, "words of a card").await?);
    let Some(data) = data_directory() else {
        println!("not measured: HEARTH_TEST_PGDATA names no data directory");
        return Ok(());
    };
    fresh.admin.batch_execute("CHECKPOINT").await?;
    let folder = database_folder(&fresh, &data).await?;
    let in_files = files_holding(&folder, "words of a card")?;
    let in_wal = files_holding(&data.join("pg_wal"), "words of a card")?;
    println!(
        "after a withdrawal, its VACUUM and a CHECKPOINT, the words are in \
         {} of the database's files {in_files:?} and {} WAL segments {in_wal:?}",
        in_files.len(),
        in_wal.len()
    );
    Ok(())
}

#[tokio::test]
async fn forgetting_participants_drops_their_hashes_and_keeps_the_words() -> Result {
    let Some(fresh) = fresh().await? else {
        return Ok(());
    };
    let store = store_with(&fresh, &[("a", 10), ("b", 10)]).await?;
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
    assert_eq!(a.marks.len(), 1);
    assert_ne!(a.marks[0].0, "author-a");
    assert_eq!(a.marks[0].2, 40);
    assert!(!in_tables(&fresh.admin, "author-a").await?);
    if let Some(data) = data_directory() {
        fresh.admin.batch_execute("CHECKPOINT").await?;
        let folder = database_folder(&fresh, &data).await?;
        assert_eq!(files_holding(&folder, "author-a")?, Vec::<String>::new());
    }
    assert_eq!(store.load_room("b").await?.participants, ["author-b"]);
    assert_eq!(rows(&fresh.admin, "b").await?, [1, 1, 1, 1, 2, 1, 1]);
    Ok(())
}

#[tokio::test]
async fn templates_are_saved_listed_newest_first_and_deleted() -> Result {
    let Some(fresh) = fresh().await? else {
        return Ok(());
    };
    let store = store_with(&fresh, &[("a", 10)]).await?;
    crate::storage::fixtures::templates_are_saved_listed_newest_first_and_deleted(&store).await?;
    // The gathering it was saved from is untouched.
    assert_eq!(rows(&fresh.admin, "a").await?, [1, 1, 1, 1, 2, 1, 1]);
    Ok(())
}

#[tokio::test]
async fn lookups_find_a_gathering_by_each_key_and_cards_keep_their_order() -> Result {
    let Some(fresh) = fresh().await? else {
        return Ok(());
    };
    let store = store_with(&fresh, &[("a", 10), ("b", 10)]).await?;
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
    // Cards come back in the order they were added, whatever their ids.
    let names = ["zz", "aa", "mm"];
    let ops = names
        .iter()
        .map(|name| Op::AddCard {
            id: card_id(name),
            step: 1,
            author: "someone".into(),
            text: (*name).into(),
            place: r#"{"at":"board"}"#.into(),
            sensitive: false,
        })
        .collect();
    store
        .commit(Batch {
            gathering: "b".into(),
            ops,
            fence: None,
        })
        .await?;
    let texts: Vec<String> = store
        .load_room("b")
        .await?
        .cards
        .into_iter()
        .map(|c| c.text)
        .collect();
    assert_eq!(texts, ["words of b card", "zz", "aa", "mm"]);
    Ok(())
}

#[tokio::test]
async fn after_its_connections_are_cut_the_store_connects_again_and_acknowledges_only_commits(
) -> Result {
    let Some(fresh) = fresh().await? else {
        return Ok(());
    };
    let store = store_with(&fresh, &[("a", 10)]).await?;
    store.load_room("a").await?;
    // As a database restart or a failover does: every session of the
    // database is ended.
    let cut = "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
               WHERE datname = $1 AND pid <> pg_backend_pid()";
    let ended: i64 = fresh
        .admin
        .query_one(cut, &[&fresh.name])
        .await?
        .try_get(0)?;
    assert!(
        ended >= 2,
        "the writer's and the pool's connections: {ended}"
    );
    // The commit under way may fail (it was not acknowledged, and the room
    // sends it again) or find the connection already gone and open a new
    // one; either way the one after it is stored, once.
    let mut answers = Vec::new();
    for _ in 0..2 {
        let answer = store.commit(next_event("a")).await;
        let stored = answer.is_ok();
        answers.push(answer);
        if stored {
            break;
        }
    }
    assert!(
        answers.last().is_some_and(|a| a.is_ok()),
        "never stored again: {answers:?}"
    );
    assert_eq!(rows(&fresh.admin, "a").await?[1], 2);
    // Reads come back too, the pool dropping the connections that broke.
    let find = || store.find_gathering(Lookup::JoinToken("token-a"));
    let mut read = find().await;
    if read.is_err() {
        read = find().await;
    }
    assert_eq!(read?.map(|g| g.id).as_deref(), Some("a"));
    Ok(())
}

/// Ends `gathering`'s lease now, as its term running out would.
async fn expire(fresh: &Fresh, gathering: &str) -> Result {
    fresh
        .admin
        .execute(
            "UPDATE leases SET expires_at = now() - interval '1 second' WHERE gathering_id = $1",
            &[&gathering],
        )
        .await?;
    Ok(())
}

/// `next_event`, committed as the holder of `token`.
fn fenced_event(gathering: &str, seq: u64, token: u64) -> Batch {
    Batch {
        gathering: gathering.into(),
        ops: vec![Op::AppendEvent {
            seq,
            body: "{}".into(),
        }],
        fence: Some(token),
    }
}

#[tokio::test]
async fn a_lease_has_one_holder_and_a_new_holder_gets_a_greater_token() -> Result {
    let Some(fresh) = fresh().await? else {
        return Ok(());
    };
    let store = store_with(&fresh, &[("a", 10)]).await?;
    let term = std::time::Duration::from_secs(10);
    let first = store
        .take_lease("a", "node-1", term)
        .await?
        .ok_or("not taken")?;
    assert_eq!(first.token, 1);
    // Held: another node cannot take it; its holder renews it.
    assert_eq!(store.take_lease("a", "node-2", term).await?, None);
    assert!(store.renew_lease(&first, term).await?);
    // Expired: the next holder gets the next token, and the old one can
    // no longer renew.
    expire(&fresh, "a").await?;
    let second = store
        .take_lease("a", "node-2", term)
        .await?
        .ok_or("not taken")?;
    assert_eq!(second.token, 2);
    assert!(!store.renew_lease(&first, term).await?);
    // Its holder starting its room again takes it again, as a new holder:
    // the earlier start's token is worth nothing any more.
    let again = store
        .take_lease("a", "node-2", term)
        .await?
        .ok_or("not taken")?;
    assert_eq!(again.token, 3);
    assert!(!store.renew_lease(&second, term).await?);
    store.release_lease(&second).await?;
    assert!(
        store.renew_lease(&again, term).await?,
        "releasing an old token lets nothing go"
    );
    // Even the first node, coming back, gets a new token.
    expire(&fresh, "a").await?;
    let third = store
        .take_lease("a", "node-1", term)
        .await?
        .ok_or("not taken")?;
    assert_eq!(third.token, 4);
    // Released, it is free at once.
    store.release_lease(&third).await?;
    let fourth = store
        .take_lease("a", "node-2", term)
        .await?
        .ok_or("released, yet not taken")?;
    assert_eq!(fourth.token, 5);
    Ok(())
}

/// A paused owner (past its lease, which another node has taken) cannot
/// write when it resumes: its batch is refused whole, alone in its round,
/// and the new owner's commits go on.
#[tokio::test]
async fn a_commit_carrying_an_old_token_is_refused_whole() -> Result {
    let Some(fresh) = fresh().await? else {
        return Ok(());
    };
    let store = store_with(&fresh, &[("a", 10), ("b", 10)]).await?;
    let term = std::time::Duration::from_secs(10);
    let old = store
        .take_lease("a", "node-1", term)
        .await?
        .ok_or("not taken")?;
    store.commit(fenced_event("a", 2, old.token)).await?;
    expire(&fresh, "a").await?;
    let new = store
        .take_lease("a", "node-2", term)
        .await?
        .ok_or("not taken")?;
    let (stale, other) = tokio::join!(
        store.commit(fenced_event("a", 3, old.token)),
        store.commit(next_event("b")),
    );
    assert!(
        matches!(&stale, Err(StorageError::Fenced(g)) if g == "a"),
        "{stale:?}"
    );
    other?;
    store.commit(fenced_event("a", 3, new.token)).await?;
    let seqs: Vec<i64> = fresh
        .admin
        .query(
            "SELECT seq FROM events WHERE gathering_id = 'a' ORDER BY seq",
            &[],
        )
        .await?
        .iter()
        .map(|r| r.try_get(0))
        .collect::<std::result::Result<_, _>>()?;
    assert_eq!(seqs, [1, 2, 3]);
    // A gathering nobody has leased takes no fenced commit either.
    assert!(matches!(
        store.commit(fenced_event("b", 3, 1)).await,
        Err(StorageError::Fenced(_))
    ));
    Ok(())
}

/// The cluster's registry: nodes find each other and the owner of a
/// gathering, a node started again on the same address takes over its
/// predecessor's leases at once, and announcements reach every listener.
#[tokio::test]
async fn nodes_find_each_other_and_a_successor_on_the_same_address_takes_over() -> Result {
    let Some(fresh) = fresh().await? else {
        return Ok(());
    };
    let store = store_with(&fresh, &[("a", 10)]).await?;
    let term = std::time::Duration::from_secs(10);
    let alive = std::time::Duration::from_secs(6);
    let key = store.register_node("n1", "http://10.0.0.1:3000").await?;
    assert_eq!(
        store.register_node("n2", "http://10.0.0.2:3000").await?,
        key,
        "every node reads the same key"
    );
    assert_eq!(
        store.heartbeat("n2", "http://10.0.0.2:3000", alive).await?,
        2
    );
    assert_eq!(store.owner("a").await?, None, "nobody owns it yet");
    let lease = store
        .take_lease("a", "n1", term)
        .await?
        .ok_or("not taken")?;
    assert_eq!(
        store.owner("a").await?,
        Some(Owner {
            node: "n1".into(),
            address: "http://10.0.0.1:3000".into()
        })
    );
    assert_eq!(store.take_lease("a", "n2", term).await?, None);

    // n1 dies and starts again on its address: the old process's lease
    // ends at once, and the successor (or any node) may take it.
    store
        .register_node("n1-again", "http://10.0.0.1:3000")
        .await?;
    assert_eq!(store.owner("a").await?, None, "the dead node owns nothing");
    assert!(!store.renew_lease(&lease, term).await?);
    let next = store
        .take_lease("a", "n2", term)
        .await?
        .ok_or("not taken")?;
    assert!(next.token > lease.token);
    assert_eq!(
        store.heartbeat("n2", "http://10.0.0.2:3000", alive).await?,
        2,
        "the dead node's row is gone: n1-again and n2"
    );

    // A deletion announced reaches every listener, as it was sent.
    let mut heard = store.listen_gone().await?;
    store.announce_gone("hash-of-a").await?;
    let got = tokio::time::timeout(std::time::Duration::from_secs(10), heard.recv()).await?;
    assert_eq!(got.as_deref(), Some("hash-of-a"));
    Ok(())
}
