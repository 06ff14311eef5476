//! The room's opinion landscape in a statements step: from everyone's
//! agree / disagree / pass votes, the opinion groups in the room, what
//! sets each apart, the common ground they share and where they divide.
//!
//! Why it is shaped so: the room keeps a `VoteMatrix` and changes it one
//! vote at a time (O(1)); every second or two it calls `Analysis::of` (a
//! full recomputation, pure and deterministic: the same votes always give
//! the same landscape) and sends `Analysis::landscape()` to the screen and
//! the console as it is. `Analysis` itself never leaves the server: it
//! knows where each voter sits, and answers one phone privately with
//! `Analysis::place_of`.
//!
//! The method follows Pol.is (learned from, not copied), one module per
//! stage:
//! - `matrix`: the votes, by dense voter and statement index;
//! - `pca`: voters with at least `MIN_VOTES_TO_PLACE` votes, as points in
//!   two dimensions (missing votes taken as the statement's mean, sparse
//!   voters pushed out);
//! - `kmeans`: groups for k = 2..5 by the best silhouette, or one room when
//!   no k shows clear structure;
//! - `counts`, `repness`, `common_ground`: the counts, what sets a group
//!   apart, common ground and divides;
//! - `public`: the types the room may show, which cannot hold a vote
//!   vector or a position, nor a group under `MIN_GROUP_SHOWN` members or
//!   a split under `MIN_VOTES_SHOWN` votes.
//!
//! Which k, and when there are no groups: k-means offers each k = 2..5
//! whose silhouette shows clear structure, best first; the landscape takes
//! the first whose groups are opinion groups (each leans against everyone
//! else on at least two statements, and they divide on at least one: one
//! group mostly agrees where another mostly disagrees). If none is, the
//! room is drawn as one group (`Shape::OneRoom`), which is what random
//! votes and a room that shares one view give. See `kmeans` for the
//! figures behind the floor, and the ignored `calibration` test in
//! `tests/landscape.rs` for how often each kind of room shows groups.
//! Two dimensions separate at most three or four groups: five planted
//! groups in unrelated directions come out as three.
//!
//! A group too small to show is left out everywhere: no cloud, no size, no
//! split, no common ground or divide reckoned with it; its members are
//! counted only in the room's totals and in "everyone else" when another
//! group is compared with the room, both of which need `MIN_VOTES_SHOWN`
//! votes to be shown at all. A statement's room total less its shown
//! groups' counts can leave a handful of votes (people not yet placed,
//! members of hidden groups, groups with too few votes on it, together).
//! That remainder is a set of people outside every shown group, so a room
//! total is shown beside the groups' splits only when the remainder is 0
//! (nobody outside) or `MIN_VOTES_SHOWN` or more (as many as any shown
//! split): 1 to 4 votes left over would be a handful of people's votes
//! read by subtraction (`public::room_beside`). A room total that moves by
//! one vote over time is accepted, as for every live count.

mod common_ground;
mod counts;
mod kmeans;
mod matrix;
mod pca;
mod public;
mod repness;

pub use kmeans::SplitMix;
pub use matrix::{StatementIx, Vote, VoteError, VoteMatrix, VoterIx};
pub use public::{
    room_beside, Cloud, CommonGround, Divide, Group, GroupLabel, GroupShare, GroupSplit, Landscape,
    Lean, Members, NotALabel, NotAPercent, Percent, Point, SetsApart, Shape, Shared, Split, Tally,
    TallyParts, TooFew, YourPlace,
};

use crate::anonymity::MIN_GROUP_SHOWN;
use counts::Tallies;

/// Votes a person casts before they are placed on the landscape (fewer
/// if the step has fewer statements): below this a position is mostly the
/// room's average guessed for them. Pol.is uses the same number.
pub const MIN_VOTES_TO_PLACE: u32 = 7;

/// On how many statements each group must lean against everyone else
/// for the groups to be shown: an opinion group is a pattern across
/// statements. People who differ from the room on one statement alone are
/// that statement's split, not a group, and a crowd sharing one view always
/// holds such clumps by chance; holding the shared view more firmly than
/// others do does not make a group either.
const GROUP_SET_APART_BY: usize = 2;

// Every group k-means can find has a letter.
const _: () = assert!(kmeans::K_MAX == GroupLabel::COUNT as usize);

/// Where one voter sat in an analysis. Private to the server.
#[derive(Clone, Copy)]
enum Seat {
    NotPlaced,
    Placed { group: usize, point: [f64; 2] },
}

/// One full recomputation of the landscape, with the private knowledge
/// needed to tell each phone where it stands. Never sent anywhere; its
/// `Debug` shows only the public landscape.
#[derive(Clone)]
pub struct Analysis {
    landscape: Landscape,
    needed: u32,
    seats: Vec<Seat>,
    /// Each found group's label, if it is shown (by group, largest first).
    labels: Vec<Option<GroupLabel>>,
    /// Shown groups' centres, for matching labels and nearest groups.
    centres: Vec<(GroupLabel, [f64; 2])>,
}

impl std::fmt::Debug for Analysis {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Analysis")
            .field("landscape", &self.landscape)
            .finish_non_exhaustive()
    }
}

impl Analysis {
    /// The landscape of these votes, from scratch.
    pub fn of(matrix: &VoteMatrix) -> Self {
        Self::following(matrix, None)
    }

    /// The landscape of these votes, keeping the labels of the previous
    /// analysis where a group is still there (its nearest successor takes
    /// its letter), so "Group B" and the name the facilitator gave it do
    /// not jump to another group when sizes change.
    pub fn following(matrix: &VoteMatrix, previous: Option<&Analysis>) -> Self {
        let columns = Columns::of(matrix);
        let needed = MIN_VOTES_TO_PLACE.min(columns.len() as u32).max(1);
        let map = Map::of(matrix, &columns, needed);
        // The first division by k-means (best silhouette first) into
        // opinion groups, or one room.
        let partition = kmeans::candidates(&map.points, 2 * MIN_GROUP_SHOWN as usize)
            .iter()
            .map(|c| Partition::new(matrix, &columns, &map, c))
            .find(Partition::are_opinion_groups)
            .unwrap_or_else(|| Partition::new(matrix, &columns, &map, &kmeans::one(&map.points)));
        let Partition {
            seats,
            sizes,
            tallies,
            shown,
        } = partition;

        // The shown groups' letters.
        let group_centres: Vec<[f64; 2]> = (0..sizes.len())
            .map(|g| {
                member_points(&seats, g)
                    .fold(Moments::default(), Moments::add)
                    .mean()
            })
            .collect();
        let labels = letters(&shown, &group_centres, sizes.len(), previous);
        let mut in_label_order: Vec<(GroupLabel, usize)> = shown
            .iter()
            .filter_map(|&g| labels.get(g).copied().flatten().map(|l| (l, g)))
            .collect();
        in_label_order.sort();
        let shown_groups: Vec<usize> = in_label_order.iter().map(|&(_, g)| g).collect();
        let label_of = |g: usize| labels.get(g).copied().flatten();
        let card = |c: usize| {
            columns
                .statements
                .get(c)
                .and_then(|&s| matrix.card(s))
                .cloned()
        };

        let groups: Vec<Group> = in_label_order
            .iter()
            .filter_map(|&(label, g)| {
                let members = Members::shown(sizes[g])?;
                let moments = member_points(&seats, g).fold(Moments::default(), Moments::add);
                let sets_apart = repness::sets_apart(&tallies, g)
                    .into_iter()
                    .filter_map(|a| {
                        Some(SetsApart {
                            statement: card(a.column)?,
                            lean: a.lean,
                            group: a.group,
                            others: a.others,
                        })
                    })
                    .collect();
                Some(Group {
                    label,
                    members,
                    cloud: moments.cloud(),
                    sets_apart,
                })
            })
            .collect();

        let common_ground = common_ground::common_ground(&tallies, &shown_groups)
            .into_iter()
            .filter_map(|c| {
                Some(CommonGround {
                    statement: card(c.column)?,
                    every_group: c.every_group,
                })
            })
            .collect();
        let divides = common_ground::divides(&tallies, &shown_groups)
            .into_iter()
            .filter_map(|d| {
                Some(Divide {
                    statement: card(d.column)?,
                    agrees: GroupShare {
                        group: label_of(d.agrees.0)?,
                        share: d.agrees.1,
                    },
                    disagrees: GroupShare {
                        group: label_of(d.disagrees.0)?,
                        share: d.disagrees.1,
                    },
                })
            })
            .collect();
        let splits = (0..columns.len())
            .filter_map(|c| {
                let room = tallies.room(c);
                let room = Tally::shown(room.agree, room.disagree, room.pass)?;
                let groups: Vec<GroupSplit> = in_label_order
                    .iter()
                    .map(|&(group, g)| {
                        let t = tallies.group(g, c);
                        GroupSplit {
                            group,
                            tally: Tally::shown(t.agree, t.disagree, t.pass),
                        }
                    })
                    .collect();
                Some(Split {
                    statement: card(c)?,
                    room: public::room_beside(room, &groups),
                    groups,
                })
            })
            .collect();

        let shape = if groups.is_empty() {
            Shape::TooFewVoters
        } else if sizes.len() < 2 {
            Shape::OneRoom
        } else {
            Shape::Groups
        };
        let centres = in_label_order
            .iter()
            .filter_map(|&(l, g)| group_centres.get(g).map(|&c| (l, c)))
            .collect();
        let landscape = if groups.is_empty() {
            Landscape {
                splits,
                ..Landscape::empty()
            }
        } else {
            Landscape {
                shape,
                groups,
                common_ground,
                divides,
                splits,
            }
        };
        Self {
            landscape,
            needed,
            seats,
            labels,
            centres,
        }
    }

    /// What the room may be shown.
    pub fn landscape(&self) -> &Landscape {
        &self.landscape
    }

    /// Votes a person needed to be placed in this analysis.
    pub fn votes_to_place(&self) -> u32 {
        self.needed
    }

    /// Where one voter stands, for their phone alone: the shown group they
    /// are closest to, and the statements that set it apart on which they
    /// voted as it leans. `matrix` is the room's current matrix (their
    /// votes may have moved since the analysis; what they share is read
    /// from their votes now).
    pub fn place_of(&self, matrix: &VoteMatrix, voter: VoterIx) -> YourPlace {
        let point = match self.seats.get(voter.index()) {
            Some(Seat::Placed { group, point }) => {
                match self.labels.get(*group).copied().flatten() {
                    Some(label) => return self.closest(matrix, voter, label),
                    None => *point,
                }
            }
            _ => {
                return YourPlace::NotYet {
                    votes_to_go: self.needed.saturating_sub(matrix.votes_of(voter)),
                }
            }
        };
        // Placed in a group too small to show: the nearest shown one.
        let nearest = self
            .centres
            .iter()
            .map(|&(l, c)| (l, distance(point, c)))
            .fold(None, |best: Option<(GroupLabel, f64)>, x| match best {
                Some(b) if b.1 <= x.1 => Some(b),
                _ => Some(x),
            });
        match nearest {
            Some((label, _)) => self.closest(matrix, voter, label),
            None => YourPlace::NoGroups,
        }
    }

    fn closest(&self, matrix: &VoteMatrix, voter: VoterIx, label: GroupLabel) -> YourPlace {
        let voted = |card: &crate::ids::CardId, lean: Lean| {
            let want = match lean {
                Lean::Agree => Vote::Agree,
                Lean::Disagree => Vote::Disagree,
            };
            matrix
                .statement(card)
                .and_then(|s| matrix.vote(voter, s))
                .is_some_and(|v| v == want)
        };
        let mut shared: Vec<Shared> = self
            .landscape
            .groups
            .iter()
            .filter(|g| g.label == label)
            .flat_map(|g| &g.sets_apart)
            .filter(|a| voted(&a.statement, a.lean))
            .map(|a| Shared {
                statement: a.statement.clone(),
                lean: a.lean,
            })
            .collect();
        if self.landscape.shape == Shape::OneRoom {
            shared.extend(
                self.landscape
                    .common_ground
                    .iter()
                    .filter(|c| voted(&c.statement, Lean::Agree))
                    .map(|c| Shared {
                        statement: c.statement.clone(),
                        lean: Lean::Agree,
                    }),
            );
        }
        YourPlace::Closest {
            group: label,
            shared,
        }
    }
}

fn distance(a: [f64; 2], b: [f64; 2]) -> f64 {
    (a[0] - b[0]).hypot(a[1] - b[1])
}

/// Points moved to the room's centre and scaled to its spread, so the
/// screen can draw them in a fixed frame whatever the number of votes.
fn normalise(mut points: Vec<[f64; 2]>) -> Vec<[f64; 2]> {
    let moments = points
        .iter()
        .copied()
        .fold(Moments::default(), Moments::add);
    let centre = moments.mean();
    let spread = moments.spread();
    let scale = if spread > 1e-12 { 1.0 / spread } else { 1.0 };
    for p in &mut points {
        p[0] = (p[0] - centre[0]) * scale;
        p[1] = (p[1] - centre[1]) * scale;
    }
    points
}

/// The found groups, largest first (ties by first member): `order[a]` is
/// the rank of k-means group `a`.
fn by_size(assign: &[usize], k: usize) -> Vec<usize> {
    let mut count = vec![0usize; k];
    let mut first = vec![usize::MAX; k];
    for (i, &a) in assign.iter().enumerate() {
        if let (Some(c), Some(f)) = (count.get_mut(a), first.get_mut(a)) {
            *c += 1;
            *f = (*f).min(i);
        }
    }
    let mut ranked: Vec<usize> = (0..k).collect();
    ranked.sort_by(|&a, &b| count[b].cmp(&count[a]).then(first[a].cmp(&first[b])));
    let mut order = vec![0; k];
    for (rank, &a) in ranked.iter().enumerate() {
        order[a] = rank;
    }
    order
}

fn sizes(assign: &[usize], k: usize, order: &[usize]) -> Vec<u32> {
    let mut sizes = vec![0u32; k];
    for &a in assign {
        if let Some(s) = order.get(a).and_then(|&g| sizes.get_mut(g)) {
            *s += 1;
        }
    }
    sizes
}

fn member_points(seats: &[Seat], g: usize) -> impl Iterator<Item = [f64; 2]> + '_ {
    seats.iter().filter_map(move |s| match s {
        Seat::Placed { group, point } if *group == g => Some(*point),
        _ => None,
    })
}

/// The statements the maths looks at: live ones holding at least one
/// vote, each a column.
struct Columns {
    statements: Vec<StatementIx>,
    /// Each statement's column, by statement index.
    of_statement: Vec<Option<usize>>,
}

impl Columns {
    fn of(matrix: &VoteMatrix) -> Self {
        let mut has_votes = vec![false; matrix.statements()];
        for v in matrix.voter_ixs() {
            for (s, _) in matrix.row(v) {
                if let Some(h) = has_votes.get_mut(s.index()) {
                    *h = true;
                }
            }
        }
        let mut of_statement = vec![None; matrix.statements()];
        let mut statements = Vec::new();
        for s in matrix.statement_ixs() {
            if matrix.is_live(s) && has_votes.get(s.index()).copied().unwrap_or(false) {
                of_statement[s.index()] = Some(statements.len());
                statements.push(s);
            }
        }
        Self {
            statements,
            of_statement,
        }
    }

    fn len(&self) -> usize {
        self.statements.len()
    }

    fn get(&self, s: StatementIx) -> Option<usize> {
        self.of_statement.get(s.index()).copied().flatten()
    }
}

/// The placed voters (those with `needed` votes or more) and their points
/// on the two-dimensional map, in the room's frame.
struct Map {
    voters: Vec<VoterIx>,
    points: Vec<[f64; 2]>,
}

impl Map {
    fn of(matrix: &VoteMatrix, columns: &Columns, needed: u32) -> Self {
        let mut voters = Vec::new();
        let mut rows: Vec<pca::Row> = Vec::new();
        for v in matrix.voter_ixs() {
            let row: pca::Row = matrix
                .row(v)
                .filter_map(|(s, vote)| columns.get(s).map(|c| (c as u32, vote.value())))
                .collect();
            if row.len() >= needed as usize {
                voters.push(v);
                rows.push(row);
            }
        }
        let m = columns.len();
        let centred = pca::centre(&rows, m);
        let components = pca::components(&centred, m);
        let points = normalise(pca::project(&centred, &components, m));
        Self { voters, points }
    }
}

/// One way of dividing the placed voters, counted.
struct Partition {
    /// Every voter's seat, by voter index.
    seats: Vec<Seat>,
    /// Each group's size, largest first.
    sizes: Vec<u32>,
    tallies: Tallies,
    /// The groups large enough to show.
    shown: Vec<usize>,
}

impl Partition {
    fn new(
        matrix: &VoteMatrix,
        columns: &Columns,
        map: &Map,
        clustering: &kmeans::Clustering,
    ) -> Self {
        let order = by_size(&clustering.assign, clustering.centres.len());
        let sizes = sizes(&clustering.assign, order.len(), &order);
        let mut seats = vec![Seat::NotPlaced; matrix.voters()];
        for ((v, &a), &point) in map.voters.iter().zip(&clustering.assign).zip(&map.points) {
            if let (Some(seat), Some(&group)) = (seats.get_mut(v.index()), order.get(a)) {
                *seat = Seat::Placed { group, point };
            }
        }
        // Every vote, counted by the voter's group.
        let mut tallies = Tallies::new(sizes.len(), columns.len());
        for v in matrix.voter_ixs() {
            let group = match seats.get(v.index()) {
                Some(Seat::Placed { group, .. }) => Some(*group),
                _ => None,
            };
            for (s, vote) in matrix.row(v) {
                if let Some(c) = columns.get(s) {
                    tallies.add(group, c, vote);
                }
            }
        }
        let shown = (0..sizes.len())
            .filter(|&g| sizes[g] >= MIN_GROUP_SHOWN)
            .collect();
        Self {
            seats,
            sizes,
            tallies,
            shown,
        }
    }

    /// Whether the groups are opinion groups, not just shapes in the
    /// cloud: two or more are shown, each leans against everyone else on
    /// at least `GROUP_SET_APART_BY` statements, and they divide on at
    /// least one (one mostly agrees where another mostly disagrees). A
    /// crowd that shares one view, each person straying on a few
    /// statements, forms clumps k-means can cut cleanly ("those who
    /// strayed on statement 14"); those are not groups a room should be
    /// told it is split into.
    fn are_opinion_groups(&self) -> bool {
        self.shown.len() >= 2
            && self
                .shown
                .iter()
                .all(|&g| repness::against_the_rest(&self.tallies, g) >= GROUP_SET_APART_BY)
            && !common_ground::divides(&self.tallies, &self.shown).is_empty()
    }
}

/// Letters for the shown groups: each previous letter goes to the nearest
/// shown group still without one (closest pairs first); the rest take the
/// first free letters, largest group first.
fn letters(
    shown: &[usize],
    centres: &[[f64; 2]],
    k: usize,
    previous: Option<&Analysis>,
) -> Vec<Option<GroupLabel>> {
    let mut labels: Vec<Option<GroupLabel>> = vec![None; k];
    let mut taken = [false; GroupLabel::COUNT as usize];
    // One room is always "A": a letter carried over would name a group
    // that is no longer there.
    if let Some(prev) = previous.filter(|_| shown.len() >= 2) {
        let mut pairs: Vec<(f64, GroupLabel, usize)> = prev
            .centres
            .iter()
            .flat_map(|&(l, pc)| {
                shown
                    .iter()
                    .filter_map(move |&g| centres.get(g).map(|&c| (distance(pc, c), l, g)))
            })
            .collect();
        pairs.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
        for (_, l, g) in pairs {
            if !taken[l.index()] && labels[g].is_none() {
                labels[g] = Some(l);
                taken[l.index()] = true;
            }
        }
    }
    for &g in shown {
        if labels[g].is_none() {
            let free = (0..GroupLabel::COUNT).find(|&n| !taken[usize::from(n)]);
            if let Some(n) = free {
                labels[g] = GroupLabel::new(n);
                taken[usize::from(n)] = true;
            }
        }
    }
    labels
}

/// Running sums of points, for a centre and a cloud.
#[derive(Clone, Copy, Default)]
struct Moments {
    n: f64,
    x: f64,
    y: f64,
    xx: f64,
    xy: f64,
    yy: f64,
}

impl Moments {
    fn add(mut self, p: [f64; 2]) -> Self {
        self.n += 1.0;
        self.x += p[0];
        self.y += p[1];
        self.xx += p[0] * p[0];
        self.xy += p[0] * p[1];
        self.yy += p[1] * p[1];
        self
    }

    fn mean(&self) -> [f64; 2] {
        if self.n == 0.0 {
            [0.0; 2]
        } else {
            [self.x / self.n, self.y / self.n]
        }
    }

    /// Variances and covariance about the mean.
    fn covariance(&self) -> (f64, f64, f64) {
        if self.n == 0.0 {
            return (0.0, 0.0, 0.0);
        }
        let [mx, my] = self.mean();
        (
            (self.xx / self.n - mx * mx).max(0.0),
            self.xy / self.n - mx * my,
            (self.yy / self.n - my * my).max(0.0),
        )
    }

    /// The root mean square distance from the mean, per axis.
    fn spread(&self) -> f64 {
        let (a, _, c) = self.covariance();
        ((a + c) / 2.0).sqrt()
    }

    /// The points as an ellipse: centre, standard deviations along the
    /// covariance's own axes, and the angle of the first axis.
    fn cloud(&self) -> Cloud {
        let (a, b, c) = self.covariance();
        let half = (a + c) / 2.0;
        let root = (((a - c) / 2.0).powi(2) + b * b).sqrt();
        let major = (half + root).max(0.0).sqrt();
        let minor = (half - root).max(0.0).sqrt();
        let angle = 0.5 * (2.0 * b).atan2(a - c);
        Cloud {
            centre: public::Point::finite(self.mean()),
            radii: public::Point::finite([major, minor]),
            angle: public::Point::finite([angle.to_degrees(), 0.0]).x,
        }
    }
}
