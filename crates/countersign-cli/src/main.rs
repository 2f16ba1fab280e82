//! The `countersign` command: sign OAuth 1.0a requests from the shell.
//!
//! `countersign sign` prints the `Authorization` header value for one request, built by the
//! [`countersign`] crate. `countersign serve` runs the local provider of
//! [`countersign_provider`] on loopback until interrupted. Credentials come from flags or from
//! the `COUNTERSIGN_*` environment variables (flags win), so secrets can stay out of shell
//! history.
//!
//! Exit codes: 0 on success (for `serve`, stopped by Ctrl-C or SIGTERM); 1 when the request
//! cannot be signed (bad input, such as an `http://` URL to a remote host), the provider cannot
//! start, or the output cannot be written, with one line on stderr saying why; 2 for a
//! command-line usage error (clap's).
//!
//! The layout leaves room for more subcommands: [`cli`] holds the clap definitions, one module
//! per subcommand does the work, and this file parses, dispatches and maps failures to exit
//! codes.

#![forbid(unsafe_code)]

mod cli;
mod error;
mod serve;
mod sign;
mod usage;

use std::ffi::OsString;
use std::io::{self, Write};
use std::process::ExitCode;

use clap::{CommandFactory, Parser};

use crate::cli::{Cli, Command};

fn main() -> ExitCode {
    let argv: Vec<OsString> = std::env::args_os().collect();
    let cli = match Cli::try_parse_from(&argv) {
        Ok(cli) => cli,
        Err(error) => return usage::report(&error, &Cli::command(), &argv),
    };
    let result = match &cli.command {
        Command::Sign(args) => sign::run(args, &mut io::stdout().lock()),
        Command::Serve(args) => serve::run(args, &mut io::stdout()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            // Nothing more can be done when stderr is gone.
            let _ = writeln!(io::stderr().lock(), "countersign: error: {error}");
            ExitCode::FAILURE
        }
    }
}
