//! Signing reqwest requests: [`Authenticator`] and [`RequestBuilderExt`].

use std::future::Future;

use countersign::clock::Clock;
use countersign::discogs::{DiscogsAuth, Placement};
use countersign::flow::Session;
use countersign::nonce::NonceSource;
use http::header::HeaderMap;
use reqwest::{Method, Url};

use crate::Error;
use countersign::skew::{Stamp, Stamps};

/// Signs requests with one of the four Discogs credential modes (none, key/secret, personal
/// token, OAuth 1.0a), a clock, a nonce source, and the clock offset learned from the provider.
///
/// It is `Send + Sync`: share one (in an `Arc`, or by reference) between tasks. The
/// authenticators a [`Client`](crate::Client) hands out share its clock, nonce source and learned
/// offset.
///
/// ```
/// use countersign_reqwest::countersign::discogs::DiscogsAuth;
/// use countersign_reqwest::countersign::Secret;
/// use countersign_reqwest::Authenticator;
///
/// let auth = Authenticator::new(DiscogsAuth::PersonalToken(Secret::new("my-token")))
///     .user_agent("MyCollectionApp/1.0 +https://example.org");
/// let mut request = reqwest::Request::new(
///     reqwest::Method::GET,
///     "https://api.discogs.com/oauth/identity".parse()?,
/// );
/// auth.sign(&mut request)?;
/// let header = &request.headers()["authorization"];
/// assert!(header.is_sensitive());
/// assert_eq!(header, "Discogs token=my-token");
/// assert_eq!(request.headers()["user-agent"], "MyCollectionApp/1.0 +https://example.org");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct Authenticator {
    auth: DiscogsAuth,
    placement: Placement,
    user_agent: Option<String>,
    stamps: Stamps,
}

impl Authenticator {
    /// Signs with `auth`, credentials in the `Authorization` header, the system clock and
    /// countersign's [`NonceGenerator`](countersign::nonce::NonceGenerator).
    #[must_use]
    pub fn new(auth: DiscogsAuth) -> Self {
        Self::with_stamps(auth, None, Stamps::default())
    }

    /// OAuth 1.0a with a session's access credentials, and its provider's User-Agent.
    ///
    /// # Errors
    /// As [`Session::signer`].
    pub fn for_session(session: &Session) -> Result<Self, Error> {
        Ok(Self::with_stamps(
            DiscogsAuth::OAuth(session.signer()?),
            session.config().configured_user_agent(),
            Stamps::default(),
        ))
    }

    pub(crate) fn with_stamps(auth: DiscogsAuth, user_agent: Option<&str>, stamps: Stamps) -> Self {
        Self {
            auth,
            placement: Placement::Header,
            user_agent: user_agent.map(Into::into),
            stamps,
        }
    }

    /// Where Discogs Auth credentials (key/secret, personal token) travel: the `Authorization`
    /// header (the default) or the query string. OAuth always uses the header.
    #[must_use]
    pub fn placement(mut self, placement: Placement) -> Self {
        self.placement = placement;
        self
    }

    /// A User-Agent for requests that have none (Discogs blocks requests without one).
    #[must_use]
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// Where timestamps come from (default: the system clock). Pin or shift it in tests.
    #[must_use]
    pub fn clock(mut self, clock: impl Clock + Send + Sync + 'static) -> Self {
        self.stamps.set_clock(clock);
        self
    }

    /// Where nonces come from (default: countersign's `NonceGenerator`).
    #[must_use]
    pub fn nonces(mut self, nonces: impl NonceSource + Send + 'static) -> Self {
        self.stamps.set_nonces(nonces);
        self
    }

    /// Clock offsets up to this many seconds never cause the clock-skew retry (default
    /// [`countersign::skew::DEFAULT_THRESHOLD`]).
    #[must_use]
    pub fn skew_threshold(mut self, seconds: u64) -> Self {
        self.stamps.set_threshold(seconds);
        self
    }

    /// The provider's clock minus ours, in seconds, as learned from a clock-skew retry (0 until
    /// then). Timestamps are corrected by it.
    #[must_use]
    pub fn clock_offset(&self) -> i64 {
        self.stamps.offset()
    }

    /// Sets the clock offset (for example one saved from an earlier run).
    pub fn set_clock_offset(&self, seconds: i64) {
        self.stamps.set_offset(seconds);
    }

    /// The credential mode.
    #[must_use]
    pub fn auth(&self) -> &DiscogsAuth {
        &self.auth
    }

    /// Signs a request in place: sets `Authorization` (marked sensitive) or, for Discogs Auth in
    /// the query, rewrites the URL; sets the User-Agent if the request has none. The URL with its
    /// query, the method, and a form body (when the request is
    /// `application/x-www-form-urlencoded` and not streamed) are what gets signed.
    ///
    /// Sign a request once: signing again replaces the header, but adds the query credentials a
    /// second time.
    ///
    /// # Errors
    /// [`Error::Core`]: [`countersign::Misuse::InsecureTransport`] for secrets over `http://` to
    /// a host that is not loopback, [`countersign::Misuse::HeaderValue`] for a value that cannot
    /// travel in a header, [`countersign::Error::Random`] when the nonce source fails.
    pub fn sign(&self, request: &mut reqwest::Request) -> Result<(), Error> {
        self.sign_request(request).map(drop)
    }

    pub(crate) fn sign_request(
        &self,
        request: &mut reqwest::Request,
    ) -> Result<Option<Stamp>, Error> {
        sign_reqwest(
            &self.auth,
            self.placement,
            self.user_agent.as_deref(),
            &self.stamps,
            request,
        )
    }

    /// As [`sign`](Self::sign), for a `reqwest::blocking` request.
    ///
    /// # Errors
    /// As [`sign`](Self::sign).
    #[cfg(feature = "blocking")]
    pub fn sign_blocking(&self, request: &mut reqwest::blocking::Request) -> Result<(), Error> {
        self.sign_blocking_request(request).map(drop)
    }

    #[cfg(feature = "blocking")]
    pub(crate) fn sign_blocking_request(
        &self,
        request: &mut reqwest::blocking::Request,
    ) -> Result<Option<Stamp>, Error> {
        sign_blocking(
            &self.auth,
            self.placement,
            self.user_agent.as_deref(),
            &self.stamps,
            request,
        )
    }

    pub(crate) fn stamps(&self) -> &Stamps {
        &self.stamps
    }
}

/// A request's parts, borrowed for signing.
pub(crate) struct Parts<'a> {
    pub(crate) method: &'a Method,
    pub(crate) url: &'a mut Url,
    pub(crate) headers: &'a mut HeaderMap,
    /// The body when it is in memory (`Some(&[])` for none), `None` for a stream (which cannot
    /// be read for signing).
    pub(crate) body: Option<&'a [u8]>,
}

/// Signs `parts` with `auth` (the core's [`countersign::http::authorize_parts`]); sets the
/// User-Agent; returns the stamp of an OAuth signature (for the clock-skew retry).
pub(crate) fn sign_parts(
    auth: &DiscogsAuth,
    placement: Placement,
    user_agent: Option<&str>,
    stamps: &Stamps,
    parts: Parts<'_>,
) -> Result<Option<Stamp>, Error> {
    let stamp = match auth {
        DiscogsAuth::OAuth(_) => Some(stamps.next()?),
        _ => None,
    };
    let (timestamp, nonce) = stamp
        .as_ref()
        .map_or((0, ""), |s| (s.timestamp, s.nonce.as_str()));
    let (mut head, ()) = http::Request::new(()).into_parts();
    head.method = parts.method.clone();
    head.uri = parts.url.as_str().parse().map_err(|_| {
        countersign::Error::Parse(countersign::ParseError::Url {
            reason: "the http crate refused the request's URL",
        })
    })?;
    let before = head.uri.clone();
    // The headers are moved, not copied, and come back whether signing worked or not.
    head.headers = std::mem::take(parts.headers);
    let signed = countersign::http::authorize_parts(
        &mut head, parts.body, auth, placement, timestamp, nonce,
    );
    *parts.headers = head.headers;
    signed?;
    if head.uri != before {
        // The credentials went into the query.
        *parts.url = Url::parse(&head.uri.to_string()).map_err(|_| {
            countersign::Error::Parse(countersign::ParseError::Url {
                reason: "the URL with credentials in its query does not parse",
            })
        })?;
    }
    if let Some(ua) = user_agent {
        countersign::http::default_user_agent(parts.headers, ua)?;
    }
    Ok(stamp)
}

/// Signs a reqwest request in place.
pub(crate) fn sign_reqwest(
    auth: &DiscogsAuth,
    placement: Placement,
    user_agent: Option<&str>,
    stamps: &Stamps,
    request: &mut reqwest::Request,
) -> Result<Option<Stamp>, Error> {
    // The headers are taken out so that the body can be borrowed while they change.
    let mut headers = std::mem::take(request.headers_mut());
    let mut url = request.url().clone();
    let parts = Parts {
        method: request.method(),
        url: &mut url,
        headers: &mut headers,
        body: request.body().map_or(Some(&[]), reqwest::Body::as_bytes),
    };
    let signed = sign_parts(auth, placement, user_agent, stamps, parts);
    *request.headers_mut() = headers;
    let stamp = signed?;
    *request.url_mut() = url;
    Ok(stamp)
}

/// Signs a `reqwest::blocking` request in place.
#[cfg(feature = "blocking")]
pub(crate) fn sign_blocking(
    auth: &DiscogsAuth,
    placement: Placement,
    user_agent: Option<&str>,
    stamps: &Stamps,
    request: &mut reqwest::blocking::Request,
) -> Result<Option<Stamp>, Error> {
    let mut headers = std::mem::take(request.headers_mut());
    let mut url = request.url().clone();
    let parts = Parts {
        method: request.method(),
        url: &mut url,
        headers: &mut headers,
        body: request
            .body()
            .map_or(Some(&[]), reqwest::blocking::Body::as_bytes),
    };
    let signed = sign_parts(auth, placement, user_agent, stamps, parts);
    *request.headers_mut() = headers;
    let stamp = signed?;
    *request.url_mut() = url;
    Ok(stamp)
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for reqwest::RequestBuilder {}
}

/// Signing straight from a [`reqwest::RequestBuilder`].
///
/// ```no_run
/// use countersign_reqwest::countersign::discogs::DiscogsAuth;
/// use countersign_reqwest::countersign::Secret;
/// use countersign_reqwest::{Authenticator, RequestBuilderExt, ResponseExt};
///
/// # async fn run() -> Result<(), countersign_reqwest::Error> {
/// let auth = Authenticator::new(DiscogsAuth::PersonalToken(Secret::new("my-token")))
///     .user_agent("MyCollectionApp/1.0 +https://example.org");
/// let http = countersign_reqwest::http_client_builder().build().map_err(countersign_reqwest::Error::Transport)?;
/// let response = http
///     .get("https://api.discogs.com/oauth/identity")
///     .send_signed(&auth)
///     .await?;
/// println!("{:?} {}", response.rate_limit(), response.text().await.map_err(countersign_reqwest::Error::Transport)?);
/// # Ok(())
/// # }
/// ```
pub trait RequestBuilderExt: sealed::Sealed + Sized {
    /// Builds the request and signs it: the client to send it with, and the signed request.
    ///
    /// # Errors
    /// [`Error::Transport`] when the builder holds an error; as [`Authenticator::sign`].
    fn build_signed(
        self,
        auth: &Authenticator,
    ) -> Result<(reqwest::Client, reqwest::Request), Error>;

    /// Builds, signs and sends the request. After a 401 whose `Date` shows clock skew (OAuth
    /// only), signs it once more with the corrected time and a fresh nonce and sends it once more
    /// (not for a streamed body, which cannot be sent twice). Any status is returned as it is.
    ///
    /// # Errors
    /// As [`build_signed`](Self::build_signed), and [`Error::Transport`] when sending fails.
    fn send_signed(
        self,
        auth: &Authenticator,
    ) -> impl Future<Output = Result<reqwest::Response, Error>> + Send;
}

impl RequestBuilderExt for reqwest::RequestBuilder {
    fn build_signed(
        self,
        auth: &Authenticator,
    ) -> Result<(reqwest::Client, reqwest::Request), Error> {
        let (client, request) = self.build_split();
        let mut request = request.map_err(Error::transport)?;
        auth.sign(&mut request)?;
        Ok((client, request))
    }

    async fn send_signed(self, auth: &Authenticator) -> Result<reqwest::Response, Error> {
        let (client, request) = self.build_split();
        let request = request.map_err(Error::transport)?;
        let again = request.try_clone();
        let mut request = request;
        let stamp = auth.sign_request(&mut request)?;
        let response = client.execute(request).await.map_err(Error::transport)?;
        if let (Some(stamp), Some(mut again)) = (stamp, again) {
            let view =
                countersign::response::Response::from_head(response.status(), response.headers());
            if auth.stamps().should_retry(&stamp, &view) {
                auth.sign_request(&mut again)?;
                return client.execute(again).await.map_err(Error::transport);
            }
        }
        Ok(response)
    }
}
