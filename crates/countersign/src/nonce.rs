//! Nonces: the [`Nonce`] value, the [`NonceSource`] trait, and (with the `getrandom` feature) a
//! generator that reads the operating system's random source once for many nonces.

use core::fmt;

use crate::Error;
use crate::Misuse;
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
    /// [`Misuse::InvalidNonce`] for an empty or longer string, or other characters.
    pub fn new(value: &str) -> Result<Self, Error> {
        let len = value.len();
        if len == 0 || len > MAX_NONCE_LEN || !value.bytes().all(is_unreserved) {
            return Err(Error::Misuse(Misuse::InvalidNonce));
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
    use chacha20::ChaCha12Rng;
    use rand_core::{Rng, SeedableRng};
    use zeroize::Zeroize;

    /// Length of generated nonces: 24 alphanumeric characters, 142 bits of entropy (each
    /// character is uniform over 62 values: log2(62) * 24 = 142.9), inside the 20 to 30 characters
    /// that strict server libraries accept.
    pub const GENERATED_NONCE_LEN: usize = 24;

    const ALPHABET: &[u8; 62] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    /// 6-bit values taken from one 64-bit draw.
    const VALUES_PER_DRAW: usize = 10;
    /// The alphabet indexed by a 6-bit value; the last two entries are never kept (a value of 62
    /// or 63 is skipped, so that each kept character is exactly uniform over the 62).
    const SYMBOLS: [u8; 64] = {
        let mut table = [b'A'; 64];
        let mut i = 0;
        while i < ALPHABET.len() {
            // i < 62 indexes both tables.
            #[allow(clippy::indexing_slicing)]
            {
                table[i] = ALPHABET[i];
            }
            i += 1;
        }
        table
    };
    /// 64-bit draws after which the generator takes a fresh seed from the operating system
    /// (64 KiB of output, about 2,700 nonces).
    const RESEED_AFTER: u32 = 8 * 1024;

    /// Generates nonces: ChaCha12 keyed with 256 bits from the operating system's random source
    /// (getrandom), and keyed afresh every 64 KiB of output (about 2,700 nonces).
    ///
    /// A getrandom call costs more than signing a whole header, and reading the kernel's source
    /// costs a few nanoseconds per byte; ChaCha12 (the generator behind `rand`'s `StdRng`) turns
    /// one 32-byte read into thousands of nonces at well under a nanosecond per byte, and its
    /// output cannot be told from random without the key. Each character is a 6-bit slice of a
    /// 64-bit draw, with the slices 62 and 63 skipped, so every character is exactly uniform (no
    /// modulo bias) and no division is needed.
    ///
    /// A clone is a new generator, with a seed of its own: a copy of the state would hand out
    /// the same nonces as the original. Create a new one after `fork`.
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
        rng: Option<ChaCha12Rng>,
        draws_until_reseed: u32,
    }

    // What the comments above promise, checked when the crate compiles.
    const _: () = {
        assert!(VALUES_PER_DRAW * 6 <= 64);
        assert!(GENERATED_NONCE_LEN >= 20 && GENERATED_NONCE_LEN <= 30);
        assert!(GENERATED_NONCE_LEN <= MAX_NONCE_LEN);
        // 24 * log2(62) >= 128, without floats: 62^24 > 2^128, i.e. 62^12 > 2^64.
        assert!(62u128.pow(12) > 1u128 << 64);
    };

    impl NonceGenerator {
        /// A generator; the operating system's random source is first read on the first nonce.
        #[must_use]
        pub const fn new() -> Self {
            Self {
                rng: None,
                draws_until_reseed: 0,
            }
        }

        fn draw(&mut self) -> Result<u64, Error> {
            let rng = match &mut self.rng {
                Some(rng) if self.draws_until_reseed > 0 => rng,
                _ => {
                    let mut seed = [0u8; 32];
                    getrandom::fill(&mut seed).map_err(|_| Error::Random)?;
                    let rng = self.rng.insert(ChaCha12Rng::from_seed(seed));
                    seed.zeroize();
                    self.draws_until_reseed = RESEED_AFTER;
                    rng
                }
            };
            self.draws_until_reseed -= 1;
            Ok(rng.next_u64())
        }
    }

    impl Default for NonceGenerator {
        fn default() -> Self {
            Self::new()
        }
    }

    impl Clone for NonceGenerator {
        /// A new generator: it takes a seed of its own on its first nonce.
        fn clone(&self) -> Self {
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
            let mut len = 0;
            // Each 64-bit draw is ten 6-bit values (its top four bits unused); a value below 62
            // is a character, 62 and 63 are skipped. Three draws are thirty values for the
            // twenty-four characters: a fourth draw is needed once in about 32,000 nonces.
            while len < GENERATED_NONCE_LEN {
                let mut draw = self.draw()?;
                for _ in 0..VALUES_PER_DRAW {
                    let Some(slot) = bytes.get_mut(len).filter(|_| len < GENERATED_NONCE_LEN)
                    else {
                        break;
                    };
                    // Below 64: indexes the 64-entry table.
                    #[allow(clippy::cast_possible_truncation)]
                    let value = (draw & 63) as usize;
                    #[allow(clippy::indexing_slicing)]
                    let c = SYMBOLS[value];
                    // Written either way (no branch to mispredict), kept only for a character:
                    // a skipped value's slot is written again by the next value.
                    *slot = c;
                    len += usize::from(value < ALPHABET.len());
                    draw >>= 6;
                }
            }
            Ok(Nonce {
                bytes,
                #[allow(clippy::cast_possible_truncation)]
                len: GENERATED_NONCE_LEN as u8,
            })
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;
        use alloc::borrow::ToOwned;
        use alloc::collections::BTreeSet;

        #[test]
        fn a_clone_hands_out_other_nonces() {
            let mut a = NonceGenerator::new();
            let first = a.next_nonce().unwrap();
            let mut b = a.clone();
            let (from_a, from_b) = (a.next_nonce().unwrap(), b.next_nonce().unwrap());
            assert_ne!(from_a, from_b);
            assert_ne!(first, from_b);
        }

        #[test]
        fn nonces_are_unique_alphanumeric_and_use_every_symbol() {
            let mut g = NonceGenerator::new();
            let mut seen = BTreeSet::new();
            let mut symbols = BTreeSet::new();
            // Crosses a reseed.
            for _ in 0..4000 {
                let n = g.next_nonce().unwrap();
                assert_eq!(n.as_str().len(), GENERATED_NONCE_LEN);
                assert!(n.as_str().bytes().all(|b| b.is_ascii_alphanumeric()));
                symbols.extend(n.as_str().bytes());
                assert!(seen.insert(n.as_str().to_owned()), "repeated nonce");
            }
            assert_eq!(symbols.len(), 62);
        }

        #[test]
        fn reseeds_after_its_budget() {
            let mut g = NonceGenerator::new();
            let _ = g.next_nonce().unwrap();
            assert!(g.draws_until_reseed <= RESEED_AFTER - 3);
            let key_before = g.rng.as_ref().map(ChaCha12Rng::get_seed);
            g.draws_until_reseed = 0;
            let _ = g.next_nonce().unwrap();
            assert!(g.draws_until_reseed >= RESEED_AFTER - 4);
            assert_ne!(key_before, g.rng.as_ref().map(ChaCha12Rng::get_seed));
        }

        #[test]
        fn characters_are_uniform() {
            // 62 symbols, 24 * 5000 = 120,000 draws: chi-square with 61 degrees of freedom.
            // The bound is the 1e-6 upper tail (about 131), so an honest generator fails this
            // test once in a million runs.
            let mut g = NonceGenerator::new();
            let mut counts = [0u32; 128];
            for _ in 0..5000 {
                for b in g.next_nonce().unwrap().as_str().bytes() {
                    counts[usize::from(b)] += 1;
                }
            }
            let expected = 120_000.0 / 62.0;
            let chi2: f64 = ALPHABET
                .iter()
                .map(|&c| {
                    let d = f64::from(counts[usize::from(c)]) - expected;
                    d * d / expected
                })
                .sum();
            assert!(chi2 < 131.0, "chi-square {chi2}");
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
            assert_eq!(
                Nonce::new(bad),
                Err(Error::Misuse(Misuse::InvalidNonce)),
                "{bad:?}"
            );
        }
    }
}
