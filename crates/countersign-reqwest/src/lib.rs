//! # countersign-reqwest
//!
//! [countersign]'s OAuth 1.0a over [reqwest]: the core describes and parses, this
//! crate sends. It signs reqwest requests, drives the three-legged flow, and covers the four
//! Discogs credential modes, async, and over `reqwest::blocking` with the `blocking` feature.
//! The core is re-exported as [`countersign`], reqwest as [`reqwest`](mod@reqwest) (and
//! `reqwest-middleware` as `reqwest_middleware` with the `middleware` feature), so the versions
//! always match.
//!
//! ## Signing requests
//!
//! An [`Authenticator`] holds one credential mode ([`DiscogsAuth`](countersign::discogs::DiscogsAuth):
//! none, consumer key/secret, personal token, or OAuth 1.0a access credentials), a clock and a
//! nonce source. It signs a [`reqwest::Request`] in place ([`Authenticator::sign`]), a
//! [`reqwest::RequestBuilder`] ([`RequestBuilderExt`]), or every request of a
//! `reqwest-middleware` client ([`middleware::SigningMiddleware`], feature `middleware`).
//!
//! ```
//! use countersign_reqwest::countersign::discogs::DiscogsAuth;
//! use countersign_reqwest::countersign::{ClientCredentials, Signer, TokenCredentials};
//! use countersign_reqwest::{Authenticator, RequestBuilderExt};
//!
//! let client = ClientCredentials::new("consumer-key", "consumer-secret");
//! let token = TokenCredentials::new("access-token", "token-secret");
//! let signer = Signer::new(&client).token(&token).prepare()?;
//! let auth = Authenticator::new(DiscogsAuth::OAuth(signer)).user_agent("MyApp/1.0");
//!
//! let http = countersign_reqwest::http_client_builder().build().map_err(countersign_reqwest::Error::Transport)?;
//! let (_http, request) = http
//!     .post("https://api.discogs.com/users/example/wants/1")
//!     .header("content-type", "application/x-www-form-urlencoded")
//!     .body("notes=mint+only")
//!     .build_signed(&auth)?;
//! let header = request.headers()["authorization"].to_str().unwrap();
//! assert!(header.starts_with("OAuth oauth_consumer_key=\"consumer-key\", oauth_token=\"access-token\""));
//! assert!(request.headers()["authorization"].is_sensitive());
//! # Ok::<(), countersign_reqwest::Error>(())
//! ```
//!
//! ## The three-legged flow
//!
//! A [`Client`] drives the core's typestate ([`countersign::flow`]) over HTTP. The call order:
//!
//! 1. [`Client::request_token`] with a callback URL or [`CallbackMode::OutOfBand`]: an
//!    [`Authorize`] state.
//! 2. Send the user to [`Authorize::authorize_url`]. Keep the `Authorize` state on the server
//!    side (it holds secrets; it serializes with the `serde` feature).
//! 3. [`Client::access_token`] with the [`Approval`]: the callback URL the user came back to, or
//!    the verifier they pasted. A [`Session`] with the access credentials.
//! 4. [`Client::identity`], and [`Client::send`] for any API request signed with the session.
//!
//! [`CallbackMode::OutOfBand`]: countersign::flow::CallbackMode::OutOfBand
//! [`Authorize`]: countersign::flow::Authorize
//! [`Authorize::authorize_url`]: countersign::flow::Authorize::authorize_url
//! [`Session`]: countersign::flow::Session
//!
//! ```no_run
//! use countersign_reqwest::countersign::flow::{CallbackMode, ProviderConfig};
//! use countersign_reqwest::countersign::ClientCredentials;
//! use countersign_reqwest::{Approval, Client};
//!
//! # async fn run() -> Result<(), countersign_reqwest::Error> {
//! let client = Client::new(
//!     ProviderConfig::discogs("MyCollectionApp/1.0 +https://example.org"),
//!     ClientCredentials::new("consumer-key", "consumer-secret"),
//! )?;
//! let pending = client
//!     .request_token(CallbackMode::url("https://myapp.example/callback"))
//!     .await?;
//! // Redirect the user to pending.authorize_url(); they come back to the callback:
//! let came_back_to = "https://myapp.example/callback?oauth_token=...&oauth_verifier=...";
//! let session = client.access_token(pending, Approval::Callback(came_back_to)).await?;
//! println!("hello, {}", client.identity(&session).await?.username);
//! # Ok(())
//! # }
//! ```
//!
//! ## Discogs
//!
//! `ProviderConfig::discogs(user_agent)` is the Discogs preset: its endpoints, and the
//! User-Agent that Discogs demands on every request, which the [`Client`] and the
//! [`Authenticator`]s it hands out ([`Client::authenticator`]) set on every request. Every
//! [`Response`] exposes Discogs' rate-limit headers ([`Response::rate_limit`]; on reqwest's own
//! responses through [`ResponseExt`]). [`Client::send_with`] sends any request with any of the
//! four credential modes, in the header or the query
//! ([`Placement`](countersign::discogs::Placement)).
//!
//! ## Clock skew
//!
//! One retry, as the core's policy ([`countersign::skew`]) says: after a 401 whose `Date` is more
//! than [`DEFAULT_THRESHOLD`](countersign::skew::DEFAULT_THRESHOLD) seconds away from the
//! timestamp sent, the request is signed again with a fresh nonce and the corrected timestamp, and
//! sent once more. Never a third time; no retry for any other reason. The offset is kept
//! ([`Client::clock_offset`]) and corrects later timestamps.
//!
//! ## Security
//!
//! - `Authorization` headers are marked sensitive, so reqwest never prints them and HTTP/2 never
//!   indexes them.
//! - PLAINTEXT and the Discogs key/secret and token modes are refused over `http://` unless the
//!   host is loopback (the core's rule).
//! - Redirects: the [`Client`]'s default HTTP client ([`http_client_builder`]) follows none: a
//!   3xx comes back as the answer. Clients you build yourself use reqwest's policy, which drops
//!   `Authorization` (and cookies) on a redirect to another host, port or scheme, but keeps it on a
//!   same-host redirect.
//! - Credentials in the query ([`Placement::Query`](countersign::discogs::Placement::Query)) are
//!   part of the URL: reqwest, by default, sends the previous URL as `Referer` when it follows a
//!   redirect, to whatever host that is. [`http_client_builder`] turns `Referer` off; on clients
//!   you build yourself, call `.referer(false)`, or keep credentials in the header (the default).
//! - [`Error`]'s `Debug` and `Display` never show a secret: transport errors have their URL's
//!   credential parameters redacted, and body excerpts the values of secret parameters. The
//!   middleware redacts the URL of reqwest's errors the same way.
//! - Proxies: [`http_client_builder`] takes them from the environment as reqwest does, but never
//!   for a loopback host: the http:// exemption for loopback holds only because such a request
//!   never leaves the machine. A client you build yourself (reqwest's defaults take a proxy from
//!   `HTTP_PROXY` or `ALL_PROXY`), with the [`Client`] or the middleware, sends every `http://`
//!   request through its proxy, credentials in the clear, loopback ones included: give that proxy
//!   a `NO_PROXY` list with `localhost,127.0.0.0/8,::1`, or call `.no_proxy()`.
//! - Answers are read into memory up to 10 MiB, as with ureq; a longer body stops the read with
//!   [`Error::BodyTooLarge`].
//!
//! ## Features
//!
//! - `rustls-ring` (default): TLS by rustls with the ring provider, no system OpenSSL. reqwest
//!   then needs a process-wide rustls provider: [`http_client_builder`] installs ring when none
//!   is installed, so build your own reqwest clients from it, or install a provider yourself.
//!   For aws-lc or native-tls, turn this feature off and turn on reqwest's `rustls` or
//!   `native-tls` feature in your own dependency on reqwest.
//! - `blocking`: [`blocking::Client`] and [`blocking::RequestBuilderExt`].
//! - `middleware`: [`middleware::SigningMiddleware`] for `reqwest-middleware`.
//! - `http2`: reqwest's HTTP/2.
//! - `serde`: the core's `serde` (flow states and credentials).

#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub use countersign;
pub use reqwest;
#[cfg(feature = "middleware")]
pub use reqwest_middleware;

#[cfg(feature = "blocking")]
pub mod blocking;
mod client;
mod error;
#[cfg(feature = "middleware")]
pub mod middleware;
mod response;
mod sign;

/// The integration tests' loopback server (`tests/common/canned.rs`), for the unit tests too.
#[cfg(test)]
#[path = "../tests/common/canned.rs"]
mod canned;

pub use client::{Approval, Client, ClientBuilder};
pub use error::Error;
pub use response::{Response, ResponseExt};
pub use sign::{Authenticator, RequestBuilderExt};

/// Seconds to wait for a connection.
const CONNECT_TIMEOUT: u64 = 10;
/// Seconds to wait for a whole exchange.
const TIMEOUT: u64 = 60;

/// A `reqwest::ClientBuilder` set up as [`Client`] uses it: redirects not followed (a 3xx is an
/// answer), no `Referer` (should you turn redirects on, reqwest's `Referer` would carry the
/// previous URL, query credentials included, to the next host), a 10-second connect timeout and a
/// 60-second overall timeout. With `rustls-ring`,
/// installs ring as rustls' process-wide default provider first, unless one is installed.
///
/// Proxies come from the environment, as reqwest reads it (`HTTP_PROXY`, `HTTPS_PROXY`,
/// `ALL_PROXY`, lower case too, with `NO_PROXY`; none when `REQUEST_METHOD` is set, as in CGI),
/// except that loopback hosts never go through one: `localhost`, `127.0.0.0/8` and `::1` are
/// added to `NO_PROXY`. The core lets PLAINTEXT and the Discogs key/secret and token modes go over
/// `http://` to a loopback host only because the request then never leaves the machine; through
/// a proxy it would, secrets in the clear. The operating system's proxy settings (reqwest's
/// `system-proxy` feature, macOS and Windows) are not read. To use a proxy of your own instead,
/// call `.no_proxy()` on the builder before `.proxy(...)`: proxies added after these come after
/// them.
///
/// ```
/// let http = countersign_reqwest::http_client_builder()
///     .build()
///     .expect("a TLS backend");
/// # drop(http);
/// ```
pub fn http_client_builder() -> reqwest::ClientBuilder {
    http_client_builder_from(|name| std::env::var(name).ok())
}

/// [`http_client_builder`], with the environment read through `var`.
pub(crate) fn http_client_builder_from(
    var: impl Fn(&str) -> Option<String>,
) -> reqwest::ClientBuilder {
    install_crypto_provider();
    let mut builder = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .referer(false)
        .connect_timeout(std::time::Duration::from_secs(CONNECT_TIMEOUT))
        .timeout(std::time::Duration::from_secs(TIMEOUT))
        // No proxy unless one of `env_proxies` is added: reqwest's own would proxy loopback.
        .no_proxy();
    for proxy in env_proxies(var) {
        builder = builder.proxy(proxy);
    }
    builder
}

/// Loopback hosts as [`countersign::transport::is_loopback_host`] sees them, in `NO_PROXY`
/// syntax: `localhost` (and its subdomains), `127.0.0.0/8`, `::1`, and IPv4-mapped loopback.
const LOOPBACK_NO_PROXY: &str = "localhost,localhost.,127.0.0.0/8,::1,::ffff:127.0.0.0/104";

/// `reqwest::Proxy::http`, `https` or `all`.
type MakeProxy = fn(String) -> reqwest::Result<reqwest::Proxy>;

/// The proxies the environment (read through `var`) asks for, as reqwest's own reading of it
/// would give them (`hyper_util`'s `Matcher::from_env`: for `http://`, `HTTP_PROXY` else
/// `ALL_PROXY`; for `https://`, `HTTPS_PROXY` else `ALL_PROXY`; upper case first; nothing in a
/// CGI script, where `HTTP_PROXY` may come from a request header), each with `NO_PROXY` and the
/// loopback hosts as exceptions. A value that is not a proxy URL is skipped, as reqwest does.
pub(crate) fn env_proxies(var: impl Fn(&str) -> Option<String>) -> Vec<reqwest::Proxy> {
    if var("REQUEST_METHOD").is_some() {
        return Vec::new();
    }
    let first = |names: [&str; 2]| names.into_iter().find_map(&var);
    let given = first(["NO_PROXY", "no_proxy"]).unwrap_or_default();
    let no_proxy = reqwest::NoProxy::from_string(&format!("{given},{LOOPBACK_NO_PROXY}"));
    let kinds: [(MakeProxy, [&str; 2]); 3] = [
        (reqwest::Proxy::http, ["HTTP_PROXY", "http_proxy"]),
        (reqwest::Proxy::https, ["HTTPS_PROXY", "https_proxy"]),
        (reqwest::Proxy::all, ["ALL_PROXY", "all_proxy"]),
    ];
    kinds
        .into_iter()
        .filter_map(|(make, names)| {
            let url = first(names).filter(|url| !url.trim().is_empty())?;
            Some(make(url).ok()?.no_proxy(no_proxy.clone()))
        })
        .collect()
}

/// Installs ring as rustls' process-wide provider, unless a provider is installed.
fn install_crypto_provider() {
    #[cfg(feature = "rustls-ring")]
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        // Losing a race with another installer is fine: a provider is installed either way.
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use countersign::ClientCredentials;
    use countersign::discogs::{DiscogsAuth, Placement};
    use countersign::flow::{CallbackMode, ProviderConfig};
    use countersign_provider::{DEFAULT_CONSUMER_KEY, DEFAULT_CONSUMER_SECRET, LocalProvider};

    use super::*;

    use crate::canned;

    /// A proxy on loopback that records what reaches it and answers 502 itself.
    fn fake_proxy() -> canned::Canned {
        canned::Canned::start(|_, _| canned::Answer::new(502, ""))
    }

    /// An environment that asks for `proxy` in all three variables.
    fn environment(proxy: &str) -> impl Fn(&str) -> Option<String> + use<> {
        let vars: HashMap<&str, String> = ["HTTP_PROXY", "https_proxy", "ALL_PROXY"]
            .into_iter()
            .map(|name| (name, proxy.to_owned()))
            .collect();
        move |name| vars.get(name).cloned()
    }

    fn client(base: &str, http: reqwest::Client) -> Client {
        Client::builder(
            ProviderConfig::discogs_at(base, base, "CountersignTests/1.0"),
            ClientCredentials::new(DEFAULT_CONSUMER_KEY, DEFAULT_CONSUMER_SECRET),
        )
        .http_client(http)
        .build()
        .unwrap()
    }

    #[tokio::test]
    async fn the_proxy_from_the_environment_never_sees_loopback_hosts() {
        let proxy = fake_proxy();
        let provider = LocalProvider::builder().start().await.unwrap();
        let http = http_client_builder_from(environment(&proxy.url()))
            .build()
            .unwrap();
        let client = client(provider.base_url(), http.clone());

        // PLAINTEXT over http:// to loopback: the flow's first step, and the key/secret mode in
        // the query; both answered by the provider itself.
        let pending = client.request_token(CallbackMode::OutOfBand).await.unwrap();
        assert!(!pending.request_token().is_empty());
        let auth = DiscogsAuth::KeySecret(ClientCredentials::new(
            DEFAULT_CONSUMER_KEY,
            DEFAULT_CONSUMER_SECRET,
        ));
        let request = http
            .get(provider.url("/database/search?q=x"))
            .build()
            .unwrap();
        let found = client
            .send_with(&auth, Placement::Query, request)
            .await
            .unwrap();
        assert_eq!(found.status(), 200);
        let localhost = provider
            .url("/oauth/identity")
            .replace("127.0.0.1", "localhost");
        // `localhost` may resolve to ::1 first, where nothing listens: only that the proxy
        // never sees it matters here.
        let _ = http.get(localhost).send().await;
        assert!(proxy.received().is_empty(), "{:?}", proxy.received());

        // Other hosts still go through it (it answers 502 itself; no name is resolved here).
        let answer = http
            .get("http://countersign-test.invalid/x")
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 502);
        let seen = proxy.received();
        assert_eq!(seen.len(), 1, "{seen:?}");
        assert!(
            seen[0].target.contains("countersign-test.invalid"),
            "{seen:?}"
        );
    }

    #[cfg(feature = "blocking")]
    #[test]
    fn the_blocking_clients_proxy_never_sees_loopback_hosts() {
        let proxy = fake_proxy();
        let provider = LocalProvider::builder().start_blocking().unwrap();
        let http = blocking::http_client_builder_from(environment(&proxy.url()))
            .build()
            .unwrap();
        let client = blocking::Client::builder(
            ProviderConfig::discogs_at(
                provider.base_url(),
                provider.base_url(),
                "CountersignTests/1.0",
            ),
            ClientCredentials::new(DEFAULT_CONSUMER_KEY, DEFAULT_CONSUMER_SECRET),
        )
        .http_client(http.clone())
        .build()
        .unwrap();
        let pending = client.request_token(CallbackMode::OutOfBand).unwrap();
        assert!(!pending.request_token().is_empty());
        assert!(proxy.received().is_empty(), "{:?}", proxy.received());
        let answer = http
            .get("http://countersign-test.invalid/x")
            .send()
            .unwrap();
        assert_eq!(answer.status(), 502);
        assert_eq!(proxy.received().len(), 1);
    }

    #[test]
    fn proxies_follow_the_environment() {
        let none = |_: &str| None;
        assert!(env_proxies(none).is_empty());
        let cgi = |name: &str| {
            (name == "REQUEST_METHOD" || name == "HTTP_PROXY").then(|| "http://p.example".into())
        };
        assert!(env_proxies(cgi).is_empty());
        let empty = |name: &str| (name == "HTTP_PROXY").then(String::new);
        assert!(env_proxies(empty).is_empty());
        let some = |name: &str| match name {
            "http_proxy" => Some("p.example:3128".to_owned()),
            "ALL_PROXY" => Some("socks5h://p.example".to_owned()),
            _ => None,
        };
        assert_eq!(env_proxies(some).len(), 2);
    }
}
