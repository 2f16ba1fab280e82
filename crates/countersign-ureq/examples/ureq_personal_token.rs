//! Signs a single request with a Discogs personal access token and prints the answer and the
//! rate limits.
//!
//! ```sh
//! DISCOGS_TOKEN=... cargo run -p countersign-ureq --example ureq_personal_token
//! ```

use countersign_ureq::countersign::Secret;
use countersign_ureq::countersign::discogs::{DiscogsAuth, IDENTITY_URL};
use countersign_ureq::{Authenticator, agent};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let token = std::env::var("DISCOGS_TOKEN")
        .map_err(|_| "set DISCOGS_TOKEN (from https://www.discogs.com/settings/developers)")?;
    let auth =
        Authenticator::new(DiscogsAuth::PersonalToken(Secret::new(token))).user_agent(concat!(
            "countersign-ureq-example/",
            env!("CARGO_PKG_VERSION"),
            " +https://github.com/countersign-rs/countersign"
        ));

    let response = auth.send(&agent(), http::Request::get(IDENTITY_URL).body(())?)?;
    println!(
        "{} (rate limit: {:?})",
        response.status(),
        response.rate_limit()
    );
    println!("{}", response.text()?);
    Ok(())
}
