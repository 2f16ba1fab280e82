//! `countersign login`: the three-legged flow with a person and a browser, then the credentials
//! saved to a file only its owner can read.
//!
//! Everything it says goes to stderr (the authorize URL on a line of its own), so stdout stays
//! empty; nothing it says is a secret. Tokens and names that came from the provider are quoted
//! and escaped, so they cannot write control sequences to the terminal.

use std::io::{BufRead, Write};
use std::time::Duration;

use countersign::Secret;
use countersign::flow::{Approval, Authorize, CallbackMode, Session};
use countersign::providers::{self, ProviderSpec, Variables};
use countersign_ureq::Client;

use crate::USER_AGENT;
use crate::cli::{CallbackKind, LOCAL, LoginArgs};
use crate::credentials::{self, Saved, SavedIdentity, SavedProvider};
use crate::error::{CliError, Shown, Step};
use crate::loopback::CallbackListener;

/// Where the verifier comes from, out of band.
pub(crate) struct Input<'a> {
    /// Standard input.
    pub(crate) reader: &'a mut dyn BufRead,
    /// Whether it is a terminal (a person types there, so a prompt helps).
    pub(crate) terminal: bool,
}

/// Runs the flow `args` describe: the verifier is read from `input` out of band; messages go to
/// `log`.
pub(crate) fn run(args: &LoginArgs, input: Input<'_>, log: &mut dyn Write) -> Result<(), CliError> {
    let (provider, takes_oob) = provider(args)?;
    if !takes_oob && args.callback == CallbackKind::Oob {
        return Err(CliError::NoOutOfBand);
    }
    let config = provider.config(USER_AGENT)?;
    let path = credentials::path(args.credentials_file.as_deref())?;
    // Before the flow: a directory that cannot be made would lose the access token after it.
    credentials::prepare(&path)?;
    let identity_url = config.identity_url().map(str::to_owned);
    let consumer = crate::sign::client_credentials(
        &args.consumer.consumer_key,
        args.consumer.consumer_secret.as_ref(),
        args.consumer.private_key.as_deref(),
        config.signature_method(),
    )?;
    let mut client = Client::new(config, consumer);

    let session = match args.callback {
        CallbackKind::Oob => out_of_band(&mut client, args, input, log)?,
        CallbackKind::Loopback => loopback(&mut client, args, log)?,
    };
    say(
        log,
        &format!(
            "Access token obtained: {:?} (its secret goes to the credentials file, never to the screen).",
            session.token().token()
        ),
    );

    let identity = if identity_url.is_some() {
        match client.identity(&session) {
            Ok(me) => {
                say(
                    log,
                    &format!(
                        "Logged in as {:?} (id {}), through the application {:?}.",
                        me.username, me.id, me.consumer_name
                    ),
                );
                Some(SavedIdentity {
                    username: me.username,
                    id: me.id,
                })
            }
            Err(error) => {
                // The credentials are good all the same: save them.
                let error = CliError::Flow {
                    step: Step::Identity,
                    error,
                };
                say(
                    log,
                    &format!("countersign: warning: logged in, but {error}"),
                );
                None
            }
        }
    } else {
        say(
            log,
            "No identity URL: the identity step was skipped (give --identity-url to see who logged in).",
        );
        None
    };

    credentials::save(&path, &Saved::new(provider, &session, identity))?;
    let private = if cfg!(unix) {
        "readable by you only"
    } else {
        "it holds secrets: keep it private"
    };
    // The next command as it must be typed: with the file named, when one was.
    let file = match &args.credentials_file {
        Some(given) => format!(
            "--credentials-file {} ",
            shell_word(&given.to_string_lossy())
        ),
        None => String::new(),
    };
    say(
        log,
        &format!(
            "Saved the credentials to {} ({private}). Next: countersign request {file}{}",
            Shown(&path),
            identity_url.as_deref().unwrap_or("URL")
        ),
    );
    Ok(())
}

/// The provider `args` name (a built-in profile, `local`, a profile file, or the one given by its
/// URLs), as it is saved, and whether it takes `oob`.
fn provider(args: &LoginArgs) -> Result<(SavedProvider, bool), CliError> {
    let spec = match (&args.provider, &args.profile_file) {
        // clap insists on --base-url with --provider local.
        (Some(name), _) if name.eq_ignore_ascii_case(LOCAL) => crate::providers::local(),
        (Some(name), _) => {
            providers::find(name).ok_or_else(|| CliError::UnknownProvider { name: name.clone() })?
        }
        (None, Some(path)) => profile_file(path)?,
        (None, None) => match (
            &args.request_token_url,
            &args.authorize_url,
            &args.access_token_url,
        ) {
            (None, None, None) => providers::find("discogs").ok_or(CliError::IncompleteProvider)?,
            (Some(r), Some(a), Some(t)) => crate::providers::spec_of(
                "given",
                "the provider given by its URLs",
                [r, a, t],
                &args
                    .request_token_method
                    .as_ref()
                    .map_or("POST".into(), |m| m.as_str().to_ascii_uppercase()),
                args.identity_url.clone(),
            ),
            // clap insists on the three together; this is in case it ever does not.
            _ => return Err(CliError::IncompleteProvider),
        },
    };
    let mut variables = Variables::new().app(args.app_name.as_str());
    if let Some(base) = &args.base_url {
        variables = variables.base(base.as_str());
    }
    if let Some(account) = &args.account {
        variables = variables.account(account.as_str());
    }
    let profile = spec.profile(&variables, Some(USER_AGENT))?;
    let method = args.signature_method.unwrap_or(profile.signature_method());
    Ok((
        SavedProvider {
            request_token_url: profile.request_token_url().into(),
            request_token_method: profile.request_token_method().into(),
            authorize_url: profile.authorize_url().into(),
            access_token_url: profile.access_token_url().into(),
            identity_url: profile.identity_url().map(Into::into),
            signature_method: method.as_str().into(),
            realm: profile.realm().map(Into::into),
            private_key: args.consumer.private_key.clone(),
        },
        spec.oob,
    ))
}

/// A provider of one's own, from a TOML file.
fn profile_file(path: &std::path::Path) -> Result<ProviderSpec, CliError> {
    let text = std::fs::read_to_string(path).map_err(|error| CliError::ProfileFile {
        path: path.display().to_string(),
        detail: error.to_string(),
    })?;
    toml::from_str(&text).map_err(|error| CliError::ProfileFile {
        path: path.display().to_string(),
        detail: error.message().to_owned(),
    })
}

/// Out of band: the person pastes the verifier the provider shows.
fn out_of_band(
    client: &mut Client,
    args: &LoginArgs,
    input: Input<'_>,
    log: &mut dyn Write,
) -> Result<Session, CliError> {
    let pending = client
        .request_token(CallbackMode::OutOfBand)
        .map_err(Step::RequestToken.failed())?;
    show_authorize_url(
        log,
        &pending,
        "Open this page, approve access, and paste the code the provider shows you:",
        args.no_browser,
    );
    if input.terminal {
        say_partial(log, "Verifier: ");
    } else {
        say(log, "Reading the verifier from standard input...");
    }
    let verifier = read_verifier(input.reader)?;
    client
        .access_token(pending, Approval::Verifier(verifier.expose_secret()))
        .map_err(Step::AccessToken.failed())
}

/// Loopback: a listener on 127.0.0.1 catches the redirect with the verifier.
fn loopback(
    client: &mut Client,
    args: &LoginArgs,
    log: &mut dyn Write,
) -> Result<Session, CliError> {
    let listener = CallbackListener::bind()?;
    let pending = client
        .request_token(CallbackMode::url(listener.url()))
        .map_err(Step::RequestToken.failed())?;
    show_authorize_url(
        log,
        &pending,
        "Open this page and approve access:",
        args.no_browser,
    );
    say(
        log,
        &format!(
            "Waiting for the provider to send your browser back to {} (for up to {} seconds)...",
            listener.url(),
            args.callback_timeout
        ),
    );
    let query = listener.wait(
        Duration::from_secs(args.callback_timeout),
        pending.request_token(),
    )?;
    say(log, "The browser came back to the callback.");
    client
        .access_token(pending, Approval::Callback(query.expose_secret()))
        .map_err(Step::AccessToken.failed())
}

/// Prints what to do and the authorize URL (on a line of its own), and opens it in the browser
/// unless told not to.
fn show_authorize_url(log: &mut dyn Write, pending: &Authorize, what: &str, no_browser: bool) {
    let url = pending.authorize_url();
    say(log, what);
    say(log, &url);
    if !no_browser {
        match open::that_detached(&url) {
            Ok(()) => say(log, "(Opened it in your browser.)"),
            // The launcher's error repeats the URL and says little more.
            Err(_) => say(
                log,
                "(Could not open a browser: open the URL above yourself.)",
            ),
        }
    }
}

/// One line from `input`: the verifier. Surrounding whitespace goes (the flow trims it too).
fn read_verifier(input: &mut dyn BufRead) -> Result<Secret, CliError> {
    let mut line = String::new();
    let read = input.read_line(&mut line);
    let line = Secret::new(line);
    read.map_err(CliError::Input)?;
    if line.expose_secret().trim().is_empty() {
        return Err(CliError::NoVerifier);
    }
    Ok(line)
}

/// Writes a line to the log. Nothing more can be done when stderr is gone.
fn say(log: &mut dyn Write, line: &str) {
    let _ = writeln!(log, "{line}");
}

/// Writes a prompt without a newline.
fn say_partial(log: &mut dyn Write, text: &str) {
    let _ = write!(log, "{text}");
    let _ = log.flush();
}

/// `text` as one word for a POSIX shell: as it is when it holds only characters no shell treats
/// specially, else in single quotes.
fn shell_word(text: &str) -> String {
    let plain = !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/._-+=:,@%".contains(&b));
    if plain {
        text.to_owned()
    } else {
        format!("'{}'", text.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_verifier_is_one_non_empty_line() {
        let mut input: &[u8] = b"  abc123 \nrest\n";
        assert_eq!(
            read_verifier(&mut input).unwrap().expose_secret(),
            "  abc123 \n"
        );
        for empty in [&b""[..], b"\n", b"  \r\n"] {
            let mut input = empty;
            assert!(matches!(
                read_verifier(&mut input),
                Err(CliError::NoVerifier)
            ));
        }
    }

    #[test]
    fn shell_words_are_quoted_only_when_needed() {
        assert_eq!(shell_word("/tmp/creds.json"), "/tmp/creds.json");
        assert_eq!(shell_word("my creds.json"), "'my creds.json'");
        assert_eq!(shell_word("it's"), "'it'\\''s'");
        assert_eq!(shell_word("$HOME/x"), "'$HOME/x'");
        assert_eq!(shell_word(""), "''");
    }
}
