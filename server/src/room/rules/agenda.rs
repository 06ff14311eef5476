//! The facilitator running the agenda: moving between steps, opening and
//! closing collecting, showing a scenario's lines, the timer, editing the
//! steps, saving the agenda as a template, joining and the screen's
//! settings. A step someone has added to may be reworded, but not
//! reshaped or removed: their words and marks must keep their meaning.

use super::cards::release_live;
use super::{known, record, remember, Decision, Refusal, State, Turn};
use crate::secrets;
use crate::storage::Op;
use hearth_core::error::ErrorCode;
use hearth_core::exercise::MAX_STEPS;
use hearth_core::gathering::{Event, Joining, StepSpec, StepView};
use hearth_core::ids::StepId;
use hearth_core::marks::Target;
use hearth_core::protocol::{Action, Outcome};
use hearth_core::timer::Timer;
use hearth_core::words::Label;

/// Moves the room to a step. A timer that ran out belonged to the step
/// being left: its "Time" would greet the next prompt, so it goes. A live
/// step entered may release a batch at once.
pub fn go_to(t: &mut Turn<'_>, step: StepId) -> Result<Decision, Refusal> {
    known(t.state, step)?;
    // Small groups in a round are brought back before the room moves on.
    if step != t.state.view.current && super::groups::mid_round(t.state) {
        return Err(ErrorCode::MidRound.into());
    }
    let mut events = vec![Event::StepChanged { step }];
    if t.state.view.timer.left(t.now_ms) == Some(0) {
        events.push(Event::TimerSet { timer: Timer::Off });
    }
    let mut d = record(t, Outcome::Done, events)?;
    super::groups::on_enter(t, &mut d)?;
    super::statements::plant_seeds(t, &mut d)?;
    release_live(t, &mut d)?;
    Ok(d)
}

/// Keeps the agenda as a template for new gatherings.
pub fn save_template(t: &mut Turn<'_>, name: Label) -> Result<Decision, Refusal> {
    let agenda: Vec<StepSpec> = t.state.view.steps.iter().map(StepView::spec).collect();
    let mut d = Decision::to(Outcome::Done);
    d.ops.push(Op::SaveTemplate {
        id: secrets::token_from(&mut *t.rng, 8),
        name: name.into(),
        agenda: serde_json::to_string(&agenda)?,
        created_at: (t.now_ms / 1000) as i64,
    });
    remember(&mut d, t.by)?;
    Ok(d)
}

/// The facilitator's other actions: each one event, once checked.
pub fn set(t: &mut Turn<'_>, action: Action) -> Result<Decision, Refusal> {
    let event = match action {
        Action::SetCollecting { step, open } => {
            known(t.state, step)?;
            Event::CollectingSet { step, open }
        }
        Action::SetJoiningLocked { locked } => Event::JoiningSet {
            joining: if locked {
                Joining::Locked
            } else {
                Joining::Open
            },
        },
        Action::ShowLines { step, count } => {
            if usize::from(count) > known(t.state, step)?.exercise.line_count() {
                return Err(ErrorCode::UnknownLine.into());
            }
            Event::LinesShown { step, count }
        }
        Action::Timer { timer } => Event::TimerSet {
            timer: t.state.view.timer.after(timer, t.now_ms)?,
        },
        Action::AddStep { at, spec } => {
            spec.exercise.check()?;
            if t.state.view.steps.len() >= MAX_STEPS {
                return Err(ErrorCode::BadSettings.into());
            }
            let step = StepView::fresh(t.state.view.next_step_id(), spec);
            let at = at.min(t.state.view.steps.len() as u32);
            Event::StepAdded { at, step }
        }
        Action::EditStep { step, spec } => {
            spec.exercise.check()?;
            let reshaped = !known(t.state, step)?.exercise.same_shape(&spec.exercise);
            if reshaped && in_use(t.state, step) {
                return Err(ErrorCode::StepInUse.into());
            }
            Event::StepEdited { step, spec }
        }
        Action::MoveStep { step, to } => {
            known(t.state, step)?;
            let to = to.min(t.state.view.steps.len().saturating_sub(1) as u32);
            Event::StepMoved { step, to }
        }
        Action::RemoveStep { step } => {
            known(t.state, step)?;
            if t.state.view.steps.len() <= 1 {
                return Err(ErrorCode::LastStep.into());
            }
            if in_use(t.state, step) {
                return Err(ErrorCode::StepInUse.into());
            }
            Event::StepRemoved { step }
        }
        Action::SetScreen { screen } => Event::ScreenSet { screen },
        // Every other action has rules of its own (see `rules::apply`).
        _ => return Err(ErrorCode::NotAllowed.into()),
    };
    // Seeds added to the step the room is on enter its pool at once.
    let seeds_now =
        matches!(&event, Event::StepEdited { step, .. } if *step == t.state.view.current);
    let mut d = record(t, Outcome::Done, vec![event])?;
    if seeds_now {
        super::statements::plant_seeds(t, &mut d)?;
    }
    Ok(d)
}

/// Whether anyone has added anything to a step (or been dealt into its
/// small groups): then it may be reworded but not reshaped or removed.
fn in_use(state: &State, step: StepId) -> bool {
    state.groups.as_ref().is_some_and(|g| g.step == step)
        || state.cards.values().any(|c| c.step == step)
        || state.view.cards_of(step).next().is_some()
        || state
            .marks
            .values()
            .flat_map(|m| m.keys())
            .any(|t| matches!(t, Target::Spectrum(s) | Target::Tag(s, _) if *s == step))
}

#[cfg(test)]
mod tests {
    use super::super::testkit::{events, Gathering};
    use super::*;
    use app::library::default_step;
    use hearth_core::exercise::ExerciseKind;
    use hearth_core::locale::Locale;
    use hearth_core::marks::Mark;
    use hearth_core::timer::TimerAction;
    use hearth_core::words::Prompt;

    fn reworded(g: &Gathering, step: StepId, prompt: &str) -> StepSpec {
        let mut spec = g.state.view.step(step).map(StepView::spec).expect("a step");
        spec.prompt = Prompt::parse(prompt).expect("a prompt");
        spec
    }

    #[test]
    fn going_to_a_step_clears_a_timer_that_ran_out_and_keeps_one_running() {
        let kinds = [ExerciseKind::Board, ExerciseKind::Spectrum];
        let mut g = Gathering::with_steps(&kinds, 3);
        let set = Action::Timer {
            timer: TimerAction::Set { seconds: 60 },
        };
        let d = g.run(set).expect("set");
        let ends_at = g.now_ms + 60_000;
        assert!(
            matches!(events(&d)[..], [Event::TimerSet { timer: Timer::Running { ends_at: e } }] if *e == ends_at)
        );
        let d = g.run(Action::GoTo { step: StepId(2) }).expect("moved on");
        assert_eq!(d.events.len(), 1, "a running timer goes on");
        g.now_ms = ends_at;
        let d = g.run(Action::GoTo { step: StepId(1) }).expect("back");
        assert!(matches!(
            events(&d)[..],
            [
                Event::StepChanged { .. },
                Event::TimerSet { timer: Timer::Off }
            ]
        ));
        let nowhere = g.run(Action::GoTo { step: StepId(9) });
        assert_eq!(nowhere.err(), Some(ErrorCode::UnknownStep));
    }

    #[test]
    fn a_step_in_use_may_be_reworded_but_not_reshaped_or_removed() {
        let kinds = [ExerciseKind::Board, ExerciseKind::Spectrum];
        let mut g = Gathering::with_steps(&kinds, 3);
        let step = StepId(1);
        g.write(0, "the sea");
        let spec = reworded(&g, step, "What brought you?");
        g.run(Action::EditStep { step, spec }).expect("reworded");
        let reshape = Action::EditStep {
            step,
            spec: default_step(ExerciseKind::GiveReceive, Locale::En),
        };
        assert_eq!(g.run(reshape).err(), Some(ErrorCode::StepInUse));
        let remove = Action::RemoveStep { step };
        assert_eq!(g.run(remove).err(), Some(ErrorCode::StepInUse));
        // A spectrum point puts its step in use too.
        g.run(Action::GoTo { step: StepId(2) }).expect("moved on");
        let point = Mark::Spectrum {
            step: StepId(2),
            at: Some(10),
        };
        g.act(&Gathering::person(0), Action::Mark { mark: point })
            .expect("placed");
        let remove = Action::RemoveStep { step: StepId(2) };
        assert_eq!(g.run(remove).err(), Some(ErrorCode::StepInUse));
    }

    #[test]
    fn the_agenda_keeps_between_one_step_and_its_limit() {
        let mut g = Gathering::of(ExerciseKind::Board, 0);
        let only = Action::RemoveStep { step: g.step() };
        assert_eq!(g.run(only).err(), Some(ErrorCode::LastStep));
        for _ in 1..MAX_STEPS {
            let add = Action::AddStep {
                at: 99,
                spec: default_step(ExerciseKind::Board, Locale::En),
            };
            let d = g.run(add).expect("added");
            let Some(Event::StepAdded { at, .. }) = events(&d).first() else {
                panic!("a step added");
            };
            assert_eq!(*at as usize, g.state.view.steps.len() - 1, "at the end");
        }
        let over = Action::AddStep {
            at: 0,
            spec: default_step(ExerciseKind::Board, Locale::En),
        };
        assert_eq!(g.run(over).err(), Some(ErrorCode::BadSettings));
        let last = g.state.view.steps[MAX_STEPS - 1].id;
        let d = g
            .run(Action::MoveStep { step: last, to: 0 })
            .expect("moved");
        assert!(matches!(events(&d)[..], [Event::StepMoved { to: 0, .. }]));
        g.run(Action::RemoveStep { step: last }).expect("removed");
    }

    #[test]
    fn saving_a_template_writes_the_agenda_and_logs_nothing() {
        let mut g = Gathering::of(ExerciseKind::Map, 0);
        let save = Action::SaveTemplate {
            name: Label::parse("Our evening").expect("a name"),
        };
        let d = g.run(save).expect("saved");
        assert!(d.events.is_empty());
        let Op::SaveTemplate {
            name,
            agenda,
            created_at,
            ..
        } = &d.ops[0]
        else {
            panic!("a template: {:?}", d.ops);
        };
        assert_eq!(name, "Our evening");
        assert_eq!(*created_at, (g.now_ms / 1000) as i64);
        let agenda: Vec<StepSpec> = serde_json::from_str(agenda).expect("an agenda");
        assert_eq!(agenda, [default_step(ExerciseKind::Map, Locale::En)]);
    }

    #[test]
    fn the_facilitators_settings_are_each_one_event() {
        let mut g = Gathering::of(ExerciseKind::Board, 0);
        let step = g.step();
        let actions = [
            Action::SetCollecting { step, open: false },
            Action::SetJoiningLocked { locked: true },
            Action::SetScreen {
                screen: Default::default(),
            },
        ];
        for action in actions {
            let d = g.run(action).expect("set");
            assert_eq!(d.events.len(), 1);
        }
        assert!(!g.state.view.steps[0].collecting);
        assert_eq!(g.state.view.joining, Joining::Locked);
        let unknown = Action::SetCollecting {
            step: StepId(9),
            open: true,
        };
        assert_eq!(g.run(unknown).err(), Some(ErrorCode::UnknownStep));
    }
}
