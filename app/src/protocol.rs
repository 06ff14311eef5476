//! The WebSocket protocol between a view and the server.
//!
//! Every message is one JSON object with a `type`. A client sends actions,
//! each with its own `ActionId`; the server answers each with exactly one
//! `ack` or `error` carrying that id, and sends the room's events in log
//! order. What a connection may do is fixed by its role when it connects:
//! the server checks every action against that role.

use crate::gathering::{Event, GatheringView, LogPosition};
use crate::ids::{ActionId, CardId, StepId};
use crate::reflection::{ReflectionError, ReflectionText};
use serde::{Deserialize, Serialize};

/// The largest message a client may send, in bytes. A reflection is at most
/// 500 characters (up to 2,000 bytes of UTF-8) plus a little framing.
pub const MAX_CLIENT_MESSAGE_BYTES: usize = 4 * 1024;

/// Who is on the other end of a connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Facilitator,
    Screen,
    Participant,
}

/// A message from a view to the server.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum ClientMsg {
    /// Do something; answered by `Ack` or `Error` with the same id.
    Act { id: ActionId, action: Action },
}

/// Everything a view can ask the server to do.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Action {
    /// Participant: add a reflection to a step that is collecting.
    AddReflection { step: StepId, text: ReflectionText },
    /// Participant: take back one of your own reflections.
    Withdraw { card: CardId },
    /// Facilitator: show the waiting reflections, shuffled.
    Reveal,
    /// Facilitator: open or close collecting on a step.
    SetCollecting { step: StepId, open: bool },
    /// Facilitator: lock or unlock joining.
    SetJoiningLocked { locked: bool },
}

impl Action {
    /// The roles allowed to send this action.
    pub fn allowed_for(&self, role: Role) -> bool {
        match self {
            Action::AddReflection { .. } | Action::Withdraw { .. } => role == Role::Participant,
            Action::Reveal | Action::SetCollecting { .. } | Action::SetJoiningLocked { .. } => {
                role == Role::Facilitator
            }
        }
    }
}

/// One of the participant's own reflections, shown only to them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnCard {
    pub id: CardId,
    pub step: StepId,
    pub text: String,
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
    Done,
}

/// Why an action was refused. The view turns the code into kind words.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    #[error("the message could not be read")]
    Malformed,
    #[error("the message is too large")]
    TooLarge,
    #[error("this connection may not do that")]
    NotAllowed,
    #[error("that step is not collecting reflections now")]
    NotCollecting,
    #[error("no such step")]
    UnknownStep,
    #[error("no such card of yours")]
    UnknownCard,
    #[error("a reflection cannot be empty")]
    Empty,
    #[error("a reflection has at most 500 characters")]
    TooLong,
    #[error("the gathering has ended")]
    Ended,
    #[error("slow down a little")]
    RateLimited,
    #[error("something went wrong on our side")]
    Internal,
}

impl From<ReflectionError> for ErrorCode {
    fn from(e: ReflectionError) -> Self {
        match e {
            ReflectionError::Empty => ErrorCode::Empty,
            ReflectionError::TooLong => ErrorCode::TooLong,
        }
    }
}

/// A message from the server to a view.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum ServerMsg {
    /// The whole public state at a log position; replaces what the view had.
    Snapshot {
        at: LogPosition,
        gathering: GatheringView,
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
    /// A participant's own reflections (sent only to that participant).
    Mine {
        cards: Vec<OwnCard>,
    },
    Ack {
        id: ActionId,
        outcome: Outcome,
    },
    Error {
        id: Option<ActionId>,
        code: ErrorCode,
    },
}

impl ClientMsg {
    /// Reads a client's message. A reflection that breaks the text rules is
    /// reported as such (with its action id), not as a malformed message.
    pub fn decode(text: &str) -> Result<Self, (Option<ActionId>, ErrorCode)> {
        if text.len() > MAX_CLIENT_MESSAGE_BYTES {
            return Err((None, ErrorCode::TooLarge));
        }
        match serde_json::from_str::<ClientMsg>(text) {
            Ok(msg) => Ok(msg),
            Err(_) => Err(Self::explain(text)),
        }
    }

    /// Finds the most helpful reason a message was refused.
    fn explain(text: &str) -> (Option<ActionId>, ErrorCode) {
        let Ok(value) = serde_json::from_str::<serde_json::Value>(text) else {
            return (None, ErrorCode::Malformed);
        };
        let id = value
            .get("id")
            .and_then(|v| v.as_str())
            .and_then(|s| ActionId::parse(s).ok());
        let reflection = value
            .get("action")
            .filter(|a| a.get("kind").and_then(|k| k.as_str()) == Some("add_reflection"))
            .and_then(|a| a.get("text"))
            .and_then(|t| t.as_str());
        match reflection.map(ReflectionText::parse) {
            Some(Err(e)) => (id, e.into()),
            _ => (id, ErrorCode::Malformed),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_round_trip() {
        let msg = ClientMsg::Act {
            id: ActionId::parse("abcdefgh12").unwrap(),
            action: Action::AddReflection {
                step: StepId(1),
                text: ReflectionText::parse("hi").unwrap(),
            },
        };
        let json = serde_json::to_string(&msg).unwrap();
        assert_eq!(ClientMsg::decode(&json).unwrap(), msg);
    }

    #[test]
    fn bad_reflections_are_named_with_their_id() {
        let empty = r#"{"type":"act","id":"abcdefgh12","action":{"kind":"add_reflection","step":1,"text":"  "}}"#;
        assert_eq!(
            ClientMsg::decode(empty),
            Err((
                Some(ActionId::parse("abcdefgh12").unwrap()),
                ErrorCode::Empty
            ))
        );
        let long = format!(
            r#"{{"type":"act","id":"abcdefgh12","action":{{"kind":"add_reflection","step":1,"text":"{}"}}}}"#,
            "x".repeat(501)
        );
        assert_eq!(ClientMsg::decode(&long).unwrap_err().1, ErrorCode::TooLong);
    }

    #[test]
    fn garbage_is_malformed_and_huge_is_too_large() {
        assert_eq!(
            ClientMsg::decode("{nope"),
            Err((None, ErrorCode::Malformed))
        );
        assert_eq!(
            ClientMsg::decode(r#"{"type":"act"}"#),
            Err((None, ErrorCode::Malformed))
        );
        assert_eq!(
            ClientMsg::decode(&"x".repeat(5000)),
            Err((None, ErrorCode::TooLarge))
        );
    }

    #[test]
    fn roles_are_checked_per_action() {
        let add = Action::AddReflection {
            step: StepId(1),
            text: ReflectionText::parse("a").unwrap(),
        };
        assert!(add.allowed_for(Role::Participant));
        assert!(!add.allowed_for(Role::Facilitator));
        assert!(!add.allowed_for(Role::Screen));
        assert!(Action::Reveal.allowed_for(Role::Facilitator));
        assert!(!Action::Reveal.allowed_for(Role::Participant));
        assert!(!Action::Reveal.allowed_for(Role::Screen));
    }
}
