//! [`VerifyLayer`]: a tower layer that verifies OAuth 1.0a requests before they reach a service.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};

use bytes::Bytes;
use countersign::clock::{Clock, SystemClock};
use countersign::verify::{
    DEFAULT_TIMESTAMP_WINDOW, MemoryNonceStore, NonceStore, Rejection, SecretLookup, Verified,
    Verifier,
};
use http::header::{AUTHORIZATION, CACHE_CONTROL, CONTENT_TYPE, RETRY_AFTER, WWW_AUTHENTICATE};
use http::{HeaderMap, HeaderValue, Request, Response, StatusCode};
use http_body::Body;
use http_body_util::{BodyExt, Either, Full, LengthLimitError, Limited};
use tower_layer::Layer;
use tower_service::Service;

use crate::clock::SharedClock;

/// The body the wrapped service receives: the buffered form body (`Left`), or the original body
/// untouched (`Right`) when the request is not `application/x-www-form-urlencoded`.
pub type VerifiedBody<B> = Either<Full<Bytes>, B>;

/// The body of the layer's responses: the wrapped service's (`Left`), or the layer's own refusal
/// (`Right`).
pub type LayerBody<B> = Either<B, Full<Bytes>>;

/// The default limit for a form body the layer buffers: 64 KiB.
pub const DEFAULT_MAX_FORM_BODY: usize = 64 * 1024;

/// The default number of nonces remembered at once.
pub const DEFAULT_NONCE_CAPACITY: usize = 100_000;

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
///   are verified, and handed on as [`VerifiedBody::Left`]; other bodies stream through
///   untouched.
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
    secrets: Arc<dyn SecretLookup + Send + Sync>,
    nonces: Arc<Mutex<dyn NonceStore + Send>>,
    default_nonce_store: bool,
    clock: SharedClock,
    verifier: Verifier,
    max_form_body: usize,
    realm: HeaderValue,
    scheme: &'static str,
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

impl VerifyLayer {
    /// A layer that looks secrets up in `secrets`, with the system clock, a timestamp window of
    /// 300 seconds, a [`MemoryNonceStore`] of [`DEFAULT_NONCE_CAPACITY`] nonces and an empty
    /// realm.
    pub fn new(secrets: impl SecretLookup + Send + Sync + 'static) -> Self {
        Self {
            secrets: Arc::new(secrets),
            nonces: Arc::new(Mutex::new(MemoryNonceStore::new(
                DEFAULT_TIMESTAMP_WINDOW,
                DEFAULT_NONCE_CAPACITY,
            ))),
            default_nonce_store: true,
            clock: Arc::new(SystemClock),
            verifier: Verifier::new(),
            max_form_body: DEFAULT_MAX_FORM_BODY,
            realm: www_authenticate(""),
            scheme: "http",
            on_reject: None,
        }
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
    pub fn timestamp_window(mut self, seconds: u64) -> Self {
        self.verifier = self.verifier.timestamp_window(seconds);
        if self.default_nonce_store {
            self.nonces = Arc::new(Mutex::new(MemoryNonceStore::new(
                seconds,
                DEFAULT_NONCE_CAPACITY,
            )));
        }
        self
    }

    /// The nonce store (default: a [`MemoryNonceStore`] for the timestamp window).
    #[must_use]
    pub fn nonce_store(mut self, store: impl NonceStore + Send + 'static) -> Self {
        self.nonces = Arc::new(Mutex::new(store));
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

    /// Verifies a request head and its form body (if buffered).
    fn verify(
        &self,
        parts: &http::request::Parts,
        form: Option<&[u8]>,
    ) -> Result<Verified, Rejection> {
        let authorization = joined_authorization(&parts.headers);
        let method = parts.method.as_str();
        let uri = absolute_url(parts, self.scheme);
        let mut request = countersign::Request::new(method, &uri);
        if let Some(form) = form {
            request = request.with_form_body(form);
        }
        let now = self.clock.now();
        let mut nonces = self.nonces.lock().unwrap_or_else(PoisonError::into_inner);
        self.verifier.verify(
            &request,
            authorization.as_deref(),
            now,
            &*self.secrets,
            &mut *nonces,
        )
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
        if status == StatusCode::SERVICE_UNAVAILABLE {
            response
                .headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from_static("1"));
        }
        response
    }
}

/// The URL the client signed: the request target if it is absolute, else
/// `scheme://Host/path?query` (the path and query alone without a `Host`).
pub(crate) fn absolute_url(parts: &http::request::Parts, scheme: &str) -> String {
    if parts.uri.scheme().is_some() {
        return parts.uri.to_string();
    }
    let target = parts
        .uri
        .path_and_query()
        .map_or("/", http::uri::PathAndQuery::as_str);
    match parts
        .headers
        .get(http::header::HOST)
        .and_then(|h| h.to_str().ok())
    {
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
            let (body, form) = if is_form(&parts.headers) {
                match Limited::new(body, layer.max_form_body).collect().await {
                    Ok(collected) => {
                        let bytes = collected.to_bytes();
                        (Either::Left(Full::new(bytes.clone())), Some(bytes))
                    }
                    Err(error) => {
                        let (status, message) = if error.is::<LengthLimitError>() {
                            (StatusCode::PAYLOAD_TOO_LARGE, "Form body too large.")
                        } else {
                            (StatusCode::BAD_REQUEST, "Could not read the request body.")
                        };
                        return Ok(plain(status, message.into()).map(Either::Right));
                    }
                }
            } else {
                (Either::Right(body), None)
            };
            match layer.verify(&parts, form.as_deref()) {
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
