//! `cargo fuzz run response_headers`: the body, and what it checks, is [`countersign_fuzz::response_headers`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| countersign_fuzz::response_headers(data));
