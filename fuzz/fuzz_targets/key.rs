//! Private key forensics on arbitrary bytes, as a key file (`--jwt-key-file`) and as `SFJWT_KEY`
//! (where base64 of a PEM is expected); then what `doctor` does with a parsed RSA key: sign the
//! assertion it would send.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sfjwt::evidence::{jwt::BuiltClaims, key};

fuzz_target!(|data: &[u8]| {
    let _ = key::examine(String::new(), data, true);
    let report = key::examine(String::new(), data, false);
    if let Some(rsa) = report.parsed().and_then(|k| k.rsa.as_ref()) {
        let claims = BuiltClaims::new("3MVG9fuzz", "ci@example.com", "https://login.salesforce.com", 1_800_000_000);
        let _ = claims.sign(rsa);
    }
});
