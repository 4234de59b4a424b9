//! The login host the assertion is posted to, and whether it fits the username.

use crate::cause_id::CauseId;
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
                vec![cause(CauseId::HostInvalidUrl).evidence(reason.clone())],
            );
        }
    };
    let causes = match &host.kind {
        HostKind::Lightning => vec![
            cause(CauseId::HostLightningDomain)
                .evidence("Lightning domains serve the UI, not OAuth; the sf CLI refuses them"),
        ],
        _ if !url.is_https() && !url.is_loopback() => {
            vec![cause(CauseId::HostInsecure).evidence("http is refused: Salesforce answers `HTTPS required`, and sfjwt will not send an assertion in clear text")]
        }
        HostKind::NotSalesforce => {
            vec![cause(CauseId::HostNotSalesforce).evidence(format!("{} is not under a Salesforce domain", url.host()))]
        }
        HostKind::OtherSalesforce => {
            vec![cause(CauseId::HostNotSalesforce).evidence(format!("{} is {}", url.host(), host.kind.describe()))]
        }
        _ => Vec::new(),
    };
    if causes.is_empty() {
        let mut outcome = Outcome::pass(format!("{}: {}", url.origin(), host.kind.describe()));
        // External Client Apps (since Spring '26) and some orgs need the My Domain token endpoint.
        if matches!(host.kind, HostKind::Login | HostKind::Test) && ev.host_known() {
            outcome.causes.push(
                Cause::new(CauseId::HostMyDomainRequired)
                    .latent()
                    .confidence(Confidence::Medium)
                    .evidence(format!("the assertion went to {}, not the org's My Domain", host.raw)),
            );
        }
        if url.path() != "/" {
            outcome = outcome.detail(format!(
                "the path {} is kept: the token URL is {}/services/oauth2/token",
                url.path(),
                url.base()
            ));
        }
        if let Some(why) = legacy(&host.kind, url.host()) {
            outcome = Outcome::found(outcome.summary, vec![cause(CauseId::HostLegacyDomain).evidence(why)]);
        }
        return outcome;
    }
    Outcome::found(format!("{}: {}", host.raw, host.kind.describe()), causes)
}

/// A sandbox My Domain without `.sandbox.` (its redirects are switched off) or an instance host.
fn legacy(kind: &HostKind, host: &str) -> Option<String> {
    match kind {
        HostKind::SandboxMyDomain { .. } if !host.contains(".sandbox.") => Some(format!(
            "{host} is the legacy sandbox My Domain form; the current one ends in .sandbox.my.salesforce.com"
        )),
        HostKind::Instance { .. } => {
            Some(format!("{host} is an instance host: it changes when the org moves, and API calls to it stop working"))
        }
        _ => None,
    }
}

pub fn environment(ev: &Evidence) -> Outcome {
    let mut outcome = compare_environments(ev);
    outcome.causes.extend(scratch_org(ev));
    outcome
}

/// A scratch org's username or host: if Salesforce says "not approved", the new org may not have
/// reached every login server yet.
fn scratch_org(ev: &Evidence) -> Vec<Cause> {
    let shape = ev.username.as_ref();
    let scratch_user = shape.is_some_and(|s| s.environment == Environment::Scratch);
    let scratch_host = matches!(ev.host.kind, HostKind::ScratchMyDomain { .. });
    let mut causes = Vec::new();
    if scratch_user || scratch_host {
        causes.push(
            Cause::new(CauseId::ApprovalScratchNotReplicated)
                .latent()
                .confidence(Confidence::Medium)
                .evidence("the username or host is a scratch org's: new scratch orgs take minutes to reach every login server")
                .confirm("retry for a few minutes: `sfjwt doctor … --wait 5m`"),
        );
    }
    if scratch_host && shape.is_some_and(|s| s.environment != Environment::Scratch) {
        causes.push(
            Cause::new(CauseId::ApprovalHyperforceScratchUser)
                .latent()
                .confidence(Confidence::Low)
                .evidence("the host is a scratch org but the username is not its admin's `test-…@example.com`"),
        );
    }
    causes
}

fn compare_environments(ev: &Evidence) -> Outcome {
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
        let cause = Cause::new(CauseId::HostEnvironmentMismatch)
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
    // A named sandbox's copies of production users carry its name: `ci@acme.com` is `ci@acme.com.uat`
    // in sandbox `uat`. Another name is possible only for a user created in the sandbox itself.
    if let HostKind::SandboxMyDomain { sandbox, .. } = &ev.host.kind
        && !sandbox.is_empty()
        && shape.environment == Environment::Production
    {
        let mut outcome = mismatch(
            Severity::Error,
            Confidence::Medium,
            format!(
                "username {} has no `.{sandbox}` suffix: production users copied into sandbox `{sandbox}` are `{}.{sandbox}`; only a user created in the sandbox itself has another name",
                username.value, username.value
            ),
        );
        for cause in &mut outcome.causes {
            cause.vars.retain(|(name, _)| *name != "login_url" && *name != "username");
            cause.vars.push(("login_url", ev.host.raw.clone()));
            cause.vars.push(("username", format!("{}.{sandbox}", username.value)));
        }
        return outcome;
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
