//! What several Hearth nodes on one database agree through it: who is in
//! the cluster and where, which node owns each live gathering, and the
//! rare word one node sends all the others.
//!
//! Only PostgreSQL offers it (`storage::open_node` says whether the
//! database does); the embedded SQLite file is one node's alone. The rules
//! of the cluster (when to take a lease, what to do on losing one) live in
//! `cluster/`; this is the database half, as operations named for what
//! they do.

use super::Pending;
use std::time::Duration;
use tokio::sync::mpsc;

/// A gathering's lease, as its holder knows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lease {
    pub gathering: String,
    pub node: String,
    /// The fencing token: new for each new holder, never smaller.
    pub token: u64,
}

/// The node that holds a gathering's lease now, and where to reach it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Owner {
    pub node: String,
    pub address: String,
}

/// The database half of a cluster.
pub trait Coordination: Send + Sync {
    /// Registers this node at the address the others reach it at, and
    /// answers with the key nodes show each other. A row naming the same
    /// address under another id is an earlier process that is gone (this
    /// one holds the address now): it is removed, and its leases end now.
    fn register_node<'a>(&'a self, node: &'a str, address: &'a str) -> Pending<'a, String>;

    /// Says this node is alive (registering it again if its row was
    /// removed), and answers how many nodes are alive: those whose last
    /// heartbeat is younger than `alive`.
    fn heartbeat<'a>(
        &'a self,
        node: &'a str,
        address: &'a str,
        alive: Duration,
    ) -> Pending<'a, usize>;

    /// Takes the gathering's lease for `node` for `term`, if nobody holds
    /// it, its holder's has expired, or `node` holds it already (a room of
    /// its that stopped, starting again): always with a token one greater
    /// than the last, so that each start of a room is a holder of its own.
    /// `None`: another node holds it.
    fn take_lease<'a>(
        &'a self,
        gathering: &'a str,
        node: &'a str,
        term: Duration,
    ) -> Pending<'a, Option<Lease>>;

    /// Extends a lease its holder still has for another `term`; `false`
    /// if it has expired or another node has it.
    fn renew_lease<'a>(&'a self, lease: &'a Lease, term: Duration) -> Pending<'a, bool>;

    /// Gives a lease up at once (the room stopped): the next node to ask
    /// takes it without waiting for its expiry.
    fn release_lease<'a>(&'a self, lease: &'a Lease) -> Pending<'a, ()>;

    /// The node whose lease on the gathering has not expired, if any.
    fn owner<'a>(&'a self, gathering: &'a str) -> Pending<'a, Option<Owner>>;

    /// Tells every node (this one too) that a gathering is gone: deleted
    /// or swept by retention.
    fn announce_gone<'a>(&'a self, gathering: &'a str) -> Pending<'a, ()>;

    /// The gatherings announced gone, as they are announced, for as long
    /// as the receiver is kept. The channel ends if the database cannot be
    /// listened to any more.
    fn listen_gone(&self) -> Pending<'_, mpsc::Receiver<String>>;
}
