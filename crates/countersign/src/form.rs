//! Splitting `name=value&name=value` strings (form bodies and query strings) into raw pairs.

use alloc::borrow::Cow;

use crate::encode::{DecodeError, decode, decode_form};
use crate::swar;

/// Iterates over the raw `(name, value)` pairs of a form body or query. Empty segments are
/// skipped; a segment without `=` is a name with an empty value.
#[derive(Clone)]
pub(crate) struct RawPairs<'a> {
    rest: Option<&'a str>,
}

impl<'a> RawPairs<'a> {
    pub(crate) fn new(input: &'a str) -> Self {
        Self { rest: Some(input) }
    }
}

impl<'a> Iterator for RawPairs<'a> {
    type Item = (&'a str, &'a str);

    fn next(&mut self) -> Option<Self::Item> {
        // `&` and `=` are ASCII: every cut below falls on a character boundary.
        let cut = |s: &'a str, from: usize, to: usize| s.get(from..to).unwrap_or_default();
        loop {
            let rest = self.rest?;
            let bytes = rest.as_bytes();
            // The first `&` or `=`: a pair's name ends there (one scan for both).
            let Some(at) = swar::find_either(bytes, b'&', b'=') else {
                self.rest = None;
                return (!rest.is_empty()).then_some((rest, ""));
            };
            if bytes.get(at) == Some(&b'&') {
                self.rest = past(rest, at);
                if at == 0 {
                    continue; // an empty segment
                }
                return Some((cut(rest, 0, at), ""));
            }
            // A `=`: the value runs to the next `&` (and may hold more `=`).
            let value = at + 1;
            let end = bytes
                .get(value..)
                .and_then(|v| swar::find_either(v, b'&', b'&'))
                .map_or(bytes.len(), |end| value + end);
            self.rest = past(rest, end);
            return Some((cut(rest, 0, at), cut(rest, value, end)));
        }
    }
}

/// What follows the `&` at `at` in `rest`; `None` when `at` is its end (no `&`: no more pairs).
fn past(rest: &str, at: usize) -> Option<&str> {
    rest.get(at + 1..)
}

/// How the values of a pair list are encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Flavor {
    /// `application/x-www-form-urlencoded`: `+` is a space.
    Form,
    /// A URL query as RFC 5849 encodes it: `+` is a plus.
    Query,
}

impl Flavor {
    pub(crate) fn decode(self, raw: &str) -> Result<Cow<'_, str>, DecodeError> {
        match self {
            Self::Form => decode_form(raw),
            Self::Query => decode(raw),
        }
    }
}

/// The decoded pairs whose decoded name passes `wanted`. The values of the others are never
/// decoded, so that no copy is made of values nobody asked for (a token secret among them).
pub(crate) fn decoded_pairs_where<'a, F: FnMut(&str) -> bool>(
    input: &'a str,
    flavor: Flavor,
    mut wanted: F,
) -> impl Iterator<Item = (Cow<'a, str>, Cow<'a, str>)> {
    RawPairs::new(input).filter_map(move |(n, v)| {
        let name = flavor.decode(n).ok()?;
        if !wanted(&name) {
            return None;
        }
        Some((name, flavor.decode(v).ok()?))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    #[test]
    fn splits_pairs() {
        let pairs: Vec<_> = RawPairs::new("&a=1&&b&c=&=d&e=f=g&").collect();
        assert_eq!(
            pairs,
            [("a", "1"), ("b", ""), ("c", ""), ("", "d"), ("e", "f=g")]
        );
        assert_eq!(RawPairs::new("").count(), 0);
    }

    #[test]
    fn pairs_agree_with_splitting_at_each_ampersand_then_the_first_equals_sign() {
        // What it did with `split_once`s, before it scanned for both at once.
        fn reference(input: &str) -> Vec<(&str, &str)> {
            input
                .split('&')
                .filter(|segment| !segment.is_empty())
                .map(|segment| segment.split_once('=').unwrap_or((segment, "")))
                .collect()
        }
        let alphabet = ["&", "=", "a", "\u{e9}", "abcdefgh"];
        for input in crate::url::tests::strings_of(&alphabet, 6) {
            assert_eq!(
                RawPairs::new(&input).collect::<Vec<_>>(),
                reference(&input),
                "{input:?}"
            );
        }
    }
}
