//! Parsing token responses (against `url::form_urlencoded` and `serde_urlencoded`), callbacks and
//! `Authorization` headers.

use std::borrow::Cow;
use std::hint::black_box;

use countersign::{Callback, ParsedAuthorization, TokenResponse};
use countersign_benches::{CountingAlloc, report_allocations};
use criterion::{Criterion, criterion_group, criterion_main};

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

const PLAIN: &[u8] =
    b"oauth_token=hdk48Djdsa&oauth_token_secret=xyz4992k83j47x0b&oauth_callback_confirmed=true";
const ESCAPED: &[u8] = b"oauth_token=hdk48Djdsa&oauth_token_secret=xyz%2B4992k83j47x0b&oauth_callback_confirmed=true&screen_name=a+b";
const CALLBACK: &str =
    "http://client.example.net/cb?x=1&oauth_token=hdk48Djdsa&oauth_verifier=473f82d3";
const HEADER: &str = "OAuth realm=\"Photos\", oauth_consumer_key=\"dpf43f3p2l4k3l03\", oauth_token=\"nnch734d00sl2jdk\", oauth_signature_method=\"PLAINTEXT\", oauth_version=\"1.0\", oauth_timestamp=\"137131202\", oauth_nonce=\"chapoH\", oauth_signature=\"kd94hf93k423kf44%26pfkkdhi9sl3r4s00\"";

#[derive(serde::Deserialize)]
#[allow(dead_code)]
struct SerdeTokenResponse<'a> {
    #[serde(borrow)]
    oauth_token: Cow<'a, str>,
    #[serde(borrow)]
    oauth_token_secret: Cow<'a, str>,
    oauth_callback_confirmed: Option<Cow<'a, str>>,
}

/// What `url::form_urlencoded` needs to do to find the same three fields.
fn form_urlencoded(body: &[u8]) -> Option<(Cow<'_, str>, Cow<'_, str>, bool)> {
    let (mut token, mut secret, mut confirmed) = (None, None, false);
    for (name, value) in form_urlencoded::parse(body) {
        match &*name {
            "oauth_token" => token = Some(value),
            "oauth_token_secret" => secret = Some(value),
            "oauth_callback_confirmed" => confirmed = value == "true",
            _ => {}
        }
    }
    Some((token?, secret?, confirmed))
}

/// The floor for a body with nothing to decode: split on `&` and `=`, and pick the three fields.
fn split_floor(body: &[u8]) -> Option<(&[u8], &[u8], bool)> {
    let (mut token, mut secret, mut confirmed) = (None, None, false);
    for pair in body.split(|&b| b == b'&') {
        let at = pair.iter().position(|&b| b == b'=')?;
        let (name, value) = (&pair[..at], &pair[at + 1..]);
        match name {
            b"oauth_token" => token = Some(value),
            b"oauth_token_secret" => secret = Some(value),
            b"oauth_callback_confirmed" => confirmed = value == b"true",
            _ => {}
        }
    }
    Some((token?, secret?, confirmed))
}

fn token_response(c: &mut Criterion) {
    for (name, body) in [("plain", PLAIN), ("escaped", ESCAPED)] {
        let mut group = c.benchmark_group(format!("token_response_{name}"));
        group.bench_function("countersign", |b| {
            b.iter(|| TokenResponse::parse_temporary(black_box(body)).map(|r| r.token().len()))
        });
        group.bench_function("form_urlencoded", |b| {
            b.iter(|| form_urlencoded(black_box(body)).map(|r| r.0.len()))
        });
        if name == "plain" {
            group.bench_function("floor", |b| {
                b.iter(|| split_floor(black_box(body)).map(|r| r.0.len()))
            });
        }
        group.bench_function("serde_urlencoded", |b| {
            b.iter(|| {
                serde_urlencoded::from_bytes::<SerdeTokenResponse<'_>>(black_box(body))
                    .map(|r| r.oauth_token.len())
            })
        });
        group.finish();
        report_allocations(&format!("token_response_{name}/countersign"), || {
            TokenResponse::parse_temporary(body).map(|r| r.token().len())
        });
        report_allocations(&format!("token_response_{name}/form_urlencoded"), || {
            form_urlencoded(body).map(|r| r.0.len())
        });
        report_allocations(&format!("token_response_{name}/serde_urlencoded"), || {
            serde_urlencoded::from_bytes::<SerdeTokenResponse<'_>>(body)
                .map(|r| r.oauth_token.len())
        });
    }
}

fn callback_and_header(c: &mut Criterion) {
    let mut group = c.benchmark_group("parse");
    group.bench_function("callback", |b| {
        b.iter(|| Callback::parse(black_box(CALLBACK)).map(|c| c.token().len()))
    });
    group.bench_function("authorization_header", |b| {
        b.iter(|| ParsedAuthorization::parse(black_box(HEADER)).map(|p| p.nonce().map(str::len)))
    });
    group.finish();
    report_allocations("parse/callback", || {
        Callback::parse(CALLBACK).map(|c| c.token().len())
    });
    report_allocations("parse/authorization_header", || {
        ParsedAuthorization::parse(HEADER).map(|p| p.nonce().map(str::len))
    });
}

criterion_group!(benches, token_response, callback_and_header);
criterion_main!(benches);
