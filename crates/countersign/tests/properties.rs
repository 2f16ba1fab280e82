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
        "[a-z][a-z0-9+.-]{0,6}://[a-z0-9.-]{1,12}(:[1-9][0-9]{0,3})?(/[^\\s\\p{Cc}]{0,12})?",
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
        let fast = prepared.sign(&request, timestamp, &nonce).unwrap();
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

#[cfg(all(
    feature = "hmac-sha1",
    feature = "hmac-sha256",
    feature = "hmac-sha512"
))]
mod hmac {
    use super::*;
    use countersign::signature::{SignatureMethod, compute};

    fn method() -> impl Strategy<Value = SignatureMethod> {
        prop_oneof![
            Just(SignatureMethod::HmacSha1),
            Just(SignatureMethod::HmacSha256),
            Just(SignatureMethod::HmacSha512)
        ]
    }

    /// A query or form body: pairs of any text, encoded.
    fn pairs() -> impl Strategy<Value = String> {
        proptest::collection::vec((text(), text()), 0..4).prop_map(|pairs| {
            pairs
                .iter()
                .map(|(n, v)| format!("{}={}", encode(n), encode(v)))
                .collect::<Vec<_>>()
                .join("&")
        })
    }

    /// The header's protocol parameters, as a provider collects them.
    fn protocol(header: &str) -> (Vec<(String, String)>, String) {
        let parsed = ParsedAuthorization::parse(header).unwrap();
        let params = parsed
            .params()
            .map(|(n, v)| (n.into_owned(), v.into_owned()))
            .collect();
        (params, parsed.signature().unwrap().to_owned())
    }

    fn recompute(
        method: SignatureMethod,
        cs: &Secret,
        ts: &Secret,
        request: &Request<'_>,
        params: &[(String, String)],
    ) -> String {
        let params: Vec<(&str, &str)> = params
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        compute(method, cs, Some(ts), request, &params)
            .unwrap()
            .expose_secret()
            .to_owned()
    }

    proptest! {
        #[test]
        fn what_we_sign_verifies_and_any_change_breaks_it(
            method in method(),
            key in text(),
            consumer_secret in text(),
            token in text(),
            token_secret in text(),
            path in "(/[a-zA-Z0-9._~-]{0,8}){0,3}",
            query in pairs(),
            body in pairs(),
            post in any::<bool>(),
            timestamp in any::<u64>(),
            nonce in nonempty(text()),
        ) {
            let client = ClientCredentials::new(key, consumer_secret.as_str());
            let access = TokenCredentials::new(token, token_secret.as_str());
            let url = format!("https://api.example.com{path}?{query}");
            let request = if post {
                Request::post(&url).with_form_body(body.as_bytes())
            } else {
                Request::get(&url)
            };
            let signer = Signer::new(&client).signature_method(method).token(&access);
            let header = signer.timestamp(timestamp).nonce(&nonce).sign(&request).unwrap().to_authorization();
            let fast = signer.prepare().unwrap().sign(&request, timestamp, &nonce).unwrap();
            prop_assert_eq!(&fast, &header);

            let (params, sent) = protocol(header.as_str());
            let (cs, ts) = (client.secret().clone(), access.secret().clone());
            prop_assert_eq!(&recompute(method, &cs, &ts, &request, &params), &sent);

            // Another method, URL, parameter or secret: another signature.
            let other_method = if method == SignatureMethod::HmacSha1 { SignatureMethod::HmacSha256 } else { SignatureMethod::HmacSha1 };
            prop_assert_ne!(&recompute(other_method, &cs, &ts, &request, &params), &sent);
            let other_verb = Request::new("PUT", &url);
            prop_assert_ne!(&recompute(method, &cs, &ts, &other_verb, &params), &sent);
            let moved = format!("https://api.example.com{path}/x?{query}");
            prop_assert_ne!(&recompute(method, &cs, &ts, &Request::new(request.method(), &moved), &params), &sent);
            let mut changed = params.clone();
            changed.push(("extra".into(), "1".into()));
            prop_assert_ne!(&recompute(method, &cs, &ts, &request, &changed), &sent);
            let wrong = Secret::new(format!("{consumer_secret}x"));
            prop_assert_ne!(&recompute(method, &wrong, &ts, &request, &params), &sent);
            let wrong = Secret::new(format!("{token_secret}x"));
            prop_assert_ne!(&recompute(method, &cs, &wrong, &request, &params), &sent);
        }
    }
}

/// Every method, RSA included, through the verifier: what either signer signs verifies, and a
/// change of any one byte of the header or of the URL is refused.
#[cfg(all(
    feature = "hmac-sha1",
    feature = "hmac-sha256",
    feature = "hmac-sha512",
    feature = "rsa-sha1",
    feature = "rsa-sha256",
    feature = "std"
))]
mod every_method {
    use super::*;
    use countersign::RsaPrivateKey;
    use countersign::signature::SignatureMethod;
    use countersign::verify::{MemoryNonceStore, SecretLookup, Verifier, lookup_fn};

    fn key() -> RsaPrivateKey {
        RsaPrivateKey::from_pem(include_str!("data/rsa/oauthlib-1024.pem")).unwrap()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        #[test]
        fn signed_verifies_and_any_byte_changed_does_not(
            method in proptest::sample::select(SignatureMethod::ALL.to_vec()),
            consumer_secret in text(),
            token_secret in text(),
            path in "(/[a-zA-Z0-9._~%-]{0,8}){0,3}",
            query in "([a-z]{1,3}=[a-zA-Z0-9%+]{0,5}&){0,3}",
            flip in any::<proptest::sample::Index>(),
            timestamp in 1_000_000_000u64..2_000_000_000,
        ) {
            let key = key();
            let public = key.public_key();
            let client = ClientCredentials::new("ck", consumer_secret.as_str()).rsa_key(key);
            let access = TokenCredentials::new("tok", token_secret.as_str());
            let url = format!("https://api.example.com{path}?{query}");
            let request = Request::get(&url);
            let header = Signer::new(&client)
                .signature_method(method)
                .token(&access)
                .timestamp(timestamp)
                .nonce("n0nce")
                .sign(&request);
            // A URL proptest made up may not be one (a stray `%`): refused alike by both.
            let Ok(header) = header else { return Ok(()) };
            let header = header.to_authorization();
            let prepared = Signer::new(&client).signature_method(method).token(&access).prepare().unwrap();
            prop_assert_eq!(&prepared.sign(&request, timestamp, "n0nce").unwrap(), &header);

            let cs = consumer_secret.clone();
            let ts = token_secret.clone();
            let lookup = lookup_fn(
                move |k: &str| (k == "ck").then(|| Secret::new(cs.as_str())),
                move |_: &str, t: &str| (t == "tok").then(|| Secret::new(ts.as_str())),
            )
            .with_rsa_keys(move |k: &str| (k == "ck").then(|| public.clone()));
            let verify = |request: &Request<'_>, header: &str| {
                Verifier::new().verify(request, Some(header), timestamp, &lookup, &mut MemoryNonceStore::new(300, 10))
            };
            prop_assert!(verify(&request, header.as_str()).is_ok(), "{}", header.as_str());

            // One byte of the header changed (to another printable byte): refused, or (when it
            // lands on the parameter syntax) not parsed.
            // PLAINTEXT signs nothing but the secrets: only its signature is checked.
            let mut bytes = header.as_str().as_bytes().to_vec();
            let signature_at = header.as_str().find("oauth_signature=").unwrap();
            let at = if method.signs_request() {
                flip.index(bytes.len())
            } else {
                signature_at + flip.index(bytes.len() - signature_at)
            };
            bytes[at] = if bytes[at] == b'A' { b'B' } else if bytes[at].is_ascii_alphanumeric() { b'A' } else { b'Z' };
            let changed = String::from_utf8(bytes).unwrap();
            if changed != header.as_str() {
                prop_assert!(verify(&request, &changed).is_err(), "{}", changed);
            }
            // The URL changed: refused by every method that signs the request.
            if method.signs_request() {
                let moved = format!("https://api.example.com{path}/x?{query}");
                prop_assert!(verify(&Request::get(&moved), header.as_str()).is_err());
            }
        }
    }
}
