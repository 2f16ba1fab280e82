//! The local provider under hostile or unusual traffic, over loopback TCP: each test here failed
//! before the provider answered in steps (cheap refusals first, the nonce recorded last and only
//! for a request that will be served).

mod common;

use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream};

use common::{Extra, T0, default_client, send, start_with};
use countersign::{ClientCredentials, Request, SignatureMethod, Signer};
use countersign_provider::{Consumer, RateLimit, User};

/// One token holder sends far more than its rate limit. Before, every request recorded its
/// nonce before the rate check: the store filled and every user of the consumer, and every new
/// login, was refused with 503 until the nonces left the window (five minutes and more).
#[test]
fn a_flood_from_one_token_does_not_lock_out_the_consumer_after_its_minute() {
    let provider = start_with(|b| {
        b.auto_approve(true)
            .nonce_capacity(100)
            .rate_limit(RateLimit::per_minute(60, 1000))
            .user(User::new(1, "flooder"))
    });
    let client = default_client();
    let access = provider.flow(&client, "oob");
    let mut statuses = [0_usize; 2];
    for _ in 0..150 {
        let response = provider.get("/oauth/identity", &client, &access);
        match response.status {
            200 => statuses[0] += 1,
            429 => statuses[1] += 1,
            other => panic!("{other}: {response:?}"),
        }
    }
    // The flow took 2 of the consumer's 60 (request and access token).
    assert_eq!(statuses, [58, 92]);
    // A minute later the consumer's limit has passed; its nonces did not fill the store.
    provider.clock.advance(61);
    let temporary = provider.request_token(&client, "oob");
    assert_eq!(temporary.status, 200, "a new login: {temporary:?}");
    let again = provider.get("/oauth/identity", &client, &access);
    assert_eq!(again.status, 200, "{again:?}");
}

/// A request answered 429 never reached the nonce store: the same request is served once the
/// client is under its limit again (before, it was a replay).
#[test]
fn a_request_refused_for_its_rate_does_not_use_up_its_nonce() {
    let provider = start_with(|b| {
        b.auto_approve(true)
            .rate_limit(RateLimit::per_minute(4, 1000))
    });
    let client = default_client();
    let access = provider.flow(&client, "oob");
    assert_eq!(
        provider.get("/oauth/identity", &client, &access).status,
        200
    );
    assert_eq!(
        provider.get("/oauth/identity", &client, &access).status,
        200
    );
    let header = provider.oauth(
        "GET",
        "/oauth/identity",
        &client,
        Some(&access),
        Extra::default(),
    );
    let refused = provider.call("GET", "/oauth/identity", Some(&header));
    assert_eq!(refused.status, 429, "{refused:?}");
    assert!(refused.header("retry-after").is_some());
    provider.clock.advance(60);
    let served = provider.call("GET", "/oauth/identity", Some(&header));
    assert_eq!(served.status, 200, "{served:?}");
    let replayed = provider.call("GET", "/oauth/identity", Some(&header));
    assert_eq!(replayed.status, 401);
}

/// One token cannot take the whole nonce store, whatever the rate limit: past its share it is
/// answered 429 while the consumer's other tokens, and other consumers, still get in.
#[test]
fn one_token_holds_at_most_its_share_of_the_nonce_store() {
    let other = ClientCredentials::new("other-key", "other secret");
    let provider = start_with(|b| {
        b.auto_approve(true)
            .nonce_capacity(16_000)
            .rate_limit(RateLimit::per_minute(100_000, 100_000))
            .consumer(Consumer::new(
                common::default_client().key(),
                countersign_provider::DEFAULT_CONSUMER_SECRET,
                "app",
            ))
            .consumer(Consumer::new("other-key", "other secret", "other app"))
    });
    let client = default_client();
    let access = provider.flow(&client, "oob");
    let mut served = 0;
    let mut refusal = None;
    for _ in 0..1100 {
        let response = provider.get("/oauth/identity", &client, &access);
        if response.status == 200 {
            served += 1;
        } else {
            refusal = Some(response);
            break;
        }
    }
    // A sixteenth of 16,000.
    assert_eq!(served, 1000);
    let refusal = refusal.expect("refused past its share");
    assert_eq!(refusal.status, 429, "{refusal:?}");
    assert!(refusal.header("retry-after").is_some());
    assert!(
        provider
            .last_reason()
            .contains("as many nonces as the store allows")
    );
    // The same consumer with another token, and another consumer, still get in.
    let second = provider.flow(&client, "oob");
    assert_eq!(
        provider.get("/oauth/identity", &client, &second).status,
        200
    );
    let theirs = provider.flow(&other, "oob");
    assert_eq!(provider.get("/oauth/identity", &other, &theirs).status, 200);
}

/// A full nonce store asks the client to come back (503 with `Retry-After`).
#[test]
fn a_full_nonce_store_says_when_to_retry() {
    let provider = start_with(|b| b.auto_approve(true).nonce_capacity(3));
    let client = default_client();
    // The flow records two nonces (request and access token); the identity call the third.
    let access = provider.flow(&client, "oob");
    assert_eq!(
        provider.get("/oauth/identity", &client, &access).status,
        200
    );
    let full = provider.get("/oauth/identity", &client, &access);
    assert_eq!(full.status, 503, "{full:?}");
    assert_eq!(full.header("retry-after"), Some("1"));
}

/// An address that has used up its budget of refused requests is answered 429 at once, before
/// any signature is computed, even for a request that would verify; a minute later it is
/// served again.
#[test]
fn an_address_over_its_refusals_is_refused_before_verification() {
    // The authorize page of the flow uses one of the address's six.
    let provider = start_with(|b| {
        b.auto_approve(true)
            .rate_limit(RateLimit::per_minute(60, 6))
    });
    let client = default_client();
    let access = provider.flow(&client, "oob");
    let wrong = ClientCredentials::new(client.key(), "wrong secret");
    for _ in 0..5 {
        assert_eq!(provider.get("/oauth/identity", &wrong, &access).status, 401);
    }
    let good = provider.get("/oauth/identity", &client, &access);
    assert_eq!(good.status, 429, "{good:?}");
    assert!(good.header("retry-after").is_some());
    provider.clock.advance(60);
    assert_eq!(
        provider.get("/oauth/identity", &client, &access).status,
        200
    );
}

/// A body cut short is a bad request, not one too large.
#[test]
fn a_truncated_body_is_400_not_413() {
    let provider = start_with(|b| b);
    let mut stream = TcpStream::connect(provider.addr()).unwrap();
    let head = format!(
        "POST /oauth/request_token HTTP/1.1\r\nHost: {}\r\nUser-Agent: t/1\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nshort",
        provider.addr()
    );
    stream.write_all(head.as_bytes()).unwrap();
    stream.shutdown(Shutdown::Write).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    // The server may not answer at all once the client has closed its half; if it does, it is
    // a 400.
    if !answer.is_empty() {
        assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
        assert!(
            answer.contains("Could not read the request body."),
            "{answer}"
        );
    }
    let reasons = provider.reasons();
    assert_eq!(reasons, ["400 the body was cut short or badly chunked"]);
}

/// The token endpoints answer every error in plain text, 405 included; a signed HEAD does not
/// create a request token.
#[test]
fn token_endpoints_answer_405_in_text_and_head_creates_nothing() {
    let provider = start_with(|b| b);
    let client = default_client();
    for path in ["/oauth/request_token", "/oauth/access_token"] {
        let response = provider.call("PUT", path, None);
        assert_eq!(response.status, 405, "{response:?}");
        assert_eq!(
            response.header("content-type"),
            Some("text/plain; charset=utf-8")
        );
        assert_eq!(response.body, "Method not allowed.");
    }
    let json = provider.call("PUT", "/oauth/identity", None);
    assert_eq!(json.header("content-type"), Some("application/json"));

    // A HEAD answer has no body: read the status line only.
    let header = provider.oauth(
        "HEAD",
        "/oauth/request_token",
        &client,
        None,
        Extra::default(),
    );
    let mut stream = TcpStream::connect(provider.addr()).unwrap();
    let head = format!(
        "HEAD /oauth/request_token HTTP/1.1\r\nHost: {}\r\nUser-Agent: t/1\r\n\
         Authorization: {header}\r\nConnection: close\r\n\r\n",
        provider.addr()
    );
    stream.write_all(head.as_bytes()).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 405"), "{answer}");
    assert_eq!(
        provider.last_reason(),
        "405 method not allowed on this resource"
    );
}

/// A flood of refusals reaches the log hook at most 20 times a second; the next one reported
/// says how many were left out.
#[test]
fn the_refusal_log_is_rate_limited() {
    let provider = start_with(|b| b.rate_limit(RateLimit::per_minute(60, 100_000)));
    for _ in 0..100 {
        assert_eq!(provider.call("GET", "/nowhere", None).status, 404);
    }
    assert_eq!(provider.refusals.lock().unwrap().len(), 20);
    provider.clock.advance(1);
    assert_eq!(provider.call("GET", "/nowhere", None).status, 404);
    let refusals = provider.refusals.lock().unwrap();
    assert_eq!(refusals.len(), 21);
    assert_eq!(refusals[20].suppressed, 80);
    assert_eq!(
        refusals[20].to_string(),
        "404 GET /nowhere: no such resource (80 refusals before this one not reported)"
    );
    assert_eq!(refusals[19].suppressed, 0);
}

/// A signed `POST /oauth/request_token` with `header` and one more header, and `body`.
fn request_token(
    provider: &common::Provider,
    header: &str,
    extra: (&str, &str),
    body: &[u8],
) -> common::Response {
    send(
        provider.addr(),
        "POST",
        "/oauth/request_token",
        &[("User-Agent", "t/1"), ("Authorization", header), extra],
        body,
    )
}

/// The official Discogs Python client sends `oauth_callback` in the form body and the rest in
/// the header; Discogs accepts it, and so does the local provider (not in strict mode).
#[test]
fn protocol_parameters_split_between_header_and_body() {
    for (strict, expected) in [(false, 200), (true, 400)] {
        let provider = start_with(|b| b.strict(strict));
        let url = provider.handle.url("/oauth/request_token");
        let body = "oauth_callback=oob";
        let request = Request::post(&url).with_form_body(body.as_bytes());
        for method in [SignatureMethod::Plaintext, SignatureMethod::HmacSha1] {
            let header = Signer::new(&default_client())
                .signature_method(method)
                .timestamp(T0)
                .nonce(&provider.fresh_nonce())
                .sign(&request)
                .unwrap()
                .to_authorization();
            let response = request_token(
                &provider,
                header.as_str(),
                ("Content-Type", "application/x-www-form-urlencoded"),
                body.as_bytes(),
            );
            assert_eq!(
                response.status, expected,
                "{strict} {method:?}: {response:?}"
            );
            if expected == 200 {
                assert!(response.body.contains("oauth_callback_confirmed=true"));
            } else {
                assert_eq!(
                    response.body,
                    "OAuth parameters must all travel in one place: the Authorization header, the query or the form body."
                );
            }
        }
    }
}

/// RFC 5849 section 3.3 lets PLAINTEXT leave out `oauth_timestamp` and `oauth_nonce`.
#[test]
fn plaintext_without_timestamp_and_nonce() {
    for (strict, expected) in [(false, 200), (true, 400)] {
        let provider = start_with(|b| b.strict(strict));
        let header = "OAuth oauth_consumer_key=\"countersign-local-key\", oauth_signature_method=\"PLAINTEXT\", oauth_callback=\"oob\", oauth_signature=\"countersign-local-secret%26\"";
        let response = provider.call("POST", "/oauth/request_token", Some(header));
        assert_eq!(response.status, expected, "strict {strict}: {response:?}");
    }
}

/// Behind a reverse proxy, the client signs the public URL; the provider verifies against it
/// and hands it out as its realm.
#[test]
fn behind_a_reverse_proxy_the_public_url_is_verified() {
    let public: countersign_provider::PublicUrl = "https://discogs.example/api".parse().unwrap();
    let provider = start_with(|b| b.public_url(public));
    let url = "https://discogs.example/api/oauth/request_token";
    let header = Signer::new(&default_client())
        .signature_method(SignatureMethod::HmacSha1)
        .callback("oob")
        .timestamp(T0)
        .nonce("proxied")
        .sign(&Request::post(url))
        .unwrap()
        .to_authorization();
    let response = provider.call("POST", "/oauth/request_token", Some(header.as_str()));
    assert_eq!(response.status, 200, "{response:?}");
    let unsigned = provider.call("GET", "/oauth/identity", None);
    assert_eq!(
        unsigned.header("www-authenticate"),
        Some("OAuth realm=\"https://discogs.example/api\"")
    );
}

/// Behind a proxy that says where the client went (`X-Forwarded-Proto`, `X-Forwarded-Host`),
/// the provider believes it only when the proxy is one it was told to trust.
#[test]
fn forwarding_headers_from_a_trusted_proxy_only() {
    let url = "https://discogs.example/oauth/request_token";
    for (trusted, expected) in [(true, 200), (false, 401)] {
        let proxies = if trusted {
            vec![std::net::IpAddr::from([127, 0, 0, 1])]
        } else {
            vec![std::net::IpAddr::from([10, 0, 0, 1])]
        };
        let provider = start_with(|b| b.trust_forwarded(proxies));
        let header = Signer::new(&default_client())
            .signature_method(SignatureMethod::HmacSha1)
            .callback("oob")
            .timestamp(T0)
            .nonce("forwarded")
            .sign(&Request::post(url))
            .unwrap()
            .to_authorization();
        let response = send(
            provider.addr(),
            "POST",
            "/oauth/request_token",
            &[
                ("User-Agent", "t/1"),
                ("Authorization", header.as_str()),
                ("X-Forwarded-Proto", "https"),
                ("X-Forwarded-Host", "discogs.example"),
            ],
            b"",
        );
        assert_eq!(response.status, expected, "trusted {trusted}: {response:?}");
    }
}

/// An address over its budget is answered before its body is read: a request that announces a
/// body and never sends it is refused at once, not after the request timeout.
#[test]
fn an_address_over_its_budget_is_refused_before_its_body_is_read() {
    let provider = start_with(|b| b.rate_limit(RateLimit::per_minute(60, 2)));
    for _ in 0..2 {
        assert_eq!(provider.call("GET", "/nowhere", None).status, 404);
    }
    let mut stream = TcpStream::connect(provider.addr()).unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    let head = format!(
        "POST /oauth/request_token HTTP/1.1\r\nHost: {}\r\nUser-Agent: t/1\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 60000\r\n\r\n",
        provider.addr()
    );
    stream.write_all(head.as_bytes()).unwrap();
    let mut answer = [0_u8; 12];
    stream
        .read_exact(&mut answer)
        .expect("an answer without the body being sent");
    assert_eq!(&answer, b"HTTP/1.1 429");
}
