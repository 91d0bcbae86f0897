#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| kubegen_fuzz::openapi_spec(data));
