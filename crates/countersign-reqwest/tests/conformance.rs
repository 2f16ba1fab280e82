//! The conformance suite, over reqwest's async client and (with the `blocking` feature) its
//! blocking one.

use countersign_reqwest::{ReqwestTransport, TransportError};
use countersign_test_support::conformance::Harness;

struct Reqwest;

impl Harness for Reqwest {
    type Transport = ReqwestTransport;
    type Error = TransportError;

    fn transport() -> ReqwestTransport {
        ReqwestTransport::default()
    }

    fn is_connection_refused(error: &TransportError) -> bool {
        matches!(error, TransportError::Reqwest(e) if e.is_connect())
    }
}

countersign_test_support::conformance_suite!(async Reqwest);

#[cfg(feature = "blocking")]
mod blocking {
    use countersign_reqwest::countersign::client::Blocking;
    use countersign_reqwest::{TransportError, blocking::ReqwestTransport};
    use countersign_test_support::conformance::Harness;

    struct BlockingReqwest;

    impl Harness for BlockingReqwest {
        type Transport = Blocking<ReqwestTransport>;
        type Error = TransportError;

        fn transport() -> Self::Transport {
            Blocking(ReqwestTransport::default())
        }

        fn is_connection_refused(error: &TransportError) -> bool {
            matches!(error, TransportError::Reqwest(e) if e.is_connect())
        }
    }

    countersign_test_support::conformance_suite!(blocking BlockingReqwest);
}
