//! A phone in a statements step: one statement at a time with three big
//! buttons (agree, disagree, pass), the answers it gave (each can be
//! changed), and, for this phone alone, the group it is closest to and
//! why.
//!
//! All of it is the phone's own (`Ballot`, from the server, and its own
//! answers): it lives in the part of the page rendered for each phone
//! (`own_html`), and the part every phone shares holds only an empty
//! place for it. Every button is a plain form that posts to
//! `/p/<token>/mark`, with a vote id made from the page's own, so a
//! resent post counts once.

use super::participant::Phone;
use crate::i18n::{use_i18n, Msg};
use crate::landscape_view::group_name;
use hearth_core::gathering::Card;
use hearth_core::ids::CardId;
use hearth_core::landscape::{Lean, Vote, YourPlace};
use hearth_core::marks::Mark;
use hearth_core::statements::Board;
use leptos::prelude::*;

/// The phone's statement to answer, its place and its answers, or the
/// empty place its own part fills (in the part every phone shares).
#[component]
pub fn StatementBallot() -> impl IntoView {
    let i18n = use_i18n();
    let phone = Phone::here();
    let room = phone.room();
    let (Some(step), Some(ballot)) = (room.current_step(), phone.page.ballot.clone()) else {
        return view! { <section id="ballot" class="ballot"></section> }.into_any();
    };
    let board = room.board(step.id);
    let open = phone.open(step);
    let next = ballot
        .next
        .as_ref()
        .and_then(|c| room.card(c))
        .filter(|c| !c.hidden)
        .cloned();
    let now = match (next, open) {
        (_, false) => view! { <p class="note">{i18n.t(Msg::PartPaused)}</p> }.into_any(),
        (Some(card), true) => view! { <AnswerForm card/> }.into_any(),
        (None, true) if ballot.answered == 0 => {
            view! { <p class="note">{i18n.t(Msg::StatementsNoneYet)}</p> }.into_any()
        }
        (None, true) => {
            view! { <p class="note">{i18n.t(Msg::StatementsAllAnswered)}</p> }.into_any()
        }
    };
    view! {
        <section id="ballot" class="ballot" aria-labelledby="ballot-title">
            <h2 id="ballot-title">{i18n.t(Msg::StatementsFromTheRoom)}</h2>
            {now}
            <PlaceLine place=ballot.place board/>
            {open.then(|| view! { <YourAnswers/> })}
        </section>
    }
    .into_any()
}

/// The three answers to one statement, as one form with three buttons.
#[component]
fn AnswerForm(card: Card) -> impl IntoView {
    let i18n = use_i18n();
    let phone = Phone::here();
    view! {
        <form
            id=format!("answer-{}", card.id.as_str())
            class="answer stack"
            method="post"
            action=phone.form_action("mark")
        >
            <input type="hidden" name="id" value=phone.reframe_id(&card.id)/>
            <input type="hidden" name="mark" value="answer"/>
            <input type="hidden" name="card" value=card.id.as_str().to_owned()/>
            <p class="statement" id="statement-now">{card.text.clone()}</p>
            <div class="answers" role="group" aria-labelledby="statement-now">
                <button type="submit" name="vote" value="agree" class="answer-agree" data-testid="agree">
                    {i18n.t(Msg::StatementsAgree)}
                </button>
                <button type="submit" name="vote" value="disagree" class="answer-disagree" data-testid="disagree">
                    {i18n.t(Msg::StatementsDisagree)}
                </button>
                <button type="submit" name="vote" value="pass" class="answer-pass" data-testid="pass">
                    {i18n.t(Msg::StatementsPass)}
                </button>
            </div>
        </form>
    }
}

/// Where this phone stands, told to it alone.
#[component]
fn PlaceLine(place: YourPlace, board: Board) -> impl IntoView {
    let i18n = use_i18n();
    let phone = Phone::here();
    let said = match place {
        YourPlace::NotYet { votes_to_go: 0 } => {
            view! { <p>{i18n.t(Msg::StatementsPlaceSoon)}</p> }.into_any()
        }
        YourPlace::NotYet { votes_to_go } => {
            view! { <p>{i18n.plural(Msg::StatementsPlaceNotYet, votes_to_go as usize)}</p> }
                .into_any()
        }
        YourPlace::NoGroups => view! { <p>{i18n.t(Msg::StatementsPlaceNoGroups)}</p> }.into_any(),
        YourPlace::Closest { group, shared } => {
            let name = group_name(i18n, &board, group);
            let why = shared
                .iter()
                .filter_map(|s| {
                    let text = phone.room().card(&s.statement)?.text.clone();
                    let lean = match s.lean {
                        Lean::Agree => Msg::StatementsYouAgreed,
                        Lean::Disagree => Msg::StatementsYouDisagreed,
                    };
                    Some(view! { <li><span class="lean">{i18n.t(lean)}</span> " " {text}</li> })
                })
                .collect_view();
            view! {
                <p>{i18n.fill(Msg::StatementsPlaceClosest, &[("group", &name)])}</p>
                {(!shared.is_empty()).then(|| view! {
                    <p class="hint">{i18n.t(Msg::StatementsPlaceWhy)}</p>
                    <ul class="why">{why}</ul>
                })}
            }
            .into_any()
        }
    };
    view! {
        <div class="your-place" id="your-place" data-testid="your-place">
            <p class="eyebrow">{i18n.t(Msg::StatementsOnlyYou)}</p>
            {said}
        </div>
    }
}

/// The statements this phone answered in this step, each with its answer
/// and the buttons to change it.
#[component]
fn YourAnswers() -> impl IntoView {
    let i18n = use_i18n();
    let phone = Phone::here();
    let room = phone.room();
    let step = room.current;
    let answered: Vec<(Card, Vote)> = phone
        .page
        .marks
        .iter()
        .filter_map(|m| match m {
            Mark::Answer {
                card,
                vote: Some(vote),
            } => {
                let c = room.card(card).filter(|c| c.step == step && !c.hidden)?;
                Some((c.clone(), *vote))
            }
            _ => None,
        })
        .collect();
    if answered.is_empty() {
        return ().into_any();
    }
    let n = answered.len();
    view! {
        <details class="your-answers">
            <summary>{i18n.plural(Msg::StatementsYourAnswers, n)}</summary>
            <ul class="stack">
                {answered
                    .into_iter()
                    .map(|(card, vote)| view! { <ChangeAnswer card vote/> })
                    .collect_view()}
            </ul>
        </details>
    }
    .into_any()
}

/// One answered statement, its answer pressed, the others a tap away.
#[component]
fn ChangeAnswer(card: Card, vote: Vote) -> impl IntoView {
    let i18n = use_i18n();
    let phone = Phone::here();
    let id = change_id(&phone, &card.id);
    let button = move |value: &'static str, this: Vote, msg: Msg| {
        view! {
            <button type="submit" name="vote" value=value aria-pressed=(vote == this).to_string()>
                {i18n.t(msg)}
            </button>
        }
    };
    view! {
        <li class="answered">
            <p>{card.text.clone()}</p>
            <form id=format!("change-{}", card.id.as_str()) class="answers small" method="post" action=phone.form_action("mark")>
                <input type="hidden" name="id" value=id/>
                <input type="hidden" name="mark" value="answer"/>
                <input type="hidden" name="card" value=card.id.as_str().to_owned()/>
                {button("agree", Vote::Agree, Msg::StatementsAgree)}
                {button("disagree", Vote::Disagree, Msg::StatementsDisagree)}
                {button("pass", Vote::Pass, Msg::StatementsPass)}
            </form>
        </li>
    }
}

/// The vote id of the form that changes an answer: made from the page's
/// own, apart from the first answer's.
fn change_id(phone: &Phone, card: &CardId) -> String {
    let first = phone.reframe_id(card);
    if first.is_empty() {
        return first;
    }
    format!("{first}-c")
}
