//! The whole OAuth 1.0a flow with ureq, offline: against the local provider of
//! countersign-provider, started in this process on 127.0.0.1. Then a call with a Discogs-style
//! personal access token. Needs nothing but this repository.
//!
//! ```sh
//! cargo run -p countersign-ureq --example ureq_local_flow
//! ```

use std::process::ExitCode;

use countersign_provider::{
    DEFAULT_CONSUMER_KEY, DEFAULT_CONSUMER_SECRET, DEFAULT_USER_ID, LocalProvider,
};
use countersign_ureq::Client;
use countersign_ureq::countersign::auth::Auth;
use countersign_ureq::countersign::flow::{Approval, CallbackMode};
use countersign_ureq::countersign::{ClientCredentials, Secret, discogs};

const USER_AGENT: &str = concat!("countersign-ureq-example/", env!("CARGO_PKG_VERSION"));

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let provider = LocalProvider::builder()
        .auto_approve(true)
        .personal_token("my-personal-token", DEFAULT_USER_ID)
        .start_blocking()?;
    println!("1. The local provider listens at {}.", provider.base_url());
    let profile = discogs::profile_at(provider.base_url(), provider.base_url(), USER_AGENT)?;
    let mut client = Client::new(
        profile.clone(),
        ClientCredentials::new(DEFAULT_CONSUMER_KEY, DEFAULT_CONSUMER_SECRET),
    );

    let pending = client.request_token(CallbackMode::url("http://127.0.0.1:9/callback"))?;
    println!(
        "2. Request token obtained; the user would open {}",
        pending.authorize_url()
    );
    // The local provider approves by itself and redirects to the callback.
    let approved = countersign_ureq::agent()
        .get(&pending.authorize_url())
        .call()?;
    let came_back_to = approved.headers()["location"].to_str()?.to_owned();
    println!("3. Approved: the provider redirected to the callback.");
    let session = client.access_token(pending, Approval::Callback(&came_back_to))?;
    println!("4. Access token obtained.");
    let me = client.identity(&session)?;
    println!("5. Identity: {} (id {}).", me.username, me.id);

    // A personal access token: no consumer, no flow.
    let token = profile.authenticator(Auth::PersonalToken(Secret::new("my-personal-token")));
    let identity = http::Request::get(provider.url("/oauth/identity")).body(())?;
    let answer = client.send_with(&token, identity)?.error_for_status()?;
    println!("6. With a personal token: {}", answer.text()?);
    Ok(())
}

fn main() -> ExitCode {
    let Err(error) = run() else {
        return ExitCode::SUCCESS;
    };
    eprintln!("error: {error}");
    ExitCode::FAILURE
}
