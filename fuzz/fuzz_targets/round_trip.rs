//! `cargo fuzz run round_trip`: the body, and what it checks, is [`countersign_fuzz::round_trip`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| countersign_fuzz::round_trip(data));
