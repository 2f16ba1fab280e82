//! Python oauthlib's OAuth 1.0a endpoints on loopback (`interop/oauthlib_provider.py` in this
//! crate), started from the interpreter that `COUNTERSIGN_OAUTHLIB_PYTHON` names: `.ci/run` makes
//! a virtual environment with a pinned oauthlib and sets it.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, ChildStdin, Command, Stdio};

/// The client credentials the script registers (oauthlib's default validator wants a key of 20
/// to 30 alphanumeric characters).
/// The consumer key.
pub const CLIENT_KEY: &str = "countersignInteropKey01";
/// The consumer secret.
pub const CLIENT_SECRET: &str = "countersign-interop-secret";

/// The environment variable that names the Python interpreter.
pub const PYTHON_VAR: &str = "COUNTERSIGN_OAUTHLIB_PYTHON";

/// The provider, running; it stops when dropped.
pub struct Oauthlib {
    child: Child,
    // Held open: the script exits when its standard input closes.
    _stdin: ChildStdin,
    base: String,
}

impl Oauthlib {
    /// Starts the provider.
    ///
    /// # Panics
    /// When `COUNTERSIGN_OAUTHLIB_PYTHON` is not set (the message says how to set it), or the
    /// script does not start.
    pub fn start() -> Self {
        let python = std::env::var(PYTHON_VAR).unwrap_or_else(|_| {
            panic!(
                "set {PYTHON_VAR} to a Python interpreter that has oauthlib \
                 (`.ci/run` makes one), or leave these ignored tests alone"
            )
        });
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/interop/oauthlib_provider.py");
        let mut child = Command::new(&python)
            .arg(script)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {python}: {e}"));
        let stdin = child.stdin.take().unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        if !line.starts_with("http://127.0.0.1:") {
            let mut stderr = String::new();
            let _ = child.stderr.take().unwrap().read_to_string(&mut stderr);
            panic!("the oauthlib provider did not start: {line:?}\n{stderr}");
        }
        Self {
            child,
            _stdin: stdin,
            base: line.trim().to_owned(),
        }
    }

    /// `path` on the provider.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

impl Drop for Oauthlib {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// oauthlib's signature checks (`interop/oauthlib_verify.py` in this crate), one request at a
/// time over a pipe, with the interpreter that `COUNTERSIGN_OAUTHLIB_PYTHON` names (with
/// `oauthlib[signedtoken]` for the RSA methods); it stops when dropped.
pub struct OauthlibVerifier {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<std::process::ChildStdout>,
}

impl OauthlibVerifier {
    /// Starts the script.
    ///
    /// # Panics
    /// When `COUNTERSIGN_OAUTHLIB_PYTHON` is not set (the message says how to set it), or the
    /// script does not start.
    pub fn start() -> Self {
        let python = std::env::var(PYTHON_VAR).unwrap_or_else(|_| {
            panic!(
                "set {PYTHON_VAR} to a Python interpreter that has oauthlib[signedtoken] \
                 (`.ci/run` makes one: python3 -m venv v && v/bin/pip install \
                 'oauthlib[signedtoken]==4.0.1'), or leave these ignored tests alone"
            )
        });
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/interop/oauthlib_verify.py");
        let mut child = Command::new(&python)
            .arg(script)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {python}: {e}"));
        let stdin = child.stdin.take().unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        Self {
            child,
            stdin,
            stdout,
        }
    }

    /// oauthlib's verdict on one signed request: `ok`, `bad-signature`, `bad-body-hash`, or
    /// `error: ...`. `job` is the JSON object the script reads (see its documentation).
    ///
    /// # Panics
    /// When the script has exited.
    pub fn verdict(&mut self, job: &serde_json::Value) -> String {
        use std::io::Write as _;
        writeln!(self.stdin, "{job}").expect("the oauthlib script is running");
        self.stdin.flush().unwrap();
        let mut line = String::new();
        self.stdout.read_line(&mut line).unwrap();
        assert!(
            !line.is_empty(),
            "the oauthlib script exited (see its stderr)"
        );
        line.trim_end().to_owned()
    }
}

impl Drop for OauthlibVerifier {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
