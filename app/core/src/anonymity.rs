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
