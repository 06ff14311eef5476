//! A room's changes as data: the `Op`s of one gathering, committed as one
//! `Batch`.
//!
//! Ops are plain values so that a room decides without touching the
//! database, and so that a backend can commit many rooms' batches in one
//! transaction. Operations that belong to no room (deleting a gathering,
//! the retention sweep, deleting a template) are not ops: they are methods
//! of `Storage`.

/// One change to a gathering's stored data.
#[derive(Debug, Clone)]
pub enum Op {
    AppendEvent {
        seq: u64,
        body: String,
    },
    /// Rewrites an event (a reveal with a withdrawn card cut out of it).
    ReplaceEvent {
        seq: u64,
        body: String,
    },
    /// Replaces the gathering's checkpoint (`room::Checkpoint` as JSON).
    Checkpoint {
        seq: u64,
        body: String,
    },
    RecordApplied {
        actor: String,
        action: String,
        outcome: String,
    },
    AddParticipant {
        author: String,
    },
    AddCard {
        id: String,
        step: u32,
        author: String,
        text: String,
        /// `Place` as JSON.
        place: String,
        sensitive: bool,
    },
    DeleteCard {
        id: String,
    },
    MarkRevealed {
        id: String,
        seq: u64,
    },
    /// Sets one participant's mark on a target (`Target::key`).
    SetMark {
        author: String,
        target: String,
        value: u16,
    },
    DeleteMark {
        author: String,
        target: String,
    },
    /// Deletes everyone's marks on these targets (a withdrawn card's).
    DeleteMarksOn {
        targets: Vec<String>,
    },
    /// Saves the gathering's agenda as a template, in the same commit as
    /// the action that asked for it (so a retry never saves it twice).
    SaveTemplate {
        id: String,
        name: String,
        agenda: String,
        created_at: i64,
    },
    /// Forgets the gathering's device hashes, for its end: its participant
    /// list, the author of each card, participants' applied actions, and
    /// the author of each mark (each mark keeps its value under a random
    /// stand-in).
    ForgetParticipants,
    /// Writes nothing itself: the checkpoint committed with it no longer
    /// holds some small group's words (withdrawn, or forgotten with the
    /// groups), so the old checkpoint's copies must go.
    ForgetGroupWords,
}

/// What a commit erased, and so what the backend must clear from the
/// copies it keeps on the side before it answers. Ordered: a round of
/// batches needs the most any of them asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Erasure {
    /// Nothing that must not linger.
    Nothing,
    /// A few rows' words (a withdrawn reflection, the events rewritten
    /// without it): old copies of those rows must go.
    Rows,
    /// Much of a gathering at once: every stored page may hold an old
    /// copy, so the whole store is rewritten.
    Wholesale,
}

impl Op {
    /// What this op erases. Every op is named here, so a new op has to
    /// say.
    pub fn erasure(&self) -> Erasure {
        match self {
            Op::DeleteCard { .. } | Op::ReplaceEvent { .. } | Op::ForgetGroupWords => Erasure::Rows,
            Op::ForgetParticipants => Erasure::Wholesale,
            // A checkpoint replaces one that may hold withdrawn words, but
            // only in the round of the withdrawal, whose `DeleteCard`
            // already asks for `Rows`. Marks hold no words, and a
            // withdrawn card's marks go with the card.
            Op::AppendEvent { .. }
            | Op::Checkpoint { .. }
            | Op::RecordApplied { .. }
            | Op::AddParticipant { .. }
            | Op::AddCard { .. }
            | Op::MarkRevealed { .. }
            | Op::SetMark { .. }
            | Op::DeleteMark { .. }
            | Op::DeleteMarksOn { .. }
            | Op::SaveTemplate { .. } => Erasure::Nothing,
        }
    }
}

/// The changes of one round of a room, for one gathering: stored whole or
/// not at all.
#[derive(Debug, Default)]
pub struct Batch {
    pub gathering: String,
    pub ops: Vec<Op>,
    /// The fencing token of the gathering's lease (PostgreSQL, several
    /// nodes): the batch is stored only if the lease still carries it, so
    /// a node that lost the gathering can never write to it again. `None`
    /// on one node, which holds no lease (SQLite has none).
    pub fence: Option<u64>,
}

impl Batch {
    /// What committing this batch erases.
    pub fn erasure(&self) -> Erasure {
        self.ops
            .iter()
            .map(Op::erasure)
            .max()
            .unwrap_or(Erasure::Nothing)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_batch_erases_the_most_any_of_its_ops_erases() {
        let batch = |ops: Vec<Op>| Batch {
            gathering: "g".into(),
            ops,
            fence: None,
        };
        let event = Op::AppendEvent {
            seq: 1,
            body: "{}".into(),
        };
        let withdraw = Op::DeleteCard { id: "c".into() };
        assert_eq!(batch(Vec::new()).erasure(), Erasure::Nothing);
        assert_eq!(batch(vec![event.clone()]).erasure(), Erasure::Nothing);
        assert_eq!(
            batch(vec![event.clone(), withdraw.clone()]).erasure(),
            Erasure::Rows
        );
        assert_eq!(
            batch(vec![withdraw, Op::ForgetParticipants, event]).erasure(),
            Erasure::Wholesale
        );
    }
}
