//! # countersign-provider
//!
//! The provider side of OAuth 1.0a, over HTTP, built on the [`countersign`] core's
//! [`verify`](countersign::verify) module.
//!
//! - [`VerifyLayer`]: a tower layer, for axum or hyper, for people serving an OAuth 1.0a API.
//!   It verifies each request (signature in constant time, timestamp window, nonce replay) and
//!   hands the handler the authenticated consumer and token as a
//!   [`Verified`](countersign::verify::Verified) request extension, or answers 400/401 itself.
//! - [`LocalProvider`]: a Discogs-compatible provider on loopback, started in one call, for
//!   testing clients offline: the three-legged flow (with a callback URL or out of band), the
//!   identity resource, a protected sample resource, Discogs' personal-token and key/secret
//!   modes, its error formats and rate-limit headers, and short-lived access tokens with session
//!   renewal. Time is injectable ([`ManualClock`]) so tests can expire tokens without waiting.
//!
//! ## A local provider in a test
//!
//! ```
//! use std::io::{Read, Write};
//! use std::net::TcpStream;
//!
//! use countersign::{ClientCredentials, Request, Signer, TokenResponse};
//! use countersign_provider::{DEFAULT_CONSUMER_KEY, DEFAULT_CONSUMER_SECRET, LocalProvider};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let provider = LocalProvider::builder().auto_approve(true).start_blocking()?;
//! let client = ClientCredentials::new(DEFAULT_CONSUMER_KEY, DEFAULT_CONSUMER_SECRET);
//! let url = provider.url("/oauth/request_token");
//! let header = Signer::new(&client)
//!     .callback("oob")
//!     .timestamp(countersign::clock::Clock::now(&countersign::clock::SystemClock))
//!     .nonce("n0nce")
//!     .sign(&Request::post(&url))?
//!     .to_authorization();
//!
//! let mut stream = TcpStream::connect(provider.local_addr())?;
//! write!(
//!     stream,
//!     "POST /oauth/request_token HTTP/1.1\r\nHost: {}\r\nUser-Agent: doc-test\r\n\
//!      Authorization: {}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
//!     provider.local_addr(),
//!     header.as_str()
//! )?;
//! let mut answer = String::new();
//! stream.read_to_string(&mut answer)?;
//! let (head, body) = answer.split_once("\r\n\r\n").unwrap();
//! assert!(head.starts_with("HTTP/1.1 200 OK"));
//! assert!(head.contains("x-discogs-ratelimit: 60"));
//! let temporary = TokenResponse::parse_temporary(body.as_bytes())?;
//! assert_eq!(temporary.token().len(), 32);
//! # Ok(())
//! # }
//! ```
//!
//! ## Security
//!
//! - The local provider speaks plain HTTP and refuses to listen anywhere but loopback. It is a
//!   test double, not a production server: its state lives in memory and its single user is
//!   always signed in.
//! - Unknown consumers, unknown tokens and wrong signatures get the same answer after the same
//!   work; the precise reason goes only to the log hooks ([`VerifyLayer::on_reject`],
//!   [`Builder::on_refusal`]), and never contains a secret.
//! - Nonces are recorded only for authenticated requests, so unauthenticated traffic cannot fill
//!   the bounded nonce store; a full store refuses (503) rather than forgets.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod clock;
mod layer;
mod local;
mod random;

pub use clock::ManualClock;
pub use layer::{
    DEFAULT_MAX_FORM_BODY, DEFAULT_NONCE_CAPACITY, LayerBody, VerifiedBody, VerifyLayer,
    VerifyService,
};
pub use local::{
    BlockingProviderHandle, Builder, Consumer, DEFAULT_CONSUMER_KEY, DEFAULT_CONSUMER_NAME,
    DEFAULT_CONSUMER_SECRET, DEFAULT_REQUEST_TOKEN_LIFETIME, DEFAULT_USER_ID, DEFAULT_USERNAME,
    LocalProvider, ProviderHandle, RateLimit, Refusal, User,
};
