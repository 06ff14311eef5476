//! The state every handler shares: a cheap handle (clones are `Arc` bumps).

use crate::config::Config;
use crate::hub::Hub;
use crate::room::RoomHandle;
use crate::store::{GatheringRow, Lookup, Store};
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub store: Store,
    pub hub: Hub,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.config.leptos.clone()
    }
}

/// Why a gathering could not be reached.
#[derive(Debug, thiserror::Error)]
pub enum ReachError {
    #[error("no such gathering")]
    NotFound,
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}

impl AppState {
    /// Finds a gathering and its running room.
    pub async fn reach(
        &self,
        lookup: Lookup<'_>,
    ) -> Result<(GatheringRow, RoomHandle), ReachError> {
        let row = self.store.find(lookup).await?.ok_or(ReachError::NotFound)?;
        let room = self.hub.room(&row).await?;
        Ok((row, room))
    }

    /// The links and code that let people into a gathering.
    pub fn entry(&self, row: &GatheringRow) -> Option<app::api::Entry> {
        Some(app::api::Entry {
            code: row.code.clone()?,
            short_url: self.config.short_url().to_owned(),
            join_url: format!("{}/p/{}", self.config.public_url, row.join_token),
            qr_path: format!("/qr/{}", row.join_token),
        })
    }
}
