//! `countersign providers`: the providers countersign knows, one line each.

use std::io::Write;

use countersign::providers::Legs;

use crate::error::CliError;

/// Writes one line per provider: its name, its signature method, the request-token method and
/// URL, the authorization URL and the access-token URL (templates: `{base}`, `{account_host}`,
/// `{app}` are filled in from `login`'s options); for a one-legged provider, `-`, its API URL,
/// `one-legged` and where the parameters go. `local`, the provider of `countersign serve`, comes
/// last.
pub(crate) fn run<W: Write + ?Sized>(out: &mut W) -> Result<(), CliError> {
    let mut lines: Vec<[String; 6]> = countersign::providers::all()
        .into_iter()
        .map(|p| match p.legs {
            Legs::One => [
                p.name,
                p.signature_method,
                "-".into(),
                p.api_url.unwrap_or_default(),
                "one-legged".into(),
                format!("{:?}", p.placement).to_lowercase(),
            ],
            _ => [
                p.name,
                p.signature_method,
                p.request_token_method,
                p.request_token_url,
                p.authorize_url,
                p.access_token_url,
            ],
        })
        .collect();
    lines.push([
        crate::cli::LOCAL.into(),
        "PLAINTEXT".into(),
        "POST".into(),
        "{base}/oauth/request_token".into(),
        "{base}/oauth/authorize".into(),
        "{base}/oauth/access_token".into(),
    ]);
    let width = |i: usize| lines.iter().map(|l| l[i].len()).max().unwrap_or(0);
    let (name, method, verb) = (width(0), width(1), width(2));
    for [n, m, v, request, authorize, access] in &lines {
        writeln!(
            out,
            "{n:name$}  {m:method$}  {v:verb$} {request}  {authorize}  {access}"
        )
        .map_err(CliError::Output)?;
    }
    Ok(())
}
