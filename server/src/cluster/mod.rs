//! Several Hearth nodes on one PostgreSQL database: who owns each live
//! gathering, how the nodes find each other, and what they tell each other.
//!
//! Ordering a gathering's events needs one decider, so each live gathering
//! is owned by one node through a lease in the database (`Coordination`):
//! the node that starts the gathering's room takes the lease, renews it
//! every `RENEW` (well within its `TERM`), and puts its fencing token in
//! every commit, so a node that lost it (paused, cut off) can never write
//! again. A node that cannot renew in time stops its room itself; a room
//! that stops gives its lease up at once.
//!
//! Any node answers any request: a node that does not own a gathering
//! relays it from the owner (`room::relay`), which it finds in the
//! database, where every node registers the address the others reach it at
//! (`--node-address`) and beats its heart. The owner answers on
//! `/internal/…` (`internal.rs`), to nodes showing the cluster's key.
//!
//! When the owner dies, its lease runs out after `TERM`; the next request
//! for the gathering, on any node, takes the lease (with a greater token,
//! which is the room's new epoch) and loads the room from the database.
//! Clients reconnect, get a snapshot of the new epoch, and send again what
//! was not acknowledged, with the same ids: nothing applies twice.
//!
//! What is global is made cluster-wide: the guessing throttles are shared
//! among the nodes alive (`Throttle::share_among`), retention sweeps on
//! one node at a time (an advisory lock in the backend), and a deleted
//! gathering is announced to every node (`NOTIFY`, rare by design), each
//! of which ends its room or relay and forgets it.

pub mod internal;

use crate::room::relay::Link;
use crate::room::Stopper;
use crate::storage::{Coordination, Lease, Owner, StorageError};
use crate::throttle::Throttle;
use std::sync::Arc;
use std::time::Duration;

/// How long a lease lasts unless renewed.
pub const TERM: Duration = Duration::from_secs(10);
/// How often an owner renews its leases.
const RENEW: Duration = Duration::from_secs(2);
/// How often a node says it is alive.
const HEARTBEAT: Duration = Duration::from_secs(2);
/// A node not heard from for this long is not counted among the living.
const ALIVE: Duration = Duration::from_secs(6);

/// This node's place in the cluster.
pub struct Cluster {
    coordination: Arc<dyn Coordination>,
    /// This process's id: new at every start.
    pub node: String,
    /// Where the other nodes reach this one, e.g. `http://10.0.0.2:3000`.
    pub address: String,
    /// The key nodes show each other on internal requests.
    key: String,
    http: reqwest::Client,
}

impl Cluster {
    /// Registers this node at `address` and keeps it registered.
    pub async fn join(
        coordination: Arc<dyn Coordination>,
        address: String,
    ) -> Result<Arc<Cluster>, StorageError> {
        let node = format!("node-{}", crate::secrets::token(8));
        let key = coordination.register_node(&node, &address).await?;
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .pool_max_idle_per_host(64)
            .build()
            .map_err(|e| StorageError::Unreachable {
                at: address.clone(),
                reason: e.to_string(),
            })?;
        tracing::info!(node = %node, "this node joined the cluster at {address}");
        Ok(Arc::new(Cluster {
            coordination,
            node,
            address,
            key,
            http,
        }))
    }

    /// Beats this node's heart for as long as the server runs, and shares
    /// the throttles' limits among the nodes alive.
    pub fn beat(self: &Arc<Self>, throttles: Vec<Throttle>) {
        let cluster = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(HEARTBEAT);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                match cluster
                    .coordination
                    .heartbeat(&cluster.node, &cluster.address, ALIVE)
                    .await
                {
                    Ok(alive) => {
                        for throttle in &throttles {
                            throttle.share_among(alive);
                        }
                    }
                    Err(e) => tracing::warn!("this node's heartbeat was not stored: {e}"),
                }
            }
        });
    }

    /// Whether a key shown on an internal request is the cluster's.
    pub fn knows(&self, shown: &[u8]) -> bool {
        use subtle::ConstantTimeEq;
        shown.ct_eq(self.key.as_bytes()).into()
    }

    /// Takes a gathering's lease for this node, if nobody else holds it.
    pub async fn take(&self, gathering: &str) -> Result<Option<Lease>, StorageError> {
        self.coordination
            .take_lease(gathering, &self.node, TERM)
            .await
    }

    /// Gives a lease up (its room could not start).
    pub async fn release(&self, lease: &Lease) {
        if let Err(e) = self.coordination.release_lease(lease).await {
            tracing::warn!(gathering = %lease.gathering, "a lease could not be given up: {e}");
        }
    }

    /// Keeps a lease while its room runs: renews it every `RENEW`, stops
    /// the room if it cannot be renewed before it runs out, and gives it up
    /// once the room has stopped.
    pub fn keep(self: &Arc<Self>, lease: Lease, room: Stopper) {
        let cluster = self.clone();
        tokio::spawn(async move {
            let mut renewed = tokio::time::Instant::now();
            let mut tick = tokio::time::interval(RENEW);
            tick.tick().await;
            loop {
                tick.tick().await;
                if !room.running() {
                    cluster.release(&lease).await;
                    return;
                }
                match cluster.coordination.renew_lease(&lease, TERM).await {
                    Ok(true) => renewed = tokio::time::Instant::now(),
                    Ok(false) => {
                        tracing::warn!(gathering = %lease.gathering, "another node took the gathering's lease: its room here stops");
                        room.stop().await;
                        return;
                    }
                    Err(e) if renewed.elapsed() + RENEW >= TERM => {
                        tracing::warn!(gathering = %lease.gathering, "the gathering's lease could not be renewed in time ({e}): its room here stops");
                        room.stop().await;
                        return;
                    }
                    Err(e) => {
                        tracing::warn!(gathering = %lease.gathering, "renewing the gathering's lease failed, trying again: {e}")
                    }
                }
            }
        });
    }

    /// The node that owns a gathering now, if any.
    pub async fn owner(&self, gathering: &str) -> Result<Option<Owner>, StorageError> {
        self.coordination.owner(gathering).await
    }

    /// How to reach the owner of a gathering.
    pub fn link(&self, owner: &Owner, gathering: &str) -> Link {
        Link {
            http: self.http.clone(),
            owner: owner.address.clone(),
            key: self.key.clone(),
            gathering: gathering.to_owned(),
        }
    }

    /// Tells every node a gathering is gone (by its id's hash).
    pub async fn announce_gone(&self, gathering: &str) {
        if let Err(e) = self.coordination.announce_gone(gathering).await {
            tracing::error!(gathering = %gathering, "the other nodes could not be told the gathering is gone: {e}");
        }
    }

    /// Hears of gatherings gone, from any node, for as long as the server
    /// runs (listening again if the database connection breaks), and lets
    /// `gone` forget each.
    pub fn follow_gone<F, Fut>(self: &Arc<Self>, gone: F)
    where
        F: Fn(String) -> Fut + Send + 'static,
        Fut: std::future::Future<Output = ()> + Send,
    {
        let cluster = self.clone();
        tokio::spawn(async move {
            loop {
                match cluster.coordination.listen_gone().await {
                    Ok(mut heard) => {
                        while let Some(gathering) = heard.recv().await {
                            gone(gathering).await;
                        }
                    }
                    Err(e) => tracing::warn!("could not listen to the other nodes: {e}"),
                }
                tokio::time::sleep(HEARTBEAT).await;
            }
        });
    }
}
