//! `countersign request`: one request signed with the credentials `login` saved, through the
//! ureq adapter; the answer's body on stdout.

use std::io::Write;

use countersign::response::Response as CoreResponse;
use countersign_ureq::Client;

use crate::USER_AGENT;
use crate::cli::RequestArgs;
use crate::credentials::{self, Loaded, SavedProvider};
use crate::error::{CliError, Shown, Step};
use crate::sign::form_body;

/// Sends the request `args` describe; writes the answer to `out` (with `-i`, its head first;
/// on a `terminal`, ending with a newline) and warnings to `log`.
///
/// # Errors
/// [`CliError::Status`] after writing the answer, when its status is outside 2xx.
pub(crate) fn run(
    args: &RequestArgs,
    out: &mut dyn Write,
    terminal: bool,
    log: &mut dyn Write,
) -> Result<(), CliError> {
    let body = form_body(&args.form);
    let method = match &args.method {
        Some(m) => m.clone(),
        None if body.is_some() => http::Method::POST,
        None => http::Method::GET,
    };

    let path = credentials::path(args.credentials_file.as_deref())?;
    let Loaded { saved, loose } = credentials::load(&path)?;
    if loose {
        // Nothing more can be done when stderr is gone.
        let _ = writeln!(
            log,
            "countersign: warning: other users may read {}: chmod 600 it",
            Shown(&path)
        );
    }
    // Which URL is wrong, before the profile says only that one is.
    let api = api_origins(&saved.provider).map_err(|detail| CliError::CorruptCredentials {
        path: path.clone(),
        detail,
    })?;
    let config = saved
        .provider
        .config(USER_AGENT)
        .map_err(|e| CliError::CorruptCredentials {
            path: path.clone(),
            detail: e.to_string(),
        })?;
    let url = resolve(&args.url, &api, args.allow_other_host)?;

    let mut request = http::Request::builder().method(method).uri(url.as_str());
    if body.is_some() {
        request = request.header("content-type", "application/x-www-form-urlencoded");
    }
    let request = request
        .body(body.unwrap_or_default().into_bytes())
        .map_err(|_| CliError::InvalidRequestUrl)?;
    let session = saved.session(config.clone())?;
    let mut client = Client::new(config, session.client().clone());
    let answer = client
        .send(&session, request)
        .map_err(Step::Request.failed())?
        .into_http();

    write_answer(out, &answer, args.include, terminal).map_err(CliError::Output)?;
    match CoreResponse::from_http(&answer).classify() {
        Err(countersign::Error::Provider(refusal)) if answer.status().is_redirection() => {
            Err(CliError::Redirect {
                status: refusal.status,
                location: answer
                    .headers()
                    .get(http::header::LOCATION)
                    .and_then(|l| l.to_str().ok())
                    .map(countersign::response::redact_secrets),
            })
        }
        Err(countersign::Error::Provider(refusal)) => Err(CliError::Status(refusal)),
        _ => Ok(()),
    }
}

/// Where a URL points: scheme, host and port (the scheme's default when not written), in lower
/// case. What it means for the request sent is `http::Uri`'s reading, as ureq's.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Origin {
    scheme: String,
    host: String,
    port: u16,
}

impl Origin {
    /// The origin of an absolute `http://` or `https://` URL.
    fn of(url: &str) -> Option<Self> {
        let uri: http::Uri = url.parse().ok()?;
        let scheme = uri.scheme_str()?.to_ascii_lowercase();
        let default_port = match scheme.as_str() {
            "http" => 80,
            "https" => 443,
            _ => return None,
        };
        let host = uri.host().filter(|h| !h.is_empty())?;
        Some(Self {
            host: host.strip_suffix('.').unwrap_or(host).to_ascii_lowercase(),
            port: uri.port_u16().unwrap_or(default_port),
            scheme,
        })
    }
}

/// `scheme://host`, with `:port` unless it is the scheme's default.
impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}://{}", self.scheme, self.host)?;
        match (self.scheme.as_str(), self.port) {
            ("http", 80) | ("https", 443) => Ok(()),
            (_, port) => write!(f, ":{port}"),
        }
    }
}

/// Where the saved credentials may be sent: the origin of the access-token URL (the API host,
/// where paths resolve), then that of the identity URL, if any (`login` sent them there too).
///
/// # Errors
/// What is wrong, for a credentials file whose URLs are not absolute `http(s)://` URLs.
fn api_origins(provider: &SavedProvider) -> Result<Vec<Origin>, String> {
    let mut origins = vec![
        Origin::of(&provider.access_token_url)
            .ok_or("its access_token_url is not an absolute http:// or https:// URL")?,
    ];
    if let Some(identity) = &provider.identity_url {
        origins.push(
            Origin::of(identity)
                .ok_or("its identity_url is not an absolute http:// or https:// URL")?,
        );
    }
    Ok(origins)
}

/// `url` as given when absolute (`http://` or `https://`) and on one of the `api` origins (any
/// origin with `allow_other_host`), or a path (starting with `/`) on the first of them.
fn resolve(url: &str, api: &[Origin], allow_other_host: bool) -> Result<String, CliError> {
    let base = api.first().ok_or(CliError::InvalidRequestUrl)?;
    if url.starts_with('/') {
        return Ok(format!("{base}{url}"));
    }
    let scheme_ok = url.split_once("://").is_some_and(|(scheme, rest)| {
        (scheme.eq_ignore_ascii_case("https") || scheme.eq_ignore_ascii_case("http"))
            && !rest.is_empty()
            && !rest.starts_with('/')
    });
    let origin = Origin::of(url).filter(|_| scheme_ok);
    match origin {
        None => Err(CliError::InvalidRequestUrl),
        Some(origin) if allow_other_host || api.contains(&origin) => Ok(url.to_owned()),
        Some(_) => Err(CliError::OtherHost {
            api: base.to_string(),
        }),
    }
}

/// The body, after the status line and headers when `include` is set. On a `terminal`, control
/// bytes that a terminal would act on (ESC, BEL, NUL and the other C0 controls but tab, line
/// feed and carriage return, and DEL) are written escaped (`\x1b`), and a body that does not end
/// with a newline gets one, so the prompt (or an error line) starts a line of its own;
/// redirected output gets the body as it came.
fn write_answer(
    out: &mut dyn Write,
    answer: &http::Response<Vec<u8>>,
    include: bool,
    terminal: bool,
) -> std::io::Result<()> {
    if include {
        writeln!(out, "{:?} {}", answer.version(), answer.status())?;
        for (name, value) in answer.headers() {
            out.write_all(name.as_str().as_bytes())?;
            out.write_all(b": ")?;
            out.write_all(value.as_bytes())?;
            out.write_all(b"\n")?;
        }
        out.write_all(b"\n")?;
    }
    let body = answer.body();
    if terminal {
        write_for_terminal(out, body)?;
    } else {
        out.write_all(body)?;
    }
    if terminal && !body.is_empty() && !body.ends_with(b"\n") {
        out.write_all(b"\n")?;
    }
    out.flush()
}

/// `bytes` with the control bytes a terminal acts on written as `\xNN`.
fn write_for_terminal(out: &mut dyn Write, bytes: &[u8]) -> std::io::Result<()> {
    let acts_on = |b: u8| (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r')) || b == 0x7f;
    let mut rest = bytes;
    while let Some(at) = rest.iter().position(|&b| acts_on(b)) {
        out.write_all(&rest[..at])?;
        write!(out, "\\x{:02x}", rest[at])?;
        rest = &rest[at + 1..];
    }
    out.write_all(rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_bytes_reach_a_terminal_escaped_and_a_pipe_as_they_are() {
        let body = b"{\"name\": \"\x1b[31mred\x07\x00\"}\ttab\r\n\x7f".to_vec();
        let answer = http::Response::builder().body(body.clone()).unwrap();
        let mut terminal = Vec::new();
        write_answer(&mut terminal, &answer, false, true).unwrap();
        assert_eq!(
            String::from_utf8(terminal).unwrap(),
            "{\"name\": \"\\x1b[31mred\\x07\\x00\"}\ttab\r\n\\x7f\n"
        );
        let mut piped = Vec::new();
        write_answer(&mut piped, &answer, false, false).unwrap();
        assert_eq!(piped, body);
    }

    fn origins(urls: &[&str]) -> Vec<Origin> {
        urls.iter().map(|url| Origin::of(url).unwrap()).collect()
    }

    #[test]
    fn paths_resolve_against_the_api_host() {
        let api = origins(&["https://api.discogs.com/oauth/access_token"]);
        assert_eq!(
            resolve("/oauth/identity", &api, false).unwrap(),
            "https://api.discogs.com/oauth/identity"
        );
        let local = origins(&["http://127.0.0.1:8080"]);
        assert_eq!(
            resolve("/x?y=1", &local, false).unwrap(),
            "http://127.0.0.1:8080/x?y=1"
        );
        assert_eq!(
            resolve("/x", &origins(&["http://[::1]:9/at"]), false).unwrap(),
            "http://[::1]:9/x"
        );
        for bad in [
            "oauth/identity",
            "ftp://x/y",
            "https://",
            "https:///path",
            "",
        ] {
            assert!(
                matches!(resolve(bad, &api, false), Err(CliError::InvalidRequestUrl)),
                "{bad}"
            );
        }
    }

    #[test]
    fn absolute_urls_must_be_on_the_api_host_unless_allowed() {
        let api = origins(&[
            "https://api.discogs.com/oauth/access_token",
            "https://id.example:8443/me",
        ]);
        for same in [
            "https://api.discogs.com/a",
            "HTTPS://API.Discogs.com:443/a?b=1",
            "https://api.discogs.com./a",
            "https://id.example:8443/other",
        ] {
            assert_eq!(resolve(same, &api, false).unwrap(), same);
        }
        for other in [
            "https://other.example/a",
            "http://api.discogs.com/a",
            "https://api.discogs.com:8443/a",
            "https://api.discogs.com@evil.example/a",
            "https://id.example/me",
        ] {
            let Err(CliError::OtherHost { api: shown }) = resolve(other, &api, false) else {
                panic!("{other}")
            };
            assert_eq!(shown, "https://api.discogs.com");
            assert_eq!(resolve(other, &api, true).unwrap(), other);
        }
    }

    #[test]
    fn saved_urls_that_are_not_urls_are_a_corrupt_file() {
        let mut provider = SavedProvider {
            request_token_url: "https://p.example/rt".into(),
            request_token_method: "POST".into(),
            authorize_url: "https://p.example/auth".into(),
            access_token_url: "https://p.example/at".into(),
            identity_url: Some("https://p.example:8443/me".into()),
            signature_method: "PLAINTEXT".into(),
            realm: None,
            private_key: None,
        };
        assert_eq!(
            api_origins(&provider).unwrap(),
            origins(&["https://p.example", "https://p.example:8443"])
        );
        provider.access_token_url = "not a url".into();
        assert!(
            api_origins(&provider)
                .unwrap_err()
                .contains("access_token_url")
        );
        provider.access_token_url = "https://p.example/at".into();
        provider.identity_url = Some("/me".into());
        assert!(api_origins(&provider).unwrap_err().contains("identity_url"));
    }

    #[test]
    fn the_head_comes_first_with_include() {
        let answer = http::Response::builder()
            .status(404)
            .header("content-type", "application/json")
            .body(b"{}".to_vec())
            .unwrap();
        let mut out = Vec::new();
        write_answer(&mut out, &answer, true, false).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "HTTP/1.1 404 Not Found\ncontent-type: application/json\n\n{}"
        );
        let mut out = Vec::new();
        write_answer(&mut out, &answer, false, false).unwrap();
        assert_eq!(out, b"{}");
        let mut out = Vec::new();
        write_answer(&mut out, &answer, false, true).unwrap();
        assert_eq!(out, b"{}\n");
    }
}
