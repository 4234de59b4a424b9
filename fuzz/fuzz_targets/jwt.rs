//! JWT decoding (`--assertion`) on arbitrary text, then RS256 verification with a fixed public key
//! (the test-only fixtures/certs/rsa2048.crt, whose key signed the fixtures/assertions tokens).
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use sfjwt::evidence::{cert, jwt};

static CERT: LazyLock<cert::CertReport> =
    LazyLock::new(|| cert::examine("rsa2048.crt".into(), include_bytes!("../../fixtures/certs/rsa2048.crt")));

fuzz_target!(|data: &[u8]| {
    let decoded = jwt::decode(&String::from_utf8_lossy(data));
    for problem in &decoded.problems {
        let _ = problem.describe();
    }
    if decoded.claims.is_some()
        && let Some(cert::CertKey::Rsa(key)) = CERT.parsed().map(|c| &c.public_key)
    {
        let _ = decoded.verify(key);
    }
});
