//! The PostgreSQL backend: the same seam as the SQLite file, for a server
//! an organisation runs on its own database (and, next, for several nodes
//! sharing one).
//!
//! It is shaped like the SQLite backend on purpose, so that the two keep
//! the same promises:
//! - every write of a room goes through one writer task (`writer.rs`) on a
//!   connection of its own, which commits everything waiting, from every
//!   room, in one transaction, and answers only after `COMMIT` has
//!   returned with `synchronous_commit = on` (`SESSION`, set on every
//!   connection): an acknowledged action is on the database's disk;
//! - reads, and the operations that belong to no room (creating and
//!   deleting gatherings, templates), run on a small pool (`pool.rs`);
//! - the schema is brought up to date at start by `migrate.rs`, from
//!   `server/migrations/postgres/`, safely when several nodes start at
//!   once;
//! - whatever a commit or a deletion erases, the tables that held it are
//!   vacuumed before the writer answers (`writes::vacuum`): PostgreSQL
//!   keeps dead row versions until then. What remains elsewhere (the
//!   write-ahead log, archives, replicas) is the operator's to configure;
//!   SECURITY.md says what and measures it.
//!
//! - with several nodes, each live gathering has one owner through a lease
//!   row whose fencing token every commit of the owner checks, and the
//!   nodes find each other in `nodes` (`lease.rs`, the `Coordination`
//!   half of the seam).
//!
//! The SQL is in `reads.rs` and `writes.rs`. The driver is tokio-postgres
//! without TLS: Hearth reaches its database on loopback, a unix socket or
//! a private network.

mod lease;
mod migrate;
mod pool;
mod reads;
mod writer;
mod writes;

#[cfg(test)]
mod tests;

use super::{
    redacted, Batch, GatheringRow, Lookup, NewGathering, Pending, RoomRows, Storage, StorageError,
    Template,
};
use hearth_core::ids::JoinCode;
use hearth_core::protocol::Outcome;
use pool::Pool;
use std::time::Duration;
use tokio_postgres::{Client, Config, NoTls};
use writer::Writer;

/// The settings of every connection, the writer's and the pool's alike.
/// `synchronous_commit` is set even though `on` is PostgreSQL's default:
/// a server or a role may have turned it off, and Hearth acknowledges an
/// action only once it is durable.
const SESSION: &str = "SET synchronous_commit = on;
     SET client_min_messages = warning;
     SET application_name = 'hearth';";

/// How long reaching the database may take before Hearth says it cannot.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

impl From<tokio_postgres::Error> for StorageError {
    fn from(e: tokio_postgres::Error) -> Self {
        // The message and the code, never the detail: see `Postgres`.
        match e.as_db_error() {
            Some(db) => StorageError::Postgres(format!("{} ({})", db.message(), db.code().code())),
            None => StorageError::Postgres(e.to_string()),
        }
    }
}

/// Where the database is, parsed once, and how to name it in messages
/// (with no password).
#[derive(Clone)]
struct Target {
    config: Config,
    shown: String,
}

impl Target {
    fn parse(url: &str) -> Result<Self, StorageError> {
        let shown = redacted(url);
        let mut config: Config = url.parse().map_err(|e: tokio_postgres::Error| {
            StorageError::PostgresUrl(shown.clone(), e.to_string())
        })?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        Ok(Self { config, shown })
    }

    /// A new connection with the one list of settings. Its I/O runs on a
    /// task of its own, which ends when the client is dropped or the
    /// connection breaks (the client then says `is_closed`).
    async fn connect(&self) -> Result<Client, StorageError> {
        let (client, connection) = self.open().await?;
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::warn!("a PostgreSQL connection closed: {}", StorageError::from(e));
            }
        });
        client.batch_execute(SESSION).await?;
        Ok(client)
    }

    /// A new connection whose I/O the caller drives (to read the
    /// notifications it receives).
    async fn open(
        &self,
    ) -> Result<
        (
            Client,
            tokio_postgres::Connection<tokio_postgres::Socket, tokio_postgres::tls::NoTlsStream>,
        ),
        StorageError,
    > {
        self.config
            .connect(NoTls)
            .await
            .map_err(|e| StorageError::Unreachable {
                at: self.shown.clone(),
                reason: e.to_string(),
            })
    }
}

/// The PostgreSQL storage.
pub struct Postgres {
    writer: Writer,
    pool: Pool,
    target: Target,
}

impl Postgres {
    /// Connects to the database at `url`, brings its schema up to date and
    /// starts the writer. A database that cannot be reached is an error
    /// here, at start, not at the first post.
    pub async fn open(url: &str) -> Result<Self, StorageError> {
        let target = Target::parse(url)?;
        let mut first = target.connect().await?;
        migrate::run(&mut first).await?;
        let pool = Pool::new(target.clone());
        pool.put(first);
        Ok(Self {
            writer: Writer::start(target.clone()).await?,
            pool,
            target,
        })
    }
}

impl Storage for Postgres {
    fn find_gathering<'a>(&'a self, lookup: Lookup<'a>) -> Pending<'a, Option<GatheringRow>> {
        Box::pin(async move {
            let db = self.pool.get().await?;
            reads::gathering(&db, &lookup).await
        })
    }

    fn code_in_use<'a>(&'a self, code: &'a JoinCode) -> Pending<'a, bool> {
        Box::pin(async move {
            let db = self.pool.get().await?;
            reads::code_in_use(&db, code.as_str()).await
        })
    }

    fn create_gathering(&self, gathering: NewGathering) -> Pending<'_, ()> {
        Box::pin(async move {
            let db = self.pool.get().await?;
            writes::create_gathering(&db, &gathering).await
        })
    }

    fn load_room<'a>(&'a self, gathering: &'a str) -> Pending<'a, RoomRows> {
        Box::pin(async move {
            let mut db = self.pool.get().await?;
            reads::room_rows(&mut db, gathering).await
        })
    }

    fn applied_outcome<'a>(
        &'a self,
        gathering: &'a str,
        actor: &'a str,
        action: &'a str,
    ) -> Pending<'a, Option<Outcome>> {
        Box::pin(async move {
            let db = self.pool.get().await?;
            reads::applied_outcome(&db, gathering, actor, action).await
        })
    }

    fn commit(&self, batch: Batch) -> Pending<'_, ()> {
        Box::pin(self.writer.commit(batch))
    }

    fn delete_gathering<'a>(&'a self, id: &'a str) -> Pending<'a, ()> {
        Box::pin(async move {
            let mut db = self.pool.get().await?;
            writes::delete_gathering(&mut db, id).await
        })
    }

    fn delete_created_before(&self, before: i64) -> Pending<'_, Vec<String>> {
        Box::pin(async move {
            let mut db = self.pool.get().await?;
            writes::delete_created_before(&mut db, before).await
        })
    }

    fn templates(&self) -> Pending<'_, Vec<Template>> {
        Box::pin(async move {
            let db = self.pool.get().await?;
            reads::templates(&db).await
        })
    }

    fn template<'a>(&'a self, id: &'a str) -> Pending<'a, Option<Template>> {
        Box::pin(async move {
            let db = self.pool.get().await?;
            reads::template(&db, id).await
        })
    }

    fn delete_template<'a>(&'a self, id: &'a str) -> Pending<'a, ()> {
        Box::pin(async move {
            let db = self.pool.get().await?;
            writes::delete_template(&db, id).await
        })
    }
}
