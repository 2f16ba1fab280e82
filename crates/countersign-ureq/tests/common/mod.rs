//! Helpers shared by the integration tests.

#![allow(dead_code, unreachable_pub)]

pub mod browser;
pub mod canned;
pub mod oauthlib;
