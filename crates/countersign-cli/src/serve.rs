//! `countersign serve`: run the local provider on loopback until interrupted.

use std::io::{self, Write};

use countersign_provider::{
    Consumer, DEFAULT_CONSUMER_KEY, DEFAULT_CONSUMER_SECRET, DEFAULT_USER_ID, LocalProvider,
    RedisNonceStore, Refusal,
};

use crate::cli::ServeArgs;
use crate::error::CliError;

/// The name the consumer given on the command line is registered under (`consumer_name`).
const CONSUMER_NAME: &str = "countersign serve";

/// Starts the provider as `args` say, writes its base URL and a newline to `out`, and serves
/// until SIGINT or SIGTERM. Log lines (what was refused, and why) go to stderr.
pub(crate) fn run<W: Write + ?Sized>(args: &ServeArgs, out: &mut W) -> Result<(), CliError> {
    let listen = args.listen;
    // clap has seen that the key and its secret come together.
    let mut consumer = args
        .consumer_key
        .as_deref()
        .zip(args.consumer_secret.clone())
        .map(|(key, secret)| Consumer::new(key, secret, CONSUMER_NAME));
    if let Some(path) = &args.rsa_public_key {
        let pem = std::fs::read_to_string(path).map_err(|error| CliError::PublicKeyFile {
            path: path.display().to_string(),
            error,
        })?;
        let public_key = countersign::RsaPublicKey::from_pem(&pem)?;
        // The default consumer, when none was given, gets the key.
        let registered = consumer.take().unwrap_or_else(|| {
            Consumer::new(
                DEFAULT_CONSUMER_KEY,
                DEFAULT_CONSUMER_SECRET,
                countersign_provider::DEFAULT_CONSUMER_NAME,
            )
        });
        consumer = Some(registered.rsa_key(public_key));
    }
    let given = args.consumer_key.is_some();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(CliError::Runtime)?;
    runtime.block_on(async {
        let mut builder = LocalProvider::builder()
            .listen(listen)
            .auto_approve(args.auto_approve)
            .strict(args.strict)
            .on_refusal(log_refusal);
        if let Some(url) = &args.nonce_store {
            let store = RedisNonceStore::connect(url)
                .await
                .map_err(CliError::NonceStore)?;
            builder = builder.nonce_store(store);
        }
        if let Some(public) = &args.public_url {
            builder = builder.public_url(public.clone());
        }
        if let Some(token) = &args.personal_token {
            builder = builder.personal_token(token.clone(), DEFAULT_USER_ID);
        }
        let key = match &args.consumer_key {
            Some(key) if given => key.as_str(),
            _ => DEFAULT_CONSUMER_KEY,
        };
        if let Some(consumer) = consumer.clone() {
            builder = builder.consumer(consumer);
        }
        let stop = stop_signal().map_err(CliError::Runtime)?;
        let provider = builder.start().await.map_err(|error| CliError::Listen {
            address: listen.to_string(),
            error,
        })?;
        writeln!(out, "{}", provider.base_url())
            .and_then(|()| out.flush())
            .map_err(CliError::Output)?;
        let mut guide = format!(
            "countersign serve: the local provider is at {}; consumer key {key:?}",
            provider.base_url()
        );
        if !given {
            guide.push_str(&format!(" with the secret {DEFAULT_CONSUMER_SECRET:?}"));
        }
        if args.auto_approve {
            guide.push_str("; authorizations are approved at once");
        }
        if args.personal_token.is_some() {
            guide.push_str("; the personal access token given is accepted");
        }
        if args.nonce_store.is_some() {
            guide.push_str("; nonces are kept in Redis");
        }
        guide.push_str("; Ctrl-C stops it");
        log(&guide);
        // The login line to paste: the consumer's secret only when it is the default's, which
        // is public; a secret of your own stays in the environment.
        let secret = if given {
            " (with COUNTERSIGN_CONSUMER_SECRET set)".to_owned()
        } else {
            format!(" --consumer-secret {DEFAULT_CONSUMER_SECRET}")
        };
        log(&format!(
            "countersign serve: log in with: countersign login --provider local --base-url {} --consumer-key {key}{secret}",
            provider.base_url()
        ));
        stop.await;
        log("countersign serve: stopping");
        // The server's own failure after it started has nowhere better to go than the log.
        if let Err(error) = provider.shutdown().await {
            log(&format!("countersign serve: {error}"));
        }
        Ok(())
    })
}

fn log(line: &str) {
    // Nothing more can be done when stderr is gone.
    let _ = writeln!(io::stderr().lock(), "{line}");
}

fn log_refusal(refusal: &Refusal) {
    log(&format!("countersign serve: refused {refusal}"));
}

/// Resolves on SIGINT (Ctrl-C) or, on Unix, SIGTERM. The handlers are installed before it
/// returns, so a signal that arrives as soon as the base URL is printed is not missed.
fn stop_signal() -> io::Result<impl Future<Output = ()>> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut interrupt = signal(SignalKind::interrupt())?;
        let mut terminate = signal(SignalKind::terminate())?;
        Ok(async move {
            tokio::select! {
                _ = interrupt.recv() => {}
                _ = terminate.recv() => {}
            }
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async {
            let _ = tokio::signal::ctrl_c().await;
        })
    }
}
