//! Signing http requests for ureq, the middleware, redirects, retries and errors, over real
//! loopback TCP against small canned servers (what the local provider does not do: redirects,
//! a skewed 401 on demand).

mod common;

use common::canned::{Answer, Canned, closed_port, http_date};
use countersign::clock::FixedClock;
use countersign::discogs::{DiscogsAuth, Placement};
use countersign::flow::{CallbackMode, ProviderConfig};
use countersign::nonce::Nonce;
use countersign::{ClientCredentials, Secret, Signer, TokenCredentials};
use countersign_ureq::middleware::SigningMiddleware;
use countersign_ureq::ureq::config::RedirectAuthHeaders;
use countersign_ureq::{Approval, Authenticator, Client, Error, ResponseExt, agent, countersign};

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

fn get(url: &str) -> http::Request<()> {
    http::Request::get(url).body(()).unwrap()
}

#[test]
fn sign_in_place_sets_a_sensitive_oauth_header_and_the_user_agent() {
    let auth = Authenticator::new(DiscogsAuth::OAuth(oauth_signer()))
        .clock(FixedClock(1_700_000_000))
        .nonces(counting_nonces())
        .user_agent("CountersignTests/1.0");
    let mut request = get("https://api.discogs.com/oauth/identity?x=1");
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
    assert_eq!(request.uri(), "https://api.discogs.com/oauth/identity?x=1");
}

#[test]
fn an_existing_user_agent_is_kept() {
    let auth = Authenticator::new(DiscogsAuth::None).user_agent("Default/1.0");
    let mut request = http::Request::get("https://api.discogs.com/")
        .header("user-agent", "Mine/2.0")
        .body(())
        .unwrap();
    auth.sign(&mut request).unwrap();
    assert_eq!(request.headers()["user-agent"], "Mine/2.0");
    assert!(request.headers().get("authorization").is_none());
}

#[test]
fn the_four_discogs_modes_in_the_header_and_the_query() {
    let url = "https://api.discogs.com/database/search?q=nirvana";
    let key_secret = || DiscogsAuth::KeySecret(ClientCredentials::new("KEY", "KEYSECRET"));
    let token = || DiscogsAuth::PersonalToken(Secret::new("PERSONALTOKEN"));
    let signed = |auth: Authenticator| {
        let mut request = get(url);
        auth.sign(&mut request).unwrap();
        request
    };

    let r = signed(Authenticator::new(key_secret()));
    assert_eq!(
        r.headers()["authorization"],
        "Discogs key=KEY, secret=KEYSECRET"
    );
    assert!(r.headers()["authorization"].is_sensitive());
    let r = signed(Authenticator::new(token()));
    assert_eq!(r.headers()["authorization"], "Discogs token=PERSONALTOKEN");
    let r = signed(Authenticator::new(token()).placement(Placement::Query));
    assert_eq!(r.uri().to_string(), format!("{url}&token=PERSONALTOKEN"));
    assert!(r.headers().get("authorization").is_none());
    let r = signed(Authenticator::new(key_secret()).placement(Placement::Query));
    assert_eq!(
        r.uri().to_string(),
        format!("{url}&key=KEY&secret=KEYSECRET")
    );
    let r = signed(Authenticator::new(DiscogsAuth::None));
    assert!(r.headers().get("authorization").is_none());
    let r = signed(Authenticator::new(DiscogsAuth::OAuth(oauth_signer())));
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
        let mut request = get("http://api.example.com/x");
        let err = Authenticator::new(auth).sign(&mut request).unwrap_err();
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
    let mut request = http::Request::post("https://api.discogs.com/users/example/wants/1")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(b"notes=mint+only&rating=5".to_vec())
        .unwrap();
    auth.sign(&mut request).unwrap();
    assert_eq!(request.body(), b"notes=mint+only&rating=5");
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
        assert_no_secret(&format!("{:?}", SigningMiddleware::new(auth)));
    }
    assert_no_secret(&format!(
        "{:?} {:?}",
        Approval::Verifier("TOKENSECRET"),
        Approval::Callback("https://app.example/cb?oauth_token=t&oauth_verifier=TOKENSECRET")
    ));
    let client = Client::new(
        ProviderConfig::discogs("CountersignTests/1.0"),
        ClientCredentials::new("ck", "CONSUMERSECRET"),
    );
    assert_no_secret(&format!("{client:?}"));
    let response = countersign_ureq::Response::from(
        http::Response::builder()
            .body(b"oauth_token=t&oauth_token_secret=TOKENSECRET".to_vec())
            .unwrap(),
    );
    assert_no_secret(&format!("{response:?}"));
}

#[test]
fn a_provider_that_is_down_is_a_transport_error_that_shows_no_secret() {
    let base = format!("http://127.0.0.1:{}", closed_port());
    let auth = Authenticator::new(DiscogsAuth::PersonalToken(Secret::new("PERSONALTOKEN")))
        .placement(Placement::Query);
    let err = auth
        .send(&agent(), get(&format!("{base}/oauth/identity")))
        .unwrap_err();
    assert!(
        matches!(
            &err,
            Error::Transport(countersign_ureq::ureq::Error::Io(_))
                | Error::Transport(countersign_ureq::ureq::Error::ConnectionFailed)
        ),
        "{err:?}"
    );
    assert_no_secret(&format!("{err} {err:?}"));

    let client = Client::new(
        ProviderConfig::discogs_at(&base, &base, "CountersignTests/1.0"),
        ClientCredentials::new("ck", "CONSUMERSECRET"),
    );
    let err = client.request_token(CallbackMode::OutOfBand).unwrap_err();
    assert!(matches!(&err, Error::Transport(_)), "{err:?}");
    assert_no_secret(&format!("{err} {err:?}"));
}

/// An agent that follows redirects and signs with the middleware.
fn following_agent(auth: Authenticator, auth_headers: RedirectAuthHeaders) -> ureq::Agent {
    ureq::Agent::config_builder()
        .middleware(SigningMiddleware::new(auth))
        .redirect_auth_headers(auth_headers)
        .build()
        .into()
}

/// The Authorization headers that arrive where a redirect to `to` from a first server leads.
fn follow(agent: &ureq::Agent, to: impl Fn(u16) -> String) -> Vec<Option<String>> {
    let target = Canned::start(|_, _| Answer::new(200, "landed"));
    let location = to(target.port());
    let first = Canned::start(move |_, _| Answer::new(302, "").header("Location", &location));
    let response = agent.get(format!("{}/start", first.url())).call().unwrap();
    assert_eq!(response.status(), 200);
    assert!(first.received()[0].headers.contains_key("authorization"));
    target
        .received()
        .iter()
        .map(|r| r.headers.get("authorization").cloned())
        .collect()
}

#[test]
fn ureq_drops_credentials_on_every_redirect_by_default() {
    let token = || DiscogsAuth::PersonalToken(Secret::new("PERSONALTOKEN"));
    let agent = following_agent(Authenticator::new(token()), RedirectAuthHeaders::Never);
    // The middleware runs once per call, outside ureq's redirect loop: the redirected request
    // goes out unsigned.
    assert_eq!(
        follow(&agent, |p| format!("http://127.0.0.1:{p}/next")),
        vec![None]
    );
    assert_eq!(
        follow(&agent, |p| format!("http://localhost:{p}/next")),
        vec![None]
    );
    // Query credentials are not in the Location, and ureq sends no Referer.
    let agent = following_agent(
        Authenticator::new(token()).placement(Placement::Query),
        RedirectAuthHeaders::Never,
    );
    let target = Canned::start(|_, _| Answer::new(200, "landed"));
    let location = format!("http://localhost:{}/next", target.port());
    let first = Canned::start(move |_, _| Answer::new(302, "").header("Location", &location));
    agent.get(format!("{}/start", first.url())).call().unwrap();
    assert!(first.received()[0].target.contains("token=PERSONALTOKEN"));
    assert_no_secret(&format!("{:?}", target.received()));
}

#[test]
fn ureq_same_host_keeps_credentials_on_another_port() {
    // ureq's `SameHost` compares hosts, not ports: pinned here because the crate docs warn
    // against it.
    let token = DiscogsAuth::PersonalToken(Secret::new("PERSONALTOKEN"));
    let agent = following_agent(Authenticator::new(token), RedirectAuthHeaders::SameHost);
    assert_eq!(
        follow(&agent, |p| format!("http://127.0.0.1:{p}/next")),
        vec![Some("Discogs token=PERSONALTOKEN".to_owned())]
    );
    assert_eq!(
        follow(&agent, |p| format!("http://localhost:{p}/next")),
        vec![None]
    );
}

#[test]
fn the_client_follows_no_redirect() {
    let target = Canned::start(|_, _| Answer::new(200, "landed"));
    let location = format!("http://localhost:{}/oauth/request_token", target.port());
    let first = Canned::start(move |_, _| Answer::new(302, "").header("Location", &location));
    let base = first.url();
    // Even on an agent configured to follow redirects.
    let following: ureq::Agent = ureq::Agent::config_builder()
        .redirect_auth_headers(RedirectAuthHeaders::SameHost)
        .build()
        .into();
    let client = Client::builder(
        ProviderConfig::discogs_at(&base, &base, "CountersignTests/1.0"),
        ClientCredentials::new("ck", "CONSUMERSECRET"),
    )
    .agent(following)
    .build();
    let err = client.request_token(CallbackMode::OutOfBand).unwrap_err();
    assert_eq!(err.provider().map(|e| e.status), Some(302), "{err:?}");
    let auth = DiscogsAuth::PersonalToken(Secret::new("PERSONALTOKEN"));
    let response = client
        .send_with(&auth, Placement::Header, get(&format!("{base}/anything")))
        .unwrap();
    assert_eq!(response.status(), 302);
    assert!(target.received().is_empty());
    assert_eq!(first.received().len(), 2);
}

fn timestamp_and_nonce(received: &common::canned::Received) -> (u64, String) {
    let header = received.headers["authorization"].clone();
    let parsed = countersign::ParsedAuthorization::parse(&header).unwrap();
    (
        parsed.timestamp().unwrap().parse().unwrap(),
        parsed.nonce().unwrap().to_owned(),
    )
}

#[test]
fn one_retry_after_a_skewed_401_and_never_two() {
    for then in [200, 401] {
        let server = Canned::start(move |i, _| {
            let status = if i == 0 { 401 } else { then };
            Answer::new(status, "").header("Date", &http_date(600))
        });
        let auth = Authenticator::new(DiscogsAuth::OAuth(oauth_signer()));
        let response = auth
            .send(&agent(), get(&format!("{}/resource", server.url())))
            .unwrap();
        assert_eq!(response.status(), then);
        let received = server.received();
        assert_eq!(received.len(), 2, "exactly one retry");
        let (t1, n1) = timestamp_and_nonce(&received[0]);
        let (t2, n2) = timestamp_and_nonce(&received[1]);
        assert_ne!(n1, n2, "a fresh nonce");
        assert!((598..=602).contains(&(t2 - t1)), "{t1} -> {t2}");
        assert!((598..=602).contains(&auth.clock_offset()));
    }
}

#[test]
fn no_retry_without_skew_or_for_other_statuses_or_modes() {
    let cases: [(i64, u16, DiscogsAuth); 3] = [
        (0, 401, DiscogsAuth::OAuth(oauth_signer())),
        (600, 400, DiscogsAuth::OAuth(oauth_signer())),
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
        let response = auth.send(&agent(), get(&server.url())).unwrap();
        assert_eq!(response.status(), status);
        assert_eq!(server.received().len(), 1);
        assert_eq!(auth.clock_offset(), 0);
    }
}

#[test]
fn the_middleware_signs_every_request_and_learns_skew_without_resending() {
    let server = Canned::start(|i, _| {
        let status = if i == 0 { 401 } else { 200 };
        Answer::new(status, "").header("Date", &http_date(-900))
    });
    let auth =
        Authenticator::new(DiscogsAuth::OAuth(oauth_signer())).user_agent("CountersignTests/1.0");
    let middleware = SigningMiddleware::new(auth);
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .middleware(middleware.clone())
        .build()
        .into();
    let first = agent.get(server.url()).call().unwrap();
    assert_eq!(first.status(), 401);
    assert_eq!(server.received().len(), 1, "the middleware cannot resend");
    let offset = middleware.authenticator().clock_offset();
    assert!((-902..=-898).contains(&offset), "{offset}");
    let second = agent
        .post(format!("{}/form", server.url()))
        .content_type("application/x-www-form-urlencoded")
        .send("a=1&b=2")
        .unwrap();
    assert_eq!(second.status(), 200);
    let received = server.received();
    let (t1, n1) = timestamp_and_nonce(&received[0]);
    let (t2, n2) = timestamp_and_nonce(&received[1]);
    assert_ne!(n1, n2);
    assert!((898..=902).contains(&(t1 - t2)), "{t1} -> {t2}");
    assert_eq!(received[1].body, b"a=1&b=2");
    assert!(
        received
            .iter()
            .all(|r| r.headers["user-agent"] == "CountersignTests/1.0")
    );
}

#[test]
fn a_middleware_signing_error_is_ureq_other() {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .middleware(SigningMiddleware::new(Authenticator::new(
            DiscogsAuth::OAuth(oauth_signer()),
        )))
        .build()
        .into();
    let err = agent.get("http://api.example.com/x").call().unwrap_err();
    let ureq::Error::Other(inner) = &err else {
        panic!("{err:?}")
    };
    let ours = inner.downcast_ref::<Error>().unwrap();
    assert!(matches!(
        ours,
        Error::Core(countersign::Error::Misuse(
            countersign::Misuse::InsecureTransport
        ))
    ));
}

#[test]
fn rate_limits_are_exposed_on_ureq_responses() {
    let server = Canned::start(|_, _| {
        Answer::new(200, "{}")
            .header("X-Discogs-Ratelimit", "60")
            .header("X-Discogs-Ratelimit-Used", "1")
            .header("X-Discogs-Ratelimit-Remaining", "59")
    });
    let response = agent().get(server.url()).call().unwrap();
    let limits = response.rate_limit().unwrap();
    assert_eq!(
        (limits.limit, limits.used, limits.remaining),
        (Some(60), Some(1), Some(59))
    );
}

#[test]
fn garbage_answers_are_parse_errors_with_a_redacted_excerpt() {
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
    );
    let err = client.request_token(CallbackMode::OutOfBand).unwrap_err();
    let Error::Parse { excerpt, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(
        excerpt,
        "<html><body>Welcome to the captive portal</body></html>"
    );
    let err = client.request_token(CallbackMode::OutOfBand).unwrap_err();
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

#[test]
fn the_client_sets_the_providers_user_agent_on_every_request() {
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
    );
    client.request_token(CallbackMode::OutOfBand).unwrap();
    let auth = DiscogsAuth::PersonalToken(Secret::new("PERSONALTOKEN"));
    client
        .send_with(&auth, Placement::Header, get(&format!("{base}/x")))
        .unwrap();
    client
        .authenticator(DiscogsAuth::None)
        .send(&agent(), get(&format!("{base}/y")))
        .unwrap();
    let received = server.received();
    assert_eq!(received.len(), 3);
    for r in received {
        assert_eq!(r.headers["user-agent"], "CountersignTests/1.0", "{r:?}");
    }
}
