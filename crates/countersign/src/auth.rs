//! How a request is authenticated: the credential modes ([`Auth`]), and the provider's rules
//! for sending them ([`Authenticator`]).
//!
//! OAuth 1.0a signs each request. Some providers also take credentials as they are: a consumer
//! key and secret (for calls that need no user), or a personal access token (the identity of its
//! holder). How those travel is the provider's own scheme, a [`KeyScheme`] in its
//! [`Profile`](crate::profile::Profile): Discogs' is `Authorization: Discogs key=..., secret=...`
//! and `Discogs token=...`, or `?key=...&secret=...` and `?token=...` in the query. Credentials
//! sent as they are travel in the clear, so they are refused over `http://` to hosts that are not
//! loopback.
//!
//! ```
//! use countersign::auth::{Applied, Auth, Authenticator, Placement};
//! use countersign::{Request, Secret};
//!
//! let profile = countersign::discogs::profile("MyApp/1.0")?;
//! let token = profile.authenticator(Auth::PersonalToken(Secret::new("abcXYZ")));
//! let request = Request::get("https://api.discogs.com/oauth/identity");
//! match token.apply(&request, 0, "")? {
//!     Applied::Header(header) => assert_eq!(header.as_str(), "Discogs token=abcXYZ"),
//!     _ => unreachable!(),
//! }
//! let in_query = token.placement(Placement::Query);
//! match in_query.apply(&request, 0, "")? {
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
use crate::{ClientCredentials, Error, Field, Misuse, PreparedSigner, Request, Secret};

/// A credential mode: what authenticates a request.
///
/// `Debug` redacts every secret.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Auth {
    /// No credentials.
    None,
    /// A consumer key and secret sent as they are, under the provider's [`KeyScheme`]: calls
    /// that need an application but no user (Discogs: a higher rate limit and image URLs).
    ConsumerKey(ClientCredentials),
    /// A personal access token sent as it is, under the provider's [`KeyScheme`]: the identity
    /// of its holder.
    PersonalToken(Secret),
    /// OAuth 1.0a, prepared for repeated requests: access credentials, or the credentials of a
    /// step of the three-legged flow.
    OAuth(PreparedSigner),
}

impl Auth {
    /// Whether requests in this mode are signed with a timestamp and nonce (OAuth 1.0a), so that
    /// the clock-skew retry applies.
    #[must_use]
    pub fn is_oauth(&self) -> bool {
        matches!(self, Self::OAuth(_))
    }

    /// Whether this mode signs an `application/x-www-form-urlencoded` body, which then must be in
    /// memory: OAuth 1.0a with a signature method that signs the request (all but PLAINTEXT).
    #[must_use]
    pub fn signs_form_body(&self) -> bool {
        matches!(self, Self::OAuth(signer) if signer.signature_method().signs_request())
    }

    /// Whether this mode sends `oauth_body_hash` ([`Signer::body_hashes`](crate::Signer::body_hashes)),
    /// so that every body that is not a form must be in memory to be hashed.
    #[must_use]
    pub fn hashes_bodies(&self) -> bool {
        matches!(self, Self::OAuth(signer) if signer.hashes_bodies())
    }
}

impl From<PreparedSigner> for Auth {
    fn from(signer: PreparedSigner) -> Self {
        Self::OAuth(signer)
    }
}

/// How a provider takes a consumer key and secret, or a personal token, sent as they are: the
/// `Authorization` scheme and the parameter names, in the header (`<scheme> <key>=..., <secret>=...`,
/// `<scheme> <token>=...`) or the query (`?<key>=...&<secret>=...`, `?<token>=...`).
///
/// ```
/// use countersign::auth::KeyScheme;
///
/// let discogs = KeyScheme::new("Discogs", "key", "secret", "token");
/// assert_eq!(discogs.scheme(), "Discogs");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct KeyScheme {
    scheme: String,
    key: String,
    secret: String,
    token: String,
}

impl KeyScheme {
    /// The scheme word of the `Authorization` header, and the names of the consumer key, the
    /// consumer secret and the personal token.
    pub fn new(
        scheme: impl Into<String>,
        key: impl Into<String>,
        secret: impl Into<String>,
        token: impl Into<String>,
    ) -> Self {
        Self {
            scheme: scheme.into(),
            key: key.into(),
            secret: secret.into(),
            token: token.into(),
        }
    }

    /// The `Authorization` scheme (`Discogs`).
    #[must_use]
    pub fn scheme(&self) -> &str {
        &self.scheme
    }
}

/// Where credentials sent as they are travel.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
#[non_exhaustive]
pub enum Placement {
    /// The `Authorization` header (recommended: URLs end up in logs).
    #[default]
    Header,
    /// The query string. OAuth 1.0a always uses the header.
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

/// Credentials with the provider's rules for sending them: the key scheme, where credentials sent
/// as they are travel, and the User-Agent. A plain value: time and nonces are arguments, and
/// nothing is learned or kept between requests.
///
/// Build one from a profile ([`Profile::authenticator`](crate::profile::Profile::authenticator)),
/// which fills in the rules, or from an [`Auth`] alone.
///
/// `Debug` redacts every secret.
#[derive(Clone, Debug)]
pub struct Authenticator {
    auth: Auth,
    key_scheme: Option<KeyScheme>,
    placement: Placement,
    user_agent: Option<String>,
}

impl Authenticator {
    /// `auth` with no key scheme, credentials in the header, and no User-Agent.
    #[must_use]
    pub fn new(auth: Auth) -> Self {
        Self {
            auth,
            key_scheme: None,
            placement: Placement::Header,
            user_agent: None,
        }
    }

    /// How consumer keys and personal tokens travel (a profile's).
    #[must_use]
    pub fn key_scheme(mut self, scheme: KeyScheme) -> Self {
        self.key_scheme = Some(scheme);
        self
    }

    /// Where credentials sent as they are travel: the `Authorization` header (the default) or
    /// the query string. OAuth 1.0a always uses the header.
    #[must_use]
    pub fn placement(mut self, placement: Placement) -> Self {
        self.placement = placement;
        self
    }

    /// A User-Agent for requests that have none (Discogs blocks requests without one).
    #[must_use]
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// The credential mode.
    #[must_use]
    pub fn auth(&self) -> &Auth {
        &self.auth
    }

    /// The User-Agent, if one is set.
    #[must_use]
    pub fn configured_user_agent(&self) -> Option<&str> {
        self.user_agent.as_deref()
    }

    /// What to change in `request` to authenticate it. `timestamp` and `nonce` are used by OAuth
    /// only.
    ///
    /// # Errors
    /// [`Misuse::InsecureTransport`] for credentials over `http://` to a host that is not loopback;
    /// [`Misuse::HeaderValue`] for a key, secret or token that cannot travel in a header;
    /// [`Misuse::NoKeyScheme`] for a consumer key or personal token without a key scheme;
    /// the signer's errors.
    pub fn apply(
        &self,
        request: &Request<'_>,
        timestamp: u64,
        nonce: &str,
    ) -> Result<Applied, Error> {
        let scheme = || {
            self.key_scheme
                .as_ref()
                .ok_or(Error::Misuse(Misuse::NoKeyScheme))
        };
        let (scheme, pairs, field): (&KeyScheme, [(&str, &str); 2], Field) = match &self.auth {
            Auth::None => return Ok(Applied::Unchanged),
            Auth::OAuth(signer) => {
                let header = signer.sign(request, timestamp, nonce)?;
                return Ok(match self.placement {
                    Placement::Header => Applied::Header(header),
                    Placement::Query => Applied::Url(oauth_in_query(request.url(), &header)?),
                });
            }
            Auth::ConsumerKey(client) => {
                let s = scheme()?;
                let pairs = [
                    (s.key.as_str(), client.key()),
                    (s.secret.as_str(), client.secret().expose_secret()),
                ];
                (s, pairs, Field::ConsumerKey)
            }
            Auth::PersonalToken(token) => {
                let s = scheme()?;
                let pairs = [(s.token.as_str(), token.expose_secret()), ("", "")];
                (s, pairs, Field::PersonalToken)
            }
        };
        check_cleartext_allowed(request.url(), false)?;
        let pairs = pairs.iter().filter(|(name, _)| !name.is_empty());
        match self.placement {
            Placement::Header => {
                let mut out = String::with_capacity(64);
                out.push_str(&scheme.scheme);
                out.push(' ');
                for (i, (name, value)) in pairs.enumerate() {
                    if !value
                        .bytes()
                        .all(|b| b.is_ascii_graphic() && b != b',' && b != b'"')
                    {
                        out.zeroize();
                        return Err(Error::Misuse(Misuse::HeaderValue { field }));
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
                    push_encoded_with_len(&mut query, name, encoded_len(name));
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

/// `url` with the protocol parameters of `header` (all but `realm`, which travels in a header
/// only) added to its query (RFC 5849 section 3.5.3): the signature is the same wherever the
/// parameters travel, as the base string collects them from the header and the query alike. The
/// header's names and values are percent-encoded already, as a query takes them.
fn oauth_in_query(url: &str, header: &Authorization) -> Result<Secret, Error> {
    let parsed = crate::header::ParsedAuthorization::parse(header.as_str())?;
    let mut query = String::with_capacity(header.as_str().len());
    for (name, value) in parsed.encoded_params() {
        if !query.is_empty() {
            query.push('&');
        }
        query.push_str(name);
        query.push('=');
        query.push_str(value);
    }
    let url = crate::url::with_query(url, &query);
    query.zeroize();
    Ok(Secret::from(url))
}

impl From<Auth> for Authenticator {
    fn from(auth: Auth) -> Self {
        Self::new(auth)
    }
}
