//! Checkpoints: a room's state written down now and then, so that loading
//! it after a restart reads one checkpoint and the events after it instead
//! of replaying the whole log. A hall's gathering can hold thousands of
//! events; two thousand phones reconnecting after a crash must not wait
//! for all of them to be replayed.
//!
//! A checkpoint holds the public state at one position of the log, with the
//! room's own bookkeeping of which events carry which card's words (so a
//! later withdrawal can still cut them out of the log), and nothing else:
//! no authors, no marks (the room reads those from their own table), no
//! live figures. Its words obey the same rule as the log's: a withdrawn
//! card's words are cut from it in the same commit as the withdrawal (the
//! room writes a fresh checkpoint then), and a hidden card's words stay,
//! as they stay in the log, because the facilitator may show the card again
//! and only the facilitator's view ever carries them.
//!
//! One exception to "no authors": a small groups step's groups (who is in
//! which group, and their private boards) live only here and in the room's
//! memory, so a checkpoint goes with every commit that changes them, and
//! the end of the gathering rewrites it without them.

use super::rules::groups::GroupsState;
use hearth_core::gathering::GatheringView;
use hearth_core::ids::CardId;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Events between two checkpoints, unless the instance sets another
/// number. Loading then replays at most this many events, and writing one
/// (the whole public state, about 150 bytes a card) costs little at this
/// pace.
pub const EVERY: u16 = 256;

/// A room's public state at one position of its log.
#[derive(Debug, Serialize, Deserialize)]
pub struct Checkpoint {
    /// The last event the state includes.
    pub seq: u64,
    /// The public state, without totals or the tally: those are made from
    /// the marks and cards each time a room loads.
    pub view: GatheringView,
    /// Each reveal's cards, by the sequence of the event that revealed them.
    pub reveals: Vec<(u64, Vec<CardId>)>,
    /// The events that showed a hidden card again (they carry its words).
    pub shown: Vec<(CardId, Vec<u64>)>,
    /// A small groups step's groups: their members' device hashes and
    /// their boards, which exist nowhere else (see `rules/groups.rs`).
    /// Written with every commit that changes them, and gone at the end.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub groups: Option<GroupsState>,
}

impl Checkpoint {
    /// Writes down the room's state at `seq`.
    pub fn of(
        seq: u64,
        view: &GatheringView,
        reveals: &HashMap<u64, Vec<CardId>>,
        shown: &HashMap<CardId, Vec<u64>>,
    ) -> Self {
        let mut view = view.clone();
        view.totals.clear();
        view.tally = Default::default();
        let mut reveals: Vec<_> = reveals
            .iter()
            .filter(|(_, cards)| !cards.is_empty())
            .map(|(s, cards)| (*s, cards.clone()))
            .collect();
        reveals.sort_by_key(|(s, _)| *s);
        let mut shown: Vec<_> = shown
            .iter()
            .map(|(card, seqs)| (card.clone(), seqs.clone()))
            .collect();
        shown.sort();
        Self {
            seq,
            view,
            reveals,
            shown,
            groups: None,
        }
    }

    /// The same checkpoint, keeping the room's small groups.
    pub fn with_groups(self, groups: Option<&GroupsState>) -> Self {
        Self {
            groups: groups.cloned(),
            ..self
        }
    }
}

/// Whether a room at `seq`, last checkpointed at `last`, should write a
/// checkpoint with its next commit.
pub fn due(seq: u64, last: u64, every: u64) -> bool {
    seq.saturating_sub(last) >= every.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use hearth_core::gathering::{Card, StepSpec};
    use hearth_core::ids::StepId;

    #[test]
    fn a_checkpoint_is_due_every_so_many_events() {
        let every = u64::from(EVERY);
        assert!(!due(0, 0, every));
        assert!(!due(every - 1, 0, every));
        assert!(due(every, 0, every));
        assert!(!due(every + 10, every, every));
        // A setting of 0 means every event, not never.
        assert!(due(1, 0, 0));
    }

    #[test]
    fn a_checkpoint_round_trips_and_keeps_no_live_figures() -> Result<(), serde_json::Error> {
        let spec: StepSpec = serde_json::from_value(serde_json::json!({
            "prompt": "What brings you here?",
            "exercise": {"kind": "board"}
        }))?;
        let mut view = GatheringView::new("A gathering".into(), vec![spec]);
        let card = CardId::from_random(1);
        view.cards.push(Card {
            id: card.clone(),
            step: StepId(1),
            text: "the sea".into(),
            place: Default::default(),
            hidden: false,
            blurred: false,
        });
        view.totals.insert(StepId(1), Default::default());
        view.tally.people = Some(9);
        let reveals = HashMap::from([(3, vec![card.clone()]), (5, Vec::new())]);
        let shown = HashMap::from([(card.clone(), vec![7])]);
        let written = serde_json::to_string(&Checkpoint::of(8, &view, &reveals, &shown))?;
        let read: Checkpoint = serde_json::from_str(&written)?;
        assert_eq!(read.seq, 8);
        assert_eq!(read.view.cards, view.cards);
        assert!(read.view.totals.is_empty());
        assert_eq!(read.view.tally, Default::default());
        assert_eq!(read.reveals, [(3, vec![card.clone()])]);
        assert_eq!(read.shown, [(card, vec![7])]);
        Ok(())
    }
}
