//! What the end-to-end tests of `demo`, `login` and `request` share: the binary run in a sandbox
//! (its own config directory, none of the developer's `COUNTERSIGN_*` or proxy variables), a
//! local provider, a stand-in browser over raw loopback HTTP, and the check that no secret was
//! printed.

#![allow(dead_code, unreachable_pub)]

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStderr, Command, Stdio};

use countersign_provider::{BlockingProviderHandle, Consumer, LocalProvider};

pub const BIN: &str = env!("CARGO_BIN_EXE_countersign");

/// The consumer the tests' providers register.
pub const KEY: &str = "cli-test-key";
pub const SECRET: &str = "cli-test-secret-Zq81";
pub const CONSUMER_NAME: &str = "countersign cli tests";

/// What a run of the binary printed, and how it ended.
#[derive(Debug)]
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// The one stderr line of a failure, without its `countersign: error: ` prefix, after
    /// checking the exit code.
    pub fn error_line(&self, code: i32) -> &str {
        assert_eq!(self.code, Some(code), "{self:?}");
        assert_eq!(self.stderr.lines().count(), 1, "{self:?}");
        self.stderr
            .strip_prefix("countersign: error: ")
            .unwrap_or_else(|| panic!("{self:?}"))
            .trim_end()
    }

    /// Asserts that none of `secrets` (nor the shape of a token response) appears in anything the
    /// binary printed.
    pub fn assert_no_secret(&self, secrets: &[&str]) {
        for text in [&self.stdout, &self.stderr] {
            for secret in secrets.iter().filter(|s| !s.is_empty()) {
                assert!(!text.contains(secret), "{secret:?} printed: {self:?}");
            }
            for shape in ["oauth_token_secret", "oauth_verifier=", "oauth_signature="] {
                assert!(!text.contains(shape), "{shape} printed: {self:?}");
            }
        }
    }
}

/// A directory of the test's own, emptied first and removed at the end, that is also the
/// binary's home and configuration directory.
pub struct Sandbox {
    pub dir: PathBuf,
}

impl Sandbox {
    pub fn new(name: &str) -> Self {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("cli-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("home")).unwrap();
        Self { dir }
    }

    /// Where the tests have the credentials saved: a directory that does not exist yet.
    pub fn credentials(&self) -> PathBuf {
        self.dir.join("saved").join("credentials.json")
    }

    /// `XDG_CONFIG_HOME` of the binary.
    pub fn config_home(&self) -> PathBuf {
        self.dir.join("config")
    }

    /// The binary with `args`, with only the environment variables a test gives it on top of a
    /// clean one: no `COUNTERSIGN_*`, no proxy, home and configuration inside the sandbox.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(BIN);
        for (name, _) in std::env::vars_os() {
            let name_text = name.to_string_lossy().to_ascii_uppercase();
            if name_text.starts_with("COUNTERSIGN_") || name_text.ends_with("_PROXY") {
                command.env_remove(&name);
            }
        }
        command
            .args(args)
            .env("HOME", self.dir.join("home"))
            .env("XDG_CONFIG_HOME", self.config_home())
            .env("NO_COLOR", "1")
            .env_remove("CLICOLOR_FORCE");
        command
    }

    /// Runs the binary to the end with `stdin` as its input.
    pub fn run(&self, args: &[&str], env: &[(&str, &str)], stdin: &[u8]) -> Run {
        let mut child = self
            .command(args)
            .envs(env.iter().copied())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the countersign binary runs");
        let mut input = child.stdin.take().unwrap();
        input.write_all(stdin).unwrap();
        drop(input);
        finish(child)
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn finish(child: Child) -> Run {
    let output = child.wait_with_output().unwrap();
    Run {
        code: output.status.code(),
        stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
    }
}

/// A local provider in this process, approving at once, with the tests' consumer.
pub fn provider() -> BlockingProviderHandle {
    LocalProvider::builder()
        .auto_approve(true)
        .consumer(Consumer::new(KEY, SECRET, CONSUMER_NAME))
        .start_blocking()
        .expect("the local provider starts")
}

/// The `login` flags for a provider at `base`, given by its URLs.
pub fn provider_flags(base: &str) -> Vec<String> {
    [
        ("--request-token-url", "/oauth/request_token"),
        ("--authorize-url", "/oauth/authorize"),
        ("--access-token-url", "/oauth/access_token"),
        ("--identity-url", "/oauth/identity"),
    ]
    .iter()
    .flat_map(|(flag, path)| [(*flag).to_owned(), format!("{base}{path}")])
    .collect()
}

pub use countersign_test_support::browser::get;

/// The value of `name` in a query string or form body.
pub fn param(query: &str, name: &str) -> String {
    let query = query.rsplit_once('?').map_or(query, |(_, q)| q);
    query
        .split('&')
        .find_map(|pair| pair.strip_prefix(&format!("{name}=")))
        .unwrap_or_else(|| panic!("no {name} in {query}"))
        .to_owned()
}

/// A `countersign login` under way, its stderr read line by line.
pub struct Login {
    child: Child,
    stderr: BufReader<ChildStderr>,
    seen: String,
}

impl Login {
    pub fn start(sandbox: &Sandbox, args: &[&str], env: &[(&str, &str)]) -> Self {
        let mut all = vec!["login", "--no-browser"];
        all.extend_from_slice(args);
        let mut child = sandbox
            .command(&all)
            .envs(env.iter().copied())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("countersign login starts");
        let stderr = BufReader::new(child.stderr.take().unwrap());
        Self {
            child,
            stderr,
            seen: String::new(),
        }
    }

    /// Reads stderr up to the first line that `matches`, and returns that line. Panics if the
    /// process ends first.
    pub fn line_where(&mut self, matches: impl Fn(&str) -> bool) -> String {
        loop {
            let mut line = String::new();
            let n = self.stderr.read_line(&mut line).unwrap();
            assert!(n > 0, "login ended early; stderr so far:\n{}", self.seen);
            self.seen.push_str(&line);
            let line = line.trim_end();
            if matches(line) {
                return line.to_owned();
            }
        }
    }

    /// The authorize URL: the first line that is a URL and nothing else.
    pub fn authorize_url(&mut self) -> String {
        self.line_where(|line| line.starts_with("http://") && !line.contains(' '))
    }

    /// Writes `text` to the process's stdin and closes it.
    pub fn type_in(&mut self, text: &str) {
        let mut stdin = self.child.stdin.take().unwrap();
        stdin.write_all(text.as_bytes()).unwrap();
    }

    /// Closes stdin, waits for the end, and returns everything printed.
    pub fn finish(mut self) -> Run {
        drop(self.child.stdin.take());
        let mut rest = String::new();
        self.stderr.read_to_string(&mut rest).unwrap();
        let mut run = finish(self.child);
        run.stderr = self.seen + &rest;
        run
    }
}

/// Logs in out of band against `provider` (which approves at once), saving to the sandbox's
/// credentials file; returns the run and the verifier that was pasted.
pub fn login_oob(sandbox: &Sandbox, provider: &BlockingProviderHandle) -> (Run, String) {
    let flags = provider_flags(provider.base_url());
    let mut args: Vec<&str> = flags.iter().map(String::as_str).collect();
    let credentials = sandbox.credentials();
    args.extend([
        "--consumer-key",
        KEY,
        "--consumer-secret",
        SECRET,
        "--credentials-file",
        credentials.to_str().unwrap(),
    ]);
    let mut login = Login::start(sandbox, &args, &[]);
    let url = login.authorize_url();
    // Automation mode answers an out-of-band authorization with the verifier as a form body.
    let answer = get(&url);
    assert_eq!(answer.status, 200, "{answer:?}");
    let verifier = param(&answer.body, "oauth_verifier");
    login.type_in(&format!("{verifier}\n"));
    let run = login.finish();
    assert_eq!(run.code, Some(0), "{run:?}");
    (run, verifier)
}

/// The saved credentials, as JSON.
pub fn saved(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The secrets in a saved credentials file.
pub fn saved_secrets(path: &Path) -> Vec<String> {
    let saved = saved(path);
    ["consumer_secret", "token_secret"]
        .iter()
        .map(|field| saved[field].as_str().unwrap().to_owned())
        .collect()
}

/// The permission bits of `path`.
#[cfg(unix)]
pub fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// A running `countersign serve` with the tests' consumer, killed at the end.
pub struct Serve {
    child: std::process::Child,
    pub base_url: String,
}

impl Serve {
    /// `countersign serve --auto-approve`.
    pub fn start(sandbox: &Sandbox) -> Self {
        Self::with(sandbox, &["--auto-approve"])
    }

    /// `countersign serve` on a free loopback port with `extra` options.
    pub fn with(sandbox: &Sandbox, extra: &[&str]) -> Self {
        use std::io::{BufRead, BufReader};
        use std::process::Stdio;

        let mut args = vec!["serve", "--listen", "127.0.0.1:0"];
        args.extend_from_slice(extra);
        let mut child = sandbox
            .command(&args)
            .env("COUNTERSIGN_CONSUMER_KEY", KEY)
            .env("COUNTERSIGN_CONSUMER_SECRET", SECRET)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("countersign serve starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let base_url = line.trim_end().to_owned();
        assert!(base_url.starts_with("http://127.0.0.1:"), "{base_url:?}");
        Self { child, base_url }
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
