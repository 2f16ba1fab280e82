//! [`LocalProvider`]: a Discogs-compatible OAuth 1.0a provider on loopback, for tests and demos.

use std::fmt;
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, mpsc};
use std::time::Duration;

use countersign::Secret;
use countersign::clock::{Clock, SystemClock};
use countersign::verify::{DEFAULT_TIMESTAMP_WINDOW, Verifier};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::clock::SharedClock;
use crate::layer::PublicUrl;
use crate::store::AsyncNonceStore;

mod app;
mod discogs_auth;
mod html;
mod rate;
mod reply;

pub use rate::RateLimit;

/// The consumer key of the consumer a provider registers when none is configured.
pub const DEFAULT_CONSUMER_KEY: &str = "countersign-local-key";
/// Its secret.
pub const DEFAULT_CONSUMER_SECRET: &str = "countersign-local-secret";
/// Its name (`consumer_name` in the identity resource).
pub const DEFAULT_CONSUMER_NAME: &str = "countersign local app";
/// The id of the user a provider registers when none is configured.
pub const DEFAULT_USER_ID: u64 = 1;
/// Its username (the one in the Discogs documentation's identity example).
pub const DEFAULT_USERNAME: &str = "example";

/// How long a request token (and its verifier) lives by default: 15 minutes, as on Discogs.
pub const DEFAULT_REQUEST_TOKEN_LIFETIME: u64 = 15 * 60;

/// How long a graceful shutdown may take before open connections are dropped.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// The default time a client has to send a request's head, and to start the next one on a
/// kept-alive connection.
pub const DEFAULT_HEADER_TIMEOUT: Duration = Duration::from_secs(10);

/// The default time a request may take from its head to the answer, its body included.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// The default number of connections served at once; further ones wait to be accepted.
pub const DEFAULT_MAX_CONNECTIONS: usize = 512;

/// The server's limits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Limits {
    pub(crate) header_timeout: Duration,
    pub(crate) request_timeout: Duration,
    pub(crate) max_connections: usize,
}

/// A registered client application.
#[derive(Clone, Debug)]
pub struct Consumer {
    pub(crate) key: String,
    pub(crate) secret: Secret,
    pub(crate) name: String,
    /// The public key of a consumer that signs with RSA-SHA1 or RSA-SHA256.
    #[cfg(any(feature = "rsa-sha1", feature = "rsa-sha256"))]
    pub(crate) rsa_key: Option<countersign::RsaPublicKey>,
}

impl Consumer {
    /// A consumer with its key, secret and name (the name is `consumer_name` in the identity
    /// resource, and is shown on the authorize page).
    pub fn new(key: impl Into<String>, secret: impl Into<Secret>, name: impl Into<String>) -> Self {
        Self {
            key: key.into(),
            secret: secret.into(),
            name: name.into(),
            #[cfg(any(feature = "rsa-sha1", feature = "rsa-sha256"))]
            rsa_key: None,
        }
    }

    /// This consumer's RSA public key, for requests it signs with RSA-SHA1 or RSA-SHA256 (as a
    /// Jira application link holds one).
    #[cfg(any(feature = "rsa-sha1", feature = "rsa-sha256"))]
    #[must_use]
    pub fn rsa_key(mut self, public_key: countersign::RsaPublicKey) -> Self {
        self.rsa_key = Some(public_key);
        self
    }
}

/// Where the local provider's endpoints are, and the rules it keeps: Discogs' by default, or a
/// profile's ([`Builder::mimic`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Rules {
    pub(crate) request_token_path: String,
    pub(crate) authorize_path: String,
    pub(crate) access_token_path: String,
    pub(crate) identity_path: String,
    /// `None`: `GET` and `POST` both (Discogs documents `GET`, clients send either).
    pub(crate) request_token_method: Option<http::Method>,
    /// `None`: every method of this build.
    pub(crate) signature_methods: Option<Vec<countersign::SignatureMethod>>,
    /// A realm every OAuth request must carry.
    pub(crate) realm: Option<String>,
    /// Whether `oauth_callback=oob` is taken.
    pub(crate) oob: bool,
}

impl Default for Rules {
    fn default() -> Self {
        Self {
            request_token_path: "/oauth/request_token".into(),
            authorize_path: "/oauth/authorize".into(),
            access_token_path: "/oauth/access_token".into(),
            identity_path: "/oauth/identity".into(),
            request_token_method: None,
            signature_methods: None,
            realm: None,
            oob: true,
        }
    }
}

/// The path of `url` (an absolute URL a profile checked): what follows the authority, without
/// the query; `/` when empty.
fn path_of(url: &str) -> String {
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    let path = after_scheme.find('/').map_or("/", |at| &after_scheme[at..]);
    let path = path.split(['?', '#']).next().unwrap_or("/");
    if path.is_empty() {
        "/".into()
    } else {
        path.into()
    }
}

/// A user account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    pub(crate) id: u64,
    pub(crate) username: String,
}

impl User {
    /// A user with its numeric id and username.
    pub fn new(id: u64, username: impl Into<String>) -> Self {
        Self {
            id,
            username: username.into(),
        }
    }
}

/// A request the provider refused, with the precise reason: what the provider's log would say.
///
/// The reason never contains a secret, and the path has no query (queries can carry
/// credentials).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Refusal {
    /// The request method.
    pub method: String,
    /// The request path, without the query.
    pub path: String,
    /// The status answered.
    pub status: u16,
    /// Why.
    pub reason: String,
    /// How many refusals were not reported just before this one: the hook hears of at most 20
    /// refusals a second, so that a flood cannot fill a log.
    pub suppressed: u64,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} {}: {}",
            self.status, self.method, self.path, self.reason
        )?;
        if self.suppressed > 0 {
            write!(
                f,
                " ({} refusals before this one not reported)",
                self.suppressed
            )?;
        }
        Ok(())
    }
}

type RefusalHook = Arc<dyn Fn(&Refusal) + Send + Sync>;

/// The local provider. Start one with [`LocalProvider::builder`].
///
/// It serves Discogs' routes over plain HTTP on a loopback address:
///
/// | route | what |
/// |---|---|
/// | `GET` or `POST /oauth/request_token` | temporary credentials; `oauth_callback` is a URL or `oob` (also when absent) |
/// | `GET /oauth/authorize?oauth_token=..` | a page with Approve and Deny (or, with [`auto_approve`](Builder::auto_approve), approval at once) |
/// | `POST /oauth/authorize` | the page's form |
/// | `POST /oauth/access_token` | token credentials for an approved request token and its verifier; or, with `oauth_session_handle`, a renewed access token |
/// | `GET /oauth/identity` | `{"id", "username", "resource_url", "consumer_name"}` |
/// | `GET /database/search` | a protected sample resource: OAuth, a personal token or key/secret |
///
/// Behaviour follows the Discogs API: request tokens and verifiers expire 15 minutes after
/// issue and verifiers are single-use; token endpoints answer errors in `text/plain`, other
/// resources in JSON `{"message": ..}` with `WWW-Authenticate: OAuth realm="<base URL>"` on a
/// 401; every answer carries `X-Discogs-Ratelimit`, `-Used` and `-Remaining`, and past the rate
/// (a moving 60-second window per client) the answer is 429; a request without a `User-Agent` is
/// refused with 403. Unknown consumers, unknown tokens and wrong signatures all read
/// "Invalid signature." to the client; the [`on_refusal`](Builder::on_refusal) hook gets the
/// precise reason.
///
/// A client's first request, written by hand over a `TcpStream`:
///
/// ```
/// use std::io::{Read, Write};
/// use std::net::TcpStream;
///
/// use countersign::{ClientCredentials, Request, Signer, TokenResponse};
/// use countersign_provider::{DEFAULT_CONSUMER_KEY, DEFAULT_CONSUMER_SECRET, LocalProvider};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let provider = LocalProvider::builder().auto_approve(true).start_blocking()?;
/// let client = ClientCredentials::new(DEFAULT_CONSUMER_KEY, DEFAULT_CONSUMER_SECRET);
/// let url = provider.url("/oauth/request_token");
/// let header = Signer::new(&client)
///     .callback("oob")
///     .timestamp(countersign::clock::Clock::now(&countersign::clock::SystemClock))
///     .nonce("n0nce")
///     .sign(&Request::post(&url))?
///     .to_authorization();
///
/// let mut stream = TcpStream::connect(provider.local_addr())?;
/// write!(
///     stream,
///     "POST /oauth/request_token HTTP/1.1\r\nHost: {}\r\nUser-Agent: doc-test\r\n\
///      Authorization: {}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
///     provider.local_addr(),
///     header.as_str()
/// )?;
/// let mut answer = String::new();
/// stream.read_to_string(&mut answer)?;
/// let (head, body) = answer.split_once("\r\n\r\n").unwrap();
/// assert!(head.starts_with("HTTP/1.1 200 OK"));
/// assert!(head.contains("x-discogs-ratelimit: 60"));
/// let temporary = TokenResponse::parse_temporary(body.as_bytes())?;
/// assert_eq!(temporary.token().len(), 32);
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct LocalProvider(());

impl LocalProvider {
    /// A builder with the defaults: `127.0.0.1`, a free port, the default consumer
    /// ([`DEFAULT_CONSUMER_KEY`], [`DEFAULT_CONSUMER_SECRET`]) and user ([`DEFAULT_USER_ID`],
    /// [`DEFAULT_USERNAME`]), the system clock, Discogs' rate limits, no automatic approval.
    pub fn builder() -> Builder {
        Builder::new()
    }
}

/// Configures and starts a [`LocalProvider`].
#[must_use = "a builder does nothing until started"]
pub struct Builder {
    pub(crate) listen: SocketAddr,
    pub(crate) consumers: Vec<Consumer>,
    pub(crate) users: Vec<User>,
    pub(crate) personal_tokens: Vec<(Secret, u64)>,
    pub(crate) auto_approve: bool,
    pub(crate) clock: SharedClock,
    pub(crate) request_token_lifetime: u64,
    pub(crate) access_token_lifetime: Option<u64>,
    pub(crate) timestamp_window: u64,
    pub(crate) max_ahead: u64,
    pub(crate) nonce_capacity: usize,
    pub(crate) nonces: Option<Arc<dyn AsyncNonceStore>>,
    pub(crate) strict: bool,
    pub(crate) public_url: Option<PublicUrl>,
    pub(crate) trusted_proxies: Vec<std::net::IpAddr>,
    pub(crate) rate_limit: RateLimit,
    pub(crate) limits: Limits,
    pub(crate) on_refusal: Option<RefusalHook>,
    pub(crate) rules: Rules,
}

impl fmt::Debug for Builder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Builder")
            .field("listen", &self.listen)
            .field("consumers", &self.consumers)
            .field("users", &self.users)
            .field("personal_tokens", &self.personal_tokens.len())
            .field("auto_approve", &self.auto_approve)
            .field("request_token_lifetime", &self.request_token_lifetime)
            .field("access_token_lifetime", &self.access_token_lifetime)
            .field("timestamp_window", &self.timestamp_window)
            .field("max_ahead", &self.max_ahead)
            .field("strict", &self.strict)
            .field("public_url", &self.public_url)
            .field("rate_limit", &self.rate_limit)
            .field("limits", &self.limits)
            .field("rules", &self.rules)
            .finish_non_exhaustive()
    }
}

impl Builder {
    fn new() -> Self {
        Self {
            listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            consumers: Vec::new(),
            users: Vec::new(),
            personal_tokens: Vec::new(),
            auto_approve: false,
            clock: Arc::new(SystemClock),
            request_token_lifetime: DEFAULT_REQUEST_TOKEN_LIFETIME,
            access_token_lifetime: None,
            timestamp_window: DEFAULT_TIMESTAMP_WINDOW,
            max_ahead: crate::layer::DEFAULT_MAX_AHEAD,
            nonce_capacity: crate::layer::DEFAULT_NONCE_CAPACITY,
            nonces: None,
            strict: false,
            public_url: None,
            trusted_proxies: Vec::new(),
            rate_limit: RateLimit::DISCOGS,
            limits: Limits {
                header_timeout: DEFAULT_HEADER_TIMEOUT,
                request_timeout: DEFAULT_REQUEST_TIMEOUT,
                max_connections: DEFAULT_MAX_CONNECTIONS,
            },
            on_refusal: None,
            rules: Rules::default(),
        }
    }

    /// Serves a provider's endpoints and keeps its rules, for testing a client against that
    /// provider offline: the paths of `profile`'s request-token, authorization, access-token and
    /// identity URLs (their hosts are this provider's own), its request-token method (the other
    /// is refused with 405), its signature method only (others refused with 400), and its realm,
    /// which every OAuth request must then carry (else 401). The resources of the Discogs API
    /// stay where they are.
    ///
    /// ```
    /// use countersign::providers::{self, Variables};
    /// use countersign_provider::LocalProvider;
    ///
    /// // NetSuite's routes and rules (HMAC-SHA256 only, its realm, no oob) on this machine.
    /// let netsuite = providers::find("netsuite").unwrap();
    /// let profile = netsuite.profile(&Variables::new().account("1234567"), None)?;
    /// let builder = LocalProvider::builder().mimic(&profile).oob(netsuite.oob);
    /// # let _ = builder;
    /// # Ok::<(), countersign::Error>(())
    /// ```
    pub fn mimic(mut self, profile: &countersign::profile::Profile) -> Self {
        self.rules = Rules {
            request_token_path: path_of(profile.request_token_url()),
            authorize_path: path_of(profile.authorize_url()),
            access_token_path: path_of(profile.access_token_url()),
            identity_path: profile
                .identity_url()
                .map_or_else(|| Rules::default().identity_path, path_of),
            request_token_method: http::Method::from_bytes(
                profile.request_token_method().as_bytes(),
            )
            .ok(),
            signature_methods: Some(vec![profile.signature_method()]),
            realm: profile.realm().map(Into::into),
            oob: self.rules.oob,
        };
        self
    }

    /// Whether `oauth_callback=oob` is taken (default: yes). A provider that takes none
    /// answers a request-token request with it 400.
    pub fn oob(mut self, allowed: bool) -> Self {
        self.rules.oob = allowed;
        self
    }

    /// The address to listen on (default `127.0.0.1:0`; port 0 picks a free port). It must be a
    /// loopback address: the provider speaks plain HTTP, and PLAINTEXT sends secrets in the
    /// clear.
    pub fn listen(mut self, address: SocketAddr) -> Self {
        self.listen = address;
        self
    }

    /// Registers a consumer. Without any, the default consumer is registered.
    pub fn consumer(mut self, consumer: Consumer) -> Self {
        self.consumers.push(consumer);
        self
    }

    /// Registers a user. The first user is the one signed in on the authorize page. Without any,
    /// the default user is registered.
    pub fn user(mut self, user: User) -> Self {
        self.users.push(user);
        self
    }

    /// Accepts a Discogs personal access token for the user with id `user_id`
    /// (`Authorization: Discogs token=..` or `?token=..`).
    pub fn personal_token(mut self, token: impl Into<Secret>, user_id: u64) -> Self {
        self.personal_tokens.push((token.into(), user_id));
        self
    }

    /// Automation mode: `GET /oauth/authorize?oauth_token=..` approves at once, as the first
    /// user: a 302 to the callback, or for `oob` a 200 whose body is
    /// `oauth_token=..&oauth_verifier=..` (form-encoded).
    pub fn auto_approve(mut self, auto: bool) -> Self {
        self.auto_approve = auto;
        self
    }

    /// Where the current time comes from (default: the system clock). Give a
    /// [`ManualClock`](crate::ManualClock) to expire tokens in tests without waiting.
    pub fn clock(mut self, clock: impl Clock + Send + Sync + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// How long a request token and its verifier live, in seconds (default
    /// [`DEFAULT_REQUEST_TOKEN_LIFETIME`]).
    pub fn request_token_lifetime(mut self, seconds: u64) -> Self {
        self.request_token_lifetime = seconds;
        self
    }

    /// Issues access tokens that expire after `seconds`, with `oauth_expires_in` and an
    /// `oauth_session_handle` to renew them at `/oauth/access_token` (the OAuth session
    /// extension). Default: access tokens that do not expire, as on Discogs.
    pub fn access_token_lifetime(mut self, seconds: u64) -> Self {
        self.access_token_lifetime = Some(seconds);
        self
    }

    /// How far a request's timestamp may be behind the provider's clock (default 300 seconds);
    /// ahead, see [`max_ahead`](Self::max_ahead).
    pub fn timestamp_window(mut self, seconds: u64) -> Self {
        self.timestamp_window = seconds;
        self
    }

    /// How far a request's timestamp may be ahead of the provider's clock (default
    /// [`DEFAULT_MAX_AHEAD`](crate::DEFAULT_MAX_AHEAD), a minute; never more than the window).
    /// A nonce is kept until its timestamp leaves the window, so timestamps far ahead would keep
    /// theirs longer.
    pub fn max_ahead(mut self, seconds: u64) -> Self {
        self.max_ahead = seconds;
        self
    }

    /// How many nonces the built-in store remembers at once (default 100,000; one token at most
    /// a sixteenth, one consumer half); past that, requests are refused with 503 (429 for a
    /// token or consumer over its share) until older nonces leave the timestamp window.
    pub fn nonce_capacity(mut self, capacity: usize) -> Self {
        self.nonce_capacity = capacity;
        self
    }

    /// A nonce store of your own instead of the built-in one: a
    /// `RedisNonceStore` (feature `redis`) that several providers share, say.
    pub fn nonce_store(mut self, store: impl AsyncNonceStore + 'static) -> Self {
        self.nonces = Some(Arc::new(store));
        self
    }

    /// Verifies as RFC 5849 says and nothing more (default: off, as Discogs accepts more).
    ///
    /// By default the provider accepts what Discogs and the clients people use do: protocol
    /// parameters split between the `Authorization` header and the form body (the official
    /// Discogs Python client sends `oauth_callback` in the body, the rest in the header), as long
    /// as no name repeats; and PLAINTEXT requests without `oauth_timestamp` and `oauth_nonce`
    /// (RFC 5849 section 3.3 allows them; such a request cannot be checked for replay, which
    /// over HTTPS, the only way PLAINTEXT may travel, is what the RFC accepts). Strict refuses
    /// both with 400.
    pub fn strict(mut self, strict: bool) -> Self {
        self.strict = strict;
        self
    }

    /// The URL the clients use, when the provider sits behind a reverse proxy: requests are
    /// verified against it followed by the path and query received, and it is the base of the
    /// URLs the provider hands out.
    pub fn public_url(mut self, url: PublicUrl) -> Self {
        self.public_url = Some(url);
        self
    }

    /// Believes the `Forwarded` header (its `proto` and `host`), or else `X-Forwarded-Proto`
    /// and `X-Forwarded-Host`, of requests that come from one of `proxies` (the nearest
    /// proxy's element only); anyone else's are ignored. [`public_url`](Self::public_url), when
    /// set, wins.
    pub fn trust_forwarded(mut self, proxies: impl IntoIterator<Item = std::net::IpAddr>) -> Self {
        self.trusted_proxies = proxies.into_iter().collect();
        self
    }

    /// The verifier these settings make.
    pub(crate) fn verifier(&self) -> Verifier {
        let verifier = Verifier::new()
            .timestamp_window(self.timestamp_window)
            .max_ahead(self.max_ahead)
            .allow_split_parameters(!self.strict)
            .allow_plaintext_without_timestamp(!self.strict);
        match &self.rules.signature_methods {
            Some(methods) => verifier.signature_methods(methods),
            None => verifier,
        }
    }

    /// The rate limits (default [`RateLimit::DISCOGS`]: 60 requests a minute per authenticated
    /// client, 25 per unauthenticated address).
    pub fn rate_limit(mut self, limit: RateLimit) -> Self {
        self.rate_limit = limit;
        self
    }

    /// How long a client has to send a request's head, and to start the next request on a
    /// kept-alive connection (default [`DEFAULT_HEADER_TIMEOUT`]); then the connection is
    /// closed. A client that opens connections and sends nothing holds them no longer.
    pub fn header_timeout(mut self, timeout: Duration) -> Self {
        self.limits.header_timeout = timeout;
        self
    }

    /// How long a request may take, from its head to the answer, reading its body included
    /// (default [`DEFAULT_REQUEST_TIMEOUT`]); a slower one is answered 408 and its connection
    /// closed.
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.limits.request_timeout = timeout;
        self
    }

    /// How many connections are served at once (default [`DEFAULT_MAX_CONNECTIONS`], well
    /// under a common limit of 1,024 open files); further connections wait in the listen
    /// backlog until one closes.
    pub fn max_connections(mut self, connections: usize) -> Self {
        self.limits.max_connections = connections.max(1);
        self
    }

    /// Called with every refused request and the precise reason: for logs, and for tests that
    /// check why.
    pub fn on_refusal(mut self, hook: impl Fn(&Refusal) + Send + Sync + 'static) -> Self {
        self.on_refusal = Some(Arc::new(hook));
        self
    }

    fn validate(&self) -> io::Result<()> {
        if !self.listen.ip().is_loopback() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "the local provider listens on loopback addresses only (127.0.0.0/8 or ::1)",
            ));
        }
        let user_known = |id: u64| {
            if self.users.is_empty() {
                id == DEFAULT_USER_ID
            } else {
                self.users.iter().any(|u| u.id == id)
            }
        };
        if !self.personal_tokens.iter().all(|(_, id)| user_known(*id)) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "a personal token names a user id that is not registered",
            ));
        }
        // A mimicked profile's paths: each its own, and plain (the router would take `{...}` or
        // `*` for captures, and two routes on one path for a conflict).
        let rules = &self.rules;
        let paths = [
            rules.request_token_path.as_str(),
            rules.authorize_path.as_str(),
            rules.access_token_path.as_str(),
            rules.identity_path.as_str(),
            "/database/search",
        ];
        for (i, path) in paths.iter().enumerate() {
            if !path.starts_with('/') || path.contains(['{', '}', '*']) {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    "a profile's endpoint path cannot be served: it must start with / and hold no {, } or *",
                ));
            }
            if paths.iter().skip(i + 1).any(|other| other == path) {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    "two of the profile's endpoints (request token, authorize, access token, identity, and /database/search) share a path: the local provider serves each on its own",
                ));
            }
        }
        Ok(())
    }

    /// Binds the address and starts serving on the current tokio runtime.
    ///
    /// # Errors
    /// [`io::ErrorKind::InvalidInput`] for an address that is not loopback or a personal token of
    /// an unregistered user; the error of binding the address.
    pub async fn start(self) -> io::Result<ProviderHandle> {
        self.validate()?;
        let listener = TcpListener::bind(self.listen).await?;
        let address = listener.local_addr()?;
        let base_url = format!("http://{address}");
        let limits = self.limits;
        let router = app::router(self, &base_url);
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(serve(listener, router, rx, limits));
        Ok(ProviderHandle {
            base_url,
            address,
            shutdown: Some(tx),
            task: Some(task),
        })
    }

    /// Starts serving on a thread of its own with its own runtime, for synchronous code and
    /// tests. Returns once the address is bound.
    ///
    /// # Errors
    /// As [`start`](Self::start), and the error of creating the runtime or the thread.
    pub fn start_blocking(self) -> io::Result<BlockingProviderHandle> {
        self.validate()?;
        let (ready_tx, ready_rx) = mpsc::channel::<io::Result<SocketAddr>>();
        let (stop_tx, stop_rx) = oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("countersign-local-provider".into())
            .spawn(move || -> io::Result<()> {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()?;
                runtime.block_on(async move {
                    let bound = async {
                        let listener = TcpListener::bind(self.listen).await?;
                        let address = listener.local_addr()?;
                        Ok::<_, io::Error>((listener, address))
                    }
                    .await;
                    let (listener, address) = match bound {
                        Ok(bound) => bound,
                        Err(error) => {
                            let kind = error.kind();
                            let _ = ready_tx.send(Err(error));
                            return Err(io::Error::from(kind));
                        }
                    };
                    let base_url = format!("http://{address}");
                    let limits = self.limits;
                    let router = app::router(self, &base_url);
                    let _ = ready_tx.send(Ok(address));
                    serve(listener, router, stop_rx, limits).await
                })
            })?;
        let address = ready_rx
            .recv()
            .map_err(|_| io::Error::other("the provider thread ended before binding"))??;
        Ok(BlockingProviderHandle {
            base_url: format!("http://{address}"),
            address,
            shutdown: Some(stop_tx),
            thread: Some(thread),
        })
    }
}

/// Serves until `stop` fires (or its sender is dropped), then shuts down gracefully, giving open
/// connections [`SHUTDOWN_GRACE`] to finish.
///
/// Each connection is HTTP/1.1 with the header timeout (for the first request and every next
/// one on a kept-alive connection), each request with the request timeout, and at most
/// `max_connections` at once: at the limit, nothing more is accepted until one closes, so the
/// backlog waits instead of the process running out of file descriptors.
async fn serve(
    listener: TcpListener,
    router: axum::Router,
    stop: oneshot::Receiver<()>,
    limits: Limits,
) -> io::Result<()> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    use hyper_util::server::graceful::GracefulShutdown;

    let slots = Arc::new(tokio::sync::Semaphore::new(limits.max_connections));
    let graceful = GracefulShutdown::new();
    let mut stop = std::pin::pin!(stop);
    loop {
        let slot = tokio::select! {
            slot = Arc::clone(&slots).acquire_owned() => slot,
            _ = &mut stop => break,
        };
        let Ok(slot) = slot else { break };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                // Out of file descriptors, a connection reset before it was accepted: wait a
                // moment and go on serving the others.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    continue;
                }
            },
            _ = &mut stop => break,
        };
        let router = router.clone();
        let service = hyper::service::service_fn(
            move |mut request: http::Request<hyper::body::Incoming>| {
                request
                    .extensions_mut()
                    .insert(axum::extract::ConnectInfo(peer));
                let router = router.clone();
                async move { Ok::<_, std::convert::Infallible>(answer(router, request, limits).await) }
            },
        );
        let connection = hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(limits.header_timeout)
            .serve_connection(TokioIo::new(stream), service);
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            // A connection's end (a timeout, the client gone) concerns only that connection.
            let _ = connection.await;
            drop(slot);
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(SHUTDOWN_GRACE) => {}
    }
    Ok(())
}

/// The router's answer to `request`, or 408 when it takes longer than the request timeout.
async fn answer(
    router: axum::Router,
    request: http::Request<hyper::body::Incoming>,
    limits: Limits,
) -> axum::response::Response {
    use tower_service::Service as _;
    let mut router = router;
    let call = router.call(request.map(axum::body::Body::new));
    match tokio::time::timeout(limits.request_timeout, call).await {
        Ok(Ok(response)) => response,
        Ok(Err(never)) => match never {},
        Err(_) => {
            let mut response = axum::response::Response::new(axum::body::Body::from(
                "Request timeout: the request took too long to arrive.",
            ));
            *response.status_mut() = http::StatusCode::REQUEST_TIMEOUT;
            let headers = response.headers_mut();
            headers.insert(
                http::header::CONTENT_TYPE,
                http::HeaderValue::from_static("text/plain; charset=utf-8"),
            );
            headers.insert(
                http::header::CONNECTION,
                http::HeaderValue::from_static("close"),
            );
            response
        }
    }
}

/// A running provider, started with [`Builder::start`]. Dropping it stops the server (in the
/// background); [`shutdown`](Self::shutdown) stops it and waits.
#[derive(Debug)]
pub struct ProviderHandle {
    base_url: String,
    address: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<io::Result<()>>>,
}

impl ProviderHandle {
    /// The base URL, such as `http://127.0.0.1:41234` (no trailing slash).
    #[must_use]
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The base URL followed by `path` (which starts with `/`).
    #[must_use]
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// The address the server listens on.
    #[must_use]
    pub fn local_addr(&self) -> SocketAddr {
        self.address
    }

    /// Stops the server: no new connections, requests under way finish (for up to five
    /// seconds).
    ///
    /// # Errors
    /// The server's own error, if it failed.
    pub async fn shutdown(mut self) -> io::Result<()> {
        if let Some(stop) = self.shutdown.take() {
            let _ = stop.send(());
        }
        match self.task.take() {
            Some(task) => task.await.map_err(io::Error::other)?,
            None => Ok(()),
        }
    }
}

impl Drop for ProviderHandle {
    fn drop(&mut self) {
        if let Some(stop) = self.shutdown.take() {
            let _ = stop.send(());
        }
    }
}

/// A running provider on a thread of its own, started with [`Builder::start_blocking`].
/// Dropping it stops the server and waits for the thread.
#[derive(Debug)]
pub struct BlockingProviderHandle {
    base_url: String,
    address: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<io::Result<()>>>,
}

impl BlockingProviderHandle {
    /// The base URL, such as `http://127.0.0.1:41234` (no trailing slash).
    #[must_use]
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The base URL followed by `path` (which starts with `/`).
    #[must_use]
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// The address the server listens on.
    #[must_use]
    pub fn local_addr(&self) -> SocketAddr {
        self.address
    }

    /// Stops the server and waits for its thread.
    ///
    /// # Errors
    /// The server's own error, if it failed.
    pub fn shutdown(mut self) -> io::Result<()> {
        self.stop()
    }

    fn stop(&mut self) -> io::Result<()> {
        if let Some(stop) = self.shutdown.take() {
            let _ = stop.send(());
        }
        match self.thread.take() {
            Some(thread) => thread
                .join()
                .map_err(|_| io::Error::other("the provider thread panicked"))?,
            None => Ok(()),
        }
    }
}

impl Drop for BlockingProviderHandle {
    fn drop(&mut self) {
        let _ = self.stop();
    }
}
