//! A provider's endpoints and rules, as data: a [`Profile`], built and checked once by a
//! [`ProfileBuilder`]. The Discogs preset is [`crate::discogs::profile`].
//!
//! ```
//! use countersign::profile::Profile;
//! use countersign::SignatureMethod;
//!
//! let profile = Profile::builder(
//!     "https://provider.example/oauth/request_token",
//!     "https://provider.example/oauth/authorize",
//!     "https://provider.example/oauth/access_token",
//! )
//! .identity_url("https://provider.example/account")
//! .user_agent("MyApp/1.0 +https://myapp.example")
//! .build()?;
//! assert_eq!(profile.request_token_method(), "POST");
//! assert_eq!(profile.signature_method(), SignatureMethod::Plaintext);
//! # Ok::<(), countersign::Error>(())
//! ```

use alloc::string::String;

use crate::auth::{Auth, Authenticator, KeyScheme};
use crate::{ClientCredentials, Error, Field, Misuse, SignatureMethod, Signer};

/// How long a request token lives unless the profile says otherwise: 15 minutes, Discogs' rule.
pub const DEFAULT_REQUEST_TOKEN_LIFETIME: u64 = 15 * 60;

/// The User-Agent of a profile that names none: `countersign/<version>`. Providers that ask
/// every application to name itself (Discogs) require one of its own.
pub const DEFAULT_USER_AGENT: &str = concat!("countersign/", env!("CARGO_PKG_VERSION"));

/// Same-origin redirects an exchange follows (re-signed) unless the profile says otherwise.
pub const DEFAULT_MAX_REDIRECTS: u8 = 5;

/// A provider: its endpoints and the rules for talking to it. Built (and checked) by
/// [`Profile::builder`]; read-only once built.
///
/// ```
/// let discogs = countersign::discogs::profile("MyCollectionApp/1.0 +https://example.org")?;
/// assert_eq!(discogs.request_token_url(), "https://api.discogs.com/oauth/request_token");
/// assert_eq!(discogs.request_token_method(), "GET");
/// # Ok::<(), countersign::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Profile {
    request_token_url: String,
    request_token_method: String,
    authorize_url: String,
    access_token_url: String,
    identity_url: Option<String>,
    user_agent: String,
    request_token_lifetime: u64,
    realm: Option<String>,
    signature_method: SignatureMethod,
    key_scheme: Option<KeyScheme>,
    max_redirects: u8,
    dangerous_allow_insecure_http: bool,
    /// `oauth_body_hash` on every request whose body is not a form.
    #[cfg_attr(feature = "serde", serde(default))]
    body_hash: bool,
}

/// Builds a [`Profile`]: every setting has a default but the three endpoints.
#[derive(Clone, Debug)]
#[must_use = "a builder does nothing until `build` is called"]
pub struct ProfileBuilder {
    profile: Profile,
    require_user_agent: bool,
}

impl Profile {
    /// A provider with these three endpoints. The temporary-credentials request is a `POST`
    /// (change it with [`request_token_method`](ProfileBuilder::request_token_method)), the
    /// access-token request is always a `POST`; request tokens live 15 minutes; PLAINTEXT; the
    /// User-Agent is [`DEFAULT_USER_AGENT`].
    pub fn builder(
        request_token_url: impl Into<String>,
        authorize_url: impl Into<String>,
        access_token_url: impl Into<String>,
    ) -> ProfileBuilder {
        ProfileBuilder {
            profile: Self {
                request_token_url: request_token_url.into(),
                request_token_method: "POST".into(),
                authorize_url: authorize_url.into(),
                access_token_url: access_token_url.into(),
                identity_url: None,
                user_agent: DEFAULT_USER_AGENT.into(),
                request_token_lifetime: DEFAULT_REQUEST_TOKEN_LIFETIME,
                realm: None,
                signature_method: SignatureMethod::Plaintext,
                key_scheme: None,
                max_redirects: DEFAULT_MAX_REDIRECTS,
                dangerous_allow_insecure_http: false,
                body_hash: false,
            },
            require_user_agent: false,
        }
    }

    /// The temporary-credentials endpoint.
    #[must_use]
    pub fn request_token_url(&self) -> &str {
        &self.request_token_url
    }

    /// The method of the temporary-credentials request (`GET` or `POST`).
    #[must_use]
    pub fn request_token_method(&self) -> &str {
        &self.request_token_method
    }

    /// The authorization endpoint, where the user approves.
    #[must_use]
    pub fn authorize_url(&self) -> &str {
        &self.authorize_url
    }

    /// The token-credentials endpoint.
    #[must_use]
    pub fn access_token_url(&self) -> &str {
        &self.access_token_url
    }

    /// The identity resource, if the profile has one.
    #[must_use]
    pub fn identity_url(&self) -> Option<&str> {
        self.identity_url.as_deref()
    }

    /// The User-Agent sent with every request.
    #[must_use]
    pub fn user_agent(&self) -> &str {
        &self.user_agent
    }

    /// How long a request token lives, in seconds.
    #[must_use]
    pub fn request_token_lifetime(&self) -> u64 {
        self.request_token_lifetime
    }

    /// The realm of every `Authorization` header, if any.
    #[must_use]
    pub fn realm(&self) -> Option<&str> {
        self.realm.as_deref()
    }

    /// The signature method.
    #[must_use]
    pub fn signature_method(&self) -> SignatureMethod {
        self.signature_method
    }

    /// How consumer keys and personal tokens travel, if the provider takes them as they are.
    #[must_use]
    pub fn key_scheme(&self) -> Option<&KeyScheme> {
        self.key_scheme.as_ref()
    }

    /// How many same-origin redirects an exchange follows, re-signed. A redirect to another
    /// origin is never followed: it is the answer.
    #[must_use]
    pub fn max_redirects(&self) -> u8 {
        self.max_redirects
    }

    /// Whether secrets may go in the clear over `http://` to hosts that are not loopback.
    #[must_use]
    pub fn allows_insecure_http(&self) -> bool {
        self.dangerous_allow_insecure_http
    }

    /// Whether every request whose body is not a form is sent with `oauth_body_hash`.
    #[must_use]
    pub fn body_hash(&self) -> bool {
        self.body_hash
    }

    /// A signer for `client` with this provider's method, realm and transport rule.
    pub(crate) fn signer<'a>(&'a self, client: &'a ClientCredentials) -> Signer<'a> {
        let mut signer = Signer::new(client).signature_method(self.signature_method);
        if let Some(realm) = &self.realm {
            signer = signer.realm(realm);
        }
        if self.dangerous_allow_insecure_http {
            signer = signer.dangerous_allow_insecure_http();
        }
        if self.body_hash {
            signer = signer.body_hashes();
        }
        signer
    }

    /// `auth` with this provider's rules: its key scheme and User-Agent.
    ///
    /// ```
    /// use countersign::auth::Auth;
    /// use countersign::Secret;
    ///
    /// let discogs = countersign::discogs::profile("MyApp/1.0")?;
    /// let token = discogs.authenticator(Auth::PersonalToken(Secret::new("my-token")));
    /// assert_eq!(token.configured_user_agent(), Some("MyApp/1.0"));
    /// # Ok::<(), countersign::Error>(())
    /// ```
    #[must_use]
    pub fn authenticator(&self, auth: Auth) -> Authenticator {
        let authenticator = Authenticator::new(auth).user_agent(self.user_agent.clone());
        match &self.key_scheme {
            Some(scheme) => authenticator.key_scheme(scheme.clone()),
            None => authenticator,
        }
    }
}

impl ProfileBuilder {
    /// The method of the temporary-credentials request (`GET` or `POST`).
    pub fn request_token_method(mut self, method: impl Into<String>) -> Self {
        self.profile.request_token_method = method.into();
        self
    }

    /// The identity resource, fetched with the access credentials at the end of the flow.
    pub fn identity_url(mut self, url: impl Into<String>) -> Self {
        self.profile.identity_url = Some(url.into());
        self
    }

    /// The User-Agent sent with every request (default [`DEFAULT_USER_AGENT`]). Name your
    /// application: some providers (Discogs) ask for it, and block requests without one.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.profile.user_agent = user_agent.into();
        self
    }

    /// Refuse to build without a User-Agent of the application's own: an empty one, or none
    /// given, is [`Misuse::UserAgentRequired`].
    pub fn require_user_agent(mut self) -> Self {
        self.require_user_agent = true;
        self
    }

    /// How long a request token lives, in seconds (default 15 minutes).
    pub fn request_token_lifetime(mut self, seconds: u64) -> Self {
        self.profile.request_token_lifetime = seconds;
        self
    }

    /// A realm for every `Authorization` header.
    pub fn realm(mut self, realm: impl Into<String>) -> Self {
        self.profile.realm = Some(realm.into());
        self
    }

    /// The signature method (default PLAINTEXT).
    pub fn signature_method(mut self, method: SignatureMethod) -> Self {
        self.profile.signature_method = method;
        self
    }

    /// How consumer keys and personal tokens travel, for a provider that takes them as they are.
    pub fn key_scheme(mut self, scheme: KeyScheme) -> Self {
        self.profile.key_scheme = Some(scheme);
        self
    }

    /// How many same-origin redirects an exchange follows, re-signed (default
    /// [`DEFAULT_MAX_REDIRECTS`]; 0 follows none).
    pub fn max_redirects(mut self, redirects: u8) -> Self {
        self.profile.max_redirects = redirects;
        self
    }

    /// Sends `oauth_body_hash` (the OAuth Request Body Hash extension) with every request whose
    /// body is not a form, as Mastercard's APIs want (default: no). Not with PLAINTEXT.
    pub fn body_hash(mut self, on: bool) -> Self {
        self.profile.body_hash = on;
        self
    }

    /// Allows secrets in the clear over `http://` to hosts that are not loopback.
    ///
    /// # Security
    /// As [`Signer::dangerous_allow_insecure_http`].
    pub fn dangerous_allow_insecure_http(mut self) -> Self {
        self.profile.dangerous_allow_insecure_http = true;
        self
    }

    /// The profile, once its settings are checked.
    ///
    /// # Errors
    /// [`ParseError::Url`](crate::ParseError::Url) for an endpoint that is not an absolute URL;
    /// [`Misuse::UserAgentRequired`] for a blank User-Agent where one is required;
    /// [`Misuse::HeaderValue`] for a User-Agent that cannot travel in a header;
    /// [`Misuse::InvalidRealm`] for a realm with control characters.
    pub fn build(self) -> Result<Profile, Error> {
        let p = self.profile;
        for url in [&p.request_token_url, &p.authorize_url, &p.access_token_url]
            .into_iter()
            .chain(&p.identity_url)
        {
            crate::url::split(url)?;
        }
        let user_agent = p.user_agent.trim();
        if user_agent.is_empty() || (self.require_user_agent && user_agent == DEFAULT_USER_AGENT) {
            return Err(Error::Misuse(Misuse::UserAgentRequired));
        }
        if !user_agent
            .bytes()
            .all(|b| b == b'\t' || (b >= b' ' && b != 0x7f))
        {
            return Err(Error::Misuse(Misuse::HeaderValue {
                field: Field::UserAgent,
            }));
        }
        if p.realm
            .as_deref()
            .is_some_and(|realm| realm.chars().any(|c| c.is_control() && c != '\t'))
        {
            return Err(Error::Misuse(Misuse::InvalidRealm));
        }
        if p.body_hash && !p.signature_method.signs_request() {
            return Err(Error::Misuse(Misuse::BodyHashWithPlaintext));
        }
        let method = &p.request_token_method;
        if method.is_empty() || !method.bytes().all(|b| b.is_ascii_alphabetic()) {
            return Err(Error::Misuse(Misuse::HeaderValue {
                field: Field::Method,
            }));
        }
        Ok(Profile {
            user_agent: user_agent.into(),
            ..p
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn builder() -> ProfileBuilder {
        Profile::builder(
            "https://p.example/oauth/request_token",
            "https://p.example/oauth/authorize",
            "https://p.example/oauth/access_token",
        )
    }

    #[test]
    fn a_profile_gives_back_what_it_was_built_with() {
        let plain = builder().build().unwrap();
        assert_eq!(plain.key_scheme(), None);
        assert_eq!(plain.max_redirects(), DEFAULT_MAX_REDIRECTS);
        assert!(!plain.allows_insecure_http());
        assert!(!plain.body_hash());
        assert_eq!(plain.user_agent(), DEFAULT_USER_AGENT);

        let scheme = crate::discogs::key_scheme();
        let set = builder()
            .key_scheme(scheme.clone())
            .max_redirects(3)
            .dangerous_allow_insecure_http()
            .user_agent("  MyApp/1.0 +https://myapp.example\t")
            .request_token_method("GET");
        #[cfg(feature = "hmac-sha1")]
        let set = set
            .signature_method(SignatureMethod::HmacSha1)
            .body_hash(true);
        let set = set.build().unwrap();
        assert_eq!(set.key_scheme(), Some(&scheme));
        assert_eq!(set.max_redirects(), 3);
        assert!(set.allows_insecure_http());
        assert_eq!(set.body_hash(), cfg!(feature = "hmac-sha1"));
        // Kept as it travels: without the blanks around it.
        assert_eq!(set.user_agent(), "MyApp/1.0 +https://myapp.example");
        assert_eq!(set.request_token_method(), "GET");
    }

    /// `build` refuses each of `values`, once `set` has put it in a profile, with an error
    /// that `expected` accepts.
    fn refuses(
        values: &[&str],
        set: impl Fn(ProfileBuilder, &str) -> ProfileBuilder,
        expected: impl Fn(&Error) -> bool,
    ) {
        for &value in values {
            let e = set(builder(), value).build().unwrap_err();
            assert!(expected(&e), "{value:?}: {e:?}");
        }
    }

    #[test]
    fn a_user_agent_must_be_a_header_value() {
        // A tab is allowed inside a header value; control characters and DEL are not.
        let ok = builder().user_agent("My\tApp/1.0 ~").build().unwrap();
        assert_eq!(ok.user_agent(), "My\tApp/1.0 ~");
        refuses(
            &["App\u{7f}", "App\r\nX-Injected: 1", "App\u{0}"],
            |b, v| b.user_agent(v),
            |e| {
                matches!(
                    e,
                    Error::Misuse(Misuse::HeaderValue {
                        field: Field::UserAgent
                    })
                )
            },
        );
        refuses(
            &["", "  \t "],
            |b, v| b.user_agent(v),
            |e| matches!(e, Error::Misuse(Misuse::UserAgentRequired)),
        );
    }

    #[test]
    fn a_realm_holds_no_control_character_but_a_tab() {
        let ok = builder().realm("Photos\tAPI").build().unwrap();
        assert_eq!(ok.realm(), Some("Photos\tAPI"));
        refuses(
            &["Photos\r\nX: 1", "Photos\u{7f}", "Photos\u{85}"],
            |b, v| b.realm(v),
            |e| matches!(e, Error::Misuse(Misuse::InvalidRealm)),
        );
    }

    #[test]
    fn the_request_token_method_must_be_a_method_name() {
        refuses(
            &["", "GE T", "POST\r\n", "P0ST"],
            |b, v| b.request_token_method(v),
            |e| {
                matches!(
                    e,
                    Error::Misuse(Misuse::HeaderValue {
                        field: Field::Method
                    })
                )
            },
        );
    }
}
