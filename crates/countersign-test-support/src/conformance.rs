//! The one conformance suite: what every transport must do, run once per transport by
//! [`conformance_suite!`](crate::conformance_suite).
//!
//! Each behaviour is an `async fn` over a [`Harness`]: the whole flow with a callback URL and out
//! of band, denial, expiry, a wrong secret, the credential modes, the User-Agent, the clock-skew
//! retry, redirects, bodies on the wire, a provider that is down, garbage answers, rate limits,
//! renewal, and no secret in any output; against the local provider, small canned servers, and
//! (ignored unless Python's oauthlib is there) an implementation nobody here wrote. A blocking
//! transport runs them through [`Blocking`](countersign::client::Blocking), whose futures are
//! always ready, polled once by [`block_on`].

use std::future::Future;
use std::pin::pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};

use countersign::auth::{Auth, Placement};
use countersign::client::{AsyncClient, AsyncTransport, ClientBuilder, Error};
use countersign::clock::{Clock, SystemClock};
use countersign::flow::{Approval, Authorize, CallbackMode, Session};
use countersign::nonce::NonceSource;
use countersign::profile::Profile;
use countersign::{
    Callback, ClientCredentials, FlowError, Misuse, Secret, SignatureMethod, Signer, discogs,
};
use countersign_provider::{
    BlockingProviderHandle, Builder, DEFAULT_CONSUMER_KEY, DEFAULT_CONSUMER_NAME,
    DEFAULT_CONSUMER_SECRET, DEFAULT_USERNAME, LocalProvider, ManualClock, Refusal,
};

use crate::browser;
use crate::canned::{Answer, Canned, closed_port, http_date};
use crate::fixtures::{counting_nonces, oauth, timestamp_and_nonce};
use crate::oauthlib::{CLIENT_KEY, CLIENT_SECRET, Oauthlib};

/// A transport under test.
pub trait Harness {
    /// The transport, as an async one (a blocking one in [`Blocking`](countersign::client::Blocking)).
    type Transport: AsyncTransport<Response = http::Response<Vec<u8>>, Error = Self::Error>
        + std::fmt::Debug;
    /// What it reports when it fails.
    type Error: std::error::Error + 'static;

    /// A transport as a user would make one, with its defaults.
    fn transport() -> Self::Transport;

    /// Whether `error` says that nothing accepted the connection.
    fn is_connection_refused(error: &Self::Error) -> bool;
}

/// Runs `future` to its end, in one poll: every `.await` of a behaviour over a blocking
/// transport is on an always-ready future.
///
/// # Panics
/// When the future waits: a blocking transport's futures never do.
pub fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(out) => out,
        Poll::Pending => panic!("a blocking transport's future waited"),
    }
}

/// Generates one test per behaviour of the suite for the [`Harness`] `$harness`: `async`
/// transports run under `#[tokio::test]` (the calling crate needs tokio with `macros` and `rt`),
/// `blocking` ones under `#[test]` with [`block_on`]. The interoperability behaviours are
/// `#[ignore]`d: `.ci/run` runs them with `--ignored` and Python's oauthlib.
#[macro_export]
macro_rules! conformance_suite {
    (async $harness:ty) => {
        $crate::conformance_suite!(@each [async] $harness);
    };
    (blocking $harness:ty) => {
        $crate::conformance_suite!(@each [blocking] $harness);
    };
    (@each [$kind:ident] $harness:ty) => {
        $crate::conformance_suite!(@tests [$kind] $harness;
            full_flow_with_a_callback_url,
            full_flow_out_of_band,
            deny,
            an_expired_request_token,
            a_wrong_consumer_secret_carries_the_providers_message,
            personal_token_and_consumer_key_requests,
            the_user_agent_is_set_on_every_request,
            a_provider_that_is_down_is_a_connection_error,
            a_garbage_answer_is_unexpected_with_the_raw_excerpt,
            captive_portals_and_unconfirmed_callbacks_are_unexpected,
            one_clock_skew_retry_then_the_answer_is_final,
            the_provider_clock_shifted_exactly_one_retry,
            a_skewed_401_on_a_resource_is_retried_once_with_a_fresh_nonce,
            no_retry_without_skew_or_for_other_statuses_or_modes,
            same_origin_redirects_are_followed_re_signed,
            redirects_to_another_origin_are_never_followed,
            a_form_post_is_signed_and_accepted,
            hmac_sha1_flow_and_a_signed_form_body,
            bodies_on_the_wire,
            expired_access_credentials_are_renewed,
            rate_limits_are_read,
            no_secret_in_any_output,
        );
        $crate::conformance_suite!(@ignored [$kind] $harness;
            oauthlib_full_flow_with_a_callback_url,
            oauthlib_full_flow_out_of_band,
            oauthlib_refuses_a_wrong_secret_and_a_replayed_verifier,
            oauthlib_hmac_flows_and_form_post,
        );
    };
    (@tests [async] $harness:ty; $($name:ident),* $(,)?) => {$(
        #[tokio::test]
        async fn $name() {
            $crate::conformance::$name::<$harness>().await;
        }
    )*};
    (@tests [blocking] $harness:ty; $($name:ident),* $(,)?) => {$(
        #[test]
        fn $name() {
            $crate::conformance::block_on($crate::conformance::$name::<$harness>());
        }
    )*};
    (@ignored [async] $harness:ty; $($name:ident),* $(,)?) => {$(
        #[tokio::test]
        #[ignore = "needs Python's oauthlib: .ci/run sets COUNTERSIGN_OAUTHLIB_PYTHON"]
        async fn $name() {
            $crate::conformance::$name::<$harness>().await;
        }
    )*};
    (@ignored [blocking] $harness:ty; $($name:ident),* $(,)?) => {$(
        #[test]
        #[ignore = "needs Python's oauthlib: .ci/run sets COUNTERSIGN_OAUTHLIB_PYTHON"]
        fn $name() {
            $crate::conformance::block_on($crate::conformance::$name::<$harness>());
        }
    )*};
}

pub use crate::fixtures::UA;
/// A personal token the local provider knows.
const PERSONAL_TOKEN: &str = "PersonalTokenOfExample0123456789";
/// What no output may ever show.
const SECRETS: [&str; 4] = [
    "CONSUMERSECRET",
    "TOKENSECRET",
    "PERSONALTOKEN",
    "not-the-secret",
];

/// Refusals the provider logged, with their reasons.
type Refusals = Arc<Mutex<Vec<Refusal>>>;

fn start(configure: impl FnOnce(Builder) -> Builder) -> (BlockingProviderHandle, Refusals) {
    let refusals = Refusals::default();
    let log = refusals.clone();
    let builder = LocalProvider::builder()
        .personal_token(PERSONAL_TOKEN, 1)
        .on_refusal(move |r| log.lock().unwrap().push(r.clone()));
    let handle = configure(builder).start_blocking().unwrap();
    (handle, refusals)
}

fn refusals_of(refusals: &Refusals) -> Vec<Refusal> {
    refusals.lock().unwrap().clone()
}

/// One refusal (then one retry that was accepted), and ten minutes of offset learned.
fn assert_one_retry(refusals: &Refusals, offset: i64) {
    assert_eq!(
        refusals_of(refusals).len(),
        1,
        "one refusal, then one retry"
    );
    assert!((598..=602).contains(&offset), "{offset}");
}

/// The Discogs profile on `base` (the local provider, or a canned server).
fn profile(base: &str) -> Profile {
    discogs::profile_at(base, base, UA).unwrap()
}

fn credentials() -> ClientCredentials {
    ClientCredentials::new(DEFAULT_CONSUMER_KEY, DEFAULT_CONSUMER_SECRET)
}

fn builder<H: Harness>(
    profile: Profile,
    credentials: ClientCredentials,
) -> ClientBuilder<H::Transport> {
    ClientBuilder::new(H::transport(), profile, credentials)
}

fn client_for<H: Harness>(base: &str) -> AsyncClient<H::Transport> {
    builder::<H>(profile(base), credentials()).build()
}

fn assert_no_secret(shown: &str) {
    for secret in SECRETS {
        assert!(!shown.contains(secret), "a secret leaked: {shown}");
    }
}

/// The code the out-of-band page shows the user.
fn shown_verifier(page: &browser::Page) -> String {
    let Ok(Callback::Approved { verifier, .. }) = Callback::parse(&page.body) else {
        panic!("no code on the page: {page:?}")
    };
    verifier.expose_secret().to_owned()
}

fn get(url: &str) -> http::Request<()> {
    http::Request::get(url).body(()).unwrap()
}

fn form_post(url: &str, body: &'static str) -> http::Request<&'static str> {
    http::Request::post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .unwrap()
}

/// Asserts that `err` is the core's flow outcome `expected`.
fn assert_flow<E: std::fmt::Debug>(err: &Error<E>, expected: &FlowError) {
    let matched = matches!(err, Error::Core(countersign::Error::Flow(e)) if e == expected);
    assert!(matched, "{err:?}");
}

/// Where the browser is sent back to once the (auto-approving) provider approves.
fn came_back_to(pending: &Authorize) -> String {
    let page = browser::get(&pending.authorize_url());
    page.header("location").unwrap().to_owned()
}

/// Logs in with a callback URL, the provider approving by itself: the session.
async fn log_in<T, C, N>(client: &mut AsyncClient<T, C, N>) -> Session
where
    T: AsyncTransport<Response = http::Response<Vec<u8>>>,
    T::Error: std::fmt::Debug,
    C: Clock,
    N: NonceSource,
{
    let pending = client
        .request_token(CallbackMode::url("http://127.0.0.1:9/cb"))
        .await
        .unwrap();
    let location = came_back_to(&pending);
    client
        .access_token(pending, Approval::Callback(&location))
        .await
        .unwrap()
}

/// A client for the local provider whose clock is `clock`.
fn clocked<H: Harness>(
    provider: &BlockingProviderHandle,
    clock: &ManualClock,
) -> AsyncClient<H::Transport, ManualClock> {
    builder::<H>(profile(provider.base_url()), credentials())
        .clock(clock.clone())
        .build()
}

/// The whole flow with a callback URL, then an API call: no refusal anywhere.
pub async fn full_flow_with_a_callback_url<H: Harness>() {
    let (provider, refusals) = start(|b| b.auto_approve(true));
    let mut client = client_for::<H>(provider.base_url());
    let pending = client
        .request_token(CallbackMode::url("http://127.0.0.1:9/callback?state=xyz"))
        .await
        .unwrap();
    let location = came_back_to(&pending);
    assert!(location.starts_with("http://127.0.0.1:9/callback?state=xyz&oauth_token="));

    let session = client
        .access_token(pending, Approval::Callback(&location))
        .await
        .unwrap();
    let me = client.identity(&session).await.unwrap();
    assert_eq!(me.username, DEFAULT_USERNAME);
    assert_eq!(me.consumer_name, DEFAULT_CONSUMER_NAME);

    let found = client
        .send(
            &session,
            get(&provider.url("/database/search?q=blue+train")),
        )
        .await
        .unwrap();
    assert_eq!(found.status(), 200, "{:?}", found.text());
    let limits = found.rate_limit().unwrap();
    assert_eq!(limits.limit, Some(60));
    assert!(limits.remaining.is_some());
    assert_eq!(refusals_of(&refusals), []);
}

/// Out of band: the user pastes the code, stray whitespace and all.
pub async fn full_flow_out_of_band<H: Harness>() {
    let (provider, _) = start(|b| b.auto_approve(true));
    let mut client = client_for::<H>(provider.base_url());
    let pending = client.request_token(CallbackMode::OutOfBand).await.unwrap();
    let page = browser::get(&pending.authorize_url());
    assert_eq!(page.status, 200);
    let pasted = format!("  {}\n", shown_verifier(&page));
    let session = client
        .access_token(pending, Approval::Verifier(&pasted))
        .await
        .unwrap();
    assert_eq!(
        client.identity(&session).await.unwrap().username,
        DEFAULT_USERNAME
    );
}

/// The user says no.
pub async fn deny<H: Harness>() {
    let (provider, _) = start(|b| b.auto_approve(false));
    let mut client = client_for::<H>(provider.base_url());
    let pending = client
        .request_token(CallbackMode::url("http://127.0.0.1:9/callback"))
        .await
        .unwrap();
    let page = browser::get(&pending.authorize_url());
    assert_eq!(page.status, 200);
    let form = format!(
        "oauth_token={}&csrf={}&decision=deny",
        pending.request_token(),
        page.input("csrf").unwrap()
    );
    let answer = browser::post_form(&provider.url("/oauth/authorize"), &form);
    let location = answer.header("location").unwrap().to_owned();
    assert!(location.contains("denied="), "{location}");
    let err = client
        .access_token(pending, Approval::Callback(&location))
        .await
        .unwrap_err();
    assert_flow(&err, &FlowError::Denied);
}

/// The client notices an expired request token by itself; the provider's stricter lifetime is
/// refused once, with its message.
pub async fn an_expired_request_token<H: Harness>() {
    let clock = ManualClock::starting_now();
    let (provider, _) = start(|b| b.auto_approve(true).clock(clock.clone()));
    let mut client = clocked::<H>(&provider, &clock);
    let pending = client.request_token(CallbackMode::OutOfBand).await.unwrap();
    let verifier = shown_verifier(&browser::get(&pending.authorize_url()));
    clock.advance(15 * 60 + 1);
    let err = client
        .access_token(pending, Approval::Verifier(&verifier))
        .await
        .unwrap_err();
    assert_flow(&err, &FlowError::RequestTokenExpired);

    // Both clocks move together (the provider's Date follows its clock): no skew to retry for.
    let clock = ManualClock::starting_now();
    let (provider, refusals) = start(|b| {
        b.auto_approve(true)
            .clock(clock.clone())
            .request_token_lifetime(60)
    });
    let mut client = clocked::<H>(&provider, &clock);
    let pending = client
        .request_token(CallbackMode::url("http://127.0.0.1:9/cb"))
        .await
        .unwrap();
    let location = came_back_to(&pending);
    clock.advance(61);
    let err = client
        .access_token(pending, Approval::Callback(&location))
        .await
        .unwrap_err();
    let refusal = err.provider().unwrap_or_else(|| panic!("{err:?}"));
    assert!(matches!(refusal.status, 400 | 401), "{err:?}");
    assert_eq!(
        refusal.message.as_deref(),
        Some("Invalid or expired token.")
    );
    let refusals = refusals_of(&refusals);
    assert_eq!(refusals.len(), 1, "no retry: {refusals:?}");
    assert!(refusals[0].reason.contains("expired"), "{refusals:?}");
}

/// A wrong consumer secret: the provider's message, no retry, no secret shown.
pub async fn a_wrong_consumer_secret_carries_the_providers_message<H: Harness>() {
    let (provider, refusals) = start(|b| b);
    let wrong = ClientCredentials::new(DEFAULT_CONSUMER_KEY, "not-the-secret");
    let mut client = builder::<H>(profile(provider.base_url()), wrong).build();
    let err = client
        .request_token(CallbackMode::OutOfBand)
        .await
        .unwrap_err();
    let refusal = err.provider().unwrap_or_else(|| panic!("{err:?}"));
    assert_eq!(refusal.status, 401);
    assert_eq!(refusal.message.as_deref(), Some("Invalid signature."));
    assert!(err.to_string().contains("Invalid signature."), "{err}");
    assert_no_secret(&format!("{err} {err:?}"));
    assert_eq!(
        refusals_of(&refusals).len(),
        1,
        "no retry: the clocks agree"
    );
}

/// A personal token and a consumer key, in the header and in the query, through `send_with`.
pub async fn personal_token_and_consumer_key_requests<H: Harness>() {
    let (provider, _) = start(|b| b);
    let mut client = client_for::<H>(provider.base_url());
    let discogs = profile(provider.base_url());
    let token = discogs.authenticator(Auth::PersonalToken(Secret::new(PERSONAL_TOKEN)));
    let app = discogs.authenticator(Auth::ConsumerKey(credentials()));
    for placement in [Placement::Header, Placement::Query] {
        let me = client
            .send_with(
                &token.clone().placement(placement),
                get(&provider.url("/oauth/identity")),
            )
            .await
            .unwrap()
            .error_for_status()
            .unwrap();
        assert!(me.text().unwrap().contains(DEFAULT_USERNAME));
        assert!(me.rate_limit().is_some());
        let found = client
            .send_with(
                &app.clone().placement(placement),
                get(&provider.url("/database/search?q=x")),
            )
            .await
            .unwrap();
        assert_eq!(found.status(), 200, "{:?}", found.text());
    }
    // A consumer key carries no user.
    let anonymous = client
        .send_with(&app, get(&provider.url("/oauth/identity")))
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
    // Without credentials: a 401 with Discogs' JSON message.
    let err = client
        .send_with(
            &discogs.authenticator(Auth::None),
            get(&provider.url("/oauth/identity")),
        )
        .await
        .unwrap()
        .error_for_status()
        .unwrap_err();
    assert_eq!(
        err.provider().and_then(|e| e.message.as_deref()),
        Some("You must authenticate to access this resource.")
    );
}

/// Every request carries the profile's User-Agent, which the provider demands.
pub async fn the_user_agent_is_set_on_every_request<H: Harness>() {
    let (provider, _) = start(|b| b);
    let mut client = client_for::<H>(provider.base_url());
    let token = client
        .profile()
        .authenticator(Auth::PersonalToken(Secret::new(PERSONAL_TOKEN)));
    let accepted = client
        .send_with(&token, get(&provider.url("/oauth/identity")))
        .await
        .unwrap();
    assert_eq!(accepted.status(), 200);

    // Canned: every request of the flow, and API calls, carry it.
    let server = Canned::start(|_, _| {
        Answer::new(
            200,
            "oauth_token=t&oauth_token_secret=s&oauth_callback_confirmed=true",
        )
    });
    let mut client = client_for::<H>(&server.url());
    client.request_token(CallbackMode::OutOfBand).await.unwrap();
    let token = client
        .profile()
        .authenticator(Auth::PersonalToken(Secret::new("PERSONALTOKEN")));
    client
        .send_with(&token, get(&format!("{}/x", server.url())))
        .await
        .unwrap();
    let received = server.received();
    assert_eq!(received.len(), 2);
    for r in received {
        assert_eq!(r.headers["user-agent"], UA, "{r:?}");
    }
}

/// Nothing listens: the transport's error, that says so, and no secret in it.
pub async fn a_provider_that_is_down_is_a_connection_error<H: Harness>() {
    let (provider, _) = start(|b| b);
    let mut client = client_for::<H>(provider.base_url());
    provider.shutdown().unwrap();
    let err = client
        .request_token(CallbackMode::OutOfBand)
        .await
        .unwrap_err();
    let Error::Transport(inner) = &err else {
        panic!("{err:?}")
    };
    assert!(H::is_connection_refused(inner), "{inner:?}");

    let base = format!("http://127.0.0.1:{}", closed_port());
    let mut client = client_for::<H>(&base);
    let token = client
        .profile()
        .authenticator(Auth::PersonalToken(Secret::new("PERSONALTOKEN")))
        .placement(Placement::Query);
    let err = client
        .send_with(&token, get(&format!("{base}/oauth/identity")))
        .await
        .unwrap_err();
    assert!(matches!(&err, Error::Transport(_)), "{err:?}");
    assert_no_secret(&format!("{err} {err:?}"));
}

/// JSON where a token response belongs.
pub async fn a_garbage_answer_is_unexpected_with_the_raw_excerpt<H: Harness>() {
    let (provider, _) = start(|b| b);
    let profile = Profile::builder(
        provider.url("/database/search?q=garbage"),
        provider.url("/oauth/authorize"),
        provider.url("/oauth/access_token"),
    )
    .request_token_method("GET")
    .user_agent(UA)
    .build()
    .unwrap();
    let mut client = builder::<H>(profile, credentials()).build();
    let err = client
        .request_token(CallbackMode::OutOfBand)
        .await
        .unwrap_err();
    let Error::Unexpected { excerpt, .. } = &err else {
        panic!("{err:?}")
    };
    assert!(excerpt.starts_with("{\"pagination\":"), "{excerpt}");
    assert!(err.to_string().contains(&format!("{excerpt:?}")), "{err}");
}

/// A captive portal's page, and a token response without the callback confirmed.
pub async fn captive_portals_and_unconfirmed_callbacks_are_unexpected<H: Harness>() {
    let server = Canned::start(|i, _| match i {
        0 => Answer::new(
            200,
            "<html><body>Welcome to the captive portal</body></html>",
        ),
        _ => Answer::new(200, "oauth_token=t&oauth_token_secret=TOKENSECRET"),
    });
    let mut client = client_for::<H>(&server.url());
    let err = client
        .request_token(CallbackMode::OutOfBand)
        .await
        .unwrap_err();
    let Error::Unexpected { excerpt, .. } = &err else {
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
    let Error::Unexpected { error, excerpt } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(
        error,
        &countersign::Error::Flow(FlowError::CallbackNotConfirmed)
    );
    assert_eq!(excerpt, "oauth_token=t&oauth_token_secret=[redacted]");
    assert_no_secret(&format!("{err} {err:?}"));
}

/// Our clock ten minutes slow: refused once, retried once, and the offset kept.
pub async fn one_clock_skew_retry_then_the_answer_is_final<H: Harness>() {
    let (provider, refusals) = start(|b| b.auto_approve(true));
    let now = SystemClock.now();
    let slow = move || now - 600;
    let mut client = builder::<H>(profile(provider.base_url()), credentials())
        .clock(slow)
        .build();
    let pending = client.request_token(CallbackMode::OutOfBand).await.unwrap();
    assert_one_retry(&refusals, client.clock_offset());
    // The offset corrects later requests: no more refusals.
    let verifier = shown_verifier(&browser::get(&pending.authorize_url()));
    let session = client
        .access_token(pending, Approval::Verifier(&verifier))
        .await
        .unwrap();
    client.identity(&session).await.unwrap();
    assert_eq!(refusals_of(&refusals).len(), 1);

    // Skewed and wrong: the retry is refused too, and there is no third attempt.
    refusals.lock().unwrap().clear();
    let wrong = ClientCredentials::new(DEFAULT_CONSUMER_KEY, "not-the-secret");
    let mut wrong = builder::<H>(profile(provider.base_url()), wrong)
        .clock(slow)
        .build();
    let err = wrong
        .request_token(CallbackMode::OutOfBand)
        .await
        .unwrap_err();
    assert_eq!(err.provider().map(|e| e.status), Some(401));
    assert_eq!(
        refusals_of(&refusals).len(),
        2,
        "{:?}",
        refusals_of(&refusals)
    );
}

/// The provider's clock, not ours, is ten minutes ahead; its `Date` says so.
pub async fn the_provider_clock_shifted_exactly_one_retry<H: Harness>() {
    let ahead = ManualClock::new(SystemClock.now() + 600);
    let (provider, refusals) = start(|b| b.auto_approve(true).clock(ahead));
    let mut client = client_for::<H>(provider.base_url());
    client.request_token(CallbackMode::OutOfBand).await.unwrap();
    assert_one_retry(&refusals, client.clock_offset());
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

/// An API call: exactly one retry, with a fresh nonce and the corrected timestamp, whatever the
/// second answer.
pub async fn a_skewed_401_on_a_resource_is_retried_once_with_a_fresh_nonce<H: Harness>() {
    for then in [200, 401] {
        let server = skewed(600, then);
        let mut client = builder::<H>(profile(&server.url()), credentials())
            .nonces(counting_nonces())
            .build();
        let answer = client
            .send_with(
                &oauth("CONSUMERSECRET"),
                get(&format!("{}/resource", server.url())),
            )
            .await
            .unwrap();
        assert_eq!(answer.status(), then);
        let received = server.received();
        assert_eq!(received.len(), 2, "exactly one retry");
        let (t1, n1) = timestamp_and_nonce(&received[0].headers["authorization"]);
        let (t2, n2) = timestamp_and_nonce(&received[1].headers["authorization"]);
        assert_eq!((n1.as_str(), n2.as_str()), ("nonce-000001", "nonce-000002"));
        assert!((598..=602).contains(&(t2 - t1)), "{t1} -> {t2}");
        assert!((598..=602).contains(&client.clock_offset()));
    }
}

/// No retry for a 401 whose clock agrees, for other statuses, or for credentials without
/// timestamps.
pub async fn no_retry_without_skew_or_for_other_statuses_or_modes<H: Harness>() {
    let token = discogs::profile(UA)
        .unwrap()
        .authenticator(Auth::PersonalToken(Secret::new("PERSONALTOKEN")));
    let cases = [
        (0, 401, oauth("CONSUMERSECRET")),
        (600, 400, oauth("CONSUMERSECRET")),
        (600, 401, token),
    ];
    for (skew, status, auth) in cases {
        let server =
            Canned::start(move |_, _| Answer::new(status, "no").header("Date", &http_date(skew)));
        let mut client = client_for::<H>(&server.url());
        let answer = client
            .send_with(&auth, get(&format!("{}/resource", server.url())))
            .await
            .unwrap();
        assert_eq!(answer.status(), status);
        assert_eq!(server.received().len(), 1);
        assert_eq!(client.clock_offset(), 0);
    }
}

/// A same-origin redirect is followed, signed again for its URL with a fresh nonce; `303` turns
/// a `POST` into a `GET`.
pub async fn same_origin_redirects_are_followed_re_signed<H: Harness>() {
    let server = Canned::start(|i, _| match i {
        0 => Answer::new(307, "").header("Location", "/moved?page=2"),
        1 => Answer::new(303, "").header("Location", "/done"),
        _ => Answer::new(200, "landed"),
    });
    let mut client = builder::<H>(profile(&server.url()), credentials())
        .nonces(counting_nonces())
        .build();
    let answer = client
        .send_with(
            &oauth("CONSUMERSECRET"),
            form_post(&format!("{}/start", server.url()), "a=1"),
        )
        .await
        .unwrap();
    assert_eq!(answer.text().unwrap(), "landed");
    let received = server.received();
    let seen: Vec<_> = received
        .iter()
        .map(|r| (r.method.as_str(), r.target.as_str(), r.body.as_slice()))
        .collect();
    assert_eq!(
        seen,
        [
            ("POST", "/start", &b"a=1"[..]),
            ("POST", "/moved?page=2", b"a=1"),
            ("GET", "/done", b""),
        ]
    );
    let nonces: Vec<_> = received
        .iter()
        .map(|r| timestamp_and_nonce(&r.headers["authorization"]).1)
        .collect();
    assert_eq!(nonces, ["nonce-000001", "nonce-000002", "nonce-000003"]);
}

/// A redirect to another origin (here another port, then another host name for the same
/// machine) is the answer: nothing is sent there.
pub async fn redirects_to_another_origin_are_never_followed<H: Harness>() {
    let target = Canned::start(|_, _| Answer::new(200, "landed"));
    for location in [
        format!("http://127.0.0.1:{}/oauth/request_token", target.port()),
        format!("http://localhost:{}/oauth/request_token", target.port()),
    ] {
        let first = Canned::start(move |_, _| Answer::new(302, "").header("Location", &location));
        let mut client = client_for::<H>(&first.url());
        let err = client
            .request_token(CallbackMode::OutOfBand)
            .await
            .unwrap_err();
        let refusal = err.provider().unwrap_or_else(|| panic!("{err:?}"));
        assert_eq!(refusal.status, 302);
        assert!(
            refusal
                .location
                .as_deref()
                .unwrap()
                .ends_with("/oauth/request_token")
        );
        let token = client
            .profile()
            .authenticator(Auth::PersonalToken(Secret::new("PERSONALTOKEN")));
        let answer = client
            .send_with(&token, get(&format!("{}/anything", first.url())))
            .await
            .unwrap();
        assert_eq!(answer.status(), 302);
        assert_eq!(first.received().len(), 2);
    }
    assert!(target.received().is_empty());
}

/// A form body, signed (PLAINTEXT) and accepted.
pub async fn a_form_post_is_signed_and_accepted<H: Harness>() {
    let (provider, refusals) = start(|b| b);
    let mut client = client_for::<H>(provider.base_url());
    // The temporary-credentials request, with more parameters in a form body.
    let consumer = credentials();
    let signer = Signer::new(&consumer).callback("oob").prepare().unwrap();
    let auth = client.profile().authenticator(Auth::OAuth(signer));
    let answer = client
        .send_with(
            &auth,
            form_post(
                &provider.url("/oauth/request_token"),
                "x_extra=a+b&y=%F0%9F%8E%B5",
            ),
        )
        .await
        .unwrap();
    let body = answer.text().unwrap();
    assert_eq!(answer.status(), 200, "{body} {:?}", refusals_of(&refusals));
    assert!(body.contains("oauth_callback_confirmed=true"), "{body}");
}

/// HMAC-SHA1 signs the method, the URL and the form body: the provider recomputes it, and a
/// body changed after signing is refused.
pub async fn hmac_sha1_flow_and_a_signed_form_body<H: Harness>() {
    let (provider, refusals) = start(|b| b.auto_approve(true));
    let hmac = discogs::profile_at(provider.base_url(), provider.base_url(), UA).unwrap();
    let hmac = Profile::builder(
        hmac.request_token_url(),
        hmac.authorize_url(),
        hmac.access_token_url(),
    )
    .request_token_method("GET")
    .identity_url(hmac.identity_url().unwrap())
    .user_agent(UA)
    .signature_method(SignatureMethod::HmacSha1)
    .build()
    .unwrap();
    let mut client = builder::<H>(hmac, credentials()).build();
    let session = log_in(&mut client).await;
    let search = get(&provider.url("/database/search?q=blue%20train&page=2"));
    assert_eq!(client.send(&session, search).await.unwrap().status(), 200);

    let consumer = credentials();
    let signer = Signer::new(&consumer)
        .signature_method(SignatureMethod::HmacSha1)
        .callback("oob")
        .prepare()
        .unwrap();
    let auth = client.profile().authenticator(Auth::OAuth(signer));
    let url = provider.url("/oauth/request_token");
    let accepted = client
        .send_with(&auth, form_post(&url, "x_extra=a+b&y=%F0%9F%8E%B5"))
        .await
        .unwrap();
    assert_eq!(accepted.status(), 200, "{:?}", refusals_of(&refusals));
    // The body is part of the signature: the same header on another body is refused.
    let mut signed = form_post(&url, "x_extra=a+b").map(|b| b.as_bytes().to_vec());
    auth.sign_request(&mut signed, SystemClock.now(), "tamper1")
        .unwrap();
    *signed.body_mut() = b"x_extra=tampered".to_vec();
    let refused = H::transport().send(signed).await.unwrap();
    assert_eq!(refused.status(), 401);
}

/// What goes on the wire: a form body as it was, with its `Content-Length`; a bodiless `POST`
/// with `Content-Length: 0` (never chunked); a `GET` with no body at all.
pub async fn bodies_on_the_wire<H: Harness>() {
    let server = Canned::start(|_, _| Answer::new(200, "ok"));
    let mut client = client_for::<H>(&server.url());
    let anonymous = client.profile().authenticator(Auth::None);
    let url = format!("{}/x", server.url());
    client
        .send_with(&anonymous, form_post(&url, "notes=mint+only&rating=5"))
        .await
        .unwrap();
    for method in ["POST", "PUT", "GET", "DELETE"] {
        let request = http::Request::builder()
            .method(method)
            .uri(&url)
            .body(())
            .unwrap();
        client.send_with(&anonymous, request).await.unwrap();
    }
    let received = server.received();
    assert_eq!(received[0].body, b"notes=mint+only&rating=5");
    assert_eq!(
        received[0].headers["content-type"],
        "application/x-www-form-urlencoded"
    );
    assert_eq!(received[0].headers["content-length"], "24");
    for (r, length) in received[1..].iter().zip([Some("0"), Some("0"), None, None]) {
        assert!(!r.headers.contains_key("transfer-encoding"), "{r:?}");
        assert_eq!(
            r.headers.get("content-length").map(String::as_str),
            length,
            "{r:?}"
        );
    }
}

/// Short-lived access credentials, renewed with the session handle.
pub async fn expired_access_credentials_are_renewed<H: Harness>() {
    let clock = ManualClock::starting_now();
    let (provider, _) = start(|b| {
        b.auto_approve(true)
            .clock(clock.clone())
            .access_token_lifetime(60)
    });
    let mut client = clocked::<H>(&provider, &clock);
    let session = log_in(&mut client).await;
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

/// Discogs' rate-limit headers, on any answer.
pub async fn rate_limits_are_read<H: Harness>() {
    let server = Canned::start(|_, _| {
        Answer::new(200, "{}")
            .header("X-Discogs-Ratelimit", "60")
            .header("X-Discogs-Ratelimit-Used", "1")
            .header("X-Discogs-Ratelimit-Remaining", "59")
    });
    let mut client = client_for::<H>(&server.url());
    let anonymous = client.profile().authenticator(Auth::None);
    let answer = client
        .send_with(&anonymous, get(&server.url()))
        .await
        .unwrap();
    let limits = answer.rate_limit().unwrap();
    assert_eq!(
        (limits.limit, limits.used, limits.remaining),
        (Some(60), Some(1), Some(59))
    );
}

/// No secret in the `Debug` of a client, an answer holding a token response, or any error.
pub async fn no_secret_in_any_output<H: Harness>() {
    let client = builder::<H>(
        discogs::profile(UA).unwrap(),
        ClientCredentials::new("ck", "CONSUMERSECRET"),
    )
    .build();
    assert_no_secret(&format!("{client:?}"));
    let server =
        Canned::start(|_, _| Answer::new(200, "oauth_token=t&oauth_token_secret=TOKENSECRET"));
    let mut client = client_for::<H>(&server.url());
    let answer = client
        .send_with(&oauth("CONSUMERSECRET"), get(&server.url()))
        .await
        .unwrap();
    assert_no_secret(&format!("{answer:?}"));
    // Refused before anything is sent: secrets over plain http to a remote host.
    let err = client
        .send_with(&oauth("CONSUMERSECRET"), get("http://api.example.com/x"))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Core(countersign::Error::Misuse(Misuse::InsecureTransport))
        ),
        "{err:?}"
    );
    assert_no_secret(&format!("{err} {err:?}"));
    for approval in [
        Approval::Verifier("TOKENSECRET"),
        Approval::Callback("https://app.example/cb?oauth_token=t&oauth_verifier=TOKENSECRET"),
    ] {
        assert_no_secret(&format!("{approval:?}"));
    }
}

fn interop_profile(provider: &Oauthlib, method: SignatureMethod) -> Profile {
    Profile::builder(
        provider.url("/request_token"),
        provider.url("/authorize"),
        provider.url("/access_token"),
    )
    .identity_url(provider.url("/identity"))
    .user_agent(UA)
    .signature_method(method)
    .build()
    .unwrap()
}

fn interop_client<H: Harness>(
    provider: &Oauthlib,
    method: SignatureMethod,
) -> AsyncClient<H::Transport> {
    let credentials = ClientCredentials::new(CLIENT_KEY, CLIENT_SECRET);
    builder::<H>(interop_profile(provider, method), credentials).build()
}

/// oauthlib: the whole flow with a callback URL, and a form POST.
pub async fn oauthlib_full_flow_with_a_callback_url<H: Harness>() {
    let provider = Oauthlib::start();
    let mut client = interop_client::<H>(&provider, SignatureMethod::Plaintext);
    let pending = client
        .request_token(CallbackMode::url("http://127.0.0.1:9/callback?state=1"))
        .await
        .unwrap();
    let answer = browser::get(&pending.authorize_url());
    assert_eq!(answer.status, 302);
    let location = answer.header("location").unwrap().to_owned();
    assert!(
        location.starts_with("http://127.0.0.1:9/callback?state=1&"),
        "{location}"
    );
    let session = client
        .access_token(pending, Approval::Callback(&location))
        .await
        .unwrap();
    assert_eq!(session.token().token().len(), 30);
    let me = client.identity(&session).await.unwrap();
    assert_eq!(me.username, "oauthlib");
    assert_eq!(me.consumer_name, "countersign interop");
    let echoed = client
        .send(
            &session,
            form_post(&provider.url("/echo?page=2"), "notes=mint+only&rating=5"),
        )
        .await
        .unwrap()
        .error_for_status()
        .unwrap();
    assert_eq!(
        echoed.text().unwrap(),
        r#"{"method": "POST", "form": {"notes": "mint only", "rating": "5"}}"#
    );
}

/// oauthlib: out of band, the code pasted.
pub async fn oauthlib_full_flow_out_of_band<H: Harness>() {
    let provider = Oauthlib::start();
    let mut client = interop_client::<H>(&provider, SignatureMethod::Plaintext);
    let pending = client.request_token(CallbackMode::OutOfBand).await.unwrap();
    let page = browser::get(&pending.authorize_url());
    assert_eq!(page.status, 200);
    let session = client
        .access_token(pending, Approval::Verifier(&shown_verifier(&page)))
        .await
        .unwrap();
    assert_eq!(
        client.identity(&session).await.unwrap().username,
        "oauthlib"
    );
}

/// oauthlib refuses a wrong consumer secret, and a request token spent once.
pub async fn oauthlib_refuses_a_wrong_secret_and_a_replayed_verifier<H: Harness>() {
    let provider = Oauthlib::start();
    let wrong = ClientCredentials::new(CLIENT_KEY, "not-the-secret");
    let mut wrong = builder::<H>(
        interop_profile(&provider, SignatureMethod::Plaintext),
        wrong,
    )
    .build();
    let err = wrong
        .request_token(CallbackMode::OutOfBand)
        .await
        .unwrap_err();
    assert_eq!(err.provider().map(|e| e.status), Some(401), "{err:?}");

    let mut client = interop_client::<H>(&provider, SignatureMethod::Plaintext);
    let pending = client
        .request_token(CallbackMode::url("http://127.0.0.1:9/cb"))
        .await
        .unwrap();
    let location = came_back_to(&pending);
    let again = pending.clone();
    client
        .access_token(pending, Approval::Callback(&location))
        .await
        .unwrap();
    let err = client
        .access_token(again, Approval::Callback(&location))
        .await
        .unwrap_err();
    assert_eq!(err.provider().map(|e| e.status), Some(401), "{err:?}");
}

/// oauthlib recomputes the base strings on its own, for every HMAC method: a callback with a
/// query, a URL with escapes, a form body with UTF-8 and an empty value.
pub async fn oauthlib_hmac_flows_and_form_post<H: Harness>() {
    let provider = Oauthlib::start();
    for method in [
        SignatureMethod::HmacSha1,
        SignatureMethod::HmacSha256,
        SignatureMethod::HmacSha512,
    ] {
        let mut client = interop_client::<H>(&provider, method);
        let pending = client
            .request_token(CallbackMode::url(
                "http://127.0.0.1:9/callback?a=1&b=two%20words",
            ))
            .await
            .unwrap_or_else(|e| panic!("{method}: {e}"));
        let location = came_back_to(&pending);
        let session = client
            .access_token(pending, Approval::Callback(&location))
            .await
            .unwrap_or_else(|e| panic!("{method}: {e}"));
        assert_eq!(
            client.identity(&session).await.unwrap().username,
            "oauthlib",
            "{method}"
        );
        let echoed = client
            .send(
                &session,
                form_post(
                    &provider.url("/echo?page=2&q=a%20b"),
                    "notes=mint+only&sym=%E2%98%83&empty=",
                ),
            )
            .await
            .unwrap()
            .error_for_status()
            .unwrap_or_else(|e| panic!("{method}: {e}"));
        assert_eq!(
            echoed.text().unwrap(),
            r#"{"method": "POST", "form": {"notes": "mint only", "sym": "\u2603", "empty": ""}}"#,
            "{method}"
        );
    }
}

/// Not in the suite, for it needs a transport set up with a proxy: `transport` sends every
/// request through the proxy `proxy` records, as one from `HTTP_PROXY` would. Credentials in the
/// clear to a loopback provider never reach it (the `http://` exemption for loopback holds only
/// because such a request never leaves the machine); a request to another host does.
pub async fn loopback_never_goes_through_a_proxy<T>(transport: T, proxy: &Canned)
where
    T: AsyncTransport<Response = http::Response<Vec<u8>>>,
    T::Error: std::fmt::Debug,
{
    let (provider, _) = start(|b| b);
    let mut client =
        ClientBuilder::new(transport, profile(provider.base_url()), credentials()).build();
    // PLAINTEXT over http:// to loopback, and the consumer key and secret in the query: both
    // answered by the provider itself.
    let pending = client.request_token(CallbackMode::OutOfBand).await.unwrap();
    assert!(!pending.request_token().is_empty());
    let app = client
        .profile()
        .authenticator(Auth::ConsumerKey(credentials()))
        .placement(Placement::Query);
    let search = get(&provider.url("/database/search?q=x"));
    assert_eq!(client.send_with(&app, search).await.unwrap().status(), 200);
    assert!(proxy.received().is_empty(), "{:?}", proxy.received());

    // The proxy is still there for other hosts (the fake one answers itself; nothing is
    // resolved).
    let anonymous = client.profile().authenticator(Auth::None);
    let elsewhere = get("http://countersign-test.invalid/x");
    let _ = client.send_with(&anonymous, elsewhere).await;
    let seen = proxy.received();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert!(
        seen[0].target.contains("countersign-test.invalid"),
        "{seen:?}"
    );
}
