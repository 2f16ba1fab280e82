//! Time for the provider: the system clock, or a [`ManualClock`] that tests move by hand.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use countersign::clock::Clock;

/// A shared clock: seconds since the Unix epoch.
pub(crate) type SharedClock = Arc<dyn Clock + Send + Sync>;

/// A clock that says what it is told: start it at a time, then [`advance`](Self::advance) it to
/// expire tokens or leave a timestamp window, without waiting. Clones share the same time.
///
/// ```
/// use countersign::clock::Clock;
/// use countersign_provider::ManualClock;
///
/// let clock = ManualClock::new(1_700_000_000);
/// let seen_by_the_provider = clock.clone();
/// clock.advance(15 * 60 + 1);
/// assert_eq!(seen_by_the_provider.now(), 1_700_000_901);
/// ```
#[derive(Clone, Debug, Default)]
pub struct ManualClock(Arc<AtomicU64>);

impl ManualClock {
    /// A clock that reads `seconds` (since the Unix epoch) until moved.
    #[must_use]
    pub fn new(seconds: u64) -> Self {
        Self(Arc::new(AtomicU64::new(seconds)))
    }

    /// A clock that starts at the current system time.
    #[must_use]
    pub fn starting_now() -> Self {
        Self::new(countersign::clock::SystemClock.now())
    }

    /// Sets the time.
    pub fn set(&self, seconds: u64) {
        self.0.store(seconds, Ordering::SeqCst);
    }

    /// Moves the time forward by `seconds`.
    pub fn advance(&self, seconds: u64) {
        self.0.fetch_add(seconds, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }
}
