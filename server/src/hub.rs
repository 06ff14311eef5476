//! The real-time hub: finds the running room of a gathering, starting it
//! from storage on first use.
//!
//! The map sits behind a `std::sync::Mutex`: it is held only to look up or
//! insert a handle, never across an `.await`. Starting a room (which reads
//! the log) happens outside the lock; if two requests race to start the same
//! room, the first one inserted wins and the other is dropped unused.

use crate::room::{self, RoomHandle};
use crate::store::{GatheringRow, Store, StoreError};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

#[derive(Clone)]
pub struct Hub {
    store: Store,
    rooms: Arc<Mutex<HashMap<String, RoomHandle>>>,
    /// Passed to every room: see `room::start`.
    lag_limit: usize,
}

impl Hub {
    pub fn new(store: Store, lag_limit: usize) -> Self {
        Self {
            store,
            rooms: Arc::default(),
            lag_limit,
        }
    }

    /// The running room of a gathering.
    pub async fn room(&self, row: &GatheringRow) -> Result<RoomHandle, StoreError> {
        if let Some(handle) = self.running(&row.id) {
            return Ok(handle);
        }
        let started = room::start(self.store.clone(), row.clone(), self.lag_limit).await?;
        let mut rooms = self
            .rooms
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let handle = rooms
            .entry(row.id.clone())
            .and_modify(|h| {
                if h.is_closed() {
                    *h = started.clone();
                }
            })
            .or_insert(started);
        Ok(handle.clone())
    }

    /// Ends a gathering's running room, if it has one, and forgets it:
    /// every connection to it closes. For a gathering just deleted.
    pub async fn evict(&self, id: &str) {
        let handle = self
            .rooms
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .remove(id);
        if let Some(handle) = handle {
            handle.close().await;
        }
    }

    fn running(&self, id: &str) -> Option<RoomHandle> {
        let rooms = self
            .rooms
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        rooms.get(id).filter(|h| !h.is_closed()).cloned()
    }
}
