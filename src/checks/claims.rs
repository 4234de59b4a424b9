//! The claims Salesforce reads: iss, sub (or prn), aud and exp.

use serde_json::Value;

use super::{date, duration};
use crate::cause_id::CauseId;
use crate::{
    evidence::{
        AssertionEvidence, Evidence,
        host::{self, Environment, HostKind, Url},
        jwt::Claims,
    },
    finding::{Cause, Confidence, Outcome, Severity, Status},
    secret::mask_client_id,
    symptom::Symptom,
};

/// exp above this is milliseconds (year 5138 if read as seconds).
const MILLISECONDS_THRESHOLD: f64 = 1e11;
/// A validity window shorter than this can expire in flight.
const MIN_WINDOW_SECONDS: i64 = 30;

fn claims(ev: &Evidence) -> Result<Claims, Outcome> {
    ev.assertion.claims().ok_or_else(|| match &ev.assertion {
        crate::evidence::AssertionEvidence::Missing(reason) => Outcome::skip(reason.clone()),
        _ => Outcome::skip("the claims could not be decoded (the Assertion line says why)"),
    })
}

/// The claims checks in the order the Claims line shows them.
const CHECKS: [fn(&Evidence) -> Outcome; 4] = [issuer_of, subject_of, audience_of, expiry_of];

/// Says which JWT the Claims line describes when it is the one a client sent (`--error`): the
/// first summary the line shows (the first failing check's, or the issuer's when all pass) starts
/// with `the assertion the client sent to …:`.
fn labelled(ev: &Evidence, index: usize) -> Outcome {
    let outcome = CHECKS[index](ev);
    let sent = matches!(&ev.assertion, AssertionEvidence::Given { sent: Some(_), .. });
    let (true, Some(which)) = (sent, ev.assertion.described()) else { return outcome };
    let failing = |o: &Outcome| !matches!(o.status, Status::Pass | Status::Skip);
    let first_failing =
        (0..CHECKS.len()).find(|&i| if i == index { failing(&outcome) } else { failing(&CHECKS[i](ev)) });
    let shown_first = first_failing.unwrap_or(0) == index && outcome.status != Status::Skip;
    if !shown_first {
        return outcome;
    }
    Outcome { summary: format!("{which}: {}", outcome.summary), ..outcome }
}

fn text<'a>(claims: &'a Claims, name: &str) -> Option<&'a str> {
    claims.get(name).and_then(Value::as_str)
}

pub fn issuer(ev: &Evidence) -> Outcome {
    labelled(ev, 0)
}

fn issuer_of(ev: &Evidence) -> Outcome {
    let claims = match claims(ev) {
        Ok(c) => c,
        Err(skip) => return skip,
    };
    let Some(value) = claims.get("iss") else {
        return Outcome::found(
            "no iss",
            vec![Cause::new(CauseId::ClaimsIssMissing).evidence("the claims have no `iss`")],
        );
    };
    let Some(iss) = value.as_str() else {
        return Outcome::found(
            "iss is not a string",
            vec![
                Cause::new(CauseId::ClaimsIssNotConsumerKey)
                    .evidence(format!("iss is the JSON value {value}, not a string")),
            ],
        );
    };
    let mut causes = Vec::new();
    if let Some(problem) = not_a_consumer_key(iss) {
        causes
            .push(Cause::new(CauseId::ClaimsIssNotConsumerKey).evidence(format!("iss {}: {problem}", shown_iss(iss))));
    } else if !iss.starts_with("3MVG") {
        causes.push(
            Cause::new(CauseId::ClaimsIssNotConsumerKey)
                .severity(Severity::Warning)
                .confidence(Confidence::Low)
                .evidence(format!("iss {} does not start with `3MVG` like generated consumer keys", shown_iss(iss)))
                .confirm("a custom consumer key set at creation is valid; compare with App Manager → View → Manage Consumer Details"),
        );
    }
    if let Some(client_id) = &ev.inputs.client_id
        && client_id.value != iss
    {
        let how = if client_id.value.trim() == iss.trim() { " (they differ only in whitespace)" } else { "" };
        causes.push(Cause::new(CauseId::ClaimsIssMismatch).evidence(format!(
            "iss {} but --client-id {}{how}",
            shown_iss(iss),
            mask_client_id(&client_id.value)
        )));
    }
    if causes.is_empty() {
        Outcome::pass(format!("iss {}", mask_client_id(iss)))
    } else {
        Outcome::found(format!("iss {}", shown_iss(iss)), causes)
    }
}

fn shown_iss(iss: &str) -> String {
    if iss.len() > 12 { mask_client_id(iss) } else { format!("{iss:?}") }
}

/// Says why `iss` cannot be a consumer key, when it plainly cannot.
pub(crate) fn not_a_consumer_key(iss: &str) -> Option<&'static str> {
    if iss.is_empty() {
        return Some("it is empty");
    }
    if iss.trim() != iss || iss.contains(char::is_whitespace) {
        return Some("it contains whitespace (a copy-paste or a trailing newline from a secret)");
    }
    if iss.contains(['"', '\'']) {
        return Some("it contains quotes");
    }
    if ["RS256", "HS256", "RS512", "ES256", "none", "JWT"].contains(&iss) {
        return Some("it is an algorithm name, not a consumer key");
    }
    if iss.starts_with("http://") || iss.starts_with("https://") {
        return Some("it is a URL; iss takes the consumer key");
    }
    if iss.contains('@') {
        return Some("it looks like a username; the username belongs in sub");
    }
    if iss.len() == 64 && iss.chars().all(|c| c.is_ascii_hexdigit()) {
        return Some("it looks like a consumer secret (64 hex digits), which must never be sent");
    }
    None
}

pub fn subject(ev: &Evidence) -> Outcome {
    labelled(ev, 1)
}

fn subject_of(ev: &Evidence) -> Outcome {
    let claims = match claims(ev) {
        Ok(c) => c,
        Err(skip) => return skip,
    };
    // Salesforce reads `prn` when both are present (kept for backward compatibility).
    let (name, value) = match (claims.get("prn"), claims.get("sub")) {
        (Some(prn), _) => ("prn", prn),
        (None, Some(sub)) => ("sub", sub),
        (None, None) => {
            return Outcome::found(
                "no sub",
                vec![Cause::new(CauseId::ClaimsSubMissing).evidence("the claims have neither `sub` nor `prn`")],
            );
        }
    };
    let Some(sub) = value.as_str() else {
        return Outcome::found(
            format!("{name} is not a string"),
            vec![Cause::new(CauseId::ClaimsSubNotUsername).evidence(format!("{name} is the JSON value {value}"))],
        );
    };
    if let Some(aud) = text(&claims, "aud")
        && aud.contains('@')
        && (sub.starts_with("http") || sub.contains(".salesforce.com"))
    {
        return Outcome::found(
            "aud and sub are swapped",
            vec![
                Cause::new(CauseId::ClaimsAudSubSwapped)
                    .evidence(format!("sub is {sub:?} (a URL) and aud is {aud:?} (a username)")),
            ],
        );
    }
    let mut causes = Vec::new();
    if let Some(problem) = not_a_username(sub) {
        causes.push(Cause::new(CauseId::ClaimsSubNotUsername).evidence(format!("{name} {sub:?}: {problem}")));
    }
    if let Some(username) = &ev.inputs.username
        && username.value != sub
    {
        causes.push(Cause::new(CauseId::ClaimsSubMismatch).var("username", username.value.clone()).evidence(format!(
            "{name} {sub:?} but --username {:?}{}",
            username.value,
            how_they_differ(sub, &username.value)
        )));
    }
    if claims.contains_key("prn") && claims.contains_key("sub") && text(&claims, "sub") != Some(sub) {
        causes.push(
            Cause::new(CauseId::ClaimsSubMismatch)
                .severity(Severity::Warning)
                .evidence(format!("both prn and sub are present and differ; Salesforce uses prn {sub:?}")),
        );
    }
    if causes.is_empty() {
        Outcome::pass(format!("{name} {sub}"))
    } else {
        Outcome::found(format!("{name} {sub:?}"), causes)
    }
}

fn not_a_username(sub: &str) -> Option<&'static str> {
    if sub.starts_with("http://") || sub.starts_with("https://") {
        return Some("it is a URL; sub takes the username");
    }
    if (sub.len() == 15 || sub.len() == 18) && sub.starts_with("005") && sub.chars().all(|c| c.is_ascii_alphanumeric())
    {
        return Some("it is a user id; sub takes the username (user@example.com)");
    }
    if !sub.contains('@') && !sub.contains("%40") {
        return Some("a Salesforce username has the form of an email address");
    }
    if sub.trim() != sub {
        return Some("it has leading or trailing whitespace");
    }
    None
}

fn how_they_differ(sub: &str, username: &str) -> &'static str {
    if sub.trim() == username.trim() {
        " (they differ only in whitespace)"
    } else if sub.eq_ignore_ascii_case(username) {
        " (they differ only in case)"
    } else if sub.contains("&amp;") || sub.contains("&#") {
        " (sub is XML-escaped)"
    } else if sub.contains('%') {
        " (sub is URL-encoded)"
    } else {
        ""
    }
}

pub fn audience(ev: &Evidence) -> Outcome {
    labelled(ev, 2)
}

fn audience_of(ev: &Evidence) -> Outcome {
    let claims = match claims(ev) {
        Ok(c) => c,
        Err(skip) => return skip,
    };
    let aud = match claims.get("aud") {
        None => {
            return Outcome::found(
                "no aud",
                vec![Cause::new(CauseId::ClaimsAudMissing).evidence("the claims have no `aud`")],
            );
        }
        Some(Value::String(aud)) => aud.clone(),
        Some(Value::Array(items)) if items.len() == 1 && items[0].is_string() => {
            items[0].as_str().unwrap_or_default().to_string()
        }
        Some(other) => {
            return Outcome::found(
                "aud is not a single URL",
                vec![
                    Cause::new(CauseId::ClaimsAudInvalid)
                        .evidence(format!("aud is {other}; Salesforce expects one URL string")),
                ],
            );
        }
    };
    let recommended = ev.recommended_audience.clone();
    // A malformed aud may still name an environment (`test.salesforce.com/`, restforce's bare
    // host): when that is the wrong one too, both need fixing, so both are named.
    let named_environment = lenient_kind(&aud);
    let invalid = |reason: String| {
        let mut causes = vec![
            Cause::new(CauseId::ClaimsAudInvalid)
                .var("audience", recommended.clone())
                .evidence(format!("aud {aud:?}: {reason}"))
                .evidence(format!("for this host and username use {recommended}")),
        ];
        if let Some(mismatch) = named_environment.as_ref().and_then(|kind| environment_mismatch(kind, ev)) {
            causes.push(mismatch.var("audience", recommended.clone()));
        }
        Outcome::found(format!("aud {aud}"), causes)
    };
    let url = match Url::parse(&aud) {
        Ok(url) => url,
        Err(reason) => return invalid(reason),
    };
    let kind = host::classify_host(&url);
    let posted_to_loopback = matches!(ev.host.kind, HostKind::Loopback);
    if !(url.is_https() || posted_to_loopback && url.is_loopback()) {
        return invalid("it is http; the authorization server URL is https".into());
    }
    if url.path().contains("/services/oauth2") {
        return invalid("it is the token endpoint; aud takes the authorization server's URL alone".into());
    }
    let mut causes = Vec::new();
    match &kind {
        HostKind::Login | HostKind::Test if url.after_origin() != "/" => {
            return invalid("it has a path; the documented value is the bare host".into());
        }
        HostKind::Login | HostKind::Test => {}
        // A site's aud is its own URL, and it works only on the site's own token endpoint.
        HostKind::ExperienceSite if ev.host_known() && !same_host(&url, ev) && !posted_to_loopback => {
            return invalid(format!(
                "it is the Experience Cloud site {}, but the assertion is posted to {}; a site's aud only works on that site's token endpoint",
                url.origin(),
                ev.host.raw
            ));
        }
        HostKind::ExperienceSite => {}
        // Another org's (or another site's) host than the one the assertion is posted to.
        HostKind::MyDomain { .. } | HostKind::SandboxMyDomain { .. } | HostKind::ScratchMyDomain { .. }
            if is_org_host(&ev.host.kind) && !same_host(&url, ev) =>
        {
            return invalid(format!(
                "it names {}, but the assertion is posted to {}, another host",
                kind.describe(),
                ev.host.raw
            ));
        }
        HostKind::Loopback if posted_to_loopback => {}
        HostKind::MyDomain { .. } | HostKind::SandboxMyDomain { .. } | HostKind::ScratchMyDomain { .. } => causes.push(
            Cause::new(CauseId::ClaimsAudMyDomain)
                .var("audience", recommended.clone())
                .confidence(Confidence::Medium)
                .evidence(format!("aud is the My Domain URL {aud}"))
                .evidence(format!(
                    "some orgs accept it and some answer `audience is invalid`; {recommended} is the documented value"
                ))
                .confirm_if(!ev.has_answer(), "the token endpoint's answer settles it: run without --offline"),
        ),
        HostKind::Instance { .. } if url.host().starts_with("gs1.") => {}
        _ => return invalid(format!("it is {}, not an authorization server", kind.describe())),
    }
    if let Some(mismatch) = environment_mismatch(&kind, ev) {
        causes.push(mismatch.var("audience", recommended.clone()));
    }
    if causes.is_empty() { Outcome::pass(format!("aud {aud}")) } else { Outcome::found(format!("aud {aud}"), causes) }
}

/// What a malformed aud's host is, when one can be read from it (`test.salesforce.com/x`).
fn lenient_kind(aud: &str) -> Option<HostKind> {
    let lower = aud.trim().to_ascii_lowercase();
    let rest = lower.split_once("://").map_or(lower.as_str(), |(_, rest)| rest);
    let host = rest.split(['/', '?', '#']).next()?.split(':').next()?;
    Url::parse(&format!("https://{host}")).ok().map(|url| host::classify_host(&url))
}

/// Whether `url` names the host the assertion is posted to.
fn same_host(url: &Url, ev: &Evidence) -> bool {
    ev.host.url.as_ref().is_ok_and(|host| host.host().eq_ignore_ascii_case(url.host()))
}

/// A host that belongs to one org: a My Domain or an Experience Cloud site.
fn is_org_host(kind: &HostKind) -> bool {
    matches!(
        kind,
        HostKind::MyDomain { .. }
            | HostKind::SandboxMyDomain { .. }
            | HostKind::ScratchMyDomain { .. }
            | HostKind::ExperienceSite
    )
}

/// aud names production while the host or username is a sandbox, or the reverse.
fn environment_mismatch(aud_kind: &HostKind, ev: &Evidence) -> Option<Cause> {
    let aud_env = match aud_kind {
        HostKind::Login => Environment::Production,
        HostKind::Test => Environment::Sandbox,
        _ => return None,
    };
    let host_env = ev.host.kind.environment();
    let (other_env, why, confidence) = if host_env != Environment::Unknown {
        (host_env, format!("the login host {} is {}", ev.host.raw, ev.host.kind.describe()), Confidence::High)
    } else {
        let shape = ev.username.as_ref()?;
        if shape.confidence == Confidence::Low {
            return None;
        }
        (shape.environment, "the username has a sandbox suffix".to_string(), shape.confidence)
    };
    if other_env == Environment::Unknown || aud_env.is_sandbox_like() == other_env.is_sandbox_like() {
        return None;
    }
    Some(
        Cause::new(CauseId::ClaimsAudEnvironmentMismatch)
            .confidence(confidence)
            .evidence(format!("aud names {} but {why}", aud_env.label()))
            .evidence(format!("use {}", ev.recommended_audience)),
    )
}

pub fn expiry(ev: &Evidence) -> Outcome {
    labelled(ev, 3)
}

fn expiry_of(ev: &Evidence) -> Outcome {
    let claims = match claims(ev) {
        Ok(c) => c,
        Err(skip) => return skip,
    };
    let Some(raw) = claims.get("exp") else {
        return Outcome::found(
            "no exp",
            vec![Cause::new(CauseId::ClaimsExpMissing).evidence("the claims have no `exp`")],
        );
    };
    let mut causes = Vec::new();
    let exp = match raw {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => {
            causes.push(
                Cause::new(CauseId::ClaimsExpNotNumber)
                    .confidence(Confidence::Low)
                    .evidence(format!("exp is the string {s:?}; RFC 7519 makes it a JSON number")),
            );
            s.trim().parse::<f64>().ok()
        }
        _ => None,
    };
    let Some(exp) = exp else {
        causes.push(Cause::new(CauseId::ClaimsExpMissing).evidence(format!("exp is {raw}, not a time")));
        return Outcome::found("exp is not a time", causes);
    };
    if exp > MILLISECONDS_THRESHOLD {
        causes.push(
            Cause::new(CauseId::ClaimsExpMilliseconds)
                .evidence(format!("exp {exp} is in milliseconds ({} as such)", date((exp / 1000.0) as i64)))
                .evidence("the sf CLI itself sends milliseconds and Salesforce accepts them"),
        );
        return Outcome::found("exp in milliseconds", causes);
    }
    // Any time the claims can hold stays far from i64's ends, so the arithmetic below cannot overflow.
    const FAR: i64 = 1 << 40;
    let exp = (exp as i64).clamp(-FAR, FAR);
    let iat = claims.get("iat").and_then(Value::as_i64).map(|iat| iat.clamp(-FAR, FAR));
    // A captured assertion was sent in the past: judge it by the time of the answer to it.
    let now = match &ev.assertion {
        AssertionEvidence::Given { sent: Some(sent), .. } => match sent.at {
            Some(at) => at,
            None => return window_only(exp, iat, causes),
        },
        _ => ev.inputs.now,
    };
    let mut outcome_summary = format!("exp {}", relative(exp - now));
    if now != ev.inputs.now {
        outcome_summary = format!("exp {} the answer's Date", relative_to(exp - now));
    }
    if let Some(window) = iat.map(|iat| exp - iat)
        && window < MIN_WINDOW_SECONDS
    {
        causes.push(
            Cause::new(CauseId::ClaimsExpTooShort)
                .evidence(format!("exp − iat is {window} s: the assertion can expire before Salesforce reads it")),
        );
    } else if exp > now && exp - now < MIN_WINDOW_SECONDS && iat.is_none() {
        causes.push(Cause::new(CauseId::ClaimsExpTooShort).evidence(format!("exp is only {} s from now", exp - now)));
    }
    if exp < now {
        let age = now - exp;
        let issued_sanely = iat.is_some_and(|iat| iat <= now && (MIN_WINDOW_SECONDS..=3_600).contains(&(exp - iat)));
        if let Some(hours) = whole_hours(exp - now, iat.map(|iat| iat - now)) {
            causes.push(
                Cause::new(CauseId::ClaimsExpTimezoneShift)
                    .confidence(Confidence::Medium)
                    .evidence(format!(
                        "exp is {} in the past, about {hours} whole hour(s): a local-time/UTC mix-up",
                        duration(age)
                    ))
                    .evidence("compute exp from the epoch in UTC: now in seconds + 180"),
            );
        } else if issued_sanely {
            outcome_summary = format!(
                "exp passed {} ago; the assertion aged since iat {}",
                duration(age),
                date(iat.unwrap_or_default())
            );
        } else {
            causes.push(Cause::new(CauseId::ClaimsExpExpired).evidence(format!(
                "exp {} is {} in the past",
                date(exp),
                duration(age)
            )));
        }
    }
    // Salesforce judged the captured assertion already: an exp it found too old shows in its
    // answer (`expired authorization code`), so these hold only if that is what it said.
    let judged = matches!(&ev.assertion, AssertionEvidence::Given { sent: Some(_), .. })
        && ev.captured.as_ref().is_some_and(|c| !c.parsed.answers.is_empty());
    if judged {
        for cause in causes.iter_mut().filter(|c| c.id.explains().contains(&Symptom::ExpiredAuthorizationCode)) {
            cause.latent = true;
        }
    }
    Outcome::found(outcome_summary, causes).detail(format!("exp {}", date(exp)))
}

/// A captured assertion without a `Date` to judge it by: only its own window can be checked.
fn window_only(exp: i64, iat: Option<i64>, mut causes: Vec<Cause>) -> Outcome {
    if let Some(window) = iat.map(|iat| exp - iat)
        && window < MIN_WINDOW_SECONDS
    {
        causes.push(
            Cause::new(CauseId::ClaimsExpTooShort)
                .evidence(format!("exp − iat is {window} s: the assertion can expire before Salesforce reads it")),
        );
    }
    let summary = format!("exp {} (the capture has no Date header to judge it by)", date(exp));
    if causes.is_empty() { Outcome::pass(summary) } else { Outcome::found(summary, causes) }
}

fn relative_to(delta: i64) -> String {
    if delta >= 0 { format!("{} after", duration(delta)) } else { format!("{} before", duration(delta)) }
}

fn relative(delta: i64) -> String {
    if delta >= 0 { format!("in {}", duration(delta)) } else { format!("{} ago", duration(delta)) }
}

/// When exp (or iat) sits a whole number of hours off now, within the usual validity slack.
fn whole_hours(exp_delta: i64, iat_delta: Option<i64>) -> Option<i64> {
    let near = |delta: i64, slack: i64| (1..=14).find(|hours| (delta + hours * 3_600).abs() <= slack);
    // iat, when present, pins the shift exactly; exp alone carries the client's validity window.
    match iat_delta {
        Some(d) => near(d, 120),
        None => near(exp_delta - 300, 360),
    }
}
