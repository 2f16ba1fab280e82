//! The command line, as clap derive definitions.
//!
//! Values are taken as plain strings (or [`Secret`]s) and checked after parsing, by the
//! subcommands: clap's own value errors span several lines, and ours must fit on one.

use clap::{Args, Parser, Subcommand};
use countersign::Secret;

/// The environment variables and exit codes, shown after the help of `sign`.
const AFTER_HELP: &str = "\
Environment:
  COUNTERSIGN_CONSUMER_KEY     the consumer key (--consumer-key)
  COUNTERSIGN_CONSUMER_SECRET  the consumer secret (--consumer-secret)
  COUNTERSIGN_TOKEN            the token (--token)
  COUNTERSIGN_TOKEN_SECRET     the token secret (--token-secret)
  Flags win over the environment. Keeping secrets in the environment keeps them out of shell
  history.

Exit codes:
  0  success
  1  the request cannot be signed (bad input, such as an http:// URL to a remote host),
     or the output could not be written; one line on stderr says why
  2  command-line usage error";

/// The same for the whole program: every subcommand's variables and failures.
const PROGRAM_AFTER_HELP: &str = "\
Environment:
  COUNTERSIGN_CONSUMER_KEY     the consumer key (--consumer-key)
  COUNTERSIGN_CONSUMER_SECRET  the consumer secret (--consumer-secret)
  COUNTERSIGN_TOKEN            the token (--token)
  COUNTERSIGN_TOKEN_SECRET     the token secret (--token-secret)
  Flags win over the environment. Keeping secrets in the environment keeps them out of shell
  history.

Exit codes:
  0  success (serve: stopped by Ctrl-C or SIGTERM)
  1  the request cannot be signed (bad input, such as an http:// URL to a remote host),
     the provider cannot start (serve), or the output could not be written; one line on
     stderr says why
  2  command-line usage error";

/// The environment variables, output and exit codes of `serve`.
const SERVE_AFTER_HELP: &str = "\
Environment:
  COUNTERSIGN_CONSUMER_KEY     the consumer key to register (--consumer-key)
  COUNTERSIGN_CONSUMER_SECRET  its secret (--consumer-secret)
  Flags win over the environment. Without either, the consumer countersign-local-key with the
  secret countersign-local-secret is registered.

Output:
  The first line on stdout is the base URL, such as http://127.0.0.1:8080; nothing else goes
  to stdout. What the provider refused, and why, goes to stderr (never a secret).

Exit codes:
  0  stopped by Ctrl-C (SIGINT) or SIGTERM
  1  the provider cannot start (--listen is not a loopback address, or is in use; a consumer
     key without its secret), or the output could not be written; one line on stderr says why
  2  command-line usage error";

/// Sign OAuth 1.0a requests from the shell, and serve a local OAuth 1.0a provider.
#[derive(Parser)]
#[command(name = "countersign", version, after_help = PROGRAM_AFTER_HELP)]
pub(crate) struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// The subcommands.
#[derive(Subcommand)]
pub(crate) enum Command {
    /// Print the Authorization header value for one request.
    ///
    /// Prints the value alone (starting with "OAuth "), followed by a newline, on stdout. With
    /// PLAINTEXT the value contains the consumer and token secrets.
    #[command(after_help = AFTER_HELP)]
    Sign(Box<SignArgs>),

    /// Run a local, Discogs-compatible OAuth 1.0a provider on loopback.
    ///
    /// Serves /oauth/request_token, /oauth/authorize, /oauth/access_token, /oauth/identity and
    /// the protected /database/search over plain HTTP until interrupted. Prints the base URL as
    /// the first line on stdout.
    #[command(after_help = SERVE_AFTER_HELP)]
    Serve(ServeArgs),
}

/// The options of `countersign serve`.
#[derive(Args)]
pub(crate) struct ServeArgs {
    /// The loopback address and port to listen on; port 0 picks a free one.
    #[arg(long, value_name = "ADDRESS:PORT", default_value = "127.0.0.1:8080")]
    pub(crate) listen: String,

    /// The consumer key to register (with --consumer-secret) instead of the default consumer.
    #[arg(
        long,
        value_name = "KEY",
        env = "COUNTERSIGN_CONSUMER_KEY",
        hide_env_values = true
    )]
    pub(crate) consumer_key: Option<String>,

    /// The secret of --consumer-key. Prefer the environment variable; a value starting with '-'
    /// must be written --consumer-secret=VALUE.
    #[arg(
        long,
        value_name = "SECRET",
        env = "COUNTERSIGN_CONSUMER_SECRET",
        hide_env_values = true
    )]
    pub(crate) consumer_secret: Option<Secret>,

    /// Approve every authorization at once, for scripts: GET /oauth/authorize?oauth_token=..
    /// redirects to the callback, or for oob answers oauth_token=..&oauth_verifier=.. as a
    /// form body.
    #[arg(long)]
    pub(crate) auto_approve: bool,
}

/// The options of `countersign sign`.
///
/// Not `Debug`: it holds the consumer key and token in plain strings (the secrets are
/// [`Secret`]s, whose `Debug` is redacted, but nothing here needs printing).
#[derive(Args)]
pub(crate) struct SignArgs {
    /// The HTTP method of the request, such as GET or POST.
    #[arg(long, value_name = "METHOD")]
    pub(crate) method: String,

    /// The absolute URL of the request, query included.
    #[arg(long, value_name = "URL")]
    pub(crate) url: String,

    /// The consumer key (client identifier).
    #[arg(
        long,
        value_name = "KEY",
        env = "COUNTERSIGN_CONSUMER_KEY",
        hide_env_values = true
    )]
    pub(crate) consumer_key: String,

    /// The consumer secret. Prefer the environment variable; a value starting with '-' must be
    /// written --consumer-secret=VALUE.
    #[arg(
        long,
        value_name = "SECRET",
        env = "COUNTERSIGN_CONSUMER_SECRET",
        hide_env_values = true
    )]
    pub(crate) consumer_secret: Secret,

    /// The token (temporary or access); needs --token-secret.
    #[arg(
        long,
        value_name = "TOKEN",
        env = "COUNTERSIGN_TOKEN",
        hide_env_values = true
    )]
    pub(crate) token: Option<String>,

    /// The token secret; needs --token. Prefer the environment variable.
    #[arg(
        long,
        value_name = "SECRET",
        env = "COUNTERSIGN_TOKEN_SECRET",
        hide_env_values = true
    )]
    pub(crate) token_secret: Option<Secret>,

    /// The signature method (oauth_signature_method), spelled as RFC 5849 does.
    #[arg(long, value_name = "NAME", default_value = "PLAINTEXT")]
    pub(crate) signature_method: String,

    /// The oauth_nonce: 1 to 64 characters from A-Z a-z 0-9 - . _ ~ [default: 24 random
    /// alphanumeric characters].
    #[arg(long, value_name = "NONCE")]
    pub(crate) nonce: Option<String>,

    /// The oauth_timestamp, in seconds since the Unix epoch [default: now].
    #[arg(long, value_name = "SECONDS")]
    pub(crate) timestamp: Option<String>,

    /// The oauth_callback of a temporary-credentials request: an absolute URL, or `oob`.
    #[arg(long, value_name = "URL")]
    pub(crate) callback: Option<String>,

    /// The oauth_verifier of a token-credentials request.
    #[arg(long, value_name = "VERIFIER")]
    pub(crate) verifier: Option<Secret>,

    /// The realm parameter of the header.
    #[arg(long, value_name = "REALM")]
    pub(crate) realm: Option<String>,

    /// A field of the application/x-www-form-urlencoded body, as raw (unencoded) text; repeat
    /// for more fields, in order.
    #[arg(long = "form", value_name = "NAME=VALUE")]
    pub(crate) form: Vec<String>,

    /// Leave out oauth_version="1.0" (the RFC makes it optional).
    #[arg(long)]
    pub(crate) no_version: bool,

    /// Allow sending the secrets in the clear over http:// to hosts that are not loopback:
    /// anyone on the path reads them.
    #[arg(long)]
    pub(crate) dangerous_allow_insecure_http: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn definitions_are_consistent() {
        Cli::command().debug_assert();
    }
}
