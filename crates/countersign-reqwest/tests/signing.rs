//! Signing reqwest requests, redirects, retries and errors, over real loopback TCP against small
//! canned servers (what the local provider does not do: redirects, a skewed 401 on demand).

mod common;

use common::canned::{Answer, Canned, closed_port, http_date};
use countersign::clock::FixedClock;
use countersign::discogs::{DiscogsAuth, Placement};
use countersign::flow::{CallbackMode, ProviderConfig};
use countersign::nonce::Nonce;
use countersign::{ClientCredentials, Secret, Signer, TokenCredentials};
use countersign_reqwest::{Approval, Authenticator, Client, Error, RequestBuilderExt, ResponseExt};
use countersign_reqwest::{countersign, http_client_builder};

const SECRETS: [&str; 4] = [
    "CONSUMERSECRET",
    "TOKENSECRET",
    "PERSONALTOKEN",
    "KEYSECRET",
];

fn oauth_signer() -> countersign::PreparedSigner {
    let client = ClientCredentials::new("ck", "CONSUMERSECRET");
    let token = TokenCredentials::new("tok", "TOKENSECRET");
    Signer::new(&client).token(&token).prepare().unwrap()
}

/// Nonces `nonce-000001`, `nonce-000002`, ...
fn counting_nonces() -> impl FnMut() -> Result<Nonce, countersign::Error> + Send {
    let mut n = 0;
    move || {
        n += 1;
        Nonce::new(&format!("nonce-{n:06}"))
    }
}

fn assert_no_secret(shown: &str) {
    for s in SECRETS {
        assert!(!shown.contains(s), "a secret leaked: {shown}");
    }
}

fn http() -> reqwest::Client {
    http_client_builder().build().unwrap()
}

/// A plain reqwest client with reqwest's own redirect policy (what users build themselves).
fn following_http() -> reqwest::Client {
    http_client_builder()
        .redirect(reqwest::redirect::Policy::default())
        .build()
        .unwrap()
}

#[test]
fn sign_in_place_sets_a_sensitive_oauth_header_and_the_user_agent() {
    let auth = Authenticator::new(DiscogsAuth::OAuth(oauth_signer()))
        .clock(FixedClock(1_700_000_000))
        .nonces(counting_nonces())
        .user_agent("CountersignTests/1.0");
    let mut request = reqwest::Request::new(
        reqwest::Method::GET,
        "https://api.discogs.com/oauth/identity?x=1"
            .parse()
            .unwrap(),
    );
    auth.sign(&mut request).unwrap();
    let header = &request.headers()["authorization"];
    assert!(header.is_sensitive());
    assert_eq!(
        header.to_str().unwrap(),
        "OAuth oauth_consumer_key=\"ck\", oauth_token=\"tok\", oauth_signature_method=\"PLAINTEXT\", \
         oauth_version=\"1.0\", oauth_timestamp=\"1700000000\", oauth_nonce=\"nonce-000001\", \
         oauth_signature=\"CONSUMERSECRET%26TOKENSECRET\""
    );
    assert_eq!(request.headers()["user-agent"], "CountersignTests/1.0");
    assert_eq!(
        request.url().as_str(),
        "https://api.discogs.com/oauth/identity?x=1"
    );
}

#[test]
fn an_existing_user_agent_is_kept() {
    let auth = Authenticator::new(DiscogsAuth::None).user_agent("Default/1.0");
    let (_, request) = http()
        .get("https://api.discogs.com/")
        .header("user-agent", "Mine/2.0")
        .build_signed(&auth)
        .unwrap();
    assert_eq!(request.headers()["user-agent"], "Mine/2.0");
    assert!(request.headers().get("authorization").is_none());
}

#[test]
fn the_four_discogs_modes_in_the_header_and_the_query() {
    let url = "https://api.discogs.com/database/search?q=nirvana";
    let key_secret = || DiscogsAuth::KeySecret(ClientCredentials::new("KEY", "KEYSECRET"));
    let token = || DiscogsAuth::PersonalToken(Secret::new("PERSONALTOKEN"));

    let (_, r) = http()
        .get(url)
        .build_signed(&Authenticator::new(key_secret()))
        .unwrap();
    assert_eq!(
        r.headers()["authorization"],
        "Discogs key=KEY, secret=KEYSECRET"
    );
    assert!(r.headers()["authorization"].is_sensitive());

    let (_, r) = http()
        .get(url)
        .build_signed(&Authenticator::new(token()))
        .unwrap();
    assert_eq!(r.headers()["authorization"], "Discogs token=PERSONALTOKEN");

    let auth = Authenticator::new(token()).placement(Placement::Query);
    let (_, r) = http().get(url).build_signed(&auth).unwrap();
    assert_eq!(r.url().as_str(), format!("{url}&token=PERSONALTOKEN"));
    assert!(r.headers().get("authorization").is_none());

    let auth = Authenticator::new(key_secret()).placement(Placement::Query);
    let (_, r) = http().get(url).build_signed(&auth).unwrap();
    assert_eq!(r.url().as_str(), format!("{url}&key=KEY&secret=KEYSECRET"));

    let (_, r) = http()
        .get(url)
        .build_signed(&Authenticator::new(DiscogsAuth::None))
        .unwrap();
    assert!(r.headers().get("authorization").is_none());
    assert_eq!(r.url().as_str(), url);

    let (_, r) = http()
        .get(url)
        .build_signed(&Authenticator::new(DiscogsAuth::OAuth(oauth_signer())))
        .unwrap();
    assert!(
        r.headers()["authorization"]
            .to_str()
            .unwrap()
            .starts_with("OAuth ")
    );
}

#[test]
fn secrets_over_plain_http_to_another_host_are_refused() {
    for auth in [
        DiscogsAuth::OAuth(oauth_signer()),
        DiscogsAuth::PersonalToken(Secret::new("PERSONALTOKEN")),
    ] {
        let err = http()
            .get("http://api.example.com/x")
            .build_signed(&Authenticator::new(auth))
            .unwrap_err();
        assert!(
            matches!(
                err,
                Error::Core(countersign::Error::Misuse(
                    countersign::Misuse::InsecureTransport
                ))
            ),
            "{err:?}"
        );
        assert_no_secret(&format!("{err} {err:?}"));
    }
}

#[test]
fn a_form_body_is_signed_and_left_as_it_was() {
    let auth = Authenticator::new(DiscogsAuth::OAuth(oauth_signer()));
    let (_, request) = http()
        .post("https://api.discogs.com/users/example/wants/1")
        .header("content-type", "application/x-www-form-urlencoded")
        .body("notes=mint+only&rating=5")
        .build_signed(&auth)
        .unwrap();
    assert_eq!(
        request.body().and_then(reqwest::Body::as_bytes),
        Some(&b"notes=mint+only&rating=5"[..])
    );
    assert_eq!(
        request.headers()["content-type"],
        "application/x-www-form-urlencoded"
    );
    assert!(request.headers().contains_key("authorization"));
}

#[test]
fn debug_output_never_shows_a_secret() {
    let modes = [
        DiscogsAuth::OAuth(oauth_signer()),
        DiscogsAuth::PersonalToken(Secret::new("PERSONALTOKEN")),
        DiscogsAuth::KeySecret(ClientCredentials::new("KEY", "KEYSECRET")),
    ];
    for auth in modes {
        let auth = Authenticator::new(auth);
        assert_no_secret(&format!("{auth:?} {auth:#?}"));
    }
    assert_no_secret(&format!(
        "{:?} {:?}",
        Approval::Verifier("TOKENSECRET"),
        Approval::Callback("https://app.example/cb?oauth_token=t&oauth_verifier=TOKENSECRET")
    ));
    let client = Client::new(
        ProviderConfig::discogs("CountersignTests/1.0"),
        ClientCredentials::new("ck", "CONSUMERSECRET"),
    )
    .unwrap();
    assert_no_secret(&format!("{client:?}"));
    let response = countersign_reqwest::Response::from(
        http::Response::builder()
            .body(b"oauth_token=t&oauth_token_secret=TOKENSECRET".to_vec())
            .unwrap(),
    );
    assert_no_secret(&format!("{response:?}"));
}

#[tokio::test]
async fn a_provider_that_is_down_is_a_transport_error_that_shows_no_secret() {
    let base = format!("http://127.0.0.1:{}", closed_port());
    let auth = Authenticator::new(DiscogsAuth::PersonalToken(Secret::new("PERSONALTOKEN")))
        .placement(Placement::Query);
    let err = http()
        .get(format!("{base}/oauth/identity"))
        .send_signed(&auth)
        .await
        .unwrap_err();
    let Error::Transport(inner) = &err else {
        panic!("{err:?}")
    };
    assert!(inner.is_connect(), "{inner:?}");
    assert_no_secret(&format!("{err} {err:?}"));
    assert!(format!("{err:?}").contains("token=[redacted]"), "{err:?}");

    let client = Client::new(
        ProviderConfig::discogs_at(&base, &base, "CountersignTests/1.0"),
        ClientCredentials::new("ck", "CONSUMERSECRET"),
    )
    .unwrap();
    let err = client
        .request_token(CallbackMode::OutOfBand)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Transport(e) if e.is_connect()),
        "{err:?}"
    );
    assert_no_secret(&format!("{err} {err:?}"));
}

/// Where a redirect to `to` from the first server lands, and the Authorization it carried.
async fn follow(auth: &Authenticator, to: impl Fn(u16) -> String) -> Vec<Option<String>> {
    let target = Canned::start(|_, _| Answer::new(200, "landed"));
    let location = to(target.port());
    let first = Canned::start(move |_, _| Answer::new(302, "").header("Location", &location));
    let response = following_http()
        .get(format!("{}/start", first.url()))
        .send_signed(auth)
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(first.received()[0].headers.contains_key("authorization"));
    target
        .received()
        .iter()
        .map(|r| r.headers.get("authorization").cloned())
        .collect()
}

#[tokio::test]
async fn reqwest_drops_credentials_on_a_redirect_to_another_host_or_port() {
    let auth = Authenticator::new(DiscogsAuth::OAuth(oauth_signer()));
    // Another port of the same address.
    let landed = follow(&auth, |port| format!("http://127.0.0.1:{port}/next")).await;
    assert_eq!(landed, vec![None]);
    // Another host name for the same machine.
    let landed = follow(&auth, |port| format!("http://localhost:{port}/next")).await;
    assert_eq!(landed, vec![None]);
    // Query credentials are not in the Location, so they do not travel either.
    let auth = Authenticator::new(DiscogsAuth::PersonalToken(Secret::new("PERSONALTOKEN")))
        .placement(Placement::Query);
    let target = Canned::start(|_, _| Answer::new(200, "landed"));
    let location = format!("http://localhost:{}/next", target.port());
    let first = Canned::start(move |_, _| Answer::new(302, "").header("Location", &location));
    following_http()
        .get(format!("{}/start", first.url()))
        .send_signed(&auth)
        .await
        .unwrap();
    assert!(first.received()[0].target.contains("token=PERSONALTOKEN"));
    assert_eq!(target.received()[0].target, "/next");
    assert_no_secret(&format!("{:?}", target.received()));
}

#[tokio::test]
async fn reqwest_default_referer_carries_query_credentials_so_ours_is_off() {
    // reqwest's default, pinned here because it is why `http_client_builder` turns `Referer`
    // off: the previous URL, query included, goes to the redirect's target, on any host.
    let auth = Authenticator::new(DiscogsAuth::PersonalToken(Secret::new("PERSONALTOKEN")))
        .placement(Placement::Query);
    for (referer, leaks) in [(true, true), (false, false)] {
        let target = Canned::start(|_, _| Answer::new(200, "landed"));
        let location = format!("http://localhost:{}/next", target.port());
        let first = Canned::start(move |_, _| Answer::new(302, "").header("Location", &location));
        let http = http_client_builder()
            .redirect(reqwest::redirect::Policy::default())
            .referer(referer)
            .build()
            .unwrap();
        http.get(format!("{}/start", first.url()))
            .send_signed(&auth)
            .await
            .unwrap();
        let seen = format!("{:?}", target.received());
        assert_eq!(seen.contains("PERSONALTOKEN"), leaks, "{seen}");
    }
}

#[tokio::test]
async fn reqwest_keeps_credentials_on_a_same_host_redirect() {
    // reqwest's documented behaviour, pinned here: same scheme, host and port keep the header.
    let server = Canned::start(|i, _| match i {
        0 => Answer::new(302, "").header("Location", "/next"),
        _ => Answer::new(200, "landed"),
    });
    let auth = Authenticator::new(DiscogsAuth::PersonalToken(Secret::new("PERSONALTOKEN")));
    following_http()
        .get(format!("{}/start", server.url()))
        .send_signed(&auth)
        .await
        .unwrap();
    let received = server.received();
    assert_eq!(received.len(), 2);
    assert_eq!(
        received[1].headers.get("authorization").map(String::as_str),
        Some("Discogs token=PERSONALTOKEN")
    );
}

#[tokio::test]
async fn the_client_follows_no_redirect() {
    let target = Canned::start(|_, _| Answer::new(200, "landed"));
    let location = format!("http://localhost:{}/oauth/request_token", target.port());
    let first = Canned::start(move |_, _| Answer::new(302, "").header("Location", &location));
    let base = first.url();
    let client = Client::new(
        ProviderConfig::discogs_at(&base, &base, "CountersignTests/1.0"),
        ClientCredentials::new("ck", "CONSUMERSECRET"),
    )
    .unwrap();
    let err = client
        .request_token(CallbackMode::OutOfBand)
        .await
        .unwrap_err();
    assert_eq!(err.provider().map(|e| e.status), Some(302), "{err:?}");
    let request = client
        .http()
        .get(format!("{base}/anything"))
        .build()
        .unwrap();
    let auth = DiscogsAuth::PersonalToken(Secret::new("PERSONALTOKEN"));
    let response = client
        .send_with(&auth, Placement::Header, request)
        .await
        .unwrap();
    assert_eq!(response.status(), 302);
    assert!(target.received().is_empty());
    assert_eq!(first.received().len(), 2);
}

/// A resource that answers 401 with its clock `skew` seconds ahead, then `then`.
fn skewed(skew: i64, then: u16) -> Canned {
    Canned::start(move |i, _| {
        let status = if i == 0 { 401 } else { then };
        Answer::new(status, r#"{"message": "Timestamp refused"}"#)
            .header("Date", &http_date(skew))
            .header("Content-Type", "application/json")
    })
}

fn timestamp_and_nonce(received: &common::canned::Received) -> (u64, String) {
    let header = received.headers["authorization"].clone();
    let parsed = countersign::ParsedAuthorization::parse(&header).unwrap();
    (
        parsed.timestamp().unwrap().parse().unwrap(),
        parsed.nonce().unwrap().to_owned(),
    )
}

#[tokio::test]
async fn one_retry_after_a_skewed_401_and_never_two() {
    for then in [200, 401] {
        let server = skewed(600, then);
        let auth = Authenticator::new(DiscogsAuth::OAuth(oauth_signer()));
        let response = http()
            .get(format!("{}/resource", server.url()))
            .send_signed(&auth)
            .await
            .unwrap();
        assert_eq!(response.status(), then);
        let received = server.received();
        assert_eq!(received.len(), 2, "exactly one retry");
        let (t1, n1) = timestamp_and_nonce(&received[0]);
        let (t2, n2) = timestamp_and_nonce(&received[1]);
        assert_ne!(n1, n2, "a fresh nonce");
        assert!((598..=602).contains(&(t2 - t1)), "{t1} -> {t2}");
        assert!(
            (598..=602).contains(&auth.clock_offset()),
            "{}",
            auth.clock_offset()
        );
    }
}

#[tokio::test]
async fn no_retry_without_skew_or_for_other_statuses_or_modes() {
    let cases: [(i64, u16, DiscogsAuth); 3] = [
        // A 401 whose Date agrees with ours.
        (0, 401, DiscogsAuth::OAuth(oauth_signer())),
        // A skewed 400.
        (600, 400, DiscogsAuth::OAuth(oauth_signer())),
        // A skewed 401 for a mode without timestamps.
        (
            600,
            401,
            DiscogsAuth::PersonalToken(Secret::new("PERSONALTOKEN")),
        ),
    ];
    for (skew, status, auth) in cases {
        let server =
            Canned::start(move |_, _| Answer::new(status, "no").header("Date", &http_date(skew)));
        let auth = Authenticator::new(auth);
        let response = http()
            .get(format!("{}/resource", server.url()))
            .send_signed(&auth)
            .await
            .unwrap();
        assert_eq!(response.status(), status);
        assert_eq!(server.received().len(), 1);
        assert_eq!(auth.clock_offset(), 0);
    }
}

#[tokio::test]
async fn rate_limits_are_exposed_on_reqwest_responses() {
    let server = Canned::start(|_, _| {
        Answer::new(200, "{}")
            .header("X-Discogs-Ratelimit", "60")
            .header("X-Discogs-Ratelimit-Used", "1")
            .header("X-Discogs-Ratelimit-Remaining", "59")
    });
    let response = http()
        .get(server.url())
        .send_signed(&Authenticator::new(DiscogsAuth::None))
        .await
        .unwrap();
    let limits = response.rate_limit().unwrap();
    assert_eq!(
        (limits.limit, limits.used, limits.remaining),
        (Some(60), Some(1), Some(59))
    );
}

#[tokio::test]
async fn garbage_answers_are_parse_errors_with_a_redacted_excerpt() {
    let server = Canned::start(|i, _| match i {
        0 => Answer::new(
            200,
            "<html><body>Welcome to the captive portal</body></html>",
        ),
        _ => Answer::new(200, "oauth_token=t&oauth_token_secret=TOKENSECRET"),
    });
    let base = server.url();
    let client = Client::new(
        ProviderConfig::discogs_at(&base, &base, "CountersignTests/1.0"),
        ClientCredentials::new("ck", "CONSUMERSECRET"),
    )
    .unwrap();
    let err = client
        .request_token(CallbackMode::OutOfBand)
        .await
        .unwrap_err();
    let Error::Parse { excerpt, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(
        excerpt,
        "<html><body>Welcome to the captive portal</body></html>"
    );
    let err = client
        .request_token(CallbackMode::OutOfBand)
        .await
        .unwrap_err();
    let Error::Parse { error, excerpt } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(
        error,
        &countersign::Error::Flow(countersign::FlowError::CallbackNotConfirmed)
    );
    assert_eq!(excerpt, "oauth_token=t&oauth_token_secret=[redacted]");
    assert_no_secret(&format!("{err} {err:?}"));
}

#[tokio::test]
async fn the_client_sets_the_providers_user_agent_on_every_request() {
    let server = Canned::start(|_, _| {
        Answer::new(
            200,
            "oauth_token=t&oauth_token_secret=s&oauth_callback_confirmed=true",
        )
    });
    let base = server.url();
    let client = Client::new(
        ProviderConfig::discogs_at(&base, &base, "CountersignTests/1.0"),
        ClientCredentials::new("ck", "CONSUMERSECRET"),
    )
    .unwrap();
    client.request_token(CallbackMode::OutOfBand).await.unwrap();
    let auth = DiscogsAuth::PersonalToken(Secret::new("PERSONALTOKEN"));
    let request = client.http().get(format!("{base}/x")).build().unwrap();
    client
        .send_with(&auth, Placement::Header, request)
        .await
        .unwrap();
    client
        .http()
        .get(format!("{base}/y"))
        .send_signed(&client.authenticator(DiscogsAuth::None))
        .await
        .unwrap();
    let received = server.received();
    assert_eq!(received.len(), 3);
    for r in received {
        assert_eq!(r.headers["user-agent"], "CountersignTests/1.0", "{r:?}");
    }
}
