//! One stable sort for the short lists: findings, incidents, alerts,
//! referrers, channels, file names.
//!
//! Each `slice::sort_by` call with its own element type and comparator
//! makes the compiler emit a whole copy of the standard library's stable
//! sort, about 5.5 KB of WebAssembly each; 30 copies were 9 % of the
//! page's code. The functions here sort a list of positions with one merge
//! sort, compiled once, that compares through a `&dyn Fn`, then move the
//! elements into place. The order is the standard library's (stable: equal
//! elements keep their order); a property test checks that. The
//! per-event sorts keep the standard library's, which is faster.

use std::cmp::Ordering;

use crate::join::Join;

/// Sorts `v` by `cmp`, as `v.sort_by(cmp)` does.
pub fn sort_by<T>(v: &mut [T], cmp: impl Fn(&T, &T) -> Ordering) {
    let order = positions(v.len(), &|a, b| cmp(&v[a], &v[b]));
    place(v, &order);
}

/// Sorts `v` by the key `f` gives, as `v.sort_by_key(f)` does.
pub fn sort_by_key<T, K: Ord>(v: &mut [T], f: impl Fn(&T) -> K) {
    sort_by(v, |a, b| f(a).cmp(&f(b)));
}

/// Sorts `v` by the key `f` gives, working out each key once, as
/// `v.sort_by_cached_key(f)` does.
pub fn sort_by_cached_key<T, K: Ord>(v: &mut [T], f: impl Fn(&T) -> K) {
    let keys: Vec<K> = v.iter().map(f).collect();
    let order = positions(v.len(), &|a, b| keys[a].cmp(&keys[b]));
    place(v, &order);
}

/// Sorts `v`, as `v.sort()` does.
pub fn sort<T: Ord>(v: &mut [T]) {
    sort_by(v, T::cmp);
}

/// `0..n` in the order `cmp` gives the positions, stable (a bottom-up merge
/// sort that takes from the right run only when it is strictly less).
fn positions(n: usize, cmp: &dyn Fn(usize, usize) -> Ordering) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    let mut merged = vec![0; n];
    let mut width = 1;
    while width < n {
        for start in (0..n).step_by(2 * width) {
            let mid = (start + width).min(n);
            let end = (start + 2 * width).min(n);
            let (mut i, mut j) = (start, mid);
            for slot in &mut merged[start..end] {
                let right = j < end && (i == mid || cmp(order[j], order[i]) == Ordering::Less);
                if right {
                    *slot = order[j];
                    j += 1;
                } else {
                    *slot = order[i];
                    i += 1;
                }
            }
        }
        std::mem::swap(&mut order, &mut merged);
        width *= 2;
    }
    order
}

/// Moves each element to its place: `order[k]` is the position of the
/// element that belongs at `k`.
fn place<T>(v: &mut [T], order: &[usize]) {
    let mut to = vec![0; order.len()];
    for (k, &from) in order.iter().enumerate() {
        to[from] = k;
    }
    for i in 0..v.len() {
        while to[i] != i {
            let j = to[i];
            v.swap(i, j);
            to.swap(i, j);
        }
    }
}

/// Below this many elements [`sort_unstable_shared`] sorts on one hand.
const SHARED_FROM: usize = 1 << 15;

/// Sorts `v` by `key` into the order `v.sort_unstable_by_key(key)` gives
/// when no two keys are equal (the per-event sorts: each event's time, file
/// and line, or a hash beside an event's position), sharing the work
/// between `join`'s two hands: `v` is split at its median
/// (`select_nth_unstable_by_key`), each half is sorted on a hand of its
/// own. With a `Join` that runs in turn (the page) it is
/// `sort_unstable_by_key` alone.
pub fn sort_unstable_shared<T: Send, K: Ord, J: Join>(
    v: &mut [T],
    key: impl Fn(&T) -> K + Sync,
    join: &J,
) {
    if !J::SHARES || v.len() < SHARED_FROM {
        v.sort_unstable_by_key(key);
        return;
    }
    let (left, _, right) = v.select_nth_unstable_by_key(v.len() / 2, &key);
    join.join(
        || left.sort_unstable_by_key(&key),
        || right.sort_unstable_by_key(&key),
    );
}

#[cfg(test)]
mod tests {
    // `sort_by` is checked against the standard library's `sort_by`.
    #![allow(clippy::unnecessary_sort_by)]
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn equal_keys_keep_their_order() {
        let mut v = vec![(2, 'a'), (1, 'b'), (2, 'c'), (1, 'd'), (0, 'e')];
        sort_by_key(&mut v, |p| p.0);
        assert_eq!(v, [(0, 'e'), (1, 'b'), (1, 'd'), (2, 'a'), (2, 'c')]);
        let mut empty: Vec<u8> = Vec::new();
        sort(&mut empty);
        assert!(empty.is_empty());
    }

    proptest! {
        #[test]
        fn orders_as_the_standard_library_does(
            v in prop::collection::vec((0u8..6, any::<u32>()), 0..200)
        ) {
            // Comparing the first field only, so stability shows.
            let mut want = v.clone();
            want.sort_by(|a, b| b.0.cmp(&a.0));
            let mut got = v.clone();
            sort_by(&mut got, |a, b| b.0.cmp(&a.0));
            prop_assert_eq!(&got, &want);

            let mut want = v.clone();
            want.sort_by_cached_key(|p| p.0);
            let mut got = v.clone();
            sort_by_cached_key(&mut got, |p| p.0);
            prop_assert_eq!(&got, &want);

            let mut want = v.clone();
            want.sort();
            let mut got = v;
            sort(&mut got);
            prop_assert_eq!(got, want);
        }
    }

    proptest! {
        // Each case sorts 30,000 elements or more (to be split at all).
        #![proptest_config(ProptestConfig::with_cases(24))]

        /// Split at its median and sorted on two threads, as one
        /// `sort_unstable_by_key` sorts (keys all distinct: a value and
        /// the position it was drawn at); from a few values to many.
        #[test]
        fn shared_sort_orders_as_one_sort_does(
            values in prop::collection::vec(0u32..4, SHARED_FROM..SHARED_FROM + 3000),
            spread in 1u32..100_000,
        ) {
            let v: Vec<(u32, usize)> = values
                .iter()
                .enumerate()
                .map(|(i, &x)| (x.wrapping_mul(spread) ^ (i as u32 % spread), i))
                .collect();
            let mut want = v.clone();
            want.sort_unstable_by_key(|&p| p);
            let mut got = v;
            sort_unstable_shared(&mut got, |&p| p, &Threads);
            prop_assert_eq!(got, want);
        }
    }

    /// Runs the second piece on a thread of its own, as `puffy run` does.
    struct Threads;

    impl Join for Threads {
        fn join<A: Send, B: Send>(
            &self,
            a: impl FnOnce() -> A + Send,
            b: impl FnOnce() -> B + Send,
        ) -> (A, B) {
            std::thread::scope(|scope| {
                let b = scope.spawn(b);
                let a = a();
                (a, b.join().expect("the second piece ran"))
            })
        }
    }
}
