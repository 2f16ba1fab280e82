//! Clock skew: how far the provider's clock (its `Date` header) is from ours, and a clock that
//! applies the difference.
//!
//! # The retry policy
//!
//! OAuth 1.0a providers refuse timestamps outside a window (often five minutes), and a machine
//! whose clock is off gets nothing but 401s. [`Skew`] holds the one rule, and every exchange
//! (the `exchange` module, feature `http`) follows it:
//!
//! 1. Sign and send the request with the local clock, corrected by the offset learned so far.
//! 2. If the answer is **401** and its `Date` is more than the threshold
//!    ([`DEFAULT_THRESHOLD`]) away from the timestamp sent, learn the offset, sign the request
//!    again with a fresh nonce and the corrected timestamp, and send it **once** more.
//! 3. Whatever the second answer is, it is final: never a third attempt, and no retry for any
//!    other status or when the clocks agree.
//!
//! The offset is a plain value the caller keeps ([`Skew`] is `Copy`), for later requests to the
//! same provider.

use crate::Error;
use crate::ParseError;
use crate::clock::Clock;

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

/// What was learned about the provider's clock: the offset from ours, and the threshold under
/// which a difference is normal drift. A plain value: keep it between requests to the same
/// provider.
///
/// ```
/// use countersign::skew::Skew;
///
/// let mut skew = Skew::default();
/// let local_now = 784_111_777 - 600; // ten minutes slow
/// let sent = skew.now(local_now);
/// // The provider refused, and its Date shows our clock is behind: sign again, once.
/// assert!(skew.retry(sent, 401, Some("Sun, 06 Nov 1994 08:49:37 GMT")));
/// assert_eq!(skew.offset(), 600);
/// assert_eq!(skew.now(local_now), 784_111_777);
/// // The corrected request is refused too: the clocks agree now, so that answer is final.
/// assert!(!skew.retry(skew.now(local_now), 401, Some("Sun, 06 Nov 1994 08:49:37 GMT")));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Skew {
    offset: i64,
    threshold: u64,
}

impl Default for Skew {
    fn default() -> Self {
        Self::new()
    }
}

impl Skew {
    /// No offset, and the [`DEFAULT_THRESHOLD`].
    #[must_use]
    pub const fn new() -> Self {
        Self {
            offset: 0,
            threshold: DEFAULT_THRESHOLD,
        }
    }

    /// Starts from a known offset (for example one saved from an earlier run).
    #[must_use]
    pub const fn with_offset(mut self, seconds: i64) -> Self {
        self.offset = seconds;
        self
    }

    /// Offsets up to `seconds` never cause a retry.
    #[must_use]
    pub const fn with_threshold(mut self, seconds: u64) -> Self {
        self.threshold = seconds;
        self
    }

    /// The provider's clock minus ours, in seconds, as far as it is known.
    #[must_use]
    pub const fn offset(&self) -> i64 {
        self.offset
    }

    /// The threshold, in seconds.
    #[must_use]
    pub const fn threshold(&self) -> u64 {
        self.threshold
    }

    /// `local_now` (seconds since the Unix epoch, from our clock) on the provider's clock.
    #[must_use]
    pub const fn now(&self, local_now: u64) -> u64 {
        local_now.saturating_add_signed(self.offset)
    }

    /// The retry rule, for the answer to a request signed with the timestamp `sent`: `true` (and
    /// the offset learned) for a 401 whose `Date` is more than the threshold away from `sent`.
    /// The caller then signs once more with a fresh nonce and sends once more, and never again.
    pub fn retry(&mut self, sent: u64, status: u16, date: Option<&str>) -> bool {
        if status != 401 {
            return false;
        }
        let Some(delta) = date.and_then(|date| clock_offset(date, sent).ok()) else {
            return false;
        };
        if delta.unsigned_abs() <= self.threshold {
            return false;
        }
        self.offset = self.offset.saturating_add(delta);
        true
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
        let retry = |sent: u64, status: u16, date: Option<&str>| {
            let mut skew = Skew::new();
            skew.retry(sent, status, date).then_some(skew.offset())
        };
        assert_eq!(retry(DATE_SECS - 600, 401, Some(DATE)), Some(600));
        assert_eq!(retry(DATE_SECS + 31, 401, Some(DATE)), Some(-31));
        assert_eq!(retry(DATE_SECS + 30, 401, Some(DATE)), None);
        assert_eq!(retry(DATE_SECS, 401, Some(DATE)), None);
        assert_eq!(retry(DATE_SECS - 600, 400, Some(DATE)), None);
        assert_eq!(retry(0, 401, None), None);
        assert_eq!(retry(0, 401, Some("soon")), None);
    }

    #[test]
    fn the_offset_learned_adds_to_the_one_in_use() {
        // Signed with an offset of 100 already, and still 50 seconds behind.
        let mut skew = Skew::new().with_offset(100);
        let sent = skew.now(DATE_SECS - 150);
        assert!(skew.retry(sent, 401, Some(DATE)));
        assert_eq!(skew.offset(), 150);
        assert_eq!(skew.now(DATE_SECS - 150), DATE_SECS);
    }

    #[test]
    fn threshold_is_configurable() {
        let mut skew = Skew::new();
        assert!(!skew.retry(DATE_SECS - 20, 401, Some(DATE)));
        let mut skew = skew.with_threshold(10);
        assert!(skew.retry(DATE_SECS - 20, 401, Some(DATE)));
        assert_eq!(skew.offset(), 20);
    }
}
