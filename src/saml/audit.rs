//! The rules of Salesforce's SAML bearer flow, each a pure function of the reading and a context.
//!
//! Salesforce's help page ("OAuth 2.0 SAML Bearer Assertion Flow for Previously Authorized Apps")
//! asks for: the Issuer is the consumer key; the Audience is `https://login.salesforce.com` or
//! `https://test.salesforce.com`; the Recipient is the token endpoint of one of them; the Subject
//! NameID is the username; the assertion is signed (XML Signature, RSA with SHA-1 or SHA-256);
//! it conforms to RFC 7522; it is posted base64url-encoded. RFC 7522 §3 adds a bearer
//! SubjectConfirmation, an expiry, and validity checks of NotBefore/NotOnOrAfter.

use super::{Encoding, Instant, Reading};
use crate::{
    cause_id::CauseId,
    checks::{date, duration},
    evidence::host::{self, Environment, HostKind, Url},
    finding::{Cause, Confidence, Outcome, Severity},
    probe::token_url,
    secret::mask_client_id,
};

pub const LOGIN: &str = "https://login.salesforce.com";
pub const TEST: &str = "https://test.salesforce.com";

const RSA_SHA256: &str = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
const RSA_SHA1: &str = "http://www.w3.org/2000/09/xmldsig#rsa-sha1";
const SHA256: &str = "http://www.w3.org/2001/04/xmlenc#sha256";
const SHA1: &str = "http://www.w3.org/2000/09/xmldsig#sha1";

/// What the rules compare the assertion with.
pub struct Context<'a> {
    pub client_id: Option<&'a str>,
    pub username: Option<&'a str>,
    /// The login URL the assertion is posted to, and what kind of host it is, when known.
    pub host: Option<(&'a str, &'a HostKind)>,
    pub now: i64,
    /// The certificates the signature should come from (`--cert` or the app's, the key's public
    /// half): a label and the SPKI SHA-256.
    pub expected_keys: Vec<(String, String)>,
    /// The assertion came from a captured failure: it may simply have aged since.
    pub captured: bool,
}

const SIGNATURE_NOT_VERIFIED: &str =
    "the XML signature itself is not verified (sfjwt pairs the embedded certificate with the app's instead)";

fn read(reading: &Reading) -> Result<&super::Assertion, Outcome> {
    reading
        .assertion
        .as_ref()
        .ok_or_else(|| Outcome::skip("no SAML assertion to read (the SAML assertion line says why)"))
}

/// Is it a SAML 2.0 assertion the grant takes, encoded as the grant asks?
pub fn structure(reading: &Reading) -> Outcome {
    let mut causes = Vec::new();
    if let Some(problem) = &reading.problem {
        causes.push(Cause::new(CauseId::SamlNotSaml).evidence(format!("the assertion given: {problem}")));
    }
    if reading.encoding == Encoding::Base64 {
        causes.push(
            Cause::new(CauseId::SamlNotBase64url)
                .confidence(Confidence::Medium)
                .evidence("it is standard base64 (`+`, `/`, `=` padding or line breaks), not base64url without padding")
                .evidence_opt(reading.in_form.then(|| {
                    "in a form body an unescaped `+` reads as a space, which breaks the assertion".to_string()
                })),
        );
    }
    let how = format!("{}{}", reading.encoding.describe(), if reading.in_form { ", in a form body" } else { "" });
    let summary = match &reading.assertion {
        Some(assertion) => format!(
            "a SAML {} assertion ({how}){}",
            assertion.version.as_deref().unwrap_or("(no Version)"),
            assertion.id.as_deref().map(|id| format!(", ID {id}")).unwrap_or_default()
        ),
        None => format!("not a SAML 2.0 assertion ({how})"),
    };
    let outcome = if causes.is_empty() { Outcome::pass(summary) } else { Outcome::found(summary, causes) };
    match reading.encoding {
        Encoding::Xml => outcome.detail("given as XML: sfjwt sends it base64url-encoded, as the grant asks"),
        _ => outcome,
    }
}

/// Signed, with a documented algorithm, by the key whose certificate the app holds.
pub fn signature(reading: &Reading, ctx: &Context) -> Outcome {
    let assertion = match read(reading) {
        Ok(a) => a,
        Err(skip) => return skip,
    };
    let Some(signature) = &assertion.signature else {
        return Outcome::found(
            "not signed",
            vec![Cause::new(CauseId::SamlUnsigned).evidence("the assertion has no <ds:Signature> element of its own")],
        );
    };
    let mut causes = Vec::new();
    if !signature.has_value {
        causes.push(Cause::new(CauseId::SamlUnsigned).evidence("its <ds:Signature> has no SignatureValue"));
    }
    let own_id = assertion.id.as_deref().map(|id| format!("#{id}"));
    match (&signature.reference_uri, &own_id) {
        (None, _) => causes.push(Cause::new(CauseId::SamlUnsigned).evidence("its <ds:Signature> has no Reference")),
        (Some(uri), Some(own)) if !uri.is_empty() && uri != own => {
            causes.push(Cause::new(CauseId::SamlUnsigned).evidence(format!(
                "the signature's Reference is {uri}, not this assertion's ID {own}: it signs something else"
            )))
        }
        _ => {}
    }
    let method = signature.method.as_deref().unwrap_or("none");
    let digest = signature.digest.as_deref().unwrap_or("none");
    if ![RSA_SHA256, RSA_SHA1].contains(&method) {
        causes.push(
            Cause::new(CauseId::SamlSignatureAlgorithm)
                .evidence(format!("SignatureMethod is {method}; Salesforce documents RSA with SHA-256 or SHA-1")),
        );
    }
    if ![SHA256, SHA1].contains(&digest) {
        causes.push(
            Cause::new(CauseId::SamlSignatureAlgorithm)
                .evidence(format!("DigestMethod is {digest}; Salesforce documents SHA-256 or SHA-1")),
        );
    }
    let mut details = vec![SIGNATURE_NOT_VERIFIED.to_string()];
    match &signature.certificate {
        None => details.push("no certificate is embedded in the signature: nothing to pair with the app's".into()),
        Some(embedded) => match (&embedded.spki_sha256, &embedded.problem) {
            (_, Some(problem)) => details.push(format!("the embedded X509Certificate cannot be read: {problem}")),
            (Some(spki), None) if ctx.expected_keys.is_empty() => details.push(format!(
                "embedded certificate SPKI SHA-256 {spki}; give --cert or the app's metadata to pair it"
            )),
            (Some(spki), None) => match ctx.expected_keys.iter().find(|(_, expected)| expected == spki) {
                Some((label, _)) => details.push(format!("the embedded certificate is {label} (SPKI SHA-256 {spki})")),
                None => {
                    let mut cause = Cause::new(CauseId::SamlCertMismatch).evidence(format!(
                        "the certificate embedded in the signature has SPKI SHA-256 {spki}{}",
                        embedded.subject.as_deref().map(|s| format!(" ({s})")).unwrap_or_default()
                    ));
                    for (label, expected) in &ctx.expected_keys {
                        cause = cause.evidence(format!("{label} has SPKI SHA-256 {expected}"));
                    }
                    causes.push(cause.evidence("Salesforce verifies the signature with the certificate on the app, so it cannot verify this one"));
                }
            },
            (None, None) => {}
        },
    }
    let summary = format!("signed, {} ({})", algorithm_name(method), "not verified");
    let mut outcome = if causes.is_empty() { Outcome::pass(summary) } else { Outcome::found(summary, causes) };
    outcome.details = details;
    outcome
}

fn algorithm_name(uri: &str) -> &str {
    match uri {
        RSA_SHA256 => "RSA-SHA256",
        RSA_SHA1 => "RSA-SHA1",
        other => other.rsplit(['#', '/']).next().unwrap_or(other),
    }
}

/// The Issuer is the connected app's consumer key.
pub fn issuer(reading: &Reading, ctx: &Context) -> Outcome {
    let assertion = match read(reading) {
        Ok(a) => a,
        Err(skip) => return skip,
    };
    let Some(issuer) = assertion.issuer.as_deref() else {
        return Outcome::found(
            "no Issuer",
            vec![Cause::new(CauseId::SamlIssuerNotConsumerKey).evidence("the assertion has no <saml:Issuer>")],
        );
    };
    let shown =
        if issuer.len() > 12 && issuer.starts_with("3MVG") { mask_client_id(issuer) } else { issuer.to_string() };
    let mut causes = Vec::new();
    if let Some(problem) = crate::checks::claims::not_a_consumer_key(issuer) {
        let entity_id = issuer.starts_with("http") || issuer.starts_with("urn:");
        causes.push(Cause::new(CauseId::SamlIssuerNotConsumerKey).evidence(format!("Issuer {shown:?}: {problem}")).evidence_opt(
            entity_id.then(|| "an identity provider's entity ID belongs in single sign-on; this grant takes the app's consumer key".to_string()),
        ));
    }
    if let Some(client_id) = ctx.client_id
        && client_id != issuer
    {
        causes.push(
            Cause::new(CauseId::SamlIssuerNotConsumerKey)
                .evidence(format!("Issuer {shown} but --client-id {}", mask_client_id(client_id))),
        );
    }
    if causes.is_empty() {
        Outcome::pass(format!("Issuer {shown}"))
    } else {
        Outcome::found(format!("Issuer {shown}"), causes)
    }
}

/// A `NameID` that is the username, confirmed by bearer, with a Recipient that is the token endpoint.
pub fn subject(reading: &Reading, ctx: &Context) -> Outcome {
    let assertion = match read(reading) {
        Ok(a) => a,
        Err(skip) => return skip,
    };
    let mut causes = Vec::new();
    match assertion.name_id.as_deref() {
        None => causes.push(Cause::new(CauseId::SamlNameidNotUsername).evidence("the Subject has no NameID")),
        Some(name_id) => {
            if let Some(problem) = not_a_username(name_id) {
                causes.push(
                    Cause::new(CauseId::SamlNameidNotUsername)
                        .evidence(format!("NameID {name_id:?}: {problem}"))
                        .evidence_opt(
                            assertion
                                .name_id_format
                                .as_ref()
                                .filter(|f| f.ends_with(":persistent") || f.ends_with(":transient"))
                                .map(|f| {
                                    format!(
                                        "its Format is {f}; the username goes in an unspecified or emailAddress NameID"
                                    )
                                }),
                        ),
                );
            }
            if let Some(username) = ctx.username
                && username != name_id
            {
                let how = if username.eq_ignore_ascii_case(name_id) { " (they differ only in case)" } else { "" };
                causes.push(
                    Cause::new(CauseId::SamlNameidNotUsername)
                        .var("username", username)
                        .evidence(format!("NameID {name_id:?} but --username {username:?}{how}")),
                );
            }
        }
    }
    let Some(bearer) = assertion.bearer() else {
        let methods: Vec<&str> =
            assertion.confirmations.iter().map(|c| c.method.as_deref().unwrap_or("(no Method)")).collect();
        let seen = if methods.is_empty() {
            "the Subject has no SubjectConfirmation".to_string()
        } else {
            format!("its SubjectConfirmation Method is {}", methods.join(", "))
        };
        causes.push(
            Cause::new(CauseId::SamlSubjectConfirmationNotBearer)
                .evidence(format!("{seen}; the grant needs Method {}", super::BEARER_METHOD)),
        );
        return finish(assertion, causes);
    };
    if let Some(cause) = recipient(bearer.recipient.as_deref(), bearer.has_data, assertion, ctx) {
        causes.push(cause);
    }
    finish(assertion, causes)
}

fn finish(assertion: &super::Assertion, causes: Vec<Cause>) -> Outcome {
    let summary = format!("NameID {}", assertion.name_id.as_deref().unwrap_or("(none)"));
    if causes.is_empty() { Outcome::pass(format!("{summary}, bearer")) } else { Outcome::found(summary, causes) }
}

fn not_a_username(name_id: &str) -> Option<&'static str> {
    if name_id.starts_with("http://") || name_id.starts_with("https://") {
        return Some("it is a URL; the NameID takes the Salesforce username");
    }
    if (name_id.len() == 15 || name_id.len() == 18)
        && name_id.starts_with("005")
        && name_id.chars().all(|c| c.is_ascii_alphanumeric())
    {
        return Some("it is a user id; the NameID takes the username (user@example.com)");
    }
    if !name_id.contains('@') {
        return Some("a Salesforce username has the form of an email address");
    }
    None
}

/// The token endpoints this assertion may name as its Recipient: login's and test's (the documented
/// values), the site's for Experience Cloud, and the endpoint it is posted to (RFC 7522 §3).
fn recipient(recipient: Option<&str>, has_data: bool, assertion: &super::Assertion, ctx: &Context) -> Option<Cause> {
    let Some(recipient) = recipient else {
        let what = if has_data {
            "its SubjectConfirmationData has no Recipient"
        } else {
            "the bearer SubjectConfirmation has no SubjectConfirmationData"
        };
        return Some(
            Cause::new(CauseId::SamlRecipientMismatch)
                .evidence(format!("{what}; the Recipient names the token endpoint")),
        );
    };
    let mut accepted: Vec<String> = vec![token_url(LOGIN), token_url(TEST)];
    if let Some((login, kind)) = ctx.host
        && matches!(
            kind,
            HostKind::ExperienceSite
                | HostKind::MyDomain { .. }
                | HostKind::SandboxMyDomain { .. }
                | HostKind::ScratchMyDomain { .. }
                | HostKind::Loopback
        )
    {
        accepted.push(token_url(login.trim_end_matches('/')));
    }
    if !recipient.ends_with("/services/oauth2/token") {
        return Some(
            Cause::new(CauseId::SamlRecipientMismatch)
                .evidence(format!("Recipient {recipient} is not a token endpoint URL"))
                .evidence(format!("use {}", token_url(LOGIN))),
        );
    }
    if !accepted.iter().any(|a| a == recipient) {
        return Some(
            Cause::new(CauseId::SamlRecipientMismatch)
                .evidence(format!("Recipient {recipient} is not the token endpoint of the login host"))
                .evidence(format!("documented: {} or {}", token_url(LOGIN), token_url(TEST))),
        );
    }
    // login's Recipient with test's Audience (or the reverse) names two different servers.
    let env = |url: &str| Url::parse(url).map(|u| host::classify_host(&u)).ok();
    let recipient_kind = env(recipient);
    let audience_kinds: Vec<HostKind> = assertion.audiences.iter().filter_map(|a| env(a)).collect();
    let disagree = |a: &HostKind, b: &HostKind| {
        matches!((a, b), (HostKind::Login, HostKind::Test) | (HostKind::Test, HostKind::Login))
    };
    if let Some(r) = &recipient_kind
        && !audience_kinds.is_empty()
        && audience_kinds.iter().all(|a| disagree(r, a))
    {
        return Some(Cause::new(CauseId::SamlRecipientMismatch).evidence(format!(
            "Recipient {recipient} names {} but the Audience names the other login host",
            r.describe()
        )));
    }
    None
}

/// An Audience Salesforce documents, for the environment the assertion goes to.
pub fn audience(reading: &Reading, ctx: &Context) -> Outcome {
    let assertion = match read(reading) {
        Ok(a) => a,
        Err(skip) => return skip,
    };
    let invalid = |line: String| Cause::new(CauseId::SamlAudienceInvalid).evidence(line);
    if assertion.audiences.is_empty() {
        let line = if assertion.has_conditions {
            "its Conditions have no AudienceRestriction/Audience"
        } else {
            "the assertion has no Conditions, so no Audience"
        };
        return Outcome::found(
            "no Audience",
            vec![invalid(line.into()).evidence(format!("use {LOGIN} (production) or {TEST} (sandbox)"))],
        );
    }
    let site = ctx
        .host
        .filter(|(_, kind)| matches!(kind, HostKind::ExperienceSite))
        .map(|(login, _)| login.trim_end_matches('/'));
    let documented = |aud: &str| aud == LOGIN || aud == TEST || Some(aud) == site;
    let summary = format!("Audience {}", assertion.audiences.join(", "));
    let Some(aud) = assertion.audiences.iter().find(|a| documented(a)) else {
        let aud = &assertion.audiences[0];
        let kind = Url::parse(aud).map(|u| host::classify_host(&u)).ok();
        let cause = match kind {
            Some(HostKind::Login | HostKind::Test)
                if aud.trim_end_matches('/') == LOGIN || aud.trim_end_matches('/') == TEST =>
            {
                invalid(format!("Audience {aud:?} differs from the documented value by a trailing slash"))
                    .severity(Severity::Warning)
                    .confidence(Confidence::Low)
            }
            Some(HostKind::MyDomain { .. } | HostKind::SandboxMyDomain { .. } | HostKind::ScratchMyDomain { .. }) => {
                invalid(format!(
                    "Audience {aud} is a My Domain URL; Salesforce documents only {LOGIN} and {TEST} for this flow"
                ))
                .severity(Severity::Warning)
                .confidence(Confidence::Low)
                .confirm("the token endpoint's answer settles it: run without --offline")
            }
            _ if aud.contains("/services/oauth2/token") => invalid(format!(
                "Audience {aud} is the token endpoint; the Audience is the login host, the Recipient the token endpoint"
            )),
            _ => invalid(format!("Audience {aud} is not {LOGIN} or {TEST}")),
        };
        return Outcome::found(summary, vec![cause]);
    };
    // test's Audience posted to production (or the reverse) names the wrong authorization server.
    if let Some((login, kind)) = ctx.host {
        let aud_env = if aud == LOGIN {
            Environment::Production
        } else if aud == TEST {
            Environment::Sandbox
        } else {
            Environment::Unknown
        };
        let host_env = kind.environment();
        if aud_env != Environment::Unknown
            && host_env != Environment::Unknown
            && aud_env.is_sandbox_like() != host_env.is_sandbox_like()
        {
            return Outcome::found(
                summary,
                vec![invalid(format!(
                    "Audience {aud} names {} but the assertion goes to {login}, {}",
                    aud_env.label(),
                    kind.describe()
                ))],
            );
        }
    }
    Outcome::pass(summary)
}

/// Inside its validity window by the (pinned) clock.
pub fn validity(reading: &Reading, ctx: &Context) -> Outcome {
    let assertion = match read(reading) {
        Ok(a) => a,
        Err(skip) => return skip,
    };
    let now = ctx.now;
    let mut causes = Vec::new();
    let unreadable = |what: &str, instant: &Instant| {
        format!("{what} {:?} is not an xs:dateTime in UTC (such as 2027-01-01T00:00:00Z)", instant.raw)
    };
    let Some(expiry) = assertion.expiry() else {
        return Outcome::found(
            "no NotOnOrAfter",
            vec![Cause::new(CauseId::SamlExpired).evidence("neither Conditions nor the bearer SubjectConfirmationData has NotOnOrAfter; RFC 7522 requires an expiry")],
        );
    };
    let Some(expires) = expiry.unix else {
        return Outcome::found(
            "NotOnOrAfter unreadable",
            vec![Cause::new(CauseId::SamlExpired).evidence(unreadable("NotOnOrAfter", expiry))],
        );
    };
    let mut summary = format!("valid until {} ({})", date(expires), relative(expires - now));
    // The bearer confirmation's own NotOnOrAfter counts too: a passed one voids the confirmation.
    let confirmation_expires = assertion.bearer().and_then(|c| c.not_on_or_after.as_ref()).and_then(|i| i.unix);
    let ended = [Some(expires), confirmation_expires].into_iter().flatten().min().unwrap_or(expires);
    if ended <= now {
        let issued = assertion.issue_instant.as_ref().and_then(|i| i.unix);
        // Like a JWT with a sane iat–exp window: one that simply aged since it was made (a capture,
        // a copy from a log) is not what failed; one that expired on arrival is.
        let aged = issued.is_some_and(|issued| (30..=3_600).contains(&(ended - issued)));
        if aged {
            summary = format!(
                "NotOnOrAfter passed {} ago; the assertion aged since IssueInstant {}",
                duration(now - ended),
                date(issued.unwrap_or_default())
            );
        } else {
            causes.push(Cause::new(CauseId::SamlExpired).evidence(format!("NotOnOrAfter {} is {} in the past", date(ended), duration(now - ended))).evidence_opt(
                issued.filter(|&i| ended <= i).map(|i| format!("it expired before it was issued (IssueInstant {}): a clock or time-zone error where it is built", date(i))),
            ));
        }
    }
    for (what, instant) in [
        ("Conditions NotBefore", assertion.not_before.as_ref()),
        ("SubjectConfirmationData NotBefore", assertion.bearer().and_then(|c| c.not_before.as_ref())),
    ] {
        let Some(instant) = instant else { continue };
        match instant.unix {
            None => causes.push(Cause::new(CauseId::SamlNotYetValid).evidence(unreadable(what, instant))),
            Some(start) if start > now && !ctx.captured => {
                causes.push(Cause::new(CauseId::SamlNotYetValid).evidence(format!(
                    "{what} {} is {} in the future",
                    date(start),
                    duration(start - now)
                )))
            }
            Some(_) => {}
        }
    }
    if !causes.is_empty() {
        summary = format!(
            "NotBefore {} – NotOnOrAfter {}",
            assertion.not_before.as_ref().map_or("(none)", |i| i.raw.as_str()),
            expiry.raw
        );
        return Outcome::found(summary, causes);
    }
    Outcome::pass(summary)
}

fn relative(delta: i64) -> String {
    if delta >= 0 { format!("in {}", duration(delta)) } else { format!("{} ago", duration(delta)) }
}
