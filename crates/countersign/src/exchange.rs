//! One exchange with the provider, Sans-IO: the [`Exchange`] hands out the signed
//! `http::Request` to send, takes the `http::Response` back, and decides what happens next.
//!
//! An exchange is one step of the protocol (a leg of the three-legged flow, the identity call, a
//! renewal, or an API call), and everything it decides is written here once, for every
//! transport:
//!
//! - **Signing.** Each request it hands out is a fresh copy of the original, signed with the
//!   timestamp on the provider's clock as far as it is known ([`Skew`]) and a fresh nonce.
//! - **The clock-skew retry.** A 401 whose `Date` shows that our clock is off by more than the
//!   threshold: sign again, with the corrected offset and a fresh nonce, and send once more. Once
//!   per exchange; the offset learned is handed back ([`Exchange::skew`]) for the caller to keep.
//! - **Redirects.** A redirect (301, 302, 303, 307, 308) to the same origin (scheme, host and
//!   port) is followed, re-signed for its new URL, up to the profile's limit
//!   ([`Profile::max_redirects`](crate::profile::Profile::max_redirects)). `303`, and `301` or
//!   `302` after a `POST`, become a `GET` without a body, as browsers do. A redirect to another
//!   origin is never followed: credentials never go there, and the redirect is the answer.
//! - Everything else is the answer, whatever its status: what it means is for the caller to read
//!   (the flow's `receive` methods, [`Response::classify`](crate::response::Response::classify)).
//!
//! The loop that drives it, with any HTTP client (a `?` on your own client's errors):
//!
//! ```
//! use countersign::auth::{Auth, Authenticator};
//! use countersign::exchange::{Exchange, Next};
//! use countersign::nonce::NonceGenerator;
//! use countersign::skew::Skew;
//! use countersign::{ClientCredentials, Signer, TokenCredentials};
//!
//! # fn send(request: http::Request<Vec<u8>>) -> Result<http::Response<Vec<u8>>, std::io::Error> {
//! #     assert!(request.headers()["authorization"].to_str().unwrap().starts_with("OAuth "));
//! #     Ok(http::Response::new(b"{}".to_vec()))
//! # }
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let client = ClientCredentials::new("key", "secret");
//! let token = TokenCredentials::new("token", "token-secret");
//! let auth = Authenticator::new(Auth::OAuth(Signer::new(&client).token(&token).prepare()?));
//! let request = http::Request::get("https://api.example.com/me").body(Vec::new())?;
//!
//! let mut skew = Skew::default(); // kept between exchanges
//! let mut nonces = NonceGenerator::new();
//! let mut exchange = Exchange::new(request, auth).with_skew(skew);
//! let answer = loop {
//!     let now = 1_700_000_000; // your clock
//!     let request = exchange.request(now, &mut nonces)?; // signed, ready to send
//!     let response = send(request)?; // your HTTP client
//!     match exchange.handle(response) {
//!         Next::Send => continue, // the skew retry, or a same-origin redirect
//!         Next::Done(response) => break response,
//!     }
//! };
//! skew = exchange.skew();
//! assert_eq!(answer.status(), 200);
//! # let _ = skew;
//! # Ok(())
//! # }
//! ```

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use http::header::{CONTENT_LENGTH, CONTENT_TYPE, DATE, LOCATION};
use http::{HeaderMap, Method, StatusCode};

use crate::auth::Authenticator;
use crate::nonce::NonceSource;
use crate::skew::Skew;
use crate::{Error, FlowError};

/// The status and headers of an answer: all an [`Exchange`] reads to decide. Implemented for
/// `http::Response<B>`; a transport with a response type of its own wraps it.
pub trait ResponseHead {
    /// The status code.
    fn status(&self) -> StatusCode;
    /// The headers.
    fn headers(&self) -> &HeaderMap;
}

impl<B> ResponseHead for http::Response<B> {
    fn status(&self) -> StatusCode {
        self.status()
    }

    fn headers(&self) -> &HeaderMap {
        self.headers()
    }
}

/// What to do after an answer: send the next request, or read this one.
#[derive(Debug)]
#[must_use = "an exchange's answer says whether to send again"]
pub enum Next<A> {
    /// Sign and send again: call [`Exchange::request`] and send what it hands out.
    Send,
    /// The answer: the exchange is over.
    Done(A),
}

/// The decisions of one exchange: see the [module docs](self).
///
/// `Debug` shows where the exchange stands, never a credential.
#[derive(Debug)]
pub struct Exchange {
    /// The request as it is to be sent, unsigned: method, URL (a redirect's), headers, body.
    request: http::Request<Vec<u8>>,
    auth: Authenticator,
    skew: Skew,
    deadline: Option<u64>,
    max_redirects: u8,
    redirects: u8,
    retried: bool,
    /// The timestamp of the last request handed out, when it was signed with one.
    sent: Option<u64>,
}

impl Exchange {
    /// An exchange that sends `request` (its URI absolute) signed with `auth`. It starts with no
    /// clock offset and follows no redirect; see [`with_skew`](Self::with_skew) and
    /// [`max_redirects`](Self::max_redirects).
    #[must_use]
    pub fn new(request: http::Request<Vec<u8>>, auth: Authenticator) -> Self {
        Self {
            request,
            auth,
            skew: Skew::new(),
            deadline: None,
            max_redirects: 0,
            redirects: 0,
            retried: false,
            sent: None,
        }
    }

    /// Starts from what is known of the provider's clock.
    #[must_use]
    pub fn with_skew(mut self, skew: Skew) -> Self {
        self.skew = skew;
        self
    }

    /// Follows up to `redirects` same-origin redirects, re-signed.
    #[must_use]
    pub fn max_redirects(mut self, redirects: u8) -> Self {
        self.max_redirects = redirects;
        self
    }

    /// Refuses to sign at or after `at` (seconds since the Unix epoch, on the provider's clock):
    /// [`FlowError::RequestTokenExpired`]. The token-credentials request has one.
    #[must_use]
    pub fn deadline(mut self, at: u64) -> Self {
        self.deadline = Some(at);
        self
    }

    /// The credentials and rules it signs with.
    #[must_use]
    pub fn authenticator(&self) -> &Authenticator {
        &self.auth
    }

    /// What is known of the provider's clock now: the offset it started with, or the one
    /// learned from a skewed 401. Keep it for the next exchange with the same provider.
    #[must_use]
    pub fn skew(&self) -> Skew {
        self.skew
    }

    /// The URL the next request goes to (a redirect's, once one is followed).
    #[must_use]
    pub fn uri(&self) -> &http::Uri {
        self.request.uri()
    }

    /// The request to send now: a copy of the original (or of a redirect's), signed at `now`
    /// (seconds since the Unix epoch, by the caller's clock; corrected by the known offset) with
    /// a nonce from `nonces` when the credentials need one.
    ///
    /// # Errors
    /// [`FlowError::RequestTokenExpired`] past the deadline; [`Error::Random`] when the nonce
    /// source fails; as [`Authenticator::sign_parts`].
    pub fn request<N: NonceSource + ?Sized>(
        &mut self,
        now: u64,
        nonces: &mut N,
    ) -> Result<http::Request<Vec<u8>>, Error> {
        let timestamp = self.skew.now(now);
        if self.deadline.is_some_and(|at| timestamp >= at) {
            return Err(Error::Flow(FlowError::RequestTokenExpired));
        }
        let nonce = match self.auth.auth().is_oauth() {
            true => Some(nonces.next_nonce()?),
            false => None,
        };
        let (mut parts, ()) = http::Request::new(()).into_parts();
        parts.method = self.request.method().clone();
        parts.uri = self.request.uri().clone();
        parts.version = self.request.version();
        parts.headers = self.request.headers().clone();
        let body = self.request.body();
        if body.is_empty() && expects_body(&parts.method) {
            // An empty body of known size: announced, never sent as a chunked body of no chunks.
            let zero = http::HeaderValue::from_static("0");
            parts.headers.entry(CONTENT_LENGTH).or_insert(zero);
        }
        let nonce_str = nonce.as_ref().map_or("", |n| n.as_str());
        self.auth
            .sign_parts(&mut parts, Some(body), timestamp, nonce_str)?;
        self.sent = nonce.map(|_| timestamp);
        Ok(http::Request::from_parts(parts, body.clone()))
    }

    /// Takes the answer to the last request handed out, and decides: [`Next::Send`] for the
    /// clock-skew retry or a same-origin redirect, else [`Next::Done`] with the answer.
    pub fn handle<A: ResponseHead>(&mut self, response: A) -> Next<A> {
        let status = response.status();
        let headers = response.headers();
        if let Some(sent) = self.sent.take()
            && !self.retried
        {
            let date = headers.get(DATE).and_then(|d| d.to_str().ok());
            if self.skew.retry(sent, status.as_u16(), date) {
                self.retried = true;
                return Next::Send;
            }
        }
        if is_redirect(status) && self.redirects < self.max_redirects {
            let location = headers.get(LOCATION).and_then(|l| l.to_str().ok());
            if let Some(target) = location.and_then(|l| self.same_origin_target(l)) {
                self.redirects += 1;
                self.follow(status, target);
                return Next::Send;
            }
        }
        Next::Done(response)
    }

    /// `location` resolved against the current URL, when it is on the same origin.
    fn same_origin_target(&self, location: &str) -> Option<http::Uri> {
        let base = self.request.uri().to_string();
        let target = resolve(&base, location)?;
        let same = origin(&base).is_some() && origin(&base) == origin(&target);
        same.then(|| target.parse().ok()).flatten()
    }

    /// Points the request at a redirect's `target`, with the method the status calls for.
    fn follow(&mut self, status: StatusCode, target: http::Uri) {
        *self.request.uri_mut() = target;
        let method = self.request.method();
        let to_get = match status.as_u16() {
            303 => *method != Method::GET && *method != Method::HEAD,
            301 | 302 => *method == Method::POST,
            _ => false,
        };
        if to_get {
            *self.request.method_mut() = Method::GET;
            self.request.body_mut().clear();
            self.request.headers_mut().remove(CONTENT_TYPE);
        }
        // The length is the body's own, set again for the next request.
        self.request.headers_mut().remove(CONTENT_LENGTH);
    }
}

/// Whether requests with `method` normally carry a body, so that an empty one is announced with
/// `Content-Length: 0` (RFC 9110, section 8.6).
fn expects_body(method: &Method) -> bool {
    [Method::POST, Method::PUT, Method::PATCH].contains(method)
}

/// The statuses whose `Location` a client follows.
fn is_redirect(status: StatusCode) -> bool {
    matches!(status.as_u16(), 301 | 302 | 303 | 307 | 308)
}

/// An absolute URL's origin: scheme and host in lower case, and the port (the scheme's default
/// when none is written). `None` for anything that is not an absolute URL.
fn origin(url: &str) -> Option<(String, String, u16)> {
    let parts = crate::url::split(url).ok()?;
    let scheme = parts.scheme.to_ascii_lowercase();
    let port = match (parts.port, scheme.as_str()) {
        (Some(port), _) => port,
        (None, "http") => 80,
        (None, "https") => 443,
        (None, _) => return None,
    };
    Some((scheme, parts.host.to_ascii_lowercase(), port))
}

/// Whether `reference` starts with a URI scheme and its `:` (RFC 3986 section 3.1).
fn has_scheme(reference: &str) -> bool {
    let Some((scheme, _)) = reference.split_once(':') else {
        return false;
    };
    let mut bytes = scheme.bytes();
    bytes.next().is_some_and(|b| b.is_ascii_alphabetic())
        && bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
}

/// `location` (a `Location` header: absolute, or relative to `base`) as an absolute URL, without
/// its fragment, and without dot segments (RFC 3986, section 5.2).
fn resolve(base: &str, location: &str) -> Option<String> {
    let location = location.trim();
    let location = location.split('#').next().unwrap_or_default();
    if location.is_empty() {
        return None;
    }
    if has_scheme(location) {
        // An absolute URL, or nothing this client follows.
        crate::url::split(location).ok()?;
        return Some(without_dot_segments(location));
    }
    let parts = crate::url::split(base).ok()?;
    if let Some(rest) = location.strip_prefix("//") {
        return Some(without_dot_segments(&format!("{}://{rest}", parts.scheme)));
    }
    let origin = base.get(..path_start(base)?)?;
    let path = if parts.path.is_empty() {
        "/"
    } else {
        parts.path
    };
    let joined = if location.starts_with('/') {
        format!("{origin}{location}")
    } else if location.starts_with('?') {
        format!("{origin}{path}{location}")
    } else {
        let dir = path.get(..=path.rfind('/')?)?;
        format!("{origin}{dir}{location}")
    };
    Some(without_dot_segments(&joined))
}

/// Where an absolute URL's path starts: just after `scheme://authority`, as written.
fn path_start(url: &str) -> Option<usize> {
    let authority = url.find("://")? + 3;
    let end = url.get(authority..)?.find(['/', '?', '#']);
    Some(end.map_or(url.len(), |i| authority + i))
}

/// A dot segment of a path.
enum Dots {
    /// `.`: this directory.
    One,
    /// `..`: the parent.
    Two,
}

impl Dots {
    /// What `segment` is, `%2E` (any case) counting as `.`.
    fn of(segment: &str) -> Option<Self> {
        if segment.len() > 6 || !segment.starts_with(['.', '%']) {
            return None;
        }
        match segment.to_ascii_lowercase().replace("%2e", ".").as_str() {
            "." => Some(Self::One),
            ".." => Some(Self::Two),
            _ => None,
        }
    }
}

/// An absolute URL (without a fragment) with the `.` and `..` segments of its path removed
/// (RFC 3986, section 5.2.4), `%2E` counting as `.` as in URL parsers (reqwest's among them):
/// the URL signed must be the one the transport sends.
fn without_dot_segments(url: &str) -> String {
    let Some(start) = path_start(url) else {
        return url.into();
    };
    let (origin, rest) = url.split_at(start);
    let (path, query) = rest.split_at(rest.find('?').unwrap_or(rest.len()));
    let segments: Vec<(&str, Option<Dots>)> = path
        .split('/')
        .skip(1)
        .map(|segment| (segment, Dots::of(segment)))
        .collect();
    if segments.iter().all(|(_, dots)| dots.is_none()) {
        return url.into();
    }
    let mut kept: Vec<&str> = Vec::with_capacity(segments.len());
    for (segment, dots) in &segments {
        match dots {
            None => kept.push(segment),
            Some(Dots::One) => {}
            Some(Dots::Two) => drop(kept.pop()),
        }
    }
    if segments.last().is_some_and(|(_, dots)| dots.is_some()) {
        // A path that ends in a dot segment ends in `/`.
        kept.push("");
    }
    format!("{origin}/{}{query}", kept.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::Auth;
    use crate::{ClientCredentials, Signer};
    use alloc::borrow::ToOwned;

    #[test]
    fn locations_resolve_against_the_current_url() {
        let base = "https://api.example.com:8443/a/b?x=1";
        for (location, expected) in [
            ("https://other.example/c", "https://other.example/c"),
            ("//other.example/c", "https://other.example/c"),
            ("/c?d=1", "https://api.example.com:8443/c?d=1"),
            ("c", "https://api.example.com:8443/a/c"),
            ("?y=2", "https://api.example.com:8443/a/b?y=2"),
            ("/c#frag", "https://api.example.com:8443/c"),
            // Dot segments are removed (RFC 3986, 5.2.4), as the transport's URL parser would:
            // the URL signed is the one sent.
            ("../c", "https://api.example.com:8443/c"),
            ("./c/.", "https://api.example.com:8443/a/c/"),
            (
                "/a/./b/../../../c?x=/../",
                "https://api.example.com:8443/c?x=/../",
            ),
            (
                "https://api.example.com:8443/a/../c",
                "https://api.example.com:8443/c",
            ),
            ("..", "https://api.example.com:8443/"),
            ("%2E%2e/c/%2e", "https://api.example.com:8443/c/"),
            (".%2E/.../c", "https://api.example.com:8443/.../c"),
            ("//other.example/x/../y", "https://other.example/y"),
        ] {
            assert_eq!(
                resolve(base, location).as_deref(),
                Some(expected),
                "{location}"
            );
        }
        assert_eq!(resolve(base, "  "), None);
        assert_eq!(resolve(base, "javascript:alert(1)"), None);
        assert_eq!(resolve(base, "http://evil.example\\@127.0.0.1/"), None);
        assert_eq!(
            resolve("http://h", "next").as_deref(),
            Some("http://h/next")
        );
        // A scheme starts with a letter and holds only letters, digits, `+`, `-` and `.`: with
        // anything else before the first `:`, the reference is a relative path (as WHATWG URL
        // parsers read it too), resolved against the current directory.
        for (location, expected) in [
            ("1ab:c", "https://api.example.com:8443/a/1ab:c"),
            ("a_b:c", "https://api.example.com:8443/a/a_b:c"),
            ("a b:c", "https://api.example.com:8443/a/a b:c"),
        ] {
            assert_eq!(
                resolve(base, location).as_deref(),
                Some(expected),
                "{location}"
            );
        }
        assert!(has_scheme("a+1-b.c:x") && has_scheme("HTTPS://h"));
        assert!(!has_scheme(":x") && !has_scheme("ab") && !has_scheme("+a:x"));
    }

    #[test]
    fn origins_compare_scheme_host_and_port() {
        let o = |u: &str| origin(u);
        assert_eq!(o("https://A.example/x"), o("https://a.example:443/y"));
        assert_eq!(o("http://a.example/x"), o("HTTP://a.example:80"));
        assert_ne!(o("https://a.example/"), o("http://a.example/"));
        assert_ne!(o("http://127.0.0.1:1/"), o("http://127.0.0.1:2/"));
        assert_ne!(o("http://127.0.0.1:1/"), o("http://localhost:1/"));
        assert_eq!(o("ftp://a.example/"), None);
    }

    fn exchange(url: &str) -> Exchange {
        let client = ClientCredentials::new("key", "secret");
        let auth = Authenticator::new(Auth::OAuth(Signer::new(&client).prepare().unwrap()));
        let request = http::Request::post(url)
            .header(CONTENT_TYPE, "application/json")
            .body(b"{}".to_vec())
            .unwrap();
        Exchange::new(request, auth).max_redirects(2)
    }

    fn redirect(status: u16, to: &str) -> http::Response<()> {
        http::Response::builder()
            .status(status)
            .header(LOCATION, to)
            .body(())
            .unwrap()
    }

    fn nonces() -> impl FnMut() -> Result<crate::nonce::Nonce, Error> {
        let mut n = 0;
        move || {
            n += 1;
            crate::nonce::Nonce::new(&format!("n{n}"))
        }
    }

    #[test]
    fn same_origin_redirects_are_followed_re_signed_up_to_the_limit() {
        let mut ex = exchange("http://127.0.0.1:8080/start");
        let mut nonces = nonces();
        let first = ex.request(1000, &mut nonces).unwrap();
        assert!(first.headers().contains_key("authorization"));
        assert!(matches!(ex.handle(redirect(307, "/next")), Next::Send));
        let second = ex.request(1000, &mut nonces).unwrap();
        assert_eq!(second.uri(), "http://127.0.0.1:8080/next");
        assert_eq!(second.method(), Method::POST, "307 keeps the method");
        assert_eq!(second.body(), b"{}");
        assert_ne!(
            first.headers()["authorization"],
            second.headers()["authorization"],
            "a fresh nonce"
        );
        assert!(matches!(ex.handle(redirect(303, "/other")), Next::Send));
        let third = ex.request(1000, &mut nonces).unwrap();
        assert_eq!(third.method(), Method::GET, "303 becomes a GET");
        assert!(third.body().is_empty());
        assert!(!third.headers().contains_key(CONTENT_TYPE));
        // The limit: the third redirect is the answer.
        assert!(matches!(ex.handle(redirect(302, "/again")), Next::Done(_)));
    }

    /// The method after a redirect, as browsers and HTTP clients choose it (RFC 9110 section
    /// 15.4 and the Fetch standard): 303 makes every method but HEAD a GET; 301 and 302 make only
    /// a POST one; 307 and 308 keep it. A request that becomes a GET loses its body and its
    /// Content-Type; any other keeps both.
    #[test]
    fn each_redirect_status_keeps_or_changes_the_method_as_clients_do() {
        for (method, status, expected) in [
            (Method::POST, 301, Method::GET),
            (Method::POST, 302, Method::GET),
            (Method::POST, 303, Method::GET),
            (Method::POST, 307, Method::POST),
            (Method::POST, 308, Method::POST),
            (Method::PUT, 301, Method::PUT),
            (Method::PUT, 302, Method::PUT),
            (Method::PUT, 303, Method::GET),
            (Method::DELETE, 303, Method::GET),
            (Method::GET, 302, Method::GET),
            (Method::GET, 303, Method::GET),
            (Method::HEAD, 301, Method::HEAD),
            (Method::HEAD, 303, Method::HEAD),
        ] {
            let client = ClientCredentials::new("key", "secret");
            let auth = Authenticator::new(Auth::OAuth(Signer::new(&client).prepare().unwrap()));
            let request = http::Request::builder()
                .method(method.clone())
                .uri("http://127.0.0.1:8080/start")
                .header(CONTENT_TYPE, "application/json")
                .body(b"{}".to_vec())
                .unwrap();
            let mut ex = Exchange::new(request, auth).max_redirects(1);
            let mut nonces = nonces();
            ex.request(1000, &mut nonces).unwrap();
            assert!(
                matches!(ex.handle(redirect(status, "/next")), Next::Send),
                "{method} {status}"
            );
            let next = ex.request(1000, &mut nonces).unwrap();
            assert_eq!(next.uri(), "http://127.0.0.1:8080/next");
            assert_eq!(next.method(), expected, "{method} {status}");
            let kept = expected == method;
            assert_eq!(next.body().as_slice(), if kept { &b"{}"[..] } else { b"" });
            assert_eq!(
                next.headers().contains_key(CONTENT_TYPE),
                kept,
                "{method} {status}"
            );
        }
    }

    #[test]
    fn redirects_to_another_origin_are_the_answer() {
        for to in [
            "http://127.0.0.1:8081/next",
            "https://127.0.0.1:8080/next",
            "http://localhost:8080/next",
            "//evil.example/next",
            "http://evil.example\\@127.0.0.1:8080/",
        ] {
            let mut ex = exchange("http://127.0.0.1:8080/start");
            ex.request(1000, &mut nonces()).unwrap();
            match ex.handle(redirect(302, to)) {
                Next::Done(answer) => assert_eq!(answer.status(), 302),
                Next::Send => panic!("followed {to}"),
            }
        }
        // Not a redirect status, or no Location: the answer.
        let mut ex = exchange("http://127.0.0.1:8080/start");
        ex.request(1000, &mut nonces()).unwrap();
        assert!(matches!(ex.handle(redirect(300, "/x")), Next::Done(_)));
        let bare = http::Response::builder().status(302).body(()).unwrap();
        assert!(matches!(ex.handle(bare), Next::Done(_)));
    }

    #[test]
    fn a_skewed_401_is_retried_once_with_the_offset_learned() {
        const DATE_SECS: u64 = 784_111_777;
        let date = "Sun, 06 Nov 1994 08:49:37 GMT";
        let refused = || {
            http::Response::builder()
                .status(401)
                .header(DATE, date)
                .body(())
                .unwrap()
        };
        let mut ex = exchange("https://api.example.com/x");
        let mut nonces = nonces();
        ex.request(DATE_SECS - 600, &mut nonces).unwrap();
        assert!(matches!(ex.handle(refused()), Next::Send));
        assert_eq!(ex.skew().offset(), 600);
        let again = ex.request(DATE_SECS - 600, &mut nonces).unwrap();
        let header = again.headers()["authorization"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(
            header.contains(&format!("oauth_timestamp=\"{DATE_SECS}\"")),
            "{header}"
        );
        // Even if the clocks still disagreed: never a second retry.
        let mut ex = exchange("https://api.example.com/x").with_skew(Skew::new().with_offset(-900));
        ex.request(DATE_SECS, &mut nonces).unwrap();
        assert!(matches!(ex.handle(refused()), Next::Send));
        ex.request(DATE_SECS + 5000, &mut nonces).unwrap();
        assert!(matches!(ex.handle(refused()), Next::Done(_)));
    }

    #[test]
    fn credentials_without_timestamps_are_never_retried_for_skew() {
        let auth = Authenticator::new(Auth::PersonalToken(crate::Secret::new("t")))
            .key_scheme(crate::discogs::key_scheme());
        let request = http::Request::get("https://api.example.com/x")
            .body(Vec::new())
            .unwrap();
        let mut ex = Exchange::new(request, auth);
        let mut no_nonces = || -> Result<crate::nonce::Nonce, Error> { panic!("no nonce needed") };
        ex.request(0, &mut no_nonces).unwrap();
        let refused = http::Response::builder()
            .status(401)
            .header(DATE, "Sun, 06 Nov 1994 08:49:37 GMT")
            .body(())
            .unwrap();
        assert!(matches!(ex.handle(refused), Next::Done(_)));
    }

    #[test]
    fn the_deadline_refuses_to_sign() {
        let mut ex = exchange("https://api.example.com/x").deadline(100);
        ex.request(99, &mut nonces()).unwrap();
        assert_eq!(
            ex.request(100, &mut nonces()).unwrap_err(),
            Error::Flow(FlowError::RequestTokenExpired)
        );
    }
}
