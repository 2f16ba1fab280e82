//! Reporting clap's own errors (exit code 2; 0 for `--help` and `--version`) without showing a
//! secret.
//!
//! clap quotes the arguments it cannot place. A secret that starts with `-`, written
//! `--consumer-secret -x` instead of `--consumer-secret=-x`, is taken for a flag, and clap would
//! print it (or its first characters) in its error. So before printing clap's message, this
//! module looks for that mistake and explains it instead, and withholds any message that contains
//! the value of a secret option. The secret options are found in the clap definitions (every
//! argument whose value is a [`Secret`]), so later subcommands are covered without a list to keep
//! up to date.

use core::any::TypeId;
use std::ffi::{OsStr, OsString};
use std::io::{self, Write};
use std::process::ExitCode;

use clap::error::ErrorKind;
use countersign::Secret;

/// How an option whose value is a secret is spelled.
#[derive(Debug, Default)]
struct SecretOption {
    /// `--name`.
    long: Option<String>,
    /// `-c`.
    short: Option<String>,
    /// The environment variable it may come from.
    env: Option<OsString>,
}

impl SecretOption {
    /// The flags that introduce the option, `--name` first.
    fn flags(&self) -> impl Iterator<Item = &str> {
        self.long.iter().chain(&self.short).map(String::as_str)
    }
}

/// The options of `command` and its subcommands (recursively) whose values are secrets.
fn secret_options(command: &clap::Command) -> Vec<SecretOption> {
    let mut found = Vec::new();
    collect_secret_options(command, &mut found);
    found
}

fn collect_secret_options(command: &clap::Command, found: &mut Vec<SecretOption>) {
    for arg in command.get_arguments() {
        if arg.get_value_parser().type_id() == TypeId::of::<Secret>() {
            found.push(SecretOption {
                long: arg.get_long().map(|long| format!("--{long}")),
                short: arg.get_short().map(|short| format!("-{short}")),
                env: arg.get_env().map(ToOwned::to_owned),
            });
        }
    }
    for sub in command.get_subcommands() {
        collect_secret_options(sub, found);
    }
}

/// Prints `error` (or, when it would show a secret, a one-line replacement) and returns the exit
/// code clap assigns to it: 0 for `--help` and `--version`, 2 for a usage error.
pub(crate) fn report(error: &clap::Error, command: &clap::Command, argv: &[OsString]) -> ExitCode {
    let code = ExitCode::from(u8::try_from(error.exit_code()).unwrap_or(2));
    let replacement = match error.kind() {
        // Help and version texts quote nothing from the command line, and env values are hidden.
        ErrorKind::DisplayHelp
        | ErrorKind::DisplayVersion
        | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => None,
        _ => replacement_for(
            &error.render().to_string(),
            &secret_options(command),
            argv,
            |name: &OsStr| std::env::var_os(name),
        ),
    };
    // Nothing more can be done when stderr (or stdout, for --help) is gone.
    let _ = match replacement {
        None => error.print(),
        Some(line) => writeln!(io::stderr().lock(), "countersign: error: {line}"),
    };
    code
}

/// The one-line message to print instead of clap's `message`, when clap's would show a secret.
/// `env` reads an environment variable.
fn replacement_for(
    message: &str,
    options: &[SecretOption],
    argv: &[OsString],
    env: impl Fn(&OsStr) -> Option<OsString>,
) -> Option<String> {
    if let Some(flag) = secret_flag_before_hyphen(options, argv) {
        return Some(format!(
            "{flag} needs a value: write a value that starts with '-' as {flag}=VALUE"
        ));
    }
    let shows_secret = secret_values(options, argv, env)
        .into_iter()
        .any(|value| message.contains(value.as_str()));
    shows_secret.then(|| {
        "invalid command line (clap's message is withheld: it would show a secret value); \
         try '--help'"
            .to_owned()
    })
}

/// The first secret option written `--flag VALUE` whose value starts with `-`: clap takes the
/// value for a flag.
fn secret_flag_before_hyphen<'o>(
    options: &'o [SecretOption],
    argv: &[OsString],
) -> Option<&'o str> {
    let args = arguments(argv);
    args.windows(2).find_map(|pair| match pair {
        [flag, value] if value.len() > 1 && value.starts_with('-') => options
            .iter()
            .flat_map(SecretOption::flags)
            .find(|f| f == flag),
        _ => None,
    })
}

/// The values given to secret options on the command line (`--flag VALUE`, `--flag=VALUE`) and in
/// their environment variables (read with `env`); empty values are left out.
fn secret_values(
    options: &[SecretOption],
    argv: &[OsString],
    env: impl Fn(&OsStr) -> Option<OsString>,
) -> Vec<String> {
    let args = arguments(argv);
    let mut values = Vec::new();
    for (i, arg) in args.iter().enumerate() {
        for flag in options.iter().flat_map(SecretOption::flags) {
            if *arg == flag {
                values.extend(args.get(i + 1).map(|v| (*v).to_owned()));
            } else if let Some(value) = arg.strip_prefix(flag).and_then(|v| v.strip_prefix('=')) {
                values.push(value.to_owned());
            }
        }
    }
    for option in options {
        if let Some(value) = option.env.as_deref().and_then(&env) {
            values.extend(value.into_string().ok());
        }
    }
    values.retain(|value| !value.is_empty());
    values
}

/// The UTF-8 arguments after the program name and before `--`. clap refuses the others (and
/// after `--` nothing is a flag).
fn arguments(argv: &[OsString]) -> Vec<&str> {
    argv.iter()
        .skip(1)
        .map_while(|arg| arg.to_str())
        .take_while(|arg| *arg != "--")
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::Cli;
    use clap::CommandFactory;

    fn argv(args: &[&str]) -> Vec<OsString> {
        core::iter::once("countersign")
            .chain(args.iter().copied())
            .map(OsString::from)
            .collect()
    }

    #[test]
    fn finds_the_secret_options_of_every_subcommand() {
        let options = secret_options(&Cli::command());
        let longs: Vec<_> = options.iter().filter_map(|o| o.long.as_deref()).collect();
        assert_eq!(
            longs,
            [
                "--consumer-secret",
                "--consumer-secret",
                "--token-secret",
                "--verifier",
                "--consumer-secret"
            ]
        );
        let envs: Vec<_> = options.iter().filter_map(|o| o.env.as_ref()).collect();
        assert_eq!(
            envs,
            [
                "COUNTERSIGN_CONSUMER_SECRET",
                "COUNTERSIGN_CONSUMER_SECRET",
                "COUNTERSIGN_TOKEN_SECRET",
                "COUNTERSIGN_CONSUMER_SECRET"
            ]
        );
    }

    #[test]
    fn explains_a_secret_that_looks_like_a_flag() {
        let options = secret_options(&Cli::command());
        let args = argv(&["sign", "--consumer-secret", "-abc", "--url", "u"]);
        assert_eq!(
            secret_flag_before_hyphen(&options, &args),
            Some("--consumer-secret")
        );
        let args = argv(&["sign", "--consumer-secret=-abc", "--url", "-u"]);
        assert_eq!(secret_flag_before_hyphen(&options, &args), None);
        let args = argv(&["sign", "--", "--verifier", "-abc"]);
        assert_eq!(secret_flag_before_hyphen(&options, &args), None);
    }

    #[test]
    fn collects_secret_values_in_both_spellings() {
        let options = secret_options(&Cli::command());
        let args = argv(&[
            "sign",
            "--consumer-secret",
            "one",
            "--token-secret=two",
            "--verifier=",
            "--realm",
            "not-secret",
        ]);
        let values = secret_values(&options, &args, |_| None);
        assert!(values.contains(&"one".to_owned()), "{values:?}");
        assert!(values.contains(&"two".to_owned()), "{values:?}");
        assert!(!values.contains(&"not-secret".to_owned()), "{values:?}");
        assert!(!values.iter().any(String::is_empty), "{values:?}");
    }

    #[test]
    fn reads_secret_values_from_the_environment() {
        let options = secret_options(&Cli::command());
        let env = |name: &OsStr| (name == "COUNTERSIGN_TOKEN_SECRET").then(|| "from-env".into());
        let values = secret_values(&options, &argv(&["sign"]), env);
        assert_eq!(values, ["from-env"]);
    }

    #[test]
    fn withholds_messages_that_show_a_secret() {
        let options = secret_options(&Cli::command());
        let no_env = |_: &OsStr| None;
        let args = argv(&["sign", "--consumer-secret", "hunter2", "hunter3"]);
        let message = "unexpected argument 'hunter3'";
        assert!(replacement_for(message, &options, &args, no_env).is_none());
        let message = "unexpected argument 'hunter2'";
        let line = replacement_for(message, &options, &args, no_env).unwrap();
        assert!(!line.contains("hunter2"), "{line}");
        let args = argv(&["sign", "--consumer-secret", "-hunter2"]);
        let message = "unexpected argument '-h'";
        let line = replacement_for(message, &options, &args, no_env).unwrap();
        assert!(line.contains("--consumer-secret=VALUE"), "{line}");
        assert!(!line.contains("hunter"), "{line}");
    }
}
