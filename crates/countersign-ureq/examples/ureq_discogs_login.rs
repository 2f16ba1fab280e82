//! Logs in to Discogs with OAuth 1.0a, out of band: prints the authorize URL, reads the code
//! Discogs shows you, and prints who you are and your access credentials' token.
//!
//! ```sh
//! DISCOGS_CONSUMER_KEY=... DISCOGS_CONSUMER_SECRET=... \
//!     cargo run -p countersign-ureq --example ureq_discogs_login
//! ```

use std::io::BufRead;

use countersign_ureq::countersign::ClientCredentials;
use countersign_ureq::countersign::flow::{CallbackMode, ProviderConfig};
use countersign_ureq::{Approval, Client};

fn env(name: &str) -> Result<String, Box<dyn std::error::Error>> {
    std::env::var(name).map_err(|_| {
        format!("set {name} (from https://www.discogs.com/settings/developers)").into()
    })
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = Client::new(
        ProviderConfig::discogs(concat!(
            "countersign-ureq-example/",
            env!("CARGO_PKG_VERSION"),
            " +https://github.com/countersign-rs/countersign"
        )),
        ClientCredentials::new(
            env("DISCOGS_CONSUMER_KEY")?,
            env("DISCOGS_CONSUMER_SECRET")?,
        ),
    );

    let pending = client.request_token(CallbackMode::OutOfBand)?;
    println!("Open this page, allow access, and paste the code Discogs shows you:");
    println!("{}", pending.authorize_url());
    let mut code = String::new();
    std::io::stdin().lock().read_line(&mut code)?;

    let session = client.access_token(pending, Approval::Verifier(&code))?;
    let me = client.identity(&session)?;
    println!("Logged in as {} (id {}).", me.username, me.id);
    println!(
        "Access token: {} (its secret is not printed)",
        session.token().token()
    );
    Ok(())
}
