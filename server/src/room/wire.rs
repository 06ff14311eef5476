//! A room's commands between the nodes of a cluster: what a node that does
//! not own a gathering asks the node that does (`relay.rs` asks, the owner
//! answers with `answer`), and how the owner's frames travel to it.
//!
//! The frames are the owner's own, serialised once by its room; a relaying
//! node passes their bytes on to its connections untouched.

use super::{Actor, Audience, EntryError, Frame, PageView, RoomHandle};
use axum::body::Bytes;
use hearth_core::error::ErrorCode;
use hearth_core::gathering::{GatheringView, LogPosition, Waiting};
use hearth_core::ids::{ActionId, CardId, StepId};
use hearth_core::marks::Mark;
use hearth_core::page::GroupBoard;
use hearth_core::protocol::{Action, Outcome, OwnCard, Role};
use hearth_core::statements::Ballot;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The header a node shows the others: the cluster's key.
pub const KEY_HEADER: &str = "hearth-node-key";

/// What a relaying node asks the owner's room.
#[derive(Debug, Serialize, Deserialize)]
pub enum Ask {
    Subscribe {
        actor: Actor,
        since: Option<LogPosition>,
    },
    Join {
        author: String,
    },
    Act {
        actor: Actor,
        id: ActionId,
        action: Action,
        join: bool,
    },
    Snapshot {
        role: Role,
    },
    View {
        actor: Actor,
        /// The owner's version of the view the asker holds already: if it
        /// is still current, it is not sent again.
        known: Option<u64>,
    },
}

/// The owner's answer to an `Ask`, of the same kind.
#[derive(Debug, Serialize, Deserialize)]
pub enum Answer {
    Subscribed(Result<Caught, EntryError>),
    Joined(Result<(), EntryError>),
    Acted(Result<Outcome, ErrorCode>),
    Snapshot(Option<WireFrame>),
    /// Boxed: a page's view is far larger than any other answer.
    View(Box<Result<WireView, EntryError>>),
}

/// A frame as it travels between nodes.
#[derive(Debug, Serialize, Deserialize)]
pub struct WireFrame {
    pub seq: u64,
    pub json: String,
    pub sequenced: bool,
    /// Who it is for (`Frame::audience`).
    #[serde(default)]
    pub audience: Audience,
}

impl From<Frame> for WireFrame {
    fn from(f: Frame) -> Self {
        WireFrame {
            seq: f.seq,
            json: f.json.as_str().to_owned(),
            sequenced: f.sequenced,
            audience: f.audience,
        }
    }
}

impl From<WireFrame> for Frame {
    fn from(f: WireFrame) -> Self {
        Frame {
            seq: f.seq,
            json: f.json.into(),
            sequenced: f.sequenced,
            audience: f.audience,
        }
    }
}

/// A new connection's start, without its live stream (the relaying node
/// has its own, from `frames`).
#[derive(Debug, Serialize, Deserialize)]
pub struct Caught {
    pub catch_up: Vec<WireFrame>,
    pub seq: u64,
    pub mine: Vec<OwnCard>,
    pub marks: Vec<Mark>,
}

/// A page's view, with the shared part left out when the asker has it.
#[derive(Debug, Serialize, Deserialize)]
pub struct WireView {
    pub at: LogPosition,
    pub gathering: Option<GatheringView>,
    /// The owner's version the view was made from.
    pub version: u64,
    pub mine: Vec<OwnCard>,
    pub marks: Vec<Mark>,
    /// A participant's small group and its board (their own alone).
    /// Boxed: most views have none, and the answer stays small.
    #[serde(default)]
    pub group: Option<Box<GroupBoard>>,
    pub now: u64,
    pub waiting: BTreeMap<StepId, Waiting>,
    #[serde(default)]
    pub ballot: Option<Ballot>,
    #[serde(default)]
    pub queue: Vec<(CardId, String)>,
}

/// Answers a relaying node's question with the owner's room.
pub async fn answer(room: &RoomHandle, ask: Ask) -> Answer {
    match ask {
        Ask::Subscribe { actor, since } => {
            Answer::Subscribed(room.subscribe(actor, since).await.map(|sub| Caught {
                catch_up: sub.catch_up.into_iter().map(WireFrame::from).collect(),
                seq: sub.seq,
                mine: sub.mine,
                marks: sub.marks,
            }))
        }
        Ask::Join { author } => Answer::Joined(room.join(author).await),
        Ask::Act {
            actor,
            id,
            action,
            join,
        } => Answer::Acted(match (join, actor) {
            (true, Actor::Participant(author)) => room.join_and_act(author, id, action).await,
            (_, actor) => room.act(actor, id, action).await,
        }),
        Ask::Snapshot { role } => Answer::Snapshot(room.snapshot(role).await.map(WireFrame::from)),
        Ask::View { actor, known } => Answer::View(Box::new(room.view(actor).await.map(|view| {
            let PageView {
                at,
                gathering,
                mine,
                marks,
                group,
                now,
                version,
                waiting,
                ballot,
                queue,
            } = view;
            WireView {
                at,
                gathering: (known != Some(version)).then(|| (*gathering).clone()),
                version,
                mine,
                marks,
                group: group.map(Box::new),
                now,
                waiting,
                ballot,
                queue,
            }
        }))),
    }
}

/// One frame as a line of the owner's stream: `<seq> <s|l|p|w|f> <json>`,
/// `s` for a step of the log, `l` for live figures, `p` for live news for
/// phones only (a small group's board changed), `w` for live figures the
/// phones are not sent (a statements step's landscape), `f` for the
/// facilitators' consoles alone (the pre-screen queue). The relaying node
/// gives each the same audience as the owner did; a kind it does not know
/// is dropped, never sent to everyone. An empty line says only that the
/// owner is there.
pub fn frame_line(frame: &Frame) -> Bytes {
    let kind = match (frame.sequenced, frame.audience) {
        (true, _) => 's',
        (false, Audience::Everyone) => 'l',
        (false, Audience::Phones) => 'p',
        (false, Audience::NotPhones) => 'w',
        (false, Audience::Facilitators) => 'f',
    };
    Bytes::from(format!("{} {kind} {}\n", frame.seq, frame.json.as_str()))
}

/// The stream's first line: where the owner's log is as it starts.
pub fn start_line(seq: u64) -> Bytes {
    Bytes::from(format!("{seq} h\n"))
}

/// A line of the owner's stream, read back.
#[derive(Debug)]
pub enum Line {
    /// Where the owner's log is (the first line).
    At(u64),
    Frame(Frame),
}

/// Reads a line of the owner's stream back (`None` for a line that says
/// only that the owner is there, or one that cannot be read).
pub fn read_line(line: &str) -> Option<Line> {
    let mut parts = line.splitn(3, ' ');
    let seq = parts.next()?.parse().ok()?;
    let (sequenced, audience) = match parts.next()? {
        "h" => return Some(Line::At(seq)),
        "s" => (true, Audience::Everyone),
        "l" => (false, Audience::Everyone),
        "p" => (false, Audience::Phones),
        "w" => (false, Audience::NotPhones),
        "f" => (false, Audience::Facilitators),
        _ => return None,
    };
    let json = parts.next()?;
    Some(Line::Frame(Frame {
        seq,
        json: json.to_owned().into(),
        sequenced,
        audience,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_frame_survives_the_line_it_travels_as() {
        for (sequenced, audience) in [
            (true, Audience::Everyone),
            (false, Audience::Everyone),
            (false, Audience::Phones),
            (false, Audience::NotPhones),
            (false, Audience::Facilitators),
        ] {
            let frame = Frame {
                seq: 42,
                json: r#"{"type":"event","text":"a b c"}"#.into(),
                sequenced,
                audience,
            };
            let line = frame_line(&frame);
            let text = std::str::from_utf8(&line).expect("utf-8");
            let Some(Line::Frame(back)) = read_line(text.trim_end_matches('\n')) else {
                panic!("not read back: {text:?}");
            };
            assert_eq!(
                (back.seq, back.json.as_str(), back.sequenced, back.audience),
                (42, frame.json.as_str(), sequenced, audience)
            );
        }
        let start = start_line(7);
        let start = std::str::from_utf8(&start).expect("utf-8");
        assert!(matches!(read_line(start.trim_end()), Some(Line::At(7))));
        assert!(read_line("").is_none());
        assert!(read_line("x s {}").is_none());
        assert!(read_line("1 q {}").is_none());
    }

    #[test]
    fn the_queue_reaches_the_consoles_alone_on_every_node() {
        use hearth_core::protocol::Role;
        let queue = Frame {
            seq: 3,
            json: r#"{"type":"queue","queue":[["c1","not let in yet"]]}"#.into(),
            sequenced: false,
            audience: Audience::Facilitators,
        };
        let line = frame_line(&queue);
        let text = std::str::from_utf8(&line).expect("utf-8");
        let Some(Line::Frame(back)) = read_line(text.trim_end_matches('\n')) else {
            panic!("not read back: {text:?}");
        };
        assert!(back.audience.reaches(Role::Facilitator));
        assert!(!back.audience.reaches(Role::Screen));
        assert!(!back.audience.reaches(Role::Participant));
    }
}
