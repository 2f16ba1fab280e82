//! Every parser error, produced by the input that causes it, and checked by its exact variant.

use countersign::{
    Callback, ClientCredentials, Context, DecodeError, Error, ParsedAuthorization, Request,
    SignatureMethod, Signer, TokenResponse,
};

fn token_err(body: &str) -> Error {
    TokenResponse::parse(body.as_bytes()).unwrap_err()
}

fn callback_err(input: &str) -> Error {
    Callback::parse(input).unwrap_err()
}

const TR: Context = Context::TokenResponse;
const CB: Context = Context::Callback;

#[test]
fn token_response_errors() {
    assert_eq!(
        token_err(""),
        Error::Parse(countersign::ParseError::Empty { context: TR })
    );
    assert_eq!(
        token_err(" \r\n"),
        Error::Parse(countersign::ParseError::Empty { context: TR })
    );
    assert_eq!(
        token_err("oauth_token_secret=s"),
        Error::Parse(countersign::ParseError::MissingParameter {
            context: TR,
            name: "oauth_token"
        })
    );
    assert_eq!(
        token_err("oauth_token=t"),
        Error::Parse(countersign::ParseError::MissingParameter {
            context: TR,
            name: "oauth_token_secret"
        })
    );
    assert_eq!(
        token_err("oauth_token=&oauth_token_secret=s"),
        Error::Parse(countersign::ParseError::EmptyParameter {
            context: TR,
            name: "oauth_token"
        })
    );
    for name in [
        "oauth_token",
        "oauth_token_secret",
        "oauth_callback_confirmed",
        "oauth_problem",
    ] {
        let body = format!("oauth_token=t&oauth_token_secret=s&{name}=a&{name}=b");
        assert_eq!(
            token_err(&body),
            Error::Parse(countersign::ParseError::DuplicateParameter {
                context: TR,
                name: name.into()
            }),
            "{body}"
        );
    }
    assert_eq!(
        token_err("oauth_token=t%2&oauth_token_secret=s"),
        Error::Parse(countersign::ParseError::Decode {
            context: TR,
            error: DecodeError::BadEscape { offset: 1 },
            name: None,
        })
    );
    assert_eq!(
        token_err("oauth_token=%FF&oauth_token_secret=s"),
        Error::Parse(countersign::ParseError::Decode {
            context: TR,
            error: DecodeError::InvalidUtf8,
            name: None,
        })
    );
    assert_eq!(
        TokenResponse::parse(b"oauth_token=\xff").unwrap_err(),
        Error::Parse(countersign::ParseError::Decode {
            context: TR,
            error: DecodeError::InvalidUtf8,
            name: None,
        })
    );
    assert_eq!(
        token_err("oauth_problem=token_rejected&oauth_problem_advice=start+again"),
        Error::Flow(countersign::FlowError::Problem {
            problem: "token_rejected".into(),
            advice: Some("start again".into())
        })
    );
    // A problem wins even next to credentials.
    assert!(matches!(
        token_err("oauth_token=t&oauth_token_secret=s&oauth_problem=nonce_used"),
        Error::Flow(countersign::FlowError::Problem { .. })
    ));
    // Discogs answers some errors in plain text; it is not a token response.
    assert_eq!(
        token_err("Invalid consumer."),
        Error::Parse(countersign::ParseError::MissingParameter {
            context: TR,
            name: "oauth_token"
        })
    );
}

#[test]
fn temporary_credentials_need_the_callback_confirmed() {
    for body in [
        "oauth_token=t&oauth_token_secret=s",
        "oauth_token=t&oauth_token_secret=s&oauth_callback_confirmed=false",
        "oauth_token=t&oauth_token_secret=s&oauth_callback_confirmed=TRUE",
    ] {
        assert_eq!(
            TokenResponse::parse_temporary(body.as_bytes()).unwrap_err(),
            Error::Flow(countersign::FlowError::CallbackNotConfirmed),
            "{body}"
        );
    }
}

#[test]
fn token_responses_keep_the_other_parameters() {
    let r = TokenResponse::parse(
        b"oauth_token=t&oauth_token_secret=s&oauth_expires_in=3600&oauth_session_handle=h%2B1&user_id=42&screen_name=a+b\n",
    )
    .unwrap();
    assert_eq!(r.get("oauth_expires_in").as_deref(), Some("3600"));
    assert_eq!(r.get("oauth_session_handle").as_deref(), Some("h+1"));
    assert_eq!(r.get("oauth_token").as_deref(), Some("t"));
    assert_eq!(
        r.get("oauth_token_secret"),
        None,
        "the secret is not handed out by name"
    );
    let extra: Vec<(String, String)> = r
        .extra()
        .map(|(n, v)| (n.into_owned(), v.into_owned()))
        .collect();
    assert_eq!(
        extra,
        [
            ("oauth_expires_in".into(), "3600".into()),
            ("oauth_session_handle".into(), "h+1".into()),
            ("user_id".into(), "42".into()),
            ("screen_name".into(), "a b".into()),
        ]
    );
}

#[test]
fn callback_errors() {
    assert_eq!(
        callback_err("http://client.example.net/cb"),
        Error::Parse(countersign::ParseError::Empty { context: CB })
    );
    assert_eq!(
        callback_err(""),
        Error::Parse(countersign::ParseError::Empty { context: CB })
    );
    assert_eq!(
        callback_err("?oauth_verifier=v"),
        Error::Parse(countersign::ParseError::MissingParameter {
            context: CB,
            name: "oauth_token"
        })
    );
    assert_eq!(
        callback_err("https://c.example/cb?x=1&oauth_token=t"),
        Error::Parse(countersign::ParseError::MissingParameter {
            context: CB,
            name: "oauth_verifier"
        })
    );
    assert_eq!(
        callback_err("oauth_token=t&oauth_verifier="),
        Error::Parse(countersign::ParseError::EmptyParameter {
            context: CB,
            name: "oauth_verifier"
        })
    );
    for name in ["oauth_token", "oauth_verifier", "denied"] {
        let q = format!("oauth_token=t&oauth_verifier=v&{name}=x&{name}=y");
        assert_eq!(
            callback_err(&q),
            Error::Parse(countersign::ParseError::DuplicateParameter {
                context: CB,
                name: name.into()
            })
        );
    }
    assert_eq!(
        callback_err("denied=t&oauth_verifier=v"),
        Error::Parse(countersign::ParseError::ConflictingParameters {
            context: CB,
            names: ("denied", "oauth_verifier")
        })
    );
    assert_eq!(
        callback_err("oauth_token=t&oauth_verifier=%zz"),
        Error::Parse(countersign::ParseError::Decode {
            context: CB,
            error: DecodeError::BadEscape { offset: 0 },
            name: None,
        })
    );
    assert!(matches!(
        callback_err("http://[::1/cb?oauth_token=t"),
        Error::Parse(countersign::ParseError::Url { .. })
    ));
}

#[test]
fn callback_ignores_its_own_parameters() {
    // The callback's own query may hold anything, even broken escapes and names that look alike.
    let cb = Callback::parse(
        "https://app.example/cb?x=%zz&oauth_tokenx=1&state=a+b&oauth_token=tok&oauth_verifier=ver#frag",
    )
    .unwrap();
    let Callback::Approved { token, verifier } = cb else {
        panic!("expected approval");
    };
    assert_eq!(token, "tok");
    assert!(verifier.ct_eq("ver"));
    // `+` in a callback is a plus, not a space.
    let Callback::Approved { verifier, .. } =
        Callback::parse("oauth_token=t&oauth_verifier=a+b").unwrap()
    else {
        panic!("expected approval");
    };
    assert!(verifier.ct_eq("a+b"));
    let denied = Callback::parse("http://localhost:9/cb?denied=tok").unwrap();
    assert!(matches!(&denied, Callback::Denied { token } if token == "tok"));
    assert_eq!(denied.token(), "tok");
}

#[test]
fn header_parse_errors() {
    assert_eq!(
        ParsedAuthorization::parse("Bearer abc").unwrap_err(),
        Error::Parse(countersign::ParseError::NotOAuthScheme)
    );
    assert_eq!(
        ParsedAuthorization::parse("OAuth oauth_token=\"%4\"").unwrap_err(),
        Error::Parse(countersign::ParseError::Decode {
            context: Context::AuthorizationHeader,
            error: DecodeError::BadEscape { offset: 0 },
            name: Some("oauth_token".into()),
        })
    );
    // A name that does not decode is not named.
    assert_eq!(
        ParsedAuthorization::parse("OAuth oauth%zz=\"1\"").unwrap_err(),
        Error::Parse(countersign::ParseError::Decode {
            context: Context::AuthorizationHeader,
            error: DecodeError::BadEscape { offset: 5 },
            name: None,
        })
    );
    assert_eq!(
        ParsedAuthorization::parse("OAuth oauth_token=\"a\", oauth_token=\"a\"").unwrap_err(),
        Error::Parse(countersign::ParseError::DuplicateParameter {
            context: Context::AuthorizationHeader,
            name: "oauth_token".into()
        })
    );
    assert_eq!(
        ParsedAuthorization::parse("OAuth oauth_token=a").unwrap_err(),
        Error::Parse(countersign::ParseError::MalformedHeader {
            offset: 18,
            expected: "a value in double quotes"
        })
    );
}

#[test]
fn signing_errors() {
    let client = ClientCredentials::new("k", "s");
    assert_eq!(
        Signer::new(&client)
            .sign(&Request::get("http://api.discogs.com/oauth/identity"))
            .unwrap_err(),
        Error::Misuse(countersign::Misuse::InsecureTransport)
    );
    assert_eq!(
        Signer::new(&client)
            .prepare()
            .unwrap()
            .sign(&Request::get("http://example.com/"), 1, "n")
            .unwrap_err(),
        Error::Misuse(countersign::Misuse::InsecureTransport)
    );
    assert!(matches!(
        Signer::new(&client).sign(&Request::get("/relative")),
        Err(Error::Parse(countersign::ParseError::Url { .. }))
    ));
    assert_eq!(
        Signer::new(&client)
            .realm("a\nb")
            .sign(&Request::get("https://example.com/"))
            .unwrap_err(),
        Error::Misuse(countersign::Misuse::InvalidRealm)
    );
    assert_eq!(
        Signer::new(&client).realm("\u{7f}").prepare().unwrap_err(),
        Error::Misuse(countersign::Misuse::InvalidRealm)
    );
    for callback in [
        "",
        "/relative",
        "OOB",
        "client.example.net/cb",
        "http://",
        "1x:y",
        "x: y",
        "about:",
    ] {
        assert_eq!(
            Signer::new(&client)
                .callback(callback)
                .sign(&Request::get("https://example.com/"))
                .unwrap_err(),
            Error::Misuse(countersign::Misuse::InvalidCallback),
            "{callback:?}"
        );
    }
    // An absolute URI without an authority is one too (LTI 1.1 launches send `about:blank`).
    for callback in ["about:blank", "urn:ietf:wg:oauth:2.0:oob", "myapp://cb"] {
        assert!(
            Signer::new(&client)
                .callback(callback)
                .sign(&Request::get("https://example.com/"))
                .is_ok(),
            "{callback}"
        );
    }
    assert_eq!(
        Signer::new(&client).callback("nope").prepare().unwrap_err(),
        Error::Misuse(countersign::Misuse::InvalidCallback)
    );
    assert!(
        Signer::new(&client)
            .callback("oob")
            .sign(&Request::get("https://example.com/"))
            .is_ok()
    );
    assert!(
        Signer::new(&client)
            .callback("myapp://done?x=1")
            .sign(&Request::get("https://example.com/"))
            .is_ok()
    );
    let unknown = "hmac-sha1".parse::<SignatureMethod>().unwrap_err();
    let supported: Vec<&str> = SignatureMethod::ALL.iter().map(|m| m.as_str()).collect();
    assert_eq!(
        unknown.to_string(),
        format!(
            "unknown or unsupported signature method \"hmac-sha1\": use one of {}",
            supported.join(", ")
        )
    );
    assert_eq!(
        "hmac-sha1".parse::<SignatureMethod>().unwrap_err(),
        Error::Parse(countersign::ParseError::SignatureMethod {
            name: "hmac-sha1".into()
        })
    );
    // The dangerous switch is explicit, and loopback needs none.
    assert!(
        Signer::new(&client)
            .dangerous_allow_insecure_http()
            .sign(&Request::get("http://example.com/"))
            .is_ok()
    );
    assert!(
        Signer::new(&client)
            .sign(&Request::get("http://127.0.0.1:8080/oauth/request_token"))
            .is_ok()
    );
}

#[test]
fn error_messages_are_one_lowercase_line_and_say_what_to_do() {
    let errors = [
        token_err(""),
        token_err("oauth_token=%"),
        token_err("oauth_token=t"),
        callback_err("denied=t&oauth_verifier=v"),
        Error::Misuse(countersign::Misuse::InsecureTransport),
        Error::Flow(countersign::FlowError::CallbackNotConfirmed),
        Error::Misuse(countersign::Misuse::InvalidNonce),
    ];
    for e in errors {
        let msg = e.to_string();
        assert!(!msg.contains('\n'), "{msg}");
        let first = msg.chars().next().unwrap();
        assert!(
            !first.is_uppercase() || msg.starts_with("Authorization"),
            "{msg}"
        );
    }
    assert!(
        Error::Misuse(countersign::Misuse::InsecureTransport)
            .to_string()
            .contains("https://")
    );
    assert!(token_err("oauth_token=%").to_string().contains("%25"));
}

/// Found by fuzzing (fuzz/regressions/callback): a callback's query string that carries an
/// unencoded URL in a value parsed as a broken URL, while the full URL parsed fine.
#[test]
fn a_query_holding_urls_parses_like_the_url_it_came_from() {
    let query = "next=https://app.example/&oauth_token=hdk48Djdsa&oauth_verifier=473f82d3";
    for input in [
        query.to_owned(),
        format!("?{query}"),
        format!("http://client.example.net/cb?{query}"),
    ] {
        let Callback::Approved { token, verifier } = Callback::parse(&input).unwrap() else {
            panic!("expected approval for {input}");
        };
        assert_eq!(token, "hdk48Djdsa");
        assert!(verifier.ct_eq("473f82d3"));
    }
    assert_eq!(
        Callback::parse("://?://").unwrap_err(),
        Error::Parse(countersign::ParseError::MissingParameter {
            context: CB,
            name: "oauth_token"
        })
    );
}

/// The cleartext rule judged the host an RFC 3986 reading finds, while reqwest's WHATWG parser
/// reads `\` as `/` and connects elsewhere: `http://evil.com\@127.0.0.1/` signed with PLAINTEXT
/// (the default) sent both secrets in the clear to evil.com. Every URL whose host clients read
/// differently is now refused, by both signers and the transport check.
#[test]
fn urls_whose_host_clients_disagree_on_are_refused() {
    use countersign::transport::check_cleartext_allowed;

    let client = ClientCredentials::new("k", "consumer-s3cret");
    let token = countersign::TokenCredentials::new("t", "token-s3cret");
    for evil in [
        "http://evil.com\\@127.0.0.1/",
        "http://evil.com\\@127.0.0.1:8080/oauth/request_token",
        "http://evil.com\\@localhost/",
        "http://evil.com\\@[::1]/",
        "http://127.0.0.1\\.evil.com/",
        "http://a@evil.com@127.0.0.1/",
        "http://127.0.0.%31/",
        "http://%6C%6F%63%61%6C%68%6F%73%74/",
        "http://127.0.0.1\t.evil.com/",
        "http://127.0.0.1\n.evil.com/",
    ] {
        let signed = Signer::new(&client)
            .token(&token)
            .sign(&Request::get(evil))
            .map(|s| s.to_authorization().as_str().to_owned());
        assert!(
            matches!(
                signed,
                Err(Error::Parse(countersign::ParseError::Url { .. }))
            ),
            "{evil:?}: {signed:?}"
        );
        let message = signed.unwrap_err().to_string();
        assert!(!message.contains("s3cret"), "{message}");
        let prepared = Signer::new(&client).token(&token).prepare().unwrap();
        assert!(
            matches!(
                prepared.sign(&Request::get(evil), 1, "n"),
                Err(Error::Parse(countersign::ParseError::Url { .. }))
            ),
            "{evil:?}"
        );
        assert!(
            matches!(
                check_cleartext_allowed(evil, false),
                Err(Error::Parse(countersign::ParseError::Url { .. }))
            ),
            "{evil:?}"
        );
    }
    let message = check_cleartext_allowed("http://evil.com\\@127.0.0.1/", false)
        .unwrap_err()
        .to_string();
    assert!(
        message.starts_with("invalid URL: '\\' before the path"),
        "{message}"
    );
    assert!(message.contains("%5C"), "{message}");
    // Loopback itself still needs no switch.
    assert!(
        Signer::new(&client)
            .sign(&Request::get("http://127.0.0.1:8080/oauth/request_token"))
            .is_ok()
    );
}

/// The port is a number: `080` is the default port, left out of the base string as oauthlib
/// leaves it out; `0` and numbers past 65535 are refused.
#[test]
fn ports_are_parsed_as_numbers() {
    use countersign::base_string::base_string;

    for (url, base) in [
        ("http://h:080/p", "GET&http%3A%2F%2Fh%2Fp&"),
        ("https://h:0443/", "GET&https%3A%2F%2Fh%2F&"),
        ("http://h:8080/", "GET&http%3A%2F%2Fh%3A8080%2F&"),
        ("http://h:008080/", "GET&http%3A%2F%2Fh%3A8080%2F&"),
        ("http://h:/", "GET&http%3A%2F%2Fh%2F&"),
    ] {
        assert_eq!(base_string(&Request::get(url), &[]).unwrap(), base, "{url}");
    }
    // PLAINTEXT over https:// leaves the URL to the HTTP client (the signing hot path reads no
    // further than the scheme); over http:// the host, and so the port, is read.
    let client = ClientCredentials::new("k", "s");
    for bad in [
        "http://h:0/",
        "https://h:0/",
        "https://h:99999999999/",
        "https://h:65536/",
        "https://h:+443/",
    ] {
        assert!(
            matches!(
                base_string(&Request::get(bad), &[]),
                Err(Error::Parse(countersign::ParseError::Url { .. }))
            ),
            "{bad}"
        );
        assert!(
            matches!(
                Signer::new(&client)
                    .dangerous_allow_insecure_http()
                    .sign(&Request::get(&bad.replacen("https:", "http:", 1))),
                Err(Error::Parse(countersign::ParseError::Url { .. }))
            ),
            "{bad}"
        );
    }
}

/// Messages say what is wrong in the terms of the rule broken, and what to do; never a value.
#[test]
fn messages_name_the_rule_and_what_to_do() {
    let client = ClientCredentials::new("k", "s");

    // An extension parameter name: the rule, not "a character that cannot be sent".
    for name in ["x_ext", "oauth_token", "oauth_nonce"] {
        let error = Signer::new(&client)
            .extension_param(name, "v")
            .sign(&Request::get("https://example.com/"))
            .unwrap_err();
        assert_eq!(
            error,
            Error::Misuse(countersign::Misuse::ExtensionParameterName)
        );
        let message = error.to_string();
        assert!(message.contains("must start with oauth_"), "{message}");
        assert!(message.contains("protocol parameter"), "{message}");
        assert!(!message.contains("cannot be sent"), "{message}");
    }

    // A callback without parameters: what a callback carries, and what to pass.
    for input in ["", "http://client.example.net/cb", "?"] {
        let message = callback_err(input).to_string();
        assert!(
            message.starts_with("callback has no parameters"),
            "{message}"
        );
        assert!(message.contains("oauth_verifier"), "{message}");
        assert!(message.contains("redirect URL"), "{message}");
        assert!(!message.contains("oauth_token_secret"), "{message}");
    }
    // A token response still says what a token response carries.
    assert!(token_err("").to_string().contains("oauth_token_secret"));

    // A form body's decode error is the form body's, and names the parameter, not its value.
    let error = countersign::base_string::base_string(
        &Request::post("https://example.com/").with_form_body(b"a=1&password=hunter%2"),
        &[],
    )
    .unwrap_err();
    assert_eq!(
        error,
        Error::Parse(countersign::ParseError::Decode {
            context: Context::FormBody,
            error: DecodeError::BadEscape { offset: 6 },
            name: Some("password".into()),
        })
    );
    let message = error.to_string();
    assert!(
        message.starts_with("form body, value of \"password\": "),
        "{message}"
    );
    assert!(message.contains("%25"), "{message}");
    assert!(!message.contains("hunter"), "{message}");

    // An Authorization header names the parameter whose value does not decode.
    let message = ParsedAuthorization::parse("OAuth oauth_signature=\"s3cret%2\"")
        .unwrap_err()
        .to_string();
    assert!(
        message.starts_with("Authorization header, value of \"oauth_signature\": "),
        "{message}"
    );
    assert!(!message.contains("s3cret"), "{message}");
    let message = ParsedAuthorization::parse("OAuth oauth_nonce=\"%C3\"")
        .unwrap_err()
        .to_string();
    assert!(message.contains("UTF-8"), "{message}");
}

/// An unparsable `Date` is called what it is: HTTP dates hold commas, so "a character that
/// cannot be sent in a header (... ',')" was wrong.
#[cfg(feature = "std")]
#[test]
fn a_bad_date_is_not_an_http_date() {
    use countersign::skew::{clock_offset, parse_http_date};

    for bad in ["tomorrow", "Sun, 06 Nov 1994", "06 Nov 1994 08:49:37 GMT"] {
        let error = parse_http_date(bad).unwrap_err();
        assert_eq!(error, Error::Parse(countersign::ParseError::HttpDate));
        let message = error.to_string();
        assert!(message.starts_with("Date is not an HTTP date"), "{message}");
        assert!(message.contains("IMF-fixdate"), "{message}");
        assert!(!message.contains("cannot be sent"), "{message}");
        assert_eq!(clock_offset(bad, 0).unwrap_err().to_string(), message);
    }
}
