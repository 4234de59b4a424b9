//! The key pair `sfjwt setup` writes: an RSA private key (PKCS#8 PEM) and a self-signed X.509
//! certificate for it, both made in process.
//!
//! Why these crates: the rsa crate (already used to sign assertions) generates the key; rcgen
//! builds the certificate. rcgen's `SigningKey` trait lets it sign with a key it did not make, so
//! it runs with its default features off and brings no crypto backend of its own (only `yasna`
//! for DER); RustCrypto's x509-cert would add x509-cert, its builder and their `der`/`spki`
//! versions for the same certificate. The certificate is what the DX guide's openssl recipe makes
//! (`openssl req -new -x509 -key server.key`): a self-signed RSA/SHA-256 certificate, which
//! Salesforce accepts for the JWT bearer flow ("self-signed is OK", sf_facts §1.5).

use rcgen::{
    CertificateParams, DistinguishedName, DnType, IsCa, KeyIdMethod, KeyUsagePurpose, PKCS_RSA_SHA256, PublicKeyData,
    SignatureAlgorithm, SigningKey,
};
use rsa::{
    Pkcs1v15Sign, PrivateKey,
    pkcs1::EncodeRsaPublicKey,
    pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding},
};
use sha2::{Digest, Sha256};

use crate::secret::{Secret, sha256_hex};

/// RSA sizes `sfjwt setup` offers: the sf CLI needs at least 2048 bits (jsonwebtoken's RS256
/// minimum, sf_facts §6.6); 4096 on request.
pub const KEY_SIZES: [usize; 2] = [2048, 4096];

/// A new private key: PKCS#8 PEM text (armor label `PRIVATE KEY`), which the sf CLI reads.
pub struct NewKey {
    pub rsa: PrivateKey,
    pub pem: Secret<String>,
}

/// Generates an RSA key of `bits` from the operating system's random source.
pub fn generate_key(bits: usize) -> Result<NewKey, String> {
    if !KEY_SIZES.contains(&bits) {
        return Err(format!("{bits} bits is not offered: choose 2048 or 4096"));
    }
    let rsa = PrivateKey::new(&mut getrandom::SysRng, bits).map_err(|e| format!("cannot generate the key: {e}"))?;
    let pem = pkcs8_pem(&rsa)?;
    Ok(NewKey { rsa, pem })
}

/// PKCS#8 PEM of an RSA key, LF line endings as openssl writes on Unix.
pub fn pkcs8_pem(rsa: &PrivateKey) -> Result<Secret<String>, String> {
    let pem = rsa.to_pkcs8_pem(LineEnding::LF).map_err(|e| format!("cannot encode the key: {e}"))?;
    Ok(Secret::new(pem.to_string()))
}

/// What the certificate says about itself.
pub struct CertificateRequest<'a> {
    /// Subject and issuer common name.
    pub common_name: &'a str,
    /// Unix seconds.
    pub not_before: i64,
    pub valid_days: u32,
}

/// A self-signed certificate for `key`, PEM-armoured.
///
/// Deterministic for a given key and request (the serial number is derived from both), so the
/// same inputs give the same file and `doctor --fix` can build one inside a pure check.
pub fn self_signed(key: &PrivateKey, request: &CertificateRequest) -> Result<String, String> {
    let signer = RsaSigner::new(key)?;
    let not_before = time::OffsetDateTime::from_unix_timestamp(request.not_before)
        .map_err(|e| format!("the start date is out of range: {e}"))?;
    let not_after = not_before + time::Duration::days(i64::from(request.valid_days));
    let mut params = CertificateParams::default();
    params.not_before = not_before;
    params.not_after = not_after;
    let mut name = DistinguishedName::new();
    name.push(DnType::CommonName, request.common_name);
    params.distinguished_name = name;
    params.is_ca = IsCa::ExplicitNoCa;
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    // RFC 7093 method 1 (the first 160 bits of the SHA-256 of the public key), given explicitly:
    // rcgen computes it only with its crypto backend, which is off.
    let key_id = Sha256::digest(signer.der_bytes())[..20].to_vec();
    params.key_identifier_method = KeyIdMethod::PreSpecified(key_id);
    let serial_seed = format!(
        "{}:{}:{}:{}",
        sha256_hex(signer.der_bytes()),
        request.common_name,
        request.not_before,
        request.valid_days
    );
    let mut serial = Sha256::digest(serial_seed.as_bytes())[..16].to_vec();
    serial[0] &= 0x7f; // a positive INTEGER (RFC 5280 §4.1.2.2)
    params.serial_number = Some(serial.into());
    let certificate = params.self_signed(&signer).map_err(|e| format!("cannot build the certificate: {e}"))?;
    Ok(crate::setup::pem_armour("CERTIFICATE", certificate.der()))
}

/// The SHA-256 of the DER SubjectPublicKeyInfo of `key`, as the checks print it.
pub fn spki_sha256(key: &PrivateKey) -> Option<String> {
    key.to_public_key().to_public_key_der().ok().map(|der| sha256_hex(der.as_bytes()))
}

/// rcgen's view of an rsa key: the public key it writes into the certificate, and PKCS#1 v1.5
/// SHA-256 signatures over what it asks to sign.
struct RsaSigner<'a> {
    key: &'a PrivateKey,
    /// PKCS#1 `RSAPublicKey` DER: the subjectPublicKey of the certificate.
    public_der: Vec<u8>,
}

impl<'a> RsaSigner<'a> {
    fn new(key: &'a PrivateKey) -> Result<Self, String> {
        let public_der = key
            .to_public_key()
            .to_pkcs1_der()
            .map_err(|e| format!("cannot encode the public key: {e}"))?
            .as_bytes()
            .to_vec();
        Ok(RsaSigner { key, public_der })
    }
}

impl PublicKeyData for RsaSigner<'_> {
    fn der_bytes(&self) -> &[u8] {
        &self.public_der
    }

    fn algorithm(&self) -> &'static SignatureAlgorithm {
        &PKCS_RSA_SHA256
    }
}

impl SigningKey for RsaSigner<'_> {
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, rcgen::Error> {
        let digest = Sha256::digest(message);
        self.key.sign(Pkcs1v15Sign::new::<Sha256>(), &digest).map_err(|_| rcgen::Error::RemoteKeyError)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::{cert, key};

    fn fixture_key() -> PrivateKey {
        use rsa::pkcs8::DecodePrivateKey;
        PrivateKey::from_pkcs8_pem(include_str!("../../fixtures/keys/rsa2048.pkcs8.pem")).unwrap()
    }

    #[test]
    fn the_certificate_pairs_with_the_key_and_parses_as_the_doctor_reads_it() {
        let key = fixture_key();
        let request = CertificateRequest { common_name: "sfjwt", not_before: 1_798_761_600, valid_days: 730 };
        let pem = self_signed(&key, &request).unwrap();
        let report = cert::examine("new".into(), pem.as_bytes());
        let parsed = report.parsed().expect("the certificate parses");
        assert_eq!(Some(parsed.spki_sha256.clone()), spki_sha256(&key));
        assert_eq!((parsed.not_after - parsed.not_before).whole_days(), 730);
        assert!(parsed.subject.contains("sfjwt"), "{}", parsed.subject);
        // Same inputs, same bytes: a fix built inside a check is reproducible.
        assert_eq!(pem, self_signed(&key, &request).unwrap());
    }

    #[test]
    fn a_generated_key_is_pkcs8_rsa_of_the_size_asked() {
        let new = generate_key(2048).unwrap();
        let report = key::examine("new".into(), new.pem.expose().as_bytes(), false);
        let parsed = report.parsed().expect("the key parses");
        assert_eq!(parsed.format, "PKCS#8");
        assert_eq!(parsed.algorithm, key::Algorithm::Rsa { bits: 2048 });
        assert!(report.damage.is_empty());
        assert!(generate_key(1024).is_err());
    }
}
