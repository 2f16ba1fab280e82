//! Rate limits over a moving minute per client, as the Discogs API counts: a request is
//! allowed when fewer than the limit were counted in the sixty seconds before it.
//!
//! Each client keeps the times of its counted requests of the last minute, at most its limit of
//! them (60 or 25 with Discogs' limits), oldest first: a request costs a binary search and a
//! push, whatever the number of clients. The number of clients tracked is bounded too.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;

/// The window requests are counted over.
const WINDOW: u64 = 60;

/// The most clients tracked at once. Past it, the idle ones are swept (at most once a second);
/// if all are still active, a new client address is served without being counted until there is
/// room, rather than memory growing without bound. Authenticated clients are always counted.
const MAX_KEYS: usize = 100_000;

/// Requests allowed per moving minute.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimit {
    authenticated: u32,
    unauthenticated: u32,
}

impl RateLimit {
    /// Discogs' limits: 60 a minute per authenticated client, 25 per unauthenticated address.
    pub const DISCOGS: Self = Self {
        authenticated: 60,
        unauthenticated: 25,
    };

    /// `authenticated` requests a minute per authenticated client (consumer key, or the holder
    /// of a personal token), `unauthenticated` per client address for the others.
    #[must_use]
    pub const fn per_minute(authenticated: u32, unauthenticated: u32) -> Self {
        Self {
            authenticated,
            unauthenticated,
        }
    }

    /// Requests allowed per minute to an authenticated client.
    #[must_use]
    pub const fn authenticated(&self) -> u32 {
        self.authenticated
    }

    /// Requests allowed per minute to an unauthenticated address.
    #[must_use]
    pub const fn unauthenticated(&self) -> u32 {
        self.unauthenticated
    }
}

/// Who a request is counted against.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum RateKey {
    /// An authenticated consumer (OAuth, or Discogs key/secret).
    Consumer(String),
    /// The holder of a personal token.
    User(u64),
    /// An unauthenticated client address.
    Address(IpAddr),
}

/// What the rate-limit headers say.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct RateInfo {
    pub(crate) limit: u32,
    pub(crate) used: u32,
    pub(crate) remaining: u32,
    /// Seconds until a request is allowed again, when refused.
    pub(crate) retry_after: Option<u32>,
}

/// The times of one client's counted requests, oldest first, the stale ones not yet dropped.
#[derive(Clone, Debug, Default)]
struct Times(VecDeque<u64>);

impl Times {
    /// Where the requests still inside the window at `now` start.
    fn first_live(&self, now: u64) -> usize {
        self.0.partition_point(|&t| t.saturating_add(WINDOW) <= now)
    }

    /// The requests counted in the sixty seconds up to `now`.
    fn used(&self, now: u64) -> u32 {
        u32::try_from(self.0.len() - self.first_live(now)).unwrap_or(u32::MAX)
    }

    /// Seconds from `now` until a request is under `limit`: when enough of the oldest have left
    /// the window.
    fn wait(&self, limit: u32, now: u64) -> u32 {
        let first = self.first_live(now);
        let used = self.0.len() - first;
        let Ok(limit) = usize::try_from(limit) else {
            return 0;
        };
        if limit == 0 {
            return u32::MAX;
        }
        if used < limit {
            return 0;
        }
        // The request that must leave the window for one more to fit.
        let leaving = self.0[first + used - limit];
        let wait = (leaving + WINDOW).saturating_sub(now).max(1);
        u32::try_from(wait).unwrap_or(u32::MAX)
    }
}

#[derive(Debug)]
pub(crate) struct RateLimiter {
    limit: RateLimit,
    seen: HashMap<RateKey, Times>,
    /// When the idle clients were last swept.
    swept_at: Option<u64>,
}

impl RateLimiter {
    pub(crate) fn new(limit: RateLimit) -> Self {
        Self {
            limit,
            seen: HashMap::new(),
            swept_at: None,
        }
    }

    fn limit_of(&self, key: &RateKey) -> u32 {
        match key {
            RateKey::Address(_) => self.limit.unauthenticated,
            RateKey::Consumer(_) | RateKey::User(_) => self.limit.authenticated,
        }
    }

    /// The refusal [`admit`](Self::admit) would give, without counting anything: `Some` when
    /// `key` is over its limit at `now`.
    pub(crate) fn peek(&self, key: &RateKey, now: u64) -> Option<RateInfo> {
        let limit = self.limit_of(key);
        let times = self.seen.get(key);
        let used = times.map_or(0, |times| times.used(now));
        (used >= limit).then(|| RateInfo {
            limit,
            used,
            remaining: 0,
            retry_after: Some(times.map_or(u32::MAX, |times| times.wait(limit, now))),
        })
    }

    /// Counts a request by `key` at `now`, unless it is over the limit (then `retry_after` is
    /// set and nothing is counted).
    pub(crate) fn admit(&mut self, key: RateKey, now: u64) -> RateInfo {
        let limit = self.limit_of(&key);
        if let Some(refused) = self.peek(&key, now) {
            return refused;
        }
        if !self.seen.contains_key(&key) && !self.room_for(&key, now) {
            // Full of active clients: served, not counted (see MAX_KEYS).
            return RateInfo {
                limit,
                used: 0,
                remaining: limit,
                retry_after: None,
            };
        }
        let times = self.seen.entry(key).or_default();
        let stale = times.first_live(now);
        times.0.drain(..stale);
        times.0.push_back(now);
        let used = times.used(now);
        RateInfo {
            limit,
            used,
            remaining: limit.saturating_sub(used),
            retry_after: None,
        }
    }

    /// Whether a new `key` fits: below [`MAX_KEYS`], or after a sweep of the idle clients (at
    /// most once a second); authenticated clients always fit.
    fn room_for(&mut self, key: &RateKey, now: u64) -> bool {
        if self.seen.len() < MAX_KEYS || !matches!(key, RateKey::Address(_)) {
            return true;
        }
        if self.swept_at != Some(now) {
            self.swept_at = Some(now);
            self.seen
                .retain(|_, times| times.0.back().is_some_and(|&t| t + WINDOW > now));
        }
        self.seen.len() < MAX_KEYS
    }

    /// How many clients are tracked.
    #[cfg(test)]
    fn tracked(&self) -> usize {
        self.seen.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alice() -> RateKey {
        RateKey::Consumer("alice".into())
    }

    #[test]
    fn counts_per_key_and_refuses_over_the_limit() {
        let mut limiter = RateLimiter::new(RateLimit::per_minute(2, 1));
        let first = limiter.admit(alice(), 1000);
        assert_eq!(
            (first.used, first.remaining, first.retry_after),
            (1, 1, None)
        );
        let second = limiter.admit(alice(), 1010);
        assert_eq!((second.used, second.remaining), (2, 0));
        let refused = limiter.admit(alice(), 1019);
        assert_eq!((refused.used, refused.remaining), (2, 0));
        assert!(refused.retry_after.is_some_and(|s| s > 0));
        // A refusal is not counted, and peek agrees with admit.
        assert_eq!(limiter.peek(&alice(), 1019), Some(refused));
        // Others have their own counts; addresses the unauthenticated limit.
        assert_eq!(limiter.admit(RateKey::User(1), 1019).remaining, 1);
        let ip = RateKey::Address(IpAddr::from([127, 0, 0, 1]));
        assert_eq!(limiter.admit(ip.clone(), 1019).limit, 1);
        assert!(limiter.admit(ip, 1019).retry_after.is_some());
    }

    #[test]
    fn the_window_moves_instead_of_resetting_at_the_minute() {
        let mut limiter = RateLimiter::new(RateLimit::per_minute(3, 1));
        // Two requests at 1000, one at 1030: full until the first two leave the window.
        limiter.admit(alice(), 1000);
        limiter.admit(alice(), 1000);
        limiter.admit(alice(), 1030);
        let refused = limiter.admit(alice(), 1059);
        assert_eq!(refused.retry_after, Some(1));
        assert!(limiter.admit(alice(), 1060).retry_after.is_none());
        // 1030, 1060, and one more at 1060: full again.
        assert!(limiter.admit(alice(), 1060).retry_after.is_none());
        let refused = limiter.admit(alice(), 1061);
        assert_eq!(
            refused.retry_after,
            Some(29),
            "the request of 1030 leaves at 1090"
        );
        // The wait it announces is the wait it applies.
        assert!(limiter.admit(alice(), 1089).retry_after.is_some());
        assert!(limiter.admit(alice(), 1090).retry_after.is_none());
        // The whole limit at the end of a minute is not forgotten when the minute turns.
        let mut limiter = RateLimiter::new(RateLimit::per_minute(60, 1));
        for _ in 0..60 {
            assert!(limiter.admit(alice(), 1079).retry_after.is_none());
        }
        assert_eq!(limiter.admit(alice(), 1080).retry_after, Some(59));
        assert!(limiter.admit(alice(), 1139).retry_after.is_none());
    }

    #[test]
    fn a_flood_of_addresses_keeps_memory_bounded_and_consumers_counted() {
        let mut limiter = RateLimiter::new(RateLimit::per_minute(2, 5));
        limiter.admit(alice(), 1000);
        for i in 0..150_000_u32 {
            let ip = RateKey::Address(IpAddr::from(i.to_be_bytes()));
            limiter.admit(ip, 1000);
        }
        assert!(limiter.tracked() <= MAX_KEYS, "{}", limiter.tracked());
        // The consumer tracked before the flood is still limited.
        assert!(limiter.admit(alice(), 1001).retry_after.is_none());
        assert!(limiter.admit(alice(), 1001).retry_after.is_some());
        // Once the flood's addresses are idle, they are swept for new ones.
        let late = RateKey::Address(IpAddr::from([10, 9, 8, 7]));
        assert_eq!(limiter.admit(late.clone(), 1200).used, 1);
        assert!(limiter.tracked() < 10);
    }

    #[test]
    fn a_zero_limit_refuses_everything_without_panicking() {
        let mut limiter = RateLimiter::new(RateLimit::per_minute(0, 0));
        let refused = limiter.admit(alice(), 5);
        assert_eq!(refused.retry_after, Some(u32::MAX));
        assert!(limiter.peek(&alice(), 5).is_some());
    }

    #[test]
    fn a_request_costs_the_same_with_many_clients() {
        // Not a timing: the work per request is a binary search in one client's times, so
        // 100,000 clients with a full minute each cost no scan. What is checked here is that
        // each keeps at most its limit of times.
        let mut limiter = RateLimiter::new(RateLimit::per_minute(60, 25));
        for second in 0..120 {
            for _ in 0..100 {
                limiter.admit(alice(), 1000 + second);
            }
        }
        assert!(limiter.seen[&alice()].0.len() <= 60);
    }
}
