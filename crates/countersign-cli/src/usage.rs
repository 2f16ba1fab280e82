//! Reporting clap's own errors (exit code 2; 0 for `--help` and `--version`) without showing a
//! secret.
//!
//! clap quotes the arguments it cannot place. A secret that starts with `-`, written
//! `--consumer-secret -x` instead of `--consumer-secret=-x`, is taken for a flag, and clap would
//! print it (or its first characters) in its error. So before printing clap's message, this
//! module looks for that mistake and explains it instead, and replaces the value of any secret
//! option in the message with `[redacted]`, keeping the rest (clap's "a similar argument exists"
//! tip most of all). A missing argument that can come from an environment variable gets a tip
//! naming the variable. The secret options are found in the clap definitions (every argument
//! whose value is a [`Secret`]), so later subcommands are covered without a list to keep up to
//! date.

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

/// Prints `error` (its secrets redacted, with tips for missing arguments that an environment
/// variable can give) and returns the exit code clap assigns to it: 0 for `--help` and
/// `--version`, 2 for a usage error.
pub(crate) fn report(error: &clap::Error, command: &clap::Command, argv: &[OsString]) -> ExitCode {
    let code = ExitCode::from(u8::try_from(error.exit_code()).unwrap_or(2));
    let options = secret_options(command);
    let own = match error.kind() {
        // Help and version texts quote nothing from the command line, and env values are hidden.
        ErrorKind::DisplayHelp
        | ErrorKind::DisplayVersion
        | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => None,
        _ => rewritten(error, command, &options, argv, |name: &OsStr| {
            std::env::var_os(name)
        }),
    };
    // Nothing more can be done when stderr (or stdout, for --help) is gone.
    let _ = match own {
        None => error.print(),
        Some(text) => write!(io::stderr().lock(), "{text}"),
    };
    code
}

/// What to print instead of clap's own rendering of `error`, when it must change: one line for a
/// secret written `--flag -VALUE`, or clap's text with secrets redacted and tips added. `env`
/// reads an environment variable.
fn rewritten(
    error: &clap::Error,
    command: &clap::Command,
    options: &[SecretOption],
    argv: &[OsString],
    env: impl Fn(&OsStr) -> Option<OsString>,
) -> Option<String> {
    if let Some(flag) = secret_flag_before_hyphen(options, argv) {
        return Some(format!(
            "countersign: error: {flag} needs a value: write a value that starts with '-' as {flag}=VALUE\n"
        ));
    }
    let message = error.render().to_string();
    let mut text = redacted(&message, &secret_values(options, argv, env));
    if error.kind() == ErrorKind::MissingRequiredArgument {
        let tips: String = env_sources(command, &message)
            .into_iter()
            .map(|(flag, variable)| {
                format!("  tip: {flag} can also come from the environment variable {variable}\n\n")
            })
            .collect();
        // With clap's own tips: before its last line, or at the end.
        let at = text.find("For more information").unwrap_or(text.len());
        text.insert_str(at, &tips);
    }
    (text != message).then_some(text)
}

/// `message` with every quoted value clap shows (`'...'`) that is a secret, or a part of one,
/// replaced by `[redacted]`. Only quoted values: clap quotes what it takes from the command line,
/// and a secret of a letter or two must not garble the rest of the message.
fn redacted(message: &str, secrets: &[String]) -> String {
    let mut out = String::with_capacity(message.len());
    let mut parts = message.split('\'');
    out.push_str(parts.next().unwrap_or_default());
    // Odd parts are inside quotes, as long as a closing quote follows.
    let rest: Vec<&str> = parts.collect();
    for (i, part) in rest.iter().enumerate() {
        out.push('\'');
        let quoted = i % 2 == 0 && i + 1 < rest.len();
        let secret = quoted && !part.is_empty() && secrets.iter().any(|s| s.contains(part));
        out.push_str(if secret { "[redacted]" } else { part });
    }
    out
}

/// The `--flag` and environment variable of each argument of `command` (and its subcommands)
/// that `message` lists as not provided (`  --flag <VALUE>`) and that can come from the
/// environment.
fn env_sources(command: &clap::Command, message: &str) -> Vec<(String, String)> {
    let missing: Vec<&str> = message
        .lines()
        .skip_while(|line| !line.ends_with("were not provided:"))
        .skip(1)
        .take_while(|line| !line.trim().is_empty())
        .map(str::trim)
        .collect();
    let mut found = Vec::new();
    let mut commands = vec![command];
    while let Some(command) = commands.pop() {
        commands.extend(command.get_subcommands());
        for arg in command.get_arguments() {
            let (Some(long), Some(env)) = (arg.get_long(), arg.get_env()) else {
                continue;
            };
            let flag = format!("--{long}");
            let named = missing.iter().any(|m| m.starts_with(&format!("{flag} <")));
            let pair = (flag, env.to_string_lossy().into_owned());
            if named && !found.contains(&pair) {
                found.push(pair);
            }
        }
    }
    found
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

/// The values given to secret options on the command line (`--flag VALUE`, `--flag=VALUE`, and
/// the words that follow one up to the next flag) and in their environment variables (read with
/// `env`); empty values are left out.
fn secret_values(
    options: &[SecretOption],
    argv: &[OsString],
    env: impl Fn(&OsStr) -> Option<OsString>,
) -> Vec<String> {
    let args = arguments(argv);
    let mut values = Vec::new();
    for (i, arg) in args.iter().enumerate() {
        for flag in options.iter().flat_map(SecretOption::flags) {
            let value_at = if *arg == flag {
                i + 1
            } else if let Some(value) = arg.strip_prefix(flag).and_then(|v| v.strip_prefix('=')) {
                values.push(value.to_owned());
                i
            } else {
                continue;
            };
            values.extend(
                args.get(value_at)
                    .filter(|_| value_at > i)
                    .map(|v| (*v).to_owned()),
            );
            // Words after the value that are not flags: the rest of a secret the shell split
            // (none of these subcommands takes a positional argument).
            let rest = args.get(value_at + 1..).unwrap_or_default();
            let words = rest.iter().take_while(|word| !word.starts_with('-'));
            values.extend(words.map(|word| (*word).to_owned()));
        }
    }
    for option in options {
        if let Some(value) = option.env.as_deref().and_then(&env) {
            values.extend(value.into_string().ok());
        }
    }
    values.retain(|value| !value.is_empty());
    // The same flag may belong to several subcommands.
    let mut seen = Vec::new();
    values.retain(|value| {
        let new = !seen.contains(value);
        seen.push(value.clone());
        new
    });
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
    use clap::{CommandFactory, Parser};

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
                "--consumer-secret",
                "--token-secret",
                "--verifier",
                "--consumer-secret",
                "--personal-token"
            ]
        );
        let envs: Vec<_> = options.iter().filter_map(|o| o.env.as_ref()).collect();
        assert_eq!(
            envs,
            [
                "COUNTERSIGN_CONSUMER_SECRET",
                "COUNTERSIGN_CONSUMER_SECRET",
                "COUNTERSIGN_TOKEN_SECRET",
                "COUNTERSIGN_CONSUMER_SECRET",
                "COUNTERSIGN_TOKEN_SECRET",
                "COUNTERSIGN_CONSUMER_SECRET",
                "COUNTERSIGN_PERSONAL_TOKEN"
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
            "words",
            "split",
            "--verifier=",
            "--realm",
            "not-secret",
        ]);
        let values = secret_values(&options, &args, |_| None);
        assert_eq!(values, ["one", "two", "words", "split"]);
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
    fn redacts_secret_values_and_keeps_the_rest() {
        let secrets = ["hunter2".to_owned(), "hunter22".to_owned()];
        assert_eq!(
            redacted("unexpected argument 'hunter22' found\n", &secrets),
            "unexpected argument '[redacted]' found\n"
        );
        // A part of one (clap shows '-h' of '-hunter2'), and only what is quoted.
        assert_eq!(
            redacted("argument 'hunt' for 'sign': hunter2 isn't quoted", &secrets),
            "argument '[redacted]' for 'sign': hunter2 isn't quoted"
        );
        assert_eq!(redacted("nothing to hide", &secrets), "nothing to hide");
    }

    #[test]
    fn rewrites_only_what_it_must() {
        let command = Cli::command();
        let options = secret_options(&command);
        let no_env = |_: &OsStr| None;
        let error = |args: &[&str]| Cli::try_parse_from(argv(args)).err().unwrap();
        let with = |args: &[&str]| rewritten(&error(args), &command, &options, &argv(args), no_env);

        // A typo, no secret: clap's message as it is, tip and all.
        let args = ["request", "--includ", "/x"];
        assert_eq!(with(&args), None);
        assert!(error(&args).render().to_string().contains("--include"));
        // A secret in the message: redacted, and the rest kept.
        let args = [
            "sign",
            "--method",
            "GET",
            "--url",
            "https://a.example/",
            "--consumer-key",
            "k",
            "--consumer-secret",
            "hunter2",
            "hunter2",
        ];
        let text = with(&args).unwrap();
        assert!(!text.contains("hunter2"), "{text}");
        assert!(text.contains("unexpected argument '[redacted]'"), "{text}");
        // A secret written like a flag: explained, not shown.
        let args = ["sign", "--consumer-secret", "-hunter2"];
        let text = with(&args).unwrap();
        assert!(text.contains("--consumer-secret=VALUE"), "{text}");
        assert!(!text.contains("hunter"), "{text}");
        // A missing argument an environment variable can give: named.
        let args = [
            "sign",
            "--method",
            "GET",
            "--url",
            "https://a.example/",
            "--consumer-secret=s",
        ];
        let text = with(&args).unwrap();
        assert!(text.contains("--consumer-key can also come from the environment variable COUNTERSIGN_CONSUMER_KEY"), "{text}");
    }
}
