//! Every built-in provider profile, walked through the whole three-legged flow against the local
//! provider configured with that profile's routes and rules (`LocalProvider::builder().mimic`):
//! its paths, its request-token method, its signature method only (RSA-SHA1 for Jira and
//! Confluence, with the consumer's public key), its realm, and `oob` only where it takes one.
//! Then each rule is broken once and refused.

use countersign::flow::{Approval, CallbackMode};
use countersign::profile::Profile;
use countersign::providers::{self, Legs, ProviderSpec, Variables};
use countersign::{ClientCredentials, RsaPrivateKey, SignatureMethod};
use countersign_provider::{Consumer, LocalProvider};
use countersign_ureq::Client;

const KEY: &str = "profile-test-key";
const SECRET: &str = "profile test secret";
const PRIVATE_KEY: &str = include_str!("../../countersign/tests/data/rsa/test-2048.pem");
const USER_AGENT: &str = "countersign-profile-tests/1.0";

/// `spec` with each URL's scheme and host replaced by `{base}`: the paths and queries stay.
fn rebased(spec: &ProviderSpec) -> ProviderSpec {
    let rebase = |url: &str| {
        if url.starts_with("{base}") {
            return url.to_owned();
        }
        let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
        let path = after_scheme.find('/').map_or("", |at| &after_scheme[at..]);
        format!("{{base}}{path}")
    };
    ProviderSpec {
        request_token_url: rebase(&spec.request_token_url),
        authorize_url: rebase(&spec.authorize_url),
        access_token_url: rebase(&spec.access_token_url),
        identity_url: spec.identity_url.as_deref().map(rebase),
        ..spec.clone()
    }
}

fn variables(base: &str) -> Variables {
    Variables::new()
        .base(base)
        .account("1234567_SB1")
        .app("Profile Tests")
}

fn client_credentials() -> ClientCredentials {
    ClientCredentials::new(KEY, SECRET).rsa_key(RsaPrivateKey::from_pem(PRIVATE_KEY).unwrap())
}

/// The status of the provider's refusal in `result`.
fn refused<T: std::fmt::Debug>(result: Result<T, countersign_ureq::Error>) -> (u16, String) {
    let error = result.expect_err("refused");
    let provider = error.provider().unwrap_or_else(|| panic!("{error}"));
    (
        provider.status,
        provider.message.clone().unwrap_or_default(),
    )
}

#[test]
fn every_profile_walks_the_flow_against_a_provider_with_its_rules() {
    let specs: Vec<ProviderSpec> = providers::all()
        .into_iter()
        .filter(|spec| spec.legs == Legs::Three)
        .collect();
    assert!(specs.len() >= 12);
    for spec in specs {
        let spec = rebased(&spec);
        // The paths do not depend on the host: the provider is configured before it listens.
        let shape = spec
            .profile(&variables("http://127.0.0.1"), Some(USER_AGENT))
            .unwrap();
        let public_key = RsaPrivateKey::from_pem(PRIVATE_KEY).unwrap().public_key();
        let provider = LocalProvider::builder()
            .mimic(&shape)
            .oob(spec.oob)
            .auto_approve(true)
            .consumer(Consumer::new(KEY, SECRET, "Profile tests").rsa_key(public_key))
            .start_blocking()
            .unwrap();
        let profile: Profile = spec
            .profile(&variables(provider.base_url()), Some(USER_AGENT))
            .unwrap();
        let name = &spec.name;

        // The whole flow, with a callback (every provider takes one).
        let mut client = Client::new(profile.clone(), client_credentials());
        let pending = client
            .request_token(CallbackMode::url("http://127.0.0.1:9/callback"))
            .unwrap_or_else(|e| panic!("{name}: request token: {e}"));
        let approved = countersign_ureq::agent()
            .get(&pending.authorize_url())
            .call()
            .unwrap_or_else(|e| panic!("{name}: authorize: {e}"));
        assert_eq!(approved.status(), 302, "{name}");
        let came_back_to = approved.headers()["location"].to_str().unwrap().to_owned();
        let session = client
            .access_token(pending, Approval::Callback(&came_back_to))
            .unwrap_or_else(|e| panic!("{name}: access token: {e}"));
        if profile.identity_url().is_some() {
            let me = client
                .identity(&session)
                .unwrap_or_else(|e| panic!("{name}: identity: {e}"));
            assert_eq!(me.username, "example", "{name}");
        }

        // Out of band: taken where the profile says so, refused elsewhere.
        let oob = client.request_token(CallbackMode::OutOfBand);
        if spec.oob {
            oob.unwrap_or_else(|e| panic!("{name}: oob: {e}"));
        } else {
            let (status, message) = refused(oob);
            assert_eq!(status, 400, "{name}");
            assert!(message.contains("no oob"), "{name}: {message}");
        }

        // Each rule broken once, with the profile otherwise the same: the request-token request
        // refused with the status and message the rule gives.
        let broken = |change: &dyn Fn(&mut ProviderSpec)| {
            let mut other = spec.clone();
            change(&mut other);
            let other = other
                .profile(&variables(provider.base_url()), Some(USER_AGENT))
                .unwrap();
            refused(
                Client::new(other, client_credentials())
                    .request_token(CallbackMode::url("http://127.0.0.1:9/callback")),
            )
        };
        // The other request-token method: 405.
        let other_method = if profile.request_token_method() == "GET" {
            "POST"
        } else {
            "GET"
        };
        let (status, _) = broken(&|s| s.request_token_method = other_method.into());
        assert_eq!(status, 405, "{name}");
        // Another signature method: 400, naming the one accepted.
        let method = if profile.signature_method() == SignatureMethod::HmacSha1 {
            "PLAINTEXT"
        } else {
            "HMAC-SHA1"
        };
        let (status, message) = broken(&|s| s.signature_method = method.into());
        assert_eq!(status, 400, "{name}");
        assert_eq!(
            message,
            format!(
                "Signature method not accepted: use {}.",
                profile.signature_method()
            ),
            "{name}"
        );
        // Without the realm the profile names: 401.
        if let Some(realm) = profile.realm() {
            let (status, message) = broken(&|s| s.realm = None);
            assert_eq!(status, 401, "{name}");
            assert!(message.contains(realm), "{name}: {message}");
        }
        provider.shutdown().unwrap();
    }
}

/// The one-legged profiles (WooCommerce, Mastercard): every request signed with the consumer's
/// own credentials, where and how the profile says (the query, RSA-SHA256 with a body hash),
/// sent over loopback HTTP to the local provider, which accepts it; with another consumer
/// secret or key, it refuses.
#[test]
fn one_legged_profiles_call_the_api_directly() {
    let specs: Vec<ProviderSpec> = providers::all()
        .into_iter()
        .filter(|spec| spec.legs == Legs::One)
        .collect();
    assert!(specs.len() >= 2);
    let public_key = RsaPrivateKey::from_pem(PRIVATE_KEY).unwrap().public_key();
    let provider = LocalProvider::builder()
        .consumer(Consumer::new(KEY, SECRET, "Profile tests").rsa_key(public_key))
        .start_blocking()
        .unwrap();
    let call = |signing: &countersign::auth::Authenticator| {
        let request = http::Request::get(provider.url("/database/search?q=nirvana"))
            .body(())
            .unwrap();
        let (mut parts, ()) = request.into_parts();
        signing.sign_parts_now(&mut parts, Some(b"")).unwrap();
        let response = countersign_ureq::agent()
            .run(http::Request::from_parts(parts, ()))
            .unwrap();
        response.status().as_u16()
    };
    for spec in specs {
        let variables = variables(provider.base_url());
        let signing = spec
            .authenticator(&variables, &client_credentials(), Some(USER_AGENT))
            .unwrap();
        assert_eq!(call(&signing), 200, "{}", spec.name);
        let stranger = ClientCredentials::new(KEY, "another secret").rsa_key(
            RsaPrivateKey::from_pem(include_str!(
                "../../countersign/tests/data/rsa/oauthlib-1024.pem"
            ))
            .unwrap(),
        );
        let signing = spec
            .authenticator(&variables, &stranger, Some(USER_AGENT))
            .unwrap();
        assert_eq!(call(&signing), 401, "{}", spec.name);
    }
    provider.shutdown().unwrap();
}
