//! Signature methods. PLAINTEXT (RFC 5849 section 3.4.4) is built in; other methods join the
//! [`SignatureMethod`] enum behind features of their own, so callers never change.

use alloc::string::String;
use core::fmt;
use core::str::FromStr;

use percent_encoding::utf8_percent_encode;

use crate::encode::{RFC5849, encode, is_unreserved, needs_no_encoding};
use crate::{Error, Secret};

/// How requests are signed (`oauth_signature_method`).
///
/// Non-exhaustive: methods beyond PLAINTEXT are added behind cargo features without breaking
/// callers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SignatureMethod {
    /// `PLAINTEXT` (RFC 5849 section 3.4.4): the signature is the two secrets themselves, so it
    /// must travel over TLS. The method the Discogs API recommends.
    #[default]
    Plaintext,
}

impl SignatureMethod {
    /// Every method this build supports (it grows with the signature-method features).
    pub const ALL: &'static [Self] = &[Self::Plaintext];

    /// The name sent as `oauth_signature_method`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Plaintext => "PLAINTEXT",
        }
    }

    /// Whether the signature reveals the secrets to anyone who sees the request.
    #[must_use]
    pub const fn sends_secrets_in_clear(self) -> bool {
        match self {
            Self::Plaintext => true,
        }
    }
}

impl fmt::Display for SignatureMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SignatureMethod {
    type Err = Error;

    /// Parses a method name exactly as RFC 5849 spells it (`PLAINTEXT`).
    fn from_str(name: &str) -> Result<Self, Error> {
        Self::ALL
            .iter()
            .find(|m| m.as_str() == name)
            .copied()
            .ok_or_else(|| Error::UnknownSignatureMethod {
                name: crate::error::excerpt(name),
            })
    }
}

/// Serializes as its name (`"PLAINTEXT"`).
#[cfg(feature = "serde")]
impl serde::Serialize for SignatureMethod {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for SignatureMethod {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = <alloc::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        name.parse().map_err(serde::de::Error::custom)
    }
}

/// The secrets a signature is made with.
#[derive(Clone, Copy)]
pub(crate) struct SigningKey<'a> {
    pub(crate) consumer_secret: &'a str,
    pub(crate) token_secret: &'a str,
}

impl<'a> SigningKey<'a> {
    pub(crate) fn new(consumer_secret: &'a Secret, token_secret: Option<&'a Secret>) -> Self {
        Self {
            consumer_secret: consumer_secret.expose_secret(),
            token_secret: token_secret.map_or("", Secret::expose_secret),
        }
    }

    /// Writes `enc(consumer secret) & enc(token secret)`.
    fn write_plaintext<W: fmt::Write + ?Sized>(&self, out: &mut W) -> fmt::Result {
        encode(self.consumer_secret).write_to(out)?;
        out.write_char('&')?;
        encode(self.token_secret).write_to(out)
    }

    /// Writes the PLAINTEXT signature as it appears in a header, query or form: encoded once more,
    /// so `&` travels as `%26` and each `%XX` of the first encoding as `%25XX`.
    pub(crate) fn write_plaintext_encoded<W: fmt::Write + ?Sized>(
        &self,
        out: &mut W,
    ) -> fmt::Result {
        write_encoded_twice(out, self.consumer_secret)?;
        out.write_str("%26")?;
        write_encoded_twice(out, self.token_secret)
    }
}

impl SigningKey<'_> {
    /// The length [`write_plaintext_encoded`](Self::write_plaintext_encoded) writes: each
    /// reserved byte `b` becomes `%25XX` (five bytes), `&` becomes `%26`.
    pub(crate) fn plaintext_encoded_len(&self) -> usize {
        let twice = |s: &str| s.len() + 4 * s.bytes().filter(|&b| !is_unreserved(b)).count();
        twice(self.consumer_secret) + 3 + twice(self.token_secret)
    }
}

fn write_encoded_twice<W: fmt::Write + ?Sized>(out: &mut W, value: &str) -> fmt::Result {
    if needs_no_encoding(value) {
        return out.write_str(value);
    }
    for chunk in utf8_percent_encode(value, RFC5849) {
        encode(chunk).write_to(out)?;
    }
    Ok(())
}

/// The PLAINTEXT signature of RFC 5849 section 3.4.4, before it is encoded for transmission:
/// `enc(consumer secret) & enc(token secret)`, the `&` present even when the token secret is
/// empty or absent.
///
/// ```
/// use countersign::{Secret, signature::plaintext};
///
/// let consumer = Secret::new("ja893SD9");
/// let token = Secret::new("xyz4992k83j47x0b");
/// assert_eq!(plaintext(&consumer, None).expose_secret(), "ja893SD9&");
/// assert_eq!(plaintext(&consumer, Some(&token)).expose_secret(), "ja893SD9&xyz4992k83j47x0b");
/// ```
#[must_use]
pub fn plaintext(consumer_secret: &Secret, token_secret: Option<&Secret>) -> Secret {
    let mut out = String::new();
    // Writing to a String cannot fail.
    let _ = SigningKey::new(consumer_secret, token_secret).write_plaintext(&mut out);
    Secret::from(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    fn encoded(cs: &str, ts: &str) -> String {
        let mut out = String::new();
        let (cs, ts) = (Secret::new(cs), Secret::new(ts));
        SigningKey::new(&cs, Some(&ts))
            .write_plaintext_encoded(&mut out)
            .unwrap();
        out
    }

    #[test]
    fn header_form_is_the_raw_form_encoded_again() {
        assert_eq!(encoded("ja893SD9", ""), "ja893SD9%26");
        assert_eq!(encoded("", ""), "%26");
        assert_eq!(encoded("foo", "bar"), "foo%26bar");
        assert_eq!(encoded("a b", "c&d"), "a%2520b%26c%2526d");
        assert_eq!(encoded("\u{2603}", ""), "%25E2%2598%2583%26");
        for (cs, ts) in [("a b", "c&d"), ("\u{2603}%", "+/=")] {
            let raw = plaintext(&Secret::new(cs), Some(&Secret::new(ts)));
            assert_eq!(encoded(cs, ts), encode(raw.expose_secret()).to_string());
        }
    }

    #[test]
    fn method_names() {
        assert_eq!(
            "PLAINTEXT".parse::<SignatureMethod>(),
            Ok(SignatureMethod::Plaintext)
        );
        assert_eq!(
            "HMAC-MD5".parse::<SignatureMethod>(),
            Err(Error::UnknownSignatureMethod {
                name: "HMAC-MD5".into()
            })
        );
        assert_eq!(SignatureMethod::Plaintext.to_string(), "PLAINTEXT");
    }
}
