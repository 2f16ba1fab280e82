//! Why a command failed after its command line was parsed: exit code 1, or 3 when the provider
//! refused ([`CliError::exit_code`]).
//!
//! Every message is one line, tells what to do, and names options rather than quoting their
//! values, so no secret can end up in it.

use core::fmt;
use std::io;
use std::path::{Path, PathBuf};

use countersign::response::ProviderError;

/// A failure after parsing: the request cannot be signed, the provider cannot start, or the
/// output cannot be written.
#[derive(Debug)]
pub(crate) enum CliError {
    /// countersign refused the request; its message says why (naming the flag to use where it
    /// speaks of a switch).
    Core(countersign::Error),
    /// Writing the result failed.
    Output(io::Error),
    /// The provider could not listen on its address.
    Listen {
        /// The address.
        address: String,
        /// Why.
        error: io::Error,
    },
    /// The async runtime or the signal handlers could not be set up.
    Runtime(io::Error),
    /// The shared nonce store (`serve --nonce-store`) cannot be reached.
    NonceStore(countersign_provider::StoreError),
    /// A step of the flow, or a signed request, failed.
    Flow {
        /// Which step.
        step: Step,
        /// Why.
        error: countersign_ureq::Error,
    },
    /// The provider answered a signed request (`request`) with a status outside 2xx.
    Status(Box<ProviderError>),
    /// The provider answered a signed request (`request`) with a redirect, not followed.
    Redirect {
        /// The 3xx status.
        status: u16,
        /// Where it points, secrets redacted, if it says.
        location: Option<String>,
    },
    /// `request`'s absolute URL is not on the provider's API host, without `--allow-other-host`.
    OtherHost {
        /// The API host's origin (`scheme://host[:port]`).
        api: String,
    },
    /// The loopback listener for the callback could not be set up.
    CallbackListen(io::Error),
    /// No redirect reached the loopback listener in time.
    CallbackTimeout {
        /// The callback URL.
        url: String,
        /// How long it waited.
        seconds: u64,
    },
    /// Standard input ended before a verifier was pasted.
    NoVerifier,
    /// Standard input could not be read.
    Input(io::Error),
    /// `explain --expect-base-string` differs from the base string computed.
    BaseStringDiffers {
        /// Where it first differs.
        detail: String,
    },
    /// `login --provider NAME` names no provider countersign knows.
    UnknownProvider {
        /// The name given.
        name: String,
    },
    /// `login --profile-file` cannot be read or is not a provider profile.
    ProfileFile {
        /// The path given.
        path: String,
        /// What is wrong.
        detail: String,
    },
    /// `login --callback oob` (the default) with a provider that does not take `oob`.
    NoOutOfBand,
    /// `serve --rsa-public-key` cannot be read.
    PublicKeyFile {
        /// The path given.
        path: String,
        /// Why.
        error: io::Error,
    },
    /// `--private-key` cannot be read.
    PrivateKeyFile {
        /// The path given.
        path: String,
        /// Why.
        error: io::Error,
    },
    /// A method that signs with the consumer secret, and none was given (only `--private-key`).
    ConsumerSecretRequired {
        /// The method.
        method: countersign::SignatureMethod,
    },
    /// `sign --body-file` cannot be read.
    BodyFile {
        /// The path given.
        path: String,
        /// Why.
        error: io::Error,
    },
    /// The user's configuration directory is unknown, and no credentials file was named.
    NoConfigDir,
    /// There is no credentials file at the path.
    NoCredentials(PathBuf),
    /// The credentials file cannot be read.
    CredentialsUnreadable {
        /// Where.
        path: PathBuf,
        /// Why.
        error: io::Error,
    },
    /// The credentials file is not what `login` writes.
    CorruptCredentials {
        /// Where.
        path: PathBuf,
        /// What is wrong, without quoting the file's values.
        detail: String,
    },
    /// The credentials file could not be written.
    SaveCredentials {
        /// Where.
        path: PathBuf,
        /// Why.
        error: io::Error,
    },
    /// `request`'s URL is neither absolute nor a path.
    InvalidRequestUrl,
    /// Some of the three URLs of a custom provider are missing.
    IncompleteProvider,
    /// The demo's local provider could not start.
    DemoProvider(io::Error),
    /// The demo's stand-in browser did not get the redirect it expected.
    DemoRedirect(String),
}

/// A step of the flow or of `request`, for messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Step {
    /// The temporary-credentials request.
    RequestToken,
    /// The token-credentials request.
    AccessToken,
    /// The identity resource.
    Identity,
    /// A signed request (`request`).
    Request,
}

impl Step {
    const fn doing(self) -> &'static str {
        match self {
            Self::RequestToken => "getting the request token",
            Self::AccessToken => "getting the access token",
            Self::Identity => "fetching the identity",
            Self::Request => "sending the request",
        }
    }

    /// The `login` option that gives this step's URL, for a provider given by its URLs.
    const fn flag(self) -> Option<&'static str> {
        match self {
            Self::RequestToken => Some("--request-token-url"),
            Self::AccessToken => Some("--access-token-url"),
            Self::Identity => Some("--identity-url"),
            Self::Request => None,
        }
    }

    /// The wrapper that tags an adapter error with this step, for `map_err`.
    pub(crate) fn failed(self) -> impl FnOnce(countersign_ureq::Error) -> CliError {
        move |error| CliError::Flow { step: self, error }
    }
}

impl CliError {
    /// The process's exit code: 3 when the provider answered with a status outside 2xx, else 1.
    pub(crate) fn exit_code(&self) -> u8 {
        match self {
            Self::Status(_) | Self::Redirect { .. } => 3,
            Self::Flow { error, .. } if error.provider().is_some() => 3,
            _ => 1,
        }
    }
}

/// A path for a one-line message: as written, unless it holds control characters (then
/// quoted and escaped).
pub(crate) struct Shown<'a>(pub(crate) &'a Path);

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = self.0.to_string_lossy();
        if text.chars().any(char::is_control) {
            write!(f, "{text:?}")
        } else {
            f.write_str(&text)
        }
    }
}

impl From<countersign::Error> for CliError {
    fn from(error: countersign::Error) -> Self {
        Self::Core(error)
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Core(error @ countersign::Error::Misuse(countersign::Misuse::InsecureTransport)) => {
                write!(f, "{error} (the switch: --dangerous-allow-insecure-http)")
            }
            Self::Core(error) => error.fmt(f),
            Self::Output(error) => write!(f, "cannot write to standard output: {error}"),
            Self::Listen { address, error } => {
                write!(f, "cannot listen on {address}: {error}")
            }
            Self::Runtime(error) => write!(f, "cannot start the server's runtime: {error}"),
            Self::NonceStore(error) => write!(
                f,
                "cannot use the nonce store given with --nonce-store ({error}): start Redis, or leave --nonce-store out to keep nonces in memory"
            ),
            Self::Flow { step, error } => flow_message(f, *step, error),
            Self::Status(error) => {
                error.fmt(f)?;
                let forgotten = matches!(
                    error.problem.as_deref(),
                    Some("token_rejected" | "token_revoked" | "token_used" | "token_expired")
                );
                if forgotten {
                    f.write_str("; run countersign login again")?;
                }
                Ok(())
            }
            Self::Redirect {
                status,
                location: Some(location),
            } => write!(
                f,
                "provider answered {status}, a redirect to {location:?}, which countersign does not follow with credentials: request that URL instead if it is the resource you meant (another host needs --allow-other-host)"
            ),
            Self::Redirect {
                status,
                location: None,
            } => write!(
                f,
                "provider answered {status}, a redirect without a Location, which countersign does not follow: check the URL"
            ),
            Self::OtherHost { api } => write!(
                f,
                "the URL is not on {api}, the API host the credentials were saved for, and countersign would send them there: give a path on it, such as /oauth/identity, or add --allow-other-host if that host is to get them"
            ),
            Self::CallbackListen(error) => write!(
                f,
                "cannot listen on 127.0.0.1 for the callback: {error}; try --callback oob"
            ),
            Self::CallbackTimeout { url, seconds } => write!(
                f,
                "no redirect reached {url} within {seconds} seconds: run countersign login again and approve in the browser, or use --callback oob"
            ),
            Self::NoVerifier => f.write_str(
                "no verifier on standard input: paste the code the provider shows after you approve, then press Enter",
            ),
            Self::Input(error) => write!(f, "cannot read standard input: {error}"),
            Self::BaseStringDiffers { detail } => write!(
                f,
                "the expected base string differs from the one computed, first in {detail}: check the URL, the method and the parameters the provider saw"
            ),
            Self::UnknownProvider { name } => {
                write!(f, "no provider called {name:?}: run `countersign providers` for the list, use --provider local, or describe yours with --profile-file")
            }
            Self::ProfileFile { path, detail } => write!(
                f,
                "cannot use the profile file {path:?}: {}",
                detail.trim().replace('\n', " ")
            ),
            Self::NoOutOfBand => f.write_str(
                "this provider does not take oauth_callback=oob (it shows no code to paste): use --callback loopback, with http://127.0.0.1 allowed as the application's callback",
            ),
            Self::PublicKeyFile { path, error } => {
                write!(f, "cannot read the public key file {path:?}: {error}")
            }
            Self::PrivateKeyFile { path, error } => {
                write!(f, "cannot read the private key file {path:?}: {error}")
            }
            Self::ConsumerSecretRequired { method } => write!(
                f,
                "{method} signs with the consumer secret: give --consumer-secret (or COUNTERSIGN_CONSUMER_SECRET), or use RSA-SHA1 or RSA-SHA256 with --private-key"
            ),
            Self::BodyFile { path, error } => {
                write!(f, "cannot read the body file {path:?}: {error}")
            }
            Self::NoConfigDir => f.write_str(
                "cannot find your configuration directory (is HOME set?): name a file with --credentials-file or COUNTERSIGN_CREDENTIALS_FILE",
            ),
            Self::NoCredentials(path) => write!(
                f,
                "no saved credentials at {}: run countersign login first (or name the file with --credentials-file)",
                Shown(path)
            ),
            Self::CredentialsUnreadable { path, error }
                if error.kind() == io::ErrorKind::PermissionDenied =>
            {
                write!(
                    f,
                    "cannot read the credentials file {}: permission denied: check that you own it and may read it (ls -l; chmod 600 it if it is yours), or name another file with --credentials-file",
                    Shown(path)
                )
            }
            Self::CredentialsUnreadable { path, error } => write!(
                f,
                "cannot read the credentials file {}: {error}",
                Shown(path)
            ),
            Self::CorruptCredentials { path, detail } => write!(
                f,
                "the credentials file {} is not one countersign login wrote ({detail}): run countersign login again",
                Shown(path)
            ),
            Self::SaveCredentials { path, error } => write!(
                f,
                "cannot save the credentials to {}: {error}; name another file with --credentials-file",
                Shown(path)
            ),
            Self::InvalidRequestUrl => f.write_str(
                "the URL must be absolute (https://...) or a path on the provider's API host starting with '/', such as /oauth/identity",
            ),
            Self::IncompleteProvider => f.write_str(
                "a provider given by its URLs needs all three: --request-token-url, --authorize-url and --access-token-url",
            ),
            Self::DemoProvider(error) => write!(f, "cannot start the local provider: {error}"),
            Self::DemoRedirect(what) => {
                write!(f, "the local provider did not redirect to the callback: {what}")
            }
        }
    }
}

/// The message for a failed step: the adapter's, with what to do where the CLI knows better.
fn flow_message(
    f: &mut fmt::Formatter<'_>,
    step: Step,
    error: &countersign_ureq::Error,
) -> fmt::Result {
    use countersign::Error as Core;
    use countersign_ureq::Error as Adapter;
    match error {
        Adapter::Core(Core::Flow(countersign::FlowError::Denied)) => f.write_str(
            "access was denied at the provider: run countersign login again and allow access",
        ),
        Adapter::Core(Core::Flow(countersign::FlowError::RequestTokenExpired)) => f.write_str(
            "the request token expired before the approval came back: run countersign login again",
        ),
        Adapter::Core(Core::Flow(countersign::FlowError::TokenMismatch)) => f.write_str(
            "the callback is about another request token (a stale or forged redirect): run countersign login again",
        ),
        Adapter::Core(Core::Misuse(countersign::Misuse::InsecureTransport)) => write!(
            f,
            "{}: refusing to send secrets in the clear over http:// to a host that is not loopback: {}",
            step.doing(),
            match step {
                Step::Request => "use an https:// URL",
                _ => "give the provider's https:// URLs",
            }
        ),
        Adapter::Provider(refusal)
            if step == Step::AccessToken
                && (refusal.problem_kind() == Some(countersign::response::Problem::VerifierInvalid)
                    || refusal
                        .message
                        .as_deref()
                        .is_some_and(|m| m.to_ascii_lowercase().contains("verifier"))) =>
        {
            f.write_str(
                "the code was not accepted (the provider says the verifier does not match): paste it again with care, or start over with countersign login",
            )
        }
        Adapter::Provider(refusal) if (300..400).contains(&refusal.status) => write!(
            f,
            "{}: provider answered {}, a redirect, which countersign does not follow with credentials: {}",
            step.doing(),
            refusal.status,
            match step.flag() {
                Some(flag) => format!(
                    "check {flag}: it must be the endpoint itself (https:// rather than http://, say)"
                ),
                None => "check the URL".into(),
            }
        ),
        Adapter::Unexpected { .. } => match (step, step.flag()) {
            (Step::Identity, Some(flag)) => write!(
                f,
                "{}: {error}: check {flag}: it must answer the identity as Discogs does (JSON with id, username and consumer_name)",
                step.doing()
            ),
            (_, Some(flag)) => write!(
                f,
                "{}: {error}: check {flag}: it must be the provider's OAuth endpoint, not a web page",
                step.doing()
            ),
            (_, None) => write!(f, "{}: {error}", step.doing()),
        },
        Adapter::Transport(_) => write!(
            f,
            "{}: {error} (check the provider's URL and the network)",
            step.doing()
        ),
        _ => write!(f, "{}: {error}", step.doing()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_one_line() {
        let errors = [
            CliError::Core(countersign::Error::Misuse(
                countersign::Misuse::InsecureTransport,
            )),
            CliError::Output(io::Error::from(io::ErrorKind::BrokenPipe)),
            CliError::Listen {
                address: "127.0.0.1:8080".into(),
                error: io::Error::from(io::ErrorKind::AddrInUse),
            },
            CliError::Runtime(io::Error::other("x")),
            CliError::NonceStore(countersign_provider::StoreError::new("refused")),
            CliError::Flow {
                step: Step::RequestToken,
                error: countersign::Error::Flow(countersign::FlowError::Denied).into(),
            },
            CliError::CallbackListen(io::Error::from(io::ErrorKind::AddrInUse)),
            CliError::CallbackTimeout {
                url: "http://127.0.0.1:1/callback".into(),
                seconds: 300,
            },
            CliError::NoVerifier,
            CliError::Input(io::Error::other("x")),
            CliError::BaseStringDiffers {
                detail: "the method".into(),
            },
            CliError::BodyFile {
                path: "body.json".into(),
                error: io::Error::from(io::ErrorKind::NotFound),
            },
            CliError::UnknownProvider {
                name: "jria\n".into(),
            },
            CliError::ProfileFile {
                path: "acme.toml".into(),
                detail: "missing field `name`\n".into(),
            },
            CliError::NoOutOfBand,
            CliError::PublicKeyFile {
                path: "key.pub.pem".into(),
                error: io::Error::from(io::ErrorKind::NotFound),
            },
            CliError::PrivateKeyFile {
                path: "key.pem".into(),
                error: io::Error::from(io::ErrorKind::NotFound),
            },
            CliError::ConsumerSecretRequired {
                method: countersign::SignatureMethod::HmacSha1,
            },
            CliError::NoConfigDir,
            CliError::NoCredentials("/tmp/a\nb".into()),
            CliError::CredentialsUnreadable {
                path: "/x".into(),
                error: io::Error::from(io::ErrorKind::PermissionDenied),
            },
            CliError::CorruptCredentials {
                path: "/x".into(),
                detail: "y".into(),
            },
            CliError::SaveCredentials {
                path: "/x".into(),
                error: io::Error::from(io::ErrorKind::PermissionDenied),
            },
            CliError::InvalidRequestUrl,
            CliError::Redirect {
                status: 301,
                location: Some("https://x.example/\n".into()),
            },
            CliError::Redirect {
                status: 302,
                location: None,
            },
            CliError::OtherHost {
                api: "https://api.example".into(),
            },
            CliError::IncompleteProvider,
            CliError::DemoProvider(io::Error::other("x")),
            CliError::DemoRedirect("z".into()),
        ];
        for error in errors {
            let message = error.to_string();
            assert!(!message.is_empty());
            assert!(!message.contains(['\n', '\r']), "{message}");
        }
    }

    #[test]
    fn messages_say_what_to_do() {
        let unreadable = CliError::CredentialsUnreadable {
            path: "/c.json".into(),
            error: io::Error::from(io::ErrorKind::PermissionDenied),
        };
        assert_eq!(
            unreadable.to_string(),
            "cannot read the credentials file /c.json: permission denied: check that you own it and may read it (ls -l; chmod 600 it if it is yours), or name another file with --credentials-file"
        );
        for (step, advice) in [
            (Step::Request, "use an https:// URL"),
            (Step::RequestToken, "give the provider's https:// URLs"),
        ] {
            let insecure = CliError::Flow {
                step,
                error: countersign::Error::Misuse(countersign::Misuse::InsecureTransport).into(),
            };
            let message = insecure.to_string();
            assert!(message.ends_with(advice), "{message}");
            assert!(!message.contains("switch"), "{message}");
        }
        let redirect = |status| {
            countersign::Error::Provider(Box::new(ProviderError::from_response(
                &countersign::response::Response::new(status, b""),
            )))
        };
        let moved = CliError::Flow {
            step: Step::AccessToken,
            error: redirect(302).into(),
        };
        assert_eq!(moved.exit_code(), 3);
        assert_eq!(
            moved.to_string(),
            "getting the access token: provider answered 302, a redirect, which countersign does not follow with credentials: check --access-token-url: it must be the endpoint itself (https:// rather than http://, say)"
        );
        let garbage = CliError::Flow {
            step: Step::Identity,
            error: countersign_ureq::Error::Unexpected {
                error: countersign::Error::Flow(countersign::FlowError::CallbackNotConfirmed),
                excerpt: "<html>".into(),
            },
        };
        assert!(
            garbage
                .to_string()
                .ends_with("check --identity-url: it must answer the identity as Discogs does (JSON with id, username and consumer_name)"),
            "{garbage}"
        );
        assert_eq!(
            CliError::Redirect {
                status: 301,
                location: None
            }
            .exit_code(),
            3
        );
    }

    #[test]
    fn refusals_exit_3_and_the_rest_1() {
        use countersign::response::Response;
        let refusal = || {
            countersign::Error::Provider(Box::new(ProviderError::from_response(&Response::new(
                401,
                b"Invalid signature.",
            ))))
        };
        let flow = CliError::Flow {
            step: Step::AccessToken,
            error: refusal().into(),
        };
        assert_eq!(flow.exit_code(), 3);
        let message = flow.to_string();
        assert!(
            message.starts_with("getting the access token: provider answered 401 Unauthorized: \"Invalid signature.\""),
            "{message}"
        );
        let countersign::Error::Provider(status) = refusal() else {
            unreachable!()
        };
        assert_eq!(CliError::Status(status).exit_code(), 3);
        assert_eq!(CliError::NoVerifier.exit_code(), 1);
        let denied = CliError::Flow {
            step: Step::AccessToken,
            error: countersign::Error::Flow(countersign::FlowError::Denied).into(),
        };
        assert_eq!(denied.exit_code(), 1);
    }
}
