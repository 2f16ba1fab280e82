//! `cargo fuzz run token_response`: the body, and what it checks, is [`countersign_fuzz::token_response`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| countersign_fuzz::token_response(data));
