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
/// Memory use is about 60 bytes per entry of a nonce of up to 32 bytes (the nonce and its
/// token's number, held in the tree's nodes; a longer nonce takes some 80 bytes and the rest of
/// it in an allocation of its own); plus, for each token and consumer key that holds entries,
/// its bytes twice and some 100 bytes; plus the trees of each second that holds entries (about
/// 1,000 bytes; at most one second per second of the window and of the time allowed ahead, so
/// some 360 with the verifier's defaults) and a count per token in it. Recording a fresh nonce
/// allocates nothing but the trees' nodes as they grow (and a new token's place); a second
/// leaves the window by counting each of its tokens down once and freeing its nodes, without
/// reading its entries again.
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
    /// first come first, and a second leaves whole. A walk goes down the small tree of the
    /// seconds (a few hundred, touched by every request) and then one second's trees, instead
    /// of one tree of all.
    seen: BTreeMap<u64, Second>,
    /// How many entries `seen` holds, all seconds together.
    len: usize,
    token_quota: usize,
    consumer_quota: usize,
    /// The tokens and consumer keys that hold entries, and how many each holds.
    holders: Holders,
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
            holders: Holders::new(),
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
            let second = second.remove();
            self.len -= second.len();
            // Counted down per token, not per entry: the keys themselves are not read again,
            // and those of short nonces have nothing to drop (their nodes are freed whole).
            for (token, entries) in second.tokens {
                self.holders.release(token, entries);
            }
        }
    }
}

/// How long a nonce's head is: the bytes of it a key holds in the tree's node.
const HEAD: usize = 32;

/// The entries of one second.
#[derive(Clone, Debug, Default)]
struct Second {
    /// Nonces of up to [`HEAD`] bytes, whole in their keys.
    short: BTreeSet<Short>,
    /// Longer nonces.
    long: BTreeSet<Long>,
    /// How many of these entries each token (by number) holds.
    tokens: BTreeMap<u32, usize>,
}

impl Second {
    fn len(&self) -> usize {
        self.short.len() + self.long.len()
    }

    fn contains(&self, nonce: &str, token: u32) -> bool {
        match Short::new(nonce, token) {
            Some(key) => self.short.contains(&key),
            None => self.long.contains(&Long::new(nonce, token)),
        }
    }

    /// Adds the entry, unless it is there (then `false`).
    fn insert(&mut self, nonce: &str, token: u32) -> bool {
        let added = match Short::new(nonce, token) {
            Some(key) => self.short.insert(key),
            None => self.long.insert(Long::new(nonce, token)),
        };
        if added {
            *self.tokens.entry(token).or_insert(0) += 1;
        }
        added
    }
}

/// A nonce of up to [`HEAD`] bytes within its second, and the number of its token: integers
/// only, compared as such on a walk down the second's tree, and nothing to drop.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Short {
    /// The nonce, zeros after its end.
    head: [u64; HEAD / 8],
    len: u8,
    token: u32,
}

impl Short {
    fn new(nonce: &str, token: u32) -> Option<Self> {
        Some(Self {
            head: head_of(nonce.as_bytes()),
            len: u8::try_from(nonce.len())
                .ok()
                .filter(|&n| usize::from(n) <= HEAD)?,
            token,
        })
    }
}

/// A nonce longer than [`HEAD`] bytes: its head held in the node, the rest in an allocation of
/// its own, looked at only when two nonces agree on their heads.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Long {
    head: [u64; HEAD / 8],
    token: u32,
    rest: Box<[u8]>,
}

impl Long {
    fn new(nonce: &str, token: u32) -> Self {
        let bytes = nonce.as_bytes();
        Self {
            head: head_of(bytes),
            token,
            rest: bytes.get(HEAD..).unwrap_or_default().into(),
        }
    }
}

/// The first [`HEAD`] bytes of `bytes` (zeros after its end) as big-endian integers.
fn head_of(bytes: &[u8]) -> [u64; HEAD / 8] {
    let mut head = [0; HEAD];
    let n = bytes.len().min(HEAD);
    if let (Some(to), Some(from)) = (head.get_mut(..n), bytes.get(..n)) {
        to.copy_from_slice(from);
    }
    let word = |at: usize| {
        let mut word = [0; 8];
        if let Some(from) = head.get(at..at + 8) {
            word.copy_from_slice(from);
        }
        u64::from_be_bytes(word)
    };
    [word(0), word(8), word(16), word(24)]
}

/// The tokens and consumer keys that hold entries, each with a number of its own while it
/// does (then reused) and how many entries it holds. An entry keeps its token's number, so
/// that a second leaving the window counts its tokens and their consumer keys down by number,
/// without looking either up.
#[derive(Clone, Debug)]
struct Holders {
    /// The consumer keys that hold entries, with their numbers.
    consumer_numbers: BTreeMap<Box<str>, u32>,
    /// By number; `None` for a number not in use.
    consumers: Vec<Option<Consumer>>,
    tokens: Vec<Option<Token>>,
    /// Numbers not in use, to be used again first.
    free_consumers: Vec<u32>,
    free_tokens: Vec<u32>,
}

#[derive(Clone, Debug)]
struct Consumer {
    key: Box<str>,
    held: usize,
    /// Its tokens that hold entries, with their numbers.
    token_numbers: BTreeMap<Box<str>, u32>,
    /// The number of the consumer key without a token, if that holds entries.
    alone: Option<u32>,
}

#[derive(Clone, Debug)]
struct Token {
    consumer: u32,
    /// `None` for the consumer key alone.
    token: Option<Box<str>>,
    held: usize,
}

/// The numbers of a consumer key and of its token (or of the key alone), where they hold
/// entries.
#[derive(Clone, Copy)]
struct Found {
    consumer: Option<u32>,
    token: Option<u32>,
}

impl Holders {
    const fn new() -> Self {
        Self {
            consumer_numbers: BTreeMap::new(),
            consumers: Vec::new(),
            tokens: Vec::new(),
            free_consumers: Vec::new(),
            free_tokens: Vec::new(),
        }
    }

    fn consumer(&self, number: u32) -> Option<&Consumer> {
        self.consumers.get(index(number))?.as_ref()
    }

    fn token(&self, number: u32) -> Option<&Token> {
        self.tokens.get(index(number))?.as_ref()
    }

    /// The numbers of `consumer_key` and `token`: one walk down the consumer keys' tree, one
    /// down that key's tokens'.
    fn find(&self, consumer_key: &str, token: Option<&str>) -> Found {
        let consumer = self.consumer_numbers.get(consumer_key).copied();
        let token =
            consumer
                .and_then(|number| self.consumer(number))
                .and_then(|held| match token {
                    Some(token) => held.token_numbers.get(token).copied(),
                    None => held.alone,
                });
        Found { consumer, token }
    }

    /// How many entries the token and the consumer key of `found` hold.
    fn held(&self, found: Found) -> (usize, usize) {
        let token = found
            .token
            .and_then(|n| self.token(n))
            .map_or(0, |t| t.held);
        let consumer = found.consumer.and_then(|n| self.consumer(n));
        (token, consumer.map_or(0, |c| c.held))
    }

    fn consumer_mut(&mut self, number: u32) -> Option<&mut Consumer> {
        self.consumers.get_mut(index(number))?.as_mut()
    }

    fn token_mut(&mut self, number: u32) -> Option<&mut Token> {
        self.tokens.get_mut(index(number))?.as_mut()
    }

    /// One entry more for `consumer_key` and `token` (numbered first if they hold none):
    /// the token's number.
    fn hold(&mut self, consumer_key: &str, token: Option<&str>, found: Found) -> u32 {
        let consumer = found.consumer.unwrap_or_else(|| {
            let consumer = Consumer {
                key: consumer_key.into(),
                held: 0,
                token_numbers: BTreeMap::new(),
                alone: None,
            };
            let number = place(&mut self.consumers, &mut self.free_consumers, consumer);
            self.consumer_numbers.insert(consumer_key.into(), number);
            number
        });
        let number = found.token.unwrap_or_else(|| {
            let held = Token {
                consumer,
                token: token.map(Into::into),
                held: 0,
            };
            let number = place(&mut self.tokens, &mut self.free_tokens, held);
            if let Some(held) = self.consumer_mut(consumer) {
                match token {
                    Some(token) => _ = held.token_numbers.insert(token.into(), number),
                    None => held.alone = Some(number),
                }
            }
            number
        });
        if let Some(held) = self.token_mut(number) {
            held.held += 1;
        }
        if let Some(held) = self.consumer_mut(consumer) {
            held.held += 1;
        }
        number
    }

    /// `entries` fewer for the token numbered `number` and its consumer key; either is
    /// forgotten (and its number freed) when it holds none.
    fn release(&mut self, number: u32, entries: usize) {
        let Some(token) = self.token_mut(number) else {
            return;
        };
        token.held -= entries;
        let consumer_number = token.consumer;
        let gone = if token.held == 0 {
            self.free_tokens.push(number);
            self.tokens.get_mut(index(number)).and_then(Option::take)
        } else {
            None
        };
        let Some(consumer) = self.consumer_mut(consumer_number) else {
            return;
        };
        consumer.held -= entries;
        if let Some(gone) = gone {
            match gone.token {
                Some(token) => _ = consumer.token_numbers.remove(&token),
                None => consumer.alone = None,
            }
        }
        if consumer.held == 0 {
            if let Some(gone) = self
                .consumers
                .get_mut(index(consumer_number))
                .and_then(Option::take)
            {
                self.consumer_numbers.remove(&gone.key);
            }
            self.free_consumers.push(consumer_number);
        }
    }
}

/// A number as an index (a `u32` always fits a `usize` where this builds).
fn index(number: u32) -> usize {
    usize::try_from(number).unwrap_or(usize::MAX)
}

/// Puts `value` in a free place of `slots` (one freed before, else a new one): its number.
fn place<T>(slots: &mut Vec<Option<T>>, free: &mut Vec<u32>, value: T) -> u32 {
    if let Some(number) = free.pop()
        && let Some(slot) = slots.get_mut(index(number))
    {
        *slot = Some(value);
        return number;
    }
    slots.push(Some(value));
    // At most `capacity` tokens hold entries at once; a store of 4 billion entries is not
    // in memory.
    u32::try_from(slots.len() - 1).unwrap_or(u32::MAX)
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

impl NonceStore for MemoryNonceStore {
    fn check_and_insert(&mut self, nonce: NonceUse<'_>, now: u64) -> NonceCheck {
        self.forget_expired(now);
        let found = self.holders.find(nonce.consumer_key, nonce.token);
        let (token_held, consumer_held) = self.holders.held(found);
        let full = self.len >= self.capacity;
        let over_quota = token_held >= self.token_quota || consumer_held >= self.consumer_quota;
        if full || over_quota {
            // A replay is said to be one first, whatever else holds (a token that holds no
            // entry has none to replay).
            let replayed = found.token.is_some_and(|token| {
                self.seen
                    .get(&nonce.timestamp)
                    .is_some_and(|second| second.contains(nonce.nonce, token))
            });
            return if replayed {
                NonceCheck::Replayed
            } else if full {
                NonceCheck::Full
            } else {
                NonceCheck::OverQuota
            };
        }
        // Counted first, so that the entry carries its token's number; one walk down the
        // seconds' tree and one down the second's, which also tells whether it was there.
        let token = self.holders.hold(nonce.consumer_key, nonce.token, found);
        let second = self.seen.entry(nonce.timestamp).or_default();
        if !second.insert(nonce.nonce, token) {
            self.holders.release(token, 1);
            return NonceCheck::Replayed;
        }
        self.len += 1;
        NonceCheck::Fresh
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::String;

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
    fn keys_are_equal_exactly_when_nonce_and_token_are() {
        // Nonces that share their first 32 bytes (all a key holds of them in the node), that
        // end in what reads as the padding's zeros, and of every length around the head's.
        let mut nonces: Vec<String> = ["", "a", "a\0", "\0", "b", "ab"]
            .iter()
            .map(|s| String::from(*s))
            .collect();
        let long = "0123456789abcdefghijklmnopqrstuvwxyz";
        for len in 14..=long.len() {
            nonces.push(long[..len].into());
            nonces.push(alloc::format!("{}X", &long[..len]));
        }
        for a in &nonces {
            for b in &nonces {
                for (ta, tb) in [(0, 0), (0, 1), (7, 7), (1, 0)] {
                    let mut second = Second::default();
                    assert!(second.insert(a, ta));
                    let same = a == b && ta == tb;
                    assert_eq!(second.contains(b, tb), same, "{a:?} {ta} / {b:?} {tb}");
                    assert_eq!(second.insert(b, tb), !same, "{a:?} {ta} / {b:?} {tb}");
                    assert!(second.contains(a, ta) && second.contains(b, tb));
                    assert_eq!(second.len(), if same { 1 } else { 2 });
                    let tokens: usize = second.tokens.values().sum();
                    assert_eq!(tokens, second.len());
                    if let (None, None) = (Short::new(a, ta), Short::new(b, tb)) {
                        let (ka, kb) = (Long::new(a, ta), Long::new(b, tb));
                        assert_eq!(ka.cmp(&kb), kb.cmp(&ka).reverse());
                    }
                }
            }
        }
    }

    #[test]
    fn a_nonce_of_up_to_32_bytes_is_whole_in_its_key() {
        for nonce in ["", "n0nce", "0123456789abcdef0123456789abcdef"] {
            assert!(Short::new(nonce, 0).is_some(), "{nonce}");
        }
        let longer = "0123456789abcdef0123456789abcdef!?";
        assert!(Short::new(longer, 0).is_none());
        assert_eq!(&*Long::new(longer, 0).rest, b"!?");
    }

    /// An entry of the model: timestamp, consumer key, token, nonce.
    type ModelEntry = (u64, String, Option<String>, String);

    /// What the store must answer, kept the obvious way: every entry in one list.
    struct Model {
        window: u64,
        capacity: usize,
        token_quota: usize,
        consumer_quota: usize,
        entries: Vec<ModelEntry>,
    }

    impl Model {
        fn check_and_insert(&mut self, used: &NonceUse<'_>, now: u64) -> NonceCheck {
            let window = self.window;
            self.entries
                .retain(|(timestamp, ..)| timestamp.saturating_add(window) >= now);
            let entry = (
                used.timestamp,
                String::from(used.consumer_key),
                used.token.map(String::from),
                String::from(used.nonce),
            );
            if self.entries.contains(&entry) {
                return NonceCheck::Replayed;
            }
            if self.entries.len() >= self.capacity {
                return NonceCheck::Full;
            }
            let of_token = |e: &&ModelEntry| e.1 == entry.1 && e.2 == entry.2;
            let of_consumer = |e: &&ModelEntry| e.1 == entry.1;
            if self.entries.iter().filter(of_token).count() >= self.token_quota
                || self.entries.iter().filter(of_consumer).count() >= self.consumer_quota
            {
                return NonceCheck::OverQuota;
            }
            self.entries.push(entry);
            NonceCheck::Fresh
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]
        #[test]
        fn the_store_answers_as_the_obvious_model_does(
            sizes in (1usize..16, 1usize..6, 1usize..9),
            uses in proptest::collection::vec(
                (0u64..12, 0usize..3, 0usize..4, 0usize..6, 0u64..4),
                1..160,
            ),
        ) {
            let (capacity, token_quota, consumer_quota) = sizes;
            let window = 2;
            let mut store = MemoryNonceStore::new(window, capacity)
                .token_quota(token_quota)
                .consumer_quota(consumer_quota);
            let mut model = Model {
                window,
                capacity,
                token_quota,
                consumer_quota,
                entries: Vec::new(),
            };
            let keys = ["k", "key", ""];
            let tokens = [None, Some("t"), Some(""), Some("token")];
            // Short and long nonces, some sharing their first 32 bytes.
            let nonces = [
                "a",
                "b",
                "0123456789abcdef0123456789abcdef",
                "0123456789abcdef0123456789abcdef+",
                "0123456789abcdef0123456789abcdef-",
                "",
            ];
            let mut now = 1000;
            for (step, key, token, nonce, behind) in uses {
                // A second passes at one step in three: the store fills up.
                now += step / 8;
                let used = NonceUse {
                    consumer_key: keys[key],
                    token: tokens[token],
                    timestamp: now.saturating_sub(behind),
                    nonce: nonces[nonce],
                };
                let expected = model.check_and_insert(&used, now);
                proptest::prop_assert_eq!(store.check_and_insert(used, now), expected);
                proptest::prop_assert_eq!(store.len(), model.entries.len());
            }
            // Everything forgotten, every count and number with it.
            store.forget_expired(now + window + 10);
            proptest::prop_assert!(store.is_empty());
            proptest::prop_assert!(store.holders.consumer_numbers.is_empty());
            proptest::prop_assert!(store.holders.consumers.iter().all(Option::is_none));
            proptest::prop_assert!(store.holders.tokens.iter().all(Option::is_none));
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
        assert!(store.holders.consumer_numbers.is_empty());
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
        let found = store.holders.find("key", Some("token"));
        assert_eq!(store.holders.held(found), (2, 3));
        assert_eq!(store.holders.held(store.holders.find("key", None)), (1, 3));
        assert_eq!(store.holders.tokens.len(), 2);
        assert!(!store.is_empty());
        assert_eq!(store.len(), 3);
        store.forget_expired(1301);
        assert!(store.is_empty());
        assert!(store.holders.consumer_numbers.is_empty());
        assert!(store.holders.tokens.iter().all(Option::is_none));
        assert_eq!(store.holders.free_tokens.len(), 2);
        let later = NonceUse {
            timestamp: 1301,
            ..third
        };
        assert_eq!(store.check_and_insert(later, 1301), NonceCheck::Fresh);
    }
}
