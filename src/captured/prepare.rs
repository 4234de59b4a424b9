//! Turning whatever was pasted into clean, bounded text.

/// Only this much of the input is examined (bytes of UTF-8).
pub(super) const MAX_SCAN: usize = 1 << 20;

/// Decodes raw bytes: UTF-16 by BOM (Windows PowerShell writes redirected output as UTF-16 LE
/// with a BOM) or by the NUL pattern of BOM-less ASCII text, otherwise lossy UTF-8.
pub(super) fn decode(bytes: &[u8]) -> String {
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        return decode_utf16(rest, u16::from_le_bytes);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        return decode_utf16(rest, u16::from_be_bytes);
    }
    match bytes {
        [_, 0, _, 0, ..] if bytes[0] != 0 => return decode_utf16(bytes, u16::from_le_bytes),
        [0, _, 0, _, ..] if bytes[1] != 0 => return decode_utf16(bytes, u16::from_be_bytes),
        _ => {}
    }
    let bytes = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    // A few bytes past the cap so a character cut in half is still cut by `normalise`, not here.
    let bytes = &bytes[..bytes.len().min(MAX_SCAN + 4)];
    String::from_utf8_lossy(bytes).into_owned()
}

fn decode_utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16) -> String {
    // Each UTF-16 unit becomes at most 3 UTF-8 bytes; MAX_SCAN units is plenty for the cap.
    let bytes = &bytes[..bytes.len().min(2 * MAX_SCAN)];
    let units = bytes.chunks_exact(2).map(|pair| unit([pair[0], pair[1]]));
    char::decode_utf16(units).map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER)).collect()
}

/// Caps the text at [`MAX_SCAN`], strips terminal escapes, BOMs and control characters, and turns
/// CRLF and lone CR into LF, so every later stage sees plain `\n`-separated lines.
pub(super) fn normalise(text: &str) -> String {
    let text = &text[..floor_char_boundary(text, MAX_SCAN)];
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\u{1b}' => skip_escape_sequence(&mut chars),
            '\r' if chars.peek() == Some(&'\n') => {}
            '\r' => out.push('\n'),
            '\n' | '\t' => out.push(c),
            '\u{feff}' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Skips the rest of an escape sequence whose ESC was just read: CSI (`ESC [ … final`), OSC
/// (`ESC ] … BEL` or `ESC ] … ESC \`), or a two-character escape.
fn skip_escape_sequence(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    match chars.next() {
        Some('[') => {
            for c in chars.by_ref() {
                if ('\u{40}'..='\u{7e}').contains(&c) {
                    break;
                }
            }
        }
        Some(']') => {
            while let Some(c) = chars.next() {
                if c == '\u{7}' || (c == '\u{1b}' && chars.next_if_eq(&'\\').is_some()) {
                    break;
                }
            }
        }
        _ => {}
    }
}

/// The largest index `<= max` that is a character boundary of `text`.
pub(super) fn floor_char_boundary(text: &str, max: usize) -> usize {
    if max >= text.len() {
        return text.len();
    }
    (0..=max).rev().find(|&i| text.is_char_boundary(i)).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_ansi_and_crlf() {
        let tty = "\u{1b}[1m\u{1b}[31mError (JwtGrantError):\u{1b}[39m\u{1b}[22m x\r\ny\rz";
        assert_eq!(normalise(tty), "Error (JwtGrantError): x\ny\nz");
    }

    #[test]
    fn strips_osc_hyperlinks_and_controls() {
        let text = "a\u{1b}]8;;https://x\u{7}link\u{1b}]8;;\u{1b}\\b\u{0}c\u{feff}";
        assert_eq!(normalise(text), "alinkbc");
    }

    #[test]
    fn unterminated_escapes_do_not_panic() {
        assert_eq!(normalise("x\u{1b}"), "x");
        assert_eq!(normalise("x\u{1b}[12"), "x");
        assert_eq!(normalise("x\u{1b}]title"), "x");
    }

    #[test]
    fn caps_on_a_character_boundary() {
        let text = "é".repeat(MAX_SCAN);
        let out = normalise(&text);
        assert!(out.len() <= MAX_SCAN);
        assert!(out.chars().all(|c| c == 'é'));
    }

    #[test]
    fn decodes_boms_and_utf16() {
        assert_eq!(decode(b"\xEF\xBB\xBFhi"), "hi");
        assert_eq!(decode(b"\xFF\xFEh\0i\0"), "hi");
        assert_eq!(decode(b"\xFE\xFF\0h\0i"), "hi");
        assert_eq!(decode(b"h\0i\0"), "hi");
        assert_eq!(decode(b"\0h\0i"), "hi");
        assert_eq!(decode(b"a\xFFb"), "a\u{fffd}b");
        assert_eq!(decode(b"\xFF\xFE\x00\xD8"), "\u{fffd}");
        assert_eq!(decode(b""), "");
    }
}
