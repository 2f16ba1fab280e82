//! `cargo fuzz run authorization_header`: the body, and what it checks, is [`countersign_fuzz::authorization_header`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| countersign_fuzz::authorization_header(data));
