//! The `blocking` API end to end against countersign-provider's local provider, over real
//! loopback TCP.

#![cfg(feature = "blocking")]

mod common;

use std::sync::{Arc, Mutex};

use common::browser;
use countersign::discogs::{DiscogsAuth, Placement};
use countersign::flow::{CallbackMode, ProviderConfig};
use countersign::{Callback, ClientCredentials, Secret, Signer};
use countersign_provider::{
    BlockingProviderHandle, Builder, DEFAULT_CONSUMER_KEY, DEFAULT_CONSUMER_SECRET,
    DEFAULT_USERNAME, LocalProvider, Refusal,
};
use countersign_reqwest::blocking::{Client, RequestBuilderExt, http_client_builder};
use countersign_reqwest::{Approval, Authenticator, Error, countersign};

const UA: &str = "countersign-reqwest-tests/1.0";
const PERSONAL_TOKEN: &str = "PersonalTokenOfExample0123456789";

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

fn discogs_client(provider: &BlockingProviderHandle, secret: &str) -> Client {
    Client::new(
        config(provider),
        ClientCredentials::new(DEFAULT_CONSUMER_KEY, secret),
    )
    .unwrap()
}

#[test]
fn full_flow_with_a_callback_url_and_out_of_band() {
    let (provider, refusals) = start(|b| b.auto_approve(true));
    let client = discogs_client(&provider, DEFAULT_CONSUMER_SECRET);

    let pending = client
        .request_token(CallbackMode::url("http://127.0.0.1:9/callback"))
        .unwrap();
    let page = browser::get(&pending.authorize_url());
    let location = page.header("location").unwrap().to_owned();
    let session = client
        .access_token(pending, Approval::Callback(&location))
        .unwrap();
    assert_eq!(
        client.identity(&session).unwrap().username,
        DEFAULT_USERNAME
    );
    let request = client
        .http()
        .get(provider.url("/database/search?q=x"))
        .build()
        .unwrap();
    let found = client.send(&session, request).unwrap();
    assert_eq!(found.status(), 200);
    assert!(found.rate_limit().is_some());

    let pending = client.request_token(CallbackMode::OutOfBand).unwrap();
    let page = browser::get(&pending.authorize_url());
    let Ok(Callback::Approved { verifier, .. }) = Callback::parse(&page.body) else {
        panic!("{page:?}")
    };
    let session = client
        .access_token(pending, Approval::Verifier(verifier.expose_secret()))
        .unwrap();
    assert_eq!(
        client.identity(&session).unwrap().username,
        DEFAULT_USERNAME
    );
    assert!(refusals.lock().unwrap().is_empty());
}

#[test]
fn deny() {
    let (provider, _) = start(|b| b.auto_approve(false));
    let client = discogs_client(&provider, DEFAULT_CONSUMER_SECRET);
    let pending = client
        .request_token(CallbackMode::url("http://127.0.0.1:9/callback"))
        .unwrap();
    let page = browser::get(&pending.authorize_url());
    let form = format!(
        "oauth_token={}&csrf={}&decision=deny",
        pending.request_token(),
        page.input("csrf").unwrap()
    );
    let answer = browser::post_form(&provider.url("/oauth/authorize"), &form);
    let location = answer.header("location").unwrap();
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
fn a_wrong_consumer_secret_carries_the_providers_message() {
    let (provider, _) = start(|b| b);
    let client = discogs_client(&provider, "not-the-secret");
    let err = client.request_token(CallbackMode::OutOfBand).unwrap_err();
    let provider_error = err.provider().unwrap_or_else(|| panic!("{err:?}"));
    assert_eq!(provider_error.status, 401);
    assert_eq!(
        provider_error.message.as_deref(),
        Some("Invalid signature.")
    );
}

#[test]
fn personal_token_and_key_secret_requests() {
    let (provider, _) = start(|b| b);
    let client = discogs_client(&provider, DEFAULT_CONSUMER_SECRET);
    let get = |path: &str| client.http().get(provider.url(path)).build().unwrap();
    let token = DiscogsAuth::PersonalToken(Secret::new(PERSONAL_TOKEN));
    let me = client
        .send_with(&token, Placement::Query, get("/oauth/identity"))
        .unwrap()
        .error_for_status()
        .unwrap();
    assert!(me.text().unwrap().contains(DEFAULT_USERNAME));
    let key_secret = DiscogsAuth::KeySecret(ClientCredentials::new(
        DEFAULT_CONSUMER_KEY,
        DEFAULT_CONSUMER_SECRET,
    ));
    let found = client
        .send_with(&key_secret, Placement::Header, get("/database/search?q=x"))
        .unwrap();
    assert_eq!(found.status(), 200);
}

#[test]
fn a_provider_that_is_down_is_a_connection_error() {
    let (provider, _) = start(|b| b);
    let client = discogs_client(&provider, DEFAULT_CONSUMER_SECRET);
    provider.shutdown().unwrap();
    let err = client.request_token(CallbackMode::OutOfBand).unwrap_err();
    assert!(
        matches!(&err, Error::Transport(e) if e.is_connect()),
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
    )
    .unwrap();
    let err = client.request_token(CallbackMode::OutOfBand).unwrap_err();
    let Error::Parse { excerpt, .. } = &err else {
        panic!("{err:?}")
    };
    assert!(excerpt.starts_with("{\"pagination\":"), "{excerpt}");
}

#[test]
fn one_clock_skew_retry() {
    let (provider, refusals) = start(|b| b);
    let now = countersign::clock::Clock::now(&countersign::clock::SystemClock);
    let client = Client::builder(
        config(&provider),
        ClientCredentials::new(DEFAULT_CONSUMER_KEY, DEFAULT_CONSUMER_SECRET),
    )
    .clock(move || now + 900)
    .build()
    .unwrap();
    client.request_token(CallbackMode::OutOfBand).unwrap();
    assert_eq!(refusals.lock().unwrap().len(), 1);
    assert!((-902..=-898).contains(&client.clock_offset()));
}

#[test]
fn a_form_post_is_signed_and_accepted() {
    let (provider, _) = start(|b| b);
    let consumer = ClientCredentials::new(DEFAULT_CONSUMER_KEY, DEFAULT_CONSUMER_SECRET);
    let signer = Signer::new(&consumer).callback("oob").prepare().unwrap();
    let auth = Authenticator::new(DiscogsAuth::OAuth(signer)).user_agent(UA);
    let response = http_client_builder()
        .build()
        .unwrap()
        .post(provider.url("/oauth/request_token"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("x_extra=a+b")
        .send_signed(&auth)
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(
        response
            .text()
            .unwrap()
            .contains("oauth_callback_confirmed=true")
    );
}
