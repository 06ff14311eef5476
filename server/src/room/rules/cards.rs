//! Reflections: adding one, revealing the waiting ones (by hand, or live
//! once enough different people have written), and the facilitator's
//! moderation of a revealed card.
//!
//! Two anonymity rules live here. A reveal shows its cards shuffled, so
//! the order on the board says nothing about who wrote first. A live step
//! releases its waiting cards only once at least `LIVE_MIN_AUTHORS`
//! different people wrote them, so a batch never points at one or two.

use super::{emit, known, open_step, record, remember, CardMeta, Decision, Refusal, Turn};
use crate::storage::Op;
use hearth_core::anonymity::LIVE_MIN_AUTHORS;
use hearth_core::error::ErrorCode;
use hearth_core::exercise::Place;
use hearth_core::gathering::{Card, Event};
use hearth_core::ids::{CardId, StepId};
use hearth_core::protocol::{Moderation, Outcome, OwnCard};
use rand::seq::SliceRandom;
use std::collections::HashSet;

/// A reflection as a participant adds it.
pub struct Reflection {
    pub step: StepId,
    pub text: String,
    pub place: Place,
    pub sensitive: bool,
}

/// Adds a reflection to the current step, if it is collecting and the
/// place fits the exercise; in a live step, it may release a batch.
pub fn add(t: &mut Turn<'_>, reflection: Reflection) -> Result<Decision, Refusal> {
    let Reflection {
        step,
        text,
        place,
        sensitive,
    } = reflection;
    let s = open_step(t.state, step)?;
    if matches!(
        s.exercise,
        hearth_core::exercise::Exercise::Statements { .. }
    ) {
        hearth_core::exercise::check_statement(&text)?;
    }
    let view = &t.state.view;
    let story = |card: &CardId| {
        view.card(card)
            .is_some_and(|c| c.step == step && !c.hidden && c.under().is_none())
    };
    s.exercise.accepts(&place, story)?;
    let card = OwnCard {
        id: CardId::from_random(t.rng.next_u64()),
        step,
        text,
        place,
        sensitive,
        revealed: false,
    };
    let mut d = Decision::to(Outcome::Added { card: card.clone() });
    let meta = CardMeta {
        step,
        author: t.by.actor.to_owned(),
        text: card.text,
        place: card.place,
        sensitive,
        revealed_seq: None,
    };
    store_new(t, &mut d, card.id, meta)?;
    remember(&mut d, t.by)?;
    release_live(t, &mut d)?;
    Ok(d)
}

/// A new card of the room, not yet revealed: its write joins `d`, and it
/// takes its place in the arrival order and among the cards waiting for
/// a reveal. Every way a card enters (a phone writing, a small group
/// bringing one back, a facilitator's seed) goes through here.
pub(super) fn store_new(
    t: &mut Turn<'_>,
    d: &mut Decision,
    id: CardId,
    meta: CardMeta,
) -> Result<(), Refusal> {
    d.ops.push(Op::AddCard {
        id: id.as_str().to_owned(),
        step: meta.step.0,
        author: meta.author.clone(),
        text: meta.text.clone(),
        place: serde_json::to_string(&meta.place)?,
        sensitive: meta.sensitive,
    });
    t.state.arrival.push(id.clone());
    t.state.waiting.push(id.clone());
    t.state.cards.insert(id, meta);
    Ok(())
}

/// Shows the current step's waiting cards, shuffled.
pub fn reveal(t: &mut Turn<'_>) -> Result<Decision, Refusal> {
    let mut d = Decision::to(Outcome::Done);
    remember(&mut d, t.by)?;
    reveal_waiting(t, &mut d)?;
    Ok(d)
}

/// Lets a step reveal by itself, or only when asked; a step made live may
/// release a batch at once.
pub fn set_live(t: &mut Turn<'_>, step: StepId, live: bool) -> Result<Decision, Refusal> {
    if !known(t.state, step)?.exercise.takes_reflections() {
        return Err(ErrorCode::NoReflections.into());
    }
    let mut d = record(t, Outcome::Done, vec![Event::LiveSet { step, live }])?;
    release_live(t, &mut d)?;
    Ok(d)
}

/// In a live step, releases the waiting cards once at least
/// `LIVE_MIN_AUTHORS` different people wrote them: a batch then always
/// holds several people's words, shuffled.
pub fn release_live(t: &mut Turn<'_>, d: &mut Decision) -> Result<(), Refusal> {
    let Some(step) = t.state.view.current_step().filter(|s| s.live).map(|s| s.id) else {
        return Ok(());
    };
    let authors: HashSet<&str> = t
        .state
        .waiting
        .iter()
        .filter_map(|c| t.state.cards.get(c))
        .filter(|m| m.step == step)
        .map(|m| m.author.as_str())
        .collect();
    if authors.len() >= LIVE_MIN_AUTHORS {
        reveal_waiting(t, d)?;
    }
    Ok(())
}

/// Adds to `d` the current step's waiting cards revealed, in shuffled
/// order (nothing if none wait).
fn reveal_waiting(t: &mut Turn<'_>, d: &mut Decision) -> Result<(), Refusal> {
    let step = t.state.view.current;
    let ids: Vec<CardId> = t
        .state
        .waiting
        .iter()
        .filter(|c| t.state.cards.get(*c).is_some_and(|m| m.step == step))
        .cloned()
        .collect();
    reveal_these(t, d, ids)
}

/// Adds to `d` these cards revealed, in shuffled order (nothing if there
/// are none): a reveal's batch, or one statement let in or seeded.
pub fn reveal_these(
    t: &mut Turn<'_>,
    d: &mut Decision,
    mut ids: Vec<CardId>,
) -> Result<(), Refusal> {
    if ids.is_empty() {
        return Ok(());
    }
    // Shuffled, so the order on the board says nothing about who wrote first.
    ids.shuffle(&mut *t.rng);
    let seq = t.state.seq + 1;
    let mut cards = Vec::with_capacity(ids.len());
    for c in &ids {
        if let Some(m) = t.state.cards.get_mut(c) {
            d.ops.push(Op::MarkRevealed {
                id: c.as_str().to_owned(),
                seq,
            });
            cards.push(m.public(c));
            m.revealed_seq = Some(seq);
        }
    }
    emit(t.state, d, Event::CardsRevealed { cards })?;
    let revealed: HashSet<&CardId> = ids.iter().collect();
    t.state.waiting.retain(|c| !revealed.contains(c));
    t.state.reveals.insert(seq, ids);
    Ok(())
}

/// Hides, shows again, blurs or unblurs a card, without anything in it or
/// in what it changes saying who wrote the card. Hiding cuts the catch-up
/// ring (`ring::cut_for`); showing again is remembered, because that event
/// carries the card's words.
pub fn moderate(t: &mut Turn<'_>, card: CardId, change: Moderation) -> Result<Decision, Refusal> {
    let Some(current) = t.state.view.card(&card) else {
        return Err(ErrorCode::UnknownCard.into());
    };
    let event = match change {
        Moderation::Hide => Event::CardHidden { card: card.clone() },
        Moderation::Unhide => Event::CardShown {
            card: Card {
                hidden: false,
                ..current.clone()
            },
        },
        Moderation::Blur => Event::CardBlurred {
            card: card.clone(),
            blurred: true,
        },
        Moderation::Unblur => Event::CardBlurred {
            card: card.clone(),
            blurred: false,
        },
    };
    let showing = matches!(event, Event::CardShown { .. });
    let d = record(t, Outcome::Done, vec![event])?;
    if showing {
        t.state.shown.entry(card).or_default().push(t.state.seq);
    }
    Ok(d)
}

#[cfg(test)]
mod tests {
    use super::super::testkit::{events, revealed, words, Gathering};
    use super::*;
    use hearth_core::exercise::ExerciseKind;
    use hearth_core::protocol::Action;

    #[test]
    fn a_reflection_waits_unrevealed_and_is_stored_with_its_author() {
        let mut g = Gathering::of(ExerciseKind::Board, 3);
        let d = g.write_at(0, Place::Board, "the sea").expect("written");
        let Outcome::Added { card } = &d.outcome else {
            panic!("added: {:?}", d.outcome);
        };
        assert_eq!((card.text.as_str(), card.revealed), ("the sea", false));
        assert!(d.events.is_empty(), "nobody sees it before a reveal");
        assert!(matches!(
            &d.ops[0],
            Op::AddCard { author, text, .. } if author == "person-0" && text == "the sea"
        ));
        assert_eq!(g.state.waiting, std::slice::from_ref(&card.id));
        assert!(g.state.view.cards.is_empty());
    }

    #[test]
    fn writing_needs_the_current_step_open_for_collecting() {
        let kinds = [ExerciseKind::Board, ExerciseKind::Board];
        let mut g = Gathering::with_steps(&kinds, 3);
        let write = |step| Action::AddReflection {
            step,
            text: words("the sea"),
            place: Place::Board,
            sensitive: false,
        };
        let me = Gathering::person(0);
        assert_eq!(
            g.act(&me, write(StepId(2))).err(),
            Some(ErrorCode::StepNotOpen)
        );
        assert_eq!(
            g.act(&me, write(StepId(9))).err(),
            Some(ErrorCode::UnknownStep)
        );
        let close = Action::SetCollecting {
            step: StepId(1),
            open: false,
        };
        g.run(close).expect("closed");
        assert_eq!(
            g.act(&me, write(StepId(1))).err(),
            Some(ErrorCode::NotCollecting)
        );
        assert!(g.state.cards.is_empty());
    }

    #[test]
    fn each_kind_takes_reflections_only_where_they_fit() {
        use ExerciseKind::*;
        let column = |column| Place::Column { column };
        let toward = Place::Toward { from: None };
        let cases = [
            (Board, Place::Board, Ok(())),
            (Board, column(0), Err(ErrorCode::WrongPlace)),
            (GiveReceive, column(0), Ok(())),
            (GiveReceive, column(1), Ok(())),
            (GiveReceive, column(2), Err(ErrorCode::WrongPlace)),
            (GiveReceive, Place::Board, Err(ErrorCode::WrongPlace)),
            (MovingTowards, toward.clone(), Ok(())),
            (MovingTowards, Place::Board, Err(ErrorCode::WrongPlace)),
            (Board, toward, Err(ErrorCode::WrongPlace)),
            (Reframe, Place::Board, Ok(())),
            (Map, Place::Board, Ok(())),
            (Spectrum, Place::Board, Err(ErrorCode::NoReflections)),
            (Scenario, Place::Board, Err(ErrorCode::NoReflections)),
        ];
        for (kind, place, expected) in cases {
            let mut g = Gathering::of(kind, 3);
            let got = g.write_at(0, place.clone(), "words").map(|_| ());
            assert_eq!(got, expected, "{kind:?} at {place:?}");
        }
    }

    #[test]
    fn a_reframe_goes_under_a_revealed_story_only() {
        let mut g = Gathering::of(ExerciseKind::Reframe, 3);
        let story = g.write(0, "they called it a disorder");
        let under = |card: &CardId| Place::Under { card: card.clone() };
        let early = g.write_at(1, under(&story), "something happened");
        assert_eq!(early.err(), Some(ErrorCode::UnknownCard));
        g.reveal();
        g.write_at(1, under(&story), "something happened")
            .expect("a reframe under a revealed story");
        // Not under a reframe, nor under a hidden story.
        let other = g.write(2, "another story");
        let reframe = g.write_at(2, under(&story), "a reframe").map(|d| d.outcome);
        let Ok(Outcome::Added { card: reframe }) = reframe else {
            panic!("added");
        };
        g.reveal();
        let deeper = g.write_at(0, under(&reframe.id), "deeper");
        assert_eq!(deeper.err(), Some(ErrorCode::UnknownCard));
        g.moderate(&other, Moderation::Hide).expect("hidden");
        let hidden = g.write_at(0, under(&other), "under a hidden story");
        assert_eq!(hidden.err(), Some(ErrorCode::UnknownCard));
    }

    #[test]
    fn a_reveal_shows_the_current_steps_waiting_cards_once_shuffled() {
        let kinds = [ExerciseKind::Board, ExerciseKind::Board];
        let mut g = Gathering::with_steps(&kinds, 8);
        let elsewhere = g.write(0, "on the first step");
        g.run(Action::GoTo { step: StepId(2) }).expect("moved on");
        let arrival: Vec<CardId> = (0..8).map(|i| g.write(i, "words")).collect();
        let d = g.reveal();
        let shown = revealed(&d);
        assert_eq!(d.events.len(), 1, "one event for the whole batch");
        let mut sorted = shown.clone();
        sorted.sort();
        let mut expected = arrival.clone();
        expected.sort();
        assert_eq!(sorted, expected, "every waiting card of this step, once");
        assert_ne!(shown, arrival, "not in the order people wrote");
        let marked = d
            .ops
            .iter()
            .filter(|op| matches!(op, Op::MarkRevealed { .. }))
            .count();
        assert_eq!(marked, 8);
        assert_eq!(g.state.waiting, [elsewhere]);
        // Nothing is left to reveal: a second reveal logs nothing.
        assert!(g.reveal().events.is_empty());
    }

    #[test]
    fn a_live_step_releases_only_once_three_different_people_wrote() {
        let mut g = Gathering::of(ExerciseKind::Board, LIVE_MIN_AUTHORS + 1);
        let live = Action::SetLive {
            step: g.step(),
            live: true,
        };
        g.run(live).expect("live");
        // Many cards from fewer people stay waiting: a batch would point
        // at them.
        for who in 0..LIVE_MIN_AUTHORS - 1 {
            for _ in 0..3 {
                let d = g.write_at(who, Place::Board, "words").expect("written");
                assert!(d.events.is_empty());
            }
        }
        let d = g
            .write_at(LIVE_MIN_AUTHORS - 1, Place::Board, "words")
            .expect("written");
        assert_eq!(revealed(&d).len(), 3 * (LIVE_MIN_AUTHORS - 1) + 1);
        assert!(g.state.waiting.is_empty());
        // The next batch starts again from nobody.
        let d = g.write_at(0, Place::Board, "more").expect("written");
        assert!(d.events.is_empty());
    }

    #[test]
    fn making_a_step_live_releases_what_already_waits() {
        let mut g = Gathering::of(ExerciseKind::Board, LIVE_MIN_AUTHORS);
        for who in 0..LIVE_MIN_AUTHORS {
            g.write(who, "words");
        }
        let live = Action::SetLive {
            step: g.step(),
            live: true,
        };
        let d = g.run(live).expect("live");
        assert!(matches!(
            events(&d)[..],
            [Event::LiveSet { .. }, Event::CardsRevealed { .. }]
        ));
        let no_words = Action::SetLive {
            step: g.step(),
            live: true,
        };
        let mut spectrum = Gathering::of(ExerciseKind::Spectrum, 3);
        assert_eq!(spectrum.run(no_words).err(), Some(ErrorCode::NoReflections));
    }

    #[test]
    fn moderation_changes_a_card_and_hiding_cuts_the_ring() {
        let mut g = Gathering::of(ExerciseKind::Board, 3);
        let card = g.shown(0, "the sea");
        let d = g.moderate(&card, Moderation::Hide).expect("hidden");
        let (hid_at, _) = d.events[0];
        assert_eq!(
            d.cut,
            Some(hid_at - 1),
            "frames before the hide carry the words"
        );
        assert!(g.state.view.card(&card).is_some_and(|c| c.hidden));
        let d = g.moderate(&card, Moderation::Unhide).expect("shown");
        assert!(matches!(events(&d)[..], [Event::CardShown { card: c }] if c.text == "the sea"));
        assert_eq!(d.cut, None);
        assert_eq!(g.state.shown[&card], [d.events[0].0]);
        let d = g.moderate(&card, Moderation::Blur).expect("blurred");
        assert!(matches!(
            events(&d)[..],
            [Event::CardBlurred { blurred: true, .. }]
        ));
        assert_eq!(
            g.moderate(&CardId::from_random(1), Moderation::Hide).err(),
            Some(ErrorCode::UnknownCard)
        );
        // A waiting card is not the room's to moderate yet.
        let waiting = g.write(1, "not yet");
        assert_eq!(
            g.moderate(&waiting, Moderation::Hide).err(),
            Some(ErrorCode::UnknownCard)
        );
    }
}
