#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| kubegen_fuzz::fields_v1(data));
