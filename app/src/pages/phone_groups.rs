//! The phone in a small groups step: the group's sign (always in view, to
//! hold up across a room), the phone's place and its role card for this
//! round, the group's own board, an observer's private notes, and
//! bringing cards back to the room.
//!
//! A group's board is its members' alone, so this part is never in what
//! every phone of the room shares: the shared part holds only a waiting
//! line with the same id (`group`), which each phone's own part replaces
//! (`participant::own_html`). Every control is a plain form posting to
//! `/p/<token>/group` (the server's `group_form.rs`).

use super::participant::{Part, Phone};
use crate::i18n::{use_i18n, Msg};
use crate::library::{role_name, sign_words, tag_name};
use hearth_core::exercise::Exercise;
use hearth_core::groups::Role;
use hearth_core::marks::Tag;
use hearth_core::page::GroupCard;
use hearth_core::reflection::REFLECTION_MAX_CHARS;
use leptos::prelude::*;

/// The phone's group, or a line saying groups are on their way.
#[component]
pub fn GroupPanel() -> impl IntoView {
    let i18n = use_i18n();
    let phone = Phone::here();
    let board = match (phone.part, &phone.page.group) {
        (Part::Shared, _) | (_, None) => {
            return view! {
                <section id="group" class="group-panel">
                    <p class="note">{i18n.t(Msg::GroupWaitingDeal)}</p>
                </section>
            }
            .into_any()
        }
        (_, Some(board)) => board.clone(),
    };
    let room = phone.room();
    let Some(step) = room.current_step() else {
        return ().into_any();
    };
    let Exercise::SmallGroups { rounds, .. } = &step.exercise else {
        return ().into_any();
    };
    let rounds = *rounds;
    let shown = room.groups.unwrap_or(hearth_core::groups::GroupsShown {
        step: step.id.0,
        groups: 0,
        round: 0,
        back: false,
        brought: 0,
        deal: 0,
    });
    let open = phone.open(step) && !shown.back;
    let last = shown.round == rounds;
    let sign = board.sign;
    let round_line = match shown.round {
        0 => i18n.t(Msg::GroupBeforeRound).to_owned(),
        r => i18n.fill(
            if r > 1 {
                Msg::GroupSwapRoles
            } else {
                Msg::GroupRoundOf
            },
            &[("round", &r.to_string()), ("rounds", &rounds.to_string())],
        ),
    };
    let round_prompt = step
        .exercise
        .round_prompt(shown.round)
        .map(|p| p.to_string());
    let role = board.role;
    let observer = role == Some(Role::Observer) && open;
    let (role_title, role_card) = match role {
        Some(role) => {
            let (name, card) = role_name(role);
            (Some(i18n.t(name)), i18n.t(card))
        }
        None => (None, i18n.t(Msg::RoleCardNone)),
    };
    let place = i18n.fill(
        Msg::GroupYourPlace,
        &[
            ("place", &board.place.to_string()),
            ("members", &board.members.to_string()),
        ],
    );
    let action = phone.form_action("group");
    let withdraw = phone.form_action("withdraw");
    let form_id = phone.form_id();
    let step_id = step.id.0.to_string();
    view! {
        <section id="group" class="group-panel" aria-labelledby="group-sign">
            // The sign stays at the top of the screen while the page scrolls.
            <div
                id="group-sign"
                class="group-sign"
                data-colour=sign.colour.slug()
                data-group=sign.number.to_string()
            >
                <span class="group-symbol" aria-hidden="true">{sign.symbol.to_string()}</span>
                <span class="group-number" aria-hidden="true">{sign.number.to_string()}</span>
                <span class="group-name">{sign_words(sign, i18n.0)}</span>
            </div>
            <p class="hint">{i18n.t(Msg::GroupFindEachOther)} " " {place}</p>
            {if shown.back {
                view! { <p class="note">{i18n.t(Msg::GroupBack)}</p> }.into_any()
            } else {
                view! {
                    <div class="role-card">
                        <p class="eyebrow">{round_line}</p>
                        {round_prompt.map(|p| view! { <p class="round-prompt">{p}</p> })}
                        <h2>{i18n.t(Msg::GroupYourRole)} {role_title.map(|t| view! { ": " {t} })}</h2>
                        <p>{role_card}</p>
                    </div>
                }.into_any()
            }}
            {observer.then(|| view! {
                <form class="group-note stack" method="post" action=action.clone()>
                    <h3>{i18n.t(Msg::GroupNoteTitle)}</h3>
                    <p class="hint">{i18n.t(Msg::GroupNoteHint)}</p>
                    // No form id: the page's one is the writing form's, and
                    // a note is one tap.
                    <input type="hidden" name="do" value="note"/>
                    <input type="hidden" name="step" value=step_id.clone()/>
                    <label for="note-words">{i18n.t(Msg::GroupNoteWords)}</label>
                    <input id="note-words" name="text" maxlength=REFLECTION_MAX_CHARS/>
                    <div class="tag-buttons">
                        {Tag::ALL.iter().map(|tag| view! {
                            <button type="submit" name="tag" value=tag.index().to_string()>
                                {i18n.t(tag_name(*tag))}
                            </button>
                        }).collect_view()}
                    </div>
                </form>
            })}
            {open.then(|| view! {
                <form id=format!("group-write-{}", step_id) class="group-write stack" method="post" action=action.clone()>
                    <p class="note group-sees" id="group-sees">{i18n.t(Msg::GroupSeesWords)}</p>
                    <input type="hidden" name="do" value="write"/>
                    <input type="hidden" name="id" value=form_id.clone()/>
                    <input type="hidden" name="step" value=step_id.clone()/>
                    <label for="group-text">{i18n.t(Msg::GroupWriteLabel)}</label>
                    <textarea id="group-text" name="text" rows=3 maxlength=REFLECTION_MAX_CHARS aria-describedby="group-sees"></textarea>
                    <div class="actions">
                        <button type="submit" class="primary">{i18n.t(Msg::GroupWrite)}</button>
                    </div>
                </form>
            })}
            <section class="group-board" aria-labelledby="group-board-title">
                <h2 id="group-board-title">{i18n.t(Msg::GroupBoardTitle)}</h2>
                {(open && last).then(|| view! { <p class="hint">{i18n.t(Msg::GroupBringBackHint)}</p> })}
                {if board.cards.is_empty() {
                    view! { <p>{i18n.t(Msg::GroupBoardEmpty)}</p> }.into_any()
                } else {
                    view! {
                        <ul class="group-cards">
                            {board.cards.into_iter().map(|card| view! {
                                <GroupCardItem card action=action.clone() withdraw=withdraw.clone() open last/>
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }}
            </section>
        </section>
    }
    .into_any()
}

/// One card of the group's board, with what this phone may do with it.
#[component]
fn GroupCardItem(
    card: GroupCard,
    action: String,
    withdraw: String,
    open: bool,
    last: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = card.id.as_str().to_owned();
    let button = |what: &'static str, label: Msg| {
        view! {
            <form method="post" action=action.clone() class="inline">
                <input type="hidden" name="do" value=what/>
                <input type="hidden" name="card" value=id.clone()/>
                <button type="submit">{i18n.t(label)}</button>
            </form>
        }
    };
    let state = if card.sent {
        Some(Msg::GroupSent)
    } else if card.proposed_by_me {
        Some(Msg::GroupProposedByYou)
    } else if card.proposed {
        Some(Msg::GroupProposed)
    } else if card.private {
        Some(Msg::GroupPrivate)
    } else if card.mine {
        Some(Msg::GroupMine)
    } else {
        None
    };
    let can_share = open && card.private;
    let can_propose = open && last && !card.private && !card.proposed && !card.sent;
    let can_agree = open && last && card.proposed && !card.proposed_by_me && !card.sent;
    view! {
        <li class="group-card" class:private=card.private id=format!("group-card-{id}")>
            {card.tag.map(|t| view! { <p class="eyebrow">{i18n.t(tag_name(t))}</p> })}
            {(!card.text.is_empty()).then(|| view! { <p>{card.text.clone()}</p> })}
            {state.map(|m| view! { <p class="hint">{i18n.t(m)}</p> })}
            <div class="actions">
                {can_share.then(|| button("share", Msg::GroupShare))}
                {can_propose.then(|| button("propose", Msg::GroupPropose))}
                {can_agree.then(|| button("agree", Msg::GroupAgree))}
            </div>
            {card.mine.then(|| view! {
                <details class="withdraw">
                    <summary>{i18n.t(Msg::PartWithdraw)}</summary>
                    <form method="post" action=withdraw>
                        <p>{i18n.t(Msg::PartWithdrawAsk)}</p>
                        <input type="hidden" name="card" value=id.clone()/>
                        <button type="submit">{i18n.t(Msg::PartWithdrawYes)}</button>
                    </form>
                </details>
            })}
        </li>
    }
}
