//! The private key against the certificate: their public halves must be the same key.

use crate::{
    cause_id::CauseId,
    evidence::{Evidence, key::KeyReport},
    finding::{Cause, Confidence, Outcome},
};

pub fn matches(ev: &Evidence) -> Outcome {
    let Some(cert) = ev.cert.as_ref().and_then(|c| c.parsed()) else {
        return Outcome::skip("no parsed certificate");
    };
    let Some(key) = ev.key.as_ref().and_then(KeyReport::parsed) else {
        return Outcome::skip(match &ev.key {
            Some(_) => "no usable private key to compare (the Private key line says why)",
            None => "no private key given: pass --jwt-key-file to pair it with the certificate",
        });
    };
    let Some(key_fingerprint) = &key.spki_sha256 else {
        return Outcome::skip("the key is not RSA (the Private key line says why)");
    };
    if !matches!(cert.public_key, crate::evidence::cert::CertKey::Rsa(_)) {
        return Outcome::skip("the certificate's key is not RSA (the Certificate line says why)");
    }
    let key_origin = ev.key.as_ref().map(|k| k.origin.clone()).unwrap_or_default();
    let cert_origin = ev.cert.as_ref().map(|c| c.origin.clone()).unwrap_or_default();
    if *key_fingerprint == cert.spki_sha256 {
        let mut outcome = Outcome::pass(format!("same public key (SPKI SHA-256 {})", short(key_fingerprint)));
        // Then a refused signature means the app holds another certificate than this one.
        outcome.causes.push(
            Cause::new(CauseId::PairKeyCertMismatch)
                .latent()
                .confidence(Confidence::Medium)
                .evidence(format!(
                    "the key matches {cert_origin}, so the certificate uploaded to the app is probably another one"
                ))
                .confirm(format!(
                    "download the app's certificate and compare its SPKI SHA-256 with the key's {key_fingerprint}"
                )),
        );
        return outcome;
    }
    Outcome::found(
        "the key and the certificate hold different public keys",
        vec![
            Cause::new(CauseId::PairKeyCertMismatch)
                .evidence(format!("key  {key_origin}: SPKI SHA-256 {}", short(key_fingerprint)))
                .evidence(format!("cert {cert_origin}: SPKI SHA-256 {} ({})", short(&cert.spki_sha256), cert.subject))
                .file_fixes(app_certificate_fixes(ev)),
        ],
    )
    .detail(format!("key SPKI SHA-256 {key_fingerprint}"))
    .detail(format!("certificate SPKI SHA-256 {}", cert.spki_sha256))
}

/// Without `--cert` the certificate compared is the app's own: then the fix is in the app.
fn app_certificate_fixes(ev: &Evidence) -> Vec<crate::fix::Fix> {
    match ev.apps.app() {
        Some(app) if ev.inputs.cert.is_none() && app.certificate_pem.is_some() => {
            crate::checks::app::paired_certificate_fixes(ev, app)
        }
        _ => Vec::new(),
    }
}

/// The first and last 8 hex digits: enough to tell two keys apart at a glance.
pub fn short(fingerprint: &str) -> String {
    if fingerprint.len() <= 20 {
        return fingerprint.to_string();
    }
    format!("{}…{}", &fingerprint[..8], &fingerprint[fingerprint.len() - 8..])
}
