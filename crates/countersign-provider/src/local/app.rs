//! The provider's state and endpoints.
//!
//! Every request is answered under one lock on the state, in three steps: authenticate (the
//! core's verifier, or a Discogs credential mode), count it against the client's rate limit,
//! then act. The lock is never held across an `.await`.

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
use countersign::verify::{MemoryNonceStore, Reason, Rejection, SecretLookup, Verified, Verifier};
use http::HeaderValue;
use http::StatusCode;
use http::header::{DATE, USER_AGENT};
use serde_json::json;

use super::discogs_auth::{self, DiscogsCredentials};
use super::rate::{RateInfo, RateKey, RateLimiter};
use super::reply::{Reply, Style};
use super::{Builder, Consumer, Refusal, RefusalHook, User, html};
use crate::clock::SharedClock;
use crate::layer::{is_form, joined_authorization, signed_url};
use crate::random::alphanumeric;

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
    let app = Arc::new(App::new(builder, base_url));
    Router::new()
        .route(
            "/oauth/request_token",
            get(request_token).post(request_token),
        )
        .route("/oauth/authorize", get(authorize_page).post(authorize_form))
        .route("/oauth/access_token", post(access_token))
        .route("/oauth/identity", get(identity))
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
    fn style(self) -> Style {
        match self {
            Self::RequestToken | Self::AuthorizePage | Self::AuthorizeForm | Self::AccessToken => {
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
    path: String,
    query: String,
    authorization: Option<String>,
    has_user_agent: bool,
    /// The body, when it is `application/x-www-form-urlencoded`.
    form: Option<Bytes>,
    body_too_large: bool,
    peer: IpAddr,
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
    nonces: MemoryNonceStore,
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
    on_refusal: Option<RefusalHook>,
    state: Mutex<State>,
}

/// The secrets the verifier needs: consumers from the configuration, tokens from the state.
/// Tokens of every kind and age are found; the endpoints judge kind and age once the signature
/// has proven that the client holds the token's secret.
struct Lookup<'a> {
    consumers: &'a HashMap<String, Consumer>,
    tokens: &'a HashMap<String, Token>,
}

impl SecretLookup for Lookup<'_> {
    fn client_secret(&self, consumer_key: &str) -> Option<Secret> {
        self.consumers.get(consumer_key).map(|c| c.secret.clone())
    }

    fn token_secret(&self, consumer_key: &str, token: &str) -> Option<Secret> {
        self.tokens
            .get(token)
            .filter(|t| t.consumer_key == consumer_key)
            .map(|t| t.secret.clone())
    }
}

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
        Self {
            base_url: base_url.to_owned(),
            consumers,
            users,
            personal_tokens: builder.personal_tokens,
            auto_approve: builder.auto_approve,
            clock: builder.clock,
            request_token_lifetime: builder.request_token_lifetime,
            access_token_lifetime: builder.access_token_lifetime,
            verifier: Verifier::new().timestamp_window(builder.timestamp_window),
            on_refusal: builder.on_refusal,
            state: Mutex::new(State {
                tokens: HashMap::new(),
                nonces: MemoryNonceStore::new(builder.timestamp_window, builder.nonce_capacity),
                rate: RateLimiter::new(builder.rate_limit),
            }),
        }
    }

    async fn handle(&self, endpoint: Endpoint, peer: SocketAddr, request: Request) -> Response {
        let (parts, body) = request.into_parts();
        let (body, body_too_large) = match to_bytes(body, MAX_BODY).await {
            Ok(body) => (body, false),
            Err(_) => (Bytes::new(), true),
        };
        let incoming = Incoming {
            method: parts.method.as_str().to_owned(),
            uri: signed_url(&parts, "http", None),
            path: parts.uri.path().to_owned(),
            query: parts.uri.query().unwrap_or("").to_owned(),
            authorization: joined_authorization(&parts.headers),
            has_user_agent: parts
                .headers
                .get(USER_AGENT)
                .is_some_and(|ua| !ua.as_bytes().iter().all(u8::is_ascii_whitespace)),
            form: is_form(&parts.headers).then_some(body),
            body_too_large,
            peer: peer.ip(),
        };
        let now = self.clock.now();
        let reply = {
            let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
            self.answer(&mut state, endpoint, &incoming, now)
        };
        if let (Some(reason), Some(hook)) = (&reply.refusal, &self.on_refusal) {
            hook(&Refusal {
                method: incoming.method.clone(),
                path: incoming.path.clone(),
                status: reply.status.as_u16(),
                reason: reason.clone(),
            });
        }
        let mut response = reply.into_response();
        // The provider's own clock, injected or not: what a client's clock-skew logic reads.
        let date = httpdate::fmt_http_date(UNIX_EPOCH + Duration::from_secs(now));
        if let Ok(date) = HeaderValue::from_str(&date) {
            response.headers_mut().insert(DATE, date);
        }
        response
    }

    fn answer(&self, st: &mut State, endpoint: Endpoint, req: &Incoming, now: u64) -> Reply {
        let style = endpoint.style();
        if !req.has_user_agent {
            let reply = self.error(
                style,
                StatusCode::FORBIDDEN,
                "A User-Agent header is required.",
                "no User-Agent header".into(),
            );
            return self.refuse(st, req, now, style, reply);
        }
        if req.body_too_large {
            let reply = self.error(
                style,
                StatusCode::PAYLOAD_TOO_LARGE,
                "Request body too large.",
                format!("body larger than {MAX_BODY} bytes"),
            );
            return self.refuse(st, req, now, style, reply);
        }
        match endpoint {
            Endpoint::RequestToken => self.request_token(st, req, now),
            Endpoint::AuthorizePage => self.authorize_page(st, req, now),
            Endpoint::AuthorizeForm => self.authorize_form(st, req, now),
            Endpoint::AccessToken => self.access_token(st, req, now),
            Endpoint::Identity => self.resource(st, req, now, true),
            Endpoint::Search => self.resource(st, req, now, false),
            Endpoint::NotFound => {
                let reply = self.error(
                    style,
                    StatusCode::NOT_FOUND,
                    "The requested resource was not found.",
                    "no such resource".into(),
                );
                self.refuse(st, req, now, style, reply)
            }
            Endpoint::MethodNotAllowed => {
                let reply = self.error(
                    style,
                    StatusCode::METHOD_NOT_ALLOWED,
                    "Method not allowed.",
                    "method not allowed on this resource".into(),
                );
                self.refuse(st, req, now, style, reply)
            }
        }
    }

    fn error(&self, style: Style, status: StatusCode, message: &str, reason: String) -> Reply {
        Reply::error(style, status, message, reason, &self.base_url, None)
    }

    fn rejected(&self, style: Style, rejection: &Rejection) -> Reply {
        let status = StatusCode::from_u16(rejection.status()).unwrap_or(StatusCode::UNAUTHORIZED);
        let message = match (style, rejection.reason()) {
            (Style::Json, Reason::NoCredentials) => MUST_AUTHENTICATE.to_owned(),
            _ => rejection.public_message().to_string(),
        };
        self.error(style, status, &message, rejection.to_string())
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
    fn refuse(
        &self,
        st: &mut State,
        req: &Incoming,
        now: u64,
        style: Style,
        mut reply: Reply,
    ) -> Reply {
        let info = st.rate.admit(RateKey::Address(req.peer), now);
        if info.retry_after.is_some() {
            return self.over_limit(style, info);
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

    fn verify_oauth(
        &self,
        st: &mut State,
        req: &Incoming,
        now: u64,
    ) -> Result<Verified, Rejection> {
        let State { tokens, nonces, .. } = st;
        let lookup = Lookup {
            consumers: &self.consumers,
            tokens,
        };
        let mut request = countersign::Request::new(&req.method, &req.uri);
        if let Some(form) = &req.form {
            request = request.with_form_body(form);
        }
        self.verifier
            .verify(&request, req.authorization.as_deref(), now, &lookup, nonces)
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

    fn request_token(&self, st: &mut State, req: &Incoming, now: u64) -> Reply {
        let style = Style::Text;
        let verified = match self.verify_oauth(st, req, now) {
            Ok(verified) => verified,
            Err(rejection) => {
                let reply = self.rejected(style, &rejection);
                return self.refuse(st, req, now, style, reply);
            }
        };
        let key = RateKey::Consumer(verified.consumer_key().to_owned());
        self.admitted(st, key, now, style, |st| {
            self.issue_request_token(st, &verified, now)
                .unwrap_or_else(|reply| reply)
        })
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

    fn access_token(&self, st: &mut State, req: &Incoming, now: u64) -> Reply {
        let style = Style::Text;
        let verified = match self.verify_oauth(st, req, now) {
            Ok(verified) => verified,
            Err(rejection) => {
                let reply = self.rejected(style, &rejection);
                return self.refuse(st, req, now, style, reply);
            }
        };
        let key = RateKey::Consumer(verified.consumer_key().to_owned());
        self.admitted(st, key, now, style, |st| {
            let result = if verified.extension("oauth_session_handle").is_some() {
                self.renew(st, &verified, now)
            } else {
                self.exchange(st, &verified, now)
            };
            result.unwrap_or_else(|reply| reply)
        })
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
                    return fail(
                        StatusCode::UNAUTHORIZED,
                        "Invalid verifier.",
                        "verifier does not match",
                    );
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
    fn resource(&self, st: &mut State, req: &Incoming, now: u64, needs_user: bool) -> Reply {
        let style = Style::Json;
        let (principal, key) = match self.authenticate_resource(st, req, now) {
            Ok(found) => found,
            Err(reply) => return self.refuse(st, req, now, style, reply),
        };
        self.admitted(st, key, now, style, |_| match principal {
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
        })
    }

    fn authenticate_resource(
        &self,
        st: &mut State,
        req: &Incoming,
        now: u64,
    ) -> Result<(Principal, RateKey), Reply> {
        let style = Style::Json;
        let header = req.authorization.as_deref();
        let discogs = match header {
            Some(value) if discogs_auth::is_discogs_scheme(value) => {
                Some(discogs_auth::from_header(value))
            }
            Some(_) => None,
            None => discogs_auth::from_query(&req.query).transpose(),
        };
        match discogs {
            Some(Ok(credentials)) => self.authenticate_discogs(credentials),
            Some(Err(malformed)) => Err(self.error(
                style,
                StatusCode::BAD_REQUEST,
                "Malformed Discogs credentials.",
                format!("malformed Discogs credentials: {}", malformed.0),
            )),
            None => {
                let verified = self
                    .verify_oauth(st, req, now)
                    .map_err(|rejection| self.rejected(style, &rejection))?;
                let key = RateKey::Consumer(verified.consumer_key().to_owned());
                let Some(token) = verified.token() else {
                    return Ok((Principal::Consumer, key));
                };
                let fail = |message: &str, reason: &str, problem| {
                    Reply::error(
                        style,
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
                    Some(Kind::Access { user_id, .. }) => Ok((
                        Principal::User {
                            user_id: *user_id,
                            consumer_name: self.consumer_name(verified.consumer_key()).to_owned(),
                        },
                        key,
                    )),
                    _ => Err(fail(
                        INVALID_TOKEN,
                        "a request token where an access token was expected",
                        Some("token_rejected"),
                    )),
                }
            }
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
