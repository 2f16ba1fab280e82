//! Small things many tests build: OAuth credentials that sign with known secrets, pinned nonces,
//! and what a signed request's header says.

use countersign::auth::{Auth, Authenticator};
use countersign::nonce::Nonce;
use countersign::{ClientCredentials, ParsedAuthorization, Signer, TokenCredentials};

/// The User-Agent the tests' authenticators and profiles set.
pub const UA: &str = "countersign-tests/1.0";

/// OAuth 1.0a (PLAINTEXT) for the consumer `ck` with `consumer_secret` and the token `tok` with
/// the secret `TOKENSECRET`, with [`UA`].
///
/// # Panics
/// Never: the credentials are valid.
#[must_use]
pub fn oauth(consumer_secret: &str) -> Authenticator {
    let client = ClientCredentials::new("ck", consumer_secret);
    let token = TokenCredentials::new("tok", "TOKENSECRET");
    let signer = Signer::new(&client).token(&token).prepare().unwrap();
    Authenticator::new(Auth::OAuth(signer)).user_agent(UA)
}

/// The timestamp and nonce of a signed request's `Authorization` header.
///
/// # Panics
/// When the header has neither.
#[must_use]
pub fn timestamp_and_nonce(authorization: &str) -> (u64, String) {
    let parsed = ParsedAuthorization::parse(authorization).unwrap();
    let timestamp = parsed.timestamp().unwrap().parse().unwrap();
    (timestamp, parsed.nonce().unwrap().to_owned())
}

/// Nonces `nonce-000001`, `nonce-000002`, ...
pub fn counting_nonces() -> impl FnMut() -> Result<Nonce, countersign::Error> + Send {
    let mut n = 0;
    move || {
        n += 1;
        Nonce::new(&format!("nonce-{n:06}"))
    }
}
