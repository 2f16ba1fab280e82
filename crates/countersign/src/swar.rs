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
