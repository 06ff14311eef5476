//! From points to groups: k-means on the two-dimensional map, for k = 2
//! to 5, and the silhouette to choose k, or to say there are no groups.
//!
//! Everything here is deterministic: the seeding (k-means++) draws from a
//! fixed-seed generator, so the same votes give the same groups on every
//! recomputation and every machine (the room must not flicker).
//!
//! Why a floor on the silhouette: k-means always returns k groups, even
//! from one shapeless crowd. Random votes projected to two dimensions form
//! one roundish cloud, and cutting it into 2 to 5 pieces gives a best mean
//! silhouette of 0.32 to 0.37 in our tests; planted opinion groups give
//! 0.64 to 0.88. Rousseeuw, who introduced the measure, reads values under
//! 0.5 as "weak structure, possibly artificial". Telling a hall "you are
//! split in three" when it is not is worse for a dialogue than showing one
//! room, so a k under `STRUCTURE_FLOOR` is never offered. The floor alone
//! is not enough: a room that shares one view, each person straying on a
//! few statements, forms clumps that cut cleanly (0.54 in our tests), so
//! `landscape` also asks the groups to differ in substance before it shows
//! them. The tests pin both sides: noise and one shared view give one
//! room, planted groups are found.

/// The fewest and most groups we look for.
pub(super) const K_MIN: usize = 2;
pub(super) const K_MAX: usize = 5;
/// A k whose mean silhouette is below this is never offered: no clear
/// structure.
pub(super) const STRUCTURE_FLOOR: f64 = 0.5;
/// Lloyd iterations at most; two-dimensional k-means settles in far fewer.
const MAX_ROUNDS: usize = 100;
/// Seedings tried per k; the one with the least spread is kept.
const RESTARTS: u64 = 4;
/// The silhouette is O(n²); past this many points it is measured on an
/// evenly spaced sample of them, which keeps a crowded hall fast.
const SILHOUETTE_SAMPLE: usize = 2500;
/// The seed of every k-means run ("HearthKM").
const SEED: u64 = 0x4865_6172_7468_4b4d;

/// A small, fixed-seed generator (SplitMix64): enough to seed k-means and
/// start power iteration, the same on every platform; the landscape's tests
/// and benchmark build their rooms with it too.
pub struct SplitMix(u64);

impl SplitMix {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn dist2(a: [f64; 2], b: [f64; 2]) -> f64 {
    let dx = a[0] - b[0];
    let dy = a[1] - b[1];
    dx * dx + dy * dy
}

/// Points divided into groups.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Clustering {
    /// Each point's group, `0..centres.len()`.
    pub assign: Vec<usize>,
    pub centres: Vec<[f64; 2]>,
    /// The mean silhouette (−1 to 1); 0 for a single group.
    pub silhouette: f64,
}

impl Clustering {
    fn one(n: usize, points: &[[f64; 2]]) -> Self {
        Self {
            assign: vec![0; n],
            centres: vec![mean(points.iter())],
            silhouette: 0.0,
        }
    }
}

fn mean<'a>(points: impl Iterator<Item = &'a [f64; 2]>) -> [f64; 2] {
    let mut s = [0.0; 2];
    let mut n = 0.0;
    for p in points {
        s[0] += p[0];
        s[1] += p[1];
        n += 1.0;
    }
    if n == 0.0 {
        [0.0; 2]
    } else {
        [s[0] / n, s[1] / n]
    }
}

/// k-means++ seeding: each next centre drawn with probability in
/// proportion to its squared distance from the nearest centre so far.
fn seed(points: &[[f64; 2]], k: usize, rng: &mut SplitMix) -> Vec<[f64; 2]> {
    let n = points.len();
    if n == 0 {
        return Vec::new();
    }
    let first = ((rng.unit() * n as f64) as usize).min(n - 1);
    let mut centres = vec![points[first]];
    let mut d: Vec<f64> = points.iter().map(|p| dist2(*p, points[first])).collect();
    while centres.len() < k {
        let total: f64 = d.iter().sum();
        if total <= 0.0 {
            break; // every point sits on a centre already
        }
        let mut target = rng.unit() * total;
        let mut pick = n - 1;
        for (i, &di) in d.iter().enumerate() {
            if target < di {
                pick = i;
                break;
            }
            target -= di;
        }
        let c = points[pick];
        centres.push(c);
        for (di, p) in d.iter_mut().zip(points) {
            *di = di.min(dist2(*p, c));
        }
    }
    centres
}

/// Lloyd's rounds from the given centres; returns assignment, centres and
/// the summed squared distance (inertia). A group left empty takes the
/// point farthest from its centre, so k stays k while points allow.
fn lloyd(points: &[[f64; 2]], mut centres: Vec<[f64; 2]>) -> (Vec<usize>, Vec<[f64; 2]>, f64) {
    let k = centres.len();
    let mut assign = vec![usize::MAX; points.len()];
    for _ in 0..MAX_ROUNDS {
        let mut changed = false;
        for (a, p) in assign.iter_mut().zip(points) {
            let best = nearest(&centres, *p);
            if *a != best {
                *a = best;
                changed = true;
            }
        }
        let mut sum = vec![[0.0; 2]; k];
        let mut count = vec![0usize; k];
        for (&a, p) in assign.iter().zip(points) {
            sum[a][0] += p[0];
            sum[a][1] += p[1];
            count[a] += 1;
        }
        for g in 0..k {
            if count[g] > 0 {
                centres[g] = [sum[g][0] / count[g] as f64, sum[g][1] / count[g] as f64];
            } else if let Some((far, _)) = farthest(points, &assign, &centres) {
                centres[g] = points[far];
                assign[far] = g;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    let inertia = assign
        .iter()
        .zip(points)
        .map(|(&a, p)| dist2(*p, centres[a]))
        .sum();
    (assign, centres, inertia)
}

fn nearest(centres: &[[f64; 2]], p: [f64; 2]) -> usize {
    let mut best = 0;
    let mut best_d = f64::INFINITY;
    for (g, c) in centres.iter().enumerate() {
        let d = dist2(p, *c);
        if d < best_d {
            best = g;
            best_d = d;
        }
    }
    best
}

fn farthest(points: &[[f64; 2]], assign: &[usize], centres: &[[f64; 2]]) -> Option<(usize, f64)> {
    points
        .iter()
        .zip(assign)
        .enumerate()
        .filter_map(|(i, (p, &a))| centres.get(a).map(|c| (i, dist2(*p, *c))))
        .filter(|(_, d)| *d > 0.0)
        .fold(None, |best, (i, d)| match best {
            Some((_, bd)) if bd >= d => best,
            _ => Some((i, d)),
        })
}

/// The best of a few seeded k-means runs for one k.
fn kmeans(points: &[[f64; 2]], k: usize) -> (Vec<usize>, Vec<[f64; 2]>) {
    if points.is_empty() || k == 0 {
        return (Vec::new(), Vec::new());
    }
    let mut best: Option<(Vec<usize>, Vec<[f64; 2]>, f64)> = None;
    for restart in 0..RESTARTS {
        let mut rng = SplitMix::new(SEED ^ ((k as u64) << 8) ^ restart);
        let run = lloyd(points, seed(points, k, &mut rng));
        if best.as_ref().is_none_or(|b| run.2 < b.2) {
            best = Some(run);
        }
    }
    best.map(|(a, c, _)| (a, c))
        .unwrap_or_else(|| (vec![0; points.len()], vec![mean(points.iter())]))
}

/// Mean silhouettes of several clusterings of the same points, with one
/// pass over the pairs: s(i) = (b − a) / max(a, b), where a is the mean
/// distance to the rest of i's group and b to the nearest other group; a
/// point alone in its group scores 0 (Rousseeuw's convention).
fn silhouettes(points: &[[f64; 2]], runs: &[(Vec<usize>, usize)]) -> Vec<f64> {
    let n = points.len();
    let step = n.div_ceil(SILHOUETTE_SAMPLE).max(1);
    let sample: Vec<usize> = (0..n).step_by(step).collect();
    // sums[r][i * k + g]: summed distance from sample point i to group g.
    let mut sums: Vec<Vec<f64>> = runs
        .iter()
        .map(|(_, k)| vec![0.0; sample.len() * k])
        .collect();
    let mut sizes: Vec<Vec<usize>> = runs.iter().map(|(_, k)| vec![0; *k]).collect();
    for (r, (assign, _)) in runs.iter().enumerate() {
        for &i in &sample {
            sizes[r][assign[i]] += 1;
        }
    }
    for (si, &i) in sample.iter().enumerate() {
        for (sj, &j) in sample.iter().enumerate().skip(si + 1) {
            let d = dist2(points[i], points[j]).sqrt();
            for (r, (assign, k)) in runs.iter().enumerate() {
                sums[r][si * k + assign[j]] += d;
                sums[r][sj * k + assign[i]] += d;
            }
        }
    }
    runs.iter()
        .enumerate()
        .map(|(r, (assign, k))| {
            let mut total = 0.0;
            for (si, &i) in sample.iter().enumerate() {
                let own = assign[i];
                if sizes[r][own] <= 1 {
                    continue;
                }
                let a = sums[r][si * k + own] / (sizes[r][own] - 1) as f64;
                let b = (0..*k)
                    .filter(|&g| g != own && sizes[r][g] > 0)
                    .map(|g| sums[r][si * k + g] / sizes[r][g] as f64)
                    .fold(f64::INFINITY, f64::min);
                let top = a.max(b);
                if b.is_finite() && top > 0.0 {
                    total += (b - a) / top;
                }
            }
            if sample.is_empty() {
                0.0
            } else {
                total / sample.len() as f64
            }
        })
        .collect()
}

/// How many different points there are, counting up to `cap`.
fn distinct(points: &[[f64; 2]], cap: usize) -> usize {
    let mut seen: Vec<[f64; 2]> = Vec::new();
    for p in points {
        if !seen.iter().any(|q| dist2(*p, *q) <= 1e-18) {
            seen.push(*p);
            if seen.len() >= cap {
                break;
            }
        }
    }
    seen.len()
}

/// The ways to divide the points worth considering: each k in
/// `K_MIN..=K_MAX` whose mean silhouette reaches `STRUCTURE_FLOOR`, best
/// first (on a tie, fewer groups first). Empty when there are too few
/// points to divide (`min_points`) or no k shows clear structure.
pub(super) fn candidates(points: &[[f64; 2]], min_points: usize) -> Vec<Clustering> {
    let n = points.len();
    let most = K_MAX.min(distinct(points, K_MAX));
    if n < min_points.max(K_MIN) || most < K_MIN {
        return Vec::new();
    }
    let runs: Vec<(Vec<usize>, Vec<[f64; 2]>)> =
        (K_MIN..=most).map(|k| kmeans(points, k)).collect();
    let keyed: Vec<(Vec<usize>, usize)> = runs.iter().map(|(a, c)| (a.clone(), c.len())).collect();
    let scores = silhouettes(points, &keyed);
    let mut found: Vec<Clustering> = runs
        .into_iter()
        .zip(scores)
        .filter(|(_, s)| *s >= STRUCTURE_FLOOR)
        .map(|((assign, centres), silhouette)| Clustering {
            assign,
            centres,
            silhouette,
        })
        .collect();
    // A stable sort keeps fewer groups first on a tie.
    found.sort_by(|a, b| b.silhouette.total_cmp(&a.silhouette));
    found
}

/// One group holding every point.
pub(super) fn one(points: &[[f64; 2]]) -> Clustering {
    Clustering::one(points.len(), points)
}

/// The best division of the points, or one group.
#[cfg(test)]
fn groups(points: &[[f64; 2]], min_points: usize) -> Clustering {
    candidates(points, min_points)
        .into_iter()
        .next()
        .unwrap_or_else(|| one(points))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blob(rng: &mut SplitMix, at: [f64; 2], n: usize, r: f64) -> Vec<[f64; 2]> {
        (0..n)
            .map(|_| {
                [
                    at[0] + (rng.unit() - 0.5) * r,
                    at[1] + (rng.unit() - 0.5) * r,
                ]
            })
            .collect()
    }

    #[test]
    fn three_blobs_are_three_groups() {
        let mut rng = SplitMix::new(1);
        let mut points = blob(&mut rng, [0.0, 0.0], 40, 1.0);
        points.extend(blob(&mut rng, [10.0, 0.0], 30, 1.0));
        points.extend(blob(&mut rng, [5.0, 8.0], 20, 1.0));
        let c = groups(&points, 10);
        assert_eq!(c.centres.len(), 3);
        assert!(c.silhouette > 0.8, "{}", c.silhouette);
        assert!(c.assign[..40].iter().all(|&a| a == c.assign[0]));
        assert!(c.assign[40..70].iter().all(|&a| a == c.assign[40]));
        assert_ne!(c.assign[0], c.assign[40]);
    }

    #[test]
    fn a_crowded_hall_is_measured_on_a_sample_and_still_divided() {
        let mut rng = SplitMix::new(4);
        let mut points = blob(&mut rng, [0.0, 0.0], 1500, 1.0);
        points.extend(blob(&mut rng, [8.0, 0.0], 1500, 1.0));
        assert!(points.len() > SILHOUETTE_SAMPLE);
        let c = groups(&points, 10);
        assert_eq!(c.centres.len(), 2);
        assert!(c.silhouette > 0.8, "{}", c.silhouette);
    }

    #[test]
    fn a_round_crowd_is_one_group() {
        let mut rng = SplitMix::new(2);
        let points = blob(&mut rng, [0.0, 0.0], 500, 4.0);
        let c = groups(&points, 10);
        assert_eq!(c.centres.len(), 1);
        assert!(c.assign.iter().all(|&a| a == 0));
    }

    #[test]
    fn identical_and_too_few_points_are_one_group() {
        assert_eq!(groups(&[[1.0, 1.0]; 50], 10).centres.len(), 1);
        assert_eq!(groups(&[[0.0, 0.0], [9.0, 9.0]], 10).centres.len(), 1);
        assert_eq!(groups(&[], 10).centres.len(), 1);
    }

    #[test]
    fn the_same_points_give_the_same_groups() {
        let mut rng = SplitMix::new(3);
        let mut points = blob(&mut rng, [0.0, 0.0], 60, 2.0);
        points.extend(blob(&mut rng, [6.0, 1.0], 60, 2.0));
        assert_eq!(groups(&points, 10), groups(&points, 10));
    }
}
