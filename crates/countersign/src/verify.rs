//! Verifying OAuth 1.0a requests, for providers (RFC 5849 sections 3.2 to 3.5).
//!
//! [`Verifier::verify`] takes one incoming request (method, URL, the `Authorization` header value
//! if any, and the form body if it is `application/x-www-form-urlencoded`), the current time, a
//! [`SecretLookup`] for the client and token secrets, and a [`NonceStore`]; it answers with the
//! authenticated request's [`Verified`] parameters, or a [`Rejection`] that says precisely why (for
//! your logs) and which HTTP status to answer with (for the client).
//!
//! ```
//! use countersign::verify::{MemoryNonceStore, Verifier, lookup_fn};
//! use countersign::{ClientCredentials, Request, Secret, Signer, TokenCredentials};
//!
//! // The client side signs a request...
//! let client = ClientCredentials::new("key", "consumer secret");
//! let token = TokenCredentials::new("token", "token secret");
//! let url = "https://api.example/photos?size=original";
//! let header = Signer::new(&client)
//!     .token(&token)
//!     .timestamp(1_700_000_000)
//!     .nonce("n0nce")
//!     .sign(&Request::get(url))?
//!     .to_authorization();
//!
//! // ...and the provider verifies it.
//! let secrets = lookup_fn(
//!     |key: &str| (key == "key").then(|| Secret::new("consumer secret")),
//!     |key: &str, token: &str| (key == "key" && token == "token").then(|| Secret::new("token secret")),
//! );
//! let verifier = Verifier::new();
//! let mut nonces = MemoryNonceStore::new(verifier.window(), 10_000);
//! let now = 1_700_000_010;
//! let verified = verifier
//!     .verify(&Request::get(url), Some(header.as_str()), now, &secrets, &mut nonces)
//!     .expect("a good request");
//! assert_eq!(verified.consumer_key(), "key");
//! assert_eq!(verified.token(), Some("token"));
//!
//! // The same request again is a replay.
//! let rejection = verifier
//!     .verify(&Request::get(url), Some(header.as_str()), now, &secrets, &mut nonces)
//!     .unwrap_err();
//! assert_eq!(rejection.status(), 401);
//! assert_eq!(rejection.to_string(), "nonce already used (consumer key \"key\", token \"token\")");
//! # Ok::<(), countersign::Error>(())
//! ```
//!
//! ## What is checked, in order
//!
//! 1. The protocol parameters are collected from the `Authorization: OAuth` header, the query
//!    and the form body. They must all come from one of those places (unless
//!    [`Verifier::allow_split_parameters`]), and each at most once (400 otherwise). A header with
//!    another scheme (`Basic`, `Discogs`) is not looked at. The query and the body together hold
//!    at most [`Verifier::max_request_params`] parameters (400).
//! 2. `oauth_consumer_key`, `oauth_signature_method` and `oauth_signature` are present;
//!    `oauth_version`, if present, is `1.0`; the signature method is one this build supports;
//!    `oauth_timestamp` is a decimal number and `oauth_nonce` has 1 to 64 characters (400
//!    otherwise).
//! 3. The timestamp is within the window (default 300 seconds behind, and as much or
//!    [`Verifier::max_ahead`] ahead) of the current time (401 otherwise).
//! 4. The client secret and, when the request carries `oauth_token`, the token secret are looked
//!    up; the signature is computed and compared with the one sent, in constant time. An unknown
//!    client or token goes through the same work with a dummy secret, so the response time does
//!    not tell which keys exist (401 on any mismatch).
//! 5. Only then is the nonce recorded: a nonce seen before with the same timestamp, client and
//!    token is a replay (401). Unauthenticated requests never reach the nonce store, so they
//!    cannot fill it.
//!
//! ## In steps, for stores that are async or shared
//!
//! [`Verifier::verify`] runs those steps with a [`SecretLookup`] and a [`NonceStore`] that
//! answer at once. When the secrets are in a database and the nonces in a store that every
//! instance of the provider shares, run the steps yourself and ask the stores in between; no
//! step holds anything while a signature is computed:
//!
//! ```
//! # use countersign::verify::{NonceCheck, NonceUse, Rejection, Verified, Verifier};
//! # use countersign::{Request, Secret};
//! # async fn client_secret(_: &str) -> Option<Secret> { None }
//! # async fn token_secret(_: &str, _: &str) -> Option<Secret> { None }
//! # async fn record(_: NonceUse<'_>) -> NonceCheck { NonceCheck::Fresh }
//! async fn verify(request: &Request<'_>, authorization: Option<&str>, now: u64)
//!     -> Result<Verified, Rejection>
//! {
//!     // 1 to 3: nothing looked up yet.
//!     let checked = Verifier::new().check(request, authorization, now)?;
//!     // 4: the secrets of the claimed client and token, then the signature.
//!     let client = client_secret(checked.consumer_key()).await;
//!     let token = match checked.token() {
//!         Some(token) => token_secret(checked.consumer_key(), token).await,
//!         None => None,
//!     };
//!     let authentic = checked.authenticate(client.as_ref(), token.as_ref())?;
//!     // Who sent it is known: a rate limit goes here, before a nonce is used up.
//!     // 5: the nonce, last.
//!     let check = match authentic.nonce() {
//!         Some(nonce) => record(nonce).await,
//!         None => NonceCheck::Fresh,
//!     };
//!     authentic.finish(check)
//! }
//! ```
//!
//! ## What to tell the client
//!
//! [`Rejection::status`] is the status RFC 5849 section 3.2 prescribes (400 for a malformed,
//! missing or duplicated parameter or an unsupported method, 401 for bad credentials, signature,
//! timestamp or nonce), and [`Rejection::public_message`] a one-line text that says no more than
//! that: an unknown client, an unknown token and a wrong signature all read "Invalid signature.",
//! so the answer does not reveal which keys exist. The precise reason ([`Rejection::reason`],
//! and the `Display` of the rejection) is for the provider's logs. Neither ever contains a
//! secret.
//!
//! ## Signature methods
//!
//! Every method of [`SignatureMethod`] this build has is verified, by the same call: the core
//! computes the expected signature ([`signature::compute`](crate::signature::compute)) and the
//! verifier compares. PLAINTEXT needs only the secrets; the HMAC methods (features `hmac-sha1`,
//! `hmac-sha256`, `hmac-sha512`) sign the request, so give [`Verifier::verify`] the absolute URL the client used
//! (scheme, host and port as the client saw them, behind a proxy too). The RSA methods (features
//! `rsa-sha1`, `rsa-sha256`) are checked with the client's public key, which the lookup gives
//! (`SecretLookup::client_rsa_key`; with the steps, `Checked::authenticate_rsa`).
//! [`Verifier::signature_methods`] narrows what is accepted.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use crate::{Request, Secret, SecretStr, SignatureMethod};

mod collect;
mod store;
#[cfg(test)]
mod tests;

pub use store::MemoryNonceStore;

/// The default timestamp window: a request's `oauth_timestamp` may be this many seconds before or
/// after the provider's clock.
pub const DEFAULT_TIMESTAMP_WINDOW: u64 = 300;

/// The default for [`Verifier::max_request_params`]: the most parameters (of every name) the
/// query and the form body may hold together.
pub const DEFAULT_MAX_REQUEST_PARAMS: usize = 1024;

/// Longest `oauth_nonce` accepted (Discogs refuses longer ones, and the nonce store keeps them).
pub const MAX_NONCE_LEN: usize = crate::nonce::MAX_NONCE_LEN;

/// The secrets used when a client or token is unknown, so that the work done (and the time it
/// takes) does not depend on whether it exists. Never accepted: a request whose key was unknown is
/// refused whatever its signature.
const DUMMY_CONSUMER_SECRET: &str = "countersign-dummy-consumer-secret-0000";
const DUMMY_TOKEN_SECRET: &str = "countersign-dummy-token-secret-00000000";

/// Where the protocol parameters of a request were found (RFC 5849 section 3.5).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Location {
    /// The `Authorization: OAuth ...` header.
    Header,
    /// The query of the request URL.
    Query,
    /// The `application/x-www-form-urlencoded` body.
    Body,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Header => "the Authorization header",
            Self::Query => "the query",
            Self::Body => "the form body",
        })
    }
}

/// Looks up the secrets of clients and tokens.
///
/// Implement it over your storage, or build one from two closures with [`lookup_fn`].
pub trait SecretLookup {
    /// The secret of the client whose key is `consumer_key`, or `None` when there is no such
    /// client: borrowed from the lookup when it keeps the secrets
    /// ([`SecretStr::from`]`(&secret)`, nothing copied), or owned (`SecretStr::from(secret)`)
    /// when it fetched them.
    fn client_secret(&self, consumer_key: &str) -> Option<SecretStr<'_>>;

    /// The secret of `token` when it exists and was issued to `consumer_key`, else `None`.
    ///
    /// Whether the token is of the right kind for the endpoint (a temporary token for the
    /// token-credentials request, an access token elsewhere) and whether it has expired are
    /// better checked after verification, on [`Verified::token`]: then the client has proven
    /// that it holds the token's secret, and telling it that the token expired reveals nothing.
    fn token_secret(&self, consumer_key: &str, token: &str) -> Option<SecretStr<'_>>;

    /// The RSA public key the client whose key is `consumer_key` registered, for requests signed
    /// with RSA-SHA1 or RSA-SHA256; `None` (the default) when it has none, and such requests
    /// are refused.
    #[cfg(feature = "_rsa")]
    fn client_rsa_key(&self, consumer_key: &str) -> Option<crate::RsaPublicKey> {
        let _ = consumer_key;
        None
    }

    /// This lookup, with `rsa_keys` giving the RSA public key of a client (for RSA-SHA1 and
    /// RSA-SHA256) in place of [`client_rsa_key`](Self::client_rsa_key).
    ///
    /// ```
    /// use countersign::verify::{SecretLookup, lookup_fn};
    /// use countersign::{RsaPrivateKey, Secret};
    ///
    /// let pem = std::fs::read_to_string("tests/data/rsa/test-2048.pem").unwrap();
    /// let public = RsaPrivateKey::from_pem(&pem)?.public_key();
    /// let secrets = lookup_fn(|_: &str| None, |_: &str, _: &str| None::<Secret>)
    ///     .with_rsa_keys(move |key: &str| (key == "jira-consumer").then(|| public.clone()));
    /// assert!(secrets.client_rsa_key("jira-consumer").is_some());
    /// assert!(secrets.client_rsa_key("someone").is_none());
    /// # Ok::<(), countersign::Error>(())
    /// ```
    #[cfg(feature = "_rsa")]
    fn with_rsa_keys<F>(self, rsa_keys: F) -> WithRsaKeys<Self, F>
    where
        Self: Sized,
        F: Fn(&str) -> Option<crate::RsaPublicKey>,
    {
        WithRsaKeys {
            lookup: self,
            rsa_keys,
        }
    }
}

/// A [`SecretLookup`] with a closure for the clients' RSA public keys; see
/// [`SecretLookup::with_rsa_keys`].
#[cfg(feature = "_rsa")]
#[derive(Clone, Copy)]
pub struct WithRsaKeys<L, F> {
    lookup: L,
    rsa_keys: F,
}

#[cfg(feature = "_rsa")]
impl<L, F> fmt::Debug for WithRsaKeys<L, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WithRsaKeys").finish_non_exhaustive()
    }
}

#[cfg(feature = "_rsa")]
impl<L, F> SecretLookup for WithRsaKeys<L, F>
where
    L: SecretLookup,
    F: Fn(&str) -> Option<crate::RsaPublicKey>,
{
    fn client_secret(&self, consumer_key: &str) -> Option<SecretStr<'_>> {
        self.lookup.client_secret(consumer_key)
    }

    fn token_secret(&self, consumer_key: &str, token: &str) -> Option<SecretStr<'_>> {
        self.lookup.token_secret(consumer_key, token)
    }

    fn client_rsa_key(&self, consumer_key: &str) -> Option<crate::RsaPublicKey> {
        (self.rsa_keys)(consumer_key)
    }
}

impl<L: SecretLookup + ?Sized> SecretLookup for &L {
    fn client_secret(&self, consumer_key: &str) -> Option<SecretStr<'_>> {
        (**self).client_secret(consumer_key)
    }

    fn token_secret(&self, consumer_key: &str, token: &str) -> Option<SecretStr<'_>> {
        (**self).token_secret(consumer_key, token)
    }

    #[cfg(feature = "_rsa")]
    fn client_rsa_key(&self, consumer_key: &str) -> Option<crate::RsaPublicKey> {
        (**self).client_rsa_key(consumer_key)
    }
}

/// A [`SecretLookup`] made of two closures; see [`lookup_fn`].
#[derive(Clone, Copy)]
pub struct FnLookup<C, T> {
    client: C,
    token: T,
}

impl<C, T> fmt::Debug for FnLookup<C, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FnLookup").finish_non_exhaustive()
    }
}

/// A [`SecretLookup`] from two closures: `client(consumer_key)` and
/// `token(consumer_key, token)`.
///
/// ```
/// use countersign::Secret;
/// use countersign::verify::{SecretLookup, lookup_fn};
///
/// let secrets = lookup_fn(
///     |key| (key == "key").then(|| Secret::new("secret")),
///     |_key, _token| None,
/// );
/// assert!(secrets.client_secret("key").is_some());
/// assert!(secrets.token_secret("key", "token").is_none());
/// ```
pub fn lookup_fn<C, T>(client: C, token: T) -> FnLookup<C, T>
where
    C: Fn(&str) -> Option<Secret>,
    T: Fn(&str, &str) -> Option<Secret>,
{
    FnLookup { client, token }
}

impl<C, T> SecretLookup for FnLookup<C, T>
where
    C: Fn(&str) -> Option<Secret>,
    T: Fn(&str, &str) -> Option<Secret>,
{
    fn client_secret(&self, consumer_key: &str) -> Option<SecretStr<'_>> {
        (self.client)(consumer_key).map(SecretStr::from)
    }

    fn token_secret(&self, consumer_key: &str, token: &str) -> Option<SecretStr<'_>> {
        (self.token)(consumer_key, token).map(SecretStr::from)
    }
}

/// One use of a nonce: what RFC 5849 section 3.3 says must be unique.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NonceUse<'a> {
    /// `oauth_consumer_key`.
    pub consumer_key: &'a str,
    /// `oauth_token`, if the request carried one.
    pub token: Option<&'a str>,
    /// `oauth_timestamp`.
    pub timestamp: u64,
    /// `oauth_nonce`.
    pub nonce: &'a str,
}

/// What a [`NonceStore`] says about a nonce.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
#[must_use]
pub enum NonceCheck {
    /// Not seen before; now recorded.
    Fresh,
    /// Seen before with the same timestamp, client and token: a replay.
    Replayed,
    /// The store is full of nonces that are still inside the window, and cannot record this one
    /// without forgetting one of them (which would let that one be replayed).
    Full,
    /// This client or token holds as many nonces as the store allows one to hold (so that one
    /// client cannot fill the store and lock the others out): it is sending faster than the
    /// store lets it.
    OverQuota,
    /// The store could not be asked (a shared store that is unreachable, or too slow): the
    /// request cannot be checked for replay and must be refused.
    Unavailable,
}

/// Remembers the nonces of authenticated requests, to detect replays.
///
/// A nonce only needs remembering while its timestamp is inside the window: after that, the
/// timestamp check refuses the request anyway.
pub trait NonceStore {
    /// Records `nonce` unless it was seen before. `now` is the current time, in seconds since the
    /// Unix epoch, for forgetting what has left the window.
    fn check_and_insert(&mut self, nonce: NonceUse<'_>, now: u64) -> NonceCheck;
}

impl<N: NonceStore + ?Sized> NonceStore for &mut N {
    fn check_and_insert(&mut self, nonce: NonceUse<'_>, now: u64) -> NonceCheck {
        (**self).check_and_insert(nonce, now)
    }
}

/// Checks incoming requests. Cheap to copy; holds only settings.
///
/// See the [module documentation](self) for what is checked and in which order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[must_use]
pub struct Verifier {
    window: u64,
    max_ahead: u64,
    require_timestamp: bool,
    split: bool,
    max_request_params: usize,
    /// The accepted methods: bit `i` for `SignatureMethod::ALL[i]`.
    accepted: u8,
}

/// The bit of `method` in [`Verifier`]'s accepted set.
fn method_bit(method: SignatureMethod) -> u8 {
    let index = SignatureMethod::ALL
        .iter()
        .position(|m| *m == method)
        .unwrap_or(0);
    1 << index
}

impl Default for Verifier {
    fn default() -> Self {
        Self::new()
    }
}

impl Verifier {
    /// A strict verifier: a window of [`DEFAULT_TIMESTAMP_WINDOW`] seconds either way, a
    /// timestamp and a nonce on every request, every protocol parameter in one place, and at
    /// most [`DEFAULT_MAX_REQUEST_PARAMS`] parameters in the query and body.
    pub const fn new() -> Self {
        Self {
            window: DEFAULT_TIMESTAMP_WINDOW,
            max_ahead: DEFAULT_TIMESTAMP_WINDOW,
            require_timestamp: true,
            split: false,
            max_request_params: DEFAULT_MAX_REQUEST_PARAMS,
            accepted: u8::MAX,
        }
    }

    /// Accepts only these signature methods (default: every method of this build); a request
    /// signed with another is refused with [`Reason::SignatureMethodNotAccepted`], whose
    /// message names the accepted ones. NetSuite, for one, takes HMAC-SHA256 only.
    ///
    /// ```
    /// use countersign::SignatureMethod;
    /// use countersign::verify::{Reason, Verifier};
    /// use countersign::{ClientCredentials, Request, Signer};
    ///
    /// let verifier = Verifier::new().signature_methods(&[]);
    /// let client = ClientCredentials::new("key", "secret");
    /// let request = Request::get("https://api.example/");
    /// let header = Signer::new(&client).timestamp(1_700_000_000).nonce("n").sign(&request)?.to_authorization();
    /// let refused = verifier.check(&request, Some(header.as_str()), 1_700_000_000).unwrap_err();
    /// assert_eq!(
    ///     refused.reason(),
    ///     &Reason::SignatureMethodNotAccepted { method: SignatureMethod::Plaintext, accepted: vec![] }
    /// );
    /// # Ok::<(), countersign::Error>(())
    /// ```
    pub fn signature_methods(mut self, methods: &[SignatureMethod]) -> Self {
        self.accepted = methods.iter().fold(0, |bits, m| bits | method_bit(*m));
        self
    }

    /// The signature methods accepted, in the order of [`SignatureMethod::ALL`].
    #[must_use]
    pub fn accepted_signature_methods(&self) -> Vec<SignatureMethod> {
        SignatureMethod::ALL
            .iter()
            .copied()
            .filter(|m| self.accepted & method_bit(*m) != 0)
            .collect()
    }

    /// How many seconds a timestamp may be before or after the current time (the limit ahead
    /// follows, unless [`max_ahead`](Self::max_ahead) sets a smaller one). Give the
    /// [`MemoryNonceStore`] at least the same window.
    pub const fn timestamp_window(mut self, seconds: u64) -> Self {
        self.window = seconds;
        self.max_ahead = seconds;
        self
    }

    /// How many seconds a timestamp may be *ahead* of the current time (default: the window;
    /// at most the window). A nonce is remembered until its timestamp leaves the window, so a
    /// timestamp far ahead keeps its nonce in the store longer: a provider under load may want
    /// a tighter limit ahead (a minute) than behind.
    pub const fn max_ahead(mut self, seconds: u64) -> Self {
        self.max_ahead = if seconds < self.window {
            seconds
        } else {
            self.window
        };
        self
    }

    /// The timestamp window, in seconds.
    #[must_use]
    pub const fn window(&self) -> u64 {
        self.window
    }

    /// How long a nonce store must remember a nonce after the current time for every request
    /// this verifier accepts to be checked for replay: the window plus the limit ahead.
    #[must_use]
    pub const fn nonce_lifetime(&self) -> u64 {
        self.window.saturating_add(self.max_ahead)
    }

    /// Accepts protocol parameters split between the `Authorization` header and the form body
    /// or the query, as long as no name repeats (default: refused with
    /// [`Reason::MixedLocations`], as RFC 5849 section 3.5 wants them in one place).
    ///
    /// The official Discogs Python client sends `oauth_callback` in the form body and the other
    /// `oauth_*` parameters in the header, and Discogs accepts it. Each parameter is signed
    /// where it travels: those of the header as protocol parameters, the others as the
    /// request's own.
    pub const fn allow_split_parameters(mut self, allow: bool) -> Self {
        self.split = allow;
        self
    }

    /// The most parameters (of every name, `oauth_*` or not) the query and the form body may
    /// hold together (default [`DEFAULT_MAX_REQUEST_PARAMS`]); more is refused with
    /// [`Reason::TooManyRequestParameters`] before any secret is looked up or signature
    /// computed, so that a huge request costs little to refuse.
    pub const fn max_request_params(mut self, limit: usize) -> Self {
        self.max_request_params = limit;
        self
    }

    /// Accepts PLAINTEXT requests that carry neither `oauth_timestamp` nor `oauth_nonce`, which
    /// RFC 5849 section 3.3 allows (default: refused with a missing parameter).
    ///
    /// # Security
    /// Such requests cannot be checked for replay: anyone who captures one can send it again.
    pub const fn allow_plaintext_without_timestamp(mut self, allow: bool) -> Self {
        self.require_timestamp = !allow;
        self
    }

    /// Verifies one request, all steps at once: [`check`](Self::check), the lookups, then
    /// [`Checked::authenticate`] and [`Authentic::record`].
    ///
    /// `request` is the method, the URL and, when the body is
    /// `application/x-www-form-urlencoded`, the body. The URL must be the absolute URL the client
    /// signed for the methods that sign the request (HMAC); PLAINTEXT reads only its query, so a
    /// path with a query does there.
    ///
    /// `authorization` is the `Authorization` header value, if any. `now` is the current time in
    /// seconds since the Unix epoch.
    ///
    /// # Errors
    /// A [`Rejection`] with the precise [`Reason`], the HTTP status to answer with and a
    /// message fit for the client.
    pub fn verify<L, N>(
        &self,
        request: &Request<'_>,
        authorization: Option<&str>,
        now: u64,
        secrets: &L,
        nonces: &mut N,
    ) -> Result<Verified, Rejection>
    where
        L: SecretLookup + ?Sized,
        N: NonceStore + ?Sized,
    {
        let checked = self.check(request, authorization, now)?;
        // Both lookups run whether or not the client exists, so the time taken does not tell.
        let token_secret = checked
            .token()
            .and_then(|token| secrets.token_secret(checked.consumer_key(), token));
        #[cfg(feature = "_rsa")]
        if checked.signature_method().uses_rsa() {
            let public_key = secrets.client_rsa_key(checked.consumer_key());
            return checked
                .authenticate_with(
                    ClientKey::Rsa(public_key.as_ref()),
                    public_key.is_some(),
                    token_secret.as_ref().map(SecretStr::expose_secret),
                )?
                .record(nonces, now);
        }
        let client_secret = secrets.client_secret(checked.consumer_key());
        checked
            .authenticate_with(
                ClientKey::Secret(
                    client_secret
                        .as_ref()
                        .map_or(DUMMY_CONSUMER_SECRET, SecretStr::expose_secret),
                ),
                client_secret.is_some(),
                token_secret.as_ref().map(SecretStr::expose_secret),
            )?
            .record(nonces, now)
    }

    /// The first step: parse the request and make every check that needs nothing but the request
    /// and the clock (steps 1 to 3 of the [module documentation](self)). What is left needs the
    /// secrets ([`Checked::consumer_key`], [`Checked::token`]) and then a nonce store.
    ///
    /// Nothing here looks anything up or computes a signature: a provider can run it before it
    /// touches a database, and refuse cheaply.
    ///
    /// # Errors
    /// A malformed request, a missing parameter, an unsupported method or version, a bad nonce,
    /// a timestamp outside the window.
    pub fn check<'a>(
        &self,
        request: &'a Request<'a>,
        authorization: Option<&'a str>,
        now: u64,
    ) -> Result<Checked<'a>, Rejection> {
        let policy = collect::Policy {
            split: self.split,
            max_request_params: self.max_request_params,
        };
        let params = collect::collect(authorization, request, policy).map_err(Rejection::new)?;
        let MethodAndTime { method, timestamp } = self.check_params(&params, now)?;
        if params.body_hash().is_some() && request.form_body().is_some() {
            return Err(Rejection::new(Reason::BodyHashOnFormBody).with_ids(&params));
        }
        Ok(Checked {
            request,
            params,
            method,
            timestamp,
        })
    }

    /// Step 2 and 3: the parameters are all there and well formed, and the timestamp is in the
    /// window.
    fn check_params(
        &self,
        params: &collect::Params<'_>,
        now: u64,
    ) -> Result<MethodAndTime, Rejection> {
        if params.consumer_key.is_none() {
            return Err(Rejection::new(Reason::MissingParameter {
                name: "oauth_consumer_key",
            }));
        }
        let with_key = |reason: Reason| Rejection::new(reason).with_ids(params);
        let method_name = params.signature_method.as_deref().ok_or_else(|| {
            with_key(Reason::MissingParameter {
                name: "oauth_signature_method",
            })
        })?;
        if params.signature.is_none() {
            return Err(with_key(Reason::MissingParameter {
                name: "oauth_signature",
            }));
        }
        if params.version.as_deref().is_some_and(|v| v != "1.0") {
            return Err(with_key(Reason::UnsupportedVersion));
        }
        let method: SignatureMethod = method_name.parse().map_err(|_| {
            with_key(Reason::UnsupportedSignatureMethod {
                name: crate::error::excerpt(method_name),
            })
        })?;
        if self.accepted & method_bit(method) == 0 {
            return Err(with_key(Reason::SignatureMethodNotAccepted {
                method,
                accepted: self.accepted_signature_methods(),
            }));
        }
        let timestamp = match (&params.timestamp, &params.nonce) {
            (None, None) if !self.require_timestamp && method == SignatureMethod::Plaintext => None,
            (None, _) => {
                return Err(with_key(Reason::MissingParameter {
                    name: "oauth_timestamp",
                }));
            }
            (Some(_), None) => {
                return Err(with_key(Reason::MissingParameter {
                    name: "oauth_nonce",
                }));
            }
            (Some(timestamp), Some(nonce)) => {
                let timestamp =
                    parse_timestamp(timestamp).ok_or_else(|| with_key(Reason::InvalidTimestamp))?;
                if nonce.is_empty() || nonce.len() > MAX_NONCE_LEN {
                    return Err(with_key(Reason::InvalidNonce));
                }
                let (ahead, behind) =
                    (timestamp.saturating_sub(now), now.saturating_sub(timestamp));
                if ahead > self.max_ahead || behind > self.window {
                    return Err(with_key(Reason::StaleTimestamp { timestamp, now }));
                }
                Some(timestamp)
            }
        };
        Ok(MethodAndTime { method, timestamp })
    }
}

/// A request that passed [`Verifier::check`]: well formed, in the window. Next, look up the
/// secrets of [`consumer_key`](Self::consumer_key) and [`token`](Self::token), and give them
/// to [`authenticate`](Self::authenticate).
///
/// It borrows the request and the header it was checked from.
#[must_use = "a checked request is not yet authenticated: call authenticate"]
pub struct Checked<'a> {
    request: &'a Request<'a>,
    params: collect::Params<'a>,
    method: SignatureMethod,
    timestamp: Option<u64>,
}

impl fmt::Debug for Checked<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Checked")
            .field("consumer_key", &self.consumer_key())
            .field("token", &self.token())
            .field("signature_method", &self.method)
            .field("timestamp", &self.timestamp)
            .finish_non_exhaustive()
    }
}

impl Checked<'_> {
    /// `oauth_consumer_key`: look up this client's secret.
    #[must_use]
    pub fn consumer_key(&self) -> &str {
        self.params.consumer_key.as_deref().unwrap_or_default()
    }

    /// `oauth_token`, unless absent or empty: look up its secret, for
    /// [`consumer_key`](Self::consumer_key) only (a token issued to another client is unknown
    /// here).
    #[must_use]
    pub fn token(&self) -> Option<&str> {
        self.params.token.as_deref().filter(|t| !t.is_empty())
    }

    /// The signature method the request claims.
    #[must_use]
    pub fn signature_method(&self) -> SignatureMethod {
        self.method
    }

    /// The refusal for when the secrets could not be looked up (a database that is down):
    /// [`Reason::StoreUnavailable`], 503.
    pub fn store_unavailable(&self) -> Rejection {
        Rejection::new(Reason::StoreUnavailable).with_ids(&self.params)
    }

    /// The second step: the signature, given the secrets found (`None` for a client or token
    /// that does not exist; `token_secret` is not looked at when the request has no token).
    ///
    /// An unknown client or token goes through the same work with a dummy secret, and the
    /// signature is compared in constant time.
    ///
    /// # Errors
    /// [`Reason::UnknownClient`], [`Reason::UnknownToken`], [`Reason::InvalidSignature`], or
    /// [`Reason::MalformedRequest`] when the request cannot be signed again.
    pub fn authenticate(
        self,
        client_secret: Option<&Secret>,
        token_secret: Option<&Secret>,
    ) -> Result<Authentic, Rejection> {
        let client_known = client_secret.is_some();
        self.authenticate_with(
            ClientKey::Secret(client_secret.map_or(DUMMY_CONSUMER_SECRET, Secret::expose_secret)),
            client_known,
            token_secret.map(Secret::expose_secret),
        )
    }

    /// The second step for a request signed with RSA-SHA1 or RSA-SHA256: the signature, given
    /// the client's RSA public key (`None` for a client that does not exist or registered no
    /// key) and the token's secret (`None` for a token that does not exist; not looked at when
    /// the request has no token). RSA signatures do not use the token secret, but the token
    /// must still be one issued to this client.
    ///
    /// # Errors
    /// As [`authenticate`](Self::authenticate); a request signed with another method is
    /// [`Reason::InvalidSignature`].
    #[cfg(feature = "_rsa")]
    pub fn authenticate_rsa(
        self,
        public_key: Option<&crate::RsaPublicKey>,
        token_secret: Option<&Secret>,
    ) -> Result<Authentic, Rejection> {
        let client_known = public_key.is_some();
        self.authenticate_with(
            ClientKey::Rsa(public_key),
            client_known,
            token_secret.map(Secret::expose_secret),
        )
    }

    /// [`authenticate`](Self::authenticate) with the secrets as they were found.
    fn authenticate_with(
        self,
        client: ClientKey<'_>,
        client_known: bool,
        token_secret: Option<&str>,
    ) -> Result<Authentic, Rejection> {
        let params = &self.params;
        let reject = |reason: Reason| Rejection::new(reason).with_ids(params);
        let token = self.token();
        let token_known = token.is_none() || token_secret.is_some();
        let token_secret = token.map(|_| token_secret.unwrap_or(DUMMY_TOKEN_SECRET));
        // `check` refused a request without one; an empty one matches no signature.
        let no_signature = collect::SentSignature::Escaped("");
        let sent = params.signature.as_ref().unwrap_or(&no_signature);
        let signature_ok = signature_matches(
            self.method,
            client,
            token_secret,
            self.request,
            params,
            sent,
        )
        .map_err(|error| reject(Reason::MalformedRequest(error)))?;
        if !client_known {
            return Err(reject(Reason::UnknownClient));
        }
        if !token_known {
            return Err(reject(Reason::UnknownToken));
        }
        if !signature_ok {
            return Err(reject(Reason::InvalidSignature));
        }
        // The body hash is signed: checked once the signature is known good. PLAINTEXT signs
        // nothing, so a body hash beside it proves nothing and is not looked at.
        if let Some(sent) = params.body_hash()
            && self.method.signs_request()
        {
            let body = self.request.body().unwrap_or_default();
            let matches = crate::signature::BodyHash::new(self.method, body)
                .is_ok_and(|expected| expected.matches(sent));
            if !matches {
                return Err(reject(Reason::BodyHashMismatch));
            }
        }
        let (text, [consumer_key, token, nonce, callback, realm]) = pack([
            Some(self.consumer_key()),
            token,
            params.nonce.as_deref(),
            params.callback.as_deref(),
            params.realm.as_deref(),
        ]);
        let verified = Verified {
            text,
            // Packed from `Some`: always there.
            consumer_key: consumer_key.unwrap_or_default(),
            token,
            nonce,
            callback,
            realm,
            signature_method: self.method,
            timestamp: self.timestamp,
            verifier: params
                .verifier
                .as_ref()
                .map(|v| Secret::from(v.expose_secret())),
            location: params.location,
            extensions: params
                .extensions
                .iter()
                .map(|(name, value, _)| {
                    (String::from(&**name), Secret::from(value.expose_secret()))
                })
                .collect(),
        };
        Ok(Authentic { verified })
    }
}

/// A request whose signature is right. The last step: record its [`nonce`](Self::nonce) and
/// hand what the store said to [`finish`](Self::finish) (or let [`record`](Self::record) do
/// both with a [`NonceStore`]).
///
/// Between the two, [`verified`](Self::verified) says who sent it: the place for checks that
/// should not use up a nonce, such as a rate limit.
#[derive(Clone, Debug)]
#[must_use = "an authentic request may still be a replay: record its nonce"]
pub struct Authentic {
    verified: Verified,
}

impl Authentic {
    /// Who sent the request, and what it carried.
    #[must_use]
    pub fn verified(&self) -> &Verified {
        &self.verified
    }

    /// The nonce to record, or `None` for a PLAINTEXT request without timestamp and nonce
    /// (when [`Verifier::allow_plaintext_without_timestamp`] allowed it).
    #[must_use]
    pub fn nonce(&self) -> Option<NonceUse<'_>> {
        let v = &self.verified;
        Some(NonceUse {
            consumer_key: v.consumer_key(),
            token: v.token(),
            timestamp: v.timestamp?,
            nonce: v.nonce()?,
        })
    }

    /// The verdict, from what the nonce store said of [`nonce`](Self::nonce) (give
    /// [`NonceCheck::Fresh`] when there was none to record).
    ///
    /// # Errors
    /// [`Reason::ReplayedNonce`], [`Reason::NonceStoreFull`], [`Reason::NonceQuotaExceeded`],
    /// [`Reason::StoreUnavailable`].
    pub fn finish(self, check: NonceCheck) -> Result<Verified, Rejection> {
        let reason = match check {
            NonceCheck::Fresh => return Ok(self.verified),
            NonceCheck::Replayed => Reason::ReplayedNonce,
            NonceCheck::Full => Reason::NonceStoreFull,
            NonceCheck::OverQuota => Reason::NonceQuotaExceeded,
            NonceCheck::Unavailable => Reason::StoreUnavailable,
        };
        Err(Rejection {
            reason,
            consumer_key: Some(crate::error::excerpt(self.verified.consumer_key())),
            token: self.verified.token().map(crate::error::excerpt),
        })
    }

    /// Records the nonce in `nonces` at `now`, then [`finish`](Self::finish)es.
    ///
    /// # Errors
    /// As [`finish`](Self::finish).
    pub fn record<N: NonceStore + ?Sized>(
        self,
        nonces: &mut N,
        now: u64,
    ) -> Result<Verified, Rejection> {
        let check = self
            .nonce()
            .map_or(NonceCheck::Fresh, |used| nonces.check_and_insert(used, now));
        self.finish(check)
    }
}

/// What [`Verifier::check_params`] established.
#[derive(Clone, Copy)]
struct MethodAndTime {
    method: SignatureMethod,
    timestamp: Option<u64>,
}

/// Decimal digits only: no sign, no spaces, no overflow.
fn parse_timestamp(text: &str) -> Option<u64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// Whether `sent` (as the request carried it, decoded as it is compared) is the signature of the
/// request with these secrets, compared in constant time. The core computes the expected signature
/// ([`signature::compute`](crate::signature::compute)), so every method it supports is verified
/// here.
fn signature_matches(
    method: SignatureMethod,
    client: ClientKey<'_>,
    token_secret: Option<&str>,
    request: &Request<'_>,
    params: &collect::Params<'_>,
    sent: &collect::SentSignature<'_>,
) -> Result<bool, crate::Error> {
    let consumer_secret = match client {
        ClientKey::Secret(secret) if !method.uses_rsa() => secret,
        #[cfg(feature = "_rsa")]
        ClientKey::Rsa(Some(public_key)) if method.uses_rsa() => {
            return with_request_as_signed(request, params, |request, protocol| {
                let base = crate::base_string::base_string(request, protocol)?;
                Ok(crate::signature::verify_rsa(
                    method,
                    public_key,
                    base.as_bytes(),
                    &sent.decoded(),
                ))
            });
        }
        // A key of the other kind (or none) cannot have made this signature.
        _ => return Ok(false),
    };
    let key = crate::signature::SigningKey::from_secrets(consumer_secret, token_secret);
    if method == SignatureMethod::Plaintext {
        // The secrets alone: the request is not signed. Built on the stack, compared in
        // constant time.
        return Ok(key.with_joined(|expected| sent.is(expected)));
    }
    with_request_as_signed(request, params, |request, protocol| {
        let expected = crate::signature::compute_with(method, key, request, protocol)?;
        Ok(sent.is(expected.expose_secret().as_bytes()))
    })
}

/// Calls `f` with the request as the client signed it and the protocol parameters of the base
/// string. When some protocol parameters are among the request's own (query or form), that is
/// the request as sent less `oauth_signature`, with those of the header (if split) as protocol
/// parameters.
fn with_request_as_signed<T>(
    request: &Request<'_>,
    params: &collect::Params<'_>,
    f: impl FnOnce(&Request<'_>, &[(&str, &str)]) -> Result<T, crate::Error>,
) -> Result<T, crate::Error> {
    let protocol = params.header_protocol_params();
    if params.all_in_header() {
        return f(request, &protocol);
    }
    let (url, body) = params.without_signature(request);
    let mut unsigned = Request::new(request.method(), &url);
    if let Some(body) = &body {
        unsigned = unsigned.with_form_body(body.as_bytes());
    }
    f(&unsigned, &protocol)
}

/// What a client is known by: the shared secret (PLAINTEXT, HMAC) or its RSA public key.
#[derive(Clone, Copy)]
enum ClientKey<'a> {
    Secret(&'a str),
    #[cfg(feature = "_rsa")]
    Rsa(Option<&'a crate::RsaPublicKey>),
}

/// An authenticated request's protocol parameters.
///
/// `Debug` shows the consumer key, the token and the public parameters; it redacts the verifier
/// and the values of extension parameters (such as `oauth_session_handle`, which is a
/// credential).
#[derive(Clone)]
pub struct Verified {
    /// The public values one after the other (consumer key, token, nonce, callback, realm), in
    /// one allocation.
    text: String,
    consumer_key: Span,
    token: Option<Span>,
    nonce: Option<Span>,
    callback: Option<Span>,
    realm: Option<Span>,
    signature_method: SignatureMethod,
    timestamp: Option<u64>,
    verifier: Option<Secret>,
    location: Location,
    extensions: Vec<(String, Secret)>,
}

/// Where a value is in [`Verified::text`].
#[derive(Clone, Copy, Default)]
struct Span {
    start: usize,
    end: usize,
}

/// `values` one after the other in one `String` of their total length, and where each is.
fn pack<const N: usize>(values: [Option<&str>; N]) -> (String, [Option<Span>; N]) {
    let mut text = String::with_capacity(values.iter().flatten().map(|v| v.len()).sum());
    // A plain loop: `array::map` goes through `try_map`, which the compiler inlines or not
    // depending on unrelated code (about 130 instructions of verify's 8,900 either way).
    let mut spans = [None; N];
    for (span, value) in spans.iter_mut().zip(values) {
        if let Some(value) = value {
            let start = text.len();
            text.push_str(value);
            *span = Some(Span {
                start,
                end: text.len(),
            });
        }
    }
    (text, spans)
}

impl Verified {
    fn get(&self, span: Span) -> &str {
        self.text.get(span.start..span.end).unwrap_or_default()
    }

    /// `oauth_consumer_key`: the authenticated client.
    #[must_use]
    pub fn consumer_key(&self) -> &str {
        self.get(self.consumer_key)
    }

    /// `oauth_token`: the token whose secret signed the request (an empty `oauth_token` counts as
    /// none).
    #[must_use]
    pub fn token(&self) -> Option<&str> {
        self.token.map(|span| self.get(span))
    }

    /// The signature method the request was signed with.
    #[must_use]
    pub fn signature_method(&self) -> SignatureMethod {
        self.signature_method
    }

    /// `oauth_timestamp` (absent only when [`Verifier::allow_plaintext_without_timestamp`]
    /// allowed it).
    #[must_use]
    pub fn timestamp(&self) -> Option<u64> {
        self.timestamp
    }

    /// `oauth_nonce`.
    #[must_use]
    pub fn nonce(&self) -> Option<&str> {
        self.nonce.map(|span| self.get(span))
    }

    /// `oauth_callback`, as sent (a temporary-credentials request carries it). Not checked here:
    /// the provider decides which callbacks it accepts.
    #[must_use]
    pub fn callback(&self) -> Option<&str> {
        self.callback.map(|span| self.get(span))
    }

    /// `oauth_verifier` (a token-credentials request carries it). Compare it with the one you
    /// issued in constant time ([`Secret::ct_eq`] or `==`).
    #[must_use]
    pub fn verifier(&self) -> Option<&Secret> {
        self.verifier.as_ref()
    }

    /// The `realm` of the `Authorization` header, unquoted.
    #[must_use]
    pub fn realm(&self) -> Option<&str> {
        self.realm.map(|span| self.get(span))
    }

    /// Where the protocol parameters were found.
    #[must_use]
    pub fn location(&self) -> Location {
        self.location
    }

    /// The value of another `oauth_*` parameter, such as `oauth_session_handle` (the session
    /// extension) or `oauth_body_hash`.
    ///
    /// # Security
    /// Some extension parameters are credentials: compare them in constant time and do not log
    /// them.
    #[must_use]
    pub fn extension(&self, name: &str) -> Option<&Secret> {
        self.extensions
            .iter()
            .find_map(|(n, v)| (n == name).then_some(v))
    }

    /// The names of the other `oauth_*` parameters, in the order sent.
    pub fn extension_names(&self) -> impl Iterator<Item = &str> {
        self.extensions.iter().map(|(n, _)| n.as_str())
    }
}

impl fmt::Debug for Verified {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verified")
            .field("consumer_key", &self.consumer_key())
            .field("token", &self.token())
            .field("signature_method", &self.signature_method)
            .field("timestamp", &self.timestamp)
            .field("nonce", &self.nonce())
            .field("callback", &self.callback())
            .field("verifier", &self.verifier)
            .field("realm", &self.realm())
            .field("location", &self.location)
            .field(
                "extensions",
                &self.extensions.iter().map(|(n, _)| n).collect::<Vec<_>>(),
            )
            .finish()
    }
}

/// Why a request was refused: the precise reason, for the provider's logs.
///
/// Messages name parameters, never their values (the names and values that came from the
/// request are escaped and cut short).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Reason {
    /// The request carries no OAuth protocol parameter at all. (401)
    NoCredentials,
    /// The `Authorization: OAuth` header does not parse. (400)
    MalformedHeader(crate::Error),
    /// The form body is not UTF-8. (400)
    MalformedBody,
    /// An `oauth_*` parameter of the query or the form body has a broken percent-encoding. (400)
    MalformedParameter {
        /// The parameter's name (or the start of it).
        name: String,
        /// Where it was.
        location: Location,
    },
    /// More `oauth_*` parameters than any request needs. (400)
    TooManyParameters,
    /// More parameters in the query and the form body than the verifier's
    /// [`max_request_params`](Verifier::max_request_params). (400)
    TooManyRequestParameters {
        /// The limit.
        limit: usize,
    },
    /// The same protocol parameter appears twice. (400)
    DuplicateParameter {
        /// Its name.
        name: String,
        /// Where it appeared first.
        first: Location,
        /// Where it appeared again.
        second: Location,
    },
    /// The protocol parameters are spread over several places, where RFC 5849 section 3.5 wants
    /// them all in one. (400)
    MixedLocations {
        /// One place.
        first: Location,
        /// Another.
        second: Location,
    },
    /// A required protocol parameter is absent. (400)
    MissingParameter {
        /// Its name.
        name: &'static str,
    },
    /// `oauth_version` is present and not `1.0`. (400)
    UnsupportedVersion,
    /// `oauth_signature_method` names a method this build does not support. (400)
    UnsupportedSignatureMethod {
        /// The name sent.
        name: String,
    },
    /// `oauth_signature_method` is a method this build has, but not one this verifier accepts
    /// ([`Verifier::signature_methods`]). (400)
    SignatureMethodNotAccepted {
        /// The method sent.
        method: SignatureMethod,
        /// The methods accepted.
        accepted: Vec<SignatureMethod>,
    },
    /// `oauth_timestamp` is not a decimal number of seconds. (400)
    InvalidTimestamp,
    /// `oauth_nonce` is empty or longer than [`MAX_NONCE_LEN`]. (400)
    InvalidNonce,
    /// `oauth_timestamp` is outside the window around the current time. (401)
    StaleTimestamp {
        /// The timestamp sent.
        timestamp: u64,
        /// The current time.
        now: u64,
    },
    /// No client has this consumer key. (401)
    UnknownClient,
    /// The client has no such token. (401)
    UnknownToken,
    /// The signature does not match. (401)
    InvalidSignature,
    /// The signature matches, but `oauth_body_hash` is not the hash of the body received: the
    /// body was changed on its way, or hashed with another algorithm than the signature
    /// method's. (401)
    BodyHashMismatch,
    /// `oauth_body_hash` on a request with a form body, whose parameters are signed themselves
    /// (the body hash draft forbids it). (400)
    BodyHashOnFormBody,
    /// The nonce was used before with the same timestamp, client and token. (401)
    ReplayedNonce,
    /// The nonce store is full of nonces still inside the window. (503)
    NonceStoreFull,
    /// The client or token holds as many nonces as the store allows one to hold: it sends
    /// faster than the store lets one client. (429)
    NonceQuotaExceeded,
    /// A store could not be asked (the secrets' or the nonces'), so the request cannot be
    /// verified. (503)
    StoreUnavailable,
    /// The request cannot be signed again to check its signature: its URL is not absolute (a
    /// signature method that signs the request needs the URL the client used), or its query or
    /// form body does not decode. (400)
    MalformedRequest(crate::Error),
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoCredentials => f.write_str("no OAuth protocol parameters in the request"),
            Self::MalformedHeader(error) => error.fmt(f),
            Self::MalformedBody => f.write_str("the form body is not UTF-8"),
            Self::MalformedParameter { name, location } => {
                write!(f, "{name:?} in {location} is not properly percent-encoded")
            }
            Self::TooManyParameters => write!(
                f,
                "more than {} oauth_ parameters in the request",
                collect::MAX_PARAMS
            ),
            Self::TooManyRequestParameters { limit } => write!(
                f,
                "more than {limit} parameters in the query and the form body"
            ),
            Self::DuplicateParameter {
                name,
                first,
                second,
            } => {
                if first == second {
                    write!(f, "{name:?} appears more than once in {first}")
                } else {
                    write!(f, "{name:?} appears both in {first} and in {second}")
                }
            }
            Self::MixedLocations { first, second } => write!(
                f,
                "protocol parameters are spread over {first} and {second}; they must all travel in one place"
            ),
            Self::MissingParameter { name } => write!(f, "{name} is missing"),
            Self::UnsupportedVersion => f.write_str("oauth_version is not 1.0"),
            Self::UnsupportedSignatureMethod { name } => {
                write!(f, "unsupported signature method {name:?}")
            }
            Self::SignatureMethodNotAccepted { method, .. } => {
                write!(f, "signature method {method} is not accepted here")
            }
            Self::InvalidTimestamp => {
                f.write_str("oauth_timestamp is not a decimal number of seconds")
            }
            Self::InvalidNonce => write!(
                f,
                "oauth_nonce is empty or longer than {MAX_NONCE_LEN} characters"
            ),
            Self::StaleTimestamp { timestamp, now } => {
                let (ahead, behind) = (
                    timestamp.saturating_sub(*now),
                    now.saturating_sub(*timestamp),
                );
                let (ahead, by) = if ahead > 0 {
                    ("ahead of", ahead)
                } else {
                    ("behind", behind)
                };
                write!(
                    f,
                    "oauth_timestamp {timestamp} is {by} s {ahead} the provider's clock ({now}), outside the window"
                )
            }
            Self::UnknownClient => f.write_str("unknown consumer key"),
            Self::UnknownToken => f.write_str("unknown token, or a token of another client"),
            Self::InvalidSignature => f.write_str("signature does not match"),
            Self::BodyHashMismatch => {
                f.write_str("oauth_body_hash is not the hash of the body received")
            }
            Self::BodyHashOnFormBody => {
                f.write_str("oauth_body_hash on a request with a form body")
            }
            Self::ReplayedNonce => f.write_str("nonce already used"),
            Self::NonceStoreFull => {
                f.write_str("nonce store full of nonces still inside the window")
            }
            Self::NonceQuotaExceeded => f.write_str(
                "this client or token holds as many nonces as the store allows one to hold",
            ),
            Self::StoreUnavailable => {
                f.write_str("a store (of secrets or of nonces) could not be reached")
            }
            Self::MalformedRequest(error) => {
                write!(f, "cannot compute the request's signature: {error}")
            }
        }
    }
}

impl Reason {
    /// The HTTP status to answer with (RFC 5849 section 3.2; 429 for a client over its nonce
    /// quota, 503 for a nonce store that is full or unreachable).
    #[must_use]
    pub const fn status(&self) -> u16 {
        match self {
            Self::MalformedHeader(_)
            | Self::MalformedBody
            | Self::MalformedParameter { .. }
            | Self::TooManyParameters
            | Self::TooManyRequestParameters { .. }
            | Self::DuplicateParameter { .. }
            | Self::MixedLocations { .. }
            | Self::MissingParameter { .. }
            | Self::UnsupportedVersion
            | Self::UnsupportedSignatureMethod { .. }
            | Self::SignatureMethodNotAccepted { .. }
            | Self::InvalidTimestamp
            | Self::InvalidNonce
            | Self::BodyHashOnFormBody
            | Self::MalformedRequest(_) => 400,
            Self::NoCredentials
            | Self::StaleTimestamp { .. }
            | Self::UnknownClient
            | Self::UnknownToken
            | Self::InvalidSignature
            | Self::BodyHashMismatch
            | Self::ReplayedNonce => 401,
            Self::NonceQuotaExceeded => 429,
            Self::NonceStoreFull | Self::StoreUnavailable => 503,
        }
    }
}

/// A refused request: the [`Reason`], and the consumer key and token it claimed (public values,
/// useful in logs).
///
/// `Display` is the log line: the reason, then the claimed keys, escaped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejection {
    reason: Reason,
    consumer_key: Option<String>,
    token: Option<String>,
}

impl Rejection {
    fn new(reason: Reason) -> Self {
        Self {
            reason,
            consumer_key: None,
            token: None,
        }
    }

    fn with_ids(mut self, params: &collect::Params<'_>) -> Self {
        self.consumer_key = params.consumer_key.as_deref().map(crate::error::excerpt);
        self.token = params
            .token
            .as_deref()
            .filter(|t| !t.is_empty())
            .map(crate::error::excerpt);
        self
    }

    /// The precise reason.
    #[must_use]
    pub fn reason(&self) -> &Reason {
        &self.reason
    }

    /// The HTTP status to answer with: 400, 401, 429 for a client over its nonce quota, or 503
    /// for a nonce store that is full or unreachable (answer those two with `Retry-After`).
    #[must_use]
    pub const fn status(&self) -> u16 {
        self.reason.status()
    }

    /// The consumer key the request claimed, if it got that far.
    #[must_use]
    pub fn consumer_key(&self) -> Option<&str> {
        self.consumer_key.as_deref()
    }

    /// The token the request claimed, if any.
    #[must_use]
    pub fn token(&self) -> Option<&str> {
        self.token.as_deref()
    }

    /// A one-line message for the client, in the style of the Discogs API's token endpoints
    /// ("Parameter not found: oauth_consumer_key", "Invalid signature."). It says what RFC 5849
    /// lets a provider say and no more: an unknown client, an unknown token and a wrong
    /// signature read the same.
    #[must_use]
    pub fn public_message(&self) -> PublicMessage<'_> {
        PublicMessage(&self.reason)
    }
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.reason.fmt(f)?;
        match (&self.consumer_key, &self.token) {
            (Some(key), Some(token)) => write!(f, " (consumer key {key:?}, token {token:?})"),
            (Some(key), None) => write!(f, " (consumer key {key:?})"),
            (None, _) => Ok(()),
        }
    }
}

impl core::error::Error for Rejection {}

/// The message for the client; see [`Rejection::public_message`].
#[derive(Clone, Copy, Debug)]
pub struct PublicMessage<'a>(&'a Reason);

impl fmt::Display for PublicMessage<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Reason::NoCredentials => f.write_str("You must authenticate to access this resource."),
            Reason::MalformedHeader(_) => f.write_str("Malformed Authorization header."),
            Reason::MalformedBody => f.write_str("Malformed form body."),
            Reason::MalformedParameter { name, .. } => {
                f.write_str("Malformed parameter: ")?;
                write_name(f, name)
            }
            Reason::TooManyParameters => f.write_str("Too many OAuth parameters."),
            Reason::TooManyRequestParameters { .. } => f.write_str("Too many parameters."),
            Reason::DuplicateParameter { name, .. } => {
                f.write_str("Duplicated parameter: ")?;
                write_name(f, name)
            }
            Reason::MixedLocations { .. } => f.write_str(
                "OAuth parameters must all travel in one place: the Authorization header, the query or the form body.",
            ),
            Reason::MissingParameter { name } => write!(f, "Parameter not found: {name}"),
            Reason::UnsupportedVersion => f.write_str("Unsupported oauth_version: use 1.0."),
            Reason::UnsupportedSignatureMethod { .. } => {
                f.write_str("Unsupported signature method: use")?;
                for (i, method) in SignatureMethod::ALL.iter().enumerate() {
                    f.write_str(if i == 0 { " " } else { ", " })?;
                    f.write_str(method.as_str())?;
                }
                f.write_str(".")
            }
            Reason::SignatureMethodNotAccepted { accepted, .. } => {
                f.write_str("Signature method not accepted: use")?;
                if accepted.is_empty() {
                    f.write_str(" none (this server takes no OAuth 1.0a request)")?;
                }
                for (i, method) in accepted.iter().enumerate() {
                    f.write_str(if i == 0 { " " } else { ", " })?;
                    f.write_str(method.as_str())?;
                }
                f.write_str(".")
            }
            Reason::InvalidTimestamp => f.write_str("Malformed parameter: oauth_timestamp"),
            Reason::InvalidNonce => f.write_str("Malformed parameter: oauth_nonce"),
            Reason::StaleTimestamp { .. } => f.write_str(
                "Invalid timestamp: it must be within a few minutes of the current time.",
            ),
            Reason::UnknownClient | Reason::UnknownToken | Reason::InvalidSignature => {
                f.write_str("Invalid signature.")
            }
            Reason::BodyHashMismatch => f.write_str("Body hash does not match the body."),
            Reason::BodyHashOnFormBody => {
                f.write_str("oauth_body_hash is not allowed with a form body.")
            }
            Reason::ReplayedNonce => f.write_str("Nonce already used."),
            Reason::NonceStoreFull | Reason::NonceQuotaExceeded => {
                f.write_str("Too many requests; try again later.")
            }
            Reason::StoreUnavailable => {
                f.write_str("Service temporarily unavailable; try again later.")
            }
            Reason::MalformedRequest(_) => f.write_str("Malformed request."),
        }
    }
}

/// Writes a parameter name that came from the request: as it is when it is plain
/// (`A-Z a-z 0-9 _`), else escaped and quoted.
fn write_name(f: &mut fmt::Formatter<'_>, name: &str) -> fmt::Result {
    if !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        f.write_str(name)
    } else {
        write!(f, "{name:?}")
    }
}
