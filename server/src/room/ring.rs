//! The catch-up ring: the last frames of a room's log, kept so a view that
//! reconnects gets exactly what it missed instead of a whole snapshot.
//!
//! It carries a privacy rule. A frame keeps the words it was sent with: the
//! reveal of a card that was hidden later still holds its text. So when
//! words leave the room's view (a card hidden or withdrawn), the ring is
//! cut: every frame up to that point is dropped, and the cut is remembered
//! as a floor that no earlier frame may come back under. A view that missed
//! frames under the floor gets a snapshot, which is made from the room's
//! state as it is now and so never holds those words.
//!
//! The cuts are rules about events (`cut_for`), so a room that loads its
//! log after a restart makes the same cuts as the room that lived through
//! it: the ring it rebuilds never carries words that were taken away.

use super::Frame;
use hearth_core::gathering::{Event, LogPosition};
use std::collections::VecDeque;

/// Frames kept for views that reconnect.
pub const CAPACITY: usize = 1024;
/// Missed events past which a reconnecting view gets a snapshot instead:
/// past this, one snapshot is less to send than the events.
pub const CATCH_UP_LIMIT: u64 = 256;

/// The last frames of a room's log, above a floor.
#[derive(Debug)]
pub struct Ring {
    frames: VecDeque<Frame>,
    /// No frame at or below this sequence is kept or sent again.
    floor: u64,
}

/// Where an event obliges the ring to be cut, if it does: frames up to the
/// returned sequence may carry words that must not travel again.
///
/// A hidden card's words are in the reveal that showed it, or in an
/// earlier "show again": everything before the hide goes. A withdrawal
/// is cut by the room when it happens, at the frames that carried the
/// card (see `Room::withdraw`); by the time a log is loaded again, its
/// stored events no longer hold the withdrawn words, so loading needs no
/// cut for it.
pub fn cut_for(seq: u64, event: &Event) -> Option<u64> {
    match event {
        Event::CardHidden { .. } => Some(seq.saturating_sub(1)),
        _ => None,
    }
}

impl Ring {
    /// An empty ring whose frames start after `floor`: a room loaded from
    /// a checkpoint at `floor` cannot replay what came before it.
    pub fn above(floor: u64) -> Self {
        Self {
            frames: VecDeque::new(),
            floor,
        }
    }

    /// Keeps a committed frame, unless it is under the floor.
    pub fn push(&mut self, frame: Frame) {
        if frame.seq <= self.floor {
            return;
        }
        self.frames.push_back(frame);
        if self.frames.len() > CAPACITY {
            self.frames.pop_front();
        }
    }

    /// Keeps a frame of the stored log read back at load, applying the
    /// cut its event calls for.
    pub fn replay(&mut self, frame: Frame, event: &Event) {
        let seq = frame.seq;
        self.push(frame);
        if let Some(at) = cut_for(seq, event) {
            self.cut(at);
        }
    }

    /// Forgets every frame up to `seq`, for good.
    pub fn cut(&mut self, seq: u64) {
        self.frames.retain(|f| f.seq > seq);
        self.floor = self.floor.max(seq);
    }

    /// The frames a view at `at` missed when the room is at `head`, or
    /// `None` when it must be sent a snapshot instead: another epoch, a
    /// position the ring no longer holds (or never may again), or so far
    /// behind that a snapshot is cheaper.
    pub fn since(&self, at: LogPosition, head: LogPosition) -> Option<Vec<Frame>> {
        if at.epoch != head.epoch || at.seq > head.seq {
            return None;
        }
        if at.seq == head.seq {
            return Some(Vec::new());
        }
        if at.seq < self.floor || head.seq - at.seq > CATCH_UP_LIMIT {
            return None;
        }
        let oldest = self.frames.front().map(|f| f.seq)?;
        if oldest > at.seq + 1 {
            return None;
        }
        Some(
            self.frames
                .iter()
                .filter(|f| f.seq > at.seq)
                .cloned()
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::room::tests::frame;
    use hearth_core::ids::CardId;

    fn at(seq: u64) -> LogPosition {
        LogPosition { epoch: 1, seq }
    }

    fn seqs(frames: Option<Vec<Frame>>) -> Option<Vec<u64>> {
        frames.map(|f| f.iter().map(|f| f.seq).collect())
    }

    fn ring_of(range: std::ops::RangeInclusive<u64>) -> Ring {
        let mut ring = Ring::above(0);
        for s in range {
            ring.push(frame(s));
        }
        ring
    }

    #[test]
    fn a_view_gets_exactly_what_it_missed() {
        let ring = ring_of(1..=10);
        assert_eq!(seqs(ring.since(at(7), at(10))), Some(vec![8, 9, 10]));
        assert_eq!(seqs(ring.since(at(0), at(10))), Some((1..=10).collect()));
        assert_eq!(seqs(ring.since(at(10), at(10))), Some(vec![]));
    }

    #[test]
    fn another_epoch_or_a_position_ahead_gets_a_snapshot() {
        let ring = ring_of(1..=10);
        let other = LogPosition { epoch: 2, seq: 7 };
        assert!(ring.since(other, at(10)).is_none());
        assert!(ring.since(at(11), at(10)).is_none());
    }

    #[test]
    fn far_behind_gets_a_snapshot() {
        let ring = ring_of(1..=600);
        assert!(ring.since(at(600 - CATCH_UP_LIMIT - 1), at(600)).is_none());
        assert_eq!(
            ring.since(at(600 - CATCH_UP_LIMIT), at(600))
                .map(|f| f.len()),
            Some(CATCH_UP_LIMIT as usize)
        );
    }

    #[test]
    fn the_ring_holds_a_bounded_number_of_frames() {
        let ring = ring_of(1..=(CAPACITY as u64 + 10));
        assert_eq!(ring.frames.len(), CAPACITY);
        assert_eq!(ring.frames.front().map(|f| f.seq), Some(11));
    }

    #[test]
    fn a_cut_is_for_good() {
        let mut ring = ring_of(1..=10);
        ring.cut(6);
        // Views from before the cut get a snapshot; views after it still
        // catch up.
        assert!(ring.since(at(3), at(10)).is_none());
        assert!(ring.since(at(5), at(10)).is_none());
        assert_eq!(seqs(ring.since(at(6), at(10))), Some(vec![7, 8, 9, 10]));
        // Nothing under the floor comes back in.
        ring.push(frame(4));
        assert!(ring.frames.iter().all(|f| f.seq > 6));
    }

    #[test]
    fn a_ring_above_a_checkpoint_does_not_pretend_to_hold_what_came_before() {
        let mut ring = Ring::above(100);
        for s in 95..=110 {
            ring.push(frame(s));
        }
        assert!(ring.since(at(99), at(110)).is_none());
        assert_eq!(
            seqs(ring.since(at(105), at(110))),
            Some(vec![106, 107, 108, 109, 110])
        );
        assert_eq!(
            seqs(ring.since(at(100), at(110))).map(|s| s.len()),
            Some(10)
        );
    }

    #[test]
    fn hiding_a_card_cuts_everything_before_the_hide() {
        let card = CardId::from_random(7);
        let hide = Event::CardHidden { card: card.clone() };
        assert_eq!(cut_for(9, &hide), Some(8));
        assert_eq!(cut_for(9, &Event::Ended), None);
        assert_eq!(cut_for(9, &Event::CardWithdrawn { card }), None);
    }

    #[test]
    fn replaying_a_log_makes_the_cuts_the_live_room_made() {
        let card = CardId::from_random(7);
        let mut ring = Ring::above(0);
        for s in 1..=5 {
            ring.replay(frame(s), &Event::Ended);
        }
        ring.replay(frame(6), &Event::CardHidden { card });
        for s in 7..=8 {
            ring.replay(frame(s), &Event::Ended);
        }
        assert!(ring.since(at(2), at(8)).is_none());
        assert_eq!(seqs(ring.since(at(5), at(8))), Some(vec![6, 7, 8]));
    }
}
