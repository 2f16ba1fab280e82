//! `cargo fuzz run signature_methods`: the body, and what it checks, is
//! [`countersign_fuzz::signature_methods`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| countersign_fuzz::signature_methods(data));
