//! The rules of diagnosis, in one file.
//!
//! 1. **Readings** ([`READINGS`]): what each symptom means on its own. A specific answer names
//!    its cause outright (`inactive_user` is `user.inactive`); a terse one names the usual
//!    suspects as catch-alls (`user hasn't approved this consumer` is `approval.missing` until
//!    something more specific explains it).
//! 2. **Explains** (each catalog entry's `explains:` front matter): a finding whose entry explains
//!    an observed symptom is ranked first, and a warning that explains it becomes an error unless
//!    it is only a low-confidence guess. A latent finding is kept only when such a symptom was
//!    observed.
//! 3. **Catch-alls step back**: once an error explains a symptom at least as surely as its
//!    catch-all does, the catch-all becomes information.
//! 4. **Incidental answers** (a later attempt succeeded; a side effect of the sf CLI's search for
//!    a working host and audience) are read as information only.
//! 5. **Rule-outs**: a reading or latent cause that a check's evidence excludes is dropped.
//! 6. **The odd one out** ([`odd_one_out`]): when the login host, `aud` and the username disagree
//!    about production versus sandbox, the one that disagrees with the other two is blamed and
//!    the mismatch that blames one of the two is information.
//! 7. **Rank** (in `mod.rs`): severity, then tier (explains > finding > catch-all), then
//!    confidence, then registry order; so an unrecognised answer never outranks a concrete finding.

use super::{Basis, RankedCause};
use crate::{
    catalog,
    cause_id::CauseId,
    evidence::{
        Evidence, Flow,
        host::{self, Environment, HostKind, Url},
    },
    finding::{Cause, Confidence, Severity},
    symptom::{Observation, Origin, Symptom},
};

/// What one symptom means on its own.
pub struct Reading {
    pub symptom: Symptom,
    pub cause: CauseId,
    pub confidence: Confidence,
    /// A usual suspect rather than a certainty: it steps back when something explains the symptom.
    pub catch_all: bool,
    /// Why the symptom points here. `{name|default}` placeholders are filled like fix steps.
    pub evidence: &'static str,
    /// What would settle it, when the reading is not certain.
    pub confirm: Hint,
}

/// What would confirm a reading; worded for the inputs the user has not given yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hint {
    None,
    Text(&'static str),
    /// The app's metadata or an admin session would tell which approval is missing.
    ApprovalInputs,
    /// `--try-audiences` shows which (host, aud) pair the org accepts.
    TryAudiences,
    /// The key and the app's certificate, compared.
    KeyAndCert,
}

const fn reading(symptom: Symptom, cause: CauseId, evidence: &'static str) -> Reading {
    Reading { symptom, cause, confidence: Confidence::High, catch_all: false, evidence, confirm: Hint::None }
}

const fn guess(
    symptom: Symptom,
    cause: CauseId,
    confidence: Confidence,
    evidence: &'static str,
    confirm: Hint,
) -> Reading {
    Reading { symptom, cause, confidence, catch_all: true, evidence, confirm }
}

use CauseId as C;
use Confidence::{High, Low, Medium};
use Symptom as S;

/// Every symptom's reading. A symptom with no row here is read as `endpoint.unknown-error`.
pub static READINGS: &[Reading] = &[
    guess(
        S::NotApproved,
        C::ApprovalMissing,
        Low,
        "most often: a self-authorize app this user never approved, an app without the refresh_token scope, or (admin approved) the user's profile or permission set missing from the app",
        Hint::ApprovalInputs,
    ),
    guess(
        S::AudienceInvalid,
        C::ClaimsAudInvalid,
        Medium,
        "for {instance_url|this host} the documented aud is {audience|https://login.salesforce.com}",
        Hint::TryAudiences,
    ),
    guess(
        S::ClientIdInvalid,
        C::ClientUnknownClientId,
        Medium,
        "the org behind this host does not know the consumer key in `iss`",
        Hint::Text("open App Manager in the org you log in to and compare the app's consumer key with --client-id"),
    ),
    guess(
        S::InvalidAssertion,
        C::PairKeyCertMismatch,
        Medium,
        "Salesforce could not verify the assertion's signature with the certificate the app holds",
        Hint::KeyAndCert,
    ),
    guess(
        S::InvalidAssertion,
        C::AppNoCertificate,
        Low,
        "an app without \"Use digital signatures\" cannot verify any assertion",
        Hint::None,
    ),
    reading(
        S::InvalidClientCredentials,
        C::ClientInvalidCredentials,
        "Salesforce refused the assertion's form before looking for the app",
    ),
    guess(
        S::ExpiredAuthorizationCode,
        C::ClockSkew,
        Medium,
        "exp was valid when the assertion was built, so the clocks probably disagree",
        Hint::Text("compare `date -u` with an NTP source, or run without --error to read Salesforce's Date header"),
    ),
    reading(
        S::NotAdminApproved,
        C::ApprovalUserNotPreauthorized,
        "the app is admin approved and this user is not pre-authorized for it",
    ),
    reading(
        S::EcaNotInstalled,
        C::ClientEcaNotInstalled,
        "the org behind this host has no installed External Client App with this consumer key",
    ),
    reading(S::AppMustBeInstalled, C::ClientAppNotInstalled, "the app must be installed in this org first"),
    reading(S::IpRestricted, C::UserIpRestricted, "the user's login IP ranges or hours refuse this caller"),
    reading(S::InactiveUser, C::UserInactive, "the user is deactivated"),
    reading(S::InactiveOrg, C::OrgInactive, "the org is locked, closed or suspended"),
    reading(S::RateLimited, C::UserLoginRateExceeded, "this user logged in too often in the last hour"),
    reading(
        S::UnsupportedGrantType,
        C::ClientUnsupportedGrant,
        "the token endpoint did not accept the grant type or the request body",
    ),
    reading(S::HttpsRequired, C::HostInsecure, "the assertion was posted over plain HTTP"),
    reading(S::Html, C::OrgUnavailable, "an HTML page came back instead of an OAuth answer"),
    guess(
        S::FetchFailed,
        C::EndpointUnreachable,
        Medium,
        "the text says the request failed but not why: the sf CLI prints `fetch failed` for DNS failures, refused connections and TLS errors alike",
        Hint::Text("run sfjwt doctor without --error to see the network error itself"),
    ),
    reading(S::Empty, C::EndpointUnexpectedResponse, "the answer carried no error description"),
    reading(
        S::ExpiredRefreshToken,
        C::FlowNotJwt,
        "`expired access/refresh token` answers the refresh-token flow, not the JWT bearer grant: the failing login used a refresh token",
    ),
    reading(
        S::NoValidScopes,
        C::FlowNotJwt,
        "`no valid scopes defined` answers the client-credentials flow, not the JWT bearer grant",
    ),
    reading(
        S::PasswordLoginFailed,
        C::FlowNotJwt,
        "`INVALID_LOGIN` answers a username-password (SOAP) login, not the JWT bearer grant",
    ),
    reading(
        S::JtiReused,
        C::AssertionJtiReused,
        "the assertion's `jti` was used before: Salesforce refuses a replayed assertion",
    ),
    reading(
        S::SessionInvalid,
        C::SessionInvalid,
        "the login issued a token, and the API refused it later: it expired, was revoked, or went to another instance",
    ),
    guess(
        S::SessionNotForApi,
        C::AppMissingApiScope,
        Medium,
        "a token without the `api` scope is refused by the REST API with these words",
        Hint::Text(
            "compare the scopes the token was issued with (the token response's `scope`) with the app's OAuth scopes",
        ),
    ),
    reading(S::ApiDisabled, C::OrgApiDisabled, "the org's edition or the user's permissions give no API access"),
    reading(S::ServerError, C::OrgUnavailable, "the server answered with an error status and no OAuth answer"),
    guess(
        S::DnsFailure,
        C::EndpointUnreachable,
        High,
        "the login host's name did not resolve: a typo in the host, a private DNS, or no network",
        Hint::None,
    ),
    guess(
        S::ConnectionRefused,
        C::EndpointUnreachable,
        High,
        "the connection was refused before any answer: a firewall, a proxy that is not running, or a wrong port",
        Hint::None,
    ),
    guess(
        S::TimedOut,
        C::EndpointUnreachable,
        High,
        "no answer came in time: a firewall that drops traffic, a proxy the client does not use, or a slow network",
        Hint::None,
    ),
    guess(
        S::ConnectionReset,
        C::EndpointUnreachable,
        High,
        "the connection was closed mid-request: a proxy or firewall in between, or a brief outage",
        Hint::None,
    ),
    guess(
        S::ProxyFailed,
        C::EndpointUnreachable,
        High,
        "the proxy refused the connection or wants credentials (HTTP 407): check HTTPS_PROXY and NO_PROXY",
        Hint::None,
    ),
    reading(
        S::TlsUntrusted,
        C::EndpointTls,
        "the client did not trust the certificate chain it was shown: most often a proxy that re-signs HTTPS",
    ),
    guess(
        S::TlsHostnameMismatch,
        C::EndpointTls,
        Medium,
        "the certificate the client was shown is for other names: a misspelt host, or a proxy that answers for it",
        Hint::None,
    ),
    guess(
        S::InvalidRequest,
        C::EndpointUnknownError,
        Medium,
        "sfjwt does not know this answer; it is shown verbatim",
        Hint::None,
    ),
    guess(
        S::AuthenticationFailure,
        C::EndpointUnknownError,
        Medium,
        "sfjwt does not know this answer; it is shown verbatim",
        Hint::None,
    ),
    guess(
        S::Unknown,
        C::EndpointUnknownError,
        Medium,
        "sfjwt does not know this answer; it is shown verbatim",
        Hint::None,
    ),
    reading(S::KeyFileMissing, C::KeyUnreadable, "the client could not open the key file"),
    reading(S::KeyFileIsDirectory, C::KeyUnreadable, "the client was given a directory as the key file"),
    reading(S::KeyEmpty, C::KeyEmpty, "the client read an empty key"),
    reading(S::KeyTooSmall, C::KeyTooSmall, "the client refused a key below 2048 bits"),
    reading(S::KeyNotRsa, C::KeyNotRsa, "the client refused a key that is not RSA"),
    reading(S::PemNoStartLine, C::KeyMangled, "the client found no PEM armor in the key"),
    guess(
        S::KeyUnparsed,
        C::KeyMangled,
        Medium,
        "the client's runtime could not parse the private key: most often a PEM damaged in transit",
        Hint::Text(KEY_HINT),
    ),
    guess(
        S::KeyUnparsed,
        C::KeyNotPrivateKey,
        Low,
        "a certificate or public key in place of the private key fails the same way",
        Hint::Text(KEY_HINT),
    ),
    reading(S::KeyNeedsPassphrase, C::KeyEncrypted, "the key is encrypted and the client was given no passphrase"),
    reading(S::KeyIsNotPrivate, C::KeyNotPrivateKey, "the PEM holds no private key (a certificate or a public key)"),
    reading(
        S::KeyNotPkcs8,
        C::KeyPkcs8Required,
        "the client reads PKCS#8 keys only (armor label `PRIVATE KEY`) and was given PKCS#1 (label `RSA PRIVATE KEY`)",
    ),
    guess(
        S::KeyNotAsymmetric,
        C::KeyMangled,
        Medium,
        "the sf CLI says this for a damaged key file, an encrypted key and a certificate alike",
        Hint::Text(KEY_HINT),
    ),
    guess(
        S::KeyNotAsymmetric,
        C::KeyEncrypted,
        Low,
        "the sf CLI says this for a damaged key file, an encrypted key and a certificate alike",
        Hint::Text(KEY_HINT),
    ),
    guess(
        S::KeyNotAsymmetric,
        C::KeyNotPrivateKey,
        Low,
        "the sf CLI says this for a damaged key file, an encrypted key and a certificate alike",
        Hint::Text(KEY_HINT),
    ),
    reading(S::InvalidInstanceUrl, C::HostInvalidUrl, "the client refused the instance URL"),
    reading(
        S::LightningInstanceUrl,
        C::HostLightningDomain,
        "the client refused a Lightning domain as the instance URL",
    ),
    reading(
        S::CorruptAuthFile,
        C::SfcliAuthStoreUnreadable,
        "the sf CLI could not parse its stored login for this username (~/.sfdx/<username>.json)",
    ),
    reading(
        S::AuthStoreUnreadable,
        C::SfcliAuthStoreUnreadable,
        "the sf CLI could not read or decrypt its stored logins on this machine; nothing in the org is involved",
    ),
    reading(
        S::StoredKeyMissing,
        C::SfcliKeyPathStale,
        "a command after the login re-read the key path the sf CLI stored at login, and the file is gone",
    ),
    reading(
        S::LoginNotFound,
        C::SfcliLoginNotFound,
        "the sf CLI has no stored login for this alias or username on this machine",
    ),
    reading(S::MissingClientId, C::ClaimsIssMissing, "the client had no consumer key to put in `iss`"),
];

const KEY_HINT: &str = "pass the key file the client read with --jwt-key-file, so sfjwt can tell which";

/// The causes one observation points to, each with the answer lines and whether it is a
/// catch-all. Incidental observations are read as information.
pub fn readings(observation: &Observation, ev: &Evidence) -> Vec<(Cause, bool)> {
    let vars = ev.fix_vars();
    let mut found: Vec<(Cause, bool)> = READINGS
        .iter()
        .filter(|r| r.symptom == observation.symptom)
        .map(|r| {
            let mut cause = Cause::new(r.cause).confidence(r.confidence).evidence(catalog::fill(r.evidence, &vars));
            cause.confirm = hint(r.confirm, ev);
            (cause, r.catch_all)
        })
        .collect();
    if found.is_empty() {
        found.push((Cause::new(C::EndpointUnknownError).confidence(Medium), true));
    }
    refine(observation, ev, &mut found);
    for (cause, _) in &mut found {
        cause.evidence.extend(observation.lines.iter().cloned());
        if let Some(why) = &observation.incidental {
            cause.severity = Some(Severity::Info);
            cause.evidence.push(why.clone());
        } else if cause.severity.is_none() {
            // What an observed failure means is an error, whatever the entry's default for a
            // finding without one (`app.missing-api-scope` is a warning until the API refuses).
            cause.severity = Some(Severity::Error);
        }
    }
    found
}

/// Readings that depend on where the answer came from.
fn refine(observation: &Observation, ev: &Evidence, found: &mut Vec<(Cause, bool)>) {
    if ev.flow() == Flow::SamlBearer {
        for_saml(found);
        return;
    }
    // The name a runtime said failed (the sf CLI's `fetch failed` names none: its logins are the
    // hosts it tried).
    if observation.symptom.origin() == Origin::Network && observation.symptom != S::FetchFailed {
        for (cause, _) in found.iter_mut() {
            cause.evidence.extend(observation.logins.iter().map(|name| failed_name(name)));
        }
    }
    match observation.symptom {
        // `sf org create user` refused: a Hyperforce scratch org's new user cannot use the Dev
        // Hub's JWT app (DX guide), whatever the app's policy says.
        S::NotApproved if failing_command(ev).is_some_and(crate::captured::command::creates_user) => {
            let command = failing_command(ev).unwrap_or_default();
            found.push((
                Cause::new(C::ApprovalHyperforceScratchUser)
                    .confidence(Medium)
                    .evidence(format!("the failing command creates a user (`{command}`): in a Hyperforce scratch org only the admin can log in with the Dev Hub's JWT app")),
                false,
            ));
        }
        // The same refusal from hosts of both environments: the host is not the whole story.
        S::NotApproved if refused_in_both_environments(observation, ev) => {
            for (cause, _) in found.iter_mut().filter(|(c, _)| c.id == C::ApprovalMissing) {
                cause.confidence = Medium;
                cause.evidence.push("hosts of production and sandbox refused alike: the host is not the cause".into());
            }
        }
        // An org that refuses its own My Domain as aud says exactly that.
        S::AudienceInvalid => {
            if let Some(aud) = observation.audiences.iter().find(|aud| is_my_domain(aud)) {
                for (cause, catch_all) in found.iter_mut() {
                    *cause = Cause::new(C::ClaimsAudMyDomain)
                        .severity(Severity::Error)
                        .evidence(format!("this org rejects its My Domain URL {aud} as aud"));
                    *catch_all = false;
                }
            }
        }
        _ => {}
    }
}

/// The sf command the captured failure came from.
fn failing_command(ev: &Evidence) -> Option<&str> {
    ev.captured.as_ref()?.parsed.command.as_deref()
}

/// `login.salesforce.co is not a Salesforce host`: whether the name that failed is Salesforce's.
fn failed_name(name: &str) -> String {
    let bare = name.rsplit_once(':').map_or(name, |(host, _)| host).trim_matches(['[', ']']);
    if bare.parse::<std::net::IpAddr>().is_ok() {
        return format!(
            "the address that failed, {name}, is an IP address: a proxy, a firewall or a private endpoint, not Salesforce's name"
        );
    }
    let url = if name.contains("://") { name.to_string() } else { format!("https://{name}") };
    match Url::parse(&url).map(|u| host::classify_host(&u)) {
        Ok(HostKind::NotSalesforce) => format!("the name that failed, {name}, is not a Salesforce host"),
        Ok(HostKind::OtherSalesforce) => {
            format!("the name that failed, {name}, is under a Salesforce domain but is no login host")
        }
        Ok(HostKind::Loopback) => format!("the name that failed, {name}, is this machine (a local proxy?)"),
        Ok(kind) => format!("the name that failed, {name}, is {}", kind.describe()),
        Err(_) => format!("the name that failed: {name}"),
    }
}

/// The SAML bearer flow has no JWT: a reading that blames a claim blames the SAML element that
/// plays its part (the Audience for `aud`, the Issuer for `iss`).
fn for_saml(found: &mut [(Cause, bool)]) {
    for (cause, _) in found.iter_mut() {
        let saml = match cause.id {
            C::ClaimsAudInvalid | C::ClaimsAudMyDomain => C::SamlAudienceInvalid,
            C::ClaimsIssMissing => C::SamlIssuerNotConsumerKey,
            _ => continue,
        };
        let mut replaced = Cause::new(saml).confidence(cause.confidence);
        replaced.evidence.push(format!("the SAML bearer flow's counterpart of {}: the assertion is SAML", cause.id));
        *cause = replaced;
    }
}

fn refused_in_both_environments(observation: &Observation, ev: &Evidence) -> bool {
    let own = ev.host.kind.environment();
    observation.logins.iter().any(|login| {
        let env = Url::parse(login).map(|u| host::classify_host(&u).environment()).unwrap_or(Environment::Unknown);
        env != Environment::Unknown && own != Environment::Unknown && env.is_sandbox_like() != own.is_sandbox_like()
    })
}

fn is_my_domain(aud: &str) -> bool {
    Url::parse(aud).is_ok_and(|u| {
        matches!(
            host::classify_host(&u),
            HostKind::MyDomain { .. } | HostKind::SandboxMyDomain { .. } | HostKind::ScratchMyDomain { .. }
        )
    })
}

fn hint(hint: Hint, ev: &Evidence) -> Option<String> {
    match hint {
        Hint::None => None,
        Hint::Text(text) => Some(text.to_string()),
        Hint::ApprovalInputs => {
            let app = ev.apps.app().is_some();
            let org = ev.org.inspection().is_some();
            // Metadata was given (or found) but holds no app with this consumer key.
            let metadata = if ev.apps.origin.is_some() {
                "the metadata of the app with this consumer key (the files given hold none)"
            } else {
                "the app's metadata (--connected-app)"
            };
            match (app, org) {
                (false, false) => {
                    Some(format!("pass {metadata} or an admin session (--admin-org), so sfjwt can tell which"))
                }
                (true, false) => {
                    Some("pass an admin session (--admin-org), so sfjwt can see the user's access and approvals".into())
                }
                (false, true) => Some(format!("pass {metadata}, so sfjwt can read its policy and scopes")),
                (true, true) => None,
            }
        }
        Hint::TryAudiences => (!ev.inputs.try_audiences)
            .then(|| "run with --try-audiences to see which (host, aud) pair this org accepts".into()),
        Hint::KeyAndCert => {
            let key = ev.key.as_ref().and_then(|k| k.parsed()).and_then(|k| k.spki_sha256.clone());
            Some(match key {
                Some(key) => format!(
                    "compare the SPKI SHA-256 of the certificate uploaded to the app with the key's, {key} (pass it with --cert, or the app's metadata)"
                ),
                None => "pass the key (--jwt-key-file) and the certificate uploaded to the app (--cert), so sfjwt can compare them".into(),
            })
        }
    }
}

/// A finding that explains an observed symptom: said so, and a warning that explains an error
/// becomes one unless it is only a low-confidence guess.
pub fn promote(ranked: &mut RankedCause, symptom: Symptom) {
    let cause = &mut ranked.cause;
    if ranked.severity == Severity::Warning && cause.confidence <= Medium {
        ranked.severity = Severity::Error;
    }
    let line = format!("ranked first: it explains {}", symptom.quoted());
    if !cause.evidence.contains(&line) {
        cause.evidence.push(line);
    }
    cause.latent = false;
}

/// A catch-all steps back (to information) when an error explains the same symptom at least as
/// surely; it stays when it is surer than every explanation.
pub fn step_back_catch_alls(ranked: &mut [RankedCause]) {
    let explainers: Vec<(Symptom, CauseId, Confidence)> = ranked
        .iter()
        .filter(|r| {
            r.severity == Severity::Error
                && matches!(r.basis, Basis::Explains(_) | Basis::Reading { catch_all: false, .. })
        })
        .flat_map(|r| r.cause.id.explains().iter().map(move |s| (*s, r.cause.id, r.cause.confidence)))
        .collect();
    for r in ranked.iter_mut() {
        let Basis::Reading { symptom, catch_all: true } = r.basis else { continue };
        let Some((_, by, _)) =
            explainers.iter().filter(|(s, id, _)| *s == symptom && *id != r.cause.id).find(|(_, _, confidence)| {
                *confidence <= Medium && (r.cause.confidence == Low || *confidence <= r.cause.confidence)
            })
        else {
            continue;
        };
        if r.severity != Severity::Info {
            r.severity = Severity::Info;
            r.cause
                .evidence
                .push(format!("{by} explains this answer first; check this only if fixing that is not enough"));
        }
    }
}

/// Which of the three says another environment than the other two.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OddOne {
    Host,
    Audience,
    Username,
}

/// Host, `aud` and username each say production or sandbox; when exactly one disagrees, it is
/// the one to fix. Two say sandbox and the token host says production: the host is wrong, and an
/// `aud` mismatch (aud against host) blames the wrong party. The reverse cases alike.
pub fn odd_one_out(ranked: &mut [RankedCause], ev: &Evidence) {
    let Some(odd) = environment_odd_one(ev) else { return };
    let (blamed, cleared) = match odd {
        OddOne::Audience => (C::ClaimsAudEnvironmentMismatch, C::HostEnvironmentMismatch),
        OddOne::Host | OddOne::Username => (C::HostEnvironmentMismatch, C::ClaimsAudEnvironmentMismatch),
    };
    if !ranked.iter().any(|r| r.cause.id == blamed) {
        return;
    }
    let why = match odd {
        OddOne::Host => "aud and the username agree; the login host is the odd one out",
        OddOne::Audience => "the login host and the username agree; aud is the odd one out",
        OddOne::Username => "the login host and aud agree; the username is the odd one out",
    };
    for r in ranked.iter_mut() {
        if r.cause.id == blamed {
            push_once(&mut r.cause.evidence, why);
        } else if r.cause.id == cleared && r.severity != Severity::Info {
            r.severity = Severity::Info;
            push_once(&mut r.cause.evidence, &format!("{why}: fix that first ({blamed})"));
        }
    }
}

fn push_once(evidence: &mut Vec<String>, line: &str) {
    if !evidence.iter().any(|e| e == line) {
        evidence.push(line.to_string());
    }
}

/// The odd one out of host, aud and username, when all three name an environment (the aud one
/// the user or the client chose) and exactly one differs.
pub fn environment_odd_one(ev: &Evidence) -> Option<OddOne> {
    let sandbox = |env: Environment| (env != Environment::Unknown).then(|| env.is_sandbox_like());
    let host = if ev.host_known() { sandbox(ev.host.kind.environment())? } else { return None };
    // The aud sfjwt recommends follows the host and username: it is not a third opinion.
    let own_aud =
        ev.inputs.audience.is_some() || matches!(ev.assertion, crate::evidence::AssertionEvidence::Given { .. });
    if !own_aud {
        return None;
    }
    let aud = ev.assertion.claims()?.get("aud")?.as_str().and_then(|aud| Url::parse(aud).ok())?;
    let aud = sandbox(host::classify_host(&aud).environment())?;
    let user = sandbox(ev.username.as_ref()?.environment)?;
    match (host == aud, host == user, aud == user) {
        (true, true, true) => None,
        (false, false, true) => Some(OddOne::Host),
        (false, true, false) => Some(OddOne::Audience),
        (true, false, false) => Some(OddOne::Username),
        _ => None,
    }
}
