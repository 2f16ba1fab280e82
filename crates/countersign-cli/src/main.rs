//! The `countersign` command: OAuth 1.0a from the shell.
//!
//! - `countersign demo` walks the whole three-legged flow against the local provider of
//!   [`countersign_provider`], started in-process on loopback, printing each step.
//! - `countersign login` runs the flow against Discogs (or any provider given by its URLs) with a
//!   person and a browser, out of band or with a loopback callback listener, and saves the
//!   access credentials to a file only its owner can read.
//! - `countersign request URL` sends a request signed with those credentials and prints the body.
//! - `countersign sign` prints the `Authorization` header value for one request, built by the
//!   [`countersign`] crate.
//! - `countersign serve` runs the local provider on loopback until interrupted.
//!
//! HTTP goes through [`countersign_ureq`]. Credentials come from flags or from the
//! `COUNTERSIGN_*` environment variables (flags win), so secrets can stay out of shell history;
//! no secret is ever printed, except by `sign`, whose output is the header.
//!
//! Exit codes: 0 on success (for `serve`, stopped by Ctrl-C or SIGTERM); 1 when something
//! fails, with one line on stderr saying why; 2 for a command-line usage error (clap's); 3 when
//! the provider answered with a status outside 2xx (`demo`, `login`, `request`).
//!
//! [`cli`] holds the clap definitions, one module per subcommand does the work, and this file
//! parses, dispatches and maps failures to exit codes.

#![forbid(unsafe_code)]

mod cli;
mod credentials;
mod demo;
mod error;
mod explain;
mod login;
mod loopback;
mod providers;
mod request;
mod serve;
mod sign;
mod usage;

use std::ffi::OsString;
use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;

use clap::{CommandFactory, Parser};

use crate::cli::{Cli, Command};

/// The User-Agent of every request the command sends (Discogs requires one that names the
/// application).
pub(crate) const USER_AGENT: &str = concat!(
    "countersign-cli/",
    env!("CARGO_PKG_VERSION"),
    " +https://github.com/countersign-rs/countersign"
);

fn main() -> ExitCode {
    let argv: Vec<OsString> = std::env::args_os().collect();
    let cli = match Cli::try_parse_from(&argv) {
        Ok(cli) => cli,
        Err(error) => return usage::report(&error, &Cli::command(), &argv),
    };
    let result = match &cli.command {
        Command::Sign(args) => sign::run(args, &mut io::stdout().lock()),
        Command::Explain(args) => explain::run(args, &mut io::stdout().lock()),
        Command::Serve(args) => serve::run(args, &mut io::stdout()),
        Command::Demo(_) => demo::run(&mut io::stdout().lock()),
        Command::Providers => providers::run(&mut io::stdout().lock()),
        Command::Login(args) => {
            let stdin = io::stdin();
            let input = login::Input {
                terminal: stdin.is_terminal(),
                reader: &mut stdin.lock(),
            };
            login::run(args, input, &mut io::stderr())
        }
        Command::Request(args) => {
            let stdout = io::stdout();
            let terminal = stdout.is_terminal();
            request::run(args, &mut stdout.lock(), terminal, &mut io::stderr())
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            // Nothing more can be done when stderr is gone.
            let _ = writeln!(io::stderr().lock(), "countersign: error: {error}");
            ExitCode::from(error.exit_code())
        }
    }
}
