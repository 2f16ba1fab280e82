//! The signature base string of RFC 5849 section 3.4.1, which the HMAC methods sign:
//! `METHOD&enc(base URI)&enc(normalized parameters)`, streamed into any `fmt::Write` (the MAC
//! itself, when signing) so that it is never built in memory on the hot path.

use alloc::borrow::Cow;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;

use crate::encode::{encode, needs_no_encoding};
use crate::form::{Flavor, RawPairs};
use crate::url::UrlParts;
use crate::{Context, Error, Request};

/// A parameter, both halves already percent-encoded once (section 3.4.1.3.2, step 1).
pub(crate) type EncodedParam<'a> = (Cow<'a, str>, Cow<'a, str>);

/// `value` percent-encoded, borrowed when nothing needs encoding.
pub(crate) fn enc_cow<'a>(value: Cow<'a, str>) -> Cow<'a, str> {
    if needs_no_encoding(&value) {
        value
    } else {
        Cow::Owned(encode(&value).to_string())
    }
}

/// Adds the parameters of the request itself to `out`: the query's, and the body's when it is a
/// form (section 3.4.1.3.1). Both are decoded as `application/x-www-form-urlencoded` (`+` is a
/// space) and encoded again per section 3.6.
pub(crate) fn add_request_params<'a>(
    request: &Request<'a>,
    url: &UrlParts<'a>,
    out: &mut Vec<EncodedParam<'a>>,
) -> Result<(), Error> {
    let query = url.query.unwrap_or("");
    let body = match request.form_body() {
        Some(body) => core::str::from_utf8(body)
            .map_err(|_| Error::decode(Context::Url, crate::DecodeError::InvalidUtf8))?,
        None => "",
    };
    for (raw_name, raw_value) in RawPairs::new(query).chain(RawPairs::new(body)) {
        let name = Flavor::Form
            .decode(raw_name)
            .map_err(|e| Error::decode(Context::Url, e))?;
        let value = Flavor::Form
            .decode(raw_value)
            .map_err(|e| Error::decode(Context::Url, e))?;
        out.push((enc_cow(name), enc_cow(value)));
    }
    Ok(())
}

/// The request's parameters and these protocol parameters (raw), encoded once, unsorted.
pub(crate) fn collect<'a>(
    request: &Request<'a>,
    url: &UrlParts<'a>,
    protocol_params: &[(&'a str, &'a str)],
) -> Result<Vec<EncodedParam<'a>>, Error> {
    let mut params = Vec::with_capacity(protocol_params.len() + 4);
    add_request_params(request, url, &mut params)?;
    params.extend(
        protocol_params
            .iter()
            .map(|&(n, v)| (enc_cow(Cow::Borrowed(n)), enc_cow(Cow::Borrowed(v)))),
    );
    Ok(params)
}

/// Writes `value` encoded, in upper or lower case: at once when it is already in that case and
/// needs no encoding (the usual `GET`, `https`, `api.example.com`), else a character at a time.
fn write_cased<W: fmt::Write + ?Sized>(out: &mut W, value: &str, upper: bool) -> fmt::Result {
    let in_case = |b: u8| {
        crate::encode::is_unreserved(b)
            && !(if upper {
                b.is_ascii_lowercase()
            } else {
                b.is_ascii_uppercase()
            })
    };
    if value.bytes().all(in_case) {
        return out.write_str(value);
    }
    let mut piece = [0u8; 4];
    for c in value.chars() {
        let c = if upper {
            c.to_ascii_uppercase()
        } else {
            c.to_ascii_lowercase()
        };
        encode(c.encode_utf8(&mut piece)).write_to(out)?;
    }
    Ok(())
}

/// Writes the base string URI (section 3.4.1.2): scheme and host in lowercase, the port only when
/// it is not the scheme's default, the path as sent (`/` when empty), no query or fragment.
fn write_base_uri<W: fmt::Write + ?Sized>(out: &mut W, parts: &UrlParts<'_>) -> Result<(), Error> {
    let scheme_is = |s: &str| parts.scheme.eq_ignore_ascii_case(s);
    let default_port = match parts.port {
        None | Some("") => true,
        Some(p) => (scheme_is("http") && p == "80") || (scheme_is("https") && p == "443"),
    };
    write_cased(out, parts.scheme, false)?;
    out.write_str("%3A%2F%2F")?;
    write_cased(out, parts.host, false)?;
    if let (false, Some(port)) = (default_port, parts.port) {
        out.write_str("%3A")?;
        out.write_str(port)?;
    }
    if parts.path.is_empty() {
        out.write_str("%2F")?;
    } else {
        encode(parts.path).write_to(out)?;
    }
    Ok(())
}

/// Writes the whole base string. `params` holds every parameter (the request's and the protocol
/// parameters, never `oauth_signature` or `realm`), encoded once; it is sorted here.
pub(crate) fn write<W: fmt::Write + ?Sized>(
    out: &mut W,
    method: &str,
    url: &UrlParts<'_>,
    params: &mut [EncodedParam<'_>],
) -> Result<(), Error> {
    write_cased(out, method, true)?;
    out.write_char('&')?;
    write_base_uri(out, url)?;
    out.write_char('&')?;
    params.sort_unstable();
    for (i, (name, value)) in params.iter().enumerate() {
        if i > 0 {
            out.write_str("%26")?;
        }
        encode(name).write_to(out)?;
        out.write_str("%3D")?;
        encode(value).write_to(out)?;
    }
    Ok(())
}

/// The signature base string of `request` with these protocol parameters (raw, not encoded;
/// without `oauth_signature` and `realm`), as RFC 5849 section 3.4.1 builds it. For tests,
/// debugging and providers; signing streams the same bytes into the MAC without building them.
///
/// The RFC 5849 section 3.4.1.1 example:
///
/// ```
/// use countersign::Request;
/// use countersign::base_string::base_string;
///
/// let request = Request::post("http://example.com/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b")
///     .with_form_body(b"c2&a3=2+q");
/// let protocol = [
///     ("oauth_consumer_key", "9djdj82h48djs9d2"),
///     ("oauth_token", "kkk9d7dh3k39sjv7"),
///     ("oauth_signature_method", "HMAC-SHA1"),
///     ("oauth_timestamp", "137131201"),
///     ("oauth_nonce", "7d8f3e4a"),
/// ];
/// assert_eq!(
///     base_string(&request, &protocol)?,
///     "POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q%26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D%26c2%3D%26oauth_consumer_key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk9d7dh3k39sjv7"
/// );
/// # Ok::<(), countersign::Error>(())
/// ```
///
/// # Errors
/// [`Error::InvalidUrl`] for a URL that is not absolute; [`Error::Decode`] for a query or body
/// that does not decode.
pub fn base_string(
    request: &Request<'_>,
    protocol_params: &[(&str, &str)],
) -> Result<String, Error> {
    let url = crate::url::split(request.url())?;
    let mut params = collect(request, &url, protocol_params)?;
    let mut out = String::new();
    write(&mut out, request.method(), &url, &mut params)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uri(url: &str) -> String {
        let mut out = String::new();
        write_base_uri(&mut out, &crate::url::split(url).unwrap()).unwrap();
        crate::encode::decode(&out).unwrap().into_owned()
    }

    #[test]
    fn base_string_uris_of_section_3_4_1_2() {
        assert_eq!(
            uri("http://EXAMPLE.COM:80/r%20v/X?id=123"),
            "http://example.com/r%20v/X"
        );
        assert_eq!(
            uri("https://www.example.net:8080/?q=1"),
            "https://www.example.net:8080/"
        );
        assert_eq!(uri("HTTPS://Example.com:443"), "https://example.com/");
        assert_eq!(uri("http://example.com:443/"), "http://example.com:443/");
        assert_eq!(uri("http://u:p@example.com/a#frag"), "http://example.com/a");
        assert_eq!(uri("http://[::1]:8080/x"), "http://[::1]:8080/x");
    }

    #[test]
    fn method_is_uppercased() {
        let s = base_string(&Request::new("get", "https://a.example/"), &[]).unwrap();
        assert_eq!(s, "GET&https%3A%2F%2Fa.example%2F&");
    }
}
