//! The JWT as a whole: its structure, its header's algorithm and its signature.

use serde_json::Value;

use crate::cause_id::CauseId;
use crate::{
    evidence::{AssertionEvidence, Evidence, cert::CertKey},
    finding::{Cause, Outcome},
};

/// The JWT checks have nothing to read in a SAML assertion (the engine does not run them then).
const SAML: &str = "the assertion is SAML, not a JWT (see the SAML checks)";

pub fn structure(ev: &Evidence) -> Outcome {
    match &ev.assertion {
        AssertionEvidence::Missing(reason) => Outcome::skip(reason.clone()),
        AssertionEvidence::Saml { .. } => Outcome::skip(SAML),
        AssertionEvidence::Built { claims, audience_source, signed } => {
            let built = "built as `sf org login jwt` would send it";
            Outcome::pass(if signed.is_some() {
                built.to_string()
            } else {
                format!("{built}, unsigned (no usable key)")
            })
            .detail(r#"header: {"alg":"RS256","typ":"JWT"}"#)
            .detail(format!(
                "aud {} ({audience_source}), exp now + {} s (seconds, not the CLI's milliseconds)",
                claims.aud,
                claims.exp - claims.iat
            ))
        }
        AssertionEvidence::Given { origin, decoded, .. } => {
            let mut causes = Vec::new();
            if !decoded.problems.is_empty() {
                let mut cause = Cause::new(CauseId::AssertionMalformed);
                for problem in &decoded.problems {
                    cause = cause.evidence(format!("--assertion ({origin}): {}", problem.describe()));
                }
                causes.push(cause);
            }
            if decoded.standard_base64 {
                causes.push(Cause::new(CauseId::AssertionNotBase64url).evidence(
                    "the segments contain `+`, `/` or `=` padding: standard base64, not base64url without padding",
                ));
            }
            if causes.is_empty() {
                match ev
                    .assertion
                    .described()
                    .filter(|_| matches!(&ev.assertion, AssertionEvidence::Given { sent: Some(_), .. }))
                {
                    Some(which) => Outcome::pass(format!("{which}: a compact JWS with 3 base64url segments")),
                    None => Outcome::pass(format!("a compact JWS with 3 base64url segments ({origin})")),
                }
            } else {
                Outcome::found("the assertion is not a well-formed JWS", causes)
            }
        }
    }
}

pub fn algorithm(ev: &Evidence) -> Outcome {
    let decoded = match &ev.assertion {
        AssertionEvidence::Given { decoded, .. } => decoded,
        AssertionEvidence::Built { .. } => return Outcome::pass("RS256"),
        AssertionEvidence::Saml { .. } => return Outcome::skip(SAML),
        AssertionEvidence::Missing(reason) => return Outcome::skip(reason.clone()),
    };
    let Some(header) = &decoded.header else {
        return Outcome::skip("the header could not be decoded");
    };
    match header.get("alg") {
        Some(Value::String(alg)) if alg == "RS256" => Outcome::pass("alg RS256"),
        other => {
            let shown = other.map_or("missing".to_string(), Value::to_string);
            let mut cause = Cause::new(CauseId::AssertionAlgNotRs256)
                .evidence(format!("header alg is {shown}; Salesforce documents RS256 only"));
            if matches!(other, Some(Value::String(a)) if a.starts_with("HS")) {
                cause = cause.evidence(
                    "HS* signs with a shared secret (often the consumer secret); the bearer flow needs the private key",
                );
            }
            Outcome::found(format!("alg {shown}"), vec![cause])
        }
    }
}

pub fn signature(ev: &Evidence) -> Outcome {
    let decoded = match &ev.assertion {
        AssertionEvidence::Given { decoded, .. } => decoded,
        AssertionEvidence::Built { signed: Some(_), .. } => {
            return Outcome::pass("signed with the private key");
        }
        AssertionEvidence::Built { signed: None, .. } => {
            return Outcome::skip("no usable RSA private key to sign with (the Private key line says why)");
        }
        AssertionEvidence::Saml { .. } => return Outcome::skip(SAML),
        AssertionEvidence::Missing(reason) => return Outcome::skip(reason.clone()),
    };
    let key = ev
        .key
        .as_ref()
        .and_then(|k| k.parsed())
        .and_then(|k| k.rsa.as_ref())
        .map(|k| (k.to_public_key(), ev.key.as_ref().map(|k| k.origin.clone()).unwrap_or_default()));
    let cert = ev.cert.as_ref().and_then(|c| c.parsed()).and_then(|c| match &c.public_key {
        CertKey::Rsa(public) => Some((public.clone(), ev.cert.as_ref().map(|c| c.origin.clone()).unwrap_or_default())),
        CertKey::Other(_) => None,
    });
    let verifiers: Vec<_> = [key.map(|k| ("key", k)), cert.map(|c| ("certificate", c))].into_iter().flatten().collect();
    if verifiers.is_empty() {
        return Outcome::skip("give --jwt-key-file or --cert to verify the signature");
    }
    let mut failed = Vec::new();
    for (what, (public, origin)) in &verifiers {
        match decoded.verify(public) {
            Some(true) => return Outcome::pass(format!("verifies with the {what} {origin}")),
            Some(false) => failed.push(format!("does not verify with the {what} {origin}")),
            None => return Outcome::skip("the assertion has no decodable signature"),
        }
    }
    let mut cause = Cause::new(CauseId::AssertionSignatureInvalid);
    for line in failed {
        cause = cause.evidence(line);
    }
    Outcome::found("the signature does not verify", vec![cause])
}
