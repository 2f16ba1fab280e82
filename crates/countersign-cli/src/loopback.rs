//! The loopback listener of `login --callback loopback` and of the demo: it catches the
//! provider's redirect to `http://127.0.0.1:<port>/callback` and takes the query (the request
//! token and the verifier, or `denied`) from it.
//!
//! It answers one request to `/callback`, with a small page telling the person they can close
//! the tab, and stops listening. Anything else the browser asks for first (a favicon) gets a 404.
//! The query is not trusted: the flow checks its token against the pending one.

use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::time::{Duration, Instant};

use countersign::{Callback, Secret};

use crate::error::CliError;

/// The callback's path.
const PATH: &str = "/callback";
/// The longest request head read.
const MAX_HEAD: usize = 16 * 1024;
/// How long one connection may take to send its request.
const READ_TIMEOUT: Duration = Duration::from_secs(10);
/// How often to look for a connection while waiting.
const POLL: Duration = Duration::from_millis(20);

/// A listener on `127.0.0.1` at a free port.
#[derive(Debug)]
pub(crate) struct CallbackListener {
    listener: TcpListener,
    url: String,
}

impl CallbackListener {
    /// Listens on `127.0.0.1`, on a port the system picks.
    pub(crate) fn bind() -> Result<Self, CliError> {
        let listener =
            TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).map_err(CliError::CallbackListen)?;
        let port = listener
            .local_addr()
            .map_err(CliError::CallbackListen)?
            .port();
        listener
            .set_nonblocking(true)
            .map_err(CliError::CallbackListen)?;
        Ok(Self {
            listener,
            url: format!("http://127.0.0.1:{port}{PATH}"),
        })
    }

    /// The callback URL, `http://127.0.0.1:<port>/callback`: the `oauth_callback` to send.
    pub(crate) fn url(&self) -> &str {
        &self.url
    }

    /// Waits up to `timeout` for a `GET /callback`, answers it, and returns its query (without
    /// the `?`). It carries the verifier, so it comes back as a [`Secret`].
    pub(crate) fn wait(self, timeout: Duration) -> Result<Secret, CliError> {
        let deadline = Instant::now() + timeout;
        loop {
            match self.listener.accept() {
                Ok((stream, _)) => {
                    if let Some(query) = serve(stream) {
                        return Ok(query);
                    }
                }
                Err(error) if error.kind() == io::ErrorKind::WouldBlock => {
                    if Instant::now() >= deadline {
                        return Err(CliError::CallbackTimeout {
                            url: self.url,
                            seconds: timeout.as_secs(),
                        });
                    }
                    std::thread::sleep(POLL);
                }
                // A connection that failed before it was accepted: wait for the next.
                Err(error) if error.kind() == io::ErrorKind::ConnectionAborted => {}
                Err(error) => return Err(CliError::CallbackListen(error)),
            }
        }
    }
}

/// Reads one request from `stream` and answers it. Returns the query of a `GET /callback`;
/// `None` for anything else, or for a connection that failed.
fn serve(mut stream: TcpStream) -> Option<Secret> {
    stream.set_nonblocking(false).ok()?;
    stream.set_read_timeout(Some(READ_TIMEOUT)).ok()?;
    stream.set_write_timeout(Some(READ_TIMEOUT)).ok()?;
    let head = read_head(&mut stream)?;
    let request_line = head.expose_secret().lines().next().unwrap_or_default();
    let mut parts = request_line.split(' ');
    let (method, target) = (parts.next().unwrap_or_default(), parts.next()?);
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    if path != PATH {
        let _ = respond(&mut stream, "404 Not Found", NOT_FOUND);
        return None;
    }
    if method != "GET" {
        let _ = respond(&mut stream, "405 Method Not Allowed", NOT_FOUND);
        return None;
    }
    let page = match Callback::parse(query) {
        Ok(Callback::Approved { .. }) => APPROVED,
        Ok(Callback::Denied { .. }) => DENIED,
        _ => UNEXPECTED,
    };
    // The person sees the page even if the flow then fails; the terminal says why.
    let _ = respond(&mut stream, "200 OK", page);
    Some(Secret::new(query))
}

/// The request head, up to the empty line (the body, if any, is not needed).
fn read_head(stream: &mut TcpStream) -> Option<Secret> {
    let mut head = Vec::with_capacity(1024);
    let mut buf = [0_u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        if head.len() > MAX_HEAD {
            return None;
        }
        let n = stream.read(&mut buf).ok()?;
        if n == 0 {
            break;
        }
        head.extend_from_slice(buf.get(..n)?);
    }
    String::from_utf8(head).ok().map(Secret::new)
}

fn respond(stream: &mut TcpStream, status: &str, body: &str) -> io::Result<()> {
    write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\nReferrer-Policy: no-referrer\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    stream.flush()
}

const APPROVED: &str = "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<title>countersign: approved</title></head>\n<body><h1>Approved</h1>\n\
<p>countersign has the verifier and is finishing the login in your terminal. You can close this tab.</p>\
</body></html>\n";

const DENIED: &str = "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<title>countersign: access denied</title></head>\n<body><h1>Access denied</h1>\n\
<p>countersign stops here; your terminal says so too. You can close this tab.</p></body></html>\n";

const UNEXPECTED: &str = "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<title>countersign: unexpected callback</title></head>\n<body><h1>Unexpected callback</h1>\n\
<p>This is not the answer countersign expected; your terminal says why. You can close this tab.</p>\
</body></html>\n";

const NOT_FOUND: &str = "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<title>Not found</title></head>\n<body><p>countersign listens for the callback only.</p></body></html>\n";

#[cfg(test)]
mod tests {
    use super::*;

    fn get(url: &str, target: &str) -> String {
        let addr = url
            .trim_start_matches("http://")
            .trim_end_matches("/callback");
        let mut stream = TcpStream::connect(addr).unwrap();
        write!(stream, "GET {target} HTTP/1.1\r\nHost: {addr}\r\n\r\n").unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        answer
    }

    #[test]
    fn takes_the_callback_after_ignoring_other_requests() {
        let listener = CallbackListener::bind().unwrap();
        let url = listener.url().to_owned();
        assert!(url.starts_with("http://127.0.0.1:") && url.ends_with("/callback"));
        let browser = std::thread::spawn(move || {
            let favicon = get(&url, "/favicon.ico");
            let callback = get(&url, "/callback?oauth_token=t&oauth_verifier=v");
            (favicon, callback)
        });
        let query = listener.wait(Duration::from_secs(30)).unwrap();
        assert_eq!(query.expose_secret(), "oauth_token=t&oauth_verifier=v");
        let (favicon, callback) = browser.join().unwrap();
        assert!(favicon.starts_with("HTTP/1.1 404 "), "{favicon}");
        assert!(callback.starts_with("HTTP/1.1 200 OK\r\n"), "{callback}");
        assert!(callback.contains("You can close this tab."), "{callback}");
        assert!(callback.contains("<h1>Approved</h1>"), "{callback}");
    }

    #[test]
    fn a_denial_gets_its_own_page() {
        let listener = CallbackListener::bind().unwrap();
        let url = listener.url().to_owned();
        let browser = std::thread::spawn(move || get(&url, "/callback?denied=t"));
        let query = listener.wait(Duration::from_secs(30)).unwrap();
        assert_eq!(query.expose_secret(), "denied=t");
        assert!(browser.join().unwrap().contains("<h1>Access denied</h1>"));
    }

    #[test]
    fn gives_up_after_the_timeout() {
        let listener = CallbackListener::bind().unwrap();
        let error = listener.wait(Duration::from_millis(50)).unwrap_err();
        assert!(
            matches!(error, CliError::CallbackTimeout { seconds: 0, .. }),
            "{error:?}"
        );
    }
}
