//! Finding SAML assertions inside free text (a pasted failure, an HTTP transcript), so that they
//! can be masked before anything else reads the text, and audited.

use std::ops::Range;

use super::{Reading, read};

/// Spans of `text` that hold a SAML assertion: an XML element (`<saml:Assertion …>…</…>`, or a
/// Response around one) or base64/base64url of one, percent-encoded or not (a form body).
/// Sorted, not overlapping.
pub fn locate(text: &str) -> Vec<Range<usize>> {
    let mut spans = xml_spans(text);
    let encoded: Vec<Range<usize>> =
        encoded_spans(text).into_iter().filter(|s| !spans.iter().any(|x| overlaps(x, s))).collect();
    spans.extend(encoded);
    spans.sort_by_key(|s| s.start);
    spans
}

/// The first SAML assertion in `text`, read.
pub fn find_in_text(text: &str) -> Option<Reading> {
    locate(text).into_iter().find_map(|span| read(&text[span]))
}

fn overlaps(a: &Range<usize>, b: &Range<usize>) -> bool {
    a.start < b.end && b.start < a.end
}

/// Root elements sfjwt treats as an attempted assertion.
const ROOTS: [&str; 3] = ["Assertion", "Response", "EncryptedAssertion"];

fn xml_spans(text: &str) -> Vec<Range<usize>> {
    let mut spans = Vec::new();
    let mut from = 0;
    while let Some(offset) = text[from..].find('<') {
        let start = from + offset;
        let name_end = text[start + 1..]
            .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
            .map_or(text.len(), |i| start + 1 + i);
        let qname = &text[start + 1..name_end];
        let local = qname.rsplit(':').next().unwrap_or(qname);
        if !ROOTS.contains(&local)
            || !text[name_end..].trim_start().starts_with(|c: char| c.is_alphabetic() || c == '>')
        {
            from = start + 1;
            continue;
        }
        // The matching end tag, or (a paste cut short) the end of the text.
        let close = format!("</{qname}>");
        let end = text[name_end..].find(&close).map_or(text.len(), |i| name_end + i + close.len());
        if read(&text[start..end]).is_some_and(|reading| reading.assertion.is_some() || names_saml(&reading)) {
            spans.push(start..end);
            from = end;
        } else {
            from = start + 1;
        }
    }
    spans
}

fn is_encoded_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"+/=-_%".contains(&b)
}

/// base64 of anything starting with `<` starts with `P`; candidates are long runs of base64
/// characters that begin so, kept when they decode to a SAML assertion. A run may continue over
/// line breaks (MIME-wrapped base64); when the whole run does not decode, its first line may.
fn encoded_spans(text: &str) -> Vec<Range<usize>> {
    let bytes = text.as_bytes();
    let mut spans = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let starts_run = bytes[i] == b'P' && (i == 0 || !is_encoded_byte(bytes[i - 1]));
        if !starts_run {
            i += 1;
            continue;
        }
        let line_end = (i..bytes.len()).find(|&j| !is_encoded_byte(bytes[j])).unwrap_or(bytes.len());
        let mut run_end = line_end;
        while run_end < bytes.len() && matches!(bytes[run_end], b'\n' | b'\r') {
            let next = (run_end..bytes.len()).find(|&j| !matches!(bytes[j], b'\n' | b'\r')).unwrap_or(bytes.len());
            let next_end = (next..bytes.len()).find(|&j| !is_encoded_byte(bytes[j])).unwrap_or(bytes.len());
            if next_end == next {
                break;
            }
            run_end = next_end;
        }
        let found = [i..run_end, i..line_end]
            .into_iter()
            .filter(|span| span.len() >= 40)
            .find(|span| is_saml(&text[span.clone()]));
        match found {
            Some(span) => {
                i = span.end;
                spans.push(span);
            }
            None => i = line_end.max(i + 1),
        }
    }
    spans
}

fn is_saml(candidate: &str) -> bool {
    let decoded =
        if candidate.contains('%') { super::decode::percent_decode(candidate) } else { Some(candidate.to_string()) };
    decoded.and_then(|d| read(&d)).is_some_and(|reading| reading.assertion.is_some() || names_saml(&reading))
}

/// XML that names SAML, even when it is no usable assertion (a DTD, cut short).
fn names_saml(reading: &Reading) -> bool {
    reading.xml.expose().contains("urn:oasis:names:tc:SAML")
}
