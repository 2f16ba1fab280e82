//! A ureq [`Middleware`] that signs every request of an agent.

use std::io::{Cursor, Read};
use std::sync::Arc;

use http::HeaderValue;
use http::header::CONTENT_LENGTH;
use ureq::middleware::{Middleware, MiddlewareNext};
use ureq::{Body, SendBody};

use crate::Authenticator;

/// Signs every request that passes through it with its [`Authenticator`].
///
/// ureq runs the rest of the chain once per middleware call, so this middleware cannot send a
/// request twice: there is no clock-skew retry here (use [`Authenticator::send`] or the
/// [`Client`](crate::Client) for that). It does learn the provider's clock offset from a 401 that
/// shows skew, when the agent hands 4xx answers back as responses
/// (`http_status_as_error(false)`), so the next request goes out with a corrected timestamp.
///
/// A form body is read into memory (and sent with its `Content-Length`) only when the signature
/// method signs it; PLAINTEXT does not.
///
/// Signing errors come back as `ureq::Error::Other` holding a [`crate::Error`].
///
/// ```no_run
/// use countersign_ureq::countersign::discogs::DiscogsAuth;
/// use countersign_ureq::countersign::Secret;
/// use countersign_ureq::middleware::SigningMiddleware;
/// use countersign_ureq::Authenticator;
///
/// let auth = Authenticator::new(DiscogsAuth::PersonalToken(Secret::new("my-token")))
///     .user_agent("MyCollectionApp/1.0 +https://example.org");
/// let agent: ureq::Agent = ureq::Agent::config_builder()
///     .middleware(SigningMiddleware::new(auth))
///     .build()
///     .into();
/// let me = agent.get("https://api.discogs.com/oauth/identity").call()?.body_mut().read_to_string()?;
/// println!("{me}");
/// # Ok::<(), ureq::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct SigningMiddleware {
    auth: Arc<Authenticator>,
}

impl SigningMiddleware {
    /// A middleware that signs with `auth`.
    #[must_use]
    pub fn new(auth: Authenticator) -> Self {
        Self {
            auth: Arc::new(auth),
        }
    }

    /// The authenticator (to read the learned clock offset, for example).
    #[must_use]
    pub fn authenticator(&self) -> &Authenticator {
        &self.auth
    }
}

fn other(e: crate::Error) -> ureq::Error {
    ureq::Error::Other(Box::new(e))
}

impl Middleware for SigningMiddleware {
    fn handle(
        &self,
        request: http::Request<SendBody<'_>>,
        next: MiddlewareNext<'_>,
    ) -> Result<http::Response<Body>, ureq::Error> {
        let (parts, body) = request.into_parts();
        let (response, stamp) = if countersign::http::signs_body(&parts.headers, self.auth.auth()) {
            let mut form = Vec::new();
            body.into_reader().read_to_end(&mut form)?;
            let mut signing = http::Request::from_parts(parts, form);
            let stamp = self.auth.sign_request(&mut signing).map_err(other)?;
            let (mut parts, form) = signing.into_parts();
            parts
                .headers
                .insert(CONTENT_LENGTH, HeaderValue::from(form.len()));
            let body = SendBody::from_owned_reader(Cursor::new(form));
            (next.handle(http::Request::from_parts(parts, body))?, stamp)
        } else {
            // The body is not signed: sign the request's head alone.
            let mut signing = http::Request::from_parts(parts, ());
            let stamp = self.auth.sign_request(&mut signing).map_err(other)?;
            let parts = signing.into_parts().0;
            (next.handle(http::Request::from_parts(parts, body))?, stamp)
        };
        if let Some(stamp) = stamp {
            let view =
                countersign::response::Response::from_head(response.status(), response.headers());
            // Learns the offset for the next request; ureq cannot send this one again.
            let _ = self.auth.stamps().should_retry(&stamp, &view);
        }
        Ok(response)
    }
}
