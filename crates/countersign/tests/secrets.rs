//! No secret ever shows up in `Debug` output or an error message.

use countersign::discogs::{Applied, DiscogsAuth, Placement};
use countersign::{
    Callback, ClientCredentials, ParsedAuthorization, Request, Secret, Signer, TokenCredentials,
    TokenResponse,
};

const CONSUMER_SECRET: &str = "cs-SECRET-1";
const TOKEN_SECRET: &str = "ts-SECRET-2";
const VERIFIER: &str = "vf-SECRET-3";
const PERSONAL: &str = "pt-SECRET-4";

fn assert_clean(what: &str, text: &str) {
    for secret in [CONSUMER_SECRET, TOKEN_SECRET, VERIFIER, PERSONAL, "SECRET"] {
        assert!(!text.contains(secret), "{what} leaks {secret}: {text}");
    }
}

#[test]
fn debug_of_every_credential_type_is_redacted() {
    let client = ClientCredentials::new("key", CONSUMER_SECRET);
    let token = TokenCredentials::new("tok", TOKEN_SECRET);
    let verifier = Secret::new(VERIFIER);
    let request = Request::get("https://api.discogs.com/oauth/identity");
    let signer = Signer::new(&client)
        .token(&token)
        .verifier(&verifier)
        .nonce("n")
        .timestamp(1);
    let signed = signer.sign(&request).unwrap();
    let prepared = signer.prepare().unwrap();
    let header = signed.to_authorization();
    assert!(
        header.as_str().contains(CONSUMER_SECRET),
        "the header itself carries it"
    );

    let body =
        format!("oauth_token=tok&oauth_token_secret={TOKEN_SECRET}&oauth_callback_confirmed=true");
    let response = TokenResponse::parse(body.as_bytes()).unwrap();
    let cb_url = format!("https://app.example/cb?oauth_token=tok&oauth_verifier={VERIFIER}");
    let callback = Callback::parse(&cb_url).unwrap();
    let parsed = ParsedAuthorization::parse(header.as_str()).unwrap();
    let personal = DiscogsAuth::PersonalToken(Secret::new(PERSONAL));
    let applied = personal.apply(&request, Placement::Header, 0, "").unwrap();
    let applied_url = personal.apply(&request, Placement::Query, 0, "").unwrap();
    assert!(matches!(applied_url, Applied::Url(_)));
    let keysecret = DiscogsAuth::KeySecret(client.clone());
    let oauth = DiscogsAuth::OAuth(prepared.clone());

    let dumps = [
        ("client", format!("{client:?} {client:#?}")),
        ("token", format!("{token:?} {token:#?}")),
        ("verifier", format!("{verifier:?}")),
        ("signer", format!("{signer:?}")),
        ("signed header", format!("{signed:?}")),
        ("prepared signer", format!("{prepared:?}")),
        ("authorization", format!("{header:?}")),
        ("token response", format!("{response:?}")),
        (
            "credentials",
            format!("{:?}", response.clone().into_credentials()),
        ),
        ("callback", format!("{callback:?}")),
        ("parsed header", format!("{parsed:?} {parsed:#?}")),
        ("personal", format!("{personal:?}")),
        ("applied", format!("{applied:?} {applied_url:?}")),
        ("key/secret", format!("{keysecret:?}")),
        ("oauth", format!("{oauth:?}")),
    ];
    for (what, text) in dumps {
        assert_clean(what, &text);
    }
}

#[test]
fn errors_never_carry_secrets() {
    let client = ClientCredentials::new("key", CONSUMER_SECRET);
    let token = TokenCredentials::new("tok", TOKEN_SECRET);
    let e = Signer::new(&client)
        .token(&token)
        .sign(&Request::get("http://example.com/"))
        .unwrap_err();
    assert_clean("insecure", &format!("{e} {e:?}"));
    let e =
        TokenResponse::parse(format!("oauth_token_secret={TOKEN_SECRET}").as_bytes()).unwrap_err();
    assert_clean("missing token", &format!("{e} {e:?}"));
    let e = TokenResponse::parse(
        format!(
            "oauth_token=t&oauth_token_secret={TOKEN_SECRET}&oauth_token_secret={TOKEN_SECRET}"
        )
        .as_bytes(),
    )
    .unwrap_err();
    assert_clean("duplicate secret", &format!("{e} {e:?}"));
    let e = TokenResponse::parse(
        format!("oauth_token=t&oauth_token_secret={TOKEN_SECRET}%").as_bytes(),
    )
    .unwrap_err();
    assert_clean("bad escape", &format!("{e} {e:?}"));
    let e =
        Callback::parse(&format!("oauth_token=t&oauth_verifier={VERIFIER}&denied=t")).unwrap_err();
    assert_clean("conflict", &format!("{e} {e:?}"));
    let e = ParsedAuthorization::parse(&format!(
        "OAuth oauth_signature=\"{CONSUMER_SECRET}\", oauth_signature=\"{CONSUMER_SECRET}\""
    ))
    .unwrap_err();
    assert_clean("duplicate signature", &format!("{e} {e:?}"));
    let e = DiscogsAuth::PersonalToken(Secret::new(format!("{PERSONAL} x")))
        .apply(
            &Request::get("https://api.discogs.com/"),
            Placement::Header,
            0,
            "",
        )
        .unwrap_err();
    assert_clean("bad token", &format!("{e} {e:?}"));
}
