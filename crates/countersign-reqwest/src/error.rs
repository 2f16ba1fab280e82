//! What the transport reports: reqwest's errors, with the credentials in their URLs redacted, and
//! answers too long to read.

use std::fmt;

/// reqwest failed, or the answer was too long to read.
///
/// Neither `Debug` nor `Display` shows a secret: a reqwest error's URL has its credential
/// parameters (`token`, `secret`, ...) replaced.
#[derive(Debug)]
#[non_exhaustive]
pub enum TransportError {
    /// reqwest failed: the provider is down or unreachable, a timeout, TLS, an invalid URL.
    Reqwest(reqwest::Error),
    /// The answer's body is longer than the most this crate reads into memory, `limit` bytes
    /// (10 MiB, as ureq's): the rest was not read.
    BodyTooLarge {
        /// The limit, in bytes.
        limit: u64,
    },
    /// Reading the answer's body failed (`reqwest::blocking`, whose reads are I/O).
    Read(std::io::Error),
}

impl From<reqwest::Error> for TransportError {
    fn from(mut error: reqwest::Error) -> Self {
        if let Some(url) = error.url_mut() {
            redact_url(url);
        }
        Self::Reqwest(error)
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Reqwest(e) => fmt::Display::fmt(e, f),
            Self::Read(e) => write!(f, "reading the answer failed: {e}"),
            Self::BodyTooLarge { limit } => write!(
                f,
                "the answer's body is longer than {limit} bytes, the most countersign reads: check the URL"
            ),
        }
    }
}

impl std::error::Error for TransportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Reqwest(e) => Some(e),
            Self::Read(e) => Some(e),
            Self::BodyTooLarge { .. } => None,
        }
    }
}

/// Replaces the values of secret-named query parameters of a URL (`?token=`, `?secret=`), with
/// the core's rule ([`countersign::response::redact_url_query`]).
pub(crate) fn redact_url(url: &mut reqwest::Url) {
    let redacted = countersign::response::redact_url_query(url.as_str());
    if let Ok(parsed) = reqwest::Url::parse(&redacted) {
        *url = parsed;
    }
}
