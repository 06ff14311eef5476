//! What everyone in a gathering can see, and how it changes.
//!
//! `GatheringView` is the public state of one gathering: the agenda, where
//! the room is in it, and the revealed cards. It changes only by applying an
//! `Event`, with the same pure code in the browser and on the server, so a
//! phone that replays the events it missed ends in exactly the state the
//! server holds. Nothing here knows who wrote a card: authorship never
//! enters the public state, so it can never leak from it.

use crate::ids::{CardId, StepId};
use serde::{Deserialize, Serialize};

/// The kinds of exercise a step can be. More kinds join as they are built.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExerciseKind {
    /// Anonymous cards on one prompt.
    Board,
}

/// One step of the agenda as the room sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepView {
    pub id: StepId,
    pub kind: ExerciseKind,
    pub prompt: String,
    /// Whether participants can add reflections to this step now.
    pub collecting: bool,
}

/// A revealed card: its words and nothing about who wrote them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Card {
    pub id: CardId,
    pub step: StepId,
    pub text: String,
}

/// Whether new people can join.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Joining {
    Open,
    Locked,
}

/// Fewer people than this and no live counts are shown: in a small room a
/// count going up points at whoever just moved.
pub const SMALL_ROOM: u32 = 5;

/// How many reflections wait to be revealed, said only as precisely as the
/// room's size allows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "state", content = "count")]
pub enum Waiting {
    #[default]
    None,
    /// Some are waiting; the room is too small to say how many.
    Some,
    Count(u32),
}

/// The live figures a room may see. Both are hidden in a small room.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    /// People who have joined, or `None` in a small room.
    pub people: Option<u32>,
    pub waiting: Waiting,
}

impl Tally {
    /// The figures to publish for `people` joined and `waiting` unrevealed.
    pub fn publish(people: u32, waiting: u32) -> Self {
        let small = people < SMALL_ROOM;
        Self {
            people: (!small).then_some(people),
            waiting: match (waiting, small) {
                (0, _) => Waiting::None,
                (_, true) => Waiting::Some,
                (n, false) => Waiting::Count(n),
            },
        }
    }
}

/// The public state of one gathering.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GatheringView {
    pub title: String,
    pub steps: Vec<StepView>,
    /// Index into `steps` of the step the room is on.
    pub current: usize,
    pub joining: Joining,
    /// Revealed cards, in the shuffled order they were revealed in.
    pub cards: Vec<Card>,
    /// Live figures. Not part of the event log: they change with every
    /// post and join, so the server sends them on their own (`Tally`
    /// messages), a few times a second at most, and in every snapshot.
    pub tally: Tally,
    pub ended: bool,
}

impl GatheringView {
    /// A new gathering with one board step, collecting.
    pub fn new(title: String, first_prompt: String) -> Self {
        Self {
            title,
            steps: vec![StepView {
                id: StepId(1),
                kind: ExerciseKind::Board,
                prompt: first_prompt,
                collecting: true,
            }],
            current: 0,
            joining: Joining::Open,
            cards: Vec::new(),
            tally: Tally::default(),
            ended: false,
        }
    }

    /// The step the room is on.
    pub fn current_step(&self) -> Option<&StepView> {
        self.steps.get(self.current)
    }

    pub fn step(&self, id: StepId) -> Option<&StepView> {
        self.steps.iter().find(|s| s.id == id)
    }

    /// Revealed cards of one step.
    pub fn cards_of(&self, step: StepId) -> impl Iterator<Item = &Card> {
        self.cards.iter().filter(move |c| c.step == step)
    }

    /// Applies one event. Events are facts the server has already checked
    /// and stored, so applying never fails; an event that names something
    /// unknown (a card already withdrawn, say) changes nothing.
    pub fn apply(&mut self, event: &Event) {
        match event {
            Event::CardsRevealed { cards } => {
                for card in cards {
                    if self.step(card.step).is_some() && !self.cards.iter().any(|c| c.id == card.id)
                    {
                        self.cards.push(card.clone());
                    }
                }
            }
            Event::CardWithdrawn { card } => self.cards.retain(|c| &c.id != card),
            Event::CollectingSet { step, open } => {
                if let Some(s) = self.steps.iter_mut().find(|s| s.id == *step) {
                    s.collecting = *open;
                }
            }
            Event::JoiningSet { joining } => self.joining = *joining,
            Event::Ended => {
                self.ended = true;
                self.joining = Joining::Locked;
                for s in &mut self.steps {
                    s.collecting = false;
                }
            }
        }
    }
}

/// A change to the public state, in the order the server decided it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum Event {
    /// A batch of cards, already shuffled, becomes visible to the room.
    CardsRevealed {
        cards: Vec<Card>,
    },
    /// Its author took a card back; it is gone from every view.
    CardWithdrawn {
        card: CardId,
    },
    CollectingSet {
        step: StepId,
        open: bool,
    },
    JoiningSet {
        joining: Joining,
    },
    /// The gathering is over: no joining, no collecting.
    Ended,
}

/// A position in a gathering's event log. The epoch changes whenever
/// history is lost, so a client never stitches events onto a past that no
/// longer exists.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogPosition {
    pub epoch: u64,
    pub seq: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn card(id: u64, step: u32, text: &str) -> Card {
        Card {
            id: CardId::from_random(id),
            step: StepId(step),
            text: text.into(),
        }
    }

    #[test]
    fn reveal_appends_in_given_order_and_ignores_repeats() {
        let mut g = GatheringView::new("t".into(), "p".into());
        let batch = Event::CardsRevealed {
            cards: vec![card(2, 1, "b"), card(1, 1, "a")],
        };
        g.apply(&batch);
        g.apply(&batch);
        let texts: Vec<_> = g.cards.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(texts, ["b", "a"]);
    }

    #[test]
    fn reveal_ignores_cards_of_unknown_steps() {
        let mut g = GatheringView::new("t".into(), "p".into());
        g.apply(&Event::CardsRevealed {
            cards: vec![card(1, 9, "x")],
        });
        assert!(g.cards.is_empty());
    }

    #[test]
    fn withdraw_removes_only_that_card_and_tolerates_unknown() {
        let mut g = GatheringView::new("t".into(), "p".into());
        g.apply(&Event::CardsRevealed {
            cards: vec![card(1, 1, "a"), card(2, 1, "b")],
        });
        g.apply(&Event::CardWithdrawn {
            card: CardId::from_random(1),
        });
        g.apply(&Event::CardWithdrawn {
            card: CardId::from_random(77),
        });
        assert_eq!(g.cards, vec![card(2, 1, "b")]);
    }

    #[test]
    fn ending_closes_everything() {
        let mut g = GatheringView::new("t".into(), "p".into());
        g.apply(&Event::Ended);
        assert!(g.ended);
        assert_eq!(g.joining, Joining::Locked);
        assert!(g.steps.iter().all(|s| !s.collecting));
    }

    #[test]
    fn small_rooms_publish_no_counts() {
        assert_eq!(
            Tally::publish(4, 3),
            Tally {
                people: None,
                waiting: Waiting::Some
            }
        );
        assert_eq!(
            Tally::publish(4, 0),
            Tally {
                people: None,
                waiting: Waiting::None
            }
        );
        assert_eq!(
            Tally::publish(5, 3),
            Tally {
                people: Some(5),
                waiting: Waiting::Count(3)
            }
        );
    }

    #[test]
    fn replaying_events_reaches_the_same_state() {
        let events = vec![
            Event::CardsRevealed {
                cards: vec![card(1, 1, "a")],
            },
            Event::CollectingSet {
                step: StepId(1),
                open: false,
            },
            Event::CardsRevealed {
                cards: vec![card(2, 1, "b")],
            },
            Event::CardWithdrawn {
                card: CardId::from_random(1),
            },
            Event::JoiningSet {
                joining: Joining::Locked,
            },
        ];
        let mut live = GatheringView::new("t".into(), "p".into());
        let mut snapshot_then_rest = GatheringView::new("t".into(), "p".into());
        for e in &events {
            live.apply(e);
        }
        for e in &events[..2] {
            snapshot_then_rest.apply(e);
        }
        let mut resumed = serde_json::from_str::<GatheringView>(
            &serde_json::to_string(&snapshot_then_rest).unwrap(),
        )
        .unwrap();
        for e in &events[2..] {
            resumed.apply(e);
        }
        assert_eq!(live, resumed);
    }
}
