//! Signing reqwest's own requests: [`RequestBuilderExt`].

use countersign::auth::Authenticator;
use countersign::{Error as CoreError, ParseError};

use crate::Error;

const REFUSED_URL: CoreError = CoreError::Parse(ParseError::Url {
    reason: "the http crate refused the request's URL",
});

/// Signs a request's head (`url` and `headers` in place), now, with a fresh nonce; `body` when it
/// is in memory.
pub(crate) fn sign_head(
    auth: &Authenticator,
    method: &http::Method,
    url: &mut reqwest::Url,
    headers: &mut http::HeaderMap,
    body: Option<&[u8]>,
) -> Result<(), CoreError> {
    let (mut head, ()) = http::Request::new(()).into_parts();
    head.method = method.clone();
    head.uri = url.as_str().parse().map_err(|_| REFUSED_URL)?;
    // The headers are moved, not copied, and come back whether signing worked or not.
    head.headers = std::mem::take(headers);
    let signed = auth.sign_parts_now(&mut head, body);
    *headers = head.headers;
    signed?;
    if head.uri != url.as_str() {
        // The credentials went into the query.
        *url = head.uri.to_string().parse().map_err(|_| REFUSED_URL)?;
    }
    Ok(())
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for reqwest::RequestBuilder {}
    #[cfg(feature = "blocking")]
    impl Sealed for reqwest::blocking::RequestBuilder {}
}

/// Signing straight from a [`reqwest::RequestBuilder`] (or, with the `blocking` feature, a
/// `reqwest::blocking::RequestBuilder`).
///
/// For the clock-skew retry, send through the [`Client`](crate::Client)
/// ([`send_with`](countersign::client::AsyncClient::send_with)) or the middleware.
///
/// ```
/// use countersign_reqwest::countersign::auth::Auth;
/// use countersign_reqwest::countersign::{discogs, Secret};
/// use countersign_reqwest::RequestBuilderExt;
///
/// let profile = discogs::profile("MyCollectionApp/1.0 +https://example.org")?;
/// let auth = profile.authenticator(Auth::PersonalToken(Secret::new("my-token")));
/// let http = countersign_reqwest::http_client_builder().build()?;
/// let (http, request) = http.get("https://api.discogs.com/oauth/identity").build_signed(&auth)?;
/// assert_eq!(request.headers()["authorization"], "Discogs token=my-token");
/// # let _ = http;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub trait RequestBuilderExt: sealed::Sealed + Sized {
    /// The client the builder came from.
    type Client;
    /// The request it builds.
    type Request;

    /// Builds the request and signs it, now, with a fresh nonce: the client to send it with, and
    /// the signed request. The URL with its query, the method, and a form body (when the request
    /// is `application/x-www-form-urlencoded` and not streamed) are what gets signed. Sign a
    /// request once: signing again replaces the header, but adds query credentials a second time.
    ///
    /// # Errors
    /// [`Error::Transport`] when the builder holds an error; [`Error::Core`] when the request
    /// cannot be signed (an insecure transport, a value that cannot travel in a header).
    fn build_signed(self, auth: &Authenticator) -> Result<(Self::Client, Self::Request), Error>;
}

macro_rules! request_builder_ext {
    ($builder:ty, $client:ty, $request:ty, $body:ty) => {
        impl RequestBuilderExt for $builder {
            type Client = $client;
            type Request = $request;

            fn build_signed(self, auth: &Authenticator) -> Result<($client, $request), Error> {
                let (http, request) = self.build_split();
                let mut request = request.map_err(|e| Error::Transport(e.into()))?;
                let mut headers = std::mem::take(request.headers_mut());
                let mut url = request.url().clone();
                let body = request.body().map_or(Some(&[][..]), <$body>::as_bytes);
                let signed = sign_head(auth, request.method(), &mut url, &mut headers, body);
                *request.headers_mut() = headers;
                signed?;
                *request.url_mut() = url;
                Ok((http, request))
            }
        }
    };
}

request_builder_ext!(
    reqwest::RequestBuilder,
    reqwest::Client,
    reqwest::Request,
    reqwest::Body
);
#[cfg(feature = "blocking")]
request_builder_ext!(
    reqwest::blocking::RequestBuilder,
    reqwest::blocking::Client,
    reqwest::blocking::Request,
    reqwest::blocking::Body
);
