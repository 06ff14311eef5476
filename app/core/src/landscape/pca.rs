//! From votes to a map: each placed voter as a point in two dimensions.
//!
//! The two directions along which the room's votes vary most (the first
//! two principal components) say most of what there is to say about who
//! votes with whom. We find them as Pol.is does, without a linear algebra
//! library:
//!
//! - A missing vote is taken to be the statement's mean vote, so after
//!   centring each statement on its mean a missing vote is exactly zero
//!   and the centred matrix is as sparse as the votes.
//! - The statements' covariance (m × m, m ≤ a few hundred) is summed from
//!   each voter's votes alone, then its two leading eigenvectors are found
//!   by power iteration (the second kept orthogonal to the first), from a
//!   fixed start so the same votes always give the same map. With many
//!   more statements than that, the iteration works from the votes
//!   directly and never builds the m × m matrix.
//! - A component's sign means nothing, so it is fixed (its largest entry
//!   positive): the map does not flip between two recomputations.
//! - A voter who answered few statements has most of their row imputed to
//!   the mean, which pulls them to the centre; like Pol.is we push their
//!   projection back out by √(statements / their votes).

use super::kmeans::SplitMix;

/// One voter's centred votes: (column, vote minus the column's mean).
pub(super) type Row = Vec<(u32, f64)>;

/// Power iterations at most per component; on noise the leading
/// eigenvalues are close and convergence is slow, but by then any
/// direction in their span serves as well.
const MAX_ITERATIONS: usize = 500;
/// Converged when the vector moves less than this between iterations.
const TOLERANCE: f64 = 1e-10;

/// The centred rows and the statements' means, from rows of raw votes.
pub(super) fn centre(rows: &[Row], columns: usize) -> Vec<Row> {
    let mut sum = vec![0.0; columns];
    let mut seen = vec![0u32; columns];
    for row in rows {
        for &(c, v) in row {
            if let (Some(s), Some(n)) = (sum.get_mut(c as usize), seen.get_mut(c as usize)) {
                *s += v;
                *n += 1;
            }
        }
    }
    let mean: Vec<f64> = sum
        .iter()
        .zip(&seen)
        .map(|(&s, &n)| if n == 0 { 0.0 } else { s / f64::from(n) })
        .collect();
    rows.iter()
        .map(|row| {
            row.iter()
                .map(|&(c, v)| (c, v - mean.get(c as usize).copied().unwrap_or(0.0)))
                .collect()
        })
        .collect()
}

/// The statements' covariance (unnormalised: a common factor does not
/// move eigenvectors), as a full row-major m × m matrix.
fn covariance(rows: &[Row], m: usize) -> Vec<f64> {
    let mut a = vec![0.0; m * m];
    for row in rows {
        for (i, &(ci, vi)) in row.iter().enumerate() {
            let line = ci as usize * m;
            for &(cj, vj) in &row[i..] {
                if let Some(x) = a.get_mut(line + cj as usize) {
                    *x += vi * vj;
                }
            }
        }
    }
    // Rows list columns in ascending order, so only the upper triangle
    // was filled; mirror it.
    for i in 0..m {
        for j in 0..i {
            a[i * m + j] = a[j * m + i];
        }
    }
    a
}

/// The covariance CᵀC, applied to a vector either from the m × m matrix
/// (cheap per step when statements are few: m² against two passes over
/// the votes) or straight from the centred rows as Cᵀ(Cv) (when a step has
/// so many statements that m² outgrows the votes).
enum Covariance<'a> {
    Dense(Vec<f64>),
    Rows(&'a [Row]),
}

impl<'a> Covariance<'a> {
    fn new(rows: &'a [Row], m: usize) -> Self {
        let votes: usize = rows.iter().map(Vec::len).sum();
        if m.saturating_mul(m) <= votes.saturating_mul(2) {
            Self::Dense(covariance(rows, m))
        } else {
            Self::Rows(rows)
        }
    }

    fn apply(&self, v: &[f64], out: &mut [f64]) {
        let m = v.len();
        match self {
            Self::Dense(a) => {
                for (o, line) in out.iter_mut().zip(a.chunks_exact(m)) {
                    *o = line.iter().zip(v).map(|(x, y)| x * y).sum();
                }
            }
            Self::Rows(rows) => {
                out.iter_mut().for_each(|o| *o = 0.0);
                for row in rows.iter() {
                    let d: f64 = row
                        .iter()
                        .map(|&(c, x)| x * v.get(c as usize).copied().unwrap_or(0.0))
                        .sum();
                    for &(c, x) in row {
                        if let Some(o) = out.get_mut(c as usize) {
                            *o += x * d;
                        }
                    }
                }
            }
        }
    }
}

fn norm(v: &[f64]) -> f64 {
    v.iter().map(|x| x * x).sum::<f64>().sqrt()
}

/// Takes from `v` its part along the unit vector `u`.
fn remove_along(v: &mut [f64], u: &[f64]) {
    let d: f64 = v.iter().zip(u).map(|(a, b)| a * b).sum();
    for (x, y) in v.iter_mut().zip(u) {
        *x -= d * y;
    }
}

/// The leading unit eigenvector of `a` orthogonal to `against`, or zeros
/// when nothing is left (no variance in that direction).
fn leading(a: &Covariance, m: usize, against: Option<&[f64]>, rng: &mut SplitMix) -> Vec<f64> {
    let mut v: Vec<f64> = (0..m).map(|_| rng.unit() - 0.5).collect();
    let mut w = vec![0.0; m];
    if let Some(u) = against {
        remove_along(&mut v, u);
    }
    let n = norm(&v);
    if n <= f64::EPSILON {
        return vec![0.0; m];
    }
    v.iter_mut().for_each(|x| *x /= n);
    for _ in 0..MAX_ITERATIONS {
        a.apply(&v, &mut w);
        if let Some(u) = against {
            remove_along(&mut w, u);
        }
        let n = norm(&w);
        if n <= 1e-12 || !n.is_finite() {
            return vec![0.0; m];
        }
        w.iter_mut().for_each(|x| *x /= n);
        let moved: f64 = v.iter().zip(&w).map(|(a, b)| (a - b) * (a - b)).sum();
        std::mem::swap(&mut v, &mut w);
        if moved < TOLERANCE * TOLERANCE {
            break;
        }
    }
    fix_sign(&mut v);
    v
}

/// Turns the vector so its largest entry (the first, on a tie) is positive.
fn fix_sign(v: &mut [f64]) {
    let mut best = 0.0f64;
    let mut sign = 1.0;
    for &x in v.iter() {
        if x.abs() > best.abs() + 1e-12 {
            best = x;
            sign = if x < 0.0 { -1.0 } else { 1.0 };
        }
    }
    v.iter_mut().for_each(|x| *x *= sign);
}

/// The first two principal components of the centred rows.
pub(super) fn components(rows: &[Row], m: usize) -> [Vec<f64>; 2] {
    if m == 0 {
        return [Vec::new(), Vec::new()];
    }
    let a = Covariance::new(rows, m);
    let mut rng = SplitMix::new(0x4865_6172_7468_5043);
    let first = leading(&a, m, None, &mut rng);
    let second = leading(&a, m, Some(&first), &mut rng);
    [first, second]
}

/// Each row's point on the two components, pushed out for sparse voters.
pub(super) fn project(rows: &[Row], comps: &[Vec<f64>; 2], m: usize) -> Vec<[f64; 2]> {
    rows.iter()
        .map(|row| {
            let mut p = [0.0; 2];
            for &(c, v) in row {
                for (k, comp) in comps.iter().enumerate() {
                    p[k] += v * comp.get(c as usize).copied().unwrap_or(0.0);
                }
            }
            if !row.is_empty() {
                let scale = (m as f64 / row.len() as f64).sqrt();
                p[0] *= scale;
                p[1] *= scale;
            }
            p
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_leading_component_follows_the_main_disagreement() {
        // Half the rows vote +1 on columns 0 and 1, half -1; column 2 is
        // noise-free and flat: the component lies along columns 0 and 1.
        let rows: Vec<Row> = (0..20)
            .map(|i| {
                let v = if i % 2 == 0 { 1.0 } else { -1.0 };
                vec![(0, v), (1, v), (2, 1.0)]
            })
            .collect();
        let centred = centre(&rows, 3);
        let [first, _] = components(&centred, 3);
        assert!((first[0] - first[1]).abs() < 1e-6, "{first:?}");
        assert!(first[0] > 0.7, "{first:?}");
        assert!(first[2].abs() < 1e-6, "{first:?}");
        let points = project(&centred, &components(&centred, 3), 3);
        assert!(points[0][0] * points[1][0] < 0.0, "the two sides apart");
    }

    #[test]
    fn from_the_matrix_or_from_the_votes_the_covariance_is_the_same() {
        let mut rng = SplitMix::new(5);
        let rows: Vec<Row> = (0..30)
            .map(|_| {
                let mut row = Row::new();
                for c in 0..8u32 {
                    if rng.unit() < 0.7 {
                        row.push((c, rng.unit() * 2.0 - 1.0));
                    }
                }
                row
            })
            .collect();
        let v: Vec<f64> = (0..8).map(|i| f64::from(i) - 3.5).collect();
        let (mut dense, mut sparse) = (vec![0.0; 8], vec![0.0; 8]);
        Covariance::Dense(covariance(&rows, 8)).apply(&v, &mut dense);
        Covariance::Rows(&rows).apply(&v, &mut sparse);
        for (a, b) in dense.iter().zip(&sparse) {
            assert!((a - b).abs() < 1e-9, "{dense:?} {sparse:?}");
        }
    }

    #[test]
    fn no_variance_gives_zero_components_and_points_at_the_centre() {
        let rows: Vec<Row> = (0..5).map(|_| vec![(0, 1.0), (1, -1.0)]).collect();
        let centred = centre(&rows, 2);
        let comps = components(&centred, 2);
        assert!(comps.iter().flatten().all(|x| *x == 0.0));
        let points = project(&centred, &comps, 2);
        assert!(points.iter().flatten().all(|x| *x == 0.0));
    }

    #[test]
    fn nothing_in_gives_nothing_out() {
        let comps = components(&[], 0);
        assert!(comps[0].is_empty());
        assert!(project(&[], &comps, 0).is_empty());
    }
}
