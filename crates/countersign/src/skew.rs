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
use crate::clock::Clock;
use crate::response::Response;

/// Offsets up to this many seconds are normal drift and never cause a retry.
pub const DEFAULT_THRESHOLD: u64 = 30;

/// Parses an HTTP date (`Sun, 06 Nov 1994 08:49:37 GMT`, and the obsolete forms) into seconds
/// since the Unix epoch.
///
/// # Errors
/// [`Error::InvalidValue`] naming `Date` when the value is not an HTTP date.
pub fn parse_http_date(value: &str) -> Result<u64, Error> {
    let time = httpdate::parse_http_date(value.trim())
        .map_err(|_| Error::InvalidValue { name: "Date" })?;
    time.duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .map_err(|_| Error::InvalidValue { name: "Date" })
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
    i64::try_from(offset).map_err(|_| Error::InvalidValue { name: "Date" })
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

impl Error {
    /// Whether this error is a provider's 401 (the only status the clock-skew retry looks at).
    #[must_use]
    pub fn is_unauthorized(&self) -> bool {
        matches!(self, Self::Provider(e) if e.status == 401)
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
            Err(Error::InvalidValue { name: "Date" })
        );
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
