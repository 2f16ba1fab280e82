//! The loopback listener of `login --callback loopback` and of the demo: it catches the
//! provider's redirect to `http://127.0.0.1:<port>/callback` and takes the query (the request
//! token and the verifier, or `denied`) from it.
//!
//! It waits for the provider's redirect for the pending request token: a `GET /callback` whose
//! query carries that `oauth_token` (approved) or `denied`. It answers it with a small page
//! telling the person they can close the tab, and stops listening. Anything else keeps it
//! waiting, up to the timeout: other paths (a favicon) get a 404, a bare or stray request to
//! `/callback` a 400 page saying what is expected, and a redirect about another request token
//! (stale, from an earlier login, or forged) a 400 page saying so. The query is not trusted: the
//! flow checks its token against the pending one again, in constant time.

use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::time::{Duration, Instant};

use countersign::{Callback, Secret};
use std::borrow::Cow;

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

    /// Waits up to `timeout` for the `GET /callback` about the `pending` request token, answers
    /// it, and returns its query (without the `?`). It carries the verifier, so it comes back as
    /// a [`Secret`]. Other requests are answered and ignored.
    pub(crate) fn wait(self, timeout: Duration, pending: &str) -> Result<Secret, CliError> {
        let deadline = Instant::now() + timeout;
        loop {
            match self.listener.accept() {
                Ok((stream, _)) => {
                    if let Some(query) = serve(stream, pending) {
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

/// Reads one request from `stream` and answers it. Returns the query of a `GET /callback` about
/// the `pending` request token; `None` for anything else, or for a connection that failed.
fn serve(mut stream: TcpStream, pending: &str) -> Option<Secret> {
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
    let page = match judge(query, pending) {
        Verdict::Approved => APPROVED,
        Verdict::Denied => DENIED,
        Verdict::Malformed => UNEXPECTED,
        Verdict::OtherToken => {
            let _ = respond(&mut stream, "400 Bad Request", OTHER_TOKEN);
            return None;
        }
        Verdict::Stray => {
            let _ = respond(&mut stream, "400 Bad Request", STRAY);
            return None;
        }
    };
    // The person sees the page even if the flow then fails; the terminal says why.
    let _ = respond(&mut stream, "200 OK", page);
    Some(Secret::new(query))
}

/// What a query to `/callback` is, for the pending request token.
#[derive(Debug, PartialEq, Eq)]
enum Verdict {
    /// The redirect after the person approved: the flow goes on.
    Approved,
    /// The redirect after the person refused: the flow stops, saying so.
    Denied,
    /// About the pending token, but not a well-formed callback (no verifier, say): the flow
    /// stops, saying what is wrong.
    Malformed,
    /// About another request token: stale or forged; ignored.
    OtherToken,
    /// No request token at all (someone opened the URL by hand); ignored.
    Stray,
}

/// Judges `query` for the `pending` request token. (A plain comparison: the request token is
/// no secret, it is in the authorize URL, and the flow compares again in constant time.)
fn judge(query: &str, pending: &str) -> Verdict {
    match Callback::parse(query) {
        Ok(callback) if callback.token() != pending => Verdict::OtherToken,
        Ok(Callback::Approved { .. }) => Verdict::Approved,
        Ok(Callback::Denied { .. }) => Verdict::Denied,
        // A kind of callback this build does not know: the flow says what it makes of it.
        Ok(_) => Verdict::Malformed,
        Err(_) => {
            let mut tokens = token_values(query).peekable();
            if tokens.peek().is_none() {
                Verdict::Stray
            } else if tokens.any(|token| token == pending) {
                Verdict::Malformed
            } else {
                Verdict::OtherToken
            }
        }
    }
}

/// The decoded values of `oauth_token` and `denied` in `query` (those that decode).
fn token_values(query: &str) -> impl Iterator<Item = Cow<'_, str>> {
    query.split('&').filter_map(|pair| {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let name = countersign::encode::decode(name).ok()?;
        if name != "oauth_token" && name != "denied" {
            return None;
        }
        countersign::encode::decode(value).ok()
    })
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

/// A callback page: the title, a little inline style (no external asset; readable on a phone)
/// and the body.
macro_rules! page {
    ($title:literal, $body:literal) => {
        concat!(
            "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">",
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">",
            "<title>",
            $title,
            "</title><style>",
            "body{margin:0;background:#f4f5f7;color:#1f2328;",
            "font:16px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif}",
            "main{max-width:28rem;margin:2rem auto;padding:1.5rem;background:#fff;",
            "border-radius:12px;box-shadow:0 1px 3px rgba(0,0,0,.12)}",
            "h1{font-size:1.35rem;margin:0 0 .75rem}",
            "</style></head>\n<body><main>\n",
            $body,
            "</main></body></html>\n"
        )
    };
}

const APPROVED: &str = page!(
    "countersign: approved",
    "<h1>Approved</h1>\n<p>countersign has the verifier and is finishing the login in your terminal. You can close this tab.</p>\n"
);

const DENIED: &str = page!(
    "countersign: access denied",
    "<h1>Access denied</h1>\n<p>countersign stops here; your terminal says so too. You can close this tab.</p>\n"
);

const UNEXPECTED: &str = page!(
    "countersign: unexpected callback",
    "<h1>Unexpected callback</h1>\n<p>This is not the answer countersign expected; your terminal says why. You can close this tab.</p>\n"
);

const STRAY: &str = page!(
    "countersign: not the callback",
    "<h1>Not the callback countersign is waiting for</h1>\n<p>countersign waits here for the provider to send your browser back after you approve access, with oauth_token and oauth_verifier (or denied) in the query. Open the authorize URL shown in your terminal and approve there; countersign is still waiting.</p>\n"
);

const OTHER_TOKEN: &str = page!(
    "countersign: another login",
    "<h1>Not this login's callback</h1>\n<p>This redirect is about another request token: from an earlier login, or forged. countersign ignored it and is still waiting: open the newest authorize URL shown in your terminal.</p>\n"
);

const NOT_FOUND: &str = page!(
    "Not found",
    "<p>countersign listens for the callback only.</p>\n"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pages_are_self_contained_and_fit_a_phone() {
        for page in [APPROVED, DENIED, UNEXPECTED, STRAY, OTHER_TOKEN, NOT_FOUND] {
            assert!(page.contains("name=\"viewport\""), "{page}");
            assert!(page.contains("<style>"), "{page}");
            for external in ["http://", "https://", "src=", "<link"] {
                assert!(!page.contains(external), "{external} in {page}");
            }
        }
        assert!(APPROVED.contains("You can close this tab."));
    }

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
        let query = listener.wait(Duration::from_secs(30), "t").unwrap();
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
        let query = listener.wait(Duration::from_secs(30), "t").unwrap();
        assert_eq!(query.expose_secret(), "denied=t");
        assert!(browser.join().unwrap().contains("<h1>Access denied</h1>"));
    }

    #[test]
    fn stray_and_stale_requests_are_answered_400_and_waiting_goes_on() {
        let listener = CallbackListener::bind().unwrap();
        let url = listener.url().to_owned();
        let browser = std::thread::spawn(move || {
            let strays = [
                "/callback",
                "/callback?",
                "/callback?state=1",
                "/callback?oauth_verifier=v",
            ]
            .map(|target| get(&url, target));
            let stale = [
                "/callback?oauth_token=old&oauth_verifier=v",
                "/callback?denied=old",
                "/callback?oauth_token=old",
            ]
            .map(|target| get(&url, target));
            let right = get(&url, "/callback?oauth_token=t%2Fx&oauth_verifier=v");
            (strays, stale, right)
        });
        let query = listener.wait(Duration::from_secs(30), "t/x").unwrap();
        assert_eq!(query.expose_secret(), "oauth_token=t%2Fx&oauth_verifier=v");
        let (strays, stale, right) = browser.join().unwrap();
        for answer in strays {
            assert!(answer.starts_with("HTTP/1.1 400 "), "{answer}");
            assert!(
                answer.contains("oauth_token and oauth_verifier"),
                "{answer}"
            );
        }
        for answer in stale {
            assert!(answer.starts_with("HTTP/1.1 400 "), "{answer}");
            assert!(answer.contains("another request token"), "{answer}");
        }
        assert!(right.contains("<h1>Approved</h1>"), "{right}");
    }

    #[test]
    fn a_malformed_callback_for_the_pending_token_ends_the_wait() {
        assert_eq!(judge("oauth_token=t", "t"), Verdict::Malformed);
        assert_eq!(
            judge("oauth_token=t&oauth_token=t&oauth_verifier=v", "t"),
            Verdict::Malformed
        );
        assert_eq!(judge("denied=t&oauth_verifier=v", "t"), Verdict::Malformed);
        assert_eq!(
            judge("oauth_token=t&oauth_verifier=v", "t"),
            Verdict::Approved
        );
        assert_eq!(judge("denied=t", "t"), Verdict::Denied);
        assert_eq!(
            judge("oauth_token=u&oauth_verifier=v", "t"),
            Verdict::OtherToken
        );
        assert_eq!(judge("oauth_token=%zz", "t"), Verdict::Stray);
        assert_eq!(judge("", "t"), Verdict::Stray);
    }

    #[test]
    fn gives_up_after_the_timeout() {
        let listener = CallbackListener::bind().unwrap();
        let error = listener.wait(Duration::from_millis(50), "t").unwrap_err();
        assert!(
            matches!(error, CliError::CallbackTimeout { seconds: 0, .. }),
            "{error:?}"
        );
    }
}
