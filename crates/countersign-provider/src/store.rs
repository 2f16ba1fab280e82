//! Stores that answer asynchronously: secrets in a database, nonces shared by every instance of a
//! provider.
//!
//! [`VerifyLayer`](crate::VerifyLayer) runs the core's verification steps
//! ([`Verifier::check`](countersign::verify::Verifier::check), then the lookups, then the
//! signature, then the nonce) and asks these stores in between, holding nothing while it waits
//! or while it computes a signature.
//!
//! - [`AsyncSecretLookup`]: every synchronous [`SecretLookup`] is one (a map, two closures from
//!   [`lookup_fn`](countersign::verify::lookup_fn)); implement it for a database.
//! - [`AsyncNonceStore`]: a `Mutex` around any synchronous [`NonceStore`] (the default, a
//!   [`MemoryNonceStore`](countersign::verify::MemoryNonceStore), is locked only while one nonce
//!   is recorded), or a store shared by several instances, such as
//!   `RedisNonceStore` (feature `redis`).

use std::error::Error;
use std::fmt;
use std::future::{Future, ready};
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};

use countersign::verify::{NonceCheck, NonceStore, NonceUse, SecretLookup};
use countersign::{Secret, SecretStr};

/// The future a store's method returns: boxed, so that the stores can sit behind a `dyn`.
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A store that could not answer (a database that is down, a timeout). The layer refuses the
/// request with 503 and `Retry-After`, and never accepts it.
#[derive(Debug)]
pub struct StoreError(Box<dyn Error + Send + Sync>);

impl StoreError {
    /// Wraps the store's own error. Its message goes to the logs: it must not hold a secret.
    pub fn new(error: impl Into<Box<dyn Error + Send + Sync>>) -> Self {
        Self(error.into())
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the store could not answer: {}", self.0)
    }
}

impl Error for StoreError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        Some(&*self.0)
    }
}

/// Looks up the secrets of clients and tokens, asynchronously. See
/// [`SecretLookup`] for what each method must answer; `Err` means the store could not answer
/// at all.
pub trait AsyncSecretLookup: Send + Sync {
    /// The secret of the client whose key is `consumer_key`, or `None` when there is no such
    /// client.
    fn client_secret<'a>(
        &'a self,
        consumer_key: &'a str,
    ) -> StoreFuture<'a, Result<Option<Secret>, StoreError>>;

    /// The secret of `token` when it exists and was issued to `consumer_key`, else `None`.
    fn token_secret<'a>(
        &'a self,
        consumer_key: &'a str,
        token: &'a str,
    ) -> StoreFuture<'a, Result<Option<Secret>, StoreError>>;

    /// The RSA public key the client whose key is `consumer_key` registered, for requests
    /// signed with RSA-SHA1 or RSA-SHA256; `None` (the default) when it has none, and such
    /// requests are refused.
    #[cfg(any(feature = "rsa-sha1", feature = "rsa-sha256"))]
    fn client_rsa_key<'a>(
        &'a self,
        consumer_key: &'a str,
    ) -> StoreFuture<'a, Result<Option<countersign::RsaPublicKey>, StoreError>> {
        let _ = consumer_key;
        Box::pin(ready(Ok(None)))
    }
}

impl<L: SecretLookup + Send + Sync> AsyncSecretLookup for L {
    fn client_secret<'a>(
        &'a self,
        consumer_key: &'a str,
    ) -> StoreFuture<'a, Result<Option<Secret>, StoreError>> {
        let secret = SecretLookup::client_secret(self, consumer_key);
        Box::pin(ready(Ok(secret.map(SecretStr::into_secret))))
    }

    fn token_secret<'a>(
        &'a self,
        consumer_key: &'a str,
        token: &'a str,
    ) -> StoreFuture<'a, Result<Option<Secret>, StoreError>> {
        let secret = SecretLookup::token_secret(self, consumer_key, token);
        Box::pin(ready(Ok(secret.map(SecretStr::into_secret))))
    }

    #[cfg(any(feature = "rsa-sha1", feature = "rsa-sha256"))]
    fn client_rsa_key<'a>(
        &'a self,
        consumer_key: &'a str,
    ) -> StoreFuture<'a, Result<Option<countersign::RsaPublicKey>, StoreError>> {
        Box::pin(ready(Ok(SecretLookup::client_rsa_key(self, consumer_key))))
    }
}

/// Remembers the nonces of authenticated requests, asynchronously, to detect replays. See
/// [`NonceStore`] for what it must answer; a store that cannot answer says
/// [`NonceCheck::Unavailable`], and the request is refused.
pub trait AsyncNonceStore: Send + Sync {
    /// Records `nonce` unless it was seen before. `now` is the current time, in seconds since the
    /// Unix epoch.
    fn check_and_insert<'a>(&'a self, nonce: NonceUse<'a>, now: u64)
    -> StoreFuture<'a, NonceCheck>;
}

/// A synchronous store behind a lock, held only while one nonce is recorded.
impl<N: NonceStore + Send> AsyncNonceStore for Mutex<N> {
    fn check_and_insert<'a>(
        &'a self,
        nonce: NonceUse<'a>,
        now: u64,
    ) -> StoreFuture<'a, NonceCheck> {
        let check = self
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .check_and_insert(nonce, now);
        Box::pin(ready(check))
    }
}

/// A store shared with other layers (two instances of a provider in one process, in a test).
impl<T: AsyncNonceStore + ?Sized> AsyncNonceStore for Arc<T> {
    fn check_and_insert<'a>(
        &'a self,
        nonce: NonceUse<'a>,
        now: u64,
    ) -> StoreFuture<'a, NonceCheck> {
        (**self).check_and_insert(nonce, now)
    }
}
