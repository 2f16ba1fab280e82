//! Starting and stopping the local provider.

mod common;

use std::io::ErrorKind;
use std::net::{SocketAddr, TcpListener, TcpStream};

use countersign_provider::{LocalProvider, User};

fn refused(addr: SocketAddr) -> bool {
    TcpStream::connect(addr).is_err_and(|e| e.kind() == ErrorKind::ConnectionRefused)
}

#[test]
fn dropping_the_blocking_handle_stops_the_server() {
    let provider = LocalProvider::builder().start_blocking().unwrap();
    let addr = provider.local_addr();
    assert_eq!(
        provider.base_url(),
        format!("http://127.0.0.1:{}", addr.port())
    );
    assert_eq!(
        provider.url("/oauth/identity"),
        format!("http://127.0.0.1:{}/oauth/identity", addr.port())
    );
    assert_ne!(addr.port(), 0);
    let response = common::send(addr, "GET", "/", &[("User-Agent", "t")], b"");
    assert_eq!(response.status, 404);
    drop(provider);
    assert!(refused(addr));
}

#[test]
fn shutdown_of_the_blocking_handle_waits_for_the_thread() {
    let provider = LocalProvider::builder().start_blocking().unwrap();
    let addr = provider.local_addr();
    // A connection left open (keep-alive, idle) does not hold the shutdown up.
    let _idle = TcpStream::connect(addr).unwrap();
    provider.shutdown().unwrap();
    assert!(refused(addr));
}

#[tokio::test]
async fn the_async_handle_serves_and_shuts_down() {
    let provider = LocalProvider::builder().start().await.unwrap();
    let addr = provider.local_addr();
    assert!(provider.base_url().starts_with("http://127.0.0.1:"));
    let response = tokio::task::spawn_blocking(move || {
        common::send(addr, "GET", "/oauth/identity", &[("User-Agent", "t")], b"")
    })
    .await
    .unwrap();
    assert_eq!(response.status, 401);
    provider.shutdown().await.unwrap();
    assert!(refused(addr));
}

#[test]
fn only_loopback_addresses() {
    for addr in ["0.0.0.0:0", "192.0.2.1:0", "[::]:0"] {
        let error = LocalProvider::builder()
            .listen(addr.parse().unwrap())
            .start_blocking()
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidInput, "{addr}");
    }
}

#[test]
fn a_port_in_use_is_an_error() {
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let error = LocalProvider::builder()
        .listen(taken.local_addr().unwrap())
        .start_blocking()
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::AddrInUse);
}

#[test]
fn personal_tokens_need_a_registered_user() {
    let error = LocalProvider::builder()
        .personal_token("t", 42)
        .start_blocking()
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidInput);
    assert!(
        LocalProvider::builder()
            .user(User::new(42, "h"))
            .personal_token("t", 42)
            .start_blocking()
            .is_ok()
    );
    // The default user has id 1.
    assert!(
        LocalProvider::builder()
            .personal_token("t", 1)
            .start_blocking()
            .is_ok()
    );
}
