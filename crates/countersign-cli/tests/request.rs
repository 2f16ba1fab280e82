//! `countersign request`, run as a process with the credentials `login` saved: the body on
//! stdout, `-i`, refusals with the provider's message, and missing or corrupt credentials files.

mod common;

use common::{Run, SECRET, Sandbox, login_oob, provider, saved, saved_secrets};
use countersign_test_support::canned::{Answer, Canned};

/// A sandbox with credentials saved by an out-of-band login against `provider`, and the
/// secrets to look for in output.
fn logged_in(
    name: &str,
    provider: &countersign_provider::BlockingProviderHandle,
) -> (Sandbox, Vec<String>) {
    let sandbox = Sandbox::new(name);
    let (_, verifier) = login_oob(&sandbox, provider);
    let mut secrets = saved_secrets(&sandbox.credentials());
    secrets.push(verifier);
    (sandbox, secrets)
}

fn request(sandbox: &Sandbox, args: &[&str]) -> Run {
    let credentials = sandbox.credentials();
    let mut all = vec![
        "request",
        "--credentials-file",
        credentials.to_str().unwrap(),
    ];
    all.extend_from_slice(args);
    sandbox.run(&all, &[], b"")
}

fn no_secret(run: &Run, secrets: &[String]) {
    let secrets: Vec<&str> = secrets.iter().map(String::as_str).collect();
    run.assert_no_secret(&secrets);
}

#[test]
fn prints_the_body_of_a_signed_request() {
    let provider = provider();
    let (sandbox, secrets) = logged_in("request-body", &provider);
    let identity = format!(
        "{{\"consumer_name\":\"countersign cli tests\",\"id\":1,\"resource_url\":\"{}/users/example\",\"username\":\"example\"}}",
        provider.base_url()
    );

    // A path on the provider's host, and the same as an absolute URL.
    for url in [
        "/oauth/identity".to_owned(),
        provider.url("/oauth/identity"),
    ] {
        let run = request(&sandbox, &[&url]);
        assert_eq!(run.code, Some(0), "{run:?}");
        assert_eq!(run.stdout, identity);
        assert_eq!(run.stderr, "");
        no_secret(&run, &secrets);
    }

    // A query goes along, signed.
    let run = request(&sandbox, &["/database/search?q=nirvana&type=release"]);
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(run.stdout.starts_with("{\"pagination\":"), "{run:?}");
}

#[test]
fn the_signature_method_chosen_at_login_signs_the_requests() {
    let provider = provider();
    let sandbox = Sandbox::new("request-hmac");
    let credentials = sandbox.credentials();
    let flags = common::provider_flags(provider.base_url());
    let mut args: Vec<&str> = flags.iter().map(String::as_str).collect();
    args.extend([
        "--consumer-key",
        common::KEY,
        "--consumer-secret",
        SECRET,
        "--signature-method",
        "HMAC-SHA1",
        "--credentials-file",
        credentials.to_str().unwrap(),
    ]);
    let mut login = common::Login::start(&sandbox, &args, &[]);
    let answer = common::get(&login.authorize_url());
    let verifier = common::param(&answer.body, "oauth_verifier");
    login.type_in(&format!("{verifier}\n"));
    let run = login.finish();
    assert_eq!(run.code, Some(0), "{run:?}");
    assert_eq!(
        saved(&credentials)["provider"]["signature_method"],
        "HMAC-SHA1"
    );

    let run = request(&sandbox, &["/oauth/identity"]);
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(run.stdout.contains("\"username\":\"example\""), "{run:?}");
    let mut secrets = saved_secrets(&credentials);
    secrets.push(verifier);
    no_secret(&run, &secrets);
}

#[test]
fn include_shows_the_status_line_and_headers_first() {
    let provider = provider();
    let (sandbox, secrets) = logged_in("request-include", &provider);
    let run = request(&sandbox, &["-i", "/oauth/identity"]);
    assert_eq!(run.code, Some(0), "{run:?}");
    let (head, body) = run.stdout.split_once("\n\n").unwrap();
    let mut lines = head.lines();
    assert_eq!(lines.next(), Some("HTTP/1.1 200 OK"));
    let headers: Vec<_> = lines.collect();
    assert!(
        headers.contains(&"content-type: application/json"),
        "{headers:?}"
    );
    assert!(
        headers
            .iter()
            .any(|h| h.starts_with("x-discogs-ratelimit-remaining: ")),
        "{headers:?}"
    );
    assert!(body.starts_with("{\"consumer_name\":"), "{body}");
    no_secret(&run, &secrets);
}

#[test]
fn a_status_outside_2xx_exits_3_with_the_status_and_the_providers_message() {
    let provider = provider();
    let (sandbox, secrets) = logged_in("request-404", &provider);
    let run = request(&sandbox, &["/no/such/thing"]);
    assert_eq!(
        run.error_line(3),
        "provider answered 404 Not Found: \"The requested resource was not found.\": check the URL"
    );
    // The body is still the answer's, on stdout.
    assert_eq!(
        run.stdout,
        "{\"message\":\"The requested resource was not found.\"}"
    );
    no_secret(&run, &secrets);
}

#[test]
fn credentials_the_provider_refuses_exit_3() {
    let provider = provider();
    let (sandbox, mut secrets) = logged_in("request-refused", &provider);
    let credentials = sandbox.credentials();
    let mut file = saved(&credentials);
    file["token_secret"] = "not-the-token-secret-Hk2".into();
    std::fs::write(&credentials, file.to_string()).unwrap();
    secrets.push("not-the-token-secret-Hk2".into());

    let run = request(&sandbox, &["/oauth/identity"]);
    let line = run.error_line(3);
    assert!(
        line.starts_with("provider answered 401 Unauthorized: "),
        "{line}"
    );
    assert!(
        line.ends_with("check the consumer key and secret, the token, and the system clock"),
        "{line}"
    );
    no_secret(&run, &secrets);
}

/// After the provider restarts (the local provider keeps its tokens in memory) the saved token
/// is unknown: the provider reports `token_rejected`, and the line says to log in again. The
/// restarted provider is a new one on another port, the saved file pointed at it (binding the
/// old port again could race with other tests for it).
#[test]
fn a_token_the_provider_forgot_says_to_log_in_again() {
    let first = provider();
    let (sandbox, secrets) = logged_in("request-restart", &first);
    let restarted = provider();
    let credentials = sandbox.credentials();
    let file = std::fs::read_to_string(&credentials).unwrap();
    let moved = file.replace(first.base_url(), restarted.base_url());
    assert_ne!(moved, file, "the saved file names the provider's URL");
    std::fs::write(&credentials, moved).unwrap();
    first.shutdown().unwrap();

    let run = request(&sandbox, &["/oauth/identity"]);
    let line = run.error_line(3);
    assert!(
        line.starts_with("provider answered 401 Unauthorized: \"Invalid or expired token.\" (oauth_problem=\"token_rejected\"): "),
        "{line}"
    );
    assert!(line.ends_with("; run countersign login again"), "{line}");
    no_secret(&run, &secrets);
}

#[test]
fn a_missing_credentials_file_says_to_log_in() {
    let sandbox = Sandbox::new("request-missing");
    let credentials = sandbox.credentials();
    let run = request(&sandbox, &["/oauth/identity"]);
    assert_eq!(
        run.error_line(1),
        format!(
            "no saved credentials at {}: run countersign login first (or name the file with --credentials-file)",
            credentials.display()
        )
    );
    assert_eq!(run.stdout, "");

    // The default file, when there is none.
    let run = sandbox.run(&["request", "/oauth/identity"], &[], b"");
    let line = run.error_line(1);
    assert!(line.starts_with("no saved credentials at "), "{line}");
    assert!(line.contains("countersign/credentials.json"), "{line}");
}

#[test]
fn a_corrupt_credentials_file_is_one_clear_line_without_its_contents() {
    let sandbox = Sandbox::new("request-corrupt");
    let credentials = sandbox.credentials();
    std::fs::create_dir_all(credentials.parent().unwrap()).unwrap();
    let path = credentials.display().to_string();

    let cases = [
        ("{not json", "it is not valid JSON: line 1 column 2"),
        (
            "{\"version\": 1, \"consumer_key\": \"k\"}",
            "the field `provider` is missing",
        ),
        (
            "{\"version\": 1, \"consumer_secret\": [\"hunter2-secret\"]}",
            "a field has the wrong type or value at line 1 column 34",
        ),
        (
            "{\"version\": 9}",
            "format version 9, and this countersign reads version 1",
        ),
    ];
    for (contents, detail) in cases {
        std::fs::write(&credentials, contents).unwrap();
        let run = request(&sandbox, &["/oauth/identity"]);
        assert_eq!(
            run.error_line(1),
            format!(
                "the credentials file {path} is not one countersign login wrote ({detail}): run countersign login again"
            ),
            "{contents}"
        );
        run.assert_no_secret(&["hunter2-secret", SECRET]);
    }
}

#[cfg(unix)]
#[test]
fn a_file_others_can_read_is_used_with_a_warning() {
    use std::os::unix::fs::PermissionsExt;

    let provider = provider();
    let (sandbox, secrets) = logged_in("request-loose", &provider);
    let credentials = sandbox.credentials();
    std::fs::set_permissions(&credentials, std::fs::Permissions::from_mode(0o644)).unwrap();
    let run = request(&sandbox, &["/oauth/identity"]);
    assert_eq!(run.code, Some(0), "{run:?}");
    assert_eq!(
        run.stderr,
        format!(
            "countersign: warning: other users may read {}: chmod 600 it\n",
            credentials.display()
        )
    );
    no_secret(&run, &secrets);
}

#[test]
fn bad_input_is_one_line() {
    let provider = provider();
    let (sandbox, _) = logged_in("request-bad-input", &provider);
    let run = request(&sandbox, &["oauth/identity"]);
    assert!(
        run.error_line(1).starts_with("the URL must be absolute"),
        "{run:?}"
    );
    // Values clap refuses: usage errors, with clap's message.
    let run = request(&sandbox, &["--method", "GE T", "/oauth/identity"]);
    assert_eq!(run.code, Some(2), "{run:?}");
    assert!(
        run.stderr
            .contains("invalid value 'GE T' for '--method <METHOD>': an HTTP method name"),
        "{run:?}"
    );
    let run = request(&sandbox, &["--form", "novalue", "/oauth/identity"]);
    assert_eq!(run.code, Some(2), "{run:?}");
    assert!(
        run.stderr
            .contains("invalid value 'novalue' for '--form <NAME=VALUE>': there is no '='"),
        "{run:?}"
    );
}

#[test]
fn another_host_does_not_get_the_credentials_without_the_flag() {
    let provider = provider();
    let (sandbox, secrets) = logged_in("request-other-host", &provider);
    let other_server = Canned::start(|_, _| Answer::new(200, "other"));
    let other = other_server.url();
    let api = provider.base_url();
    for url in [
        format!("{other}/x"),
        "https://api.discogs.com/oauth/identity".to_owned(),
        format!("{}@{}/x", api, other.trim_start_matches("http://")),
    ] {
        let run = request(&sandbox, &[&url]);
        assert_eq!(
            run.error_line(1),
            format!(
                "the URL is not on {api}, the API host the credentials were saved for, and countersign would send them there: give a path on it, such as /oauth/identity, or add --allow-other-host if that host is to get them"
            ),
            "{url}"
        );
        no_secret(&run, &secrets);
    }
    assert_eq!(other_server.received().len(), 0);

    // Asked for, it goes there.
    let run = request(&sandbox, &["--allow-other-host", &format!("{other}/x")]);
    assert_eq!(run.code, Some(0), "{run:?}");
    assert_eq!(run.stdout, "other");
    assert_eq!(other_server.received().len(), 1);

    // Plain http:// to a host that is not loopback is refused all the same, with what to do.
    let run = request(
        &sandbox,
        &["--allow-other-host", "http://example.invalid/x"],
    );
    assert_eq!(
        run.error_line(1),
        "sending the request: refusing to send secrets in the clear over http:// to a host that is not loopback: use an https:// URL"
    );
}

#[test]
fn a_proxy_in_the_environment_never_sees_a_loopback_provider() {
    let provider = provider();
    let (sandbox, secrets) = logged_in("request-proxy", &provider);
    let proxy_server = Canned::start(|_, _| Answer::new(502, ""));
    let proxy = proxy_server.url();
    let credentials = sandbox.credentials();
    let env = [
        ("HTTP_PROXY", proxy.as_str()),
        ("http_proxy", proxy.as_str()),
        ("ALL_PROXY", proxy.as_str()),
        ("NO_PROXY", "other.example"),
    ];
    let run = sandbox.run(
        &[
            "request",
            "--credentials-file",
            credentials.to_str().unwrap(),
            "/oauth/identity",
        ],
        &env,
        b"",
    );
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(run.stdout.contains("\"username\":\"example\""), "{run:?}");
    assert_eq!(proxy_server.received().len(), 0);
    no_secret(&run, &secrets);
}

#[test]
fn a_redirect_shows_where_it_points() {
    let provider = provider();
    let (sandbox, secrets) = logged_in("request-redirect", &provider);
    let moved_server = Canned::start(|_, _| {
        Answer::new(301, "").header("Location", "https://api.example/v2/x?token=LEAKED-Tq9")
    });
    let moved = moved_server.url();
    let run = request(&sandbox, &["--allow-other-host", &format!("{moved}/x")]);
    assert_eq!(
        run.error_line(3),
        "provider answered 301, a redirect to \"https://api.example/v2/x?token=[redacted]\", which countersign does not follow with credentials: request that URL instead if it is the resource you meant (another host needs --allow-other-host)"
    );
    no_secret(&run, &secrets);
}

#[test]
fn a_saved_url_that_is_not_a_url_is_a_corrupt_file() {
    let provider = provider();
    let (sandbox, secrets) = logged_in("request-corrupt-url", &provider);
    let credentials = sandbox.credentials();
    let mut file = saved(&credentials);
    file["provider"]["access_token_url"] = "127.0.0.1:9/oauth/access_token".into();
    std::fs::write(&credentials, file.to_string()).unwrap();
    let run = request(&sandbox, &["/oauth/identity"]);
    assert_eq!(
        run.error_line(1),
        format!(
            "the credentials file {} is not one countersign login wrote (its access_token_url is not an absolute http:// or https:// URL): run countersign login again",
            credentials.display()
        )
    );
    no_secret(&run, &secrets);
}
