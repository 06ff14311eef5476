//! Retention: gatherings are kept for the period the instance sets, then
//! deleted with everything in them.
//!
//! Once at start and then every hour, every gathering created longer ago
//! than the retention period is deleted in one go (storage also clears
//! the copies it keeps on the side, see `Storage::delete_created_before`),
//! and any of them still running is ended, its connections closed.

use crate::hub::Hub;
use crate::storage::{unix_now, StorageError, Store};
use std::time::Duration;

/// How often old gatherings are looked for.
const EVERY: Duration = Duration::from_secs(60 * 60);

/// Runs the retention sweep for as long as the server runs.
pub fn spawn(store: Store, hub: Hub, keep: Duration) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            // The first tick is at once: a server started after a long
            // pause deletes what is overdue before anyone opens it.
            tick.tick().await;
            match sweep(&store, &hub, keep).await {
                Ok(0) => {}
                Ok(n) => tracing::info!("deleted {n} gatherings past the retention period"),
                Err(e) => tracing::error!("deleting old gatherings failed: {e}"),
            }
        }
    });
}

/// Deletes every gathering older than `keep`; returns how many.
pub async fn sweep(store: &Store, hub: &Hub, keep: Duration) -> Result<usize, StorageError> {
    let keep = i64::try_from(keep.as_secs()).unwrap_or(i64::MAX);
    let before = unix_now().saturating_sub(keep);
    let old = store.delete_created_before(before).await?;
    for id in &old {
        hub.forget(id).await;
    }
    Ok(old.len())
}
