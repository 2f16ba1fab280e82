//! The little URL handling OAuth 1.0a needs: the scheme and host (for the transport rule), and the
//! query (for callbacks). Not a general URL parser.

use alloc::string::String;

use crate::Error;
use crate::{Misuse, ParseError};

/// The parts of an absolute URL, borrowed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct UrlParts<'a> {
    pub(crate) scheme: &'a str,
    /// The host as written: an IPv6 literal keeps its brackets. Never empty, and never holds
    /// `%` or `\` (see [`split`]).
    pub(crate) host: &'a str,
    /// The port, 1 to 65535, as a number (`080` is 80); `None` when there is none or it is empty
    /// (a bare `:`).
    pub(crate) port: Option<u16>,
    /// The path as written (`""` when there is none).
    pub(crate) path: &'a str,
    pub(crate) query: Option<&'a str>,
}

const fn invalid(reason: &'static str) -> Error {
    Error::Parse(ParseError::Url { reason })
}

/// The bytes [`split`] stops at: the delimiters it looks for, `\`, spaces and control characters.
// b < 256 always indexes the 256-entry table.
#[allow(clippy::indexing_slicing)]
const SPECIAL: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        table[b] =
            b <= 0x20 || b == 0x7f || matches!(b as u8, b':' | b'/' | b'?' | b'#' | b'@' | b'\\');
        b += 1;
    }
    table
};

#[inline]
fn is_special(b: u8) -> bool {
    // A u8 always indexes a 256-entry table.
    #[allow(clippy::indexing_slicing)]
    SPECIAL[usize::from(b)]
}

/// Splits an absolute `scheme://authority/path?query#fragment` URL.
///
/// The host found must be the one an HTTP client connects to, whichever URL grammar it follows:
/// the cleartext rule ([`check_cleartext_allowed`]) trusts it. So what WHATWG URL parsers (the
/// `url` crate under reqwest, browsers) and RFC 3986 parsers read differently is refused rather
/// than guessed at:
///
/// - a `\` in the authority: WHATWG reads it as `/` in `http` and `https` URLs, so that
///   `http://evil.example\@127.0.0.1/` goes to `evil.example`, while RFC 3986 sees the host
///   `127.0.0.1`;
/// - more than one `@` in the authority: parsers disagree on which one ends the userinfo;
/// - a `%` in the host: WHATWG decodes it (`127.0.0.%31` is `127.0.0.1`), RFC 3986 does not;
/// - spaces and control characters anywhere: WHATWG drops tabs and newlines (`ht\tp://` is
///   `http://`), RFC 3986 forbids them.
///
/// The port must be a number from 1 to 65535.
pub(crate) fn split(url: &str) -> Result<UrlParts<'_>, Error> {
    // One pass finds every delimiter and any control character: on the signing hot path this
    // costs less than a search per delimiter.
    let mut colon = None;
    let mut question = None;
    let mut hash = None;
    let mut slash = None;
    let mut at = None;
    let mut port_colon = None;
    let mut second_at = false;
    let mut backslash = false;
    let mut control = false;
    for (i, &b) in url.as_bytes().iter().enumerate() {
        if !is_special(b) {
            continue;
        }
        // Within the authority: after `scheme://`, before any path, query or fragment.
        let in_authority = slash.is_none()
            && question.is_none()
            && hash.is_none()
            && colon.is_some_and(|c| i >= c + 3);
        match b {
            b':' if colon.is_none() => colon = Some(i),
            // The first `:` after the userinfo's last `@`.
            b':' if in_authority && port_colon.is_none() => port_colon = Some(i),
            b'@' if in_authority => {
                second_at |= at.is_some();
                at = Some(i);
                port_colon = None;
            }
            b'\\' if in_authority => backslash = true,
            // The first `/` of the authority's end.
            b'/' if in_authority => slash = Some(i),
            b'?' if question.is_none() && hash.is_none() => question = Some(i),
            b'#' if hash.is_none() => hash = Some(i),
            0..=b' ' | 0x7f => control = true,
            _ => {}
        }
    }
    let (scheme, authority_start) = colon
        .and_then(|c| {
            url.get(c + 1..)?.strip_prefix("//")?;
            Some((url.get(..c)?, c + 3))
        })
        .ok_or(invalid(
            "expected an absolute URL such as https://host/path",
        ))?;
    if !is_scheme(scheme) {
        return Err(invalid(
            "the scheme must be letters, digits, '+', '-' or '.'",
        ));
    }
    if control {
        return Err(invalid(
            "control characters and spaces must be percent-encoded",
        ));
    }
    if backslash {
        return Err(invalid(
            "'\\' before the path: browsers and most HTTP clients read it as '/', so the host would not be the one checked; use '/' to end the host, or write %5C in a user name or password",
        ));
    }
    if second_at {
        return Err(invalid(
            "more than one '@' before the path: HTTP clients disagree on where the host starts; write '@' in a user name or password as %40",
        ));
    }
    // Every index found is that of an ASCII byte, so every slice below is on a boundary; a
    // valid scheme holds no `?` or `#`, so they come after `://`.
    let end = url.len();
    let query = match question {
        Some(q) => url.get(q + 1..hash.unwrap_or(end)),
        None => None,
    };
    let before_query = question.or(hash).unwrap_or(end);
    let authority_end = slash.unwrap_or(before_query);
    let path = url.get(authority_end..before_query).unwrap_or_default();
    let host_start = at.map_or(authority_start, |a| a + 1);
    let host_port = url.get(host_start..authority_end).unwrap_or_default();
    let (host, port) = if host_port.starts_with('[') {
        bracketed(host_port)?
    } else {
        match port_colon {
            Some(c) => (
                url.get(host_start..c).unwrap_or_default(),
                url.get(c + 1..authority_end),
            ),
            None => (host_port, None),
        }
    };
    checked(scheme, host, port, path, query)
}

/// An IPv6 host in brackets and the port after it, if any.
fn bracketed(host_port: &str) -> Result<(&str, Option<&str>), Error> {
    let end = host_port.find(']').ok_or(invalid(
        "an IPv6 host lacks its closing ']': write it as [::1] or [::1]:8080",
    ))?;
    let (host, rest) = host_port.split_at(end + 1);
    let port = match rest.strip_prefix(':') {
        Some(port) => Some(port),
        None if rest.is_empty() => None,
        None => {
            return Err(invalid(
                "only a port may follow an IPv6 host: write it as [::1]:8080",
            ));
        }
    };
    Ok((host, port))
}

/// The parts, once the host is known not to be empty or percent-encoded and the port to be a
/// number from 1 to 65535 (leading zeros allowed, as every URL parser allows them).
fn checked<'a>(
    scheme: &'a str,
    host: &'a str,
    port: Option<&'a str>,
    path: &'a str,
    query: Option<&'a str>,
) -> Result<UrlParts<'a>, Error> {
    if host.is_empty() {
        return Err(invalid(
            "the URL has no host: write it as scheme://host/path",
        ));
    }
    if host.contains('%') {
        return Err(invalid(
            "the host is percent-encoded, which HTTP clients decode differently: write the host name as plain text (an international name in its xn-- form)",
        ));
    }
    let port = match port {
        None | Some("") => None,
        Some(digits) => Some(parse_port(digits)?),
    };
    Ok(UrlParts {
        scheme,
        host,
        port,
        path,
        query,
    })
}

/// A port: ASCII digits only (no sign), 1 to 65535.
fn parse_port(digits: &str) -> Result<u16, Error> {
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid(
            "the port must be digits only: write it as host:8080, or leave it out for the scheme's default",
        ));
    }
    // Leading zeros do not count against the length: `0080` is 80.
    let significant = digits.trim_start_matches('0');
    if significant.is_empty() {
        return Err(invalid(
            "port 0 cannot be connected to: use a port from 1 to 65535, or leave it out for the scheme's default",
        ));
    }
    // Digits without leading zeros: only a number above 65535 fails to parse.
    significant
        .parse::<u16>()
        .map_err(|_| invalid("the port is larger than 65535: use a port from 1 to 65535"))
}

/// Whether `host` is a loopback host: `localhost`, an address in `127.0.0.0/8`, `::1` (with or
/// without brackets), or an IPv4-mapped IPv6 loopback address.
///
/// ```
/// use countersign::transport::is_loopback_host;
///
/// assert!(is_loopback_host("127.0.0.1"));
/// assert!(is_loopback_host("127.8.9.10"));
/// assert!(is_loopback_host("[::1]"));
/// assert!(is_loopback_host("LocalHost"));
/// assert!(!is_loopback_host("localhost.example.com"));
/// assert!(!is_loopback_host("128.0.0.1"));
/// ```
#[must_use]
pub fn is_loopback_host(host: &str) -> bool {
    let host = host.strip_suffix('.').unwrap_or(host);
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    let unbracketed = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    if let Ok(v4) = unbracketed.parse::<core::net::Ipv4Addr>() {
        return v4.is_loopback();
    }
    if let Ok(v6) = unbracketed.parse::<core::net::Ipv6Addr>() {
        return v6.is_loopback() || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback());
    }
    false
}

/// Checks that secrets may be sent in the clear to `url`: it is `https://`, or `http://` to a
/// loopback host, or `allow_insecure_http` is set.
///
/// # Errors
/// [`Misuse::InsecureTransport`](crate::Misuse::InsecureTransport) for `http://` to another host (or any other scheme) without the
/// switch, [`ParseError::Url`](crate::ParseError::Url) when `url` is not an absolute URL.
///
/// ```
/// use countersign::{Error, Misuse, transport::check_cleartext_allowed};
///
/// assert!(check_cleartext_allowed("https://api.discogs.com/oauth/identity", false).is_ok());
/// assert!(check_cleartext_allowed("http://127.0.0.1:8080/oauth/identity", false).is_ok());
/// assert_eq!(
///     check_cleartext_allowed("http://api.discogs.com/", false),
///     Err(Error::Misuse(Misuse::InsecureTransport))
/// );
/// assert!(check_cleartext_allowed("http://api.discogs.com/", true).is_ok());
/// ```
pub fn check_cleartext_allowed(url: &str, allow_insecure_http: bool) -> Result<(), Error> {
    // The common case, decided without looking further: this is the hot path of every signed
    // request, and whether the rest is a well-formed URL is the HTTP client's concern.
    if starts_with_https(url) {
        return Ok(());
    }
    let parts = split(url)?;
    if parts.scheme.eq_ignore_ascii_case("https")
        || allow_insecure_http
        || (parts.scheme.eq_ignore_ascii_case("http") && is_loopback_host(parts.host))
    {
        Ok(())
    } else {
        Err(Error::Misuse(Misuse::InsecureTransport))
    }
}

/// Whether `url` starts with `https://`, the scheme in any case: one 8-byte comparison.
#[inline]
fn starts_with_https(url: &str) -> bool {
    // Setting bit 0x20 lowercases an ASCII letter (and maps no other byte onto one): applied
    // to the five letters only, so that "://" must match exactly.
    const LOWERCASE_SCHEME: u64 = u64::from_le_bytes([0x20, 0x20, 0x20, 0x20, 0x20, 0, 0, 0]);
    let Some(head) = url.as_bytes().first_chunk::<8>() else {
        return false;
    };
    u64::from_le_bytes(*head) | LOWERCASE_SCHEME == u64::from_le_bytes(*b"https://")
}

/// `url` (absolute, or a path) cut into what comes before its query, its query and its
/// fragment: the fragment starts at the first `#`, the query at the first `?` before it (a `?`
/// in the fragment starts nothing).
pub(crate) fn split_query(url: &str) -> (&str, Option<&str>, Option<&str>) {
    // One scan to the first `?` or `#`, and from a `?` on to the first `#`.
    let bytes = url.as_bytes();
    let Some(at) = crate::swar::find_either(bytes, b'?', b'#') else {
        return (url, None, None);
    };
    // Both are ASCII: the halves are split on character boundaries.
    let (base, after) = (
        url.get(..at).unwrap_or_default(),
        url.get(at + 1..).unwrap_or_default(),
    );
    if bytes.get(at) == Some(&b'#') {
        return (base, None, Some(after));
    }
    match crate::swar::find_either(after.as_bytes(), b'#', b'#') {
        Some(end) => (
            base,
            after.get(..end),
            Some(after.get(end + 1..).unwrap_or_default()),
        ),
        None => (base, Some(after), None),
    }
}

/// `url` with `query` (already encoded) added to its query: after `?`, or after `&` when it
/// has a query already, and before any fragment.
pub(crate) fn with_query(url: &str, query: &str) -> String {
    let (base, existing, fragment) = split_query(url);
    let mut out = String::with_capacity(url.len() + query.len() + 2);
    out.push_str(base);
    out.push('?');
    if let Some(existing) = existing {
        out.push_str(existing);
        if !existing.is_empty() && !existing.ends_with('&') {
            out.push('&');
        }
    }
    out.push_str(query);
    if let Some(fragment) = fragment {
        out.push('#');
        out.push_str(fragment);
    }
    out
}

/// `ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )` (RFC 3986 section 3.1).
fn is_scheme(scheme: &str) -> bool {
    let mut bytes = scheme.bytes();
    bytes.next().is_some_and(|b| b.is_ascii_alphabetic())
        && bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
}

/// The query of a callback: the part after `?` of an absolute URL, or else the input itself as a
/// query string (one leading `?` allowed). The input is a URL only when it starts with a scheme
/// and `://`: a query may carry unencoded URLs in its values (`next=https://...`).
pub(crate) fn callback_query(input: &str) -> Result<&str, Error> {
    let input = input.trim();
    let is_url = input.find(':').is_some_and(|i| {
        input.get(..i).is_some_and(is_scheme)
            && input
                .get(i + 1..)
                .is_some_and(|rest| rest.starts_with("//"))
    });
    if is_url {
        return Ok(split(input)?.query.unwrap_or(""));
    }
    let without_fragment = input.split_once('#').map_or(input, |(r, _)| r);
    Ok(without_fragment
        .strip_prefix('?')
        .unwrap_or(without_fragment))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The splitter as it was: one search per delimiter. The one-pass splitter must agree.
    fn split_reference(url: &str) -> Result<UrlParts<'_>, Error> {
        // `find(':')` and a prefix test: far cheaper than a substring search for "://".
        let (scheme, rest) = url
            .find(':')
            .and_then(|i| Some((url.get(..i)?, url.get(i + 1..)?.strip_prefix("//")?)))
            .ok_or(invalid(
                "expected an absolute URL such as https://host/path",
            ))?;
        if !is_scheme(scheme) {
            return Err(invalid(
                "the scheme must be letters, digits, '+', '-' or '.'",
            ));
        }
        if url.bytes().any(|b| b <= b' ' || b == 0x7f) {
            return Err(invalid(
                "control characters and spaces must be percent-encoded",
            ));
        }
        let without_fragment = rest.split_once('#').map_or(rest, |(r, _)| r);
        let (before_query, query) = match without_fragment.split_once('?') {
            Some((b, q)) => (b, Some(q)),
            None => (without_fragment, None),
        };
        let (authority, path) = match before_query.find('/') {
            Some(i) => before_query.split_at(i),
            None => (before_query, ""),
        };
        if authority.contains('\\') {
            return Err(invalid(
                "'\\' before the path: browsers and most HTTP clients read it as '/', so the host would not be the one checked; use '/' to end the host, or write %5C in a user name or password",
            ));
        }
        if authority.matches('@').count() > 1 {
            return Err(invalid(
                "more than one '@' before the path: HTTP clients disagree on where the host starts; write '@' in a user name or password as %40",
            ));
        }
        let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
        let (host, port) = if host_port.starts_with('[') {
            bracketed(host_port)?
        } else {
            match host_port.split_once(':') {
                Some((h, p)) => (h, Some(p)),
                None => (host_port, None),
            }
        };
        checked(scheme, host, port, path, query)
    }

    #[test]
    fn one_pass_split_agrees_with_the_searches() {
        let pieces = [
            "http",
            "HTTPS",
            "h+t.p-",
            "1x",
            "",
            ":",
            "//",
            "/",
            "?",
            "#",
            "@",
            "[",
            "]",
            "::1",
            "a",
            "b.example",
            ":80",
            ":",
            " ",
            "\u{7f}",
            "%20",
            "\\",
            "\\@",
            ":0",
            ":080",
            ":65536",
            "&",
            "=",
            "\u{e9}",
            "u:p@",
        ];
        let mut inputs = alloc::vec::Vec::new();
        for a in pieces {
            for b in pieces {
                for c in pieces {
                    inputs.push(alloc::format!("{a}://{b}{c}"));
                    inputs.push(alloc::format!("{a}{b}{c}"));
                    inputs.push(alloc::format!("http://{a}{b}/{c}"));
                    inputs.push(alloc::format!("https://h{a}?{b}#{c}"));
                }
            }
        }
        for url in &inputs {
            assert_eq!(split(url), split_reference(url), "{url:?}");
        }
    }

    /// Every string of up to `max` pieces from `alphabet`: the inputs of the differential tests.
    pub(crate) fn strings_of(alphabet: &[&str], max: usize) -> alloc::vec::Vec<String> {
        let mut all = alloc::vec![String::new()];
        let mut last = all.clone();
        for _ in 0..max {
            last = last
                .iter()
                .flat_map(|s| {
                    alphabet
                        .iter()
                        .map(move |piece| alloc::format!("{s}{piece}"))
                })
                .collect();
            all.extend(last.iter().cloned());
        }
        all
    }

    #[test]
    fn split_query_agrees_with_splitting_at_the_fragment_then_the_query() {
        // What it did with two `split_once`s, before it scanned for both at once.
        fn reference(url: &str) -> (&str, Option<&str>, Option<&str>) {
            let (before, fragment) = match url.split_once('#') {
                Some((before, fragment)) => (before, Some(fragment)),
                None => (url, None),
            };
            match before.split_once('?') {
                Some((base, query)) => (base, Some(query), fragment),
                None => (before, None, fragment),
            }
        }
        // Runs long enough to fill words, the two marks, and a character of two bytes.
        for tail in strings_of(&["?", "#", "a", "\u{e9}", "abcdefgh"], 5) {
            let url = alloc::format!("https://h/p{tail}");
            assert_eq!(split_query(&url), reference(&url), "{url:?}");
            assert_eq!(split_query(&tail), reference(&tail), "{tail:?}");
        }
    }

    #[test]
    fn splits_hosts() {
        let p = split("http://user:pw@EXAMPLE.COM:80/r%20v/X?id=123#frag").unwrap();
        assert_eq!(p.scheme, "http");
        assert_eq!(p.host, "EXAMPLE.COM");
        assert_eq!(p.query, Some("id=123"));
        assert_eq!(p.port, Some(80));
        assert_eq!(p.path, "/r%20v/X");
        assert_eq!(split("http://[::1]:8080/").unwrap().host, "[::1]");
        assert_eq!(split("http://[::1]:8080/").unwrap().port, Some(8080));
        assert_eq!(split("https://h").unwrap().path, "");
        assert_eq!(split("https://h?q").unwrap().query, Some("q"));
        assert_eq!(split("https://h#x?q").unwrap().query, None);
        for (url, parts) in [
            ("https://h/p?a=1#f", ("https://h/p", Some("a=1"), Some("f"))),
            ("/p#top?a=1", ("/p", None, Some("top?a=1"))),
            ("/p?#", ("/p", Some(""), Some(""))),
            ("/p", ("/p", None, None)),
        ] {
            assert_eq!(split_query(url), parts, "{url}");
        }
    }

    #[test]
    fn rejects_what_is_not_a_url() {
        for bad in [
            "",
            "example.com/path",
            "/relative",
            "://host",
            "1http://host",
            "http:///path",
            "http://[::1/",
            "http://host/a b",
            "http://user@/x",
            "http://host:8o/",
            "http://[::1]x/",
        ] {
            assert!(
                matches!(split(bad), Err(Error::Parse(ParseError::Url { .. }))),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn ports_are_numbers_from_1_to_65535() {
        let port = |url| split(url).map(|p| p.port);
        assert_eq!(port("http://h:080/p"), Ok(Some(80)));
        assert_eq!(port("https://h:0443/"), Ok(Some(443)));
        assert_eq!(port("http://h:8080/"), Ok(Some(8080)));
        assert_eq!(port("http://h:00000000000000008080/"), Ok(Some(8080)));
        assert_eq!(port("http://h:65535/"), Ok(Some(65535)));
        assert_eq!(port("http://[::1]:01/"), Ok(Some(1)));
        assert_eq!(port("http://h:/"), Ok(None));
        assert_eq!(port("http://h/"), Ok(None));
        for (bad, says) in [
            ("http://h:0/", "port 0"),
            ("http://h:000/", "port 0"),
            ("http://[::1]:0/", "port 0"),
            ("http://h:65536/", "larger than 65535"),
            ("http://h:99999999999/", "larger than 65535"),
            ("http://h:+80/", "digits only"),
            ("http://h:-1/", "digits only"),
            ("http://h:8o/", "digits only"),
            ("http://h:80:80/", "digits only"),
        ] {
            let error = split(bad).unwrap_err();
            assert!(
                matches!(error, Error::Parse(ParseError::Url { .. })),
                "{bad}"
            );
            let message = alloc::string::ToString::to_string(&error);
            assert!(message.contains(says), "{bad}: {message}");
        }
    }

    /// URLs whose host a WHATWG parser (reqwest's `url` crate, browsers) and an RFC 3986 parser
    /// read differently: refused, never judged by the host one of them sees.
    #[test]
    fn hosts_clients_read_differently_are_refused() {
        for (evil, says) in [
            // WHATWG: `\` is `/`, so the host is evil.com; RFC 3986: userinfo, host 127.0.0.1.
            ("http://evil.com\\@127.0.0.1/", "%5C"),
            ("http://evil.com\\@localhost:8080/x", "%5C"),
            ("http://evil.com\\@[::1]/", "%5C"),
            ("HTTP://evil.com\\@127.0.0.1", "%5C"),
            ("http://user:pw\\@127.0.0.1/", "%5C"),
            ("http://127.0.0.1\\.evil.com/", "%5C"),
            ("http://localhost\\evil.com/", "%5C"),
            ("http://127.0.0.1:80\\@evil.com/", "%5C"),
            // Which `@` ends the userinfo.
            ("http://a@evil.com@127.0.0.1/", "%40"),
            ("http://evil.com@@127.0.0.1/", "%40"),
            ("http://a@b@localhost/", "%40"),
            // WHATWG decodes the host: `127.0.0.%31` is 127.0.0.1, `%6c...` localhost.
            ("http://127.0.0.%31/", "plain text"),
            ("http://%6c%6fcalhost/", "plain text"),
            ("http://evil.com%2F@127.0.0.1%2Eevil.com/", "plain text"),
            ("http://[::1%25eth0]/", "plain text"),
            // WHATWG drops tabs and newlines: the host would be 127.0.0.1.evil.com.
            ("http://127.0.0.1\t.evil.com/", "percent-encoded"),
            ("http://127.0.0.1\n.evil.com/", "percent-encoded"),
            ("http://127.0.0.1\r\n.evil.com/", "percent-encoded"),
            ("ht\ttp://127.0.0.1.evil.com/", "scheme"),
            (" http://127.0.0.1/", "scheme"),
        ] {
            for allow_insecure_http in [false, true] {
                let error = check_cleartext_allowed(evil, allow_insecure_http).unwrap_err();
                assert!(
                    matches!(error, Error::Parse(ParseError::Url { .. })),
                    "{evil:?}"
                );
                let message = alloc::string::ToString::to_string(&error);
                assert!(message.contains(says), "{evil:?}: {message}");
            }
        }
        // What every parser reads alike stays as it was: the last `@` of one, a `\` past the
        // host, `%` outside the host.
        assert_eq!(
            check_cleartext_allowed("http://127.0.0.1@evil.com/", false),
            Err(Error::Misuse(Misuse::InsecureTransport))
        );
        assert_eq!(
            check_cleartext_allowed("http://evil.com%40x@127.0.0.1/", false),
            Ok(())
        );
        assert_eq!(
            check_cleartext_allowed("http://127.0.0.1/a\\b?c=\\#\\", false),
            Ok(())
        );
        assert_eq!(
            check_cleartext_allowed("http://127.0.0.1/%2F?q=%40", false),
            Ok(())
        );
        assert_eq!(
            check_cleartext_allowed("http://127.0.0.1?@evil.com", false),
            Ok(())
        );
        assert_eq!(
            check_cleartext_allowed("http://127.0.0.1#@evil.com", false),
            Ok(())
        );
        // `https://` needs no host check: every parser sees the scheme alike.
        assert_eq!(
            check_cleartext_allowed("https://evil.com\\@127.0.0.1/", false),
            Ok(())
        );
        assert!(matches!(
            split("https://evil.com\\@127.0.0.1/"),
            Err(Error::Parse(ParseError::Url { .. }))
        ));
    }

    #[test]
    fn cleartext_rule() {
        for ok in [
            "https://api.discogs.com/",
            "HTTPS://API.DISCOGS.COM/",
            "http://127.0.0.1/",
            "http://127.255.255.254:9/",
            "http://localhost:8080/oauth",
            "http://LOCALHOST./",
            "http://[::1]:80/",
            "http://[::ffff:127.0.0.1]/",
        ] {
            assert_eq!(check_cleartext_allowed(ok, false), Ok(()), "{ok}");
        }
        for refused in [
            "http://api.discogs.com/",
            "http://128.0.0.1/",
            "http://10.0.0.1/",
            "http://[::2]/",
            "http://localhost.evil.com/",
            "http://127.0.0.1.evil.com/",
            "http://127.0.0.1@evil.com/",
            "ftp://localhost.example/",
            "ws://example.com/",
        ] {
            assert_eq!(
                check_cleartext_allowed(refused, false),
                Err(Error::Misuse(Misuse::InsecureTransport)),
                "{refused}"
            );
        }
        assert_eq!(check_cleartext_allowed("http://example.com/", true), Ok(()));
        assert!(matches!(
            check_cleartext_allowed("http://", false),
            Err(Error::Parse(ParseError::Url { .. }))
        ));
    }

    #[test]
    fn https_prefix_in_any_case_only() {
        for yes in ["https://x", "HTTPS://x", "HtTpS://", "Https://"] {
            assert!(starts_with_https(yes), "{yes}");
        }
        for no in [
            "http://x",
            "https:/x",
            "httpsx//",
            "hTTp://s",
            "https",
            "",
            "h\u{e9}ps://",
            // 0x08 | 0x20 is '(' and 'H' ^ 0x20 is 'h': only real letters fold.
            "\u{8}ttps://",
        ] {
            assert!(!starts_with_https(no), "{no}");
        }
    }

    #[test]
    fn callback_queries() {
        assert_eq!(
            callback_query("http://client.example.net/cb?x=1&oauth_token=a#f").unwrap(),
            "x=1&oauth_token=a"
        );
        assert_eq!(callback_query("?oauth_token=a").unwrap(), "oauth_token=a");
        assert_eq!(callback_query("oauth_token=a").unwrap(), "oauth_token=a");
        assert_eq!(callback_query("http://client.example.net/cb").unwrap(), "");
        // A query may hold URLs in its values: it is still a query.
        assert_eq!(
            callback_query("next=https://app.example/&oauth_token=a").unwrap(),
            "next=https://app.example/&oauth_token=a"
        );
        assert_eq!(
            callback_query("?oauth_token=a&oauth_verifier=b#http://x").unwrap(),
            "oauth_token=a&oauth_verifier=b"
        );
        // Found by fuzzing: a bare query is not split again at a later '?'.
        assert_eq!(callback_query("://?://").unwrap(), "://?://");
        assert_eq!(callback_query("??a=1").unwrap(), "?a=1");
    }
}
