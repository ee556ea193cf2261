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

use serde::{Deserialize, Serialize};

/// The chain's transition counts: everything the model learns from the
/// journeys. Counts add up, so journeys counted apart (on the partitions of
/// a cluster, say) and [`Transitions::merge`]d solve exactly as if counted
/// together.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transitions {
    /// Transient states: `start` and one per channel.
    states: usize,
    /// `counts[from * states + to]` between transient states.
    counts: Vec<u64>,
    /// Journeys that ended in an order, by the state they left from.
    to_conversion: Vec<u64>,
    /// Journeys that did not, by the state they left from.
    to_null: Vec<u64>,
}

impl Transitions {
    /// No journeys yet, over `channels` channels.
    pub fn new(channels: usize) -> Transitions {
        let states = channels + 1;
        Transitions {
            states,
            counts: vec![0; states * states],
            to_conversion: vec![0; states],
            to_null: vec![0; states],
        }
    }

    /// Counts one journey (channel ids in time order; ids past the
    /// channels are skipped).
    pub fn add(&mut self, path: &[u16], converted: bool) {
        let n = self.states;
        let mut from = 0usize;
        for &c in path {
            let to = c as usize + 1;
            if to >= n {
                continue;
            }
            self.counts[from * n + to] += 1;
            from = to;
        }
        if converted {
            self.to_conversion[from] += 1;
        } else {
            self.to_null[from] += 1;
        }
    }

    /// Counts one non-converting journey per person of `steps` ((person,
    /// channel id), each person's steps in time order): the counts
    /// [`Transitions::add`] gives each person's channels, without first
    /// grouping millions of steps by person. A person is any `u32` key.
    pub fn add_journeys(&mut self, steps: impl Iterator<Item = (u32, u16)>) {
        /// A person with no step yet.
        const UNSEEN: u16 = u16::MAX;
        let n = self.states;
        // The state each person's journey has reached, by person + 1 (the
        // key `u32::MAX` at 0).
        let mut at: Vec<u16> = Vec::new();
        for (person, c) in steps {
            let k = person.wrapping_add(1) as usize;
            if k >= at.len() {
                at.resize(k + 1, UNSEEN);
            }
            let from = if at[k] == UNSEEN { 0 } else { at[k] as usize };
            let to = c as usize + 1;
            if to < n {
                self.counts[from * n + to] += 1;
                at[k] = to as u16;
            } else {
                at[k] = from as u16;
            }
        }
        for &state in at.iter().filter(|&&s| s != UNSEEN) {
            self.to_null[state as usize] += 1;
        }
    }

    /// Adds another set of counts over the same channels; an error when
    /// the channels differ.
    pub fn merge(&mut self, other: &Transitions) -> Result<(), String> {
        if other.states != self.states {
            return Err(format!(
                "Markov counts over {} and {} channels cannot be added",
                self.states - 1,
                other.states - 1
            ));
        }
        let add = |a: &mut [u64], b: &[u64]| a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
        add(&mut self.counts, &other.counts);
        add(&mut self.to_conversion, &other.to_conversion);
        add(&mut self.to_null, &other.to_null);
        Ok(())
    }

    /// Journeys that ended in an order.
    pub fn converting(&self) -> u64 {
        self.to_conversion.iter().sum()
    }

    /// Journeys that did not.
    pub fn non_converting(&self) -> u64 {
        self.to_null.iter().sum()
    }

    /// Conversion probability from `start`, and the removal effect of each
    /// channel.
    pub fn solve(&self) -> (f64, Vec<f64>) {
        let n = self.states;
        let mut q = vec![vec![0.0f64; n]; n];
        let mut r = vec![0.0f64; n];
        for i in 0..n {
            let row = &self.counts[i * n..(i + 1) * n];
            let total = row.iter().sum::<u64>() + self.to_conversion[i] + self.to_null[i];
            if total > 0 {
                for j in 0..n {
                    q[i][j] = row[j] as f64 / total as f64;
                }
                r[i] = self.to_conversion[i] as f64 / total as f64;
            }
        }
        let base = solve(&q, &r, None)[0];
        let effects = (1..n)
            .map(|c| {
                if base <= 0.0 {
                    return 0.0;
                }
                let without = solve(&q, &r, Some(c))[0];
                (1.0 - without / base).clamp(0.0, 1.0)
            })
            .collect();
        (base, effects)
    }
}

/// Conversion probability from `start`, and the removal effect of each
/// channel (indexed like the channel ids used in `journeys`).
pub fn removal_effects(journeys: &[(Vec<u16>, bool)], channels: usize) -> (f64, Vec<f64>) {
    let mut t = Transitions::new(channels);
    for (path, converted) in journeys {
        t.add(path, *converted);
    }
    t.solve()
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

    proptest::proptest! {
        /// One journey per person through `add_journeys` counts as the
        /// person's steps grouped and `add`ed one journey each.
        #[test]
        fn journeys_count_as_grouped_paths(
            steps in proptest::collection::vec(
                (proptest::prop_oneof![0u32..6, proptest::strategy::Just(u32::MAX)], 0u16..5),
                0..40,
            ),
        ) {
            let mut streamed = Transitions::new(3);
            streamed.add_journeys(steps.iter().copied());
            let mut grouped = Transitions::new(3);
            let mut persons: Vec<u32> = steps.iter().map(|s| s.0).collect();
            persons.sort_unstable();
            persons.dedup();
            for p in persons {
                let path: Vec<u16> = steps.iter().filter(|s| s.0 == p).map(|s| s.1).collect();
                grouped.add(&path, false);
            }
            proptest::prop_assert_eq!(streamed, grouped);
        }
    }

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
    fn counts_made_apart_and_merged_solve_like_counts_made_together() {
        let journeys = [
            (vec![0], true),
            (vec![0, 1], true),
            (vec![1], false),
            (vec![2, 2, 0], true),
            (vec![1, 2], false),
        ];
        let (mut a, mut b) = (Transitions::new(3), Transitions::new(3));
        for (i, (path, converted)) in journeys.iter().enumerate() {
            if i % 2 == 0 { &mut a } else { &mut b }.add(path, *converted);
        }
        a.merge(&b).unwrap();
        assert_eq!(a.solve(), removal_effects(&journeys, 3));
        assert!(a.merge(&Transitions::new(2)).is_err());
    }

    #[test]
    fn no_conversions_means_no_effects() {
        let (p, effects) = removal_effects(&[(vec![0], false)], 1);
        assert_eq!((p, effects), (0.0, vec![0.0]));
    }
}
