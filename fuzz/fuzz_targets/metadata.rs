//! The connected app / External Client App XML parser (`--connected-app`) on arbitrary bytes,
//! under a connected app file name and an ECA part file name (the name gives the API name).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = sfjwt::metadata::parse_bytes("Fuzz.connectedApp-meta.xml", data);
    let _ = sfjwt::metadata::parse_bytes("Fuzz_glbl.ecaGlblOauth-meta.xml", data);
});
