//! The four Discogs credential modes, as the Discogs API documents them.

use countersign::discogs::{Applied, DiscogsAuth, Placement};
use countersign::{ClientCredentials, Error, Request, Secret, Signer, TokenCredentials};

fn header(auth: &DiscogsAuth, url: &str) -> String {
    match auth
        .apply(&Request::get(url), Placement::Header, 1, "n")
        .unwrap()
    {
        Applied::Header(h) => h.as_str().to_owned(),
        other => panic!("expected a header, got {other:?}"),
    }
}

fn url(auth: &DiscogsAuth, url: &str) -> String {
    match auth
        .apply(&Request::get(url), Placement::Query, 1, "n")
        .unwrap()
    {
        Applied::Url(u) => u.expose_secret().to_owned(),
        other => panic!("expected a URL, got {other:?}"),
    }
}

const API: &str = "https://api.discogs.com/database/search?q=nirvana";

#[test]
fn no_credentials_change_nothing() {
    for placement in [Placement::Header, Placement::Query] {
        assert!(matches!(
            DiscogsAuth::None.apply(&Request::get("http://example.com/"), placement, 0, ""),
            Ok(Applied::Unchanged)
        ));
    }
}

#[test]
fn key_and_secret() {
    let auth = DiscogsAuth::KeySecret(ClientCredentials::new("foo", "bar"));
    assert_eq!(header(&auth, API), "Discogs key=foo, secret=bar");
    assert_eq!(
        url(&auth, API),
        "https://api.discogs.com/database/search?q=nirvana&key=foo&secret=bar"
    );
    assert_eq!(
        url(&auth, "https://api.discogs.com/x#top"),
        "https://api.discogs.com/x?key=foo&secret=bar#top"
    );
    assert_eq!(
        url(&auth, "https://api.discogs.com/x?"),
        "https://api.discogs.com/x?key=foo&secret=bar"
    );
}

#[test]
fn personal_token() {
    let auth = DiscogsAuth::PersonalToken(Secret::new("abcXYZ123"));
    assert_eq!(header(&auth, API), "Discogs token=abcXYZ123");
    assert_eq!(
        url(&auth, API),
        "https://api.discogs.com/database/search?q=nirvana&token=abcXYZ123"
    );
    // Query values are percent-encoded.
    let odd = DiscogsAuth::PersonalToken(Secret::new("a&b c"));
    assert_eq!(
        url(&odd, "https://api.discogs.com/x"),
        "https://api.discogs.com/x?token=a%26b%20c"
    );
    // ...but a header cannot carry them.
    assert_eq!(
        odd.apply(&Request::get(API), Placement::Header, 0, "")
            .unwrap_err(),
        Error::Misuse(countersign::Misuse::HeaderValue {
            field: countersign::Field::PersonalToken
        })
    );
}

#[test]
fn oauth_mode_matches_the_signer() {
    let client = ClientCredentials::new("ck", "cs");
    let token = TokenCredentials::new("t", "ts");
    let auth = DiscogsAuth::OAuth(Signer::new(&client).token(&token).prepare().unwrap());
    let expected = Signer::new(&client)
        .token(&token)
        .timestamp(1)
        .nonce("n")
        .sign(&Request::get(API))
        .unwrap()
        .to_authorization();
    assert_eq!(header(&auth, API), expected.as_str());
    assert!(matches!(
        auth.apply(&Request::get(API), Placement::Query, 1, "n"),
        Err(Error::Misuse(countersign::Misuse::OAuthInQuery))
    ));
}

#[test]
fn secrets_never_go_over_plain_http_to_a_remote_host() {
    let modes = [
        DiscogsAuth::KeySecret(ClientCredentials::new("k", "s")),
        DiscogsAuth::PersonalToken(Secret::new("t")),
        DiscogsAuth::OAuth(
            Signer::new(&ClientCredentials::new("k", "s"))
                .prepare()
                .unwrap(),
        ),
    ];
    for auth in &modes {
        for placement in [Placement::Header, Placement::Query] {
            if matches!(auth, DiscogsAuth::OAuth(_)) && placement == Placement::Query {
                continue;
            }
            assert_eq!(
                auth.apply(&Request::get("http://api.discogs.com/"), placement, 1, "n")
                    .unwrap_err(),
                Error::Misuse(countersign::Misuse::InsecureTransport)
            );
            assert!(
                auth.apply(&Request::get("http://127.0.0.1:4000/"), placement, 1, "n")
                    .is_ok()
            );
        }
    }
}
