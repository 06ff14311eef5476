//! What everyone in a gathering can see, and how it changes.
//!
//! `GatheringView` is the public state of one gathering: the agenda, where
//! the room is in it, and the revealed cards. It changes only by applying an
//! `Event`, with the same pure code in the browser and on the server, so a
//! phone that replays the events it missed ends in exactly the state the
//! server holds. Nothing here knows who wrote a card: authorship never
//! enters the public state, so it can never leak from it.

use crate::anonymity::SMALL_ROOM;
use crate::exercise::{Exercise, Place};
use crate::groups::GroupsShown;
use crate::ids::{CardId, StepId};
use crate::locale::Locale;
use crate::map::{Arrangement, MapChange};
use crate::marks::Totals;
use crate::statements::{Board, BoardChange};
use crate::timer::Timer;
use crate::words::Prompt;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One step of an agenda as it is planned: a prompt and an exercise.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepSpec {
    pub prompt: Prompt,
    pub exercise: Exercise,
}

/// One step of the agenda as the room sees it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct StepView {
    pub id: StepId,
    pub prompt: Prompt,
    pub exercise: Exercise,
    /// Whether participants can add to this step now (when it is current).
    pub collecting: bool,
    /// How many lines of a scenario the room has been shown.
    #[serde(default)]
    pub shown: u16,
    /// Live: waiting cards are revealed by themselves, in shuffled
    /// batches, once at least `LIVE_MIN_AUTHORS` people have written.
    #[serde(default)]
    pub live: bool,
    /// A map's arrangement by the facilitator (empty for other kinds).
    #[serde(default, skip_serializing_if = "Arrangement::is_empty")]
    pub arrangement: Arrangement,
}

impl StepView {
    /// A step as it enters the agenda: open for collecting, nothing shown
    /// yet, revealed by hand.
    pub fn fresh(id: StepId, spec: StepSpec) -> Self {
        StepView {
            id,
            collecting: true,
            shown: 0,
            // Statements let in without pre-screening arrive as every live
            // step's cards do: in shuffled batches of several people's.
            live: matches!(
                spec.exercise,
                Exercise::Statements {
                    pre_screen: false,
                    ..
                }
            ),
            prompt: spec.prompt,
            exercise: spec.exercise,
            arrangement: Arrangement::default(),
        }
    }

    pub fn spec(&self) -> StepSpec {
        StepSpec {
            prompt: self.prompt.clone(),
            exercise: self.exercise.clone(),
        }
    }
}

/// A revealed card: its words and nothing about who wrote them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Card {
    pub id: CardId,
    pub step: StepId,
    pub text: String,
    #[serde(default)]
    pub place: Place,
    /// Hidden by the facilitator: gone from the screen and the phones.
    #[serde(default)]
    pub hidden: bool,
    /// Blurred on the screen until the facilitator shows it (a content
    /// note from its author, or the facilitator's choice).
    #[serde(default)]
    pub blurred: bool,
}

impl Card {
    /// The card without its author's words: what travels, and what is
    /// kept, once the words must not.
    pub fn without_words(&self) -> Card {
        Card {
            text: String::new(),
            place: self.place.without_words(),
            ..self.clone()
        }
    }

    /// The story a reframe sits under, if it is one.
    pub fn under(&self) -> Option<&CardId> {
        match &self.place {
            Place::Under { card } => Some(card),
            _ => None,
        }
    }
}

/// Whether new people can join.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Joining {
    Open,
    Locked,
}

/// How many reflections wait to be revealed, said only as precisely as the
/// room's size allows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "state", content = "count")]
pub enum Waiting {
    #[default]
    None,
    /// Some are waiting; the room is too small to say how many.
    Some,
    Count(u32),
}

/// The live figures a room may see. None of them is shown in a small room.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    /// People who have joined, or `None` in a small room.
    pub people: Option<u32>,
    /// How many different people have written on the current step, once
    /// `SMALL_ROOM` or more have: fewer, and a count going up points at
    /// whoever just wrote.
    #[serde(default)]
    pub writers: Option<u32>,
    pub waiting: Waiting,
}

impl Tally {
    /// The figures to publish for `people` joined, `writers` who wrote on
    /// the current step and `waiting` cards unrevealed there.
    pub fn publish(people: u32, writers: u32, waiting: u32) -> Self {
        let small = people < SMALL_ROOM;
        Self {
            people: (!small).then_some(people),
            writers: (writers >= SMALL_ROOM).then_some(writers),
            waiting: Waiting::publish(people, waiting),
        }
    }
}

impl Waiting {
    /// How `waiting` unrevealed cards are said in a room of `people`: no
    /// count in a small room, only that some wait.
    pub fn publish(people: u32, waiting: u32) -> Self {
        match (waiting, people < SMALL_ROOM) {
            (0, _) => Waiting::None,
            (_, true) => Waiting::Some,
            (n, false) => Waiting::Count(n),
        }
    }
}

/// The public state of one gathering.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GatheringView {
    pub title: String,
    pub steps: Vec<StepView>,
    /// The step the room is on.
    pub current: StepId,
    pub joining: Joining,
    /// Revealed cards, in the shuffled order they were revealed in.
    pub cards: Vec<Card>,
    /// Live figures. Not part of the event log: they change with every
    /// post and join, so the server sends them on their own (`Tally`
    /// messages), a few times a second at most, and in every snapshot.
    pub tally: Tally,
    /// Totals of people's marks per step; like the tally, sent on their
    /// own and in every snapshot.
    #[serde(default)]
    pub totals: BTreeMap<StepId, Totals>,
    #[serde(default)]
    pub timer: Timer,
    pub ended: bool,
    /// How the shared screen speaks and looks, set from the console.
    #[serde(default)]
    pub screen: ScreenSettings,
    /// What the room sees of each statements step besides its cards.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub statements: BTreeMap<StepId, Board>,
    /// A small groups step's groups as the room may know them (counts and
    /// the round only), while they exist.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub groups: Option<GroupsShown>,
}

/// How the shared screen speaks and looks. A projector has nobody at it
/// to choose, so the facilitator chooses in the console and every screen
/// of the gathering follows at once.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScreenSettings {
    #[serde(default)]
    pub language: Locale,
    #[serde(default)]
    pub theme: ScreenTheme,
}

/// The screen's colours.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScreenTheme {
    /// Calm colours for a screen share or a dim room.
    #[default]
    Standard,
    /// Black on white, heavy outlines: for a bright projector that washes
    /// out anything softer.
    HighContrast,
}

impl ScreenTheme {
    pub const ALL: [ScreenTheme; 2] = [ScreenTheme::Standard, ScreenTheme::HighContrast];

    /// The name the stylesheet knows it by (`data-theme`).
    pub fn slug(self) -> &'static str {
        match self {
            ScreenTheme::Standard => "standard",
            ScreenTheme::HighContrast => "high-contrast",
        }
    }
}

impl GatheringView {
    /// A new gathering with the given agenda (at least one step), every
    /// step open for collecting, on its first step.
    pub fn new(title: String, agenda: Vec<StepSpec>) -> Self {
        let steps: Vec<StepView> = agenda
            .into_iter()
            .zip(1..)
            .map(|(spec, id)| StepView::fresh(StepId(id), spec))
            .collect();
        Self {
            title,
            current: steps.first().map(|s| s.id).unwrap_or(StepId(1)),
            steps,
            joining: Joining::Open,
            cards: Vec::new(),
            tally: Tally::default(),
            totals: BTreeMap::new(),
            timer: Timer::Off,
            ended: false,
            screen: ScreenSettings::default(),
            statements: BTreeMap::new(),
            groups: None,
        }
    }

    /// The step the room is on.
    pub fn current_step(&self) -> Option<&StepView> {
        self.step(self.current)
    }

    pub fn step(&self, id: StepId) -> Option<&StepView> {
        self.steps.iter().find(|s| s.id == id)
    }

    /// Where a step sits in the agenda.
    pub fn position(&self, id: StepId) -> Option<usize> {
        self.steps.iter().position(|s| s.id == id)
    }

    /// A fresh id for a new step.
    pub fn next_step_id(&self) -> StepId {
        StepId(self.steps.iter().map(|s| s.id.0).max().unwrap_or(0) + 1)
    }

    /// Revealed cards of one step, hidden ones included.
    pub fn cards_of(&self, step: StepId) -> impl Iterator<Item = &Card> {
        self.cards.iter().filter(move |c| c.step == step)
    }

    /// Revealed cards of one step that the room may see.
    pub fn visible_cards(&self, step: StepId) -> impl Iterator<Item = &Card> {
        self.cards_of(step).filter(|c| !c.hidden)
    }

    pub fn card(&self, id: &CardId) -> Option<&Card> {
        self.cards.iter().find(|c| &c.id == id)
    }

    /// The totals of one step (empty when nothing is marked yet).
    pub fn totals_of(&self, step: StepId) -> Totals {
        self.totals.get(&step).cloned().unwrap_or_default()
    }

    /// The state as a screen or a phone may receive it: the words of hidden
    /// cards left out.
    pub fn redacted(&self) -> GatheringView {
        let mut view = self.clone();
        for card in view.cards.iter_mut().filter(|c| c.hidden) {
            *card = card.without_words();
        }
        view
    }

    /// What a phone's page is made from: the current step's cards and
    /// totals, and the cards `own` picks (the participant's own, wherever
    /// they are, so their list can say what became of each). A phone shows
    /// nothing else, and a page made in a hall late in the evening need
    /// not copy every card of every step.
    pub fn for_phone(&self, own: impl Fn(&CardId) -> bool) -> GatheringView {
        GatheringView {
            title: self.title.clone(),
            steps: self.steps.clone(),
            current: self.current,
            joining: self.joining,
            cards: self
                .cards
                .iter()
                .filter(|c| c.step == self.current || own(&c.id))
                .cloned()
                .collect(),
            tally: self.tally,
            totals: self
                .totals
                .get(&self.current)
                .map(|t| BTreeMap::from([(self.current, t.clone())]))
                .unwrap_or_default(),
            timer: self.timer,
            ended: self.ended,
            screen: self.screen,
            // The current step's board; of another step, only which of
            // this phone's own statements were merged away (its list says).
            statements: self
                .statements
                .iter()
                .filter_map(|(step, b)| {
                    if *step == self.current {
                        return Some((*step, b.for_phone()));
                    }
                    let merged: BTreeMap<CardId, CardId> = b
                        .merged
                        .iter()
                        .filter(|(duplicate, _)| own(duplicate))
                        .map(|(d, i)| (d.clone(), i.clone()))
                        .collect();
                    (!merged.is_empty()).then(|| {
                        let board = crate::statements::Board {
                            merged,
                            ..Default::default()
                        };
                        (*step, board)
                    })
                })
                .collect(),
            groups: self.groups,
        }
    }

    /// What the room sees of a statements step besides its cards.
    pub fn board(&self, step: StepId) -> Board {
        self.statements.get(&step).cloned().unwrap_or_default()
    }

    /// Applies one event. Events are facts the server has already checked
    /// and stored, so applying never fails; an event that names something
    /// unknown (a card already withdrawn, say) changes nothing, and once
    /// the gathering has ended its state is final.
    pub fn apply(&mut self, event: &Event) {
        if self.ended {
            return;
        }
        match event {
            Event::CardsRevealed { cards } => {
                for card in cards {
                    if self.step(card.step).is_some() && self.card(&card.id).is_none() {
                        self.cards.push(card.clone());
                    }
                }
            }
            Event::CardWithdrawn { card } => {
                self.cards.retain(|c| &c.id != card);
                for totals in self.totals.values_mut() {
                    totals.forget(card);
                }
                for step in &mut self.steps {
                    step.arrangement.forget(card);
                }
                for board in self.statements.values_mut() {
                    board.forget(card);
                }
            }
            Event::CardHidden { card } => {
                if let Some(c) = self.cards.iter_mut().find(|c| &c.id == card) {
                    c.hidden = true;
                }
            }
            Event::CardShown { card } => {
                // The card keeps its step; only its words come back.
                if let Some(c) = self.cards.iter_mut().find(|c| c.id == card.id) {
                    c.text = card.text.clone();
                    c.place = card.place.clone();
                    c.blurred = card.blurred;
                    c.hidden = false;
                }
            }
            Event::CardBlurred { card, blurred } => {
                if let Some(c) = self.cards.iter_mut().find(|c| &c.id == card) {
                    c.blurred = *blurred;
                }
            }
            Event::CollectingSet { step, open } => {
                if let Some(s) = self.steps.iter_mut().find(|s| s.id == *step) {
                    s.collecting = *open;
                }
            }
            Event::JoiningSet { joining } => self.joining = *joining,
            Event::StepChanged { step } => {
                if self.step(*step).is_some() {
                    self.current = *step;
                }
            }
            Event::StepAdded { at, step } => {
                if self.step(step.id).is_none() {
                    let at = (*at as usize).min(self.steps.len());
                    self.steps.insert(at, step.clone());
                }
            }
            Event::StepEdited { step, spec } => {
                if let Some(s) = self.steps.iter_mut().find(|s| s.id == *step) {
                    s.prompt = spec.prompt.clone();
                    s.exercise = spec.exercise.clone();
                    s.shown = s.shown.min(s.exercise.line_count() as u16);
                }
            }
            Event::StepMoved { step, to } => {
                if let Some(from) = self.position(*step) {
                    let moved = self.steps.remove(from);
                    let to = (*to as usize).min(self.steps.len());
                    self.steps.insert(to, moved);
                }
            }
            Event::StepRemoved { step } => {
                if let Some(at) = self.position(*step) {
                    if self.steps.len() > 1 {
                        self.steps.remove(at);
                        self.cards.retain(|c| c.step != *step);
                        self.totals.remove(step);
                        self.statements.remove(step);
                        if self.current == *step {
                            let next = at.min(self.steps.len() - 1);
                            self.current = self.steps[next].id;
                        }
                    }
                }
            }
            Event::LiveSet { step, live } => {
                if let Some(s) = self.steps.iter_mut().find(|s| s.id == *step) {
                    s.live = *live;
                }
            }
            Event::LinesShown { step, count } => {
                if let Some(s) = self.steps.iter_mut().find(|s| s.id == *step) {
                    s.shown = (*count).min(s.exercise.line_count() as u16);
                }
            }
            Event::TimerSet { timer } => self.timer = *timer,
            Event::MapArranged { step, change } => {
                if let Some(s) = self.steps.iter_mut().find(|s| s.id == *step) {
                    s.arrangement.apply(change);
                }
            }
            Event::ScreenSet { screen } => self.screen = *screen,
            Event::StatementsSet { step, change } => {
                if self.step(*step).is_some() {
                    self.statements.entry(*step).or_default().apply(change);
                }
            }
            Event::GroupsShown { groups } => self.groups = *groups,
            Event::Ended => {
                self.ended = true;
                self.groups = None;
                self.joining = Joining::Locked;
                self.timer = Timer::Off;
                for s in &mut self.steps {
                    s.collecting = false;
                }
            }
        }
    }
}

/// A change to the public state, in the order the server decided it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum Event {
    /// A batch of cards, already shuffled, becomes visible to the room.
    CardsRevealed {
        cards: Vec<Card>,
    },
    /// Its author took a card back; it is gone from every view.
    CardWithdrawn {
        card: CardId,
    },
    /// The facilitator hid a card. Its words are not sent again to anyone
    /// but facilitators.
    CardHidden {
        card: CardId,
    },
    /// The facilitator showed a hidden card again (its words travel again).
    CardShown {
        card: Card,
    },
    CardBlurred {
        card: CardId,
        blurred: bool,
    },
    CollectingSet {
        step: StepId,
        open: bool,
    },
    JoiningSet {
        joining: Joining,
    },
    /// The room moved to another step.
    StepChanged {
        step: StepId,
    },
    StepAdded {
        at: u32,
        step: StepView,
    },
    StepEdited {
        step: StepId,
        spec: StepSpec,
    },
    StepMoved {
        step: StepId,
        to: u32,
    },
    /// A step without anything in it left the agenda.
    StepRemoved {
        step: StepId,
    },
    /// A step's reveal became live (by itself) or manual.
    LiveSet {
        step: StepId,
        live: bool,
    },
    /// A scenario's first `count` lines are shown.
    LinesShown {
        step: StepId,
        count: u16,
    },
    TimerSet {
        timer: Timer,
    },
    /// The gathering is over: no joining, no collecting.
    Ended,
    /// The facilitator changed a map's arrangement.
    MapArranged {
        step: StepId,
        change: MapChange,
    },
    /// The shared screen's language or colours changed.
    ScreenSet {
        screen: ScreenSettings,
    },
    /// The facilitator changed what the room sees of a statements step.
    StatementsSet {
        step: StepId,
        change: BoardChange,
    },
    /// A small groups step's groups changed as the room may know them:
    /// dealt, a round begun, brought back (`None`: forgotten).
    GroupsShown {
        groups: Option<GroupsShown>,
    },
}

/// A position in a gathering's event log. The epoch changes whenever
/// history is lost, so a client never stitches events onto a past that no
/// longer exists.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogPosition {
    pub epoch: u64,
    pub seq: u64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::timer::Timer;
    use crate::words::Label;

    fn card(id: u64, step: u32, text: &str) -> Card {
        Card {
            id: CardId::from_random(id),
            step: StepId(step),
            text: text.into(),
            place: Place::Board,
            hidden: false,
            blurred: false,
        }
    }

    fn spec(prompt: &str) -> StepSpec {
        StepSpec {
            prompt: Prompt::parse(prompt).unwrap(),
            exercise: Exercise::Board { columns: vec![] },
        }
    }

    /// A gathering with steps 1, 2, 3 (prompts "a", "b", "c").
    fn three() -> GatheringView {
        GatheringView::new("t".into(), vec![spec("a"), spec("b"), spec("c")])
    }

    fn order(g: &GatheringView) -> Vec<u32> {
        g.steps.iter().map(|s| s.id.0).collect()
    }

    #[test]
    fn a_new_gathering_starts_on_its_first_step_collecting() {
        let g = three();
        assert_eq!(g.current, StepId(1));
        assert_eq!(order(&g), [1, 2, 3]);
        assert!(g.steps.iter().all(|s| s.collecting));
        assert_eq!(g.next_step_id(), StepId(4));
    }

    #[test]
    fn reveal_appends_in_given_order_and_ignores_repeats() {
        let mut g = three();
        let batch = Event::CardsRevealed {
            cards: vec![card(2, 1, "b"), card(1, 1, "a")],
        };
        g.apply(&batch);
        g.apply(&batch);
        let texts: Vec<_> = g.cards.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(texts, ["b", "a"]);
    }

    #[test]
    fn a_phone_is_given_the_current_step_and_its_own_cards_only() {
        let mut g = three();
        g.apply(&Event::CardsRevealed {
            cards: vec![card(1, 1, "a"), card(2, 1, "b"), card(3, 2, "c")],
        });
        g.apply(&Event::StepChanged { step: StepId(2) });
        for step in [1, 2] {
            g.totals
                .entry(StepId(step))
                .or_default()
                .cards
                .insert(CardId::from_random(1), 5);
        }
        // Of a past step, a phone learns only which of its own statements
        // were merged away.
        for duplicate in [2, 4] {
            g.apply(&Event::StatementsSet {
                step: StepId(1),
                change: crate::statements::BoardChange::Merged {
                    duplicate: CardId::from_random(duplicate),
                    into: CardId::from_random(1),
                },
            });
        }
        let phone = g.for_phone(|c| *c == CardId::from_random(2));
        let merged: Vec<_> = phone.board(StepId(1)).merged.into_keys().collect();
        assert_eq!(merged, [CardId::from_random(2)]);
        let texts: Vec<_> = phone.cards.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(texts, ["b", "c"]);
        assert_eq!(
            phone.totals.keys().copied().collect::<Vec<_>>(),
            [StepId(2)]
        );
        assert_eq!(phone.steps, g.steps);
        assert_eq!(phone.current, StepId(2));
    }

    #[test]
    fn reveal_ignores_cards_of_unknown_steps() {
        let mut g = three();
        g.apply(&Event::CardsRevealed {
            cards: vec![card(1, 9, "x")],
        });
        assert!(g.cards.is_empty());
    }

    #[test]
    fn withdraw_removes_only_that_card_and_its_totals() {
        let mut g = three();
        g.apply(&Event::CardsRevealed {
            cards: vec![card(1, 1, "a"), card(2, 1, "b")],
        });
        g.totals
            .entry(StepId(1))
            .or_default()
            .cards
            .insert(CardId::from_random(1), 3);
        g.apply(&Event::CardWithdrawn {
            card: CardId::from_random(1),
        });
        g.apply(&Event::CardWithdrawn {
            card: CardId::from_random(77),
        });
        assert_eq!(g.cards, vec![card(2, 1, "b")]);
        assert_eq!(g.totals_of(StepId(1)).card(&CardId::from_random(1)), 0);
    }

    #[test]
    fn hidden_cards_keep_their_place_and_lose_their_words_when_redacted() {
        let mut g = three();
        g.apply(&Event::CardsRevealed {
            cards: vec![card(1, 1, "a"), card(2, 1, "b")],
        });
        g.apply(&Event::CardHidden {
            card: CardId::from_random(1),
        });
        assert_eq!(g.visible_cards(StepId(1)).count(), 1);
        let public = g.redacted();
        assert_eq!(public.cards[0].text, "");
        assert_eq!(g.cards[0].text, "a", "the facilitator's view keeps them");
        let mut phone = public.clone();
        phone.apply(&Event::CardShown {
            card: card(1, 1, "a"),
        });
        assert_eq!(phone.cards[0], card(1, 1, "a"));
        phone.apply(&Event::CardBlurred {
            card: CardId::from_random(2),
            blurred: true,
        });
        assert!(phone.cards[1].blurred);
    }

    #[test]
    fn steps_are_added_moved_and_removed_by_id() {
        let mut g = three();
        g.apply(&Event::StepAdded {
            at: 1,
            step: StepView::fresh(
                StepId(4),
                StepSpec {
                    prompt: Prompt::parse("d").unwrap(),
                    exercise: Exercise::Reframe,
                },
            ),
        });
        assert_eq!(order(&g), [1, 4, 2, 3]);
        g.apply(&Event::StepMoved {
            step: StepId(1),
            to: 3,
        });
        assert_eq!(order(&g), [4, 2, 3, 1]);
        assert_eq!(g.current, StepId(1), "moving a step keeps the room on it");
        g.apply(&Event::StepMoved {
            step: StepId(3),
            to: 99,
        });
        assert_eq!(order(&g), [4, 2, 1, 3]);
        // Removing the current step moves the room to the one in its place.
        g.apply(&Event::StepRemoved { step: StepId(1) });
        assert_eq!(order(&g), [4, 2, 3]);
        assert_eq!(g.current, StepId(3));
        g.apply(&Event::StepRemoved { step: StepId(3) });
        assert_eq!(
            g.current,
            StepId(2),
            "the last step falls back to the one before"
        );
        g.apply(&Event::StepRemoved { step: StepId(4) });
        g.apply(&Event::StepRemoved { step: StepId(2) });
        assert_eq!(order(&g), [2], "an agenda keeps one step");
    }

    #[test]
    fn edits_reword_and_clamp_shown_lines() {
        let mut g = three();
        let line = |t: &str| crate::exercise::Line {
            speaker: Label::parse("A").unwrap(),
            text: Prompt::parse(t).unwrap(),
        };
        g.apply(&Event::StepEdited {
            step: StepId(2),
            spec: StepSpec {
                prompt: Prompt::parse("scene").unwrap(),
                exercise: Exercise::Scenario {
                    lines: vec![line("1"), line("2"), line("3")],
                },
            },
        });
        g.apply(&Event::LinesShown {
            step: StepId(2),
            count: 9,
        });
        assert_eq!(g.step(StepId(2)).unwrap().shown, 3);
        g.apply(&Event::StepEdited {
            step: StepId(2),
            spec: StepSpec {
                prompt: Prompt::parse("scene").unwrap(),
                exercise: Exercise::Scenario {
                    lines: vec![line("1")],
                },
            },
        });
        assert_eq!(g.step(StepId(2)).unwrap().shown, 1);
        assert_eq!(g.step(StepId(2)).unwrap().prompt.as_str(), "scene");
    }

    #[test]
    fn step_changes_only_to_known_steps() {
        let mut g = three();
        g.apply(&Event::StepChanged { step: StepId(3) });
        assert_eq!(g.current, StepId(3));
        g.apply(&Event::StepChanged { step: StepId(9) });
        assert_eq!(g.current, StepId(3));
    }

    #[test]
    fn ending_closes_everything() {
        let mut g = three();
        g.apply(&Event::TimerSet {
            timer: Timer::Running { ends_at: 5 },
        });
        g.apply(&Event::Ended);
        assert!(g.ended);
        assert_eq!(g.joining, Joining::Locked);
        assert_eq!(g.timer, Timer::Off);
        assert!(g.steps.iter().all(|s| !s.collecting));
    }

    #[test]
    fn the_screen_follows_its_settings_and_old_states_read_with_defaults() {
        let mut g = three();
        assert_eq!(g.screen, ScreenSettings::default());
        let chosen = ScreenSettings {
            language: Locale::Es,
            theme: ScreenTheme::HighContrast,
        };
        g.apply(&Event::ScreenSet { screen: chosen });
        assert_eq!(g.screen, chosen);
        let json = serde_json::to_value(&g).unwrap();
        assert_eq!(json["screen"]["language"], "es");
        assert_eq!(json["screen"]["theme"], "high_contrast");
        // A state stored before screens had settings still reads.
        let mut old = json.clone();
        old.as_object_mut().unwrap().remove("screen");
        let read: GatheringView = serde_json::from_value(old).unwrap();
        assert_eq!(read.screen, ScreenSettings::default());
    }

    #[test]
    fn small_rooms_publish_no_counts() {
        assert_eq!(
            Tally::publish(4, 4, 3),
            Tally {
                people: None,
                writers: None,
                waiting: Waiting::Some
            }
        );
        assert_eq!(
            Tally::publish(4, 0, 0),
            Tally {
                people: None,
                writers: None,
                waiting: Waiting::None
            }
        );
        assert_eq!(
            Tally::publish(5, 3, 3),
            Tally {
                people: Some(5),
                writers: None,
                waiting: Waiting::Count(3)
            }
        );
    }

    #[test]
    fn writers_are_counted_only_from_five() {
        assert_eq!(Tally::publish(40, 4, 0).writers, None);
        assert_eq!(Tally::publish(40, 5, 0).writers, Some(5));
        assert_eq!(Tally::publish(40, 23, 2).writers, Some(23));
        let old: Tally =
            serde_json::from_str(r#"{"people":7,"waiting":{"state":"none"}}"#).unwrap();
        assert_eq!(
            old.writers, None,
            "a tally stored before writers were counted reads back"
        );
    }

    #[test]
    fn replaying_events_reaches_the_same_state() {
        let events = vec![
            Event::CardsRevealed {
                cards: vec![card(1, 1, "a")],
            },
            Event::CollectingSet {
                step: StepId(1),
                open: false,
            },
            Event::StepChanged { step: StepId(2) },
            Event::CardsRevealed {
                cards: vec![card(2, 2, "b")],
            },
            Event::CardWithdrawn {
                card: CardId::from_random(1),
            },
            Event::StepMoved {
                step: StepId(3),
                to: 0,
            },
            Event::JoiningSet {
                joining: Joining::Locked,
            },
        ];
        let mut live = three();
        let mut snapshot_then_rest = three();
        snapshot_then_rest
            .totals
            .entry(StepId(2))
            .or_default()
            .lines
            .push([1, 0, 0, 0, 0, 0, 2]);
        live.totals = snapshot_then_rest.totals.clone();
        for e in &events {
            live.apply(e);
        }
        for e in &events[..3] {
            snapshot_then_rest.apply(e);
        }
        let mut resumed = serde_json::from_str::<GatheringView>(
            &serde_json::to_string(&snapshot_then_rest).unwrap(),
        )
        .unwrap();
        for e in &events[3..] {
            resumed.apply(e);
        }
        assert_eq!(live, resumed);
    }
}
