//! The three-legged flow (RFC 5849 section 2) as a typestate: one type per state, each step
//! consuming the previous one. Pure: every request is described, never sent; every answer is
//! handed in; time is an argument.
//!
//! ```text
//!  RequestToken ──request() / exchange()──▶ (sent) ──receive(answer, now)──▶ Authorize
//!                                                                   │ authorize_url(): send the user there
//!                                        approve(callback or pasted verifier, now)
//!                                                                   ▼
//!  Session ◀──receive(answer, now)── (sent) ◀──request() / exchange()── AccessToken
//!     │ authenticator(), request(), exchange(), identity_exchange(), renewal_exchange()
//!     └──receive_renewal(answer, now)──▶ Session
//! ```
//!
//! Every state and credential serializes with the `serde` feature, so a web application can keep
//! the pending [`Authorize`] state in its session store between the redirect and the callback.
//! **It holds the consumer secret and the temporary token secret: keep it on the server side**,
//! never in a cookie or a URL.
//!
//! The RFC 5849 section 2 exchange, by hand (an HTTP client of your own sends each request; with
//! the `http` feature, each state also hands out an `exchange::Exchange` that
//! decides retries and redirects for you):
//!
//! ```
//! use countersign::flow::{Approval, CallbackMode, RequestToken};
//! use countersign::profile::Profile;
//! use countersign::response::Response;
//! use countersign::ClientCredentials;
//!
//! let profile = Profile::builder(
//!     "https://server.example.com/request_temp_credentials",
//!     "https://server.example.com/authorize_access",
//!     "https://server.example.com/request_token",
//! )
//! .build()?;
//! let client = ClientCredentials::new("jd83jd92dhsh93js", "ja893SD9");
//! let callback = CallbackMode::url("http://client.example.net/cb?x=1");
//!
//! let flow = RequestToken::new(profile, client, callback)?;
//! let request = flow.request(137131200, "wIjqoS")?;
//! assert_eq!(request.method(), "POST");
//! let answer = b"oauth_token=hdk48Djdsa&oauth_token_secret=xyz4992k83j47x0b&oauth_callback_confirmed=true";
//! let pending = flow.receive(&Response::new(200, answer), 137131200)?;
//! assert_eq!(
//!     pending.authorize_url(),
//!     "https://server.example.com/authorize_access?oauth_token=hdk48Djdsa"
//! );
//!
//! let came_back_to = "http://client.example.net/cb?x=1&oauth_token=hdk48Djdsa&oauth_verifier=473f82d3";
//! let next = pending.approve(Approval::Callback(came_back_to), 137131260)?;
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

use crate::encode::encode;
use crate::request::OutgoingRequest;
use crate::response::Response;
use core::fmt;

use crate::auth::{Auth, Authenticator};
#[cfg(feature = "http")]
use crate::exchange::Exchange;
use crate::profile::Profile;
use crate::{
    Callback, ClientCredentials, Context, Error, FlowError, Misuse, ParseError, PreparedSigner,
    Request, Secret, Signer, TokenCredentials, TokenResponse,
};

/// Signs `method url` with `signer` and describes the request, with the profile's User-Agent.
fn describe(
    profile: &Profile,
    signer: Signer<'_>,
    method: &str,
    url: &str,
    timestamp: u64,
    nonce: &str,
) -> Result<OutgoingRequest, Error> {
    // Prepared, as the exchanges sign: the same header, and a profile's body hash too.
    let authorization = signer
        .prepare()?
        .sign(&Request::new(method, url), timestamp, nonce)?;
    Ok(OutgoingRequest::new(
        method,
        url,
        authorization,
        Some(profile.user_agent()),
    ))
}

/// The exchange for `method url`, signed by `signer` with the profile's rules.
#[cfg(feature = "http")]
fn exchange(
    profile: &Profile,
    signer: Signer<'_>,
    method: &str,
    url: &str,
) -> Result<Exchange, Error> {
    let request = http::Request::builder()
        .method(method)
        .uri(url)
        .body(alloc::vec::Vec::new())
        .map_err(|_| {
            Error::Parse(ParseError::Url {
                reason: "the http crate refused the method or URL",
            })
        })?;
    let auth = profile.authenticator(Auth::OAuth(signer.prepare()?));
    Ok(Exchange::new(request, auth).max_redirects(profile.max_redirects()))
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

/// How the user answered at the authorize URL: where the provider sent them back, or the code
/// they pasted (out of band).
///
/// `Debug` hides the value: both carry the verifier.
#[derive(Clone, Copy)]
#[non_exhaustive]
pub enum Approval<'a> {
    /// The callback URL the user arrived at (or its query string): `oauth_token` and
    /// `oauth_verifier`, or `denied`.
    Callback(&'a str),
    /// The verifier the user pasted, for the out-of-band (`oob`) flow.
    Verifier(&'a str),
}

impl fmt::Debug for Approval<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Callback(_) => "Callback([redacted])",
            Self::Verifier(_) => "Verifier([redacted])",
        })
    }
}

/// First state: the temporary-credentials request is to be sent.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct RequestToken {
    profile: Profile,
    client: ClientCredentials,
    callback: CallbackMode,
}

impl RequestToken {
    /// Starts a flow.
    ///
    /// # Errors
    /// [`Misuse::InvalidCallback`] when a callback URL is not an absolute URL.
    pub fn new(
        profile: Profile,
        client: ClientCredentials,
        callback: CallbackMode,
    ) -> Result<Self, Error> {
        if let CallbackMode::Url(url) = &callback {
            crate::url::split(url).map_err(|_| Error::Misuse(Misuse::InvalidCallback))?;
        }
        Ok(Self {
            profile,
            client,
            callback,
        })
    }

    fn signer(&self) -> Signer<'_> {
        self.profile
            .signer(&self.client)
            .callback(self.callback.as_str())
    }

    /// The temporary-credentials request, signed with this timestamp and nonce.
    ///
    /// # Errors
    /// [`Misuse::InsecureTransport`], [`ParseError::Url`].
    pub fn request(&self, timestamp: u64, nonce: &str) -> Result<OutgoingRequest, Error> {
        let p = &self.profile;
        describe(
            p,
            self.signer(),
            p.request_token_method(),
            p.request_token_url(),
            timestamp,
            nonce,
        )
    }

    /// The exchange that sends the temporary-credentials request: hand its answer to
    /// [`receive`](Self::receive).
    ///
    /// # Errors
    /// As [`request`](Self::request).
    #[cfg(feature = "http")]
    pub fn exchange(&self) -> Result<Exchange, Error> {
        let p = &self.profile;
        exchange(
            p,
            self.signer(),
            p.request_token_method(),
            p.request_token_url(),
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
            profile: self.profile,
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
    profile: Profile,
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
        crate::url::with_query(self.profile.authorize_url(), &query)
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

    /// The provider's profile.
    #[must_use]
    pub fn profile(&self) -> &Profile {
        &self.profile
    }

    /// When the request token expires (seconds since the Unix epoch).
    #[must_use]
    pub fn expires_at(&self) -> u64 {
        self.issued_at
            .saturating_add(self.profile.request_token_lifetime())
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

    /// Takes the user's answer, at `now`: [`callback`](Self::callback) or
    /// [`verifier`](Self::verifier).
    ///
    /// # Errors
    /// As those two.
    pub fn approve(self, approval: Approval<'_>, now: u64) -> Result<AccessToken, Error> {
        match approval {
            Approval::Callback(url) => self.callback(url, now),
            Approval::Verifier(code) => self.verifier(code, now),
        }
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
        if !crate::swar::ct_eq(callback.token().as_bytes(), pending) {
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
    /// [`FlowError::RequestTokenExpired`] past the token's lifetime;
    /// [`ParseError::EmptyParameter`] for an empty verifier.
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
            profile: self.profile,
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
    profile: Profile,
    client: ClientCredentials,
    temporary: TokenCredentials,
    verifier: Secret,
    issued_at: u64,
}

impl AccessToken {
    /// When the request token expires (seconds since the Unix epoch): the token-credentials
    /// request must be signed before then.
    #[must_use]
    pub fn expires_at(&self) -> u64 {
        self.issued_at
            .saturating_add(self.profile.request_token_lifetime())
    }

    fn signer(&self) -> Signer<'_> {
        self.profile
            .signer(&self.client)
            .token(&self.temporary)
            .verifier(&self.verifier)
    }

    /// The token-credentials request (`POST`), signed with the temporary credentials and the
    /// verifier.
    ///
    /// # Errors
    /// [`FlowError::RequestTokenExpired`] when `timestamp` is past the request token's lifetime;
    /// otherwise as [`RequestToken::request`].
    pub fn request(&self, timestamp: u64, nonce: &str) -> Result<OutgoingRequest, Error> {
        if timestamp >= self.expires_at() {
            return Err(Error::Flow(FlowError::RequestTokenExpired));
        }
        let p = &self.profile;
        describe(
            p,
            self.signer(),
            "POST",
            p.access_token_url(),
            timestamp,
            nonce,
        )
    }

    /// The exchange that sends the token-credentials request; it refuses to sign past
    /// [`expires_at`](Self::expires_at). Hand its answer to [`receive`](Self::receive).
    ///
    /// # Errors
    /// As [`request`](Self::request).
    #[cfg(feature = "http")]
    pub fn exchange(&self) -> Result<Exchange, Error> {
        let p = &self.profile;
        Ok(exchange(p, self.signer(), "POST", p.access_token_url())?.deadline(self.expires_at()))
    }

    /// Takes the provider's answer, received at `now`: the access credentials.
    ///
    /// # Errors
    /// [`Error::Provider`] for a non-2xx answer and the [`TokenResponse::parse`] errors.
    pub fn receive(self, response: &Response<'_>, now: u64) -> Result<Session, Error> {
        Session::from_answer(self.profile, self.client, response, now)
    }
}

/// Last state: access credentials, ready for API requests.
///
/// `Debug` redacts the consumer secret, the token secret and the session handle.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Session {
    profile: Profile,
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
        profile: Profile,
        client: ClientCredentials,
        token: TokenCredentials,
    ) -> Self {
        Self {
            profile,
            client,
            token,
            obtained_at: 0,
            expires_in: None,
            authorization_expires_in: None,
            session_handle: None,
        }
    }

    fn from_answer(
        profile: Profile,
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
            profile,
            client,
            token: answer.into_credentials(),
            obtained_at: now,
            expires_in,
            authorization_expires_in,
            session_handle,
        })
    }

    /// The provider's profile.
    #[must_use]
    pub fn profile(&self) -> &Profile {
        &self.profile
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

    fn unprepared(&self) -> Signer<'_> {
        self.profile.signer(&self.client).token(&self.token)
    }

    /// A prepared signer for API requests with these credentials.
    ///
    /// # Errors
    /// [`Misuse::InvalidRealm`] for a realm with control characters.
    pub fn signer(&self) -> Result<PreparedSigner, Error> {
        self.unprepared().prepare()
    }

    /// These credentials with the provider's rules, for signing API requests.
    ///
    /// # Errors
    /// As [`signer`](Self::signer).
    pub fn authenticator(&self) -> Result<Authenticator, Error> {
        Ok(self.profile.authenticator(Auth::OAuth(self.signer()?)))
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
        describe(
            &self.profile,
            self.unprepared(),
            method,
            url,
            timestamp,
            nonce,
        )
    }

    fn identity_url(&self) -> Result<&str, Error> {
        self.profile
            .identity_url()
            .ok_or(Error::Misuse(Misuse::NoIdentityUrl))
    }

    /// The signed `GET` of the identity resource.
    ///
    /// # Errors
    /// [`Misuse::NoIdentityUrl`] when the profile has no identity URL; otherwise as
    /// [`request`](Self::request).
    pub fn identity_request(&self, timestamp: u64, nonce: &str) -> Result<OutgoingRequest, Error> {
        self.request("GET", self.identity_url()?, timestamp, nonce)
    }

    /// The exchange that fetches the identity resource.
    ///
    /// # Errors
    /// As [`identity_request`](Self::identity_request).
    #[cfg(feature = "http")]
    pub fn identity_exchange(&self) -> Result<Exchange, Error> {
        exchange(
            &self.profile,
            self.unprepared(),
            "GET",
            self.identity_url()?,
        )
    }

    /// The exchange that sends an API request (of any method, with any body) signed with these
    /// credentials.
    ///
    /// # Errors
    /// As [`signer`](Self::signer).
    #[cfg(feature = "http")]
    pub fn exchange(&self, request: http::Request<alloc::vec::Vec<u8>>) -> Result<Exchange, Error> {
        Ok(Exchange::new(request, self.authenticator()?)
            .max_redirects(self.profile.max_redirects()))
    }

    fn renewal_signer(&self) -> Result<Signer<'_>, Error> {
        let handle = self
            .session_handle
            .as_ref()
            .ok_or(Error::Flow(FlowError::NoSessionHandle))?;
        // Extension parameters go in the header's secret tail, which is cleared on drop.
        Ok(self
            .unprepared()
            .extension_param("oauth_session_handle", handle.expose_secret()))
    }

    /// The renewal request of the OAuth session extension: the access-token endpoint, signed with
    /// the (expired) access credentials, with `oauth_session_handle`. The OAuth 1.0a counterpart
    /// of refreshing an access token.
    ///
    /// # Errors
    /// [`FlowError::NoSessionHandle`] when the provider sent none; otherwise as
    /// [`request`](Self::request).
    pub fn renewal_request(&self, timestamp: u64, nonce: &str) -> Result<OutgoingRequest, Error> {
        let url = self.profile.access_token_url();
        describe(
            &self.profile,
            self.renewal_signer()?,
            "POST",
            url,
            timestamp,
            nonce,
        )
    }

    /// The exchange that sends the renewal request: hand its answer to
    /// [`receive_renewal`](Self::receive_renewal).
    ///
    /// # Errors
    /// As [`renewal_request`](Self::renewal_request).
    #[cfg(feature = "http")]
    pub fn renewal_exchange(&self) -> Result<Exchange, Error> {
        let url = self.profile.access_token_url();
        exchange(&self.profile, self.renewal_signer()?, "POST", url)
    }

    /// Takes the answer to the renewal request, received at `now`: fresh credentials. A provider
    /// that sends no new session handle keeps the old one valid.
    ///
    /// # Errors
    /// As [`AccessToken::receive`].
    pub fn receive_renewal(self, response: &Response<'_>, now: u64) -> Result<Self, Error> {
        let mut renewed = Self::from_answer(self.profile, self.client, response, now)?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_approval_says_which_it_is_and_hides_the_verifier() {
        let callback = Approval::Callback("oauth_token=t&oauth_verifier=s3cr3t");
        let pasted = Approval::Verifier("s3cr3t");
        assert_eq!(alloc::format!("{callback:?}"), "Callback([redacted])");
        assert_eq!(alloc::format!("{pasted:?}"), "Verifier([redacted])");
    }
}
