//! The statements step: the room's votes as a matrix, kept in step with
//! the cards and the answers, and the facilitator's changes (seeding, the
//! pre-screen queue, merging duplicates, the statement on screen, group
//! names).
//!
//! A statement is a card of the step, so writing, revealing, hiding and
//! withdrawing one are the cards' rules; `follow` keeps the matrix in step
//! with every event the room logs (a statement enters when revealed, is
//! left out while hidden, and its votes go when withdrawn). An answer is
//! a mark (`Mark::Answer`, decided in `marks`), which `answered` puts into
//! the matrix in O(1). The landscape itself is computed off the room's
//! task from a copy of the matrix (`room/landscapes.rs`): the rules only
//! say which steps have new votes (`Votes::dirty`).
//!
//! Anonymity: the matrix and the analysis never leave the room. A phone
//! is told privately its next statement and where it stands (`ballot`);
//! the end of the gathering drops every answer, keeping only the last
//! landscape (totals and group sizes, as the room was shown them) in the
//! log for the harvest and the exports.

use super::{emit, known, remember, Actor, Decision, Refusal, State, Turn};
use crate::storage::Op;
use hearth_core::error::ErrorCode;
use hearth_core::exercise::check_statement;
use hearth_core::exercise::Exercise;
use hearth_core::gathering::{Card, Event, GatheringView};
use hearth_core::ids::{CardId, StepId};
use hearth_core::landscape::{Analysis, StatementIx, VoteMatrix, VoterIx, YourPlace};
use hearth_core::marks::{answer_of, Target};
use hearth_core::protocol::Outcome;
use hearth_core::statements::{Ballot, BoardChange, StatementsChange};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// One statements step's votes, private to the room.
#[derive(Clone, Debug, Default)]
pub struct Votes {
    pub matrix: VoteMatrix,
    /// Each participant's row, by author hash.
    pub voters: HashMap<String, VoterIx>,
    /// The votes changed since the landscape was last computed.
    pub dirty: bool,
    /// The last analysis, for phones' places and the next one's labels.
    pub analysis: Option<Arc<Analysis>>,
    /// The statement each phone was last shown, by author hash. It stays
    /// on the phone until answered (or hidden, withdrawn, merged away): a
    /// page made again, because a new statement arrived or the phone came
    /// back, never swaps it under a thumb about to press Agree.
    pub offered: HashMap<String, StatementIx>,
}

/// Whether a step is a statements step.
pub fn is_statements(view: &GatheringView, step: StepId) -> bool {
    view.step(step)
        .is_some_and(|s| matches!(s.exercise, Exercise::Statements { .. }))
}

/// Keeps the matrices in step with an event the room has just applied.
pub fn follow(state: &mut State, event: &Event) {
    match event {
        Event::CardsRevealed { cards } => {
            for card in cards {
                enter(state, card);
            }
        }
        Event::CardHidden { card } => set_hidden(state, card, true),
        Event::CardShown { card } => set_hidden(state, &card.id, false),
        Event::CardWithdrawn { card } => {
            for votes in state.votes.values_mut() {
                if let Some(s) = votes.matrix.statement(card) {
                    let _ = votes.matrix.withdraw(s);
                    votes.dirty = true;
                }
            }
        }
        Event::StepRemoved { step } => {
            state.votes.remove(step);
        }
        // Every answer is dropped at the end (see `end`).
        Event::Ended => state.votes.clear(),
        _ => {}
    }
}

/// A revealed card of a statements step enters its matrix.
fn enter(state: &mut State, card: &Card) {
    if !is_statements(&state.view, card.step) {
        return;
    }
    let votes = state.votes.entry(card.step).or_default();
    if let Ok(s) = votes.matrix.add_statement(card.id.clone()) {
        if card.hidden {
            let _ = votes.matrix.hide(s, true);
        }
        votes.dirty = true;
    }
}

fn set_hidden(state: &mut State, card: &CardId, hidden: bool) {
    for votes in state.votes.values_mut() {
        if let Some(s) = votes.matrix.statement(card) {
            if votes.matrix.hide(s, hidden).is_ok() {
                votes.dirty = true;
            }
        }
    }
}

/// The statement an answer is for, if the room may vote on it now: a
/// revealed, visible statement of the current step, open for collecting,
/// still in the pool (not merged away). Returns its step.
pub fn answerable(state: &State, card: &CardId) -> Result<StepId, ErrorCode> {
    let c = state
        .view
        .card(card)
        .filter(|c| !c.hidden)
        .ok_or(ErrorCode::NotVotable)?;
    let s = known(state, c.step)?;
    if !matches!(s.exercise, Exercise::Statements { .. }) {
        return Err(ErrorCode::WrongPlace);
    }
    if s.id != state.view.current {
        return Err(ErrorCode::StepNotOpen);
    }
    if !s.collecting {
        return Err(ErrorCode::NotCollecting);
    }
    let live = state
        .votes
        .get(&s.id)
        .and_then(|v| v.matrix.statement(card).map(|ix| v.matrix.is_live(ix)))
        .unwrap_or(false);
    if !live {
        return Err(ErrorCode::NotVotable);
    }
    Ok(s.id)
}

/// Puts one decided answer (a stored value, or `None` taken back) into
/// the step's matrix.
pub fn answered(state: &mut State, step: StepId, author: &str, card: &CardId, value: Option<u16>) {
    let votes = state.votes.entry(step).or_default();
    let Some(s) = votes.matrix.statement(card) else {
        return;
    };
    let Some(voter) = voter(votes, author) else {
        return;
    };
    if votes
        .matrix
        .set_vote(voter, s, value.and_then(answer_of))
        .is_ok()
    {
        votes.dirty = true;
    }
}

/// The author's row, made on their first answer.
fn voter(votes: &mut Votes, author: &str) -> Option<VoterIx> {
    if let Some(v) = votes.voters.get(author) {
        return Some(*v);
    }
    let v = votes.matrix.add_voter().ok()?;
    votes.voters.insert(author.to_owned(), v);
    Some(v)
}

/// Rebuilds every statements step's matrix after loading: the step's
/// visible and hidden statements in the order they were revealed, then
/// the stored answers.
pub fn rebuild(state: &mut State) {
    state.votes.clear();
    let cards: Vec<Card> = state.view.cards.clone();
    for card in &cards {
        enter(state, card);
    }
    let answers: Vec<(String, CardId, u16)> = state
        .marks
        .iter()
        .flat_map(|(author, marks)| {
            marks.iter().filter_map(move |(t, v)| match t {
                Target::Answer(card) => Some((author.clone(), card.clone(), *v)),
                _ => None,
            })
        })
        .collect();
    for (author, card, value) in answers {
        if let Some(step) = state.view.card(&card).map(|c| c.step) {
            answered(state, step, &author, &card, Some(value));
        }
    }
}

/// A value that picks among equally-voted statements: different between
/// phones, so they do not all see the same one, and between one phone's
/// answers.
fn salt(author: &str, answered: u32) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in author.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    h ^ u64::from(answered).wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

/// What one phone is told in the current step, if it is a statements
/// step: the statement to show (the one it was shown last, while it is
/// still open to this phone; else, among those it has not answered, one
/// with the fewest votes, so every statement gathers enough; not simply
/// the newest) and where it stands. Remembers the statement shown.
pub fn ballot(state: &mut State, author: &str) -> Option<Ballot> {
    let step = state.view.current;
    if !is_statements(&state.view, step) {
        return None;
    }
    let votes = state.votes.entry(step).or_default();
    let m = &votes.matrix;
    let voter = votes.voters.get(author).copied();
    let answered = voter.map_or(0, |v| m.votes_of(v));
    let open = |s: StatementIx| m.is_live(s) && voter.is_none_or(|v| m.vote(v, s).is_none());
    let next = match votes.offered.get(author).copied().filter(|s| open(*s)) {
        Some(still) => Some(still),
        None => {
            let salt = salt(author, answered);
            match voter {
                Some(v) => m.next_for(v, salt),
                None => fewest_votes(m, salt),
            }
        }
    };
    let live = m.statement_ixs().filter(|s| m.is_live(*s)).count() as u32;
    let needed = hearth_core::landscape::MIN_VOTES_TO_PLACE.min(live).max(1);
    let place = match (&votes.analysis, voter) {
        (Some(a), Some(v)) => a.place_of(m, v),
        _ => YourPlace::NotYet {
            votes_to_go: needed.saturating_sub(answered),
        },
    };
    let shown = next.and_then(|s| m.card(s)).cloned();
    // Remembered only when it changes: a page made again allocates nothing.
    match next {
        Some(s) if votes.offered.get(author) != Some(&s) => {
            votes.offered.insert(author.to_owned(), s);
        }
        Some(_) => {}
        None => {
            votes.offered.remove(author);
        }
    }
    Some(Ballot {
        next: shown,
        answered,
        place,
    })
}

/// The current statements step's statements waiting to be let in, oldest
/// first, with their words: the facilitator's pre-screen queue.
pub fn queue(state: &State) -> Vec<(CardId, String)> {
    let step = state.view.current;
    if !is_statements(&state.view, step) {
        return Vec::new();
    }
    state
        .waiting
        .iter()
        .filter_map(|c| {
            let m = state.cards.get(c).filter(|m| m.step == step)?;
            Some((c.clone(), m.text.clone()))
        })
        .collect()
}

/// For a phone with no answers yet: a live statement with the fewest votes.
fn fewest_votes(m: &VoteMatrix, salt: u64) -> Option<StatementIx> {
    let live: Vec<(u32, StatementIx)> = m
        .statement_ixs()
        .filter(|s| m.is_live(*s))
        .map(|s| (m.votes_on(s), s))
        .collect();
    let fewest = live.iter().map(|(n, _)| *n).min()?;
    let equals: Vec<StatementIx> = live
        .into_iter()
        .filter(|(n, _)| *n == fewest)
        .map(|(_, s)| s)
        .collect();
    equals.get((salt % equals.len() as u64) as usize).copied()
}

/// The facilitator's changes to a statements step.
pub(super) fn change(
    t: &mut Turn<'_>,
    step: StepId,
    change: StatementsChange,
) -> Result<Decision, Refusal> {
    if !is_statements(&t.state.view, step) {
        known(t.state, step)?;
        return Err(ErrorCode::WrongPlace.into());
    }
    match change {
        StatementsChange::Seed { text } => seed(t, step, text.into()),
        StatementsChange::Approve { card } => screened(t, step, card, true),
        StatementsChange::Decline { card } => screened(t, step, card, false),
        StatementsChange::Merge { duplicate, into } => merge(t, step, duplicate, into),
        StatementsChange::OnScreen { card } => {
            if let Some(c) = &card {
                visible_statement(t.state, step, c)?;
            }
            set_board(t, step, BoardChange::OnScreen { card })
        }
        StatementsChange::Name { group, name } => {
            set_board(t, step, BoardChange::Named { group, name })
        }
    }
}

fn set_board(t: &mut Turn<'_>, step: StepId, change: BoardChange) -> Result<Decision, Refusal> {
    super::record(
        t,
        Outcome::Done,
        vec![Event::StatementsSet { step, change }],
    )
}

/// A statement the room can see in this step.
fn visible_statement(state: &State, step: StepId, card: &CardId) -> Result<(), ErrorCode> {
    match state.view.card(card) {
        Some(c) if c.step == step && !c.hidden => Ok(()),
        _ => Err(ErrorCode::UnknownCard),
    }
}

/// The facilitator's own statement, put to the room at once (their words
/// need no shuffle: nobody in the room wrote them).
fn seed(t: &mut Turn<'_>, step: StepId, text: String) -> Result<Decision, Refusal> {
    check_statement(&text)?;
    let mut d = Decision::to(Outcome::Done);
    remember(&mut d, t.by)?;
    let id = write_seed(t, &mut d, step, text)?;
    super::cards::reveal_these(t, &mut d, vec![id])?;
    Ok(d)
}

/// Puts the current step's seeds (its settings' statements) to the room,
/// each one not in its pool yet: when the room enters the step, and when
/// the step is edited while it is current. A seed is in once a statement
/// of the step that no participant wrote (the facilitator's, or one
/// brought in with an imported gathering) says the same words, so editing
/// the step again, or seeding the same words live, never doubles one; one
/// hidden or merged away stays out.
pub(super) fn plant_seeds(t: &mut Turn<'_>, d: &mut Decision) -> Result<(), Refusal> {
    let step = t.state.view.current;
    let facilitator = Actor::Facilitator.key();
    let cards = &t.state.cards;
    let new = unplanted(&t.state.view, step, |c| {
        cards.get(c).is_some_and(|m| m.author != facilitator)
    });
    let mut ids = Vec::with_capacity(new.len());
    for text in new {
        ids.push(write_seed(t, d, step, text)?);
    }
    super::cards::reveal_these(t, d, ids)
}

/// A new gathering whose first step is a statements step is on it from
/// the start: its seeds are in its first state, revealed, with no author
/// (as an imported gathering's cards are: nobody can withdraw them; the
/// facilitator can hide them). `random` makes their ids.
pub fn seeds_at_start(genesis: &mut GatheringView, mut random: impl FnMut() -> u64) {
    let step = genesis.current;
    let cards: Vec<Card> = unplanted(genesis, step, |_| false)
        .into_iter()
        .map(|text| Card {
            id: CardId::from_random(random()),
            step,
            text,
            place: hearth_core::exercise::Place::Board,
            hidden: false,
            blurred: false,
        })
        .collect();
    genesis.cards.extend(cards);
}

/// The seeds of a statements step not in its pool yet, each once, in the
/// settings' order. Every seed is revealed as it is written, so the room's
/// view holds them all (hidden ones with their words); a card counts
/// unless `by_participant` says a participant wrote it.
fn unplanted(
    view: &GatheringView,
    step: StepId,
    by_participant: impl Fn(&CardId) -> bool,
) -> Vec<String> {
    let Some(Exercise::Statements { seeds, .. }) = view.step(step).map(|s| &s.exercise) else {
        return Vec::new();
    };
    let mut in_pool: HashSet<&str> = view
        .cards
        .iter()
        .filter(|c| c.step == step && !by_participant(&c.id))
        .map(|c| c.text.as_str())
        .collect();
    seeds
        .iter()
        .map(|s| s.as_str())
        .filter(|s| in_pool.insert(s))
        .map(str::to_owned)
        .collect()
}

/// Writes one of the facilitator's statements as a card of the step, not
/// yet revealed.
fn write_seed(
    t: &mut Turn<'_>,
    d: &mut Decision,
    step: StepId,
    text: String,
) -> Result<CardId, Refusal> {
    let id = CardId::from_random(t.rng.next_u64());
    let meta = super::CardMeta {
        step,
        author: Actor::Facilitator.key().to_owned(),
        text,
        place: hearth_core::exercise::Place::Board,
        sensitive: false,
        revealed_seq: None,
    };
    super::cards::store_new(t, d, id.clone(), meta)?;
    Ok(id)
}

/// Lets one waiting statement in, or keeps it out (revealed hidden, so it
/// can be shown again later like any hidden card and never travels).
fn screened(
    t: &mut Turn<'_>,
    step: StepId,
    card: CardId,
    approve: bool,
) -> Result<Decision, Refusal> {
    let waiting =
        t.state.waiting.contains(&card) && t.state.cards.get(&card).is_some_and(|m| m.step == step);
    if !waiting {
        return Err(ErrorCode::UnknownCard.into());
    }
    let mut d = Decision::to(Outcome::Done);
    remember(&mut d, t.by)?;
    super::cards::reveal_these(t, &mut d, vec![card.clone()])?;
    if !approve {
        emit(t.state, &mut d, Event::CardHidden { card })?;
    }
    Ok(d)
}

/// Merges a duplicate into the statement it repeats: each answer on the
/// duplicate moves to the other for a person who has not answered that
/// one (theirs there stands), and the duplicate is hidden.
fn merge(
    t: &mut Turn<'_>,
    step: StepId,
    duplicate: CardId,
    into: CardId,
) -> Result<Decision, Refusal> {
    if duplicate == into {
        return Err(ErrorCode::UnknownCard.into());
    }
    visible_statement(t.state, step, &duplicate)?;
    visible_statement(t.state, step, &into)?;
    let mut d = Decision::to(Outcome::Done);
    remember(&mut d, t.by)?;
    let (from, to) = (
        Target::Answer(duplicate.clone()),
        Target::Answer(into.clone()),
    );
    for (author, marks) in t.state.marks.iter_mut() {
        let Some(value) = marks.remove(&from) else {
            continue;
        };
        d.ops.push(Op::DeleteMark {
            author: author.clone(),
            target: from.key(),
        });
        if !marks.contains_key(&to) {
            marks.insert(to.clone(), value);
            d.ops.push(Op::SetMark {
                author: author.clone(),
                target: to.key(),
                value,
            });
        }
    }
    if let Some(votes) = t.state.votes.get_mut(&step) {
        if let (Some(a), Some(b)) = (
            votes.matrix.statement(&duplicate),
            votes.matrix.statement(&into),
        ) {
            let _ = votes.matrix.merge(a, b);
            votes.dirty = true;
        }
    }
    // Its author's phone says which statement it was joined with.
    let merged = BoardChange::Merged {
        duplicate: duplicate.clone(),
        into,
    };
    emit(
        t.state,
        &mut d,
        Event::StatementsSet {
            step,
            change: merged,
        },
    )?;
    emit(t.state, &mut d, Event::CardHidden { card: duplicate })?;
    Ok(d)
}

/// At the end: every answer's delete, and each statements step's last
/// landscape written into the log (what the room was shown: totals and
/// group sizes, never a vote), so the harvest and the exports keep it once
/// the answers are gone.
pub(super) fn end(t: &mut Turn<'_>, d: &mut Decision) -> Result<(), Refusal> {
    let answers: Vec<String> = t
        .state
        .marks
        .values()
        .flat_map(|m| m.keys())
        .filter(|t| matches!(t, Target::Answer(_)))
        .map(Target::key)
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    if !answers.is_empty() {
        d.ops.push(Op::DeleteMarksOn { targets: answers });
    }
    for marks in t.state.marks.values_mut() {
        marks.retain(|t, _| !matches!(t, Target::Answer(_)));
    }
    let mut steps: Vec<StepId> = t.state.votes.keys().copied().collect();
    steps.sort();
    for step in steps {
        let Some(votes) = t.state.votes.get(&step) else {
            continue;
        };
        let previous = votes.analysis.as_deref();
        let landscape = Analysis::following(&votes.matrix, previous)
            .landscape()
            .clone();
        let landscape = keep_visible(landscape, &t.state.view);
        emit(
            t.state,
            d,
            Event::StatementsSet {
                step,
                change: BoardChange::Kept { landscape },
            },
        )?;
    }
    Ok(())
}

/// A landscape computed from a copy of the votes, without the statements
/// that were hidden or withdrawn since the copy was made.
pub fn keep_visible(
    mut landscape: hearth_core::landscape::Landscape,
    view: &GatheringView,
) -> hearth_core::landscape::Landscape {
    let visible = |c: &CardId| view.card(c).is_some_and(|c| !c.hidden);
    landscape.splits.retain(|s| visible(&s.statement));
    landscape.common_ground.retain(|c| visible(&c.statement));
    landscape.divides.retain(|d| visible(&d.statement));
    for g in &mut landscape.groups {
        g.sets_apart.retain(|a| visible(&a.statement));
    }
    landscape
}

#[cfg(test)]
mod tests {
    use super::super::testkit::{events, revealed, words, Gathering};
    use super::super::Verdict;
    use super::*;
    use hearth_core::exercise::{ExerciseKind, Place};
    use hearth_core::landscape::{GroupLabel, Shape, Vote};
    use hearth_core::marks::Mark;
    use hearth_core::protocol::{Action, Moderation};
    use hearth_core::statements::STATEMENT_MAX_CHARS;
    use hearth_core::words::Label;

    /// A statements step (let in live) with `people` joined and three
    /// statements from three people, revealed.
    fn room(people: usize) -> (Gathering, Vec<CardId>) {
        let mut g = Gathering::of(ExerciseKind::Statements, people);
        let cards: Vec<CardId> = ["parks first", "more buses", "keep the library"]
            .iter()
            .enumerate()
            .map(|(who, text)| g.write(who, text))
            .collect();
        assert!(
            g.state.waiting.is_empty(),
            "three people's statements are let in"
        );
        (g, cards)
    }

    fn answer(
        g: &mut Gathering,
        who: usize,
        card: &CardId,
        vote: Option<Vote>,
    ) -> Result<Decision, ErrorCode> {
        let mark = Mark::Answer {
            card: card.clone(),
            vote,
        };
        g.act(&Gathering::person(who), Action::Mark { mark })
    }

    fn vote_of(g: &Gathering, who: usize, card: &CardId) -> Option<Vote> {
        let votes = g.state.votes.get(&g.step())?;
        let voter = *votes.voters.get(Gathering::person(who).key())?;
        votes.matrix.vote(voter, votes.matrix.statement(card)?)
    }

    fn facilitator(g: &mut Gathering, change: StatementsChange) -> Result<Decision, ErrorCode> {
        let step = g.step();
        g.run(Action::Statements { step, change })
    }

    #[test]
    fn a_statement_over_140_characters_is_refused_and_nothing_is_kept() {
        let mut g = Gathering::of(ExerciseKind::Statements, 3);
        let long = "a".repeat(STATEMENT_MAX_CHARS + 1);
        assert_eq!(
            g.write_at(0, Place::Board, &long).err(),
            Some(ErrorCode::StatementTooLong)
        );
        assert!(g.state.cards.is_empty() && g.state.waiting.is_empty());
        let seed = StatementsChange::Seed { text: words(&long) };
        assert_eq!(
            facilitator(&mut g, seed).err(),
            Some(ErrorCode::StatementTooLong)
        );
        assert!(g.state.cards.is_empty());
        g.write_at(0, Place::Board, &long[1..]).expect("140 fit");
    }

    #[test]
    fn answers_are_set_changed_and_taken_back_and_a_repeated_vote_id_changes_nothing() {
        let (mut g, cards) = room(5);
        let d = answer(&mut g, 3, &cards[0], Some(Vote::Agree)).expect("agreed");
        assert!(d.events.is_empty(), "an answer is never an event");
        assert!(
            matches!(&d.ops[0], Op::SetMark { value: 1, target, .. } if target.starts_with("a:"))
        );
        assert_eq!(vote_of(&g, 3, &cards[0]), Some(Vote::Agree));
        // The same vote id again: the same outcome, nothing written or changed.
        let (me, id) = (Gathering::person(3), g.fresh_id());
        let change = Action::Mark {
            mark: Mark::Answer {
                card: cards[1].clone(),
                vote: Some(Vote::Disagree),
            },
        };
        let Ok(Verdict::Decided(first)) = g.decide(&me, &id, change.clone()) else {
            panic!("decided");
        };
        let Ok(Verdict::Decided(again)) = g.decide(&me, &id, change.clone()) else {
            panic!("answered again");
        };
        assert_eq!(again.outcome, first.outcome);
        assert!(again.ops.is_empty());
        g.commit();
        assert!(matches!(g.decide(&me, &id, change), Ok(Verdict::Stored)));
        let votes = &g.state.votes[&g.step()];
        assert_eq!(votes.matrix.total_votes(), 2, "counted once");
        // Changing an answer replaces it; taking it back removes it.
        answer(&mut g, 3, &cards[0], Some(Vote::Pass)).expect("changed");
        assert_eq!(vote_of(&g, 3, &cards[0]), Some(Vote::Pass));
        answer(&mut g, 3, &cards[0], None).expect("taken back");
        assert_eq!(vote_of(&g, 3, &cards[0]), None);
        assert_eq!(g.state.votes[&g.step()].matrix.total_votes(), 1);
    }

    #[test]
    fn a_statement_not_shown_hidden_or_withdrawn_takes_no_answer() {
        let (mut g, cards) = room(5);
        // Waiting: one person's statement is held back in a live step.
        let waiting = g.write(4, "fix the pavements");
        assert_eq!(
            answer(&mut g, 3, &waiting, Some(Vote::Agree)).err(),
            Some(ErrorCode::NotVotable)
        );
        g.moderate(&cards[0], Moderation::Hide).expect("hidden");
        assert_eq!(
            answer(&mut g, 3, &cards[0], Some(Vote::Agree)).err(),
            Some(ErrorCode::NotVotable)
        );
        g.act(
            &Gathering::person(1),
            Action::Withdraw {
                card: cards[1].clone(),
            },
        )
        .expect("withdrawn");
        assert_eq!(
            answer(&mut g, 3, &cards[1], Some(Vote::Agree)).err(),
            Some(ErrorCode::NotVotable)
        );
        assert_eq!(g.state.votes[&g.step()].matrix.total_votes(), 0);
        assert!(g.state.marks.values().all(|m| m.is_empty()), "nothing kept");
        // Shown again, it takes answers again.
        g.moderate(&cards[0], Moderation::Unhide).expect("shown");
        answer(&mut g, 3, &cards[0], Some(Vote::Agree)).expect("agreed");
        // Not in a statements step: not here.
        let mut board = Gathering::of(ExerciseKind::Board, 3);
        let card = board.shown(0, "the sea");
        assert_eq!(
            answer(&mut board, 1, &card, Some(Vote::Agree)).err(),
            Some(ErrorCode::WrongPlace)
        );
    }

    #[test]
    fn withdrawing_a_statement_takes_its_answers_everywhere() {
        let (mut g, cards) = room(5);
        for who in 0..5 {
            answer(&mut g, who, &cards[0], Some(Vote::Agree)).expect("agreed");
        }
        let step = g.step();
        g.run(Action::Statements {
            step,
            change: StatementsChange::OnScreen {
                card: Some(cards[0].clone()),
            },
        })
        .expect("on screen");
        let d = g
            .act(
                &Gathering::person(0),
                Action::Withdraw {
                    card: cards[0].clone(),
                },
            )
            .expect("withdrawn");
        let key = Target::Answer(cards[0].clone()).key();
        assert!(d
            .ops
            .iter()
            .any(|op| matches!(op, Op::DeleteMarksOn { targets } if targets.contains(&key))));
        assert!(g.state.marks.values().all(|m| m.is_empty()));
        let votes = &g.state.votes[&step];
        assert_eq!(votes.matrix.total_votes(), 0);
        assert!(votes.dirty, "the landscape is made again without it");
        assert_eq!(g.state.view.board(step).on_screen, None, "off the screen");
    }

    #[test]
    fn a_phone_is_shown_the_statement_with_fewest_answers_it_has_not_answered() {
        let (mut g, cards) = room(6);
        // Two answers on the first, one on the second, none on the third.
        answer(&mut g, 3, &cards[0], Some(Vote::Agree)).expect("a");
        answer(&mut g, 4, &cards[0], Some(Vote::Agree)).expect("a");
        answer(&mut g, 4, &cards[1], Some(Vote::Agree)).expect("a");
        let me = Gathering::person(5);
        let next = |g: &mut Gathering| ballot(&mut g.state, me.key()).and_then(|b| b.next);
        assert_eq!(
            next(&mut g),
            Some(cards[2].clone()),
            "the least answered, not the newest"
        );
        answer(&mut g, 5, &cards[2], Some(Vote::Pass)).expect("passed");
        assert_eq!(next(&mut g), Some(cards[1].clone()));
        answer(&mut g, 5, &cards[1], Some(Vote::Pass)).expect("passed");
        assert_eq!(next(&mut g), Some(cards[0].clone()));
        answer(&mut g, 5, &cards[0], Some(Vote::Pass)).expect("passed");
        let done = ballot(&mut g.state, me.key()).expect("a ballot");
        assert_eq!((done.next, done.answered), (None, 3));
        // The same page made twice shows the same statement.
        let other = Gathering::person(2);
        let first = ballot(&mut g.state, other.key());
        assert_eq!(first, ballot(&mut g.state, other.key()));
        // Another step: no ballot.
        let mut board = Gathering::of(ExerciseKind::Board, 3);
        assert_eq!(ballot(&mut board.state, me.key()), None);
    }

    #[test]
    fn a_statement_shown_stays_on_the_phone_until_it_is_answered() {
        let (mut g, cards) = room(6);
        let me = Gathering::person(5);
        let next = |g: &mut Gathering| ballot(&mut g.state, me.key()).and_then(|b| b.next);
        let shown = next(&mut g).expect("a statement");
        // Others answer it, so it is no longer among the least answered,
        // and a new statement with no answers arrives: the phone, made
        // again, still shows the one its person is reading.
        for who in 0..3 {
            answer(&mut g, who, &shown, Some(Vote::Agree)).expect("answered");
        }
        let fresh = g.shown(1, "a new one, with no answers yet");
        assert_eq!(next(&mut g).as_ref(), Some(&shown));
        // Answered, the phone moves on, to the least answered.
        answer(&mut g, 5, &shown, Some(Vote::Agree)).expect("answered");
        let after = next(&mut g).expect("another");
        let m = &g.state.votes[&g.step()].matrix;
        let ix = m.statement(&after).expect("a statement of the step");
        assert_eq!(m.votes_on(ix), 0, "the least answered");
        // Hidden by the facilitator, it gives way to another.
        g.moderate(&after, Moderation::Hide).expect("hidden");
        let instead = next(&mut g).expect("another");
        assert_ne!(instead, after);
        assert!(cards.contains(&instead) || instead == fresh);
    }

    #[test]
    fn with_pre_screening_statements_wait_to_be_let_in_or_kept_out() {
        let mut g = Gathering::of(ExerciseKind::Statements, 5);
        let step = g.step();
        let mut spec = g.state.view.step(step).map(|s| s.spec()).expect("a step");
        spec.exercise = Exercise::Statements {
            pre_screen: true,
            seeds: vec![],
        };
        g.run(Action::EditStep { step, spec })
            .expect("pre-screened");
        g.run(Action::SetLive { step, live: false })
            .expect("by hand");
        let a = g.write(0, "parks first");
        let b = g.write(1, "nobody cares");
        let c = g.write(2, "more buses");
        assert_eq!(queue(&g.state).len(), 3, "all wait, in order");
        assert_eq!(queue(&g.state)[0].1, "parks first");
        assert_eq!(
            answer(&mut g, 3, &a, Some(Vote::Agree)).err(),
            Some(ErrorCode::NotVotable)
        );
        let d = facilitator(&mut g, StatementsChange::Approve { card: a.clone() }).expect("let in");
        assert_eq!(revealed(&d), std::slice::from_ref(&a));
        answer(&mut g, 3, &a, Some(Vote::Agree)).expect("answered");
        let d =
            facilitator(&mut g, StatementsChange::Decline { card: b.clone() }).expect("kept out");
        assert!(matches!(
            events(&d)[..],
            [Event::CardsRevealed { .. }, Event::CardHidden { .. }]
        ));
        assert_eq!(
            answer(&mut g, 3, &b, Some(Vote::Agree)).err(),
            Some(ErrorCode::NotVotable)
        );
        assert_eq!(
            queue(&g.state)
                .iter()
                .map(|(c, _)| c.clone())
                .collect::<Vec<_>>(),
            [c]
        );
        // Only a waiting statement of this step can be let in.
        assert_eq!(
            facilitator(&mut g, StatementsChange::Approve { card: a }).err(),
            Some(ErrorCode::UnknownCard)
        );
    }

    #[test]
    fn a_seed_is_put_to_the_room_at_once_and_a_duplicate_merges_its_answers() {
        let (mut g, cards) = room(5);
        let d = facilitator(
            &mut g,
            StatementsChange::Seed {
                text: words("more parks"),
            },
        )
        .expect("seeded");
        let seed = revealed(&d)[0].clone();
        // Answers on the duplicate move to the seed where there are none.
        answer(&mut g, 3, &cards[0], Some(Vote::Agree)).expect("a");
        answer(&mut g, 4, &cards[0], Some(Vote::Disagree)).expect("d");
        answer(&mut g, 4, &seed, Some(Vote::Pass)).expect("p");
        let merge = StatementsChange::Merge {
            duplicate: cards[0].clone(),
            into: seed.clone(),
        };
        let d = facilitator(&mut g, merge).expect("merged");
        assert!(matches!(
            events(&d)[..],
            [
                Event::StatementsSet {
                    change: BoardChange::Merged { .. },
                    ..
                },
                Event::CardHidden { .. }
            ]
        ));
        // Its author's phone can say which statement it was joined with.
        let board = g.state.view.board(g.step());
        assert_eq!(board.merged_into(&cards[0]), Some(&seed));
        assert_eq!(vote_of(&g, 3, &seed), Some(Vote::Agree), "moved");
        assert_eq!(vote_of(&g, 4, &seed), Some(Vote::Pass), "theirs stands");
        assert_eq!(vote_of(&g, 3, &cards[0]), None);
        let own = &g.state.marks[Gathering::person(3).key()];
        assert!(own.contains_key(&Target::Answer(seed.clone())));
        assert!(!own.contains_key(&Target::Answer(cards[0].clone())));
        assert!(d
            .ops
            .iter()
            .any(|op| matches!(op, Op::SetMark { author, .. } if author == "person-3")));
        // Merging into itself, or a hidden one, is refused.
        let itself = StatementsChange::Merge {
            duplicate: seed.clone(),
            into: seed.clone(),
        };
        assert_eq!(
            facilitator(&mut g, itself).err(),
            Some(ErrorCode::UnknownCard)
        );
        let hidden = StatementsChange::Merge {
            duplicate: cards[0].clone(),
            into: seed,
        };
        assert_eq!(
            facilitator(&mut g, hidden).err(),
            Some(ErrorCode::UnknownCard)
        );
    }

    /// A statements step's settings with these seeds.
    fn seeded(g: &Gathering, step: StepId, seeds: &[&str]) -> hearth_core::gathering::StepSpec {
        let mut spec = g.state.view.step(step).map(|s| s.spec()).expect("a step");
        spec.exercise = Exercise::Statements {
            pre_screen: true,
            seeds: seeds.iter().map(|s| words(s)).collect(),
        };
        spec
    }

    /// The facilitator's statements in the step's pool, as the room sees
    /// them (visible or hidden).
    fn seeds_in(g: &Gathering, step: StepId) -> Vec<String> {
        let mut texts: Vec<String> = g
            .state
            .cards
            .iter()
            .filter(|(_, m)| m.step == step && m.author == Actor::Facilitator.key())
            .map(|(id, m)| {
                assert!(g.state.view.card(id).is_some(), "revealed at once");
                m.text.clone()
            })
            .collect();
        texts.sort();
        texts
    }

    #[test]
    fn seeds_enter_when_the_step_opens_each_once_and_edits_add_only_new_ones() {
        let kinds = [ExerciseKind::Board, ExerciseKind::Statements];
        let mut g = Gathering::with_steps(&kinds, 3);
        let step = StepId(2);
        // Set up before the room is there: nothing enters yet.
        let spec = seeded(&g, step, &["parks first", "more buses", "parks first"]);
        g.run(Action::EditStep { step, spec }).expect("set up");
        assert!(seeds_in(&g, step).is_empty());
        // The room enters the step: each seed once, let in though the
        // step pre-screens (nobody in the room wrote them).
        let d = g.run(Action::GoTo { step }).expect("entered");
        assert_eq!(revealed(&d).len(), 2);
        assert_eq!(seeds_in(&g, step), ["more buses", "parks first"]);
        assert!(queue(&g.state).is_empty());
        answer(&mut g, 0, &revealed(&d)[0], Some(Vote::Agree)).expect("answerable");
        // Back and forth, and the same settings saved again: nothing new.
        g.run(Action::GoTo { step: StepId(1) }).expect("left");
        g.run(Action::GoTo { step }).expect("back");
        let same = seeded(&g, step, &["parks first", "more buses"]);
        let d = g.run(Action::EditStep { step, spec: same }).expect("saved");
        assert!(revealed(&d).is_empty());
        // A seed hidden by the facilitator stays out; a new one, added
        // while the step is current, enters at once.
        let parks = g
            .state
            .view
            .visible_cards(step)
            .find(|c| c.text == "parks first")
            .map(|c| c.id.clone())
            .expect("parks");
        g.moderate(&parks, Moderation::Hide).expect("hidden");
        let more = seeded(&g, step, &["parks first", "more buses", "keep the library"]);
        let d = g.run(Action::EditStep { step, spec: more }).expect("added");
        assert_eq!(revealed(&d).len(), 1);
        assert_eq!(
            seeds_in(&g, step),
            ["keep the library", "more buses", "parks first"]
        );
        // One over a statement's limit: the same reason as a participant's,
        // and nothing changes.
        let before = (g.state.seq, g.state.cards.len());
        let long = "a".repeat(STATEMENT_MAX_CHARS + 1);
        let bad = seeded(&g, step, &["fine", &long]);
        assert_eq!(
            g.run(Action::EditStep { step, spec: bad }).err(),
            Some(ErrorCode::StatementTooLong)
        );
        assert_eq!((g.state.seq, g.state.cards.len()), before);
        let Some(Exercise::Statements { seeds, .. }) = g.state.view.step(step).map(|s| &s.exercise)
        else {
            panic!("statements");
        };
        assert_eq!(seeds.len(), 3, "the settings as they were");
    }

    #[test]
    fn a_seed_brought_in_with_an_imported_gathering_is_not_planted_again() {
        let kinds = [ExerciseKind::Board, ExerciseKind::Statements];
        let mut g = Gathering::with_steps(&kinds, 3);
        let step = StepId(2);
        let spec = seeded(&g, step, &["parks first", "more buses"]);
        g.run(Action::EditStep { step, spec }).expect("set up");
        // As an import brings a card: revealed, with no author here.
        g.state.view.apply(&Event::CardsRevealed {
            cards: vec![Card {
                id: CardId::from_random(77),
                step,
                text: "parks first".into(),
                place: Place::Board,
                hidden: false,
                blurred: false,
            }],
        });
        let d = g.run(Action::GoTo { step }).expect("entered");
        assert_eq!(revealed(&d).len(), 1, "only the one not brought in");
        assert_eq!(seeds_in(&g, step), ["more buses"]);
    }

    #[test]
    fn the_screen_shows_a_visible_statement_and_the_names_given() {
        let (mut g, cards) = room(3);
        let step = g.step();
        let on = StatementsChange::OnScreen {
            card: Some(cards[1].clone()),
        };
        facilitator(&mut g, on).expect("on screen");
        assert_eq!(g.state.view.board(step).on_screen, Some(cards[1].clone()));
        let stranger = StatementsChange::OnScreen {
            card: Some(CardId::from_random(99)),
        };
        assert_eq!(
            facilitator(&mut g, stranger).err(),
            Some(ErrorCode::UnknownCard)
        );
        let a = GroupLabel::new(0).expect("A");
        let name = StatementsChange::Name {
            group: a,
            name: Some(Label::parse("Gardeners").expect("label")),
        };
        facilitator(&mut g, name).expect("named");
        assert_eq!(
            g.state.view.board(step).name(a).map(Label::as_str),
            Some("Gardeners")
        );
        // Only a facilitator, and only in a statements step.
        let action = Action::Statements {
            step,
            change: StatementsChange::OnScreen { card: None },
        };
        assert_eq!(
            g.act(&Gathering::person(0), action.clone()).err(),
            Some(ErrorCode::NotAllowed)
        );
        let mut board = Gathering::of(ExerciseKind::Board, 3);
        let step = board.step();
        let elsewhere = Action::Statements {
            step,
            change: StatementsChange::OnScreen { card: None },
        };
        assert_eq!(board.run(elsewhere).err(), Some(ErrorCode::WrongPlace));
    }

    #[test]
    fn the_end_drops_every_answer_and_keeps_the_landscape_the_room_saw() {
        let people = 12;
        let mut g = Gathering::of(ExerciseKind::Statements, people);
        let cards: Vec<CardId> = (0..9)
            .map(|i| g.write(i % 3, &format!("statement {i}")))
            .collect();
        assert!(g.state.waiting.is_empty());
        // Two clear groups: the first six agree with the even statements
        // and disagree with the odd, the other six the other way round.
        for who in 0..people {
            for (i, card) in cards.iter().enumerate() {
                let agree = (i % 2 == 0) == (who < people / 2);
                let vote = if agree { Vote::Agree } else { Vote::Disagree };
                answer(&mut g, who, card, Some(vote)).expect("answered");
            }
        }
        let d = g.run(Action::End).expect("ended");
        assert!(d.ops.iter().any(|op| matches!(
            op,
            Op::DeleteMarksOn { targets } if targets.len() == cards.len()
        )));
        assert!(g
            .state
            .marks
            .values()
            .flat_map(|m| m.keys())
            .all(|t| !matches!(t, Target::Answer(_))));
        assert!(g.state.votes.is_empty(), "no vote is left in memory");
        let kept = events(&d).into_iter().find_map(|e| match e {
            Event::StatementsSet {
                change: BoardChange::Kept { landscape },
                ..
            } => Some(landscape.clone()),
            _ => None,
        });
        let kept = kept.expect("the landscape is kept");
        assert_eq!(kept.shape, Shape::Groups);
        assert_eq!(kept.groups.len(), 2);
        assert_eq!(g.state.view.board(g.step()).landscape, kept);
    }

    #[test]
    fn the_votes_are_rebuilt_from_the_cards_and_marks_after_a_restart() {
        let (mut g, cards) = room(5);
        answer(&mut g, 3, &cards[0], Some(Vote::Agree)).expect("a");
        answer(&mut g, 4, &cards[2], Some(Vote::Disagree)).expect("d");
        g.moderate(&cards[1], Moderation::Hide).expect("hidden");
        let before = g.state.votes[&g.step()].matrix.total_votes();
        rebuild(&mut g.state);
        let votes = &g.state.votes[&g.step()];
        assert_eq!(votes.matrix.total_votes(), before);
        assert_eq!(vote_of(&g, 4, &cards[2]), Some(Vote::Disagree));
        let hidden = votes.matrix.statement(&cards[1]).expect("known");
        assert!(!votes.matrix.is_live(hidden), "still hidden");
    }
}
