//! RSA-SHA256 signing with a 2048-bit key (the size providers ask for) on the identity request
//! the other signing benches use: countersign's prepared and one-shot signers against the floor, the `rsa`
//! crate signing the same base string's SHA-256 digest itself (with the same blinding from the
//! operating system's random source). The private-key operation is nearly all of the time; the
//! target is within 1.2x of the floor.

use std::hint::black_box;

use countersign::signature::{SignatureMethod, sign_base_string};
use countersign::{ClientCredentials, Request, RsaPrivateKey, Signer, TokenCredentials};
use countersign_benches::inputs::{CONSUMER_KEY, NONCE, TIMESTAMP, TOKEN, TOKEN_SECRET, URL};
use countersign_benches::{CountingAlloc, report_allocations};
use criterion::{Criterion, criterion_group, criterion_main};
use rsa::pkcs8::DecodePrivateKey as _;
use sha2::Digest as _;

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

const KEY: &str = include_str!("../../crates/countersign/tests/data/rsa/test-2048.pem");

fn rsa_sha256(c: &mut Criterion) {
    let key = RsaPrivateKey::from_pem(KEY).unwrap();
    let client = ClientCredentials::with_rsa_key(CONSUMER_KEY, key.clone());
    let token = TokenCredentials::new(TOKEN, TOKEN_SECRET);
    let request = Request::get(URL);
    let method = SignatureMethod::RsaSha256;
    let prepared = Signer::new(&client)
        .token(&token)
        .signature_method(method)
        .prepare()
        .unwrap();

    // The base string the signers sign, and the floor over it.
    let header = prepared.sign(&request, TIMESTAMP, NONCE).unwrap();
    let parsed = countersign::ParsedAuthorization::parse(header.as_str()).unwrap();
    let protocol: Vec<(String, String)> = parsed
        .params()
        .filter(|(name, _)| name != "oauth_signature")
        .map(|(n, v)| (n.into_owned(), v.into_owned()))
        .collect();
    let protocol: Vec<(&str, &str)> = protocol
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let base = countersign::base_string::base_string(&request, &protocol).unwrap();
    let floor_key = rsa::PrivateKey::from_pkcs8_pem(KEY).unwrap();
    let floor = || {
        use base64::Engine as _;
        let digest = sha2::Sha256::digest(base.as_bytes());
        let signature = floor_key
            .sign(rsa::Pkcs1v15Sign::new::<sha2::Sha256>(), &digest)
            .unwrap();
        base64::engine::general_purpose::STANDARD.encode(signature)
    };
    // The same signature, byte for byte.
    let ours = countersign::encode::decode(parsed.signature().unwrap())
        .unwrap()
        .into_owned();
    assert_eq!(ours, floor());
    assert_eq!(
        sign_base_string(method, &client, None, &base)
            .unwrap()
            .expose_secret(),
        ours
    );

    let mut group = c.benchmark_group("rsa_sha256_2048_header_pinned");
    group.bench_function("countersign_prepared", |b| {
        b.iter(|| prepared.sign(black_box(&request), TIMESTAMP, NONCE))
    });
    group.bench_function("countersign_one_shot", |b| {
        b.iter(|| {
            Signer::new(&client)
                .token(&token)
                .signature_method(method)
                .timestamp(TIMESTAMP)
                .nonce(NONCE)
                .sign(black_box(&request))
                .map(|s| s.to_authorization())
        })
    });
    group.bench_function("rsa_crate_floor", |b| b.iter(floor));
    group.finish();

    report_allocations("rsa_sha256_2048_header_pinned/countersign_prepared", || {
        prepared.sign(&request, TIMESTAMP, NONCE)
    });
    report_allocations("rsa_sha256_2048_header_pinned/rsa_crate_floor", floor);
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = rsa_sha256
}
criterion_main!(benches);
