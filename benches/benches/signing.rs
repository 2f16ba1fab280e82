//! PLAINTEXT `Authorization` headers: countersign against oauth1-request (the best-known Rust
//! implementation) and against a plain `format!` of pre-encoded parts (the floor), on the same
//! inputs in the same run.

use std::hint::black_box;
use std::num::NonZeroU64;

use countersign::clock::SystemClock;
use countersign::nonce::{NonceGenerator, NonceSource};
use countersign::{ClientCredentials, Request, Signer, TokenCredentials};
use countersign_benches::inputs::{
    CONSUMER_KEY, CONSUMER_SECRET, NONCE, TIMESTAMP, TOKEN, TOKEN_SECRET, URL,
};
use countersign_benches::{CountingAlloc, report_allocations};
use criterion::{Criterion, criterion_group, criterion_main};

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

/// The floor: the header's parts, already encoded, glued with `format!`.
fn floor(nonce: &str, timestamp: u64) -> String {
    format!(
        "OAuth oauth_consumer_key=\"{CONSUMER_KEY}\", oauth_token=\"{TOKEN}\", oauth_signature_method=\"PLAINTEXT\", oauth_version=\"1.0\", oauth_timestamp=\"{timestamp}\", oauth_nonce=\"{nonce}\", oauth_signature=\"{CONSUMER_SECRET}%26{TOKEN_SECRET}\""
    )
}

fn plaintext(c: &mut Criterion) {
    let client = ClientCredentials::new(CONSUMER_KEY, CONSUMER_SECRET);
    let token = TokenCredentials::new(TOKEN, TOKEN_SECRET);
    let request = Request::get(URL);
    let prepared = Signer::new(&client).token(&token).prepare().unwrap();

    let peer_client = oauth1_request::Credentials::new(CONSUMER_KEY, CONSUMER_SECRET);
    let peer_token = oauth1_request::Credentials::new(TOKEN, TOKEN_SECRET);
    let peer_pinned = |nonce: &str, ts: u64| {
        let mut builder =
            oauth1_request::Builder::<_, _>::new(peer_client, oauth1_request::PLAINTEXT);
        builder
            .token(peer_token)
            .nonce(nonce)
            .timestamp(NonZeroU64::new(ts));
        builder.get(URL, &())
    };
    let peer_generated = || {
        let mut builder =
            oauth1_request::Builder::<_, _>::new(peer_client, oauth1_request::PLAINTEXT);
        builder.token(peer_token);
        builder.get(URL, &())
    };

    // The same header, byte for byte apart from the order the RFC leaves free.
    let ours = prepared.sign(&request, TIMESTAMP, NONCE).unwrap();
    assert_eq!(ours.as_str(), floor(NONCE, TIMESTAMP));
    // oauth1-request 0.6 leaves the `&` of a PLAINTEXT signature unencoded in the header (RFC 5849
    // section 3.5.1 wants `%26`, as in the RFC's own `ja893SD9%26`) and sends no oauth_version;
    // otherwise it builds the same header, so the work compared is the same.
    let peer = peer_pinned(NONCE, TIMESTAMP);
    assert!(
        peer.contains("oauth_signature=\"kd94hf93k423kf44&pfkkdhi9sl3r4s00\""),
        "{peer}"
    );
    assert!(
        peer.contains("oauth_nonce=\"k7Hn2pQx9vR4mW8tY1zA3bC5\""),
        "{peer}"
    );

    let mut group = c.benchmark_group("plaintext_header_pinned");
    group.bench_function("countersign_prepared", |b| {
        b.iter(|| prepared.sign(black_box(&request), black_box(TIMESTAMP), black_box(NONCE)))
    });
    let mut buf = String::with_capacity(512);
    group.bench_function("countersign_prepared_write_to_reused_buffer", |b| {
        b.iter(|| {
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
        })
    });
    group.bench_function("countersign_one_shot", |b| {
        b.iter(|| {
            Signer::new(black_box(&client))
                .token(black_box(&token))
                .timestamp(black_box(TIMESTAMP))
                .nonce(black_box(NONCE))
                .sign(black_box(&request))
                .map(|s| s.to_authorization())
        })
    });
    group.bench_function("oauth1_request", |b| {
        b.iter(|| peer_pinned(black_box(NONCE), black_box(TIMESTAMP)))
    });
    group.bench_function("format_floor", |b| {
        b.iter(|| floor(black_box(NONCE), black_box(TIMESTAMP)))
    });
    group.finish();

    let mut group = c.benchmark_group("plaintext_header_generated");
    let mut nonces = NonceGenerator::new();
    group.bench_function("countersign_prepared", |b| {
        b.iter(|| prepared.sign_with(black_box(&request), &mut nonces, &SystemClock))
    });
    group.bench_function("oauth1_request", |b| b.iter(peer_generated));
    group.finish();

    // HMAC-SHA1 on the same request (a query parameter, so there is something to sort).
    let hmac_url = "https://api.discogs.com/database/search?q=nirvana&type=release";
    let hmac_request = Request::get(hmac_url);
    let hmac = Signer::new(&client)
        .token(&token)
        .signature_method(countersign::SignatureMethod::HmacSha1)
        .version(false)
        .prepare()
        .unwrap();
    let peer_hmac = |nonce: &str, ts: u64| {
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
    // Both sign the same base string: the signatures agree.
    let ours = hmac.sign(&hmac_request, TIMESTAMP, NONCE).unwrap();
    let theirs = peer_hmac(NONCE, TIMESTAMP);
    let signature = |h: &str| {
        let start = h.find("oauth_signature=\"").unwrap() + 17;
        h[start..start + h[start..].find('"').unwrap()].to_owned()
    };
    assert_eq!(signature(ours.as_str()), signature(&theirs));
    let mut group = c.benchmark_group("hmac_sha1_header_pinned");
    group.bench_function("countersign_prepared", |b| {
        b.iter(|| {
            hmac.sign(
                black_box(&hmac_request),
                black_box(TIMESTAMP),
                black_box(NONCE),
            )
        })
    });
    let one_shot = || {
        Signer::new(&client)
            .token(&token)
            .signature_method(countersign::SignatureMethod::HmacSha1)
            .version(false)
            .timestamp(TIMESTAMP)
            .nonce(NONCE)
            .sign(black_box(&hmac_request))
            .map(|s| s.to_authorization())
    };
    assert_eq!(one_shot().unwrap(), ours);
    group.bench_function("countersign_one_shot", |b| b.iter(one_shot));
    group.bench_function("oauth1_request", |b| {
        b.iter(|| peer_hmac(black_box(NONCE), black_box(TIMESTAMP)))
    });
    group.finish();
    report_allocations("hmac_sha1_header_pinned/countersign_prepared", || {
        hmac.sign(&hmac_request, TIMESTAMP, NONCE)
    });
    report_allocations("hmac_sha1_header_pinned/countersign_one_shot", one_shot);
    report_allocations("hmac_sha1_header_pinned/oauth1_request", || {
        peer_hmac(NONCE, TIMESTAMP)
    });

    let mut group = c.benchmark_group("nonce");
    group.bench_function("countersign_generator", |b| b.iter(|| nonces.next_nonce()));
    group.finish();

    report_allocations("plaintext_header_pinned/countersign_prepared", || {
        prepared.sign(&request, TIMESTAMP, NONCE)
    });
    let mut buf = String::with_capacity(512);
    report_allocations(
        "plaintext_header_pinned/countersign_write_to_reused",
        || {
            buf.clear();
            prepared.write_to(&request, TIMESTAMP, NONCE, &mut buf)
        },
    );
    report_allocations("plaintext_header_pinned/countersign_one_shot", || {
        Signer::new(&client)
            .token(&token)
            .timestamp(TIMESTAMP)
            .nonce(NONCE)
            .sign(&request)
            .map(|s| s.to_authorization())
    });
    report_allocations("plaintext_header_pinned/oauth1_request", || {
        peer_pinned(NONCE, TIMESTAMP)
    });
    report_allocations("plaintext_header_pinned/format_floor", || {
        floor(NONCE, TIMESTAMP)
    });
    let mut nonces = NonceGenerator::new();
    report_allocations("plaintext_header_generated/countersign_prepared", || {
        prepared.sign_with(&request, &mut nonces, &SystemClock)
    });
    report_allocations("plaintext_header_generated/oauth1_request", peer_generated);
}

criterion_group!(benches, plaintext);
criterion_main!(benches);
