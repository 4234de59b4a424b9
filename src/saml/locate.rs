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
        // A span that holds no SAML is skipped whole (an element holding a SAML assertion names
        // SAML and is taken), so every byte is read once however many tags the text has.
        if read(&text[start..end]).is_some_and(|reading| reading.assertion.is_some() || names_saml(&reading)) {
            spans.push(start..end);
        }
        from = end.max(start + 1);
    }
    spans
}

/// A wrapped base64 assertion of a few KB has some 60 lines of 76 characters.
const MAX_WRAPPED_LINES: usize = 256;

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
        // `=` is only padding at the end of base64, so a run may start after one (`assertion=P…`).
        let starts_run = bytes[i] == b'P' && (i == 0 || !is_encoded_byte(bytes[i - 1]) || bytes[i - 1] == b'=');
        if !starts_run {
            i += 1;
            continue;
        }
        let line_end = (i..bytes.len()).find(|&j| !is_encoded_byte(bytes[j])).unwrap_or(bytes.len());
        if !starts_like_xml(&text[i..line_end]) {
            i = line_end.max(i + 1);
            continue;
        }
        // Where each line of the run ends: the run continues over line breaks (MIME-wrapped base64).
        let mut ends = vec![line_end];
        while ends.len() < MAX_WRAPPED_LINES {
            let last = ends[ends.len() - 1];
            if last >= bytes.len() || !matches!(bytes[last], b'\n' | b'\r') {
                break;
            }
            let next = (last..bytes.len()).find(|&j| !matches!(bytes[j], b'\n' | b'\r')).unwrap_or(bytes.len());
            let next_end = (next..bytes.len()).find(|&j| !is_encoded_byte(bytes[j])).unwrap_or(bytes.len());
            if next_end == next {
                break;
            }
            ends.push(next_end);
        }
        // The whole run, then without its last line (ordinary text touching it), then its first
        // line: three reads at most, so scanning stays linear in the text.
        let run_end = ends[ends.len() - 1];
        let candidates = [Some(run_end), ends.len().checked_sub(2).map(|k| ends[k]), Some(line_end)];
        let found = candidates
            .into_iter()
            .flatten()
            .map(|end| i..end)
            .filter(|span| span.len() >= 40)
            .find(|span| is_saml(&text[span.clone()]));
        match found {
            Some(span) => {
                i = span.end;
                spans.push(span);
            }
            None => i = run_end.max(i + 1),
        }
    }
    spans
}

/// A cheap look at the first bytes: `<` then a name, `?` or `!` (base64 of `<saml:…`, `<?xml`).
fn starts_like_xml(run: &str) -> bool {
    use base64::{Engine, engine::general_purpose::STANDARD_NO_PAD};
    // A form body percent-encodes `+`, `/` and `=`: decode a little more than needed first.
    let start: String = run.chars().take(48).collect();
    // …without a `%XX` cut in half at the end.
    let whole = match start.rfind('%') {
        Some(at) if at + 3 > start.len() => &start[..at],
        _ => &start[..],
    };
    let start = whole;
    let start = super::decode::percent_decode(start).unwrap_or_default();
    let head: String = start
        .chars()
        .take(16)
        .map(|c| match c {
            '-' => '+',
            '_' => '/',
            c => c,
        })
        .collect();
    let Ok(bytes) = STANDARD_NO_PAD.decode(head.trim_end_matches('=')) else { return false };
    bytes.first() == Some(&b'<') && bytes.get(1).is_some_and(|b| b.is_ascii_alphabetic() || *b == b'?' || *b == b'!')
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_assertions_in_form_bodies_xml_and_wrapped_base64() {
        let xml = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/saml/healthy.xml")).unwrap();
        let xml = xml.trim();
        let url =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/saml/healthy.b64url")).unwrap();
        let wrapped =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/saml/standard-base64.b64")).unwrap();
        for (text, found) in [
            (format!("> grant_type=x&assertion={}\n< HTTP/1.1 400", url.trim()), url.trim().to_string()),
            (format!("posted: {xml} and failed"), xml.to_string()),
            (format!("assertion:\n{wrapped}HTTP/1.1 400"), wrapped.trim_end().to_string()),
        ] {
            let spans = locate(&text);
            assert_eq!(spans.len(), 1, "{text:.80}");
            assert_eq!(&text[spans[0].clone()], found);
            assert!(find_in_text(&text).and_then(|r| r.assertion).is_some());
        }
        assert!(locate("PlainText with Paragraphs and <Response>not saml</Response>").is_empty());
    }
}
