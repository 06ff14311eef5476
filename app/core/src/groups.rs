//! Small groups: dealing the phones present into pairs, triads or tables
//! without names, and the roles that rotate in them each round.
//!
//! Practice in IPS happens in small groups (a storyteller, a listener, an
//! observer, then swap). A "Small groups" step deals the phones present
//! into groups when it opens. These are the rules of that dealing, as pure
//! functions: the room (which knows who is present, and holds the dice)
//! calls them and keeps the result.
//!
//! - Groups are balanced: sizes differ by at most one, and are as close to
//!   the size asked for as they can be without anyone left alone (a room
//!   of five dealt into pairs makes a pair and a three, never 2 + 2 + 1).
//! - A late joiner goes to the smallest group (the first such, by number).
//! - A person moved by the facilitator (when someone asks) or who leaves
//!   never leaves a group of one behind: the move is refused, and someone
//!   left alone by a departure joins the smallest other group.
//! - Each group has a sign people find each other by across a room: a
//!   number, a colour and a symbol ("7 · teal · ◆").
//! - Roles rotate: in round `r`, the member at place `i` of a group takes
//!   the role at `(i + r) % size`; with more members than roles, the extra
//!   members take the last role (in a triad of four, two observe).
//! - A card goes back to the room only when a member other than the one
//!   who proposed it agrees (`Proposal::agree`).

use serde::{Deserialize, Serialize};
use std::fmt;

/// The size of group a facilitator asks for: 2 to 6.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct GroupSize(u8);

impl GroupSize {
    pub const MIN: u8 = 2;
    pub const MAX: u8 = 6;
    /// Three: the IPS practice triad.
    pub const TRIAD: GroupSize = GroupSize(3);

    pub fn new(size: u8) -> Result<Self, GroupError> {
        if (Self::MIN..=Self::MAX).contains(&size) {
            Ok(Self(size))
        } else {
            Err(GroupError::Size(size))
        }
    }

    pub fn get(self) -> usize {
        usize::from(self.0)
    }
}

impl TryFrom<u8> for GroupSize {
    type Error = GroupError;
    fn try_from(size: u8) -> Result<Self, GroupError> {
        GroupSize::new(size)
    }
}

impl From<GroupSize> for u8 {
    fn from(size: GroupSize) -> u8 {
        size.0
    }
}

/// Why a change to the groups was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum GroupError {
    #[error("a group has 2 to 6 people, not {0}")]
    Size(u8),
    #[error("there is no group {0}")]
    NoSuchGroup(usize),
    #[error("that person is in no group")]
    NotDealt,
    #[error("moving them would leave someone alone")]
    WouldLeaveAlone,
}

/// The groups of a step: each a list of the people in it, in their places
/// (which decide their roles). Group `n` is at index `n - 1`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Groups<P> {
    groups: Vec<Vec<P>>,
}

impl<P: Clone + PartialEq> Groups<P> {
    /// Deals `people` into groups of about `size`, at random: `pick(n)`
    /// is a number below `n` (the room passes its dice).
    pub fn deal(people: &[P], size: GroupSize, pick: &mut dyn FnMut(usize) -> usize) -> Self {
        let mut shuffled = people.to_vec();
        // Fisher–Yates.
        for i in (1..shuffled.len()).rev() {
            let j = pick(i + 1).min(i);
            shuffled.swap(i, j);
        }
        let sizes = sizes(shuffled.len(), size);
        let mut rest = shuffled.into_iter();
        let groups = sizes
            .into_iter()
            .map(|n| rest.by_ref().take(n).collect())
            .collect();
        Groups { groups }
    }

    /// The groups, group 1 first.
    pub fn all(&self) -> &[Vec<P>] {
        &self.groups
    }

    /// The number (from 1) of the group `person` is in.
    pub fn group_of(&self, person: &P) -> Option<usize> {
        self.groups
            .iter()
            .position(|g| g.contains(person))
            .map(|i| i + 1)
    }

    /// Adds someone who arrived after the dealing to the smallest group;
    /// returns its number. Someone already dealt stays where they are.
    pub fn join_late(&mut self, person: P) -> usize {
        if let Some(n) = self.group_of(&person) {
            return n;
        }
        match self
            .groups
            .iter()
            .enumerate()
            .min_by_key(|(i, g)| (g.len(), *i))
            .map(|(i, _)| i)
        {
            Some(i) => {
                self.groups[i].push(person);
                i + 1
            }
            None => {
                self.groups.push(vec![person]);
                1
            }
        }
    }

    /// Moves `person` to group `to` (a facilitator's answer to someone
    /// asking), unless that would leave someone alone.
    pub fn move_to(&mut self, person: &P, to: usize) -> Result<(), GroupError> {
        if to == 0 || to > self.groups.len() {
            return Err(GroupError::NoSuchGroup(to));
        }
        let from = self.group_of(person).ok_or(GroupError::NotDealt)?;
        if from == to {
            return Ok(());
        }
        if self.groups[from - 1].len() == 2 {
            return Err(GroupError::WouldLeaveAlone);
        }
        self.groups[from - 1].retain(|p| p != person);
        self.groups[to - 1].push(person.clone());
        Ok(())
    }

    /// Takes someone out (they left, or withdrew from the step). Anyone
    /// left alone joins the smallest other group; a group left empty goes,
    /// and the numbers after it stay as they were only if it was the last.
    pub fn leave(&mut self, person: &P) {
        let Some(from) = self.group_of(person) else {
            return;
        };
        self.groups[from - 1].retain(|p| p != person);
        if self.groups[from - 1].len() == 1 && self.groups.len() > 1 {
            let alone = self.groups.remove(from - 1);
            for p in alone {
                self.join_late(p);
            }
        } else if self.groups[from - 1].is_empty() {
            self.groups.remove(from - 1);
        }
    }
}

/// The sizes of the groups `n` people make when about `size` are asked
/// for: as many groups as keep everyone with company, sizes within one of
/// each other.
pub fn sizes(n: usize, size: GroupSize) -> Vec<usize> {
    if n == 0 {
        return Vec::new();
    }
    let size = size.get();
    let mut groups = n.div_ceil(size);
    while groups > 1 && n / groups < 2 {
        groups -= 1;
    }
    (0..groups)
        .map(|i| n / groups + usize::from(i < n % groups))
        .collect()
}

/// The colours signs cycle through: far apart, and named in words so a
/// phone can say them as well as show them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Colour {
    Teal,
    Orange,
    Purple,
    Yellow,
    Blue,
    Pink,
    Green,
    Red,
}

impl Colour {
    pub const ALL: [Colour; 8] = [
        Colour::Teal,
        Colour::Orange,
        Colour::Purple,
        Colour::Yellow,
        Colour::Blue,
        Colour::Pink,
        Colour::Green,
        Colour::Red,
    ];

    /// The name the stylesheet knows it by (`data-colour`).
    pub fn slug(self) -> &'static str {
        match self {
            Colour::Teal => "teal",
            Colour::Orange => "orange",
            Colour::Purple => "purple",
            Colour::Yellow => "yellow",
            Colour::Blue => "blue",
            Colour::Pink => "pink",
            Colour::Green => "green",
            Colour::Red => "red",
        }
    }
}

/// The symbols signs cycle through, each readable at a distance.
pub const SYMBOLS: [char; 7] = ['◆', '●', '▲', '■', '★', '✚', '⬟'];

/// A group's sign, held up across a room.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sign {
    pub number: usize,
    pub colour: Colour,
    pub symbol: char,
}

impl Sign {
    /// Group `number`'s sign (from 1). Eight colours and seven symbols
    /// make 56 different pairs before one repeats; the number always
    /// tells groups apart.
    pub fn of(number: usize) -> Sign {
        let i = number.saturating_sub(1);
        Sign {
            number,
            colour: Colour::ALL[i % Colour::ALL.len()],
            symbol: SYMBOLS[i % SYMBOLS.len()],
        }
    }
}

impl fmt::Display for Sign {
    /// The number and symbol (the colour's name is the catalogue's).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.number, self.symbol)
    }
}

/// A role in a practice group.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Storyteller,
    Listener,
    Observer,
    Speaker,
}

/// The ready sets of roles.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoleSet {
    /// Storyteller, listener, observer (the observer notes disconnects).
    IpsTriad,
    /// Speaker and listener.
    Pairs,
    /// Everyone simply talks.
    NoRoles,
}

impl RoleSet {
    pub const ALL: [RoleSet; 3] = [RoleSet::IpsTriad, RoleSet::Pairs, RoleSet::NoRoles];

    /// The name used in forms.
    pub fn slug(self) -> &'static str {
        match self {
            RoleSet::IpsTriad => "ips_triad",
            RoleSet::Pairs => "pairs",
            RoleSet::NoRoles => "no_roles",
        }
    }

    pub fn roles(self) -> &'static [Role] {
        match self {
            RoleSet::IpsTriad => &[Role::Storyteller, Role::Listener, Role::Observer],
            RoleSet::Pairs => &[Role::Speaker, Role::Listener],
            RoleSet::NoRoles => &[],
        }
    }

    /// The role of the member at `place` in a group of `size`, in round
    /// `round` (from 0). Places rotate through the group's roles; with more
    /// members than roles, the extra ones take the last role; with fewer,
    /// the roles at the start are taken first.
    pub fn role(self, place: usize, size: usize, round: usize) -> Option<Role> {
        let roles = self.roles();
        if roles.is_empty() || size == 0 || place >= size {
            return None;
        }
        let turn = (place + round) % size;
        Some(roles[turn.min(roles.len() - 1)])
    }
}

/// What the whole room may know of a small groups step's groups: how many
/// there are, the round, and how many have brought something back. Never
/// who is in which group, never a word of their boards.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupsShown {
    /// The step the groups were dealt for (its `StepId`'s number).
    pub step: u32,
    /// How many groups there are.
    pub groups: u32,
    /// The round under way, from 1; 0 before the first.
    pub round: u8,
    /// Everyone has been brought back to the room: the groups' boards
    /// are closed.
    pub back: bool,
    /// How many groups have sent at least one card to the room.
    pub brought: u32,
    /// Which deal of the step this is, from 1: a fresh deal changes what
    /// every phone's own part says (its sign, its place), even when the
    /// counts come out the same.
    #[serde(default)]
    pub deal: u32,
}

/// A card a group member proposes to bring back to the room. It goes
/// only when another member of the same group agrees: in a pair, the
/// other person.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proposal<P> {
    pub by: P,
    pub group: usize,
}

/// What an agreement to bring a card back comes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Agreement {
    /// Another member agreed: the card goes to the room.
    Sent,
    /// The one who proposed it cannot also be the one who agrees.
    OwnProposal,
    /// Only members of the card's group may agree to it.
    NotInGroup,
}

impl<P: PartialEq> Proposal<P> {
    /// Whether `who`, in group `their_group` (if any), agreeing sends the
    /// card.
    pub fn agree(&self, who: &P, their_group: Option<usize>) -> Agreement {
        if their_group != Some(self.group) {
            Agreement::NotInGroup
        } else if *who == self.by {
            Agreement::OwnProposal
        } else {
            Agreement::Sent
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Dice for tests: the core's fixed-seed generator.
    fn dice(seed: u64) -> impl FnMut(usize) -> usize {
        let mut rng = crate::landscape::SplitMix::new(seed);
        move |n| (rng.next_u64() % n.max(1) as u64) as usize
    }

    fn size(n: u8) -> GroupSize {
        GroupSize::new(n).unwrap()
    }

    #[test]
    fn sizes_are_balanced_and_nobody_is_alone() {
        for ask in 2..=6 {
            for n in 2..300 {
                let made = sizes(n, size(ask));
                assert_eq!(made.iter().sum::<usize>(), n);
                let (min, max) = (made.iter().min().unwrap(), made.iter().max().unwrap());
                assert!(max - min <= 1, "{n} in groups of {ask}: {made:?}");
                assert!(*min >= 2, "{n} in groups of {ask}: {made:?}");
                // As close to the size asked for as that allows.
                assert!(
                    *max <= usize::from(ask) + 1,
                    "{n} in groups of {ask}: {made:?}"
                );
            }
        }
        assert_eq!(sizes(5, size(2)), vec![3, 2]);
        assert_eq!(sizes(7, size(3)), vec![3, 2, 2]);
        assert_eq!(sizes(9, size(3)), vec![3, 3, 3]);
        assert_eq!(
            sizes(1, size(3)),
            vec![1],
            "one person is one group, waiting"
        );
        assert!(sizes(0, size(3)).is_empty());
    }

    #[test]
    fn a_deal_puts_everyone_in_exactly_one_group() {
        let people: Vec<u32> = (0..2000).collect();
        let groups = Groups::deal(&people, size(3), &mut dice(7));
        let mut seen: Vec<u32> = groups.all().iter().flatten().copied().collect();
        seen.sort_unstable();
        assert_eq!(seen, people);
        assert_eq!(groups.all().len(), 667);
        // The same dice, the same deal; other dice, another deal.
        assert_eq!(groups, Groups::deal(&people, size(3), &mut dice(7)));
        assert_ne!(groups, Groups::deal(&people, size(3), &mut dice(8)));
    }

    #[test]
    fn late_joiners_go_to_the_smallest_group() {
        let people: Vec<u32> = (0..7).collect();
        let mut groups = Groups::deal(&people, size(3), &mut dice(1));
        assert_eq!(
            groups.all().iter().map(Vec::len).collect::<Vec<_>>(),
            vec![3, 2, 2]
        );
        assert_eq!(groups.join_late(100), 2);
        assert_eq!(groups.join_late(101), 3);
        assert_eq!(groups.join_late(102), 1);
        assert_eq!(
            groups.join_late(100),
            2,
            "someone dealt stays where they are"
        );
        let mut none: Groups<u32> = Groups::default();
        assert_eq!(none.join_late(5), 1);
    }

    #[test]
    fn a_move_never_leaves_anyone_alone() {
        let people: Vec<u32> = (0..5).collect();
        let mut groups = Groups::deal(&people, size(2), &mut dice(3));
        let pair = groups.all()[1].clone();
        let three = groups.all()[0].clone();
        assert_eq!(
            groups.move_to(&pair[0], 1),
            Err(GroupError::WouldLeaveAlone)
        );
        assert_eq!(groups.move_to(&three[0], 2), Ok(()));
        assert_eq!(groups.group_of(&three[0]), Some(2));
        assert_eq!(
            groups.move_to(&three[0], 9),
            Err(GroupError::NoSuchGroup(9))
        );
        assert_eq!(groups.move_to(&77, 1), Err(GroupError::NotDealt));
    }

    #[test]
    fn someone_left_alone_by_a_departure_joins_another_group() {
        let people: Vec<u32> = (0..6).collect();
        let mut groups = Groups::deal(&people, size(2), &mut dice(5));
        let pair = groups.all()[0].clone();
        groups.leave(&pair[0]);
        assert_eq!(groups.all().len(), 2);
        assert!(groups.all().iter().all(|g| g.len() >= 2));
        assert!(groups.group_of(&pair[1]).is_some());
        assert_eq!(groups.group_of(&pair[0]), None);
    }

    #[test]
    fn signs_differ_and_say_their_number() {
        let signs: Vec<Sign> = (1..=56).map(Sign::of).collect();
        for (i, a) in signs.iter().enumerate() {
            for b in &signs[i + 1..] {
                assert!((a.colour, a.symbol) != (b.colour, b.symbol), "{a} and {b}");
            }
        }
        assert_eq!(Sign::of(7).to_string(), "7 ⬟");
        assert_eq!(Sign::of(1).colour, Colour::Teal);
    }

    #[test]
    fn roles_rotate_so_everyone_takes_each_one() {
        let set = RoleSet::IpsTriad;
        for place in 0..3 {
            let mut taken: Vec<Role> = (0..3).filter_map(|r| set.role(place, 3, r)).collect();
            taken.sort_by_key(|r| *r as u8);
            assert_eq!(
                taken,
                vec![Role::Storyteller, Role::Listener, Role::Observer]
            );
        }
        // Each round, each role once in a triad.
        for round in 0..3 {
            let mut roles: Vec<Role> = (0..3).filter_map(|p| set.role(p, 3, round)).collect();
            roles.sort_by_key(|r| *r as u8);
            assert_eq!(
                roles,
                vec![Role::Storyteller, Role::Listener, Role::Observer]
            );
        }
        // Four in a triad: two observe; two in a triad: a story and a listener.
        let four: Vec<Role> = (0..4).filter_map(|p| set.role(p, 4, 0)).collect();
        assert_eq!(four.iter().filter(|r| **r == Role::Observer).count(), 2);
        let two: Vec<Role> = (0..2).filter_map(|p| set.role(p, 2, 0)).collect();
        assert_eq!(two, vec![Role::Storyteller, Role::Listener]);
        assert_eq!(RoleSet::NoRoles.role(0, 3, 0), None);
        assert_eq!(set.role(5, 3, 0), None);
    }

    #[test]
    fn a_card_goes_back_to_the_room_only_when_another_member_agrees() {
        let people: Vec<u32> = (0..4).collect();
        let groups = Groups::deal(&people, size(2), &mut dice(9));
        let pair = groups.all()[0].clone();
        let other = groups.all()[1][0];
        let proposal = Proposal {
            by: pair[0],
            group: 1,
        };
        assert_eq!(
            proposal.agree(&pair[0], groups.group_of(&pair[0])),
            Agreement::OwnProposal
        );
        assert_eq!(
            proposal.agree(&other, groups.group_of(&other)),
            Agreement::NotInGroup
        );
        assert_eq!(
            proposal.agree(&99, groups.group_of(&99)),
            Agreement::NotInGroup
        );
        assert_eq!(
            proposal.agree(&pair[1], groups.group_of(&pair[1])),
            Agreement::Sent
        );
    }

    #[test]
    fn a_size_outside_two_to_six_is_refused() {
        assert_eq!(GroupSize::new(1), Err(GroupError::Size(1)));
        assert_eq!(GroupSize::new(7), Err(GroupError::Size(7)));
        assert!(serde_json::from_str::<GroupSize>("9").is_err());
        assert_eq!(serde_json::from_str::<GroupSize>("3").unwrap().get(), 3);
    }
}
