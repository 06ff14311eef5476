//! The statements step as the room runs it: how long a statement may be,
//! what the facilitator changes (seeding, the pre-screen queue, merging,
//! the statement on screen, group names), what the screen keeps of it, and
//! what one phone is told.
//!
//! The maths lives in `landscape`; this module is the step around it. A
//! statement is a card of the step (written by a participant, or seeded by
//! the facilitator), so withdrawing, hiding and the exports treat it as
//! every card. An answer is a mark (`Mark::Answer`), stored and taken back
//! like every mark. What the room sees of the step sits in `Board`: the
//! facilitator's choices come as events (`BoardChange`, in the log), the
//! landscape as a live figure (`ServerMsg::Landscape`, outside it, like
//! totals), recomputed by the server from the votes every 2 s at most.

use crate::ids::CardId;
use crate::landscape::{GroupLabel, Landscape, YourPlace};
use crate::reflection::ReflectionText;
use crate::words::Label;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub use crate::exercise::STATEMENT_MAX_CHARS;

/// What the facilitator does in a statements step.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "change")]
pub enum StatementsChange {
    /// Put a statement of their own to the room at once.
    Seed { text: ReflectionText },
    /// Let one waiting statement in (pre-screen).
    Approve { card: CardId },
    /// Keep one waiting statement out: it is hidden, and may be shown
    /// again later like any hidden card.
    Decline { card: CardId },
    /// `duplicate` says what `into` says: its votes move to `into` (where
    /// the voter has none there) and it is hidden.
    Merge { duplicate: CardId, into: CardId },
    /// Put a statement on the shared screen with how each group voted, or
    /// take it off.
    OnScreen { card: Option<CardId> },
    /// Give a group a name, or give it back its letter.
    Name {
        group: GroupLabel,
        name: Option<Label>,
    },
}

/// A change to what the room sees of a statements step (an event).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "set")]
pub enum BoardChange {
    OnScreen {
        card: Option<CardId>,
    },
    Named {
        group: GroupLabel,
        name: Option<Label>,
    },
    /// The landscape as it stood at the end, kept in the log once every
    /// answer is dropped (for the harvest and the exports).
    Kept {
        landscape: Landscape,
    },
    /// `duplicate` was joined with `into`, which says the same (it is
    /// hidden by the same decision): its author's phone says so.
    Merged {
        duplicate: CardId,
        into: CardId,
    },
}

/// What the room sees of one statements step besides its cards.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Board {
    /// The statement the facilitator put on the screen.
    #[serde(default)]
    pub on_screen: Option<CardId>,
    /// Names the facilitator gave groups (else "Group A" and so on).
    #[serde(default)]
    pub names: BTreeMap<GroupLabel, Label>,
    /// The landscape as last computed (a live figure, like totals).
    #[serde(default = "Landscape::empty")]
    pub landscape: Landscape,
    /// Each duplicate merged away, with the statement it was joined with.
    /// Only ids: both were seen by the room, and nothing says who wrote
    /// either.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub merged: BTreeMap<CardId, CardId>,
}

impl Default for Board {
    fn default() -> Self {
        Self {
            on_screen: None,
            names: BTreeMap::new(),
            landscape: Landscape::empty(),
            merged: BTreeMap::new(),
        }
    }
}

// `Landscape` holds floats (a cloud's shape), always finite (see
// `Point::finite`), so equality is an equivalence: the room's messages and
// state, which compare what was sent with what was received, may be `Eq`.
impl Eq for Landscape {}

impl Board {
    pub fn apply(&mut self, change: &BoardChange) {
        match change {
            BoardChange::OnScreen { card } => self.on_screen = card.clone(),
            BoardChange::Named { group, name } => match name {
                Some(name) => {
                    self.names.insert(*group, name.clone());
                }
                None => {
                    self.names.remove(group);
                }
            },
            BoardChange::Kept { landscape } => self.landscape = landscape.clone(),
            BoardChange::Merged { duplicate, into } => {
                self.merged.insert(duplicate.clone(), into.clone());
            }
        }
    }

    /// The statement a duplicate was joined with, if it was merged away.
    pub fn merged_into(&self, duplicate: &CardId) -> Option<&CardId> {
        self.merged.get(duplicate)
    }

    /// A group's name, if the facilitator gave one.
    pub fn name(&self, group: GroupLabel) -> Option<&Label> {
        self.names.get(&group)
    }

    /// Forgets a statement that is gone (withdrawn): off the screen, and
    /// out of the landscape until it is computed again without it.
    pub fn forget(&mut self, card: &CardId) {
        if self.on_screen.as_ref() == Some(card) {
            self.on_screen = None;
        }
        self.merged.remove(card);
        let l = &mut self.landscape;
        l.splits.retain(|s| &s.statement != card);
        l.common_ground.retain(|c| &c.statement != card);
        l.divides.retain(|d| &d.statement != card);
        for g in &mut l.groups {
            g.sets_apart.retain(|a| &a.statement != card);
        }
    }

    /// The board as a phone gets it: names and the statement on screen,
    /// no landscape (a phone is told its own place, privately).
    pub fn for_phone(&self) -> Board {
        Board {
            on_screen: self.on_screen.clone(),
            names: self.names.clone(),
            landscape: Landscape::empty(),
            merged: self.merged.clone(),
        }
    }
}

/// What one phone is told about the statements step, privately: the next
/// statement to answer and where it stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ballot {
    /// The statement to show next (none left: all answered).
    pub next: Option<CardId>,
    /// How many statements this phone has answered.
    pub answered: u32,
    pub place: YourPlace,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::landscape::{CommonGround, Percent, Split, Tally};

    #[test]
    fn a_board_names_groups_and_forgets_withdrawn_statements() {
        let a = GroupLabel::new(0).expect("A");
        let card = CardId::from_random(1);
        let mut board = Board::default();
        board.apply(&BoardChange::Named {
            group: a,
            name: Some(Label::parse("Gardeners").expect("a label")),
        });
        assert_eq!(board.name(a).map(Label::as_str), Some("Gardeners"));
        board.apply(&BoardChange::OnScreen {
            card: Some(card.clone()),
        });
        board.landscape.common_ground.push(CommonGround {
            statement: card.clone(),
            every_group: Percent::of(9, 10),
        });
        board.landscape.splits.push(Split {
            statement: card.clone(),
            room: Tally::shown(5, 0, 0),
            groups: vec![],
        });
        board.forget(&CardId::from_random(2));
        assert_eq!(board.on_screen.as_ref(), Some(&card));
        board.forget(&card);
        assert_eq!(board.on_screen, None);
        assert!(board.landscape.common_ground.is_empty() && board.landscape.splits.is_empty());
        assert_eq!(board.for_phone().names.len(), 1);
        let duplicate = CardId::from_random(3);
        board.apply(&BoardChange::Merged {
            duplicate: duplicate.clone(),
            into: CardId::from_random(4),
        });
        assert_eq!(
            board.for_phone().merged_into(&duplicate),
            Some(&CardId::from_random(4))
        );
        board.forget(&duplicate);
        assert_eq!(board.merged_into(&duplicate), None, "withdrawn: forgotten");
        board.apply(&BoardChange::Named {
            group: a,
            name: None,
        });
        assert_eq!(board.name(a), None);
    }
}
