//! The scheme and host a client used, as a trusted reverse proxy reports them: `Forwarded`
//! (RFC 7239) or `X-Forwarded-Proto` and `X-Forwarded-Host`.
//!
//! Only the element the nearest proxy added is read (the last one): it is the proxy the server
//! trusts, and what came before it came from further away, the client included.

use std::net::IpAddr;
use std::sync::Arc;

use http::HeaderMap;

/// How the peer address of a request is found.
pub(crate) type PeerOf = Arc<dyn Fn(&http::request::Parts) -> Option<IpAddr> + Send + Sync>;

/// The proxies whose forwarding headers are believed, and how to find a request's peer.
#[derive(Clone)]
pub(crate) struct Trusted {
    pub(crate) proxies: Vec<IpAddr>,
    pub(crate) peer: PeerOf,
}

impl Trusted {
    /// The scheme and host the client used, when the request came from a trusted proxy that
    /// said; `None` for either the proxy did not say, or said in a form that is not plain.
    pub(crate) fn origin(
        &self,
        parts: &http::request::Parts,
    ) -> (Option<&'static str>, Option<String>) {
        let trusted = (self.peer)(parts).is_some_and(|peer| self.proxies.contains(&peer));
        if !trusted {
            return (None, None);
        }
        let (mut scheme, mut host) = from_forwarded(&parts.headers);
        if scheme.is_none() {
            scheme = last_value(&parts.headers, "x-forwarded-proto").and_then(|p| known_scheme(&p));
        }
        if host.is_none() {
            host = last_value(&parts.headers, "x-forwarded-host").filter(|h| plain_host(h));
        }
        (scheme, host)
    }
}

/// The last comma-separated value of the last `name` header.
fn last_value(headers: &HeaderMap, name: &str) -> Option<String> {
    let value = headers.get_all(name).iter().next_back()?.to_str().ok()?;
    let last = value.rsplit(',').next()?.trim();
    (!last.is_empty()).then(|| last.to_owned())
}

/// `proto` and `host` of the last element of the last `Forwarded` header.
fn from_forwarded(headers: &HeaderMap) -> (Option<&'static str>, Option<String>) {
    let Some(value) = headers
        .get_all(http::header::FORWARDED)
        .iter()
        .next_back()
        .and_then(|v| v.to_str().ok())
    else {
        return (None, None);
    };
    let element = value.rsplit(',').next().unwrap_or_default();
    let (mut scheme, mut host) = (None, None);
    for pair in element.split(';') {
        let Some((name, value)) = pair.split_once('=') else {
            continue;
        };
        let value = value.trim();
        let value = value
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .unwrap_or(value);
        match name.trim().to_ascii_lowercase().as_str() {
            "proto" => scheme = known_scheme(value),
            "host" if plain_host(value) => host = Some(value.to_owned()),
            _ => {}
        }
    }
    (scheme, host)
}

fn known_scheme(value: &str) -> Option<&'static str> {
    match value.to_ascii_lowercase().as_str() {
        "https" => Some("https"),
        "http" => Some("http"),
        _ => None,
    }
}

/// A host and optional port, and nothing else (no path, user information or spaces).
fn plain_host(value: &str) -> bool {
    !value.is_empty()
        && value.len() <= 255
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'))
        && value.parse::<http::uri::Authority>().is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(peer: [u8; 4], headers: &[(&str, &str)]) -> http::request::Parts {
        let mut request = http::Request::builder().uri("/photos");
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let (mut parts, ()) = request.body(()).unwrap().into_parts();
        parts.extensions.insert(IpAddr::from(peer));
        parts
    }

    fn trusted() -> Trusted {
        Trusted {
            proxies: vec![IpAddr::from([10, 0, 0, 1])],
            peer: Arc::new(|parts| parts.extensions.get::<IpAddr>().copied()),
        }
    }

    #[test]
    fn only_the_nearest_trusted_proxy_is_read() {
        let t = trusted();
        let forwarded = [(
            "forwarded",
            "for=198.51.100.7;proto=http;host=evil.example, for=192.0.2.60;proto=https;host=\"api.example.com\"",
        )];
        assert_eq!(
            t.origin(&parts([10, 0, 0, 1], &forwarded)),
            (Some("https"), Some("api.example.com".into()))
        );
        // From anyone else, the same headers are ignored.
        assert_eq!(t.origin(&parts([10, 0, 0, 2], &forwarded)), (None, None));
        let legacy = [
            ("x-forwarded-proto", "http, https"),
            ("x-forwarded-host", "api.example.com:8443"),
        ];
        assert_eq!(
            t.origin(&parts([10, 0, 0, 1], &legacy)),
            (Some("https"), Some("api.example.com:8443".into()))
        );
        // `Forwarded` wins over the older headers, field by field.
        let both = [
            ("forwarded", "proto=https"),
            ("x-forwarded-proto", "http"),
            ("x-forwarded-host", "api.example.com"),
        ];
        assert_eq!(
            t.origin(&parts([10, 0, 0, 1], &both)),
            (Some("https"), Some("api.example.com".into()))
        );
    }

    #[test]
    fn values_that_are_not_plain_are_ignored() {
        let t = trusted();
        for (name, value) in [
            ("forwarded", "proto=gopher;host=\"a b\""),
            ("forwarded", "host=\"user@api.example.com\""),
            ("forwarded", "host=api.example.com/path"),
            ("x-forwarded-host", "api.example.com/x"),
            ("x-forwarded-proto", "ftp"),
            ("x-forwarded-host", ""),
        ] {
            assert_eq!(
                t.origin(&parts([10, 0, 0, 1], &[(name, value)])),
                (None, None),
                "{name}: {value}"
            );
        }
    }
}
