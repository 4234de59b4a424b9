//! Private key forensics on arbitrary bytes, as a key file (`--jwt-key-file`) and as `SFJWT_KEY`
//! (where base64 of a PEM is expected).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = sfjwt::evidence::key::examine(String::new(), data, false);
    let _ = sfjwt::evidence::key::examine(String::new(), data, true);
});
