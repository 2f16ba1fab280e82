//! Eight bytes at a time in a `u64` (SWAR): the byte tests the encoder, the decoder and the
//! header lexer run over every value of every request. A test marks (sets the high bit of) each
//! byte that passes it. `any_below` and `any_equal` are exact as to *whether* some byte passes;
//! which bytes they mark is not (a borrow can also mark the byte above a true one), so they are
//! only ever compared with zero.

/// `0x01` in every byte.
pub(crate) const ONES: u64 = u64::from_le_bytes([1; 8]);
/// `0x80` in every byte.
pub(crate) const HIGH: u64 = ONES * 0x80;

/// The whole words of `bytes`, in order (the remainder is the caller's: see [`tail`]).
#[inline]
pub(crate) fn words(bytes: &[u8]) -> impl Iterator<Item = u64> + '_ {
    bytes.chunks_exact(8).map(|chunk| {
        let mut word = [0; 8];
        word.copy_from_slice(chunk);
        u64::from_le_bytes(word)
    })
}

/// The bytes after the last whole word of `bytes`.
#[inline]
pub(crate) fn tail(bytes: &[u8]) -> &[u8] {
    bytes.chunks_exact(8).remainder()
}

/// How many bytes at the start of `bytes` lie in whole words for which `plain` holds: it stops
/// at the first word for which it does not.
#[inline]
pub(crate) fn run(bytes: &[u8], plain: impl Fn(u64) -> bool) -> usize {
    let mut run = 0;
    for word in words(bytes) {
        if !plain(word) {
            break;
        }
        run += 8;
    }
    run
}

/// Marks where some byte of `word` is below `n` (`n` at most 0x80).
#[inline]
pub(crate) const fn any_below(word: u64, n: u8) -> u64 {
    word.wrapping_sub(ONES * n as u64) & !word & HIGH
}

/// Marks where some byte of `word` is `b`.
#[inline]
pub(crate) const fn any_equal(word: u64, b: u8) -> u64 {
    any_below(word ^ (ONES * b as u64), 1)
}

/// How many bytes of `bytes` are `b`, exactly: the test marks a byte only when it is `b` (no
/// borrow crosses bytes: each byte's low seven bits are added to `0x7f` on their own).
#[inline]
pub(crate) fn count_equal(bytes: &[u8], b: u8) -> usize {
    let low = !HIGH;
    let marked = |word: u64| {
        let x = word ^ (ONES * u64::from(b));
        !(((x & low).wrapping_add(low)) | x) & HIGH
    };
    // At most eight bytes marked per word: the `as` cannot truncate.
    #[allow(clippy::cast_possible_truncation)]
    let words: usize = words(bytes)
        .map(|word| marked(word).count_ones() as usize)
        .sum();
    words + tail(bytes).iter().filter(|&&x| x == b).count()
}

/// Whether `a` and `b` hold the same bytes, in time that depends on their lengths only: the
/// differences of every word are gathered (each step through `black_box`, so that the compiler
/// cannot stop at the first difference) and tested once, with `subtle`. Eight bytes per step
/// where `subtle`'s slice comparison takes one (a 75-byte PLAINTEXT signature: about 60
/// instructions instead of 500). The lengths are not secret (`subtle` also returns early on them).
pub(crate) fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut diff = 0_u64;
    for (x, y) in words(a).zip(words(b)) {
        diff = core::hint::black_box(diff | (x ^ y));
    }
    for (x, y) in tail(a).iter().zip(tail(b)) {
        diff = core::hint::black_box(diff | u64::from(x ^ y));
    }
    subtle::ConstantTimeEq::ct_eq(&diff, &0).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn count_equal_counts_each_byte_value_at_every_position() {
        for b in [0_u8, 1, b'%', b'+', 0x7f, 0x80, 0xfe, 0xff] {
            for len in 0..=19 {
                for at in 0..len {
                    for filler in [0_u8, b.wrapping_sub(1), b.wrapping_add(1), b ^ 0x80] {
                        let mut bytes = alloc::vec![filler; len];
                        bytes[at] = b;
                        let expected = bytes.iter().filter(|&&x| x == b).count();
                        assert_eq!(count_equal(&bytes, b), expected, "{b} at {at} of {bytes:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn ct_eq_finds_a_difference_in_any_bit_of_any_byte() {
        for len in 0_u8..=19 {
            let a: alloc::vec::Vec<u8> = (0..len).map(|i| i.wrapping_mul(37)).collect();
            assert!(ct_eq(&a, &a.clone()), "{len}");
            for at in 0..a.len() {
                for bit in 0..8 {
                    let mut b = a.clone();
                    b[at] ^= 1 << bit;
                    assert!(!ct_eq(&a, &b), "byte {at} bit {bit} of {len}");
                }
            }
            // The same bit changed in two words (or in a word and the tail): an XOR of the
            // differences would cancel out.
            for (first, second) in [(0, 8), (3, 11), (0, 16)] {
                if second < a.len() {
                    let mut b = a.clone();
                    b[first] ^= 0x10;
                    b[second] ^= 0x10;
                    assert!(!ct_eq(&a, &b), "bytes {first} and {second} of {len}");
                }
            }
            let mut longer = a.clone();
            longer.push(0);
            assert!(!ct_eq(&a, &longer));
            assert!(!ct_eq(&longer, &a));
        }
    }
}
