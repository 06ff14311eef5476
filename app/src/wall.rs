//! What the room sees of a step: the wall of revealed cards, the spread of
//! a spectrum, the heat of a dialogue. The shared screen shows these large;
//! the console shows the same components small, so the facilitator sees
//! exactly what the room sees.
//!
//! Only totals and distributions appear here, never a person's own mark,
//! and hidden cards are left out (their words never reached the screen).

use crate::i18n::{use_i18n, Msg};
use crate::library::{sign_words, tag_name};
use crate::map_svg::Drawing;
use hearth_core::exercise::{Exercise, Place};
use hearth_core::gathering::{Card, GatheringView, StepView};
use hearth_core::groups::Sign;
use hearth_core::ids::{CardId, StepId};
use hearth_core::map::Point;
use hearth_core::marks::{Tag, Totals};
use leptos::prelude::*;

/// How a wall of cards is set on the screen: the size of its words, and,
/// only when even the smallest size a wall of that many cards may use
/// cannot hold every word, how many lines each card keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Setting {
    /// Card text size, in CSS pixels on a 1080p screen.
    pub px: u8,
    pub lines: Option<u8>,
}

/// Card text sizes a wall may use, largest first.
const SIZES: [u8; 7] = [36, 32, 28, 25, 22, 20, 18];
/// Lines a card keeps, in turn, when its wall is at its floor and still
/// too full (one line is the last resort: a hall of 150 people writing at
/// once, each card still on the screen and its first words readable).
const CLAMPS: [u8; 5] = [6, 4, 3, 2, 1];

/// The smallest card text a wall of `n` cards may use at 1080p, read from
/// the back of a hall: 28 px with a few cards, 22 px up to 30, 18 px
/// beyond (150 cards still fit, a few lines each).
pub fn floor_px(n: usize) -> u8 {
    match n {
        0..=12 => 28,
        13..=30 => 22,
        _ => 18,
    }
}

/// The size a wall of `n` cards starts at, before it is fitted.
fn start_px(n: usize) -> u8 {
    match n {
        0..=6 => 36,
        7..=12 => 32,
        13..=20 => 28,
        21..=30 => 25,
        31..=60 => 22,
        61..=100 => 20,
        _ => 18,
    }
}

/// Every setting a wall of `n` cards may try, in turn: its sizes from its
/// start down to its floor, then fewer lines at the floor.
pub fn settings(n: usize) -> Vec<Setting> {
    let (start, floor) = (start_px(n), floor_px(n));
    SIZES
        .into_iter()
        .filter(|&px| px <= start && px >= floor)
        .map(|px| Setting { px, lines: None })
        .chain(CLAMPS.into_iter().map(|lines| Setting {
            px: floor,
            lines: Some(lines),
        }))
        .collect()
}

/// A wall of `count` cards, set as large as fits: the screen tries each
/// of `settings(count)` in turn, a frame apart, and keeps the first whose
/// cards stay inside the wall. Off the screen (a printed harvest) the
/// wall's box is as tall as its cards, so nothing overflows and the first
/// setting stays. The style goes on the wall (`--card-px`, `--card-lines`).
fn fitted(
    count: Signal<usize>,
    wall: NodeRef<leptos::html::Section>,
) -> impl Fn() -> String + Copy + Send + Sync + 'static {
    // The count a stage was reached for: a new count starts again.
    let fit = RwSignal::new((usize::MAX, 0_usize));
    let setting = Memo::new(move |_| {
        let n = count.get();
        let (for_n, stage) = fit.get();
        let stage = if for_n == n { stage } else { 0 };
        let all = settings(n);
        (stage, all.get(stage).or(all.last()).copied())
    });
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        // A new count can keep the same setting: measure again anyway.
        let (stage, _) = setting.get();
        let n = count.get();
        request_animation_frame(move || {
            let Some(el) = wall.get_untracked() else {
                return;
            };
            let current = setting.get_untracked().0 == stage && count.get_untracked() == n;
            if current
                && el.scroll_height() > el.client_height() + 1
                && stage + 1 < settings(n).len()
            {
                fit.set((n, stage + 1));
            }
        });
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = (wall, fit);
    move || match setting.get().1 {
        Some(Setting { px, lines: Some(l) }) => format!("--card-px: {px}; --card-lines: {l}"),
        Some(Setting { px, lines: None }) => format!("--card-px: {px}"),
        None => String::new(),
    }
}

/// A card long enough to take two columns on a wide screen, so it keeps a
/// height like its neighbours' rather than stretching its row.
pub const LONG_CARD: usize = 180;

fn is_long(text: &str) -> bool {
    text.chars().count() > LONG_CARD
}

/// The step's results as the room sees them.
#[component]
pub fn StepWall(
    #[prop(into)] gathering: Signal<GatheringView>,
    #[prop(into)] step: Signal<Option<StepView>>,
    /// Where a card dragged on a map is let go (the console only).
    #[prop(optional)]
    on_pin: Option<Callback<(CardId, Point)>>,
) -> impl IntoView {
    move || {
        let s = step.get()?;
        let totals = Signal::derive(move || gathering.read().totals_of(s.id));
        let id = s.id;
        let cards = Signal::derive(move || {
            gathering
                .read()
                .visible_cards(id)
                .cloned()
                .collect::<Vec<_>>()
        });
        Some(match &s.exercise {
            Exercise::Spectrum { left, right } => view! {
                <SpectrumBars totals left=left.to_string() right=right.to_string()/>
            }
            .into_any(),
            Exercise::Scenario { .. } => view! { <DialogueHeat step=s.clone() totals/> }.into_any(),
            Exercise::Reframe => view! { <StoryWall cards/> }.into_any(),
            Exercise::Map { .. } => view! { <MapBoard gathering step=id on_pin/> }.into_any(),
            Exercise::Statements { .. } => {
                view! { <crate::landscape_view::LandscapeWall gathering step=id/> }.into_any()
            }
            exercise => {
                let columns: Vec<String> =
                    exercise.columns().iter().map(|c| c.to_string()).collect();
                let dots = matches!(exercise, Exercise::MovingTowards { .. });
                view! { <CardWall cards columns totals dots/> }.into_any()
            }
        })
    }
}

/// The worldview map, drawn by `map_svg` exactly as it is exported. On the
/// console, a card can be dragged: where it is let go is handed to
/// `on_pin`, and the map redraws once the room has taken the change.
#[component]
pub fn MapBoard(
    #[prop(into)] gathering: Signal<GatheringView>,
    step: StepId,
    on_pin: Option<Callback<(CardId, Point)>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let svg = Memo::new(move |_| {
        Drawing::of(&gathering.read(), step, i18n)
            .map(|d| d.svg())
            .unwrap_or_default()
    });
    let board = NodeRef::<leptos::html::Div>::new();
    let drop_at = move |x: f64, y: f64| {
        Drawing::of(&gathering.read_untracked(), step, i18n).map(|d| d.point_at(x, y))
    };
    let drag = drag::Drag::new(board, on_pin, drop_at);
    view! {
        <div
            class="map-board"
            class:draggable=on_pin.is_some()
            node_ref=board
            inner_html=move || svg.get()
            on:pointerdown=move |ev| drag.start(ev)
            on:pointermove=move |ev| drag.follow(ev)
            on:pointerup=move |ev| drag.finish(ev)
            on:pointercancel=move |_| drag.cancel()
        ></div>
    }
}

/// Dragging a card on the console's map. Pointer positions are turned
/// into the drawing's own units (the SVG keeps its aspect ratio, so the
/// board's width says the scale), and only the drop is sent: one action
/// per drag, however long the drag.
mod drag {
    use super::*;

    #[derive(Clone, Copy)]
    pub struct Drag<F: Fn(f64, f64) -> Option<Point> + Copy + 'static> {
        #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
        board: NodeRef<leptos::html::Div>,
        #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
        on_pin: Option<Callback<(CardId, Point)>>,
        #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
        drop_at: F,
        /// The card held, and where the pointer took it (drawing units).
        #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
        held: StoredValue<Option<(String, f64, f64)>>,
    }

    impl<F: Fn(f64, f64) -> Option<Point> + Copy + 'static> Drag<F> {
        pub fn new(
            board: NodeRef<leptos::html::Div>,
            on_pin: Option<Callback<(CardId, Point)>>,
            drop_at: F,
        ) -> Self {
            Drag {
                board,
                on_pin,
                drop_at,
                held: StoredValue::new(None),
            }
        }

        pub fn cancel(&self) {
            #[cfg(feature = "hydrate")]
            if let Some((card, _, _)) = self.held.get_value() {
                if let Some(el) = self.card_element(&card) {
                    let _ = el.remove_attribute("transform");
                }
            }
            self.held.set_value(None);
        }

        #[cfg(feature = "hydrate")]
        fn card_element(&self, card: &str) -> Option<web_sys::Element> {
            self.board
                .get_untracked()?
                .query_selector(&format!("[data-card=\"{card}\"]"))
                .ok()?
        }

        /// The pointer's place in drawing units.
        #[cfg(feature = "hydrate")]
        fn at(&self, ev: &leptos::ev::PointerEvent) -> Option<(f64, f64)> {
            let rect = self.board.get_untracked()?.get_bounding_client_rect();
            if rect.width() <= 0.0 {
                return None;
            }
            let scale = crate::map_svg::WIDTH / rect.width();
            Some((
                (f64::from(ev.client_x()) - rect.left()) * scale,
                (f64::from(ev.client_y()) - rect.top()) * scale,
            ))
        }

        #[cfg(feature = "hydrate")]
        pub fn start(&self, ev: leptos::ev::PointerEvent) {
            use wasm_bindgen::JsCast;
            if self.on_pin.is_none() {
                return;
            }
            let card = ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .and_then(|el| el.closest("[data-card]").ok().flatten())
                .and_then(|el| el.get_attribute("data-card"));
            let (Some(card), Some((x, y))) = (card, self.at(&ev)) else {
                return;
            };
            ev.prevent_default();
            if let Some(board) = self.board.get_untracked() {
                let _ = board.set_pointer_capture(ev.pointer_id());
            }
            self.held.set_value(Some((card, x, y)));
        }

        #[cfg(feature = "hydrate")]
        pub fn follow(&self, ev: leptos::ev::PointerEvent) {
            let (Some((card, x0, y0)), Some((x, y))) = (self.held.get_value(), self.at(&ev)) else {
                return;
            };
            if let Some(el) = self.card_element(&card) {
                let _ = el.set_attribute(
                    "transform",
                    &format!("translate({:.1} {:.1})", x - x0, y - y0),
                );
            }
        }

        #[cfg(feature = "hydrate")]
        pub fn finish(&self, ev: leptos::ev::PointerEvent) {
            let Some((card, x0, y0)) = self.held.get_value() else {
                return;
            };
            self.cancel();
            let Some((x, y)) = self.at(&ev) else {
                return;
            };
            // A tap is not a drag: it leaves the card where it is.
            if (x - x0).hypot(y - y0) < 6.0 {
                return;
            }
            let (Some(on_pin), Ok(card)) = (self.on_pin, CardId::parse(&card)) else {
                return;
            };
            // The card goes where it was let go.
            if let Some(point) = (self.drop_at)(x, y) {
                on_pin.run((card, point));
            }
        }

        #[cfg(not(feature = "hydrate"))]
        pub fn start(&self, _: leptos::ev::PointerEvent) {}
        #[cfg(not(feature = "hydrate"))]
        pub fn follow(&self, _: leptos::ev::PointerEvent) {}
        #[cfg(not(feature = "hydrate"))]
        pub fn finish(&self, _: leptos::ev::PointerEvent) {}
    }
}

/// Revealed cards, in columns when the step has them.
#[component]
pub fn CardWall(
    #[prop(into)] cards: Signal<Vec<Card>>,
    columns: Vec<String>,
    #[prop(into)] totals: Signal<Totals>,
    /// Show dot totals (moving towards) rather than resonances.
    dots: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let wall = NodeRef::<leptos::html::Section>::new();
    let style = fitted(Signal::derive(move || cards.read().len()), wall);
    let list = move |filter: Option<u8>| {
        view! {
            <ul class="cards">
                <For
                    each=move || {
                        cards
                            .get()
                            .into_iter()
                            .filter(|c| match filter {
                                Some(col) => c.place == Place::Column { column: col },
                                None => true,
                            })
                            .collect::<Vec<_>>()
                    }
                    key=|c| (c.id.clone(), c.blurred, c.text.clone())
                    let(card)
                >
                    <WallCard card totals dots/>
                </For>
            </ul>
        }
    };
    view! {
        <section class="wall" aria-label=i18n.t(Msg::BoardTitle) node_ref=wall style=style data-lines=move || style().contains("lines").then_some("")>
            <Show when=move || !cards.read().is_empty() fallback=move || view! { <p class="board-empty">{i18n.t(Msg::BoardEmpty)}</p> }>
                {if columns.is_empty() {
                    list(None).into_any()
                } else {
                    let cols = columns.clone();
                    let width = format!("--columns: {}", cols.len());
                    view! {
                        <div class="columns" style=width>
                            {cols
                                .into_iter()
                                .enumerate()
                                .map(|(i, label)| view! {
                                    <section class="column">
                                        <h3>{label}</h3>
                                        {list(Some(i as u8))}
                                    </section>
                                })
                                .collect_view()}
                        </div>
                    }
                    .into_any()
                }}
            </Show>
        </section>
    }
}

/// One card on a wall: its words (blurred under a content note until the
/// facilitator shows them), and its total.
#[component]
fn WallCard(card: Card, #[prop(into)] totals: Signal<Totals>, dots: bool) -> impl IntoView {
    let i18n = use_i18n();
    let id = card.id.clone();
    let count = move || totals.read().card(&id);
    let from = card.place.away_from().map(str::to_owned);
    // Brought back by a small group that the facilitator chose to name.
    let sign = match card.place {
        Place::Brought { group: Some(n) } => Some(Sign::of(n as usize)),
        _ => None,
    };
    view! {
        <li class="card" class:blurred=card.blurred class:long=is_long(&card.text)>
            {card.blurred.then(|| view! { <span class="content-note">{i18n.t(Msg::ScreenContentNote)}</span> })}
            {sign.map(|sign| view! {
                <span class="card-sign" data-colour=sign.colour.slug()>{sign_words(sign, i18n.0)}</span>
            })}
            <p class="card-text" aria-hidden=card.blurred.then_some("true")>{card.text.clone()}</p>
            {from.map(|from| view! { <p class="from">{i18n.t(Msg::ScreenAwayFrom)} " " {from}</p> })}
            {move || {
                let n = count();
                (n > 0).then(|| {
                    let words = if dots {
                        i18n.plural(Msg::ScreenDots, n as usize)
                    } else {
                        i18n.plural(Msg::ScreenResonates, n as usize)
                    };
                    view! { <span class="total" class:dots=dots>{words}</span> }
                })
            }}
        </li>
    }
}

/// Stories with the reframes people added under them.
#[component]
pub fn StoryWall(#[prop(into)] cards: Signal<Vec<Card>>) -> impl IntoView {
    let i18n = use_i18n();
    let wall = NodeRef::<leptos::html::Section>::new();
    let style = fitted(Signal::derive(move || cards.read().len()), wall);
    let stories = move || {
        let cards = cards.read();
        cards
            .iter()
            .filter(|c| c.under().is_none())
            .map(|story| {
                let under: Vec<String> = cards
                    .iter()
                    .filter(|r| r.under() == Some(&story.id))
                    .map(|r| r.text.clone())
                    .collect();
                (story.clone(), under)
            })
            .collect::<Vec<_>>()
    };
    view! {
        <section class="wall stories" aria-label=i18n.t(Msg::BoardTitle) node_ref=wall style=style data-lines=move || style().contains("lines").then_some("")>
            <Show when=move || !cards.read().is_empty() fallback=move || view! { <p class="board-empty">{i18n.t(Msg::BoardEmpty)}</p> }>
                <ul class="cards">
                    {move || stories()
                        .into_iter()
                        .map(|(story, under)| {
                            let long = is_long(&story.text);
                            view! {
                            <li class="card story" class:blurred=story.blurred class:long=long>
                                {story.blurred.then(|| view! { <span class="content-note">{i18n.t(Msg::ScreenContentNote)}</span> })}
                                <p class="card-text">{story.text}</p>
                                {(!under.is_empty()).then(|| view! {
                                    <ul class="reframes" aria-label=i18n.t(Msg::ScreenReframes)>
                                        {under.into_iter().map(|r| view! { <li>{r}</li> }).collect_view()}
                                    </ul>
                                })}
                            </li>
                            }
                        })
                        .collect_view()}
                </ul>
            </Show>
        </section>
    }
}

/// A spectrum's distribution: how many people stand in each band, between
/// the two poles; or a calm note while too few have placed themselves.
/// Each band's count stands above its bar, inside the chart, so nothing
/// above it (the prompt, a printed page's heading) can cover it.
#[component]
pub fn SpectrumBars(
    #[prop(into)] totals: Signal<Totals>,
    left: String,
    right: String,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="spectrum" aria-label=i18n.t(Msg::ScreenSpread)>
            {move || match totals.read().spectrum.clone() {
                None => view! { <p class="board-empty">{i18n.t(Msg::ScreenSpreadWaiting)}</p> }.into_any(),
                Some(bands) => {
                    let placed: u32 = bands.iter().sum();
                    let top = bar_scale(&bands);
                    view! {
                        <p class="spread-total">{i18n.plural(Msg::ScreenPlaced, placed as usize)}</p>
                        <ol class="bars">
                            {bands
                                .into_iter()
                                .map(|n| view! {
                                    <li class="band">
                                        <span class="bar-count">{n}</span>
                                        <span class="bar" style=format!("--share: {:.3}", f64::from(n) / f64::from(top))></span>
                                    </li>
                                })
                                .collect_view()}
                        </ol>
                    }
                    .into_any()
                }
            }}
            <p class="poles"><span>{left}</span><span>{right}</span></p>
        </section>
    }
}

/// The count a full-length bar stands for (a spectrum's band, a line of
/// dialogue): the fullest one, but never fewer than a small room's worth
/// of people, so one person is a short bar, not everyone.
pub fn bar_scale(bands: &[u32]) -> u32 {
    bands
        .iter()
        .copied()
        .max()
        .unwrap_or(0)
        .max(hearth_core::anonymity::SMALL_ROOM)
}

/// The dialogue so far, each line with a bar of how the room tagged it.
#[component]
pub fn DialogueHeat(step: StepView, #[prop(into)] totals: Signal<Totals>) -> impl IntoView {
    let i18n = use_i18n();
    let Exercise::Scenario { lines } = &step.exercise else {
        return ().into_any();
    };
    let shown: Vec<_> = lines
        .iter()
        .take(usize::from(step.shown))
        .cloned()
        .enumerate()
        .collect();
    let lines_shown = shown.len();
    view! {
        <section class="dialogue-heat" aria-label=i18n.t(Msg::ScreenDialogue)>
            {shown.is_empty().then(|| view! { <p class="board-empty">{i18n.t(Msg::ScreenDialogueWaiting)}</p> })}
            <ol class="dialogue">
                {shown
                    .into_iter()
                    .map(|(i, line)| {
                        let counts = move || totals.read().line(i);
                        // Each bar as long as its line's tags against the
                        // most-tagged line (and never less than a small
                        // room's worth), so one tag does not look like many.
                        let scale = move || {
                            let totals = totals.read();
                            let per_line: Vec<u32> = (0..lines_shown)
                                .map(|l| totals.line(l).iter().sum())
                                .collect();
                            let most = bar_scale(&per_line);
                            let here: u32 = totals.line(i).iter().sum();
                            format!("--length: {:.3}", f64::from(here) / f64::from(most))
                        };
                        view! {
                            <li class="line">
                                <p><strong>{line.speaker.to_string()}</strong> " " {line.text.to_string()}</p>
                                <div class="heat-track" style=scale>
                                    <HeatBar counts=Signal::derive(counts)/>
                                </div>
                            </li>
                        }
                    })
                    .collect_view()}
            </ol>
            <ul class="legend">
                {Tag::ALL
                    .into_iter()
                    .map(|t| view! { <li data-tag=t.slug()>{i18n.t(tag_name(t))}</li> })
                    .collect_view()}
            </ul>
        </section>
    }
    .into_any()
}

/// One line's tags as a stacked bar, with the counts written out for
/// screen readers.
#[component]
fn HeatBar(#[prop(into)] counts: Signal<[u32; 7]>) -> impl IntoView {
    let i18n = use_i18n();
    let described = move || {
        let c = counts.get();
        Tag::ALL
            .into_iter()
            .filter(|t| c[t.index()] > 0)
            .map(|t| format!("{}: {}", i18n.t(tag_name(t)), c[t.index()]))
            .collect::<Vec<_>>()
            .join(", ")
    };
    view! {
        <div class="heat" role="img" aria-label=move || {
            let d = described();
            if d.is_empty() { i18n.t(Msg::ScreenNoTags).to_owned() } else { d }
        }>
            {move || {
                let c = counts.get();
                let total: u32 = c.iter().sum();
                Tag::ALL
                    .into_iter()
                    .filter(|t| c[t.index()] > 0)
                    .map(|t| {
                        let share = f64::from(c[t.index()]) / f64::from(total.max(1));
                        view! {
                            <span class="heat-part" data-tag=t.slug() style=format!("--share: {share:.3}")>
                                {c[t.index()]}
                            </span>
                        }
                    })
                    .collect_view()
            }}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wall_never_goes_below_its_floor() {
        for (n, floor) in [(5, 28), (12, 28), (30, 22), (150, 18)] {
            let all = settings(n);
            assert!(all.iter().all(|s| s.px >= floor), "{n} cards");
            assert_eq!(floor_px(n), floor);
            assert!(all.windows(2).all(|w| w[0].px >= w[1].px), "largest first");
            assert_eq!(
                all.last().and_then(|s| s.lines),
                Some(1),
                "then fewer lines, down to one"
            );
        }
        assert_eq!(
            settings(5).first().map(|s| s.px),
            Some(36),
            "a few cards start large"
        );
    }

    #[test]
    fn one_person_on_a_band_is_not_everyone() {
        assert_eq!(bar_scale(&[1, 0, 0]), hearth_core::anonymity::SMALL_ROOM);
        assert_eq!(bar_scale(&[12, 3, 0]), 12);
        assert_eq!(bar_scale(&[]), hearth_core::anonymity::SMALL_ROOM);
    }
}
