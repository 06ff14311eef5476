//! How each group, and the whole room, voted on each statement: the counts
//! every later rule reads (what sets a group apart, common ground, where
//! the room divides, the splits on screen). One pass over the votes.

use super::public::Lean;

/// Agree, disagree and pass votes on one statement by some set of people.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct Counts {
    pub agree: u32,
    pub disagree: u32,
    pub pass: u32,
}

impl Counts {
    pub fn add(&mut self, vote: super::Vote) {
        match vote {
            super::Vote::Agree => self.agree += 1,
            super::Vote::Disagree => self.disagree += 1,
            super::Vote::Pass => self.pass += 1,
        }
    }

    /// All votes, passes included: a pass is an answer, "not this way".
    pub fn total(self) -> u32 {
        self.agree + self.disagree + self.pass
    }

    pub fn leaning(self, lean: Lean) -> u32 {
        match lean {
            Lean::Agree => self.agree,
            Lean::Disagree => self.disagree,
        }
    }

    /// The share leaning this way, with one pseudo-vote each way (Laplace
    /// smoothing): five of five is strong, one of one is not.
    pub fn smoothed(self, lean: Lean) -> f64 {
        (f64::from(self.leaning(lean)) + 1.0) / (f64::from(self.total()) + 2.0)
    }

    /// These counts without those (a subset of them).
    pub fn without(self, part: Counts) -> Counts {
        Counts {
            agree: self.agree.saturating_sub(part.agree),
            disagree: self.disagree.saturating_sub(part.disagree),
            pass: self.pass.saturating_sub(part.pass),
        }
    }
}

/// Counts per (group, column), per column for all placed voters, and per
/// column for the whole room (placed or not).
#[derive(Clone, Debug, Default)]
pub(super) struct Tallies {
    groups: usize,
    columns: usize,
    by_group: Vec<Counts>,
    placed: Vec<Counts>,
    room: Vec<Counts>,
}

impl Tallies {
    pub fn new(groups: usize, columns: usize) -> Self {
        Self {
            groups,
            columns,
            by_group: vec![Counts::default(); groups * columns],
            placed: vec![Counts::default(); columns],
            room: vec![Counts::default(); columns],
        }
    }

    /// Counts one vote; `group` is `None` for a voter not placed.
    pub fn add(&mut self, group: Option<usize>, column: usize, vote: super::Vote) {
        if column >= self.columns {
            return;
        }
        self.room[column].add(vote);
        if let Some(g) = group.filter(|&g| g < self.groups) {
            self.placed[column].add(vote);
            self.by_group[column * self.groups + g].add(vote);
        }
    }

    pub fn group(&self, group: usize, column: usize) -> Counts {
        self.by_group
            .get(column * self.groups + group)
            .copied()
            .filter(|_| group < self.groups)
            .unwrap_or_default()
    }

    /// Everyone placed outside this group.
    pub fn others(&self, group: usize, column: usize) -> Counts {
        self.placed
            .get(column)
            .copied()
            .unwrap_or_default()
            .without(self.group(group, column))
    }

    pub fn room(&self, column: usize) -> Counts {
        self.room.get(column).copied().unwrap_or_default()
    }

    pub fn columns(&self) -> usize {
        self.columns
    }
}
