//! How values from an export are hashed ([`hash_text`], [`Keyed`] maps and
//! the exact-copy check's event keys): under a seed the host sets once
//! ([`set_seed`]) from randomness of its own.
//!
//! Every value in an export can be hostile. Under a hash anyone can compute
//! (rustc-hash's, the same in every build), strings can be made to share a
//! place in a table, and each lookup then walks through all of them: a batch
//! of a million such page URLs or client ids would keep the analysis busy
//! for minutes, a larger one for hours (hash flooding). Under an unknown
//! seed (foldhash's seeded hash) they cannot. What a table holds, its
//! symbols and every output never depend on the seed, only where in the
//! table a value is filed.

use std::hash::{BuildHasher, Hasher};
use std::sync::OnceLock;

use foldhash::fast::FoldHasher;
use foldhash::SharedSeed;

/// The seed in use, set once.
static SEED: OnceLock<Seed> = OnceLock::new();

/// The seed where the host sets none (tests): known to anyone.
const FIXED: u64 = 0x7075_6666_7920_6861;

/// A seed as foldhash takes it: one value for each hasher, and the shared
/// constants its rounds mix in.
struct Seed {
    per_hasher: u64,
    shared: SharedSeed,
}

impl Seed {
    fn of(seed: u64) -> Seed {
        Seed {
            per_hasher: seed,
            shared: SharedSeed::from_u64(seed.rotate_left(29) ^ FIXED),
        }
    }

    fn hasher(&self) -> FoldHasher<'_> {
        FoldHasher::with_seed(self.per_hasher, &self.shared)
    }
}

/// Sets the seed text is hashed under, for the whole process: the host
/// calls it first, with a random value (the CLI from the system's
/// randomness, the page and each of its workers from the browser's). False when
/// text was hashed already, under the seed then in use, which stays.
pub fn set_seed(seed: u64) -> bool {
    SEED.set(Seed::of(seed)).is_ok()
}

fn seed() -> &'static Seed {
    SEED.get_or_init(|| Seed::of(FIXED))
}

/// The hash of `text` under the seed.
pub fn hash_text(text: &[u8]) -> u64 {
    hash_under(seed(), text)
}

fn hash_under(seed: &Seed, text: &[u8]) -> u64 {
    let mut h = seed.hasher();
    h.write(text);
    h.finish()
}

/// Builds hashers under the seed: for maps keyed by values from an export
/// (text, or events' keys).
#[derive(Clone, Copy, Debug, Default)]
pub struct Keyed;

impl BuildHasher for Keyed {
    type Hasher = FoldHasher<'static>;

    fn build_hasher(&self) -> FoldHasher<'static> {
        seed().hasher()
    }
}

/// A map keyed by values from an export.
pub type KeyedMap<K, V> = std::collections::HashMap<K, V, Keyed>;

/// Hashes under a seed of the caller's, for tests of what a seed changes.
#[cfg(test)]
pub(crate) fn hash_with(seed: u64, text: &[u8]) -> u64 {
    hash_under(&Seed::of(seed), text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seed_moves_every_hash() {
        let texts = ["", "a", "https://shop.example/checkout?step=2", "GA1.2.3"];
        for t in texts {
            let (a, b) = (hash_with(1, t.as_bytes()), hash_with(2, t.as_bytes()));
            assert_ne!(a, b, "{t:?}");
            assert_eq!(a, hash_with(1, t.as_bytes()), "{t:?}");
        }
        // The process's own seed is the fixed one here (no host set it).
        assert_eq!(hash_text(b"a"), hash_with(FIXED, b"a"));
    }
}
