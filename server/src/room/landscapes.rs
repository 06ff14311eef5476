//! Recomputing a statements step's landscape without holding up the room.
//!
//! A full recomputation takes tens of milliseconds for a hall (2,000
//! people, 300 statements): too long to spend on the room's task, which
//! must keep acknowledging votes. So the room hands a copy of the step's
//! matrix (and the previous analysis, for the group letters) to a blocking
//! thread, goes on, and takes the result in when it comes back, then
//! sends the landscape to the screens and consoles in one live frame.
//!
//! At most one job per step runs at a time, and a new one starts at most
//! every `EVERY` while new votes come in. The room looks every quarter of
//! a second (its flush), so starts are `EVERY` to `EVERY` + 250 ms apart;
//! with a recomputation's tens of milliseconds on top, the screen gets a
//! fresh landscape within 2 s of the last, as the issue asks, while a busy
//! room costs a few per cent of one core, not a core per vote.

use super::rules::statements::keep_visible;
use super::rules::State;
use hearth_core::ids::StepId;
use hearth_core::landscape::Analysis;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// The least time between two recomputations of one step's landscape.
pub const EVERY: Duration = Duration::from_millis(1500);

/// A finished recomputation.
pub struct Done {
    pub step: StepId,
    pub analysis: Analysis,
    /// How long the recomputation took, for the log.
    pub took: Duration,
}

/// The room's recomputations: which run, when each step's last started,
/// and where finished ones arrive.
pub struct Jobs {
    started: HashMap<StepId, Instant>,
    running: HashMap<StepId, bool>,
    tx: mpsc::UnboundedSender<Done>,
    pub rx: mpsc::UnboundedReceiver<Done>,
}

impl Default for Jobs {
    fn default() -> Self {
        let (tx, rx) = mpsc::unbounded_channel();
        Self {
            started: HashMap::new(),
            running: HashMap::new(),
            tx,
            rx,
        }
    }
}

impl Jobs {
    /// Starts a recomputation for every step with new votes whose last one
    /// finished and started at least `EVERY` ago (at once the first time).
    pub fn start_due(&mut self, state: &mut State) {
        if state.view.ended {
            return;
        }
        for (step, votes) in state.votes.iter_mut() {
            if !votes.dirty || self.running.get(step).copied().unwrap_or(false) {
                continue;
            }
            if self
                .started
                .get(step)
                .is_some_and(|at| at.elapsed() < EVERY)
            {
                continue;
            }
            votes.dirty = false;
            self.running.insert(*step, true);
            self.started.insert(*step, Instant::now());
            let (matrix, analysis) = (votes.matrix.clone(), votes.analysis.clone());
            let (tx, step) = (self.tx.clone(), *step);
            tokio::task::spawn_blocking(move || {
                let began = Instant::now();
                let analysis = Analysis::following(&matrix, analysis.as_deref());
                let took = began.elapsed();
                // The room may have ended meanwhile: nobody to tell.
                let _ = tx.send(Done {
                    step,
                    analysis,
                    took,
                });
            });
        }
    }

    /// Takes a finished recomputation into the state: the analysis for the
    /// phones, the landscape (without statements hidden or withdrawn
    /// meanwhile) into the view. Returns the landscape's step if it is
    /// to be sent.
    pub fn finish(&mut self, state: &mut State, done: Done) -> Option<StepId> {
        let Done {
            step,
            analysis,
            took,
        } = done;
        self.running.insert(step, false);
        tracing::debug!(
            step = step.0,
            took_ms = took.as_millis() as u64,
            since_start_ms = self
                .started
                .get(&step)
                .map_or(0, |at| at.elapsed().as_millis() as u64),
            "a landscape was recomputed"
        );
        if state.view.ended || state.view.step(step).is_none() {
            return None;
        }
        let votes = state.votes.get_mut(&step)?;
        let landscape = keep_visible(analysis.landscape().clone(), &state.view);
        votes.analysis = Some(Arc::new(analysis));
        let board = state.view.statements.entry(step).or_default();
        if board.landscape == landscape {
            return None;
        }
        board.landscape = landscape;
        Some(step)
    }
}
