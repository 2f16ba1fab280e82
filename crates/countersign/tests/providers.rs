//! The built-in provider profiles: each builds with the variables it names and only then, its
//! endpoints are absolute HTTPS URLs, its method is one this build has, and the variables land
//! where they belong (NetSuite's account in the realm and the host names, Trello's application
//! name encoded in the authorization page's query).
#![cfg(all(
    feature = "hmac-sha1",
    feature = "hmac-sha256",
    feature = "rsa-sha1",
    feature = "rsa-sha256",
    feature = "serde"
))]

use countersign::providers::{self, Legs, ProviderSpec, Variables};
use countersign::{Error, Misuse};

fn every_variable() -> Variables {
    Variables::new()
        .base("https://self-hosted.example/")
        .account("1234567_SB1")
        .app("My App & Co")
}

#[test]
fn every_preset_builds_with_its_variables_and_not_without() {
    let all = providers::all();
    assert!(all.len() >= 12, "{}", all.len());
    let mut names: Vec<&str> = all.iter().map(|p| p.name.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), all.len(), "names are unique");
    for spec in all.iter().filter(|s| s.legs == Legs::Three) {
        let profile = spec
            .profile(&every_variable(), Some("countersign-tests/1.0"))
            .unwrap_or_else(|e| panic!("{}: {e}", spec.name));
        for url in [
            profile.request_token_url(),
            profile.authorize_url(),
            profile.access_token_url(),
        ]
        .into_iter()
        .chain(profile.identity_url())
        {
            assert!(url.starts_with("https://"), "{}: {url}", spec.name);
            assert!(!url.contains('{'), "{}: {url}", spec.name);
        }
        assert!(
            ["GET", "POST"].contains(&profile.request_token_method()),
            "{}",
            spec.name
        );
        assert_eq!(profile.signature_method().as_str(), spec.signature_method);
        assert!(spec.docs.starts_with("https://"), "{}", spec.name);
        assert!(
            !spec.title.is_empty() && !spec.notes.is_empty(),
            "{}",
            spec.name
        );
        assert_eq!(
            providers::find(&spec.name.to_uppercase()).as_ref(),
            Some(spec)
        );

        // Each variable it names is needed: without it, an error naming it.
        for variable in spec.variables() {
            let mut partial = Variables::new();
            for (name, set) in [
                (
                    "base",
                    (|v: Variables| v.base("https://self-hosted.example"))
                        as fn(Variables) -> Variables,
                ),
                ("account", |v: Variables| v.account("1234567")),
                ("app", |v: Variables| v.app("App")),
            ] {
                if name != variable {
                    partial = set(partial);
                }
            }
            assert_eq!(
                spec.profile(&partial, Some("countersign-tests/1.0")),
                Err(Error::Misuse(Misuse::ProfileVariable { variable })),
                "{} without {variable}",
                spec.name
            );
        }
    }
    assert!(providers::find("no-such-provider").is_none());
}

#[test]
fn discogs_is_one_profile_among_them() {
    let preset = providers::find("discogs")
        .unwrap()
        .profile(&Variables::new(), Some("MyApp/1.0"))
        .unwrap();
    let discogs = countersign::discogs::profile("MyApp/1.0").unwrap();
    assert_eq!(preset.request_token_url(), discogs.request_token_url());
    assert_eq!(
        preset.request_token_method(),
        discogs.request_token_method()
    );
    assert_eq!(preset.authorize_url(), discogs.authorize_url());
    assert_eq!(preset.access_token_url(), discogs.access_token_url());
    assert_eq!(preset.identity_url(), discogs.identity_url());
    assert_eq!(preset.signature_method(), discogs.signature_method());
    assert_eq!(
        preset.request_token_lifetime(),
        discogs.request_token_lifetime()
    );
    // Discogs wants a User-Agent of the application's own.
    let spec = providers::find("discogs").unwrap();
    assert_eq!(
        spec.profile(&Variables::new(), None),
        Err(Error::Misuse(Misuse::UserAgentRequired))
    );
}

#[test]
fn variables_land_where_they_belong() {
    let netsuite = providers::find("netsuite")
        .unwrap()
        .profile(&every_variable(), None)
        .unwrap();
    assert_eq!(
        netsuite.request_token_url(),
        "https://1234567-sb1.restlets.api.netsuite.com/rest/requesttoken"
    );
    assert_eq!(netsuite.realm(), Some("1234567_SB1"));
    assert_eq!(netsuite.signature_method().as_str(), "HMAC-SHA256");
    // An account that is not a host label is refused, not put in a URL.
    let bad = Variables::new().account("evil.example/x");
    assert_eq!(
        providers::find("netsuite").unwrap().profile(&bad, None),
        Err(Error::Misuse(Misuse::ProfileVariable {
            variable: "account"
        }))
    );

    let trello = providers::find("trello")
        .unwrap()
        .profile(&every_variable(), None)
        .unwrap();
    assert_eq!(
        trello.authorize_url(),
        "https://trello.com/1/OAuthAuthorizeToken?name=My%20App%20%26%20Co&scope=read&expiration=30days"
    );
    let jira = providers::find("jira")
        .unwrap()
        .profile(&every_variable(), None)
        .unwrap();
    assert_eq!(
        jira.access_token_url(),
        "https://self-hosted.example/plugins/servlet/oauth/access-token"
    );
}

#[test]
fn a_spec_of_ones_own_reads_from_a_file_format() {
    let spec: ProviderSpec = serde_json::from_str(
        r#"{
            "name": "acme",
            "title": "Acme API",
            "docs": "https://acme.example/docs/oauth",
            "request_token_url": "{base}/oauth/request",
            "authorize_url": "{base}/oauth/authorize?scope=all",
            "access_token_url": "{base}/oauth/access",
            "signature_method": "HMAC-SHA256"
        }"#,
    )
    .unwrap();
    // The defaults: POST, oob taken, no realm.
    assert_eq!(spec.request_token_method, "POST");
    assert!(spec.oob);
    assert_eq!(spec.variables(), ["base"]);
    let profile = spec
        .profile(&Variables::new().base("https://acme.example"), None)
        .unwrap();
    assert_eq!(
        profile.authorize_url(),
        "https://acme.example/oauth/authorize?scope=all"
    );
    // Every preset round-trips.
    for preset in providers::all() {
        let json = serde_json::to_string(&preset).unwrap();
        assert_eq!(serde_json::from_str::<ProviderSpec>(&json).unwrap(), preset);
    }
    // A misspelt field is an error, not silently ignored; so is an unknown variable.
    assert!(serde_json::from_str::<ProviderSpec>(r#"{"nmae": "x"}"#).is_err());
    let typo = ProviderSpec {
        request_token_url: "{bsae}/oauth/request".into(),
        ..spec
    };
    assert_eq!(
        typo.profile(&Variables::new().base("https://acme.example"), None),
        Err(Error::Misuse(Misuse::ProfileTemplate))
    );
}

/// The one-legged providers: no profile (no flow), an authenticator with their rules, and a
/// verifier accepts what it signs, where the provider wants it.
#[test]
fn one_legged_providers_sign_every_request_with_the_consumers_credentials() {
    use countersign::auth::Applied;
    use countersign::verify::{Location, MemoryNonceStore, SecretLookup, Verifier, lookup_fn};
    use countersign::{ClientCredentials, Request, RsaPrivateKey};

    let key = RsaPrivateKey::from_pem(include_str!("data/rsa/test-2048.pem")).unwrap();
    let public = key.public_key();
    let client = ClientCredentials::new("ck_1234", "cs_5678").rsa_key(key);
    let lookup = lookup_fn(
        |_: &str| Some(countersign::Secret::new("cs_5678")),
        |_: &str, _: &str| None,
    )
    .with_rsa_keys(move |_: &str| Some(public.clone()));
    let one_legged: Vec<ProviderSpec> = providers::all()
        .into_iter()
        .filter(|s| s.legs == Legs::One)
        .collect();
    assert!(one_legged.len() >= 2);
    for spec in one_legged {
        let variables = every_variable();
        assert_eq!(
            spec.profile(&variables, None),
            Err(Error::Misuse(Misuse::OneLegged)),
            "{}",
            spec.name
        );
        let api = spec.api_url(&variables).unwrap().unwrap();
        assert!(api.starts_with("https://"), "{api}");
        let signing = spec
            .authenticator(&variables, &client, Some("tests/1.0"))
            .unwrap();
        let body = br#"{"amount": 1}"#;
        let url = format!("{api}/orders?per_page=5");
        let request = Request::post(&url).with_body(body);
        let (sent_to, header, location) =
            match signing.apply(&request, 1_700_000_000, "n0nce").unwrap() {
                Applied::Url(signed) => (signed.expose_secret().to_owned(), None, Location::Query),
                Applied::Header(header) => (
                    url.clone(),
                    Some(header.as_str().to_owned()),
                    Location::Header,
                ),
                _ => panic!("{}", spec.name),
            };
        let verified = Verifier::new()
            .verify(
                &Request::post(&sent_to).with_body(body),
                header.as_deref(),
                1_700_000_000,
                &lookup,
                &mut MemoryNonceStore::new(300, 10),
            )
            .unwrap_or_else(|e| panic!("{}: {e}", spec.name));
        assert_eq!(verified.location(), location, "{}", spec.name);
        assert_eq!(verified.signature_method().as_str(), spec.signature_method);
        assert_eq!(
            verified.extension("oauth_body_hash").is_some(),
            spec.body_hash,
            "{}",
            spec.name
        );
        assert!(lookup.client_rsa_key("ck_1234").is_some());
    }
    // Schoology's calls without a user carry an empty oauth_token.
    let schoology = providers::find("schoology").unwrap();
    let signing = schoology
        .authenticator(&every_variable(), &client, None)
        .unwrap();
    let Applied::Header(header) = signing
        .apply(
            &Request::get("https://api.schoology.com/v1/users/me"),
            1,
            "n",
        )
        .unwrap()
    else {
        panic!("a header")
    };
    let header = header.as_str();
    assert!(header.contains("oauth_token=\"\""), "{header}");
    assert!(
        header.starts_with("OAuth realm=\"Schoology API\""),
        "{header}"
    );
}

/// LTI 1.1: a launch signed by the LMS with its parameters in the form body (as the browser
/// posts it) verifies at the tool; an Outcomes call (XML) carries a body hash the LMS checks.
#[test]
fn lti_launches_and_outcomes() {
    use countersign::auth::Applied;
    use countersign::signature::SignatureMethod;
    use countersign::verify::{Location, MemoryNonceStore, Reason, Verifier, lookup_fn};
    use countersign::{ClientCredentials, Request, Signer};

    let shared = ClientCredentials::new("lms-key", "lti shared secret");
    let secrets = lookup_fn(
        |key: &str| (key == "lms-key").then(|| countersign::Secret::new("lti shared secret")),
        |_: &str, _: &str| None,
    );
    let mut nonces = MemoryNonceStore::new(300, 10);
    let now = 1_700_000_000;

    // The launch: LTI parameters and the OAuth ones in one form body.
    let launch_url = "https://tool.example/lti/launch";
    let fields = "lti_message_type=basic-lti-launch-request&lti_version=LTI-1p0&resource_link_id=r1&user_id=u%2042&roles=Learner&lis_outcome_service_url=https%3A%2F%2Flms.example%2Foutcomes";
    let signed = Signer::new(&shared)
        .signature_method(SignatureMethod::HmacSha1)
        .callback("about:blank")
        .timestamp(now)
        .nonce("launch1")
        .sign(&Request::post(launch_url).with_form_body(fields.as_bytes()))
        .unwrap();
    let body = format!("{fields}&{}", signed.to_form().expose_secret());
    let launch = Request::post(launch_url).with_form_body(body.as_bytes());
    let verified = Verifier::new()
        .verify(&launch, None, now, &secrets, &mut nonces)
        .unwrap();
    assert_eq!(verified.location(), Location::Body);
    assert_eq!(verified.consumer_key(), "lms-key");

    // The outcome: XML to the LMS, with a body hash.
    let lti = providers::find("lti").unwrap();
    let variables = Variables::new().base("https://lms.example/outcomes");
    let signing = lti.authenticator(&variables, &shared, None).unwrap();
    let url = lti.api_url(&variables).unwrap().unwrap();
    let xml = b"<?xml version=\"1.0\"?><imsx_POXEnvelopeRequest/>";
    let outcome = Request::post(&url).with_body(xml);
    let Applied::Header(header) = signing.apply(&outcome, now, "outcome1").unwrap() else {
        panic!("a header")
    };
    let verified = Verifier::new()
        .verify(&outcome, Some(header.as_str()), now, &secrets, &mut nonces)
        .unwrap();
    assert!(verified.extension("oauth_body_hash").is_some());
    let tampered =
        Request::post(&url).with_body(b"<imsx_POXEnvelopeRequest>100</imsx_POXEnvelopeRequest>");
    let Applied::Header(header) = signing.apply(&outcome, now, "outcome2").unwrap() else {
        panic!("a header")
    };
    let refused = Verifier::new()
        .verify(&tampered, Some(header.as_str()), now, &secrets, &mut nonces)
        .unwrap_err();
    assert_eq!(refused.reason(), &Reason::BodyHashMismatch);
}
