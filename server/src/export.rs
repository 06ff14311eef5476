//! Exports of what a group made: a Markdown summary to read and share, a
//! CSV of the cards for a spreadsheet, and a JSON file of the whole
//! gathering that Hearth can read again.
//!
//! Every export is made from the facilitator's view of the room at that
//! moment. That view holds no author and no time (only the step a card
//! belongs to), so no export can link two cards to one person or say when
//! anyone wrote. Withdrawn cards are gone from the view, so they are never
//! exported; hidden cards are left out unless the facilitator asks for
//! them. Totals come as the room sees them.
//!
//! Hearth's own words in an export (kinds, totals, notes) are in the
//! language of whoever downloads it; the CSV's column names and the JSON's
//! keys stay in English, as names a spreadsheet or Hearth reads back.

use crate::room::Actor;
use crate::secrets;
use crate::state::{AppState, ReachError};
use crate::storage::Lookup;
use app::i18n::I18n;
use app::i18n::Msg;
use app::landscape_view::{group_name, tally_words};
use app::library::{kind_name, tag_name};
use app::map_svg::Drawing;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use hearth_core::exercise::{Exercise, Place};
use hearth_core::gathering::{Card, GatheringView, StepSpec, StepView, Waiting};
use hearth_core::ids::StepId;
use hearth_core::locale::Locale;
use hearth_core::map::{Arrangement, Placement};
use hearth_core::marks::{Tag, Totals, SPECTRUM_BANDS, SPECTRUM_MAX};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What to put in an export.
#[derive(Clone, Copy, Debug, Default, Deserialize)]
pub struct Options {
    /// Include cards the facilitator hid.
    #[serde(default)]
    pub hidden: bool,
}

/// The cards of a step that go into an export.
fn cards_of<'a>(view: &'a GatheringView, step: &StepView, options: Options) -> Vec<&'a Card> {
    view.cards_of(step.id)
        .filter(|c| options.hidden || !c.hidden)
        .collect()
}

/// The column (or side) a card is in, by its label.
fn column_label(step: &StepView, card: &Card) -> Option<String> {
    match card.place {
        Place::Column { column } => step
            .exercise
            .columns()
            .get(usize::from(column))
            .map(|c| c.to_string()),
        _ => None,
    }
}

/// Text safe to put in Markdown, and still clean to read in a text editor:
/// only what Markdown would take as markup is escaped. Inline markup
/// (emphasis, code, links, HTML) anywhere; a heading, quote, list or rule
/// only where a line begins; an entity only where one would be read. Line
/// breaks are kept inside the list item the text belongs to.
fn md(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for line in text.split('\n') {
        if !out.is_empty() {
            out.push_str("  \n  ");
        }
        md_line(line, &mut out);
    }
    out
}

/// One line of `md`.
fn md_line(line: &str, out: &mut String) {
    let body = line.trim_start();
    out.push_str(&line[..line.len() - body.len()]);
    // A number then `.` or `)` starts an ordered list: escape the mark.
    let digits = body.bytes().take_while(u8::is_ascii_digit).count();
    let ordered = digits > 0 && matches!(body.as_bytes().get(digits), Some(b'.' | b')'));
    for (i, c) in body.char_indices() {
        let starts_block = i == 0 && "#>-+=|".contains(c);
        let ends_number = ordered && i == digits;
        let entity = c == '&' && looks_like_entity(&body[i..]);
        if "\\`*_[]<~".contains(c) || starts_block || ends_number || entity {
            out.push('\\');
        }
        out.push(c);
    }
}

/// Whether text at a `&` reads as an HTML entity (`&amp;`, `&#35;`).
fn looks_like_entity(text: &str) -> bool {
    let name: String = text[1..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '#')
        .collect();
    !name.is_empty() && text[1 + name.len()..].starts_with(';')
}

/// A Markdown summary of the whole gathering, step by step. `waiting` is
/// how many cards still wait on each step: they are said, not shown.
pub fn markdown(
    view: &GatheringView,
    waiting: &BTreeMap<StepId, Waiting>,
    options: Options,
    locale: Locale,
) -> String {
    let t = |m: Msg| m.text(locale);
    let mut out = format!("# {}\n", md(&view.title));
    for (i, step) in view.steps.iter().enumerate() {
        out.push_str(&format!(
            "\n## {}. {}\n\n*{}*\n\n",
            i + 1,
            md(step.prompt.as_str()),
            t(kind_name(step.exercise.kind()))
        ));
        let totals = view.totals_of(step.id);
        let cards = cards_of(view, step, options);
        let item = |card: &Card| {
            let mut line = format!("- {}", md(&card.text));
            if let Some(from) = card.place.away_from() {
                line.push_str(&format!(" ({} {})", t(Msg::ScreenAwayFrom), md(from)));
            }
            let n = totals.card(&card.id) as usize;
            if n > 0 {
                let msg = match step.exercise {
                    Exercise::MovingTowards { .. } => Msg::ScreenDots,
                    _ => Msg::ScreenResonates,
                };
                line.push_str(&format!(" — {}", msg.plural(locale, n)));
            }
            if card.hidden {
                line.push_str(&format!(" *({})*", t(Msg::ConsoleHiddenMark)));
            }
            line.push('\n');
            line
        };
        match &step.exercise {
            Exercise::Spectrum { left, right } => {
                out.push_str(&spectrum_md(&totals, left.as_str(), right.as_str(), locale));
            }
            Exercise::Scenario { lines } => {
                for (n, line) in lines.iter().take(usize::from(step.shown)).enumerate() {
                    let counts = totals.line(n);
                    let tags: Vec<String> = Tag::ALL
                        .into_iter()
                        .filter(|tag| counts[tag.index()] > 0)
                        .map(|tag| format!("{} {}", t(tag_name(tag)), counts[tag.index()]))
                        .collect();
                    out.push_str(&format!(
                        "{}. **{}** {}{}\n",
                        n + 1,
                        md(line.speaker.as_str()),
                        md(line.text.as_str()),
                        if tags.is_empty() {
                            String::new()
                        } else {
                            format!(" — {}", tags.join(", "))
                        }
                    ));
                }
            }
            Exercise::Map { across, up } => {
                // Cards by theme, each with where the room placed it.
                let placed = |card: &Card| {
                    let mut line = item(card);
                    if let Some(at) = totals.place(&card.id).at() {
                        line.pop();
                        line.push_str(&format!(
                            " — {}, {}",
                            md(&across.place_at(at.x)),
                            md(&up.place_at(at.y))
                        ));
                        if totals.place(&card.id).split() {
                            line.push_str(&format!(" ({})", t(Msg::MapSplit)));
                        }
                        line.push('\n');
                    }
                    line
                };
                let themes = &step.arrangement.themes;
                for theme in themes {
                    out.push_str(&format!("\n### {}\n\n", md(theme.name.as_str())));
                    for card in cards
                        .iter()
                        .filter(|c| step.arrangement.members.get(&c.id) == Some(&theme.id))
                    {
                        out.push_str(&placed(card));
                    }
                }
                if !themes.is_empty() {
                    out.push_str(&format!("\n### {}\n\n", t(Msg::ConsoleMapNoTheme)));
                }
                for card in cards
                    .iter()
                    .filter(|c| step.arrangement.theme_of(&c.id).is_none())
                {
                    out.push_str(&placed(card));
                }
                for link in &step.arrangement.links {
                    let name = |id| {
                        step.arrangement
                            .theme(id)
                            .map(|t| md(t.name.as_str()))
                            .unwrap_or_default()
                    };
                    out.push_str(&format!(
                        "\n{} — *{}* — {}\n",
                        name(link.from),
                        md(link.label.as_str()),
                        name(link.to)
                    ));
                }
            }
            Exercise::Statements { .. } => {
                out.push_str(&statements_md(view, step, &cards, locale));
            }
            Exercise::Reframe => {
                for story in cards.iter().filter(|c| c.under().is_none()) {
                    out.push_str(&item(story));
                    for reframe in cards.iter().filter(|c| c.under() == Some(&story.id)) {
                        out.push_str(&format!("  {}", item(reframe)));
                    }
                }
            }
            exercise => {
                let columns = exercise.columns();
                if columns.is_empty() {
                    for card in &cards {
                        out.push_str(&item(card));
                    }
                } else {
                    for (c, label) in columns.iter().enumerate() {
                        out.push_str(&format!("\n### {}\n\n", md(label.as_str())));
                        let place = Place::Column { column: c as u8 };
                        for card in cards.iter().filter(|card| card.place == place) {
                            out.push_str(&item(card));
                        }
                    }
                }
            }
        }
        if let Some(w) = waiting.get(&step.id) {
            out.push_str(&waiting_md(*w, locale));
        }
    }
    out
}

/// Said under a step when some of its reflections were not yet revealed, so a file never leaves them out without a word (their words
/// stay out: the room has not seen them).
fn waiting_md(waiting: Waiting, locale: Locale) -> String {
    match waiting {
        Waiting::None => String::new(),
        Waiting::Some => format!("\n*{}*\n", Msg::ExportSomeWaiting.text(locale)),
        Waiting::Count(n) => format!("\n*{}*\n", Msg::ExportWaiting.plural(locale, n as usize)),
    }
}

/// A spectrum's distribution as a small table (or a note that too few
/// placed themselves for it to be shown).
fn spectrum_md(totals: &Totals, left: &str, right: &str, locale: Locale) -> String {
    let Some(bands) = &totals.spectrum else {
        return format!("{}\n", Msg::ScreenSpreadWaiting.text(locale));
    };
    let width = (usize::from(SPECTRUM_MAX) + 1) / SPECTRUM_BANDS;
    let mut out = format!("{} ← → {}\n\n| | |\n|---|---|\n", md(left), md(right));
    for (i, n) in bands.iter().enumerate() {
        let from = i * width;
        let to = if i + 1 == SPECTRUM_BANDS {
            usize::from(SPECTRUM_MAX)
        } else {
            from + width - 1
        };
        out.push_str(&format!("| {from}–{to} | {n} |\n"));
    }
    out
}

/// A statements step in the summary: its groups and their sizes, its
/// common ground, and each statement with how every group answered it
/// (totals of 5 answers or more, as the room saw them; never anyone's
/// answers).
fn statements_md(view: &GatheringView, step: &StepView, cards: &[&Card], locale: Locale) -> String {
    let i18n = I18n(locale);
    let board = view.board(step.id);
    let landscape = &board.landscape;
    let mut out = String::new();
    for g in &landscape.groups {
        out.push_str(&format!(
            "- **{}** — {}\n",
            md(&group_name(i18n, &board, g.label)),
            Msg::StatementsPeople.plural(locale, g.members.get() as usize)
        ));
    }
    let common: Vec<&Card> = cards
        .iter()
        .copied()
        .filter(|c| landscape.common_ground.iter().any(|g| g.statement == c.id))
        .collect();
    if !common.is_empty() {
        out.push_str(&format!(
            "\n### {}\n\n",
            Msg::StatementsCommonGround.text(locale)
        ));
        for card in common {
            out.push_str(&format!("- {}\n", md(&card.text)));
        }
    }
    out.push_str(&format!("\n### {}\n\n", Msg::StatementsInRoom.text(locale)));
    for card in cards {
        out.push_str(&format!("- {}", md(&card.text)));
        let agreement = agreement(i18n, &board, card);
        if !agreement.is_empty() {
            out.push_str(&format!(" — {}", md(&agreement)));
        }
        if card.hidden {
            out.push_str(&format!(" *({})*", Msg::ConsoleHiddenMark.text(locale)));
        }
        out.push('\n');
    }
    out
}

/// How each shown group answered a statement, in words ("Group A (6
/// people): 80% agree · …; Group B …"), or nothing while too few answered.
fn agreement(i18n: I18n, board: &hearth_core::statements::Board, card: &Card) -> String {
    let Some(split) = board.landscape.split(&card.id) else {
        return String::new();
    };
    split
        .groups
        .iter()
        .map(|s| {
            let size = board
                .landscape
                .groups
                .iter()
                .find(|g| g.label == s.group)
                .map(|g| g.members.get() as usize)
                .unwrap_or(0);
            format!(
                "{} ({}): {}",
                group_name(i18n, board, s.group),
                Msg::StatementsPeople.plural(i18n.0, size),
                tally_words(i18n, s.tally)
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// The CSV's columns, in order.
pub const CSV_COLUMNS: [&str; 18] = [
    "step",
    "prompt",
    "kind",
    "column",
    "text",
    "away_from",
    "under",
    "resonances",
    "dots",
    "hidden",
    "blurred",
    "theme",
    "map_across",
    "map_up",
    "map_spread",
    "map_split",
    "group_agreement",
    "common_ground",
];

/// One CSV field: quoted when it holds a comma, quote or line break, and
/// kept from being read as a formula by a spreadsheet (a card that starts
/// with `=` stays words). Some spreadsheets read the full-width forms
/// `＝ ＋ － ＠` as their ASCII twins, so those are kept from it too.
fn csv_field(value: &str) -> String {
    let value = match value.chars().next() {
        Some(
            '=' | '+' | '-' | '@' | '\t' | '\r' | '\u{FF1D}' | '\u{FF0B}' | '\u{FF0D}' | '\u{FF20}',
        ) => format!("'{value}"),
        _ => value.to_owned(),
    };
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

/// Every exported card as a row, with its step, place and totals.
pub fn csv(view: &GatheringView, options: Options, locale: Locale) -> String {
    let mut out = CSV_COLUMNS.join(",");
    out.push_str("\r\n");
    for (i, step) in view.steps.iter().enumerate() {
        let totals = view.totals_of(step.id);
        let dots = matches!(step.exercise, Exercise::MovingTowards { .. });
        let board = view.board(step.id);
        for card in cards_of(view, step, options) {
            let count = totals.card(&card.id).to_string();
            let under = card
                .under()
                .and_then(|id| view.card(id))
                .map(|c| c.text.clone())
                .unwrap_or_default();
            let theme = step
                .arrangement
                .theme_of(&card.id)
                .map(|t| t.name.to_string())
                .unwrap_or_default();
            let [across, up, spread, split] = match (step.exercise.axes(), totals.place(&card.id)) {
                (
                    Some(axes),
                    Placement::Placed {
                        at, spread: wide, ..
                    },
                ) => [
                    axes.across.name_at(at.x),
                    axes.up.name_at(at.y),
                    (u32::from(wide) / 10).to_string(),
                    totals.place(&card.id).split().to_string(),
                ],
                _ => Default::default(),
            };
            let row = [
                (i + 1).to_string(),
                step.prompt.to_string(),
                kind_name(step.exercise.kind()).text(locale).to_owned(),
                column_label(step, card).unwrap_or_default(),
                card.text.clone(),
                card.place.away_from().unwrap_or_default().to_owned(),
                under,
                if dots { "0".into() } else { count.clone() },
                if dots { count } else { "0".into() },
                card.hidden.to_string(),
                card.blurred.to_string(),
                theme,
                across,
                up,
                spread,
                split,
                agreement(I18n(locale), &board, card),
                board
                    .landscape
                    .common_ground
                    .iter()
                    .any(|c| c.statement == card.id)
                    .to_string(),
            ];
            let fields: Vec<String> = row.iter().map(|f| csv_field(f)).collect();
            out.push_str(&fields.join(","));
            out.push_str("\r\n");
        }
    }
    out
}

/// The name that marks a file as a Hearth gathering export.
pub const JSON_FORMAT: &str = "hearth-gathering";
/// The version of the JSON export's shape.
pub const JSON_VERSION: u32 = 1;

/// The whole gathering as Hearth can read it again: the agenda, and the
/// cards with their places and totals (by step number, from 1).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GatheringExport {
    pub format: String,
    pub version: u32,
    pub title: String,
    pub steps: Vec<StepExport>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StepExport {
    #[serde(flatten)]
    pub spec: StepSpec,
    pub cards: Vec<Card>,
    pub totals: Totals,
    /// A map's themes, links and dragged cards.
    #[serde(default, skip_serializing_if = "Arrangement::is_empty")]
    pub arrangement: Arrangement,
    /// A map, drawn as the room saw it (not read back on import).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub map_svg: Option<String>,
}

pub fn json(
    view: &GatheringView,
    options: Options,
    locale: Locale,
) -> Result<String, serde_json::Error> {
    let export = GatheringExport {
        format: JSON_FORMAT.to_owned(),
        version: JSON_VERSION,
        title: view.title.clone(),
        steps: view
            .steps
            .iter()
            .map(|step| StepExport {
                spec: step.spec(),
                cards: cards_of(view, step, options).into_iter().cloned().collect(),
                totals: view.totals_of(step.id),
                arrangement: step.arrangement.clone(),
                map_svg: Drawing::of(view, step.id, I18n(locale)).map(|d| d.svg()),
            })
            .collect(),
    };
    serde_json::to_string_pretty(&export)
}

/// `GET /console/{secret}/export/{file}`: one of `summary.md`, `cards.csv`
/// or `gathering.json`, with `?hidden=true` to include hidden cards. The
/// console secret (or the co-facilitator's) is the authority.
pub async fn download(
    State(state): State<AppState>,
    Path((secret, file)): Path<(String, String)>,
    Query(options): Query<Options>,
    headers: axum::http::HeaderMap,
) -> Response {
    let (row, room) = match state
        .reach(Lookup::ConsoleHash(&secrets::hash(&secret)))
        .await
    {
        Ok(found) => found,
        Err(ReachError::NotFound) => return StatusCode::NOT_FOUND.into_response(),
        Err(ReachError::Unavailable(e)) => {
            tracing::error!("an export failed: {e}");
            return StatusCode::SERVICE_UNAVAILABLE.into_response();
        }
    };
    let Ok(page) = room.view(Actor::Facilitator).await else {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    };
    let view = std::sync::Arc::unwrap_or_clone(page.gathering);
    // In the language of whoever downloads it, as the harvest page is.
    let locale = app::language::from_headers(&headers);
    let (body, kind) = match file.as_str() {
        "summary.md" => (
            markdown(&view, &page.waiting, options, locale),
            "text/markdown; charset=utf-8",
        ),
        "cards.csv" => (csv(&view, options, locale), "text/csv; charset=utf-8"),
        "gathering.json" => match json(&view, options, locale) {
            Ok(body) => (body, "application/json"),
            Err(e) => {
                tracing::error!(gathering = %row.id, "a JSON export failed: {e}");
                return StatusCode::INTERNAL_SERVER_ERROR.into_response();
            }
        },
        landscape if landscape.starts_with("landscape-") => {
            return landscape_download(&view, page.now, landscape, locale).await
        }
        map => return map_download(&view, page.now, map, locale).await,
    };
    (
        [
            (header::CONTENT_TYPE, kind.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                attachment(&view.title, page.now, &file),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        body,
    )
        .into_response()
}

/// `landscape-{step}.svg` or `.png`: a statements step's groups as the
/// room saw them (clouds and sizes, never a person's point).
async fn landscape_download(
    view: &GatheringView,
    now: u64,
    file: &str,
    locale: Locale,
) -> Response {
    let Some((step, ext)) = file
        .strip_prefix("landscape-")
        .and_then(|rest| rest.split_once('.'))
    else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let step = match step.parse() {
        Ok(n) => StepId(n),
        Err(_) => return StatusCode::NOT_FOUND.into_response(),
    };
    let is_statements = view
        .step(step)
        .is_some_and(|s| matches!(s.exercise, Exercise::Statements { .. }));
    if !is_statements {
        return StatusCode::NOT_FOUND.into_response();
    }
    let board = view.board(step);
    let svg = app::landscape_view::svg(&board.landscape, &board, I18n(locale));
    image_response(view, now, file, ext, svg).await
}

/// `map-{step}.svg` or `map-{step}.png`: a map step drawn as the room
/// sees it (hidden cards are never on a map).
async fn map_download(view: &GatheringView, now: u64, file: &str, locale: Locale) -> Response {
    let Some((step, ext)) = file
        .strip_prefix("map-")
        .and_then(|rest| rest.split_once('.'))
    else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let Some(drawing) = step
        .parse()
        .ok()
        .and_then(|n| Drawing::of(view, StepId(n), I18n(locale)))
    else {
        return StatusCode::NOT_FOUND.into_response();
    };
    image_response(view, now, file, ext, drawing.file_svg()).await
}

/// An SVG picture as a download, as SVG or rendered to PNG.
async fn image_response(
    view: &GatheringView,
    now: u64,
    file: &str,
    ext: &str,
    svg: String,
) -> Response {
    let (body, kind) = match ext {
        "svg" => (svg.into_bytes(), "image/svg+xml; charset=utf-8"),
        "png" => match tokio::task::spawn_blocking(move || crate::map_image::png(&svg)).await {
            Ok(Ok(png)) => (png, "image/png"),
            Ok(Err(e)) => {
                tracing::error!("a map could not become a PNG: {e}");
                return StatusCode::INTERNAL_SERVER_ERROR.into_response();
            }
            Err(e) => {
                tracing::error!("a map's PNG rendering stopped: {e}");
                return StatusCode::INTERNAL_SERVER_ERROR.into_response();
            }
        },
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    (
        [
            (header::CONTENT_TYPE, kind.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                attachment(&view.title, now, file),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        body,
    )
        .into_response()
}

/// How a download is saved: under the gathering's name and the day, then
/// what it is (`tuesday-training-2026-11-30-summary.md`), so a trainer's
/// downloads say which gathering each file came from. The name's letters
/// and digits travel whole (`filename*`, UTF-8); older browsers get the
/// ASCII ones (`filename`); a name with none is called `hearth`.
fn attachment(title: &str, now_ms: u64, file: &str) -> String {
    let words: Vec<String> = title
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    let name = if words.is_empty() {
        "hearth".to_owned()
    } else {
        words.join("-")
    };
    let day = app::dates::Day::from_unix_ms(now_ms);
    let full = format!(
        "{name}-{:04}-{:02}-{:02}-{file}",
        day.year, day.month, day.day
    );
    let ascii: String = full
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.'))
        .collect();
    let encoded: String = full
        .bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect();
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::library::ReadyAgenda;
    use hearth_core::ids::{CardId, StepId};

    fn card(id: u64, step: u32, text: &str, place: Place) -> Card {
        Card {
            id: CardId::from_random(id),
            step: StepId(step),
            text: text.into(),
            place,
            hidden: false,
            blurred: false,
        }
    }

    fn gathering() -> GatheringView {
        let mut view = GatheringView::new(
            "Tuesday, with \"quotes\"".into(),
            ReadyAgenda::Introduction.steps(Locale::En),
        );
        view.cards = vec![
            card(1, 1, "Plain words", Place::Board),
            card(2, 1, "=SUM(A1), with a comma\nand a new line", Place::Board),
            card(3, 4, "A story", Place::Board),
            card(
                4,
                4,
                "A reframe",
                Place::Under {
                    card: CardId::from_random(3),
                },
            ),
            card(5, 6, "Cooking", Place::Column { column: 0 }),
            card(6, 1, "Hidden words", Place::Board),
        ];
        view.cards[5].hidden = true;
        view.totals
            .entry(StepId(1))
            .or_default()
            .cards
            .insert(CardId::from_random(1), 2);
        view
    }

    /// Reads CSV the way a spreadsheet does (quotes, doubled quotes, line
    /// breaks inside quotes).
    fn parse_csv(text: &str) -> Vec<Vec<String>> {
        let mut rows = vec![vec![String::new()]];
        let mut quoted = false;
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            let row = rows.last_mut().unwrap();
            match (c, quoted) {
                ('"', true) if chars.peek() == Some(&'"') => {
                    chars.next();
                    row.last_mut().unwrap().push('"');
                }
                ('"', _) => quoted = !quoted,
                (',', false) => row.push(String::new()),
                ('\r', false) => {}
                ('\n', false) => rows.push(vec![String::new()]),
                (c, _) => row.last_mut().unwrap().push(c),
            }
        }
        rows.retain(|r| r != &vec![String::new()]);
        rows
    }

    #[test]
    fn csv_has_the_columns_and_survives_commas_quotes_and_line_breaks() {
        let rows = parse_csv(&csv(&gathering(), Options::default(), Locale::En));
        assert_eq!(rows[0], CSV_COLUMNS);
        assert!(rows.iter().all(|r| r.len() == CSV_COLUMNS.len()));
        let tricky = rows.iter().find(|r| r[4].contains("comma")).unwrap();
        assert_eq!(tricky[4], "'=SUM(A1), with a comma\nand a new line");
        let plain = rows.iter().find(|r| r[4] == "Plain words").unwrap();
        assert_eq!(plain[7], "2", "resonances");
        let reframe = rows.iter().find(|r| r[4] == "A reframe").unwrap();
        assert_eq!(reframe[6], "A story");
        let side = rows.iter().find(|r| r[4] == "Cooking").unwrap();
        assert_eq!(side[3], "I can offer");
        assert!(!rows.iter().any(|r| r[4] == "Hidden words"));
        let with_hidden = parse_csv(&csv(&gathering(), Options { hidden: true }, Locale::En));
        assert!(with_hidden
            .iter()
            .any(|r| r[4] == "Hidden words" && r[9] == "true"));
    }

    #[test]
    fn csv_keeps_ascii_and_full_width_formula_signs_as_words() {
        for sign in ['=', '+', '-', '@', '＝', '＋', '－', '＠'] {
            let words = format!("{sign}HYPERLINK(\"x\")");
            assert_eq!(
                csv_field(&words),
                format!("\"'{}\"", words.replace('"', "\"\"")),
                "{sign}"
            );
        }
        assert_eq!(csv_field("Plain ＝ words"), "Plain ＝ words");
    }

    #[test]
    fn markdown_holds_every_visible_card_and_no_hidden_one() {
        let text = markdown(
            &gathering(),
            &BTreeMap::new(),
            Options::default(),
            Locale::En,
        );
        assert!(text.starts_with("# Tuesday, with \"quotes\""));
        for words in ["Plain words", "A story", "A reframe", "Cooking"] {
            assert!(text.contains(&md(words)), "{words}");
        }
        assert!(
            text.contains("  - A reframe"),
            "reframes sit under their story"
        );
        assert!(!text.contains("Hidden words"));
        assert!(text.contains("Resonates with 2"));
        assert!(text.contains("### I can offer"));
    }

    #[test]
    fn markdown_says_which_steps_still_have_reflections_waiting() {
        let view = gathering();
        let none = BTreeMap::new();
        assert!(!markdown(&view, &none, Options::default(), Locale::En).contains("waiting"));
        let (first, third) = (view.steps[0].id, view.steps[2].id);
        let waiting = BTreeMap::from([(first, Waiting::Count(3)), (third, Waiting::Some)]);
        let text = markdown(&view, &waiting, Options::default(), Locale::En);
        let section = |i: usize| text.split("\n## ").nth(i + 1).unwrap().to_owned();
        assert!(
            section(0).contains("3 reflections on this step were still waiting to be revealed"),
            "{}",
            section(0)
        );
        assert!(!section(1).contains("waiting"), "{}", section(1));
        assert!(
            section(2).contains("Some reflections on this step were still waiting"),
            "a small room gets no count: {}",
            section(2)
        );
        let text = markdown(&view, &waiting, Options::default(), Locale::Es);
        assert!(text.contains("Algunas reflexiones de este paso"));
    }

    #[test]
    fn markdown_escapes_markup_in_peoples_words() {
        assert_eq!(md("*bold* [link](x)"), "\\*bold\\* \\[link\\](x)");
        assert_eq!(
            md("<b>`code`</b> ~gone~ a_b"),
            "\\<b>\\`code\\`\\</b> \\~gone\\~ a\\_b"
        );
        assert_eq!(md("# not a heading"), "\\# not a heading");
        assert_eq!(md("> not a quote"), "\\> not a quote");
        assert_eq!(
            md("- not a list\n+ nor this\n2. nor this"),
            "\\- not a list  \n  \\+ nor this  \n  2\\. nor this"
        );
        assert_eq!(md("=== or a rule"), "\\=== or a rule");
        assert_eq!(md("&amp; stays words"), "\\&amp; stays words");
    }

    #[test]
    fn markdown_leaves_plain_punctuation_alone() {
        let plain =
            "I'm tired. Really (very) tired - and it's 3.30! Fish & chips; 1-2 #hope > fear.";
        assert_eq!(md(plain), plain);
    }

    #[test]
    fn json_round_trips_and_names_itself() {
        let text = json(&gathering(), Options::default(), Locale::En).unwrap();
        let back: GatheringExport = serde_json::from_str(&text).unwrap();
        assert_eq!(back.format, JSON_FORMAT);
        assert_eq!(back.version, JSON_VERSION);
        assert_eq!(back.steps.len(), 9);
        assert_eq!(back.steps[0].cards.len(), 2, "the hidden card stays out");
        assert_eq!(back.steps[0].totals.card(&CardId::from_random(1)), 2);
        assert!(!text.contains("author"));
    }
}
