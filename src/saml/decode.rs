//! Finding the XML of a SAML assertion in what the user gave: the XML itself, base64 or base64url
//! of it (RFC 7522 §2.1 sends base64url), or a form body `…&assertion=…` as it travels in an HTTP
//! request. Anything else is left to the JWT reader.

use base64::{
    Engine,
    engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD},
};

use super::Encoding;

/// The XML and how it was encoded, or `None` when the text is not a SAML assertion in any form.
pub(super) fn find_xml(text: &str) -> Option<(String, Encoding, bool)> {
    let text = text.trim_start_matches('\u{feff}').trim();
    if let Some(value) = form_assertion(text) {
        let (xml, encoding) = xml_in(&value)?;
        return Some((xml, encoding, true));
    }
    let (xml, encoding) = xml_in(text)?;
    Some((xml, encoding, false))
}

fn xml_in(text: &str) -> Option<(String, Encoding)> {
    let text = text.trim().trim_matches('"');
    if text.starts_with('<') {
        return Some((text.to_string(), Encoding::Xml));
    }
    // A JWT is three base64url segments joined by dots; dots never occur in base64.
    if text.is_empty() || text.contains('.') || !text.bytes().all(is_base64_byte) {
        return None;
    }
    let compact: String = text.split_ascii_whitespace().collect();
    let encoding = if compact.contains(['+', '/', '=']) || compact.len() != text.len() {
        Encoding::Base64
    } else {
        Encoding::Base64Url
    };
    let bytes = URL_SAFE_NO_PAD
        .decode(compact.trim_end_matches('='))
        .or_else(|_| STANDARD.decode(&compact))
        .or_else(|_| STANDARD.decode(compact.replace('-', "+").replace('_', "/")))
        .ok()?;
    let decoded = crate::files::decode_text(&bytes);
    let xml = decoded.trim_start_matches('\u{feff}').trim_start();
    xml.starts_with('<').then(|| (xml.to_string(), encoding))
}

fn is_base64_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"+/=-_".contains(&b) || b.is_ascii_whitespace()
}

/// The `assertion` field of a form body (`grant_type=…&assertion=…`), percent-decoded. A `+`
/// stays a `+`: in a form it means a space, but a standard-base64 assertion posted without
/// percent-encoding is exactly the mistake worth seeing, so it is read as the sender meant it.
fn form_assertion(text: &str) -> Option<String> {
    if !text.contains("assertion=") || text.starts_with('<') || (!text.contains('&') && !text.starts_with("assertion="))
    {
        return None;
    }
    let value = text.split('&').find_map(|pair| pair.trim().strip_prefix("assertion="))?;
    percent_decode(value)
}

pub(super) fn percent_decode(value: &str) -> Option<String> {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = value.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const XML: &str = "<saml:Assertion xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\"/>";

    #[test]
    fn finds_the_xml_in_every_encoding() {
        assert_eq!(find_xml(XML), Some((XML.into(), Encoding::Xml, false)));
        let url = URL_SAFE_NO_PAD.encode(XML);
        assert_eq!(find_xml(&url), Some((XML.into(), Encoding::Base64Url, false)));
        let standard = STANDARD.encode(XML);
        assert_eq!(find_xml(&standard), Some((XML.into(), Encoding::Base64, false)));
        let form = format!("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Asaml2-bearer&assertion={url}");
        assert_eq!(find_xml(&form), Some((XML.into(), Encoding::Base64Url, true)));
        let encoded = format!("assertion={}", standard.replace('=', "%3D").replace('+', "%2B"));
        assert_eq!(find_xml(&encoded).map(|f| f.1), Some(Encoding::Base64));
    }

    #[test]
    fn leaves_jwts_and_other_text_alone() {
        assert_eq!(find_xml("eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJ4In0.c2ln"), None);
        assert_eq!(find_xml("not an assertion"), None);
        assert_eq!(find_xml(&STANDARD.encode("{\"json\":true}")), None);
        assert_eq!(find_xml(""), None);
        assert_eq!(find_xml("assertion=%ZZ&x=1"), None);
    }
}
