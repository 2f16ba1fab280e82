//! Time: the [`Clock`] trait and, with `std`, the [`SystemClock`].

/// Where timestamps (`oauth_timestamp`: seconds since the Unix epoch) come from. Pin it in tests.
pub trait Clock {
    /// Seconds since 1970-01-01T00:00:00Z.
    fn now(&self) -> u64;
}

impl<F: Fn() -> u64> Clock for F {
    fn now(&self) -> u64 {
        self()
    }
}

/// A clock that always says the same time.
///
/// ```
/// use countersign::clock::{Clock, FixedClock};
/// assert_eq!(FixedClock(137131200).now(), 137131200);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FixedClock(pub u64);

impl Clock for FixedClock {
    fn now(&self) -> u64 {
        self.0
    }
}

/// The system clock: seconds since the Unix epoch. A clock set before 1970 reads as 0.
///
/// On Linux and Android it reads `CLOCK_REALTIME_COARSE`, the real-time clock as of the
/// kernel's last tick: a few nanoseconds through the vDSO where `SystemTime::now` costs tens,
/// and every signed request reads the clock once. It lags the precise clock by at most one
/// tick (1 to 10 ms), nothing next to whole-second timestamps and providers' windows of
/// minutes. Elsewhere it is `std::time::SystemTime`.
#[cfg(feature = "std")]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SystemClock;

#[cfg(feature = "std")]
impl Clock for SystemClock {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    #[inline]
    fn now(&self) -> u64 {
        let now = rustix::time::clock_gettime(rustix::time::ClockId::RealtimeCoarse);
        u64::try_from(now.tv_sec).unwrap_or(0)
    }

    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    fn now(&self) -> u64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
    }
}

#[cfg(all(test, feature = "std"))]
mod tests {
    use super::*;

    #[test]
    fn system_clock_is_after_2020() {
        assert!(SystemClock.now() > 1_577_836_800);
    }

    #[test]
    fn system_clock_agrees_with_system_time() {
        let precise = || {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_secs()
        };
        let before = precise();
        let ours = SystemClock.now();
        let after = precise();
        // The coarse clock may lag by one tick, which can cross a second boundary.
        assert!(
            before.saturating_sub(1) <= ours && ours <= after,
            "{before} <= {ours} <= {after}"
        );
    }
}
