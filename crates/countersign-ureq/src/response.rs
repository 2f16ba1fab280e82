//! The provider's answer, read in full: [`Response`]; and rate limits on any `http::Response`
//! (ureq's own included): [`ResponseExt`].

use countersign::response::RateLimit;

use crate::Error;

/// A provider's answer, read in full: the core's
/// [`OwnedResponse`](countersign::http::OwnedResponse) (status, headers, body, Discogs' rate
/// limits; `Debug` never shows the body), whose
/// [`error_for_status`](countersign::http::OwnedResponse::error_for_status) returns this crate's
/// [`Error`].
///
/// ```
/// use countersign_ureq::Response;
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

mod sealed {
    pub trait Sealed {}
    impl<B> Sealed for http::Response<B> {}
}

/// Discogs' rate limits on any `http::Response`, ureq's own included (from the middleware).
///
/// ```
/// use countersign_ureq::ResponseExt;
///
/// let answer = http::Response::builder()
///     .header("X-Discogs-Ratelimit-Used", "59")
///     .header("X-Discogs-Ratelimit-Remaining", "1")
///     .body(())?;
/// assert_eq!(answer.rate_limit().unwrap().remaining, Some(1));
/// # Ok::<(), http::Error>(())
/// ```
pub trait ResponseExt: sealed::Sealed {
    /// `X-Discogs-Ratelimit`, `-Used` and `-Remaining`, when present.
    fn rate_limit(&self) -> Option<RateLimit>;
}

impl<B> ResponseExt for http::Response<B> {
    fn rate_limit(&self) -> Option<RateLimit> {
        RateLimit::from_header_map(self.headers())
    }
}
