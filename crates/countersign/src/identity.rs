//! The identity resource: who the access credentials belong to (Discogs' `/oauth/identity`).

use alloc::string::String;

use crate::Error;
use crate::ParseError;
use crate::response::Response;

/// Discogs' identity answer: `{"id": 1, "username": "example", "resource_url": "...",
/// "consumer_name": "Your Application Name"}`. Other fields are ignored.
///
/// ```
/// use countersign::identity::Identity;
///
/// let body = br#"{"id": 1, "username": "example", "resource_url": "https://api.discogs.com/users/example", "consumer_name": "Your Application Name"}"#;
/// let who = Identity::parse(body)?;
/// assert_eq!(who.username, "example");
/// # Ok::<(), countersign::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct Identity {
    /// The user's numeric id.
    pub id: u64,
    /// The user's name.
    pub username: String,
    /// The user's resource.
    pub resource_url: String,
    /// The application's name, as registered with the provider.
    pub consumer_name: String,
}

impl Identity {
    /// Parses the JSON body.
    ///
    /// # Errors
    /// [`ParseError::Identity`] when it is not the expected JSON.
    pub fn parse(body: &[u8]) -> Result<Self, Error> {
        serde_json::from_slice(body).map_err(|e| {
            Error::Parse(ParseError::Identity {
                detail: crate::error::excerpt(&alloc::format!("{e}")),
            })
        })
    }

    /// Classifies the response, then parses its body.
    ///
    /// # Errors
    /// [`Error::Provider`] for a non-2xx answer, then as [`parse`](Self::parse).
    pub fn from_response(response: &Response<'_>) -> Result<Self, Error> {
        Self::parse(response.classify()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_is_a_typed_error() {
        for body in [&b""[..], b"{}", b"[1]", b"{\"id\": \"one\"}", b"<html>"] {
            assert!(
                matches!(
                    Identity::parse(body),
                    Err(Error::Parse(ParseError::Identity { .. }))
                ),
                "{body:?}"
            );
        }
    }
}
