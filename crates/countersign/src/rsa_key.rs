//! RSA keys for the RSA-SHA1 and RSA-SHA256 signature methods (RFC 5849 section 3.4.3): the
//! client signs with its private key, the provider verifies with the public key the client
//! registered.

use alloc::sync::Arc;
use core::fmt;

use rsa::pkcs1::{DecodeRsaPrivateKey, DecodeRsaPublicKey};
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey};
use rsa::traits::PublicKeyParts;

use crate::{Error, ParseError};

/// A client's RSA private key, for the RSA-SHA1 and RSA-SHA256 signature methods.
///
/// A secret like the others: `Debug` shows only the key's size, and the key's numbers are
/// cleared from memory when the last clone is dropped (the `rsa` crate zeroizes them). Cloning
/// is cheap: clones share one key.
///
/// Load one with [`from_pem`](Self::from_pem) (PKCS#8 `PRIVATE KEY` or PKCS#1 `RSA PRIVATE KEY`),
/// or from DER. Give it to the client credentials with
/// [`ClientCredentials::with_rsa_key`](crate::ClientCredentials::with_rsa_key).
///
/// ```
/// use countersign::RsaPrivateKey;
///
/// let pem = std::fs::read_to_string("tests/data/rsa/oauthlib-1024.pem").unwrap();
/// let key = RsaPrivateKey::from_pem(&pem)?;
/// assert_eq!(key.bits(), 1024);
/// assert_eq!(format!("{key:?}"), "RsaPrivateKey { bits: 1024, .. }");
/// # Ok::<(), countersign::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct RsaPrivateKey(Arc<rsa::PrivateKey>);

/// A client's RSA public key: what a provider verifies RSA-SHA1 and RSA-SHA256 signatures with.
///
/// Load one with [`from_pem`](Self::from_pem) (`PUBLIC KEY`, an X.509 SubjectPublicKeyInfo, or
/// PKCS#1 `RSA PUBLIC KEY`), from DER, or from the private key
/// ([`RsaPrivateKey::public_key`]).
#[derive(Clone, PartialEq, Eq)]
pub struct RsaPublicKey(Arc<rsa::PublicKey>);

/// The label of the first PEM block in `pem` (`PRIVATE KEY` in `-----BEGIN PRIVATE KEY-----`).
fn pem_label(pem: &str) -> Option<&str> {
    let after = pem.split_once("-----BEGIN ")?.1;
    Some(after.split_once("-----")?.0)
}

/// `pem` from its first `-----BEGIN` line: text before it (a comment, `Bag Attributes` from
/// openssl) is skipped, as openssl does.
fn from_begin(pem: &str) -> &str {
    pem.find("-----BEGIN ")
        .map_or(pem, |at| pem.get(at..).unwrap_or(pem))
}

fn key_error(problem: &'static str) -> Error {
    Error::Parse(ParseError::RsaKey { problem })
}

impl RsaPrivateKey {
    /// A private key from PEM: PKCS#8 (`-----BEGIN PRIVATE KEY-----`, what `openssl genpkey`
    /// writes) or PKCS#1 (`-----BEGIN RSA PRIVATE KEY-----`, what `openssl genrsa` wrote before
    /// OpenSSL 3).
    ///
    /// # Errors
    /// [`ParseError::RsaKey`] for an encrypted key (decrypt it first:
    /// `openssl pkey -in key.pem -out plain.pem`), a public key or a certificate where the
    /// private key belongs, a key that is not RSA, or PEM that does not decode.
    pub fn from_pem(pem: &str) -> Result<Self, Error> {
        let pem = from_begin(pem);
        let key = match pem_label(pem) {
            Some("PRIVATE KEY") => rsa::PrivateKey::from_pkcs8_pem(pem)
                .map_err(|_| key_error("the PKCS#8 private key does not decode as an RSA key"))?,
            Some("RSA PRIVATE KEY") => rsa::PrivateKey::from_pkcs1_pem(pem)
                .map_err(|_| key_error("the PKCS#1 RSA private key does not decode"))?,
            Some("ENCRYPTED PRIVATE KEY") => {
                return Err(key_error(
                    "the private key is encrypted: decrypt it first (openssl pkey -in key.pem -out plain.pem)",
                ));
            }
            Some("PUBLIC KEY" | "RSA PUBLIC KEY" | "CERTIFICATE") => {
                return Err(key_error(
                    "this is a public key or a certificate: signing needs the private key (the provider keeps the public one)",
                ));
            }
            Some(_) => {
                return Err(key_error(
                    "not an RSA private key: expected -----BEGIN PRIVATE KEY----- or -----BEGIN RSA PRIVATE KEY-----",
                ));
            }
            None => {
                return Err(key_error(
                    "no PEM block: expected -----BEGIN PRIVATE KEY----- or -----BEGIN RSA PRIVATE KEY-----",
                ));
            }
        };
        Ok(Self(Arc::new(key)))
    }

    /// A private key from PKCS#8 DER.
    ///
    /// # Errors
    /// [`ParseError::RsaKey`] when `der` is not an RSA private key.
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self, Error> {
        rsa::PrivateKey::from_pkcs8_der(der)
            .map(|key| Self(Arc::new(key)))
            .map_err(|_| key_error("the PKCS#8 DER does not decode as an RSA private key"))
    }

    /// A private key from PKCS#1 DER.
    ///
    /// # Errors
    /// [`ParseError::RsaKey`] when `der` is not an RSA private key.
    pub fn from_pkcs1_der(der: &[u8]) -> Result<Self, Error> {
        rsa::PrivateKey::from_pkcs1_der(der)
            .map(|key| Self(Arc::new(key)))
            .map_err(|_| key_error("the PKCS#1 DER does not decode as an RSA private key"))
    }

    /// The public half, for the provider.
    #[must_use]
    pub fn public_key(&self) -> RsaPublicKey {
        RsaPublicKey(Arc::new(self.0.to_public_key()))
    }

    /// The size of the modulus, in bits (2048 for a 2048-bit key).
    #[must_use]
    pub fn bits(&self) -> usize {
        self.0.size() * 8
    }

    pub(crate) fn inner(&self) -> &rsa::PrivateKey {
        &self.0
    }
}

impl fmt::Debug for RsaPrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RsaPrivateKey")
            .field("bits", &self.bits())
            .finish_non_exhaustive()
    }
}

impl RsaPublicKey {
    /// A public key from PEM: `-----BEGIN PUBLIC KEY-----` (SubjectPublicKeyInfo, what
    /// `openssl pkey -pubout` writes) or `-----BEGIN RSA PUBLIC KEY-----` (PKCS#1).
    ///
    /// # Errors
    /// [`ParseError::RsaKey`] for a certificate (take its key out first:
    /// `openssl x509 -in cert.pem -pubkey -noout`), a key that is not RSA, or PEM that does not
    /// decode.
    pub fn from_pem(pem: &str) -> Result<Self, Error> {
        let pem = from_begin(pem);
        let key = match pem_label(pem) {
            Some("PUBLIC KEY") => rsa::PublicKey::from_public_key_pem(pem)
                .map_err(|_| key_error("the public key does not decode as an RSA key"))?,
            Some("RSA PUBLIC KEY") => rsa::PublicKey::from_pkcs1_pem(pem)
                .map_err(|_| key_error("the PKCS#1 RSA public key does not decode"))?,
            Some("CERTIFICATE") => {
                return Err(key_error(
                    "this is a certificate: take its public key out first (openssl x509 -in cert.pem -pubkey -noout)",
                ));
            }
            Some(label) if label.contains("PRIVATE KEY") => {
                return Err(key_error(
                    "this is a private key: give the provider the public key (openssl pkey -in key.pem -pubout)",
                ));
            }
            Some(_) | None => {
                return Err(key_error(
                    "not an RSA public key: expected -----BEGIN PUBLIC KEY----- or -----BEGIN RSA PUBLIC KEY-----",
                ));
            }
        };
        Ok(Self(Arc::new(key)))
    }

    /// A public key from SubjectPublicKeyInfo DER.
    ///
    /// # Errors
    /// [`ParseError::RsaKey`] when `der` is not an RSA public key.
    pub fn from_public_key_der(der: &[u8]) -> Result<Self, Error> {
        rsa::PublicKey::from_public_key_der(der)
            .map(|key| Self(Arc::new(key)))
            .map_err(|_| key_error("the DER does not decode as an RSA public key"))
    }

    /// A public key from PKCS#1 DER.
    ///
    /// # Errors
    /// [`ParseError::RsaKey`] when `der` is not an RSA public key.
    pub fn from_pkcs1_der(der: &[u8]) -> Result<Self, Error> {
        rsa::PublicKey::from_pkcs1_der(der)
            .map(|key| Self(Arc::new(key)))
            .map_err(|_| key_error("the PKCS#1 DER does not decode as an RSA public key"))
    }

    /// The size of the modulus, in bits.
    #[must_use]
    pub fn bits(&self) -> usize {
        self.0.size() * 8
    }

    pub(crate) fn inner(&self) -> &rsa::PublicKey {
        &self.0
    }
}

impl fmt::Debug for RsaPublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RsaPublicKey")
            .field("bits", &self.bits())
            .finish_non_exhaustive()
    }
}
