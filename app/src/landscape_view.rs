//! A statements step as the room sees it: each opinion group as a soft
//! cloud with its size (never a person's point), the common ground every
//! group shares, where the room divides, and the statement the facilitator
//! put on screen with how each group answered it.
//!
//! The clouds are drawn by `svg`, a pure function the server's exports
//! call too, so the file a facilitator downloads is the picture the room
//! saw. Everything here reads the public `Landscape`, which cannot hold a
//! group under 5 members or a split under 5 answers.

use crate::i18n::{use_i18n, I18n, Msg};
use hearth_core::gathering::GatheringView;
use hearth_core::ids::{CardId, StepId};
use hearth_core::landscape::{GroupLabel, GroupSplit, Landscape, Shape, Tally};
use hearth_core::statements::Board;
use leptos::prelude::*;

/// The picture's size, in SVG units.
const WIDTH: f32 = 960.0;
const HEIGHT: f32 = 560.0;
/// How many SVG units one unit of the room's spread takes.
const SCALE_X: f32 = 170.0;
const SCALE_Y: f32 = 120.0;
/// A group's colours, by letter (calm, and apart for colour-blind eyes).
const COLOURS: [&str; 5] = ["#3b7dd8", "#d8843b", "#3ba57a", "#a35bc2", "#c2a23b"];

/// A group's name as the room knows it: the facilitator's, or "Group A".
pub fn group_name(i18n: I18n, board: &Board, group: GroupLabel) -> String {
    match board.name(group) {
        Some(name) => name.to_string(),
        None => i18n.fill(
            Msg::StatementsGroup,
            &[("letter", &group.letter().to_string())],
        ),
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The groups as soft clouds, each with its name and size, as SVG.
pub fn svg(landscape: &Landscape, board: &Board, i18n: I18n) -> String {
    let mut out = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" role="img" aria-label="{}" font-family="DejaVu Sans, Verdana, sans-serif"><defs><filter id="soft" x="-50%" y="-50%" width="200%" height="200%"><feGaussianBlur stdDeviation="14"/></filter></defs><rect class="landscape-ground" width="{WIDTH}" height="{HEIGHT}" fill="#fbfaf7"/>"##,
        escape(i18n.t(Msg::StatementsLandscapeLabel))
    );
    for g in &landscape.groups {
        let colour = COLOURS[g.label.index() % COLOURS.len()];
        let cx = WIDTH / 2.0 + g.cloud.centre.x * SCALE_X;
        let cy = HEIGHT / 2.0 - g.cloud.centre.y * SCALE_Y;
        let rx = (g.cloud.radii.x * SCALE_X).clamp(60.0, WIDTH / 3.0);
        let ry = (g.cloud.radii.y * SCALE_Y).clamp(45.0, HEIGHT / 3.0);
        let (cx, cy) = (
            cx.clamp(rx.min(WIDTH / 2.0), WIDTH - rx.min(WIDTH / 2.0)),
            cy.clamp(60.0, HEIGHT - 60.0),
        );
        let name = escape(&group_name(i18n, board, g.label));
        let size = escape(&i18n.plural(Msg::StatementsPeople, g.members.get() as usize));
        out.push_str(&format!(
            r##"<g class="cloud group-{letter}"><ellipse cx="{cx:.1}" cy="{cy:.1}" rx="{rx:.1}" ry="{ry:.1}" transform="rotate({angle:.1} {cx:.1} {cy:.1})" fill="{colour}" fill-opacity="0.45" filter="url(#soft)"/><text x="{cx:.1}" y="{ty:.1}" text-anchor="middle" font-size="30" font-weight="700" fill="#1d1d1b">{name}</text><text x="{cx:.1}" y="{sy:.1}" text-anchor="middle" font-size="24" fill="#1d1d1b">{size}</text></g>"##,
            letter = g.label.letter(),
            angle = -g.cloud.angle,
            ty = cy - 4.0,
            sy = cy + 26.0,
        ));
    }
    out.push_str("</svg>");
    out
}

/// "80% agree · 10% disagree · 10% pass", or that too few answered.
pub fn tally_words(i18n: I18n, tally: Option<Tally>) -> String {
    let Some(t) = tally else {
        return i18n.t(Msg::StatementsTooFewAnswers).to_owned();
    };
    let total = t.total();
    let pc = |n: u32| {
        hearth_core::landscape::Percent::of(n, total)
            .get()
            .to_string()
    };
    i18n.fill(
        Msg::StatementsSplit,
        &[
            ("agree", &pc(t.agree())),
            ("disagree", &pc(t.disagree())),
            ("pass", &pc(t.pass())),
        ],
    )
}

/// The words of a statement the room may see (none if hidden or gone).
fn statement_text(g: &GatheringView, card: &CardId) -> Option<String> {
    g.card(card).filter(|c| !c.hidden).map(|c| c.text.clone())
}

/// The statements step's wall: clouds, common ground, the statement on
/// screen, the divides. The screen shows it large, the console small.
#[component]
pub fn LandscapeWall(
    #[prop(into)] gathering: Signal<GatheringView>,
    step: StepId,
) -> impl IntoView {
    let i18n = use_i18n();
    let board = Memo::new(move |_| gathering.read().board(step));
    let picture = Memo::new(move |_| {
        let b = board.get();
        svg(&b.landscape, &b, i18n)
    });
    let shape = move || match board.read().landscape.shape {
        Shape::TooFewVoters => Some(i18n.t(Msg::StatementsTooFewYet)),
        Shape::OneRoom => Some(i18n.t(Msg::StatementsOneRoom)),
        Shape::Groups => None,
    };
    let on_screen = move || {
        let b = board.get();
        let g = gathering.read();
        let card = b.on_screen.clone()?;
        let text = statement_text(&g, &card)?;
        let split = b.landscape.split(&card).cloned();
        let groups: Vec<GroupSplit> = split.as_ref().map(|s| s.groups.clone()).unwrap_or_default();
        let room = split.and_then(|s| s.room);
        Some(view! {
            <section class="on-screen" aria-labelledby="on-screen-title" data-testid="on-screen">
                <h2 id="on-screen-title" class="eyebrow">{i18n.t(Msg::StatementsOnScreen)}</h2>
                <p class="statement big">{text}</p>
                <ul class="splits">
                    {groups
                        .into_iter()
                        .map(|s| view! {
                            <li>
                                <strong>{group_name(i18n, &b, s.group)}</strong> " "
                                {tally_words(i18n, s.tally)}
                            </li>
                        })
                        .collect_view()}
                    {room.map(|t| view! {
                        <li><strong>{i18n.t(Msg::StatementsWholeRoom)}</strong> " " {tally_words(i18n, Some(t))}</li>
                    })}
                </ul>
            </section>
        })
    };
    let common = move || {
        let b = board.get();
        let g = gathering.read();
        let items: Vec<(String, u8)> = b
            .landscape
            .common_ground
            .iter()
            .filter_map(|c| Some((statement_text(&g, &c.statement)?, c.every_group.get())))
            .take(5)
            .collect();
        view! {
            <section class="common-ground" aria-labelledby="common-title" data-testid="common-ground">
                <h2 id="common-title">{i18n.t(Msg::StatementsCommonGround)}</h2>
                {if items.is_empty() {
                    view! { <p class="hint">{i18n.t(Msg::StatementsNoCommonGround)}</p> }.into_any()
                } else {
                    view! {
                        <ul class="statements">
                            {items
                                .into_iter()
                                .map(|(text, p)| view! {
                                    <li>
                                        <p class="statement">{text}</p>
                                        <p class="hint">{i18n.fill(Msg::StatementsEveryGroup, &[("p", &p.to_string())])}</p>
                                    </li>
                                })
                                .collect_view()}
                        </ul>
                    }
                    .into_any()
                }}
            </section>
        }
    };
    let divides = move || {
        let b = board.get();
        let g = gathering.read();
        let items: Vec<_> = b
            .landscape
            .divides
            .iter()
            .filter_map(|d| {
                let text = statement_text(&g, &d.statement)?;
                let said = i18n.fill(
                    Msg::StatementsDivide,
                    &[
                        ("a", &group_name(i18n, &b, d.agrees.group)),
                        ("pa", &d.agrees.share.get().to_string()),
                        ("b", &group_name(i18n, &b, d.disagrees.group)),
                        ("pb", &d.disagrees.share.get().to_string()),
                    ],
                );
                Some(view! { <li><p class="statement">{text}</p><p class="hint">{said}</p></li> })
            })
            .take(3)
            .collect();
        (!items.is_empty()).then(|| {
            view! {
                <section class="divides" aria-labelledby="divides-title">
                    <h2 id="divides-title">{i18n.t(Msg::StatementsDivides)}</h2>
                    <ul class="statements">{items}</ul>
                </section>
            }
        })
    };
    view! {
        <div class="landscape" data-testid="landscape">
            {move || shape().map(|m| view! { <p class="note">{m}</p> })}
            {on_screen}
            <div class="landscape-picture" inner_html=move || picture.get()></div>
            {common}
            {divides}
        </div>
    }
}
