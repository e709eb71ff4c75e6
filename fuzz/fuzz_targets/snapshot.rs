//! Arbitrary text through the JSON loader: a typed error or a store that
//! satisfies every invariant and saves back to the same text.
#![no_main]

#[path = "../harness.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::snapshot(data));
