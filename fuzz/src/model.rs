//! Slow, obvious reference implementations that the targets compare the core against.
//!
//! Each one is written from the RFC text (or from the core's documented contract), byte by byte,
//! with no attempt at speed and without calling into the core, so that a shared mistake is
//! unlikely.

use countersign::encode::DecodeError;
use countersign::{Context, Error};

/// Whether RFC 5849 section 3.6 leaves this byte as it is: `A-Z a-z 0-9 - . _ ~`.
pub fn is_unreserved(b: u8) -> bool {
    b.is_ascii_uppercase()
        || b.is_ascii_lowercase()
        || b.is_ascii_digit()
        || b == b'-'
        || b == b'.'
        || b == b'_'
        || b == b'~'
}

/// RFC 5849 section 3.6: every UTF-8 byte that is not unreserved becomes `%XX`, uppercase.
pub fn encode(value: &str) -> String {
    let mut out = String::new();
    for b in value.bytes() {
        if is_unreserved(b) {
            out.push(char::from(b));
        } else {
            const HEX: &[u8; 16] = b"0123456789ABCDEF";
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 15)]));
        }
    }
    out
}

/// The PLAINTEXT signature of RFC 5849 section 3.4.4: `enc(consumer secret) & enc(token secret)`,
/// the token secret being empty when there is none.
pub fn plaintext(consumer_secret: &str, token_secret: Option<&str>) -> String {
    format!(
        "{}&{}",
        encode(consumer_secret),
        encode(token_secret.unwrap_or(""))
    )
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Strict percent-decoding: `%` must be followed by two hex digits (the error names the offset
/// of the first `%` that is not), and the result must be UTF-8. With `plus_is_space`, `+` is a
/// space (form bodies).
fn decode_with(value: &str, plus_is_space: bool) -> Result<String, DecodeError> {
    let bytes = value.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'%' {
            let hi = bytes.get(i + 1).copied().and_then(hex_value);
            let lo = bytes.get(i + 2).copied().and_then(hex_value);
            match (hi, lo) {
                (Some(hi), Some(lo)) => out.push(hi * 16 + lo),
                _ => return Err(DecodeError::BadEscape { offset: i }),
            }
            i += 3;
        } else {
            out.push(if plus_is_space && b == b'+' { b' ' } else { b });
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| DecodeError::InvalidUtf8)
}

/// Strict percent-decoding where `+` is a plus.
pub fn decode(value: &str) -> Result<String, DecodeError> {
    decode_with(value, false)
}

/// Strict percent-decoding of a form value, where `+` is a space.
pub fn decode_form(value: &str) -> Result<String, DecodeError> {
    decode_with(value, true)
}

/// `name=value&name=value`, split the way the core documents: empty segments skipped, a segment
/// without `=` is a name with an empty value, the first `=` separates.
pub fn split_pairs(input: &str) -> Vec<(&str, &str)> {
    let mut pairs = Vec::new();
    for segment in input.split('&') {
        if segment.is_empty() {
            continue;
        }
        match segment.find('=') {
            Some(i) => pairs.push((&segment[..i], &segment[i + 1..])),
            None => pairs.push((segment, "")),
        }
    }
    pairs
}

/// At most 200 bytes of provider-sent text, cut on a character boundary.
pub fn excerpt(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if out.len() + c.len_utf8() > 200 {
            break;
        }
        out.push(c);
    }
    out
}

/// A decimal `u32` the way `str::parse::<u32>` reads one (the core's documented parser for the
/// rate-limit headers): after trimming Unicode white space, an optional `+` and then one or more
/// ASCII digits, at most `u32::MAX`.
pub fn decimal_u32(value: &str) -> Option<u32> {
    let text = value.trim_matches(char::is_whitespace);
    let digits = text.strip_prefix('+').unwrap_or(text);
    if digits.is_empty() {
        return None;
    }
    let mut number: u64 = 0;
    for b in digits.bytes() {
        if !b.is_ascii_digit() {
            return None;
        }
        number = number * 10 + u64::from(b - b'0');
        if number > u64::from(u32::MAX) {
            return None;
        }
    }
    u32::try_from(number).ok()
}

/// Whether a parameter name carries a secret, as the core documents it (`is_secret_name`), in
/// any ASCII case: any name containing `secret`, `verifier`, `signature`, `password`, `passwd`,
/// `session_handle`, `api_key`, `api-key`, `apikey`, `private_key`, `private-key` or
/// `privatekey`; the name `token`; a name whose last word is `token` after `_`, `-` or `.`, or in
/// camel case (`accessToken`: a lowercase letter or digit, then `Token` as written), except
/// `oauth_token`.
pub fn is_secret_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let words = [
        "secret",
        "verifier",
        "signature",
        "password",
        "passwd",
        "session_handle",
        "api_key",
        "api-key",
        "apikey",
        "private_key",
        "private-key",
        "privatekey",
    ];
    if lower == "token" || words.iter().any(|word| lower.contains(word)) {
        return true;
    }
    if lower == "oauth_token" || !lower.ends_with("token") {
        return false;
    }
    let head = &name[..name.len() - "token".len()];
    let camel = name.ends_with("Token")
        && head
            .chars()
            .last()
            .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    head.ends_with(['_', '-', '.']) || camel
}

/// Percent-decoding that never fails, for "could the request have carried this text": `%XX`
/// becomes its byte, `+` a space, a backslash (a header's quoted-pair) is dropped; anything else
/// stays. Lossy UTF-8.
pub fn lenient_decode(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        // The digits are looked at only after a `%`: this runs over every input of the verify
        // target, where each comparison is traced.
        let escape = || {
            let hi = bytes.get(i + 1).copied().and_then(hex_value)?;
            let lo = bytes.get(i + 2).copied().and_then(hex_value)?;
            Some(hi * 16 + lo)
        };
        match b {
            b'%' => {
                if let Some(byte) = escape() {
                    out.push(byte);
                    i += 3;
                    continue;
                }
                out.push(b);
            }
            b'+' => out.push(b' '),
            b'\\' => {}
            _ => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// What a token response body should parse to.
#[derive(Debug, PartialEq, Eq)]
pub struct TokenResponse {
    /// `oauth_token`.
    pub token: String,
    /// `oauth_token_secret`.
    pub token_secret: String,
    /// `oauth_callback_confirmed`, as sent.
    pub callback_confirmed: Option<String>,
    /// Every pair, decoded, in order.
    pub pairs: Vec<(String, String)>,
}

/// RFC 5849 sections 2.1 and 2.3 as the core documents them: a form body, trimmed of ASCII
/// whitespace, every name and value decoded (`+` is a space); `oauth_problem` wins; the token must
/// be present and not empty, the secret present; the parameters the parser reads may appear once.
pub fn token_response(body: &[u8]) -> Result<TokenResponse, Error> {
    const CONTEXT: Context = Context::TokenResponse;
    let decode_error = |error| {
        Error::Parse(countersign::ParseError::Decode {
            context: CONTEXT,
            error,
            name: None,
        })
    };
    let body = std::str::from_utf8(body).map_err(|_| decode_error(DecodeError::InvalidUtf8))?;
    let body = body.trim_matches(|c: char| c.is_ascii() && (c as u8).is_ascii_whitespace());
    if body.is_empty() {
        return Err(Error::Parse(countersign::ParseError::Empty {
            context: CONTEXT,
        }));
    }
    let mut pairs = Vec::new();
    let mut seen: Vec<&'static str> = Vec::new();
    let (mut token, mut secret, mut confirmed, mut problem, mut advice) =
        (None, None, None, None, None);
    for (raw_name, raw_value) in split_pairs(body) {
        let name = decode_form(raw_name).map_err(decode_error)?;
        let value = decode_form(raw_value).map_err(decode_error)?;
        let (slot, canonical) = match name.as_str() {
            "oauth_token" => (&mut token, "oauth_token"),
            "oauth_token_secret" => (&mut secret, "oauth_token_secret"),
            "oauth_callback_confirmed" => (&mut confirmed, "oauth_callback_confirmed"),
            "oauth_problem" => (&mut problem, "oauth_problem"),
            "oauth_problem_advice" => (&mut advice, "oauth_problem_advice"),
            _ => {
                pairs.push((name, value));
                continue;
            }
        };
        if seen.contains(&canonical) {
            return Err(Error::Parse(countersign::ParseError::DuplicateParameter {
                context: CONTEXT,
                name: canonical.to_owned(),
            }));
        }
        seen.push(canonical);
        *slot = Some(value.clone());
        pairs.push((name, value));
    }
    if let Some(problem) = problem {
        return Err(Error::Flow(countersign::FlowError::Problem {
            problem: excerpt(&problem),
            advice: advice.map(|a: String| excerpt(&a)),
        }));
    }
    let Some(token) = token else {
        return Err(Error::Parse(countersign::ParseError::MissingParameter {
            context: CONTEXT,
            name: "oauth_token",
        }));
    };
    if token.is_empty() {
        return Err(Error::Parse(countersign::ParseError::EmptyParameter {
            context: CONTEXT,
            name: "oauth_token",
        }));
    }
    let Some(token_secret) = secret else {
        return Err(Error::Parse(countersign::ParseError::MissingParameter {
            context: CONTEXT,
            name: "oauth_token_secret",
        }));
    };
    Ok(TokenResponse {
        token,
        token_secret,
        callback_confirmed: confirmed,
        pairs,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoder_follows_the_rfc_examples() {
        assert_eq!(encode("Dogs, Cats & Mice"), "Dogs%2C%20Cats%20%26%20Mice");
        assert_eq!(encode("\u{2603}"), "%E2%98%83");
        assert_eq!(encode("/= +doencode"), "%2F%3D%20%2Bdoencode");
        assert_eq!(encode("-._~dontencode"), "-._~dontencode");
        assert_eq!(plaintext("ja893SD9", None), "ja893SD9&");
    }

    #[test]
    fn decoder_is_strict() {
        assert_eq!(decode("a%2b+"), Ok("a++".to_owned()));
        assert_eq!(decode_form("a%2b+"), Ok("a+ ".to_owned()));
        assert_eq!(decode("x%4"), Err(DecodeError::BadEscape { offset: 1 }));
        assert_eq!(decode("%C3"), Err(DecodeError::InvalidUtf8));
    }

    #[test]
    fn pairs_split_like_the_documentation_says() {
        assert_eq!(
            split_pairs("&a=1&&b&c=&=d&e=f=g&"),
            [("a", "1"), ("b", ""), ("c", ""), ("", "d"), ("e", "f=g")]
        );
    }

    #[test]
    fn excerpts_cut_on_char_boundaries() {
        let long = "\u{e9}".repeat(150);
        assert_eq!(excerpt(&long).len(), 200);
        assert_eq!(excerpt("short"), "short");
    }

    #[test]
    fn decimal_u32_reads_like_parse() {
        assert_eq!(decimal_u32(" 60 "), Some(60));
        assert_eq!(decimal_u32("+7"), Some(7));
        assert_eq!(decimal_u32("4294967295"), Some(u32::MAX));
        assert_eq!(decimal_u32("4294967296"), None);
        assert_eq!(decimal_u32("-1"), None);
        assert_eq!(decimal_u32("+"), None);
        assert_eq!(decimal_u32("6 0"), None);
    }

    #[test]
    fn secret_names_and_lenient_decoding() {
        assert!(is_secret_name("oauth_token_secret"));
        assert!(is_secret_name("Token"));
        assert!(!is_secret_name("oauth_token"));
        assert_eq!(lenient_decode("a%41+b\\c%z"), "aA bc%z");
    }
}

/// Why [`fill`] refused a template.
#[derive(Debug, PartialEq, Eq)]
pub enum FillError {
    /// An unknown `{name}`, or a `{` without its `}`.
    Template,
    /// A variable the template uses is missing (or, for `{account_host}`, not a host label).
    Variable(&'static str),
}

/// A provider URL template with its variables, the slow way: `{base}` without its trailing
/// `/`s, `{account}` as it is, `{account_host}` the account as a host label (letters, digits, `-` and `_`, lower-cased,
/// `_` as `-`), `{app}` percent-encoded per RFC 5849; other text as it is, a lone `}` included.
pub fn fill(
    template: &str,
    base: Option<&str>,
    account: Option<&str>,
    app: Option<&str>,
) -> Result<String, FillError> {
    let chars: Vec<char> = template.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] != '{' {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let Some(len) = chars[i + 1..].iter().position(|&c| c == '}') else {
            return Err(FillError::Template);
        };
        let name: String = chars[i + 1..i + 1 + len].iter().collect();
        match name.as_str() {
            "base" => {
                let base = base.ok_or(FillError::Variable("base"))?;
                out.push_str(base.trim_end_matches('/'));
            }
            "account" => out.push_str(account.ok_or(FillError::Variable("account"))?),
            "account_host" => {
                let account = account.ok_or(FillError::Variable("account"))?;
                for c in account.chars() {
                    match c {
                        'a'..='z' | '0'..='9' | '-' => out.push(c),
                        'A'..='Z' => out.push(c.to_ascii_lowercase()),
                        '_' => out.push('-'),
                        _ => return Err(FillError::Variable("account")),
                    }
                }
            }
            "app" => out.push_str(&encode(app.ok_or(FillError::Variable("app"))?)),
            _ => return Err(FillError::Template),
        }
        i += len + 2;
    }
    Ok(out)
}
