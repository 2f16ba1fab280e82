//! The conformance suite, over ureq.

use countersign_test_support::conformance::Harness;
use countersign_ureq::UreqTransport;
use countersign_ureq::countersign::client::Blocking;

struct Ureq;

impl Harness for Ureq {
    type Transport = Blocking<UreqTransport>;
    type Error = ureq::Error;

    fn transport() -> Self::Transport {
        Blocking(UreqTransport::default())
    }

    fn is_connection_refused(error: &ureq::Error) -> bool {
        matches!(error, ureq::Error::Io(_) | ureq::Error::ConnectionFailed)
    }
}

countersign_test_support::conformance_suite!(blocking Ureq);
