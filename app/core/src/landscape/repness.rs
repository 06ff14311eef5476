//! What sets a group apart: the statements on which a group leans one way
//! much more than everyone else does (Pol.is calls this
//! representativeness).
//!
//! For a group g, a statement and a lean (agree or disagree):
//! - p_in, the smoothed share of g's votes leaning that way, and p_out the
//!   same for everyone placed outside g (one pseudo-vote each way, so a
//!   handful of votes cannot look certain);
//! - the statement sets g apart when the group itself leans that way
//!   (p_in over one half, one-proportion z-test) and leans that way more
//!   than the others (two-proportion z-test), both at 90 % one-sided;
//! - among those, the strongest have the highest p_in × (p_in / p_out): a
//!   view widely held in the group and rare outside it.
//!
//! Both sides need `MIN_VOTES_SHOWN` votes on the statement: a share of
//! fewer votes would be a handful of people.

use super::counts::{Counts, Tallies};
use super::public::{Lean, Percent};
use crate::anonymity::MIN_VOTES_SHOWN;

/// z for 90 % confidence, one-sided.
pub(super) const Z_90: f64 = 1.2816;
/// At most this many statements set one group apart on screen.
pub(super) const MAX_SETS_APART: usize = 5;

/// One statement that sets a group apart, by column.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Apart {
    pub column: usize,
    pub lean: Lean,
    pub group: Percent,
    pub others: Percent,
    score: f64,
}

/// z of "the smoothed share is over one half".
fn one_proportion_z(c: Counts, lean: Lean) -> f64 {
    let n = f64::from(c.total()) + 2.0;
    2.0 * n.sqrt() * (c.smoothed(lean) - 0.5)
}

/// z of "the share inside is over the share outside", smoothed.
fn two_proportion_z(inside: Counts, outside: Counts, lean: Lean) -> f64 {
    let n_in = f64::from(inside.total()) + 2.0;
    let n_out = f64::from(outside.total()) + 2.0;
    let pooled =
        (f64::from(inside.leaning(lean)) + f64::from(outside.leaning(lean)) + 2.0) / (n_in + n_out);
    let se = (pooled * (1.0 - pooled) * (1.0 / n_in + 1.0 / n_out)).sqrt();
    if se > 0.0 && se.is_finite() {
        (inside.smoothed(lean) - outside.smoothed(lean)) / se
    } else {
        0.0
    }
}

/// How strongly a statement sets the group apart with this lean, if it
/// does at all.
pub(super) fn apart(inside: Counts, outside: Counts, lean: Lean) -> Option<f64> {
    if inside.total() < MIN_VOTES_SHOWN || outside.total() < MIN_VOTES_SHOWN {
        return None;
    }
    let significant =
        one_proportion_z(inside, lean) > Z_90 && two_proportion_z(inside, outside, lean) > Z_90;
    let p_in = inside.smoothed(lean);
    let p_out = outside.smoothed(lean);
    significant.then_some(p_in * p_in / p_out)
}

/// The statements that set group `g` apart, strongest first.
pub(super) fn sets_apart(tallies: &Tallies, g: usize) -> Vec<Apart> {
    let mut found: Vec<Apart> = (0..tallies.columns())
        .filter_map(|column| {
            let inside = tallies.group(g, column);
            let outside = tallies.others(g, column);
            [Lean::Agree, Lean::Disagree]
                .into_iter()
                .filter_map(|lean| {
                    apart(inside, outside, lean).map(|score| Apart {
                        column,
                        lean,
                        group: Percent::of(inside.leaning(lean), inside.total()),
                        others: Percent::of(outside.leaning(lean), outside.total()),
                        score,
                    })
                })
                .next()
        })
        .collect();
    found.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.column.cmp(&b.column)));
    found.truncate(MAX_SETS_APART);
    found
}

/// On how many statements group `g` leans against everyone else: the
/// statement sets it apart and fewer than half of the others' votes lean
/// that way (not merely more firmly the way the room leans).
pub(super) fn against_the_rest(tallies: &Tallies, g: usize) -> usize {
    (0..tallies.columns())
        .filter(|&column| {
            let inside = tallies.group(g, column);
            let outside = tallies.others(g, column);
            [Lean::Agree, Lean::Disagree].into_iter().any(|lean| {
                apart(inside, outside, lean).is_some()
                    && 2 * outside.leaning(lean) < outside.total()
            })
        })
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(agree: u32, disagree: u32, pass: u32) -> Counts {
        Counts {
            agree,
            disagree,
            pass,
        }
    }

    #[test]
    fn a_group_that_agrees_where_others_disagree_is_set_apart() {
        assert!(apart(c(18, 1, 1), c(3, 30, 2), Lean::Agree).is_some());
        assert!(apart(c(18, 1, 1), c(3, 30, 2), Lean::Disagree).is_none());
    }

    #[test]
    fn agreeing_with_everyone_sets_no_one_apart() {
        assert!(apart(c(18, 1, 1), c(40, 2, 1), Lean::Agree).is_none());
    }

    #[test]
    fn a_handful_of_votes_sets_no_one_apart() {
        assert!(apart(c(4, 0, 0), c(0, 40, 0), Lean::Agree).is_none());
        assert!(apart(c(20, 0, 0), c(0, 4, 0), Lean::Agree).is_none());
    }

    #[test]
    fn no_votes_give_no_nan() {
        assert_eq!(two_proportion_z(c(0, 0, 0), c(0, 0, 0), Lean::Agree), 0.0);
        assert!(one_proportion_z(c(0, 0, 0), Lean::Agree).is_finite());
    }
}
