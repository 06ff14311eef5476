//! A small gathering for the rules' unit tests: steps of the library's
//! kinds, people joined, a clock that moves only when a test moves it, and
//! seeded dice, so every test decides the same way each time it runs.

use super::{decide, join, Actor, Decision, Inputs, Refusal, State, Verdict};
use app::library::default_step;
use hearth_core::error::ErrorCode;
use hearth_core::exercise::{ExerciseKind, Place};
use hearth_core::gathering::{Event, GatheringView};
use hearth_core::ids::{ActionId, CardId, StepId};
use hearth_core::locale::Locale;
use hearth_core::protocol::{Action, Moderation, Outcome};
use hearth_core::reflection::ReflectionText;
use rand::rngs::StdRng;
use rand::SeedableRng;

/// A gathering the rules decide on, with its clock and dice.
pub struct Gathering {
    pub state: State,
    /// The server's clock (ms) as the rules are given it.
    pub now_ms: u64,
    rng: StdRng,
    /// Counts the action ids handed out, so each is new.
    ids: u128,
}

impl Gathering {
    /// A gathering of one step of `kind` (the library's, in English),
    /// current and collecting, with `people` participants joined.
    pub fn of(kind: ExerciseKind, people: usize) -> Self {
        Self::with_steps(&[kind], people)
    }

    /// A gathering with a step of each kind, in order, on the first.
    pub fn with_steps(kinds: &[ExerciseKind], people: usize) -> Self {
        let agenda = kinds.iter().map(|k| default_step(*k, Locale::En)).collect();
        let mut gathering = Self {
            state: State::at(0, GatheringView::new("A gathering".into(), agenda)),
            now_ms: 1_000_000,
            rng: StdRng::seed_from_u64(7),
            ids: 0,
        };
        for i in 0..people {
            let added = join(&mut gathering.state, Self::person(i).key());
            assert!(matches!(added, Ok(Some(_))), "person {i} joins");
        }
        gathering
    }

    /// The `i`th participant.
    pub fn person(i: usize) -> Actor {
        Actor::Participant(format!("person-{i}"))
    }

    /// The step the room is on.
    pub fn step(&self) -> StepId {
        self.state.view.current
    }

    /// An action id not used before.
    pub fn fresh_id(&mut self) -> ActionId {
        self.ids += 1;
        ActionId::from_random(self.ids)
    }

    /// What the rules find for `action` by `actor` under `id`.
    pub fn decide(
        &mut self,
        actor: &Actor,
        id: &ActionId,
        action: Action,
    ) -> Result<Verdict, Refusal> {
        let mut inputs = Inputs {
            now_ms: self.now_ms,
            rng: &mut self.rng,
        };
        decide(&mut self.state, &mut inputs, actor, id, action)
    }

    /// Decides a new action by `actor`: what it changes, or the code it
    /// is refused with.
    pub fn act(&mut self, actor: &Actor, action: Action) -> Result<Decision, ErrorCode> {
        let id = self.fresh_id();
        match self.decide(actor, &id, action) {
            Ok(Verdict::Decided(d)) => Ok(d),
            Ok(Verdict::Stored) => panic!("a new action id was taken for a retry"),
            Err(Refusal::Code(code)) => Err(code),
            Err(e) => panic!("{e}"),
        }
    }

    /// Decides a new action by the facilitator.
    pub fn run(&mut self, action: Action) -> Result<Decision, ErrorCode> {
        self.act(&Actor::Facilitator, action)
    }

    /// Person `who` writes `text` at `place` on the current step.
    pub fn write_at(
        &mut self,
        who: usize,
        place: Place,
        text: &str,
    ) -> Result<Decision, ErrorCode> {
        let action = Action::AddReflection {
            step: self.step(),
            text: words(text),
            place,
            sensitive: false,
        };
        self.act(&Self::person(who), action)
    }

    /// Person `who` writes `text` on the current step's board; the new
    /// card.
    pub fn write(&mut self, who: usize, text: &str) -> CardId {
        let added = self.write_at(who, Place::Board, text);
        match added.map(|d| d.outcome) {
            Ok(Outcome::Added { card }) => card.id,
            other => panic!("person {who} could not write: {other:?}"),
        }
    }

    /// Person `who` writes `text` on the current step's board, and the
    /// facilitator reveals it (with whatever else waits); the card.
    pub fn shown(&mut self, who: usize, text: &str) -> CardId {
        let card = self.write(who, text);
        self.reveal();
        card
    }

    /// The facilitator reveals the current step's waiting cards.
    pub fn reveal(&mut self) -> Decision {
        self.run(Action::Reveal).expect("a reveal is never refused")
    }

    /// The facilitator moderates a card.
    pub fn moderate(&mut self, card: &CardId, change: Moderation) -> Result<Decision, ErrorCode> {
        let card = card.clone();
        self.run(Action::Moderate { card, change })
    }

    /// The round is committed, as the task does after it: retries are now
    /// answered from storage.
    pub fn commit(&mut self) {
        self.state.pending.clear();
        self.state.groups_dirty = false;
        self.state.groups_notify.clear();
    }
}

/// Words a participant wrote.
pub fn words(text: &str) -> ReflectionText {
    ReflectionText::parse(text).expect("test words fit a reflection")
}

/// The events a decision logs, without their numbers.
pub fn events(d: &Decision) -> Vec<&Event> {
    d.events.iter().map(|(_, e)| e).collect()
}

/// The cards a decision reveals, in the order it shows them.
pub fn revealed(d: &Decision) -> Vec<CardId> {
    events(d)
        .into_iter()
        .filter_map(|e| match e {
            Event::CardsRevealed { cards } => Some(cards.iter().map(|c| c.id.clone())),
            _ => None,
        })
        .flatten()
        .collect()
}
