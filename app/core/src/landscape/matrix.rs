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
//! its votes and takes no new ones: it is gone from every landscape.

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
    #[error("this statement is already in the step")]
    DuplicateStatement,
    #[error("this step holds as many statements or voters as it can")]
    Full,
}

/// A statement the matrix knows: its card id, and whether it still counts.
#[derive(Clone, Debug)]
struct Statement {
    card: CardId,
    withdrawn: bool,
}

/// Everyone's votes on every statement of one step.
#[derive(Clone, Debug, Default)]
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
            withdrawn: false,
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
            .get(statement.index())
            .ok_or(VoteError::UnknownStatement)?;
        if s.withdrawn {
            return Err(VoteError::Withdrawn);
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
            (false, true) => *count += 1,
            (true, false) => *count = count.saturating_sub(1),
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
        if s.withdrawn {
            return Ok(());
        }
        s.withdrawn = true;
        for (row, count) in self.rows.iter_mut().zip(self.counts.iter_mut()) {
            if let Some(cell) = row.get_mut(statement.index()) {
                if cell.take().is_some() {
                    *count = count.saturating_sub(1);
                }
            }
        }
        Ok(())
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

    /// Whether a statement is in the step and not withdrawn.
    pub fn is_live(&self, statement: StatementIx) -> bool {
        self.statements
            .get(statement.index())
            .is_some_and(|s| !s.withdrawn)
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
    pub(crate) fn statement_ixs(&self) -> impl Iterator<Item = StatementIx> + '_ {
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
}
