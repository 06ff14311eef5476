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
const HEIGHT: f32 = 480.0;
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

/// The groups as soft clouds, each with its name and size, as SVG. The
/// clouds are placed as the groups sit in the room's two dimensions,
/// fitted to the picture (near groups stay near, far ones far); each is
/// as large as its spread, and never smaller than its size calls for, so
/// a group whose members answered alike is still a cloud, not a point.
pub fn svg(landscape: &Landscape, board: &Board, i18n: I18n) -> String {
    let mut out = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" role="img" aria-label="{}" font-family="DejaVu Sans, Verdana, sans-serif"><defs><filter id="soft" x="-50%" y="-50%" width="200%" height="200%"><feGaussianBlur stdDeviation="14"/></filter></defs><rect class="landscape-ground" width="{WIDTH}" height="{HEIGHT}" fill="#fbfaf7"/>"##,
        escape(i18n.t(Msg::StatementsLandscapeLabel))
    );
    let groups = &landscape.groups;
    // The box the centres span, fitted into the picture less a margin.
    let (mut x0, mut x1, mut y0, mut y1) = (f32::MAX, f32::MIN, f32::MAX, f32::MIN);
    for g in groups {
        x0 = x0.min(g.cloud.centre.x);
        x1 = x1.max(g.cloud.centre.x);
        y0 = y0.min(g.cloud.centre.y);
        y1 = y1.max(g.cloud.centre.y);
    }
    let (mx, my) = (WIDTH * 0.22, HEIGHT * 0.25);
    let fit = |span: f32, room: f32, scale: f32| {
        if span > 1e-3 {
            (room / span).min(scale * 2.0)
        } else {
            scale
        }
    };
    let sx = fit(x1 - x0, WIDTH - 2.0 * mx, SCALE_X);
    let sy = fit(y1 - y0, HEIGHT - 2.0 * my, SCALE_Y);
    let (midx, midy) = ((x0 + x1) / 2.0, (y0 + y1) / 2.0);
    for g in groups {
        let colour = COLOURS[g.label.index() % COLOURS.len()];
        let cx = WIDTH / 2.0 + (g.cloud.centre.x - midx) * sx;
        let cy = HEIGHT / 2.0 - (g.cloud.centre.y - midy) * sy;
        let least = 45.0 + 10.0 * (g.members.get() as f32).sqrt();
        let rx = (g.cloud.radii.x * sx).clamp(least, WIDTH / 4.0);
        let ry = (g.cloud.radii.y * sy).clamp(least * 0.8, HEIGHT / 3.0);
        let name = escape(&group_name(i18n, board, g.label));
        let size = escape(&i18n.plural(Msg::StatementsPeople, g.members.get() as usize));
        out.push_str(&format!(
            r##"<g class="cloud group-{letter}"><ellipse cx="{cx:.1}" cy="{cy:.1}" rx="{rx:.1}" ry="{ry:.1}" transform="rotate({angle:.1} {cx:.1} {cy:.1})" fill="{colour}" fill-opacity="0.5" filter="url(#soft)"/><text x="{cx:.1}" y="{ty:.1}" text-anchor="middle" font-size="30" font-weight="700" fill="#1d1d1b">{name}</text><text x="{cx:.1}" y="{sy_:.1}" text-anchor="middle" font-size="24" fill="#1d1d1b">{size}</text></g>"##,
            letter = g.label.letter(),
            angle = -g.cloud.angle,
            ty = cy - 4.0,
            sy_ = cy + 26.0,
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
                                        <p class="hint">
                                            {if p == 100 {
                                                i18n.t(Msg::StatementsEveryGroupAll).to_owned()
                                            } else {
                                                i18n.fill(Msg::StatementsEveryGroup, &[("p", &p.to_string())])
                                            }}
                                        </p>
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
            <div class="landscape-body">
                <div class="landscape-picture" inner_html=move || picture.get()></div>
                <div class="landscape-side">
                    {common}
                    {divides}
                </div>
            </div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hearth_core::landscape::{Cloud, Group, Members, Point};
    use hearth_core::locale::Locale;
    use hearth_core::words::Label;

    fn group(letter: u8, x: f32, members: u32) -> Group {
        Group {
            label: GroupLabel::new(letter).expect("a letter"),
            members: Members::shown(members).expect("enough"),
            cloud: Cloud {
                centre: Point { x, y: 0.0 },
                radii: Point { x: 0.0, y: 0.0 },
                angle: 0.0,
            },
            sets_apart: vec![],
        }
    }

    /// The numbers after `name="` in an SVG, in order.
    fn numbers(svg: &str, name: &str) -> Vec<f32> {
        svg.split(&format!(" {name}=\""))
            .skip(1)
            .filter_map(|rest| rest.split('"').next()?.parse().ok())
            .collect()
    }

    #[test]
    fn each_group_is_one_soft_cloud_inside_the_picture_with_its_name_and_size() {
        let i18n = I18n(Locale::En);
        let mut board = Board::default();
        let empty = svg(&board.landscape, &board, i18n);
        assert!(!empty.contains("<ellipse"));
        board.landscape.shape = Shape::Groups;
        board.landscape.groups = vec![group(0, -9.0, 6), group(1, 9.0, 40)];
        board.names.insert(
            GroupLabel::new(1).expect("B"),
            Label::parse("Night <owls> & co").expect("a label"),
        );
        let drawn = svg(&board.landscape, &board, i18n);
        assert_eq!(drawn.matches("<ellipse").count(), 2);
        assert!(!drawn.contains("<circle"), "no one is a point");
        assert!(drawn.contains("Group A") && drawn.contains("6 people"));
        assert!(
            drawn.contains("Night &lt;owls&gt; &amp; co"),
            "names are escaped"
        );
        // Far apart in the room, still inside the picture; the bigger group
        // a bigger cloud although both answered alike.
        for (cx, rx) in numbers(&drawn, "cx").iter().zip(numbers(&drawn, "rx")) {
            assert!(*cx - rx >= 0.0 && *cx + rx <= WIDTH, "{cx} ± {rx}");
        }
        let rx = numbers(&drawn, "rx");
        assert!(rx[1] > rx[0]);
    }

    #[test]
    fn a_split_says_each_share_or_that_too_few_answered() {
        let i18n = I18n(Locale::En);
        assert_eq!(
            tally_words(i18n, Tally::shown(3, 1, 1)),
            "60% agree · 20% disagree · 20% pass"
        );
        assert_eq!(tally_words(i18n, None), "Too few answers to show yet");
    }
}
