//! Nonces: the [`Nonce`] value, the [`NonceSource`] trait, and (with the `getrandom` feature) a
//! generator that reads the operating system's random source once for many nonces.

use core::fmt;

use crate::Error;
use crate::encode::is_unreserved;

/// Longest nonce accepted: Discogs reportedly rejects nonces longer than 64 characters.
pub const MAX_NONCE_LEN: usize = 64;

/// A nonce (`oauth_nonce`): 1 to [`MAX_NONCE_LEN`] unreserved characters, stored inline.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Nonce {
    bytes: [u8; MAX_NONCE_LEN],
    len: u8,
}

impl Nonce {
    /// A nonce from a string of 1 to 64 characters out of `A-Z a-z 0-9 - . _ ~`.
    ///
    /// # Errors
    /// [`Error::InvalidNonce`] for an empty or longer string, or other characters.
    pub fn new(value: &str) -> Result<Self, Error> {
        let len = value.len();
        if len == 0 || len > MAX_NONCE_LEN || !value.bytes().all(is_unreserved) {
            return Err(Error::InvalidNonce);
        }
        let mut bytes = [0u8; MAX_NONCE_LEN];
        for (slot, b) in bytes.iter_mut().zip(value.bytes()) {
            *slot = b;
        }
        Ok(Self {
            bytes,
            #[allow(clippy::cast_possible_truncation)] // len <= 64
            len: len as u8,
        })
    }

    /// The nonce as a string.
    #[must_use]
    pub fn as_str(&self) -> &str {
        // Only ASCII bytes are ever stored.
        self.bytes
            .get(..usize::from(self.len))
            .and_then(|b| core::str::from_utf8(b).ok())
            .unwrap_or_default()
    }
}

impl fmt::Debug for Nonce {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Nonce").field(&self.as_str()).finish()
    }
}

impl fmt::Display for Nonce {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where nonces come from. Implement it to pin nonces in tests or to use another random source.
pub trait NonceSource {
    /// The next nonce. Each must be unique for the timestamp it is sent with.
    ///
    /// # Errors
    /// [`Error::Random`] when the source fails.
    fn next_nonce(&mut self) -> Result<Nonce, Error>;
}

impl<F: FnMut() -> Result<Nonce, Error>> NonceSource for F {
    fn next_nonce(&mut self) -> Result<Nonce, Error> {
        self()
    }
}

#[cfg(feature = "getrandom")]
pub use generator::{GENERATED_NONCE_LEN, NonceGenerator};

#[cfg(feature = "getrandom")]
mod generator {
    use super::{MAX_NONCE_LEN, Nonce, NonceSource};
    use crate::Error;
    use zeroize::Zeroize;

    /// Length of generated nonces: 24 alphanumeric characters, 142 bits of entropy (each
    /// character is uniform over 62 values: log2(62) * 24 = 142.9), inside the 20 to 30 characters
    /// that strict server libraries accept.
    pub const GENERATED_NONCE_LEN: usize = 24;

    const ALPHABET: &[u8; 62] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    /// Bytes at or above this are rejected, so that `byte % 62` is uniform (248 = 4 * 62).
    const REJECT_FROM: u8 = 248;
    /// Random bytes fetched per call to the operating system: about 40 nonces.
    const BUFFER_LEN: usize = 1024;

    /// Generates nonces from the operating system's random source (getrandom), fetching
    /// [`BUFFER_LEN`](self) random bytes at a time so that one system call serves about 40
    /// nonces. Each random byte is used once, by rejection sampling, so nonces are as
    /// unpredictable as the source; the buffer is cleared on drop.
    ///
    /// Not `Clone`: two copies would hand out the same nonces. Give each thread its own.
    ///
    /// ```
    /// use countersign::nonce::{NonceGenerator, NonceSource};
    ///
    /// let mut nonces = NonceGenerator::new();
    /// let a = nonces.next_nonce()?;
    /// let b = nonces.next_nonce()?;
    /// assert_eq!(a.as_str().len(), 24);
    /// assert!(a.as_str().bytes().all(|c| c.is_ascii_alphanumeric()));
    /// assert_ne!(a, b);
    /// # Ok::<(), countersign::Error>(())
    /// ```
    pub struct NonceGenerator {
        buf: [u8; BUFFER_LEN],
        pos: usize,
    }

    impl NonceGenerator {
        /// A generator; the random source is first read on the first nonce.
        #[must_use]
        pub const fn new() -> Self {
            Self {
                buf: [0; BUFFER_LEN],
                pos: BUFFER_LEN,
            }
        }

        fn next_byte(&mut self) -> Result<u8, Error> {
            if self.pos >= BUFFER_LEN {
                getrandom::fill(&mut self.buf).map_err(|_| Error::Random)?;
                self.pos = 0;
            }
            let slot = self.buf.get_mut(self.pos).ok_or(Error::Random)?;
            let b = *slot;
            *slot = 0;
            self.pos += 1;
            Ok(b)
        }
    }

    impl Default for NonceGenerator {
        fn default() -> Self {
            Self::new()
        }
    }

    impl core::fmt::Debug for NonceGenerator {
        fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
            f.debug_struct("NonceGenerator").finish_non_exhaustive()
        }
    }

    impl NonceSource for NonceGenerator {
        fn next_nonce(&mut self) -> Result<Nonce, Error> {
            let mut bytes = [0u8; MAX_NONCE_LEN];
            let mut filled = 0;
            while filled < GENERATED_NONCE_LEN {
                let b = self.next_byte()?;
                if b < REJECT_FROM {
                    if let (Some(slot), Some(&c)) =
                        (bytes.get_mut(filled), ALPHABET.get(usize::from(b % 62)))
                    {
                        *slot = c;
                    }
                    filled += 1;
                }
            }
            Ok(Nonce {
                bytes,
                #[allow(clippy::cast_possible_truncation)]
                len: GENERATED_NONCE_LEN as u8,
            })
        }
    }

    impl Drop for NonceGenerator {
        fn drop(&mut self) {
            self.buf.zeroize();
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;
        use alloc::borrow::ToOwned;
        use alloc::collections::BTreeSet;

        #[test]
        fn nonces_are_unique_alphanumeric_and_use_every_symbol() {
            let mut g = NonceGenerator::new();
            let mut seen = BTreeSet::new();
            let mut symbols = BTreeSet::new();
            // Crosses many buffer refills.
            for _ in 0..2000 {
                let n = g.next_nonce().unwrap();
                assert_eq!(n.as_str().len(), GENERATED_NONCE_LEN);
                assert!(n.as_str().bytes().all(|b| b.is_ascii_alphanumeric()));
                symbols.extend(n.as_str().bytes());
                assert!(seen.insert(n.as_str().to_owned()), "repeated nonce");
            }
            assert_eq!(symbols.len(), 62);
        }

        #[test]
        fn entropy_meets_128_bits() {
            let bits = (GENERATED_NONCE_LEN as f64) * 62f64.log2();
            assert!(bits >= 128.0, "{bits}");
            assert!((20..=30).contains(&GENERATED_NONCE_LEN));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nonce_validation() {
        assert_eq!(Nonce::new("abc-._~").unwrap().as_str(), "abc-._~");
        assert_eq!(Nonce::new(&"a".repeat(64)).unwrap().as_str().len(), 64);
        for bad in ["", "a b", "a+b", "\u{e9}", &"a".repeat(65)] {
            assert_eq!(Nonce::new(bad), Err(Error::InvalidNonce), "{bad:?}");
        }
    }
}
