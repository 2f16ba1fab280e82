//! What ureq itself does with signed requests on redirects (pinned here, because the crate docs
//! rely on it), and that the transport never lets ureq follow one.

use countersign_test_support::canned::Redirect;
use countersign_ureq::countersign::auth::{Auth, Authenticator, Placement};
use countersign_ureq::countersign::flow::CallbackMode;
use countersign_ureq::countersign::{ClientCredentials, Secret, discogs};
use countersign_ureq::middleware::SigningMiddleware;
use countersign_ureq::{Client, UreqTransport, ureq};
use ureq::config::RedirectAuthHeaders;

fn token() -> Authenticator {
    discogs::profile("CountersignTests/1.0")
        .unwrap()
        .authenticator(Auth::PersonalToken(Secret::new("PERSONALTOKEN")))
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
    let redirect = Redirect::to(to);
    let response = agent.get(redirect.start_url()).call().unwrap();
    assert_eq!(response.status(), 200);
    assert!(
        redirect.first.received()[0]
            .headers
            .contains_key("authorization")
    );
    redirect.landed()
}

#[test]
fn ureq_drops_credentials_on_every_redirect_by_default() {
    let agent = following_agent(token(), RedirectAuthHeaders::Never);
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
        token().placement(Placement::Query),
        RedirectAuthHeaders::Never,
    );
    let redirect = Redirect::to(|port| format!("http://localhost:{port}/next"));
    agent.get(redirect.start_url()).call().unwrap();
    assert!(
        redirect.first.received()[0]
            .target
            .contains("token=PERSONALTOKEN")
    );
    assert!(!format!("{:?}", redirect.target.received()).contains("PERSONALTOKEN"));
}

#[test]
fn ureq_same_host_keeps_credentials_on_another_port() {
    // ureq's `SameHost` compares hosts, not ports: pinned here because the crate docs warn
    // against it.
    let agent = following_agent(token(), RedirectAuthHeaders::SameHost);
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
fn the_transport_never_lets_ureq_follow_a_redirect() {
    let redirect = Redirect::to(|port| format!("http://localhost:{port}/oauth/request_token"));
    let base = redirect.first.url();
    // Even on an agent configured to follow redirects, credentials and all.
    let following: ureq::Agent = ureq::Agent::config_builder()
        .redirect_auth_headers(RedirectAuthHeaders::SameHost)
        .build()
        .into();
    let mut client = Client::builder(
        discogs::profile_at(&base, &base, "CountersignTests/1.0").unwrap(),
        ClientCredentials::new("ck", "CONSUMERSECRET"),
    )
    .transport(UreqTransport::new(following))
    .build_blocking();
    let err = client.request_token(CallbackMode::OutOfBand).unwrap_err();
    assert_eq!(err.provider().map(|e| e.status), Some(302), "{err:?}");
    let request = http::Request::get(format!("{base}/anything"))
        .body(())
        .unwrap();
    let response = client.send_with(&token(), request).unwrap();
    assert_eq!(response.status(), 302);
    assert!(redirect.target.received().is_empty());
    assert_eq!(redirect.first.received().len(), 2);
}
