//! The same over `reqwest::blocking` (feature `blocking`): [`Client`] is the core's blocking
//! client over [`ReqwestTransport`]; [`RequestBuilderExt`](crate::RequestBuilderExt) signs
//! blocking requests too.
//!
//! Like every `reqwest::blocking` client, these must not be created or used inside an async
//! runtime.
//!
//! ```no_run
//! use countersign_reqwest::blocking::Client;
//! use countersign_reqwest::countersign::flow::{Approval, CallbackMode};
//! use countersign_reqwest::countersign::{discogs, ClientCredentials};
//!
//! let mut client = Client::new(
//!     discogs::profile("MyCollectionApp/1.0 +https://example.org")?,
//!     ClientCredentials::new("consumer-key", "consumer-secret"),
//! );
//! let pending = client.request_token(CallbackMode::OutOfBand)?;
//! println!("open {} and paste the code here", pending.authorize_url());
//! let session = client.access_token(pending, Approval::Verifier("pasted code"))?;
//! println!("logged in as {}", client.identity(&session)?.username);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::io::Read;

use countersign::clock::SystemClock;
use countersign::nonce::NonceGenerator;

use crate::{MAX_BODY, TransportError};

/// The core's blocking client over reqwest.
pub type Client<C = SystemClock, N = NonceGenerator> =
    countersign::client::Client<ReqwestTransport, C, N>;

/// A `reqwest::blocking::ClientBuilder` set up as [`crate::http_client_builder`]'s, proxies
/// included (from the environment, never for loopback hosts).
pub fn http_client_builder() -> reqwest::blocking::ClientBuilder {
    http_client_builder_from(|name| std::env::var(name).ok())
}

/// [`http_client_builder`], with the environment read through `var`.
#[doc(hidden)]
pub fn http_client_builder_from(
    var: impl Fn(&str) -> Option<String>,
) -> reqwest::blocking::ClientBuilder {
    crate::configure!(reqwest::blocking::Client::builder(), var)
}

/// `reqwest::blocking` as the core's [`Transport`](countersign::client::Transport): as
/// [`crate::ReqwestTransport`], blocking.
#[derive(Clone, Debug)]
pub struct ReqwestTransport {
    http: reqwest::blocking::Client,
}

impl ReqwestTransport {
    /// The reqwest client.
    #[must_use]
    pub fn http(&self) -> &reqwest::blocking::Client {
        &self.http
    }
}

impl Default for ReqwestTransport {
    /// Over a client from [`http_client_builder`]. For an error rather than a panic when the TLS
    /// backend fails, `ReqwestTransport::from(http_client_builder().build()?)`.
    ///
    /// # Panics
    /// When the TLS backend fails to initialize, as `reqwest::blocking::Client::new` does.
    fn default() -> Self {
        let http = http_client_builder().build();
        Self::from(http.expect("the TLS backend failed to initialize"))
    }
}

impl From<reqwest::blocking::Client> for ReqwestTransport {
    /// As [`crate::ReqwestTransport`]'s.
    fn from(http: reqwest::blocking::Client) -> Self {
        Self { http }
    }
}

impl countersign::client::Transport for ReqwestTransport {
    type Response = http::Response<Vec<u8>>;
    type Error = TransportError;

    fn send(
        &mut self,
        request: http::Request<Vec<u8>>,
    ) -> Result<http::Response<Vec<u8>>, TransportError> {
        let empty = request.body().is_empty();
        let mut request = reqwest::blocking::Request::try_from(request)?;
        if empty {
            // No body: the exchange set any `Content-Length: 0`.
            *request.body_mut() = None;
        }
        let mut response = self.http.execute(request)?;
        crate::check_length(response.content_length().unwrap_or(0))?;
        let mut body = Vec::new();
        // One byte past the limit tells a body that is too long from one that is not.
        let read = response.by_ref().take(MAX_BODY + 1).read_to_end(&mut body);
        read.map_err(TransportError::Read)?;
        crate::check_length(body.len() as u64)?;
        let mut answer = http::Response::new(body);
        *answer.status_mut() = response.status();
        *answer.headers_mut() = response.headers().clone();
        Ok(answer)
    }
}
