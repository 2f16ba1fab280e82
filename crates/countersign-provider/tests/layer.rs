//! `VerifyLayer` in front of an axum router and of a bare hyper service, over loopback TCP.

mod common;

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::Extension;
use axum::routing::{get, post};
use countersign::clock::FixedClock;
use countersign::verify::{Verified, lookup_fn};
use countersign::{ClientCredentials, Request, Secret, Signer, TokenCredentials};
use countersign_provider::VerifyLayer;
use http_body_util::{BodyExt, Full};
use tower_layer::Layer;

const NOW: u64 = 1_700_000_000;

fn layer(rejections: &Arc<Mutex<Vec<String>>>) -> VerifyLayer {
    let secrets = lookup_fn(
        |key: &str| (key == "client").then(|| Secret::new("client secret")),
        |key: &str, token: &str| {
            (key == "client" && token == "token").then(|| Secret::new("token secret"))
        },
    );
    let log = Arc::clone(rejections);
    VerifyLayer::new(secrets)
        .clock(FixedClock(NOW))
        .realm("Photos")
        .max_form_body(256)
        .on_reject(move |rejection, parts| {
            log.lock().unwrap().push(format!(
                "{} {}: {rejection}",
                parts.method,
                parts.uri.path()
            ));
        })
}

fn header(nonce: &str, secret: &str) -> String {
    let client = ClientCredentials::new("client", secret);
    let token = TokenCredentials::new("token", "token secret");
    Signer::new(&client)
        .token(&token)
        .timestamp(NOW)
        .nonce(nonce)
        .sign(&Request::get("http://127.0.0.1/photos"))
        .unwrap()
        .to_authorization()
        .as_str()
        .to_owned()
}

async fn send(
    addr: SocketAddr,
    method: &'static str,
    target: &'static str,
    headers: Vec<(&'static str, String)>,
    body: &'static [u8],
) -> common::Response {
    tokio::task::spawn_blocking(move || {
        let headers: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
        common::send(addr, method, target, &headers, body)
    })
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_axum() {
    let rejections = Arc::new(Mutex::new(Vec::new()));
    let app: Router = Router::new()
        .route(
            "/photos",
            get(|Extension(who): Extension<Verified>| async move {
                format!("{} {}", who.consumer_key(), who.token().unwrap_or("-"))
            }),
        )
        .route(
            "/upload",
            post(
                |Extension(who): Extension<Verified>, body: Bytes| async move {
                    format!("{:?} {}", who.location(), String::from_utf8_lossy(&body))
                },
            ),
        )
        .layer(layer(&rejections));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move { axum::serve(listener, app).await });

    let good = header("n1", "client secret");
    let ok = send(
        addr,
        "GET",
        "/photos",
        vec![("Authorization", good.clone())],
        b"",
    )
    .await;
    assert_eq!((ok.status, ok.body.as_str()), (200, "client token"));

    let replay = send(addr, "GET", "/photos", vec![("Authorization", good)], b"").await;
    assert_eq!(
        (replay.status, replay.body.as_str()),
        (401, "Nonce already used.")
    );
    assert_eq!(
        replay.header("www-authenticate"),
        Some("OAuth realm=\"Photos\"")
    );

    let bad = send(
        addr,
        "GET",
        "/photos",
        vec![("Authorization", header("n2", "wrong"))],
        b"",
    )
    .await;
    assert_eq!((bad.status, bad.body.as_str()), (401, "Invalid signature."));

    let none = send(addr, "GET", "/photos", vec![], b"").await;
    assert_eq!(
        (none.status, none.body.as_str()),
        (401, "You must authenticate to access this resource.")
    );

    let malformed = send(
        addr,
        "GET",
        "/photos",
        vec![("Authorization", "OAuth x".into())],
        b"",
    )
    .await;
    assert_eq!(malformed.status, 400);

    // Parameters in a form body are verified, and the handler still gets the whole body.
    let form = "title=sunset&oauth_consumer_key=client&oauth_token=token&oauth_signature_method=PLAINTEXT\
        &oauth_timestamp=1700000000&oauth_nonce=n3&oauth_signature=client%2520secret%26token%2520secret";
    let content_type = (
        "Content-Type",
        "application/x-www-form-urlencoded".to_owned(),
    );
    let upload = send(
        addr,
        "POST",
        "/upload",
        vec![content_type.clone()],
        form.as_bytes(),
    )
    .await;
    assert_eq!(upload.status, 200, "{upload:?}");
    assert_eq!(upload.body, format!("Body {form}"));

    // Other bodies stream through untouched (and are not looked into).
    let raw = send(
        addr,
        "POST",
        "/upload",
        vec![
            ("Authorization", header("n4", "client secret")),
            ("Content-Type", "image/jpeg".into()),
        ],
        b"\xff\xd8 jpeg",
    )
    .await;
    assert_eq!(raw.status, 200);
    assert!(raw.body.starts_with("Header "), "{raw:?}");

    let big = send(addr, "POST", "/upload", vec![content_type], &[b'a'; 300]).await;
    assert_eq!(
        (big.status, big.body.as_str()),
        (413, "Form body too large.")
    );

    assert_eq!(
        *rejections.lock().unwrap(),
        [
            "GET /photos: nonce already used (consumer key \"client\", token \"token\")",
            "GET /photos: signature does not match (consumer key \"client\", token \"token\")",
            "GET /photos: no OAuth protocol parameters in the request",
            "GET /photos: malformed Authorization header at byte 7: expected '=' after the parameter name",
        ]
    );
    server.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_hyper_directly() {
    use hyper::server::conn::http1;
    use hyper_util::rt::TokioIo;
    use hyper_util::service::TowerToHyperService;

    let rejections = Arc::new(Mutex::new(Vec::new()));
    let service = layer(&rejections).layer(tower::service_fn(
        |request: http::Request<countersign_provider::VerifiedBody<hyper::body::Incoming>>| async move {
            let who = request.extensions().get::<Verified>().cloned();
            let body = request.into_body().collect().await.unwrap().to_bytes();
            let text = format!(
                "{} {}",
                who.map_or_else(|| "nobody".to_owned(), |w| w.consumer_key().to_owned()),
                body.len()
            );
            Ok::<_, Infallible>(http::Response::new(Full::new(Bytes::from(text))))
        },
    ));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move {
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            let service = TowerToHyperService::new(service.clone());
            tokio::spawn(async move {
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });

    let ok = send(
        addr,
        "POST",
        "/x",
        vec![("Authorization", header("h1", "client secret"))],
        b"12345",
    )
    .await;
    assert_eq!((ok.status, ok.body.as_str()), (200, "client 5"));
    let bad = send(
        addr,
        "GET",
        "/x",
        vec![("Authorization", header("h2", "nope"))],
        b"",
    )
    .await;
    assert_eq!((bad.status, bad.body.as_str()), (401, "Invalid signature."));
    assert_eq!(
        bad.header("content-type"),
        Some("text/plain; charset=utf-8")
    );
    assert_eq!(rejections.lock().unwrap().len(), 1);
    server.abort();
}

/// RSA-SHA1 and RSA-SHA256 through the layer, over loopback HTTP: the layer asks the lookup for
/// the client's public key, and a request signed with another key, or with no key registered, is
/// refused.
#[cfg(all(feature = "rsa-sha1", feature = "rsa-sha256"))]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rsa_signed_requests() {
    use countersign::verify::SecretLookup as _;
    use countersign::{RsaPrivateKey, SignatureMethod};

    let key = RsaPrivateKey::from_pem(include_str!(
        "../../countersign/tests/data/rsa/test-2048.pem"
    ))
    .unwrap();
    let other = RsaPrivateKey::from_pem(include_str!(
        "../../countersign/tests/data/rsa/oauthlib-1024.pem"
    ))
    .unwrap();
    let public = key.public_key();
    let secrets = lookup_fn(
        |_: &str| None,
        |key: &str, token: &str| {
            (key == "jira" && token == "token").then(|| Secret::new("token secret"))
        },
    )
    .with_rsa_keys(move |consumer: &str| (consumer == "jira").then(|| public.clone()));
    let app: Router = Router::new()
        .route(
            "/rest/api/2/myself",
            get(|Extension(who): Extension<Verified>| async move {
                format!("{} {}", who.consumer_key(), who.signature_method())
            }),
        )
        .layer(VerifyLayer::new(secrets).clock(FixedClock(NOW)));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move { axum::serve(listener, app).await });

    let token = TokenCredentials::new("token", "token secret");
    let url = format!("http://{addr}/rest/api/2/myself");
    let signed = |consumer: &str, key: &RsaPrivateKey, method, nonce: &str| {
        let client = ClientCredentials::with_rsa_key(consumer, key.clone());
        Signer::new(&client)
            .token(&token)
            .signature_method(method)
            .timestamp(NOW)
            .nonce(nonce)
            .sign(&Request::get(&url))
            .unwrap()
            .to_authorization()
            .as_str()
            .to_owned()
    };
    for method in [SignatureMethod::RsaSha1, SignatureMethod::RsaSha256] {
        let ok = send(
            addr,
            "GET",
            "/rest/api/2/myself",
            vec![(
                "Authorization",
                signed("jira", &key, method, &format!("a{method}")),
            )],
            b"",
        )
        .await;
        assert_eq!(
            (ok.status, ok.body.as_str()),
            (200, &*format!("jira {method}"))
        );
        for (consumer, key) in [("jira", &other), ("stranger", &key)] {
            let refused = send(
                addr,
                "GET",
                "/rest/api/2/myself",
                vec![(
                    "Authorization",
                    signed(consumer, key, method, &format!("b{method}")),
                )],
                b"",
            )
            .await;
            assert_eq!(
                (refused.status, refused.body.as_str()),
                (401, "Invalid signature."),
                "{consumer} {method}"
            );
        }
    }
    server.abort();
}
