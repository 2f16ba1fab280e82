//! The flow driver over ureq: [`Client`].

use std::fmt;
use std::time::Duration;

use countersign::clock::Clock;
use countersign::discogs::{DiscogsAuth, Placement};
use countersign::flow::{
    AccessToken, Authorize, CallbackMode, ProviderConfig, RequestToken, Session,
};
use countersign::identity::Identity;
use countersign::nonce::NonceSource;
use countersign::{ClientCredentials, OutgoingRequest};

use crate::run::{Redirects, run};
use crate::sign::{SignableBody, send};
use crate::{Authenticator, Error, Response};
use countersign::skew::Stamps;

/// How the user answered at the authorize URL: where the provider sent them back, or the code
/// they pasted (out of band).
///
/// `Debug` hides the value: both carry the verifier.
#[derive(Clone, Copy)]
#[non_exhaustive]
pub enum Approval<'a> {
    /// The callback URL the user arrived at (or its query string): `oauth_token` and
    /// `oauth_verifier`, or `denied`.
    Callback(&'a str),
    /// The verifier the user pasted, for the out-of-band (`oob`) flow.
    Verifier(&'a str),
}

impl Approval<'_> {
    fn apply(self, pending: Authorize, now: u64) -> Result<AccessToken, Error> {
        Ok(match self {
            Self::Callback(url) => pending.callback(url, now)?,
            Self::Verifier(code) => pending.verifier(code, now)?,
        })
    }
}

impl fmt::Debug for Approval<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Callback(_) => "Callback([redacted])",
            Self::Verifier(_) => "Verifier([redacted])",
        })
    }
}

/// A 2xx answer the core could not parse becomes [`Error::Parse`] with a (redacted) excerpt of
/// the body; every other error stays the core's.
fn finish<T>(response: &Response, parsed: Result<T, countersign::Error>) -> Result<T, Error> {
    parsed.map_err(|e| match e {
        countersign::Error::Provider(_) => Error::Core(e),
        e if response.status().is_success() => Error::parse(e, response.body()),
        e => Error::Core(e),
    })
}

/// Seconds to wait for a connection.
const CONNECT_TIMEOUT: u64 = 10;
/// Seconds to wait for a whole exchange.
const TIMEOUT: u64 = 60;

/// A ureq agent set up as [`Client`] uses it: 4xx and 5xx answers are responses (not errors),
/// redirects are not followed (a 3xx is an answer, and ureq never carries `Authorization` across
/// one anyway), a 10-second connect timeout and a 60-second overall timeout.
///
/// The proxy is ureq's, from the environment (`ALL_PROXY`, `HTTPS_PROXY`, `HTTP_PROXY`, with
/// `NO_PROXY`), except that loopback hosts never go through it: `localhost`, hosts starting with
/// `127.`, and `[::1]` are added to its `NO_PROXY` list. The core lets PLAINTEXT and the Discogs
/// key/secret and token modes go over `http://` to a loopback host only because the request then
/// never leaves the machine; through a proxy it would, secrets in the clear. (A SOCKS proxy is
/// kept as ureq read it; the requests this crate runs skip any proxy for loopback hosts anyway,
/// see the crate's Security section.)
///
/// ```
/// let agent = countersign_ureq::agent();
/// assert!(!agent.config().http_status_as_error());
/// assert_eq!(agent.config().max_redirects(), 0);
/// ```
#[must_use]
pub fn agent() -> ureq::Agent {
    let no_proxy = std::env::var("NO_PROXY")
        .or_else(|_| std::env::var("no_proxy"))
        .ok();
    agent_with_proxy(
        ureq::Proxy::try_from_env().map(|proxy| exempt_loopback(proxy, no_proxy.as_deref())),
    )
}

/// [`agent`]'s settings, with this proxy.
fn agent_with_proxy(proxy: Option<ureq::Proxy>) -> ureq::Agent {
    ureq::Agent::config_builder()
        .proxy(proxy)
        .http_status_as_error(false)
        .max_redirects(0)
        .timeout_connect(Some(Duration::from_secs(CONNECT_TIMEOUT)))
        .timeout_global(Some(Duration::from_secs(TIMEOUT)))
        .build()
        .into()
}

/// Loopback hosts, in ureq's `NO_PROXY` patterns (which match text: a trailing `.` makes a
/// prefix, so `localhost.` cannot be said). The requests this crate runs check with the core's
/// rule itself ([`countersign::transport::is_loopback_host`]), which also knows the rarer
/// spellings.
const LOOPBACK_NO_PROXY: [&str; 5] = [
    "localhost",
    "127.",
    "[::1]",
    "[0:0:0:0:0:0:0:1]",
    "[::ffff:127.",
];

/// `proxy` again, with `no_proxy`'s entries (the `NO_PROXY` the environment gave it: ureq's
/// [`Proxy`](ureq::Proxy) does not hand them back) and the loopback hosts as exceptions.
///
/// A SOCKS proxy comes back unchanged: rebuilt, it would no longer count as read from the
/// environment, and ureq panics on such a proxy when its `socks-proxy` feature is off.
fn exempt_loopback(proxy: ureq::Proxy, no_proxy: Option<&str>) -> ureq::Proxy {
    let protocol = proxy.protocol();
    if !matches!(
        protocol,
        ureq::ProxyProtocol::Http | ureq::ProxyProtocol::Https
    ) {
        return proxy;
    }
    let mut builder = ureq::Proxy::builder(protocol)
        .host(proxy.host())
        .port(proxy.port())
        .resolve_target(proxy.resolve_target());
    if let Some(username) = proxy.username() {
        builder = builder.username(username);
    }
    if let Some(password) = proxy.password() {
        builder = builder.password(password);
    }
    let given = no_proxy.unwrap_or_default().split(',').map(str::trim);
    for entry in given.chain(LOOPBACK_NO_PROXY).filter(|e| !e.is_empty()) {
        builder = builder.no_proxy(entry);
    }
    // Rebuilding what ureq parsed does not fail; if it ever did, the proxy stays as it was (and
    // the requests this crate runs still skip it for loopback hosts).
    builder.build().unwrap_or(proxy)
}

/// Drives the three-legged flow over ureq, and sends signed API requests.
///
/// Every request carries the provider's User-Agent. Time and nonces come from the system clock
/// and countersign's nonce generator unless the [`ClientBuilder`] is given others. After a 401
/// whose `Date` shows clock skew, a request is signed once more with the corrected time and a
/// fresh nonce and sent once more; the learned offset is kept ([`Client::clock_offset`]). There
/// is no other retry, and redirects are never followed: a 3xx is an answer like any other.
///
/// ```no_run
/// use countersign_ureq::countersign::flow::{CallbackMode, ProviderConfig};
/// use countersign_ureq::countersign::ClientCredentials;
/// use countersign_ureq::{Approval, Client};
///
/// let client = Client::new(
///     ProviderConfig::discogs("MyCollectionApp/1.0 +https://example.org"),
///     ClientCredentials::new("consumer-key", "consumer-secret"),
/// );
/// let pending = client.request_token(CallbackMode::OutOfBand)?;
/// println!("open {} and paste the code here", pending.authorize_url());
/// let session = client.access_token(pending, Approval::Verifier("the pasted code"))?;
/// println!("logged in as {}", client.identity(&session)?.username);
///
/// let request = http::Request::get("https://api.discogs.com/users/example/collection/folders").body(())?;
/// let folders = client.send(&session, request)?.error_for_status()?;
/// println!("{:?}: {}", folders.rate_limit(), folders.text().unwrap_or_default());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct Client {
    agent: ureq::Agent,
    config: ProviderConfig,
    credentials: ClientCredentials,
    stamps: Stamps,
}

/// Configures a [`Client`]: the agent, the clock, the nonce source, the skew threshold.
#[derive(Debug)]
#[must_use = "a builder does nothing until `build` is called"]
pub struct ClientBuilder {
    agent: Option<ureq::Agent>,
    config: ProviderConfig,
    credentials: ClientCredentials,
    stamps: Stamps,
}

impl ClientBuilder {
    /// The ureq agent to run requests on (default: [`agent()`](crate::agent)'s). Whatever its
    /// configuration, the client's requests run with `http_status_as_error` off, no redirects,
    /// and no proxy for a loopback host. Its proxy still gets every other `http://` request
    /// (with `ProviderConfig::dangerous_allow_insecure_http`), credentials in the clear.
    pub fn agent(mut self, agent: ureq::Agent) -> Self {
        self.agent = Some(agent);
        self
    }

    /// Where timestamps come from (default: the system clock).
    pub fn clock(mut self, clock: impl Clock + Send + Sync + 'static) -> Self {
        self.stamps.set_clock(clock);
        self
    }

    /// Where nonces come from (default: countersign's `NonceGenerator`).
    pub fn nonces(mut self, nonces: impl NonceSource + Send + 'static) -> Self {
        self.stamps.set_nonces(nonces);
        self
    }

    /// Clock offsets up to this many seconds never cause the clock-skew retry (default
    /// [`countersign::skew::DEFAULT_THRESHOLD`]).
    pub fn skew_threshold(mut self, seconds: u64) -> Self {
        self.stamps.set_threshold(seconds);
        self
    }

    /// Starts with a known clock offset (for example one saved from an earlier run).
    pub fn clock_offset(self, seconds: i64) -> Self {
        self.stamps.set_offset(seconds);
        self
    }

    /// The client.
    #[must_use]
    pub fn build(self) -> Client {
        Client {
            agent: self.agent.unwrap_or_else(agent),
            config: self.config,
            credentials: self.credentials,
            stamps: self.stamps,
        }
    }
}

impl Client {
    /// A client for `config`'s provider with these client credentials, and the defaults.
    #[must_use]
    pub fn new(config: ProviderConfig, credentials: ClientCredentials) -> Self {
        Self::builder(config, credentials).build()
    }

    /// A builder, to change the defaults.
    pub fn builder(config: ProviderConfig, credentials: ClientCredentials) -> ClientBuilder {
        ClientBuilder {
            agent: None,
            config,
            credentials,
            stamps: Stamps::default(),
        }
    }

    /// The provider configuration.
    #[must_use]
    pub fn config(&self) -> &ProviderConfig {
        &self.config
    }

    /// The ureq agent.
    #[must_use]
    pub fn agent(&self) -> &ureq::Agent {
        &self.agent
    }

    /// The provider's clock minus ours, in seconds, as learned from a clock-skew retry.
    #[must_use]
    pub fn clock_offset(&self) -> i64 {
        self.stamps.offset()
    }

    /// Now, in seconds since the Unix epoch, on the provider's clock as far as it is known.
    #[must_use]
    pub fn now(&self) -> u64 {
        self.stamps.now()
    }

    /// An [`Authenticator`] for `auth` that shares this client's clock, nonces and learned
    /// offset, with the provider's User-Agent: for the middleware, or
    /// [`Authenticator::send`].
    #[must_use]
    pub fn authenticator(&self, auth: DiscogsAuth) -> Authenticator {
        Authenticator::with_stamps(
            auth,
            self.config.configured_user_agent(),
            self.stamps.clone(),
        )
    }

    /// Step 1: gets a request token, and the state that knows where to send the user
    /// ([`Authorize::authorize_url`]).
    ///
    /// # Errors
    /// [`Error::Core`] for an invalid callback, an insecure transport, or the provider's
    /// non-2xx answer; [`Error::Transport`]; [`Error::Parse`] for a 2xx answer that is not a
    /// request token (or lacks `oauth_callback_confirmed=true`).
    pub fn request_token(&self, callback: CallbackMode) -> Result<Authorize, Error> {
        let flow = RequestToken::new(self.config.clone(), self.credentials.clone(), callback)?;
        let response = self.exchange(|ts, nonce| flow.request(ts, nonce))?;
        finish(&response, flow.receive(&response.as_core(), self.now()))
    }

    /// Step 2: exchanges the authorized request token for access credentials.
    ///
    /// # Errors
    /// [`Error::Core`] with [`countersign::FlowError::Denied`] when the user refused,
    /// [`countersign::FlowError::RequestTokenExpired`] past its lifetime,
    /// [`countersign::FlowError::TokenMismatch`] for a callback about another token, or the
    /// provider's non-2xx answer; [`Error::Transport`]; [`Error::Parse`].
    pub fn access_token(
        &self,
        pending: Authorize,
        approval: Approval<'_>,
    ) -> Result<Session, Error> {
        let next = approval.apply(pending, self.now())?;
        let response = self.exchange(|ts, nonce| next.request(ts, nonce))?;
        finish(&response, next.receive(&response.as_core(), self.now()))
    }

    /// Who the access credentials belong to: the provider's identity resource.
    ///
    /// # Errors
    /// [`Error::Core`] when the configuration has no identity URL or for the provider's non-2xx
    /// answer; [`Error::Transport`]; [`Error::Parse`] for JSON that is not an identity.
    pub fn identity(&self, session: &Session) -> Result<Identity, Error> {
        let response = self.exchange(|ts, nonce| session.identity_request(ts, nonce))?;
        finish(&response, Identity::from_response(&response.as_core()))
    }

    /// Renews expired access credentials with the session handle (the OAuth session extension).
    ///
    /// # Errors
    /// [`Error::Core`] with [`countersign::FlowError::NoSessionHandle`] when the provider gave none;
    /// otherwise as [`access_token`](Self::access_token).
    pub fn renew(&self, session: Session) -> Result<Session, Error> {
        let response = self.exchange(|ts, nonce| session.renewal_request(ts, nonce))?;
        let now = self.now();
        finish(&response, session.receive_renewal(&response.as_core(), now))
    }

    /// Sends an API request signed with the session's access credentials, and reads the answer
    /// (any status: see [`Response::error_for_status`]).
    ///
    /// # Errors
    /// As [`send_with`](Self::send_with).
    pub fn send<B: SignableBody>(
        &self,
        session: &Session,
        request: http::Request<B>,
    ) -> Result<Response, Error> {
        let auth = DiscogsAuth::OAuth(session.signer()?);
        let ua = session.config().configured_user_agent();
        send(
            &self.agent,
            &auth,
            Placement::Header,
            ua,
            &self.stamps,
            request,
            Redirects::None,
        )
    }

    /// Sends an API request with any of the four Discogs credential modes, and reads the answer
    /// (any status). OAuth requests get the clock-skew retry.
    ///
    /// # Errors
    /// As [`Authenticator::sign`]; [`Error::Transport`].
    pub fn send_with<B: SignableBody>(
        &self,
        auth: &DiscogsAuth,
        placement: Placement,
        request: http::Request<B>,
    ) -> Result<Response, Error> {
        let ua = self.config.configured_user_agent();
        send(
            &self.agent,
            auth,
            placement,
            ua,
            &self.stamps,
            request,
            Redirects::None,
        )
    }

    fn execute(&self, outgoing: OutgoingRequest) -> Result<Response, Error> {
        run(&self.agent, outgoing.into_http()?, Redirects::None)
    }

    /// Sends the request `describe` signs with a timestamp and nonce; once more, re-signed, after
    /// a 401 that shows clock skew.
    fn exchange<F>(&self, describe: F) -> Result<Response, Error>
    where
        F: Fn(u64, &str) -> Result<OutgoingRequest, countersign::Error>,
    {
        let stamp = self.stamps.next()?;
        let response = self.execute(describe(stamp.timestamp, stamp.nonce.as_str())?)?;
        if self.stamps.should_retry(&stamp, &response.as_core()) {
            let stamp = self.stamps.next()?;
            return self.execute(describe(stamp.timestamp, stamp.nonce.as_str())?);
        }
        Ok(response)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::canned::{Answer, Canned};

    #[test]
    fn the_agents_proxy_never_sees_loopback_hosts() {
        let proxy_server = Canned::start(|_, _| Answer::new(502, ""));
        let provider = Canned::start(|_, _| Answer::new(200, "ok"));
        let proxy = exempt_loopback(ureq::Proxy::new(&proxy_server.url()).unwrap(), None);
        let agent = agent_with_proxy(Some(proxy));

        // Straight on the agent, as a caller who signed the request itself would run it.
        let url = format!("{}/x?token=SECRET-IN-QUERY", provider.url());
        let mut answer = agent.get(&url).call().unwrap();
        assert_eq!(answer.body_mut().read_to_string().unwrap(), "ok");
        let localhost = url.replace("127.0.0.1", "localhost");
        if let Ok(mut answer) = agent.get(&localhost).call() {
            // `localhost` may resolve to ::1 first, where nothing listens: only a direct
            // connection matters here.
            assert_eq!(answer.body_mut().read_to_string().unwrap(), "ok");
        }
        assert!(proxy_server.received().is_empty());
        assert!(!provider.received().is_empty());

        // Other hosts still go through it (the fake proxy answers itself; nothing is resolved).
        let answer = agent.get("http://countersign-test.invalid/y").call();
        assert!(answer.is_err() || answer.unwrap().status() == 502);
        let seen = proxy_server.received();
        assert_eq!(seen.len(), 1, "{seen:?}");
        assert!(
            seen[0].target.contains("countersign-test.invalid"),
            "{seen:?}"
        );
    }

    #[test]
    fn loopback_exceptions_keep_the_proxy_and_its_settings() {
        let given = ureq::Proxy::new("http://user:p%40ss@proxy.example:3128").unwrap();
        let proxy = exempt_loopback(given, Some("intranet.example, .corp.example"));
        assert_eq!(proxy.protocol(), ureq::ProxyProtocol::Http);
        assert_eq!((proxy.host(), proxy.port()), ("proxy.example", 3128));
        assert_eq!(
            (proxy.username(), proxy.password()),
            (Some("user"), Some("p@ss"))
        );
        let bypassed = |url: &str| proxy.is_no_proxy(&url.parse().unwrap());
        for url in [
            "http://127.0.0.1:8080/",
            "http://127.8.9.10/",
            "http://localhost:1/",
            "http://LocalHost:1/",
            "http://[::1]:8080/",
            "http://[::ffff:127.0.0.1]/",
            "http://intranet.example/",
            "https://a.corp.example/",
        ] {
            assert!(bypassed(url), "{url}");
        }
        for url in [
            "https://api.discogs.com/",
            "http://128.0.0.1/",
            "http://localhost.example.com/",
            "http://[::2]/",
        ] {
            assert!(!bypassed(url), "{url}");
        }
    }
}
