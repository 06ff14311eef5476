//! The WebSocket protocol between a view and the server.
//!
//! Every message is one JSON object with a `type`. A client sends actions,
//! each with its own `ActionId`; the server answers each with exactly one
//! `ack` or `error` carrying that id, and sends the room's events in log
//! order. What a connection may do is fixed by its role when it connects:
//! the server checks every action against that role.

use crate::error::ErrorCode;
use crate::exercise::Place;
use crate::gathering::{Event, GatheringView, LogPosition, ScreenSettings, StepSpec};
use crate::ids::{ActionId, CardId, StepId};
use crate::landscape::Landscape;
use crate::map::MapChange;
use crate::marks::{Mark, Tag, Totals};
use crate::reflection::{ReflectionError, ReflectionText};
use crate::statements::StatementsChange;
use crate::timer::TimerAction;
use crate::words::{Label, WordsError};
use serde::{Deserialize, Serialize};

/// The largest message a participant may send, in bytes. A reflection is
/// at most 500 characters (up to 2,000 bytes of UTF-8), with what it moves
/// away from as much again, plus a little framing.
pub const MAX_CLIENT_MESSAGE_BYTES: usize = 6 * 1024;
/// The largest message a facilitator may send: a whole scenario step.
pub const MAX_FACILITATOR_MESSAGE_BYTES: usize = 32 * 1024;

/// Who is on the other end of a connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Facilitator,
    Screen,
    Participant,
}

impl Role {
    /// The largest message this role may send.
    pub fn message_limit(self) -> usize {
        match self {
            Role::Facilitator => MAX_FACILITATOR_MESSAGE_BYTES,
            Role::Screen | Role::Participant => MAX_CLIENT_MESSAGE_BYTES,
        }
    }
}

/// A message from a view to the server.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum ClientMsg {
    /// Do something; answered by `Ack` or `Error` with the same id.
    Act { id: ActionId, action: Action },
}

/// A facilitator's decision about one card. Nothing in it, or in what it
/// changes, says who wrote the card.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Moderation {
    Hide,
    Unhide,
    Blur,
    Unblur,
}

/// Everything a view can ask the server to do.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Action {
    /// Participant: add a reflection to the current step, if it is open.
    AddReflection {
        step: StepId,
        text: ReflectionText,
        #[serde(default)]
        place: Place,
        /// A content note: the screen blurs it until the facilitator shows it.
        #[serde(default)]
        sensitive: bool,
    },
    /// Participant: take back one of your own reflections.
    Withdraw {
        card: CardId,
    },
    /// Participant: place, tag, vote or resonate (or take it back).
    Mark {
        mark: Mark,
    },
    /// Facilitator: show the current step's waiting reflections, shuffled.
    Reveal,
    /// Facilitator: open or close collecting on a step.
    SetCollecting {
        step: StepId,
        open: bool,
    },
    /// Facilitator: let a step reveal by itself, in shuffled batches of at
    /// least three people's words, or only when asked.
    SetLive {
        step: StepId,
        live: bool,
    },
    /// Facilitator: lock or unlock joining.
    SetJoiningLocked {
        locked: bool,
    },
    /// Facilitator: move the room to a step.
    GoTo {
        step: StepId,
    },
    /// Facilitator: show a scenario's first `count` lines.
    ShowLines {
        step: StepId,
        count: u16,
    },
    /// Facilitator: hide, show, blur or unblur a card.
    Moderate {
        card: CardId,
        change: Moderation,
    },
    Timer {
        timer: TimerAction,
    },
    /// Facilitator: add a step to the agenda at a position.
    AddStep {
        at: u32,
        spec: StepSpec,
    },
    /// Facilitator: reword a step (or reshape one nobody has added to).
    EditStep {
        step: StepId,
        spec: StepSpec,
    },
    MoveStep {
        step: StepId,
        to: u32,
    },
    /// Facilitator: remove a step nobody has added anything to.
    RemoveStep {
        step: StepId,
    },
    /// Facilitator: keep this agenda as a template for new gatherings.
    SaveTemplate {
        name: Label,
    },
    /// Facilitator: end the gathering.
    End,
    /// Facilitator: change a map's arrangement (drag a card, name, gather,
    /// link, dissolve, zoom).
    Arrange {
        step: StepId,
        change: MapChange,
    },
    /// Facilitator: start a theme on a map with these cards in it.
    NewTheme {
        step: StepId,
        name: Label,
        #[serde(default)]
        cards: Vec<CardId>,
    },
    /// Facilitator: set the shared screen's language and colours.
    SetScreen {
        screen: ScreenSettings,
    },
    /// Facilitator: seed, let in, keep out or merge statements, put one on
    /// screen, name a group (a statements step).
    Statements {
        step: StepId,
        change: StatementsChange,
    },
    /// Participant: write on your small group's board (your group sees it
    /// at once; nobody else does).
    GroupWrite {
        step: StepId,
        text: ReflectionText,
    },
    /// Participant, as this round's observer: note a disconnect or a
    /// connection, kept to yourself unless you share it.
    GroupNote {
        step: StepId,
        tag: Tag,
        #[serde(default)]
        text: Option<ReflectionText>,
    },
    /// Participant: show one of your private notes to your group.
    GroupShare {
        card: CardId,
    },
    /// Participant: propose a card of your group's board for the room.
    GroupPropose {
        card: CardId,
    },
    /// Participant: agree to another member's proposal; the card goes to
    /// the room's board, to be revealed with the others.
    GroupAgree {
        card: CardId,
    },
    /// Facilitator: deal the phones in the room into groups (again), and
    /// begin again from the first round. Once the groups have written,
    /// a deal is refused (`GroupsWriting`) unless `forget_boards` says
    /// the facilitator was asked and agreed that what the groups wrote
    /// and did not bring back goes.
    GroupsDeal {
        #[serde(default)]
        forget_boards: bool,
    },
    /// Facilitator: move the person at `place` (from 1) of group `from` to
    /// group `to`, when they ask.
    GroupsMove {
        from: u32,
        place: u32,
        to: u32,
    },
    /// Facilitator: begin round `round` (from 1), with its timer.
    GroupsRound {
        round: u8,
    },
    /// Facilitator: bring everyone back to the room.
    GroupsBack,
}

impl Action {
    /// The roles allowed to send this action.
    pub fn allowed_for(&self, role: Role) -> bool {
        match self {
            Action::AddReflection { .. }
            | Action::Withdraw { .. }
            | Action::Mark { .. }
            | Action::GroupWrite { .. }
            | Action::GroupNote { .. }
            | Action::GroupShare { .. }
            | Action::GroupPropose { .. }
            | Action::GroupAgree { .. } => role == Role::Participant,
            Action::Reveal
            | Action::SetCollecting { .. }
            | Action::SetJoiningLocked { .. }
            | Action::SetLive { .. }
            | Action::GoTo { .. }
            | Action::ShowLines { .. }
            | Action::Moderate { .. }
            | Action::Timer { .. }
            | Action::AddStep { .. }
            | Action::EditStep { .. }
            | Action::MoveStep { .. }
            | Action::RemoveStep { .. }
            | Action::SaveTemplate { .. }
            | Action::End
            | Action::Arrange { .. }
            | Action::NewTheme { .. }
            | Action::SetScreen { .. }
            | Action::Statements { .. }
            | Action::GroupsDeal { .. }
            | Action::GroupsMove { .. }
            | Action::GroupsRound { .. }
            | Action::GroupsBack => role == Role::Facilitator,
        }
    }
}

/// One of the participant's own reflections, shown only to them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnCard {
    pub id: CardId,
    pub step: StepId,
    pub text: String,
    #[serde(default)]
    pub place: Place,
    #[serde(default)]
    pub sensitive: bool,
    pub revealed: bool,
}

/// What an accepted action produced.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Outcome {
    /// A reflection is stored (durably) under this id.
    Added {
        card: OwnCard,
    },
    Withdrawn {
        card: CardId,
    },
    /// A mark is stored as given (or taken back).
    Marked {
        mark: Mark,
    },
    Done,
}

/// A message from the server to a view.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum ServerMsg {
    /// The whole public state at a log position; replaces what the view
    /// had. `now` is the server's clock (ms), for the timer.
    Snapshot {
        at: LogPosition,
        gathering: GatheringView,
        now: u64,
    },
    /// The next event in the log.
    Event {
        seq: u64,
        event: Event,
    },
    /// The room's live figures now; outside the event log, coalesced.
    Tally {
        tally: crate::gathering::Tally,
    },
    /// A step's totals: the spectrum and lines whole, and the cards whose
    /// totals changed. Outside the event log, coalesced.
    Totals {
        step: StepId,
        totals: Totals,
    },
    /// A statements step's landscape, recomputed from the votes (outside
    /// the log, like totals).
    Landscape {
        step: StepId,
        landscape: Landscape,
    },
    /// The current statements step's statements waiting to be let in
    /// (pre-screen), oldest first, with their words: sent to facilitators
    /// alone, whole, each time it changes (nobody else may read a
    /// statement not let in).
    Queue {
        queue: Vec<(CardId, String)>,
    },
    /// A participant's own reflections and marks (sent only to them).
    Mine {
        cards: Vec<OwnCard>,
        marks: Vec<Mark>,
    },
    Ack {
        id: ActionId,
        outcome: Outcome,
    },
    /// A small group's board changed: its members' phones fetch their own
    /// part again. Only the group's number travels, outside the log.
    Group {
        group: u32,
    },
    Error {
        id: Option<ActionId>,
        code: ErrorCode,
    },
}

impl ClientMsg {
    /// Reads a message from a connection of `role`. Words that break their
    /// rules are reported as such (with the action's id), not as a
    /// malformed message, so the view can say what to change.
    pub fn decode(text: &str, role: Role) -> Result<Self, (Option<ActionId>, ErrorCode)> {
        if text.len() > role.message_limit() {
            return Err((None, ErrorCode::TooLarge));
        }
        serde_json::from_str::<ClientMsg>(text).map_err(|e| (Self::id_of(text), Self::explain(&e)))
    }

    /// The action id of a message that could not be read, if it has one.
    fn id_of(text: &str) -> Option<ActionId> {
        let value = serde_json::from_str::<serde_json::Value>(text).ok()?;
        ActionId::parse(value.get("id")?.as_str()?).ok()
    }

    /// Names a broken rule from the reader's error: the rules' own messages
    /// are distinct, so the first words say which one it was.
    fn explain(error: &serde_json::Error) -> ErrorCode {
        let said = error.to_string();
        let rules = [
            (ReflectionError::Empty.to_string(), ErrorCode::Empty),
            (ReflectionError::TooLong.to_string(), ErrorCode::TooLong),
            (WordsError::Missing.to_string(), ErrorCode::WordsMissing),
            (WordsError::TooLong.to_string(), ErrorCode::WordsTooLong),
        ];
        rules
            .into_iter()
            .find(|(rule, _)| said.starts_with(rule.as_str()))
            .map(|(_, code)| code)
            .unwrap_or(ErrorCode::Malformed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exercise::Exercise;
    use crate::words::{Prompt, PROMPT_MAX_CHARS};

    const ID: &str = "abcdefgh12";

    fn id() -> ActionId {
        ActionId::parse(ID).unwrap()
    }

    #[test]
    fn actions_round_trip() {
        let msg = ClientMsg::Act {
            id: id(),
            action: Action::AddReflection {
                step: StepId(1),
                text: ReflectionText::parse("hi").unwrap(),
                place: Place::Toward {
                    from: Some(ReflectionText::parse("fear").unwrap()),
                },
                sensitive: true,
            },
        };
        let json = serde_json::to_string(&msg).unwrap();
        assert_eq!(ClientMsg::decode(&json, Role::Participant).unwrap(), msg);
    }

    #[test]
    fn a_plain_reflection_needs_no_place() {
        let plain = r#"{"type":"act","id":"abcdefgh12","action":{"kind":"add_reflection","step":1,"text":"hi"}}"#;
        let Ok(ClientMsg::Act {
            action: Action::AddReflection {
                place, sensitive, ..
            },
            ..
        }) = ClientMsg::decode(plain, Role::Participant)
        else {
            panic!("a plain reflection reads");
        };
        assert_eq!(place, Place::Board);
        assert!(!sensitive);
    }

    #[test]
    fn bad_reflections_are_named_with_their_id() {
        let empty = r#"{"type":"act","id":"abcdefgh12","action":{"kind":"add_reflection","step":1,"text":"  "}}"#;
        assert_eq!(
            ClientMsg::decode(empty, Role::Participant),
            Err((Some(id()), ErrorCode::Empty))
        );
        let long = format!(
            r#"{{"type":"act","id":"abcdefgh12","action":{{"kind":"add_reflection","step":1,"text":"{}"}}}}"#,
            "x".repeat(501)
        );
        assert_eq!(
            ClientMsg::decode(&long, Role::Participant),
            Err((Some(id()), ErrorCode::TooLong))
        );
    }

    #[test]
    fn bad_prompts_and_labels_are_named() {
        let step = |prompt: &str, left: &str| {
            format!(
                r#"{{"type":"act","id":"{ID}","action":{{"kind":"edit_step","step":1,"spec":{{"prompt":"{prompt}","exercise":{{"kind":"spectrum","left":"{left}","right":"hope"}}}}}}}}"#
            )
        };
        let long_prompt = step(&"p".repeat(PROMPT_MAX_CHARS + 1), "fear");
        assert_eq!(
            ClientMsg::decode(&long_prompt, Role::Facilitator),
            Err((Some(id()), ErrorCode::WordsTooLong))
        );
        let long_label = step("ok", &"l".repeat(61));
        assert_eq!(
            ClientMsg::decode(&long_label, Role::Facilitator),
            Err((Some(id()), ErrorCode::WordsTooLong))
        );
        let no_label = step("ok", " ");
        assert_eq!(
            ClientMsg::decode(&no_label, Role::Facilitator),
            Err((Some(id()), ErrorCode::WordsMissing))
        );
        let fine = step("ok", "fear");
        let Ok(ClientMsg::Act {
            action: Action::EditStep { spec, .. },
            ..
        }) = ClientMsg::decode(&fine, Role::Facilitator)
        else {
            panic!("a good step reads");
        };
        assert_eq!(spec.prompt, Prompt::parse("ok").unwrap());
        assert!(matches!(spec.exercise, Exercise::Spectrum { .. }));
    }

    #[test]
    fn garbage_is_malformed_and_huge_is_too_large() {
        assert_eq!(
            ClientMsg::decode("{nope", Role::Participant),
            Err((None, ErrorCode::Malformed))
        );
        assert_eq!(
            ClientMsg::decode(r#"{"type":"act"}"#, Role::Participant),
            Err((None, ErrorCode::Malformed))
        );
        assert_eq!(
            ClientMsg::decode(
                r#"{"type":"act","id":"abcdefgh12","action":{"kind":"fly"}}"#,
                Role::Participant
            ),
            Err((Some(id()), ErrorCode::Malformed))
        );
        let big = "x".repeat(MAX_CLIENT_MESSAGE_BYTES + 1);
        assert_eq!(
            ClientMsg::decode(&big, Role::Participant),
            Err((None, ErrorCode::TooLarge))
        );
        // A facilitator may send more (a whole scenario), but not without end.
        assert_eq!(
            ClientMsg::decode(&big, Role::Facilitator),
            Err((None, ErrorCode::Malformed))
        );
        assert_eq!(
            ClientMsg::decode(
                &"x".repeat(MAX_FACILITATOR_MESSAGE_BYTES + 1),
                Role::Facilitator
            ),
            Err((None, ErrorCode::TooLarge))
        );
    }

    #[test]
    fn roles_are_checked_per_action() {
        let add = Action::AddReflection {
            step: StepId(1),
            text: ReflectionText::parse("a").unwrap(),
            place: Place::Board,
            sensitive: false,
        };
        assert!(add.allowed_for(Role::Participant));
        assert!(!add.allowed_for(Role::Facilitator));
        assert!(!add.allowed_for(Role::Screen));
        let facilitating = [
            Action::Reveal,
            Action::End,
            Action::SetScreen {
                screen: ScreenSettings::default(),
            },
            Action::GoTo { step: StepId(1) },
            Action::Moderate {
                card: crate::ids::CardId::from_random(1),
                change: Moderation::Hide,
            },
        ];
        for action in facilitating {
            assert!(action.allowed_for(Role::Facilitator));
            assert!(!action.allowed_for(Role::Participant));
            assert!(!action.allowed_for(Role::Screen));
        }
    }
}
