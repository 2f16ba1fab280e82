//! `VerifyLayer` with stores that answer asynchronously (a database for the secrets, a shared
//! store for the nonces), a public URL behind a reverse proxy, and per-token nonce quotas: an
//! axum app over loopback TCP.

mod common;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::Extension;
use countersign::clock::FixedClock;
use countersign::verify::{MemoryNonceStore, NonceCheck, NonceStore, NonceUse, Verified, Verifier};
use countersign::{ClientCredentials, Request, Secret, SignatureMethod, Signer, TokenCredentials};
use countersign_provider::{
    AsyncNonceStore, AsyncSecretLookup, PublicUrl, StoreError, StoreFuture, VerifyLayer,
};

const NOW: u64 = 1_700_000_000;

/// Secrets in a "database" that answers later, counts the lookups and can be down.
#[derive(Default)]
struct Database {
    lookups: AtomicUsize,
    down: AtomicBool,
}

impl Database {
    async fn answer(&self, found: Option<&str>) -> Result<Option<Secret>, StoreError> {
        self.lookups.fetch_add(1, Ordering::SeqCst);
        tokio::time::sleep(Duration::from_millis(1)).await;
        if self.down.load(Ordering::SeqCst) {
            return Err(StoreError::new("connection refused"));
        }
        Ok(found.map(Secret::new))
    }
}

/// The layer's handle on the shared database.
struct Db(Arc<Database>);

impl AsyncSecretLookup for Db {
    fn client_secret<'a>(
        &'a self,
        consumer_key: &'a str,
    ) -> StoreFuture<'a, Result<Option<Secret>, StoreError>> {
        Box::pin(
            self.0
                .answer((consumer_key == "client").then_some("client secret")),
        )
    }

    fn token_secret<'a>(
        &'a self,
        consumer_key: &'a str,
        token: &'a str,
    ) -> StoreFuture<'a, Result<Option<Secret>, StoreError>> {
        let found = match (consumer_key, token) {
            ("client", "token") => Some("token secret"),
            ("client", "flood") => Some("flood secret"),
            _ => None,
        };
        Box::pin(self.0.answer(found))
    }
}

/// A shared nonce store that answers later, counts what it is asked and can be down.
struct Shared {
    inner: Mutex<MemoryNonceStore>,
    asked: AtomicUsize,
    down: AtomicBool,
}

impl Shared {
    fn new() -> Arc<Self> {
        Arc::new(Self {
            inner: Mutex::new(MemoryNonceStore::new(300, 1000).token_quota(5)),
            asked: AtomicUsize::new(0),
            down: AtomicBool::new(false),
        })
    }
}

impl AsyncNonceStore for Shared {
    fn check_and_insert<'a>(
        &'a self,
        nonce: NonceUse<'a>,
        now: u64,
    ) -> StoreFuture<'a, NonceCheck> {
        Box::pin(async move {
            self.asked.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(1)).await;
            if self.down.load(Ordering::SeqCst) {
                return NonceCheck::Unavailable;
            }
            self.inner.lock().unwrap().check_and_insert(nonce, now)
        })
    }
}

fn header_for(url: &str, token: &str, token_secret: &str, nonce: &str, timestamp: u64) -> String {
    let client = ClientCredentials::new("client", "client secret");
    let token = TokenCredentials::new(token, token_secret);
    Signer::new(&client)
        .token(&token)
        .signature_method(SignatureMethod::HmacSha1)
        .timestamp(timestamp)
        .nonce(nonce)
        .sign(&Request::get(url))
        .unwrap()
        .to_authorization()
        .as_str()
        .to_owned()
}

async fn get(addr: SocketAddr, target: &'static str, authorization: String) -> common::Response {
    tokio::task::spawn_blocking(move || {
        common::send(
            addr,
            "GET",
            target,
            &[("Authorization", authorization.as_str())],
            b"",
        )
    })
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn async_stores_are_asked_only_for_what_passed_the_checks_before() {
    let database = Arc::new(Database::default());
    let nonces = Shared::new();
    let layer = VerifyLayer::new(Db(Arc::clone(&database)))
        .clock(FixedClock(NOW))
        .shared_nonce_store(Arc::clone(&nonces));
    let (addr, server) = common::photos_behind(layer).await;
    let url = format!("http://{addr}/photos");
    let header =
        |nonce: &str, timestamp: u64| header_for(&url, "token", "token secret", nonce, timestamp);
    let asked = || {
        (
            database.lookups.load(Ordering::SeqCst),
            nonces.asked.load(Ordering::SeqCst),
        )
    };

    // Stale, and malformed: refused before any store is asked.
    let stale = get(addr, "/photos", header("a", NOW - 301)).await;
    assert_eq!(stale.status, 401);
    let malformed = get(addr, "/photos", "OAuth oauth_consumer_key=\"client".into()).await;
    assert_eq!(malformed.status, 400);
    assert_eq!(asked(), (0, 0));

    // Good: two lookups, one nonce.
    let good = header("b", NOW);
    let ok = get(addr, "/photos", good.clone()).await;
    assert_eq!((ok.status, ok.body.as_str()), (200, "client token"));
    assert_eq!(asked(), (2, 1));

    // A wrong signature is looked up (the same work as a good one) but never uses a nonce.
    let forged = header("c", NOW).replace("oauth_signature=\"", "oauth_signature=\"x");
    let refused = get(addr, "/photos", forged).await;
    assert_eq!(
        (refused.status, refused.body.as_str()),
        (401, "Invalid signature.")
    );
    assert_eq!(asked(), (4, 1));

    // The replay reaches the nonce store, which says so.
    let replay = get(addr, "/photos", good).await;
    assert_eq!(
        (replay.status, replay.body.as_str()),
        (401, "Nonce already used.")
    );
    assert_eq!(asked(), (6, 2));

    // Timestamps ahead: a minute at most, by default.
    assert_eq!(
        get(addr, "/photos", header("d", NOW + 60)).await.status,
        200
    );
    let ahead = get(addr, "/photos", header("e", NOW + 61)).await;
    assert_eq!(ahead.status, 401);
    server.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_that_cannot_answer_refuses_with_503_and_never_accepts() {
    let database = Arc::new(Database::default());
    let nonces = Shared::new();
    let reasons = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&reasons);
    let layer = VerifyLayer::new(Db(Arc::clone(&database)))
        .clock(FixedClock(NOW))
        .shared_nonce_store(Arc::clone(&nonces))
        .on_reject(move |rejection, _| log.lock().unwrap().push(rejection.to_string()));
    let (addr, server) = common::photos_behind(layer).await;
    let url = format!("http://{addr}/photos");
    let header = |nonce: &str| header_for(&url, "token", "token secret", nonce, NOW);

    database.down.store(true, Ordering::SeqCst);
    let secrets_down = get(addr, "/photos", header("a")).await;
    database.down.store(false, Ordering::SeqCst);
    nonces.down.store(true, Ordering::SeqCst);
    let nonces_down = get(addr, "/photos", header("a")).await;
    nonces.down.store(false, Ordering::SeqCst);
    for refused in [&secrets_down, &nonces_down] {
        assert_eq!(refused.status, 503, "{refused:?}");
        assert_eq!(refused.header("retry-after"), Some("1"));
        assert_eq!(
            refused.body,
            "Service temporarily unavailable; try again later."
        );
    }
    assert_eq!(
        *reasons.lock().unwrap(),
        ["a store (of secrets or of nonces) could not be reached (consumer key \"client\", token \"token\")";
            2]
    );
    // The request was never served, so it was never recorded: it goes through now.
    assert_eq!(get(addr, "/photos", header("a")).await.status, 200);
    server.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_token_cannot_fill_the_nonce_store_for_the_others() {
    let nonces = Shared::new();
    let layer = VerifyLayer::new(Db(Arc::default()))
        .clock(FixedClock(NOW))
        .shared_nonce_store(Arc::clone(&nonces));
    let (addr, server) = common::photos_behind(layer).await;
    let url = format!("http://{addr}/photos");
    let mut statuses = Vec::new();
    for i in 0..7 {
        let header = header_for(&url, "flood", "flood secret", &format!("f{i}"), NOW);
        let response = get(addr, "/photos", header).await;
        if response.status == 429 {
            assert_eq!(response.header("retry-after"), Some("1"));
        }
        statuses.push(response.status);
    }
    assert_eq!(statuses, [200, 200, 200, 200, 200, 429, 429]);
    let other = header_for(&url, "token", "token secret", "f0", NOW);
    assert_eq!(get(addr, "/photos", other).await.status, 200);
    server.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn behind_a_proxy_the_public_url_is_the_one_verified() {
    // The client signs the public URL; the proxy forwards `/photos?size=large` to the server.
    let public = "https://api.example.com/v1/photos?size=large";
    let lookup = countersign::verify::lookup_fn(
        |key: &str| (key == "client").then(|| Secret::new("client secret")),
        |_: &str, token: &str| (token == "token").then(|| Secret::new("token secret")),
    );
    let direct = VerifyLayer::new(lookup).clock(FixedClock(NOW));
    let behind = direct
        .clone()
        .public_url("https://api.example.com/v1/".parse::<PublicUrl>().unwrap());
    let (direct_addr, direct_server) = common::photos_behind(direct).await;
    let (behind_addr, behind_server) = common::photos_behind(behind).await;
    let header = |nonce: &str| header_for(public, "token", "token secret", nonce, NOW);

    let unaware = get(direct_addr, "/photos?size=large", header("a")).await;
    assert_eq!(
        (unaware.status, unaware.body.as_str()),
        (401, "Invalid signature.")
    );
    let aware = get(behind_addr, "/photos?size=large", header("b")).await;
    assert_eq!((aware.status, aware.body.as_str()), (200, "client token"));
    direct_server.abort();
    behind_server.abort();

    for bad in [
        "api.example.com",
        "/v1",
        "ftp://api.example.com",
        "https://api.example.com/?x=1",
        "https://api.example.com/#x",
        "https://user:pass@api.example.com",
        "https://",
        "",
    ] {
        let error = bad.parse::<PublicUrl>().unwrap_err();
        assert!(
            error.to_string().contains("https://api.example.com"),
            "{bad}: {error}"
        );
    }
    assert_eq!(
        "http://127.0.0.1:8080"
            .parse::<PublicUrl>()
            .unwrap()
            .to_string(),
        "http://127.0.0.1:8080"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_verifier_policies_apply_through_the_layer() {
    // PLAINTEXT without timestamp and nonce (RFC 5849 section 3.3 allows it), only when allowed.
    let lookup = || {
        countersign::verify::lookup_fn(
            |key: &str| (key == "client").then(|| Secret::new("client secret")),
            |_: &str, _: &str| None,
        )
    };
    let bare = "OAuth oauth_consumer_key=\"client\", oauth_signature_method=\"PLAINTEXT\", oauth_signature=\"client%2520secret%26\"";
    let strict = VerifyLayer::new(lookup()).clock(FixedClock(NOW));
    let lenient = VerifyLayer::new(lookup())
        .clock(FixedClock(NOW))
        .verifier(Verifier::new().allow_plaintext_without_timestamp(true));
    let (strict_addr, strict_server) = common::photos_behind(strict).await;
    let (lenient_addr, lenient_server) = common::photos_behind(lenient).await;
    let refused = get(strict_addr, "/photos", bare.into()).await;
    assert_eq!(
        (refused.status, refused.body.as_str()),
        (400, "Parameter not found: oauth_timestamp")
    );
    let accepted = get(lenient_addr, "/photos", bare.into()).await;
    assert_eq!((accepted.status, accepted.body.as_str()), (200, "client -"));
    strict_server.abort();
    lenient_server.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forwarding_headers_count_from_trusted_proxies_only() {
    use axum::extract::ConnectInfo;
    use std::net::IpAddr;

    // The client signed https://api.example.com/photos; the proxy (here, the test itself on
    // 127.0.0.1) forwards it as http://127.0.0.1:<port>/photos and says so.
    let public = "https://api.example.com/photos";
    let lookup = || {
        countersign::verify::lookup_fn(
            |key: &str| (key == "client").then(|| Secret::new("client secret")),
            |_: &str, token: &str| (token == "token").then(|| Secret::new("token secret")),
        )
    };
    let peer = |parts: &http::request::Parts| {
        parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|info| info.0.ip())
    };
    let trusting = VerifyLayer::new(lookup())
        .clock(FixedClock(NOW))
        .trust_forwarded([IpAddr::from([127, 0, 0, 1])], peer);
    let distrusting = VerifyLayer::new(lookup())
        .clock(FixedClock(NOW))
        .trust_forwarded([IpAddr::from([10, 0, 0, 1])], peer);
    let (trusting_addr, trusting_task) = common::photos_behind(trusting).await;
    let (other_addr, other_task) = common::photos_behind(distrusting).await;

    let send = |addr: SocketAddr, nonce: &'static str, forwarded: (&'static str, &'static str)| {
        let header = header_for(public, "token", "token secret", nonce, NOW);
        tokio::task::spawn_blocking(move || {
            common::send(
                addr,
                "GET",
                "/photos",
                &[("Authorization", header.as_str()), forwarded],
                b"",
            )
        })
    };
    let rfc7239 = (
        "Forwarded",
        "for=192.0.2.60;proto=https;host=api.example.com",
    );
    let legacy = ("X-Forwarded-Proto", "https");
    let ok = send(trusting_addr, "a", rfc7239).await.unwrap();
    assert_eq!((ok.status, ok.body.as_str()), (200, "client token"));
    // X-Forwarded-Proto alone keeps the Host received: not the URL signed.
    let wrong_host = send(trusting_addr, "b", legacy).await.unwrap();
    assert_eq!(wrong_host.status, 401);
    // From an address that is not listed, the same headers are ignored.
    let ignored = send(other_addr, "c", rfc7239).await.unwrap();
    assert_eq!(
        (ignored.status, ignored.body.as_str()),
        (401, "Invalid signature.")
    );
    trusting_task.abort();
    other_task.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_hash_is_checked_against_the_body_the_handler_gets() {
    use countersign::signature::BodyHash;

    let lookup = countersign::verify::lookup_fn(
        |key: &str| (key == "client").then(|| Secret::new("client secret")),
        |_: &str, token: &str| (token == "token").then(|| Secret::new("token secret")),
    );
    let app: Router = Router::new()
        .route(
            "/outcomes",
            axum::routing::post(
                |Extension(who): Extension<Verified>, body: axum::body::Bytes| async move {
                    let hash = who.extension("oauth_body_hash").is_some();
                    format!("{hash} {}", String::from_utf8_lossy(&body))
                },
            ),
        )
        .layer(VerifyLayer::new(lookup).clock(FixedClock(NOW)));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let url = format!("http://{addr}/outcomes");
    let body = br#"{"score": 0.92}"#;
    let post = |nonce: &str, sent: &'static [u8]| {
        let client = ClientCredentials::new("client", "client secret");
        let token = TokenCredentials::new("token", "token secret");
        let method = SignatureMethod::HmacSha256;
        let hash = BodyHash::new(method, body).unwrap();
        let header = Signer::new(&client)
            .token(&token)
            .signature_method(method)
            .body_hash(&hash)
            .timestamp(NOW)
            .nonce(nonce)
            .sign(&Request::post(&url).with_body(body))
            .unwrap()
            .to_authorization()
            .as_str()
            .to_owned();
        tokio::task::spawn_blocking(move || {
            common::send(
                addr,
                "POST",
                "/outcomes",
                &[
                    ("Authorization", header.as_str()),
                    ("Content-Type", "application/json"),
                ],
                sent,
            )
        })
    };
    let ok = post("a", body).await.unwrap();
    assert_eq!(
        (ok.status, ok.body.as_str()),
        (200, r#"true {"score": 0.92}"#)
    );
    let tampered = post("b", br#"{"score": 1.00}"#).await.unwrap();
    assert_eq!(
        (tampered.status, tampered.body.as_str()),
        (401, "Body hash does not match the body.")
    );
    server.abort();
}
