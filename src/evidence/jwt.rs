//! JWTs: decoding one the user gave (without trusting any library's validation), building the one
//! the sf CLI would send, and verifying RS256 signatures.

use base64::{
    Engine,
    engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD},
};
use rsa::{Pkcs1v15Sign, RsaPrivateKey, RsaPublicKey, pkcs1::EncodeRsaPrivateKey};
use serde::Serialize;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::secret::Secret;

pub type Claims = Map<String, Value>;

/// A compact JWS taken apart. Any part may be missing when the input is malformed.
#[derive(Debug, Clone)]
pub struct Decoded {
    pub header: Option<Claims>,
    pub claims: Option<Claims>,
    pub problems: Vec<Malformed>,
    /// Segments used standard base64 (`+`, `/` or `=` padding) instead of base64url.
    pub standard_base64: bool,
    signing_input: Secret<String>,
    signature: Secret<Vec<u8>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Malformed {
    Empty,
    /// A PEM key or certificate was pasted where the JWT belongs.
    PemPasted,
    /// Five segments: an encrypted JWT (JWE), which the bearer grant does not take.
    Encrypted,
    Segments(usize),
    NotBase64(&'static str),
    NotJson(&'static str),
}

impl Malformed {
    pub fn describe(&self) -> String {
        match self {
            Malformed::Empty => "the assertion is empty".into(),
            Malformed::PemPasted => "a PEM block (key or certificate) was given where the JWT belongs".into(),
            Malformed::Encrypted => "it has five segments: an encrypted JWT (JWE), not a signed one (JWS)".into(),
            Malformed::Segments(n) => format!("it has {n} dot-separated segment(s); a signed JWT has exactly 3"),
            Malformed::NotBase64(part) => format!("the {part} segment is not valid base64url"),
            Malformed::NotJson(part) => format!("the {part} segment does not decode to a JSON object"),
        }
    }
}

impl Decoded {
    /// Verifies an RS256 signature with `key`. `None` when there is nothing to verify.
    pub fn verify(&self, key: &RsaPublicKey) -> Option<bool> {
        if self.signature.expose().is_empty() || self.header.is_none() {
            return None;
        }
        let digest = Sha256::digest(self.signing_input.expose().as_bytes());
        Some(key.verify(Pkcs1v15Sign::new::<Sha256>(), &digest, self.signature.expose()).is_ok())
    }
}

pub fn decode(token: &str) -> Decoded {
    let token = token.trim().trim_matches('"');
    let mut decoded = Decoded {
        header: None,
        claims: None,
        problems: Vec::new(),
        standard_base64: token.contains(['+', '/', '=']),
        signing_input: Secret::new(String::new()),
        signature: Secret::new(Vec::new()),
    };
    if token.is_empty() {
        decoded.problems.push(Malformed::Empty);
        return decoded;
    }
    if token.contains("-----BEGIN ") {
        decoded.standard_base64 = false;
        decoded.problems.push(Malformed::PemPasted);
        return decoded;
    }
    let segments: Vec<&str> = token.split('.').collect();
    match segments.len() {
        3 => {}
        5 => {
            decoded.problems.push(Malformed::Encrypted);
            return decoded;
        }
        n => {
            decoded.problems.push(Malformed::Segments(n));
            return decoded;
        }
    }
    decoded.header = json_segment(segments[0], "header", &mut decoded.problems);
    decoded.claims = json_segment(segments[1], "claims", &mut decoded.problems);
    match base64_segment(segments[2]) {
        Some(signature) if !signature.is_empty() => decoded.signature = Secret::new(signature),
        _ => decoded.problems.push(Malformed::NotBase64("signature")),
    }
    decoded.signing_input = Secret::new(format!("{}.{}", segments[0], segments[1]));
    decoded
}

fn json_segment(segment: &str, part: &'static str, problems: &mut Vec<Malformed>) -> Option<Claims> {
    let Some(bytes) = base64_segment(segment) else {
        problems.push(Malformed::NotBase64(part));
        return None;
    };
    match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Object(map)) => Some(map),
        _ => {
            problems.push(Malformed::NotJson(part));
            None
        }
    }
}

/// base64url as the spec says, else standard base64 so the claims can still be audited.
fn base64_segment(segment: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD
        .decode(segment)
        .ok()
        .or_else(|| STANDARD.decode(segment).ok())
        .or_else(|| URL_SAFE_NO_PAD.decode(segment.trim_end_matches('=')).ok())
}

/// The claims the sf CLI sends, in its order. `exp` is in seconds (RFC 7519), unlike the CLI.
#[derive(Debug, Clone, Serialize)]
pub struct BuiltClaims {
    pub iss: String,
    pub sub: String,
    pub aud: String,
    pub exp: i64,
    pub iat: i64,
}

/// How long the built assertion is valid: inside the documented three minutes.
pub const BUILT_VALIDITY_SECONDS: i64 = 180;

impl BuiltClaims {
    pub fn new(iss: &str, sub: &str, aud: &str, now: i64) -> BuiltClaims {
        BuiltClaims {
            iss: iss.to_string(),
            sub: sub.to_string(),
            aud: aud.to_string(),
            exp: now + BUILT_VALIDITY_SECONDS,
            iat: now,
        }
    }

    pub fn to_map(&self) -> Claims {
        match serde_json::to_value(self) {
            Ok(Value::Object(map)) => map,
            _ => Claims::new(),
        }
    }

    /// Signs with RS256, header `{"alg":"RS256","typ":"JWT"}`, as the sf CLI does.
    pub fn sign(&self, key: &RsaPrivateKey) -> Result<Secret<String>, String> {
        let der = key.to_pkcs1_der().map_err(|e| e.to_string())?;
        let encoding_key = jsonwebtoken::EncodingKey::from_rsa_der(der.as_bytes());
        let header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
        jsonwebtoken::encode(&header, self, &encoding_key).map(Secret::new).map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segment(json: &str) -> String {
        URL_SAFE_NO_PAD.encode(json)
    }

    #[test]
    fn decodes_segments_and_flags_problems() {
        let token = format!("{}.{}.{}", segment(r#"{"alg":"RS256"}"#), segment(r#"{"iss":"x"}"#), segment("sig"));
        let decoded = decode(&token);
        assert!(decoded.problems.is_empty());
        assert_eq!(decoded.claims.unwrap()["iss"], "x");
        assert_eq!(decode("a.b").problems, vec![Malformed::Segments(2)]);
        assert_eq!(decode("a.b.c.d.e").problems, vec![Malformed::Encrypted]);
        assert_eq!(decode("-----BEGIN PRIVATE KEY-----").problems, vec![Malformed::PemPasted]);
        let not_json = format!("{}.{}.{}", segment("nope"), segment("{}"), segment("s"));
        assert_eq!(decode(&not_json).problems, vec![Malformed::NotJson("header")]);
    }

    #[test]
    fn notices_standard_base64() {
        let token = format!(
            "{}.{}.{}",
            STANDARD.encode(r#"{"alg":"RS256"}"#),
            STANDARD.encode(r#"{"a":"??>"}"#),
            STANDARD.encode("s")
        );
        let decoded = decode(&token);
        assert!(decoded.standard_base64);
        assert!(decoded.claims.is_some());
    }
}
