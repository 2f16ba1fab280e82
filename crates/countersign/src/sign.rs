//! Signing: the one-shot [`Signer`] and the [`PreparedSigner`] for repeated requests.

use alloc::borrow::Cow;
use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use zeroize::Zeroize;

use crate::Misuse;
use crate::base_string::{self, EncodedParam};
use crate::encode::{Counted, encode, encoded_exactly, encoded_len, push_encoded_with_len};
use crate::header::{self, Authorization, Head, SIGNATURE_OPEN};
use crate::signature::{BodyHash, Computed, Keyed, SigningKey};
use crate::transport::check_cleartext_allowed;
use crate::{ClientCredentials, Error, Request, Secret, SignatureMethod, TokenCredentials};

/// Builds an OAuth 1.0a `Authorization` header for one request (RFC 5849 section 3.5.1).
///
/// Everything is borrowed; nothing is allocated until the header is written. For many requests
/// with the same credentials, [`prepare`](Self::prepare) a [`PreparedSigner`] instead.
///
/// Parameters appear in a fixed order: `realm`, `oauth_consumer_key`, `oauth_token`,
/// `oauth_signature_method`, `oauth_callback`, `oauth_version`, `oauth_timestamp`,
/// `oauth_nonce`, an extension parameter, `oauth_verifier`, `oauth_signature`: the secrets last
/// (an extension parameter such as `oauth_session_handle` may be one), so that one tail of the
/// header holds all of them and is cleared when the header is dropped. Every name and value is
/// percent-encoded; the realm is a quoted string.
///
/// `Debug` shows the public parameters and redacts the secrets: the credentials' secrets, the
/// verifier and the extension parameter's value.
///
/// The RFC 5849 section 2.1 temporary-credentials request:
///
/// ```
/// use countersign::{ClientCredentials, Request, Signer};
///
/// let client = ClientCredentials::new("jd83jd92dhsh93js", "ja893SD9");
/// let header = Signer::new(&client)
///     .realm("Example")
///     .callback("http://client.example.net/cb?x=1")
///     .timestamp(137131200)
///     .nonce("wIjqoS")
///     .sign(&Request::post("https://server.example.com/request_temp_credentials"))?
///     .to_authorization();
/// assert_eq!(
///     header.as_str(),
///     "OAuth realm=\"Example\", oauth_consumer_key=\"jd83jd92dhsh93js\", \
///      oauth_signature_method=\"PLAINTEXT\", \
///      oauth_callback=\"http%3A%2F%2Fclient.example.net%2Fcb%3Fx%3D1\", \
///      oauth_version=\"1.0\", oauth_timestamp=\"137131200\", oauth_nonce=\"wIjqoS\", \
///      oauth_signature=\"ja893SD9%26\""
/// );
/// # Ok::<(), countersign::Error>(())
/// ```
#[derive(Clone, Copy)]
#[must_use = "a Signer does nothing until `sign` or `prepare` is called"]
pub struct Signer<'a> {
    client: &'a ClientCredentials,
    token: Option<&'a TokenCredentials>,
    method: SignatureMethod,
    realm: Option<&'a str>,
    callback: Option<&'a str>,
    extension: Option<(&'a str, &'a str)>,
    verifier: Option<&'a Secret>,
    version: bool,
    timestamp: Option<u64>,
    nonce: Option<&'a str>,
    allow_insecure_http: bool,
    body_hashes: bool,
}

impl<'a> Signer<'a> {
    /// A signer for the given client credentials, with PLAINTEXT and `oauth_version="1.0"`.
    pub const fn new(client: &'a ClientCredentials) -> Self {
        Self {
            client,
            token: None,
            method: SignatureMethod::Plaintext,
            realm: None,
            callback: None,
            extension: None,
            verifier: None,
            version: true,
            timestamp: None,
            nonce: None,
            allow_insecure_http: false,
            body_hashes: false,
        }
    }

    /// Signs with token credentials (temporary or access): sends `oauth_token` and uses the token
    /// secret.
    pub const fn token(mut self, token: &'a TokenCredentials) -> Self {
        self.token = Some(token);
        self
    }

    /// The signature method (default PLAINTEXT).
    pub const fn signature_method(mut self, method: SignatureMethod) -> Self {
        self.method = method;
        self
    }

    /// Adds a `realm` parameter (not part of any signature).
    pub const fn realm(mut self, realm: &'a str) -> Self {
        self.realm = Some(realm);
        self
    }

    /// Sends `oauth_callback`: an absolute URL, or `oob` for out-of-band verification. Only the
    /// temporary-credentials request carries it.
    pub const fn callback(mut self, callback: &'a str) -> Self {
        self.callback = Some(callback);
        self
    }

    /// Sends one protocol parameter of an OAuth extension, such as `oauth_session_handle` (the
    /// session extension's renewal) or `oauth_body_hash`. Its name must start with `oauth_` and
    /// not be one the signer writes itself. Its value is treated as a secret (the session handle
    /// is a credential): it goes after `oauth_nonce`, in the tail of the header that is cleared
    /// on drop, and `Debug` redacts it.
    pub const fn extension_param(mut self, name: &'a str, value: &'a str) -> Self {
        self.extension = Some((name, value));
        self
    }

    /// Sends `oauth_body_hash` (the OAuth Request Body Hash extension): the hash of the request's
    /// body, for a body that is not a form, computed with [`BodyHash::new`](crate::signature::BodyHash::new) for this signer's
    /// method. It is signed with the other protocol parameters, so the provider can tell the body
    /// was not changed. Refused with PLAINTEXT and with a form body (their parameters are signed
    /// themselves). One request at a time: a [`PreparedSigner`] would send the same hash with
    /// every request.
    ///
    /// ```
    /// # #[cfg(feature = "hmac-sha1")] {
    /// use countersign::signature::{BodyHash, SignatureMethod};
    /// use countersign::{ClientCredentials, Request, Signer};
    ///
    /// let client = ClientCredentials::new("consumer", "secret");
    /// let method = SignatureMethod::HmacSha1;
    /// let body = b"Hello World!";
    /// let hash = BodyHash::new(method, body)?;
    /// let header = Signer::new(&client)
    ///     .signature_method(method)
    ///     .body_hash(&hash)
    ///     .timestamp(1_236_874_155)
    ///     .nonce("10288510250934")
    ///     .sign(&Request::new("PUT", "http://www.example.com/resource").with_body(body))?
    ///     .to_authorization();
    /// assert!(header.as_str().contains(r#"oauth_body_hash="Lve95gjOVATpfV8EL5X4nxwjKHE%3D""#));
    /// # }
    /// # Ok::<(), countersign::Error>(())
    /// ```
    pub fn body_hash(self, hash: &'a crate::signature::BodyHash) -> Self {
        self.extension_param("oauth_body_hash", hash.as_str())
    }

    /// For the [`PreparedSigner`] this signer [`prepare`](Self::prepare)s: `oauth_body_hash` on
    /// every request whose body is not a form, computed per request from the body it signs (of
    /// the empty body when there is none), as Mastercard's APIs want on every call. A form body
    /// gets none (its parameters are signed themselves). The one-shot [`sign`](Self::sign) takes
    /// its hash from [`body_hash`](Self::body_hash) instead, and refuses this setting
    /// ([`Misuse::BodyHashesNeedPrepare`](crate::Misuse::BodyHashesNeedPrepare)) rather than
    /// send no hash.
    ///
    /// ```
    /// # #[cfg(feature = "hmac-sha256")] {
    /// use countersign::signature::{BodyHash, SignatureMethod};
    /// use countersign::{ClientCredentials, Request, Signer};
    ///
    /// let client = ClientCredentials::new("consumer", "secret");
    /// let signer = Signer::new(&client)
    ///     .signature_method(SignatureMethod::HmacSha256)
    ///     .body_hashes()
    ///     .prepare()?;
    /// let body = br#"{"amount": 1}"#;
    /// let request = Request::post("https://api.example/payments").with_body(body);
    /// let header = signer.sign(&request, 1_700_000_000, "n0nce")?;
    /// let hash = BodyHash::new(SignatureMethod::HmacSha256, body)?;
    /// assert!(header.as_str().contains(&format!(
    ///     "oauth_body_hash=\"{}\"",
    ///     countersign::encode::encode(hash.as_str())
    /// )));
    /// # }
    /// # Ok::<(), countersign::Error>(())
    /// ```
    pub const fn body_hashes(mut self) -> Self {
        self.body_hashes = true;
        self
    }

    /// Sends `oauth_verifier`. Only the token-credentials request carries it.
    pub const fn verifier(mut self, verifier: &'a Secret) -> Self {
        self.verifier = Some(verifier);
        self
    }

    /// Whether to send `oauth_version="1.0"` (default: yes). The RFC makes it optional.
    pub const fn version(mut self, send: bool) -> Self {
        self.version = send;
        self
    }

    /// The `oauth_timestamp`, in seconds since the Unix epoch. PLAINTEXT allows leaving it out.
    pub const fn timestamp(mut self, seconds: u64) -> Self {
        self.timestamp = Some(seconds);
        self
    }

    /// The `oauth_nonce`. PLAINTEXT allows leaving it out. See [`crate::nonce`] for generation.
    pub const fn nonce(mut self, nonce: &'a str) -> Self {
        self.nonce = Some(nonce);
        self
    }

    /// Allows sending secrets in the clear (PLAINTEXT) over `http://` to hosts that are not
    /// loopback.
    ///
    /// # Security
    /// Anyone on the path then reads the consumer secret and token secret. Only for providers you
    /// reach over a network you fully control.
    pub const fn dangerous_allow_insecure_http(mut self) -> Self {
        self.allow_insecure_http = true;
        self
    }

    /// Every fixed protocol parameter, the extension included: what is validated and signed.
    /// Its `write_to` writes the public start of the header, all but the extension, which the
    /// [`Tail`] writes with the other secrets.
    fn head(&self) -> Head<'a> {
        Head {
            realm: self.realm,
            consumer_key: self.client.counted_key(),
            token: self.token.map(TokenCredentials::counted_token),
            method: self.method,
            callback: self.callback,
            extension: self.extension,
            version: self.version,
        }
    }

    fn key(&self) -> SigningKey<'a> {
        SigningKey::of(
            self.client,
            self.token.map(TokenCredentials::counted_secret),
        )
    }

    fn tail<'c>(&self, computed: Option<&'c Computed>) -> Tail<'a, 'c> {
        Tail {
            extension: self.extension,
            verifier: self.verifier.map(Secret::expose_secret),
            key: self.key(),
            computed,
        }
    }

    /// The HMAC signature of `request`, for methods that sign the request. `nonce` is the
    /// signer's, counted once by [`sign`](Self::sign) for both the signature and the header.
    fn compute(
        &self,
        request: &Request<'_>,
        nonce: Option<Counted<'a>>,
    ) -> Result<Option<Computed>, Error> {
        if !self.method.signs_request() {
            return Ok(None); // PLAINTEXT: the signature is the key, written with the header.
        }
        let Some(mut mac) = Keyed::new(self.method, &self.key())? else {
            return Ok(None);
        };
        let (Some(timestamp), Some(nonce)) = (self.timestamp, nonce) else {
            return Err(Error::Misuse(Misuse::TimestampAndNonceRequired));
        };
        let mut digits = itoa::Buffer::new();
        let url = crate::url::split(request.url())?;
        // On the stack while there are few (the usual request): no allocation for them.
        let mut params: Few<'_, ONE_SHOT_FEW> = Few::new();
        base_string::for_each_request_param(request, &url, |p| params.push(p))?;
        // The names are the signer's own and the timestamp is digits: nothing to encode.
        let fresh = [
            (
                Cow::Borrowed("oauth_timestamp"),
                Cow::Borrowed(digits.format(timestamp)),
            ),
            (Cow::Borrowed("oauth_nonce"), nonce.encoded()),
        ];
        let verifier = self.verifier.map(|v| {
            (
                Cow::Borrowed("oauth_verifier"),
                encoded_exactly(v.expose_secret()),
            )
        });
        for param in self
            .head()
            .encoded_protocol_params()
            .chain(fresh)
            .chain(verifier)
        {
            params.push(param);
        }
        let params = params.as_mut_slice();
        base_string::write(&mut mac, request.method(), &url, params);
        // The encoded copies of the verifier and the extension value (and, alike, the rest).
        for (_, value) in params.iter_mut() {
            if let Cow::Owned(value) = value {
                value.zeroize();
            }
        }
        let mut signature = Computed::EMPTY;
        mac.finish_into(&mut signature)?;
        Ok(Some(signature))
    }

    fn check(&self, request: &Request<'_>) -> Result<(), Error> {
        if self.body_hashes {
            return Err(Error::Misuse(Misuse::BodyHashesNeedPrepare));
        }
        if self.method.sends_secrets_in_clear() {
            check_cleartext_allowed(request.url(), self.allow_insecure_http)?;
        }
        if let Some(("oauth_body_hash", _)) = self.extension
            && request.form_body().is_some()
        {
            return Err(Error::Misuse(crate::Misuse::BodyHashWithFormBody));
        }
        self.head().validate()
    }

    /// Signs `request`, returning a header that is written on demand.
    ///
    /// # Errors
    /// [`Misuse::InsecureTransport`](crate::Misuse::InsecureTransport) when PLAINTEXT would go over `http://` to a host that is not
    /// loopback, [`ParseError::Url`](crate::ParseError::Url) for a URL that is not absolute, [`Misuse::InvalidRealm`](crate::Misuse::InvalidRealm) for
    /// a realm with control characters, [`Misuse::InvalidCallback`](crate::Misuse::InvalidCallback) for a callback that is neither
    /// an absolute URL nor `oob`, [`Misuse::TimestampAndNonceRequired`](crate::Misuse::TimestampAndNonceRequired) for an HMAC method without
    /// them, [`ParseError::Decode`](crate::ParseError::Decode) for a query or form body that does not decode (HMAC).
    pub fn sign(self, request: &Request<'_>) -> Result<SignedHeader<'a>, Error> {
        self.check(request)?;
        let nonce = self.nonce.map(Counted::new);
        let computed = self.compute(request, nonce)?;
        Ok(SignedHeader {
            nonce,
            signer: self,
            computed,
        })
    }

    /// Encodes the fixed parts of the header once, for many requests with these credentials.
    /// The timestamp and nonce set here (if any) are not used: each request brings its own.
    ///
    /// # Errors
    /// [`Misuse::InvalidRealm`](crate::Misuse::InvalidRealm) for a realm with control characters.
    // Without an HMAC feature `Keyed` has no values, so the HMAC arm cannot run.
    #[cfg_attr(not(feature = "_digest"), allow(unreachable_code))]
    pub fn prepare(&self) -> Result<PreparedSigner, Error> {
        let head = self.head();
        head.validate()?;
        if self.body_hashes && !self.method.signs_request() {
            return Err(Error::Misuse(Misuse::BodyHashWithPlaintext));
        }
        if self.body_hashes && matches!(self.extension, Some(("oauth_body_hash", _))) {
            return Err(Error::Misuse(Misuse::ExtensionParameterName));
        }
        let public = self.head();
        let mut prefix = String::with_capacity(public.encoded_len() + TIMESTAMP_OPEN.len());
        public.write_to(&mut prefix)?;
        prefix.push_str(TIMESTAMP_OPEN);
        let tail = self.tail(None);
        let mut suffix = String::with_capacity(1 + tail.encoded_len());
        suffix.push('"');
        let hmac = match Keyed::new(self.method, &self.key())? {
            None => {
                tail.write_to(&mut suffix)?;
                None
            }
            Some(keyed) => {
                // The signature changes with every request: the suffix stops at its opening quote.
                tail.write_before_signature(&mut suffix)?;
                suffix.push_str(SIGNATURE_OPEN);
                let verifier = self.verifier.map(|v| ("oauth_verifier", v.expose_secret()));
                Some(Box::new(PreparedHmac::new(
                    keyed,
                    head.protocol_params().chain(verifier),
                )))
            }
        };
        Ok(PreparedSigner {
            prefix,
            suffix,
            method: self.method,
            allow_insecure_http: self.allow_insecure_http,
            body_hashes: self.body_hashes,
            hmac,
        })
    }
}

impl fmt::Debug for Signer<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        /// An extension parameter: its name, and its value redacted.
        struct Extension<'n>(&'n str);
        impl fmt::Debug for Extension<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "({:?}, [redacted])", self.0)
            }
        }
        f.debug_struct("Signer")
            .field("client", self.client)
            .field("token", &self.token)
            .field("method", &self.method)
            .field("realm", &self.realm)
            .field("callback", &self.callback)
            .field(
                "extension",
                &self.extension.map(|(name, _)| Extension(name)),
            )
            .field("verifier", &self.verifier)
            .field("version", &self.version)
            .field("timestamp", &self.timestamp)
            .field("nonce", &self.nonce)
            .field("allow_insecure_http", &self.allow_insecure_http)
            .finish()
    }
}

/// How many digits `n` has in decimal: what `itoa` writes, without writing it.
fn decimal_digits(n: u64) -> usize {
    n.checked_ilog10().map_or(1, |log| log as usize + 1)
}

/// Counts the bytes of a base string instead of keeping them.
struct Count(usize);

impl base_string::Sink for Count {
    fn put(&mut self, bytes: &[u8]) {
        self.0 += bytes.len();
    }
}

const TIMESTAMP_OPEN: &str = ", oauth_timestamp=\"";

/// The secret end of a header: the extension parameter and `oauth_verifier` (if any), and
/// `oauth_signature`.
#[derive(Clone, Copy)]
struct Tail<'a, 'c> {
    extension: Option<(&'a str, &'a str)>,
    verifier: Option<&'a str>,
    key: SigningKey<'a>,
    /// The HMAC signature; `None` for PLAINTEXT, which is written from the key.
    computed: Option<&'c Computed>,
}

impl Tail<'_, '_> {
    /// Writes the extension parameter and the verifier, each `, name="value"`.
    fn write_before_signature<W: fmt::Write + ?Sized>(&self, out: &mut W) -> fmt::Result {
        if let Some((name, value)) = self.extension {
            out.write_str(", ")?;
            encode(name).write_to(out)?;
            out.write_str("=\"")?;
            encode(value).write_to(out)?;
            out.write_char('"')?;
        }
        match self.verifier {
            Some(verifier) => header::write_param(out, header::VERIFIER_OPEN, verifier),
            None => Ok(()),
        }
    }

    fn write_to<W: fmt::Write + ?Sized>(&self, out: &mut W) -> fmt::Result {
        self.write_before_signature(out)?;
        out.write_str(SIGNATURE_OPEN)?;
        match self.computed {
            Some(signature) => encode(signature.as_str()).write_to(out)?,
            None => self.key.write_plaintext_encoded(out)?,
        }
        out.write_char('"')
    }

    fn encoded_len(&self) -> usize {
        self.extension.map_or(0, |(n, v)| {
            ", =\"\"".len() + encoded_len(n) + encoded_len(v)
        }) + self
            .verifier
            .map_or(0, |v| header::param_len(header::VERIFIER_OPEN, v))
            + header::param_len(SIGNATURE_OPEN, "")
            + match self.computed {
                Some(signature) => encoded_len(signature.as_str()),
                None => self.key.plaintext_encoded_len(),
            }
    }
}

/// A header signed by [`Signer::sign`], written on demand.
///
/// `Debug` redacts every secret: those of the [`Signer`], and the signature (for PLAINTEXT, the
/// secrets themselves; an HMAC signature is redacted alike).
#[derive(Clone)]
#[must_use = "a signed header is only useful once written"]
pub struct SignedHeader<'a> {
    signer: Signer<'a>,
    computed: Option<Computed>,
    /// The signer's nonce, counted once for both the length and the writing.
    nonce: Option<Counted<'a>>,
}

impl fmt::Debug for SignedHeader<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignedHeader")
            .field("signer", &self.signer)
            .field("computed", &self.computed)
            .finish()
    }
}

impl SignedHeader<'_> {
    /// Writes the public part: everything before the extension parameter, the verifier and the
    /// signature.
    fn write_public<W: fmt::Write + ?Sized>(&self, head: &Head<'_>, out: &mut W) -> fmt::Result {
        let s = &self.signer;
        head.write_to(out)?;
        if let Some(ts) = s.timestamp {
            out.write_str(TIMESTAMP_OPEN)?;
            out.write_str(itoa::Buffer::new().format(ts))?;
            out.write_char('"')?;
        }
        if let Some(nonce) = self.nonce {
            out.write_str(header::NONCE_OPEN)?;
            nonce.write_to(out)?;
            out.write_char('"')?;
        }
        Ok(())
    }

    /// Writes the header value (`OAuth ...`) to `out`, allocating nothing.
    ///
    /// # Errors
    /// Only the errors of `out` itself.
    pub fn write_to<W: fmt::Write + ?Sized>(&self, out: &mut W) -> fmt::Result {
        self.write_public(&self.signer.head(), out)?;
        self.signer.tail(self.computed.as_ref()).write_to(out)
    }

    /// The exact length of the header value in bytes.
    #[must_use]
    pub fn len(&self) -> usize {
        self.len_of(
            &self.signer.head(),
            &self.signer.tail(self.computed.as_ref()),
        )
    }

    /// [`len`](Self::len), given the head and the tail (built once by the caller).
    fn len_of(&self, head: &Head<'_>, tail: &Tail<'_, '_>) -> usize {
        head.encoded_len()
            + self
                .signer
                .timestamp
                .map_or(0, |ts| TIMESTAMP_OPEN.len() + decimal_digits(ts) + 1)
            + self
                .nonce
                .map_or(0, |n| header::NONCE_OPEN.len() + n.encoded_len() + 1)
            + tail.encoded_len()
    }

    /// Always `false`: a header is never empty.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        false
    }

    /// Writes the protocol parameters as `application/x-www-form-urlencoded` pairs
    /// (`oauth_consumer_key=...&...&oauth_signature=...`), for a form body (RFC 5849 section
    /// 3.5.3) or a query string (section 3.5.2) instead of the header. There is no realm there.
    ///
    /// # Errors
    /// Only the errors of `out` itself.
    pub fn write_form_to<W: fmt::Write + ?Sized>(&self, out: &mut W) -> fmt::Result {
        let s = &self.signer;
        let mut digits = itoa::Buffer::new();
        let timestamp = s.timestamp.map(|ts| ("oauth_timestamp", digits.format(ts)));
        let nonce = s.nonce.map(|n| ("oauth_nonce", n));
        let verifier = s.verifier.map(|v| ("oauth_verifier", v.expose_secret()));
        for (name, value) in s
            .head()
            .protocol_params()
            .chain(timestamp)
            .chain(nonce)
            .chain(verifier)
        {
            encode(name).write_to(out)?;
            out.write_char('=')?;
            encode(value).write_to(out)?;
            out.write_char('&')?;
        }
        out.write_str("oauth_signature=")?;
        match &self.computed {
            Some(signature) => encode(signature.as_str()).write_to(out),
            None => s.key().write_plaintext_encoded(out),
        }
    }

    /// The protocol parameters as a form body (RFC 5849 section 3.5.3): append it to the
    /// request's own form body with `&`.
    #[must_use]
    pub fn to_form(&self) -> Secret {
        let mut out = String::new();
        // Writing to a String cannot fail.
        let _ = self.write_form_to(&mut out);
        Secret::from(out)
    }

    /// `url` with the protocol parameters added to its query (RFC 5849 section 3.5.2). Sign the
    /// request with its URL as it was, then send it to this one.
    #[must_use]
    pub fn to_url(&self, url: &str) -> Secret {
        let form = self.to_form();
        Secret::from(crate::url::with_query(url, form.expose_secret()))
    }

    /// The header value, in one allocation of exactly the right size.
    #[must_use]
    pub fn to_authorization(&self) -> Authorization {
        // The credentials were counted when they were made and the nonce when it was signed:
        // the length scans only a realm, callback, extension or verifier, when there is one.
        let (head, tail) = (self.signer.head(), self.signer.tail(self.computed.as_ref()));
        let mut out = String::with_capacity(self.len_of(&head, &tail));
        // Writing to a String cannot fail.
        let _ = self.write_public(&head, &mut out);
        let secret_from = out.len();
        let _ = tail.write_to(&mut out);
        debug_assert_eq!(
            out.len(),
            self.len(),
            "length formula out of step with the writer"
        );
        Authorization::with_secret_from(out, secret_from)
    }
}

/// A signer with the fixed parts of the header encoded once: each request adds only its
/// timestamp and nonce. The hot path for API calls with access credentials.
///
/// `Debug` shows nothing of the header (it holds the secrets); the encoded parts are cleared
/// from memory on drop.
///
/// ```
/// use countersign::{ClientCredentials, Request, Signer, TokenCredentials};
///
/// let client = ClientCredentials::new("key", "secret");
/// let token = TokenCredentials::new("token", "token secret");
/// let signer = Signer::new(&client).token(&token).prepare()?;
/// let header = signer.sign(&Request::get("https://api.discogs.com/oauth/identity"), 1700000000, "n0nce")?;
/// assert_eq!(
///     header.as_str(),
///     "OAuth oauth_consumer_key=\"key\", oauth_token=\"token\", oauth_signature_method=\"PLAINTEXT\", \
///      oauth_version=\"1.0\", oauth_timestamp=\"1700000000\", oauth_nonce=\"n0nce\", \
///      oauth_signature=\"secret%26token%2520secret\""
/// );
/// # Ok::<(), countersign::Error>(())
/// ```
#[derive(Clone)]
pub struct PreparedSigner {
    /// Everything up to the opening quote of `oauth_timestamp`.
    prefix: String,
    /// From the closing quote of `oauth_nonce` to the end: the verifier and the signature (for
    /// HMAC, up to the signature's opening quote).
    suffix: String,
    method: SignatureMethod,
    allow_insecure_http: bool,
    /// `oauth_body_hash` on every request whose body is not a form.
    body_hashes: bool,
    /// Boxed: the keyed MAC and its buffer would make every signer several times larger.
    hmac: Option<Box<PreparedHmac>>,
}

/// What an HMAC method needs per request beyond the header's fixed text.
#[derive(Clone)]
struct PreparedHmac {
    /// Keyed once; a [`fresh`](Keyed::fresh) copy of its hash states per request.
    keyed: Keyed,
    /// The fixed protocol parameters (both halves encoded once), sorted as the base string
    /// orders them, each with the span of its base-string form in `joined`.
    fixed: Vec<FixedParam>,
    /// The base-string form of the fixed parameters, in order, joined with `%26`:
    /// `enc(name)%3Denc(value)%26enc(name)%3Denc(value)...`. Any run of consecutive fixed
    /// parameters is one slice of it.
    joined: Vec<u8>,
    /// How many fixed parameters sort before `oauth_timestamp`, before `oauth_nonce`, and
    /// before `oauth_body_hash`.
    timestamp_at: usize,
    nonce_at: usize,
    body_hash_at: usize,
}

#[derive(Clone)]
struct FixedParam {
    name: String,
    value: String,
    /// Where its `enc(name)%3Denc(value)` starts and ends in [`PreparedHmac::joined`].
    start: usize,
    end: usize,
}

/// Parameters a request adds to the fixed ones (its own, the timestamp and the nonce): inline
/// while there are few, so that signing allocates nothing for them.
struct Few<'a, const N: usize = FEW> {
    inline: [EncodedParam<'a>; N],
    len: usize,
    spill: Vec<EncodedParam<'a>>,
}

/// What a prepared signer adds per request: the request's own parameters, the timestamp and
/// the nonce (the protocol parameters are prepared).
const FEW: usize = 6;

/// What the one-shot signer collects: the request's parameters and every protocol parameter.
const ONE_SHOT_FEW: usize = 14;

impl<'a, const N: usize> Few<'a, N> {
    fn new() -> Self {
        Self {
            inline: core::array::from_fn(|_| Default::default()),
            len: 0,
            spill: Vec::new(),
        }
    }

    fn push(&mut self, param: EncodedParam<'a>) {
        if self.spill.is_empty() {
            if let Some(slot) = self.inline.get_mut(self.len) {
                *slot = param;
                self.len += 1;
                return;
            }
            self.spill.reserve(2 * N);
            self.spill
                .extend(self.inline.iter_mut().map(core::mem::take));
        }
        self.spill.push(param);
    }

    fn as_mut_slice(&mut self) -> &mut [EncodedParam<'a>] {
        if self.spill.is_empty() {
            self.inline.get_mut(..self.len).unwrap_or_default()
        } else {
            &mut self.spill
        }
    }
}

impl PreparedHmac {
    /// Encodes and sorts the fixed protocol parameters (raw) once.
    ///
    /// The values may be secrets (the verifier, an extension parameter such as
    /// `oauth_session_handle`): each buffer is allocated at its final size, so that no copy is
    /// left behind when one grows, and all of them are cleared on drop.
    fn new<'p>(keyed: Keyed, params: impl Iterator<Item = (&'p str, &'p str)>) -> Self {
        let mut pairs: Vec<(String, String)> = params
            .map(|(n, v)| {
                (
                    encoded_exactly(n).into_owned(),
                    encoded_exactly(v).into_owned(),
                )
            })
            .collect();
        pairs.sort_unstable();
        let mut length = Count(0);
        for (i, (name, value)) in pairs.iter().enumerate() {
            if i > 0 {
                base_string::Sink::put(&mut length, b"%26");
            }
            base_string::put_param(&mut length, name, value);
        }
        let mut joined = Vec::with_capacity(length.0);
        let fixed: Vec<FixedParam> = pairs
            .into_iter()
            .map(|(name, value)| {
                if !joined.is_empty() {
                    joined.extend_from_slice(b"%26");
                }
                let start = joined.len();
                base_string::put_param(&mut joined, &name, &value);
                FixedParam {
                    name,
                    value,
                    start,
                    end: joined.len(),
                }
            })
            .collect();
        debug_assert_eq!(joined.len(), joined.capacity(), "joined grew");
        let before = |name: &str| {
            fixed
                .iter()
                .take_while(|f: &&FixedParam| f.name.as_str() < name)
                .count()
        };
        Self {
            keyed,
            timestamp_at: before("oauth_timestamp"),
            nonce_at: before("oauth_nonce"),
            body_hash_at: before("oauth_body_hash"),
            fixed,
            joined,
        }
    }

    // Without an HMAC feature `Keyed` has no values and no `PreparedHmac` is ever made.
    #[cfg_attr(
        not(feature = "_digest"),
        allow(unreachable_code, unused_variables, unused_mut)
    )]
    fn sign(
        &self,
        request: &Request<'_>,
        timestamp: &str,
        nonce: &str,
        nonce_plain: bool,
        body_hash: Option<&str>,
        signature: &mut Computed,
    ) -> Result<(), Error> {
        let url = crate::url::split(request.url())?;
        let mut requested: Few<'_> = Few::new();
        base_string::for_each_request_param(request, &url, |p| requested.push(p))?;
        let requested = requested.as_mut_slice();
        requested.sort_unstable_by(|a, b| base_string::cmp_params((&a.0, &a.1), (&b.0, &b.1)));
        // Sorted ("oauth_nonce" < "oauth_timestamp"); no fixed parameter has either name, so
        // where they go among the fixed ones depends on the name alone and was found once.
        // Encoded like the request's parameters: borrowed when nothing needed encoding (the
        // names, the timestamp's digits, a nonce of unreserved characters).
        let nonce = if nonce_plain {
            Cow::Borrowed(nonce)
        } else {
            encoded_exactly(nonce)
        };
        // Sorted by name: `oauth_body_hash` < `oauth_nonce` < `oauth_timestamp`.
        let fresh: [(EncodedParam<'_>, usize); 3] = [
            (
                (
                    Cow::Borrowed("oauth_body_hash"),
                    body_hash.map_or(Cow::Borrowed(""), encoded_exactly),
                ),
                self.body_hash_at,
            ),
            ((Cow::Borrowed("oauth_nonce"), nonce), self.nonce_at),
            (
                (Cow::Borrowed("oauth_timestamp"), Cow::Borrowed(timestamp)),
                self.timestamp_at,
            ),
        ];
        let fresh = fresh
            .get(usize::from(body_hash.is_none())..)
            .unwrap_or_default();

        let mut mac = self.keyed.fresh();
        base_string::put_head(&mut mac, request.method(), &url);
        // Merge the three sorted lists (the request's parameters, the fresh ones and the fixed
        // ones); consecutive fixed parameters go in one piece.
        let mut requested = requested.iter().peekable();
        let mut fresh = fresh.iter().peekable();
        let mut done = 0;
        let mut first = true;
        loop {
            let take_requested = match (requested.peek(), fresh.peek()) {
                (None, None) => break,
                (Some(_), None) => true,
                (None, Some(_)) => false,
                (Some((n, v)), Some(((fresh_name, fresh_value), _))) => {
                    base_string::cmp_params((n, v), (fresh_name, fresh_value)).is_lt()
                }
            };
            let (param, at) = match (take_requested, requested.next_if(|_| take_requested)) {
                (true, Some(param)) => {
                    let (name, value) = (param.0.as_ref(), param.1.as_ref());
                    let at = self.fixed.partition_point(|f| {
                        base_string::cmp_params((&f.name, &f.value), (name, value)).is_lt()
                    });
                    (param, at)
                }
                _ => match fresh.next() {
                    Some((param, at)) => (param, *at),
                    None => break,
                },
            };
            self.put_fixed(
                &mut mac,
                self.fixed.get(done..at).unwrap_or_default(),
                &mut first,
            );
            done = done.max(at);
            if !first {
                base_string::Sink::put(&mut mac, b"%26");
            }
            first = false;
            base_string::put_encoded_param(&mut mac, param);
        }
        self.put_fixed(
            &mut mac,
            self.fixed.get(done..).unwrap_or_default(),
            &mut first,
        );
        mac.finish_into(signature)
    }

    /// Writes a run of consecutive fixed parameters, `%26` first unless nothing precedes it.
    fn put_fixed(&self, mac: &mut Keyed, run: &[FixedParam], first: &mut bool) {
        let (Some(head), Some(last)) = (run.first(), run.last()) else {
            return;
        };
        if !*first {
            base_string::Sink::put(mac, b"%26");
        }
        *first = false;
        base_string::Sink::put(
            mac,
            self.joined.get(head.start..last.end).unwrap_or_default(),
        );
    }
}

/// Appends a base64 signature percent-encoded: only `+`, `/` and `=` of its alphabet are
/// reserved.
fn push_base64_encoded(out: &mut String, signature: &str) {
    let mut start = 0;
    for (i, b) in signature.bytes().enumerate() {
        let escaped = match b {
            b'+' => "%2B",
            b'/' => "%2F",
            b'=' => "%3D",
            _ => continue,
        };
        // `start` and `i` are at ASCII bytes: character boundaries.
        out.push_str(signature.get(start..i).unwrap_or_default());
        out.push_str(escaped);
        start = i + 1;
    }
    out.push_str(signature.get(start..).unwrap_or_default());
}

const BETWEEN_TIMESTAMP_AND_NONCE: &str = "\", oauth_nonce=\"";
/// After the nonce's value, when a body hash follows it (the suffix closes its quote).
const BEFORE_BODY_HASH: &str = "\", oauth_body_hash=\"";

impl PreparedSigner {
    /// The signature method.
    #[must_use]
    pub fn signature_method(&self) -> SignatureMethod {
        self.method
    }

    /// Whether requests get `oauth_body_hash` ([`Signer::body_hashes`]), so that a body that is
    /// not a form must be in memory to be signed.
    #[must_use]
    pub fn hashes_bodies(&self) -> bool {
        self.body_hashes
    }

    fn check(&self, request: &Request<'_>) -> Result<(), Error> {
        if self.method.sends_secrets_in_clear() {
            check_cleartext_allowed(request.url(), self.allow_insecure_http)?;
        }
        Ok(())
    }

    /// The HMAC signature of `request`, written to `signature`, when the method is an HMAC.
    /// `timestamp` is digits; `nonce_plain` says that the nonce is unreserved characters only.
    fn compute<'s>(
        &self,
        request: &Request<'_>,
        timestamp: &str,
        nonce: &str,
        nonce_plain: bool,
        body_hash: Option<&str>,
        signature: &'s mut Computed,
    ) -> Result<Option<&'s Computed>, Error> {
        match &self.hmac {
            Some(hmac) => {
                hmac.sign(request, timestamp, nonce, nonce_plain, body_hash, signature)?;
                Ok(Some(signature))
            }
            None => Ok(None),
        }
    }

    /// The body hash `request` is sent with: with [`Signer::body_hashes`], for a body that is
    /// not a form.
    fn body_hash(&self, request: &Request<'_>) -> Result<Option<BodyHash>, Error> {
        if !self.body_hashes || request.form_body().is_some() {
            return Ok(None);
        }
        BodyHash::new(self.method, request.body().unwrap_or_default()).map(Some)
    }

    /// The header value for `request` with this timestamp and nonce, in one allocation
    /// (PLAINTEXT; HMAC methods also collect the parameters to sort).
    ///
    /// # Errors
    /// [`Misuse::InsecureTransport`](crate::Misuse::InsecureTransport) and [`ParseError::Url`](crate::ParseError::Url) as for [`Signer::sign`].
    pub fn sign(
        &self,
        request: &Request<'_>,
        timestamp: u64,
        nonce: &str,
    ) -> Result<Authorization, Error> {
        self.sign_with_len(request, timestamp, nonce, encoded_len(nonce))
    }

    /// [`sign`](Self::sign), given the encoded length of the nonce.
    fn sign_with_len(
        &self,
        request: &Request<'_>,
        timestamp: u64,
        nonce: &str,
        nonce_len: usize,
    ) -> Result<Authorization, Error> {
        self.check(request)?;
        let mut digits = itoa::Buffer::new();
        let ts = digits.format(timestamp);
        if self.hmac.is_none() {
            // PLAINTEXT: everything after the nonce is in the suffix already.
            return Ok(self.assemble(ts, nonce, nonce_len, None, None));
        }
        let hash = self.body_hash(request)?;
        let hash = hash.as_ref().map(BodyHash::as_str);
        let mut slot = Computed::EMPTY;
        let computed = self.compute(
            request,
            ts,
            nonce,
            nonce_len == nonce.len(),
            hash,
            &mut slot,
        )?;
        Ok(self.assemble(ts, nonce, nonce_len, hash, computed.map(Computed::as_str)))
    }

    /// The header from its parts, in one allocation of its exact length.
    fn assemble(
        &self,
        ts: &str,
        nonce: &str,
        nonce_len: usize,
        hash: Option<&str>,
        signature: Option<&str>,
    ) -> Authorization {
        let mut out = String::with_capacity(
            self.prefix.len()
                + ts.len()
                + BETWEEN_TIMESTAMP_AND_NONCE.len()
                + nonce_len
                + hash.map_or(0, |h| BEFORE_BODY_HASH.len() + encoded_len(h))
                + self.suffix.len()
                + signature.map_or(0, |s| encoded_len(s) + 1),
        );
        out.push_str(&self.prefix);
        out.push_str(ts);
        out.push_str(BETWEEN_TIMESTAMP_AND_NONCE);
        push_encoded_with_len(&mut out, nonce, nonce_len);
        if let Some(hash) = hash {
            out.push_str(BEFORE_BODY_HASH);
            push_base64_encoded(&mut out, hash);
        }
        // The suffix opens with the nonce's closing quote; the secrets follow it.
        let secret_from = out.len() + 1;
        out.push_str(&self.suffix);
        if let Some(signature) = signature {
            push_base64_encoded(&mut out, signature);
            out.push('"');
        }
        Authorization::with_secret_from(out, secret_from)
    }

    /// Writes the header value for `request` to `out`, allocating nothing (PLAINTEXT).
    ///
    /// # Errors
    /// As [`sign`](Self::sign), and [`Error::Write`] when `out` fails.
    pub fn write_to<W: fmt::Write + ?Sized>(
        &self,
        request: &Request<'_>,
        timestamp: u64,
        nonce: &str,
        out: &mut W,
    ) -> Result<(), Error> {
        self.check(request)?;
        let mut digits = itoa::Buffer::new();
        let ts = digits.format(timestamp);
        let hash = self.body_hash(request)?;
        let hash = hash.as_ref().map(BodyHash::as_str);
        let mut slot = Computed::EMPTY;
        let computed = self.compute(request, ts, nonce, false, hash, &mut slot)?;
        out.write_str(&self.prefix)?;
        out.write_str(ts)?;
        out.write_str(BETWEEN_TIMESTAMP_AND_NONCE)?;
        encode(nonce).write_to(out)?;
        if let Some(hash) = hash {
            out.write_str(BEFORE_BODY_HASH)?;
            encode(hash).write_to(out)?;
        }
        out.write_str(&self.suffix)?;
        if let Some(signature) = computed {
            encode(signature.as_str()).write_to(out)?;
            out.write_char('"')?;
        }
        Ok(())
    }

    /// The header value for `request`, with a nonce from `nonces` and the time from `clock`.
    ///
    /// # Errors
    /// As [`sign`](Self::sign), and [`Error::Random`] when the nonce source fails.
    pub fn sign_with<N, C>(
        &self,
        request: &Request<'_>,
        nonces: &mut N,
        clock: &C,
    ) -> Result<Authorization, Error>
    where
        N: crate::nonce::NonceSource + ?Sized,
        C: crate::clock::Clock + ?Sized,
    {
        let nonce = nonces.next_nonce()?;
        let nonce = nonce.as_str();
        // A `Nonce` holds unreserved characters only: it is its own encoding.
        self.sign_with_len(request, clock.now(), nonce, nonce.len())
    }
}

impl fmt::Debug for PreparedSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PreparedSigner")
            .field("method", &self.method)
            .field("allow_insecure_http", &self.allow_insecure_http)
            .finish_non_exhaustive()
    }
}

impl Drop for PreparedSigner {
    fn drop(&mut self) {
        self.prefix.zeroize();
        self.suffix.zeroize();
    }
}

impl Drop for PreparedHmac {
    /// The fixed parameters hold the verifier and the extension parameter's value, in both
    /// forms; the keyed MAC clears itself.
    fn drop(&mut self) {
        for param in &mut self.fixed {
            param.name.zeroize();
            param.value.zeroize();
        }
        self.joined.zeroize();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const URL: &str = "https://provider.example/token";

    /// `client` with a test RSA key too, so that every method of [`SignatureMethod::ALL`] signs.
    fn with_rsa(client: ClientCredentials) -> ClientCredentials {
        #[cfg(feature = "_rsa")]
        let client = client.rsa_key(
            crate::RsaPrivateKey::from_pem(include_str!("../tests/data/rsa/oauthlib-1024.pem"))
                .unwrap(),
        );
        client
    }

    /// Everything before `secret_from` is public; everything after starts at the first secret.
    fn assert_split(header: &Authorization, secrets: &[&str]) {
        let (public, secret) = header.as_str().split_at(header.secret_from());
        for s in secrets {
            assert!(!public.contains(s), "{public}");
            assert!(secret.contains(s), "{secret}");
        }
        assert!(
            secret.starts_with(", oauth_verifier=")
                || secret.starts_with(", oauth_signature=")
                || secret.starts_with(", oauth_session_handle="),
            "{secret}"
        );
    }

    #[test]
    fn a_prepared_signer_shows_its_method_and_switch_and_nothing_else() {
        let client = ClientCredentials::new("ck", "CONSUMERSECRET");
        let prepared = Signer::new(&client).prepare().unwrap();
        assert_eq!(
            alloc::format!("{prepared:?}"),
            "PreparedSigner { method: Plaintext, allow_insecure_http: false, .. }"
        );
        let prepared = Signer::new(&client)
            .dangerous_allow_insecure_http()
            .prepare()
            .unwrap();
        assert_eq!(
            alloc::format!("{prepared:?}"),
            "PreparedSigner { method: Plaintext, allow_insecure_http: true, .. }"
        );
    }

    /// The session handle of a renewal request is a credential: it goes in the cleared tail, for
    /// every method and both signers, and a provider still reads and verifies it there.
    #[test]
    fn an_extension_parameter_is_in_the_cleared_tail_and_verifies() {
        use crate::verify::{MemoryNonceStore, Verifier, lookup_fn};

        let client = with_rsa(ClientCredentials::new("ck", "CONSUMERSECRET"));
        let token = TokenCredentials::new("tok", "TOKENSECRET");
        let verifier = Secret::new("VERIFIER");
        let request = Request::post(URL);
        let lookup = lookup_fn(
            |key| (key == "ck").then(|| Secret::new("CONSUMERSECRET")),
            |_, token| (token == "tok").then(|| Secret::new("TOKENSECRET")),
        );
        #[cfg(feature = "_rsa")]
        let lookup = crate::verify::SecretLookup::with_rsa_keys(lookup, |key: &str| {
            (key == "ck")
                .then(|| {
                    client
                        .rsa_private_key()
                        .map(crate::RsaPrivateKey::public_key)
                })
                .flatten()
        });
        for &method in SignatureMethod::ALL {
            for with_verifier in [false, true] {
                let mut signer = Signer::new(&client)
                    .token(&token)
                    .signature_method(method)
                    .extension_param("oauth_session_handle", "HANDLE/SECRET")
                    .timestamp(1_700_000_000)
                    .nonce("n");
                let mut secrets = alloc::vec!["HANDLE%2FSECRET"];
                if method == SignatureMethod::Plaintext {
                    secrets.extend(["CONSUMERSECRET", "TOKENSECRET"]);
                }
                if with_verifier {
                    signer = signer.verifier(&verifier);
                    secrets.push("VERIFIER");
                }
                let signed = signer.sign(&request).unwrap();
                let dump = alloc::format!("{signer:?} {signed:?}");
                assert!(!dump.contains("HANDLE"), "{dump}");
                assert!(dump.contains("oauth_session_handle"), "{dump}");
                let one_shot = signed.to_authorization();
                assert_eq!(signed.len(), one_shot.as_str().len(), "{method}");
                assert!(!signed.is_empty());
                assert_split(&one_shot, &secrets);
                let prepared = signer
                    .prepare()
                    .unwrap()
                    .sign(&request, 1_700_000_000, "n")
                    .unwrap();
                assert_split(&prepared, &secrets);
                assert_eq!(one_shot, prepared, "{method}");
                let verified = Verifier::new()
                    .verify(
                        &request,
                        Some(one_shot.as_str()),
                        1_700_000_000,
                        &lookup,
                        &mut MemoryNonceStore::new(300, 10),
                    )
                    .unwrap();
                assert!(
                    verified
                        .extension("oauth_session_handle")
                        .unwrap()
                        .ct_eq("HANDLE/SECRET"),
                    "{method}"
                );
            }
        }
    }

    /// `Debug` of a signed header never shows the signature, PLAINTEXT (the secrets themselves)
    /// or HMAC.
    #[test]
    fn debug_of_a_signed_header_redacts_the_signature() {
        let client = with_rsa(ClientCredentials::new("ck", "cs"));
        let request = Request::post(URL);
        for &method in SignatureMethod::ALL {
            let signed = Signer::new(&client)
                .signature_method(method)
                .timestamp(9)
                .nonce("n")
                .sign(&request)
                .unwrap();
            let header = signed.to_authorization();
            let (_, signature) = header.as_str().split_once("oauth_signature=\"").unwrap();
            let signature = signature.trim_end_matches('"');
            let dump = alloc::format!("{signed:?} {signed:#?}");
            assert!(!dump.contains(signature), "{method}: {dump}");
            // It says what it hides: the computed signature (PLAINTEXT computes none).
            let computed = if method == SignatureMethod::Plaintext {
                "computed: None"
            } else {
                "computed: Some(Computed([redacted]))"
            };
            assert!(dump.contains(computed), "{method}: {dump}");
            let decoded = crate::encode::decode(signature).unwrap();
            assert!(!dump.contains(&*decoded), "{method}: {dump}");
        }
    }

    #[test]
    fn secrets_are_in_the_cleared_tail() {
        let client = ClientCredentials::new("ck", "CONSUMERSECRET");
        let token = TokenCredentials::new("tok", "TOKENSECRET");
        let verifier = Secret::new("VERIFIER");
        let request = Request::post(URL);
        for with_verifier in [false, true] {
            let mut signer = Signer::new(&client).token(&token).timestamp(9).nonce("n");
            let mut secrets = alloc::vec!["CONSUMERSECRET", "TOKENSECRET"];
            if with_verifier {
                signer = signer.verifier(&verifier);
                secrets.push("VERIFIER");
            }
            let one_shot = signer.sign(&request).unwrap().to_authorization();
            assert_split(&one_shot, &secrets);
            let prepared = signer.prepare().unwrap().sign(&request, 9, "n").unwrap();
            assert_split(&prepared, &secrets);
            assert_eq!(one_shot, prepared);
        }
    }

    /// An extension parameter whose name needs encoding: the one-shot and prepared signers sign
    /// the same base string, the one a provider recomputes.
    #[cfg(feature = "hmac-sha1")]
    #[test]
    fn hmac_extension_names_are_encoded_like_every_name() {
        let client = ClientCredentials::new("ck", "cs");
        let token = TokenCredentials::new("tok", "ts");
        let request = Request::get("https://provider.example/r?a=1&b%20c=d+e");
        let signer = Signer::new(&client)
            .token(&token)
            .signature_method(SignatureMethod::HmacSha1)
            .extension_param("oauth_x y", "v/w")
            .timestamp(9)
            .nonce("n n");
        let one_shot = signer.sign(&request).unwrap().to_authorization();
        let prepared = signer.prepare().unwrap().sign(&request, 9, "n n").unwrap();
        assert_eq!(one_shot, prepared);
        let expected = crate::signature::compute(
            SignatureMethod::HmacSha1,
            client.secret(),
            Some(token.secret()),
            &request,
            &[
                ("oauth_consumer_key", "ck"),
                ("oauth_token", "tok"),
                ("oauth_signature_method", "HMAC-SHA1"),
                ("oauth_x y", "v/w"),
                ("oauth_version", "1.0"),
                ("oauth_timestamp", "9"),
                ("oauth_nonce", "n n"),
            ],
        )
        .unwrap();
        let sent = alloc::string::ToString::to_string(&encode(expected.expose_secret()));
        assert!(
            one_shot
                .as_str()
                .ends_with(&alloc::format!("oauth_signature=\"{sent}\"")),
            "{one_shot:?}"
        );
    }

    #[test]
    fn decimal_digits_are_what_itoa_writes() {
        let mut powers = (0..20).map(|p| 10_u64.pow(p));
        let edges = powers.by_ref().flat_map(|p| [p - 1, p, p + 1]);
        for n in edges.chain([u64::MAX, 1_700_000_000]) {
            assert_eq!(
                decimal_digits(n),
                itoa::Buffer::new().format(n).len(),
                "{n}"
            );
        }
    }

    #[test]
    fn length_formula_matches_the_writer() {
        let client = ClientCredentials::new("c k\u{e9}", "s&\u{2603}");
        let token = TokenCredentials::new("t/t", "%x");
        let verifier = Secret::new("v v");
        let signed = Signer::new(&client)
            .token(&token)
            .realm("r \"q\" \\")
            .callback("http://cb.example/?a=1")
            .verifier(&verifier)
            .timestamp(u64::MAX)
            .nonce("n+n")
            .sign(&Request::post(URL))
            .unwrap();
        let mut written = String::new();
        signed.write_to(&mut written).unwrap();
        assert_eq!(written.len(), signed.len());
        assert_eq!(signed.to_authorization().as_str(), written);
    }

    #[cfg(feature = "hmac-sha1")]
    #[test]
    fn the_one_shot_signer_agrees_with_the_prepared_one_however_many_parameters() {
        // Few enough for the stack, and more: the parameters spill to the heap.
        let client = ClientCredentials::new("key", "secret");
        let token = TokenCredentials::new("token", "token secret");
        let verifier = Secret::new("v 1");
        let prepared = Signer::new(&client)
            .token(&token)
            .verifier(&verifier)
            .signature_method(SignatureMethod::HmacSha1)
            .prepare()
            .unwrap();
        for count in 0..24 {
            let query: alloc::vec::Vec<_> = (0..count)
                .map(|i| alloc::format!("p{}=v%20{i}", count - i))
                .collect();
            let url = alloc::format!("{URL}?{}", query.join("&"));
            let request = Request::get(&url);
            let one_shot = Signer::new(&client)
                .token(&token)
                .verifier(&verifier)
                .signature_method(SignatureMethod::HmacSha1)
                .timestamp(1_700_000_000)
                .nonce("n0nce")
                .sign(&request)
                .unwrap()
                .to_authorization();
            let expected = prepared.sign(&request, 1_700_000_000, "n0nce").unwrap();
            assert_eq!(one_shot.as_str(), expected.as_str(), "{count} parameters");
        }
    }

    #[test]
    fn counted_credentials_are_written_as_the_encoder_writes_them() {
        // The credentials count their reserved bytes when they are made; the header relies on
        // those counts for its length and for copying a value as it is. Every ASCII byte and a
        // few multi-byte characters, alone and among unreserved ones, in every credential.
        let mut values: alloc::vec::Vec<String> = (0u8..0x80)
            .map(|b| alloc::format!("ab{}cdefghij", char::from(b)))
            .collect();
        values
            .extend(["", "\u{e9}", "\u{2603}x", "abcdefgh", "%25%", "a b+c&d=e"].map(String::from));
        for value in &values {
            let client = ClientCredentials::new(value.as_str(), alloc::format!("s{value}"));
            let token = TokenCredentials::new(alloc::format!("t{value}"), value.as_str());
            let signed = Signer::new(&client)
                .token(&token)
                .timestamp(7)
                .nonce(value)
                .sign(&Request::get(URL))
                .unwrap();
            let e = |v: &str| alloc::string::ToString::to_string(&encode(v));
            let expected = alloc::format!(
                "OAuth oauth_consumer_key=\"{}\", oauth_token=\"{}\", \
                 oauth_signature_method=\"PLAINTEXT\", oauth_version=\"1.0\", \
                 oauth_timestamp=\"7\", oauth_nonce=\"{}\", oauth_signature=\"{}\"",
                e(value),
                e(&alloc::format!("t{value}")),
                e(value),
                e(&alloc::format!(
                    "{}&{}",
                    e(&alloc::format!("s{value}")),
                    e(value)
                )),
            );
            let header = signed.to_authorization();
            assert_eq!(header.as_str(), expected, "{value:?}");
            assert_eq!(signed.len(), expected.len(), "{value:?}");
            let prepared = Signer::new(&client).token(&token).prepare().unwrap();
            let again = prepared.sign(&Request::get(URL), 7, value).unwrap();
            assert_eq!(again.as_str(), expected, "{value:?}");
        }
    }
}
