//! # countersign
//!
//! A Sans-IO OAuth 1.0a core: it builds `Authorization` headers, parses the provider's token
//! responses and callbacks, and parses `Authorization` headers for the provider side, as pure
//! functions over borrowed data. It performs no I/O, and reads neither the clock nor the random
//! source unless you ask for the defaults ([`clock::SystemClock`] with `std`,
//! [`nonce::NonceGenerator`] with `getrandom`). It is `#![no_std]` with `alloc`.
//!
//! PLAINTEXT (RFC 5849 section 3.4.4) is the signature method built in: the one the Discogs API
//! recommends, over TLS.
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
//! let again = signer.authorize(&request, 1_700_000_000, "k7Hn2pQx9vR4mW8tY1zA3bC5")?;
//! assert_eq!(header, again);
//! # Ok::<(), countersign::Error>(())
//! ```
//!
//! With the default features, [`PreparedSigner::authorize_with`] takes a
//! [`nonce::NonceGenerator`] and the [`clock::SystemClock`].
//!
//! ## The three-legged flow, by hand
//!
//! 1. Sign the temporary-credentials request with [`Signer::callback`] (a URL, or `oob`), send
//!    it, and parse the answer with [`TokenResponse::parse_temporary`], which insists on
//!    `oauth_callback_confirmed=true`.
//! 2. Send the user to the provider's authorize URL with `?oauth_token=<temporary token>`.
//! 3. Parse where the user comes back with [`Callback::parse`]: approved (token and verifier;
//!    check the token against yours with [`Secret::ct_eq`]) or denied.
//! 4. Sign the token-credentials request with the temporary token and [`Signer::verifier`], send
//!    it, and parse the answer with [`TokenResponse::parse`]: those are the access credentials.
//!
//! ## The call order, for an HTTP client
//!
//! countersign never sends anything. For each request: describe it as a [`Request`], sign it
//! (the header goes in `Authorization`), send it with your client, and hand the response body to
//! the matching parser. Nothing in between keeps hidden state.
//!
//! ## Discogs
//!
//! [`discogs::DiscogsAuth`] covers the four credential modes the Discogs API documents (none,
//! key/secret, personal token, OAuth), and [`discogs`] has its endpoint URLs.
//!
//! ## Security
//!
//! - Every secret (consumer secret, token secret, verifier, personal token, and headers or URLs
//!   that carry them) is a [`Secret`] or [`SecretStr`]: `Debug` is redacted, there is no
//!   `Display`, comparison is constant time, and memory is cleared on drop.
//! - PLAINTEXT and the Discogs key/secret and token modes send secrets in the clear, so they are
//!   refused over `http://` unless the host is loopback (`127.0.0.0/8`, `::1`, `localhost`) or you
//!   call [`Signer::dangerous_allow_insecure_http`].
//! - Error messages name fields, never their values; text that came from the provider is
//!   escaped before it is printed.
//! - Parsers never panic, whatever their input (the crate is fuzzed), and allocate only to decode
//!   values that contain escapes.
//!
//! ## The modules, by what they hold
//!
//! - [`flow`]: the three-legged flow as a typestate, provider configuration (with a Discogs
//!   preset), described requests ([`OutgoingRequest`]) and the answers they take.
//! - [`response`]: the provider's answer, status classification ([`response::ProviderError`]),
//!   rate-limit headers.
//! - [`verify`]: the provider side: verifying signed requests.
//! - [`signature`], [`base_string`]: the signature methods and the base string they sign.
//! - [`header`], [`encode`]: the `Authorization` grammar and RFC 5849 percent-encoding.
//! - [`discogs`]: the four Discogs credential modes and endpoints.
//! - [`nonce`], [`clock`], `skew`: nonces, time, and clock-skew correction.
//!
//! ## Features
//!
//! - `std` (default): [`clock::SystemClock`], the `skew` module (clock offset from `Date`
//!   headers) and HTTP-date `Retry-After`.
//! - `getrandom` (default): [`nonce::NonceGenerator`] (ChaCha12 seeded from the OS).
//! - `hmac-sha1`, `hmac-sha256`: the HMAC signature methods.
//! - `http`: conversions with the `http` crate (`http` module): describing requests as
//!   `http::Request`, signing one in place, reading `http::Response`.
//! - `serde`: `Serialize`/`Deserialize` for credentials, configuration and flow states.
//! - `json`: the identity resource's JSON (`identity` module).
//!
//! With `default-features = false` the crate needs only `core` and `alloc`; CI links it into a
//! `#![no_std]` program to prove it.

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

pub mod base_string;
mod callback;
pub mod clock;
mod credentials;
pub mod discogs;
pub mod encode;
mod error;
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
mod request;
pub mod response;
mod secret;
mod sign;
pub mod signature;
#[cfg(feature = "std")]
pub mod skew;
mod token_response;
mod url;
pub mod verify;

pub use callback::Callback;
pub use credentials::{ClientCredentials, TokenCredentials};
pub use encode::DecodeError;
pub use error::{Context, Error, Field, FlowError, Misuse, ParseError};
pub use header::{Authorization, ParsedAuthorization};
pub use request::{OutgoingRequest, Request};
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
