//! The `http` crate conversions: outgoing requests, signing in place, reading responses.
#![cfg(feature = "http")]

use countersign::auth::{Auth, Authenticator, Placement};
use countersign::flow::{CallbackMode, RequestToken};
use countersign::response::Response;
use countersign::{ClientCredentials, Error, Secret, Signer, TokenCredentials};

#[test]
fn outgoing_requests_convert_with_sensitive_credentials() {
    let flow = RequestToken::new(
        countersign::discogs::profile("ua/1").unwrap(),
        ClientCredentials::new("ck", "cs"),
        CallbackMode::OutOfBand,
    )
    .unwrap();
    let described = flow.request(7, "n").unwrap();
    let request = described.clone().into_http().unwrap();
    assert_eq!(request.method(), http::Method::GET);
    assert_eq!(
        request.uri().to_string(),
        "https://api.discogs.com/oauth/request_token"
    );
    let auth = &request.headers()[http::header::AUTHORIZATION];
    assert!(auth.is_sensitive());
    assert_eq!(auth.to_str().unwrap(), described.authorization().as_str());
    assert_eq!(request.headers()[http::header::USER_AGENT], "ua/1");
    assert!(
        !format!("{request:?}").contains("cs%26"),
        "sensitive headers are not printed"
    );
}

#[test]
fn sign_an_existing_request_in_one_call() {
    let client = ClientCredentials::new("ck", "cs");
    let token = TokenCredentials::new("t", "ts");
    let signer = Signer::new(&client).token(&token).prepare().unwrap();
    let auth = Authenticator::new(Auth::OAuth(signer.clone()));
    let mut request = http::Request::post("https://api.discogs.com/users/x/collection/folders")
        .header(
            "content-type",
            "application/x-www-form-urlencoded; charset=utf-8",
        )
        .body(b"name=new".to_vec())
        .unwrap();
    auth.sign_request(&mut request, 9, "nn").unwrap();
    let expected = signer
        .sign(
            &countersign::Request::post("https://api.discogs.com/users/x/collection/folders"),
            9,
            "nn",
        )
        .unwrap();
    let header = &request.headers()[http::header::AUTHORIZATION];
    assert!(header.is_sensitive());
    assert_eq!(header.to_str().unwrap(), expected.as_str());

    // Secrets stay off plain http to remote hosts, and relative URIs cannot be signed.
    let mut insecure = http::Request::get("http://api.discogs.com/")
        .body(Vec::<u8>::new())
        .unwrap();
    assert_eq!(
        auth.sign_request(&mut insecure, 1, "n").unwrap_err(),
        Error::Misuse(countersign::Misuse::InsecureTransport)
    );
    let mut relative = http::Request::get("/oauth/identity")
        .body(Vec::<u8>::new())
        .unwrap();
    assert!(matches!(
        auth.sign_request(&mut relative, 1, "n"),
        Err(Error::Parse(countersign::ParseError::Url { .. }))
    ));
}

#[test]
fn discogs_modes_in_place() {
    let auth = countersign::discogs::profile("ua/1")
        .unwrap()
        .authenticator(Auth::PersonalToken(Secret::new("tok")));
    let mut request = http::Request::get("https://api.discogs.com/database/search?q=a")
        .body(Vec::<u8>::new())
        .unwrap();
    auth.sign_request(&mut request, 0, "").unwrap();
    assert_eq!(
        request.headers()[http::header::AUTHORIZATION],
        "Discogs token=tok"
    );
    assert!(request.headers()[http::header::AUTHORIZATION].is_sensitive());

    let mut request = http::Request::get("https://api.discogs.com/database/search?q=a")
        .body(Vec::<u8>::new())
        .unwrap();
    auth.clone()
        .placement(Placement::Query)
        .sign_request(&mut request, 0, "")
        .unwrap();
    assert_eq!(
        request.uri().to_string(),
        "https://api.discogs.com/database/search?q=a&token=tok"
    );
    assert!(!request.headers().contains_key(http::header::AUTHORIZATION));
}

#[test]
fn responses_read_status_body_and_the_headers_that_matter() {
    let answer = http::Response::builder()
        .status(401)
        .header("date", "Sun, 06 Nov 1994 08:49:37 GMT")
        .header(
            "www-authenticate",
            "OAuth realm=\"https://api.discogs.com\"",
        )
        .header("x-discogs-ratelimit", "60")
        .header("x-discogs-ratelimit-used", "1")
        .header("x-discogs-ratelimit-remaining", "59")
        .header("x-other", "ignored")
        .body(br#"{"message": "You must authenticate to access this resource."}"#.to_vec())
        .unwrap();
    let response = Response::from_http(&answer);
    assert_eq!(response.status(), 401);
    assert_eq!(response.date(), Some("Sun, 06 Nov 1994 08:49:37 GMT"));
    assert_eq!(
        response.www_authenticate(),
        Some("OAuth realm=\"https://api.discogs.com\"")
    );
    assert_eq!(response.rate_limit().unwrap().used, Some(1));
    let mut skew = countersign::skew::Skew::new();
    assert!(skew.retry(784_111_777 + 600, response.status(), response.date()));
    assert_eq!(skew.offset(), -600);
    let Error::Provider(e) = response.classify().unwrap_err() else {
        panic!("expected a provider error");
    };
    assert_eq!(
        e.message.as_deref(),
        Some("You must authenticate to access this resource.")
    );
}
