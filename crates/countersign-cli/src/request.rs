//! `countersign request`: one request signed with the credentials `login` saved, through the
//! ureq adapter; the answer's body on stdout.

use std::io::Write;

use countersign::response::Response as CoreResponse;
use countersign_ureq::Client;

use crate::USER_AGENT;
use crate::cli::RequestArgs;
use crate::credentials::{self, Loaded};
use crate::error::{CliError, Shown, Step};
use crate::sign::{form_body, is_http_token};

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
    let body = form_body(&args.form)?;
    let method = match &args.method {
        Some(m) if !is_http_token(m) => return Err(CliError::InvalidMethod("--method")),
        Some(m) => m.clone(),
        None if body.is_some() => "POST".into(),
        None => "GET".into(),
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
    let config = saved
        .provider
        .config(USER_AGENT)
        .map_err(|e| CliError::CorruptCredentials {
            path: path.clone(),
            detail: e.to_string(),
        })?;
    let url = resolve(&args.url, &saved.provider.access_token_url)?;

    let mut request = http::Request::builder()
        .method(method.as_str())
        .uri(url.as_str());
    if body.is_some() {
        request = request.header("content-type", "application/x-www-form-urlencoded");
    }
    let request = request
        .body(body.unwrap_or_default().into_bytes())
        .map_err(|_| CliError::InvalidRequestUrl)?;
    let session = saved.session(config.clone());
    let client = Client::new(config, session.client().clone());
    let answer = client
        .send(&session, request)
        .map_err(Step::Request.failed())?
        .into_http();

    write_answer(out, &answer, args.include, terminal).map_err(CliError::Output)?;
    match CoreResponse::from_http(&answer).classify() {
        Err(countersign::Error::Provider(refusal)) => Err(CliError::Status(refusal)),
        _ => Ok(()),
    }
}

/// `url` as given when absolute (`http://` or `https://`), or a path (starting with `/`) on the
/// host of `api_url`.
fn resolve(url: &str, api_url: &str) -> Result<String, CliError> {
    if url.starts_with('/') {
        let origin = origin(api_url).ok_or(CliError::InvalidRequestUrl)?;
        return Ok(format!("{origin}{url}"));
    }
    let scheme_ok = url.split_once("://").is_some_and(|(scheme, rest)| {
        (scheme.eq_ignore_ascii_case("https") || scheme.eq_ignore_ascii_case("http"))
            && !rest.is_empty()
            && !rest.starts_with('/')
    });
    if scheme_ok {
        Ok(url.to_owned())
    } else {
        Err(CliError::InvalidRequestUrl)
    }
}

/// `scheme://authority` of an absolute URL.
fn origin(url: &str) -> Option<&str> {
    let start = url.find("://")? + 3;
    let end = url
        .get(start..)?
        .find(['/', '?', '#'])
        .map_or(url.len(), |i| start + i);
    (end > start).then(|| url.get(..end)).flatten()
}

/// The body, after the status line and headers when `include` is set. On a `terminal`, a body
/// that does not end with a newline gets one, so the prompt (or an error line) starts a line of
/// its own; redirected output gets the body as it came.
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
    out.write_all(body)?;
    if terminal && !body.is_empty() && !body.ends_with(b"\n") {
        out.write_all(b"\n")?;
    }
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_resolve_against_the_api_host() {
        let api = "https://api.discogs.com/oauth/access_token";
        assert_eq!(
            resolve("/oauth/identity", api).unwrap(),
            "https://api.discogs.com/oauth/identity"
        );
        assert_eq!(
            resolve("/x?y=1", "http://127.0.0.1:8080").unwrap(),
            "http://127.0.0.1:8080/x?y=1"
        );
        assert_eq!(
            resolve("https://other.example/a", api).unwrap(),
            "https://other.example/a"
        );
        for bad in [
            "oauth/identity",
            "ftp://x/y",
            "https://",
            "https:///path",
            "",
        ] {
            assert!(resolve(bad, api).is_err(), "{bad}");
        }
        assert!(resolve("/a", "not a url").is_err());
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
