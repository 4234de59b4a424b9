//! Lenient, bounded scanning of free text: `key: value` fields in any of the spellings people
//! paste (JSON, JS `util.inspect`, Ruby hashes, form bodies, log labels), object literals, URLs.
//!
//! Everything here is iterative and bounded, so hostile input cannot recurse or go quadratic.

use std::ops::Range;

use super::prepare::floor_char_boundary;

/// The text under scan with an ASCII-lowercased twin. `to_ascii_lowercase` keeps every byte
/// offset, so a match found in `lower` indexes `raw` directly.
pub(super) struct Text<'a> {
    pub raw: &'a str,
    pub lower: String,
}

impl<'a> Text<'a> {
    pub fn new(raw: &'a str) -> Text<'a> {
        Text { raw, lower: raw.to_ascii_lowercase() }
    }

    /// Case-insensitive search; `needle` must be lowercase.
    pub fn find(&self, needle: &str) -> Option<usize> {
        self.lower.find(needle)
    }

    pub fn contains(&self, needle: &str) -> bool {
        self.lower.contains(needle)
    }
}

/// Longest field value read; longer values are of no use and would let hostile input go quadratic.
const MAX_VALUE: usize = 16 * 1024;
/// Longest object literal examined.
const MAX_OBJECT: usize = 16 * 1024;
/// Most `{` positions tried as object starts.
const MAX_OBJECT_STARTS: usize = 1000;

/// How a key is tied to its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Sep {
    /// `key: value`, `"key":"value"`.
    Colon,
    /// `key=value` (form bodies, query strings, `[login=…]`).
    Equals,
    /// Ruby's `"key"=>"value"`.
    Arrow,
}

/// One `key <sep> value` occurrence.
#[derive(Debug, Clone)]
pub(super) struct Field {
    /// The key was quoted (`"key"` or `'key'`).
    pub key_quoted: bool,
    pub sep: Sep,
    /// The value's raw bytes, without its quotes.
    pub value: Range<usize>,
    /// The value was quoted.
    pub quoted: bool,
}

impl Field {
    /// The value with string escapes (quoted) or form encoding (`key=value` in a form body) undone.
    pub fn decoded(&self, raw: &str) -> String {
        let value = &raw[self.value.clone()];
        if self.quoted {
            unescape(value)
        } else if self.sep == Sep::Equals && looks_form_encoded(raw, self) {
            percent_decode(value)
        } else {
            value.to_string()
        }
    }
}

fn looks_form_encoded(raw: &str, field: &Field) -> bool {
    raw[field.value.clone()].contains('%') || raw[field.value.end..].starts_with('&')
}

/// Every occurrence of `key` (lowercase, matched case-insensitively as a whole word) used as a
/// field name, in text order.
pub(super) fn fields(text: &Text, key: &str) -> Vec<Field> {
    let bytes = text.raw.as_bytes();
    let mut found: Vec<Field> = Vec::new();
    for (at, _) in text.lower.match_indices(key) {
        // The key inside the previous value (`username:username:…`) is part of that value;
        // skipping it also keeps hostile repetitions linear.
        if found.last().is_some_and(|previous| at < previous.value.end) {
            continue;
        }
        let end = at + key.len();
        let before = at.checked_sub(1).map(|i| bytes[i]);
        // `\nclientId: …` inside a JSON string: the `n` belongs to an escaped line break.
        let escaped_break = at >= 2 && bytes[at - 2] == b'\\' && matches!(before, Some(b'n' | b't'));
        if before.is_some_and(is_word_byte) && !escaped_break {
            continue;
        }
        if bytes.get(end).copied().is_some_and(is_word_byte) {
            continue;
        }
        if let Some(field) = field_at(text.raw, at, end) {
            found.push(field);
        }
    }
    found
}

/// The decoded values of every `key` field.
pub(super) fn field_values(text: &Text, key: &str) -> Vec<String> {
    fields(text, key).iter().map(|field| field.decoded(text.raw)).collect()
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Reads `<quote?> <sep> <value>` after a key occupying `key_start..key_end`.
fn field_at(raw: &str, key_start: usize, key_end: usize) -> Option<Field> {
    let bytes = raw.as_bytes();
    let open = key_start.checked_sub(1).map(|i| bytes[i]);
    let mut i = key_end;
    let key_quoted = matches!(open, Some(b'"' | b'\''));
    if key_quoted {
        if bytes.get(i) != open.as_ref() {
            return None;
        }
        i += 1;
    }
    i = skip_blanks(bytes, i);
    let sep = match (bytes.get(i), bytes.get(i + 1)) {
        (Some(b':'), Some(b':')) => return None,
        (Some(b':'), _) => Sep::Colon,
        (Some(b'='), Some(b'>')) => Sep::Arrow,
        (Some(b'='), Some(b'=')) => return None,
        (Some(b'='), _) => Sep::Equals,
        _ => return None,
    };
    i += if sep == Sep::Arrow { 2 } else { 1 };
    i = skip_blanks(bytes, i);
    let (value, quoted) = value_at(raw, i)?;
    Some(Field { key_quoted, sep, value, quoted })
}

fn skip_blanks(bytes: &[u8], mut i: usize) -> usize {
    while matches!(bytes.get(i), Some(b' ' | b'\t')) {
        i += 1;
    }
    i
}

/// A quoted string (tolerating a missing close quote, as in truncated log lines) or a bare token.
fn value_at(raw: &str, start: usize) -> Option<(Range<usize>, bool)> {
    let bytes = raw.as_bytes();
    match bytes.get(start) {
        Some(&q @ (b'"' | b'\'')) => {
            let end = string_end(bytes, start + 1, q, start + 1 + MAX_VALUE)
                .unwrap_or_else(|| line_end(bytes, start + 1, MAX_VALUE));
            Some((start + 1..end, true))
        }
        Some(_) => {
            let limit = floor_char_boundary(raw, start + MAX_VALUE);
            let end = (start..limit)
                .find(|&i| bytes[i].is_ascii_whitespace() || b",;&}])'\"".contains(&bytes[i]))
                .unwrap_or(limit);
            (end > start).then_some((start..end, false))
        }
        None => None,
    }
}

/// Index of the closing `quote` of a string whose content starts at `from`, if it closes on the
/// same line within `limit`.
fn string_end(bytes: &[u8], from: usize, quote: u8, limit: usize) -> Option<usize> {
    let limit = limit.min(bytes.len());
    let mut i = from;
    while i < limit {
        match bytes[i] {
            b'\\' => i += 2,
            b'\n' => return None,
            b if b == quote => return Some(i),
            _ => i += 1,
        }
    }
    None
}

fn line_end(bytes: &[u8], from: usize, max: usize) -> usize {
    let limit = (from + max).min(bytes.len());
    let end = (from..limit).find(|&i| bytes[i] == b'\n').unwrap_or(limit);
    // Never split a UTF-8 sequence: back up to a boundary (continuation bytes are 0b10xxxxxx).
    (from..=end).rev().find(|&i| i == bytes.len() || (bytes[i] & 0xC0) != 0x80).unwrap_or(from)
}

/// Undoes JSON / JS string escapes. Unknown escapes keep the escaped character.
pub(super) fn unescape(value: &str) -> String {
    if !value.contains('\\') {
        return value.to_string();
    }
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('t') => out.push('\t'),
            Some('b') => out.push('\u{8}'),
            Some('f') => out.push('\u{c}'),
            Some('u') => out.push(unicode_escape(&mut chars)),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

/// Reads the hex digits of `\uXXXX` (and a following low surrogate).
fn unicode_escape(chars: &mut std::str::Chars<'_>) -> char {
    let read_unit = |chars: &mut std::str::Chars<'_>| -> Option<u16> {
        let hex: String = chars.by_ref().take(4).collect();
        let valid = hex.len() == 4 && hex.bytes().all(|b| b.is_ascii_hexdigit());
        valid.then(|| u16::from_str_radix(&hex, 16).ok()).flatten()
    };
    let Some(high) = read_unit(chars) else {
        return char::REPLACEMENT_CHARACTER;
    };
    if !(0xD800..0xDC00).contains(&high) {
        return char::from_u32(u32::from(high)).unwrap_or(char::REPLACEMENT_CHARACTER);
    }
    let mut lookahead = chars.clone();
    if lookahead.next() == Some('\\')
        && lookahead.next() == Some('u')
        && let Some(low) = read_unit(&mut lookahead)
        && let Some(Ok(c)) = char::decode_utf16([high, low]).next()
    {
        *chars = lookahead;
        return c;
    }
    char::REPLACEMENT_CHARACTER
}

/// `application/x-www-form-urlencoded` decoding; invalid escapes are kept as they are.
pub(super) fn percent_decode(value: &str) -> String {
    // A literal `+` arrives as `%2B`, so every `+` left is a space.
    percent_encoding::percent_decode_str(&value.replace('+', " ")).decode_utf8_lossy().into_owned()
}

/// An object literal: JSON, JS `util.inspect` (`{error: 'x'}`) or a Ruby hash (`{"error"=>"x"}`).
#[derive(Debug, Clone)]
pub(super) struct Object {
    pub range: Range<usize>,
    /// Top-level members: key and value (`None` for nested objects and arrays).
    pub members: Vec<(String, Option<String>)>,
}

impl Object {
    /// The value of a top-level string or scalar member.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.members.iter().find(|(name, _)| name == key).and_then(|(_, value)| value.as_deref())
    }

    pub fn has(&self, key: &str) -> bool {
        self.members.iter().any(|(name, _)| name == key)
    }
}

/// Every well-formed object literal in `text`, in order of their opening brace. Nested objects
/// are reported on their own too (their parent just skips them).
pub(super) fn objects(text: &str) -> Vec<Object> {
    text.match_indices('{').take(MAX_OBJECT_STARTS).filter_map(|(start, _)| object_at(text, start)).collect()
}

/// The object literal opening at `start`, if there is a well-formed one (of a size an OAuth
/// answer can have).
pub(super) fn object_at(text: &str, start: usize) -> Option<Object> {
    object_within(text, start, floor_char_boundary(text, start + MAX_OBJECT))
}

/// The object literal opening at `start` that may span the rest of the text (a whole `--json`
/// document, whose stack traces and repeated messages can be long).
pub(super) fn document_at(text: &str, start: usize) -> Option<Object> {
    object_within(text, start, text.len())
}

fn object_within(text: &str, start: usize, limit: usize) -> Option<Object> {
    let mut cursor = Cursor { raw: text, bytes: text.as_bytes(), i: start + 1, limit };
    let mut members = Vec::new();
    loop {
        cursor.skip_whitespace();
        if cursor.eat(b'}') {
            return Some(Object { range: start..cursor.i, members });
        }
        let key = cursor.key()?;
        cursor.skip_whitespace();
        if !cursor.separator() {
            return None;
        }
        cursor.skip_whitespace();
        let value = cursor.value()?;
        members.push((key, value));
        cursor.skip_whitespace();
        if cursor.eat(b',') {
            continue;
        }
        if cursor.peek() != Some(b'}') {
            return None;
        }
    }
}

struct Cursor<'a> {
    raw: &'a str,
    bytes: &'a [u8],
    i: usize,
    limit: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        (self.i < self.limit).then(|| self.bytes[self.i])
    }

    fn eat(&mut self, byte: u8) -> bool {
        let hit = self.peek() == Some(byte);
        if hit {
            self.i += 1;
        }
        hit
    }

    /// `:` (JSON, JS), `=>` (Ruby) or `=`.
    fn separator(&mut self) -> bool {
        if self.eat(b':') {
            return true;
        }
        let equals = self.eat(b'=');
        if equals {
            self.eat(b'>');
        }
        equals
    }

    fn skip_whitespace(&mut self) {
        while self.peek().is_some_and(|b| b.is_ascii_whitespace()) {
            self.i += 1;
        }
    }

    fn key(&mut self) -> Option<String> {
        match self.peek()? {
            q @ (b'"' | b'\'') => self.string(q),
            b if b.is_ascii_alphabetic() || b == b'_' || b == b'$' => {
                let start = self.i;
                while self.peek().is_some_and(|b| is_word_byte(b) || b == b'$' || b == b'-') {
                    self.i += 1;
                }
                Some(self.raw[start..self.i].to_string())
            }
            _ => None,
        }
    }

    fn string(&mut self, quote: u8) -> Option<String> {
        let start = self.i + 1;
        let end = string_end(self.bytes, start, quote, self.limit)?;
        self.i = end + 1;
        Some(unescape(&self.raw[start..end]))
    }

    /// A string, a scalar up to the next `,`/`}`, or a nested container (skipped, `None`).
    fn value(&mut self) -> Option<Option<String>> {
        match self.peek()? {
            q @ (b'"' | b'\'') => self.string(q).map(Some),
            b'{' | b'[' => {
                self.skip_container()?;
                Some(None)
            }
            _ => {
                let start = self.i;
                while self.peek().is_some_and(|b| !matches!(b, b',' | b'}' | b'\n')) {
                    self.i += 1;
                }
                let scalar = self.raw[start..self.i].trim();
                (!scalar.is_empty()).then(|| Some(scalar.to_string()))
            }
        }
    }

    /// Skips a nested `{…}` or `[…]` by counting depth (quote-aware), without recursion.
    fn skip_container(&mut self) -> Option<()> {
        let mut depth = 0usize;
        while let Some(b) = self.peek() {
            match b {
                b'{' | b'[' => depth += 1,
                b'}' | b']' => {
                    depth = depth.checked_sub(1)?;
                    if depth == 0 {
                        self.i += 1;
                        return Some(());
                    }
                }
                b'"' | b'\'' => {
                    self.i = string_end(self.bytes, self.i + 1, b, self.limit)?;
                }
                _ => {}
            }
            self.i += 1;
        }
        None
    }
}

/// Every `http://` / `https://` URL in `line`, with the byte offset where it starts.
pub(super) fn urls(line: &str) -> Vec<(usize, &str)> {
    let lower = line.to_ascii_lowercase();
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(offset) = lower[from..].find("http") {
        let start = from + offset;
        let rest = &lower[start..];
        if !(rest.starts_with("http://") || rest.starts_with("https://")) {
            from = start + 4;
            continue;
        }
        let len = line[start..]
            .find(|c: char| c.is_whitespace() || "'\"`<>()[]{},|\\".contains(c))
            .unwrap_or(line.len() - start);
        let url = line[start..start + len].trim_end_matches(['.', ';', ':']);
        found.push((start, url));
        from = start + len.max(4);
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(raw: &str, key: &str) -> Vec<String> {
        field_values(&Text::new(raw), key)
    }

    #[test]
    fn fields_in_every_spelling() {
        assert_eq!(values(r#"{"error":"invalid_grant"}"#, "error"), ["invalid_grant"]);
        assert_eq!(values("{error: 'invalid_grant'}", "error"), ["invalid_grant"]);
        assert_eq!(values(r#"{"error"=>"invalid_grant"}"#, "error"), ["invalid_grant"]);
        assert_eq!(values("a=1&error=invalid_grant&b=2", "error"), ["invalid_grant"]);
        assert_eq!(values("Username: ci@example.com, x", "username"), ["ci@example.com"]);
        assert_eq!(
            values("error_description=app+must+be+installed%20into+org", "error_description"),
            ["app must be installed into org"]
        );
    }

    #[test]
    fn fields_are_whole_words() {
        assert!(values(r#"{"error_description":"x"}"#, "error").is_empty());
        assert!(values("myerror: x", "error").is_empty());
        assert!(values("Error::ENOENT", "error").is_empty());
        assert_eq!(values(r"x, \nclientId: 3MVG9, \n", "clientid"), ["3MVG9"]);
        assert!(values("a == b", "a").is_empty());
    }

    #[test]
    fn escapes_are_undone() {
        assert_eq!(
            values(r"{error_description: 'user hasn\'t approved'}", "error_description"),
            ["user hasn't approved"]
        );
        assert_eq!(values(r#"{"d":"Here\u2019s \ud83d\ude00 \"q\" \/"}"#, "d"), ["Here\u{2019}s \u{1f600} \"q\" /"]);
        assert_eq!(unescape(r"\ud800x \u12"), "\u{fffd}x \u{fffd}");
    }

    #[test]
    fn unterminated_values_run_to_the_end_of_the_line() {
        assert_eq!(
            values("{\"error_description\":\"External client app (truncated...)\nnext", "error_description"),
            ["External client app (truncated...)"]
        );
    }

    #[test]
    fn objects_in_json_js_and_ruby_forms() {
        let text =
            r#"x {"error":"a","n":1,"nested":{"k":[1,{"z":"}"}]}} y {error: 'b', error_description: 'c',} {"e"=>"d"}"#;
        let found = objects(text);
        assert_eq!(found[0].get("error"), Some("a"));
        assert_eq!(found[0].get("n"), Some("1"));
        assert!(found[0].has("nested") && found[0].get("nested").is_none());
        assert!(found.iter().any(|o| o.get("z") == Some("}")));
        assert!(found.iter().any(|o| o.get("error_description") == Some("c")));
        assert!(found.iter().any(|o| o.get("e") == Some("d")));
    }

    #[test]
    fn malformed_objects_are_ignored() {
        for text in ["{", "{\"a\"", "{\"a\":", "{\"a\":\"b", "{a b}", "{{{{", "{\"a\":[}", "}{"] {
            assert!(objects(text).is_empty(), "{text}");
        }
    }

    #[test]
    fn urls_stop_at_delimiters() {
        let line = "login=http://127.0.0.1:42005/] `POST https://a.example/x` (https://b.example). httpx";
        let found: Vec<&str> = urls(line).into_iter().map(|(_, u)| u).collect();
        assert_eq!(found, ["http://127.0.0.1:42005/", "https://a.example/x", "https://b.example"]);
    }

    #[test]
    fn percent_decoding_tolerates_junk() {
        assert_eq!(percent_decode("a%2Fb+c%zz%4"), "a/b c%zz%4");
    }
}
