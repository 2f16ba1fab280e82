//! `Authorization` headers, PLAINTEXT and HMAC-SHA1 (HMAC-SHA256 and -SHA512 too, against their
//! floor only): countersign against oauth1-request (the best-known Rust implementation) and
//! against an honest floor (the least work that produces the
//! same bytes), on the same inputs in the same run, for each credential shape in
//! [`SHAPES`](countersign_benches::inputs::SHAPES).

use std::hint::black_box;
use std::num::NonZeroU64;

use base64::Engine as _;
use countersign::clock::SystemClock;
use countersign::nonce::{NonceGenerator, NonceSource};
use countersign::{ClientCredentials, Request, SignatureMethod, Signer, TokenCredentials};
use countersign_benches::inputs::{NONCE, SEARCH_URL, SHAPES, Shape, TIMESTAMP, URL};
use countersign_benches::{CountingAlloc, report_allocations};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use hmac::{KeyInit, Mac};

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

/// The PLAINTEXT floor: one `String` of the exact length, and plain copies of the parts that do
/// not change (already encoded), the timestamp's digits and the nonce.
struct PlaintextFloor {
    before_timestamp: String,
    after_nonce: String,
}

const NONCE_OPEN: &str = "\", oauth_nonce=\"";

impl PlaintextFloor {
    fn new(shape: &Shape) -> Self {
        Self {
            before_timestamp: format!(
                "OAuth oauth_consumer_key=\"{}\", oauth_token=\"{}\", oauth_signature_method=\"PLAINTEXT\", oauth_version=\"1.0\", oauth_timestamp=\"",
                shape.consumer_key, shape.token
            ),
            after_nonce: format!(
                "\", oauth_signature=\"{}%26{}\"",
                shape.consumer_secret, shape.token_secret
            ),
        }
    }

    fn header(&self, timestamp: u64, nonce: &str) -> String {
        let mut digits = itoa::Buffer::new();
        let digits = digits.format(timestamp);
        let mut out = String::with_capacity(
            self.before_timestamp.len()
                + digits.len()
                + NONCE_OPEN.len()
                + nonce.len()
                + self.after_nonce.len(),
        );
        out.push_str(&self.before_timestamp);
        out.push_str(digits);
        out.push_str(NONCE_OPEN);
        out.push_str(nonce);
        out.push_str(&self.after_nonce);
        out
    }
}

/// The HMAC floor (SHA-1, SHA-256 or SHA-512 as `M` says): a MAC keyed once and cloned per
/// request, over the finished base string (built before timing), its base64 written on the stack
/// and percent-encoded into a header of the exact length whose other parts are plain copies.
struct HmacFloor<M> {
    mac: M,
    base_string: String,
    before_signature: String,
}

impl<M: Mac + KeyInit + Clone> HmacFloor<M> {
    /// The floor for `method` (its `oauth_signature_method` name) on [`SEARCH_URL`].
    fn new(shape: &Shape, method: SignatureMethod) -> Self {
        let name = method.as_str();
        let params = format!(
            "oauth_consumer_key={}&oauth_nonce={NONCE}&oauth_signature_method={name}&oauth_timestamp={TIMESTAMP}&oauth_token={}&q=nirvana&type=release",
            shape.consumer_key, shape.token
        );
        // Every name and value above is unreserved: only the separators need encoding.
        let params = params.replace('=', "%3D").replace('&', "%26");
        Self {
            mac: <M as KeyInit>::new_from_slice(
                format!("{}&{}", shape.consumer_secret, shape.token_secret).as_bytes(),
            )
            .unwrap(),
            base_string: format!("GET&https%3A%2F%2Fapi.discogs.com%2Fdatabase%2Fsearch&{params}"),
            before_signature: format!(
                "OAuth oauth_consumer_key=\"{}\", oauth_token=\"{}\", oauth_signature_method=\"{name}\", oauth_timestamp=\"{TIMESTAMP}\", oauth_nonce=\"{NONCE}\", oauth_signature=\"",
                shape.consumer_key, shape.token
            ),
        }
    }

    fn header(&self) -> String {
        let mut mac = self.mac.clone();
        mac.update(self.base_string.as_bytes());
        let digest = mac.finalize().into_bytes();
        // Base64 of a SHA-512 digest (64 bytes) is 88 characters: room for every method.
        let mut b64 = [0u8; 88];
        let n = base64::engine::general_purpose::STANDARD
            .encode_slice(digest, &mut b64)
            .unwrap();
        let mut out = String::with_capacity(self.before_signature.len() + 3 * n + 1);
        out.push_str(&self.before_signature);
        for &b in &b64[..n] {
            match b {
                b'+' => out.push_str("%2B"),
                b'/' => out.push_str("%2F"),
                b'=' => out.push_str("%3D"),
                _ => out.push(char::from(b)),
            }
        }
        out.push('"');
        out
    }
}

fn peer_credentials(shape: &Shape) -> oauth1_request::Credentials<&'static str> {
    oauth1_request::Credentials::new(shape.consumer_key, shape.consumer_secret)
}

fn peer_token(shape: &Shape) -> oauth1_request::Credentials<&'static str> {
    oauth1_request::Credentials::new(shape.token, shape.token_secret)
}

fn plaintext(c: &mut Criterion) {
    let request = Request::get(URL);
    let mut pinned = c.benchmark_group("plaintext_header_pinned");
    for shape in SHAPES {
        let id = |name: &str| BenchmarkId::new(name, shape.name);
        let client = ClientCredentials::new(shape.consumer_key, shape.consumer_secret);
        let token = TokenCredentials::new(shape.token, shape.token_secret);
        let prepared = Signer::new(&client).token(&token).prepare().unwrap();
        let floor = PlaintextFloor::new(&shape);
        let one_shot = || {
            Signer::new(black_box(&client))
                .token(black_box(&token))
                .timestamp(black_box(TIMESTAMP))
                .nonce(black_box(NONCE))
                .sign(black_box(&request))
                .map(|s| s.to_authorization())
        };
        let (peer_client, peer_token) = (peer_credentials(&shape), peer_token(&shape));
        let peer = |nonce: &str, ts: u64| {
            let mut builder =
                oauth1_request::Builder::<_, _>::new(peer_client, oauth1_request::PLAINTEXT);
            builder
                .token(peer_token)
                .nonce(nonce)
                .timestamp(NonZeroU64::new(ts));
            builder.get(URL, &())
        };

        // The same header, byte for byte apart from the order the RFC leaves free.
        let ours = prepared.sign(&request, TIMESTAMP, NONCE).unwrap();
        assert_eq!(ours.as_str(), floor.header(TIMESTAMP, NONCE));
        assert_eq!(one_shot().unwrap(), ours);
        // oauth1-request 0.6 leaves the `&` of a PLAINTEXT signature unencoded in the header
        // (RFC 5849 section 3.5.1 wants `%26`, as in the RFC's own `ja893SD9%26`) and sends no
        // oauth_version; otherwise it builds the same header, so the work compared is the same.
        let theirs = peer(NONCE, TIMESTAMP);
        let signature = format!(
            "oauth_signature=\"{}&{}\"",
            shape.consumer_secret, shape.token_secret
        );
        assert!(theirs.contains(&signature), "{theirs}");
        assert!(theirs.contains(&format!("oauth_nonce=\"{NONCE}\"")));

        pinned.bench_function(id("countersign_prepared"), |b| {
            b.iter(|| prepared.sign(black_box(&request), black_box(TIMESTAMP), black_box(NONCE)))
        });
        let mut buf = String::with_capacity(512);
        let mut write_to = || {
            buf.clear();
            prepared
                .write_to(
                    black_box(&request),
                    black_box(TIMESTAMP),
                    black_box(NONCE),
                    &mut buf,
                )
                .unwrap();
            buf.len()
        };
        pinned.bench_function(id("countersign_prepared_write_to_reused_buffer"), |b| {
            b.iter(&mut write_to)
        });
        pinned.bench_function(id("countersign_one_shot"), |b| b.iter(one_shot));
        pinned.bench_function(id("oauth1_request"), |b| {
            b.iter(|| peer(black_box(NONCE), black_box(TIMESTAMP)))
        });
        pinned.bench_function(id("floor"), |b| {
            b.iter(|| floor.header(black_box(TIMESTAMP), black_box(NONCE)))
        });

        let name = |what: &str| format!("plaintext_header_pinned/{what}/{}", shape.name);
        report_allocations(&name("countersign_prepared"), || {
            prepared.sign(&request, TIMESTAMP, NONCE)
        });
        report_allocations(&name("countersign_write_to_reused"), write_to);
        report_allocations(&name("countersign_one_shot"), one_shot);
        report_allocations(&name("oauth1_request"), || peer(NONCE, TIMESTAMP));
        report_allocations(&name("floor"), || floor.header(TIMESTAMP, NONCE));
    }
    pinned.finish();

    let mut generated = c.benchmark_group("plaintext_header_generated");
    for shape in SHAPES {
        let client = ClientCredentials::new(shape.consumer_key, shape.consumer_secret);
        let token = TokenCredentials::new(shape.token, shape.token_secret);
        let prepared = Signer::new(&client).token(&token).prepare().unwrap();
        let (peer_client, peer_token) = (peer_credentials(&shape), peer_token(&shape));
        let peer = || {
            let mut builder =
                oauth1_request::Builder::<_, _>::new(peer_client, oauth1_request::PLAINTEXT);
            builder.token(peer_token);
            builder.get(URL, &())
        };
        let mut nonces = NonceGenerator::new();
        let mut ours = || prepared.sign_with(&request, &mut nonces, &SystemClock);
        generated.bench_function(BenchmarkId::new("countersign_prepared", shape.name), |b| {
            b.iter(&mut ours)
        });
        generated.bench_function(BenchmarkId::new("oauth1_request", shape.name), |b| {
            b.iter(peer)
        });
        let name = |what: &str| format!("plaintext_header_generated/{what}/{}", shape.name);
        report_allocations(&name("countersign_prepared"), ours);
        report_allocations(&name("oauth1_request"), peer);
    }
    generated.finish();

    let mut group = c.benchmark_group("nonce");
    let mut nonces = NonceGenerator::new();
    group.bench_function("countersign_generator", |b| b.iter(|| nonces.next_nonce()));
    group.finish();
}

/// The HMAC methods on a request with a query (so there is something to sort), each against the
/// floor of the same shape; HMAC-SHA1 also against oauth1-request (it has no other HMAC).
fn hmac(c: &mut Criterion) {
    hmac_method::<hmac::Hmac<sha1::Sha1>>(c, SignatureMethod::HmacSha1);
    hmac_method::<hmac::Hmac<sha2::Sha256>>(c, SignatureMethod::HmacSha256);
    hmac_method::<hmac::Hmac<sha2::Sha512>>(c, SignatureMethod::HmacSha512);
}

/// `hmac_sha1_header_pinned`, `hmac_sha256_header_pinned`, ...: `method`, with `M` its MAC.
fn hmac_method<M: Mac + KeyInit + Clone>(c: &mut Criterion, method: SignatureMethod) {
    let request = Request::get(SEARCH_URL);
    let group_name = format!(
        "{}_header_pinned",
        method.as_str().to_lowercase().replace('-', "_")
    );
    let mut group = c.benchmark_group(&group_name);
    for shape in SHAPES {
        let id = |name: &str| BenchmarkId::new(name, shape.name);
        let client = ClientCredentials::new(shape.consumer_key, shape.consumer_secret);
        let token = TokenCredentials::new(shape.token, shape.token_secret);
        let prepared = Signer::new(&client)
            .token(&token)
            .signature_method(method)
            .version(false)
            .prepare()
            .unwrap();
        let one_shot = || {
            Signer::new(black_box(&client))
                .token(black_box(&token))
                .signature_method(method)
                .version(false)
                .timestamp(black_box(TIMESTAMP))
                .nonce(black_box(NONCE))
                .sign(black_box(&request))
                .map(|s| s.to_authorization())
        };
        let (peer_client, peer_token) = (peer_credentials(&shape), peer_token(&shape));
        let peer = |nonce: &str, ts: u64| {
            let mut builder =
                oauth1_request::Builder::<_, _>::new(peer_client, oauth1_request::HMAC_SHA1);
            builder
                .token(peer_token)
                .nonce(nonce)
                .timestamp(NonZeroU64::new(ts));
            builder.get(
                "https://api.discogs.com/database/search",
                &oauth1_request::ParameterList::new([("q", "nirvana"), ("type", "release")]),
            )
        };
        let with_peer = method == SignatureMethod::HmacSha1;
        let floor = HmacFloor::<M>::new(&shape, method);

        // All sign the same base string: the signatures (and our headers) agree.
        let ours = prepared.sign(&request, TIMESTAMP, NONCE).unwrap();
        assert_eq!(ours.as_str(), floor.header());
        assert_eq!(one_shot().unwrap(), ours);
        if with_peer {
            let theirs = peer(NONCE, TIMESTAMP);
            let signature = |h: &str| {
                let start = h.find("oauth_signature=\"").unwrap() + 17;
                h[start..start + h[start..].find('"').unwrap()].to_owned()
            };
            assert_eq!(signature(ours.as_str()), signature(&theirs));
        }

        group.bench_function(id("countersign_prepared"), |b| {
            b.iter(|| prepared.sign(black_box(&request), black_box(TIMESTAMP), black_box(NONCE)))
        });
        group.bench_function(id("countersign_one_shot"), |b| b.iter(one_shot));
        if with_peer {
            group.bench_function(id("oauth1_request"), |b| {
                b.iter(|| peer(black_box(NONCE), black_box(TIMESTAMP)))
            });
        }
        group.bench_function(id("floor"), |b| b.iter(|| black_box(&floor).header()));

        let name = |what: &str| format!("{group_name}/{what}/{}", shape.name);
        report_allocations(&name("countersign_prepared"), || {
            prepared.sign(&request, TIMESTAMP, NONCE)
        });
        report_allocations(&name("countersign_one_shot"), one_shot);
        if with_peer {
            report_allocations(&name("oauth1_request"), || peer(NONCE, TIMESTAMP));
        }
        report_allocations(&name("floor"), || floor.header());
    }
    group.finish();
}

criterion_group!(benches, plaintext, hmac);
criterion_main!(benches);
