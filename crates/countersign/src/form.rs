//! Splitting `name=value&name=value` strings (form bodies and query strings) into raw pairs.

use alloc::borrow::Cow;

use crate::encode::{DecodeError, decode, decode_form};

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
        loop {
            let rest = self.rest?;
            let (segment, tail) = match rest.split_once('&') {
                Some((segment, tail)) => (segment, Some(tail)),
                None => (rest, None),
            };
            self.rest = tail;
            if !segment.is_empty() {
                return Some(segment.split_once('=').unwrap_or((segment, "")));
            }
        }
    }
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
}
