//! `cargo fuzz run plaintext_differential`: the body, and what it checks, is [`countersign_fuzz::plaintext_differential`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| countersign_fuzz::plaintext_differential(data));
