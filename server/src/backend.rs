//! The data behind each server-rendered page (the `Backend` the app asks).

use crate::room::{Actor, EntryError, PageView};
use crate::secrets;
use crate::state::{AppState, ReachError};
use crate::storage::Lookup;
use app::api::{Backend, BoxFuture, PageError};
use hearth_core::page::{
    ConsolePage, HarvestPage, ParticipantPage, ScreenPage, StartInfo, TemplateSummary,
};

impl From<ReachError> for PageError {
    fn from(e: ReachError) -> Self {
        match e {
            ReachError::NotFound => PageError::NotFound,
            ReachError::Unavailable(e) => {
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
            let PageView {
                at,
                gathering,
                now,
                queue,
                ..
            } = room.view(Actor::Facilitator).await?;
            let entry = self.entry(&row).ok_or(PageError::Ended)?;
            // The co-facilitator's link opens this same console; from it,
            // the link shown is itself (the main link stays private).
            let co = match &row.cofacilitator_hash {
                Some(hash) if *hash == secrets::hash(&secret) => secret.clone(),
                _ => cofacilitator_secret(&secret),
            };
            let base = &self.config.public_url;
            Ok(ConsolePage {
                at,
                gathering: std::sync::Arc::unwrap_or_clone(gathering),
                now,
                entry,
                cofacilitator_url: format!("{base}/console/{co}"),
                screen_url: format!("{base}/screen/{}", screen_secret(&co)),
                queue,
            })
        })
    }

    fn screen(&self, secret: String) -> BoxFuture<'_, Result<ScreenPage, PageError>> {
        Box::pin(async move {
            let (row, room) = self
                .reach(Lookup::ScreenHash(&secrets::hash(&secret)))
                .await?;
            let PageView {
                at, gathering, now, ..
            } = room.view(Actor::Screen).await?;
            let entry = self.entry(&row).ok_or(PageError::Ended)?;
            Ok(ScreenPage {
                at,
                gathering: std::sync::Arc::unwrap_or_clone(gathering),
                now,
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
            // Without one, they see what the screen sees.
            let actor = match &device {
                Some(device) => Actor::Participant(secrets::author(&row.salt, device)),
                None => Actor::Screen,
            };
            let PageView {
                at,
                gathering,
                mine,
                marks,
                group,
                now,
                ballot,
                ..
            } = room.view(actor).await?;
            if let (Some(device), Some(code)) = (&device, &row.code) {
                // This phone is in: typing the code later is no guess.
                self.joins
                    .remember(device, code.as_str(), std::time::Instant::now());
            }
            let gathering = gathering.for_phone(|card| mine.iter().any(|c| &c.id == card));
            Ok(ParticipantPage {
                at,
                gathering,
                mine,
                marks,
                now,
                form_id: secrets::action_id(),
                ballot,
                group,
            })
        })
    }

    fn harvest(
        &self,
        secret: String,
        hidden: bool,
    ) -> BoxFuture<'_, Result<HarvestPage, PageError>> {
        Box::pin(async move {
            let (_, room) = self
                .reach(Lookup::ConsoleHash(&secrets::hash(&secret)))
                .await?;
            let page = room.view(Actor::Facilitator).await?;
            let mut view = std::sync::Arc::unwrap_or_clone(page.gathering);
            if hidden {
                // Asked for: they are part of the record this time.
                view.cards.iter_mut().for_each(|c| c.hidden = false);
            } else {
                view.cards.retain(|c| !c.hidden);
            }
            Ok(HarvestPage {
                gathering: view,
                now: page.now,
            })
        })
    }

    fn start(&self) -> BoxFuture<'_, Result<StartInfo, PageError>> {
        Box::pin(async move {
            let templates = self.store.templates().await.map_err(|e| {
                tracing::error!("reading templates failed: {e}");
                PageError::Unavailable
            })?;
            Ok(StartInfo {
                passphrase_required: self.config.organiser_passphrase.is_some(),
                templates: templates
                    .into_iter()
                    .map(|t| TemplateSummary {
                        id: t.id,
                        name: t.name,
                        steps: t.agenda.len(),
                    })
                    .collect(),
            })
        })
    }
}

/// The co-facilitator secret that belongs to a console secret: a one-way
/// hash, so the co-facilitator's link never reveals the facilitator's.
pub fn cofacilitator_secret(console_secret: &str) -> String {
    secrets::hash(&format!("cofacilitator:{console_secret}"))[..40].to_owned()
}

/// The screen secret that belongs to a co-facilitator secret: a one-way
/// hash, so the screen link never opens a console. Deriving it from the
/// co-facilitator's secret lets both consoles show it without storing it.
pub fn screen_secret(cofacilitator_secret: &str) -> String {
    secrets::hash(&format!("screen:{cofacilitator_secret}"))[..40].to_owned()
}
