//! One owner per live gathering, and the nodes that may own them: the
//! database half of a cluster (`Coordination`), on tables `leases`
//! (migration 0002) and `nodes`, `cluster_key` (0003).
//!
//! Ordering a gathering's events needs one decider. The node that takes a
//! gathering's lease decides for it, renews the lease well within its
//! expiry, and puts the token in every batch it commits (`Batch::fence`);
//! the writer checks it in the same transaction (`writes::Step::fence`).
//! A node that lost the lease (paused past its expiry, cut off from the
//! database) may still believe it owns the gathering, but its next commit
//! is refused (`StorageError::Fenced`), so it can never write again. As in
//! jamsocket/plane's `backend_key.rs`: the database is the truth, and its
//! clock (`now()`) is the only one compared, so the nodes' clocks need not
//! agree.
//!
//! "A gathering is gone" travels by `NOTIFY` on a channel of its own: it is
//! rare (a deletion, a retention sweep), and NOTIFY takes a cluster-wide
//! lock at each notifying commit, so nothing frequent may go this way.

use super::{Postgres, Target};
use crate::storage::{Coordination, Lease, Owner, Pending, StorageError};
use std::time::Duration;
use tokio::sync::mpsc;

/// The channel gatherings are announced gone on.
const GONE: &str = "hearth_gone";

impl Coordination for Postgres {
    fn register_node<'a>(&'a self, node: &'a str, address: &'a str) -> Pending<'a, String> {
        Box::pin(async move {
            let mut db = self.pool.get().await?;
            let tx = db.transaction().await?;
            tx.execute(
                "UPDATE leases SET expires_at = now()
                 WHERE node IN (SELECT id FROM nodes WHERE address = $2 AND id <> $1)",
                &[&node, &address],
            )
            .await?;
            tx.execute(
                "DELETE FROM nodes WHERE address = $2 AND id <> $1",
                &[&node, &address],
            )
            .await?;
            tx.execute(
                "INSERT INTO nodes (id, address, heartbeat_at) VALUES ($1, $2, now())
                 ON CONFLICT (id) DO UPDATE SET address = excluded.address, heartbeat_at = now()",
                &[&node, &address],
            )
            .await?;
            let fresh = crate::secrets::token(32);
            tx.execute(
                "INSERT INTO cluster_key (key) VALUES ($1) ON CONFLICT DO NOTHING",
                &[&fresh],
            )
            .await?;
            let key: String = tx
                .query_one("SELECT key FROM cluster_key", &[])
                .await?
                .try_get(0)?;
            tx.commit().await?;
            Ok(key)
        })
    }

    fn heartbeat<'a>(
        &'a self,
        node: &'a str,
        address: &'a str,
        alive: Duration,
    ) -> Pending<'a, usize> {
        Box::pin(async move {
            let db = self.pool.get().await?;
            db.execute(
                "INSERT INTO nodes (id, address, heartbeat_at) VALUES ($1, $2, now())
                 ON CONFLICT (id) DO UPDATE SET heartbeat_at = now()",
                &[&node, &address],
            )
            .await?;
            let alive: i64 = db
                .query_one(
                    "SELECT count(*) FROM nodes
                     WHERE heartbeat_at > now() - make_interval(secs => $1)",
                    &[&alive.as_secs_f64()],
                )
                .await?
                .try_get(0)?;
            Ok(usize::try_from(alive).unwrap_or(1).max(1))
        })
    }

    fn take_lease<'a>(
        &'a self,
        gathering: &'a str,
        node: &'a str,
        term: Duration,
    ) -> Pending<'a, Option<Lease>> {
        Box::pin(async move {
            let db = self.pool.get().await?;
            let row = db
                .query_opt(
                    "INSERT INTO leases (gathering_id, node, token, expires_at)
                     VALUES ($1, $2, 1, now() + make_interval(secs => $3))
                     ON CONFLICT (gathering_id) DO UPDATE SET
                         token = leases.token + 1,
                         node = excluded.node,
                         expires_at = excluded.expires_at
                     WHERE leases.node = excluded.node OR leases.expires_at <= now()
                     RETURNING token",
                    &[&gathering, &node, &term.as_secs_f64()],
                )
                .await?;
            row.map(|row| {
                Ok(Lease {
                    gathering: gathering.to_owned(),
                    node: node.to_owned(),
                    token: row.try_get::<_, i64>(0)? as u64,
                })
            })
            .transpose()
        })
    }

    fn renew_lease<'a>(&'a self, lease: &'a Lease, term: Duration) -> Pending<'a, bool> {
        Box::pin(async move {
            let db = self.pool.get().await?;
            let renewed = db
                .execute(
                    "UPDATE leases SET expires_at = now() + make_interval(secs => $4)
                     WHERE gathering_id = $1 AND node = $2 AND token = $3 AND expires_at > now()",
                    &[
                        &lease.gathering,
                        &lease.node,
                        &(lease.token as i64),
                        &term.as_secs_f64(),
                    ],
                )
                .await?;
            Ok(renewed == 1)
        })
    }

    fn release_lease<'a>(&'a self, lease: &'a Lease) -> Pending<'a, ()> {
        Box::pin(async move {
            let db = self.pool.get().await?;
            db.execute(
                "UPDATE leases SET expires_at = now()
                 WHERE gathering_id = $1 AND node = $2 AND token = $3",
                &[&lease.gathering, &lease.node, &(lease.token as i64)],
            )
            .await?;
            Ok(())
        })
    }

    fn owner<'a>(&'a self, gathering: &'a str) -> Pending<'a, Option<Owner>> {
        Box::pin(async move {
            let db = self.pool.get().await?;
            let row = db
                .query_opt(
                    "SELECT l.node, n.address FROM leases l JOIN nodes n ON n.id = l.node
                     WHERE l.gathering_id = $1 AND l.expires_at > now()",
                    &[&gathering],
                )
                .await?;
            row.map(|row| {
                Ok(Owner {
                    node: row.try_get(0)?,
                    address: row.try_get(1)?,
                })
            })
            .transpose()
        })
    }

    fn announce_gone<'a>(&'a self, gathering: &'a str) -> Pending<'a, ()> {
        Box::pin(async move {
            let db = self.pool.get().await?;
            db.execute("SELECT pg_notify($1, $2)", &[&GONE, &gathering])
                .await?;
            Ok(())
        })
    }

    fn listen_gone(&self) -> Pending<'_, mpsc::Receiver<String>> {
        Box::pin(listen(self.target.clone(), GONE))
    }
}

/// Listens on `channel` over a connection of its own, passing each
/// notification's payload on until the receiver is dropped or the
/// connection breaks (then the channel ends).
async fn listen(
    target: Target,
    channel: &'static str,
) -> Result<mpsc::Receiver<String>, StorageError> {
    use futures_util::StreamExt;
    let (client, mut connection) = target.open().await?;
    let (tx, rx) = mpsc::channel(256);
    let keep = tx.clone();
    let (ended, end) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        let mut messages = futures_util::stream::poll_fn(move |cx| connection.poll_message(cx));
        while let Some(message) = messages.next().await {
            match message {
                Ok(tokio_postgres::AsyncMessage::Notification(n)) => {
                    if tx.send(n.payload().to_owned()).await.is_err() {
                        break;
                    }
                }
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!(
                        "listening to the cluster stopped: {}",
                        StorageError::from(e)
                    );
                    break;
                }
            }
        }
        drop(ended);
    });
    client.batch_execute(&format!("LISTEN {channel}")).await?;
    // The connection lives as long as its client: kept until the receiver
    // is dropped or the connection has ended, then both go.
    tokio::spawn(async move {
        tokio::select! {
            _ = keep.closed() => {}
            _ = end => {}
        }
        drop(client);
    });
    Ok(rx)
}
