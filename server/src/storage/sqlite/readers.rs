//! A few read-only connections, used on blocking threads.
//!
//! rusqlite blocks, so every read runs on tokio's blocking pool, never on
//! the threads that serve sockets. A semaphore bounds how many reads run
//! at once (a burst of lookups after a restart waits here, asleep, instead
//! of opening a connection each), and the connections are kept between
//! reads, each with its cached statements.

use super::{connect, Access};
use crate::storage::StorageError;
use rusqlite::Connection;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use tokio::sync::Semaphore;

/// The most reads at once, and the most idle connections kept.
const READERS: usize = 8;

/// The read-only connections to one database file.
pub struct Readers {
    file: PathBuf,
    idle: Arc<Mutex<Vec<Connection>>>,
    permits: Arc<Semaphore>,
}

impl Readers {
    /// Readers of the database file at `file` (opened as they are needed).
    pub fn new(file: PathBuf) -> Self {
        Self {
            file,
            idle: Arc::default(),
            permits: Arc::new(Semaphore::new(READERS)),
        }
    }

    /// Runs `read` on a read-only connection, on a blocking thread.
    pub async fn read<T, F>(&self, read: F) -> Result<T, StorageError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, StorageError> + Send + 'static,
    {
        let permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| StorageError::Unreadable("the readers have closed".into()))?;
        let (file, idle) = (self.file.clone(), self.idle.clone());
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            // Held only to pop or push, and nothing there can panic.
            let kept = idle.lock().unwrap_or_else(PoisonError::into_inner).pop();
            let mut db = match kept {
                Some(db) => db,
                None => connect(&file, Access::Read)?,
            };
            let answer = read(&mut db);
            // A connection is kept only if it is not left inside a
            // transaction by a failed read.
            if db.is_autocommit() {
                idle.lock().unwrap_or_else(PoisonError::into_inner).push(db);
            }
            answer
        })
        .await
        .map_err(|e| StorageError::Unreadable(format!("a read stopped: {e}")))?
    }
}
