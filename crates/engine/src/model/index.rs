//! [`Index`]: where [`super::Strings`] finds a string's symbol by its hash.

use super::Sym;

/// Symbols by hash: open addressing over buckets of eight 8-byte entries,
/// a cache line each, each entry a 32-bit tag of a string's hash ([`tag`])
/// beside its symbol.
///
/// It replaced a `hashbrown::HashTable<Sym>`, whose control bytes and
/// symbols are two separate arrays: at 100 copies of an export its 4
/// million slots spread over 20 MB, past the processor's caches, and
/// adding a string touched a line of each. Here a lookup reads one line,
/// and [`Index::touch`] lets the lines of a row's four fields be fetched
/// at once rather than one after the other. A property test checks the
/// symbols against a plain map (`interning_agrees_with_a_map`).
#[derive(Clone, Default)]
pub(super) struct Index {
    buckets: Vec<Bucket>,
    len: usize,
}

/// Eight entries, one cache line.
#[derive(Clone, Copy)]
#[repr(align(64))]
struct Bucket([u64; 8]);

/// An entry not in use (its symbol would be [`super::NONE`], never filed).
const EMPTY: u64 = u64::MAX;

/// The tag an entry keeps of a hash: the upper half of the hash times an odd
/// constant, which mixes every bit of it in. (The first hash here,
/// rustc-hash's, had only 32 bits in the page, where its own upper half
/// would have been zero and every entry alike.)
fn tag(hash: u64) -> u64 {
    hash.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 32
}

impl std::fmt::Debug for Index {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Index({} symbols)", self.len)
    }
}

impl Index {
    /// The bucket a hash starts from (`buckets` is not empty).
    fn home(&self, hash: u64) -> usize {
        hash as usize & (self.buckets.len() - 1)
    }

    /// Asks for the line a lookup of `hash` starts from, so that it is on
    /// its way from memory while other work goes on. On x86-64 a prefetch:
    /// a plain read there held up every later instruction until the line
    /// came (merging parts at 100 copies waited 0.37 s on it). Elsewhere (the
    /// page's wasm has no prefetch) a plain read.
    pub(super) fn touch(&self, hash: u64) {
        if !self.buckets.is_empty() {
            let bucket = &self.buckets[self.home(hash)];
            // SAFETY: a prefetch only hints the cache; it reads nothing the
            // program sees and cannot fault, and `bucket` is a live reference.
            #[cfg(target_arch = "x86_64")]
            unsafe {
                std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(
                    std::ptr::from_ref(bucket).cast(),
                );
            }
            #[cfg(not(target_arch = "x86_64"))]
            std::hint::black_box(bucket.0[0]);
        }
    }

    /// Makes room for `n` more symbols; `rehash` gives a filed symbol's hash.
    pub(super) fn reserve(&mut self, n: usize, rehash: impl Fn(Sym) -> u64) {
        // At most seven entries of a bucket's eight in use, on average.
        let wanted = self.len.saturating_add(n) / 7 + 1;
        if wanted <= self.buckets.len() {
            return;
        }
        let old = std::mem::replace(
            &mut self.buckets,
            vec![Bucket([EMPTY; 8]); wanted.next_power_of_two()],
        );
        for e in old.iter().flat_map(|b| b.0).filter(|&e| e != EMPTY) {
            let sym = e as Sym;
            self.place(rehash(sym), sym);
        }
    }

    /// The symbol filed under `hash` for which `same` holds; when there is
    /// none, `new` is filed and `None` returned. `rehash` gives a filed
    /// symbol's hash, should the buckets grow.
    pub(super) fn find_or_add(
        &mut self,
        hash: u64,
        same: impl Fn(Sym) -> bool,
        new: Sym,
        rehash: impl Fn(Sym) -> u64,
    ) -> Option<Sym> {
        if self.len + 1 > self.buckets.len() * 7 {
            self.reserve(self.len.max(7), &rehash);
        }
        let tag = tag(hash);
        let mask = self.buckets.len() - 1;
        let mut b = self.home(hash);
        loop {
            for e in &mut self.buckets[b].0 {
                if *e == EMPTY {
                    *e = tag << 32 | u64::from(new);
                    self.len += 1;
                    return None;
                }
                if *e >> 32 == tag && same(*e as Sym) {
                    return Some(*e as Sym);
                }
            }
            b = (b + 1) & mask;
        }
    }

    /// Files `sym` under `hash` in the first free entry (while growing).
    fn place(&mut self, hash: u64, sym: Sym) {
        let mask = self.buckets.len() - 1;
        let mut b = self.home(hash);
        loop {
            if let Some(e) = self.buckets[b].0.iter_mut().find(|e| **e == EMPTY) {
                *e = tag(hash) << 32 | u64::from(sym);
                return;
            }
            b = (b + 1) & mask;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hashing::hash_with;

    impl Index {
        /// The farthest any filed symbol sits from the bucket a lookup of it
        /// starts from, in buckets: how far lookups walk.
        fn longest_walk(&self, rehash: impl Fn(Sym) -> u64) -> usize {
            let mask = self.buckets.len() - 1;
            let filed = self.buckets.iter().enumerate().flat_map(|(b, bucket)| {
                bucket
                    .0
                    .iter()
                    .filter(|&&e| e != EMPTY)
                    .map(move |&e| (b, e as Sym))
            });
            filed
                .map(|(b, sym)| b.wrapping_sub(self.home(rehash(sym))) & mask)
                .max()
                .unwrap_or(0)
        }
    }

    /// Hash flooding: page URLs made, by someone who knows the seed, to
    /// start from one bucket crowd the buckets after it, and each lookup
    /// walks them all; under a seed they do not know, the same URLs spread
    /// like any others.
    #[test]
    fn strings_made_to_collide_under_one_seed_spread_under_another() {
        const N: usize = 700;
        const BUCKETS: u64 = 128;
        let known = 1;
        let crafted: Vec<String> = (0u64..)
            .map(|i| format!("https://shop.example/?q={i}"))
            .filter(|s| hash_with(known, s.as_bytes()).is_multiple_of(BUCKETS))
            .take(N)
            .collect();
        let walk = |seed: u64| {
            let hash = |sym: Sym| hash_with(seed, crafted[sym as usize].as_bytes());
            let mut index = Index::default();
            index.reserve(N, hash);
            assert_eq!(index.buckets.len() as u64, BUCKETS);
            for sym in 0..N as Sym {
                assert_eq!(index.find_or_add(hash(sym), |_| false, sym, hash), None);
            }
            index.longest_walk(hash)
        };
        // Under the known seed the 700 fill buckets 0 to 87.
        assert_eq!(walk(known), N / 8);
        assert!(walk(2) <= 8, "{}", walk(2));
    }
}
