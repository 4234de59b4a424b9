//! The ordered check registry: one static list drives running, `sfjwt checks`, `sfjwt explain`
//! and the docs. Order matters: fundamentals (the key) before what depends on them (the claims).

use serde::Serialize;

use crate::{cause_id::CauseId, checks, evidence::Evidence, finding::Outcome};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Group {
    Key,
    Certificate,
    Pairing,
    Assertion,
    Claims,
    Host,
    App,
    Org,
    Endpoint,
    Login,
}

impl Group {
    /// The name inside a sentence: `connected app`, `org`.
    pub fn short_name(self) -> &'static str {
        match self {
            Group::Org => "org",
            Group::App => "connected app",
            Group::Endpoint => "token endpoint",
            Group::Pairing => "pairing",
            Group::Key => "private key",
            Group::Certificate => "certificate",
            Group::Assertion => "assertion",
            Group::Claims => "claims",
            Group::Host => "login host",
            Group::Login => "login",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Group::Key => "Private key",
            Group::Certificate => "Certificate",
            Group::Pairing => "Key and certificate",
            Group::Assertion => "Assertion",
            Group::Claims => "Claims",
            Group::Host => "Login host",
            Group::App => "Connected app",
            Group::Org => "Org (admin session)",
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
    /// Every cause the check can report (for `login.answer`: every cause its observations are
    /// read as, by the rules of diagnosis).
    pub emits: &'static [CauseId],
    pub run: fn(&Evidence) -> Outcome,
}

pub static CHECKS: &[Check] = &[
    Check {
        id: "key.file",
        group: Group::Key,
        title: "Key file is readable and not empty",
        reads: "--jwt-key-file, SFJWT_KEY_FILE or SFJWT_KEY",
        needs: &[],
        emits: &[CauseId::KeyUnreadable, CauseId::KeyEmpty],
        run: checks::key::file,
    },
    Check {
        id: "key.format",
        group: Group::Key,
        title: "Key is an unencrypted PEM private key",
        reads: "the key's contents",
        needs: &["key.file"],
        emits: &[
            CauseId::KeyMangled,
            CauseId::KeyDerFormat,
            CauseId::KeyNotPrivateKey,
            CauseId::KeyEncrypted,
            CauseId::KeyUnparseable,
        ],
        run: checks::key::format,
    },
    Check {
        id: "key.algorithm",
        group: Group::Key,
        title: "Key is RSA of at least 2048 bits",
        reads: "the parsed key",
        needs: &["key.file"],
        emits: &[CauseId::KeyNotRsa, CauseId::KeyTooSmall],
        run: checks::key::algorithm,
    },
    Check {
        id: "cert.file",
        group: Group::Certificate,
        title: "Certificate is a readable X.509 certificate",
        reads: "--cert",
        needs: &[],
        emits: &[CauseId::CertUnreadable, CauseId::CertNotCertificate],
        run: checks::cert::file,
    },
    Check {
        id: "cert.validity",
        group: Group::Certificate,
        title: "Certificate is within its validity period",
        reads: "the certificate's notBefore and notAfter",
        needs: &["cert.file"],
        emits: &[CauseId::CertExpired, CauseId::CertExpiringSoon, CauseId::CertNotYetValid],
        run: checks::cert::validity,
    },
    Check {
        id: "cert.algorithm",
        group: Group::Certificate,
        title: "Certificate holds an RSA public key",
        reads: "the certificate's public key",
        needs: &["cert.file"],
        emits: &[CauseId::CertNotRsa],
        run: checks::cert::algorithm,
    },
    Check {
        id: "pair.match",
        group: Group::Pairing,
        title: "Private key matches the certificate",
        reads: "the key and the certificate (SPKI SHA-256)",
        needs: &["cert.file"],
        emits: &[CauseId::PairKeyCertMismatch],
        run: checks::pair::matches,
    },
    Check {
        id: "assertion.structure",
        group: Group::Assertion,
        title: "Assertion is a compact, base64url-encoded JWS",
        reads: "--assertion, or the assertion built from --client-id and --username",
        needs: &[],
        emits: &[CauseId::AssertionMalformed, CauseId::AssertionNotBase64url],
        run: checks::assertion::structure,
    },
    Check {
        id: "assertion.algorithm",
        group: Group::Assertion,
        title: "Assertion header says RS256",
        reads: "the JWT header",
        needs: &[],
        emits: &[CauseId::AssertionAlgNotRs256],
        run: checks::assertion::algorithm,
    },
    Check {
        id: "assertion.signature",
        group: Group::Assertion,
        title: "Assertion signature verifies",
        reads: "the JWT and the key or certificate",
        needs: &[],
        emits: &[CauseId::AssertionSignatureInvalid],
        run: checks::assertion::signature,
    },
    Check {
        id: "claims.issuer",
        group: Group::Claims,
        title: "iss is the connected app's consumer key",
        reads: "the iss claim and --client-id",
        needs: &[],
        emits: &[CauseId::ClaimsIssMissing, CauseId::ClaimsIssNotConsumerKey, CauseId::ClaimsIssMismatch],
        run: checks::claims::issuer,
    },
    Check {
        id: "claims.subject",
        group: Group::Claims,
        title: "sub is the Salesforce username",
        reads: "the sub (or prn) claim and --username",
        needs: &[],
        emits: &[
            CauseId::ClaimsSubMissing,
            CauseId::ClaimsSubMismatch,
            CauseId::ClaimsSubNotUsername,
            CauseId::ClaimsAudSubSwapped,
        ],
        run: checks::claims::subject,
    },
    Check {
        id: "claims.audience",
        group: Group::Claims,
        title: "aud is an accepted authorization server",
        reads: "the aud claim, the login host and the username",
        needs: &[],
        emits: &[
            CauseId::ClaimsAudMissing,
            CauseId::ClaimsAudInvalid,
            CauseId::ClaimsAudMyDomain,
            CauseId::ClaimsAudEnvironmentMismatch,
        ],
        run: checks::claims::audience,
    },
    Check {
        id: "claims.expiry",
        group: Group::Claims,
        title: "exp is a near-future time in seconds",
        reads: "the exp and iat claims and the local clock",
        needs: &[],
        emits: &[
            CauseId::ClaimsExpMissing,
            CauseId::ClaimsExpExpired,
            CauseId::ClaimsExpTimezoneShift,
            CauseId::ClaimsExpTooShort,
            CauseId::ClaimsExpMilliseconds,
            CauseId::ClaimsExpNotNumber,
        ],
        run: checks::claims::expiry,
    },
    Check {
        id: "host.url",
        group: Group::Host,
        title: "Instance URL is an HTTPS Salesforce login host",
        reads: "--instance-url, sfdcLoginUrl, or the default",
        needs: &[],
        emits: &[
            CauseId::HostInvalidUrl,
            CauseId::HostLightningDomain,
            CauseId::HostInsecure,
            CauseId::HostLegacyDomain,
            CauseId::HostNotSalesforce,
            CauseId::HostMyDomainRequired,
        ],
        run: checks::host::url,
    },
    Check {
        id: "host.environment",
        group: Group::Host,
        title: "Login host and username point to the same environment",
        reads: "the login host and --username",
        needs: &["host.url"],
        emits: &[
            CauseId::HostEnvironmentMismatch,
            CauseId::ApprovalScratchNotReplicated,
            CauseId::ApprovalHyperforceScratchUser,
        ],
        run: checks::host::environment,
    },
    Check {
        id: "app.metadata",
        group: Group::App,
        title: "Connected app metadata is readable and has this consumer key",
        reads: "--connected-app, or the sfdx project's package directories",
        needs: &[],
        emits: &[CauseId::AppMetadataInvalid, CauseId::ClientUnknownClientId],
        run: checks::app::metadata,
    },
    Check {
        id: "app.settings",
        group: Group::App,
        title: "The app allows headless JWT logins",
        reads: "the app's certificate, JWT flow, session and permitted-users policies",
        needs: &[],
        emits: &[
            CauseId::AppNoCertificate,
            CauseId::AppJwtDisabled,
            CauseId::AppHighAssuranceRequired,
            CauseId::AppSelfAuthorizePolicy,
            CauseId::ApprovalUserNotPreauthorized,
            CauseId::ApprovalSelfAuthorizeNotApproved,
        ],
        run: checks::app::settings,
    },
    Check {
        id: "app.scopes",
        group: Group::App,
        title: "The app grants api and refresh_token",
        reads: "the app's OAuth scopes",
        needs: &[],
        emits: &[CauseId::AppMissingRefreshTokenScope, CauseId::AppMissingApiScope],
        run: checks::app::scopes,
    },
    Check {
        id: "app.certificate",
        group: Group::Pairing,
        title: "The key matches the certificate in the app's metadata",
        reads: "the key, --cert and the app's certificate",
        needs: &[],
        emits: &[CauseId::PairKeyCertMismatch],
        run: checks::app::certificate,
    },
    Check {
        id: "org.user",
        group: Group::Org,
        title: "The user exists, is active and not frozen",
        reads: "an admin session (--admin-org, or SFJWT_ADMIN_TOKEN with --admin-instance-url)",
        needs: &[],
        emits: &[CauseId::UserNotFound, CauseId::UserInactive, CauseId::UserFrozen],
        run: checks::org::user,
    },
    Check {
        id: "org.access",
        group: Group::Org,
        title: "The user is pre-authorized for, or has approved, the app",
        reads: "the app's policy, its profiles and permission sets, the user's assignments and OAuth tokens",
        needs: &[],
        emits: &[
            CauseId::ApprovalUserNotPreauthorized,
            CauseId::ApprovalSelfAuthorizeNotApproved,
            CauseId::AppHighAssuranceRequired,
        ],
        run: checks::org::access,
    },
    Check {
        id: "org.environment",
        group: Group::Org,
        title: "The org fits the login host, and nothing changed minutes ago",
        reads: "the Organization record and the app's dates",
        needs: &[],
        emits: &[
            CauseId::HostEnvironmentMismatch,
            CauseId::ApprovalScratchNotReplicated,
            CauseId::ApprovalAppPropagating,
        ],
        run: checks::org::environment,
    },
    Check {
        id: "endpoint.reach",
        group: Group::Endpoint,
        title: "Token endpoint answers over HTTPS",
        reads: "the live probe (without --offline)",
        needs: &[],
        emits: &[CauseId::EndpointUnreachable, CauseId::EndpointTls, CauseId::EndpointUnexpectedResponse],
        run: checks::endpoint::reach,
    },
    Check {
        id: "endpoint.clock",
        group: Group::Endpoint,
        title: "Local clock agrees with Salesforce's",
        reads: "the Date header of the token endpoint's answer",
        needs: &[],
        emits: &[CauseId::ClockSkew],
        run: checks::endpoint::clock,
    },
    Check {
        id: "login.capture",
        group: Group::Login,
        title: "The captured failure can be read",
        reads: "--error",
        needs: &[],
        emits: &[CauseId::CaptureUnusable],
        run: checks::answer::capture,
    },
    Check {
        id: "login.answer",
        group: Group::Login,
        title: "Salesforce accepts the assertion",
        reads: "the token endpoint's answer, live or from --error",
        needs: &[],
        emits: &[
            CauseId::ApprovalMissing,
            CauseId::ClaimsAudInvalid,
            CauseId::ClientUnknownClientId,
            CauseId::PairKeyCertMismatch,
            CauseId::AppNoCertificate,
            CauseId::ClientInvalidCredentials,
            CauseId::ClockSkew,
            CauseId::ApprovalUserNotPreauthorized,
            CauseId::ClientEcaNotInstalled,
            CauseId::ClientAppNotInstalled,
            CauseId::UserIpRestricted,
            CauseId::UserInactive,
            CauseId::OrgInactive,
            CauseId::UserLoginRateExceeded,
            CauseId::ClientUnsupportedGrant,
            CauseId::HostInsecure,
            CauseId::OrgUnavailable,
            CauseId::EndpointUnreachable,
            CauseId::EndpointUnexpectedResponse,
            CauseId::EndpointUnknownError,
            CauseId::KeyUnreadable,
            CauseId::KeyEmpty,
            CauseId::KeyTooSmall,
            CauseId::KeyNotRsa,
            CauseId::KeyMangled,
            CauseId::KeyEncrypted,
            CauseId::KeyNotPrivateKey,
            CauseId::HostInvalidUrl,
            CauseId::HostLightningDomain,
            CauseId::ClaimsIssMissing,
        ],
        run: checks::answer::classify,
    },
    Check {
        id: "login.scopes",
        group: Group::Login,
        title: "The token carries the api scope",
        reads: "the scopes of an issued token",
        needs: &[],
        emits: &[CauseId::AppMissingApiScope],
        run: checks::endpoint::scopes,
    },
];

pub fn find(id: &str) -> Option<&'static Check> {
    CHECKS.iter().find(|c| c.id == id)
}

/// Every cause id some check can report.
pub fn emitted_cause_ids() -> impl Iterator<Item = CauseId> {
    CHECKS.iter().flat_map(|c| c.emits.iter().copied())
}
