//! Signs a single request with a Discogs personal access token and prints the answer and the
//! rate limits.
//!
//! ```sh
//! DISCOGS_TOKEN=... cargo run -p countersign-ureq --example ureq_personal_token
//! ```

use std::process::ExitCode;

use countersign_ureq::UreqTransport;
use countersign_ureq::countersign::auth::Auth;
use countersign_ureq::countersign::{Secret, discogs};

const USER_AGENT: &str = concat!(
    "countersign-ureq-example/",
    env!("CARGO_PKG_VERSION"),
    " +https://github.com/countersign-rs/countersign"
);

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let token = std::env::var("DISCOGS_TOKEN")
        .map_err(|_| "set DISCOGS_TOKEN (from https://www.discogs.com/settings/developers)")?;
    let profile = discogs::profile(USER_AGENT)?;
    let user = profile.authenticator(Auth::PersonalToken(Secret::new(token)));
    let identity = http::Request::get(profile.identity_url().unwrap_or_default()).body(())?;
    // No consumer key is needed for a personal token: the client's credentials stay empty.
    let mut client = countersign_ureq::Client::with_transport(
        UreqTransport::default(),
        profile,
        countersign_ureq::countersign::ClientCredentials::new("", ""),
    );
    let response = client.send_with(&user, identity)?;
    println!(
        "{} (rate limit: {:?})",
        response.status(),
        response.rate_limit()
    );
    println!("{}", response.text()?);
    Ok(())
}

fn main() -> ExitCode {
    let Err(error) = run() else {
        return ExitCode::SUCCESS;
    };
    eprintln!("error: {error}");
    ExitCode::FAILURE
}
