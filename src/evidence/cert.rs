//! The certificate uploaded to the connected app: its public key, validity and type.

use ::time::OffsetDateTime;
use rsa::{PublicKey, pkcs8::DecodePublicKey, traits::PublicKeyParts};
use x509_parser::prelude::*;

use crate::{files::ReadError, pem, secret::sha256_hex};

#[derive(Debug)]
pub struct CertReport {
    /// Where it came from: a path, or the connected app's metadata.
    pub origin: String,
    pub state: CertState,
}

#[derive(Debug)]
pub enum CertState {
    Unreadable(ReadError),
    /// The file is not a certificate; says what it is instead.
    NotCertificate(NotCert),
    Parsed(ParsedCert),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotCert {
    Empty,
    PrivateKey,
    PublicKey,
    Other(String),
}

#[derive(Debug)]
pub struct ParsedCert {
    pub subject: String,
    pub issuer: String,
    pub not_before: OffsetDateTime,
    pub not_after: OffsetDateTime,
    pub public_key: CertKey,
    /// SHA-256 of the DER SubjectPublicKeyInfo, lowercase hex.
    pub spki_sha256: String,
    /// How many certificates the file holds (the first one is used).
    pub count: usize,
    pub der_encoded: bool,
    /// The first certificate's DER (public data): what `doctor --fix` puts into an app.
    pub der: Vec<u8>,
}

#[derive(Debug)]
pub enum CertKey {
    Rsa(PublicKey),
    Other(String),
}

impl CertKey {
    pub fn describe(&self) -> String {
        match self {
            CertKey::Rsa(key) => format!("RSA {}", key.size() * 8),
            CertKey::Other(name) => name.clone(),
        }
    }
}

impl CertReport {
    pub fn parsed(&self) -> Option<&ParsedCert> {
        match &self.state {
            CertState::Parsed(cert) => Some(cert),
            _ => None,
        }
    }
}

/// Reads a certificate from PEM (one or more blocks) or DER bytes.
pub fn examine(origin: String, bytes: &[u8]) -> CertReport {
    CertReport { origin, state: parse(bytes) }
}

fn parse(bytes: &[u8]) -> CertState {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return CertState::NotCertificate(NotCert::Empty);
    }
    if bytes.first() == Some(&0x30) {
        return match parse_der(bytes, 1, true) {
            Some(cert) => CertState::Parsed(cert),
            None => CertState::NotCertificate(NotCert::Other("binary data that is not a DER certificate".into())),
        };
    }
    let text = crate::files::decode_text(bytes).replace("\\n", "\n");
    let blocks = pem::blocks(&text);
    let certs: Vec<&pem::Block> =
        blocks.iter().filter(|b| b.label.ends_with("CERTIFICATE") && !b.label.contains("REQUEST")).collect();
    if let Some(first) = certs.first() {
        return match &first.der {
            Ok(der) => parse_der(der, certs.len(), false).map_or_else(
                || {
                    CertState::NotCertificate(NotCert::Other(
                        "a CERTIFICATE block that is not a valid X.509 certificate".into(),
                    ))
                },
                CertState::Parsed,
            ),
            Err(_) => CertState::NotCertificate(NotCert::Other(
                "a CERTIFICATE block that is cut short or not valid base64".into(),
            )),
        };
    }
    CertState::NotCertificate(match blocks.first().map(|b| b.label.as_str()) {
        Some(label) if label.ends_with("PRIVATE KEY") => NotCert::PrivateKey,
        Some("PUBLIC KEY" | "RSA PUBLIC KEY") => NotCert::PublicKey,
        Some(label) => NotCert::Other(format!("a PEM block labelled `{label}`")),
        None => NotCert::Other("no `-----BEGIN CERTIFICATE-----` block".into()),
    })
}

fn parse_der(der: &[u8], count: usize, der_encoded: bool) -> Option<ParsedCert> {
    let (_, cert) = X509Certificate::from_der(der).ok()?;
    let spki = cert.public_key().raw;
    let public_key = match PublicKey::from_public_key_der(spki) {
        Ok(key) => CertKey::Rsa(key),
        Err(_) => CertKey::Other(match cert.public_key().parsed() {
            Ok(x509_parser::public_key::PublicKey::EC(_)) => "EC".to_string(),
            Ok(x509_parser::public_key::PublicKey::RSA(_)) => "RSA (unsupported size)".to_string(),
            _ => format!("algorithm {}", cert.public_key().algorithm.algorithm),
        }),
    };
    Some(ParsedCert {
        subject: cert.subject().to_string(),
        issuer: cert.issuer().to_string(),
        not_before: cert.validity().not_before.to_datetime(),
        not_after: cert.validity().not_after.to_datetime(),
        public_key,
        spki_sha256: sha256_hex(spki),
        count,
        der_encoded,
        der: der.to_vec(),
    })
}
