//! The three-legged flow (RFC 5849 section 2) as a typestate: one type per state, each step
//! consuming the previous one. Pure: every request is described, never sent; every answer is
//! handed in; time is an argument.
//!
//! ```text
//!  RequestToken ──request()──▶ (you send it) ──receive(answer, now)──▶ Authorize
//!                                                                         │ authorize_url(): send the user there
//!                                      callback(url, now) / verifier(pasted, now)
//!                                                                         ▼
//!  Session ◀──receive(answer, now)── (you send it) ◀──request()──── AccessToken
//!     │ signer(), request(), identity_request(), renewal_request()
//!     └──receive_renewal(answer, now)──▶ Session
//! ```
//!
//! Every state and credential serializes with the `serde` feature, so a web application can keep
//! the pending [`Authorize`] state in its session store between the redirect and the callback.
//! **It holds the consumer secret and the temporary token secret: keep it on the server side**,
//! never in a cookie or a URL.
//!
//! The RFC 5849 section 2 exchange:
//!
//! ```
//! use countersign::flow::{CallbackMode, ProviderConfig, RequestToken};
//! use countersign::response::Response;
//! use countersign::ClientCredentials;
//!
//! let config = ProviderConfig::new(
//!     "https://server.example.com/request_temp_credentials",
//!     "https://server.example.com/authorize_access",
//!     "https://server.example.com/request_token",
//! )
//! .request_token_method("POST");
//! let client = ClientCredentials::new("jd83jd92dhsh93js", "ja893SD9");
//! let callback = CallbackMode::url("http://client.example.net/cb?x=1");
//!
//! let flow = RequestToken::new(config, client, callback)?;
//! let request = flow.request(137131200, "wIjqoS")?;
//! assert_eq!(request.method(), "POST");
//! let answer = b"oauth_token=hdk48Djdsa&oauth_token_secret=xyz4992k83j47x0b&oauth_callback_confirmed=true";
//! let pending = flow.receive(&Response::new(200, answer), 137131200)?;
//! assert_eq!(
//!     pending.authorize_url(),
//!     "https://server.example.com/authorize_access?oauth_token=hdk48Djdsa"
//! );
//!
//! let next = pending.callback(
//!     "http://client.example.net/cb?x=1&oauth_token=hdk48Djdsa&oauth_verifier=473f82d3",
//!     137131260,
//! )?;
//! let request = next.request(137131261, "walatlh")?;
//! assert!(request.authorization().as_str().contains("oauth_signature=\"ja893SD9%26xyz4992k83j47x0b\""));
//! let session = next.receive(
//!     &Response::new(200, b"oauth_token=j49ddk933skd9dks&oauth_token_secret=ll399dj47dskfjdk"),
//!     137131262,
//! )?;
//! assert_eq!(session.token().token(), "j49ddk933skd9dks");
//! # Ok::<(), countersign::Error>(())
//! ```

use alloc::string::String;

use subtle::ConstantTimeEq;

use crate::encode::encode;
use crate::request::OutgoingRequest;
use crate::response::Response;
use crate::{
    Callback, ClientCredentials, Context, Error, PreparedSigner, Request, Secret, SignatureMethod,
    Signer, TokenCredentials, TokenResponse,
};
use crate::{FlowError, Misuse, ParseError};

/// How long a request token lives unless configured otherwise: 15 minutes, Discogs' rule.
pub const DEFAULT_REQUEST_TOKEN_LIFETIME: u64 = 15 * 60;

/// Where the provider's endpoints are and how to talk to it.
///
/// ```
/// use countersign::flow::ProviderConfig;
///
/// let discogs = ProviderConfig::discogs("MyCollectionApp/1.0 +https://example.org");
/// assert_eq!(discogs.request_token_url(), "https://api.discogs.com/oauth/request_token");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ProviderConfig {
    request_token_url: String,
    request_token_method: String,
    authorize_url: String,
    access_token_url: String,
    identity_url: Option<String>,
    user_agent: Option<String>,
    require_user_agent: bool,
    request_token_lifetime: u64,
    realm: Option<String>,
    signature_method: SignatureMethod,
    dangerous_allow_insecure_http: bool,
}

impl ProviderConfig {
    /// A provider with these three endpoints. The temporary-credentials request is a `POST`
    /// (change it with [`request_token_method`](Self::request_token_method)), the access-token
    /// request is always a `POST`; request tokens live 15 minutes.
    pub fn new(
        request_token_url: impl Into<String>,
        authorize_url: impl Into<String>,
        access_token_url: impl Into<String>,
    ) -> Self {
        Self {
            request_token_url: request_token_url.into(),
            request_token_method: "POST".into(),
            authorize_url: authorize_url.into(),
            access_token_url: access_token_url.into(),
            identity_url: None,
            user_agent: None,
            require_user_agent: false,
            request_token_lifetime: DEFAULT_REQUEST_TOKEN_LIFETIME,
            realm: None,
            signature_method: SignatureMethod::Plaintext,
            dangerous_allow_insecure_http: false,
        }
    }

    /// The Discogs API, with its documented endpoints (the request token by `GET`), its identity
    /// resource, and the User-Agent every request must carry (Discogs blocks requests without
    /// one; an empty `user_agent` makes every request fail with
    /// [`Misuse::UserAgentRequired`]).
    pub fn discogs(user_agent: impl Into<String>) -> Self {
        Self::discogs_at(
            "https://api.discogs.com",
            "https://www.discogs.com",
            user_agent,
        )
    }

    /// Discogs' routes on other hosts: `api_base` for the API (`/oauth/request_token`,
    /// `/oauth/access_token`, `/oauth/identity`) and `site_base` for `/oauth/authorize`; for a
    /// local Discogs-compatible provider, both are its base URL.
    pub fn discogs_at(api_base: &str, site_base: &str, user_agent: impl Into<String>) -> Self {
        let api = api_base.trim_end_matches('/');
        let site = site_base.trim_end_matches('/');
        let mut config = Self::new(
            alloc::format!("{api}/oauth/request_token"),
            alloc::format!("{site}/oauth/authorize"),
            alloc::format!("{api}/oauth/access_token"),
        )
        .request_token_method("GET")
        .identity_url(alloc::format!("{api}/oauth/identity"))
        .user_agent(user_agent);
        config.require_user_agent = true;
        config
    }

    /// The method of the temporary-credentials request (`GET` or `POST`).
    #[must_use]
    pub fn request_token_method(mut self, method: impl Into<String>) -> Self {
        self.request_token_method = method.into();
        self
    }

    /// The identity resource, fetched with the access credentials at the end of the flow.
    #[must_use]
    pub fn identity_url(mut self, url: impl Into<String>) -> Self {
        self.identity_url = Some(url.into());
        self
    }

    /// The User-Agent sent with every request.
    #[must_use]
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// Refuse to describe a request without a (non-empty) User-Agent.
    #[must_use]
    pub fn require_user_agent(mut self, require: bool) -> Self {
        self.require_user_agent = require;
        self
    }

    /// How long a request token lives, in seconds (default 15 minutes).
    #[must_use]
    pub fn request_token_lifetime(mut self, seconds: u64) -> Self {
        self.request_token_lifetime = seconds;
        self
    }

    /// A realm for every `Authorization` header.
    #[must_use]
    pub fn realm(mut self, realm: impl Into<String>) -> Self {
        self.realm = Some(realm.into());
        self
    }

    /// The signature method (default PLAINTEXT).
    #[must_use]
    pub fn signature_method(mut self, method: SignatureMethod) -> Self {
        self.signature_method = method;
        self
    }

    /// Allows secrets in the clear over `http://` to hosts that are not loopback.
    ///
    /// # Security
    /// As [`Signer::dangerous_allow_insecure_http`].
    #[must_use]
    pub fn dangerous_allow_insecure_http(mut self) -> Self {
        self.dangerous_allow_insecure_http = true;
        self
    }

    /// The temporary-credentials endpoint.
    #[must_use]
    pub fn request_token_url(&self) -> &str {
        &self.request_token_url
    }

    /// The authorization endpoint.
    #[must_use]
    pub fn authorize_url(&self) -> &str {
        &self.authorize_url
    }

    /// The token-credentials endpoint.
    #[must_use]
    pub fn access_token_url(&self) -> &str {
        &self.access_token_url
    }

    /// The identity resource, if configured.
    #[must_use]
    pub fn identity(&self) -> Option<&str> {
        self.identity_url.as_deref()
    }

    /// The configured User-Agent.
    #[must_use]
    pub fn configured_user_agent(&self) -> Option<&str> {
        self.user_agent.as_deref()
    }

    /// Whether requests without a User-Agent are refused ([`Misuse::UserAgentRequired`]).
    #[must_use]
    pub fn requires_user_agent(&self) -> bool {
        self.require_user_agent
    }

    /// A signer for `client` with this provider's method, realm and transport rule.
    fn signer<'a>(&'a self, client: &'a ClientCredentials) -> Signer<'a> {
        let mut signer = Signer::new(client).signature_method(self.signature_method);
        if let Some(realm) = &self.realm {
            signer = signer.realm(realm);
        }
        if self.dangerous_allow_insecure_http {
            signer = signer.dangerous_allow_insecure_http();
        }
        signer
    }

    /// Signs `method url` and describes the request, with the User-Agent.
    fn describe(
        &self,
        signer: Signer<'_>,
        method: &str,
        url: &str,
        timestamp: u64,
        nonce: &str,
    ) -> Result<OutgoingRequest, Error> {
        let user_agent = self
            .user_agent
            .as_deref()
            .filter(|ua| !ua.trim().is_empty());
        if self.require_user_agent && user_agent.is_none() {
            return Err(Error::Misuse(Misuse::UserAgentRequired));
        }
        if let Some(ua) = user_agent
            && ua.bytes().any(|b| b.is_ascii_control())
        {
            return Err(Error::Misuse(crate::Misuse::HeaderValue {
                field: crate::Field::UserAgent,
            }));
        }
        let authorization = signer
            .timestamp(timestamp)
            .nonce(nonce)
            .sign(&Request::new(method, url))?
            .to_authorization();
        Ok(OutgoingRequest::new(method, url, authorization, user_agent))
    }
}

/// Where the provider sends the user after authorization (`oauth_callback`).
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum CallbackMode {
    /// Redirect to this absolute URL.
    Url(String),
    /// Out of band (`oob`): the provider shows the user a verifier to paste into the application.
    OutOfBand,
}

impl CallbackMode {
    /// Redirect to `url`.
    pub fn url(url: impl Into<String>) -> Self {
        Self::Url(url.into())
    }

    /// The `oauth_callback` value.
    #[must_use]
    pub fn as_str(&self) -> &str {
        match self {
            Self::Url(url) => url,
            Self::OutOfBand => "oob",
        }
    }
}

/// First state: the temporary-credentials request is to be sent.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct RequestToken {
    config: ProviderConfig,
    client: ClientCredentials,
    callback: CallbackMode,
}

impl RequestToken {
    /// Starts a flow.
    ///
    /// # Errors
    /// [`Misuse::InvalidCallback`] when a callback URL is not an absolute URL.
    pub fn new(
        config: ProviderConfig,
        client: ClientCredentials,
        callback: CallbackMode,
    ) -> Result<Self, Error> {
        if let CallbackMode::Url(url) = &callback {
            crate::url::split(url).map_err(|_| Error::Misuse(Misuse::InvalidCallback))?;
        }
        Ok(Self {
            config,
            client,
            callback,
        })
    }

    /// The temporary-credentials request, signed with this timestamp and nonce.
    ///
    /// # Errors
    /// [`Misuse::UserAgentRequired`], [`Misuse::InsecureTransport`], [`ParseError::Url`].
    pub fn request(&self, timestamp: u64, nonce: &str) -> Result<OutgoingRequest, Error> {
        let c = &self.config;
        let signer = c.signer(&self.client).callback(self.callback.as_str());
        c.describe(
            signer,
            &c.request_token_method,
            &c.request_token_url,
            timestamp,
            nonce,
        )
    }

    /// Takes the provider's answer, received at `now` (seconds since the Unix epoch).
    ///
    /// # Errors
    /// [`Error::Provider`] for a non-2xx answer, [`FlowError::CallbackNotConfirmed`] without
    /// `oauth_callback_confirmed=true`, and the [`TokenResponse::parse`] errors.
    pub fn receive(self, response: &Response<'_>, now: u64) -> Result<Authorize, Error> {
        let temporary = TokenResponse::parse_temporary(response.classify()?)?.into_credentials();
        Ok(Authorize {
            config: self.config,
            client: self.client,
            callback: self.callback,
            temporary,
            issued_at: now,
        })
    }
}

/// Second state: the user must authorize the request token at [`Authorize::authorize_url`]; the
/// answer comes through the callback, or as a verifier the user pastes.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Authorize {
    config: ProviderConfig,
    client: ClientCredentials,
    callback: CallbackMode,
    temporary: TokenCredentials,
    issued_at: u64,
}

impl Authorize {
    /// Where to send the user: the authorization endpoint with `oauth_token` added to its query
    /// (before any fragment).
    #[must_use]
    pub fn authorize_url(&self) -> String {
        let query = alloc::format!("oauth_token={}", encode(self.temporary.token()));
        crate::url::with_query(&self.config.authorize_url, &query)
    }

    /// The temporary (request) token.
    #[must_use]
    pub fn request_token(&self) -> &str {
        self.temporary.token()
    }

    /// The callback mode the flow started with.
    #[must_use]
    pub fn callback_mode(&self) -> &CallbackMode {
        &self.callback
    }

    /// When the request token expires (seconds since the Unix epoch).
    #[must_use]
    pub fn expires_at(&self) -> u64 {
        self.issued_at
            .saturating_add(self.config.request_token_lifetime)
    }

    /// Whether the request token has expired at `now`.
    #[must_use]
    pub fn is_expired(&self, now: u64) -> bool {
        now >= self.expires_at()
    }

    fn check_alive(&self, now: u64) -> Result<(), Error> {
        if self.is_expired(now) {
            return Err(Error::Flow(FlowError::RequestTokenExpired));
        }
        Ok(())
    }

    /// Takes the callback: the URL the user arrived at (or its query string), at `now`.
    ///
    /// # Errors
    /// [`FlowError::RequestTokenExpired`] past the token's lifetime; [`FlowError::Denied`] when the
    /// user refused; [`FlowError::TokenMismatch`] when the callback is about another request token
    /// (compared in constant time); the [`Callback::parse`] errors.
    pub fn callback(self, url_or_query: &str, now: u64) -> Result<AccessToken, Error> {
        self.check_alive(now)?;
        let callback = Callback::parse(url_or_query)?;
        let pending = self.temporary.token().as_bytes();
        if !bool::from(callback.token().as_bytes().ct_eq(pending)) {
            return Err(Error::Flow(FlowError::TokenMismatch));
        }
        match callback {
            Callback::Approved { verifier, .. } => {
                Ok(self.into_access_token(verifier.into_secret()))
            }
            _ => Err(Error::Flow(FlowError::Denied)),
        }
    }

    /// Takes a verifier the user pasted (out of band), at `now`. Surrounding whitespace is
    /// removed.
    ///
    /// # Errors
    /// [`FlowError::RequestTokenExpired`] past the token's lifetime; [`ParseError::EmptyParameter`] for an
    /// empty verifier.
    pub fn verifier(self, pasted: &str, now: u64) -> Result<AccessToken, Error> {
        self.check_alive(now)?;
        let verifier = pasted.trim();
        if verifier.is_empty() {
            return Err(Error::Parse(ParseError::EmptyParameter {
                context: Context::Callback,
                name: "oauth_verifier",
            }));
        }
        Ok(self.into_access_token(Secret::new(verifier)))
    }

    fn into_access_token(self, verifier: Secret) -> AccessToken {
        AccessToken {
            config: self.config,
            client: self.client,
            temporary: self.temporary,
            verifier,
            issued_at: self.issued_at,
        }
    }
}

/// Third state: the token-credentials request is to be sent.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct AccessToken {
    config: ProviderConfig,
    client: ClientCredentials,
    temporary: TokenCredentials,
    verifier: Secret,
    issued_at: u64,
}

impl AccessToken {
    /// The token-credentials request (`POST`), signed with the temporary credentials and the
    /// verifier.
    ///
    /// # Errors
    /// [`FlowError::RequestTokenExpired`] when `timestamp` is past the request token's lifetime;
    /// otherwise as [`RequestToken::request`].
    pub fn request(&self, timestamp: u64, nonce: &str) -> Result<OutgoingRequest, Error> {
        if timestamp
            >= self
                .issued_at
                .saturating_add(self.config.request_token_lifetime)
        {
            return Err(Error::Flow(FlowError::RequestTokenExpired));
        }
        let c = &self.config;
        let signer = c
            .signer(&self.client)
            .token(&self.temporary)
            .verifier(&self.verifier);
        c.describe(signer, "POST", &c.access_token_url, timestamp, nonce)
    }

    /// Takes the provider's answer, received at `now`: the access credentials.
    ///
    /// # Errors
    /// [`Error::Provider`] for a non-2xx answer and the [`TokenResponse::parse`] errors.
    pub fn receive(self, response: &Response<'_>, now: u64) -> Result<Session, Error> {
        Session::from_answer(self.config, self.client, response, now)
    }
}

/// Last state: access credentials, ready for API requests.
///
/// `Debug` redacts the consumer secret, the token secret and the session handle.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Session {
    config: ProviderConfig,
    client: ClientCredentials,
    token: TokenCredentials,
    obtained_at: u64,
    expires_in: Option<u64>,
    authorization_expires_in: Option<u64>,
    /// A credential: whoever holds it (with the consumer secret) renews the access token.
    session_handle: Option<Secret>,
}

impl Session {
    /// A session from access credentials obtained earlier (for example loaded from a file).
    #[must_use]
    pub fn from_credentials(
        config: ProviderConfig,
        client: ClientCredentials,
        token: TokenCredentials,
    ) -> Self {
        Self {
            config,
            client,
            token,
            obtained_at: 0,
            expires_in: None,
            authorization_expires_in: None,
            session_handle: None,
        }
    }

    fn from_answer(
        config: ProviderConfig,
        client: ClientCredentials,
        response: &Response<'_>,
        now: u64,
    ) -> Result<Self, Error> {
        let answer = TokenResponse::parse(response.classify()?)?;
        let seconds = |name: &str| answer.get(name).and_then(|v| v.trim().parse::<u64>().ok());
        let expires_in = seconds("oauth_expires_in");
        let authorization_expires_in = seconds("oauth_authorization_expires_in");
        let session_handle = answer.get("oauth_session_handle").map(Secret::from);
        Ok(Self {
            config,
            client,
            token: answer.into_credentials(),
            obtained_at: now,
            expires_in,
            authorization_expires_in,
            session_handle,
        })
    }

    /// The provider configuration.
    #[must_use]
    pub fn config(&self) -> &ProviderConfig {
        &self.config
    }

    /// The client credentials.
    #[must_use]
    pub fn client(&self) -> &ClientCredentials {
        &self.client
    }

    /// The access credentials.
    #[must_use]
    pub fn token(&self) -> &TokenCredentials {
        &self.token
    }

    /// `oauth_expires_in`: how long the access token lives, in seconds, if the provider said.
    #[must_use]
    pub fn expires_in(&self) -> Option<u64> {
        self.expires_in
    }

    /// When the access token expires (seconds since the Unix epoch), if the provider said.
    #[must_use]
    pub fn expires_at(&self) -> Option<u64> {
        self.expires_in.map(|s| self.obtained_at.saturating_add(s))
    }

    /// `oauth_authorization_expires_in`: how long the session handle can renew, in seconds.
    #[must_use]
    pub fn authorization_expires_in(&self) -> Option<u64> {
        self.authorization_expires_in
    }

    /// `oauth_session_handle`, for renewal ([`renewal_request`](Self::renewal_request)).
    ///
    /// # Security
    /// The handle is a credential, like the token secret: store it as carefully, and never log
    /// it ([`Secret::expose_secret`] gives the value).
    #[must_use]
    pub fn session_handle(&self) -> Option<&Secret> {
        self.session_handle.as_ref()
    }

    /// A prepared signer for API requests with these credentials.
    ///
    /// # Errors
    /// [`Misuse::InvalidRealm`] for a configured realm with control characters.
    pub fn signer(&self) -> Result<PreparedSigner, Error> {
        self.config
            .signer(&self.client)
            .token(&self.token)
            .prepare()
    }

    /// A signed request to any resource of the provider.
    ///
    /// # Errors
    /// As [`RequestToken::request`].
    pub fn request(
        &self,
        method: &str,
        url: &str,
        timestamp: u64,
        nonce: &str,
    ) -> Result<OutgoingRequest, Error> {
        let signer = self.config.signer(&self.client).token(&self.token);
        self.config.describe(signer, method, url, timestamp, nonce)
    }

    /// The signed `GET` of the identity resource.
    ///
    /// # Errors
    /// [`Misuse::NoIdentityUrl`] when the configuration has no identity URL; otherwise as
    /// [`request`](Self::request).
    pub fn identity_request(&self, timestamp: u64, nonce: &str) -> Result<OutgoingRequest, Error> {
        let url = self
            .config
            .identity_url
            .as_deref()
            .ok_or(Error::Misuse(crate::Misuse::NoIdentityUrl))?;
        self.request("GET", url, timestamp, nonce)
    }

    /// The renewal request of the OAuth session extension: the access-token endpoint, signed with
    /// the (expired) access credentials, with `oauth_session_handle`. The OAuth 1.0a counterpart
    /// of refreshing an access token.
    ///
    /// # Errors
    /// [`FlowError::NoSessionHandle`] when the provider sent none; otherwise as
    /// [`request`](Self::request).
    pub fn renewal_request(&self, timestamp: u64, nonce: &str) -> Result<OutgoingRequest, Error> {
        let handle = self
            .session_handle
            .as_ref()
            .ok_or(Error::Flow(FlowError::NoSessionHandle))?;
        let c = &self.config;
        // Extension parameters go in the header's secret tail, which is cleared on drop.
        let signer = c
            .signer(&self.client)
            .token(&self.token)
            .extension_param("oauth_session_handle", handle.expose_secret());
        c.describe(signer, "POST", &c.access_token_url, timestamp, nonce)
    }

    /// Takes the answer to the renewal request, received at `now`: fresh credentials. A provider
    /// that sends no new session handle keeps the old one valid.
    ///
    /// # Errors
    /// As [`AccessToken::receive`].
    pub fn receive_renewal(self, response: &Response<'_>, now: u64) -> Result<Self, Error> {
        let mut renewed = Self::from_answer(self.config, self.client, response, now)?;
        if renewed.session_handle.is_none() {
            renewed.session_handle = self.session_handle;
        }
        Ok(renewed)
    }

    /// The access credentials, for storage.
    #[must_use]
    pub fn into_credentials(self) -> (ClientCredentials, TokenCredentials) {
        (self.client, self.token)
    }
}
