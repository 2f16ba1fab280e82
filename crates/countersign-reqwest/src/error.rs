//! The adapter's error type, and the redaction of what it quotes.

use std::fmt;

use countersign::response::ProviderError;

/// Everything that can go wrong when countersign talks to a provider over reqwest.
///
/// Neither `Debug` nor `Display` ever shows a secret: the core's errors name fields, never
/// values; a transport error's URL has its credential parameters (`token`, `secret`, ...)
/// replaced; a body excerpt has the values of `*secret*`, `*verifier*`, `*signature*`,
/// `*password*` and `token` parameters replaced.
///
/// ```
/// use countersign_reqwest::countersign;
/// use countersign_reqwest::countersign::response::Response;
/// use countersign_reqwest::Error;
///
/// // What a flow step returns when the provider refuses the consumer.
/// let refused = Response::new(401, b"Invalid signature.").classify().unwrap_err();
/// let error = Error::from(refused);
/// let provider = error.provider().expect("a provider's answer");
/// assert_eq!((provider.status, provider.message.as_deref()), (401, Some("Invalid signature.")));
/// assert!(matches!(error, Error::Core(countersign::Error::Provider(_))));
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The core refused or failed: bad input, an insecure transport, an expired request token, a
    /// denied authorization, or the provider's non-2xx answer ([`countersign::Error::Provider`],
    /// with what the provider said).
    Core(countersign::Error),
    /// reqwest failed: the provider is down or unreachable, a timeout, TLS, an invalid URL.
    Transport(reqwest::Error),
    /// The answer's body is longer than the most this crate reads into memory, `limit` bytes
    /// (10 MiB, as ureq's): the rest was not read.
    BodyTooLarge {
        /// The limit, in bytes.
        limit: u64,
    },
    /// The provider answered 2xx with a body that is not what the protocol expects.
    Parse {
        /// What the core's parser said.
        error: countersign::Error,
        /// The start of the body (at most 200 bytes), secrets redacted.
        excerpt: String,
    },
}

impl Error {
    /// The provider's non-2xx answer, if this is one.
    #[must_use]
    pub fn provider(&self) -> Option<&ProviderError> {
        match self {
            Self::Core(countersign::Error::Provider(e)) => Some(e),
            _ => None,
        }
    }

    pub(crate) fn transport(mut error: reqwest::Error) -> Self {
        if let Some(url) = error.url_mut() {
            redact_url(url);
        }
        Self::Transport(error)
    }

    /// A failure to parse a 2xx `body`.
    pub(crate) fn parse(error: countersign::Error, body: &[u8]) -> Self {
        Self::Parse {
            error,
            excerpt: countersign::response::body_excerpt(body),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Core(e) => fmt::Display::fmt(e, f),
            Self::Transport(e) => write!(f, "http transport failed: {e}"),
            Self::BodyTooLarge { limit } => write!(
                f,
                "the answer's body is longer than {limit} bytes, the most countersign reads: check the URL"
            ),
            Self::Parse { error, excerpt } => write!(
                f,
                "unexpected answer from the provider: {error}; the body starts with {excerpt:?}"
            ),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Core(e) | Self::Parse { error: e, .. } => Some(e),
            Self::Transport(e) => Some(e),
            Self::BodyTooLarge { .. } => None,
        }
    }
}

impl From<countersign::Error> for Error {
    fn from(e: countersign::Error) -> Self {
        Self::Core(e)
    }
}

/// Replaces the values of secret-named query parameters of a URL (Discogs' `?token=` and
/// `?secret=`), with the core's rule ([`countersign::response::redact_url_query`]).
pub(crate) fn redact_url(url: &mut reqwest::Url) {
    let redacted = countersign::response::redact_url_query(url.as_str());
    if let Ok(parsed) = reqwest::Url::parse(&redacted) {
        *url = parsed;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_errors_never_show_a_secret() {
        let e = Error::parse(
            countersign::Error::Flow(countersign::FlowError::CallbackNotConfirmed),
            b"oauth_token=t&oauth_token_secret=TOPSECRET&oauth_verifier=VVV",
        );
        for shown in [format!("{e}"), format!("{e:?}"), format!("{e:#?}")] {
            assert!(
                !shown.contains("TOPSECRET") && !shown.contains("VVV"),
                "{shown}"
            );
            assert!(shown.contains("oauth_token=t"), "{shown}");
        }
    }

    #[test]
    fn urls_lose_their_secret_parameters() {
        let mut url =
            reqwest::Url::parse("https://api.example/x?key=k&secret=S3&token=T0&page=2").unwrap();
        redact_url(&mut url);
        assert_eq!(
            url.as_str(),
            "https://api.example/x?key=k&secret=[redacted]&token=[redacted]&page=2"
        );
    }
}
