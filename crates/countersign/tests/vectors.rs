//! Published vectors (RFC 5849 and other implementations' suites), byte for byte.

use countersign::encode::{decode, encode};
use countersign::signature::plaintext;
use countersign::{
    Callback, ClientCredentials, ParsedAuthorization, Request, Secret, Signer, TokenCredentials,
    TokenResponse,
};
use serde_json::Value;

fn load(name: &str) -> Value {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn s<'a>(v: &'a Value, path: &str) -> &'a str {
    let mut v = v;
    for key in path.split('.') {
        v = &v[key];
    }
    v.as_str()
        .unwrap_or_else(|| panic!("{path} is not a string"))
}

/// The value of one parameter in a built header, as it appears between the quotes.
fn header_param<'a>(header: &'a str, name: &str) -> &'a str {
    let needle = format!("{name}=\"");
    let start = header.find(&needle).unwrap() + needle.len();
    let len = header[start..].find('"').unwrap();
    &header[start..start + len]
}

#[test]
fn rfc5849_section_3_6_encoding() {
    let rfc = load("rfc5849.json");
    let cases = rfc["percent_encoding_section_3_6"]["cases"]
        .as_array()
        .unwrap();
    assert_eq!(cases.len(), 5);
    for case in cases {
        let (plain, encoded) = (case[0].as_str().unwrap(), case[1].as_str().unwrap());
        assert_eq!(encode(plain).to_string(), encoded);
        assert_eq!(decode(encoded).unwrap(), plain);
    }
}

#[test]
fn rfc5849_section_2_exchange() {
    let rfc = load("rfc5849.json");
    let v = &rfc["plaintext_section_2"];
    let client = ClientCredentials::new(s(v, "client.key"), s(v, "client.secret"));

    // 2.1: temporary credentials.
    let temp = &v["temporary_credentials_request"];
    let header = Signer::new(&client)
        .realm("Example")
        .callback(s(temp, "oauth_callback"))
        .version(false)
        .sign(&Request::new(s(temp, "method"), s(temp, "url")))
        .unwrap()
        .to_authorization();
    assert_eq!(
        header.as_str(),
        format!(
            "OAuth realm=\"Example\", oauth_consumer_key=\"{}\", oauth_signature_method=\"PLAINTEXT\", \
             oauth_callback=\"{}\", oauth_signature=\"{}\"",
            s(v, "client.key"),
            s(temp, "header_oauth_callback"),
            s(temp, "header_oauth_signature"),
        )
    );
    let parsed = ParsedAuthorization::parse(header.as_str()).unwrap();
    assert_eq!(parsed.signature(), Some(s(temp, "oauth_signature_raw")));
    assert_eq!(parsed.callback(), Some(s(temp, "oauth_callback")));
    assert_eq!(
        plaintext(client.secret(), None).expose_secret(),
        s(temp, "oauth_signature_raw")
    );

    let answer = TokenResponse::parse_temporary(s(temp, "response_body").as_bytes()).unwrap();
    assert_eq!(answer.token(), "hdk48Djdsa");
    assert_eq!(answer.token_secret().expose_secret(), "xyz4992k83j47x0b");
    let temporary = answer.into_credentials();

    // 2.2: the user comes back.
    let callback_url = s(v, "authorization.callback");
    let Callback::Approved { token, verifier } = Callback::parse(callback_url).unwrap() else {
        panic!("expected approval");
    };
    assert_eq!(token, temporary.token());
    let verifier = verifier.into_secret();
    assert_eq!(
        verifier.expose_secret(),
        s(v, "token_request.oauth_verifier")
    );

    // 2.3: token credentials.
    let req = &v["token_request"];
    let header = Signer::new(&client)
        .token(&temporary)
        .verifier(&verifier)
        .timestamp(137_131_201)
        .nonce("walatlh")
        .sign(&Request::new(s(req, "method"), s(req, "url")))
        .unwrap()
        .to_authorization();
    assert_eq!(
        header_param(header.as_str(), "oauth_signature"),
        s(req, "header_oauth_signature")
    );
    assert_eq!(
        header_param(header.as_str(), "oauth_token"),
        s(req, "oauth_token")
    );
    assert_eq!(
        header_param(header.as_str(), "oauth_verifier"),
        s(req, "oauth_verifier")
    );
    let parsed = ParsedAuthorization::parse(header.as_str()).unwrap();
    assert_eq!(parsed.signature(), Some(s(req, "oauth_signature_raw")));

    let access = TokenResponse::parse(s(req, "response_body").as_bytes()).unwrap();
    assert!(!access.callback_confirmed());
    let access = access.into_credentials();
    assert_eq!(access.token(), "j49ddk933skd9dks");
    assert!(access.secret().ct_eq("ll399dj47dskfjdk"));
}

#[test]
fn oauthlib_plaintext_with_spaces_in_the_token_secret() {
    let peers = load("peers.json");
    let v = &peers["oauthlib_signature_tests"];
    let raw = plaintext(
        &Secret::new(s(v, "client_secret")),
        Some(&Secret::new(s(v, "token_secret"))),
    );
    assert_eq!(raw.expose_secret(), s(v, "PLAINTEXT_raw"));

    // In a header the raw value is encoded once more.
    let client = ClientCredentials::new("9djdj82h48djs9d2", s(v, "client_secret"));
    let token = TokenCredentials::new("kkk9d7dh3k39sjv7", s(v, "token_secret"));
    let header = Signer::new(&client)
        .token(&token)
        .sign(&Request::post("https://example.com/request"))
        .unwrap()
        .to_authorization();
    assert_eq!(
        header_param(header.as_str(), "oauth_signature"),
        encode(s(v, "PLAINTEXT_raw")).to_string()
    );
}

#[test]
fn oauthlib_plaintext_header_value() {
    let peers = load("peers.json");
    let v = &peers["oauthlib_client_header"];
    let client = ClientCredentials::new("client_key", "foo");
    let token = TokenCredentials::new("t", "bar");
    let header = Signer::new(&client)
        .token(&token)
        .timestamp(1_234_567_890)
        .nonce("abc")
        .sign(&Request::get("https://example.com"))
        .unwrap()
        .to_authorization();
    assert_eq!(
        header_param(header.as_str(), "oauth_signature"),
        s(v, "PLAINTEXT_secrets_foo_bar_header_oauth_signature")
    );
}

#[test]
fn requests_oauthlib_two_empty_secrets() {
    let peers = load("peers.json");
    let v = &peers["requests_oauthlib"];
    let client = ClientCredentials::new("foo", "");
    let header = Signer::new(&client)
        .timestamp(123)
        .nonce("abc")
        .sign(&Request::post("https://i.b"))
        .unwrap()
        .to_authorization();
    assert_eq!(
        header.as_str(),
        format!(
            "OAuth oauth_consumer_key=\"foo\", oauth_signature_method=\"PLAINTEXT\", oauth_version=\"1.0\", \
             oauth_timestamp=\"123\", oauth_nonce=\"abc\", oauth_signature=\"{}\"",
            s(v, "PLAINTEXT_header_oauth_signature")
        )
    );
    // The prepared signer writes the same bytes.
    let prepared = Signer::new(&client).prepare().unwrap();
    assert_eq!(
        prepared
            .sign(&Request::post("https://i.b"), 123, "abc")
            .unwrap(),
        header
    );
}

#[test]
fn rfc5849_section_1_2_token_responses() {
    let rfc = load("rfc5849.json");
    let v = &rfc["hmac_sha1_section_1_2"];
    let temp = TokenResponse::parse_temporary(s(v, "initiate.response_body").as_bytes()).unwrap();
    assert_eq!(temp.token(), "hh5s93j4hdidpola");
    assert!(temp.token_secret().ct_eq("hdhd0244k9j7ao03"));
    let Callback::Approved { token, verifier } = Callback::parse(s(v, "callback")).unwrap() else {
        panic!("expected approval");
    };
    assert_eq!(token, "hh5s93j4hdidpola");
    assert!(verifier.ct_eq("hfdp7dh39dks9884"));
    let access = TokenResponse::parse(s(v, "token.response_body").as_bytes()).unwrap();
    assert_eq!(access.token(), "nnch734d00sl2jdk");
    assert!(access.token_secret().ct_eq("pfkkdhi9sl3r4s00"));
}
