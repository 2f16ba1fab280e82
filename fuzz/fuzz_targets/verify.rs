//! `cargo fuzz run verify`: the body, and what it checks, is [`countersign_fuzz::verify`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| countersign_fuzz::verify(data));
