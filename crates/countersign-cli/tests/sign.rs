//! `countersign sign`, run as a process: exact output bytes, exit codes, one-line errors, and no
//! secret on stderr.

use std::process::Command;
use std::time::{SystemTime, UNIX_EPOCH};

const BIN: &str = env!("CARGO_BIN_EXE_countersign");

/// The environment variables the command reads.
const ENV_VARS: [&str; 4] = [
    "COUNTERSIGN_CONSUMER_KEY",
    "COUNTERSIGN_CONSUMER_SECRET",
    "COUNTERSIGN_TOKEN",
    "COUNTERSIGN_TOKEN_SECRET",
];

// The credentials of RFC 5849 section 2.
const CONSUMER_KEY: &str = "jd83jd92dhsh93js";
const CONSUMER_SECRET: &str = "ja893SD9";
const TOKEN: &str = "hdk48Djdsa";
const TOKEN_SECRET: &str = "xyz4992k83j47x0b";
const VERIFIER: &str = "473f82d3";

/// The RFC 5849 section 2.1 temporary-credentials request, without its credentials.
const TEMP_REQUEST: &[&str] = &[
    "sign",
    "--method",
    "POST",
    "--url",
    "https://server.example.com/request_temp_credentials",
    "--realm",
    "Example",
    "--callback",
    "http://client.example.net/cb?x=1",
    "--timestamp",
    "137131200",
    "--nonce",
    "wIjqoS",
];

/// Its header, as the RFC shows it (in countersign's parameter order), and a newline.
const TEMP_HEADER: &str = "OAuth realm=\"Example\", oauth_consumer_key=\"jd83jd92dhsh93js\", \
    oauth_signature_method=\"PLAINTEXT\", \
    oauth_callback=\"http%3A%2F%2Fclient.example.net%2Fcb%3Fx%3D1\", oauth_version=\"1.0\", \
    oauth_timestamp=\"137131200\", oauth_nonce=\"wIjqoS\", oauth_signature=\"ja893SD9%26\"\n";

/// The RFC 5849 section 2.3 token request, without its credentials.
const TOKEN_REQUEST: &[&str] = &[
    "sign",
    "--method",
    "POST",
    "--url",
    "https://server.example.com/request_token",
    "--realm",
    "Example",
    "--timestamp",
    "137131201",
    "--nonce",
    "walatlh",
];

/// Its header and a newline.
const TOKEN_HEADER: &str = "OAuth realm=\"Example\", oauth_consumer_key=\"jd83jd92dhsh93js\", \
    oauth_token=\"hdk48Djdsa\", oauth_signature_method=\"PLAINTEXT\", \
    oauth_version=\"1.0\", oauth_timestamp=\"137131201\", oauth_nonce=\"walatlh\", \
    oauth_verifier=\"473f82d3\", oauth_signature=\"ja893SD9%26xyz4992k83j47x0b\"\n";

/// What a run of the command produced.
#[derive(Debug)]
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Runs the command with `args` and only the environment variables of ours in `env`: the
/// developer's `COUNTERSIGN_*` variables (and colour settings) never reach it.
fn run_with_env(args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut command = Command::new(BIN);
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("COUNTERSIGN_") {
            command.env_remove(name);
        }
    }
    for name in ENV_VARS {
        command.env_remove(name);
    }
    command
        .env_remove("CLICOLOR_FORCE")
        .env("NO_COLOR", "1")
        .args(args)
        .envs(env.iter().copied());
    let output = command.output().expect("the countersign binary runs");
    Run {
        code: output.status.code(),
        stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
    }
}

fn countersign(args: &[&str]) -> Run {
    run_with_env(args, &[])
}

/// The client credentials as flags.
const CLIENT_FLAGS: &[&str] = &[
    "--consumer-key",
    CONSUMER_KEY,
    "--consumer-secret",
    CONSUMER_SECRET,
];

/// The token credentials and verifier as flags.
const TOKEN_FLAGS: &[&str] = &[
    "--token",
    TOKEN,
    "--token-secret",
    TOKEN_SECRET,
    "--verifier",
    VERIFIER,
];

fn concat(parts: &[&[&str]]) -> Vec<String> {
    parts
        .iter()
        .flat_map(|p| p.iter())
        .map(|s| (*s).to_owned())
        .collect()
}

fn run_parts(parts: &[&[&str]], env: &[(&str, &str)]) -> Run {
    let args = concat(parts);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    run_with_env(&args, env)
}

/// Asserts a successful run that printed exactly `stdout`.
#[track_caller]
fn assert_success(run: &Run, stdout: &str) {
    assert_eq!(run.code, Some(0), "{run:?}");
    assert_eq!(run.stdout, stdout, "{run:?}");
    assert_eq!(run.stderr, "", "{run:?}");
}

/// Asserts a run that failed with `code`, nothing on stdout and one line on stderr starting
/// `countersign: error: `; returns that line.
#[track_caller]
fn assert_one_line_error(run: &Run, code: i32) -> &str {
    assert_eq!(run.code, Some(code), "{run:?}");
    assert_eq!(run.stdout, "", "{run:?}");
    assert!(run.stderr.ends_with('\n'), "{run:?}");
    assert_eq!(run.stderr.lines().count(), 1, "{run:?}");
    assert!(run.stderr.starts_with("countersign: error: "), "{run:?}");
    run.stderr.trim_end()
}

/// Asserts a usage error: exit code 2, nothing on stdout, clap's message on stderr; returns it.
#[track_caller]
fn assert_usage_error(run: &Run) -> &str {
    assert_eq!(run.code, Some(2), "{run:?}");
    assert_eq!(run.stdout, "", "{run:?}");
    assert!(run.stderr.starts_with("error: "), "{run:?}");
    &run.stderr
}

/// Asserts that no secret of the RFC examples appears on stderr.
#[track_caller]
fn assert_no_secret(run: &Run) {
    for secret in [CONSUMER_SECRET, TOKEN_SECRET, VERIFIER] {
        assert!(!run.stderr.contains(secret), "{secret} on stderr: {run:?}");
    }
}

/// The value of `name="..."` in a header.
fn param<'h>(header: &'h str, name: &str) -> Option<&'h str> {
    let start = header.find(&format!(" {name}=\""))? + name.len() + 3;
    let rest = header.get(start..)?;
    rest.get(..rest.find('"')?)
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("the clock is after 1970")
        .as_secs()
}

#[test]
fn rfc_5849_temporary_credentials_request() {
    let run = run_parts(&[TEMP_REQUEST, CLIENT_FLAGS], &[]);
    assert_success(&run, TEMP_HEADER);
}

#[test]
fn rfc_5849_token_request() {
    let run = run_parts(&[TOKEN_REQUEST, CLIENT_FLAGS, TOKEN_FLAGS], &[]);
    assert_success(&run, TOKEN_HEADER);
    assert_eq!(param(&run.stdout, "oauth_token"), Some(TOKEN));
    assert_eq!(param(&run.stdout, "oauth_verifier"), Some(VERIFIER));
    assert_eq!(
        param(&run.stdout, "oauth_signature"),
        Some("ja893SD9%26xyz4992k83j47x0b")
    );
}

#[test]
fn credentials_from_the_environment_give_the_same_bytes() {
    let client_env = [
        ("COUNTERSIGN_CONSUMER_KEY", CONSUMER_KEY),
        ("COUNTERSIGN_CONSUMER_SECRET", CONSUMER_SECRET),
    ];
    assert_success(&run_parts(&[TEMP_REQUEST], &client_env), TEMP_HEADER);

    let all_env = [
        client_env[0],
        client_env[1],
        ("COUNTERSIGN_TOKEN", TOKEN),
        ("COUNTERSIGN_TOKEN_SECRET", TOKEN_SECRET),
    ];
    let run = run_parts(&[TOKEN_REQUEST, &["--verifier", VERIFIER]], &all_env);
    assert_success(&run, TOKEN_HEADER);

    // Half from the environment, half from flags.
    let run = run_parts(
        &[
            TOKEN_REQUEST,
            &["--consumer-secret", CONSUMER_SECRET, "--token", TOKEN],
            &["--verifier", VERIFIER],
        ],
        &[
            ("COUNTERSIGN_CONSUMER_KEY", CONSUMER_KEY),
            ("COUNTERSIGN_TOKEN_SECRET", TOKEN_SECRET),
        ],
    );
    assert_success(&run, TOKEN_HEADER);
}

#[test]
fn flags_win_over_the_environment() {
    let wrong_env = [
        ("COUNTERSIGN_CONSUMER_KEY", "env-key"),
        ("COUNTERSIGN_CONSUMER_SECRET", "env-secret"),
        ("COUNTERSIGN_TOKEN", "env-token"),
        ("COUNTERSIGN_TOKEN_SECRET", "env-token-secret"),
    ];
    let run = run_parts(&[TOKEN_REQUEST, CLIENT_FLAGS, TOKEN_FLAGS], &wrong_env);
    assert_success(&run, TOKEN_HEADER);
}

#[test]
fn values_starting_with_a_hyphen_work_with_equals() {
    let run = countersign(&[
        "sign",
        "--method=GET",
        "--url=https://api.example.com/",
        "--consumer-key=-key",
        "--consumer-secret=-x",
        "--token=-tok",
        "--token-secret=-ts",
        "--verifier=-v",
        "--realm=-realm",
        "--nonce=-abc",
        "--timestamp=1",
        "--form=-a=-b",
    ]);
    assert_success(
        &run,
        "OAuth realm=\"-realm\", oauth_consumer_key=\"-key\", oauth_token=\"-tok\", \
         oauth_signature_method=\"PLAINTEXT\", oauth_version=\"1.0\", \
         oauth_timestamp=\"1\", oauth_nonce=\"-abc\", oauth_verifier=\"-v\", \
         oauth_signature=\"-x%26-ts\"\n",
    );
}

#[test]
fn a_secret_starting_with_a_hyphen_without_equals_is_explained_not_shown() {
    for flag in ["--consumer-secret", "--token-secret", "--verifier"] {
        let run = countersign(&[
            "sign",
            "--method",
            "GET",
            "--url",
            "https://api.example.com/",
            "--consumer-key",
            "key",
            flag,
            "-hunter2",
        ]);
        let line = assert_one_line_error(&run, 2);
        assert!(line.contains(&format!("{flag}=VALUE")), "{line}");
        assert!(!line.contains("hunter2"), "{line}");
        assert!(!line.contains("'-h'"), "{line}");
    }
}

#[test]
fn usage_errors_redact_secret_values_and_keep_the_rest() {
    // An unquoted secret with a space: clap would print its second word.
    let run = countersign(&[
        "sign",
        "--method",
        "GET",
        "--url",
        "https://api.example.com/",
        "--consumer-key",
        "key",
        "--consumer-secret",
        "s3cret",
        "s3cret-part-two",
    ]);
    let message = assert_usage_error(&run);
    assert!(!message.contains("s3cret"), "{message}");
    assert!(
        message.contains("unexpected argument '[redacted]' found"),
        "{message}"
    );
    assert!(message.contains("Usage: countersign sign"), "{message}");
}

#[test]
fn insecure_http_is_refused_with_one_line_naming_https() {
    let run = run_parts(
        &[
            &["sign", "--method", "GET", "--url", "http://example.com/"],
            CLIENT_FLAGS,
            TOKEN_FLAGS,
        ],
        &[],
    );
    let line = assert_one_line_error(&run, 1);
    assert!(line.contains("https"), "{line}");
    assert!(line.contains("--dangerous-allow-insecure-http"), "{line}");
    assert_no_secret(&run);
}

#[test]
fn insecure_http_is_allowed_on_request() {
    let run = run_parts(
        &[
            &["sign", "--method", "GET", "--url", "http://example.com/"],
            &[
                "--timestamp",
                "1",
                "--nonce",
                "n",
                "--dangerous-allow-insecure-http",
            ],
            CLIENT_FLAGS,
        ],
        &[],
    );
    assert_success(
        &run,
        "OAuth oauth_consumer_key=\"jd83jd92dhsh93js\", oauth_signature_method=\"PLAINTEXT\", \
         oauth_version=\"1.0\", oauth_timestamp=\"1\", oauth_nonce=\"n\", \
         oauth_signature=\"ja893SD9%26\"\n",
    );
}

#[test]
fn loopback_http_is_allowed() {
    for url in [
        "http://127.0.0.1:8080/",
        "http://localhost/oauth",
        "http://[::1]:9/",
    ] {
        let run = run_parts(
            &[
                &["sign", "--method", "GET", "--url", url],
                &["--timestamp", "1", "--nonce", "n"],
                CLIENT_FLAGS,
            ],
            &[],
        );
        assert_eq!(run.code, Some(0), "{run:?}");
        assert!(run.stdout.starts_with("OAuth "), "{run:?}");
    }
}

/// Every request that cannot be signed (each with all three secrets given too), and a fragment
/// of the message it must get.
const BAD_REQUESTS: &[(&str, &[&str])] = &[
    ("use https://", &["--url", "http://example.com/"]),
    ("invalid URL", &["--url", "/request_token"]),
    (
        "realm contains a control character",
        &["--realm", "a\u{1}b"],
    ),
    (
        "invalid oauth_callback",
        &["--callback", "client.example.net/cb"],
    ),
];

/// Every value clap refuses (a usage error), and a fragment of the message it must get.
const BAD_VALUES: &[(&str, &[&str])] = &[
    ("\"HMAC-MD5\"", &["--signature-method", "HMAC-MD5"]),
    ("\"plaintext\"", &["--signature-method", "plaintext"]),
    ("there is no '='", &["--form", "a=1", "--form", "novalue"]),
    ("the name is empty", &["--form", "=1"]),
    ("--timestamp", &["--timestamp", "12x"]),
    ("--timestamp", &["--timestamp=-1"]),
    ("--timestamp", &["--timestamp", "18446744073709551616"]),
    ("invalid nonce", &["--nonce", "a b"]),
    ("invalid nonce", &["--nonce", ""]),
    (
        "invalid nonce",
        &[
            "--nonce",
            // 65 characters: one too many.
            "n123456789n123456789n123456789n123456789n123456789n123456789n1234",
        ],
    ),
    ("an HTTP method name", &["--method", "GET X"]),
    ("an HTTP method name", &["--method", ""]),
];

/// `sign` with `extra`, and `--method POST` and an https URL unless `extra` has its own (clap
/// refuses an option given twice).
fn bad_request<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["sign"];
    if !extra.contains(&"--method") {
        args.extend(["--method", "POST"]);
    }
    if !extra.contains(&"--url") {
        args.extend(["--url", "https://server.example.com/x"]);
    }
    args.extend(extra);
    args
}

#[test]
fn bad_requests_fail_with_one_line_and_no_secret() {
    for (expected, extra) in BAD_REQUESTS {
        let run = run_parts(&[&bad_request(extra), CLIENT_FLAGS, TOKEN_FLAGS], &[]);
        let line = assert_one_line_error(&run, 1);
        assert!(line.contains(expected), "{extra:?}: {line}");
        assert_no_secret(&run);
    }
    for (expected, extra) in BAD_VALUES {
        let run = run_parts(&[&bad_request(extra), CLIENT_FLAGS, TOKEN_FLAGS], &[]);
        let message = assert_usage_error(&run);
        assert!(message.contains(expected), "{extra:?}: {message}");
        assert_no_secret(&run);
    }
}

#[test]
fn bad_requests_fail_without_secrets_from_the_environment_too() {
    let env = [
        ("COUNTERSIGN_CONSUMER_KEY", CONSUMER_KEY),
        ("COUNTERSIGN_CONSUMER_SECRET", CONSUMER_SECRET),
        ("COUNTERSIGN_TOKEN", TOKEN),
        ("COUNTERSIGN_TOKEN_SECRET", TOKEN_SECRET),
    ];
    for (expected, extra) in BAD_REQUESTS {
        let run = run_parts(&[&bad_request(extra), &["--verifier", VERIFIER]], &env);
        let line = assert_one_line_error(&run, 1);
        assert!(line.contains(expected), "{extra:?}: {line}");
        assert_no_secret(&run);
    }
    for (expected, extra) in BAD_VALUES {
        let run = run_parts(&[&bad_request(extra), &["--verifier", VERIFIER]], &env);
        let message = assert_usage_error(&run);
        assert!(message.contains(expected), "{extra:?}: {message}");
        assert_no_secret(&run);
    }
}

#[test]
fn specific_messages() {
    let base: &[&str] = &[
        "sign",
        "--method",
        "GET",
        "--url",
        "https://api.example.com/",
    ];
    let cases: &[(&[&str], &str)] = &[
        (
            &["--signature-method", "HMAC-MD5"],
            "use one of PLAINTEXT, HMAC-SHA1, HMAC-SHA256, HMAC-SHA512",
        ),
        (&["--form", "novalue"], "write each field as NAME=VALUE"),
        (
            &["--timestamp", "soon"],
            "a whole number of seconds since the Unix epoch",
        ),
        (&["--nonce", "a+b"], "use 1 to 64 characters"),
    ];
    for (extra, expected) in cases {
        let run = run_parts(&[base, CLIENT_FLAGS, extra], &[]);
        let message = assert_usage_error(&run);
        assert!(message.contains(expected), "{message}");
    }
}

#[test]
fn a_token_needs_its_secret_and_the_other_way_round() {
    let base: &[&str] = &[
        "sign",
        "--method",
        "GET",
        "--url",
        "https://api.example.com/",
    ];
    let run = run_parts(&[base, CLIENT_FLAGS, &["--token", TOKEN]], &[]);
    let message = assert_usage_error(&run);
    assert!(
        message.contains("not provided:\n  --token-secret"),
        "{message}"
    );

    let run = run_parts(
        &[base, CLIENT_FLAGS, &["--token-secret", TOKEN_SECRET]],
        &[],
    );
    let message = assert_usage_error(&run);
    assert!(message.contains("not provided:\n  --token "), "{message}");
    assert_no_secret(&run);

    // The secret came from the environment: the message says where the token can come from.
    let run = run_parts(
        &[base, CLIENT_FLAGS],
        &[("COUNTERSIGN_TOKEN_SECRET", TOKEN_SECRET)],
    );
    let message = assert_usage_error(&run);
    assert!(
        message.contains("--token can also come from the environment variable COUNTERSIGN_TOKEN\n"),
        "{message}"
    );
    assert_no_secret(&run);
}

#[test]
fn missing_required_flags_are_usage_errors() {
    let run = countersign(&[
        "sign",
        "--method",
        "GET",
        "--url",
        "https://api.example.com/",
    ]);
    assert_eq!(run.code, Some(2), "{run:?}");
    assert_eq!(run.stdout, "", "{run:?}");
    assert!(run.stderr.contains("--consumer-key"), "{run:?}");

    let run = run_parts(
        &[&["sign", "--url", "https://api.example.com/"], CLIENT_FLAGS],
        &[],
    );
    assert_eq!(run.code, Some(2), "{run:?}");
    assert_eq!(run.stdout, "", "{run:?}");
    assert!(run.stderr.contains("--method"), "{run:?}");
    assert_no_secret(&run);

    let run = countersign(&[]);
    assert_eq!(run.code, Some(2), "{run:?}");
    assert_eq!(run.stdout, "", "{run:?}");
}

#[test]
fn unknown_flags_are_usage_errors_without_secrets() {
    let run = run_parts(
        &[TOKEN_REQUEST, CLIENT_FLAGS, TOKEN_FLAGS, &["--bogus"]],
        &[],
    );
    assert_eq!(run.code, Some(2), "{run:?}");
    assert_eq!(run.stdout, "", "{run:?}");
    assert!(run.stderr.contains("--bogus"), "{run:?}");
    assert_no_secret(&run);
}

#[test]
fn generated_nonce_and_timestamp() {
    let args: &[&str] = &[
        "sign",
        "--method",
        "GET",
        "--url",
        "https://api.example.com/",
    ];
    let before = now();
    let first = run_parts(&[args, CLIENT_FLAGS], &[]);
    let second = run_parts(&[args, CLIENT_FLAGS], &[]);
    let after = now();
    let mut nonces = Vec::new();
    for run in [&first, &second] {
        assert_eq!(run.code, Some(0), "{run:?}");
        assert!(run.stdout.ends_with("\"\n"), "{run:?}");
        assert_eq!(run.stdout.lines().count(), 1, "{run:?}");
        let nonce = param(&run.stdout, "oauth_nonce").expect("a nonce");
        assert_eq!(nonce.len(), 24, "{nonce}");
        assert!(nonce.bytes().all(|b| b.is_ascii_alphanumeric()), "{nonce}");
        nonces.push(nonce);
        let timestamp: u64 = param(&run.stdout, "oauth_timestamp")
            .expect("a timestamp")
            .parse()
            .expect("a number");
        assert!(
            (before.saturating_sub(5)..=after + 5).contains(&timestamp),
            "{timestamp} not in {before}..={after}"
        );
    }
    assert_ne!(nonces[0], nonces[1]);
}

#[test]
fn only_the_absent_one_is_generated() {
    let args: &[&str] = &[
        "sign",
        "--method",
        "GET",
        "--url",
        "https://api.example.com/",
    ];
    let run = run_parts(&[args, CLIENT_FLAGS, &["--nonce", "given"]], &[]);
    assert_eq!(param(&run.stdout, "oauth_nonce"), Some("given"), "{run:?}");
    let timestamp = param(&run.stdout, "oauth_timestamp").expect("a timestamp");
    assert!(timestamp.parse::<u64>().is_ok_and(|t| t > 1_700_000_000));

    let run = run_parts(&[args, CLIENT_FLAGS, &["--timestamp", "5"]], &[]);
    assert_eq!(param(&run.stdout, "oauth_timestamp"), Some("5"), "{run:?}");
    assert_eq!(param(&run.stdout, "oauth_nonce").map(str::len), Some(24));
}

#[test]
fn no_version_omits_oauth_version() {
    let run = run_parts(&[TEMP_REQUEST, CLIENT_FLAGS, &["--no-version"]], &[]);
    assert_success(&run, &TEMP_HEADER.replace(" oauth_version=\"1.0\",", ""));
    assert!(!run.stdout.contains("oauth_version"));
}

#[test]
fn form_fields_are_accepted_and_plaintext_leaves_them_out() {
    let run = run_parts(
        &[
            TEMP_REQUEST,
            CLIENT_FLAGS,
            &[
                "--form",
                "status=hello world & more",
                "--form",
                "empty=",
                "--form",
                "a=b=c",
            ],
        ],
        &[],
    );
    assert_success(&run, TEMP_HEADER);
}

#[test]
fn explicit_plaintext_is_the_default() {
    let run = run_parts(
        &[
            TEMP_REQUEST,
            CLIENT_FLAGS,
            &["--signature-method", "PLAINTEXT"],
        ],
        &[],
    );
    assert_success(&run, TEMP_HEADER);
}

#[test]
fn help_mentions_environment_and_exit_codes() {
    for args in [
        &["--help"][..],
        &["sign", "--help"],
        &["sign", "-h"],
        &["help", "sign"],
    ] {
        // A secret in the environment must not show up in the help (clap would print env values).
        let run = run_with_env(args, &[("COUNTERSIGN_CONSUMER_SECRET", CONSUMER_SECRET)]);
        assert_eq!(run.code, Some(0), "{args:?}: {run:?}");
        assert_eq!(run.stderr, "", "{args:?}: {run:?}");
        for var in ENV_VARS {
            assert!(run.stdout.contains(var), "{args:?} lacks {var}");
        }
        assert!(run.stdout.contains("Exit codes"), "{args:?}");
        for code in [
            "0  success",
            "1  the request cannot be signed",
            "2  command-line usage",
        ] {
            assert!(run.stdout.contains(code), "{args:?} lacks {code:?}");
        }
        assert!(!run.stdout.contains(CONSUMER_SECRET), "{args:?}");
    }
}

#[test]
fn version_exits_zero() {
    let run = countersign(&["--version"]);
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(run.stdout.starts_with("countersign "), "{run:?}");
}

#[test]
fn hmac_sha1_rfc_5849_section_1_2_resource_request() {
    let run = countersign(&[
        "sign",
        "--method",
        "GET",
        "--url",
        "http://photos.example.net/photos?file=vacation.jpg&size=original",
        "--consumer-key",
        "dpf43f3p2l4k3l03",
        "--consumer-secret",
        "kd94hf93k423kf44",
        "--token",
        "nnch734d00sl2jdk",
        "--token-secret",
        "pfkkdhi9sl3r4s00",
        "--signature-method",
        "HMAC-SHA1",
        "--no-version",
        "--timestamp",
        "137131202",
        "--nonce",
        "chapoH",
    ]);
    // The RFC's signature, MdpQcU8iPSUjWoN/UDMsK2sui9I=, encoded for the header; plain http is
    // fine because HMAC sends no secret.
    assert_success(
        &run,
        "OAuth oauth_consumer_key=\"dpf43f3p2l4k3l03\", oauth_token=\"nnch734d00sl2jdk\", \
         oauth_signature_method=\"HMAC-SHA1\", oauth_timestamp=\"137131202\", \
         oauth_nonce=\"chapoH\", oauth_signature=\"MdpQcU8iPSUjWoN%2FUDMsK2sui9I%3D\"\n",
    );
}

#[test]
fn hmac_sha256_signs_form_fields() {
    let base = [
        "sign",
        "--method",
        "POST",
        "--url",
        "https://api.example.com/x",
        "--consumer-key",
        "k",
        "--consumer-secret",
        "s",
        "--signature-method",
        "HMAC-SHA256",
        "--timestamp",
        "1",
        "--nonce",
        "n",
    ];
    let plain = countersign(&base);
    let with_form = countersign(&[&base[..], &["--form", "a=1"]].concat());
    for run in [&plain, &with_form] {
        assert_eq!(run.code, Some(0), "{run:?}");
        assert!(
            run.stdout
                .contains("oauth_signature_method=\"HMAC-SHA256\"")
        );
    }
    assert_ne!(
        param(&plain.stdout, "oauth_signature"),
        param(&with_form.stdout, "oauth_signature"),
        "the form body is signed"
    );
}

/// A file of the test's own, removed at the end.
struct TempFile(std::path::PathBuf);

impl TempFile {
    fn new(name: &str, contents: &[u8]) -> Self {
        let path = std::env::temp_dir().join(format!("countersign-{}-{name}", std::process::id()));
        std::fs::write(&path, contents).unwrap();
        Self(path)
    }

    fn arg(&self) -> String {
        format!("--body-file={}", self.0.display())
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// The body hash draft's example (oauthlib's Client writes the same header).
#[test]
fn body_hash_reproduces_the_drafts_example() {
    let body = TempFile::new("draft-body", b"Hello World!");
    let run = countersign(&[
        "sign",
        "--method=PUT",
        "--url=http://www.example.com/resource",
        "--consumer-key=consumer",
        "--consumer-secret=secret",
        "--signature-method=HMAC-SHA1",
        "--timestamp=1236874155",
        "--nonce=10288510250934",
        &body.arg(),
        "--content-type=text/plain",
        "--body-hash",
    ]);
    assert_eq!(run.code, Some(0), "{run:?}");
    assert_eq!(
        param(&run.stdout, "oauth_body_hash"),
        Some("Lve95gjOVATpfV8EL5X4nxwjKHE%3D")
    );
    assert_eq!(
        param(&run.stdout, "oauth_signature"),
        Some("08bUFF%2Fjmp59mWB7cSgCYBUpJ0U%3D")
    );
}

#[test]
fn a_body_file_of_form_type_is_signed_as_parameters() {
    let file = TempFile::new("form-body", b"a=1&b=two%20words");
    let base = [
        "sign",
        "--method=POST",
        "--url=https://api.example.com/x",
        "--consumer-key=k",
        "--consumer-secret=s",
        "--signature-method=HMAC-SHA256",
        "--timestamp=1",
        "--nonce=n",
    ];
    let from_file = countersign(
        &[
            &base[..],
            &[
                file.arg().as_str(),
                "--content-type=Application/X-WWW-Form-Urlencoded; charset=UTF-8",
            ],
        ]
        .concat(),
    );
    let from_flags = countersign(&[&base[..], &["--form=a=1", "--form=b=two words"]].concat());
    assert_eq!(from_file.code, Some(0), "{from_file:?}");
    assert_eq!(from_file.stdout, from_flags.stdout);
    // Another type: not parameters, so the signature is the one of no body at all.
    let json = countersign(
        &[
            &base[..],
            &[file.arg().as_str(), "--content-type=application/json"],
        ]
        .concat(),
    );
    let bare = countersign(&base);
    assert_eq!(json.stdout, bare.stdout);
}

#[test]
fn body_hash_refusals_are_one_line() {
    let file = TempFile::new("refusals", b"{}");
    let base = [
        "sign",
        "--method=POST",
        "--url=https://api.example.com/x",
        "--consumer-key=k",
        "--consumer-secret=s",
    ];
    let plaintext = countersign(&[&base[..], &[file.arg().as_str(), "--body-hash"]].concat());
    assert!(
        assert_one_line_error(&plaintext, 1).contains("PLAINTEXT signs nothing of the body"),
        "{plaintext:?}"
    );
    let form = countersign(
        &[
            &base[..],
            &["--signature-method=HMAC-SHA1", "--form=a=1", "--body-hash"],
        ]
        .concat(),
    );
    assert!(
        assert_one_line_error(&form, 1)
            .contains("never sent with an application/x-www-form-urlencoded body"),
        "{form:?}"
    );
    let missing = countersign(&[&base[..], &["--body-file=/nonexistent/body.json"]].concat());
    assert!(
        assert_one_line_error(&missing, 1).starts_with(
            "countersign: error: cannot read the body file \"/nonexistent/body.json\": "
        ),
        "{missing:?}"
    );
    let both = countersign(&[&base[..], &[file.arg().as_str(), "--form=a=1"]].concat());
    assert!(
        assert_usage_error(&both).contains("cannot be used with"),
        "{both:?}"
    );
}

/// `explain` with RFC 5849 section 3.1's request: the base string is the RFC's, byte for byte,
/// and every parameter is listed in the order signed with where it came from.
const RFC_3_1: &[&str] = &[
    "explain",
    "--method=POST",
    "--url=http://example.com/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b",
    "--consumer-key=9djdj82h48djs9d2",
    "--consumer-secret=j49sk3j29djd",
    "--token=kkk9d7dh3k39sjv7",
    "--token-secret=dh893hdasih9",
    "--signature-method=HMAC-SHA1",
    "--timestamp=137131201",
    "--nonce=7d8f3e4a",
    "--no-version",
    "--form=c2=",
    "--form=a3=2 q",
];

/// The base string RFC 5849 section 3.4.1.1 prints for that request.
const RFC_3_1_BASE_STRING: &str = "POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q%26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D%26c2%3D%26oauth_consumer_key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk9d7dh3k39sjv7";

#[test]
fn explain_shows_the_rfcs_base_string_and_where_each_parameter_came_from() {
    let expect = format!("--expect-base-string={RFC_3_1_BASE_STRING}");
    let run = countersign(&[RFC_3_1, &[expect.as_str()]].concat());
    assert_eq!(run.code, Some(0), "{run:?}");
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines[0], "Method:          POST");
    assert_eq!(lines[1], "Base string URI: http://example.com/request");
    let sources: Vec<(&str, &str)> = lines[3..14]
        .iter()
        .map(|l| {
            let mut words = l.split_whitespace();
            (words.next().unwrap(), l.rsplit("  ").next().unwrap().trim())
        })
        .collect();
    assert_eq!(
        sources,
        [
            ("a2=r%20b", "query"),
            ("a3=2%20q", "form body"),
            ("a3=a", "query"),
            ("b5=%3D%253D", "query"),
            ("c%40=", "query"),
            ("c2=", "form body"),
            ("oauth_consumer_key=9djdj82h48djs9d2", "protocol"),
            ("oauth_nonce=7d8f3e4a", "protocol"),
            ("oauth_signature_method=HMAC-SHA1", "protocol"),
            ("oauth_timestamp=137131201", "protocol"),
            ("oauth_token=kkk9d7dh3k39sjv7", "protocol"),
        ]
    );
    assert_eq!(lines[15], format!("  {RFC_3_1_BASE_STRING}"));
    assert!(
        run.stdout
            .contains("oauth_signature=\"r6%2FTJjbCOr97%2F%2BUU0NsvSne7s5g%3D\""),
        "{}",
        run.stdout
    );
    assert!(run.stdout.ends_with("The expected base string matches.\n"));
    for secret in ["j49sk3j29djd", "dh893hdasih9"] {
        assert!(!run.stdout.contains(secret) && !run.stderr.contains(secret));
    }
}

#[test]
fn explain_says_where_an_expected_base_string_differs() {
    // The explanation on stdout, then one line on stderr saying where, and exit 1.
    let differs = |expected: &str| {
        let run = countersign(
            &[
                RFC_3_1,
                &[format!("--expect-base-string={expected}").as_str()],
            ]
            .concat(),
        );
        assert_eq!(run.code, Some(1), "{run:?}");
        assert!(run.stdout.starts_with("Method:"));
        assert_eq!(run.stderr.lines().count(), 1, "{run:?}");
        run.stderr
    };
    // A provider that saw another timestamp.
    let later = RFC_3_1_BASE_STRING.replace("137131201", "137131202");
    let line = differs(&later);
    assert!(
        line.contains("first in parameter 10 of the sorted list: expected \"oauth_timestamp%3D137131202\", computed \"oauth_timestamp%3D137131201\""),
        "{line}"
    );
    // One behind a proxy that ended TLS: the scheme.
    let https = RFC_3_1_BASE_STRING.replace("http%3A", "https%3A");
    assert!(differs(&https).contains("first in the base string URI"));
    // One that read the form body's `+` as a plus.
    let plus = RFC_3_1_BASE_STRING.replace("a3%3D2%2520q", "a3%3D2%252Bq");
    assert!(differs(&plus).contains("parameter 2 of the sorted list"));
}

#[test]
fn explain_redacts_the_secrets() {
    let run = countersign(&[
        "explain",
        "--method=POST",
        "--url=https://api.example.com/oauth/access_token",
        "--consumer-key=key",
        "--consumer-secret=consumer-Secret-1",
        "--token=tok",
        "--token-secret=token-Secret-2",
        "--verifier=verifier-Secret-3",
        "--timestamp=1",
        "--nonce=n",
    ]);
    assert_eq!(run.code, Some(0), "{run:?}");
    for secret in ["Secret-1", "Secret-2", "Secret-3"] {
        assert!(!run.stdout.contains(secret), "{secret}: {}", run.stdout);
    }
    assert!(run.stdout.contains("oauth_verifier=[redacted]"));
    assert!(run.stdout.contains("oauth_signature=\"[redacted]\""));
    assert!(run.stdout.contains("PLAINTEXT signs no base string"));
}

/// A test key of the core crate (`crates/countersign/tests/data/rsa/`).
fn rsa_key_path(name: &str) -> String {
    format!(
        "{}/../countersign/tests/data/rsa/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

/// `--signature-method RSA-SHA1|RSA-SHA256 --private-key PATH`, no consumer secret: the header
/// the library writes, byte for byte, and its signature verifies with the public key.
#[test]
fn rsa_with_a_private_key_file() {
    use countersign::signature::{SignatureMethod, verify_rsa};
    use countersign::{ClientCredentials, Request, RsaPrivateKey, Signer, TokenCredentials};

    let path = rsa_key_path("test-2048.pem");
    let key = RsaPrivateKey::from_pem(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let url = "https://jira.example/plugins/servlet/oauth/request-token?x=1";
    for method in [SignatureMethod::RsaSha1, SignatureMethod::RsaSha256] {
        let run = countersign(&[
            "sign",
            "--method",
            "POST",
            "--url",
            url,
            "--consumer-key",
            "jira-consumer",
            "--private-key",
            &path,
            "--token",
            TOKEN,
            "--token-secret",
            TOKEN_SECRET,
            "--signature-method",
            method.as_str(),
            "--timestamp",
            "1700000000",
            "--nonce",
            "rsaNonce",
        ]);
        let client = ClientCredentials::with_rsa_key("jira-consumer", key.clone());
        let token = TokenCredentials::new(TOKEN, TOKEN_SECRET);
        let request = Request::post(url);
        let expected = Signer::new(&client)
            .token(&token)
            .signature_method(method)
            .timestamp(1_700_000_000)
            .nonce("rsaNonce")
            .sign(&request)
            .unwrap()
            .to_authorization();
        assert_success(&run, &format!("{}\n", expected.as_str()));
        let signature = countersign::encode::decode(param(&run.stdout, "oauth_signature").unwrap())
            .unwrap()
            .into_owned();
        let parsed = countersign::ParsedAuthorization::parse(run.stdout.trim_end()).unwrap();
        let owned: Vec<(String, String)> = parsed
            .params()
            .filter(|(name, _)| name != "oauth_signature" && name != "realm")
            .map(|(name, value)| (name.into_owned(), value.into_owned()))
            .collect();
        let protocol: Vec<(&str, &str)> = owned
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_str()))
            .collect();
        let base = countersign::base_string::base_string(&request, &protocol).unwrap();
        assert!(verify_rsa(
            method,
            &key.public_key(),
            base.as_bytes(),
            &signature
        ));
    }
}

#[test]
fn rsa_mistakes_say_what_to_do() {
    let request = [
        "sign",
        "--method",
        "GET",
        "--url",
        "https://jira.example/rest",
        "--consumer-key",
        "jira-consumer",
    ];
    // An RSA method with only the consumer secret.
    let run = run_parts(
        &[
            &request,
            &[
                "--signature-method",
                "RSA-SHA1",
                "--consumer-secret",
                CONSUMER_SECRET,
            ],
        ],
        &[],
    );
    assert!(assert_one_line_error(&run, 1).contains("--private-key"));
    assert_no_secret(&run);
    // A method that needs the consumer secret, with only the private key.
    let key = rsa_key_path("test-2048.pem");
    let run = run_parts(
        &[
            &request,
            &["--signature-method", "HMAC-SHA1", "--private-key", &key],
        ],
        &[],
    );
    assert!(assert_one_line_error(&run, 1).contains("--consumer-secret"));
    // Neither.
    assert!(assert_usage_error(&countersign(&request)).contains("--consumer-secret"));
    // An encrypted key, a public key, a file that is not there.
    for (file, says) in [
        ("encrypted.pem", "decrypt it first"),
        ("test-2048.pub.pem", "the private key"),
        ("no-such-key.pem", "cannot read the private key file"),
    ] {
        let path = rsa_key_path(file);
        let run = run_parts(
            &[
                &request,
                &["--signature-method", "RSA-SHA256", "--private-key", &path],
            ],
            &[],
        );
        let line = assert_one_line_error(&run, 1);
        assert!(line.contains(says), "{line}");
        assert!(!line.contains("MII"), "{line}");
    }
}
