//! The facilitator's console, built around "now". Its first screenful (the
//! desk) holds what running a room needs: the step the room is on with its
//! prompt and its kind's controls, Previous and Next, the waiting count and
//! Reveal, the step's cards with Hide, Blur and Show again beside each, the
//! join code, the button that opens the shared screen, the timer, and a
//! scaled picture of what the room sees. Below it, for planning and after:
//! the agenda and the step editor, a map's tools, exports, the screen's
//! settings, the links, and deleting. Made to be run in front of a room
//! without thinking about the software: every control says what it will do.

use super::console_groups::GroupsDesk;
use super::console_parts::{Agenda, Editing, StepEditor};
use super::console_screen::{ScreenPanel, ScreenPreview};
use super::map_tools::MapTools;
use super::{param, query};
use crate::api::load_console;
use crate::i18n::{error_msg, use_i18n, Msg};
use crate::library::{kind_name, note};
use crate::live::{Live, Start};
use crate::wall::StepWall;
use crate::widgets::{Announcer, LinkBanner, PageProblem, TimerDisplay};
use hearth_core::error::ErrorCode;
use hearth_core::exercise::Exercise;
use hearth_core::gathering::{Joining, Waiting};
use hearth_core::ids::StepId;
use hearth_core::page::{ConsolePage as Data, Entry};
use hearth_core::protocol::{Action, Moderation};
use hearth_core::timer::{Timer, TimerAction};
use leptos::prelude::*;

#[component]
pub fn ConsolePage() -> impl IntoView {
    let secret = param("secret");
    let data = Resource::new(
        {
            let secret = secret.clone();
            move || secret.clone()
        },
        load_console,
    );
    view! {
        <Suspense>
            {move || {
                let secret = secret.clone();
                Suspend::new(async move {
                    match data.await {
                        Ok(page) => view! { <Console page secret/> }.into_any(),
                        Err(error) => view! { <PageProblem error/> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
    .into_any()
}

/// What every part of the console shares: the live room, and one place to
/// say what went wrong (or right).
#[derive(Clone, Copy)]
pub struct Desk {
    pub live: Live,
    pub said: RwSignal<Option<Said>>,
}

/// The console's last word about an action.
#[derive(Clone, Copy, PartialEq)]
pub enum Said {
    Problem(Msg),
    Done(Msg),
}

impl Desk {
    /// The step the room is on while its exercise is of the kind `is`
    /// accepts: a desk for one kind of step is rebuilt only when the room
    /// moves to another such step (or off one).
    pub fn current_step_where(self, is: fn(&Exercise) -> bool) -> Memo<Option<StepId>> {
        let g = self.live.gathering;
        Memo::new(move |_| {
            g.read()
                .current_step()
                .filter(|s| is(&s.exercise))
                .map(|s| s.id)
        })
    }

    /// Sends an action; a refusal is said in the console's own words.
    pub fn act(self, action: Action) {
        self.act_then(action, None);
    }

    /// Sends an action and, once accepted, says `done`.
    pub fn act_then(self, action: Action, done: Option<Msg>) {
        self.said.set(None);
        let said = self.said;
        self.live.act(action, move |reply| match reply {
            Ok(_) => said.set(done.map(Said::Done)),
            Err(code) => said.set(Some(Said::Problem(error_msg(code)))),
        });
    }

    /// Sends an action the room answers with `asks` when it would take
    /// something away (the rules know, the console does not): then the
    /// console asks the facilitator first (`asking` is set) instead of
    /// saying a refusal, and sends it again, agreed, if they say yes.
    pub fn act_or_ask(self, action: Action, asks: ErrorCode, asking: RwSignal<bool>) {
        self.said.set(None);
        let said = self.said;
        self.live.act(action, move |reply| match reply {
            Ok(_) => asking.set(false),
            Err(code) if code == asks => asking.set(true),
            Err(code) => {
                asking.set(false);
                said.set(Some(Said::Problem(error_msg(code))));
            }
        });
    }
}

#[component]
fn Console(page: Data, secret: String) -> impl IntoView {
    let i18n = use_i18n();
    let live = Live::start(
        format!("/ws/console/{secret}"),
        Start {
            at: page.at,
            gathering: page.gathering,
            now: page.now,
            queue: page.queue,
        },
    );
    let desk = Desk {
        live,
        said: RwSignal::new(None),
    };
    provide_context(desk);
    provide_context(Editing(RwSignal::new(None)));
    let g = live.gathering;
    let entry = page.entry;
    // For one laptop screen in a video call: the room's picture as large
    // as the window allows, the live controls beside it. A page of its own
    // (a link, not a switch) so it stays across a reload.
    let presenter = query("layout").is_some_and(|l| l == "presenter");
    let (layout_link, layout_word) = if presenter {
        ("?", Msg::ConsolePresenterOff)
    } else {
        ("?layout=presenter", Msg::ConsolePresenter)
    };
    view! {
        <main id="main" class=if presenter { "page console presenter" } else { "page console" }>
            <header class="console-head">
                <div>
                    <p class="eyebrow">{i18n.t(Msg::ConsoleTitle)}</p>
                    <h1>{move || g.read().title.clone()}</h1>
                </div>
                <LinkBanner status=live.status/>
                <nav class="console-nav" aria-label=i18n.t(Msg::ConsoleMore)>
                    <a href="#agenda-title">{i18n.t(Msg::ConsoleAgenda)}</a>
                    <a href="#exports-title">{i18n.t(Msg::ConsoleExport)}</a>
                    <a href="#links-title">{i18n.t(Msg::ConsoleSettings)}</a>
                    <a href=layout_link rel="external">{i18n.t(layout_word)}</a>
                </nav>
                <EndButton/>
            </header>
            {move || desk.said.get().map(|said| match said {
                Said::Problem(m) => view! { <p class="problem" role="alert">{i18n.t(m)}</p> }.into_any(),
                Said::Done(m) => view! { <p class="done" role="status">{i18n.t(m)}</p> }.into_any(),
            })}
            {move || g.read().ended.then(|| view! { <p class="note">{i18n.t(Msg::ConsoleEnded)}</p> })}
            // The desk: everything needed while the room is running, in
            // the first screenful of a laptop.
            <div class="desk">
                <section class="panel now" aria-labelledby="current-title">
                    <CurrentStep/>
                    <GroupsDesk/>
                    <Moderate/>
                    <StepNote/>
                </section>
                <div class="desk-side">
                    <section class="panel preview-panel" aria-labelledby="room-title">
                        <h2 id="room-title">{i18n.t(Msg::ConsoleRoomSees)}</h2>
                        <ScreenPreview entry=entry.clone()/>
                    </section>
                    <section class="panel door" aria-labelledby="door-title">
                        <h2 id="door-title">{i18n.t(Msg::ConsoleJoinCode)}</h2>
                        <p class="code" data-testid="join-code">{entry.code.to_string()}</p>
                        <a class="button primary" href=page.screen_url.clone() target="_blank" rel="noopener">
                            {i18n.t(Msg::ConsoleOpenScreen)}
                        </a>
                        <JoiningLock/>
                    </section>
                    <TimerPanel/>
                </div>
            </div>
            // Everything else, below the desk: planning, exports, settings.
            <div class="console-more">
                <Agenda/>
                <StepEditor/>
                <MapDesk/>
                <super::console_statements::StatementsDesk/>
                <Exports secret=secret.clone()/>
                <ScreenPanel/>
                <Links entry screen_url=page.screen_url cofacilitator_url=page.cofacilitator_url/>
                <DeleteGathering secret/>
            </div>
            <Announcer gathering=g/>
        </main>
    }
    .into_any()
}

/// A map step's own desk: the map to drag cards on, and the tools to
/// gather, link, zoom and open them (nothing for other kinds).
#[component]
fn MapDesk() -> impl IntoView {
    let i18n = use_i18n();
    let desk = expect_context::<Desk>();
    let g = desk.live.gathering;
    let step = Memo::new(move |_| g.read().current_step().cloned());
    let is_map = Memo::new(move |_| {
        step.read()
            .as_ref()
            .is_some_and(|s| s.exercise.axes().is_some())
    });
    // A card dragged on the map stays where the facilitator let it go.
    let on_pin = Callback::new(
        move |(card, at): (hearth_core::ids::CardId, hearth_core::map::Point)| {
            let Some(step) = step.get_untracked().map(|s| s.id) else {
                return;
            };
            desk.act(Action::Arrange {
                step,
                change: hearth_core::map::MapChange::Pin { card, at: Some(at) },
            });
        },
    );
    view! {
        <Show when=move || is_map.get()>
            <section class="panel room-view" aria-labelledby="map-desk-title">
                <h2 id="map-desk-title">{i18n.t(Msg::ConsoleArrangeMap)}</h2>
                <StepWall gathering=g step on_pin/>
            </section>
            <MapTools/>
        </Show>
    }
}

/// Lock or open joining, with the state it is in.
#[component]
fn JoiningLock() -> impl IntoView {
    let i18n = use_i18n();
    let desk = expect_context::<Desk>();
    let g = desk.live.gathering;
    move || {
        let locked = g.read().joining == Joining::Locked;
        let (state, label) = if locked {
            (Msg::ConsoleJoiningLocked, Msg::ConsoleUnlock)
        } else {
            (Msg::ConsoleJoiningOpen, Msg::ConsoleLock)
        };
        view! {
            <button class="quiet" on:click=move |_| desk.act(Action::SetJoiningLocked { locked: !locked })>
                {i18n.t(label)}
            </button>
            <p class="state">{i18n.t(state)}</p>
        }
    }
}

/// The step the room is on: where it sits in the agenda, its prompt and
/// note, and the controls its kind needs.
#[component]
fn CurrentStep() -> impl IntoView {
    let i18n = use_i18n();
    let desk = expect_context::<Desk>();
    let g = desk.live.gathering;
    let step = Memo::new(move |_| g.read().current_step().cloned());
    let position = move || {
        let g = g.read();
        g.position(g.current).map(|i| (i, g.steps.len()))
    };
    let neighbour = move |ahead: bool| {
        let g = g.read();
        let i = g.position(g.current)?;
        let j = if ahead {
            i.checked_add(1)?
        } else {
            i.checked_sub(1)?
        };
        g.steps.get(j).map(|s| s.id)
    };
    let tally_text = move || {
        let tally = g.read().tally;
        let waiting = match tally.waiting {
            Waiting::None => i18n.t(Msg::ConsoleNothingWaiting).to_owned(),
            Waiting::Some => i18n.t(Msg::ConsoleSomeWaiting).to_owned(),
            Waiting::Count(n) => i18n.plural(Msg::ConsoleWaiting, n as usize),
        };
        let people = match tally.people {
            Some(n) => i18n.fill(Msg::ConsolePeople, &[("n", &i18n.0.number(n as usize))]),
            None => i18n.t(Msg::ConsoleSmallRoom).to_owned(),
        };
        format!("{waiting} {people}")
    };
    view! {
        <div class="current">
            <p class="eyebrow">
                {move || position().map(|(i, n)| i18n.fill(Msg::ConsoleStepOf, &[("n", &(i + 1).to_string()), ("total", &n.to_string())]))}
                " · "
                {move || step.read().as_ref().map(|s| i18n.t(kind_name(s.exercise.kind())))}
            </p>
            <h2 id="current-title" class="prompt">{move || step.read().as_ref().map(|s| s.prompt.to_string())}</h2>
            <div class="controls">
                <button
                    disabled=move || neighbour(false).is_none()
                    on:click=move |_| if let Some(step) = neighbour(false) { desk.act(Action::GoTo { step }) }
                >
                    {i18n.t(Msg::ConsolePrev)}
                </button>
                <button
                    class="primary"
                    disabled=move || neighbour(true).is_none()
                    on:click=move |_| if let Some(step) = neighbour(true) { desk.act(Action::GoTo { step }) }
                >
                    {i18n.t(Msg::ConsoleNext)}
                </button>
            </div>
            <p class="tally" role="status">{tally_text}</p>
            {move || step.get().map(|s| {
                let (id, live) = (s.id, s.live);
                let reveal = s.exercise.takes_reflections().then(|| view! {
                    <button
                        class="primary"
                        on:click=move |_| desk.act(Action::Reveal)
                        disabled=move || g.read().tally.waiting == Waiting::None
                    >
                        {i18n.t(Msg::ConsoleReveal)}
                    </button>
                    <button
                        aria-pressed=live.to_string()
                        on:click=move |_| desk.act(Action::SetLive { step: id, live: !live })
                    >
                        {i18n.t(Msg::ConsoleLive)}
                    </button>
                });
                let (label, state) = if s.collecting {
                    (Msg::ConsolePause, Msg::ConsoleCollecting)
                } else {
                    (Msg::ConsoleResume, Msg::ConsolePaused)
                };
                let (id, open) = (s.id, !s.collecting);
                let live_state = s.exercise.takes_reflections().then(|| {
                    if live { i18n.t(Msg::ConsoleLiveOn) } else { i18n.t(Msg::ConsoleLiveOff) }
                });
                view! {
                    <div class="controls">
                        {reveal}
                        <button on:click=move |_| desk.act(Action::SetCollecting { step: id, open })>
                            {i18n.t(label)}
                        </button>
                    </div>
                    <p class="state">{live_state.map(|t| view! { {t} " " })}{i18n.t(state)}</p>
                    // Live, with cards still waiting: too few people have
                    // written for a batch. Say so; Reveal lets them go.
                    {move || (live && g.read().tally.waiting != Waiting::None).then(|| view! {
                        <p class="state held" data-testid="held-back">{i18n.t(Msg::ConsoleHeldBack)}</p>
                    })}
                }
            })}
            {move || step.get().and_then(|s| {
                let Exercise::Scenario { lines } = &s.exercise else { return None };
                let (id, shown, total) = (s.id, s.shown, lines.len() as u16);
                Some(view! {
                    <div class="controls">
                        <p class="state">{i18n.fill(Msg::ConsoleLinesShown, &[("n", &shown.to_string()), ("total", &total.to_string())])}</p>
                        <button class="primary" disabled={shown >= total} on:click=move |_| desk.act(Action::ShowLines { step: id, count: shown + 1 })>
                            {i18n.t(Msg::ConsoleShowNextLine)}
                        </button>
                        <button disabled={shown >= total} on:click=move |_| desk.act(Action::ShowLines { step: id, count: total })>
                            {i18n.t(Msg::ConsoleShowAllLines)}
                        </button>
                        <button disabled={shown == 0} on:click=move |_| desk.act(Action::ShowLines { step: id, count: shown.saturating_sub(1) })>
                            {i18n.t(Msg::ConsoleHideLastLine)}
                        </button>
                    </div>
                })
            })}
        </div>
    }
    .into_any()
}

/// The step's facilitator note, folded: what the step is for in IPS terms.
#[component]
fn StepNote() -> impl IntoView {
    let i18n = use_i18n();
    let g = expect_context::<Desk>().live.gathering;
    let kind = Memo::new(move |_| g.read().current_step().map(|s| s.exercise.kind()));
    move || {
        kind.get().map(|kind| {
            view! {
                <details class="note-box">
                    <summary>{i18n.t(Msg::ConsoleNote)}</summary>
                    <p>{i18n.t(note(kind))}</p>
                </details>
            }
        })
    }
}

/// Set, pause, resume, add a minute, clear. The screen shows the time;
/// nothing ever rings.
#[component]
fn TimerPanel() -> impl IntoView {
    let i18n = use_i18n();
    let desk = expect_context::<Desk>();
    let g = desk.live.gathering;
    let minutes = RwSignal::new("5".to_owned());
    let timer = move |timer: TimerAction| desk.act(Action::Timer { timer });
    let start = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match minutes
            .get_untracked()
            .trim()
            .replace(',', ".")
            .parse::<f64>()
        {
            Ok(m) if m > 0.0 && m <= 180.0 => timer(TimerAction::Set {
                seconds: (m * 60.0).round() as u32,
            }),
            _ => desk.said.set(Some(Said::Problem(Msg::ErrCodeBadSettings))),
        }
    };
    view! {
        <section class="panel timer-panel" aria-labelledby="timer-title">
            <h2 id="timer-title">{i18n.t(Msg::ConsoleTimer)}</h2>
            <TimerDisplay live=desk.live/>
            <form class="inline" on:submit=start>
                <label for="timer-minutes">{i18n.t(Msg::ConsoleTimerMinutes)}</label>
                <input
                    id="timer-minutes"
                    type="number"
                    min="1"
                    max="180"
                    inputmode="numeric"
                    prop:value=move || minutes.get()
                    on:input=move |ev| minutes.set(event_target_value(&ev))
                />
                <button type="submit" class="primary">{i18n.t(Msg::ConsoleTimerStart)}</button>
            </form>
            <div class="controls">
                {move || match g.read().timer {
                    Timer::Running { .. } => view! {
                        <button on:click=move |_| timer(TimerAction::Pause)>{i18n.t(Msg::ConsoleTimerPause)}</button>
                    }.into_any(),
                    Timer::Paused { .. } => view! {
                        <button on:click=move |_| timer(TimerAction::Resume)>{i18n.t(Msg::ConsoleTimerResume)}</button>
                    }.into_any(),
                    Timer::Off => ().into_any(),
                }}
                <button on:click=move |_| timer(TimerAction::AddMinute)>{i18n.t(Msg::ConsoleTimerAddMinute)}</button>
                <button
                    disabled=move || g.read().timer == Timer::Off
                    on:click=move |_| timer(TimerAction::Clear)
                >
                    {i18n.t(Msg::ConsoleTimerClear)}
                </button>
            </div>
        </section>
    }
    .into_any()
}

/// Every revealed card of the step, hidden ones too, with the facilitator's
/// choices. Nothing here says who wrote a card: the console never knows.
#[component]
fn Moderate() -> impl IntoView {
    let i18n = use_i18n();
    let desk = expect_context::<Desk>();
    let g = desk.live.gathering;
    let cards = move || {
        let g = g.read();
        g.cards_of(g.current).cloned().collect::<Vec<_>>()
    };
    let no_cards_yet = move || g.read().cards.is_empty();
    view! {
        <div class="moderate">
            <h3 id="moderate-title">{i18n.t(Msg::ConsoleModeration)}</h3>
            <p class="hint">{i18n.t(Msg::ConsoleModerationHint)}</p>
            <Show when=no_cards_yet>
                <FirstSteps/>
            </Show>
            <ul class="moderation" aria-labelledby="moderate-title">
                <For each=cards key=|c| (c.id.clone(), c.hidden, c.blurred, c.text.clone()) let(card)>
                    {
                        let (id, hidden, blurred) = (card.id.clone(), card.hidden, card.blurred);
                        let id2 = id.clone();
                        let change = move |card: hearth_core::ids::CardId, change| desk.act(Action::Moderate { card, change });
                        view! {
                            <li class="card" class:hidden=hidden>
                                <p class="card-text">{card.text.clone()}</p>
                                <p class="hint">
                                    {hidden.then(|| i18n.t(Msg::ConsoleHiddenMark))}
                                    {(hidden && blurred).then_some(" · ")}
                                    {blurred.then(|| i18n.t(Msg::ConsoleBlurredMark))}
                                </p>
                                <div class="controls">
                                    <button class="quiet" on:click=move |_| change(id.clone(), if hidden { Moderation::Unhide } else { Moderation::Hide })>
                                        {if hidden { i18n.t(Msg::ConsoleUnhide) } else { i18n.t(Msg::ConsoleHide) }}
                                    </button>
                                    <button class="quiet" on:click=move |_| change(id2.clone(), if blurred { Moderation::Unblur } else { Moderation::Blur })>
                                        {if blurred { i18n.t(Msg::ConsoleUnblur) } else { i18n.t(Msg::ConsoleBlur) }}
                                    </button>
                                </div>
                            </li>
                        }
                    }
                </For>
            </ul>
        </div>
    }
    .into_any()
}

/// What to do first, on a console whose room has no cards yet.
#[component]
fn FirstSteps() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="first-steps" data-testid="first-steps">
            <p><strong>{i18n.t(Msg::ConsoleFirstTitle)}</strong></p>
            <ol>
                <li>{i18n.t(Msg::ConsoleFirstScreen)}</li>
                <li>{i18n.t(Msg::ConsoleFirstJoin)}</li>
                <li>{i18n.t(Msg::ConsoleFirstBegin)}</li>
            </ol>
        </div>
    }
}

/// Downloads of what the group made so far: nothing in them identifies
/// anyone, and hidden cards stay out unless asked for.
#[component]
fn Exports(secret: String) -> impl IntoView {
    let i18n = use_i18n();
    let desk = expect_context::<Desk>();
    let g = desk.live.gathering;
    let maps = {
        let secret = secret.clone();
        move || {
            g.read()
                .steps
                .iter()
                .filter(|s| s.exercise.axes().is_some())
                .map(|s| {
                    let base = format!("/console/{secret}/export/map-{}", s.id.0);
                    view! {
                        <li>
                            <span class="hint">{s.prompt.to_string()}</span> " "
                            <a href=format!("{base}.svg") download>{i18n.t(Msg::ConsoleExportMapSvg)}</a>
                            " · "
                            <a href=format!("{base}.png") download>{i18n.t(Msg::ConsoleExportMapPng)}</a>
                        </li>
                    }
                })
                .collect_view()
        }
    };
    let landscapes = {
        let secret = secret.clone();
        move || {
            g.read()
                .steps
                .iter()
                .filter(|s| matches!(s.exercise, hearth_core::exercise::Exercise::Statements { .. }))
                .map(|s| {
                    let base = format!("/console/{secret}/export/landscape-{}", s.id.0);
                    view! {
                        <li>
                            <span class="hint">{s.prompt.to_string()}</span> " "
                            <a href=format!("{base}.svg") download>{i18n.t(Msg::StatementsExportSvg)}</a>
                            " · "
                            <a href=format!("{base}.png") download>{i18n.t(Msg::StatementsExportPng)}</a>
                        </li>
                    }
                })
                .collect_view()
        }
    };
    let files = [
        ("summary.md", Msg::ConsoleExportMarkdown),
        ("cards.csv", Msg::ConsoleExportCsv),
        ("gathering.json", Msg::ConsoleExportJson),
    ];
    view! {
        <section class="panel exports" aria-labelledby="exports-title">
            <h2 id="exports-title">{i18n.t(Msg::ConsoleExport)}</h2>
            <p class="hint">{i18n.t(Msg::ConsoleExportHint)}</p>
            <p>
                <a href=format!("/harvest/{secret}") target="_blank" rel="noopener">{i18n.t(Msg::ConsoleHarvest)}</a>
            </p>
            <ul class="export-links">
                {files
                    .into_iter()
                    .map(|(file, label)| {
                        let base = format!("/console/{secret}/export/{file}");
                        view! {
                            <li>
                                <a href=base.clone() download>{i18n.t(label)}</a>
                                " · "
                                <a href=format!("{base}?hidden=true") download>{i18n.t(Msg::ConsoleExportWithHidden)}</a>
                            </li>
                        }
                    })
                    .collect_view()}
                {maps}
                {landscapes}
            </ul>
        </section>
    }
    .into_any()
}

/// The gathering's links: the phones' address and link, the screen's and
/// the co-facilitator's. The join code and the screen button are on the
/// desk; these are for setting up.
#[component]
fn Links(entry: Entry, screen_url: String, cofacilitator_url: String) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="panel" aria-labelledby="links-title">
            <h2 id="links-title">{i18n.t(Msg::ConsoleLinks)}</h2>
            <p class="hint">{i18n.t(Msg::ConsoleKeepPrivate)}</p>
            <dl class="links">
                <dt>{i18n.t(Msg::ConsolePhoneAddress)}</dt>
                <dd>
                    <code class="url" data-testid="phone-address">{entry.short_url.clone()}</code>
                    <p class="hint">{i18n.t(Msg::ConsolePhoneAddressHint)}</p>
                </dd>
                <dt>{i18n.t(Msg::ConsoleScreenLink)}</dt>
                <dd><code class="url" data-testid="screen-url">{screen_url}</code></dd>
                <dt>{i18n.t(Msg::ConsoleCoFacilitatorLink)}</dt>
                <dd><code class="url" data-testid="cofacilitator-url">{cofacilitator_url}</code></dd>
                <dt>{i18n.t(Msg::ConsoleParticipantLink)}</dt>
                <dd><code class="url">{entry.join_url.clone()}</code></dd>
            </dl>
        </section>
    }
}

/// Deleting at once: a plain form (it works without the script) that
/// asks first, with a box to tick.
#[component]
fn DeleteGathering(secret: String) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="panel danger-zone" aria-labelledby="delete-title">
            <h2 id="delete-title">{i18n.t(Msg::ConsoleDeleteTitle)}</h2>
            <p class="hint">{i18n.t(Msg::ConsoleDeleteHint)}</p>
            <form method="post" action=format!("/console/{secret}/delete") class="stack">
                <div class="choice">
                    <input type="checkbox" id="delete-confirm" name="confirm" required/>
                    <label for="delete-confirm">{i18n.t(Msg::ConsoleDeleteConfirm)}</label>
                </div>
                <div class="actions">
                    <button type="submit" class="danger">{i18n.t(Msg::ConsoleDelete)}</button>
                </div>
            </form>
        </section>
    }
}

/// Ending asks once more, since it closes the room for everyone.
#[component]
fn EndButton() -> impl IntoView {
    let i18n = use_i18n();
    let desk = expect_context::<Desk>();
    let asking = RwSignal::new(false);
    let ended = move || desk.live.gathering.read().ended;
    view! {
        <Show when=move || !ended()>
            <div class="end">
                <Show
                    when=move || asking.get()
                    fallback=move || view! {
                        <button class="quiet" on:click=move |_| asking.set(true)>{i18n.t(Msg::ConsoleEnd)}</button>
                    }
                >
                    <AskFirst
                        question=Msg::ConsoleEndConfirm
                        yes=Msg::ConsoleEndYes
                        asking
                        on_yes=Callback::new(move |()| desk.act(Action::End))
                    />
                </Show>
            </div>
        </Show>
    }
    .into_any()
}

/// Asking once more before something that cannot be undone (ending the
/// gathering, dealing the groups again): the question said plainly, a
/// button that does it and one that does not. Either answer stops asking.
#[component]
pub fn AskFirst(
    question: Msg,
    yes: Msg,
    asking: RwSignal<bool>,
    on_yes: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <p role="alert">{i18n.t(question)}</p>
        <button class="danger" on:click=move |_| { asking.set(false); on_yes.run(()); }>
            {i18n.t(yes)}
        </button>
        <button on:click=move |_| asking.set(false)>{i18n.t(Msg::ConsoleCancel)}</button>
    }
}
