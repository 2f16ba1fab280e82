use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;
use core::cell::Cell;

use super::*;
use crate::{ClientCredentials, Signer, TokenCredentials};

const NOW: u64 = 1_700_000_000;
const URL: &str = "https://provider.example/photos?size=original";

/// Two clients, `key` and `other`; `key` holds the token `token`, `other` the token `theirs`.
/// Counts the lookups.
struct Store {
    client_lookups: Cell<u32>,
    token_lookups: Cell<u32>,
}

impl Store {
    fn new() -> Self {
        Self {
            client_lookups: Cell::new(0),
            token_lookups: Cell::new(0),
        }
    }
}

impl SecretLookup for Store {
    fn client_secret(&self, consumer_key: &str) -> Option<SecretStr<'_>> {
        self.client_lookups.set(self.client_lookups.get() + 1);
        match consumer_key {
            "key" => Some(SecretStr::from("consumer secret")),
            "other" => Some(SecretStr::from("other secret")),
            _ => None,
        }
    }

    fn token_secret(&self, consumer_key: &str, token: &str) -> Option<SecretStr<'_>> {
        self.token_lookups.set(self.token_lookups.get() + 1);
        match (consumer_key, token) {
            ("key", "token") => Some(SecretStr::from("token secret")),
            ("other", "theirs") => Some(SecretStr::from("their secret")),
            _ => None,
        }
    }
}

fn client() -> ClientCredentials {
    ClientCredentials::new("key", "consumer secret")
}

fn token() -> TokenCredentials {
    TokenCredentials::new("token", "token secret")
}

/// The header `Signer` writes for `client` and `token` at `timestamp` with `nonce`.
fn header(client: &ClientCredentials, token: Option<&TokenCredentials>, timestamp: u64) -> String {
    let mut signer = Signer::new(client).timestamp(timestamp).nonce("n0nce");
    if let Some(token) = token {
        signer = signer.token(token);
    }
    signer
        .sign(&Request::get(URL))
        .unwrap()
        .to_authorization()
        .as_str()
        .into()
}

fn verify_with(
    verifier: Verifier,
    request: &Request<'_>,
    authorization: Option<&str>,
    nonces: &mut MemoryNonceStore,
) -> Result<Verified, Rejection> {
    verifier.verify(request, authorization, NOW, &Store::new(), nonces)
}

fn verify(request: &Request<'_>, authorization: Option<&str>) -> Result<Verified, Rejection> {
    verify_with(
        Verifier::new(),
        request,
        authorization,
        &mut MemoryNonceStore::new(300, 100),
    )
}

fn reason(request: &Request<'_>, authorization: Option<&str>) -> Reason {
    verify(request, authorization).unwrap_err().reason().clone()
}

/// The protocol parameters of a PLAINTEXT request by `key` with `token`, as a query string.
const PAIRS: &str = "oauth_consumer_key=key&oauth_token=token&oauth_signature_method=PLAINTEXT\
    &oauth_timestamp=1700000000&oauth_nonce=n0nce&oauth_signature=consumer%2520secret%26token%2520secret";

#[test]
fn a_signed_header_verifies_with_every_parameter() {
    let client = client();
    let token = token();
    let verifier_value = Secret::new("v3rifier");
    let header = Signer::new(&client)
        .token(&token)
        .realm("Photos")
        .callback("https://client.example/cb?x=1")
        .verifier(&verifier_value)
        .timestamp(NOW - 300)
        .nonce("n0nce")
        .sign(&Request::post(URL))
        .unwrap()
        .to_authorization();
    let verified = verify(&Request::post(URL), Some(header.as_str())).unwrap();
    assert_eq!(verified.consumer_key(), "key");
    assert_eq!(verified.token(), Some("token"));
    assert_eq!(verified.signature_method(), SignatureMethod::Plaintext);
    assert_eq!(verified.timestamp(), Some(NOW - 300));
    assert_eq!(verified.nonce(), Some("n0nce"));
    assert_eq!(verified.callback(), Some("https://client.example/cb?x=1"));
    assert!(verified.verifier().unwrap().ct_eq("v3rifier"));
    assert_eq!(verified.realm(), Some("Photos"));
    assert_eq!(verified.location(), Location::Header);
    assert_eq!(verified.extension_names().count(), 0);
}

#[test]
fn a_request_without_token_verifies() {
    let verified = verify(&Request::get(URL), Some(&header(&client(), None, NOW))).unwrap();
    assert_eq!(verified.token(), None);
    // An empty oauth_token counts as none.
    let query = "https://p.example/?oauth_consumer_key=key&oauth_token=&oauth_signature_method=PLAINTEXT\
        &oauth_timestamp=1700000000&oauth_nonce=n&oauth_signature=consumer%2520secret%26";
    let verified = verify(&Request::get(query), None).unwrap();
    assert_eq!(verified.token(), None);
}

#[test]
fn parameters_in_the_query_or_the_body() {
    let url = format!("https://p.example/r?a=1&{PAIRS}&oauth_session_handle=h+1#frag");
    let verified = verify(&Request::get(&url), None).unwrap();
    assert_eq!(verified.location(), Location::Query);
    assert_eq!(verified.token(), Some("token"));
    // `+` is a space in the query as in a form (RFC 5849 section 3.4.1.3.1).
    assert!(
        verified
            .extension("oauth_session_handle")
            .unwrap()
            .ct_eq("h 1")
    );
    assert_eq!(
        verified.extension_names().collect::<Vec<_>>(),
        ["oauth_session_handle"]
    );

    let body = format!("title=x&{PAIRS}");
    let request = Request::post("/r?a=1").with_form_body(body.as_bytes());
    let verified = verify(&request, Some("Basic dXNlcjpwdw==")).unwrap();
    assert_eq!(verified.location(), Location::Body);
}

#[test]
fn duplicates_are_refused_wherever_they_are() {
    let dup = |name: &str, first, second| Reason::DuplicateParameter {
        name: name.into(),
        first,
        second,
    };
    let url = format!("https://p.example/?{PAIRS}&oauth_nonce=again");
    assert_eq!(
        reason(&Request::get(&url), None),
        dup("oauth_nonce", Location::Query, Location::Query)
    );
    // Spelled with an escape, still the same name.
    let url = format!("https://p.example/?{PAIRS}&oauth%5Fnonce=again");
    assert_eq!(
        reason(&Request::get(&url), None),
        dup("oauth_nonce", Location::Query, Location::Query)
    );
    let url = "https://p.example/?oauth_nonce=n0nce";
    let header = header(&client(), Some(&token()), NOW);
    assert_eq!(
        reason(&Request::get(url), Some(&header)),
        dup("oauth_nonce", Location::Header, Location::Query)
    );
    let request = Request::post("https://p.example/?oauth_x=1").with_form_body(b"oauth_x=2");
    assert_eq!(
        reason(&request, None),
        dup("oauth_x", Location::Query, Location::Body)
    );
    let twice = "OAuth oauth_consumer_key=\"key\", oauth_consumer_key=\"key\"";
    assert_eq!(
        reason(&Request::get(URL), Some(twice)),
        dup("oauth_consumer_key", Location::Header, Location::Header)
    );
    let err = verify(&Request::get(URL), Some(twice)).unwrap_err();
    assert_eq!(err.status(), 400);
    assert_eq!(
        err.public_message().to_string(),
        "Duplicated parameter: oauth_consumer_key"
    );
}

/// A `?` after the `#` is part of the fragment: nothing there is a query parameter (the
/// fuzzing campaign found the verifier reading protocol parameters out of a fragment).
#[test]
fn a_question_mark_in_the_fragment_starts_no_query() {
    let url = format!("https://p.example/photos#top?{PAIRS}");
    assert_eq!(reason(&Request::get(&url), None), Reason::NoCredentials);
    let url = format!("https://p.example/photos?{PAIRS}#top?oauth_nonce=other");
    assert_eq!(
        verify(&Request::get(&url), None).unwrap().nonce(),
        Some("n0nce")
    );
}

#[test]
fn parameters_spread_over_two_places_are_refused() {
    let header = header(&client(), None, NOW);
    let url = "https://p.example/?oauth_token=token";
    assert_eq!(
        reason(&Request::get(url), Some(&header)),
        Reason::MixedLocations {
            first: Location::Header,
            second: Location::Query
        }
    );
}

#[test]
fn no_credentials_at_all() {
    for authorization in [None, Some("Basic dXNlcjpwdw=="), Some("Discogs token=abc")] {
        let err = verify(&Request::get(URL), authorization).unwrap_err();
        assert_eq!(err.reason(), &Reason::NoCredentials);
        assert_eq!(err.status(), 401);
        assert_eq!(
            err.public_message().to_string(),
            "You must authenticate to access this resource."
        );
    }
    assert_eq!(
        reason(&Request::get(URL), Some("OAuth realm=\"r\"")),
        Reason::NoCredentials
    );
}

#[test]
fn malformed_input_is_a_bad_request() {
    let err = verify(&Request::get(URL), Some("OAuth oauth_consumer_key=key")).unwrap_err();
    assert!(
        matches!(
            err.reason(),
            Reason::MalformedHeader(crate::Error::Parse(crate::ParseError::MalformedHeader {
                offset: 25,
                ..
            }))
        ),
        "{err:?}"
    );
    assert_eq!(err.status(), 400);
    assert_eq!(
        err.public_message().to_string(),
        "Malformed Authorization header."
    );

    let url = "https://p.example/?oauth_nonce=%zz&junk=%zz";
    assert_eq!(
        reason(&Request::get(url), None),
        Reason::MalformedParameter {
            name: "oauth_nonce".into(),
            location: Location::Query
        }
    );
    let url = "https://p.example/?oauth_%zz=1";
    assert_eq!(
        reason(&Request::get(url), None),
        Reason::MalformedParameter {
            name: "oauth_%zz".into(),
            location: Location::Query
        }
    );
    // A broken escape outside the protocol parameters is the application's business.
    let url = format!("https://p.example/?junk%zz=%zz&{PAIRS}");
    assert!(verify(&Request::get(&url), None).is_ok());

    let request = Request::post("/").with_form_body(b"oauth_nonce=\xff");
    assert_eq!(reason(&request, None), Reason::MalformedBody);

    let many: Vec<String> = (0..=collect::MAX_PARAMS)
        .map(|i| format!("oauth_x{i}=1"))
        .collect();
    let url = format!("https://p.example/?{}", many.join("&"));
    assert_eq!(reason(&Request::get(&url), None), Reason::TooManyParameters);
}

#[test]
fn a_sent_signature_is_compared_decoded_however_it_was_escaped() {
    // `consumer secret&token secret`, encoded once for the signature and once for the header.
    let canonical = "consumer%2520secret%26token%2520secret";
    let request = Request::get(URL);
    let header = header(&client(), Some(&token()), NOW);
    assert!(header.contains(canonical), "{header}");
    let with = |sent: &str| verify(&request, Some(&header.replace(canonical, sent)));
    let decode_error = |error| {
        Reason::MalformedHeader(crate::Error::decode_value_of(
            crate::Context::AuthorizationHeader,
            "oauth_signature",
            error,
        ))
    };
    // Escapes a sender need not have written, and hex digits in lower case, decode the same.
    for sent in [
        canonical,
        "%63onsumer%2520secret%26token%2520secret",
        "consumer%2520secret%26token%2520secre%74",
        "%63%6f%6E%73umer%2520secret%26token%2520secret",
        // The decoder takes a `&` as it is.
        "consumer%2520secret&token%2520secret",
    ] {
        assert_eq!(with(sent).unwrap().consumer_key(), "key", "{sent}");
    }
    // A difference anywhere, a byte more or less, an escape of another byte: not the signature.
    for sent in [
        "consumer%2520secret%26token%2520secreT",
        "Consumer%2520secret%26token%2520secret",
        "consumer%2520secret%26token%2520secret%20",
        "consumer%2520secret%26token%2520secre",
        "consumer%2520secret%27token%2520secret",
        "consumer%2520secret%26token%2520secre%C3%A9",
        "consumer%2520secret%26token%2520secre%7F",
        "",
    ] {
        assert_eq!(
            with(sent).unwrap_err().reason(),
            &Reason::InvalidSignature,
            "{sent}"
        );
    }
    // Broken escapes, and escapes of bytes that are not UTF-8, are a malformed header.
    let cases = [
        ("consumer%2520secret%2Gtoken%2520secret", 19),
        ("consumer%2520secret%26token%2520secret%2", 38),
        ("%", 0),
    ];
    for (sent, offset) in cases {
        let expected = decode_error(crate::DecodeError::BadEscape { offset });
        assert_eq!(with(sent).unwrap_err().reason(), &expected, "{sent}");
    }
    for sent in ["consumer%2520secret%26token%2520secret%C3", "%FF%26", "%80"] {
        let expected = decode_error(crate::DecodeError::InvalidUtf8);
        assert_eq!(with(sent).unwrap_err().reason(), &expected, "{sent}");
    }
}

#[test]
fn missing_parameters_are_named() {
    for name in [
        "oauth_consumer_key",
        "oauth_signature_method",
        "oauth_signature",
        "oauth_timestamp",
        "oauth_nonce",
    ] {
        let pairs: Vec<&str> = PAIRS
            .split('&')
            .filter(|p| !p.starts_with(&format!("{name}=")))
            .collect();
        let url = format!("https://p.example/?{}", pairs.join("&"));
        let err = verify(&Request::get(&url), None).unwrap_err();
        assert_eq!(err.reason(), &Reason::MissingParameter { name }, "{name}");
        assert_eq!(err.status(), 400);
        assert_eq!(
            err.public_message().to_string(),
            format!("Parameter not found: {name}")
        );
    }
}

#[test]
fn version_and_method_must_be_supported() {
    let with = |extra: &str| format!("https://p.example/?{PAIRS}&{extra}");
    assert!(verify(&Request::get(&with("oauth_version=1.0")), None).is_ok());
    assert_eq!(
        reason(&Request::get(&with("oauth_version=1.1")), None),
        Reason::UnsupportedVersion
    );
    let url = format!(
        "https://p.example/?{}",
        PAIRS.replace("PLAINTEXT", "HMAC-MD5")
    );
    let err = verify(&Request::get(&url), None).unwrap_err();
    assert_eq!(
        err.reason(),
        &Reason::UnsupportedSignatureMethod {
            name: "HMAC-MD5".into()
        }
    );
    assert_eq!(err.status(), 400);
    let names: Vec<&str> = SignatureMethod::ALL.iter().map(|m| m.as_str()).collect();
    assert_eq!(
        err.public_message().to_string(),
        format!("Unsupported signature method: use {}.", names.join(", "))
    );
}

#[test]
fn timestamps_and_nonces_must_be_well_formed() {
    // In a query `+` is a space: `%2B` is the plus sign that `str::parse` would take.
    for bad in [
        "",
        "12a",
        "-1",
        "+1",
        "%2B1700000000",
        " 1",
        "18446744073709551616",
    ] {
        let url = format!(
            "https://p.example/?{}",
            PAIRS.replace(
                "oauth_timestamp=1700000000",
                &format!("oauth_timestamp={bad}")
            )
        );
        assert_eq!(
            reason(&Request::get(&url), None),
            Reason::InvalidTimestamp,
            "{bad:?}"
        );
    }
    let long = "n".repeat(MAX_NONCE_LEN + 1);
    for bad in ["", long.as_str()] {
        let url = format!(
            "https://p.example/?{}",
            PAIRS.replace("oauth_nonce=n0nce", &format!("oauth_nonce={bad}"))
        );
        assert_eq!(reason(&Request::get(&url), None), Reason::InvalidNonce);
    }
    let url = format!(
        "https://p.example/?{}",
        PAIRS.replace("n0nce", &"n".repeat(MAX_NONCE_LEN))
    );
    assert!(verify(&Request::get(&url), None).is_ok());
}

#[test]
fn the_timestamp_window_holds_either_way() {
    let client = client();
    let token = token();
    for (timestamp, ok) in [
        (NOW - 300, true),
        (NOW + 300, true),
        (NOW - 301, false),
        (NOW + 301, false),
        (0, false),
    ] {
        let header = header(&client, Some(&token), timestamp);
        let result = verify(&Request::get(URL), Some(&header));
        if ok {
            assert!(result.is_ok(), "{timestamp}: {result:?}");
        } else {
            let err = result.unwrap_err();
            assert_eq!(
                err.reason(),
                &Reason::StaleTimestamp {
                    timestamp,
                    now: NOW
                }
            );
            assert_eq!(err.status(), 401);
        }
    }
    let narrow = Verifier::new().timestamp_window(10);
    assert_eq!(narrow.window(), 10);
    let header = header(&client, Some(&token), NOW - 11);
    let mut nonces = MemoryNonceStore::new(10, 10);
    let err = verify_with(narrow, &Request::get(URL), Some(&header), &mut nonces).unwrap_err();
    assert_eq!(
        err.to_string(),
        "oauth_timestamp 1699999989 is 11 s behind the provider's clock (1700000000), outside the window (consumer key \"key\", token \"token\")"
    );
}

#[test]
fn plaintext_without_timestamp_only_when_allowed() {
    let client = client();
    let header = Signer::new(&client)
        .sign(&Request::get(URL))
        .unwrap()
        .to_authorization();
    assert_eq!(
        reason(&Request::get(URL), Some(header.as_str())),
        Reason::MissingParameter {
            name: "oauth_timestamp"
        }
    );
    let lenient = Verifier::new().allow_plaintext_without_timestamp(true);
    let mut nonces = MemoryNonceStore::new(300, 10);
    let verified = verify_with(
        lenient,
        &Request::get(URL),
        Some(header.as_str()),
        &mut nonces,
    )
    .unwrap();
    assert_eq!(verified.timestamp(), None);
    assert!(nonces.is_empty());
    // Half of the pair is still an error.
    let url = format!(
        "https://p.example/?{}",
        PAIRS.replace("&oauth_nonce=n0nce", "")
    );
    let err = verify_with(lenient, &Request::get(&url), None, &mut nonces).unwrap_err();
    assert_eq!(
        err.reason(),
        &Reason::MissingParameter {
            name: "oauth_nonce"
        }
    );
}

#[test]
fn bad_credentials_read_the_same_to_the_client() {
    let cases = [
        (
            ClientCredentials::new("nobody", "consumer secret"),
            Some(token()),
            Reason::UnknownClient,
        ),
        (
            ClientCredentials::new("key", "other secret"),
            None,
            Reason::InvalidSignature,
        ),
        (
            client(),
            Some(TokenCredentials::new("nosuch", "token secret")),
            Reason::UnknownToken,
        ),
        // A token of another client.
        (
            client(),
            Some(TokenCredentials::new("theirs", "their secret")),
            Reason::UnknownToken,
        ),
        (
            ClientCredentials::new("key", "wrong"),
            Some(token()),
            Reason::InvalidSignature,
        ),
        (
            client(),
            Some(TokenCredentials::new("token", "wrong")),
            Reason::InvalidSignature,
        ),
    ];
    for (client, token, expected) in cases {
        let header = header(&client, token.as_ref(), NOW);
        let store = Store::new();
        let mut nonces = MemoryNonceStore::new(300, 10);
        let request = Request::get(URL);
        let err = Verifier::new()
            .verify(&request, Some(&header), NOW, &store, &mut nonces)
            .unwrap_err();
        assert_eq!(err.reason(), &expected, "{header}");
        assert_eq!(err.status(), 401);
        assert_eq!(err.public_message().to_string(), "Invalid signature.");
        assert_eq!(err.consumer_key(), Some(client.key()));
        assert_eq!(err.token(), token.as_ref().map(TokenCredentials::token));
        // The same lookups whether or not the keys exist; nothing recorded.
        assert_eq!(store.client_lookups.get(), 1);
        assert_eq!(store.token_lookups.get(), u32::from(token.is_some()));
        assert!(nonces.is_empty());
        let shown = format!("{err} {err:?}");
        for secret in ["consumer secret", "token secret", "wrong"] {
            assert!(!shown.contains(secret), "{shown}");
        }
    }
}

#[test]
fn the_dummy_secrets_open_nothing() {
    let client = ClientCredentials::new("nobody", DUMMY_CONSUMER_SECRET);
    let token = TokenCredentials::new("nosuch", DUMMY_TOKEN_SECRET);
    let header = header(&client, Some(&token), NOW);
    assert_eq!(
        reason(&Request::get(URL), Some(&header)),
        Reason::UnknownClient
    );
    let client = ClientCredentials::new("key", "consumer secret");
    let header = self::header(&client, Some(&token), NOW);
    assert_eq!(
        reason(&Request::get(URL), Some(&header)),
        Reason::UnknownToken
    );
}

#[test]
fn replayed_nonces_are_refused() {
    let verifier = Verifier::new();
    let mut nonces = MemoryNonceStore::new(300, 100);
    let client = client();
    let token = token();
    let other = ClientCredentials::new("other", "other secret");
    let theirs = TokenCredentials::new("theirs", "their secret");
    let first = header(&client, Some(&token), NOW);
    let request = Request::get(URL);
    assert!(verify_with(verifier, &request, Some(&first), &mut nonces).is_ok());
    let err = verify_with(verifier, &request, Some(&first), &mut nonces).unwrap_err();
    assert_eq!(err.reason(), &Reason::ReplayedNonce);
    assert_eq!(err.status(), 401);
    assert_eq!(err.public_message().to_string(), "Nonce already used.");
    // The same nonce with another timestamp, another token or another client is fine.
    for header in [
        header(&client, Some(&token), NOW - 1),
        header(&client, None, NOW),
        header(&other, Some(&theirs), NOW),
    ] {
        assert!(
            verify_with(verifier, &request, Some(&header), &mut nonces).is_ok(),
            "{header}"
        );
    }
    assert_eq!(nonces.len(), 4);
}

#[test]
fn a_full_nonce_store_refuses_rather_than_forgets() {
    let verifier = Verifier::new();
    let mut nonces = MemoryNonceStore::new(300, 1);
    let client = client();
    let request = Request::get(URL);
    let first = header(&client, None, NOW);
    assert!(verify_with(verifier, &request, Some(&first), &mut nonces).is_ok());
    let second = header(&client, None, NOW - 1);
    let err = verify_with(verifier, &request, Some(&second), &mut nonces).unwrap_err();
    assert_eq!(err.reason(), &Reason::NonceStoreFull);
    assert_eq!(err.status(), 503);
    // The first is still remembered.
    let err = verify_with(verifier, &request, Some(&first), &mut nonces).unwrap_err();
    assert_eq!(err.reason(), &Reason::ReplayedNonce);
}

#[test]
fn the_store_forgets_exactly_when_the_window_has_passed() {
    let mut store = MemoryNonceStore::new(300, 10);
    let nonce = |timestamp| NonceUse {
        consumer_key: "key",
        token: Some("token"),
        timestamp,
        nonce: "n",
    };
    assert_eq!(store.check_and_insert(nonce(1000), 700), NonceCheck::Fresh);
    assert_eq!(store.check_and_insert(nonce(2000), 1000), NonceCheck::Fresh);
    // At 1300 the timestamp 1000 is still acceptable (1300 - 1000 = 300): remembered.
    assert_eq!(
        store.check_and_insert(nonce(1000), 1300),
        NonceCheck::Replayed
    );
    assert_eq!(store.len(), 2);
    // At 1301 it has left the window: forgotten (the timestamp check refuses it now).
    store.forget_expired(1301);
    assert_eq!(store.len(), 1);
    assert_eq!(store.capacity(), 10);
    // A timestamp far in the past does not underflow anything.
    assert_eq!(store.check_and_insert(nonce(0), 0), NonceCheck::Fresh);
    store.forget_expired(u64::MAX);
    assert!(store.is_empty());
}

#[test]
fn messages_escape_what_came_from_the_request() {
    let url = "https://p.example/?oauth_consumer_key=k%0Aforged&oauth_signature_method=PLAIN%0ATEXT&oauth_signature=x";
    let err = verify(&Request::get(url), None).unwrap_err();
    let line = err.to_string();
    assert_eq!(
        line,
        "unsupported signature method \"PLAIN\\nTEXT\" (consumer key \"k\\nforged\")"
    );
    let url = "https://p.example/?oauth_x%0Ay=1&oauth_x%0Ay=2";
    let err = verify(&Request::get(url), None).unwrap_err();
    assert_eq!(
        err.public_message().to_string(),
        "Duplicated parameter: \"oauth_x\\ny\""
    );
    assert!(!err.to_string().contains('\n'));
}

#[test]
fn debug_of_verified_hides_the_secrets() {
    let url = format!(
        "https://p.example/?{PAIRS}&oauth_verifier=VERYSECRET&oauth_session_handle=HANDLESECRET"
    );
    let verified = verify(&Request::get(&url), None).unwrap();
    let shown = format!("{verified:?}");
    assert!(shown.contains("oauth_session_handle"), "{shown}");
    for secret in ["VERYSECRET", "HANDLESECRET", "secret"] {
        assert!(!shown.contains(secret), "{shown}");
    }
}

#[test]
fn every_reason_has_a_status_and_one_line_messages() {
    let reasons = vec![
        Reason::NoCredentials,
        Reason::MalformedHeader(crate::Error::Parse(crate::ParseError::NotOAuthScheme)),
        Reason::MalformedBody,
        Reason::MalformedParameter {
            name: "oauth_x".into(),
            location: Location::Body,
        },
        Reason::TooManyParameters,
        Reason::DuplicateParameter {
            name: "oauth_x".into(),
            first: Location::Header,
            second: Location::Body,
        },
        Reason::MixedLocations {
            first: Location::Query,
            second: Location::Body,
        },
        Reason::MissingParameter { name: "oauth_x" },
        Reason::UnsupportedVersion,
        Reason::UnsupportedSignatureMethod { name: "X".into() },
        Reason::InvalidTimestamp,
        Reason::InvalidNonce,
        Reason::StaleTimestamp {
            timestamp: 2,
            now: 1,
        },
        Reason::UnknownClient,
        Reason::UnknownToken,
        Reason::InvalidSignature,
        Reason::ReplayedNonce,
        Reason::NonceStoreFull,
        Reason::MalformedRequest(crate::Error::Parse(crate::ParseError::Url { reason: "x" })),
        Reason::TooManyRequestParameters { limit: 3 },
        Reason::NonceQuotaExceeded,
        Reason::StoreUnavailable,
        Reason::BodyHashMismatch,
        Reason::BodyHashOnFormBody,
    ];
    let statuses: Vec<u16> = reasons.iter().map(Reason::status).collect();
    assert_eq!(
        statuses,
        [
            401, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 401, 401, 401, 401, 401,
            503, 400, 400, 429, 503, 401, 400
        ]
    );
    for reason in reasons {
        let rejection = Rejection::new(reason);
        for text in [
            rejection.to_string(),
            rejection.public_message().to_string(),
        ] {
            assert!(!text.is_empty());
            assert!(!text.contains('\n'), "{text}");
        }
    }
    assert_eq!(
        Reason::StaleTimestamp {
            timestamp: 2,
            now: 1
        }
        .to_string(),
        "oauth_timestamp 2 is 1 s ahead of the provider's clock (1), outside the window"
    );
    assert_eq!(
        Reason::StaleTimestamp {
            timestamp: 1,
            now: 301
        }
        .to_string(),
        "oauth_timestamp 1 is 300 s behind the provider's clock (301), outside the window"
    );
    let name = "oauth_nonce";
    assert_eq!(
        Reason::DuplicateParameter {
            name: name.to_string(),
            first: Location::Query,
            second: Location::Query
        }
        .to_string(),
        "\"oauth_nonce\" appears more than once in the query"
    );
    assert_eq!(
        Reason::DuplicateParameter {
            name: name.to_string(),
            first: Location::Header,
            second: Location::Body
        }
        .to_string(),
        "\"oauth_nonce\" appears both in the Authorization header and in the form body"
    );
}

#[test]
fn lookups_from_closures_and_references() {
    let secrets = lookup_fn(
        |key| (key == "key").then(|| Secret::new("consumer secret")),
        |key, token| (key == "key" && token == "token").then(|| Secret::new("token secret")),
    );
    let header = header(&client(), Some(&token()), NOW);
    let mut nonces = MemoryNonceStore::new(300, 10);
    let by_ref: &dyn SecretLookup = &secrets;
    let mut store_ref: &mut dyn NonceStore = &mut nonces;
    let verified = Verifier::default()
        .verify(
            &Request::get(URL),
            Some(&header),
            NOW,
            &by_ref,
            &mut store_ref,
        )
        .unwrap();
    assert_eq!(verified.token(), Some("token"));
    assert_eq!(nonces.len(), 1);
    assert!(format!("{secrets:?}").starts_with("FnLookup"));
}

/// HMAC-SHA1: the core computes the expected signature, the verifier compares.
#[cfg(feature = "hmac-sha1")]
mod hmac {
    use super::*;

    /// The RFC 5849 section 1.2 photo request, signed with HMAC-SHA1.
    const PHOTOS: &str = "http://photos.example.net/photos?file=vacation.jpg&size=original";
    const PHOTOS_HEADER: &str = "OAuth realm=\"Photos\", oauth_consumer_key=\"dpf43f3p2l4k3l03\", \
        oauth_token=\"nnch734d00sl2jdk\", oauth_signature_method=\"HMAC-SHA1\", \
        oauth_timestamp=\"137131202\", oauth_nonce=\"chapoH\", \
        oauth_signature=\"MdpQcU8iPSUjWoN%2FUDMsK2sui9I%3D\"";

    fn photos_secrets()
    -> FnLookup<impl Fn(&str) -> Option<Secret>, impl Fn(&str, &str) -> Option<Secret>> {
        lookup_fn(
            |key| (key == "dpf43f3p2l4k3l03").then(|| Secret::new("kd94hf93k423kf44")),
            |_, token| (token == "nnch734d00sl2jdk").then(|| Secret::new("pfkkdhi9sl3r4s00")),
        )
    }

    fn photos(url: &str, header: &str) -> Result<Verified, Rejection> {
        Verifier::new().verify(
            &Request::get(url),
            Some(header),
            137_131_202,
            &photos_secrets(),
            &mut MemoryNonceStore::new(300, 10),
        )
    }

    #[test]
    fn a_signature_with_escapes_in_lower_case_verifies() {
        // Base64's `/`, `+` and `=` are escaped; some clients write the hex digits in lower case.
        let lower = PHOTOS_HEADER.replace("%2F", "%2f").replace("%3D", "%3d");
        assert_ne!(lower, PHOTOS_HEADER);
        assert_eq!(
            photos(PHOTOS, &lower).unwrap().token(),
            Some("nnch734d00sl2jdk")
        );
        // The same characters unescaped are the same signature too; one changed is not.
        let plain = PHOTOS_HEADER.replace("%2F", "/").replace("%3D", "=");
        assert_eq!(
            photos(PHOTOS, &plain).unwrap().token(),
            Some("nnch734d00sl2jdk")
        );
        let changed = PHOTOS_HEADER.replace("%2F", "%2B");
        assert_eq!(
            photos(PHOTOS, &changed).unwrap_err().reason(),
            &Reason::InvalidSignature
        );
    }

    #[test]
    fn the_rfc_example_verifies() {
        let verified = photos(PHOTOS, PHOTOS_HEADER).unwrap();
        assert_eq!(verified.signature_method(), SignatureMethod::HmacSha1);
        assert_eq!(verified.token(), Some("nnch734d00sl2jdk"));
        // A changed query parameter is a different request.
        let tampered = PHOTOS.replace("original", "small");
        assert_eq!(
            photos(&tampered, PHOTOS_HEADER).unwrap_err().reason(),
            &Reason::InvalidSignature
        );
        // Signing the request needs its absolute URL.
        let err = photos("/photos?file=vacation.jpg&size=original", PHOTOS_HEADER).unwrap_err();
        assert!(
            matches!(
                err.reason(),
                Reason::MalformedRequest(crate::Error::Parse(crate::ParseError::Url { .. }))
            ),
            "{err:?}"
        );
        assert_eq!(err.status(), 400);
        assert_eq!(err.public_message().to_string(), "Malformed request.");
    }

    fn hmac_signer<'a>(client: &'a ClientCredentials, token: &'a TokenCredentials) -> Signer<'a> {
        Signer::new(client)
            .token(token)
            .signature_method(SignatureMethod::HmacSha1)
            .timestamp(NOW)
            .nonce("n0nce")
    }

    #[test]
    fn parameters_in_the_query_or_the_form_body_verify_too() {
        let (client, token) = (client(), token());
        let request = Request::get(URL);
        let url = hmac_signer(&client, &token)
            .sign(&request)
            .unwrap()
            .to_url(URL);
        let verified = verify(&Request::get(url.expose_secret()), None).unwrap();
        assert_eq!(verified.location(), Location::Query);

        let body = b"title=Caf%C3%A9+du+monde&n=1";
        let request = Request::post(URL).with_form_body(body);
        let form = hmac_signer(&client, &token)
            .sign(&request)
            .unwrap()
            .to_form();
        let mut full = body.to_vec();
        full.push(b'&');
        full.extend_from_slice(form.expose_secret().as_bytes());
        let verified = verify(&Request::post(URL).with_form_body(&full), None).unwrap();
        assert_eq!(verified.location(), Location::Body);
        // The body is signed: change it and the signature fails.
        let changed = String::from_utf8(full.clone())
            .unwrap()
            .replace("&n=1&", "&n=2&");
        assert_ne!(changed.as_bytes(), full);
        assert_eq!(
            reason(&Request::post(URL).with_form_body(changed.as_bytes()), None),
            Reason::InvalidSignature
        );
    }

    #[test]
    fn wrong_secrets_fail_as_with_plaintext() {
        let client = ClientCredentials::new("key", "wrong");
        let token = token();
        let header = hmac_signer(&client, &token)
            .sign(&Request::get(URL))
            .unwrap()
            .to_authorization();
        assert_eq!(
            reason(&Request::get(URL), Some(header.as_str())),
            Reason::InvalidSignature
        );
        let client = ClientCredentials::new("nobody", "consumer secret");
        let header = hmac_signer(&client, &token)
            .sign(&Request::get(URL))
            .unwrap()
            .to_authorization();
        assert_eq!(
            reason(&Request::get(URL), Some(header.as_str())),
            Reason::UnknownClient
        );
    }
}

#[test]
fn the_steps_ask_for_secrets_only_after_the_free_checks_and_for_the_nonce_last() {
    let client = client();
    let token = token();
    let verifier = Verifier::new();
    // Stale: refused by `check`, before any lookup.
    let stale = header(&client, Some(&token), NOW - 301);
    let request = Request::get(URL);
    let err = verifier.check(&request, Some(&stale), NOW).unwrap_err();
    assert!(matches!(err.reason(), Reason::StaleTimestamp { .. }));
    let store = Store::new();
    let mut nonces = MemoryNonceStore::new(300, 10);
    let _ = verifier.verify(&request, Some(&stale), NOW, &store, &mut nonces);
    assert_eq!(
        (store.client_lookups.get(), store.token_lookups.get()),
        (0, 0)
    );

    // Good: what to look up, then the signature, then the nonce.
    let good = header(&client, Some(&token), NOW);
    let checked = verifier.check(&request, Some(&good), NOW).unwrap();
    assert_eq!(checked.consumer_key(), "key");
    assert_eq!(checked.token(), Some("token"));
    assert_eq!(checked.signature_method(), SignatureMethod::Plaintext);
    assert!(!format!("{checked:?}").contains("secret"));
    assert_eq!(
        format!("{checked:?}"),
        "Checked { consumer_key: \"key\", token: Some(\"token\"), \
         signature_method: Plaintext, timestamp: Some(1700000000), .. }"
    );
    let authentic = checked
        .authenticate(
            Some(&Secret::new("consumer secret")),
            Some(&Secret::new("token secret")),
        )
        .unwrap();
    assert_eq!(authentic.verified().consumer_key(), "key");
    assert_eq!(
        authentic.nonce(),
        Some(NonceUse {
            consumer_key: "key",
            token: Some("token"),
            timestamp: NOW,
            nonce: "n0nce"
        })
    );
    // What a shared store may answer, and the status each becomes.
    for (check, reason, status) in [
        (NonceCheck::Replayed, Reason::ReplayedNonce, 401),
        (NonceCheck::Full, Reason::NonceStoreFull, 503),
        (NonceCheck::OverQuota, Reason::NonceQuotaExceeded, 429),
        (NonceCheck::Unavailable, Reason::StoreUnavailable, 503),
    ] {
        let err = authentic.clone().finish(check).unwrap_err();
        assert_eq!((err.reason(), err.status()), (&reason, status));
        assert!(
            err.to_string()
                .ends_with("(consumer key \"key\", token \"token\")")
        );
    }
    let verified = authentic.finish(NonceCheck::Fresh).unwrap();
    assert_eq!(verified.token(), Some("token"));
}

#[test]
fn authenticate_tells_unknown_keys_from_bad_signatures() {
    let verifier = Verifier::new();
    let request = Request::get(URL);
    let good = header(&client(), Some(&token()), NOW);
    let consumer = Secret::new("consumer secret");
    let token_secret = Secret::new("token secret");
    let wrong = Secret::new("wrong");
    for (client_secret, token_secret, expected) in [
        (None, Some(&token_secret), Reason::UnknownClient),
        (Some(&consumer), None, Reason::UnknownToken),
        (Some(&consumer), Some(&wrong), Reason::InvalidSignature),
        (Some(&wrong), Some(&token_secret), Reason::InvalidSignature),
    ] {
        let checked = verifier.check(&request, Some(&good), NOW).unwrap();
        let err = checked
            .authenticate(client_secret, token_secret)
            .unwrap_err();
        assert_eq!(err.reason(), &expected);
    }
    // Without a token, the token secret is not looked at.
    let no_token = header(&client(), None, NOW);
    let checked = verifier.check(&request, Some(&no_token), NOW).unwrap();
    let authentic = checked.authenticate(Some(&consumer), Some(&wrong)).unwrap();
    assert_eq!(authentic.verified().token(), None);
}

#[test]
fn timestamps_ahead_can_be_held_to_less_than_the_window() {
    let client = client();
    let token = token();
    let verifier = Verifier::new().max_ahead(60);
    assert_eq!(verifier.nonce_lifetime(), 360);
    let mut nonces = MemoryNonceStore::new(300, 10);
    for (timestamp, ok) in [
        (NOW + 60, true),
        (NOW + 61, false),
        (NOW - 300, true),
        (NOW - 301, false),
    ] {
        let header = header(&client, Some(&token), timestamp);
        let result = verify_with(verifier, &Request::get(URL), Some(&header), &mut nonces);
        assert_eq!(result.is_ok(), ok, "{timestamp}: {result:?}");
    }
    // Never more than the window.
    assert_eq!(Verifier::new().max_ahead(1000).nonce_lifetime(), 600);
    assert_eq!(Verifier::new().timestamp_window(10).nonce_lifetime(), 20);
}

#[test]
fn huge_requests_are_refused_before_any_lookup() {
    let header = header(&client(), Some(&token()), NOW);
    let query: Vec<String> = (0..1025).map(|i| format!("p{i}=v")).collect();
    let url = format!("https://provider.example/photos?{}", query.join("&"));
    let store = Store::new();
    let mut nonces = MemoryNonceStore::new(300, 10);
    let err = Verifier::new()
        .verify(&Request::get(&url), Some(&header), NOW, &store, &mut nonces)
        .unwrap_err();
    assert_eq!(
        err.reason(),
        &Reason::TooManyRequestParameters {
            limit: DEFAULT_MAX_REQUEST_PARAMS
        }
    );
    assert_eq!(err.status(), 400);
    assert_eq!(store.client_lookups.get(), 0);
    // The limit counts the query and the body together.
    let body = "a=1&b=2";
    let request = Request::post("https://provider.example/?c=3").with_form_body(body.as_bytes());
    let err = Verifier::new()
        .max_request_params(2)
        .check(&request, Some(&header), NOW)
        .unwrap_err();
    assert_eq!(err.reason(), &Reason::TooManyRequestParameters { limit: 2 });
    // The limit itself is allowed: three parameters under a limit of three are not refused
    // for their number (whatever else is said of them).
    let at_limit = Verifier::new()
        .max_request_params(3)
        .check(&request, Some(&header), NOW);
    if let Err(rejection) = at_limit {
        assert!(
            !matches!(rejection.reason(), Reason::TooManyRequestParameters { .. }),
            "{rejection:?}"
        );
    }
}

/// A request-token request as the official Discogs Python client sends it: `oauth_callback` in
/// the form body, the other protocol parameters in the header. `Signer` signs the form body's
/// parameters as the request's own, which is exactly that request.
#[test]
#[cfg(feature = "hmac-sha1")]
fn parameters_split_between_header_and_body_only_when_allowed() {
    let url = "https://provider.example/oauth/request_token";
    let body = "oauth_callback=https%3A%2F%2Fclient.example%2Fcb";
    let request = Request::post(url).with_form_body(body.as_bytes());
    let header: String = Signer::new(&client())
        .signature_method(SignatureMethod::HmacSha1)
        .timestamp(NOW)
        .nonce("n0nce")
        .sign(&request)
        .unwrap()
        .to_authorization()
        .as_str()
        .into();
    assert!(!header.contains("oauth_callback"), "{header}");
    let strict = verify(&request, Some(&header)).unwrap_err();
    assert_eq!(
        strict.reason(),
        &Reason::MixedLocations {
            first: Location::Header,
            second: Location::Body
        }
    );
    let mut nonces = MemoryNonceStore::new(300, 10);
    let lenient = Verifier::new().allow_split_parameters(true);
    let verified = verify_with(lenient, &request, Some(&header), &mut nonces).unwrap();
    assert_eq!(verified.callback(), Some("https://client.example/cb"));
    assert_eq!(verified.location(), Location::Header);

    // A name still may not repeat, and the signature still covers the body.
    let twice = header.replacen("OAuth ", "OAuth oauth_callback=\"oob\", ", 1);
    let err = verify_with(lenient, &request, Some(&twice), &mut nonces).unwrap_err();
    assert!(matches!(err.reason(), Reason::DuplicateParameter { .. }));
    let other_body = "oauth_callback=https%3A%2F%2Fevil.example%2Fcb";
    let tampered = Request::post(url).with_form_body(other_body.as_bytes());
    let fresh = header.replace("n0nce", "n1nce");
    let err = verify_with(lenient, &tampered, Some(&fresh), &mut nonces).unwrap_err();
    assert_eq!(err.reason(), &Reason::InvalidSignature);
}

#[test]
fn one_token_or_consumer_cannot_fill_the_store_for_everyone() {
    let mut store = MemoryNonceStore::new(300, 10_000);
    let at = |consumer_key, token, nonce: &'static str| NonceUse {
        consumer_key,
        token,
        timestamp: NOW,
        nonce,
    };
    // The defaults: a sixteenth for a token, half for a consumer.
    let mut nonces: Vec<String> = (0..5000).map(|i| format!("n{i}")).collect();
    nonces.sort();
    let mut fresh = 0;
    for nonce in &nonces {
        let used = NonceUse {
            nonce,
            ..at("flood", Some("t"), "")
        };
        if store.check_and_insert(used, NOW) == NonceCheck::Fresh {
            fresh += 1;
        } else {
            assert_eq!(store.check_and_insert(used, NOW), NonceCheck::OverQuota);
        }
    }
    assert_eq!(fresh, 1000, "max(10,000 / 16, 1,000) for one token");
    // The same consumer's other tokens, and other consumers, still get in.
    assert_eq!(
        store.check_and_insert(at("flood", Some("u"), "a"), NOW),
        NonceCheck::Fresh
    );
    assert_eq!(
        store.check_and_insert(at("flood", None, "a"), NOW),
        NonceCheck::Fresh
    );
    assert_eq!(
        store.check_and_insert(at("other", Some("t"), "a"), NOW),
        NonceCheck::Fresh
    );
    // A consumer's tokens together stop at its quota.
    let mut store = MemoryNonceStore::new(300, 100)
        .token_quota(3)
        .consumer_quota(5);
    let tokens = ["a", "b", "c"];
    let mut results = Vec::new();
    for token in tokens {
        for nonce in ["1", "2", "3", "4"] {
            results.push(store.check_and_insert(at("key", Some(token), nonce), NOW));
        }
    }
    use NonceCheck::{Fresh, OverQuota};
    assert_eq!(
        results,
        [
            Fresh, Fresh, Fresh, OverQuota, // a: its token quota
            Fresh, Fresh, OverQuota, OverQuota, // b: the consumer's quota
            OverQuota, OverQuota, OverQuota, OverQuota,
        ]
    );
    assert_eq!(
        store.check_and_insert(at("else", Some("a"), "1"), NOW),
        Fresh
    );
    // A replay is still a replay, not a quota matter.
    assert_eq!(
        store.check_and_insert(at("key", Some("a"), "1"), NOW),
        NonceCheck::Replayed
    );
    // Entries that leave the window give their quota back.
    let later = NOW + 301;
    let next = NonceUse {
        timestamp: later,
        ..at("key", Some("a"), "5")
    };
    assert_eq!(store.check_and_insert(next, later), Fresh);
    assert_eq!(store.len(), 1);
}

/// `signature_methods` keeps exactly the methods given, in the order of `SignatureMethod::ALL`
/// whatever the order and repeats they came in; a request signed with another is refused, and
/// the reason lists the accepted ones.
#[test]
fn only_the_accepted_signature_methods_verify() {
    let request = Request::get(URL);
    let plaintext = header(&client(), Some(&token()), NOW);
    assert_eq!(
        Verifier::new().accepted_signature_methods(),
        SignatureMethod::ALL
    );
    assert_eq!(
        Verifier::new()
            .signature_methods(&[])
            .accepted_signature_methods(),
        []
    );
    for &only in SignatureMethod::ALL {
        let verifier = Verifier::new().signature_methods(&[only]);
        assert_eq!(verifier.accepted_signature_methods(), [only]);
        let result = verify_with(
            verifier,
            &request,
            Some(&plaintext),
            &mut MemoryNonceStore::new(300, 10),
        );
        if only == SignatureMethod::Plaintext {
            assert_eq!(result.unwrap().consumer_key(), "key");
        } else {
            let refused = result.unwrap_err();
            assert_eq!(
                refused.reason(),
                &Reason::SignatureMethodNotAccepted {
                    method: SignatureMethod::Plaintext,
                    accepted: vec![only],
                }
            );
            assert_eq!(
                refused.public_message().to_string(),
                format!("Signature method not accepted: use {only}.")
            );
        }
    }
    let refused = verify_with(
        Verifier::new().signature_methods(&[]),
        &request,
        Some(&plaintext),
        &mut MemoryNonceStore::new(300, 10),
    )
    .unwrap_err();
    assert_eq!(
        refused.public_message().to_string(),
        "Signature method not accepted: use none (this server takes no OAuth 1.0a request)."
    );
    let mut given: Vec<SignatureMethod> = SignatureMethod::ALL.iter().rev().copied().collect();
    given.push(SignatureMethod::Plaintext);
    assert_eq!(
        Verifier::new()
            .signature_methods(&given)
            .accepted_signature_methods(),
        SignatureMethod::ALL
    );
}

#[test]
fn locations_read_as_words_in_messages() {
    assert_eq!(Location::Header.to_string(), "the Authorization header");
    assert_eq!(Location::Query.to_string(), "the query");
    assert_eq!(Location::Body.to_string(), "the form body");
}

/// A lookup's RSA keys come through a reference to it (the blanket `&L` impl), a lookup
/// without them has none, and `WithRsaKeys` shows no key.
#[cfg(feature = "_rsa")]
#[test]
fn rsa_keys_come_through_references() {
    fn rsa_key_of<L: SecretLookup>(lookup: L, consumer_key: &str) -> Option<crate::RsaPublicKey> {
        lookup.client_rsa_key(consumer_key)
    }
    let public =
        crate::RsaPrivateKey::from_pem(include_str!("../../tests/data/rsa/oauthlib-1024.pem"))
            .unwrap()
            .public_key();
    let expected = public.clone();
    let lookup =
        Store::new().with_rsa_keys(move |key: &str| (key == "key").then(|| public.clone()));
    assert_eq!(rsa_key_of(&lookup, "key"), Some(expected));
    assert_eq!(rsa_key_of(&lookup, "other"), None);
    assert_eq!(rsa_key_of(Store::new(), "key"), None);
    assert_eq!(format!("{lookup:?}"), "WithRsaKeys { .. }");
}
