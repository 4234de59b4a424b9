//! Secrets (key material, assertions, tokens) and the safe views of them that reports may show.

use std::fmt;

use sha2::{Digest, Sha256};

/// Wraps a secret so that neither `Debug` nor `Display` can print it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret<T>(T);

impl<T> Secret<T> {
    pub fn new(value: T) -> Secret<T> {
        Secret(value)
    }

    /// The secret itself: only for parsing, signing and sending, never for output.
    pub fn expose(&self) -> &T {
        &self.0
    }
}

impl<T> fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl<T> fmt::Display for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// `3MVG9…Qx7z`: enough to recognise a consumer key, not enough to use it.
pub fn mask_client_id(id: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    if chars.len() <= 12 {
        return format!("{}…", chars.iter().take(chars.len().min(4)).collect::<String>());
    }
    let head: String = chars[..5].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}…{tail}")
}

/// Lowercase hex SHA-256, as `openssl dgst -sha256` prints it.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// Replaces anything that looks like a JWT or an access token in free text (an error body, a
/// captured transcript) before it is shown.
pub fn scrub(text: &str) -> String {
    text.split_inclusive(|c: char| c.is_whitespace() || "\"',;&=(){}[]<>".contains(c))
        .map(|word| {
            let core = word.trim_end_matches(|c: char| c.is_whitespace() || "\"',;&=(){}[]<>".contains(c));
            if looks_like_jwt(core) || looks_like_access_token(core) {
                word.replacen(core, "[redacted]", 1)
            } else {
                word.to_string()
            }
        })
        .collect()
}

fn looks_like_jwt(word: &str) -> bool {
    word.starts_with("eyJ") && word.matches('.').count() >= 2 && word.len() > 20
}

/// Salesforce access tokens are `<15 or 18 char org id>!<opaque>`.
fn looks_like_access_token(word: &str) -> bool {
    match word.split_once('!') {
        Some((org, rest)) => org.starts_with("00D") && (org.len() == 15 || org.len() == 18) && rest.len() >= 20,
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_format() {
        let s = Secret::new("MIIEvQIBADANBgkqhkiG9w0BAQEFAASC".to_string());
        assert_eq!(format!("{s} {s:?}"), "[redacted] [redacted]");
    }

    #[test]
    fn client_ids_are_masked() {
        assert_eq!(mask_client_id("3MVG9szVa2Rx_sqBb444p50YjQx7z"), "3MVG9…Qx7z");
        assert_eq!(mask_client_id("short"), "shor…");
    }

    #[test]
    fn scrub_removes_tokens_and_assertions() {
        let text = r#"{"access_token":"00Dxx0000001gPL!AR8AQJXg5oj8jXSgxJfA0lBog","x":"eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJ4In0.c2ln"} assertion=eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJ4In0.c2ln&x"#;
        let out = scrub(text);
        assert!(!out.contains("AR8AQ") && !out.contains("eyJ"), "{out}");
        assert_eq!(out.matches("[redacted]").count(), 3);
    }
}
