//! What the room may be shown of its landscape, and what one phone may be
//! told privately.
//!
//! These types are the anonymity rules made into shapes. Nothing here can
//! hold a vote vector, a voter index or one person's position: a group is
//! a size, a soft cloud and statements; a statement's split is counts. The
//! numbers that would point at people cannot even be built: `Members`
//! holds `MIN_GROUP_SHOWN` or more, `Tally` holds `MIN_VOTES_SHOWN` votes
//! or more, and both check again when read back (serde goes through the
//! same constructors), so a landscape that arrives over the wire keeps the
//! rules too.

use crate::anonymity::{MIN_GROUP_SHOWN, MIN_VOTES_SHOWN};
use crate::ids::CardId;
use serde::{Deserialize, Serialize};

/// How many people are in a shown group: never fewer than
/// `MIN_GROUP_SHOWN`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub struct Members(u32);

/// A number too small to be shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("too few to show")]
pub struct TooFew;

impl Members {
    /// The size, if a group this size may be shown.
    pub fn shown(n: u32) -> Option<Self> {
        (n >= MIN_GROUP_SHOWN).then_some(Self(n))
    }

    pub fn get(self) -> u32 {
        self.0
    }
}

impl TryFrom<u32> for Members {
    type Error = TooFew;
    fn try_from(n: u32) -> Result<Self, TooFew> {
        Self::shown(n).ok_or(TooFew)
    }
}

impl From<Members> for u32 {
    fn from(m: Members) -> u32 {
        m.0
    }
}

/// How a set of people voted on one statement: never fewer than
/// `MIN_VOTES_SHOWN` votes in all.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "TallyParts", into = "TallyParts")]
pub struct Tally {
    agree: u32,
    disagree: u32,
    pass: u32,
}

/// A tally's counts as they travel.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TallyParts {
    pub agree: u32,
    pub disagree: u32,
    pub pass: u32,
}

impl Tally {
    /// The tally, if that many votes may be shown.
    pub fn shown(agree: u32, disagree: u32, pass: u32) -> Option<Self> {
        let total = u64::from(agree) + u64::from(disagree) + u64::from(pass);
        (total >= u64::from(MIN_VOTES_SHOWN)).then_some(Self {
            agree,
            disagree,
            pass,
        })
    }

    pub fn agree(self) -> u32 {
        self.agree
    }

    pub fn disagree(self) -> u32 {
        self.disagree
    }

    pub fn pass(self) -> u32 {
        self.pass
    }

    /// All votes, passes included.
    pub fn total(self) -> u32 {
        self.agree
            .saturating_add(self.disagree)
            .saturating_add(self.pass)
    }
}

impl TryFrom<TallyParts> for Tally {
    type Error = TooFew;
    fn try_from(p: TallyParts) -> Result<Self, TooFew> {
        Self::shown(p.agree, p.disagree, p.pass).ok_or(TooFew)
    }
}

impl From<Tally> for TallyParts {
    fn from(t: Tally) -> Self {
        Self {
            agree: t.agree,
            disagree: t.disagree,
            pass: t.pass,
        }
    }
}

/// A whole percentage, 0 to 100.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct Percent(u8);

/// A percentage over 100.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("a percentage is 0 to 100")]
pub struct NotAPercent;

impl Percent {
    /// `part` of `whole`, rounded; 0 of nothing is 0.
    pub fn of(part: u32, whole: u32) -> Self {
        if whole == 0 {
            return Self(0);
        }
        let p = (u64::from(part.min(whole)) * 100 + u64::from(whole) / 2) / u64::from(whole);
        Self(p.min(100) as u8)
    }

    pub fn get(self) -> u8 {
        self.0
    }
}

impl TryFrom<u8> for Percent {
    type Error = NotAPercent;
    fn try_from(p: u8) -> Result<Self, NotAPercent> {
        (p <= 100).then_some(Self(p)).ok_or(NotAPercent)
    }
}

impl From<Percent> for u8 {
    fn from(p: Percent) -> u8 {
        p.0
    }
}

/// A shown group's name until the facilitator gives one: A, B, C, D, E.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct GroupLabel(u8);

/// There are at most five groups.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("a group label is 0 to 4 (A to E)")]
pub struct NotALabel;

impl GroupLabel {
    /// As many labels as groups can be found.
    pub const COUNT: u8 = 5;

    pub fn new(n: u8) -> Option<Self> {
        (n < Self::COUNT).then_some(Self(n))
    }

    pub fn index(self) -> usize {
        usize::from(self.0)
    }

    /// The letter the screen shows ("Group A").
    pub fn letter(self) -> char {
        char::from(b'A' + self.0)
    }
}

impl TryFrom<u8> for GroupLabel {
    type Error = NotALabel;
    fn try_from(n: u8) -> Result<Self, NotALabel> {
        Self::new(n).ok_or(NotALabel)
    }
}

impl From<GroupLabel> for u8 {
    fn from(l: GroupLabel) -> u8 {
        l.0
    }
}

/// A place on the landscape, in units of the room's spread: the room's
/// centre is (0, 0) and most of it lies within ±2 on each axis.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Point {
    pub x: f32,
    pub y: f32,
}

impl Point {
    /// A point from the maths, never NaN or infinite.
    pub(super) fn finite(p: [f64; 2]) -> Self {
        let finite = |v: f64| if v.is_finite() { v as f32 } else { 0.0 };
        Self {
            x: finite(p[0]),
            y: finite(p[1]),
        }
    }
}

/// A group drawn as a soft cloud: an ellipse one standard deviation wide
/// along its own axes, turned by `angle` degrees (anticlockwise from x).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Cloud {
    pub centre: Point,
    pub radii: Point,
    pub angle: f32,
}

/// Which way a group or the room leans on a statement.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Lean {
    Agree,
    Disagree,
}

/// A statement that sets a group apart: the group leans this way on it
/// much more than everyone else.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetsApart {
    pub statement: CardId,
    pub lean: Lean,
    /// Of this group's votes on it, the share that lean this way.
    pub group: Percent,
    /// Of everyone else's votes on it, the share that lean this way.
    pub others: Percent,
}

/// One opinion group, as the room sees it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Group {
    pub label: GroupLabel,
    pub members: Members,
    pub cloud: Cloud,
    /// Most telling first; at most a handful.
    pub sets_apart: Vec<SetsApart>,
}

/// What the maths can say about the room so far.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Shape {
    /// Too few people have voted on enough statements to draw anything.
    TooFewVoters,
    /// The votes show no clear groups: the room is drawn as one.
    OneRoom,
    /// The room holds distinct opinion groups.
    Groups,
}

/// A statement a large share of every shown group agrees with.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommonGround {
    pub statement: CardId,
    /// In every group, at least this share of its votes agree.
    pub every_group: Percent,
}

/// One group's share of votes leaning one way on a statement.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupShare {
    pub group: GroupLabel,
    pub share: Percent,
}

/// A statement the groups answer in opposite ways.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Divide {
    pub statement: CardId,
    /// The group that agrees most, and its share agreeing.
    pub agrees: GroupShare,
    /// The group that disagrees most, and its share disagreeing.
    pub disagrees: GroupShare,
}

/// How one group voted on a statement, when it cast enough votes on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupSplit {
    pub group: GroupLabel,
    /// `None`: this group cast fewer than `MIN_VOTES_SHOWN` votes on it.
    pub tally: Option<Tally>,
}

/// How the room, and each shown group, voted on one statement.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Split {
    pub statement: CardId,
    /// `None` when the room's votes less the shown groups' would leave 1
    /// to 4 votes of people outside every group (see `room_beside`).
    pub room: Option<Tally>,
    pub groups: Vec<GroupSplit>,
}

/// The room's tally, if it may stand beside these group tallies: what it
/// holds beyond them (people not placed, in hidden groups, or in groups
/// with too few votes on it) must be nobody or at least
/// `MIN_VOTES_SHOWN` votes, or subtracting would show a handful of
/// people's votes.
pub fn room_beside(room: Tally, groups: &[GroupSplit]) -> Option<Tally> {
    let shown: u64 = groups
        .iter()
        .filter_map(|g| g.tally)
        .map(|t| u64::from(t.total()))
        .sum();
    let rest = u64::from(room.total()).saturating_sub(shown);
    (rest == 0 || rest >= u64::from(MIN_VOTES_SHOWN)).then_some(room)
}

/// The room's opinion landscape, as the screen, the console and the
/// exports may show it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Landscape {
    pub shape: Shape,
    /// In label order.
    pub groups: Vec<Group>,
    /// Strongest first.
    pub common_ground: Vec<CommonGround>,
    /// Sharpest first.
    pub divides: Vec<Divide>,
    /// Every statement with enough votes, in the order they were added.
    pub splits: Vec<Split>,
}

impl Landscape {
    /// Nothing to show yet.
    pub fn empty() -> Self {
        Self {
            shape: Shape::TooFewVoters,
            groups: Vec::new(),
            common_ground: Vec::new(),
            divides: Vec::new(),
            splits: Vec::new(),
        }
    }

    /// How the room and its groups voted on one statement, if it may be
    /// shown.
    pub fn split(&self, statement: &CardId) -> Option<&Split> {
        self.splits.iter().find(|s| &s.statement == statement)
    }
}

/// A statement one person voted on as their closest group leans.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shared {
    pub statement: CardId,
    pub lean: Lean,
}

/// What one phone may be told, privately, about where it stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum YourPlace {
    /// Vote on this many more statements to find your place (0: enough
    /// already, placed at the next recomputation).
    NotYet { votes_to_go: u32 },
    /// No group is shown yet.
    NoGroups,
    /// The shown group you are closest to, and the statements that set it
    /// apart (or, in one room, its common ground) on which you voted as it
    /// leans.
    Closest {
        group: GroupLabel,
        shared: Vec<Shared>,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn too_small_numbers_cannot_be_built_or_read_back() {
        assert!(Members::shown(MIN_GROUP_SHOWN - 1).is_none());
        assert!(Tally::shown(2, 1, 1).is_none());
        assert!(Tally::shown(2, 2, 1).is_some());
        assert!(serde_json::from_str::<Members>("4").is_err());
        assert!(serde_json::from_str::<Tally>(r#"{"agree":1,"disagree":1,"pass":1}"#).is_err());
        assert!(serde_json::from_str::<Percent>("101").is_err());
        assert!(serde_json::from_str::<GroupLabel>("5").is_err());
    }

    #[test]
    fn a_room_total_stands_beside_its_groups_only_when_subtracting_shows_nobody() {
        let a = GroupLabel::new(0).expect("A");
        let b = GroupLabel::new(1).expect("B");
        let group = |label, t: Option<Tally>| GroupSplit {
            group: label,
            tally: t,
        };
        let five = Tally::shown(3, 2, 0);
        let six = Tally::shown(3, 2, 1);
        let room = |n: u32| Tally::shown(n, 0, 0).expect("enough");
        // Nobody outside the groups: shown.
        let both = [group(a, five), group(b, six)];
        assert_eq!(room_beside(room(11), &both), Some(room(11)));
        // One to four votes outside: hidden, each of them.
        for rest in 1..MIN_VOTES_SHOWN {
            assert_eq!(room_beside(room(11 + rest), &both), None, "{rest} outside");
        }
        // Five or more outside: as many as any shown split.
        assert_eq!(room_beside(room(16), &both), Some(room(16)));
        // A group with too few votes to show counts as outside.
        let one_hidden = [group(a, five), group(b, None)];
        assert_eq!(room_beside(room(8), &one_hidden), None);
        assert_eq!(room_beside(room(10), &one_hidden), Some(room(10)));
        // No groups at all: the room total is all there is.
        assert_eq!(room_beside(room(5), &[]), Some(room(5)));
    }

    #[test]
    fn percentages_round_and_never_divide_by_zero() {
        assert_eq!(Percent::of(1, 3).get(), 33);
        assert_eq!(Percent::of(2, 3).get(), 67);
        assert_eq!(Percent::of(0, 0).get(), 0);
        assert_eq!(Percent::of(9, 3).get(), 100);
    }

    #[test]
    fn a_landscape_travels_and_comes_back_the_same() {
        let card = CardId::from_random(7);
        let tally = Tally::shown(3, 2, 1).expect("six votes");
        let group = GroupLabel::new(0).expect("A");
        let landscape = Landscape {
            shape: Shape::Groups,
            groups: vec![Group {
                label: group,
                members: Members::shown(12).expect("twelve"),
                cloud: Cloud {
                    centre: Point { x: 0.5, y: -1.0 },
                    radii: Point { x: 0.3, y: 0.2 },
                    angle: 30.0,
                },
                sets_apart: vec![SetsApart {
                    statement: card.clone(),
                    lean: Lean::Agree,
                    group: Percent::of(9, 10),
                    others: Percent::of(1, 10),
                }],
            }],
            common_ground: vec![],
            divides: vec![],
            splits: vec![Split {
                statement: card,
                room: Some(tally),
                groups: vec![GroupSplit {
                    group,
                    tally: Some(tally),
                }],
            }],
        };
        let json = serde_json::to_string(&landscape).expect("json");
        let back: Landscape = serde_json::from_str(&json).expect("back");
        assert_eq!(back, landscape);
        assert_eq!(group.letter(), 'A');
    }
}
