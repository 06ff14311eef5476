//! The room's timer: set, pause, resume, add a minute, clear.
//!
//! The timer is part of the public state and changes only by events, so
//! every view shows the same time. A running timer is stored as the moment
//! it ends on the server's clock (milliseconds since the Unix epoch); each
//! view counts down against its own clock corrected by the offset it
//! learned from the server. When it reaches zero nothing rings: the views
//! show a calm "time" message and the facilitator decides what happens.

use crate::error::ErrorCode;
use serde::{Deserialize, Serialize};

/// The longest a timer can be set for: three hours.
pub const MAX_SECONDS: u32 = 3 * 60 * 60;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum Timer {
    #[default]
    Off,
    /// Counting down to `ends_at` (server clock, ms).
    Running { ends_at: u64 },
    /// Stopped with `left` ms to go.
    Paused { left: u64 },
}

/// What a facilitator can do with the timer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "do")]
pub enum TimerAction {
    /// Start counting down from this many seconds.
    Set {
        seconds: u32,
    },
    Pause,
    Resume,
    AddMinute,
    Clear,
}

impl Timer {
    /// The timer after `action` at server time `now` (ms).
    pub fn after(self, action: TimerAction, now: u64) -> Result<Timer, ErrorCode> {
        let max = u64::from(MAX_SECONDS) * 1000;
        Ok(match (action, self) {
            (TimerAction::Set { seconds }, _) => {
                if seconds == 0 || seconds > MAX_SECONDS {
                    return Err(ErrorCode::BadSettings);
                }
                Timer::Running {
                    ends_at: now + u64::from(seconds) * 1000,
                }
            }
            (TimerAction::Pause, Timer::Running { ends_at }) => Timer::Paused {
                left: ends_at.saturating_sub(now),
            },
            (TimerAction::Resume, Timer::Paused { left }) => Timer::Running {
                ends_at: now + left,
            },
            (TimerAction::AddMinute, Timer::Running { ends_at }) => Timer::Running {
                // A timer that already ran out starts a fresh minute.
                ends_at: (ends_at.max(now) + 60_000).min(now + max),
            },
            (TimerAction::AddMinute, Timer::Paused { left }) => Timer::Paused {
                left: (left + 60_000).min(max),
            },
            (TimerAction::AddMinute, Timer::Off) => Timer::Running {
                ends_at: now + 60_000,
            },
            (TimerAction::Clear, _) => Timer::Off,
            // Pausing a paused timer, resuming a running one: nothing to do.
            (_, same) => same,
        })
    }

    /// Milliseconds left at `now`, or `None` when there is no timer.
    pub fn left(self, now: u64) -> Option<u64> {
        match self {
            Timer::Off => None,
            Timer::Running { ends_at } => Some(ends_at.saturating_sub(now)),
            Timer::Paused { left } => Some(left),
        }
    }
}

/// `m:ss` for a number of milliseconds, rounding up so "0:00" means done.
pub fn clock(ms: u64) -> String {
    let seconds = ms.div_ceil(1000);
    format!("{}:{:02}", seconds / 60, seconds % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_pause_resume_add() {
        let t = Timer::Off
            .after(TimerAction::Set { seconds: 300 }, 1_000)
            .unwrap();
        assert_eq!(t.left(61_000), Some(240_000));
        let paused = t.after(TimerAction::Pause, 61_000).unwrap();
        assert_eq!(paused.left(999_999), Some(240_000));
        let more = paused.after(TimerAction::AddMinute, 70_000).unwrap();
        assert_eq!(more.left(0), Some(300_000));
        let running = more.after(TimerAction::Resume, 100_000).unwrap();
        assert_eq!(running.left(100_000), Some(300_000));
        assert_eq!(running.left(10_000_000), Some(0));
        assert_eq!(running.after(TimerAction::Clear, 0).unwrap(), Timer::Off);
    }

    #[test]
    fn a_minute_after_the_end_starts_from_now() {
        let t = Timer::Running { ends_at: 1_000 };
        let later = t.after(TimerAction::AddMinute, 50_000).unwrap();
        assert_eq!(later.left(50_000), Some(60_000));
    }

    #[test]
    fn bad_settings_are_refused() {
        assert_eq!(
            Timer::Off.after(TimerAction::Set { seconds: 0 }, 0),
            Err(ErrorCode::BadSettings)
        );
        assert_eq!(
            Timer::Off.after(
                TimerAction::Set {
                    seconds: MAX_SECONDS + 1
                },
                0
            ),
            Err(ErrorCode::BadSettings)
        );
    }

    #[test]
    fn clock_rounds_up() {
        assert_eq!(clock(0), "0:00");
        assert_eq!(clock(1), "0:01");
        assert_eq!(clock(61_000), "1:01");
        assert_eq!(clock(600_000), "10:00");
    }
}
