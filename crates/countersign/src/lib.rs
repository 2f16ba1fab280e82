//! # countersign
//!
//! A Sans-IO OAuth 1.0a core: it signs requests, parses the provider's token responses and
//! callbacks, tracks the three-legged flow as plain values, and decides each exchange with the
//! provider (the clock-skew retry, redirects), as pure functions over borrowed data. It performs
//! no I/O, and reads neither the clock nor the random source unless you ask for the defaults
//! ([`clock::SystemClock`] with `std`, [`nonce::NonceGenerator`] with `getrandom`). It is
//! `#![no_std]` with `alloc`.
//!
//! PLAINTEXT (RFC 5849 section 3.4.4) is the signature method built in: the one the Discogs API
//! recommends, over TLS. HMAC-SHA1, HMAC-SHA256, HMAC-SHA512, RSA-SHA1 and RSA-SHA256 are
//! features (`hmac-sha1`, ..., `rsa-sha256`), each no_std with `alloc`; so is the OAuth Request
//! Body Hash (`oauth_body_hash`, [`signature::BodyHash`]) for each of them.
//!
//! ## Signing a request
//!
//! ```
//! use countersign::{ClientCredentials, Request, Signer, TokenCredentials};
//!
//! let client = ClientCredentials::new("consumer-key", "consumer-secret");
//! let token = TokenCredentials::new("access-token", "token-secret");
//! let request = Request::get("https://api.discogs.com/oauth/identity");
//!
//! // One request: everything borrowed, one allocation for the header.
//! let header = Signer::new(&client)
//!     .token(&token)
//!     .timestamp(1_700_000_000)
//!     .nonce("k7Hn2pQx9vR4mW8tY1zA3bC5")
//!     .sign(&request)?
//!     .to_authorization();
//! assert!(header.as_str().starts_with("OAuth oauth_consumer_key=\"consumer-key\""));
//!
//! // Many requests: encode the fixed parts once; each request adds a timestamp and a nonce.
//! let signer = Signer::new(&client).token(&token).prepare()?;
//! let again = signer.sign(&request, 1_700_000_000, "k7Hn2pQx9vR4mW8tY1zA3bC5")?;
//! assert_eq!(header, again);
//! # Ok::<(), countersign::Error>(())
//! ```
//!
//! With the default features, [`PreparedSigner::sign_with`] takes a [`nonce::NonceGenerator`]
//! and the [`clock::SystemClock`].
//!
//! ## The call loop
//!
//! countersign never sends anything. Every exchange with the provider (a leg of the flow, the
//! identity call, a renewal, an API call) is an [`exchange::Exchange`] (feature `http`), and an
//! HTTP client drives it with this loop, which is all a transport does:
//!
//! 1. `exchange.request(now, &mut nonces)`: the `http::Request` to send, signed at `now` (your
//!    clock, corrected by the offset known so far) with a fresh nonce.
//! 2. Send it; read the answer.
//! 3. `exchange.handle(answer)`: [`Next::Send`][next-send] to go back to 1 (the one clock-skew
//!    retry, or a same-origin redirect, re-signed), or [`Next::Done`][next-done] with the answer
//!    to read.
//! 4. Keep `exchange.skew()`, what was learned of the provider's clock, for the next exchange.
//!
//! Then hand the answer to the flow state it belongs to (`receive`). [`client::drive`] is that
//! loop over any transport; [`client::AsyncClient`] and [`client::Client`] run the whole flow
//! with it; countersign-reqwest and countersign-ureq plug reqwest and ureq in.
//!
//! ## The three-legged flow
//!
//! A typestate ([`flow`]), each step consuming the previous one:
//!
//! 1. [`flow::RequestToken`]: the temporary-credentials request, with `oauth_callback` (a URL, or
//!    `oob`); its answer must confirm the callback.
//! 2. [`flow::Authorize`]: send the user to [`flow::Authorize::authorize_url`]; take their
//!    answer, the callback (`oauth_token` checked in constant time against the pending token)
//!    or a pasted verifier, before the request token expires.
//! 3. [`flow::AccessToken`]: the token-credentials request, signed with the temporary secret
//!    and the verifier; its answer is the access credentials.
//! 4. [`flow::Session`]: API requests, the identity resource, renewal.
//!
//! ## Providers
//!
//! What differs between providers is data: a [`profile::Profile`] (endpoints, signature method,
//! realm, User-Agent, how credentials sent as they are travel). [`discogs::profile`] is the
//! Discogs preset. The credential modes ([`auth::Auth`]: none, consumer key, personal token,
//! OAuth 1.0a) are named for what they are; a profile says how the ones that are not OAuth travel.
//!
//! ## Security
//!
//! - Every secret (consumer secret, token secret, verifier, personal token, and headers or URLs
//!   that carry them) is a [`Secret`] or [`SecretStr`]: `Debug` is redacted, there is no
//!   `Display`, comparison is constant time, and memory is cleared on drop.
//! - PLAINTEXT and credentials sent as they are travel in the clear, so they are refused over
//!   `http://` unless the host is loopback (`127.0.0.0/8`, `::1`, `localhost`) or you call
//!   [`Signer::dangerous_allow_insecure_http`].
//! - An exchange never sends credentials to another origin: a redirect there is the answer.
//! - Error messages name fields, never their values; text that came from the provider is
//!   escaped before it is printed, and the values of secret parameters are redacted.
//! - Parsers never panic, whatever their input (the crate is fuzzed), and allocate only to decode
//!   values that contain escapes.
//!
//! ## The modules, by what they hold
//!
//! - [`flow`]: the three-legged flow as a typestate.
//! - `exchange`, `client` (feature `http`): one exchange's decisions, and the loop that drives
//!   exchanges over a transport.
//! - [`profile`], [`discogs`]: providers as data, and the Discogs preset.
//! - [`auth`]: the credential modes, and the rules for sending them.
//! - [`response`]: the provider's answer, status classification ([`response::ProviderError`]),
//!   rate-limit headers, redaction.
//! - [`verify`]: the provider side: verifying signed requests.
//! - [`signature`], [`base_string`]: the signature methods and the base string they sign.
//! - [`header`], [`encode`]: the `Authorization` grammar and RFC 5849 percent-encoding.
//! - [`nonce`], [`clock`], `skew`: nonces, time, and what is known of the provider's clock.
//! - [`error`]: errors by category.
//!
//! ## Features
//!
//! - `std` (default): [`clock::SystemClock`], the `skew` module (clock offset from `Date`
//!   headers) and HTTP-date `Retry-After`.
//! - `getrandom` (default): [`nonce::NonceGenerator`] (ChaCha12 seeded from the OS).
//! - `hmac-sha1`, `hmac-sha256`, `hmac-sha512`: the HMAC signature methods.
//! - `http` (needs `std`): the `http` crate's types: the `exchange` module, signing an
//!   `http::Request` in place ([`auth::Authenticator`]), reading an `http::Response`; with
//!   `getrandom`, the `client` module.
//! - `serde`: `Serialize`/`Deserialize` for credentials, profiles and flow states.
//! - `json`: the identity resource's JSON (`identity` module).
//!
//! With `default-features = false` the crate needs only `core` and `alloc`; CI links it into a
//! `#![no_std]` program to prove it.

// Links to what the `http` feature brings: to the items with it, to docs.rs without it (after
// an empty line: a link definition cannot interrupt the paragraph before it).
#![doc = ""]
#![cfg_attr(feature = "http", doc = "[next-send]: exchange::Next::Send")]
#![cfg_attr(feature = "http", doc = "[next-done]: exchange::Next::Done")]
#![cfg_attr(
    not(feature = "http"),
    doc = "[`exchange::Exchange`]: https://docs.rs/countersign/latest/countersign/exchange/struct.Exchange.html"
)]
#![cfg_attr(
    not(feature = "http"),
    doc = "[next-send]: https://docs.rs/countersign/latest/countersign/exchange/enum.Next.html#variant.Send"
)]
#![cfg_attr(
    not(feature = "http"),
    doc = "[next-done]: https://docs.rs/countersign/latest/countersign/exchange/enum.Next.html#variant.Done"
)]
#![cfg_attr(
    not(feature = "http"),
    doc = "[`client::drive`]: https://docs.rs/countersign/latest/countersign/client/fn.drive.html"
)]
#![cfg_attr(
    not(feature = "http"),
    doc = "[`client::AsyncClient`]: https://docs.rs/countersign/latest/countersign/client/struct.AsyncClient.html"
)]
#![cfg_attr(
    not(feature = "http"),
    doc = "[`client::Client`]: https://docs.rs/countersign/latest/countersign/client/struct.Client.html"
)]
#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(
    clippy::std_instead_of_core,
    clippy::std_instead_of_alloc,
    clippy::alloc_instead_of_core
)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing,
        clippy::unreachable
    )
)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

pub mod auth;
pub mod base_string;
mod callback;
#[cfg(all(feature = "http", feature = "getrandom"))]
pub mod client;
pub mod clock;
mod credentials;
pub mod discogs;
pub mod encode;
pub mod error;
#[cfg(feature = "http")]
pub mod exchange;
pub mod flow;
mod form;
#[cfg(fuzzing)]
#[doc(hidden)]
pub mod fuzzing;
pub mod header;
#[cfg(feature = "http")]
pub mod http;
#[cfg(feature = "json")]
pub mod identity;
pub mod nonce;
pub mod profile;
pub mod providers;
mod request;
pub mod response;
#[cfg(feature = "_rsa")]
mod rsa_key;
mod secret;
mod sign;
pub mod signature;
#[cfg(feature = "std")]
pub mod skew;
mod stack_text;
mod swar;
mod token_response;
mod url;
pub mod verify;

pub use callback::Callback;
pub use credentials::{ClientCredentials, TokenCredentials};
pub use encode::DecodeError;
pub use error::{Context, Error, Field, FlowError, Misuse, ParseError};
pub use header::{Authorization, ParsedAuthorization};
pub use request::{OutgoingRequest, Request};
#[cfg(feature = "_rsa")]
pub use rsa_key::{RsaPrivateKey, RsaPublicKey};
pub use secret::{Secret, SecretStr};
pub use sign::{PreparedSigner, SignedHeader, Signer};
pub use signature::SignatureMethod;
pub use token_response::TokenResponse;

/// The README's Rust examples, compiled and run as doctests.
#[cfg(all(doctest, feature = "std", feature = "getrandom"))]
#[doc = include_str!("../../../README.md")]
struct ReadmeDoctests;

/// The rule for sending secrets in the clear, and the loopback test behind it.
pub mod transport {
    pub use crate::url::{check_cleartext_allowed, is_loopback_host};
}
