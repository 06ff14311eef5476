//! Small groups: dealing the room's phones into groups, the rounds, each
//! group's own board, and the cards a group agrees to bring back.
//!
//! The dealing itself (balance, late joiners, moves, signs, roles) is the
//! core's (`hearth_core::groups`); here is who may do what with it, and
//! the isolation the step promises: a group's board is read and changed
//! only by its members. Nothing of it enters the public state or the event
//! log, which every phone and screen receives: the room shows only counts
//! (`GroupsShown`). A card reaches the room only when a second member of
//! its group agrees, and then as an ordinary waiting card of the step, so
//! the normal reveal shows it shuffled with the others.
//!
//! The groups hold device hashes and private words, so they are kept where
//! only the room reads them: in memory, and in the room's checkpoint,
//! written with every commit that changes them (`State::groups_dirty`).
//! Ending the gathering forgets them, and so does a fresh deal, which the
//! facilitator agrees to first once the groups have written (`deal`):
//! what was brought back is the room's by then, and stays.

use super::cards::{release_live, store_new};
use super::{emit, open_step, record, remember, CardMeta, Decision, Refusal, State, Turn};
use crate::storage::Op;
use hearth_core::error::ErrorCode;
use hearth_core::exercise::{Exercise, Place};
use hearth_core::gathering::Event;
use hearth_core::groups::{
    Agreement, GroupError, GroupSize, Groups, GroupsShown, Proposal, Role, RoleSet, Sign,
};
use hearth_core::ids::{CardId, StepId};
use hearth_core::marks::Tag;
use hearth_core::page::{GroupBoard, GroupCard};
use hearth_core::protocol::Outcome;
use hearth_core::reflection::ReflectionText;
use hearth_core::timer::Timer;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// The groups of a small groups step, as only the room knows them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupsState {
    pub step: StepId,
    /// Members by device hash, group 1 first.
    pub groups: Groups<String>,
    /// The round under way (from 1; 0 before the first).
    pub round: u8,
    /// Everyone is back in the room: the boards are closed.
    pub back: bool,
    /// Every group's cards, in the order they were written.
    pub cards: Vec<GroupCardMeta>,
    /// Which deal of the step these groups are, from 1.
    #[serde(default)]
    pub deal: u32,
}

/// A card on a group's board, with who wrote it (for their own list and
/// their withdrawal, never shown).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupCardMeta {
    pub id: CardId,
    pub group: u32,
    pub author: String,
    pub text: String,
    #[serde(default)]
    pub tag: Option<Tag>,
    /// An observer's note not shared with the group.
    #[serde(default)]
    pub private: bool,
    #[serde(default)]
    pub proposed_by: Option<String>,
    #[serde(default)]
    pub sent: bool,
}

impl GroupsState {
    /// The counts the room may see.
    pub fn shown(&self) -> GroupsShown {
        let brought: BTreeSet<u32> = self
            .cards
            .iter()
            .filter(|c| c.sent)
            .map(|c| c.group)
            .collect();
        GroupsShown {
            step: self.step.0,
            groups: self.groups.all().len() as u32,
            round: self.round,
            back: self.back,
            brought: brought.len() as u32,
            deal: self.deal,
        }
    }

    /// The group and place (both from 1) of a member.
    fn seat(&self, author: &str) -> Option<(u32, usize, usize)> {
        let n = self.groups.group_of(&author.to_owned())?;
        let members = &self.groups.all()[n - 1];
        let place = members.iter().position(|p| p == author)?;
        Some((n as u32, place, members.len()))
    }
}

/// A small groups step's settings.
struct Settings {
    size: GroupSize,
    rounds: u8,
    minutes: u8,
    roles: RoleSet,
    show_sign: bool,
}

fn settings(exercise: &Exercise) -> Option<Settings> {
    match exercise {
        Exercise::SmallGroups {
            size,
            rounds,
            minutes,
            roles,
            show_sign,
            ..
        } => Some(Settings {
            size: *size,
            rounds: *rounds,
            minutes: *minutes,
            roles: *roles,
            show_sign: *show_sign,
        }),
        _ => None,
    }
}

/// The settings of `step`, if it is a small groups step.
fn settings_of(state: &State, step: StepId) -> Option<Settings> {
    settings(&state.view.step(step)?.exercise)
}

/// Whether the groups are in a round: the room may not move on until
/// everyone is brought back.
pub fn mid_round(state: &State) -> bool {
    state
        .groups
        .as_ref()
        .is_some_and(|g| g.round > 0 && !g.back && g.step == state.view.current)
}

/// The role of `author` this round, if the step has roles.
fn role_of(state: &State, g: &GroupsState, author: &str) -> Option<Role> {
    let s = settings_of(state, g.step)?;
    let (_, place, size) = g.seat(author)?;
    s.roles.role(place, size, usize::from(g.round.max(1) - 1))
}

/// Deals everyone who has joined into groups for the current step (when
/// it opens, or again when the facilitator asks), replacing any groups of
/// another step. A deal is refused while a round is under way; once the
/// groups have written, it is refused too unless the facilitator agreed
/// (`forget_boards`) that what they wrote and did not bring back goes.
pub(super) fn deal(t: &mut Turn<'_>, forget_boards: bool) -> Result<Decision, Refusal> {
    let mut d = Decision::to(Outcome::Done);
    remember(&mut d, t.by)?;
    deal_into(t, &mut d, forget_boards)?;
    Ok(d)
}

/// Adds the deal of the current step to `d`: fresh groups, before their
/// first round, with empty boards. Cards already brought back stay: they
/// are the room's.
fn deal_into(t: &mut Turn<'_>, d: &mut Decision, forget_boards: bool) -> Result<(), Refusal> {
    let step = t.state.view.current;
    let Some(s) = settings_of(t.state, step) else {
        return Err(ErrorCode::NoGroups.into());
    };
    let mut deal = 1;
    if let Some(g) = t.state.groups.as_ref().filter(|g| g.step == step) {
        if g.round > 0 && !g.back {
            return Err(ErrorCode::MidRound.into());
        }
        if !forget_boards && g.cards.iter().any(|c| !c.sent) {
            return Err(ErrorCode::GroupsWriting.into());
        }
        deal = g.deal.saturating_add(1);
    }
    forget(t.state, d);
    let mut people: Vec<String> = t.state.joined.iter().cloned().collect();
    // Sorted first, so only the dice decide the deal.
    people.sort_unstable();
    let rng = &mut *t.rng;
    let mut pick = |n: usize| (rng.next_u64() % n.max(1) as u64) as usize;
    let groups = Groups::deal(&people, s.size, &mut pick);
    let g = GroupsState {
        step,
        groups,
        round: 0,
        back: false,
        cards: Vec::new(),
        deal,
    };
    let shown = g.shown();
    // Every phone hears of the deal from the event, whose new deal number
    // changes the stamp of its own part, so it fetches that again: one
    // event for the room, not a frame per group.
    t.state.groups = Some(g);
    t.state.groups_dirty = true;
    emit(
        t.state,
        d,
        Event::GroupsShown {
            groups: Some(shown),
        },
    )?;
    Ok(())
}

/// When the room enters a small groups step with no groups of its own
/// yet, deals them.
pub(super) fn on_enter(t: &mut Turn<'_>, d: &mut Decision) -> Result<(), Refusal> {
    let step = t.state.view.current;
    let dealt = t.state.groups.as_ref().is_some_and(|g| g.step == step);
    if settings_of(t.state, step).is_some() && !dealt {
        deal_into(t, d, false)?;
    }
    Ok(())
}

/// Forgets the groups (a new deal, or the end): their members'
/// hashes and every word not sent to the room. The checkpoint is
/// rewritten with this commit, and the copies of the old one erased.
pub fn forget(state: &mut State, d: &mut Decision) {
    if let Some(old) = state.groups.take() {
        if old.cards.iter().any(|c| !c.sent) {
            d.ops.push(Op::ForgetGroupWords);
        }
        state.groups_dirty = true;
    }
}

/// A late joiner's seat: the smallest group of the current step's groups,
/// while they meet.
pub fn seat_late(state: &mut State, author: &str) {
    let current = state.view.current;
    let Some(g) = state
        .groups
        .as_mut()
        .filter(|g| g.step == current && !g.back)
    else {
        return;
    };
    let n = g.groups.join_late(author.to_owned());
    state.groups_notify.insert(n as u32);
    state.groups_dirty = true;
}

/// Moves the person at `place` of group `from` to group `to`, when they
/// ask: the facilitator learns nothing else about them.
pub(super) fn move_one(
    t: &mut Turn<'_>,
    from: u32,
    place: u32,
    to: u32,
) -> Result<Decision, Refusal> {
    let g = active(t.state)?;
    let person = g
        .groups
        .all()
        .get((from as usize).wrapping_sub(1))
        .and_then(|members| members.get((place as usize).wrapping_sub(1)))
        .cloned()
        .ok_or(ErrorCode::NoSuchGroup)?;
    let g = t.state.groups.as_mut().ok_or(ErrorCode::NoGroups)?;
    g.groups
        .move_to(&person, to as usize)
        .map_err(|e| match e {
            GroupError::WouldLeaveAlone => ErrorCode::WouldLeaveAlone,
            _ => ErrorCode::NoSuchGroup,
        })?;
    t.state.groups_notify.extend([from, to]);
    t.state.groups_dirty = true;
    let mut d = Decision::to(Outcome::Done);
    remember(&mut d, t.by)?;
    Ok(d)
}

/// Begins a round (from 1), with its timer.
pub(super) fn round(t: &mut Turn<'_>, round: u8) -> Result<Decision, Refusal> {
    let g = active(t.state)?;
    let s = settings_of(t.state, g.step).ok_or(ErrorCode::NoGroups)?;
    if round == 0 || round > s.rounds {
        return Err(ErrorCode::UnknownRound.into());
    }
    let seconds = u32::from(s.minutes) * 60;
    let timer = Timer::Off.after(hearth_core::timer::TimerAction::Set { seconds }, t.now_ms)?;
    let g = t.state.groups.as_mut().ok_or(ErrorCode::NoGroups)?;
    g.round = round;
    shown_with_timer(t, timer)
}

/// Brings everyone back to the room: the boards close, and what the
/// groups sent waits for the reveal.
pub(super) fn back(t: &mut Turn<'_>) -> Result<Decision, Refusal> {
    active(t.state)?;
    let g = t.state.groups.as_mut().ok_or(ErrorCode::NoGroups)?;
    g.back = true;
    shown_with_timer(t, Timer::Off)
}

/// Shows the room the groups as they now stand, with the round's timer
/// (a new round, or everyone back): the groups are stored with the round.
fn shown_with_timer(t: &mut Turn<'_>, timer: Timer) -> Result<Decision, Refusal> {
    let shown = t.state.groups.as_ref().ok_or(ErrorCode::NoGroups)?.shown();
    t.state.groups_dirty = true;
    record(
        t,
        Outcome::Done,
        vec![
            Event::GroupsShown {
                groups: Some(shown),
            },
            Event::TimerSet { timer },
        ],
    )
}

/// The current step's groups while they meet, or why there are none.
fn active(state: &State) -> Result<&GroupsState, ErrorCode> {
    match &state.groups {
        Some(g) if g.step == state.view.current && !g.back => Ok(g),
        Some(g) if g.step == state.view.current => Err(ErrorCode::NotCollecting),
        _ => Err(ErrorCode::NoGroups),
    }
}

/// The writer's group, on the open step's groups (the open step is the
/// current one, and `active` groups are the current step's).
fn writer_group(t: &Turn<'_>, step: StepId) -> Result<u32, ErrorCode> {
    open_step(t.state, step)?;
    active(t.state)?
        .seat(t.by.actor)
        .map(|(n, _, _)| n)
        .ok_or(ErrorCode::NoGroups)
}

/// Writes on the writer's group's board: the group sees it at once.
pub(super) fn write(
    t: &mut Turn<'_>,
    step: StepId,
    text: ReflectionText,
) -> Result<Decision, Refusal> {
    let group = writer_group(t, step)?;
    add_card(t, group, text.into(), None, false)
}

/// An observer's note: a disconnect or a connection, with words if they
/// like, kept to themselves until they share it.
pub(super) fn note(
    t: &mut Turn<'_>,
    step: StepId,
    tag: Tag,
    text: Option<ReflectionText>,
) -> Result<Decision, Refusal> {
    let group = writer_group(t, step)?;
    let g = t.state.groups.as_ref().ok_or(ErrorCode::NoGroups)?;
    if role_of(t.state, g, t.by.actor) != Some(Role::Observer) {
        return Err(ErrorCode::NotObserver.into());
    }
    add_card(
        t,
        group,
        text.map(String::from).unwrap_or_default(),
        Some(tag),
        true,
    )
}

fn add_card(
    t: &mut Turn<'_>,
    group: u32,
    text: String,
    tag: Option<Tag>,
    private: bool,
) -> Result<Decision, Refusal> {
    let id = CardId::from_random(t.rng.next_u64());
    let g = t.state.groups.as_mut().ok_or(ErrorCode::NoGroups)?;
    g.cards.push(GroupCardMeta {
        id,
        group,
        author: t.by.actor.to_owned(),
        text,
        tag,
        private,
        proposed_by: None,
        sent: false,
    });
    if !private {
        t.state.groups_notify.insert(group);
    }
    t.state.groups_dirty = true;
    let mut d = Decision::to(Outcome::Done);
    remember(&mut d, t.by)?;
    Ok(d)
}

/// The card `card` of the actor's group's board (their own private notes
/// included), with its index; another group's card is refused as such.
fn board_card(t: &Turn<'_>, card: &CardId) -> Result<usize, ErrorCode> {
    let g = active(t.state)?;
    let (group, _, _) = g.seat(t.by.actor).ok_or(ErrorCode::NoGroups)?;
    let at = g
        .cards
        .iter()
        .position(|c| &c.id == card)
        .ok_or(ErrorCode::UnknownCard)?;
    let c = &g.cards[at];
    if c.group != group || (c.private && c.author != t.by.actor) {
        return Err(ErrorCode::NotYourGroup);
    }
    Ok(at)
}

/// Shows one of the observer's own private notes to their group.
pub(super) fn share(t: &mut Turn<'_>, card: CardId) -> Result<Decision, Refusal> {
    let at = board_card(t, &card)?;
    let g = t.state.groups.as_mut().ok_or(ErrorCode::NoGroups)?;
    if g.cards[at].author != t.by.actor {
        return Err(ErrorCode::UnknownCard.into());
    }
    g.cards[at].private = false;
    let group = g.cards[at].group;
    t.state.groups_notify.insert(group);
    t.state.groups_dirty = true;
    let mut d = Decision::to(Outcome::Done);
    remember(&mut d, t.by)?;
    Ok(d)
}

/// Whether the groups are in their last round, when cards go back.
fn last_round(t: &Turn<'_>) -> Result<(), ErrorCode> {
    let g = active(t.state)?;
    let s = settings_of(t.state, g.step).ok_or(ErrorCode::NoGroups)?;
    if g.round == s.rounds {
        Ok(())
    } else {
        Err(ErrorCode::NotLastRound)
    }
}

/// A member proposes a card of their group's board for the room.
pub(super) fn propose(t: &mut Turn<'_>, card: CardId) -> Result<Decision, Refusal> {
    let at = board_card(t, &card)?;
    last_round(t)?;
    let by = t.by.actor.to_owned();
    let g = t.state.groups.as_mut().ok_or(ErrorCode::NoGroups)?;
    let c = &mut g.cards[at];
    if c.private {
        return Err(ErrorCode::NotYourGroup.into());
    }
    if c.proposed_by.is_none() && !c.sent {
        c.proposed_by = Some(by);
        t.state.groups_notify.insert(c.group);
        t.state.groups_dirty = true;
    }
    let mut d = Decision::to(Outcome::Done);
    remember(&mut d, t.by)?;
    Ok(d)
}

/// Another member agrees to a proposal: the card goes to the room's board,
/// waiting for the reveal like any other, with its author kept (they can
/// still withdraw it everywhere).
pub(super) fn agree(t: &mut Turn<'_>, card: CardId) -> Result<Decision, Refusal> {
    let at = board_card(t, &card)?;
    last_round(t)?;
    let step = t.state.view.current;
    let show_sign = settings_of(t.state, step).is_some_and(|s| s.show_sign);
    let g = t.state.groups.as_ref().ok_or(ErrorCode::NoGroups)?;
    let c = &g.cards[at];
    if c.sent {
        let mut d = Decision::to(Outcome::Done);
        remember(&mut d, t.by)?;
        return Ok(d);
    }
    let by = c.proposed_by.clone().ok_or(ErrorCode::NeedsSecondMember)?;
    let proposal = Proposal {
        by,
        group: c.group as usize,
    };
    let mine = g.seat(t.by.actor).map(|(n, _, _)| n as usize);
    match proposal.agree(&t.by.actor.to_owned(), mine) {
        Agreement::Sent => {}
        Agreement::OwnProposal => return Err(ErrorCode::NeedsSecondMember.into()),
        Agreement::NotInGroup => return Err(ErrorCode::NotYourGroup.into()),
    }
    let before = g.shown();
    let meta = CardMeta {
        step,
        author: c.author.clone(),
        text: c.text.clone(),
        place: Place::Brought {
            group: show_sign.then_some(c.group),
        },
        sensitive: false,
        revealed_seq: None,
    };
    let group = c.group;
    let mut d = Decision::to(Outcome::Done);
    store_new(t, &mut d, card, meta)?;
    remember(&mut d, t.by)?;
    let g = t.state.groups.as_mut().ok_or(ErrorCode::NoGroups)?;
    g.cards[at].sent = true;
    let after = g.shown();
    t.state.groups_notify.insert(group);
    t.state.groups_dirty = true;
    if after != before {
        emit(
            t.state,
            &mut d,
            Event::GroupsShown {
                groups: Some(after),
            },
        )?;
    }
    release_live(t, &mut d)?;
    Ok(d)
}

/// Takes a withdrawn card off its group's board, if it was on one: its
/// words leave the checkpoint in this commit. Returns whether it was.
pub fn withdraw(state: &mut State, author: &str, card: &CardId, d: &mut Decision) -> bool {
    let Some(g) = state.groups.as_mut() else {
        return false;
    };
    let Some(at) = g
        .cards
        .iter()
        .position(|c| &c.id == card && c.author == author)
    else {
        return false;
    };
    let gone = g.cards.remove(at);
    if !gone.private {
        state.groups_notify.insert(gone.group);
    }
    state.groups_dirty = true;
    d.ops.push(Op::ForgetGroupWords);
    true
}

/// The device hashes of group `group`'s members (from 1), of the current
/// step's groups: the phones told its board changed, and no others.
pub fn members_of(state: &State, group: u32) -> Option<&[String]> {
    state
        .groups
        .as_ref()
        .filter(|g| g.step == state.view.current)?
        .groups
        .all()
        .get((group as usize).checked_sub(1)?)
        .map(Vec::as_slice)
}

/// What one phone's group looks like to it: its sign, place, role and the
/// board, with its own private notes and no one else's. `None` for anyone
/// in no group of the current step.
pub fn board_for(state: &State, author: &str) -> Option<GroupBoard> {
    let g = state
        .groups
        .as_ref()
        .filter(|g| g.step == state.view.current)?;
    let (group, place, members) = g.seat(author)?;
    let cards = g
        .cards
        .iter()
        .filter(|c| c.group == group && (!c.private || c.author == author))
        .map(|c| GroupCard {
            id: c.id.clone(),
            text: c.text.clone(),
            tag: c.tag,
            mine: c.author == author,
            private: c.private,
            proposed: c.proposed_by.is_some(),
            proposed_by_me: c.proposed_by.as_deref() == Some(author),
            sent: c.sent,
        })
        .collect();
    Some(GroupBoard {
        sign: Sign::of(group as usize),
        place: place as u32 + 1,
        members: members as u32,
        role: role_of(state, g, author),
        cards,
    })
}

#[cfg(test)]
mod tests {
    use super::super::testkit::{events, revealed, words, Gathering};
    use super::*;
    use crate::room::rules::Actor;
    use hearth_core::exercise::ExerciseKind;
    use hearth_core::protocol::Action;

    /// A board step, then a small groups step (triads, three rounds), with
    /// `people` joined; the room moves to the groups, which deals them.
    fn triads(people: usize) -> Gathering {
        let kinds = [ExerciseKind::Board, ExerciseKind::SmallGroups];
        let mut g = Gathering::with_steps(&kinds, people);
        g.run(Action::GoTo { step: StepId(2) }).expect("moved");
        g
    }

    fn groups(g: &Gathering) -> &GroupsState {
        g.state.groups.as_ref().expect("dealt")
    }

    /// The index (as in `Gathering::person`) of the member at `place` of
    /// group `n`.
    fn member(g: &Gathering, n: usize, place: usize) -> usize {
        let hash = &groups(g).groups.all()[n - 1][place];
        hash.trim_start_matches("person-")
            .parse()
            .expect("a test person")
    }

    fn write(g: &mut Gathering, who: usize, text: &str) -> Result<CardId, ErrorCode> {
        let step = g.step();
        g.act(
            &Gathering::person(who),
            Action::GroupWrite {
                step,
                text: words(text),
            },
        )?;
        let hash = Gathering::person(who).key().to_owned();
        Ok(groups(g)
            .cards
            .iter()
            .rev()
            .find(|c| c.author == hash)
            .expect("written")
            .id
            .clone())
    }

    fn round(g: &mut Gathering, round: u8) {
        g.run(Action::GroupsRound { round }).expect("a round");
    }

    #[test]
    fn entering_the_step_deals_everyone_present_into_balanced_groups() {
        let g = triads(7);
        let dealt = groups(&g);
        let sizes: Vec<usize> = dealt.groups.all().iter().map(Vec::len).collect();
        assert_eq!(sizes, vec![3, 2, 2]);
        assert!(g.state.groups_dirty, "the checkpoint keeps them");
        assert_eq!(
            g.state.view.groups,
            Some(GroupsShown {
                step: 2,
                groups: 3,
                round: 0,
                back: false,
                brought: 0,
                deal: 1
            })
        );
        // The room is told counts only: no device hash in the public state.
        let public = serde_json::to_string(&g.state.view).unwrap();
        assert!(!public.contains("person-"), "{public}");
        for i in 0..7 {
            assert!(board_for(&g.state, Gathering::person(i).key()).is_some());
        }
    }

    fn deal(forget_boards: bool) -> Action {
        Action::GroupsDeal { forget_boards }
    }

    #[test]
    fn a_late_joiner_goes_to_the_smallest_group_and_a_deal_before_writing_needs_no_asking() {
        let mut g = triads(7);
        super::super::join(&mut g.state, "late").expect("joined");
        assert_eq!(groups(&g).groups.group_of(&"late".to_owned()), Some(2));
        assert!(g.state.groups_notify.contains(&2));
        // Dealing again before anyone wrote: a fresh deal of everyone.
        let first = g.state.view.groups.expect("shown");
        let d = g.run(deal(false)).expect("dealt again");
        let sizes: Vec<usize> = groups(&g).groups.all().iter().map(Vec::len).collect();
        assert_eq!(
            sizes,
            vec![3, 3, 2],
            "eight people, the late one among them"
        );
        assert!(!d.ops.iter().any(|op| matches!(op, Op::ForgetGroupWords)));
        // The same counts again, but another deal: every phone's own part
        // (its sign, its place) is made again.
        let again = g.state.view.groups.expect("shown");
        assert_eq!((first.deal, again.deal), (1, 2));
        assert_ne!(first, again);
    }

    #[test]
    fn a_deal_is_refused_mid_round_and_changes_nothing() {
        let mut g = triads(7);
        let who = member(&g, 1, 0);
        write(&mut g, who, "the sea").expect("written");
        round(&mut g, 1);
        let before = groups(&g).clone();
        for forget_boards in [false, true] {
            assert_eq!(
                g.run(deal(forget_boards)).err(),
                Some(ErrorCode::MidRound),
                "forget_boards: {forget_boards}"
            );
        }
        assert_eq!(groups(&g), &before, "nothing changed");
    }

    #[test]
    fn once_groups_have_written_a_deal_asks_first_then_forgets_their_boards() {
        let mut g = triads(7);
        let (a, b) = (member(&g, 1, 0), member(&g, 1, 1));
        let kept = write(&mut g, a, "what we bring back").expect("written");
        let other = member(&g, 2, 0);
        write(&mut g, other, "what stays in the group").expect("written");
        round(&mut g, 3);
        let propose = Action::GroupPropose { card: kept.clone() };
        g.act(&Gathering::person(a), propose).expect("proposed");
        let agree = Action::GroupAgree { card: kept.clone() };
        g.act(&Gathering::person(b), agree).expect("agreed");
        g.run(Action::GroupsBack).expect("back");
        g.commit();
        // Not asked yet: refused, and nothing changes.
        let before = groups(&g).clone();
        assert_eq!(g.run(deal(false)).err(), Some(ErrorCode::GroupsWriting));
        assert_eq!(groups(&g), &before, "nothing changed");
        assert!(!g.state.groups_dirty);
        // Asked, and agreed: fresh groups, before their first round.
        let d = g.run(deal(true)).expect("dealt again");
        let fresh = groups(&g);
        assert!(fresh.cards.is_empty(), "the boards are forgotten");
        assert_eq!((fresh.round, fresh.back, fresh.deal), (0, false, 2));
        assert!(d.ops.iter().any(|op| matches!(op, Op::ForgetGroupWords)));
        assert!(
            g.state.groups_dirty,
            "the checkpoint is written without them"
        );
        let checkpoint = serde_json::to_string(&g.state.groups).unwrap();
        assert!(!checkpoint.contains("what stays in the group"));
        assert_eq!(
            g.state.view.groups.map(|s| (s.round, s.back, s.brought)),
            Some((0, false, 0))
        );
        // What was brought back is the room's: it stays, for the reveal.
        assert!(g.state.cards.contains_key(&kept));
        let shown = revealed(&g.reveal());
        assert_eq!(shown, [kept]);
        // The new groups begin again from the first round, roles and all.
        round(&mut g, 1);
        let teller = Gathering::person(member(&g, 1, 0));
        let board = board_for(&g.state, teller.key()).expect("a group");
        assert_eq!(board.role, Some(Role::Storyteller));
    }

    #[test]
    fn one_person_is_moved_by_their_group_and_place_never_leaving_anyone_alone() {
        let mut g = triads(7);
        let who = member(&g, 1, 2);
        g.run(Action::GroupsMove {
            from: 1,
            place: 3,
            to: 2,
        })
        .expect("moved");
        assert_eq!(
            groups(&g)
                .groups
                .group_of(&Gathering::person(who).key().to_owned()),
            Some(2)
        );
        let before = groups(&g).clone();
        let refused = [
            ((3, 1, 1), ErrorCode::WouldLeaveAlone),
            ((9, 1, 1), ErrorCode::NoSuchGroup),
            ((1, 9, 2), ErrorCode::NoSuchGroup),
            ((1, 1, 9), ErrorCode::NoSuchGroup),
            ((0, 0, 1), ErrorCode::NoSuchGroup),
        ];
        for ((from, place, to), code) in refused {
            let move_one = Action::GroupsMove { from, place, to };
            assert_eq!(g.run(move_one).err(), Some(code), "{from} {place} {to}");
        }
        assert_eq!(groups(&g), &before, "nothing changed");
    }

    #[test]
    fn members_see_their_own_groups_board_and_never_another_groups() {
        let mut g = triads(7);
        let (a, b, other) = (member(&g, 1, 0), member(&g, 1, 1), member(&g, 2, 0));
        g.commit();
        let ours = write(&mut g, a, "our words").expect("written");
        let theirs = write(&mut g, other, "their words").expect("written");
        assert_eq!(g.state.groups_notify, BTreeSet::from([1, 2]));
        let seen = |g: &Gathering, who: usize| -> Vec<String> {
            board_for(&g.state, Gathering::person(who).key())
                .map(|b| b.cards.into_iter().map(|c| c.text).collect())
                .unwrap_or_default()
        };
        assert_eq!(seen(&g, a), ["our words"]);
        assert_eq!(seen(&g, b), ["our words"], "a group sees its cards at once");
        assert_eq!(seen(&g, other), ["their words"]);
        // Acting on another group's card is refused, and changes nothing.
        round(&mut g, 3);
        let before = groups(&g).clone();
        for action in [
            Action::GroupPropose {
                card: theirs.clone(),
            },
            Action::GroupAgree {
                card: theirs.clone(),
            },
            Action::GroupShare {
                card: theirs.clone(),
            },
        ] {
            assert_eq!(
                g.act(&Gathering::person(a), action.clone()).err(),
                Some(ErrorCode::NotYourGroup),
                "{action:?}"
            );
        }
        let withdraw = Action::Withdraw { card: theirs };
        assert_eq!(
            g.act(&Gathering::person(a), withdraw).err(),
            Some(ErrorCode::UnknownCard)
        );
        assert_eq!(groups(&g), &before);
        // Nobody outside a group can act on a board, nor read one.
        for actor in [Actor::Facilitator, Actor::Screen] {
            let propose = Action::GroupPropose { card: ours.clone() };
            assert_eq!(g.act(&actor, propose).err(), Some(ErrorCode::NotAllowed));
            assert!(board_for(&g.state, actor.key()).is_none());
        }
        let public = serde_json::to_string(&g.state.view).unwrap();
        assert!(!public.contains("our words") && !public.contains("their words"));
    }

    #[test]
    fn roles_rotate_each_round_and_only_the_observer_notes_privately() {
        let mut g = triads(9);
        let step = g.step();
        let roles = |g: &Gathering| -> Vec<Option<Role>> {
            (0..3)
                .map(|p| {
                    board_for(&g.state, Gathering::person(member(g, 1, p)).key())
                        .and_then(|b| b.role)
                })
                .collect()
        };
        round(&mut g, 1);
        assert_eq!(
            roles(&g),
            [
                Some(Role::Storyteller),
                Some(Role::Listener),
                Some(Role::Observer)
            ]
        );
        let note = |tag| Action::GroupNote {
            step,
            tag,
            text: None,
        };
        let (teller, observer) = (member(&g, 1, 0), member(&g, 1, 2));
        g.commit();
        assert_eq!(
            g.act(&Gathering::person(teller), note(Tag::Probing)).err(),
            Some(ErrorCode::NotObserver)
        );
        g.act(&Gathering::person(observer), note(Tag::Probing))
            .expect("noted");
        let card = groups(&g).cards[0].id.clone();
        assert!(groups(&g).cards[0].private);
        assert!(
            !g.state.groups_notify.contains(&1),
            "a private note tells nobody"
        );
        let seen = |g: &Gathering, who| {
            board_for(&g.state, Gathering::person(who).key())
                .unwrap()
                .cards
                .len()
        };
        assert_eq!((seen(&g, observer), seen(&g, teller)), (1, 0));
        // Shared, the group sees it.
        g.act(&Gathering::person(observer), Action::GroupShare { card })
            .expect("shared");
        assert_eq!(seen(&g, teller), 1);
        round(&mut g, 2);
        assert_eq!(
            roles(&g),
            [
                Some(Role::Listener),
                Some(Role::Observer),
                Some(Role::Storyteller)
            ]
        );
        assert_eq!(
            g.act(&Gathering::person(observer), note(Tag::Connection))
                .err(),
            Some(ErrorCode::NotObserver)
        );
        assert_eq!(
            g.run(Action::GroupsRound { round: 4 }).err(),
            Some(ErrorCode::UnknownRound)
        );
        assert_eq!(
            g.run(Action::GroupsRound { round: 0 }).err(),
            Some(ErrorCode::UnknownRound)
        );
    }

    #[test]
    fn a_card_goes_back_only_when_a_second_member_agrees_and_waits_for_the_reveal() {
        let mut g = triads(7);
        let (a, b) = (member(&g, 1, 0), member(&g, 1, 1));
        let card = write(&mut g, a, "what we noticed").expect("written");
        round(&mut g, 1);
        let propose = Action::GroupPropose { card: card.clone() };
        assert_eq!(
            g.act(&Gathering::person(a), propose.clone()).err(),
            Some(ErrorCode::NotLastRound)
        );
        round(&mut g, 3);
        let agree = Action::GroupAgree { card: card.clone() };
        assert_eq!(
            g.act(&Gathering::person(b), agree.clone()).err(),
            Some(ErrorCode::NeedsSecondMember),
            "nothing proposed yet"
        );
        g.act(&Gathering::person(a), propose).expect("proposed");
        assert_eq!(
            g.act(&Gathering::person(a), agree.clone()).err(),
            Some(ErrorCode::NeedsSecondMember),
            "not by the one who proposed it"
        );
        assert!(g.state.cards.is_empty());
        let d = g.act(&Gathering::person(b), agree).expect("agreed");
        assert!(d.ops.iter().any(|op| matches!(op, Op::AddCard { .. })));
        assert_eq!(g.state.view.groups.map(|s| s.brought), Some(1));
        assert!(events(&d)
            .iter()
            .any(|e| matches!(e, Event::GroupsShown { groups: Some(s) } if s.brought == 1)));
        // Another group's card joins it; the reveal shows both shuffled,
        // with no group's sign (the step does not show it).
        let (c, d2) = (member(&g, 2, 0), member(&g, 2, 1));
        let theirs = write(&mut g, c, "and ours").expect("written");
        g.act(
            &Gathering::person(c),
            Action::GroupPropose {
                card: theirs.clone(),
            },
        )
        .expect("proposed");
        g.act(
            &Gathering::person(d2),
            Action::GroupAgree {
                card: theirs.clone(),
            },
        )
        .expect("agreed");
        let shown = revealed(&g.reveal());
        assert_eq!(shown.len(), 2);
        assert!(shown.contains(&card) && shown.contains(&theirs));
        assert!(g
            .state
            .view
            .cards
            .iter()
            .all(|c| c.place == Place::Brought { group: None }));
        // The author can still withdraw it: gone from the room and the board.
        g.act(
            &Gathering::person(a),
            Action::Withdraw { card: card.clone() },
        )
        .expect("withdrawn");
        assert!(g.state.view.card(&card).is_none());
        assert!(groups(&g).cards.iter().all(|c| c.id != card));
    }

    #[test]
    fn the_room_moves_on_only_once_everyone_is_back() {
        let mut g = triads(6);
        round(&mut g, 1);
        assert_eq!(
            g.run(Action::GoTo { step: StepId(1) }).err(),
            Some(ErrorCode::MidRound)
        );
        assert_eq!(g.step(), StepId(2), "nothing changed");
        let d = g.run(Action::GroupsBack).expect("back");
        assert!(events(&d).contains(&&Event::TimerSet { timer: Timer::Off }));
        let step = g.step();
        let who = member(&g, 1, 0);
        let late = g.act(
            &Gathering::person(who),
            Action::GroupWrite {
                step,
                text: words("after"),
            },
        );
        assert_eq!(
            late.err(),
            Some(ErrorCode::NotCollecting),
            "the boards are closed"
        );
        g.run(Action::GoTo { step: StepId(1) }).expect("moved on");
    }

    #[test]
    fn withdrawing_a_group_card_and_ending_forget_the_words() {
        let mut g = triads(6);
        let who = member(&g, 1, 0);
        let card = write(&mut g, who, "mine to take back").expect("written");
        let other = member(&g, 1, 1);
        assert_eq!(
            g.act(
                &Gathering::person(other),
                Action::Withdraw { card: card.clone() }
            )
            .err(),
            Some(ErrorCode::UnknownCard),
            "only its author withdraws it"
        );
        let d = g
            .act(&Gathering::person(who), Action::Withdraw { card })
            .expect("withdrawn");
        assert!(d.ops.iter().any(|op| matches!(op, Op::ForgetGroupWords)));
        assert!(groups(&g).cards.is_empty());
        write(&mut g, who, "still here at the end").expect("written");
        g.state.groups_dirty = false;
        let d = g.run(Action::End).expect("ended");
        assert!(g.state.groups.is_none());
        assert!(d.checkpoint, "the checkpoint is written again without them");
        assert!(d.ops.iter().any(|op| matches!(op, Op::ForgetGroupWords)));
        assert_eq!(g.state.view.groups, None);
    }

    #[test]
    fn dealt_groups_keep_their_size_rounds_and_roles() {
        let mut g = triads(6);
        let step = g.step();
        let mut reworded = g.state.view.step(step).expect("the step").spec();
        if let Exercise::SmallGroups { minutes, .. } = &mut reworded.exercise {
            *minutes = 12;
        }
        let mut reshaped = reworded.clone();
        if let Exercise::SmallGroups { size, .. } = &mut reshaped.exercise {
            *size = GroupSize::new(2).expect("a size");
        }
        assert_eq!(
            g.run(Action::EditStep {
                step,
                spec: reshaped
            })
            .err(),
            Some(ErrorCode::StepInUse)
        );
        g.run(Action::EditStep {
            step,
            spec: reworded,
        })
        .expect("minutes may change");
    }

    #[test]
    fn direct_reflections_do_not_bypass_the_groups() {
        let mut g = triads(6);
        let to_room = g.write_at(0, Place::Brought { group: Some(1) }, "straight in");
        assert_eq!(to_room.err(), Some(ErrorCode::WrongPlace));
        let plain = g.write_at(0, Place::Board, "straight in");
        assert_eq!(plain.err(), Some(ErrorCode::WrongPlace));
    }
}
