//! `countersign login`, run as a process against a local provider: out of band with the
//! verifier on stdin (against `countersign serve`), with the loopback callback (the test plays
//! the browser), the credentials file and its permissions, refusals, and no secret printed.

mod common;

use common::{
    CONSUMER_NAME, KEY, Login, SECRET, Sandbox, Serve, get, login_oob, param, provider,
    provider_flags, saved, saved_secrets,
};
use countersign_test_support::canned::{Answer, Canned};

/// `countersign login` with `args`, out of band: the test opens the authorize URL (the provider
/// approves at once and shows the code) and types the code in.
fn login_pasting_the_code(sandbox: &Sandbox, args: &[&str]) -> common::Run {
    let mut login = Login::start(sandbox, args, &[]);
    let answer = get(&login.authorize_url());
    login.type_in(&format!("{}\n", param(&answer.body, "oauth_verifier")));
    login.finish()
}

fn strs(owned: &[String]) -> Vec<&str> {
    owned.iter().map(String::as_str).collect()
}

#[test]
fn out_of_band_with_the_verifier_on_stdin_against_countersign_serve() {
    let sandbox = Sandbox::new("login-oob");
    let serve = Serve::start(&sandbox);
    let flags = provider_flags(&serve.base_url);
    let credentials = sandbox.credentials();
    let mut args = strs(&flags);
    args.extend(["--credentials-file", credentials.to_str().unwrap()]);
    // The consumer's credentials from the environment, as with `sign`.
    let env = [
        ("COUNTERSIGN_CONSUMER_KEY", KEY),
        ("COUNTERSIGN_CONSUMER_SECRET", SECRET),
    ];
    let mut login = Login::start(&sandbox, &args, &env);
    let url = login.authorize_url();
    assert!(
        url.starts_with(&format!("{}/oauth/authorize?oauth_token=", serve.base_url)),
        "{url}"
    );
    let answer = get(&url);
    assert_eq!(answer.status, 200, "{answer:?}");
    let verifier = param(&answer.body, "oauth_verifier");
    login.type_in(&format!("{verifier}\n"));
    let run = login.finish();

    assert_eq!(run.code, Some(0), "{run:?}");
    assert_eq!(run.stdout, "", "{run:?}");
    assert!(
        run.stderr.contains(
            "Logged in as \"example\" (id 1), through the application \"countersign serve\"."
        ),
        "{run:?}"
    );
    assert!(
        run.stderr.contains(&format!(
            "Saved the credentials to {} (readable by you only). Next: countersign request --credentials-file {} {}/oauth/identity\n",
            credentials.display(),
            credentials.display(),
            serve.base_url
        )),
        "{run:?}"
    );

    let file = saved(&credentials);
    assert_eq!(file["version"], 1);
    assert_eq!(file["consumer_key"], KEY);
    assert_eq!(file["consumer_secret"], SECRET);
    assert_eq!(file["token"].as_str().unwrap().len(), 32);
    assert!(!file["token_secret"].as_str().unwrap().is_empty());
    assert_eq!(
        file["provider"]["access_token_url"],
        format!("{}/oauth/access_token", serve.base_url)
    );
    assert_eq!(file["provider"]["request_token_method"], "POST");
    assert_eq!(file["provider"]["signature_method"], "PLAINTEXT");
    assert_eq!(file["identity"]["username"], "example");
    // The access token is shown; its secret is not.
    assert!(
        run.stderr.contains(&format!(
            "Access token obtained: {:?}",
            file["token"].as_str().unwrap()
        )),
        "{run:?}"
    );

    let mut secrets = saved_secrets(&credentials);
    secrets.push(verifier);
    run.assert_no_secret(&strs(&secrets));
}

/// Starts a loopback login against `provider`, and returns it with the authorize URL and the
/// callback URL.
fn loopback_login(sandbox: &Sandbox, base: &str, timeout: &str) -> (Login, String, String) {
    let flags = provider_flags(base);
    let credentials = sandbox.credentials();
    let mut args = strs(&flags);
    args.extend([
        "--consumer-key",
        KEY,
        "--consumer-secret",
        SECRET,
        "--callback",
        "loopback",
        "--callback-timeout",
        timeout,
        "--credentials-file",
        credentials.to_str().unwrap(),
    ]);
    let mut login = Login::start(sandbox, &args, &[]);
    let url = login.authorize_url();
    let waiting = login.line_where(|line| line.starts_with("Waiting for the provider"));
    let callback = waiting
        .split(' ')
        .find(|word| word.starts_with("http://127.0.0.1:"))
        .unwrap()
        .to_owned();
    (login, url, callback)
}

#[test]
fn loopback_callback_with_the_test_as_the_browser() {
    let sandbox = Sandbox::new("login-loopback");
    let provider = provider();
    let credentials = sandbox.credentials();
    let (login, url, callback) = loopback_login(&sandbox, provider.base_url(), "60");
    assert!(callback.ends_with("/callback"), "{callback}");

    // A browser may ask for other things first: they are not the callback.
    let favicon = get(&callback.replace("/callback", "/favicon.ico"));
    assert_eq!(favicon.status, 404, "{favicon:?}");

    // The provider approves at once and redirects the browser to the loopback listener.
    let redirect = get(&url);
    assert_eq!(redirect.status, 302, "{redirect:?}");
    let location = redirect.header("location").unwrap().to_owned();
    assert!(location.starts_with(&format!("{callback}?")), "{location}");
    let verifier = param(&location, "oauth_verifier");
    let page = get(&location);
    assert_eq!(page.status, 200, "{page:?}");
    assert!(page.body.contains("You can close this tab."), "{page:?}");

    let run = login.finish();
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(
        run.stderr.contains(&format!(
            "Logged in as \"example\" (id 1), through the application {CONSUMER_NAME:?}."
        )),
        "{run:?}"
    );
    assert_eq!(saved(&credentials)["consumer_key"], KEY);
    let mut secrets = saved_secrets(&credentials);
    secrets.push(verifier);
    run.assert_no_secret(&strs(&secrets));
}

#[test]
fn a_denied_authorization_is_a_clear_error() {
    let sandbox = Sandbox::new("login-denied");
    let provider = provider();
    let (login, url, callback) = loopback_login(&sandbox, provider.base_url(), "60");
    let token = param(&url, "oauth_token");
    let page = get(&format!("{callback}?denied={token}"));
    assert!(page.body.contains("Access denied"), "{page:?}");
    let run = login.finish();
    assert_eq!(run.code, Some(1), "{run:?}");
    assert_eq!(
        run.stderr.lines().last().unwrap(),
        "countersign: error: access was denied at the provider: run countersign login again and allow access"
    );
    assert!(!sandbox.credentials().exists());
    run.assert_no_secret(&[SECRET]);
}

#[test]
fn no_redirect_in_time_is_a_clear_error() {
    let sandbox = Sandbox::new("login-timeout");
    let provider = provider();
    let (login, _, callback) = loopback_login(&sandbox, provider.base_url(), "1");
    let run = login.finish();
    let line = run.stderr.lines().last().unwrap();
    assert_eq!(run.code, Some(1), "{run:?}");
    assert_eq!(
        line,
        format!(
            "countersign: error: no redirect reached {callback} within 1 seconds: run countersign login again and approve in the browser, or use --callback oob"
        )
    );
    assert!(!sandbox.credentials().exists());
}

#[test]
fn a_wrong_consumer_secret_is_refused_with_the_providers_message() {
    let sandbox = Sandbox::new("login-wrong-secret");
    let provider = provider();
    let flags = provider_flags(provider.base_url());
    let credentials = sandbox.credentials();
    let mut args = vec!["login", "--no-browser"];
    args.extend(strs(&flags));
    args.extend([
        "--consumer-key",
        KEY,
        "--consumer-secret",
        "not-the-secret-Yw3",
        "--credentials-file",
        credentials.to_str().unwrap(),
    ]);
    let run = sandbox.run(&args, &[], b"");
    assert_eq!(
        run.error_line(3),
        "getting the request token: provider answered 401 Unauthorized: \"Invalid signature.\": \
         check the consumer key and secret, the token, and the system clock"
    );
    assert_eq!(run.stdout, "");
    assert!(!credentials.exists());
    run.assert_no_secret(&["not-the-secret-Yw3", SECRET]);
}

#[test]
fn out_of_band_without_a_verifier_is_a_clear_error() {
    let sandbox = Sandbox::new("login-no-verifier");
    let provider = provider();
    let flags = provider_flags(provider.base_url());
    let mut args = vec!["login", "--no-browser"];
    args.extend(strs(&flags));
    let credentials = sandbox.credentials();
    args.extend(["--credentials-file", credentials.to_str().unwrap()]);
    let env = [
        ("COUNTERSIGN_CONSUMER_KEY", KEY),
        ("COUNTERSIGN_CONSUMER_SECRET", SECRET),
    ];
    let run = sandbox.run(&args, &env, b"");
    let line = run.stderr.lines().last().unwrap();
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(
        line.starts_with("countersign: error: no verifier on standard input"),
        "{run:?}"
    );
    assert!(!credentials.exists());
    run.assert_no_secret(&[SECRET]);
}

#[test]
fn a_place_the_credentials_cannot_go_fails_before_the_flow() {
    let sandbox = Sandbox::new("login-bad-path");
    let provider = provider();
    let blocker = sandbox.dir.join("a-file");
    std::fs::write(&blocker, "").unwrap();
    let credentials = blocker.join("credentials.json");
    let mut args = vec!["login", "--no-browser"];
    let flags = provider_flags(provider.base_url());
    args.extend(strs(&flags));
    args.extend([
        "--consumer-key",
        KEY,
        "--consumer-secret",
        SECRET,
        "--credentials-file",
        credentials.to_str().unwrap(),
    ]);
    let run = sandbox.run(&args, &[], b"");
    let line = run.error_line(1);
    assert!(
        line.starts_with(&format!(
            "cannot save the credentials to {}: ",
            credentials.display()
        )),
        "{line}"
    );
    // Nothing was asked of the provider: no authorize URL was printed.
    assert!(!run.stderr.contains("oauth/authorize"), "{run:?}");
}

#[cfg(unix)]
#[test]
fn the_credentials_file_is_readable_by_its_owner_only() {
    use std::os::unix::fs::PermissionsExt;

    let sandbox = Sandbox::new("login-permissions");
    let provider = provider();
    login_oob(&sandbox, &provider);
    let credentials = sandbox.credentials();
    assert_eq!(common::mode(&credentials), 0o600);
    // The directory countersign created for it, too.
    assert_eq!(common::mode(credentials.parent().unwrap()), 0o700);

    // Logging in again replaces a file others could read with a private one.
    std::fs::set_permissions(&credentials, std::fs::Permissions::from_mode(0o644)).unwrap();
    let before = saved(&credentials)["token"].clone();
    login_oob(&sandbox, &provider);
    assert_eq!(common::mode(&credentials), 0o600);
    assert_ne!(saved(&credentials)["token"], before);
    // No temporary file is left behind.
    let names: Vec<_> = std::fs::read_dir(credentials.parent().unwrap())
        .unwrap()
        .map(|entry| entry.unwrap().file_name())
        .collect();
    assert_eq!(names, ["credentials.json"]);
}

#[cfg(target_os = "linux")]
#[test]
fn the_default_file_is_in_the_configuration_directory() {
    let sandbox = Sandbox::new("login-default-path");
    let provider = provider();
    let flags = provider_flags(provider.base_url());
    let mut args = strs(&flags);
    args.extend(["--consumer-key", KEY, "--consumer-secret", SECRET]);
    let mut login = Login::start(&sandbox, &args, &[]);
    let verifier = param(&get(&login.authorize_url()).body, "oauth_verifier");
    login.type_in(&format!("{verifier}\n"));
    let run = login.finish();
    assert_eq!(run.code, Some(0), "{run:?}");
    let expected = sandbox.config_home().join("countersign/credentials.json");
    assert_eq!(saved(&expected)["consumer_key"], KEY);
    assert_eq!(common::mode(&expected), 0o600);

    // `request` finds it there too.
    let run = sandbox.run(&["request", "/oauth/identity"], &[], b"");
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(run.stdout.contains("\"username\":\"example\""), "{run:?}");
}

#[test]
fn usage_errors_exit_2() {
    let sandbox = Sandbox::new("login-usage");
    let key = ["--consumer-key", KEY, "--consumer-secret", SECRET];
    let cases: [&[&str]; 4] = [
        // A preset and a provider's URLs exclude each other.
        &[
            "--provider",
            "discogs",
            "--request-token-url",
            "http://127.0.0.1:9/rt",
        ],
        // The three URLs go together.
        &["--request-token-url", "http://127.0.0.1:9/rt"],
        &["--callback", "somewhere"],
        &["--provider", "twitter"],
    ];
    for extra in cases {
        let mut args = vec!["login", "--no-browser"];
        args.extend(key);
        args.extend(extra);
        let run = sandbox.run(&args, &[], b"");
        assert_eq!(run.code, Some(2), "{args:?}: {run:?}");
        run.assert_no_secret(&[SECRET]);
    }
    // A secret that looks like a flag is explained, not shown.
    let run = sandbox.run(
        &[
            "login",
            "--consumer-key",
            KEY,
            "--consumer-secret",
            "-hidden-Pq7",
        ],
        &[],
        b"",
    );
    assert_eq!(
        run.error_line(2),
        "--consumer-secret needs a value: write a value that starts with '-' as --consumer-secret=VALUE"
    );
    run.assert_no_secret(&["hidden-Pq7"]);
    // No consumer key at all.
    let run = sandbox.run(&["login", "--no-browser"], &[], b"");
    assert_eq!(run.code, Some(2), "{run:?}");
    assert!(run.stderr.contains("--consumer-key"), "{run:?}");
}

#[test]
fn help_documents_the_file_the_callbacks_and_the_exit_codes() {
    let sandbox = Sandbox::new("login-help");
    let run = sandbox.run(
        &["login", "--help"],
        &[("COUNTERSIGN_CONSUMER_SECRET", SECRET)],
        b"",
    );
    assert_eq!(run.code, Some(0), "{run:?}");
    for needle in [
        "--provider <NAME>",
        "--request-token-url <URL>",
        "--callback <HOW>",
        "--no-browser",
        "--credentials-file <PATH>",
        "COUNTERSIGN_CONSUMER_SECRET",
        "COUNTERSIGN_CREDENTIALS_FILE",
        "mode 0600",
        "0  logged in and saved the credentials",
        "3  the provider refused",
    ] {
        assert!(
            run.stdout.contains(needle),
            "lacks {needle:?}:\n{}",
            run.stdout
        );
    }
    // The test hook is not advertised.
    assert!(!run.stdout.contains("--callback-timeout"));
    run.assert_no_secret(&[SECRET]);

    let run = sandbox.run(&["--help"], &[], b"");
    for needle in [
        "countersign demo",
        "countersign login",
        "countersign request URL",
        "3  the provider refused",
    ] {
        assert!(
            run.stdout.contains(needle),
            "lacks {needle:?}:\n{}",
            run.stdout
        );
    }
}

#[test]
fn stray_and_stale_requests_to_the_callback_do_not_end_the_login() {
    let sandbox = Sandbox::new("login-stray");
    let provider = provider();
    let credentials = sandbox.credentials();
    let (login, url, callback) = loopback_login(&sandbox, provider.base_url(), "60");

    // Someone opens the callback URL by hand: told what is expected, and the login waits on.
    let stray = get(&callback);
    assert_eq!(stray.status, 400, "{stray:?}");
    assert!(
        stray.body.contains("oauth_token and oauth_verifier"),
        "{stray:?}"
    );
    // A redirect about another request token (stale or forged): ignored too.
    let stale = get(&format!(
        "{callback}?oauth_token=stale-token&oauth_verifier=v"
    ));
    assert_eq!(stale.status, 400, "{stale:?}");
    assert!(stale.body.contains("another request token"), "{stale:?}");

    // The real redirect still completes the login.
    let location = get(&url).header("location").unwrap().to_owned();
    let verifier = param(&location, "oauth_verifier");
    let page = get(&location);
    assert_eq!(page.status, 200, "{page:?}");
    let run = login.finish();
    assert_eq!(run.code, Some(0), "{run:?}");
    assert_eq!(saved(&credentials)["consumer_key"], KEY);
    let mut secrets = saved_secrets(&credentials);
    secrets.push(verifier);
    run.assert_no_secret(&strs(&secrets));
}

/// `login` against a provider given by these URLs, run to the end with nothing on stdin.
fn login_with(sandbox: &Sandbox, request_token_url: &str, base: &str) -> common::Run {
    let credentials = sandbox.credentials();
    let authorize = format!("{base}/oauth/authorize");
    let access = format!("{base}/oauth/access_token");
    let args = [
        "login",
        "--no-browser",
        "--request-token-url",
        request_token_url,
        "--authorize-url",
        &authorize,
        "--access-token-url",
        &access,
        "--consumer-key",
        KEY,
        "--consumer-secret",
        SECRET,
        "--credentials-file",
        credentials.to_str().unwrap(),
    ];
    sandbox.run(&args, &[], b"")
}

#[test]
fn plain_http_to_a_remote_provider_says_to_use_https() {
    let sandbox = Sandbox::new("login-insecure");
    let run = login_with(
        &sandbox,
        "http://example.invalid/rt",
        "https://example.invalid",
    );
    assert_eq!(
        run.error_line(1),
        "getting the request token: refusing to send secrets in the clear over http:// to a host that is not loopback: give the provider's https:// URLs"
    );
    run.assert_no_secret(&[SECRET]);
}

#[test]
fn a_url_that_is_not_the_endpoint_says_which_option_to_check() {
    let sandbox = Sandbox::new("login-not-endpoint");
    let page = Canned::start(|_, _| {
        Answer::new(200, "<html>hello</html>\n").header("Content-Type", "text/html")
    });
    let page = page.url();
    let run = login_with(&sandbox, &format!("{page}/rt"), &page);
    let line = run.error_line(1);
    assert!(
        line.starts_with("getting the request token: unexpected answer from the provider: "),
        "{line}"
    );
    assert!(
        line.ends_with(
            "check --request-token-url: it must be the provider's OAuth endpoint, not a web page"
        ),
        "{line}"
    );

    let moved =
        Canned::start(|_, _| Answer::new(301, "").header("Location", "https://example.invalid/rt"));
    let moved = moved.url();
    let run = login_with(&sandbox, &format!("{moved}/rt"), &moved);
    assert_eq!(
        run.error_line(3),
        "getting the request token: provider answered 301, a redirect, which countersign does not follow with credentials: check --request-token-url: it must be the endpoint itself (https:// rather than http://, say)"
    );
    run.assert_no_secret(&[SECRET]);
}

/// `--provider local --base-url`, as `countersign serve` prints it: the three endpoints and the
/// identity follow from the base URL.
#[test]
fn the_local_provider_by_its_base_url() {
    let sandbox = Sandbox::new("login-local");
    let serve = Serve::start(&sandbox);
    let credentials = sandbox.credentials();
    let args = [
        "--provider",
        "local",
        "--base-url",
        serve.base_url.as_str(),
        "--consumer-key",
        KEY,
        "--consumer-secret",
        SECRET,
        "--credentials-file",
        credentials.to_str().unwrap(),
    ];
    let run = login_pasting_the_code(&sandbox, &args);
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(run.stderr.contains("Logged in as \"example\""), "{run:?}");
    let file = saved(&credentials);
    assert_eq!(
        file["provider"]["identity_url"],
        format!("{}/oauth/identity", serve.base_url)
    );
}

/// Without an identity URL the identity step is skipped, and the output says so.
#[test]
fn a_skipped_identity_step_is_said() {
    let sandbox = Sandbox::new("login-no-identity");
    let serve = Serve::start(&sandbox);
    let credentials = sandbox.credentials();
    let base = &serve.base_url;
    let (request, authorize, access) = (
        format!("{base}/oauth/request_token"),
        format!("{base}/oauth/authorize"),
        format!("{base}/oauth/access_token"),
    );
    let args = [
        "--request-token-url",
        request.as_str(),
        "--authorize-url",
        authorize.as_str(),
        "--access-token-url",
        access.as_str(),
        "--consumer-key",
        KEY,
        "--consumer-secret",
        SECRET,
        "--credentials-file",
        credentials.to_str().unwrap(),
    ];
    let run = login_pasting_the_code(&sandbox, &args);
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(
        run.stderr.contains(
            "No identity URL: the identity step was skipped (give --identity-url to see who logged in)."
        ),
        "{run:?}"
    );
    assert!(
        run.stderr
            .contains("Next: countersign request --credentials-file "),
        "{run:?}"
    );
}

/// A wrong code pasted out of band is said to be the code, not the consumer's credentials.
#[test]
fn a_wrong_code_is_said_to_be_the_code() {
    let sandbox = Sandbox::new("login-wrong-code");
    let serve = Serve::start(&sandbox);
    let credentials = sandbox.credentials();
    let args = [
        "--provider",
        "local",
        "--base-url",
        serve.base_url.as_str(),
        "--consumer-key",
        KEY,
        "--consumer-secret",
        SECRET,
        "--credentials-file",
        credentials.to_str().unwrap(),
    ];
    let mut login = Login::start(&sandbox, &args, &[]);
    // Approve, but paste something else.
    let answer = get(&login.authorize_url());
    assert_eq!(answer.status, 200);
    login.type_in("not-the-code\n");
    let run = login.finish();
    assert_eq!(run.code, Some(3), "{run:?}");
    let line = run.stderr.lines().last().unwrap();
    assert_eq!(
        line,
        "countersign: error: the code was not accepted (the provider says the verifier does not match): paste it again with care, or start over with countersign login",
        "{run:?}"
    );
    assert!(!credentials.exists());
}

/// A provider of one's own in a TOML file: here `countersign serve`'s endpoints, through
/// `{base}`, with a realm and HMAC-SHA256; the whole login goes through and the file's rules are
/// what is saved.
#[test]
fn a_profile_file_of_ones_own() {
    let sandbox = Sandbox::new("login-profile-file");
    let serve = Serve::start(&sandbox);
    let credentials = sandbox.credentials();
    let profile = sandbox.credentials().with_file_name("acme.toml");
    std::fs::create_dir_all(profile.parent().unwrap()).unwrap();
    std::fs::write(
        &profile,
        r#"
name = "acme"
title = "Acme, served by countersign serve"
docs = "https://acme.example/docs"
request_token_url = "{base}/oauth/request_token"
authorize_url = "{base}/oauth/authorize"
access_token_url = "{base}/oauth/access_token"
identity_url = "{base}/oauth/identity"
signature_method = "HMAC-SHA256"
realm = "Acme"
"#,
    )
    .unwrap();
    let args = [
        "--profile-file",
        profile.to_str().unwrap(),
        "--base-url",
        serve.base_url.as_str(),
        "--consumer-key",
        KEY,
        "--consumer-secret",
        SECRET,
        "--credentials-file",
        credentials.to_str().unwrap(),
    ];
    let run = login_pasting_the_code(&sandbox, &args);
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(run.stderr.contains("Logged in as \"example\""), "{run:?}");
    let file = saved(&credentials);
    assert_eq!(file["provider"]["signature_method"], "HMAC-SHA256");
    assert_eq!(file["provider"]["realm"], "Acme");
    assert_eq!(file["provider"]["request_token_method"], "POST");

    // A misspelt field: one line naming the file and the field.
    std::fs::write(&profile, "name = \"acme\"\nrequest_token_ulr = \"x\"\n").unwrap();
    let run = sandbox.run(
        &[
            "login",
            "--profile-file",
            profile.to_str().unwrap(),
            "--consumer-key",
            KEY,
            "--consumer-secret",
            SECRET,
        ],
        &[],
        b"",
    );
    assert_eq!(run.code, Some(1), "{run:?}");
    assert_eq!(run.stderr.lines().count(), 1, "{run:?}");
    assert!(
        run.stderr.contains("acme.toml") && run.stderr.contains("request_token_ulr"),
        "{run:?}"
    );
}

/// The presets' own rules, before anything is sent: a variable they need, `oob` where the
/// provider takes none, an RSA preset without its key.
#[test]
fn presets_say_what_they_need() {
    let sandbox = Sandbox::new("login-presets");
    let cases: [(&[&str], &str); 4] = [
        (
            &["--provider", "jira", "--private-key", "k.pem"],
            "--base-url",
        ),
        (
            &["--provider", "netsuite", "--consumer-secret", SECRET],
            "--account",
        ),
        (
            &[
                "--provider",
                "netsuite",
                "--account",
                "1234567",
                "--consumer-secret",
                SECRET,
            ],
            "--callback loopback",
        ),
        (
            &[
                "--provider",
                "jira",
                "--base-url",
                "https://jira.example",
                "--consumer-secret",
                SECRET,
            ],
            "--private-key",
        ),
    ];
    for (extra, says) in cases {
        let mut args = vec!["login", "--no-browser", "--consumer-key", KEY];
        args.extend_from_slice(extra);
        let run = sandbox.run(&args, &[], b"");
        assert_eq!(run.code, Some(1), "{args:?}: {run:?}");
        assert_eq!(run.stderr.lines().count(), 1, "{run:?}");
        assert!(run.stderr.contains(says), "{args:?}: {run:?}");
        assert!(!run.stderr.contains(SECRET), "{run:?}");
    }
}

/// `countersign providers`: one line per provider, with its name, signature method, the
/// request-token method and the three URLs; `local` last.
#[test]
fn providers_lists_one_line_each() {
    let sandbox = Sandbox::new("providers");
    let run = sandbox.run(&["providers"], &[], b"");
    assert_eq!(run.code, Some(0), "{run:?}");
    assert_eq!(run.stderr, "");
    let lines: Vec<Vec<&str>> = run
        .stdout
        .lines()
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert!(lines.len() >= 13, "{}", run.stdout);
    for line in &lines {
        assert_eq!(line.len(), 6, "{line:?}");
        let urls = if line[4] == "one-legged" {
            assert_eq!(line[2], "-", "{line:?}");
            assert!(["header", "query"].contains(&line[5]), "{line:?}");
            &line[3..4]
        } else {
            assert!(["GET", "POST"].contains(&line[2]), "{line:?}");
            &line[3..]
        };
        for url in urls {
            assert!(
                url.starts_with("https://") || url.starts_with("{base}"),
                "{line:?}"
            );
        }
    }
    assert_eq!(
        lines.iter().find(|l| l[0] == "woocommerce").unwrap()[1..],
        [
            "HMAC-SHA256",
            "-",
            "{base}/wp-json/wc/v3",
            "one-legged",
            "query"
        ]
    );
    let find = |name: &str| lines.iter().find(|l| l[0] == name).unwrap();
    assert_eq!(
        find("discogs")[1..4],
        [
            "PLAINTEXT",
            "GET",
            "https://api.discogs.com/oauth/request_token"
        ]
    );
    assert_eq!(find("jira")[1], "RSA-SHA1");
    assert_eq!(find("netsuite")[1], "HMAC-SHA256");
    assert_eq!(lines.last().unwrap()[0], "local");
}

/// RSA-SHA256 end to end through the command line: `countersign serve --rsa-public-key` holds the
/// consumer's public key, `countersign login --private-key` walks the flow signing with the
/// private key (no consumer secret), and `countersign request` signs with the key again from the
/// path the credentials file names.
#[test]
fn an_rsa_login_against_countersign_serve() {
    let sandbox = Sandbox::new("login-rsa");
    let keys = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../countersign/tests/data/rsa/"
    );
    let public = format!("{keys}test-2048.pub.pem");
    let private = format!("{keys}test-2048.pem");
    let serve = Serve::with(&sandbox, &["--auto-approve", "--rsa-public-key", &public]);
    let credentials = sandbox.credentials();
    let args = [
        "--provider",
        "local",
        "--base-url",
        serve.base_url.as_str(),
        "--consumer-key",
        KEY,
        "--private-key",
        private.as_str(),
        "--signature-method",
        "RSA-SHA256",
        "--credentials-file",
        credentials.to_str().unwrap(),
    ];
    let run = login_pasting_the_code(&sandbox, &args);
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(run.stderr.contains("Logged in as \"example\""), "{run:?}");
    let file = saved(&credentials);
    assert_eq!(file["provider"]["signature_method"], "RSA-SHA256");
    assert_eq!(file["provider"]["private_key"], private.as_str());
    assert_eq!(file["consumer_secret"], "");
    let run = sandbox.run(
        &[
            "request",
            "--credentials-file",
            credentials.to_str().unwrap(),
            "/oauth/identity",
        ],
        &[],
        b"",
    );
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(run.stdout.contains("\"username\":\"example\""), "{run:?}");

    // Signed with another key: refused.
    let other = format!("{keys}oauthlib-1024.pem");
    let run = sandbox.run(
        &[
            "login",
            "--no-browser",
            "--provider",
            "local",
            "--base-url",
            serve.base_url.as_str(),
            "--consumer-key",
            KEY,
            "--private-key",
            other.as_str(),
            "--signature-method",
            "RSA-SHA256",
        ],
        &[],
        b"",
    );
    assert_eq!(run.code, Some(3), "{run:?}");
    assert!(run.stderr.contains("401"), "{run:?}");
}
