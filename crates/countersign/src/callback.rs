//! Parsing the callback: where the provider sends the user back after authorization (RFC 5849
//! section 2.2), with `oauth_token` and `oauth_verifier` appended to the callback's own query, or
//! `denied=...` when the user refused.

use alloc::borrow::Cow;

use crate::ParseError;
use crate::form::{Flavor, RawPairs};
use crate::{Context, Error, SecretStr};

const CONTEXT: Context = Context::Callback;

/// What the provider said through the callback.
///
/// ```
/// use countersign::Callback;
///
/// let url = "http://client.example.net/cb?x=1&oauth_token=hdk48Djdsa&oauth_verifier=473f82d3";
/// match Callback::parse(url)? {
///     Callback::Approved { token, verifier } => {
///         assert_eq!(token, "hdk48Djdsa");
///         assert!(verifier.ct_eq("473f82d3"));
///     }
///     Callback::Denied { .. } => unreachable!(),
///     _ => unreachable!("non-exhaustive"),
/// }
/// assert!(matches!(Callback::parse("?denied=hdk48Djdsa")?, Callback::Denied { .. }));
/// # Ok::<(), countersign::Error>(())
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Callback<'a> {
    /// The user approved: the request token and the verifier for the token-credentials request.
    Approved {
        /// `oauth_token`: the request token, to check against the pending one.
        token: Cow<'a, str>,
        /// `oauth_verifier`.
        verifier: SecretStr<'a>,
    },
    /// The user refused (`denied=<request token>`, as Discogs and Twitter send it).
    Denied {
        /// The request token that was denied.
        token: Cow<'a, str>,
    },
}

/// Fills `slot`, or refuses a second value (which is dropped: a [`SecretStr`] is cleared).
fn set_once<T>(slot: &mut Option<T>, value: T, name: &'static str) -> Result<(), Error> {
    if slot.is_some() {
        return Err(Error::Parse(ParseError::DuplicateParameter {
            context: CONTEXT,
            name: name.into(),
        }));
    }
    *slot = Some(value);
    Ok(())
}

impl<'a> Callback<'a> {
    /// Parses a callback from the full URL the user arrived at, or from its query string (with or
    /// without the leading `?`).
    ///
    /// Parameters other than `oauth_token`, `oauth_verifier` and `denied` belong to the callback
    /// URL itself and are ignored. `+` is not a space here.
    ///
    /// # Errors
    /// [`ParseError::Empty`](crate::ParseError::Empty) when there is no query; [`ParseError::MissingParameter`](crate::ParseError::MissingParameter) or
    /// [`ParseError::EmptyParameter`](crate::ParseError::EmptyParameter) for `oauth_token` and `oauth_verifier`;
    /// [`ParseError::DuplicateParameter`](crate::ParseError::DuplicateParameter) when one of the three appears twice;
    /// [`ParseError::ConflictingParameters`](crate::ParseError::ConflictingParameters) for `denied` with `oauth_verifier`; [`ParseError::Decode`](crate::ParseError::Decode) for a
    /// bad escape in one of the three; [`ParseError::Url`](crate::ParseError::Url) for a URL that cannot be split.
    pub fn parse(url_or_query: &'a str) -> Result<Self, Error> {
        let query = crate::url::callback_query(url_or_query)?;
        if query.is_empty() {
            return Err(Error::Parse(ParseError::Empty { context: CONTEXT }));
        }
        let (mut token, mut verifier, mut denied) = (None, None, None);
        for (raw_name, raw_value) in RawPairs::new(query) {
            let Ok(name) = Flavor::Query.decode(raw_name) else {
                // Not one of ours: the callback URL's own business.
                continue;
            };
            let name = match &*name {
                "oauth_token" => "oauth_token",
                "oauth_verifier" => "oauth_verifier",
                "denied" => "denied",
                _ => continue,
            };
            let value = Flavor::Query
                .decode(raw_value)
                .map_err(|e| Error::decode(CONTEXT, e))?;
            match name {
                // A secret from the moment it is decoded: cleared on every way out (a duplicate,
                // `denied` next to it, a later error).
                "oauth_verifier" => set_once(&mut verifier, SecretStr::new(value), name)?,
                "oauth_token" => set_once(&mut token, value, name)?,
                _ => set_once(&mut denied, value, name)?,
            }
        }
        if let Some(denied) = denied {
            if verifier.is_some() {
                return Err(Error::Parse(ParseError::ConflictingParameters {
                    context: CONTEXT,
                    names: ("denied", "oauth_verifier"),
                }));
            }
            return Ok(Self::Denied { token: denied });
        }
        let token = required(token, "oauth_token", |t| t.is_empty())?;
        let verifier = required(verifier, "oauth_verifier", |v| v.expose_secret().is_empty())?;
        Ok(Self::Approved { token, verifier })
    }

    /// The request token the callback is about (approved or denied).
    #[must_use]
    pub fn token(&self) -> &str {
        match self {
            Self::Approved { token, .. } | Self::Denied { token } => token,
        }
    }
}

fn required<T>(
    value: Option<T>,
    name: &'static str,
    is_empty: impl FnOnce(&T) -> bool,
) -> Result<T, Error> {
    match value {
        None => Err(Error::Parse(ParseError::MissingParameter {
            context: CONTEXT,
            name,
        })),
        Some(v) if is_empty(&v) => Err(Error::Parse(ParseError::EmptyParameter {
            context: CONTEXT,
            name,
        })),
        Some(v) => Ok(v),
    }
}
