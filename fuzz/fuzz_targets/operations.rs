//! Random operation sequences against the store: no panic, and every
//! invariant of `harness::check_store` after every step.
#![no_main]

#[path = "../harness.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::operations(data));
