//! The provider's answer, as the core needs it: the status, the few headers that matter, and the
//! body. [`Response::classify`] turns a non-2xx answer into a typed [`ProviderError`].

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use crate::error::excerpt;
use crate::{Error, discogs};

/// A provider's answer: status, body, and the headers the core reads (`Date`, `Retry-After`,
/// `WWW-Authenticate`, `Content-Type` and Discogs' rate-limit headers). Borrowed.
///
/// ```
/// use countersign::response::Response;
///
/// let answer = Response::new(401, b"Invalid consumer.")
///     .with_header("Content-Type", "text/plain")
///     .with_header("X-Discogs-Ratelimit-Remaining", "59");
/// let error = answer.classify().unwrap_err();
/// assert_eq!(
///     error.to_string(),
///     "provider answered 401 Unauthorized: \"Invalid consumer.\": check the consumer key and \
///      secret, the token, and the system clock"
/// );
/// # let _ = error;
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Response<'a> {
    status: u16,
    body: &'a [u8],
    date: Option<&'a str>,
    retry_after: Option<&'a str>,
    www_authenticate: Option<&'a str>,
    content_type: Option<&'a str>,
    location: Option<&'a str>,
    ratelimit: Option<&'a str>,
    ratelimit_used: Option<&'a str>,
    ratelimit_remaining: Option<&'a str>,
}

impl<'a> Response<'a> {
    /// An answer with this status and body, and no headers yet.
    #[must_use]
    pub const fn new(status: u16, body: &'a [u8]) -> Self {
        Self {
            status,
            body,
            date: None,
            retry_after: None,
            www_authenticate: None,
            content_type: None,
            location: None,
            ratelimit: None,
            ratelimit_used: None,
            ratelimit_remaining: None,
        }
    }

    /// Records a header if it is one the core reads (names match in any case); others are ignored,
    /// so every header of a response can be passed through here.
    #[must_use]
    pub fn with_header(mut self, name: &str, value: &'a str) -> Self {
        let slot = if name.eq_ignore_ascii_case("date") {
            &mut self.date
        } else if name.eq_ignore_ascii_case("retry-after") {
            &mut self.retry_after
        } else if name.eq_ignore_ascii_case("www-authenticate") {
            &mut self.www_authenticate
        } else if name.eq_ignore_ascii_case("content-type") {
            &mut self.content_type
        } else if name.eq_ignore_ascii_case("location") {
            &mut self.location
        } else if name.eq_ignore_ascii_case(discogs::RATE_LIMIT_HEADER) {
            &mut self.ratelimit
        } else if name.eq_ignore_ascii_case(discogs::RATE_LIMIT_USED_HEADER) {
            &mut self.ratelimit_used
        } else if name.eq_ignore_ascii_case(discogs::RATE_LIMIT_REMAINING_HEADER) {
            &mut self.ratelimit_remaining
        } else {
            return self;
        };
        *slot = Some(value.trim());
        self
    }

    /// The HTTP status code.
    #[must_use]
    pub const fn status(&self) -> u16 {
        self.status
    }

    /// The body.
    #[must_use]
    pub const fn body(&self) -> &'a [u8] {
        self.body
    }

    /// The `Date` header.
    #[must_use]
    pub const fn date(&self) -> Option<&'a str> {
        self.date
    }

    /// The `WWW-Authenticate` header.
    #[must_use]
    pub const fn www_authenticate(&self) -> Option<&'a str> {
        self.www_authenticate
    }

    /// The `Content-Type` header.
    #[must_use]
    pub const fn content_type(&self) -> Option<&'a str> {
        self.content_type
    }

    /// The `Location` header (of a redirect).
    #[must_use]
    pub const fn location(&self) -> Option<&'a str> {
        self.location
    }

    /// Discogs' rate-limit headers, when any is present and well formed.
    #[must_use]
    pub fn rate_limit(&self) -> Option<RateLimit> {
        RateLimit::from_headers(
            self.ratelimit,
            self.ratelimit_used,
            self.ratelimit_remaining,
        )
    }

    /// `Retry-After` in seconds: the delay form (`120`) as it is, or (with `std`) an HTTP date
    /// minus the response's own `Date`.
    ///
    /// `None` without the header, for a value that is neither form, and for an HTTP date when
    /// the response has no valid `Date` to count from: the core never reads the clock unless it
    /// is asked to. To count such a date from your own clock, use
    /// [`retry_after_at`](Self::retry_after_at).
    ///
    /// ```
    /// use countersign::response::Response;
    ///
    /// let answer = Response::new(503, b"").with_header("Retry-After", "120");
    /// assert_eq!(answer.retry_after(), Some(120));
    /// # #[cfg(feature = "std")] {
    /// let answer = Response::new(503, b"").with_header("Retry-After", "Sun, 06 Nov 1994 08:50:07 GMT");
    /// assert_eq!(answer.retry_after(), None); // no Date: nothing to count from
    /// let dated = answer.with_header("Date", "Sun, 06 Nov 1994 08:49:37 GMT");
    /// assert_eq!(dated.retry_after(), Some(30));
    /// # }
    /// ```
    #[must_use]
    pub fn retry_after(&self) -> Option<u64> {
        self.retry_after_counting_from(None)
    }

    /// `Retry-After` in seconds as [`retry_after`](Self::retry_after) reads it, except that an
    /// HTTP date is counted from `now` (seconds since the Unix epoch, from your clock) when the
    /// response has no valid `Date`. The response's own `Date` still comes first: the provider
    /// wrote the date against its own clock.
    ///
    /// ```
    /// use countersign::clock::{Clock, FixedClock};
    /// use countersign::response::Response;
    ///
    /// let answer = Response::new(429, b"").with_header("Retry-After", "Sun, 06 Nov 1994 08:50:07 GMT");
    /// let now = FixedClock(784_111_777).now(); // Sun, 06 Nov 1994 08:49:37 GMT
    /// # #[cfg(feature = "std")]
    /// assert_eq!(answer.retry_after_at(now), Some(30));
    /// assert_eq!(Response::new(429, b"").with_header("Retry-After", "5").retry_after_at(now), Some(5));
    /// ```
    #[must_use]
    pub fn retry_after_at(&self, now: u64) -> Option<u64> {
        self.retry_after_counting_from(Some(now))
    }

    /// `Retry-After` in seconds; an HTTP date counted from the response's `Date`, else from
    /// `now` when given, else `None`.
    fn retry_after_counting_from(&self, now: Option<u64>) -> Option<u64> {
        let value = self.retry_after?;
        if let Ok(seconds) = value.parse::<u64>() {
            return Some(seconds);
        }
        #[cfg(feature = "std")]
        {
            let at = crate::skew::parse_http_date(value).ok()?;
            let now = self
                .date
                .and_then(|d| crate::skew::parse_http_date(d).ok())
                .or(now)?;
            Some(at.saturating_sub(now))
        }
        #[cfg(not(feature = "std"))]
        {
            let _ = now;
            None
        }
    }

    /// The body if the status is 2xx, else the typed error for the status.
    ///
    /// # Errors
    /// [`Error::Provider`] with a [`ProviderError`] for every status outside 200..=299.
    pub fn classify(&self) -> Result<&'a [u8], Error> {
        if (200..300).contains(&self.status) {
            Ok(self.body)
        } else {
            Err(Error::Provider(Box::new(ProviderError::from_response(
                self,
            ))))
        }
    }
}

/// Discogs' rate-limit headers: `X-Discogs-Ratelimit` (requests allowed per moving minute),
/// `-Used` and `-Remaining`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct RateLimit {
    /// `X-Discogs-Ratelimit`.
    pub limit: Option<u32>,
    /// `X-Discogs-Ratelimit-Used`.
    pub used: Option<u32>,
    /// `X-Discogs-Ratelimit-Remaining`.
    pub remaining: Option<u32>,
}

impl RateLimit {
    /// Parses the three header values; `None` when none is present and a number.
    ///
    /// ```
    /// use countersign::response::RateLimit;
    ///
    /// let limits = RateLimit::from_headers(Some("60"), Some("3"), Some("57")).unwrap();
    /// assert_eq!(limits.remaining, Some(57));
    /// assert_eq!(RateLimit::from_headers(None, Some("x"), None), None);
    /// ```
    #[must_use]
    pub fn from_headers(
        limit: Option<&str>,
        used: Option<&str>,
        remaining: Option<&str>,
    ) -> Option<Self> {
        let number = |v: Option<&str>| v.and_then(|v| v.trim().parse::<u32>().ok());
        let parsed = Self {
            limit: number(limit),
            used: number(used),
            remaining: number(remaining),
        };
        (parsed != Self::default()).then_some(parsed)
    }
}

/// What kind of failure a status code reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StatusClass {
    /// 400: malformed request (a missing or duplicated parameter, an expired request token at
    /// Discogs).
    BadRequest,
    /// 401: bad credentials, signature, nonce or timestamp.
    Unauthorized,
    /// 403: authenticated, but not allowed.
    Forbidden,
    /// 404: no such resource.
    NotFound,
    /// 429: over the rate limit.
    RateLimited,
    /// 5xx: the provider failed.
    ServerError,
    /// 3xx: a redirect that was not followed (to another origin, where credentials never go, or
    /// past the profile's limit).
    Redirect,
    /// Any other status outside 2xx.
    Unexpected,
}

impl StatusClass {
    /// The class of a status code (meaningful for non-2xx codes).
    #[must_use]
    pub const fn of(status: u16) -> Self {
        match status {
            400 => Self::BadRequest,
            401 => Self::Unauthorized,
            403 => Self::Forbidden,
            404 => Self::NotFound,
            429 => Self::RateLimited,
            500..=599 => Self::ServerError,
            300..=399 => Self::Redirect,
            _ => Self::Unexpected,
        }
    }
}

/// A provider's non-2xx answer, with what it said about it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ProviderError {
    /// The status code.
    pub status: u16,
    /// Its class.
    pub class: StatusClass,
    /// What the provider said: the `message` of a JSON body, or the start of a text body (at most
    /// 200 bytes).
    pub message: Option<String>,
    /// `oauth_problem`, from a form-encoded body or the `WWW-Authenticate` header (the OAuth
    /// Problem Reporting extension); [`problem_kind`](Self::problem_kind) names it.
    pub problem: Option<String>,
    /// `oauth_problem_advice`: what the provider says to do about it.
    pub problem_advice: Option<String>,
    /// `oauth_acceptable_timestamps` (with `timestamp_refused`): the oldest and newest
    /// timestamps the provider accepts.
    pub acceptable_timestamps: Option<(u64, u64)>,
    /// `oauth_parameters_absent` (with `parameter_absent`): the parameters the provider missed.
    pub parameters_absent: Vec<String>,
    /// `Retry-After`, in seconds, as [`Response::retry_after`] reads it: an HTTP date counts
    /// from the response's `Date`, and is `None` without one (the local clock is never read;
    /// [`Response::retry_after_at`] counts from a time you give).
    pub retry_after: Option<u64>,
    /// Discogs' rate-limit headers.
    pub rate_limit: Option<RateLimit>,
    /// Where a redirect (3xx) pointed, secret query parameters redacted: a redirect to another
    /// origin is never followed with credentials, so it ends the exchange here.
    pub location: Option<String>,
}

impl ProviderError {
    /// The error for a non-2xx response.
    #[must_use]
    pub fn from_response(response: &Response<'_>) -> Self {
        let text = core::str::from_utf8(response.body)
            .unwrap_or_default()
            .trim();
        // From a form body, decoded; else from the challenge, where values are encoded once.
        let reported = |name: &str| {
            form_value(text, name).or_else(|| {
                let raw = quoted_param(response.www_authenticate?, name)?;
                Some(excerpt(&crate::encode::decode(&raw).ok()?))
            })
        };
        let problem = reported("oauth_problem");
        let problem_advice = reported("oauth_problem_advice").map(|a| excerpt(&redact_secrets(&a)));
        let acceptable_timestamps = reported("oauth_acceptable_timestamps").and_then(|range| {
            let (from, to) = range.split_once('-')?;
            let (from, to) = (from.trim().parse().ok()?, to.trim().parse().ok()?);
            (from <= to).then_some((from, to))
        });
        let parameters_absent = reported("oauth_parameters_absent")
            .map(|names| {
                names
                    .split('&')
                    .filter_map(|name| crate::encode::decode(name).ok())
                    .filter(|name| !name.is_empty())
                    .take(MAX_ABSENT)
                    .map(|name| excerpt(&name))
                    .collect()
            })
            .unwrap_or_default();
        // Quoted in errors and logs: whatever the provider echoed, secrets are redacted.
        // Redacted before it is cut, so that the excerpt stays within its 200 bytes.
        let message = json_message(text)
            .or_else(|| (!text.is_empty() && problem.is_none()).then(|| text.into()))
            .map(|m| excerpt(&redact_secrets(&m)));
        Self {
            status: response.status,
            class: StatusClass::of(response.status),
            message,
            problem,
            problem_advice,
            acceptable_timestamps,
            parameters_absent,
            retry_after: response.retry_after(),
            rate_limit: response.rate_limit(),
            location: response.location.map(|url| excerpt(&redact_url_query(url))),
        }
    }

    /// The `oauth_problem` as one of the names the Problem Reporting extension defines.
    #[must_use]
    pub fn problem_kind(&self) -> Option<Problem> {
        self.problem.as_deref().and_then(Problem::from_name)
    }

    fn advice(&self) -> &'static str {
        if let Some(advice) = self.problem_kind().and_then(Problem::advice) {
            return advice;
        }
        // Discogs (and the local provider) refuse a request without a User-Agent with a 403
        // that says so: the credentials are not the matter.
        let user_agent = self
            .message
            .as_deref()
            .is_some_and(|m| m.to_ascii_lowercase().contains("user-agent"));
        if self.class == StatusClass::Forbidden && user_agent {
            return "the provider requires a User-Agent header: set one that names your application (a profile's user_agent)";
        }
        match self.class {
            StatusClass::BadRequest => {
                "check the request's parameters; an expired request token means starting the flow again"
            }
            StatusClass::Unauthorized => {
                "check the consumer key and secret, the token, and the system clock"
            }
            StatusClass::Forbidden => "these credentials may not access this resource",
            StatusClass::NotFound => "check the URL",
            StatusClass::RateLimited => "slow down and retry later",
            StatusClass::ServerError => "the provider failed; retry later",
            StatusClass::Redirect => {
                "redirects to another origin are not followed with credentials: use the URL it points to, if you trust it"
            }
            StatusClass::Unexpected => "this status was not expected here",
        }
    }
}

/// The problems the OAuth Problem Reporting extension names (`oauth_problem`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Problem {
    /// `version_rejected`: the `oauth_version` is not supported.
    VersionRejected,
    /// `parameter_absent`: a required parameter is missing (see `parameters_absent`).
    ParameterAbsent,
    /// `parameter_rejected`: a parameter is not accepted.
    ParameterRejected,
    /// `timestamp_refused`: the timestamp is out of the window (see `acceptable_timestamps`).
    TimestampRefused,
    /// `nonce_used`: the nonce was used before.
    NonceUsed,
    /// `signature_method_rejected`: the signature method is not accepted.
    SignatureMethodRejected,
    /// `signature_invalid`: the signature does not verify.
    SignatureInvalid,
    /// `consumer_key_unknown`: no such consumer.
    ConsumerKeyUnknown,
    /// `consumer_key_rejected`: the consumer is blocked.
    ConsumerKeyRejected,
    /// `consumer_key_refused`: the consumer may not use this resource now.
    ConsumerKeyRefused,
    /// `token_used`: the token was used up.
    TokenUsed,
    /// `token_expired`: the token expired.
    TokenExpired,
    /// `token_revoked`: the token was revoked.
    TokenRevoked,
    /// `token_rejected`: the token is not accepted (unknown, or of the wrong kind).
    TokenRejected,
    /// `verifier_invalid`: the verifier does not match.
    VerifierInvalid,
    /// `additional_authorization_required`: the token does not cover this resource.
    AdditionalAuthorizationRequired,
    /// `permission_unknown`: the user has not decided yet.
    PermissionUnknown,
    /// `permission_denied`: the user refused.
    PermissionDenied,
    /// `user_refused`: the user refused.
    UserRefused,
}

impl Problem {
    const NAMES: [(&'static str, Self); 19] = [
        ("version_rejected", Self::VersionRejected),
        ("parameter_absent", Self::ParameterAbsent),
        ("parameter_rejected", Self::ParameterRejected),
        ("timestamp_refused", Self::TimestampRefused),
        ("nonce_used", Self::NonceUsed),
        ("signature_method_rejected", Self::SignatureMethodRejected),
        ("signature_invalid", Self::SignatureInvalid),
        ("consumer_key_unknown", Self::ConsumerKeyUnknown),
        ("consumer_key_rejected", Self::ConsumerKeyRejected),
        ("consumer_key_refused", Self::ConsumerKeyRefused),
        ("token_used", Self::TokenUsed),
        ("token_expired", Self::TokenExpired),
        ("token_revoked", Self::TokenRevoked),
        ("token_rejected", Self::TokenRejected),
        ("verifier_invalid", Self::VerifierInvalid),
        (
            "additional_authorization_required",
            Self::AdditionalAuthorizationRequired,
        ),
        ("permission_unknown", Self::PermissionUnknown),
        ("permission_denied", Self::PermissionDenied),
        ("user_refused", Self::UserRefused),
    ];

    /// The problem an `oauth_problem` value names, if it is one of the extension's.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        Self::NAMES
            .iter()
            .find_map(|(n, problem)| (*n == name).then_some(*problem))
    }

    /// Its name, as sent in `oauth_problem`.
    #[must_use]
    pub fn name(self) -> &'static str {
        Self::NAMES
            .iter()
            .find_map(|(n, problem)| (*problem == self).then_some(*n))
            .unwrap_or_default()
    }

    /// What to do about it, where there is more to say than the status's advice.
    #[must_use]
    pub fn advice(self) -> Option<&'static str> {
        Some(match self {
            Self::TokenRejected | Self::TokenRevoked | Self::TokenUsed => {
                "the provider no longer accepts this token (revoked, used up, or forgotten by a provider that restarted): run the flow again to get a new one"
            }
            Self::TokenExpired => {
                "the token expired: renew it with its session handle, or run the flow again"
            }
            Self::TimestampRefused => "the timestamp was refused: check the system clock",
            Self::NonceUsed => "the nonce was used before: sign each request anew",
            Self::SignatureInvalid => {
                "check the consumer secret and the token secret, and the URL signed"
            }
            Self::ConsumerKeyUnknown | Self::ConsumerKeyRejected => "check the consumer key",
            Self::ConsumerKeyRefused => {
                "the provider refuses this consumer for now: retry later, or ask its operators"
            }
            Self::SignatureMethodRejected => {
                "the provider does not accept this signature method: choose another"
            }
            Self::VersionRejected => "send oauth_version=\"1.0\", or leave it out",
            Self::ParameterAbsent => "send the parameters the provider names",
            Self::ParameterRejected => "the provider refuses a parameter: check what is sent",
            Self::VerifierInvalid => "the verifier does not match: run the flow again",
            Self::AdditionalAuthorizationRequired => {
                "this token does not cover the resource: ask the user for more access"
            }
            Self::PermissionUnknown => "the user has not decided yet: wait, then retry",
            Self::PermissionDenied | Self::UserRefused => "the user refused access",
        })
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The reason phrase of a status code, for messages.
const fn reason(status: u16) -> &'static str {
    match status {
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "",
    }
}

impl core::error::Error for ProviderError {}

impl fmt::Display for ProviderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "provider answered {}", self.status)?;
        let phrase = reason(self.status);
        if !phrase.is_empty() {
            write!(f, " {phrase}")?;
        }
        if let Some(message) = &self.message {
            write!(f, ": {message:?}")?;
        }
        if let Some(problem) = &self.problem {
            write!(f, " (oauth_problem={problem:?}")?;
            if let Some((from, to)) = self.acceptable_timestamps {
                write!(f, ", acceptable timestamps {from} to {to}")?;
            }
            if !self.parameters_absent.is_empty() {
                f.write_str(", parameters absent: ")?;
                for (i, name) in self.parameters_absent.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{name:?}")?;
                }
            }
            if let Some(advice) = &self.problem_advice {
                write!(f, ", advice {advice:?}")?;
            }
            f.write_str(")")?;
        }
        if let Some(location) = &self.location {
            write!(f, " (to {location:?})")?;
        }
        write!(f, ": {}", self.advice())?;
        if let Some(seconds) = self.retry_after {
            write!(f, " (retry after {seconds} s)")?;
        }
        Ok(())
    }
}

/// The first value of `name` in a form-encoded body, decoded. The other values are never decoded:
/// an error body may hold a token secret, and no copy of it is made (nor time spent on it).
fn form_value(body: &str, name: &str) -> Option<String> {
    crate::form::decoded_pairs_where(body, crate::form::Flavor::Form, |n| n == name)
        .next()
        .map(|(_, v)| excerpt(&v))
}

/// A `name="value"` auth-param of a challenge such as `OAuth realm="..", oauth_problem=".."`:
/// the name must stand on its own (`oauth_problem` is not the start of `oauth_problem_advice`).
fn quoted_param(header: &str, name: &str) -> Option<String> {
    let mut from = 0;
    while let Some(found) = header.get(from..)?.find(name) {
        let start = from + found;
        from = start + name.len();
        let standalone = matches!(
            header.get(..start)?.chars().next_back(),
            None | Some(' ' | '\t' | ',')
        );
        let value = header.get(from..)?.trim_start().strip_prefix('=');
        if let (true, Some(value)) = (standalone, value) {
            let value = value.trim_start().strip_prefix('"')?;
            let end = value.find('"')?;
            return value.get(..end).map(excerpt);
        }
    }
    None
}

/// The most `oauth_parameters_absent` names kept.
const MAX_ABSENT: usize = 16;

/// The `message` string of a JSON object body such as Discogs' `{"message": "..."}`.
fn json_message(body: &str) -> Option<String> {
    if !body.starts_with('{') {
        return None;
    }
    #[cfg(feature = "json")]
    {
        #[derive(serde::Deserialize)]
        struct Message {
            message: String,
        }
        serde_json::from_str::<Message>(body)
            .ok()
            .map(|m| m.message)
    }
    #[cfg(not(feature = "json"))]
    {
        // Without a JSON parser: the simple, common shape only ({"message": "text"} with no
        // escapes in the text); anything else is shown as it came.
        let rest = body.get(body.find("\"message\"")? + 9..)?.trim_start();
        let rest = rest.strip_prefix(':')?.trim_start().strip_prefix('"')?;
        let end = rest.find('"')?;
        let text = rest.get(..end)?;
        (!text.contains('\\')).then(|| text.into())
    }
}

/// What replaces a secret value in [`redact_secrets`] and [`body_excerpt`].
pub const REDACTED: &str = "[redacted]";

/// Whether a parameter with this name carries a secret (ASCII case-insensitive):
///
/// - any name containing `secret`, `verifier`, `signature`, `password`, `passwd`,
///   `session_handle`, `api_key`, `api-key`, `apikey`, `private_key`, `private-key` or
///   `privatekey`;
/// - `token` (Discogs' personal token), and any name whose last word is `token`: after `_`, `-` or
///   `.` (`access_token`, `refresh_token`, `id_token`, `X-Auth-Token`) or in camel case
///   (`accessToken`, `refreshToken`); except `oauth_token` itself, the public identifier of an
///   OAuth 1.0a token, which is sent in the clear with every request.
///
/// ```
/// use countersign::response::is_secret_name;
///
/// for name in ["oauth_token_secret", "oauth_verifier", "access_token", "refreshToken", "token"] {
///     assert!(is_secret_name(name), "{name}");
/// }
/// for name in ["oauth_token", "oauth_consumer_key", "mytoken", "tokens", "token_type"] {
///     assert!(!is_secret_name(name), "{name}");
/// }
/// ```
#[must_use]
pub fn is_secret_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    let word_at = |i: usize| {
        SECRET_WORDS.iter().any(|word| {
            bytes
                .get(i..i + word.len())
                .is_some_and(|at| at.eq_ignore_ascii_case(word.as_bytes()))
        })
    };
    // A word is looked for only where one of their first letters is: one table lookup for
    // most bytes of a long name.
    let starts_word = |b: &u8| WORD_STARTS.get(usize::from(*b)) == Some(&true);
    if bytes
        .iter()
        .enumerate()
        .any(|(i, b)| starts_word(b) && word_at(i))
    {
        return true;
    }
    if name.eq_ignore_ascii_case("token") {
        return true;
    }
    let Some(before) = bytes.len().checked_sub(5) else {
        return false;
    };
    let (head, last) = bytes.split_at(before);
    if !last.eq_ignore_ascii_case(b"token") || name.eq_ignore_ascii_case("oauth_token") {
        return false;
    }
    match head.last() {
        Some(b'_' | b'-' | b'.') => true,
        // Camel case: `accessToken`, not `mytoken`.
        Some(b) => last.first() == Some(&b'T') && (b.is_ascii_lowercase() || b.is_ascii_digit()),
        None => true,
    }
}

/// What a name need only contain to be a secret's ([`is_secret_name`]).
const SECRET_WORDS: [&str; 12] = [
    "secret",
    "verifier",
    "signature",
    "password",
    "passwd",
    "session_handle",
    "api_key",
    "api-key",
    "apikey",
    "private_key",
    "private-key",
    "privatekey",
];

/// The bytes a [`SECRET_WORDS`] entry starts with, in either case.
const WORD_STARTS: [bool; 256] = word_starts();

// Every word is a non-empty ASCII literal, and a byte indexes the 256-entry table.
#[allow(clippy::indexing_slicing)]
const fn word_starts() -> [bool; 256] {
    let mut table = [false; 256];
    let mut w = 0;
    while w < SECRET_WORDS.len() {
        let first = SECRET_WORDS[w].as_bytes()[0];
        table[first.to_ascii_lowercase() as usize] = true;
        table[first.to_ascii_uppercase() as usize] = true;
        w += 1;
    }
    table
}

const fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.')
}

/// Where an unquoted value ends.
const fn ends_value(b: u8) -> bool {
    matches!(
        b,
        b'&' | b'"' | b'\'' | b',' | b';' | b'}' | b']' | b'<' | b'>'
    ) || b.is_ascii_whitespace()
}

/// The keys whose value an HTML element or a JSON object names with a `name` key: `<input
/// name="oauth_token_secret" value="...">`, `<meta name="csrf-token" content="...">`,
/// `{"name": "access_token", "value": "..."}`.
const VALUE_KEYS: [&str; 2] = ["value", "content"];

/// A view of text being redacted, by byte, and what has been learnt of it so far: names are
/// visited from the start to the end, and what one name's search found is kept for the next,
/// so that text of any length is redacted in linear time (an error page of a few hundred
/// kilobytes of `{name:secret ` took minutes when each name searched its object again).
struct Scan<'a> {
    bytes: &'a [u8],
    /// Openers have been looked for before this position, and `open` is the last `<` or `{`
    /// there with no `>` or `}` after it.
    seen: usize,
    open: Option<usize>,
    /// The first `>`, and the first `}`, found at or after the position of the last search.
    next_angle: Option<usize>,
    next_brace: Option<usize>,
    /// Objects have been read for their value keys up to here ([`Scan::named_values`]).
    read_to: usize,
    /// The last unquoted value found: every position in it has the same end.
    run: Option<(usize, usize)>,
}

impl<'a> Scan<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Scan {
            bytes,
            seen: 0,
            open: None,
            next_angle: None,
            next_brace: None,
            read_to: 0,
            run: None,
        }
    }

    fn at(&self, i: usize) -> Option<u8> {
        self.bytes.get(i).copied()
    }

    fn before(&self, i: usize) -> Option<u8> {
        i.checked_sub(1).and_then(|p| self.at(p))
    }

    /// Past spaces and tabs from `i`.
    fn skip_blanks(&self, mut i: usize) -> usize {
        while matches!(self.at(i), Some(b' ' | b'\t')) {
            i += 1;
        }
        i
    }

    /// Back over spaces and tabs before `i`.
    fn skip_blanks_back(&self, mut i: usize) -> usize {
        while matches!(self.before(i), Some(b' ' | b'\t')) {
            i -= 1;
        }
        i
    }

    /// Whether a name starts at `i`: a name byte not preceded by one.
    fn name_starts(&self, i: usize) -> bool {
        self.at(i).is_some_and(is_name_byte) && !self.before(i).is_some_and(is_name_byte)
    }

    /// The end of the name that starts at `i`.
    fn name_end(&self, mut i: usize) -> usize {
        while self.at(i).is_some_and(is_name_byte) {
            i += 1;
        }
        i
    }

    /// The value assigned to the name that ends at `name_end`, as a byte range, when one is:
    /// past an optional closing quote (a JSON key), spaces, `=` or `:`, spaces. A quoted value
    /// (`"` or `'`, after any whitespace) runs to the matching quote that no backslash escapes
    /// (JSON, Python reprs and HTTP quoted-strings alike), or to the end of the text when there
    /// is none; an unquoted one to the first delimiter ([`ends_value`]).
    fn value_after(&mut self, name_end: usize) -> Option<(usize, usize)> {
        let mut j = name_end;
        if matches!(self.at(j), Some(b'"' | b'\'')) {
            j += 1;
        }
        j = self.skip_blanks(j);
        if !matches!(self.at(j), Some(b'=' | b':')) {
            return None;
        }
        j += 1;
        let mut k = j;
        while self.at(k).is_some_and(|b| b.is_ascii_whitespace()) {
            k += 1;
        }
        if let Some(quote @ (b'"' | b'\'')) = self.at(k) {
            let start = k + 1;
            let mut end = start;
            loop {
                match self.at(end) {
                    None => break,
                    Some(b'\\') => end += 2,
                    Some(b) if b == quote => break,
                    Some(_) => end += 1,
                }
            }
            return Some((start, end.min(self.bytes.len())));
        }
        let start = self.skip_blanks(j);
        let end = match self.run {
            // In `value=value=...x`, every value ends where the first does.
            Some((from, end)) if (from..=end).contains(&start) => end,
            _ => {
                let mut end = start;
                while self.at(end).is_some_and(|b| !ends_value(b)) {
                    end += 1;
                }
                self.run = Some((start, end));
                end
            }
        };
        Some((start, end))
    }

    /// Whether the name at `start` is itself the value of a `name` key or attribute:
    /// `name="X"`, `name='X'`, `name=X`, `"name": "X"`.
    fn is_named_by_name_key(&self, start: usize) -> bool {
        let mut p = start;
        if matches!(self.before(p), Some(b'"' | b'\'')) {
            p -= 1;
        }
        p = self.skip_blanks_back(p);
        if !matches!(self.before(p), Some(b'=' | b':')) {
            return false;
        }
        p = self.skip_blanks_back(p - 1);
        if matches!(self.before(p), Some(b'"' | b'\'')) {
            p -= 1;
        }
        let Some(key_start) = p.checked_sub(4) else {
            return false;
        };
        self.bytes
            .get(key_start..p)
            .is_some_and(|key| key.eq_ignore_ascii_case(b"name"))
            && self.name_starts(key_start)
    }

    /// The element or object around `i`: from the `<` or `{` before it (with no `>` or `}` in
    /// between) to the matching `>` or `}` after it (or the end of the text). `i` never
    /// decreases from one call to the next.
    fn enclosing(&mut self, i: usize) -> Option<(usize, usize)> {
        for (at, &b) in self.bytes.iter().enumerate().take(i).skip(self.seen) {
            match b {
                b'<' | b'{' => self.open = Some(at),
                b'>' | b'}' => self.open = None,
                _ => {}
            }
        }
        self.seen = self.seen.max(i);
        let open = self.open?;
        let bytes = self.bytes;
        let (next, close) = if bytes.get(open) == Some(&b'<') {
            (&mut self.next_angle, b'>')
        } else {
            (&mut self.next_brace, b'}')
        };
        let end = match *next {
            Some(end) if end >= i => end,
            _ => {
                let rest = bytes.get(i..).unwrap_or_default();
                rest.iter()
                    .position(|&b| b == close)
                    .map_or(bytes.len(), |k| i + k)
            }
        };
        *next = Some(end);
        Some((open, end))
    }

    /// The values of the `value` (or `content`) keys of the element or object around the name
    /// at `start`, when that name is the value of its `name` key.
    fn named_values(&mut self, start: usize, out: &mut Vec<(usize, usize)>) {
        if !self.is_named_by_name_key(start) {
            return;
        }
        let Some((open, close)) = self.enclosing(start) else {
            return;
        };
        // Objects found for later names start no earlier and end no earlier: what an earlier
        // one read is not read again.
        let mut i = open.max(self.read_to);
        while i < close {
            if !self.name_starts(i) {
                i += 1;
                continue;
            }
            let end = self.name_end(i);
            let key = self.bytes.get(i..end).unwrap_or_default();
            if VALUE_KEYS
                .iter()
                .any(|k| key.eq_ignore_ascii_case(k.as_bytes()))
                && let Some(range) = self.value_after(end)
            {
                out.push(range);
            }
            i = end;
        }
        self.read_to = self.read_to.max(i);
    }
}

/// `text` with the values of secret-named parameters ([`is_secret_name`]) replaced by
/// [`REDACTED`]: for quoting a provider's answer in an error or a log. It reads
///
/// - form (`name=value`), JSON (`"name": "value"`, `'name': 'value'` as Python prints a dict) and
///   header (`name="value"`) syntax: a quoted value is redacted up to its closing quote, whatever
///   it holds (spaces, commas, `\"` escapes), or to the end of the text when it has none;
/// - the value of an HTML element or JSON object that names its secret with a `name` key:
///   `<input name="oauth_token_secret" value="...">`, `{"name": "access_token", "value": "..."}`
///   (`value` or `content`).
///
/// ```
/// use countersign::response::redact_secrets;
///
/// assert_eq!(
///     redact_secrets("oauth_token=t&oauth_token_secret=s3cr3t"),
///     "oauth_token=t&oauth_token_secret=[redacted]"
/// );
/// assert_eq!(redact_secrets(r#"{"token": "abc", "id": 1}"#), r#"{"token": "[redacted]", "id": 1}"#);
/// assert_eq!(
///     redact_secrets(r#"{"password": "correct horse battery"}"#),
///     r#"{"password": "[redacted]"}"#
/// );
/// assert_eq!(
///     redact_secrets(r#"<input name="oauth_token_secret" value="s3cr3t">"#),
///     r#"<input name="oauth_token_secret" value="[redacted]">"#
/// );
/// ```
#[must_use]
pub fn redact_secrets(text: &str) -> String {
    let mut scan = Scan::new(text.as_bytes());
    let mut ranges = Vec::new();
    let mut i = 0;
    while i < scan.bytes.len() {
        if !scan.name_starts(i) {
            i += 1;
            continue;
        }
        let start = i;
        i = scan.name_end(i);
        // Names are ASCII, so these are character boundaries.
        if !is_secret_name(text.get(start..i).unwrap_or_default()) {
            continue;
        }
        if let Some((from, to)) = scan.value_after(i) {
            ranges.push((from, to));
            // Nothing inside a secret is read as a name.
            i = i.max(to);
        } else {
            scan.named_values(start, &mut ranges);
        }
    }
    ranges.retain(|(from, to)| to > from);
    ranges.sort_unstable();
    // Every range starts and ends at an ASCII delimiter or the end: character boundaries.
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    for (from, to) in ranges {
        if to <= copied {
            continue;
        }
        if from >= copied {
            out.push_str(text.get(copied..from).unwrap_or_default());
            out.push_str(REDACTED);
        }
        copied = to;
    }
    out.push_str(text.get(copied..).unwrap_or_default());
    out
}

/// The start of a body, for an error message: lossy UTF-8, trimmed, secrets redacted
/// ([`redact_secrets`]) and then cut to at most 200 bytes on a character boundary.
#[must_use]
pub fn body_excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    excerpt(&redact_secrets(text.trim()))
}

/// `url` with the values of its secret-named query parameters (Discogs' `?token=`,
/// `?secret=`) replaced by [`REDACTED`]; for URLs quoted in errors.
///
/// ```
/// use countersign::response::redact_url_query;
///
/// assert_eq!(
///     redact_url_query("https://api.discogs.com/x?q=a&token=abc#f"),
///     "https://api.discogs.com/x?q=a&token=[redacted]#f"
/// );
/// ```
#[must_use]
pub fn redact_url_query(url: &str) -> String {
    let (base, Some(query), fragment) = crate::url::split_query(url) else {
        return url.into();
    };
    let mut out = String::with_capacity(url.len());
    out.push_str(base);
    out.push('?');
    for (i, pair) in query.split('&').enumerate() {
        if i > 0 {
            out.push('&');
        }
        match pair.split_once('=') {
            Some((name, _)) if is_secret_name(name) => {
                out.push_str(name);
                out.push('=');
                out.push_str(REDACTED);
            }
            _ => out.push_str(pair),
        }
    }
    if let Some(fragment) = fragment {
        out.push('#');
        out.push_str(fragment);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    fn error_of(response: Response<'_>) -> ProviderError {
        match response.classify() {
            Err(Error::Provider(e)) => *e,
            other => panic!("expected a provider error, got {other:?}"),
        }
    }

    #[test]
    fn two_hundreds_pass_the_body_through() {
        for status in [200, 201, 204, 299] {
            assert_eq!(Response::new(status, b"x").classify(), Ok(&b"x"[..]));
        }
    }

    #[test]
    fn each_status_has_its_class() {
        for (status, class) in [
            (400, StatusClass::BadRequest),
            (401, StatusClass::Unauthorized),
            (403, StatusClass::Forbidden),
            (404, StatusClass::NotFound),
            (429, StatusClass::RateLimited),
            (500, StatusClass::ServerError),
            (503, StatusClass::ServerError),
            (302, StatusClass::Redirect),
            (308, StatusClass::Redirect),
            (418, StatusClass::Unexpected),
            (100, StatusClass::Unexpected),
        ] {
            assert_eq!(
                error_of(Response::new(status, b"")).class,
                class,
                "{status}"
            );
        }
    }

    #[test]
    fn discogs_text_and_json_errors() {
        let e = error_of(Response::new(401, b"Invalid consumer.\n"));
        assert_eq!(e.message.as_deref(), Some("Invalid consumer."));
        let e = error_of(
            Response::new(
                401,
                br#"{"message": "You must authenticate to access this resource."}"#,
            )
            .with_header(
                "WWW-Authenticate",
                "OAuth realm=\"https://api.discogs.com\"",
            ),
        );
        assert_eq!(
            e.message.as_deref(),
            Some("You must authenticate to access this resource.")
        );
        assert_eq!(e.problem, None);
    }

    #[test]
    fn oauth_problem_from_body_or_challenge() {
        let e = error_of(Response::new(
            401,
            b"oauth_problem=timestamp_refused&oauth_acceptable_timestamps=1-2",
        ));
        assert_eq!(e.problem.as_deref(), Some("timestamp_refused"));
        assert_eq!(e.message, None);
        let e = error_of(Response::new(401, b"").with_header(
            "www-authenticate",
            "OAuth realm=\"x\", oauth_problem=\"nonce_used\"",
        ));
        assert_eq!(e.problem.as_deref(), Some("nonce_used"));
    }

    /// The Problem Reporting extension's parameters, from a form body and from a challenge; the
    /// problem named even when `oauth_problem_advice` comes first in the challenge.
    #[test]
    fn problem_reports_are_read_into_typed_fields() {
        let e = error_of(Response::new(
            401,
            b"oauth_problem=timestamp_refused&oauth_acceptable_timestamps=1700000000-1700000600&oauth_problem_advice=Fix+your+clock",
        ));
        assert_eq!(e.problem_kind(), Some(Problem::TimestampRefused));
        assert_eq!(
            e.acceptable_timestamps,
            Some((1_700_000_000, 1_700_000_600))
        );
        assert_eq!(e.problem_advice.as_deref(), Some("Fix your clock"));
        assert_eq!(
            e.to_string(),
            "provider answered 401 Unauthorized (oauth_problem=\"timestamp_refused\", acceptable timestamps 1700000000 to 1700000600, advice \"Fix your clock\"): the timestamp was refused: check the system clock"
        );

        let e = error_of(Response::new(400, b"").with_header(
            "www-authenticate",
            "OAuth realm=\"x\", oauth_problem_advice=\"see%20docs\", oauth_problem=\"parameter_absent\", oauth_parameters_absent=\"oauth_nonce%26oauth_timestamp\"",
        ));
        assert_eq!(e.problem_kind(), Some(Problem::ParameterAbsent));
        assert_eq!(e.parameters_absent, ["oauth_nonce", "oauth_timestamp"]);
        assert_eq!(e.problem_advice.as_deref(), Some("see docs"));
        assert!(
            e.to_string()
                .contains("parameters absent: \"oauth_nonce\", \"oauth_timestamp\""),
            "{e}"
        );

        // Form-encoded twice in a body: the list decodes to its names.
        let e = error_of(Response::new(
            400,
            b"oauth_problem=parameter_absent&oauth_parameters_absent=oauth_token%26oauth_verifier",
        ));
        assert_eq!(e.parameters_absent, ["oauth_token", "oauth_verifier"]);

        // Garbage is left out, never a panic: a reversed range, words, no dash.
        for range in ["20-10", "soon-later", "12345", "-", "1-"] {
            let body = alloc::format!(
                "oauth_problem=timestamp_refused&oauth_acceptable_timestamps={range}"
            );
            assert_eq!(
                error_of(Response::new(401, body.as_bytes())).acceptable_timestamps,
                None,
                "{range}"
            );
        }
        // An unknown problem keeps its name, with the status's advice.
        let e = error_of(Response::new(401, b"oauth_problem=made_up"));
        assert_eq!(
            (e.problem.as_deref(), e.problem_kind()),
            (Some("made_up"), None)
        );
        for (name, problem) in Problem::NAMES {
            assert_eq!(Problem::from_name(name), Some(problem));
            assert_eq!(problem.name(), name);
            assert_eq!(problem.to_string(), name);
            assert!(problem.advice().is_some_and(|a| !a.contains('\n')));
        }
    }

    /// A 403 for a missing User-Agent blames the User-Agent, not the credentials.
    #[test]
    fn a_missing_user_agent_is_named() {
        for body in [
            &b"A User-Agent header is required."[..],
            br#"{"message": "A User-Agent header is required."}"#,
        ] {
            let e = error_of(Response::new(403, body));
            let text = e.to_string();
            assert!(text.ends_with(": the provider requires a User-Agent header: set one that names your application (a profile's user_agent)"), "{text}");
        }
        let other = error_of(Response::new(403, br#"{"message": "Not yours."}"#));
        assert!(
            other
                .to_string()
                .ends_with("these credentials may not access this resource")
        );
    }

    #[test]
    fn a_reported_problem_gives_the_advice_that_fits_it() {
        let advice = |problem: &str| {
            let challenge = alloc::format!("OAuth realm=\"x\", oauth_problem=\"{problem}\"");
            let e = error_of(Response::new(401, b"").with_header("www-authenticate", &challenge));
            e.to_string()
        };
        for problem in ["token_rejected", "token_revoked", "token_used"] {
            assert!(advice(problem).contains("run the flow again"), "{problem}");
        }
        assert!(advice("token_expired").contains("session handle"));
        assert!(
            advice("timestamp_refused")
                .ends_with(": the timestamp was refused: check the system clock")
        );
        assert!(advice("consumer_key_unknown").contains("consumer key"));
        assert!(advice("signature_invalid").contains("secret"));
        // An unknown problem, or none: the advice of the status.
        assert!(
            advice("something_else")
                .ends_with(": check the consumer key and secret, the token, and the system clock")
        );
    }

    #[test]
    fn rate_limits_and_retry_after() {
        let r = Response::new(429, b"")
            .with_header("X-Discogs-Ratelimit", "60")
            .with_header("X-Discogs-Ratelimit-Used", "60")
            .with_header("x-discogs-ratelimit-remaining", " 0 ")
            .with_header("Retry-After", "17");
        let e = error_of(r);
        assert_eq!(
            e.rate_limit,
            Some(RateLimit {
                limit: Some(60),
                used: Some(60),
                remaining: Some(0)
            })
        );
        assert_eq!(e.retry_after, Some(17));
        assert!(e.to_string().contains("retry after 17 s"), "{e}");
        assert_eq!(Response::new(200, b"").rate_limit(), None);
    }

    #[cfg(feature = "std")]
    #[test]
    fn retry_after_as_a_date() {
        let r = Response::new(503, b"")
            .with_header("Date", "Sun, 06 Nov 1994 08:49:37 GMT")
            .with_header("Retry-After", "Sun, 06 Nov 1994 08:50:07 GMT");
        assert_eq!(r.retry_after(), Some(30));
        // The answer's own Date wins over the time given.
        assert_eq!(r.retry_after_at(0), Some(30));
        assert_eq!(r.retry_after_at(u64::MAX), Some(30));
    }

    /// Without a `Date`, an HTTP-date `Retry-After` is not counted from the local clock: the
    /// core reads no clock unless asked. With the old fallback to the system clock, a date
    /// years in the past gave `Some(0)` and one far in the future a huge number, both depending
    /// on when the test ran.
    #[cfg(feature = "std")]
    #[test]
    fn retry_after_never_reads_the_clock() {
        const AT: &str = "Sun, 06 Nov 1994 08:50:07 GMT";
        const AT_SECS: u64 = 784_111_807;
        for date in [None, Some("soon"), Some("")] {
            let mut r = Response::new(503, b"").with_header("Retry-After", AT);
            if let Some(date) = date {
                r = r.with_header("Date", date);
            }
            assert_eq!(r.retry_after(), None, "{date:?}");
            assert_eq!(error_of(r).retry_after, None, "{date:?}");
            assert!(!error_of(r).to_string().contains("retry after"), "{date:?}");
            // Counted from the time the caller gives, and only then.
            assert_eq!(r.retry_after_at(AT_SECS - 30), Some(30), "{date:?}");
            assert_eq!(r.retry_after_at(AT_SECS + 30), Some(0), "{date:?}");
        }
        let far =
            Response::new(503, b"").with_header("Retry-After", "Fri, 31 Dec 9999 23:59:59 GMT");
        assert_eq!(far.retry_after(), None);
        let r = Response::new(429, b"").with_header("Retry-After", "7");
        assert_eq!((r.retry_after(), r.retry_after_at(123)), (Some(7), Some(7)));
        let r = Response::new(429, b"").with_header("Retry-After", "later");
        assert_eq!((r.retry_after(), r.retry_after_at(123)), (None, None));
        assert_eq!(Response::new(429, b"").retry_after_at(123), None);
    }

    #[test]
    fn secrets_are_redacted_in_every_syntax() {
        assert_eq!(
            redact_secrets("oauth_token=a&oauth_token_secret=b&x=1"),
            "oauth_token=a&oauth_token_secret=[redacted]&x=1"
        );
        assert_eq!(
            redact_secrets(r#"OAuth oauth_signature="s%26t", oauth_verifier="v""#),
            r#"OAuth oauth_signature="[redacted]", oauth_verifier="[redacted]""#
        );
        assert_eq!(
            redact_secrets(r#"{"password" : "p", "Token": "t"}"#),
            r#"{"password" : "[redacted]", "Token": "[redacted]"}"#
        );
        assert_eq!(redact_secrets("mytoken=x tokens=y"), "mytoken=x tokens=y");
        assert_eq!(redact_secrets("é secret=ü&z"), "é secret=[redacted]&z");
        let long = alloc::format!("oauth_token_secret={}", "s".repeat(500));
        assert_eq!(
            body_excerpt(long.as_bytes()),
            "oauth_token_secret=[redacted]"
        );
        assert_eq!(body_excerpt(&[0xff, b'a']), "\u{fffd}a");
    }

    #[test]
    fn form_json_and_header_secrets_are_redacted() {
        let cases = [
            (
                "oauth_token=abc&oauth_token_secret=SEKRIT&oauth_callback_confirmed=maybe",
                "oauth_token=abc&oauth_token_secret=[redacted]&oauth_callback_confirmed=maybe",
            ),
            (
                r#"{"oauth_token_secret": "SEKRIT", "x": 1}"#,
                r#"{"oauth_token_secret": "[redacted]", "x": 1}"#,
            ),
            (
                r#"OAuth oauth_verifier="SEKRIT", oauth_signature="SEKRIT%26"#,
                r#"OAuth oauth_verifier="[redacted]", oauth_signature="[redacted]"#,
            ),
            ("token=SEKRIT&key=public", "token=[redacted]&key=public"),
            ("Secret=SEKRIT", "Secret=[redacted]"),
            ("the secret is out", "the secret is out"),
            ("mytoken=public", "mytoken=public"),
            ("oauth_token_secret=", "oauth_token_secret="),
        ];
        for (input, expected) in cases {
            assert_eq!(redact_secrets(input), expected, "{input}");
        }
    }

    /// Each of these leaked (part of) a secret: a quoted value cut at a space, a comma or an
    /// escaped quote; single-quoted values; HTML forms; names ending in `_token`.
    #[test]
    fn quoted_html_and_token_named_secrets_do_not_leak() {
        let cases = [
            (
                r#"{"password": "correct horse battery", "user": "ann"}"#,
                r#"{"password": "[redacted]", "user": "ann"}"#,
                "horse",
            ),
            (
                r#"{"token_secret": "ab\"cdSECRET", "ok": true}"#,
                r#"{"token_secret": "[redacted]", "ok": true}"#,
                "SECRET",
            ),
            (
                r#"OAuth realm="r", oauth_signature="ab cd", oauth_nonce="n""#,
                r#"OAuth realm="r", oauth_signature="[redacted]", oauth_nonce="n""#,
                "cd",
            ),
            (
                r#"OAuth oauth_verifier="a,b\\", oauth_nonce="n""#,
                r#"OAuth oauth_verifier="[redacted]", oauth_nonce="n""#,
                "a,b",
            ),
            (
                "{'oauth_token': 'public', 'oauth_token_secret': 'LEAK10'}",
                "{'oauth_token': 'public', 'oauth_token_secret': '[redacted]'}",
                "LEAK10",
            ),
            (
                r#"<form><input type="hidden" name="oauth_token_secret" value="LEAK3"><input name="oauth_token" value="public"></form>"#,
                r#"<form><input type="hidden" name="oauth_token_secret" value="[redacted]"><input name="oauth_token" value="public"></form>"#,
                "LEAK3",
            ),
            (
                "<input value='LEAK4' type=hidden name='oauth_verifier'>",
                "<input value='[redacted]' type=hidden name='oauth_verifier'>",
                "LEAK4",
            ),
            (
                "<INPUT NAME=access_token VALUE=LEAK5><p>next</p>",
                "<INPUT NAME=access_token VALUE=[redacted]><p>next</p>",
                "LEAK5",
            ),
            (
                r#"<meta name="csrf-token" content="LEAK6"><title>Sign in</title>"#,
                r#"<meta name="csrf-token" content="[redacted]"><title>Sign in</title>"#,
                "LEAK6",
            ),
            (
                r#"[{"name": "refresh_token", "value": "LEAK7"}, {"name": "scope", "value": "read"}]"#,
                r#"[{"name": "refresh_token", "value": "[redacted]"}, {"name": "scope", "value": "read"}]"#,
                "LEAK7",
            ),
            (
                "access_token=LEAK8&token_type=bearer&expires_in=3600",
                "access_token=[redacted]&token_type=bearer&expires_in=3600",
                "LEAK8",
            ),
            (
                r#"{"accessToken": "LEAK9", "refreshToken": "LEAK9", "idToken": "LEAK9", "tokenType": "bearer"}"#,
                r#"{"accessToken": "[redacted]", "refreshToken": "[redacted]", "idToken": "[redacted]", "tokenType": "bearer"}"#,
                "LEAK9",
            ),
            (
                "X-Auth-Token: LEAK11\nX-Request-Id: 7",
                "X-Auth-Token: [redacted]\nX-Request-Id: 7",
                "LEAK11",
            ),
            (
                "oauth_session_handle=LEAK12&oauth_expires_in=3600",
                "oauth_session_handle=[redacted]&oauth_expires_in=3600",
                "LEAK12",
            ),
            (
                "{\"password\":\n  \"LEAK13\"}",
                "{\"password\":\n  \"[redacted]\"}",
                "LEAK13",
            ),
            // No closing quote: everything after the opening one goes.
            (
                r#"{"client_secret": "LEAK14, more"#,
                r#"{"client_secret": "[redacted]"#,
                "LEAK14",
            ),
        ];
        for (input, expected, secret) in cases {
            let redacted = redact_secrets(input);
            assert_eq!(redacted, expected, "{input}");
            assert!(!redacted.contains(secret), "{input}");
            assert!(!body_excerpt(input.as_bytes()).contains(secret), "{input}");
            let shown = error_of(Response::new(400, input.as_bytes())).to_string();
            assert!(!shown.contains(secret), "{shown}");
        }
    }

    #[test]
    fn secret_names() {
        for name in [
            "token",
            "TOKEN",
            "oauth_token_secret",
            "client_secret",
            "oauth_verifier",
            "oauth_signature",
            "password",
            "passwd",
            "oauth_session_handle",
            "access_token",
            "refresh_token",
            "id_token",
            "X-Auth-Token",
            "session.token",
            "accessToken",
            "refreshToken",
            "idToken",
            "api_key",
            "X-API-Key",
            "apikey",
            "private_key",
        ] {
            assert!(is_secret_name(name), "{name}");
        }
        for name in [
            "oauth_token",
            "OAUTH_TOKEN",
            "oauth_consumer_key",
            "oauth_callback_confirmed",
            "token_type",
            "tokenType",
            "tokens",
            "mytoken",
            "TOKEN_",
            "key",
            "user",
            "",
        ] {
            assert!(!is_secret_name(name), "{name}");
        }
    }

    #[test]
    fn excerpts_are_short_and_redacted_before_they_are_cut() {
        let body = alloc::format!("{}oauth_token_secret={}", "x".repeat(190), "S".repeat(100));
        let e = body_excerpt(body.as_bytes());
        assert!(e.len() <= crate::error::EXCERPT_LEN);
        assert!(!e.contains('S'), "{e}");
        let e = body_excerpt("é".repeat(300).as_bytes());
        assert!(e.len() <= crate::error::EXCERPT_LEN && e.chars().all(|c| c == 'é'));
        assert_eq!(body_excerpt(b"\xff<html>"), "\u{fffd}<html>");
    }

    /// An error page can be megabytes, and its excerpt redacts all of it first: the names of
    /// one object (or of objects nested without closing) must not each read it again, which
    /// took minutes for a few hundred kilobytes of `{name:secret `.
    #[test]
    fn redaction_reads_each_object_once_however_many_names_it_holds() {
        let names = "\"name\": \"password\", ".repeat(20_000);
        let body = alloc::format!("{{{names}\"value\": \"hunter2\"}}");
        let redacted = redact_secrets(&body);
        assert_eq!(
            redacted,
            alloc::format!("{{{names}\"value\": \"{REDACTED}\"}}")
        );
        let nested = "{name:secret ".repeat(20_000);
        assert_eq!(redact_secrets(&nested), nested);
        let open_values = "{name=secret value='x ".repeat(20_000);
        let redacted = redact_secrets(&open_values);
        // Each quoted value runs to the next quote, the last one to the end.
        let values = alloc::format!("{REDACTED}'").repeat(19_999);
        assert_eq!(
            redacted,
            alloc::format!("{{name=secret value='{values}{REDACTED}")
        );
        // An unquoted value runs to the first delimiter: each `value=` of the chain holds the
        // same end, found once.
        let chain = alloc::format!("{{name=secret {}x}}", "value=".repeat(40_000));
        assert_eq!(
            redact_secrets(&chain),
            alloc::format!("{{name=secret value={REDACTED}}}")
        );
        let long_name = "Secrets".repeat(100_000);
        assert!(is_secret_name(&long_name));
        assert!(!is_secret_name(&"sEcReX".repeat(100_000)));
        assert_eq!(body_excerpt(nested.as_bytes()).len(), 200);
    }

    #[test]
    fn urls_lose_the_values_of_secret_query_parameters_only() {
        assert_eq!(
            redact_url_query("https://api.discogs.com/x?q=a&token=abc&secret#f"),
            alloc::format!("https://api.discogs.com/x?q=a&token={REDACTED}&secret#f")
        );
        // A `?` in the fragment starts no query.
        let url = "https://h/p#top?token=abc";
        assert_eq!(redact_url_query(url), url);
        assert_eq!(redact_url_query("/p"), "/p");
    }

    /// What the redaction remembers from one name to the next is never stale: two unquoted
    /// secrets, two objects one after the other, and a name outside any object or element
    /// (which names nothing: there is no element whose value it would be).
    #[test]
    fn each_value_and_object_is_found_again_after_the_last() {
        assert_eq!(
            redact_secrets("secret=abc&password=defgh x"),
            alloc::format!("secret={REDACTED}&password={REDACTED} x")
        );
        assert_eq!(
            redact_secrets(
                r#"{"name": "password", "value": "a"} {"name": "secret", "value": "b"}"#
            ),
            alloc::format!(
                r#"{{"name": "password", "value": "{REDACTED}"}} {{"name": "secret", "value": "{REDACTED}"}}"#
            )
        );
        let outside = r#"<p>done</p> name="password" value="shown""#;
        assert_eq!(redact_secrets(outside), outside);
    }

    #[test]
    fn redaction_never_makes_a_message_longer_than_its_limit() {
        let body = alloc::format!("{}&secret=x&secret=y&secret=z", "a".repeat(190));
        let e = error_of(Response::new(400, body.as_bytes()));
        let message = e.message.unwrap();
        assert!(message.len() <= 200, "{}", message.len());
        assert!(!message.contains("=x"));
    }

    #[test]
    fn messages_are_excerpts_and_escaped() {
        let long = "x".repeat(1000) + "\n";
        let e = error_of(Response::new(500, long.as_bytes()));
        assert_eq!(e.message.as_deref().map(str::len), Some(200));
        let e = error_of(Response::new(400, b"line one\r\nInjected: yes"));
        assert!(!e.to_string().contains('\n'));
    }
}
