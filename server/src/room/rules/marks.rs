//! Marks: a participant's point on a spectrum, tags on a scenario's lines,
//! dots on "towards" statements, resonances, and placements on a map.
//!
//! One person holds at most one mark per target. The room keeps each
//! person's marks (to change or take them back) and the counts behind each
//! step's totals; the room sees only the totals, sent with the live
//! figures a few times a second (`due_totals`).

use super::{open_step, remember, Decision, Refusal, State, Turn};
use crate::storage::Op;
use hearth_core::error::ErrorCode;
use hearth_core::exercise::Exercise;
use hearth_core::gathering::StepView;
use hearth_core::ids::{CardId, StepId};
use hearth_core::marks::{dots_fit, Mark, Target, SPECTRUM_MAX};
use hearth_core::protocol::Outcome;

/// Sets, changes or takes back one of the author's marks.
pub fn mark(t: &mut Turn<'_>, mark: Mark) -> Result<Decision, Refusal> {
    let author = t.by.actor;
    let target = mark.target();
    let held = t
        .state
        .marks
        .get(author)
        .and_then(|m| m.get(&target))
        .copied();
    let step = fitting_step(t.state, author, &mark, held)?;
    let value = mark.value();
    let mut d = Decision::to(Outcome::Marked { mark });
    d.ops.push(match value {
        Some(value) => Op::SetMark {
            author: author.to_owned(),
            target: target.key(),
            value,
        },
        None => Op::DeleteMark {
            author: author.to_owned(),
            target: target.key(),
        },
    });
    remember(&mut d, t.by)?;
    let own = t.state.marks.entry(author.to_owned()).or_default();
    match value {
        Some(v) => own.insert(target.clone(), v),
        None => own.remove(&target),
    };
    // An answer counts in the statements step's landscape, never in the
    // step's totals.
    if let Target::Answer(card) = &target {
        super::statements::answered(t.state, step, author, card, value);
        return Ok(d);
    }
    let changed = t
        .state
        .counts
        .entry(step)
        .or_default()
        .change(&target, held, value);
    t.state.totals_due.entry(step).or_default().extend(changed);
    Ok(d)
}

/// The step a mark counts in, if the mark fits it: the right kind of
/// exercise, a line the room has been shown, a point on the spectrum or
/// the map, dots within the author's budget (`held` is what the author
/// has on this target now).
fn fitting_step(
    state: &State,
    author: &str,
    mark: &Mark,
    held: Option<u16>,
) -> Result<StepId, ErrorCode> {
    match mark {
        Mark::Spectrum { step, at } => {
            let s = open_step(state, *step)?;
            if !matches!(s.exercise, Exercise::Spectrum { .. }) {
                return Err(ErrorCode::WrongPlace);
            }
            if at.is_some_and(|at| at > SPECTRUM_MAX) {
                return Err(ErrorCode::BadSettings);
            }
            Ok(s.id)
        }
        Mark::Tag { step, line, .. } => {
            let s = open_step(state, *step)?;
            if !matches!(s.exercise, Exercise::Scenario { .. }) {
                return Err(ErrorCode::WrongPlace);
            }
            if *line >= s.shown {
                return Err(ErrorCode::UnknownLine);
            }
            Ok(s.id)
        }
        Mark::Vote { card, dots } => {
            let s = respondable(state, card)?;
            let Exercise::MovingTowards { budget } = s.exercise else {
                return Err(ErrorCode::WrongPlace);
            };
            let step = s.id;
            let spent: u32 = state
                .marks
                .get(author)
                .into_iter()
                .flatten()
                .filter(|(t, _)| {
                    matches!(t, Target::Vote(c) if state.cards.get(c).is_some_and(|m| m.step == step))
                })
                .map(|(_, v)| u32::from(*v))
                .sum();
            let held = held.and_then(|v| u8::try_from(v).ok()).unwrap_or(0);
            if !dots_fit(budget, spent, held, *dots) {
                return Err(ErrorCode::OverBudget);
            }
            Ok(step)
        }
        Mark::Resonate { card, .. } => {
            let s = respondable(state, card)?;
            // Dots there, answers to statements: no resonances.
            if matches!(
                s.exercise,
                Exercise::MovingTowards { .. } | Exercise::Statements { .. }
            ) {
                return Err(ErrorCode::WrongPlace);
            }
            Ok(s.id)
        }
        Mark::Answer { card, .. } => super::statements::answerable(state, card),
        Mark::Place { card, at } => {
            let s = respondable(state, card)?;
            let axes = s.exercise.axes().ok_or(ErrorCode::WrongPlace)?;
            if at.is_some_and(|spot| !axes.holds(spot)) {
                return Err(ErrorCode::OutsideMap);
            }
            Ok(s.id)
        }
    }
}

/// A revealed card the room can see on the current step: what votes and
/// resonances may be given to.
fn respondable<'a>(state: &'a State, card: &CardId) -> Result<&'a StepView, ErrorCode> {
    let c = state
        .view
        .card(card)
        .filter(|c| !c.hidden)
        .ok_or(ErrorCode::UnknownCard)?;
    if c.step != state.view.current {
        return Err(ErrorCode::StepNotOpen);
    }
    super::known(state, c.step)
}

#[cfg(test)]
mod tests {
    use super::super::due_totals;
    use super::super::testkit::Gathering;
    use super::*;
    use hearth_core::anonymity::MIN_PEOPLE_SHOWN;
    use hearth_core::exercise::{ExerciseKind, Place};
    use hearth_core::map::Spot;
    use hearth_core::marks::Tag;
    use hearth_core::protocol::{Action, Moderation};

    fn mark(g: &mut Gathering, who: usize, mark: Mark) -> Result<Decision, ErrorCode> {
        g.act(&Gathering::person(who), Action::Mark { mark })
    }

    #[test]
    fn a_spectrum_point_is_set_moved_and_taken_back() {
        let mut g = Gathering::of(ExerciseKind::Spectrum, 3);
        let step = g.step();
        let at = |at| Mark::Spectrum { step, at };
        let d = mark(&mut g, 0, at(Some(40))).expect("placed");
        assert!(matches!(&d.ops[0], Op::SetMark { value: 40, .. }));
        assert!(d.events.is_empty(), "marks are totals, not events");
        mark(&mut g, 0, at(Some(90))).expect("moved");
        assert_eq!(g.state.marks["person-0"][&Target::Spectrum(step)], 90);
        let d = mark(&mut g, 0, at(None)).expect("taken back");
        assert!(matches!(&d.ops[0], Op::DeleteMark { .. }));
        assert!(g.state.marks["person-0"].is_empty());
        let past = mark(&mut g, 0, at(Some(SPECTRUM_MAX + 1)));
        assert_eq!(past.err(), Some(ErrorCode::BadSettings));
        let mut board = Gathering::of(ExerciseKind::Board, 3);
        let wrong = mark(&mut board, 0, at(Some(40)));
        assert_eq!(wrong.err(), Some(ErrorCode::WrongPlace));
    }

    #[test]
    fn a_spectrum_shows_its_distribution_only_from_enough_people() {
        let people = MIN_PEOPLE_SHOWN as usize;
        let mut g = Gathering::of(ExerciseKind::Spectrum, people);
        let step = g.step();
        for who in 0..people {
            mark(&mut g, who, Mark::Spectrum { step, at: Some(50) }).expect("placed");
            let totals = due_totals(&mut g.state);
            let spectrum = totals[0].1.spectrum.clone();
            if who + 1 < people {
                assert_eq!(spectrum, None, "{} people are a bar each", who + 1);
            } else {
                assert_eq!(
                    spectrum.map(|bands| bands.iter().sum()),
                    Some(MIN_PEOPLE_SHOWN)
                );
            }
        }
        assert!(due_totals(&mut g.state).is_empty(), "sent once");
    }

    #[test]
    fn a_scenario_line_is_tagged_once_the_room_has_seen_it() {
        let mut g = Gathering::of(ExerciseKind::Scenario, 3);
        let step = g.step();
        let tag = |line| Mark::Tag {
            step,
            line,
            tag: Some(Tag::Agenda),
        };
        assert_eq!(mark(&mut g, 0, tag(0)).err(), Some(ErrorCode::UnknownLine));
        g.run(Action::ShowLines { step, count: 2 }).expect("shown");
        mark(&mut g, 0, tag(1)).expect("tagged");
        assert_eq!(mark(&mut g, 0, tag(2)).err(), Some(ErrorCode::UnknownLine));
        let totals = due_totals(&mut g.state);
        assert_eq!(totals[0].1.line(1)[Tag::Agenda.index()], 1);
        let lines = g
            .state
            .view
            .step(step)
            .map_or(0, |s| s.exercise.line_count());
        let beyond = Action::ShowLines {
            step,
            count: lines as u16 + 1,
        };
        assert_eq!(g.run(beyond).err(), Some(ErrorCode::UnknownLine));
    }

    #[test]
    fn dots_are_spent_within_the_budget() {
        let mut g = Gathering::of(ExerciseKind::MovingTowards, 3);
        let toward = Place::Toward { from: None };
        let mut cards = Vec::new();
        for who in 0..2 {
            let d = g.write_at(who, toward.clone(), "towards").expect("written");
            let Outcome::Added { card } = d.outcome else {
                panic!("added");
            };
            cards.push(card.id);
        }
        g.reveal();
        let Exercise::MovingTowards { budget } = g.state.view.steps[0].exercise else {
            panic!("a moving towards step");
        };
        let vote = |card: &CardId, dots| Mark::Vote {
            card: card.clone(),
            dots,
        };
        mark(&mut g, 2, vote(&cards[0], budget)).expect("all dots on one");
        let over = mark(&mut g, 2, vote(&cards[1], 1));
        assert_eq!(over.err(), Some(ErrorCode::OverBudget));
        // Moving dots from one card frees them for another.
        mark(&mut g, 2, vote(&cards[0], budget - 1)).expect("one dot back");
        mark(&mut g, 2, vote(&cards[1], 1)).expect("spent elsewhere");
        let totals = due_totals(&mut g.state);
        assert_eq!(totals[0].1.card(&cards[1]), 1);
        // Here a card takes dots, not resonances.
        let resonate = Mark::Resonate {
            card: cards[0].clone(),
            on: true,
        };
        assert_eq!(mark(&mut g, 2, resonate).err(), Some(ErrorCode::WrongPlace));
    }

    #[test]
    fn resonances_go_to_revealed_visible_cards_of_the_current_step() {
        let kinds = [ExerciseKind::Board, ExerciseKind::Board];
        let mut g = Gathering::with_steps(&kinds, 3);
        let resonate = |card: &CardId| Mark::Resonate {
            card: card.clone(),
            on: true,
        };
        let waiting = g.write(0, "not yet");
        assert_eq!(
            mark(&mut g, 1, resonate(&waiting)).err(),
            Some(ErrorCode::UnknownCard)
        );
        g.reveal();
        mark(&mut g, 1, resonate(&waiting)).expect("resonated");
        mark(&mut g, 2, resonate(&waiting)).expect("resonated");
        let totals = due_totals(&mut g.state);
        assert_eq!(totals[0].1.card(&waiting), 2, "a total, never who");
        g.moderate(&waiting, Moderation::Hide).expect("hidden");
        assert_eq!(
            mark(&mut g, 0, resonate(&waiting)).err(),
            Some(ErrorCode::UnknownCard)
        );
        let shown = g.shown(1, "still here");
        g.run(Action::GoTo { step: StepId(2) }).expect("moved on");
        assert_eq!(
            mark(&mut g, 0, resonate(&shown)).err(),
            Some(ErrorCode::StepNotOpen)
        );
    }

    #[test]
    fn a_card_is_placed_on_the_map_and_its_place_shown_from_enough_people() {
        let people = MIN_PEOPLE_SHOWN as usize;
        let mut g = Gathering::of(ExerciseKind::Map, people);
        let card = g.shown(0, "the sea");
        let place = |at| Mark::Place {
            card: card.clone(),
            at,
        };
        let outside = place(Some(Spot { x: 255, y: 255 }));
        assert_eq!(mark(&mut g, 0, outside).err(), Some(ErrorCode::OutsideMap));
        for who in 0..people {
            mark(&mut g, who, place(Some(Spot { x: 0, y: 50 }))).expect("placed");
            let placed = due_totals(&mut g.state)[0].1.place(&card).at().is_some();
            assert_eq!(placed, who + 1 == people, "{} people", who + 1);
        }
        let mut board = Gathering::of(ExerciseKind::Board, 3);
        let card = board.shown(0, "the sea");
        let elsewhere = Mark::Place {
            card,
            at: Some(Spot { x: 0, y: 50 }),
        };
        assert_eq!(
            mark(&mut board, 0, elsewhere).err(),
            Some(ErrorCode::WrongPlace)
        );
    }
}
