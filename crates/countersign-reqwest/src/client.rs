//! The flow driver over reqwest's async client: [`Client`].

use std::fmt;

use countersign::clock::Clock;
use countersign::discogs::{DiscogsAuth, Placement};
use countersign::flow::{
    AccessToken, Authorize, CallbackMode, ProviderConfig, RequestToken, Session,
};
use countersign::identity::Identity;
use countersign::nonce::NonceSource;
use countersign::{ClientCredentials, OutgoingRequest};

use crate::response::read;
use crate::sign::sign_reqwest;
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
    pub(crate) fn apply(self, pending: Authorize, now: u64) -> Result<AccessToken, Error> {
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
pub(crate) fn finish<T>(
    response: &Response,
    parsed: Result<T, countersign::Error>,
) -> Result<T, Error> {
    parsed.map_err(|e| match e {
        countersign::Error::Provider(_) => Error::Core(e),
        e if response.status().is_success() => Error::parse(e, response.body()),
        e => Error::Core(e),
    })
}

/// Drives the three-legged flow over reqwest, and sends signed API requests.
///
/// Every request carries the provider's User-Agent. Time and nonces come from the system clock
/// and countersign's nonce generator unless the [`ClientBuilder`] is given others. After a 401
/// whose `Date` shows clock skew, a request is signed once more with the corrected time and a
/// fresh nonce and sent once more; the learned offset is kept ([`Client::clock_offset`]). There
/// is no other retry, and redirects are not followed (with the default HTTP client): a 3xx is an
/// answer like any other.
///
/// ```no_run
/// use countersign_reqwest::countersign::flow::{CallbackMode, ProviderConfig};
/// use countersign_reqwest::countersign::ClientCredentials;
/// use countersign_reqwest::{Approval, Client};
///
/// # async fn run() -> Result<(), countersign_reqwest::Error> {
/// let client = Client::new(
///     ProviderConfig::discogs("MyCollectionApp/1.0 +https://example.org"),
///     ClientCredentials::new("consumer-key", "consumer-secret"),
/// )?;
/// let pending = client.request_token(CallbackMode::OutOfBand).await?;
/// println!("open {} and paste the code here", pending.authorize_url());
/// let code = "the code the user pasted";
/// let session = client.access_token(pending, Approval::Verifier(code)).await?;
/// let me = client.identity(&session).await?;
/// println!("logged in as {}", me.username);
///
/// let request = client
///     .http()
///     .get("https://api.discogs.com/users/example/collection/folders")
///     .build()
///     .map_err(countersign_reqwest::Error::Transport)?;
/// let folders = client.send(&session, request).await?.error_for_status()?;
/// println!("{:?}: {}", folders.rate_limit(), folders.text().unwrap_or_default());
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct Client {
    http: reqwest::Client,
    config: ProviderConfig,
    credentials: ClientCredentials,
    stamps: Stamps,
}

/// Configures a [`Client`]: the HTTP client, the clock, the nonce source, the skew threshold.
#[derive(Debug)]
#[must_use = "a builder does nothing until `build` is called"]
pub struct ClientBuilder {
    http: Option<reqwest::Client>,
    config: ProviderConfig,
    credentials: ClientCredentials,
    stamps: Stamps,
}

impl ClientBuilder {
    /// The reqwest client to send with (default: [`http_client_builder`](crate::http_client_builder)'s).
    /// Its redirect policy is yours: reqwest drops `Authorization` on a redirect to another host,
    /// port or scheme, but follows same-host redirects with it. So are its proxies: a proxy it
    /// has (reqwest's defaults take one from `HTTP_PROXY` or `ALL_PROXY`) gets every `http://`
    /// request, credentials in the clear, loopback ones included, unless its `NO_PROXY` list
    /// exempts them (as [`http_client_builder`](crate::http_client_builder)'s does).
    pub fn http_client(mut self, http: reqwest::Client) -> Self {
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
    ///
    /// # Errors
    /// [`Error::Transport`] when the default HTTP client cannot be built (its TLS backend fails
    /// to initialize).
    pub fn build(self) -> Result<Client, Error> {
        let http = match self.http {
            Some(http) => http,
            None => crate::http_client_builder()
                .build()
                .map_err(Error::transport)?,
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
    /// A client for `config`'s provider with these client credentials, and the defaults.
    ///
    /// # Errors
    /// As [`ClientBuilder::build`].
    pub fn new(config: ProviderConfig, credentials: ClientCredentials) -> Result<Self, Error> {
        Self::builder(config, credentials).build()
    }

    /// A builder, to change the defaults.
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

    /// The reqwest client, to build requests for [`send`](Self::send).
    #[must_use]
    pub fn http(&self) -> &reqwest::Client {
        &self.http
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
    /// offset, with the provider's User-Agent: for the middleware or
    /// [`RequestBuilderExt`](crate::RequestBuilderExt).
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
    pub async fn request_token(&self, callback: CallbackMode) -> Result<Authorize, Error> {
        let flow = RequestToken::new(self.config.clone(), self.credentials.clone(), callback)?;
        let response = self.exchange(|ts, nonce| flow.request(ts, nonce)).await?;
        finish(&response, flow.receive(&response.as_core(), self.now()))
    }

    /// Step 2: exchanges the authorized request token for access credentials.
    ///
    /// # Errors
    /// [`Error::Core`] with [`countersign::FlowError::Denied`] when the user refused,
    /// [`countersign::FlowError::RequestTokenExpired`] past its lifetime,
    /// [`countersign::FlowError::TokenMismatch`] for a callback about another token, or the
    /// provider's non-2xx answer; [`Error::Transport`]; [`Error::Parse`].
    pub async fn access_token(
        &self,
        pending: Authorize,
        approval: Approval<'_>,
    ) -> Result<Session, Error> {
        let next = approval.apply(pending, self.now())?;
        let response = self.exchange(|ts, nonce| next.request(ts, nonce)).await?;
        finish(&response, next.receive(&response.as_core(), self.now()))
    }

    /// Who the access credentials belong to: the provider's identity resource.
    ///
    /// # Errors
    /// [`Error::Core`] when the configuration has no identity URL or for the provider's non-2xx
    /// answer; [`Error::Transport`]; [`Error::Parse`] for JSON that is not an identity.
    pub async fn identity(&self, session: &Session) -> Result<Identity, Error> {
        let response = self
            .exchange(|ts, nonce| session.identity_request(ts, nonce))
            .await?;
        finish(&response, Identity::from_response(&response.as_core()))
    }

    /// Renews expired access credentials with the session handle (the OAuth session extension).
    ///
    /// # Errors
    /// [`Error::Core`] with [`countersign::FlowError::NoSessionHandle`] when the provider gave none;
    /// otherwise as [`access_token`](Self::access_token).
    pub async fn renew(&self, session: Session) -> Result<Session, Error> {
        let response = self
            .exchange(|ts, nonce| session.renewal_request(ts, nonce))
            .await?;
        let now = self.now();
        finish(&response, session.receive_renewal(&response.as_core(), now))
    }

    /// Sends an API request signed with the session's access credentials, and reads the answer
    /// (any status: see [`Response::error_for_status`]).
    ///
    /// # Errors
    /// As [`send_with`](Self::send_with).
    pub async fn send(
        &self,
        session: &Session,
        request: reqwest::Request,
    ) -> Result<Response, Error> {
        let auth = DiscogsAuth::OAuth(session.signer()?);
        let ua = session.config().configured_user_agent();
        self.send_signed(&auth, Placement::Header, ua, request)
            .await
    }

    /// Sends an API request with any of the four Discogs credential modes, and reads the answer
    /// (any status). OAuth requests get the clock-skew retry.
    ///
    /// # Errors
    /// As [`Authenticator::sign`]; [`Error::Transport`]; [`Error::BodyTooLarge`] for an answer
    /// over 10 MiB.
    pub async fn send_with(
        &self,
        auth: &DiscogsAuth,
        placement: Placement,
        request: reqwest::Request,
    ) -> Result<Response, Error> {
        let ua = self.config.configured_user_agent();
        self.send_signed(auth, placement, ua, request).await
    }

    async fn send_signed(
        &self,
        auth: &DiscogsAuth,
        placement: Placement,
        user_agent: Option<&str>,
        request: reqwest::Request,
    ) -> Result<Response, Error> {
        let again = request.try_clone();
        let mut request = request;
        let stamp = sign_reqwest(auth, placement, user_agent, &self.stamps, &mut request)?;
        let response = self.execute(request).await?;
        if let (Some(stamp), Some(mut again)) = (stamp, again) {
            let view =
                countersign::response::Response::from_head(response.status(), response.headers());
            if self.stamps.should_retry(&stamp, &view) {
                sign_reqwest(auth, placement, user_agent, &self.stamps, &mut again)?;
                return self.execute(again).await;
            }
        }
        Ok(response)
    }

    async fn execute(&self, request: reqwest::Request) -> Result<Response, Error> {
        let response = self.http.execute(request).await.map_err(Error::transport)?;
        read(response).await
    }

    async fn execute_outgoing(&self, outgoing: OutgoingRequest) -> Result<Response, Error> {
        let request =
            reqwest::Request::try_from(outgoing.into_http()?).map_err(Error::transport)?;
        self.execute(request).await
    }

    /// Sends the request `describe` signs with a timestamp and nonce; once more, re-signed, after
    /// a 401 that shows clock skew.
    async fn exchange<F>(&self, describe: F) -> Result<Response, Error>
    where
        F: Fn(u64, &str) -> Result<OutgoingRequest, countersign::Error>,
    {
        let stamp = self.stamps.next()?;
        let response = self
            .execute_outgoing(describe(stamp.timestamp, stamp.nonce.as_str())?)
            .await?;
        if self.stamps.should_retry(&stamp, &response.as_core()) {
            let stamp = self.stamps.next()?;
            return self
                .execute_outgoing(describe(stamp.timestamp, stamp.nonce.as_str())?)
                .await;
        }
        Ok(response)
    }
}
