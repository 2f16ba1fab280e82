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
