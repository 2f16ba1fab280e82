//! RSA-SHA1 and RSA-SHA256 (RFC 5849 section 3.4.3): oauthlib's published vectors byte for byte,
//! keys in every encoding, clear errors for the wrong kind of key, signing through the one-shot
//! and the prepared signer, verification by the verifier's steps, and no key in any output.
#![cfg(all(
    feature = "rsa-sha1",
    feature = "rsa-sha256",
    feature = "hmac-sha1",
    feature = "std"
))]

use countersign::signature::{BodyHash, SignatureMethod, sign_base_string, verify_rsa};
use countersign::verify::{MemoryNonceStore, Reason, SecretLookup, Verifier};
use countersign::{
    ClientCredentials, Error, Misuse, ParseError, Request, RsaPrivateKey, RsaPublicKey, Secret,
    SecretStr, Signer, TokenCredentials,
};

fn data(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/tests/data/rsa/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn private(name: &str) -> RsaPrivateKey {
    RsaPrivateKey::from_pem(&data(name)).unwrap()
}

fn public(name: &str) -> RsaPublicKey {
    RsaPublicKey::from_pem(&data(name)).unwrap()
}

/// The base string of oauthlib's signature tests (RFC 5849 section 3.4.1.1's example), with the
/// signatures oauthlib publishes for it (made with `openssl dgst -sha1 -sign`).
const BASE: &str = "POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q%26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D%26c2%3D%26oauth_consumer_key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk9d7dh3k39sjv7";
const OAUTHLIB_RSA_SHA1: &str = "mFY2KOEnlYWsTvUA+5kxuBIcvBYXu+ljw9ttVJQxKduMueGSVPCB1tK1PlqVLK738HK0t19ecBJfb6rMxUwrriw+MlBO+jpojkZIWccw1J4cAb4qu4M81DbpUAq4j/1w/QyTR4TWCODlEfN7Zfgy8+pf+TjiXfIwRC1jEWbuL1E=";
const OAUTHLIB_RSA_SHA256: &str = "jqKl6m0WS69tiVJV8ZQ6aQEfJqISoZkiPBXRv6Al2+iFSaDpfeXjYm+Hbx6m1azRdrZ/35PM3cvuid3LwW/siAkzb0xQcGnTyAPH8YcGWzmnKGY7LsB7fkqThchNxvRK/N7s9M1WMnfZZ+1dQbbwtTs1TG1+iexUcV7r3M7Heec=";

#[test]
fn oauthlibs_vectors_byte_for_byte() {
    let client = ClientCredentials::with_rsa_key("9djdj82h48djs9d2", private("oauthlib-1024.pem"));
    let token = Secret::new("dh893hdasih9");
    for (method, expected) in [
        (SignatureMethod::RsaSha1, OAUTHLIB_RSA_SHA1),
        (SignatureMethod::RsaSha256, OAUTHLIB_RSA_SHA256),
    ] {
        // The token secret plays no part in an RSA signature.
        for token in [None, Some(&token)] {
            let signature = sign_base_string(method, &client, token, BASE).unwrap();
            assert_eq!(signature.expose_secret(), expected, "{method}");
        }
        for key in ["oauthlib-1024.pub.pem", "oauthlib-1024.spki.pem"] {
            let key = public(key);
            assert!(
                verify_rsa(method, &key, BASE.as_bytes(), expected),
                "{method}"
            );
            // Any other base string, method, key or signature: refused.
            assert!(!verify_rsa(method, &key, &BASE.as_bytes()[1..], expected));
            let other = if method == SignatureMethod::RsaSha1 {
                SignatureMethod::RsaSha256
            } else {
                SignatureMethod::RsaSha1
            };
            assert!(!verify_rsa(other, &key, BASE.as_bytes(), expected));
            assert!(!verify_rsa(
                SignatureMethod::HmacSha1,
                &key,
                BASE.as_bytes(),
                expected
            ));
            assert!(!verify_rsa(method, &key, BASE.as_bytes(), "not base64!"));
            assert!(!verify_rsa(method, &key, BASE.as_bytes(), ""));
            assert!(!verify_rsa(
                method,
                &key,
                BASE.as_bytes(),
                &"QUFB".repeat(10_000)
            ));
        }
        let other_key = private("oauthlib-other-1024.pem").public_key();
        assert!(!verify_rsa(method, &other_key, BASE.as_bytes(), expected));
    }
}

#[test]
fn keys_in_every_encoding_are_the_same_key() {
    let pkcs1 = private("oauthlib-1024.pem");
    let pkcs8 = private("oauthlib-1024.pkcs8.pem");
    let der = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/rsa/oauthlib-1024.pkcs8.der"
    ))
    .unwrap();
    assert_eq!(pkcs1, pkcs8);
    assert_eq!(RsaPrivateKey::from_pkcs8_der(&der).unwrap(), pkcs1);
    assert_eq!(pkcs1.public_key(), public("oauthlib-1024.pub.pem"));
    assert_eq!(pkcs1.public_key(), public("oauthlib-1024.spki.pem"));
    assert_eq!(pkcs1.bits(), 1024);
    // Text before the PEM block (a comment, openssl's "Bag Attributes") is skipped.
    let with_comment = format!("a comment\n{}", data("test-2048.pem"));
    assert_eq!(RsaPrivateKey::from_pem(&with_comment).unwrap().bits(), 2048);
    assert_eq!(public("test-2048.pub.pem").bits(), 2048);
}

#[test]
fn the_wrong_kind_of_key_says_what_to_do() {
    let problem = |result: Result<RsaPrivateKey, Error>| match result {
        Err(Error::Parse(ParseError::RsaKey { problem })) => problem,
        other => panic!("expected an RSA key error, got {other:?}"),
    };
    assert!(problem(RsaPrivateKey::from_pem(&data("encrypted.pem"))).contains("openssl pkey"));
    assert!(problem(RsaPrivateKey::from_pem(&data("test-2048.pub.pem"))).contains("private key"));
    assert!(problem(RsaPrivateKey::from_pem(&data("test-2048.cert.pem"))).contains("private key"));
    assert!(problem(RsaPrivateKey::from_pem(&data("ec.pem"))).contains("RSA"));
    assert!(problem(RsaPrivateKey::from_pem("")).contains("no PEM block"));
    assert!(problem(RsaPrivateKey::from_pkcs8_der(b"\x30\x03\x02\x01\x00")).contains("DER"));
    // A PEM block cut short.
    let pem = data("test-2048.pem");
    assert!(problem(RsaPrivateKey::from_pem(&pem[..pem.len() / 2])).contains("PKCS#8"));

    let public_problem = |result: Result<RsaPublicKey, Error>| match result {
        Err(Error::Parse(ParseError::RsaKey { problem })) => problem,
        other => panic!("expected an RSA key error, got {other:?}"),
    };
    assert!(
        public_problem(RsaPublicKey::from_pem(&data("test-2048.cert.pem")))
            .contains("openssl x509")
    );
    assert!(public_problem(RsaPublicKey::from_pem(&data("test-2048.pem"))).contains("-pubout"));
    assert!(public_problem(RsaPublicKey::from_pem("garbage")).contains("PUBLIC KEY"));
    // Each message is one line that names no key material.
    let message = Error::Parse(ParseError::RsaKey {
        problem: problem(RsaPrivateKey::from_pem(&data("encrypted.pem"))),
    })
    .to_string();
    assert!(
        message.starts_with("cannot load the RSA key: "),
        "{message}"
    );
    assert!(!message.contains('\n'));
}

#[test]
fn an_rsa_method_without_a_key_is_a_misuse_never_plaintext() {
    let client = ClientCredentials::new("key", "secret");
    for method in [SignatureMethod::RsaSha1, SignatureMethod::RsaSha256] {
        let signer = Signer::new(&client)
            .signature_method(method)
            .timestamp(1)
            .nonce("n");
        let err = signer
            .sign(&Request::get("https://api.example/"))
            .unwrap_err();
        assert_eq!(err, Error::Misuse(Misuse::RsaKeyRequired));
        assert_eq!(
            signer.prepare().unwrap_err(),
            Error::Misuse(Misuse::RsaKeyRequired)
        );
        assert_eq!(
            sign_base_string(method, &client, None, BASE).unwrap_err(),
            Error::Misuse(Misuse::RsaKeyRequired)
        );
        assert!(err.to_string().contains("--private-key"));
    }
}

#[test]
fn the_private_key_never_shows() {
    let pem = data("test-2048.pem");
    let key = RsaPrivateKey::from_pem(&pem).unwrap();
    let client = ClientCredentials::with_rsa_key("consumer", key.clone());
    let header = Signer::new(&client)
        .signature_method(SignatureMethod::RsaSha256)
        .timestamp(1_700_000_000)
        .nonce("n0nce")
        .sign(&Request::get("https://api.example/"))
        .unwrap();
    let prepared = Signer::new(&client)
        .signature_method(SignatureMethod::RsaSha256)
        .prepare()
        .unwrap();
    let body: String = pem
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect::<Vec<_>>()
        .concat();
    for shown in [
        format!("{key:?}"),
        format!("{client:?}"),
        format!("{header:?}"),
        format!("{prepared:?}"),
        format!("{:?}", key.public_key()),
    ] {
        assert!(!shown.contains(&body[40..80]), "{shown}");
        // Nor any of its lines.
        for line in pem.lines().filter(|l| !l.starts_with("-----")) {
            assert!(!shown.contains(line), "{shown}");
        }
    }
    assert_eq!(format!("{key:?}"), "RsaPrivateKey { bits: 2048, .. }");
}

/// A provider that knows one client by its RSA public key and one access token.
struct Keys {
    public_key: RsaPublicKey,
}

impl SecretLookup for Keys {
    fn client_secret(&self, _: &str) -> Option<SecretStr<'_>> {
        None
    }

    fn token_secret(&self, consumer_key: &str, token: &str) -> Option<SecretStr<'_>> {
        (consumer_key == "jira-consumer" && token == "access-token")
            .then_some(SecretStr::from("token secret"))
    }

    fn client_rsa_key(&self, consumer_key: &str) -> Option<RsaPublicKey> {
        (consumer_key == "jira-consumer").then(|| self.public_key.clone())
    }
}

#[test]
fn signed_by_either_signer_and_verified_by_the_steps() {
    let key = private("test-2048.pem");
    let client = ClientCredentials::with_rsa_key("jira-consumer", key.clone());
    let token = TokenCredentials::new("access-token", "token secret");
    let lookup = Keys {
        public_key: key.public_key(),
    };
    let verifier = Verifier::new();
    let mut nonces = MemoryNonceStore::new(300, 100);
    let now = 1_700_000_000;
    let url = "https://jira.example/rest/api/2/search?jql=project%20%3D%20CS&maxResults=5";
    for method in [SignatureMethod::RsaSha1, SignatureMethod::RsaSha256] {
        let body = br#"{"fields": {"summary": "RSA"}}"#;
        let hash = BodyHash::new(method, body).unwrap();
        let request = Request::post(url).with_body(body);
        let nonce = format!("one-{method}");
        let one_shot = Signer::new(&client)
            .token(&token)
            .signature_method(method)
            .body_hash(&hash)
            .timestamp(now)
            .nonce(&nonce)
            .sign(&request)
            .unwrap()
            .to_authorization();
        let verified = verifier
            .verify(&request, Some(one_shot.as_str()), now, &lookup, &mut nonces)
            .unwrap_or_else(|e| panic!("{method}: {e}"));
        assert_eq!(verified.signature_method(), method);
        assert_eq!(verified.token(), Some("access-token"));
        assert!(verified.extension("oauth_body_hash").is_some());

        // The prepared signer writes the very same header (RSASSA-PKCS1-v1_5 is deterministic).
        let get = Request::get(url);
        let prepared = Signer::new(&client)
            .token(&token)
            .signature_method(method)
            .prepare()
            .unwrap();
        let nonce = format!("two-{method}");
        let from_prepared = prepared.sign(&get, now, &nonce).unwrap();
        let from_one_shot = Signer::new(&client)
            .token(&token)
            .signature_method(method)
            .timestamp(now)
            .nonce(&nonce)
            .sign(&get)
            .unwrap()
            .to_authorization();
        assert_eq!(from_prepared.as_str(), from_one_shot.as_str());
        verifier
            .verify(
                &get,
                Some(from_prepared.as_str()),
                now,
                &lookup,
                &mut nonces,
            )
            .unwrap_or_else(|e| panic!("{method}: {e}"));

        // The same header on another URL, for another client, with another key, with an unknown
        // token, or with an HMAC secret instead of the public key: refused.
        let nonce = format!("three-{method}");
        let header = prepared.sign(&get, now, &nonce).unwrap();
        let elsewhere = Request::get("https://jira.example/rest/api/2/search?jql=x");
        let err = verifier
            .verify(&elsewhere, Some(header.as_str()), now, &lookup, &mut nonces)
            .unwrap_err();
        assert_eq!(err.reason(), &Reason::InvalidSignature, "{method}");
        let stranger = Keys {
            public_key: private("oauthlib-1024.pem").public_key(),
        };
        let err = verifier
            .verify(&get, Some(header.as_str()), now, &stranger, &mut nonces)
            .unwrap_err();
        assert_eq!(err.reason(), &Reason::InvalidSignature);
        let checked = verifier.check(&get, Some(header.as_str()), now).unwrap();
        let err = checked
            .authenticate(Some(&Secret::new("")), Some(&Secret::new("token secret")))
            .unwrap_err();
        assert_eq!(err.reason(), &Reason::InvalidSignature);
        let checked = verifier.check(&get, Some(header.as_str()), now).unwrap();
        let err = checked
            .authenticate_rsa(None, Some(&Secret::new("token secret")))
            .unwrap_err();
        assert_eq!(err.reason(), &Reason::UnknownClient);
        let checked = verifier.check(&get, Some(header.as_str()), now).unwrap();
        let err = checked
            .authenticate_rsa(Some(&key.public_key()), None)
            .unwrap_err();
        assert_eq!(err.reason(), &Reason::UnknownToken);
        // None of those used the nonce.
        verifier
            .verify(&get, Some(header.as_str()), now, &lookup, &mut nonces)
            .unwrap();
    }
}

#[test]
fn an_hmac_request_is_not_verified_with_a_public_key() {
    let key = private("oauthlib-1024.pem");
    let verifier = Verifier::new();
    let client = ClientCredentials::new("jira-consumer", "shared");
    let get = Request::get("https://jira.example/");
    let header = Signer::new(&client)
        .signature_method(SignatureMethod::HmacSha1)
        .timestamp(1_700_000_000)
        .nonce("n")
        .sign(&get)
        .unwrap()
        .to_authorization();
    let checked = verifier
        .check(&get, Some(header.as_str()), 1_700_000_000)
        .unwrap();
    let err = checked
        .authenticate_rsa(Some(&key.public_key()), None)
        .unwrap_err();
    assert_eq!(err.reason(), &Reason::InvalidSignature);
}
