//! `countersign sign`: print the `Authorization` header value for one request.

use std::io::{self, Write};

use countersign::clock::{Clock, SystemClock};
use countersign::encode::encode;
use countersign::nonce::{Nonce, NonceGenerator, NonceSource};
use countersign::{
    Authorization, ClientCredentials, Request, SignatureMethod, Signer, TokenCredentials,
};

use crate::cli::SignArgs;
use crate::error::CliError;

/// Signs the request `args` describe and writes the header value and a newline to `out`.
///
/// The nonce and timestamp not given on the command line come from the operating system's
/// random source and the system clock.
pub(crate) fn run<W: Write + ?Sized>(args: &SignArgs, out: &mut W) -> Result<(), CliError> {
    let header = authorization(args, &mut NonceGenerator::new(), &SystemClock)?;
    write_line(out, &header).map_err(CliError::Output)
}

/// The header value for the request `args` describe, with `nonces` and `clock` standing in for
/// `--nonce` and `--timestamp` when those are absent.
pub(crate) fn authorization<N, C>(
    args: &SignArgs,
    nonces: &mut N,
    clock: &C,
) -> Result<Authorization, CliError>
where
    N: NonceSource + ?Sized,
    C: Clock + ?Sized,
{
    if !is_http_token(&args.method) {
        return Err(CliError::InvalidMethod("--method"));
    }
    let method: SignatureMethod = args.signature_method.parse()?;
    let client = ClientCredentials::new(args.consumer_key.as_str(), args.consumer_secret.clone());
    let token = match (&args.token, &args.token_secret) {
        (Some(token), Some(secret)) => Some(TokenCredentials::new(token.as_str(), secret.clone())),
        (None, None) => None,
        (Some(_), None) => {
            return Err(CliError::UnpairedToken {
                token_present: true,
            });
        }
        (None, Some(_)) => {
            return Err(CliError::UnpairedToken {
                token_present: false,
            });
        }
    };
    let timestamp = match &args.timestamp {
        Some(text) => parse_timestamp(text)?,
        None => clock.now(),
    };
    let nonce = match &args.nonce {
        Some(text) => Nonce::new(text)?,
        None => nonces.next_nonce()?,
    };
    let body = form_body(&args.form)?;

    let mut request = Request::new(&args.method, &args.url);
    if let Some(body) = &body {
        request = request.with_form_body(body.as_bytes());
    }
    let mut signer = Signer::new(&client)
        .signature_method(method)
        .version(!args.no_version)
        .timestamp(timestamp)
        .nonce(nonce.as_str());
    if let Some(token) = &token {
        signer = signer.token(token);
    }
    if let Some(realm) = &args.realm {
        signer = signer.realm(realm);
    }
    if let Some(callback) = &args.callback {
        signer = signer.callback(callback);
    }
    if let Some(verifier) = &args.verifier {
        signer = signer.verifier(verifier);
    }
    if args.dangerous_allow_insecure_http {
        signer = signer.dangerous_allow_insecure_http();
    }
    Ok(signer.sign(&request)?.to_authorization())
}

/// Writes the header value and a newline, then flushes.
fn write_line<W: Write + ?Sized>(out: &mut W, header: &Authorization) -> io::Result<()> {
    out.write_all(header.as_str().as_bytes())?;
    out.write_all(b"\n")?;
    out.flush()
}

/// Whether `method` is an HTTP method name: a token (RFC 9110 section 5.6.2).
pub(crate) fn is_http_token(method: &str) -> bool {
    !method.is_empty()
        && method
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// Seconds since the Unix epoch, as decimal digits only (no sign, no spaces).
fn parse_timestamp(text: &str) -> Result<u64, CliError> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(CliError::InvalidTimestamp);
    }
    text.parse().map_err(|_| CliError::InvalidTimestamp)
}

/// The `application/x-www-form-urlencoded` body for the `--form NAME=VALUE` fields, in order, or
/// `None` when there are none. Names and values are raw text, percent-encoded here (RFC 5849
/// section 3.6, which form decoders accept: a space becomes `%20`).
pub(crate) fn form_body(fields: &[String]) -> Result<Option<String>, CliError> {
    if fields.is_empty() {
        return Ok(None);
    }
    let mut body = String::new();
    for (index, field) in fields.iter().enumerate() {
        let position = index + 1;
        let (name, value) = field
            .split_once('=')
            .ok_or(CliError::FormWithoutEquals { position })?;
        if name.is_empty() {
            return Err(CliError::FormEmptyName { position });
        }
        if index > 0 {
            body.push('&');
        }
        body.push_str(&encode(name).to_string());
        body.push('=');
        body.push_str(&encode(value).to_string());
    }
    Ok(Some(body))
}

#[cfg(test)]
mod tests {
    use super::*;
    use countersign::clock::FixedClock;
    use countersign::{Error, Secret};

    fn args() -> SignArgs {
        SignArgs {
            method: "GET".into(),
            url: "https://api.example.com/identity".into(),
            consumer_key: "key".into(),
            consumer_secret: Secret::new("secret"),
            token: None,
            token_secret: None,
            signature_method: "PLAINTEXT".into(),
            nonce: None,
            timestamp: None,
            callback: None,
            verifier: None,
            realm: None,
            form: Vec::new(),
            no_version: false,
            dangerous_allow_insecure_http: false,
        }
    }

    fn fixed_nonce() -> Result<Nonce, Error> {
        Nonce::new("fixed-nonce")
    }

    #[test]
    fn absent_nonce_and_timestamp_come_from_the_sources() {
        let header = authorization(&args(), &mut fixed_nonce, &FixedClock(42)).unwrap();
        assert_eq!(
            header.as_str(),
            "OAuth oauth_consumer_key=\"key\", oauth_signature_method=\"PLAINTEXT\", \
             oauth_version=\"1.0\", oauth_timestamp=\"42\", oauth_nonce=\"fixed-nonce\", \
             oauth_signature=\"secret%26\""
        );
    }

    #[test]
    fn given_nonce_and_timestamp_win_over_the_sources() {
        let mut a = args();
        a.nonce = Some("given".into());
        a.timestamp = Some("7".into());
        let header = authorization(&a, &mut fixed_nonce, &FixedClock(42)).unwrap();
        assert!(
            header
                .as_str()
                .contains("oauth_timestamp=\"7\", oauth_nonce=\"given\""),
            "{}",
            header.as_str()
        );
    }

    #[test]
    fn nonce_source_failure_is_reported() {
        let mut failing = || Err(Error::Random);
        let error = authorization(&args(), &mut failing, &FixedClock(42)).unwrap_err();
        assert!(matches!(error, CliError::Core(Error::Random)), "{error:?}");
    }

    #[test]
    fn timestamps_are_digits_only() {
        assert_eq!(parse_timestamp("0").unwrap(), 0);
        assert_eq!(parse_timestamp("137131200").unwrap(), 137_131_200);
        assert_eq!(parse_timestamp("18446744073709551615").unwrap(), u64::MAX);
        for bad in [
            "",
            "+1",
            "-1",
            " 1",
            "1 ",
            "1.5",
            "abc",
            "18446744073709551616",
        ] {
            assert!(parse_timestamp(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn methods_are_tokens() {
        for good in ["GET", "POST", "get", "M-SEARCH", "X_Y.Z~1"] {
            assert!(is_http_token(good), "{good:?}");
        }
        for bad in ["", "GET ", "G\tET", "GÉT", "(GET)", "GET\n"] {
            assert!(!is_http_token(bad), "{bad:?}");
        }
    }

    #[test]
    fn form_fields_are_encoded_in_order() {
        let fields = |f: &[&str]| f.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(form_body(&[]).unwrap(), None);
        assert_eq!(
            form_body(&fields(&["b=2", "a=x y&z", "c=", "d==e", "\u{e9}=~"]))
                .unwrap()
                .as_deref(),
            Some("b=2&a=x%20y%26z&c=&d=%3De&%C3%A9=~")
        );
        assert!(matches!(
            form_body(&fields(&["a=1", "novalue"])),
            Err(CliError::FormWithoutEquals { position: 2 })
        ));
        assert!(matches!(
            form_body(&fields(&["=1"])),
            Err(CliError::FormEmptyName { position: 1 })
        ));
    }

    #[test]
    fn broken_output_is_an_error_not_a_panic() {
        struct Broken;
        impl Write for Broken {
            fn write(&mut self, _: &[u8]) -> io::Result<usize> {
                Err(io::Error::from(io::ErrorKind::BrokenPipe))
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let error = run(&args(), &mut Broken).unwrap_err();
        assert!(matches!(error, CliError::Output(_)), "{error:?}");
    }
}
