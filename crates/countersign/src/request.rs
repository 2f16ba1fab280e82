//! [`Request`]: what is being signed; [`OutgoingRequest`]: what the flow asks the caller to send.

use alloc::string::String;
use alloc::vec::Vec;

/// The request being signed: method, absolute URL (with its query), and the body: its
/// parameters when it is `application/x-www-form-urlencoded`, or its bytes otherwise (only an
/// `oauth_body_hash` looks at those).
///
/// PLAINTEXT signs neither of them, but the URL decides whether secrets may be sent in the
/// clear, and signature methods that sign the request use all three.
///
/// ```
/// use countersign::Request;
///
/// let request = Request::post("https://api.discogs.com/oauth/access_token");
/// assert_eq!(request.method(), "POST");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Request<'a> {
    method: &'a str,
    url: &'a str,
    form_body: Option<&'a [u8]>,
    body: Option<&'a [u8]>,
}

impl<'a> Request<'a> {
    /// A request with any method.
    #[must_use]
    pub const fn new(method: &'a str, url: &'a str) -> Self {
        Self {
            method,
            url,
            form_body: None,
            body: None,
        }
    }

    /// A `GET` request.
    #[must_use]
    pub const fn get(url: &'a str) -> Self {
        Self::new("GET", url)
    }

    /// A `POST` request.
    #[must_use]
    pub const fn post(url: &'a str) -> Self {
        Self::new("POST", url)
    }

    /// Attaches an `application/x-www-form-urlencoded` body: its parameters are signed.
    #[must_use]
    pub const fn with_form_body(mut self, body: &'a [u8]) -> Self {
        self.form_body = Some(body);
        self.body = None;
        self
    }

    /// Attaches a body of another type (JSON, XML, an image): not signed as parameters, but
    /// what a provider checks an `oauth_body_hash` against
    /// ([`BodyHash`](crate::signature::BodyHash)).
    #[must_use]
    pub const fn with_body(mut self, body: &'a [u8]) -> Self {
        self.body = Some(body);
        self.form_body = None;
        self
    }

    /// The HTTP method.
    #[must_use]
    pub const fn method(&self) -> &'a str {
        self.method
    }

    /// The absolute URL, query included.
    #[must_use]
    pub const fn url(&self) -> &'a str {
        self.url
    }

    /// The form body, if any.
    #[must_use]
    pub const fn form_body(&self) -> Option<&'a [u8]> {
        self.form_body
    }

    /// The body of another type than a form, if any.
    #[must_use]
    pub const fn body(&self) -> Option<&'a [u8]> {
        self.body
    }
}

/// A request the core has described for the caller to send: method, URL, headers and body.
///
/// The `Authorization` value carries secrets (with PLAINTEXT): mark it sensitive in your HTTP
/// client. With the `http` feature, `OutgoingRequest::into_http` does that for you.
#[derive(Clone, Debug, PartialEq, Eq)]
#[must_use = "an outgoing request does nothing until it is sent"]
pub struct OutgoingRequest {
    method: String,
    url: String,
    authorization: crate::Authorization,
    user_agent: Option<String>,
    content_type: Option<&'static str>,
    body: Vec<u8>,
}

impl OutgoingRequest {
    pub(crate) fn new(
        method: &str,
        url: &str,
        authorization: crate::Authorization,
        user_agent: Option<&str>,
    ) -> Self {
        Self {
            method: method.into(),
            url: url.into(),
            authorization,
            user_agent: user_agent.map(Into::into),
            content_type: None,
            body: Vec::new(),
        }
    }

    /// The HTTP method.
    #[must_use]
    pub fn method(&self) -> &str {
        &self.method
    }

    /// The absolute URL, query included.
    #[must_use]
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The `Authorization` header value.
    #[must_use]
    pub fn authorization(&self) -> &crate::Authorization {
        &self.authorization
    }

    /// The `User-Agent` header value, when the provider configuration has one.
    #[must_use]
    pub fn user_agent(&self) -> Option<&str> {
        self.user_agent.as_deref()
    }

    /// The `Content-Type` header value, when there is a body.
    #[must_use]
    pub fn content_type(&self) -> Option<&'static str> {
        self.content_type
    }

    /// The body (empty for the flow's requests).
    #[must_use]
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// Every header to send, as `(name, value, sensitive)`.
    pub fn headers(&self) -> impl Iterator<Item = (&'static str, &str, bool)> {
        [
            Some(("Authorization", self.authorization.as_str(), true)),
            self.user_agent
                .as_deref()
                .map(|ua| ("User-Agent", ua, false)),
            self.content_type.map(|ct| ("Content-Type", ct, false)),
        ]
        .into_iter()
        .flatten()
    }
}
