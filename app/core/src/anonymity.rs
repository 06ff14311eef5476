//! The room's anonymity thresholds, in one place: how many people must
//! stand behind anything the room is shown about them. The rules that apply
//! them live with what they guard (the live reveal in `gathering`, counts in
//! `marks` and `map`); the numbers live here, below all of them.

/// In a live step, the fewest different people whose cards are released
/// together: a batch from one or two people would point at them.
pub const LIVE_MIN_AUTHORS: usize = 3;

/// Fewer people than this and no live counts are shown: in a small room a
/// count going up points at whoever just moved.
pub const SMALL_ROOM: u32 = 5;

/// Fewer placements than this and a spectrum's distribution, or a card's
/// place on a map, stays hidden: with one or two people, a bar is a person.
pub const MIN_PEOPLE_SHOWN: u32 = 3;

/// Fewer members than this and an opinion group in a statements step is
/// not shown at all (no cloud, no size, no statements that set it apart),
/// and its members are not counted into any other group.
pub const MIN_GROUP_SHOWN: u32 = 5;

/// Fewer votes than this and how people voted on a statement (its split,
/// in the room or in one group) stays hidden: with four votes or fewer a
/// count is a handful of people someone in the hall could name.
pub const MIN_VOTES_SHOWN: u32 = 5;
