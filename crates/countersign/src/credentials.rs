//! Client (consumer) and token credentials.

use alloc::string::String;
use core::fmt;

use crate::Secret;
use crate::encode::{Counted, count_reserved};

/// A credential (a key, a token, a secret) with the number of its bytes RFC 5849 percent-encodes,
/// counted when the credentials are made (see [`Counted`]): signing with the same credentials
/// again and again does not scan them again. It shows, serializes and compares as the value
/// alone; read back, it is counted again.
#[derive(Clone, PartialEq, Eq)]
struct Measured<T> {
    value: T,
    reserved: usize,
}

/// The text of a credential, whatever holds it.
trait Text {
    fn text(&self) -> &str;
}

impl Text for String {
    fn text(&self) -> &str {
        self
    }
}

impl Text for Secret {
    fn text(&self) -> &str {
        self.expose_secret()
    }
}

impl<T: Text> Measured<T> {
    fn new(value: T) -> Self {
        Self {
            reserved: count_reserved(value.text().as_bytes()),
            value,
        }
    }

    fn counted(&self) -> Counted<'_> {
        Counted::with_count(self.value.text(), self.reserved)
    }
}

/// The value's own `Debug` (a secret's redacts it): the count says something of the secret.
impl<T: fmt::Debug> fmt::Debug for Measured<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.value.fmt(f)
    }
}

#[cfg(feature = "serde")]
impl<T: serde::Serialize> serde::Serialize for Measured<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.value.serialize(serializer)
    }
}

#[cfg(feature = "serde")]
impl<'de, T: serde::Deserialize<'de> + Text> serde::Deserialize<'de> for Measured<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        T::deserialize(deserializer).map(Self::new)
    }
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
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ClientCredentials {
    key: Measured<String>,
    secret: Measured<Secret>,
    /// For the RSA methods. Never serialized: load it from its file each time.
    #[cfg(feature = "_rsa")]
    #[cfg_attr(feature = "serde", serde(skip))]
    rsa_key: Option<crate::RsaPrivateKey>,
}

impl ClientCredentials {
    /// Client credentials from a consumer key and secret.
    pub fn new(key: impl Into<String>, secret: impl Into<Secret>) -> Self {
        Self {
            key: Measured::new(key.into()),
            secret: Measured::new(secret.into()),
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
        &self.key.value
    }

    /// The consumer secret.
    #[must_use]
    pub fn secret(&self) -> &Secret {
        &self.secret.value
    }

    /// The consumer key with its count of encoded bytes.
    pub(crate) fn counted_key(&self) -> Counted<'_> {
        self.key.counted()
    }

    /// The consumer secret with its count of encoded bytes.
    pub(crate) fn counted_secret(&self) -> Counted<'_> {
        self.secret.counted()
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
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct TokenCredentials {
    token: Measured<String>,
    secret: Measured<Secret>,
}

impl TokenCredentials {
    /// Token credentials from a token and its secret.
    pub fn new(token: impl Into<String>, secret: impl Into<Secret>) -> Self {
        Self {
            token: Measured::new(token.into()),
            secret: Measured::new(secret.into()),
        }
    }

    /// The token identifier (`oauth_token`).
    #[must_use]
    pub fn token(&self) -> &str {
        &self.token.value
    }

    /// The token secret.
    #[must_use]
    pub fn secret(&self) -> &Secret {
        &self.secret.value
    }

    /// The token with its count of encoded bytes.
    pub(crate) fn counted_token(&self) -> Counted<'_> {
        self.token.counted()
    }

    /// The token secret with its count of encoded bytes.
    pub(crate) fn counted_secret(&self) -> Counted<'_> {
        self.secret.counted()
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
