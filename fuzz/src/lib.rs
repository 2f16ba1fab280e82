//! The bodies of countersign's fuzz targets.
//!
//! Each target is one `pub fn name(data: &[u8])` here; the binaries in `fuzz_targets/` only hand
//! libFuzzer's input to it, and `tests/replay.rs` calls the same functions on the committed corpus
//! and regression inputs with the stable toolchain. A function returns normally for every input
//! unless one of the invariants it checks is broken, and then it panics with a message saying
//! which.
//!
//! Under `--cfg fuzzing` (set by `cargo fuzz`) some targets also check internals that the core
//! exposes only then, through `countersign::fuzzing`.
//!
//! To add a target: write its function here and list it in [`TARGETS`], add
//! `fuzz_targets/<name>.rs` and its `[[bin]]` in `Cargo.toml`, a seed corpus in `corpus/<name>/`
//! and `regressions/<name>/`, and its name in the `replay!` list of `tests/replay.rs`.

use std::borrow::Cow;

use arbitrary::{Arbitrary, Unstructured};
use countersign::encode::{decode, decode_form, encode};
use countersign::header::{MAX_PARAMS, ParsedAuthorization};
use countersign::verify::{
    Location, MemoryNonceStore, Reason, Rejection, SecretLookup, Verified, Verifier,
};
use countersign::{
    Callback, ClientCredentials, Error, Request, Secret, SecretStr, Signer, TokenCredentials,
    TokenResponse,
};
use countersign::{SignatureMethod, signature};

pub mod model;

/// A target's body: returns for every input unless an invariant is broken.
pub type Target = fn(&[u8]);

/// Every target, by the name of its binary and corpus directory.
pub const TARGETS: &[(&str, Target)] = &[
    ("token_response", token_response),
    ("callback", callback),
    ("authorization_header", authorization_header),
    ("percent_decoding", percent_decoding),
    ("round_trip", round_trip),
    ("plaintext_differential", plaintext_differential),
    ("response_headers", response_headers),
    ("verify", verify),
    ("verify_signed", verify_signed),
    ("exchange", exchange),
    ("signature_methods", signature_methods),
    ("provider_profiles", provider_profiles),
];

/// Checks what holds for every error: its message prints, is not empty, and carries no control
/// character (text from the other side is escaped, so it cannot forge log lines).
fn check_error(error: &Error) {
    let message = error.to_string();
    assert!(!message.is_empty(), "empty message for {error:?}");
    assert!(
        !message.chars().any(char::is_control),
        "control character in the message of {error:?}: {message:?}"
    );
    let _ = format!("{error:?}");
}

// ---------------------------------------------------------------------------------------------
// token_response

/// The parameters `TokenResponse` takes apart itself, and so leaves out of `extra()`.
const TOKEN_RESPONSE_OWN: [&str; 3] = [
    "oauth_token",
    "oauth_token_secret",
    "oauth_callback_confirmed",
];

/// `TokenResponse::parse` and `parse_temporary` on raw bytes, against [`model::token_response`]:
/// the same verdict (the same error, or the same token, secret and parameters). When the body
/// parses, the accessors, `get`, `extra` and `into_credentials` agree with it, and `get` never
/// hands out the token secret.
pub fn token_response(data: &[u8]) {
    let parsed = TokenResponse::parse(data);
    let expected = model::token_response(data);
    match (&parsed, &expected) {
        (Ok(response), Ok(model)) => check_token_response(response, model),
        (Err(error), Err(model)) => {
            assert_eq!(error, model, "parse and the model fail differently");
            check_error(error);
        }
        (Ok(response), Err(model)) => {
            panic!("parse accepted ({response:?}) a body the model rejects: {model:?}")
        }
        (Err(error), Ok(_)) => panic!("parse rejected a body the model accepts: {error:?}"),
    }

    let temporary = TokenResponse::parse_temporary(data);
    match (&parsed, &temporary) {
        (Ok(response), Ok(temporary)) => {
            assert!(
                response.callback_confirmed(),
                "parse_temporary without confirmation"
            );
            assert_eq!(temporary.token(), response.token());
            assert!(
                temporary
                    .token_secret()
                    .ct_eq(response.token_secret().expose_secret())
            );
        }
        (Ok(response), Err(error)) => {
            assert_eq!(
                *error,
                Error::Flow(countersign::FlowError::CallbackNotConfirmed)
            );
            assert!(!response.callback_confirmed());
        }
        (Err(error), Err(temporary_error)) => assert_eq!(error, temporary_error),
        (Err(error), Ok(_)) => panic!("parse_temporary accepted what parse rejects: {error:?}"),
    }

    #[cfg(fuzzing)]
    if let Some(body) = std::str::from_utf8(data).ok().map(|b| b.trim_ascii()) {
        let raw: Vec<_> = countersign::fuzzing::raw_pairs(body).collect();
        assert_eq!(raw, model::split_pairs(body), "the pair splitter disagrees");
    }
}

fn check_token_response(response: &TokenResponse<'_>, model: &model::TokenResponse) {
    assert_eq!(response.token(), model.token);
    assert!(
        !response.token().is_empty(),
        "an empty oauth_token was accepted"
    );
    assert_eq!(response.token_secret().expose_secret(), model.token_secret);
    assert!(response.token_secret().ct_eq(&model.token_secret));
    assert_eq!(
        response.callback_confirmed(),
        model.callback_confirmed.as_deref() == Some("true")
    );

    // `get`: the first value of a name, never the token secret.
    assert_eq!(response.get("oauth_token_secret"), None);
    let first = |name: &str| {
        model
            .pairs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };
    // Each `get` walks the whole body: a few dozen names are plenty.
    let mut names: Vec<&str> = model
        .pairs
        .iter()
        .map(|(n, _)| n.as_str())
        .take(64)
        .collect();
    names.extend(["oauth_token", "oauth_callback_confirmed", "not_sent"]);
    for name in names {
        let expected = if name == "oauth_token_secret" {
            None
        } else {
            first(name)
        };
        assert_eq!(response.get(name).as_deref(), expected, "get({name:?})");
    }
    assert_eq!(
        response.get("oauth_token").as_deref(),
        Some(response.token())
    );

    // `extra`: everything but the three parameters the parser takes apart, in order.
    let extra: Vec<(Cow<'_, str>, Cow<'_, str>)> = response.extra().collect();
    let expected: Vec<(&str, &str)> = model
        .pairs
        .iter()
        .filter(|(n, _)| !TOKEN_RESPONSE_OWN.contains(&n.as_str()))
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let extra: Vec<(&str, &str)> = extra.iter().map(|(n, v)| (&**n, &**v)).collect();
    assert_eq!(extra, expected, "extra()");

    let debug = format!("{response:?}");
    assert!(debug.contains("[redacted]"), "Debug shows the token secret");

    let credentials = response.clone().into_credentials();
    assert_eq!(credentials.token(), model.token);
    assert!(credentials.secret().ct_eq(&model.token_secret));
}

// ---------------------------------------------------------------------------------------------
// callback

/// A callback result reduced to comparable values: `(approved, token, verifier)`.
type CallbackSummary = Result<(bool, String, Option<String>), Error>;

fn summarize(result: &Result<Callback<'_>, Error>) -> CallbackSummary {
    match result {
        Ok(Callback::Approved { token, verifier }) => Ok((
            true,
            token.to_string(),
            Some(verifier.expose_secret().to_owned()),
        )),
        Ok(Callback::Denied { token }) => Ok((false, token.to_string(), None)),
        Ok(other) => panic!("a Callback variant this target does not know: {other:?}"),
        Err(error) => Err(error.clone()),
    }
}

fn check_callback(result: &Result<Callback<'_>, Error>) {
    match result {
        Ok(callback @ Callback::Approved { token, verifier }) => {
            assert!(!token.is_empty(), "approved with an empty oauth_token");
            assert!(
                !verifier.expose_secret().is_empty(),
                "approved with an empty oauth_verifier"
            );
            assert_eq!(callback.token(), &**token);
            let debug = format!("{callback:?}");
            assert!(debug.contains("[redacted]"), "Debug shows the verifier");
        }
        Ok(callback @ Callback::Denied { token }) => assert_eq!(callback.token(), &**token),
        Ok(other) => panic!("a Callback variant this target does not know: {other:?}"),
        Err(error) => check_error(error),
    }
}

/// The query of a callback input, found the simple way: after the first `?` of a URL (`://`
/// before it), else the input less a leading `?`; without the fragment.
fn query_of(input: &str) -> &str {
    let query = match input.split_once("://") {
        Some((_, rest)) => rest.split_once('?').map_or("", |(_, q)| q),
        None => input.strip_prefix('?').unwrap_or(input),
    };
    query.split_once('#').map_or(query, |(q, _)| q)
}

/// `Callback::parse` on the input (lossy UTF-8); then its query two ways: as `?query`, and inside
/// a full callback URL. Whenever the URL form is understood as a URL, the `?query` form must give
/// the same answer: the parser documents that it takes the full URL or its query string alike.
pub fn callback(data: &[u8]) {
    let input = String::from_utf8_lossy(data);
    let parsed = Callback::parse(&input);
    check_callback(&parsed);

    let query = query_of(&input);
    let url = format!("https://client.example.net/cb?{query}");
    let as_url = Callback::parse(&url);
    check_callback(&as_url);
    let as_query = format!("?{query}");
    let bare = Callback::parse(&as_query);
    check_callback(&bare);
    if !matches!(
        as_url,
        Err(Error::Parse(countersign::ParseError::Url { .. }))
    ) {
        assert_eq!(
            summarize(&bare),
            summarize(&as_url),
            "the query string and the URL it came from parse differently"
        );
    }

    #[cfg(fuzzing)]
    check_callback_internals(&input, &parsed);
}

/// The URL splitting and query extraction behind `Callback::parse`, checked directly.
#[cfg(fuzzing)]
fn check_callback_internals(input: &str, parsed: &Result<Callback<'_>, Error>) {
    use countersign::fuzzing::{callback_query, raw_pairs, split_url};
    use countersign::transport::{check_cleartext_allowed, is_loopback_host};

    let query = callback_query(input);
    if parsed.is_ok() {
        assert!(
            query.is_ok(),
            "parsed a callback whose query cannot be found"
        );
    }
    if let Ok(query) = query {
        assert!(input.contains(query), "the query is not part of the input");
        let raw: Vec<_> = raw_pairs(query).collect();
        assert_eq!(
            raw,
            model::split_pairs(query),
            "the pair splitter disagrees"
        );
    }

    match split_url(input) {
        Ok((scheme, host, url_query)) => {
            let mut chars = scheme.chars();
            assert!(chars.next().is_some_and(|c| c.is_ascii_alphabetic()));
            assert!(chars.all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c)));
            assert!(!host.is_empty(), "a URL without a host was split");
            assert!(!input.bytes().any(|b| b.is_ascii_control() || b == b' '));
            assert_eq!(check_cleartext_allowed(input, true), Ok(()));
            let allowed = scheme.eq_ignore_ascii_case("https")
                || (scheme.eq_ignore_ascii_case("http") && is_loopback_host(host));
            assert_eq!(
                check_cleartext_allowed(input, false).is_ok(),
                allowed,
                "the cleartext rule for scheme {scheme:?} and host {host:?}"
            );
            if input.trim() == input {
                assert_eq!(query.ok(), Some(url_query.unwrap_or("")));
            }
        }
        Err(error) => {
            assert!(
                matches!(error, Error::Parse(countersign::ParseError::Url { .. })),
                "{error:?}"
            );
            // `https://` URLs may be let through without a full look (the hot path of signing).
            let https = input
                .get(..8)
                .is_some_and(|p| p.eq_ignore_ascii_case("https://"));
            if !https {
                assert_eq!(check_cleartext_allowed(input, true), Err(error));
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// authorization_header

/// The two secrets of a PLAINTEXT signature, when it is exactly `enc(a)&enc(b)` as RFC 5849
/// encodes them (so that signing with them gives the same signature back).
fn plaintext_secrets(signature: &str) -> Option<(String, String)> {
    let (a, b) = signature.split_once('&')?;
    let canonical = |part: &str| {
        model::decode(part)
            .ok()
            .filter(|decoded| model::encode(decoded) == part)
    };
    Some((canonical(a)?, canonical(b)?))
}

/// The timestamp as a `u64`, when it is written the way the signer writes one.
fn canonical_timestamp(timestamp: &str) -> Option<u64> {
    timestamp
        .parse::<u64>()
        .ok()
        .filter(|t| t.to_string() == timestamp)
}

fn has_forbidden_realm_char(realm: &str) -> bool {
    realm.chars().any(|c| c.is_control() && c != '\t')
}

/// A callback the signer refused (`InvalidCallback`) is neither `oob` nor an absolute URI.
fn check_refused_callback(callback: &str) {
    assert_ne!(callback, "oob", "oob refused as a callback");
    #[cfg(fuzzing)]
    assert!(
        countersign::fuzzing::split_url(callback).is_err()
            && !countersign::fuzzing::is_opaque_absolute_uri(callback),
        "an absolute URI refused as a callback: {callback:?}"
    );
}

/// A callback the signer sent is `oob` or an absolute URI (with an authority, or `about:blank`).
fn check_accepted_callback(callback: &str) {
    #[cfg(fuzzing)]
    assert!(
        callback == "oob"
            || countersign::fuzzing::split_url(callback).is_ok()
            || countersign::fuzzing::is_opaque_absolute_uri(callback),
        "sent a callback that is neither oob nor an absolute URI: {callback:?}"
    );
    #[cfg(not(fuzzing))]
    let _ = callback;
}

/// Signs a header with every value `parsed` carries, and checks that it parses back to them.
/// Returns the header, or `None` when the realm cannot be sent.
fn rebuild(parsed: &ParsedAuthorization<'_>) -> Option<String> {
    let secrets = parsed.signature().and_then(plaintext_secrets);
    let (consumer_secret, token_secret) = secrets.clone().unwrap_or_default();
    let client = ClientCredentials::new(
        parsed.consumer_key().unwrap_or(""),
        consumer_secret.as_str(),
    );
    let token = parsed
        .token()
        .map(|t| TokenCredentials::new(t, token_secret.as_str()));
    let verifier = parsed.verifier().map(Secret::new);
    let timestamp = parsed.timestamp().and_then(canonical_timestamp);
    let version = parsed.version() == Some("1.0");

    let mut signer = Signer::new(&client).version(version);
    if let Some(token) = &token {
        signer = signer.token(token);
    }
    if let Some(realm) = parsed.realm() {
        signer = signer.realm(realm);
    }
    if let Some(verifier) = &verifier {
        signer = signer.verifier(verifier);
    }
    if let Some(timestamp) = timestamp {
        signer = signer.timestamp(timestamp);
    }
    if let Some(nonce) = parsed.nonce() {
        signer = signer.nonce(nonce);
    }
    let request = Request::get("https://server.example.com/resource");
    let forbidden_realm = parsed.realm().is_some_and(has_forbidden_realm_char);
    // A parsed oauth_callback may be anything; the signer sends only absolute URLs and `oob`.
    let mut callback = parsed.callback();
    let signed = match callback {
        Some(url) => match signer.callback(url).sign(&request) {
            Err(Error::Misuse(countersign::Misuse::InvalidCallback)) => {
                check_refused_callback(url);
                callback = None;
                signer.sign(&request)
            }
            other => other,
        },
        None => signer.sign(&request),
    };
    let header = match signed {
        Ok(signed) => {
            assert!(
                !forbidden_realm,
                "signed with a realm holding a control character"
            );
            signed.to_authorization()
        }
        Err(Error::Misuse(countersign::Misuse::InvalidRealm)) if forbidden_realm => return None,
        Err(error) => panic!("cannot sign what was parsed: {error:?}"),
    };
    let header = header.as_str().to_owned();
    if let Some(callback) = callback {
        check_accepted_callback(callback);
    }

    let again = ParsedAuthorization::parse(&header)
        .unwrap_or_else(|e| panic!("a header the signer built does not parse: {e:?}"));
    assert_eq!(again.realm(), parsed.realm(), "realm");
    assert_eq!(
        again.consumer_key(),
        Some(client.key()),
        "oauth_consumer_key"
    );
    assert_eq!(again.token(), parsed.token(), "oauth_token");
    assert_eq!(again.signature_method(), Some("PLAINTEXT"));
    assert_eq!(again.callback(), callback, "oauth_callback");
    assert_eq!(again.verifier(), parsed.verifier(), "oauth_verifier");
    assert_eq!(again.nonce(), parsed.nonce(), "oauth_nonce");
    let expected_timestamp = timestamp.map(|_| parsed.timestamp().unwrap_or_default());
    assert_eq!(again.timestamp(), expected_timestamp, "oauth_timestamp");
    assert_eq!(again.version(), version.then_some("1.0"), "oauth_version");
    let used_token_secret = if token.is_some() { &*token_secret } else { "" };
    let expected_signature = model::plaintext(&consumer_secret, Some(used_token_secret));
    assert_eq!(again.signature(), Some(expected_signature.as_str()));
    if secrets.is_some() && (token.is_some() || token_secret.is_empty()) {
        assert_eq!(again.signature(), parsed.signature(), "oauth_signature");
    }
    drop(again);
    Some(header)
}

/// `ParsedAuthorization::parse` on the input (lossy UTF-8). When it parses: the accessors agree
/// with `params()`, names are unique, at most `MAX_PARAMS` parameters; and a header signed with
/// the parsed values parses back to the same values, and signing that again gives the same
/// bytes.
pub fn authorization_header(data: &[u8]) {
    let input = String::from_utf8_lossy(data);
    let parsed = match ParsedAuthorization::parse(&input) {
        Ok(parsed) => parsed,
        Err(error) => {
            check_error(&error);
            return;
        }
    };

    let params: Vec<(Cow<'_, str>, Cow<'_, str>)> = parsed.params().collect();
    let extra = usize::from(parsed.realm().is_some()) + usize::from(parsed.signature().is_some());
    assert!(params.len() + extra <= MAX_PARAMS, "more than MAX_PARAMS");
    for (i, (name, _)) in params.iter().enumerate() {
        assert!(
            name != "realm" && name != "oauth_signature",
            "params() lists {name}"
        );
        assert!(
            params[..i].iter().all(|(earlier, _)| earlier != name),
            "{name} appears twice"
        );
    }
    let fields = [
        ("oauth_consumer_key", parsed.consumer_key()),
        ("oauth_token", parsed.token()),
        ("oauth_signature_method", parsed.signature_method()),
        ("oauth_timestamp", parsed.timestamp()),
        ("oauth_nonce", parsed.nonce()),
        ("oauth_callback", parsed.callback()),
        ("oauth_verifier", parsed.verifier()),
        ("oauth_version", parsed.version()),
    ];
    for (name, value) in fields {
        let listed = params.iter().find(|(n, _)| n == name).map(|(_, v)| &**v);
        assert_eq!(
            listed, value,
            "params() and the accessor disagree on {name}"
        );
    }
    let _ = format!("{parsed:?}");

    if let Some(header) = rebuild(&parsed) {
        let again = ParsedAuthorization::parse(&header).unwrap_or_default();
        assert_eq!(
            rebuild(&again).as_deref(),
            Some(header.as_str()),
            "signing the parsed header again changes it"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// percent_decoding

/// `encode`, `decode` and `decode_form` on the input (lossy UTF-8), against the slow model:
/// encoding matches the per-byte rule and its length; `decode(encode(x)) == x` (and for forms);
/// decoding arbitrary text gives exactly the model's answer (value, or error and offset), and a
/// decoded value re-encodes and decodes to itself.
pub fn percent_decoding(data: &[u8]) {
    let input = String::from_utf8_lossy(data);
    let input: &str = &input;

    let encoded = encode(input).to_string();
    assert_eq!(encoded, model::encode(input), "encode");
    assert_eq!(encode(input).len(), encoded.len(), "Encode::len");
    assert_eq!(encode(input).is_empty(), input.is_empty());
    let cow: Cow<'_, str> = encode(input).into();
    assert_eq!(cow, encoded);
    if encoded == input {
        assert!(
            matches!(cow, Cow::Borrowed(_)),
            "nothing to encode, yet allocated"
        );
    }
    assert_eq!(decode(&encoded).as_deref(), Ok(input), "decode(encode(x))");
    assert_eq!(
        decode_form(&encoded).as_deref(),
        Ok(input),
        "decode_form(encode(x))"
    );

    let decoded = decode(input);
    assert_eq!(
        decoded.as_deref().map_err(Clone::clone),
        model::decode(input).as_deref().map_err(Clone::clone),
        "decode"
    );
    if let Ok(value) = &decoded {
        assert_eq!(matches!(value, Cow::Borrowed(_)), !input.contains('%'));
        check_stable(value);
    }

    let form = decode_form(input);
    assert_eq!(
        form.as_deref().map_err(Clone::clone),
        model::decode_form(input).as_deref().map_err(Clone::clone),
        "decode_form"
    );
    if let Ok(value) = &form {
        check_stable(value);
    }
    if !input.contains('+') {
        assert_eq!(form, decoded, "decode_form without '+' is decode");
    }
}

/// A decoded value, encoded and decoded again, is itself.
fn check_stable(value: &str) {
    let again = encode(value).to_string();
    assert_eq!(
        decode(&again).as_deref(),
        Ok(value),
        "re-encoding is not stable"
    );
    assert_eq!(decode_form(&again).as_deref(), Ok(value));
}

// ---------------------------------------------------------------------------------------------
// round_trip

/// Where the signed request goes: decides whether PLAINTEXT may be sent.
#[derive(Arbitrary, Clone, Copy, Debug)]
pub enum Destination {
    /// `https://`: always allowed.
    Https,
    /// `http://` to a loopback host: allowed.
    Loopback,
    /// `http://` to another host: refused unless the insecure switch is on.
    RemoteHttp,
}

impl Destination {
    fn url(self) -> &'static str {
        match self {
            Self::Https => "https://api.discogs.com/oauth/identity",
            Self::Loopback => "http://127.0.0.1:8080/oauth/identity",
            Self::RemoteHttp => "http://api.discogs.com/oauth/identity",
        }
    }
}

/// `oauth_callback`: mostly well-formed, so that signing gets past the callback check.
#[derive(Arbitrary, Clone, Debug)]
pub enum CallbackInput {
    /// `oob`.
    Oob,
    /// `https://client.example.net/` and this: an absolute URL unless it holds a space or a
    /// control character.
    Url(String),
    /// Any text.
    Raw(String),
}

impl CallbackInput {
    fn value(&self) -> Cow<'_, str> {
        match self {
            Self::Oob => Cow::Borrowed("oob"),
            Self::Url(rest) => Cow::Owned(format!("https://client.example.net/{rest}")),
            Self::Raw(text) => Cow::Borrowed(text),
        }
    }

    /// Whether the signer must send it (RFC 5849 section 2.1: an absolute URL or `oob`), when
    /// that is known without a URL parser.
    fn valid(&self) -> Option<bool> {
        match self {
            Self::Oob => Some(true),
            Self::Url(rest) => Some(!rest.bytes().any(|b| b.is_ascii_control() || b == b' ')),
            Self::Raw(text) if text == "oob" => Some(true),
            Self::Raw(_) => None,
        }
    }
}

/// Everything a signer can be given.
#[derive(Arbitrary, Debug)]
pub struct RoundTripInput {
    /// `oauth_consumer_key`.
    pub consumer_key: String,
    /// The consumer secret.
    pub consumer_secret: String,
    /// `oauth_token` and the token secret.
    pub token: Option<(String, String)>,
    /// `oauth_callback`.
    pub callback: Option<CallbackInput>,
    /// `oauth_verifier`.
    pub verifier: Option<String>,
    /// `realm`.
    pub realm: Option<String>,
    /// Whether to send `oauth_version`.
    pub version: bool,
    /// `oauth_timestamp`.
    pub timestamp: u64,
    /// `oauth_nonce`.
    pub nonce: String,
    /// The request URL.
    pub destination: Destination,
    /// `dangerous_allow_insecure_http`.
    pub allow_insecure_http: bool,
}

/// Structured: `Signer::sign` → `to_authorization` → `ParsedAuthorization::parse` gives back every
/// value; `params()` lists exactly them; `write_to` writes the same bytes; a
/// `PreparedSigner` (`authorize` and `write_to`) produces identical bytes. A realm with a control
/// character other than tab is refused with `InvalidRealm`, and `http://` to a remote host with
/// `InsecureTransport`, by both signers.
pub fn round_trip(data: &[u8]) {
    let Ok(input) = RoundTripInput::arbitrary_take_rest(Unstructured::new(data)) else {
        return;
    };
    let client =
        ClientCredentials::new(input.consumer_key.as_str(), input.consumer_secret.as_str());
    let token = input
        .token
        .as_ref()
        .map(|(token, secret)| TokenCredentials::new(token.as_str(), secret.as_str()));
    let verifier = input.verifier.as_deref().map(Secret::new);
    let callback = input.callback.as_ref().map(CallbackInput::value);

    let mut signer = Signer::new(&client)
        .version(input.version)
        .timestamp(input.timestamp)
        .nonce(&input.nonce);
    if let Some(token) = &token {
        signer = signer.token(token);
    }
    if let Some(realm) = &input.realm {
        signer = signer.realm(realm);
    }
    if let Some(callback) = &callback {
        signer = signer.callback(callback);
    }
    if let Some(verifier) = &verifier {
        signer = signer.verifier(verifier);
    }
    if input.allow_insecure_http {
        signer = signer.dangerous_allow_insecure_http();
    }
    let request = Request::post(input.destination.url());
    let insecure =
        matches!(input.destination, Destination::RemoteHttp) && !input.allow_insecure_http;
    let bad_realm = input.realm.as_deref().is_some_and(has_forbidden_realm_char);

    let signed = signer.sign(&request);
    let prepared = signer.prepare();

    // What checking the fixed parts must say: the realm first, then the callback.
    let head_error = if bad_realm {
        Some(Error::Misuse(countersign::Misuse::InvalidRealm))
    } else {
        match input.callback.as_ref().map(CallbackInput::valid) {
            None | Some(Some(true)) => None,
            Some(Some(false)) => Some(Error::Misuse(countersign::Misuse::InvalidCallback)),
            // Raw text: take prepare's word, checked against the URL splitter under fuzzing.
            Some(None) => match &prepared {
                Err(Error::Misuse(countersign::Misuse::InvalidCallback)) => {
                    Some(Error::Misuse(countersign::Misuse::InvalidCallback))
                }
                _ => None,
            },
        }
    };
    if let (Some(callback), false) = (&callback, bad_realm) {
        if head_error.is_some() {
            check_refused_callback(callback);
        } else {
            check_accepted_callback(callback);
        }
    }
    assert_eq!(prepared.as_ref().err(), head_error.as_ref(), "prepare");
    let expected_error = if insecure {
        Some(Error::Misuse(countersign::Misuse::InsecureTransport))
    } else {
        head_error
    };
    let signed = match (signed, expected_error) {
        (Ok(signed), None) => signed,
        (Err(error), Some(expected)) if error == expected => return,
        (other, expected) => panic!("sign gave {other:?}, expected {expected:?}"),
    };
    let prepared = prepared.unwrap_or_else(|e| panic!("prepare failed: {e:?}"));

    let header = signed.to_authorization();
    let mut written = String::new();
    signed.write_to(&mut written).expect("writing to a String");
    assert_eq!(written, header.as_str(), "SignedHeader::write_to");
    assert_eq!(signed.len(), written.len(), "SignedHeader::len");
    assert!(!signed.is_empty());

    let parsed = ParsedAuthorization::parse(header.as_str())
        .unwrap_or_else(|e| panic!("a signed header does not parse: {e:?}"));
    assert_eq!(parsed.realm(), input.realm.as_deref(), "realm");
    assert_eq!(parsed.consumer_key(), Some(input.consumer_key.as_str()));
    assert_eq!(
        parsed.token(),
        input.token.as_ref().map(|(t, _)| t.as_str())
    );
    assert_eq!(parsed.signature_method(), Some("PLAINTEXT"));
    assert_eq!(parsed.callback(), callback.as_deref(), "oauth_callback");
    assert_eq!(
        parsed.verifier(),
        input.verifier.as_deref(),
        "oauth_verifier"
    );
    assert_eq!(
        parsed.version(),
        input.version.then_some("1.0"),
        "oauth_version"
    );
    let timestamp = input.timestamp.to_string();
    assert_eq!(
        parsed.timestamp(),
        Some(timestamp.as_str()),
        "oauth_timestamp"
    );
    assert_eq!(parsed.nonce(), Some(input.nonce.as_str()), "oauth_nonce");
    let token_secret = input.token.as_ref().map(|(_, s)| s.as_str());
    let signature = model::plaintext(&input.consumer_secret, token_secret);
    assert_eq!(
        parsed.signature(),
        Some(signature.as_str()),
        "oauth_signature"
    );

    let mut expected: Vec<(&str, &str)> = vec![("oauth_consumer_key", &input.consumer_key)];
    if let Some((token, _)) = &input.token {
        expected.push(("oauth_token", token));
    }
    expected.push(("oauth_signature_method", "PLAINTEXT"));
    if let Some(callback) = &callback {
        expected.push(("oauth_callback", callback));
    }
    if let Some(verifier) = &input.verifier {
        expected.push(("oauth_verifier", verifier));
    }
    if input.version {
        expected.push(("oauth_version", "1.0"));
    }
    expected.push(("oauth_timestamp", &timestamp));
    expected.push(("oauth_nonce", &input.nonce));
    let params: Vec<(Cow<'_, str>, Cow<'_, str>)> = parsed.params().collect();
    let mut params: Vec<(&str, &str)> = params.iter().map(|(n, v)| (&**n, &**v)).collect();
    // The order is the signer's business; the set of parameters is not.
    params.sort_unstable();
    expected.sort_unstable();
    assert_eq!(params, expected, "params()");

    let authorized = prepared
        .sign(&request, input.timestamp, &input.nonce)
        .unwrap_or_else(|e| panic!("PreparedSigner::authorize failed: {e:?}"));
    assert_eq!(
        authorized.as_str(),
        header.as_str(),
        "PreparedSigner::authorize"
    );
    assert_eq!(authorized, header);
    let mut written = String::new();
    prepared
        .write_to(&request, input.timestamp, &input.nonce, &mut written)
        .unwrap_or_else(|e| panic!("PreparedSigner::write_to failed: {e:?}"));
    assert_eq!(written, header.as_str(), "PreparedSigner::write_to");
}

// ---------------------------------------------------------------------------------------------
// plaintext_differential

/// The secrets of a PLAINTEXT signature.
#[derive(Arbitrary, Debug)]
pub struct PlaintextInput {
    /// The consumer secret.
    pub consumer_secret: String,
    /// The token secret, when there is a token.
    pub token_secret: Option<String>,
}

/// The `oauth_signature="..."` value of a header, as written.
fn raw_signature(header: &str) -> &str {
    let (_, tail) = header
        .rsplit_once(", oauth_signature=\"")
        .expect("a header without oauth_signature");
    tail.strip_suffix('"').expect("the signature is not last")
}

/// Structured: `signature::plaintext` and the signature in built headers against RFC 5849 section
/// 3.4.4 computed the slow way ([`model::plaintext`]); in the header the signature is that string
/// encoded once more, by the same slow encoder.
pub fn plaintext_differential(data: &[u8]) {
    let Ok(input) = PlaintextInput::arbitrary_take_rest(Unstructured::new(data)) else {
        return;
    };
    let expected = model::plaintext(&input.consumer_secret, input.token_secret.as_deref());
    let consumer = Secret::new(input.consumer_secret.as_str());
    let token_secret = input.token_secret.as_deref().map(Secret::new);
    let ours = countersign::signature::plaintext(&consumer, token_secret.as_ref());
    assert_eq!(ours.expose_secret(), expected, "signature::plaintext");
    if token_secret.is_none() {
        let with_empty = countersign::signature::plaintext(&consumer, Some(&Secret::new("")));
        assert_eq!(with_empty, ours, "no token secret and an empty one differ");
    }

    let client = ClientCredentials::new("key", input.consumer_secret.as_str());
    let token = input
        .token_secret
        .as_deref()
        .map(|secret| TokenCredentials::new("token", secret));
    let mut signer = Signer::new(&client);
    if let Some(token) = &token {
        signer = signer.token(token);
    }
    let request = Request::get("https://api.discogs.com/oauth/identity");
    let header = signer
        .sign(&request)
        .unwrap_or_else(|e| panic!("sign failed: {e:?}"))
        .to_authorization();
    let twice = model::encode(&expected);
    assert_eq!(
        raw_signature(header.as_str()),
        twice,
        "the signature in the header"
    );
    let parsed = ParsedAuthorization::parse(header.as_str())
        .unwrap_or_else(|e| panic!("a signed header does not parse: {e:?}"));
    assert_eq!(
        parsed.signature(),
        Some(expected.as_str()),
        "the parsed signature"
    );
    assert_eq!(
        model::decode(raw_signature(header.as_str())).as_deref(),
        Ok(&*expected)
    );

    let prepared = signer
        .prepare()
        .unwrap_or_else(|e| panic!("prepare failed: {e:?}"));
    let authorized = prepared
        .sign(&request, 1, "n")
        .unwrap_or_else(|e| panic!("authorize failed: {e:?}"));
    assert_eq!(
        raw_signature(authorized.as_str()),
        twice,
        "PreparedSigner's signature"
    );
}

// ---------------------------------------------------------------------------------------------
// response_headers

/// The local clocks `clock_offset` and `Skew::retry` are asked about, besides the ones around
/// the parsed `Date`.
const SOME_NOWS: [u64; 4] = [0, 784_111_777, 1_700_000_000, u64::MAX];

/// The thresholds `Skew::retry` is asked about.
const THRESHOLDS: [u64; 4] = [0, countersign::skew::DEFAULT_THRESHOLD, 86_400, u64::MAX];

/// The rate-limit headers, by the field of `RateLimit` they fill.
const RATE_LIMIT_HEADERS: [&str; 3] = [
    "X-Discogs-Ratelimit",
    "X-Discogs-Ratelimit-Used",
    "X-Discogs-Ratelimit-Remaining",
];

/// An HTTP answer written as text: the status on the first line, then `name: value` header lines
/// (a line without `:` is a name with an empty value) up to an empty line, then the body (raw
/// bytes). A status that is not a number is 401.
struct RawResponse<'a> {
    status: u16,
    headers: Vec<(&'a str, &'a str)>,
    body: &'a [u8],
}

fn split_response(head: &str) -> (u16, Vec<(&str, &str)>) {
    let mut lines = head.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l));
    let status = lines
        .next()
        .and_then(|l| l.trim().parse::<u16>().ok())
        .unwrap_or(401);
    let headers = lines
        .take_while(|l| !l.is_empty())
        .map(|l| l.split_once(':').unwrap_or((l, "")))
        .collect();
    (status, headers)
}

/// The last value of a header (names in any ASCII case), trimmed as `Response` keeps it.
fn last_header<'a>(headers: &[(&'a str, &'a str)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .rev()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.trim())
}

/// `Response` built from header lines: `rate_limit`, `retry_after` and `classify` against slow
/// models (a `ProviderError`'s message is one line without control characters); the `Date` value
/// through `parse_http_date` (formats and parses back to the same second), `clock_offset` (exact,
/// or an error) and `Skew::retry` (`Some` only for a 401 whose `Date` is more than the threshold
/// away). Then, structured, a body made of the input body's pairs in form, JSON and header syntax,
/// with distinctive values for the secret-named ones: `redact_secrets`, `body_excerpt` and the
/// `ProviderError` of that body never show a secret value, and an excerpt is at most 200 bytes.
pub fn response_headers(data: &[u8]) {
    let (head, body) = match data.windows(2).position(|w| w == b"\n\n") {
        Some(at) => (&data[..at], &data[at + 2..]),
        None => (data, &[][..]),
    };
    let head = String::from_utf8_lossy(head);
    let (status, headers) = split_response(&head);
    let raw = RawResponse {
        status,
        headers,
        body,
    };
    check_response(&raw);
    check_redaction(&String::from_utf8_lossy(body), status);
}

fn check_response(raw: &RawResponse<'_>) {
    use countersign::response::{RateLimit, Response, StatusClass};
    use countersign::skew::{Skew, clock_offset, parse_http_date};

    let mut response = Response::new(raw.status, raw.body);
    for (name, value) in &raw.headers {
        response = response.with_header(name, value);
    }
    assert_eq!(response.status(), raw.status);
    let date = last_header(&raw.headers, "date");
    assert_eq!(response.date(), date, "date()");

    // Rate limits: each field a trimmed decimal u32, and None when none of them is.
    let [limit, used, remaining] =
        RATE_LIMIT_HEADERS.map(|name| last_header(&raw.headers, name).and_then(model::decimal_u32));
    let expected = RateLimit {
        limit,
        used,
        remaining,
    };
    let expected = (expected != RateLimit::default()).then_some(expected);
    assert_eq!(response.rate_limit(), expected, "rate_limit()");

    // Date: parses, formats, parses back to the same second.
    let parsed_date = date.map(parse_http_date);
    match &parsed_date {
        Some(Ok(seconds)) => {
            let time = std::time::UNIX_EPOCH + std::time::Duration::from_secs(*seconds);
            let formatted = httpdate::fmt_http_date(time);
            assert_eq!(
                parse_http_date(&formatted),
                Ok(*seconds),
                "{formatted:?} does not parse back"
            );
            assert_eq!(
                httpdate::parse_http_date(&formatted).ok(),
                Some(time),
                "httpdate disagrees on {formatted:?}"
            );
        }
        Some(Err(error)) => {
            assert_eq!(*error, Error::Parse(countersign::ParseError::HttpDate));
            check_error(error);
        }
        None => {}
    }
    let date_seconds = parsed_date.and_then(Result::ok);
    let mut nows = SOME_NOWS.to_vec();
    if let Some(d) = date_seconds {
        for delta in [0, 30, 31, 86_400] {
            nows.extend([d.saturating_add(delta), d.saturating_sub(delta)]);
        }
    }
    for now in nows {
        let offset = date.map(|d| clock_offset(d, now));
        let expected = date_seconds.and_then(|d| {
            let exact = i128::from(d) - i128::from(now);
            i64::try_from(exact).ok()
        });
        if let Some(offset) = &offset {
            match (offset, expected) {
                (Ok(offset), Some(expected)) => assert_eq!(*offset, expected, "clock_offset"),
                (Err(error), None) => check_error(error),
                (other, expected) => {
                    panic!("clock_offset gave {other:?} at {now}, expected {expected:?}")
                }
            }
        }
        for threshold in THRESHOLDS {
            let expected =
                expected.filter(|offset| raw.status == 401 && offset.unsigned_abs() > threshold);
            let mut skew = Skew::new().with_threshold(threshold);
            let retried = skew.retry(now, response.status(), response.date());
            assert_eq!(
                retried.then_some(skew.offset()),
                expected,
                "Skew::retry at {now} with threshold {threshold}"
            );
        }
    }

    // Retry-After: seconds, or an HTTP date minus the answer's Date; never the local clock, so
    // a date without a Date is `None`, and `retry_after_at(now)` counts it from `now`.
    let retry_after = response.retry_after();
    let value = last_header(&raw.headers, "retry-after");
    let mut nows = SOME_NOWS.to_vec();
    nows.extend(date_seconds);
    for now in nows {
        let expected = |from: Option<u64>| match value {
            None => None,
            Some(value) => match (value.parse::<u64>(), parse_http_date(value)) {
                (Ok(seconds), _) => Some(seconds),
                (Err(_), Ok(at)) => from.map(|from| at.saturating_sub(from)),
                (Err(_), Err(_)) => None,
            },
        };
        assert_eq!(
            retry_after,
            expected(date_seconds),
            "retry_after of {value:?}"
        );
        assert_eq!(
            response.retry_after_at(now),
            expected(date_seconds.or(Some(now))),
            "retry_after_at({now}) of {value:?}"
        );
    }

    match response.classify() {
        Ok(body) => {
            assert!(
                (200..300).contains(&raw.status),
                "classify passed {}",
                raw.status
            );
            assert_eq!(body, raw.body);
        }
        Err(error) => {
            assert!(
                !(200..300).contains(&raw.status),
                "classify refused {}",
                raw.status
            );
            check_error(&error);
            let Error::Provider(provider) = &error else {
                panic!("classify gave {error:?}, not Error::Provider");
            };
            assert_eq!(provider.status, raw.status);
            assert_eq!(provider.class, StatusClass::of(raw.status));
            assert_eq!(provider.rate_limit, response.rate_limit());
            assert_eq!(
                provider.retry_after, retry_after,
                "ProviderError::retry_after"
            );
            if let Some(problem) = &provider.problem {
                assert!(problem.len() <= 200, "oauth_problem longer than 200 bytes");
            }
            let message = provider.to_string();
            assert!(
                !message.chars().any(char::is_control),
                "control character in {message:?}"
            );
            assert!(error.to_string().contains(&message));
        }
    }
}

/// The three syntaxes `redact_secrets` documents, each rendering the same pairs.
fn render_pairs(pairs: &[(String, String)]) -> [String; 3] {
    let form: Vec<String> = pairs.iter().map(|(n, v)| format!("{n}={v}")).collect();
    let json: Vec<String> = pairs
        .iter()
        .map(|(n, v)| format!("\"{n}\": \"{v}\""))
        .collect();
    let header: Vec<String> = pairs.iter().map(|(n, v)| format!("{n}=\"{v}\"")).collect();
    [
        form.join("&"),
        format!("{{{}}}", json.join(", ")),
        format!("OAuth {}", header.join(", ")),
    ]
}

/// Pairs for a body, made from the input body's `&`-separated pairs: names keep only the bytes a
/// parameter name may have (`A-Z a-z 0-9 _ - .`, at least `p`), values only what a form encoder
/// writes (`A-Z a-z 0-9 - . _ ~ % +`). No `z` or `Z` anywhere, except that the value of every
/// secret-named parameter starts with `Zz`: so the secrets are the only text holding `Zz`.
fn generated_pairs(body: &str) -> Vec<(String, String)> {
    let no_z = |c: char| if c.eq_ignore_ascii_case(&'z') { 'y' } else { c };
    model::split_pairs(body)
        .into_iter()
        .take(32)
        .map(|(name, value)| {
            let mut name: String = name
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || "_-.".contains(*c))
                .map(no_z)
                .collect();
            if name.is_empty() {
                name.push('p');
            }
            let kept = value
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || "-._~%+".contains(*c))
                .map(no_z);
            let value = if model::is_secret_name(&name) {
                "Zz".chars().chain(kept).collect()
            } else {
                kept.collect()
            };
            (name, value)
        })
        .collect()
}

/// `redact_secrets`, `body_excerpt` and `ProviderError` on `body` and on bodies built from its
/// pairs: excerpts are at most 200 bytes and a prefix of the redacted text; a generated secret
/// value never shows.
fn check_redaction(body: &str, status: u16) {
    use countersign::response::{Response, body_excerpt, redact_secrets};

    let excerpt = body_excerpt(body.as_bytes());
    assert!(excerpt.len() <= 200, "body_excerpt longer than 200 bytes");
    assert!(
        redact_secrets(body.trim()).starts_with(&excerpt),
        "body_excerpt is not the start of the redacted body"
    );

    let pairs = generated_pairs(body);
    // The secret-named values, as `generated_pairs` marked them.
    let secrets: Vec<&str> = pairs
        .iter()
        .map(|(_, value)| value.as_str())
        .filter(|value| value.starts_with("Zz"))
        .collect();
    let status = if (200..300).contains(&status) {
        401
    } else {
        status
    };
    // `body_excerpt` is not called again on these bodies: it was checked above to be the start of
    // `redact_secrets`' output on any body, so a secret `redacted` hides it hides too.
    for text in render_pairs(&pairs) {
        let redacted = redact_secrets(&text);
        let shown = Response::new(status, text.as_bytes())
            .classify()
            .expect_err("a non-2xx status")
            .to_string();
        for secret in &secrets {
            for (what, output) in [("redact_secrets", &redacted), ("ProviderError", &shown)] {
                assert!(
                    !output.contains(secret),
                    "{what} shows the secret {secret:?} of {text:?}: {output:?}"
                );
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// verify

/// The provider's clock in the `verify` target.
const VERIFY_NOW: u64 = 1_700_000_000;

/// A client of [`CLIENTS`]: consumer key, consumer secret, and its tokens with their secrets.
type KnownClient = (
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
);

/// The clients the provider knows: consumer key, consumer secret, and the tokens issued to it
/// (token, token secret). From RFC 5849 (sections 1.2 and 2) and the core's own examples; the
/// last one has reserved and non-ASCII characters in every value.
const CLIENTS: &[KnownClient] = &[
    ("key", "consumer secret", &[("token", "token secret")]),
    (
        "dpf43f3p2l4k3l03",
        "kd94hf93k423kf44",
        &[
            ("nnch734d00sl2jdk", "pfkkdhi9sl3r4s00"),
            ("hh5s93j4hdidpola", "hdhd0244k9j7ao03"),
        ],
    ),
    (
        "jd83jd92dhsh93js",
        "ja893SD9",
        &[("hdk48Djdsa", "xyz4992k83j47x0b")],
    ),
    (
        "\u{43a}\u{43b}\u{44e}\u{447} k+y",
        "s e&c=r%t+\u{2603}",
        &[("t+/ok", "\u{2603}+/= sec")],
    ),
];

/// [`CLIENTS`] as a [`SecretLookup`].
struct KnownSecrets;

impl SecretLookup for KnownSecrets {
    fn client_secret(&self, consumer_key: &str) -> Option<SecretStr<'_>> {
        CLIENTS
            .iter()
            .find(|(key, ..)| *key == consumer_key)
            .map(|(_, secret, _)| SecretStr::from(*secret))
    }

    fn token_secret(&self, consumer_key: &str, token: &str) -> Option<SecretStr<'_>> {
        let (.., tokens) = CLIENTS.iter().find(|(key, ..)| *key == consumer_key)?;
        tokens
            .iter()
            .find(|(t, _)| *t == token)
            .map(|(_, secret)| SecretStr::from(*secret))
    }
}

/// Every secret of [`CLIENTS`].
fn known_secrets() -> impl Iterator<Item = &'static str> {
    CLIENTS.iter().flat_map(|(_, secret, tokens)| {
        std::iter::once(*secret).chain(tokens.iter().map(|(_, s)| *s))
    })
}

/// What holds for every rejection: a status of 400, 401 or 503 that agrees with the reason; a
/// `Display` (the log line) and a public message on one line, without control characters, and
/// free of the known secrets unless the request itself carried one (`input`); the claimed
/// consumer key and token cut to at most 200 bytes.
fn check_rejection(rejection: &Rejection, input: &dyn Fn() -> String) {
    assert!(
        matches!(rejection.status(), 400 | 401 | 503),
        "status {}",
        rejection.status()
    );
    assert_eq!(rejection.status(), rejection.reason().status());
    let line = rejection.to_string();
    let public = rejection.public_message().to_string();
    for text in [&line, &public] {
        assert!(!text.is_empty(), "an empty message for {rejection:?}");
        assert!(
            !text.chars().any(char::is_control),
            "control character in {text:?}"
        );
    }
    // A secret the messages show must have come with the request. The messages are short and
    // rarely show one; the input is searched (and decoded) only then.
    let mut decoded = None;
    for secret in known_secrets() {
        if !line.contains(secret) && !public.contains(secret) {
            continue;
        }
        // Also as messages quote it: escaped as `Debug` escapes (a tab before `oken secret`
        // reads `\token secret` there, which holds the secret's text).
        let (input, decoded, quoted) = decoded.get_or_insert_with(|| {
            let input = input();
            let decoded = model::lenient_decode(&input);
            let quoted = format!("{input:?} {decoded:?}");
            (input, decoded, quoted)
        });
        assert!(
            input.contains(secret) || decoded.contains(secret) || quoted.contains(secret),
            "the rejection shows the secret {secret:?}: {line:?} / {public:?}"
        );
    }
    for id in [rejection.consumer_key(), rejection.token()]
        .into_iter()
        .flatten()
    {
        assert!(id.len() <= 200, "a claimed id longer than 200 bytes");
    }
    if matches!(
        rejection.reason(),
        Reason::UnknownClient | Reason::UnknownToken | Reason::InvalidSignature
    ) {
        assert_eq!(
            public, "Invalid signature.",
            "the public message tells more"
        );
    }
    let _ = format!("{rejection:?}");
}

/// The `oauth_signature` a request sent in its query or form body, and the request without it.
fn split_off_signature(request: &Request<'_>) -> (Option<String>, String, Option<String>) {
    let mut signature = None;
    let mut strip = |pairs: &str| {
        let kept: Vec<&str> = pairs
            .split('&')
            .filter(|segment| {
                let (name, value) = segment.split_once('=').unwrap_or((segment, ""));
                let is_signature = model::decode_form(name).is_ok_and(|n| n == "oauth_signature");
                if is_signature {
                    signature = model::decode_form(value).ok();
                }
                !is_signature
            })
            .collect();
        kept.join("&")
    };
    let url = request.url();
    let url = url.split_once('#').map_or(url, |(u, _)| u);
    let url = match url.split_once('?') {
        Some((base, query)) => format!("{base}?{}", strip(query)),
        None => url.to_owned(),
    };
    let body = request
        .form_body()
        .and_then(|b| std::str::from_utf8(b).ok())
        .map(&mut strip);
    (signature, url, body)
}

/// An accepted request: a known client (and token), a timestamp inside the window, a nonce of 1
/// to 64 bytes, and the signature sent is the one `signature::compute` gives for the parameters
/// the request carried. Verifying it again is a replay.
fn check_accepted(
    verified: &Verified,
    request: &Request<'_>,
    authorization: Option<&str>,
    now: u64,
    nonces: &mut MemoryNonceStore,
) {
    let client = KnownSecrets
        .client_secret(verified.consumer_key())
        .unwrap_or_else(|| panic!("accepted an unknown client: {verified:?}"))
        .into_secret();
    let token = verified.token().map(|token| {
        KnownSecrets
            .token_secret(verified.consumer_key(), token)
            .unwrap_or_else(|| panic!("accepted an unknown token: {verified:?}"))
            .into_secret()
    });
    let timestamp = verified
        .timestamp()
        .unwrap_or_else(|| panic!("accepted without a timestamp: {verified:?}"));
    assert!(
        timestamp.abs_diff(now) <= countersign::verify::DEFAULT_TIMESTAMP_WINDOW,
        "accepted a timestamp outside the window: {timestamp} at {now}"
    );
    let nonce = verified.nonce().unwrap_or_default();
    assert!(
        (1..=countersign::verify::MAX_NONCE_LEN).contains(&nonce.len()),
        "accepted the nonce {nonce:?}"
    );
    let method = verified.signature_method();

    let (sent, expected) = match verified.location() {
        Location::Header => {
            let parsed = ParsedAuthorization::parse(authorization.unwrap_or_default())
                .unwrap_or_else(|e| panic!("accepted a header that does not parse: {e:?}"));
            assert_eq!(parsed.consumer_key(), Some(verified.consumer_key()));
            assert_eq!(parsed.token().filter(|t| !t.is_empty()), verified.token());
            assert_eq!(parsed.nonce(), Some(nonce));
            assert_eq!(parsed.realm(), verified.realm());
            assert_eq!(parsed.signature_method(), Some(method.as_str()));
            let params: Vec<(Cow<'_, str>, Cow<'_, str>)> = parsed
                .params()
                .filter(|(name, _)| name.starts_with("oauth_"))
                .collect();
            let params: Vec<(&str, &str)> = params.iter().map(|(n, v)| (&**n, &**v)).collect();
            let expected = signature::compute(method, &client, token.as_ref(), request, &params);
            (parsed.signature().map(str::to_owned), expected)
        }
        Location::Query | Location::Body => {
            let (sent, url, body) = split_off_signature(request);
            let mut unsigned = Request::new(request.method(), &url);
            if let Some(body) = &body {
                unsigned = unsigned.with_form_body(body.as_bytes());
            }
            let expected = signature::compute(method, &client, token.as_ref(), &unsigned, &[]);
            (sent, expected)
        }
        other => panic!("a Location this target does not know: {other:?}"),
    };
    let expected =
        expected.unwrap_or_else(|e| panic!("accepted a request that cannot be signed: {e:?}"));
    let sent = sent.unwrap_or_else(|| panic!("accepted without oauth_signature: {verified:?}"));
    assert!(
        expected.ct_eq(&sent),
        "accepted a signature that signature::compute does not give"
    );

    let again = Verifier::new().verify(request, authorization, now, &KnownSecrets, nonces);
    match again {
        Err(rejection) if *rejection.reason() == Reason::ReplayedNonce => {}
        other => panic!("the same request again: {other:?}"),
    }
}

/// `Verifier::verify` on arbitrary request pieces: the input's first three lines are the method,
/// the URL and the `Authorization` header (none when empty); what follows the third newline, if
/// anything, is the form body (raw bytes). Verified at a fixed time against [`CLIENTS`], whole
/// and through the Sans-IO steps with the same verdict: a rejection is well formed
/// ([`check_rejection`]), an acceptance is sound ([`check_accepted`]).
///
/// Requests signed by `Signer` are [`verify_signed`]'s: the two halves were one target, each
/// input running both; apart, each runs about twice as many inputs a second.
pub fn verify(data: &[u8]) {
    let mut pieces = data.splitn(4, |b| *b == b'\n');
    let mut line = || String::from_utf8_lossy(pieces.next().unwrap_or_default()).into_owned();
    let (method, url, authorization) = (line(), line(), line());
    let body = pieces.next();
    let authorization = (!authorization.is_empty()).then_some(authorization.as_str());

    let mut request = Request::new(&method, &url);
    if let Some(body) = body {
        request = request.with_form_body(body);
    }
    let verifier = Verifier::new();
    let mut nonces = MemoryNonceStore::new(verifier.window(), 16);
    let input = String::from_utf8_lossy(data);
    let whole = verifier.verify(
        &request,
        authorization,
        VERIFY_NOW,
        &KnownSecrets,
        &mut nonces,
    );
    // The same request through the steps, with a store of its own: the same verdict.
    let mut fresh = MemoryNonceStore::new(verifier.window(), 16);
    let stepped = verifier
        .check(&request, authorization, VERIFY_NOW)
        .and_then(|checked| {
            let client = KnownSecrets
                .client_secret(checked.consumer_key())
                .map(SecretStr::into_secret);
            let token = checked
                .token()
                .and_then(|t| KnownSecrets.token_secret(checked.consumer_key(), t))
                .map(SecretStr::into_secret);
            checked.authenticate(client.as_ref(), token.as_ref())
        })
        .and_then(|authentic| authentic.record(&mut fresh, VERIFY_NOW));
    match (&whole, &stepped) {
        (Ok(a), Ok(b)) => assert_eq!(
            (a.consumer_key(), a.token(), a.nonce()),
            (b.consumer_key(), b.token(), b.nonce())
        ),
        (Err(a), Err(b)) => assert_eq!(a, b, "verify and the steps disagree"),
        _ => panic!("verify gave {whole:?}, the steps {stepped:?}"),
    }
    match whole {
        Ok(verified) => check_accepted(&verified, &request, authorization, VERIFY_NOW, &mut nonces),
        Err(rejection) => check_rejection(&rejection, &|| input.clone().into_owned()),
    }
}

/// Requests signed by `Signer` ([`SignedInput`], from the input by `arbitrary`): a request signed
/// with known credentials verifies once, its exact replay is refused as a replayed nonce, and the
/// same request with one byte of the signature changed is refused as an invalid signature (and
/// does not use up the nonce); a bad nonce or a timestamp outside the window is refused for what
/// it is.
pub fn verify_signed(data: &[u8]) {
    if let Ok(input) = SignedInput::arbitrary_take_rest(Unstructured::new(data)) {
        signed_round_trip(&input);
    }
}

/// How the structured part of `verify` signs.
#[derive(Arbitrary, Clone, Copy, Debug)]
pub enum VerifyMethod {
    /// PLAINTEXT.
    Plaintext,
    /// HMAC-SHA1.
    HmacSha1,
    /// HMAC-SHA256.
    HmacSha256,
    /// HMAC-SHA512.
    HmacSha512,
}

/// Where the structured part of `verify` sends the protocol parameters.
#[derive(Arbitrary, Clone, Copy, Debug)]
pub enum VerifyLocation {
    /// The `Authorization` header.
    Header,
    /// The query.
    Query,
    /// The form body.
    Body,
}

/// A request signed with credentials from [`CLIENTS`].
#[derive(Arbitrary, Debug)]
pub struct SignedInput {
    /// The signature method.
    pub method: VerifyMethod,
    /// Which client of [`CLIENTS`] (modulo their number).
    pub client: u8,
    /// Which of its tokens, if any (modulo their number).
    pub token: Option<u8>,
    /// POST with a form body (the parameter below), else GET.
    pub post: bool,
    /// An application parameter in the query (a name starting with `oauth_` gets an `x`).
    pub query: Option<(String, String)>,
    /// An application parameter in the form body, for POST.
    pub form: Option<(String, String)>,
    /// `realm`.
    pub realm: Option<String>,
    /// `oauth_verifier`.
    pub verifier: Option<String>,
    /// Whether to send `oauth_version`.
    pub version: bool,
    /// `oauth_timestamp`.
    pub timestamp: u64,
    /// The provider's clock minus the timestamp, in seconds.
    pub skew: i16,
    /// `oauth_nonce`.
    pub nonce: String,
    /// Where the protocol parameters go.
    pub location: VerifyLocation,
    /// Which byte of the signature to change (modulo its length).
    pub tamper_at: u8,
    /// What to change it to (a printable ASCII character other than the one there).
    pub tamper_with: u8,
    /// A body that is not a form, sent with `oauth_body_hash` (a `PUT`, for the HMAC methods,
    /// the parameters in the header; otherwise left out).
    pub hashed_body: Option<Vec<u8>>,
}

/// An application parameter, `name=value` percent-encoded, never a protocol parameter.
fn app_param((name, value): &(String, String)) -> String {
    let name = if name.starts_with("oauth_") {
        format!("x{name}")
    } else {
        name.clone()
    };
    format!("{}={}", model::encode(&name), model::encode(value))
}

fn signed_round_trip(input: &SignedInput) {
    let (key, secret, tokens) = CLIENTS[usize::from(input.client) % CLIENTS.len()];
    let client = ClientCredentials::new(key, secret);
    let token = input
        .token
        .and_then(|i| tokens.get(usize::from(i) % tokens.len()))
        .map(|(t, s)| TokenCredentials::new(*t, *s));
    let verifier_secret = input.verifier.as_deref().map(Secret::new);
    let method = match input.method {
        VerifyMethod::Plaintext => SignatureMethod::Plaintext,
        VerifyMethod::HmacSha1 => SignatureMethod::HmacSha1,
        VerifyMethod::HmacSha256 => SignatureMethod::HmacSha256,
        VerifyMethod::HmacSha512 => SignatureMethod::HmacSha512,
    };
    let Some(now) = input.timestamp.checked_add_signed(i64::from(input.skew)) else {
        return;
    };

    let mut url = String::from("https://provider.example/photos");
    if let Some(param) = &input.query {
        url = format!("{url}?{}", app_param(param));
    }
    let hashed_body = input
        .hashed_body
        .as_deref()
        .filter(|_| method.signs_request() && matches!(input.location, VerifyLocation::Header));
    let post = input.post && hashed_body.is_none();
    let form = input.form.as_ref().filter(|_| post).map(app_param);
    let verb = match (hashed_body, post) {
        (Some(_), _) => "PUT",
        (None, true) => "POST",
        (None, false) => "GET",
    };
    let mut request = Request::new(verb, &url);
    if let Some(form) = &form {
        request = request.with_form_body(form.as_bytes());
    }
    let body_hash = hashed_body.map(|body| {
        request = request.with_body(body);
        countersign::signature::BodyHash::new(method, body).expect("an HMAC method")
    });

    let mut signer = Signer::new(&client)
        .signature_method(method)
        .version(input.version)
        .timestamp(input.timestamp)
        .nonce(&input.nonce);
    if let Some(token) = &token {
        signer = signer.token(token);
    }
    if let Some(realm) = &input.realm {
        signer = signer.realm(realm);
    }
    if let Some(verifier) = &verifier_secret {
        signer = signer.verifier(verifier);
    }
    if let Some(hash) = &body_hash {
        signer = signer.body_hash(hash);
    }
    let signed = match signer.sign(&request) {
        Ok(signed) => signed,
        Err(Error::Misuse(countersign::Misuse::InvalidRealm))
            if input.realm.as_deref().is_some_and(has_forbidden_realm_char) =>
        {
            return;
        }
        Err(error) => panic!("cannot sign: {error:?}"),
    };
    let header = signed.to_authorization();
    let signature = ParsedAuthorization::parse(header.as_str())
        .unwrap_or_else(|e| panic!("a signed header does not parse: {e:?}"))
        .signature()
        .unwrap_or_else(|| panic!("a signed header without oauth_signature"))
        .to_owned();
    if method == SignatureMethod::Plaintext {
        let token_secret = token.as_ref().map(|t| t.secret().expose_secret());
        assert_eq!(signature, model::plaintext(secret, token_secret));
    }

    // The request as sent, and the text to change in it to tamper with the signature.
    let encoded_signature = model::encode(&signature);
    let (sent_url, sent_body, authorization, needle) = match input.location {
        VerifyLocation::Header => (
            url.clone(),
            form.clone(),
            Some(header.as_str().to_owned()),
            format!("oauth_signature=\"{encoded_signature}\""),
        ),
        VerifyLocation::Query => (
            signed.to_url(&url).expose_secret().to_owned(),
            form.clone(),
            None,
            format!("&oauth_signature={encoded_signature}"),
        ),
        VerifyLocation::Body => {
            let protocol = signed.to_form();
            let body = match &form {
                Some(form) => format!("{form}&{}", protocol.expose_secret()),
                None => protocol.expose_secret().to_owned(),
            };
            (
                url.clone(),
                Some(body),
                None,
                format!("&oauth_signature={encoded_signature}"),
            )
        }
    };
    fn build<'r>(
        verb: &'r str,
        url: &'r str,
        body: Option<&'r str>,
        hashed: Option<&'r [u8]>,
    ) -> Request<'r> {
        let request = Request::new(verb, url);
        match (body, hashed) {
            (Some(body), _) => request.with_form_body(body.as_bytes()),
            (None, Some(hashed)) => request.with_body(hashed),
            (None, None) => request,
        }
    }

    let mut tampered = signature.clone().into_bytes();
    let at = usize::from(input.tamper_at) % tampered.len();
    let mut with = b'!' + input.tamper_with % 94;
    if with == tampered[at] {
        with = if with == b'~' { b'!' } else { with + 1 };
    }
    tampered[at] = with;
    let tampered = String::from_utf8(tampered).expect("signatures are ASCII");
    let replacement = needle.replace(&encoded_signature, &model::encode(&tampered));
    // The protocol parameters come last: change the last occurrence.
    let swap = |text: &str| {
        let at = text
            .rfind(&needle)
            .unwrap_or_else(|| panic!("{needle:?} is not in {text:?}"));
        format!("{}{replacement}{}", &text[..at], &text[at + needle.len()..])
    };
    let (tampered_url, tampered_body, tampered_authorization) = match input.location {
        VerifyLocation::Header => (
            sent_url.clone(),
            sent_body.clone(),
            authorization.as_deref().map(swap),
        ),
        VerifyLocation::Query => (swap(&sent_url), sent_body.clone(), None),
        VerifyLocation::Body => (sent_url.clone(), sent_body.as_deref().map(swap), None),
    };

    let verifier = Verifier::new();
    let mut nonces = MemoryNonceStore::new(verifier.window(), 16);
    let expected_failure =
        if input.nonce.is_empty() || input.nonce.len() > countersign::verify::MAX_NONCE_LEN {
            Some(Reason::InvalidNonce)
        } else if input.timestamp.abs_diff(now) > verifier.window() {
            Some(Reason::StaleTimestamp {
                timestamp: input.timestamp,
                now,
            })
        } else {
            None
        };
    let request = build(verb, &sent_url, sent_body.as_deref(), hashed_body);
    let bad_request = build(verb, &tampered_url, tampered_body.as_deref(), hashed_body);
    let run =
        |request: &Request<'_>, authorization: Option<&str>, nonces: &mut MemoryNonceStore| {
            verifier.verify(request, authorization, now, &KnownSecrets, nonces)
        };
    // For the messages of failed checks only: formatting costs more than a verification here.
    let context = || format!("{url} {sent_body:?} {authorization:?}");
    // Everything the request carried besides the credentials: a secret found there may show.
    let carried = || format!("{input:?}");

    let bad = run(&bad_request, tampered_authorization.as_deref(), &mut nonces);
    let expected = expected_failure.clone().unwrap_or(Reason::InvalidSignature);
    match &bad {
        Err(rejection) if *rejection.reason() == expected => {
            check_rejection(rejection, &carried);
        }
        other => panic!(
            "a changed signature gave {other:?}, expected {expected:?}: {}",
            context()
        ),
    }

    let first = run(&request, authorization.as_deref(), &mut nonces);
    let verified = match (first, expected_failure) {
        (Ok(verified), None) => verified,
        (Err(rejection), Some(expected)) if *rejection.reason() == expected => {
            check_rejection(&rejection, &carried);
            return;
        }
        (other, expected) => panic!(
            "verify gave {other:?}, expected {expected:?}: {}",
            context()
        ),
    };
    assert_eq!(verified.consumer_key(), key);
    assert_eq!(
        verified.token(),
        token.as_ref().map(TokenCredentials::token)
    );
    assert_eq!(verified.signature_method(), method);
    assert_eq!(verified.timestamp(), Some(input.timestamp));
    assert_eq!(verified.nonce(), Some(input.nonce.as_str()));
    assert_eq!(
        verified.verifier().map(Secret::expose_secret),
        input.verifier.as_deref()
    );
    let location = match input.location {
        VerifyLocation::Header => Location::Header,
        VerifyLocation::Query => Location::Query,
        VerifyLocation::Body => Location::Body,
    };
    assert_eq!(verified.location(), location);
    if location == Location::Header {
        assert_eq!(verified.realm(), input.realm.as_deref());
    }
    // The replay check of `check_accepted` is the exact replay.
    check_accepted(
        &verified,
        &request,
        authorization.as_deref(),
        now,
        &mut nonces,
    );
    // A body sent with its hash: any other body is refused for it, without using the nonce.
    if let Some(body) = hashed_body {
        assert!(verified.extension("oauth_body_hash").is_some());
        let mut other = body.to_vec();
        other.push(b'!');
        let changed = Request::new(verb, &sent_url).with_body(&other);
        let mut fresh = MemoryNonceStore::new(verifier.window(), 16);
        let refused = run(&changed, authorization.as_deref(), &mut fresh)
            .expect_err("a changed body was accepted");
        assert_eq!(refused.reason(), &Reason::BodyHashMismatch, "{}", context());
        assert!(fresh.is_empty(), "a refused body used a nonce");
    }
}

// ---------------------------------------------------------------------------------------------
// exchange

/// The clock the exchange target signs at.
const EXCHANGE_NOW: u64 = 1_700_000_000;

/// The redirects the exchange target lets an exchange follow.
const EXCHANGE_MAX_REDIRECTS: u8 = 3;

/// Scheme, host (lower case) and port (the scheme's default when none is written) of a URL, as
/// reqwest's URL parser (the `url` crate, WHATWG) reads it.
fn whatwg_origin(url: &str) -> Option<(String, String, Option<u16>)> {
    let url = url::Url::parse(url).ok()?;
    let host = url.host_str()?.to_ascii_lowercase();
    Some((url.scheme().into(), host, url.port_or_known_default()))
}

/// The same as the `http` crate (ureq's request line) reads it.
fn uri_origin(uri: &http::Uri) -> Option<(String, String, Option<u16>)> {
    let scheme = uri.scheme_str()?.to_ascii_lowercase();
    let default = match scheme.as_str() {
        "http" => Some(80),
        "https" => Some(443),
        _ => None,
    };
    let host = uri.host()?.to_ascii_lowercase();
    Some((scheme, host, uri.port_u16().or(default)))
}

/// The Sans-IO `Exchange` driven by a script of answers. The input is text: the first line is
/// `METHOD URL`, each next line an answer, `STATUS LOCATION` (for a 401, `401 skew` carries a
/// `Date` an hour ahead; a status that is not a number is 200). Whatever the answers:
///
/// - every request handed out goes to the first one's origin, as both reqwest's URL parser and
///   the `http` crate read it: credentials never leave it, whatever a `Location` says;
/// - it is signed (an `OAuth` header) with a nonce never used before in the exchange, at the
///   clock corrected by what was learned;
/// - at most one clock-skew retry, and only after a skewed 401; at most the limit of redirects,
///   each after a redirect status with a `Location`; a `303` (and a `301` or `302` after a `POST`)
///   continues as a `GET` without a body, a `307` or `308` with the same method and body;
/// - a redirect's path has no dot segments left (`.`, `..`, or either spelled with `%2E`), as a
///   browser or reqwest would send it;
/// - errors are typed and print one line.
pub fn exchange(data: &[u8]) {
    use countersign::auth::{Auth, Authenticator};
    use countersign::exchange::{Exchange, Next};
    use countersign::nonce::Nonce;

    let text = String::from_utf8_lossy(data);
    let mut lines = text.split('\n');
    let first = lines.next().unwrap_or_default();
    let (method, url) = first.split_once(' ').unwrap_or(("GET", first));
    let Ok(request) = http::Request::builder()
        .method(method)
        .uri(url)
        .header("content-type", "application/json")
        .body(b"{\"a\":1}".to_vec())
    else {
        return;
    };
    let origin = uri_origin(request.uri());
    let whatwg = whatwg_origin(&request.uri().to_string());

    let client = ClientCredentials::new("key", "secret");
    let token = TokenCredentials::new("token", "token-secret");
    let signer = Signer::new(&client).token(&token).prepare();
    let auth = Authenticator::new(Auth::OAuth(signer.expect("fixed credentials prepare")));
    let mut exchange = Exchange::new(request, auth).max_redirects(EXCHANGE_MAX_REDIRECTS);

    let mut counter = 0_u32;
    let mut nonces = || {
        counter += 1;
        Nonce::new(&format!("n{counter}"))
    };
    let mut seen = Vec::new();
    let (mut retries, mut redirects) = (0, 0);
    let mut expected_offset = 0;
    let mut previous: Option<(http::Request<Vec<u8>>, u16)> = None;
    let mut answers = lines.chain(std::iter::once("200"));
    loop {
        let sent = match exchange.request(EXCHANGE_NOW, &mut nonces) {
            Ok(sent) => sent,
            Err(error) => return check_error(&error),
        };
        assert_eq!(
            uri_origin(sent.uri()),
            origin,
            "{} left the origin",
            sent.uri()
        );
        let sent_whatwg = whatwg_origin(&sent.uri().to_string());
        if sent_whatwg.is_some() {
            assert_eq!(
                sent_whatwg,
                whatwg,
                "{} left the origin (WHATWG)",
                sent.uri()
            );
        }
        let timestamp = EXCHANGE_NOW.saturating_add_signed(expected_offset);
        check_signed(&sent, timestamp, &mut seen);
        if let Some((before, status)) = previous.take() {
            check_followed(&before, status, &sent);
            let path = sent.uri().path();
            let dots = path.split('/').any(|s| {
                matches!(
                    s.to_ascii_lowercase().as_str(),
                    "." | ".." | "%2e" | ".%2e" | "%2e." | "%2e%2e"
                )
            });
            assert!(!dots, "{path}: a dot segment left in a redirect's path");
        }

        let line = answers.next().unwrap_or("200");
        let (status, location) = line.split_once(' ').unwrap_or((line, ""));
        let status = status
            .trim()
            .parse::<u16>()
            .ok()
            .filter(|s| (100..1000).contains(s));
        let mut answer = http::Response::builder().status(status.unwrap_or(200));
        let skewed = status == Some(401) && location == "skew";
        if skewed {
            let ahead = std::time::Duration::from_secs(timestamp + 3600);
            answer = answer.header(
                "date",
                httpdate::fmt_http_date(std::time::UNIX_EPOCH + ahead),
            );
        } else if !location.is_empty() {
            answer = answer.header("location", location);
        }
        let Ok(answer) = answer.body(()) else {
            // A Location the http crate refuses: no answer a transport can hand over.
            return;
        };
        match exchange.handle(answer) {
            Next::Done(_) => return,
            Next::Send if status == Some(401) => {
                assert!(skewed && retries == 0, "a retry after {line:?}");
                retries += 1;
                expected_offset = 3600;
            }
            Next::Send => {
                let redirect = matches!(status, Some(301 | 302 | 303 | 307 | 308));
                assert!(redirect, "followed {line:?}");
                redirects += 1;
                assert!(redirects <= EXCHANGE_MAX_REDIRECTS, "too many redirects");
                previous = status.map(|status| (sent, status));
            }
        }
        assert_eq!(exchange.skew().offset(), expected_offset, "offset");
    }
}

/// `request` carries an `OAuth` header at `timestamp` whose nonce is not in `seen` (and now is).
fn check_signed(request: &http::Request<Vec<u8>>, timestamp: u64, seen: &mut Vec<String>) {
    let header = request.headers()["authorization"].to_str().expect("ASCII");
    assert!(header.starts_with("OAuth "), "{header}");
    let parsed = ParsedAuthorization::parse(header).expect("our header parses");
    let nonce = parsed.nonce().expect("a nonce");
    assert!(!seen.iter().any(|n| n == nonce), "nonce {nonce} sent twice");
    seen.push(nonce.into());
    let expected = timestamp.to_string();
    assert_eq!(parsed.timestamp(), Some(expected.as_str()), "timestamp");
}

/// What a redirect with `status` makes of the request `before`: a `GET` without a body (nor its
/// type) for a `303` (but a `HEAD` stays one) and for a `301` or `302` after a `POST`; else the
/// same method and body.
fn check_followed(before: &http::Request<Vec<u8>>, status: u16, after: &http::Request<Vec<u8>>) {
    use http::Method;
    let method = before.method();
    let to_get = match status {
        303 => method != Method::GET && method != Method::HEAD,
        301 | 302 => method == Method::POST,
        _ => false,
    };
    if to_get {
        assert_eq!(after.method(), Method::GET, "{status} after {method}");
        assert!(after.body().is_empty(), "a body kept after {status}");
        assert!(!after.headers().contains_key("content-type"));
    } else {
        assert_eq!(after.method(), method, "{status} after {method}");
        assert_eq!(after.body(), before.body(), "the body changed on {status}");
    }
}

/// The test key the RSA half of `signature_methods` signs with (1024 bits: the fastest the
/// `rsa` crate takes).
const RSA_KEY: &str = include_str!("../../crates/countersign/tests/data/rsa/oauthlib-1024.pem");

/// `signature_methods`: countersign's signature of any base string under every method equals
/// the one the primitives make themselves (`hmac` over the key `enc(cs)&enc(ts)`; for RSA, the
/// `rsa` crate's own RSASSA-PKCS1-v1_5 check over the `sha1`/`sha2` digest accepts it, which
/// for this deterministic scheme holds exactly the signature the crate would make),
/// `verify_rsa` accepts exactly the signature made and refuses it with any one bit changed or
/// over another base string, and a body hash is base64 of the method's digest (for the RSA
/// methods, on the inputs that sign with RSA).
///
/// Input: one byte choosing the bit to flip, then the consumer secret, the token secret and
/// the base string, separated by `\n`. RSA signing costs milliseconds under instrumentation,
/// so about one input in 2048 signs with RSA (the others still hash with its digests).
pub fn signature_methods(data: &[u8]) {
    use base64::Engine as _;
    use hmac::{Hmac, KeyInit, Mac};
    use sha1::Digest as _;

    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let mut parts = rest.splitn(3, |b| *b == b'\n');
    let mut text = || String::from_utf8_lossy(parts.next().unwrap_or_default()).into_owned();
    let (consumer_secret, token_secret, base) = (text(), text(), text());
    let b64 = |bytes: &[u8]| base64::engine::general_purpose::STANDARD.encode(bytes);

    let key = format!("{}&{}", encode(&consumer_secret), encode(&token_secret));
    // Parsed once: loading an RSA key (its checks and precomputation) costs milliseconds.
    static KEYS: std::sync::LazyLock<(countersign::RsaPrivateKey, rsa::PublicKey)> =
        std::sync::LazyLock::new(|| {
            (
                countersign::RsaPrivateKey::from_pem(RSA_KEY).expect("the test key"),
                <rsa::PrivateKey as rsa::pkcs1::DecodeRsaPrivateKey>::from_pkcs1_pem(RSA_KEY)
                    .expect("the test key")
                    .to_public_key(),
            )
        });
    let (rsa_key, primitive) = &*KEYS;
    // The RSA key is attached only on the RSA path below: cloning it (and clearing the clone's
    // big integers when it drops) would cost more than the rest of the target on every input.
    let client = countersign::ClientCredentials::new("ck", consumer_secret.as_str());
    let token = countersign::Secret::new(token_secret.as_str());
    let sign_as = |client: &countersign::ClientCredentials, method| {
        signature::sign_base_string(method, client, Some(&token), &base)
            .expect("every method signs any base string")
            .expose_secret()
            .to_owned()
    };
    let sign = |method| sign_as(&client, method);

    assert_eq!(sign(SignatureMethod::Plaintext), key);
    fn mac<M: Mac + KeyInit>(key: &str, base: &str) -> Vec<u8> {
        let mut mac = <M as KeyInit>::new_from_slice(key.as_bytes()).expect("any key length");
        mac.update(base.as_bytes());
        mac.finalize().into_bytes().to_vec()
    }
    assert_eq!(
        sign(SignatureMethod::HmacSha1),
        b64(&mac::<Hmac<sha1::Sha1>>(&key, &base))
    );
    assert_eq!(
        sign(SignatureMethod::HmacSha256),
        b64(&mac::<Hmac<sha2::Sha256>>(&key, &base))
    );
    assert_eq!(
        sign(SignatureMethod::HmacSha512),
        b64(&mac::<Hmac<sha2::Sha512>>(&key, &base))
    );
    // Each digest once: the HMAC and RSA methods of a hash share it.
    let sha1 = b64(&sha1::Sha1::digest(base.as_bytes()));
    let sha256 = b64(&sha2::Sha256::digest(base.as_bytes()));
    let sha512 = b64(&sha2::Sha512::digest(base.as_bytes()));
    let check_body_hash = |method, digest: &str| {
        let hash = signature::BodyHash::new(method, base.as_bytes()).expect("a body hash");
        assert_eq!(hash.as_str(), digest, "{method}");
        assert!(hash.matches(digest));
    };
    check_body_hash(SignatureMethod::HmacSha1, &sha1);
    check_body_hash(SignatureMethod::HmacSha256, &sha256);
    check_body_hash(SignatureMethod::HmacSha512, &sha512);

    // About one input in 2048, chosen by a hash of the whole input so that the fuzzer cannot
    // steer toward it: the `rsa` crate's constant-time private-key operations take milliseconds
    // under coverage instrumentation, the rest of the target microseconds (one in 512 spent a
    // fifth of the target's time there; RSA's padding and encoding do not depend on the base
    // string beyond its digest, which every input checks).
    let spread = data.iter().fold(0x811c_9dc5_u32, |h, &b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    });
    if spread % 2048 != 0 {
        return;
    }
    // The RSA methods hash a body with the digest of their HMAC namesake (the same code once the
    // method picked it): checked here, on the inputs that sign with RSA.
    check_body_hash(SignatureMethod::RsaSha1, &sha1);
    check_body_hash(SignatureMethod::RsaSha256, &sha256);
    let public = rsa_key.public_key();
    let client = client.clone().rsa_key(rsa_key.clone());
    for method in [SignatureMethod::RsaSha1, SignatureMethod::RsaSha256] {
        let ours = sign_as(&client, method);
        let signed = base64::engine::general_purpose::STANDARD
            .decode(&ours)
            .expect("an RSA signature is base64");
        // RSASSA-PKCS1-v1_5 is deterministic: the `rsa` crate's own check (a public-key
        // operation, 30-odd times cheaper than signing again) holds exactly the one signature
        // its signing would make.
        let checked = match method {
            SignatureMethod::RsaSha1 => primitive.verify(
                rsa::Pkcs1v15Sign::new::<sha1::Sha1>(),
                &sha1::Sha1::digest(base.as_bytes()),
                &signed,
            ),
            _ => primitive.verify(
                rsa::Pkcs1v15Sign::new::<sha2::Sha256>(),
                &sha2::Sha256::digest(base.as_bytes()),
                &signed,
            ),
        };
        if let Err(error) = checked {
            panic!("{method}: the rsa crate refuses our signature: {error}");
        }
        assert!(signature::verify_rsa(
            method,
            &public,
            base.as_bytes(),
            &ours
        ));
        let mut flipped = signed;
        let bit = usize::from(selector) * 7 % (flipped.len() * 8);
        flipped[bit / 8] ^= 1 << (bit % 8);
        assert!(!signature::verify_rsa(
            method,
            &public,
            base.as_bytes(),
            &b64(&flipped)
        ));
        let mut other = base.clone();
        other.push('x');
        assert!(!signature::verify_rsa(
            method,
            &public,
            other.as_bytes(),
            &ours
        ));
    }
}

// ---------------------------------------------------------------------------------------------
// provider_profiles
// ---------------------------------------------------------------------------------------------

/// The provider presets' URL building (`countersign::providers`): a preset chosen by the first
/// byte, with the variables `base`, `account` and `app` present or not (bits of the second
/// byte) and taken from the lines that follow, and once more with its request-token URL
/// replaced by the last line as a template. Every URL of the profile (or the one-legged API
/// URL) is what [`model::fill`] makes of its template; a template the model refuses gives the
/// same error (`ProfileTemplate`, or `ProfileVariable` naming the variable), the first one in
/// the order the URLs are built; a profile whose URLs fill but do not parse is refused as a
/// URL error. Nothing panics; every error message is one clean line.
pub fn provider_profiles(data: &[u8]) {
    use countersign::providers::{self, Legs, Variables};

    let [preset, present, rest @ ..] = data else {
        return;
    };
    let mut lines = rest.splitn(4, |b| *b == b'\n');
    let mut line = || String::from_utf8_lossy(lines.next().unwrap_or_default()).into_owned();
    let (base, account, app, template) = (line(), line(), line(), line());
    let base = (present & 1 != 0).then_some(base.as_str());
    let account = (present & 2 != 0).then_some(account.as_str());
    let app = (present & 4 != 0).then_some(app.as_str());
    let mut variables = Variables::new();
    if let Some(base) = base {
        variables = variables.base(base);
    }
    if let Some(account) = account {
        variables = variables.account(account);
    }
    if let Some(app) = app {
        variables = variables.app(app);
    }
    let all = providers::all();
    let spec = &all[usize::from(*preset) % all.len()];
    let fill = |template: &str| model::fill(template, base, account, app);
    let as_error = |error: model::FillError| match error {
        model::FillError::Template => countersign::Misuse::ProfileTemplate,
        model::FillError::Variable(variable) => countersign::Misuse::ProfileVariable { variable },
    };

    let mut edited = spec.clone();
    edited.request_token_url = template;
    for spec in [spec, &edited] {
        match spec.api_url(&variables) {
            Ok(url) => assert_eq!(url, spec.api_url.as_deref().map(|t| fill(t).unwrap())),
            Err(Error::Misuse(misuse)) => {
                let expected = fill(spec.api_url.as_deref().unwrap_or_default()).unwrap_err();
                assert_eq!(misuse, as_error(expected));
            }
            Err(other) => panic!("api_url: {other:?}"),
        }
        // A User-Agent: some providers (Discogs) want one.
        let built = spec.profile(&variables, Some("countersign-fuzz/1"));
        if let Err(error) = &built {
            check_error(error);
        }
        if spec.legs == Legs::One {
            assert!(
                matches!(built, Err(Error::Misuse(countersign::Misuse::OneLegged))),
                "a one-legged spec made a profile: {built:?}"
            );
            continue;
        }
        // In the order the profile is built.
        let templates = [
            Some(spec.request_token_url.as_str()),
            Some(spec.authorize_url.as_str()),
            Some(spec.access_token_url.as_str()),
            spec.identity_url.as_deref(),
            spec.realm.as_deref(),
        ];
        let filled: Result<Vec<Option<String>>, _> =
            templates.iter().map(|t| t.map(fill).transpose()).collect();
        match (filled, built) {
            (Err(expected), Err(Error::Misuse(misuse))) => assert_eq!(misuse, as_error(expected)),
            (Err(expected), other) => panic!("expected {expected:?}, got {other:?}"),
            (Ok(urls), Ok(profile)) => {
                assert_eq!(urls[0].as_deref(), Some(profile.request_token_url()));
                assert_eq!(urls[1].as_deref(), Some(profile.authorize_url()));
                assert_eq!(urls[2].as_deref(), Some(profile.access_token_url()));
                assert_eq!(urls[3].as_deref(), profile.identity_url());
                assert_eq!(urls[4].as_deref(), profile.realm());
                assert_eq!(profile.signature_method().as_str(), spec.signature_method);
                assert_eq!(profile.user_agent(), "countersign-fuzz/1");
            }
            (Ok(urls), Err(error)) => assert!(
                matches!(error, Error::Parse(countersign::ParseError::Url { .. })),
                "the URLs {urls:?} filled, yet: {error:?}"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The structured part of `verify` reaches the body-hash path (every HMAC method) and the
    /// plain one, with a request the verifier must accept.
    #[test]
    fn signed_round_trips_reach_every_method_and_the_body_hash() {
        for method in [
            VerifyMethod::Plaintext,
            VerifyMethod::HmacSha1,
            VerifyMethod::HmacSha256,
            VerifyMethod::HmacSha512,
        ] {
            for hashed_body in [None, Some(b"{\"a\": 1}".to_vec())] {
                signed_round_trip(&SignedInput {
                    method,
                    client: 0,
                    token: Some(0),
                    post: true,
                    query: Some(("q".into(), "a b".into())),
                    form: Some(("f".into(), "x".into())),
                    realm: None,
                    verifier: None,
                    version: true,
                    timestamp: VERIFY_NOW,
                    skew: 5,
                    nonce: "n0nce".into(),
                    location: VerifyLocation::Header,
                    tamper_at: 3,
                    tamper_with: 7,
                    hashed_body,
                });
            }
        }
    }
}
