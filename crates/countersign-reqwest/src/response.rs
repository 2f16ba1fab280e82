//! The provider's answer, read in full: [`Response`]; and rate limits on reqwest's own responses:
//! [`ResponseExt`].

use countersign::response::RateLimit;

use crate::Error;

/// A provider's answer, read in full: the core's
/// [`OwnedResponse`](countersign::http::OwnedResponse) (status, headers, body, Discogs' rate
/// limits; `Debug` never shows the body), whose
/// [`error_for_status`](countersign::http::OwnedResponse::error_for_status) returns this crate's
/// [`Error`].
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
pub type Response = countersign::http::OwnedResponse<Error>;

/// The most of a response body that is read: 10 MiB, as ureq's `read_to_vec`.
pub(crate) const MAX_BODY: u64 = 10 * 1024 * 1024;

/// A body of `length` bytes would be more than [`MAX_BODY`].
pub(crate) fn check_length(length: usize) -> Result<(), Error> {
    if u64::try_from(length).is_ok_and(|length| length <= MAX_BODY) {
        Ok(())
    } else {
        Err(Error::BodyTooLarge { limit: MAX_BODY })
    }
}

/// Reads a reqwest response in full, up to [`MAX_BODY`] bytes (a longer one is
/// [`Error::BodyTooLarge`], and the rest is not read).
pub(crate) async fn read(mut response: reqwest::Response) -> Result<Response, Error> {
    let mut builder = http::Response::builder()
        .status(response.status())
        .version(response.version());
    if let Some(headers) = builder.headers_mut() {
        *headers = response.headers().clone();
    }
    if response.content_length().is_some_and(|n| n > MAX_BODY) {
        return Err(Error::BodyTooLarge { limit: MAX_BODY });
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(Error::transport)? {
        check_length(body.len().saturating_add(chunk.len()))?;
        body.extend_from_slice(&chunk);
    }
    let inner = builder.body(body).map_err(|_| {
        countersign::Error::Parse(countersign::ParseError::Url {
            reason: "the http crate refused the response",
        })
    })?;
    Ok(Response::from(inner))
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
        RateLimit::from_header_map(self.headers())
    }
}

#[cfg(feature = "blocking")]
impl ResponseExt for reqwest::blocking::Response {
    fn rate_limit(&self) -> Option<RateLimit> {
        RateLimit::from_header_map(self.headers())
    }
}
