//! A few connections for reads and for the operations that are no room's.
//!
//! The same shape as the SQLite readers (`sqlite/readers.rs`): a semaphore
//! bounds how many run at once (a burst of lookups after a restart waits
//! here instead of opening a connection each), and connections are kept
//! between uses. A connection that broke (the database restarted) is
//! dropped rather than kept, and the next use opens a fresh one, so the
//! pool recovers by itself when the database comes back. Small enough to
//! hold here rather than take a pool crate for it.

use super::Target;
use crate::storage::StorageError;
use std::ops::{Deref, DerefMut};
use std::sync::{Arc, Mutex, PoisonError};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio_postgres::Client;

/// The most connections in use at once, and the most kept idle.
const SIZE: usize = 8;

/// The pool's connections to one database.
pub struct Pool {
    target: Target,
    idle: Arc<Mutex<Vec<Client>>>,
    permits: Arc<Semaphore>,
}

/// A connection taken from the pool; it goes back when dropped, if it is
/// still open.
pub struct Pooled {
    client: Option<Client>,
    idle: Arc<Mutex<Vec<Client>>>,
    _permit: OwnedSemaphorePermit,
}

impl Pool {
    pub fn new(target: Target) -> Self {
        Self {
            target,
            idle: Arc::default(),
            permits: Arc::new(Semaphore::new(SIZE)),
        }
    }

    /// Keeps an open connection for later use.
    pub fn put(&self, client: Client) {
        // Held only to pop or push, and nothing there can panic.
        let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        if idle.len() < SIZE {
            idle.push(client);
        }
    }

    /// A connection: a kept one that is still open, or a new one.
    pub async fn get(&self) -> Result<Pooled, StorageError> {
        let permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| StorageError::Unreadable("the connection pool has closed".into()))?;
        let kept = loop {
            let next = self
                .idle
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .pop();
            match next {
                Some(client) if client.is_closed() => continue,
                other => break other,
            }
        };
        let client = match kept {
            Some(client) => client,
            None => self.target.connect().await?,
        };
        Ok(Pooled {
            client: Some(client),
            idle: self.idle.clone(),
            _permit: permit,
        })
    }
}

impl Deref for Pooled {
    type Target = Client;
    fn deref(&self) -> &Client {
        // `client` is `None` only inside `drop`.
        self.client.as_ref().unwrap_or_else(|| unreachable!())
    }
}

impl DerefMut for Pooled {
    fn deref_mut(&mut self) -> &mut Client {
        self.client.as_mut().unwrap_or_else(|| unreachable!())
    }
}

impl Drop for Pooled {
    fn drop(&mut self) {
        // A transaction left open by a failed operation is rolled back by
        // tokio-postgres when its `Transaction` is dropped, before the
        // connection's next use, so any open connection may be kept.
        if let Some(client) = self.client.take().filter(|c| !c.is_closed()) {
            self.idle
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(client);
        }
    }
}
