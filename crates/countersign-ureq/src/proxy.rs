//! The agent the transport uses by default: ureq's proxy from the environment, never for loopback
//! hosts.

use std::time::Duration;

/// Seconds to wait for a connection.
const CONNECT_TIMEOUT: u64 = 10;
/// Seconds to wait for a whole exchange.
const TIMEOUT: u64 = 60;

/// A ureq agent set up as [`UreqTransport`](crate::UreqTransport) uses it: 4xx and 5xx answers are responses (not errors),
/// redirects are not followed (a 3xx is an answer, and ureq never carries `Authorization` across
/// one anyway), a 10-second connect timeout and a 60-second overall timeout.
///
/// The proxy is ureq's, from the environment (`ALL_PROXY`, `HTTPS_PROXY`, `HTTP_PROXY`, with
/// `NO_PROXY`), except that loopback hosts never go through it: `localhost`, hosts starting with
/// `127.`, and `[::1]` are added to its `NO_PROXY` list. The core lets PLAINTEXT and the Discogs
/// key/secret and token modes go over `http://` to a loopback host only because the request then
/// never leaves the machine; through a proxy it would, secrets in the clear. (A SOCKS proxy is
/// kept as ureq read it; the requests this crate runs skip any proxy for loopback hosts anyway,
/// see the crate's Security section.)
///
/// ```
/// let agent = countersign_ureq::agent();
/// assert!(!agent.config().http_status_as_error());
/// assert_eq!(agent.config().max_redirects(), 0);
/// ```
#[must_use]
pub fn agent() -> ureq::Agent {
    let no_proxy = std::env::var("NO_PROXY")
        .or_else(|_| std::env::var("no_proxy"))
        .ok();
    agent_with_proxy(ureq::Proxy::try_from_env(), no_proxy.as_deref())
}

/// [`agent`], with this proxy and `NO_PROXY` list instead of the environment's.
#[doc(hidden)]
pub fn agent_with_proxy(proxy: Option<ureq::Proxy>, no_proxy: Option<&str>) -> ureq::Agent {
    ureq::Agent::config_builder()
        .proxy(proxy.map(|proxy| exempt_loopback(proxy, no_proxy)))
        .http_status_as_error(false)
        .max_redirects(0)
        .timeout_connect(Some(Duration::from_secs(CONNECT_TIMEOUT)))
        .timeout_global(Some(Duration::from_secs(TIMEOUT)))
        .build()
        .into()
}

/// Loopback hosts, in ureq's `NO_PROXY` patterns (which match text: a trailing `.` makes a
/// prefix, so `localhost.` cannot be said). The requests this crate runs check with the core's
/// rule itself ([`countersign::transport::is_loopback_host`]), which also knows the rarer
/// spellings.
const LOOPBACK_NO_PROXY: [&str; 5] = [
    "localhost",
    "127.",
    "[::1]",
    "[0:0:0:0:0:0:0:1]",
    "[::ffff:127.",
];

/// `proxy` again, with `no_proxy`'s entries (the `NO_PROXY` the environment gave it: ureq's
/// [`Proxy`](ureq::Proxy) does not hand them back) and the loopback hosts as exceptions.
///
/// A SOCKS proxy comes back unchanged: rebuilt, it would no longer count as read from the
/// environment, and ureq panics on such a proxy when its `socks-proxy` feature is off.
fn exempt_loopback(proxy: ureq::Proxy, no_proxy: Option<&str>) -> ureq::Proxy {
    let protocol = proxy.protocol();
    if !matches!(
        protocol,
        ureq::ProxyProtocol::Http | ureq::ProxyProtocol::Https
    ) {
        return proxy;
    }
    let mut builder = ureq::Proxy::builder(protocol)
        .host(proxy.host())
        .port(proxy.port())
        .resolve_target(proxy.resolve_target());
    if let Some(username) = proxy.username() {
        builder = builder.username(username);
    }
    if let Some(password) = proxy.password() {
        builder = builder.password(password);
    }
    let given = no_proxy.unwrap_or_default().split(',').map(str::trim);
    for entry in given.chain(LOOPBACK_NO_PROXY).filter(|e| !e.is_empty()) {
        builder = builder.no_proxy(entry);
    }
    // Rebuilding what ureq parsed does not fail; if it ever did, the proxy stays as it was (and
    // the requests this crate runs still skip it for loopback hosts).
    builder.build().unwrap_or(proxy)
}
