//! `countersign providers`: the providers countersign knows, one line each.

use std::io::Write;

use countersign::providers::{Legs, ProviderSpec};

use crate::error::CliError;

/// Writes one line per provider: its name, its signature method, the request-token method and
/// URL, the authorization URL and the access-token URL (templates: `{base}`, `{account_host}`,
/// `{app}` are filled in from `login`'s options); for a one-legged provider, `-`, its API URL,
/// `one-legged` and where the parameters go. `local`, the provider of `countersign serve`, comes
/// last.
pub(crate) fn run<W: Write + ?Sized>(out: &mut W) -> Result<(), CliError> {
    let lines: Vec<[String; 6]> = countersign::providers::all()
        .into_iter()
        .chain([local()])
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

/// `--provider local`: the provider `countersign serve` (or `LocalProvider` in a test) runs at
/// `{base}`, with Discogs' routes.
pub(crate) fn local() -> ProviderSpec {
    spec_of(
        crate::cli::LOCAL,
        "countersign serve, or LocalProvider in a test",
        [
            "{base}/oauth/request_token",
            "{base}/oauth/authorize",
            "{base}/oauth/access_token",
        ],
        "POST",
        Some("{base}/oauth/identity".into()),
    )
}

/// A three-legged provider given by its endpoints alone: PLAINTEXT unless told otherwise, `oob`
/// taken, no realm.
pub(crate) fn spec_of(
    name: &str,
    title: &str,
    [request_token_url, authorize_url, access_token_url]: [&str; 3],
    request_token_method: &str,
    identity_url: Option<String>,
) -> ProviderSpec {
    ProviderSpec {
        name: name.into(),
        title: title.into(),
        docs: String::new(),
        legs: Legs::Three,
        placement: countersign::auth::Placement::Header,
        api_url: None,
        empty_token: false,
        request_token_url: request_token_url.into(),
        request_token_method: request_token_method.into(),
        authorize_url: authorize_url.into(),
        access_token_url: access_token_url.into(),
        identity_url,
        signature_method: countersign::SignatureMethod::Plaintext.as_str().into(),
        realm: None,
        oob: true,
        user_agent_required: false,
        request_token_lifetime: None,
        body_hash: false,
        notes: String::new(),
    }
}
