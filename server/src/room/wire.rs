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
    /// Who is sent it (`Frame::audience`).
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

/// One frame as a line of the owner's stream: `<seq> <kind> <json>`, the
/// kind `s` for a step of the log (everyone's), `l` for live figures,
/// `w` for live figures the phones are not sent (a statements step's
/// landscape), `f` for the facilitators' consoles alone (the pre-screen
/// queue's words), and `m <members> <json>` for live news for some phones
/// only (a small group's board changed), `<members>` their device hashes
/// joined by commas. A device hash is hex, so neither a comma nor a space
/// is ever part of one. An empty line says only that the owner is there.
pub fn frame_line(frame: &Frame) -> Bytes {
    let seq = frame.seq;
    let json = frame.json.as_str();
    Bytes::from(match (frame.sequenced, &frame.audience) {
        (true, _) => format!("{seq} s {json}\n"),
        (false, Audience::Everyone) => format!("{seq} l {json}\n"),
        (false, Audience::NotPhones) => format!("{seq} w {json}\n"),
        (false, Audience::Facilitators) => format!("{seq} f {json}\n"),
        (false, Audience::Members(members)) => {
            format!("{seq} m {} {json}\n", members.join(","))
        }
    })
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
    let (seq, rest) = line.split_once(' ')?;
    let seq = seq.parse().ok()?;
    let (kind, rest) = rest.split_once(' ').unwrap_or((rest, ""));
    let (sequenced, audience, json) = match kind {
        "h" => return Some(Line::At(seq)),
        "s" => (true, Audience::Everyone, rest),
        "l" => (false, Audience::Everyone, rest),
        "w" => (false, Audience::NotPhones, rest),
        "f" => (false, Audience::Facilitators, rest),
        "m" => {
            let (members, json) = rest.split_once(' ')?;
            let members: Vec<String> = members
                .split(',')
                .filter(|m| !m.is_empty())
                .map(str::to_owned)
                .collect();
            (false, Audience::Members(members.into()), json)
        }
        _ => return None,
    };
    if json.is_empty() {
        return None;
    }
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
    fn a_frame_survives_the_line_it_travels_as_for_every_audience() {
        let members = Audience::Members(vec!["ab12".to_owned(), "cd34".to_owned()].into());
        for (sequenced, audience) in [
            (true, Audience::Everyone),
            (false, Audience::Everyone),
            (false, Audience::NotPhones),
            (false, Audience::Facilitators),
            (false, members),
            (false, Audience::Members(Vec::new().into())),
        ] {
            let frame = Frame {
                seq: 42,
                json: r#"{"type":"event","text":"a b, c"}"#.into(),
                sequenced,
                audience: audience.clone(),
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
            // And in the JSON a catch-up travels in.
            let json = serde_json::to_string(&WireFrame::from(frame.clone())).expect("json");
            let back = Frame::from(serde_json::from_str::<WireFrame>(&json).expect("read"));
            assert_eq!(back.audience, frame.audience, "{json}");
        }
        let start = start_line(7);
        let start = std::str::from_utf8(&start).expect("utf-8");
        assert!(matches!(read_line(start.trim_end()), Some(Line::At(7))));
        for unreadable in ["", "x s {}", "1 q {}", "1 s", "1 m ab12", "1 m"] {
            assert!(read_line(unreadable).is_none(), "{unreadable:?}");
        }
    }
}
