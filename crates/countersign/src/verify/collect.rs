//! Collecting the protocol parameters of a request from the `Authorization` header, the query
//! and the form body (RFC 5849 section 3.5), refusing duplicates and mixtures.

use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec::Vec;

use super::{Location, Reason};
use crate::ParseError;
use crate::encode::decode_form;
use crate::form::RawPairs;
use crate::header::{self, HeaderParam, HeaderValue, Walk};
use crate::{Error, Request, SecretStr};

/// Most `oauth_*` parameters a request may carry, all places together.
pub(super) const MAX_PARAMS: usize = 64;

/// The protocol parameters of a request, decoded.
pub(super) struct Params<'p> {
    pub(super) consumer_key: Option<Cow<'p, str>>,
    pub(super) token: Option<Cow<'p, str>>,
    pub(super) signature_method: Option<Cow<'p, str>>,
    pub(super) signature: Option<SentSignature<'p>>,
    pub(super) timestamp: Option<Cow<'p, str>>,
    pub(super) nonce: Option<Cow<'p, str>>,
    pub(super) callback: Option<Cow<'p, str>>,
    pub(super) verifier: Option<SecretStr<'p>>,
    pub(super) version: Option<Cow<'p, str>>,
    pub(super) realm: Option<Cow<'p, str>>,
    /// Other `oauth_*` parameters, with where each was found.
    pub(super) extensions: Vec<(Cow<'p, str>, SecretStr<'p>, Location)>,
    /// Where the first protocol parameter was found.
    pub(super) location: Location,
    /// Where each parameter of a [`KNOWN`] name was found, in that order.
    pub(super) found: [Option<Location>; KNOWN.len()],
    /// How many protocol parameters there are, all names together.
    pub(super) count: usize,
}

/// The `oauth_signature` a request carries. Compared with the expected signature, never copied
/// to be decoded when it need not be (a PLAINTEXT signature is the secrets themselves).
pub(super) enum SentSignature<'p> {
    /// Decoded (borrowed when nothing needed decoding).
    Decoded(SecretStr<'p>),
    /// As sent in a header: every escape in it that of an ASCII byte (see
    /// [`HeaderValue::Signature`]).
    Escaped(&'p str),
}

impl SentSignature<'_> {
    /// Whether it is `expected`, compared in constant time (for equal lengths).
    pub(super) fn is(&self, expected: &[u8]) -> bool {
        match self {
            Self::Decoded(sent) => crate::swar::ct_eq(expected, sent.expose_secret().as_bytes()),
            Self::Escaped(sent) => crate::encode::ct_eq_decoded(expected, sent),
        }
    }

    /// Decoded.
    #[cfg_attr(not(feature = "_rsa"), allow(dead_code))]
    pub(super) fn decoded(&self) -> Cow<'_, str> {
        match self {
            Self::Decoded(sent) => Cow::Borrowed(sent.expose_secret()),
            Self::Escaped(sent) => HeaderValue::Signature(sent).decoded(),
        }
    }
}

/// The protocol parameters RFC 5849 names (less `realm`, which is not one): the names the
/// signer writes itself.
const KNOWN: [&str; 9] = crate::header::RESERVED_NAMES;

impl Params<'_> {
    fn new() -> Self {
        Self {
            consumer_key: None,
            token: None,
            signature_method: None,
            signature: None,
            timestamp: None,
            nonce: None,
            callback: None,
            verifier: None,
            version: None,
            realm: None,
            extensions: Vec::new(),
            location: Location::Header,
            found: [None; KNOWN.len()],
            count: 0,
        }
    }
}

impl<'p> Params<'p> {
    /// `oauth_body_hash`, if the request carries one.
    pub(super) fn body_hash(&self) -> Option<&str> {
        self.extensions
            .iter()
            .find(|(name, ..)| name == "oauth_body_hash")
            .map(|(_, value, _)| value.expose_secret())
    }

    /// Whether every protocol parameter came from the `Authorization` header.
    pub(super) fn all_in_header(&self) -> bool {
        self.found
            .iter()
            .flatten()
            .chain(self.extensions.iter().map(|(.., at)| at))
            .all(|at| *at == Location::Header)
    }

    /// The protocol parameters that came from the header, as a signature method signs them:
    /// every `oauth_*` parameter except `oauth_signature` (and never `realm`). Those of the query
    /// or the body are signed as part of the request.
    pub(super) fn header_protocol_params(&self) -> Vec<(&str, &str)> {
        let in_header = |name: &str| {
            known_index(name).and_then(|i| self.found.get(i).copied().flatten())
                == Some(Location::Header)
        };
        let slots: [(&'static str, Option<&str>); 8] = [
            ("oauth_consumer_key", self.consumer_key.as_deref()),
            ("oauth_token", self.token.as_deref()),
            ("oauth_signature_method", self.signature_method.as_deref()),
            ("oauth_timestamp", self.timestamp.as_deref()),
            ("oauth_nonce", self.nonce.as_deref()),
            ("oauth_callback", self.callback.as_deref()),
            (
                "oauth_verifier",
                self.verifier.as_ref().map(SecretStr::expose_secret),
            ),
            ("oauth_version", self.version.as_deref()),
        ];
        let mut out: Vec<(&str, &str)> = slots
            .into_iter()
            .filter_map(|(name, value)| Some((name, value?)))
            .filter(|(name, _)| in_header(name))
            .collect();
        out.extend(
            self.extensions
                .iter()
                .filter(|(.., at)| *at == Location::Header)
                .map(|(name, value, _)| (&**name, value.expose_secret())),
        );
        out
    }

    /// The request's URL (without fragment) and form body with every `oauth_signature` pair
    /// left out.
    pub(super) fn without_signature(&self, request: &Request<'_>) -> (String, Option<String>) {
        fn strip(pairs: &str) -> String {
            let kept: Vec<&str> = pairs
                .split('&')
                .filter(|segment| {
                    let name = segment.split_once('=').map_or(*segment, |(n, _)| n);
                    decode_form(name).map_or(true, |n| n != "oauth_signature")
                })
                .collect();
            kept.join("&")
        }
        let url = match crate::url::split_query(request.url()) {
            (base, Some(query), _) => alloc::format!("{base}?{}", strip(query)),
            (base, None, _) => String::from(base),
        };
        let body = request
            .form_body()
            .and_then(|b| core::str::from_utf8(b).ok())
            .map(strip);
        (url, body)
    }
}

/// What the collection accepts beyond RFC 5849's letter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Policy {
    /// Protocol parameters may be split between the header and the query or body, as long as
    /// no name repeats.
    pub(super) split: bool,
    /// Most parameters (of every name) the query and the form body may hold together.
    pub(super) max_request_params: usize,
}

/// Where `name` is in [`KNOWN`]: one `match` (the compiler dispatches on the length first).
fn known_index(name: &str) -> Option<usize> {
    Some(match name {
        "oauth_consumer_key" => 0,
        "oauth_token" => 1,
        "oauth_signature_method" => 2,
        "oauth_signature" => 3,
        "oauth_timestamp" => 4,
        "oauth_nonce" => 5,
        "oauth_version" => 6,
        "oauth_callback" => 7,
        "oauth_verifier" => 8,
        _ => return None,
    })
}

struct Collector<'p> {
    params: Params<'p>,
    /// The first place, and another one if the parameters are spread.
    first: Option<Location>,
    mixed: Option<(Location, Location)>,
    /// Parameters of the query and the body, of every name, so far.
    request_params: usize,
    policy: Policy,
}

impl<'p> Collector<'p> {
    fn add(&mut self, name: Cow<'p, str>, value: Cow<'p, str>, at: Location) -> Result<(), Reason> {
        let Some(i) = self.claim(&name, at)? else {
            let p = &mut self.params;
            p.extensions.push((name, SecretStr::new(value), at));
            return Ok(());
        };
        let p = &mut self.params;
        let slot = match i {
            0 => &mut p.consumer_key,
            1 => &mut p.token,
            2 => &mut p.signature_method,
            3 => {
                p.signature = Some(SentSignature::Decoded(SecretStr::new(value)));
                return Ok(());
            }
            4 => &mut p.timestamp,
            5 => &mut p.nonce,
            6 => &mut p.version,
            7 => &mut p.callback,
            _ => {
                p.verifier = Some(SecretStr::new(value));
                return Ok(());
            }
        };
        *slot = Some(value);
        Ok(())
    }

    /// Adds `oauth_signature` as the header sent it (see [`HeaderValue::Signature`]).
    fn add_signature(&mut self, sent: SentSignature<'p>, at: Location) -> Result<(), Reason> {
        self.claim("oauth_signature", at)?;
        self.params.signature = Some(sent);
        Ok(())
    }

    /// Counts a parameter named `name` found `at`, unless it repeats one or there are too many:
    /// where its name is in [`KNOWN`], if it is there.
    #[inline]
    fn claim(&mut self, name: &str, at: Location) -> Result<Option<usize>, Reason> {
        let p = &mut self.params;
        let known = known_index(name);
        let first = match known {
            Some(i) => p.found.get(i).copied().flatten(),
            None => p
                .extensions
                .iter()
                .find(|(seen, ..)| *seen == name)
                .map(|(.., at)| *at),
        };
        if let Some(first) = first {
            return Err(Reason::DuplicateParameter {
                name: crate::error::excerpt(name),
                first,
                second: at,
            });
        }
        if p.count >= MAX_PARAMS {
            return Err(Reason::TooManyParameters);
        }
        p.count += 1;
        match self.first {
            None => self.first = Some(at),
            Some(first) if first != at && self.mixed.is_none() => self.mixed = Some((first, at)),
            Some(_) => {}
        }
        if let Some(found) = known.and_then(|i| p.found.get_mut(i)) {
            *found = Some(at);
        }
        Ok(known)
    }

    /// Adds the parameters of an `Authorization` header, as the lexer finds them (nothing is
    /// parsed twice); another scheme is no header at all. `realm` is kept; other names that are
    /// not `oauth_*` are skipped, but may not repeat either.
    fn add_header(&mut self, authorization: &'p str) -> Result<(), Reason> {
        let (list, offset) = match header::split_scheme(authorization) {
            Ok(split) => split,
            Err(Error::Parse(ParseError::NotOAuthScheme)) => return Ok(()),
            Err(other) => return Err(Reason::MalformedHeader(other)),
        };
        let mut others: Vec<Cow<'p, str>> = Vec::new();
        let walked = header::walk(list, offset, |HeaderParam { name, value }| {
            let value = match value {
                HeaderValue::Decoded(value) => value,
                HeaderValue::Signature(sent) => {
                    return self.add_signature(SentSignature::Escaped(sent), Location::Header);
                }
            };
            let earlier = if name == "realm" {
                self.params.realm.is_some()
            } else if !name.starts_with("oauth_") {
                others.contains(&name)
            } else {
                return self.add(name, value, Location::Header);
            };
            if earlier {
                return Err(Reason::DuplicateParameter {
                    name: crate::error::excerpt(&name),
                    first: Location::Header,
                    second: Location::Header,
                });
            }
            if name == "realm" {
                self.params.realm = Some(value);
            } else {
                others.push(name);
            }
            Ok(())
        });
        match walked {
            Ok(()) => Ok(()),
            Err(Walk::Header(error)) => Err(Reason::MalformedHeader(error)),
            Err(Walk::Caller(reason)) => Err(reason),
        }
    }

    /// Adds the `oauth_*` pairs of a query or form body.
    fn add_pairs(&mut self, input: &'p str, at: Location) -> Result<(), Reason> {
        for (raw_name, raw_value) in RawPairs::new(input) {
            self.request_params += 1;
            if self.request_params > self.policy.max_request_params {
                return Err(Reason::TooManyRequestParameters {
                    limit: self.policy.max_request_params,
                });
            }
            let Ok(name) = decode_form(raw_name) else {
                if raw_name.starts_with("oauth_") {
                    return Err(Reason::MalformedParameter {
                        name: crate::error::excerpt(raw_name),
                        location: at,
                    });
                }
                // Not a protocol parameter: the application's business.
                continue;
            };
            if !name.starts_with("oauth_") {
                continue;
            }
            let value = decode_form(raw_value).map_err(|_| Reason::MalformedParameter {
                name: crate::error::excerpt(&name),
                location: at,
            })?;
            self.add(name, value, at)?;
        }
        Ok(())
    }
}

/// Collects the protocol parameters from the `Authorization` header (when it uses the OAuth
/// scheme), the query and the body.
pub(super) fn collect<'p>(
    authorization: Option<&'p str>,
    request: &'p Request<'p>,
    policy: Policy,
) -> Result<Params<'p>, Reason> {
    let mut c = Collector {
        params: Params::new(),
        first: None,
        mixed: None,
        request_params: 0,
        policy,
    };
    if let Some(authorization) = authorization {
        c.add_header(authorization)?;
    }
    if let (_, Some(query), _) = crate::url::split_query(request.url()) {
        c.add_pairs(query, Location::Query)?;
    }
    if let Some(body) = request.form_body() {
        let body = core::str::from_utf8(body).map_err(|_| Reason::MalformedBody)?;
        c.add_pairs(body, Location::Body)?;
    }
    if let Some((first, second)) = c.mixed
        && !policy.split
    {
        return Err(Reason::MixedLocations { first, second });
    }
    let Some(first) = c.first else {
        return Err(Reason::NoCredentials);
    };
    c.params.location = first;
    Ok(c.params)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_match_agrees_with_the_list_of_known_names() {
        for (i, name) in KNOWN.iter().enumerate() {
            assert_eq!(known_index(name), Some(i));
        }
        for other in [
            "realm",
            "oauth_body_hash",
            "oauth_token ",
            "OAUTH_TOKEN",
            "",
        ] {
            assert_eq!(known_index(other), None);
        }
    }
}
