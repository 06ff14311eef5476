//! How long the landscape takes for a hall: 2,000 people, 300 statements,
//! about 200,000 votes, one core. Run with
//! `cargo run --release -p hearth-core --example landscape_bench`.
//!
//! Three rooms: four planted opinion groups, one shared view, and random
//! votes (the slowest for power iteration, whose leading eigenvalues are
//! then close); then a room with 1,500 statements and as many votes, to
//! show a step with many statements stays fast. For each, the time to
//! cast every vote into the matrix and the time of a full recomputation
//! (fastest and median of several).

use hearth_core::ids::CardId;
use hearth_core::landscape::{Analysis, Shape, SplitMix, StatementIx, Vote, VoteMatrix};
use std::time::{Duration, Instant};

const VOTERS: usize = 2000;
const STATEMENTS: usize = 300;
/// Each person answers 100 statements on average: about 200,000 votes.
const ANSWERED: f64 = 100.0;
const RUNS: usize = 7;

struct Dice(SplitMix);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0.next_u64()
    }

    fn chance(&mut self, p: f64) -> bool {
        self.0.unit() < p
    }

    fn any_vote(&mut self) -> Vote {
        [Vote::Agree, Vote::Disagree, Vote::Pass][(self.next() % 3) as usize]
    }
}

/// `groups` planted views (0: random votes); members follow their view
/// with probability `fidelity`.
fn room(groups: usize, fidelity: f64, statements: usize, seed: u64) -> (VoteMatrix, Duration) {
    let mut dice = Dice(SplitMix::new(seed));
    let mut m = VoteMatrix::new();
    let coverage = ANSWERED / statements as f64;
    let statements: Vec<StatementIx> = (0..statements)
        .filter_map(|s| m.add_statement(CardId::from_random(s as u64 + 1)).ok())
        .collect();
    let views: Vec<Vec<Vote>> = (0..groups.max(1))
        .map(|_| {
            (0..statements.len())
                .map(|_| {
                    if dice.chance(0.5) {
                        Vote::Agree
                    } else {
                        Vote::Disagree
                    }
                })
                .collect()
        })
        .collect();
    // Draw every vote first, so the timing is the matrix's alone.
    let mut ballots = Vec::new();
    for p in 0..VOTERS {
        let view = &views[p % views.len()];
        for (s, &ix) in statements.iter().enumerate() {
            if dice.chance(coverage) {
                let vote = if groups > 0 && dice.chance(fidelity) {
                    view[s]
                } else {
                    dice.any_vote()
                };
                ballots.push((p, ix, vote));
            }
        }
    }
    let voters: Vec<_> = (0..VOTERS).filter_map(|_| m.add_voter().ok()).collect();
    let start = Instant::now();
    for &(p, s, vote) in &ballots {
        let _ = m.set_vote(voters[p], s, Some(vote));
    }
    (m, start.elapsed())
}

fn main() {
    println!("landscape: {VOTERS} voters, {RUNS} recomputations each, one thread");
    for (name, groups, fidelity, statements) in [
        ("four planted groups", 4, 0.8, STATEMENTS),
        ("one shared view", 1, 0.85, STATEMENTS),
        ("random votes", 0, 0.0, STATEMENTS),
        ("three planted groups", 3, 0.8, 1500),
    ] {
        let (m, casting) = room(groups, fidelity, statements, 21);
        let votes = m.total_votes();
        let mut times = Vec::new();
        let mut analysis = None;
        for _ in 0..RUNS {
            let start = Instant::now();
            let a = Analysis::of(&m);
            times.push(start.elapsed());
            analysis = Some(a);
        }
        times.sort();
        let Some(a) = analysis else { continue };
        let l = a.landscape();
        let shape = match l.shape {
            Shape::TooFewVoters => "too few voters",
            Shape::OneRoom => "one room",
            Shape::Groups => "groups",
        };
        let sizes: Vec<u32> = l.groups.iter().map(|g| g.members.get()).collect();
        println!(
            "{name}, {statements} statements: {votes} votes cast in {:.1} ms ({:.0} ns a vote); \
             recomputation fastest {:.1} ms, median {:.1} ms; {shape} {sizes:?}, \
             {} common ground, {} divides",
            casting.as_secs_f64() * 1e3,
            casting.as_secs_f64() * 1e9 / votes.max(1) as f64,
            times[0].as_secs_f64() * 1e3,
            times[RUNS / 2].as_secs_f64() * 1e3,
            l.common_ground.len(),
            l.divides.len(),
        );
    }
}
