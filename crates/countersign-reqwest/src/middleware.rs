//! A [`reqwest_middleware`] middleware that signs every request of a client (feature
//! `middleware`).
//!
//! ```no_run
//! use countersign_reqwest::countersign::discogs::DiscogsAuth;
//! use countersign_reqwest::countersign::ClientCredentials;
//! use countersign_reqwest::middleware::SigningMiddleware;
//! use countersign_reqwest::Authenticator;
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let auth = Authenticator::new(DiscogsAuth::KeySecret(ClientCredentials::new("key", "secret")))
//!     .user_agent("MyCollectionApp/1.0 +https://example.org");
//! let http = countersign_reqwest::http_client_builder().build()?;
//! let client = reqwest_middleware::ClientBuilder::new(http)
//!     .with(SigningMiddleware::new(auth))
//!     .build();
//! let release = client.get("https://api.discogs.com/releases/249504").send().await?;
//! println!("{}", release.text().await?);
//! # Ok(())
//! # }
//! ```

use std::sync::Arc;

use http::Extensions;
use reqwest_middleware::{Middleware, Next};

use crate::Authenticator;

/// Signs every request that passes through it with its [`Authenticator`].
///
/// With OAuth, after a 401 whose `Date` shows clock skew it signs the request once more with the
/// corrected time and a fresh nonce and passes it on once more (not for a streamed body, which
/// cannot be sent twice); the offset is kept for later requests. Signing errors are
/// [`reqwest_middleware::Error::Middleware`] wrapping a [`crate::Error`]; reqwest's errors from
/// further down the chain have their URL's credential parameters redacted, as
/// [`crate::Error`]'s are.
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

#[async_trait::async_trait]
impl Middleware for SigningMiddleware {
    async fn handle(
        &self,
        request: reqwest::Request,
        extensions: &mut Extensions,
        next: Next<'_>,
    ) -> reqwest_middleware::Result<reqwest::Response> {
        let again = request.try_clone();
        let mut request = request;
        let stamp = self
            .auth
            .sign_request(&mut request)
            .map_err(reqwest_middleware::Error::middleware)?;
        let response = next
            .clone()
            .run(request, extensions)
            .await
            .map_err(redact)?;
        if let (Some(stamp), Some(mut again)) = (stamp, again) {
            let view =
                countersign::response::Response::from_head(response.status(), response.headers());
            if self.auth.stamps().should_retry(&stamp, &view) {
                self.auth
                    .sign_request(&mut again)
                    .map_err(reqwest_middleware::Error::middleware)?;
                return next.run(again, extensions).await.map_err(redact);
            }
        }
        Ok(response)
    }
}

/// reqwest's error with its URL's credential parameters redacted, as [`crate::Error`] does: with
/// [`Placement::Query`](countersign::discogs::Placement::Query) the URL carries the secrets, and
/// reqwest's `Display` quotes it. (Errors of other middlewares are theirs to redact.)
fn redact(error: reqwest_middleware::Error) -> reqwest_middleware::Error {
    match error {
        reqwest_middleware::Error::Reqwest(mut error) => {
            if let Some(url) = error.url_mut() {
                crate::error::redact_url(url);
            }
            reqwest_middleware::Error::Reqwest(error)
        }
        other => other,
    }
}
