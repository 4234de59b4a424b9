//! Secrets (key material, assertions, tokens) and the safe views of them that reports may show.
//! Masking secrets inside untrusted text is [`crate::scrub`]'s job.

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
}
