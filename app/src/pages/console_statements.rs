//! A statements step's own desk on the console: the landscape as the room
//! sees it, the pre-screen queue (let in, keep out), a statement of the
//! facilitator's own, and for each statement in the room the controls to
//! put it on screen, hide it, or merge it into one it repeats; and names
//! for the groups.
//!
//! The queue holds the words of statements nobody else has seen: it comes
//! with the console's page (the facilitator's only), and then live over
//! the console's own link (`Live::queue`): the room sends it whole each
//! time it changes, to the facilitators' consoles alone, never to the
//! screen or a phone.

use super::console::Desk;
use crate::i18n::{error_msg, use_i18n, Msg};
use crate::landscape_view::{group_name, LandscapeWall};
use hearth_core::exercise::Exercise;
use hearth_core::ids::{CardId, StepId};
use hearth_core::protocol::{Action, Moderation};
use hearth_core::reflection::ReflectionText;
use hearth_core::statements::{StatementsChange, STATEMENT_MAX_CHARS};
use hearth_core::words::Label;
use leptos::prelude::*;

/// The console's desk for the statements step the room is on (nothing on
/// another step).
#[component]
pub fn StatementsDesk() -> impl IntoView {
    let i18n = use_i18n();
    let desk = expect_context::<Desk>();
    let g = desk.live.gathering;
    let step = desk.current_step_where(|e| matches!(e, Exercise::Statements { .. }));
    let queue = desk.live.queue;
    move || {
        let step = step.get()?;
        let change = move |change: StatementsChange| {
            desk.act_then(
                Action::Statements { step, change },
                Some(Msg::StatementsDone),
            );
        };
        Some(view! {
            <section class="panel statements-desk" aria-labelledby="statements-desk-title">
                <h2 id="statements-desk-title">{i18n.t(Msg::KindStatements)}</h2>
                <LandscapeWall gathering=g step/>
                <Queue queue change/>
                <Seed change/>
                <InRoom step change/>
                <NameGroups step change/>
            </section>
        })
    }
}

/// The statements waiting to be let in.
#[component]
fn Queue(
    queue: RwSignal<Vec<(CardId, String)>>,
    change: impl Fn(StatementsChange) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let decide = move |card: CardId, approve: bool| {
        queue.update(|q| q.retain(|(c, _)| *c != card));
        change(if approve {
            StatementsChange::Approve { card }
        } else {
            StatementsChange::Decline { card }
        });
    };
    view! {
        <div class="queue" data-testid="queue">
            <h3>{i18n.t(Msg::StatementsQueue)}</h3>
            {move || {
                let items = queue.get();
                if items.is_empty() {
                    return view! { <p class="hint">{i18n.t(Msg::StatementsQueueEmpty)}</p> }.into_any();
                }
                view! {
                    <ul class="stack">
                        {items
                            .into_iter()
                            .map(|(card, text)| {
                                let (a, b) = (card.clone(), card);
                                view! {
                                    <li class="queued">
                                        <p>{text}</p>
                                        <button class="primary" on:click=move |_| decide(a.clone(), true)>{i18n.t(Msg::StatementsLetIn)}</button>
                                        " "
                                        <button on:click=move |_| decide(b.clone(), false)>{i18n.t(Msg::StatementsKeepOut)}</button>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                }
                .into_any()
            }}
        </div>
    }
}

/// The facilitator's own statement, put to the room at once.
#[component]
fn Seed(change: impl Fn(StatementsChange) + Copy + Send + Sync + 'static) -> impl IntoView {
    let i18n = use_i18n();
    let desk = expect_context::<Desk>();
    let text = RwSignal::new(String::new());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match ReflectionText::parse(&text.get_untracked()) {
            Ok(words) => {
                change(StatementsChange::Seed { text: words });
                text.set(String::new());
            }
            Err(e) => desk
                .said
                .set(Some(super::console::Said::Problem(error_msg(e.into())))),
        }
    };
    view! {
        <form class="seed stack" on:submit=submit>
            <label for="seed-text">{i18n.t(Msg::StatementsSeedLabel)}</label>
            <textarea
                id="seed-text"
                rows=2
                maxlength=STATEMENT_MAX_CHARS
                prop:value=move || text.get()
                on:input=move |ev| text.set(event_target_value(&ev))
            ></textarea>
            <div class="actions">
                <button type="submit">{i18n.t(Msg::StatementsSeed)}</button>
            </div>
        </form>
    }
}

/// Each statement in the room: on screen, hidden, or merged into another.
#[component]
fn InRoom(
    step: StepId,
    change: impl Fn(StatementsChange) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let desk = expect_context::<Desk>();
    let g = desk.live.gathering;
    move || {
        let view = g.read();
        let on_screen = view.board(step).on_screen;
        let statements: Vec<(CardId, String)> = view
            .visible_cards(step)
            .map(|c| (c.id.clone(), c.text.clone()))
            .collect();
        let all = statements.clone();
        view! {
            <div class="in-room">
                <h3>{i18n.t(Msg::StatementsInRoom)}</h3>
                <ul class="stack">
                    {statements
                        .into_iter()
                        .map(|(card, text)| {
                            let shown = on_screen.as_ref() == Some(&card);
                            let others: Vec<(CardId, String)> =
                                all.iter().filter(|(c, _)| *c != card).cloned().collect();
                            let into = RwSignal::new(String::new());
                            let (c1, c2, c3) = (card.clone(), card.clone(), card.clone());
                            view! {
                                <li class="statement-row" class:on-screen=shown>
                                    <p>{text}</p>
                                    <div class="actions">
                                        <button on:click=move |_| change(StatementsChange::OnScreen {
                                            card: (!shown).then(|| c1.clone()),
                                        })>
                                            {i18n.t(if shown { Msg::StatementsTakeOff } else { Msg::StatementsPutOnScreen })}
                                        </button>
                                        <button on:click=move |_| desk.act(Action::Moderate { card: c2.clone(), change: Moderation::Hide })>
                                            {i18n.t(Msg::ConsoleHide)}
                                        </button>
                                        <select
                                            aria-label=i18n.t(Msg::StatementsSameAs)
                                            on:change=move |ev| into.set(event_target_value(&ev))
                                        >
                                            <option value="">{i18n.t(Msg::StatementsSameAs)}</option>
                                            {others
                                                .into_iter()
                                                .map(|(c, t)| view! { <option value=c.as_str().to_owned()>{t}</option> })
                                                .collect_view()}
                                        </select>
                                        <button on:click=move |_| {
                                            if let Ok(target) = CardId::parse(&into.get_untracked()) {
                                                change(StatementsChange::Merge { duplicate: c3.clone(), into: target });
                                            }
                                        }>
                                            {i18n.t(Msg::StatementsMerge)}
                                        </button>
                                    </div>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            </div>
        }
    }
}

/// A name for each group shown.
#[component]
fn NameGroups(
    step: StepId,
    change: impl Fn(StatementsChange) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let desk = expect_context::<Desk>();
    let g = desk.live.gathering;
    move || {
        let board = g.read().board(step);
        let groups: Vec<_> = board.landscape.groups.iter().map(|gr| gr.label).collect();
        (!groups.is_empty()).then(|| view! {
            <div class="name-groups">
                <h3>{i18n.t(Msg::StatementsNameGroups)}</h3>
                {groups
                    .into_iter()
                    .map(|label| {
                        let typed = RwSignal::new(board.name(label).map(|n| n.to_string()).unwrap_or_default());
                        let id = format!("group-name-{}", label.letter());
                        let current = group_name(i18n, &board, label);
                        let submit = move |ev: leptos::ev::SubmitEvent| {
                            ev.prevent_default();
                            let name = typed.get_untracked();
                            let name = if name.trim().is_empty() {
                                Ok(None)
                            } else {
                                Label::parse(&name).map(Some)
                            };
                            match name {
                                Ok(name) => change(StatementsChange::Name { group: label, name }),
                                Err(e) => desk.said.set(Some(super::console::Said::Problem(error_msg(e.into())))),
                            }
                        };
                        view! {
                            <form class="inline" on:submit=submit>
                                <label for=id.clone()>{current}</label>
                                <input id=id type="text" prop:value=move || typed.get() on:input=move |ev| typed.set(event_target_value(&ev))/>
                                <button type="submit">{i18n.t(Msg::StatementsName)}</button>
                            </form>
                        }
                    })
                    .collect_view()}
            </div>
        })
    }
}
