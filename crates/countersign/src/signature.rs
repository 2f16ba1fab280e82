//! Signature methods. PLAINTEXT (RFC 5849 section 3.4.4) is built in; other methods join the
//! [`SignatureMethod`] enum behind features of their own, so callers never change.

use alloc::string::String;
use core::fmt;
use core::str::FromStr;

use crate::ParseError;
use crate::encode::Counted;
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
    /// `HMAC-SHA512`: the same construction with SHA-512 (not in RFC 5849; oauthlib has it).
    #[cfg(feature = "hmac-sha512")]
    HmacSha512,
    /// `RSA-SHA1` (RFC 5849 section 3.4.3): RSASSA-PKCS1-v1_5 with SHA-1 over the signature base
    /// string, signed with the client's RSA private key, in base64. Jira and Confluence Data
    /// Center use it.
    #[cfg(feature = "rsa-sha1")]
    RsaSha1,
    /// `RSA-SHA256`: the same construction with SHA-256 (Mastercard's APIs).
    #[cfg(feature = "rsa-sha256")]
    RsaSha256,
}

impl SignatureMethod {
    /// Every method this build supports (it grows with the signature-method features).
    pub const ALL: &'static [Self] = &[
        Self::Plaintext,
        #[cfg(feature = "hmac-sha1")]
        Self::HmacSha1,
        #[cfg(feature = "hmac-sha256")]
        Self::HmacSha256,
        #[cfg(feature = "hmac-sha512")]
        Self::HmacSha512,
        #[cfg(feature = "rsa-sha1")]
        Self::RsaSha1,
        #[cfg(feature = "rsa-sha256")]
        Self::RsaSha256,
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
            #[cfg(feature = "hmac-sha512")]
            Self::HmacSha512 => "HMAC-SHA512",
            #[cfg(feature = "rsa-sha1")]
            Self::RsaSha1 => "RSA-SHA1",
            #[cfg(feature = "rsa-sha256")]
            Self::RsaSha256 => "RSA-SHA256",
        }
    }

    /// Whether the method signs with the client's RSA private key (and a provider verifies with
    /// its public key) rather than with the shared secrets.
    #[must_use]
    pub const fn uses_rsa(self) -> bool {
        match self {
            #[cfg(feature = "rsa-sha1")]
            Self::RsaSha1 => true,
            #[cfg(feature = "rsa-sha256")]
            Self::RsaSha256 => true,
            _ => false,
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
            .ok_or_else(|| {
                Error::Parse(ParseError::SignatureMethod {
                    name: crate::error::excerpt(name),
                })
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
    pub(crate) consumer_secret: Counted<'a>,
    pub(crate) token_secret: Counted<'a>,
    /// The client's private key, for the RSA methods.
    #[cfg(feature = "_rsa")]
    pub(crate) rsa: Option<&'a crate::RsaPrivateKey>,
}

impl<'a> SigningKey<'a> {
    pub(crate) fn new(consumer_secret: &'a Secret, token_secret: Option<&'a Secret>) -> Self {
        Self::from_secrets(
            consumer_secret.expose_secret(),
            token_secret.map(Secret::expose_secret),
        )
    }

    /// The shared secrets as they are (the verifier's, which may be dummies).
    pub(crate) fn from_secrets(consumer_secret: &'a str, token_secret: Option<&'a str>) -> Self {
        Self {
            consumer_secret: Counted::new(consumer_secret),
            token_secret: Counted::new(token_secret.unwrap_or("")),
            #[cfg(feature = "_rsa")]
            rsa: None,
        }
    }

    /// The key of `client` (its secret, already counted, and its RSA private key if it has one)
    /// with the token's secret.
    pub(crate) fn of(
        client: &'a crate::ClientCredentials,
        token_secret: Option<Counted<'a>>,
    ) -> Self {
        Self {
            consumer_secret: client.counted_secret(),
            token_secret: token_secret.unwrap_or(Counted::with_count("", 0)),
            #[cfg(feature = "_rsa")]
            rsa: client.rsa_private_key(),
        }
    }

    /// Writes `enc(consumer secret) & enc(token secret)`.
    fn write_plaintext<W: fmt::Write + ?Sized>(&self, out: &mut W) -> fmt::Result {
        self.consumer_secret.write_to(out)?;
        out.write_char('&')?;
        self.token_secret.write_to(out)
    }

    /// Writes the PLAINTEXT signature as it appears in a header, query or form: encoded once more,
    /// so `&` travels as `%26` and each `%XX` of the first encoding as `%25XX`.
    pub(crate) fn write_plaintext_encoded<W: fmt::Write + ?Sized>(
        &self,
        out: &mut W,
    ) -> fmt::Result {
        self.consumer_secret.write_twice_to(out)?;
        out.write_str("%26")?;
        self.token_secret.write_twice_to(out)
    }
}

impl SigningKey<'_> {
    /// The length [`write_plaintext_encoded`](Self::write_plaintext_encoded) writes: each
    /// reserved byte `b` becomes `%25XX` (five bytes), `&` becomes `%26`.
    pub(crate) fn plaintext_encoded_len(&self) -> usize {
        self.consumer_secret.twice_encoded_len() + 3 + self.token_secret.twice_encoded_len()
    }
}

/// The longest HMAC key [`SigningKey::with_joined`] builds on the stack.
const STACK_KEY: usize = 256;

impl SigningKey<'_> {
    /// Calls `f` with `enc(consumer secret)&enc(token secret)` (the HMAC key), built on the
    /// stack when it fits in [`STACK_KEY`] bytes (then cleared), else in a [`Secret`]: keying an
    /// HMAC allocates nothing for the usual key.
    #[cfg_attr(not(feature = "_hmac"), allow(dead_code))]
    pub(crate) fn with_joined<R>(&self, f: impl FnOnce(&[u8]) -> R) -> R {
        let mut key = crate::stack_text::StackText::<STACK_KEY>::new();
        if self.write_plaintext(&mut key).is_err() {
            return f(self.joined().expose_secret().as_bytes());
        }
        f(key.as_bytes())
    }

    /// `enc(consumer secret)&enc(token secret)`: the PLAINTEXT signature and the HMAC key.
    pub(crate) fn joined(&self) -> Secret {
        let mut out = String::with_capacity(
            self.consumer_secret.encoded_len() + 1 + self.token_secret.encoded_len(),
        );
        // Writing to a String cannot fail.
        let _ = self.write_plaintext(&mut out);
        Secret::from(out)
    }
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
/// [`Secret::ct_eq`]). The RSA methods sign with a private key, which a provider does not
/// have: it checks them with `verify_rsa` (features `rsa-sha1`, `rsa-sha256`).
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
/// For HMAC methods, as [`crate::base_string::base_string`];
/// [`Misuse::RsaKeyRequired`](crate::Misuse::RsaKeyRequired) for the RSA methods.
pub fn compute(
    method: SignatureMethod,
    consumer_secret: &Secret,
    token_secret: Option<&Secret>,
    request: &crate::Request<'_>,
    protocol_params: &[(&str, &str)],
) -> Result<Secret, Error> {
    compute_with(
        method,
        SigningKey::new(consumer_secret, token_secret),
        request,
        protocol_params,
    )
}

/// [`compute`] with the key's parts as they are.
pub(crate) fn compute_with(
    method: SignatureMethod,
    key: SigningKey<'_>,
    request: &crate::Request<'_>,
    protocol_params: &[(&str, &str)],
) -> Result<Secret, Error> {
    let Some(mut mac) = Keyed::new(method, &key)? else {
        return Ok(key.joined());
    };
    let url = crate::url::split(request.url())?;
    let mut params = crate::base_string::collect(request, &url, protocol_params)?;
    crate::base_string::write(&mut mac, request.method(), &url, &mut params);
    let mut out = Computed::EMPTY;
    mac.finish_into(&mut out)?;
    Ok(Secret::new(out.as_str()))
}

/// The signature of a signature base string that is already built (RFC 5849 section 3.4.1),
/// with `client`'s secret or RSA private key and the token's secret, before it is encoded for
/// transmission. For PLAINTEXT the base string is not used.
///
/// For checking a base string a provider's documentation or error message shows, and for test
/// vectors given as base strings; [`Signer`](crate::Signer) builds the base string itself.
///
/// ```
/// # #[cfg(feature = "hmac-sha1")] {
/// use countersign::signature::{SignatureMethod, sign_base_string};
/// use countersign::{ClientCredentials, Secret};
///
/// // RFC 5849 section 3.4.2's example (its errata's signature).
/// let client = ClientCredentials::new("9djdj82h48djs9d2", "j49sk3j29djd");
/// let base = "POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q%26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D%26c2%3D%26oauth_consumer_key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk9d7dh3k39sjv7";
/// let signature = sign_base_string(SignatureMethod::HmacSha1, &client, Some(&Secret::new("dh893hdasih9")), base)?;
/// assert_eq!(signature.expose_secret(), "r6/TJjbCOr97/+UU0NsvSne7s5g=");
/// # }
/// # Ok::<(), countersign::Error>(())
/// ```
///
/// # Errors
/// [`Misuse::RsaKeyRequired`](crate::Misuse::RsaKeyRequired) for an RSA method when `client`
/// has no RSA private key; [`Misuse::RsaSigning`](crate::Misuse::RsaSigning) when the key
/// cannot sign.
pub fn sign_base_string(
    method: SignatureMethod,
    client: &crate::ClientCredentials,
    token_secret: Option<&Secret>,
    base_string: &str,
) -> Result<Secret, Error> {
    let key = SigningKey::of(
        client,
        token_secret.map(|s| Counted::new(s.expose_secret())),
    );
    let Some(mut mac) = Keyed::new(method, &key)? else {
        return Ok(key.joined());
    };
    crate::base_string::Sink::put(&mut mac, base_string.as_bytes());
    let mut out = Computed::EMPTY;
    mac.finish_into(&mut out)?;
    Ok(Secret::new(out.as_str()))
}

/// Whether `signature` (base64, as sent in `oauth_signature` once percent-decoded) is
/// `public_key`'s RSA signature of `base_string` under `method` (RSASSA-PKCS1-v1_5, RFC 5849
/// section 3.4.3). `false` for a method that is not RSA, and for a signature that is not base64.
///
/// ```
/// # #[cfg(feature = "rsa-sha1")] {
/// use countersign::signature::{SignatureMethod, verify_rsa};
/// use countersign::RsaPublicKey;
///
/// // oauthlib's RSA-SHA1 vector.
/// let key = RsaPublicKey::from_pem(&std::fs::read_to_string("tests/data/rsa/oauthlib-1024.pub.pem").unwrap())?;
/// let base = "POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q%26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D%26c2%3D%26oauth_consumer_key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk9d7dh3k39sjv7";
/// let signature = "mFY2KOEnlYWsTvUA+5kxuBIcvBYXu+ljw9ttVJQxKduMueGSVPCB1tK1PlqVLK738HK0t19ecBJfb6rMxUwrriw+MlBO+jpojkZIWccw1J4cAb4qu4M81DbpUAq4j/1w/QyTR4TWCODlEfN7Zfgy8+pf+TjiXfIwRC1jEWbuL1E=";
/// assert!(verify_rsa(SignatureMethod::RsaSha1, &key, base.as_bytes(), signature));
/// assert!(!verify_rsa(SignatureMethod::RsaSha1, &key, b"another base string", signature));
/// # }
/// # Ok::<(), countersign::Error>(())
/// ```
#[cfg(feature = "_rsa")]
#[must_use]
pub fn verify_rsa(
    method: SignatureMethod,
    public_key: &crate::RsaPublicKey,
    base_string: &[u8],
    signature: &str,
) -> bool {
    use base64::Engine as _;
    use rsa::Pkcs1v15Sign;
    use sha_digest::Digest;
    // A signature is as long as the modulus (at most 4096 bits: 684 base64 characters).
    if signature.len() > 4 * public_key.bits().div_ceil(8).div_ceil(3) {
        return false;
    }
    let Ok(sent) = base64::engine::general_purpose::STANDARD.decode(signature) else {
        return false;
    };
    let key = public_key.inner();
    let verified = match method {
        #[cfg(feature = "rsa-sha1")]
        SignatureMethod::RsaSha1 => key.verify(
            Pkcs1v15Sign::new::<sha1::Sha1>(),
            &sha1::Sha1::digest(base_string),
            &sent,
        ),
        #[cfg(feature = "rsa-sha256")]
        SignatureMethod::RsaSha256 => key.verify(
            Pkcs1v15Sign::new::<sha2::Sha256>(),
            &sha2::Sha256::digest(base_string),
            &sent,
        ),
        _ => return false,
    };
    verified.is_ok()
}

/// `oauth_body_hash`, the OAuth Request Body Hash extension: base64 of the digest of a request's
/// body (one that is not a form), with the hash of the signature method: SHA-1 for HMAC-SHA1 and
/// RSA-SHA1, SHA-256 for HMAC-SHA256 and RSA-SHA256, SHA-512 for HMAC-SHA512. A body hash is
/// public (it is sent in the clear); it proves nothing without a signature over it, so PLAINTEXT
/// has none.
///
/// Send one with [`Signer::body_hash`](crate::Signer::body_hash); a provider checks one with the
/// verifier (given the body with [`Request::with_body`](crate::Request::with_body)).
///
/// ```
/// # #[cfg(feature = "hmac-sha1")] {
/// use countersign::signature::{BodyHash, SignatureMethod};
///
/// // The body hash draft's example.
/// let hash = BodyHash::new(SignatureMethod::HmacSha1, b"Hello World!")?;
/// assert_eq!(hash.as_str(), "Lve95gjOVATpfV8EL5X4nxwjKHE=");
/// # }
/// # Ok::<(), countersign::Error>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct BodyHash(Short);

impl BodyHash {
    /// The body hash of `body` for `method`.
    ///
    /// # Errors
    /// [`Misuse::BodyHashWithPlaintext`](crate::Misuse::BodyHashWithPlaintext) for PLAINTEXT.
    // Without a digest method PLAINTEXT is the only method, and the digest arms compile away.
    #[cfg_attr(not(feature = "_digest"), allow(unreachable_code, unused_variables))]
    pub fn new(method: SignatureMethod, body: &[u8]) -> Result<Self, Error> {
        #[cfg(feature = "_digest")]
        fn digest<D: sha_digest::Digest>(body: &[u8]) -> Short {
            Short::base64_of(&D::digest(body))
        }
        let short = match method {
            SignatureMethod::Plaintext => {
                return Err(Error::Misuse(crate::Misuse::BodyHashWithPlaintext));
            }
            #[cfg(feature = "hmac-sha1")]
            SignatureMethod::HmacSha1 => digest::<sha1::Sha1>(body),
            #[cfg(feature = "hmac-sha256")]
            SignatureMethod::HmacSha256 => digest::<sha2::Sha256>(body),
            #[cfg(feature = "hmac-sha512")]
            SignatureMethod::HmacSha512 => digest::<sha2::Sha512>(body),
            #[cfg(feature = "rsa-sha1")]
            SignatureMethod::RsaSha1 => digest::<sha1::Sha1>(body),
            #[cfg(feature = "rsa-sha256")]
            SignatureMethod::RsaSha256 => digest::<sha2::Sha256>(body),
        };
        Ok(Self(short))
    }

    /// The value of `oauth_body_hash`, before it is percent-encoded for the header.
    #[must_use]
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// Whether `sent` is this hash, compared in constant time.
    #[must_use]
    pub fn matches(&self, sent: &str) -> bool {
        crate::swar::ct_eq(self.as_str().as_bytes(), sent.as_bytes())
    }
}

impl fmt::Debug for BodyHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("BodyHash").field(&self.as_str()).finish()
    }
}

impl fmt::Display for BodyHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The digest trait of the hash crates, under one name.
#[cfg(feature = "_digest")]
mod sha_digest {
    pub(super) use digest::Digest;
}

/// Base64 with padding of at most 64 bytes (an HMAC, a digest): at most 88 characters.
#[derive(Clone, Copy, PartialEq, Eq)]
#[cfg_attr(not(feature = "_digest"), allow(dead_code))]
pub(crate) struct Short {
    buf: [u8; SHORT_MAX],
    len: u8,
}

/// The longest [`Short`]: base64 of SHA-512's 64 bytes.
const SHORT_MAX: usize = 88;

impl Short {
    const EMPTY: Self = Self {
        buf: [0; SHORT_MAX],
        len: 0,
    };

    fn as_str(&self) -> &str {
        self.buf
            .get(..usize::from(self.len))
            .and_then(|b| core::str::from_utf8(b).ok())
            .unwrap_or_default()
    }

    /// Standard base64 with padding of `bytes` (at most 64: 20, 32 or 64 always fit).
    #[cfg(feature = "_digest")]
    fn base64_of(bytes: &[u8]) -> Self {
        let mut out = Self::EMPTY;
        out.set_base64(bytes);
        out
    }

    #[cfg(feature = "_digest")]
    fn set_base64(&mut self, bytes: &[u8]) {
        use base64::Engine as _;
        let written = base64::engine::general_purpose::STANDARD
            .encode_slice(bytes, &mut self.buf)
            .unwrap_or(0);
        #[allow(clippy::cast_possible_truncation)] // at most 88
        {
            self.len = written as u8;
        }
    }
}

/// A computed signature (HMAC or RSA), base64 with padding: an HMAC in place (at most 88
/// characters), an RSA signature (as long as the key's modulus, up to 684 characters) on the heap.
#[derive(Clone, PartialEq, Eq)]
#[cfg_attr(not(feature = "_digest"), allow(dead_code))]
pub(crate) struct Computed {
    short: Short,
    #[cfg(feature = "_rsa")]
    long: Option<String>,
}

/// Redacted, as every signature is ([`SignedHeader`](crate::SignedHeader)'s `Debug` prints this
/// type): a PLAINTEXT signature is the secrets themselves.
impl fmt::Debug for Computed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Computed([redacted])")
    }
}

impl Computed {
    /// No signature yet: the place one is written to.
    pub(crate) const EMPTY: Self = Self {
        short: Short::EMPTY,
        #[cfg(feature = "_rsa")]
        long: None,
    };

    pub(crate) fn as_str(&self) -> &str {
        #[cfg(feature = "_rsa")]
        if let Some(long) = &self.long {
            return long;
        }
        self.short.as_str()
    }
}

pub(crate) use keyed::Keyed;

/// Without a digest method there is nothing keyed: the type has no values, so the signers'
/// digest paths compile away.
#[cfg(not(feature = "_digest"))]
#[path = "signature/keyed_none.rs"]
mod keyed;

#[cfg(feature = "_digest")]
mod keyed {
    use super::{Computed, SignatureMethod, SigningKey};
    use crate::Error;
    use digest::Output;
    use digest::array::Array;
    use digest::block_api::{Buffer, FixedOutputCore, UpdateCore};
    use digest::typenum::Unsigned;
    #[cfg(feature = "_hmac")]
    use hmac::{KeyInit, block_api::HmacCore};
    use zeroize::Zeroize;

    /// The largest block of the hashes: 128 bytes (SHA-512; SHA-1 and SHA-256 use 64).
    const MAX_BLOCK: usize = 128;

    /// The plain hash state of `D` (for the RSA methods).
    #[cfg(feature = "_rsa")]
    type Plain<D> = <D as digest::block_api::EagerHash>::Core;

    /// A hash state ready for the base string: an HMAC keyed with the signing key, or (RSA) a
    /// plain hash with the private key beside it. A prepared signer keys it once and takes a
    /// [`fresh`](Self::fresh) copy per request, so the key schedule runs once.
    ///
    /// The base string arrives in many short pieces: they are gathered here into the hash's own
    /// block (64 or 128 bytes), which is compressed as soon as it fills, so that each byte is
    /// copied once and no hashing buffer is copied or consulted per piece.
    ///
    /// Cleared on drop: the hash states after the pads stand in for the key (the `zeroize`
    /// features of `sha1` and `sha2` clear them), and the pending block holds base-string bytes
    /// (the verifier, an extension parameter such as `oauth_session_handle`). An RSA key clears
    /// itself when its last clone goes.
    #[derive(Clone)]
    pub(crate) struct Keyed {
        core: Core,
        /// The bytes written since the last compressed block: always fewer than `block_size`.
        block: [u8; MAX_BLOCK],
        len: usize,
        /// The hash's block size.
        block_size: usize,
    }

    /// The hash states: after the key's inner and outer pads (HMAC), or from the start (RSA).
    #[derive(Clone)]
    enum Core {
        #[cfg(feature = "hmac-sha1")]
        Sha1(HmacCore<sha1::Sha1>),
        #[cfg(feature = "hmac-sha256")]
        Sha256(HmacCore<sha2::Sha256>),
        #[cfg(feature = "hmac-sha512")]
        Sha512(HmacCore<sha2::Sha512>),
        #[cfg(feature = "rsa-sha1")]
        RsaSha1(Plain<sha1::Sha1>, crate::RsaPrivateKey),
        #[cfg(feature = "rsa-sha256")]
        RsaSha256(Plain<sha2::Sha256>, crate::RsaPrivateKey),
    }

    /// The hash states in [`Core`] clear themselves on drop: this does not compile without the
    /// `zeroize` features of `sha1` and `sha2`.
    const _: () = {
        const fn clears_itself<T: zeroize::ZeroizeOnDrop>() {}
        #[cfg(any(feature = "hmac-sha1", feature = "rsa-sha1"))]
        clears_itself::<<sha1::Sha1 as digest::block_api::EagerHash>::Core>();
        #[cfg(any(feature = "hmac-sha256", feature = "rsa-sha256"))]
        clears_itself::<<sha2::Sha256 as digest::block_api::EagerHash>::Core>();
        #[cfg(feature = "hmac-sha512")]
        clears_itself::<<sha2::Sha512 as digest::block_api::EagerHash>::Core>();
    };

    /// Compresses `bytes`, a whole number of `C`'s blocks.
    #[inline]
    fn blocks_of<C: UpdateCore>(core: &mut C, bytes: &[u8]) {
        let (blocks, _) = Array::<u8, C::BlockSize>::slice_as_chunks(bytes);
        core.update_blocks(blocks);
    }

    /// The digest (or MAC) of what `core` was given, `pending` being the last, partial block.
    fn digest_of<C: FixedOutputCore>(core: &mut C, pending: &[u8]) -> Output<C> {
        let mut out = Output::<C>::default();
        // Fewer than a block is pending: always a valid buffer.
        if let Ok(mut buffer) = Buffer::<C>::try_new(pending) {
            core.finalize_fixed_core(&mut buffer, &mut out);
        }
        out
    }

    /// RSASSA-PKCS1-v1_5 of `hash` (a `D` digest) with `key`, into `out` in base64.
    #[cfg(feature = "_rsa")]
    fn rsa_sign<D: digest::Digest + digest::const_oid::AssociatedOid>(
        key: &crate::RsaPrivateKey,
        hash: &[u8],
        out: &mut Computed,
    ) -> Result<(), Error> {
        use base64::Engine as _;
        let signature = key
            .inner()
            .sign(rsa::Pkcs1v15Sign::new::<D>(), hash)
            .map_err(|_| Error::Misuse(crate::Misuse::RsaSigning))?;
        out.long = Some(base64::engine::general_purpose::STANDARD.encode(signature));
        Ok(())
    }

    impl Core {
        fn block_size(&self) -> usize {
            fn of<C: UpdateCore>(_: &C) -> usize {
                C::BlockSize::USIZE
            }
            match self {
                #[cfg(feature = "hmac-sha1")]
                Self::Sha1(core) => of(core),
                #[cfg(feature = "hmac-sha256")]
                Self::Sha256(core) => of(core),
                #[cfg(feature = "hmac-sha512")]
                Self::Sha512(core) => of(core),
                #[cfg(feature = "rsa-sha1")]
                Self::RsaSha1(core, _) => of(core),
                #[cfg(feature = "rsa-sha256")]
                Self::RsaSha256(core, _) => of(core),
            }
        }

        /// Compresses `bytes`, a whole number of blocks.
        #[inline]
        fn compress(&mut self, bytes: &[u8]) {
            match self {
                #[cfg(feature = "hmac-sha1")]
                Self::Sha1(core) => blocks_of(core, bytes),
                #[cfg(feature = "hmac-sha256")]
                Self::Sha256(core) => blocks_of(core, bytes),
                #[cfg(feature = "hmac-sha512")]
                Self::Sha512(core) => blocks_of(core, bytes),
                #[cfg(feature = "rsa-sha1")]
                Self::RsaSha1(core, _) => blocks_of(core, bytes),
                #[cfg(feature = "rsa-sha256")]
                Self::RsaSha256(core, _) => blocks_of(core, bytes),
            }
        }
    }

    impl Keyed {
        /// `None` for PLAINTEXT, which digests nothing.
        ///
        /// # Errors
        /// [`Misuse::RsaKeyRequired`](crate::Misuse::RsaKeyRequired) for an RSA method without
        /// a private key.
        pub(crate) fn new(
            method: SignatureMethod,
            key: &SigningKey<'_>,
        ) -> Result<Option<Self>, Error> {
            // HMAC takes a key of any length: `new_from_slice` never fails for it.
            #[cfg(feature = "_hmac")]
            fn hmac<D>(key: &SigningKey<'_>) -> Result<HmacCore<D>, Error>
            where
                D: hmac::EagerHash,
                HmacCore<D>: KeyInit,
            {
                key.with_joined(|joined| HmacCore::new_from_slice(joined).map_err(|_| Error::Write))
            }
            #[cfg(feature = "_rsa")]
            let rsa_key = || {
                key.rsa
                    .cloned()
                    .ok_or(Error::Misuse(crate::Misuse::RsaKeyRequired))
            };
            let core = match method {
                SignatureMethod::Plaintext => return Ok(None),
                #[cfg(feature = "hmac-sha1")]
                SignatureMethod::HmacSha1 => Core::Sha1(hmac(key)?),
                #[cfg(feature = "hmac-sha256")]
                SignatureMethod::HmacSha256 => Core::Sha256(hmac(key)?),
                #[cfg(feature = "hmac-sha512")]
                SignatureMethod::HmacSha512 => Core::Sha512(hmac(key)?),
                #[cfg(feature = "rsa-sha1")]
                SignatureMethod::RsaSha1 => {
                    Core::RsaSha1(Plain::<sha1::Sha1>::default(), rsa_key()?)
                }
                #[cfg(feature = "rsa-sha256")]
                SignatureMethod::RsaSha256 => {
                    Core::RsaSha256(Plain::<sha2::Sha256>::default(), rsa_key()?)
                }
            };
            Ok(Some(Self {
                block_size: core.block_size(),
                core,
                block: [0; MAX_BLOCK],
                len: 0,
            }))
        }

        /// A copy with nothing written yet: the keyed state only, not the pending bytes.
        #[inline]
        pub(crate) fn fresh(&self) -> Self {
            Self {
                core: self.core.clone(),
                block: [0; MAX_BLOCK],
                len: 0,
                block_size: self.block_size,
            }
        }

        /// Finishes the signature into `out`, in place: an HMAC is not copied on its way out.
        ///
        /// # Errors
        /// [`Misuse::RsaSigning`](crate::Misuse::RsaSigning) when an RSA key cannot sign.
        pub(crate) fn finish_into(&mut self, out: &mut Computed) -> Result<(), Error> {
            let pending = self.block.get(..self.len).unwrap_or_default();
            match &mut self.core {
                #[cfg(feature = "hmac-sha1")]
                Core::Sha1(core) => out.short.set_base64(&digest_of(core, pending)),
                #[cfg(feature = "hmac-sha256")]
                Core::Sha256(core) => out.short.set_base64(&digest_of(core, pending)),
                #[cfg(feature = "hmac-sha512")]
                Core::Sha512(core) => out.short.set_base64(&digest_of(core, pending)),
                #[cfg(feature = "rsa-sha1")]
                Core::RsaSha1(core, key) => {
                    rsa_sign::<sha1::Sha1>(key, &digest_of(core, pending), out)?;
                }
                #[cfg(feature = "rsa-sha256")]
                Core::RsaSha256(core, key) => {
                    rsa_sign::<sha2::Sha256>(key, &digest_of(core, pending), out)?;
                }
            }
            Ok(())
        }
    }

    impl Drop for Keyed {
        fn drop(&mut self) {
            // The hash states clear themselves (`sha1`/`sha2` with `zeroize`).
            self.block.zeroize();
            self.len.zeroize();
        }
    }

    impl crate::base_string::Sink for Keyed {
        #[inline]
        fn put(&mut self, bytes: &[u8]) {
            let len = self.len;
            let end = len + bytes.len();
            if end < self.block_size {
                if let Some(room) = self.block.get_mut(len..end) {
                    room.copy_from_slice(bytes);
                    self.len = end;
                }
                return;
            }
            self.put_long(bytes);
        }
    }

    impl Keyed {
        /// [`put`](crate::base_string::Sink::put) of bytes that fill the block: it is
        /// compressed, then whole blocks straight from `bytes`, and what remains is kept.
        #[inline(never)]
        fn put_long(&mut self, bytes: &[u8]) {
            let size = self.block_size;
            let (head, rest) = bytes.split_at(size.saturating_sub(self.len).min(bytes.len()));
            if let Some(room) = self.block.get_mut(self.len..self.len + head.len()) {
                room.copy_from_slice(head);
            }
            if let Some(full) = self.block.get(..size) {
                self.core.compress(full);
            }
            let whole = rest.len() / size * size;
            let (blocks, tail) = rest.split_at(whole);
            if !blocks.is_empty() {
                self.core.compress(blocks);
            }
            if let Some(room) = self.block.get_mut(..tail.len()) {
                room.copy_from_slice(tail);
            }
            self.len = tail.len();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encode::encode;
    use alloc::string::ToString;

    /// The keyed MAC, fed in pieces of every size around the block's, gives what the hmac crate
    /// gives for the whole message at once.
    #[cfg(all(
        feature = "hmac-sha1",
        feature = "hmac-sha256",
        feature = "hmac-sha512"
    ))]
    #[test]
    fn keyed_in_pieces_is_the_hmac_of_the_whole() {
        use crate::base_string::Sink;
        use alloc::vec::Vec;
        use base64::Engine as _;
        use hmac::{Hmac, KeyInit, Mac};

        fn reference<M: Mac + KeyInit>(key: &[u8], message: &[u8]) -> String {
            let mut mac = <M as KeyInit>::new_from_slice(key).unwrap();
            mac.update(message);
            let mut out = [0; 88];
            let len = base64::engine::general_purpose::STANDARD
                .encode_slice(mac.finalize().into_bytes(), &mut out)
                .unwrap();
            String::from_utf8(out[..len].to_vec()).unwrap()
        }

        let (cs, ts) = (
            Secret::new("kd94hf93k423kf44"),
            Secret::new("pfkkdhi9sl3r4s00"),
        );
        let key = SigningKey::new(&cs, Some(&ts));
        let joined = key.joined();
        let message: Vec<u8> = (0..700u32).map(|i| b'a' + (i % 26) as u8).collect();
        let sizes = [
            1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129, 200, 256,
        ];
        let methods = [
            SignatureMethod::HmacSha1,
            SignatureMethod::HmacSha256,
            SignatureMethod::HmacSha512,
        ];
        for method in methods {
            let prepared = Keyed::new(method, &key).unwrap().unwrap();
            for len in [
                0, 1, 55, 56, 63, 64, 65, 111, 112, 119, 120, 127, 128, 129, 255, 256, 300, 700,
            ] {
                let message = message.get(..len).unwrap();
                let key = joined.expose_secret().as_bytes();
                let expected = match method {
                    SignatureMethod::HmacSha1 => reference::<Hmac<sha1::Sha1>>(key, message),
                    SignatureMethod::HmacSha256 => reference::<Hmac<sha2::Sha256>>(key, message),
                    _ => reference::<Hmac<sha2::Sha512>>(key, message),
                };
                for first in 0..sizes.len() {
                    let mut mac = prepared.fresh();
                    let mut rest = message;
                    for size in sizes.iter().cycle().skip(first) {
                        let (piece, after) = rest.split_at((*size).min(rest.len()));
                        mac.put(piece);
                        rest = after;
                        if rest.is_empty() {
                            break;
                        }
                    }
                    let mut out = Computed::EMPTY;
                    mac.finish_into(&mut out).unwrap();
                    assert_eq!(out.as_str(), expected, "{method} {len} {first}");
                }
            }
        }
    }

    /// The HMAC key is built on the stack when short and on the heap when long: both give the
    /// `hmac` crate's MAC over the whole key, at every length around the stack's.
    #[cfg(feature = "hmac-sha1")]
    #[test]
    fn hmac_keys_of_every_length_around_the_stack_buffer() {
        use base64::Engine as _;
        use hmac::{Hmac, KeyInit, Mac};

        for len in [
            0, 1, 63, 64, 65, 127, 128, 200, 254, 255, 256, 257, 300, 1000,
        ] {
            // Half of it reserved characters, so the encoded key is longer than the secret.
            let secret: String = (0..len)
                .map(|i| if i % 2 == 0 { 'k' } else { '&' })
                .collect();
            let client = crate::ClientCredentials::new("ck", secret.as_str());
            let token = Secret::new("t s");
            let ours =
                sign_base_string(SignatureMethod::HmacSha1, &client, Some(&token), "GET&x&y")
                    .unwrap();
            let key = alloc::format!("{}&{}", encode(&secret), encode("t s"));
            let mut mac = <Hmac<sha1::Sha1> as KeyInit>::new_from_slice(key.as_bytes()).unwrap();
            mac.update(b"GET&x&y");
            let expected =
                base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
            assert_eq!(ours.expose_secret(), expected, "{len}");
        }
    }

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
            Err(Error::Parse(ParseError::SignatureMethod {
                name: "HMAC-MD5".into()
            }))
        );
        assert_eq!(SignatureMethod::Plaintext.to_string(), "PLAINTEXT");
    }
}
