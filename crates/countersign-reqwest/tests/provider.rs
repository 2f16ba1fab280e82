//! End to end against countersign-provider's local, Discogs-compatible provider, over real
//! loopback TCP: the flow with a callback URL and out of band, deny, an expired request token, a
//! wrong consumer secret, the Discogs credential modes, a provider that is down, a garbage
//! answer, the clock-skew retry, and a form POST.

mod common;

use std::sync::{Arc, Mutex};

use common::browser;
use countersign::discogs::{DiscogsAuth, Placement};
use countersign::flow::{CallbackMode, ProviderConfig};
use countersign::{ClientCredentials, Secret, Signer};
use countersign_provider::{
    DEFAULT_CONSUMER_KEY, DEFAULT_CONSUMER_NAME, DEFAULT_CONSUMER_SECRET, DEFAULT_USERNAME,
    LocalProvider, ManualClock, ProviderHandle, Refusal,
};
use countersign_reqwest::{
    Approval, Authenticator, Client, Error, RequestBuilderExt, ResponseExt, countersign,
    http_client_builder,
};

const UA: &str = "countersign-reqwest-tests/1.0";
const PERSONAL_TOKEN: &str = "PersonalTokenOfExample0123456789";

/// Refusals the provider logged, with their reasons.
type Refusals = Arc<Mutex<Vec<Refusal>>>;

async fn start(
    configure: impl FnOnce(countersign_provider::Builder) -> countersign_provider::Builder,
) -> (ProviderHandle, Refusals) {
    let refusals = Refusals::default();
    let log = refusals.clone();
    let builder = LocalProvider::builder()
        .personal_token(PERSONAL_TOKEN, 1)
        .on_refusal(move |r| log.lock().unwrap().push(r.clone()));
    let handle = configure(builder).start().await.unwrap();
    (handle, refusals)
}

fn config(provider: &ProviderHandle) -> ProviderConfig {
    ProviderConfig::discogs_at(provider.base_url(), provider.base_url(), UA)
}

fn discogs_client(provider: &ProviderHandle) -> Client {
    Client::new(
        config(provider),
        ClientCredentials::new(DEFAULT_CONSUMER_KEY, DEFAULT_CONSUMER_SECRET),
    )
    .unwrap()
}

/// The browser step, off the async runtime's thread.
async fn open(url: String) -> browser::Page {
    tokio::task::spawn_blocking(move || browser::get(&url))
        .await
        .unwrap()
}

#[tokio::test]
async fn full_flow_with_a_callback_url() {
    let (provider, refusals) = start(|b| b.auto_approve(true)).await;
    let client = discogs_client(&provider);
    let pending = client
        .request_token(CallbackMode::url("http://127.0.0.1:9/callback?state=xyz"))
        .await
        .unwrap();
    let page = open(pending.authorize_url()).await;
    assert_eq!(page.status, 302);
    let location = page.header("location").unwrap().to_owned();
    assert!(location.starts_with("http://127.0.0.1:9/callback?state=xyz&oauth_token="));

    let session = client
        .access_token(pending, Approval::Callback(&location))
        .await
        .unwrap();
    let me = client.identity(&session).await.unwrap();
    assert_eq!(me.username, DEFAULT_USERNAME);
    assert_eq!(me.consumer_name, DEFAULT_CONSUMER_NAME);

    let request = client
        .http()
        .get(provider.url("/database/search?q=blue+train"))
        .build()
        .unwrap();
    let found = client.send(&session, request).await.unwrap();
    assert_eq!(found.status(), 200, "{:?}", found.text());
    let limits = found.rate_limit().unwrap();
    assert_eq!(limits.limit, Some(60));
    assert!(limits.remaining.is_some());
    assert_eq!(
        refusals.lock().unwrap().len(),
        0,
        "{:?}",
        refusals.lock().unwrap()
    );
}

#[tokio::test]
async fn full_flow_out_of_band() {
    let (provider, _) = start(|b| b.auto_approve(true)).await;
    let client = discogs_client(&provider);
    let pending = client.request_token(CallbackMode::OutOfBand).await.unwrap();
    let page = open(pending.authorize_url()).await;
    assert_eq!(page.status, 200);
    // The code the user would copy from the page.
    let Ok(countersign::Callback::Approved { verifier, .. }) =
        countersign::Callback::parse(&page.body)
    else {
        panic!("{page:?}")
    };
    let session = client
        .access_token(
            pending,
            Approval::Verifier(&format!("  {}\n", verifier.expose_secret())),
        )
        .await
        .unwrap();
    assert_eq!(
        client.identity(&session).await.unwrap().username,
        DEFAULT_USERNAME
    );
}

#[tokio::test]
async fn deny() {
    let (provider, _) = start(|b| b.auto_approve(false)).await;
    let client = discogs_client(&provider);
    let pending = client
        .request_token(CallbackMode::url("http://127.0.0.1:9/callback"))
        .await
        .unwrap();
    let page = open(pending.authorize_url()).await;
    assert_eq!(page.status, 200);
    let form = format!(
        "oauth_token={}&csrf={}&decision=deny",
        pending.request_token(),
        page.input("csrf").unwrap()
    );
    let url = provider.url("/oauth/authorize");
    let answer = tokio::task::spawn_blocking(move || browser::post_form(&url, &form))
        .await
        .unwrap();
    let location = answer.header("location").unwrap().to_owned();
    assert!(location.contains("denied="), "{location}");
    let err = client
        .access_token(pending, Approval::Callback(&location))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Core(countersign::Error::Flow(countersign::FlowError::Denied))
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn an_expired_request_token() {
    // The client notices by itself, before sending anything.
    let clock = ManualClock::starting_now();
    let (provider, _) = start(|b| b.auto_approve(true).clock(clock.clone())).await;
    let client = Client::builder(
        config(&provider),
        ClientCredentials::new(DEFAULT_CONSUMER_KEY, DEFAULT_CONSUMER_SECRET),
    )
    .clock(clock.clone())
    .build()
    .unwrap();
    let pending = client.request_token(CallbackMode::OutOfBand).await.unwrap();
    let page = open(pending.authorize_url()).await;
    let Ok(countersign::Callback::Approved { verifier, .. }) =
        countersign::Callback::parse(&page.body)
    else {
        panic!("{page:?}")
    };
    clock.advance(15 * 60 + 1);
    let err = client
        .access_token(pending, Approval::Verifier(verifier.expose_secret()))
        .await
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
    })
    .await;
    let client = Client::builder(
        config(&provider),
        ClientCredentials::new(DEFAULT_CONSUMER_KEY, DEFAULT_CONSUMER_SECRET),
    )
    .clock(clock.clone())
    .build()
    .unwrap();
    let pending = client
        .request_token(CallbackMode::url("http://127.0.0.1:9/cb"))
        .await
        .unwrap();
    let page = open(pending.authorize_url()).await;
    let location = page.header("location").unwrap().to_owned();
    clock.advance(61);
    let err = client
        .access_token(pending, Approval::Callback(&location))
        .await
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

#[tokio::test]
async fn a_wrong_consumer_secret_carries_the_providers_message() {
    let (provider, refusals) = start(|b| b).await;
    let client = Client::new(
        config(&provider),
        ClientCredentials::new(DEFAULT_CONSUMER_KEY, "not-the-secret"),
    )
    .unwrap();
    let err = client
        .request_token(CallbackMode::OutOfBand)
        .await
        .unwrap_err();
    let provider_error = err.provider().unwrap_or_else(|| panic!("{err:?}"));
    assert_eq!(provider_error.status, 401);
    assert_eq!(
        provider_error.message.as_deref(),
        Some("Invalid signature.")
    );
    assert!(err.to_string().contains("Invalid signature."), "{err}");
    assert!(!format!("{err} {err:?}").contains("not-the-secret"));
    // No retry: the clocks agree.
    assert_eq!(refusals.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn personal_token_and_key_secret_requests_to_protected_resources() {
    let (provider, _) = start(|b| b).await;
    let client = discogs_client(&provider);
    let get = |path: &str| client.http().get(provider.url(path)).build().unwrap();
    let token = DiscogsAuth::PersonalToken(Secret::new(PERSONAL_TOKEN));
    let key_secret = DiscogsAuth::KeySecret(ClientCredentials::new(
        DEFAULT_CONSUMER_KEY,
        DEFAULT_CONSUMER_SECRET,
    ));

    for placement in [Placement::Header, Placement::Query] {
        let me = client
            .send_with(&token, placement, get("/oauth/identity"))
            .await
            .unwrap()
            .error_for_status()
            .unwrap();
        assert!(me.text().unwrap().contains(DEFAULT_USERNAME));
        assert!(me.rate_limit().is_some());

        let found = client
            .send_with(&key_secret, placement, get("/database/search?q=x"))
            .await
            .unwrap();
        assert_eq!(found.status(), 200, "{:?}", found.text());
    }
    // Key and secret carry no user identity.
    let anonymous = client
        .send_with(&key_secret, Placement::Header, get("/oauth/identity"))
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
    // Without credentials, a 401 with Discogs' JSON message.
    let err = client
        .send_with(
            &DiscogsAuth::None,
            Placement::Header,
            get("/oauth/identity"),
        )
        .await
        .unwrap()
        .error_for_status()
        .unwrap_err();
    assert_eq!(
        err.provider().and_then(|e| e.message.as_deref()),
        Some("You must authenticate to access this resource.")
    );
    // An authenticator from the client, through a plain request builder.
    let auth = client.authenticator(DiscogsAuth::PersonalToken(Secret::new(PERSONAL_TOKEN)));
    let me = client
        .http()
        .get(provider.url("/oauth/identity"))
        .send_signed(&auth)
        .await
        .unwrap();
    assert_eq!(me.status(), 200);
    assert!(me.rate_limit().is_some());
}

#[tokio::test]
async fn the_user_agent_is_set_on_every_request() {
    let (provider, _) = start(|b| b).await;
    // Discogs (and the local provider) refuse requests without one.
    let bare = http_client_builder()
        .build()
        .unwrap()
        .get(provider.url("/oauth/identity"))
        .send_signed(&Authenticator::new(DiscogsAuth::PersonalToken(
            Secret::new(PERSONAL_TOKEN),
        )))
        .await
        .unwrap();
    assert_eq!(bare.status(), 403);
    let client = discogs_client(&provider);
    let request = client
        .http()
        .get(provider.url("/oauth/identity"))
        .build()
        .unwrap();
    let response = client
        .send_with(
            &DiscogsAuth::PersonalToken(Secret::new(PERSONAL_TOKEN)),
            Placement::Header,
            request,
        )
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn a_provider_that_is_down_is_a_connection_error() {
    let (provider, _) = start(|b| b).await;
    let client = discogs_client(&provider);
    provider.shutdown().await.unwrap();
    let err = client
        .request_token(CallbackMode::OutOfBand)
        .await
        .unwrap_err();
    let Error::Transport(inner) = &err else {
        panic!("{err:?}")
    };
    assert!(inner.is_connect(), "{inner:?}");
}

#[tokio::test]
async fn a_garbage_answer_is_a_parse_error_with_the_raw_excerpt() {
    let (provider, _) = start(|b| b).await;
    // The search resource answers JSON where a token response belongs.
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
    )
    .unwrap();
    let err = client
        .request_token(CallbackMode::OutOfBand)
        .await
        .unwrap_err();
    let Error::Parse { excerpt, .. } = &err else {
        panic!("{err:?}")
    };
    assert!(excerpt.starts_with("{\"pagination\":"), "{excerpt}");
    assert!(err.to_string().contains(&format!("{excerpt:?}")), "{err}");
}

#[tokio::test]
async fn one_clock_skew_retry_then_the_answer_is_final() {
    let (provider, refusals) = start(|b| b.auto_approve(true)).await;
    let now = countersign::clock::Clock::now(&countersign::clock::SystemClock);
    // Our clock is ten minutes slow: the provider refuses, its Date tells by how much.
    let slow = move || now - 600;
    let client = Client::builder(
        config(&provider),
        ClientCredentials::new(DEFAULT_CONSUMER_KEY, DEFAULT_CONSUMER_SECRET),
    )
    .clock(slow)
    .build()
    .unwrap();
    let pending = client.request_token(CallbackMode::OutOfBand).await.unwrap();
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
    // The learned offset corrects later requests: no more refusals.
    let page = open(pending.authorize_url()).await;
    let Ok(countersign::Callback::Approved { verifier, .. }) =
        countersign::Callback::parse(&page.body)
    else {
        panic!("{page:?}")
    };
    let session = client
        .access_token(pending, Approval::Verifier(verifier.expose_secret()))
        .await
        .unwrap();
    client.identity(&session).await.unwrap();
    assert_eq!(refusals.lock().unwrap().len(), 1);

    // Skewed and wrong: the retry is refused too, and there is no third attempt.
    refusals.lock().unwrap().clear();
    let wrong = Client::builder(
        config(&provider),
        ClientCredentials::new(DEFAULT_CONSUMER_KEY, "not-the-secret"),
    )
    .clock(slow)
    .build()
    .unwrap();
    let err = wrong
        .request_token(CallbackMode::OutOfBand)
        .await
        .unwrap_err();
    assert_eq!(err.provider().map(|e| e.status), Some(401));
    assert_eq!(
        refusals.lock().unwrap().len(),
        2,
        "{:?}",
        refusals.lock().unwrap()
    );
}

#[tokio::test]
async fn a_form_post_is_signed_and_accepted() {
    let (provider, refusals) = start(|b| b).await;
    let client = ClientCredentials::new(DEFAULT_CONSUMER_KEY, DEFAULT_CONSUMER_SECRET);
    // The temporary-credentials request, with its parameters in a form body.
    let signer = Signer::new(&client).callback("oob").prepare().unwrap();
    let auth = Authenticator::new(DiscogsAuth::OAuth(signer)).user_agent(UA);
    let response = http_client_builder()
        .build()
        .unwrap()
        .post(provider.url("/oauth/request_token"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("x_extra=a+b&y=%F0%9F%8E%B5")
        .send_signed(&auth)
        .await
        .unwrap();
    let status = response.status();
    let body = response.text().await.unwrap();
    assert_eq!(status, 200, "{body} {:?}", refusals.lock().unwrap());
    assert!(body.contains("oauth_callback_confirmed=true"), "{body}");
}

/// HMAC-SHA1 signs the method, the URL and the form body: the provider recomputes it.
#[cfg(feature = "hmac-sha1")]
#[tokio::test]
async fn hmac_sha1_flow_and_a_signed_form_body() {
    use countersign::SignatureMethod;

    let (provider, refusals) = start(|b| b.auto_approve(true)).await;
    let client = Client::new(
        config(&provider).signature_method(SignatureMethod::HmacSha1),
        ClientCredentials::new(DEFAULT_CONSUMER_KEY, DEFAULT_CONSUMER_SECRET),
    )
    .unwrap();
    let pending = client
        .request_token(CallbackMode::url("http://127.0.0.1:9/cb"))
        .await
        .unwrap();
    let page = open(pending.authorize_url()).await;
    let location = page.header("location").unwrap().to_owned();
    let session = client
        .access_token(pending, Approval::Callback(&location))
        .await
        .unwrap();
    let request = client
        .http()
        .get(provider.url("/database/search?q=blue%20train&page=2"))
        .build()
        .unwrap();
    assert_eq!(client.send(&session, request).await.unwrap().status(), 200);

    let consumer = ClientCredentials::new(DEFAULT_CONSUMER_KEY, DEFAULT_CONSUMER_SECRET);
    let signer = Signer::new(&consumer)
        .signature_method(SignatureMethod::HmacSha1)
        .callback("oob")
        .prepare()
        .unwrap();
    let auth = Authenticator::new(DiscogsAuth::OAuth(signer)).user_agent(UA);
    let http = http_client_builder().build().unwrap();
    let post = |body: &'static str| {
        http.post(provider.url("/oauth/request_token"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
    };
    let accepted = post("x_extra=a+b&y=%F0%9F%8E%B5")
        .send_signed(&auth)
        .await
        .unwrap();
    assert_eq!(accepted.status(), 200, "{:?}", refusals.lock().unwrap());
    // The body is part of the signature: the same header on another body is refused.
    let (_, mut signed) = post("x_extra=a+b").build_signed(&auth).unwrap();
    *signed.body_mut() = Some("x_extra=tampered".into());
    let refused = http.execute(signed).await.unwrap();
    assert_eq!(refused.status(), 401);
}

#[tokio::test]
async fn expired_access_credentials_are_renewed_with_the_session_handle() {
    let clock = ManualClock::starting_now();
    let (provider, _) = start(|b| {
        b.auto_approve(true)
            .clock(clock.clone())
            .access_token_lifetime(60)
    })
    .await;
    let client = discogs_client(&provider);
    let pending = client
        .request_token(CallbackMode::url("http://127.0.0.1:9/cb"))
        .await
        .unwrap();
    let location = open(pending.authorize_url())
        .await
        .header("location")
        .unwrap()
        .to_owned();
    let session = client
        .access_token(pending, Approval::Callback(&location))
        .await
        .unwrap();
    assert_eq!(session.expires_in(), Some(60));
    assert!(session.session_handle().is_some());
    clock.advance(61);
    let err = client.identity(&session).await.unwrap_err();
    assert_eq!(
        err.provider().and_then(|e| e.problem.as_deref()),
        Some("token_expired"),
        "{err:?}"
    );
    let renewed = client.renew(session).await.unwrap();
    assert_eq!(
        client.identity(&renewed).await.unwrap().username,
        DEFAULT_USERNAME
    );
}

#[tokio::test]
async fn provider_clock_shifted_exactly_one_retry() {
    // The provider's clock, not ours, is ten minutes ahead; its Date header says so.
    let now = countersign::clock::Clock::now(&countersign::clock::SystemClock);
    let ahead = countersign_provider::ManualClock::new(now + 600);
    let (provider, refusals) = start(|b| b.auto_approve(true).clock(ahead)).await;
    let client = Client::new(
        config(&provider),
        ClientCredentials::new(DEFAULT_CONSUMER_KEY, DEFAULT_CONSUMER_SECRET),
    )
    .unwrap();
    client.request_token(CallbackMode::OutOfBand).await.unwrap();
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
}
