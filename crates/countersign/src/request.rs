//! [`Request`]: what is being signed.

/// The request being signed: method, absolute URL (with its query), and the body when it is
/// `application/x-www-form-urlencoded`.
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
}

impl<'a> Request<'a> {
    /// A request with any method.
    #[must_use]
    pub const fn new(method: &'a str, url: &'a str) -> Self {
        Self {
            method,
            url,
            form_body: None,
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

    /// Attaches an `application/x-www-form-urlencoded` body.
    #[must_use]
    pub const fn with_form_body(mut self, body: &'a [u8]) -> Self {
        self.form_body = Some(body);
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
}
