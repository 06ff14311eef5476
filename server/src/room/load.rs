//! A room's state read back from storage, when it starts (after a restart,
//! or after sitting idle) and when a round's commit failed and what was
//! decided in memory must be thrown away.
//!
//! It starts from the last checkpoint (or the gathering as created), applies
//! the events logged after it, and reads the cards, marks, participants and
//! applied actions from their own tables. The catch-up ring is rebuilt from
//! the same events, making the same privacy cuts the live room made.

use super::checkpoint::Checkpoint;
use super::event_frame;
use super::ring::Ring;
use super::rules::{applied_key, CardMeta, State};
use crate::storage::{GatheringRow, RoomRows, StorageError, Store};
use hearth_core::gathering::{Event, GatheringView};
use hearth_core::ids::{CardId, StepId};
use hearth_core::marks::Target;
use std::collections::HashMap;

/// Reads a gathering's state and catch-up ring from storage.
pub async fn load(store: &Store, row: &GatheringRow) -> Result<(State, Ring), StorageError> {
    let rows = store.load_room(&row.id).await?;
    let checkpoint = match &rows.checkpoint {
        Some(stored) => Some(serde_json::from_str::<Checkpoint>(&stored.body)?),
        None => None,
    };
    Ok(restore(row, checkpoint, rows))
}

/// Builds the state from what storage holds.
fn restore(row: &GatheringRow, checkpoint: Option<Checkpoint>, rows: RoomRows) -> (State, Ring) {
    let mut state = match checkpoint {
        Some(c) => State {
            reveals: c.reveals.into_iter().collect(),
            shown: c.shown.into_iter().collect(),
            groups: c.groups,
            ..State::at(c.seq, c.view)
        },
        None => State::at(0, row.genesis.clone()),
    };
    let checkpointed = state.checkpointed;
    let mut ring = Ring::above(checkpointed);
    for (seq, event) in rows.events {
        state.view.apply(&event);
        state.seq = seq;
        match &event {
            Event::CardsRevealed { cards } => {
                let ids = cards.iter().map(|c| c.id.clone()).collect();
                state.reveals.insert(seq, ids);
            }
            Event::CardShown { card } => state.shown.entry(card.id.clone()).or_default().push(seq),
            _ => {}
        }
        ring.replay(event_frame(seq, &event), &event);
    }
    state.joined = rows.participants.into_iter().collect();
    for card in rows.cards {
        state.arrival.push(card.id.clone());
        if card.revealed_seq.is_none() {
            state.waiting.push(card.id.clone());
        }
        let meta = CardMeta {
            step: card.step,
            author: card.author,
            text: card.text,
            place: card.place,
            sensitive: card.sensitive,
            revealed_seq: card.revealed_seq,
        };
        state.cards.insert(card.id, meta);
    }
    state.applied = rows
        .applied
        .iter()
        .map(|(actor, action)| applied_key(actor, action))
        .collect();
    for (author, target, value) in rows.marks {
        if let Some(step) = target_step(&state.view, &state.cards, &target) {
            state
                .counts
                .entry(step)
                .or_default()
                .change(&target, None, Some(value));
            state.marks.entry(author).or_default().insert(target, value);
        }
    }
    super::rules::statements::rebuild(&mut state);
    for (step, counts) in &state.counts {
        if let Some(s) = state.view.step(*step) {
            let totals = counts.publish(&s.exercise);
            state.view.totals.insert(*step, totals);
        }
    }
    (state, ring)
}

/// The step a mark's target belongs to, if it still exists.
fn target_step(
    view: &GatheringView,
    cards: &HashMap<CardId, CardMeta>,
    target: &Target,
) -> Option<StepId> {
    let step = match target {
        Target::Spectrum(step) | Target::Tag(step, _) => *step,
        // Imported cards are in the view only (they have no author here).
        Target::Vote(card)
        | Target::Resonate(card)
        | Target::Place(card)
        | Target::Answer(card) => cards
            .get(card)
            .map(|m| m.step)
            .or_else(|| view.card(card).map(|c| c.step))?,
    };
    view.step(step).map(|s| s.id)
}
