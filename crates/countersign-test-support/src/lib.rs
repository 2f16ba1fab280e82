//! # countersign-test-support
//!
//! What countersign's tests share (`publish = false`):
//!
//! - [`canned`]: a tiny HTTP/1.1 server on loopback that answers what a test tells it to and
//!   records what it received: for what the local provider does not do (redirects, garbage, a
//!   skewed 401 on demand, what went on the wire).
//! - [`browser`]: the user's browser for the authorize step, over a plain `TcpStream`.
//! - [`oauthlib`]: Python's oauthlib as an OAuth 1.0a provider nobody here wrote.
//! - [`redis`]: a real `redis-server` on a free loopback port, for the shared nonce store.
//! - [`fixtures`]: credentials that sign with known secrets, pinned nonces, what a header says.
//! - [`conformance`]: the one suite of behaviours every transport runs, with
//!   [`conformance_suite!`]: a closure, countersign-reqwest (async and blocking) and
//!   countersign-ureq each call it once.
//!
//! ```ignore
//! struct Ureq;
//!
//! impl countersign_test_support::conformance::Harness for Ureq {
//!     type Transport = countersign::client::Blocking<countersign_ureq::UreqTransport>;
//!     type Error = ureq::Error;
//!     fn transport() -> Self::Transport { Blocking(UreqTransport::default()) }
//!     fn is_connection_refused(error: &ureq::Error) -> bool { /* ... */ }
//! }
//!
//! countersign_test_support::conformance_suite!(blocking Ureq);
//! ```

pub mod browser;
pub mod canned;
pub mod conformance;
pub mod fixtures;
pub mod oauthlib;
pub mod redis;
