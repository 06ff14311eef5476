//! What only the PostgreSQL backend has to show, end to end against the
//! real binary: a database URL that cannot be used stops Hearth at start
//! with one plain sentence, and what a withdrawal leaves in the cluster's
//! files, measured. (Every other integration test runs on PostgreSQL too,
//! when `HEARTH_TEST_POSTGRES` is set: see `tests/src/store.rs`.)

use hearth_core::ids::StepId;
use hearth_core::protocol::Action;
use hearth_tests::store::{connect, files_under, PGDATA_ENV, POSTGRES_ENV};
use hearth_tests::{contains_bytes, Device, TestServer};
use std::path::PathBuf;
use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_hearth");

/// Starts Hearth with `--database <location>` and returns its exit status
/// and what it said on stderr. It must stop by itself: this is a start
/// that fails.
fn start_failing(location: &str) -> hearth_tests::Result<(std::process::ExitStatus, String)> {
    let root = hearth_tests::workspace_root();
    let out = Command::new(BIN)
        .current_dir(&root)
        .args(["--addr", "127.0.0.1:0", "--database", location])
        .arg("--config")
        .arg(root.join("Leptos.toml"))
        .stdin(Stdio::null())
        .output()?;
    Ok((out.status, String::from_utf8(out.stderr)?))
}

#[tokio::test]
async fn a_database_url_that_cannot_be_used_stops_hearth_with_a_plain_sentence(
) -> hearth_tests::Result<()> {
    // Port 1 on loopback: nothing listens there.
    let (status, said) = start_failing("postgres://hearth:s3cret@127.0.0.1:1/hearth")?;
    assert!(!status.success(), "{status}");
    assert!(
        said.contains(
            "Hearth could not run: could not open the database: \
             could not connect to PostgreSQL at postgres://hearth:***@127.0.0.1:1/hearth"
        ),
        "{said}"
    );
    assert!(!said.contains("s3cret"), "the password was shown: {said}");

    let (status, said) = start_failing("mysql://hearth@127.0.0.1/hearth")?;
    assert!(!status.success(), "{status}");
    assert!(
        said.contains(
            "is neither a SQLite file (a path or a sqlite: URL) \
             nor a PostgreSQL URL (postgres:// or postgresql://)"
        ),
        "{said}"
    );
    Ok(())
}

/// The cluster's WAL segments that hold `text`.
fn wal_segments_holding(data: &std::path::Path, text: &str) -> hearth_tests::Result<usize> {
    let mut found = 0;
    for file in files_under(&data.join("pg_wal"))? {
        if std::fs::read(&file).is_ok_and(|b| contains_bytes(&b, text.as_bytes())) {
            found += 1;
        }
    }
    Ok(found)
}

/// A withdrawal on PostgreSQL, through the real phone path: the words
/// leave every table and every file of the database at once (the audit
/// checks the same for every kind of exercise); the cluster's write-ahead
/// log keeps them until its segments are reused. The test measures how much
/// more WAL the cluster writes before they are gone, and prints it
/// (SECURITY.md quotes the figure).
#[tokio::test]
async fn a_withdrawal_leaves_the_words_only_in_the_write_ahead_log_until_it_is_reused(
) -> hearth_tests::Result<()> {
    if !hearth_tests::on_postgres() {
        hearth_tests::say("skipped on SQLite: measures PostgreSQL's write-ahead log");
        return Ok(());
    }
    let data = std::env::var_os(PGDATA_ENV)
        .map(PathBuf::from)
        .ok_or("HEARTH_TEST_PGDATA names no data directory")?;
    let canary = format!("a canary for the wal {}", std::process::id());
    let server = TestServer::start(BIN).await?;
    let g = server.create_gathering("Withdrawn", "blank").await?;
    let mut console = server.connect(&g.console_ws(), None, None).await?;
    let mut phone = server
        .connect(&g.participant_ws(), Some(&Device::new()), None)
        .await?;
    let card = phone.add(StepId(1), &canary, Default::default()).await?;
    console.act(Action::Reveal).await??;
    console
        .wait_for("the card", |v| v.card(&card).is_some())
        .await?;
    assert!(contains_bytes(
        &server.stored_bytes().await?,
        canary.as_bytes()
    ));
    phone.act(Action::Withdraw { card: card.clone() }).await??;

    assert_eq!(
        server.store().tables_holding(&canary).await?,
        Vec::<String>::new()
    );
    // `stored_bytes` checkpoints first: the files hold what the database does.
    assert!(
        !contains_bytes(&server.stored_bytes().await?, canary.as_bytes()),
        "the withdrawn words are in the database's files"
    );
    let segments = wal_segments_holding(&data, &canary)?;
    assert!(
        segments > 0,
        "the WAL never held the words: nothing measured"
    );

    // Write WAL (as a busy instance would) until no segment holds them.
    let admin = connect(&std::env::var(POSTGRES_ENV)?).await?;
    admin
        .batch_execute("CREATE TABLE IF NOT EXISTS wal_filler (line text)")
        .await?;
    let lsn = "SELECT pg_current_wal_lsn()::text";
    let start: String = admin.query_one(lsn, &[]).await?.try_get(0)?;
    let mut rounds = 0;
    while wal_segments_holding(&data, &canary)? > 0 {
        rounds += 1;
        // A guard: 1.5 GB of WAL is past any recycling under PostgreSQL's
        // default settings (max_wal_size 1 GB), let alone the test
        // cluster's (96 MB).
        assert!(rounds <= 256, "the words stayed in the WAL past 1.5 GB");
        admin
            .batch_execute(
                // Random, so nothing compresses it: about 6 MB of WAL.
                "INSERT INTO wal_filler SELECT md5(random()::text)
                   FROM generate_series(1, 50000);
                 TRUNCATE wal_filler;
                 CHECKPOINT;",
            )
            .await?;
    }
    let written: i64 = admin
        .query_one(
            "SELECT (pg_current_wal_lsn() - $1::text::pg_lsn)::bigint",
            &[&start],
        )
        .await?
        .try_get(0)?;
    hearth_tests::say(&format!(
        "after a withdrawal and a CHECKPOINT, {segments} WAL segments held the words; \
         they were gone from pg_wal after {} MB more WAL and {rounds} checkpoints",
        written / (1024 * 1024)
    ));
    Ok(())
}
