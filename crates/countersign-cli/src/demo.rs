//! `countersign demo`: the whole three-legged flow against a local provider, in plain words.
//!
//! The provider ([`countersign_provider::LocalProvider`]) runs in this process on `127.0.0.1`,
//! approving every authorization at once. The client side is the one `login` uses: the ureq
//! adapter, and the loopback listener that catches the redirect. Where a person would open the
//! authorize URL in a browser, a stand-in browser follows it and its redirect. Nothing leaves
//! the machine, and no secret is printed: tokens are shown, their secrets and the verifier are
//! not.

use std::io::Write;
use std::time::Duration;

use countersign::ClientCredentials;
use countersign::discogs;
use countersign::flow::{Approval, CallbackMode};
use countersign_provider::{DEFAULT_CONSUMER_KEY, DEFAULT_CONSUMER_SECRET, LocalProvider};
use countersign_ureq::ureq;
use countersign_ureq::{Client, UreqTransport};

use crate::USER_AGENT;
use crate::error::{CliError, Step};
use crate::loopback::CallbackListener;

/// How long any one exchange of the demo may take: everything is on loopback.
const TIMEOUT: Duration = Duration::from_secs(30);

/// Runs the demo, writing each step to `out`.
pub(crate) fn run(out: &mut dyn Write) -> Result<(), CliError> {
    let provider = LocalProvider::builder()
        .auto_approve(true)
        .start_blocking()
        .map_err(CliError::DemoProvider)?;
    let base = provider.base_url().to_owned();
    let mut say = |line: &str| writeln!(out, "{line}").map_err(CliError::Output);

    say("countersign demo: the OAuth 1.0a three-legged flow, step by step.")?;
    say(&format!(
        "A local provider is running at {base}, on this machine only. It approves every \
         authorization at once, standing in for you."
    ))?;
    say(&format!(
        "The client signs with the consumer key {DEFAULT_CONSUMER_KEY:?} and its secret \
         (never shown), as countersign login does."
    ))?;
    say("")?;

    // Loopback only: no proxy from the environment, no redirects followed with credentials.
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .proxy(None)
        .http_status_as_error(false)
        .max_redirects(0)
        .timeout_global(Some(TIMEOUT))
        .build()
        .into();
    let mut client = Client::builder(
        discogs::profile_at(&base, &base, USER_AGENT)?,
        ClientCredentials::new(DEFAULT_CONSUMER_KEY, DEFAULT_CONSUMER_SECRET),
    )
    .transport(UreqTransport::new(agent.clone()))
    .build_blocking();
    let listener = CallbackListener::bind()?;
    let callback = listener.url().to_owned();

    let pending = client
        .request_token(CallbackMode::url(&callback))
        .map_err(Step::RequestToken.failed())?;
    say(&format!(
        "1. Request token obtained: {:?}. Its secret stays in this process; it is never shown.",
        pending.request_token()
    ))?;
    say(&format!(
        "   The callback is {callback}, where countersign listens."
    ))?;

    let authorize_url = pending.authorize_url();
    say(&format!("2. Authorize URL: {authorize_url}"))?;
    say("   A person opens it in a browser and approves; here a stand-in browser follows it.")?;

    let location = follow_authorize(&agent, &authorize_url, &callback)?;
    say(&format!(
        "3. Approval: the provider approved and sent the browser back to {callback}."
    ))?;
    // The browser's second request reaches our listener; it needs an answer while we wait.
    let browser = std::thread::spawn(move || {
        agent
            .get(&location)
            .header("User-Agent", USER_AGENT)
            .call()
            .map(|_| ())
    });
    let query = listener.wait(TIMEOUT, pending.request_token())?;
    browser
        .join()
        .map_err(|_| CliError::DemoRedirect("the stand-in browser failed".into()))?
        .map_err(|e| CliError::DemoRedirect(format!("the callback could not be reached: {e}")))?;
    say(
        "4. Verifier received with the redirect. It is a one-time secret, so it is not shown \
         either.",
    )?;

    let session = client
        .access_token(pending, Approval::Callback(query.expose_secret()))
        .map_err(Step::AccessToken.failed())?;
    say(&format!(
        "5. Access token obtained: {:?}. With its secret (not shown) it signs API requests.",
        session.token().token()
    ))?;

    let me = client.identity(&session).map_err(Step::Identity.failed())?;
    say(&format!(
        "6. Identity: username {:?}, id {}, consumer {:?}.",
        me.username, me.id, me.consumer_name
    ))?;
    say("")?;
    say(
        "That is the whole flow. Against a real provider: countersign login (Discogs by \
         default; see countersign login --help).",
    )?;
    out.flush().map_err(CliError::Output)?;
    provider.shutdown().map_err(CliError::DemoProvider)
}

/// Plays the browser at the authorize URL: expects the provider's redirect to the callback, and
/// returns where it points (with the verifier in its query).
fn follow_authorize(
    agent: &ureq::Agent,
    authorize_url: &str,
    callback: &str,
) -> Result<String, CliError> {
    let answer = agent
        .get(authorize_url)
        .header("User-Agent", USER_AGENT)
        .call()
        .map_err(|e| {
            CliError::DemoRedirect(format!("the authorize URL could not be opened: {e}"))
        })?;
    let status = answer.status();
    let location = answer
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .filter(|l| status.is_redirection() && l.starts_with(&format!("{callback}?")));
    // The Location carries the verifier: never quote it.
    location.map(str::to_owned).ok_or_else(|| {
        CliError::DemoRedirect(format!(
            "it answered {status} instead of a redirect to {callback}"
        ))
    })
}
