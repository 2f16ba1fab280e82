//! Answers too long to read into memory, over real loopback TCP: the read stops at the limit
//! with a typed error, whether the length is announced or the body never ends.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;

use countersign::ClientCredentials;
use countersign::discogs::{DiscogsAuth, Placement};
use countersign::flow::ProviderConfig;
use countersign_reqwest::{Client, Error, countersign};

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

fn config(base: &str) -> ProviderConfig {
    ProviderConfig::discogs_at(base, base, "CountersignTests/1.0")
}

fn credentials() -> ClientCredentials {
    ClientCredentials::new("k", "s")
}

#[tokio::test]
async fn an_endless_body_stops_at_the_limit() {
    for (head, forever) in [(NO_LENGTH, true), (HUGE_LENGTH, false)] {
        let url = endless(head, forever);
        let client = Client::new(config(&url), credentials()).unwrap();
        let request = client.http().get(format!("{url}/big")).build().unwrap();
        let error = client
            .send_with(&DiscogsAuth::None, Placement::Header, request)
            .await
            .unwrap_err();
        assert!(
            matches!(error, Error::BodyTooLarge { limit: 10_485_760 }),
            "{error:?}"
        );
        assert!(error.to_string().contains("10485760 bytes"), "{error}");
    }
}

#[cfg(feature = "blocking")]
#[test]
fn an_endless_body_stops_at_the_limit_blocking() {
    use countersign_reqwest::blocking;

    for (head, forever) in [(NO_LENGTH, true), (HUGE_LENGTH, false)] {
        let url = endless(head, forever);
        let client = blocking::Client::new(config(&url), credentials()).unwrap();
        let request = client.http().get(format!("{url}/big")).build().unwrap();
        let error = client
            .send_with(&DiscogsAuth::None, Placement::Header, request)
            .unwrap_err();
        assert!(
            matches!(error, Error::BodyTooLarge { limit: 10_485_760 }),
            "{error:?}"
        );
    }
}
