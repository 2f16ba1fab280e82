//! Answers, built as plain values and turned into HTTP responses at the end (with the rate-limit
//! headers every answer carries).

use axum::body::Body;
use axum::response::Response;
use http::header::{
    CACHE_CONTROL, CONTENT_TYPE, LOCATION, REFERRER_POLICY, RETRY_AFTER, WWW_AUTHENTICATE,
    X_FRAME_OPTIONS,
};
use http::{HeaderName, HeaderValue, StatusCode};

use super::rate::RateInfo;

const FORM: &str = "application/x-www-form-urlencoded";
const TEXT: &str = "text/plain; charset=utf-8";
const JSON: &str = "application/json";
const HTML: &str = "text/html; charset=utf-8";

/// How an endpoint answers errors: the token endpoints (and the authorize page) in plain text,
/// the API's resources in JSON, as Discogs does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Style {
    Text,
    Json,
}

#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) status: StatusCode,
    content_type: &'static str,
    body: String,
    /// `Location`, `WWW-Authenticate`, `Cache-Control` and the like.
    headers: Vec<(HeaderName, String)>,
    pub(crate) rate: Option<RateInfo>,
    /// Why the request was refused, for the log; `None` when it was not.
    pub(crate) refusal: Option<String>,
}

impl Reply {
    fn new(status: StatusCode, content_type: &'static str, body: String) -> Self {
        Self {
            status,
            content_type,
            body,
            headers: Vec::new(),
            rate: None,
            refusal: None,
        }
    }

    /// A form-encoded token response.
    pub(crate) fn form(body: String) -> Self {
        Self::new(StatusCode::OK, FORM, body).no_store()
    }

    pub(crate) fn json(status: StatusCode, value: &serde_json::Value) -> Self {
        Self::new(status, JSON, value.to_string())
    }

    pub(crate) fn page(status: StatusCode, html: String) -> Self {
        // Not framed, no referrer: the page carries the request token.
        Self::new(status, HTML, html)
            .no_store()
            .header(X_FRAME_OPTIONS, "DENY")
            .header(REFERRER_POLICY, "no-referrer")
    }

    pub(crate) fn redirect(location: String) -> Self {
        Self::new(StatusCode::FOUND, TEXT, String::new())
            .no_store()
            .header(LOCATION, &location)
    }

    /// An error in the endpoint's style; `reason` is what the log says. `realm` goes into
    /// `WWW-Authenticate` on a 401, with `problem` as `oauth_problem` when given.
    pub(crate) fn error(
        style: Style,
        status: StatusCode,
        message: &str,
        reason: String,
        realm: &str,
        problem: Option<&str>,
    ) -> Self {
        let mut reply = match style {
            Style::Text => Self::new(status, TEXT, message.to_owned()),
            Style::Json => Self::json(status, &serde_json::json!({ "message": message })),
        };
        reply = reply.no_store();
        if status == StatusCode::UNAUTHORIZED {
            let mut value = format!("OAuth realm=\"{realm}\"");
            if let Some(problem) = problem {
                value.push_str(&format!(", oauth_problem=\"{problem}\""));
            }
            reply = reply.header(WWW_AUTHENTICATE, &value);
        }
        reply.refusal = Some(reason);
        reply
    }

    /// Adds `name="value"` to the `WWW-Authenticate` challenge, if the reply has one.
    pub(crate) fn challenge_param(mut self, name: &str, value: &str) -> Self {
        if let Some((_, challenge)) = self.headers.iter_mut().find(|(n, _)| n == WWW_AUTHENTICATE) {
            challenge.push_str(&format!(", {name}=\"{value}\""));
        }
        self
    }

    fn header(mut self, name: HeaderName, value: &str) -> Self {
        self.headers.push((name, value.to_owned()));
        self
    }

    /// Token responses, pages with verifiers, errors: never cached.
    fn no_store(self) -> Self {
        self.header(CACHE_CONTROL, "no-store")
    }

    pub(crate) fn into_response(self) -> Response {
        let mut response = Response::new(Body::from(self.body));
        *response.status_mut() = self.status;
        let headers = response.headers_mut();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static(self.content_type));
        let mut set = |name: HeaderName, value: &str| {
            if let Ok(value) = HeaderValue::from_str(value) {
                headers.insert(name, value);
            }
        };
        for (name, value) in self.headers {
            set(name, &value);
        }
        if let Some(rate) = self.rate {
            set(
                HeaderName::from_static("x-discogs-ratelimit"),
                &rate.limit.to_string(),
            );
            set(
                HeaderName::from_static("x-discogs-ratelimit-used"),
                &rate.used.to_string(),
            );
            set(
                HeaderName::from_static("x-discogs-ratelimit-remaining"),
                &rate.remaining.to_string(),
            );
            if let Some(seconds) = rate.retry_after {
                set(RETRY_AFTER, &seconds.to_string());
            }
        }
        // A full or unreachable store (503) and a client over its nonce share (429) can try
        // again soon.
        let busy = self.status == StatusCode::SERVICE_UNAVAILABLE
            || self.status == StatusCode::TOO_MANY_REQUESTS;
        if busy && !response.headers().contains_key(RETRY_AFTER) {
            response
                .headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from_static("1"));
        }
        response
    }
}
