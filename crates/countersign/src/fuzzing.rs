//! Internals the fuzz targets in `fuzz/` check directly.
//!
//! Compiled only with `--cfg fuzzing` (which `cargo fuzz` passes to every crate it builds), hidden
//! from the documentation, and never reachable through a cargo feature: nothing here is part of
//! the public API.

use crate::Error;

/// [`crate::url`]'s split of an absolute URL: `(scheme, host, query)`.
///
/// # Errors
/// [`ParseError::Url`](crate::ParseError::Url) when the URL cannot be split.
pub fn split_url(url: &str) -> Result<(&str, &str, Option<&str>), Error> {
    crate::url::split(url).map(|parts| (parts.scheme, parts.host, parts.query))
}

/// Whether `callback` is an absolute URI without an authority (`about:blank`), which the
/// signer takes as a callback besides URLs and `oob`.
#[must_use]
pub fn is_opaque_absolute_uri(callback: &str) -> bool {
    crate::header::is_opaque_absolute_uri(callback)
}

/// The query [`crate::Callback::parse`] reads from a callback URL or bare query string.
///
/// # Errors
/// [`ParseError::Url`](crate::ParseError::Url) when the input looks like a URL that cannot be split.
pub fn callback_query(input: &str) -> Result<&str, Error> {
    crate::url::callback_query(input)
}

/// The raw `(name, value)` pairs of a form body or query, as the parsers split them.
pub fn raw_pairs(input: &str) -> impl Iterator<Item = (&str, &str)> {
    crate::form::RawPairs::new(input)
}
