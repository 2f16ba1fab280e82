//! Client (consumer) and token credentials.

use alloc::string::String;
use core::fmt;

use crate::Secret;
use crate::encode::{Counted, count_reserved};

/// How many bytes of a value RFC 5849 percent-encodes, counted when credentials are made (see
/// [`Counted`]): signing with the same credentials again and again does not scan them again.
fn reserved(value: &str) -> usize {
    count_reserved(value.as_bytes())
}

/// The client credentials a provider issues to an application: the consumer key (public, sent
/// with every request) and the consumer secret.
///
/// Make them once and sign with them many times: they measure the key and the secret for
/// percent-encoding when they are made, so that signing does not scan them again.
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
#[derive(Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(from = "StoredClient"))]
pub struct ClientCredentials {
    key: String,
    secret: Secret,
    /// How many bytes of the key and of the secret are encoded: counted once, here.
    #[cfg_attr(feature = "serde", serde(skip_serializing))]
    key_reserved: usize,
    #[cfg_attr(feature = "serde", serde(skip_serializing))]
    secret_reserved: usize,
    /// For the RSA methods. Never serialized: load it from its file each time.
    #[cfg(feature = "_rsa")]
    #[cfg_attr(feature = "serde", serde(skip))]
    rsa_key: Option<crate::RsaPrivateKey>,
}

impl ClientCredentials {
    /// Client credentials from a consumer key and secret.
    pub fn new(key: impl Into<String>, secret: impl Into<Secret>) -> Self {
        let (key, secret) = (key.into(), secret.into());
        Self {
            key_reserved: reserved(&key),
            secret_reserved: reserved(secret.expose_secret()),
            key,
            secret,
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

    /// The consumer key with its count of encoded bytes.
    pub(crate) fn counted_key(&self) -> Counted<'_> {
        Counted::with_count(&self.key, self.key_reserved)
    }

    /// The consumer secret with its count of encoded bytes.
    pub(crate) fn counted_secret(&self) -> Counted<'_> {
        Counted::with_count(self.secret.expose_secret(), self.secret_reserved)
    }
}

impl fmt::Debug for ClientCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The counts are left out: how many bytes of the secret are encoded is the secret's.
        let mut s = f.debug_struct("ClientCredentials");
        s.field("key", &self.key).field("secret", &self.secret);
        #[cfg(feature = "_rsa")]
        s.field("rsa_key", &self.rsa_key);
        s.finish()
    }
}

/// What a serialized [`ClientCredentials`] holds: read back through [`ClientCredentials::new`],
/// which counts again.
#[cfg(feature = "serde")]
#[derive(serde::Deserialize)]
struct StoredClient {
    key: String,
    secret: Secret,
}

#[cfg(feature = "serde")]
impl From<StoredClient> for ClientCredentials {
    fn from(stored: StoredClient) -> Self {
        Self::new(stored.key, stored.secret)
    }
}

/// Token credentials: a temporary (request) token or an access token, with its secret.
///
/// Like [`ClientCredentials`], they measure the token and the secret for percent-encoding when
/// they are made: keep them rather than making them per request.
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
#[derive(Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(from = "StoredToken"))]
pub struct TokenCredentials {
    token: String,
    secret: Secret,
    /// How many bytes of the token and of the secret are encoded: counted once, here.
    #[cfg_attr(feature = "serde", serde(skip_serializing))]
    token_reserved: usize,
    #[cfg_attr(feature = "serde", serde(skip_serializing))]
    secret_reserved: usize,
}

impl TokenCredentials {
    /// Token credentials from a token and its secret.
    pub fn new(token: impl Into<String>, secret: impl Into<Secret>) -> Self {
        let (token, secret) = (token.into(), secret.into());
        Self {
            token_reserved: reserved(&token),
            secret_reserved: reserved(secret.expose_secret()),
            token,
            secret,
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

    /// The token with its count of encoded bytes.
    pub(crate) fn counted_token(&self) -> Counted<'_> {
        Counted::with_count(&self.token, self.token_reserved)
    }

    /// The token secret with its count of encoded bytes.
    pub(crate) fn counted_secret(&self) -> Counted<'_> {
        Counted::with_count(self.secret.expose_secret(), self.secret_reserved)
    }
}

impl fmt::Debug for TokenCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The counts are left out: how many bytes of the secret are encoded is the secret's.
        f.debug_struct("TokenCredentials")
            .field("token", &self.token)
            .field("secret", &self.secret)
            .finish()
    }
}

/// What a serialized [`TokenCredentials`] holds: read back through [`TokenCredentials::new`],
/// which counts again.
#[cfg(feature = "serde")]
#[derive(serde::Deserialize)]
struct StoredToken {
    token: String,
    secret: Secret,
}

#[cfg(feature = "serde")]
impl From<StoredToken> for TokenCredentials {
    fn from(stored: StoredToken) -> Self {
        Self::new(stored.token, stored.secret)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;

    #[test]
    fn debug_shows_the_key_and_the_token_and_nothing_of_the_secrets_or_their_counts() {
        let client = ClientCredentials::new("k+", "s&cret");
        let token = TokenCredentials::new("t=", "t&ken secret");
        let shown = format!("{client:?} {token:?}");
        #[cfg(not(feature = "_rsa"))]
        let client_shown = r#"ClientCredentials { key: "k+", secret: Secret([redacted]) }"#;
        #[cfg(feature = "_rsa")]
        let client_shown =
            r#"ClientCredentials { key: "k+", secret: Secret([redacted]), rsa_key: None }"#;
        assert_eq!(
            shown,
            format!(
                r#"{client_shown} TokenCredentials {{ token: "t=", secret: Secret([redacted]) }}"#
            )
        );
    }

    #[cfg(feature = "serde")]
    #[test]
    fn credentials_read_back_are_counted_again_and_the_counts_are_not_written() {
        let client = ClientCredentials::new("k +", "s&/\u{e9}");
        let token = TokenCredentials::new("t=", "%");
        let json = serde_json::to_string(&(&client, &token)).unwrap();
        assert_eq!(
            json,
            r#"[{"key":"k +","secret":"s&/é"},{"token":"t=","secret":"%"}]"#
        );
        let (client_back, token_back): (ClientCredentials, TokenCredentials) =
            serde_json::from_str(&json).unwrap();
        assert_eq!(client_back, client);
        assert_eq!(token_back, token);
        // "k%20%2B", "s%26%2F%C3%A9", "t%3D", "%25".
        assert_eq!(client_back.counted_key().encoded_len(), 7);
        assert_eq!(client_back.counted_secret().encoded_len(), 13);
        assert_eq!(token_back.counted_token().encoded_len(), 4);
        assert_eq!(token_back.counted_secret().encoded_len(), 3);
    }
}
