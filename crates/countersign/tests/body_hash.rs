//! `oauth_body_hash` (the OAuth Request Body Hash draft): the draft's example byte for byte,
//! the digest of each method, the refusals, and the verifier's checks.
#![cfg(all(
    feature = "hmac-sha1",
    feature = "hmac-sha256",
    feature = "hmac-sha512"
))]

use countersign::signature::{BodyHash, SignatureMethod};
use countersign::verify::{MemoryNonceStore, Reason, Verifier, lookup_fn};
use countersign::{ClientCredentials, Error, Misuse, ParsedAuthorization, Request, Secret, Signer};
use serde_json::Value;

fn vector() -> Value {
    let path = format!("{}/tests/data/body_hash.json", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn s<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key].as_str().unwrap_or_else(|| panic!("{key}"))
}

#[test]
fn the_drafts_example_byte_for_byte() {
    let v = vector();
    let body = s(&v, "body").as_bytes();
    let method = SignatureMethod::HmacSha1;
    let hash = BodyHash::new(method, body).unwrap();
    assert_eq!(hash.as_str(), s(&v["hmac_sha1"], "oauth_body_hash"));
    // A body hash is public (it travels in the header): Debug and Display show it.
    assert_eq!(
        format!("{hash:?}"),
        format!("BodyHash({:?})", s(&v["hmac_sha1"], "oauth_body_hash"))
    );
    assert_eq!(hash.to_string(), s(&v["hmac_sha1"], "oauth_body_hash"));
    let client = ClientCredentials::new(s(&v, "consumer_key"), s(&v, "consumer_secret"));
    let request = Request::new(s(&v, "method"), s(&v, "url")).with_body(body);
    let header = Signer::new(&client)
        .signature_method(method)
        .body_hash(&hash)
        .timestamp(s(&v, "oauth_timestamp").parse().unwrap())
        .nonce(s(&v, "oauth_nonce"))
        .sign(&request)
        .unwrap()
        .to_authorization();
    let parsed = ParsedAuthorization::parse(header.as_str()).unwrap();
    assert_eq!(
        parsed.signature(),
        Some(s(&v["hmac_sha1"], "oauth_signature"))
    );
    assert!(
        header
            .as_str()
            .contains("oauth_body_hash=\"Lve95gjOVATpfV8EL5X4nxwjKHE%3D\""),
        "{}",
        header.as_str()
    );
}

#[test]
fn each_method_hashes_with_its_own_digest() {
    let v = vector();
    let body = s(&v, "body").as_bytes();
    for (method, expected) in [
        (
            SignatureMethod::HmacSha1,
            s(&v["hmac_sha1"], "oauth_body_hash"),
        ),
        (SignatureMethod::HmacSha256, s(&v, "sha256_body_hash")),
        (SignatureMethod::HmacSha512, s(&v, "sha512_body_hash")),
    ] {
        let hash = BodyHash::new(method, body).unwrap();
        assert_eq!(hash.as_str(), expected, "{method}");
        assert!(hash.matches(expected));
        assert!(!hash.matches(&expected[1..]));
        assert_eq!(hash.to_string(), expected);
    }
    assert_eq!(
        BodyHash::new(SignatureMethod::HmacSha1, b"")
            .unwrap()
            .as_str(),
        s(&v, "empty_body_sha1")
    );
}

#[test]
fn plaintext_and_form_bodies_are_refused() {
    assert_eq!(
        BodyHash::new(SignatureMethod::Plaintext, b"x"),
        Err(Error::Misuse(Misuse::BodyHashWithPlaintext))
    );
    let client = ClientCredentials::new("k", "s");
    let hash = BodyHash::new(SignatureMethod::HmacSha1, b"a=1").unwrap();
    let form = Request::post("https://api.example/x").with_form_body(b"a=1");
    let err = Signer::new(&client)
        .signature_method(SignatureMethod::HmacSha1)
        .body_hash(&hash)
        .timestamp(1)
        .nonce("n")
        .sign(&form)
        .unwrap_err();
    assert_eq!(err, Error::Misuse(Misuse::BodyHashWithFormBody));
    // A hash made for an HMAC, sent by a PLAINTEXT signer: refused as well.
    let err = Signer::new(&client)
        .body_hash(&hash)
        .sign(&Request::post("https://api.example/x").with_body(b"a=1"))
        .unwrap_err();
    assert_eq!(err, Error::Misuse(Misuse::BodyHashWithPlaintext));
    for message in [
        Misuse::BodyHashWithPlaintext.to_string(),
        Misuse::BodyHashWithFormBody.to_string(),
    ] {
        assert!(!message.contains('\n'));
        assert!(message.contains("oauth_body_hash"), "{message}");
    }
}

/// Signed with a body hash over `body` by `method`, at time 1,700,000,000.
fn signed(method: SignatureMethod, url: &str, body: &[u8], nonce: &str) -> String {
    let client = ClientCredentials::new("key", "consumer secret");
    let hash = BodyHash::new(method, body).unwrap();
    Signer::new(&client)
        .signature_method(method)
        .body_hash(&hash)
        .timestamp(1_700_000_000)
        .nonce(nonce)
        .sign(&Request::post(url).with_body(body))
        .unwrap()
        .to_authorization()
        .as_str()
        .to_owned()
}

#[test]
fn the_verifier_checks_the_body_against_its_hash() {
    let url = "https://api.example/outcomes";
    let body = br#"{"score": 0.92}"#;
    let secrets = lookup_fn(
        |key: &str| (key == "key").then(|| Secret::new("consumer secret")),
        |_: &str, _: &str| None,
    );
    let verifier = Verifier::new();
    let mut nonces = MemoryNonceStore::new(300, 100);
    let now = 1_700_000_000;
    for method in [
        SignatureMethod::HmacSha1,
        SignatureMethod::HmacSha256,
        SignatureMethod::HmacSha512,
    ] {
        let header = signed(method, url, body, &format!("ok{method}"));
        let request = Request::post(url).with_body(body);
        let verified = verifier
            .verify(&request, Some(&header), now, &secrets, &mut nonces)
            .unwrap_or_else(|e| panic!("{method}: {e}"));
        assert!(verified.extension("oauth_body_hash").is_some());

        // The body changed on its way: the signature still matches, the body hash does not.
        let header = signed(method, url, body, &format!("changed{method}"));
        let changed = Request::post(url).with_body(br#"{"score": 1.00}"#);
        let err = verifier
            .verify(&changed, Some(&header), now, &secrets, &mut nonces)
            .unwrap_err();
        assert_eq!(err.reason(), &Reason::BodyHashMismatch, "{method}");
        assert_eq!(err.status(), 401);
        assert_eq!(
            err.public_message().to_string(),
            "Body hash does not match the body."
        );
        // Refused, it used no nonce: the right body goes through with the same header.
        let request = Request::post(url).with_body(body);
        assert!(
            verifier
                .verify(&request, Some(&header), now, &secrets, &mut nonces)
                .is_ok()
        );
    }
    // A body hash with a form body: refused before anything is looked up.
    let header = signed(SignatureMethod::HmacSha1, url, b"a=1", "form");
    let form = Request::post(url).with_form_body(b"a=1");
    let err = verifier.check(&form, Some(&header), now).unwrap_err();
    assert_eq!(err.reason(), &Reason::BodyHashOnFormBody);
    assert_eq!(err.status(), 400);
}

/// `Signer::body_hashes`: a prepared signer hashes each request's own body (the empty body when
/// there is none), writes the very header the one-shot signer writes with that hash, and the
/// verifier checks it; a form body gets none; PLAINTEXT is refused when preparing.
#[test]
fn a_prepared_signer_hashes_each_body() {
    let client = ClientCredentials::new("key", "consumer secret");
    let secrets = lookup_fn(
        |key: &str| (key == "key").then(|| Secret::new("consumer secret")),
        |_: &str, _: &str| None,
    );
    let verifier = Verifier::new();
    let mut nonces = MemoryNonceStore::new(300, 100);
    let now = 1_700_000_000;
    let url = "https://api.example/payments";
    for method in [
        SignatureMethod::HmacSha1,
        SignatureMethod::HmacSha256,
        SignatureMethod::HmacSha512,
    ] {
        let prepared = Signer::new(&client)
            .signature_method(method)
            .body_hashes()
            .prepare()
            .unwrap();
        assert!(prepared.hashes_bodies());
        for (i, body) in [&b"{\"amount\": 1}"[..], b"", &[0xff; 300][..]]
            .into_iter()
            .enumerate()
        {
            let nonce = format!("n{i}{method}");
            let request = Request::post(url).with_body(body);
            let header = prepared.sign(&request, now, &nonce).unwrap();
            let hash = BodyHash::new(method, body).unwrap();
            let one_shot = Signer::new(&client)
                .signature_method(method)
                .body_hash(&hash)
                .timestamp(now)
                .nonce(&nonce)
                .sign(&request)
                .unwrap()
                .to_authorization();
            assert_eq!(header.as_str(), one_shot.as_str(), "{method}");
            let mut written = String::new();
            prepared
                .write_to(&request, now, &nonce, &mut written)
                .unwrap();
            assert_eq!(written, header.as_str());
            let verified = verifier
                .verify(&request, Some(header.as_str()), now, &secrets, &mut nonces)
                .unwrap_or_else(|e| panic!("{method}: {e}"));
            assert_eq!(
                verified
                    .extension("oauth_body_hash")
                    .unwrap()
                    .expose_secret(),
                hash.as_str()
            );
            // The same header with another body: refused for its hash.
            let other = Request::post(url).with_body(b"{\"amount\": 1000}");
            let err = verifier
                .verify(&other, Some(header.as_str()), now, &secrets, &mut nonces)
                .unwrap_err();
            assert_eq!(err.reason(), &Reason::BodyHashMismatch, "{method}");
        }
        // No body at all: the hash of the empty body.
        let get = Request::get(url);
        let header = prepared.sign(&get, now, "get").unwrap();
        let empty = BodyHash::new(method, b"").unwrap();
        assert!(header.as_str().contains(&format!(
            "oauth_body_hash=\"{}\"",
            countersign::encode::encode(empty.as_str())
        )));
        // A form body: no body hash, its parameters are signed.
        let form = Request::post(url).with_form_body(b"a=1");
        let header = prepared.sign(&form, now, &format!("form{method}")).unwrap();
        assert!(!header.as_str().contains("oauth_body_hash"), "{method}");
        verifier
            .verify(&form, Some(header.as_str()), now, &secrets, &mut nonces)
            .unwrap();
    }
    assert_eq!(
        Signer::new(&client).body_hashes().prepare().unwrap_err(),
        Error::Misuse(Misuse::BodyHashWithPlaintext)
    );
    // The one-shot signer does not hash by itself: refused, never sent without the hash.
    let one_shot = Signer::new(&client)
        .signature_method(SignatureMethod::HmacSha256)
        .body_hashes()
        .timestamp(now)
        .nonce("n")
        .sign(&Request::post(url).with_body(b"{}"));
    assert_eq!(
        one_shot.unwrap_err(),
        Error::Misuse(Misuse::BodyHashesNeedPrepare)
    );
}

/// A profile with `body_hash(true)`: every request an authenticator signs carries the hash of
/// its body, and a body that is a stream is refused (it cannot be hashed).
#[cfg(feature = "http")]
#[test]
fn a_profile_that_hashes_bodies() {
    use countersign::auth::Auth;
    use countersign::profile::Profile;

    let profile = Profile::builder(
        "https://api.example/oauth/request_token",
        "https://api.example/oauth/authorize",
        "https://api.example/oauth/access_token",
    )
    .signature_method(SignatureMethod::HmacSha256)
    .body_hash(true)
    .build()
    .unwrap();
    assert!(profile.body_hash());
    let client = ClientCredentials::new("key", "consumer secret");
    let signer = Signer::new(&client)
        .signature_method(SignatureMethod::HmacSha256)
        .body_hashes()
        .prepare()
        .unwrap();
    let authenticator = profile.authenticator(Auth::OAuth(signer));
    let body = br#"{"amount": 1}"#.to_vec();
    let request = http::Request::post("https://api.example/payments")
        .header("content-type", "application/json")
        .body(())
        .unwrap();
    let (mut parts, ()) = request.into_parts();
    assert!(authenticator.signs_body(&parts.headers));
    authenticator
        .sign_parts(&mut parts, Some(&body), 1_700_000_000, "n0nce")
        .unwrap();
    let header = parts.headers["authorization"].to_str().unwrap();
    let hash = BodyHash::new(SignatureMethod::HmacSha256, &body).unwrap();
    assert!(
        header.contains(&format!(
            "oauth_body_hash=\"{}\"",
            countersign::encode::encode(hash.as_str())
        )),
        "{header}"
    );
    let (mut parts, ()) = http::Request::post("https://api.example/payments")
        .body(())
        .unwrap()
        .into_parts();
    assert_eq!(
        authenticator.sign_parts(&mut parts, None, 1_700_000_000, "n1"),
        Err(Error::Misuse(Misuse::StreamedBodyHash))
    );
    // PLAINTEXT signs nothing of the body: such a profile is refused.
    assert_eq!(
        Profile::builder(
            "https://api.example/a",
            "https://api.example/b",
            "https://api.example/c"
        )
        .body_hash(true)
        .build(),
        Err(Error::Misuse(Misuse::BodyHashWithPlaintext))
    );
}
