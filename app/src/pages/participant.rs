//! A participant's phone: the step the room is on, a way to take part in
//! it (a reflection form that posts even before the script has loaded, a
//! spectrum slider, a dialogue to tag), the board with ways to respond, and
//! their own reflections to withdraw. Made for one hand at 360 px.

use super::phone_parts::{instead_of_posting, Responses, SpectrumPlace, TagLines};
use super::{param, query};
use crate::api::{load_participant, ParticipantPage as Data};
use crate::drafts::{self, Draft};
use crate::exercise::{Exercise, ExerciseKind, Place};
use crate::i18n::{error_msg, use_i18n, Msg};
use crate::ids::ActionId;
use crate::live::{new_action_id, Live, Start};
use crate::protocol::{Action, ErrorCode, Outcome};
use crate::reflection::{ReflectionText, REFLECTION_MAX_CHARS};
use crate::widgets::{Announcer, LinkBanner, PageProblem, TimerDisplay};
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

/// What the phone last had to say, in one calm line.
#[derive(Clone, Copy, PartialEq)]
pub enum Feedback {
    None,
    Sending,
    Received,
    Passed,
    Withdrawn,
    Placed,
    Problem(Msg),
}

/// What every part of the phone shares.
#[derive(Clone, Copy)]
pub struct Phone {
    pub live: Live,
    pub feedback: RwSignal<Feedback>,
    /// The participant link's token (for the no-script form's address).
    pub token: StoredValue<String>,
    /// The id a no-script post carries, so a resent form is stored once.
    pub form_id: RwSignal<ActionId>,
    /// Whether the page's script runs. Until it does, every choice is a
    /// form the server answers; the buttons only such a form needs (a tag's
    /// "save") are hidden once it does.
    pub awake: RwSignal<bool>,
}

impl Phone {
    /// Where one of this phone's plain forms posts: `/p/<token>/<what>`,
    /// for `reflect`, `mark` and `withdraw` (the server's `forms.rs`).
    pub fn form_action(self, what: &str) -> String {
        format!("/p/{}/{what}", self.token.read_value())
    }

    /// Sends an action, saying "sending" and then what happened; `done`
    /// runs with the outcome when it was accepted.
    pub fn send(self, action: Action, done: impl FnOnce(Outcome) + 'static) {
        self.feedback.set(Feedback::Sending);
        let feedback = self.feedback;
        self.live.act(action, move |reply| match reply {
            Ok(outcome) => {
                feedback.set(Feedback::None);
                done(outcome);
            }
            Err(code) => feedback.set(Feedback::Problem(error_msg(code))),
        });
    }
}

/// Why a form post came back (`?error=…`), in the protocol's terms.
fn posted_error(code: &str) -> Option<ErrorCode> {
    serde_json::from_value(serde_json::Value::String(code.to_owned())).ok()
}

#[component]
fn Participant(page: Data, token: String) -> impl IntoView {
    let i18n = use_i18n();
    let live = Live::start(
        format!("/ws/p/{token}"),
        Start {
            at: page.at,
            gathering: page.gathering,
            now: page.now,
            mine: page.mine,
            marks: page.marks,
        },
    );
    let initial = match (
        query("error").as_deref().and_then(posted_error),
        query("done").as_deref(),
    ) {
        (Some(code), _) => Feedback::Problem(error_msg(code)),
        (None, Some("marked")) => Feedback::Placed,
        (None, Some("withdrawn")) => Feedback::Withdrawn,
        (None, _) => Feedback::None,
    };
    let phone = Phone {
        live,
        feedback: RwSignal::new(initial),
        token: StoredValue::new(token),
        form_id: RwSignal::new(page.form_id),
        awake: RwSignal::new(false),
    };
    provide_context(phone);
    // Effects run only in the browser, once the page has woken up.
    Effect::new(move |_| phone.awake.set(true));
    let g = live.gathering;
    // Only a new step or kind rebuilds the parts below; everything else
    // they follow reactively.
    let shape = Memo::new(move |_| g.read().current_step().map(|s| (s.id, s.exercise.kind())));
    let prompt = move || {
        g.read()
            .current_step()
            .map(|s| s.prompt.to_string())
            .unwrap_or_default()
    };
    view! {
        <main id="main" class="page narrow participant">
            <LinkBanner status=live.status/>
            <section aria-labelledby="prompt">
                <p class="eyebrow">{i18n.t(Msg::PartPromptLabel)}</p>
                <h1 id="prompt" class="prompt">{prompt}</h1>
                <TimerDisplay live/>
            </section>
            {move || g.read().ended.then(|| view! { <p class="note">{i18n.t(Msg::ErrEnded)}</p> })}
            {move || {
                shape.get().map(|(step, kind)| match kind {
                    ExerciseKind::Spectrum => view! { <SpectrumPlace step/> }.into_any(),
                    ExerciseKind::Scenario => view! { <TagLines step/> }.into_any(),
                    _ => view! { <ReflectForm/> }.into_any(),
                })
            }}
            <p class="feedback" role="status">
                {move || match phone.feedback.get() {
                    Feedback::None => "",
                    Feedback::Sending => i18n.t(Msg::PartSending),
                    Feedback::Received => i18n.t(Msg::PartReceived),
                    Feedback::Passed => i18n.t(Msg::PartPassed),
                    Feedback::Withdrawn => i18n.t(Msg::PartWithdrawn),
                    Feedback::Placed => i18n.t(Msg::PartMarked),
                    Feedback::Problem(m) => i18n.t(m),
                }}
            </p>
            <Responses/>
            <Mine/>
            <Announcer gathering=g/>
        </main>
    }
}

/// The reflection form of a step that takes reflections. It is a real HTML
/// form: before the script runs it posts to the server, which answers with
/// a "received" page; once the script runs it sends over the live link.
#[component]
fn ReflectForm() -> impl IntoView {
    let i18n = use_i18n();
    let phone = expect_context::<Phone>();
    let g = phone.live.gathering;
    let step = Memo::new(move |_| g.read().current_step().cloned());
    let collecting = move || step.read().as_ref().is_some_and(|s| s.collecting) && !g.read().ended;
    let exercise = move || step.read().as_ref().map(|s| s.exercise.clone());
    let columns = move || {
        exercise()
            .map(|e| {
                e.columns()
                    .iter()
                    .map(|c| c.to_string())
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    };
    let towards = move || matches!(exercise(), Some(Exercise::MovingTowards { .. }));

    let draft = RwSignal::new(String::new());
    let from = RwSignal::new(String::new());
    let column = RwSignal::new(None::<u8>);
    let sensitive = RwSignal::new(false);
    // Words typed before a reload or a sleep come back, with their id.
    let scope = phone.token;
    Effect::new(move |_| {
        if let Some(saved) = drafts::load(&scope.read_value()) {
            phone.form_id.set(saved.id);
            draft.set(saved.text);
        }
    });
    let keep = move |text: String| {
        drafts::save(
            &scope.read_value(),
            &Draft {
                id: phone.form_id.get_untracked(),
                text: text.clone(),
            },
        );
        draft.set(text);
    };
    let forget = move || {
        drafts::clear(&scope.read_value());
        draft.set(String::new());
        from.set(String::new());
    };
    let chars_left = move || {
        let left = REFLECTION_MAX_CHARS.saturating_sub(draft.read().chars().count());
        i18n.fill(Msg::PartCharsLeft, &[("n", &left.to_string())])
    };

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(step) = step.get_untracked() else {
            return;
        };
        let problem = move |code: ErrorCode| phone.feedback.set(Feedback::Problem(error_msg(code)));
        let text = match ReflectionText::parse(&draft.get_untracked()) {
            Ok(text) => text,
            Err(e) => return problem(e.into()),
        };
        let place = if !step.exercise.columns().is_empty() {
            match column.get_untracked() {
                Some(column) => Place::Column { column },
                None => return problem(ErrorCode::WrongPlace),
            }
        } else if matches!(step.exercise, Exercise::MovingTowards { .. }) {
            let away = from.get_untracked();
            let from = match away.trim() {
                "" => None,
                away => match ReflectionText::parse(away) {
                    Ok(away) => Some(away),
                    Err(e) => return problem(e.into()),
                },
            };
            Place::Toward { from }
        } else {
            Place::Board
        };
        phone.feedback.set(Feedback::Sending);
        phone.live.act_with_id(
            phone.form_id.get_untracked(),
            Action::AddReflection {
                step: step.id,
                text,
                place,
                sensitive: sensitive.get_untracked(),
            },
            move |reply| match reply {
                Ok(Outcome::Added { card }) => {
                    phone.live.mine.update(|mine| {
                        if !mine.iter().any(|c| c.id == card.id) {
                            mine.push(card);
                        }
                    });
                    forget();
                    sensitive.set(false);
                    phone.form_id.set(new_action_id());
                    phone.feedback.set(Feedback::Received);
                }
                Ok(_) => {}
                Err(code) => problem(code),
            },
        );
    };

    let action = phone.form_action("reflect");
    view! {
        <Show
            when=collecting
            fallback=move || view! { <p class="note">{i18n.t(Msg::PartPaused)}</p> }
        >
            <form class="reflect stack" method="post" action=action.clone() on:submit=on_submit>
                <input type="hidden" name="id" value=move || phone.form_id.get().as_str().to_owned()/>
                <input
                    type="hidden"
                    name="step"
                    value=move || step.read().as_ref().map(|s| s.id.0.to_string()).unwrap_or_default()
                />
                {move || {
                    let cols = columns();
                    (!cols.is_empty()).then(|| view! {
                        <fieldset class="choices">
                            <legend>{i18n.t(Msg::PartColumnLabel)}</legend>
                            {cols
                                .into_iter()
                                .enumerate()
                                .map(|(i, label)| {
                                    let id = format!("column-{i}");
                                    view! {
                                        <div class="choice">
                                            <input
                                                type="radio"
                                                name="column"
                                                id=id.clone()
                                                value=i.to_string()
                                                prop:checked=move || column.get() == Some(i as u8)
                                                on:change=move |_| column.set(Some(i as u8))
                                            />
                                            <label for=id>{label}</label>
                                        </div>
                                    }
                                })
                                .collect_view()}
                        </fieldset>
                    })
                }}
                {move || towards().then(|| view! {
                    <input type="hidden" name="toward" value="1"/>
                    <label for="away">{i18n.t(Msg::PartAway)}</label>
                    <textarea
                        id="away"
                        name="from"
                        rows=3
                        maxlength=REFLECTION_MAX_CHARS
                        prop:value=move || from.get()
                        on:input=move |ev| from.set(event_target_value(&ev))
                    ></textarea>
                })}
                <label for="reflection">
                    {move || if towards() { i18n.t(Msg::PartToward) } else { i18n.t(Msg::PartYourReflection) }}
                </label>
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
                <div class="choice">
                    <input
                        type="checkbox"
                        id="sensitive"
                        name="sensitive"
                        prop:checked=move || sensitive.get()
                        on:change=move |ev| sensitive.set(event_target_checked(&ev))
                    />
                    <label for="sensitive">{i18n.t(Msg::PartSensitive)}</label>
                </div>
                <div class="actions">
                    <button type="submit" class="primary" disabled=move || phone.feedback.get() == Feedback::Sending>
                        {i18n.t(Msg::PartAdd)}
                    </button>
                    <button
                        type="button"
                        on:click=move |_| {
                            forget();
                            phone.feedback.set(Feedback::Passed);
                        }
                    >
                        {i18n.t(Msg::PartPass)}
                    </button>
                </div>
            </form>
        </Show>
    }
}

/// The participant's own reflections, from every step, each one theirs to
/// withdraw at any time.
#[component]
fn Mine() -> impl IntoView {
    let i18n = use_i18n();
    let phone = expect_context::<Phone>();
    let live = phone.live;
    let g = live.gathering;
    let withdraw = move |card: crate::ids::CardId| {
        let again = card.clone();
        phone.send(Action::Withdraw { card }, move |_| {
            live.mine.update(|mine| mine.retain(|c| c.id != again));
            phone.feedback.set(Feedback::Withdrawn);
        });
    };
    view! {
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
                            let state = {
                                let id = id.clone();
                                move || match g.read().card(&id) {
                                    Some(c) if c.hidden => Msg::PartNotShown,
                                    Some(_) => Msg::PartOnBoard,
                                    None => Msg::PartWaitingReveal,
                                }
                            };
                            let from = card.place.away_from().map(str::to_owned);
                            view! {
                                <li class="own-card">
                                    {from.map(|f| view! { <p class="from">{i18n.t(Msg::ScreenAwayFrom)} " " {f}</p> })}
                                    <p>{card.text.clone()}</p>
                                    <p class="hint">
                                        {move || i18n.t(state())}
                                        {card.sensitive.then(|| view! { " · " {i18n.t(Msg::ScreenContentNote)} })}
                                    </p>
                                    <form method="post" action=phone.form_action("withdraw")>
                                        <input type="hidden" name="card" value=id.as_str().to_owned()/>
                                        <button
                                            type="submit"
                                            class="quiet"
                                            on:click=move |ev| {
                                                instead_of_posting(&ev);
                                                withdraw(id.clone());
                                            }
                                        >
                                            {i18n.t(Msg::PartWithdraw)}
                                        </button>
                                    </form>
                                </li>
                            }
                        }
                    </For>
                </ul>
            </Show>
        </section>
    }
}
