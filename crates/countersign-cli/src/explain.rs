//! `countersign explain`: how one request is signed, for a person debugging a 401.

use std::io::{self, Write};

use countersign::base_string::{Explained, explain};
use countersign::clock::{Clock, SystemClock};
use countersign::encode::encode;
use countersign::nonce::{NonceGenerator, NonceSource};
use countersign::response::redact_secrets;
use countersign::{ParsedAuthorization, SignatureMethod};

use crate::cli::ExplainArgs;
use crate::error::CliError;
use crate::sign::{Body, authorization};

/// What stands for a secret value in the output.
const REDACTED: &str = "[redacted]";

/// Explains the request `args` describe on `out`; with `--expect-base-string`, compares.
pub(crate) fn run<W: Write + ?Sized>(args: &ExplainArgs, out: &mut W) -> Result<(), CliError> {
    run_with(args, out, &mut NonceGenerator::new(), &SystemClock)
}

/// [`run`], with `nonces` and `clock` standing in for `--nonce` and `--timestamp` when absent.
pub(crate) fn run_with<W, N, C>(
    args: &ExplainArgs,
    out: &mut W,
    nonces: &mut N,
    clock: &C,
) -> Result<(), CliError>
where
    W: Write + ?Sized,
    N: NonceSource + ?Sized,
    C: Clock + ?Sized,
{
    let header = authorization(&args.sign, nonces, clock)?;
    // The protocol parameters as signed: those of the header we just wrote.
    let parsed = ParsedAuthorization::parse(header.as_str())?;
    let protocol: Vec<(String, String)> = parsed
        .params()
        .map(|(name, value)| (name.into_owned(), value.into_owned()))
        .collect();
    let protocol: Vec<(&str, &str)> = protocol
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let body = Body::of(&args.sign)?;
    let explained = explain(&body.request(&args.sign), &protocol)?;
    write_explanation(out, &explained, args.sign.signature_method, header.as_str())
        .map_err(CliError::Output)?;
    match &args.expect_base_string {
        Some(expected) if *expected != explained.base_string => Err(CliError::BaseStringDiffers {
            detail: first_difference(expected, &explained),
        }),
        Some(_) => writeln!(out, "The expected base string matches.").map_err(CliError::Output),
        None => Ok(()),
    }
}

fn write_explanation<W: Write + ?Sized>(
    out: &mut W,
    explained: &Explained,
    method: SignatureMethod,
    header: &str,
) -> io::Result<()> {
    writeln!(out, "Method:          {}", explained.method)?;
    writeln!(out, "Base string URI: {}", explained.uri)?;
    writeln!(
        out,
        "Parameters, in the order signed (each percent-encoded once):"
    )?;
    let width = explained
        .params
        .iter()
        .map(|p| p.name.len() + 1 + shown(p).len())
        .max()
        .unwrap_or(0);
    for param in &explained.params {
        let pair = format!("{}={}", param.name, shown(param));
        writeln!(out, "  {pair:width$}  {}", param.source)?;
    }
    writeln!(out, "Signature base string (secrets redacted):")?;
    writeln!(out, "  {}", redacted_base_string(explained))?;
    if !method.signs_request() {
        writeln!(
            out,
            "  PLAINTEXT signs no base string: its signature is enc(consumer secret)&enc(token secret); the HMAC methods sign the string above."
        )?;
    }
    writeln!(out, "Authorization (secrets redacted):")?;
    writeln!(out, "  {}", redacted_header(header, method))?;
    out.flush()
}

/// The header with the secrets in it replaced: the verifier, a session handle, and the
/// PLAINTEXT signature (the secrets themselves); an HMAC signature is shown.
fn redacted_header(header: &str, method: SignatureMethod) -> String {
    let Ok(parsed) = ParsedAuthorization::parse(header) else {
        return redact_secrets(header);
    };
    let mut pairs: Vec<String> = Vec::new();
    if let Some(realm) = parsed.realm() {
        pairs.push(format!("realm={realm:?}"));
    }
    let secret = |name: &str| matches!(name, "oauth_verifier" | "oauth_session_handle");
    for (name, value) in parsed.params() {
        let value = if secret(&name) {
            REDACTED.to_owned()
        } else {
            encode(&value).to_string()
        };
        pairs.push(format!("{name}=\"{value}\""));
    }
    if let Some(signature) = parsed.signature() {
        let shown = if method.sends_secrets_in_clear() {
            REDACTED.to_owned()
        } else {
            encode(signature).to_string()
        };
        pairs.push(format!("oauth_signature=\"{shown}\""));
    }
    format!("OAuth {}", pairs.join(", "))
}

/// The value of `param` as shown: redacted when it is a secret.
fn shown(param: &countersign::base_string::Normalized) -> &str {
    if param.is_secret() {
        REDACTED
    } else {
        &param.value
    }
}

/// The base string with the values of secret parameters replaced.
fn redacted_base_string(explained: &Explained) -> String {
    let mut text = explained.base_string.clone();
    for param in explained.params.iter().filter(|p| p.is_secret()) {
        // In the base string each half is encoded once more.
        let needle = format!("{}%3D{}", encode(&param.name), encode(&param.value));
        let replacement = format!("{}%3D{REDACTED}", encode(&param.name));
        text = text.replace(&needle, &replacement);
    }
    text
}

/// Where `expected` first differs from the base string we computed, said in the terms of its
/// parts: the method, the URI, or which parameter (secret values redacted).
fn first_difference(expected: &str, explained: &Explained) -> String {
    let ours = &explained.base_string;
    let split = |s: &str| -> (String, String, Vec<String>) {
        let mut parts = s.splitn(3, '&');
        let method = parts.next().unwrap_or_default().to_owned();
        let uri = parts.next().unwrap_or_default().to_owned();
        let params = parts
            .next()
            .unwrap_or_default()
            .split("%26")
            .filter(|p| !p.is_empty())
            .map(str::to_owned)
            .collect();
        (method, uri, params)
    };
    let (their_method, their_uri, their_params) = split(expected);
    let (our_method, our_uri, our_params) = split(ours);
    if their_method != our_method {
        return format!("the method: expected {their_method:?}, computed {our_method:?}");
    }
    if their_uri != our_uri {
        return format!("the base string URI: expected {their_uri:?}, computed {our_uri:?}");
    }
    let secret = |param: &str| {
        param.starts_with("oauth_verifier%3D") || param.starts_with("oauth_session_handle%3D")
    };
    let show = |param: &str| -> String {
        if secret(param) {
            let name = param.split("%3D").next().unwrap_or_default();
            format!("{name}%3D{REDACTED}")
        } else {
            param.to_owned()
        }
    };
    for (i, (theirs, ours)) in their_params.iter().zip(&our_params).enumerate() {
        if theirs != ours {
            return format!(
                "parameter {} of the sorted list: expected {:?}, computed {:?}",
                i + 1,
                show(theirs),
                show(ours)
            );
        }
    }
    match their_params.len().cmp(&our_params.len()) {
        std::cmp::Ordering::Greater => format!(
            "the expected base string has more parameters: {:?} and after",
            show(&their_params[our_params.len()])
        ),
        std::cmp::Ordering::Less => format!(
            "the expected base string lacks parameters: {:?} and after",
            show(&our_params[their_params.len()])
        ),
        std::cmp::Ordering::Equal => "in separators or encoding between the parameters".to_owned(),
    }
}
