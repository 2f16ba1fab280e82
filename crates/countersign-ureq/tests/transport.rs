//! What goes on the wire, over real loopback TCP: the raw request of a bodiless POST, and the
//! proxy that loopback destinations never go through.

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::Duration;

use common::canned::{Answer, Canned};

use countersign_provider::{DEFAULT_CONSUMER_KEY, DEFAULT_CONSUMER_SECRET, LocalProvider};
use countersign_ureq::countersign::ClientCredentials;
use countersign_ureq::countersign::discogs::{DiscogsAuth, Placement};
use countersign_ureq::countersign::flow::{CallbackMode, ProviderConfig};
use countersign_ureq::{Authenticator, Client, agent, ureq};

#[test]
fn loopback_providers_are_never_reached_through_a_proxy() {
    // A proxy that records what reaches it and refuses it all (502).
    let proxy = Canned::start(|_, _| Answer::new(502, ""));
    let provider = LocalProvider::builder().start_blocking().unwrap();
    // An agent of the caller's own, with a proxy for everything (as ureq's defaults take one
    // from HTTP_PROXY), and PLAINTEXT over http://: the secrets must not reach the proxy.
    let proxied: ureq::Agent = ureq::Agent::config_builder()
        .proxy(Some(ureq::Proxy::new(&proxy.url()).unwrap()))
        .build()
        .into();
    let client = Client::builder(
        ProviderConfig::discogs_at(
            provider.base_url(),
            provider.base_url(),
            "CountersignTests/1.0",
        ),
        ClientCredentials::new(DEFAULT_CONSUMER_KEY, DEFAULT_CONSUMER_SECRET),
    )
    .agent(proxied.clone())
    .build();
    let pending = client
        .request_token(CallbackMode::OutOfBand)
        .expect("the provider answers directly");
    assert!(!pending.request_token().is_empty());

    // Authenticator::send, the Discogs key/secret mode in the query.
    let auth = Authenticator::new(DiscogsAuth::KeySecret(ClientCredentials::new(
        DEFAULT_CONSUMER_KEY,
        DEFAULT_CONSUMER_SECRET,
    )))
    .placement(Placement::Query)
    .user_agent("CountersignTests/1.0");
    let request = http::Request::get(provider.url("/database/search?q=x"))
        .body(())
        .unwrap();
    let answer = auth.send(&proxied, request).unwrap();
    assert_eq!(answer.status(), 200);
    assert!(proxy.received().is_empty(), "{:?}", proxy.received());

    // The proxy is still there for other hosts (it answers 502 itself; no name is resolved).
    let request = http::Request::get("http://countersign-test.invalid/x")
        .body(())
        .unwrap();
    let _ = Authenticator::new(DiscogsAuth::None).send(&proxied, request);
    let seen = proxy.received();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert!(
        seen[0].target.contains("countersign-test.invalid"),
        "{seen:?}"
    );
}

/// Accepts one connection, answers 200 with an empty body, and returns every byte the client
/// sent (the head, and whatever came after it within a moment).
fn capture_one(listener: TcpListener) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        stream
            .set_read_timeout(Some(Duration::from_millis(300)))
            .unwrap();
        let mut seen = Vec::new();
        let mut buf = [0_u8; 4096];
        loop {
            match stream.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => seen.extend_from_slice(&buf[..n]),
                Err(_) => {
                    if seen.windows(4).any(|w| w == b"\r\n\r\n") {
                        break;
                    }
                }
            }
        }
        let _ =
            stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        seen
    })
}

#[test]
fn a_bodiless_post_goes_with_content_length_0_and_no_chunks() {
    let auth = Authenticator::new(DiscogsAuth::KeySecret(ClientCredentials::new("k", "s")))
        .user_agent("CountersignTests/1.0");
    for (method, length) in [
        ("POST", Some("0")),
        ("PUT", Some("0")),
        ("GET", None),
        ("DELETE", None),
    ] {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/x", listener.local_addr().unwrap());
        let server = capture_one(listener);
        let request = http::Request::builder()
            .method(method)
            .uri(&url)
            .body(())
            .unwrap();
        let response = auth.send(&agent(), request).unwrap();
        assert_eq!(response.status(), 200);
        let raw = String::from_utf8(server.join().unwrap()).unwrap();
        let (head, after) = raw.split_once("\r\n\r\n").unwrap();
        let head = head.to_ascii_lowercase();
        assert!(!head.contains("transfer-encoding"), "{method}: {raw:?}");
        assert_eq!(after, "", "{method}: {raw:?}");
        let sent_length = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .map(str::trim);
        assert_eq!(sent_length, length, "{method}: {raw:?}");
    }
}
