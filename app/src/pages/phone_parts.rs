//! The phone's ways to take part beyond writing: placing yourself on a
//! spectrum, tagging lines of a dialogue, and responding to revealed cards
//! (a resonance, dots on a statement, a reframe under a story, a place on
//! the worldview map). Each mark
//! is the participant's own; the phone shows their own mark and, like the
//! screen, only totals of everyone else's.
//!
//! Every control sits in a plain form that posts to the server
//! (`/p/<token>/mark`), so a phone takes part from the page's first bytes;
//! the phone's script sends the same forms without leaving the page. Each
//! part renders once, on the server, from the `Phone`'s plain values.

use super::participant::Phone;
use crate::i18n::{use_i18n, Msg};
use crate::library::tag_name;
use hearth_core::exercise::{Exercise, Place};
use hearth_core::gathering::Card;
use hearth_core::ids::{CardId, StepId};
use hearth_core::map::{Axis, Spot};
use hearth_core::marks::{Mark, Tag, Target, SPECTRUM_MAX};
use hearth_core::reflection::REFLECTION_MAX_CHARS;
use leptos::prelude::*;

/// A form posting one mark to the server: the kind of mark and the fields
/// that say what it is about, as hidden inputs, around the controls that
/// choose its value (their `name`s are the server's `MarkForm` fields).
#[component]
fn MarkForm(
    /// The form's id: the phone's own copy of a form (`own_html`) takes the
    /// place of the shared one by it.
    id: String,
    /// `spectrum`, `tag`, `vote`, `resonate` or `place`.
    mark: &'static str,
    /// The hidden fields besides the kind: `(name, value)`.
    about: Vec<(&'static str, String)>,
    #[prop(optional)] class: &'static str,
    children: Children,
) -> impl IntoView {
    let action = Phone::here().form_action("mark");
    view! {
        <form id=id method="post" action=action class=class>
            <input type="hidden" name="mark" value=mark/>
            {about
                .into_iter()
                .map(|(name, value)| view! { <input type="hidden" name=name value=value/> })
                .collect_view()}
            {children()}
        </form>
    }
}

/// The button in a `MarkForm` that takes the person's mark back (the
/// server's `MarkForm` reads `take_back`).
#[component]
fn TakeBack(label: Msg, #[prop(optional)] class: Option<&'static str>) -> impl IntoView {
    view! {
        <button type="submit" name="take_back" value="1" class=class>
            {use_i18n().t(label)}
        </button>
    }
}

/// A slider between the two poles; only the spread is ever shown.
#[component]
pub fn SpectrumPlace(step: StepId) -> impl IntoView {
    let i18n = use_i18n();
    let phone = Phone::here();
    let Some(s) = phone.room().step(step) else {
        return ().into_any();
    };
    if !phone.open(s) {
        return view! { <p class="note">{i18n.t(Msg::PartPaused)}</p> }.into_any();
    }
    let (left, right) = match &s.exercise {
        Exercise::Spectrum { left, right } => (left.to_string(), right.to_string()),
        _ => Default::default(),
    };
    let placed = phone.own(&Target::Spectrum(step));
    let at = placed.unwrap_or(SPECTRUM_MAX / 2);
    let label = i18n.fill(
        Msg::PartSpectrumLabel,
        &[("left", &left), ("right", &right)],
    );
    let valuetext = format!(
        "{at}, {}",
        if at < SPECTRUM_MAX / 2 { &left } else { &right }
    );
    view! {
        <MarkForm id=format!("spectrum-{}", step.0) mark="spectrum" about=vec![("step", step.0.to_string())] class="spectrum-place stack">
            <label for="spectrum">{label}</label>
            <input
                type="range"
                id="spectrum"
                name="at"
                min="0"
                max=SPECTRUM_MAX
                step="1"
                value=at.to_string()
                data-left=left.clone()
                data-right=right.clone()
                aria-valuetext=valuetext
            />
            <p class="poles" aria-hidden="true"><span>{left}</span><span>{right}</span></p>
            <div class="actions">
                <button type="submit" class="primary">{i18n.t(Msg::PartSpectrumPlace)}</button>
                {placed.is_some().then(|| view! { <TakeBack label=Msg::PartSpectrumTakeBack/> })}
            </div>
            <p class="hint">
                {if placed.is_some() { i18n.t(Msg::PartSpectrumPlaced) } else { i18n.t(Msg::PartSpectrumPrivate) }}
            </p>
        </MarkForm>
    }
    .into_any()
}

/// The dialogue so far, each line with a choice of tag.
#[component]
pub fn TagLines(step: StepId) -> impl IntoView {
    let i18n = use_i18n();
    let phone = Phone::here();
    let Some(s) = phone.room().step(step) else {
        return ().into_any();
    };
    let lines: &[_] = match &s.exercise {
        Exercise::Scenario { lines } => &lines[..usize::from(s.shown).min(lines.len())],
        _ => &[],
    };
    let open = phone.open(s);
    view! {
        <section id="tag-lines" class="tag-lines" aria-label=i18n.t(Msg::ScreenDialogue)>
            {lines.is_empty().then(|| view! { <p class="note">{i18n.t(Msg::ScreenDialogueWaiting)}</p> })}
            <ol class="dialogue">
                {lines
                    .iter()
                    .enumerate()
                    .map(|(i, line)| {
                        view! {
                            <li class="line">
                                <p><strong>{line.speaker.to_string()}</strong> " " {line.text.to_string()}</p>
                                <TagForm step line=i as u16 open/>
                            </li>
                        }
                    })
                    .collect_view()}
            </ol>
        </section>
    }
    .into_any()
}

/// The tag the person chose for one line of a dialogue, in a form that
/// sends it (with the script, choosing is sending).
#[component]
fn TagForm(step: StepId, line: u16, open: bool) -> impl IntoView {
    let i18n = use_i18n();
    let id = format!("tag-{line}");
    let current = Phone::here().own(&Target::Tag(step, line));
    let about = vec![("step", step.0.to_string()), ("line", line.to_string())];
    view! {
        <MarkForm id=format!("tagline-{line}") mark="tag" about class="stack" attr:data-send-on-change="">
            <label for=id.clone()>{i18n.t(Msg::PartTagLine)}</label>
            <select id=id name="tag" disabled=!open>
                <option value="" selected=current.is_none()>{i18n.t(Msg::PartNoTag)}</option>
                {Tag::ALL
                    .into_iter()
                    .map(|t| {
                        let chosen = current == Some(t.index() as u8);
                        view! {
                            <option value=t.index().to_string() selected=chosen>
                                {i18n.t(tag_name(t))}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
            <button type="submit" class="quiet" data-no-script="" disabled=!open>
                {i18n.t(Msg::PartTagSave)}
            </button>
        </MarkForm>
    }
}

/// Every control of the current step that shows one of the person's own
/// marks, rendered as the person sees it, to take the place of the
/// neutral one in the part every phone shares (see `own_html`). Controls
/// the person has not touched are the shared ones already.
#[component]
pub fn OwnMarks() -> impl IntoView {
    let phone = Phone::here();
    let g = phone.room();
    let Some(step) = g.current_step() else {
        return ().into_any();
    };
    let open = phone.open(step);
    let dots = dots_left(&phone);
    let dots_left = dots.map(|(left, _)| left);
    let on_step = |card: &CardId| g.card(card).is_some_and(|c| c.step == step.id && !c.hidden);
    let mut parts = Vec::new();
    for mark in &phone.page.marks {
        match mark.target() {
            Target::Spectrum(s) if s == step.id => {
                parts.push(view! { <SpectrumPlace step=s/> }.into_any())
            }
            Target::Tag(s, line) if s == step.id => {
                parts.push(view! { <TagForm step=s line open/> }.into_any())
            }
            Target::Resonate(card) if on_step(&card) => {
                parts.push(view! { <ResonateForm card/> }.into_any())
            }
            // With no dots left, every card's "+" is off: those come below.
            Target::Vote(card) if on_step(&card) && dots_left != Some(0) => {
                parts.push(view! { <Dots card dots_left/> }.into_any())
            }
            Target::Place(card) if on_step(&card) => {
                if let Some(axes) = step.exercise.axes() {
                    let (across, up) = (axes.across.clone(), axes.up.clone());
                    parts.push(view! { <PlaceOnMap card across up/> }.into_any())
                }
            }
            _ => {}
        }
    }
    // The card being placed, not placed yet: its mini-map.
    let placing = phone
        .placing
        .clone()
        .filter(|card| on_step(card) && phone.mark(&Target::Place(card.clone())).is_none());
    if let (Some(card), Some(axes)) = (placing, step.exercise.axes()) {
        let (across, up) = (axes.across.clone(), axes.up.clone());
        parts.push(view! { <PlaceOnMap card across up/> }.into_any());
    }
    if dots_left == Some(0) {
        for card in g.visible_cards(step.id).filter(|c| c.under().is_none()) {
            parts.push(view! { <Dots card=card.id.clone() dots_left/> }.into_any());
        }
    }
    view! {
        {dots.map(|(left, total)| view! { <DotsLeft left total/> })}
        {parts}
    }
    .into_any()
}

/// Dots, on a "towards" step: how many the person has left of their
/// budget, and the budget.
fn dots_left(phone: &Phone) -> Option<(u32, u32)> {
    let g = phone.room();
    let step = g.current_step()?;
    let Exercise::MovingTowards { budget } = step.exercise else {
        return None;
    };
    let spent: u32 = phone
        .page
        .marks
        .iter()
        .filter_map(|m| match m {
            Mark::Vote { card, dots } if g.card(card).is_some_and(|c| c.step == step.id) => {
                Some(u32::from(*dots))
            }
            _ => None,
        })
        .sum();
    Some((u32::from(budget).saturating_sub(spent), u32::from(budget)))
}

/// "You have 3 of 5 dots left."
#[component]
fn DotsLeft(left: u32, total: u32) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <p id="dots-left" class="hint" role="status">
            {i18n.fill(Msg::PartDotsLeft, &[("n", &left.to_string()), ("total", &total.to_string())])}
        </p>
    }
}

/// The revealed cards of the current step, with the ways to respond that
/// its kind offers.
#[component]
pub fn Responses() -> impl IntoView {
    let i18n = use_i18n();
    let phone = Phone::here();
    let g = phone.room();
    let Some(step) = g.current_step().filter(|s| s.exercise.takes_reflections()) else {
        return ().into_any();
    };
    let cards = g
        .visible_cards(step.id)
        .filter(|c| c.under().is_none())
        .collect::<Vec<_>>();
    let dots = dots_left(&phone);
    let dots_left = dots.map(|(left, _)| left);
    view! {
        <section id="board" class="board" aria-labelledby="board-title">
            <h2 id="board-title">
                {i18n.t(if step.exercise.axes().is_some() { Msg::PartMapCards } else { Msg::BoardTitle })}
            </h2>
            {dots.map(|(left, total)| view! { <DotsLeft left total/> })}
            {if cards.is_empty() {
                view! { <p class="board-empty">{i18n.t(Msg::BoardEmpty)}</p> }.into_any()
            } else {
                view! {
                    <ul class="cards phone-cards">
                        {cards
                            .into_iter()
                            .map(|card| view! { <PhoneCard card=card.clone() exercise=step.exercise.clone() dots_left/> })
                            .collect_view()}
                    </ul>
                }
                .into_any()
            }}
        </section>
    }
    .into_any()
}

/// One revealed card on the phone, with the ways to respond that its
/// step's `exercise` offers.
#[component]
fn PhoneCard(card: Card, exercise: Exercise, dots_left: Option<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let id = card.id.clone();
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
            .columns()
            .get(usize::from(*column))
            .map(|c| c.to_string()),
        _ => None,
    };
    let respond = match exercise {
        Exercise::MovingTowards { .. } => view! { <Dots card=id.clone() dots_left/> }.into_any(),
        Exercise::Reframe => view! {
            <Resonate card=id.clone()/>
            <Reframes story=id.clone()/>
        }
        .into_any(),
        Exercise::Map { across, up } => view! {
            <Resonate card=id.clone()/>
            <PlaceOnMap card=id.clone() across up/>
        }
        .into_any(),
        _ => view! { <Resonate card=id.clone()/> }.into_any(),
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

/// "This resonates": a toggle, and beside it how many feel the same (the
/// room sees only how many).
#[component]
fn Resonate(card: CardId) -> impl IntoView {
    let phone = Phone::here();
    let g = phone.room();
    let total = g.totals_of(g.current).card(&card);
    let count = format!("resonances-{}", card.as_str());
    // The room's count stands beside the person's own button, not in it:
    // the button is theirs (see `OwnMarks`), the count everyone's.
    view! {
        <div class="resonate-row">
            <ResonateForm card/>
            <span class="resonate-count" id=count>{(total > 0).then(|| format!("· {total}"))}</span>
        </div>
    }
}

/// The person's own "This resonates" button, pressed or not.
#[component]
fn ResonateForm(card: CardId) -> impl IntoView {
    let i18n = use_i18n();
    let on = Phone::here().own(&Target::Resonate(card.clone())).is_some();
    let count = format!("resonances-{}", card.as_str());
    let about = vec![("card", card.as_str().to_owned())];
    view! {
        <MarkForm id=format!("resonate-{}", card.as_str()) mark="resonate" about class="resonate-form">
            <button
                type="submit"
                name="on"
                value=(!on).to_string()
                class="quiet resonate"
                aria-pressed=on.to_string()
                aria-describedby=count
            >
                {i18n.t(Msg::PartResonates)}
            </button>
        </MarkForm>
    }
}

/// Dots on a "towards" statement, within the person's budget.
#[component]
fn Dots(card: CardId, dots_left: Option<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let mine = Phone::here().own(&Target::Vote(card.clone())).unwrap_or(0);
    let about = vec![("card", card.as_str().to_owned())];
    view! {
        <MarkForm id=format!("dots-{}", card.as_str()) mark="vote" about class="dots" attr:role="group" attr:aria-label=i18n.t(Msg::PartYourDots)>
            <button
                type="submit"
                name="dots"
                value=mine.saturating_sub(1).to_string()
                class="quiet"
                aria-label=i18n.t(Msg::PartRemoveDot)
                disabled=mine == 0
            >
                "−"
            </button>
            <span class="dot-count">{i18n.fill(Msg::PartDotsHere, &[("n", &mine.to_string())])}</span>
            <button
                type="submit"
                name="dots"
                value=mine.saturating_add(1).to_string()
                class="quiet"
                aria-label=i18n.t(Msg::PartAddDot)
                disabled=dots_left.unwrap_or(0) == 0
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
    let phone = Phone::here();
    let g = phone.room();
    let under = g
        .cards
        .iter()
        .filter(|c| !c.hidden && c.under() == Some(&story))
        .map(|c| c.text.clone())
        .collect::<Vec<_>>();
    let open = g.current_step().is_some_and(|s| phone.open(s));
    let field = format!("reframe-{}", story.as_str());
    view! {
        {(!under.is_empty()).then(|| view! {
            <ul class="reframes" aria-label=i18n.t(Msg::ScreenReframes)>
                {under.into_iter().map(|r| view! { <li>{r}</li> }).collect_view()}
            </ul>
        })}
        {open.then(|| view! {
            <details class="add-reframe">
                <summary>{i18n.t(Msg::PartAddReframe)}</summary>
                <form id=format!("reframe-form-{}", story.as_str()) class="stack" method="post" action=phone.form_action("reflect")>
                    <input type="hidden" name="id" value=phone.reframe_id(&story)/>
                    <input type="hidden" name="step" value=g.current.0.to_string()/>
                    <input type="hidden" name="under" value=story.as_str().to_owned()/>
                    <label for=field.clone()>{i18n.t(Msg::PartReframeLabel)}</label>
                    <textarea
                        id=field.clone()
                        name="text"
                        rows=3
                        maxlength=REFLECTION_MAX_CHARS
                    ></textarea>
                    <button type="submit" class="primary">{i18n.t(Msg::PartAddThisReframe)}</button>
                </form>
            </details>
        })}
    }
}

/// What a phone calls one choice along an axis: a category, a scale's
/// end, or a point between the ends.
fn choice_name(axis: &Axis, value: u8, label: Option<&hearth_core::words::Label>) -> String {
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

/// Where a person puts a card on the worldview map. Only the card being
/// placed (`?place=<card>`, `Phone::placing`) carries the mini-map; every
/// other card has a link that opens it there, or, once placed, says so,
/// with "Move it" and "Take my placement back". A board of forty stories
/// thus sends one mini-map, not forty, to each phone. The link works
/// without the script (the whole page, with the mini-map at the card);
/// with it, the phone asks only for its own part with the same query
/// (`data-own-query`).
#[component]
fn PlaceOnMap(card: CardId, across: Axis, up: Axis) -> impl IntoView {
    let phone = Phone::here();
    if phone.placing.as_ref() == Some(&card) {
        return view! { <MapPlace card across up/> }.into_any();
    }
    let i18n = use_i18n();
    let placed = matches!(
        phone.mark(&Target::Place(card.clone())),
        Some(Mark::Place { at: Some(_), .. })
    );
    let id = format!("place-{}", card.as_str());
    let query = format!("place={}", card.as_str());
    let href = format!("?{query}#{id}");
    if placed {
        let about = vec![("card", card.as_str().to_owned())];
        view! {
            <MarkForm id mark="place" about class="map-form">
                <p class="hint">{i18n.t(Msg::PartMapPlaced)}</p>
                <a class="button" href=href data-own-query=query>{i18n.t(Msg::PartMapMove)}</a>
                <TakeBack label=Msg::PartMapTakeBack class="quiet"/>
            </MarkForm>
        }
        .into_any()
    } else {
        view! {
            <div id=id class="map-open">
                <a class="button" href=href data-own-query=query>{i18n.t(Msg::PartMapPlace)}</a>
            </div>
        }
        .into_any()
    }
}

/// Placing a card on the worldview map: a mini-map of large buttons, one
/// per place, and the same choice as two lists for a keyboard or a screen
/// reader. The person sees their own place; the room sees only the group's.
#[component]
fn MapPlace(card: CardId, across: Axis, up: Axis) -> impl IntoView {
    let i18n = use_i18n();
    let mine = match Phone::here().mark(&Target::Place(card.clone())) {
        Some(Mark::Place { at, .. }) => *at,
        _ => None,
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
                            aria-pressed=(mine == Some(spot)).to_string()
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
                    <option value=v.to_string() selected=mine.map(get) == Some(v)>{name}</option>
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
        <MarkForm id=format!("place-{}", card.as_str()) mark="place" about class="map-form">
            <details class="map-place" open=true>
                <summary>{i18n.t(if mine.is_some() { Msg::PartMapMove } else { Msg::PartMapPlace })}</summary>
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
            {mine.map(|_| view! {
                <p class="hint">{i18n.t(Msg::PartMapPlaced)}</p>
                <TakeBack label=Msg::PartMapTakeBack class="quiet"/>
            })}
        </MarkForm>
    }
    .into_any()
}
