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
    /// For the RSA methods. Never serialized: load it from its file each time.
    #[cfg(feature = "_rsa")]
    #[cfg_attr(feature = "serde", serde(skip))]
    rsa_key: Option<crate::RsaPrivateKey>,
}

impl ClientCredentials {
    /// Client credentials from a consumer key and secret.
    pub fn new(key: impl Into<String>, secret: impl Into<Secret>) -> Self {
        Self {
            key: key.into(),
            secret: secret.into(),
            #[cfg(feature = "_rsa")]
            rsa_key: None,
        }
    }

    /// Client credentials for the RSA methods (RSA-SHA1, RSA-SHA256): the consumer key and the
    /// client's RSA private key, whose public key the provider has. There is no consumer
    /// secret (RFC 5849 section 3.4.3 signs with the private key alone); to sign with another
    /// method too, add the secret with [`new`](Self::new) and this key with
    /// [`rsa_key`](Self::rsa_key).
    ///
    /// The key is not serialized with the credentials: load it from its file each time.
    ///
    /// ```
    /// use countersign::{ClientCredentials, RsaPrivateKey};
    ///
    /// let pem = std::fs::read_to_string("tests/data/rsa/oauthlib-1024.pem").unwrap();
    /// let client = ClientCredentials::with_rsa_key("jira-consumer", RsaPrivateKey::from_pem(&pem)?);
    /// assert!(!format!("{client:?}").contains(&pem[40..60]));
    /// # Ok::<(), countersign::Error>(())
    /// ```
    #[cfg(feature = "_rsa")]
    pub fn with_rsa_key(key: impl Into<String>, private_key: crate::RsaPrivateKey) -> Self {
        Self::new(key, "").rsa_key(private_key)
    }

    /// These credentials with an RSA private key for the RSA methods.
    #[cfg(feature = "_rsa")]
    #[must_use]
    pub fn rsa_key(mut self, private_key: crate::RsaPrivateKey) -> Self {
        self.rsa_key = Some(private_key);
        self
    }

    /// The RSA private key, if these credentials have one.
    #[cfg(feature = "_rsa")]
    #[must_use]
    pub fn rsa_private_key(&self) -> Option<&crate::RsaPrivateKey> {
        self.rsa_key.as_ref()
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
