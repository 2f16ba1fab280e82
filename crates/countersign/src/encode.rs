//! Percent-encoding exactly as RFC 5849 section 3.6 defines it, and strict decoding.
//!
//! Encoding: the value is taken as UTF-8; the unreserved characters `A-Z a-z 0-9 - . _ ~` stay as
//! they are; every other byte becomes `%XX` with uppercase hex digits. A space is `%20`, never `+`.
//!
//! Decoding is strict: a `%` that is not followed by two hex digits is an error, and so is a result
//! that is not UTF-8. `+` stands for a space only in `application/x-www-form-urlencoded` bodies
//! ([`decode_form`]); everywhere else ([`decode`]) it is a plain `+`.
//!
//! ```
//! use countersign::encode::{decode, encode};
//!
//! assert_eq!(encode("Dogs, Cats & Mice").to_string(), "Dogs%2C%20Cats%20%26%20Mice");
//! assert_eq!(decode("Dogs%2C%20Cats%20%26%20Mice").unwrap(), "Dogs, Cats & Mice");
//! assert!(decode("100%").is_err());
//! ```

use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use zeroize::Zeroize;

use crate::swar;

/// The bytes RFC 5849 section 3.6 encodes: everything except `A-Z a-z 0-9 - . _ ~`.
pub const RFC5849: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Whether RFC 5849 leaves this byte as it is.
#[inline]
pub(crate) const fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

/// How many bytes beyond itself each byte adds when encoded: 0 for unreserved bytes, 2 for the
/// others (`%XX`). A table, because this is on the hot path of every signed request.
#[allow(clippy::indexing_slicing)] // b < 256 indexes a 256-entry table
const EXTRA: [u8; 256] = {
    let mut table = [2u8; 256];
    let mut b = 0;
    while b < 256 {
        // Every entry written, so that the loop's bound is checked by the table's own.
        #[allow(clippy::cast_possible_truncation)] // b < 256
        {
            table[b] = if is_unreserved(b as u8) { 0 } else { 2 };
        }
        b += 1;
    }
    table
};

/// Whether RFC 5849 leaves this byte as it is, by table: the test in the encoders' inner loops.
#[inline]
pub(crate) fn is_plain(b: u8) -> bool {
    extra(b) == 0
}

#[inline]
fn extra(b: u8) -> usize {
    // A u8 always indexes a 256-entry table.
    #[allow(clippy::indexing_slicing)]
    usize::from(EXTRA[usize::from(b)])
}

/// How many bytes of `bytes` are encoded (each becomes `%XX`): eight bytes at a time (see
/// [`unreserved_in`]), the last few by table. This runs over every credential, nonce and
/// parameter of every signed request.
#[inline]
pub(crate) fn count_reserved(bytes: &[u8]) -> usize {
    let tail = swar::tail(bytes);
    let unreserved: usize = swar::words(bytes).map(unreserved_in).sum();
    let tail_reserved = tail.iter().map(|&b| extra(b)).sum::<usize>() / 2;
    (bytes.len() - tail.len() - unreserved) + tail_reserved
}

/// The escapes of every byte, `%00%01...%FF`, in upper case as RFC 5849 section 3.6 wants:
/// the escape of `b` is the three bytes at `3 * b`, a `str` without a UTF-8 check per escape.
const ESCAPES: &str = match core::str::from_utf8(&escape_table()) {
    Ok(table) => table,
    Err(_) => panic!("the escape table is ASCII"),
};

// 3 * b + 2 < 768 for every byte b.
#[allow(clippy::indexing_slicing)]
const fn escape_table() -> [u8; 768] {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut table = [0; 768];
    let mut b = 0;
    while b < 256 {
        table[3 * b] = b'%';
        table[3 * b + 1] = HEX[b >> 4];
        table[3 * b + 2] = HEX[b & 15];
        b += 1;
    }
    table
}

/// `%XX` for `b`.
#[inline]
fn escape(b: u8) -> &'static str {
    let at = 3 * usize::from(b);
    ESCAPES.get(at..at + 3).unwrap_or_default()
}

/// How many bytes at the start of `bytes` are unreserved, counted in whole words of eight: it
/// stops at the first word that holds any other byte.
#[inline]
pub(crate) fn unreserved_run(bytes: &[u8]) -> usize {
    swar::run(bytes, |word| unreserved_in(word) == 8)
}

/// How many of the eight bytes of `word` are unreserved, without a branch or a table: each
/// byte range is tested on all eight bytes at once (SWAR), the answer in each byte's high bit.
#[inline]
const fn unreserved_in(word: u64) -> usize {
    use swar::{HIGH, ONES};
    /// High bit set in each byte of `low7` (bytes below 0x80) within `lo..=hi`: adding
    /// `0x80 - lo` sets it from `lo` up, adding `0x7f - hi` sets it above `hi`; neither sum
    /// carries into the next byte.
    const fn within(low7: u64, lo: u8, hi: u8) -> u64 {
        let from_lo = low7 + ONES * (0x80 - lo as u64);
        let above_hi = low7 + ONES * (0x7f - hi as u64);
        from_lo & !above_hi & HIGH
    }
    let ascii = !word & HIGH;
    let low7 = word & !HIGH;
    // Setting 0x20 maps `A-Z` onto `a-z` (and nothing else into it).
    let letters = within(low7 | (ONES * 0x20), b'a', b'z');
    let digits = within(low7, b'0', b'9');
    let dash_dot = within(low7, b'-', b'.');
    let underscore = within(low7, b'_', b'_');
    let tilde = within(low7, b'~', b'~');
    let marks = (letters | digits | dash_dot | underscore | tilde) & ascii;
    // One bit per unreserved byte, at the bottom of its byte: the multiplication sums the eight
    // bytes into the top one (at most 8, so no byte overflows).
    ((marks >> 7).wrapping_mul(ONES) >> 56) as usize
}

/// Percent-encodes `value` per RFC 5849 section 3.6.
///
/// The result borrows `value` and allocates nothing until it is written: it implements
/// [`Display`](fmt::Display), converts into a `Cow<str>` (borrowed when nothing needed encoding)
/// and knows its length in advance ([`Encode::len`]).
#[must_use]
pub fn encode(value: &str) -> Encode<'_> {
    Encode(value)
}

/// A value percent-encoded per RFC 5849 section 3.6, written on demand. See [`encode`].
#[derive(Clone, Copy, Debug)]
pub struct Encode<'a>(&'a str);

impl Encode<'_> {
    /// The length of the encoded value in bytes.
    #[must_use]
    pub fn len(&self) -> usize {
        encoded_len(self.0)
    }

    /// Whether the encoded value is empty (that is, the input was).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Writes the encoded value to `out`.
    ///
    /// # Errors
    /// Only the errors of `out` itself.
    pub fn write_to<W: fmt::Write + ?Sized>(&self, out: &mut W) -> fmt::Result {
        if needs_no_encoding(self.0) {
            return out.write_str(self.0);
        }
        write_escaped(out, self.0)
    }
}

/// Writes `value` percent-encoded, escape by escape (what [`Encode::write_to`] does once it knows
/// some byte needs it).
fn write_escaped<W: fmt::Write + ?Sized>(out: &mut W, value: &str) -> fmt::Result {
    let bytes = value.as_bytes();
    let mut start = 0;
    while let Some(offset) = bytes
        .get(start..)
        .and_then(|rest| rest.iter().position(|&b| !is_plain(b)))
    {
        let at = start + offset;
        // Unreserved bytes are ASCII: a run between escapes is empty (`get` gives `None`
        // when it would start inside a character) or starts and ends on boundaries.
        out.write_str(value.get(start..at).unwrap_or_default())?;
        out.write_str(escape(bytes.get(at).copied().unwrap_or_default()))?;
        start = at + 1;
    }
    out.write_str(value.get(start..).unwrap_or_default())
}

/// A value with the number of its bytes that RFC 5849 encodes, counted once: credentials count
/// their key, token and secrets when they are made, so that signing with them again and again
/// knows each one's encoded length without a scan, and copies it as it is when that number is
/// zero (the usual key, token and secret).
#[derive(Clone, Copy)]
pub(crate) struct Counted<'a> {
    text: &'a str,
    reserved: usize,
}

impl<'a> Counted<'a> {
    /// Counts `text`'s reserved bytes.
    #[inline]
    pub(crate) fn new(text: &'a str) -> Self {
        Self {
            text,
            reserved: count_reserved(text.as_bytes()),
        }
    }

    /// `text` with the count [`new`](Self::new) took of it before.
    pub(crate) const fn with_count(text: &'a str, reserved: usize) -> Self {
        Self { text, reserved }
    }

    pub(crate) const fn as_str(&self) -> &'a str {
        self.text
    }

    /// Its length once encoded: each reserved byte becomes `%XX`.
    pub(crate) const fn encoded_len(&self) -> usize {
        self.text.len() + 2 * self.reserved
    }

    /// Writes it encoded (as [`Encode::write_to`]).
    #[inline]
    pub(crate) fn write_to<W: fmt::Write + ?Sized>(&self, out: &mut W) -> fmt::Result {
        if self.reserved == 0 {
            return out.write_str(self.text);
        }
        write_escaped(out, self.text)
    }

    /// It encoded, as [`encoded_exactly`] (without counting it again).
    pub(crate) fn encoded(&self) -> Cow<'a, str> {
        if self.reserved == 0 {
            return Cow::Borrowed(self.text);
        }
        let mut out = String::with_capacity(self.encoded_len());
        // Writing to a String cannot fail.
        let _ = write_escaped(&mut out, self.text);
        Cow::Owned(out)
    }

    /// Its length once encoded twice: each reserved byte becomes `%25XX`.
    pub(crate) const fn twice_encoded_len(&self) -> usize {
        self.text.len() + 4 * self.reserved
    }

    /// Writes it encoded twice: the form a secret takes inside a PLAINTEXT signature that is
    /// itself encoded for a header, a query or a form.
    pub(crate) fn write_twice_to<W: fmt::Write + ?Sized>(&self, out: &mut W) -> fmt::Result {
        if self.reserved == 0 {
            return out.write_str(self.text);
        }
        for chunk in utf8_percent_encode(self.text, RFC5849) {
            encode(chunk).write_to(out)?;
        }
        Ok(())
    }
}

impl fmt::Display for Encode<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_to(f)
    }
}

impl<'a> From<Encode<'a>> for Cow<'a, str> {
    fn from(e: Encode<'a>) -> Self {
        utf8_percent_encode(e.0, RFC5849).into()
    }
}

/// `value` percent-encoded: borrowed when nothing needs encoding, else in one allocation of
/// exactly its length, so that an encoded secret leaves no partial copy behind in a buffer that
/// grew.
pub(crate) fn encoded_exactly(value: &str) -> Cow<'_, str> {
    Counted::new(value).encoded()
}

/// The length of `value` once percent-encoded.
#[inline]
pub(crate) fn encoded_len(value: &str) -> usize {
    value.len() + 2 * count_reserved(value.as_bytes())
}

#[inline]
pub(crate) fn needs_no_encoding(value: &str) -> bool {
    count_reserved(value.as_bytes()) == 0
}

/// Appends `value`, percent-encoded, to `out`, given its [`encoded_len`].
#[inline]
pub(crate) fn push_encoded_with_len(out: &mut String, value: &str, encoded_len: usize) {
    if encoded_len == value.len() {
        out.push_str(value);
    } else {
        out.extend(utf8_percent_encode(value, RFC5849));
    }
}

/// Why a percent-encoded value could not be decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum DecodeError {
    /// A `%` at this byte offset (within the value) is not followed by two hex digits.
    BadEscape {
        /// Byte offset of the `%` within the encoded value.
        offset: usize,
    },
    /// The decoded bytes are not valid UTF-8.
    InvalidUtf8,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BadEscape { offset } => write!(
                f,
                "malformed percent-escape at byte {offset}: every '%' must be followed by two hex digits (encode a literal '%' as %25)"
            ),
            Self::InvalidUtf8 => f.write_str("percent-decoded value is not valid UTF-8"),
        }
    }
}

impl core::error::Error for DecodeError {}

/// Strictly decodes a percent-encoded value. `+` stays a `+`.
///
/// Borrows from `value` when it holds no escapes.
///
/// # Errors
/// [`DecodeError::BadEscape`] for a `%` not followed by two hex digits,
/// [`DecodeError::InvalidUtf8`] when the decoded bytes are not UTF-8.
pub fn decode(value: &str) -> Result<Cow<'_, str>, DecodeError> {
    if !holds_either(value.as_bytes(), b'%', b'%') {
        return Ok(Cow::Borrowed(value));
    }
    decode_owned(value, false).map(Cow::Owned)
}

/// Strictly decodes a value of an `application/x-www-form-urlencoded` body: as [`decode`], and
/// `+` is a space.
///
/// # Errors
/// As [`decode`].
pub fn decode_form(value: &str) -> Result<Cow<'_, str>, DecodeError> {
    if !holds_either(value.as_bytes(), b'%', b'+') {
        return Ok(Cow::Borrowed(value));
    }
    decode_owned(value, true).map(Cow::Owned)
}

/// Whether `bytes` holds `a` or `b`: one pass, eight bytes at a time (the values decoded are
/// short, where a call to `memchr` per byte sought costs more than the search).
#[inline]
fn holds_either(bytes: &[u8], a: u8, b: u8) -> bool {
    swar::words(bytes).any(|word| swar::any_equal(word, a) | swar::any_equal(word, b) != 0)
        || swar::tail(bytes).iter().any(|&x| x == a || x == b)
}

/// Decodes `value` into one allocation of its decoded length (when every escape is valid);
/// `+` becomes a space when `plus_is_space`. One pass checks the escapes and decodes.
///
/// Decoded values are often secrets (token secrets, verifiers): nothing is copied on the way (no
/// intermediate string, no buffer that grows and leaves its old copy behind), and what was
/// decoded before a bad escape, or bytes that turn out not to be UTF-8, are cleared before they
/// are freed.
fn decode_owned(value: &str, plus_is_space: bool) -> Result<String, DecodeError> {
    let bytes = value.as_bytes();
    // A valid escape turns three bytes into one (a bad one stops the decoding).
    let escapes = swar::count_equal(bytes, b'%');
    let mut out = Vec::with_capacity(bytes.len().saturating_sub(2 * escapes));
    let plus = if plus_is_space { b'+' } else { b'%' };
    let mut rest = bytes;
    loop {
        // Whole words without a `%` (or `+`) at once, then byte by byte.
        let words = swar::run(rest, |word| {
            swar::any_equal(word, b'%') | swar::any_equal(word, plus) == 0
        });
        let Some(at) = rest
            .get(words..)
            .and_then(|left| left.iter().position(|&b| b == b'%' || b == plus))
        else {
            break;
        };
        let (plain, special) = rest.split_at(words + at);
        out.extend_from_slice(plain);
        rest = special;
        // The escapes (and `+`) in a row, as a non-ASCII character's `%E2%98%83` comes.
        loop {
            rest = match rest {
                [b'%', hi, lo, after @ ..] if hi.is_ascii_hexdigit() && lo.is_ascii_hexdigit() => {
                    out.push(escaped_byte(*hi, *lo));
                    after
                }
                [b'%', ..] => {
                    out.zeroize();
                    return Err(DecodeError::BadEscape {
                        offset: bytes.len() - rest.len(),
                    });
                }
                [b'+', after @ ..] if plus_is_space => {
                    out.push(b' ');
                    after
                }
                _ => break,
            };
        }
    }
    out.extend_from_slice(rest);
    String::from_utf8(out).map_err(|e| {
        e.into_bytes().zeroize();
        DecodeError::InvalidUtf8
    })
}

/// Whether `escaped`, percent-decoded, is `expected`, compared without a decoded copy: in time
/// that depends on the lengths and on where the escapes of `escaped` are (what a sender wrote),
/// never on the bytes of `expected` (see [`swar::ct_eq`]; as there, the lengths are not secret:
/// it stops where they are found to differ). A bad escape makes the comparison fail; `expected`
/// is text (UTF-8), so that what is equal to it decodes without an error.
pub(crate) fn ct_eq_decoded(expected: &[u8], escaped: &str) -> bool {
    let (mut diff, mut rest, mut want) = (0, escaped.as_bytes(), expected);
    loop {
        // The plain bytes up to the next escape, compared as they are, then the escape's byte.
        let plain = swar::find_either(rest, b'%', b'%').unwrap_or(rest.len());
        let (Some(sent_plain), Some(want_plain)) = (rest.get(..plain), want.get(..plain)) else {
            return false;
        };
        diff = swar::differences(diff, sent_plain, want_plain);
        rest = rest.get(plain..).unwrap_or_default();
        want = want.get(plain..).unwrap_or_default();
        match (rest, want) {
            ([], []) => return swar::no_difference(diff),
            ([b'%', hi, lo, after @ ..], [byte, want_after @ ..])
                if hi.is_ascii_hexdigit() && lo.is_ascii_hexdigit() =>
            {
                let decoded = escaped_byte(*hi, *lo);
                diff = core::hint::black_box(diff | u64::from(decoded ^ byte));
                (rest, want) = (after, want_after);
            }
            _ => return false,
        }
    }
}

/// The byte the escape `%` `hi` `lo` stands for (both hex digits).
const fn escaped_byte(hi: u8, lo: u8) -> u8 {
    (hex_value(hi) << 4) | hex_value(lo)
}

/// The value of a hex digit (the caller has made sure it is one).
const fn hex_value(digit: u8) -> u8 {
    match digit {
        b'0'..=b'9' => digit - b'0',
        b'a'..=b'f' => digit - b'a' + 10,
        b'A'..=b'F' => digit - b'A' + 10,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn comparing_as_decoded_agrees_with_decoding_then_comparing() {
        // Every sequence of up to three pieces: plain bytes (a whole word of them among
        // them), escapes in either case, escapes of non-ASCII bytes, broken escapes and a
        // two-byte character; against the decoded forms of all of them, and near misses.
        let pieces = [
            "a", "abcdefgh", "&", "%26", "%2", "%", "%zz", "%41", "%6a", "%6A", "%c3%a9", "é",
            "%C3", "%00",
        ];
        let mut sent = crate::url::tests::strings_of(&pieces, 3);
        sent.sort();
        sent.dedup();
        let mut expected: Vec<Vec<u8>> = sent
            .iter()
            .filter_map(|s| decode(s).ok())
            .map(|d| d.as_bytes().to_vec())
            .collect();
        for e in expected.clone() {
            let mut longer = e.clone();
            longer.push(b'a');
            expected.push(longer);
            if let Some((_, shorter)) = e.split_last() {
                expected.push(shorter.to_vec());
            }
        }
        // What a verifier compares with is text: the secrets, or base64.
        expected.retain(|e| core::str::from_utf8(e).is_ok());
        expected.sort();
        expected.dedup();
        let mut equal = 0;
        for s in &sent {
            let decoded = decode(s).ok();
            for e in &expected {
                let reference = decoded.as_ref().is_some_and(|d| d.as_bytes() == &e[..]);
                assert_eq!(ct_eq_decoded(e, s), reference, "{s:?} against {e:?}");
                equal += usize::from(reference);
            }
        }
        // Each decodable sequence matched its own decoded form, however it was spelled.
        assert!(equal >= sent.iter().filter(|s| decode(s).is_ok()).count());
        // Half an escape is no escape, whatever byte it would make; two differences in the
        // same bit do not cancel out.
        assert!(!ct_eq_decoded(b" a", "%2%a"));
        assert!(!ct_eq_decoded(b"\0", "%G0"));
        assert!(!ct_eq_decoded(b"&&", "%27%27"));
        assert!(!ct_eq_decoded(b"abcdefgh&abcdefgh", "abcdefgi%26abcdefgi"));
        assert!(ct_eq_decoded(b"&&", "%26%26"));
    }

    #[test]
    fn the_word_at_a_time_count_agrees_with_the_rule_for_every_byte_everywhere() {
        // Every byte value at every position of a word, among unreserved and reserved
        // neighbours, and in the tail after the last whole word.
        for b in 0u8..=0xff {
            for len in 1..=19 {
                for at in 0..len {
                    for filler in [b'a', b'%'] {
                        let mut bytes = alloc::vec![filler; len];
                        bytes[at] = b;
                        let expected = bytes.iter().filter(|&&x| !is_unreserved(x)).count();
                        assert_eq!(
                            count_reserved(&bytes),
                            expected,
                            "{b:#04x} at {at} of {len}"
                        );
                    }
                }
            }
        }
        let every: Vec<u8> = (0u8..=0xff).collect();
        assert_eq!(count_reserved(&every), 256 - 66);
        // The two-byte search, likewise.
        for b in 0u8..=0xff {
            for len in 1..=20 {
                for at in 0..len {
                    let mut bytes = alloc::vec![b'a'; len];
                    bytes[at] = b;
                    let expected = b == b'%' || b == b'+';
                    assert_eq!(
                        holds_either(&bytes, b'%', b'+'),
                        expected,
                        "{b:#04x} at {at}"
                    );
                }
            }
        }
        assert!(!holds_either(b"", b'%', b'+'));
        // The run stops at the word of the first reserved byte.
        for b in 0u8..=0xff {
            for len in 1..=20 {
                for at in 0..len {
                    let mut bytes = alloc::vec![b'a'; len];
                    bytes[at] = b;
                    let first = bytes.iter().position(|&x| !is_unreserved(x)).unwrap_or(len);
                    assert_eq!(unreserved_run(&bytes), first / 8 * 8, "{b:#04x} at {at}");
                }
            }
        }
    }

    #[test]
    fn an_encoding_knows_its_length_and_emptiness_and_borrows_when_it_can() {
        assert!(encode("").is_empty());
        assert!(!encode("a").is_empty());
        assert!(!encode(" ").is_empty());
        assert_eq!(encode("a b").len(), 5);
        assert_eq!(Cow::from(encode("a b")), "a%20b");
        assert!(matches!(Cow::from(encode("a-b")), Cow::Borrowed("a-b")));
    }

    #[test]
    fn the_run_writer_agrees_with_the_percent_encoding_crate() {
        // Escapes before, inside and after whole words, multi-byte characters, runs of escapes.
        let samples = [
            "",
            "a",
            "%",
            "abcdefgh",
            "abcdefgh ",
            " abcdefgh",
            "abcdefg\u{e9}xyz",
            "a b&c=d+e/f",
            "\u{2603}\u{2603}",
            "0123456789abcdef~._-",
            "%%%%%%%%%%",
            "tab\there\nnewline",
        ];
        for sample in samples {
            for prefix in ["", "x", "xxxxxxx", "xxxxxxxx "] {
                let value = alloc::format!("{prefix}{sample}");
                let expected: String = utf8_percent_encode(&value, RFC5849).collect();
                assert_eq!(encode(&value).to_string(), expected, "{value:?}");
            }
        }
    }

    #[test]
    fn every_byte_value_follows_the_rule() {
        // Each single byte that is a complete UTF-8 character (ASCII) is checked directly; the
        // bytes 0x80..=0xFF are checked as parts of the characters U+0080..=U+00FF (two bytes each).
        for b in 0u8..=0x7f {
            let s = char::from(b).to_string();
            let expected = if is_unreserved(b) {
                s.clone()
            } else {
                alloc::format!("%{b:02X}")
            };
            assert_eq!(encode(&s).to_string(), expected, "byte {b:#04x}");
            assert_eq!(encode(&s).len(), expected.len());
        }
        for c in '\u{80}'..='\u{ff}' {
            let s = c.to_string();
            let expected: String = s.bytes().map(|b| alloc::format!("%{b:02X}")).collect();
            assert_eq!(encode(&s).to_string(), expected);
        }
    }

    #[test]
    fn bad_escapes_are_errors_with_offsets() {
        assert_eq!(decode("%"), Err(DecodeError::BadEscape { offset: 0 }));
        assert_eq!(decode("ab%4"), Err(DecodeError::BadEscape { offset: 2 }));
        assert_eq!(decode("a%zz"), Err(DecodeError::BadEscape { offset: 1 }));
        assert_eq!(decode("%41%G1"), Err(DecodeError::BadEscape { offset: 3 }));
        assert_eq!(
            decode_form("a+%"),
            Err(DecodeError::BadEscape { offset: 2 })
        );
    }

    #[test]
    fn invalid_utf8_is_an_error() {
        assert_eq!(decode("%FF"), Err(DecodeError::InvalidUtf8));
        assert_eq!(decode("%E2%98"), Err(DecodeError::InvalidUtf8));
        assert_eq!(decode_form("+%C3"), Err(DecodeError::InvalidUtf8));
    }

    #[test]
    fn plus_is_a_space_only_in_forms() {
        assert_eq!(decode("a+b").unwrap(), "a+b");
        assert_eq!(decode_form("a+b").unwrap(), "a b");
        assert_eq!(decode_form("a%2Bb").unwrap(), "a+b");
        assert_eq!(decode_form("a+%2B+b").unwrap(), "a + b");
    }

    #[test]
    fn decoding_borrows_when_it_can() {
        assert!(matches!(
            decode("plain-value_~.").unwrap(),
            Cow::Borrowed(_)
        ));
        assert!(matches!(decode_form("plain").unwrap(), Cow::Borrowed(_)));
        assert!(matches!(decode("%41").unwrap(), Cow::Owned(_)));
    }

    /// The decoder gives what the percent-encoding crate gives, in one allocation of exactly the
    /// decoded length (a secret is never left behind in a buffer that grew).
    #[test]
    fn decoding_matches_the_reference_in_one_exact_allocation() {
        use percent_encoding::percent_decode_str;
        for value in [
            "%41",
            "a%2Bb%20c",
            "%e2%98%83%E2%98%83x",
            "+",
            "a+b",
            "+%2B+",
            "ab+cd%7E%7e++",
            "%00%FF%C3%A9",
            // Escapes after whole words of plain bytes, and in the tail after them.
            "abcdefghijklmnop%41",
            "0123456789+abcdefgh%2B%2b+%2Bxyz%7E",
        ] {
            let spaced = value.replace('+', " ");
            let expected = percent_decode_str(&spaced).decode_utf8().ok();
            let got = decode_form(value).ok();
            assert_eq!(got.as_deref(), expected.as_deref(), "{value}");
            if let Some(Cow::Owned(s)) = got {
                assert_eq!(s.capacity(), s.len(), "{value}");
            }
            let expected = percent_decode_str(value).decode_utf8().ok();
            let got = decode(value).ok();
            assert_eq!(got.as_deref(), expected.as_deref(), "{value}");
            if let Some(Cow::Owned(s)) = got {
                assert_eq!(s.capacity(), s.len(), "{value}");
            }
        }
    }

    #[test]
    fn lowercase_hex_decodes() {
        assert_eq!(decode("%e2%98%83").unwrap(), "\u{2603}");
    }
}
