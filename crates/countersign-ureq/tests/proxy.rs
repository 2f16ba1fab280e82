//! Proxies: loopback destinations never go through one, whatever the agent.

use countersign_test_support::canned::{Answer, Canned};
use countersign_test_support::conformance::{block_on, loopback_never_goes_through_a_proxy};
use countersign_ureq::countersign::client::Blocking;
use countersign_ureq::{UreqTransport, agent_with_proxy, ureq};

#[test]
fn loopback_providers_are_never_reached_through_the_agents_proxy() {
    // A proxy that records what reaches it and refuses it all (502); an agent of the caller's
    // own with a proxy for everything, as ureq's defaults take one from HTTP_PROXY.
    let proxy = Canned::start(|_, _| Answer::new(502, ""));
    let proxied: ureq::Agent = ureq::Agent::config_builder()
        .proxy(Some(ureq::Proxy::new(&proxy.url()).unwrap()))
        .build()
        .into();
    let transport = Blocking(UreqTransport::new(proxied));
    block_on(loopback_never_goes_through_a_proxy(transport, &proxy));
}

#[test]
fn the_agents_proxy_never_sees_loopback_hosts() {
    let proxy_server = Canned::start(|_, _| Answer::new(502, ""));
    let provider = Canned::start(|_, _| Answer::new(200, "ok"));
    let proxy = ureq::Proxy::new(&proxy_server.url()).unwrap();
    let agent = agent_with_proxy(Some(proxy), None);

    // Straight on the agent, as a caller who signed the request itself would run it.
    let url = format!("{}/x?token=SECRET-IN-QUERY", provider.url());
    let mut answer = agent.get(&url).call().unwrap();
    assert_eq!(answer.body_mut().read_to_string().unwrap(), "ok");
    let localhost = url.replace("127.0.0.1", "localhost");
    if let Ok(mut answer) = agent.get(&localhost).call() {
        // `localhost` may resolve to ::1 first, where nothing listens: only a direct
        // connection matters here.
        assert_eq!(answer.body_mut().read_to_string().unwrap(), "ok");
    }
    assert!(proxy_server.received().is_empty());
    assert!(!provider.received().is_empty());

    // Other hosts still go through it (the fake proxy answers itself; nothing is resolved).
    let answer = agent.get("http://countersign-test.invalid/y").call();
    assert!(answer.is_err() || answer.unwrap().status() == 502);
    let seen = proxy_server.received();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert!(
        seen[0].target.contains("countersign-test.invalid"),
        "{seen:?}"
    );
}

#[test]
fn loopback_exceptions_keep_the_proxy_and_its_settings() {
    let given = ureq::Proxy::new("http://user:p%40ss@proxy.example:3128").unwrap();
    let agent = agent_with_proxy(Some(given), Some("intranet.example, .corp.example"));
    let proxy = agent.config().proxy().unwrap();
    assert_eq!(proxy.protocol(), ureq::ProxyProtocol::Http);
    assert_eq!((proxy.host(), proxy.port()), ("proxy.example", 3128));
    assert_eq!(
        (proxy.username(), proxy.password()),
        (Some("user"), Some("p@ss"))
    );
    let bypassed = |url: &str| proxy.is_no_proxy(&url.parse().unwrap());
    for url in [
        "http://127.0.0.1:8080/",
        "http://127.8.9.10/",
        "http://localhost:1/",
        "http://LocalHost:1/",
        "http://[::1]:8080/",
        "http://[::ffff:127.0.0.1]/",
        "http://intranet.example/",
        "https://a.corp.example/",
    ] {
        assert!(bypassed(url), "{url}");
    }
    for url in [
        "https://api.discogs.com/",
        "http://128.0.0.1/",
        "http://localhost.example.com/",
        "http://[::2]/",
    ] {
        assert!(!bypassed(url), "{url}");
    }
}
