//! The three-legged flow, driven with canned answers: every request it describes, byte for byte,
//! and every way it can fail.

use countersign::flow::{AccessToken, Approval, Authorize, CallbackMode, RequestToken, Session};
use countersign::profile::{DEFAULT_USER_AGENT, Profile, ProfileBuilder};
use countersign::response::{Response, StatusClass};
use countersign::{ClientCredentials, Context, Error, ParsedAuthorization, Secret};

const T0: u64 = 137_131_200;

fn rfc_builder() -> ProfileBuilder {
    Profile::builder(
        "https://server.example.com/request_temp_credentials",
        "https://server.example.com/authorize_access",
        "https://server.example.com/request_token",
    )
    .realm("Example")
}

fn rfc_config() -> Profile {
    rfc_builder().build().unwrap()
}

fn discogs() -> Profile {
    countersign::discogs::profile(UA).unwrap()
}

fn rfc_client() -> ClientCredentials {
    ClientCredentials::new("jd83jd92dhsh93js", "ja893SD9")
}

fn rfc_start() -> RequestToken {
    RequestToken::new(
        rfc_config(),
        rfc_client(),
        CallbackMode::url("http://client.example.net/cb?x=1"),
    )
    .unwrap()
}

const TEMP_ANSWER: &[u8] =
    b"oauth_token=hdk48Djdsa&oauth_token_secret=xyz4992k83j47x0b&oauth_callback_confirmed=true";
const ACCESS_ANSWER: &[u8] = b"oauth_token=j49ddk933skd9dks&oauth_token_secret=ll399dj47dskfjdk";
const CALLBACK: &str =
    "http://client.example.net/cb?x=1&oauth_token=hdk48Djdsa&oauth_verifier=473f82d3";

fn rfc_pending() -> Authorize {
    rfc_start()
        .receive(&Response::new(200, TEMP_ANSWER), T0)
        .unwrap()
}

fn rfc_access() -> AccessToken {
    rfc_pending().callback(CALLBACK, T0 + 60).unwrap()
}

#[test]
fn rfc5849_section_2_exchange_byte_for_byte() {
    let flow = rfc_start();
    let request = flow.request(T0, "wIjqoS").unwrap();
    assert_eq!(request.method(), "POST");
    assert_eq!(
        request.url(),
        "https://server.example.com/request_temp_credentials"
    );
    assert_eq!(
        request.authorization().as_str(),
        "OAuth realm=\"Example\", oauth_consumer_key=\"jd83jd92dhsh93js\", \
         oauth_signature_method=\"PLAINTEXT\", \
         oauth_callback=\"http%3A%2F%2Fclient.example.net%2Fcb%3Fx%3D1\", oauth_version=\"1.0\", \
         oauth_timestamp=\"137131200\", oauth_nonce=\"wIjqoS\", oauth_signature=\"ja893SD9%26\""
    );
    assert_eq!(request.user_agent(), Some(DEFAULT_USER_AGENT));
    assert!(request.body().is_empty());

    let pending = flow.receive(&Response::new(200, TEMP_ANSWER), T0).unwrap();
    assert_eq!(
        pending.authorize_url(),
        "https://server.example.com/authorize_access?oauth_token=hdk48Djdsa"
    );
    assert_eq!(pending.request_token(), "hdk48Djdsa");

    let next = pending.callback(CALLBACK, T0 + 60).unwrap();
    let request = next.request(T0 + 61, "walatlh").unwrap();
    assert_eq!(request.method(), "POST");
    assert_eq!(request.url(), "https://server.example.com/request_token");
    assert_eq!(
        request.authorization().as_str(),
        "OAuth realm=\"Example\", oauth_consumer_key=\"jd83jd92dhsh93js\", \
         oauth_token=\"hdk48Djdsa\", oauth_signature_method=\"PLAINTEXT\", oauth_version=\"1.0\", \
         oauth_timestamp=\"137131261\", oauth_nonce=\"walatlh\", oauth_verifier=\"473f82d3\", \
         oauth_signature=\"ja893SD9%26xyz4992k83j47x0b\""
    );

    let session = next
        .receive(&Response::new(200, ACCESS_ANSWER), T0 + 62)
        .unwrap();
    assert_eq!(session.token().token(), "j49ddk933skd9dks");
    assert!(session.token().secret().ct_eq("ll399dj47dskfjdk"));
    assert_eq!(session.expires_in(), None);
    assert_eq!(session.session_handle(), None);

    // API requests with the access credentials.
    let request = session
        .request(
            "GET",
            "https://server.example.com/photos?file=vacation.jpg",
            T0 + 70,
            "chapoH",
        )
        .unwrap();
    assert_eq!(
        request.authorization().as_str(),
        "OAuth realm=\"Example\", oauth_consumer_key=\"jd83jd92dhsh93js\", \
         oauth_token=\"j49ddk933skd9dks\", oauth_signature_method=\"PLAINTEXT\", \
         oauth_version=\"1.0\", oauth_timestamp=\"137131270\", oauth_nonce=\"chapoH\", \
         oauth_signature=\"ja893SD9%26ll399dj47dskfjdk\""
    );
    let prepared = session.signer().unwrap();
    let same = prepared
        .sign(
            &countersign::Request::get("https://server.example.com/photos?file=vacation.jpg"),
            T0 + 70,
            "chapoH",
        )
        .unwrap();
    assert_eq!(&same, request.authorization());
    assert!(matches!(
        session.identity_request(T0, "n"),
        Err(Error::Misuse(countersign::Misuse::NoIdentityUrl))
    ));
}

const UA: &str = "countersign-tests/1.0 +https://example.org";
const IDENTITY: &[u8] = br#"{"id": 1, "username": "example", "resource_url": "https://api.discogs.com/users/example", "consumer_name": "Your Application Name"}"#;

#[test]
fn discogs_preset_byte_for_byte() {
    let client = ClientCredentials::new("ck", "cs");
    let flow = RequestToken::new(discogs(), client, CallbackMode::OutOfBand).unwrap();
    let request = flow.request(1_700_000_000, "n1").unwrap();
    assert_eq!(request.method(), "GET");
    assert_eq!(request.url(), "https://api.discogs.com/oauth/request_token");
    assert_eq!(request.user_agent(), Some(UA));
    assert_eq!(
        request.authorization().as_str(),
        "OAuth oauth_consumer_key=\"ck\", oauth_signature_method=\"PLAINTEXT\", \
         oauth_callback=\"oob\", oauth_version=\"1.0\", oauth_timestamp=\"1700000000\", \
         oauth_nonce=\"n1\", oauth_signature=\"cs%26\""
    );
    let headers: Vec<_> = request.headers().collect();
    assert_eq!(
        headers,
        [
            ("Authorization", request.authorization().as_str(), true),
            ("User-Agent", UA, false)
        ]
    );

    let pending = flow
        .receive(
            &Response::new(
                200,
                b"oauth_token=rt&oauth_token_secret=rs&oauth_callback_confirmed=true",
            ),
            1_700_000_001,
        )
        .unwrap();
    assert_eq!(
        pending.authorize_url(),
        "https://www.discogs.com/oauth/authorize?oauth_token=rt"
    );
    assert_eq!(pending.callback_mode(), &CallbackMode::OutOfBand);
    // Out of band: the user pastes the code Discogs shows, maybe with stray whitespace.
    let next = pending.verifier("  V3R1F1ER \n", 1_700_000_100).unwrap();
    let request = next.request(1_700_000_101, "n2").unwrap();
    assert_eq!(request.url(), "https://api.discogs.com/oauth/access_token");
    assert_eq!(request.method(), "POST");
    assert_eq!(
        request.authorization().as_str(),
        "OAuth oauth_consumer_key=\"ck\", oauth_token=\"rt\", oauth_signature_method=\"PLAINTEXT\", \
         oauth_version=\"1.0\", oauth_timestamp=\"1700000101\", oauth_nonce=\"n2\", \
         oauth_verifier=\"V3R1F1ER\", oauth_signature=\"cs%26rs\""
    );
    let session = next
        .receive(
            &Response::new(200, b"oauth_token=at&oauth_token_secret=as"),
            1_700_000_102,
        )
        .unwrap();
    let request = session.identity_request(1_700_000_103, "n3").unwrap();
    assert_eq!(request.method(), "GET");
    assert_eq!(request.url(), "https://api.discogs.com/oauth/identity");
    assert_eq!(request.user_agent(), Some(UA));
    assert_eq!(
        request.authorization().as_str(),
        "OAuth oauth_consumer_key=\"ck\", oauth_token=\"at\", oauth_signature_method=\"PLAINTEXT\", \
         oauth_version=\"1.0\", oauth_timestamp=\"1700000103\", oauth_nonce=\"n3\", \
         oauth_signature=\"cs%26as\""
    );
    #[cfg(feature = "json")]
    {
        let who =
            countersign::identity::Identity::from_response(&Response::new(200, IDENTITY)).unwrap();
        assert_eq!(who.id, 1);
        assert_eq!(who.username, "example");
        assert_eq!(who.resource_url, "https://api.discogs.com/users/example");
        assert_eq!(who.consumer_name, "Your Application Name");
    }
    let _ = IDENTITY;
}

#[test]
fn discogs_refuses_to_build_a_request_without_a_user_agent() {
    // Before any request: the profile refuses to be built.
    for ua in ["", "   "] {
        assert_eq!(
            countersign::discogs::profile(ua).unwrap_err(),
            Error::Misuse(countersign::Misuse::UserAgentRequired)
        );
    }
    assert_eq!(
        rfc_builder().user_agent("bad\nagent").build().unwrap_err(),
        Error::Misuse(countersign::Misuse::HeaderValue {
            field: countersign::Field::UserAgent
        })
    );
    // Other providers do not insist.
    assert!(rfc_start().request(1, "n").is_ok());
}

#[test]
fn callback_for_another_token_is_refused() {
    let e = rfc_pending()
        .callback(
            "http://client.example.net/cb?x=1&oauth_token=someoneelse&oauth_verifier=473f82d3",
            T0 + 1,
        )
        .unwrap_err();
    assert_eq!(e, Error::Flow(countersign::FlowError::TokenMismatch));
    let e = rfc_pending()
        .callback("http://client.example.net/cb?denied=someoneelse", T0 + 1)
        .unwrap_err();
    assert_eq!(e, Error::Flow(countersign::FlowError::TokenMismatch));
}

#[test]
fn denied_is_its_own_outcome() {
    let e = rfc_pending()
        .callback("http://client.example.net/cb?x=1&denied=hdk48Djdsa", T0 + 1)
        .unwrap_err();
    assert_eq!(e, Error::Flow(countersign::FlowError::Denied));
}

#[test]
fn expired_request_token() {
    // Default lifetime: 15 minutes, checked against the pinned clock.
    let pending = rfc_pending();
    assert_eq!(pending.expires_at(), T0 + 900);
    assert!(!pending.is_expired(T0 + 899));
    assert!(pending.is_expired(T0 + 900));
    assert!(pending.clone().callback(CALLBACK, T0 + 899).is_ok());
    assert_eq!(
        pending.clone().callback(CALLBACK, T0 + 900).unwrap_err(),
        Error::Flow(countersign::FlowError::RequestTokenExpired)
    );
    assert_eq!(
        pending.verifier("473f82d3", T0 + 5000).unwrap_err(),
        Error::Flow(countersign::FlowError::RequestTokenExpired)
    );
    // The access-token request is refused too when its timestamp is past the lifetime.
    let next = rfc_access();
    assert!(next.request(T0 + 899, "n").is_ok());
    assert_eq!(
        next.request(T0 + 900, "n").unwrap_err(),
        Error::Flow(countersign::FlowError::RequestTokenExpired)
    );
    // Configurable.
    let short = RequestToken::new(
        rfc_builder().request_token_lifetime(30).build().unwrap(),
        rfc_client(),
        CallbackMode::OutOfBand,
    )
    .unwrap()
    .receive(&Response::new(200, TEMP_ANSWER), T0)
    .unwrap();
    assert_eq!(
        short.verifier("v", T0 + 30).unwrap_err(),
        Error::Flow(countersign::FlowError::RequestTokenExpired)
    );
}

#[test]
fn missing_callback_confirmation() {
    for body in [
        &b"oauth_token=hdk48Djdsa&oauth_token_secret=xyz4992k83j47x0b"[..],
        b"oauth_token=hdk48Djdsa&oauth_token_secret=xyz4992k83j47x0b&oauth_callback_confirmed=false",
    ] {
        assert_eq!(
            rfc_start()
                .receive(&Response::new(200, body), T0)
                .unwrap_err(),
            Error::Flow(countersign::FlowError::CallbackNotConfirmed)
        );
    }
}

#[test]
fn each_error_status() {
    for (status, class) in [
        (400, StatusClass::BadRequest),
        (401, StatusClass::Unauthorized),
        (403, StatusClass::Forbidden),
        (404, StatusClass::NotFound),
        (429, StatusClass::RateLimited),
        (500, StatusClass::ServerError),
        (502, StatusClass::ServerError),
        (503, StatusClass::ServerError),
    ] {
        let answer = Response::new(status, b"Invalid consumer.")
            .with_header("X-Discogs-Ratelimit", "60")
            .with_header("X-Discogs-Ratelimit-Used", "7")
            .with_header("X-Discogs-Ratelimit-Remaining", "53")
            .with_header("Retry-After", "5");
        for e in [
            rfc_start().receive(&answer, T0).unwrap_err(),
            rfc_access().receive(&answer, T0).unwrap_err(),
        ] {
            let Error::Provider(e) = e else {
                panic!("{status}: expected a provider error, got {e:?}");
            };
            assert_eq!(e.status, status);
            assert_eq!(e.class, class);
            assert_eq!(e.message.as_deref(), Some("Invalid consumer."));
            assert_eq!(e.retry_after, Some(5));
            assert_eq!(e.rate_limit.and_then(|r| r.remaining), Some(53));
        }
    }
    // Discogs' JSON errors on the identity resource.
    let e = Response::new(
        401,
        br#"{"message": "You must authenticate to access this resource."}"#,
    )
    .classify()
    .unwrap_err();
    assert!(
        e.to_string()
            .contains("\"You must authenticate to access this resource.\""),
        "{e}"
    );
}

#[test]
fn oauth_problem_answers() {
    let e = rfc_access()
        .receive(
            &Response::new(
                200,
                b"oauth_problem=verifier_invalid&oauth_problem_advice=try+again",
            ),
            T0,
        )
        .unwrap_err();
    assert_eq!(
        e,
        Error::Flow(countersign::FlowError::Problem {
            problem: "verifier_invalid".into(),
            advice: Some("try again".into())
        })
    );
    let e = rfc_start()
        .receive(
            &Response::new(401, b"oauth_problem=consumer_key_unknown"),
            T0,
        )
        .unwrap_err();
    let Error::Provider(e) = e else {
        panic!("expected a provider error");
    };
    assert_eq!(e.problem.as_deref(), Some("consumer_key_unknown"));
}

#[test]
fn garbage_bodies() {
    assert_eq!(
        rfc_start()
            .receive(&Response::new(200, b"<html>Service Unavailable</html>"), T0)
            .unwrap_err(),
        Error::Parse(countersign::ParseError::MissingParameter {
            context: Context::TokenResponse,
            name: "oauth_token"
        })
    );
    assert!(matches!(
        rfc_access()
            .receive(&Response::new(200, b"oauth_token=%zz"), T0)
            .unwrap_err(),
        Error::Parse(countersign::ParseError::Decode { .. })
    ));
    assert_eq!(
        rfc_access()
            .receive(&Response::new(200, b""), T0)
            .unwrap_err(),
        Error::Parse(countersign::ParseError::Empty {
            context: Context::TokenResponse
        })
    );
}

#[test]
fn pasted_verifiers() {
    assert_eq!(
        rfc_pending().verifier(" \t\n", T0).unwrap_err(),
        Error::Parse(countersign::ParseError::EmptyParameter {
            context: Context::Callback,
            name: "oauth_verifier"
        })
    );
}

#[test]
fn a_callback_url_must_be_absolute() {
    assert_eq!(
        RequestToken::new(rfc_config(), rfc_client(), CallbackMode::url("/cb")).unwrap_err(),
        Error::Misuse(countersign::Misuse::InvalidCallback)
    );
}

#[test]
fn plaintext_flow_refuses_plain_http_to_remote_hosts() {
    let config = Profile::builder(
        "http://provider.example/rt",
        "http://provider.example/auth",
        "http://provider.example/at",
    );
    let flow = RequestToken::new(
        config.clone().build().unwrap(),
        rfc_client(),
        CallbackMode::OutOfBand,
    )
    .unwrap();
    assert_eq!(
        flow.request(1, "n").unwrap_err(),
        Error::Misuse(countersign::Misuse::InsecureTransport)
    );
    let flow = RequestToken::new(
        config.dangerous_allow_insecure_http().build().unwrap(),
        rfc_client(),
        CallbackMode::OutOfBand,
    )
    .unwrap();
    assert!(flow.request(1, "n").is_ok());
    let local =
        countersign::discogs::profile_at("http://127.0.0.1:8080", "http://127.0.0.1:8080", UA)
            .unwrap();
    let flow = RequestToken::new(local, rfc_client(), CallbackMode::OutOfBand).unwrap();
    assert_eq!(
        flow.request(1, "n").unwrap().url(),
        "http://127.0.0.1:8080/oauth/request_token"
    );
}

#[test]
fn session_extension_renewal() {
    let next = rfc_access();
    let session = next
        .receive(
            &Response::new(
                200,
                b"oauth_token=a1&oauth_token_secret=s1&oauth_expires_in=3600&oauth_authorization_expires_in=86400&oauth_session_handle=h%2Fx",
            ),
            T0 + 100,
        )
        .unwrap();
    assert_eq!(session.expires_in(), Some(3600));
    assert_eq!(session.expires_at(), Some(T0 + 3700));
    assert_eq!(session.authorization_expires_in(), Some(86400));
    assert!(session.session_handle().unwrap().ct_eq("h/x"));
    assert_eq!(
        session.session_handle().map(Secret::expose_secret),
        Some("h/x")
    );
    let renewal = session.renewal_request(T0 + 4000, "r1").unwrap();
    assert_eq!(renewal.method(), "POST");
    assert_eq!(renewal.url(), "https://server.example.com/request_token");
    // The handle is a credential: it goes in the secret tail, after the nonce.
    assert_eq!(
        renewal.authorization().as_str(),
        "OAuth realm=\"Example\", oauth_consumer_key=\"jd83jd92dhsh93js\", oauth_token=\"a1\", \
         oauth_signature_method=\"PLAINTEXT\", oauth_version=\"1.0\", \
         oauth_timestamp=\"137135200\", oauth_nonce=\"r1\", oauth_session_handle=\"h%2Fx\", \
         oauth_signature=\"ja893SD9%26s1\""
    );
    // It parses back, where a provider reads it.
    let parsed = ParsedAuthorization::parse(renewal.authorization().as_str()).unwrap();
    assert!(
        parsed
            .params()
            .any(|(n, v)| n == "oauth_session_handle" && v == "h/x")
    );
    let renewed = session
        .receive_renewal(
            &Response::new(
                200,
                b"oauth_token=a2&oauth_token_secret=s2&oauth_expires_in=3600",
            ),
            T0 + 4001,
        )
        .unwrap();
    assert_eq!(renewed.token().token(), "a2");
    assert_eq!(
        renewed.session_handle().map(Secret::expose_secret),
        Some("h/x"),
        "the old handle stays"
    );
    assert_eq!(renewed.expires_at(), Some(T0 + 4001 + 3600));

    let plain = rfc_access()
        .receive(&Response::new(200, ACCESS_ANSWER), T0)
        .unwrap();
    assert_eq!(
        plain.renewal_request(T0, "n").unwrap_err(),
        Error::Flow(countersign::FlowError::NoSessionHandle)
    );
}

#[test]
fn stored_credentials_make_a_session() {
    let session = Session::from_credentials(
        discogs(),
        ClientCredentials::new("ck", "cs"),
        countersign::TokenCredentials::new("at", "as"),
    );
    assert_eq!(
        session
            .identity_request(5, "n")
            .unwrap()
            .authorization()
            .as_str(),
        "OAuth oauth_consumer_key=\"ck\", oauth_token=\"at\", oauth_signature_method=\"PLAINTEXT\", \
         oauth_version=\"1.0\", oauth_timestamp=\"5\", oauth_nonce=\"n\", oauth_signature=\"cs%26as\""
    );
}

#[test]
fn debug_of_every_state_hides_secrets() {
    let secrets = [
        "ja893SD9",
        "xyz4992k83j47x0b",
        "473f82d3",
        "ll399dj47dskfjdk",
    ];
    let start = rfc_start();
    let pending = rfc_pending();
    let access = rfc_access();
    let session = rfc_access()
        .receive(&Response::new(200, ACCESS_ANSWER), T0)
        .unwrap();
    let request = access.request(T0, "n").unwrap();
    for dump in [
        format!("{start:?}"),
        format!("{pending:?}"),
        format!("{access:?}"),
        format!("{session:?}"),
        format!("{request:?}"),
    ] {
        for s in secrets {
            assert!(!dump.contains(s), "{s} in {dump}");
        }
    }
}

#[cfg(feature = "serde")]
#[test]
fn pending_state_survives_serialization() {
    let pending = rfc_pending();
    let stored = serde_json::to_string(&pending).unwrap();
    let resumed: Authorize = serde_json::from_str(&stored).unwrap();
    assert_eq!(resumed, pending);
    // It resumes to exactly the same requests.
    let a = pending.callback(CALLBACK, T0 + 1).unwrap();
    let b = resumed.callback(CALLBACK, T0 + 1).unwrap();
    assert_eq!(
        a.request(T0 + 2, "n").unwrap(),
        b.request(T0 + 2, "n").unwrap()
    );
    // Every state serializes.
    let start: RequestToken =
        serde_json::from_str(&serde_json::to_string(&rfc_start()).unwrap()).unwrap();
    assert_eq!(start, rfc_start());
    let access: AccessToken = serde_json::from_str(&serde_json::to_string(&a).unwrap()).unwrap();
    assert_eq!(access, a);
    let session = a.receive(&Response::new(200, ACCESS_ANSWER), T0).unwrap();
    let back: Session = serde_json::from_str(&serde_json::to_string(&session).unwrap()).unwrap();
    assert_eq!(back, session);
}

/// The query goes before the fragment, whatever the authorization endpoint already carries.
#[test]
fn authorize_url_puts_the_token_before_a_fragment() {
    for (endpoint, expected) in [
        (
            "https://p.example/auth#frag",
            "https://p.example/auth?oauth_token=hdk48Djdsa#frag",
        ),
        (
            "https://p.example/auth?a=1#frag",
            "https://p.example/auth?a=1&oauth_token=hdk48Djdsa#frag",
        ),
        (
            "https://p.example/auth?#",
            "https://p.example/auth?oauth_token=hdk48Djdsa#",
        ),
        (
            "https://p.example/auth?a=1&",
            "https://p.example/auth?a=1&oauth_token=hdk48Djdsa",
        ),
        (
            "https://p.example/auth",
            "https://p.example/auth?oauth_token=hdk48Djdsa",
        ),
    ] {
        let config = Profile::builder(
            "https://p.example/request",
            endpoint,
            "https://p.example/access",
        )
        .build()
        .unwrap();
        let pending = RequestToken::new(config, rfc_client(), CallbackMode::OutOfBand)
            .unwrap()
            .receive(&Response::new(200, TEMP_ANSWER), T0)
            .unwrap();
        assert_eq!(pending.authorize_url(), expected, "{endpoint}");
    }
}

const HANDLE: &str = "HANDLE_SECRET_123";

fn session_with_handle() -> Session {
    let answer = format!(
        "oauth_token=a1&oauth_token_secret=s1&oauth_expires_in=3600&oauth_session_handle={HANDLE}"
    );
    rfc_access()
        .receive(&Response::new(200, answer.as_bytes()), T0)
        .unwrap()
}

/// `oauth_session_handle` is a credential: `Debug` of the session and of the renewal request
/// redact it, and it still serializes (as the plain string, like every secret).
#[test]
fn the_session_handle_is_a_secret() {
    let session = session_with_handle();
    assert!(session.session_handle().unwrap().ct_eq(HANDLE));
    for dump in [
        format!("{session:?}"),
        format!("{session:#?}"),
        format!("{:?}", session.renewal_request(T0, "n").unwrap()),
    ] {
        assert!(!dump.contains(HANDLE), "{dump}");
    }
    assert!(format!("{session:?}").contains("session_handle: Some(Secret([redacted]))"));
}

#[cfg(feature = "serde")]
#[test]
fn a_session_with_a_handle_survives_serialization() {
    let session = session_with_handle();
    let stored = serde_json::to_string(&session).unwrap();
    assert!(
        stored.contains(&format!("\"session_handle\":\"{HANDLE}\"")),
        "{stored}"
    );
    let back: Session = serde_json::from_str(&stored).unwrap();
    assert_eq!(back, session);
    assert!(back.session_handle().unwrap().ct_eq(HANDLE));
    assert_eq!(
        back.renewal_request(T0, "n").unwrap(),
        session.renewal_request(T0, "n").unwrap()
    );
}

#[test]
fn approve_takes_a_callback_or_a_pasted_verifier() {
    let by_callback = rfc_pending()
        .approve(Approval::Callback(CALLBACK), T0 + 1)
        .unwrap();
    let by_code = rfc_pending()
        .approve(Approval::Verifier(" 473f82d3\n"), T0 + 1)
        .unwrap();
    assert_eq!(by_callback, by_code);
    assert_eq!(
        rfc_pending()
            .approve(Approval::Callback(CALLBACK), T0 + 900)
            .unwrap_err(),
        Error::Flow(countersign::FlowError::RequestTokenExpired)
    );
    for approval in [Approval::Callback(CALLBACK), Approval::Verifier("473f82d3")] {
        let shown = format!("{approval:?}");
        assert!(!shown.contains("473f82d3"), "{shown}");
    }
}
