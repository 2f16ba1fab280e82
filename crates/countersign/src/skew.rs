//! Clock skew: how far the provider's clock (its `Date` header) is from ours, and a clock that
//! applies the difference.
//!
//! # The retry policy
//!
//! OAuth 1.0a providers refuse timestamps outside a window (often five minutes), and a machine
//! whose clock is off gets nothing but 401s. The adapters do this, and nothing more:
//!
//! 1. Sign and send the request with the local clock.
//! 2. If the answer is **401** and its `Date` is more than [`DEFAULT_THRESHOLD`] seconds away from
//!    the local clock ([`retry_offset`]), sign the request again with a fresh nonce and the
//!    timestamp corrected by that offset ([`OffsetClock`]), and send it **once** more.
//! 3. Whatever the second answer is, it is final: never a third attempt, and no retry for any
//!    other status or when the clocks agree.
//!
//! The offset can be kept for later requests to the same provider.

use crate::Error;
use crate::ParseError;
use crate::clock::Clock;
use crate::response::Response;

/// Offsets up to this many seconds are normal drift and never cause a retry.
pub const DEFAULT_THRESHOLD: u64 = 30;

/// Parses an HTTP date (`Sun, 06 Nov 1994 08:49:37 GMT`, and the obsolete forms) into seconds
/// since the Unix epoch.
///
/// # Errors
/// [`ParseError::HttpDate`] when the value is not an HTTP date (its message says so,
/// and what an HTTP date looks like).
pub fn parse_http_date(value: &str) -> Result<u64, Error> {
    let time =
        httpdate::parse_http_date(value.trim()).map_err(|_| Error::Parse(ParseError::HttpDate))?;
    time.duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .map_err(|_| Error::Parse(ParseError::HttpDate))
}

/// The provider's clock minus ours, in seconds, from its `Date` header.
///
/// ```
/// use countersign::skew::clock_offset;
///
/// // The provider is 600 seconds ahead.
/// assert_eq!(clock_offset("Sun, 06 Nov 1994 08:59:37 GMT", 784_111_777)?, 600);
/// # Ok::<(), countersign::Error>(())
/// ```
///
/// # Errors
/// As [`parse_http_date`].
pub fn clock_offset(date: &str, local_now: u64) -> Result<i64, Error> {
    let theirs = i128::from(parse_http_date(date)?);
    let offset = theirs - i128::from(local_now);
    i64::try_from(offset).map_err(|_| Error::Parse(ParseError::HttpDate))
}

/// The offset to retry with, per the policy above: `Some` only for a 401 whose `Date` is more
/// than `threshold` seconds away from `local_now`.
#[must_use]
pub fn retry_offset(response: &Response<'_>, local_now: u64, threshold: u64) -> Option<i64> {
    if response.status() != 401 {
        return None;
    }
    let offset = clock_offset(response.date()?, local_now).ok()?;
    (offset.unsigned_abs() > threshold).then_some(offset)
}

/// A clock shifted by a fixed number of seconds (the provider's offset from ours).
///
/// ```
/// use countersign::clock::{Clock, FixedClock};
/// use countersign::skew::OffsetClock;
///
/// assert_eq!(OffsetClock::new(FixedClock(1000), -300).now(), 700);
/// assert_eq!(OffsetClock::new(FixedClock(10), -300).now(), 0);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OffsetClock<C> {
    inner: C,
    offset: i64,
}

impl<C: Clock> OffsetClock<C> {
    /// `inner` shifted by `offset` seconds.
    pub const fn new(inner: C, offset: i64) -> Self {
        Self { inner, offset }
    }

    /// The offset in seconds.
    pub const fn offset(&self) -> i64 {
        self.offset
    }
}

impl<C: Clock> Clock for OffsetClock<C> {
    fn now(&self) -> u64 {
        self.inner.now().saturating_add_signed(self.offset)
    }
}

#[cfg(feature = "getrandom")]
pub use stamps::{Stamp, Stamps};

#[cfg(feature = "getrandom")]
mod stamps {
    use alloc::sync::Arc;
    use core::fmt;
    use core::sync::atomic::{AtomicI64, Ordering};
    use std::sync::{Mutex, PoisonError};

    use super::{DEFAULT_THRESHOLD, OffsetClock, retry_offset};
    use crate::Error;
    use crate::clock::{Clock, SystemClock};
    use crate::nonce::{Nonce, NonceGenerator, NonceSource};
    use crate::response::Response;

    /// What one signature was made with.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct Stamp {
        /// The timestamp to sign with (seconds, on the provider's clock as far as it is known).
        pub timestamp: u64,
        /// A fresh nonce.
        pub nonce: Nonce,
        /// The offset the timestamp was corrected by.
        offset: i64,
    }

    /// Clock, nonces and the learned clock offset, shared (cheaply cloned: every clone sees the same
    /// offset) between an HTTP client and the signers it hands out: what both adapters need to run
    /// the retry policy above, kept here so that neither writes it again.
    ///
    /// ```
    /// use countersign::clock::FixedClock;
    /// use countersign::response::Response;
    /// use countersign::skew::Stamps;
    ///
    /// let mut stamps = Stamps::default();
    /// stamps.set_clock(FixedClock(784_111_777 - 600)); // ten minutes slow
    /// let first = stamps.next()?;
    /// let answer = Response::new(401, b"").with_header("Date", "Sun, 06 Nov 1994 08:49:37 GMT");
    /// assert!(stamps.should_retry(&first, &answer)); // sign again, send once more
    /// assert_eq!(stamps.next()?.timestamp, 784_111_777);
    /// # Ok::<(), countersign::Error>(())
    /// ```
    #[derive(Clone)]
    pub struct Stamps {
        clock: Arc<dyn Clock + Send + Sync>,
        nonces: Arc<Mutex<dyn NonceSource + Send>>,
        offset: Arc<AtomicI64>,
        threshold: u64,
    }

    impl Default for Stamps {
        fn default() -> Self {
            Self {
                clock: Arc::new(SystemClock),
                nonces: Arc::new(Mutex::new(NonceGenerator::new())),
                offset: Arc::new(AtomicI64::new(0)),
                threshold: DEFAULT_THRESHOLD,
            }
        }
    }

    impl fmt::Debug for Stamps {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.debug_struct("Stamps")
                .field("offset", &self.offset())
                .field("threshold", &self.threshold)
                .finish_non_exhaustive()
        }
    }

    impl Stamps {
        /// Uses `clock` instead of the system clock.
        pub fn set_clock(&mut self, clock: impl Clock + Send + Sync + 'static) {
            self.clock = Arc::new(clock);
        }

        /// Uses `nonces` instead of a [`NonceGenerator`].
        pub fn set_nonces(&mut self, nonces: impl NonceSource + Send + 'static) {
            self.nonces = Arc::new(Mutex::new(nonces));
        }

        /// Offsets up to `seconds` never cause a retry (default [`DEFAULT_THRESHOLD`]).
        pub fn set_threshold(&mut self, seconds: u64) {
            self.threshold = seconds;
        }

        /// The offset learned so far (the provider's clock minus ours), in seconds.
        pub fn offset(&self) -> i64 {
            self.offset.load(Ordering::Relaxed)
        }

        /// Sets the offset, for example one remembered from an earlier run.
        pub fn set_offset(&self, offset: i64) {
            self.offset.store(offset, Ordering::Relaxed);
        }

        /// Seconds since the Unix epoch on the provider's clock, as far as it is known.
        pub fn now(&self) -> u64 {
            self.now_with(self.offset())
        }

        fn now_with(&self, offset: i64) -> u64 {
            OffsetClock::new(|| self.clock.now(), offset).now()
        }

        /// A timestamp (corrected by the learned offset) and a fresh nonce.
        pub fn next(&self) -> Result<Stamp, Error> {
            let nonce = self
                .nonces
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .next_nonce()?;
            let offset = self.offset();
            Ok(Stamp {
                timestamp: self.now_with(offset),
                nonce,
                offset,
            })
        }

        /// The core's retry rule for the answer to a request signed with `stamp`: `true` (and the
        /// corrected offset learned) for a 401 whose `Date` is more than the threshold away from the
        /// timestamp sent. The caller then signs once more and sends once more, and never again.
        pub fn should_retry(&self, stamp: &Stamp, answer: &Response<'_>) -> bool {
            match retry_offset(answer, stamp.timestamp, self.threshold) {
                Some(delta) => {
                    self.set_offset(stamp.offset.saturating_add(delta));
                    true
                }
                None => false,
            }
        }
    }

    #[cfg(test)]
    mod stamps_tests {
        use super::*;
        use crate::clock::FixedClock;

        const DATE: &str = "Sun, 06 Nov 1994 08:49:37 GMT";
        const DATE_SECS: u64 = 784_111_777;

        fn stamps(now: u64) -> Stamps {
            let mut stamps = Stamps::default();
            stamps.set_clock(FixedClock(now));
            stamps
        }

        #[test]
        fn learns_the_offset_from_a_skewed_401_only() {
            let s = stamps(DATE_SECS - 600);
            let first = s.next().unwrap();
            assert_eq!(first.timestamp, DATE_SECS - 600);
            assert!(!s.should_retry(&first, &Response::new(400, b"").with_header("Date", DATE)));
            assert!(!s.should_retry(&first, &Response::new(401, b"")));
            assert_eq!(s.offset(), 0);
            assert!(s.should_retry(&first, &Response::new(401, b"").with_header("Date", DATE)));
            assert_eq!(s.offset(), 600);
            let second = s.next().unwrap();
            assert_eq!(second.timestamp, DATE_SECS);
            assert_ne!(first.nonce, second.nonce);
            // Corrected and still refused: the clocks agree, so no further retry.
            assert!(!s.should_retry(&second, &Response::new(401, b"").with_header("Date", DATE)));
        }

        #[test]
        fn concurrent_learning_does_not_add_up() {
            let s = stamps(DATE_SECS + 100);
            let a = s.next().unwrap();
            let b = s.next().unwrap();
            let late = Response::new(401, b"").with_header("Date", DATE);
            assert!(s.should_retry(&a, &late));
            assert!(s.should_retry(&b, &late));
            assert_eq!(s.offset(), -100);
        }

        #[test]
        fn threshold_is_configurable() {
            let mut s = stamps(DATE_SECS - 20);
            let first = s.next().unwrap();
            let answer = Response::new(401, b"").with_header("Date", DATE);
            assert!(!s.should_retry(&first, &answer));
            s.set_threshold(10);
            assert!(s.should_retry(&first, &answer));
            assert_eq!(s.offset(), 20);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DATE: &str = "Sun, 06 Nov 1994 08:49:37 GMT";
    const DATE_SECS: u64 = 784_111_777;

    #[test]
    fn parses_all_three_http_date_forms() {
        assert_eq!(parse_http_date(DATE), Ok(DATE_SECS));
        assert_eq!(
            parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"),
            Ok(DATE_SECS)
        );
        assert_eq!(parse_http_date("Sun Nov  6 08:49:37 1994"), Ok(DATE_SECS));
        assert_eq!(
            parse_http_date("yesterday"),
            Err(Error::Parse(ParseError::HttpDate))
        );
    }

    /// An HTTP date holds commas: the message says the value is not one, not that it holds a
    /// character a header cannot carry.
    #[test]
    fn a_bad_date_is_called_what_it_is() {
        for bad in [
            "yesterday",
            "Sun, 06 Nov 1994 08:49:37",
            "Sun, 32 Nov 1994 08:49:37 GMT",
        ] {
            let message = alloc::string::ToString::to_string(&parse_http_date(bad).unwrap_err());
            assert!(message.starts_with("Date is not an HTTP date"), "{message}");
            assert!(message.contains("IMF-fixdate"), "{message}");
            assert!(
                message.contains("Sun, 06 Nov 1994 08:49:37 GMT"),
                "{message}"
            );
            assert!(!message.contains("cannot be sent"), "{message}");
        }
    }

    #[test]
    fn retries_only_a_401_with_a_far_date() {
        let r401 = Response::new(401, b"").with_header("Date", DATE);
        assert_eq!(retry_offset(&r401, DATE_SECS - 600, 30), Some(600));
        assert_eq!(retry_offset(&r401, DATE_SECS + 31, 30), Some(-31));
        assert_eq!(retry_offset(&r401, DATE_SECS + 30, 30), None);
        assert_eq!(retry_offset(&r401, DATE_SECS, 30), None);
        let r400 = Response::new(400, b"").with_header("Date", DATE);
        assert_eq!(retry_offset(&r400, DATE_SECS - 600, 30), None);
        assert_eq!(retry_offset(&Response::new(401, b""), 0, 30), None);
        let bad = Response::new(401, b"").with_header("Date", "soon");
        assert_eq!(retry_offset(&bad, 0, 30), None);
    }
}
