//! Rate limits: a moving 60-second window per client, as the Discogs API counts.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;

/// The window requests are counted over.
const WINDOW: u64 = 60;

/// How many keys the limiter tracks before it sweeps the idle ones.
const SWEEP_ABOVE: usize = 10_000;

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

#[derive(Debug)]
pub(crate) struct RateLimiter {
    limit: RateLimit,
    seen: HashMap<RateKey, VecDeque<u64>>,
}

impl RateLimiter {
    pub(crate) fn new(limit: RateLimit) -> Self {
        Self {
            limit,
            seen: HashMap::new(),
        }
    }

    /// What [`admit`](Self::admit) would refuse, without counting anything: `Some` when `key`
    /// is over its limit at `now`.
    pub(crate) fn peek(&mut self, key: &RateKey, now: u64) -> Option<RateInfo> {
        let limit = self.limit_of(key);
        let times = self.seen.get(key)?;
        let live: Vec<u64> = times
            .iter()
            .copied()
            .filter(|&t| t.saturating_add(WINDOW) > now)
            .collect();
        let count = u32::try_from(live.len()).unwrap_or(u32::MAX);
        (count >= limit).then(|| RateInfo {
            limit,
            used: count,
            remaining: 0,
            retry_after: Some(
                u32::try_from(
                    (live.first().copied().unwrap_or(now) + WINDOW)
                        .saturating_sub(now)
                        .max(1),
                )
                .unwrap_or(u32::MAX),
            ),
        })
    }

    fn limit_of(&self, key: &RateKey) -> u32 {
        match key {
            RateKey::Address(_) => self.limit.unauthenticated,
            RateKey::Consumer(_) | RateKey::User(_) => self.limit.authenticated,
        }
    }

    /// Counts a request by `key` at `now`, unless it is over the limit (then `retry_after` is
    /// set and nothing is counted).
    pub(crate) fn admit(&mut self, key: RateKey, now: u64) -> RateInfo {
        let limit = match key {
            RateKey::Address(_) => self.limit.unauthenticated,
            RateKey::Consumer(_) | RateKey::User(_) => self.limit.authenticated,
        };
        if self.seen.len() > SWEEP_ABOVE {
            self.seen.retain(|_, times| {
                times.retain(|&t| t + WINDOW > now);
                !times.is_empty()
            });
        }
        let times = self.seen.entry(key).or_default();
        while times
            .front()
            .is_some_and(|&t| t.saturating_add(WINDOW) <= now)
        {
            times.pop_front();
        }
        let count = u32::try_from(times.len()).unwrap_or(u32::MAX);
        if count >= limit {
            let oldest = times.front().copied().unwrap_or(now);
            return RateInfo {
                limit,
                used: count,
                remaining: 0,
                retry_after: Some(
                    u32::try_from((oldest + WINDOW).saturating_sub(now).max(1)).unwrap_or(u32::MAX),
                ),
            };
        }
        times.push_back(now);
        RateInfo {
            limit,
            used: count + 1,
            remaining: limit - count - 1,
            retry_after: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_moving_window_per_key() {
        let mut limiter = RateLimiter::new(RateLimit::per_minute(2, 1));
        let alice = || RateKey::Consumer("alice".into());
        let first = limiter.admit(alice(), 1000);
        assert_eq!(
            (first.used, first.remaining, first.retry_after),
            (1, 1, None)
        );
        let second = limiter.admit(alice(), 1030);
        assert_eq!((second.used, second.remaining), (2, 0));
        let refused = limiter.admit(alice(), 1059);
        assert_eq!(refused.retry_after, Some(1));
        assert_eq!((refused.used, refused.remaining), (2, 0));
        // Others have their own counts; addresses the unauthenticated limit.
        assert_eq!(limiter.admit(RateKey::User(1), 1059).remaining, 1);
        let ip = RateKey::Address(IpAddr::from([127, 0, 0, 1]));
        assert_eq!(limiter.admit(ip.clone(), 1059).limit, 1);
        assert!(limiter.admit(ip, 1059).retry_after.is_some());
        // At 1060 the request of 1000 has left the window.
        let again = limiter.admit(alice(), 1060);
        assert_eq!(
            (again.used, again.remaining, again.retry_after),
            (2, 0, None)
        );
    }
}
