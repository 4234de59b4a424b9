//! The certificate uploaded to the connected app: a readable X.509 certificate, in its validity
//! period, holding an RSA key.

use time::{Duration, OffsetDateTime};

use super::{day, duration, format_date as date};
use crate::cause_id::CauseId;
use crate::{
    evidence::{
        Evidence,
        cert::{CertKey, CertReport, CertState, NotCert},
    },
    finding::{Cause, Outcome},
};

/// Salesforce keeps accepting an expired certificate, so expiry is a warning; this is how early it warns.
const EXPIRING_SOON: Duration = Duration::days(30);

pub fn file(ev: &Evidence) -> Outcome {
    let Some(cert) = &ev.cert else {
        return Outcome::skip("no certificate given: pass --cert to check it and pair it with the key");
    };
    let cause = |id| Cause::new(id);
    match &cert.state {
        CertState::Unreadable(e) => Outcome::found(
            format!("cannot read {}", cert.origin),
            vec![cause(CauseId::CertUnreadable).evidence(format!("{}: {e}", cert.origin))],
        ),
        CertState::NotCertificate(NotCert::PrivateKey) => Outcome::found(
            format!("{} is a PRIVATE KEY, not a certificate", cert.origin),
            vec![cause(CauseId::CertNotCertificate).evidence(format!("{} holds a private key", cert.origin)).evidence(
                "never upload a private key to Salesforce or anywhere else: upload the certificate made from it",
            )],
        ),
        CertState::NotCertificate(what) => {
            let what = match what {
                NotCert::Empty => "nothing (the file is empty)".to_string(),
                NotCert::PublicKey => "a bare public key (upload needs the certificate)".to_string(),
                NotCert::Other(text) => text.clone(),
                NotCert::PrivateKey => unreachable!("handled above"),
            };
            Outcome::found(
                format!("{} is not a certificate", cert.origin),
                vec![cause(CauseId::CertNotCertificate).evidence(format!("{} holds {what}", cert.origin))],
            )
        }
        CertState::Parsed(parsed) => {
            let mut outcome = Outcome::pass(format!("{} ({})", parsed.subject, parsed.public_key.describe()))
                .detail(format!("issuer: {}", parsed.issuer))
                .detail(format!("SPKI SHA-256: {}", parsed.spki_sha256));
            if parsed.count > 1 {
                outcome =
                    outcome.detail(format!("the file holds {} certificates; the first one is used", parsed.count));
            }
            if parsed.der_encoded {
                outcome = outcome.detail("DER-encoded: Salesforce takes it, and so does sfjwt");
            }
            outcome
        }
    }
}

pub fn validity(ev: &Evidence) -> Outcome {
    let Some(cert) = ev.cert.as_ref().and_then(CertReport::parsed) else {
        return Outcome::skip("no parsed certificate");
    };
    let now = OffsetDateTime::from_unix_timestamp(ev.inputs.now).unwrap_or(OffsetDateTime::UNIX_EPOCH);
    let between = |earlier: OffsetDateTime, later: OffsetDateTime| duration((later - earlier).whole_seconds());
    let cause = |id| Cause::new(id);
    if cert.not_before > now {
        return Outcome::found(
            format!("not valid until {}", date(cert.not_before)),
            vec![cause(CauseId::CertNotYetValid).evidence(format!(
                "notBefore is {} ({} from now)",
                date(cert.not_before),
                between(now, cert.not_before)
            ))],
        );
    }
    if cert.not_after < now {
        return Outcome::found(
            format!("expired {} ago", between(cert.not_after, now)),
            vec![cause(CauseId::CertExpired).evidence(format!(
                "notAfter was {}: expired {} ago",
                date(cert.not_after),
                between(cert.not_after, now)
            ))],
        );
    }
    if cert.not_after - now < EXPIRING_SOON {
        return Outcome::found(
            format!("expires in {}", between(now, cert.not_after)),
            vec![cause(CauseId::CertExpiringSoon).evidence(format!(
                "notAfter is {}: expires in {}",
                date(cert.not_after),
                between(now, cert.not_after)
            ))],
        );
    }
    Outcome::pass(format!("valid until {} ({} left)", day(cert.not_after), between(now, cert.not_after)))
        .detail(format!("notAfter {}", date(cert.not_after)))
}

pub fn algorithm(ev: &Evidence) -> Outcome {
    let Some(cert) = ev.cert.as_ref().and_then(CertReport::parsed) else {
        return Outcome::skip("no parsed certificate");
    };
    match &cert.public_key {
        CertKey::Rsa(_) => Outcome::pass(cert.public_key.describe()),
        CertKey::Other(name) => Outcome::found(
            format!("{name} public key, not RSA"),
            vec![
                Cause::new(CauseId::CertNotRsa)
                    .evidence(format!("the certificate's public key is {name}; RS256 signatures need RSA")),
            ],
        ),
    }
}
