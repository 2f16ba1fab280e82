//! The crate's error type, by category: [`ParseError`] (input that does not parse), [`Misuse`]
//! (a request the API refuses to carry out), [`FlowError`] (the three-legged flow ended without
//! credentials), and the provider's answer ([`ProviderError`]).
//!
//! A caller matches a category, then, where it matters, a variant:
//!
//! ```
//! use countersign::{Error, FlowError, TokenResponse};
//!
//! match TokenResponse::parse(b"oauth_token=t") {
//!     Err(Error::Parse(e)) => println!("the provider's answer is malformed: {e}"),
//!     Err(Error::Flow(FlowError::Denied)) => println!("the user said no"),
//!     Err(other) => println!("{other}"),
//!     Ok(_) => unreachable!(),
//! }
//! ```

use alloc::boxed::Box;
use alloc::string::String;
use core::fmt;

use crate::encode::DecodeError;
use crate::response::ProviderError;

/// Which input an error was found in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Context {
    /// A provider's token response (a form-encoded body).
    TokenResponse,
    /// A callback URL or its query string.
    Callback,
    /// An `Authorization` header value.
    AuthorizationHeader,
    /// A request URL (its query, when the error is about a parameter).
    Url,
    /// A request's `application/x-www-form-urlencoded` body.
    FormBody,
}

impl fmt::Display for Context {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::TokenResponse => "token response",
            Self::Callback => "callback",
            Self::AuthorizationHeader => "Authorization header",
            Self::Url => "URL",
            Self::FormBody => "form body",
        })
    }
}

/// Everything that can go wrong in this crate, by category.
///
/// Messages name the parameter or field involved, never a secret value. Values that came from the
/// other side (an `oauth_problem`, an unknown parameter name) are printed escaped, so they cannot
/// forge log lines.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// Input that does not parse: a token response, a callback, an `Authorization` header, a URL,
    /// a form body, an HTTP date, the identity JSON, a signature method's name.
    Parse(ParseError),
    /// A request the API refuses to carry out: secrets over plain `http://`, a callback that is
    /// not a URL, a value that cannot travel in a header, a nonce outside its alphabet.
    Misuse(Misuse),
    /// The three-legged flow ended without credentials: the user denied access, the request token
    /// expired, the callback is about another token.
    Flow(FlowError),
    /// The provider answered, and not with what was asked: a status outside 2xx (with what the
    /// provider said about it), or a 2xx answer the protocol cannot read.
    Provider(Box<ProviderError>),
    /// The random source failed to produce a nonce.
    Random,
    /// The output writer given to a `write_to` method failed.
    Write,
}

/// Input that does not parse: what was malformed, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ParseError {
    /// A value's percent-encoding is broken.
    Decode {
        /// Where the value was.
        context: Context,
        /// What is wrong with it.
        error: DecodeError,
        /// The name of the parameter whose value it is, when that is known (decoded, cut to 200
        /// bytes; never the value). `None` when the name itself did not decode, or the input
        /// as a whole did not (a body that is not UTF-8).
        name: Option<String>,
    },
    /// The input was empty where parameters were expected.
    Empty {
        /// What was empty.
        context: Context,
    },
    /// A required parameter is absent.
    MissingParameter {
        /// Where it was expected.
        context: Context,
        /// The parameter's name.
        name: &'static str,
    },
    /// A required parameter is present but empty.
    EmptyParameter {
        /// Where it was found.
        context: Context,
        /// The parameter's name.
        name: &'static str,
    },
    /// A parameter that may appear once appears more than once.
    DuplicateParameter {
        /// Where it was found.
        context: Context,
        /// The parameter's name.
        name: String,
    },
    /// Two parameters that exclude each other are both present (for example `denied` and
    /// `oauth_verifier` in a callback).
    ConflictingParameters {
        /// Where they were found.
        context: Context,
        /// The two names.
        names: (&'static str, &'static str),
    },
    /// An `Authorization` header value is not well formed.
    MalformedHeader {
        /// Byte offset in the header value where parsing stopped.
        offset: usize,
        /// What was expected there.
        expected: &'static str,
    },
    /// An `Authorization` header uses a scheme other than `OAuth`.
    NotOAuthScheme,
    /// A URL could not be understood.
    Url {
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A signature method's name is not one this build supports.
    SignatureMethod {
        /// The name that was given.
        name: String,
    },
    /// A `Date` (or `Retry-After`) value is not an HTTP date.
    HttpDate,
    /// An RSA key could not be loaded.
    RsaKey {
        /// What is wrong with it, and what to do (never the key's bytes).
        problem: &'static str,
    },
    /// The identity resource's answer is not the JSON expected.
    Identity {
        /// What the JSON parser said (it names positions and types, not secrets).
        detail: String,
    },
}

/// A header field (or a value bound for one) that [`Misuse::HeaderValue`] is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Field {
    /// `User-Agent`.
    UserAgent,
    /// `Authorization`.
    Authorization,
    /// A consumer key or secret sent as it is (a provider's key/secret scheme).
    ConsumerKey,
    /// A personal token sent as it is.
    PersonalToken,
    /// An HTTP method.
    Method,
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::UserAgent => "User-Agent",
            Self::Authorization => "Authorization",
            Self::ConsumerKey => "consumer key or secret",
            Self::PersonalToken => "personal token",
            Self::Method => "HTTP method",
        })
    }
}

/// A request the API refuses to carry out.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Misuse {
    /// The signature method (or credential mode) sends secrets in the clear and the URL is
    /// `http://` to a host that is not loopback.
    InsecureTransport,
    /// `oauth_callback` is neither an absolute URL nor `oob` (RFC 5849 section 2.1).
    InvalidCallback,
    /// A realm contains a control character, which cannot travel in a header.
    InvalidRealm,
    /// A value contains a character that cannot be sent in the header it was to go in.
    HeaderValue {
        /// The field.
        field: Field,
    },
    /// An extension parameter's name does not start with `oauth_`, or is one the signer writes
    /// itself.
    ExtensionParameterName,
    /// A nonce is empty, longer than 64 characters, or has characters outside
    /// `A-Z a-z 0-9 - . _ ~`.
    InvalidNonce,
    /// The signature method signs the timestamp and nonce, and one of them is missing.
    TimestampAndNonceRequired,
    /// The provider requires a User-Agent (Discogs blocks requests without one) and none is
    /// configured.
    UserAgentRequired,
    /// A form body that the signature method signs is a stream, which cannot be read to sign it.
    StreamedFormBody,
    /// The body of a request whose credentials send `oauth_body_hash` is a stream, which cannot
    /// be read to hash it.
    StreamedBodyHash,
    /// An identity request, and the profile has no identity URL.
    NoIdentityUrl,
    /// A consumer key or personal token is to be sent as it is, and the profile has no scheme
    /// for that (Discogs' `Authorization: Discogs token=...` is one).
    NoKeyScheme,
    /// `oauth_body_hash` was asked for with PLAINTEXT, which signs nothing of the request, so a
    /// body hash would prove nothing.
    BodyHashWithPlaintext,
    /// `oauth_body_hash` was asked for on a request with an
    /// `application/x-www-form-urlencoded` body, whose parameters are signed themselves (the
    /// body hash draft forbids it).
    BodyHashWithFormBody,
    /// An RSA signature method, and the client credentials hold no RSA private key
    /// (`ClientCredentials::with_rsa_key`, with an RSA feature).
    RsaKeyRequired,
    /// The RSA private key could not sign (the `rsa` crate refused it).
    RsaSigning,
    /// [`Signer::body_hashes`](crate::Signer::body_hashes) on a one-shot signature, which takes
    /// its hash from [`Signer::body_hash`](crate::Signer::body_hash).
    BodyHashesNeedPrepare,
    /// A provider spec uses a variable that was not given
    /// ([`providers::Variables`](crate::providers::Variables)).
    ProfileVariable {
        /// `base`, `account` or `app`.
        variable: &'static str,
    },
    /// A provider spec's template has an unknown or unclosed `{...}`.
    ProfileTemplate,
    /// A one-legged provider has no three-legged flow, so no profile for one.
    OneLegged,
}

/// How the three-legged flow ended without credentials.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum FlowError {
    /// The user refused to authorize the request token (`denied=...` in the callback).
    Denied,
    /// The callback is about a request token other than the pending one: a stale or forged
    /// redirect.
    TokenMismatch,
    /// The request token is past its lifetime (Discogs: 15 minutes after it was issued).
    RequestTokenExpired,
    /// A temporary-credentials response lacks `oauth_callback_confirmed=true` (RFC 5849 section
    /// 2.1): the provider did not accept the callback, or does not speak OAuth 1.0a.
    CallbackNotConfirmed,
    /// The provider reported a problem in a token response (`oauth_problem`, from the OAuth
    /// problem-reporting extension).
    Problem {
        /// The `oauth_problem` value, such as `token_expired` or `signature_invalid`.
        problem: String,
        /// The `oauth_problem_advice` value, if the provider sent one.
        advice: Option<String>,
    },
    /// Renewal was asked for, but the provider sent no `oauth_session_handle`.
    NoSessionHandle,
}

/// Longest excerpt of provider-sent text kept in an error.
pub(crate) const EXCERPT_LEN: usize = 200;

/// Keeps at most [`EXCERPT_LEN`] bytes of `s`, on a character boundary.
pub(crate) fn excerpt(s: &str) -> String {
    let mut end = s.len().min(EXCERPT_LEN);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s.get(..end).unwrap_or_default().into()
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Parse(e) => fmt::Display::fmt(e, f),
            Self::Misuse(e) => fmt::Display::fmt(e, f),
            Self::Flow(e) => fmt::Display::fmt(e, f),
            Self::Provider(e) => fmt::Display::fmt(e, f),
            Self::Random => f.write_str(
                "the operating system's random source failed to produce a nonce: retry, or supply nonces yourself",
            ),
            Self::Write => f.write_str("the output writer failed"),
        }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Decode {
                context,
                error,
                name,
            } => {
                match context {
                    Context::Url => f.write_str("URL query")?,
                    other => write!(f, "{other}")?,
                }
                if let Some(name) = name {
                    write!(f, ", value of {name:?}")?;
                }
                write!(f, ": {error}")?;
                if *error == DecodeError::InvalidUtf8 {
                    f.write_str(": encode text as UTF-8 before percent-encoding it")?;
                }
                Ok(())
            }
            Self::Empty {
                context: Context::Callback,
            } => f.write_str(
                "callback has no parameters: a callback carries the oauth_token and oauth_verifier the provider added to the redirect; pass the full redirect URL as received, or its query string",
            ),
            Self::Empty { context } => write!(
                f,
                "{context} is empty: expected form-encoded parameters such as oauth_token=...&oauth_token_secret=... (check that the request went to the provider's token endpoint)"
            ),
            Self::MissingParameter { context, name } => {
                write!(f, "{context} has no {name} parameter")
            }
            Self::EmptyParameter { context, name } => {
                write!(f, "{context} has an empty {name} parameter")
            }
            Self::DuplicateParameter { context, name } => write!(
                f,
                "{context} carries the parameter {name:?} more than once; each may appear once"
            ),
            Self::ConflictingParameters {
                context,
                names: (a, b),
            } => write!(f, "{context} carries both {a} and {b}, which exclude each other"),
            Self::MalformedHeader { offset, expected } => write!(
                f,
                "malformed Authorization header at byte {offset}: expected {expected}"
            ),
            Self::NotOAuthScheme => f.write_str(
                "Authorization header does not use the OAuth scheme: expected a value starting with \"OAuth \"",
            ),
            Self::Url { reason } => write!(f, "invalid URL: {reason}"),
            Self::SignatureMethod { name } => {
                write!(f, "unknown or unsupported signature method {name:?}: use one of")?;
                for (i, method) in crate::SignatureMethod::ALL.iter().enumerate() {
                    f.write_str(if i == 0 { " " } else { ", " })?;
                    f.write_str(method.as_str())?;
                }
                Ok(())
            }
            Self::HttpDate => f.write_str(
                "Date is not an HTTP date: expected an IMF-fixdate such as \"Sun, 06 Nov 1994 08:49:37 GMT\"; a provider or proxy that sends a malformed Date header gives no clock to correct against, so fix the header or the system clock",
            ),
            Self::RsaKey { problem } => write!(f, "cannot load the RSA key: {problem}"),
            Self::Identity { detail } => {
                write!(f, "the identity resource's answer is not the expected JSON: {detail:?}")
            }
        }
    }
}

impl fmt::Display for Misuse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InsecureTransport => f.write_str(
                "refusing to send secrets in the clear over http:// to a non-loopback host: use https://, or opt in with the dangerous insecure-http switch if this is really intended",
            ),
            Self::InvalidCallback => f.write_str(
                "invalid oauth_callback: use an absolute URL such as https://app.example/callback, or oob for out-of-band verification",
            ),
            Self::InvalidRealm => f.write_str(
                "realm contains a control character, which cannot be sent in a header: remove it",
            ),
            Self::HeaderValue { field } => write!(
                f,
                "{field} contains a character that cannot be sent in a header (a control character, '\"' or ','): remove it"
            ),
            Self::BodyHashWithPlaintext => f.write_str(
                "oauth_body_hash needs a signature method that signs the request (HMAC-SHA1, HMAC-SHA256, HMAC-SHA512, RSA-SHA1, RSA-SHA256): PLAINTEXT signs nothing of the body",
            ),
            Self::BodyHashWithFormBody => f.write_str(
                "oauth_body_hash is never sent with an application/x-www-form-urlencoded body: its parameters are signed themselves; leave the body hash out",
            ),
            Self::RsaKeyRequired => f.write_str(
                "RSA-SHA1 and RSA-SHA256 sign with the client's RSA private key, and these client credentials have none: load it with RsaPrivateKey::from_pem and give it with ClientCredentials::with_rsa_key (countersign: --private-key PATH)",
            ),
            Self::RsaSigning => f.write_str(
                "the RSA private key could not sign: check that it is a valid RSA key of 1024 to 4096 bits (openssl pkey -in key.pem -check -noout)",
            ),
            Self::ProfileVariable { variable } => {
                let (what, flag) = match *variable {
                    "base" => ("its base URL (https://jira.example.com)", "--base-url"),
                    "account" => ("the account ID (1234567 or 1234567_SB1)", "--account"),
                    _ => ("the application's name", "--app-name"),
                };
                write!(
                    f,
                    "this provider's profile needs {what}: give it with Variables::{variable} (countersign login {flag})"
                )
            }
            Self::BodyHashesNeedPrepare => f.write_str(
                "body_hashes hashes each request's body for a prepared signer: call prepare() and sign with it, or give this one request its hash with body_hash(&BodyHash::new(method, body)?)",
            ),
            Self::OneLegged => f.write_str(
                "this provider is one-legged: there is no login flow; sign each request with the consumer's own credentials (ProviderSpec::authenticator; countersign sign)",
            ),
            Self::ProfileTemplate => f.write_str(
                "a provider profile's URL or realm has an unknown or unclosed {...}: use only {base}, {account}, {account_host} and {app}",
            ),
            Self::ExtensionParameterName => f.write_str(
                "the extension parameter name must start with oauth_ and must not be a protocol parameter the signer writes itself (oauth_consumer_key, oauth_token, oauth_signature_method, oauth_signature, oauth_timestamp, oauth_nonce, oauth_version, oauth_callback, oauth_verifier): use the extension's own oauth_ name, and the signer's own settings for the others",
            ),
            Self::InvalidNonce => f.write_str(
                "invalid nonce: use 1 to 64 characters from A-Z a-z 0-9 - . _ ~",
            ),
            Self::TimestampAndNonceRequired => f.write_str(
                "this signature method signs oauth_timestamp and oauth_nonce: set both (only PLAINTEXT may leave them out)",
            ),
            Self::UserAgentRequired => f.write_str(
                "this provider requires a User-Agent on every request: configure one that names your application",
            ),
            Self::StreamedBodyHash => f.write_str(
                "not supported: a body hash of a streamed body: build the body in memory",
            ),
            Self::StreamedFormBody => f.write_str(
                "not supported: signing a streamed form body: build the form in memory",
            ),
                        Self::NoIdentityUrl => f.write_str(
                "not supported: an identity request: the provider profile has no identity URL; set one with its builder's identity_url",
            ),
            Self::NoKeyScheme => f.write_str(
                "not supported: sending a consumer key or personal token as it is: the provider profile names no scheme for it (the Discogs profile has one); use OAuth 1.0a, or give the profile a key scheme",
            ),
        }
    }
}

impl fmt::Display for FlowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Denied => f.write_str(
                "the user denied access: nothing to do but start the flow again if they change their mind",
            ),
            Self::TokenMismatch => f.write_str(
                "the callback's oauth_token is not the pending request token: a stale or forged redirect; start the flow again",
            ),
            Self::RequestTokenExpired => f.write_str(
                "the request token has expired (they live 15 minutes at Discogs): start the flow again",
            ),
            Self::CallbackNotConfirmed => f.write_str(
                "temporary-credentials response lacks oauth_callback_confirmed=true: the provider did not confirm the callback (is it an OAuth 1.0a provider, and was oauth_callback sent?)",
            ),
            Self::Problem { problem, advice } => {
                write!(f, "provider reported oauth_problem={problem:?}")?;
                if let Some(advice) = advice {
                    write!(f, " (advice: {advice:?})")?;
                }
                Ok(())
            }
            Self::NoSessionHandle => f.write_str(
                "the provider sent no oauth_session_handle, so these credentials cannot be renewed: start the flow again",
            ),
        }
    }
}

impl core::error::Error for Error {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            Self::Parse(e) => Some(e),
            Self::Misuse(e) => Some(e),
            Self::Flow(e) => Some(e),
            Self::Provider(e) => Some(&**e),
            Self::Random | Self::Write => None,
        }
    }
}

impl core::error::Error for ParseError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            Self::Decode { error, .. } => Some(error),
            _ => None,
        }
    }
}

impl core::error::Error for Misuse {}
impl core::error::Error for FlowError {}

impl From<ParseError> for Error {
    fn from(e: ParseError) -> Self {
        Self::Parse(e)
    }
}

impl From<Misuse> for Error {
    fn from(e: Misuse) -> Self {
        Self::Misuse(e)
    }
}

impl From<FlowError> for Error {
    fn from(e: FlowError) -> Self {
        Self::Flow(e)
    }
}

impl From<ProviderError> for Error {
    fn from(e: ProviderError) -> Self {
        Self::Provider(Box::new(e))
    }
}

impl From<fmt::Error> for Error {
    fn from(_: fmt::Error) -> Self {
        Self::Write
    }
}

impl Error {
    /// A decode error about no parameter in particular (the name did not decode, or the input
    /// as a whole did not).
    pub(crate) const fn decode(context: Context, error: DecodeError) -> Self {
        Self::Parse(ParseError::Decode {
            context,
            error,
            name: None,
        })
    }

    /// A decode error in the value of the parameter `name` (decoded; never pass the value).
    pub(crate) fn decode_value_of(context: Context, name: &str, error: DecodeError) -> Self {
        Self::Parse(ParseError::Decode {
            context,
            error,
            name: Some(excerpt(name)),
        })
    }

    /// The provider's answer, when this error is one.
    #[must_use]
    pub fn provider(&self) -> Option<&ProviderError> {
        match self {
            Self::Provider(e) => Some(e),
            _ => None,
        }
    }

    /// Whether this error is a provider's 401 (the only status the clock-skew retry looks at).
    #[must_use]
    pub fn is_unauthorized(&self) -> bool {
        self.provider().is_some_and(|e| e.status == 401)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn messages_are_lowercase_and_escape_foreign_text() {
        let e = Error::Flow(FlowError::Problem {
            problem: "bad\nline".into(),
            advice: None,
        });
        let msg = e.to_string();
        assert!(!msg.contains('\n'), "{msg}");
        assert!(msg.starts_with("provider reported"));
    }

    #[test]
    fn excerpt_respects_char_boundaries() {
        let s = "é".repeat(150);
        let e = excerpt(&s);
        assert!(e.len() <= EXCERPT_LEN);
        assert!(e.chars().all(|c| c == 'é'));
    }

    #[test]
    fn decode_messages_name_where_and_which() {
        let e = Error::decode_value_of(Context::Url, "q", DecodeError::InvalidUtf8);
        assert_eq!(
            e.to_string(),
            "URL query, value of \"q\": percent-decoded value is not valid UTF-8: encode text as UTF-8 before percent-encoding it"
        );
        let e = Error::decode(Context::TokenResponse, DecodeError::InvalidUtf8);
        assert!(e.to_string().starts_with("token response: "), "{e}");
    }
}
