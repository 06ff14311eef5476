//! How fast one connection may send: a token bucket per connection.
//!
//! A person taps a few times a second at most; a script can send thousands.
//! Within the burst allowance everything passes. Past it, each message is
//! refused with `rate_limited` and the connection is made to wait for the
//! next token, which slows a runaway client to the steady rate. One that
//! keeps pushing regardless is closed with a reason.

use std::time::{Duration, Instant};

/// Messages a connection may send at once.
const BURST: f64 = 30.0;
/// Messages per second a connection may keep up.
const PER_SECOND: f64 = 10.0;
/// Refusals, since the sender was last calm, after which it is closed.
const PATIENCE: u32 = 20;

/// What to do with the message that just arrived.
#[derive(Debug, PartialEq)]
pub enum Verdict {
    Pass,
    /// Refuse it, and wait this long before reading more.
    Slow(Duration),
    /// Refuse it and close the connection.
    Close,
}

#[derive(Debug)]
pub struct Pace {
    tokens: f64,
    last: Instant,
    refusals: u32,
}

impl Pace {
    pub fn new(now: Instant) -> Self {
        Self {
            tokens: BURST,
            last: now,
            refusals: 0,
        }
    }

    pub fn check(&mut self, now: Instant) -> Verdict {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.last = now;
        self.tokens = (self.tokens + elapsed * PER_SECOND).min(BURST);
        if self.tokens >= BURST {
            // A full bucket means the sender has been calm for a while.
            self.refusals = 0;
        }
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            return Verdict::Pass;
        }
        self.refusals += 1;
        if self.refusals > PATIENCE {
            Verdict::Close
        } else {
            Verdict::Slow(Duration::from_secs_f64((1.0 - self.tokens) / PER_SECOND))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_passes_then_the_sender_is_slowed() {
        let start = Instant::now();
        let mut pace = Pace::new(start);
        for _ in 0..30 {
            assert_eq!(pace.check(start), Verdict::Pass);
        }
        assert!(matches!(pace.check(start), Verdict::Slow(d) if d > Duration::ZERO));
    }

    #[test]
    fn tokens_come_back_with_time() {
        let start = Instant::now();
        let mut pace = Pace::new(start);
        for _ in 0..30 {
            pace.check(start);
        }
        assert_eq!(
            pace.check(start + Duration::from_millis(150)),
            Verdict::Pass
        );
    }

    #[test]
    fn a_sender_kept_at_the_steady_rate_is_still_closed_if_it_never_lets_up() {
        let mut now = Instant::now();
        let mut pace = Pace::new(now);
        let mut closed = false;
        for _ in 0..1000 {
            match pace.check(now) {
                Verdict::Close => {
                    closed = true;
                    break;
                }
                Verdict::Slow(wait) => now += wait,
                Verdict::Pass => {}
            }
        }
        assert!(closed);
    }

    #[test]
    fn a_sender_that_never_stops_is_closed() {
        let start = Instant::now();
        let mut pace = Pace::new(start);
        let verdicts: Vec<_> = (0..200).map(|_| pace.check(start)).collect();
        assert_eq!(verdicts.last(), Some(&Verdict::Close));
        assert!(verdicts[..30].iter().all(|v| *v == Verdict::Pass));
    }
}
