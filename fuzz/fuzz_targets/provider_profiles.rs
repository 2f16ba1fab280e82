//! `cargo fuzz run provider_profiles`: the body, and what it checks, is
//! [`countersign_fuzz::provider_profiles`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| countersign_fuzz::provider_profiles(data));
