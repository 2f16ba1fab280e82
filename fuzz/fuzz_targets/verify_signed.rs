//! `cargo fuzz run verify_signed`: the body, and what it checks, is
//! [`countersign_fuzz::verify_signed`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| countersign_fuzz::verify_signed(data));
