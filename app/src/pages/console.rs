//! The facilitator's console: links, the code, and the controls of the room.

use super::param;
use crate::api::{load_console, ConsolePage as Data};
use crate::gathering::{Joining, Waiting};
use crate::i18n::{error_msg, use_i18n, Msg};
use crate::live::Live;
use crate::protocol::Action;
use crate::widgets::{Board, LinkBanner, PageProblem};
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
}

#[component]
fn Console(page: Data, secret: String) -> impl IntoView {
    let i18n = use_i18n();
    let live = Live::start(
        format!("/ws/console/{secret}"),
        page.at,
        page.gathering,
        Vec::new(),
    );
    let g = live.gathering;
    let problem = RwSignal::new(None::<Msg>);
    let act = move |action: Action| {
        problem.set(None);
        live.act(action, move |reply| {
            if let Err(code) = reply {
                problem.set(Some(error_msg(code)));
            }
        });
    };
    let step = move || g.read().current_step().cloned();
    let cards = Signal::derive(move || {
        let g = g.read();
        g.current_step()
            .map(|s| g.cards_of(s.id).cloned().collect())
            .unwrap_or_default()
    });
    let tally_text = move || {
        let tally = g.read().tally;
        let waiting = match tally.waiting {
            Waiting::None => i18n.t(Msg::ConsoleNothingWaiting).to_owned(),
            Waiting::Some => i18n.t(Msg::ConsoleSomeWaiting).to_owned(),
            Waiting::Count(1) => i18n.t(Msg::ConsoleOneWaiting).to_owned(),
            Waiting::Count(n) => i18n.fill(Msg::ConsoleManyWaiting, &[("n", &n.to_string())]),
        };
        let people = match tally.people {
            Some(n) => i18n.fill(Msg::ConsolePeople, &[("n", &n.to_string())]),
            None => i18n.t(Msg::ConsoleSmallRoom).to_owned(),
        };
        format!("{waiting} {people}")
    };
    let entry = page.entry;
    view! {
        <main id="main" class="page console">
            <header class="console-head">
                <h1>{move || g.read().title.clone()}</h1>
                <p class="eyebrow">{i18n.t(Msg::ConsoleTitle)}</p>
                <LinkBanner status=live.status/>
            </header>
            <div class="console-grid">
                <section class="panel" aria-labelledby="run-title">
                    <h2 id="run-title">{i18n.t(Msg::ConsolePrompt)}</h2>
                    <p class="prompt">{move || step().map(|s| s.prompt.to_string()).unwrap_or_default()}</p>
                    <p class="tally" role="status">{tally_text}</p>
                    {move || problem.get().map(|m| view! { <p class="problem" role="alert">{i18n.t(m)}</p> })}
                    <div class="controls">
                        <button
                            class="primary"
                            on:click=move |_| act(Action::Reveal)
                            disabled=move || g.read().tally.waiting == Waiting::None
                        >
                            {i18n.t(Msg::ConsoleReveal)}
                        </button>
                        {move || {
                            step().map(|s| {
                                let (label, state) = if s.collecting {
                                    (Msg::ConsolePause, Msg::ConsoleCollecting)
                                } else {
                                    (Msg::ConsoleResume, Msg::ConsolePaused)
                                };
                                let open = !s.collecting;
                                view! {
                                    <p class="state">{i18n.t(state)}</p>
                                    <button on:click=move |_| act(Action::SetCollecting { step: s.id, open })>
                                        {i18n.t(label)}
                                    </button>
                                }
                            })
                        }}
                        {move || {
                            let locked = g.read().joining == Joining::Locked;
                            let (state, label) = if locked {
                                (Msg::ConsoleJoiningLocked, Msg::ConsoleUnlock)
                            } else {
                                (Msg::ConsoleJoiningOpen, Msg::ConsoleLock)
                            };
                            view! {
                                <p class="state">{i18n.t(state)}</p>
                                <button on:click=move |_| act(Action::SetJoiningLocked { locked: !locked })>
                                    {i18n.t(label)}
                                </button>
                            }
                        }}
                    </div>
                </section>
                <section class="panel" aria-labelledby="links-title">
                    <h2 id="links-title">{i18n.t(Msg::ConsoleLinks)}</h2>
                    <p class="hint">{i18n.t(Msg::ConsoleKeepPrivate)}</p>
                    <dl class="links">
                        <dt>{i18n.t(Msg::ConsoleJoinCode)}</dt>
                        <dd class="code" data-testid="join-code">{entry.code.to_string()}</dd>
                        <dt>{i18n.t(Msg::ConsoleScreenLink)}</dt>
                        <dd>
                            <a href=page.screen_url.clone() target="_blank" rel="noopener">
                                {i18n.t(Msg::ConsoleOpenScreen)}
                            </a>
                            <code class="url">{page.screen_url.clone()}</code>
                        </dd>
                        <dt>{i18n.t(Msg::ConsoleParticipantLink)}</dt>
                        <dd><code class="url">{entry.join_url.clone()}</code></dd>
                    </dl>
                </section>
            </div>
            <Board cards/>
        </main>
    }
}
