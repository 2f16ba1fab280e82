//! The command line, as clap derive definitions: every value is parsed and checked here (value
//! parsers, and relations between arguments), so that a bad command line is a usage error
//! (exit code 2) with clap's message and tips, before anything runs.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use countersign::nonce::Nonce;
use countersign::{Secret, SignatureMethod};

/// An HTTP method name: a token (RFC 9110 section 5.6.2), such as GET or POST.
fn method(text: &str) -> Result<http::Method, String> {
    let token = !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
    match token {
        true => http::Method::from_bytes(text.as_bytes()).map_err(|e| e.to_string()),
        false => Err(
            "an HTTP method name such as GET or POST (letters, digits and !#$%&'*+-.^_`|~)".into(),
        ),
    }
}

/// A signature method, by its RFC 5849 name.
fn signature_method(text: &str) -> Result<SignatureMethod, String> {
    text.parse().map_err(|e: countersign::Error| e.to_string())
}

/// A provider countersign knows, or `local`.
fn provider_name(text: &str) -> Result<String, String> {
    if text.eq_ignore_ascii_case(LOCAL) || countersign::providers::find(text).is_some() {
        return Ok(text.to_ascii_lowercase());
    }
    let names: Vec<String> = countersign::providers::all()
        .into_iter()
        .map(|p| p.name)
        .chain([LOCAL.to_owned()])
        .collect();
    Err(format!(
        "no such provider: use one of {} (`countersign providers` shows their URLs), or describe yours with --profile-file",
        names.join(", ")
    ))
}

/// Seconds since the Unix epoch, as decimal digits only (no sign, no spaces).
fn timestamp(text: &str) -> Result<u64, String> {
    let digits = !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
    let seconds = digits.then(|| text.parse().ok()).flatten();
    seconds
        .ok_or_else(|| "a whole number of seconds since the Unix epoch, such as 1700000000".into())
}

/// An `oauth_nonce`.
fn nonce(text: &str) -> Result<Nonce, String> {
    Nonce::new(text).map_err(|e| e.to_string())
}

/// A `NAME=VALUE` field of a form body: raw text, encoded when the body is built.
#[derive(Clone, Debug)]
pub(crate) struct FormField {
    /// The name, not empty.
    pub(crate) name: String,
    /// The value.
    pub(crate) value: String,
}

fn form_field(text: &str) -> Result<FormField, String> {
    match text.split_once('=') {
        Some((name, value)) if !name.is_empty() => Ok(FormField {
            name: name.into(),
            value: value.into(),
        }),
        Some(_) => Err("the name is empty: write each field as NAME=VALUE".into()),
        None => Err("there is no '=': write each field as NAME=VALUE".into()),
    }
}

/// A loopback address and port to listen on.
fn loopback_address(text: &str) -> Result<SocketAddr, String> {
    let address: SocketAddr = text.trim().parse().map_err(|_| {
        "ADDRESS:PORT, such as 127.0.0.1:8080 or [::1]:0 (port 0 picks a free one)".to_owned()
    })?;
    match address.ip().is_loopback() {
        true => Ok(address),
        false => Err("a loopback address (127.0.0.0/8 or ::1): the provider speaks plain HTTP and PLAINTEXT sends secrets in the clear".into()),
    }
}

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
  1  the request cannot be signed (such as an http:// URL to a remote host, or a realm with
     a control character), or the output could not be written; one line on stderr says why
  2  command-line usage error: an option missing, or a value that is not valid (a method,
     a timestamp, a nonce, a signature method, a form field)";

/// The same for the whole program: every subcommand's variables and failures.
const PROGRAM_AFTER_HELP: &str = "\
Start here:
  countersign demo             the whole three-legged flow against a local provider
  countersign login            get access credentials from Discogs (or any OAuth 1.0a provider)
  countersign request URL      a signed request with them

Environment:
  COUNTERSIGN_CONSUMER_KEY         the consumer key (--consumer-key)
  COUNTERSIGN_CONSUMER_SECRET      the consumer secret (--consumer-secret)
  COUNTERSIGN_TOKEN                the token (--token, sign)
  COUNTERSIGN_TOKEN_SECRET         the token secret (--token-secret, sign)
  COUNTERSIGN_CREDENTIALS_FILE     where login saves and request reads the credentials
                                   (--credentials-file)
  Flags win over the environment. Keeping secrets in the environment keeps them out of shell
  history.

Exit codes:
  0  success (serve: stopped by Ctrl-C or SIGTERM)
  1  the request cannot be signed (bad input, such as an http:// URL to a remote host), the
     provider cannot be reached or answered something that is not OAuth, the authorization
     was denied or not given in time, there are no usable saved credentials, the provider
     cannot start (serve), or the output could not be written; one line on stderr says why
  2  command-line usage error: an option missing, or a value that is not valid
  3  the provider refused: it answered with a status outside 2xx (demo, login, request); one
     line on stderr gives the status and the provider's message
  130  interrupted by Ctrl-C (as the shell reports a process that SIGINT stopped; serve
       stops cleanly instead, with 0)";

/// The output and exit codes of `demo`.
const DEMO_AFTER_HELP: &str = "\
Output:
  Each step on stdout, in plain words, ending with the identity the provider reports. Tokens
  are shown; their secrets, the consumer secret and the verifier never are. Nothing leaves
  this machine: the provider listens on 127.0.0.1, on a free port, and stops when the demo
  ends.

Exit codes:
  0  the flow ran to the end
  1  something failed (the provider cannot start, a step went wrong, or the output could not
     be written); one line on stderr says why
  2  command-line usage error
  3  the provider refused a step (a status outside 2xx)";

/// The environment variables, files and exit codes of `login`.
const LOGIN_AFTER_HELP: &str = "\
Environment:
  COUNTERSIGN_CONSUMER_KEY       the consumer key (--consumer-key)
  COUNTERSIGN_CONSUMER_SECRET    the consumer secret (--consumer-secret)
  COUNTERSIGN_CREDENTIALS_FILE   where to save the credentials (--credentials-file)
  Flags win over the environment. Keeping secrets in the environment keeps them out of shell
  history.

Callbacks:
  oob        the provider shows a code (the verifier) after you approve; paste it on
             standard input
  loopback   countersign listens on http://127.0.0.1:<free port>/callback, the provider sends
             your browser there after you approve, and countersign takes the verifier itself

Output:
  Everything goes to stderr: the authorize URL on a line of its own, then who logged in and
  where the credentials were saved. No secret is ever printed.

Credentials file:
  JSON holding the provider's URLs, the consumer key and secret, and the access token and
  its secret: everything `countersign request` needs, and so secrets. The default is
  countersign/credentials.json in your configuration directory (on Linux
  $XDG_CONFIG_HOME or ~/.config; on macOS ~/Library/Application Support; on Windows
  %APPDATA%). It is replaced atomically, and on Unix created readable and writable by its
  owner only (mode 0600, in a directory created with mode 0700).

Exit codes:
  0  logged in and saved the credentials
  1  bad input, the provider cannot be reached or answered something that is not OAuth, the
     authorization was denied or not given in time, no verifier on standard input, or the
     credentials could not be saved; one line on stderr says why
  2  command-line usage error
  3  the provider refused a step (a status outside 2xx, such as 401 for a wrong consumer
     key or secret); one line on stderr gives the status and the provider's message";

/// The environment variables, output and exit codes of `request`.
const REQUEST_AFTER_HELP: &str = "\
Environment:
  COUNTERSIGN_CREDENTIALS_FILE   the credentials file (--credentials-file)

Output:
  The body of the answer on stdout, as it came, whatever the status; with -i, the status line
  and the headers first, then an empty line.

Exit codes:
  0  the provider answered with a 2xx status
  1  no usable credentials file (run `countersign login` first), bad input, the provider
     cannot be reached, or the output could not be written; one line on stderr says why
  2  command-line usage error
  3  the provider answered with a status outside 2xx; one line on stderr gives the status
     and the provider's message";

/// The environment variables, output and exit codes of `serve`.
const SERVE_AFTER_HELP: &str = "\
Environment:
  COUNTERSIGN_CONSUMER_KEY     the consumer key to register (--consumer-key)
  COUNTERSIGN_CONSUMER_SECRET  its secret (--consumer-secret)
  COUNTERSIGN_PERSONAL_TOKEN   a personal access token to accept (--personal-token)
  Flags win over the environment. Without either, the consumer countersign-local-key with the
  secret countersign-local-secret is registered.

Output:
  The first line on stdout is the base URL, such as http://127.0.0.1:8080; nothing else goes
  to stdout. What the provider refused, and why, goes to stderr (never a secret).

Exit codes:
  0  stopped by Ctrl-C (SIGINT) or SIGTERM
  1  the provider cannot start (--listen is in use, --nonce-store does not answer), or the
     output could not be written; one line on stderr says why
  2  command-line usage error (--listen not a loopback ADDRESS:PORT; a consumer key without
     its secret)";

/// OAuth 1.0a from the shell: run the flow, get access credentials, make signed requests, and
/// serve a local provider.
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
    /// Walk the whole three-legged flow against a local provider, step by step.
    ///
    /// Starts the local provider on 127.0.0.1 (approving at once, standing in for you), then
    /// gets a request token, follows the authorize URL, catches the redirect with the verifier,
    /// gets the access token and asks who it belongs to, printing each step.
    #[command(after_help = DEMO_AFTER_HELP)]
    Demo(DemoArgs),

    /// Get access credentials: the three-legged flow, with your browser, and save them.
    ///
    /// Discogs by default, a provider countersign knows (--provider NAME: `countersign
    /// providers` lists them), one of your own (--profile-file), or any OAuth 1.0a provider
    /// given by its three URLs. Prints the
    /// authorize URL and opens it in the browser; after you approve, takes the verifier (pasted,
    /// or from the redirect to a loopback listener), gets the access token, shows who logged in,
    /// and saves the credentials to a file only you can read.
    #[command(after_help = LOGIN_AFTER_HELP)]
    Login(Box<LoginArgs>),

    /// Make a signed request with the saved credentials, and print the answer's body.
    #[command(after_help = REQUEST_AFTER_HELP)]
    Request(RequestArgs),

    /// Print the Authorization header value for one request.
    ///
    /// Prints the value alone (starting with "OAuth "), followed by a newline, on stdout. With
    /// PLAINTEXT the value contains the consumer and token secrets.
    #[command(after_help = AFTER_HELP)]
    Sign(Box<SignArgs>),

    /// Show how one request is signed, for debugging a 401: the base string URI, every parameter
    /// in the order signed with where it came from, the signature base string and the header,
    /// secrets redacted.
    ///
    /// Takes the options of `sign`. With --expect-base-string (the base string a provider echoed,
    /// or one from its documentation) it says where the two first differ, and exits 1 when they
    /// do.
    #[command(after_help = EXPLAIN_AFTER_HELP)]
    Explain(Box<ExplainArgs>),

    /// List the providers countersign knows: name, signature method, and the request-token,
    /// authorization and access-token URLs ({base}, {account_host}, {app}: filled from
    /// `login --base-url`, `--account`, `--app-name`).
    Providers,

    /// Run a local, Discogs-compatible OAuth 1.0a provider on loopback.
    ///
    /// Serves /oauth/request_token, /oauth/authorize, /oauth/access_token, /oauth/identity and
    /// the protected /database/search over plain HTTP until interrupted. Prints the base URL as
    /// the first line on stdout.
    #[command(after_help = SERVE_AFTER_HELP)]
    Serve(ServeArgs),
}

/// The exit codes of `explain`.
const EXPLAIN_AFTER_HELP: &str = "\
Environment: as for sign.

Exit codes:
  0  explained (and the expected base string, if given, matches)
  1  the request cannot be signed, or the expected base string differs; one line on stderr
     says where
  2  command-line usage error";

/// The options of `countersign explain`: those of `sign`, and the base string to compare with.
#[derive(Args)]
pub(crate) struct ExplainArgs {
    #[command(flatten)]
    pub(crate) sign: SignArgs,

    /// The signature base string the provider computed (some echo it in an error, or print it
    /// in their documentation): where it first differs from ours is shown.
    #[arg(long, value_name = "BASE_STRING")]
    pub(crate) expect_base_string: Option<String>,
}

/// The options of `countersign demo`.
#[derive(Args)]
pub(crate) struct DemoArgs {}

/// `login --provider local`: a local provider (`countersign serve`, or `LocalProvider` in a
/// test) at --base-url.
pub(crate) const LOCAL: &str = "local";

/// How the verifier comes back to `login`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum CallbackKind {
    /// Out of band: paste the code the provider shows.
    Oob,
    /// A listener on 127.0.0.1 catches the provider's redirect.
    Loopback,
}

/// The client's credentials, as `login`, `sign` and `explain` take them: the consumer key with
/// its secret, its RSA private key, or both.
#[derive(Args)]
pub(crate) struct ConsumerArgs {
    /// The consumer key (client identifier) the provider gave your application.
    #[arg(
        long,
        value_name = "KEY",
        env = "COUNTERSIGN_CONSUMER_KEY",
        hide_env_values = true
    )]
    pub(crate) consumer_key: String,

    /// The consumer secret (not with the RSA methods). Prefer the environment variable; a value
    /// starting with '-' must be written --consumer-secret=VALUE.
    #[arg(
        long,
        value_name = "SECRET",
        env = "COUNTERSIGN_CONSUMER_SECRET",
        hide_env_values = true,
        required_unless_present = "private_key"
    )]
    pub(crate) consumer_secret: Option<Secret>,

    /// The client's RSA private key, for RSA-SHA1 and RSA-SHA256 (Jira, Confluence): a PEM
    /// file (PKCS#8 `PRIVATE KEY` or PKCS#1 `RSA PRIVATE KEY`, unencrypted). `login` saves its
    /// path (never the key) with the credentials.
    #[arg(
        long,
        value_name = "PATH",
        env = "COUNTERSIGN_PRIVATE_KEY",
        hide_env_values = true
    )]
    pub(crate) private_key: Option<PathBuf>,
}

/// The options of `countersign login`.
///
/// Not `Debug`: the secret is a [`Secret`], but nothing here needs printing.
#[derive(Args)]
pub(crate) struct LoginArgs {
    /// A provider countersign knows (`countersign providers` lists them), or `local`
    /// [default: discogs; --profile-file or the URL options below give any other provider].
    #[arg(long, value_name = "NAME", value_parser = provider_name, conflicts_with_all = ["request_token_url", "authorize_url", "access_token_url", "identity_url", "request_token_method", "profile_file"])]
    pub(crate) provider: Option<String>,

    /// A provider of your own, described in a TOML file with the fields of a built-in one
    /// (name, title, docs, request_token_url, authorize_url, access_token_url, signature_method;
    /// optionally request_token_method, identity_url, realm, oob, user_agent_required,
    /// request_token_lifetime, notes).
    #[arg(long, value_name = "PATH", conflicts_with_all = ["request_token_url", "authorize_url", "access_token_url", "identity_url", "request_token_method"])]
    pub(crate) profile_file: Option<PathBuf>,

    /// The provider's base URL, for --provider local (as `countersign serve` prints it) and for
    /// self-hosted products ({base}: Jira, Confluence, Magento, a Schoology domain).
    #[arg(long, value_name = "URL", required_if_eq("provider", "local"))]
    pub(crate) base_url: Option<String>,

    /// The account ID, for providers that name one ({account}: NetSuite's 1234567 or
    /// 1234567_SB1).
    #[arg(long, value_name = "ID")]
    pub(crate) account: Option<String>,

    /// Your application's name, for providers that show it on the authorization page
    /// ({app}: Trello).
    #[arg(long, value_name = "NAME", default_value = "countersign")]
    pub(crate) app_name: String,

    /// The provider's temporary-credentials (request token) endpoint.
    #[arg(long, value_name = "URL", requires_all = ["authorize_url", "access_token_url"])]
    pub(crate) request_token_url: Option<String>,

    /// The provider's authorization page.
    #[arg(long, value_name = "URL", requires_all = ["request_token_url", "access_token_url"])]
    pub(crate) authorize_url: Option<String>,

    /// The provider's token-credentials (access token) endpoint.
    #[arg(long, value_name = "URL", requires_all = ["request_token_url", "authorize_url"])]
    pub(crate) access_token_url: Option<String>,

    /// The provider's identity resource (Discogs-style JSON: id, username, consumer_name),
    /// fetched to show who logged in.
    #[arg(long, value_name = "URL", requires = "request_token_url")]
    pub(crate) identity_url: Option<String>,

    /// The HTTP method of the request-token request, for a provider given by its URLs
    /// [default: POST].
    #[arg(long, value_name = "METHOD", requires = "request_token_url", value_parser = method)]
    pub(crate) request_token_method: Option<http::Method>,

    /// The client's credentials.
    #[command(flatten)]
    pub(crate) consumer: ConsumerArgs,

    /// The signature method (oauth_signature_method), spelled as RFC 5849 does; it is saved
    /// with the credentials [default: the provider's, or PLAINTEXT].
    #[arg(long, value_name = "NAME", value_parser = signature_method)]
    pub(crate) signature_method: Option<SignatureMethod>,

    /// How the verifier comes back after you approve.
    #[arg(long, value_enum, value_name = "HOW", default_value_t = CallbackKind::Oob)]
    pub(crate) callback: CallbackKind,

    /// Do not open the authorize URL in a browser; only print it.
    #[arg(long)]
    pub(crate) no_browser: bool,

    /// Where to save the credentials [default: countersign/credentials.json in your
    /// configuration directory].
    #[arg(
        long,
        value_name = "PATH",
        env = "COUNTERSIGN_CREDENTIALS_FILE",
        hide_env_values = true
    )]
    pub(crate) credentials_file: Option<PathBuf>,

    /// How long the loopback listener waits for the redirect, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 300, hide = true)]
    pub(crate) callback_timeout: u64,
}

/// The options of `countersign request`.
#[derive(Args)]
pub(crate) struct RequestArgs {
    /// The URL: a path starting with '/' on the provider's API host (the host of its
    /// access-token URL), such as /oauth/identity, or an absolute URL on that host (or on the
    /// identity URL's; another host needs --allow-other-host).
    #[arg(value_name = "URL")]
    pub(crate) url: String,

    /// The HTTP method [default: GET, or POST with --form].
    #[arg(long, short = 'X', value_name = "METHOD", value_parser = method)]
    pub(crate) method: Option<http::Method>,

    /// A field of an application/x-www-form-urlencoded body, as raw (unencoded) text; repeat
    /// for more fields, in order.
    #[arg(long = "form", value_name = "NAME=VALUE", value_parser = form_field)]
    pub(crate) form: Vec<FormField>,

    /// Print the status line and the headers before the body.
    #[arg(long, short = 'i')]
    pub(crate) include: bool,

    /// Sign and send the request even when the absolute URL is not on the provider's API host
    /// (scheme, host and port) that the credentials were saved for: that host then gets the
    /// credentials, and with PLAINTEXT (the default) their secrets.
    #[arg(long)]
    pub(crate) allow_other_host: bool,

    /// The credentials file `countersign login` saved [default: countersign/credentials.json
    /// in your configuration directory].
    #[arg(
        long,
        value_name = "PATH",
        env = "COUNTERSIGN_CREDENTIALS_FILE",
        hide_env_values = true
    )]
    pub(crate) credentials_file: Option<PathBuf>,
}

/// The options of `countersign serve`.
#[derive(Args)]
pub(crate) struct ServeArgs {
    /// The loopback address and port to listen on; port 0 picks a free one.
    #[arg(
        long,
        value_name = "ADDRESS:PORT",
        default_value = "127.0.0.1:8080",
        value_parser = loopback_address
    )]
    pub(crate) listen: SocketAddr,

    /// The consumer key to register (with --consumer-secret) instead of the default consumer.
    #[arg(
        long,
        value_name = "KEY",
        env = "COUNTERSIGN_CONSUMER_KEY",
        hide_env_values = true,
        requires = "consumer_secret"
    )]
    pub(crate) consumer_key: Option<String>,

    /// The secret of --consumer-key. Prefer the environment variable; a value starting with '-'
    /// must be written --consumer-secret=VALUE.
    #[arg(
        long,
        value_name = "SECRET",
        env = "COUNTERSIGN_CONSUMER_SECRET",
        hide_env_values = true,
        requires = "consumer_key"
    )]
    pub(crate) consumer_secret: Option<Secret>,

    /// The consumer's RSA public key (a PEM file: `PUBLIC KEY` or `RSA PUBLIC KEY`), for
    /// requests it signs with RSA-SHA1 or RSA-SHA256, as a Jira application link holds one.
    #[arg(long, value_name = "PATH")]
    pub(crate) rsa_public_key: Option<PathBuf>,

    /// Approve every authorization at once, for scripts: GET /oauth/authorize?oauth_token=..
    /// redirects to the callback, or for oob answers oauth_token=..&oauth_verifier=.. as a
    /// form body.
    #[arg(long)]
    pub(crate) auto_approve: bool,

    /// Keep nonces in this Redis (redis://HOST:PORT[/DB]) instead of in memory, so that several
    /// providers sharing it refuse a request replayed from one to another. Without Redis,
    /// requests are refused with 503, never accepted unchecked.
    #[arg(long, value_name = "redis://HOST:PORT", value_parser = redis_url)]
    pub(crate) nonce_store: Option<String>,

    /// The URL clients use when the provider sits behind a reverse proxy (the proxy's scheme and
    /// host, and the path prefix it adds, if any): requests are verified against it followed by
    /// the path received.
    #[arg(long, value_name = "URL")]
    pub(crate) public_url: Option<countersign_provider::PublicUrl>,

    /// Accept this Discogs personal access token (Authorization: Discogs token=TOKEN, or
    /// ?token=TOKEN) for the signed-in user. Prefer the environment variable.
    #[arg(
        long,
        value_name = "TOKEN",
        env = "COUNTERSIGN_PERSONAL_TOKEN",
        hide_env_values = true
    )]
    pub(crate) personal_token: Option<Secret>,

    /// Verify as RFC 5849 says and nothing more: refuse protocol parameters split between the
    /// Authorization header and the form body, and PLAINTEXT requests without oauth_timestamp
    /// and oauth_nonce (both accepted by default, as Discogs accepts them).
    #[arg(long)]
    pub(crate) strict: bool,
}

/// A `redis://` or `rediss://` URL.
fn redis_url(text: &str) -> Result<String, String> {
    let lower = text.get(..9).unwrap_or(text).to_ascii_lowercase();
    if lower.starts_with("redis://") || lower.starts_with("rediss://") {
        Ok(text.to_owned())
    } else {
        Err("a Redis URL, such as redis://127.0.0.1:6379 or redis://127.0.0.1:6379/2".into())
    }
}

/// The options of `countersign sign`.
///
/// Not `Debug`: it holds the consumer key and token in plain strings (the secrets are
/// [`Secret`]s, whose `Debug` is redacted, but nothing here needs printing).
#[derive(Args)]
pub(crate) struct SignArgs {
    /// The HTTP method of the request, such as GET or POST.
    #[arg(long, value_name = "METHOD", value_parser = method)]
    pub(crate) method: http::Method,

    /// The absolute URL of the request, query included.
    #[arg(long, value_name = "URL")]
    pub(crate) url: String,

    /// The client's credentials.
    #[command(flatten)]
    pub(crate) consumer: ConsumerArgs,

    /// The token (temporary or access); needs --token-secret.
    #[arg(
        long,
        value_name = "TOKEN",
        env = "COUNTERSIGN_TOKEN",
        hide_env_values = true,
        requires = "token_secret"
    )]
    pub(crate) token: Option<String>,

    /// The token secret; needs --token. Prefer the environment variable.
    #[arg(
        long,
        value_name = "SECRET",
        env = "COUNTERSIGN_TOKEN_SECRET",
        hide_env_values = true,
        requires = "token"
    )]
    pub(crate) token_secret: Option<Secret>,

    /// The signature method (oauth_signature_method), spelled as RFC 5849 does.
    #[arg(long, value_name = "NAME", default_value = "PLAINTEXT", value_parser = signature_method)]
    pub(crate) signature_method: SignatureMethod,

    /// The oauth_nonce: 1 to 64 characters from A-Z a-z 0-9 - . _ ~ [default: 24 random
    /// alphanumeric characters].
    #[arg(long, value_name = "NONCE", value_parser = nonce)]
    pub(crate) nonce: Option<Nonce>,

    /// The oauth_timestamp, in seconds since the Unix epoch [default: now].
    #[arg(long, value_name = "SECONDS", value_parser = timestamp)]
    pub(crate) timestamp: Option<u64>,

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
    #[arg(long = "form", value_name = "NAME=VALUE", value_parser = form_field)]
    pub(crate) form: Vec<FormField>,

    /// The request's body, read from this file. With --content-type
    /// application/x-www-form-urlencoded its parameters are signed; any other body is signed
    /// only through --body-hash.
    #[arg(long, value_name = "PATH", conflicts_with = "form")]
    pub(crate) body_file: Option<PathBuf>,

    /// The Content-Type of --body-file (default application/octet-stream).
    #[arg(long, value_name = "TYPE", requires = "body_file")]
    pub(crate) content_type: Option<String>,

    /// Send oauth_body_hash, the hash of the body (of --body-file, or of an empty body), with
    /// the signature method's hash: SHA-1 for HMAC-SHA1 and RSA-SHA1, SHA-256 for HMAC-SHA256
    /// and RSA-SHA256, SHA-512 for HMAC-SHA512. Not with PLAINTEXT, nor with a form body.
    #[arg(long)]
    pub(crate) body_hash: bool,

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

    #[test]
    fn values_are_parsed_and_checked() {
        assert_eq!(method("PATCH").unwrap(), http::Method::PATCH);
        assert_eq!(method("purge").unwrap().as_str(), "purge");
        for bad in ["", "GE T", "GET\n", "(GET)"] {
            assert!(method(bad).is_err(), "{bad:?}");
        }
        assert_eq!(timestamp("1700000000"), Ok(1_700_000_000));
        for bad in ["", "soon", "-1", "+1", " 1", "99999999999999999999999"] {
            assert!(timestamp(bad).is_err(), "{bad:?}");
        }
        assert!(nonce("a+b").is_err());
        assert!(
            signature_method("HMAC-MD5")
                .unwrap_err()
                .contains("HMAC-MD5")
        );
        let field = form_field("a=b=c").unwrap();
        assert_eq!((field.name.as_str(), field.value.as_str()), ("a", "b=c"));
        assert!(form_field("novalue").unwrap_err().contains("NAME=VALUE"));
        assert!(form_field("=v").unwrap_err().contains("name is empty"));
        assert!(loopback_address(" [::1]:0 ").is_ok());
        assert!(
            loopback_address("0.0.0.0:8080")
                .unwrap_err()
                .contains("loopback")
        );
        assert!(
            loopback_address("localhost")
                .unwrap_err()
                .contains("ADDRESS:PORT")
        );
    }
}
