//! The exercise library's kinds, and what one step of an agenda is set up
//! with.
//!
//! A step is an `Exercise` (its kind and that kind's settings) plus the
//! prompt the room sees. Everything the facilitator writes here is `Words`
//! checked against a length limit when it is read, so a step that exists is
//! a step that is valid; `Exercise::check` adds the rules about shape (how
//! many columns, lines or dots). Which reflections and marks a step accepts
//! is decided here too, by the same code in the browser and on the server.

use crate::error::ErrorCode;
use crate::groups::{GroupSize, RoleSet};
use crate::ids::CardId;
use crate::map::{Axes, Axis};
use crate::reflection::ReflectionText;
use crate::words::{Label, Prompt};
use serde::{Deserialize, Serialize};

/// The most columns a board can have.
pub const MAX_COLUMNS: usize = 4;
/// The most lines a scenario can have.
pub const MAX_LINES: usize = 20;
/// The most dots a person can have to vote with.
pub const MAX_BUDGET: u8 = 10;
/// The most steps an agenda can have.
pub const MAX_STEPS: usize = 30;
/// The most rounds a small groups step can have.
pub const MAX_ROUNDS: u8 = 4;
/// The longest a small groups round can be, in minutes.
pub const MAX_ROUND_MINUTES: u8 = 60;
/// The most characters a statement may have: short enough to read from
/// the back of a hall and to answer in a breath.
pub const STATEMENT_MAX_CHARS: usize = 140;

/// Checks a statement's length (the words were cleaned when read): a
/// participant's, a seed in the step's settings, or one seeded live.
pub fn check_statement(text: &str) -> Result<(), ErrorCode> {
    if text.chars().count() > STATEMENT_MAX_CHARS {
        Err(ErrorCode::StatementTooLong)
    } else {
        Ok(())
    }
}

/// The most statements a statements step can be set up with (seeds):
/// enough to start a room talking, few enough to leave it the room's own.
pub const MAX_SEEDS: usize = 12;

/// The kinds of exercise, without their settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExerciseKind {
    Board,
    Reframe,
    Spectrum,
    Scenario,
    MovingTowards,
    GiveReceive,
    Map,
    Statements,
    SmallGroups,
}

impl ExerciseKind {
    /// Every kind, in the order the library lists them.
    pub const ALL: [ExerciseKind; 9] = [
        ExerciseKind::Board,
        ExerciseKind::Map,
        ExerciseKind::Reframe,
        ExerciseKind::Spectrum,
        ExerciseKind::Scenario,
        ExerciseKind::MovingTowards,
        ExerciseKind::GiveReceive,
        ExerciseKind::Statements,
        ExerciseKind::SmallGroups,
    ];

    /// The name used in URLs, forms and test ids.
    pub fn slug(self) -> &'static str {
        match self {
            ExerciseKind::Board => "board",
            ExerciseKind::Reframe => "reframe",
            ExerciseKind::Spectrum => "spectrum",
            ExerciseKind::Scenario => "scenario",
            ExerciseKind::MovingTowards => "moving_towards",
            ExerciseKind::GiveReceive => "give_receive",
            ExerciseKind::Map => "map",
            ExerciseKind::Statements => "statements",
            ExerciseKind::SmallGroups => "small_groups",
        }
    }
}

/// One line of a scenario's dialogue.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Line {
    pub speaker: Label,
    pub text: Prompt,
}

/// A kind of exercise with its settings.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Exercise {
    /// Anonymous cards on one prompt, in optional columns.
    Board {
        #[serde(default)]
        columns: Vec<Label>,
    },
    /// Stories or labels in the words people were given; after the reveal,
    /// anonymous reframes under a card ("what happened?").
    Reframe,
    /// A slider between two poles; the room sees only the distribution.
    Spectrum { left: Label, right: Label },
    /// A dialogue shown line by line, whose lines people tag.
    Scenario { lines: Vec<Line> },
    /// "Away from" turned into "towards", then dot voting on the towards.
    MovingTowards { budget: u8 },
    /// What I can offer, and what I hope to learn, side by side.
    GiveReceive { offer: Label, learn: Label },
    /// Stories placed on a worldview map: where each was learned, and how
    /// it feels, by everyone; the room sees where they agree and differ.
    Map { across: Axis, up: Axis },
    /// Short statements everyone answers agree, disagree or pass; the room
    /// sees its opinion groups and common ground. With `pre_screen`, a
    /// statement waits for the facilitator before it is put to the room.
    /// `seeds` are the facilitator's own statements, put to the room when
    /// the step opens (each once: see `rules/statements.rs`).
    Statements {
        #[serde(default)]
        pre_screen: bool,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        seeds: Vec<ReflectionText>,
    },
    /// Practice in pairs, triads or small tables: phones dealt into
    /// groups, rounds on a timer with roles that rotate, a private board
    /// per group, and the cards a group agrees to bring back to the room.
    SmallGroups {
        size: GroupSize,
        rounds: u8,
        /// Minutes per round (the round's timer).
        minutes: u8,
        roles: RoleSet,
        /// A prompt per round (the step's prompt where none is given).
        #[serde(default)]
        prompts: Vec<Prompt>,
        /// Whether cards brought back carry their group's sign.
        #[serde(default)]
        show_sign: bool,
    },
}

/// Where a participant puts a reflection within a step.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "at")]
pub enum Place {
    /// On the board of a step without columns (or a story, in a reframe).
    #[default]
    Board,
    /// In one column of a board, or one side of give and receive.
    Column { column: u8 },
    /// A "move towards" statement, with what it moves away from, if given.
    Toward {
        #[serde(default)]
        from: Option<ReflectionText>,
    },
    /// A reframe under a revealed story.
    Under { card: CardId },
    /// Brought back to the room by a small group, with the group's number
    /// if the facilitator chose to show it.
    Brought {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        group: Option<u32>,
    },
}

impl Place {
    /// What a "towards" moves away from, if its author said.
    pub fn away_from(&self) -> Option<&str> {
        match self {
            Place::Toward { from: Some(from) } => Some(from.as_str()),
            _ => None,
        }
    }

    /// The same place with no participant's words in it.
    pub fn without_words(&self) -> Place {
        match self {
            Place::Toward { .. } => Place::Toward { from: None },
            other => other.clone(),
        }
    }
}

impl Exercise {
    pub fn kind(&self) -> ExerciseKind {
        match self {
            Exercise::Board { .. } => ExerciseKind::Board,
            Exercise::Reframe => ExerciseKind::Reframe,
            Exercise::Spectrum { .. } => ExerciseKind::Spectrum,
            Exercise::Scenario { .. } => ExerciseKind::Scenario,
            Exercise::MovingTowards { .. } => ExerciseKind::MovingTowards,
            Exercise::GiveReceive { .. } => ExerciseKind::GiveReceive,
            Exercise::Map { .. } => ExerciseKind::Map,
            Exercise::Statements { .. } => ExerciseKind::Statements,
            Exercise::SmallGroups { .. } => ExerciseKind::SmallGroups,
        }
    }

    /// A map's two axes.
    pub fn axes(&self) -> Option<Axes<'_>> {
        match self {
            Exercise::Map { across, up } => Some(Axes { across, up }),
            _ => None,
        }
    }

    /// Checks the settings' shape (the words were checked when read).
    pub fn check(&self) -> Result<(), ErrorCode> {
        match self {
            Exercise::Board { columns } if columns.len() > MAX_COLUMNS => {
                Err(ErrorCode::BadSettings)
            }
            Exercise::Scenario { lines } if lines.is_empty() || lines.len() > MAX_LINES => {
                Err(ErrorCode::BadSettings)
            }
            Exercise::MovingTowards { budget } if *budget == 0 || *budget > MAX_BUDGET => {
                Err(ErrorCode::BadSettings)
            }
            Exercise::Map { across, up } if !across.is_valid() || !up.is_valid() => {
                Err(ErrorCode::BadSettings)
            }
            Exercise::Statements { seeds, .. } if seeds.len() > MAX_SEEDS => {
                Err(ErrorCode::BadSettings)
            }
            // A seed is a statement: the same limit, the same message.
            Exercise::Statements { seeds, .. } => {
                seeds.iter().try_for_each(|s| check_statement(s.as_str()))
            }
            Exercise::SmallGroups {
                rounds,
                minutes,
                prompts,
                ..
            } if !(1..=MAX_ROUNDS).contains(rounds)
                || !(1..=MAX_ROUND_MINUTES).contains(minutes)
                || prompts.len() > usize::from(*rounds) =>
            {
                Err(ErrorCode::BadSettings)
            }
            _ => Ok(()),
        }
    }

    /// Whether `other` only rewords this exercise: same kind, same number
    /// of columns or lines. Only rewording is allowed once a step holds
    /// reflections or marks, so nothing anyone added loses its place.
    pub fn same_shape(&self, other: &Exercise) -> bool {
        match (self, other) {
            (Exercise::Board { columns: a }, Exercise::Board { columns: b }) => a.len() == b.len(),
            (Exercise::Scenario { lines: a }, Exercise::Scenario { lines: b }) => {
                a.len() == b.len()
            }
            (Exercise::MovingTowards { budget: a }, Exercise::MovingTowards { budget: b }) => {
                b >= a
            }
            (Exercise::Map { across: a, up: b }, Exercise::Map { across: c, up: d }) => {
                a.same_shape(c) && b.same_shape(d)
            }
            // Groups dealt and rounds under way keep their size, rounds and
            // roles; the minutes, prompts and the sign may change.
            (
                Exercise::SmallGroups {
                    size: a,
                    rounds: b,
                    roles: c,
                    ..
                },
                Exercise::SmallGroups {
                    size: d,
                    rounds: e,
                    roles: f,
                    ..
                },
            ) => a == d && b == e && c == f,
            (a, b) => a.kind() == b.kind(),
        }
    }

    /// Whether people write reflections in this step.
    pub fn takes_reflections(&self) -> bool {
        !matches!(self, Exercise::Spectrum { .. } | Exercise::Scenario { .. })
    }

    /// The column labels a reflection chooses from (empty: no choice).
    pub fn columns(&self) -> Vec<&Label> {
        match self {
            Exercise::Board { columns } => columns.iter().collect(),
            Exercise::GiveReceive { offer, learn } => vec![offer, learn],
            _ => Vec::new(),
        }
    }

    /// Checks where a reflection goes. `story` says whether a card is a
    /// revealed, visible story of this step that a reframe may sit under.
    pub fn accepts(&self, place: &Place, story: impl Fn(&CardId) -> bool) -> Result<(), ErrorCode> {
        let columns = self.columns().len();
        match (self, place) {
            (Exercise::Spectrum { .. } | Exercise::Scenario { .. }, _) => {
                Err(ErrorCode::NoReflections)
            }
            (Exercise::Board { .. }, Place::Board) if columns == 0 => Ok(()),
            (Exercise::Board { .. } | Exercise::GiveReceive { .. }, Place::Column { column })
                if usize::from(*column) < columns =>
            {
                Ok(())
            }
            (
                Exercise::Reframe | Exercise::Map { .. } | Exercise::Statements { .. },
                Place::Board,
            ) => Ok(()),
            (Exercise::Reframe, Place::Under { card }) if story(card) => Ok(()),
            (Exercise::Reframe, Place::Under { .. }) => Err(ErrorCode::UnknownCard),
            (Exercise::MovingTowards { .. }, Place::Toward { .. }) => Ok(()),
            // Small groups write on their group's board; only what a group
            // agrees to bring back reaches the room (`Place::Brought`).
            _ => Err(ErrorCode::WrongPlace),
        }
    }

    /// The prompt of round `round` (from 1) of a small groups step, if it
    /// has its own.
    pub fn round_prompt(&self, round: u8) -> Option<&Prompt> {
        match self {
            Exercise::SmallGroups { prompts, .. } => prompts.get(usize::from(round.max(1)) - 1),
            _ => None,
        }
    }

    /// The number of lines a scenario has (0 for other kinds).
    pub fn line_count(&self) -> usize {
        match self {
            Exercise::Scenario { lines } => lines.len(),
            _ => 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn label(s: &str) -> Label {
        Label::parse(s).unwrap()
    }

    #[test]
    fn shapes_are_checked() {
        let five = Exercise::Board {
            columns: (0..5).map(|i| label(&i.to_string())).collect(),
        };
        assert_eq!(five.check(), Err(ErrorCode::BadSettings));
        assert_eq!(
            Exercise::Scenario { lines: vec![] }.check(),
            Err(ErrorCode::BadSettings)
        );
        assert_eq!(
            Exercise::MovingTowards { budget: 0 }.check(),
            Err(ErrorCode::BadSettings)
        );
        assert_eq!(Exercise::MovingTowards { budget: 3 }.check(), Ok(()));
    }

    #[test]
    fn places_follow_the_kind() {
        let none = |_: &CardId| false;
        let plain = Exercise::Board { columns: vec![] };
        assert_eq!(plain.accepts(&Place::Board, none), Ok(()));
        assert_eq!(
            plain.accepts(&Place::Column { column: 0 }, none),
            Err(ErrorCode::WrongPlace)
        );
        let give = Exercise::GiveReceive {
            offer: label("offer"),
            learn: label("learn"),
        };
        assert_eq!(give.accepts(&Place::Column { column: 1 }, none), Ok(()));
        assert_eq!(
            give.accepts(&Place::Column { column: 2 }, none),
            Err(ErrorCode::WrongPlace)
        );
        assert_eq!(
            give.accepts(&Place::Board, none),
            Err(ErrorCode::WrongPlace)
        );
        let spectrum = Exercise::Spectrum {
            left: label("fear"),
            right: label("hope"),
        };
        assert_eq!(
            spectrum.accepts(&Place::Board, none),
            Err(ErrorCode::NoReflections)
        );
        let story = CardId::from_random(1);
        let is_story = |c: &CardId| *c == CardId::from_random(1);
        assert_eq!(
            Exercise::Reframe.accepts(&Place::Under { card: story }, is_story),
            Ok(())
        );
        assert_eq!(
            Exercise::Reframe.accepts(
                &Place::Under {
                    card: CardId::from_random(2)
                },
                is_story
            ),
            Err(ErrorCode::UnknownCard)
        );
        assert_eq!(
            Exercise::MovingTowards { budget: 3 }.accepts(&Place::Toward { from: None }, none),
            Ok(())
        );
    }

    fn groups(rounds: u8, minutes: u8, prompts: usize) -> Exercise {
        Exercise::SmallGroups {
            size: GroupSize::new(3).unwrap(),
            rounds,
            minutes,
            roles: RoleSet::IpsTriad,
            prompts: (0..prompts)
                .map(|i| Prompt::parse(&format!("round {i}")).unwrap())
                .collect(),
            show_sign: false,
        }
    }

    #[test]
    fn small_groups_settings_are_checked_and_take_no_reflection_straight_to_the_room() {
        assert_eq!(groups(3, 10, 3).check(), Ok(()));
        assert_eq!(groups(0, 10, 0).check(), Err(ErrorCode::BadSettings));
        assert_eq!(groups(5, 10, 0).check(), Err(ErrorCode::BadSettings));
        assert_eq!(groups(3, 0, 0).check(), Err(ErrorCode::BadSettings));
        assert_eq!(groups(3, 61, 0).check(), Err(ErrorCode::BadSettings));
        assert_eq!(groups(2, 10, 3).check(), Err(ErrorCode::BadSettings));
        let none = |_: &CardId| false;
        for place in [Place::Board, Place::Brought { group: Some(1) }] {
            assert_eq!(
                groups(3, 10, 0).accepts(&place, none),
                Err(ErrorCode::WrongPlace)
            );
        }
        assert!(groups(3, 10, 0).takes_reflections());
        assert!(groups(3, 10, 0).same_shape(&groups(3, 20, 2)));
        assert!(!groups(3, 10, 0).same_shape(&groups(2, 10, 0)));
        let g = groups(3, 10, 2);
        assert_eq!(g.round_prompt(2).map(|p| p.as_str()), Some("round 1"));
        assert_eq!(g.round_prompt(3), None);
        let json = serde_json::to_string(&g).unwrap();
        assert_eq!(serde_json::from_str::<Exercise>(&json).unwrap(), g);
        assert!(
            serde_json::from_str::<Exercise>(&json.replace("\"size\":3", "\"size\":7")).is_err()
        );
    }

    #[test]
    fn statements_over_140_characters_are_refused() {
        assert_eq!(check_statement(&"a".repeat(STATEMENT_MAX_CHARS)), Ok(()));
        assert_eq!(
            check_statement(&"a".repeat(STATEMENT_MAX_CHARS + 1)),
            Err(ErrorCode::StatementTooLong)
        );
        // Characters, not bytes.
        assert_eq!(check_statement(&"ñ".repeat(STATEMENT_MAX_CHARS)), Ok(()));
    }

    #[test]
    fn seeds_are_statements_and_older_steps_without_them_still_load() {
        let seed = |n: usize| ReflectionText::parse(&"a".repeat(n)).unwrap();
        let step = |seeds: Vec<ReflectionText>| Exercise::Statements {
            pre_screen: false,
            seeds,
        };
        assert_eq!(step(vec![seed(140)]).check(), Ok(()));
        assert_eq!(
            step(vec![seed(3), seed(141)]).check(),
            Err(ErrorCode::StatementTooLong)
        );
        let many = (0..=MAX_SEEDS).map(|_| seed(3)).collect();
        assert_eq!(step(many).check(), Err(ErrorCode::BadSettings));
        // A step stored before seeds existed reads as one without any.
        let old: Exercise =
            serde_json::from_str(r#"{"kind":"statements","pre_screen":true}"#).unwrap();
        assert_eq!(
            old,
            Exercise::Statements {
                pre_screen: true,
                seeds: vec![]
            }
        );
        // Seeds may change once the step is in use: they only add.
        assert!(step(vec![]).same_shape(&step(vec![seed(3)])));
    }

    #[test]
    fn rewording_keeps_the_shape() {
        let a = Exercise::Board {
            columns: vec![label("a"), label("b")],
        };
        let reworded = Exercise::Board {
            columns: vec![label("c"), label("d")],
        };
        let fewer = Exercise::Board {
            columns: vec![label("c")],
        };
        assert!(a.same_shape(&reworded));
        assert!(!a.same_shape(&fewer));
        assert!(!a.same_shape(&Exercise::Reframe));
        assert!(Exercise::MovingTowards { budget: 3 }
            .same_shape(&Exercise::MovingTowards { budget: 5 }));
        assert!(!Exercise::MovingTowards { budget: 3 }
            .same_shape(&Exercise::MovingTowards { budget: 2 }));
    }
}
