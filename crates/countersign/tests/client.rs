//! The client over closures as transports: what it sends, byte for byte, and how it reads what
//! comes back; no network.
#![cfg(all(feature = "http", feature = "getrandom", feature = "json"))]

use std::cell::RefCell;
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use countersign::client::{AsyncClient, Client, ClientBuilder, Error};
use countersign::clock::FixedClock;
use countersign::flow::{Approval, CallbackMode};
use countersign::nonce::Nonce;
use countersign::{ClientCredentials, FlowError, Misuse};

const DATE: &str = "Sun, 06 Nov 1994 08:49:37 GMT";
const DATE_SECS: u64 = 784_111_777;

type Answer = (u16, Vec<(&'static str, &'static str)>, &'static [u8]);

/// A blocking transport.
type Transport =
    Box<dyn FnMut(http::Request<Vec<u8>>) -> Result<http::Response<Vec<u8>>, std::io::Error>>;

/// Every request a transport was handed.
type Seen = std::rc::Rc<RefCell<Vec<http::Request<Vec<u8>>>>>;

/// A transport that answers with `answers` in turn and records every request.
fn scripted(answers: Vec<Answer>) -> (Transport, Seen) {
    let seen = std::rc::Rc::new(RefCell::new(Vec::new()));
    let log = seen.clone();
    let mut answers = answers.into_iter();
    let transport = Box::new(move |request: http::Request<Vec<u8>>| {
        log.borrow_mut().push(request);
        let Some((status, headers, body)) = answers.next() else {
            return Err(std::io::Error::other("no more answers"));
        };
        let mut response = http::Response::builder().status(status);
        for (name, value) in headers {
            response = response.header(name, value);
        }
        Ok(response.body(body.to_vec()).unwrap())
    });
    (transport, seen)
}

fn nonces() -> impl FnMut() -> Result<Nonce, countersign::Error> {
    let mut n = 0;
    move || {
        n += 1;
        Nonce::new(&format!("n{n}"))
    }
}

const TEMPORARY: &[u8] = b"oauth_token=rt&oauth_token_secret=rs&oauth_callback_confirmed=true";
const ACCESS: &[u8] = b"oauth_token=at&oauth_token_secret=as";

fn authorization(request: &http::Request<Vec<u8>>) -> String {
    request.headers()["authorization"]
        .to_str()
        .unwrap()
        .to_owned()
}

#[test]
fn the_flow_sends_exactly_these_requests() {
    let identity = br#"{"id": 7, "username": "u", "resource_url": "r", "consumer_name": "c"}"#;
    let (transport, seen) = scripted(vec![
        (200, vec![], TEMPORARY),
        (200, vec![], ACCESS),
        (200, vec![], identity),
    ]);
    let profile = countersign::discogs::profile("ua/1").unwrap();
    let mut client = ClientBuilder::new(transport, profile, ClientCredentials::new("ck", "cs"))
        .clock(FixedClock(1_700_000_000))
        .nonces(nonces())
        .build_blocking();
    let pending = client.request_token(CallbackMode::OutOfBand).unwrap();
    assert_eq!(pending.expires_at(), 1_700_000_000 + 900);
    let session = client
        .access_token(pending, Approval::Verifier("v3r"))
        .unwrap();
    assert_eq!(client.identity(&session).unwrap().id, 7);
    let seen = seen.borrow();
    let heads: Vec<_> = seen
        .iter()
        .map(|r| {
            (
                r.method().as_str(),
                r.uri().to_string(),
                r.headers()["user-agent"].clone(),
            )
        })
        .collect();
    assert_eq!(
        heads,
        [
            (
                "GET",
                "https://api.discogs.com/oauth/request_token".into(),
                "ua/1".parse().unwrap()
            ),
            (
                "POST",
                "https://api.discogs.com/oauth/access_token".into(),
                "ua/1".parse().unwrap()
            ),
            (
                "GET",
                "https://api.discogs.com/oauth/identity".into(),
                "ua/1".parse().unwrap()
            ),
        ]
    );
    assert_eq!(
        authorization(&seen[1]),
        "OAuth oauth_consumer_key=\"ck\", oauth_token=\"rt\", oauth_signature_method=\"PLAINTEXT\", \
         oauth_version=\"1.0\", oauth_timestamp=\"1700000000\", oauth_nonce=\"n2\", \
         oauth_verifier=\"v3r\", oauth_signature=\"cs%26rs\""
    );
    assert!(
        seen.iter()
            .all(|r| r.headers()["authorization"].is_sensitive())
    );
    // A bodiless POST announces its empty body.
    assert_eq!(seen[1].headers()["content-length"], "0");
    assert!(!seen[0].headers().contains_key("content-length"));
}

#[test]
fn the_offset_learned_is_kept_for_later_exchanges() {
    let refused = (401, vec![("Date", DATE)], &b"skewed"[..]);
    let (transport, seen) = scripted(vec![
        refused,
        (200, vec![], TEMPORARY),
        (200, vec![], TEMPORARY),
    ]);
    let profile = countersign::discogs::profile("ua/1").unwrap();
    let mut client = ClientBuilder::new(transport, profile, ClientCredentials::new("ck", "cs"))
        .clock(FixedClock(DATE_SECS - 600))
        .nonces(nonces())
        .build_blocking();
    client.request_token(CallbackMode::OutOfBand).unwrap();
    assert_eq!(client.clock_offset(), 600);
    assert_eq!(client.now(), DATE_SECS);
    client.request_token(CallbackMode::OutOfBand).unwrap();
    let stamps: Vec<_> = seen
        .borrow()
        .iter()
        .map(|r| {
            let header = authorization(r);
            let parsed = countersign::ParsedAuthorization::parse(&header).unwrap();
            (
                parsed.timestamp().unwrap().to_owned(),
                parsed.nonce().unwrap().to_owned(),
            )
        })
        .collect();
    let at = |t: u64, n: &str| (t.to_string(), n.to_owned());
    assert_eq!(
        stamps,
        [
            at(DATE_SECS - 600, "n1"),
            at(DATE_SECS, "n2"),
            at(DATE_SECS, "n3")
        ]
    );
}

#[test]
fn each_failure_says_who_failed() {
    let profile = countersign::discogs::profile("ua/1").unwrap();
    let credentials = ClientCredentials::new("ck", "cs");
    let answers = vec![
        (401, vec![], &b"Invalid signature."[..]),
        (200, vec![], b"<html>captive</html>"),
    ];
    let (transport, _) = scripted(answers);
    let mut client = Client::with_transport(transport, profile.clone(), credentials.clone());
    let Err(Error::Provider(refusal)) = client.request_token(CallbackMode::OutOfBand) else {
        panic!("a refusal")
    };
    assert_eq!(refusal.message.as_deref(), Some("Invalid signature."));
    let Err(Error::Unexpected { error, excerpt }) = client.request_token(CallbackMode::OutOfBand)
    else {
        panic!("an unexpected answer")
    };
    assert!(matches!(error, countersign::Error::Parse(_)), "{error:?}");
    assert_eq!(excerpt, "<html>captive</html>");
    let err = client.request_token(CallbackMode::OutOfBand).unwrap_err();
    assert!(matches!(&err, Error::Transport(e) if e.to_string() == "no more answers"));
    assert!(
        err.to_string().starts_with("http transport failed: "),
        "{err}"
    );

    // Refused before anything is sent.
    let (transport, seen) = scripted(vec![]);
    let mut client = Client::with_transport(transport, profile, credentials);
    let err = client
        .request_token(CallbackMode::url("/relative"))
        .unwrap_err();
    assert!(matches!(
        err,
        Error::Core(countersign::Error::Misuse(Misuse::InvalidCallback))
    ));
    let pending = {
        let (transport, _) = scripted(vec![(200, vec![], TEMPORARY)]);
        let profile = countersign::discogs::profile("ua/1").unwrap();
        let mut client = ClientBuilder::new(transport, profile, ClientCredentials::new("ck", "cs"))
            .clock(FixedClock(1000))
            .build_blocking();
        client.request_token(CallbackMode::OutOfBand).unwrap()
    };
    let late = {
        let profile = countersign::discogs::profile("ua/1").unwrap();
        let (transport, _) = scripted(vec![]);
        ClientBuilder::new(transport, profile, ClientCredentials::new("ck", "cs"))
            .clock(FixedClock(1000 + 900))
            .build_blocking()
            .access_token(pending, Approval::Verifier("v"))
            .unwrap_err()
    };
    assert!(matches!(
        late,
        Error::Core(countersign::Error::Flow(FlowError::RequestTokenExpired))
    ));
    assert!(seen.borrow().is_empty());
}

/// Polls `future` once: the async client over always-ready futures finishes in one poll.
fn poll_once<F: Future>(future: F) -> F::Output {
    match pin!(future).poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(out) => out,
        Poll::Pending => panic!("waited"),
    }
}

#[test]
fn the_async_client_takes_a_closure_returning_futures() {
    let transport = |request: http::Request<Vec<u8>>| {
        assert_eq!(request.method(), "GET");
        std::future::ready(Ok::<_, std::io::Error>(http::Response::new(
            TEMPORARY.to_vec(),
        )))
    };
    let profile = countersign::discogs::profile("ua/1").unwrap();
    let mut client =
        AsyncClient::with_transport(transport, profile, ClientCredentials::new("ck", "cs"));
    let pending = poll_once(client.request_token(CallbackMode::OutOfBand)).unwrap();
    assert_eq!(pending.request_token(), "rt");
}
