//! [`VerifyLayer`]: a tower layer that verifies OAuth 1.0a requests before they reach a service.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use bytes::Bytes;
use countersign::Secret;
use countersign::clock::{Clock, SystemClock};
use countersign::verify::{
    Authentic, Checked, DEFAULT_TIMESTAMP_WINDOW, MemoryNonceStore, NonceCheck, NonceStore,
    Rejection, Verified, Verifier,
};
use http::header::{AUTHORIZATION, CACHE_CONTROL, CONTENT_TYPE, RETRY_AFTER, WWW_AUTHENTICATE};
use http::{HeaderMap, HeaderValue, Request, Response, StatusCode};
use http_body::Body;
use http_body_util::{BodyExt, Either, Full, LengthLimitError, Limited};
use tower_layer::Layer;
use tower_service::Service;

use crate::clock::SharedClock;
use crate::forwarded::Trusted;
use crate::store::{AsyncNonceStore, AsyncSecretLookup};

/// The body the wrapped service receives: the buffered form body (`Left`), or the original body
/// untouched (`Right`) when the request is not `application/x-www-form-urlencoded`.
pub type VerifiedBody<B> = Either<Full<Bytes>, B>;

/// The body of the layer's responses: the wrapped service's (`Left`), or the layer's own refusal
/// (`Right`).
pub type LayerBody<B> = Either<B, Full<Bytes>>;

/// The default limit for a form body the layer buffers: 64 KiB.
pub const DEFAULT_MAX_FORM_BODY: usize = 64 * 1024;

/// The default number of nonces remembered at once.
///
/// A nonce is kept for the window plus the limit ahead (360 seconds by default), so a store of
/// this size sustains some 280 requests a second for all clients together; past that, requests
/// are refused with 503 until older nonces leave the window. Give a busier service a larger
/// store ([`VerifyLayer::nonce_store`], about 150 bytes a nonce) or a shared one.
pub const DEFAULT_NONCE_CAPACITY: usize = 100_000;

/// The default for how far ahead of the provider's clock a timestamp may be: a minute. (Behind,
/// the whole window.) A nonce is remembered until its timestamp leaves the window, so timestamps
/// far ahead would keep their nonces twice as long.
pub const DEFAULT_MAX_AHEAD: u64 = 60;

type RejectHook = Arc<dyn Fn(&Rejection, &http::request::Parts) + Send + Sync>;

/// A tower [`Layer`] that verifies every request with [`countersign::verify`] before the wrapped
/// service sees it.
///
/// - On success the request goes on with the [`Verified`] parameters in its extensions (in axum:
///   `Extension<Verified>`): the authenticated consumer key and token.
/// - On failure the layer answers itself: the status of [`Rejection::status`] (400, 401, or 503
///   for a full nonce store), a `text/plain` body with [`Rejection::public_message`], and
///   `WWW-Authenticate: OAuth realm="..."` on a 401. The precise reason goes to the
///   [`on_reject`](Self::on_reject) hook, for your logs.
/// - A body whose `Content-Type` is `application/x-www-form-urlencoded` is buffered (up to
///   [`max_form_body`](Self::max_form_body) bytes, else 413) so that its `oauth_*` parameters
///   are verified, and handed on as [`VerifiedBody::Left`]; so is any other body of a request
///   that carries `oauth_body_hash`, to check the hash against it (a mismatch is 401). Other
///   bodies stream through untouched.
///
/// Clones share the nonce store, so replays are caught across every service the layer wraps.
///
/// With axum:
///
/// ```
/// use axum::{Extension, Router, routing::get};
/// use countersign::Secret;
/// use countersign::verify::{Verified, lookup_fn};
/// use countersign_provider::VerifyLayer;
///
/// let secrets = lookup_fn(
///     |key: &str| (key == "my-client").then(|| Secret::new("client secret")),
///     |_key: &str, _token: &str| None,
/// );
/// let app: Router = Router::new()
///     .route(
///         "/photos",
///         get(|Extension(who): Extension<Verified>| async move {
///             format!("hello, {}", who.consumer_key())
///         }),
///     )
///     .layer(VerifyLayer::new(secrets).realm("Photos"));
/// ```
#[derive(Clone)]
pub struct VerifyLayer {
    secrets: Arc<dyn AsyncSecretLookup>,
    nonces: Arc<dyn AsyncNonceStore>,
    default_nonce_store: bool,
    clock: SharedClock,
    verifier: Verifier,
    max_form_body: usize,
    realm: HeaderValue,
    scheme: &'static str,
    origin: Origin,
    on_reject: Option<RejectHook>,
}

impl fmt::Debug for VerifyLayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifyLayer")
            .field("verifier", &self.verifier)
            .field("max_form_body", &self.max_form_body)
            .field("realm", &self.realm)
            .finish_non_exhaustive()
    }
}

fn www_authenticate(realm: &str) -> HeaderValue {
    let escaped = realm.replace('\\', "\\\\").replace('"', "\\\"");
    HeaderValue::from_str(&format!("OAuth realm=\"{escaped}\""))
        .unwrap_or_else(|_| HeaderValue::from_static("OAuth"))
}

/// The default nonce store for a timestamp window.
fn memory_store(window: u64) -> Arc<dyn AsyncNonceStore> {
    Arc::new(Mutex::new(MemoryNonceStore::new(
        window,
        DEFAULT_NONCE_CAPACITY,
    )))
}

impl VerifyLayer {
    /// A layer that looks secrets up in `secrets` (any [`SecretLookup`](countersign::verify::SecretLookup)
    /// is an [`AsyncSecretLookup`]), with the system clock, a timestamp window of 300 seconds
    /// behind and [`DEFAULT_MAX_AHEAD`] ahead, a [`MemoryNonceStore`] of
    /// [`DEFAULT_NONCE_CAPACITY`] nonces and an empty realm.
    pub fn new(secrets: impl AsyncSecretLookup + 'static) -> Self {
        Self {
            secrets: Arc::new(secrets),
            nonces: memory_store(DEFAULT_TIMESTAMP_WINDOW),
            default_nonce_store: true,
            clock: Arc::new(SystemClock),
            verifier: Verifier::new().max_ahead(DEFAULT_MAX_AHEAD),
            max_form_body: DEFAULT_MAX_FORM_BODY,
            realm: www_authenticate(""),
            scheme: "http",
            origin: Origin::default(),
            on_reject: None,
        }
    }

    /// The verifier and its policies (window, limit ahead, split parameters, PLAINTEXT without
    /// timestamp, parameter count). The default nonce store follows its window.
    #[must_use]
    pub fn verifier(mut self, verifier: Verifier) -> Self {
        self.verifier = verifier;
        if self.default_nonce_store {
            self.nonces = memory_store(verifier.window());
        }
        self
    }

    /// Where the current time comes from (seconds since the Unix epoch): pin it in tests.
    #[must_use]
    pub fn clock(mut self, clock: impl Clock + Send + Sync + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// How far a timestamp may be from the current time, either way (default 300 seconds). The
    /// default nonce store follows; a store of your own must remember nonces at least as long.
    #[must_use]
    pub fn timestamp_window(self, seconds: u64) -> Self {
        let verifier = self
            .verifier
            .timestamp_window(seconds)
            .max_ahead(DEFAULT_MAX_AHEAD);
        self.verifier(verifier)
    }

    /// A nonce store of your own, answering at once (default: a [`MemoryNonceStore`] for the
    /// timestamp window). It is locked only while one nonce is recorded.
    #[must_use]
    pub fn nonce_store(self, store: impl NonceStore + Send + 'static) -> Self {
        self.shared_nonce_store(Mutex::new(store))
    }

    /// A nonce store that answers asynchronously, such as one that several instances of the
    /// provider share (`RedisNonceStore`, feature `redis`): a request
    /// replayed to another instance is refused too.
    #[must_use]
    pub fn shared_nonce_store(mut self, store: impl AsyncNonceStore + 'static) -> Self {
        self.nonces = Arc::new(store);
        self.default_nonce_store = false;
        self
    }

    /// The largest form body buffered for verification (default [`DEFAULT_MAX_FORM_BODY`]);
    /// a larger one is answered with 413.
    #[must_use]
    pub fn max_form_body(mut self, bytes: usize) -> Self {
        self.max_form_body = bytes;
        self
    }

    /// The realm named in `WWW-Authenticate` on a 401.
    #[must_use]
    pub fn realm(mut self, realm: &str) -> Self {
        self.realm = www_authenticate(realm);
        self
    }

    /// The scheme the clients used, for the absolute URL that the HMAC methods sign
    /// (`scheme://Host/path?query`; default `http`). Set `https` behind a proxy that ends TLS.
    /// Requests in absolute form (`GET http://host/path`) bring their own.
    #[must_use]
    pub fn scheme_https(mut self, https: bool) -> Self {
        self.scheme = if https { "https" } else { "http" };
        self
    }

    /// The base URL the clients use, when it is not what the server sees: behind a reverse
    /// proxy, the URL a client signs (`https://api.example.com/v1/photos`) is not the one that
    /// reaches the service (`http://10.0.0.5:8080/photos`). Every request is verified against
    /// this base followed by the path and query received; `Host` and the request target's own
    /// scheme are ignored.
    #[must_use]
    pub fn public_url(mut self, base: PublicUrl) -> Self {
        self.origin.public = Some(base);
        self
    }

    /// Believes the `Forwarded` header (RFC 7239: its `proto` and `host`), or else
    /// `X-Forwarded-Proto` and `X-Forwarded-Host`, of requests that come from one of `proxies`:
    /// the URL verified is then the scheme and host the proxy reports, followed by the path and
    /// query received. Only the element the nearest proxy added is read, and only from a listed
    /// address: anyone else's forwarding headers are ignored, or a client could make the server
    /// verify any URL it likes. [`public_url`](Self::public_url), when set, wins.
    ///
    /// `peer` finds the address a request came from; with axum,
    /// `|parts| parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip())` (and serve
    /// with `into_make_service_with_connect_info::<SocketAddr>()`).
    #[must_use]
    pub fn trust_forwarded(
        mut self,
        proxies: impl IntoIterator<Item = std::net::IpAddr>,
        peer: impl Fn(&http::request::Parts) -> Option<std::net::IpAddr> + Send + Sync + 'static,
    ) -> Self {
        self.origin.forwarded = Some(Trusted {
            proxies: proxies.into_iter().collect(),
            peer: Arc::new(peer),
        });
        self
    }

    /// Called with every rejection (its `Display` is the precise reason, without secrets) and
    /// the request's head, before the layer answers: for your logs.
    ///
    /// # Security
    /// The request head can carry secrets (a PLAINTEXT `Authorization` header, credentials in
    /// the query): log the method and path, not the headers or the query.
    #[must_use]
    pub fn on_reject(
        mut self,
        hook: impl Fn(&Rejection, &http::request::Parts) + Send + Sync + 'static,
    ) -> Self {
        self.on_reject = Some(Arc::new(hook));
        self
    }

    /// Verifies a request head and its form body (if buffered): the core's steps, with the
    /// stores asked in between and nothing held while a signature is computed.
    async fn verify(
        &self,
        parts: &http::request::Parts,
        body: ReadBody<'_>,
    ) -> Result<Verified, Rejection> {
        let authorization = joined_authorization(&parts.headers);
        let uri = signed_url(parts, self.scheme, &self.origin);
        let mut request = countersign::Request::new(parts.method.as_str(), &uri);
        match body {
            ReadBody::Form(form) => request = request.with_form_body(form),
            ReadBody::Other(bytes) => request = request.with_body(bytes),
            ReadBody::None => {}
        }
        let now = self.clock.now();
        let checked = self
            .verifier
            .check(&request, authorization.as_deref(), now)?;
        // Both lookups, whether or not the client exists: the time taken does not tell.
        #[cfg(any(feature = "rsa-sha1", feature = "rsa-sha256"))]
        if checked.signature_method().uses_rsa() {
            let client = self.secrets.client_rsa_key(checked.consumer_key()).await;
            let token = self.token_secret(&checked).await;
            let (Ok(client), Ok(token)) = (client, token) else {
                return Err(checked.store_unavailable());
            };
            let authentic = checked.authenticate_rsa(client.as_ref(), token.as_ref())?;
            return self.record(authentic, now).await;
        }
        let client = self.secrets.client_secret(checked.consumer_key()).await;
        let token = self.token_secret(&checked).await;
        let (Ok(client), Ok(token)) = (client, token) else {
            return Err(checked.store_unavailable());
        };
        let authentic = checked.authenticate(client.as_ref(), token.as_ref())?;
        self.record(authentic, now).await
    }

    /// The secret of the request's token, if it has one.
    async fn token_secret(
        &self,
        checked: &Checked<'_>,
    ) -> Result<Option<Secret>, crate::StoreError> {
        match checked.token() {
            Some(token) => {
                self.secrets
                    .token_secret(checked.consumer_key(), token)
                    .await
            }
            None => Ok(None),
        }
    }

    /// The last step: the nonce of an authentic request.
    async fn record(&self, authentic: Authentic, now: u64) -> Result<Verified, Rejection> {
        let check = match authentic.nonce() {
            Some(nonce) => self.nonces.check_and_insert(nonce, now).await,
            None => NonceCheck::Fresh,
        };
        authentic.finish(check)
    }

    fn refuse(&self, rejection: &Rejection, parts: &http::request::Parts) -> Response<Full<Bytes>> {
        if let Some(hook) = &self.on_reject {
            hook(rejection, parts);
        }
        let status = StatusCode::from_u16(rejection.status()).unwrap_or(StatusCode::UNAUTHORIZED);
        let mut response = plain(status, rejection.public_message().to_string());
        if status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(WWW_AUTHENTICATE, self.realm.clone());
        }
        if status == StatusCode::SERVICE_UNAVAILABLE || status == StatusCode::TOO_MANY_REQUESTS {
            response
                .headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from_static("1"));
        }
        response
    }
}

/// The base URL clients use, when a reverse proxy stands between them and the server; see
/// [`VerifyLayer::public_url`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicUrl(String);

impl std::str::FromStr for PublicUrl {
    type Err = PublicUrlError;

    /// An absolute `http` or `https` URL with a host, an optional path prefix, and no query or
    /// fragment: `https://api.example.com`, `https://example.com/api`.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let uri: http::Uri = text.parse().map_err(|_| PublicUrlError(()))?;
        let scheme_ok = matches!(uri.scheme_str(), Some("http" | "https"));
        let host_ok = uri.host().is_some_and(|h| !h.is_empty());
        let bare = !text.contains(['?', '#']) && !text.contains('@');
        if !(scheme_ok && host_ok && bare) {
            return Err(PublicUrlError(()));
        }
        Ok(Self(text.trim_end_matches('/').to_owned()))
    }
}

impl fmt::Display for PublicUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A public URL that is not an absolute `http(s)` URL with a host and without query, fragment
/// or user information.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicUrlError(());

impl fmt::Display for PublicUrlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "the public URL must be an absolute http or https URL with a host, such as https://api.example.com or https://example.com/api, without query or fragment",
        )
    }
}

impl std::error::Error for PublicUrlError {}

/// Where the URL a client signed comes from, besides the request itself.
#[derive(Clone, Default)]
pub(crate) struct Origin {
    /// The configured public base URL: it wins.
    pub(crate) public: Option<PublicUrl>,
    /// Trusted proxies' forwarding headers.
    pub(crate) forwarded: Option<Trusted>,
}

/// The URL the client signed: the public base URL followed by the path and query, if there is
/// one; else the request target if it is absolute; else `scheme://Host/path?query`, where a
/// trusted proxy's `Forwarded` (or `X-Forwarded-Proto`, `X-Forwarded-Host`) replaces the scheme
/// and the host it names (the path and query alone without any host).
pub(crate) fn signed_url(parts: &http::request::Parts, scheme: &str, origin: &Origin) -> String {
    let target = parts
        .uri
        .path_and_query()
        .map_or("/", http::uri::PathAndQuery::as_str);
    if let Some(PublicUrl(base)) = &origin.public {
        return format!("{base}{target}");
    }
    if parts.uri.scheme().is_some() {
        return parts.uri.to_string();
    }
    let (forwarded_scheme, forwarded_host) = origin
        .forwarded
        .as_ref()
        .map_or((None, None), |trusted| trusted.origin(parts));
    let scheme = forwarded_scheme.unwrap_or(scheme);
    let host = forwarded_host.or_else(|| {
        parts
            .headers
            .get(http::header::HOST)
            .and_then(|h| h.to_str().ok())
            .map(str::to_owned)
    });
    match host {
        Some(host) if !host.is_empty() => format!("{scheme}://{host}{target}"),
        _ => target.to_owned(),
    }
}

/// Every `Authorization` header, joined with `", "` as HTTP joins repeated fields: two of them
/// make a value no parser accepts, which is what they are.
pub(crate) fn joined_authorization(headers: &HeaderMap) -> Option<String> {
    let mut values = headers.get_all(AUTHORIZATION).iter();
    let first = values.next()?;
    let mut joined = String::from_utf8_lossy(first.as_bytes()).into_owned();
    for value in values {
        joined.push_str(", ");
        joined.push_str(&String::from_utf8_lossy(value.as_bytes()));
    }
    Some(joined)
}

fn plain(status: StatusCode, body: String) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The body the layer read, for the verifier.
#[derive(Clone, Copy)]
enum ReadBody<'a> {
    /// Not read: it streams through.
    None,
    /// A form body: its parameters are verified.
    Form(&'a [u8]),
    /// Another body, read because the request carries `oauth_body_hash`.
    Other(&'a [u8]),
}

/// Whether the `Authorization` header names `oauth_body_hash` (then the body is read to check
/// it; a false positive only costs reading a body the verifier then ignores).
fn carries_body_hash(headers: &HeaderMap) -> bool {
    headers.get_all(AUTHORIZATION).iter().any(|value| {
        value
            .as_bytes()
            .windows(b"oauth_body_hash".len())
            .any(|w| w == b"oauth_body_hash")
    })
}

/// Whether the request's body is `application/x-www-form-urlencoded` (parameters allowed).
pub(crate) fn is_form(headers: &HeaderMap) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| {
            v.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        })
}

impl<S> Layer<S> for VerifyLayer {
    type Service = VerifyService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        VerifyService {
            inner,
            layer: self.clone(),
        }
    }
}

/// The service [`VerifyLayer`] wraps around another; see there.
#[derive(Clone, Debug)]
pub struct VerifyService<S> {
    inner: S,
    layer: VerifyLayer,
}

impl<S, B, ResBody> Service<Request<B>> for VerifyService<S>
where
    S: Service<Request<VerifiedBody<B>>, Response = Response<ResBody>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    B: Body<Data = Bytes> + Send + 'static,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    type Response = Response<LayerBody<ResBody>>;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        // The clone that was made ready is the one to call; leave a fresh clone in its place.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let layer = self.layer.clone();
        Box::pin(async move {
            let (mut parts, body) = request.into_parts();
            // A form body is read for its parameters; another body only when the request
            // carries an `oauth_body_hash` to check it against.
            let form = is_form(&parts.headers);
            let hashed = !form && carries_body_hash(&parts.headers);
            let (body, read) = if form || hashed {
                match Limited::new(body, layer.max_form_body).collect().await {
                    Ok(collected) => {
                        let bytes = collected.to_bytes();
                        (Either::Left(Full::new(bytes.clone())), Some(bytes))
                    }
                    Err(error) => {
                        let (status, message) = if error.is::<LengthLimitError>() {
                            let message = if form {
                                "Form body too large."
                            } else {
                                "Request body too large."
                            };
                            (StatusCode::PAYLOAD_TOO_LARGE, message)
                        } else {
                            (StatusCode::BAD_REQUEST, "Could not read the request body.")
                        };
                        return Ok(plain(status, message.into()).map(Either::Right));
                    }
                }
            } else {
                (Either::Right(body), None)
            };
            let body_read = match &read {
                Some(bytes) if form => ReadBody::Form(bytes),
                Some(bytes) => ReadBody::Other(bytes),
                None => ReadBody::None,
            };
            match layer.verify(&parts, body_read).await {
                Ok(verified) => {
                    parts.extensions.insert(verified);
                    let response = inner.call(Request::from_parts(parts, body)).await?;
                    Ok(response.map(Either::Left))
                }
                Err(rejection) => Ok(layer.refuse(&rejection, &parts).map(Either::Right)),
            }
        })
    }
}
