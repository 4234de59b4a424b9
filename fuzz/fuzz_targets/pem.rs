//! The forgiving PEM reader on arbitrary text, and the base64 body decoder on its own.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = sfjwt::pem::blocks(&text);
    let _ = sfjwt::pem::decode_base64(&text);
});
