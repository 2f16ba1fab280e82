//! [`Secret`]: the type every secret in this crate travels in.

use alloc::borrow::Cow;
use alloc::string::String;
use core::fmt;

use zeroize::Zeroize;

/// A secret string: a consumer secret, a token secret, a personal access token, a verifier, or a
/// value that carries one of them (such as a PLAINTEXT Authorization header).
///
/// - `Debug` prints `Secret([redacted])`, never the value; there is no `Display`.
/// - Equality ([`Secret::ct_eq`], `==`) runs in time that depends on the lengths only, never on
///   where the contents first differ.
/// - The memory is overwritten with zeros when the secret is dropped.
///
/// ```
/// use countersign::Secret;
///
/// let secret = Secret::new("ja893SD9");
/// assert_eq!(format!("{secret:?}"), "Secret([redacted])");
/// assert!(secret.ct_eq("ja893SD9"));
/// ```
#[derive(Clone, Default)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret value itself.
    ///
    /// # Security
    /// Whatever receives this string can leak it: do not log it, format it into errors or keep
    /// copies that outlive the `Secret`.
    #[must_use]
    pub fn expose_secret(&self) -> &str {
        &self.0
    }

    /// Compares the secret with `other` in constant time (for equal lengths).
    #[must_use]
    pub fn ct_eq(&self, other: &str) -> bool {
        crate::swar::ct_eq(self.0.as_bytes(), other.as_bytes())
    }

    /// Whether the secret is the empty string (an empty token secret is legal in OAuth 1.0a).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

impl PartialEq for Secret {
    fn eq(&self, other: &Self) -> bool {
        self.ct_eq(&other.0)
    }
}

impl Eq for Secret {}

impl Drop for Secret {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self(value.into())
    }
}

impl From<Cow<'_, str>> for Secret {
    fn from(value: Cow<'_, str>) -> Self {
        Self(value.into_owned())
    }
}

/// Serializes as the plain string: whatever holds the serialized form holds the secret. Keep it
/// on the server side, encrypted at rest where you can.
#[cfg(feature = "serde")]
impl serde::Serialize for Secret {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for Secret {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Self)
    }
}

/// A secret decoded from borrowed input (a token response, a callback, a header): borrowed when
/// nothing needed decoding, else owned and cleared on drop. `Debug` is redacted; there is no
/// `Display`.
#[derive(Clone, Default)]
pub struct SecretStr<'a>(Cow<'a, str>);

impl<'a> SecretStr<'a> {
    pub(crate) fn new(value: Cow<'a, str>) -> Self {
        Self(value)
    }

    /// The secret value itself.
    ///
    /// # Security
    /// As [`Secret::expose_secret`].
    #[must_use]
    pub fn expose_secret(&self) -> &str {
        &self.0
    }

    /// Compares with `other` in constant time (for equal lengths).
    #[must_use]
    pub fn ct_eq(&self, other: &str) -> bool {
        crate::swar::ct_eq(self.0.as_bytes(), other.as_bytes())
    }

    /// An owned [`Secret`] with the same value.
    #[must_use]
    pub fn into_secret(mut self) -> Secret {
        Secret(core::mem::take(&mut self.0).into_owned())
    }

    /// The value, no longer cleared on drop: for a value decoded as a possible secret that turned
    /// out to be public (a token, a problem report).
    pub(crate) fn into_public(mut self) -> Cow<'a, str> {
        core::mem::take(&mut self.0)
    }
}

impl<'a> From<&'a str> for SecretStr<'a> {
    /// Borrows `value` (a secret kept elsewhere, such as in a [`SecretLookup`]'s table); nothing
    /// is copied, and nothing is cleared on drop (its owner does that).
    ///
    /// [`SecretLookup`]: crate::verify::SecretLookup
    fn from(value: &'a str) -> Self {
        Self(Cow::Borrowed(value))
    }
}

impl<'a> From<&'a Secret> for SecretStr<'a> {
    /// Borrows the secret; nothing is copied.
    fn from(secret: &'a Secret) -> Self {
        Self(Cow::Borrowed(secret.expose_secret()))
    }
}

impl From<Secret> for SecretStr<'static> {
    /// Takes the secret's buffer over (cleared on drop, as the secret's would have been).
    fn from(mut secret: Secret) -> Self {
        Self(Cow::Owned(core::mem::take(&mut secret.0)))
    }
}

impl fmt::Debug for SecretStr<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

impl Drop for SecretStr<'_> {
    fn drop(&mut self) {
        // Only a buffer of our own holds anything to clear; an empty one (what `into_public`
        // leaves behind) is skipped, as clearing nothing still costs a call.
        if let Cow::Owned(s) = &mut self.0
            && s.capacity() != 0
        {
            s.zeroize();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;

    #[test]
    fn debug_is_redacted() {
        let s = Secret::new("hunter2");
        assert_eq!(format!("{s:?}"), "Secret([redacted])");
        assert_eq!(format!("{s:#?}"), "Secret([redacted])");
        let c = SecretStr::new(Cow::Borrowed("hunter2"));
        assert!(!format!("{c:?}").contains("hunter2"));
    }

    #[test]
    fn equality_compares_contents() {
        assert_eq!(Secret::new("a"), Secret::new("a"));
        assert_ne!(Secret::new("a"), Secret::new("b"));
        assert_ne!(Secret::new("a"), Secret::new("ab"));
        assert!(Secret::new("").ct_eq(""));
        assert!(!Secret::new("abc").ct_eq("abd"));
        let decoded = SecretStr::new(Cow::Borrowed("a verifier"));
        assert!(decoded.ct_eq("a verifier"));
        assert!(!decoded.ct_eq("a verifieR"));
        assert!(!decoded.ct_eq("a verifier "));
    }

    #[test]
    fn secret_str_converts() {
        let s = SecretStr::new(Cow::Owned("x y".into())).into_secret();
        assert_eq!(s.expose_secret(), "x y");
    }
}
