//! Byte scans the hot paths run over every long URL and every text cell.
//!
//! `bytes.iter().any(f)` stops at the first hit, so the compiler tests one
//! byte at a time. [`any_byte`] tests blocks of 16 bytes with no exit
//! inside a block, which the compiler turns into vector instructions; the
//! answer is the same (a property test checks it against `iter().any`).

/// Whether any byte of `bytes` satisfies `hit`.
#[inline]
pub fn any_byte(bytes: &[u8], hit: impl Fn(u8) -> bool) -> bool {
    let mut blocks = bytes.chunks_exact(16);
    for block in &mut blocks {
        if block.iter().fold(false, |seen, &b| seen | hit(b)) {
            return true;
        }
    }
    blocks.remainder().iter().any(|&b| hit(b))
}

#[cfg(test)]
mod tests {
    use super::any_byte;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn agrees_with_iter_any(bytes in prop::collection::vec(any::<u8>(), 0..80), pick in any::<u8>()) {
            // A sparse predicate (one value), a range and a two-sided one.
            let preds: [&dyn Fn(u8) -> bool; 3] = [
                &|b| b == pick,
                &|b| b <= b' ',
                &|b| b <= b' ' || b == b'\\' || b >= 0x7f,
            ];
            for hit in preds {
                prop_assert_eq!(any_byte(&bytes, hit), bytes.iter().any(|&b| hit(b)));
            }
        }
    }

    #[test]
    fn finds_a_hit_in_a_block_and_in_the_tail() {
        let mut bytes = [b'a'; 40];
        assert!(!any_byte(&bytes, |b| b == b','));
        bytes[5] = b',';
        assert!(any_byte(&bytes, |b| b == b','));
        bytes[5] = b'a';
        bytes[39] = b',';
        assert!(any_byte(&bytes, |b| b == b','));
    }
}
