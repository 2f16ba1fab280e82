//! The reqwest-middleware middleware, over real loopback TCP.

#![cfg(feature = "middleware")]

mod common;

use common::canned::{Answer, Canned, http_date};
use countersign::discogs::DiscogsAuth;
use countersign::{ClientCredentials, Signer, TokenCredentials};
use countersign_reqwest::middleware::SigningMiddleware;
use countersign_reqwest::{Authenticator, countersign, http_client_builder};

fn oauth() -> Authenticator {
    let client = ClientCredentials::new("ck", "CONSUMERSECRET");
    let token = TokenCredentials::new("tok", "TOKENSECRET");
    let signer = Signer::new(&client).token(&token).prepare().unwrap();
    Authenticator::new(DiscogsAuth::OAuth(signer)).user_agent("CountersignTests/1.0")
}

fn client(auth: Authenticator) -> reqwest_middleware::ClientWithMiddleware {
    reqwest_middleware::ClientBuilder::new(http_client_builder().build().unwrap())
        .with(SigningMiddleware::new(auth))
        .build()
}

fn nonce(header: &str) -> String {
    let parsed = countersign::ParsedAuthorization::parse(header).unwrap();
    parsed.nonce().unwrap().to_owned()
}

#[tokio::test]
async fn every_request_is_signed_with_a_fresh_nonce_and_the_user_agent() {
    let server = Canned::start(|_, _| Answer::new(200, "ok"));
    let client = client(oauth());
    for path in ["/a", "/b"] {
        let response = client
            .get(format!("{}{path}", server.url()))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
    }
    let post = client
        .post(format!("{}/form", server.url()))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("a=1&b=2")
        .send()
        .await
        .unwrap();
    assert_eq!(post.status(), 200);
    let received = server.received();
    assert_eq!(received.len(), 3);
    let nonces: Vec<_> = received
        .iter()
        .map(|r| nonce(&r.headers["authorization"]))
        .collect();
    assert!(nonces[0] != nonces[1] && nonces[1] != nonces[2]);
    assert!(
        received
            .iter()
            .all(|r| r.headers["user-agent"] == "CountersignTests/1.0")
    );
    assert_eq!(received[2].body, b"a=1&b=2");
}

#[tokio::test]
async fn one_retry_after_a_skewed_401() {
    let server = Canned::start(|i, _| {
        let status = if i == 0 { 401 } else { 200 };
        Answer::new(status, "").header("Date", &http_date(-900))
    });
    let middleware = SigningMiddleware::new(oauth());
    let client = reqwest_middleware::ClientBuilder::new(http_client_builder().build().unwrap())
        .with(middleware.clone())
        .build();
    let response = client.get(server.url()).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(server.received().len(), 2);
    let offset = middleware.authenticator().clock_offset();
    assert!((-902..=-898).contains(&offset), "{offset}");
}

#[tokio::test]
async fn a_signing_error_is_a_middleware_error() {
    let client = client(oauth());
    let err = client
        .get("http://api.example.com/x")
        .send()
        .await
        .unwrap_err();
    let reqwest_middleware::Error::Middleware(inner) = &err else {
        panic!("{err:?}")
    };
    let ours = inner.downcast_ref::<countersign_reqwest::Error>().unwrap();
    assert!(matches!(
        ours,
        countersign_reqwest::Error::Core(countersign::Error::Misuse(
            countersign::Misuse::InsecureTransport
        ))
    ));
}

#[tokio::test]
async fn transport_errors_never_show_query_credentials() {
    use countersign::Secret;
    use countersign::discogs::Placement;

    let auth = Authenticator::new(DiscogsAuth::PersonalToken(Secret::new("PERSONALTOKEN123")))
        .placement(Placement::Query)
        .user_agent("CountersignTests/1.0");
    let client = client(auth);
    // Nothing listens there: reqwest's error quotes the URL, which carries the token.
    let port = common::canned::closed_port();
    let err = client
        .get(format!("http://127.0.0.1:{port}/x?page=2"))
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(err, reqwest_middleware::Error::Reqwest(_)),
        "{err:?}"
    );
    for shown in [format!("{err}"), format!("{err:?}"), format!("{err:#}")] {
        assert!(!shown.contains("PERSONALTOKEN123"), "{shown}");
    }
    assert!(format!("{err}").contains("token=[redacted]"), "{err}");
}
