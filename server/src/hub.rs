//! The real-time hub: finds the running room of a gathering, starting it
//! from storage on first use.
//!
//! Each gathering has one slot. A slot is filled once: however many
//! connections ask for a room that is not running (two thousand phones
//! reconnecting after a restart), the first starts it and the others wait
//! for that same start, so the room is loaded from storage once. A start
//! that fails leaves the slot empty for the next request to try again.
//!
//! The map sits behind a `std::sync::Mutex`: it is held only to look up or
//! insert a slot, never across an `.await`. Loading happens outside it.

use crate::room::{self, RoomHandle, Settings};
use crate::store::{GatheringRow, Store, StoreError};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::OnceCell;

/// Where one gathering's running room is, once it has started.
type Slot = Arc<OnceCell<RoomHandle>>;

#[derive(Clone)]
pub struct Hub {
    store: Store,
    rooms: Arc<Mutex<HashMap<String, Slot>>>,
    /// Passed to every room: see `room::start`.
    settings: Settings,
}

impl Hub {
    pub fn new(store: Store, settings: Settings) -> Self {
        Self {
            store,
            rooms: Arc::default(),
            settings,
        }
    }

    /// The running room of a gathering, started from storage if it is not
    /// running.
    pub async fn room(&self, row: &GatheringRow) -> Result<RoomHandle, StoreError> {
        let slot = self.slot(&row.id);
        let handle = slot
            .get_or_try_init(|| room::start(self.store.clone(), row.clone(), self.settings))
            .await?;
        Ok(handle.clone())
    }

    /// The slot of a gathering: the running room's, or a fresh one in
    /// place of a room that has stopped (idle, or closed).
    fn slot(&self, id: &str) -> Slot {
        let mut rooms = self
            .rooms
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let slot = rooms.entry(id.to_owned()).or_default();
        if slot.get().is_some_and(RoomHandle::is_closed) {
            *slot = Slot::default();
        }
        slot.clone()
    }

    /// Ends a gathering's running room, if it has one, and forgets it:
    /// every connection to it closes. For a gathering just deleted.
    pub async fn evict(&self, id: &str) {
        let slot = self
            .rooms
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .remove(id);
        if let Some(handle) = slot.as_ref().and_then(|s| s.get()) {
            handle.close().await;
        }
    }
}
