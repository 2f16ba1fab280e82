//! Client (consumer) and token credentials.

use alloc::string::String;

use crate::Secret;

/// The client credentials a provider issues to an application: the consumer key (public, sent
/// with every request) and the consumer secret.
///
/// `Debug` shows the key and redacts the secret.
///
/// ```
/// use countersign::ClientCredentials;
///
/// let client = ClientCredentials::new("jd83jd92dhsh93js", "ja893SD9");
/// assert_eq!(client.key(), "jd83jd92dhsh93js");
/// assert!(!format!("{client:?}").contains("ja893SD9"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ClientCredentials {
    key: String,
    secret: Secret,
}

impl ClientCredentials {
    /// Client credentials from a consumer key and secret.
    pub fn new(key: impl Into<String>, secret: impl Into<Secret>) -> Self {
        Self {
            key: key.into(),
            secret: secret.into(),
        }
    }

    /// The consumer key (`oauth_consumer_key`).
    #[must_use]
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The consumer secret.
    #[must_use]
    pub fn secret(&self) -> &Secret {
        &self.secret
    }
}

/// Token credentials: a temporary (request) token or an access token, with its secret.
///
/// `Debug` shows the token identifier and redacts the secret.
///
/// ```
/// use countersign::TokenCredentials;
///
/// let token = TokenCredentials::new("hdk48Djdsa", "xyz4992k83j47x0b");
/// assert_eq!(token.token(), "hdk48Djdsa");
/// assert!(!format!("{token:?}").contains("xyz4992k83j47x0b"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct TokenCredentials {
    token: String,
    secret: Secret,
}

impl TokenCredentials {
    /// Token credentials from a token and its secret.
    pub fn new(token: impl Into<String>, secret: impl Into<Secret>) -> Self {
        Self {
            token: token.into(),
            secret: secret.into(),
        }
    }

    /// The token identifier (`oauth_token`).
    #[must_use]
    pub fn token(&self) -> &str {
        &self.token
    }

    /// The token secret.
    #[must_use]
    pub fn secret(&self) -> &Secret {
        &self.secret
    }
}
