//! A [`reqwest_middleware`] middleware that signs every request of a client (feature
//! `middleware`).
//!
//! ```no_run
//! use countersign_reqwest::countersign::auth::Auth;
//! use countersign_reqwest::countersign::{discogs, ClientCredentials};
//! use countersign_reqwest::middleware::SigningMiddleware;
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let profile = discogs::profile("MyCollectionApp/1.0 +https://example.org")?;
//! let app = profile.authenticator(Auth::ConsumerKey(ClientCredentials::new("key", "secret")));
//! let http = countersign_reqwest::http_client_builder().build()?;
//! let client = reqwest_middleware::ClientBuilder::new(http)
//!     .with(SigningMiddleware::new(app))
//!     .build();
//! let release = client.get("https://api.discogs.com/releases/249504").send().await?;
//! println!("{}", release.text().await?);
//! # Ok(())
//! # }
//! ```

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use countersign::auth::Authenticator;
use countersign::client::{AsyncTransport, drive};
use countersign::clock::SystemClock;
use countersign::exchange::{Exchange, ResponseHead};
use countersign::nonce::NonceGenerator;
use countersign::profile::DEFAULT_MAX_REDIRECTS;
use countersign::skew::Skew;
use http::Extensions;
use reqwest_middleware::{Error as ChainError, Middleware, Next};

/// Signs every request that passes through it with its [`Authenticator`], as one exchange of
/// the core's.
///
/// With OAuth, after a 401 whose `Date` shows clock skew, it signs the request once more with the
/// corrected time and a fresh nonce and passes it on once more (not for a streamed body, which
/// cannot be sent twice, and is signed once); the offset learned is kept for later requests
/// ([`clock_offset`](Self::clock_offset)), shared by the middleware's clones. A same-origin
/// redirect that comes back (the client follows none itself) is followed, re-signed. Signing
/// errors are [`reqwest_middleware::Error::Middleware`] wrapping a [`crate::Error`]; reqwest's
/// errors from further down the chain have their URL's credential parameters redacted.
#[derive(Clone, Debug)]
pub struct SigningMiddleware {
    auth: Arc<Authenticator>,
    offset: Arc<AtomicI64>,
}

impl SigningMiddleware {
    /// A middleware that signs with `auth`.
    #[must_use]
    pub fn new(auth: Authenticator) -> Self {
        Self {
            auth: Arc::new(auth),
            offset: Arc::default(),
        }
    }

    /// The provider's clock minus ours, in seconds, as learned from a clock-skew retry.
    #[must_use]
    pub fn clock_offset(&self) -> i64 {
        self.offset.load(Ordering::Relaxed)
    }
}

/// The rest of the chain, as a transport; its answers stay unread.
struct Chain<'a, 'e> {
    next: Next<'a>,
    extensions: &'e mut Extensions,
}

struct Answer(reqwest::Response);

impl ResponseHead for Answer {
    fn status(&self) -> http::StatusCode {
        self.0.status()
    }
    fn headers(&self) -> &http::HeaderMap {
        self.0.headers()
    }
}

impl AsyncTransport for Chain<'_, '_> {
    type Response = Answer;
    type Error = ChainError;

    async fn send(&mut self, request: http::Request<Vec<u8>>) -> Result<Answer, Self::Error> {
        let answer = self.next.clone().run(outgoing(request)?, self.extensions);
        Ok(Answer(answer.await.map_err(redact)?))
    }
}

/// `request` as reqwest's, with the URL's credential parameters redacted from the error.
fn outgoing<B: Into<reqwest::Body>>(
    request: http::Request<B>,
) -> Result<reqwest::Request, ChainError> {
    reqwest::Request::try_from(request).map_err(|e| redact(e.into()))
}

fn refused(error: impl Into<crate::Error>) -> ChainError {
    ChainError::middleware(error.into())
}

#[async_trait::async_trait]
impl Middleware for SigningMiddleware {
    async fn handle(
        &self,
        request: reqwest::Request,
        extensions: &mut Extensions,
        next: Next<'_>,
    ) -> reqwest_middleware::Result<reqwest::Response> {
        let request = http::Request::try_from(request).map_err(|e| redact(e.into()))?;
        let (mut head, body) = request.into_parts();
        let Some(bytes) = body.as_bytes().map(<[u8]>::to_vec) else {
            self.auth.sign_parts_now(&mut head, None).map_err(refused)?;
            let request = outgoing(http::Request::from_parts(head, body))?;
            return next.run(request, extensions).await.map_err(redact);
        };
        let skew = Skew::new().with_offset(self.clock_offset());
        let request = http::Request::from_parts(head, bytes);
        let mut exchange = Exchange::new(request, Authenticator::clone(&self.auth))
            .with_skew(skew)
            .max_redirects(DEFAULT_MAX_REDIRECTS);
        let mut chain = Chain { next, extensions };
        let mut nonces = NonceGenerator::new();
        let answer = drive(&mut chain, &mut exchange, &SystemClock, &mut nonces).await;
        self.offset
            .store(exchange.skew().offset(), Ordering::Relaxed);
        match answer.map_err(countersign::client::Error::into_transport) {
            Ok(answer) => Ok(answer.0),
            Err(Ok(transport)) => Err(transport),
            Err(Err(other)) => Err(refused(other.map_transport(|never| match never {}))),
        }
    }
}

/// reqwest's error with its URL's credential parameters redacted, as [`crate::Error`]'s are:
/// with credentials in the query the URL carries them, and reqwest's `Display` quotes it.
/// (Errors of other middlewares are theirs to redact.)
fn redact(mut error: ChainError) -> ChainError {
    if let ChainError::Reqwest(inner) = &mut error
        && let Some(url) = inner.url_mut()
    {
        crate::error::redact_url(url);
    }
    error
}
