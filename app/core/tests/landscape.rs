//! The landscape as the room will use it: votes go into a `VoteMatrix`,
//! `Analysis::of` finds the groups, and what the screen may show obeys the
//! anonymity thresholds whatever the votes.

use hearth_core::anonymity::{MIN_GROUP_SHOWN, MIN_VOTES_SHOWN};
use hearth_core::ids::CardId;
use hearth_core::landscape::{
    Analysis, GroupLabel, Landscape, Lean, Shape, SplitMix, StatementIx, Vote, VoteError,
    VoteMatrix, VoterIx, YourPlace,
};
use proptest::prelude::*;
use std::collections::HashMap;

/// A small deterministic generator for building rooms.
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

/// A room of planted opinion groups: each group has a view (agree or
/// disagree) on every statement; a member votes on a share of the
/// statements, as their group does with probability `fidelity`, at random
/// otherwise. Statements in `shared` are agreed by every group.
struct Room {
    matrix: VoteMatrix,
    voters: Vec<VoterIx>,
    statements: Vec<StatementIx>,
    planted: Vec<usize>,
}

fn plant(sizes: &[usize], statements: usize, coverage: f64, fidelity: f64, seed: u64) -> Room {
    plant_with(sizes, statements, coverage, fidelity, seed, &[])
}

fn plant_with(
    sizes: &[usize],
    statements: usize,
    coverage: f64,
    fidelity: f64,
    seed: u64,
    shared: &[usize],
) -> Room {
    let mut dice = Dice(SplitMix::new(seed));
    let mut matrix = VoteMatrix::new();
    let statement_ixs: Vec<StatementIx> = (0..statements)
        .map(|s| {
            matrix
                .add_statement(CardId::from_random(s as u64 + 1))
                .expect("statement")
        })
        .collect();
    let views: Vec<Vec<Vote>> = sizes
        .iter()
        .map(|_| {
            (0..statements)
                .map(|s| {
                    if shared.contains(&s) || dice.chance(0.5) {
                        Vote::Agree
                    } else {
                        Vote::Disagree
                    }
                })
                .collect()
        })
        .collect();
    let mut voters = Vec::new();
    let mut planted = Vec::new();
    for (g, &n) in sizes.iter().enumerate() {
        for _ in 0..n {
            let v = matrix.add_voter().expect("voter");
            for (s, &ix) in statement_ixs.iter().enumerate() {
                if !dice.chance(coverage) {
                    continue;
                }
                let vote = if dice.chance(fidelity) {
                    views[g][s]
                } else {
                    dice.any_vote()
                };
                matrix.set_vote(v, ix, Some(vote)).expect("vote");
            }
            voters.push(v);
            planted.push(g);
        }
    }
    Room {
        matrix,
        voters,
        statements: statement_ixs,
        planted,
    }
}

/// Random votes: no structure at all.
fn noise(voters: usize, statements: usize, coverage: f64, seed: u64) -> VoteMatrix {
    let mut dice = Dice(SplitMix::new(seed));
    let mut m = VoteMatrix::new();
    let s: Vec<StatementIx> = (0..statements)
        .map(|i| {
            m.add_statement(CardId::from_random(i as u64 + 1))
                .expect("s")
        })
        .collect();
    for _ in 0..voters {
        let v = m.add_voter().expect("voter");
        for &ix in &s {
            if dice.chance(coverage) {
                m.set_vote(v, ix, Some(dice.any_vote())).expect("vote");
            }
        }
    }
    m
}

fn group_of(place: &YourPlace) -> Option<GroupLabel> {
    match place {
        YourPlace::Closest { group, .. } => Some(*group),
        _ => None,
    }
}

/// The share of voters whose found group is the one most of their planted
/// group landed in (each planted group mapped to a different found group).
fn recovered(room: &Room, analysis: &Analysis) -> f64 {
    let found: Vec<Option<GroupLabel>> = room
        .voters
        .iter()
        .map(|&v| group_of(&analysis.place_of(&room.matrix, v)))
        .collect();
    let mut votes: HashMap<(usize, GroupLabel), usize> = HashMap::new();
    for (&g, f) in room.planted.iter().zip(&found) {
        if let Some(f) = f {
            *votes.entry((g, *f)).or_default() += 1;
        }
    }
    let groups = room.planted.iter().max().map_or(0, |g| g + 1);
    let mut used = Vec::new();
    let mut right = 0;
    for g in 0..groups {
        let best = votes
            .iter()
            .filter(|((pg, f), _)| *pg == g && !used.contains(f))
            .max_by_key(|(_, n)| **n)
            .map(|((_, f), n)| (*f, *n));
        if let Some((f, n)) = best {
            used.push(f);
            right += n;
        }
    }
    right as f64 / room.voters.len() as f64
}

#[test]
fn three_planted_groups_are_found_with_their_members() {
    for seed in [1, 2, 3] {
        let room = plant(&[70, 50, 30], 40, 0.6, 0.8, seed);
        let analysis = Analysis::of(&room.matrix);
        let landscape = analysis.landscape();
        assert_eq!(landscape.shape, Shape::Groups, "seed {seed}");
        assert_eq!(landscape.groups.len(), 3, "seed {seed}: {landscape:?}");
        let share = recovered(&room, &analysis);
        assert!(share >= 0.95, "seed {seed}: {share}");
        let sizes: Vec<u32> = landscape.groups.iter().map(|g| g.members.get()).collect();
        assert_eq!(sizes.iter().sum::<u32>(), 150, "{sizes:?}");
        for g in &landscape.groups {
            assert!(
                !g.sets_apart.is_empty(),
                "group {} has nothing",
                g.label.letter()
            );
        }
        assert!(!landscape.divides.is_empty());
    }
}

#[test]
fn sparse_voters_are_still_placed_with_their_group() {
    // Each person answers only a quarter of 60 statements.
    let room = plant(&[60, 60, 60], 60, 0.25, 0.85, 9);
    let analysis = Analysis::of(&room.matrix);
    assert_eq!(analysis.landscape().groups.len(), 3);
    let share = recovered(&room, &analysis);
    assert!(share >= 0.95, "{share}");
}

#[test]
fn a_statement_everyone_agrees_with_is_common_ground() {
    let room = plant_with(&[60, 40, 30], 30, 0.7, 0.85, 4, &[7]);
    let landscape = Analysis::of(&room.matrix).landscape().clone();
    assert_eq!(landscape.groups.len(), 3);
    let card = room.matrix.card(room.statements[7]).expect("card").clone();
    let common = landscape
        .common_ground
        .iter()
        .find(|c| c.statement == card)
        .unwrap_or_else(|| panic!("not common ground: {:?}", landscape.common_ground));
    assert!(common.every_group.get() >= 70, "{common:?}");
    assert!(!landscape.divides.iter().any(|d| d.statement == card));
}

#[test]
fn a_room_that_agrees_is_one_room_with_common_ground() {
    let room = plant_with(&[120], 20, 0.8, 0.85, 5, &[0, 1, 2]);
    let landscape = Analysis::of(&room.matrix).landscape().clone();
    assert_eq!(landscape.shape, Shape::OneRoom);
    assert_eq!(landscape.groups.len(), 1);
    assert_eq!(landscape.groups[0].members.get(), 120);
    let card = room.matrix.card(room.statements[0]).expect("card");
    assert!(landscape.common_ground.iter().any(|c| &c.statement == card));
    assert!(landscape.divides.is_empty());
}

#[test]
fn random_votes_show_no_groups() {
    for seed in 1..=6 {
        let m = noise(300, 40, 0.6, seed);
        let landscape = Analysis::of(&m).landscape().clone();
        assert_eq!(landscape.shape, Shape::OneRoom, "seed {seed}");
        assert_eq!(landscape.groups.len(), 1, "seed {seed}");
        assert!(landscape.common_ground.is_empty(), "seed {seed}");
    }
}

#[test]
fn the_same_votes_give_the_same_landscape_in_any_order() {
    let room = plant(&[40, 30, 30], 25, 0.7, 0.8, 6);
    let once = Analysis::of(&room.matrix).landscape().clone();
    assert_eq!(&once, Analysis::of(&room.matrix).landscape());
    // The same votes cast statement by statement, last statement first.
    let mut again = VoteMatrix::new();
    for &s in &room.statements {
        again
            .add_statement(room.matrix.card(s).expect("card").clone())
            .expect("statement");
    }
    for _ in &room.voters {
        again.add_voter().expect("voter");
    }
    for &s in room.statements.iter().rev() {
        for &v in &room.voters {
            if let Some(vote) = room.matrix.vote(v, s) {
                again.set_vote(v, s, Some(vote)).expect("vote");
            }
        }
    }
    assert_eq!(&once, Analysis::of(&again).landscape());
    let json = serde_json::to_string(&once).expect("json");
    assert_eq!(
        serde_json::from_str::<Landscape>(&json).expect("back"),
        once
    );
}

#[test]
fn changing_one_vote_changes_that_vote_only() {
    let mut room = plant(&[30, 30], 20, 0.7, 0.85, 7);
    let (v, s) = (room.voters[3], room.statements[5]);
    let before_total = room.matrix.total_votes();
    let before_count = room.matrix.votes_of(v);
    let old = room.matrix.vote(v, s);
    let new = if old == Some(Vote::Agree) {
        Vote::Disagree
    } else {
        Vote::Agree
    };
    assert_eq!(room.matrix.set_vote(v, s, Some(new)), Ok(old));
    assert_eq!(room.matrix.vote(v, s), Some(new));
    let added = u32::from(old.is_none());
    assert_eq!(room.matrix.votes_of(v), before_count + added);
    assert_eq!(room.matrix.total_votes(), before_total + u64::from(added));
    // The split of that statement moves by exactly that vote.
    let card = room.matrix.card(s).expect("card").clone();
    let split = |m: &VoteMatrix| {
        Analysis::of(m)
            .landscape()
            .split(&card)
            .and_then(|s| s.room)
            .map(|r| (r.agree(), r.disagree(), r.pass()))
    };
    let (a, d, p) = split(&room.matrix).expect("split");
    room.matrix.set_vote(v, s, Some(Vote::Pass)).expect("vote");
    let moved = match new {
        Vote::Agree => (a - 1, d, p + 1),
        _ => (a, d - 1, p + 1),
    };
    assert_eq!(split(&room.matrix), Some(moved));
}

#[test]
fn a_withdrawn_statement_leaves_the_landscape() {
    let mut room = plant_with(&[40, 40], 20, 0.8, 0.85, 8, &[3]);
    let card = room.matrix.card(room.statements[3]).expect("card").clone();
    assert!(Analysis::of(&room.matrix)
        .landscape()
        .split(&card)
        .is_some());
    room.matrix.withdraw(room.statements[3]).expect("withdraw");
    let landscape = Analysis::of(&room.matrix).landscape().clone();
    let json = serde_json::to_string(&landscape).expect("json");
    assert!(!json.contains(card.as_str()), "{json}");
    assert_eq!(
        room.matrix
            .set_vote(room.voters[0], room.statements[3], Some(Vote::Agree)),
        Err(VoteError::Withdrawn)
    );
}

#[test]
fn a_hidden_statement_is_left_out_until_shown_again() {
    let mut room = plant(&[40, 40], 20, 0.8, 0.85, 13);
    let s = room.statements[2];
    let card = room.matrix.card(s).expect("card").clone();
    let before = Analysis::of(&room.matrix).landscape().clone();
    room.matrix.hide(s, true).expect("hide");
    let hidden = serde_json::to_string(Analysis::of(&room.matrix).landscape()).expect("json");
    assert!(!hidden.contains(card.as_str()));
    assert_eq!(
        room.matrix.set_vote(room.voters[0], s, Some(Vote::Pass)),
        Err(VoteError::Hidden)
    );
    room.matrix.hide(s, false).expect("show");
    assert_eq!(Analysis::of(&room.matrix).landscape(), &before);
}

#[test]
fn no_votes_one_voter_and_all_passes_draw_nothing_and_never_panic() {
    let empty = VoteMatrix::new();
    assert_eq!(Analysis::of(&empty).landscape(), &Landscape::empty());

    let mut one = VoteMatrix::new();
    let v = one.add_voter().expect("voter");
    for i in 0..10 {
        let s = one.add_statement(CardId::from_random(i + 1)).expect("s");
        one.set_vote(v, s, Some(Vote::Agree)).expect("vote");
    }
    let analysis = Analysis::of(&one);
    assert_eq!(analysis.landscape().shape, Shape::TooFewVoters);
    assert!(analysis.landscape().splits.is_empty());
    assert_eq!(analysis.place_of(&one, v), YourPlace::NoGroups);

    let mut passes = VoteMatrix::new();
    let s: Vec<StatementIx> = (0..10)
        .map(|i| passes.add_statement(CardId::from_random(i + 1)).expect("s"))
        .collect();
    for _ in 0..20 {
        let v = passes.add_voter().expect("voter");
        for &s in &s {
            passes.set_vote(v, s, Some(Vote::Pass)).expect("vote");
        }
    }
    let landscape = Analysis::of(&passes).landscape().clone();
    assert_eq!(landscape.shape, Shape::OneRoom);
    assert!(landscape.common_ground.is_empty());
    assert_eq!(landscape.splits.len(), 10);
    serde_json::to_string(&landscape).expect("no NaN in the numbers");
}

#[test]
fn a_phone_learns_its_group_and_what_it_shares_with_it() {
    let room = plant(&[50, 50], 30, 0.8, 0.9, 10);
    let analysis = Analysis::of(&room.matrix);
    let place = analysis.place_of(&room.matrix, room.voters[0]);
    let YourPlace::Closest { group, shared } = place else {
        panic!("not placed: {place:?}");
    };
    assert!(!shared.is_empty());
    let sets_apart = &analysis
        .landscape()
        .groups
        .iter()
        .find(|g| g.label == group)
        .expect("shown")
        .sets_apart;
    for s in &shared {
        assert!(sets_apart
            .iter()
            .any(|a| a.statement == s.statement && a.lean == s.lean));
        let ix = room.matrix.statement(&s.statement).expect("ix");
        let want = match s.lean {
            Lean::Agree => Vote::Agree,
            Lean::Disagree => Vote::Disagree,
        };
        assert_eq!(room.matrix.vote(room.voters[0], ix), Some(want));
    }
    // Someone with too few votes is told how many more to cast.
    let mut m = room.matrix.clone();
    let newcomer = m.add_voter().expect("voter");
    m.set_vote(newcomer, room.statements[0], Some(Vote::Agree))
        .expect("vote");
    assert_eq!(
        analysis.place_of(&m, newcomer),
        YourPlace::NotYet { votes_to_go: 6 }
    );
}

#[test]
fn a_group_under_five_is_not_shown_and_its_members_join_no_other() {
    // Two big groups, and three people who vote against both.
    let mut room = plant(&[40, 40], 24, 0.9, 0.9, 11);
    let mut loners = Vec::new();
    for _ in 0..3 {
        let v = room.matrix.add_voter().expect("voter");
        for &s in &room.statements {
            let a = room.matrix.vote(room.voters[0], s);
            let b = room.matrix.vote(room.voters[79], s);
            let vote = match (a, b) {
                (Some(Vote::Agree), _) | (_, Some(Vote::Agree)) => Vote::Disagree,
                _ => Vote::Agree,
            };
            room.matrix.set_vote(v, s, Some(vote)).expect("vote");
        }
        loners.push(v);
    }
    let analysis = Analysis::of(&room.matrix);
    let landscape = analysis.landscape();
    assert!(landscape
        .groups
        .iter()
        .all(|g| g.members.get() >= MIN_GROUP_SHOWN));
    let shown: u32 = landscape.groups.iter().map(|g| g.members.get()).sum();
    assert!(shown == 80 || shown == 83, "{shown}");
    for v in loners {
        assert!(group_of(&analysis.place_of(&room.matrix, v)).is_some());
    }
}

#[test]
fn group_letters_stay_with_their_groups_as_sizes_change() {
    let room = plant(&[40, 38], 24, 0.8, 0.9, 12);
    let first = Analysis::of(&room.matrix);
    let letter_of = |a: &Analysis, m: &VoteMatrix, v: VoterIx| group_of(&a.place_of(m, v));
    let before = letter_of(&first, &room.matrix, room.voters[0]);
    // Ten newcomers join the second group, which becomes the larger.
    let mut m = room.matrix.clone();
    for _ in 0..10 {
        let v = m.add_voter().expect("voter");
        for &s in &room.statements {
            if let Some(vote) = room.matrix.vote(room.voters[77], s) {
                m.set_vote(v, s, Some(vote)).expect("vote");
            }
        }
    }
    let next = Analysis::following(&m, Some(&first));
    assert_eq!(letter_of(&next, &m, room.voters[0]), before);
    let fresh = Analysis::of(&m);
    assert_ne!(
        letter_of(&fresh, &m, room.voters[0]),
        before,
        "sizes swapped"
    );
    // When the groups are gone, the one room is "A" again.
    let agreeing = plant(&[120], 20, 0.8, 0.85, 5);
    let one = Analysis::following(&agreeing.matrix, Some(&next));
    assert_eq!(one.landscape().shape, Shape::OneRoom);
    assert_eq!(one.landscape().groups[0].label.letter(), 'A');
}

/// Checks every number the landscape shows against the thresholds, on the
/// landscape as it travels (JSON), so no type can hide a smaller one.
fn check_shown(landscape: &Landscape, voters: usize) {
    let json: serde_json::Value = serde_json::to_value(landscape).expect("json");
    let groups = json["groups"].as_array().expect("groups");
    let mut members = 0;
    for g in groups {
        let n = g["members"].as_u64().expect("members");
        assert!(n >= u64::from(MIN_GROUP_SHOWN), "group of {n}");
        members += n;
    }
    assert!(members as usize <= voters);
    let tally_ok = |t: &serde_json::Value| {
        let n = ["agree", "disagree", "pass"]
            .iter()
            .map(|k| t[*k].as_u64().expect("count"))
            .sum::<u64>();
        assert!(n >= u64::from(MIN_VOTES_SHOWN), "split of {n}: {t}");
    };
    let total = |t: &serde_json::Value| {
        ["agree", "disagree", "pass"]
            .iter()
            .map(|k| t[*k].as_u64().expect("count"))
            .sum::<u64>()
    };
    for split in json["splits"].as_array().expect("splits") {
        let mut in_groups = 0;
        for g in split["groups"].as_array().expect("groups") {
            if !g["tally"].is_null() {
                tally_ok(&g["tally"]);
                in_groups += total(&g["tally"]);
            }
        }
        // A room total beside the groups' never leaves 1 to 4 votes of
        // people outside them to be read by subtraction.
        if !split["room"].is_null() {
            tally_ok(&split["room"]);
            let rest = total(&split["room"]) - in_groups;
            assert!(
                rest == 0 || rest >= u64::from(MIN_VOTES_SHOWN),
                "{rest} votes outside the groups: {split}"
            );
        }
    }
    assert_eq!(
        &serde_json::from_value::<Landscape>(json).expect("reads back"),
        landscape
    );
    if landscape.groups.is_empty() {
        assert!(landscape.common_ground.is_empty() && landscape.divides.is_empty());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Whatever the votes, no group under 5 members and no split under 5
    /// votes is shown, and every phone gets an answer.
    #[test]
    fn the_landscape_never_shows_fewer_than_five(
        voters in 0usize..40,
        statements in 0usize..12,
        groups in 1usize..4,
        fidelity in 0.0f64..1.0,
        coverage in 0.0f64..1.0,
        seed in any::<u64>(),
    ) {
        let per = voters / groups;
        let mut sizes = vec![per; groups];
        sizes[0] += voters - per * groups;
        let room = plant(&sizes, statements, coverage, fidelity, seed);
        let analysis = Analysis::of(&room.matrix);
        check_shown(analysis.landscape(), voters);
        for &v in &room.voters {
            let _ = analysis.place_of(&room.matrix, v);
        }
    }

    /// Any run of vote changes leaves the matrix's running counts equal to
    /// a recount, and each vote as last set.
    #[test]
    fn running_counts_match_a_recount(
        changes in proptest::collection::vec((0usize..6, 0usize..5, 0u8..4), 0..200),
    ) {
        let mut m = VoteMatrix::new();
        let voters: Vec<VoterIx> = (0..6).map(|_| m.add_voter().expect("voter")).collect();
        let statements: Vec<StatementIx> = (0..5)
            .map(|i| m.add_statement(CardId::from_random(i + 1)).expect("s"))
            .collect();
        let mut last: HashMap<(usize, usize), Vote> = HashMap::new();
        for (v, s, code) in changes {
            let vote = [Some(Vote::Agree), Some(Vote::Disagree), Some(Vote::Pass), None][code as usize];
            let before = m.set_vote(voters[v], statements[s], vote).expect("vote");
            prop_assert_eq!(before, last.get(&(v, s)).copied());
            match vote {
                Some(vote) => last.insert((v, s), vote),
                None => last.remove(&(v, s)),
            };
        }
        for (v, &vi) in voters.iter().enumerate() {
            let n = last.keys().filter(|(lv, _)| *lv == v).count() as u32;
            prop_assert_eq!(m.votes_of(vi), n);
        }
        for (s, &si) in statements.iter().enumerate() {
            let n = last.keys().filter(|(_, ls)| *ls == s).count() as u32;
            prop_assert_eq!(m.votes_on(si), n);
        }
        prop_assert_eq!(m.total_votes(), last.len() as u64);
    }

    /// Lopsided rooms: one big group and several tiny ones.
    #[test]
    fn tiny_groups_stay_hidden(
        big in 5usize..60,
        tiny in proptest::collection::vec(1usize..5, 1..4),
        seed in any::<u64>(),
    ) {
        let mut sizes = vec![big];
        sizes.extend(tiny);
        let voters: usize = sizes.iter().sum();
        let room = plant(&sizes, 16, 0.9, 0.95, seed);
        check_shown(Analysis::of(&room.matrix).landscape(), voters);
    }
}

/// The figures behind the thresholds, over many rooms (not a pass/fail
/// test): `cargo test --release -p hearth-core --test landscape
/// calibration -- --ignored --nocapture`.
#[test]
#[ignore]
fn calibration() {
    let rooms = 20;
    let groups_in = |make: &dyn Fn(u64) -> VoteMatrix| {
        (1..=rooms)
            .filter(|&seed| Analysis::of(&make(seed)).landscape().shape == Shape::Groups)
            .count()
    };
    println!(
        "random votes, 300 x 40: groups in {} of {rooms} rooms",
        groups_in(&|seed| noise(300, 40, 0.6, seed))
    );
    for fidelity in [0.6, 0.75, 0.9] {
        println!(
            "one shared view at {fidelity}, 200 x 30: groups in {} of {rooms} rooms",
            groups_in(&|seed| plant(&[200], 30, 0.6, fidelity, seed).matrix)
        );
    }
    for (sizes, fidelity) in [
        (&[70, 50, 30][..], 0.8),
        (&[100, 100][..], 0.55),
        (&[60, 50, 40, 30, 20][..], 0.8),
    ] {
        let found: Vec<(usize, f64)> = (1..=rooms)
            .map(|seed| {
                let room = plant(sizes, 40, 0.6, fidelity, seed);
                let a = Analysis::of(&room.matrix);
                (a.landscape().groups.len(), recovered(&room, &a))
            })
            .collect();
        let right = found.iter().filter(|(n, _)| *n == sizes.len()).count();
        let worst = found.iter().map(|f| f.1).fold(1.0, f64::min);
        println!(
            "planted {sizes:?} at {fidelity}: all groups found in {right} of {rooms}; \
             worst share placed right {worst:.3}"
        );
    }
}
