//! A participant's phone: the step the room is on, a way to take part in
//! it (a reflection form, a spectrum slider, a dialogue to tag), the board
//! with ways to respond, and their own reflections to withdraw. Made for
//! one hand at 360 px.
//!
//! The page is rendered here, on the server, and never hydrated: every
//! choice on it is a plain form that posts, so it works from its first
//! bytes. The phone's small script (`app/script/phone.js`) keeps it live:
//! it follows the room over the WebSocket, fetches this page again when
//! something the phone shows has changed, and sends the forms without
//! leaving the page. What it needs from the page it reads from `data-`
//! attributes set below, the words among them, so every word still comes
//! from the catalogue.

use super::phone_groups::GroupPanel;
use super::phone_parts::{OwnMarks, Responses, SpectrumPlace, TagLines};
use super::phone_statements::StatementBallot;
use super::{param, query};
use crate::api::load_participant;
use crate::i18n::{error_msg, use_i18n, I18n, Msg};
use crate::widgets::{announcement, timer_view, Glance, PageProblem};
use hearth_core::error::ErrorCode;
use hearth_core::exercise::{Exercise, ExerciseKind};
use hearth_core::gathering::{GatheringView, StepView};
use hearth_core::ids::CardId;
use hearth_core::locale::Locale;
use hearth_core::marks::{Mark, Target};
use hearth_core::page::ParticipantPage as Data;
use hearth_core::reflection::REFLECTION_MAX_CHARS;
use leptos::prelude::*;
use leptos::tachys::view::RenderHtml;
use std::sync::Arc;

#[component]
pub fn ParticipantPage() -> impl IntoView {
    let token = param("token");
    let said = Said {
        feedback: Feedback::from_query(),
        seen: query("seen"),
    };
    let placing = placing_from(query("place"));
    // Not a resource: the page is never hydrated, so its data need not
    // travel inside it a second time.
    view! {
        <Suspense>
            {move || {
                let token = token.clone();
                let said = said.clone();
                let placing = placing.clone();
                Suspend::new(async move {
                    match load_participant(token.clone()).await {
                        Ok(page) => {
                            let phone = Arc::new(Phone { page, token, part: Part::Whole, placing });
                            view! { <Participant phone said/> }.into_any()
                        }
                        Err(error) => view! { <PageProblem error/> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

/// What every phone of a room sees, in one language, as the `<main>` its
/// script brings into the page: rendered once per change of the room and
/// served to every phone (the server's `phone_parts`). It holds no one's
/// own cards, marks or form ids; `own_html` holds those. Its live region
/// says what changed since the glance `seen` (`Glance::key`): phones that
/// had the same glance get the same bytes.
pub fn shared_html(page: Data, token: String, locale: Locale, seen: Option<String>) -> String {
    let phone = Arc::new(Phone {
        page,
        token,
        part: Part::Shared,
        placing: None,
    });
    let said = Said {
        feedback: Feedback::None,
        seen,
    };
    render(locale, move || {
        view! { <Participant phone said/> }
    })
}

/// What is one phone's own, as the parts of its page that replace those
/// of the shared part with the same id: the feedback line (from `said`),
/// its own reflections, and every control that shows one of its marks.
/// Small, and rendered for each phone, only when something of its own may
/// have changed: the phone's script keeps it and lays it over each fresh
/// shared part, so it holds nothing the room changes without naming the
/// phone's cards, except what the step's stamp (`Phone::stamp`) covers.
/// `place` is the card the person is placing on a map (`?place=`), if any:
/// its mini-map comes with the own part.
pub fn own_html(
    page: Data,
    token: String,
    locale: Locale,
    feedback: Feedback,
    place: Option<String>,
) -> String {
    let phone = Arc::new(Phone {
        page,
        token,
        part: Part::Own,
        placing: placing_from(place),
    });
    render(locale, move || {
        provide_context(phone);
        view! { <OwnParts feedback/> }
    })
}

/// The card a `?place=` query names, if it names one.
fn placing_from(place: Option<String>) -> Option<CardId> {
    place.and_then(|card| CardId::parse(&card).ok())
}

/// Renders a view outside the router, in a language, to HTML.
fn render<V: IntoView + 'static>(locale: Locale, view: impl FnOnce() -> V) -> String {
    let owner = Owner::new();
    owner.with(|| {
        provide_context(I18n(locale));
        view().into_view().to_html()
    })
}

/// Which part of a phone's page is being rendered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    /// One phone's whole page: its first load, and every fresh copy a phone
    /// without its script asks for.
    Whole,
    /// What every phone of the room shares (`shared_html`).
    Shared,
    /// What is one phone's own (`own_html`).
    Own,
}

/// What a page says about the phone's last look and its last post: the
/// query of a fresh copy (`?seen=`, `?done=`, `?error=`).
#[derive(Clone, Default)]
struct Said {
    feedback: Feedback,
    /// The glance the phone had (`Glance::key`), to say what changed since.
    seen: Option<String>,
}

/// What the phone says about the last thing it did, in one calm line.
#[derive(Clone, Copy, Default, PartialEq)]
pub enum Feedback {
    #[default]
    None,
    Received,
    Withdrawn,
    Placed,
    /// A small group's form was taken.
    Group,
    Problem(Msg),
}

impl Feedback {
    /// What a form post came back to say (`?done=…` or `?error=…`).
    fn from_query() -> Self {
        Self::from(query("done").as_deref(), query("error"))
    }

    /// What a post came back to say, from the query of the phone's own part.
    pub fn from(done: Option<&str>, error: Option<String>) -> Self {
        let posted_error = |code: String| -> Option<ErrorCode> {
            serde_json::from_value(serde_json::Value::String(code)).ok()
        };
        match (error.and_then(posted_error), done) {
            (Some(code), _) => Feedback::Problem(error_msg(code)),
            (None, Some("received")) => Feedback::Received,
            (None, Some("marked")) => Feedback::Placed,
            (None, Some("withdrawn")) => Feedback::Withdrawn,
            (None, Some("group")) => Feedback::Group,
            (None, _) => Feedback::None,
        }
    }
}

/// What every part of the phone reads: the room, the participant's own
/// reflections and marks, and the form id, as the page is rendered. The
/// page is rendered once, on the server, so these are plain values, not
/// signals; the script fetches a fresh page when the room changes.
pub struct Phone {
    pub page: Data,
    /// The participant link's token (for the forms' addresses).
    pub token: String,
    pub part: Part,
    /// The card the person is placing on a map (`?place=`): the one card
    /// whose mini-map the page carries.
    pub placing: Option<CardId>,
}

impl Phone {
    /// The phone of the page being rendered.
    pub fn here() -> Arc<Phone> {
        expect_context()
    }

    /// The room as the page shows it.
    pub fn room(&self) -> &GatheringView {
        &self.page.gathering
    }

    /// Where one of this phone's forms posts: `/p/<token>/<what>`, for
    /// `reflect`, `mark` and `withdraw` (the server's `forms.rs`).
    pub fn form_action(&self, what: &str) -> String {
        format!("/p/{}/{what}", self.token)
    }

    /// The reflection form's id: the page's own, or none in the part every
    /// phone shares (the phone's script gives each form one of its own).
    pub fn form_id(&self) -> String {
        match self.part {
            Part::Shared => String::new(),
            Part::Whole | Part::Own => self.page.form_id.as_str().to_owned(),
        }
    }

    /// The id of the form that adds a reframe under `story`.
    pub fn reframe_id(&self, story: &CardId) -> String {
        match self.part {
            Part::Shared => String::new(),
            Part::Whole | Part::Own => self.page.form_id.for_card(story).as_str().to_owned(),
        }
    }

    /// What the phone's own part was made for: the step, as it is set up
    /// and whether it is open, and whether the room has ended. When the
    /// shared part's stamp differs from the own part's, the phone's script
    /// asks for its own part again (see `own_html`).
    pub fn stamp(&self) -> String {
        use std::hash::{Hash, Hasher};
        let g = self.room();
        let mut hash = std::collections::hash_map::DefaultHasher::new();
        g.ended.hash(&mut hash);
        // A small group's round changes what its phones' own parts say.
        serde_json::to_string(&g.groups)
            .unwrap_or_default()
            .hash(&mut hash);
        if let Some(step) = g.current_step() {
            serde_json::to_string(step)
                .unwrap_or_default()
                .hash(&mut hash);
            // A statements step's next statement is the phone's own: a
            // statement let in, hidden or gone asks for it again.
            if matches!(step.exercise, Exercise::Statements { .. }) {
                for card in g.visible_cards(step.id) {
                    card.id.hash(&mut hash);
                }
            }
        }
        format!("{}-{:x}", g.current.0, hash.finish())
    }

    /// Whether the step takes part now: collecting, in a room not ended.
    pub fn open(&self, step: &StepView) -> bool {
        step.collecting && !self.room().ended
    }

    /// The participant's own mark on a target, if they made one.
    pub fn mark(&self, target: &Target) -> Option<&Mark> {
        self.page.marks.iter().find(|m| &m.target() == target)
    }

    /// The participant's own value for a target, if they have one (a point
    /// on a spectrum, a tag, some dots: each fits a byte).
    pub fn own(&self, target: &Target) -> Option<u8> {
        self.mark(target)
            .and_then(Mark::value)
            .and_then(|v| u8::try_from(v).ok())
    }
}

#[component]
fn Participant(phone: Arc<Phone>, said: Said) -> impl IntoView {
    let i18n = use_i18n();
    let at = phone.page.at;
    let token = phone.token.clone();
    provide_context(phone.clone());
    let g = phone.room();
    let current = g.current_step();
    let step = current.map(|s| (s.id, s.exercise.kind()));
    let prompt = current.map(|s| s.prompt.to_string()).unwrap_or_default();
    let ended = g.ended;
    let statements = matches!(step, Some((_, ExerciseKind::Statements)));
    let place_first = current
        .is_some_and(|s| s.exercise.axes().is_some() && g.visible_cards(s.id).next().is_some());
    view! {
        <main
            id="main"
            class="page narrow participant"
            data-live=format!("/ws/p/{token}")
            data-shared=format!("/p/{token}/shared")
            data-own=format!("/p/{token}/mine")
            data-epoch=at.epoch.to_string()
            data-seq=at.seq.to_string()
            data-draft=token
            data-stamp=phone.stamp()
        >
            // The script says here whether the phone is in touch.
            <p
                id="link-status"
                class="link-status"
                role="status"
                data-keep="link"
                data-connecting=i18n.t(Msg::LinkConnecting)
                data-reconnecting=i18n.t(Msg::LinkReconnecting)
            ></p>
            <section id="step" aria-labelledby="prompt">
                <p class="eyebrow">{i18n.t(Msg::PartPromptLabel)}</p>
                <h1 id="prompt" class="prompt">{prompt}</h1>
                <PhoneTimer/>
            </section>
            {ended.then(|| view! { <p class="note">{i18n.t(Msg::ErrEnded)}</p> })}
            // On a map with stories revealed, placing them is what the room
            // is doing: the map's cards come before the writing box.
            {place_first.then(|| view! { <Responses/> })}
            {step.map(|(step, kind)| match kind {
                ExerciseKind::Spectrum => view! { <SpectrumPlace step/> }.into_any(),
                ExerciseKind::Scenario => view! { <TagLines step/> }.into_any(),
                // One statement at a time, then a statement of one's own.
                ExerciseKind::Statements => view! { <StatementBallot/> <ReflectForm/> }.into_any(),
                ExerciseKind::SmallGroups => view! { <GroupPanel/> }.into_any(),
                _ => view! { <ReflectForm/> }.into_any(),
            })}
            <FeedbackLine feedback=said.feedback/>
            // Statements are answered one at a time, not from a board.
            {(!place_first && !statements).then(|| view! { <Responses/> })}
            <Mine/>
            <PhoneAnnouncer seen=said.seen/>
        </main>
    }
}

/// The parts of the page that are one phone's own (see `own_html`), each
/// with the id of the part it replaces.
#[component]
fn OwnParts(feedback: Feedback) -> impl IntoView {
    let phone = Phone::here();
    let grouped = phone
        .room()
        .current_step()
        .is_some_and(|s| s.exercise.kind() == ExerciseKind::SmallGroups);
    view! {
        <div id="own" data-stamp=phone.stamp()>
            <FeedbackLine feedback/>
            {Phone::here().page.ballot.is_some().then(|| view! { <StatementBallot/> })}
            // A group's board is this phone's group's alone: only ever here.
            {grouped.then(|| view! { <GroupPanel/> })}
            <Mine/>
            <OwnMarks/>
        </div>
    }
}

/// The step's timer as it stands when the page is rendered (the script
/// counts it down from there, less the time the copy waited to be sent:
/// the header `Hearth-Age` of the shared part).
#[component]
fn PhoneTimer() -> impl IntoView {
    let i18n = use_i18n();
    let phone = Phone::here();
    let timer = timer_view(i18n, phone.room().timer, phone.page.now);
    view! { <div id="phone-timer">{timer}</div> }
}

/// What the phone last did, in one calm line. It belongs to the step it
/// was done in: `data-step` lets the script clear it when the room moves on.
#[component]
fn FeedbackLine(feedback: Feedback) -> impl IntoView {
    let i18n = use_i18n();
    let phone = Phone::here();
    let step = phone.room().current_step().map(|s| s.id.0.to_string());
    let said = match feedback {
        Feedback::None => "",
        Feedback::Received => i18n.t(Msg::PartReceived),
        Feedback::Withdrawn => i18n.t(Msg::PartWithdrawn),
        Feedback::Placed => i18n.t(Msg::PartMarked),
        Feedback::Group => i18n.t(Msg::GroupDone),
        Feedback::Problem(m) => i18n.t(m),
    };
    view! {
        <p
            id="feedback"
            class="feedback"
            role="status"
            data-keep="feedback"
            data-step=step.unwrap_or_default()
            data-sending=i18n.t(Msg::PartSending)
            data-passed=i18n.t(Msg::PartPassed)
            data-cut=i18n.fill(Msg::PartCut, &[("max", &REFLECTION_MAX_CHARS.to_string())])
        >
            {said}
        </p>
    }
}

/// The polite live region that says what changed in the room since the
/// phone's last look: the script asks for a fresh copy with `?seen=`,
/// the glance it had, and the server names the difference in words.
#[component]
fn PhoneAnnouncer(seen: Option<String>) -> impl IntoView {
    let i18n = use_i18n();
    let now = Glance::of(Phone::here().room());
    let said = seen
        .and_then(|seen| Glance::from_key(&seen))
        .and_then(|before| announcement(i18n, &before, &now))
        .unwrap_or_default();
    view! {
        <p
            id="announcer"
            class="visually-hidden"
            role="status"
            aria-live="polite"
            aria-atomic="true"
            data-testid="announcer"
            data-keep="announcer"
            data-glance=now.key()
        >
            {said}
        </p>
    }
}

/// The reflection form of a step that takes reflections: a real HTML form
/// that posts to the server. Words half-written stay on the phone (the
/// script keeps them, with the form's id, until they are stored).
#[component]
fn ReflectForm() -> impl IntoView {
    let i18n = use_i18n();
    let phone = Phone::here();
    let Some(step) = phone.room().current_step() else {
        return ().into_any();
    };
    if !phone.open(step) {
        return view! { <p class="note">{i18n.t(Msg::PartPaused)}</p> }.into_any();
    }
    let columns = step
        .exercise
        .columns()
        .iter()
        .map(|c| c.to_string())
        .collect::<Vec<_>>();
    let towards = matches!(step.exercise, Exercise::MovingTowards { .. });
    let statement = matches!(step.exercise, Exercise::Statements { .. });
    let max = if statement {
        hearth_core::statements::STATEMENT_MAX_CHARS
    } else {
        REFLECTION_MAX_CHARS
    };
    let chars_left = |n: &str| i18n.fill(Msg::PartCharsLeft, &[("n", n)]);
    view! {
        // Its id names the step, so the next step's form starts afresh.
        <form
            id=format!("reflect-{}", step.id.0)
            class="reflect stack"
            method="post"
            action=phone.form_action("reflect")
        >
            <input type="hidden" name="id" value=phone.form_id()/>
            <input type="hidden" name="step" value=step.id.0.to_string()/>
            {(!columns.is_empty()).then(|| view! {
                <fieldset class="choices">
                    <legend>{i18n.t(Msg::PartColumnLabel)}</legend>
                    {columns
                        .into_iter()
                        .enumerate()
                        .map(|(i, label)| {
                            let id = format!("column-{i}");
                            view! {
                                <div class="choice">
                                    <input type="radio" name="column" id=id.clone() value=i.to_string()/>
                                    <label for=id>{label}</label>
                                </div>
                            }
                        })
                        .collect_view()}
                </fieldset>
            })}
            {towards.then(|| view! {
                <input type="hidden" name="toward" value="1"/>
                <label for="away">{i18n.t(Msg::PartAway)}</label>
                <textarea id="away" name="from" rows=3 maxlength=REFLECTION_MAX_CHARS></textarea>
            })}
            <label for="reflection">
                {if towards {
                    i18n.t(Msg::PartToward)
                } else if statement {
                    i18n.t(Msg::StatementsWrite)
                } else {
                    i18n.t(Msg::PartYourReflection)
                }}
            </label>
            <p id="reflection-hint" class="hint">
                {i18n.t(if statement { Msg::StatementsHint } else { Msg::PartHint })}
            </p>
            <textarea
                id="reflection"
                name="text"
                rows=if statement { 3 } else { 5 }
                maxlength=max
                aria-describedby="reflection-hint reflection-count"
            ></textarea>
            <p id="reflection-count" class="hint" data-fill=chars_left("{n}")>
                {chars_left(&max.to_string())}
            </p>
            <div class="choice">
                <input type="checkbox" id="sensitive" name="sensitive"/>
                <label for="sensitive">{i18n.t(Msg::PartSensitive)}</label>
            </div>
            <div class="actions">
                <button type="submit" class="primary">
                    {i18n.t(if statement { Msg::StatementsAdd } else { Msg::PartAdd })}
                </button>
                // Passing only clears what the phone holds, so it needs the
                // script; without it, not writing is passing.
                <button type="button" data-pass="" hidden>{i18n.t(Msg::PartPass)}</button>
            </div>
        </form>
    }
    .into_any()
}

/// The participant's own reflections, from every step, each one theirs to
/// withdraw at any time.
#[component]
fn Mine() -> impl IntoView {
    let i18n = use_i18n();
    let phone = Phone::here();
    // This step's reflections first: they are the ones the person is
    // thinking about now.
    let current = phone.room().current;
    let mut mine: Vec<_> = phone.page.mine.iter().collect();
    mine.sort_by_key(|c| c.step != current);
    view! {
        <section id="mine" class="mine" aria-labelledby="mine-title">
            <h2 id="mine-title">{i18n.t(Msg::PartMine)}</h2>
            <p class="hint">{i18n.t(Msg::PartMineHint)}</p>
            {if mine.is_empty() {
                view! { <p>{i18n.t(Msg::PartMineEmpty)}</p> }.into_any()
            } else {
                view! {
                    <ul class="own-cards">
                        {mine
                            .into_iter()
                            .map(|card| {
                                let room = phone.room();
                                let hidden = room.card(&card.id).map(|c| c.hidden);
                                // A statement merged into one that says the
                                // same: say so, and which one, in place of
                                // a state it no longer has.
                                let merged = room
                                    .board(card.step)
                                    .merged_into(&card.id)
                                    .filter(|_| hidden == Some(true))
                                    .map(|into| room.card(into).filter(|c| !c.hidden).map(|c| c.text.clone()));
                                let state = match hidden {
                                    Some(true) => Msg::PartNotShown,
                                    Some(false) => Msg::PartOnBoard,
                                    // A live step holds cards back until
                                    // enough people have written: say so.
                                    None if room.step(card.step).is_some_and(|s| s.live) => Msg::PartHeldBack,
                                    None => Msg::PartWaitingReveal,
                                };
                                let from = card.place.away_from().map(str::to_owned);
                                view! {
                                    <li class="own-card" id=format!("own-{}", card.id.as_str())>
                                        {from.map(|f| view! { <p class="from">{i18n.t(Msg::ScreenAwayFrom)} " " {f}</p> })}
                                        <p>{card.text.clone()}</p>
                                        {match merged {
                                            Some(Some(into)) => view! {
                                                <div class="merged" data-testid="merged">
                                                    <p class="hint">{i18n.t(Msg::PartMerged)}</p>
                                                    <p class="merged-into">{into}</p>
                                                </div>
                                            }.into_any(),
                                            Some(None) => view! {
                                                <p class="hint merged" data-testid="merged">{i18n.t(Msg::PartMergedElsewhere)}</p>
                                            }.into_any(),
                                            None => view! {
                                                <p class="hint">
                                                    {i18n.t(state)}
                                                    {card.sensitive.then(|| view! { " · " {i18n.t(Msg::ScreenContentNote)} })}
                                                </p>
                                            }.into_any(),
                                        }}
                                        // Withdrawing asks once: it cannot be undone.
                                        <details class="withdraw">
                                            <summary>{i18n.t(Msg::PartWithdraw)}</summary>
                                            <form method="post" action=phone.form_action("withdraw")>
                                                <p>{i18n.t(Msg::PartWithdrawAsk)}</p>
                                                <input type="hidden" name="card" value=card.id.as_str().to_owned()/>
                                                <button type="submit">{i18n.t(Msg::PartWithdrawYes)}</button>
                                            </form>
                                        </details>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                }
                .into_any()
            }}
        </section>
    }
}
