//! Starting a gathering from a JSON export: the same agenda and, when the
//! facilitator asks, the same cards (already revealed, as they were).
//!
//! The file is read whole and checked before anything is created: its
//! format and version, every step's settings, every card's words and
//! place. Imported cards have no author in the new gathering (nobody can
//! withdraw them there; the facilitator can hide them), and they keep no
//! link to the gathering they came from: each gets a new id.

use crate::export::{GatheringExport, StepExport, JSON_FORMAT, JSON_VERSION};
use crate::forms::{open_console, organiser_refused};
use crate::state::AppState;
use app::pages::start::GatheringName;
use axum::extract::{ConnectInfo, Multipart, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use hearth_core::exercise::{Place, MAX_STEPS};
use hearth_core::gathering::{Card, GatheringView};
use hearth_core::ids::CardId;
use hearth_core::map::{Arrangement, MAX_LINKS, MAX_THEMES};
use hearth_core::reflection::ReflectionText;
use hearth_core::words::WordsError;
use std::collections::HashMap;
use std::net::SocketAddr;

/// The largest export file accepted.
pub const IMPORT_LIMIT: usize = 2 * 1024 * 1024;

/// Why an export cannot start a gathering. Each is said on the start page
/// as `?error=<slug>`.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    #[error("the file is not a Hearth gathering export")]
    NotHearth,
    #[error("the export is from a newer Hearth")]
    Version,
    #[error("the export holds something this Hearth cannot use: {0}")]
    Invalid(&'static str),
}

impl ImportError {
    fn slug(&self) -> &'static str {
        match self {
            ImportError::NotHearth => "import_foreign",
            ImportError::Version => "import_version",
            ImportError::Invalid(_) => "import_invalid",
        }
    }
}

/// The first state of a gathering started from `file`: its agenda, and
/// its cards if `with_cards`. `name` replaces the export's title when given.
pub fn genesis(file: &[u8], name: &str, with_cards: bool) -> Result<GatheringView, ImportError> {
    let value: serde_json::Value =
        serde_json::from_slice(file).map_err(|_| ImportError::NotHearth)?;
    if value.get("format").and_then(|f| f.as_str()) != Some(JSON_FORMAT) {
        return Err(ImportError::NotHearth);
    }
    if value.get("version").and_then(|v| v.as_u64()) != Some(u64::from(JSON_VERSION)) {
        return Err(ImportError::Version);
    }
    let export: GatheringExport =
        serde_json::from_value(value).map_err(|_| ImportError::Invalid("a step or a card"))?;
    // A new name when one is given; otherwise the export's own.
    let title = match GatheringName::parse(name) {
        Err(WordsError::Missing) => GatheringName::parse(&export.title),
        given => given,
    }
    .map_err(|_| ImportError::Invalid("the name"))?;
    if export.steps.is_empty() || export.steps.len() > MAX_STEPS {
        return Err(ImportError::Invalid("the number of steps"));
    }
    for step in &export.steps {
        step.spec
            .exercise
            .check()
            .map_err(|_| ImportError::Invalid("a step's settings"))?;
        if step.arrangement.themes.len() > MAX_THEMES || step.arrangement.links.len() > MAX_LINKS {
            return Err(ImportError::Invalid("a map's themes"));
        }
    }
    let mut view = GatheringView::new(
        title.into(),
        export.steps.iter().map(|s| s.spec.clone()).collect(),
    );
    if !with_cards {
        return Ok(view);
    }
    for (i, step) in export.steps.iter().enumerate() {
        let id = view.steps[i].id;
        // New ids, so nothing points back at the first gathering.
        let renamed: HashMap<&CardId, CardId> = step
            .cards
            .iter()
            .map(|c| (&c.id, CardId::from_random(crate::secrets::random_u64())))
            .collect();
        let mut cards: Vec<Card> = Vec::with_capacity(step.cards.len());
        for card in &step.cards {
            let text = ReflectionText::parse(&card.text)
                .map_err(|_| ImportError::Invalid("a card's words"))?;
            let place = match &card.place {
                Place::Under { card: story } => Place::Under {
                    card: renamed
                        .get(story)
                        .cloned()
                        .ok_or(ImportError::Invalid("a reframe without its story"))?,
                },
                other => other.clone(),
            };
            let stories: Vec<&CardId> = cards
                .iter()
                .filter(|c| c.under().is_none())
                .map(|c| &c.id)
                .collect();
            step.spec
                .exercise
                .accepts(&place, |c| stories.contains(&c))
                .map_err(|_| ImportError::Invalid("where a card sits"))?;
            cards.push(Card {
                id: renamed
                    .get(&card.id)
                    .cloned()
                    .ok_or(ImportError::Invalid("a card's id"))?,
                step: id,
                text: text.into(),
                place,
                hidden: card.hidden,
                blurred: card.blurred,
            });
        }
        view.cards.extend(cards);
        view.steps[i].arrangement = carried_arrangement(step, &renamed);
    }
    Ok(view)
}

/// A map's arrangement for the new gathering: its themes and links as they
/// were, its cards under their new ids, and each card pinned where the
/// first room placed it (the placements themselves were people's, and stay
/// behind), so the map starts as that room left it.
fn carried_arrangement(step: &StepExport, renamed: &HashMap<&CardId, CardId>) -> Arrangement {
    if step.spec.exercise.axes().is_none() {
        return Arrangement::default();
    }
    let old = &step.arrangement;
    let mut new = Arrangement {
        themes: old.themes.clone(),
        links: old
            .links
            .iter()
            .filter(|l| old.theme(l.from).is_some() && old.theme(l.to).is_some())
            .cloned()
            .collect(),
        ..Arrangement::default()
    };
    for (was, now) in renamed {
        let pin = old
            .pins
            .get(*was)
            .copied()
            .or_else(|| step.totals.place(was).at())
            .filter(|p| p.on_map());
        if let Some(pin) = pin {
            new.pins.insert(now.clone(), pin);
        }
        if let Some(theme) = old.members.get(*was).filter(|t| old.theme(**t).is_some()) {
            new.members.insert(now.clone(), *theme);
        }
    }
    new
}

/// `POST /start/import`: a multipart form with the export (`file`), an
/// optional new `name`, `cards` when its cards come along, and the
/// organiser `passphrase` where the instance asks for one.
pub async fn start(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    mut form: Multipart,
) -> Response {
    let back = |slug: &str| Redirect::to(&format!("/start?error={slug}")).into_response();
    let (mut file, mut name, mut cards, mut passphrase) =
        (Vec::new(), String::new(), false, String::new());
    loop {
        match form.next_field().await {
            Ok(Some(field)) => {
                let key = field.name().unwrap_or_default().to_owned();
                let Ok(bytes) = field.bytes().await else {
                    return back("import_foreign");
                };
                // Words must be UTF-8 as sent: never patched with
                // replacement characters.
                let text = || String::from_utf8(bytes.to_vec());
                match key.as_str() {
                    "file" => file = bytes.to_vec(),
                    "name" => match text() {
                        Ok(text) => name = text,
                        Err(_) => return back(ImportError::Invalid("the name").slug()),
                    },
                    "cards" => cards = !bytes.is_empty(),
                    // Not UTF-8, it matches no passphrase: left empty, it is refused.
                    "passphrase" => passphrase = text().unwrap_or_default(),
                    _ => {}
                }
            }
            Ok(None) => break,
            Err(_) => return back("import_foreign"),
        }
    }
    if let Some(refused) = organiser_refused(&state, peer, &headers, &passphrase) {
        return refused;
    }
    match genesis(&file, &name, cards) {
        Ok(mut genesis) => {
            genesis.screen.language = app::language::from_headers(&headers);
            open_console(&state, genesis).await
        }
        Err(e) => {
            tracing::info!("an import was refused: {e}");
            back(e.slug())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::{json, Options};
    use app::library::ReadyAgenda;
    use hearth_core::ids::StepId;
    use hearth_core::locale::Locale;

    fn made() -> GatheringView {
        let mut view =
            GatheringView::new("Made".into(), ReadyAgenda::Introduction.steps(Locale::En));
        let story = CardId::from_random(1);
        view.cards = vec![
            Card {
                id: story.clone(),
                step: StepId(4),
                text: "A story".into(),
                place: Place::Board,
                hidden: false,
                blurred: true,
            },
            Card {
                id: CardId::from_random(2),
                step: StepId(4),
                text: "Its reframe".into(),
                place: Place::Under { card: story },
                hidden: false,
                blurred: false,
            },
        ];
        view
    }

    #[test]
    fn an_export_starts_the_same_agenda_with_or_without_its_cards() {
        let file = json(&made(), Options::default(), hearth_core::locale::Locale::En).unwrap();
        let bare = genesis(file.as_bytes(), "", false).unwrap();
        assert_eq!(bare.title, "Made");
        assert_eq!(bare.steps.len(), 9);
        assert!(bare.cards.is_empty());
        let full = genesis(file.as_bytes(), "Again", true).unwrap();
        assert_eq!(full.title, "Again");
        assert_eq!(full.cards.len(), 2);
        assert!(full.cards[0].blurred);
        assert_ne!(full.cards[0].id, CardId::from_random(1), "new ids");
        assert_eq!(full.cards[1].under(), Some(&full.cards[0].id));
        assert_eq!(full.cards[1].step, full.steps[3].id);
    }

    #[test]
    fn foreign_and_broken_files_are_named() {
        assert_eq!(genesis(b"not json", "", true), Err(ImportError::NotHearth));
        assert_eq!(
            genesis(b"{\"format\":\"other\"}", "", true),
            Err(ImportError::NotHearth)
        );
        let file = json(&made(), Options::default(), hearth_core::locale::Locale::En).unwrap();
        let newer = file.replace("\"version\": 1", "\"version\": 2");
        assert_eq!(
            genesis(newer.as_bytes(), "", true),
            Err(ImportError::Version)
        );
        let long = file.replace("A story", &"x".repeat(501));
        assert!(matches!(
            genesis(long.as_bytes(), "", true),
            Err(ImportError::Invalid(_))
        ));
        let reference = format!("\"card\": \"{}\"", CardId::from_random(1).as_str());
        assert!(file.contains(&reference));
        let orphan = file.replace(&reference, "\"card\": \"00000000000000ff\"");
        assert!(matches!(
            genesis(orphan.as_bytes(), "", true),
            Err(ImportError::Invalid(_))
        ));
        let no_steps = r#"{"format":"hearth-gathering","version":1,"title":"t","steps":[]}"#;
        assert!(matches!(
            genesis(no_steps.as_bytes(), "", false),
            Err(ImportError::Invalid(_))
        ));
        let bad_budget = file.replace("\"budget\": 3", "\"budget\": 0");
        assert!(matches!(
            genesis(bad_budget.as_bytes(), "", false),
            Err(ImportError::Invalid(_))
        ));
    }
}
