//! # countersign-ureq
//!
//! [countersign]'s OAuth 1.0a over [ureq] 3, which speaks the `http` crate's types: the core
//! decides, this crate moves the bytes. It is a transport ([`UreqTransport`]) for the core's
//! blocking client, so that [`Client`] drives the three-legged flow and sends signed API calls;
//! and a ureq middleware ([`middleware::SigningMiddleware`]) signs every request of an agent.
//! Synchronous, like ureq. The core is re-exported as [`countersign`], ureq as
//! [`ureq`](mod@ureq), so the versions always match.
//!
//! ## The three-legged flow
//!
//! [`Client`] is the core's blocking [`Client`](countersign::client::Client) over ureq. The
//! call order:
//!
//! 1. [`request_token`](countersign::client::Client::request_token) with a callback URL or
//!    [`CallbackMode::OutOfBand`](countersign::flow::CallbackMode::OutOfBand): an
//!    [`Authorize`](countersign::flow::Authorize) state. Keep it on the server side (it holds
//!    secrets; it serializes with the `serde` feature).
//! 2. Send the user to its [`authorize_url`](countersign::flow::Authorize::authorize_url).
//! 3. [`access_token`](countersign::client::Client::access_token) with the user's
//!    [`Approval`](countersign::flow::Approval): a [`Session`](countersign::flow::Session).
//! 4. [`identity`](countersign::client::Client::identity), and
//!    [`send`](countersign::client::Client::send) for any API request.
//!
//! Against the local provider of countersign-provider, offline:
//!
//! ```
//! use countersign_ureq::countersign::flow::{Approval, CallbackMode};
//! use countersign_ureq::countersign::{discogs, ClientCredentials};
//! use countersign_ureq::Client;
//! use countersign_provider::{LocalProvider, DEFAULT_CONSUMER_KEY, DEFAULT_CONSUMER_SECRET};
//!
//! let provider = LocalProvider::builder().auto_approve(true).start_blocking()?;
//! let profile = discogs::profile_at(provider.base_url(), provider.base_url(), "MyApp/1.0")?;
//! let mut client = Client::new(
//!     profile,
//!     ClientCredentials::new(DEFAULT_CONSUMER_KEY, DEFAULT_CONSUMER_SECRET),
//! );
//! let pending = client.request_token(CallbackMode::url("http://127.0.0.1:9/cb"))?;
//! // The user approves; the local provider approves by itself and redirects to the callback.
//! let approved = countersign_ureq::agent().get(&pending.authorize_url()).call()?;
//! let came_back_to = approved.headers()["location"].to_str()?.to_owned();
//! let session = client.access_token(pending, Approval::Callback(&came_back_to))?;
//! assert_eq!(client.identity(&session)?.username, "example");
//!
//! let search = http::Request::get(provider.url("/database/search?q=blue+train")).body(())?;
//! let found = client.send(&session, search)?.error_for_status()?;
//! println!("{:?}: {}", found.rate_limit(), found.text()?);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! For Discogs itself, the profile is `discogs::profile("MyApp/1.0 +https://myapp.example")?`.
//!
//! ## Security
//!
//! - `Authorization` headers are marked sensitive.
//! - PLAINTEXT and credentials sent as they are (a consumer key, a personal token) are refused
//!   over `http://` unless the host is loopback (the core's rule).
//! - Redirects: the transport follows none; the core's exchange follows same-origin ones,
//!   re-signed, and never sends credentials to another origin. Elsewhere ureq's default,
//!   `RedirectAuthHeaders::Never`, drops `Authorization` on every redirect. Do not switch an
//!   agent that carries credentials to `RedirectAuthHeaders::SameHost`: it compares hosts only,
//!   so it keeps `Authorization` on a redirect to another port of the same host.
//! - Errors never show a secret: URLs that ureq quotes have their credential parameters
//!   redacted, and body excerpts the values of secret parameters.
//! - Proxies: the transport never sends a request to a loopback host through a proxy, whatever
//!   the agent; [`agent()`]'s proxy from the environment has the loopback hosts in its
//!   `NO_PROXY` list too. The http:// exemption for loopback holds only because such a request
//!   never leaves the machine. The [`middleware::SigningMiddleware`] cannot change the agent's
//!   proxy, so an agent of your own with a proxy (ureq's defaults take one from `HTTP_PROXY` or
//!   `ALL_PROXY`) sends it every `http://` request the middleware signs, credentials in the
//!   clear, loopback ones included. Exempt loopback in that proxy's `NO_PROXY` list, or build
//!   the agent with `.proxy(None)`.
//! - Bodies are read up to ureq's limit, 10 MB; a longer answer is a transport error.
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

pub mod middleware;
mod proxy;

use countersign::clock::SystemClock;
use countersign::nonce::NonceGenerator;

pub use proxy::{agent, agent_with_proxy};

/// The core's blocking client over ureq: see the crate docs.
pub type Client<C = SystemClock, N = NonceGenerator> =
    countersign::client::Client<UreqTransport, C, N>;

/// What can go wrong: the provider answered (and not with what was asked), ureq failed, or the
/// core refused. ureq's errors have the credentials in the URLs they quote redacted.
pub type Error = countersign::client::Error<ureq::Error>;

/// An answer read in full, whatever its status: status, headers, body, Discogs' rate limits;
/// `error_for_status` returns this crate's [`Error`].
pub type Response = countersign::client::ClientResponse<ureq::Error>;

/// ureq as the core's [`Transport`](countersign::client::Transport): runs each request the core
/// hands out on its agent, reads the answer, hands it back.
///
/// Whatever the agent's configuration, requests run with `http_status_as_error` off (a 4xx is an
/// answer, whose `Date` the clock-skew rule reads), no redirects (the core decides which to
/// follow), and no proxy for a loopback host.
#[derive(Clone, Debug)]
pub struct UreqTransport {
    agent: ureq::Agent,
}

impl UreqTransport {
    /// Over `agent`. Its proxy still gets every `http://` request to hosts that are not
    /// loopback (with `dangerous_allow_insecure_http`), credentials in the clear.
    #[must_use]
    pub fn new(agent: ureq::Agent) -> Self {
        Self { agent }
    }

    /// The agent.
    #[must_use]
    pub fn agent(&self) -> &ureq::Agent {
        &self.agent
    }
}

impl Default for UreqTransport {
    /// Over [`agent()`].
    fn default() -> Self {
        Self::new(agent())
    }
}

impl countersign::client::Transport for UreqTransport {
    type Response = http::Response<Vec<u8>>;
    type Error = ureq::Error;

    fn send(
        &mut self,
        request: http::Request<Vec<u8>>,
    ) -> Result<http::Response<Vec<u8>>, ureq::Error> {
        let (parts, body) = request.into_parts();
        let response = match body.is_empty() {
            false => self.run(http::Request::from_parts(parts, body.as_slice())),
            // No body at all: a `Content-Length: 0` the exchange set goes as it is.
            true => self.run(http::Request::from_parts(parts, ())),
        };
        let (parts, mut body) = response.map_err(redact)?.into_parts();
        let bytes = body.read_to_vec().map_err(redact)?;
        Ok(http::Response::from_parts(parts, bytes))
    }
}

impl UreqTransport {
    fn run(
        &self,
        request: http::Request<impl ureq::AsSendBody>,
    ) -> Result<http::Response<ureq::Body>, ureq::Error> {
        let loopback = request
            .uri()
            .host()
            .is_some_and(countersign::transport::is_loopback_host);
        let mut config = self.agent.configure_request(request);
        config = config.http_status_as_error(false).max_redirects(0);
        if loopback {
            // Never through a proxy: the core lets secrets go in the clear over `http://` to a
            // loopback host only because they then never leave the machine.
            config = config.proxy(None);
        }
        self.agent.run(config.build())
    }
}

/// ureq's error, with the values of secret-named query parameters in the URLs it quotes (`?token=`,
/// `?secret=`) redacted.
pub(crate) fn redact(error: ureq::Error) -> ureq::Error {
    let url = |text: String| countersign::response::redact_secrets(&text);
    match error {
        ureq::Error::BadUri(uri) => ureq::Error::BadUri(url(uri)),
        ureq::Error::RequireHttpsOnly(uri) => ureq::Error::RequireHttpsOnly(url(uri)),
        ureq::Error::ConnectProxyFailed(uri) => ureq::Error::ConnectProxyFailed(url(uri)),
        other => other,
    }
}
