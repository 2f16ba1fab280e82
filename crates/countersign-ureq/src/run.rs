//! Running an `http::Request` on a ureq agent and reading the answer in full.

use ureq::AsSendBody;

use crate::Error;
use crate::response::Response;
use crate::sign::SignableBody;

/// Whether ureq may follow redirects for this request.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Redirects {
    /// As the agent is configured (ureq never carries `Authorization` to another host unless
    /// told to).
    AsConfigured,
    /// Not at all: a 3xx is the answer.
    None,
}

/// Runs `request` with `http_status_as_error` off (a 4xx is an answer, whose `Date` the skew
/// rule reads), and without a proxy when its host is loopback, and reads the answer.
pub(crate) fn run<B: SignableBody>(
    agent: &ureq::Agent,
    request: http::Request<B>,
    redirects: Redirects,
) -> Result<Response, Error> {
    let (parts, body) = request.into_parts();
    let bytes = body.bytes();
    if !bytes.is_empty() {
        run_with(agent, http::Request::from_parts(parts, bytes), redirects)
    } else if expects_body(&parts.method) {
        // An empty body of known size: `Content-Length: 0`, as reqwest sends it. ureq sends
        // `()` on a POST as a chunked body of no chunks.
        let empty: &[u8] = &[];
        run_with(agent, http::Request::from_parts(parts, empty), redirects)
    } else {
        // No body at all, rather than `Content-Length: 0` on a GET.
        run_with(agent, http::Request::from_parts(parts, ()), redirects)
    }
}

/// Whether requests with `method` normally carry a body, so that an empty one is announced with
/// `Content-Length: 0` (RFC 9110, section 8.6).
fn expects_body(method: &http::Method) -> bool {
    [http::Method::POST, http::Method::PUT, http::Method::PATCH].contains(method)
}

fn run_with<S: AsSendBody>(
    agent: &ureq::Agent,
    request: http::Request<S>,
    redirects: Redirects,
) -> Result<Response, Error> {
    let loopback = request
        .uri()
        .host()
        .is_some_and(countersign::transport::is_loopback_host);
    let mut config = agent.configure_request(request).http_status_as_error(false);
    if loopback {
        // Never through a proxy: the core lets secrets go in the clear over `http://` to a
        // loopback host only because they then never leave the machine.
        config = config.proxy(None);
    }
    if let Redirects::None = redirects {
        config = config.max_redirects(0);
    }
    let response = agent.run(config.build()).map_err(Error::transport)?;
    read(response)
}

/// Reads a ureq response in full (up to ureq's body limit, 10 MB by default).
pub(crate) fn read(response: http::Response<ureq::Body>) -> Result<Response, Error> {
    let (parts, mut body) = response.into_parts();
    let bytes = body.read_to_vec().map_err(Error::transport)?;
    Ok(Response::from(http::Response::from_parts(parts, bytes)))
}
