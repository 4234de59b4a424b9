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
//! 6. **Rank** (in `mod.rs`): severity, then tier (explains > finding > catch-all), then
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
    symptom::{Observation, Symptom},
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
use Confidence::{Low, Medium};
use Symptom as S;

/// Every symptom's reading. A symptom with no row here is read as `endpoint.unknown-error`.
pub static READINGS: &[Reading] = &[
    guess(
        S::NotApproved,
        C::ApprovalMissing,
        Low,
        "most often: the app's Permitted Users is \"All users may self-authorize\" and this user never approved it, the app lacks the refresh_token scope, or (admin approved) the user's profile or permission set is not on the app",
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
        "the sf CLI prints `fetch failed` for DNS failures, refused connections and TLS errors alike",
        Hint::Text("run sfjwt doctor without --error to see the network error itself"),
    ),
    reading(S::Empty, C::EndpointUnexpectedResponse, "the answer carried no error description"),
    reading(
        S::ExpiredRefreshToken,
        C::EndpointUnknownError,
        "`expired access/refresh token` comes from the refresh-token flow, not the JWT bearer grant: this login was not a JWT login",
    ),
    reading(
        S::NoValidScopes,
        C::EndpointUnknownError,
        "`no valid scopes defined` comes from the client-credentials flow, not the JWT bearer grant",
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
        }
    }
    found
}

/// Readings that depend on where the answer came from.
fn refine(observation: &Observation, ev: &Evidence, found: &mut [(Cause, bool)]) {
    if ev.flow() == Flow::SamlBearer {
        for_saml(found);
        return;
    }
    match observation.symptom {
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
            match (app, org) {
                (false, false) => Some(
                    "pass the app's metadata (--connected-app) or an admin session (--admin-org), so sfjwt can tell which".into(),
                ),
                (true, false) => Some("pass an admin session (--admin-org), so sfjwt can see the user's access and approvals".into()),
                (false, true) => Some("pass the app's metadata (--connected-app), so sfjwt can read its policy and scopes".into()),
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
