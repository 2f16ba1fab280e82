//! [`MemoryNonceStore`]: a bounded, in-memory [`NonceStore`].

use alloc::collections::BTreeSet;
use alloc::string::String;

use super::{NonceCheck, NonceStore, NonceUse};

/// Remembers nonces in memory, in a `BTreeSet` ordered by timestamp, for as long as their
/// timestamp is inside the window.
///
/// - An entry is forgotten once its timestamp has left the window (`timestamp + window < now`):
///   the timestamp check refuses a replay from then on.
/// - At most `capacity` entries are kept. When the store is full of entries that are all still
///   inside the window, a new nonce is refused ([`NonceCheck::Full`]) rather than an entry
///   forgotten: forgetting one would let its request be replayed. The verifier only records the
///   nonces of authenticated requests, so only clients that hold valid credentials can fill it.
///
/// Memory use is about `capacity` times the lengths of a consumer key, a token and a nonce (at
/// most 64 bytes), plus some 80 bytes of overhead per entry.
///
/// ```
/// use countersign::verify::{MemoryNonceStore, NonceCheck, NonceStore, NonceUse};
///
/// let mut store = MemoryNonceStore::new(300, 2);
/// let at = |timestamp, nonce| NonceUse { consumer_key: "key", token: None, timestamp, nonce };
/// assert_eq!(store.check_and_insert(at(1000, "a"), 1000), NonceCheck::Fresh);
/// assert_eq!(store.check_and_insert(at(1000, "a"), 1000), NonceCheck::Replayed);
/// assert_eq!(store.check_and_insert(at(1000, "b"), 1000), NonceCheck::Fresh);
/// // Full of nonces still inside the window: refused, nothing forgotten.
/// assert_eq!(store.check_and_insert(at(1000, "c"), 1000), NonceCheck::Full);
/// // Once the window has passed, the old entries make room.
/// assert_eq!(store.check_and_insert(at(1301, "c"), 1301), NonceCheck::Fresh);
/// assert_eq!(store.len(), 1);
/// ```
#[derive(Clone, Debug)]
pub struct MemoryNonceStore {
    window: u64,
    capacity: usize,
    /// `(timestamp, consumer key, token, nonce)`: ordered by timestamp first, so the entries that
    /// leave the window first come first.
    seen: BTreeSet<(u64, String, Option<String>, String)>,
}

impl MemoryNonceStore {
    /// A store that keeps nonces for `window` seconds after their timestamp (use at least the
    /// verifier's [`window`](super::Verifier::window)) and holds at most `capacity` of them.
    #[must_use]
    pub const fn new(window: u64, capacity: usize) -> Self {
        Self {
            window,
            capacity,
            seen: BTreeSet::new(),
        }
    }

    /// How many nonces are remembered.
    #[must_use]
    pub fn len(&self) -> usize {
        self.seen.len()
    }

    /// Whether no nonce is remembered.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.seen.is_empty()
    }

    /// The most nonces the store holds.
    #[must_use]
    pub const fn capacity(&self) -> usize {
        self.capacity
    }

    /// Forgets the nonces whose timestamp has left the window at `now`.
    pub fn forget_expired(&mut self, now: u64) {
        while let Some((timestamp, ..)) = self.seen.first() {
            if timestamp.saturating_add(self.window) >= now {
                break;
            }
            self.seen.pop_first();
        }
    }
}

impl NonceStore for MemoryNonceStore {
    fn check_and_insert(&mut self, nonce: NonceUse<'_>, now: u64) -> NonceCheck {
        self.forget_expired(now);
        let entry = (
            nonce.timestamp,
            String::from(nonce.consumer_key),
            nonce.token.map(String::from),
            String::from(nonce.nonce),
        );
        if self.seen.contains(&entry) {
            return NonceCheck::Replayed;
        }
        if self.seen.len() >= self.capacity {
            return NonceCheck::Full;
        }
        self.seen.insert(entry);
        NonceCheck::Fresh
    }
}
