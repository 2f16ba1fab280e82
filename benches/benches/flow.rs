//! The provider's side and the whole flow: verifying a signed request, and walking the
//! three-legged flow over in-memory answers (no network: what the core itself costs).

use std::hint::black_box;

use countersign::flow::{CallbackMode, RequestToken};
use countersign::response::Response;
use countersign::verify::{
    MemoryNonceStore, NonceCheck, NonceStore, NonceUse, Verifier, lookup_fn,
};
use countersign::{ClientCredentials, Request, Secret, Signer, TokenCredentials};
use countersign_benches::inputs::{
    CONSUMER_KEY, CONSUMER_SECRET, NONCE, TIMESTAMP, TOKEN, TOKEN_SECRET, URL,
};
use countersign_benches::{CountingAlloc, report_allocations};
use criterion::{Criterion, criterion_group, criterion_main};

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

fn verification(c: &mut Criterion) {
    let client = ClientCredentials::new(CONSUMER_KEY, CONSUMER_SECRET);
    let token = TokenCredentials::new(TOKEN, TOKEN_SECRET);
    let header = Signer::new(&client)
        .token(&token)
        .timestamp(TIMESTAMP)
        .nonce(NONCE)
        .sign(&Request::get(URL))
        .unwrap()
        .to_authorization();
    let secrets = lookup_fn(
        |key: &str| (key == CONSUMER_KEY).then(|| Secret::new(CONSUMER_SECRET)),
        |key: &str, t: &str| (key == CONSUMER_KEY && t == TOKEN).then(|| Secret::new(TOKEN_SECRET)),
    );
    let verifier = Verifier::new();
    let request = Request::get(URL);
    assert!(
        verifier
            .verify(
                &request,
                Some(header.as_str()),
                TIMESTAMP,
                &secrets,
                &mut AcceptAll
            )
            .is_ok()
    );
    let mut group = c.benchmark_group("verify");
    group.bench_function("plaintext_accepted", |b| {
        b.iter(|| {
            verifier
                .verify(
                    black_box(&request),
                    Some(black_box(header.as_str())),
                    TIMESTAMP,
                    &secrets,
                    &mut AcceptAll,
                )
                .is_ok()
        })
    });
    let mut store = MemoryNonceStore::new(verifier.window(), 1_000_000);
    let mut n = 0u64;
    group.bench_function("plaintext_fresh_nonces_memory_store", |b| {
        b.iter(|| {
            n += 1;
            let nonce = format!("n{n}");
            let header = Signer::new(&client)
                .token(&token)
                .timestamp(TIMESTAMP)
                .nonce(&nonce)
                .sign(&request)
                .unwrap()
                .to_authorization();
            verifier
                .verify(
                    &request,
                    Some(header.as_str()),
                    TIMESTAMP,
                    &secrets,
                    &mut store,
                )
                .is_ok()
        })
    });
    group.finish();
    report_allocations("verify/plaintext_accepted", || {
        verifier
            .verify(
                &request,
                Some(header.as_str()),
                TIMESTAMP,
                &secrets,
                &mut AcceptAll,
            )
            .is_ok()
    });
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

criterion_group!(benches, verification, whole_flow);
criterion_main!(benches);
