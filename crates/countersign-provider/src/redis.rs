//! [`RedisNonceStore`]: nonces in Redis, shared by every instance of a provider.

use std::fmt;
use std::time::Duration;

use countersign::verify::{DEFAULT_TIMESTAMP_WINDOW, NonceCheck, NonceUse};
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use sha2::{Digest, Sha256};

use crate::store::{AsyncNonceStore, StoreError, StoreFuture};

/// How long a command may take before the store counts as unavailable.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(1);

/// The prefix of every key the store writes.
const DEFAULT_PREFIX: &str = "countersign:nonce:";

/// The default for how many nonces one token (or consumer key without a token) may record in
/// one nonce lifetime: 100,000 in ten minutes, some 160 requests a second.
const DEFAULT_TOKEN_QUOTA: u64 = 100_000;

/// One round trip, atomic (a script runs alone): a nonce seen before is a replay; else count the
/// token's nonces in the current lifetime (the count expires after two), refuse past the quota,
/// else `SET NX PX` the nonce. Answers 1 (fresh), 0 (replayed)
/// or -1 (over the quota).
const RECORD: &str = r"
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local count = redis.call('INCR', KEYS[2])
if count == 1 then redis.call('PEXPIRE', KEYS[2], ARGV[2]) end
if count > tonumber(ARGV[3]) then
  redis.call('DECR', KEYS[2])
  return -1
end
if redis.call('SET', KEYS[1], '1', 'NX', 'PX', ARGV[1]) then return 1 end
redis.call('DECR', KEYS[2])
return 0
";

/// A nonce store in Redis: several instances of a provider that share one Redis refuse a
/// request replayed from one to another.
///
/// - Each nonce is one atomic `SET key 1 NX PX lifetime`: the first instance to record it wins,
///   every later one hears "replayed". Redis forgets the key when the lifetime has passed.
/// - The key is a prefix and the SHA-256 of the consumer key, the token, the timestamp and the
///   nonce (each length-prefixed): fixed-length keys, whatever the client sends.
/// - One token (or consumer key without a token) records at most
///   [`token_quota`](Self::token_quota) nonces per lifetime (default 100,000 in ten minutes);
///   past that its requests are refused with 429, so that one client cannot fill Redis for the
///   others. The count and the nonce are written by one Lua script, in one round trip.
/// - The lifetime must cover every timestamp the verifier accepts: the window behind plus the
///   limit ahead ([`Verifier::nonce_lifetime`](countersign::verify::Verifier::nonce_lifetime));
///   the default, 600 seconds, covers the default window (300 seconds either way).
/// - When Redis cannot be reached or does not answer within the timeout (default one second),
///   the answer is [`NonceCheck::Unavailable`]: the request is refused with 503 and
///   `Retry-After`, never accepted unchecked. The connection is re-established in the
///   background.
/// - Redis holds what the clients send for as long as the lifetime: size its memory (or set a
///   `maxmemory` policy that refuses writes, `noeviction`, rather than one that evicts keys,
///   which would let evicted nonces be replayed).
///
/// ```no_run
/// # async fn run() -> Result<(), countersign_provider::StoreError> {
/// use countersign::verify::lookup_fn;
/// use countersign_provider::{RedisNonceStore, VerifyLayer};
///
/// let nonces = RedisNonceStore::connect("redis://127.0.0.1:6379").await?;
/// let layer = VerifyLayer::new(lookup_fn(|_key: &str| None, |_key: &str, _token: &str| None))
///     .shared_nonce_store(nonces);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct RedisNonceStore {
    connection: ConnectionManager,
    lifetime: Duration,
    timeout: Duration,
    prefix: String,
    token_quota: u64,
    script: redis::Script,
}

impl fmt::Debug for RedisNonceStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Not the connection: its address can carry a password.
        f.debug_struct("RedisNonceStore")
            .field("lifetime", &self.lifetime)
            .field("timeout", &self.timeout)
            .field("prefix", &self.prefix)
            .field("token_quota", &self.token_quota)
            .finish_non_exhaustive()
    }
}

impl RedisNonceStore {
    /// Connects to the Redis at `url` (`redis://host:port/db`, `redis://:password@host`,
    /// `rediss://` for TLS where the `redis` crate is built with it).
    ///
    /// # Errors
    /// The URL does not parse, or Redis cannot be reached now. The message never repeats the
    /// URL, which can hold a password.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let client = redis::Client::open(url).map_err(StoreError::new)?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(DEFAULT_TIMEOUT))
            .set_response_timeout(Some(DEFAULT_TIMEOUT))
            .set_number_of_retries(1);
        let connection = ConnectionManager::new_with_config(client, config)
            .await
            .map_err(StoreError::new)?;
        Ok(Self {
            connection,
            lifetime: Duration::from_secs(2 * DEFAULT_TIMESTAMP_WINDOW),
            timeout: DEFAULT_TIMEOUT,
            prefix: DEFAULT_PREFIX.to_owned(),
            token_quota: DEFAULT_TOKEN_QUOTA,
            script: redis::Script::new(RECORD),
        })
    }

    /// How many nonces one token (or consumer key without a token) may record per lifetime
    /// (default 100,000): past that, [`NonceCheck::OverQuota`] (429).
    #[must_use]
    pub fn token_quota(mut self, nonces: u64) -> Self {
        self.token_quota = nonces;
        self
    }

    /// How long a nonce is kept (default 600 seconds): at least the verifier's
    /// [`nonce_lifetime`](countersign::verify::Verifier::nonce_lifetime).
    #[must_use]
    pub fn lifetime(mut self, lifetime: Duration) -> Self {
        self.lifetime = lifetime;
        self
    }

    /// How long a command may take before the request is refused as unavailable (default one
    /// second).
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The prefix of the keys (default `countersign:nonce:`), to share a Redis with other uses
    /// or keep two providers apart.
    #[must_use]
    pub fn key_prefix(mut self, prefix: &str) -> Self {
        prefix.clone_into(&mut self.prefix);
        self
    }
}

/// The key of one use of a nonce: `prefix` and the hex SHA-256 of its fields, each
/// length-prefixed (so that no two different uses share a key).
fn nonce_key(prefix: &str, nonce: &NonceUse<'_>) -> String {
    let mut hash = Sha256::new();
    let mut field = |bytes: &[u8]| {
        hash.update((bytes.len() as u64).to_be_bytes());
        hash.update(bytes);
    };
    field(nonce.consumer_key.as_bytes());
    match nonce.token {
        Some(token) => {
            field(b"+");
            field(token.as_bytes());
        }
        None => field(b"-"),
    }
    field(&nonce.timestamp.to_be_bytes());
    field(nonce.nonce.as_bytes());
    let digest = hash.finalize();
    let mut key = String::with_capacity(prefix.len() + 64);
    key.push_str(prefix);
    for byte in digest {
        key.push(char::from(HEX[usize::from(byte >> 4)]));
        key.push(char::from(HEX[usize::from(byte & 0xf)]));
    }
    key
}

const HEX: &[u8; 16] = b"0123456789abcdef";

impl AsyncNonceStore for RedisNonceStore {
    fn check_and_insert<'a>(
        &'a self,
        nonce: NonceUse<'a>,
        now: u64,
    ) -> StoreFuture<'a, NonceCheck> {
        let key = nonce_key(&self.prefix, &nonce);
        let millis = u64::try_from(self.lifetime.as_millis())
            .unwrap_or(u64::MAX)
            .max(1);
        // The token's count for the current lifetime: a bucket of the clock, kept two lifetimes.
        let bucket = now / (millis / 1000).max(1);
        let quota_key = quota_key(&self.prefix, &nonce, bucket);
        let mut connection = self.connection.clone();
        Box::pin(async move {
            let mut invocation = self.script.key(key);
            invocation
                .key(quota_key)
                .arg(millis)
                .arg(millis.saturating_mul(2))
                .arg(self.token_quota);
            let answer = invocation.invoke_async::<i64>(&mut connection);
            match tokio::time::timeout(self.timeout, answer).await {
                Ok(Ok(1)) => NonceCheck::Fresh,
                Ok(Ok(0)) => NonceCheck::Replayed,
                Ok(Ok(-1)) => NonceCheck::OverQuota,
                Ok(Ok(_) | Err(_)) | Err(_) => NonceCheck::Unavailable,
            }
        })
    }
}

/// The key of a token's nonce count in one `bucket` of time.
fn quota_key(prefix: &str, nonce: &NonceUse<'_>, bucket: u64) -> String {
    let token = NonceUse {
        timestamp: bucket,
        nonce: "quota",
        ..*nonce
    };
    let mut key = nonce_key(prefix, &token);
    key.insert_str(prefix.len(), "quota:");
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_fixed_length_and_tell_every_field_apart() {
        let base = NonceUse {
            consumer_key: "key",
            token: Some("token"),
            timestamp: 1_700_000_000,
            nonce: "n0nce",
        };
        let variants = [
            base,
            NonceUse {
                token: None,
                ..base
            },
            NonceUse {
                token: Some(""),
                ..base
            },
            NonceUse {
                consumer_key: "keytoken",
                token: None,
                ..base
            },
            NonceUse {
                consumer_key: "ke",
                token: Some("ytoken"),
                ..base
            },
            NonceUse {
                timestamp: 1_700_000_001,
                ..base
            },
            NonceUse {
                nonce: "n0nc",
                ..base
            },
            NonceUse {
                nonce: &"x".repeat(64),
                ..base
            },
        ];
        let keys: Vec<String> = variants.iter().map(|n| nonce_key("p:", n)).collect();
        for (i, key) in keys.iter().enumerate() {
            assert_eq!(key.len(), 2 + 64, "{key}");
            assert!(key.starts_with("p:"));
            assert!(key[2..].bytes().all(|b| b.is_ascii_hexdigit()));
            assert!(!keys[..i].contains(key), "{i}: {key} repeats");
        }
        assert_eq!(
            nonce_key("p:", &base),
            keys[0],
            "the same use, the same key"
        );
        // SHA-256 of the length-prefixed fields, spelled out.
        let mut expected = Sha256::new();
        for field in [
            &b"key"[..],
            b"+",
            b"token",
            &1_700_000_000_u64.to_be_bytes(),
            b"n0nce",
        ] {
            expected.update((field.len() as u64).to_be_bytes());
            expected.update(field);
        }
        let hex: String = expected
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(keys[0], format!("p:{hex}"));
    }
}
