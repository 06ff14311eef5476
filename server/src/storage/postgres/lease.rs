//! One owner per live gathering, for several Hearth nodes on one database:
//! a lease row per gathering (`leases`, migration 0002) with the node that
//! holds it, when it expires, and a fencing token that grows with each new
//! owner.
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
//! Which node takes which gathering, renewing, and stopping a room whose
//! lease is lost belong to the cluster (issue 19, part 2); this file is the
//! storage half, tested on its own.

use super::Postgres;
use crate::storage::StorageError;
use std::time::Duration;

/// A gathering's lease, as its holder knows it.
#[cfg_attr(
    not(test),
    allow(
        dead_code,
        reason = "the cluster (issue 19, part 2) takes and renews leases"
    )
)]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lease {
    pub gathering: String,
    pub node: String,
    /// The fencing token: new for each new holder, never smaller.
    pub token: u64,
}

#[cfg_attr(
    not(test),
    allow(
        dead_code,
        reason = "the cluster (issue 19, part 2) takes and renews leases"
    )
)]
impl Postgres {
    /// Takes the gathering's lease for `node` for `term`, if nobody holds
    /// it or its holder's has expired (with a token one greater than the
    /// last), or renews it if `node` holds it still (with the same token).
    /// `None`: another node holds it.
    pub async fn take_lease(
        &self,
        gathering: &str,
        node: &str,
        term: Duration,
    ) -> Result<Option<Lease>, StorageError> {
        let db = self.pool.get().await?;
        let row = db
            .query_opt(
                "INSERT INTO leases (gathering_id, node, token, expires_at)
                 VALUES ($1, $2, 1, now() + make_interval(secs => $3))
                 ON CONFLICT (gathering_id) DO UPDATE SET
                     token = CASE WHEN leases.node = excluded.node AND leases.expires_at > now()
                                  THEN leases.token ELSE leases.token + 1 END,
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
    }

    /// Extends a lease its holder still has for another `term`; `false`
    /// if it has expired or another node has it (the holder must then stop
    /// the gathering's room: its commits would be refused anyway).
    pub async fn renew_lease(&self, lease: &Lease, term: Duration) -> Result<bool, StorageError> {
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
    }
}
