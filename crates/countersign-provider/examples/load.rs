//! A bounded load run against the local provider, in this process, on loopback only.
//!
//! ```sh
//! cargo run --release -p countersign-provider --features local,redis --example load
//! cargo run --release -p countersign-provider --features local,redis --example load -- \
//!     --redis redis://127.0.0.1:6379 --seconds 5
//! ```
//!
//! It starts a provider on `127.0.0.1` (rate limits off, a nonce store large enough for the
//! run), logs in once per connection (each connection has a token of its own, so no token
//! reaches its share of the nonce store), then, for 1, 16 and 64 keep-alive connections in turn,
//! sends signed `GET /oauth/identity` requests (PLAINTEXT, then HMAC-SHA1) for a few seconds and
//! prints the requests per second and the latency percentiles. Then a nonce flood: one token
//! sends far more requests than its share of a small store, and the process's resident memory
//! is printed before and after (the store is bounded, so memory is too). Finally the cost of the
//! verification alone (the core's `Verifier::verify` on one request, in a loop), as a share of
//! the time each request took at the highest throughput.
//!
//! Everything stops by itself: each phase runs for `--seconds` (default 3).

use std::fmt::Write as _;
use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use countersign::verify::{MemoryNonceStore, Verifier, lookup_fn};
use countersign::{
    Callback, ClientCredentials, Request, Secret, SignatureMethod, Signer, TokenCredentials,
    TokenResponse,
};
use countersign_provider::{LocalProvider, RateLimit, RedisNonceStore};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const KEY: &str = "load-key";
const SECRET: &str = "load-secret-with-some-length-0123";

/// Options: `--seconds N`, `--redis URL`.
struct Options {
    seconds: u64,
    redis: Option<String>,
}

fn options() -> Result<Options, String> {
    let mut options = Options {
        seconds: 3,
        redis: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--seconds" => {
                let value = args.next().ok_or("--seconds needs a number")?;
                options.seconds = value
                    .parse()
                    .ok()
                    .filter(|s| (1..=60).contains(s))
                    .ok_or("--seconds: 1 to 60")?;
            }
            "--redis" => options.redis = Some(args.next().ok_or("--redis needs a URL")?),
            other => {
                return Err(format!(
                    "unknown option {other}; use --seconds N, --redis URL"
                ));
            }
        }
    }
    Ok(options)
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// A keep-alive HTTP/1.1 connection that sends one request at a time and reads the answer.
struct Connection {
    stream: TcpStream,
    address: SocketAddr,
    buffer: Vec<u8>,
}

impl Connection {
    async fn open(address: SocketAddr) -> io::Result<Self> {
        Self::open_from(address, std::net::Ipv4Addr::LOCALHOST).await
    }

    /// A connection from another loopback address (`127.0.0.2`: another client, to the
    /// provider's per-address limits).
    async fn open_from(address: SocketAddr, local: std::net::Ipv4Addr) -> io::Result<Self> {
        let socket = tokio::net::TcpSocket::new_v4()?;
        socket.bind(SocketAddr::from((local, 0)))?;
        let stream = socket.connect(address).await?;
        stream.set_nodelay(true)?;
        Ok(Self {
            stream,
            address,
            buffer: Vec::with_capacity(4096),
        })
    }

    /// Sends `method target` with an `Authorization` header; the status and the body.
    async fn send(
        &mut self,
        method: &str,
        target: &str,
        authorization: Option<&str>,
    ) -> io::Result<(u16, String)> {
        self.send_form(method, target, authorization, "").await
    }

    /// [`send`](Self::send) with a form body.
    async fn send_form(
        &mut self,
        method: &str,
        target: &str,
        authorization: Option<&str>,
        form: &str,
    ) -> io::Result<(u16, String)> {
        let mut head = format!(
            "{method} {target} HTTP/1.1\r\nHost: {}\r\nUser-Agent: countersign-load/1.0\r\nContent-Length: {}\r\n",
            self.address,
            form.len()
        );
        if !form.is_empty() {
            head.push_str("Content-Type: application/x-www-form-urlencoded\r\n");
        }
        if let Some(value) = authorization {
            let _ = write!(head, "Authorization: {value}\r\n");
        }
        head.push_str("\r\n");
        head.push_str(form);
        self.stream.write_all(head.as_bytes()).await?;
        self.buffer.clear();
        let mut chunk = [0_u8; 4096];
        loop {
            if let Some(end) = find(&self.buffer, b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&self.buffer[..end]).into_owned();
                let status = head
                    .split(' ')
                    .nth(1)
                    .and_then(|s| s.parse().ok())
                    .ok_or_else(|| io::Error::other(format!("no status line: {head:?}")))?;
                let length: usize = head
                    .lines()
                    .find_map(|l| {
                        let (name, value) = l.split_once(':')?;
                        name.eq_ignore_ascii_case("content-length")
                            .then(|| value.trim().parse().ok())?
                    })
                    .unwrap_or(0);
                let body_start = end + 4;
                while self.buffer.len() < body_start + length {
                    let read = self.stream.read(&mut chunk).await?;
                    if read == 0 {
                        return Err(io::ErrorKind::UnexpectedEof.into());
                    }
                    self.buffer.extend_from_slice(&chunk[..read]);
                }
                let body = String::from_utf8_lossy(&self.buffer[body_start..body_start + length]);
                return Ok((status, body.into_owned()));
            }
            let read = self.stream.read(&mut chunk).await?;
            if read == 0 {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
            self.buffer.extend_from_slice(&chunk[..read]);
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// What a signed request carries besides the credentials.
#[derive(Clone, Copy, Default)]
struct Extra<'a> {
    callback: Option<&'a str>,
    verifier: Option<&'a Secret>,
}

/// Signs `method url` with `nonce` at the current time.
fn sign(
    method: &str,
    url: &str,
    client: &ClientCredentials,
    token: Option<&TokenCredentials>,
    extra: Extra<'_>,
    signature: SignatureMethod,
    nonce: u64,
) -> String {
    let nonce = format!("n{nonce}");
    let mut signer = Signer::new(client)
        .signature_method(signature)
        .timestamp(now())
        .nonce(&nonce);
    if let Some(token) = token {
        signer = signer.token(token);
    }
    if let Some(callback) = extra.callback {
        signer = signer.callback(callback);
    }
    if let Some(verifier) = extra.verifier {
        signer = signer.verifier(verifier);
    }
    signer
        .sign(&Request::new(method, url))
        .map(|header| header.to_authorization().as_str().to_owned())
        .unwrap_or_default()
}

static NONCES: AtomicU64 = AtomicU64::new(0);

fn nonce() -> u64 {
    NONCES.fetch_add(1, Ordering::Relaxed)
}

/// The whole flow in automation mode: access credentials.
async fn login(base: &str, address: SocketAddr) -> io::Result<TokenCredentials> {
    let client = ClientCredentials::new(KEY, SECRET);
    let mut connection = Connection::open(address).await?;
    let url = format!("{base}/oauth/request_token");
    let header = sign(
        "POST",
        &url,
        &client,
        None,
        Extra {
            callback: Some("oob"),
            ..Extra::default()
        },
        SignatureMethod::Plaintext,
        nonce(),
    );
    let (status, body) = connection
        .send("POST", "/oauth/request_token", Some(&header))
        .await?;
    let fail =
        |what: &str, status: u16, body: &str| io::Error::other(format!("{what}: {status} {body}"));
    if status != 200 {
        return Err(fail("request token", status, &body));
    }
    let temporary = TokenResponse::parse_temporary(body.as_bytes())
        .map_err(io::Error::other)?
        .into_credentials();
    let target = format!("/oauth/authorize?oauth_token={}", temporary.token());
    let (status, body) = connection.send("GET", &target, None).await?;
    let Ok(Callback::Approved { verifier, .. }) = Callback::parse(&body) else {
        return Err(fail("authorize", status, &body));
    };
    let verifier = Secret::new(verifier.expose_secret());
    let url = format!("{base}/oauth/access_token");
    let header = sign(
        "POST",
        &url,
        &client,
        Some(&temporary),
        Extra {
            verifier: Some(&verifier),
            ..Extra::default()
        },
        SignatureMethod::Plaintext,
        nonce(),
    );
    let (status, body) = connection
        .send("POST", "/oauth/access_token", Some(&header))
        .await?;
    if status != 200 {
        return Err(fail("access token", status, &body));
    }
    Ok(TokenResponse::parse(body.as_bytes())
        .map_err(io::Error::other)?
        .into_credentials())
}

/// What one phase measured.
struct Figures {
    requests: u64,
    errors: u64,
    elapsed: Duration,
    latencies: Vec<Duration>,
}

impl Figures {
    fn percentile(&self, p: f64) -> Duration {
        if self.latencies.is_empty() {
            return Duration::ZERO;
        }
        let index = ((self.latencies.len() - 1) as f64 * p).round() as usize;
        self.latencies[index]
    }

    fn per_second(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64()
    }
}

/// `connections` connections, each with its own token, sending signed identity requests for
/// `seconds`.
async fn phase(
    base: &str,
    address: SocketAddr,
    tokens: &[TokenCredentials],
    connections: usize,
    signature: SignatureMethod,
    seconds: u64,
) -> io::Result<Figures> {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for token in tokens.iter().take(connections) {
        let token = token.clone();
        let url = format!("{base}/oauth/identity");
        tasks.push(tokio::spawn(async move {
            let client = ClientCredentials::new(KEY, SECRET);
            let mut connection = Connection::open(address).await?;
            let mut latencies = Vec::new();
            let mut errors = 0_u64;
            while Instant::now() < deadline {
                let header = sign(
                    "GET",
                    &url,
                    &client,
                    Some(&token),
                    Extra::default(),
                    signature,
                    nonce(),
                );
                let sent = Instant::now();
                let (status, _) = connection
                    .send("GET", "/oauth/identity", Some(&header))
                    .await?;
                latencies.push(sent.elapsed());
                if status != 200 {
                    errors += 1;
                }
            }
            Ok::<_, io::Error>((latencies, errors))
        }));
    }
    let mut figures = Figures {
        requests: 0,
        errors: 0,
        elapsed: Duration::ZERO,
        latencies: Vec::new(),
    };
    for task in tasks {
        let (latencies, errors) = task.await.map_err(io::Error::other)??;
        figures.requests += latencies.len() as u64;
        figures.errors += errors;
        figures.latencies.extend(latencies);
    }
    figures.elapsed = started.elapsed();
    figures.latencies.sort_unstable();
    Ok(figures)
}

/// Four connections from `127.0.0.2` that send, as fast as they are answered, a request-token
/// request of an unknown consumer signed with HMAC-SHA1 whose form body holds 16,000 parameters
/// (62 KiB), until `deadline`; how many answers they got.
async fn hostile(base: &str, address: SocketAddr, deadline: Instant) -> io::Result<u64> {
    let url = format!("{base}/oauth/request_token");
    let form: String = (0..16_000)
        .map(|i| format!("p{}=v", i % 10))
        .collect::<Vec<_>>()
        .join("&");
    let mut tasks = Vec::new();
    for _ in 0..4 {
        let (url, form) = (url.clone(), form.clone());
        tasks.push(tokio::spawn(async move {
            let stranger = ClientCredentials::new("unknown-key", "whatever");
            let from = std::net::Ipv4Addr::new(127, 0, 0, 2);
            let mut connection = Connection::open_from(address, from).await?;
            let mut answered = 0_u64;
            while Instant::now() < deadline {
                let header = sign(
                    "POST",
                    &url,
                    &stranger,
                    None,
                    Extra::default(),
                    SignatureMethod::HmacSha1,
                    nonce(),
                );
                let sent = connection
                    .send_form("POST", "/oauth/request_token", Some(&header), &form)
                    .await;
                match sent {
                    Ok(_) => answered += 1,
                    // Refused before its body was read, the connection is closed: open another.
                    Err(_) => {
                        connection = Connection::open_from(address, from).await?;
                    }
                }
            }
            Ok::<_, io::Error>(answered)
        }));
    }
    let mut answered = 0;
    for task in tasks {
        answered += task.await.map_err(io::Error::other)??;
    }
    Ok(answered)
}

/// The process's resident memory, in KiB (Linux; 0 elsewhere).
fn resident_kib() -> u64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse::<u64>().ok())
        .map_or(0, |pages| pages * 4)
}

/// A provider with `capacity` nonces (in Redis when given), authenticated clients unlimited and
/// `per_address` refused or unauthenticated requests a minute per address.
async fn start(
    redis: Option<&str>,
    capacity: usize,
    per_address: u32,
) -> io::Result<countersign_provider::ProviderHandle> {
    let mut builder = LocalProvider::builder()
        .auto_approve(true)
        .consumer(countersign_provider::Consumer::new(KEY, SECRET, "load"))
        .rate_limit(RateLimit::per_minute(u32::MAX, per_address))
        .nonce_capacity(capacity);
    if let Some(url) = redis {
        // The same share for one token as the memory store gives: a sixteenth of the capacity.
        let store = RedisNonceStore::connect(url)
            .await
            .map_err(io::Error::other)?
            .key_prefix(&format!("countersign-load-{}:", std::process::id()))
            .token_quota(capacity as u64 / 16);
        builder = builder.nonce_store(store);
    }
    builder.start().await
}

/// The verification alone: the core's verifier on one PLAINTEXT and one HMAC-SHA1 request,
/// in a loop, each with a fresh nonce; nanoseconds per request.
fn verification_cost(signature: SignatureMethod) -> f64 {
    let client = ClientCredentials::new(KEY, SECRET);
    let token = TokenCredentials::new("t".repeat(32), "s".repeat(40));
    let url = "http://127.0.0.1:8080/oauth/identity";
    let secrets = lookup_fn(
        |_: &str| Some(Secret::new(SECRET)),
        |_: &str, _: &str| Some(Secret::new("s".repeat(40))),
    );
    let verifier = Verifier::new();
    let mut store = MemoryNonceStore::new(300, 1_000_000);
    let headers: Vec<String> = (0..20_000)
        .map(|i| {
            sign(
                "GET",
                url,
                &client,
                Some(&token),
                Extra::default(),
                signature,
                1_000_000_000 + i,
            )
        })
        .collect();
    let request = Request::get(url);
    let started = Instant::now();
    for header in &headers {
        let verified = verifier.verify(&request, Some(header), now(), &secrets, &mut store);
        assert!(verified.is_ok(), "{verified:?}");
    }
    started.elapsed().as_nanos() as f64 / headers.len() as f64
}

fn main() -> Result<(), String> {
    let options = options()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime.block_on(run(options)).map_err(|e| e.to_string())
}

async fn run(options: Options) -> io::Result<()> {
    let store = options.redis.as_deref().map_or("memory", |_| "Redis");
    println!(
        "countersign local provider, nonces in {store}, {} s per phase",
        options.seconds
    );
    // 100 refused or unauthenticated requests a minute per address: the 64 logins' authorize
    // pages fit, hostile traffic from another address does not.
    let provider = start(options.redis.as_deref(), 4_000_000, 100).await?;
    let base = provider.base_url().to_owned();
    let address = provider.local_addr();
    let mut tokens = Vec::new();
    for _ in 0..64 {
        tokens.push(login(&base, address).await?);
    }
    println!("| signature | connections | requests/s | p50 | p99 | errors |");
    println!("| --- | ---: | ---: | ---: | ---: | ---: |");
    let mut best = 0.0_f64;
    for signature in [SignatureMethod::Plaintext, SignatureMethod::HmacSha1] {
        for connections in [1, 16, 64] {
            let figures = phase(
                &base,
                address,
                &tokens,
                connections,
                signature,
                options.seconds,
            )
            .await?;
            best = best.max(figures.per_second());
            println!(
                "| {signature} | {connections} | {:.0} | {:.0} us | {:.0} us | {} |",
                figures.per_second(),
                figures.percentile(0.5).as_secs_f64() * 1e6,
                figures.percentile(0.99).as_secs_f64() * 1e6,
                figures.errors,
            );
        }
    }
    // Hostile traffic from another address beside 16 signed clients: what the clients keep.
    let deadline = Instant::now() + Duration::from_secs(options.seconds);
    let attack = hostile(&base, address, deadline);
    let clients = phase(
        &base,
        address,
        &tokens,
        16,
        SignatureMethod::HmacSha1,
        options.seconds,
    );
    let (attack, clients) = tokio::join!(attack, clients);
    let clients = clients?;
    println!(
        "beside 4 hostile connections (HMAC-SHA1, unknown key, 16,000 form parameters): {:.0} requests/s for 16 signed clients (p99 {:.0} us, {} errors); the hostile ones got {} answers",
        clients.per_second(),
        clients.percentile(0.99).as_secs_f64() * 1e6,
        clients.errors,
        attack?
    );
    provider.shutdown().await?;

    // A nonce flood: one token, a store of 20,000 (its share: 1,250), in memory or in Redis.
    // Refusals unlimited per address here: what is measured is the nonce store.
    let flood = start(options.redis.as_deref(), 20_000, u32::MAX).await?;
    let base = flood.base_url().to_owned();
    let address = flood.local_addr();
    let token = login(&base, address).await?;
    let before = resident_kib();
    let flooders = vec![token; 16];
    let figures = phase(
        &base,
        address,
        &flooders,
        16,
        SignatureMethod::Plaintext,
        options.seconds,
    )
    .await?;
    let after = resident_kib();
    println!(
        "nonce flood: {} requests from one token in {:.1} s, {} refused (its share of the store is full), resident memory {} KiB -> {} KiB",
        figures.requests,
        figures.elapsed.as_secs_f64(),
        figures.errors,
        before,
        after
    );
    let other = login(&base, address).await;
    println!(
        "after the flood, a new login: {}",
        if other.is_ok() { "served" } else { "refused" }
    );
    flood.shutdown().await?;

    for signature in [SignatureMethod::Plaintext, SignatureMethod::HmacSha1] {
        let nanos = verification_cost(signature);
        println!(
            "verification alone ({signature}, memory nonce store): {:.2} us per request; at the best throughput above ({best:.0}/s on 2 cores) that is {:.1}% of the CPU time per request",
            nanos / 1000.0,
            100.0 * nanos * best / 2e9
        );
    }
    Ok(())
}
