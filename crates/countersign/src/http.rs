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

use crate::ParseError;
use crate::discogs::{Applied, DiscogsAuth, Placement};
use crate::response::{RateLimit, Response};
use crate::{Error, Field, Misuse, OutgoingRequest, PreparedSigner, Request};

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
    /// use countersign::flow::{CallbackMode, ProviderConfig, RequestToken};
    /// use countersign::ClientCredentials;
    ///
    /// let flow = RequestToken::new(
    ///     ProviderConfig::discogs("MyApp/1.0"),
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

/// Whether `headers` declare a form body (`application/x-www-form-urlencoded`), which the
/// signature methods that sign the request include.
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

/// The request to sign, from `parts` and `body` (see [`authorize_parts`]). `signs_body` says
/// whether the signature covers a form body, which then must be in memory.
fn target<'a>(
    parts: &'a Parts,
    url: &'a str,
    body: Option<&'a [u8]>,
    signs_body: bool,
) -> Result<Request<'a>, Error> {
    let mut target = Request::new(parts.method.as_str(), url);
    if is_form(&parts.headers) {
        match body {
            Some(form) => target = target.with_form_body(form),
            None if signs_body => {
                return Err(Error::Misuse(Misuse::StreamedFormBody));
            }
            None => {}
        }
    }
    Ok(target)
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

/// Signs a request's head in place: sets its `Authorization` header (sensitive) from `signer`,
/// with this timestamp and nonce. Works with any body type, the body passed apart: `body` is the
/// body when it is in memory (`Some(&[])` for none), `None` when it is a stream that cannot be
/// read. A form body (`application/x-www-form-urlencoded`) is passed to the signature method
/// (PLAINTEXT does not sign it; methods that sign the request do, and refuse a streamed one).
///
/// ```
/// use countersign::{ClientCredentials, Signer, TokenCredentials};
///
/// let client = ClientCredentials::new("key", "secret");
/// let token = TokenCredentials::new("token", "token-secret");
/// let signer = Signer::new(&client).token(&token).prepare()?;
/// let request = http::Request::get("https://api.discogs.com/oauth/identity").body(()).unwrap();
/// let (mut parts, body) = request.into_parts();
/// countersign::http::sign_parts(&mut parts, Some(&[]), &signer, 1_700_000_000, "n0nce")?;
/// let request = http::Request::from_parts(parts, body);
/// assert!(request.headers()["authorization"].to_str().unwrap().starts_with("OAuth "));
/// # Ok::<(), countersign::Error>(())
/// ```
///
/// # Errors
/// [`ParseError::Url`] for a relative URI; [`Misuse::StreamedFormBody`] for a streamed form body
/// that the signature method would sign; the signer's errors.
pub fn sign_parts(
    parts: &mut Parts,
    body: Option<&[u8]>,
    signer: &PreparedSigner,
    timestamp: u64,
    nonce: &str,
) -> Result<(), Error> {
    let url = absolute_url(parts)?;
    let signs_body = !signer.signature_method().sends_secrets_in_clear();
    let target = target(parts, &url, body, signs_body)?;
    let header = signer.authorize(&target, timestamp, nonce)?;
    let value = sensitive(header.as_str(), Field::Authorization)?;
    parts.headers.insert(AUTHORIZATION, value);
    Ok(())
}

/// Authenticates a request's head in place with one of the Discogs credential modes: sets the
/// `Authorization` header (sensitive), or rewrites the URI with the credentials in its query.
/// Works with any body type, the body passed apart as in [`sign_parts`]: `Some` when it is in
/// memory (`Some(&[])` for none), `None` for a stream.
///
/// ```
/// use countersign::discogs::{DiscogsAuth, Placement};
/// use countersign::Secret;
///
/// let auth = DiscogsAuth::PersonalToken(Secret::new("my-token"));
/// let request = http::Request::get("https://api.discogs.com/oauth/identity").body(()).unwrap();
/// let (mut parts, body) = request.into_parts();
/// countersign::http::authorize_parts(&mut parts, Some(&[]), &auth, Placement::Header, 0, "")?;
/// assert!(parts.headers["authorization"].is_sensitive());
/// assert_eq!(parts.headers["authorization"], "Discogs token=my-token");
///
/// let (mut parts, body) = http::Request::get("https://api.discogs.com/x").body(()).unwrap().into_parts();
/// countersign::http::authorize_parts(&mut parts, Some(&[]), &auth, Placement::Query, 0, "")?;
/// assert_eq!(parts.uri.query(), Some("token=my-token"));
/// # Ok::<(), countersign::Error>(())
/// ```
///
/// # Errors
/// As [`DiscogsAuth::apply`]; [`ParseError::Url`] for a relative URI;
/// [`Misuse::StreamedFormBody`] for a streamed form body that the OAuth signature method would sign.
pub fn authorize_parts(
    parts: &mut Parts,
    body: Option<&[u8]>,
    auth: &DiscogsAuth,
    placement: Placement,
    timestamp: u64,
    nonce: &str,
) -> Result<(), Error> {
    let url = absolute_url(parts)?;
    let target = target(parts, &url, body, oauth_signs_body(auth))?;
    match auth.apply(&target, placement, timestamp, nonce)? {
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
    Ok(())
}

/// Whether [`authorize_parts`] with `auth` reads a request's body: when `headers` declare a form
/// (`application/x-www-form-urlencoded`) and `auth` is OAuth with a signature method that signs
/// the request (all but PLAINTEXT). When it does not, a streamed body may be passed as `None`; when
/// it does, read the body into memory first.
///
/// ```
/// use countersign::discogs::DiscogsAuth;
/// use countersign::Secret;
///
/// let mut headers = http::HeaderMap::new();
/// headers.insert("content-type", http::HeaderValue::from_static("application/x-www-form-urlencoded"));
/// let token = DiscogsAuth::PersonalToken(Secret::new("my-token"));
/// assert!(!countersign::http::signs_body(&headers, &token));
/// ```
#[must_use]
pub fn signs_body(headers: &HeaderMap, auth: &DiscogsAuth) -> bool {
    is_form(headers) && oauth_signs_body(auth)
}

/// Whether `auth` is OAuth with a signature method that signs the request (all but PLAINTEXT,
/// which is also the only one that sends the secrets themselves).
fn oauth_signs_body(auth: &DiscogsAuth) -> bool {
    matches!(
        auth,
        DiscogsAuth::OAuth(signer) if !signer.signature_method().sends_secrets_in_clear()
    )
}

/// Runs `f` on a copy of `request`'s head (method, URI, version; the headers moved, not copied)
/// and the body that `body` reads, then writes the head back, whether `f` failed or not.
fn with_parts<B, T>(
    request: &mut http::Request<B>,
    body: fn(&B) -> Option<&[u8]>,
    f: impl FnOnce(&mut Parts, Option<&[u8]>) -> T,
) -> T {
    let (mut parts, ()) = http::Request::new(()).into_parts();
    parts.method = request.method().clone();
    parts.uri = request.uri().clone();
    parts.version = request.version();
    parts.headers = core::mem::take(request.headers_mut());
    let out = f(&mut parts, body(request.body()));
    *request.headers_mut() = parts.headers;
    *request.uri_mut() = parts.uri;
    out
}

/// Signs an `http::Request` in place: sets its `Authorization` header (sensitive) from `signer`,
/// with this timestamp and nonce. A form body is passed to the signature method (PLAINTEXT does
/// not sign it; methods that sign the request do). For other body types (`()`, streams), see
/// [`sign_in_place_with`] and [`sign_parts`].
///
/// ```
/// use countersign::{ClientCredentials, Signer, TokenCredentials};
///
/// let client = ClientCredentials::new("key", "secret");
/// let token = TokenCredentials::new("token", "token-secret");
/// let signer = Signer::new(&client).token(&token).prepare()?;
/// let mut request = http::Request::get("https://api.discogs.com/oauth/identity").body(Vec::new()).unwrap();
/// countersign::http::sign_in_place(&mut request, &signer, 1_700_000_000, "n0nce")?;
/// assert!(request.headers()["authorization"].to_str().unwrap().starts_with("OAuth "));
/// # Ok::<(), countersign::Error>(())
/// ```
///
/// # Errors
/// As [`sign_parts`].
pub fn sign_in_place<B: AsRef<[u8]>>(
    request: &mut http::Request<B>,
    signer: &PreparedSigner,
    timestamp: u64,
    nonce: &str,
) -> Result<(), Error> {
    sign_in_place_with(request, |b| Some(b.as_ref()), signer, timestamp, nonce)
}

/// As [`sign_in_place`], for any body type: `body` reads the body when it is in memory
/// (`Some(&[])` for none), or answers `None` for a stream (see [`sign_parts`]).
///
/// ```
/// use countersign::{ClientCredentials, Signer};
///
/// let signer = Signer::new(&ClientCredentials::new("key", "secret")).prepare()?;
/// let mut request = http::Request::get("https://api.discogs.com/").body(()).unwrap();
/// countersign::http::sign_in_place_with(&mut request, |_| Some(&[]), &signer, 1_700_000_000, "n0nce")?;
/// assert!(request.headers()["authorization"].is_sensitive());
/// # Ok::<(), countersign::Error>(())
/// ```
///
/// # Errors
/// As [`sign_parts`].
pub fn sign_in_place_with<B>(
    request: &mut http::Request<B>,
    body: fn(&B) -> Option<&[u8]>,
    signer: &PreparedSigner,
    timestamp: u64,
    nonce: &str,
) -> Result<(), Error> {
    with_parts(request, body, |parts, body| {
        sign_parts(parts, body, signer, timestamp, nonce)
    })
}

/// Authenticates an `http::Request` in place with one of the Discogs credential modes: sets the
/// `Authorization` header (sensitive), or rewrites the URI with the credentials in its query. For
/// other body types (`()`, streams), see [`authorize_in_place_with`] and [`authorize_parts`].
///
/// # Errors
/// As [`authorize_parts`].
pub fn authorize_in_place<B: AsRef<[u8]>>(
    request: &mut http::Request<B>,
    auth: &DiscogsAuth,
    placement: Placement,
    timestamp: u64,
    nonce: &str,
) -> Result<(), Error> {
    authorize_in_place_with(
        request,
        |b| Some(b.as_ref()),
        auth,
        placement,
        timestamp,
        nonce,
    )
}

/// As [`authorize_in_place`], for any body type: `body` reads the body when it is in memory
/// (`Some(&[])` for none), or answers `None` for a stream (see [`authorize_parts`]).
///
/// ```
/// use countersign::discogs::{DiscogsAuth, Placement};
/// use countersign::Secret;
///
/// let auth = DiscogsAuth::PersonalToken(Secret::new("my-token"));
/// let mut request = http::Request::get("https://api.discogs.com/").body(()).unwrap();
/// countersign::http::authorize_in_place_with(&mut request, |_| Some(&[]), &auth, Placement::Header, 0, "")?;
/// assert_eq!(request.headers()["authorization"], "Discogs token=my-token");
/// # Ok::<(), countersign::Error>(())
/// ```
///
/// # Errors
/// As [`authorize_parts`].
pub fn authorize_in_place_with<B>(
    request: &mut http::Request<B>,
    body: fn(&B) -> Option<&[u8]>,
    auth: &DiscogsAuth,
    placement: Placement,
    timestamp: u64,
    nonce: &str,
) -> Result<(), Error> {
    with_parts(request, body, |parts, body| {
        authorize_parts(parts, body, auth, placement, timestamp, nonce)
    })
}

/// Sets `User-Agent` to `user_agent` when the headers have none and `user_agent` is not blank
/// (Discogs blocks requests without one).
///
/// ```
/// let mut headers = http::HeaderMap::new();
/// countersign::http::default_user_agent(&mut headers, "MyApp/1.0")?;
/// countersign::http::default_user_agent(&mut headers, "Other/2.0")?;
/// assert_eq!(headers["user-agent"], "MyApp/1.0");
/// # Ok::<(), countersign::Error>(())
/// ```
///
/// # Errors
/// [`Misuse::HeaderValue`] when `user_agent` cannot travel in a header.
pub fn default_user_agent(headers: &mut HeaderMap, user_agent: &str) -> Result<(), Error> {
    if user_agent.trim().is_empty() || headers.contains_key(USER_AGENT) {
        return Ok(());
    }
    let value = HeaderValue::from_str(user_agent).map_err(|_| {
        Error::Misuse(Misuse::HeaderValue {
            field: Field::UserAgent,
        })
    })?;
    headers.insert(USER_AGENT, value);
    Ok(())
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
            get("x-discogs-ratelimit"),
            get("x-discogs-ratelimit-used"),
            get("x-discogs-ratelimit-remaining"),
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
    use crate::{ClientCredentials, Secret, Signer};

    fn form_post(body: &'static str) -> http::Request<&'static str> {
        http::Request::post("https://api.discogs.com/x")
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(body)
            .unwrap()
    }

    #[test]
    fn any_body_type_is_signed_and_the_head_comes_back() {
        let auth = DiscogsAuth::PersonalToken(Secret::new("tok"));
        let mut request = form_post("a=1");
        authorize_in_place_with(
            &mut request,
            |b| Some(b.as_bytes()),
            &auth,
            Placement::Query,
            0,
            "",
        )
        .unwrap();
        assert_eq!(request.uri().query(), Some("token=tok"));
        assert_eq!(
            request.headers()[CONTENT_TYPE],
            "application/x-www-form-urlencoded"
        );
        assert_eq!(*request.body(), "a=1");

        // A failure leaves the headers where they were.
        let mut relative = http::Request::get("/x")
            .header("x-a", "1")
            .body(())
            .unwrap();
        let e = authorize_in_place_with(&mut relative, |_| None, &auth, Placement::Header, 0, "");
        assert!(matches!(e, Err(Error::Parse(ParseError::Url { .. }))));
        assert_eq!(relative.headers()["x-a"], "1");
    }

    #[test]
    fn a_streamed_form_is_refused_only_when_it_would_be_signed() {
        let client = ClientCredentials::new("key", "secret");
        let plaintext = Signer::new(&client).prepare().unwrap();
        let (mut parts, _) = form_post("a=1").into_parts();
        sign_parts(&mut parts, None, &plaintext, 1, "n").unwrap();
        assert!(parts.headers[AUTHORIZATION].is_sensitive());
        assert!(!signs_body(&parts.headers, &DiscogsAuth::OAuth(plaintext)));
    }

    #[cfg(feature = "hmac-sha1")]
    #[test]
    fn a_streamed_form_under_hmac_is_refused() {
        let client = ClientCredentials::new("key", "secret");
        let hmac = Signer::new(&client)
            .signature_method(crate::SignatureMethod::HmacSha1)
            .prepare()
            .unwrap();
        let auth = DiscogsAuth::OAuth(hmac);
        let (mut parts, _) = form_post("a=1").into_parts();
        assert!(signs_body(&parts.headers, &auth));
        let e = authorize_parts(&mut parts, None, &auth, Placement::Header, 1, "n");
        assert!(matches!(e, Err(Error::Misuse(Misuse::StreamedFormBody))));
        authorize_parts(&mut parts, Some(b"a=1"), &auth, Placement::Header, 1, "n").unwrap();
        assert!(parts.headers.contains_key(AUTHORIZATION));
    }
}
