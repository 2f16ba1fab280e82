//! A third transport, to show how little one is: a plain function from `http::Request` to
//! `http::Response` over a `TcpStream` (HTTP/1.1, loopback `http://` only), run through the same
//! conformance suite as reqwest and ureq.

use std::io::{self, Read, Write};
use std::net::TcpStream;

use countersign::client::Blocking;
use countersign_test_support::conformance::Harness;

/// Sends `request`, one connection each, and reads the whole answer.
fn send(request: http::Request<Vec<u8>>) -> io::Result<http::Response<Vec<u8>>> {
    let invalid = |what: &str| io::Error::new(io::ErrorKind::InvalidInput, what.to_owned());
    if request.uri().scheme_str() != Some("http") {
        return Err(invalid("this transport speaks http:// only"));
    }
    let authority = request
        .uri()
        .authority()
        .ok_or_else(|| invalid("no host"))?;
    let mut stream = TcpStream::connect(authority.as_str())?;
    let target = request.uri().path_and_query().map_or("/", |p| p.as_str());
    let mut head = format!("{} {target} HTTP/1.1\r\n", request.method()).into_bytes();
    write!(head, "Host: {authority}\r\nConnection: close\r\n")?;
    for (name, value) in request.headers() {
        head.extend_from_slice(
            &[name.as_str().as_bytes(), b": ", value.as_bytes(), b"\r\n"].concat(),
        );
    }
    let body = request.body();
    if !body.is_empty() && !request.headers().contains_key("content-length") {
        write!(head, "Content-Length: {}\r\n", body.len())?;
    }
    stream.write_all(&[&head[..], b"\r\n", body].concat())?;

    let mut answer = Vec::new();
    stream.read_to_end(&mut answer)?;
    let end = answer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| invalid("no end of head"))?;
    let head = String::from_utf8_lossy(&answer[..end]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|line| line.split(' ').nth(1))
        .and_then(|code| code.parse::<u16>().ok())
        .ok_or_else(|| invalid("no status"))?;
    let mut response = http::Response::builder().status(status);
    let mut chunked = false;
    for (name, value) in lines.filter_map(|line| line.split_once(':')) {
        chunked |= name.eq_ignore_ascii_case("transfer-encoding") && value.contains("chunked");
        response = response.header(name.trim(), value.trim());
    }
    let mut body = answer.split_off(end + 4);
    if chunked {
        body = dechunk(&body).ok_or_else(|| invalid("bad chunks"))?;
    }
    response.body(body).map_err(|_| invalid("bad head"))
}

fn dechunk(mut rest: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let line_end = rest.windows(2).position(|w| w == b"\r\n")?;
        let size = std::str::from_utf8(&rest[..line_end]).ok()?;
        let size = usize::from_str_radix(size.split(';').next()?.trim(), 16).ok()?;
        if size == 0 {
            return Some(out);
        }
        let chunk = rest.get(line_end + 2..line_end + 2 + size)?;
        out.extend_from_slice(chunk);
        rest = rest.get(line_end + 4 + size..)?;
    }
}

type Send = fn(http::Request<Vec<u8>>) -> io::Result<http::Response<Vec<u8>>>;

struct Closure;

impl Harness for Closure {
    type Transport = Blocking<Send>;
    type Error = io::Error;

    fn transport() -> Self::Transport {
        Blocking(send)
    }

    fn is_connection_refused(error: &io::Error) -> bool {
        error.kind() == io::ErrorKind::ConnectionRefused
    }
}

countersign_test_support::conformance_suite!(blocking Closure);
