//! Property tests: every encode/parse pair round-trips, and the two signers agree.

use countersign::encode::{decode, decode_form, encode};
use countersign::signature::plaintext;
use countersign::{
    Callback, ClientCredentials, ParsedAuthorization, Request, Secret, Signer, TokenCredentials,
    TokenResponse,
};
use proptest::prelude::*;

/// Any string: unicode, reserved characters, empty.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[a-zA-Z0-9 %&=+,\"\\\\/?#:;@!$'()*\\[\\]~._-]{0,24}",
    ]
}

/// What a realm may hold: anything but control characters (a tab is fine).
fn realm() -> impl Strategy<Value = String> {
    "[^\\p{Cc}]{0,16}|[a-z\t\"\\\\]{0,8}"
}

/// What a callback may be: `oob` or an absolute URL (whose query may carry anything, encoded).
fn callback() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("oob".to_owned()),
        text().prop_map(|t| format!("https://client.example/cb?x=1&state={}", encode(&t))),
        "[a-z][a-z0-9+.-]{0,6}://[a-z0-9.-]{1,12}(:[0-9]{1,5})?(/[^\\s\\p{Cc}]{0,12})?",
    ]
}

fn nonempty(s: impl Strategy<Value = String>) -> impl Strategy<Value = String> {
    s.prop_filter("non-empty", |s| !s.is_empty())
}

proptest! {
    #[test]
    fn encode_then_decode_is_identity(s in text()) {
        let encoded = encode(&s).to_string();
        prop_assert_eq!(encoded.len(), encode(&s).len());
        prop_assert!(encoded.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~%".contains(&b)));
        prop_assert_eq!(decode(&encoded).unwrap(), s.as_str());
        prop_assert_eq!(decode_form(&encoded).unwrap(), s.as_str());
    }

    #[test]
    fn decoders_never_panic(s in any::<String>()) {
        let _ = decode(&s);
        let _ = decode_form(&s);
        let _ = TokenResponse::parse(s.as_bytes());
        let _ = Callback::parse(&s);
        let _ = ParsedAuthorization::parse(&s);
    }

    #[test]
    fn header_build_then_parse_returns_the_parameters(
        key in text(),
        consumer_secret in text(),
        token in proptest::option::of((text(), text())),
        callback in proptest::option::of(callback()),
        verifier in proptest::option::of(text()),
        realm in proptest::option::of(realm()),
        version in any::<bool>(),
        timestamp in any::<u64>(),
        nonce in text(),
    ) {
        let client = ClientCredentials::new(key.clone(), consumer_secret.as_str());
        let token = token.map(|(t, s)| TokenCredentials::new(t, s.as_str()));
        let verifier = verifier.map(Secret::from);
        let mut signer = Signer::new(&client).version(version).timestamp(timestamp).nonce(&nonce);
        if let Some(token) = &token { signer = signer.token(token); }
        if let Some(callback) = &callback { signer = signer.callback(callback); }
        if let Some(verifier) = &verifier { signer = signer.verifier(verifier); }
        if let Some(realm) = &realm { signer = signer.realm(realm); }
        let request = Request::post("https://provider.example/token");
        let signed = signer.sign(&request).unwrap();
        let header = signed.to_authorization();

        let mut written = String::new();
        signed.write_to(&mut written).unwrap();
        prop_assert_eq!(written.as_str(), header.as_str());

        let parsed = ParsedAuthorization::parse(header.as_str()).unwrap();
        prop_assert_eq!(parsed.consumer_key(), Some(key.as_str()));
        prop_assert_eq!(parsed.token(), token.as_ref().map(TokenCredentials::token));
        prop_assert_eq!(parsed.callback(), callback.as_deref());
        prop_assert_eq!(parsed.verifier(), verifier.as_ref().map(Secret::expose_secret));
        prop_assert_eq!(parsed.realm(), realm.as_deref());
        prop_assert_eq!(parsed.version(), version.then_some("1.0"));
        let timestamp_text = timestamp.to_string();
        prop_assert_eq!(parsed.timestamp(), Some(timestamp_text.as_str()));
        prop_assert_eq!(parsed.nonce(), Some(nonce.as_str()));
        prop_assert_eq!(parsed.signature_method(), Some("PLAINTEXT"));
        let expected = plaintext(client.secret(), token.as_ref().map(TokenCredentials::secret));
        prop_assert_eq!(parsed.signature(), Some(expected.expose_secret()));

        // The prepared signer writes exactly the same bytes.
        let prepared = signer.prepare().unwrap();
        let fast = prepared.authorize(&request, timestamp, &nonce).unwrap();
        prop_assert_eq!(fast.as_str(), header.as_str());
        let mut into = String::new();
        prepared.write_to(&request, timestamp, &nonce, &mut into).unwrap();
        prop_assert_eq!(into.as_str(), header.as_str());
    }

    #[test]
    fn token_response_round_trips(
        token in nonempty(text()),
        secret in text(),
        confirmed in any::<bool>(),
        extra in proptest::collection::vec(("x_[a-z]{1,8}", text()), 0..4),
        plus_for_space in any::<bool>(),
    ) {
        let enc = |s: &str| {
            let e = encode(s).to_string();
            if plus_for_space { e.replace("%20", "+") } else { e }
        };
        let mut body = format!("oauth_token={}&oauth_token_secret={}", enc(&token), enc(&secret));
        if confirmed { body.push_str("&oauth_callback_confirmed=true"); }
        for (name, value) in &extra {
            body.push_str(&format!("&{name}={}", enc(value)));
        }
        let parsed = TokenResponse::parse(body.as_bytes()).unwrap();
        prop_assert_eq!(parsed.token(), token.as_str());
        prop_assert_eq!(parsed.token_secret().expose_secret(), secret.as_str());
        prop_assert_eq!(parsed.callback_confirmed(), confirmed);
        prop_assert_eq!(TokenResponse::parse_temporary(body.as_bytes()).is_ok(), confirmed);
        let got: Vec<(String, String)> = parsed.extra().map(|(n, v)| (n.into_owned(), v.into_owned())).collect();
        prop_assert_eq!(&got, &extra);
        for (name, _) in &extra {
            let first = extra.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str());
            let got = parsed.get(name);
            prop_assert_eq!(got.as_deref(), first);
        }
        let credentials = parsed.into_credentials();
        prop_assert_eq!(credentials.token(), token.as_str());
        prop_assert!(credentials.secret().ct_eq(&secret));
    }

    #[test]
    fn callback_round_trips(
        own in proptest::collection::vec(("[a-z]{1,6}".prop_filter("not ours", |n| n != "denied"), text()), 0..3),
        token in nonempty(text()),
        verifier in nonempty(text()),
        denied in any::<bool>(),
    ) {
        let mut url = String::from("https://app.example/cb");
        let mut sep = '?';
        for (name, value) in &own {
            url.push_str(&format!("{sep}{name}={}", encode(value)));
            sep = '&';
        }
        if denied {
            url.push_str(&format!("{sep}denied={}", encode(&token)));
        } else {
            url.push_str(&format!("{sep}oauth_token={}&oauth_verifier={}", encode(&token), encode(&verifier)));
        }
        match Callback::parse(&url).unwrap() {
            Callback::Approved { token: t, verifier: v } => {
                prop_assert!(!denied);
                prop_assert_eq!(t, token.as_str());
                prop_assert_eq!(v.expose_secret(), verifier.as_str());
            }
            Callback::Denied { token: t } => {
                prop_assert!(denied);
                prop_assert_eq!(t, token.as_str());
            }
            _ => prop_assert!(false, "unknown outcome"),
        }
    }
}
