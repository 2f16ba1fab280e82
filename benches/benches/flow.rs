//! The provider's side and the whole flow: verifying a signed request (against an honest floor
//! and against oauthlib, timed in the same run), and walking the three-legged flow over
//! in-memory answers (no network: what the core itself costs).

use std::hint::black_box;
use std::io::Write as _;
use std::process::{Command, Stdio};

use countersign::flow::{CallbackMode, RequestToken};
use countersign::response::Response;
use countersign::verify::{
    MemoryNonceStore, NonceCheck, NonceStore, NonceUse, SecretLookup, Verifier,
};
use countersign::{ClientCredentials, Request, SecretStr, Signer, TokenCredentials};
use countersign_benches::inputs::{
    CONSUMER_KEY, CONSUMER_SECRET, NONCE, SHAPES, Shape, TIMESTAMP, URL,
};
use countersign_benches::{CountingAlloc, report_allocations};
use criterion::measurement::WallTime;
use criterion::{
    BatchSize, BenchmarkGroup, BenchmarkId, Criterion, criterion_group, criterion_main,
};
use subtle::ConstantTimeEq as _;

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

/// A nonce store that accepts everything, so that the bench measures the verifier itself and
/// not the growth of a store.
struct AcceptAll;

impl NonceStore for AcceptAll {
    fn check_and_insert(&mut self, _: NonceUse<'_>, _: u64) -> NonceCheck {
        NonceCheck::Fresh
    }
}

/// The floor of verifying a PLAINTEXT header: split it on `, ` and `=`, check the method, the
/// version, the timestamp's window, that there is a nonce and that key and token are the known
/// ones, decode the signature on the stack and compare it with the expected one (built before
/// timing) without early exit. No store, no error values, no care for duplicates or quoting.
fn verify_floor(header: &str, now: u64, shape: &Shape, expected: &[u8]) -> bool {
    let Some(list) = header.strip_prefix("OAuth ") else {
        return false;
    };
    let (mut key, mut token, mut method, mut version) = (None, None, None, None);
    let (mut timestamp, mut nonce, mut signature) = (None, None, None);
    // One pass over the bytes: `name="value"` pairs, separated by `,` and one space.
    let bytes = list.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let name_start = i;
        while i < bytes.len() && bytes[i] != b'=' {
            i += 1;
        }
        let name = &list[name_start..i];
        if bytes.get(i + 1) != Some(&b'"') {
            return false;
        }
        i += 2;
        let value_start = i;
        while i < bytes.len() && bytes[i] != b'"' {
            i += 1;
        }
        let value = &list[value_start..i.min(bytes.len())];
        i += 1;
        if bytes.get(i) == Some(&b',') {
            i += 1;
            if bytes.get(i) == Some(&b' ') {
                i += 1;
            }
        }
        match name {
            "oauth_consumer_key" => key = Some(value),
            "oauth_token" => token = Some(value),
            "oauth_signature_method" => method = Some(value),
            "oauth_version" => version = Some(value),
            "oauth_timestamp" => timestamp = Some(value),
            "oauth_nonce" => nonce = Some(value),
            "oauth_signature" => signature = Some(value),
            _ => return false,
        }
    }
    let Some(Ok(timestamp)) = timestamp.map(str::parse::<u64>) else {
        return false;
    };
    if method != Some("PLAINTEXT")
        || !matches!(version, None | Some("1.0"))
        || timestamp + 300 < now
        || timestamp > now + 60
        || nonce.is_none_or(str::is_empty)
        || key != Some(shape.consumer_key)
        || token != Some(shape.token)
    {
        return false;
    }
    let mut decoded = [0u8; 256];
    let mut len = 0;
    let mut bytes = signature.unwrap_or_default().as_bytes().iter();
    while let Some(&byte) = bytes.next() {
        let byte = if byte == b'%' {
            let hex = |b: Option<&u8>| char::from(*b.unwrap_or(&b'x')).to_digit(16);
            let (Some(high), Some(low)) = (hex(bytes.next()), hex(bytes.next())) else {
                return false;
            };
            (high * 16 + low) as u8
        } else {
            byte
        };
        let Some(slot) = decoded.get_mut(len) else {
            return false;
        };
        *slot = byte;
        len += 1;
    }
    decoded[..len].ct_eq(expected).into()
}

/// oauthlib's `SignatureOnlyEndpoint.validate_request` on the same request, timed by
/// `benches/oauthlib_verify_timing.py` with the Python in `COUNTERSIGN_OAUTHLIB_PYTHON` (one
/// with `oauthlib` installed); `None`, said on standard error, without it.
fn oauthlib_ns_per_call(shape: &Shape) -> Option<f64> {
    let Some(python) = std::env::var_os("COUNTERSIGN_OAUTHLIB_PYTHON") else {
        eprintln!(
            "oauthlib not timed: set COUNTERSIGN_OAUTHLIB_PYTHON to a Python with oauthlib \
             (python3 -m venv v && v/bin/pip install oauthlib==3.2.2) to time it beside countersign"
        );
        return None;
    };
    let client = ClientCredentials::new(shape.consumer_key, shape.consumer_secret);
    let token = TokenCredentials::new(shape.token, shape.token_secret);
    // oauthlib takes timestamps within 600 seconds of its clock: signed now.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let header = Signer::new(&client)
        .token(&token)
        .timestamp(now)
        .nonce(NONCE)
        .sign(&Request::get(URL))
        .unwrap()
        .to_authorization();
    let job = serde_json::json!({
        "uri": URL,
        "authorization": header.as_str(),
        "consumer_key": shape.consumer_key,
        "client_secret": shape.consumer_secret,
        "token": shape.token,
        "token_secret": shape.token_secret,
        "runs": 20_000,
    });
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/oauthlib_verify_timing.py");
    let mut child = Command::new(python)
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("start the oauthlib timing script");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(job.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "oauthlib refused the request");
    let text = String::from_utf8(out.stdout).unwrap();
    text.trim().strip_prefix("ns_per_call ")?.parse().ok()
}

/// A provider's table of one client and one token: the secrets are lent, not copied.
struct Table(Shape);

impl SecretLookup for Table {
    fn client_secret(&self, consumer_key: &str) -> Option<SecretStr<'_>> {
        (consumer_key == self.0.consumer_key).then_some(SecretStr::from(self.0.consumer_secret))
    }

    fn token_secret(&self, consumer_key: &str, token: &str) -> Option<SecretStr<'_>> {
        (consumer_key == self.0.consumer_key && token == self.0.token)
            .then_some(SecretStr::from(self.0.token_secret))
    }
}

/// The `n`th nonce of a client, shaped as oauthlib (behind most Python clients) makes them: 30
/// random-looking digits, each different from the others.
fn client_nonce(n: u64) -> String {
    format!(
        "{:020}{:010}",
        n.wrapping_mul(0x9E37_79B9_7F4A_7C15),
        n % 10_000_000_000
    )
}

/// Times `verify` on a freshly signed header each time (signed in the setup, untimed, with the
/// `count`th [`client_nonce`] and the clock one second further every 100 requests); returns how
/// many it refused. Batches of 64: criterion's `SmallInput` batches run to thousands of headers,
/// signed before the batch is timed, whose reading then streams megabytes through the caches
/// between one use of the store and the next.
fn fresh_nonces<H>(
    group: &mut BenchmarkGroup<'_, WallTime>,
    id: BenchmarkId,
    sign: &impl Fn(u64, &str) -> H,
    mut verify: impl FnMut(&H, u64) -> bool,
) -> u64 {
    let mut n = 0u64;
    let mut refused = 0u64;
    group.bench_function(id, |b| {
        b.iter_batched(
            || {
                n += 1;
                let now = TIMESTAMP + n / 100;
                (sign(now, &client_nonce(n)), now)
            },
            |(header, now)| {
                refused += u64::from(!verify(&header, now));
                header
            },
            BatchSize::NumIterations(64),
        )
    });
    refused
}

fn verification(c: &mut Criterion) {
    let request = Request::get(URL);
    let verifier = Verifier::new();
    let mut group = c.benchmark_group("verify");
    for shape in SHAPES {
        let id = |name: &str| BenchmarkId::new(name, shape.name);
        let client = ClientCredentials::new(shape.consumer_key, shape.consumer_secret);
        let token = TokenCredentials::new(shape.token, shape.token_secret);
        let sign = |timestamp: u64, nonce: &str| {
            Signer::new(&client)
                .token(&token)
                .timestamp(timestamp)
                .nonce(nonce)
                .sign(&request)
                .unwrap()
                .to_authorization()
        };
        let header = sign(TIMESTAMP, NONCE);
        // The secrets as a provider keeps them: looked up, not copied.
        let secrets = Table(shape);
        let (cs, ts) = (shape.consumer_secret, shape.token_secret);
        let expected = format!("{cs}&{ts}");
        let ours = || {
            verifier
                .verify(
                    black_box(&request),
                    Some(black_box(header.as_str())),
                    TIMESTAMP,
                    &secrets,
                    &mut AcceptAll,
                )
                .is_ok()
        };
        let floor = || {
            verify_floor(
                black_box(header.as_str()),
                TIMESTAMP,
                &shape,
                expected.as_bytes(),
            )
        };
        assert!(ours());
        assert!(floor());

        group.bench_function(id("plaintext_accepted"), |b| b.iter(ours));
        group.bench_function(id("floor"), |b| b.iter(floor));

        // Every request a fresh nonce, recorded in a memory store; the clock moves one second
        // every 100 requests, so that the store holds some 36,000 entries (under one token's
        // quota) once it is warm. Signing happens in the setup, untimed. The same requests with
        // the store that accepts all, in the same harness (`iter_batched`, a fresh header each
        // time), are what the store's cost is measured against.
        let refused = fresh_nonces(
            &mut group,
            id("plaintext_fresh_nonces_accept_all"),
            &sign,
            |header, now| {
                verifier
                    .verify(
                        &request,
                        Some(header.as_str()),
                        now,
                        &secrets,
                        &mut AcceptAll,
                    )
                    .is_ok()
            },
        );
        assert_eq!(refused, 0, "fresh nonces refused with the accept-all store");
        let mut store = MemoryNonceStore::new(verifier.window(), 1_000_000);
        let refused = fresh_nonces(
            &mut group,
            id("plaintext_fresh_nonces_memory_store"),
            &sign,
            |header, now| {
                verifier
                    .verify(&request, Some(header.as_str()), now, &secrets, &mut store)
                    .is_ok()
            },
        );
        assert_eq!(refused, 0, "the memory store refused fresh nonces");

        let name = |what: &str| format!("verify/{what}/{}", shape.name);
        report_allocations(&name("plaintext_accepted"), ours);
        report_allocations(&name("floor"), floor);
        let headers: Vec<_> = (0..10_001)
            .map(|i| sign(TIMESTAMP, &client_nonce(u64::MAX - i)))
            .collect();
        let mut store = MemoryNonceStore::new(verifier.window(), 1_000_000);
        let mut next = headers.iter();
        report_allocations(&name("plaintext_fresh_nonces_memory_store"), || {
            let header = next.next().unwrap();
            verifier.verify(
                &request,
                Some(header.as_str()),
                TIMESTAMP,
                &secrets,
                &mut store,
            )
        });
        if let Some(ns) = oauthlib_ns_per_call(&shape) {
            println!("oauthlib/validate_request/{} {ns:.0} ns/op", shape.name);
        }
    }
    group.finish();
}

fn whole_flow(c: &mut Criterion) {
    let config = countersign::discogs::profile("bench/1.0").unwrap();
    let client = ClientCredentials::new(CONSUMER_KEY, CONSUMER_SECRET);
    let temp =
        b"oauth_token=hdk48Djdsa&oauth_token_secret=xyz4992k83j47x0b&oauth_callback_confirmed=true";
    let access = b"oauth_token=j49ddk933skd9dks&oauth_token_secret=ll399dj47dskfjdk";
    let run = || {
        let flow =
            RequestToken::new(config.clone(), client.clone(), CallbackMode::OutOfBand).unwrap();
        let first = flow.request(TIMESTAMP, NONCE).unwrap();
        let pending = flow.receive(&Response::new(200, temp), TIMESTAMP).unwrap();
        let url = pending.authorize_url();
        let next = pending.verifier("473f82d3", TIMESTAMP + 30).unwrap();
        let second = next.request(TIMESTAMP + 31, NONCE).unwrap();
        let session = next
            .receive(&Response::new(200, access), TIMESTAMP + 32)
            .unwrap();
        let third = session.identity_request(TIMESTAMP + 33, NONCE).unwrap();
        (first, url, second, third)
    };
    let mut group = c.benchmark_group("flow");
    group.bench_function("three_legged_in_memory", |b| b.iter(|| black_box(run())));
    group.finish();
    report_allocations("flow/three_legged_in_memory", run);
}

/// `MemoryNonceStore::check_and_insert` alone, in the state `verify/plaintext_fresh...` keeps it
/// in: fresh 30-digit nonces of one token, the clock one second further every 100, some 30,000
/// entries (the window's worth) held once it is warm. What the store costs a verified request,
/// without the verification around it.
fn nonce_store(c: &mut Criterion) {
    let window = Verifier::new().window();
    let mut store = MemoryNonceStore::new(window, 1_000_000);
    let shape = SHAPES.last().expect("the Discogs shape");
    let mut n = 0u64;
    let mut next = || {
        n += 1;
        (client_nonce(n), TIMESTAMP + n / 100)
    };
    let record = |store: &mut MemoryNonceStore, (nonce, now): &(String, u64)| {
        let used = NonceUse {
            consumer_key: shape.consumer_key,
            token: Some(shape.token),
            timestamp: *now,
            nonce,
        };
        store.check_and_insert(used, *now)
    };
    // Warm: a full window of entries.
    for _ in 0..(window + 1) * 100 {
        let fresh = next();
        assert_eq!(record(&mut store, &fresh), NonceCheck::Fresh);
    }
    let mut group = c.benchmark_group("nonce_store");
    group.bench_function("memory_fresh_nonce", |b| {
        b.iter_batched(
            &mut next,
            |fresh| {
                assert_eq!(record(&mut store, black_box(&fresh)), NonceCheck::Fresh);
                fresh
            },
            BatchSize::SmallInput,
        )
    });
    group.finish();
}

criterion_group!(benches, verification, nonce_store, whole_flow);
criterion_main!(benches);
