//! A participant's phone: the prompt, a reflection form that posts even
//! before the script has loaded, their own reflections, and the board.

use super::{param, query};
use crate::api::{load_participant, ParticipantPage as Data};
use crate::drafts::{self, Draft};
use crate::i18n::{error_msg, use_i18n, Msg};
use crate::live::{new_action_id, Live};
use crate::protocol::{Action, ErrorCode, Outcome};
use crate::reflection::{ReflectionText, REFLECTION_MAX_CHARS};
use crate::widgets::{Board, LinkBanner, PageProblem};
use leptos::prelude::*;

#[component]
pub fn ParticipantPage() -> impl IntoView {
    let token = param("token");
    let data = Resource::new(
        {
            let token = token.clone();
            move || token.clone()
        },
        load_participant,
    );
    view! {
        <Suspense>
            {move || {
                let token = token.clone();
                Suspend::new(async move {
                    match data.await {
                        Ok(page) => view! { <Participant page token/> }.into_any(),
                        Err(error) => view! { <PageProblem error/> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

/// What the form last had to say.
#[derive(Clone, Copy, PartialEq)]
enum Feedback {
    None,
    Sending,
    Received,
    Passed,
    Withdrawn,
    Problem(Msg),
}

/// Why a form post came back (`?error=…`), in the protocol's terms.
fn posted_error(code: &str) -> Option<ErrorCode> {
    serde_json::from_value(serde_json::Value::String(code.to_owned())).ok()
}

#[component]
fn Participant(page: Data, token: String) -> impl IntoView {
    let i18n = use_i18n();
    let live = Live::start(format!("/ws/p/{token}"), page.at, page.gathering, page.mine);
    let g = live.gathering;
    let draft = RwSignal::new(String::new());
    let form_id = RwSignal::new(page.form_id);
    // Words typed before a reload or a sleep come back, with their id.
    let scope = StoredValue::new(token.clone());
    Effect::new(move |_| {
        if let Some(saved) = drafts::load(&scope.read_value()) {
            form_id.set(saved.id);
            draft.set(saved.text);
        }
    });
    let keep = move |text: String| {
        drafts::save(
            &scope.read_value(),
            &Draft {
                id: form_id.get_untracked(),
                text: text.clone(),
            },
        );
        draft.set(text);
    };
    let forget = move || {
        drafts::clear(&scope.read_value());
        draft.set(String::new());
    };
    let initial = query("error")
        .as_deref()
        .and_then(posted_error)
        .map(|code| Feedback::Problem(error_msg(code)))
        .unwrap_or(Feedback::None);
    let feedback = RwSignal::new(initial);

    let step = Memo::new(move |_| g.read().current_step().cloned());
    let collecting = move || step.read().as_ref().is_some_and(|s| s.collecting) && !g.read().ended;
    let board = Signal::derive(move || {
        let g = g.read();
        g.current_step()
            .map(|s| g.cards_of(s.id).cloned().collect())
            .unwrap_or_default()
    });
    let chars_left = move || {
        let left = REFLECTION_MAX_CHARS.saturating_sub(draft.read().chars().count());
        i18n.fill(Msg::PartCharsLeft, &[("n", &left.to_string())])
    };

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(step) = step.get_untracked() else {
            return;
        };
        let text = match ReflectionText::parse(&draft.get_untracked()) {
            Ok(text) => text,
            Err(e) => {
                feedback.set(Feedback::Problem(error_msg(e.into())));
                return;
            }
        };
        feedback.set(Feedback::Sending);
        live.act_with_id(
            form_id.get_untracked(),
            Action::AddReflection {
                step: step.id,
                text,
                place: crate::exercise::Place::Board,
                sensitive: false,
            },
            move |reply| match reply {
                Ok(Outcome::Added { card }) => {
                    live.mine.update(|mine| {
                        if !mine.iter().any(|c| c.id == card.id) {
                            mine.push(card);
                        }
                    });
                    forget();
                    form_id.set(new_action_id());
                    feedback.set(Feedback::Received);
                }
                Ok(_) => {}
                Err(code) => feedback.set(Feedback::Problem(error_msg(code))),
            },
        );
    };

    let withdraw = move |card: crate::ids::CardId| {
        live.act(
            Action::Withdraw { card: card.clone() },
            move |reply| match reply {
                Ok(_) => {
                    live.mine.update(|mine| mine.retain(|c| c.id != card));
                    feedback.set(Feedback::Withdrawn);
                }
                Err(code) => feedback.set(Feedback::Problem(error_msg(code))),
            },
        );
    };

    let action = format!("/p/{token}/reflect");
    view! {
        <main id="main" class="page narrow participant">
            <LinkBanner status=live.status/>
            <section aria-labelledby="prompt">
                <p class="eyebrow">{i18n.t(Msg::PartPromptLabel)}</p>
                <h1 id="prompt" class="prompt">{move || step.read().as_ref().map(|s| s.prompt.to_string()).unwrap_or_default()}</h1>
            </section>
            <Show
                when=collecting
                fallback=move || view! { <p class="note">{i18n.t(Msg::PartPaused)}</p> }
            >
                <form class="reflect stack" method="post" action=action.clone() on:submit=on_submit>
                    <input type="hidden" name="id" value=move || form_id.get().as_str().to_owned()/>
                    <input
                        type="hidden"
                        name="step"
                        value=move || step.read().as_ref().map(|s| s.id.0.to_string()).unwrap_or_default()
                    />
                    <label for="reflection">{i18n.t(Msg::PartYourReflection)}</label>
                    <p id="reflection-hint" class="hint">{i18n.t(Msg::PartHint)}</p>
                    <textarea
                        id="reflection"
                        name="text"
                        rows=5
                        maxlength=REFLECTION_MAX_CHARS
                        aria-describedby="reflection-hint reflection-count"
                        prop:value=move || draft.get()
                        on:input=move |ev| keep(event_target_value(&ev))
                    ></textarea>
                    <p id="reflection-count" class="hint">{chars_left}</p>
                    <div class="actions">
                        <button type="submit" class="primary" disabled=move || feedback.get() == Feedback::Sending>
                            {i18n.t(Msg::PartAdd)}
                        </button>
                        <button
                            type="button"
                            on:click=move |_| {
                                forget();
                                feedback.set(Feedback::Passed);
                            }
                        >
                            {i18n.t(Msg::PartPass)}
                        </button>
                    </div>
                </form>
            </Show>
            <p class="feedback" role="status">
                {move || match feedback.get() {
                    Feedback::None => "",
                    Feedback::Sending => i18n.t(Msg::PartSending),
                    Feedback::Received => i18n.t(Msg::PartReceived),
                    Feedback::Passed => i18n.t(Msg::PartPassed),
                    Feedback::Withdrawn => i18n.t(Msg::PartWithdrawn),
                    Feedback::Problem(m) => i18n.t(m),
                }}
            </p>
            <section class="mine" aria-labelledby="mine-title">
                <h2 id="mine-title">{i18n.t(Msg::PartMine)}</h2>
                <p class="hint">{i18n.t(Msg::PartMineHint)}</p>
                <Show
                    when=move || !live.mine.read().is_empty()
                    fallback=move || view! { <p>{i18n.t(Msg::PartMineEmpty)}</p> }
                >
                    <ul class="own-cards">
                        <For each=move || live.mine.get() key=|c| c.id.clone() let(card)>
                            {
                                let id = card.id.clone();
                                let shown = {
                                    let id = id.clone();
                                    move || g.read().cards.iter().any(|c| c.id == id)
                                };
                                view! {
                                    <li class="own-card">
                                        <p>{card.text.clone()}</p>
                                        <p class="hint">
                                            {move || if shown() { i18n.t(Msg::PartOnBoard) } else { i18n.t(Msg::PartWaitingReveal) }}
                                        </p>
                                        <button class="quiet" on:click=move |_| withdraw(id.clone())>
                                            {i18n.t(Msg::PartWithdraw)}
                                        </button>
                                    </li>
                                }
                            }
                        </For>
                    </ul>
                </Show>
            </section>
            <Board cards=board/>
        </main>
    }
}
