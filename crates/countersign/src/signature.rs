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
    /// `HMAC-SHA1` (RFC 5849 section 3.4.2): HMAC-SHA1 of the signature base string, keyed with
    /// `enc(consumer secret)&enc(token secret)`, in base64. The method most providers use.
    #[cfg(feature = "hmac-sha1")]
    HmacSha1,
    /// `HMAC-SHA256`: the same construction with SHA-256 (not in RFC 5849, widely supported).
    #[cfg(feature = "hmac-sha256")]
    HmacSha256,
}

impl SignatureMethod {
    /// Every method this build supports (it grows with the signature-method features).
    pub const ALL: &'static [Self] = &[
        Self::Plaintext,
        #[cfg(feature = "hmac-sha1")]
        Self::HmacSha1,
        #[cfg(feature = "hmac-sha256")]
        Self::HmacSha256,
    ];

    /// The name sent as `oauth_signature_method`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Plaintext => "PLAINTEXT",
            #[cfg(feature = "hmac-sha1")]
            Self::HmacSha1 => "HMAC-SHA1",
            #[cfg(feature = "hmac-sha256")]
            Self::HmacSha256 => "HMAC-SHA256",
        }
    }

    /// Whether the signature reveals the secrets to anyone who sees the request.
    #[must_use]
    pub const fn sends_secrets_in_clear(self) -> bool {
        matches!(self, Self::Plaintext)
    }

    /// Whether the signature covers the request (method, URL, parameters, timestamp and nonce),
    /// so that a timestamp and a nonce are required.
    #[must_use]
    pub const fn signs_request(self) -> bool {
        !self.sends_secrets_in_clear()
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

impl SigningKey<'_> {
    /// `enc(consumer secret)&enc(token secret)`: the PLAINTEXT signature and the HMAC key.
    pub(crate) fn joined(&self) -> Secret {
        let mut out = String::with_capacity(
            crate::encode::encoded_len(self.consumer_secret)
                + 1
                + crate::encode::encoded_len(self.token_secret),
        );
        // Writing to a String cannot fail.
        let _ = self.write_plaintext(&mut out);
        Secret::from(out)
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
    SigningKey::new(consumer_secret, token_secret).joined()
}

/// The signature of `request` under `method`, as RFC 5849 section 3.4 computes it, before it is
/// encoded for transmission: for PLAINTEXT `enc(consumer secret)&enc(token secret)`, for the HMAC
/// methods the base64 MAC of the signature base string of `request` with `protocol_params` (every
/// `oauth_*` parameter sent, raw, without `oauth_signature`; never `realm`).
///
/// What a provider compares the received `oauth_signature` with (in constant time:
/// [`Secret::ct_eq`]).
///
/// ```
/// use countersign::signature::{SignatureMethod, compute};
/// use countersign::{Request, Secret};
///
/// let expected = compute(
///     SignatureMethod::Plaintext,
///     &Secret::new("ja893SD9"),
///     None,
///     &Request::post("https://server.example.com/request_temp_credentials"),
///     &[],
/// )?;
/// assert!(expected.ct_eq("ja893SD9&"));
/// # Ok::<(), countersign::Error>(())
/// ```
///
/// # Errors
/// For HMAC methods, as [`crate::base_string::base_string`].
pub fn compute(
    method: SignatureMethod,
    consumer_secret: &Secret,
    token_secret: Option<&Secret>,
    request: &crate::Request<'_>,
    protocol_params: &[(&str, &str)],
) -> Result<Secret, Error> {
    let key = SigningKey::new(consumer_secret, token_secret);
    let Some(mut mac) = Keyed::new(method, &key) else {
        return Ok(key.joined());
    };
    let url = crate::url::split(request.url())?;
    let mut params = crate::base_string::collect(request, &url, protocol_params)?;
    crate::base_string::write(&mut mac, request.method(), &url, &mut params);
    Ok(Secret::new(mac.finish().as_str()))
}

/// A computed signature (HMAC), base64 with padding: at most 44 characters (SHA-256).
#[derive(Clone, Copy, PartialEq, Eq)]
#[cfg_attr(
    not(any(feature = "hmac-sha1", feature = "hmac-sha256")),
    allow(dead_code)
)]
pub(crate) struct Computed {
    buf: [u8; 44],
    len: u8,
}

impl fmt::Debug for Computed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Computed").field(&self.as_str()).finish()
    }
}

impl Computed {
    pub(crate) fn as_str(&self) -> &str {
        self.buf
            .get(..usize::from(self.len))
            .and_then(|b| core::str::from_utf8(b).ok())
            .unwrap_or_default()
    }
}

pub(crate) use keyed::Keyed;

/// Without an HMAC feature there is no keyed method: the type has no values, so the signers'
/// HMAC paths compile away.
#[cfg(not(any(feature = "hmac-sha1", feature = "hmac-sha256")))]
mod keyed {
    use super::{Computed, SignatureMethod, SigningKey};

    #[derive(Clone)]
    pub(crate) enum Keyed {}

    impl Keyed {
        pub(crate) fn new(_: SignatureMethod, _: &SigningKey<'_>) -> Option<Self> {
            None
        }

        pub(crate) fn finish(self) -> Computed {
            match self {}
        }
    }

    impl crate::base_string::Sink for Keyed {
        fn put(&mut self, _: &[u8]) {
            match *self {}
        }
    }
}

#[cfg(any(feature = "hmac-sha1", feature = "hmac-sha256"))]
mod keyed {
    use super::{Computed, SignatureMethod, SigningKey};
    use base64::Engine as _;
    use hmac::{Hmac, KeyInit, Mac};

    /// An HMAC keyed with the signing key, ready for the base string. Cloned per request by the
    /// prepared signer, so the key schedule runs once. Writes are gathered in a small buffer:
    /// the base string arrives in many short pieces, and each `update` has a fixed cost.
    #[derive(Clone)]
    pub(crate) struct Keyed {
        mac: Inner,
        buf: [u8; 128],
        len: usize,
    }

    #[derive(Clone)]
    enum Inner {
        #[cfg(feature = "hmac-sha1")]
        Sha1(Hmac<sha1::Sha1>),
        #[cfg(feature = "hmac-sha256")]
        Sha256(Hmac<sha2::Sha256>),
    }

    impl Keyed {
        /// `None` for methods that are not HMACs.
        pub(crate) fn new(method: SignatureMethod, key: &SigningKey<'_>) -> Option<Self> {
            if !method.signs_request() {
                return None;
            }
            let key = key.joined();
            let bytes = key.expose_secret().as_bytes();
            match method {
                SignatureMethod::Plaintext => None,
                #[cfg(feature = "hmac-sha1")]
                SignatureMethod::HmacSha1 => Hmac::new_from_slice(bytes).ok().map(Inner::Sha1),
                #[cfg(feature = "hmac-sha256")]
                SignatureMethod::HmacSha256 => Hmac::new_from_slice(bytes).ok().map(Inner::Sha256),
            }
            .map(|mac| Self {
                mac,
                buf: [0; 128],
                len: 0,
            })
        }

        fn update(&mut self, bytes: &[u8]) {
            match &mut self.mac {
                #[cfg(feature = "hmac-sha1")]
                Inner::Sha1(mac) => mac.update(bytes),
                #[cfg(feature = "hmac-sha256")]
                Inner::Sha256(mac) => mac.update(bytes),
            }
        }

        fn flush(&mut self) {
            let pending = self.buf.get(..self.len).unwrap_or_default();
            match &mut self.mac {
                #[cfg(feature = "hmac-sha1")]
                Inner::Sha1(mac) => mac.update(pending),
                #[cfg(feature = "hmac-sha256")]
                Inner::Sha256(mac) => mac.update(pending),
            }
            self.len = 0;
        }

        pub(crate) fn finish(mut self) -> Computed {
            /// Standard base64 with padding: 20 or 32 bytes always fit in 44 characters.
            fn base64(mac: &[u8], out: &mut [u8; 44]) -> u8 {
                let written = base64::engine::general_purpose::STANDARD
                    .encode_slice(mac, out)
                    .unwrap_or(0);
                #[allow(clippy::cast_possible_truncation)] // at most 44
                {
                    written as u8
                }
            }
            self.flush();
            let mut out = Computed {
                buf: [0; 44],
                len: 0,
            };
            out.len = match self.mac {
                #[cfg(feature = "hmac-sha1")]
                Inner::Sha1(mac) => base64(&mac.finalize().into_bytes(), &mut out.buf),
                #[cfg(feature = "hmac-sha256")]
                Inner::Sha256(mac) => base64(&mac.finalize().into_bytes(), &mut out.buf),
            };
            out
        }
    }

    impl crate::base_string::Sink for Keyed {
        #[inline]
        fn put(&mut self, bytes: &[u8]) {
            let len = self.len;
            if let Some(room) = self.buf.get_mut(len..len + bytes.len()) {
                room.copy_from_slice(bytes);
                self.len = len + bytes.len();
                return;
            }
            self.flush();
            match self.buf.get_mut(..bytes.len()) {
                Some(room) => {
                    room.copy_from_slice(bytes);
                    self.len = bytes.len();
                }
                // Longer than the whole buffer: straight through.
                None => self.update(bytes),
            }
        }
    }
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
