//! A client for one provider over any HTTP transport: the three-legged flow, the identity call,
//! renewal and API calls, each an [`Exchange`] driven by [`drive`], the one loop there is.
//!
//! A transport only moves bytes: it sends an `http::Request<Vec<u8>>` and hands back the answer
//! ([`AsyncTransport`], [`Transport`]). Everything else (signing, the clock-skew retry,
//! redirects, reading the answer) is decided here, the same way whatever the transport.
//! countersign-reqwest and countersign-ureq are such transports; a closure is one too:
//!
//! ```
//! use countersign::client::Client;
//! use countersign::flow::CallbackMode;
//! use countersign::ClientCredentials;
//!
//! // A stand-in provider: every request gets the same temporary credentials.
//! let transport = |request: http::Request<Vec<u8>>| {
//!     assert!(request.headers()["authorization"].to_str().unwrap().starts_with("OAuth "));
//!     let body = b"oauth_token=t&oauth_token_secret=s&oauth_callback_confirmed=true".to_vec();
//!     Ok::<_, std::io::Error>(http::Response::new(body))
//! };
//! let profile = countersign::discogs::profile("MyApp/1.0")?;
//! let credentials = ClientCredentials::new("consumer-key", "consumer-secret");
//! let mut client = Client::with_transport(transport, profile, credentials);
//! let pending = client.request_token(CallbackMode::OutOfBand)?;
//! assert_eq!(pending.authorize_url(), "https://www.discogs.com/oauth/authorize?oauth_token=t");
//! # Ok::<(), countersign::client::Error<std::io::Error>>(())
//! ```
//!
//! The loop is written once, as an `async fn`. A blocking transport's future is always ready, so
//! the blocking [`Client`] (and [`drive_blocking`]) runs the same loop by polling it once.
//!
//! The clients keep what they learn about the provider's clock ([`Skew`]) as a plain value, which
//! is why their methods take `&mut self`: clone a client for each task that needs one (the clone
//! draws its own nonces).

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use core::future::Future;
use core::pin::pin;
use core::task::{Context, Poll, Waker};

use crate::ClientCredentials;
use crate::auth::Authenticator;
use crate::clock::{Clock, SystemClock};
use crate::exchange::{Exchange, Next, ResponseHead};
use crate::flow::{Approval, Authorize, CallbackMode, RequestToken, Session};
use crate::http::{OwnedResponse, SignableBody};
use crate::nonce::{NonceGenerator, NonceSource};
use crate::profile::Profile;
use crate::response::{ProviderError, Response, body_excerpt};
use crate::skew::Skew;

/// An HTTP client that sends requests and waits for their answers (a blocking one).
///
/// Implemented for closures `FnMut(http::Request<Vec<u8>>) -> Result<http::Response<Vec<u8>>, E>`.
pub trait Transport {
    /// The answer: `http::Response<Vec<u8>>`, read in full, for the [`Client`].
    type Response: ResponseHead;
    /// What goes wrong: the provider is unreachable, a timeout, TLS.
    type Error;
    /// Sends `request` as it is and returns the answer, whatever its status. An empty body is
    /// no body: the exchange sets `Content-Length: 0` where one is due. Must not follow
    /// redirects itself: the exchange decides which to follow.
    ///
    /// # Errors
    /// When no answer could be had.
    fn send(&mut self, request: http::Request<Vec<u8>>) -> Result<Self::Response, Self::Error>;
}

impl<F, R, E> Transport for F
where
    F: FnMut(http::Request<Vec<u8>>) -> Result<R, E>,
    R: ResponseHead,
{
    type Response = R;
    type Error = E;

    fn send(&mut self, request: http::Request<Vec<u8>>) -> Result<R, E> {
        self(request)
    }
}

/// An HTTP client that sends requests and awaits their answers.
///
/// Implemented for closures `FnMut(http::Request<Vec<u8>>) -> impl Future<Output =
/// Result<http::Response<Vec<u8>>, E>>`.
pub trait AsyncTransport {
    /// The answer: `http::Response<Vec<u8>>`, read in full, for the [`AsyncClient`].
    type Response: ResponseHead;
    /// What goes wrong: the provider is unreachable, a timeout, TLS.
    type Error;
    /// Sends `request` as it is and returns the answer, whatever its status. An empty body is
    /// no body: the exchange sets `Content-Length: 0` where one is due. Must not follow
    /// redirects itself: the exchange decides which to follow.
    fn send(
        &mut self,
        request: http::Request<Vec<u8>>,
    ) -> impl Future<Output = Result<Self::Response, Self::Error>>;
}

impl<F, Fut, R, E> AsyncTransport for F
where
    F: FnMut(http::Request<Vec<u8>>) -> Fut,
    Fut: Future<Output = Result<R, E>>,
    R: ResponseHead,
{
    type Response = R;
    type Error = E;

    fn send(&mut self, request: http::Request<Vec<u8>>) -> impl Future<Output = Result<R, E>> {
        self(request)
    }
}

/// A blocking [`Transport`] as an [`AsyncTransport`] whose futures are always ready: how the
/// blocking [`Client`] runs the one loop.
#[derive(Clone, Debug, Default)]
pub struct Blocking<T>(pub T);

impl<T: Transport> AsyncTransport for Blocking<T> {
    type Response = T::Response;
    type Error = T::Error;

    fn send(
        &mut self,
        request: http::Request<Vec<u8>>,
    ) -> impl Future<Output = Result<T::Response, T::Error>> {
        core::future::ready(self.0.send(request))
    }
}

/// Runs a future that never waits (every `.await` in it is on an always-ready future) to its
/// end, in one poll: the blocking side of the one loop.
fn ready<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        // Ready on the first poll: the futures of a `Blocking` transport are ready when made.
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
    }
}

/// What can go wrong in an exchange: the provider answered (and not with what was asked), the
/// transport failed, or the core refused.
///
/// Neither `Debug` nor `Display` shows a secret: the core's errors name fields, never values,
/// and body excerpts have the values of secret parameters redacted. Transports redact what their
/// own errors quote (countersign-reqwest and countersign-ureq redact credentials in URLs).
#[derive(Debug)]
#[non_exhaustive]
pub enum Error<E> {
    /// The provider refused: a status outside 2xx, with what it said about it (its message,
    /// `oauth_problem`, `Retry-After`, rate limits, where a redirect pointed).
    Provider(Box<ProviderError>),
    /// The provider answered 2xx with a body that is not what the protocol expects.
    Unexpected {
        /// What the core's parser said.
        error: crate::Error,
        /// The start of the body (at most 200 bytes), secrets redacted.
        excerpt: String,
    },
    /// The transport failed: the provider is down or unreachable, a timeout, TLS.
    Transport(E),
    /// The core refused: bad input, an insecure transport, an expired request token, a denied
    /// authorization.
    Core(crate::Error),
}

impl<E> Error<E> {
    /// The provider's refusal, if this is one.
    #[must_use]
    pub fn provider(&self) -> Option<&ProviderError> {
        match self {
            Self::Provider(e) => Some(e),
            _ => None,
        }
    }

    /// The core's error, if this is one.
    #[must_use]
    pub fn core(&self) -> Option<&crate::Error> {
        match self {
            Self::Core(e) => Some(e),
            _ => None,
        }
    }

    /// The transport's error, when this is one; else this error, which then holds none.
    ///
    /// # Errors
    /// The error itself when it is not the transport's.
    pub fn into_transport(self) -> Result<E, Error<core::convert::Infallible>> {
        match self {
            Self::Transport(e) => Ok(e),
            Self::Provider(e) => Err(Error::Provider(e)),
            Self::Unexpected { error, excerpt } => Err(Error::Unexpected { error, excerpt }),
            Self::Core(e) => Err(Error::Core(e)),
        }
    }

    /// The same error with the transport's error changed by `f`.
    pub fn map_transport<F>(self, f: impl FnOnce(E) -> F) -> Error<F> {
        match self {
            Self::Provider(e) => Error::Provider(e),
            Self::Unexpected { error, excerpt } => Error::Unexpected { error, excerpt },
            Self::Transport(e) => Error::Transport(f(e)),
            Self::Core(e) => Error::Core(e),
        }
    }
}

impl<E> From<crate::Error> for Error<E> {
    fn from(error: crate::Error) -> Self {
        match error {
            crate::Error::Provider(e) => Self::Provider(e),
            other => Self::Core(other),
        }
    }
}

impl<E: fmt::Display> fmt::Display for Error<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Provider(e) => fmt::Display::fmt(e, f),
            Self::Unexpected { error, excerpt } => write!(
                f,
                "unexpected answer from the provider: {error}; the body starts with {excerpt:?}"
            ),
            Self::Transport(e) => write!(f, "http transport failed: {e}"),
            Self::Core(e) => fmt::Display::fmt(e, f),
        }
    }
}

impl<E: core::error::Error + 'static> core::error::Error for Error<E> {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            Self::Provider(e) => Some(&**e),
            Self::Unexpected { error, .. } | Self::Core(error) => Some(error),
            Self::Transport(e) => Some(e),
        }
    }
}

/// The answer to an API call, read in full, whatever its status.
pub type ClientResponse<E> = OwnedResponse<Error<E>>;

/// What an exchange's answer was parsed into, or the error that says why not: a 2xx answer that
/// did not parse is [`Error::Unexpected`], with an excerpt of its body.
fn finish<T, E>(
    answer: &http::Response<Vec<u8>>,
    parsed: Result<T, crate::Error>,
) -> Result<T, Error<E>> {
    parsed.map_err(|error| match error {
        crate::Error::Provider(e) => Error::Provider(e),
        error if answer.status().is_success() => Error::Unexpected {
            error,
            excerpt: body_excerpt(answer.body()),
        },
        error => Error::Core(error),
    })
}

/// Drives `exchange` over `transport` to its answer: the one loop. Each request is signed at
/// `clock`'s time with a nonce from `nonces`; the clock-skew retry and same-origin redirects
/// are sent as the exchange decides. The offset learned stays in the exchange
/// ([`Exchange::skew`]).
///
/// # Errors
/// [`Error::Core`] when a request cannot be signed; [`Error::Transport`]. Any status is an
/// answer, not an error.
pub async fn drive<T, C, N>(
    transport: &mut T,
    exchange: &mut Exchange,
    clock: &C,
    nonces: &mut N,
) -> Result<T::Response, Error<T::Error>>
where
    T: AsyncTransport + ?Sized,
    C: Clock + ?Sized,
    N: NonceSource + ?Sized,
{
    loop {
        let request = exchange.request(clock.now(), nonces)?;
        let answer = transport.send(request).await.map_err(Error::Transport)?;
        if let Next::Done(answer) = exchange.handle(answer) {
            return Ok(answer);
        }
    }
}

/// [`drive`] over a blocking transport.
///
/// # Errors
/// As [`drive`].
pub fn drive_blocking<T, C, N>(
    transport: &mut T,
    exchange: &mut Exchange,
    clock: &C,
    nonces: &mut N,
) -> Result<T::Response, Error<T::Error>>
where
    T: Transport + ?Sized,
    C: Clock + ?Sized,
    N: NonceSource + ?Sized,
{
    let mut transport = Blocking(|request| transport.send(request));
    ready(drive(&mut transport, exchange, clock, nonces))
}

/// Builds a client: its transport, clock, nonce source and what it knows of the provider's
/// clock.
#[derive(Debug)]
#[must_use = "a builder does nothing until `build` is called"]
pub struct ClientBuilder<T, C = SystemClock, N = NonceGenerator> {
    transport: T,
    profile: Profile,
    credentials: ClientCredentials,
    clock: C,
    nonces: N,
    skew: Skew,
}

impl<T> ClientBuilder<T> {
    /// A builder for `profile`'s provider with these client credentials, over `transport`.
    pub fn new(transport: T, profile: Profile, credentials: ClientCredentials) -> Self {
        Self {
            transport,
            profile,
            credentials,
            clock: SystemClock,
            nonces: NonceGenerator::new(),
            skew: Skew::new(),
        }
    }
}

impl<T, C, N> ClientBuilder<T, C, N> {
    /// The transport.
    pub fn transport(mut self, transport: T) -> Self {
        self.transport = transport;
        self
    }

    /// Where timestamps come from (default: the system clock). Pin or shift it in tests.
    pub fn clock<C2: Clock>(self, clock: C2) -> ClientBuilder<T, C2, N> {
        ClientBuilder {
            transport: self.transport,
            profile: self.profile,
            credentials: self.credentials,
            clock,
            nonces: self.nonces,
            skew: self.skew,
        }
    }

    /// Where nonces come from (default: a [`NonceGenerator`]).
    pub fn nonces<N2: NonceSource>(self, nonces: N2) -> ClientBuilder<T, C, N2> {
        ClientBuilder {
            transport: self.transport,
            profile: self.profile,
            credentials: self.credentials,
            clock: self.clock,
            nonces,
            skew: self.skew,
        }
    }

    /// Starts with a known clock offset (for example one saved from an earlier run).
    pub fn clock_offset(mut self, seconds: i64) -> Self {
        self.skew = self.skew.with_offset(seconds);
        self
    }

    /// Clock offsets up to this many seconds never cause the clock-skew retry (default
    /// [`DEFAULT_THRESHOLD`](crate::skew::DEFAULT_THRESHOLD)).
    pub fn skew_threshold(mut self, seconds: u64) -> Self {
        self.skew = self.skew.with_threshold(seconds);
        self
    }

    /// The async client.
    pub fn build(self) -> AsyncClient<T, C, N> {
        AsyncClient {
            transport: self.transport,
            profile: self.profile,
            credentials: self.credentials,
            clock: self.clock,
            nonces: self.nonces,
            skew: self.skew,
        }
    }

    /// The blocking client.
    pub fn build_blocking(self) -> Client<T, C, N> {
        let ClientBuilder {
            transport,
            profile,
            credentials,
            clock,
            nonces,
            skew,
        } = self;
        Client {
            inner: AsyncClient {
                transport: Blocking(transport),
                profile,
                credentials,
                clock,
                nonces,
                skew,
            },
        }
    }
}

/// Drives the three-legged flow with one provider, and sends signed API requests, over an
/// [`AsyncTransport`].
///
/// Every request carries the profile's User-Agent. Time and nonces come from the system clock and
/// a [`NonceGenerator`] unless the [`ClientBuilder`] is given others. Each call is one
/// [`Exchange`]: after a 401 whose `Date` shows clock skew, the request is signed once more with
/// the corrected time and a fresh nonce and sent once more, and the offset learned is kept for
/// later calls ([`clock_offset`](Self::clock_offset)); same-origin redirects are followed,
/// re-signed (up to the profile's limit); a redirect to another origin is the answer.
///
/// `Debug` never shows a secret.
#[derive(Clone, Debug)]
pub struct AsyncClient<T, C = SystemClock, N = NonceGenerator> {
    transport: T,
    profile: Profile,
    credentials: ClientCredentials,
    clock: C,
    nonces: N,
    skew: Skew,
}

impl<T: Default> AsyncClient<T> {
    /// A client for `profile`'s provider with these client credentials, the transport's default
    /// and the system clock.
    #[must_use]
    pub fn new(profile: Profile, credentials: ClientCredentials) -> Self {
        Self::builder(profile, credentials).build()
    }

    /// A builder, to change the defaults.
    pub fn builder(profile: Profile, credentials: ClientCredentials) -> ClientBuilder<T> {
        ClientBuilder::new(T::default(), profile, credentials)
    }
}

impl<T> AsyncClient<T> {
    /// A client over `transport`, with the system clock.
    #[must_use]
    pub fn with_transport(transport: T, profile: Profile, credentials: ClientCredentials) -> Self {
        ClientBuilder::new(transport, profile, credentials).build()
    }
}

impl<T, C: Clock, N> AsyncClient<T, C, N> {
    /// The provider's profile.
    #[must_use]
    pub fn profile(&self) -> &Profile {
        &self.profile
    }

    /// The client credentials.
    #[must_use]
    pub fn credentials(&self) -> &ClientCredentials {
        &self.credentials
    }

    /// The transport.
    #[must_use]
    pub fn transport(&self) -> &T {
        &self.transport
    }

    /// What is known of the provider's clock.
    #[must_use]
    pub fn skew(&self) -> Skew {
        self.skew
    }

    /// The provider's clock minus ours, in seconds, as learned from a clock-skew retry.
    #[must_use]
    pub fn clock_offset(&self) -> i64 {
        self.skew.offset()
    }

    /// Now, in seconds since the Unix epoch, on the provider's clock as far as it is known.
    #[must_use]
    pub fn now(&self) -> u64 {
        self.skew.now(self.clock.now())
    }
}

impl<T, C, N> AsyncClient<T, C, N>
where
    T: AsyncTransport<Response = http::Response<Vec<u8>>>,
    C: Clock,
    N: NonceSource,
{
    /// Drives `exchange` to its answer (any status), with this client's clock, nonces and
    /// skew, and keeps the offset it learns.
    ///
    /// # Errors
    /// As [`drive`].
    pub async fn exchange(
        &mut self,
        exchange: Exchange,
    ) -> Result<http::Response<Vec<u8>>, Error<T::Error>> {
        let mut exchange = exchange.with_skew(self.skew);
        let answer = drive(
            &mut self.transport,
            &mut exchange,
            &self.clock,
            &mut self.nonces,
        )
        .await;
        self.skew = exchange.skew();
        answer
    }

    /// Step 1: gets a request token, and the state that knows where to send the user
    /// ([`Authorize::authorize_url`]).
    ///
    /// # Errors
    /// [`Error::Core`] for an invalid callback or an insecure transport; [`Error::Provider`] for
    /// a refusal; [`Error::Transport`]; [`Error::Unexpected`] for a 2xx answer that is not a
    /// request token (or lacks `oauth_callback_confirmed=true`).
    pub async fn request_token(
        &mut self,
        callback: CallbackMode,
    ) -> Result<Authorize, Error<T::Error>> {
        let flow = RequestToken::new(self.profile.clone(), self.credentials.clone(), callback)?;
        let answer = self.exchange(flow.exchange()?).await?;
        let now = self.now();
        finish(&answer, flow.receive(&Response::from_http(&answer), now))
    }

    /// Step 2: exchanges the authorized request token for access credentials.
    ///
    /// # Errors
    /// [`Error::Core`] with [`FlowError::Denied`](crate::FlowError::Denied) when the user
    /// refused, [`FlowError::RequestTokenExpired`](crate::FlowError::RequestTokenExpired) past
    /// its lifetime, [`FlowError::TokenMismatch`](crate::FlowError::TokenMismatch) for a callback
    /// about another token; otherwise as [`request_token`](Self::request_token).
    pub async fn access_token(
        &mut self,
        pending: Authorize,
        approval: Approval<'_>,
    ) -> Result<Session, Error<T::Error>> {
        let next = pending.approve(approval, self.now())?;
        let answer = self.exchange(next.exchange()?).await?;
        let now = self.now();
        finish(&answer, next.receive(&Response::from_http(&answer), now))
    }

    /// Who the access credentials belong to: the provider's identity resource.
    ///
    /// # Errors
    /// [`Error::Core`] when the profile has no identity URL; [`Error::Provider`];
    /// [`Error::Transport`]; [`Error::Unexpected`] for JSON that is not an identity.
    #[cfg(feature = "json")]
    pub async fn identity(
        &mut self,
        session: &Session,
    ) -> Result<crate::identity::Identity, Error<T::Error>> {
        let answer = self.exchange(session.identity_exchange()?).await?;
        let parsed = crate::identity::Identity::from_response(&Response::from_http(&answer));
        finish(&answer, parsed)
    }

    /// Renews expired access credentials with the session handle (the OAuth session extension).
    ///
    /// # Errors
    /// [`Error::Core`] with [`FlowError::NoSessionHandle`](crate::FlowError::NoSessionHandle)
    /// when the provider gave none; otherwise as [`access_token`](Self::access_token).
    pub async fn renew(&mut self, session: Session) -> Result<Session, Error<T::Error>> {
        let answer = self.exchange(session.renewal_exchange()?).await?;
        let now = self.now();
        finish(
            &answer,
            session.receive_renewal(&Response::from_http(&answer), now),
        )
    }

    /// Sends an API request signed with the session's access credentials, and reads the answer,
    /// whatever its status (see [`OwnedResponse::error_for_status`]).
    ///
    /// # Errors
    /// As [`send_with`](Self::send_with).
    pub async fn send<B: SignableBody>(
        &mut self,
        session: &Session,
        request: http::Request<B>,
    ) -> Result<ClientResponse<T::Error>, Error<T::Error>> {
        let auth = session.authenticator()?;
        let redirects = session.profile().max_redirects();
        self.send_signed(auth, redirects, request).await
    }

    /// Sends an API request with any credentials (see [`crate::auth`]), and reads the answer,
    /// whatever its status. OAuth requests get the clock-skew retry.
    ///
    /// # Errors
    /// [`Error::Core`] when the request cannot be signed (an insecure transport, a relative
    /// URI); [`Error::Transport`].
    pub async fn send_with<B: SignableBody>(
        &mut self,
        auth: &Authenticator,
        request: http::Request<B>,
    ) -> Result<ClientResponse<T::Error>, Error<T::Error>> {
        let redirects = self.profile.max_redirects();
        self.send_signed(auth.clone(), redirects, request).await
    }

    async fn send_signed<B: SignableBody>(
        &mut self,
        auth: Authenticator,
        redirects: u8,
        request: http::Request<B>,
    ) -> Result<ClientResponse<T::Error>, Error<T::Error>> {
        let request = request.map(|body| body.bytes().to_vec());
        let exchange = Exchange::new(request, auth).max_redirects(redirects);
        Ok(OwnedResponse::from(self.exchange(exchange).await?))
    }
}

/// [`AsyncClient`] over a blocking [`Transport`]: the same methods, the same loop, without
/// `async`.
///
/// ```
/// use countersign::client::{Client, Error};
/// use countersign::flow::CallbackMode;
/// use countersign::ClientCredentials;
///
/// let refusing = |_request: http::Request<Vec<u8>>| {
///     Ok::<_, std::io::Error>(
///         http::Response::builder().status(401).body(b"Invalid consumer.".to_vec()).unwrap(),
///     )
/// };
/// let profile = countersign::discogs::profile("MyApp/1.0")?;
/// let mut client = Client::with_transport(refusing, profile, ClientCredentials::new("k", "s"));
/// let Err(Error::Provider(refusal)) = client.request_token(CallbackMode::OutOfBand) else {
///     panic!("the provider refused")
/// };
/// assert_eq!(refusal.status, 401);
/// # Ok::<(), countersign::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Client<T, C = SystemClock, N = NonceGenerator> {
    inner: AsyncClient<Blocking<T>, C, N>,
}

impl<T: Default> Client<T> {
    /// As [`AsyncClient::new`].
    #[must_use]
    pub fn new(profile: Profile, credentials: ClientCredentials) -> Self {
        Self::builder(profile, credentials).build_blocking()
    }

    /// As [`AsyncClient::builder`].
    pub fn builder(profile: Profile, credentials: ClientCredentials) -> ClientBuilder<T> {
        ClientBuilder::new(T::default(), profile, credentials)
    }
}

impl<T> Client<T> {
    /// As [`AsyncClient::with_transport`].
    #[must_use]
    pub fn with_transport(transport: T, profile: Profile, credentials: ClientCredentials) -> Self {
        ClientBuilder::new(transport, profile, credentials).build_blocking()
    }
}

/// Getters of the blocking client, each the async client's.
macro_rules! as_async {
    ($($name:ident -> $ty:ty),* $(,)?) => {$(
        #[doc = concat!("As [`AsyncClient::", stringify!($name), "`].")]
        #[must_use]
        pub fn $name(&self) -> $ty {
            self.inner.$name()
        }
    )*};
}

impl<T, C: Clock, N> Client<T, C, N> {
    as_async!(
        profile -> &Profile,
        credentials -> &ClientCredentials,
        skew -> Skew,
        clock_offset -> i64,
        now -> u64,
    );

    /// The transport.
    #[must_use]
    pub fn transport(&self) -> &T {
        &self.inner.transport().0
    }
}

impl<T, C, N> Client<T, C, N>
where
    T: Transport<Response = http::Response<Vec<u8>>>,
    C: Clock,
    N: NonceSource,
{
    /// As [`AsyncClient::exchange`].
    ///
    /// # Errors
    /// As [`AsyncClient::exchange`].
    pub fn exchange(
        &mut self,
        exchange: Exchange,
    ) -> Result<http::Response<Vec<u8>>, Error<T::Error>> {
        ready(self.inner.exchange(exchange))
    }

    /// As [`AsyncClient::request_token`].
    ///
    /// # Errors
    /// As [`AsyncClient::request_token`].
    pub fn request_token(&mut self, callback: CallbackMode) -> Result<Authorize, Error<T::Error>> {
        ready(self.inner.request_token(callback))
    }

    /// As [`AsyncClient::access_token`].
    ///
    /// # Errors
    /// As [`AsyncClient::access_token`].
    pub fn access_token(
        &mut self,
        pending: Authorize,
        approval: Approval<'_>,
    ) -> Result<Session, Error<T::Error>> {
        ready(self.inner.access_token(pending, approval))
    }

    /// As [`AsyncClient::identity`].
    ///
    /// # Errors
    /// As [`AsyncClient::identity`].
    #[cfg(feature = "json")]
    pub fn identity(
        &mut self,
        session: &Session,
    ) -> Result<crate::identity::Identity, Error<T::Error>> {
        ready(self.inner.identity(session))
    }

    /// As [`AsyncClient::renew`].
    ///
    /// # Errors
    /// As [`AsyncClient::renew`].
    pub fn renew(&mut self, session: Session) -> Result<Session, Error<T::Error>> {
        ready(self.inner.renew(session))
    }

    /// As [`AsyncClient::send`].
    ///
    /// # Errors
    /// As [`AsyncClient::send`].
    pub fn send<B: SignableBody>(
        &mut self,
        session: &Session,
        request: http::Request<B>,
    ) -> Result<ClientResponse<T::Error>, Error<T::Error>> {
        ready(self.inner.send(session, request))
    }

    /// As [`AsyncClient::send_with`].
    ///
    /// # Errors
    /// As [`AsyncClient::send_with`].
    pub fn send_with<B: SignableBody>(
        &mut self,
        auth: &Authenticator,
        request: http::Request<B>,
    ) -> Result<ClientResponse<T::Error>, Error<T::Error>> {
        ready(self.inner.send_with(auth, request))
    }
}
