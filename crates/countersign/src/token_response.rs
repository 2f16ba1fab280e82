//! Parsing a provider's token response (RFC 5849 sections 2.1 and 2.3): the
//! `application/x-www-form-urlencoded` body that carries `oauth_token` and `oauth_token_secret`.

use alloc::borrow::Cow;
use core::fmt;

use crate::form::{Flavor, RawPairs, decoded_pairs_where};
use crate::{Context, Error, SecretStr, TokenCredentials};
use crate::{FlowError, ParseError};

const CONTEXT: Context = Context::TokenResponse;

/// A parsed token response, borrowing from the body.
///
/// Nothing is allocated when no value needs decoding. Parameters beyond the token and its secret
/// (`oauth_expires_in`, `oauth_session_handle`, `user_id`, ...) are kept: see
/// [`get`](Self::get) and [`extra`](Self::extra).
///
/// ```
/// use countersign::TokenResponse;
///
/// let body = b"oauth_token=hdk48Djdsa&oauth_token_secret=xyz4992k83j47x0b&oauth_callback_confirmed=true";
/// let response = TokenResponse::parse_temporary(body)?;
/// assert_eq!(response.token(), "hdk48Djdsa");
/// assert_eq!(response.token_secret().expose_secret(), "xyz4992k83j47x0b");
///
/// let credentials = response.into_credentials();
/// assert_eq!(credentials.token(), "hdk48Djdsa");
/// # Ok::<(), countersign::Error>(())
/// ```
#[derive(Clone)]
pub struct TokenResponse<'a> {
    body: &'a str,
    token: Cow<'a, str>,
    token_secret: SecretStr<'a>,
    callback_confirmed: Option<bool>,
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

/// The parameters [`TokenResponse`] takes apart itself.
const OWN: [&str; 3] = [
    "oauth_token",
    "oauth_token_secret",
    "oauth_callback_confirmed",
];

impl<'a> TokenResponse<'a> {
    /// Parses a token response body (the answer to a temporary-credentials, token-credentials or
    /// renewal request).
    ///
    /// Leading and trailing whitespace is ignored; `+` is a space; every name and value must
    /// percent-decode to UTF-8.
    ///
    /// # Errors
    /// - [`FlowError::Problem`](crate::FlowError::Problem) when the body carries `oauth_problem`;
    /// - [`ParseError::Empty`](crate::ParseError::Empty) for an empty body;
    /// - [`ParseError::MissingParameter`](crate::ParseError::MissingParameter) without `oauth_token` or `oauth_token_secret`;
    /// - [`ParseError::EmptyParameter`](crate::ParseError::EmptyParameter) for an empty `oauth_token` (the secret may be empty);
    /// - [`ParseError::DuplicateParameter`](crate::ParseError::DuplicateParameter) when `oauth_token`, `oauth_token_secret`,
    ///   `oauth_callback_confirmed` or `oauth_problem` appears twice;
    /// - [`ParseError::Decode`](crate::ParseError::Decode) for a bad percent-escape or a value that is not UTF-8.
    pub fn parse(body: &'a [u8]) -> Result<Self, Error> {
        let body = core::str::from_utf8(body)
            .map_err(|_| Error::decode(CONTEXT, crate::DecodeError::InvalidUtf8))?
            .trim_matches(|c: char| c.is_ascii_whitespace());
        if body.is_empty() {
            return Err(Error::Parse(ParseError::Empty { context: CONTEXT }));
        }
        let (mut token, mut secret, mut confirmed, mut problem, mut advice) =
            (None, None, None, None, None);
        for (raw_name, raw_value) in RawPairs::new(body) {
            let name = Flavor::Form
                .decode(raw_name)
                .map_err(|e| Error::decode(CONTEXT, e))?;
            // Every value is held as a secret from the moment it is decoded, so that whatever
            // path leaves this loop (a duplicate, a later error, a parameter that is not ours
            // such as `oauth_session_handle`) clears the decoded copy; the public ones are let
            // out below.
            let value = SecretStr::new(
                Flavor::Form
                    .decode(raw_value)
                    .map_err(|e| Error::decode(CONTEXT, e))?,
            );
            match &*name {
                "oauth_token" => set_once(&mut token, value.into_public(), "oauth_token")?,
                "oauth_token_secret" => set_once(&mut secret, value, "oauth_token_secret")?,
                "oauth_callback_confirmed" => {
                    set_once(
                        &mut confirmed,
                        value.into_public(),
                        "oauth_callback_confirmed",
                    )?;
                }
                "oauth_problem" => set_once(&mut problem, value.into_public(), "oauth_problem")?,
                "oauth_problem_advice" => {
                    set_once(&mut advice, value.into_public(), "oauth_problem_advice")?;
                }
                _ => {}
            }
        }
        if let Some(problem) = problem {
            return Err(Error::Flow(FlowError::Problem {
                problem: crate::error::excerpt(&problem),
                advice: advice.map(|a| crate::error::excerpt(&a)),
            }));
        }
        let token = token.ok_or(Error::Parse(ParseError::MissingParameter {
            context: CONTEXT,
            name: "oauth_token",
        }))?;
        if token.is_empty() {
            return Err(Error::Parse(ParseError::EmptyParameter {
                context: CONTEXT,
                name: "oauth_token",
            }));
        }
        let secret = secret.ok_or(Error::Parse(ParseError::MissingParameter {
            context: CONTEXT,
            name: "oauth_token_secret",
        }))?;
        Ok(Self {
            body,
            token,
            token_secret: secret,
            callback_confirmed: confirmed.map(|c| c == "true"),
        })
    }

    /// Parses the answer to a temporary-credentials request, which must also carry
    /// `oauth_callback_confirmed=true` (RFC 5849 section 2.1).
    ///
    /// # Errors
    /// As [`parse`](Self::parse), and [`FlowError::CallbackNotConfirmed`](crate::FlowError::CallbackNotConfirmed) when
    /// `oauth_callback_confirmed` is absent or not `true`.
    pub fn parse_temporary(body: &'a [u8]) -> Result<Self, Error> {
        let response = Self::parse(body)?;
        if response.callback_confirmed != Some(true) {
            return Err(Error::Flow(FlowError::CallbackNotConfirmed));
        }
        Ok(response)
    }

    /// `oauth_token`.
    #[must_use]
    pub fn token(&self) -> &str {
        &self.token
    }

    /// `oauth_token_secret`.
    #[must_use]
    pub fn token_secret(&self) -> &SecretStr<'a> {
        &self.token_secret
    }

    /// Whether `oauth_callback_confirmed=true` was present.
    #[must_use]
    pub fn callback_confirmed(&self) -> bool {
        self.callback_confirmed == Some(true)
    }

    /// The first value of any parameter other than `oauth_token_secret`, decoded.
    ///
    /// # Security
    /// Some of these are credentials (`oauth_session_handle`): a decoded value is a copy that is
    /// not cleared on drop, so keep it in a [`Secret`](crate::Secret) (`Secret::from`).
    #[must_use]
    pub fn get(&self, name: &str) -> Option<Cow<'a, str>> {
        if name == "oauth_token_secret" {
            return None;
        }
        // Only the value asked for is decoded: no other (the token secret among them) is copied.
        decoded_pairs_where(self.body, Flavor::Form, move |n| n == name)
            .next()
            .map(|(_, v)| v)
    }

    /// The parameters other than `oauth_token`, `oauth_token_secret` and
    /// `oauth_callback_confirmed`, decoded, in the order sent.
    ///
    /// # Security
    /// As [`get`](Self::get): some of them are credentials.
    pub fn extra(&self) -> impl Iterator<Item = (Cow<'a, str>, Cow<'a, str>)> + 'a {
        decoded_pairs_where(self.body, Flavor::Form, |n| !OWN.contains(&n))
    }

    /// The token and its secret as owned credentials.
    #[must_use]
    pub fn into_credentials(self) -> TokenCredentials {
        let Self {
            token,
            token_secret,
            ..
        } = self;
        TokenCredentials::new(token.into_owned(), token_secret.into_secret())
    }
}

impl fmt::Debug for TokenResponse<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Not `body`: it holds the secret.
        f.debug_struct("TokenResponse")
            .field("token", &self.token)
            .field("token_secret", &self.token_secret)
            .field("callback_confirmed", &self.callback_confirmed)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_shows_the_token_and_redacts_the_secret() {
        let body = b"oauth_token=hdk48Djdsa&oauth_token_secret=xyz4992k83j47x0b&oauth_callback_confirmed=true";
        let response = TokenResponse::parse(body).unwrap();
        let debug = alloc::format!("{response:?}");
        assert_eq!(
            debug,
            "TokenResponse { token: \"hdk48Djdsa\", token_secret: Secret([redacted]), \
             callback_confirmed: Some(true), .. }"
        );
    }
}
