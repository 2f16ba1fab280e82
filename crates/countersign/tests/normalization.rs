//! The normalization traps other OAuth 1.0a libraries keep getting wrong, each against the base
//! string Python's oauthlib computes for the same request (`tests/data/normalization.json`), and
//! the body types that are (and are not) signed as parameters.
#![cfg(all(feature = "hmac-sha1", feature = "http"))]

use countersign::auth::{Auth, Authenticator};
use countersign::base_string::base_string;
use countersign::signature::{SignatureMethod, compute};
use countersign::{
    ClientCredentials, ParsedAuthorization, Request, Secret, Signer, TokenCredentials,
};
use serde_json::Value;

fn cases() -> Vec<Value> {
    let path = format!(
        "{}/tests/data/normalization.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let data: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    data["cases"].as_array().unwrap().clone()
}

#[test]
fn every_base_string_is_oauthlibs() {
    let cases = cases();
    assert!(cases.len() >= 9);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let method = case["method"].as_str().unwrap();
        let url = case["url"].as_str().unwrap();
        let mut request = Request::new(method, url);
        if let Some(body) = case["form_body"].as_str() {
            request = request.with_form_body(body.as_bytes());
        }
        assert_eq!(
            base_string(&request, &[]).unwrap(),
            case["base_string"].as_str().unwrap(),
            "{name}"
        );
    }
}

/// `realm` travels in the header and is never signed: the same request with and without one
/// has the same signature.
#[test]
fn realm_is_never_signed() {
    let client = ClientCredentials::new("key", "secret");
    let request = Request::get("https://api.example.com/photos?size=large");
    let sign = |realm: Option<&str>| {
        let mut signer = Signer::new(&client)
            .signature_method(SignatureMethod::HmacSha1)
            .timestamp(1)
            .nonce("n");
        if let Some(realm) = realm {
            signer = signer.realm(realm);
        }
        let header = signer.sign(&request).unwrap().to_authorization();
        let parsed = ParsedAuthorization::parse(header.as_str()).unwrap();
        (
            parsed.realm().map(str::to_owned),
            parsed.signature().unwrap().to_owned(),
        )
    };
    let (realm, with) = sign(Some("Photos"));
    let (no_realm, without) = sign(None);
    assert_eq!((realm.as_deref(), no_realm), (Some("Photos"), None));
    assert_eq!(with, without);
}

/// The signature of `request` (its form body, if any) with the fixed credentials at time 1.
fn expected(request: &Request<'_>) -> String {
    let protocol = [
        ("oauth_consumer_key", "key"),
        ("oauth_token", "token"),
        ("oauth_signature_method", "HMAC-SHA1"),
        ("oauth_timestamp", "1"),
        ("oauth_nonce", "n0nce"),
        ("oauth_version", "1.0"),
    ];
    compute(
        SignatureMethod::HmacSha1,
        &Secret::new("secret"),
        Some(&Secret::new("token secret")),
        request,
        &protocol,
    )
    .unwrap()
    .expose_secret()
    .to_owned()
}

/// What an `http::Request` with `content_type` and `body` is signed as, through the
/// `Authenticator` every transport uses.
fn signed(content_type: &str, body: &'static str) -> String {
    let client = ClientCredentials::new("key", "secret");
    let token = TokenCredentials::new("token", "token secret");
    let signer = Signer::new(&client)
        .token(&token)
        .signature_method(SignatureMethod::HmacSha1)
        .prepare()
        .unwrap();
    let auth = Authenticator::new(Auth::OAuth(signer));
    let mut request = http::Request::post("https://api.example.com/s?x=1")
        .header("content-type", content_type)
        .body(body)
        .unwrap();
    auth.sign_request(&mut request, 1, "n0nce").unwrap();
    let header = request.headers()["authorization"].to_str().unwrap();
    ParsedAuthorization::parse(header)
        .unwrap()
        .signature()
        .unwrap()
        .to_owned()
}

/// A form body is recognised whatever the case of its type and with parameters; multipart and
/// JSON bodies are never signed as parameters, even when they look like a form.
#[test]
fn only_form_bodies_are_signed_as_parameters() {
    let url = "https://api.example.com/s?x=1";
    let with_form = expected(&Request::post(url).with_form_body(b"a=1&b=two+words"));
    let without = expected(&Request::post(url));
    for content_type in [
        "application/x-www-form-urlencoded",
        "Application/X-WWW-Form-Urlencoded; charset=UTF-8",
        " application/x-www-form-urlencoded ;charset=utf-8",
    ] {
        assert_eq!(
            signed(content_type, "a=1&b=two+words"),
            with_form,
            "{content_type}"
        );
    }
    for content_type in [
        "multipart/form-data; boundary=xyz",
        "application/json",
        "text/plain",
        "application/x-www-form-urlencoded-but-not",
    ] {
        assert_eq!(
            signed(content_type, "a=1&b=two+words"),
            without,
            "{content_type}"
        );
    }
}

/// An empty `oauth_token` (Schoology's two-legged calls send one) is kept, in the header and in
/// the base string, as `oauth_token=`: the signature is oauthlib's `sign_hmac_sha1` over the
/// base string with the empty token among the parameters. A provider verifies it the same way.
#[test]
fn an_empty_oauth_token_is_kept_and_signed() {
    use countersign::verify::{MemoryNonceStore, Verifier, lookup_fn};

    let client = ClientCredentials::new("key", "secret");
    let empty = TokenCredentials::new("", "");
    let request = Request::get("https://a.example/x");
    let header = Signer::new(&client)
        .token(&empty)
        .signature_method(SignatureMethod::HmacSha1)
        .timestamp(1)
        .nonce("n")
        .sign(&request)
        .unwrap()
        .to_authorization();
    assert!(
        header.as_str().contains("oauth_token=\"\""),
        "{}",
        header.as_str()
    );
    let parsed = ParsedAuthorization::parse(header.as_str()).unwrap();
    assert_eq!(parsed.signature(), Some("GuIeHbRs35NIwokjWo7weqEIFCI="));
    let secrets = lookup_fn(
        |key: &str| (key == "key").then(|| Secret::new("secret")),
        |_: &str, _: &str| None,
    );
    let verified = Verifier::new()
        .verify(
            &request,
            Some(header.as_str()),
            1,
            &secrets,
            &mut MemoryNonceStore::new(300, 10),
        )
        .unwrap();
    assert_eq!(verified.token(), None, "an empty token is no token");
}
