//! The same API over `reqwest::blocking` (feature `blocking`): [`Client`], and signing from a
//! blocking [`RequestBuilder`](reqwest::blocking::RequestBuilder) with [`RequestBuilderExt`].
//!
//! Like every `reqwest::blocking` client, these must not be created or used inside an async
//! runtime.
//!
//! ```no_run
//! use countersign_reqwest::blocking::Client;
//! use countersign_reqwest::countersign::flow::{CallbackMode, ProviderConfig};
//! use countersign_reqwest::countersign::ClientCredentials;
//! use countersign_reqwest::Approval;
//!
//! let client = Client::new(
//!     ProviderConfig::discogs("MyCollectionApp/1.0 +https://example.org"),
//!     ClientCredentials::new("consumer-key", "consumer-secret"),
//! )?;
//! let pending = client.request_token(CallbackMode::OutOfBand)?;
//! println!("open {} and paste the code here", pending.authorize_url());
//! let session = client.access_token(pending, Approval::Verifier("pasted code"))?;
//! println!("logged in as {}", client.identity(&session)?.username);
//! # Ok::<(), countersign_reqwest::Error>(())
//! ```

use std::time::Duration;

use countersign::clock::Clock;
use countersign::discogs::{DiscogsAuth, Placement};
use countersign::flow::{Authorize, CallbackMode, ProviderConfig, RequestToken, Session};
use countersign::identity::Identity;
use countersign::nonce::NonceSource;
use countersign::{ClientCredentials, OutgoingRequest};

use crate::client::finish;
use crate::sign::sign_blocking;
use crate::{Approval, Authenticator, Error, Response};
use countersign::skew::Stamps;

/// A `reqwest::blocking::ClientBuilder` set up as [`Client`] uses it: as
/// [`http_client_builder`](crate::http_client_builder), proxies included (from the environment,
/// never for loopback hosts).
pub fn http_client_builder() -> reqwest::blocking::ClientBuilder {
    http_client_builder_from(|name| std::env::var(name).ok())
}

/// [`http_client_builder`], with the environment read through `var`.
pub(crate) fn http_client_builder_from(
    var: impl Fn(&str) -> Option<String>,
) -> reqwest::blocking::ClientBuilder {
    crate::install_crypto_provider();
    let mut builder = reqwest::blocking::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .referer(false)
        .connect_timeout(Duration::from_secs(crate::CONNECT_TIMEOUT))
        .timeout(Duration::from_secs(crate::TIMEOUT))
        .no_proxy();
    for proxy in crate::env_proxies(var) {
        builder = builder.proxy(proxy);
    }
    builder
}

/// The blocking flow driver: [`crate::Client`]'s API over `reqwest::blocking`.
#[derive(Clone, Debug)]
pub struct Client {
    http: reqwest::blocking::Client,
    config: ProviderConfig,
    credentials: ClientCredentials,
    stamps: Stamps,
}

/// Configures a blocking [`Client`].
#[derive(Debug)]
#[must_use = "a builder does nothing until `build` is called"]
pub struct ClientBuilder {
    http: Option<reqwest::blocking::Client>,
    config: ProviderConfig,
    credentials: ClientCredentials,
    stamps: Stamps,
}

impl ClientBuilder {
    /// The blocking reqwest client to send with (default: [`http_client_builder`]'s). Its
    /// proxies are yours, as with [`crate::ClientBuilder::http_client`]: one that does not exempt
    /// loopback hosts gets their `http://` requests, credentials in the clear.
    pub fn http_client(mut self, http: reqwest::blocking::Client) -> Self {
        self.http = Some(http);
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

    /// Clock offsets up to this many seconds never cause the clock-skew retry.
    pub fn skew_threshold(mut self, seconds: u64) -> Self {
        self.stamps.set_threshold(seconds);
        self
    }

    /// Starts with a known clock offset.
    pub fn clock_offset(self, seconds: i64) -> Self {
        self.stamps.set_offset(seconds);
        self
    }

    /// The client.
    ///
    /// # Errors
    /// [`Error::Transport`] when the default HTTP client cannot be built.
    pub fn build(self) -> Result<Client, Error> {
        let http = match self.http {
            Some(http) => http,
            None => http_client_builder().build().map_err(Error::transport)?,
        };
        Ok(Client {
            http,
            config: self.config,
            credentials: self.credentials,
            stamps: self.stamps,
        })
    }
}

impl Client {
    /// As [`crate::Client::new`].
    ///
    /// # Errors
    /// As [`ClientBuilder::build`].
    pub fn new(config: ProviderConfig, credentials: ClientCredentials) -> Result<Self, Error> {
        Self::builder(config, credentials).build()
    }

    /// As [`crate::Client::builder`].
    pub fn builder(config: ProviderConfig, credentials: ClientCredentials) -> ClientBuilder {
        ClientBuilder {
            http: None,
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

    /// The blocking reqwest client, to build requests for [`send`](Self::send).
    #[must_use]
    pub fn http(&self) -> &reqwest::blocking::Client {
        &self.http
    }

    /// As [`crate::Client::clock_offset`].
    #[must_use]
    pub fn clock_offset(&self) -> i64 {
        self.stamps.offset()
    }

    /// As [`crate::Client::now`].
    #[must_use]
    pub fn now(&self) -> u64 {
        self.stamps.now()
    }

    /// As [`crate::Client::authenticator`].
    #[must_use]
    pub fn authenticator(&self, auth: DiscogsAuth) -> Authenticator {
        Authenticator::with_stamps(
            auth,
            self.config.configured_user_agent(),
            self.stamps.clone(),
        )
    }

    /// As [`crate::Client::request_token`].
    ///
    /// # Errors
    /// As [`crate::Client::request_token`].
    pub fn request_token(&self, callback: CallbackMode) -> Result<Authorize, Error> {
        let flow = RequestToken::new(self.config.clone(), self.credentials.clone(), callback)?;
        let response = self.exchange(|ts, nonce| flow.request(ts, nonce))?;
        finish(&response, flow.receive(&response.as_core(), self.now()))
    }

    /// As [`crate::Client::access_token`].
    ///
    /// # Errors
    /// As [`crate::Client::access_token`].
    pub fn access_token(
        &self,
        pending: Authorize,
        approval: Approval<'_>,
    ) -> Result<Session, Error> {
        let next = approval.apply(pending, self.now())?;
        let response = self.exchange(|ts, nonce| next.request(ts, nonce))?;
        finish(&response, next.receive(&response.as_core(), self.now()))
    }

    /// As [`crate::Client::identity`].
    ///
    /// # Errors
    /// As [`crate::Client::identity`].
    pub fn identity(&self, session: &Session) -> Result<Identity, Error> {
        let response = self.exchange(|ts, nonce| session.identity_request(ts, nonce))?;
        finish(&response, Identity::from_response(&response.as_core()))
    }

    /// As [`crate::Client::renew`].
    ///
    /// # Errors
    /// As [`crate::Client::renew`].
    pub fn renew(&self, session: Session) -> Result<Session, Error> {
        let response = self.exchange(|ts, nonce| session.renewal_request(ts, nonce))?;
        let now = self.now();
        finish(&response, session.receive_renewal(&response.as_core(), now))
    }

    /// As [`crate::Client::send`].
    ///
    /// # Errors
    /// As [`crate::Client::send`].
    pub fn send(
        &self,
        session: &Session,
        request: reqwest::blocking::Request,
    ) -> Result<Response, Error> {
        let auth = DiscogsAuth::OAuth(session.signer()?);
        let ua = session.config().configured_user_agent();
        self.send_signed(&auth, Placement::Header, ua, request)
    }

    /// As [`crate::Client::send_with`].
    ///
    /// # Errors
    /// As [`crate::Client::send_with`].
    pub fn send_with(
        &self,
        auth: &DiscogsAuth,
        placement: Placement,
        request: reqwest::blocking::Request,
    ) -> Result<Response, Error> {
        let ua = self.config.configured_user_agent();
        self.send_signed(auth, placement, ua, request)
    }

    fn send_signed(
        &self,
        auth: &DiscogsAuth,
        placement: Placement,
        user_agent: Option<&str>,
        request: reqwest::blocking::Request,
    ) -> Result<Response, Error> {
        let again = request.try_clone();
        let mut request = request;
        let stamp = sign_blocking(auth, placement, user_agent, &self.stamps, &mut request)?;
        let response = self.execute(request)?;
        if let (Some(stamp), Some(mut again)) = (stamp, again) {
            let view =
                countersign::response::Response::from_head(response.status(), response.headers());
            if self.stamps.should_retry(&stamp, &view) {
                sign_blocking(auth, placement, user_agent, &self.stamps, &mut again)?;
                return self.execute(again);
            }
        }
        Ok(response)
    }

    fn execute(&self, request: reqwest::blocking::Request) -> Result<Response, Error> {
        let response = self.http.execute(request).map_err(Error::transport)?;
        read(response)
    }

    fn execute_outgoing(&self, outgoing: OutgoingRequest) -> Result<Response, Error> {
        let request = reqwest::blocking::Request::try_from(outgoing.into_http()?)
            .map_err(Error::transport)?;
        self.execute(request)
    }

    fn exchange<F>(&self, describe: F) -> Result<Response, Error>
    where
        F: Fn(u64, &str) -> Result<OutgoingRequest, countersign::Error>,
    {
        let stamp = self.stamps.next()?;
        let response = self.execute_outgoing(describe(stamp.timestamp, stamp.nonce.as_str())?)?;
        if self.stamps.should_retry(&stamp, &response.as_core()) {
            let stamp = self.stamps.next()?;
            return self.execute_outgoing(describe(stamp.timestamp, stamp.nonce.as_str())?);
        }
        Ok(response)
    }
}

/// Reads a blocking reqwest response in full, up to the async reader's limit (a longer one is
/// [`Error::BodyTooLarge`], and the rest is not read).
fn read(mut response: reqwest::blocking::Response) -> Result<Response, Error> {
    let mut builder = http::Response::builder()
        .status(response.status())
        .version(response.version());
    if let Some(headers) = builder.headers_mut() {
        *headers = response.headers().clone();
    }
    if response
        .content_length()
        .is_some_and(|n| n > crate::response::MAX_BODY)
    {
        return Err(Error::BodyTooLarge {
            limit: crate::response::MAX_BODY,
        });
    }
    let mut body = Capped::default();
    let copied = response.copy_to(&mut body);
    if body.over {
        return Err(Error::BodyTooLarge {
            limit: crate::response::MAX_BODY,
        });
    }
    copied.map_err(Error::transport)?;
    let inner = builder.body(body.bytes).map_err(|_| {
        countersign::Error::Parse(countersign::ParseError::Url {
            reason: "the http crate refused the response",
        })
    })?;
    Ok(Response::from(inner))
}

/// A buffer that refuses to grow past the body limit (and says so in `over`).
#[derive(Default)]
struct Capped {
    bytes: Vec<u8>,
    over: bool,
}

impl std::io::Write for Capped {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        if crate::response::check_length(self.bytes.len().saturating_add(data.len())).is_err() {
            self.over = true;
            return Err(std::io::Error::other("the body is over the limit"));
        }
        self.bytes.extend_from_slice(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for reqwest::blocking::RequestBuilder {}
}

/// Signing straight from a [`reqwest::blocking::RequestBuilder`]: as
/// [`crate::RequestBuilderExt`], blocking.
///
/// ```no_run
/// use countersign_reqwest::blocking::RequestBuilderExt;
/// use countersign_reqwest::countersign::discogs::DiscogsAuth;
/// use countersign_reqwest::countersign::Secret;
/// use countersign_reqwest::Authenticator;
///
/// let auth = Authenticator::new(DiscogsAuth::PersonalToken(Secret::new("my-token")))
///     .user_agent("MyCollectionApp/1.0 +https://example.org");
/// let http = countersign_reqwest::blocking::http_client_builder()
///     .build()
///     .map_err(countersign_reqwest::Error::Transport)?;
/// let response = http.get("https://api.discogs.com/oauth/identity").send_signed(&auth)?;
/// println!("{}", response.status());
/// # Ok::<(), countersign_reqwest::Error>(())
/// ```
pub trait RequestBuilderExt: sealed::Sealed + Sized {
    /// As [`crate::RequestBuilderExt::build_signed`].
    ///
    /// # Errors
    /// As [`crate::RequestBuilderExt::build_signed`].
    fn build_signed(
        self,
        auth: &Authenticator,
    ) -> Result<(reqwest::blocking::Client, reqwest::blocking::Request), Error>;

    /// As [`crate::RequestBuilderExt::send_signed`].
    ///
    /// # Errors
    /// As [`crate::RequestBuilderExt::send_signed`].
    fn send_signed(self, auth: &Authenticator) -> Result<reqwest::blocking::Response, Error>;
}

impl RequestBuilderExt for reqwest::blocking::RequestBuilder {
    fn build_signed(
        self,
        auth: &Authenticator,
    ) -> Result<(reqwest::blocking::Client, reqwest::blocking::Request), Error> {
        let (client, request) = self.build_split();
        let mut request = request.map_err(Error::transport)?;
        auth.sign_blocking(&mut request)?;
        Ok((client, request))
    }

    fn send_signed(self, auth: &Authenticator) -> Result<reqwest::blocking::Response, Error> {
        let (client, request) = self.build_split();
        let request = request.map_err(Error::transport)?;
        let again = request.try_clone();
        let mut request = request;
        let stamp = auth.sign_blocking_request(&mut request)?;
        let response = client.execute(request).map_err(Error::transport)?;
        if let (Some(stamp), Some(mut again)) = (stamp, again) {
            let view =
                countersign::response::Response::from_head(response.status(), response.headers());
            if auth.stamps().should_retry(&stamp, &view) {
                auth.sign_blocking_request(&mut again)?;
                return client.execute(again).map_err(Error::transport);
            }
        }
        Ok(response)
    }
}
