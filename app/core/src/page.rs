//! What each view needs to render before any script runs: the data of a
//! page, as the server answers it and the views (and the test harness)
//! read it. Where it comes from is the server's business (`app::api`).

use crate::gathering::{GatheringView, LogPosition};
use crate::groups::{Role, Sign};
use crate::ids::{ActionId, CardId, JoinCode};
use crate::marks::{Mark, Tag};
use crate::protocol::OwnCard;
use crate::statements::Ballot;
use serde::{Deserialize, Serialize};

/// The name of the cookie that holds a participant's device token.
pub const DEVICE_COOKIE: &str = "hearth_device";

/// The links and code that let people into a gathering.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub code: JoinCode,
    /// The address people type, shown beside the code (e.g. `192.168.1.20:3000`).
    pub short_url: String,
    /// The full participant link the QR code carries (holds a long random token).
    pub join_url: String,
    /// Where the QR code image for `join_url` is served.
    pub qr_path: String,
}

/// The facilitator console's first state. `now` (in every page) is the
/// server's clock in ms, for the timer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsolePage {
    pub at: LogPosition,
    pub gathering: GatheringView,
    pub now: u64,
    pub entry: Entry,
    /// The link for a second facilitator, with the same powers.
    pub cofacilitator_url: String,
    pub screen_url: String,
    /// The current statements step's statements waiting to be let in
    /// (pre-screen), oldest first, with their words: the facilitator's.
    #[serde(default)]
    pub queue: Vec<(CardId, String)>,
}

/// The shared screen's first state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScreenPage {
    pub at: LogPosition,
    pub gathering: GatheringView,
    pub now: u64,
    pub entry: Entry,
}

/// A participant's first state: the room, and their own reflections and
/// marks.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParticipantPage {
    pub at: LogPosition,
    pub gathering: GatheringView,
    pub now: u64,
    pub mine: Vec<OwnCard>,
    pub marks: Vec<Mark>,
    /// A fresh action id for the reflection form, so a resent form post is
    /// recognised and never stored twice.
    pub form_id: ActionId,
    /// In a statements step: the next statement for this phone and where
    /// it stands, told to it alone.
    #[serde(default)]
    pub ballot: Option<Ballot>,
    /// In a small groups step: this phone's group, and its board.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<GroupBoard>,
}

/// One phone's small group: its sign, the phone's place and role, and the
/// board only its members see. Made for that phone alone.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupBoard {
    pub sign: Sign,
    /// This phone's place in the group, from 1 (what the facilitator asks
    /// for to move it).
    pub place: u32,
    /// How many people are in the group.
    pub members: u32,
    /// This phone's role this round, if the step has roles.
    pub role: Option<Role>,
    /// The group's cards, and this phone's private notes, oldest first.
    pub cards: Vec<GroupCard>,
}

/// A card on a group's board as one member's phone shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupCard {
    pub id: CardId,
    pub text: String,
    /// An observer's note: the disconnect or connection noticed.
    #[serde(default)]
    pub tag: Option<Tag>,
    /// Written from this phone.
    pub mine: bool,
    /// A note this phone keeps to itself (not shared with the group).
    #[serde(default)]
    pub private: bool,
    /// Proposed for the room, waiting for another member to agree.
    #[serde(default)]
    pub proposed: bool,
    /// Proposed from this phone (it cannot also agree).
    #[serde(default)]
    pub proposed_by_me: bool,
    /// Sent to the room.
    #[serde(default)]
    pub sent: bool,
}

/// What the harvest prints: the facilitator's view of the room, and the
/// server's clock (ms) for the date it was made.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HarvestPage {
    pub gathering: GatheringView,
    pub now: u64,
}

/// A saved agenda, as the start page lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateSummary {
    pub id: String,
    pub name: String,
    pub steps: usize,
}

/// What the start page needs to know.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StartInfo {
    /// Whether this instance asks for an organiser passphrase.
    pub passphrase_required: bool,
    /// The saved agendas a new gathering can start from, newest first.
    pub templates: Vec<TemplateSummary>,
}
