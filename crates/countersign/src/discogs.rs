//! The four credential modes of the Discogs API, and its documented endpoints.
//!
//! Discogs documents four ways to call its API: no credentials; consumer key and secret (higher
//! rate limit and image URLs, no user identity); a personal access token (the identity of its
//! holder); and full OAuth 1.0a. The first three are "Discogs Auth", sent as
//! `Authorization: Discogs ...` or as query parameters; all but the first send secrets in the
//! clear, so they are refused over `http://` to hosts that are not loopback.
//!
//! ```
//! use countersign::discogs::{Applied, DiscogsAuth, Placement};
//! use countersign::{Request, Secret};
//!
//! let auth = DiscogsAuth::PersonalToken(Secret::new("abcXYZ"));
//! let request = Request::get("https://api.discogs.com/oauth/identity");
//! match auth.apply(&request, Placement::Header, 0, "")? {
//!     Applied::Header(header) => assert_eq!(header.as_str(), "Discogs token=abcXYZ"),
//!     _ => unreachable!(),
//! }
//! match auth.apply(&request, Placement::Query, 0, "")? {
//!     Applied::Url(url) => assert_eq!(
//!         url.expose_secret(),
//!         "https://api.discogs.com/oauth/identity?token=abcXYZ"
//!     ),
//!     _ => unreachable!(),
//! }
//! # Ok::<(), countersign::Error>(())
//! ```

use alloc::string::String;

use zeroize::Zeroize;

use crate::encode::{encoded_len, push_encoded_with_len};
use crate::header::Authorization;
use crate::transport::check_cleartext_allowed;
use crate::{ClientCredentials, Error, PreparedSigner, Request, Secret};

/// `https://api.discogs.com/oauth/request_token` (GET, as documented).
pub const REQUEST_TOKEN_URL: &str = "https://api.discogs.com/oauth/request_token";
/// `https://www.discogs.com/oauth/authorize`, with `?oauth_token=<request token>`.
pub const AUTHORIZE_URL: &str = "https://www.discogs.com/oauth/authorize";
/// `https://api.discogs.com/oauth/access_token` (POST).
pub const ACCESS_TOKEN_URL: &str = "https://api.discogs.com/oauth/access_token";
/// `https://api.discogs.com/oauth/identity` (GET).
pub const IDENTITY_URL: &str = "https://api.discogs.com/oauth/identity";

/// How a request to the Discogs API is authenticated.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum DiscogsAuth {
    /// No credentials (the lowest rate limit).
    None,
    /// Consumer key and secret: `Discogs key=..., secret=...`.
    KeySecret(ClientCredentials),
    /// A personal access token: `Discogs token=...`.
    PersonalToken(Secret),
    /// OAuth 1.0a with access credentials, prepared for repeated requests.
    OAuth(PreparedSigner),
}

/// Where the Discogs Auth credentials travel.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Placement {
    /// The `Authorization` header (recommended: URLs end up in logs).
    #[default]
    Header,
    /// The query string: `?token=...` or `?key=...&secret=...`.
    Query,
}

/// What to change in a request to authenticate it.
#[derive(Debug)]
#[non_exhaustive]
#[must_use]
pub enum Applied {
    /// Nothing: no credentials.
    Unchanged,
    /// Set this `Authorization` header.
    Header(Authorization),
    /// Send the request to this URL instead (the original with the credentials in its query).
    Url(Secret),
}

impl DiscogsAuth {
    /// What to change in `request` to authenticate it. `timestamp` and `nonce` are used by the
    /// OAuth mode only.
    ///
    /// # Errors
    /// [`Misuse::InsecureTransport`](crate::Misuse::InsecureTransport) for credentials over `http://` to a host that is not loopback;
    /// [`Misuse::HeaderValue`](crate::Misuse::HeaderValue) for a key, secret or token that cannot travel in a header;
    /// [`Misuse::OAuthInQuery`](crate::Misuse::OAuthInQuery) for OAuth in the query string (not in this version).
    pub fn apply(
        &self,
        request: &Request<'_>,
        placement: Placement,
        timestamp: u64,
        nonce: &str,
    ) -> Result<Applied, Error> {
        let pairs: [(&str, &str); 2] = match self {
            Self::None => return Ok(Applied::Unchanged),
            Self::OAuth(signer) => {
                return match placement {
                    Placement::Header => signer
                        .authorize(request, timestamp, nonce)
                        .map(Applied::Header),
                    Placement::Query => Err(Error::Misuse(crate::Misuse::OAuthInQuery)),
                };
            }
            Self::KeySecret(client) => [
                ("key", client.key()),
                ("secret", client.secret().expose_secret()),
            ],
            Self::PersonalToken(token) => [("token", token.expose_secret()), ("", "")],
        };
        check_cleartext_allowed(request.url(), false)?;
        let pairs = pairs.iter().filter(|(name, _)| !name.is_empty());
        match placement {
            Placement::Header => {
                let mut out = String::from("Discogs ");
                for (i, (name, value)) in pairs.enumerate() {
                    if !value
                        .bytes()
                        .all(|b| b.is_ascii_graphic() && b != b',' && b != b'"')
                    {
                        return Err(Error::Misuse(crate::Misuse::HeaderValue {
                            field: if *name == "token" {
                                crate::Field::PersonalToken
                            } else {
                                crate::Field::ConsumerKey
                            },
                        }));
                    }
                    if i > 0 {
                        out.push_str(", ");
                    }
                    out.push_str(name);
                    out.push('=');
                    out.push_str(value);
                }
                Ok(Applied::Header(Authorization::from_string(out)))
            }
            Placement::Query => {
                let mut query = String::with_capacity(64);
                for (i, (name, value)) in pairs.enumerate() {
                    if i > 0 {
                        query.push('&');
                    }
                    query.push_str(name);
                    query.push('=');
                    push_encoded_with_len(&mut query, value, encoded_len(value));
                }
                let url = crate::url::with_query(request.url(), &query);
                query.zeroize();
                Ok(Applied::Url(Secret::from(url)))
            }
        }
    }
}
