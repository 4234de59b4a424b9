//! The captured-error parser (`--error`, `sfjwt classify`) on arbitrary bytes, without and with the
//! `--instance-url` hint.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = sfjwt::captured::parse_bytes(data, None);
    let _ = sfjwt::captured::parse_bytes(data, Some("https://acme--uat.sandbox.my.salesforce.com"));
});
