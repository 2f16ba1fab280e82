//! No secret ever shows up in `Debug` output or an error message, nor stays behind in freed
//! memory: this test binary's allocator scans every block it frees for the secrets the tests
//! below handle.

use countersign::auth::{Applied, Auth, Authenticator, Placement};
use countersign::flow::{CallbackMode, RequestToken};
use countersign::response::Response;
use countersign::{
    Callback, ClientCredentials, ParsedAuthorization, Request, Secret, SignatureMethod, Signer,
    TokenCredentials, TokenResponse,
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

/// `auth` with Discogs' rules.
fn discogs(auth: Auth) -> Authenticator {
    countersign::discogs::profile("countersign-tests/1.0")
        .unwrap()
        .authenticator(auth)
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
    let personal = discogs(Auth::PersonalToken(Secret::new(PERSONAL)));
    let applied = personal.apply(&request, 0, "").unwrap();
    let applied_url = personal
        .clone()
        .placement(Placement::Query)
        .apply(&request, 0, "")
        .unwrap();
    assert!(matches!(applied_url, Applied::Url(_)));
    let keysecret = discogs(Auth::ConsumerKey(client.clone()));
    let oauth = discogs(Auth::OAuth(prepared.clone()));

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
    let e = discogs(Auth::PersonalToken(Secret::new(format!("{PERSONAL} x"))))
        .apply(&Request::get("https://api.discogs.com/"), 0, "")
        .unwrap_err();
    assert_clean("bad token", &format!("{e} {e:?}"));
}

// Secrets in freed memory. Each test below has a needle of its own (a distinctive part of the
// secrets it handles) so that the tests can run in parallel; every literal that holds one is
// static, so that the only heap copies are the library's.

/// The allocator of this test binary: the system's, with every block zeroed when allocated (so
/// that all of its bytes are initialized) and scanned for the needles when freed.
#[allow(unsafe_code)] // implementing `GlobalAlloc` takes it; the library itself forbids unsafe code
mod scanning {
    use std::alloc::{GlobalAlloc, Layout, System};
    use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};

    pub(crate) const CANARY: usize = 0;
    pub(crate) const VERIFIER: usize = 1;
    pub(crate) const TOKEN_SECRET: usize = 2;
    pub(crate) const CALLBACK_VERIFIER: usize = 3;
    pub(crate) const SESSION_HANDLE: usize = 4;
    #[cfg_attr(not(feature = "hmac-sha1"), allow(dead_code))] // the HMAC-SHA1 test
    pub(crate) const KEY: usize = 5;

    const NEEDLES: [&[u8]; 6] = [
        b"CnNeedle2J",
        b"VfNeedle7Q",
        b"TsNeedle8Z",
        b"DvNeedle5K",
        b"ShNeedle4W",
        b"KsNeedle",
    ];
    static FOUND: [AtomicUsize; NEEDLES.len()] = [const { AtomicUsize::new(0) }; NEEDLES.len()];

    /// One more needle, known only at run time (a hash state); its length is 0 while unset.
    static RUNTIME: [AtomicU8; 32] = [const { AtomicU8::new(0) }; 32];
    static RUNTIME_LEN: AtomicUsize = AtomicUsize::new(0);

    /// Held by each test that sets the run-time needle: one at a time.
    #[cfg_attr(not(feature = "hmac-sha1"), allow(dead_code))] // the HMAC-SHA1 and RSA tests
    pub(crate) static RUNTIME_LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    static RUNTIME_FOUND: AtomicUsize = AtomicUsize::new(0);

    /// How many freed blocks held needle `i` so far.
    pub(crate) fn found(i: usize) -> usize {
        FOUND[i].load(Ordering::SeqCst)
    }

    /// Sets the run-time needle (at most 32 bytes).
    #[cfg_attr(not(feature = "hmac-sha1"), allow(dead_code))] // the HMAC-SHA1 test
    pub(crate) fn set_runtime_needle(needle: &[u8]) {
        for (slot, &b) in RUNTIME.iter().zip(needle) {
            slot.store(b, Ordering::SeqCst);
        }
        RUNTIME_LEN.store(needle.len().min(RUNTIME.len()), Ordering::SeqCst);
    }

    /// How many freed blocks held the run-time needle so far.
    #[cfg_attr(not(feature = "hmac-sha1"), allow(dead_code))] // the HMAC-SHA1 test
    pub(crate) fn runtime_found() -> usize {
        RUNTIME_FOUND.load(Ordering::SeqCst)
    }

    fn contains(block: &[u8], needle: &[u8]) -> bool {
        !needle.is_empty() && block.windows(needle.len()).any(|w| w == needle)
    }

    /// Whether `block` holds the run-time needle, read byte by byte from its atomics: never
    /// copied whole onto the stack, where any thread that frees memory would leave it behind
    /// for a later move of a value with unused bytes (an enum's smaller variant) to carry into
    /// a heap block, and the scanner would find its own copy.
    fn contains_runtime(block: &[u8], len: usize) -> bool {
        let needle = RUNTIME.get(..len).unwrap_or_default();
        !needle.is_empty()
            && block.windows(len).any(|w| {
                w.iter()
                    .zip(needle)
                    .all(|(&b, n)| b == n.load(Ordering::SeqCst))
            })
    }

    /// Allocates nothing: it runs inside the allocator.
    fn scan(block: &[u8]) {
        for (needle, found) in NEEDLES.iter().zip(&FOUND) {
            if contains(block, needle) {
                found.fetch_add(1, Ordering::SeqCst);
            }
        }
        if contains_runtime(block, RUNTIME_LEN.load(Ordering::SeqCst)) {
            RUNTIME_FOUND.fetch_add(1, Ordering::SeqCst);
        }
    }

    pub(crate) struct Scanning;

    // SAFETY: every call goes to the system allocator with the caller's own arguments, so its
    // contract is the system allocator's. `realloc` is the default one: a new block, a copy and
    // `dealloc` of the old block, so that the copy a growing buffer leaves behind is scanned too
    // (an in-place `realloc` would hide it).
    unsafe impl GlobalAlloc for Scanning {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            // SAFETY: the caller's guarantees for `alloc` are those `alloc_zeroed` needs.
            unsafe { System.alloc_zeroed(layout) }
        }

        unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
            // SAFETY: as for `alloc`.
            unsafe { System.alloc_zeroed(layout) }
        }

        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            // SAFETY: `ptr` is a live block of `layout.size()` bytes from `alloc` above, zeroed
            // there and written since, so every byte is initialized; nothing else uses it now.
            let block = unsafe { std::slice::from_raw_parts(ptr, layout.size()) };
            scan(block);
            // SAFETY: `ptr` came from `System` with this layout.
            unsafe { System.dealloc(ptr, layout) }
        }
    }
}

#[global_allocator]
static ALLOCATOR: scanning::Scanning = scanning::Scanning;

/// The scanner finds what is freed uncleared, or the tests below would prove nothing.
#[test]
fn the_scanner_finds_a_needle_freed_uncleared() {
    let before = scanning::found(scanning::CANARY);
    drop(std::hint::black_box(b"xx CnNeedle2J xx".to_vec()));
    assert_eq!(scanning::found(scanning::CANARY), before + 1);
}

/// A prepared signer with a verifier (plain, and one that needs encoding) keeps it in its header
/// parts and, for HMAC, in the fixed parameters of the base string, both forms: all of them are
/// cleared, and no buffer grows and leaves a copy behind. The one-shot signer and the headers
/// leave none either.
#[test]
fn signing_with_a_verifier_leaves_no_copy_in_freed_memory() {
    let client = ClientCredentials::new("ck", "cs");
    // The RSA methods sign with a private key: one for them too.
    #[cfg(any(feature = "rsa-sha1", feature = "rsa-sha256"))]
    let client = client.rsa_key(
        countersign::RsaPrivateKey::from_pem(include_str!("data/rsa/oauthlib-1024.pem")).unwrap(),
    );
    let token = TokenCredentials::new("tok", "ts");
    let request = Request::post("https://p.example/token?a=1&b=x+y");
    for verifier in ["VfNeedle7Q", "VfNeedle7Q+/= x"] {
        let verifier = Secret::new(verifier);
        for &method in SignatureMethod::ALL {
            let signer = Signer::new(&client)
                .token(&token)
                .signature_method(method)
                .verifier(&verifier)
                .timestamp(1_700_000_000)
                .nonce("n");
            let prepared = signer.prepare().unwrap();
            for nonce in ["n", "n n"] {
                let header = prepared.sign(&request, 1_700_000_000, nonce).unwrap();
                assert!(header.as_str().contains("VfNeedle7Q"));
            }
            let one_shot = signer.sign(&request).unwrap().to_authorization();
            assert!(one_shot.as_str().contains("VfNeedle7Q"));
        }
    }
    assert_eq!(scanning::found(scanning::VERIFIER), 0);
}

/// The keyed HMAC state (the hash states after the pads, which stand in for the key) is cleared
/// when a prepared signer is dropped.
#[cfg(feature = "hmac-sha1")]
#[test]
fn the_hmac_key_state_is_cleared_on_drop() {
    let _one_at_a_time = scanning::RUNTIME_LOCK.lock();
    let before = scanning::runtime_found();
    // HMAC-SHA1's inner state: SHA-1's compression of the key, padded, XOR 0x36, from the IV.
    let key = b"KsNeedleC0nsumer&KsNeedleT0ken";
    let mut block = [0x36u8; 64];
    for (b, k) in block.iter_mut().zip(key) {
        *b ^= k;
    }
    let mut state = [
        0x6745_2301,
        0xEFCD_AB89,
        0x98BA_DCFE,
        0x1032_5476,
        0xC3D2_E1F0,
    ];
    sha1::block_api::compress(&mut state, &[block]);
    let needle: Vec<u8> = state.iter().flat_map(|w| w.to_ne_bytes()).collect();
    scanning::set_runtime_needle(&needle);
    drop(needle);
    assert_eq!(
        scanning::runtime_found(),
        before + 1,
        "the scanner sees the needle"
    );

    let client = ClientCredentials::new("ck", "KsNeedleC0nsumer");
    let token = TokenCredentials::new("tok", "KsNeedleT0ken");
    let signer = Signer::new(&client)
        .token(&token)
        .signature_method(SignatureMethod::HmacSha1);
    let prepared = signer.prepare().unwrap();
    let header = prepared
        .sign(&Request::get("https://p.example/r"), 1, "n")
        .unwrap();
    drop((header, prepared.clone(), prepared));
    assert_eq!(
        scanning::runtime_found(),
        before + 1,
        "the key state was freed uncleared"
    );
    drop((client, token));
    assert_eq!(scanning::found(scanning::KEY), 0);
}

/// Token secrets are cleared on every way out of the parser: success, a duplicate, a problem
/// report, a later bad escape, invalid UTF-8; decoding `+` makes no intermediate copy; reading
/// another parameter decodes no other value.
#[test]
fn token_responses_leave_no_secret_in_freed_memory() {
    let ok: [&[u8]; 2] = [
        b"oauth_token=t&oauth_token_secret=TsNeedle8Z+a+b&oauth_callback_confirmed=true&user_id=1",
        b"oauth_token=t&oauth_token_secret=TsNeedle8Z%2Bc&user_id=1",
    ];
    for body in ok {
        let response = TokenResponse::parse(body).unwrap();
        assert_eq!(response.get("user_id").as_deref(), Some("1"));
        assert!(response.extra().any(|(n, _)| n == "user_id"));
        assert!(
            response
                .token_secret()
                .expose_secret()
                .starts_with("TsNeedle8Z")
        );
        let credentials = response.clone().into_credentials();
        drop((response, credentials));
    }
    let refused: [&[u8]; 6] = [
        b"oauth_token=t&oauth_token_secret=TsNeedle8Z+a&oauth_token_secret=TsNeedle8Z+b",
        b"oauth_token_secret=TsNeedle8Z+a&oauth_problem=token_rejected",
        b"oauth_token_secret=TsNeedle8Z+a&oauth_token=t&x=%ZZ",
        b"oauth_token_secret=TsNeedle8Z+a",
        b"oauth_token=t&oauth_token_secret=TsNeedle8Z+%FF",
        b"oauth_token=t&oauth_token_secret=TsNeedle8Z%2B",
    ];
    for (i, body) in refused.into_iter().enumerate() {
        // The last one parses, but is no temporary-credentials answer.
        assert!(TokenResponse::parse_temporary(body).is_err(), "{i}");
    }
    assert_eq!(scanning::found(scanning::TOKEN_SECRET), 0);
}

/// Verifiers are cleared on every way out of the callback parser: a duplicate, `denied` with it,
/// a later bad escape, a missing token, and success.
#[test]
fn callbacks_leave_no_verifier_in_freed_memory() {
    for url in [
        "https://app.example/cb?oauth_token=t&oauth_verifier=DvNeedle5K%2Ba&oauth_verifier=DvNeedle5K%2Bb",
        "https://app.example/cb?oauth_verifier=DvNeedle5K%2Ba&denied=t",
        "https://app.example/cb?oauth_verifier=DvNeedle5K%2Ba&oauth_token=%ZZ",
        "https://app.example/cb?oauth_verifier=DvNeedle5K%2Ba",
        "https://app.example/cb?oauth_token=t&oauth_verifier=DvNeedle5K%2Ba",
    ] {
        let _ = Callback::parse(url);
    }
    assert_eq!(scanning::found(scanning::CALLBACK_VERIFIER), 0);
}

/// The session handle of the OAuth session extension is a credential: kept cleared from the
/// token response to the renewal header.
#[test]
fn the_session_handle_leaves_no_copy_in_freed_memory() {
    let profile = countersign::profile::Profile::builder(
        "https://p.example/request",
        "https://p.example/authorize",
        "https://p.example/access",
    )
    .build()
    .unwrap();
    let client = ClientCredentials::new("ck", "cs");
    let flow = RequestToken::new(profile, client, CallbackMode::OutOfBand).unwrap();
    let pending = flow
        .receive(
            &Response::new(
                200,
                b"oauth_token=rt&oauth_token_secret=rs&oauth_callback_confirmed=true",
            ),
            0,
        )
        .unwrap();
    let next = pending.verifier("v", 1).unwrap();
    let session = next
        .receive(
            &Response::new(
                200,
                b"oauth_token=a&oauth_token_secret=s&oauth_expires_in=60&oauth_session_handle=ShNeedle4W%2Fx",
            ),
            2,
        )
        .unwrap();
    assert!(session.session_handle().unwrap().ct_eq("ShNeedle4W/x"));
    let renewal = session.renewal_request(3, "n").unwrap();
    assert!(renewal.authorization().as_str().contains("ShNeedle4W"));
    drop(renewal);
    let renewed = session
        .receive_renewal(
            &Response::new(200, b"oauth_token=b&oauth_token_secret=t"),
            4,
        )
        .unwrap();
    assert!(renewed.session_handle().unwrap().ct_eq("ShNeedle4W/x"));
    drop(renewed);
    assert_eq!(scanning::found(scanning::SESSION_HANDLE), 0);
}

/// An RSA private key, loaded from PEM, used to sign and dropped, leaves neither its PEM text nor
/// its DER bytes (the private exponent and primes) in freed memory.
#[cfg(feature = "rsa-sha256")]
#[test]
fn an_rsa_private_key_leaves_no_copy_in_freed_memory() {
    use zeroize::Zeroize as _;

    let _one_at_a_time = scanning::RUNTIME_LOCK.lock();
    let der: &[u8] = include_bytes!("data/rsa/oauthlib-1024.pkcs8.der");
    let pem_text = include_str!("data/rsa/oauthlib-1024.pkcs8.pem");
    let middle_line = pem_text.lines().nth(8).unwrap().as_bytes();
    // Bytes of the private exponent and of the primes (the DER is 636 bytes).
    for needle in [&middle_line[..32], &der[200..232], &der[420..452]] {
        let before = scanning::runtime_found();
        let copy = needle.to_vec();
        scanning::set_runtime_needle(&copy);
        drop(copy);
        assert_eq!(scanning::runtime_found(), before + 1, "the scanner sees it");

        let mut pem = String::from(pem_text);
        let key = countersign::RsaPrivateKey::from_pem(&pem).unwrap();
        pem.zeroize();
        drop(pem);
        let client = ClientCredentials::with_rsa_key("ck", key.clone());
        let signer = Signer::new(&client).signature_method(SignatureMethod::RsaSha256);
        let prepared = signer.prepare().unwrap();
        let header = prepared
            .sign(&Request::get("https://p.example/r"), 1, "n")
            .unwrap();
        let one_shot = signer
            .timestamp(1)
            .nonce("n")
            .sign(&Request::get("https://p.example/r"))
            .unwrap()
            .to_authorization();
        assert_eq!(header, one_shot);
        drop((header, one_shot, prepared, client, key));
        assert_eq!(
            scanning::runtime_found(),
            before + 1,
            "the RSA key was freed uncleared"
        );
    }
}
