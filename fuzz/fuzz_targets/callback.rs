//! `cargo fuzz run callback`: the body, and what it checks, is [`countersign_fuzz::callback`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| countersign_fuzz::callback(data));
