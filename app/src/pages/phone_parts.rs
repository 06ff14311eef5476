//! The phone's ways to take part beyond writing: placing yourself on a
//! spectrum, tagging lines of a dialogue, and responding to revealed cards
//! (a resonance, dots on a statement, a reframe under a story, a place on
//! the worldview map). Each mark
//! is the participant's own; the phone shows their own mark and, like the
//! screen, only totals of everyone else's.
//!
//! Every control sits in a plain form that posts to the server
//! (`/p/<token>/mark`), so a phone takes part from the page's first bytes;
//! the phone's script sends the same forms without leaving the page.

use super::participant::Phone;
use crate::exercise::{Exercise, Place};
use crate::gathering::Card;
use crate::i18n::{use_i18n, Msg};
use crate::ids::{CardId, StepId};
use crate::library::tag_name;
use crate::map::{Axis, Spot};
use crate::marks::{Mark, Tag, Target, SPECTRUM_MAX};
use crate::reflection::REFLECTION_MAX_CHARS;
use leptos::prelude::*;

/// A form posting one mark to the server: the kind of mark and the fields
/// that say what it is about, as hidden inputs, around the controls that
/// choose its value (their `name`s are the server's `MarkForm` fields).
#[component]
fn MarkForm(
    /// `spectrum`, `tag`, `vote`, `resonate` or `place`.
    mark: &'static str,
    /// The hidden fields besides the kind: `(name, value)`.
    about: Vec<(&'static str, String)>,
    #[prop(optional)] class: &'static str,
    children: Children,
) -> impl IntoView {
    let phone = expect_context::<Phone>();
    let action = phone.form_action("mark");
    view! {
        <form method="post" action=action class=class>
            <input type="hidden" name="mark" value=mark/>
            {about
                .into_iter()
                .map(|(name, value)| view! { <input type="hidden" name=name value=value/> })
                .collect_view()}
            {children()}
        </form>
    }
}

/// The participant's own value for a target, if they have one (a point on
/// a spectrum, a tag, some dots: each fits a byte).
fn own(phone: Phone, target: &Target) -> Option<u8> {
    phone
        .live
        .marks
        .read()
        .iter()
        .find(|m| &m.target() == target)
        .and_then(Mark::value)
        .and_then(|v| u8::try_from(v).ok())
}

/// A slider between the two poles; only the spread is ever shown.
#[component]
pub fn SpectrumPlace(step: StepId) -> impl IntoView {
    let i18n = use_i18n();
    let phone = expect_context::<Phone>();
    let g = phone.live.gathering;
    let poles = move || match g.read().step(step).map(|s| s.exercise.clone()) {
        Some(Exercise::Spectrum { left, right }) => (left.to_string(), right.to_string()),
        _ => Default::default(),
    };
    let open = move || g.read().step(step).is_some_and(|s| s.collecting) && !g.read().ended;
    let placed = move || own(phone, &Target::Spectrum(step));
    let at = placed().unwrap_or(SPECTRUM_MAX / 2);
    let label = move || {
        let (left, right) = poles();
        i18n.fill(
            Msg::PartSpectrumLabel,
            &[("left", &left), ("right", &right)],
        )
    };
    view! {
        <Show when=open fallback=move || view! { <p class="note">{i18n.t(Msg::PartPaused)}</p> }>
            <MarkForm mark="spectrum" about=vec![("step", step.0.to_string())] class="spectrum-place stack">
                <label for="spectrum">{label}</label>
                <input
                    type="range"
                    id="spectrum"
                    name="at"
                    min="0"
                    max=SPECTRUM_MAX
                    step="1"
                    value=at.to_string()
                    data-left=move || poles().0
                    data-right=move || poles().1
                    aria-valuetext=move || {
                        let (left, right) = poles();
                        if at < SPECTRUM_MAX / 2 { format!("{at}, {left}") } else { format!("{at}, {right}") }
                    }
                />
                <p class="poles" aria-hidden="true"><span>{move || poles().0}</span><span>{move || poles().1}</span></p>
                <div class="actions">
                    <button type="submit" class="primary">{i18n.t(Msg::PartSpectrumPlace)}</button>
                    {move || placed().is_some().then(|| view! {
                        <button
                            type="submit"
                            name="take_back"
                            value="1"
                        >
                            {i18n.t(Msg::PartSpectrumTakeBack)}
                        </button>
                    })}
                </div>
                <p class="hint">
                    {move || if placed().is_some() { i18n.t(Msg::PartSpectrumPlaced) } else { i18n.t(Msg::PartSpectrumPrivate) }}
                </p>
            </MarkForm>
        </Show>
    }
}

/// The dialogue so far, each line with a choice of tag.
#[component]
pub fn TagLines(step: StepId) -> impl IntoView {
    let i18n = use_i18n();
    let phone = expect_context::<Phone>();
    let g = phone.live.gathering;
    let lines = move || match g.read().step(step) {
        Some(s) => match &s.exercise {
            Exercise::Scenario { lines } => lines
                .iter()
                .take(usize::from(s.shown))
                .map(|l| (l.speaker.to_string(), l.text.to_string()))
                .collect::<Vec<_>>(),
            _ => Vec::new(),
        },
        None => Vec::new(),
    };
    let open = move || g.read().step(step).is_some_and(|s| s.collecting) && !g.read().ended;
    view! {
        <section id="tag-lines" class="tag-lines" aria-label=i18n.t(Msg::ScreenDialogue)>
            {move || lines().is_empty().then(|| view! { <p class="note">{i18n.t(Msg::ScreenDialogueWaiting)}</p> })}
            <ol class="dialogue">
                <For each={move || lines().into_iter().enumerate().collect::<Vec<_>>()} key={|item| item.clone()} let(item)>
                    {
                        let (i, line) = item;
                        let line_no = i as u16;
                        let id = format!("tag-{i}");
                        let current = move || own(phone, &Target::Tag(step, line_no));
                        let about = vec![("step", step.0.to_string()), ("line", line_no.to_string())];
                        view! {
                            <li class="line">
                                <p><strong>{line.0.clone()}</strong> " " {line.1.clone()}</p>
                                // With the script, choosing a tag sends it.
                                <MarkForm mark="tag" about class="stack" attr:data-send-on-change="">
                                    <label for=id.clone()>{i18n.t(Msg::PartTagLine)}</label>
                                    <select
                                        id=id
                                        name="tag"
                                        disabled=move || !open()
                                    >
                                        <option value="" selected=move || current().is_none()>{i18n.t(Msg::PartNoTag)}</option>
                                        {Tag::ALL
                                            .into_iter()
                                            .map(|t| {
                                                let index = t.index() as u8;
                                                view! {
                                                    <option value=t.index().to_string() selected=move || current() == Some(index)>
                                                        {i18n.t(tag_name(t))}
                                                    </option>
                                                }
                                            })
                                            .collect_view()}
                                    </select>
                                    <button type="submit" class="quiet" data-no-script="" disabled=move || !open()>
                                        {i18n.t(Msg::PartTagSave)}
                                    </button>
                                </MarkForm>
                            </li>
                        }
                    }
                </For>
            </ol>
        </section>
    }
}

/// The revealed cards of the current step, with the ways to respond that
/// its kind offers.
#[component]
pub fn Responses() -> impl IntoView {
    let i18n = use_i18n();
    let phone = expect_context::<Phone>();
    let g = phone.live.gathering;
    let step = Memo::new(move |_| g.read().current_step().cloned());
    let takes_cards = move || {
        step.read()
            .as_ref()
            .is_some_and(|s| s.exercise.takes_reflections())
    };
    let cards = move || {
        let g = g.read();
        let Some(s) = g.current_step() else {
            return Vec::new();
        };
        g.visible_cards(s.id)
            .filter(|c| c.under().is_none())
            .cloned()
            .collect::<Vec<_>>()
    };
    let budget = move || match step.read().as_ref().map(|s| s.exercise.clone()) {
        Some(Exercise::MovingTowards { budget }) => Some(budget),
        _ => None,
    };
    let dots_left = move || {
        let budget = budget()?;
        let g = g.read();
        let step = g.current;
        let spent: u32 = phone
            .live
            .marks
            .read()
            .iter()
            .filter_map(|m| match m {
                Mark::Vote { card, dots } if g.card(card).is_some_and(|c| c.step == step) => {
                    Some(u32::from(*dots))
                }
                _ => None,
            })
            .sum();
        Some((u32::from(budget).saturating_sub(spent), budget))
    };
    view! {
        <Show when=takes_cards>
            <section id="board" class="board" aria-labelledby="board-title">
                <h2 id="board-title">{i18n.t(Msg::BoardTitle)}</h2>
                {move || dots_left().map(|(left, total)| view! {
                    <p class="hint" role="status">
                        {i18n.fill(Msg::PartDotsLeft, &[("n", &left.to_string()), ("total", &total.to_string())])}
                    </p>
                })}
                <Show when=move || !cards().is_empty() fallback=move || view! { <p class="board-empty">{i18n.t(Msg::BoardEmpty)}</p> }>
                    <ul class="cards phone-cards">
                        <For
                            each=cards
                            key=|c| (c.id.clone(), c.blurred, c.text.clone())
                            let(card)
                        >
                            <PhoneCard card dots_left=Signal::derive(move || dots_left().map(|d| d.0))/>
                        </For>
                    </ul>
                </Show>
            </section>
        </Show>
    }
}

/// One revealed card on the phone.
#[component]
fn PhoneCard(card: Card, #[prop(into)] dots_left: Signal<Option<u32>>) -> impl IntoView {
    let i18n = use_i18n();
    let phone = expect_context::<Phone>();
    let g = phone.live.gathering;
    let id = card.id.clone();
    // A memo, so a change elsewhere in the room never rebuilds this card's
    // controls (and never wipes a reframe being typed).
    let exercise = Memo::new(move |_| g.read().step(card.step).map(|s| s.exercise.clone()));
    let words = view! { <p class="card-text">{card.text.clone()}</p> };
    let body = if card.blurred {
        view! {
            <details class="content-note">
                <summary>{i18n.t(Msg::PartBlurred)}</summary>
                {words}
            </details>
        }
        .into_any()
    } else {
        words.into_any()
    };
    let from = card.place.away_from().map(str::to_owned);
    let column = match &card.place {
        Place::Column { column } => exercise
            .get_untracked()
            .and_then(|e| e.columns().get(usize::from(*column)).map(|c| c.to_string())),
        _ => None,
    };
    let respond = {
        let id = id.clone();
        move || match exercise.get() {
            Some(Exercise::MovingTowards { .. }) => {
                view! { <Dots card=id.clone() dots_left/> }.into_any()
            }
            Some(Exercise::Reframe) => view! {
                <Resonate card=id.clone()/>
                <Reframes story=id.clone()/>
            }
            .into_any(),
            Some(Exercise::Map { across, up }) => view! {
                <Resonate card=id.clone()/>
                <MapPlace card=id.clone() across up/>
            }
            .into_any(),
            Some(_) => view! { <Resonate card=id.clone()/> }.into_any(),
            None => ().into_any(),
        }
    };
    view! {
        <li class="card" id=format!("card-{}", id.as_str())>
            {column.map(|c| view! { <p class="eyebrow">{c}</p> })}
            {from.map(|f| view! { <p class="from">{i18n.t(Msg::ScreenAwayFrom)} " " {f}</p> })}
            {body}
            {respond}
        </li>
    }
}

/// "This resonates": a toggle; the room sees only how many.
#[component]
fn Resonate(card: CardId) -> impl IntoView {
    let i18n = use_i18n();
    let phone = expect_context::<Phone>();
    let target = Target::Resonate(card.clone());
    let on = Memo::new(move |_| own(phone, &target).is_some());
    let total = {
        let card = card.clone();
        move || {
            let g = phone.live.gathering.read();
            g.totals_of(g.current).card(&card)
        }
    };
    let about = vec![("card", card.as_str().to_owned())];
    view! {
        <MarkForm mark="resonate" about class="resonate-form">
            <button
                type="submit"
                name="on"
                value=move || (!on.get()).to_string()
                class="quiet resonate"
                aria-pressed=move || on.get().to_string()
            >
                {i18n.t(Msg::PartResonates)}
                {move || (total() > 0).then(|| format!(" · {}", total()))}
            </button>
        </MarkForm>
    }
}

/// Dots on a "towards" statement, within the person's budget.
#[component]
fn Dots(card: CardId, #[prop(into)] dots_left: Signal<Option<u32>>) -> impl IntoView {
    let i18n = use_i18n();
    let phone = expect_context::<Phone>();
    let target = Target::Vote(card.clone());
    let mine = Memo::new(move |_| own(phone, &target).unwrap_or(0));
    let (less, more) = (
        move || mine.get().saturating_sub(1),
        move || mine.get().saturating_add(1),
    );
    let about = vec![("card", card.as_str().to_owned())];
    view! {
        <MarkForm mark="vote" about class="dots" attr:role="group" attr:aria-label=i18n.t(Msg::PartYourDots)>
            <button
                type="submit"
                name="dots"
                value=move || less().to_string()
                class="quiet"
                aria-label=i18n.t(Msg::PartRemoveDot)
                disabled=move || mine.get() == 0
            >
                "−"
            </button>
            <span class="dot-count">{move || i18n.fill(Msg::PartDotsHere, &[("n", &mine.get().to_string())])}</span>
            <button
                type="submit"
                name="dots"
                value=move || more().to_string()
                class="quiet"
                aria-label=i18n.t(Msg::PartAddDot)
                disabled=move || dots_left.get().unwrap_or(0) == 0
            >
                "+"
            </button>
        </MarkForm>
    }
}

/// The reframes under a story, and a way to add one (a real form, so it
/// works before the script has loaded too).
#[component]
fn Reframes(story: CardId) -> impl IntoView {
    let i18n = use_i18n();
    let phone = expect_context::<Phone>();
    let g = phone.live.gathering;
    let under = {
        let story = story.clone();
        move || {
            g.read()
                .cards
                .iter()
                .filter(|c| !c.hidden && c.under() == Some(&story))
                .map(|c| c.text.clone())
                .collect::<Vec<_>>()
        }
    };
    let open = move || g.read().current_step().is_some_and(|s| s.collecting) && !g.read().ended;
    let field = format!("reframe-{}", story.as_str());
    let action = phone.form_action("reflect");
    view! {
        {move || {
            let under = under();
            (!under.is_empty()).then(|| view! {
                <ul class="reframes" aria-label=i18n.t(Msg::ScreenReframes)>
                    {under.into_iter().map(|r| view! { <li>{r}</li> }).collect_view()}
                </ul>
            })
        }}
        <Show when=open>
            <details class="add-reframe">
                <summary>{i18n.t(Msg::PartAddReframe)}</summary>
                <form class="stack" method="post" action=action.clone()>
                    <input type="hidden" name="id" value=phone.form_id.read_value().for_card(&story).as_str().to_owned()/>
                    <input type="hidden" name="step" value=move || g.read().current.0.to_string()/>
                    <input type="hidden" name="under" value=story.as_str().to_owned()/>
                    <label for=field.clone()>{i18n.t(Msg::PartReframeLabel)}</label>
                    <textarea
                        id=field.clone()
                        name="text"
                        rows=3
                        maxlength=REFLECTION_MAX_CHARS
                    ></textarea>
                    <button type="submit" class="primary">{i18n.t(Msg::PartAdd)}</button>
                </form>
            </details>
        </Show>
    }
}

/// What a phone calls one choice along an axis: a category, a scale's
/// end, or a point between the ends.
fn choice_name(axis: &Axis, value: u8, label: Option<&crate::exercise::Label>) -> String {
    let i18n = use_i18n();
    match (label, axis) {
        (Some(label), _) => label.to_string(),
        (None, Axis::Scale { low, high }) if value < 50 => {
            i18n.fill(Msg::AxisLeaning, &[("end", low.as_str())])
        }
        (None, Axis::Scale { high, .. }) if value > 50 => {
            i18n.fill(Msg::AxisLeaning, &[("end", high.as_str())])
        }
        (None, _) => i18n.t(Msg::AxisBetween).to_owned(),
    }
}

/// Placing a card on the worldview map: a mini-map of large buttons, one
/// per place, and the same choice as two lists for a keyboard or a screen
/// reader. The person sees their own place; the room sees only the group's.
#[component]
fn MapPlace(card: CardId, across: Axis, up: Axis) -> impl IntoView {
    let i18n = use_i18n();
    let phone = expect_context::<Phone>();
    let mine = {
        let card = card.clone();
        Memo::new(move |_| {
            phone.live.marks.read().iter().find_map(|m| match m {
                Mark::Place { card: c, at } if *c == card => *at,
                _ => None,
            })
        })
    };
    let across_choices: Vec<(u8, String)> = across
        .choices()
        .into_iter()
        .map(|(v, l)| (v, choice_name(&across, v, l)))
        .collect();
    let up_choices: Vec<(u8, String)> = up
        .choices()
        .into_iter()
        .map(|(v, l)| (v, choice_name(&up, v, l)))
        .collect();
    let cols = format!("--cols: {}", across_choices.len());
    // Numbers over the columns of categories, matching the legend below.
    let numbers = matches!(across, Axis::Categories { .. }).then(|| {
        (1..=across_choices.len())
            .map(|n| view! { <span class="map-col" aria-hidden="true">{n}</span> })
            .collect_view()
    });
    let grid = up_choices
        .iter()
        .rev()
        .map(|(y, up_name)| {
            across_choices
                .iter()
                .map(|(x, across_name)| {
                    let spot = Spot { x: *x, y: *y };
                    let name = format!("{across_name}, {up_name}");
                    view! {
                        <button
                            type="submit"
                            name="spot"
                            value=format!("{},{}", spot.x, spot.y)
                            class="spot"
                            aria-label=name.clone()
                            title=name
                            aria-pressed=move || (mine.get() == Some(spot)).to_string()
                        ></button>
                    }
                })
                .collect_view()
        })
        .collect_view();
    let id = card.as_str().to_owned();
    let (across_id, up_id) = (format!("across-{id}"), format!("up-{id}"));
    let options = move |choices: Vec<(u8, String)>, get: fn(Spot) -> u8| {
        choices
            .into_iter()
            .map(|(v, name)| {
                view! {
                    <option value=v.to_string() selected=move || mine.get().map(get) == Some(v)>{name}</option>
                }
            })
            .collect_view()
    };
    let ends = |axis: &Axis| match axis {
        Axis::Scale { low, high } => Some((low.to_string(), high.to_string())),
        Axis::Categories { .. } => None,
    };
    let (across_ends, up_ends) = (ends(&across), ends(&up));
    let legend = match &across {
        Axis::Categories { labels } => Some(
            labels
                .iter()
                .map(|l| view! { <li>{l.to_string()}</li> })
                .collect_view(),
        ),
        Axis::Scale { .. } => None,
    };
    let about = vec![("card", card.as_str().to_owned())];
    view! {
        <MarkForm mark="place" about class="map-form">
            <details class="map-place" open=mine.get_untracked().is_none()>
                <summary>{move || i18n.t(if mine.get().is_some() { Msg::PartMapMove } else { Msg::PartMapPlace })}</summary>
                <p class="hint">{i18n.t(Msg::PartMapTapHint)}</p>
                {up_ends.clone().map(|(_, high)| view! { <p class="map-end">"↑ " {high}</p> })}
                <div class="mini-map" style=cols role="group" aria-label=i18n.t(Msg::PartMapPlace)>{numbers}{grid}</div>
                {up_ends.map(|(low, _)| view! { <p class="map-end">"↓ " {low}</p> })}
                {across_ends.map(|(low, high)| view! { <p class="map-ends"><span>"← " {low}</span><span>{high} " →"</span></p> })}
                {legend.map(|items| view! { <ol class="map-legend">{items}</ol> })}
                <div class="map-lists">
                    <label for=across_id.clone()>{i18n.t(Msg::MapAcross)}</label>
                    <select id=across_id name="across">
                        {options(across_choices.clone(), |s| s.x)}
                    </select>
                    <label for=up_id.clone()>{i18n.t(Msg::MapUp)}</label>
                    <select id=up_id name="up">
                        {options(up_choices.clone(), |s| s.y)}
                    </select>
                    <button type="submit" class="primary">{i18n.t(Msg::PartMapPlace)}</button>
                </div>
            </details>
            {move || mine.get().map(|_| view! {
                <p class="hint">{i18n.t(Msg::PartMapPlaced)}</p>
                <button
                    type="submit"
                    name="take_back"
                    value="1"
                    class="quiet"
                >
                    {i18n.t(Msg::PartMapTakeBack)}
                </button>
            })}
        </MarkForm>
    }
    .into_any()
}
