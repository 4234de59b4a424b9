//! The probe's reading of a token endpoint answer, on an arbitrary status, Content-Type, Location
//! and body. Input layout: 2 bytes of status (big-endian), a Content-Type line, a Location line,
//! then the body; an empty header line means the header is absent.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let [hi, lo, rest @ ..] = data else { return };
    let status = u16::from_be_bytes([*hi, *lo]);
    let mut parts = rest.splitn(3, |&b| b == b'\n');
    let mut headers = Vec::new();
    for name in ["Content-Type", "Location"] {
        match parts.next() {
            Some(value) if !value.is_empty() => {
                headers.push((name.to_string(), String::from_utf8_lossy(value).into_owned()))
            }
            _ => {}
        }
    }
    // The HTTP client decodes bodies the same way (lossy UTF-8).
    let body = String::from_utf8_lossy(parts.next().unwrap_or_default()).into_owned();
    let outcome = sfjwt::probe::interpret_parts(status, headers, body);
    // Reports serialise every attempt's outcome.
    let _ = serde_json::to_string(&outcome);
});
