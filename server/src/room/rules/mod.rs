//! The rules of a live gathering: who may do what, and what each action
//! changes. Kept apart from the room's task so that every rule, the
//! anonymity rules above all, can be read in one place and tested without
//! a database, a socket or a clock.
//!
//! `decide` is a pure function from the room's `State` and one action to a
//! `Decision`: the events to log and show, the storage `Op`s to commit, and
//! the `Outcome` to answer with, or a refusal. It does no I/O. The clock and
//! the randomness (the shuffle of a reveal, card and template ids) come in
//! as `Inputs`, so the same state and action always decide the same way
//! under test. The task (`room/mod.rs`) commits the ops, then publishes the
//! events, then answers; nothing is shown or acknowledged before commit.
//!
//! Deciding updates the state at once (a later action in the same round
//! decides on what an earlier one did); if the round's commit fails, the
//! task throws the state away and loads it again from storage.
//!
//! One file per family of actions: `cards` (adding, revealing and
//! moderating reflections), `erase` (words and device hashes taken away:
//! a withdrawal, the end), `marks` (spectrum, tags, votes, resonances,
//! placements), `map` (the facilitator's arrangement), `agenda` (steps,
//! the timer, and the facilitator's settings) and `groups` (small groups:
//! the deal, rounds, each group's own board, bringing cards back).

mod agenda;
mod cards;
mod erase;
pub mod groups;
mod map;
mod marks;
pub mod statements;
#[cfg(test)]
pub mod testkit;

use super::ring;
use crate::storage::Op;
use hearth_core::error::ErrorCode;
use hearth_core::exercise::Place;
use hearth_core::gathering::{Card, Event, GatheringView, Joining, StepView, Tally, Waiting};
use hearth_core::ids::{ActionId, CardId, StepId};
use hearth_core::marks::{Counts, Target, Totals};
use hearth_core::protocol::{Action, Outcome, OwnCard, Role};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// Who is acting.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Actor {
    Facilitator,
    Screen,
    /// A participant, by the salted hash of their device token.
    Participant(String),
}

impl Actor {
    pub fn role(&self) -> Role {
        match self {
            Actor::Facilitator => Role::Facilitator,
            Actor::Screen => Role::Screen,
            Actor::Participant(_) => Role::Participant,
        }
    }

    /// The key under which this actor's action ids are remembered.
    pub fn key(&self) -> &str {
        match self {
            Actor::Facilitator => "facilitator",
            Actor::Screen => "screen",
            Actor::Participant(author) => author,
        }
    }
}

/// Why a room refused to let someone in.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, thiserror::Error, serde::Serialize, serde::Deserialize,
)]
pub enum EntryError {
    #[error("the gathering has ended")]
    Ended,
    #[error("joining is locked")]
    Locked,
    #[error("the room is not available")]
    Unavailable,
}

impl EntryError {
    /// What a participant's action is answered with when they cannot be
    /// let in to take it.
    pub fn refusal(self) -> ErrorCode {
        match self {
            EntryError::Ended => ErrorCode::Ended,
            EntryError::Locked => ErrorCode::NotAllowed,
            EntryError::Unavailable => ErrorCode::Internal,
        }
    }
}

/// What the room remembers of one card. Only the room and its author's
/// own view ever see `author`, so nothing outside the room may reach it.
#[derive(Clone, Debug)]
pub struct CardMeta {
    pub(in crate::room) step: StepId,
    pub(in crate::room) author: String,
    pub(in crate::room) text: String,
    pub(in crate::room) place: Place,
    pub(in crate::room) sensitive: bool,
    pub(in crate::room) revealed_seq: Option<u64>,
}

impl CardMeta {
    /// The card as the room sees it once revealed.
    pub fn public(&self, id: &CardId) -> Card {
        Card {
            id: id.clone(),
            step: self.step,
            text: self.text.clone(),
            place: self.place.clone(),
            hidden: false,
            blurred: self.sensitive,
        }
    }
}

/// Everything the rules decide on: the public view, who has joined, each
/// card with its author, everyone's marks, and the bookkeeping of which
/// logged events carry which card's words. Owned by the room's task.
#[derive(Debug)]
pub struct State {
    /// The last event in the log.
    pub seq: u64,
    pub view: GatheringView,
    pub joined: HashSet<String>,
    pub cards: HashMap<CardId, CardMeta>,
    /// Card ids in the order they arrived (for a participant's own list).
    pub arrival: Vec<CardId>,
    /// Cards not yet revealed, in arrival order.
    pub waiting: Vec<CardId>,
    /// Each reveal's cards in their shuffled order, by event sequence, so a
    /// withdrawn card can be cut out of the event that revealed it.
    pub reveals: HashMap<u64, Vec<CardId>>,
    /// The events that showed a hidden card again (they carry its words),
    /// by card, so a withdrawal can cut the words out of them too.
    pub shown: HashMap<CardId, Vec<u64>>,
    /// Each participant's marks, by author.
    pub marks: HashMap<String, HashMap<Target, u16>>,
    /// The counts behind each step's totals.
    pub counts: HashMap<StepId, Counts>,
    /// Steps whose totals changed since they were last sent, with the
    /// cards whose totals changed.
    pub totals_due: HashMap<StepId, BTreeSet<CardId>>,
    /// Every action already applied, by `applied_key`, so that telling a
    /// retry from a new action never waits on the database.
    pub applied: HashSet<String>,
    /// The outcomes decided since the last commit, by `applied_key`: a
    /// retry within the round cannot read them from storage yet. The task
    /// clears them once the round is committed.
    pub pending: HashMap<String, Outcome>,
    /// The position of the last checkpoint stored (see `checkpoint.rs`).
    pub checkpointed: u64,
    /// Each statements step's votes (see `statements`).
    pub votes: HashMap<StepId, statements::Votes>,
    /// A small groups step's groups, private to the room (`groups.rs`).
    pub groups: Option<groups::GroupsState>,
    /// The groups changed since the last commit: the checkpoint, which
    /// keeps them, is written with it.
    pub groups_dirty: bool,
    /// Groups whose boards changed since the last commit: their phones are
    /// told (by number only) to fetch their own part again.
    pub groups_notify: BTreeSet<u32>,
}

impl State {
    /// A gathering at `seq` of its log with this view, and nobody and
    /// nothing in it yet (loading fills in the rest).
    pub fn at(seq: u64, view: GatheringView) -> Self {
        Self {
            seq,
            view,
            joined: HashSet::new(),
            cards: HashMap::new(),
            arrival: Vec::new(),
            waiting: Vec::new(),
            reveals: HashMap::new(),
            shown: HashMap::new(),
            marks: HashMap::new(),
            counts: HashMap::new(),
            totals_due: HashMap::new(),
            applied: HashSet::new(),
            pending: HashMap::new(),
            checkpointed: seq,
            votes: HashMap::new(),
            groups: None,
            groups_dirty: false,
            groups_notify: BTreeSet::new(),
        }
    }
}

/// What the rules take from the world: the clock and the dice. Passed in,
/// so the same state and action always decide the same way under test.
pub struct Inputs<'a> {
    /// The server's clock, in ms since the Unix epoch (`room::now_ms`).
    pub now_ms: u64,
    /// Shuffles reveals and makes card, template and stand-in ids; the
    /// task passes the thread's CSPRNG (as `secrets` uses).
    pub rng: &'a mut dyn rand::RngCore,
}

/// What one action changes, for the task to commit, then show, then
/// answer with.
#[derive(Debug)]
pub struct Decision {
    pub outcome: Outcome,
    /// The events to log and publish, each with its sequence number, in
    /// order. They are already applied to the state's view.
    pub events: Vec<(u64, Event)>,
    /// The writes, in the order they must be applied in one transaction
    /// (the events' own `AppendEvent`s among them).
    pub ops: Vec<Op>,
    /// Frames up to this sequence carry words that must not travel again:
    /// the catch-up ring drops them (see `ring.rs`).
    pub cut: Option<u64>,
    /// The last checkpoint holds words taken away now: a fresh one must go
    /// with this commit.
    pub checkpoint: bool,
}

impl Decision {
    /// A decision with this outcome that changes nothing yet.
    fn to(outcome: Outcome) -> Self {
        Self {
            outcome,
            events: Vec::new(),
            ops: Vec::new(),
            cut: None,
            checkpoint: false,
        }
    }

    /// Drops the ring's frames up to `seq`, with any cut made already.
    fn cut_at(&mut self, seq: u64) {
        self.cut = Some(self.cut.map_or(seq, |at| at.max(seq)));
    }
}

/// What `decide` found.
#[derive(Debug)]
pub enum Verdict {
    /// Commit this, then show and answer. A retry of an action decided in
    /// the same round gets its outcome again, with nothing to write.
    Decided(Decision),
    /// A retry of an action applied in an earlier round: its outcome is in
    /// storage, to be read back and completed by `restored`.
    Stored,
}

/// Why an action did not apply.
#[derive(Debug, thiserror::Error)]
pub enum Refusal {
    #[error("refused: {0}")]
    Code(ErrorCode),
    #[error("an event or outcome could not be written down: {0}")]
    Unwritable(#[from] serde_json::Error),
}

impl From<ErrorCode> for Refusal {
    fn from(code: ErrorCode) -> Self {
        Refusal::Code(code)
    }
}

/// Who made an action, and its id: what its outcome is remembered under.
#[derive(Clone, Copy)]
struct By<'a> {
    /// `Actor::key`: for a participant, their author hash.
    actor: &'a str,
    id: &'a ActionId,
}

/// One action being decided: the state it changes, the clock and dice it
/// may use, and who made it.
struct Turn<'a> {
    state: &'a mut State,
    now_ms: u64,
    rng: &'a mut dyn rand::RngCore,
    by: By<'a>,
}

/// The key of an applied action in `State::applied`.
pub fn applied_key(actor: &str, action: &str) -> String {
    format!("{actor}/{action}")
}

/// Lets a participant in, if they are in already or joining is open; the
/// op to store them, if they are new.
pub fn join(state: &mut State, author: &str) -> Result<Option<Op>, EntryError> {
    if state.joined.contains(author) {
        return Ok(None);
    }
    if state.view.ended {
        return Err(EntryError::Ended);
    }
    if state.view.joining == Joining::Locked {
        return Err(EntryError::Locked);
    }
    state.joined.insert(author.to_owned());
    groups::seat_late(state, author);
    Ok(Some(Op::AddParticipant {
        author: author.to_owned(),
    }))
}

/// Checks one action against the room and decides what it changes.
pub fn decide(
    state: &mut State,
    inputs: &mut Inputs<'_>,
    actor: &Actor,
    id: &ActionId,
    action: Action,
) -> Result<Verdict, Refusal> {
    if !action.allowed_for(actor.role()) {
        return Err(ErrorCode::NotAllowed.into());
    }
    if let Actor::Participant(author) = actor {
        if !state.joined.contains(author) {
            return Err(ErrorCode::NotAllowed.into());
        }
    }
    let key = applied_key(actor.key(), id.as_str());
    if let Some(outcome) = state.pending.get(&key) {
        return Ok(Verdict::Decided(Decision::to(outcome.clone())));
    }
    if state.applied.contains(&key) {
        return Ok(Verdict::Stored);
    }
    if state.view.ended {
        return Err(ErrorCode::Ended.into());
    }
    let mut turn = Turn {
        state: &mut *state,
        now_ms: inputs.now_ms,
        rng: &mut *inputs.rng,
        by: By {
            actor: actor.key(),
            id,
        },
    };
    let decision = apply(&mut turn, action)?;
    state.pending.insert(key.clone(), decision.outcome.clone());
    state.applied.insert(key);
    Ok(Verdict::Decided(decision))
}

/// Sends an allowed action to the rules of its family.
fn apply(t: &mut Turn<'_>, action: Action) -> Result<Decision, Refusal> {
    match action {
        Action::AddReflection {
            step,
            text,
            place,
            sensitive,
        } => {
            let card = cards::Reflection {
                step,
                text: text.into(),
                place,
                sensitive,
            };
            cards::add(t, card)
        }
        Action::Withdraw { card } => erase::withdraw(t, card),
        Action::Mark { mark } => marks::mark(t, mark),
        Action::Reveal => cards::reveal(t),
        Action::Moderate { card, change } => cards::moderate(t, card, change),
        Action::SetLive { step, live } => cards::set_live(t, step, live),
        Action::End => erase::end(t),
        Action::Arrange { step, change } => map::arrange(t, step, change),
        Action::NewTheme { step, name, cards } => map::new_theme(t, step, name, cards),
        Action::GoTo { step } => agenda::go_to(t, step),
        Action::SaveTemplate { name } => agenda::save_template(t, name),
        Action::Statements { step, change } => statements::change(t, step, change),
        Action::GroupWrite { step, text } => groups::write(t, step, text),
        Action::GroupNote { step, tag, text } => groups::note(t, step, tag, text),
        Action::GroupShare { card } => groups::share(t, card),
        Action::GroupPropose { card } => groups::propose(t, card),
        Action::GroupAgree { card } => groups::agree(t, card),
        Action::GroupsDeal { forget_boards } => groups::deal(t, forget_boards),
        Action::GroupsMove { from, place, to } => groups::move_one(t, from, place, to),
        Action::GroupsRound { round } => groups::round(t, round),
        Action::GroupsBack => groups::back(t),
        action => agenda::set(t, action),
    }
}

/// An outcome read back for a retry, with a reflection's words filled in
/// from the card again (if it has not been withdrawn since).
pub fn restored(state: &State, outcome: Outcome) -> Outcome {
    match outcome {
        Outcome::Added { mut card } => {
            if let Some(meta) = state.cards.get(&card.id) {
                card.text = meta.text.clone();
                card.place = meta.place.clone();
            }
            Outcome::Added { card }
        }
        other => other,
    }
}

/// Recomputes the live figures from who has joined and the current step's
/// cards (its waiting ones are the ones Reveal would show, and its writers
/// are the ones the screen counts), said only as precisely as the room's
/// size allows (`Tally::publish`). Returns whether they changed.
pub fn refresh_tally(state: &mut State) -> bool {
    let step = state.view.current;
    let waiting = waiting_on_steps(state).get(&step).copied().unwrap_or(0);
    let writers = state
        .cards
        .values()
        .filter(|m| m.step == step)
        .map(|m| m.author.as_str())
        .collect::<HashSet<_>>()
        .len();
    let tally = Tally::publish(state.joined.len() as u32, writers as u32, waiting);
    let changed = tally != state.view.tally;
    state.view.tally = tally;
    changed
}

/// How many cards wait to be revealed on each step that has some, said
/// as the live figures say it (no count in a small room): for the
/// facilitator's exports, which must not leave them out without a word.
pub fn waiting_by_step(state: &State) -> BTreeMap<StepId, Waiting> {
    let people = state.joined.len() as u32;
    waiting_on_steps(state)
        .into_iter()
        .map(|(step, n)| (step, Waiting::publish(people, n)))
        .collect()
}

/// How many cards wait to be revealed on each step that has some.
fn waiting_on_steps(state: &State) -> BTreeMap<StepId, u32> {
    let mut counts = BTreeMap::new();
    for meta in state.waiting.iter().filter_map(|c| state.cards.get(c)) {
        *counts.entry(meta.step).or_default() += 1;
    }
    counts
}

/// The totals that changed since they were last sent, one update a step,
/// taken into the view. Each is what the room may see (`Counts::publish`):
/// a distribution only once enough people stand behind it.
pub fn due_totals(state: &mut State) -> Vec<(StepId, Totals)> {
    let mut updates = Vec::new();
    for (step, cards) in std::mem::take(&mut state.totals_due) {
        let (Some(counts), Some(s)) = (state.counts.get(&step), state.view.step(step)) else {
            continue;
        };
        let update = counts.publish_cards(&s.exercise, cards.iter());
        state
            .view
            .totals
            .entry(step)
            .or_default()
            .merge(update.clone());
        updates.push((step, update));
    }
    updates
}

/// Logs an event: numbered, written, applied to the view at once (later
/// actions in the round decide on it), and cutting the ring where it calls
/// for it (`ring::cut_for`).
fn emit(state: &mut State, d: &mut Decision, event: Event) -> Result<(), Refusal> {
    let seq = state.seq + 1;
    d.ops.push(Op::AppendEvent {
        seq,
        body: serde_json::to_string(&event)?,
    });
    state.seq = seq;
    state.view.apply(&event);
    statements::follow(state, &event);
    if let Some(at) = ring::cut_for(seq, &event) {
        d.cut_at(at);
    }
    d.events.push((seq, event));
    Ok(())
}

/// Writes down the decision's outcome, so a retry gets it again. A
/// reflection's words are not kept with it: they live only in the card, so
/// withdrawing the card removes them everywhere.
fn remember(d: &mut Decision, by: By<'_>) -> Result<(), Refusal> {
    let stored = match &d.outcome {
        Outcome::Added { card } => Outcome::Added {
            card: OwnCard {
                text: String::new(),
                place: card.place.without_words(),
                ..card.clone()
            },
        },
        other => other.clone(),
    };
    d.ops.push(Op::RecordApplied {
        actor: by.actor.to_owned(),
        action: by.id.as_str().to_owned(),
        outcome: serde_json::to_string(&stored)?,
    });
    Ok(())
}

/// Remembers an outcome and logs its events, with nothing else to write.
fn record(t: &mut Turn<'_>, outcome: Outcome, events: Vec<Event>) -> Result<Decision, Refusal> {
    let mut d = Decision::to(outcome);
    remember(&mut d, t.by)?;
    for event in events {
        emit(t.state, &mut d, event)?;
    }
    Ok(d)
}

/// A step of this gathering, or the reason there is none.
fn known(state: &State, step: StepId) -> Result<&StepView, ErrorCode> {
    state.view.step(step).ok_or(ErrorCode::UnknownStep)
}

/// The current step, if `step` is it and people may add to it now.
fn open_step(state: &State, step: StepId) -> Result<&StepView, ErrorCode> {
    let s = known(state, step)?;
    if s.id != state.view.current {
        Err(ErrorCode::StepNotOpen)
    } else if !s.collecting {
        Err(ErrorCode::NotCollecting)
    } else {
        Ok(s)
    }
}

#[cfg(test)]
mod tests {
    use super::testkit::{words, Gathering};
    use super::*;
    use hearth_core::anonymity::SMALL_ROOM;
    use hearth_core::exercise::ExerciseKind;
    use hearth_core::reflection::{ReflectionError, ReflectionText};

    #[test]
    fn each_role_may_do_only_its_own_actions() {
        let mut g = Gathering::of(ExerciseKind::Board, 3);
        let step = g.step();
        let write = Action::AddReflection {
            step,
            text: words("the sea"),
            place: Place::Board,
            sensitive: false,
        };
        assert_eq!(
            g.act(&Gathering::person(0), Action::Reveal).err(),
            Some(ErrorCode::NotAllowed)
        );
        assert_eq!(g.run(write.clone()).err(), Some(ErrorCode::NotAllowed));
        assert_eq!(
            g.act(&Actor::Screen, write.clone()).err(),
            Some(ErrorCode::NotAllowed)
        );
        assert_eq!(
            g.act(&Actor::Screen, Action::Reveal).err(),
            Some(ErrorCode::NotAllowed)
        );
        // A device that never joined may not write either.
        let stranger = Actor::Participant("stranger".into());
        assert_eq!(g.act(&stranger, write).err(), Some(ErrorCode::NotAllowed));
    }

    #[test]
    fn a_retry_in_the_same_round_gets_the_same_outcome_and_writes_nothing() {
        let mut g = Gathering::of(ExerciseKind::Board, 3);
        let (me, id) = (Gathering::person(0), g.fresh_id());
        let write = Action::AddReflection {
            step: g.step(),
            text: words("the sea"),
            place: Place::Board,
            sensitive: false,
        };
        let Ok(Verdict::Decided(first)) = g.decide(&me, &id, write.clone()) else {
            panic!("the first attempt is decided");
        };
        let Ok(Verdict::Decided(again)) = g.decide(&me, &id, write.clone()) else {
            panic!("the retry is answered");
        };
        assert_eq!(again.outcome, first.outcome);
        assert!(again.ops.is_empty() && again.events.is_empty());
        assert_eq!(g.state.cards.len(), 1, "a retry never doubles a card");
        // Once the round is committed, the outcome is read from storage.
        g.commit();
        assert!(matches!(g.decide(&me, &id, write), Ok(Verdict::Stored)));
        // The same id from someone else is their own action.
        let other = Action::AddReflection {
            step: g.step(),
            text: words("the hills"),
            place: Place::Board,
            sensitive: false,
        };
        let theirs = g.decide(&Gathering::person(1), &id, other);
        assert!(matches!(theirs, Ok(Verdict::Decided(_))));
        assert_eq!(g.state.cards.len(), 2);
    }

    #[test]
    fn a_stored_outcome_keeps_no_words_and_a_retry_gets_them_back_from_the_card() {
        let mut g = Gathering::of(ExerciseKind::Board, 3);
        let d = g.write_at(0, Place::Board, "the sea").expect("written");
        let stored = d.ops.iter().find_map(|op| match op {
            Op::RecordApplied { outcome, .. } => Some(outcome.clone()),
            _ => None,
        });
        let stored = stored.expect("the outcome is recorded");
        assert!(!stored.contains("the sea"), "{stored}");
        let stored: Outcome = serde_json::from_str(&stored).expect("an outcome");
        assert_eq!(restored(&g.state, stored.clone()), d.outcome);
        // After a withdrawal, a late retry gets no words back.
        let Outcome::Added { card } = &d.outcome else {
            panic!("added");
        };
        g.act(
            &Gathering::person(0),
            Action::Withdraw {
                card: card.id.clone(),
            },
        )
        .expect("withdrawn");
        let Outcome::Added { card } = restored(&g.state, stored) else {
            panic!("added");
        };
        assert_eq!(card.text, "");
    }

    #[test]
    fn words_over_the_limit_never_reach_the_rules() {
        // The type the rules take cannot hold them: reading the action refuses.
        let long = "a".repeat(hearth_core::reflection::REFLECTION_MAX_CHARS + 1);
        assert_eq!(
            ReflectionText::parse(&long).err(),
            Some(ReflectionError::TooLong)
        );
        assert_eq!(
            ErrorCode::from(ReflectionError::TooLong),
            ErrorCode::TooLong
        );
        assert!(ReflectionText::parse(&long[1..]).is_ok());
    }

    #[test]
    fn nothing_changes_after_the_end() {
        let mut g = Gathering::of(ExerciseKind::Board, 3);
        g.run(Action::End).expect("ended");
        assert_eq!(g.run(Action::Reveal).err(), Some(ErrorCode::Ended));
        assert_eq!(
            g.run(Action::SetJoiningLocked { locked: true }).err(),
            Some(ErrorCode::Ended)
        );
        assert_eq!(
            join(&mut g.state, "newcomer").err(),
            Some(EntryError::Ended)
        );
    }

    #[test]
    fn joining_is_refused_while_locked_but_not_to_those_already_in() {
        let mut g = Gathering::of(ExerciseKind::Board, 2);
        g.run(Action::SetJoiningLocked { locked: true })
            .expect("locked");
        assert_eq!(
            join(&mut g.state, "newcomer").err(),
            Some(EntryError::Locked)
        );
        assert!(matches!(
            join(&mut g.state, Gathering::person(0).key()),
            Ok(None)
        ));
        g.run(Action::SetJoiningLocked { locked: false })
            .expect("open");
        assert!(matches!(
            join(&mut g.state, "newcomer"),
            Ok(Some(Op::AddParticipant { .. }))
        ));
    }

    #[test]
    fn a_small_room_shows_no_live_counts() {
        let small = SMALL_ROOM as usize - 1;
        let mut g = Gathering::of(ExerciseKind::Board, small);
        g.write(0, "the sea");
        assert!(refresh_tally(&mut g.state));
        assert_eq!(
            g.state.view.tally,
            Tally {
                people: None,
                writers: None,
                waiting: hearth_core::gathering::Waiting::Some
            }
        );
        assert!(
            !refresh_tally(&mut g.state),
            "unchanged figures are not sent again"
        );
        join(&mut g.state, "the fifth").expect("joined");
        g.write(1, "the hills");
        assert!(refresh_tally(&mut g.state));
        assert_eq!(
            g.state.view.tally,
            Tally {
                people: Some(SMALL_ROOM),
                writers: None,
                waiting: hearth_core::gathering::Waiting::Count(2)
            }
        );
    }

    #[test]
    fn writers_are_counted_once_each_and_only_from_a_full_room() {
        let mut g = Gathering::of(ExerciseKind::Board, 2 * SMALL_ROOM as usize);
        for who in 0..SMALL_ROOM as usize - 1 {
            g.write(who, "one");
            g.write(who, "and another");
        }
        refresh_tally(&mut g.state);
        assert_eq!(g.state.view.tally.writers, None, "a count would point");
        g.write(SMALL_ROOM as usize - 1, "the fifth writer");
        refresh_tally(&mut g.state);
        assert_eq!(g.state.view.tally.writers, Some(SMALL_ROOM));
    }

    #[test]
    fn the_waiting_count_is_of_the_current_step_only() {
        let kinds = [ExerciseKind::Board, ExerciseKind::Board];
        let mut g = Gathering::with_steps(&kinds, SMALL_ROOM as usize);
        g.write(0, "the sea");
        g.run(Action::GoTo { step: StepId(2) }).expect("moved on");
        refresh_tally(&mut g.state);
        assert_eq!(
            g.state.view.tally.waiting,
            hearth_core::gathering::Waiting::None
        );
    }

    #[test]
    fn every_steps_waiting_cards_are_counted_for_the_exports() {
        let kinds = [ExerciseKind::Board, ExerciseKind::Board];
        let mut g = Gathering::with_steps(&kinds, SMALL_ROOM as usize);
        g.write(0, "the sea");
        g.write(1, "the hills");
        g.run(Action::GoTo { step: StepId(2) }).expect("moved on");
        g.write(2, "the town");
        assert_eq!(
            waiting_by_step(&g.state),
            BTreeMap::from([
                (StepId(1), Waiting::Count(2)),
                (StepId(2), Waiting::Count(1))
            ])
        );
        let mut small = Gathering::of(ExerciseKind::Board, SMALL_ROOM as usize - 1);
        small.write(0, "alone");
        assert_eq!(
            waiting_by_step(&small.state),
            BTreeMap::from([(StepId(1), Waiting::Some)]),
            "a small room is told that some wait, not how many"
        );
    }

    #[test]
    fn the_same_state_and_dice_decide_the_same_way() {
        let run = || {
            let mut g = Gathering::of(ExerciseKind::Board, 4);
            let cards: Vec<CardId> = (0..4).map(|i| g.write(i, "words")).collect();
            (cards, testkit::revealed(&g.reveal()))
        };
        assert_eq!(run(), run());
    }
}
