//! The console's tools for a worldview map: themes to gather cards into,
//! links between themes, the screen's zoom and the card it opens up, and
//! taking a dragged card back to where the group placed it. Dragging itself
//! happens on the map (`wall::MapBoard`); everything here also works by
//! keyboard.

use super::console::Desk;
use crate::i18n::{use_i18n, Msg};
use hearth_core::ids::{CardId, StepId};
use hearth_core::map::{Arrangement, MapChange, ThemeId};
use hearth_core::protocol::Action;
use hearth_core::words::Label;
use leptos::prelude::*;

/// Sends one change to the current map's arrangement.
fn arrange(desk: Desk, step: StepId, change: MapChange) {
    desk.act(Action::Arrange { step, change });
}

/// Words typed for a theme or a link, or nothing when they are not words
/// (the button stays quiet rather than sending what would be refused).
fn label(text: &str) -> Option<Label> {
    Label::parse(text).ok()
}

#[component]
pub fn MapTools() -> impl IntoView {
    let i18n = use_i18n();
    let desk = expect_context::<Desk>();
    let g = desk.live.gathering;
    // Rebuilt only when the room moves to another map (or off one).
    let step = desk.current_step_where(|e| e.axes().is_some());
    move || {
        let step = step.get()?;
        let arrangement = Memo::new(move |_| {
            g.read()
                .step(step)
                .map(|s| s.arrangement.clone())
                .unwrap_or_default()
        });
        let themes = move || arrangement.read().themes.clone();
        let new_name = RwSignal::new(String::new());
        let start_theme = move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            if let Some(name) = label(&new_name.get_untracked()) {
                desk.act(Action::NewTheme {
                    step,
                    name,
                    cards: Vec::new(),
                });
                new_name.set(String::new());
            }
        };
        let zoomed = move || arrangement.read().zoom;
        Some(
            view! {
                <section class="panel map-tools" aria-labelledby="map-tools-title">
                    <h2 id="map-tools-title">{i18n.t(Msg::ConsoleMapThemes)}</h2>
                    <p class="hint">{i18n.t(Msg::ConsoleMapDragHint)}</p>
                    {move || zoomed().map(|_| view! {
                        <button class="quiet" on:click=move |_| arrange(desk, step, MapChange::Zoom { theme: None })>
                            {i18n.t(Msg::ConsoleMapWhole)}
                        </button>
                    })}
                    <ul class="themes">
                        <For each=themes key=|t| (t.id, t.name.clone()) let(theme)>
                            <ThemeRow step theme_id=theme.id name=theme.name.to_string()/>
                        </For>
                    </ul>
                    <form class="inline" on:submit=start_theme>
                        <label for="new-theme">{i18n.t(Msg::ConsoleMapThemeName)}</label>
                        <input id="new-theme" maxlength="60" prop:value=move || new_name.get() on:input=move |ev| new_name.set(event_target_value(&ev))/>
                        <button type="submit">{i18n.t(Msg::ConsoleMapNewTheme)}</button>
                    </form>
                    <Links step arrangement/>
                    <MapCards step arrangement/>
                </section>
            }
            .into_any(),
        )
    }
}

/// One theme: rename it, zoom the screen onto it, or dissolve it.
#[component]
fn ThemeRow(step: StepId, theme_id: ThemeId, name: String) -> impl IntoView {
    let i18n = use_i18n();
    let desk = expect_context::<Desk>();
    let typed = RwSignal::new(name);
    let field = format!("theme-{}", theme_id.0);
    let rename = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if let Some(name) = label(&typed.get_untracked()) {
            arrange(
                desk,
                step,
                MapChange::Name {
                    theme: theme_id,
                    name,
                },
            );
        }
    };
    view! {
        <li class="theme" data-theme=theme_id.0>
            <form class="inline" on:submit=rename>
                <label class="visually-hidden" for=field.clone()>{i18n.t(Msg::ConsoleMapThemeName)}</label>
                <input id=field maxlength="60" prop:value=move || typed.get() on:input=move |ev| typed.set(event_target_value(&ev))/>
                <button type="submit" class="quiet">{i18n.t(Msg::ConsoleMapRename)}</button>
            </form>
            <button class="quiet" on:click=move |_| arrange(desk, step, MapChange::Zoom { theme: Some(theme_id) })>
                {i18n.t(Msg::ConsoleMapZoom)}
            </button>
            <button class="quiet" on:click=move |_| arrange(desk, step, MapChange::Dissolve { theme: theme_id })>
                {i18n.t(Msg::ConsoleMapDissolve)}
            </button>
        </li>
    }
}

/// Labelled lines between themes: the ones drawn, and a form for another.
#[component]
fn Links(step: StepId, arrangement: Memo<Arrangement>) -> impl IntoView {
    let i18n = use_i18n();
    let desk = expect_context::<Desk>();
    let from = RwSignal::new(None::<u16>);
    let to = RwSignal::new(None::<u16>);
    let words = RwSignal::new(String::new());
    let name_of = move |id: ThemeId| {
        arrangement
            .read()
            .theme(id)
            .map(|t| t.name.to_string())
            .unwrap_or_default()
    };
    let link = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (Some(a), Some(b), Some(label)) = (
            from.get_untracked(),
            to.get_untracked(),
            label(&words.get_untracked()),
        ) else {
            return;
        };
        arrange(
            desk,
            step,
            MapChange::Link {
                from: ThemeId(a),
                to: ThemeId(b),
                label: Some(label),
            },
        );
        words.set(String::new());
    };
    let options = move || {
        arrangement
            .read()
            .themes
            .iter()
            .map(|t| view! { <option value=t.id.0>{t.name.to_string()}</option> })
            .collect_view()
    };
    view! {
        <Show when=move || { arrangement.read().themes.len() >= 2 }>
            <ul class="links">
                {move || arrangement.read().links.iter().map(|l| {
                    let (a, b) = (l.from, l.to);
                    view! {
                        <li>
                            {name_of(a)} " — " <em>{l.label.to_string()}</em> " — " {name_of(b)} " "
                            <button class="quiet" on:click=move |_| arrange(desk, step, MapChange::Link { from: a, to: b, label: None })>
                                {i18n.t(Msg::ConsoleMapUnlink)}
                            </button>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <form class="inline link-form" on:submit=link>
                <select id="link-from" aria-label=i18n.t(Msg::ConsoleMapLinkFrom) on:change=move |ev| from.set(event_target_value(&ev).parse().ok())>
                    <option value="">"—"</option>
                    {options}
                </select>
                <select id="link-to" aria-label=i18n.t(Msg::ConsoleMapLinkTo) on:change=move |ev| to.set(event_target_value(&ev).parse().ok())>
                    <option value="">"—"</option>
                    {options}
                </select>
                <label for="link-words">{i18n.t(Msg::ConsoleMapLinkLabel)}</label>
                <input id="link-words" maxlength="60" prop:value=move || words.get() on:input=move |ev| words.set(event_target_value(&ev))/>
                <button type="submit">{i18n.t(Msg::ConsoleMapLink)}</button>
            </form>
        </Show>
    }
}

/// Every card on the map, by its number: its theme, opening it up on the
/// screen, and taking it back to the group's place after a drag.
#[component]
fn MapCards(step: StepId, arrangement: Memo<Arrangement>) -> impl IntoView {
    let i18n = use_i18n();
    let desk = expect_context::<Desk>();
    let g = desk.live.gathering;
    let cards = move || {
        g.read()
            .visible_cards(step)
            .enumerate()
            .map(|(i, c)| (i + 1, c.id.clone(), c.text.clone()))
            .collect::<Vec<_>>()
    };
    view! {
        <ol class="map-cards">
            <For each=cards key=|c| c.clone() let((number, id, text))>
                {
                    let card = StoredValue::new(id.clone());
                    let field = format!("theme-of-{}", id.as_str());
                    let theme = move || card.with_value(|c| arrangement.read().members.get(c).map(|t| t.0));
                    let focused = move || card.with_value(|c| arrangement.read().focus.as_ref() == Some(c));
                    let pinned = move || card.with_value(|c| arrangement.read().pins.contains_key(c));
                    let gather = move |ev: leptos::ev::Event| {
                        let theme = event_target_value(&ev).parse().ok().map(ThemeId);
                        arrange(desk, step, MapChange::Gather { card: card.get_value(), theme });
                    };
                    let focus = move |_| {
                        let card: Option<CardId> = (!focused()).then(|| card.get_value());
                        arrange(desk, step, MapChange::Focus { card });
                    };
                    view! {
                        <li value=number.to_string() data-card=id.as_str().to_owned()>
                            <p class="card-text">{text}</p>
                            <label for=field.clone()>{i18n.t(Msg::ConsoleMapThemes)}</label>
                            <select id=field on:change=gather>
                                <option value="" selected=move || theme().is_none()>{i18n.t(Msg::ConsoleMapNoTheme)}</option>
                                {move || arrangement.read().themes.iter().map(|t| {
                                    let id = t.id.0;
                                    view! { <option value=id selected=move || theme() == Some(id)>{t.name.to_string()}</option> }
                                }).collect_view()}
                            </select>
                            <button class="quiet" aria-pressed=move || focused().to_string() on:click=focus>
                                {move || i18n.t(if focused() { Msg::ConsoleMapUnfocus } else { Msg::ConsoleMapFocus })}
                            </button>
                            {move || pinned().then(|| view! {
                                <button class="quiet" on:click=move |_| arrange(desk, step, MapChange::Pin { card: card.get_value(), at: None })>
                                    {i18n.t(Msg::ConsoleMapUnpin)}
                                </button>
                            })}
                        </li>
                    }
                }
            </For>
        </ol>
    }
}
