//! # countersign-reqwest
//!
//! [countersign]'s OAuth 1.0a over [reqwest](mod@reqwest): the core decides, this crate moves the
//! bytes. It is a transport ([`ReqwestTransport`]) for the core's client, so that
//! [`Client`] (async) and `blocking::Client` (feature `blocking`) drive the three-legged flow
//! and send signed API calls; and it signs reqwest's own requests ([`RequestBuilderExt`], and
//! the `middleware` module for `reqwest-middleware`, feature `middleware`). The core is re-exported as
//! [`countersign`], reqwest as [`reqwest`](mod@reqwest), so the versions always match.
//!
//! ## The three-legged flow
//!
//! [`Client`] is the core's [`AsyncClient`](countersign::client::AsyncClient) over reqwest.
//! The call order:
//!
//! 1. [`request_token`](countersign::client::AsyncClient::request_token) with a callback URL or
//!    [`CallbackMode::OutOfBand`](countersign::flow::CallbackMode::OutOfBand): an
//!    [`Authorize`](countersign::flow::Authorize) state. Keep it on the server side (it holds
//!    secrets; it serializes with the `serde` feature).
//! 2. Send the user to its [`authorize_url`](countersign::flow::Authorize::authorize_url).
//! 3. [`access_token`](countersign::client::AsyncClient::access_token) with the user's
//!    [`Approval`](countersign::flow::Approval): a [`Session`](countersign::flow::Session).
//! 4. [`identity`](countersign::client::AsyncClient::identity), and
//!    [`send`](countersign::client::AsyncClient::send) for any API request.
//!
//! Against the local provider of countersign-provider, offline:
//!
//! ```
//! use countersign_reqwest::countersign::flow::{Approval, CallbackMode};
//! use countersign_reqwest::countersign::{discogs, ClientCredentials};
//! use countersign_reqwest::Client;
//! use countersign_provider::{LocalProvider, DEFAULT_CONSUMER_KEY, DEFAULT_CONSUMER_SECRET};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let provider = LocalProvider::builder().auto_approve(true).start().await?;
//! let profile = discogs::profile_at(provider.base_url(), provider.base_url(), "MyApp/1.0")?;
//! let mut client = Client::new(
//!     profile,
//!     ClientCredentials::new(DEFAULT_CONSUMER_KEY, DEFAULT_CONSUMER_SECRET),
//! );
//! let pending = client.request_token(CallbackMode::url("http://127.0.0.1:9/cb")).await?;
//! // The user's browser: the local provider approves by itself and redirects to the callback.
//! let approved = client
//!     .transport()
//!     .http()
//!     .get(pending.authorize_url())
//!     .header("user-agent", "Browser/1.0")
//!     .send()
//!     .await?;
//! let came_back_to = approved.headers()["location"].to_str()?.to_owned();
//! let session = client.access_token(pending, Approval::Callback(&came_back_to)).await?;
//! assert_eq!(client.identity(&session).await?.username, "example");
//!
//! let search = http::Request::get(provider.url("/database/search?q=blue+train")).body(())?;
//! let found = client.send(&session, search).await?.error_for_status()?;
//! println!("{:?}: {}", found.rate_limit(), found.text()?);
//! # Ok(())
//! # }
//! ```
//!
//! For Discogs itself, the profile is `discogs::profile("MyApp/1.0 +https://myapp.example")?`.
//!
//! ## Signing reqwest's requests
//!
//! An [`Authenticator`](countersign::auth::Authenticator) holds one credential mode (none,
//! consumer key, personal token, OAuth 1.0a) with its provider's rules.
//! [`RequestBuilderExt::build_signed`] signs a request of reqwest's with it; the [`Client`]'s
//! [`send_with`](countersign::client::AsyncClient::send_with) sends a request with it as one
//! exchange (the clock-skew retry, same-origin redirects), and so does the middleware for
//! every request of a `reqwest-middleware` client.
//!
//! ```
//! use countersign_reqwest::countersign::auth::Auth;
//! use countersign_reqwest::countersign::{discogs, ClientCredentials, Signer, TokenCredentials};
//! use countersign_reqwest::RequestBuilderExt;
//!
//! let client = ClientCredentials::new("consumer-key", "consumer-secret");
//! let token = TokenCredentials::new("access-token", "token-secret");
//! let signer = Signer::new(&client).token(&token).prepare()?;
//! let auth = discogs::profile("MyApp/1.0")?.authenticator(Auth::OAuth(signer));
//!
//! let http = countersign_reqwest::http_client_builder().build()?;
//! let (_http, request) = http
//!     .post("https://api.discogs.com/users/example/wants/1")
//!     .header("content-type", "application/x-www-form-urlencoded")
//!     .body("notes=mint+only")
//!     .build_signed(&auth)?;
//! let header = request.headers()["authorization"].to_str()?;
//! assert!(header.starts_with("OAuth oauth_consumer_key=\"consumer-key\", oauth_token=\"access-token\""));
//! assert!(request.headers()["authorization"].is_sensitive());
//! assert_eq!(request.headers()["user-agent"], "MyApp/1.0");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Security
//!
//! - `Authorization` headers are marked sensitive, so reqwest never prints them and HTTP/2 never
//!   indexes them.
//! - PLAINTEXT and credentials sent as they are (a consumer key, a personal token) are refused
//!   over `http://` unless the host is loopback (the core's rule).
//! - Redirects: [`http_client_builder`]'s clients follow none themselves; the core's exchange
//!   follows same-origin ones, re-signed, and never sends credentials to another origin.
//!   Clients you build yourself use reqwest's policy, which drops `Authorization` (and cookies)
//!   on a redirect to another host, port or scheme, but keeps it on a same-host redirect.
//! - Credentials in the query are part of the URL: reqwest, by default, sends the previous URL as
//!   `Referer` when it follows a redirect, to whatever host that is. [`http_client_builder`]
//!   turns `Referer` off; on clients you build yourself, call `.referer(false)`, or keep
//!   credentials in the header (the default).
//! - Errors never show a secret: transport errors have their URL's credential parameters
//!   redacted (the middleware's too), and body excerpts the values of secret parameters.
//! - Proxies: [`http_client_builder`] takes them from the environment as reqwest does, but never
//!   for a loopback host: the http:// exemption for loopback holds only because such a request
//!   never leaves the machine. A client you build yourself (reqwest's defaults take a proxy from
//!   `HTTP_PROXY` or `ALL_PROXY`) sends every `http://` request through its proxy, credentials in
//!   the clear, loopback ones included: give that proxy a `NO_PROXY` list with
//!   `localhost,127.0.0.0/8,::1`, or call `.no_proxy()`.
//! - Answers are read into memory up to 10 MiB, as with ureq; a longer body stops the read with
//!   [`TransportError::BodyTooLarge`].
//!
//! ## Features
//!
//! - `rustls-ring` (default): TLS by rustls with the ring provider, no system OpenSSL. reqwest
//!   then needs a process-wide rustls provider: [`http_client_builder`] installs ring when none
//!   is installed, so build your own reqwest clients from it, or install a provider yourself.
//!   For aws-lc or native-tls, turn this feature off and turn on reqwest's `rustls` or
//!   `native-tls` feature in your own dependency on reqwest.
//! - `blocking`: the same over `reqwest::blocking`.
//! - `middleware`: a signing middleware for `reqwest-middleware`.
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
mod error;
#[cfg(feature = "middleware")]
pub mod middleware;
mod sign;

use countersign::clock::SystemClock;
use countersign::nonce::NonceGenerator;

pub use error::TransportError;
pub use sign::RequestBuilderExt;

/// The core's async client over reqwest: see the crate docs.
pub type Client<C = SystemClock, N = NonceGenerator> =
    countersign::client::AsyncClient<ReqwestTransport, C, N>;

/// What can go wrong: the provider answered (and not with what was asked), reqwest failed, or
/// the core refused.
pub type Error = countersign::client::Error<TransportError>;

/// An answer read in full, whatever its status: status, headers, body, Discogs' rate limits;
/// `error_for_status` returns this crate's [`Error`].
pub type Response = countersign::client::ClientResponse<TransportError>;

/// Seconds to wait for a connection.
const CONNECT_TIMEOUT: u64 = 10;
/// Seconds to wait for a whole exchange.
const TIMEOUT: u64 = 60;
/// The most of an answer's body that is read: 10 MiB, as ureq's `read_to_vec`.
const MAX_BODY: u64 = 10 * 1024 * 1024;

/// reqwest as the core's [`AsyncTransport`](countersign::client::AsyncTransport): sends each
/// request the core hands out, reads the answer (up to 10 MiB), hands it back.
#[derive(Clone, Debug)]
pub struct ReqwestTransport {
    http: reqwest::Client,
}

impl ReqwestTransport {
    /// The reqwest client.
    #[must_use]
    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }
}

impl Default for ReqwestTransport {
    /// Over a client from [`http_client_builder`]. For an error rather than a panic when the TLS
    /// backend fails, `ReqwestTransport::from(http_client_builder().build()?)`.
    ///
    /// # Panics
    /// When the TLS backend fails to initialize, as `reqwest::Client::new` does.
    fn default() -> Self {
        let http = http_client_builder().build();
        Self::from(http.expect("the TLS backend failed to initialize"))
    }
}

impl From<reqwest::Client> for ReqwestTransport {
    /// Over `http`. Its redirect policy should follow none: the core decides which to follow,
    /// re-signed. Its proxies are yours: one that does not exempt loopback hosts gets their
    /// `http://` requests, credentials in the clear.
    fn from(http: reqwest::Client) -> Self {
        Self { http }
    }
}

impl countersign::client::AsyncTransport for ReqwestTransport {
    type Response = http::Response<Vec<u8>>;
    type Error = TransportError;

    async fn send(
        &mut self,
        request: http::Request<Vec<u8>>,
    ) -> Result<http::Response<Vec<u8>>, TransportError> {
        let mut response = self.http.execute(reqwest_request(request)?).await?;
        let mut body = Vec::new();
        check_length(response.content_length().unwrap_or(0))?;
        while let Some(chunk) = response.chunk().await? {
            check_length((body.len() + chunk.len()) as u64)?;
            body.extend_from_slice(&chunk);
        }
        let mut answer = http::Response::new(body);
        *answer.status_mut() = response.status();
        *answer.headers_mut() = response.headers().clone();
        Ok(answer)
    }
}

/// `request` for reqwest: an empty body is no body (the exchange set any `Content-Length: 0`).
fn reqwest_request(request: http::Request<Vec<u8>>) -> reqwest::Result<reqwest::Request> {
    let empty = request.body().is_empty();
    let mut request = reqwest::Request::try_from(request)?;
    if empty {
        *request.body_mut() = None;
    }
    Ok(request)
}

/// A body of `length` bytes is more than [`MAX_BODY`].
fn check_length(length: u64) -> Result<(), TransportError> {
    let too_large = TransportError::BodyTooLarge { limit: MAX_BODY };
    (length <= MAX_BODY).then_some(()).ok_or(too_large)
}

/// A `reqwest::ClientBuilder` set up as [`ReqwestTransport`] uses it: redirects not followed (a
/// 3xx is an answer, for the core to decide on), no `Referer` (it would carry the previous URL,
/// query credentials included, to the next host), a 10-second connect timeout and a 60-second
/// overall timeout. With `rustls-ring`, installs ring as rustls' process-wide default provider
/// first, unless one is installed.
///
/// Proxies come from the environment, as reqwest reads it (`HTTP_PROXY`, `HTTPS_PROXY`,
/// `ALL_PROXY`, lower case too, with `NO_PROXY`; none when `REQUEST_METHOD` is set, as in CGI),
/// except that loopback hosts never go through one: `localhost`, `127.0.0.0/8` and `::1` are
/// added to `NO_PROXY`. The operating system's proxy settings (reqwest's `system-proxy`
/// feature, macOS and Windows) are not read. To use a proxy of your own instead, call
/// `.no_proxy()` on the builder before `.proxy(...)`.
///
/// ```
/// let http = countersign_reqwest::http_client_builder().build().expect("a TLS backend");
/// # drop(http);
/// ```
pub fn http_client_builder() -> reqwest::ClientBuilder {
    http_client_builder_from(|name| std::env::var(name).ok())
}

/// [`http_client_builder`], with the environment read through `var`.
#[doc(hidden)]
pub fn http_client_builder_from(var: impl Fn(&str) -> Option<String>) -> reqwest::ClientBuilder {
    configure!(reqwest::Client::builder(), var)
}

/// Sets up a reqwest client builder (async or blocking) as [`http_client_builder`] says, with the
/// proxies the environment (read through `$var`) asks for.
macro_rules! configure {
    ($builder:expr, $var:expr) => {{
        crate::install_crypto_provider();
        let mut builder = $builder
            .redirect(reqwest::redirect::Policy::none())
            .referer(false)
            .connect_timeout(std::time::Duration::from_secs(crate::CONNECT_TIMEOUT))
            .timeout(std::time::Duration::from_secs(crate::TIMEOUT))
            // No proxy unless one of `env_proxies` is added: reqwest's own would proxy loopback.
            .no_proxy();
        for proxy in crate::env_proxies($var) {
            builder = builder.proxy(proxy);
        }
        builder
    }};
}
use configure;

/// Loopback hosts as [`countersign::transport::is_loopback_host`] sees them, in `NO_PROXY`
/// syntax: `localhost` (and its subdomains), `127.0.0.0/8`, `::1`, and IPv4-mapped loopback.
const LOOPBACK_NO_PROXY: &str = "localhost,localhost.,127.0.0.0/8,::1,::ffff:127.0.0.0/104";

/// `reqwest::Proxy::http`, `https` or `all`.
type MakeProxy = fn(String) -> reqwest::Result<reqwest::Proxy>;

/// The proxies the environment (read through `var`) asks for, as reqwest's own reading of it
/// would give them (for `http://`, `HTTP_PROXY` else `ALL_PROXY`; for `https://`, `HTTPS_PROXY`
/// else `ALL_PROXY`; upper case first; nothing in a CGI script, where `HTTP_PROXY` may come from
/// a request header), each with `NO_PROXY` and the loopback hosts as exceptions. A value that is
/// not a proxy URL is skipped, as reqwest does.
fn env_proxies(var: impl Fn(&str) -> Option<String>) -> Vec<reqwest::Proxy> {
    if var("REQUEST_METHOD").is_some() {
        return Vec::new();
    }
    let first = |names: [&str; 2]| names.into_iter().find_map(&var);
    let given = first(["NO_PROXY", "no_proxy"]).unwrap_or_default();
    let no_proxy = reqwest::NoProxy::from_string(&format!("{given},{LOOPBACK_NO_PROXY}"));
    let kinds: [(MakeProxy, [&str; 2]); 3] = [
        (reqwest::Proxy::http, ["HTTP_PROXY", "http_proxy"]),
        (reqwest::Proxy::https, ["HTTPS_PROXY", "https_proxy"]),
        (reqwest::Proxy::all, ["ALL_PROXY", "all_proxy"]),
    ];
    kinds
        .into_iter()
        .filter_map(|(make, names)| {
            let url = first(names).filter(|url| !url.trim().is_empty())?;
            Some(make(url).ok()?.no_proxy(no_proxy.clone()))
        })
        .collect()
}

/// Installs ring as rustls' process-wide provider, unless a provider is installed.
fn install_crypto_provider() {
    #[cfg(feature = "rustls-ring")]
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        // Losing a race with another installer is fine: a provider is installed either way.
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}
