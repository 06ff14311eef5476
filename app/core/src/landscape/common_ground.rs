//! Common ground, and where the room divides.
//!
//! Common ground is what a large share of *every* shown group agrees
//! with, not what most of the room agrees with: a big group's majority
//! would otherwise outvote a small one. A statement is common ground when,
//! in each group, the smoothed share agreeing is at least `COMMON_SHARE`
//! (and each group cast `MIN_VOTES_SHOWN` votes on it); the strongest is
//! the one with the highest product of those shares (Pol.is's
//! "group-informed consensus": it is high only if high in every group).
//!
//! The room divides on a statement when one group mostly agrees and
//! another mostly disagrees (each smoothed share at least `DIVIDE_SHARE`);
//! the sharpest is the one where both are strongest. With a single group
//! there is nothing to divide between.

use super::counts::Tallies;
use super::public::{Lean, Percent};
use crate::anonymity::MIN_VOTES_SHOWN;

/// "A large share": the smoothed share agreeing in every group.
pub(super) const COMMON_SHARE: f64 = 0.6;
/// The share agreeing in one group and disagreeing in another.
pub(super) const DIVIDE_SHARE: f64 = 0.6;
/// At most this many statements of common ground, and of divides.
pub(super) const MAX_LISTED: usize = 5;

/// A statement of common ground, by column.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Common {
    pub column: usize,
    /// The lowest raw share agreeing, over the groups.
    pub every_group: Percent,
    score: f64,
}

/// A statement the groups answer in opposite ways, by column; groups are
/// the indices given in `groups`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Division {
    pub column: usize,
    pub agrees: (usize, Percent),
    pub disagrees: (usize, Percent),
    score: f64,
}

/// Common ground among the given groups, strongest first.
pub(super) fn common_ground(tallies: &Tallies, groups: &[usize]) -> Vec<Common> {
    if groups.is_empty() {
        return Vec::new();
    }
    let mut found: Vec<Common> = (0..tallies.columns())
        .filter_map(|column| {
            let mut score = 1.0;
            let mut lowest = Percent::of(1, 1);
            for &g in groups {
                let c = tallies.group(g, column);
                let share = c.smoothed(Lean::Agree);
                if c.total() < MIN_VOTES_SHOWN || share < COMMON_SHARE {
                    return None;
                }
                score *= share;
                lowest = lowest.min(Percent::of(c.agree, c.total()));
            }
            Some(Common {
                column,
                every_group: lowest,
                score,
            })
        })
        .collect();
    found.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.column.cmp(&b.column)));
    found.truncate(MAX_LISTED);
    found
}

/// Where the given groups divide, sharpest first.
pub(super) fn divides(tallies: &Tallies, groups: &[usize]) -> Vec<Division> {
    let mut found: Vec<Division> = (0..tallies.columns())
        .filter_map(|column| {
            let best = |lean: Lean| {
                groups
                    .iter()
                    .map(|&g| (g, tallies.group(g, column)))
                    .filter(|(_, c)| c.total() >= MIN_VOTES_SHOWN)
                    .map(|(g, c)| (g, c.smoothed(lean), Percent::of(c.leaning(lean), c.total())))
                    .filter(|(_, share, _)| *share >= DIVIDE_SHARE)
                    // The first group wins a tie: groups come in label order.
                    .fold(None, |best: Option<(usize, f64, Percent)>, x| match best {
                        Some(b) if b.1 >= x.1 => Some(b),
                        _ => Some(x),
                    })
            };
            let (ga, sa, pa) = best(Lean::Agree)?;
            let (gd, sd, pd) = best(Lean::Disagree)?;
            (ga != gd).then_some(Division {
                column,
                agrees: (ga, pa),
                disagrees: (gd, pd),
                score: sa + sd,
            })
        })
        .collect();
    found.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.column.cmp(&b.column)));
    found.truncate(MAX_LISTED);
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::landscape::Vote;

    fn tallies(per_group: &[(u32, u32)]) -> Tallies {
        let mut t = Tallies::new(per_group.len(), 1);
        for (g, &(agree, disagree)) in per_group.iter().enumerate() {
            (0..agree).for_each(|_| t.add(Some(g), 0, Vote::Agree));
            (0..disagree).for_each(|_| t.add(Some(g), 0, Vote::Disagree));
        }
        t
    }

    #[test]
    fn what_every_group_agrees_with_is_common_ground() {
        let t = tallies(&[(20, 2), (9, 1), (30, 5)]);
        let found = common_ground(&t, &[0, 1, 2]);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].every_group, Percent::of(30, 35));
        assert!(divides(&t, &[0, 1, 2]).is_empty());
    }

    #[test]
    fn one_group_against_is_not_common_ground_but_a_divide() {
        let t = tallies(&[(20, 2), (2, 9), (30, 5)]);
        assert!(common_ground(&t, &[0, 1, 2]).is_empty());
        let d = divides(&t, &[0, 1, 2]);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].agrees.0, 0);
        assert_eq!(d[0].disagrees.0, 1);
    }

    #[test]
    fn a_group_with_too_few_votes_keeps_a_statement_off_common_ground() {
        let t = tallies(&[(20, 2), (4, 0)]);
        assert!(common_ground(&t, &[0, 1]).is_empty());
    }
}
