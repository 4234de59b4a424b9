//! Certificate reading (`--cert`, PEM or DER) on arbitrary bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let report = sfjwt::evidence::cert::examine(String::new(), data);
    // What the checks and renderers do with a parsed certificate.
    if let Some(cert) = report.parsed() {
        let _ = cert.public_key.describe();
    }
});
