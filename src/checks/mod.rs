//! The check functions of the registry, one module per group. Each is a pure function of the
//! evidence that returns an `Outcome`; none prints.

pub mod answer;
pub mod app;
pub mod assertion;
pub mod cert;
pub mod claims;
pub mod endpoint;
pub mod host;
pub mod key;
pub mod org;
pub mod pair;
pub mod saml;
pub mod sfcli;

/// "3 days", "2 hours", "45 seconds": the largest unit that fits.
pub fn duration(seconds: i64) -> String {
    let seconds = seconds.unsigned_abs();
    let (value, unit) = match seconds {
        s if s >= 2 * 86_400 => (s / 86_400, "day"),
        s if s >= 2 * 3_600 => (s / 3_600, "hour"),
        s if s >= 2 * 60 => (s / 60, "minute"),
        s => (s, "second"),
    };
    format!("{value} {unit}{}", if value == 1 { "" } else { "s" })
}

/// `2026-11-22 21:40:42 UTC`
/// The day only, for one-line summaries: `2027-06-01`.
pub fn day(when: time::OffsetDateTime) -> String {
    format_date(when).split(' ').next().unwrap_or_default().to_string()
}

pub fn date(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix).map_or_else(|_| format!("{unix} (out of range)"), format_date)
}

/// `2026-11-22 21:40:42 UTC`
pub fn format_date(when: time::OffsetDateTime) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second] UTC");
    when.to_offset(time::UtcOffset::UTC).format(&format).unwrap_or_else(|_| when.unix_timestamp().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_naturally() {
        assert_eq!(duration(1), "1 second");
        assert_eq!(duration(-3 * 86_400 - 5), "3 days");
        assert_eq!(duration(90), "90 seconds");
        assert_eq!(duration(3 * 3_600), "3 hours");
        assert_eq!(date(0), "1970-01-01 00:00:00 UTC");
    }
}

/// Each check on its own, over evidence built from fixtures: the statuses and causes it reports.
#[cfg(test)]
mod check_tests {
    use crate::cause_id::CauseId;
    use crate::{
        evidence::Evidence,
        finding::{Outcome, Status},
        testing::evidence,
    };

    const CID: &str = "3MVG9EXAMPLE0nly.TestKey_ForSfjwtDocs0000000000000000000000000000000000000000000";

    /// The causes found, without the latent ones.
    fn ids(outcome: &Outcome) -> Vec<CauseId> {
        outcome.causes.iter().filter(|c| !c.latent).map(|c| c.id).collect()
    }

    fn healthy(extra: &[&str]) -> Evidence {
        let mut args = vec!["--client-id", CID, "--username", "ci@example.com"];
        args.extend_from_slice(&[
            "--jwt-key-file",
            "fixtures/keys/rsa2048.pkcs8.pem",
            "--cert",
            "fixtures/certs/rsa2048.crt",
        ]);
        args.extend_from_slice(extra);
        evidence(&args)
    }

    #[test]
    fn key_checks() {
        assert_eq!(super::key::file(&evidence(&[])).status, Status::Skip);
        let missing = evidence(&["--jwt-key-file", "fixtures/keys/nope.pem"]);
        assert_eq!(ids(&super::key::file(&missing)), [CauseId::KeyUnreadable]);
        assert_eq!(super::key::file(&healthy(&[])).status, Status::Pass);
        let one_line = evidence(&["--jwt-key-file", "fixtures/keys/mangled/one-line.pem"]);
        let format = super::key::format(&one_line);
        assert_eq!(ids(&format), [CauseId::KeyMangled]);
        assert!(
            format.causes[0].evidence.iter().any(|e| e.contains("repaired in memory, it is a PKCS#8 RSA 2048 key"))
        );
        // A repaired key still feeds the algorithm check.
        assert_eq!(super::key::algorithm(&one_line).status, Status::Pass);
        let ec = evidence(&["--jwt-key-file", "fixtures/keys/ec-p256.pkcs8.pem"]);
        assert_eq!(ids(&super::key::algorithm(&ec)), [CauseId::KeyNotRsa]);
        assert!(super::key::algorithm(&ec).summary.contains("EC P-256"));
    }

    /// Checks read where sfjwt runs from the evidence, never from the process: the same
    /// evidence gives the same findings anywhere.
    #[test]
    fn surroundings_come_from_the_evidence() {
        use crate::{
            evidence::ProbeEvidence,
            inputs::RunContext,
            probe::{Attempt, Outcome as Answered, Probe},
        };
        let mut missing = evidence(&["--jwt-key-file", "fixtures/keys/nope.pem"]);
        let proxy = Some(("HTTPS_PROXY", "http://***@proxy.example:3128".to_string()));
        missing.inputs.context = RunContext { working_dir: Some("/builds/acme".into()), ci: true, proxy };
        let evidence_of = |outcome: Outcome| outcome.causes.into_iter().flat_map(|c| c.evidence).collect::<Vec<_>>();
        let said = evidence_of(super::key::file(&missing));
        assert!(said.contains(&"working directory: /builds/acme".to_string()), "{said:?}");
        assert!(said.iter().any(|e| e.starts_with("CI is set")), "{said:?}");

        let attempt = Attempt {
            login: "https://login.salesforce.com".into(),
            audience: "https://login.salesforce.com".into(),
            token_url: "https://login.salesforce.com/services/oauth2/token".into(),
            outcome: Answered::Network { failure: "connection refused".into(), tls: false },
            elapsed_ms: 0,
            transcript: Default::default(),
        };
        missing.probe = ProbeEvidence::Done(Probe { attempts: vec![attempt], clock: None });
        let said = evidence_of(super::endpoint::reach(&missing));
        assert!(
            said.iter()
                .any(|e| e == "HTTPS_PROXY is set (http://***@proxy.example:3128); check the proxy and NO_PROXY")
        );

        missing.inputs.context = RunContext::default();
        assert!(!evidence_of(super::key::file(&missing)).iter().any(|e| e.starts_with("CI is set")));
        assert!(evidence_of(super::endpoint::reach(&missing)).iter().any(|e| e.starts_with("no HTTPS_PROXY is set")));
    }

    #[test]
    fn cert_checks() {
        assert_eq!(super::cert::file(&evidence(&[])).status, Status::Skip);
        assert_eq!(super::cert::validity(&healthy(&[])).status, Status::Pass);
        let expired = healthy(&["--cert", "fixtures/certs/expired.crt"]);
        let outcome = super::cert::validity(&expired);
        assert_eq!((outcome.status, ids(&outcome)), (Status::Warn, vec![CauseId::CertExpired]));
        assert!(outcome.summary.starts_with("expired 2191 days ago"), "{}", outcome.summary);
        let key_as_cert = healthy(&["--cert", "fixtures/keys/rsa2048.pkcs8.pem"]);
        let outcome = super::cert::file(&key_as_cert);
        assert!(outcome.causes[0].evidence.iter().any(|e| e.contains("never upload a private key")));
    }

    #[test]
    fn pair_check() {
        assert_eq!(super::pair::matches(&healthy(&[])).status, Status::Pass);
        let other = healthy(&["--cert", "fixtures/certs/rsa2048-other.crt"]);
        let outcome = super::pair::matches(&other);
        assert_eq!(ids(&outcome), [CauseId::PairKeyCertMismatch]);
        assert_eq!(outcome.causes[0].evidence.iter().filter(|e| e.contains("SPKI SHA-256")).count(), 2);
        let no_key = evidence(&["--cert", "fixtures/certs/rsa2048.crt"]);
        assert_eq!(super::pair::matches(&no_key).status, Status::Skip);
    }

    #[test]
    fn assertion_checks() {
        let built = healthy(&[]);
        assert_eq!(super::assertion::structure(&built).status, Status::Pass);
        assert_eq!(super::assertion::signature(&built).status, Status::Pass);
        let given = |jwt: &str| healthy(&["--assertion", &format!("@fixtures/assertions/{jwt}.jwt")]);
        assert_eq!(super::assertion::signature(&given("healthy")).status, Status::Pass);
        assert_eq!(ids(&super::assertion::signature(&given("other-key"))), [CauseId::AssertionSignatureInvalid]);
        assert_eq!(ids(&super::assertion::algorithm(&given("hs256"))), [CauseId::AssertionAlgNotRs256]);
        assert_eq!(ids(&super::assertion::structure(&given("two-segments"))), [CauseId::AssertionMalformed]);
        let nothing = evidence(&[]);
        assert_eq!(super::assertion::structure(&nothing).status, Status::Skip);
    }

    #[test]
    fn claims_checks() {
        let given = |jwt: &str| healthy(&["--assertion", &format!("@fixtures/assertions/{jwt}.jwt")]);
        assert_eq!(super::claims::issuer(&given("healthy")).status, Status::Pass);
        assert_eq!(ids(&super::claims::issuer(&given("iss-other-app"))), [CauseId::ClaimsIssMismatch]);
        assert_eq!(ids(&super::claims::subject(&given("aud-sub-swapped"))), [CauseId::ClaimsAudSubSwapped]);
        assert_eq!(ids(&super::claims::audience(&given("aud-my-domain"))), [CauseId::ClaimsAudMyDomain]);
        assert_eq!(ids(&super::claims::expiry(&given("expired"))), [CauseId::ClaimsExpExpired]);
        assert_eq!(ids(&super::claims::expiry(&given("timezone-shift"))), [CauseId::ClaimsExpTimezoneShift]);
        let milliseconds = super::claims::expiry(&given("milliseconds"));
        assert_eq!((milliseconds.status, ids(&milliseconds)), (Status::Pass, vec![CauseId::ClaimsExpMilliseconds]));
        assert_eq!(super::claims::expiry(&given("aged-capture")).status, Status::Pass);
        let built_sandbox =
            healthy(&["--instance-url", "https://test.salesforce.com", "--username", "ci@acme.com.uat"]);
        assert_eq!(super::claims::audience(&built_sandbox).summary, "aud https://test.salesforce.com");
    }

    #[test]
    fn host_checks() {
        let host = |url: &str| healthy(&["--instance-url", url]);
        assert_eq!(super::host::url(&host("https://login.salesforce.com")).status, Status::Pass);
        assert_eq!(ids(&super::host::url(&host("https://acme.lightning.force.com"))), [CauseId::HostLightningDomain]);
        assert_eq!(ids(&super::host::url(&host("http://acme.my.salesforce.com"))), [CauseId::HostInsecure]);
        assert_eq!(super::host::url(&host("http://127.0.0.1:8080")).status, Status::Pass);
        let sandbox_user = healthy(&["--username", "ci@acme.com.uat"]);
        assert_eq!(ids(&super::host::environment(&sandbox_user)), [CauseId::HostEnvironmentMismatch]);
        let created_in_sandbox = healthy(&["--instance-url", "https://test.salesforce.com"]);
        let outcome = super::host::environment(&created_in_sandbox);
        assert_eq!(outcome.status, Status::Warn, "a user created in the sandbox has no suffix: only a warning");
    }
}
