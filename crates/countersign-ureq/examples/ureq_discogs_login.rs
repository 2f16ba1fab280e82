//! Logs in to Discogs with OAuth 1.0a, out of band: prints the authorize URL, reads the code
//! Discogs shows you, and prints who you are and your access credentials' token.
//!
//! ```sh
//! DISCOGS_CONSUMER_KEY=... DISCOGS_CONSUMER_SECRET=... \
//!     cargo run -p countersign-ureq --example ureq_discogs_login
//! ```

use std::io::BufRead;
use std::process::ExitCode;

use countersign_ureq::Client;
use countersign_ureq::countersign::flow::{Approval, CallbackMode};
use countersign_ureq::countersign::{ClientCredentials, discogs};

const USER_AGENT: &str = concat!(
    "countersign-ureq-example/",
    env!("CARGO_PKG_VERSION"),
    " +https://github.com/countersign-rs/countersign"
);

fn env(name: &str) -> Result<String, Box<dyn std::error::Error>> {
    std::env::var(name).map_err(|_| {
        format!("set {name} (from https://www.discogs.com/settings/developers)").into()
    })
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let credentials = ClientCredentials::new(
        env("DISCOGS_CONSUMER_KEY")?,
        env("DISCOGS_CONSUMER_SECRET")?,
    );
    let mut client = Client::new(discogs::profile(USER_AGENT)?, credentials);

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

fn main() -> ExitCode {
    let Err(error) = run() else {
        return ExitCode::SUCCESS;
    };
    eprintln!("error: {error}");
    ExitCode::FAILURE
}
