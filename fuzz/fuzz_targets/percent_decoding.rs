//! `cargo fuzz run percent_decoding`: the body, and what it checks, is [`countersign_fuzz::percent_decoding`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| countersign_fuzz::percent_decoding(data));
