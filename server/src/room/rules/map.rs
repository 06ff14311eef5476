//! The facilitator's arrangement of a worldview map: cards dragged, gathered
//! into named themes, themes linked, the screen zoomed. Every change is
//! checked against the arrangement as it stands (`Arrangement::check`), and
//! only cards the room can see on that map may be moved or gathered.

use super::{known, record, Decision, Refusal, State, Turn};
use hearth_core::error::ErrorCode;
use hearth_core::gathering::Event;
use hearth_core::ids::{CardId, StepId};
use hearth_core::map::{Arrangement, MapChange};
use hearth_core::protocol::Outcome;
use hearth_core::words::Label;

/// Changes a map's arrangement.
pub fn arrange(t: &mut Turn<'_>, step: StepId, change: MapChange) -> Result<Decision, Refusal> {
    arrangeable(t.state, step)?.check(&change, |c| on_map(t.state, step, c))?;
    record(t, Outcome::Done, vec![Event::MapArranged { step, change }])
}

/// Starts a theme with these cards in it: one event per change, each
/// checked against the arrangement as the ones before it leave it.
pub fn new_theme(
    t: &mut Turn<'_>,
    step: StepId,
    name: Label,
    cards: Vec<CardId>,
) -> Result<Decision, Refusal> {
    let arrangement = arrangeable(t.state, step)?;
    let theme = arrangement.next_theme();
    let mut changes = vec![MapChange::Name { theme, name }];
    changes.extend(cards.into_iter().map(|card| MapChange::Gather {
        card,
        theme: Some(theme),
    }));
    let mut after = arrangement.clone();
    for change in &changes {
        after.check(change, |c| on_map(t.state, step, c))?;
        after.apply(change);
    }
    let events = changes
        .into_iter()
        .map(|change| Event::MapArranged { step, change })
        .collect();
    record(t, Outcome::Done, events)
}

/// A map step's arrangement, or why the step has none.
fn arrangeable(state: &State, step: StepId) -> Result<&Arrangement, ErrorCode> {
    let s = known(state, step)?;
    s.exercise.axes().ok_or(ErrorCode::WrongPlace)?;
    Ok(&s.arrangement)
}

/// Whether a card is one the room can see on this map step.
fn on_map(state: &State, step: StepId, card: &CardId) -> bool {
    state
        .view
        .card(card)
        .is_some_and(|c| c.step == step && !c.hidden)
}

#[cfg(test)]
mod tests {
    use super::super::testkit::{events, Gathering};
    use super::*;
    use hearth_core::exercise::ExerciseKind;
    use hearth_core::map::{Point, ThemeId};
    use hearth_core::protocol::{Action, Moderation};
    use hearth_core::words::Label;

    fn label(name: &str) -> Label {
        Label::parse(name).expect("a label")
    }

    #[test]
    fn the_facilitator_arranges_only_cards_the_room_sees_on_the_map() {
        let mut g = Gathering::of(ExerciseKind::Map, 3);
        let step = g.step();
        let card = g.write(0, "my mother's voice");
        let pin = |card: &CardId| Action::Arrange {
            step,
            change: MapChange::Pin {
                card: card.clone(),
                at: Some(Point { x: 10, y: 10 }),
            },
        };
        assert_eq!(
            g.run(pin(&card)).err(),
            Some(ErrorCode::UnknownCard),
            "not revealed yet"
        );
        g.reveal();
        let d = g.run(pin(&card)).expect("pinned");
        assert!(matches!(events(&d)[..], [Event::MapArranged { .. }]));
        g.moderate(&card, Moderation::Hide).expect("hidden");
        assert_eq!(g.run(pin(&card)).err(), Some(ErrorCode::UnknownCard));
        let mut board = Gathering::of(ExerciseKind::Board, 3);
        let zoom = Action::Arrange {
            step,
            change: MapChange::Zoom { theme: None },
        };
        assert_eq!(board.run(zoom).err(), Some(ErrorCode::WrongPlace));
    }

    #[test]
    fn a_new_theme_is_named_and_gathers_its_cards_in_one_action() {
        let mut g = Gathering::of(ExerciseKind::Map, 3);
        let step = g.step();
        let cards = [g.write(0, "school"), g.write(1, "the news")];
        g.reveal();
        let theme = Action::NewTheme {
            step,
            name: label("Handed down"),
            cards: cards.to_vec(),
        };
        let d = g.run(theme).expect("a theme");
        assert_eq!(d.events.len(), 3, "named, then each card gathered");
        let arrangement = &g.state.view.steps[0].arrangement;
        let first = arrangement.theme_of(&cards[1]).map(|t| t.id);
        assert_eq!(first, Some(ThemeId(1)));
        // A card the map does not show spoils the whole action.
        let stray = Action::NewTheme {
            step,
            name: label("Stray"),
            cards: vec![CardId::from_random(9)],
        };
        assert_eq!(g.run(stray).err(), Some(ErrorCode::UnknownCard));
        assert_eq!(g.state.view.steps[0].arrangement.themes.len(), 1);
    }
}
