//! The room's votes, kept as the room receives them.
//!
//! The room holds one `VoteMatrix` per statements step and changes it one
//! vote at a time, so a vote must cost O(1): each voter has a row indexed
//! by statement, grown on demand, and the matrix keeps each row's count of
//! votes as it goes. Voters and statements are dense indices (`VoterIx`,
//! `StatementIx`) handed out by the matrix itself; only the room knows
//! which phone is which voter, and the matrix never leaves the server.
//!
//! A withdrawn statement keeps its index (indices never shift) but loses
//! its votes and takes no new ones: it is gone from every landscape. A
//! hidden one (the facilitator's moderation, which can be undone) keeps
//! its votes but takes no new ones and is left out of the landscape until
//! it is shown again.

use crate::ids::CardId;
use std::collections::HashMap;

/// One voter's answer to one statement.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Vote {
    Agree,
    Disagree,
    /// "Unsure": counts as having seen and answered the statement, leaning
    /// neither way.
    Pass,
}

impl Vote {
    /// The vote as a number for the landscape's maths.
    pub(crate) fn value(self) -> f64 {
        match self {
            Vote::Agree => 1.0,
            Vote::Disagree => -1.0,
            Vote::Pass => 0.0,
        }
    }
}

/// A voter in one statements step: a dense index, private to the server.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct VoterIx(u32);

impl VoterIx {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// A statement in one statements step: a dense index into the matrix.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StatementIx(u32);

impl StatementIx {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// Why the matrix refused a change; nothing changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum VoteError {
    #[error("no such voter in this step")]
    UnknownVoter,
    #[error("no such statement in this step")]
    UnknownStatement,
    #[error("this statement was withdrawn")]
    Withdrawn,
    #[error("this statement is hidden")]
    Hidden,
    #[error("this statement is already in the step")]
    DuplicateStatement,
    #[error("this step holds as many statements or voters as it can")]
    Full,
}

/// Where a statement stands in the step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Standing {
    Live,
    Hidden,
    Withdrawn,
}

/// A statement the matrix knows: its card id, whether it counts, and how
/// many votes it holds (kept as votes come and go, for the room's choice
/// of which statement a phone sees next).
#[derive(Clone, Debug)]
struct Statement {
    card: CardId,
    standing: Standing,
    votes: u32,
}

/// Everyone's votes on every statement of one step. Its `Debug` shows
/// sizes only: votes never go into a log.
#[derive(Clone, Default)]
pub struct VoteMatrix {
    statements: Vec<Statement>,
    by_card: HashMap<CardId, StatementIx>,
    /// One row per voter; a row is only as long as its highest voted
    /// statement, so a new statement costs nothing until someone votes.
    rows: Vec<Vec<Option<Vote>>>,
    /// How many votes each row holds, kept as votes come and go.
    counts: Vec<u32>,
}

impl VoteMatrix {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a statement (a card already in the step) and returns its index.
    pub fn add_statement(&mut self, card: CardId) -> Result<StatementIx, VoteError> {
        if self.by_card.contains_key(&card) {
            return Err(VoteError::DuplicateStatement);
        }
        let ix = StatementIx(u32::try_from(self.statements.len()).map_err(|_| VoteError::Full)?);
        self.by_card.insert(card.clone(), ix);
        self.statements.push(Statement {
            card,
            standing: Standing::Live,
            votes: 0,
        });
        Ok(ix)
    }

    /// Adds a voter with no votes yet and returns their index.
    pub fn add_voter(&mut self) -> Result<VoterIx, VoteError> {
        let ix = VoterIx(u32::try_from(self.rows.len()).map_err(|_| VoteError::Full)?);
        self.rows.push(Vec::new());
        self.counts.push(0);
        Ok(ix)
    }

    /// Sets, changes or (with `None`) takes back one vote, in O(1)
    /// (amortised: a row grows to the statement's index the first time).
    /// Returns the vote it replaces.
    pub fn set_vote(
        &mut self,
        voter: VoterIx,
        statement: StatementIx,
        vote: Option<Vote>,
    ) -> Result<Option<Vote>, VoteError> {
        let s = self
            .statements
            .get_mut(statement.index())
            .ok_or(VoteError::UnknownStatement)?;
        match s.standing {
            Standing::Live => {}
            Standing::Hidden => return Err(VoteError::Hidden),
            Standing::Withdrawn => return Err(VoteError::Withdrawn),
        }
        let row = self
            .rows
            .get_mut(voter.index())
            .ok_or(VoteError::UnknownVoter)?;
        let count = self
            .counts
            .get_mut(voter.index())
            .ok_or(VoteError::UnknownVoter)?;
        if row.len() <= statement.index() {
            if vote.is_none() {
                return Ok(None);
            }
            row.resize(statement.index() + 1, None);
        }
        let cell = &mut row[statement.index()];
        let before = std::mem::replace(cell, vote);
        match (before.is_some(), vote.is_some()) {
            (false, true) => {
                *count += 1;
                s.votes += 1;
            }
            (true, false) => {
                *count = count.saturating_sub(1);
                s.votes = s.votes.saturating_sub(1);
            }
            _ => {}
        }
        Ok(before)
    }

    /// Withdraws a statement: its votes are dropped and it takes no more.
    /// Costs one pass over the voters; withdrawing is rare.
    pub fn withdraw(&mut self, statement: StatementIx) -> Result<(), VoteError> {
        let s = self
            .statements
            .get_mut(statement.index())
            .ok_or(VoteError::UnknownStatement)?;
        if s.standing == Standing::Withdrawn {
            return Ok(());
        }
        s.standing = Standing::Withdrawn;
        s.votes = 0;
        for (row, count) in self.rows.iter_mut().zip(self.counts.iter_mut()) {
            if let Some(cell) = row.get_mut(statement.index()) {
                if cell.take().is_some() {
                    *count = count.saturating_sub(1);
                }
            }
        }
        Ok(())
    }

    /// Hides a statement (`true`) or shows it again (`false`): hidden, it
    /// keeps its votes but takes no more and is left out of the landscape.
    pub fn hide(&mut self, statement: StatementIx, hidden: bool) -> Result<(), VoteError> {
        let s = self
            .statements
            .get_mut(statement.index())
            .ok_or(VoteError::UnknownStatement)?;
        s.standing = match (s.standing, hidden) {
            (Standing::Withdrawn, _) => return Err(VoteError::Withdrawn),
            (_, true) => Standing::Hidden,
            (_, false) => Standing::Live,
        };
        Ok(())
    }

    /// Merges a duplicate into the statement it repeats: each vote on
    /// `duplicate` moves to `into` for a voter who has not voted on `into`
    /// (their own vote there stands), then `duplicate` is withdrawn. One
    /// pass over the voters.
    pub fn merge(&mut self, duplicate: StatementIx, into: StatementIx) -> Result<(), VoteError> {
        if duplicate == into {
            return Err(VoteError::DuplicateStatement);
        }
        for s in [duplicate, into] {
            match self.statements.get(s.index()).map(|s| s.standing) {
                None => return Err(VoteError::UnknownStatement),
                Some(Standing::Withdrawn) => return Err(VoteError::Withdrawn),
                Some(Standing::Hidden) => return Err(VoteError::Hidden),
                Some(Standing::Live) => {}
            }
        }
        let voters: Vec<VoterIx> = self.voter_ixs().collect();
        for v in voters {
            if let (Some(vote), None) = (self.vote(v, duplicate), self.vote(v, into)) {
                self.set_vote(v, into, Some(vote))?;
            }
        }
        self.withdraw(duplicate)
    }

    /// How many votes a statement holds (0 for one withdrawn).
    pub fn votes_on(&self, statement: StatementIx) -> u32 {
        self.statements
            .get(statement.index())
            .map_or(0, |s| s.votes)
    }

    /// The statement to show this voter next: among the live statements
    /// they have not answered, one with the fewest votes, so every
    /// statement gathers enough votes to be placed and shown (newest first
    /// would starve the early ones). `salt` (the room's dice) picks among
    /// equals, so phones do not all see the same one. O(statements).
    pub fn next_for(&self, voter: VoterIx, salt: u64) -> Option<StatementIx> {
        let row = self.rows.get(voter.index())?;
        let open: Vec<(u32, usize)> = self
            .statements
            .iter()
            .enumerate()
            .filter(|(i, s)| {
                s.standing == Standing::Live && row.get(*i).copied().flatten().is_none()
            })
            .map(|(i, s)| (s.votes, i))
            .collect();
        let fewest = open.iter().map(|&(v, _)| v).min()?;
        let equals: Vec<usize> = open
            .iter()
            .filter(|&&(v, _)| v == fewest)
            .map(|&(_, i)| i)
            .collect();
        let pick = equals.get((salt % equals.len() as u64) as usize)?;
        Some(StatementIx(*pick as u32))
    }

    /// One voter's vote on one statement, if any.
    pub fn vote(&self, voter: VoterIx, statement: StatementIx) -> Option<Vote> {
        self.rows
            .get(voter.index())
            .and_then(|row| row.get(statement.index()))
            .copied()
            .flatten()
    }

    /// The index of a statement, by its card.
    pub fn statement(&self, card: &CardId) -> Option<StatementIx> {
        self.by_card.get(card).copied()
    }

    /// The card behind a statement index.
    pub fn card(&self, statement: StatementIx) -> Option<&CardId> {
        self.statements.get(statement.index()).map(|s| &s.card)
    }

    /// Whether a statement is in the step, neither hidden nor withdrawn.
    pub fn is_live(&self, statement: StatementIx) -> bool {
        self.statements
            .get(statement.index())
            .is_some_and(|s| s.standing == Standing::Live)
    }

    /// How many votes one voter has cast (passes included).
    pub fn votes_of(&self, voter: VoterIx) -> u32 {
        self.counts.get(voter.index()).copied().unwrap_or(0)
    }

    /// How many voters the matrix holds.
    pub fn voters(&self) -> usize {
        self.rows.len()
    }

    /// How many statements the matrix has indexed, withdrawn included.
    pub fn statements(&self) -> usize {
        self.statements.len()
    }

    /// How many votes the matrix holds in all.
    pub fn total_votes(&self) -> u64 {
        self.counts.iter().map(|&c| u64::from(c)).sum()
    }

    /// Every voter index, in order.
    pub(crate) fn voter_ixs(&self) -> impl Iterator<Item = VoterIx> + '_ {
        (0..self.rows.len()).map(|i| VoterIx(i as u32))
    }

    /// Every statement index, in order.
    pub fn statement_ixs(&self) -> impl Iterator<Item = StatementIx> + '_ {
        (0..self.statements.len()).map(|i| StatementIx(i as u32))
    }

    /// One voter's votes, as (statement, vote), withdrawn statements being
    /// already empty.
    pub(crate) fn row(&self, voter: VoterIx) -> impl Iterator<Item = (StatementIx, Vote)> + '_ {
        self.rows
            .get(voter.index())
            .into_iter()
            .flat_map(|row| row.iter().enumerate())
            .filter_map(|(s, v)| v.map(|v| (StatementIx(s as u32), v)))
    }
}

impl std::fmt::Debug for VoteMatrix {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VoteMatrix")
            .field("voters", &self.voters())
            .field("statements", &self.statements())
            .field("votes", &self.total_votes())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn card(n: u64) -> CardId {
        CardId::from_random(n)
    }

    #[test]
    fn a_vote_is_set_changed_and_taken_back() {
        let mut m = VoteMatrix::new();
        let s = m.add_statement(card(1)).expect("statement");
        let v = m.add_voter().expect("voter");
        assert_eq!(m.set_vote(v, s, Some(Vote::Agree)), Ok(None));
        assert_eq!(m.votes_of(v), 1);
        assert_eq!(
            m.set_vote(v, s, Some(Vote::Disagree)),
            Ok(Some(Vote::Agree))
        );
        assert_eq!(m.votes_of(v), 1);
        assert_eq!(m.vote(v, s), Some(Vote::Disagree));
        assert_eq!(m.set_vote(v, s, None), Ok(Some(Vote::Disagree)));
        assert_eq!(m.votes_of(v), 0);
        assert_eq!(m.total_votes(), 0);
    }

    #[test]
    fn bad_changes_are_refused_and_change_nothing() {
        let mut m = VoteMatrix::new();
        let s = m.add_statement(card(1)).expect("statement");
        let v = m.add_voter().expect("voter");
        assert_eq!(m.add_statement(card(1)), Err(VoteError::DuplicateStatement));
        assert_eq!(
            m.set_vote(VoterIx(9), s, Some(Vote::Agree)),
            Err(VoteError::UnknownVoter)
        );
        assert_eq!(
            m.set_vote(v, StatementIx(9), Some(Vote::Agree)),
            Err(VoteError::UnknownStatement)
        );
        assert_eq!(m.total_votes(), 0);
    }

    #[test]
    fn a_withdrawn_statement_loses_its_votes_and_takes_no_more() {
        let mut m = VoteMatrix::new();
        let s = m.add_statement(card(1)).expect("statement");
        let t = m.add_statement(card(2)).expect("statement");
        let v = m.add_voter().expect("voter");
        m.set_vote(v, s, Some(Vote::Agree)).expect("vote");
        m.set_vote(v, t, Some(Vote::Pass)).expect("vote");
        m.withdraw(s).expect("withdraw");
        assert_eq!(m.vote(v, s), None);
        assert_eq!(m.votes_of(v), 1);
        assert_eq!(
            m.set_vote(v, s, Some(Vote::Agree)),
            Err(VoteError::Withdrawn)
        );
        assert!(!m.is_live(s));
        assert!(m.is_live(t));
    }

    #[test]
    fn taking_back_a_vote_never_cast_is_a_no_op() {
        let mut m = VoteMatrix::new();
        let _ = m.add_statement(card(1)).expect("statement");
        let s = m.add_statement(card(2)).expect("statement");
        let v = m.add_voter().expect("voter");
        assert_eq!(m.set_vote(v, s, None), Ok(None));
        assert_eq!(m.votes_of(v), 0);
    }

    #[test]
    fn a_hidden_statement_keeps_its_votes_and_takes_no_more_until_shown() {
        let mut m = VoteMatrix::new();
        let s = m.add_statement(card(1)).expect("statement");
        let v = m.add_voter().expect("voter");
        let w = m.add_voter().expect("voter");
        m.set_vote(v, s, Some(Vote::Agree)).expect("vote");
        m.hide(s, true).expect("hide");
        assert!(!m.is_live(s));
        assert_eq!(m.set_vote(w, s, Some(Vote::Agree)), Err(VoteError::Hidden));
        assert_eq!(m.vote(v, s), Some(Vote::Agree));
        m.hide(s, false).expect("show");
        assert!(m.is_live(s));
        m.set_vote(w, s, Some(Vote::Pass)).expect("vote");
        assert_eq!(m.votes_on(s), 2);
    }

    #[test]
    fn merging_a_duplicate_moves_its_votes_where_none_stand() {
        let mut m = VoteMatrix::new();
        let a = m.add_statement(card(1)).expect("statement");
        let b = m.add_statement(card(2)).expect("statement");
        let v = m.add_voter().expect("voter");
        let w = m.add_voter().expect("voter");
        m.set_vote(v, a, Some(Vote::Agree)).expect("vote");
        m.set_vote(v, b, Some(Vote::Disagree)).expect("vote");
        m.set_vote(w, b, Some(Vote::Disagree)).expect("vote");
        m.merge(b, a).expect("merge");
        assert_eq!(m.vote(v, a), Some(Vote::Agree));
        assert_eq!(m.vote(w, a), Some(Vote::Disagree));
        assert_eq!((m.votes_on(a), m.votes_on(b)), (2, 0));
        assert_eq!((m.votes_of(v), m.votes_of(w)), (1, 1));
        assert!(!m.is_live(b));
        assert_eq!(m.merge(a, a), Err(VoteError::DuplicateStatement));
    }

    #[test]
    fn votes_are_counted_per_statement_as_they_come_and_go() {
        let mut m = VoteMatrix::new();
        let s = m.add_statement(card(1)).expect("statement");
        let voters: Vec<VoterIx> = (0..3).map(|_| m.add_voter().expect("voter")).collect();
        for &v in &voters {
            m.set_vote(v, s, Some(Vote::Agree)).expect("vote");
        }
        m.set_vote(voters[0], s, Some(Vote::Pass)).expect("vote");
        m.set_vote(voters[1], s, None).expect("vote");
        assert_eq!(m.votes_on(s), 2);
        m.withdraw(s).expect("withdraw");
        assert_eq!(m.votes_on(s), 0);
        assert_eq!(
            format!("{m:?}"),
            "VoteMatrix { voters: 3, statements: 1, votes: 0 }"
        );
    }

    #[test]
    fn the_next_statement_is_an_unanswered_one_with_the_fewest_votes() {
        let mut m = VoteMatrix::new();
        let s: Vec<StatementIx> = (1..=4)
            .map(|i| m.add_statement(card(i)).expect("statement"))
            .collect();
        let v = m.add_voter().expect("voter");
        let w = m.add_voter().expect("voter");
        m.set_vote(w, s[0], Some(Vote::Agree)).expect("vote");
        m.set_vote(w, s[1], Some(Vote::Agree)).expect("vote");
        m.set_vote(v, s[2], Some(Vote::Pass)).expect("vote");
        m.hide(s[3], true).expect("hide");
        // s[2] is answered, s[3] hidden; s[0] and s[1] have one vote each.
        let picks: Vec<_> = (0..4).filter_map(|salt| m.next_for(v, salt)).collect();
        assert!(picks.iter().all(|p| *p == s[0] || *p == s[1]), "{picks:?}");
        assert!(picks.contains(&s[0]) && picks.contains(&s[1]));
        // w has answered s[0] and s[1]: s[2] is all that is left to them.
        assert_eq!(m.next_for(w, 7), Some(s[2]));
        m.set_vote(w, s[2], Some(Vote::Disagree)).expect("vote");
        assert_eq!(m.next_for(w, 7), None);
        assert_eq!(m.next_for(VoterIx(9), 0), None);
    }
}
