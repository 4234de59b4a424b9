//! The token endpoint as a place on the network: reachable, answering like Salesforce, and
//! keeping the same time as we do.

use crate::cause_id::CauseId;
use crate::{
    evidence::{Evidence, ProbeEvidence},
    finding::{Cause, Confidence, Outcome, Severity},
    probe::{Attempt, Outcome as Answered},
};

/// Salesforce's documented allowance for clock skew on `exp`.
const SKEW_ALLOWANCE_SECONDS: i64 = 180;
/// Below the allowance but worth a warning: the margin is being eaten.
const SKEW_WARNING_SECONDS: i64 = 30;

pub fn reach(ev: &Evidence) -> Outcome {
    let probe = match &ev.probe {
        ProbeEvidence::Skipped(reason) => return Outcome::skip(reason.clone()),
        ProbeEvidence::Done(probe) => probe,
    };
    let mut causes = Vec::new();
    for attempt in &probe.attempts {
        if let Some(cause) = network_cause(attempt, ev.inputs.context.proxy.as_ref()) {
            causes.push(cause);
        }
    }
    let answered =
        probe.attempts.iter().filter(|a| matches!(a.outcome, Answered::Token(_) | Answered::Answer(_))).count();
    let summary = match probe.attempts.len() {
        1 => format!("POST {} ({} ms)", probe.attempts[0].token_url, probe.attempts[0].elapsed_ms),
        n => format!("{answered} of {n} attempts answered"),
    };
    let mut outcome = if causes.is_empty() { Outcome::pass(summary) } else { Outcome::found(summary, causes) };
    for attempt in &probe.attempts {
        outcome =
            outcome.detail(format!("{} aud={}: {}", attempt.token_url, attempt.audience, describe(&attempt.outcome)));
    }
    outcome
}

fn network_cause(attempt: &Attempt, proxy: Option<&(&'static str, String)>) -> Option<Cause> {
    let at = format!("POST {}", attempt.token_url);
    match &attempt.outcome {
        Answered::Network { failure, tls: true } => {
            Some(Cause::new(CauseId::EndpointTls).evidence(format!("{at}: {failure}")).evidence(
                "a proxy that re-signs HTTPS traffic is the usual cause; its CA must be in the system trust store",
            ))
        }
        Answered::Network { failure, .. } => Some(
            Cause::new(CauseId::EndpointUnreachable).evidence(format!("{at}: {failure}")).evidence(proxy_note(proxy)),
        ),
        Answered::Unexpected { status, location: Some(location), .. } => Some(
            Cause::new(CauseId::EndpointUnexpectedResponse)
                .evidence(format!("{at}: HTTP {status} redirect to {location}"))
                .evidence("sfjwt does not follow redirects with an assertion; the token endpoint answers directly"),
        ),
        Answered::Unexpected { status, content_type, snippet, .. } => Some(
            Cause::new(CauseId::EndpointUnexpectedResponse)
                .evidence(format!("{at}: HTTP {status}, {}", content_type.as_deref().unwrap_or("no content type")))
                .evidence(format!("body: {snippet}")),
        ),
        _ => None,
    }
}

fn proxy_note(proxy: Option<&(&str, String)>) -> String {
    match proxy {
        Some((name, masked)) => format!("{name} is set ({masked}); check the proxy and NO_PROXY"),
        None => "no HTTPS_PROXY is set; if this network needs a proxy, set HTTPS_PROXY (and NO_PROXY)".into(),
    }
}

pub fn describe(outcome: &Answered) -> String {
    match outcome {
        Answered::Token(info) => format!("token issued (scopes: {})", info.scopes.join(" ")),
        Answered::Answer(answer) => format!("HTTP {} {}", answer.http_status.unwrap_or(0), answer.text()),
        Answered::Unexpected { status, location: Some(location), .. } => {
            format!("HTTP {status} redirect to {location} (not followed)")
        }
        Answered::Unexpected { status, snippet, .. } => format!("HTTP {status}: {snippet}"),
        Answered::Network { failure, .. } => failure.clone(),
        Answered::NotSent { reason } => reason.clone(),
    }
}

pub fn clock(ev: &Evidence) -> Outcome {
    let ProbeEvidence::Done(probe) = &ev.probe else {
        return Outcome::skip("needs a response from the token endpoint (its Date header)");
    };
    let Some(reading) = probe.clock else {
        return Outcome::skip("the token endpoint sent no readable Date header");
    };
    let skew = reading.skew();
    let direction = if skew > 0 { "ahead of" } else { "behind" };
    let summary = format!("local clock {} {direction} Salesforce's", super::duration(skew));
    if skew.abs() <= SKEW_WARNING_SECONDS {
        return Outcome::pass(format!("clocks agree within {} s", skew.abs())).rules_out(CauseId::ClockSkew);
    }
    let severity = if skew.abs() > SKEW_ALLOWANCE_SECONDS { Severity::Error } else { Severity::Warning };
    Outcome::found(
        summary.clone(),
        vec![
            Cause::new(CauseId::ClockSkew)
                .severity(severity)
                .confidence(Confidence::High)
                .evidence(format!(
                    "Date header {}; local time {}",
                    super::format_date(reading.server),
                    super::format_date(reading.local)
                ))
                .evidence(format!("{summary}; Salesforce allows {SKEW_ALLOWANCE_SECONDS} s")),
        ],
    )
}

pub fn scopes(ev: &Evidence) -> Outcome {
    let ProbeEvidence::Done(probe) = &ev.probe else {
        return Outcome::skip("needs a successful login");
    };
    let Some(Attempt { outcome: Answered::Token(info), token_url, .. }) = probe.succeeded() else {
        return Outcome::skip("no token was issued");
    };
    let granted = info.scopes.join(" ");
    if info.scopes.iter().any(|s| s == "api" || s == "full") {
        let mut outcome = Outcome::pass(format!("token issued with scopes: {granted}"));
        if let (Some(org), Some(user)) = (&info.org_id, &info.user_id) {
            outcome = outcome.detail(format!("org {org}, user {user}"));
        }
        if let Some(instance) = &info.instance_url {
            outcome = outcome.detail(format!("instance URL {instance}"));
        }
        return outcome;
    }
    Outcome::found(
        format!("token issued without the api scope ({granted})"),
        vec![
            Cause::new(CauseId::AppMissingApiScope)
                .evidence(format!("{token_url} issued a token with scopes `{granted}`"))
                .evidence("without `api` (or `full`) the token cannot call the REST API, and the sf CLI cannot use it"),
        ],
    )
}
