//! Serving an OAuth 1.0a API with axum: `VerifyLayer` in front of a route, on 127.0.0.1, then
//! three requests to it (signed well, replayed, signed with a wrong secret) and what each got.
//! Needs nothing but this repository; stops by itself.
//!
//! ```sh
//! cargo run -p countersign-provider --example verify_layer
//! ```

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::ExitCode;

use axum::Router;
use axum::extract::Extension;
use axum::routing::get;
use countersign::verify::{Verified, lookup_fn};
use countersign::{ClientCredentials, Request, Secret, SignatureMethod, Signer, TokenCredentials};
use countersign_provider::VerifyLayer;

/// The API: who is calling.
fn app() -> Router {
    // Your database, here two closures: the client's secret, and the secret of each token.
    let secrets = lookup_fn(
        |key: &str| (key == "my-app").then(|| Secret::new("my-app-secret")),
        |key: &str, token: &str| {
            (key == "my-app" && token == "alice-token").then(|| Secret::new("alice-secret"))
        },
    );
    Router::new()
        .route(
            "/photos",
            get(|Extension(who): Extension<Verified>| async move {
                format!(
                    "photos of {} for {}",
                    who.token().unwrap_or("nobody"),
                    who.consumer_key()
                )
            }),
        )
        .layer(
            VerifyLayer::new(secrets)
                .realm("Photos")
                .on_reject(|rejection, head| {
                    // For your logs: the precise reason, never a secret.
                    eprintln!(
                        "   (refused {} {}: {rejection})",
                        head.method,
                        head.uri.path()
                    );
                }),
        )
}

/// A signed `GET /photos` as a client sends it; the status line and the body.
fn call(addr: SocketAddr, header: &str) -> std::io::Result<String> {
    let mut stream = TcpStream::connect(addr)?;
    write!(
        stream,
        "GET /photos HTTP/1.1\r\nHost: {addr}\r\nAuthorization: {header}\r\nConnection: close\r\n\r\n"
    )?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer)?;
    let status = answer.lines().next().unwrap_or_default().to_owned();
    let body = answer
        .split("\r\n\r\n")
        .nth(1)
        .unwrap_or_default()
        .to_owned();
    Ok(format!("{status}: {body}"))
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let server = tokio::spawn(async move { axum::serve(listener, app()).await });
    println!("1. The API listens at http://{addr}/photos behind VerifyLayer.");

    let sign = |secret: &str, nonce: &str| -> Result<String, countersign::Error> {
        let client = ClientCredentials::new("my-app", secret);
        let token = TokenCredentials::new("alice-token", "alice-secret");
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        Ok(Signer::new(&client)
            .token(&token)
            .signature_method(SignatureMethod::HmacSha1)
            .timestamp(now)
            .nonce(nonce)
            .sign(&Request::get(&format!("http://{addr}/photos")))?
            .to_authorization()
            .as_str()
            .to_owned())
    };
    let good = sign("my-app-secret", "n0nce-1")?;
    let wrong = sign("not-the-secret", "n0nce-2")?;
    let cases = [
        ("signed", &good),
        ("replayed", &good),
        ("wrong secret", &wrong),
    ];
    for (step, (what, header)) in (2..).zip(cases) {
        let header = header.clone();
        let answer = tokio::task::spawn_blocking(move || call(addr, &header)).await??;
        println!("{step}. {what}: {answer}");
    }
    server.abort();
    Ok(())
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let Err(error) = run().await else {
        return ExitCode::SUCCESS;
    };
    eprintln!("error: {error}");
    ExitCode::FAILURE
}
