//! The `--config` logins file (TOML and JSON) on arbitrary text: never a panic, and an error is
//! one line.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for json in [false, true] {
        if let Err(message) = sfjwt::all::config::parse(&text, json) {
            assert!(!message.contains('\n'), "{message}");
        }
    }
});
