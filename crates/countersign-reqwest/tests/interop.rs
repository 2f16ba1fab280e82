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
use countersign_reqwest::{Approval, Authenticator, Client, RequestBuilderExt, countersign};

fn config(provider: &Oauthlib) -> ProviderConfig {
    ProviderConfig::new(
        provider.url("/request_token"),
        provider.url("/authorize"),
        provider.url("/access_token"),
    )
    .identity_url(provider.url("/identity"))
    .user_agent("countersign-reqwest-interop/1.0")
}

fn client(provider: &Oauthlib) -> Client {
    Client::new(
        config(provider),
        ClientCredentials::new(CLIENT_KEY, CLIENT_SECRET),
    )
    .unwrap()
}

/// What the user's browser does: opens the authorize URL (oauthlib approves at once).
async fn authorize(client: &Client, url: &str) -> reqwest::Response {
    client.http().get(url).send().await.unwrap()
}

#[tokio::test]
#[ignore = "needs Python's oauthlib: .ci/run sets COUNTERSIGN_OAUTHLIB_PYTHON"]
async fn oauthlib_full_flow_with_a_callback_url() {
    let provider = Oauthlib::start();
    let client = client(&provider);
    let pending = client
        .request_token(CallbackMode::url("http://127.0.0.1:9/callback?state=1"))
        .await
        .unwrap();
    let answer = authorize(&client, &pending.authorize_url()).await;
    assert_eq!(answer.status(), 302);
    let location = answer.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        location.starts_with("http://127.0.0.1:9/callback?state=1&"),
        "{location}"
    );
    let session = client
        .access_token(pending, Approval::Callback(&location))
        .await
        .unwrap();
    assert_eq!(session.token().token().len(), 30);

    let me = client.identity(&session).await.unwrap();
    assert_eq!(me.username, "oauthlib");
    assert_eq!(me.consumer_name, "countersign interop");

    // A form POST, signed through the client and through a request builder.
    let request = client
        .http()
        .post(provider.url("/echo?page=2"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("notes=mint+only&rating=5")
        .build()
        .unwrap();
    let echoed = client
        .send(&session, request)
        .await
        .unwrap()
        .error_for_status()
        .unwrap();
    assert_eq!(
        echoed.text().unwrap(),
        r#"{"method": "POST", "form": {"notes": "mint only", "rating": "5"}}"#
    );
    let auth = Authenticator::for_session(&session).unwrap();
    let echoed = client
        .http()
        .post(provider.url("/echo"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("a=1")
        .send_signed(&auth)
        .await
        .unwrap();
    assert_eq!(echoed.status(), 200);
}

#[tokio::test]
#[ignore = "needs Python's oauthlib: .ci/run sets COUNTERSIGN_OAUTHLIB_PYTHON"]
async fn oauthlib_full_flow_out_of_band() {
    let provider = Oauthlib::start();
    let client = client(&provider);
    let pending = client.request_token(CallbackMode::OutOfBand).await.unwrap();
    let answer = authorize(&client, &pending.authorize_url()).await;
    assert_eq!(answer.status(), 200);
    // oauthlib shows the code as a form body; the user would paste the verifier.
    let shown = answer.text().await.unwrap();
    let Callback::Approved { verifier, .. } = Callback::parse(&shown).unwrap() else {
        panic!("{shown}")
    };
    let session = client
        .access_token(pending, Approval::Verifier(verifier.expose_secret()))
        .await
        .unwrap();
    assert_eq!(
        client.identity(&session).await.unwrap().username,
        "oauthlib"
    );
}

#[tokio::test]
#[ignore = "needs Python's oauthlib: .ci/run sets COUNTERSIGN_OAUTHLIB_PYTHON"]
async fn oauthlib_refuses_a_wrong_consumer_secret_and_a_replayed_verifier() {
    let provider = Oauthlib::start();
    let wrong = Client::new(
        config(&provider),
        ClientCredentials::new(CLIENT_KEY, "not-the-secret"),
    )
    .unwrap();
    let err = wrong
        .request_token(CallbackMode::OutOfBand)
        .await
        .unwrap_err();
    assert_eq!(err.provider().map(|e| e.status), Some(401), "{err:?}");

    let client = client(&provider);
    let pending = client
        .request_token(CallbackMode::url("http://127.0.0.1:9/cb"))
        .await
        .unwrap();
    let answer = authorize(&client, &pending.authorize_url()).await;
    let location = answer.headers()["location"].to_str().unwrap().to_owned();
    let again = pending.clone();
    client
        .access_token(pending, Approval::Callback(&location))
        .await
        .unwrap();
    // The request token is spent: oauthlib refuses it the second time.
    let err = client
        .access_token(again, Approval::Callback(&location))
        .await
        .unwrap_err();
    assert_eq!(err.provider().map(|e| e.status), Some(401), "{err:?}");
}

#[cfg(feature = "blocking")]
#[test]
#[ignore = "needs Python's oauthlib: .ci/run sets COUNTERSIGN_OAUTHLIB_PYTHON"]
fn oauthlib_full_flow_blocking() {
    let provider = Oauthlib::start();
    let client = countersign_reqwest::blocking::Client::new(
        config(&provider),
        ClientCredentials::new(CLIENT_KEY, CLIENT_SECRET),
    )
    .unwrap();
    let pending = client
        .request_token(CallbackMode::url("http://127.0.0.1:9/callback"))
        .unwrap();
    let answer = client.http().get(pending.authorize_url()).send().unwrap();
    let location = answer.headers()["location"].to_str().unwrap().to_owned();
    let session = client
        .access_token(pending, Approval::Callback(&location))
        .unwrap();
    assert_eq!(client.identity(&session).unwrap().username, "oauthlib");
    let request = client
        .http()
        .post(provider.url("/echo"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("q=blue+train")
        .build()
        .unwrap();
    let echoed = client
        .send(&session, request)
        .unwrap()
        .error_for_status()
        .unwrap();
    assert_eq!(
        echoed.text().unwrap(),
        r#"{"method": "POST", "form": {"q": "blue train"}}"#
    );
}

/// HMAC-SHA1 signs the method, the URL with its query and the form body: oauthlib recomputes
/// the signature base string on its own.
#[cfg(feature = "hmac-sha1")]
#[tokio::test]
#[ignore = "needs Python's oauthlib: .ci/run sets COUNTERSIGN_OAUTHLIB_PYTHON"]
async fn oauthlib_hmac_sha1_flow_and_form_post() {
    use countersign::SignatureMethod;

    let provider = Oauthlib::start();
    let client = Client::new(
        config(&provider).signature_method(SignatureMethod::HmacSha1),
        ClientCredentials::new(CLIENT_KEY, CLIENT_SECRET),
    )
    .unwrap();
    let pending = client
        .request_token(CallbackMode::url(
            "http://127.0.0.1:9/callback?a=1&b=two%20words",
        ))
        .await
        .unwrap();
    let answer = authorize(&client, &pending.authorize_url()).await;
    let location = answer.headers()["location"].to_str().unwrap().to_owned();
    let session = client
        .access_token(pending, Approval::Callback(&location))
        .await
        .unwrap();
    assert_eq!(
        client.identity(&session).await.unwrap().username,
        "oauthlib"
    );
    let request = client
        .http()
        .post(provider.url("/echo?page=2&q=a%20b"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("notes=mint+only&sym=%E2%98%83&empty=")
        .build()
        .unwrap();
    let echoed = client
        .send(&session, request)
        .await
        .unwrap()
        .error_for_status()
        .unwrap();
    assert_eq!(
        echoed.text().unwrap(),
        r#"{"method": "POST", "form": {"notes": "mint only", "sym": "\u2603", "empty": ""}}"#
    );
}
