//! The console's desk for a small groups step: deal the room into groups
//! (or deal again), move one person when they ask (by the group and person
//! numbers their phone shows: nothing else about them), begin each round
//! with its timer, and bring everyone back. The console sees what the
//! room sees of the groups, counts only: never who is where, never a word
//! of a group's board.
//!
//! Dealing again once the groups have written lets their boards go, so
//! the console asks first, as it does before ending the gathering. It
//! cannot know beforehand (that a group wrote is not the room's to see):
//! the room answers a first *Deal again* with `GroupsWriting`, and only
//! then does the console ask.

use super::console::{AskFirst, Desk};
use crate::i18n::{use_i18n, Msg};
use hearth_core::error::ErrorCode;
use hearth_core::exercise::Exercise;
use hearth_core::protocol::Action;
use leptos::prelude::*;

#[component]
pub fn GroupsDesk() -> impl IntoView {
    let i18n = use_i18n();
    let desk = expect_context::<Desk>();
    let g = desk.live.gathering;
    let (from, place, to) = (
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
    );
    let asking = RwSignal::new(false);
    let deal = move |forget_boards: bool| {
        asking.set(false);
        let action = Action::GroupsDeal { forget_boards };
        desk.act_or_ask(action, ErrorCode::GroupsWriting, asking);
    };
    let number = |s: RwSignal<String>| s.get_untracked().trim().parse::<u32>().unwrap_or(0);
    let move_one = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        desk.act_then(
            Action::GroupsMove {
                from: number(from),
                place: number(place),
                to: number(to),
            },
            Some(Msg::GroupDone),
        );
    };
    move || {
        let view = g.read();
        let step = view.current_step()?;
        let Exercise::SmallGroups { rounds, .. } = step.exercise else {
            return None;
        };
        let shown = view.groups.filter(|s| s.step == step.id.0);
        let status = match shown {
            None => i18n.t(Msg::ConsoleGroupsNone).to_owned(),
            Some(s) => {
                let round = match s.round {
                    0 => i18n.t(Msg::GroupBeforeRound).to_owned(),
                    r => i18n.fill(
                        Msg::GroupRoundOf,
                        &[("round", &r.to_string()), ("rounds", &rounds.to_string())],
                    ),
                };
                format!(
                    "{} · {} · {}",
                    i18n.plural(Msg::ScreenGroupsCount, s.groups as usize),
                    round,
                    i18n.plural(Msg::ScreenGroupsBrought, s.brought as usize)
                )
            }
        };
        let back = shown.is_some_and(|s| s.back);
        let next = shown.map(|s| s.round + 1).filter(|r| *r <= rounds && !back);
        let dealt = shown.is_some();
        Some(view! {
            <section class="groups-desk stack" aria-labelledby="groups-title" data-testid="groups-desk">
                <h3 id="groups-title">{i18n.t(Msg::ConsoleGroups)}</h3>
                <p class="state" role="status">{status}</p>
                <div class="controls">
                    {next.map(|round| view! {
                        <button class="primary" on:click=move |_| desk.act(Action::GroupsRound { round })>
                            {i18n.fill(Msg::ConsoleGroupsStart, &[("round", &round.to_string())])}
                        </button>
                    })}
                    {(dealt && !back).then(|| view! {
                        <button on:click=move |_| desk.act(Action::GroupsBack)>{i18n.t(Msg::ConsoleGroupsBack)}</button>
                    })}
                    <button on:click=move |_| deal(false)>
                        {i18n.t(if dealt { Msg::ConsoleGroupsRedeal } else { Msg::ConsoleGroupsDeal })}
                    </button>
                </div>
                <Show when=move || asking.get()>
                    <div class="confirm controls">
                        <AskFirst
                            question=Msg::ConsoleGroupsRedealConfirm
                            yes=Msg::ConsoleGroupsRedealYes
                            asking
                            on_yes=Callback::new(move |()| deal(true))
                        />
                    </div>
                </Show>
                {(dealt && !back).then(|| view! {
                    <form class="groups-move" on:submit=move_one>
                        <fieldset>
                            <legend>{i18n.t(Msg::ConsoleGroupsMove)}</legend>
                            <p class="hint">{i18n.t(Msg::ConsoleGroupsMoveHint)}</p>
                            <label for="move-from">{i18n.t(Msg::ConsoleGroupsFrom)}</label>
                            <input id="move-from" inputmode="numeric" size=3 prop:value=move || from.get() on:input=move |ev| from.set(event_target_value(&ev))/>
                            <label for="move-place">{i18n.t(Msg::ConsoleGroupsPlace)}</label>
                            <input id="move-place" inputmode="numeric" size=3 prop:value=move || place.get() on:input=move |ev| place.set(event_target_value(&ev))/>
                            <label for="move-to">{i18n.t(Msg::ConsoleGroupsTo)}</label>
                            <input id="move-to" inputmode="numeric" size=3 prop:value=move || to.get() on:input=move |ev| to.set(event_target_value(&ev))/>
                            <button type="submit">{i18n.t(Msg::ConsoleGroupsMove)}</button>
                        </fieldset>
                    </form>
                })}
            </section>
        })
    }
}
