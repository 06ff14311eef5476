//! Marks: a participant's one choice per thing (where they stand on a
//! spectrum, how they tag a line of dialogue, their dots on a statement,
//! whether a card resonates), and the totals the room may see of them.
//!
//! A mark is private to its author. The room only ever sees `Totals`:
//! counts per card, per line and per band of a spectrum, a card's combined
//! place on a map, never a person's own point, and a distribution only once
//! enough people have placed themselves that no single point can be picked
//! out.

use crate::anonymity::MIN_PEOPLE_SHOWN;
use crate::exercise::Exercise;
use crate::ids::{CardId, StepId};
use crate::landscape::Vote;
use crate::map::{Placement, Spot};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The bands a spectrum's distribution is shown in.
pub const SPECTRUM_BANDS: usize = 10;
/// The highest point on a spectrum (the lowest is 0).
pub const SPECTRUM_MAX: u8 = 100;

/// What a line of dialogue can be tagged with: the six disconnects, or a
/// moment of connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tag {
    Agenda,
    Lecturing,
    Probing,
    Joking,
    ChangingSubject,
    Cautioning,
    Connection,
}

impl Tag {
    pub const ALL: [Tag; 7] = [
        Tag::Agenda,
        Tag::Lecturing,
        Tag::Probing,
        Tag::Joking,
        Tag::ChangingSubject,
        Tag::Cautioning,
        Tag::Connection,
    ];

    pub fn index(self) -> usize {
        Tag::ALL.iter().position(|t| *t == self).unwrap_or(0)
    }

    pub fn from_index(i: usize) -> Option<Tag> {
        Tag::ALL.get(i).copied()
    }

    pub fn slug(self) -> &'static str {
        match self {
            Tag::Agenda => "agenda",
            Tag::Lecturing => "lecturing",
            Tag::Probing => "probing",
            Tag::Joking => "joking",
            Tag::ChangingSubject => "changing_subject",
            Tag::Cautioning => "cautioning",
            Tag::Connection => "connection",
        }
    }
}

/// A participant's choice, or taking it back (`None`, 0 dots, `on: false`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "mark")]
pub enum Mark {
    Spectrum {
        step: StepId,
        at: Option<u8>,
    },
    Tag {
        step: StepId,
        line: u16,
        tag: Option<Tag>,
    },
    Vote {
        card: CardId,
        dots: u8,
    },
    Resonate {
        card: CardId,
        on: bool,
    },
    /// Where this person places a card on the map.
    Place {
        card: CardId,
        at: Option<Spot>,
    },
    /// Agree, disagree or pass on a statement (a statements step).
    Answer {
        card: CardId,
        vote: Option<Vote>,
    },
}

/// What a mark is about: one person has at most one mark per target.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Target {
    Spectrum(StepId),
    Tag(StepId, u16),
    Vote(CardId),
    Resonate(CardId),
    Place(CardId),
    Answer(CardId),
}

impl Mark {
    pub fn target(&self) -> Target {
        match self {
            Mark::Spectrum { step, .. } => Target::Spectrum(*step),
            Mark::Tag { step, line, .. } => Target::Tag(*step, *line),
            Mark::Vote { card, .. } => Target::Vote(card.clone()),
            Mark::Resonate { card, .. } => Target::Resonate(card.clone()),
            Mark::Place { card, .. } => Target::Place(card.clone()),
            Mark::Answer { card, .. } => Target::Answer(card.clone()),
        }
    }

    /// The mark's value, or `None` when it takes a mark back.
    pub fn value(&self) -> Option<u16> {
        match self {
            Mark::Spectrum { at, .. } => at.map(u16::from),
            Mark::Tag { tag, .. } => tag.map(|t| t.index() as u16),
            Mark::Vote { dots, .. } => (*dots > 0).then_some(u16::from(*dots)),
            Mark::Resonate { on, .. } => on.then_some(1),
            Mark::Place { at, .. } => at.map(Spot::pack),
            Mark::Answer { vote, .. } => vote.map(answer_value),
        }
    }

    /// Rebuilds a mark from its target and stored value.
    pub fn from_parts(target: &Target, value: u16) -> Option<Mark> {
        let small = u8::try_from(value).ok();
        Some(match target {
            Target::Spectrum(step) => Mark::Spectrum {
                step: *step,
                at: Some(small?.min(SPECTRUM_MAX)),
            },
            Target::Tag(step, line) => Mark::Tag {
                step: *step,
                line: *line,
                tag: Some(Tag::from_index(value.into())?),
            },
            Target::Vote(card) => Mark::Vote {
                card: card.clone(),
                dots: small?,
            },
            Target::Resonate(card) => Mark::Resonate {
                card: card.clone(),
                on: true,
            },
            Target::Place(card) => Mark::Place {
                card: card.clone(),
                at: Some(Spot::unpack(value)),
            },
            Target::Answer(card) => Mark::Answer {
                card: card.clone(),
                vote: Some(answer_of(value)?),
            },
        })
    }
}

impl Target {
    /// A compact text form, for storage.
    pub fn key(&self) -> String {
        match self {
            Target::Spectrum(s) => format!("s:{}", s.0),
            Target::Tag(s, l) => format!("t:{}:{l}", s.0),
            Target::Vote(c) => format!("v:{}", c.as_str()),
            Target::Resonate(c) => format!("r:{}", c.as_str()),
            Target::Place(c) => format!("p:{}", c.as_str()),
            Target::Answer(c) => format!("a:{}", c.as_str()),
        }
    }

    pub fn parse(key: &str) -> Option<Target> {
        let mut parts = key.split(':');
        let target = match (parts.next()?, parts.next()?) {
            ("s", s) => Target::Spectrum(StepId(s.parse().ok()?)),
            ("t", s) => Target::Tag(StepId(s.parse().ok()?), parts.next()?.parse().ok()?),
            ("v", c) => Target::Vote(CardId::parse(c).ok()?),
            ("r", c) => Target::Resonate(CardId::parse(c).ok()?),
            ("p", c) => Target::Place(CardId::parse(c).ok()?),
            ("a", c) => Target::Answer(CardId::parse(c).ok()?),
            _ => return None,
        };
        parts.next().is_none().then_some(target)
    }
}

/// A statement's answer as it is stored.
pub fn answer_value(vote: Vote) -> u16 {
    match vote {
        Vote::Agree => 1,
        Vote::Disagree => 2,
        Vote::Pass => 3,
    }
}

/// A stored answer read back.
pub fn answer_of(value: u16) -> Option<Vote> {
    match value {
        1 => Some(Vote::Agree),
        2 => Some(Vote::Disagree),
        3 => Some(Vote::Pass),
        _ => None,
    }
}

/// The band of the spectrum a point falls in.
pub fn band(at: u8) -> usize {
    (usize::from(at.min(SPECTRUM_MAX)) * SPECTRUM_BANDS / (usize::from(SPECTRUM_MAX) + 1))
        .min(SPECTRUM_BANDS - 1)
}

/// What the room may see of one step's marks. As a live update it carries
/// the spectrum and lines whole and only the cards whose totals changed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    /// People per band, or `None` while too few have placed themselves.
    #[serde(default)]
    pub spectrum: Option<Vec<u32>>,
    /// Per line of a scenario, how many tagged it with each tag (in
    /// `Tag::ALL` order).
    #[serde(default)]
    pub lines: Vec<[u32; 7]>,
    /// Dots or resonances per card.
    #[serde(default)]
    pub cards: BTreeMap<CardId, u32>,
    /// Where the room placed each card on a map.
    #[serde(default)]
    pub places: BTreeMap<CardId, Placement>,
}

impl Totals {
    /// Takes in a live update.
    pub fn merge(&mut self, update: Totals) {
        self.spectrum = update.spectrum;
        self.lines = update.lines;
        self.cards.extend(update.cards);
        self.places.extend(update.places);
    }

    /// The total for one card (dots or resonances).
    pub fn card(&self, card: &CardId) -> u32 {
        self.cards.get(card).copied().unwrap_or(0)
    }

    /// Where the room placed one card on a map.
    pub fn place(&self, card: &CardId) -> Placement {
        self.places.get(card).cloned().unwrap_or_default()
    }

    /// Forgets a card that is gone.
    pub fn forget(&mut self, card: &CardId) {
        self.cards.remove(card);
        self.places.remove(card);
    }

    /// Tags on one line, in `Tag::ALL` order.
    pub fn line(&self, line: usize) -> [u32; 7] {
        self.lines.get(line).copied().unwrap_or_default()
    }
}

/// The full counts behind one step's totals, kept by the server.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    bands: [u32; SPECTRUM_BANDS],
    placed: u32,
    lines: Vec<[u32; 7]>,
    cards: BTreeMap<CardId, u32>,
    /// Per card, how many people chose each spot on the map.
    places: BTreeMap<CardId, BTreeMap<Spot, u32>>,
}

impl Counts {
    /// Counts one mark's change from `old` to `new` (values as in
    /// `Mark::value`). Returns the card whose total changed, if any.
    pub fn change(
        &mut self,
        target: &Target,
        old: Option<u16>,
        new: Option<u16>,
    ) -> Option<CardId> {
        let (old_small, new_small) = (
            old.and_then(|v| u8::try_from(v).ok()),
            new.and_then(|v| u8::try_from(v).ok()),
        );
        match target {
            Target::Spectrum(_) => {
                if let Some(at) = old_small {
                    self.bands[band(at)] = self.bands[band(at)].saturating_sub(1);
                    self.placed = self.placed.saturating_sub(1);
                }
                if let Some(at) = new_small {
                    self.bands[band(at)] += 1;
                    self.placed += 1;
                }
                None
            }
            Target::Tag(_, line) => {
                let line = usize::from(*line);
                if self.lines.len() <= line {
                    self.lines.resize(line + 1, [0; 7]);
                }
                if let Some(t) = old.and_then(|v| Tag::from_index(v.into())) {
                    self.lines[line][t.index()] = self.lines[line][t.index()].saturating_sub(1);
                }
                if let Some(t) = new.and_then(|v| Tag::from_index(v.into())) {
                    self.lines[line][t.index()] += 1;
                }
                None
            }
            Target::Vote(card) | Target::Resonate(card) => {
                let total = self.cards.entry(card.clone()).or_default();
                *total =
                    total.saturating_sub(old.unwrap_or(0).into()) + u32::from(new.unwrap_or(0));
                Some(card.clone())
            }
            // Answers are counted by the statements step's landscape, which
            // shows a split only with enough votes: never as a card's total.
            Target::Answer(_) => None,
            Target::Place(card) => {
                let spots = self.places.entry(card.clone()).or_default();
                if let Some(spot) = old.map(Spot::unpack) {
                    if let Some(n) = spots.get_mut(&spot) {
                        *n = n.saturating_sub(1);
                        if *n == 0 {
                            spots.remove(&spot);
                        }
                    }
                }
                if let Some(spot) = new.map(Spot::unpack) {
                    *spots.entry(spot).or_default() += 1;
                }
                Some(card.clone())
            }
        }
    }

    /// Forgets a card (withdrawn) and its totals.
    pub fn forget(&mut self, card: &CardId) {
        self.cards.remove(card);
        self.places.remove(card);
    }

    /// What the room may see of a step of this `exercise`: everything.
    pub fn publish(&self, exercise: &Exercise) -> Totals {
        // A card can have both a total and placements: summarise it once.
        let cards: std::collections::BTreeSet<&CardId> =
            self.cards.keys().chain(self.places.keys()).collect();
        self.publish_cards(exercise, cards.into_iter())
    }

    /// What the room may see: the spectrum and lines whole, and the totals
    /// of the listed cards only.
    pub fn publish_cards<'a>(
        &self,
        exercise: &Exercise,
        changed: impl Iterator<Item = &'a CardId>,
    ) -> Totals {
        let mut totals = Totals {
            spectrum: (self.placed >= MIN_PEOPLE_SHOWN).then(|| self.bands.to_vec()),
            lines: self.lines.clone(),
            ..Totals::default()
        };
        let axes = exercise.axes();
        for card in changed {
            totals
                .cards
                .insert(card.clone(), self.cards.get(card).copied().unwrap_or(0));
            if let Some(axes) = &axes {
                let spots = self.places.get(card).cloned().unwrap_or_default();
                totals.places.insert(card.clone(), axes.summarise(&spots));
            }
        }
        totals
    }
}

/// How many dots an author has left in a step, given the dots they have
/// on its cards (`spent`), when they set `dots` on one card that held
/// `held` of them.
pub fn dots_fit(budget: u8, spent: u32, held: u8, dots: u8) -> bool {
    spent - u32::from(held).min(spent) + u32::from(dots) <= u32::from(budget)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn card(n: u64) -> CardId {
        CardId::from_random(n)
    }

    fn board() -> Exercise {
        Exercise::Board { columns: vec![] }
    }

    #[test]
    fn bands_cover_the_scale_evenly() {
        assert_eq!(band(0), 0);
        assert_eq!(band(9), 0);
        assert_eq!(band(10), 0);
        assert_eq!(band(11), 1);
        assert_eq!(band(50), 4);
        assert_eq!(band(100), SPECTRUM_BANDS - 1);
        assert_eq!(band(255), SPECTRUM_BANDS - 1);
    }

    #[test]
    fn spectrum_is_hidden_until_enough_people_placed() {
        let mut c = Counts::default();
        let t = Target::Spectrum(StepId(1));
        c.change(&t, None, Some(0));
        c.change(&t, None, Some(100));
        assert_eq!(c.publish(&board()).spectrum, None);
        c.change(&t, None, Some(55));
        let shown = c.publish(&board()).spectrum.unwrap();
        assert_eq!(shown.iter().sum::<u32>(), 3);
        assert_eq!(shown[0], 1);
        assert_eq!(shown[9], 1);
        // Moving someone keeps the total and moves the count.
        c.change(&t, Some(55), Some(5));
        let moved = c.publish(&board()).spectrum.unwrap();
        assert_eq!(moved[0], 2);
        assert_eq!(moved.iter().sum::<u32>(), 3);
        // Taking one back hides it again.
        c.change(&t, Some(5), None);
        assert_eq!(c.publish(&board()).spectrum, None);
    }

    #[test]
    fn tags_count_per_line_and_move() {
        let mut c = Counts::default();
        let line2 = Target::Tag(StepId(1), 2);
        let probing = Some(Tag::Probing.index() as u16);
        let connection = Some(Tag::Connection.index() as u16);
        c.change(&line2, None, probing);
        c.change(&line2, None, probing);
        c.change(&line2, probing, connection);
        let t = c.publish(&board());
        assert_eq!(t.line(0), [0; 7]);
        assert_eq!(t.line(2)[Tag::Probing.index()], 1);
        assert_eq!(t.line(2)[Tag::Connection.index()], 1);
    }

    #[test]
    fn votes_total_per_card_and_updates_carry_only_changes() {
        let mut c = Counts::default();
        c.change(&Target::Vote(card(1)), None, Some(2));
        c.change(&Target::Vote(card(2)), None, Some(1));
        c.change(&Target::Vote(card(1)), Some(2), Some(3));
        c.change(&Target::Vote(card(1)), None, Some(1));
        let all = c.publish(&board());
        assert_eq!(all.card(&card(1)), 4);
        assert_eq!(all.card(&card(2)), 1);
        let changed = [card(2)];
        let update = c.publish_cards(&board(), changed.iter());
        assert_eq!(update.cards.len(), 1);
        let mut seen = Totals::default();
        seen.merge(all);
        c.change(&Target::Vote(card(2)), Some(1), None);
        seen.merge(c.publish_cards(&board(), changed.iter()));
        assert_eq!(seen.card(&card(1)), 4);
        assert_eq!(seen.card(&card(2)), 0);
    }

    #[test]
    fn the_dot_budget_counts_what_is_already_placed() {
        // 3 dots: 2 placed elsewhere, so 1 more fits and 2 do not.
        assert!(dots_fit(3, 2, 0, 1));
        assert!(!dots_fit(3, 2, 0, 2));
        // Moving dots on a card that already holds some.
        assert!(dots_fit(3, 3, 2, 2));
        assert!(!dots_fit(3, 3, 1, 2));
        assert!(dots_fit(3, 3, 3, 0));
    }

    #[test]
    fn targets_round_trip_through_their_keys() {
        for t in [
            Target::Spectrum(StepId(3)),
            Target::Tag(StepId(2), 7),
            Target::Vote(card(9)),
            Target::Resonate(card(10)),
            Target::Answer(card(11)),
        ] {
            assert_eq!(Target::parse(&t.key()), Some(t));
        }
        assert_eq!(Target::parse("t:1"), None);
        assert_eq!(Target::parse("x:1"), None);
        assert_eq!(Target::parse("s:1:2"), None);
    }

    #[test]
    fn answers_are_stored_rebuilt_and_never_counted_as_totals() {
        for vote in [Vote::Agree, Vote::Disagree, Vote::Pass] {
            let m = Mark::Answer {
                card: card(1),
                vote: Some(vote),
            };
            let value = m.value().expect("a value");
            assert_eq!(Mark::from_parts(&m.target(), value), Some(m));
        }
        assert_eq!(Mark::from_parts(&Target::Answer(card(1)), 9), None);
        let taken_back = Mark::Answer {
            card: card(1),
            vote: None,
        };
        assert_eq!(taken_back.value(), None);
        let mut c = Counts::default();
        assert_eq!(c.change(&Target::Answer(card(1)), None, Some(1)), None);
        assert!(c.publish(&board()).cards.is_empty());
    }

    #[test]
    fn marks_rebuild_from_storage() {
        let m = Mark::Tag {
            step: StepId(1),
            line: 0,
            tag: Some(Tag::Joking),
        };
        let back = Mark::from_parts(&m.target(), m.value().unwrap());
        assert_eq!(back, Some(m));
        assert_eq!(
            Mark::Vote {
                card: card(1),
                dots: 0
            }
            .value(),
            None
        );
    }
}
