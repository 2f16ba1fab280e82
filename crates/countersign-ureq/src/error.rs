//! The adapter's error type, and the redaction of what it quotes.

use std::fmt;

use countersign::response::ProviderError;

/// Everything that can go wrong when countersign talks to a provider over ureq.
///
/// Neither `Debug` nor `Display` ever shows a secret: the core's errors name fields, never
/// values; URLs that ureq quotes in its errors have their credential parameters (`token`,
/// `secret`, ...) replaced; a body excerpt has the values of `*secret*`, `*verifier*`, `*signature*`,
/// `*password*` and `token` parameters replaced.
///
/// ```
/// use countersign_ureq::countersign;
/// use countersign_ureq::countersign::response::Response;
/// use countersign_ureq::Error;
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
    /// ureq failed: the provider is down or unreachable, a timeout, TLS, an invalid URL.
    Transport(ureq::Error),
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

    pub(crate) fn transport(error: ureq::Error) -> Self {
        Self::Transport(match error {
            ureq::Error::BadUri(uri) => ureq::Error::BadUri(redact_url(&uri)),
            ureq::Error::RequireHttpsOnly(uri) => ureq::Error::RequireHttpsOnly(redact_url(&uri)),
            ureq::Error::ConnectProxyFailed(uri) => {
                ureq::Error::ConnectProxyFailed(redact_url(&uri))
            }
            other => other,
        })
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
        }
    }
}

impl From<countersign::Error> for Error {
    fn from(e: countersign::Error) -> Self {
        Self::Core(e)
    }
}

/// Replaces the values of secret-named parameters in a URL, or in text that quotes one
/// (Discogs' `?token=` and `?secret=`), with the core's rule.
pub(crate) fn redact_url(text: &str) -> String {
    countersign::response::redact_secrets(text)
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
        let e = Error::transport(ureq::Error::BadUri(
            "https://api.example/x?key=k&secret=S3&token=T0&page=2".into(),
        ));
        for shown in [format!("{e}"), format!("{e:?}")] {
            assert!(!shown.contains("S3") && !shown.contains("T0"), "{shown}");
            assert!(
                shown.contains("key=k&secret=[redacted]&token=[redacted]&page=2"),
                "{shown}"
            );
        }
    }
}
