//! The whole OAuth 1.0a flow with reqwest (async, on tokio), offline: against the local
//! provider of countersign-provider, started in this process on 127.0.0.1. Then a signed search
//! with the session. Needs nothing but this repository.
//!
//! ```sh
//! cargo run -p countersign-reqwest --example reqwest_local_flow
//! ```

use std::process::ExitCode;

use countersign_provider::{DEFAULT_CONSUMER_KEY, DEFAULT_CONSUMER_SECRET, LocalProvider};
use countersign_reqwest::Client;
use countersign_reqwest::countersign::flow::{Approval, CallbackMode};
use countersign_reqwest::countersign::{ClientCredentials, discogs};

const USER_AGENT: &str = concat!("countersign-reqwest-example/", env!("CARGO_PKG_VERSION"));

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let provider = LocalProvider::builder().auto_approve(true).start().await?;
    println!("1. The local provider listens at {}.", provider.base_url());
    let profile = discogs::profile_at(provider.base_url(), provider.base_url(), USER_AGENT)?;
    let mut client = Client::new(
        profile,
        ClientCredentials::new(DEFAULT_CONSUMER_KEY, DEFAULT_CONSUMER_SECRET),
    );

    let pending = client
        .request_token(CallbackMode::url("http://127.0.0.1:9/callback"))
        .await?;
    println!(
        "2. Request token obtained; the user would open {}",
        pending.authorize_url()
    );
    // The user's browser: the local provider approves by itself and redirects to the callback.
    let approved = client
        .transport()
        .http()
        .get(pending.authorize_url())
        .header("user-agent", "Browser/1.0")
        .send()
        .await?;
    let came_back_to = approved.headers()["location"].to_str()?.to_owned();
    println!("3. Approved: the provider redirected to the callback.");
    let session = client
        .access_token(pending, Approval::Callback(&came_back_to))
        .await?;
    println!("4. Access token obtained.");
    let me = client.identity(&session).await?;
    println!("5. Identity: {} (id {}).", me.username, me.id);

    let search = http::Request::get(provider.url("/database/search?q=blue+train")).body(())?;
    let found = client.send(&session, search).await?.error_for_status()?;
    println!(
        "6. A signed search: {:?} {}",
        found.rate_limit(),
        found.text()?
    );
    provider.shutdown().await?;
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
