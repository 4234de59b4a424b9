//! Private key forensics: what the file holds, and how it was damaged if it was.

use rsa::{
    PrivateKey,
    pkcs1::{DecodeRsaPrivateKey, RsaPrivateKeyRef},
    pkcs8::{DecodePrivateKey, EncodePublicKey, PrivateKeyInfoRef},
    traits::PublicKeyParts,
};

use crate::{files::ReadError, pem, secret::sha256_hex};

const OID_RSA: &str = "1.2.840.113549.1.1.1";
const OID_EC: &str = "1.2.840.10045.2.1";
const OID_ED25519: &str = "1.3.101.112";
const OID_ED448: &str = "1.3.101.113";
const OID_DSA: &str = "1.2.840.10040.4.1";

/// RSA moduli above this are refused before the rsa crate turns them into numbers. JWT bearer keys
/// are usually 2048 or 4096 bits; parsing costs grow with the square of the size and signing with
/// its cube, so the 2-million-bit modulus a 1 MB key file can hold stalled sfjwt for minutes to hours.
const MAX_RSA_BITS: usize = 16384;

/// What the key input turned out to be.
#[derive(Debug)]
pub enum KeyState {
    Unreadable(ReadError),
    Empty,
    /// A certificate, public key or CSR where the private key belongs.
    NotPrivateKey(&'static str),
    Encrypted(Encryption),
    /// Armor (or DER) present, but the key inside does not parse.
    Unparseable(String),
    Parsed(Box<ParsedKey>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encryption {
    /// An `ENCRYPTED PRIVATE KEY` block (PKCS#8)
    Pkcs8,
    /// `Proc-Type: 4,ENCRYPTED` in a traditional PEM
    Traditional,
}

/// Damage done to a PEM on its way into a CI secret, detected and undone in memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Damage {
    Quoted,
    LiteralNewlines,
    OneLine,
    MissingArmor,
    Truncated,
    /// Not damage but worth saying: binary DER, which the sf CLI cannot read.
    Der,
}

impl Damage {
    pub fn describe(self) -> &'static str {
        match self {
            Damage::Quoted => "the PEM is wrapped in quotes",
            Damage::LiteralNewlines => "line breaks are the two characters `\\n` instead of real newlines",
            Damage::OneLine => "the whole PEM is on one line: its line breaks were lost",
            Damage::MissingArmor => "the BEGIN/END armor lines are missing: only the base64 body is there",
            Damage::Truncated => "the file is cut short: the END line is missing",
            Damage::Der => "the key is binary DER, not PEM text",
        }
    }
}

#[derive(Debug)]
pub struct ParsedKey {
    pub format: &'static str,
    pub algorithm: Algorithm,
    pub rsa: Option<PrivateKey>,
    /// SHA-256 of the DER SubjectPublicKeyInfo, lowercase hex (RSA keys).
    pub spki_sha256: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Algorithm {
    Rsa { bits: usize },
    Ec { curve: &'static str },
    Ed25519,
    Ed448,
    Dsa,
    Other(String),
}

impl std::fmt::Display for Algorithm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Algorithm::Rsa { bits } => write!(f, "RSA {bits}"),
            Algorithm::Ec { curve } => write!(f, "EC {curve}"),
            Algorithm::Ed25519 => f.write_str("Ed25519"),
            Algorithm::Ed448 => f.write_str("Ed448"),
            Algorithm::Dsa => f.write_str("DSA"),
            Algorithm::Other(oid) => write!(f, "algorithm {oid}"),
        }
    }
}

/// The result of examining a key input.
#[derive(Debug)]
pub struct KeyReport {
    /// The file path, or `SFJWT_KEY`/`stdin`.
    pub origin: String,
    pub state: KeyState,
    /// Damage that was found; when the state is `Parsed`, it was repaired in memory.
    pub damage: Vec<Damage>,
    /// The input was base64 of a PEM (how CI secrets are often stored) and was decoded.
    pub base64_wrapped: bool,
}

impl KeyReport {
    pub fn parsed(&self) -> Option<&ParsedKey> {
        match &self.state {
            KeyState::Parsed(key) => Some(key),
            _ => None,
        }
    }
}

/// Examines key bytes. `base64_expected` is true for `SFJWT_KEY`, where base64 of a PEM is normal.
pub fn examine(origin: String, bytes: &[u8], base64_expected: bool) -> KeyReport {
    let mut report = KeyReport { origin, state: KeyState::Empty, damage: Vec::new(), base64_wrapped: false };
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return report;
    }
    if looks_binary(bytes) {
        report.state = from_der(bytes, "DER");
        // DER starts with a SEQUENCE; any other bytes are not a key that lost its PEM form.
        if bytes.first() == Some(&0x30) || !matches!(report.state, KeyState::Unparseable(_)) {
            report.damage.push(Damage::Der);
        } else {
            report.state = KeyState::Unparseable("binary data: neither PEM text nor a DER-encoded key".into());
        }
        return report;
    }
    let mut text = crate::files::decode_text(bytes).trim().to_string();
    if let Some(inner) = strip_quotes(&text) {
        report.damage.push(Damage::Quoted);
        text = inner.trim().to_string();
    }
    if text.contains("\\n") {
        report.damage.push(Damage::LiteralNewlines);
        text = text.replace("\\r\\n", "\n").replace("\\n", "\n");
    }
    if !text.contains("-----BEGIN ") {
        match pem::decode_base64(&text) {
            // The PEM inside may itself be UTF-16 (base64 of a file PowerShell wrote).
            Some(decoded) if crate::files::decode_text(&decoded).contains("-----BEGIN ") => {
                if !base64_expected {
                    report.base64_wrapped = true;
                }
                let mut inner = examine(report.origin.clone(), &decoded, false);
                inner.base64_wrapped = !base64_expected;
                inner.damage.splice(0..0, report.damage);
                return inner;
            }
            Some(decoded) => {
                report.damage.push(Damage::MissingArmor);
                report.state = from_der(&decoded, "PKCS#8 (no armor)");
                return report;
            }
            None => {
                report.state =
                    KeyState::Unparseable("no PEM armor (`-----BEGIN … PRIVATE KEY-----`) and not base64".into());
                return report;
            }
        }
    }
    if is_one_line(&text) {
        report.damage.push(Damage::OneLine);
        text = rebuild_lines(&text);
    }
    report.state = from_pem(&text, &mut report.damage);
    report
}

fn from_pem(text: &str, damage: &mut Vec<Damage>) -> KeyState {
    let blocks = pem::blocks(text);
    let private = blocks.iter().find(|b| b.label.ends_with("PRIVATE KEY"));
    let Some(block) = private else {
        return match blocks.first().map(|b| b.label.as_str()) {
            Some("CERTIFICATE" | "X509 CERTIFICATE" | "TRUSTED CERTIFICATE") => {
                KeyState::NotPrivateKey("a certificate")
            }
            Some("PUBLIC KEY" | "RSA PUBLIC KEY") => KeyState::NotPrivateKey("a public key"),
            Some("CERTIFICATE REQUEST" | "NEW CERTIFICATE REQUEST") => {
                KeyState::NotPrivateKey("a certificate signing request (CSR)")
            }
            Some(other) => KeyState::Unparseable(format!("a PEM block labelled `{other}`, not a private key")),
            None => KeyState::Unparseable("the BEGIN line is malformed".into()),
        };
    };
    if block.label == "ENCRYPTED PRIVATE KEY" {
        return KeyState::Encrypted(Encryption::Pkcs8);
    }
    if block.headers.iter().any(|(name, value)| name == "Proc-Type" && value.contains("ENCRYPTED")) {
        return KeyState::Encrypted(Encryption::Traditional);
    }
    let der = match &block.der {
        Ok(der) => der,
        Err(pem::BodyError::NoEnd) => {
            damage.push(Damage::Truncated);
            return KeyState::Unparseable("the file ends before `-----END` (truncated)".into());
        }
        Err(pem::BodyError::BadBase64) if text.contains('\0') => {
            return KeyState::Unparseable(
                "the text holds NUL (zero) bytes, which a PEM file never has: it was corrupted on its way here".into(),
            );
        }
        Err(pem::BodyError::BadBase64) => {
            return KeyState::Unparseable("the text between the armor lines is not valid base64".into());
        }
    };
    match block.label.as_str() {
        "RSA PRIVATE KEY" => rsa_key(der, || PrivateKey::from_pkcs1_der(der), "PKCS#1"),
        "PRIVATE KEY" => from_pkcs8(der, "PKCS#8"),
        "EC PRIVATE KEY" => parsed_other(Algorithm::Ec { curve: "(SEC1)" }, "SEC1"),
        "DSA PRIVATE KEY" => parsed_other(Algorithm::Dsa, "traditional DSA"),
        "OPENSSH PRIVATE KEY" => KeyState::Unparseable(
            "an OpenSSH-format key; convert it with `ssh-keygen -p -m PKCS8 -f <file>` (on a copy)".into(),
        ),
        other => KeyState::Unparseable(format!("unsupported key block `{other}`")),
    }
}

fn from_der(der: &[u8], format: &'static str) -> KeyState {
    if PrivateKeyInfoRef::try_from(der).is_ok() {
        return from_pkcs8(der, if format == "DER" { "PKCS#8 DER" } else { format });
    }
    if RsaPrivateKeyRef::try_from(der).is_ok() {
        return rsa_key(der, || PrivateKey::from_pkcs1_der(der), "PKCS#1 DER");
    }
    if x509_parser::parse_x509_certificate(der).is_ok() {
        return KeyState::NotPrivateKey("a certificate (DER)");
    }
    KeyState::Unparseable("binary data that is neither a PKCS#8 nor a PKCS#1 key".into())
}

fn from_pkcs8(der: &[u8], format: &'static str) -> KeyState {
    let info = match PrivateKeyInfoRef::try_from(der) {
        Ok(info) => info,
        Err(e) => return KeyState::Unparseable(format!("the PKCS#8 structure is invalid ({e})")),
    };
    match info.algorithm.oid.to_string().as_str() {
        OID_RSA => rsa_key(info.private_key.as_bytes(), || PrivateKey::from_pkcs8_der(der), format),
        OID_EC => {
            let curve = match info.algorithm.parameters_oid().map(|o| o.to_string()).as_deref() {
                Ok("1.2.840.10045.3.1.7") => "P-256",
                Ok("1.3.132.0.34") => "P-384",
                Ok("1.3.132.0.35") => "P-521",
                _ => "(unknown curve)",
            };
            parsed_other(Algorithm::Ec { curve }, format)
        }
        OID_ED25519 => parsed_other(Algorithm::Ed25519, format),
        OID_ED448 => parsed_other(Algorithm::Ed448, format),
        OID_DSA => parsed_other(Algorithm::Dsa, format),
        other => parsed_other(Algorithm::Other(other.to_string()), format),
    }
}

/// Parses an RSA key with `parse` once its PKCS#1 structure (`pkcs1`, the body of a PKCS#1 key or
/// the inside of a PKCS#8 one) shows a modulus of a sane size.
fn rsa_key<E: std::fmt::Display>(
    pkcs1: &[u8],
    parse: impl FnOnce() -> Result<PrivateKey, E>,
    format: &'static str,
) -> KeyState {
    if let Ok(structure) = RsaPrivateKeyRef::try_from(pkcs1) {
        let modulus = structure.modulus.as_bytes();
        let bits = modulus.len() * 8 - modulus.first().map_or(0, |b| b.leading_zeros() as usize);
        if bits > MAX_RSA_BITS {
            return KeyState::Unparseable(format!(
                "an RSA key of {bits} bits, more than the {MAX_RSA_BITS} sfjwt reads \
                 (JWT bearer keys are usually 2048 or 4096 bits)"
            ));
        }
    }
    match parse() {
        Ok(key) => {
            let spki = key.to_public_key().to_public_key_der().ok().map(|der| sha256_hex(der.as_bytes()));
            KeyState::Parsed(Box::new(ParsedKey {
                format,
                algorithm: Algorithm::Rsa { bits: key.size() * 8 },
                rsa: Some(key),
                spki_sha256: spki,
            }))
        }
        Err(e) => KeyState::Unparseable(format!("the RSA key inside does not parse ({e})")),
    }
}

fn parsed_other(algorithm: Algorithm, format: &'static str) -> KeyState {
    KeyState::Parsed(Box::new(ParsedKey { format, algorithm, rsa: None, spki_sha256: None }))
}

fn looks_binary(bytes: &[u8]) -> bool {
    // PEM armor means text, even with stray NUL bytes in it (the PEM reader reports those).
    if bytes.windows(11).any(|window| window == b"-----BEGIN ") {
        return false;
    }
    let probe = &bytes[..bytes.len().min(512)];
    // DER starts with a SEQUENCE tag; text never holds NUL or most control bytes.
    (probe.first() == Some(&0x30) && probe.iter().any(|b| !b.is_ascii()))
        || probe.iter().any(|&b| b == 0 && !matches!(bytes, [0xFF, 0xFE, ..] | [0xFE, 0xFF, ..]))
}

fn strip_quotes(text: &str) -> Option<&str> {
    ['"', '\''].iter().find_map(|q| text.strip_prefix(*q)?.strip_suffix(*q))
}

/// True when BEGIN, the body and END share a line, as when a secret lost its newlines.
fn is_one_line(text: &str) -> bool {
    text.lines().any(|line| {
        let line = line.trim();
        line.starts_with("-----BEGIN ") && line.contains("-----END ")
    })
}

/// Puts back the line breaks a one-line PEM lost: around the armor and between body words.
fn rebuild_lines(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text.trim();
    while let Some(start) = rest.find("-----BEGIN ") {
        let Some(label_len) = rest[start + 11..].find("-----") else { break };
        let header_end = start + 11 + label_len + 5;
        let label = &rest[start + 11..start + 11 + label_len];
        let end_marker = format!("-----END {label}-----");
        let Some(end) = rest[header_end..].find(&end_marker) else { break };
        out.push_str(&rest[start..header_end]);
        out.push('\n');
        for word in rest[header_end..header_end + end].split_whitespace() {
            out.push_str(word);
            out.push('\n');
        }
        out.push_str(&end_marker);
        out.push('\n');
        rest = &rest[header_end + end + end_marker.len()..];
    }
    if out.is_empty() { text.to_string() } else { out }
}

#[cfg(test)]
mod tests {
    use base64::{Engine, engine::general_purpose::STANDARD};

    use super::*;

    /// A PKCS#1 `RSAPrivateKey` whose modulus is 2049 bytes of 0xFF (16392 bits) and whose other
    /// numbers are placeholders: the structure is all the size check reads.
    fn oversized_pkcs1() -> Vec<u8> {
        let mut body = vec![0x02, 0x01, 0x00]; // version 0
        body.extend([0x02, 0x82, 0x08, 0x02, 0x00]); // n: 2050 bytes, a 0x00 then 0xFF…
        body.extend([0xFF; 2049]);
        body.extend([0x02, 0x03, 0x01, 0x00, 0x01]); // e = 65537
        for _ in 0..6 {
            body.extend([0x02, 0x01, 0x03]); // d, p, q, dp, dq, qinv
        }
        let mut der = vec![0x30, 0x82, (body.len() >> 8) as u8, body.len() as u8];
        der.extend(body);
        der
    }

    fn pem(label: &str, der: &[u8]) -> Vec<u8> {
        format!("-----BEGIN {label}-----\n{}\n-----END {label}-----\n", STANDARD.encode(der)).into_bytes()
    }

    fn unparseable_reason(report: KeyReport) -> String {
        match report.state {
            KeyState::Unparseable(reason) => reason,
            other => panic!("{other:?}"),
        }
    }

    /// Regression (slow input found while fuzzing): rsa parses moduli of any size, in time that grows
    /// with the square of it; a 1 MB key file took a minute, and signing with it hours.
    #[test]
    fn oversized_rsa_keys_are_refused_before_parsing() {
        let pkcs1 = oversized_pkcs1();
        let mut pkcs8 = vec![0x02, 0x01, 0x00]; // version 0
        pkcs8.extend([0x30, 0x0D, 0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01, 0x05, 0x00]);
        pkcs8.extend([0x04, 0x82, (pkcs1.len() >> 8) as u8, pkcs1.len() as u8]);
        pkcs8.extend(&pkcs1);
        let mut pkcs8_der = vec![0x30, 0x82, (pkcs8.len() >> 8) as u8, pkcs8.len() as u8];
        pkcs8_der.extend(pkcs8);
        for input in [pkcs1.clone(), pem("RSA PRIVATE KEY", &pkcs1), pkcs8_der.clone(), pem("PRIVATE KEY", &pkcs8_der)]
        {
            let reason = unparseable_reason(examine(String::new(), &input, false));
            assert!(reason.contains("16392 bits"), "{reason}");
        }
    }

    #[test]
    fn rsa_keys_up_to_the_limit_still_parse() {
        let report = examine(String::new(), include_bytes!("../../fixtures/keys/rsa3072.pkcs8.pem"), false);
        assert_eq!(report.parsed().map(|k| &k.algorithm), Some(&Algorithm::Rsa { bits: 3072 }));
        let report = examine(String::new(), include_bytes!("../../fixtures/keys/rsa2048.pkcs1.pem"), false);
        assert_eq!(report.parsed().map(|k| &k.algorithm), Some(&Algorithm::Rsa { bits: 2048 }));
    }
}
