//! [`MemoryNonceStore`]: a bounded, in-memory [`NonceStore`].

use alloc::boxed::Box;
use alloc::collections::{BTreeMap, BTreeSet};
use alloc::vec::Vec;

use super::{NonceCheck, NonceStore, NonceUse};

/// Remembers nonces in memory, in a `BTreeSet` per second of timestamp, for as long as their
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
/// most 64 bytes), plus some 50 bytes of overhead per entry, plus a count per token and per
/// consumer key that holds entries, and a tree per second that holds entries (about 500 bytes
/// each; at most one per second of the window and of the time allowed ahead, so some 360 with
/// the verifier's defaults). Recording a fresh nonce allocates once (its entry; and the trees
/// their nodes as they grow); checking a replay allocates the same once, freed at once.
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
    /// The entries of each second, under their timestamp: the seconds that leave the window
    /// first come first, and a second leaves whole. Each entry is `(timestamp, nonce, consumer
    /// key, token)` in one allocation ([`Entry`]); its first 24 bytes are also kept in the
    /// tree's nodes ([`Key`]). A walk goes down the small tree of the seconds (a few hundred,
    /// touched by every request) and then one second's tree, instead of one tree of all.
    seen: BTreeMap<u64, BTreeSet<Key>>,
    /// How many entries `seen` holds, all seconds together.
    len: usize,
    token_quota: usize,
    consumer_quota: usize,
    /// How many entries each token (consumer key and token, as [`Entry::token_key`]) holds.
    per_token: BTreeMap<Box<[u8]>, usize>,
    /// How many entries each consumer key (as [`Entry::consumer_key`]) holds.
    per_consumer: BTreeMap<Box<[u8]>, usize>,
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
            seen: BTreeMap::new(),
            len: 0,
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
        self.len
    }

    /// Whether no nonce is remembered.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The most nonces the store holds.
    #[must_use]
    pub const fn capacity(&self) -> usize {
        self.capacity
    }

    /// Forgets the nonces whose timestamp has left the window at `now`.
    pub fn forget_expired(&mut self, now: u64) {
        while let Some(second) = self.seen.first_entry() {
            if second.key().saturating_add(self.window) >= now {
                break;
            }
            let keys = second.remove();
            self.len -= keys.len();
            for key in keys {
                let entry = Entry(&key.entry);
                release(&mut self.per_consumer, entry.consumer_key());
                release(&mut self.per_token, entry.token_key());
            }
        }
    }
}

/// An entry of the store's tree: the entry's first 24 bytes (its timestamp, the nonce's length
/// and the start of the nonce) held in the node, then the entry. The fields order as the
/// entry's bytes do (big-endian, a short entry's missing bytes read as zeros, which order
/// before any byte), so the tree's order is the entries' own; but a walk down a tree of tens of
/// thousands of entries compares integers held in its nodes, and follows the pointer to an
/// entry only when two agree on all 24 bytes (the same second and nonce start), where each
/// comparison used to read an entry elsewhere in memory.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Key {
    timestamp: u64,
    head: u128,
    entry: Box<[u8]>,
}

impl Key {
    fn new(entry: Box<[u8]>) -> Self {
        let mut head = [0; 16];
        let start = entry.get(8..).unwrap_or_default();
        let n = start.len().min(16);
        if let (Some(to), Some(from)) = (head.get_mut(..n), start.get(..n)) {
            to.copy_from_slice(from);
        }
        Self {
            timestamp: Entry(&entry).timestamp(),
            head: u128::from_be_bytes(head),
            entry,
        }
    }
}

/// One remembered nonce, as bytes that order by timestamp first and cannot be read two ways:
/// `timestamp` (8 bytes, big-endian), the nonce's length (4 bytes) and the nonce, the consumer
/// key's length and the key, then 1, the token's length and the token, or 0 when there is no
/// token. The nonce comes before the key and token so that two entries of one second and one
/// client differ early, and comparing them is short.
struct Entry<'e>(&'e [u8]);

const LEN: usize = 4;

impl<'e> Entry<'e> {
    /// The bytes of `nonce`, in one allocation of their exact length.
    fn encode(nonce: &NonceUse<'_>) -> Vec<u8> {
        let token = nonce.token.map_or(0, |t| LEN + t.len());
        let mut out = Vec::with_capacity(
            8 + LEN + nonce.nonce.len() + LEN + nonce.consumer_key.len() + 1 + token,
        );
        out.extend_from_slice(&nonce.timestamp.to_be_bytes());
        put_with_len(&mut out, nonce.nonce);
        put_with_len(&mut out, nonce.consumer_key);
        match nonce.token {
            Some(token) => {
                out.push(1);
                put_with_len(&mut out, token);
            }
            None => out.push(0),
        }
        out
    }

    fn timestamp(&self) -> u64 {
        let mut bytes = [0; 8];
        if let Some(head) = self.0.get(..8) {
            bytes.copy_from_slice(head);
        }
        u64::from_be_bytes(bytes)
    }

    /// Where the field whose length prefix starts at `at` ends.
    fn field_end(&self, at: usize) -> usize {
        let mut len = [0; LEN];
        if let Some(prefix) = self.0.get(at..at + LEN) {
            len.copy_from_slice(prefix);
        }
        // The length was written from a usize.
        at + LEN + usize::try_from(u32::from_be_bytes(len)).unwrap_or(0)
    }

    /// Where the consumer key's length prefix starts: after the nonce.
    fn key_start(&self) -> usize {
        self.field_end(8)
    }

    /// The consumer key with its length: what counts an entry against a consumer.
    fn consumer_key(&self) -> &'e [u8] {
        let start = self.key_start();
        self.0.get(start..self.field_end(start)).unwrap_or_default()
    }

    /// The consumer key and the token (or its absence), with their lengths: what counts an
    /// entry against a token. It runs to the end of the entry.
    fn token_key(&self) -> &'e [u8] {
        self.0.get(self.key_start()..).unwrap_or_default()
    }
}

fn put_with_len(out: &mut Vec<u8>, value: &str) {
    // A nonce store never sees a key or token of 4 GiB: the verifier bounds every parameter
    // by the request's size long before.
    let len = u32::try_from(value.len()).unwrap_or(u32::MAX);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(value.as_bytes());
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
fn release(counts: &mut BTreeMap<Box<[u8]>, usize>, key: &[u8]) {
    if let Some(count) = counts.get_mut(key) {
        *count -= 1;
        if *count == 0 {
            counts.remove(key);
        }
    }
}

impl NonceStore for MemoryNonceStore {
    fn check_and_insert(&mut self, nonce: NonceUse<'_>, now: u64) -> NonceCheck {
        self.forget_expired(now);
        let bytes = Entry::encode(&nonce);
        let entry = Entry(&bytes);
        // One walk down each count's tree: the count is read here and, for a fresh entry, raised
        // through the same reference.
        let per_token = self.per_token.get_mut(entry.token_key());
        let per_consumer = self.per_consumer.get_mut(entry.consumer_key());
        let held = |count: &Option<&mut usize>| count.as_deref().copied().unwrap_or(0);
        let full = self.len >= self.capacity;
        let over_quota =
            held(&per_token) >= self.token_quota || held(&per_consumer) >= self.consumer_quota;
        if full || over_quota {
            // A replay is said to be one first, whatever else holds.
            let key = Key::new(bytes.into_boxed_slice());
            let replayed = self
                .seen
                .get(&key.timestamp)
                .is_some_and(|second| second.contains(&key));
            return if replayed {
                NonceCheck::Replayed
            } else if full {
                NonceCheck::Full
            } else {
                NonceCheck::OverQuota
            };
        }
        // One entry more for each (a count's key is allocated only with its first entry).
        match per_consumer {
            Some(count) => *count += 1,
            None => _ = self.per_consumer.insert(entry.consumer_key().into(), 1),
        }
        match per_token {
            Some(count) => *count += 1,
            None => _ = self.per_token.insert(entry.token_key().into(), 1),
        }
        // One walk down the seconds' tree and one down the second's, which also tells whether
        // the entry was there (the boxed slice is exactly the vector's capacity: no
        // reallocation).
        let key = Key::new(bytes.into_boxed_slice());
        let second = self.seen.entry(key.timestamp).or_default();
        if let Some(replayed) = second.replace(key) {
            let entry = Entry(&replayed.entry);
            release(&mut self.per_consumer, entry.consumer_key());
            release(&mut self.per_token, entry.token_key());
            return NonceCheck::Replayed;
        }
        self.len += 1;
        NonceCheck::Fresh
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at<'a>(consumer_key: &'a str, token: Option<&'a str>, nonce: &'a str) -> NonceUse<'a> {
        NonceUse {
            consumer_key,
            token,
            timestamp: 1000,
            nonce,
        }
    }

    #[test]
    fn entries_that_would_join_to_the_same_text_stay_apart() {
        let mut store = MemoryNonceStore::new(300, 100);
        let uses = [
            at("ab", None, "c"),
            at("a", None, "bc"),
            at("a", Some("b"), "c"),
            at("a", Some(""), "bc"),
            at("", Some("ab"), "c"),
            at("a", Some("bc"), ""),
        ];
        for used in uses {
            assert_eq!(store.check_and_insert(used, 1000), NonceCheck::Fresh);
        }
        for used in uses {
            assert_eq!(store.check_and_insert(used, 1000), NonceCheck::Replayed);
        }
        assert_eq!(store.len(), uses.len());
    }

    #[test]
    fn keys_order_as_their_entries_bytes_do() {
        let mut entries: Vec<Vec<u8>> = Vec::new();
        for timestamp in [0, 1000, 1001, u64::MAX] {
            // The last two have the same length and first 12 bytes, all a key holds of a nonce:
            // only their entries tell them apart.
            for nonce in [
                "",
                "a",
                "b",
                "abcdefghijkl",
                "abcdefghijkm",
                "abcdefghijklm",
                "abcdefghijkln",
            ] {
                for token in [None, Some(""), Some("t")] {
                    for consumer_key in ["", "k", "key"] {
                        entries.push(Entry::encode(&NonceUse {
                            consumer_key,
                            token,
                            timestamp,
                            nonce,
                        }));
                    }
                }
            }
        }
        // And byte strings shorter than the 24 bytes of a key's head, which end in zeros.
        entries.push(alloc::vec![0; 9]);
        entries.push(alloc::vec![0; 10]);
        entries.push(alloc::vec![0; 8]);
        for a in &entries {
            for b in &entries {
                let (ka, kb) = (Key::new(a.clone().into()), Key::new(b.clone().into()));
                assert_eq!(ka.cmp(&kb), a.cmp(b), "{a:?} / {b:?}");
                assert_eq!(ka == kb, a == b);
            }
        }
    }

    #[test]
    fn an_entry_is_allocated_at_its_exact_length() {
        for used in [
            at("", None, ""),
            at("key", None, "n0nce"),
            at("key", Some(""), "n"),
            at(
                "k\u{e9}y",
                Some("t\u{f6}ken"),
                "0123456789abcdef0123456789abcdef",
            ),
        ] {
            let bytes = Entry::encode(&used);
            assert_eq!(bytes.len(), bytes.capacity(), "{used:?}");
        }
    }

    #[test]
    fn a_second_leaves_whole_once_past_the_window_and_no_empty_second_stays() {
        let mut store = MemoryNonceStore::new(10, 100);
        let check = |store: &mut MemoryNonceStore, timestamp, nonce, now| {
            let used = NonceUse {
                consumer_key: "key",
                token: None,
                timestamp,
                nonce,
            };
            store.check_and_insert(used, now)
        };
        for (timestamp, nonce) in [(1000, "a"), (1000, "b"), (1001, "a"), (1005, "c")] {
            assert_eq!(check(&mut store, timestamp, nonce, 1005), NonceCheck::Fresh);
        }
        assert_eq!((store.len(), store.seen.len()), (4, 3));
        // `timestamp + window < now` leaves: second 1000 is kept at 1010, gone at 1011, both
        // of its entries; the same nonce in another second is another entry.
        store.forget_expired(1010);
        assert_eq!(store.len(), 4);
        assert_eq!(check(&mut store, 1000, "b", 1010), NonceCheck::Replayed);
        store.forget_expired(1011);
        assert_eq!((store.len(), store.seen.len()), (2, 2));
        assert_eq!(check(&mut store, 1001, "a", 1011), NonceCheck::Replayed);
        assert_eq!(check(&mut store, 1005, "a", 1011), NonceCheck::Fresh);
        assert_eq!(store.len(), 3);
        store.forget_expired(1016);
        assert!(store.is_empty());
        assert!(store.seen.is_empty());
        assert_eq!(store.per_consumer.len(), 0);
    }

    #[test]
    fn the_counts_are_read_back_from_the_entries_and_released_when_they_expire() {
        let mut store = MemoryNonceStore::new(300, 100).token_quota(2);
        for nonce in ["1", "2"] {
            let used = at("key", Some("token"), nonce);
            assert_eq!(store.check_and_insert(used, 1000), NonceCheck::Fresh);
        }
        let third = at("key", Some("token"), "3");
        assert_eq!(store.check_and_insert(third, 1000), NonceCheck::OverQuota);
        // The consumer key alone is another token.
        assert_eq!(
            store.check_and_insert(at("key", None, "3"), 1000),
            NonceCheck::Fresh
        );
        assert_eq!(store.per_token.len(), 2);
        assert!(!store.is_empty());
        assert_eq!(store.len(), 3);
        assert_eq!(store.per_consumer.get(&b"\0\0\0\x03key"[..]), Some(&3));
        store.forget_expired(1301);
        assert!(store.is_empty());
        assert!(store.per_token.is_empty());
        assert!(store.per_consumer.is_empty());
        let later = NonceUse {
            timestamp: 1301,
            ..third
        };
        assert_eq!(store.check_and_insert(later, 1301), NonceCheck::Fresh);
    }
}
