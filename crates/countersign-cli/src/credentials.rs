//! The credentials file: what `login` saves and `request` reads.
//!
//! JSON, with the provider's endpoints, the consumer key and secret, and the access token and
//! its secret. It holds secrets by design (that is what it is for), so it is written readable by
//! its owner only: on Unix, a temporary file created with mode 0600 in the same directory, then
//! renamed over the old one, so a reader never sees half a file and the secrets never sit in a
//! file with looser permissions. The directory, when countersign creates it, gets mode 0700.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use countersign::flow::Session;
use countersign::profile::Profile;
use countersign::{Secret, SignatureMethod, TokenCredentials};
use serde::{Deserialize, Serialize};

use crate::error::CliError;

/// The format version this build writes and reads.
const VERSION: u32 = 1;

/// The file's name in the configuration directory's `countersign` folder.
const FILE_NAME: &str = "credentials.json";

/// What the credentials file holds.
///
/// `Debug` is left out on purpose: the secrets are [`Secret`]s (redacted), but nothing here needs
/// printing.
#[derive(Serialize, Deserialize)]
pub(crate) struct Saved {
    /// [`VERSION`].
    pub(crate) version: u32,
    /// Where the provider is and how to sign for it.
    pub(crate) provider: SavedProvider,
    /// The consumer key.
    pub(crate) consumer_key: String,
    /// The consumer secret.
    pub(crate) consumer_secret: Secret,
    /// The access token.
    pub(crate) token: String,
    /// The access token's secret.
    pub(crate) token_secret: Secret,
    /// Who the credentials belong to, when the provider said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) identity: Option<SavedIdentity>,
    /// When the access token was obtained, in seconds since the Unix epoch.
    #[serde(default)]
    pub(crate) obtained_at: u64,
}

/// The provider's endpoints and signing choices.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct SavedProvider {
    /// The temporary-credentials endpoint.
    pub(crate) request_token_url: String,
    /// Its method.
    pub(crate) request_token_method: String,
    /// The authorization page.
    pub(crate) authorize_url: String,
    /// The token-credentials endpoint.
    pub(crate) access_token_url: String,
    /// The identity resource, if the provider has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) identity_url: Option<String>,
    /// The signature method's RFC 5849 name.
    pub(crate) signature_method: String,
    /// The realm of every `Authorization` header, if the provider wants one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) realm: Option<String>,
    /// The RSA private key's file, for the RSA methods (the key itself is never saved).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) private_key: Option<PathBuf>,
}

/// Who logged in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct SavedIdentity {
    /// The user's name.
    pub(crate) username: String,
    /// The user's id.
    pub(crate) id: u64,
}

impl SavedProvider {
    /// The flow's configuration for this provider, with `user_agent` on every request.
    ///
    /// # Errors
    /// [`countersign::ParseError::SignatureMethod`] for a method this build does not know.
    pub(crate) fn config(&self, user_agent: &str) -> Result<Profile, countersign::Error> {
        let method: SignatureMethod = self.signature_method.parse()?;
        let mut config = Profile::builder(
            self.request_token_url.as_str(),
            self.authorize_url.as_str(),
            self.access_token_url.as_str(),
        )
        .request_token_method(self.request_token_method.as_str())
        .signature_method(method)
        .user_agent(user_agent);
        if let Some(url) = &self.identity_url {
            config = config.identity_url(url.as_str());
        }
        if let Some(realm) = &self.realm {
            config = config.realm(realm.as_str());
        }
        config.build()
    }
}

impl Saved {
    /// What to save for `session`, obtained from `provider`.
    pub(crate) fn new(
        provider: SavedProvider,
        session: &Session,
        identity: Option<SavedIdentity>,
    ) -> Self {
        let (client, token) = (session.client(), session.token());
        Self {
            version: VERSION,
            provider,
            consumer_key: client.key().to_owned(),
            consumer_secret: client.secret().clone(),
            token: token.token().to_owned(),
            token_secret: token.secret().clone(),
            identity,
            obtained_at: SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_secs()),
        }
    }

    /// A session with these credentials, for `provider`'s configuration; the RSA private key is
    /// read again from its file when the provider names one.
    ///
    /// # Errors
    /// [`CliError::PrivateKeyFile`] and the key's parse errors.
    pub(crate) fn session(&self, config: Profile) -> Result<Session, CliError> {
        let client = crate::sign::client_credentials(
            &self.consumer_key,
            Some(&self.consumer_secret),
            self.provider.private_key.as_deref(),
            config.signature_method(),
        )?;
        Ok(Session::from_credentials(
            config,
            client,
            TokenCredentials::new(self.token.as_str(), self.token_secret.clone()),
        ))
    }
}

/// `--credentials-file`, or the default: `countersign/credentials.json` in the user's
/// configuration directory.
pub(crate) fn path(given: Option<&Path>) -> Result<PathBuf, CliError> {
    match given {
        Some(path) if !path.as_os_str().is_empty() => Ok(path.to_owned()),
        _ => dirs::config_dir()
            .map(|dir| dir.join("countersign").join(FILE_NAME))
            .ok_or(CliError::NoConfigDir),
    }
}

/// Reads the credentials at `path`. A file that others may read is used all the same, with a
/// warning on stderr from the caller: `loose` says so.
pub(crate) fn load(path: &Path) -> Result<Loaded, CliError> {
    let text = match fs::read_to_string(path) {
        Ok(text) => Secret::new(text),
        Err(error) if error.kind() == io::ErrorKind::NotFound => {
            return Err(CliError::NoCredentials(path.to_owned()));
        }
        Err(error) if error.kind() == io::ErrorKind::InvalidData => {
            return Err(corrupt(path, "it is not UTF-8 text".into()));
        }
        Err(error) => {
            return Err(CliError::CredentialsUnreadable {
                path: path.to_owned(),
                error,
            });
        }
    };
    let saved = parse(text.expose_secret()).map_err(|detail| corrupt(path, detail))?;
    Ok(Loaded {
        saved,
        loose: readable_by_others(path),
    })
}

/// What [`load`] found.
pub(crate) struct Loaded {
    /// The credentials.
    pub(crate) saved: Saved,
    /// Whether users other than the owner may read the file (Unix).
    pub(crate) loose: bool,
}

fn corrupt(path: &Path, detail: String) -> CliError {
    CliError::CorruptCredentials {
        path: path.to_owned(),
        detail,
    }
}

/// Parses the file's text. The error says what is wrong without quoting the file (serde_json's
/// messages may quote a value, and the values here are secrets).
fn parse(text: &str) -> Result<Saved, String> {
    // The version first, so a newer format gets its own message.
    #[derive(Deserialize)]
    struct Version {
        version: Option<u32>,
    }
    match serde_json::from_str::<Version>(text) {
        Ok(Version {
            version: Some(version),
        }) if version != VERSION => {
            return Err(format!(
                "format version {version}, and this countersign reads version {VERSION}"
            ));
        }
        Ok(_) => {}
        Err(error) => return Err(describe(&error)),
    }
    serde_json::from_str(text).map_err(|error| describe(&error))
}

/// serde_json's error, without any value it may quote.
fn describe(error: &serde_json::Error) -> String {
    use serde_json::error::Category;
    let at = format!("line {} column {}", error.line(), error.column());
    match error.classify() {
        Category::Syntax | Category::Eof => format!("it is not valid JSON: {at}"),
        Category::Data => {
            // "missing field `name`" names a field, never a value; other data errors may quote
            // the value they did not expect.
            let message = error.to_string();
            match message.strip_prefix("missing field ") {
                Some(rest) => {
                    let field = rest.split(" at line").next().unwrap_or(rest);
                    format!("the field {field} is missing")
                }
                None => format!("a field has the wrong type or value at {at}"),
            }
        }
        Category::Io => format!("it could not be read: {at}"),
    }
}

/// Creates the directory `path` is to be saved in, if it does not exist (mode 0700 on Unix).
pub(crate) fn prepare(path: &Path) -> Result<(), CliError> {
    create_private_dir(parent(path)).map_err(|error| CliError::SaveCredentials {
        path: path.to_owned(),
        error,
    })
}

/// Writes `saved` to `path`, atomically, readable by its owner only.
pub(crate) fn save(path: &Path, saved: &Saved) -> Result<(), CliError> {
    let failed = |error| CliError::SaveCredentials {
        path: path.to_owned(),
        error,
    };
    // The serialized text holds the secrets: keep it in a Secret, so it is cleared on drop.
    let mut json = serde_json::to_string_pretty(saved).map_err(|e| failed(io::Error::other(e)))?;
    json.push('\n');
    let json = Secret::new(json);
    write_private(path, json.expose_secret().as_bytes()).map_err(failed)
}

/// The directory `path` is in (`.` for a bare file name).
fn parent(path: &Path) -> &Path {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

/// Replaces `path` with `bytes`: a private temporary file in the same directory, flushed to disk,
/// renamed over `path`; then `path`'s permissions are checked (and fixed) to be owner-only.
fn write_private(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = parent(path);
    create_private_dir(dir)?;
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "the path names no file"))?;
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let mut temp_name = std::ffi::OsString::from(".");
    temp_name.push(name);
    temp_name.push(format!(".{}.{nanos}.tmp", std::process::id()));
    let temp = dir.join(temp_name);

    let written = (|| {
        let mut file = create_private_file(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        fs::rename(&temp, path)
    })();
    if let Err(error) = written {
        let _ = fs::remove_file(&temp);
        return Err(error);
    }
    make_private(path)?;
    sync_dir(dir);
    Ok(())
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    if dir.is_dir() {
        return Ok(());
    }
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> io::Result<()> {
    fs::create_dir_all(dir)
}

/// A new file, owner-only from its first byte on (the umask can only take bits away, and the
/// permissions are set again right after, in case it took the owner's).
#[cfg(unix)]
fn create_private_file(path: &Path) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    let file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    make_private(path)?;
    Ok(file)
}

#[cfg(not(unix))]
fn create_private_file(path: &Path) -> io::Result<File> {
    OpenOptions::new().write(true).create_new(true).open(path)
}

/// Sets mode 0600 unless the file already has it.
#[cfg(unix)]
fn make_private(path: &Path) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mode = fs::metadata(path)?.permissions().mode() & 0o777;
    if mode != 0o600 {
        fs::set_permissions(path, fs::Permissions::from_mode(0o600))?;
    }
    Ok(())
}

#[cfg(not(unix))]
fn make_private(_path: &Path) -> io::Result<()> {
    Ok(())
}

/// Flushes the rename to disk (best effort: not every file system allows it).
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(dir) = File::open(dir) {
        let _ = dir.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

/// Whether users other than the owner may read or write the file.
#[cfg(unix)]
fn readable_by_others(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(path).is_ok_and(|m| m.permissions().mode() & 0o077 != 0)
}

#[cfg(not(unix))]
fn readable_by_others(_path: &Path) -> bool {
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Saved {
        Saved {
            version: VERSION,
            provider: SavedProvider {
                request_token_url: "https://p.example/rt".into(),
                request_token_method: "POST".into(),
                authorize_url: "https://p.example/auth".into(),
                access_token_url: "https://p.example/at".into(),
                identity_url: None,
                signature_method: "PLAINTEXT".into(),
                realm: None,
                private_key: None,
            },
            consumer_key: "ck".into(),
            consumer_secret: Secret::new("cs-value"),
            token: "t".into(),
            token_secret: Secret::new("ts-value"),
            identity: Some(SavedIdentity {
                username: "u".into(),
                id: 7,
            }),
            obtained_at: 1,
        }
    }

    #[test]
    fn round_trips() {
        let text = serde_json::to_string(&sample()).unwrap();
        let back = parse(&text).unwrap();
        assert_eq!(back.provider, sample().provider);
        assert_eq!(back.consumer_secret.expose_secret(), "cs-value");
        assert_eq!(back.token_secret.expose_secret(), "ts-value");
        assert_eq!(back.identity, sample().identity);
    }

    #[test]
    fn errors_never_quote_values() {
        let cases = [
            ("{not json", "it is not valid JSON: line 1 column 2"),
            ("", "it is not valid JSON: line 1 column 0"),
            (
                r#"{"version": 1, "consumer_key": "ck"}"#,
                "the field `provider` is missing",
            ),
            (r#"{"version": 2}"#, "format version 2"),
            (r#"{"version": "hunter2"}"#, "a field has the wrong type"),
        ];
        for (text, start) in cases {
            let detail = parse(text).err().unwrap();
            assert!(detail.starts_with(start), "{text}: {detail}");
            assert!(!detail.contains("hunter2"), "{detail}");
        }
        let mut value: serde_json::Value = serde_json::to_value(sample()).unwrap();
        value["token_secret"] = serde_json::json!(["hunter2"]);
        let detail = parse(&value.to_string()).err().unwrap();
        assert!(!detail.contains("hunter2"), "{detail}");
    }

    #[test]
    fn config_from_the_saved_provider() {
        let config = sample().provider.config("ua/1").unwrap();
        assert_eq!(config.request_token_url(), "https://p.example/rt");
        assert_eq!(config.user_agent(), "ua/1");
        assert_eq!(config.identity_url(), None);
        let mut odd = sample().provider;
        odd.signature_method = "RSA-MD5".into();
        assert!(odd.config("ua/1").is_err());
    }

    #[test]
    fn bare_file_names_live_in_the_current_directory() {
        assert_eq!(parent(Path::new("creds.json")), Path::new("."));
        assert_eq!(parent(Path::new("/a/creds.json")), Path::new("/a"));
    }
}
