//! The local provider's server limits, over loopback TCP: a request head sent halfway, a body
//! that stalls, an idle kept-alive connection, and more slow connections than the limit. Each
//! test sets short limits and waits for the server's reaction with a generous bound, so that a
//! server without the limit fails the test instead of hanging it.

mod common;

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use common::{default_client, start_with};

/// How long the tests wait for the server's reaction before calling it missing.
const PATIENCE: Duration = Duration::from_secs(10);

fn connect(addr: SocketAddr) -> TcpStream {
    let stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(PATIENCE)).unwrap();
    stream
}

/// Reads until the server closes the connection; what it sent. Fails when the server keeps it
/// open past [`PATIENCE`].
fn read_until_closed(stream: &mut TcpStream) -> String {
    let mut all = Vec::new();
    let mut buffer = [0_u8; 4096];
    loop {
        match stream.read(&mut buffer) {
            Ok(0) => return String::from_utf8_lossy(&all).into_owned(),
            Ok(n) => all.extend_from_slice(&buffer[..n]),
            Err(error) if error.kind() == ErrorKind::ConnectionReset => {
                return String::from_utf8_lossy(&all).into_owned();
            }
            Err(error) => panic!(
                "the server kept the connection open for {PATIENCE:?} ({error}); it sent {:?}",
                String::from_utf8_lossy(&all)
            ),
        }
    }
}

#[test]
fn a_request_head_sent_halfway_is_dropped_after_the_header_timeout() {
    let provider = start_with(|b| b.header_timeout(Duration::from_millis(200)));
    let mut stream = connect(provider.addr());
    stream
        .write_all(b"GET /oauth/identity HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: slow")
        .unwrap();
    let started = Instant::now();
    read_until_closed(&mut stream);
    assert!(started.elapsed() < PATIENCE);
    // The server goes on serving.
    assert_eq!(provider.call("GET", "/nowhere", None).status, 404);
}

#[test]
fn a_body_that_stalls_is_answered_408() {
    let provider = start_with(|b| b.request_timeout(Duration::from_millis(300)));
    let mut stream = connect(provider.addr());
    let head = format!(
        "POST /oauth/request_token HTTP/1.1\r\nHost: {}\r\nUser-Agent: slow\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nten bytes.",
        provider.addr()
    );
    stream.write_all(head.as_bytes()).unwrap();
    let answer = read_until_closed(&mut stream);
    assert!(
        answer.starts_with("HTTP/1.1 408 Request Timeout\r\n"),
        "{answer}"
    );
    assert!(
        answer.ends_with("Request timeout: the request took too long to arrive."),
        "{answer}"
    );
}

#[test]
fn an_idle_kept_alive_connection_is_closed() {
    let provider = start_with(|b| b.header_timeout(Duration::from_millis(200)));
    let mut stream = connect(provider.addr());
    let request = format!(
        "GET /nowhere HTTP/1.1\r\nHost: {}\r\nUser-Agent: idle\r\n\r\n",
        provider.addr()
    );
    stream.write_all(request.as_bytes()).unwrap();
    // The whole answer comes, then nothing: the connection stays idle until the server ends it.
    let answer = read_until_closed(&mut stream);
    assert!(answer.starts_with("HTTP/1.1 404"), "{answer}");
}

#[test]
fn slow_connections_beyond_the_limit_wait_and_do_not_stop_the_others() {
    let provider = start_with(|b| {
        b.auto_approve(true)
            .max_connections(8)
            .header_timeout(Duration::from_millis(300))
    });
    let client = default_client();
    // Forty connections that each send half a head and nothing more.
    let mut slow: Vec<TcpStream> = (0..40)
        .map(|_| {
            let mut stream = connect(provider.addr());
            stream.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n").unwrap();
            stream
        })
        .collect();
    // A normal client is answered once the header timeout has freed slots.
    let started = Instant::now();
    let temporary = provider.request_token(&client, "oob");
    assert_eq!(temporary.status, 200, "{temporary:?}");
    assert!(started.elapsed() < PATIENCE);
    // Every slow connection was closed by the server, and it keeps serving.
    for stream in &mut slow {
        read_until_closed(stream);
    }
    let access = provider.flow(&client, "oob");
    assert_eq!(
        provider.get("/oauth/identity", &client, &access).status,
        200
    );
}
