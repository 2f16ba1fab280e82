//! The Discogs credential modes on the provider side: `Authorization: Discogs token=..` or
//! `Discogs key=.., secret=..`, or the same in the query string.

use countersign::Secret;
use countersign::encode::decode_form;

/// Credentials in one of the two Discogs modes.
#[derive(Debug)]
pub(crate) enum DiscogsCredentials {
    /// A personal access token.
    Token(Secret),
    /// A consumer key and secret.
    KeySecret { key: String, secret: Secret },
}

/// Why Discogs credentials could not be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Malformed(pub(crate) &'static str);

#[derive(Default)]
struct Fields {
    token: Option<Secret>,
    key: Option<String>,
    secret: Option<Secret>,
}

impl Fields {
    fn set(&mut self, name: &str, value: &str) -> Result<(), Malformed> {
        let twice = Malformed("a Discogs credential appears twice");
        match name {
            "token" if self.token.is_none() => self.token = Some(Secret::new(value)),
            "key" if self.key.is_none() => self.key = Some(value.to_owned()),
            "secret" if self.secret.is_none() => self.secret = Some(Secret::new(value)),
            "token" | "key" | "secret" => return Err(twice),
            _ => {}
        }
        Ok(())
    }

    fn finish(self) -> Result<Option<DiscogsCredentials>, Malformed> {
        match (self.token, self.key, self.secret) {
            (None, None, None) => Ok(None),
            (Some(token), None, None) => Ok(Some(DiscogsCredentials::Token(token))),
            (None, Some(key), Some(secret)) => {
                Ok(Some(DiscogsCredentials::KeySecret { key, secret }))
            }
            (None, Some(_), None) | (None, None, Some(_)) => {
                Err(Malformed("key and secret go together"))
            }
            (Some(_), _, _) => Err(Malformed("a personal token goes without key and secret")),
        }
    }
}

/// Whether the header value uses the `Discogs` scheme.
pub(crate) fn is_discogs_scheme(value: &str) -> bool {
    let scheme = value.trim_start().split([' ', '\t']).next().unwrap_or("");
    scheme.eq_ignore_ascii_case("Discogs")
}

/// Reads `Discogs token=..` or `Discogs key=.., secret=..` (values optionally in double quotes).
pub(crate) fn from_header(value: &str) -> Result<DiscogsCredentials, Malformed> {
    let rest = value.trim_start();
    let rest = rest.get("Discogs".len()..).unwrap_or("");
    let mut fields = Fields::default();
    for item in rest.split(',') {
        let item = item.trim_matches([' ', '\t']);
        if item.is_empty() {
            continue;
        }
        let (name, value) = item
            .split_once('=')
            .ok_or(Malformed("expected name=value pairs"))?;
        let value = value.trim_matches([' ', '\t']);
        let value = value
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .unwrap_or(value);
        fields.set(name.trim_matches([' ', '\t']), value)?;
    }
    fields
        .finish()?
        .ok_or(Malformed("expected token=.. or key=.., secret=.."))
}

/// Reads `token=..` or `key=..&secret=..` from a query; `None` when none of them is there.
pub(crate) fn from_query(query: &str) -> Result<Option<DiscogsCredentials>, Malformed> {
    let mut fields = Fields::default();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        if !matches!(name, "token" | "key" | "secret") {
            continue;
        }
        let value = decode_form(value).map_err(|_| Malformed("a broken percent-escape"))?;
        fields.set(name, &value)?;
    }
    fields.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_forms() {
        assert!(is_discogs_scheme("Discogs token=abc"));
        assert!(is_discogs_scheme("  discogs key=a"));
        assert!(!is_discogs_scheme("OAuth oauth_consumer_key=\"k\""));
        match from_header("Discogs token=abc").unwrap() {
            DiscogsCredentials::Token(t) => assert!(t.ct_eq("abc")),
            other => panic!("{other:?}"),
        }
        match from_header("Discogs key=k,secret=\"s s\"").unwrap() {
            DiscogsCredentials::KeySecret { key, secret } => {
                assert_eq!(key, "k");
                assert!(secret.ct_eq("s s"));
            }
            other => panic!("{other:?}"),
        }
        for bad in [
            "Discogs",
            "Discogs token",
            "Discogs token=a, token=b",
            "Discogs key=k",
            "Discogs token=t, key=k, secret=s",
        ] {
            assert!(from_header(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn query_forms() {
        assert!(from_query("q=nirvana").unwrap().is_none());
        match from_query("q=x&token=a%2Bb").unwrap().unwrap() {
            DiscogsCredentials::Token(t) => assert!(t.ct_eq("a+b")),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            from_query("key=k&secret=s").unwrap().unwrap(),
            DiscogsCredentials::KeySecret { .. }
        ));
        assert_eq!(
            from_query("key=k").unwrap_err(),
            Malformed("key and secret go together")
        );
        assert!(from_query("token=%zz").is_err());
    }
}
