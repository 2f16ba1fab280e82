//! Why a command failed after its command line was parsed: exit code 1.
//!
//! Every message is one line, tells what to do, and names options rather than quoting their
//! values, so no secret can end up in it.

use core::fmt;
use std::io;

/// A failure after parsing: the request cannot be signed, the provider cannot start, or the
/// output cannot be written.
#[derive(Debug)]
pub(crate) enum CliError {
    /// countersign refused the request; its message says why (naming the flag to use where it
    /// speaks of a switch).
    Core(countersign::Error),
    /// `--method` is not an HTTP method name.
    InvalidMethod,
    /// `--timestamp` is not a number of seconds.
    InvalidTimestamp,
    /// A token without its secret, or the other way round.
    UnpairedToken {
        /// Whether the token is the half that is present.
        token_present: bool,
    },
    /// The `position`th `--form` (from 1) has no `=`.
    FormWithoutEquals {
        /// Which `--form`, counting from 1.
        position: usize,
    },
    /// The `position`th `--form` (from 1) has an empty name.
    FormEmptyName {
        /// Which `--form`, counting from 1.
        position: usize,
    },
    /// Writing the result failed.
    Output(io::Error),
    /// `--listen` is not `ADDRESS:PORT`.
    InvalidListen,
    /// `--listen` is not a loopback address.
    NotLoopback,
    /// A consumer key without its secret, or the other way round (`serve`).
    UnpairedConsumer {
        /// Whether the key is the half that is present.
        key_present: bool,
    },
    /// The provider could not listen on its address.
    Listen {
        /// The address.
        address: String,
        /// Why.
        error: io::Error,
    },
    /// The async runtime or the signal handlers could not be set up.
    Runtime(io::Error),
}

impl From<countersign::Error> for CliError {
    fn from(error: countersign::Error) -> Self {
        Self::Core(error)
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Core(error @ countersign::Error::InsecureTransport) => {
                write!(f, "{error} (the switch: --dangerous-allow-insecure-http)")
            }
            Self::Core(error) => error.fmt(f),
            Self::InvalidMethod => f.write_str(
                "--method must be an HTTP method name such as GET or POST (letters, digits and !#$%&'*+-.^_`|~)",
            ),
            Self::InvalidTimestamp => f.write_str(
                "--timestamp must be a whole number of seconds since the Unix epoch, such as 1700000000",
            ),
            Self::UnpairedToken {
                token_present: true,
            } => f.write_str(
                "a token is given (--token or COUNTERSIGN_TOKEN) without its secret: add --token-secret or set COUNTERSIGN_TOKEN_SECRET",
            ),
            Self::UnpairedToken {
                token_present: false,
            } => f.write_str(
                "a token secret is given (--token-secret or COUNTERSIGN_TOKEN_SECRET) without its token: add --token or set COUNTERSIGN_TOKEN",
            ),
            Self::FormWithoutEquals { position } => write!(
                f,
                "--form number {position} has no '=': write each field as NAME=VALUE"
            ),
            Self::FormEmptyName { position } => write!(
                f,
                "--form number {position} has an empty name: write each field as NAME=VALUE"
            ),
            Self::Output(error) => write!(f, "cannot write to standard output: {error}"),
            Self::InvalidListen => f.write_str(
                "--listen must be ADDRESS:PORT, such as 127.0.0.1:8080 or [::1]:0 (port 0 picks a free one)",
            ),
            Self::NotLoopback => f.write_str(
                "--listen must be a loopback address (127.0.0.0/8 or ::1): the provider speaks plain HTTP and PLAINTEXT sends secrets in the clear",
            ),
            Self::UnpairedConsumer { key_present: true } => f.write_str(
                "a consumer key is given (--consumer-key or COUNTERSIGN_CONSUMER_KEY) without its secret: add --consumer-secret or set COUNTERSIGN_CONSUMER_SECRET",
            ),
            Self::UnpairedConsumer { key_present: false } => f.write_str(
                "a consumer secret is given (--consumer-secret or COUNTERSIGN_CONSUMER_SECRET) without its key: add --consumer-key or set COUNTERSIGN_CONSUMER_KEY",
            ),
            Self::Listen { address, error } => {
                write!(f, "cannot listen on {address}: {error}")
            }
            Self::Runtime(error) => write!(f, "cannot start the server's runtime: {error}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_one_line() {
        let errors = [
            CliError::Core(countersign::Error::InsecureTransport),
            CliError::InvalidMethod,
            CliError::InvalidTimestamp,
            CliError::UnpairedToken {
                token_present: true,
            },
            CliError::UnpairedToken {
                token_present: false,
            },
            CliError::FormWithoutEquals { position: 2 },
            CliError::FormEmptyName { position: 1 },
            CliError::Output(io::Error::from(io::ErrorKind::BrokenPipe)),
            CliError::InvalidListen,
            CliError::NotLoopback,
            CliError::UnpairedConsumer { key_present: true },
            CliError::UnpairedConsumer { key_present: false },
            CliError::Listen {
                address: "127.0.0.1:8080".into(),
                error: io::Error::from(io::ErrorKind::AddrInUse),
            },
            CliError::Runtime(io::Error::other("x")),
        ];
        for error in errors {
            let message = error.to_string();
            assert!(!message.is_empty());
            assert!(!message.contains(['\n', '\r']), "{message}");
        }
    }
}
