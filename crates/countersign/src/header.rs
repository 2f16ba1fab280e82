//! The `Authorization: OAuth ...` header grammar (RFC 5849 section 3.5.1): the value type that
//! carries a built header, the writer the signers share, and the parser the provider side uses.

use alloc::borrow::Cow;
use alloc::string::String;
use core::fmt;

use zeroize::Zeroize;

use crate::base_string::EncodedParam;
use crate::encode::{Counted, decode, encode, encoded_exactly, encoded_len};
use crate::{Context, Error, Secret, SecretStr, SignatureMethod};
use crate::{Misuse, ParseError};

/// A built `Authorization` header value.
///
/// # Security
/// With PLAINTEXT the value contains the consumer and token secrets. `Debug` is redacted, there is
/// no `Display`, equality is constant time, and the part of the memory that held secrets is
/// cleared on drop; mark the header sensitive when you hand it to an HTTP client
/// (`http::HeaderValue::set_sensitive`).
#[derive(Clone)]
pub struct Authorization {
    value: String,
    /// Where the first secret starts: everything before it (the scheme, consumer key, token,
    /// timestamp, nonce) is sent in the clear on every request, and clearing only the rest keeps
    /// dropping a header cheap.
    secret_from: usize,
}

impl Authorization {
    /// A value whose every byte may be secret.
    pub(crate) fn from_string(value: String) -> Self {
        Self {
            value,
            secret_from: 0,
        }
    }

    /// A value that holds no secret before byte `secret_from`.
    pub(crate) fn with_secret_from(value: String, secret_from: usize) -> Self {
        Self { value, secret_from }
    }

    /// The header value, `OAuth ...` (or `Discogs ...` for the Discogs credential modes).
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.value
    }

    #[cfg(test)]
    pub(crate) fn secret_from(&self) -> usize {
        self.secret_from
    }

    /// The header value as a [`Secret`].
    #[must_use]
    pub fn into_secret(mut self) -> Secret {
        Secret::from(core::mem::take(&mut self.value))
    }
}

impl PartialEq for Authorization {
    fn eq(&self, other: &Self) -> bool {
        crate::swar::ct_eq(self.value.as_bytes(), other.value.as_bytes())
    }
}

impl Eq for Authorization {}

impl fmt::Debug for Authorization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Authorization([redacted])")
    }
}

impl Drop for Authorization {
    fn drop(&mut self) {
        let mut bytes = core::mem::take(&mut self.value).into_bytes();
        bytes.truncate(self.secret_from);
        bytes.spare_capacity_mut().zeroize();
    }
}

/// The public part of an OAuth header that does not change from one request to the next.
/// (What may be secret comes last, after the timestamp and nonce: an extension parameter such as
/// `oauth_session_handle`, then `oauth_verifier` and `oauth_signature`, so that one tail of the
/// header holds every secret. [`write_to`](Self::write_to) therefore leaves the extension out:
/// the signer writes it in that tail. It is here for validation and the base string.)
#[derive(Clone, Copy)]
pub(crate) struct Head<'a> {
    pub(crate) realm: Option<&'a str>,
    /// The key and the token with their counts of encoded bytes, taken with the credentials.
    pub(crate) consumer_key: Counted<'a>,
    pub(crate) token: Option<Counted<'a>>,
    pub(crate) method: SignatureMethod,
    pub(crate) callback: Option<&'a str>,
    /// A protocol parameter of an extension, such as `oauth_session_handle`.
    pub(crate) extension: Option<(&'a str, &'a str)>,
    pub(crate) version: bool,
}

/// The parameters the signer writes itself, which an extension parameter may not repeat (and
/// the ones the verifier collects into slots of their own).
pub(crate) const RESERVED_NAMES: [&str; 9] = [
    "oauth_consumer_key",
    "oauth_token",
    "oauth_signature_method",
    "oauth_signature",
    "oauth_timestamp",
    "oauth_nonce",
    "oauth_version",
    "oauth_callback",
    "oauth_verifier",
];

const VERSION: &str = ", oauth_version=\"1.0\"";

/// The openings `, name="` of the parameters the signer writes: each one piece to copy.
const TOKEN_OPEN: &str = ", oauth_token=\"";
const METHOD_OPEN: &str = ", oauth_signature_method=\"";
const CALLBACK_OPEN: &str = ", oauth_callback=\"";
pub(crate) const NONCE_OPEN: &str = ", oauth_nonce=\"";
pub(crate) const VERIFIER_OPEN: &str = ", oauth_verifier=\"";
pub(crate) const SIGNATURE_OPEN: &str = ", oauth_signature=\"";

impl<'a> Head<'a> {
    pub(crate) fn validate(&self) -> Result<(), Error> {
        if let Some(realm) = self.realm
            && realm.chars().any(|c| c.is_control() && c != '\t')
        {
            return Err(Error::Misuse(Misuse::InvalidRealm));
        }
        if let Some((name, _)) = self.extension
            && (!name.starts_with("oauth_") || RESERVED_NAMES.contains(&name))
        {
            return Err(Error::Misuse(crate::Misuse::ExtensionParameterName));
        }
        if let Some(("oauth_body_hash", _)) = self.extension
            && !self.method.signs_request()
        {
            return Err(Error::Misuse(crate::Misuse::BodyHashWithPlaintext));
        }
        if let Some(callback) = self.callback {
            // RFC 5849 section 2.1: an absolute URI, or "oob" (case sensitive). A URL with an
            // authority, or one without (LTI 1.1 launches send `about:blank`).
            if callback != "oob"
                && crate::url::split(callback).is_err()
                && !is_opaque_absolute_uri(callback)
            {
                return Err(Error::Misuse(Misuse::InvalidCallback));
            }
        }
        Ok(())
    }

    /// The protocol parameters this part of the header carries, raw, for the base string.
    pub(crate) fn protocol_params(&self) -> impl Iterator<Item = (&'a str, &'a str)> {
        [
            Some(("oauth_consumer_key", self.consumer_key.as_str())),
            self.token.map(|t| ("oauth_token", t.as_str())),
            Some(("oauth_signature_method", self.method.as_str())),
            self.callback.map(|c| ("oauth_callback", c)),
            self.extension,
            self.version.then_some(("oauth_version", "1.0")),
        ]
        .into_iter()
        .flatten()
    }

    /// [`protocol_params`](Self::protocol_params) encoded, each borrowed where nothing needs
    /// encoding: the names the signer writes, the method's name (`method_names_need_no_encoding`)
    /// and a counted credential without reserved bytes are not looked at again.
    pub(crate) fn encoded_protocol_params(&self) -> impl Iterator<Item = EncodedParam<'a>> {
        let own = |name: &'static str, value: Cow<'a, str>| (Cow::Borrowed(name), value);
        [
            Some(own("oauth_consumer_key", self.consumer_key.encoded())),
            self.token.map(|t| own("oauth_token", t.encoded())),
            Some(own(
                "oauth_signature_method",
                Cow::Borrowed(self.method.as_str()),
            )),
            self.callback
                .map(|c| own("oauth_callback", encoded_exactly(c))),
            self.extension
                .map(|(name, value)| (encoded_exactly(name), encoded_exactly(value))),
            self.version
                .then(|| own("oauth_version", Cow::Borrowed("1.0"))),
        ]
        .into_iter()
        .flatten()
    }

    /// Writes `OAuth [realm="..", ]oauth_consumer_key=".."` and the other fixed parameters,
    /// all but the extension parameter (see the type's docs).
    pub(crate) fn write_to<W: fmt::Write + ?Sized>(&self, out: &mut W) -> fmt::Result {
        out.write_str("OAuth ")?;
        if let Some(realm) = self.realm {
            out.write_str("realm=\"")?;
            write_quoted(out, realm)?;
            out.write_str("\", ")?;
        }
        out.write_str("oauth_consumer_key=\"")?;
        self.consumer_key.write_to(out)?;
        out.write_char('"')?;
        if let Some(token) = self.token {
            out.write_str(TOKEN_OPEN)?;
            token.write_to(out)?;
            out.write_char('"')?;
        }
        // Every method's name is unreserved (`method_names_need_no_encoding`): no scan.
        out.write_str(METHOD_OPEN)?;
        out.write_str(self.method.as_str())?;
        out.write_char('"')?;
        if let Some(callback) = self.callback {
            write_param(out, CALLBACK_OPEN, callback)?;
        }
        if self.version {
            out.write_str(VERSION)?;
        }
        Ok(())
    }

    /// The exact length [`write_to`](Self::write_to) writes.
    pub(crate) fn encoded_len(&self) -> usize {
        let realm = self.realm.map_or(0, |r| {
            "realm=\"\", ".len() + r.len() + r.bytes().filter(|&b| b == b'"' || b == b'\\').count()
        });
        "OAuth ".len()
            + realm
            + "oauth_consumer_key=\"\"".len()
            + self.consumer_key.encoded_len()
            + self
                .token
                .map_or(0, |t| TOKEN_OPEN.len() + t.encoded_len() + 1)
            + METHOD_OPEN.len()
            + self.method.as_str().len()
            + 1
            + self.callback.map_or(0, |c| param_len(CALLBACK_OPEN, c))
            + if self.version { VERSION.len() } else { 0 }
    }
}

/// Writes `, name="enc(value)"`, given its opening `, name="` (such as [`NONCE_OPEN`]).
pub(crate) fn write_param<W: fmt::Write + ?Sized>(
    out: &mut W,
    open: &str,
    value: &str,
) -> fmt::Result {
    out.write_str(open)?;
    encode(value).write_to(out)?;
    out.write_char('"')
}

/// The length [`write_param`] writes.
pub(crate) fn param_len(open: &str, value: &str) -> usize {
    open.len() + encoded_len(value) + 1
}

/// Writes the inside of an HTTP quoted-string: `"` and `\` escaped with a backslash.
fn write_quoted<W: fmt::Write + ?Sized>(out: &mut W, value: &str) -> fmt::Result {
    let mut rest = value;
    while let Some(i) = rest.find(['"', '\\']) {
        let (plain, tail) = rest.split_at(i);
        out.write_str(plain)?;
        out.write_char('\\')?;
        let mut chars = tail.chars();
        if let Some(c) = chars.next() {
            out.write_char(c)?;
        }
        rest = chars.as_str();
    }
    out.write_str(rest)
}

/// Most parameters an `Authorization` header may carry; more is refused as malformed.
pub const MAX_PARAMS: usize = 32;

/// A parsed `Authorization: OAuth ...` header value.
///
/// Values are decoded and borrow from the input when nothing needed decoding. The signature and
/// the verifier are secrets: `Debug` redacts them.
///
/// ```
/// use countersign::header::ParsedAuthorization;
///
/// let parsed = ParsedAuthorization::parse(
///     r#"OAuth realm="Example", oauth_consumer_key="jd83jd92dhsh93js", oauth_signature_method="PLAINTEXT", oauth_signature="ja893SD9%26""#,
/// )?;
/// assert_eq!(parsed.realm(), Some("Example"));
/// assert_eq!(parsed.consumer_key(), Some("jd83jd92dhsh93js"));
/// assert_eq!(parsed.signature(), Some("ja893SD9&"));
/// # Ok::<(), countersign::Error>(())
/// ```
#[derive(Clone, Default)]
pub struct ParsedAuthorization<'a> {
    /// The parameter list (after the scheme), lexed again by `params()`.
    list: &'a str,
    realm: Option<Cow<'a, str>>,
    consumer_key: Option<Cow<'a, str>>,
    token: Option<Cow<'a, str>>,
    signature_method: Option<Cow<'a, str>>,
    signature: Option<SecretStr<'a>>,
    timestamp: Option<Cow<'a, str>>,
    nonce: Option<Cow<'a, str>>,
    callback: Option<Cow<'a, str>>,
    verifier: Option<SecretStr<'a>>,
    version: Option<Cow<'a, str>>,
}

/// The parameter list of an `Authorization` header value that uses the OAuth scheme (in any
/// case), and its offset in the value.
///
/// # Errors
/// [`ParseError::NotOAuthScheme`] for another scheme.
pub(crate) fn split_scheme(value: &str) -> Result<(&str, usize), Error> {
    let trimmed = value.trim_start_matches([' ', '\t']);
    let start = value.len() - trimmed.len();
    let scheme_end = trimmed.find([' ', '\t']).unwrap_or(trimmed.len());
    let (scheme, list) = trimmed.split_at(scheme_end);
    if !scheme.eq_ignore_ascii_case("OAuth") {
        return Err(Error::Parse(ParseError::NotOAuthScheme));
    }
    Ok((list, start + scheme_end))
}

/// One parameter of an `Authorization` header, decoded: `realm` unquoted, every other name and
/// value percent-decoded (borrowed when nothing needed decoding), but for an `oauth_signature`
/// with escapes, which whoever keeps it decodes (see [`HeaderValue::Signature`]).
pub(crate) struct HeaderParam<'a> {
    pub(crate) name: Cow<'a, str>,
    pub(crate) value: HeaderValue<'a>,
}

/// The value of a [`HeaderParam`].
pub(crate) enum HeaderValue<'a> {
    /// Unquoted (`realm`) or percent-decoded.
    Decoded(Cow<'a, str>),
    /// The value of `oauth_signature` as sent, holding a `%`, every escape in it that of an
    /// ASCII byte (`%00` to `%7F`): it decodes without an error, to UTF-8. The verifier compares
    /// it without a decoded copy ([`ct_eq_decoded`](crate::encode::ct_eq_decoded)).
    Signature(&'a str),
}

impl<'a> HeaderValue<'a> {
    /// The value decoded.
    pub(crate) fn decoded(self) -> Cow<'a, str> {
        match self {
            Self::Decoded(value) => value,
            // Valid escapes of ASCII bytes: nothing to fail.
            Self::Signature(sent) => decode(sent).unwrap_or_default(),
        }
    }
}

/// Why [`walk`] stopped: the header itself, or the caller's function.
pub(crate) enum Walk<E> {
    Header(Error),
    Caller(E),
}

/// Calls `f` with each parameter of `list` (a header's parameter list at `offset` in the
/// header, from [`split_scheme`]), in order: the one lexer and decoder behind
/// [`ParsedAuthorization::parse`] and the verifier, which collects the parameters as they come.
/// It refuses more than [`MAX_PARAMS`] parameters, a malformed list, a bad percent-escape and a
/// backslash escape outside `realm`; finding duplicates is the caller's business.
pub(crate) fn walk<'a, E>(
    list: &'a str,
    offset: usize,
    mut f: impl FnMut(HeaderParam<'a>) -> Result<(), E>,
) -> Result<(), Walk<E>> {
    let lexer = Lexer {
        src: list,
        pos: 0,
        base: offset,
        done: false,
    };
    for (count, raw) in lexer.enumerate() {
        let raw = raw.map_err(Walk::Header)?;
        if count >= MAX_PARAMS {
            return Err(Walk::Header(Error::Parse(ParseError::MalformedHeader {
                offset: raw.offset,
                expected: "at most 32 parameters",
            })));
        }
        let name = raw
            .decoded_name()
            .map_err(|e| Walk::Header(Error::decode(Context::AuthorizationHeader, e)))?;
        let value = if name == "realm" {
            HeaderValue::Decoded(unquote(raw.value))
        } else if raw.value_backslash {
            return Err(Walk::Header(Error::Parse(ParseError::MalformedHeader {
                offset: raw.offset,
                expected: "a percent-encoded value (backslash escapes are allowed only in realm)",
            })));
        } else if raw.value_escaped && raw.value_escapes_ascii && name == "oauth_signature" {
            HeaderValue::Signature(raw.value)
        } else {
            HeaderValue::Decoded(raw.decoded_value().map_err(|e| {
                Walk::Header(Error::decode_value_of(
                    Context::AuthorizationHeader,
                    &name,
                    e,
                ))
            })?)
        };
        f(HeaderParam { name, value }).map_err(Walk::Caller)?;
    }
    Ok(())
}

fn set_once<T>(slot: &mut Option<T>, value: T, name: &str) -> Result<(), Error> {
    if slot.is_some() {
        return Err(Error::Parse(ParseError::DuplicateParameter {
            context: Context::AuthorizationHeader,
            name: name.into(),
        }));
    }
    *slot = Some(value);
    Ok(())
}

impl<'a> ParsedAuthorization<'a> {
    /// Parses an `Authorization` header value.
    ///
    /// The scheme `OAuth` matches in any case; parameters are `name="value"` pairs separated by
    /// commas, with optional spaces or tabs around the commas and the `=`; empty list elements are
    /// skipped. Every name and value is percent-decoded strictly, except `realm`, which is a
    /// quoted string (backslash escapes allowed).
    ///
    /// # Errors
    /// [`ParseError::NotOAuthScheme`] for another scheme, [`ParseError::MalformedHeader`] for a grammar
    /// error (with its byte offset), [`ParseError::DuplicateParameter`] when a name appears twice,
    /// [`ParseError::Decode`] for a bad percent-escape or invalid UTF-8.
    pub fn parse(value: &'a str) -> Result<Self, Error> {
        let (list, list_offset) = split_scheme(value)?;
        let mut parsed = Self {
            list,
            ..Self::default()
        };
        let mut count = 0usize;
        let walked = walk(list, list_offset, |param| {
            count += 1;
            let HeaderParam { name, value } = param;
            let value = value.decoded();
            let slot = match &*name {
                "realm" => &mut parsed.realm,
                "oauth_consumer_key" => &mut parsed.consumer_key,
                "oauth_token" => &mut parsed.token,
                "oauth_signature_method" => &mut parsed.signature_method,
                "oauth_timestamp" => &mut parsed.timestamp,
                "oauth_nonce" => &mut parsed.nonce,
                "oauth_callback" => &mut parsed.callback,
                "oauth_version" => &mut parsed.version,
                "oauth_signature" => {
                    return set_once(&mut parsed.signature, SecretStr::new(value), &name);
                }
                "oauth_verifier" => {
                    return set_once(&mut parsed.verifier, SecretStr::new(value), &name);
                }
                other => {
                    // An extension parameter: make sure no earlier one had the same name.
                    let earlier = parsed
                        .lexer()
                        .take(count - 1)
                        .filter_map(Result::ok)
                        .filter_map(|p| p.decoded_name().ok());
                    for seen in earlier {
                        if seen == other {
                            return Err(Error::Parse(ParseError::DuplicateParameter {
                                context: Context::AuthorizationHeader,
                                name: crate::error::excerpt(other),
                            }));
                        }
                    }
                    return Ok(());
                }
            };
            set_once(slot, value, &name)
        });
        match walked {
            Ok(()) => {}
            Err(Walk::Header(error) | Walk::Caller(error)) => return Err(error),
        }
        Ok(parsed)
    }

    /// Every parameter but `realm`, as sent: names and values still percent-encoded (RFC 3986,
    /// which a query takes as it is), `oauth_signature` included. For moving a header's
    /// parameters into a query without decoding and encoding them again.
    pub(crate) fn encoded_params(&self) -> impl Iterator<Item = (&'a str, &'a str)> + 'a {
        // `parse` checked every pair already, so nothing below fails.
        self.lexer()
            .filter_map(Result::ok)
            .filter(|raw| raw.name != "realm")
            .map(|raw| (raw.name, raw.value))
    }

    /// The list lexed again: it parsed once, so nothing here fails, and no error offset (the
    /// only use of `base`) is ever reported.
    fn lexer(&self) -> Lexer<'a> {
        Lexer {
            src: self.list,
            pos: 0,
            base: 0,
            done: false,
        }
    }

    /// `realm`, unquoted.
    #[must_use]
    pub fn realm(&self) -> Option<&str> {
        self.realm.as_deref()
    }

    /// `oauth_consumer_key`.
    #[must_use]
    pub fn consumer_key(&self) -> Option<&str> {
        self.consumer_key.as_deref()
    }

    /// `oauth_token`.
    #[must_use]
    pub fn token(&self) -> Option<&str> {
        self.token.as_deref()
    }

    /// `oauth_signature_method`, as sent.
    #[must_use]
    pub fn signature_method(&self) -> Option<&str> {
        self.signature_method.as_deref()
    }

    /// `oauth_signature`, decoded (for PLAINTEXT: `enc(consumer secret)&enc(token secret)`).
    ///
    /// # Security
    /// With PLAINTEXT this is the secrets themselves: compare it in constant time
    /// ([`Secret::ct_eq`]) and never log it.
    #[must_use]
    pub fn signature(&self) -> Option<&str> {
        self.signature.as_ref().map(SecretStr::expose_secret)
    }

    /// `oauth_timestamp`, as sent (not yet checked to be a number).
    #[must_use]
    pub fn timestamp(&self) -> Option<&str> {
        self.timestamp.as_deref()
    }

    /// `oauth_nonce`.
    #[must_use]
    pub fn nonce(&self) -> Option<&str> {
        self.nonce.as_deref()
    }

    /// `oauth_callback`.
    #[must_use]
    pub fn callback(&self) -> Option<&str> {
        self.callback.as_deref()
    }

    /// `oauth_verifier`.
    ///
    /// # Security
    /// The verifier is a one-time secret: compare it in constant time and never log it.
    #[must_use]
    pub fn verifier(&self) -> Option<&str> {
        self.verifier.as_ref().map(SecretStr::expose_secret)
    }

    /// `oauth_version`.
    #[must_use]
    pub fn version(&self) -> Option<&str> {
        self.version.as_deref()
    }

    /// Every parameter except `realm` and `oauth_signature`, decoded, in the order sent: the
    /// protocol parameters that signature methods sign (RFC 5849 section 3.4.1.3.1), extension
    /// parameters included.
    pub fn params(&self) -> impl Iterator<Item = (Cow<'a, str>, Cow<'a, str>)> + 'a {
        // `parse` decoded every name and value already, so nothing below can fail.
        self.lexer().filter_map(Result::ok).filter_map(|raw| {
            let name = raw.decoded_name().ok()?;
            if name == "realm" || name == "oauth_signature" {
                return None;
            }
            Some((name, raw.decoded_value().ok()?))
        })
    }
}

impl fmt::Debug for ParsedAuthorization<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Not `list`: it holds the raw signature.
        f.debug_struct("ParsedAuthorization")
            .field("realm", &self.realm)
            .field("consumer_key", &self.consumer_key)
            .field("token", &self.token)
            .field("signature_method", &self.signature_method)
            .field("signature", &self.signature)
            .field("timestamp", &self.timestamp)
            .field("nonce", &self.nonce)
            .field("callback", &self.callback)
            .field("verifier", &self.verifier)
            .field("version", &self.version)
            .finish()
    }
}

fn unquote(raw: &str) -> Cow<'_, str> {
    if !raw.contains('\\') {
        return Cow::Borrowed(raw);
    }
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(escaped) = chars.next() {
                out.push(escaped);
            }
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// One `name="value"` pair, raw.
struct RawParam<'a> {
    name: &'a str,
    /// Between the quotes, escapes untouched.
    value: &'a str,
    /// Offset of the name in the whole header value.
    offset: usize,
    /// Whether the name holds a `%` (else it decodes to itself).
    name_escaped: bool,
    /// Whether the value holds a `%` (else it decodes to itself), or a backslash.
    value_escaped: bool,
    /// Whether every `%` in the value starts the escape of an ASCII byte (`%00` to `%7F`): then
    /// it decodes without an error, to UTF-8.
    value_escapes_ascii: bool,
    value_backslash: bool,
}

impl<'a> RawParam<'a> {
    /// The name, percent-decoded.
    fn decoded_name(&self) -> Result<Cow<'a, str>, crate::encode::DecodeError> {
        if self.name_escaped {
            decode(self.name)
        } else {
            Ok(Cow::Borrowed(self.name))
        }
    }

    /// The value, percent-decoded.
    fn decoded_value(&self) -> Result<Cow<'a, str>, crate::encode::DecodeError> {
        if self.value_escaped {
            decode(self.value)
        } else {
            Ok(Cow::Borrowed(self.value))
        }
    }
}

struct Lexer<'a> {
    src: &'a str,
    pos: usize,
    base: usize,
    done: bool,
}

const fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b'!' | b'#'
                | b'$'
                | b'%'
                | b'&'
                | b'\''
                | b'*'
                | b'+'
                | b'-'
                | b'.'
                | b'^'
                | b'_'
                | b'`'
                | b'|'
                | b'~'
        )
}

/// [`is_tchar`] by table, for the lexer's loop over a name: 0 for a byte that is not a tchar,
/// [`PERCENT`] for `%`, 1 for the others.
#[allow(clippy::indexing_slicing)] // b < 256 indexes a 256-entry table
const TCHAR: [u8; 256] = {
    let mut table = [0; 256];
    let mut b = 0;
    while b < 256 {
        // Every entry written, so that the loop's bound is checked by the table's own.
        #[allow(clippy::cast_possible_truncation)] // b < 256
        {
            table[b] = if is_tchar(b as u8) { 1 } else { 0 };
        }
        b += 1;
    }
    table[b'%' as usize] = PERCENT;
    table
};

const PERCENT: u8 = 2;

#[inline]
fn tchar_class(b: u8) -> u8 {
    // A u8 always indexes a 256-entry table.
    #[allow(clippy::indexing_slicing)]
    TCHAR[usize::from(b)]
}

/// How many bytes at the start of `bytes` a quoted value takes as they are, eight at a time:
/// it stops at the first word that holds a `"`, a `\`, a control character (a tab among them,
/// which the byte-by-byte loop then accepts) or DEL. Most values are nothing but such bytes.
fn plain_quoted_run(bytes: &[u8]) -> usize {
    use crate::swar::{any_below, any_equal};
    crate::swar::run(bytes, |word| {
        any_below(word, 0x20)
            | any_equal(word, b'"')
            | any_equal(word, b'\\')
            | any_equal(word, b'%')
            | any_equal(word, 0x7f)
            == 0
    })
}

/// The bytes of a quoted value the lexer looks at one by one: `"`, `\\`, `%`, control characters
/// (a tab is accepted there) and DEL; [`plain_quoted_run`] skips words without any.
#[allow(clippy::indexing_slicing)] // b < 256 indexes a 256-entry table
const LOOK: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 0x20 {
        table[b] = true;
        b += 1;
    }
    table[b'"' as usize] = true;
    table[b'\\' as usize] = true;
    table[b'%' as usize] = true;
    table[0x7f] = true;
    table
};

#[inline]
fn needs_a_look(b: u8) -> bool {
    // A u8 always indexes a 256-entry table.
    #[allow(clippy::indexing_slicing)]
    LOOK[usize::from(b)]
}

/// The length of the protocol parameter's name `bytes` starts with, when `="` follows it right
/// away: one of [`RESERVED_NAMES`], picked by its seventh byte and compared whole with its `="`
/// (so that what follows cannot make it longer).
fn known_name(bytes: &[u8]) -> Option<usize> {
    let rest = bytes.strip_prefix(b"oauth_")?;
    let name = match rest.first()? {
        b'c' if rest.starts_with(b"consumer_key=\"") => "consumer_key",
        b'c' if rest.starts_with(b"callback=\"") => "callback",
        b't' if rest.starts_with(b"token=\"") => "token",
        b't' if rest.starts_with(b"timestamp=\"") => "timestamp",
        b's' if rest.starts_with(b"signature_method=\"") => "signature_method",
        b's' if rest.starts_with(b"signature=\"") => "signature",
        b'n' if rest.starts_with(b"nonce=\"") => "nonce",
        b'v' if rest.starts_with(b"version=\"") => "version",
        b'v' if rest.starts_with(b"verifier=\"") => "verifier",
        _ => return None,
    };
    Some("oauth_".len() + name.len())
}

impl<'a> Lexer<'a> {
    fn peek(&self) -> Option<u8> {
        self.src.as_bytes().get(self.pos).copied()
    }

    fn skip_ows(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.pos += 1;
        }
    }

    fn malformed(&mut self, expected: &'static str) -> Option<Result<RawParam<'a>, Error>> {
        self.done = true;
        Some(Err(Error::Parse(ParseError::MalformedHeader {
            offset: self.base + self.pos,
            expected,
        })))
    }
}

impl<'a> Iterator for Lexer<'a> {
    type Item = Result<RawParam<'a>, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        // Skip whitespace and empty list elements.
        loop {
            self.skip_ows();
            match self.peek() {
                None => {
                    self.done = true;
                    return None;
                }
                Some(b',') => self.pos += 1,
                Some(_) => break,
            }
        }
        let name_start = self.pos;
        let bytes = self.src.as_bytes();
        let (name, name_escaped) =
            if let Some(len) = known_name(bytes.get(name_start..).unwrap_or_default()) {
                // A protocol parameter's name right before `="`, as nearly every sender writes it.
                self.pos = name_start + len + 2;
                let name = self.src.get(name_start..name_start + len);
                (name.unwrap_or_default(), false)
            } else {
                // Whole words of unreserved bytes (all tchars, none a `%`) at once, then byte
                // by byte.
                let mut pos = name_start
                    + crate::encode::unreserved_run(bytes.get(name_start..).unwrap_or_default());
                let mut classes = 0;
                while let Some(&b) = bytes.get(pos) {
                    let class = tchar_class(b);
                    if class == 0 {
                        break;
                    }
                    classes |= class;
                    pos += 1;
                }
                self.pos = pos;
                if self.pos == name_start {
                    return self.malformed("a parameter name");
                }
                let name = self.src.get(name_start..self.pos).unwrap_or_default();
                self.skip_ows();
                if self.peek() != Some(b'=') {
                    return self.malformed("'=' after the parameter name");
                }
                self.pos += 1;
                self.skip_ows();
                if self.peek() != Some(b'"') {
                    return self.malformed("a value in double quotes");
                }
                self.pos += 1;
                (name, classes & PERCENT != 0)
            };
        let value_start = self.pos;
        let (mut value_escaped, mut value_backslash) = (false, false);
        let mut value_escapes_ascii = true;
        // Each turn takes one byte that needs a look (or ends the value): whole words of plain
        // bytes before it at once, then the rest of them by table.
        loop {
            let rest = bytes.get(self.pos..).unwrap_or_default();
            self.pos += plain_quoted_run(rest);
            // The plain bytes left before the next one that needs a look, by table.
            let rest = bytes.get(self.pos..).unwrap_or_default();
            self.pos += rest
                .iter()
                .position(|&b| needs_a_look(b))
                .unwrap_or(rest.len());
            match self.peek() {
                None => return self.malformed("a closing double quote"),
                Some(b'"') => break,
                Some(b'\\') => {
                    value_backslash = true;
                    self.pos += 1;
                    match self.peek() {
                        Some(b) if b == b'\t' || !b.is_ascii_control() => self.pos += 1,
                        _ => return self.malformed("a character after the backslash"),
                    }
                }
                Some(b'%') => {
                    value_escaped = true;
                    // A byte of ASCII, `%00` to `%7F` (any other escape, valid or not, is for
                    // the decoder to judge).
                    let ascii = matches!(
                        bytes.get(self.pos + 1..self.pos + 3),
                        Some([b'0'..=b'7', lo]) if lo.is_ascii_hexdigit()
                    );
                    value_escapes_ascii &= ascii;
                    self.pos += 1;
                }
                Some(b) if b != b'\t' && b.is_ascii_control() => {
                    return self.malformed("no control characters inside a quoted value");
                }
                Some(_) => self.pos += 1,
            }
        }
        let value = self.src.get(value_start..self.pos).unwrap_or_default();
        self.pos += 1;
        self.skip_ows();
        match self.peek() {
            None | Some(b',') => {}
            Some(_) => return self.malformed("',' between parameters"),
        }
        Some(Ok(RawParam {
            name,
            value,
            offset: self.base + name_start,
            name_escaped,
            value_escaped,
            value_escapes_ascii,
            value_backslash,
        }))
    }
}

/// An absolute URI without an authority (RFC 3986 section 3: `scheme ":" path`, such as
/// `about:blank`): a scheme (a letter, then letters, digits, `+`, `-`, `.`), a colon, and a
/// non-empty rest of visible ASCII.
pub(crate) fn is_opaque_absolute_uri(text: &str) -> bool {
    let Some((scheme, rest)) = text.split_once(':') else {
        return false;
    };
    let mut scheme_bytes = scheme.bytes();
    scheme_bytes.next().is_some_and(|b| b.is_ascii_alphabetic())
        && scheme_bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
        && !rest.is_empty()
        && !rest.starts_with("//")
        && rest.bytes().all(|b| b.is_ascii_graphic())
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    #[test]
    fn an_authorization_compares_by_value_hands_over_its_value_and_debug_hides_it() {
        let a = Authorization::with_secret_from(String::from("OAuth a=\"1\", s=\"x\""), 13);
        let b = Authorization::with_secret_from(String::from("OAuth a=\"1\", s=\"y\""), 13);
        assert_eq!(a, a.clone());
        assert_ne!(a, b);
        assert_eq!(alloc::format!("{a:?}"), "Authorization([redacted])");
        assert_eq!(a.clone().into_secret().expose_secret(), a.as_str());
    }

    #[test]
    fn method_names_need_no_encoding() {
        // `Head::write_to` copies the method's name into the header without encoding it.
        for method in SignatureMethod::ALL {
            assert!(
                crate::encode::needs_no_encoding(method.as_str()),
                "{method}"
            );
        }
    }

    #[test]
    fn the_word_at_a_time_value_scan_stops_at_every_special_byte_everywhere() {
        // What the byte-by-byte loop must look at: the closing quote, a backslash, a control
        // character (tab included, which it accepts) and DEL.
        let special = |b: u8| b == b'"' || b == b'\\' || b == b'%' || b < 0x20 || b == 0x7f;
        for b in 0u8..=0xff {
            assert_eq!(needs_a_look(b), special(b), "{b:#04x}");
        }
        for b in 0u8..=0xff {
            for len in 1..=20 {
                for at in 0..len {
                    let mut bytes = alloc::vec![b'a'; len];
                    bytes[at] = b;
                    let run = plain_quoted_run(&bytes);
                    let first_special = bytes.iter().position(|&x| special(x)).unwrap_or(len);
                    // Whole words before the first special byte, never past it.
                    assert_eq!(run, first_special / 8 * 8, "{b:#04x} at {at} of {len}");
                }
            }
            assert_eq!(tchar_class(b) != 0, is_tchar(b));
        }
    }

    #[test]
    fn a_known_name_is_a_reserved_name_right_before_its_opening_quote() {
        // The lexer's shortcut must take exactly what its general path would take as a reserved
        // name with nothing between it and `="`: the run of tchars, if it is one of them.
        let general = |s: &[u8]| {
            let n = s.iter().position(|&b| !is_tchar(b)).unwrap_or(s.len());
            let name = core::str::from_utf8(s.get(..n)?).ok()?;
            let quoted = s.get(n..).is_some_and(|rest| rest.starts_with(b"=\""));
            (RESERVED_NAMES.contains(&name) && quoted).then_some(n)
        };
        let mut stems: Vec<String> = Vec::new();
        let others = [
            "realm",
            "oauth_",
            "oauth_body_hash",
            "oauth_token_secret",
            "oauth_nonces",
        ];
        for name in RESERVED_NAMES.iter().chain(&others) {
            for cut in 0..=name.len() {
                stems.push(name[..cut].into());
                stems.push(name[..cut].to_uppercase());
            }
            for extra in ["x", "_", "%", "-", "%5F"] {
                stems.push(alloc::format!("{name}{extra}"));
            }
        }
        stems.sort();
        stems.dedup();
        let mut known = 0;
        for stem in &stems {
            for after in [
                "=\"v\"", "= \"v\"", " =\"v\"", "=\t\"v\"", "=v", "=", "", "\"", ",", "=\"\"",
            ] {
                let text = alloc::format!("{stem}{after}");
                let found = known_name(text.as_bytes());
                assert_eq!(found, general(text.as_bytes()), "{text:?}");
                known += usize::from(found.is_some());
            }
        }
        // Each reserved name, before `="v"` and before `=""`.
        assert_eq!(known, 2 * RESERVED_NAMES.len());
    }

    #[test]
    fn quoted_realm_round_trips() {
        let mut out = String::new();
        write_quoted(&mut out, r#"a "b" \c"#).unwrap();
        assert_eq!(out, r#"a \"b\" \\c"#);
        assert_eq!(unquote(&out), r#"a "b" \c"#);
    }

    #[test]
    fn scheme_is_case_insensitive_and_whitespace_is_flexible() {
        let p = ParsedAuthorization::parse(
            "  oauth\toauth_consumer_key = \"k\" ,, \t oauth_token=\"t\",",
        )
        .unwrap();
        assert_eq!(p.consumer_key(), Some("k"));
        assert_eq!(p.token(), Some("t"));
        let p = ParsedAuthorization::parse("OAUTH").unwrap();
        assert_eq!(p.consumer_key(), None);
    }

    #[test]
    fn errors_carry_offsets() {
        let cases: [(&str, usize, &str); 10] = [
            ("OAuth =\"x\"", 6, "a parameter name"),
            ("OAuth a \"x\"", 8, "'=' after the parameter name"),
            ("OAuth a=x", 8, "a value in double quotes"),
            ("OAuth a=\"x", 10, "a closing double quote"),
            ("OAuth a=\"x\" b=\"y\"", 12, "',' between parameters"),
            (
                "OAuth a=\"x\ny\"",
                10,
                "no control characters inside a quoted value",
            ),
            ("OAuth a=\"x\\", 11, "a character after the backslash"),
            ("OAuth a=\"x\\\ny\"", 11, "a character after the backslash"),
            (
                "OAuth a=\"x\\\u{7f}\"",
                11,
                "a character after the backslash",
            ),
            (
                "OAuth a=\"\\\"\"",
                6,
                "a percent-encoded value (backslash escapes are allowed only in realm)",
            ),
        ];
        for (input, offset, expected) in cases {
            assert_eq!(
                ParsedAuthorization::parse(input).unwrap_err(),
                Error::Parse(ParseError::MalformedHeader { offset, expected }),
                "{input:?}"
            );
        }
    }

    #[test]
    fn a_backslash_takes_a_tab_or_any_visible_character() {
        for (escaped, meant) in [("\t", "\t"), ("\"", "\""), ("\\", "\\"), ("é", "é")] {
            let header = alloc::format!("OAuth realm=\"a\\{escaped}b\"");
            let p = ParsedAuthorization::parse(&header).unwrap();
            assert_eq!(
                p.realm(),
                Some(alloc::format!("a{meant}b").as_str()),
                "{header:?}"
            );
        }
    }

    #[test]
    fn other_schemes_are_refused() {
        for input in ["Basic abc", "", "OAuthx a=\"b\"", "Discogs token=abc"] {
            assert_eq!(
                ParsedAuthorization::parse(input).unwrap_err(),
                Error::Parse(ParseError::NotOAuthScheme)
            );
        }
    }

    #[test]
    fn duplicates_are_refused_even_when_spelled_differently() {
        for (input, name) in [
            ("OAuth oauth_nonce=\"a\", oauth_nonce=\"b\"", "oauth_nonce"),
            (
                "OAuth oauth_nonce=\"a\", oauth%5Fnonce=\"b\"",
                "oauth_nonce",
            ),
            ("OAuth realm=\"a\", realm=\"a\"", "realm"),
            (
                "OAuth oauth_signature=\"a\", oauth_signature=\"a\"",
                "oauth_signature",
            ),
            (
                "OAuth x_ext=\"1\", oauth_token=\"t\", x%5Fext=\"2\"",
                "x_ext",
            ),
        ] {
            assert_eq!(
                ParsedAuthorization::parse(input).unwrap_err(),
                Error::Parse(ParseError::DuplicateParameter {
                    context: Context::AuthorizationHeader,
                    name: name.into()
                }),
                "{input}"
            );
        }
    }

    #[test]
    fn too_many_parameters() {
        let mut header = String::from("OAuth ");
        for i in 0..=MAX_PARAMS {
            header.push_str(&alloc::format!("p{i}=\"v\","));
        }
        assert!(matches!(
            ParsedAuthorization::parse(&header),
            Err(Error::Parse(ParseError::MalformedHeader {
                expected: "at most 32 parameters",
                ..
            }))
        ));
    }

    #[test]
    fn params_skip_realm_and_signature() {
        let p = ParsedAuthorization::parse(
            "OAuth realm=\"r\", oauth_consumer_key=\"k\", oauth_signature=\"s\", oauth_body_hash=\"a%3D\"",
        )
        .unwrap();
        let params: Vec<_> = p.params().collect();
        assert_eq!(
            params,
            [
                (Cow::Borrowed("oauth_consumer_key"), Cow::Borrowed("k")),
                (Cow::Borrowed("oauth_body_hash"), Cow::Owned("a=".into())),
            ]
        );
    }

    #[test]
    fn debug_hides_signature_and_verifier() {
        let p = ParsedAuthorization::parse(
            "OAuth oauth_signature=\"topsecret%26\", oauth_verifier=\"verysecret\"",
        )
        .unwrap();
        let dbg = alloc::format!("{p:?}");
        assert!(!dbg.contains("topsecret"), "{dbg}");
        assert!(!dbg.contains("verysecret"), "{dbg}");
        // Everything else shows, by field.
        let p = ParsedAuthorization::parse(
            "OAuth realm=\"r\", oauth_consumer_key=\"ck\", oauth_token=\"tk\", \
             oauth_signature_method=\"PLAINTEXT\", oauth_signature=\"topsecret%26\", \
             oauth_timestamp=\"137\", oauth_nonce=\"n1\", oauth_callback=\"oob\", \
             oauth_verifier=\"verysecret\", oauth_version=\"1.0\"",
        )
        .unwrap();
        assert_eq!(
            alloc::format!("{p:?}"),
            "ParsedAuthorization { realm: Some(\"r\"), consumer_key: Some(\"ck\"), \
             token: Some(\"tk\"), signature_method: Some(\"PLAINTEXT\"), \
             signature: Some(Secret([redacted])), timestamp: Some(\"137\"), \
             nonce: Some(\"n1\"), callback: Some(\"oob\"), \
             verifier: Some(Secret([redacted])), version: Some(\"1.0\") }"
        );
    }
}
