//! Conversions with the [`http`] crate, which both adapters (reqwest and ureq) speak: outgoing
//! requests become `http::Request<Vec<u8>>`, an existing `http::Request` is signed in place in one
//! call, and an `http::Response` is read into a [`Response`]. Credential headers are always marked
//! sensitive, so HTTP/2 never indexes them and `Debug` never prints them.

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use http::header::{AUTHORIZATION, CONTENT_TYPE, HeaderValue, USER_AGENT};

use crate::discogs::{Applied, DiscogsAuth, Placement};
use crate::response::Response;
use crate::{Error, OutgoingRequest, PreparedSigner, Request};

fn sensitive(value: &str, name: &'static str) -> Result<HeaderValue, Error> {
    let mut value = HeaderValue::from_str(value).map_err(|_| Error::InvalidValue { name })?;
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
    /// [`Error::InvalidUrl`] or [`Error::InvalidValue`] when the `http` crate refuses the URL or
    /// a header value.
    pub fn into_http(self) -> Result<http::Request<Vec<u8>>, Error> {
        let mut builder = http::Request::builder()
            .method(self.method())
            .uri(self.url())
            .header(
                AUTHORIZATION,
                sensitive(self.authorization().as_str(), "Authorization")?,
            );
        if let Some(ua) = self.user_agent() {
            builder = builder.header(
                USER_AGENT,
                HeaderValue::from_str(ua)
                    .map_err(|_| Error::InvalidValue { name: "User-Agent" })?,
            );
        }
        if let Some(ct) = self.content_type() {
            builder = builder.header(CONTENT_TYPE, HeaderValue::from_static(ct));
        }
        builder
            .body(self.body().to_vec())
            .map_err(|_| Error::InvalidUrl {
                reason: "the http crate refused the method or URL",
            })
    }
}

/// The absolute URL and, when the body is a form, the body of an `http::Request`.
fn parts<B: AsRef<[u8]>>(request: &http::Request<B>) -> Result<(String, Option<&[u8]>), Error> {
    let uri = request.uri();
    if uri.scheme().is_none() || uri.authority().is_none() {
        return Err(Error::InvalidUrl {
            reason: "the request's URI must be absolute (scheme and host) to be signed",
        });
    }
    let is_form = request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| {
            ct.split(';').next().is_some_and(|m| {
                m.trim()
                    .eq_ignore_ascii_case("application/x-www-form-urlencoded")
            })
        });
    Ok((uri.to_string(), is_form.then(|| request.body().as_ref())))
}

/// Signs an `http::Request` in place: sets its `Authorization` header (sensitive) from `signer`,
/// with this timestamp and nonce. A form body is passed to the signature method (PLAINTEXT does
/// not sign it; methods that sign the request do).
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
/// [`Error::InvalidUrl`] for a relative URI; the signer's errors.
pub fn sign_in_place<B: AsRef<[u8]>>(
    request: &mut http::Request<B>,
    signer: &PreparedSigner,
    timestamp: u64,
    nonce: &str,
) -> Result<(), Error> {
    let (url, form) = parts(request)?;
    let mut target = Request::new(request.method().as_str(), &url);
    if let Some(form) = form {
        target = target.with_form_body(form);
    }
    let header = signer.authorize(&target, timestamp, nonce)?;
    let value = sensitive(header.as_str(), "Authorization")?;
    request.headers_mut().insert(AUTHORIZATION, value);
    Ok(())
}

/// Authenticates an `http::Request` in place with one of the Discogs credential modes: sets the
/// `Authorization` header (sensitive), or rewrites the URI with the credentials in its query.
///
/// # Errors
/// As [`DiscogsAuth::apply`], and [`Error::InvalidUrl`] for a relative URI.
pub fn authorize_in_place<B: AsRef<[u8]>>(
    request: &mut http::Request<B>,
    auth: &DiscogsAuth,
    placement: Placement,
    timestamp: u64,
    nonce: &str,
) -> Result<(), Error> {
    let (url, form) = parts(request)?;
    let mut target = Request::new(request.method().as_str(), &url);
    if let Some(form) = form {
        target = target.with_form_body(form);
    }
    match auth.apply(&target, placement, timestamp, nonce)? {
        Applied::Header(header) => {
            let value = sensitive(header.as_str(), "Authorization")?;
            request.headers_mut().insert(AUTHORIZATION, value);
        }
        Applied::Url(url) => {
            *request.uri_mut() = url.expose_secret().parse().map_err(|_| Error::InvalidUrl {
                reason: "the http crate refused the URL with credentials",
            })?;
        }
        Applied::Unchanged => {}
    }
    Ok(())
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
        let mut out = Response::new(response.status().as_u16(), response.body().as_ref());
        for (name, value) in response.headers() {
            if let Ok(value) = value.to_str() {
                out = out.with_header(name.as_str(), value);
            }
        }
        out
    }
}
