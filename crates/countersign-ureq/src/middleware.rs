//! A ureq [`Middleware`] that signs every request of an agent.

use std::io::{Cursor, Read};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use countersign::auth::Authenticator;
use countersign::clock::{Clock, SystemClock};
use countersign::nonce::{NonceGenerator, NonceSource};
use countersign::skew::Skew;
use http::header::{CONTENT_LENGTH, DATE};
use ureq::middleware::{Middleware, MiddlewareNext};
use ureq::{Body, SendBody};

/// Signs every request that passes through it with its [`Authenticator`].
///
/// ureq runs the rest of the chain once per middleware call, so this middleware cannot send a
/// request twice: there is no clock-skew retry here (send through the [`Client`](crate::Client)
/// for that). It does learn the provider's clock offset from a 401 that shows skew, when the
/// agent hands 4xx answers back as responses (`http_status_as_error(false)`), so the next
/// request goes out with a corrected timestamp ([`clock_offset`](Self::clock_offset)).
///
/// A form body is read into memory (and sent with its `Content-Length`) only when the signature
/// method signs it; PLAINTEXT does not.
///
/// Signing errors come back as `ureq::Error::Other` holding a [`crate::Error`].
///
/// ```no_run
/// use countersign_ureq::countersign::auth::Auth;
/// use countersign_ureq::countersign::{discogs, Secret};
/// use countersign_ureq::middleware::SigningMiddleware;
///
/// let profile = discogs::profile("MyCollectionApp/1.0 +https://example.org")?;
/// let user = profile.authenticator(Auth::PersonalToken(Secret::new("my-token")));
/// let agent: ureq::Agent = ureq::Agent::config_builder()
///     .middleware(SigningMiddleware::new(user))
///     .build()
///     .into();
/// let me = agent.get("https://api.discogs.com/oauth/identity").call()?.body_mut().read_to_string()?;
/// println!("{me}");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
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

    /// The provider's clock minus ours, in seconds, as learned from a skewed 401.
    #[must_use]
    pub fn clock_offset(&self) -> i64 {
        self.offset.load(Ordering::Relaxed)
    }
}

fn refused(e: countersign::Error) -> ureq::Error {
    ureq::Error::Other(Box::new(crate::Error::from(e)))
}

impl Middleware for SigningMiddleware {
    fn handle(
        &self,
        request: http::Request<SendBody<'_>>,
        next: MiddlewareNext<'_>,
    ) -> Result<http::Response<Body>, ureq::Error> {
        let (mut parts, body) = request.into_parts();
        let mut skew = Skew::new().with_offset(self.clock_offset());
        let timestamp = skew.now(SystemClock.now());
        let nonce = match self.auth.auth().is_oauth() {
            true => Some(NonceGenerator::new().next_nonce().map_err(refused)?),
            false => None,
        };
        let nonce_str = nonce.as_ref().map_or("", |n| n.as_str());
        let response = if self.auth.signs_body(&parts.headers) {
            let mut form = Vec::new();
            body.into_reader().read_to_end(&mut form)?;
            self.auth
                .sign_parts(&mut parts, Some(&form), timestamp, nonce_str)
                .map_err(refused)?;
            parts.headers.insert(CONTENT_LENGTH, form.len().into());
            let body = SendBody::from_owned_reader(Cursor::new(form));
            next.handle(http::Request::from_parts(parts, body))?
        } else {
            // The body is not signed: sign the request's head alone.
            let signed = self.auth.sign_parts(&mut parts, None, timestamp, nonce_str);
            signed.map_err(refused)?;
            next.handle(http::Request::from_parts(parts, body))?
        };
        let date = response.headers().get(DATE).and_then(|d| d.to_str().ok());
        // Learns the offset for the next request; ureq cannot send this one again.
        if nonce.is_some() && skew.retry(timestamp, response.status().as_u16(), date) {
            self.offset.store(skew.offset(), Ordering::Relaxed);
        }
        Ok(response)
    }
}
