//! What is made from a room's state for many, kept until the state changes.
//!
//! After a restart, every phone of a hall reconnects within a few seconds,
//! and each needs the same snapshot, the same totals and then a page made
//! from the same state. Making them once per change of the room, and
//! handing every connection the same bytes (and every page the same
//! state), is what keeps that storm from costing one copy per phone.
//!
//! The room is one task, so this needs no lock; it sits in a `RefCell`
//! because the room hands out frames from `&self` while it answers.

use super::Frame;
use hearth_core::gathering::GatheringView;
use std::cell::RefCell;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long a frame made from an unchanged room may be reused. A snapshot
/// carries the server's clock for the timer, so it is made afresh at
/// least this often.
const FRESH: Duration = Duration::from_millis(250);

/// What has been made since the room last changed.
#[derive(Default)]
pub struct Made(RefCell<Frames>);

#[derive(Default)]
pub struct Frames {
    /// The room's version they were made from, and when.
    made: Option<(u64, Instant)>,
    /// The snapshot for facilitators, for screens, and for phones (which
    /// are not sent a statements step's landscape).
    pub snapshots: [Option<Frame>; 3],
    /// Every step's totals.
    pub totals: Option<Vec<Frame>>,
    /// The state pages render from, for facilitators and for everyone else.
    pub views: [Option<Arc<GatheringView>>; 2],
}

impl Made {
    /// The frame in `slot` if it was made from `version` of the room a
    /// moment ago; otherwise one made now by `make`, and kept.
    pub fn remember<T: Clone>(
        &self,
        version: u64,
        slot: impl FnOnce(&mut Frames) -> &mut Option<T>,
        make: impl FnOnce() -> T,
    ) -> T {
        let mut frames = self.0.borrow_mut();
        let fresh = frames
            .made
            .is_some_and(|(v, at)| v == version && at.elapsed() < FRESH);
        if !fresh {
            *frames = Frames {
                made: Some((version, Instant::now())),
                ..Frames::default()
            };
        }
        let slot = slot(&mut frames);
        if let Some(kept) = slot {
            return kept.clone();
        }
        let made = make();
        *slot = Some(made.clone());
        made
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::room::tests::frame;
    use std::cell::Cell;

    #[test]
    fn a_frame_is_made_once_per_version() {
        let made = Made::default();
        let makes = Cell::new(0);
        let make = |seq| {
            makes.set(makes.get() + 1);
            frame(seq)
        };
        for _ in 0..100 {
            let f = made.remember(1, |m| &mut m.snapshots[1], || make(1));
            assert_eq!(f.seq, 1);
        }
        assert_eq!(makes.get(), 1);
        // Another slot is made on its own; a new version remakes both.
        made.remember(1, |m| &mut m.snapshots[0], || make(1));
        assert_eq!(makes.get(), 2);
        let f = made.remember(2, |m| &mut m.snapshots[1], || make(2));
        assert_eq!((f.seq, makes.get()), (2, 3));
    }
}
