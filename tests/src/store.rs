//! Where a test server keeps its data, and how a test looks at it.
//!
//! By default each `TestServer` gets a fresh SQLite file in its own folder.
//! With `HEARTH_TEST_POSTGRES` set (an administrator's URL to a PostgreSQL
//! cluster; `scripts/test.sh` starts a throw-away one and sets it), each
//! gets a fresh database of its own on that cluster instead, so the same
//! tests run against both backends. A test reads the stored rows through
//! `sql_*` (the same SQL for both where the dialects agree: `$1`
//! placeholders work in SQLite too), and the stored bytes through
//! `stored_files`. A test that only makes sense for the SQLite file says so
//! with `skip_on_postgres`.

use crate::Result;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use tokio_postgres::{Client, NoTls};

/// The environment variable naming the PostgreSQL cluster to test on.
pub const POSTGRES_ENV: &str = "HEARTH_TEST_POSTGRES";
/// The environment variable naming that cluster's data directory.
pub const PGDATA_ENV: &str = "HEARTH_TEST_PGDATA";

/// Whether this run tests the PostgreSQL backend.
pub fn on_postgres() -> bool {
    std::env::var_os(POSTGRES_ENV).is_some()
}

/// For a test that only makes sense on the SQLite file: on PostgreSQL it
/// says why it is skipped and answers `true` (the test then returns).
pub fn skip_on_postgres(why: &str) -> bool {
    let skip = on_postgres();
    if skip {
        say(&format!("skipped on PostgreSQL: {why}"));
    }
    skip
}

/// A line for the test run's own output, even from a test that passes:
/// written to stderr directly, past the capture `cargo test` puts on
/// `println!` (for a skipped test's reason, or a measured figure).
pub fn say(line: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "{line}");
}

/// A test server's database.
#[derive(Clone)]
pub enum Store {
    /// A SQLite file (it need not exist yet).
    Sqlite(PathBuf),
    /// A database of its own on the test cluster.
    Postgres {
        /// The URL the server is given.
        url: String,
        /// The database's name.
        name: String,
    },
}

impl Store {
    /// A fresh store: a file in `dir`, or a new database on the cluster.
    pub async fn fresh(dir: &Path) -> Result<Self> {
        let Ok(admin) = std::env::var(POSTGRES_ENV) else {
            return Ok(Store::Sqlite(dir.join("hearth.db")));
        };
        let (url, name) = fresh_database(&admin, "hearth_test").await?;
        Ok(Store::Postgres { url, name })
    }

    /// What `--database` says.
    pub fn location(&self) -> String {
        match self {
            Store::Sqlite(file) => file.display().to_string(),
            Store::Postgres { url, .. } => url.clone(),
        }
    }

    /// Every stored card's text, and how many times it is stored (the
    /// crash tests' "exactly once").
    pub async fn card_texts(&self) -> Result<std::collections::BTreeMap<String, usize>> {
        let mut texts = std::collections::BTreeMap::new();
        for text in self.strings("SELECT text FROM cards", &[]).await? {
            *texts.entry(text).or_default() += 1;
        }
        Ok(texts)
    }

    /// The first column of every row `sql` returns, as text (NULL as "").
    pub async fn strings(&self, sql: &str, params: &[&str]) -> Result<Vec<String>> {
        match self {
            Store::Sqlite(file) => {
                let db = rusqlite::Connection::open_with_flags(
                    file,
                    rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
                )?;
                let mut query = db.prepare(sql)?;
                let rows = query.query_map(rusqlite::params_from_iter(params), |r| {
                    Ok(match r.get::<_, rusqlite::types::Value>(0)? {
                        rusqlite::types::Value::Null => String::new(),
                        rusqlite::types::Value::Integer(n) => n.to_string(),
                        rusqlite::types::Value::Real(x) => x.to_string(),
                        rusqlite::types::Value::Text(t) => t,
                        rusqlite::types::Value::Blob(b) => String::from_utf8_lossy(&b).into(),
                    })
                })?;
                Ok(rows.collect::<Result<_, _>>()?)
            }
            Store::Postgres { url, .. } => {
                let db = connect(url).await?;
                let params: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> = params
                    .iter()
                    .map(|p| p as &(dyn tokio_postgres::types::ToSql + Sync))
                    .collect();
                // Text in, text out: the query casts what is not text.
                let rows = db.query(sql, &params).await?;
                rows.iter()
                    .map(|r| Ok(r.try_get::<_, Option<String>>(0)?.unwrap_or_default()))
                    .collect()
            }
        }
    }

    /// A count (or any one integer) `sql` returns.
    pub async fn count(&self, sql: &str, params: &[&str]) -> Result<i64> {
        match self {
            Store::Sqlite(file) => {
                let db = rusqlite::Connection::open_with_flags(
                    file,
                    rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
                )?;
                Ok(db.query_row(sql, rusqlite::params_from_iter(params), |r| r.get(0))?)
            }
            Store::Postgres { url, .. } => {
                let db = connect(url).await?;
                let params: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> = params
                    .iter()
                    .map(|p| p as &(dyn tokio_postgres::types::ToSql + Sync))
                    .collect();
                Ok(db.query_one(sql, &params).await?.try_get(0)?)
            }
        }
    }

    /// Runs a statement that changes the database (the server must not be
    /// running, for SQLite), and says how many rows it changed.
    pub async fn execute(&self, sql: &str, params: &[&str]) -> Result<u64> {
        match self {
            Store::Sqlite(file) => {
                let db = rusqlite::Connection::open(file)?;
                Ok(db.execute(sql, rusqlite::params_from_iter(params))? as u64)
            }
            Store::Postgres { url, .. } => {
                let db = connect(url).await?;
                let params: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> = params
                    .iter()
                    .map(|p| p as &(dyn tokio_postgres::types::ToSql + Sync))
                    .collect();
                Ok(db.execute(sql, &params).await?)
            }
        }
    }

    /// Which tables and columns hold `text` now, to say where a leak found
    /// in the stored bytes lives (or that it is only in free space or a
    /// log).
    pub async fn tables_holding(&self, text: &str) -> Result<Vec<String>> {
        let columns = match self {
            Store::Sqlite(_) => {
                self.strings(
                    "SELECT m.name || '.' || p.name FROM sqlite_master m, pragma_table_info(m.name) p
                     WHERE m.type = 'table'",
                    &[],
                )
                .await?
            }
            Store::Postgres { .. } => {
                self.strings(
                    "SELECT table_name || '.' || column_name FROM information_schema.columns
                     WHERE table_schema = 'public'",
                    &[],
                )
                .await?
            }
        };
        let mut found = Vec::new();
        for column in columns {
            let Some((table, name)) = column.split_once('.') else {
                continue;
            };
            let sql = match self {
                Store::Sqlite(_) => format!(
                    "SELECT COUNT(*) FROM \"{table}\" WHERE instr(CAST(\"{name}\" AS TEXT), $1) > 0"
                ),
                Store::Postgres { .. } => format!(
                    "SELECT COUNT(*) FROM \"{table}\" WHERE strpos(\"{name}\"::text, $1) > 0"
                ),
            };
            let n = self.count(&sql, &[text]).await?;
            if n > 0 {
                found.push(format!("{table}.{name} ({n} rows)"));
            }
        }
        Ok(found)
    }

    /// The files that hold this database, each with its name, as they are
    /// on disk now: everything a copy of them holds.
    ///
    /// SQLite: the database file and its log (`-wal`, empty if there is
    /// none). PostgreSQL: after a `CHECKPOINT` (so the files hold what the
    /// database holds, not an older page), every file of the database's
    /// own folder in the data directory (`base/<oid>/`). PostgreSQL's
    /// write-ahead log is the whole cluster's and is not erased by any
    /// deletion; it is not included here. `server/tests/postgres.rs`
    /// measures what it keeps (see SECURITY.md).
    pub async fn files(&self) -> Result<Vec<(String, Vec<u8>)>> {
        match self {
            Store::Sqlite(file) => {
                let database = std::fs::read(file)?;
                let mut wal = file.clone().into_os_string();
                wal.push("-wal");
                let log = match std::fs::read(&wal) {
                    Ok(log) => log,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
                    Err(e) => return Err(e.into()),
                };
                Ok(vec![
                    ("database file".into(), database),
                    ("database log (-wal)".into(), log),
                ])
            }
            Store::Postgres { name, .. } => {
                let folder = self.postgres_folder(name).await?;
                let mut bytes = Vec::new();
                for file in files_under(&folder)? {
                    // A file PostgreSQL removes while we read holds nothing.
                    if let Ok(data) = std::fs::read(&file) {
                        bytes.extend(data);
                    }
                }
                Ok(vec![(
                    format!("database files ({})", folder.display()),
                    bytes,
                )])
            }
        }
    }

    /// The database's folder in the cluster's data directory, after a
    /// checkpoint.
    async fn postgres_folder(&self, name: &str) -> Result<PathBuf> {
        let data = std::env::var_os(PGDATA_ENV)
            .map(PathBuf::from)
            .ok_or_else(|| format!("{PGDATA_ENV} names no data directory to read"))?;
        let admin = connect(&std::env::var(POSTGRES_ENV)?).await?;
        admin.batch_execute("CHECKPOINT").await?;
        let oid: u32 = admin
            .query_one("SELECT oid FROM pg_database WHERE datname = $1", &[&name])
            .await?
            .try_get(0)?;
        Ok(data.join("base").join(oid.to_string()))
    }
}

/// Creates an empty database on the cluster `admin` names, with a name no
/// other test has used (this process's id, a count, and the time, since
/// process ids come round again on a cluster that outlives a run); answers
/// its URL and its name.
pub async fn fresh_database(admin: &str, prefix: &str) -> Result<(String, String)> {
    static MADE: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let name = format!(
        "{prefix}_{}_{}_{nanos}",
        std::process::id(),
        MADE.fetch_add(1, Ordering::Relaxed)
    );
    connect(admin)
        .await?
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .await?;
    Ok((with_database(admin, &name), name))
}

/// Every file under `dir`, in its folders too.
pub fn files_under(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    let mut folders = vec![dir.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder)? {
            let path = entry?.path();
            if path.is_dir() {
                folders.push(path);
            } else {
                files.push(path);
            }
        }
    }
    Ok(files)
}

/// A connection whose I/O runs on a task of the test's runtime.
pub async fn connect(url: &str) -> Result<Client> {
    let (client, connection) = tokio_postgres::connect(url, NoTls).await?;
    tokio::spawn(connection);
    Ok(client)
}

/// `url` with its database replaced by `name`.
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let after_scheme = base.find("://").map_or(0, |i| i + 3);
    let host_end = base[after_scheme..]
        .find('/')
        .map_or(base.len(), |i| after_scheme + i);
    let query = if query.is_empty() {
        String::new()
    } else {
        format!("?{query}")
    };
    format!("{}/{name}{query}", &base[..host_end])
}
