//! Interoperability: the whole flow against an OAuth 1.0a provider that nobody here wrote,
//! Python oauthlib's RequestTokenEndpoint, AuthorizationEndpoint, AccessTokenEndpoint and
//! ResourceEndpoint with their default (strict) validator policy.
//!
//! Ignored by default: `.ci/run` installs a pinned oauthlib in a virtual environment and runs
//! them with `COUNTERSIGN_OAUTHLIB_PYTHON` set, as `cargo test -- --ignored`.

mod common;

use common::oauthlib::{CLIENT_KEY, CLIENT_SECRET, Oauthlib};
use countersign::flow::{CallbackMode, ProviderConfig};
use countersign::{Callback, ClientCredentials};
use countersign_ureq::middleware::SigningMiddleware;
use countersign_ureq::{Approval, Authenticator, Client, countersign};

fn config(provider: &Oauthlib) -> ProviderConfig {
    ProviderConfig::new(
        provider.url("/request_token"),
        provider.url("/authorize"),
        provider.url("/access_token"),
    )
    .identity_url(provider.url("/identity"))
    .user_agent("countersign-ureq-interop/1.0")
}

fn client(provider: &Oauthlib) -> Client {
    Client::new(
        config(provider),
        ClientCredentials::new(CLIENT_KEY, CLIENT_SECRET),
    )
}

/// What the user's browser does: opens the authorize URL (oauthlib approves at once).
fn authorize(url: &str) -> http::Response<ureq::Body> {
    countersign_ureq::agent().get(url).call().unwrap()
}

fn form_post(url: &str, body: &'static str) -> http::Request<&'static str> {
    http::Request::post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .unwrap()
}

#[test]
#[ignore = "needs Python's oauthlib: .ci/run sets COUNTERSIGN_OAUTHLIB_PYTHON"]
fn oauthlib_full_flow_with_a_callback_url() {
    let provider = Oauthlib::start();
    let client = client(&provider);
    let pending = client
        .request_token(CallbackMode::url("http://127.0.0.1:9/callback?state=1"))
        .unwrap();
    let answer = authorize(&pending.authorize_url());
    assert_eq!(answer.status(), 302);
    let location = answer.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        location.starts_with("http://127.0.0.1:9/callback?state=1&"),
        "{location}"
    );
    let session = client
        .access_token(pending, Approval::Callback(&location))
        .unwrap();
    assert_eq!(session.token().token().len(), 30);

    let me = client.identity(&session).unwrap();
    assert_eq!(me.username, "oauthlib");
    assert_eq!(me.consumer_name, "countersign interop");

    // A form POST, signed through the client, and through the middleware.
    let echoed = client
        .send(
            &session,
            form_post(&provider.url("/echo?page=2"), "notes=mint+only&rating=5"),
        )
        .unwrap()
        .error_for_status()
        .unwrap();
    assert_eq!(
        echoed.text().unwrap(),
        r#"{"method": "POST", "form": {"notes": "mint only", "rating": "5"}}"#
    );
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .middleware(SigningMiddleware::new(
            Authenticator::for_session(&session).unwrap(),
        ))
        .build()
        .into();
    let mut echoed = agent
        .post(provider.url("/echo"))
        .content_type("application/x-www-form-urlencoded")
        .send("a=1")
        .unwrap();
    assert_eq!(
        echoed.body_mut().read_to_string().unwrap(),
        r#"{"method": "POST", "form": {"a": "1"}}"#
    );
}

#[test]
#[ignore = "needs Python's oauthlib: .ci/run sets COUNTERSIGN_OAUTHLIB_PYTHON"]
fn oauthlib_full_flow_out_of_band() {
    let provider = Oauthlib::start();
    let client = client(&provider);
    let pending = client.request_token(CallbackMode::OutOfBand).unwrap();
    let mut answer = authorize(&pending.authorize_url());
    assert_eq!(answer.status(), 200);
    // oauthlib shows the code as a form body; the user would paste the verifier.
    let shown = answer.body_mut().read_to_string().unwrap();
    let Callback::Approved { verifier, .. } = Callback::parse(&shown).unwrap() else {
        panic!("{shown}")
    };
    let session = client
        .access_token(pending, Approval::Verifier(verifier.expose_secret()))
        .unwrap();
    assert_eq!(client.identity(&session).unwrap().username, "oauthlib");
}

#[test]
#[ignore = "needs Python's oauthlib: .ci/run sets COUNTERSIGN_OAUTHLIB_PYTHON"]
fn oauthlib_refuses_a_wrong_consumer_secret_and_a_replayed_verifier() {
    let provider = Oauthlib::start();
    let wrong = Client::new(
        config(&provider),
        ClientCredentials::new(CLIENT_KEY, "not-the-secret"),
    );
    let err = wrong.request_token(CallbackMode::OutOfBand).unwrap_err();
    assert_eq!(err.provider().map(|e| e.status), Some(401), "{err:?}");

    let client = client(&provider);
    let pending = client
        .request_token(CallbackMode::url("http://127.0.0.1:9/cb"))
        .unwrap();
    let answer = authorize(&pending.authorize_url());
    let location = answer.headers()["location"].to_str().unwrap().to_owned();
    let again = pending.clone();
    client
        .access_token(pending, Approval::Callback(&location))
        .unwrap();
    // The request token is spent: oauthlib refuses it the second time.
    let err = client
        .access_token(again, Approval::Callback(&location))
        .unwrap_err();
    assert_eq!(err.provider().map(|e| e.status), Some(401), "{err:?}");
}

/// HMAC-SHA1 signs the method, the URL with its query and the form body: oauthlib recomputes
/// the signature base string on its own.
#[cfg(feature = "hmac-sha1")]
#[test]
#[ignore = "needs Python's oauthlib: .ci/run sets COUNTERSIGN_OAUTHLIB_PYTHON"]
fn oauthlib_hmac_sha1_flow_and_form_post() {
    use countersign::SignatureMethod;

    let provider = Oauthlib::start();
    let client = Client::new(
        config(&provider).signature_method(SignatureMethod::HmacSha1),
        ClientCredentials::new(CLIENT_KEY, CLIENT_SECRET),
    );
    let pending = client
        .request_token(CallbackMode::url(
            "http://127.0.0.1:9/callback?a=1&b=two%20words",
        ))
        .unwrap();
    let answer = authorize(&pending.authorize_url());
    let location = answer.headers()["location"].to_str().unwrap().to_owned();
    let session = client
        .access_token(pending, Approval::Callback(&location))
        .unwrap();
    assert_eq!(client.identity(&session).unwrap().username, "oauthlib");
    let echoed = client
        .send(
            &session,
            form_post(
                &provider.url("/echo?page=2&q=a%20b"),
                "notes=mint+only&sym=%E2%98%83&empty=",
            ),
        )
        .unwrap()
        .error_for_status()
        .unwrap();
    assert_eq!(
        echoed.text().unwrap(),
        r#"{"method": "POST", "form": {"notes": "mint only", "sym": "\u2603", "empty": ""}}"#
    );
    // The middleware reads a form body to sign it with HMAC.
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .middleware(SigningMiddleware::new(
            Authenticator::for_session(&session).unwrap(),
        ))
        .build()
        .into();
    let mut echoed = agent
        .post(provider.url("/echo"))
        .content_type("application/x-www-form-urlencoded")
        .send("a=1&b=%2B")
        .unwrap();
    assert_eq!(
        echoed.body_mut().read_to_string().unwrap(),
        r#"{"method": "POST", "form": {"a": "1", "b": "+"}}"#
    );
}
