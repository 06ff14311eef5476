//! The data behind each server-rendered page (the `Backend` the app asks).

use crate::room::{EntryError, PageView};
use crate::secrets;
use crate::state::{AppState, ReachError};
use crate::store::Lookup;
use app::api::{
    Backend, BoxFuture, ConsolePage, PageError, ParticipantPage, ScreenPage, StartInfo,
};
use app::ids::ActionId;

impl From<ReachError> for PageError {
    fn from(e: ReachError) -> Self {
        match e {
            ReachError::NotFound => PageError::NotFound,
            ReachError::Store(e) => {
                tracing::error!("loading a page failed: {e}");
                PageError::Unavailable
            }
        }
    }
}

impl From<EntryError> for PageError {
    fn from(e: EntryError) -> Self {
        match e {
            EntryError::Ended => PageError::Ended,
            EntryError::Locked => PageError::Locked,
            EntryError::Unavailable => PageError::Unavailable,
        }
    }
}

impl Backend for AppState {
    fn console(&self, secret: String) -> BoxFuture<'_, Result<ConsolePage, PageError>> {
        Box::pin(async move {
            let (row, room) = self
                .reach(Lookup::ConsoleHash(&secrets::hash(&secret)))
                .await?;
            let PageView { at, gathering, .. } = room.view(None).await?;
            let entry = self.entry(&row).ok_or(PageError::Ended)?;
            Ok(ConsolePage {
                at,
                gathering,
                entry,
                console_url: format!("{}/console/{secret}", self.config.public_url),
                screen_url: screen_url(self, &secret),
            })
        })
    }

    fn screen(&self, secret: String) -> BoxFuture<'_, Result<ScreenPage, PageError>> {
        Box::pin(async move {
            let (row, room) = self
                .reach(Lookup::ScreenHash(&secrets::hash(&secret)))
                .await?;
            let PageView { at, gathering, .. } = room.view(None).await?;
            let entry = self.entry(&row).ok_or(PageError::Ended)?;
            Ok(ScreenPage {
                at,
                gathering,
                entry,
            })
        })
    }

    fn participant(
        &self,
        token: String,
        device: Option<String>,
    ) -> BoxFuture<'_, Result<ParticipantPage, PageError>> {
        Box::pin(async move {
            let (row, room) = self.reach(Lookup::JoinToken(&token)).await?;
            // The device cookie is set on every participant page; without it
            // (cookies refused) the page still shows, but nothing is "mine".
            let author = device.map(|device| secrets::author(&row.salt, &device));
            let PageView {
                at,
                gathering,
                mine,
            } = room.view(author).await?;
            Ok(ParticipantPage {
                at,
                gathering,
                mine,
                form_id: ActionId::from_random(
                    u128::from(secrets::random_u64()) << 64 | u128::from(secrets::random_u64()),
                ),
            })
        })
    }

    fn start(&self) -> StartInfo {
        StartInfo {
            passphrase_required: self.config.organiser_passphrase.is_some(),
        }
    }
}

/// The screen link for a console secret. The screen secret is derived from
/// the console secret, so the console can show it without storing it.
pub fn screen_url(state: &AppState, console_secret: &str) -> String {
    format!(
        "{}/screen/{}",
        state.config.public_url,
        screen_secret(console_secret)
    )
}

/// The screen secret that belongs to a console secret: a one-way hash, so
/// the screen link never opens the console.
pub fn screen_secret(console_secret: &str) -> String {
    secrets::hash(&format!("screen:{console_secret}"))[..40].to_owned()
}
