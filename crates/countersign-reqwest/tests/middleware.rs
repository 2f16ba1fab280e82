//! The reqwest-middleware middleware, over real loopback TCP.

#![cfg(feature = "middleware")]

use countersign_reqwest::countersign::auth::{Auth, Placement};
use countersign_reqwest::countersign::{Error as CoreError, Misuse, Secret, discogs};
use countersign_reqwest::middleware::SigningMiddleware;
use countersign_reqwest::{Error, http_client_builder};
use countersign_test_support::canned::{Answer, Canned, closed_port, http_date};
use countersign_test_support::fixtures::{UA, oauth, timestamp_and_nonce};

fn client(middleware: SigningMiddleware) -> reqwest_middleware::ClientWithMiddleware {
    reqwest_middleware::ClientBuilder::new(http_client_builder().build().unwrap())
        .with(middleware)
        .build()
}

#[tokio::test]
async fn every_request_is_signed_with_a_fresh_nonce_and_the_user_agent() {
    let server = Canned::start(|_, _| Answer::new(200, "ok"));
    let client = client(SigningMiddleware::new(oauth("CONSUMERSECRET")));
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
        .map(|r| timestamp_and_nonce(&r.headers["authorization"]).1)
        .collect();
    assert!(nonces[0] != nonces[1] && nonces[1] != nonces[2]);
    assert!(received.iter().all(|r| r.headers["user-agent"] == UA));
    assert_eq!(received[2].body, b"a=1&b=2");
}

#[tokio::test]
async fn one_retry_after_a_skewed_401_and_the_offset_kept() {
    let server = Canned::start(|i, _| {
        let status = if i == 0 { 401 } else { 200 };
        Answer::new(status, "").header("Date", &http_date(-900))
    });
    let middleware = SigningMiddleware::new(oauth("CONSUMERSECRET"));
    let client = client(middleware.clone());
    let response = client.get(server.url()).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let received = server.received();
    assert_eq!(received.len(), 2, "exactly one retry");
    let (t1, n1) = timestamp_and_nonce(&received[0].headers["authorization"]);
    let (t2, n2) = timestamp_and_nonce(&received[1].headers["authorization"]);
    assert_ne!(n1, n2, "a fresh nonce");
    assert!((898..=902).contains(&(t1 - t2)), "{t1} -> {t2}");
    let offset = middleware.clock_offset();
    assert!((-902..=-898).contains(&offset), "{offset}");
    // Kept: the next request goes out corrected, with no refusal to retry for.
    client.get(server.url()).send().await.unwrap();
    let (t3, _) = timestamp_and_nonce(&server.received()[2].headers["authorization"]);
    assert!(t3.abs_diff(t2) <= 2, "{t2} -> {t3}");
}

#[tokio::test]
async fn a_streamed_body_is_signed_and_sent_once() {
    let server = Canned::start(|_, _| Answer::new(401, "").header("Date", &http_date(-900)));
    let client = client(SigningMiddleware::new(oauth("CONSUMERSECRET")));
    // A body reqwest cannot read ahead of sending it.
    let stream = reqwest::Body::wrap(http_body_util::Full::new(bytes::Bytes::from_static(
        b"streamed",
    )));
    let response = client
        .post(server.url())
        .header("content-length", "8")
        .body(stream)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    let received = server.received();
    assert_eq!(received.len(), 1, "a stream cannot be sent twice");
    assert_eq!(received[0].body, b"streamed");
    assert!(received[0].headers.contains_key("authorization"));
}

#[tokio::test]
async fn a_signing_error_is_a_middleware_error() {
    let client = client(SigningMiddleware::new(oauth("CONSUMERSECRET")));
    let err = client
        .get("http://api.example.com/x")
        .send()
        .await
        .unwrap_err();
    let reqwest_middleware::Error::Middleware(inner) = &err else {
        panic!("{err:?}")
    };
    let ours = inner.downcast_ref::<Error>().unwrap();
    assert!(matches!(
        ours,
        Error::Core(CoreError::Misuse(Misuse::InsecureTransport))
    ));
}

#[tokio::test]
async fn transport_errors_never_show_query_credentials() {
    let token = discogs::profile(UA)
        .unwrap()
        .authenticator(Auth::PersonalToken(Secret::new("PERSONALTOKEN123")))
        .placement(Placement::Query);
    let client = client(SigningMiddleware::new(token));
    // Nothing listens there: reqwest's error quotes the URL, which carries the token.
    let err = client
        .get(format!("http://127.0.0.1:{}/x?page=2", closed_port()))
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
