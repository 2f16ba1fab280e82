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
    // At most eight bytes marked per word: the `as` cannot truncate.
    #[allow(clippy::cast_possible_truncation)]
    let words: usize = words(bytes)
        .map(|word| equal_marks(word, b).count_ones() as usize)
        .sum();
    words + tail(bytes).iter().filter(|&&x| x == b).count()
}

/// Where the first `a` or `b` is in `bytes`: eight bytes at a time with exact marks (so the
/// lowest mark of the first word that has one is the answer, without a byte loop), the last few
/// bytes one by one. The scan behind splitting a URL at its query and a form at its pairs
/// (inputs of a few dozen bytes, where a call to `memchr` costs more than it saves).
#[inline]
pub(crate) fn find_either(bytes: &[u8], a: u8, b: u8) -> Option<usize> {
    for (i, word) in words(bytes).enumerate() {
        // Exact marks (see `equal_marks`): the lowest is the first byte that is `a` or `b`.
        let marks = equal_marks(word, a) | equal_marks(word, b);
        if marks != 0 {
            // Little-endian: byte k of the word is bits 8k..8k+8.
            return Some(8 * i + (marks.trailing_zeros() / 8) as usize);
        }
    }
    let done = bytes.len() - tail(bytes).len();
    tail(bytes)
        .iter()
        .position(|&x| x == a || x == b)
        .map(|at| done + at)
}

/// Marks each byte of `word` that is `b`, and no other: no borrow crosses bytes (each byte's
/// low seven bits are added to `0x7f` on their own).
#[inline]
const fn equal_marks(word: u64, b: u8) -> u64 {
    let low = !HIGH;
    let x = word ^ (ONES * b as u64);
    !(((x & low).wrapping_add(low)) | x) & HIGH
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
    no_difference(differences(0, a, b))
}

/// `diff` with the differing bits of `a` and `b` (of equal lengths) added, every word looked
/// at: see [`ct_eq`].
#[inline]
pub(crate) fn differences(mut diff: u64, a: &[u8], b: &[u8]) -> u64 {
    for (x, y) in words(a).zip(words(b)) {
        diff = core::hint::black_box(diff | (x ^ y));
    }
    for (x, y) in tail(a).iter().zip(tail(b)) {
        diff = core::hint::black_box(diff | u64::from(x ^ y));
    }
    diff
}

/// Whether `diff`, gathered by [`differences`], is zero, tested in constant time.
#[inline]
pub(crate) fn no_difference(diff: u64) -> bool {
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
    fn find_either_finds_the_first_of_two_bytes_at_every_position() {
        for len in 0..=19 {
            for first in 0..=len {
                for second in first..=len {
                    for (x, y) in [(b'&', b'='), (b'=', b'&'), (b'&', b'&'), (0x80, 0xff)] {
                        // `x` at `first` and `y` at `second` (when inside), among bytes that
                        // are neither, some of them close in value.
                        let mut bytes: alloc::vec::Vec<u8> =
                            (0..len).map(|i| [b'%', b'\'', b'>', 0x7f][i % 4]).collect();
                        if second < len {
                            bytes[second] = y;
                        }
                        if first < len {
                            bytes[first] = x;
                        }
                        let expected = bytes.iter().position(|&c| c == x || c == y);
                        assert_eq!(find_either(&bytes, x, y), expected, "{bytes:?}");
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
