//! Answers too long to read into memory, over real loopback TCP: the read stops at the limit
//! with a typed error, whether the length is announced or the body never ends.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;

use countersign_reqwest::countersign::auth::Auth;
use countersign_reqwest::countersign::profile::Profile;
use countersign_reqwest::countersign::{ClientCredentials, discogs};
use countersign_reqwest::{Client, Error, TransportError};

/// A server that answers every request with `head` and then, unless `endless` is false, bytes
/// until the client hangs up; its URL.
fn endless(head: &'static str, endless: bool) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                    line.clear();
                }
                if stream.write_all(head.as_bytes()).is_err() || !endless {
                    return;
                }
                let chunk = vec![b'x'; 64 * 1024];
                while stream.write_all(&chunk).is_ok() {}
            });
        }
    });
    url
}

const NO_LENGTH: &str = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n";
const HUGE_LENGTH: &str =
    "HTTP/1.1 200 OK\r\nContent-Length: 100000000000\r\nConnection: close\r\n\r\n";

fn profile(base: &str) -> Profile {
    discogs::profile_at(base, base, "CountersignTests/1.0").unwrap()
}

fn credentials() -> ClientCredentials {
    ClientCredentials::new("k", "s")
}

fn assert_too_large(error: &Error) {
    assert!(
        matches!(
            error,
            Error::Transport(TransportError::BodyTooLarge { limit: 10_485_760 })
        ),
        "{error:?}"
    );
    assert!(error.to_string().contains("10485760 bytes"), "{error}");
}

#[tokio::test]
async fn an_endless_body_stops_at_the_limit() {
    for (head, forever) in [(NO_LENGTH, true), (HUGE_LENGTH, false)] {
        let url = endless(head, forever);
        let mut client = Client::new(profile(&url), credentials());
        let anonymous = client.profile().authenticator(Auth::None);
        let request = http::Request::get(format!("{url}/big")).body(()).unwrap();
        let error = client.send_with(&anonymous, request).await.unwrap_err();
        assert_too_large(&error);
    }
}

#[cfg(feature = "blocking")]
#[test]
fn an_endless_body_stops_at_the_limit_blocking() {
    for (head, forever) in [(NO_LENGTH, true), (HUGE_LENGTH, false)] {
        let url = endless(head, forever);
        let mut client = countersign_reqwest::blocking::Client::new(profile(&url), credentials());
        let anonymous = client.profile().authenticator(Auth::None);
        let request = http::Request::get(format!("{url}/big")).body(()).unwrap();
        let error = client.send_with(&anonymous, request).unwrap_err();
        assert_too_large(&error);
    }
}
