//! Raw HTTP/1.1 over loopback TCP, and OAuth helpers built on the core, for the provider tests.
//! No HTTP client library: the requests are written byte by byte.

#![allow(dead_code, unreachable_pub)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use countersign::clock::Clock;
use countersign::{ClientCredentials, Request, Secret, Signer, TokenCredentials, TokenResponse};
use countersign_provider::{
    BlockingProviderHandle, Builder, DEFAULT_CONSUMER_KEY, DEFAULT_CONSUMER_SECRET, LocalProvider,
    ManualClock, Refusal,
};

/// The time the tests start at.
pub const T0: u64 = 1_700_000_000;

/// What came back.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Response {
    /// The value of a header (the first, if repeated); names match in any case.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The three rate-limit headers, as numbers.
    pub fn rate(&self) -> (u32, u32, u32) {
        let n = |name| {
            self.header(name)
                .unwrap_or_else(|| panic!("no {name} in {self:?}"))
                .parse()
                .unwrap()
        };
        (
            n("x-discogs-ratelimit"),
            n("x-discogs-ratelimit-used"),
            n("x-discogs-ratelimit-remaining"),
        )
    }

    /// The JSON body.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {self:?}"))
    }
}

/// Writes one request (with `Connection: close`) and reads the whole answer.
pub fn send_raw(addr: SocketAddr, raw: &[u8]) -> Response {
    let mut stream = TcpStream::connect(addr).expect("connect to the provider");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    stream.write_all(raw).unwrap();
    let mut bytes = Vec::new();
    stream.read_to_end(&mut bytes).expect("read the answer");
    parse_response(&bytes)
}

fn parse_response(bytes: &[u8]) -> Response {
    let text = String::from_utf8(bytes.to_vec()).expect("a UTF-8 answer");
    let (head, body) = text.split_once("\r\n\r\n").expect("a complete head");
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap();
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("bad status line {status_line:?}"));
    let headers: Vec<(String, String)> = lines
        .map(|line| {
            let (name, value) = line.split_once(':').expect("name: value");
            (name.to_owned(), value.trim().to_owned())
        })
        .collect();
    let response = Response {
        status,
        headers,
        body: String::new(),
    };
    let body = if response
        .header("transfer-encoding")
        .is_some_and(|v| v.eq_ignore_ascii_case("chunked"))
    {
        dechunk(body)
    } else {
        if let Some(length) = response.header("content-length") {
            assert_eq!(length.parse::<usize>().unwrap(), body.len(), "{text}");
        }
        body.to_owned()
    };
    Response { body, ..response }
}

fn dechunk(mut rest: &str) -> String {
    let mut out = String::new();
    loop {
        let (size, tail) = rest.split_once("\r\n").expect("chunk size");
        let size = usize::from_str_radix(size.trim(), 16).expect("hex chunk size");
        if size == 0 {
            return out;
        }
        out.push_str(&tail[..size]);
        rest = &tail[size + 2..];
    }
}

/// Sends `method target` with `headers` (plus `Host`, `Connection: close` and, with a body or
/// for POST, `Content-Length`).
pub fn send(
    addr: SocketAddr,
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Response {
    let mut raw = format!("{method} {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (name, value) in headers {
        raw.push_str(&format!("{name}: {value}\r\n"));
    }
    if !body.is_empty() || method == "POST" {
        raw.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    raw.push_str("\r\n");
    let mut raw = raw.into_bytes();
    raw.extend_from_slice(body);
    send_raw(addr, &raw)
}

/// A started provider, with its manual clock and the refusals it logged.
pub struct Provider {
    pub handle: BlockingProviderHandle,
    pub clock: ManualClock,
    pub refusals: Arc<Mutex<Vec<Refusal>>>,
    nonce: AtomicU64,
}

/// Starts a provider with a manual clock at [`T0`] and a refusal log, configured further by
/// `configure`.
pub fn start_with(configure: impl FnOnce(Builder) -> Builder) -> Provider {
    let clock = ManualClock::new(T0);
    let refusals = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&refusals);
    let builder = LocalProvider::builder()
        .clock(clock.clone())
        .on_refusal(move |refusal| log.lock().unwrap().push(refusal.clone()));
    let builder = configure(builder);
    Provider {
        handle: builder.start_blocking().expect("the provider starts"),
        clock,
        refusals,
        nonce: AtomicU64::new(0),
    }
}

/// The default consumer.
pub fn default_client() -> ClientCredentials {
    ClientCredentials::new(DEFAULT_CONSUMER_KEY, DEFAULT_CONSUMER_SECRET)
}

/// What to put in a signed request beyond the credentials.
#[derive(Clone, Copy, Default)]
pub struct Extra<'a> {
    pub callback: Option<&'a str>,
    pub verifier: Option<&'a str>,
    pub timestamp: Option<u64>,
    pub nonce: Option<&'a str>,
    pub method: Option<countersign::SignatureMethod>,
}

impl Provider {
    pub fn addr(&self) -> SocketAddr {
        self.handle.local_addr()
    }

    /// A nonce never used before in this test.
    pub fn fresh_nonce(&self) -> String {
        format!("nonce{}", self.nonce.fetch_add(1, Ordering::SeqCst))
    }

    /// The OAuth header for `method path`, signed by `client` (and `token`) at the provider's
    /// current time with a fresh nonce, unless `extra` says otherwise.
    pub fn oauth(
        &self,
        method: &str,
        path: &str,
        client: &ClientCredentials,
        token: Option<&TokenCredentials>,
        extra: Extra<'_>,
    ) -> String {
        let url = self.handle.url(path);
        let nonce = extra
            .nonce
            .map_or_else(|| self.fresh_nonce(), str::to_owned);
        let verifier = extra.verifier.map(Secret::new);
        let mut signer = Signer::new(client)
            .signature_method(extra.method.unwrap_or_default())
            .timestamp(extra.timestamp.unwrap_or_else(|| self.clock.now()))
            .nonce(&nonce);
        if let Some(token) = token {
            signer = signer.token(token);
        }
        if let Some(callback) = extra.callback {
            signer = signer.callback(callback);
        }
        if let Some(verifier) = &verifier {
            signer = signer.verifier(verifier);
        }
        signer
            .sign(&Request::new(method, &url))
            .unwrap()
            .to_authorization()
            .as_str()
            .to_owned()
    }

    /// Sends a request with a User-Agent and, if given, an Authorization header.
    pub fn call(&self, method: &str, target: &str, authorization: Option<&str>) -> Response {
        let mut headers = vec![("User-Agent", "countersign-provider-tests/1.0")];
        if let Some(value) = authorization {
            headers.push(("Authorization", value));
        }
        send(self.addr(), method, target, &headers, b"")
    }

    /// Step 1: temporary credentials.
    pub fn request_token(&self, client: &ClientCredentials, callback: &str) -> Response {
        let header = self.oauth(
            "POST",
            "/oauth/request_token",
            client,
            None,
            Extra {
                callback: Some(callback),
                ..Extra::default()
            },
        );
        self.call("POST", "/oauth/request_token", Some(&header))
    }

    pub fn temporary(&self, client: &ClientCredentials, callback: &str) -> TokenCredentials {
        let response = self.request_token(client, callback);
        assert_eq!(response.status, 200, "{response:?}");
        TokenResponse::parse_temporary(response.body.as_bytes())
            .unwrap()
            .into_credentials()
    }

    /// Step 2 in automation mode: the verifier, from the redirect or the oob body.
    pub fn approve(&self, temporary: &TokenCredentials) -> String {
        let response = self.call(
            "GET",
            &format!("/oauth/authorize?oauth_token={}", temporary.token()),
            None,
        );
        let query = match response.status {
            302 => response.header("location").unwrap().to_owned(),
            200 => response.body.clone(),
            _ => panic!("{response:?}"),
        };
        match countersign::Callback::parse(&query).unwrap() {
            countersign::Callback::Approved { token, verifier } => {
                assert_eq!(token, temporary.token());
                verifier.expose_secret().to_owned()
            }
            other => panic!("{other:?}"),
        }
    }

    /// Step 3: the token-credentials request.
    pub fn exchange(
        &self,
        client: &ClientCredentials,
        temporary: &TokenCredentials,
        verifier: &str,
    ) -> Response {
        let header = self.oauth(
            "POST",
            "/oauth/access_token",
            client,
            Some(temporary),
            Extra {
                verifier: Some(verifier),
                ..Extra::default()
            },
        );
        self.call("POST", "/oauth/access_token", Some(&header))
    }

    pub fn access(
        &self,
        client: &ClientCredentials,
        temporary: &TokenCredentials,
        verifier: &str,
    ) -> TokenCredentials {
        let response = self.exchange(client, temporary, verifier);
        assert_eq!(response.status, 200, "{response:?}");
        TokenResponse::parse(response.body.as_bytes())
            .unwrap()
            .into_credentials()
    }

    /// A signed GET of `path` with access credentials.
    pub fn get(
        &self,
        path: &str,
        client: &ClientCredentials,
        access: &TokenCredentials,
    ) -> Response {
        let header = self.oauth("GET", path, client, Some(access), Extra::default());
        self.call("GET", path, Some(&header))
    }

    /// The whole flow in automation mode; returns the access credentials.
    pub fn flow(&self, client: &ClientCredentials, callback: &str) -> TokenCredentials {
        let temporary = self.temporary(client, callback);
        let verifier = self.approve(&temporary);
        self.access(client, &temporary, &verifier)
    }

    /// The reasons logged so far, as `status reason`.
    pub fn reasons(&self) -> Vec<String> {
        self.refusals
            .lock()
            .unwrap()
            .iter()
            .map(|r| format!("{} {}", r.status, r.reason))
            .collect()
    }

    /// The last reason logged.
    pub fn last_reason(&self) -> String {
        self.reasons().pop().expect("a refusal was logged")
    }
}

/// Serves `/photos` behind `layer` on a free loopback port, with the peer address as axum's
/// `ConnectInfo`: the handler answers the verified consumer key and token (`-` for none).
pub async fn photos_behind(
    layer: countersign_provider::VerifyLayer,
) -> (SocketAddr, tokio::task::JoinHandle<()>) {
    use axum::extract::Extension;
    use countersign::verify::Verified;

    let app: axum::Router = axum::Router::new()
        .route(
            "/photos",
            axum::routing::get(|Extension(who): Extension<Verified>| async move {
                format!("{} {}", who.consumer_key(), who.token().unwrap_or("-"))
            }),
        )
        .layer(layer);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let service = app.into_make_service_with_connect_info::<SocketAddr>();
    let task = tokio::spawn(async move { axum::serve(listener, service).await.unwrap() });
    (addr, task)
}
