//! The scrubber (`sfjwt::scrub`), two ways. Any text: it never panics and scrubbing twice
//! changes nothing. Structured: the first byte picks a form of secret, the second an encoding,
//! the next eight seed a canary, and the rest is noise around it (split at its middle); no
//! 16-character run of the canary may survive.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sfjwt::scrub::{plant, scrub};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let once = scrub(&text);
    assert_eq!(scrub(&once), once, "scrubbing twice changed the text");

    let [form, encoding, rest @ ..] = data else { return };
    let forms = plant::forms();
    let form = forms[usize::from(*form) % forms.len()];
    let encoding = plant::ENCODINGS[usize::from(*encoding) % plant::ENCODINGS.len()];
    let (seed, noise) = rest.split_at(rest.len().min(8));
    let planted = plant::plant(form, encoding, &plant::canary(seed));
    let noise = String::from_utf8_lossy(noise);
    let middle = (0..=noise.len() / 2).rev().find(|&i| noise.is_char_boundary(i)).unwrap_or(0);
    let (before, after) = noise.split_at(middle);
    let text = format!("{before} {} {after}", planted.text);
    let out = scrub(&text);
    if let Some(leak) = planted.leak_in(&out) {
        panic!("{form:?} {encoding:?} leaked {leak:?}:\n{text}\n=>\n{out}");
    }
});
