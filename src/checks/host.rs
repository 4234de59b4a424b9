//! The login host the assertion is posted to, and whether it fits the username.

use crate::{
    evidence::{
        Evidence,
        host::{Environment, HostKind},
    },
    finding::{Cause, Confidence, Outcome, Severity},
};

pub fn url(ev: &Evidence) -> Outcome {
    let host = &ev.host;
    let source = &ev.inputs.instance_url.source;
    let cause = |id| {
        Cause::new(id)
            .var("instance_url", host.raw.clone())
            .evidence(format!("instance URL {} (from {source})", host.raw))
    };
    let url = match &host.url {
        Ok(url) => url,
        Err(reason) => {
            return Outcome::found(
                format!("{} is not a URL", host.raw),
                vec![cause("host.invalid-url").evidence(reason.clone())],
            );
        }
    };
    let causes = match &host.kind {
        HostKind::Lightning => vec![
            cause("host.lightning-domain")
                .evidence("Lightning domains serve the UI, not OAuth; the sf CLI refuses them"),
        ],
        _ if !url.is_https() && !url.is_loopback() => {
            vec![cause("host.insecure").evidence("http is refused: Salesforce answers `HTTPS required`, and sfjwt will not send an assertion in clear text")]
        }
        HostKind::NotSalesforce => {
            vec![cause("host.not-salesforce").evidence(format!("{} is not under a Salesforce domain", url.host()))]
        }
        HostKind::OtherSalesforce => {
            vec![cause("host.not-salesforce").evidence(format!("{} is {}", url.host(), host.kind.describe()))]
        }
        _ => Vec::new(),
    };
    if causes.is_empty() {
        let mut outcome = Outcome::pass(format!("{}: {}", url.origin(), host.kind.describe()));
        if url.path() != "/" {
            outcome = outcome.detail(format!(
                "the path {} is kept: the token URL is {}/services/oauth2/token",
                url.path(),
                url.base()
            ));
        }
        if matches!(host.kind, HostKind::Instance { .. }) {
            outcome = outcome
                .detail("instance hosts change when an org moves; Salesforce recommends the My Domain login URL");
        }
        return outcome;
    }
    Outcome::found(format!("{}: {}", host.raw, host.kind.describe()), causes)
}

pub fn environment(ev: &Evidence) -> Outcome {
    let (Some(username), Some(shape)) = (&ev.inputs.username, &ev.username) else {
        return Outcome::skip("no username given: pass --username to compare it with the host");
    };
    if !ev.host_known() {
        return Outcome::skip("the --error text does not say which host was used; pass --instance-url");
    }
    let host_env = ev.host.kind.environment();
    if host_env == Environment::Unknown || shape.environment == Environment::Unknown {
        return Outcome::skip(format!("cannot tell the environment of {} or of the username", ev.host.raw));
    }
    let mismatch = |severity: Severity, confidence: Confidence, why: String| {
        let cause = Cause::new("host.environment-mismatch")
            .severity(severity)
            .confidence(confidence)
            .var(
                "login_url",
                if shape.environment.is_sandbox_like() {
                    "https://test.salesforce.com"
                } else {
                    "https://login.salesforce.com"
                },
            )
            .var("username", username.value.clone())
            .evidence(format!("login host {}: {}", ev.host.raw, ev.host.kind.describe()))
            .evidence(why);
        Outcome::found(format!("{} host, {} username", host_env.label(), shape.environment.label()), vec![cause])
    };
    if host_env == Environment::Production && shape.environment.is_sandbox_like() {
        let why = match &shape.sandbox_suffix {
            Some(suffix) => {
                format!("username {} ends in `.{suffix}`, the suffix sandbox usernames get", username.value)
            }
            None => format!("username {} has the shape of a scratch org user", username.value),
        };
        return mismatch(Severity::Error, shape.confidence, why);
    }
    if host_env.is_sandbox_like() && shape.environment == Environment::Production {
        return mismatch(
            Severity::Warning,
            Confidence::Low,
            format!(
                "username {} has no sandbox suffix: fine if the user was created in the sandbox itself, wrong if it is a production username",
                username.value
            ),
        );
    }
    if let (HostKind::SandboxMyDomain { sandbox, .. }, Some(suffix)) = (&ev.host.kind, &shape.sandbox_suffix)
        && !sandbox.is_empty()
        && !sandbox.eq_ignore_ascii_case(suffix)
    {
        return mismatch(
            Severity::Error,
            Confidence::Medium,
            format!("the host is sandbox `{sandbox}` but the username ends in `.{suffix}`"),
        );
    }
    Outcome::pass(format!("{} host and {} username", host_env.label(), shape.environment.label()))
}
