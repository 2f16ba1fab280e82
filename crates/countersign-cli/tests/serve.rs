//! `countersign serve`, run as a process: the base URL on the first line, a whole flow over
//! loopback against it, a clean stop on SIGINT and SIGTERM, and one-line errors.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use countersign::{
    Callback, ClientCredentials, Request, Secret, Signer, TokenCredentials, TokenResponse,
};

const BIN: &str = env!("CARGO_BIN_EXE_countersign");

/// A command with none of the developer's `COUNTERSIGN_*` variables.
fn command(args: &[&str]) -> Command {
    let mut command = Command::new(BIN);
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("COUNTERSIGN_") {
            command.env_remove(name);
        }
    }
    command.args(args).env("NO_COLOR", "1");
    command
}

/// A running `countersign serve`, killed if a test fails before stopping it.
struct Server {
    child: Child,
    base_url: String,
    _stdout: BufReader<ChildStdout>,
}

impl Server {
    fn start(args: &[&str], env: &[(&str, &str)]) -> Self {
        let mut all = vec!["serve", "--listen", "127.0.0.1:0"];
        all.extend_from_slice(args);
        let mut child = command(&all)
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("countersign serve starts");
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        let base_url = line
            .strip_suffix('\n')
            .unwrap_or_else(|| panic!("no first line: {line:?}"))
            .to_owned();
        assert!(base_url.starts_with("http://127.0.0.1:"), "{base_url}");
        Self {
            child,
            base_url,
            _stdout: stdout,
        }
    }

    fn addr(&self) -> String {
        self.base_url.trim_start_matches("http://").to_owned()
    }

    /// Sends `signal`, waits, and returns the exit code and stderr.
    fn stop(mut self, signal: &str) -> (Option<i32>, String) {
        let status = Command::new("kill")
            .args([signal, &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let mut stderr = String::new();
        self.child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut stderr)
            .unwrap();
        let code = self.child.wait().unwrap().code();
        (code, stderr)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One raw HTTP/1.1 request; the status line's code, the `Location` header and the body.
fn http(
    addr: &str,
    method: &str,
    target: &str,
    authorization: Option<&str>,
) -> (u16, Option<String>, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let mut request = format!(
        "{method} {target} HTTP/1.1\r\nHost: {addr}\r\nUser-Agent: countersign-cli-tests\r\nConnection: close\r\nContent-Length: 0\r\n"
    );
    if let Some(value) = authorization {
        request.push_str(&format!("Authorization: {value}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    let location = head
        .lines()
        .find_map(|l| l.strip_prefix("location: "))
        .map(str::to_owned);
    (status, location, body.to_owned())
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// The header for `method url`, signed now with a nonce of its own.
fn oauth(
    method: &str,
    url: &str,
    client: &ClientCredentials,
    token: Option<&TokenCredentials>,
    callback: Option<&str>,
    verifier: Option<&Secret>,
    nonce: &str,
) -> String {
    let mut signer = Signer::new(client).timestamp(now()).nonce(nonce);
    if let Some(token) = token {
        signer = signer.token(token);
    }
    if let Some(callback) = callback {
        signer = signer.callback(callback);
    }
    if let Some(verifier) = verifier {
        signer = signer.verifier(verifier);
    }
    signer
        .sign(&Request::new(method, url))
        .unwrap()
        .to_authorization()
        .as_str()
        .to_owned()
}

/// The three legs and the identity, in automation mode; returns the identity's body.
fn flow(server: &Server, client: &ClientCredentials, callback: &str, tag: &str) -> String {
    let addr = server.addr();
    let url = |path: &str| format!("{}{path}", server.base_url);
    let header = oauth(
        "POST",
        &url("/oauth/request_token"),
        client,
        None,
        Some(callback),
        None,
        &format!("{tag}1"),
    );
    let (status, _, body) = http(&addr, "POST", "/oauth/request_token", Some(&header));
    assert_eq!(status, 200, "{body}");
    let temporary = TokenResponse::parse_temporary(body.as_bytes())
        .unwrap()
        .into_credentials();

    let (status, location, body) = http(
        &addr,
        "GET",
        &format!("/oauth/authorize?oauth_token={}", temporary.token()),
        None,
    );
    let answer = match status {
        302 => location.unwrap(),
        200 => body,
        _ => panic!("{status} {body}"),
    };
    let verifier = match Callback::parse(&answer).unwrap() {
        Callback::Approved { verifier, .. } => verifier.into_secret(),
        other => panic!("{other:?}"),
    };

    let header = oauth(
        "POST",
        &url("/oauth/access_token"),
        client,
        Some(&temporary),
        None,
        Some(&verifier),
        &format!("{tag}2"),
    );
    let (status, _, body) = http(&addr, "POST", "/oauth/access_token", Some(&header));
    assert_eq!(status, 200, "{body}");
    let access = TokenResponse::parse(body.as_bytes())
        .unwrap()
        .into_credentials();

    let header = oauth(
        "GET",
        &url("/oauth/identity"),
        client,
        Some(&access),
        None,
        None,
        &format!("{tag}3"),
    );
    let (status, _, body) = http(&addr, "GET", "/oauth/identity", Some(&header));
    assert_eq!(status, 200, "{body}");
    body
}

#[test]
fn serves_the_flow_and_stops_cleanly_on_sigint() {
    let server = Server::start(
        &[
            "--consumer-key",
            "cli-key",
            "--consumer-secret",
            "cli-secret-value",
            "--auto-approve",
        ],
        &[],
    );
    let client = ClientCredentials::new("cli-key", "cli-secret-value");
    let identity = flow(&server, &client, "oob", "a");
    assert_eq!(
        identity,
        format!(
            "{{\"consumer_name\":\"countersign serve\",\"id\":1,\"resource_url\":\"{}/users/example\",\"username\":\"example\"}}",
            server.base_url
        )
    );
    flow(&server, &client, "http://127.0.0.1:9/cb?x=1", "b");

    // A refusal is logged with its reason, without the secret.
    let wrong = ClientCredentials::new("cli-key", "not-it");
    let header = oauth(
        "POST",
        &format!("{}/oauth/request_token", server.base_url),
        &wrong,
        None,
        Some("oob"),
        None,
        "c1",
    );
    let (status, _, body) = http(
        &server.addr(),
        "POST",
        "/oauth/request_token",
        Some(&header),
    );
    assert_eq!((status, body.as_str()), (401, "Invalid signature."));

    let (code, stderr) = server.stop("-INT");
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stderr.contains("countersign serve: refused 401 POST /oauth/request_token: signature does not match (consumer key \"cli-key\")"),
        "{stderr}"
    );
    assert!(stderr.contains("consumer key \"cli-key\""), "{stderr}");
    assert!(
        stderr.ends_with("countersign serve: stopping\n"),
        "{stderr}"
    );
    assert!(!stderr.contains("cli-secret-value"), "{stderr}");
    assert!(!stderr.contains("not-it"), "{stderr}");
}

#[test]
fn defaults_and_the_environment() {
    // No credentials: the default consumer, and the log says how to use it.
    let server = Server::start(&["--auto-approve"], &[]);
    let client = ClientCredentials::new("countersign-local-key", "countersign-local-secret");
    assert!(
        flow(&server, &client, "oob", "d").contains("\"consumer_name\":\"countersign local app\"")
    );
    let (code, stderr) = server.stop("-TERM");
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stderr.starts_with("countersign serve: the local provider is at http://127.0.0.1:"),
        "{stderr}"
    );
    assert!(
        stderr.contains("with the secret \"countersign-local-secret\""),
        "{stderr}"
    );
    // The login line to paste, whole.
    let base = server_base(&stderr);
    assert!(
        stderr.contains(&format!(
            "countersign serve: log in with: countersign login --provider local --base-url {base} --consumer-key countersign-local-key --consumer-secret countersign-local-secret\n"
        )),
        "{stderr}"
    );

    // Credentials from the environment.
    let server = Server::start(
        &["--auto-approve"],
        &[
            ("COUNTERSIGN_CONSUMER_KEY", "env-key"),
            ("COUNTERSIGN_CONSUMER_SECRET", "env-secret"),
        ],
    );
    let client = ClientCredentials::new("env-key", "env-secret");
    flow(&server, &client, "oob", "e");
    let (code, stderr) = server.stop("-TERM");
    assert_eq!(code, Some(0));
    assert!(!stderr.contains("env-secret"), "{stderr}");
    // A secret of your own is never printed: the line says where it comes from.
    assert!(
        stderr.contains(&format!(
            "log in with: countersign login --provider local --base-url {} --consumer-key env-key (with COUNTERSIGN_CONSUMER_SECRET set)\n",
            server_base(&stderr)
        )),
        "{stderr}"
    );
}

/// The base URL the log's first line names.
fn server_base(stderr: &str) -> String {
    let start = stderr
        .find("http://127.0.0.1:")
        .expect("a base URL in the log");
    stderr[start..].split(';').next().unwrap().to_owned()
}

#[test]
fn without_auto_approve_the_authorize_page_asks() {
    let server = Server::start(&[], &[]);
    let client = ClientCredentials::new("countersign-local-key", "countersign-local-secret");
    let header = oauth(
        "POST",
        &format!("{}/oauth/request_token", server.base_url),
        &client,
        None,
        Some("oob"),
        None,
        "p1",
    );
    let (_, _, body) = http(
        &server.addr(),
        "POST",
        "/oauth/request_token",
        Some(&header),
    );
    let temporary = TokenResponse::parse_temporary(body.as_bytes())
        .unwrap()
        .into_credentials();
    let (status, _, page) = http(
        &server.addr(),
        "GET",
        &format!("/oauth/authorize?oauth_token={}", temporary.token()),
        None,
    );
    assert_eq!(status, 200);
    assert!(
        page.contains(
            "<button type=\"submit\" name=\"decision\" value=\"approve\">Approve</button>"
        ),
        "{page}"
    );
}

/// Runs `countersign serve` expecting it to fail at once; returns its one stderr line.
fn fails(args: &[&str], env: &[(&str, &str)]) -> String {
    let output = command(args)
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(output.stdout.is_empty());
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    let line = stderr
        .strip_prefix("countersign: error: ")
        .unwrap_or_else(|| panic!("{stderr}"));
    line.trim_end().to_owned()
}

/// Runs `countersign serve` expecting a usage error; returns clap's message.
fn refused(args: &[&str], env: &[(&str, &str)]) -> String {
    let output = command(args)
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(output.stdout.is_empty());
    stderr
}

#[test]
fn bad_command_lines_are_usage_errors() {
    let message = refused(&["serve", "--listen", "0.0.0.0:8080"], &[]);
    assert!(
        message.contains("for '--listen <ADDRESS:PORT>': a loopback address"),
        "{message}"
    );
    let message = refused(&["serve", "--listen", "localhost"], &[]);
    assert!(
        message.contains("for '--listen <ADDRESS:PORT>': ADDRESS:PORT, such as 127.0.0.1:8080"),
        "{message}"
    );
    let message = refused(
        &["serve", "--listen", "127.0.0.1:0", "--consumer-key", "k"],
        &[],
    );
    assert!(
        message.contains("not provided:\n  --consumer-secret"),
        "{message}"
    );
    let message = refused(
        &["serve", "--listen", "127.0.0.1:0"],
        &[("COUNTERSIGN_CONSUMER_SECRET", "hidden-value")],
    );
    assert!(
        message.contains("not provided:\n  --consumer-key"),
        "{message}"
    );
    assert!(
        message.contains("environment variable COUNTERSIGN_CONSUMER_KEY"),
        "{message}"
    );
    assert!(!message.contains("hidden-value"));
}

#[test]
fn a_port_in_use_is_one_line_with_exit_code_1() {
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = taken.local_addr().unwrap().to_string();
    let line = fails(&["serve", "--listen", &address], &[]);
    assert!(
        line.starts_with(&format!("cannot listen on {address}: ")),
        "{line}"
    );
}

#[test]
fn help_documents_the_output_and_exit_codes() {
    let output = command(&["serve", "--help"]).output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    let help = String::from_utf8(output.stdout).unwrap();
    for needle in [
        "--listen <ADDRESS:PORT>",
        "[default: 127.0.0.1:8080]",
        "--auto-approve",
        "The first line on stdout is the base URL",
        "0  stopped by Ctrl-C (SIGINT) or SIGTERM",
        "1  the provider cannot start",
        "COUNTERSIGN_CONSUMER_SECRET",
    ] {
        assert!(help.contains(needle), "lacks {needle:?}:\n{help}");
    }
}

/// One raw HTTP/1.1 POST of a form body; the status line's code and the body.
fn post_form(addr: &str, target: &str, authorization: &str, body: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let request = format!(
        "POST {target} HTTP/1.1\r\nHost: {addr}\r\nUser-Agent: countersign-cli-tests\r\n\
         Connection: close\r\nContent-Type: application/x-www-form-urlencoded\r\n\
         Content-Length: {}\r\nAuthorization: {authorization}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap();
    (
        head.split(' ').nth(1).unwrap().parse().unwrap(),
        body.to_owned(),
    )
}

/// `countersign sign --form oauth_callback=...` signs the callback as a form field and leaves it
/// out of the header: the request the official Discogs Python client sends. `serve` accepts it,
/// as Discogs does; `serve --strict` refuses it.
#[test]
fn serve_accepts_what_sign_writes_with_a_form_callback() {
    for (strict, expected) in [(false, 200), (true, 400)] {
        let args: &[&str] = if strict { &["--strict"] } else { &[] };
        let server = Server::start(args, &[]);
        let url = format!("{}/oauth/request_token", server.base_url);
        for method in ["PLAINTEXT", "HMAC-SHA1", "HMAC-SHA256", "HMAC-SHA512"] {
            let nonce = format!("form{method}{strict}");
            let output = command(&[
                "sign",
                "--method=POST",
                &format!("--url={url}"),
                "--consumer-key=countersign-local-key",
                "--consumer-secret=countersign-local-secret",
                &format!("--signature-method={method}"),
                &format!("--nonce={nonce}"),
                "--form=oauth_callback=oob",
            ])
            .output()
            .unwrap();
            assert!(output.status.success(), "{output:?}");
            let header = String::from_utf8(output.stdout).unwrap();
            assert!(!header.contains("oauth_callback"), "{header}");
            let (status, body) = post_form(
                &server.addr(),
                "/oauth/request_token",
                header.trim_end(),
                "oauth_callback=oob",
            );
            assert_eq!(status, expected, "strict {strict}, {method}: {body}");
        }
    }
}

#[test]
fn a_personal_token_given_to_serve_is_accepted() {
    let server = Server::start(&[], &[("COUNTERSIGN_PERSONAL_TOKEN", "my-personal-token")]);
    let (status, _, body) = http(
        &server.addr(),
        "GET",
        "/oauth/identity",
        Some("Discogs token=my-personal-token"),
    );
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("\"username\":\"example\""), "{body}");
    let (status, _, _) = http(
        &server.addr(),
        "GET",
        "/oauth/identity",
        Some("Discogs token=another-token"),
    );
    assert_eq!(status, 401);
    let (code, stderr) = server.stop("-TERM");
    assert_eq!(code, Some(0));
    assert!(!stderr.contains("my-personal-token"), "{stderr}");
}

/// Two `countersign serve` sharing one Redis (a real `redis-server`, started by the test):
/// a request-token request replayed from one to the other is refused; two without Redis each
/// accept it.
#[test]
fn two_serves_sharing_redis_refuse_a_replay_from_one_to_the_other() {
    let redis = countersign_test_support::redis::RedisServer::start();
    let client = ClientCredentials::new("countersign-local-key", "countersign-local-secret");
    for (shared, second) in [(true, 401), (false, 200)] {
        let args: Vec<String> = if shared {
            vec!["--nonce-store".into(), redis.url()]
        } else {
            Vec::new()
        };
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let one = Server::start(&args, &[]);
        let two = Server::start(&args, &[]);
        // PLAINTEXT signs no URL, so one header fits both.
        let url = format!("{}/oauth/request_token", one.base_url);
        let header = oauth(
            "POST",
            &url,
            &client,
            None,
            Some("oob"),
            None,
            &format!("r{shared}"),
        );
        let (status, _, body) = http(&one.addr(), "POST", "/oauth/request_token", Some(&header));
        assert_eq!(status, 200, "{body}");
        let (status, _, body) = http(&two.addr(), "POST", "/oauth/request_token", Some(&header));
        assert_eq!(status, second, "shared {shared}: {body}");
        if second == 401 {
            assert_eq!(body, "Nonce already used.");
        }
    }
}

#[test]
fn a_nonce_store_that_does_not_answer_stops_serve_at_once() {
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    drop(taken);
    let line = fails(
        &[
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--nonce-store",
            &format!("redis://:hunter2@127.0.0.1:{port}"),
        ],
        &[],
    );
    assert!(
        line.starts_with(
            "cannot use the nonce store given with --nonce-store (the store could not answer: "
        ),
        "{line}"
    );
    assert!(
        line.ends_with("start Redis, or leave --nonce-store out to keep nonces in memory"),
        "{line}"
    );
    assert!(!line.contains("hunter2"), "{line}");
    let message = refused(&["serve", "--nonce-store", "http://127.0.0.1:6379"], &[]);
    assert!(
        message.contains("a Redis URL, such as redis://127.0.0.1:6379"),
        "{message}"
    );
    let message = refused(&["serve", "--public-url", "api.example.com"], &[]);
    assert!(message.contains("absolute http or https URL"), "{message}");
}
