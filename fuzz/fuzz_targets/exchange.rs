//! `cargo fuzz run exchange`: the body, and what it checks, is [`countersign_fuzz::exchange`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| countersign_fuzz::exchange(data));
