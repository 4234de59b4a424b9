//! The ordered check registry: one static list drives running, `sfjwt checks`, `sfjwt explain`
//! and the docs. Order matters: fundamentals (the key) before what depends on them (the claims).

use serde::Serialize;

use crate::{checks, evidence::Evidence, finding::Outcome};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Group {
    Key,
    Certificate,
    Pairing,
    Assertion,
    Claims,
    Host,
    Endpoint,
    Login,
}

impl Group {
    pub fn title(self) -> &'static str {
        match self {
            Group::Key => "Private key",
            Group::Certificate => "Certificate",
            Group::Pairing => "Key and certificate",
            Group::Assertion => "Assertion",
            Group::Claims => "Claims",
            Group::Host => "Login host",
            Group::Endpoint => "Token endpoint",
            Group::Login => "Login",
        }
    }
}

pub struct Check {
    /// Stable id, `group.name`; distinct from every cause id.
    pub id: &'static str,
    pub group: Group,
    pub title: &'static str,
    /// What the check looks at, and which input enables it.
    pub reads: &'static str,
    /// Checks that must pass (or warn) first; otherwise this one is skipped.
    pub needs: &'static [&'static str],
    /// Every cause id the check can report.
    pub emits: &'static [&'static str],
    pub run: fn(&Evidence) -> Outcome,
}

pub static CHECKS: &[Check] = &[
    Check {
        id: "key.file",
        group: Group::Key,
        title: "Key file is readable and not empty",
        reads: "--jwt-key-file, SFJWT_KEY_FILE or SFJWT_KEY",
        needs: &[],
        emits: &["key.unreadable", "key.empty"],
        run: checks::key::file,
    },
    Check {
        id: "key.format",
        group: Group::Key,
        title: "Key is an unencrypted PEM private key",
        reads: "the key's contents",
        needs: &["key.file"],
        emits: &["key.mangled", "key.der-format", "key.not-private-key", "key.encrypted", "key.unparseable"],
        run: checks::key::format,
    },
    Check {
        id: "key.algorithm",
        group: Group::Key,
        title: "Key is RSA of at least 2048 bits",
        reads: "the parsed key",
        needs: &["key.file"],
        emits: &["key.not-rsa", "key.too-small"],
        run: checks::key::algorithm,
    },
    Check {
        id: "cert.file",
        group: Group::Certificate,
        title: "Certificate is a readable X.509 certificate",
        reads: "--cert",
        needs: &[],
        emits: &["cert.unreadable", "cert.not-certificate"],
        run: checks::cert::file,
    },
    Check {
        id: "cert.validity",
        group: Group::Certificate,
        title: "Certificate is within its validity period",
        reads: "the certificate's notBefore and notAfter",
        needs: &["cert.file"],
        emits: &["cert.expired", "cert.expiring-soon", "cert.not-yet-valid"],
        run: checks::cert::validity,
    },
    Check {
        id: "cert.algorithm",
        group: Group::Certificate,
        title: "Certificate holds an RSA public key",
        reads: "the certificate's public key",
        needs: &["cert.file"],
        emits: &["cert.not-rsa"],
        run: checks::cert::algorithm,
    },
    Check {
        id: "pair.match",
        group: Group::Pairing,
        title: "Private key matches the certificate",
        reads: "the key and the certificate (SPKI SHA-256)",
        needs: &["cert.file"],
        emits: &["pair.key-cert-mismatch"],
        run: checks::pair::matches,
    },
    Check {
        id: "assertion.structure",
        group: Group::Assertion,
        title: "Assertion is a compact, base64url-encoded JWS",
        reads: "--assertion, or the assertion built from --client-id and --username",
        needs: &[],
        emits: &["assertion.malformed", "assertion.not-base64url"],
        run: checks::assertion::structure,
    },
    Check {
        id: "assertion.algorithm",
        group: Group::Assertion,
        title: "Assertion header says RS256",
        reads: "the JWT header",
        needs: &[],
        emits: &["assertion.alg-not-rs256"],
        run: checks::assertion::algorithm,
    },
    Check {
        id: "assertion.signature",
        group: Group::Assertion,
        title: "Assertion signature verifies",
        reads: "the JWT and the key or certificate",
        needs: &[],
        emits: &["assertion.signature-invalid"],
        run: checks::assertion::signature,
    },
    Check {
        id: "claims.issuer",
        group: Group::Claims,
        title: "iss is the connected app's consumer key",
        reads: "the iss claim and --client-id",
        needs: &[],
        emits: &["claims.iss-missing", "claims.iss-not-consumer-key", "claims.iss-mismatch"],
        run: checks::claims::issuer,
    },
    Check {
        id: "claims.subject",
        group: Group::Claims,
        title: "sub is the Salesforce username",
        reads: "the sub (or prn) claim and --username",
        needs: &[],
        emits: &["claims.sub-missing", "claims.sub-mismatch", "claims.sub-not-username", "claims.aud-sub-swapped"],
        run: checks::claims::subject,
    },
    Check {
        id: "claims.audience",
        group: Group::Claims,
        title: "aud is an accepted authorization server",
        reads: "the aud claim, the login host and the username",
        needs: &[],
        emits: &["claims.aud-missing", "claims.aud-invalid", "claims.aud-my-domain", "claims.aud-environment-mismatch"],
        run: checks::claims::audience,
    },
    Check {
        id: "claims.expiry",
        group: Group::Claims,
        title: "exp is a near-future time in seconds",
        reads: "the exp and iat claims and the local clock",
        needs: &[],
        emits: &[
            "claims.exp-missing",
            "claims.exp-expired",
            "claims.exp-timezone-shift",
            "claims.exp-too-short",
            "claims.exp-milliseconds",
            "claims.exp-not-number",
        ],
        run: checks::claims::expiry,
    },
    Check {
        id: "host.url",
        group: Group::Host,
        title: "Instance URL is an HTTPS Salesforce login host",
        reads: "--instance-url, sfdcLoginUrl, or the default",
        needs: &[],
        emits: &["host.invalid-url", "host.lightning-domain", "host.insecure", "host.not-salesforce"],
        run: checks::host::url,
    },
    Check {
        id: "host.environment",
        group: Group::Host,
        title: "Login host and username point to the same environment",
        reads: "the login host and --username",
        needs: &["host.url"],
        emits: &["host.environment-mismatch"],
        run: checks::host::environment,
    },
    Check {
        id: "endpoint.reach",
        group: Group::Endpoint,
        title: "Token endpoint answers over HTTPS",
        reads: "the live probe (without --offline)",
        needs: &[],
        emits: &["endpoint.unreachable", "endpoint.tls", "endpoint.unexpected-response"],
        run: checks::endpoint::reach,
    },
    Check {
        id: "endpoint.clock",
        group: Group::Endpoint,
        title: "Local clock agrees with Salesforce's",
        reads: "the Date header of the token endpoint's answer",
        needs: &[],
        emits: &["clock.skew"],
        run: checks::endpoint::clock,
    },
    Check {
        id: "login.answer",
        group: Group::Login,
        title: "Salesforce accepts the assertion",
        reads: "the token endpoint's answer, live or from --error",
        needs: &[],
        emits: &[
            "approval.missing",
            "approval.scratch-not-replicated",
            "approval.hyperforce-scratch-user",
            "approval.user-not-preauthorized",
            "host.environment-mismatch",
            "host.my-domain-required",
            "host.insecure",
            "host.lightning-domain",
            "host.invalid-url",
            "claims.aud-my-domain",
            "claims.aud-invalid",
            "claims.exp-expired",
            "claims.iss-missing",
            "clock.skew",
            "pair.key-cert-mismatch",
            "app.no-certificate",
            "client.unknown-client-id",
            "client.eca-not-installed",
            "client.app-not-installed",
            "client.invalid-credentials",
            "client.unsupported-grant",
            "user.ip-restricted",
            "user.inactive",
            "user.login-rate-exceeded",
            "org.inactive",
            "org.unavailable",
            "endpoint.unreachable",
            "endpoint.unexpected-response",
            "endpoint.unknown-error",
            "key.unreadable",
            "key.empty",
            "key.mangled",
            "key.encrypted",
            "key.not-private-key",
            "key.not-rsa",
            "key.too-small",
        ],
        run: checks::answer::classify,
    },
    Check {
        id: "login.scopes",
        group: Group::Login,
        title: "The token carries the api scope",
        reads: "the scopes of an issued token",
        needs: &[],
        emits: &["app.missing-api-scope"],
        run: checks::endpoint::scopes,
    },
];

pub fn find(id: &str) -> Option<&'static Check> {
    CHECKS.iter().find(|c| c.id == id)
}

/// Every cause id some check can report.
pub fn emitted_cause_ids() -> impl Iterator<Item = &'static str> {
    CHECKS.iter().flat_map(|c| c.emits.iter().copied())
}
