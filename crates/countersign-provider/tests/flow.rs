//! The local provider over real loopback TCP, with raw HTTP/1.1 requests: the three-legged flow
//! and every way it can go wrong.

mod common;

use common::{Extra, T0, default_client, send, send_raw, start_with};
use countersign::{ClientCredentials, TokenCredentials, TokenResponse};
use countersign_provider::{Consumer, RateLimit, User};

const CALLBACK: &str = "http://127.0.0.1:9/cb?state=xyz";

/// The value of a hidden input in the authorize page.
fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker).unwrap_or_else(|| panic!("{html}")) + marker.len();
    let len = html[start..].find('"').unwrap();
    html[start..start + len].to_owned()
}

/// Posts the authorize page's form.
fn decide(
    provider: &common::Provider,
    temporary: &TokenCredentials,
    csrf: &str,
    decision: &str,
) -> common::Response {
    let body = format!(
        "oauth_token={}&csrf={csrf}&decision={decision}",
        temporary.token()
    );
    send(
        provider.addr(),
        "POST",
        "/oauth/authorize",
        &[
            ("User-Agent", "a browser"),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ],
        body.as_bytes(),
    )
}

/// Opens the authorize page and returns its csrf value.
fn open_page(provider: &common::Provider, temporary: &TokenCredentials) -> String {
    let page = provider.call(
        "GET",
        &format!("/oauth/authorize?oauth_token={}", temporary.token()),
        None,
    );
    assert_eq!(page.status, 200, "{page:?}");
    assert_eq!(
        page.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(page.header("x-frame-options"), Some("DENY"));
    assert!(page.body.contains("Authorize countersign local app"));
    assert!(page.body.contains("<strong>example</strong>"));
    assert!(page.body.contains("value=\"approve\""));
    assert!(page.body.contains("value=\"deny\""));
    assert_eq!(hidden(&page.body, "oauth_token"), temporary.token());
    hidden(&page.body, "csrf")
}

#[test]
fn the_full_flow_with_a_callback_url() {
    let provider = start_with(|b| b);
    let client = default_client();

    let response = provider.request_token(&client, CALLBACK);
    assert_eq!(response.status, 200, "{response:?}");
    assert_eq!(
        response.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(response.header("cache-control"), Some("no-store"));
    assert_eq!(response.rate(), (60, 1, 59));
    let temporary = TokenResponse::parse_temporary(response.body.as_bytes())
        .unwrap()
        .into_credentials();
    assert_eq!(temporary.token().len(), 32);
    assert_eq!(temporary.secret().expose_secret().len(), 40);

    let csrf = open_page(&provider, &temporary);
    let approved = decide(&provider, &temporary, &csrf, "approve");
    assert_eq!(approved.status, 302, "{approved:?}");
    let location = approved.header("location").unwrap();
    let prefix = format!(
        "http://127.0.0.1:9/cb?state=xyz&oauth_token={}&oauth_verifier=",
        temporary.token()
    );
    assert!(location.starts_with(&prefix), "{location}");
    let verifier = &location[prefix.len()..];
    assert_eq!(verifier.len(), 24);

    let response = provider.exchange(&client, &temporary, verifier);
    assert_eq!(response.status, 200, "{response:?}");
    assert_eq!(response.rate(), (60, 2, 58));
    let access = TokenResponse::parse(response.body.as_bytes()).unwrap();
    assert_eq!(access.extra().count(), 0, "{}", response.body);
    let access = access.into_credentials();
    assert_ne!(access.token(), temporary.token());

    let identity = provider.get("/oauth/identity", &client, &access);
    assert_eq!(identity.status, 200, "{identity:?}");
    assert_eq!(identity.header("content-type"), Some("application/json"));
    assert_eq!(
        identity.json(),
        serde_json::json!({
            "id": 1,
            "username": "example",
            "resource_url": provider.handle.url("/users/example"),
            "consumer_name": "countersign local app",
        })
    );
    let search = provider.get("/database/search?q=nirvana", &client, &access);
    assert_eq!(search.status, 200, "{search:?}");
    assert_eq!(search.json()["pagination"]["items"], 0);
    assert_eq!(search.rate(), (60, 4, 56));
    assert!(provider.reasons().is_empty(), "{:?}", provider.reasons());
}

#[test]
fn the_out_of_band_flow_shows_the_verifier() {
    let provider = start_with(|b| b);
    let client = default_client();
    let temporary = provider.temporary(&client, "oob");
    let csrf = open_page(&provider, &temporary);
    let page = decide(&provider, &temporary, &csrf, "approve");
    assert_eq!(page.status, 200, "{page:?}");
    assert!(
        page.body
            .contains("Enter this code in <strong>countersign local app</strong>")
    );
    let start = page.body.find("<code id=\"verifier\">").unwrap() + 20;
    let verifier = &page.body[start..start + 24];
    let access = provider.access(&client, &temporary, verifier);
    assert_eq!(
        provider.get("/oauth/identity", &client, &access).status,
        200
    );
}

#[test]
fn automation_mode_approves_at_once() {
    let provider = start_with(|b| b.auto_approve(true));
    let client = default_client();

    // Out of band: the verifier comes back as a form body.
    let temporary = provider.temporary(&client, "oob");
    let response = provider.call(
        "GET",
        &format!("/oauth/authorize?oauth_token={}", temporary.token()),
        None,
    );
    assert_eq!(response.status, 200, "{response:?}");
    assert_eq!(
        response.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    let (token, verifier) = response.body.split_once("&oauth_verifier=").unwrap();
    assert_eq!(token, format!("oauth_token={}", temporary.token()));
    assert_eq!(verifier.len(), 24);
    assert!(verifier.bytes().all(|b| b.is_ascii_alphanumeric()));
    provider.access(&client, &temporary, verifier);

    // With a callback: a redirect.
    let access = provider.flow(&client, CALLBACK);
    assert_eq!(
        provider.get("/oauth/identity", &client, &access).status,
        200
    );

    // No callback at all: out of band, as on Discogs.
    let header = provider.oauth(
        "GET",
        "/oauth/request_token",
        &client,
        None,
        Extra::default(),
    );
    let response = provider.call("GET", "/oauth/request_token", Some(&header));
    assert_eq!(response.status, 200, "{response:?}");
    let temporary = TokenResponse::parse_temporary(response.body.as_bytes())
        .unwrap()
        .into_credentials();
    let verifier = provider.approve(&temporary);
    provider.access(&client, &temporary, &verifier);
}

#[test]
fn deny_redirects_with_denied_and_kills_the_token() {
    let provider = start_with(|b| b);
    let client = default_client();
    let temporary = provider.temporary(&client, CALLBACK);
    let csrf = open_page(&provider, &temporary);
    let denied = decide(&provider, &temporary, &csrf, "deny");
    assert_eq!(denied.status, 302, "{denied:?}");
    assert_eq!(
        denied.header("location"),
        Some(
            format!(
                "http://127.0.0.1:9/cb?state=xyz&denied={}",
                temporary.token()
            )
            .as_str()
        )
    );
    // The page cannot be used again, and there is no verifier to exchange.
    let again = provider.call(
        "GET",
        &format!("/oauth/authorize?oauth_token={}", temporary.token()),
        None,
    );
    assert_eq!(
        (again.status, again.body.as_str()),
        (400, "Invalid or expired token.")
    );
    let response = provider.exchange(&client, &temporary, "guess");
    assert_eq!(response.status, 401, "{response:?}");
    assert_eq!(response.body, "Invalid or expired token.");
    assert_eq!(provider.last_reason(), "401 request token was denied");

    // Out of band: a page says so.
    let temporary = provider.temporary(&client, "oob");
    let csrf = open_page(&provider, &temporary);
    let page = decide(&provider, &temporary, &csrf, "deny");
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("<h1>Access denied</h1>"),
        "{}",
        page.body
    );
}

#[test]
fn the_authorize_form_checks_its_csrf_value() {
    let provider = start_with(|b| b);
    let client = default_client();
    let temporary = provider.temporary(&client, CALLBACK);
    let csrf = open_page(&provider, &temporary);
    let forged = decide(&provider, &temporary, "not-the-value", "approve");
    assert_eq!(forged.status, 403, "{forged:?}");
    assert_eq!(
        provider.last_reason(),
        "403 the authorize form's csrf value does not match"
    );
    // The real form still works.
    assert_eq!(decide(&provider, &temporary, &csrf, "approve").status, 302);
}

#[test]
fn request_tokens_expire_after_fifteen_minutes() {
    let provider = start_with(|b| b.auto_approve(true));
    let client = default_client();

    // Not yet approved when it expires: the page refuses it.
    let late = provider.temporary(&client, "oob");
    provider.clock.advance(15 * 60);
    let page = provider.call(
        "GET",
        &format!("/oauth/authorize?oauth_token={}", late.token()),
        None,
    );
    assert_eq!(
        (page.status, page.body.as_str()),
        (400, "Invalid or expired token.")
    );
    assert_eq!(provider.last_reason(), "400 request token expired");

    // Approved, then exchanged a second before it expires: fine.
    let in_time = provider.temporary(&client, "oob");
    let verifier = provider.approve(&in_time);
    provider.clock.advance(15 * 60 - 1);
    provider.access(&client, &in_time, &verifier);

    // Approved, then exchanged when it has expired: refused.
    let expired = provider.temporary(&client, "oob");
    let verifier = provider.approve(&expired);
    provider.clock.advance(15 * 60);
    let response = provider.exchange(&client, &expired, &verifier);
    assert_eq!(
        (response.status, response.body.as_str()),
        (401, "Invalid or expired token.")
    );
    assert_eq!(
        response.header("www-authenticate"),
        Some(format!("OAuth realm=\"{}\"", provider.handle.base_url()).as_str())
    );
    assert_eq!(provider.last_reason(), "401 request token expired");
}

#[test]
fn verifiers_are_single_use() {
    let provider = start_with(|b| b.auto_approve(true));
    let client = default_client();
    let temporary = provider.temporary(&client, "oob");
    let verifier = provider.approve(&temporary);

    // A wrong verifier is refused and leaves the right one usable.
    let wrong = provider.exchange(&client, &temporary, "wrongwrongwrongwrongwron");
    assert_eq!(
        (wrong.status, wrong.body.as_str()),
        (401, "Invalid verifier.")
    );
    assert_eq!(provider.last_reason(), "401 verifier does not match");
    // A missing one is a bad request.
    let header = provider.oauth(
        "POST",
        "/oauth/access_token",
        &client,
        Some(&temporary),
        Extra::default(),
    );
    let missing = provider.call("POST", "/oauth/access_token", Some(&header));
    assert_eq!(
        (missing.status, missing.body.as_str()),
        (400, "Parameter not found: oauth_verifier")
    );

    provider.access(&client, &temporary, &verifier);
    let again = provider.exchange(&client, &temporary, &verifier);
    assert_eq!(
        (again.status, again.body.as_str()),
        (401, "Invalid or expired token.")
    );
    assert_eq!(
        provider.last_reason(),
        "401 verifier already used: the request token was exchanged before"
    );
}

#[test]
fn a_replayed_nonce_is_refused() {
    let provider = start_with(|b| b.auto_approve(true));
    let client = default_client();
    let access = provider.flow(&client, "oob");
    let header = provider.oauth(
        "GET",
        "/oauth/identity",
        &client,
        Some(&access),
        Extra::default(),
    );
    assert_eq!(
        provider
            .call("GET", "/oauth/identity", Some(&header))
            .status,
        200
    );
    let replay = provider.call("GET", "/oauth/identity", Some(&header));
    assert_eq!(replay.status, 401, "{replay:?}");
    assert_eq!(
        replay.json(),
        serde_json::json!({"message": "Nonce already used."})
    );
    assert_eq!(
        provider.last_reason(),
        format!(
            "401 nonce already used (consumer key \"countersign-local-key\", token \"{}\")",
            access.token()
        )
    );
    // The nonce is remembered only while its timestamp is acceptable: six minutes later the
    // same request is stale.
    provider.clock.advance(301);
    let stale = provider.call("GET", "/oauth/identity", Some(&header));
    assert_eq!(stale.status, 401);
    assert!(
        provider.last_reason().contains("outside the window"),
        "{}",
        provider.last_reason()
    );
}

#[test]
fn stale_timestamps_are_refused_either_way() {
    let provider = start_with(|b| b.auto_approve(true));
    let client = default_client();
    let access = provider.flow(&client, "oob");
    let now = T0;
    // Five minutes behind, but only a minute ahead: a nonce is kept until its timestamp leaves
    // the window, so timestamps far ahead would hold theirs twice as long.
    for (timestamp, status) in [
        (now - 301, 401),
        (now + 61, 401),
        (now + 299, 401),
        (now - 300, 200),
        (now + 60, 200),
    ] {
        let header = provider.oauth(
            "GET",
            "/oauth/identity",
            &client,
            Some(&access),
            Extra {
                timestamp: Some(timestamp),
                ..Extra::default()
            },
        );
        let response = provider.call("GET", "/oauth/identity", Some(&header));
        assert_eq!(response.status, status, "{timestamp}: {response:?}");
        if status == 401 {
            assert_eq!(
                response.json(),
                serde_json::json!({
                    "message": "Invalid timestamp: it must be within a few minutes of the current time."
                })
            );
            assert_eq!(
                response.header("www-authenticate"),
                Some(
                    format!(
                        "OAuth realm=\"{}\", oauth_problem=\"timestamp_refused\", oauth_acceptable_timestamps=\"{}-{}\"",
                        provider.handle.base_url(),
                        now - 300,
                        now + 60
                    )
                    .as_str()
                )
            );
        }
    }
    assert_eq!(
        provider.reasons()[0],
        format!(
            "401 oauth_timestamp 1699999699 is 301 s behind the provider's clock (1700000000), outside the window (consumer key \"countersign-local-key\", token \"{}\")",
            access.token()
        )
    );
}

#[test]
fn bad_credentials_read_invalid_signature_and_an_unknown_token_is_told_apart() {
    let provider = start_with(|b| b.auto_approve(true));
    let client = default_client();
    let access = provider.flow(&client, "oob");

    // Wrong consumer secret, on a token endpoint: text.
    let wrong_secret = ClientCredentials::new(client.key(), "not-the-secret");
    let response = provider.request_token(&wrong_secret, "oob");
    assert_eq!(response.status, 401, "{response:?}");
    assert_eq!(response.body, "Invalid signature.");
    assert_eq!(
        response.header("content-type"),
        Some("text/plain; charset=utf-8")
    );
    assert_eq!(
        response.header("www-authenticate"),
        Some(format!("OAuth realm=\"{}\"", provider.handle.base_url()).as_str())
    );
    assert_eq!(
        provider.last_reason(),
        "401 signature does not match (consumer key \"countersign-local-key\")"
    );

    // Unknown consumer: the same answer, another reason in the log.
    let unknown = ClientCredentials::new("nobody", "whatever");
    let response = provider.request_token(&unknown, "oob");
    assert_eq!(
        (response.status, response.body.as_str()),
        (401, "Invalid signature.")
    );
    assert_eq!(
        provider.last_reason(),
        "401 unknown consumer key (consumer key \"nobody\")"
    );

    // Wrong token secret, on a resource: JSON.
    let wrong_token = TokenCredentials::new(access.token(), "not-the-token-secret");
    let response = provider.get("/oauth/identity", &client, &wrong_token);
    assert_eq!(response.status, 401, "{response:?}");
    assert_eq!(
        response.json(),
        serde_json::json!({"message": "Invalid signature."})
    );
    assert_eq!(
        provider.last_reason(),
        format!(
            "401 signature does not match (consumer key \"countersign-local-key\", token \"{}\")",
            access.token()
        )
    );

    // Unknown token: told apart, with the OAuth Problem Reporting name, so that a client whose
    // token the provider forgot (a restart) knows to log in again. Tokens are random: this
    // tells a guesser nothing.
    let response = provider.get(
        "/oauth/identity",
        &client,
        &TokenCredentials::new("nosuch", "x"),
    );
    assert_eq!(
        response.json(),
        serde_json::json!({"message": "Invalid or expired token."})
    );
    assert_eq!(
        response.header("www-authenticate"),
        Some(
            format!(
                "OAuth realm=\"{}\", oauth_problem=\"token_rejected\"",
                provider.handle.base_url()
            )
            .as_str()
        )
    );
    assert!(
        provider.last_reason().starts_with("401 unknown token"),
        "{}",
        provider.last_reason()
    );

    // No credentials at all.
    let response = provider.call("GET", "/oauth/identity", None);
    assert_eq!(response.status, 401);
    assert_eq!(
        response.json(),
        serde_json::json!({"message": "You must authenticate to access this resource."})
    );
    // None of it showed a secret.
    for reason in provider.reasons() {
        assert!(
            !reason.contains("not-the-secret") && !reason.contains(access.secret().expose_secret())
        );
    }
}

#[test]
fn a_malformed_header_is_a_bad_request_and_the_server_keeps_serving() {
    let provider = start_with(|b| b.auto_approve(true));
    let client = default_client();
    for header in [
        "OAuth oauth_consumer_key=unquoted",
        "OAuth oauth_consumer_key=\"k",
        "OAuth oauth_nonce=\"%zz\"",
    ] {
        let response = provider.call("POST", "/oauth/request_token", Some(header));
        assert_eq!(response.status, 400, "{header}: {response:?}");
        assert_eq!(response.body, "Malformed Authorization header.");
        let response = provider.call("GET", "/oauth/identity", Some(header));
        assert_eq!(response.status, 400);
        assert_eq!(
            response.json(),
            serde_json::json!({"message": "Malformed Authorization header."})
        );
    }
    assert!(
        provider.reasons()[0].starts_with("400 malformed Authorization header at byte 25"),
        "{:?}",
        provider.reasons()
    );
    // Not even HTTP.
    let garbage = send_raw(provider.addr(), b"\x16\x03\x01 hello\r\n\r\n");
    assert_eq!(garbage.status, 400);
    // Still serving.
    let access = provider.flow(&client, CALLBACK);
    assert_eq!(
        provider.get("/oauth/identity", &client, &access).status,
        200
    );
}

#[test]
fn a_duplicated_parameter_is_a_bad_request() {
    let provider = start_with(|b| b);
    let client = default_client();
    let header = provider.oauth(
        "POST",
        "/oauth/request_token",
        &client,
        None,
        Extra {
            callback: Some("oob"),
            nonce: Some("same"),
            ..Extra::default()
        },
    );
    // The same parameter in the header and the query.
    let response = provider.call(
        "POST",
        "/oauth/request_token?oauth_nonce=same",
        Some(&header),
    );
    assert_eq!(
        (response.status, response.body.as_str()),
        (400, "Duplicated parameter: oauth_nonce")
    );
    assert_eq!(
        provider.last_reason(),
        "400 \"oauth_nonce\" appears both in the Authorization header and in the query"
    );
    // Twice in the header.
    let twice = format!("{header}, oauth_callback=\"oob\"");
    let response = provider.call("POST", "/oauth/request_token", Some(&twice));
    assert_eq!(
        (response.status, response.body.as_str()),
        (400, "Duplicated parameter: oauth_callback")
    );
    // Twice in the form body.
    let body = format!(
        "oauth_consumer_key={0}&oauth_signature_method=PLAINTEXT&oauth_timestamp={T0}&oauth_nonce=b1\
         &oauth_signature=countersign-local-secret%26&oauth_consumer_key={0}",
        client.key()
    );
    let response = send(
        provider.addr(),
        "POST",
        "/oauth/request_token",
        &[
            ("User-Agent", "t"),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ],
        body.as_bytes(),
    );
    assert_eq!(
        (response.status, response.body.as_str()),
        (400, "Duplicated parameter: oauth_consumer_key")
    );
    // The same parameters once each, in the body: fine.
    let body = body.rsplit_once('&').unwrap().0;
    let response = send(
        provider.addr(),
        "POST",
        "/oauth/request_token",
        &[
            ("User-Agent", "t"),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ],
        body.as_bytes(),
    );
    assert_eq!(response.status, 200, "{response:?}");
}

#[test]
fn requests_without_a_user_agent_are_refused() {
    let provider = start_with(|b| b.auto_approve(true));
    let client = default_client();
    let header = provider.oauth(
        "POST",
        "/oauth/request_token",
        &client,
        None,
        Extra {
            callback: Some("oob"),
            ..Extra::default()
        },
    );
    let response = send(
        provider.addr(),
        "POST",
        "/oauth/request_token",
        &[("Authorization", &header)],
        b"",
    );
    assert_eq!(
        (response.status, response.body.as_str()),
        (403, "A User-Agent header is required.")
    );
    assert_eq!(response.rate(), (25, 1, 24));
    let response = send(
        provider.addr(),
        "GET",
        "/oauth/identity",
        &[("User-Agent", " ")],
        b"",
    );
    assert_eq!(response.status, 403);
    assert_eq!(
        response.json(),
        serde_json::json!({"message": "A User-Agent header is required."})
    );
    assert_eq!(provider.last_reason(), "403 no User-Agent header");
    // With one, the same request goes through (its nonce was never recorded).
    let response = provider.call("POST", "/oauth/request_token", Some(&header));
    assert_eq!(response.status, 200, "{response:?}");
}

#[test]
fn past_the_rate_limit_the_answer_is_429() {
    let provider = start_with(|b| b.auto_approve(true).rate_limit(RateLimit::per_minute(4, 2)));
    let client = default_client();
    // Two requests by the consumer (request token, exchange), one by the address (authorize).
    let access = provider.flow(&client, "oob");
    let first = provider.get("/oauth/identity", &client, &access);
    assert_eq!((first.status, first.rate()), (200, (4, 3, 1)));
    let second = provider.get("/oauth/identity", &client, &access);
    assert_eq!((second.status, second.rate()), (200, (4, 4, 0)));
    let refused = provider.get("/oauth/identity", &client, &access);
    assert_eq!(refused.status, 429, "{refused:?}");
    assert_eq!(refused.rate(), (4, 4, 0));
    assert_eq!(refused.header("retry-after"), Some("60"));
    assert_eq!(
        refused.json(),
        serde_json::json!({"message": "You are making requests too quickly."})
    );
    assert_eq!(
        provider.last_reason(),
        "429 over the rate limit of 4 requests a minute"
    );

    // Unauthenticated requests count against the address, with its own limit.
    let page = provider.call("GET", "/nowhere", None);
    assert_eq!((page.status, page.rate()), (404, (2, 2, 0)));
    assert_eq!(provider.call("GET", "/nowhere", None).status, 429);

    // A moving window: a minute later, all is forgotten.
    provider.clock.advance(60);
    let again = provider.get("/oauth/identity", &client, &access);
    assert_eq!((again.status, again.rate()), (200, (4, 1, 3)));
}

#[test]
fn short_lived_access_tokens_renew_with_their_session_handle() {
    let provider = start_with(|b| b.auto_approve(true).access_token_lifetime(3600));
    let client = default_client();
    let temporary = provider.temporary(&client, "oob");
    let verifier = provider.approve(&temporary);
    let response = provider.exchange(&client, &temporary, &verifier);
    assert_eq!(response.status, 200);
    let parsed = TokenResponse::parse(response.body.as_bytes()).unwrap();
    assert_eq!(parsed.get("oauth_expires_in").as_deref(), Some("3600"));
    let handle = parsed.get("oauth_session_handle").unwrap().into_owned();
    assert_eq!(handle.len(), 32);
    let access = parsed.into_credentials();
    assert_eq!(
        provider.get("/oauth/identity", &client, &access).status,
        200
    );

    provider.clock.advance(3600);
    let expired = provider.get("/oauth/identity", &client, &access);
    assert_eq!(expired.status, 401);
    assert_eq!(
        expired.header("www-authenticate"),
        Some(
            format!(
                "OAuth realm=\"{}\", oauth_problem=\"token_expired\"",
                provider.handle.base_url()
            )
            .as_str()
        )
    );
    assert_eq!(provider.last_reason(), "401 access token expired");

    let renew = |handle: &str, token: &TokenCredentials| {
        let url = provider.handle.url("/oauth/access_token");
        let nonce = provider.fresh_nonce();
        let header = countersign::Signer::new(&client)
            .token(token)
            .extension_param("oauth_session_handle", handle)
            .timestamp(countersign::clock::Clock::now(&provider.clock))
            .nonce(&nonce)
            .sign(&countersign::Request::post(&url))
            .unwrap()
            .to_authorization();
        provider.call("POST", "/oauth/access_token", Some(header.as_str()))
    };
    let wrong = renew("not-the-handle", &access);
    assert_eq!(
        (wrong.status, wrong.body.as_str()),
        (401, "Invalid session handle.")
    );
    assert_eq!(provider.last_reason(), "401 session handle does not match");

    let renewed = renew(&handle, &access);
    assert_eq!(renewed.status, 200, "{renewed:?}");
    let parsed = TokenResponse::parse(renewed.body.as_bytes()).unwrap();
    assert_eq!(
        parsed.get("oauth_session_handle").as_deref(),
        Some(handle.as_str())
    );
    assert_eq!(parsed.get("oauth_expires_in").as_deref(), Some("3600"));
    let fresh = parsed.into_credentials();
    assert_ne!(fresh.token(), access.token());
    let identity = provider.get("/oauth/identity", &client, &fresh);
    assert_eq!(identity.status, 200);
    assert_eq!(identity.json()["username"], "example");
    // The old token is gone.
    assert_eq!(
        provider.get("/oauth/identity", &client, &access).status,
        401
    );
}

#[test]
fn tokens_are_used_where_they_belong() {
    let provider = start_with(|b| b.auto_approve(true));
    let client = default_client();
    let temporary = provider.temporary(&client, "oob");
    let verifier = provider.approve(&temporary);
    // A request token does not open resources.
    let response = provider.get("/oauth/identity", &client, &temporary);
    assert_eq!(response.status, 401);
    assert_eq!(
        response.json(),
        serde_json::json!({"message": "Invalid or expired token."})
    );
    assert_eq!(
        provider.last_reason(),
        "401 a request token where an access token was expected"
    );
    // An unapproved one cannot be exchanged.
    let pending = provider.temporary(&client, "oob");
    let response = provider.exchange(&client, &pending, "x");
    assert_eq!(
        (response.status, response.body.as_str()),
        (401, "The request token has not been authorized.")
    );
    // An access token is not a request token.
    let access = provider.access(&client, &temporary, &verifier);
    let response = provider.exchange(&client, &access, &verifier);
    assert_eq!(
        (response.status, response.body.as_str()),
        (401, "Invalid or expired token.")
    );
    assert_eq!(
        provider.last_reason(),
        "401 an access token where a request token was expected"
    );
    // A token of another consumer does not exist for this one.
    let other = ClientCredentials::new("other", "other-secret");
    let response = provider.get("/oauth/identity", &other, &access);
    assert_eq!(response.status, 401);
    // A request-token request carries no token, and a callback must be a URL or oob.
    let header = provider.oauth(
        "POST",
        "/oauth/request_token",
        &client,
        Some(&access),
        Extra::default(),
    );
    let response = provider.call("POST", "/oauth/request_token", Some(&header));
    assert_eq!(
        (response.status, response.body.as_str()),
        (400, "Unexpected parameter: oauth_token")
    );
    for callback in ["javascript:alert(1)", "ftp://x/", "/relative"] {
        // Written by hand: the core's signer refuses such callbacks itself.
        let header = format!(
            "OAuth oauth_consumer_key=\"{}\", oauth_signature_method=\"PLAINTEXT\", \
             oauth_timestamp=\"{T0}\", oauth_nonce=\"{}\", oauth_callback=\"{}\", \
             oauth_signature=\"countersign-local-secret%26\"",
            client.key(),
            provider.fresh_nonce(),
            countersign::encode::encode(callback)
        );
        let response = provider.call("POST", "/oauth/request_token", Some(&header));
        assert_eq!(response.status, 400, "{callback}");
        assert_eq!(
            response.body,
            "Invalid oauth_callback: use an absolute http(s) URL, or oob."
        );
    }
}

#[test]
fn the_discogs_credential_modes() {
    let provider = start_with(|b| {
        b.user(User::new(7, "alice"))
            .user(User::new(8, "bob"))
            .personal_token("alice-personal-token", 7)
            .personal_token("bob-personal-token", 8)
    });
    let call =
        |target: &str, authorization: Option<&str>| provider.call("GET", target, authorization);

    let identity = call("/oauth/identity", Some("Discogs token=bob-personal-token"));
    assert_eq!(identity.status, 200, "{identity:?}");
    assert_eq!(identity.json()["username"], "bob");
    assert_eq!(identity.json()["id"], 8);
    let identity = call("/oauth/identity?token=alice-personal-token", None);
    assert_eq!(identity.json()["username"], "alice");
    assert_eq!(
        call("/database/search?q=x&token=alice-personal-token", None).status,
        200
    );
    let key_secret = format!(
        "Discogs key={}, secret={}",
        countersign_provider::DEFAULT_CONSUMER_KEY,
        countersign_provider::DEFAULT_CONSUMER_SECRET
    );
    assert_eq!(call("/database/search?q=x", Some(&key_secret)).status, 200);
    let query = format!(
        "/database/search?q=x&key={}&secret={}",
        countersign_provider::DEFAULT_CONSUMER_KEY,
        countersign_provider::DEFAULT_CONSUMER_SECRET
    );
    let search = call(&query, None);
    assert_eq!(search.status, 200);
    assert_eq!(search.rate(), (60, 2, 58));

    // Key and secret carry no user.
    let identity = call("/oauth/identity", Some(&key_secret));
    assert_eq!(identity.status, 401);
    assert!(
        identity.json()["message"]
            .as_str()
            .unwrap()
            .starts_with("This resource needs a user")
    );

    let bad = call("/oauth/identity", Some("Discogs token=nope"));
    assert_eq!(bad.status, 401);
    assert_eq!(
        bad.json(),
        serde_json::json!({"message": "Invalid personal access token."})
    );
    let bad = call(
        "/database/search",
        Some("Discogs key=countersign-local-key, secret=nope"),
    );
    assert_eq!(
        bad.json(),
        serde_json::json!({"message": "Invalid consumer key or secret."})
    );
    assert_eq!(
        provider.last_reason(),
        "401 consumer secret does not match (consumer key \"countersign-local-key\")"
    );
    let bad = call("/database/search", Some("Discogs key=nobody, secret=nope"));
    assert_eq!(
        bad.json(),
        serde_json::json!({"message": "Invalid consumer key or secret."})
    );
    assert_eq!(
        provider.last_reason(),
        "401 unknown consumer key \"nobody\""
    );
    let malformed = call("/database/search", Some("Discogs key=k"));
    assert_eq!(malformed.status, 400);
    for reason in provider.reasons() {
        assert!(
            !reason.contains("personal-token") && !reason.contains("nope"),
            "{reason}"
        );
    }
}

#[test]
fn unknown_routes_and_methods() {
    let provider = start_with(|b| b);
    let missing = provider.call("GET", "/users/example/wants", None);
    assert_eq!(missing.status, 404);
    assert_eq!(
        missing.json(),
        serde_json::json!({"message": "The requested resource was not found."})
    );
    assert_eq!(missing.rate(), (25, 1, 24));
    let wrong = provider.call("GET", "/oauth/access_token", None);
    assert_eq!(wrong.status, 405, "{wrong:?}");
    assert_eq!(wrong.header("allow"), Some("POST"));
    assert_eq!(wrong.rate(), (25, 2, 23));
}

#[test]
fn a_hundred_flows_in_parallel_do_not_cross() {
    const FLOWS: usize = 100;
    let provider = start_with(|mut b| {
        b = b
            .auto_approve(true)
            .rate_limit(RateLimit::per_minute(1000, 1000));
        for i in 0..FLOWS {
            b = b.consumer(Consumer::new(
                format!("key-{i}"),
                format!("secret-{i}"),
                format!("app {i}"),
            ));
        }
        b
    });
    let results: Vec<(usize, TokenCredentials)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..FLOWS)
            .map(|i| {
                let provider = &provider;
                scope.spawn(move || {
                    let client = ClientCredentials::new(format!("key-{i}"), format!("secret-{i}"));
                    let callback = format!("http://127.0.0.1:9/cb?flow={i}");
                    let temporary = provider.temporary(&client, &callback);
                    let response = provider.call(
                        "GET",
                        &format!("/oauth/authorize?oauth_token={}", temporary.token()),
                        None,
                    );
                    let location = response.header("location").unwrap();
                    assert!(
                        location
                            .starts_with(&format!("{callback}&oauth_token={}&", temporary.token())),
                        "{location}"
                    );
                    let verifier = provider.approve_location(location);
                    let access = provider.access(&client, &temporary, &verifier);
                    let identity = provider.get("/oauth/identity", &client, &access);
                    assert_eq!(identity.status, 200);
                    assert_eq!(identity.json()["consumer_name"], format!("app {i}"));
                    (i, access)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut tokens: Vec<&str> = results.iter().map(|(_, a)| a.token()).collect();
    tokens.sort_unstable();
    tokens.dedup();
    assert_eq!(tokens.len(), FLOWS);
    // Each access token answers to its own consumer only.
    for (i, access) in results.iter().take(10) {
        let other = (i + 1) % FLOWS;
        let stranger = ClientCredentials::new(format!("key-{other}"), format!("secret-{other}"));
        assert_eq!(
            provider.get("/oauth/identity", &stranger, access).status,
            401
        );
    }
    assert_eq!(provider.reasons().len(), 10, "{:?}", provider.reasons());
}

trait ApproveLocation {
    fn approve_location(&self, location: &str) -> String;
}

impl ApproveLocation for common::Provider {
    fn approve_location(&self, location: &str) -> String {
        match countersign::Callback::parse(location).unwrap() {
            countersign::Callback::Approved { verifier, .. } => verifier.expose_secret().to_owned(),
            other => panic!("{other:?}"),
        }
    }
}

#[cfg(feature = "hmac-sha1")]
#[test]
fn hmac_sha1_signs_the_whole_request() {
    use countersign::SignatureMethod;
    let provider = start_with(|b| b.auto_approve(true));
    let client = default_client();
    let hmac = Extra {
        method: Some(SignatureMethod::HmacSha1),
        ..Extra::default()
    };
    let header = provider.oauth(
        "POST",
        "/oauth/request_token",
        &client,
        None,
        Extra {
            callback: Some("oob"),
            ..hmac
        },
    );
    assert!(header.contains("oauth_signature_method=\"HMAC-SHA1\""));
    let response = provider.call("POST", "/oauth/request_token", Some(&header));
    assert_eq!(response.status, 200, "{response:?}");
    let temporary = TokenResponse::parse_temporary(response.body.as_bytes())
        .unwrap()
        .into_credentials();
    let verifier = provider.approve(&temporary);
    let access = provider.access(&client, &temporary, &verifier);

    let path = "/database/search?q=nirvana&type=release";
    let header = provider.oauth("GET", path, &client, Some(&access), hmac);
    assert_eq!(provider.call("GET", path, Some(&header)).status, 200);
    // The query is signed: another query, another signature.
    let header = provider.oauth("GET", path, &client, Some(&access), hmac);
    let response = provider.call(
        "GET",
        "/database/search?q=nirvana&type=master",
        Some(&header),
    );
    assert_eq!(response.status, 401);
    assert_eq!(
        response.json(),
        serde_json::json!({"message": "Invalid signature."})
    );
}

/// A profile whose endpoints the local provider cannot serve apart (two on one path, or a path
/// the router would read as a capture) is refused when starting, never a panic.
#[test]
fn a_profile_with_clashing_paths_is_refused_at_start() {
    use countersign::profile::Profile;

    let clashing = Profile::builder(
        "http://127.0.0.1/oauth/token",
        "http://127.0.0.1/oauth/authorize",
        "http://127.0.0.1/oauth/token",
    )
    .build()
    .unwrap();
    let capture = Profile::builder(
        "http://127.0.0.1/oauth/%7Bid%7D/x*",
        "http://127.0.0.1/oauth/authorize",
        "http://127.0.0.1/oauth/access",
    )
    .identity_url("http://127.0.0.1/database/search")
    .build()
    .unwrap();
    for profile in [clashing, capture] {
        let error = countersign_provider::LocalProvider::builder()
            .mimic(&profile)
            .start_blocking()
            .expect_err("refused");
        assert_eq!(error.kind(), std::io::ErrorKind::InvalidInput, "{error}");
    }
}
