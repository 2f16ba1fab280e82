//! The ureq middleware, over real loopback TCP.

use countersign_test_support::canned::{Answer, Canned, http_date};
use countersign_test_support::fixtures::{UA, oauth, timestamp_and_nonce};
use countersign_ureq::countersign::auth::{Auth, Authenticator};
use countersign_ureq::countersign::{
    ClientCredentials, Error as CoreError, Misuse, ParsedAuthorization, SignatureMethod, Signer,
};
use countersign_ureq::middleware::SigningMiddleware;
use countersign_ureq::{Error, ureq};

#[test]
fn the_middleware_signs_every_request_and_learns_skew_without_resending() {
    let server = Canned::start(|i, _| {
        let status = if i == 0 { 401 } else { 200 };
        Answer::new(status, "").header("Date", &http_date(-900))
    });
    let middleware = SigningMiddleware::new(oauth("CONSUMERSECRET"));
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .middleware(middleware.clone())
        .build()
        .into();
    let first = agent.get(server.url()).call().unwrap();
    assert_eq!(first.status(), 401);
    assert_eq!(server.received().len(), 1, "the middleware cannot resend");
    let offset = middleware.clock_offset();
    assert!((-902..=-898).contains(&offset), "{offset}");
    let second = agent
        .post(format!("{}/form", server.url()))
        .content_type("application/x-www-form-urlencoded")
        .send("a=1&b=2")
        .unwrap();
    assert_eq!(second.status(), 200);
    let received = server.received();
    let (t1, n1) = timestamp_and_nonce(&received[0].headers["authorization"]);
    let (t2, n2) = timestamp_and_nonce(&received[1].headers["authorization"]);
    assert_ne!(n1, n2);
    assert!((898..=902).contains(&(t1 - t2)), "{t1} -> {t2}");
    assert_eq!(received[1].body, b"a=1&b=2");
    assert!(received.iter().all(|r| r.headers["user-agent"] == UA));
}

/// HMAC signs a form body: the middleware reads it, signs it, and sends it with its length.
#[test]
fn a_form_body_signed_with_hmac_is_read_and_sent_whole() {
    let server = Canned::start(|_, _| Answer::new(200, "ok"));
    let client = ClientCredentials::new("ck", "CONSUMERSECRET");
    let signer = Signer::new(&client)
        .signature_method(SignatureMethod::HmacSha1)
        .prepare()
        .unwrap();
    let auth = Authenticator::new(Auth::OAuth(signer));
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .middleware(SigningMiddleware::new(auth))
        .build()
        .into();
    agent
        .post(format!("{}/form", server.url()))
        .content_type("application/x-www-form-urlencoded")
        .send("a=1&b=%2B")
        .unwrap();
    let received = &server.received()[0];
    assert_eq!(received.body, b"a=1&b=%2B");
    assert_eq!(received.headers["content-length"], "9");
    let parsed = ParsedAuthorization::parse(&received.headers["authorization"]).unwrap();
    assert_eq!(parsed.signature_method(), Some("HMAC-SHA1"));
}

#[test]
fn a_middleware_signing_error_is_ureq_other() {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .middleware(SigningMiddleware::new(oauth("CONSUMERSECRET")))
        .build()
        .into();
    let err = agent.get("http://api.example.com/x").call().unwrap_err();
    let ureq::Error::Other(inner) = &err else {
        panic!("{err:?}")
    };
    let ours = inner.downcast_ref::<Error>().unwrap();
    assert!(matches!(
        ours,
        Error::Core(CoreError::Misuse(Misuse::InsecureTransport))
    ));
}
