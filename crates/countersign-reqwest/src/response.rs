//! The provider's answer, read in full: [`Response`]; and rate limits on reqwest's own responses:
//! [`ResponseExt`].

use std::fmt;

use countersign::response::RateLimit;
use http::{HeaderMap, StatusCode};

use crate::Error;

/// A provider's answer, read in full: status, headers, body, and Discogs' rate limits.
///
/// `Debug` shows the status and the body's length, never the body (a token response holds
/// secrets).
///
/// ```
/// use countersign_reqwest::Response;
///
/// let answer = http::Response::builder()
///     .status(200)
///     .header("X-Discogs-Ratelimit", "60")
///     .header("X-Discogs-Ratelimit-Remaining", "59")
///     .body(br#"{"id": 1}"#.to_vec())?;
/// let response = Response::from(answer);
/// assert_eq!(response.rate_limit().unwrap().remaining, Some(59));
/// assert_eq!(response.text()?, r#"{"id": 1}"#);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Response {
    inner: http::Response<Vec<u8>>,
}

impl Response {
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
    /// [`std::str::Utf8Error`] when it is not UTF-8.
    pub fn text(&self) -> Result<&str, std::str::Utf8Error> {
        std::str::from_utf8(self.body())
    }

    /// Discogs' rate-limit headers, when present.
    #[must_use]
    pub fn rate_limit(&self) -> Option<RateLimit> {
        rate_limit(self.headers())
    }

    /// The answer as the core reads it.
    #[must_use]
    pub fn as_core(&self) -> countersign::response::Response<'_> {
        countersign::response::Response::from_http(&self.inner)
    }

    /// `self` if the status is 2xx, else the provider's error ([`countersign::Error::Provider`]:
    /// status, message, `oauth_problem`, `Retry-After`, rate limits).
    ///
    /// # Errors
    /// [`Error::Core`] with [`countersign::Error::Provider`] for a status outside 2xx.
    pub fn error_for_status(self) -> Result<Self, Error> {
        self.as_core().classify()?;
        Ok(self)
    }

    /// The `http::Response`.
    #[must_use]
    pub fn into_http(self) -> http::Response<Vec<u8>> {
        self.inner
    }
}

impl From<http::Response<Vec<u8>>> for Response {
    fn from(inner: http::Response<Vec<u8>>) -> Self {
        Self { inner }
    }
}

impl fmt::Debug for Response {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Response")
            .field("status", &self.status())
            .field("rate_limit", &self.rate_limit())
            .field("body_len", &self.body().len())
            .finish_non_exhaustive()
    }
}

/// Discogs' rate-limit headers in a header map.
pub(crate) fn rate_limit(headers: &HeaderMap) -> Option<RateLimit> {
    let get = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    RateLimit::from_headers(
        get("x-discogs-ratelimit"),
        get("x-discogs-ratelimit-used"),
        get("x-discogs-ratelimit-remaining"),
    )
}

/// Reads a reqwest response in full.
pub(crate) async fn read(response: reqwest::Response) -> Result<Response, Error> {
    let mut builder = http::Response::builder()
        .status(response.status())
        .version(response.version());
    if let Some(headers) = builder.headers_mut() {
        *headers = response.headers().clone();
    }
    let body = response.bytes().await.map_err(Error::transport)?;
    let inner = builder
        .body(Vec::from(body))
        .map_err(|_| countersign::Error::InvalidValue { name: "response" })?;
    Ok(Response { inner })
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for reqwest::Response {}
    #[cfg(feature = "blocking")]
    impl Sealed for reqwest::blocking::Response {}
}

/// Discogs' rate limits on reqwest's own responses (from [`RequestBuilderExt::send_signed`] or
/// the middleware).
///
/// [`RequestBuilderExt::send_signed`]: crate::RequestBuilderExt::send_signed
pub trait ResponseExt: sealed::Sealed {
    /// `X-Discogs-Ratelimit`, `-Used` and `-Remaining`, when present.
    fn rate_limit(&self) -> Option<RateLimit>;
}

impl ResponseExt for reqwest::Response {
    fn rate_limit(&self) -> Option<RateLimit> {
        rate_limit(self.headers())
    }
}

#[cfg(feature = "blocking")]
impl ResponseExt for reqwest::blocking::Response {
    fn rate_limit(&self) -> Option<RateLimit> {
        rate_limit(self.headers())
    }
}
