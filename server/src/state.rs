//! The state every handler shares: a cheap handle (clones are `Arc` bumps).

use crate::config::Config;
use crate::hub::Hub;
use crate::room::RoomHandle;
use crate::storage::{GatheringRow, Lookup, Store};
use crate::throttle::{self, Limits, Throttle};
use axum::extract::FromRef;
use axum::http::HeaderMap;
use leptos::config::LeptosOptions;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub store: Store,
    pub hub: Hub,
    /// Wrong join codes, per address and overall.
    pub joins: Throttle,
    /// Wrong organiser passphrases, per address and overall.
    pub organisers: Throttle,
    /// What every phone of a room is sent, made once per change.
    pub shared_parts: Arc<crate::phone_parts::SharedParts>,
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
    /// It exists, but its room cannot be reached just now.
    #[error(transparent)]
    Unavailable(#[from] crate::hub::RoomError),
}

impl From<crate::storage::StorageError> for ReachError {
    fn from(e: crate::storage::StorageError) -> Self {
        ReachError::Unavailable(e.into())
    }
}

impl AppState {
    pub fn new(config: Config, store: Store, hub: Hub) -> Self {
        let now = std::time::Instant::now();
        Self {
            config: Arc::new(config),
            store,
            hub,
            joins: Throttle::new(Limits::JOIN, now),
            organisers: Throttle::new(Limits::PASSPHRASE, now),
            shared_parts: Arc::default(),
        }
    }

    /// The address a request came from, for throttling (memory only).
    pub fn source(&self, peer: SocketAddr, headers: &HeaderMap) -> IpAddr {
        throttle::source(peer, headers, self.config.trust_forwarded_for)
    }

    /// Finds a gathering and its running room.
    pub async fn reach(
        &self,
        lookup: Lookup<'_>,
    ) -> Result<(Arc<GatheringRow>, RoomHandle), ReachError> {
        let row = self.hub.find(lookup).await?.ok_or(ReachError::NotFound)?;
        let room = self.hub.room(&row).await?;
        Ok((row, room))
    }

    /// The participant link: what the QR code holds.
    pub fn join_url(&self, row: &GatheringRow) -> String {
        format!("{}/p/{}", self.config.public_url, row.join_token)
    }

    /// The links and code that let people into a gathering.
    pub fn entry(&self, row: &GatheringRow) -> Option<hearth_core::page::Entry> {
        Some(hearth_core::page::Entry {
            code: row.code.clone()?,
            short_url: self.config.short_url().to_owned(),
            join_url: self.join_url(row),
            qr_path: format!("/qr/{}", row.join_token),
        })
    }
}
