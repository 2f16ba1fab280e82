//! `countersign sign`: print the `Authorization` header value for one request.

use std::io::{self, Write};

use countersign::clock::{Clock, SystemClock};
use countersign::encode::encode;
use countersign::nonce::{NonceGenerator, NonceSource};
use countersign::signature::BodyHash;
use countersign::{
    Authorization, ClientCredentials, Request, RsaPrivateKey, Secret, SignatureMethod, Signer,
    TokenCredentials,
};
use std::path::Path;

use crate::cli::{FormField, SignArgs};
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
    let client = client_credentials(
        &args.consumer.consumer_key,
        args.consumer.consumer_secret.as_ref(),
        args.consumer.private_key.as_deref(),
        args.signature_method,
    )?;
    // clap has seen that the token and its secret come together.
    let token = args
        .token
        .as_deref()
        .zip(args.token_secret.clone())
        .map(|(token, secret)| TokenCredentials::new(token, secret));
    let timestamp = args.timestamp.unwrap_or_else(|| clock.now());
    let nonce = match args.nonce {
        Some(nonce) => nonce,
        None => nonces.next_nonce()?,
    };
    let body = Body::of(args)?;
    let request = body.request(args);
    let hash = if args.body_hash {
        let hashed = request.body().unwrap_or_default();
        Some(BodyHash::new(args.signature_method, hashed)?)
    } else {
        None
    };
    let mut signer = Signer::new(&client)
        .signature_method(args.signature_method)
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
    if let Some(hash) = &hash {
        signer = signer.body_hash(hash);
    }
    if args.dangerous_allow_insecure_http {
        signer = signer.dangerous_allow_insecure_http();
    }
    Ok(signer.sign(&request)?.to_authorization())
}

/// The client credentials of a command line: the consumer key with the secret, the RSA private
/// key read from `private_key`, or both. A method that signs with the secret needs the secret;
/// an RSA method without a key is the core's [`Misuse::RsaKeyRequired`](countersign::Misuse),
/// which names `--private-key`.
pub(crate) fn client_credentials(
    key: &str,
    secret: Option<&Secret>,
    private_key: Option<&Path>,
    method: SignatureMethod,
) -> Result<ClientCredentials, CliError> {
    if secret.is_none() && !method.uses_rsa() {
        return Err(CliError::ConsumerSecretRequired { method });
    }
    let client = ClientCredentials::new(key, secret.cloned().unwrap_or_else(|| Secret::new("")));
    let Some(path) = private_key else {
        return Ok(client);
    };
    // A `Secret`: the key's text is cleared when it is dropped.
    let pem =
        Secret::from(
            std::fs::read_to_string(path).map_err(|error| CliError::PrivateKeyFile {
                path: path.display().to_string(),
                error,
            })?,
        );
    Ok(client.rsa_key(RsaPrivateKey::from_pem(pem.expose_secret())?))
}

/// The body `args` describe: `--form` fields, or `--body-file` with its `--content-type`.
pub(crate) struct Body {
    /// The bytes, if any.
    bytes: Option<Vec<u8>>,
    /// Whether they are a form (their parameters signed).
    form: bool,
}

impl Body {
    /// Reads `--body-file`, or encodes the `--form` fields.
    pub(crate) fn of(args: &SignArgs) -> Result<Self, CliError> {
        if let Some(form) = form_body(&args.form) {
            return Ok(Self {
                bytes: Some(form.into_bytes()),
                form: true,
            });
        }
        let Some(path) = &args.body_file else {
            return Ok(Self {
                bytes: None,
                form: false,
            });
        };
        let bytes = std::fs::read(path).map_err(|error| CliError::BodyFile {
            path: path.display().to_string(),
            error,
        })?;
        Ok(Self {
            bytes: Some(bytes),
            form: args.content_type.as_deref().is_some_and(is_form_type),
        })
    }

    /// The request `args` describe, with this body.
    pub(crate) fn request<'a>(&'a self, args: &'a SignArgs) -> Request<'a> {
        let request = Request::new(args.method.as_str(), &args.url);
        match &self.bytes {
            Some(bytes) if self.form => request.with_form_body(bytes),
            Some(bytes) => request.with_body(bytes),
            None => request,
        }
    }
}

/// Writes the header value and a newline, then flushes.
fn write_line<W: Write + ?Sized>(out: &mut W, header: &Authorization) -> io::Result<()> {
    out.write_all(header.as_str().as_bytes())?;
    out.write_all(b"\n")?;
    out.flush()
}

/// Whether a `Content-Type` is `application/x-www-form-urlencoded`, in any case and with any
/// parameters.
fn is_form_type(content_type: &str) -> bool {
    content_type.split(';').next().is_some_and(|media| {
        media
            .trim()
            .eq_ignore_ascii_case("application/x-www-form-urlencoded")
    })
}

/// The `application/x-www-form-urlencoded` body for the `--form NAME=VALUE` fields, in order, or
/// `None` when there are none. Names and values are raw text, percent-encoded here (RFC 5849
/// section 3.6, which form decoders accept: a space becomes `%20`).
pub(crate) fn form_body(fields: &[FormField]) -> Option<String> {
    let pairs = fields
        .iter()
        .map(|f| format!("{}={}", encode(&f.name), encode(&f.value)));
    (!fields.is_empty()).then(|| pairs.collect::<Vec<_>>().join("&"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use countersign::clock::FixedClock;
    use countersign::nonce::Nonce;
    use countersign::{Error, Secret};

    fn args() -> SignArgs {
        SignArgs {
            method: http::Method::GET,
            url: "https://api.example.com/identity".into(),
            consumer: crate::cli::ConsumerArgs {
                consumer_key: "key".into(),
                consumer_secret: Some(Secret::new("secret")),
                private_key: None,
            },
            token: None,
            token_secret: None,
            signature_method: countersign::SignatureMethod::Plaintext,
            nonce: None,
            timestamp: None,
            callback: None,
            verifier: None,
            realm: None,
            form: Vec::new(),
            body_file: None,
            content_type: None,
            body_hash: false,
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
        a.nonce = Some(Nonce::new("given").unwrap());
        a.timestamp = Some(7);
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
    fn form_fields_are_encoded_in_order() {
        let field = |name: &str, value: &str| FormField {
            name: name.into(),
            value: value.into(),
        };
        assert_eq!(form_body(&[]), None);
        let fields = [
            field("b", "2"),
            field("a", "x y&z"),
            field("c", ""),
            field("d", "=e"),
            field("\u{e9}", "~"),
        ];
        assert_eq!(
            form_body(&fields).as_deref(),
            Some("b=2&a=x%20y%26z&c=&d=%3De&%C3%A9=~")
        );
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
