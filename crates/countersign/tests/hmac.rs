//! HMAC-SHA1, HMAC-SHA256 and HMAC-SHA512: every published vector, byte for byte.
#![cfg(all(
    feature = "hmac-sha1",
    feature = "hmac-sha256",
    feature = "hmac-sha512"
))]

use countersign::base_string::base_string;
use countersign::signature::{SignatureMethod, compute};
use countersign::{
    ClientCredentials, Error, ParsedAuthorization, Request, Secret, Signer, TokenCredentials,
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

/// The decoded `oauth_signature` of a header.
fn signature_of(header: &str) -> String {
    ParsedAuthorization::parse(header)
        .unwrap()
        .signature()
        .unwrap()
        .to_owned()
}

const SHA1: SignatureMethod = SignatureMethod::HmacSha1;
const SHA256: SignatureMethod = SignatureMethod::HmacSha256;

#[test]
fn rfc5849_section_1_2_every_request() {
    let rfc = load("rfc5849.json");
    let v = &rfc["hmac_sha1_section_1_2"];
    let client = ClientCredentials::new(s(v, "client.key"), s(v, "client.secret"));

    let i = &v["initiate"];
    let header = Signer::new(&client)
        .signature_method(SHA1)
        .realm(s(v, "realm"))
        .callback(s(i, "oauth_callback"))
        .version(false)
        .timestamp(s(i, "oauth_timestamp").parse().unwrap())
        .nonce(s(i, "oauth_nonce"))
        .sign(&Request::new(s(i, "method"), s(i, "url")))
        .unwrap()
        .to_authorization();
    assert_eq!(signature_of(header.as_str()), s(i, "oauth_signature"));
    assert!(header.as_str().starts_with("OAuth realm=\"Photos\""));

    let t = &v["token"];
    let temp = TokenCredentials::new(s(t, "oauth_token"), s(t, "token_secret"));
    let verifier = Secret::new(s(t, "oauth_verifier"));
    let header = Signer::new(&client)
        .signature_method(SHA1)
        .token(&temp)
        .verifier(&verifier)
        .version(false)
        .timestamp(s(t, "oauth_timestamp").parse().unwrap())
        .nonce(s(t, "oauth_nonce"))
        .sign(&Request::new(s(t, "method"), s(t, "url")))
        .unwrap()
        .to_authorization();
    assert_eq!(signature_of(header.as_str()), s(t, "oauth_signature"));

    let r = &v["resource"];
    let access = TokenCredentials::new(s(r, "oauth_token"), s(r, "token_secret"));
    let signer = Signer::new(&client)
        .signature_method(SHA1)
        .token(&access)
        .version(false);
    let request = Request::new(s(r, "method"), s(r, "url"));
    let header = signer
        .timestamp(s(r, "oauth_timestamp").parse().unwrap())
        .nonce(s(r, "oauth_nonce"))
        .sign(&request)
        .unwrap()
        .to_authorization();
    assert_eq!(signature_of(header.as_str()), s(r, "oauth_signature"));
    // The prepared signer: the same bytes.
    let prepared = signer.prepare().unwrap();
    let fast = prepared
        .sign(
            &request,
            s(r, "oauth_timestamp").parse().unwrap(),
            s(r, "oauth_nonce"),
        )
        .unwrap();
    assert_eq!(fast, header);
    let mut written = String::new();
    prepared
        .write_to(
            &request,
            s(r, "oauth_timestamp").parse().unwrap(),
            s(r, "oauth_nonce"),
            &mut written,
        )
        .unwrap();
    assert_eq!(written, header.as_str());
    // The base string the RFC prints.
    let protocol = [
        ("oauth_consumer_key", s(v, "client.key")),
        ("oauth_token", s(r, "oauth_token")),
        ("oauth_signature_method", "HMAC-SHA1"),
        ("oauth_timestamp", s(r, "oauth_timestamp")),
        ("oauth_nonce", s(r, "oauth_nonce")),
    ];
    assert_eq!(
        base_string(&request, &protocol).unwrap(),
        s(r, "base_string")
    );
    // Over https the base string URI changes, and so does the signature.
    let https = Request::new(
        "GET",
        "https://photos.example.net/photos?file=vacation.jpg&size=original",
    );
    let header = signer
        .timestamp(s(r, "oauth_timestamp").parse().unwrap())
        .nonce(s(r, "oauth_nonce"))
        .sign(&https)
        .unwrap()
        .to_authorization();
    assert_eq!(
        signature_of(header.as_str()),
        s(r, "oauth_signature_if_https")
    );

    // OAuth Core 1.0 Appendix A: the same resource request with oauth_version=1.0.
    let a = &v["oauth_core_1_0_appendix_a"];
    let header = Signer::new(&client)
        .signature_method(SHA1)
        .token(&access)
        .timestamp(s(a, "oauth_timestamp").parse().unwrap())
        .nonce(s(a, "oauth_nonce"))
        .sign(&request)
        .unwrap()
        .to_authorization();
    assert_eq!(signature_of(header.as_str()), s(a, "oauth_signature"));
}

#[test]
fn rfc5849_section_3_1_with_the_correct_signature() {
    let rfc = load("rfc5849.json");
    let v = &rfc["hmac_sha1_section_3_1"];
    let client = ClientCredentials::new(s(v, "client.key"), s(v, "client.secret"));
    let token = TokenCredentials::new(s(v, "token.token"), s(v, "token.secret"));
    let request =
        Request::new(s(v, "method"), s(v, "url")).with_form_body(s(v, "body_form").as_bytes());
    let header = Signer::new(&client)
        .signature_method(SHA1)
        .token(&token)
        .version(false)
        .realm("Example")
        .timestamp(s(v, "oauth_timestamp").parse().unwrap())
        .nonce(s(v, "oauth_nonce"))
        .sign(&request)
        .unwrap()
        .to_authorization();
    let signature = signature_of(header.as_str());
    assert_eq!(signature, s(v, "oauth_signature"));
    assert_ne!(signature, s(v, "rfc_printed_signature_wrong"));
    let protocol = [
        ("oauth_consumer_key", s(v, "client.key")),
        ("oauth_token", s(v, "token.token")),
        ("oauth_signature_method", "HMAC-SHA1"),
        ("oauth_timestamp", s(v, "oauth_timestamp")),
        ("oauth_nonce", s(v, "oauth_nonce")),
    ];
    assert_eq!(
        base_string(&request, &protocol).unwrap(),
        s(v, "base_string")
    );
}

#[test]
fn oauthlib_secrets_on_the_section_3_1_base_string() {
    let rfc = load("rfc5849.json");
    let peers = load("peers.json");
    let r = &rfc["hmac_sha1_section_3_1"];
    let o = &peers["oauthlib_signature_tests"];
    assert_eq!(s(r, "base_string"), s(o, "base_string"));
    let request =
        Request::new(s(r, "method"), s(r, "url")).with_form_body(s(r, "body_form").as_bytes());
    let protocol = [
        ("oauth_consumer_key", s(r, "client.key")),
        ("oauth_token", s(r, "token.token")),
        ("oauth_signature_method", "HMAC-SHA1"),
        ("oauth_timestamp", s(r, "oauth_timestamp")),
        ("oauth_nonce", s(r, "oauth_nonce")),
    ];
    let (cs, ts) = (
        Secret::new(s(o, "client_secret")),
        Secret::new(s(o, "token_secret")),
    );
    for (method, expected) in [
        (SHA1, s(o, "HMAC-SHA1")),
        (SHA256, s(o, "HMAC-SHA256")),
        (SignatureMethod::HmacSha512, s(o, "HMAC-SHA512")),
    ] {
        let got = compute(method, &cs, Some(&ts), &request, &protocol).unwrap();
        assert_eq!(got.expose_secret(), expected, "{method}");
        // The header a signer writes carries the same signature, 88 characters for SHA-512.
        let client = ClientCredentials::new(s(r, "client.key"), s(o, "client_secret"));
        let token = TokenCredentials::new(s(r, "token.token"), s(o, "token_secret"));
        let header = Signer::new(&client)
            .token(&token)
            .signature_method(method)
            .version(false)
            .timestamp(s(r, "oauth_timestamp").parse().unwrap())
            .nonce(s(r, "oauth_nonce"))
            .sign(&request)
            .unwrap()
            .to_authorization();
        // The vector's base string names HMAC-SHA1 (oauthlib signed that one base string with
        // each method); a header names its own method, so only SHA-1's matches the vector.
        if method == SHA1 {
            assert_eq!(signature_of(header.as_str()), expected);
        }
        assert_eq!(
            signature_of(header.as_str()).len(),
            expected.len(),
            "{method}"
        );
        let prepared = Signer::new(&client)
            .token(&token)
            .signature_method(method)
            .version(false)
            .prepare()
            .unwrap();
        let again = prepared
            .sign(
                &request,
                s(r, "oauth_timestamp").parse().unwrap(),
                s(r, "oauth_nonce"),
            )
            .unwrap();
        assert_eq!(
            signature_of(again.as_str()),
            signature_of(header.as_str()),
            "{method}"
        );
    }
}

/// A header from oauthlib's Client: key `client_key`, no secrets, version on.
fn oauthlib_header(
    method: SignatureMethod,
    http: &str,
    url: &str,
    body: Option<&[u8]>,
    ts: u64,
    nonce: &str,
) -> String {
    let client = ClientCredentials::new("client_key", "");
    let mut request = Request::new(http, url);
    if let Some(body) = body {
        request = request.with_form_body(body);
    }
    let header = Signer::new(&client)
        .signature_method(method)
        .timestamp(ts)
        .nonce(nonce)
        .sign(&request)
        .unwrap()
        .to_authorization();
    header.as_str().to_owned()
}

fn header_param<'a>(header: &'a str, name: &str) -> &'a str {
    let needle = format!("{name}=\"");
    let start = header.find(&needle).unwrap() + needle.len();
    let len = header[start..].find('"').unwrap();
    &header[start..start + len]
}

#[test]
fn oauthlib_client_headers() {
    let peers = load("peers.json");
    let v = &peers["oauthlib_client_header"];
    let h = oauthlib_header(
        SHA1,
        "GET",
        "http://example.com",
        None,
        1_234_567_890,
        "abc",
    );
    // oauthlib orders its parameters differently; the signature is what must agree.
    let theirs = s(v, "header_HMAC-SHA1");
    assert_eq!(
        header_param(&h, "oauth_signature"),
        header_param(theirs, "oauth_signature")
    );
    let h = oauthlib_header(
        SHA256,
        "GET",
        "http://example.com",
        None,
        1_234_567_890,
        "abc",
    );
    assert_eq!(
        header_param(&h, "oauth_signature"),
        s(v, "header_oauth_signature_HMAC-SHA256")
    );
    let b = &peers["oauthlib_body_and_query"];
    let nonce = "14205877133089081931378988215";
    let h = oauthlib_header(
        SHA1,
        "POST",
        "http://i.b/path",
        Some(b"a=b"),
        1_378_988_215,
        nonce,
    );
    assert_eq!(
        header_param(&h, "oauth_signature"),
        s(b, "body_a=b_header_oauth_signature")
    );
    // oauthlib's query case puts the protocol parameters in the query of a bare POST: the base
    // string is the one a header would give.
    let h = oauthlib_header(SHA1, "POST", "http://i.b/path", None, 1_378_988_215, nonce);
    assert_eq!(
        header_param(&h, "oauth_signature"),
        s(b, "query_a=b_header_oauth_signature")
    );
    let r = &peers["requests_oauthlib"];
    let client = ClientCredentials::new("foo", "");
    let header = Signer::new(&client)
        .signature_method(SHA1)
        .timestamp(123)
        .nonce("abc")
        .sign(&Request::post("https://i.b"))
        .unwrap()
        .to_authorization();
    assert_eq!(
        header_param(header.as_str(), "oauth_signature"),
        s(r, "HMAC-SHA1_header_oauth_signature")
    );
}

#[test]
fn oauthlib_non_ascii_bodies() {
    // oauthlib signs with the timestamp "abc", which a Signer (u64 seconds) cannot send; the
    // signature computation itself takes any protocol parameters.
    let peers = load("peers.json");
    let v = &peers["oauthlib_non_ascii_body"];
    for body in ["status=%E5%95%A6%E5%95%A6", "status=%C3%A6%C3%A5%C3%B8"] {
        let request = Request::post("http://i.b/path").with_form_body(body.as_bytes());
        let protocol = [
            ("oauth_nonce", "abc"),
            ("oauth_timestamp", "abc"),
            ("oauth_version", "1.0"),
            ("oauth_signature_method", "HMAC-SHA1"),
            ("oauth_consumer_key", "client_key"),
        ];
        let got = compute(SHA1, &Secret::new(""), None, &request, &protocol).unwrap();
        assert_eq!(
            countersign::encode::encode(got.expose_secret()).to_string(),
            s(v, body)
        );
    }
}

#[test]
fn twitter_published_examples() {
    let peers = load("peers.json");
    let v = &peers["twitter_published_via_go_oauth1"];
    let rt = &v["request_token"];
    let client = ClientCredentials::new(s(rt, "consumer_key"), s(rt, "consumer_secret"));
    let header = Signer::new(&client)
        .signature_method(SHA1)
        .callback(s(rt, "oauth_callback"))
        .timestamp(s(rt, "oauth_timestamp").parse().unwrap())
        .nonce(s(rt, "oauth_nonce"))
        .sign(&Request::new(s(rt, "method"), s(rt, "url")))
        .unwrap()
        .to_authorization();
    assert_eq!(signature_of(header.as_str()), s(rt, "HMAC-SHA1"));

    let at = &v["access_token"];
    let token = TokenCredentials::new(s(at, "token"), s(at, "token_secret"));
    let verifier = Secret::new(s(at, "oauth_verifier"));
    let header = Signer::new(&client)
        .signature_method(SHA1)
        .token(&token)
        .verifier(&verifier)
        .timestamp(s(rt, "oauth_timestamp").parse().unwrap())
        .nonce(s(at, "oauth_nonce"))
        .sign(&Request::post("https://api.twitter.com/oauth/access_token"))
        .unwrap()
        .to_authorization();
    assert_eq!(signature_of(header.as_str()), s(at, "HMAC-SHA1"));
}

#[test]
fn hmac_needs_a_timestamp_and_a_nonce_and_may_use_plain_http() {
    let client = ClientCredentials::new("k", "s");
    for signer in [
        Signer::new(&client).signature_method(SHA1).nonce("n"),
        Signer::new(&client).signature_method(SHA256).timestamp(1),
    ] {
        assert_eq!(
            signer
                .sign(&Request::get("https://a.example/"))
                .unwrap_err(),
            Error::Misuse(countersign::Misuse::TimestampAndNonceRequired)
        );
    }
    // No secret travels with HMAC, so plain http to any host is fine.
    assert!(
        Signer::new(&client)
            .signature_method(SHA1)
            .timestamp(1)
            .nonce("n")
            .sign(&Request::get("http://a.example/"))
            .is_ok()
    );
    assert_eq!(
        "HMAC-SHA256".parse::<SignatureMethod>(),
        Ok(SignatureMethod::HmacSha256)
    );
    assert_eq!(
        "HMAC-SHA512".parse::<SignatureMethod>(),
        Ok(SignatureMethod::HmacSha512)
    );
    assert_eq!(SignatureMethod::HmacSha512.to_string(), "HMAC-SHA512");
}

#[test]
fn parameters_in_the_query_or_the_body() {
    let client = ClientCredentials::new("ck", "c s");
    let token = TokenCredentials::new("tk", "t&s");
    let request = Request::post("https://a.example/p?x=1").with_form_body(b"y=2+3");
    let signed = Signer::new(&client)
        .signature_method(SHA1)
        .token(&token)
        .realm("not in forms")
        .timestamp(137_131_201)
        .nonce("n n")
        .sign(&request)
        .unwrap();
    let header = signed.to_authorization();
    let signature = header_param(header.as_str(), "oauth_signature").to_owned();
    let form = signed.to_form();
    assert_eq!(
        form.expose_secret(),
        format!(
            "oauth_consumer_key=ck&oauth_token=tk&oauth_signature_method=HMAC-SHA1&\
             oauth_version=1.0&oauth_timestamp=137131201&oauth_nonce=n%20n&oauth_signature={signature}"
        )
    );
    let url = signed.to_url("https://a.example/p?x=1#top");
    assert_eq!(
        url.expose_secret(),
        format!("https://a.example/p?x=1&{}#top", form.expose_secret())
    );

    // A provider recomputes the signature from the parameters where they arrived.
    let decoded: Vec<(String, String)> = form
        .expose_secret()
        .split('&')
        .map(|pair| {
            let (n, v) = pair.split_once('=').unwrap();
            (
                countersign::encode::decode(n).unwrap().into_owned(),
                countersign::encode::decode(v).unwrap().into_owned(),
            )
        })
        .collect();
    let protocol: Vec<(&str, &str)> = decoded
        .iter()
        .filter(|(n, _)| n != "oauth_signature")
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let expected = compute(
        SHA1,
        client.secret(),
        Some(token.secret()),
        &request,
        &protocol,
    )
    .unwrap();
    assert_eq!(
        countersign::encode::encode(expected.expose_secret()).to_string(),
        signature
    );

    // PLAINTEXT in a form: the raw signature encoded once.
    let plain = Signer::new(&client)
        .token(&token)
        .sign(&Request::post("https://a.example/"))
        .unwrap()
        .to_form();
    assert_eq!(
        plain.expose_secret(),
        "oauth_consumer_key=ck&oauth_token=tk&oauth_signature_method=PLAINTEXT&oauth_version=1.0&\
         oauth_signature=c%2520s%26t%2526s"
    );
}
