//! The four Discogs credential modes, as the Discogs API documents them, through the neutral
//! credential modes and the Discogs profile's key scheme.

use countersign::auth::{Applied, Auth, Authenticator, Placement};
use countersign::{ClientCredentials, Error, Misuse, Request, Secret, Signer, TokenCredentials};

/// `auth` with Discogs' rules, credentials in `placement`.
fn discogs(auth: Auth, placement: Placement) -> Authenticator {
    countersign::discogs::profile("countersign-tests/1.0")
        .unwrap()
        .authenticator(auth)
        .placement(placement)
}

fn header(auth: Auth, url: &str) -> String {
    match discogs(auth, Placement::Header)
        .apply(&Request::get(url), 1, "n")
        .unwrap()
    {
        Applied::Header(h) => h.as_str().to_owned(),
        other => panic!("expected a header, got {other:?}"),
    }
}

fn url(auth: Auth, url: &str) -> String {
    match discogs(auth, Placement::Query)
        .apply(&Request::get(url), 1, "n")
        .unwrap()
    {
        Applied::Url(u) => u.expose_secret().to_owned(),
        other => panic!("expected a URL, got {other:?}"),
    }
}

const API: &str = "https://api.discogs.com/database/search?q=nirvana";

fn key_secret() -> Auth {
    Auth::ConsumerKey(ClientCredentials::new("foo", "bar"))
}

#[test]
fn no_credentials_change_nothing() {
    for placement in [Placement::Header, Placement::Query] {
        assert!(matches!(
            discogs(Auth::None, placement).apply(&Request::get("http://example.com/"), 0, ""),
            Ok(Applied::Unchanged)
        ));
    }
}

#[test]
fn key_and_secret() {
    assert_eq!(header(key_secret(), API), "Discogs key=foo, secret=bar");
    assert_eq!(
        url(key_secret(), API),
        "https://api.discogs.com/database/search?q=nirvana&key=foo&secret=bar"
    );
    assert_eq!(
        url(key_secret(), "https://api.discogs.com/x#top"),
        "https://api.discogs.com/x?key=foo&secret=bar#top"
    );
    assert_eq!(
        url(key_secret(), "https://api.discogs.com/x?"),
        "https://api.discogs.com/x?key=foo&secret=bar"
    );
}

#[test]
fn personal_token() {
    let token = || Auth::PersonalToken(Secret::new("abcXYZ123"));
    assert_eq!(header(token(), API), "Discogs token=abcXYZ123");
    assert_eq!(
        url(token(), API),
        "https://api.discogs.com/database/search?q=nirvana&token=abcXYZ123"
    );
    // Query values are percent-encoded.
    let odd = || Auth::PersonalToken(Secret::new("a&b c"));
    assert_eq!(
        url(odd(), "https://api.discogs.com/x"),
        "https://api.discogs.com/x?token=a%26b%20c"
    );
    // ...but a header cannot carry them.
    assert_eq!(
        discogs(odd(), Placement::Header)
            .apply(&Request::get(API), 0, "")
            .unwrap_err(),
        Error::Misuse(Misuse::HeaderValue {
            field: countersign::Field::PersonalToken
        })
    );
}

#[test]
fn oauth_mode_matches_the_signer() {
    let client = ClientCredentials::new("ck", "cs");
    let token = TokenCredentials::new("t", "ts");
    let oauth = || Auth::OAuth(Signer::new(&client).token(&token).prepare().unwrap());
    let expected = Signer::new(&client)
        .token(&token)
        .timestamp(1)
        .nonce("n")
        .sign(&Request::get(API))
        .unwrap()
        .to_authorization();
    assert_eq!(header(oauth(), API), expected.as_str());
    // In the query (RFC 5849 section 3.5.3, as WooCommerce over plain HTTP wants them): the
    // same parameters, the same signature, and a verifier accepts them there.
    let with_query = format!("{API}&page=2");
    let Ok(Applied::Url(url)) =
        discogs(oauth(), Placement::Query).apply(&Request::get(&with_query), 1, "n")
    else {
        panic!("OAuth in the query")
    };
    let url = url.expose_secret();
    assert!(
        url.starts_with(&format!(
            "{with_query}&oauth_consumer_key=ck&oauth_token=t&"
        )),
        "{url}"
    );
    assert!(url.ends_with("&oauth_signature=cs%26ts"), "{url}");
    let verified = countersign::verify::Verifier::new()
        .verify(
            &Request::get(url),
            None,
            1,
            &countersign::verify::lookup_fn(
                |_: &str| Some(Secret::new("cs")),
                |_: &str, _: &str| Some(Secret::new("ts")),
            ),
            &mut countersign::verify::MemoryNonceStore::new(300, 10),
        )
        .unwrap();
    assert_eq!(verified.location(), countersign::verify::Location::Query);

    // One-legged HMAC-SHA256 in the query, as WooCommerce's REST API over plain HTTP takes it.
    #[cfg(feature = "hmac-sha256")]
    {
        let shop = "http://127.0.0.1:8080/wp-json/wc/v3/orders?per_page=5&status=any";
        let signer = Signer::new(&client)
            .signature_method(countersign::SignatureMethod::HmacSha256)
            .prepare()
            .unwrap();
        let Ok(Applied::Url(url)) = countersign::auth::Authenticator::new(Auth::OAuth(signer))
            .placement(Placement::Query)
            .apply(&Request::get(shop), 1_700_000_000, "n0nce")
        else {
            panic!("OAuth in the query")
        };
        let url = url.expose_secret();
        assert!(url.contains("oauth_signature_method=HMAC-SHA256"), "{url}");
        let verified = countersign::verify::Verifier::new()
            .verify(
                &Request::get(url),
                None,
                1_700_000_000,
                &countersign::verify::lookup_fn(
                    |_: &str| Some(Secret::new("cs")),
                    |_: &str, _: &str| None,
                ),
                &mut countersign::verify::MemoryNonceStore::new(300, 10),
            )
            .unwrap();
        assert_eq!(verified.location(), countersign::verify::Location::Query);
        assert_eq!(verified.token(), None);
    }
}

#[test]
fn keys_and_tokens_need_a_key_scheme() {
    // A profile that names no scheme: the modes that are not OAuth have no way to travel.
    for auth in [key_secret(), Auth::PersonalToken(Secret::new("t"))] {
        assert_eq!(
            Authenticator::new(auth)
                .apply(&Request::get(API), 0, "")
                .unwrap_err(),
            Error::Misuse(Misuse::NoKeyScheme)
        );
    }
    // Another provider's scheme and names.
    let custom = countersign::auth::KeyScheme::new("Bearer-ish", "app", "pass", "tok");
    let auth = Authenticator::new(Auth::PersonalToken(Secret::new("xyz"))).key_scheme(custom);
    match auth.apply(&Request::get(API), 0, "").unwrap() {
        Applied::Header(h) => assert_eq!(h.as_str(), "Bearer-ish tok=xyz"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn secrets_never_go_over_plain_http_to_a_remote_host() {
    let modes = || {
        [
            key_secret(),
            Auth::PersonalToken(Secret::new("t")),
            Auth::OAuth(
                Signer::new(&ClientCredentials::new("k", "s"))
                    .prepare()
                    .unwrap(),
            ),
        ]
    };
    for placement in [Placement::Header, Placement::Query] {
        for auth in modes() {
            if auth.is_oauth() && placement == Placement::Query {
                continue;
            }
            let auth = discogs(auth, placement);
            assert_eq!(
                auth.apply(&Request::get("http://api.discogs.com/"), 1, "n")
                    .unwrap_err(),
                Error::Misuse(Misuse::InsecureTransport)
            );
            assert!(
                auth.apply(&Request::get("http://127.0.0.1:4000/"), 1, "n")
                    .is_ok()
            );
        }
    }
}

#[test]
fn the_discogs_profile_names_its_endpoints_once() {
    let p = countersign::discogs::profile("MyApp/1.0").unwrap();
    assert_eq!(
        (
            p.request_token_url(),
            p.request_token_method(),
            p.authorize_url(),
            p.access_token_url(),
            p.identity_url(),
            p.user_agent(),
        ),
        (
            "https://api.discogs.com/oauth/request_token",
            "GET",
            "https://www.discogs.com/oauth/authorize",
            "https://api.discogs.com/oauth/access_token",
            Some("https://api.discogs.com/oauth/identity"),
            "MyApp/1.0",
        )
    );
    let local = countersign::discogs::profile_at(
        "http://127.0.0.1:8080/",
        "http://127.0.0.1:8080",
        "MyApp/1.0",
    )
    .unwrap();
    assert_eq!(
        local.request_token_url(),
        "http://127.0.0.1:8080/oauth/request_token"
    );
    assert_eq!(
        local.authorize_url(),
        "http://127.0.0.1:8080/oauth/authorize"
    );
    // Discogs blocks requests without a User-Agent of the application's own.
    for ua in ["", "  ", countersign::profile::DEFAULT_USER_AGENT] {
        assert_eq!(
            countersign::discogs::profile(ua).unwrap_err(),
            Error::Misuse(Misuse::UserAgentRequired),
            "{ua:?}"
        );
    }
}
