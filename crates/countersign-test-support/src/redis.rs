//! A real `redis-server` on a free loopback port, started for one test and stopped when dropped.

use std::io::Read;
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long the server has to start listening.
const START_TIMEOUT: Duration = Duration::from_secs(10);

/// A `redis-server` child process on `127.0.0.1`, without persistence; killed on drop.
pub struct RedisServer {
    child: Child,
    port: u16,
}

impl RedisServer {
    /// Starts `redis-server` (from `PATH`, or the program `COUNTERSIGN_REDIS_SERVER` names) on a
    /// free loopback port and waits until it answers `PING`.
    ///
    /// # Panics
    /// When `redis-server` is not installed (the message says how to install it), or it does not
    /// start within ten seconds.
    pub fn start() -> Self {
        let program =
            std::env::var("COUNTERSIGN_REDIS_SERVER").unwrap_or_else(|_| "redis-server".into());
        // A free port: bind, read it, release it for the server.
        let port = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .and_then(|listener| listener.local_addr())
            .expect("a free loopback port")
            .port();
        let child = Command::new(&program)
            .args(["--bind", "127.0.0.1", "--port", &port.to_string()])
            .args([
                "--save",
                "",
                "--appendonly",
                "no",
                "--protected-mode",
                "yes",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|error| {
                panic!(
                    "cannot start {program} ({error}): these tests need a real Redis. Install it \
                     (Debian, Ubuntu: `sudo apt-get install redis-server`; macOS: `brew install \
                     redis`), or name the program in COUNTERSIGN_REDIS_SERVER"
                )
            });
        let mut server = Self { child, port };
        server.wait_until_ready();
        server
    }

    fn wait_until_ready(&mut self) {
        let started = Instant::now();
        while started.elapsed() < START_TIMEOUT {
            if let Ok(Some(status)) = self.child.try_wait() {
                let mut output = String::new();
                if let Some(mut stdout) = self.child.stdout.take() {
                    let _ = stdout.read_to_string(&mut output);
                }
                panic!("redis-server exited ({status}) before it listened:\n{output}");
            }
            if ping(self.port) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!(
            "redis-server did not answer PING on port {} within {START_TIMEOUT:?}",
            self.port
        );
    }

    /// `redis://127.0.0.1:<port>`.
    #[must_use]
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// The port it listens on.
    #[must_use]
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Stops the server now (to see what a client does without it); dropping does the same.
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Whether a Redis answers `PING` with `+PONG` on `port`.
fn ping(port: u16) -> bool {
    use std::io::Write;
    let Ok(mut stream) = TcpStream::connect((Ipv4Addr::LOCALHOST, port)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(1)));
    if stream.write_all(b"PING\r\n").is_err() {
        return false;
    }
    let mut answer = [0_u8; 7];
    stream.read_exact(&mut answer).is_ok() && &answer == b"+PONG\r\n"
}
