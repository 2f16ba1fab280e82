//! Signing reqwest's own requests, what reqwest itself does with them on redirects (pinned here,
//! because the crate docs rely on it), and proxies: over real loopback TCP against small canned
//! servers and the local provider.

use std::collections::HashMap;

use countersign_reqwest::countersign::auth::{Auth, Authenticator, Placement};
use countersign_reqwest::countersign::{
    ClientCredentials, Error as CoreError, Misuse, ParsedAuthorization, Secret, Signer,
    TokenCredentials, discogs,
};
use countersign_reqwest::{
    Error, RequestBuilderExt, ReqwestTransport, http_client_builder, http_client_builder_from,
};
use countersign_test_support::canned::{Answer, Canned, Redirect};
use countersign_test_support::conformance::loopback_never_goes_through_a_proxy;

const UA: &str = "CountersignTests/1.0";

fn discogs_rules(auth: Auth) -> Authenticator {
    discogs::profile(UA).unwrap().authenticator(auth)
}

fn oauth() -> Authenticator {
    let client = ClientCredentials::new("ck", "CONSUMERSECRET");
    let token = TokenCredentials::new("tok", "TOKENSECRET");
    discogs_rules(Auth::OAuth(
        Signer::new(&client).token(&token).prepare().unwrap(),
    ))
}

fn token() -> Authenticator {
    discogs_rules(Auth::PersonalToken(Secret::new("PERSONALTOKEN")))
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
fn build_signed_sets_a_sensitive_oauth_header_and_the_user_agent() {
    let (_, request) = http()
        .get("https://api.discogs.com/oauth/identity?x=1")
        .build_signed(&oauth())
        .unwrap();
    let header = &request.headers()["authorization"];
    assert!(header.is_sensitive());
    let parsed = ParsedAuthorization::parse(header.to_str().unwrap()).unwrap();
    assert_eq!(parsed.consumer_key(), Some("ck"));
    assert_eq!(parsed.token(), Some("tok"));
    assert_eq!(parsed.signature(), Some("CONSUMERSECRET&TOKENSECRET"));
    assert_eq!(parsed.nonce().map(str::len), Some(24));
    assert_eq!(request.headers()["user-agent"], UA);
    assert_eq!(
        request.url().as_str(),
        "https://api.discogs.com/oauth/identity?x=1"
    );
}

#[test]
fn an_existing_user_agent_is_kept() {
    let (_, request) = http()
        .get("https://api.discogs.com/")
        .header("user-agent", "Mine/2.0")
        .build_signed(&discogs_rules(Auth::None))
        .unwrap();
    assert_eq!(request.headers()["user-agent"], "Mine/2.0");
    assert!(request.headers().get("authorization").is_none());
}

#[test]
fn the_four_discogs_modes_in_the_header_and_the_query() {
    let url = "https://api.discogs.com/database/search?q=nirvana";
    let app = || {
        discogs_rules(Auth::ConsumerKey(ClientCredentials::new(
            "KEY",
            "KEYSECRET",
        )))
    };
    let sign = |auth: &Authenticator| http().get(url).build_signed(auth).unwrap().1;

    let r = sign(&app());
    assert_eq!(
        r.headers()["authorization"],
        "Discogs key=KEY, secret=KEYSECRET"
    );
    assert!(r.headers()["authorization"].is_sensitive());
    let r = sign(&token());
    assert_eq!(r.headers()["authorization"], "Discogs token=PERSONALTOKEN");
    let r = sign(&token().placement(Placement::Query));
    assert_eq!(r.url().as_str(), format!("{url}&token=PERSONALTOKEN"));
    assert!(r.headers().get("authorization").is_none());
    let r = sign(&app().placement(Placement::Query));
    assert_eq!(r.url().as_str(), format!("{url}&key=KEY&secret=KEYSECRET"));
    let r = sign(&discogs_rules(Auth::None));
    assert!(r.headers().get("authorization").is_none());
    assert_eq!(r.url().as_str(), url);
    let r = sign(&oauth());
    let header = r.headers()["authorization"].to_str().unwrap();
    assert!(header.starts_with("OAuth "), "{header}");
}

#[test]
fn secrets_over_plain_http_to_another_host_are_refused() {
    for auth in [oauth(), token()] {
        let err = http()
            .get("http://api.example.com/x")
            .build_signed(&auth)
            .unwrap_err();
        assert!(
            matches!(
                err,
                Error::Core(CoreError::Misuse(Misuse::InsecureTransport))
            ),
            "{err:?}"
        );
        let shown = format!("{err} {err:?}");
        assert!(!shown.contains("SECRET") && !shown.contains("PERSONALTOKEN"));
    }
}

#[test]
fn a_form_body_is_signed_and_left_as_it_was() {
    let (_, request) = http()
        .post("https://api.discogs.com/users/example/wants/1")
        .header("content-type", "application/x-www-form-urlencoded")
        .body("notes=mint+only&rating=5")
        .build_signed(&oauth())
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

#[cfg(feature = "blocking")]
#[test]
fn blocking_requests_are_signed_alike() {
    let http = countersign_reqwest::blocking::http_client_builder()
        .build()
        .unwrap();
    let (_, request) = http
        .get("https://api.discogs.com/database/search?q=x")
        .build_signed(&token().placement(Placement::Query))
        .unwrap();
    assert_eq!(
        request.url().as_str(),
        "https://api.discogs.com/database/search?q=x&token=PERSONALTOKEN"
    );
    assert_eq!(request.headers()["user-agent"], UA);
}

/// Where a redirect to `to` from the first server lands, and the Authorization it carried.
async fn follow(auth: &Authenticator, to: impl Fn(u16) -> String) -> Vec<Option<String>> {
    let redirect = Redirect::to(to);
    let http = following_http();
    let (_, request) = http.get(redirect.start_url()).build_signed(auth).unwrap();
    assert_eq!(http.execute(request).await.unwrap().status(), 200);
    assert!(
        redirect.first.received()[0]
            .headers
            .contains_key("authorization")
    );
    redirect.landed()
}

#[tokio::test]
async fn reqwest_drops_credentials_on_a_redirect_to_another_host_or_port() {
    // Another port of the same address.
    let landed = follow(&oauth(), |port| format!("http://127.0.0.1:{port}/next")).await;
    assert_eq!(landed, vec![None]);
    // Another host name for the same machine.
    let landed = follow(&oauth(), |port| format!("http://localhost:{port}/next")).await;
    assert_eq!(landed, vec![None]);
    // Query credentials are not in the Location, so they do not travel either.
    let redirect = Redirect::to(|port| format!("http://localhost:{port}/next"));
    let http = following_http();
    let (_, request) = http
        .get(redirect.start_url())
        .build_signed(&token().placement(Placement::Query))
        .unwrap();
    http.execute(request).await.unwrap();
    assert!(
        redirect.first.received()[0]
            .target
            .contains("token=PERSONALTOKEN")
    );
    assert_eq!(redirect.target.received()[0].target, "/next");
    assert!(!format!("{:?}", redirect.target.received()).contains("PERSONALTOKEN"));
}

#[tokio::test]
async fn reqwest_default_referer_carries_query_credentials_so_ours_is_off() {
    // reqwest's default, pinned here because it is why `http_client_builder` turns `Referer`
    // off: the previous URL, query included, goes to the redirect's target, on any host.
    for (referer, leaks) in [(true, true), (false, false)] {
        let redirect = Redirect::to(|port| format!("http://localhost:{port}/next"));
        let http = http_client_builder()
            .redirect(reqwest::redirect::Policy::default())
            .referer(referer)
            .build()
            .unwrap();
        let (_, request) = http
            .get(redirect.start_url())
            .build_signed(&token().placement(Placement::Query))
            .unwrap();
        http.execute(request).await.unwrap();
        let seen = format!("{:?}", redirect.target.received());
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
    let http = following_http();
    let (_, request) = http
        .get(format!("{}/start", server.url()))
        .build_signed(&token())
        .unwrap();
    http.execute(request).await.unwrap();
    let received = server.received();
    assert_eq!(received.len(), 2);
    assert_eq!(
        received[1].headers.get("authorization").map(String::as_str),
        Some("Discogs token=PERSONALTOKEN")
    );
}

/// A proxy on loopback that records what reaches it and answers 502 itself.
fn fake_proxy() -> Canned {
    Canned::start(|_, _| Answer::new(502, ""))
}

/// An environment with `vars`.
fn environment(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
    let vars: HashMap<String, String> = vars
        .iter()
        .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
        .collect();
    move |name| vars.get(name).cloned()
}

/// An environment that asks for `proxy` in all three variables.
fn proxied(proxy: &str) -> impl Fn(&str) -> Option<String> + use<> {
    environment(&[
        ("HTTP_PROXY", proxy),
        ("https_proxy", proxy),
        ("ALL_PROXY", proxy),
    ])
}

#[tokio::test]
async fn the_proxy_from_the_environment_never_sees_loopback_hosts() {
    let proxy = fake_proxy();
    let http = http_client_builder_from(proxied(&proxy.url()))
        .build()
        .unwrap();
    let transport = ReqwestTransport::from(http.clone());
    loopback_never_goes_through_a_proxy(transport, &proxy).await;
    // `localhost` may resolve to ::1 first, where nothing listens: only that the proxy never
    // sees it matters here.
    let before = proxy.received().len();
    let _ = http
        .get(format!("http://localhost:{}/x", proxy.port()))
        .send()
        .await;
    assert_eq!(
        proxy.received().len(),
        before + 1,
        "reached directly, not through itself"
    );
}

#[cfg(feature = "blocking")]
#[test]
fn the_blocking_clients_proxy_never_sees_loopback_hosts() {
    use countersign_reqwest::blocking;
    use countersign_reqwest::countersign::client::Blocking;
    use countersign_test_support::conformance::block_on;

    let proxy = fake_proxy();
    let http = blocking::http_client_builder_from(proxied(&proxy.url()))
        .build()
        .unwrap();
    let transport = Blocking(blocking::ReqwestTransport::from(http));
    block_on(loopback_never_goes_through_a_proxy(transport, &proxy));
}

#[tokio::test]
async fn proxies_follow_the_environment() {
    let proxy = fake_proxy();
    let url = proxy.url();
    let host = url.trim_start_matches("http://");
    // Which environments send a request for another host through the proxy.
    let cases = [
        (environment(&[]), false),
        // In a CGI script, HTTP_PROXY may come from a request header: never read there.
        (
            environment(&[("REQUEST_METHOD", "GET"), ("HTTP_PROXY", &url)]),
            false,
        ),
        (environment(&[("HTTP_PROXY", "")]), false),
        (environment(&[("http_proxy", host)]), true),
        (environment(&[("ALL_PROXY", &url)]), true),
        (
            environment(&[
                ("HTTP_PROXY", &url),
                ("NO_PROXY", "countersign-test.invalid"),
            ]),
            false,
        ),
    ];
    for (i, (env, through)) in cases.into_iter().enumerate() {
        let before = proxy.received().len();
        let http = http_client_builder_from(env).build().unwrap();
        let _ = http.get("http://countersign-test.invalid/x").send().await;
        assert_eq!(
            proxy.received().len() - before,
            usize::from(through),
            "case {i}"
        );
    }
}
