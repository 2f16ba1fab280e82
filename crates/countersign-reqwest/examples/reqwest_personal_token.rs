//! Signs a single request with a Discogs personal access token and prints the answer and the
//! rate limits.
//!
//! ```sh
//! DISCOGS_TOKEN=... cargo run -p countersign-reqwest --example reqwest_personal_token
//! ```

use std::process::ExitCode;

use countersign_reqwest::countersign::auth::Auth;
use countersign_reqwest::countersign::response::RateLimit;
use countersign_reqwest::countersign::{Secret, discogs};
use countersign_reqwest::{RequestBuilderExt, http_client_builder};

const USER_AGENT: &str = concat!(
    "countersign-reqwest-example/",
    env!("CARGO_PKG_VERSION"),
    " +https://github.com/countersign-rs/countersign"
);

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let token = std::env::var("DISCOGS_TOKEN")
        .map_err(|_| "set DISCOGS_TOKEN (from https://www.discogs.com/settings/developers)")?;
    let profile = discogs::profile(USER_AGENT)?;
    let auth = profile.authenticator(Auth::PersonalToken(Secret::new(token)));
    let (http, request) = http_client_builder()
        .build()?
        .get(profile.identity_url().unwrap_or_default())
        .build_signed(&auth)?;
    let response = http.execute(request).await?;
    println!(
        "{} (rate limit: {:?})",
        response.status(),
        RateLimit::from_header_map(response.headers())
    );
    println!("{}", response.text().await?);
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
