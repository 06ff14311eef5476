//! What storage reads and writes, as the server's own types: the seam's
//! vocabulary, the same whichever backend stores them.

use hearth_core::exercise::Place;
use hearth_core::gathering::{Event, GatheringView, StepSpec};
use hearth_core::ids::{CardId, JoinCode, StepId};
use hearth_core::marks::Target;

/// A gathering as storage knows it. It never changes after it is
/// created, so the hub may remember it.
#[derive(Clone, Debug)]
pub struct GatheringRow {
    pub id: String,
    pub code: Option<JoinCode>,
    pub join_token: String,
    /// The co-facilitator secret's hash (`None` for gatherings made before
    /// co-facilitators existed).
    pub cofacilitator_hash: Option<String>,
    pub salt: Vec<u8>,
    pub epoch: u64,
    pub genesis: GatheringView,
}

/// Everything needed to create a gathering.
pub struct NewGathering {
    pub id: String,
    pub console_hash: String,
    pub cofacilitator_hash: String,
    pub screen_hash: String,
    pub join_token: String,
    pub code: JoinCode,
    pub salt: Vec<u8>,
    pub epoch: u64,
    pub genesis: GatheringView,
    pub created_at: i64,
}

/// How to find a gathering.
pub enum Lookup<'a> {
    /// A facilitator's or a co-facilitator's secret, hashed.
    ConsoleHash(&'a str),
    ScreenHash(&'a str),
    JoinToken(&'a str),
    Code(&'a JoinCode),
    /// By its id: between the nodes of a cluster.
    Id(&'a str),
}

impl Lookup<'_> {
    /// The lookup as one string, kind and value: a key for remembering
    /// what it found.
    pub fn key(&self) -> String {
        match self {
            Lookup::ConsoleHash(h) => format!("console:{h}"),
            Lookup::ScreenHash(h) => format!("screen:{h}"),
            Lookup::JoinToken(t) => format!("token:{t}"),
            Lookup::Code(c) => format!("code:{}", c.as_str()),
            Lookup::Id(id) => format!("id:{id}"),
        }
    }
}

/// A stored card as the room needs it.
pub struct StoredCard {
    pub id: CardId,
    pub step: StepId,
    pub author: String,
    pub text: String,
    pub place: Place,
    pub sensitive: bool,
    pub revealed_seq: Option<u64>,
}

/// A row of the `cards` table as both backends read it: `id, step,
/// author, text, place, sensitive, revealed_seq`.
pub struct CardRow {
    pub id: String,
    pub step: i64,
    pub author: String,
    pub text: String,
    /// The place, as JSON.
    pub place: String,
    pub sensitive: bool,
    pub revealed_seq: Option<i64>,
}

impl TryFrom<CardRow> for StoredCard {
    type Error = super::StorageError;

    /// Reads a stored row back, refusing one that no longer reads.
    fn try_from(row: CardRow) -> Result<Self, Self::Error> {
        Ok(StoredCard {
            id: CardId::parse(&row.id)
                .map_err(|e| super::StorageError::Unreadable(format!("card {}: {e}", row.id)))?,
            step: StepId(row.step as u32),
            author: row.author,
            text: row.text,
            place: serde_json::from_str(&row.place)?,
            sensitive: row.sensitive,
            revealed_seq: row.revealed_seq.map(|s| s as u64),
        })
    }
}

/// A saved agenda.
#[derive(Clone, Debug)]
pub struct Template {
    pub id: String,
    pub name: String,
    pub agenda: Vec<StepSpec>,
}

/// A room's last checkpoint as stored: the log position it stands at, and
/// its body, which only the room reads (`room::Checkpoint`, as JSON).
pub struct StoredCheckpoint {
    pub seq: u64,
    pub body: String,
}

/// Everything a room is loaded from.
pub struct RoomRows {
    /// The last checkpoint of its state, if one was written.
    pub checkpoint: Option<StoredCheckpoint>,
    /// The events after the checkpoint (or the whole log), in order.
    pub events: Vec<(u64, Event)>,
    /// Everyone who has joined (salted hashes).
    pub participants: Vec<String>,
    /// Every card, in the order they were added.
    pub cards: Vec<StoredCard>,
    /// Every action already applied, as (actor, action id).
    pub applied: Vec<(String, String)>,
    /// Every participant's marks, as (author, target, value).
    pub marks: Vec<(String, Target, u16)>,
}
