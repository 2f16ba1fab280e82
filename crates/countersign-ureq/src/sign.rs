//! Signing `http::Request`s (which ureq 3 runs natively): [`Authenticator`].

use countersign::clock::Clock;
use countersign::discogs::{DiscogsAuth, Placement};
use countersign::flow::Session;
use countersign::nonce::NonceSource;

use crate::Response;
use crate::{Error, run};
use countersign::skew::{Stamp, Stamps};

/// Signs requests with one of the four Discogs credential modes (none, key/secret, personal
/// token, OAuth 1.0a), a clock, a nonce source, and the clock offset learned from the provider.
///
/// It is `Send + Sync`: share one (in an `Arc`, or by reference) between threads. The
/// authenticators a [`Client`](crate::Client) hands out share its clock, nonce source and learned
/// offset.
///
/// ```
/// use countersign_ureq::countersign::discogs::DiscogsAuth;
/// use countersign_ureq::countersign::Secret;
/// use countersign_ureq::Authenticator;
///
/// let auth = Authenticator::new(DiscogsAuth::PersonalToken(Secret::new("my-token")))
///     .user_agent("MyCollectionApp/1.0 +https://example.org");
/// let mut request = http::Request::get("https://api.discogs.com/oauth/identity").body(())?;
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

    /// The provider's clock minus ours, in seconds, as learned from a skewed 401 (0 until
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

    /// Signs an `http::Request` in place: sets `Authorization` (marked sensitive) or, for Discogs
    /// Auth in the query, rewrites the URI; sets the User-Agent if the request has none. The
    /// method, the URI with its query, and a form body (`application/x-www-form-urlencoded`) are
    /// what gets signed. Sign a request once.
    ///
    /// # Errors
    /// [`Error::Core`]: [`countersign::Misuse::InsecureTransport`] for secrets over `http://` to
    /// a host that is not loopback, [`countersign::ParseError::Url`] for a relative URI,
    /// [`countersign::Misuse::HeaderValue`] for a value that cannot travel in a header,
    /// [`countersign::Error::Random`] when the nonce source fails.
    pub fn sign<B: SignableBody>(&self, request: &mut http::Request<B>) -> Result<(), Error> {
        self.sign_request(request).map(drop)
    }

    pub(crate) fn sign_request<B: SignableBody>(
        &self,
        request: &mut http::Request<B>,
    ) -> Result<Option<Stamp>, Error> {
        sign(
            &self.auth,
            self.placement,
            self.user_agent.as_deref(),
            &self.stamps,
            request,
        )
    }

    /// Signs `request`, runs it on `agent`, and reads the answer (any status: see
    /// [`Response::error_for_status`]). With OAuth, after a 401 whose `Date` shows clock skew,
    /// signs it once more with the corrected time and a fresh nonce and sends it once more.
    ///
    /// The request runs with ureq's `http_status_as_error` off (a 4xx is an answer, so that its
    /// `Date` can be read); the agent's other settings, redirects included, stay as they are.
    ///
    /// # Errors
    /// As [`sign`](Self::sign); [`Error::Transport`].
    pub fn send<B: SignableBody>(
        &self,
        agent: &ureq::Agent,
        request: http::Request<B>,
    ) -> Result<Response, Error> {
        send(
            agent,
            &self.auth,
            self.placement,
            self.user_agent.as_deref(),
            &self.stamps,
            request,
            run::Redirects::AsConfigured,
        )
    }

    pub(crate) fn stamps(&self) -> &Stamps {
        &self.stamps
    }
}

mod sealed {
    pub trait Sealed {}
}

/// A request body the [`Authenticator`] can sign and send: one in memory (`()`, `&[u8]`,
/// `&[u8; N]`, `Vec<u8>`, `&str`, `String`). A form body (`application/x-www-form-urlencoded`)
/// is passed to the signature method; other bodies are not read.
///
/// ```
/// use countersign_ureq::countersign::discogs::DiscogsAuth;
/// use countersign_ureq::Authenticator;
///
/// let auth = Authenticator::new(DiscogsAuth::None).user_agent("MyApp/1.0");
/// let mut get = http::Request::get("https://api.discogs.com/").body(())?;
/// auth.sign(&mut get)?;
/// let mut post = http::Request::post("https://api.discogs.com/x")
///     .header("content-type", "application/x-www-form-urlencoded")
///     .body("a=1")?;
/// auth.sign(&mut post)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub trait SignableBody: sealed::Sealed {
    /// The body's bytes.
    fn bytes(&self) -> &[u8];
}

macro_rules! signable {
    ($($t:ty => |$b:ident| $e:expr),* $(,)?) => {$(
        impl sealed::Sealed for $t {}
        impl SignableBody for $t {
            fn bytes(&self) -> &[u8] {
                let $b = self;
                $e
            }
        }
    )*};
}

signable! {
    () => |_b| &[],
    &[u8] => |b| b,
    Vec<u8> => |b| b,
    &Vec<u8> => |b| b,
    &str => |b| b.as_bytes(),
    String => |b| b.as_bytes(),
    &String => |b| b.as_bytes(),
}

impl<const N: usize> sealed::Sealed for &[u8; N] {}
impl<const N: usize> SignableBody for &[u8; N] {
    fn bytes(&self) -> &[u8] {
        &self[..]
    }
}

/// Signs `request` with `auth` (the core's [`countersign::http::authorize_in_place_with`]); sets
/// the User-Agent; returns the stamp of an OAuth signature (for the clock-skew retry).
pub(crate) fn sign<B: SignableBody>(
    auth: &DiscogsAuth,
    placement: Placement,
    user_agent: Option<&str>,
    stamps: &Stamps,
    request: &mut http::Request<B>,
) -> Result<Option<Stamp>, Error> {
    let stamp = match auth {
        DiscogsAuth::OAuth(_) => Some(stamps.next()?),
        _ => None,
    };
    let (timestamp, nonce) = stamp
        .as_ref()
        .map_or((0, ""), |s| (s.timestamp, s.nonce.as_str()));
    countersign::http::authorize_in_place_with(
        request,
        |body| Some(body.bytes()),
        auth,
        placement,
        timestamp,
        nonce,
    )?;
    if let Some(ua) = user_agent {
        countersign::http::default_user_agent(request.headers_mut(), ua)?;
    }
    Ok(stamp)
}

/// An unsigned copy of `request` with its body in memory, for the one retry.
fn copy<B: SignableBody>(request: &http::Request<B>) -> Result<http::Request<Vec<u8>>, Error> {
    let mut copy = http::Request::builder()
        .method(request.method().clone())
        .uri(request.uri().clone())
        .version(request.version())
        .body(request.body().bytes().to_vec())
        .map_err(|e| Error::Transport(ureq::Error::Http(e)))?;
    *copy.headers_mut() = request.headers().clone();
    Ok(copy)
}

/// Signs, runs, and after a skewed 401 signs and runs once more.
pub(crate) fn send<B: SignableBody>(
    agent: &ureq::Agent,
    auth: &DiscogsAuth,
    placement: Placement,
    user_agent: Option<&str>,
    stamps: &Stamps,
    request: http::Request<B>,
    redirects: run::Redirects,
) -> Result<Response, Error> {
    let oauth = matches!(auth, DiscogsAuth::OAuth(_));
    let again = if oauth { Some(copy(&request)?) } else { None };
    let mut request = request;
    let stamp = sign(auth, placement, user_agent, stamps, &mut request)?;
    let response = run::run(agent, request, redirects)?;
    if let (Some(stamp), Some(mut again)) = (stamp, again)
        && stamps.should_retry(&stamp, &response.as_core())
    {
        sign(auth, placement, user_agent, stamps, &mut again)?;
        return run::run(agent, again, redirects);
    }
    Ok(response)
}
