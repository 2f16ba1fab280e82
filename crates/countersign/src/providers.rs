//! Provider profiles as data: what countersign knows of the OAuth 1.0a APIs people call, one
//! [`ProviderSpec`] each, and a way to add your own (the same struct, in Rust or, with `serde`, in
//! a file).
//!
//! A spec is a template: URLs and the realm may name variables, filled in when the spec becomes a
//! [`Profile`] ([`ProviderSpec::profile`]):
//!
//! - `{base}`: the base URL of a self-hosted product (Jira, Confluence, Magento), such as
//!   `https://jira.example.com`;
//! - `{account}`: an account identifier as the provider writes it in the realm (NetSuite's
//!   `1234567_SB1`), and `{account_host}` the same as it appears in host names (lowercase, `-` for
//!   `_`: `1234567-sb1`);
//! - `{app}`: the application's name, shown to the user on some authorization pages (Trello).
//!
//! Extra parameters a provider wants on the request-token request (X's `x_auth_access_type`) or
//! on the authorization page (Trello's `scope` and `expiration`, Flickr's `perms`, SmugMug's
//! `Access` and `Permissions`) are written in those URLs' queries: a query of the request-token
//! URL is signed with the request, one of the authorization URL goes to the user's browser with
//! `oauth_token`.
//!
//! ```
//! # #[cfg(feature = "rsa-sha1")] {
//! use countersign::providers::{self, Variables};
//!
//! let jira = providers::find("jira").unwrap();
//! let profile = jira.profile(&Variables::new().base("https://jira.example.com"), None)?;
//! assert_eq!(
//!     profile.request_token_url(),
//!     "https://jira.example.com/plugins/servlet/oauth/request-token"
//! );
//! assert_eq!(jira.signature_method, "RSA-SHA1");
//!
//! // A variable the spec needs and was not given: an error that names it.
//! assert!(jira.profile(&Variables::new(), None).is_err());
//! # }
//! # Ok::<(), countersign::Error>(())
//! ```

use alloc::borrow::ToOwned;
use alloc::string::String;
use alloc::vec::Vec;

use crate::auth::{Auth, Authenticator, Placement};
use crate::profile::Profile;
use crate::{ClientCredentials, Error, Misuse, SignatureMethod, Signer, TokenCredentials};

/// A provider: its endpoints (templates, see the [module documentation](self)), its signature
/// method and rules, and where its documentation is.
///
/// With the `serde` feature it reads from and writes to any serde format; the field names are
/// those below (`countersign login --profile-file` reads TOML).
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct ProviderSpec {
    /// A short name, lowercase (`jira`).
    pub name: String,
    /// What it is, in a few words.
    pub title: String,
    /// The provider's documentation of its OAuth 1.0a endpoints.
    pub docs: String,
    /// `three` (the default): users authorize the application through the three-legged flow.
    /// `one`: there is no flow; the consumer key and secret (or RSA key) sign every request,
    /// and the three endpoint URLs are empty.
    #[cfg_attr(feature = "serde", serde(default))]
    pub legs: Legs,
    /// Where the OAuth parameters travel: `header` (the default) or `query`.
    #[cfg_attr(feature = "serde", serde(default))]
    pub placement: Placement,
    /// The API's base URL, for a one-legged provider.
    #[cfg_attr(feature = "serde", serde(default))]
    pub api_url: Option<String>,
    /// Whether calls signed without a user carry an empty `oauth_token` (Schoology's
    /// two-legged calls).
    #[cfg_attr(feature = "serde", serde(default))]
    pub empty_token: bool,
    /// The temporary-credentials (request token) endpoint.
    #[cfg_attr(feature = "serde", serde(default))]
    pub request_token_url: String,
    /// The method of the request-token request (`GET` or `POST`).
    #[cfg_attr(feature = "serde", serde(default = "post"))]
    pub request_token_method: String,
    /// The authorization page; its query holds the provider's extra parameters, if any.
    #[cfg_attr(feature = "serde", serde(default))]
    pub authorize_url: String,
    /// The token-credentials (access token) endpoint.
    #[cfg_attr(feature = "serde", serde(default))]
    pub access_token_url: String,
    /// A resource that says who the access token belongs to, if there is one.
    #[cfg_attr(feature = "serde", serde(default))]
    pub identity_url: Option<String>,
    /// The signature method the provider takes (its RFC 5849 name, `HMAC-SHA1`).
    pub signature_method: String,
    /// The realm of every `Authorization` header, if the provider wants one.
    #[cfg_attr(feature = "serde", serde(default))]
    pub realm: Option<String>,
    /// Whether the provider takes `oauth_callback=oob` and shows the verifier to the user.
    #[cfg_attr(feature = "serde", serde(default = "yes"))]
    pub oob: bool,
    /// Whether the provider refuses requests whose User-Agent does not name the application.
    #[cfg_attr(feature = "serde", serde(default))]
    pub user_agent_required: bool,
    /// How long a request token lives, in seconds, when the provider says.
    #[cfg_attr(feature = "serde", serde(default))]
    pub request_token_lifetime: Option<u64>,
    /// Whether every request whose body is not a form carries `oauth_body_hash`.
    #[cfg_attr(feature = "serde", serde(default))]
    pub body_hash: bool,
    /// What else to know: nonce and timestamp rules, scopes, quirks.
    #[cfg_attr(feature = "serde", serde(default))]
    pub notes: String,
}

/// How a provider is called; see [`ProviderSpec::legs`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
#[non_exhaustive]
pub enum Legs {
    /// The three-legged flow gives each user's access token.
    #[default]
    Three,
    /// No flow: the client's own credentials sign every request.
    One,
}

#[cfg(feature = "serde")]
fn post() -> String {
    "POST".into()
}

#[cfg(feature = "serde")]
const fn yes() -> bool {
    true
}

/// The values of a spec's variables; see the [module documentation](self).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Variables {
    base: Option<String>,
    account: Option<String>,
    app: Option<String>,
}

impl Variables {
    /// No variable set.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// `{base}`: the base URL of a self-hosted product (a trailing `/` is dropped).
    #[must_use]
    pub fn base(mut self, base: impl Into<String>) -> Self {
        let base: String = base.into();
        self.base = Some(base.trim_end_matches('/').to_owned());
        self
    }

    /// `{account}` (and from it `{account_host}`).
    #[must_use]
    pub fn account(mut self, account: impl Into<String>) -> Self {
        self.account = Some(account.into());
        self
    }

    /// `{app}`: the application's name.
    #[must_use]
    pub fn app(mut self, app: impl Into<String>) -> Self {
        self.app = Some(app.into());
        self
    }

    /// `template` with its variables filled in. Values go into URLs as they are given (a base
    /// URL), percent-encoded (the application's name), or as host labels (the account).
    fn fill(&self, template: &str) -> Result<String, Error> {
        let mut out = String::with_capacity(template.len());
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            out.push_str(rest.get(..open).unwrap_or_default());
            let after = rest.get(open + 1..).unwrap_or_default();
            let Some(close) = after.find('}') else {
                return Err(Error::Misuse(Misuse::ProfileTemplate));
            };
            let name = after.get(..close).unwrap_or_default();
            let missing = |variable| Error::Misuse(Misuse::ProfileVariable { variable });
            match name {
                "base" => out.push_str(self.base.as_deref().ok_or_else(|| missing("base"))?),
                "account" => {
                    out.push_str(self.account.as_deref().ok_or_else(|| missing("account"))?);
                }
                "account_host" => {
                    let account = self.account.as_deref().ok_or_else(|| missing("account"))?;
                    if !account
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
                    {
                        return Err(Error::Misuse(Misuse::ProfileVariable {
                            variable: "account",
                        }));
                    }
                    out.extend(account.chars().map(|c| {
                        if c == '_' {
                            '-'
                        } else {
                            c.to_ascii_lowercase()
                        }
                    }));
                }
                "app" => {
                    let app = self.app.as_deref().ok_or_else(|| missing("app"))?;
                    crate::encode::encode(app)
                        .write_to(&mut out)
                        .map_err(|_| Error::Write)?;
                }
                _ => return Err(Error::Misuse(Misuse::ProfileTemplate)),
            }
            rest = after.get(close + 1..).unwrap_or_default();
        }
        out.push_str(rest);
        Ok(out)
    }
}

impl ProviderSpec {
    /// The profile of this provider, with `variables` filled in and `user_agent` on every
    /// request (the default `countersign/<version>` when `None`).
    ///
    /// # Errors
    /// [`Misuse::ProfileVariable`] for a variable the spec uses and `variables` lacks;
    /// [`Misuse::ProfileTemplate`] for a template with an unknown or unclosed `{...}`;
    /// [`ParseError::SignatureMethod`](crate::ParseError::SignatureMethod) for a method this
    /// build does not have (turn on its feature); [`Misuse::UserAgentRequired`] without a
    /// User-Agent where the provider wants one; and what
    /// [`ProfileBuilder::build`](crate::profile::ProfileBuilder::build) refuses.
    pub fn profile(
        &self,
        variables: &Variables,
        user_agent: Option<&str>,
    ) -> Result<Profile, Error> {
        if self.legs == Legs::One {
            return Err(Error::Misuse(Misuse::OneLegged));
        }
        let method: SignatureMethod = self.signature_method.parse()?;
        let mut builder = Profile::builder(
            variables.fill(&self.request_token_url)?,
            variables.fill(&self.authorize_url)?,
            variables.fill(&self.access_token_url)?,
        )
        .request_token_method(self.request_token_method.as_str())
        .signature_method(method);
        if let Some(url) = &self.identity_url {
            builder = builder.identity_url(variables.fill(url)?);
        }
        if let Some(realm) = &self.realm {
            builder = builder.realm(variables.fill(realm)?);
        }
        if let Some(seconds) = self.request_token_lifetime {
            builder = builder.request_token_lifetime(seconds);
        }
        if let Some(user_agent) = user_agent {
            builder = builder.user_agent(user_agent);
        }
        if self.body_hash {
            builder = builder.body_hash(true);
        }
        if self.user_agent_required {
            builder = builder.require_user_agent();
        }
        builder.build()
    }

    /// An authenticator for calls signed with `client`'s credentials alone (no user): every
    /// request of a one-legged provider, or a three-legged provider's calls that need no user.
    /// It keeps the provider's rules: its signature method, realm, placement, body hash, the
    /// empty `oauth_token` where the provider wants one, and `user_agent` (the default
    /// `countersign/<version>` when `None`).
    ///
    /// ```
    /// # #[cfg(feature = "hmac-sha256")] {
    /// use countersign::auth::Applied;
    /// use countersign::providers::{self, Variables};
    /// use countersign::{ClientCredentials, Request};
    ///
    /// let shop = providers::find("woocommerce").unwrap();
    /// let variables = Variables::new().base("http://127.0.0.1:8080");
    /// let api = shop.api_url(&variables)?.unwrap();
    /// let client = ClientCredentials::new("ck_1234", "cs_5678");
    /// let signing = shop.authenticator(&variables, &client, None)?;
    /// let url = format!("{api}/orders?per_page=5");
    /// let request = Request::get(&url);
    /// let Applied::Url(url) = signing.apply(&request, 1_700_000_000, "n0nce")? else { panic!() };
    /// assert!(url.expose_secret().contains("&oauth_signature_method=HMAC-SHA256&"));
    /// # }
    /// # Ok::<(), countersign::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`profile`](Self::profile) for the variables and the method;
    /// [`Misuse::RsaKeyRequired`] for an RSA method when `client` has no RSA key.
    pub fn authenticator(
        &self,
        variables: &Variables,
        client: &ClientCredentials,
        user_agent: Option<&str>,
    ) -> Result<Authenticator, Error> {
        if self.user_agent_required && user_agent.is_none() {
            return Err(Error::Misuse(Misuse::UserAgentRequired));
        }
        let method: SignatureMethod = self.signature_method.parse()?;
        let realm = self
            .realm
            .as_deref()
            .map(|realm| variables.fill(realm))
            .transpose()?;
        let empty = TokenCredentials::new("", "");
        let mut signer = Signer::new(client).signature_method(method);
        if self.empty_token {
            signer = signer.token(&empty);
        }
        if let Some(realm) = &realm {
            signer = signer.realm(realm);
        }
        if self.body_hash {
            signer = signer.body_hashes();
        }
        Ok(Authenticator::new(Auth::OAuth(signer.prepare()?))
            .placement(self.placement)
            .user_agent(user_agent.unwrap_or(crate::profile::DEFAULT_USER_AGENT)))
    }

    /// The API's base URL of a one-legged provider, variables filled in.
    ///
    /// # Errors
    /// As [`profile`](Self::profile) for the variables.
    pub fn api_url(&self, variables: &Variables) -> Result<Option<String>, Error> {
        self.api_url
            .as_deref()
            .map(|url| variables.fill(url))
            .transpose()
    }

    /// The variables the spec's templates use (`base`, `account`, `app`), each once.
    #[must_use]
    pub fn variables(&self) -> Vec<&'static str> {
        let templates = [
            Some(&self.request_token_url),
            Some(&self.authorize_url),
            Some(&self.access_token_url),
            self.identity_url.as_ref(),
            self.realm.as_ref(),
            self.api_url.as_ref(),
        ];
        let mut found = Vec::new();
        for (marks, name) in [
            (&["{base}"][..], "base"),
            (&["{account}", "{account_host}"][..], "account"),
            (&["{app}"][..], "app"),
        ] {
            if templates
                .iter()
                .flatten()
                .any(|t| marks.iter().any(|m| t.contains(m)))
            {
                found.push(name);
            }
        }
        found
    }
}

/// One built-in provider, as constant data.
struct Preset {
    legs: Legs,
    placement: Placement,
    api_url: Option<&'static str>,
    empty_token: bool,
    name: &'static str,
    title: &'static str,
    docs: &'static str,
    request_token_url: &'static str,
    request_token_method: &'static str,
    authorize_url: &'static str,
    access_token_url: &'static str,
    identity_url: Option<&'static str>,
    signature_method: &'static str,
    realm: Option<&'static str>,
    oob: bool,
    user_agent_required: bool,
    request_token_lifetime: Option<u64>,
    body_hash: bool,
    notes: &'static str,
}

impl From<&Preset> for ProviderSpec {
    fn from(p: &Preset) -> Self {
        Self {
            legs: p.legs,
            placement: p.placement,
            api_url: p.api_url.map(Into::into),
            empty_token: p.empty_token,
            name: p.name.into(),
            title: p.title.into(),
            docs: p.docs.into(),
            request_token_url: p.request_token_url.into(),
            request_token_method: p.request_token_method.into(),
            authorize_url: p.authorize_url.into(),
            access_token_url: p.access_token_url.into(),
            identity_url: p.identity_url.map(Into::into),
            signature_method: p.signature_method.into(),
            realm: p.realm.map(Into::into),
            oob: p.oob,
            user_agent_required: p.user_agent_required,
            request_token_lifetime: p.request_token_lifetime,
            body_hash: p.body_hash,
            notes: p.notes.into(),
        }
    }
}

/// A preset with the common defaults: a `POST` request-token request, HMAC-SHA1, `oob`
/// supported, no realm, no identity resource.
const DEFAULTS: Preset = Preset {
    legs: Legs::Three,
    placement: Placement::Header,
    api_url: None,
    empty_token: false,
    name: "",
    title: "",
    docs: "",
    request_token_url: "",
    request_token_method: "POST",
    authorize_url: "",
    access_token_url: "",
    identity_url: None,
    signature_method: "HMAC-SHA1",
    realm: None,
    oob: true,
    user_agent_required: false,
    request_token_lifetime: None,
    body_hash: false,
    notes: "",
};

/// The built-in providers, by name.
const PRESETS: &[Preset] = &[
    Preset {
        name: "discogs",
        title: "Discogs API",
        docs: "https://www.discogs.com/developers/#page:authentication,header:authentication-oauth-flow",
        request_token_url: "https://api.discogs.com/oauth/request_token",
        request_token_method: "GET",
        authorize_url: "https://www.discogs.com/oauth/authorize",
        access_token_url: "https://api.discogs.com/oauth/access_token",
        identity_url: Some("https://api.discogs.com/oauth/identity"),
        signature_method: "PLAINTEXT",
        user_agent_required: true,
        request_token_lifetime: Some(15 * 60),
        notes: "PLAINTEXT over TLS, as Discogs recommends (HMAC-SHA1 is accepted too). Every request needs a User-Agent naming the application. Request tokens live 15 minutes. Consumer key and secret, or a personal token, may also be sent as they are (countersign::discogs::key_scheme).",
        ..DEFAULTS
    },
    Preset {
        name: "x",
        title: "X (Twitter) API, OAuth 1.0a user context",
        docs: "https://docs.x.com/resources/fundamentals/authentication/oauth-1-0a/obtaining-user-access-tokens",
        request_token_url: "https://api.x.com/oauth/request_token",
        authorize_url: "https://api.x.com/oauth/authorize",
        access_token_url: "https://api.x.com/oauth/access_token",
        identity_url: Some("https://api.x.com/1.1/account/verify_credentials.json"),
        notes: "HMAC-SHA1. oob gives a PIN to paste. To ask for less than the app's permission, add x_auth_access_type=read (or write) to the request-token URL's query.",
        ..DEFAULTS
    },
    Preset {
        name: "trello",
        title: "Trello REST API",
        docs: "https://developer.atlassian.com/cloud/trello/guides/rest-api/authorization/",
        request_token_url: "https://trello.com/1/OAuthGetRequestToken",
        authorize_url: "https://trello.com/1/OAuthAuthorizeToken?name={app}&scope=read&expiration=30days",
        access_token_url: "https://trello.com/1/OAuthGetAccessToken",
        identity_url: Some("https://api.trello.com/1/members/me"),
        notes: "HMAC-SHA1. The authorization page shows name={app}; scope (read, read,write, read,write,account) and expiration (1hour, 1day, 30days, never) are in its query: change them in a profile file.",
        ..DEFAULTS
    },
    Preset {
        name: "jira",
        title: "Jira Data Center / Server (application link)",
        docs: "https://developer.atlassian.com/server/jira/platform/oauth/",
        request_token_url: "{base}/plugins/servlet/oauth/request-token",
        authorize_url: "{base}/plugins/servlet/oauth/authorize",
        access_token_url: "{base}/plugins/servlet/oauth/access-token",
        identity_url: Some("{base}/rest/api/2/myself"),
        signature_method: "RSA-SHA1",
        notes: "RSA-SHA1: the application link holds the consumer's public key; sign with the private key (--private-key). {base} is the Jira base URL.",
        ..DEFAULTS
    },
    Preset {
        name: "confluence",
        title: "Confluence Data Center / Server (application link)",
        docs: "https://developer.atlassian.com/server/confluence/oauth/",
        request_token_url: "{base}/plugins/servlet/oauth/request-token",
        authorize_url: "{base}/plugins/servlet/oauth/authorize",
        access_token_url: "{base}/plugins/servlet/oauth/access-token",
        identity_url: Some("{base}/rest/api/user/current"),
        signature_method: "RSA-SHA1",
        notes: "RSA-SHA1 with the private key whose public key the application link holds. {base} is the Confluence base URL (with its context path, such as /confluence).",
        ..DEFAULTS
    },
    Preset {
        name: "netsuite",
        title: "NetSuite token-based authentication (three-step authorization flow)",
        docs: "https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_158074210415.html",
        request_token_url: "https://{account_host}.restlets.api.netsuite.com/rest/requesttoken",
        authorize_url: "https://{account_host}.app.netsuite.com/app/login/secure/authorizetoken.nl",
        access_token_url: "https://{account_host}.restlets.api.netsuite.com/rest/accesstoken",
        signature_method: "HMAC-SHA256",
        realm: Some("{account}"),
        oob: false,
        notes: "HMAC-SHA256 only (HMAC-SHA1 was removed in 2023.1). realm is the account ID as NetSuite writes it (1234567_SB1 for a sandbox); host names use it lowercased with - for _. Needs a callback URL registered on the integration record: oob is not taken.",
        ..DEFAULTS
    },
    Preset {
        name: "magento",
        title: "Magento Open Source / Adobe Commerce 2.4 integration",
        docs: "https://developer.adobe.com/commerce/webapi/get-started/authentication/gs-authentication-oauth/",
        request_token_url: "{base}/oauth/token/request",
        authorize_url: "{base}/admin/admin/integration/",
        access_token_url: "{base}/oauth/token/access",
        signature_method: "HMAC-SHA256",
        oob: false,
        notes: "HMAC-SHA256 only since 2.4.4. There is no user authorization page: the admin activates the integration, Magento posts the consumer key and the oauth_verifier to the integration's callback, then the client asks for the request and access tokens. {base} is the store's base URL.",
        ..DEFAULTS
    },
    Preset {
        name: "tumblr",
        title: "Tumblr API",
        docs: "https://www.tumblr.com/docs/en/api/v2#oauth1-authorization",
        request_token_url: "https://www.tumblr.com/oauth/request_token",
        authorize_url: "https://www.tumblr.com/oauth/authorize",
        access_token_url: "https://www.tumblr.com/oauth/access_token",
        identity_url: Some("https://api.tumblr.com/v2/user/info"),
        notes: "HMAC-SHA1.",
        ..DEFAULTS
    },
    Preset {
        name: "flickr",
        title: "Flickr API",
        docs: "https://www.flickr.com/services/api/auth.oauth.html",
        request_token_url: "https://www.flickr.com/services/oauth/request_token",
        request_token_method: "GET",
        authorize_url: "https://www.flickr.com/services/oauth/authorize?perms=read",
        access_token_url: "https://www.flickr.com/services/oauth/access_token",
        identity_url: Some(
            "https://api.flickr.com/services/rest?method=flickr.test.login&format=json&nojsoncallback=1",
        ),
        notes: "HMAC-SHA1. perms on the authorization page: read, write or delete.",
        ..DEFAULTS
    },
    Preset {
        name: "smugmug",
        title: "SmugMug API v2",
        docs: "https://api.smugmug.com/api/v2/doc/tutorial/authorization.html",
        request_token_url: "https://api.smugmug.com/services/oauth/1.0a/getRequestToken",
        authorize_url: "https://api.smugmug.com/services/oauth/1.0a/authorize?Access=Public&Permissions=Read",
        access_token_url: "https://api.smugmug.com/services/oauth/1.0a/getAccessToken",
        identity_url: Some("https://api.smugmug.com/api/v2!authuser"),
        notes: "HMAC-SHA1. Access (Public, Full) and Permissions (Read, Add, Modify) on the authorization page. A request token is good for one authorization only.",
        ..DEFAULTS
    },
    Preset {
        name: "garmin",
        title: "Garmin Connect Developer Program (Health and Activity APIs)",
        docs: "https://developer.garmin.com/gc-developer-program/overview/",
        request_token_url: "https://connectapi.garmin.com/oauth-service/oauth/request_token",
        authorize_url: "https://connect.garmin.com/oauthConfirm",
        access_token_url: "https://connectapi.garmin.com/oauth-service/oauth/access_token",
        oob: false,
        notes: "HMAC-SHA1; a callback URL is required.",
        ..DEFAULTS
    },
    Preset {
        name: "schoology",
        title: "Schoology API (three-legged)",
        docs: "https://developers.schoology.com/api-documentation/authentication/",
        request_token_url: "https://api.schoology.com/v1/oauth/request_token",
        request_token_method: "GET",
        authorize_url: "{base}/oauth/authorize",
        access_token_url: "https://api.schoology.com/v1/oauth/access_token",
        identity_url: Some("https://api.schoology.com/v1/users/me"),
        realm: Some("Schoology API"),
        empty_token: true,
        notes: "HMAC-SHA1 with realm=\"Schoology API\". {base} is the school's Schoology domain (https://app.schoology.com or the district's own). Two-legged calls send an empty oauth_token.",
        ..DEFAULTS
    },
    Preset {
        name: "woocommerce",
        title: "WooCommerce REST API over plain HTTP (one-legged)",
        docs: "https://woocommerce.github.io/woocommerce-rest-api-docs/#authentication-over-http",
        legs: Legs::One,
        placement: Placement::Query,
        api_url: Some("{base}/wp-json/wc/v3"),
        request_token_url: "",
        authorize_url: "",
        access_token_url: "",
        signature_method: "HMAC-SHA256",
        oob: false,
        notes: "One-legged: the REST API key (ck_...) and secret (cs_...) sign every request, the parameters in the query. Over HTTPS WooCommerce takes the key and secret as HTTP Basic instead. {base} is the store's URL.",
        ..DEFAULTS
    },
    Preset {
        name: "mastercard",
        title: "Mastercard APIs (one-legged, RSA-SHA256 with a body hash)",
        docs: "https://developer.mastercard.com/platform/documentation/security-and-authentication/using-oauth-1a-to-access-mastercard-apis/",
        legs: Legs::One,
        api_url: Some("https://sandbox.api.mastercard.com"),
        request_token_url: "",
        authorize_url: "",
        access_token_url: "",
        signature_method: "RSA-SHA256",
        body_hash: true,
        oob: false,
        notes: "One-legged: the consumer key and the signing key from the developer portal (a PKCS#12 file: take the key out with openssl pkcs12 -nocerts -nodes) sign every request, with oauth_body_hash (SHA-256) on every one, GET included. Production is https://api.mastercard.com.",
        ..DEFAULTS
    },
    Preset {
        name: "lti",
        title: "LTI 1.1 (tool launches and the Outcomes service)",
        docs: "https://www.imsglobal.org/specs/ltiv1p1p1/implementation-guide",
        legs: Legs::One,
        api_url: Some("{base}"),
        request_token_url: "",
        authorize_url: "",
        access_token_url: "",
        body_hash: true,
        oob: false,
        notes: "One-legged HMAC-SHA1 with the key and secret shared between the LMS and the tool. Launches are form POSTs from the user's browser with the OAuth parameters in the form body: a tool verifies them with countersign::verify::Verifier (Location::Body). Outcomes (replaceResult, readResult) are XML POSTs to lis_outcome_service_url ({base}) with oauth_body_hash, which this profile's authenticator sends.",
        ..DEFAULTS
    },
];

/// Every built-in provider, in a fixed order.
///
/// ```
/// let names: Vec<String> = countersign::providers::all().into_iter().map(|p| p.name).collect();
/// assert!(names.contains(&"discogs".to_owned()));
/// ```
#[must_use]
pub fn all() -> Vec<ProviderSpec> {
    PRESETS.iter().map(ProviderSpec::from).collect()
}

/// The built-in provider called `name` (case-insensitive), if there is one.
#[must_use]
pub fn find(name: &str) -> Option<ProviderSpec> {
    PRESETS
        .iter()
        .find(|p| p.name.eq_ignore_ascii_case(name))
        .map(ProviderSpec::from)
}
