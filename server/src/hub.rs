//! The real-time hub: finds the running room of a gathering, starting it
//! from storage on first use.
//!
//! Each gathering has one slot. A slot is filled once: however many
//! connections ask for a room that is not running (two thousand phones
//! reconnecting after a restart), the first starts it and the others wait
//! for that same start, so the room is loaded from storage once. A start
//! that fails leaves the slot empty for the next request to try again.
//!
//! It also remembers the gatherings it has found by their keys (a secret's
//! hash, the join token, the code). A gathering's row never changes after
//! it is created, and every page a phone fetches and every form it posts
//! starts by finding its gathering: in a hall that is thousands of lookups
//! after each reveal, which would otherwise queue for the database's few
//! connections ahead of the posts themselves. A deleted gathering is
//! forgotten at once, and never remembered again.
//!
//! The maps sit behind `std::sync::Mutex`es: each is held only to look up
//! or insert, never across an `.await`. Loading happens outside them.
//!
//! In a cluster (`cluster/`), starting a room means taking the
//! gathering's lease first; when another node holds it, the slot holds a
//! relay of that node's room instead (`room::relay`). Either way the rest
//! of the server holds a `RoomHandle` and cannot tell the two apart.

use crate::cluster::Cluster;
use crate::room::{self, RoomHandle, Settings};
use crate::storage::{GatheringRow, Lookup, StorageError, Store};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use tokio::sync::OnceCell;

/// Where one gathering's running room is, once it has started.
type Slot = Arc<OnceCell<RoomHandle>>;

/// Lookups remembered at most; past it the memory starts afresh.
const FOUND_MAX: usize = 20_000;

/// Gatherings found by their keys, and the ones deleted since.
#[derive(Default)]
struct Found {
    rows: HashMap<String, Arc<GatheringRow>>,
    /// Deleted gatherings' ids: a lookup that raced the deletion must not
    /// bring them back.
    gone: HashSet<String>,
}

#[derive(Clone)]
pub struct Hub {
    store: Store,
    rooms: Arc<Mutex<HashMap<String, Slot>>>,
    found: Arc<Mutex<Found>>,
    /// Passed to every room: see `room::start`.
    settings: Settings,
    /// This node's cluster, when several nodes share the database.
    cluster: Option<Arc<Cluster>>,
}

/// Why a gathering's room could not be had.
#[derive(Debug, thiserror::Error)]
pub enum RoomError {
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error(transparent)]
    Relay(#[from] room::relay::Unreachable),
    /// Its lease is held by a node that is not registered any more (it
    /// died): the lease must run out before another node may take it.
    #[error("the node that owned gathering {0} is gone; another node takes over once its lease runs out")]
    OwnerGone(String),
}

/// Why a node was not given a room it was asked for as the owner.
#[derive(Debug, thiserror::Error)]
pub enum Owned {
    #[error("no such gathering")]
    NotFound,
    #[error("another node owns the gathering")]
    Elsewhere,
    #[error(transparent)]
    Storage(#[from] RoomError),
}

impl Hub {
    pub fn new(store: Store, settings: Settings, cluster: Option<Arc<Cluster>>) -> Self {
        Self {
            store,
            rooms: Arc::default(),
            found: Arc::default(),
            settings,
            cluster,
        }
    }

    /// This node's cluster, if it is one of several.
    pub fn cluster(&self) -> Option<&Arc<Cluster>> {
        self.cluster.as_ref()
    }

    /// The gathering a lookup finds, from memory when it was found before.
    pub async fn find(
        &self,
        lookup: Lookup<'_>,
    ) -> Result<Option<Arc<GatheringRow>>, StorageError> {
        let key = lookup.key();
        if let Some(row) = lock(&self.found).rows.get(&key) {
            return Ok(Some(row.clone()));
        }
        let Some(row) = self.store.find_gathering(lookup).await? else {
            return Ok(None);
        };
        let row = Arc::new(row);
        let mut found = lock(&self.found);
        if found.gone.contains(&row.id) {
            return Ok(None);
        }
        if found.rows.len() >= FOUND_MAX {
            found.rows.clear();
        }
        found.rows.insert(key, row.clone());
        Ok(Some(row))
    }

    /// The running room of a gathering, started from storage if it is not
    /// running.
    pub async fn room(&self, row: &GatheringRow) -> Result<RoomHandle, RoomError> {
        let slot = self.slot(&row.id);
        let handle = slot.get_or_try_init(|| self.open(row)).await?;
        Ok(handle.clone())
    }

    /// Starts a gathering's room here, or, in a cluster where another node
    /// owns it, relays that node's room.
    async fn open(&self, row: &GatheringRow) -> Result<RoomHandle, RoomError> {
        let Some(cluster) = &self.cluster else {
            return Ok(room::start(self.store.clone(), row.clone(), self.settings, None).await?);
        };
        if let Some(lease) = cluster.take(&row.id).await? {
            let started = room::start(
                self.store.clone(),
                row.clone(),
                self.settings,
                Some(lease.token),
            )
            .await;
            return match started {
                Ok(handle) => {
                    tracing::info!(gathering = %row.id, token = lease.token, "this node owns the gathering now");
                    cluster.keep(lease, handle.stopper());
                    Ok(handle)
                }
                Err(e) => {
                    cluster.release(&lease).await;
                    Err(e.into())
                }
            };
        }
        match cluster.owner(&row.id).await? {
            Some(owner) if owner.node != cluster.node => {
                Ok(room::relay::start(cluster.link(&owner, &row.id), self.settings).await?)
            }
            _ => Err(RoomError::OwnerGone(row.id.clone())),
        }
    }

    /// The room of a gathering by its id, if this node owns it (starting
    /// it, if nobody does): what another node's relay asks for.
    pub async fn owned(&self, id: &str) -> Result<RoomHandle, Owned> {
        let row = self
            .find(Lookup::Id(id))
            .await
            .map_err(RoomError::from)?
            .ok_or(Owned::NotFound)?;
        let room = self.room(&row).await?;
        if room.is_local() {
            Ok(room)
        } else {
            Err(Owned::Elsewhere)
        }
    }

    /// Forgets a gathering just deleted, here and on every other node of
    /// the cluster (see `evict`). The others are told its id's hash, not
    /// the id: the announcement passes through the database's files, where
    /// nothing of a deleted gathering may stay.
    pub async fn forget(&self, id: &str) {
        self.evict(id).await;
        if let Some(cluster) = &self.cluster {
            cluster.announce_gone(&crate::secrets::hash(id)).await;
        }
    }

    /// Forgets the gathering another node announced gone (by its id's
    /// hash), if this node knows it.
    pub async fn forget_announced(&self, hash: &str) {
        let known = {
            let rooms = lock(&self.rooms);
            let found = lock(&self.found);
            rooms
                .keys()
                .cloned()
                .chain(found.rows.values().map(|row| row.id.clone()))
                .find(|id| crate::secrets::hash(id) == hash)
        };
        if let Some(id) = known {
            self.evict(&id).await;
        }
    }

    /// The slot of a gathering: the running room's, or a fresh one in
    /// place of a room that has stopped (idle, or closed).
    fn slot(&self, id: &str) -> Slot {
        let mut rooms = lock(&self.rooms);
        let slot = rooms.entry(id.to_owned()).or_default();
        if slot.get().is_some_and(RoomHandle::is_closed) {
            *slot = Slot::default();
        }
        slot.clone()
    }

    /// Ends a gathering's running room, if it has one, and forgets it:
    /// every connection to it closes, and no lookup finds it again. For a
    /// gathering just deleted.
    pub async fn evict(&self, id: &str) {
        {
            let mut found = lock(&self.found);
            found.rows.retain(|_, row| row.id != id);
            if found.gone.len() >= FOUND_MAX {
                found.gone.clear();
            }
            found.gone.insert(id.to_owned());
        }
        let slot = lock(&self.rooms).remove(id);
        if let Some(handle) = slot.as_ref().and_then(|s| s.get()) {
            handle.close().await;
        }
    }
}

/// Takes a lock, past a panic elsewhere: the maps stay usable.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::NewGathering;
    use hearth_core::gathering::GatheringView;
    use hearth_core::ids::JoinCode;

    type TestResult<T = ()> = Result<T, Box<dyn std::error::Error>>;

    const TOKEN: &str = "join-token";

    /// A hub over a fresh store in `dir` holding one gathering, and that
    /// gathering as found by its join token.
    async fn hub_with_one(dir: &std::path::Path) -> TestResult<(Hub, Arc<GatheringRow>)> {
        let store = crate::storage::open(&dir.join("hub.db").display().to_string()).await?;
        store
            .create_gathering(NewGathering {
                id: "g1".into(),
                console_hash: "console".into(),
                cofacilitator_hash: "co".into(),
                screen_hash: "screen".into(),
                join_token: TOKEN.into(),
                code: JoinCode::from_indices([0; hearth_core::ids::JOIN_CODE_LEN]),
                salt: vec![1, 2, 3],
                epoch: 1,
                genesis: GatheringView::new("A gathering".into(), Vec::new()),
                created_at: 0,
            })
            .await?;
        let settings = Settings {
            lag_limit: 16,
            checkpoint_every: 256,
        };
        let hub = Hub::new(store, settings, None);
        let row = hub.find(Lookup::JoinToken(TOKEN)).await?;
        let row = row.ok_or("the gathering is not found")?;
        Ok((hub, row))
    }

    #[tokio::test]
    async fn a_room_starts_once_however_many_ask_for_it_at_once() -> TestResult {
        let dir = tempfile::tempdir()?;
        let (hub, row) = hub_with_one(dir.path()).await?;
        let asks = (0..40).map(|_| hub.room(&row));
        let rooms = futures_util::future::join_all(asks).await;
        let rooms: Vec<RoomHandle> = rooms.into_iter().collect::<Result<_, _>>()?;
        assert!(rooms.iter().all(|r| r.same_room(&rooms[0])));
        // Asked again later, it is the same room still.
        assert!(hub.room(&row).await?.same_room(&rooms[0]));
        Ok(())
    }

    #[tokio::test]
    async fn an_evicted_gathering_is_never_found_again() -> TestResult {
        let dir = tempfile::tempdir()?;
        let (hub, row) = hub_with_one(dir.path()).await?;
        let first = hub.room(&row).await?;
        hub.evict(&row.id).await;
        // Storage still holds the row here: a lookup that raced the
        // deletion must not bring it back.
        assert!(hub.find(Lookup::JoinToken(TOKEN)).await?.is_none());
        // A room asked for afterwards is a fresh start, not the closed one.
        assert!(!hub.room(&row).await?.same_room(&first));
        Ok(())
    }
}
