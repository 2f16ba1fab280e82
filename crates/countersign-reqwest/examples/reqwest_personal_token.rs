//! Signs a single request with a Discogs personal access token and prints the answer and the
//! rate limits.
//!
//! ```sh
//! DISCOGS_TOKEN=... cargo run -p countersign-reqwest --example reqwest_personal_token
//! ```

use countersign_reqwest::countersign::Secret;
use countersign_reqwest::countersign::discogs::{DiscogsAuth, IDENTITY_URL};
use countersign_reqwest::{Authenticator, RequestBuilderExt, ResponseExt, http_client_builder};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let token = std::env::var("DISCOGS_TOKEN")
        .map_err(|_| "set DISCOGS_TOKEN (from https://www.discogs.com/settings/developers)")?;
    let auth =
        Authenticator::new(DiscogsAuth::PersonalToken(Secret::new(token))).user_agent(concat!(
            "countersign-reqwest-example/",
            env!("CARGO_PKG_VERSION"),
            " +https://github.com/countersign-rs/countersign"
        ));

    let response = http_client_builder()
        .build()?
        .get(IDENTITY_URL)
        .send_signed(&auth)
        .await?;
    println!(
        "{} (rate limit: {:?})",
        response.status(),
        response.rate_limit()
    );
    println!("{}", response.text().await?);
    Ok(())
}
