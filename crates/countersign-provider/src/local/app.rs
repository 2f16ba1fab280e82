//! The provider's state and endpoints.
//!
//! A request is answered in steps, the cheapest refusals first: the `User-Agent`, the body, an
//! address already over its budget of refusals; then the core's checks that need nothing (no
//! lock); the secrets (the lock, briefly); the signature (no lock); the client's rate limit; the
//! nonce, recorded only for a request that will be served (the nonce store, possibly shared and
//! asynchronous, with no lock held); then the action, under the lock. The lock is never held
//! across an `.await` or while a signature is computed.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, UNIX_EPOCH};

use axum::Router;
use axum::body::to_bytes;
use axum::extract::{ConnectInfo, Request, State as AxumState};
use axum::response::Response;
use axum::routing::{get, post};
use bytes::Bytes;
use countersign::Secret;
use countersign::encode::{decode_form, encode};
use countersign::verify::{Authentic, NonceCheck, Reason, Rejection, Verified, Verifier};
use http::HeaderValue;
use http::header::{DATE, USER_AGENT};
use http::{Method, StatusCode};
use serde_json::json;

use super::discogs_auth::{self, DiscogsCredentials};
use super::rate::{RateInfo, RateKey, RateLimiter};
use super::reply::{Reply, Style};
use super::{Builder, Consumer, Refusal, RefusalHook, Rules, User, html};
use crate::clock::SharedClock;
use crate::forwarded::Trusted;
use crate::layer::{Origin, is_form, joined_authorization, signed_url};
use crate::random::alphanumeric;
use crate::store::AsyncNonceStore;

/// The largest request body read.
const MAX_BODY: usize = 64 * 1024;
/// Most tokens kept at once; past that, new ones are refused with 503.
const MAX_TOKENS: usize = 100_000;
/// How long a request token is remembered after it expires, so that a late exchange hears
/// "expired" rather than "invalid signature".
const EXPIRED_KEPT_FOR: u64 = 60 * 60;

const TOKEN_LEN: usize = 32;
const SECRET_LEN: usize = 40;
const VERIFIER_LEN: usize = 24;

/// The message of a 401 on the API's resources, as Discogs words it.
const MUST_AUTHENTICATE: &str = "You must authenticate to access this resource.";
const INVALID_TOKEN: &str = "Invalid or expired token.";

pub(super) fn router(builder: Builder, base_url: &str) -> Router {
    let rules = builder.rules.clone();
    let app = Arc::new(App::new(builder, base_url));
    let request_token_route = match &rules.request_token_method {
        Some(method) if method == Method::GET => get(request_token),
        Some(method) if method == Method::POST => post(request_token),
        _ => get(request_token).post(request_token),
    };
    Router::new()
        .route(&rules.request_token_path, request_token_route)
        .route(
            &rules.authorize_path,
            get(authorize_page).post(authorize_form),
        )
        .route(&rules.access_token_path, post(access_token))
        .route(&rules.identity_path, get(identity))
        .route("/database/search", get(search))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(app)
}

type Shared = AxumState<Arc<App>>;
type Peer = ConnectInfo<SocketAddr>;

async fn request_token(
    AxumState(app): Shared,
    ConnectInfo(peer): Peer,
    request: Request,
) -> Response {
    app.handle(Endpoint::RequestToken, peer, request).await
}

async fn authorize_page(
    AxumState(app): Shared,
    ConnectInfo(peer): Peer,
    request: Request,
) -> Response {
    app.handle(Endpoint::AuthorizePage, peer, request).await
}

async fn authorize_form(
    AxumState(app): Shared,
    ConnectInfo(peer): Peer,
    request: Request,
) -> Response {
    app.handle(Endpoint::AuthorizeForm, peer, request).await
}

async fn access_token(
    AxumState(app): Shared,
    ConnectInfo(peer): Peer,
    request: Request,
) -> Response {
    app.handle(Endpoint::AccessToken, peer, request).await
}

async fn identity(AxumState(app): Shared, ConnectInfo(peer): Peer, request: Request) -> Response {
    app.handle(Endpoint::Identity, peer, request).await
}

async fn search(AxumState(app): Shared, ConnectInfo(peer): Peer, request: Request) -> Response {
    app.handle(Endpoint::Search, peer, request).await
}

async fn not_found(AxumState(app): Shared, ConnectInfo(peer): Peer, request: Request) -> Response {
    app.handle(Endpoint::NotFound, peer, request).await
}

async fn method_not_allowed(
    AxumState(app): Shared,
    ConnectInfo(peer): Peer,
    request: Request,
) -> Response {
    app.handle(Endpoint::MethodNotAllowed, peer, request).await
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Endpoint {
    RequestToken,
    AuthorizePage,
    AuthorizeForm,
    AccessToken,
    Identity,
    Search,
    NotFound,
    MethodNotAllowed,
}

impl Endpoint {
    /// How errors are answered at `path`: the token endpoints (and the authorize page) in
    /// plain text, the API's resources in JSON, as Discogs does; a method not allowed follows
    /// the path.
    fn style(self, path: &str, rules: &Rules) -> Style {
        match self {
            Self::RequestToken | Self::AuthorizePage | Self::AuthorizeForm | Self::AccessToken => {
                Style::Text
            }
            Self::MethodNotAllowed
                if [
                    &rules.request_token_path,
                    &rules.authorize_path,
                    &rules.access_token_path,
                ]
                .iter()
                .any(|p| p.as_str() == path) =>
            {
                Style::Text
            }
            Self::Identity | Self::Search | Self::NotFound | Self::MethodNotAllowed => Style::Json,
        }
    }
}

/// What the endpoints need of a request.
struct Incoming {
    method: String,
    /// The URL the client signed: `http://Host/path?query`.
    uri: String,
    query: String,
    authorization: Option<String>,
    has_user_agent: bool,
    /// The body, when it is `application/x-www-form-urlencoded`.
    form: Option<Bytes>,
    /// Why the body could not be read, if it could not.
    body_problem: Option<BodyProblem>,
    peer: IpAddr,
    /// How errors are answered here.
    style: Style,
}

/// A body that could not be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum BodyProblem {
    /// Longer than [`MAX_BODY`].
    TooLarge,
    /// Cut short, or badly chunked.
    Unreadable,
}

enum CallbackTo {
    Oob,
    Url(String),
}

enum Approval {
    Pending,
    Approved { verifier: Secret, user_id: u64 },
    Denied,
    Exchanged,
}

enum Kind {
    Request {
        callback: CallbackTo,
        expires_at: u64,
        csrf: Secret,
        approval: Approval,
    },
    Access {
        user_id: u64,
        expires_at: Option<u64>,
        session: Option<Secret>,
    },
}

struct Token {
    consumer_key: String,
    secret: Secret,
    kind: Kind,
}

struct State {
    tokens: HashMap<String, Token>,
    rate: RateLimiter,
}

/// Who a resource request is authenticated as.
enum Principal {
    /// A user, through an OAuth access token (with the consumer's name) or a personal token.
    User { user_id: u64, consumer_name: String },
    /// A consumer without a user: Discogs key/secret, or OAuth without a token.
    Consumer,
}

pub(super) struct App {
    base_url: String,
    consumers: HashMap<String, Consumer>,
    users: Vec<User>,
    personal_tokens: Vec<(Secret, u64)>,
    auto_approve: bool,
    clock: SharedClock,
    request_token_lifetime: u64,
    access_token_lifetime: Option<u64>,
    verifier: Verifier,
    rules: Rules,
    origin: Origin,
    nonces: Arc<dyn AsyncNonceStore>,
    refusal_log: Mutex<LogBudget>,
    on_refusal: Option<RefusalHook>,
    state: Mutex<State>,
}

/// How many refusals a second reach the refusal hook; the others are counted, and the next one
/// reported says how many were left out.
const LOGGED_PER_SECOND: u32 = 20;

/// The refusal hook's budget: [`LOGGED_PER_SECOND`] in each second.
#[derive(Debug, Default)]
struct LogBudget {
    second: u64,
    logged: u32,
    suppressed: u64,
}

impl LogBudget {
    /// Whether a refusal at `now` is reported, and how many were left out before it.
    fn admit(&mut self, now: u64) -> Option<u64> {
        if now != self.second {
            self.second = now;
            self.logged = 0;
        }
        if self.logged >= LOGGED_PER_SECOND {
            self.suppressed += 1;
            return None;
        }
        self.logged += 1;
        Some(std::mem::take(&mut self.suppressed))
    }
}

/// The result of authenticating an OAuth request: who sent it, or the refusal.
type OAuth = Result<Authentic, Rejection>;

/// Appends `pairs` to the query of `url` (before any fragment), encoded.
fn append_query(url: &str, pairs: &[(&str, &str)]) -> String {
    let (base, fragment) = match url.split_once('#') {
        Some((base, fragment)) => (base, Some(fragment)),
        None => (url, None),
    };
    let mut out = String::from(base);
    let mut separator = match base.split_once('?') {
        None => Some('?'),
        Some((_, q)) if q.is_empty() || q.ends_with('&') => None,
        Some(_) => Some('&'),
    };
    for (name, value) in pairs {
        if let Some(sep) = separator {
            out.push(sep);
        }
        separator = Some('&');
        out.push_str(name);
        out.push('=');
        out.push_str(&encode(value).to_string());
    }
    if let Some(fragment) = fragment {
        out.push('#');
        out.push_str(fragment);
    }
    out
}

/// An absolute `http` or `https` URL that can travel in a `Location` header.
fn valid_callback(url: &str) -> bool {
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    (lower.starts_with("http://") || lower.starts_with("https://"))
        && url.len() <= 2048
        && url.bytes().all(|b| b.is_ascii_graphic())
        && url
            .parse::<http::Uri>()
            .is_ok_and(|uri| uri.authority().is_some_and(|a| !a.host().is_empty()))
}

/// The value of `name` in a form body or query, decoded. A name given twice, or a broken
/// escape, is an error.
fn form_value(input: &str, name: &str) -> Result<Option<String>, &'static str> {
    let mut found = None;
    for pair in input.split('&').filter(|p| !p.is_empty()) {
        let (raw_name, raw_value) = pair.split_once('=').unwrap_or((pair, ""));
        if decode_form(raw_name).ok().as_deref() != Some(name) {
            continue;
        }
        if found.is_some() {
            return Err("a parameter appears twice");
        }
        found = Some(
            decode_form(raw_value)
                .map_err(|_| "a broken percent-escape")?
                .into_owned(),
        );
    }
    Ok(found)
}

impl App {
    fn new(builder: Builder, base_url: &str) -> Self {
        let verifier = builder.verifier();
        let mut consumers: HashMap<String, Consumer> = builder
            .consumers
            .into_iter()
            .map(|c| (c.key.clone(), c))
            .collect();
        if consumers.is_empty() {
            let default = Consumer::new(
                super::DEFAULT_CONSUMER_KEY,
                super::DEFAULT_CONSUMER_SECRET,
                super::DEFAULT_CONSUMER_NAME,
            );
            consumers.insert(default.key.clone(), default);
        }
        let mut users = builder.users;
        if users.is_empty() {
            users.push(User::new(super::DEFAULT_USER_ID, super::DEFAULT_USERNAME));
        }
        // Behind a reverse proxy, the URLs handed out (a realm, a resource URL) are public ones.
        let base_url = builder
            .public_url
            .as_ref()
            .map_or_else(|| base_url.to_owned(), ToString::to_string);
        Self {
            base_url,
            consumers,
            users,
            personal_tokens: builder.personal_tokens,
            auto_approve: builder.auto_approve,
            clock: builder.clock,
            request_token_lifetime: builder.request_token_lifetime,
            access_token_lifetime: builder.access_token_lifetime,
            verifier,
            rules: builder.rules,
            origin: Origin {
                public: builder.public_url,
                forwarded: (!builder.trusted_proxies.is_empty()).then(|| Trusted {
                    proxies: builder.trusted_proxies,
                    peer: Arc::new(|parts: &http::request::Parts| {
                        parts
                            .extensions
                            .get::<ConnectInfo<SocketAddr>>()
                            .map(|info| info.0.ip())
                    }),
                }),
            },
            nonces: builder.nonces.unwrap_or_else(|| {
                Arc::new(Mutex::new(countersign::verify::MemoryNonceStore::new(
                    builder.timestamp_window,
                    builder.nonce_capacity,
                )))
            }),
            refusal_log: Mutex::new(LogBudget::default()),
            on_refusal: builder.on_refusal,
            state: Mutex::new(State {
                tokens: HashMap::new(),
                rate: RateLimiter::new(builder.rate_limit),
            }),
        }
    }

    async fn handle(&self, endpoint: Endpoint, peer: SocketAddr, request: Request) -> Response {
        let (parts, body) = request.into_parts();
        let now = self.clock.now();
        // An address over its budget of refusals is answered before its body is even read.
        let over = self.locked(|st| st.rate.peek(&RateKey::Address(peer.ip()), now));
        if let Some(info) = over {
            let style = endpoint.style(parts.uri.path(), &self.rules);
            return self.finish(self.over_limit(style, info), &parts, now);
        }
        let (body, body_problem) = match to_bytes(body, MAX_BODY).await {
            Ok(body) => (body, None),
            Err(error) => {
                let too_large = std::error::Error::source(&error)
                    .is_some_and(|e| e.is::<http_body_util::LengthLimitError>());
                let problem = if too_large {
                    BodyProblem::TooLarge
                } else {
                    BodyProblem::Unreadable
                };
                (Bytes::new(), Some(problem))
            }
        };
        // A HEAD would be answered by the GET handler: it must not create a request token.
        let endpoint = if endpoint == Endpoint::RequestToken && parts.method == Method::HEAD {
            Endpoint::MethodNotAllowed
        } else {
            endpoint
        };
        let incoming = Incoming {
            method: parts.method.as_str().to_owned(),
            uri: signed_url(&parts, "http", &self.origin),
            query: parts.uri.query().unwrap_or("").to_owned(),
            authorization: joined_authorization(&parts.headers),
            has_user_agent: parts
                .headers
                .get(USER_AGENT)
                .is_some_and(|ua| !ua.as_bytes().iter().all(u8::is_ascii_whitespace)),
            form: is_form(&parts.headers).then_some(body),
            body_problem,
            peer: peer.ip(),
            style: endpoint.style(parts.uri.path(), &self.rules),
        };
        let reply = self.respond(endpoint, &incoming, now).await;
        self.finish(reply, &parts, now)
    }

    /// The response for `reply`: the refusal reported (within the log's budget), the provider's
    /// `Date` set.
    fn finish(&self, reply: Reply, parts: &http::request::Parts, now: u64) -> Response {
        if let (Some(reason), Some(hook)) = (&reply.refusal, &self.on_refusal) {
            let budget = self
                .refusal_log
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .admit(now);
            if let Some(suppressed) = budget {
                hook(&Refusal {
                    method: parts.method.as_str().to_owned(),
                    path: parts.uri.path().to_owned(),
                    status: reply.status.as_u16(),
                    reason: reason.clone(),
                    suppressed,
                });
            }
        }
        let mut response = reply.into_response();
        // The provider's own clock, injected or not: what a client's clock-skew logic reads.
        let date = httpdate::fmt_http_date(UNIX_EPOCH + Duration::from_secs(now));
        if let Ok(date) = HeaderValue::from_str(&date) {
            response.headers_mut().insert(DATE, date);
        }
        response
    }

    /// Runs `f` under the state's lock.
    fn locked<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        f(&mut self.state.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// The answer, in the order of the module documentation.
    async fn respond(&self, endpoint: Endpoint, req: &Incoming, now: u64) -> Reply {
        if let Some(reply) = self.locked(|st| self.cheap_refusal(st, req, now)) {
            return reply;
        }
        match endpoint {
            Endpoint::RequestToken => {
                let oauth = self.authenticate_oauth(req, now);
                self.serve_oauth(oauth, req, now, |st, verified| {
                    self.issue_request_token(st, verified, now)
                        .unwrap_or_else(|reply| reply)
                })
                .await
            }
            Endpoint::AccessToken => {
                let oauth = self.authenticate_oauth(req, now);
                self.serve_oauth(oauth, req, now, |st, verified| {
                    let result = if verified.extension("oauth_session_handle").is_some() {
                        self.renew(st, verified, now)
                    } else {
                        self.exchange(st, verified, now)
                    };
                    result.unwrap_or_else(|reply| reply)
                })
                .await
            }
            Endpoint::Identity => self.resource(req, now, true).await,
            Endpoint::Search => self.resource(req, now, false).await,
            Endpoint::AuthorizePage => self.locked(|st| self.authorize_page(st, req, now)),
            Endpoint::AuthorizeForm => self.locked(|st| self.authorize_form(st, req, now)),
            Endpoint::NotFound => {
                let reply = self.error(
                    req.style,
                    StatusCode::NOT_FOUND,
                    "The requested resource was not found.",
                    "no such resource".into(),
                );
                self.locked(|st| self.refuse(st, req, now, reply))
            }
            Endpoint::MethodNotAllowed => {
                let reply = self.error(
                    req.style,
                    StatusCode::METHOD_NOT_ALLOWED,
                    "Method not allowed.",
                    "method not allowed on this resource".into(),
                );
                self.locked(|st| self.refuse(st, req, now, reply))
            }
        }
    }

    /// What is refused before anything is verified: no `User-Agent`, a body that could not be
    /// read. (An address that has used up its budget of refused or unauthenticated requests
    /// was answered 429 before its body was read.)
    fn cheap_refusal(&self, st: &mut State, req: &Incoming, now: u64) -> Option<Reply> {
        let (status, message, reason) = if !req.has_user_agent {
            (
                StatusCode::FORBIDDEN,
                "A User-Agent header is required.",
                "no User-Agent header".to_owned(),
            )
        } else if req.body_problem == Some(BodyProblem::TooLarge) {
            (
                StatusCode::PAYLOAD_TOO_LARGE,
                "Request body too large.",
                format!("body larger than {MAX_BODY} bytes"),
            )
        } else if req.body_problem == Some(BodyProblem::Unreadable) {
            (
                StatusCode::BAD_REQUEST,
                "Could not read the request body.",
                "the body was cut short or badly chunked".to_owned(),
            )
        } else {
            return None;
        };
        let reply = self.error(req.style, status, message, reason);
        Some(self.refuse(st, req, now, reply))
    }

    /// The core's checks, the secrets (the state's lock, briefly) and the signature (no lock).
    fn authenticate_oauth(&self, req: &Incoming, now: u64) -> OAuth {
        let mut request = countersign::Request::new(&req.method, &req.uri);
        if let Some(form) = &req.form {
            request = request.with_form_body(form);
        }
        let checked = self
            .verifier
            .check(&request, req.authorization.as_deref(), now)?;
        let consumer_key = checked.consumer_key();
        let token = checked.token().and_then(|token| {
            self.locked(|st| {
                st.tokens
                    .get(token)
                    .filter(|t| t.consumer_key == consumer_key)
                    .map(|t| t.secret.clone())
            })
        });
        #[cfg(any(feature = "rsa-sha1", feature = "rsa-sha256"))]
        if checked.signature_method().uses_rsa() {
            let public_key = self
                .consumers
                .get(consumer_key)
                .and_then(|c| c.rsa_key.clone());
            return checked.authenticate_rsa(public_key.as_ref(), token.as_ref());
        }
        let client = self.consumers.get(consumer_key).map(|c| c.secret.clone());
        checked.authenticate(client.as_ref(), token.as_ref())
    }

    /// Serves an authenticated OAuth request: the client's rate limit, then its nonce (only for
    /// a request that will be served, with no lock held), then `act` under the lock. A refusal
    /// is counted against the address.
    async fn serve_oauth(
        &self,
        oauth: OAuth,
        req: &Incoming,
        now: u64,
        act: impl FnOnce(&mut State, &Verified) -> Reply,
    ) -> Reply {
        let refused = |rejection: &Rejection| {
            let reply = self.rejected(req.style, rejection);
            self.locked(|st| self.refuse(st, req, now, reply))
        };
        let authentic = match oauth {
            Ok(authentic) => authentic,
            Err(rejection) => return refused(&rejection),
        };
        if let Some(realm) = &self.rules.realm
            && authentic.verified().realm() != Some(realm.as_str())
        {
            let reply = self.error(
                req.style,
                StatusCode::UNAUTHORIZED,
                &format!("Invalid realm: send realm=\"{realm}\" in the Authorization header."),
                "the realm is not the one this provider requires".into(),
            );
            return self.locked(|st| self.refuse(st, req, now, reply));
        }
        let key = RateKey::Consumer(authentic.verified().consumer_key().to_owned());
        if let Some(info) = self.locked(|st| st.rate.peek(&key, now)) {
            return self.over_limit(req.style, info);
        }
        let check = match authentic.nonce() {
            Some(nonce) => self.nonces.check_and_insert(nonce, now).await,
            None => NonceCheck::Fresh,
        };
        match authentic.finish(check) {
            Ok(verified) => {
                self.locked(|st| self.admitted(st, key, now, req.style, |st| act(st, &verified)))
            }
            Err(rejection) => refused(&rejection),
        }
    }

    fn error(&self, style: Style, status: StatusCode, message: &str, reason: String) -> Reply {
        Reply::error(style, status, message, reason, &self.base_url, None)
    }

    /// The answer to a request the verifier refused. An unknown token is told apart (as
    /// `oauth_problem="token_rejected"`, the OAuth Problem Reporting name), so that a client whose
    /// token the provider forgot (a restart) knows to log in again; a token is random, so this
    /// tells a guesser nothing. The other problems the extension names are reported too.
    fn rejected(&self, style: Style, rejection: &Rejection) -> Reply {
        let status = StatusCode::from_u16(rejection.status()).unwrap_or(StatusCode::UNAUTHORIZED);
        let problem = match rejection.reason() {
            Reason::UnknownToken => Some("token_rejected"),
            Reason::StaleTimestamp { .. } => Some("timestamp_refused"),
            Reason::ReplayedNonce => Some("nonce_used"),
            _ => None,
        };
        let message = match (style, rejection.reason()) {
            (Style::Json, Reason::NoCredentials) => MUST_AUTHENTICATE.to_owned(),
            (_, Reason::UnknownToken) => INVALID_TOKEN.to_owned(),
            _ => rejection.public_message().to_string(),
        };
        let reply = Reply::error(
            style,
            status,
            &message,
            rejection.to_string(),
            &self.base_url,
            problem,
        );
        match rejection.reason() {
            // What the Problem Reporting extension adds: the timestamps that would do.
            Reason::StaleTimestamp { now, .. } => {
                let window = self.verifier.window();
                let ahead = self.verifier.nonce_lifetime() - window;
                let range = format!(
                    "{}-{}",
                    now.saturating_sub(window),
                    now.saturating_add(ahead)
                );
                reply.challenge_param("oauth_acceptable_timestamps", &range)
            }
            _ => reply,
        }
    }

    fn internal_error(&self, style: Style) -> Reply {
        self.error(
            style,
            StatusCode::INTERNAL_SERVER_ERROR,
            "Internal error.",
            "the operating system's random source failed".into(),
        )
    }

    /// A 429 instead of the answer, when `info` says the client is over its limit.
    fn over_limit(&self, style: Style, info: RateInfo) -> Reply {
        let mut reply = self.error(
            style,
            StatusCode::TOO_MANY_REQUESTS,
            "You are making requests too quickly.",
            format!("over the rate limit of {} requests a minute", info.limit),
        );
        reply.rate = Some(info);
        reply
    }

    /// Answers a request that was not authenticated: counted against the client's address.
    fn refuse(&self, st: &mut State, req: &Incoming, now: u64, mut reply: Reply) -> Reply {
        let info = st.rate.admit(RateKey::Address(req.peer), now);
        if info.retry_after.is_some() {
            return self.over_limit(req.style, info);
        }
        reply.rate = Some(info);
        reply
    }

    /// Counts a request against `key`, then acts, unless the client is over its limit.
    fn admitted(
        &self,
        st: &mut State,
        key: RateKey,
        now: u64,
        style: Style,
        act: impl FnOnce(&mut State) -> Reply,
    ) -> Reply {
        let info = st.rate.admit(key, now);
        if info.retry_after.is_some() {
            return self.over_limit(style, info);
        }
        let mut reply = act(st);
        reply.rate = Some(info);
        reply
    }

    /// A fresh token identifier, unique among the tokens held.
    fn new_token_id(st: &State) -> Result<String, getrandom::Error> {
        loop {
            let id = alphanumeric(TOKEN_LEN)?;
            if !st.tokens.contains_key(&id) {
                return Ok(id);
            }
        }
    }

    fn room_for_a_token(&self, st: &mut State, now: u64, style: Style) -> Result<(), Reply> {
        st.tokens.retain(|_, t| match t.kind {
            Kind::Request { expires_at, .. } => expires_at.saturating_add(EXPIRED_KEPT_FOR) > now,
            Kind::Access { .. } => true,
        });
        if st.tokens.len() >= MAX_TOKENS {
            return Err(self.error(
                style,
                StatusCode::SERVICE_UNAVAILABLE,
                "Too many tokens; try again later.",
                format!("{MAX_TOKENS} tokens held already"),
            ));
        }
        Ok(())
    }

    fn issue_request_token(
        &self,
        st: &mut State,
        verified: &Verified,
        now: u64,
    ) -> Result<Reply, Reply> {
        let style = Style::Text;
        if verified.token().is_some() {
            return Err(self.error(
                style,
                StatusCode::BAD_REQUEST,
                "Unexpected parameter: oauth_token",
                "a temporary-credentials request carries oauth_token".into(),
            ));
        }
        let callback = match verified.callback() {
            None | Some("oob") if !self.rules.oob => {
                return Err(self.error(
                    style,
                    StatusCode::BAD_REQUEST,
                    "This provider takes no oob: give oauth_callback an absolute http(s) URL.",
                    "oauth_callback oob (or none) where the provider takes a URL only".into(),
                ));
            }
            // Discogs shows a code to paste when there is no callback.
            None | Some("oob") => CallbackTo::Oob,
            Some(url) if valid_callback(url) => CallbackTo::Url(url.to_owned()),
            Some(_) => {
                return Err(self.error(
                    style,
                    StatusCode::BAD_REQUEST,
                    "Invalid oauth_callback: use an absolute http(s) URL, or oob.",
                    "oauth_callback is neither oob nor an absolute http(s) URL".into(),
                ));
            }
        };
        self.room_for_a_token(st, now, style)?;
        let random = || -> Result<(String, Secret, Secret), getrandom::Error> {
            Ok((
                Self::new_token_id(st)?,
                Secret::new(alphanumeric(SECRET_LEN)?),
                Secret::new(alphanumeric(TOKEN_LEN)?),
            ))
        };
        let (token, secret, csrf) = random().map_err(|_| self.internal_error(style))?;
        let body = format!(
            "oauth_token={token}&oauth_token_secret={}&oauth_callback_confirmed=true",
            secret.expose_secret()
        );
        st.tokens.insert(
            token,
            Token {
                consumer_key: verified.consumer_key().to_owned(),
                secret,
                kind: Kind::Request {
                    callback,
                    expires_at: now.saturating_add(self.request_token_lifetime),
                    csrf,
                    approval: Approval::Pending,
                },
            },
        );
        Ok(Reply::form(body))
    }

    /// The request token named in an authorize request, if it can still be approved.
    fn pending(&self, st: &State, token: &str, now: u64) -> Result<(), Reply> {
        let invalid = |reason: &str| {
            Err(self.error(
                Style::Text,
                StatusCode::BAD_REQUEST,
                INVALID_TOKEN,
                reason.to_owned(),
            ))
        };
        match st.tokens.get(token).map(|t| &t.kind) {
            None => invalid("unknown request token"),
            Some(Kind::Access { .. }) => {
                invalid("an access token where a request token was expected")
            }
            Some(Kind::Request { expires_at, .. }) if now >= *expires_at => {
                invalid("request token expired")
            }
            Some(Kind::Request {
                approval: Approval::Pending,
                ..
            }) => Ok(()),
            Some(Kind::Request { .. }) => invalid("request token already approved or denied"),
        }
    }

    fn authorize_page(&self, st: &mut State, req: &Incoming, now: u64) -> Reply {
        let key = RateKey::Address(req.peer);
        self.admitted(st, key, now, Style::Text, |st| {
            self.authorize_page_inner(st, req, now)
                .unwrap_or_else(|reply| reply)
        })
    }

    fn authorize_page_inner(
        &self,
        st: &mut State,
        req: &Incoming,
        now: u64,
    ) -> Result<Reply, Reply> {
        let token = self.token_param(&req.query)?;
        self.pending(st, &token, now)?;
        if self.auto_approve {
            return self.approve(st, &token, true);
        }
        let Some(t) = st.tokens.get(&token) else {
            return Err(self.internal_error(Style::Text));
        };
        let Kind::Request { csrf, .. } = &t.kind else {
            return Err(self.internal_error(Style::Text));
        };
        let html = html::authorize(
            self.consumer_name(&t.consumer_key),
            &self.signed_in_user().username,
            &token,
            csrf.expose_secret(),
        );
        Ok(Reply::page(StatusCode::OK, html))
    }

    fn token_param(&self, input: &str) -> Result<String, Reply> {
        let bad = |message: &str, reason: &str| {
            self.error(
                Style::Text,
                StatusCode::BAD_REQUEST,
                message,
                reason.to_owned(),
            )
        };
        match form_value(input, "oauth_token") {
            Ok(Some(token)) if !token.is_empty() => Ok(token),
            Ok(_) => Err(bad(
                "Parameter not found: oauth_token",
                "no oauth_token to authorize",
            )),
            Err(why) => Err(bad("Malformed parameters.", why)),
        }
    }

    fn authorize_form(&self, st: &mut State, req: &Incoming, now: u64) -> Reply {
        let key = RateKey::Address(req.peer);
        self.admitted(st, key, now, Style::Text, |st| {
            self.authorize_form_inner(st, req, now)
                .unwrap_or_else(|reply| reply)
        })
    }

    fn authorize_form_inner(
        &self,
        st: &mut State,
        req: &Incoming,
        now: u64,
    ) -> Result<Reply, Reply> {
        let bad = |status, message: &str, reason: &str| {
            self.error(Style::Text, status, message, reason.to_owned())
        };
        let form = req
            .form
            .as_ref()
            .and_then(|f| std::str::from_utf8(f).ok())
            .ok_or_else(|| {
                bad(
                    StatusCode::BAD_REQUEST,
                    "Expected a form.",
                    "the authorize form is not application/x-www-form-urlencoded UTF-8",
                )
            })?;
        let token = self.token_param(form)?;
        self.pending(st, &token, now)?;
        let field = |name| form_value(form, name).ok().flatten().unwrap_or_default();
        let (csrf_sent, decision) = (field("csrf"), field("decision"));
        let csrf_ok = match st.tokens.get(&token).map(|t| &t.kind) {
            Some(Kind::Request { csrf, .. }) => csrf.ct_eq(&csrf_sent),
            _ => false,
        };
        if !csrf_ok {
            return Err(bad(
                StatusCode::FORBIDDEN,
                "Invalid form: reload the authorize page.",
                "the authorize form's csrf value does not match",
            ));
        }
        match decision.as_str() {
            "approve" => self.approve(st, &token, false),
            "deny" => Ok(self.deny(st, &token)),
            _ => Err(bad(
                StatusCode::BAD_REQUEST,
                "Choose approve or deny.",
                "the authorize form's decision is neither approve nor deny",
            )),
        }
    }

    fn signed_in_user(&self) -> &User {
        // `App::new` makes sure there is one.
        &self.users[0]
    }

    fn consumer_name(&self, key: &str) -> &str {
        self.consumers.get(key).map_or("", |c| c.name.as_str())
    }

    /// Approves a pending request token as the signed-in user: a redirect to the callback, or
    /// for `oob` the verifier (as a form body in automation mode, else as a page).
    fn approve(&self, st: &mut State, token: &str, automatic: bool) -> Result<Reply, Reply> {
        let verifier = alphanumeric(VERIFIER_LEN).map_err(|_| self.internal_error(Style::Text))?;
        let user_id = self.signed_in_user().id;
        let Some(t) = st.tokens.get_mut(token) else {
            return Err(self.internal_error(Style::Text));
        };
        let Kind::Request {
            callback, approval, ..
        } = &mut t.kind
        else {
            return Err(self.internal_error(Style::Text));
        };
        *approval = Approval::Approved {
            verifier: Secret::new(verifier.as_str()),
            user_id,
        };
        Ok(match callback {
            CallbackTo::Url(url) => Reply::redirect(append_query(
                url,
                &[("oauth_token", token), ("oauth_verifier", &verifier)],
            )),
            CallbackTo::Oob if automatic => Reply::form(format!(
                "oauth_token={}&oauth_verifier={}",
                encode(token),
                encode(&verifier)
            )),
            CallbackTo::Oob => Reply::page(
                StatusCode::OK,
                html::verifier(self.consumer_name(&t.consumer_key), &verifier),
            ),
        })
    }

    fn deny(&self, st: &mut State, token: &str) -> Reply {
        let Some(t) = st.tokens.get_mut(token) else {
            return self.internal_error(Style::Text);
        };
        let consumer_name = self.consumer_name(&t.consumer_key);
        let Kind::Request {
            callback, approval, ..
        } = &mut t.kind
        else {
            return self.internal_error(Style::Text);
        };
        *approval = Approval::Denied;
        match callback {
            CallbackTo::Url(url) => Reply::redirect(append_query(url, &[("denied", token)])),
            CallbackTo::Oob => Reply::page(StatusCode::OK, html::denied(consumer_name)),
        }
    }

    /// The token-credentials request: an approved request token and its verifier.
    fn exchange(&self, st: &mut State, verified: &Verified, now: u64) -> Result<Reply, Reply> {
        let fail = |status, message: &str, reason: &str| {
            Err(self.error(Style::Text, status, message, reason.to_owned()))
        };
        let Some(token) = verified.token() else {
            return fail(
                StatusCode::BAD_REQUEST,
                "Parameter not found: oauth_token",
                "a token-credentials request without oauth_token",
            );
        };
        let Some(entry) = st.tokens.get_mut(token) else {
            return Err(self.internal_error(Style::Text));
        };
        let Kind::Request {
            expires_at,
            approval,
            ..
        } = &mut entry.kind
        else {
            return fail(
                StatusCode::UNAUTHORIZED,
                INVALID_TOKEN,
                "an access token where a request token was expected",
            );
        };
        if now >= *expires_at {
            return fail(
                StatusCode::UNAUTHORIZED,
                INVALID_TOKEN,
                "request token expired",
            );
        }
        let user_id = match approval {
            Approval::Pending => {
                return fail(
                    StatusCode::UNAUTHORIZED,
                    "The request token has not been authorized.",
                    "request token not authorized yet",
                );
            }
            Approval::Denied => {
                return fail(
                    StatusCode::UNAUTHORIZED,
                    INVALID_TOKEN,
                    "request token was denied",
                );
            }
            Approval::Exchanged => {
                return fail(
                    StatusCode::UNAUTHORIZED,
                    INVALID_TOKEN,
                    "verifier already used: the request token was exchanged before",
                );
            }
            Approval::Approved { verifier, user_id } => {
                let Some(sent) = verified.verifier() else {
                    return fail(
                        StatusCode::BAD_REQUEST,
                        "Parameter not found: oauth_verifier",
                        "a token-credentials request without oauth_verifier",
                    );
                };
                if verifier != sent {
                    return Err(Reply::error(
                        Style::Text,
                        StatusCode::UNAUTHORIZED,
                        "Invalid verifier.",
                        "verifier does not match".to_owned(),
                        &self.base_url,
                        Some("verifier_invalid"),
                    ));
                }
                *user_id
            }
        };
        *approval = Approval::Exchanged;
        let consumer_key = verified.consumer_key().to_owned();
        self.issue_access_token(st, consumer_key, user_id, None, now)
    }

    /// The session extension: a new access token for the session's holder.
    fn renew(&self, st: &mut State, verified: &Verified, now: u64) -> Result<Reply, Reply> {
        let refuse = |reason: &str| {
            Err(self.error(
                Style::Text,
                StatusCode::UNAUTHORIZED,
                "Invalid session handle.",
                reason.to_owned(),
            ))
        };
        let sent = verified.extension("oauth_session_handle");
        let found = verified
            .token()
            .and_then(|token| st.tokens.get(token))
            .and_then(|t| match &t.kind {
                Kind::Access {
                    user_id,
                    session: Some(session),
                    ..
                } => Some((*user_id, session.clone())),
                _ => None,
            });
        let Some((user_id, session)) = found else {
            return refuse("oauth_session_handle with a token that has no session");
        };
        if sent != Some(&session) {
            return refuse("session handle does not match");
        }
        if let Some(old) = verified.token() {
            st.tokens.remove(old);
        }
        let consumer_key = verified.consumer_key().to_owned();
        self.issue_access_token(st, consumer_key, user_id, Some(session), now)
    }

    fn issue_access_token(
        &self,
        st: &mut State,
        consumer_key: String,
        user_id: u64,
        session: Option<Secret>,
        now: u64,
    ) -> Result<Reply, Reply> {
        self.room_for_a_token(st, now, Style::Text)?;
        let make = || -> Result<(String, Secret, Option<Secret>), getrandom::Error> {
            let session = match (self.access_token_lifetime, session) {
                (None, _) => None,
                (Some(_), Some(session)) => Some(session),
                (Some(_), None) => Some(Secret::new(alphanumeric(TOKEN_LEN)?)),
            };
            Ok((
                Self::new_token_id(st)?,
                Secret::new(alphanumeric(SECRET_LEN)?),
                session,
            ))
        };
        let (token, secret, session) = make().map_err(|_| self.internal_error(Style::Text))?;
        let mut body = format!(
            "oauth_token={token}&oauth_token_secret={}",
            secret.expose_secret()
        );
        if let (Some(lifetime), Some(session)) = (self.access_token_lifetime, &session) {
            body.push_str(&format!(
                "&oauth_expires_in={lifetime}&oauth_session_handle={}",
                session.expose_secret()
            ));
        }
        st.tokens.insert(
            token,
            Token {
                consumer_key,
                secret,
                kind: Kind::Access {
                    user_id,
                    expires_at: self.access_token_lifetime.map(|l| now.saturating_add(l)),
                    session,
                },
            },
        );
        Ok(Reply::form(body))
    }

    /// The API's resources: `/oauth/identity` (needs a user) and `/database/search`.
    async fn resource(&self, req: &Incoming, now: u64, needs_user: bool) -> Reply {
        let style = Style::Json;
        let header = req.authorization.as_deref();
        let discogs = match header {
            Some(value) if discogs_auth::is_discogs_scheme(value) => {
                Some(discogs_auth::from_header(value))
            }
            Some(_) => None,
            None => discogs_auth::from_query(&req.query).transpose(),
        };
        let found = match discogs {
            Some(Ok(credentials)) => self.authenticate_discogs(credentials),
            Some(Err(malformed)) => Err(self.error(
                style,
                StatusCode::BAD_REQUEST,
                "Malformed Discogs credentials.",
                format!("malformed Discogs credentials: {}", malformed.0),
            )),
            None => {
                let oauth = self.authenticate_oauth(req, now);
                return self
                    .serve_oauth(oauth, req, now, |st, verified| {
                        match self.oauth_principal(st, verified, now) {
                            Ok(principal) => self.resource_body(principal, needs_user),
                            Err(reply) => reply,
                        }
                    })
                    .await;
            }
        };
        self.locked(|st| match found {
            Ok((principal, key)) => self.admitted(st, key, now, style, |_| {
                self.resource_body(principal, needs_user)
            }),
            Err(reply) => self.refuse(st, req, now, reply),
        })
    }

    /// What a resource answers `principal`.
    fn resource_body(&self, principal: Principal, needs_user: bool) -> Reply {
        let style = Style::Json;
        match principal {
            Principal::User {
                user_id,
                consumer_name,
            } if needs_user => {
                let user = self.users.iter().find(|u| u.id == user_id);
                let username = user.map_or("", |u| u.username.as_str());
                Reply::json(
                    StatusCode::OK,
                    &json!({
                        "id": user_id,
                        "username": username,
                        "resource_url": format!("{}/users/{}", self.base_url, encode(username)),
                        "consumer_name": consumer_name,
                    }),
                )
            }
            Principal::Consumer if needs_user => self.error(
                style,
                StatusCode::UNAUTHORIZED,
                "This resource needs a user: authenticate with OAuth and an access token, or a personal access token.",
                "consumer credentials without a user, on a resource that needs one".into(),
            ),
            Principal::User { .. } | Principal::Consumer => Reply::json(
                StatusCode::OK,
                &json!({
                    "pagination": {"page": 1, "pages": 1, "per_page": 50, "items": 0, "urls": {}},
                    "results": [],
                }),
            ),
        }
    }

    /// Who an authenticated OAuth request on a resource acts for: the user of its access
    /// token, or the consumer alone without a token.
    fn oauth_principal(
        &self,
        st: &State,
        verified: &Verified,
        now: u64,
    ) -> Result<Principal, Reply> {
        let Some(token) = verified.token() else {
            return Ok(Principal::Consumer);
        };
        let fail = |message: &str, reason: &str, problem| {
            Reply::error(
                Style::Json,
                StatusCode::UNAUTHORIZED,
                message,
                reason.to_owned(),
                &self.base_url,
                problem,
            )
        };
        match st.tokens.get(token).map(|t| &t.kind) {
            Some(Kind::Access {
                expires_at: Some(expires_at),
                ..
            }) if now >= *expires_at => Err(fail(
                "The access token has expired: renew it with its session handle.",
                "access token expired",
                Some("token_expired"),
            )),
            Some(Kind::Access { user_id, .. }) => Ok(Principal::User {
                user_id: *user_id,
                consumer_name: self.consumer_name(verified.consumer_key()).to_owned(),
            }),
            _ => Err(fail(
                INVALID_TOKEN,
                "a request token where an access token was expected",
                Some("token_rejected"),
            )),
        }
    }

    fn authenticate_discogs(
        &self,
        credentials: DiscogsCredentials,
    ) -> Result<(Principal, RateKey), Reply> {
        let style = Style::Json;
        match credentials {
            DiscogsCredentials::Token(sent) => {
                // Compared with every token, without stopping at a match.
                let mut holder = None;
                for (token, user_id) in &self.personal_tokens {
                    if token.ct_eq(sent.expose_secret()) {
                        holder = Some(*user_id);
                    }
                }
                let user_id = holder.ok_or_else(|| {
                    self.error(
                        style,
                        StatusCode::UNAUTHORIZED,
                        "Invalid personal access token.",
                        "unknown personal access token".into(),
                    )
                })?;
                Ok((
                    Principal::User {
                        user_id,
                        consumer_name: "Personal access token".into(),
                    },
                    RateKey::User(user_id),
                ))
            }
            DiscogsCredentials::KeySecret { key, secret } => {
                let found = self.consumers.get(&key).map(|c| c.secret.clone());
                let known = found.is_some();
                let expected =
                    found.unwrap_or_else(|| Secret::new("countersign-dummy-consumer-secret-0000"));
                let matches = expected.ct_eq(secret.expose_secret());
                if known && matches {
                    return Ok((Principal::Consumer, RateKey::Consumer(key)));
                }
                let reason = if known {
                    format!("consumer secret does not match (consumer key {key:?})")
                } else {
                    format!("unknown consumer key {key:?}")
                };
                Err(self.error(
                    style,
                    StatusCode::UNAUTHORIZED,
                    "Invalid consumer key or secret.",
                    reason,
                ))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn callbacks_keep_their_query_and_fragment() {
        let pairs = [("oauth_token", "t"), ("oauth_verifier", "v v")];
        assert_eq!(
            append_query("http://c.example/cb", &pairs),
            "http://c.example/cb?oauth_token=t&oauth_verifier=v%20v"
        );
        assert_eq!(
            append_query("http://c.example/cb?x=1#top", &pairs),
            "http://c.example/cb?x=1&oauth_token=t&oauth_verifier=v%20v#top"
        );
        assert_eq!(
            append_query("http://c.example/cb?", &[("denied", "t")]),
            "http://c.example/cb?denied=t"
        );
    }

    #[test]
    fn callback_urls() {
        for ok in [
            "http://127.0.0.1:9/cb",
            "HTTPS://client.example/cb?x=1#f",
            "http://[::1]:8080/",
        ] {
            assert!(valid_callback(ok), "{ok}");
        }
        for bad in [
            "oob2",
            "ftp://x/",
            "http://",
            "http:///path",
            "http://a b/",
            "http://x/\u{e9}",
            "javascript:alert(1)",
            "/relative",
        ] {
            assert!(!valid_callback(bad), "{bad}");
        }
    }

    #[test]
    fn form_values() {
        assert_eq!(form_value("a=1&b=x+y", "b"), Ok(Some("x y".into())));
        assert_eq!(form_value("a=1", "b"), Ok(None));
        assert!(form_value("b=1&b=2", "b").is_err());
        assert!(form_value("b=%zz", "b").is_err());
    }
}
