//! The provider side of OAuth 1.0a (work in progress).
