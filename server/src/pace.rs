//! How fast one connection may send: token buckets per connection, one for
//! frames and one for bytes.
//!
//! A person taps a few times a second at most; a script can send thousands.
//! Every frame a peer sends counts, whatever its kind: text, binary, ping
//! and pong alike, because each costs the server a read and some (a ping)
//! an answer. Within the burst allowance everything passes. Past it, the
//! frame is refused and the connection is made to wait for the next token,
//! which slows a runaway client to the steady rate. One that keeps pushing
//! regardless is closed with a reason.
//!
//! Frames are counted by number and by size: thirty tiny frames and thirty
//! frames at the size cap are not the same load, so the byte budget is in
//! proportion to the largest message the connection's role may send.

use std::time::{Duration, Instant};

/// Frames a connection may send at once.
const BURST: f64 = 30.0;
/// Frames per second a connection may keep up.
const PER_SECOND: f64 = 10.0;
/// Bytes a connection may send at once, in messages of its largest size.
const BYTE_BURST_MESSAGES: f64 = 8.0;
/// Bytes per second a connection may keep up, in messages of its largest
/// size: far above anything a person sends (a few reflections a minute).
const BYTE_MESSAGES_PER_SECOND: f64 = 2.0;
/// Refusals, since the sender was last calm, after which it is closed.
const PATIENCE: u32 = 20;

/// What to do with the frame that just arrived.
#[derive(Debug, PartialEq)]
pub enum Verdict {
    Pass,
    /// Refuse it, and wait this long before reading more.
    Slow(Duration),
    /// Refuse it and close the connection.
    Close,
}

/// One token bucket: how many at once, how fast they come back.
#[derive(Debug)]
struct Bucket {
    burst: f64,
    per_second: f64,
    tokens: f64,
}

impl Bucket {
    fn full(burst: f64, per_second: f64) -> Self {
        Self {
            burst,
            per_second,
            tokens: burst,
        }
    }

    fn refill(&mut self, elapsed: f64) {
        self.tokens = (self.tokens + elapsed * self.per_second).min(self.burst);
    }

    fn is_full(&self) -> bool {
        self.tokens >= self.burst
    }

    /// How long until `cost` tokens are there (zero if they are now).
    fn wait_for(&self, cost: f64) -> Duration {
        let missing = (cost.min(self.burst) - self.tokens).max(0.0);
        Duration::from_secs_f64(missing / self.per_second)
    }
}

/// The pace of one connection.
#[derive(Debug)]
pub struct Pace {
    frames: Bucket,
    bytes: Bucket,
    last: Instant,
    refusals: u32,
}

impl Pace {
    /// A fresh allowance for a connection whose largest message is
    /// `largest` bytes.
    pub fn new(now: Instant, largest: usize) -> Self {
        let largest = largest.max(1) as f64;
        Self {
            frames: Bucket::full(BURST, PER_SECOND),
            bytes: Bucket::full(
                largest * BYTE_BURST_MESSAGES,
                largest * BYTE_MESSAGES_PER_SECOND,
            ),
            last: now,
            refusals: 0,
        }
    }

    /// Judges one frame of `size` bytes (its payload) arriving at `now`.
    pub fn check(&mut self, now: Instant, size: usize) -> Verdict {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.last = now;
        self.frames.refill(elapsed);
        self.bytes.refill(elapsed);
        if self.frames.is_full() && self.bytes.is_full() {
            // Full buckets mean the sender has been calm for a while.
            self.refusals = 0;
        }
        // A frame can never cost more than a whole burst, or it could never
        // pass (the size cap keeps real frames far below it anyway).
        let size = (size as f64).min(self.bytes.burst);
        let wait = self.frames.wait_for(1.0).max(self.bytes.wait_for(size));
        if wait.is_zero() {
            self.frames.tokens -= 1.0;
            self.bytes.tokens -= size;
            return Verdict::Pass;
        }
        self.refusals += 1;
        if self.refusals > PATIENCE {
            Verdict::Close
        } else {
            Verdict::Slow(wait)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The largest message in these tests.
    const LARGEST: usize = 1000;

    #[test]
    fn a_burst_passes_then_the_sender_is_slowed() {
        let start = Instant::now();
        let mut pace = Pace::new(start, LARGEST);
        for _ in 0..30 {
            assert_eq!(pace.check(start, 10), Verdict::Pass);
        }
        assert!(matches!(pace.check(start, 10), Verdict::Slow(d) if d > Duration::ZERO));
    }

    #[test]
    fn tokens_come_back_with_time() {
        let start = Instant::now();
        let mut pace = Pace::new(start, LARGEST);
        for _ in 0..30 {
            pace.check(start, 10);
        }
        assert_eq!(
            pace.check(start + Duration::from_millis(150), 10),
            Verdict::Pass
        );
    }

    #[test]
    fn large_frames_spend_the_byte_budget_before_the_frame_budget() {
        let start = Instant::now();
        let mut pace = Pace::new(start, LARGEST);
        for _ in 0..8 {
            assert_eq!(pace.check(start, LARGEST), Verdict::Pass);
        }
        // Only 8 of the 30 frames are spent, but the bytes are.
        let Verdict::Slow(wait) = pace.check(start, LARGEST) else {
            panic!("a ninth frame at the size cap must wait");
        };
        assert_eq!(wait, Duration::from_millis(500), "2 large frames a second");
        // A small frame still fits in what is left.
        assert_eq!(pace.check(start, 0), Verdict::Pass);
        assert_eq!(
            pace.check(start + Duration::from_millis(500), LARGEST),
            Verdict::Pass
        );
    }

    #[test]
    fn a_frame_over_the_cap_costs_at_most_the_whole_burst() {
        let start = Instant::now();
        let mut pace = Pace::new(start, LARGEST);
        assert_eq!(pace.check(start, 100 * LARGEST), Verdict::Pass);
        assert!(matches!(pace.check(start, 1), Verdict::Slow(_)));
    }

    #[test]
    fn a_sender_kept_at_the_steady_rate_is_still_closed_if_it_never_lets_up() {
        for size in [0, LARGEST] {
            let mut now = Instant::now();
            let mut pace = Pace::new(now, LARGEST);
            let mut closed = false;
            for _ in 0..1000 {
                match pace.check(now, size) {
                    Verdict::Close => {
                        closed = true;
                        break;
                    }
                    Verdict::Slow(wait) => now += wait,
                    Verdict::Pass => {}
                }
            }
            assert!(closed, "frames of {size} bytes");
        }
    }

    #[test]
    fn a_sender_that_never_stops_is_closed() {
        let start = Instant::now();
        let mut pace = Pace::new(start, LARGEST);
        let verdicts: Vec<_> = (0..200).map(|_| pace.check(start, 0)).collect();
        assert_eq!(verdicts.last(), Some(&Verdict::Close));
        assert!(verdicts[..30].iter().all(|v| *v == Verdict::Pass));
    }

    #[test]
    fn a_calm_sender_is_forgiven() {
        let mut now = Instant::now();
        let mut pace = Pace::new(now, LARGEST);
        for _ in 0..10 {
            // A burst over the allowance, waiting as told, then quiet.
            for _ in 0..40 {
                if let Verdict::Slow(wait) = pace.check(now, 100) {
                    now += wait;
                }
            }
            now += Duration::from_secs(10);
        }
        assert_eq!(pace.check(now, 100), Verdict::Pass);
    }
}
