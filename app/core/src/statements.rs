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

use crate::error::ErrorCode;
use crate::ids::CardId;
use crate::landscape::{GroupLabel, Landscape, YourPlace};
use crate::reflection::ReflectionText;
use crate::words::Label;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The most characters a statement may have: short enough to read from
/// the back of a hall and to answer in a breath.
pub const STATEMENT_MAX_CHARS: usize = 140;

/// Checks a statement's length (the words were cleaned when read).
pub fn check_length(text: &str) -> Result<(), ErrorCode> {
    if text.chars().count() > STATEMENT_MAX_CHARS {
        Err(ErrorCode::StatementTooLong)
    } else {
        Ok(())
    }
}

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
}

impl Default for Board {
    fn default() -> Self {
        Self {
            on_screen: None,
            names: BTreeMap::new(),
            landscape: Landscape::empty(),
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
        }
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
    fn statements_over_140_characters_are_refused() {
        assert_eq!(check_length(&"a".repeat(STATEMENT_MAX_CHARS)), Ok(()));
        assert_eq!(
            check_length(&"a".repeat(STATEMENT_MAX_CHARS + 1)),
            Err(ErrorCode::StatementTooLong)
        );
        // Characters, not bytes.
        assert_eq!(check_length(&"ñ".repeat(STATEMENT_MAX_CHARS)), Ok(()));
    }

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
        board.apply(&BoardChange::Named {
            group: a,
            name: None,
        });
        assert_eq!(board.name(a), None);
    }
}
