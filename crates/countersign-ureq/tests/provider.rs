//! End to end against countersign-provider's local, Discogs-compatible provider, over real
//! loopback TCP: the flow with a callback URL and out of band, deny, an expired request token, a
//! wrong consumer secret, the Discogs credential modes, a provider that is down, a garbage
//! answer, the clock-skew retry, and a form POST.

mod common;

use std::sync::{Arc, Mutex};

use common::browser;
use countersign::discogs::{DiscogsAuth, Placement};
use countersign::flow::{CallbackMode, ProviderConfig};
use countersign::{Callback, ClientCredentials, Secret, Signer};
use countersign_provider::{
    BlockingProviderHandle, Builder, DEFAULT_CONSUMER_KEY, DEFAULT_CONSUMER_NAME,
    DEFAULT_CONSUMER_SECRET, DEFAULT_USERNAME, LocalProvider, ManualClock, Refusal,
};
use countersign_ureq::middleware::SigningMiddleware;
use countersign_ureq::{Approval, Authenticator, Client, Error, ResponseExt, agent, countersign};

const UA: &str = "countersign-ureq-tests/1.0";
const PERSONAL_TOKEN: &str = "PersonalTokenOfExample0123456789";

/// Refusals the provider logged, with their reasons.
type Refusals = Arc<Mutex<Vec<Refusal>>>;

fn start(configure: impl FnOnce(Builder) -> Builder) -> (BlockingProviderHandle, Refusals) {
    let refusals = Refusals::default();
    let log = refusals.clone();
    let builder = LocalProvider::builder()
        .personal_token(PERSONAL_TOKEN, 1)
        .on_refusal(move |r| log.lock().unwrap().push(r.clone()));
    (configure(builder).start_blocking().unwrap(), refusals)
}

fn config(provider: &BlockingProviderHandle) -> ProviderConfig {
    ProviderConfig::discogs_at(provider.base_url(), provider.base_url(), UA)
}

fn discogs_client(provider: &BlockingProviderHandle) -> Client {
    Client::new(
        config(provider),
        ClientCredentials::new(DEFAULT_CONSUMER_KEY, DEFAULT_CONSUMER_SECRET),
    )
}

fn get(url: String) -> http::Request<()> {
    http::Request::get(url).body(()).unwrap()
}

/// The verifier an out-of-band page shows.
fn shown_verifier(page: &browser::Page) -> String {
    let Ok(Callback::Approved { verifier, .. }) = Callback::parse(&page.body) else {
        panic!("{page:?}")
    };
    verifier.expose_secret().to_owned()
}

#[test]
fn full_flow_with_a_callback_url() {
    let (provider, refusals) = start(|b| b.auto_approve(true));
    let client = discogs_client(&provider);
    let pending = client
        .request_token(CallbackMode::url("http://127.0.0.1:9/callback?state=xyz"))
        .unwrap();
    let page = browser::get(&pending.authorize_url());
    assert_eq!(page.status, 302);
    let location = page.header("location").unwrap().to_owned();
    assert!(location.starts_with("http://127.0.0.1:9/callback?state=xyz&oauth_token="));

    let session = client
        .access_token(pending, Approval::Callback(&location))
        .unwrap();
    let me = client.identity(&session).unwrap();
    assert_eq!(me.username, DEFAULT_USERNAME);
    assert_eq!(me.consumer_name, DEFAULT_CONSUMER_NAME);

    let found = client
        .send(&session, get(provider.url("/database/search?q=blue+train")))
        .unwrap();
    assert_eq!(found.status(), 200, "{:?}", found.text());
    let limits = found.rate_limit().unwrap();
    assert_eq!(limits.limit, Some(60));
    assert!(refusals.lock().unwrap().is_empty());
}

#[test]
fn full_flow_out_of_band() {
    let (provider, _) = start(|b| b.auto_approve(true));
    let client = discogs_client(&provider);
    let pending = client.request_token(CallbackMode::OutOfBand).unwrap();
    let page = browser::get(&pending.authorize_url());
    assert_eq!(page.status, 200);
    let verifier = shown_verifier(&page);
    let session = client
        .access_token(pending, Approval::Verifier(&format!("  {verifier}\n")))
        .unwrap();
    assert_eq!(
        client.identity(&session).unwrap().username,
        DEFAULT_USERNAME
    );
}

#[test]
fn deny() {
    let (provider, _) = start(|b| b.auto_approve(false));
    let client = discogs_client(&provider);
    let pending = client
        .request_token(CallbackMode::url("http://127.0.0.1:9/callback"))
        .unwrap();
    let page = browser::get(&pending.authorize_url());
    assert_eq!(page.status, 200);
    let form = format!(
        "oauth_token={}&csrf={}&decision=deny",
        pending.request_token(),
        page.input("csrf").unwrap()
    );
    let answer = browser::post_form(&provider.url("/oauth/authorize"), &form);
    let location = answer.header("location").unwrap();
    assert!(location.contains("denied="), "{location}");
    let err = client
        .access_token(pending, Approval::Callback(location))
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Core(countersign::Error::Flow(countersign::FlowError::Denied))
        ),
        "{err:?}"
    );
}

#[test]
fn an_expired_request_token() {
    // The client notices by itself, before sending anything.
    let clock = ManualClock::starting_now();
    let (provider, _) = start(|b| b.auto_approve(true).clock(clock.clone()));
    let client = Client::builder(
        config(&provider),
        ClientCredentials::new(DEFAULT_CONSUMER_KEY, DEFAULT_CONSUMER_SECRET),
    )
    .clock(clock.clone())
    .build();
    let pending = client.request_token(CallbackMode::OutOfBand).unwrap();
    let verifier = shown_verifier(&browser::get(&pending.authorize_url()));
    clock.advance(15 * 60 + 1);
    let err = client
        .access_token(pending, Approval::Verifier(&verifier))
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Core(countersign::Error::Flow(
                countersign::FlowError::RequestTokenExpired
            ))
        ),
        "{err:?}"
    );

    // The provider's rule is stricter than the client's: it refuses, and says why. Both clocks
    // move together (the provider's Date follows its clock), so there is no skew to retry for.
    let clock = ManualClock::starting_now();
    let (provider, refusals) = start(|b| {
        b.auto_approve(true)
            .clock(clock.clone())
            .request_token_lifetime(60)
    });
    let client = Client::builder(
        config(&provider),
        ClientCredentials::new(DEFAULT_CONSUMER_KEY, DEFAULT_CONSUMER_SECRET),
    )
    .clock(clock.clone())
    .build();
    let pending = client
        .request_token(CallbackMode::url("http://127.0.0.1:9/cb"))
        .unwrap();
    let page = browser::get(&pending.authorize_url());
    let location = page.header("location").unwrap().to_owned();
    clock.advance(61);
    let err = client
        .access_token(pending, Approval::Callback(&location))
        .unwrap_err();
    let provider_error = err.provider().unwrap_or_else(|| panic!("{err:?}"));
    assert!(matches!(provider_error.status, 400 | 401), "{err:?}");
    assert_eq!(
        provider_error.message.as_deref(),
        Some("Invalid or expired token.")
    );
    let refusals = refusals.lock().unwrap();
    assert_eq!(refusals.len(), 1, "no retry: {refusals:?}");
    assert!(refusals[0].reason.contains("expired"), "{refusals:?}");
}

#[test]
fn a_wrong_consumer_secret_carries_the_providers_message() {
    let (provider, refusals) = start(|b| b);
    let client = Client::new(
        config(&provider),
        ClientCredentials::new(DEFAULT_CONSUMER_KEY, "not-the-secret"),
    );
    let err = client.request_token(CallbackMode::OutOfBand).unwrap_err();
    let provider_error = err.provider().unwrap_or_else(|| panic!("{err:?}"));
    assert_eq!(provider_error.status, 401);
    assert_eq!(
        provider_error.message.as_deref(),
        Some("Invalid signature.")
    );
    assert!(err.to_string().contains("Invalid signature."), "{err}");
    assert!(!format!("{err} {err:?}").contains("not-the-secret"));
    assert_eq!(refusals.lock().unwrap().len(), 1);
}

#[test]
fn personal_token_and_key_secret_requests_to_protected_resources() {
    let (provider, _) = start(|b| b);
    let client = discogs_client(&provider);
    let token = DiscogsAuth::PersonalToken(Secret::new(PERSONAL_TOKEN));
    let key_secret = DiscogsAuth::KeySecret(ClientCredentials::new(
        DEFAULT_CONSUMER_KEY,
        DEFAULT_CONSUMER_SECRET,
    ));
    for placement in [Placement::Header, Placement::Query] {
        let me = client
            .send_with(&token, placement, get(provider.url("/oauth/identity")))
            .unwrap()
            .error_for_status()
            .unwrap();
        assert!(me.text().unwrap().contains(DEFAULT_USERNAME));
        assert!(me.rate_limit().is_some());
        let found = client
            .send_with(
                &key_secret,
                placement,
                get(provider.url("/database/search?q=x")),
            )
            .unwrap();
        assert_eq!(found.status(), 200, "{:?}", found.text());
    }
    let anonymous = client
        .send_with(
            &key_secret,
            Placement::Header,
            get(provider.url("/oauth/identity")),
        )
        .unwrap();
    assert_eq!(anonymous.status(), 401);
    let err = client
        .send_with(
            &DiscogsAuth::None,
            Placement::Header,
            get(provider.url("/oauth/identity")),
        )
        .unwrap()
        .error_for_status()
        .unwrap_err();
    assert_eq!(
        err.provider().and_then(|e| e.message.as_deref()),
        Some("You must authenticate to access this resource.")
    );
    // Every request of an agent, through the middleware, with the client's User-Agent.
    let auth = client.authenticator(DiscogsAuth::PersonalToken(Secret::new(PERSONAL_TOKEN)));
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .middleware(SigningMiddleware::new(auth))
        .build()
        .into();
    let me = agent.get(provider.url("/oauth/identity")).call().unwrap();
    assert!(me.rate_limit().is_some());
}

#[test]
fn a_provider_that_is_down_is_a_connection_error() {
    let (provider, _) = start(|b| b);
    let client = discogs_client(&provider);
    provider.shutdown().unwrap();
    let err = client.request_token(CallbackMode::OutOfBand).unwrap_err();
    assert!(
        matches!(
            &err,
            Error::Transport(ureq::Error::Io(_) | ureq::Error::ConnectionFailed)
        ),
        "{err:?}"
    );
}

#[test]
fn a_garbage_answer_is_a_parse_error_with_the_raw_excerpt() {
    let (provider, _) = start(|b| b);
    let config = ProviderConfig::new(
        provider.url("/database/search?q=garbage"),
        provider.url("/oauth/authorize"),
        provider.url("/oauth/access_token"),
    )
    .request_token_method("GET")
    .user_agent(UA);
    let client = Client::new(
        config,
        ClientCredentials::new(DEFAULT_CONSUMER_KEY, DEFAULT_CONSUMER_SECRET),
    );
    let err = client.request_token(CallbackMode::OutOfBand).unwrap_err();
    let Error::Parse { excerpt, .. } = &err else {
        panic!("{err:?}")
    };
    assert!(excerpt.starts_with("{\"pagination\":"), "{excerpt}");
    assert!(err.to_string().contains(&format!("{excerpt:?}")), "{err}");
}

#[test]
fn one_clock_skew_retry_then_the_answer_is_final() {
    let (provider, refusals) = start(|b| b.auto_approve(true));
    let now = countersign::clock::Clock::now(&countersign::clock::SystemClock);
    // Our clock is ten minutes slow: the provider refuses, its Date tells by how much.
    let slow = move || now - 600;
    let client = Client::builder(
        config(&provider),
        ClientCredentials::new(DEFAULT_CONSUMER_KEY, DEFAULT_CONSUMER_SECRET),
    )
    .clock(slow)
    .build();
    let pending = client.request_token(CallbackMode::OutOfBand).unwrap();
    assert_eq!(
        refusals.lock().unwrap().len(),
        1,
        "one refusal, then one retry"
    );
    assert!((598..=602).contains(&client.clock_offset()));
    let verifier = shown_verifier(&browser::get(&pending.authorize_url()));
    let session = client
        .access_token(pending, Approval::Verifier(&verifier))
        .unwrap();
    client.identity(&session).unwrap();
    assert_eq!(refusals.lock().unwrap().len(), 1);

    refusals.lock().unwrap().clear();
    let wrong = Client::builder(
        config(&provider),
        ClientCredentials::new(DEFAULT_CONSUMER_KEY, "not-the-secret"),
    )
    .clock(slow)
    .build();
    let err = wrong.request_token(CallbackMode::OutOfBand).unwrap_err();
    assert_eq!(err.provider().map(|e| e.status), Some(401));
    assert_eq!(refusals.lock().unwrap().len(), 2);
}

#[test]
fn a_form_post_is_signed_and_accepted() {
    let (provider, refusals) = start(|b| b);
    let consumer = ClientCredentials::new(DEFAULT_CONSUMER_KEY, DEFAULT_CONSUMER_SECRET);
    // The temporary-credentials request, with its parameters in a form body.
    let signer = Signer::new(&consumer).callback("oob").prepare().unwrap();
    let auth = Authenticator::new(DiscogsAuth::OAuth(signer)).user_agent(UA);
    let request = http::Request::post(provider.url("/oauth/request_token"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("x_extra=a+b&y=%F0%9F%8E%B5")
        .unwrap();
    let response = auth.send(&agent(), request).unwrap();
    assert_eq!(response.status(), 200, "{:?}", refusals.lock().unwrap());
    assert!(
        response
            .text()
            .unwrap()
            .contains("oauth_callback_confirmed=true")
    );
}

/// HMAC-SHA1 signs the method, the URL and the form body: the provider recomputes it.
#[cfg(feature = "hmac-sha1")]
#[test]
fn hmac_sha1_flow_and_a_signed_form_body() {
    use countersign::SignatureMethod;

    let (provider, refusals) = start(|b| b.auto_approve(true));
    let client = Client::new(
        config(&provider).signature_method(SignatureMethod::HmacSha1),
        ClientCredentials::new(DEFAULT_CONSUMER_KEY, DEFAULT_CONSUMER_SECRET),
    );
    let pending = client
        .request_token(CallbackMode::url("http://127.0.0.1:9/cb"))
        .unwrap();
    let location = browser::get(&pending.authorize_url())
        .header("location")
        .unwrap()
        .to_owned();
    let session = client
        .access_token(pending, Approval::Callback(&location))
        .unwrap();
    let found = client
        .send(
            &session,
            get(provider.url("/database/search?q=blue%20train&page=2")),
        )
        .unwrap();
    assert_eq!(found.status(), 200);

    let hmac = || {
        let consumer = ClientCredentials::new(DEFAULT_CONSUMER_KEY, DEFAULT_CONSUMER_SECRET);
        let signer = Signer::new(&consumer)
            .signature_method(SignatureMethod::HmacSha1)
            .callback("oob")
            .prepare()
            .unwrap();
        Authenticator::new(DiscogsAuth::OAuth(signer)).user_agent(UA)
    };
    let auth = hmac();
    let form = |body: &'static str| {
        http::Request::post(provider.url("/oauth/request_token"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .unwrap()
    };
    let accepted = auth
        .send(&agent(), form("x_extra=a+b&y=%F0%9F%8E%B5"))
        .unwrap();
    assert_eq!(accepted.status(), 200, "{:?}", refusals.lock().unwrap());
    // Through the middleware, which reads the form body to sign it.
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .middleware(SigningMiddleware::new(hmac()))
        .build()
        .into();
    let through = agent
        .post(provider.url("/oauth/request_token"))
        .content_type("application/x-www-form-urlencoded")
        .send("x_extra=c+d")
        .unwrap();
    assert_eq!(through.status(), 200, "{:?}", refusals.lock().unwrap());
    // The body is part of the signature: the same header on another body is refused.
    let mut signed = form("x_extra=a+b");
    auth.sign(&mut signed).unwrap();
    let (parts, _) = signed.into_parts();
    let tampered = http::Request::from_parts(parts, "x_extra=tampered");
    let refused = countersign_ureq::agent().run(tampered).unwrap();
    assert_eq!(refused.status(), 401);
}

#[test]
fn expired_access_credentials_are_renewed_with_the_session_handle() {
    let clock = ManualClock::starting_now();
    let (provider, _) = start(|b| {
        b.auto_approve(true)
            .clock(clock.clone())
            .access_token_lifetime(60)
    });
    let client = discogs_client(&provider);
    let pending = client
        .request_token(CallbackMode::url("http://127.0.0.1:9/cb"))
        .unwrap();
    let page = browser::get(&pending.authorize_url());
    let session = client
        .access_token(
            pending,
            Approval::Callback(page.header("location").unwrap()),
        )
        .unwrap();
    assert_eq!(session.expires_in(), Some(60));
    assert!(session.session_handle().is_some());
    clock.advance(61);
    let err = client.identity(&session).unwrap_err();
    assert_eq!(
        err.provider().and_then(|e| e.problem.as_deref()),
        Some("token_expired"),
        "{err:?}"
    );
    let renewed = client.renew(session).unwrap();
    assert_eq!(
        client.identity(&renewed).unwrap().username,
        DEFAULT_USERNAME
    );
}

#[test]
fn provider_clock_shifted_exactly_one_retry() {
    // The provider's clock, not ours, is ten minutes ahead; its Date header says so.
    let now = countersign::clock::Clock::now(&countersign::clock::SystemClock);
    let ahead = countersign_provider::ManualClock::new(now + 600);
    let (provider, refusals) = start(|b| b.auto_approve(true).clock(ahead));
    let client = Client::new(
        config(&provider),
        ClientCredentials::new(DEFAULT_CONSUMER_KEY, DEFAULT_CONSUMER_SECRET),
    );
    let pending = client.request_token(CallbackMode::OutOfBand).unwrap();
    assert_eq!(
        refusals.lock().unwrap().len(),
        1,
        "one refusal, then one retry"
    );
    assert!(
        (598..=602).contains(&client.clock_offset()),
        "{}",
        client.clock_offset()
    );
    let verifier = shown_verifier(&browser::get(&pending.authorize_url()));
    let session = client
        .access_token(pending, Approval::Verifier(&verifier))
        .unwrap();
    client.identity(&session).unwrap();
    assert_eq!(
        refusals.lock().unwrap().len(),
        1,
        "the offset, once learned, is kept"
    );
}
