//! The Discogs preset: its endpoints, its rules, and its way of taking credentials as they are.
//!
//! Discogs documents four ways to call its API: no credentials; consumer key and secret (a higher
//! rate limit and image URLs, no user identity); a personal access token (the identity of its
//! holder); and full OAuth 1.0a, PLAINTEXT over TLS. The middle two are "Discogs Auth": sent as
//! `Authorization: Discogs key=..., secret=...` or `Discogs token=...`, or as query parameters
//! ([`key_scheme`]). Every request must carry a User-Agent that names the application, request
//! tokens live 15 minutes, and answers carry rate-limit headers
//! ([`RateLimit`](crate::response::RateLimit)).
//!
//! ```
//! use countersign::auth::Auth;
//! use countersign::{ClientCredentials, Secret};
//!
//! let profile = countersign::discogs::profile("MyCollectionApp/1.0 +https://example.org")?;
//! assert_eq!(profile.authorize_url(), "https://www.discogs.com/oauth/authorize");
//! assert_eq!(profile.identity_url(), Some("https://api.discogs.com/oauth/identity"));
//!
//! // The four credential modes, with Discogs' rules.
//! let anonymous = profile.authenticator(Auth::None);
//! let app = profile.authenticator(Auth::ConsumerKey(ClientCredentials::new("key", "secret")));
//! let user = profile.authenticator(Auth::PersonalToken(Secret::new("my-token")));
//! # let _ = (anonymous, app, user);
//! # Ok::<(), countersign::Error>(())
//! ```

use alloc::format;

use crate::Error;
use crate::auth::KeyScheme;
use crate::profile::Profile;

/// The API's base URL: the token endpoints and the resources.
pub const API_BASE: &str = "https://api.discogs.com";
/// The site's base URL: where users authorize applications.
pub const SITE_BASE: &str = "https://www.discogs.com";

/// The temporary-credentials endpoint, on [`API_BASE`] (`GET`, as documented).
pub const REQUEST_TOKEN_PATH: &str = "/oauth/request_token";
/// The authorization endpoint, on [`SITE_BASE`], with `?oauth_token=<request token>`.
pub const AUTHORIZE_PATH: &str = "/oauth/authorize";
/// The token-credentials endpoint, on [`API_BASE`] (`POST`).
pub const ACCESS_TOKEN_PATH: &str = "/oauth/access_token";
/// The identity resource, on [`API_BASE`] (`GET`).
pub const IDENTITY_PATH: &str = "/oauth/identity";

/// `X-Discogs-Ratelimit`: requests allowed per moving minute.
pub const RATE_LIMIT_HEADER: &str = "x-discogs-ratelimit";
/// `X-Discogs-Ratelimit-Used`.
pub const RATE_LIMIT_USED_HEADER: &str = "x-discogs-ratelimit-used";
/// `X-Discogs-Ratelimit-Remaining`.
pub const RATE_LIMIT_REMAINING_HEADER: &str = "x-discogs-ratelimit-remaining";

/// The Discogs API, with a User-Agent that names the application (Discogs blocks requests
/// without one).
///
/// # Errors
/// [`Misuse::UserAgentRequired`](crate::Misuse::UserAgentRequired) for a blank User-Agent;
/// [`Misuse::HeaderValue`](crate::Misuse::HeaderValue) for one that cannot travel in a header.
pub fn profile(user_agent: &str) -> Result<Profile, Error> {
    profile_at(API_BASE, SITE_BASE, user_agent)
}

/// Discogs' routes on other hosts: `api_base` for the API ([`REQUEST_TOKEN_PATH`],
/// [`ACCESS_TOKEN_PATH`], [`IDENTITY_PATH`]) and `site_base` for [`AUTHORIZE_PATH`]. For a local
/// Discogs-compatible provider, both are its base URL.
///
/// # Errors
/// As [`profile`], and [`ParseError::Url`](crate::ParseError::Url) for a base that is not an
/// absolute URL.
pub fn profile_at(api_base: &str, site_base: &str, user_agent: &str) -> Result<Profile, Error> {
    let api = api_base.trim_end_matches('/');
    let site = site_base.trim_end_matches('/');
    Profile::builder(
        format!("{api}{REQUEST_TOKEN_PATH}"),
        format!("{site}{AUTHORIZE_PATH}"),
        format!("{api}{ACCESS_TOKEN_PATH}"),
    )
    .request_token_method("GET")
    .identity_url(format!("{api}{IDENTITY_PATH}"))
    .user_agent(user_agent)
    .require_user_agent()
    .key_scheme(key_scheme())
    .build()
}

/// How Discogs takes a consumer key and secret, or a personal token, as they are:
/// `Authorization: Discogs key=..., secret=...`, `Discogs token=...`, or `?key=...&secret=...`,
/// `?token=...`.
#[must_use]
pub fn key_scheme() -> KeyScheme {
    KeyScheme::new("Discogs", "key", "secret", "token")
}
