//! Conversions with the [`http`] crate, which both adapters (reqwest and ureq) speak: outgoing
//! requests become `http::Request<Vec<u8>>`, an existing `http::Request` is signed in place in one
//! call, and an `http::Response` is read into a [`Response`]. Credential headers are always marked
//! sensitive, so HTTP/2 never indexes them and `Debug` never prints them.

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use core::fmt;
use core::marker::PhantomData;

use http::StatusCode;
use http::header::{AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderValue, USER_AGENT};
use http::request::Parts;

use crate::auth::{Applied, Authenticator};
use crate::response::{RateLimit, Response};
use crate::{Error, Field, Misuse, OutgoingRequest, ParseError, Request, discogs};

fn sensitive(value: &str, field: Field) -> Result<HeaderValue, Error> {
    let mut value =
        HeaderValue::from_str(value).map_err(|_| Error::Misuse(Misuse::HeaderValue { field }))?;
    value.set_sensitive(true);
    Ok(value)
}

impl OutgoingRequest {
    /// This request as an `http::Request`, the `Authorization` header marked sensitive.
    ///
    /// ```
    /// use countersign::flow::{CallbackMode, RequestToken};
    /// use countersign::ClientCredentials;
    ///
    /// let flow = RequestToken::new(
    ///     countersign::discogs::profile("MyApp/1.0")?,
    ///     ClientCredentials::new("key", "secret"),
    ///     CallbackMode::OutOfBand,
    /// )?;
    /// let request = flow.request(1_700_000_000, "n0nce")?.into_http()?;
    /// assert_eq!(request.method(), "GET");
    /// assert_eq!(request.headers()["user-agent"], "MyApp/1.0");
    /// assert!(request.headers()["authorization"].is_sensitive());
    /// # Ok::<(), countersign::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`ParseError::Url`](crate::ParseError::Url) or [`Misuse::HeaderValue`](crate::Misuse::HeaderValue) when the `http` crate refuses the URL or
    /// a header value.
    pub fn into_http(self) -> Result<http::Request<Vec<u8>>, Error> {
        let mut builder = http::Request::builder()
            .method(self.method())
            .uri(self.url())
            .header(
                AUTHORIZATION,
                sensitive(self.authorization().as_str(), Field::Authorization)?,
            );
        if let Some(ua) = self.user_agent() {
            builder = builder.header(
                USER_AGENT,
                HeaderValue::from_str(ua).map_err(|_| {
                    Error::Misuse(Misuse::HeaderValue {
                        field: Field::UserAgent,
                    })
                })?,
            );
        }
        if let Some(ct) = self.content_type() {
            builder = builder.header(CONTENT_TYPE, HeaderValue::from_static(ct));
        }
        builder.body(self.body().to_vec()).map_err(|_| {
            Error::Parse(ParseError::Url {
                reason: "the http crate refused the method or URL",
            })
        })
    }
}

/// Whether `headers` declare a form body (`application/x-www-form-urlencoded`, in any case, with
/// or without parameters), which the signature methods that sign the request include.
fn is_form(headers: &HeaderMap) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|ct| ct.split(';').next())
        .is_some_and(|mime| {
            mime.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        })
}

/// The request's absolute URL.
fn absolute_url(parts: &Parts) -> Result<String, Error> {
    if parts.uri.scheme().is_none() || parts.uri.authority().is_none() {
        return Err(Error::Parse(ParseError::Url {
            reason: "the request's URI must be absolute (scheme and host) to be signed",
        }));
    }
    Ok(parts.uri.to_string())
}

impl Authenticator {
    /// Whether signing a request with these `headers` reads its body: when they declare a form
    /// (`application/x-www-form-urlencoded`) and the credentials sign it (OAuth 1.0a with any
    /// method but PLAINTEXT). When it does not, a streamed body may be passed as `None` to
    /// [`sign_parts`](Self::sign_parts); when it does, read the body into memory first.
    ///
    /// ```
    /// use countersign::auth::{Auth, Authenticator};
    /// use countersign::Secret;
    ///
    /// let mut headers = http::HeaderMap::new();
    /// headers.insert("content-type", http::HeaderValue::from_static("application/x-www-form-urlencoded"));
    /// let token = Authenticator::new(Auth::PersonalToken(Secret::new("my-token")));
    /// assert!(!token.signs_body(&headers));
    /// ```
    #[must_use]
    pub fn signs_body(&self, headers: &HeaderMap) -> bool {
        (is_form(headers) && self.auth().signs_form_body()) || self.auth().hashes_bodies()
    }

    /// Signs a request's head in place: sets the `Authorization` header (sensitive) or rewrites
    /// the URI with credentials in its query, and sets the User-Agent when the head has none.
    /// `timestamp` and `nonce` are used by OAuth only.
    ///
    /// Works with any body type, the body passed apart: `Some` when it is in memory (`Some(&[])`
    /// for none), `None` for a stream that cannot be read. A form body is passed to the signature
    /// method (PLAINTEXT does not sign it; methods that sign the request do, and refuse a
    /// streamed one).
    ///
    /// ```
    /// use countersign::auth::Auth;
    /// use countersign::Secret;
    ///
    /// let discogs = countersign::discogs::profile("MyApp/1.0")?;
    /// let token = discogs.authenticator(Auth::PersonalToken(Secret::new("my-token")));
    /// let request = http::Request::get("https://api.discogs.com/oauth/identity").body(()).unwrap();
    /// let (mut parts, body) = request.into_parts();
    /// token.sign_parts(&mut parts, Some(&[]), 0, "")?;
    /// assert!(parts.headers["authorization"].is_sensitive());
    /// assert_eq!(parts.headers["authorization"], "Discogs token=my-token");
    /// assert_eq!(parts.headers["user-agent"], "MyApp/1.0");
    /// # Ok::<(), countersign::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`apply`](Self::apply); [`ParseError::Url`] for a relative URI;
    /// [`Misuse::StreamedFormBody`] for a streamed form body that the credentials would sign;
    /// [`Misuse::HeaderValue`] for a User-Agent that cannot travel in a header.
    pub fn sign_parts(
        &self,
        parts: &mut Parts,
        body: Option<&[u8]>,
        timestamp: u64,
        nonce: &str,
    ) -> Result<(), Error> {
        let url = absolute_url(parts)?;
        let mut target = Request::new(parts.method.as_str(), &url);
        if is_form(&parts.headers) {
            match body {
                Some(form) => target = target.with_form_body(form),
                None if self.auth().signs_form_body() => {
                    return Err(Error::Misuse(Misuse::StreamedFormBody));
                }
                None => {}
            }
        } else {
            match body {
                Some(body) => target = target.with_body(body),
                None if self.auth().hashes_bodies() => {
                    return Err(Error::Misuse(Misuse::StreamedBodyHash));
                }
                None => {}
            }
        }
        match self.apply(&target, timestamp, nonce)? {
            Applied::Header(header) => {
                let value = sensitive(header.as_str(), Field::Authorization)?;
                parts.headers.insert(AUTHORIZATION, value);
            }
            Applied::Url(url) => {
                parts.uri = url.expose_secret().parse().map_err(|_| {
                    Error::Parse(ParseError::Url {
                        reason: "the http crate refused the URL with credentials",
                    })
                })?;
            }
            Applied::Unchanged => {}
        }
        match self.configured_user_agent() {
            Some(ua) if !ua.trim().is_empty() && !parts.headers.contains_key(USER_AGENT) => {
                let value = HeaderValue::from_str(ua).map_err(|_| {
                    Error::Misuse(Misuse::HeaderValue {
                        field: Field::UserAgent,
                    })
                })?;
                parts.headers.insert(USER_AGENT, value);
            }
            _ => {}
        }
        Ok(())
    }

    /// [`sign_parts`](Self::sign_parts) now, by the system clock, with a nonce from a new
    /// [`NonceGenerator`](crate::nonce::NonceGenerator): for a request sent once, outside an
    /// [`Exchange`](crate::exchange::Exchange) (which signs each attempt itself).
    ///
    /// # Errors
    /// As [`sign_parts`](Self::sign_parts); [`Error::Random`] when the random source fails.
    #[cfg(feature = "getrandom")]
    pub fn sign_parts_now(&self, parts: &mut Parts, body: Option<&[u8]>) -> Result<(), Error> {
        use crate::clock::Clock;
        use crate::nonce::NonceSource;
        let nonce = match self.auth().is_oauth() {
            true => Some(crate::nonce::NonceGenerator::new().next_nonce()?),
            false => None,
        };
        let nonce = nonce.as_ref().map_or("", |n| n.as_str());
        self.sign_parts(parts, body, crate::clock::SystemClock.now(), nonce)
    }

    /// Signs an `http::Request` with a body in memory in place, as
    /// [`sign_parts`](Self::sign_parts) does its head. A form body is passed to the signature
    /// method. For streamed bodies, see [`sign_parts`](Self::sign_parts).
    ///
    /// ```
    /// use countersign::auth::{Auth, Authenticator};
    /// use countersign::{ClientCredentials, Signer, TokenCredentials};
    ///
    /// let client = ClientCredentials::new("key", "secret");
    /// let token = TokenCredentials::new("token", "token-secret");
    /// let signer = Signer::new(&client).token(&token).prepare()?;
    /// let auth = Authenticator::new(Auth::OAuth(signer));
    /// let mut request = http::Request::get("https://api.discogs.com/oauth/identity").body(Vec::new()).unwrap();
    /// auth.sign_request(&mut request, 1_700_000_000, "n0nce")?;
    /// assert!(request.headers()["authorization"].to_str().unwrap().starts_with("OAuth "));
    /// # Ok::<(), countersign::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`sign_parts`](Self::sign_parts). A failure leaves the request as it was.
    pub fn sign_request<B: SignableBody>(
        &self,
        request: &mut http::Request<B>,
        timestamp: u64,
        nonce: &str,
    ) -> Result<(), Error> {
        // The head is copied (the headers moved, not copied) and written back, whether signing
        // worked or not: the body stays where it is, borrowed.
        let (mut parts, ()) = http::Request::new(()).into_parts();
        parts.method = request.method().clone();
        parts.uri = request.uri().clone();
        parts.version = request.version();
        parts.headers = core::mem::take(request.headers_mut());
        let signed = self.sign_parts(&mut parts, Some(request.body().bytes()), timestamp, nonce);
        *request.headers_mut() = parts.headers;
        if signed.is_ok() {
            *request.uri_mut() = parts.uri;
        }
        signed
    }
}

/// A request body in memory, that a signature method can read: `()`, `Vec<u8>`, `&[u8]`,
/// `&[u8; N]`, `String`, `&str`.
///
/// ```
/// use countersign::auth::{Auth, Authenticator};
///
/// let anonymous = Authenticator::new(Auth::None).user_agent("MyApp/1.0");
/// let mut get = http::Request::get("https://api.discogs.com/").body(())?;
/// anonymous.sign_request(&mut get, 0, "")?;
/// let mut post = http::Request::post("https://api.discogs.com/x")
///     .header("content-type", "application/x-www-form-urlencoded")
///     .body("a=1")?;
/// anonymous.sign_request(&mut post, 0, "")?;
/// assert_eq!(post.headers()["user-agent"], "MyApp/1.0");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub trait SignableBody {
    /// The body's bytes.
    fn bytes(&self) -> &[u8];
}

macro_rules! signable {
    ($($t:ty => |$b:ident| $e:expr),* $(,)?) => {$(
        impl SignableBody for $t {
            fn bytes(&self) -> &[u8] {
                let $b = self;
                $e
            }
        }
    )*};
}

signable! {
    () => |_b| &[],
    Vec<u8> => |b| b,
    &Vec<u8> => |b| b,
    &[u8] => |b| b,
    String => |b| b.as_bytes(),
    &String => |b| b.as_bytes(),
    &str => |b| b.as_bytes(),
}

impl<const N: usize> SignableBody for &[u8; N] {
    fn bytes(&self) -> &[u8] {
        self.as_slice()
    }
}

impl RateLimit {
    /// Discogs' rate-limit headers (`X-Discogs-Ratelimit`, `-Used`, `-Remaining`) in an
    /// `http::HeaderMap`; `None` when none is present and a number.
    ///
    /// ```
    /// use countersign::response::RateLimit;
    ///
    /// let mut headers = http::HeaderMap::new();
    /// headers.insert("x-discogs-ratelimit-remaining", http::HeaderValue::from_static("7"));
    /// assert_eq!(RateLimit::from_header_map(&headers).unwrap().remaining, Some(7));
    /// assert_eq!(RateLimit::from_header_map(&http::HeaderMap::new()), None);
    /// ```
    #[must_use]
    pub fn from_header_map(headers: &HeaderMap) -> Option<Self> {
        let get = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        Self::from_headers(
            get(discogs::RATE_LIMIT_HEADER),
            get(discogs::RATE_LIMIT_USED_HEADER),
            get(discogs::RATE_LIMIT_REMAINING_HEADER),
        )
    }
}

/// A provider's answer, read in full: status, headers, body, and Discogs' rate limits. The
/// adapters return it from their clients (as `Response`, with their own error type as `E`).
///
/// `E` is the error [`error_for_status`](Self::error_for_status) returns: this crate's
/// [`Error`] by default, or any type that converts from it (an adapter's error, so that `?` and
/// its accessors work unchanged).
///
/// `Debug` shows the status, the rate limits and the body's length, never the body (a token
/// response holds secrets).
///
/// ```
/// use countersign::http::OwnedResponse;
///
/// let answer = http::Response::builder()
///     .status(200)
///     .header("X-Discogs-Ratelimit", "60")
///     .header("X-Discogs-Ratelimit-Remaining", "59")
///     .body(br#"{"id": 1}"#.to_vec())?;
/// let response: OwnedResponse = OwnedResponse::from(answer);
/// assert_eq!(response.rate_limit().unwrap().remaining, Some(59));
/// assert_eq!(response.text()?, r#"{"id": 1}"#);
/// assert!(!format!("{response:?}").contains("id"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct OwnedResponse<E = Error> {
    inner: http::Response<Vec<u8>>,
    error: PhantomData<fn() -> E>,
}

impl<E> OwnedResponse<E> {
    /// The status code.
    #[must_use]
    pub fn status(&self) -> StatusCode {
        self.inner.status()
    }

    /// The headers.
    #[must_use]
    pub fn headers(&self) -> &HeaderMap {
        self.inner.headers()
    }

    /// The body.
    #[must_use]
    pub fn body(&self) -> &[u8] {
        self.inner.body()
    }

    /// The body as UTF-8 text.
    ///
    /// # Errors
    /// [`core::str::Utf8Error`] when it is not UTF-8.
    pub fn text(&self) -> Result<&str, core::str::Utf8Error> {
        core::str::from_utf8(self.body())
    }

    /// Discogs' rate-limit headers, when present.
    #[must_use]
    pub fn rate_limit(&self) -> Option<RateLimit> {
        RateLimit::from_header_map(self.headers())
    }

    /// The answer as the core reads it.
    #[must_use]
    pub fn as_core(&self) -> Response<'_> {
        Response::from_http(&self.inner)
    }

    /// `self` if the status is 2xx, else the provider's error ([`Error::Provider`]: status,
    /// message, `oauth_problem`, `Retry-After`, rate limits).
    ///
    /// ```
    /// use countersign::http::OwnedResponse;
    ///
    /// let answer = http::Response::builder().status(401).body(b"Invalid signature.".to_vec())?;
    /// let refused: OwnedResponse = OwnedResponse::from(answer);
    /// let error = refused.error_for_status().unwrap_err();
    /// assert!(matches!(error, countersign::Error::Provider(ref p) if p.status == 401));
    /// # Ok::<(), http::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Provider`] (converted to `E`) for a status outside 2xx.
    pub fn error_for_status(self) -> Result<Self, E>
    where
        E: From<Error>,
    {
        self.as_core().classify()?;
        Ok(self)
    }

    /// The `http::Response`.
    #[must_use]
    pub fn into_http(self) -> http::Response<Vec<u8>> {
        self.inner
    }
}

impl<E> From<http::Response<Vec<u8>>> for OwnedResponse<E> {
    fn from(inner: http::Response<Vec<u8>>) -> Self {
        Self {
            inner,
            error: PhantomData,
        }
    }
}

impl<E> From<OwnedResponse<E>> for http::Response<Vec<u8>> {
    fn from(response: OwnedResponse<E>) -> Self {
        response.inner
    }
}

impl<E> fmt::Debug for OwnedResponse<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OwnedResponse")
            .field("status", &self.status())
            .field("rate_limit", &self.rate_limit())
            .field("body_len", &self.body().len())
            .finish_non_exhaustive()
    }
}

impl<'a> Response<'a> {
    /// Reads an `http::Response`: its status, body, and the headers the core uses. Header values
    /// that are not visible ASCII are skipped.
    ///
    /// ```
    /// use countersign::response::Response;
    ///
    /// let answer = http::Response::builder()
    ///     .status(429)
    ///     .header("X-Discogs-Ratelimit-Remaining", "0")
    ///     .body(b"slow down".to_vec())
    ///     .unwrap();
    /// let response = Response::from_http(&answer);
    /// assert_eq!(response.rate_limit().unwrap().remaining, Some(0));
    /// assert!(response.classify().is_err());
    /// ```
    pub fn from_http<B: AsRef<[u8]>>(response: &'a http::Response<B>) -> Self {
        let out = Response::new(response.status().as_u16(), response.body().as_ref());
        with_headers(out, response.headers())
    }

    /// Reads an answer's status and headers (no body): enough for the clock-skew rule, when the
    /// body is still to be read.
    ///
    /// ```
    /// use countersign::response::Response;
    ///
    /// let mut headers = http::HeaderMap::new();
    /// headers.insert("retry-after", http::HeaderValue::from_static("30"));
    /// let head = Response::from_head(http::StatusCode::TOO_MANY_REQUESTS, &headers);
    /// assert_eq!(head.retry_after(), Some(30));
    /// ```
    #[must_use]
    pub fn from_head(status: StatusCode, headers: &'a HeaderMap) -> Self {
        with_headers(Response::new(status.as_u16(), b""), headers)
    }
}

/// `response` with the headers the core reads; values that are not visible ASCII are skipped.
fn with_headers<'a>(mut response: Response<'a>, headers: &'a HeaderMap) -> Response<'a> {
    for (name, value) in headers {
        if let Ok(value) = value.to_str() {
            response = response.with_header(name.as_str(), value);
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::{Auth, Placement};
    use crate::{ClientCredentials, Secret, Signer};

    fn form_post(body: &'static str) -> http::Request<&'static str> {
        http::Request::post("https://api.discogs.com/x")
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(body)
            .unwrap()
    }

    fn token() -> Authenticator {
        Authenticator::new(Auth::PersonalToken(Secret::new("tok")))
            .key_scheme(discogs::key_scheme())
    }

    #[test]
    fn any_body_type_is_signed_and_the_head_comes_back() {
        let auth = token().placement(Placement::Query);
        let mut request = form_post("a=1");
        auth.sign_request(&mut request, 0, "").unwrap();
        assert_eq!(request.uri().query(), Some("token=tok"));
        assert_eq!(
            request.headers()[CONTENT_TYPE],
            "application/x-www-form-urlencoded"
        );
        assert_eq!(*request.body(), "a=1");

        // A failure leaves the head where it was.
        let mut relative = http::Request::get("/x")
            .header("x-a", "1")
            .body(Vec::new())
            .unwrap();
        let e = token().sign_request(&mut relative, 0, "");
        assert!(matches!(e, Err(Error::Parse(ParseError::Url { .. }))));
        assert_eq!(relative.headers()["x-a"], "1");
        assert_eq!(relative.uri(), "/x");
    }

    #[test]
    fn the_user_agent_is_set_unless_the_request_has_one() {
        let auth = token().user_agent("Default/1.0");
        let mut bare = http::Request::get("https://api.discogs.com/")
            .body(())
            .unwrap();
        auth.sign_request(&mut bare, 0, "").unwrap();
        assert_eq!(bare.headers()[USER_AGENT], "Default/1.0");
        let mut mine = http::Request::get("https://api.discogs.com/")
            .header(USER_AGENT, "Mine/2.0")
            .body(())
            .unwrap();
        auth.sign_request(&mut mine, 0, "").unwrap();
        assert_eq!(mine.headers()[USER_AGENT], "Mine/2.0");
        let mut none = http::Request::get("https://api.discogs.com/")
            .body(())
            .unwrap();
        token().sign_request(&mut none, 0, "").unwrap();
        assert!(!none.headers().contains_key(USER_AGENT));
    }

    #[test]
    fn a_streamed_form_is_refused_only_when_it_would_be_signed() {
        let client = ClientCredentials::new("key", "secret");
        let plaintext = Authenticator::new(Auth::OAuth(Signer::new(&client).prepare().unwrap()));
        let (mut parts, _) = form_post("a=1").into_parts();
        plaintext.sign_parts(&mut parts, None, 1, "n").unwrap();
        assert!(parts.headers[AUTHORIZATION].is_sensitive());
        assert!(!plaintext.signs_body(&parts.headers));
    }

    #[cfg(feature = "hmac-sha1")]
    #[test]
    fn a_streamed_form_under_hmac_is_refused() {
        let client = ClientCredentials::new("key", "secret");
        let hmac = Signer::new(&client)
            .signature_method(crate::SignatureMethod::HmacSha1)
            .prepare()
            .unwrap();
        let auth = Authenticator::new(Auth::OAuth(hmac));
        let (mut parts, _) = form_post("a=1").into_parts();
        assert!(auth.signs_body(&parts.headers));
        let e = auth.sign_parts(&mut parts, None, 1, "n");
        assert!(matches!(e, Err(Error::Misuse(Misuse::StreamedFormBody))));
        auth.sign_parts(&mut parts, Some(b"a=1"), 1, "n").unwrap();
        assert!(parts.headers.contains_key(AUTHORIZATION));
    }

    /// A URI with a host but no scheme (`host:port`, the authority form) is not a URL to sign.
    #[test]
    fn a_uri_without_a_scheme_is_refused_as_not_absolute() {
        for uri in ["api.discogs.com:443", "/x"] {
            let (mut parts, ()) = http::Request::get(uri).body(()).unwrap().into_parts();
            let e = token()
                .sign_parts(&mut parts, Some(b""), 0, "")
                .unwrap_err();
            assert!(
                matches!(
                    e,
                    Error::Parse(ParseError::Url {
                        reason: "the request's URI must be absolute (scheme and host) to be signed"
                    })
                ),
                "{uri}: {e:?}"
            );
        }
    }

    /// A streamed body that is not a form is signed without being read, unless the
    /// credentials hash bodies (`oauth_body_hash`): then it must be in memory.
    #[test]
    fn a_streamed_body_is_refused_only_when_its_hash_is_sent() {
        let json = || {
            http::Request::post("https://api.discogs.com/x")
                .header(CONTENT_TYPE, "application/json")
                .body(())
                .unwrap()
                .into_parts()
                .0
        };
        let client = ClientCredentials::new("key", "secret");
        let plaintext = Authenticator::new(Auth::OAuth(Signer::new(&client).prepare().unwrap()));
        let mut parts = json();
        plaintext.sign_parts(&mut parts, None, 1, "n").unwrap();
        assert!(parts.headers.contains_key(AUTHORIZATION));
        #[cfg(feature = "hmac-sha1")]
        {
            let hashing = Signer::new(&client)
                .signature_method(crate::SignatureMethod::HmacSha1)
                .body_hashes()
                .prepare()
                .unwrap();
            let auth = Authenticator::new(Auth::OAuth(hashing));
            let mut parts = json();
            assert!(auth.signs_body(&parts.headers));
            let e = auth.sign_parts(&mut parts, None, 1, "n");
            assert!(matches!(e, Err(Error::Misuse(Misuse::StreamedBodyHash))));
            assert!(!parts.headers.contains_key(AUTHORIZATION));
            auth.sign_parts(&mut parts, Some(b"{}"), 1, "n").unwrap();
            let header = parts.headers[AUTHORIZATION].to_str().unwrap();
            assert!(header.contains("oauth_body_hash="), "{header}");
        }
    }

    /// `sign_parts_now` signs with the system clock's time and a fresh nonce.
    #[cfg(feature = "getrandom")]
    #[test]
    fn signing_now_uses_the_clock_and_a_fresh_nonce() {
        use crate::clock::Clock as _;
        let client = ClientCredentials::new("key", "secret");
        let auth = Authenticator::new(Auth::OAuth(Signer::new(&client).prepare().unwrap()));
        let mut headers = alloc::vec::Vec::new();
        for _ in 0..2 {
            let (mut parts, ()) = http::Request::get("https://api.discogs.com/")
                .body(())
                .unwrap()
                .into_parts();
            let before = crate::clock::SystemClock.now();
            auth.sign_parts_now(&mut parts, None).unwrap();
            let after = crate::clock::SystemClock.now();
            let header = crate::header::ParsedAuthorization::parse(
                parts.headers[AUTHORIZATION].to_str().unwrap(),
            )
            .unwrap();
            let timestamp: u64 = header.timestamp().unwrap().parse().unwrap();
            assert!((before..=after).contains(&timestamp), "{timestamp}");
            let nonce = alloc::string::String::from(header.nonce().unwrap());
            assert!(nonce.len() >= 16, "{nonce}");
            headers.push(nonce);
        }
        assert_ne!(headers[0], headers[1], "a fresh nonce each time");
        // Credentials without nonces are applied as they are.
        let (mut parts, ()) = http::Request::get("https://api.discogs.com/")
            .body(())
            .unwrap()
            .into_parts();
        token().sign_parts_now(&mut parts, None).unwrap();
        assert_eq!(parts.headers[AUTHORIZATION], "Discogs token=tok");
    }

    #[test]
    fn every_body_type_gives_its_bytes() {
        let vec = b"v".to_vec();
        let string = alloc::string::String::from("s");
        assert_eq!(SignableBody::bytes(&()), b"");
        assert_eq!(SignableBody::bytes(&vec.clone()), b"v");
        assert_eq!(SignableBody::bytes(&&vec), b"v");
        assert_eq!(SignableBody::bytes(&&b"sl"[..]), b"sl");
        assert_eq!(SignableBody::bytes(&b"arr"), b"arr");
        assert_eq!(SignableBody::bytes(&string.clone()), b"s");
        assert_eq!(SignableBody::bytes(&&string), b"s");
        assert_eq!(SignableBody::bytes(&"str"), b"str");
    }

    #[test]
    fn an_owned_response_reads_as_the_http_response_it_holds() {
        let answer = http::Response::builder()
            .status(429)
            .header("X-Discogs-Ratelimit", "60")
            .header("X-Discogs-Ratelimit-Used", "60")
            .header("X-Discogs-Ratelimit-Remaining", "0")
            .header("Retry-After", "30")
            .body(b"slow down".to_vec())
            .unwrap();
        let response: OwnedResponse = OwnedResponse::from(answer);
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(response.headers()["retry-after"], "30");
        assert_eq!(response.body(), b"slow down");
        assert_eq!(response.text(), Ok("slow down"));
        let limits = RateLimit {
            limit: Some(60),
            used: Some(60),
            remaining: Some(0),
        };
        assert_eq!(response.rate_limit(), Some(limits));
        let core = response.as_core();
        assert_eq!(core.rate_limit(), Some(limits));
        assert_eq!(core.retry_after(), Some(30));
        assert_eq!(
            alloc::format!("{response:?}"),
            "OwnedResponse { status: 429, rate_limit: Some(RateLimit { limit: Some(60), used: Some(60), remaining: Some(0) }), body_len: 9, .. }"
        );
        match response.error_for_status() {
            Err(Error::Provider(p)) => {
                assert_eq!(p.status, 429);
                assert_eq!(p.retry_after, Some(30));
            }
            other => panic!("{other:?}"),
        }

        let ok: OwnedResponse = OwnedResponse::from(
            http::Response::builder()
                .status(200)
                .body(alloc::vec![0xff, 0xfe])
                .unwrap(),
        );
        assert!(ok.text().is_err());
        assert_eq!(ok.rate_limit(), None);
        let ok = ok.error_for_status().unwrap();
        let back: http::Response<Vec<u8>> = ok.into();
        assert_eq!(back.status(), 200);
        assert_eq!(back.body(), &[0xff, 0xfe]);
    }

    /// A head without its body is enough for what the core reads from headers.
    #[test]
    fn a_head_is_read_without_its_body() {
        let mut headers = HeaderMap::new();
        headers.insert("retry-after", HeaderValue::from_static("30"));
        headers.insert(
            "x-discogs-ratelimit-remaining",
            HeaderValue::from_static("0"),
        );
        headers.insert("x-other", HeaderValue::from_bytes(b"\xff").unwrap());
        let head = Response::from_head(StatusCode::TOO_MANY_REQUESTS, &headers);
        assert_eq!(head.status(), 429);
        assert_eq!(head.body(), b"");
        assert_eq!(head.retry_after(), Some(30));
        assert_eq!(head.rate_limit().and_then(|r| r.remaining), Some(0));
    }

    #[test]
    fn rate_limits_come_from_a_header_map() {
        let mut headers = HeaderMap::new();
        assert_eq!(RateLimit::from_header_map(&headers), None);
        headers.insert("x-discogs-ratelimit", HeaderValue::from_static("60"));
        headers.insert("x-discogs-ratelimit-used", HeaderValue::from_static("3"));
        headers.insert(
            "x-discogs-ratelimit-remaining",
            HeaderValue::from_static("57"),
        );
        assert_eq!(
            RateLimit::from_header_map(&headers),
            Some(RateLimit {
                limit: Some(60),
                used: Some(3),
                remaining: Some(57),
            })
        );
    }
}
