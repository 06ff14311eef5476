//! The worldview map: where the room places its stories, and what the
//! facilitator arranges on top.
//!
//! A map step has two axes, each a set of categories (where a story was
//! learned) or a continuous scale (fear … hope). Every participant may place
//! each revealed card once (`Spot`, kept private like any mark); the room
//! sees only the `Placement` summarised from everyone's spots: the combined
//! place, a cloud of unlabelled points, and how far people disagree. The
//! facilitator's arrangement (cards pinned by dragging, named themes, links
//! between themes, a theme zoomed onto) is public state, changed only by
//! `MapChange` events, like everything else the room sees.

use crate::error::ErrorCode;
use crate::ids::CardId;
use crate::words::Label;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The most categories an axis can have.
pub const MAX_CATEGORIES: usize = 8;
/// The fewest categories an axis can have.
pub const MIN_CATEGORIES: usize = 2;
/// The top of a continuous scale (the bottom is 0).
pub const SCALE_MAX: u8 = 100;
/// How many bands a scale's cloud is gathered into.
pub const SCALE_BANDS: u8 = 10;
/// The map's own units, for pins and drawn positions: 0 … `UNITS` on
/// both axes, left to right and bottom to top.
pub const UNITS: u16 = 1000;
/// A spread at or above this (in `UNITS`) marks a card as one the room
/// disagrees about.
pub const SPLIT: u16 = 500;
/// The most themes one map can hold.
pub const MAX_THEMES: usize = 24;
/// The most links between themes on one map.
pub const MAX_LINKS: usize = 48;

/// One axis of a map.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "scale")]
pub enum Axis {
    /// Named places along the axis, e.g. where a story was learned.
    Categories { labels: Vec<Label> },
    /// A continuous scale between two ends, e.g. fear … hope.
    Scale { low: Label, high: Label },
}

impl Axis {
    /// Whether the axis has a shape a map can use.
    pub fn is_valid(&self) -> bool {
        match self {
            Axis::Categories { labels } => {
                (MIN_CATEGORIES..=MAX_CATEGORIES).contains(&labels.len())
            }
            Axis::Scale { .. } => true,
        }
    }

    /// Whether `other` only rewords this axis (same kind, same number of
    /// categories), so every placement keeps its meaning.
    pub fn same_shape(&self, other: &Axis) -> bool {
        match (self, other) {
            (Axis::Categories { labels: a }, Axis::Categories { labels: b }) => a.len() == b.len(),
            (Axis::Scale { .. }, Axis::Scale { .. }) => true,
            _ => false,
        }
    }

    /// Whether a participant's value lies on this axis.
    pub fn holds(&self, value: u8) -> bool {
        match self {
            Axis::Categories { labels } => usize::from(value) < labels.len(),
            Axis::Scale { .. } => value <= SCALE_MAX,
        }
    }

    /// Where a value sits along the axis, in map units: the middle of a
    /// category's band, or the point on the scale.
    pub fn position(&self, value: u8) -> u16 {
        match self {
            Axis::Categories { labels } => {
                let n = labels.len().max(1) as u32;
                ((2 * u32::from(value.min(n as u8 - 1)) + 1) * u32::from(UNITS) / (2 * n)) as u16
            }
            Axis::Scale { .. } => {
                (u32::from(value.min(SCALE_MAX)) * u32::from(UNITS) / u32::from(SCALE_MAX)) as u16
            }
        }
    }

    /// The cell a value's point joins in the cloud: its category, or its
    /// band of the scale.
    fn cell(&self, value: u8) -> u8 {
        match self {
            Axis::Categories { .. } => value,
            Axis::Scale { .. } => {
                (u16::from(value.min(SCALE_MAX)) * u16::from(SCALE_BANDS)
                    / (u16::from(SCALE_MAX) + 1)) as u8
            }
        }
    }

    /// Where a cloud cell is drawn, in map units.
    fn cell_position(&self, cell: u8) -> u16 {
        match self {
            Axis::Categories { .. } => self.position(cell),
            Axis::Scale { .. } => {
                ((2 * u32::from(cell) + 1) * u32::from(UNITS) / (2 * u32::from(SCALE_BANDS))) as u16
            }
        }
    }

    /// What a place along the axis (in map units) is called: the category
    /// there, or the point on the scale from 0 to 100.
    pub fn name_at(&self, units: u16) -> String {
        match self {
            Axis::Categories { labels } => {
                let i = usize::from(units.min(UNITS - 1)) * labels.len() / usize::from(UNITS);
                labels.get(i).map(|l| l.to_string()).unwrap_or_default()
            }
            Axis::Scale { .. } => {
                (u32::from(units.min(UNITS)) * u32::from(SCALE_MAX) / u32::from(UNITS)).to_string()
            }
        }
    }

    /// A place along the axis said so that it reads on its own, away from
    /// the map: the category there, or the point on the scale with the
    /// scale's two ends (`fear → hope: 73`).
    pub fn place_at(&self, units: u16) -> String {
        match self {
            Axis::Categories { .. } => self.name_at(units),
            Axis::Scale { low, high } => format!("{low} → {high}: {}", self.name_at(units)),
        }
    }

    /// The labels marked along the axis: every category, or the two ends.
    pub fn marks(&self) -> Vec<(u16, &Label)> {
        match self {
            Axis::Categories { labels } => labels
                .iter()
                .enumerate()
                .map(|(i, l)| (self.position(i as u8), l))
                .collect(),
            Axis::Scale { low, high } => vec![(0, low), (UNITS, high)],
        }
    }

    /// The choices a phone offers in a list, as (value, label): every
    /// category, or five steps along the scale.
    pub fn choices(&self) -> Vec<(u8, Option<&Label>)> {
        match self {
            Axis::Categories { labels } => labels
                .iter()
                .enumerate()
                .map(|(i, l)| (i as u8, Some(l)))
                .collect(),
            Axis::Scale { low, high } => vec![
                (0, Some(low)),
                (25, None),
                (50, None),
                (75, None),
                (SCALE_MAX, Some(high)),
            ],
        }
    }

    /// How far apart a group's values lie on this axis, from 0 (all in one
    /// place) to 1 (as far apart as the axis allows): the spread of a
    /// scale against its widest, or how little the most chosen category
    /// holds against an even split.
    fn spread(&self, values: &[(u8, u32)]) -> f64 {
        let people: u32 = values.iter().map(|(_, n)| n).sum();
        if people == 0 {
            return 0.0;
        }
        let people = f64::from(people);
        match self {
            Axis::Categories { labels } => {
                let mut counts = vec![0u32; labels.len()];
                for (v, n) in values {
                    if let Some(c) = counts.get_mut(usize::from(*v)) {
                        *c += n;
                    }
                }
                let top = f64::from(counts.iter().copied().max().unwrap_or(0));
                let even = 1.0 / labels.len().max(2) as f64;
                ((1.0 - top / people) / (1.0 - even)).clamp(0.0, 1.0)
            }
            Axis::Scale { .. } => {
                let mean = values
                    .iter()
                    .map(|(v, n)| f64::from(*v) * f64::from(*n))
                    .sum::<f64>()
                    / people;
                let variance = values
                    .iter()
                    .map(|(v, n)| (f64::from(*v) - mean).powi(2) * f64::from(*n))
                    .sum::<f64>()
                    / people;
                (variance.sqrt() / (f64::from(SCALE_MAX) / 2.0)).clamp(0.0, 1.0)
            }
        }
    }

    /// The group's combined place on this axis, in map units: the mean of
    /// a scale, or the category most people chose (the first, on a tie).
    fn combined(&self, values: &[(u8, u32)]) -> u16 {
        match self {
            Axis::Categories { labels } => {
                let mut counts = vec![0u32; labels.len()];
                for (v, n) in values {
                    if let Some(c) = counts.get_mut(usize::from(*v)) {
                        *c += n;
                    }
                }
                let top = counts
                    .iter()
                    .enumerate()
                    .max_by(|(i, a), (j, b)| a.cmp(b).then(j.cmp(i)))
                    .map(|(i, _)| i)
                    .unwrap_or(0);
                self.position(top as u8)
            }
            Axis::Scale { .. } => {
                let people: u64 = values.iter().map(|(_, n)| u64::from(*n)).sum();
                let total: u64 = values
                    .iter()
                    .map(|(v, n)| u64::from(*v) * u64::from(*n))
                    .sum();
                let mean = (total + people / 2) / people.max(1);
                self.position(mean.min(u64::from(SCALE_MAX)) as u8)
            }
        }
    }
}

/// Where one participant placed one card: a value on each axis (a
/// category's index, or a point on the scale).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Spot {
    pub x: u8,
    pub y: u8,
}

impl Spot {
    /// The spot as one stored number.
    pub fn pack(self) -> u16 {
        u16::from(self.x) << 8 | u16::from(self.y)
    }

    pub fn unpack(value: u16) -> Spot {
        Spot {
            x: (value >> 8) as u8,
            y: (value & 0xff) as u8,
        }
    }
}

/// A point on the map in map units (0 … `UNITS` both ways, y upwards).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Point {
    pub x: u16,
    pub y: u16,
}

impl Point {
    pub fn on_map(self) -> bool {
        self.x <= UNITS && self.y <= UNITS
    }
}

/// Both axes of a map.
#[derive(Clone, Copy, Debug)]
pub struct Axes<'a> {
    pub across: &'a Axis,
    pub up: &'a Axis,
}

impl Axes<'_> {
    /// Whether a spot lies on the map.
    pub fn holds(&self, spot: Spot) -> bool {
        self.across.holds(spot.x) && self.up.holds(spot.y)
    }

    /// A spot's point in map units.
    pub fn point(&self, spot: Spot) -> Point {
        Point {
            x: self.across.position(spot.x),
            y: self.up.position(spot.y),
        }
    }

    /// What the room may see of one card's placements (`spots`: how many
    /// people chose each spot).
    pub fn summarise(&self, spots: &BTreeMap<Spot, u32>) -> Placement {
        let people: u32 = spots.values().sum();
        if people < crate::anonymity::MIN_PEOPLE_SHOWN {
            return Placement::Few;
        }
        let xs: Vec<(u8, u32)> = spots.iter().map(|(s, n)| (s.x, *n)).collect();
        let ys: Vec<(u8, u32)> = spots.iter().map(|(s, n)| (s.y, *n)).collect();
        let mut cloud: BTreeMap<(u8, u8), u32> = BTreeMap::new();
        for (s, n) in spots {
            *cloud
                .entry((self.across.cell(s.x), self.up.cell(s.y)))
                .or_default() += n;
        }
        let spread = self.across.spread(&xs).max(self.up.spread(&ys));
        Placement::Placed {
            at: Point {
                x: self.across.combined(&xs),
                y: self.up.combined(&ys),
            },
            cloud: cloud
                .into_iter()
                .map(|((cx, cy), people)| CloudPoint {
                    x: self.across.cell_position(cx),
                    y: self.up.cell_position(cy),
                    people,
                })
                .collect(),
            spread: (spread * f64::from(UNITS)).round() as u16,
        }
    }
}

/// Some of the people who placed a card, gathered at one point.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CloudPoint {
    pub x: u16,
    pub y: u16,
    pub people: u32,
}

/// What the room sees of one card's placements.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum Placement {
    /// Too few people placed it for a place to be shown: with one or two
    /// people, the place is a person's.
    #[default]
    Few,
    Placed {
        /// The group's combined place.
        at: Point,
        /// Everyone's placements as unlabelled points.
        cloud: Vec<CloudPoint>,
        /// How far apart people placed it, 0 … `UNITS`.
        spread: u16,
    },
}

impl Placement {
    /// Whether people placed this card far apart.
    pub fn split(&self) -> bool {
        matches!(self, Placement::Placed { spread, .. } if *spread >= SPLIT)
    }

    pub fn at(&self) -> Option<Point> {
        match self {
            Placement::Placed { at, .. } => Some(*at),
            Placement::Few => None,
        }
    }
}

/// A theme's number within its map.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ThemeId(pub u16);

/// A named group of cards the facilitator gathered.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Theme {
    pub id: ThemeId,
    pub name: Label,
}

/// A labelled line between two themes (`from` < `to`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Link {
    pub from: ThemeId,
    pub to: ThemeId,
    pub label: Label,
}

/// The facilitator's arrangement of one map.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Arrangement {
    /// Cards the facilitator dragged, where they were put.
    #[serde(default)]
    pub pins: BTreeMap<CardId, Point>,
    #[serde(default)]
    pub themes: Vec<Theme>,
    /// Which theme each gathered card is in (at most one).
    #[serde(default)]
    pub members: BTreeMap<CardId, ThemeId>,
    #[serde(default)]
    pub links: Vec<Link>,
    /// The theme the screen is zoomed onto.
    #[serde(default)]
    pub zoom: Option<ThemeId>,
    /// The card the screen shows opened up, whatever the map's density.
    #[serde(default)]
    pub focus: Option<CardId>,
}

/// A change the facilitator makes to a map's arrangement.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "change")]
pub enum MapChange {
    /// Put a card at a point (dragged there), or back at the group's place.
    Pin { card: CardId, at: Option<Point> },
    /// Start a theme (`id` is the next free one) or rename one.
    Name { theme: ThemeId, name: Label },
    /// Put a card in a theme, or take it out of any.
    Gather {
        card: CardId,
        theme: Option<ThemeId>,
    },
    /// Undo a theme: its cards stay, ungrouped; its links go.
    Dissolve { theme: ThemeId },
    /// Draw a labelled line between two themes, or take it away.
    Link {
        from: ThemeId,
        to: ThemeId,
        label: Option<Label>,
    },
    /// Zoom the screen onto a theme, or back out to the whole map.
    Zoom { theme: Option<ThemeId> },
    /// Open one card up on the screen, or none.
    Focus { card: Option<CardId> },
}

impl Arrangement {
    pub fn is_empty(&self) -> bool {
        self == &Arrangement::default()
    }

    pub fn theme(&self, id: ThemeId) -> Option<&Theme> {
        self.themes.iter().find(|t| t.id == id)
    }

    /// The number a new theme gets.
    pub fn next_theme(&self) -> ThemeId {
        ThemeId(self.themes.iter().map(|t| t.id.0 + 1).max().unwrap_or(1))
    }

    /// The theme a card is in.
    pub fn theme_of(&self, card: &CardId) -> Option<&Theme> {
        self.members.get(card).and_then(|id| self.theme(*id))
    }

    fn known(&self, id: ThemeId) -> Result<(), ErrorCode> {
        self.theme(id).map(|_| ()).ok_or(ErrorCode::UnknownTheme)
    }

    /// Checks a change against this arrangement. `card` says whether a card
    /// is one of the map's visible cards.
    pub fn check(
        &self,
        change: &MapChange,
        card: impl Fn(&CardId) -> bool,
    ) -> Result<(), ErrorCode> {
        let card_ok = |c: &CardId| {
            if card(c) {
                Ok(())
            } else {
                Err(ErrorCode::UnknownCard)
            }
        };
        match change {
            MapChange::Pin { card, at } => {
                card_ok(card)?;
                match at {
                    Some(p) if !p.on_map() => Err(ErrorCode::OutsideMap),
                    _ => Ok(()),
                }
            }
            MapChange::Name { theme, .. } if self.theme(*theme).is_some() => Ok(()),
            MapChange::Name { theme, .. } if *theme == self.next_theme() => {
                if self.themes.len() >= MAX_THEMES {
                    Err(ErrorCode::BadSettings)
                } else {
                    Ok(())
                }
            }
            MapChange::Name { .. } => Err(ErrorCode::UnknownTheme),
            MapChange::Gather { card, theme } => {
                card_ok(card)?;
                theme.map_or(Ok(()), |t| self.known(t))
            }
            MapChange::Dissolve { theme } => self.known(*theme),
            MapChange::Link { from, to, label } => {
                self.known(*from)?;
                self.known(*to)?;
                if from == to {
                    return Err(ErrorCode::BadSettings);
                }
                let new = label.is_some() && self.link(*from, *to).is_none();
                if new && self.links.len() >= MAX_LINKS {
                    return Err(ErrorCode::BadSettings);
                }
                Ok(())
            }
            MapChange::Zoom { theme } => theme.map_or(Ok(()), |t| self.known(t)),
            MapChange::Focus { card } => card.as_ref().map_or(Ok(()), card_ok),
        }
    }

    /// The link between two themes, either way round.
    pub fn link(&self, a: ThemeId, b: ThemeId) -> Option<&Link> {
        let (from, to) = (a.min(b), a.max(b));
        self.links.iter().find(|l| l.from == from && l.to == to)
    }

    /// Applies a checked change. A change naming something gone (a card
    /// withdrawn since, a theme dissolved) changes nothing.
    pub fn apply(&mut self, change: &MapChange) {
        match change {
            MapChange::Pin { card, at: Some(at) } if at.on_map() => {
                self.pins.insert(card.clone(), *at);
            }
            MapChange::Pin { card, .. } => {
                self.pins.remove(card);
            }
            MapChange::Name { theme, name } => {
                let next = self.next_theme();
                match self.themes.iter_mut().find(|t| t.id == *theme) {
                    Some(t) => t.name = name.clone(),
                    None if *theme == next => self.themes.push(Theme {
                        id: *theme,
                        name: name.clone(),
                    }),
                    None => {}
                }
            }
            MapChange::Gather {
                card,
                theme: Some(theme),
            } if self.theme(*theme).is_some() => {
                self.members.insert(card.clone(), *theme);
            }
            MapChange::Gather { card, .. } => {
                self.members.remove(card);
            }
            MapChange::Dissolve { theme } => {
                self.themes.retain(|t| t.id != *theme);
                self.members.retain(|_, t| t != theme);
                self.links.retain(|l| l.from != *theme && l.to != *theme);
                if self.zoom == Some(*theme) {
                    self.zoom = None;
                }
            }
            MapChange::Link { from, to, label } => {
                let (a, b) = ((*from).min(*to), (*from).max(*to));
                self.links.retain(|l| !(l.from == a && l.to == b));
                if let Some(label) = label.as_ref().filter(|_| a != b) {
                    if self.theme(a).is_some() && self.theme(b).is_some() {
                        self.links.push(Link {
                            from: a,
                            to: b,
                            label: label.clone(),
                        });
                    }
                }
            }
            MapChange::Zoom { theme } => {
                self.zoom = theme.filter(|t| self.theme(*t).is_some());
            }
            MapChange::Focus { card } => self.focus = card.clone(),
        }
    }

    /// Forgets a card that is gone (withdrawn).
    pub fn forget(&mut self, card: &CardId) {
        self.pins.remove(card);
        self.members.remove(card);
        if self.focus.as_ref() == Some(card) {
            self.focus = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn label(s: &str) -> Label {
        Label::parse(s).unwrap()
    }

    fn six() -> Axis {
        Axis::Categories {
            labels: ["family", "school", "services", "faith", "media", "me"]
                .map(label)
                .to_vec(),
        }
    }

    fn fear_hope() -> Axis {
        Axis::Scale {
            low: label("fear"),
            high: label("hope"),
        }
    }

    fn spots(list: &[(u8, u8, u32)]) -> BTreeMap<Spot, u32> {
        list.iter().map(|&(x, y, n)| (Spot { x, y }, n)).collect()
    }

    #[test]
    fn axes_hold_only_their_values() {
        assert!(six().holds(5));
        assert!(!six().holds(6));
        assert!(fear_hope().holds(100));
        assert!(!fear_hope().holds(101));
        let one = Axis::Categories {
            labels: vec![label("only")],
        };
        assert!(!one.is_valid());
        assert!(six().is_valid());
        assert!(six().same_shape(&six()));
        assert!(!six().same_shape(&fear_hope()));
    }

    #[test]
    fn positions_sit_in_the_middle_of_categories_and_along_scales() {
        assert_eq!(six().position(0), 83);
        assert_eq!(six().position(5), 916);
        assert_eq!(fear_hope().position(0), 0);
        assert_eq!(fear_hope().position(50), 500);
        assert_eq!(fear_hope().position(100), UNITS);
        // And back to what a place is called.
        for i in 0..6 {
            let name = six().name_at(six().position(i));
            assert_eq!(
                name,
                ["family", "school", "services", "faith", "media", "me"][usize::from(i)]
            );
        }
        assert_eq!(fear_hope().name_at(730), "73");
        assert_eq!(fear_hope().name_at(UNITS), "100");
        assert_eq!(fear_hope().place_at(730), "fear → hope: 73");
        assert_eq!(
            six().place_at(six().position(2)),
            six().name_at(six().position(2))
        );
    }

    #[test]
    fn spots_pack_into_one_number_and_back() {
        for spot in [
            Spot { x: 0, y: 0 },
            Spot { x: 5, y: 100 },
            Spot { x: 255, y: 7 },
        ] {
            assert_eq!(Spot::unpack(spot.pack()), spot);
        }
    }

    #[test]
    fn too_few_placements_show_nothing() {
        let axes = Axes {
            across: &six(),
            up: &fear_hope(),
        };
        assert_eq!(axes.summarise(&spots(&[(0, 10, 2)])), Placement::Few);
        assert!(matches!(
            axes.summarise(&spots(&[(0, 10, 2), (0, 20, 1)])),
            Placement::Placed { .. }
        ));
    }

    #[test]
    fn agreement_gathers_and_disagreement_is_marked() {
        let axes = Axes {
            across: &six(),
            up: &fear_hope(),
        };
        // Four people: family, near hope.
        let agreed = axes.summarise(&spots(&[(0, 80, 2), (0, 90, 2)]));
        let Placement::Placed { at, cloud, spread } = &agreed else {
            panic!("placed");
        };
        assert_eq!(*at, Point { x: 83, y: 850 });
        assert_eq!(cloud.iter().map(|c| c.people).sum::<u32>(), 4);
        assert!(!agreed.split(), "spread {spread}");
        // Fear against hope: the mean is the middle, the spread is wide.
        let torn = axes.summarise(&spots(&[(0, 0, 2), (0, 100, 2)]));
        assert_eq!(torn.at(), Some(Point { x: 83, y: 500 }));
        assert!(torn.split());
        // Everyone agrees on hope but not on where they learned it.
        let scattered = axes.summarise(&spots(&[(0, 90, 1), (2, 90, 1), (4, 90, 1), (5, 90, 1)]));
        assert!(scattered.split());
        // The most chosen category wins; ties go to the first.
        let mostly_media = axes.summarise(&spots(&[(4, 50, 3), (1, 50, 1)]));
        assert_eq!(mostly_media.at().map(|p| p.x), Some(six().position(4)));
        let tie = axes.summarise(&spots(&[(4, 50, 2), (1, 50, 2)]));
        assert_eq!(tie.at().map(|p| p.x), Some(six().position(1)));
    }

    #[test]
    fn the_cloud_gathers_nearby_points_without_naming_anyone() {
        let axes = Axes {
            across: &fear_hope(),
            up: &fear_hope(),
        };
        let p = axes.summarise(&spots(&[(1, 1, 1), (2, 3, 1), (99, 99, 1)]));
        let Placement::Placed { cloud, .. } = p else {
            panic!("placed");
        };
        assert_eq!(cloud.len(), 2, "the two points near 0 share a cell");
        assert_eq!(cloud[0].people, 2);
    }

    fn card(n: u64) -> CardId {
        CardId::from_random(n)
    }

    #[test]
    fn themes_are_named_gathered_linked_and_dissolved() {
        let mut a = Arrangement::default();
        let any = |_: &CardId| true;
        let first = a.next_theme();
        let name = MapChange::Name {
            theme: first,
            name: label("home"),
        };
        assert_eq!(a.check(&name, any), Ok(()));
        a.apply(&name);
        let second = a.next_theme();
        assert_ne!(first, second);
        a.apply(&MapChange::Name {
            theme: second,
            name: label("work"),
        });
        // A theme that is neither there nor next is refused.
        let stray = MapChange::Name {
            theme: ThemeId(40),
            name: label("x"),
        };
        assert_eq!(a.check(&stray, any), Err(ErrorCode::UnknownTheme));
        let gather = MapChange::Gather {
            card: card(1),
            theme: Some(first),
        };
        assert_eq!(a.check(&gather, |_| false), Err(ErrorCode::UnknownCard));
        a.apply(&gather);
        assert_eq!(a.theme_of(&card(1)).map(|t| t.name.as_str()), Some("home"));
        let link = MapChange::Link {
            from: second,
            to: first,
            label: Some(label("feeds")),
        };
        assert_eq!(a.check(&link, any), Ok(()));
        a.apply(&link);
        assert!(a.link(first, second).is_some());
        assert_eq!(
            a.check(
                &MapChange::Link {
                    from: first,
                    to: first,
                    label: Some(label("self"))
                },
                any
            ),
            Err(ErrorCode::BadSettings)
        );
        a.apply(&MapChange::Zoom { theme: Some(first) });
        a.apply(&MapChange::Dissolve { theme: first });
        assert!(a.theme_of(&card(1)).is_none());
        assert!(a.links.is_empty());
        assert_eq!(a.zoom, None);
    }

    #[test]
    fn pins_stay_on_the_map() {
        let mut a = Arrangement::default();
        let off = MapChange::Pin {
            card: card(1),
            at: Some(Point { x: 1001, y: 0 }),
        };
        assert_eq!(a.check(&off, |_| true), Err(ErrorCode::OutsideMap));
        a.apply(&MapChange::Pin {
            card: card(1),
            at: Some(Point { x: 10, y: 20 }),
        });
        assert_eq!(a.pins.get(&card(1)), Some(&Point { x: 10, y: 20 }));
        a.forget(&card(1));
        assert!(a.is_empty());
    }
}
