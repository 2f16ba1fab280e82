//! `RedisNonceStore` against a real `redis-server` (started by the test on a free loopback port):
//! two instances of a provider that share one Redis refuse a request replayed from one to the
//! other, where two with their own memory would each accept it; Redis down means 503, never an
//! unchecked request.

mod common;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use countersign::clock::FixedClock;
use countersign::verify::lookup_fn;
use countersign::{ClientCredentials, Request, Secret, SignatureMethod, Signer, TokenCredentials};
use countersign_provider::{RedisNonceStore, VerifyLayer};
use countersign_test_support::redis::RedisServer;

const NOW: u64 = 1_700_000_000;

fn layer() -> VerifyLayer {
    let secrets = lookup_fn(
        |key: &str| (key == "client").then(|| Secret::new("client secret")),
        |key: &str, token: &str| {
            (key == "client" && token == "token").then(|| Secret::new("token secret"))
        },
    );
    VerifyLayer::new(secrets).clock(FixedClock(NOW))
}

/// A header signed (HMAC-SHA1) for `/photos` on whatever host: the instances verify
/// `http://<Host>/photos`, so the test signs against a fixed public URL they are both told.
fn header(nonce: &str) -> String {
    let client = ClientCredentials::new("client", "client secret");
    let token = TokenCredentials::new("token", "token secret");
    Signer::new(&client)
        .token(&token)
        .signature_method(SignatureMethod::HmacSha1)
        .timestamp(NOW)
        .nonce(nonce)
        .sign(&Request::get("https://api.example.com/photos"))
        .unwrap()
        .to_authorization()
        .as_str()
        .to_owned()
}

async fn get(addr: SocketAddr, authorization: String) -> common::Response {
    tokio::task::spawn_blocking(move || {
        common::send(
            addr,
            "GET",
            "/photos",
            &[("Authorization", &authorization)],
            b"",
        )
    })
    .await
    .unwrap()
}

fn public(layer: VerifyLayer) -> VerifyLayer {
    layer.public_url("https://api.example.com".parse().unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_sharing_one_redis_refuse_a_replay_from_one_to_the_other() {
    let redis = RedisServer::start();
    let shared = |prefix: &'static str| {
        let url = redis.url();
        async move {
            let store = RedisNonceStore::connect(&url)
                .await
                .unwrap()
                .key_prefix(prefix);
            public(layer()).shared_nonce_store(store)
        }
    };
    let (a, a_task) = common::photos_behind(shared("replay-test:").await).await;
    let (b, b_task) = common::photos_behind(shared("replay-test:").await).await;

    let request = header("once");
    let first = get(a, request.clone()).await;
    assert_eq!((first.status, first.body.as_str()), (200, "client token"));
    let replayed = get(b, request.clone()).await;
    assert_eq!(
        (replayed.status, replayed.body.as_str()),
        (401, "Nonce already used."),
        "the other instance must refuse the replay"
    );
    assert_eq!(get(a, request).await.status, 401);
    // A fresh nonce goes through either.
    assert_eq!(get(b, header("twice")).await.status, 200);

    // Without Redis, each instance remembers only its own nonces: the replay gets in.
    let (c, c_task) = common::photos_behind(public(layer())).await;
    let (d, d_task) = common::photos_behind(public(layer())).await;
    let request = header("alone");
    assert_eq!(get(c, request.clone()).await.status, 200);
    assert_eq!(
        get(d, request).await.status,
        200,
        "no shared store: accepted twice"
    );

    for task in [a_task, b_task, c_task, d_task] {
        task.abort();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nonces_are_one_fixed_length_key_each_that_redis_forgets_after_the_lifetime() {
    let redis = RedisServer::start();
    let store = RedisNonceStore::connect(&redis.url())
        .await
        .unwrap()
        .key_prefix("ttl-test:")
        .lifetime(Duration::from_secs(360));
    let (addr, task) = common::photos_behind(public(layer()).shared_nonce_store(store)).await;
    for nonce in ["a", "b", "c"] {
        assert_eq!(get(addr, header(nonce)).await.status, 200);
    }
    // Read what was written, with the redis crate directly.
    let client = redis::Client::open(redis.url()).unwrap();
    let mut connection = client.get_multiplexed_async_connection().await.unwrap();
    let mut keys: Vec<String> = redis::cmd("KEYS")
        .arg("ttl-test:*")
        .query_async(&mut connection)
        .await
        .unwrap();
    keys.sort();
    // The token's count, and one key per nonce.
    let (quota, keys): (Vec<String>, Vec<String>) = keys
        .into_iter()
        .partition(|k| k.starts_with("ttl-test:quota:"));
    assert_eq!(quota.len(), 1, "{quota:?}");
    let count: i64 = redis::cmd("GET")
        .arg(&quota[0])
        .query_async(&mut connection)
        .await
        .unwrap();
    assert_eq!(count, 3);
    assert_eq!(keys.len(), 3, "{keys:?}");
    for key in &keys {
        assert_eq!(key.len(), "ttl-test:".len() + 64, "{key}");
        let ttl: i64 = redis::cmd("PTTL")
            .arg(key)
            .query_async(&mut connection)
            .await
            .unwrap();
        assert!((350_000..=360_000).contains(&ttl), "{key}: {ttl} ms");
    }
    task.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn when_redis_is_down_requests_are_refused_with_503_never_accepted() {
    let mut redis = RedisServer::start();
    let store = RedisNonceStore::connect(&redis.url())
        .await
        .unwrap()
        .timeout(Duration::from_millis(500));
    let (addr, task) = common::photos_behind(public(layer()).shared_nonce_store(store)).await;
    assert_eq!(get(addr, header("up")).await.status, 200);

    redis.stop();
    for nonce in ["down-1", "down-2"] {
        let started = Instant::now();
        let refused = get(addr, header(nonce)).await;
        assert_eq!(refused.status, 503, "{refused:?}");
        assert_eq!(refused.header("retry-after"), Some("1"));
        assert_eq!(
            refused.body,
            "Service temporarily unavailable; try again later."
        );
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{:?}",
            started.elapsed()
        );
    }
    task.abort();

    // Nor can a store be made without a Redis to talk to; the error does not repeat the URL,
    // which may hold a password.
    let error = RedisNonceStore::connect("redis://:hunter2@127.0.0.1:1")
        .await
        .unwrap_err();
    let message = error.to_string();
    assert!(
        message.starts_with("the store could not answer: "),
        "{message}"
    );
    assert!(!message.contains("hunter2"), "{message}");
    let error = RedisNonceStore::connect("not a url").await.unwrap_err();
    assert!(!error.to_string().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_token_records_at_most_its_quota_of_nonces() {
    let redis = RedisServer::start();
    let store = RedisNonceStore::connect(&redis.url())
        .await
        .unwrap()
        .key_prefix("quota-test:")
        .token_quota(3);
    let (addr, task) = common::photos_behind(public(layer()).shared_nonce_store(store)).await;
    let mut statuses = Vec::new();
    for nonce in ["q1", "q2", "q3", "q4", "q5"] {
        statuses.push(get(addr, header(nonce)).await.status);
    }
    assert_eq!(statuses, [200, 200, 200, 429, 429]);
    // A replay is still a replay, and does not count.
    let replay = get(addr, header("q1")).await;
    assert_eq!(
        (replay.status, replay.body.as_str()),
        (401, "Nonce already used.")
    );
    let refused = get(addr, header("q6")).await;
    assert_eq!(refused.status, 429);
    assert_eq!(refused.header("retry-after"), Some("1"));
    assert_eq!(refused.body, "Too many requests; try again later.");
    task.abort();
}
