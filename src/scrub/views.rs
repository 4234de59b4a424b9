//! Decoded views of a text, each byte mapped back to where it came from, so a secret found in
//! the decoded text is masked in the original, escapes and all.

use std::ops::Range;

use super::kinds::Span;

pub(super) struct View {
    pub text: String,
    /// `map[i]`: the original offset where decoded byte `i` comes from; `map[text.len()]` is the
    /// original length.
    map: Vec<usize>,
}

impl View {
    pub fn identity(text: &str) -> View {
        View { text: text.to_string(), map: (0..=text.len()).collect() }
    }

    /// One more layer of decoding (percent-encoding, HTML entities, JSON/JS escapes, all in one
    /// pass), or `None` when there is nothing left to decode.
    pub fn decode(&self) -> Option<View> {
        let (text, local) = decode_once(&self.text)?;
        let map = local.into_iter().map(|i| self.map[i]).collect();
        Some(View { text, map })
    }

    pub fn to_original(&self, span: Span) -> Span {
        Span { range: self.original(span.range), ..span }
    }

    fn original(&self, range: Range<usize>) -> Range<usize> {
        let end = range.end.min(self.text.len());
        self.map[range.start.min(end)]..self.map[end]
    }
}

/// Decodes every escape in `text` once. The map has one entry per output byte plus the end.
fn decode_once(text: &str) -> Option<(String, Vec<usize>)> {
    let bytes = text.as_bytes();
    let mut out: Vec<u8> = Vec::with_capacity(text.len());
    let mut map: Vec<usize> = Vec::with_capacity(text.len() + 1);
    let mut changed = false;
    let mut i = 0;
    while i < bytes.len() {
        let decoded = match bytes[i] {
            b'%' => percent(bytes, i),
            b'&' => entity(bytes, i),
            b'\\' => backslash(bytes, i),
            _ => None,
        };
        match decoded {
            Some((value, len)) => {
                let mut buffer = [0u8; 4];
                for &b in value.encode_utf8_or_byte(&mut buffer) {
                    out.push(b);
                    map.push(i);
                }
                changed = true;
                i += len;
            }
            None => {
                out.push(bytes[i]);
                map.push(i);
                i += 1;
            }
        }
    }
    if !changed {
        return None;
    }
    map.push(text.len());
    Some((valid_utf8(out), map))
}

/// A decoded unit: a character (from an entity or `\u`), or a raw byte (from `%XX` or `\xHH`,
/// which may be one byte of a UTF-8 sequence).
enum Unit {
    Char(char),
    Byte(u8),
}

impl Unit {
    fn encode_utf8_or_byte<'b>(&self, buffer: &'b mut [u8; 4]) -> &'b [u8] {
        match self {
            Unit::Char(c) => c.encode_utf8(buffer).as_bytes(),
            Unit::Byte(b) => {
                buffer[0] = *b;
                &buffer[..1]
            }
        }
    }
}

fn hex_byte(bytes: &[u8], at: usize) -> Option<u8> {
    let pair = bytes.get(at..at + 2)?;
    u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok()
}

fn percent(bytes: &[u8], i: usize) -> Option<(Unit, usize)> {
    hex_byte(bytes, i + 1).map(|b| (Unit::Byte(b), 3))
}

/// `&quot;`, `&#34;`, `&#x22;` and the other entities secrets and their field names travel in.
fn entity(bytes: &[u8], i: usize) -> Option<(Unit, usize)> {
    let rest = &bytes[i + 1..bytes.len().min(i + 12)];
    let semicolon = rest.iter().position(|&b| b == b';')?;
    let name = std::str::from_utf8(&rest[..semicolon]).ok()?;
    let c = match name {
        "quot" => '"',
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "apos" => '\'',
        "nbsp" => ' ',
        "sol" => '/',
        "colon" => ':',
        "equals" => '=',
        "excl" => '!',
        "period" => '.',
        "lowbar" => '_',
        "commat" => '@',
        "plus" => '+',
        _ => {
            let number = name.strip_prefix('#')?;
            let code = match number.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => number.parse().ok()?,
            };
            char::from_u32(code)?
        }
    };
    Some((Unit::Char(c), semicolon + 2))
}

/// JSON and JS string escapes: `\"`, `\/`, `\n`, `\uXXXX` (with surrogate pairs), `\xHH`.
fn backslash(bytes: &[u8], i: usize) -> Option<(Unit, usize)> {
    let c = match *bytes.get(i + 1)? {
        b'n' => '\n',
        b'r' => '\r',
        b't' => '\t',
        b'b' => '\u{8}',
        b'f' => '\u{c}',
        b'x' => return hex_byte(bytes, i + 2).map(|b| (Unit::Byte(b), 4)),
        b'u' => return unicode(bytes, i),
        b @ (b'"' | b'\'' | b'\\' | b'/' | b'`') => char::from(b),
        _ => return None,
    };
    Some((Unit::Char(c), 2))
}

fn unicode(bytes: &[u8], i: usize) -> Option<(Unit, usize)> {
    let unit = |at: usize| -> Option<u16> {
        let hex = std::str::from_utf8(bytes.get(at..at + 4)?).ok()?;
        u16::from_str_radix(hex, 16).ok()
    };
    let high = unit(i + 2)?;
    if !(0xD800..0xE000).contains(&high) {
        return Some((Unit::Char(char::from_u32(u32::from(high))?), 6));
    }
    let low = (bytes.get(i + 6..i + 8) == Some(b"\\u")).then(|| unit(i + 8)).flatten();
    match low.and_then(|low| char::decode_utf16([high, low]).next()?.ok()) {
        Some(c) => Some((Unit::Char(c), 12)),
        None => Some((Unit::Char('?'), 6)),
    }
}

/// Keeps every byte position: bytes that do not form valid UTF-8 become `?`.
fn valid_utf8(mut bytes: Vec<u8>) -> String {
    let mut from = 0;
    loop {
        match std::str::from_utf8(&bytes[from..]) {
            Ok(_) => break,
            Err(e) => {
                let bad = from + e.valid_up_to();
                let len = e.error_len().unwrap_or(bytes.len() - bad);
                for b in &mut bytes[bad..bad + len] {
                    *b = b'?';
                }
                from = bad + len;
            }
        }
    }
    String::from_utf8(bytes).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decoded(text: &str) -> String {
        View::identity(text).decode().map(|v| v.text).unwrap_or_else(|| text.to_string())
    }

    #[test]
    fn decodes_each_encoding() {
        assert_eq!(decoded("a%3Db%21"), "a=b!");
        assert_eq!(decoded("&quot;x&quot;&#58;&#x22;&amp;"), "\"x\":\"&");
        assert_eq!(decoded(r#"\"k\":\u0022v\ud83d\ude00\/\x41"#), "\"k\":\"v\u{1f600}/A");
        assert_eq!(decoded("%E2%9C%93 %FF"), "\u{2713} ?");
        assert!(View::identity("plain text, 100% & \\q").decode().is_none());
    }

    #[test]
    fn maps_back_to_the_original() {
        let view = View::identity("x=%41%42c").decode().unwrap();
        assert_eq!(view.text, "x=ABc");
        assert_eq!(view.original(2..4), 2..8);
        assert_eq!(view.original(2..5), 2..9);
        let twice = view.decode();
        assert!(twice.is_none());
        let nested = View::identity("%2541").decode().unwrap().decode().unwrap();
        assert_eq!(nested.text, "A");
        assert_eq!(nested.original(0..1), 0..5);
    }
}
