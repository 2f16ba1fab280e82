//! # countersign-provider
//!
//! The provider side of OAuth 1.0a, over HTTP, built on the [`countersign`] core's
//! [`verify`](countersign::verify) module.
//!
//! - [`VerifyLayer`]: a tower layer, for axum or hyper, for people serving an OAuth 1.0a API.
//!   It verifies each request (signature in constant time, timestamp window, nonce replay) and
//!   hands the handler the authenticated consumer and token as a
//!   [`Verified`](countersign::verify::Verified) request extension, or answers 400/401 itself.
//! - `LocalProvider` (feature `local`): a Discogs-compatible provider on loopback, started in one call, for
//!   testing clients offline: the three-legged flow (with a callback URL or out of band), the
//!   identity resource, a protected sample resource, Discogs' personal-token and key/secret
//!   modes, its error formats and rate-limit headers, and short-lived access tokens with session
//!   renewal. Time is injectable ([`ManualClock`]) so tests can expire tokens without waiting.
//!
//! ## Stores
//!
//! [`VerifyLayer`] runs the core's verification steps and asks two stores in between: the
//! secrets ([`AsyncSecretLookup`]: any synchronous `SecretLookup`, or your database) and the
//! nonces ([`AsyncNonceStore`]: a memory store by default, locked only while one nonce is
//! recorded, or `RedisNonceStore` (feature `redis`) shared by every instance of the provider). A store is asked
//! only for requests that passed every check before it, nothing is held while a signature is
//! computed, and a store that cannot answer means 503, never an unchecked request.
//!
//! ## Features
//!
//! - `hmac-sha1`, `hmac-sha256`, `hmac-sha512` (default): verify the HMAC signature methods.
//! - `local`: the local provider.
//! - `redis`: `RedisNonceStore` (the `redis` crate, on tokio).
//!
//! [`LocalProvider`] is behind the `local` feature: [`VerifyLayer`] alone needs neither axum nor a
//! tokio runtime (`cargo tree -e normal --no-default-features` shows no server).
//!
//! ## Security
//!
//! - The local provider speaks plain HTTP and refuses to listen anywhere but loopback. It is a
//!   test double, not a production server: its state lives in memory and its single user is
//!   always signed in.
//! - Unknown consumers, unknown tokens and wrong signatures get the same answer after the same
//!   work; the precise reason goes only to the log hooks ([`VerifyLayer::on_reject`], and the
//!   local provider's `on_refusal`), and never contains a secret.
//! - Nonces are recorded only for authenticated requests, so unauthenticated traffic cannot fill
//!   the bounded nonce store; a full store refuses (503) rather than forgets, and one token or
//!   consumer holds at most its quota of it (429 past that), so it cannot lock the others out.

#![doc = ""]
#![cfg_attr(
    not(feature = "local"),
    doc = "[`LocalProvider`]: https://docs.rs/countersign-provider/latest/countersign_provider/struct.LocalProvider.html"
)]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod clock;
mod forwarded;
mod layer;
#[cfg(feature = "local")]
mod local;
#[cfg(feature = "local")]
mod random;
#[cfg(feature = "redis")]
mod redis;
mod store;

pub use clock::ManualClock;
pub use layer::{
    DEFAULT_MAX_AHEAD, DEFAULT_MAX_FORM_BODY, DEFAULT_NONCE_CAPACITY, LayerBody, PublicUrl,
    PublicUrlError, VerifiedBody, VerifyLayer, VerifyService,
};
#[cfg(feature = "local")]
pub use local::{
    BlockingProviderHandle, Builder, Consumer, DEFAULT_CONSUMER_KEY, DEFAULT_CONSUMER_NAME,
    DEFAULT_CONSUMER_SECRET, DEFAULT_HEADER_TIMEOUT, DEFAULT_MAX_CONNECTIONS,
    DEFAULT_REQUEST_TIMEOUT, DEFAULT_REQUEST_TOKEN_LIFETIME, DEFAULT_USER_ID, DEFAULT_USERNAME,
    LocalProvider, ProviderHandle, RateLimit, Refusal, User,
};
#[cfg(feature = "redis")]
pub use redis::RedisNonceStore;
pub use store::{AsyncNonceStore, AsyncSecretLookup, StoreError, StoreFuture};
