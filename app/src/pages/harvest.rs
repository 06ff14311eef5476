//! The harvest: a printable summary of what the group made, one page per
//! step (its prompt, the cards as the room saw them, the spread of a
//! spectrum, the heat of a dialogue). Printing it from the browser makes a
//! clean PDF to keep or share. Like every export, it holds nothing that
//! identifies anyone, and hidden cards only when asked for.

use super::{param, query};
use crate::api::load_harvest;
use crate::dates::Day;
use crate::i18n::{use_i18n, Msg};
use crate::library::kind_name;
use crate::wall::StepWall;
use crate::widgets::PageProblem;
use hearth_core::page::HarvestPage as Data;
use leptos::prelude::*;

#[component]
pub fn HarvestPage() -> impl IntoView {
    let secret = param("secret");
    let hidden = query("hidden").is_some_and(|h| h == "true");
    let data = Resource::new(
        move || (secret.clone(), hidden),
        |(s, h)| load_harvest(s, h),
    );
    view! {
        <Suspense>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(page) => view! { <Harvest page/> }.into_any(),
                    Err(error) => view! { <PageProblem error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Harvest(page: Data) -> impl IntoView {
    let i18n = use_i18n();
    let gathering = page.gathering;
    let made = Day::from_unix_ms(page.now).long(i18n);
    let title = gathering.title.clone();
    let steps = gathering.steps.clone();
    let g = RwSignal::new(gathering);
    view! {
        <main id="main" class="page harvest">
            <header class="harvest-head">
                <p class="eyebrow">{i18n.t(Msg::HarvestTitle)}</p>
                <h1>{title}</h1>
                <p class="hint">{i18n.fill(Msg::HarvestMadeOn, &[("date", &made)])}</p>
                <p class="hint no-print">{i18n.t(Msg::HarvestHint)}</p>
                {summary(&g.read_untracked())}
            </header>
            {steps
                .into_iter()
                .enumerate()
                .map(|(i, step)| {
                    let kind = i18n.t(kind_name(step.exercise.kind()));
                    let prompt = step.prompt.to_string();
                    let themes = step.exercise.axes().is_some().then(|| {
                        let g = g.read_untracked();
                        (map_key(&g, &step), themes(&g, &step))
                    });
                    let one = Signal::derive(move || Some(step.clone()));
                    view! {
                        <section class="harvest-step">
                            <p class="eyebrow">{i18n.fill(Msg::HarvestStep, &[("n", &(i + 1).to_string())])} " · " {kind}</p>
                            <h2>{prompt}</h2>
                            <StepWall gathering=g step=one/>
                            {themes}
                        </section>
                    }
                })
                .collect_view()}
        </main>
    }
    .into_any()
}

/// The first page: every step on one line (its number, kind and prompt,
/// and how many cards it holds), so the harvest reads as a whole before
/// its pages are turned.
fn summary(g: &hearth_core::gathering::GatheringView) -> impl IntoView {
    let i18n = use_i18n();
    let lines: Vec<(String, String, Option<String>)> = g
        .steps
        .iter()
        .map(|step| {
            let cards = g.visible_cards(step.id).count();
            (
                i18n.t(kind_name(step.exercise.kind())).to_owned(),
                step.prompt.to_string(),
                step.exercise
                    .takes_reflections()
                    .then(|| i18n.plural(Msg::HarvestCards, cards)),
            )
        })
        .collect();
    view! {
        <section class="harvest-summary" aria-labelledby="harvest-summary">
            <h2 id="harvest-summary">{i18n.t(Msg::HarvestSummary)}</h2>
            <ol>
                {lines
                    .into_iter()
                    .map(|(kind, prompt, cards)| view! {
                        <li>
                            <span class="eyebrow">{kind}</span> " "
                            <span class="summary-prompt">{prompt}</span>
                            {cards.map(|c| view! { " · " <span class="summary-count">{c}</span> })}
                        </li>
                    })
                    .collect_view()}
            </ol>
        </section>
    }
}

/// A map's cards in words, numbered as the map numbers them: on paper the
/// map's own type is small, so every card can be read here in full.
fn map_key(
    g: &hearth_core::gathering::GatheringView,
    step: &hearth_core::gathering::StepView,
) -> impl IntoView {
    let i18n = use_i18n();
    let cards: Vec<String> = g.visible_cards(step.id).map(|c| c.text.clone()).collect();
    (!cards.is_empty()).then(|| {
        view! {
            <div class="harvest-map-key">
                <h3>{i18n.t(Msg::HarvestMapKey)}</h3>
                <ol>{cards.into_iter().map(|c| view! { <li>{c}</li> }).collect_view()}</ol>
            </div>
        }
    })
}

/// A map's cards by the themes the facilitator gathered them into, and
/// the links between themes, under the map itself.
fn themes(
    g: &hearth_core::gathering::GatheringView,
    step: &hearth_core::gathering::StepView,
) -> impl IntoView {
    let i18n = use_i18n();
    let arrangement = &step.arrangement;
    let groups: Vec<(String, Vec<String>)> = arrangement
        .themes
        .iter()
        .map(|t| {
            let cards = g
                .visible_cards(step.id)
                .filter(|c| arrangement.members.get(&c.id) == Some(&t.id))
                .map(|c| c.text.clone())
                .collect();
            (t.name.to_string(), cards)
        })
        .collect();
    let name = |id| {
        arrangement
            .theme(id)
            .map(|t| t.name.to_string())
            .unwrap_or_default()
    };
    let links: Vec<String> = arrangement
        .links
        .iter()
        .map(|l| format!("{} — {} — {}", name(l.from), l.label, name(l.to)))
        .collect();
    (!groups.is_empty()).then(|| {
        view! {
            <div class="harvest-themes">
                <h3>{i18n.t(Msg::ConsoleMapThemes)}</h3>
                {groups
                    .into_iter()
                    .map(|(theme, cards)| view! {
                        <h4>{theme}</h4>
                        <ul>{cards.into_iter().map(|c| view! { <li>{c}</li> }).collect_view()}</ul>
                    })
                    .collect_view()}
                <ul class="links">{links.into_iter().map(|l| view! { <li>{l}</li> }).collect_view()}</ul>
            </div>
        }
    })
}
