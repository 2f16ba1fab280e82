//! # countersign-ureq
//!
//! [countersign]'s OAuth 1.0a over [ureq] 3, which speaks the `http` crate's types:
//! the core describes and parses, this crate sends. It signs `http::Request`s, signs every
//! request of an agent with a ureq middleware, drives the three-legged flow, and covers the four
//! Discogs credential modes. Synchronous, like ureq. The core is re-exported as [`countersign`],
//! ureq as [`ureq`](mod@ureq), so the versions always match.
//!
//! ## Signing requests
//!
//! An [`Authenticator`] holds one credential mode ([`DiscogsAuth`](countersign::discogs::DiscogsAuth):
//! none, consumer key/secret, personal token, or OAuth 1.0a access credentials), a clock and a
//! nonce source. It signs an `http::Request` in place ([`Authenticator::sign`]), signs and runs
//! one on an agent with the clock-skew retry ([`Authenticator::send`]), or signs every request of
//! an agent ([`middleware::SigningMiddleware`]).
//!
//! ```
//! use countersign_ureq::countersign::discogs::DiscogsAuth;
//! use countersign_ureq::countersign::{ClientCredentials, Signer, TokenCredentials};
//! use countersign_ureq::Authenticator;
//!
//! let client = ClientCredentials::new("consumer-key", "consumer-secret");
//! let token = TokenCredentials::new("access-token", "token-secret");
//! let signer = Signer::new(&client).token(&token).prepare()?;
//! let auth = Authenticator::new(DiscogsAuth::OAuth(signer)).user_agent("MyApp/1.0");
//!
//! let mut request = http::Request::post("https://api.discogs.com/users/example/wants/1")
//!     .header("content-type", "application/x-www-form-urlencoded")
//!     .body(b"notes=mint+only".to_vec())?;
//! auth.sign(&mut request)?;
//! let header = request.headers()["authorization"].to_str()?;
//! assert!(header.starts_with("OAuth oauth_consumer_key=\"consumer-key\", oauth_token=\"access-token\""));
//! assert!(request.headers()["authorization"].is_sensitive());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## The three-legged flow
//!
//! A [`Client`] drives the core's typestate ([`countersign::flow`]) over ureq. The call order:
//!
//! 1. [`Client::request_token`] with a callback URL or [`CallbackMode::OutOfBand`]: an
//!    [`Authorize`] state.
//! 2. Send the user to [`Authorize::authorize_url`]. Keep the `Authorize` state on the server
//!    side (it holds secrets; it serializes with the `serde` feature).
//! 3. [`Client::access_token`] with the [`Approval`]: the callback URL the user came back to, or
//!    the verifier they pasted. A [`Session`] with the access credentials.
//! 4. [`Client::identity`], and [`Client::send`] for any API request signed with the session.
//!
//! [`CallbackMode::OutOfBand`]: countersign::flow::CallbackMode::OutOfBand
//! [`Authorize`]: countersign::flow::Authorize
//! [`Authorize::authorize_url`]: countersign::flow::Authorize::authorize_url
//! [`Session`]: countersign::flow::Session
//!
//! ```no_run
//! use countersign_ureq::countersign::flow::{CallbackMode, ProviderConfig};
//! use countersign_ureq::countersign::ClientCredentials;
//! use countersign_ureq::{Approval, Client};
//!
//! let client = Client::new(
//!     ProviderConfig::discogs("MyCollectionApp/1.0 +https://example.org"),
//!     ClientCredentials::new("consumer-key", "consumer-secret"),
//! );
//! let pending = client.request_token(CallbackMode::url("https://myapp.example/callback"))?;
//! // Redirect the user to pending.authorize_url(); they come back to the callback:
//! let came_back_to = "https://myapp.example/callback?oauth_token=...&oauth_verifier=...";
//! let session = client.access_token(pending, Approval::Callback(came_back_to))?;
//! println!("hello, {}", client.identity(&session)?.username);
//! # Ok::<(), countersign_ureq::Error>(())
//! ```
//!
//! ## Discogs
//!
//! `ProviderConfig::discogs(user_agent)` is the Discogs preset: its endpoints, and the
//! User-Agent that Discogs demands on every request, which the [`Client`] and the
//! [`Authenticator`]s it hands out ([`Client::authenticator`]) set on every request. Every
//! [`Response`] exposes Discogs' rate-limit headers ([`Response::rate_limit`]; on any
//! `http::Response` through [`ResponseExt`]). [`Client::send_with`] sends any request with any of
//! the four credential modes, in the header or the query
//! ([`Placement`](countersign::discogs::Placement)).
//!
//! ## Clock skew
//!
//! One retry, as the core's policy ([`countersign::skew`]) says: after a 401 whose `Date` is more
//! than [`DEFAULT_THRESHOLD`](countersign::skew::DEFAULT_THRESHOLD) seconds away from the
//! timestamp sent, the request is signed again with a fresh nonce and the corrected timestamp, and
//! sent once more. Never a third time; no retry for any other reason. The offset is kept
//! ([`Client::clock_offset`]) and corrects later timestamps. The middleware cannot resend (ureq
//! runs the chain once), so it only learns the offset for the next request.
//!
//! ## Security
//!
//! - `Authorization` headers are marked sensitive.
//! - PLAINTEXT and the Discogs key/secret and token modes are refused over `http://` unless the
//!   host is loopback (the core's rule).
//! - Redirects: the [`Client`] follows none: a 3xx comes back as the answer. Elsewhere ureq's
//!   default, `RedirectAuthHeaders::Never`, drops `Authorization` on every redirect. Do not switch
//!   an agent that carries credentials to `RedirectAuthHeaders::SameHost`: it compares hosts
//!   only, so it keeps `Authorization` on a redirect to another port of the same host.
//! - [`Error`]'s `Debug` and `Display` never show a secret: URLs that ureq quotes have their
//!   credential parameters redacted, and body excerpts the values of secret parameters.
//! - Proxies: the requests this crate runs ([`Client`]'s, [`Authenticator::send`]) never go
//!   through a proxy to a loopback host, whatever the agent; [`agent()`]'s proxy from the
//!   environment has the loopback hosts in its `NO_PROXY` list too. The http:// exemption for
//!   loopback holds only because such a request never leaves the machine. The
//!   [`middleware::SigningMiddleware`] cannot change the agent's proxy, so an agent of your own
//!   with a proxy (ureq's defaults take one from `HTTP_PROXY` or `ALL_PROXY`) sends it every
//!   `http://` request the middleware signs, credentials in the clear, loopback ones included.
//!   Exempt loopback in that proxy's `NO_PROXY` list, or build the agent with `.proxy(None)`.
//! - Bodies are read up to ureq's limit, 10 MB; a longer answer is a [`Error::Transport`].
//!
//! ## Features
//!
//! - `rustls` (default): ureq's TLS by rustls with ring and the webpki roots, no system
//!   OpenSSL. For native-tls or the platform verifier, turn it off and turn on ureq's own
//!   features in your dependency on ureq.
//! - `serde`: the core's `serde` (flow states and credentials).

#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub use countersign;
pub use ureq;

mod client;
mod error;
pub mod middleware;
mod response;
mod run;
mod sign;

/// The integration tests' loopback server (`tests/common/canned.rs`), for the unit tests too.
#[cfg(test)]
#[path = "../tests/common/canned.rs"]
mod canned;

pub use client::{Approval, Client, ClientBuilder, agent};
pub use error::Error;
pub use response::{Response, ResponseExt};
pub use sign::{Authenticator, SignableBody};
