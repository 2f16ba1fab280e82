//! The signature base string of RFC 5849 section 3.4.1, which the HMAC methods sign:
//! `METHOD&enc(base URI)&enc(normalized parameters)`, streamed into any `fmt::Write` (the MAC
//! itself, when signing) so that it is never built in memory on the hot path.

use crate::encode::{encode, encoded_exactly, needs_no_encoding};
use crate::form::Flavor;
#[cfg(doc)]
use crate::form::RawPairs;
use crate::url::UrlParts;
use crate::{Context, Error, Request};
use alloc::borrow::Cow;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

/// A parameter, both halves already percent-encoded once (section 3.4.1.3.2, step 1).
///
/// A half is borrowed only when it needed no encoding ([`enc_cow`], or a request's pair of
/// unreserved bytes only): a borrowed half holds no `%`, which [`put_encoded_param`] relies on.
pub(crate) type EncodedParam<'a> = (Cow<'a, str>, Cow<'a, str>);

/// `value` percent-encoded, borrowed when nothing needs encoding (so a borrowed result is all
/// unreserved bytes).
pub(crate) fn enc_cow<'a>(value: Cow<'a, str>) -> Cow<'a, str> {
    match value {
        Cow::Borrowed(value) => encoded_exactly(value),
        // A decoded value is kept as it is when nothing needs encoding.
        Cow::Owned(value) => match encoded_exactly(&value) {
            Cow::Borrowed(_) => Cow::Owned(value),
            Cow::Owned(encoded) => Cow::Owned(encoded),
        },
    }
}

/// Adds the parameters of the request itself to `out`: the query's, and the body's when it is a
/// form (section 3.4.1.3.1). Both are decoded as `application/x-www-form-urlencoded` (`+` is a
/// space) and encoded again per section 3.6.
pub(crate) fn add_request_params<'a>(
    request: &Request<'a>,
    url: &UrlParts<'a>,
    out: &mut Vec<EncodedParam<'a>>,
) -> Result<(), Error> {
    for_each_request_param(request, url, |p| out.push(p))
}

/// Hands each parameter of the request itself to `f`, as [`add_request_params`] adds them.
pub(crate) fn for_each_request_param<'a>(
    request: &Request<'a>,
    url: &UrlParts<'a>,
    mut f: impl FnMut(EncodedParam<'a>),
) -> Result<(), Error> {
    let query = url.query.unwrap_or("");
    let body = match request.form_body() {
        Some(body) => core::str::from_utf8(body)
            .map_err(|_| Error::decode(Context::FormBody, crate::DecodeError::InvalidUtf8))?,
        None => "",
    };
    for (input, context) in [(query, Context::Url), (body, Context::FormBody)] {
        for_each_raw_pair(input, |raw_name, raw_value, plain| {
            // No `%` or `+` and nothing to encode: decoding and encoding again give the input
            // back.
            if plain {
                f((Cow::Borrowed(raw_name), Cow::Borrowed(raw_value)));
                return Ok(());
            }
            // A name that does not decode is not named: it may be a bare value (`?s3cr%t`).
            let name = Flavor::Form
                .decode(raw_name)
                .map_err(|e| Error::decode(context, e))?;
            let value = Flavor::Form
                .decode(raw_value)
                .map_err(|e| Error::decode_value_of(context, &name, e))?;
            f((enc_cow(name), enc_cow(value)));
            Ok(())
        })?;
    }
    Ok(())
}

/// Splits `input` into raw `(name, value)` pairs exactly as [`RawPairs`] does (empty segments
/// skipped, a segment without `=` is a name with an empty value), in one pass that also tells
/// whether both halves are plain: unreserved bytes only, so nothing to decode or encode.
fn for_each_raw_pair<'a>(
    input: &'a str,
    mut f: impl FnMut(&'a str, &'a str, bool) -> Result<(), Error>,
) -> Result<(), Error> {
    let mut start = 0;
    let mut eq = None;
    let mut plain = true;
    let mut emit = |start: usize, eq: Option<usize>, end: usize, plain: bool| {
        if end == start {
            return Ok(());
        }
        // `start`, `e` and `end` are at ASCII bytes or the end: character boundaries.
        let (name, value) = match eq {
            Some(e) => (input.get(start..e), input.get(e + 1..end)),
            None => (input.get(start..end), Some("")),
        };
        match (name, value) {
            (Some(name), Some(value)) => f(name, value, plain),
            _ => Ok(()),
        }
    };
    for (i, &b) in input.as_bytes().iter().enumerate() {
        if crate::encode::is_plain(b) {
            continue;
        }
        match b {
            b'&' => {
                emit(start, eq, i, plain)?;
                start = i + 1;
                eq = None;
                plain = true;
            }
            b'=' if eq.is_none() => eq = Some(i),
            _ => plain = false,
        }
    }
    emit(start, eq, input.len(), plain)
}

/// The request's parameters and these protocol parameters (raw), encoded once, unsorted.
pub(crate) fn collect<'a>(
    request: &Request<'a>,
    url: &UrlParts<'a>,
    protocol_params: &[(&'a str, &'a str)],
) -> Result<Vec<EncodedParam<'a>>, Error> {
    let mut params = Vec::with_capacity(protocol_params.len() + 4);
    add_request_params(request, url, &mut params)?;
    params.extend(
        protocol_params
            .iter()
            .map(|&(n, v)| (encoded_exactly(n), encoded_exactly(v))),
    );
    Ok(params)
}

/// Where the base string goes: the MAC itself when signing, a buffer for [`base_string`]. Takes
/// bytes, not `&str`: every piece written is ASCII, and the writers below are byte loops that
/// need none of `fmt::Write`'s machinery.
pub(crate) trait Sink {
    /// Appends `bytes`.
    fn put(&mut self, bytes: &[u8]);
}

impl Sink for Vec<u8> {
    fn put(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }
}

/// Writes `value` percent-encoded (RFC 5849 section 3.6): runs of unreserved bytes at once,
/// `%XX` for the others.
#[inline]
pub(crate) fn put_encoded<S: Sink + ?Sized>(out: &mut S, value: &[u8]) {
    for piece in percent_encoding::percent_encode(value, crate::encode::RFC5849) {
        out.put(piece.as_bytes());
    }
}

/// Writes `value` encoded, in upper or lower case: at once when it is already in that case and
/// needs no encoding (the usual `GET`, `https`, `api.example.com`), else a byte at a time.
fn put_cased<S: Sink + ?Sized>(out: &mut S, value: &str, upper: bool) {
    let table = if upper { &IN_UPPER } else { &IN_LOWER };
    // A u8 always indexes a 256-entry table.
    #[allow(clippy::indexing_slicing)]
    if value.bytes().all(|b| table[usize::from(b)]) {
        return out.put(value.as_bytes());
    }
    for b in value.bytes() {
        // Case changes only ASCII letters, so multi-byte characters stay intact.
        let b = if upper {
            b.to_ascii_uppercase()
        } else {
            b.to_ascii_lowercase()
        };
        put_encoded(out, &[b]);
    }
}

/// Unreserved bytes that are not lowercase letters, and those that are not uppercase letters:
/// what [`put_cased`] writes as they are.
const IN_UPPER: [bool; 256] = case_table(true);
const IN_LOWER: [bool; 256] = case_table(false);

// b < 256 always indexes the 256-entry table.
#[allow(clippy::indexing_slicing)]
const fn case_table(upper: bool) -> [bool; 256] {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        #[allow(clippy::cast_possible_truncation)] // b < 256
        let byte = b as u8;
        table[b] = crate::encode::is_unreserved(byte)
            && !(if upper {
                byte.is_ascii_lowercase()
            } else {
                byte.is_ascii_uppercase()
            });
        b += 1;
    }
    table
}

/// Writes the base string URI (section 3.4.1.2): scheme and host in lowercase, the port only when
/// it is not the scheme's default, the path as sent (`/` when empty), no query or fragment.
///
/// The port is a number (as `split` parsed it), written without leading zeros: `http://h:080/`
/// is `http://h/` and `http://h:08080/` is `http://h:8080/`, as the HTTP client sends them and as
/// other implementations (oauthlib) normalize them.
fn put_base_uri<S: Sink + ?Sized>(out: &mut S, parts: &UrlParts<'_>) {
    let scheme_is = |s: &str| parts.scheme.eq_ignore_ascii_case(s);
    let port = parts.port.filter(|&p| {
        let default = (scheme_is("http") && p == 80) || (scheme_is("https") && p == 443);
        !default
    });
    put_cased(out, parts.scheme, false);
    out.put(b"%3A%2F%2F");
    put_cased(out, parts.host, false);
    if let Some(port) = port {
        out.put(b"%3A");
        out.put(itoa::Buffer::new().format(port).as_bytes());
    }
    if parts.path.is_empty() {
        out.put(b"%2F");
    } else {
        put_encoded(out, parts.path.as_bytes());
    }
}

/// Writes `METHOD&enc(base URI)&`: everything before the parameters.
pub(crate) fn put_head<S: Sink + ?Sized>(out: &mut S, method: &str, url: &UrlParts<'_>) {
    put_cased(out, method, true);
    out.put(b"&");
    put_base_uri(out, url);
    out.put(b"&");
}

/// Writes one parameter (both halves encoded once) as it appears in the base string:
/// `enc(name)%3Denc(value)`.
#[inline]
pub(crate) fn put_param<S: Sink + ?Sized>(out: &mut S, name: &str, value: &str) {
    put_encoded_again(out, name.as_bytes());
    out.put(b"%3D");
    put_encoded_again(out, value.as_bytes());
}

/// Writes one parameter as [`put_param`] does: a borrowed half needed no encoding (see
/// [`EncodedParam`]), so it needs none the second time either and goes as it is.
#[inline]
pub(crate) fn put_encoded_param<S: Sink + ?Sized>(out: &mut S, (name, value): &EncodedParam<'_>) {
    put_encoded_half(out, name, matches!(name, Cow::Borrowed(_)));
    out.put(b"%3D");
    put_encoded_half(out, value, matches!(value, Cow::Borrowed(_)));
}

/// Writes `half` (encoded once) encoded again; `plain` when it is unreserved bytes only.
#[inline]
fn put_encoded_half<S: Sink + ?Sized>(out: &mut S, half: &str, plain: bool) {
    if plain {
        debug_assert!(needs_no_encoding(half), "not unreserved: {half:?}");
        out.put(half.as_bytes());
    } else {
        put_encoded_again(out, half.as_bytes());
    }
}

/// Writes `value`, which is already percent-encoded (unreserved bytes and `%XX` only), encoded
/// once more. Of its bytes only `%` is reserved, so the second encoding is `%` to `%25` and
/// nothing else: what [`put_encoded`] would write, without testing every byte against the set.
#[inline]
fn put_encoded_again<S: Sink + ?Sized>(out: &mut S, value: &[u8]) {
    debug_assert!(
        is_encoded(value),
        "not percent-encoded: {:?}",
        String::from_utf8_lossy(value)
    );
    let mut rest = value;
    while let Some(at) = rest.iter().position(|&b| b == b'%') {
        let (before, from) = rest.split_at(at);
        out.put(before);
        out.put(b"%25");
        rest = from.get(1..).unwrap_or_default();
    }
    out.put(rest);
}

/// Whether `value` is the output of the RFC 5849 encoding: unreserved bytes, and `%` followed by
/// two uppercase hex digits. For debug assertions.
fn is_encoded(value: &[u8]) -> bool {
    let mut bytes = value.iter();
    while let Some(&b) = bytes.next() {
        if b == b'%' {
            let hex = |d: Option<&u8>| d.is_some_and(|d| matches!(d, b'0'..=b'9' | b'A'..=b'F'));
            if !(hex(bytes.next()) && hex(bytes.next())) {
                return false;
            }
        } else if !crate::encode::is_plain(b) {
            return false;
        }
    }
    true
}

/// Byte order, as `Ord` for `str` has it; inline, because the strings compared are short and a
/// `memcmp` call costs more than the comparison.
#[inline]
fn cmp_bytes(a: &[u8], b: &[u8]) -> core::cmp::Ordering {
    for (x, y) in a.iter().zip(b) {
        if x != y {
            return x.cmp(y);
        }
    }
    a.len().cmp(&b.len())
}

/// The order of section 3.4.1.3.2: by encoded name, then by encoded value. The same order as
/// `Ord` for the pair.
#[inline]
pub(crate) fn cmp_params(a: (&str, &str), b: (&str, &str)) -> core::cmp::Ordering {
    cmp_bytes(a.0.as_bytes(), b.0.as_bytes())
        .then_with(|| cmp_bytes(a.1.as_bytes(), b.1.as_bytes()))
}

/// Writes the whole base string. `params` holds every parameter (the request's and the protocol
/// parameters, never `oauth_signature` or `realm`), encoded once; it is sorted here.
pub(crate) fn write<S: Sink + ?Sized>(
    out: &mut S,
    method: &str,
    url: &UrlParts<'_>,
    params: &mut [EncodedParam<'_>],
) {
    put_head(out, method, url);
    params.sort_unstable();
    for (i, param) in params.iter().enumerate() {
        if i > 0 {
            out.put(b"%26");
        }
        put_encoded_param(out, param);
    }
}

/// The signature base string of `request` with these protocol parameters (raw, not encoded;
/// without `oauth_signature` and `realm`), as RFC 5849 section 3.4.1 builds it. For tests,
/// debugging and providers; signing streams the same bytes into the MAC without building them.
///
/// The RFC 5849 section 3.4.1.1 example:
///
/// ```
/// use countersign::Request;
/// use countersign::base_string::base_string;
///
/// let request = Request::post("http://example.com/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b")
///     .with_form_body(b"c2&a3=2+q");
/// let protocol = [
///     ("oauth_consumer_key", "9djdj82h48djs9d2"),
///     ("oauth_token", "kkk9d7dh3k39sjv7"),
///     ("oauth_signature_method", "HMAC-SHA1"),
///     ("oauth_timestamp", "137131201"),
///     ("oauth_nonce", "7d8f3e4a"),
/// ];
/// assert_eq!(
///     base_string(&request, &protocol)?,
///     "POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q%26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D%26c2%3D%26oauth_consumer_key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk9d7dh3k39sjv7"
/// );
/// # Ok::<(), countersign::Error>(())
/// ```
///
/// # Errors
/// [`ParseError::Url`](crate::ParseError::Url) for a URL that is not absolute, whose host clients could read
/// differently, or whose port is not 1 to 65535; [`ParseError::Decode`](crate::ParseError::Decode) for a query
/// ([`Context::Url`]) or form body ([`Context::FormBody`]) that does not decode, naming the
/// parameter when its value is what does not decode.
pub fn base_string(
    request: &Request<'_>,
    protocol_params: &[(&str, &str)],
) -> Result<String, Error> {
    let url = crate::url::split(request.url())?;
    let mut params = collect(request, &url, protocol_params)?;
    let mut out = Vec::new();
    write(&mut out, request.method(), &url, &mut params);
    // Every byte written is ASCII.
    Ok(String::from_utf8(out).unwrap_or_default())
}

/// Where a parameter of a base string came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Source {
    /// The query of the URL.
    Query,
    /// The `application/x-www-form-urlencoded` body.
    Form,
    /// The protocol parameters (`oauth_*`, sent in the header).
    Protocol,
}

impl core::fmt::Display for Source {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Self::Query => "query",
            Self::Form => "form body",
            Self::Protocol => "protocol",
        })
    }
}

/// One parameter as a base string holds it: both halves percent-encoded once (RFC 5849 section
/// 3.4.1.3.2), with where it came from.
///
/// `Debug` redacts the value of a parameter whose name says it is a secret (`oauth_verifier`,
/// `oauth_session_handle`).
#[derive(Clone, PartialEq, Eq)]
pub struct Normalized {
    /// The name, encoded once.
    pub name: String,
    /// The value, encoded once.
    pub value: String,
    /// Where it came from.
    pub source: Source,
}

impl Normalized {
    /// Whether the value is a credential that must not be shown (`oauth_verifier`,
    /// `oauth_session_handle`).
    #[must_use]
    pub fn is_secret(&self) -> bool {
        matches!(
            self.name.as_str(),
            "oauth_verifier" | "oauth_session_handle"
        )
    }
}

impl core::fmt::Debug for Normalized {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let value: &dyn core::fmt::Debug = if self.is_secret() {
            &"[redacted]"
        } else {
            &self.value
        };
        f.debug_struct("Normalized")
            .field("name", &self.name)
            .field("value", value)
            .field("source", &self.source)
            .finish()
    }
}

/// A signature base string taken apart, for a person debugging a refused signature: the method,
/// the base string URI (scheme and host in lower case, default port dropped, no query), every
/// parameter in the order signed with where it came from, and the base string itself.
///
/// ```
/// use countersign::Request;
/// use countersign::base_string::{Source, explain};
///
/// let request = Request::post("HTTPS://API.Example.com:443/x?b=2").with_form_body(b"a=1+2");
/// let explained = explain(&request, &[("oauth_consumer_key", "key")])?;
/// assert_eq!(explained.uri, "https://api.example.com/x");
/// let params: Vec<_> = explained
///     .params
///     .iter()
///     .map(|p| (p.name.as_str(), p.value.as_str(), p.source))
///     .collect();
/// assert_eq!(
///     params,
///     [
///         ("a", "1%202", Source::Form),
///         ("b", "2", Source::Query),
///         ("oauth_consumer_key", "key", Source::Protocol),
///     ]
/// );
/// assert!(explained.base_string.starts_with("POST&https%3A%2F%2Fapi.example.com%2Fx&a%3D1%25202"));
/// # Ok::<(), countersign::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Explained {
    /// The method, in upper case.
    pub method: String,
    /// The base string URI, not encoded.
    pub uri: String,
    /// The parameters, sorted as the base string holds them.
    pub params: Vec<Normalized>,
    /// The base string.
    pub base_string: String,
}

/// Redacted: the base string holds the values of secret parameters.
impl core::fmt::Debug for Explained {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Explained")
            .field("method", &self.method)
            .field("uri", &self.uri)
            .field("params", &self.params)
            .finish_non_exhaustive()
    }
}

/// [`base_string`] of `request` with `protocol_params`, taken apart: see [`Explained`].
///
/// # Errors
/// As [`base_string`].
pub fn explain(
    request: &Request<'_>,
    protocol_params: &[(&str, &str)],
) -> Result<Explained, Error> {
    let url = crate::url::split(request.url())?;
    let mut params: Vec<(String, String, Source)> = Vec::new();
    let query_only = Request::new(request.method(), request.url());
    for_each_request_param(&query_only, &url, |(n, v)| {
        params.push((n.into_owned(), v.into_owned(), Source::Query));
    })?;
    if let Some(body) = request.form_body() {
        let no_query = UrlParts { query: None, ..url };
        let form_only = Request::new(request.method(), request.url()).with_form_body(body);
        for_each_request_param(&form_only, &no_query, |(n, v)| {
            params.push((n.into_owned(), v.into_owned(), Source::Form));
        })?;
    }
    for &(name, value) in protocol_params {
        params.push((
            encode(name).to_string(),
            encode(value).to_string(),
            Source::Protocol,
        ));
    }
    params.sort_by(|a, b| cmp_params((&a.0, &a.1), (&b.0, &b.1)));
    let mut head = Vec::new();
    put_head(&mut head, request.method(), &url);
    // `METHOD&enc(uri)&`: ASCII; the URI is the middle part, decoded once.
    let head = String::from_utf8(head).unwrap_or_default();
    let encoded_uri = head.split('&').nth(1).unwrap_or_default();
    let uri = crate::encode::decode(encoded_uri)
        .map(alloc::borrow::Cow::into_owned)
        .unwrap_or_default();
    Ok(Explained {
        method: head.split('&').next().unwrap_or_default().into(),
        uri,
        params: params
            .into_iter()
            .map(|(name, value, source)| Normalized {
                name,
                value,
                source,
            })
            .collect(),
        base_string: base_string(request, protocol_params)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ParseError;

    #[test]
    fn the_encoding_check_wants_uppercase_escapes_and_unreserved_bytes() {
        assert!(is_encoded(b"a-._~%2F%3D"));
        assert!(is_encoded(b""));
        for bad in [
            &b"%2f"[..],
            b"%2",
            b"%",
            b"%G0",
            b"%2G",
            b"a b",
            b"a=b",
            b"\xc3\xa9",
        ] {
            assert!(!is_encoded(bad), "{bad:?}");
        }
    }

    #[test]
    fn explain_names_each_source_and_redacts_secret_values() {
        let request = Request::post("https://api.example.com/x?q=1").with_form_body(b"f=2");
        let explained = explain(
            &request,
            &[("oauth_verifier", "v3r1f13r"), ("oauth_token", "t0k3n")],
        )
        .unwrap();
        let params: Vec<_> = explained
            .params
            .iter()
            .map(|p| (p.name.as_str(), p.value.as_str(), p.source, p.is_secret()))
            .collect();
        // The query's parameter once, from the query; the body's from the body.
        assert_eq!(
            params,
            [
                ("f", "2", Source::Form, false),
                ("oauth_token", "t0k3n", Source::Protocol, false),
                ("oauth_verifier", "v3r1f13r", Source::Protocol, true),
                ("q", "1", Source::Query, false),
            ]
        );
        assert_eq!(
            [Source::Query, Source::Form, Source::Protocol].map(|s| s.to_string()),
            ["query", "form body", "protocol"]
        );
        let debug = alloc::format!("{explained:?}");
        assert!(
            debug.starts_with("Explained { method: \"POST\", uri: \"https://api.example.com/x\"")
        );
        assert!(
            debug.contains(
                "Normalized { name: \"oauth_token\", value: \"t0k3n\", source: Protocol }"
            )
        );
        assert!(debug.contains(
            "Normalized { name: \"oauth_verifier\", value: \"[redacted]\", source: Protocol }"
        ));
        assert!(!debug.contains("v3r1f13r"), "{debug}");
    }

    fn uri(url: &str) -> String {
        let mut out = Vec::new();
        put_base_uri(&mut out, &crate::url::split(url).unwrap());
        crate::encode::decode(core::str::from_utf8(&out).unwrap())
            .unwrap()
            .into_owned()
    }

    #[test]
    fn base_string_uris_of_section_3_4_1_2() {
        assert_eq!(
            uri("http://EXAMPLE.COM:80/r%20v/X?id=123"),
            "http://example.com/r%20v/X"
        );
        assert_eq!(
            uri("https://www.example.net:8080/?q=1"),
            "https://www.example.net:8080/"
        );
        assert_eq!(uri("HTTPS://Example.com:443"), "https://example.com/");
        assert_eq!(uri("http://example.com:443/"), "http://example.com:443/");
        assert_eq!(uri("http://u:p@example.com/a#frag"), "http://example.com/a");
        assert_eq!(uri("http://[::1]:8080/x"), "http://[::1]:8080/x");
    }

    /// The port is a number: leading zeros dropped, the scheme's default left out however it is
    /// written (as oauthlib normalizes it).
    #[test]
    fn ports_are_numbers_in_the_base_string_uri() {
        assert_eq!(uri("http://h:080/p"), "http://h/p");
        assert_eq!(uri("https://h:0443/"), "https://h/");
        assert_eq!(uri("HTTPS://H:00443"), "https://h/");
        assert_eq!(uri("http://h:8080/"), "http://h:8080/");
        assert_eq!(uri("http://h:08080/"), "http://h:8080/");
        assert_eq!(uri("https://h:080/"), "https://h:80/");
        assert_eq!(uri("http://[::1]:0080/x"), "http://[::1]/x");
        assert_eq!(uri("http://h:/p"), "http://h/p");
        assert_eq!(uri("http://h:65535/"), "http://h:65535/");
        assert_eq!(
            base_string(&Request::get("http://h:080/p?a=1"), &[]).unwrap(),
            "GET&http%3A%2F%2Fh%2Fp&a%3D1"
        );
        for bad in [
            "http://h:0/",
            "https://h:99999999999/",
            "http://h:65536/",
            "http://h:8x/",
        ] {
            assert!(
                matches!(
                    base_string(&Request::get(bad), &[]),
                    Err(Error::Parse(ParseError::Url { .. }))
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn pairs_split_as_raw_pairs_does() {
        for input in [
            "",
            "&",
            "a",
            "a=",
            "=b",
            "&a=1&&b&c=&=d&e=f=g&",
            "a+b=%20&c==",
            "\u{e9}=\u{2603}&x",
        ] {
            let mut ours = Vec::new();
            for_each_raw_pair(input, |n, v, plain| {
                let expect_plain = n.bytes().chain(v.bytes()).all(crate::encode::is_plain);
                assert_eq!(plain, expect_plain, "{input:?}");
                ours.push((n, v));
                Ok(())
            })
            .unwrap();
            let theirs: Vec<_> = crate::form::RawPairs::new(input).collect();
            assert_eq!(ours, theirs, "{input:?}");
        }
    }

    fn encoded_by_the_crate(value: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        put_encoded(&mut out, value);
        out
    }

    #[test]
    fn encoding_again_is_encoding_the_encoded() {
        for value in [
            "",
            "plain-._~09AZaz",
            "/a b/\u{e9}/~x",
            "%/%%/%2F",
            "a=b&c",
            "%25",
            "\u{2603}+ ",
        ] {
            let once = encode(value).to_string();
            let mut ours = Vec::new();
            put_encoded_again(&mut ours, once.as_bytes());
            assert_eq!(ours, encoded_by_the_crate(once.as_bytes()), "{value:?}");
            let mut param = Vec::new();
            put_encoded_param(
                &mut param,
                &(encoded_exactly(value), encoded_exactly(value)),
            );
            let mut expected = encoded_by_the_crate(once.as_bytes());
            expected.extend_from_slice(b"%3D");
            expected.extend_from_slice(&encoded_by_the_crate(once.as_bytes()));
            assert_eq!(param, expected, "{value:?}");
        }
    }

    /// A form body's decode errors are the form body's, a query's the URL's; both name the
    /// parameter whose value does not decode, and never show the value.
    #[test]
    fn decode_errors_say_where_and_which_parameter() {
        use crate::DecodeError;
        use alloc::string::ToString;

        let post = |url, body: &'static [u8]| Request::post(url).with_form_body(body);
        let cases: [(Request<'_>, Error); 5] = [
            (
                post("https://h/", b"a=1&oauth_token_secret=s3cr%zz"),
                Error::Parse(ParseError::Decode {
                    context: Context::FormBody,
                    error: DecodeError::BadEscape { offset: 4 },
                    name: Some("oauth_token_secret".into()),
                }),
            ),
            (
                post("https://h/", b"x+y=%C3"),
                Error::Parse(ParseError::Decode {
                    context: Context::FormBody,
                    error: DecodeError::InvalidUtf8,
                    name: Some("x y".into()),
                }),
            ),
            (
                post("https://h/", b"s3cr%t"),
                Error::Parse(ParseError::Decode {
                    context: Context::FormBody,
                    error: DecodeError::BadEscape { offset: 4 },
                    name: None,
                }),
            ),
            (
                post("https://h/", b"a=\xff"),
                Error::Parse(ParseError::Decode {
                    context: Context::FormBody,
                    error: DecodeError::InvalidUtf8,
                    name: None,
                }),
            ),
            (
                Request::get("https://h/?q=1&page=%2"),
                Error::Parse(ParseError::Decode {
                    context: Context::Url,
                    error: DecodeError::BadEscape { offset: 0 },
                    name: Some("page".into()),
                }),
            ),
        ];
        for (request, expected) in cases {
            let error = base_string(&request, &[]).unwrap_err();
            assert_eq!(error, expected);
            let message = error.to_string();
            assert!(!message.contains("s3cr"), "{message}");
            assert!(!message.starts_with("URL:"), "{message}");
        }
        let message = base_string(&post("https://h/", b"a=1&oauth_token_secret=s3cr%zz"), &[])
            .unwrap_err()
            .to_string();
        assert!(
            message.starts_with(
                "form body, value of \"oauth_token_secret\": malformed percent-escape"
            ),
            "{message}"
        );
        assert!(message.contains("%25"), "{message}");
        let message = base_string(&post("https://h/", b"a=\xff"), &[])
            .unwrap_err()
            .to_string();
        assert!(message.starts_with("form body: "), "{message}");
        assert!(message.contains("UTF-8"), "{message}");
        let message = base_string(&Request::get("https://h/?page=%2"), &[])
            .unwrap_err()
            .to_string();
        assert!(
            message.starts_with("URL query, value of \"page\": "),
            "{message}"
        );
    }

    #[test]
    fn method_is_uppercased() {
        let s = base_string(&Request::new("get", "https://a.example/"), &[]).unwrap();
        assert_eq!(s, "GET&https%3A%2F%2Fa.example%2F&");
    }
}
