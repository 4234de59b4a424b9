//! JWTs: decoding one the user gave (without trusting any library's validation), building the one
//! the sf CLI would send, and verifying RS256 signatures.

use base64::{
    Engine,
    engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD},
};
use rsa::{Pkcs1v15Sign, PrivateKey, PublicKey};
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
    pub fn verify(&self, key: &PublicKey) -> Option<bool> {
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

    /// Signs with RS256 under the sf CLI's header, byte for byte.
    ///
    /// rsa's `sign` is fallible, so a key rsa parses yet cannot sign with (under 496 bits, too
    /// small for a SHA-256 DigestInfo; or with factors that are not prime) is an error here, not
    /// the panic the jsonwebtoken crate's signer `expect`ed its way into.
    pub fn sign(&self, key: &PrivateKey) -> Result<Secret<String>, String> {
        let claims = serde_json::to_vec(self).map_err(|e| e.to_string())?;
        let signing_input = format!("{}.{}", URL_SAFE_NO_PAD.encode(RS256_HEADER), URL_SAFE_NO_PAD.encode(claims));
        let digest = Sha256::digest(signing_input.as_bytes());
        let signature = key.sign(Pkcs1v15Sign::new::<Sha256>(), &digest).map_err(|e| e.to_string())?;
        Ok(Secret::new(format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(signature))))
    }
}

/// The JOSE header of every assertion sfjwt builds: the one the sf CLI's `jsonwebtoken` (npm) writes.
const RS256_HEADER: &str = r#"{"alg":"RS256","typ":"JWT"}"#;

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
        assert_eq!(decode(&format!("-----BEGIN {}-----", "PRIVATE KEY")).problems, vec![Malformed::PemPasted]);
        let not_json = format!("{}.{}.{}", segment("nope"), segment("{}"), segment("s"));
        assert_eq!(decode(&not_json).problems, vec![Malformed::NotJson("header")]);
    }

    fn pkcs1_key(pem: &str) -> PrivateKey {
        use rsa::pkcs1::DecodeRsaPrivateKey;
        PrivateKey::from_pkcs1_pem(pem).unwrap()
    }

    /// PKCS#1 v1.5 signatures are deterministic, so the assertion sfjwt builds is byte for byte
    /// the one fixtures/assertions/generate.sh makes with `openssl dgst -sha256 -sign` from the
    /// sf CLI's header and the same claims.
    #[test]
    fn signs_exactly_as_openssl_does() {
        use rsa::pkcs8::DecodePrivateKey;
        let key = PrivateKey::from_pkcs8_pem(include_str!("../../fixtures/keys/rsa2048.pkcs8.pem")).unwrap();
        let cid = "3MVG9EXAMPLE0nly.TestKey_ForSfjwtDocs0000000000000000000000000000000000000000000";
        let claims = BuiltClaims::new(cid, "ci@example.com", "https://login.salesforce.com", 1_798_761_600);
        let ours = claims.sign(&key).unwrap();
        assert_eq!(ours.expose(), include_str!("../../fixtures/assertions/healthy.jwt").trim());
        assert_eq!(decode(ours.expose()).verify(&key.to_public_key()), Some(true));
    }

    /// Regression (found while fuzzing the key input): a genuine 256-bit RSA key (`openssl rsa
    /// -check` accepts it) is too small for a PKCS#1 v1.5 SHA-256 signature; jsonwebtoken panicked.
    #[test]
    fn a_key_too_small_to_sign_is_an_error_not_a_panic() {
        let key = pkcs1_key(include_str!("../../fixtures/keys/regression/rsa256-too-small-to-sign.pem"));
        let claims = BuiltClaims::new("3MVG9x", "ci@acme.com", "https://login.salesforce.com", 1_800_000_000);
        assert!(claims.sign(&key).is_err());
    }

    /// Regression: a 512-bit key whose p and q are not prime but satisfy every check the rsa crate
    /// makes (n = p·q, e·d ≡ 1 mod p−1 and q−1); it parses, its signature fails rsa's own check,
    /// and jsonwebtoken panicked on that.
    #[test]
    fn a_key_with_composite_factors_is_an_error_not_a_panic() {
        let key = pkcs1_key(include_str!("../../fixtures/keys/regression/rsa512-composite-factors.pem"));
        let claims = BuiltClaims::new("3MVG9x", "ci@acme.com", "https://login.salesforce.com", 1_800_000_000);
        assert!(claims.sign(&key).is_err());
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
