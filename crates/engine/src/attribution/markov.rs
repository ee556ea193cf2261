//! The data-driven model: a first-order Markov chain over channel journeys,
//! and each channel's **removal effect** (how much the probability of
//! converting falls when the channel is taken out of the graph).
//!
//! States: `start`, one per channel, and the absorbing `conversion` and
//! `null`. Each journey `start → c1 → … → cn → conversion|null` adds its
//! transitions (repeats and self-loops included). The conversion
//! probability from `start` is solved exactly from `(I − Q)·x = r` over the
//! transient states (Gaussian elimination; a handful of states). Removing
//! channel `c` sends every transition into `c` to `null`:
//! `effect(c) = 1 − P(without c) / P`. Deterministic: no sampling.

/// Conversion probability from `start`, and the removal effect of each
/// channel (indexed like the channel ids used in `journeys`).
pub fn removal_effects(journeys: &[(Vec<u16>, bool)], channels: usize) -> (f64, Vec<f64>) {
    // State 0 = start, 1..=channels = channels.
    let n = channels + 1;
    let mut counts = vec![vec![0.0f64; n]; n];
    let mut to_conv = vec![0.0f64; n];
    let mut to_null = vec![0.0f64; n];
    for (path, converted) in journeys {
        let mut from = 0usize;
        for &c in path {
            let to = c as usize + 1;
            if to >= n {
                continue;
            }
            counts[from][to] += 1.0;
            from = to;
        }
        if *converted {
            to_conv[from] += 1.0;
        } else {
            to_null[from] += 1.0;
        }
    }
    let mut q = vec![vec![0.0f64; n]; n];
    let mut r = vec![0.0f64; n];
    for i in 0..n {
        let total: f64 = counts[i].iter().sum::<f64>() + to_conv[i] + to_null[i];
        if total > 0.0 {
            for j in 0..n {
                q[i][j] = counts[i][j] / total;
            }
            r[i] = to_conv[i] / total;
        }
    }
    let base = solve(&q, &r, None)[0];
    let effects = (0..channels)
        .map(|c| {
            if base <= 0.0 {
                return 0.0;
            }
            let without = solve(&q, &r, Some(c + 1))[0];
            (1.0 - without / base).clamp(0.0, 1.0)
        })
        .collect();
    (base, effects)
}

/// Solves `x = Q·x + r`, with state `removed` (if any) fixed at 0.
fn solve(q: &[Vec<f64>], r: &[f64], removed: Option<usize>) -> Vec<f64> {
    let n = r.len();
    // Augmented matrix of (I − Q) x = r.
    let mut a: Vec<Vec<f64>> = (0..n)
        .map(|i| {
            let mut row: Vec<f64> = (0..n)
                .map(|j| {
                    let qij = if Some(j) == removed { 0.0 } else { q[i][j] };
                    f64::from(u8::from(i == j)) - qij
                })
                .collect();
            row.push(if Some(i) == removed { 0.0 } else { r[i] });
            row
        })
        .collect();
    if let Some(k) = removed {
        a[k] = (0..=n).map(|j| f64::from(u8::from(j == k))).collect();
    }
    for col in 0..n {
        let pivot = (col..n)
            .max_by(|&x, &y| a[x][col].abs().total_cmp(&a[y][col].abs()))
            .unwrap_or(col);
        if a[pivot][col].abs() < 1e-12 {
            continue;
        }
        a.swap(col, pivot);
        let pivot_row = a[col].clone();
        for (row, values) in a.iter_mut().enumerate() {
            if row == col {
                continue;
            }
            let f = values[col] / pivot_row[col];
            if f != 0.0 {
                for (v, p) in values[col..].iter_mut().zip(&pivot_row[col..]) {
                    *v -= f * p;
                }
            }
        }
    }
    (0..n)
        .map(|i| {
            if a[i][i].abs() < 1e-12 {
                0.0
            } else {
                a[i][n] / a[i][i]
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) {
        assert!((a - b).abs() < 1e-9, "{a} vs {b}");
    }

    #[test]
    fn removal_effects_by_hand() {
        // Journeys: A→conv, A→B→conv, B→null.
        // From start: P(A)=2/3, P(B)=1/3. From A: P(conv)=1/2, P(B)=1/2.
        // From B: P(conv)=1/2, P(null)=1/2.
        // x_B = 1/2; x_A = 1/2 + 1/2·x_B = 3/4; P = 2/3·3/4 + 1/3·1/2 = 2/3.
        // Without A: P = 1/3·1/2 = 1/6 → effect 1 − (1/6)/(2/3) = 3/4.
        // Without B: x_A = 1/2 → P = 2/3·1/2 = 1/3 → effect 1/2.
        let journeys = vec![(vec![0], true), (vec![0, 1], true), (vec![1], false)];
        let (p, effects) = removal_effects(&journeys, 2);
        close(p, 2.0 / 3.0);
        close(effects[0], 0.75);
        close(effects[1], 0.5);
    }

    #[test]
    fn self_loops_and_unused_channels() {
        // A→A→conv and A→null: from A, 1/3 each to A, conv, null → x_A = 1/2.
        let (p, effects) = removal_effects(&[(vec![0, 0], true), (vec![0], false)], 3);
        close(p, 0.5);
        close(effects[0], 1.0);
        close(effects[2], 0.0);
    }

    #[test]
    fn no_conversions_means_no_effects() {
        let (p, effects) = removal_effects(&[(vec![0], false)], 1);
        assert_eq!((p, effects), (0.0, vec![0.0]));
    }
}
