//! [`MemoryNonceStore`]: a bounded, in-memory [`NonceStore`].

use alloc::collections::{BTreeMap, BTreeSet};
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
/// - So that one of those cannot fill it for everyone, one token (a consumer key and token, or
///   a consumer key alone) holds at most [`token_quota`](Self::token_quota) entries (default a
///   sixteenth of the capacity) and one consumer key at most
///   [`consumer_quota`](Self::consumer_quota) (default half; neither less than 1,000, or the
///   capacity when it is smaller): past that, its new nonces are
///   refused with [`NonceCheck::OverQuota`] while the others' are still taken.
///
/// Memory use is about `capacity` times the lengths of a consumer key, a token and a nonce (at
/// most 64 bytes), plus some 80 bytes of overhead per entry, plus a count per token and per
/// consumer key that holds entries.
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
///
/// // One token cannot take the whole store.
/// let mut store = MemoryNonceStore::new(300, 100).token_quota(2);
/// let of = |token, nonce| NonceUse { consumer_key: "key", token: Some(token), timestamp: 1000, nonce };
/// assert_eq!(store.check_and_insert(of("flood", "a"), 1000), NonceCheck::Fresh);
/// assert_eq!(store.check_and_insert(of("flood", "b"), 1000), NonceCheck::Fresh);
/// assert_eq!(store.check_and_insert(of("flood", "c"), 1000), NonceCheck::OverQuota);
/// assert_eq!(store.check_and_insert(of("alice", "c"), 1000), NonceCheck::Fresh);
/// ```
#[derive(Clone, Debug)]
pub struct MemoryNonceStore {
    window: u64,
    capacity: usize,
    /// `(timestamp, consumer key, token, nonce)`: ordered by timestamp first, so the entries that
    /// leave the window first come first.
    seen: BTreeSet<(u64, String, Option<String>, String)>,
    token_quota: usize,
    consumer_quota: usize,
    /// How many entries each token (consumer key and token) holds.
    per_token: BTreeMap<(String, Option<String>), usize>,
    /// How many entries each consumer key holds.
    per_consumer: BTreeMap<String, usize>,
}

impl MemoryNonceStore {
    /// A store that keeps nonces for `window` seconds after their timestamp (use at least the
    /// verifier's [`window`](super::Verifier::window)) and holds at most
    /// `capacity` of them: a sixteenth of them for one token and half for one consumer key
    /// (but at least 1,000 each, or the capacity when it is smaller).
    #[must_use]
    pub const fn new(window: u64, capacity: usize) -> Self {
        Self {
            window,
            capacity,
            seen: BTreeSet::new(),
            token_quota: quota(capacity, 16),
            consumer_quota: quota(capacity, 2),
            per_token: BTreeMap::new(),
            per_consumer: BTreeMap::new(),
        }
    }

    /// The most entries one token (a consumer key and a token, or a consumer key without a
    /// token) holds at once (default: a sixteenth of the capacity, but at least 1,000, or the
    /// capacity when it is smaller).
    #[must_use]
    pub const fn token_quota(mut self, entries: usize) -> Self {
        self.token_quota = entries;
        self
    }

    /// The most entries one consumer key holds at once, all its tokens together (default: half
    /// the capacity, but at least 1,000, or the capacity when it is smaller).
    #[must_use]
    pub const fn consumer_quota(mut self, entries: usize) -> Self {
        self.consumer_quota = entries;
        self
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
            if let Some((_, consumer, token, _)) = self.seen.pop_first() {
                release(&mut self.per_consumer, consumer.clone());
                release(&mut self.per_token, (consumer, token));
            }
        }
    }
}

/// The smallest default quota: a small store (a test's) has none to speak of.
const MIN_QUOTA: usize = 1000;

/// `capacity / share`, but at least [`MIN_QUOTA`] (or the whole capacity, when smaller).
const fn quota(capacity: usize, share: usize) -> usize {
    let share = capacity / share;
    let floor = if capacity < MIN_QUOTA {
        capacity
    } else {
        MIN_QUOTA
    };
    if share > floor { share } else { floor }
}

/// One entry fewer for `key`; the count goes when it reaches zero.
fn release<K: Ord>(counts: &mut BTreeMap<K, usize>, key: K) {
    if let Some(count) = counts.get_mut(&key) {
        *count -= 1;
        if *count == 0 {
            counts.remove(&key);
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
        let token_key = (entry.1.clone(), entry.2.clone());
        let held = |counts: Option<&usize>| counts.copied().unwrap_or(0);
        if held(self.per_token.get(&token_key)) >= self.token_quota
            || held(self.per_consumer.get(&entry.1)) >= self.consumer_quota
        {
            return NonceCheck::OverQuota;
        }
        *self.per_consumer.entry(entry.1.clone()).or_insert(0) += 1;
        *self.per_token.entry(token_key).or_insert(0) += 1;
        self.seen.insert(entry);
        NonceCheck::Fresh
    }
}
