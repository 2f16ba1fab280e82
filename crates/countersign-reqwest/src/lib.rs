//! # countersign-reqwest
//!
//! [countersign]'s OAuth 1.0a over [reqwest]: the core describes and parses, this
//! crate sends. It signs reqwest requests, drives the three-legged flow, and covers the four
//! Discogs credential modes, async, and over `reqwest::blocking` with the `blocking` feature.
//! The core is re-exported as [`countersign`], reqwest as [`reqwest`](mod@reqwest) (and
//! `reqwest-middleware` as `reqwest_middleware` with the `middleware` feature), so the versions
//! always match.
//!
//! ## Signing requests
//!
//! An [`Authenticator`] holds one credential mode ([`DiscogsAuth`](countersign::discogs::DiscogsAuth):
//! none, consumer key/secret, personal token, or OAuth 1.0a access credentials), a clock and a
//! nonce source. It signs a [`reqwest::Request`] in place ([`Authenticator::sign`]), a
//! [`reqwest::RequestBuilder`] ([`RequestBuilderExt`]), or every request of a
//! `reqwest-middleware` client ([`middleware::SigningMiddleware`], feature `middleware`).
//!
//! ```
//! use countersign_reqwest::countersign::discogs::DiscogsAuth;
//! use countersign_reqwest::countersign::{ClientCredentials, Signer, TokenCredentials};
//! use countersign_reqwest::{Authenticator, RequestBuilderExt};
//!
//! let client = ClientCredentials::new("consumer-key", "consumer-secret");
//! let token = TokenCredentials::new("access-token", "token-secret");
//! let signer = Signer::new(&client).token(&token).prepare()?;
//! let auth = Authenticator::new(DiscogsAuth::OAuth(signer)).user_agent("MyApp/1.0");
//!
//! let http = countersign_reqwest::http_client_builder().build().map_err(countersign_reqwest::Error::Transport)?;
//! let (_http, request) = http
//!     .post("https://api.discogs.com/users/example/wants/1")
//!     .header("content-type", "application/x-www-form-urlencoded")
//!     .body("notes=mint+only")
//!     .build_signed(&auth)?;
//! let header = request.headers()["authorization"].to_str().unwrap();
//! assert!(header.starts_with("OAuth oauth_consumer_key=\"consumer-key\", oauth_token=\"access-token\""));
//! assert!(request.headers()["authorization"].is_sensitive());
//! # Ok::<(), countersign_reqwest::Error>(())
//! ```
//!
//! ## The three-legged flow
//!
//! A [`Client`] drives the core's typestate ([`countersign::flow`]) over HTTP. The call order:
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
//! use countersign_reqwest::countersign::flow::{CallbackMode, ProviderConfig};
//! use countersign_reqwest::countersign::ClientCredentials;
//! use countersign_reqwest::{Approval, Client};
//!
//! # async fn run() -> Result<(), countersign_reqwest::Error> {
//! let client = Client::new(
//!     ProviderConfig::discogs("MyCollectionApp/1.0 +https://example.org"),
//!     ClientCredentials::new("consumer-key", "consumer-secret"),
//! )?;
//! let pending = client
//!     .request_token(CallbackMode::url("https://myapp.example/callback"))
//!     .await?;
//! // Redirect the user to pending.authorize_url(); they come back to the callback:
//! let came_back_to = "https://myapp.example/callback?oauth_token=...&oauth_verifier=...";
//! let session = client.access_token(pending, Approval::Callback(came_back_to)).await?;
//! println!("hello, {}", client.identity(&session).await?.username);
//! # Ok(())
//! # }
//! ```
//!
//! ## Discogs
//!
//! `ProviderConfig::discogs(user_agent)` is the Discogs preset: its endpoints, and the
//! User-Agent that Discogs demands on every request, which the [`Client`] and the
//! [`Authenticator`]s it hands out ([`Client::authenticator`]) set on every request. Every
//! [`Response`] exposes Discogs' rate-limit headers ([`Response::rate_limit`]; on reqwest's own
//! responses through [`ResponseExt`]). [`Client::send_with`] sends any request with any of the
//! four credential modes, in the header or the query
//! ([`Placement`](countersign::discogs::Placement)).
//!
//! ## Clock skew
//!
//! One retry, as the core's policy ([`countersign::skew`]) says: after a 401 whose `Date` is more
//! than [`DEFAULT_THRESHOLD`](countersign::skew::DEFAULT_THRESHOLD) seconds away from the
//! timestamp sent, the request is signed again with a fresh nonce and the corrected timestamp, and
//! sent once more. Never a third time; no retry for any other reason. The offset is kept
//! ([`Client::clock_offset`]) and corrects later timestamps.
//!
//! ## Security
//!
//! - `Authorization` headers are marked sensitive, so reqwest never prints them and HTTP/2 never
//!   indexes them.
//! - PLAINTEXT and the Discogs key/secret and token modes are refused over `http://` unless the
//!   host is loopback (the core's rule).
//! - Redirects: the [`Client`]'s default HTTP client ([`http_client_builder`]) follows none: a
//!   3xx comes back as the answer. Clients you build yourself use reqwest's policy, which drops
//!   `Authorization` (and cookies) on a redirect to another host, port or scheme, but keeps it on a
//!   same-host redirect.
//! - Credentials in the query ([`Placement::Query`](countersign::discogs::Placement::Query)) are
//!   part of the URL: reqwest, by default, sends the previous URL as `Referer` when it follows a
//!   redirect, to whatever host that is. [`http_client_builder`] turns `Referer` off; on clients
//!   you build yourself, call `.referer(false)`, or keep credentials in the header (the default).
//! - [`Error`]'s `Debug` and `Display` never show a secret: transport errors have their URL's
//!   credential parameters redacted, and body excerpts the values of secret parameters.
//!
//! ## Features
//!
//! - `rustls-ring` (default): TLS by rustls with the ring provider, no system OpenSSL. reqwest
//!   then needs a process-wide rustls provider: [`http_client_builder`] installs ring when none
//!   is installed, so build your own reqwest clients from it, or install a provider yourself.
//!   For aws-lc or native-tls, turn this feature off and turn on reqwest's `rustls` or
//!   `native-tls` feature in your own dependency on reqwest.
//! - `blocking`: [`blocking::Client`] and [`blocking::RequestBuilderExt`].
//! - `middleware`: [`middleware::SigningMiddleware`] for `reqwest-middleware`.
//! - `http2`: reqwest's HTTP/2.
//! - `serde`: the core's `serde` (flow states and credentials).

#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub use countersign;
pub use reqwest;
#[cfg(feature = "middleware")]
pub use reqwest_middleware;

#[cfg(feature = "blocking")]
pub mod blocking;
mod client;
mod error;
#[cfg(feature = "middleware")]
pub mod middleware;
mod response;
mod sign;

pub use client::{Approval, Client, ClientBuilder};
pub use error::Error;
pub use response::{Response, ResponseExt};
pub use sign::{Authenticator, RequestBuilderExt};

/// Seconds to wait for a connection.
const CONNECT_TIMEOUT: u64 = 10;
/// Seconds to wait for a whole exchange.
const TIMEOUT: u64 = 60;

/// A `reqwest::ClientBuilder` set up as [`Client`] uses it: redirects not followed (a 3xx is an
/// answer), no `Referer` (should you turn redirects on, reqwest's `Referer` would carry the
/// previous URL, query credentials included, to the next host), a 10-second connect timeout and a
/// 60-second overall timeout. With `rustls-ring`,
/// installs ring as rustls' process-wide default provider first, unless one is installed.
///
/// ```
/// let http = countersign_reqwest::http_client_builder()
///     .build()
///     .expect("a TLS backend");
/// # drop(http);
/// ```
pub fn http_client_builder() -> reqwest::ClientBuilder {
    install_crypto_provider();
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .referer(false)
        .connect_timeout(std::time::Duration::from_secs(CONNECT_TIMEOUT))
        .timeout(std::time::Duration::from_secs(TIMEOUT))
}

/// Installs ring as rustls' process-wide provider, unless a provider is installed.
fn install_crypto_provider() {
    #[cfg(feature = "rustls-ring")]
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        // Losing a race with another installer is fine: a provider is installed either way.
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}
