//! What Salesforce answered, live or in a captured failure, turned into causes. A terse answer
//! such as `user hasn't approved this consumer` is combined with everything else the evidence
//! shows (host, username, claims, timing) to name the most likely cause first.

use std::collections::BTreeMap;

use crate::{
    captured::{Answer, ErrorKind, LocalErrorKind},
    evidence::{
        AssertionEvidence, Evidence, ProbeEvidence,
        host::{self, Environment, HostKind, Url},
    },
    finding::{Cause, Confidence, Outcome, Severity},
    probe::Outcome as Answered,
};

/// One answer with where it was seen.
struct Seen<'a> {
    answer: &'a Answer,
    login: Option<&'a str>,
    audience: Option<&'a str>,
}

impl Seen<'_> {
    fn line(&self) -> String {
        let what = self.answer.text();
        match (self.login, self.audience) {
            (Some(login), Some(aud)) => format!("{login} answered `{what}` (aud {aud})"),
            (Some(login), None) => format!("{login} answered `{what}`"),
            _ => format!("Salesforce answered `{what}`"),
        }
    }
}

fn answers(ev: &Evidence) -> Vec<Seen<'_>> {
    let mut seen = Vec::new();
    if let ProbeEvidence::Done(probe) = &ev.probe {
        for attempt in &probe.attempts {
            if let Answered::Answer(answer) = &attempt.outcome {
                seen.push(Seen { answer, login: Some(&attempt.login), audience: Some(&attempt.audience) });
            }
        }
    }
    if let Some(captured) = &ev.captured {
        for answer in &captured.parsed.answers {
            seen.push(Seen { answer, login: answer.login.as_deref(), audience: answer.audience.as_deref() });
        }
    }
    seen
}

pub fn classify(ev: &Evidence) -> Outcome {
    let seen = answers(ev);
    let local = ev.captured.as_ref().map(|c| c.parsed.local_errors.as_slice()).unwrap_or_default();
    if seen.is_empty() && local.is_empty() {
        return match (&ev.probe, &ev.captured) {
            (ProbeEvidence::Done(probe), _) if probe.succeeded().is_some() => {
                Outcome::pass("Salesforce issued a token")
            }
            (_, Some(_)) => Outcome::skip("the --error text holds no answer sfjwt recognises"),
            (ProbeEvidence::Done(_), None) => Outcome::skip("no OAuth answer (see endpoint.reach)"),
            (ProbeEvidence::Skipped(reason), None) => Outcome::skip(format!(
                "no answer to classify: the token endpoint was {reason}; --error classifies a captured one"
            )),
        };
    }
    let mut by_kind: BTreeMap<&'static str, (ErrorKind, Vec<&Seen>)> = BTreeMap::new();
    for s in &seen {
        by_kind.entry(kind_name(s.answer.kind)).or_insert((s.answer.kind, Vec::new())).1.push(s);
    }
    // The sf CLI tries several (host, aud) pairs: when one of them got a real answer, the others'
    // `audience is invalid` and network failures are side effects of its search, not causes.
    let substantive = seen
        .iter()
        .any(|s| !matches!(s.answer.kind, ErrorKind::AudienceInvalid | ErrorKind::FetchFailed | ErrorKind::Empty));
    let answered = seen.iter().any(|s| s.answer.kind != ErrorKind::FetchFailed);
    let succeeded = match &ev.probe {
        ProbeEvidence::Done(probe) => probe.succeeded().map(|a| format!("{} with aud {}", a.login, a.audience)),
        ProbeEvidence::Skipped(_) => None,
    };
    let mut causes = Vec::new();
    for (kind, group) in by_kind.values() {
        let lines = summarise(group);
        let mut found = causes_for(*kind, &lines, group, ev);
        if let Some(working) = &succeeded {
            for cause in &mut found {
                cause.severity = Some(Severity::Info);
                cause.evidence.push(format!("a later attempt succeeded: use {working}"));
            }
        } else if (substantive && *kind == ErrorKind::AudienceInvalid) || (answered && *kind == ErrorKind::FetchFailed)
        {
            for cause in &mut found {
                cause.severity = Some(Severity::Info);
                cause.evidence.push("another attempt got a real answer: this line comes from the sf CLI trying other hosts and audiences".into());
            }
        }
        causes.extend(found);
    }
    for error in local {
        causes.extend(local_cause(error.kind, &format!("{} (printed {}×)", error.text, error.count), ev));
    }
    let summary = match (&succeeded, seen.first()) {
        (Some(working), _) => format!("a token was issued by {working}"),
        (None, Some(first)) => first.line(),
        (None, None) => format!("the client failed before sending: {}", local[0].text),
    };
    Outcome::found(summary, causes)
}

/// One evidence line per distinct answer: the sf CLI repeats the same answer for each host and
/// audience it tries, and the attempt table already lists them one by one.
fn summarise(group: &[&Seen]) -> Vec<String> {
    let same = group
        .windows(2)
        .all(|w| w[0].answer.description == w[1].answer.description && w[0].answer.error == w[1].answer.error);
    if group.len() > 1 && same {
        let mut hosts: Vec<&str> = group.iter().filter_map(|s| s.login).collect();
        hosts.dedup();
        let what = Seen { answer: group[0].answer, login: None, audience: None }.line();
        let where_ = if hosts.is_empty() { String::new() } else { format!(" ({})", hosts.join(", ")) };
        return vec![format!("{what} on all {} attempts{where_}", group.len())];
    }
    fold(group.iter().map(|s| s.line()))
}

/// Identical lines once, with a count: `… ×3`.
fn fold(lines: impl Iterator<Item = String>) -> Vec<String> {
    let mut folded: Vec<(String, usize)> = Vec::new();
    for line in lines {
        match folded.iter_mut().find(|(l, _)| *l == line) {
            Some((_, count)) => *count += 1,
            None => folded.push((line, 1)),
        }
    }
    folded.into_iter().map(|(line, n)| if n > 1 { format!("{line} ×{n}") } else { line }).collect()
}

fn kind_name(kind: ErrorKind) -> &'static str {
    // Orders the groups: substantive answers first.
    match kind {
        ErrorKind::NotApproved => "a-not-approved",
        ErrorKind::AudienceInvalid => "y-audience",
        ErrorKind::FetchFailed => "z-fetch",
        _ => "m-other",
    }
}

fn with_lines(mut cause: Cause, lines: &[String]) -> Cause {
    cause.evidence.extend(lines.iter().cloned());
    cause
}

fn causes_for(kind: ErrorKind, lines: &[String], seen: &[&Seen], ev: &Evidence) -> Vec<Cause> {
    let single = |id: &'static str| vec![with_lines(Cause::new(id), lines)];
    match kind {
        ErrorKind::NotApproved => not_approved(lines, ev),
        ErrorKind::AudienceInvalid => audience_invalid(lines, seen, ev),
        ErrorKind::ClientIdInvalid => vec![with_lines(
            Cause::new("client.unknown-client-id").evidence("the org behind this host does not know the consumer key in `iss`"),
            lines,
        )
        .confirm("open App Manager in the org you log in to and compare the app's consumer key with --client-id")],
        ErrorKind::InvalidAssertion => invalid_assertion(lines, ev),
        ErrorKind::InvalidClientCredentials => single("client.invalid-credentials"),
        ErrorKind::ExpiredAuthorizationCode => expired(lines, ev),
        ErrorKind::NotAdminApproved => single("approval.user-not-preauthorized"),
        ErrorKind::EcaNotInstalled => {
            let mut causes = single("client.eca-not-installed");
            if ev.host_known() && matches!(ev.host.kind, HostKind::Login | HostKind::Test) {
                causes.push(with_lines(
                    Cause::new("host.my-domain-required")
                        .confidence(Confidence::Medium)
                        .evidence(format!("the assertion went to {}, not the org's My Domain", ev.host.raw)),
                    lines,
                ));
            }
            causes
        }
        ErrorKind::AppMustBeInstalled => single("client.app-not-installed"),
        ErrorKind::IpRestricted => single("user.ip-restricted"),
        ErrorKind::InactiveUser => single("user.inactive"),
        ErrorKind::InactiveOrg => single("org.inactive"),
        ErrorKind::RateLimited => single("user.login-rate-exceeded"),
        ErrorKind::UnsupportedGrantType => single("client.unsupported-grant"),
        ErrorKind::InvalidRequest if lines.iter().any(|l| l.to_ascii_lowercase().contains("https")) => single("host.insecure"),
        ErrorKind::Html => single("org.unavailable"),
        ErrorKind::FetchFailed => vec![with_lines(
            Cause::new("endpoint.unreachable")
                .confidence(Confidence::Medium)
                .evidence("the sf CLI prints `fetch failed` for DNS failures, refused connections and TLS errors alike")
                .confirm("run sfjwt doctor without --error to see the network error itself"),
            lines,
        )],
        ErrorKind::Empty => single("endpoint.unexpected-response"),
        ErrorKind::ExpiredRefreshToken => vec![with_lines(
            Cause::new("endpoint.unknown-error")
                .evidence("`expired access/refresh token` comes from the refresh-token flow, not the JWT bearer grant: this login was not a JWT login"),
            lines,
        )],
        ErrorKind::NoValidScopes => vec![with_lines(
            Cause::new("endpoint.unknown-error").evidence("`no valid scopes defined` comes from the client-credentials flow, not the JWT bearer grant"),
            lines,
        )],
        _ => vec![with_lines(Cause::new("endpoint.unknown-error").evidence("sfjwt does not know this answer; it is shown verbatim"), lines)],
    }
}

/// `user hasn't approved this consumer`: never the end of the analysis.
fn not_approved(lines: &[String], ev: &Evidence) -> Vec<Cause> {
    let mut causes = Vec::new();
    let shape = ev.username.as_ref();
    let scratch = shape.is_some_and(|s| s.environment == Environment::Scratch)
        || matches!(ev.host.kind, HostKind::ScratchMyDomain { .. });
    if scratch {
        causes.push(with_lines(
            Cause::new("approval.scratch-not-replicated")
                .confidence(Confidence::Medium)
                .evidence("the username or host is a scratch org's: new scratch orgs take minutes to reach every login server"),
            lines,
        )
        .confirm("retry for a few minutes: `sfjwt doctor … --wait 5m`"));
        if shape.is_some_and(|s| s.environment != Environment::Scratch) {
            causes.push(with_lines(
                Cause::new("approval.hyperforce-scratch-user")
                    .confidence(Confidence::Low)
                    .evidence("the host is a scratch org but the username is not its admin's `test-…@example.com`"),
                lines,
            ));
        }
    }
    if let Some(shape) = shape
        && ev.host_known()
        && shape.confidence != Confidence::Low
        && shape.environment.is_sandbox_like() != ev.host.kind.environment().is_sandbox_like()
        && ev.host.kind.environment() != Environment::Unknown
    {
        causes.push(with_lines(
            Cause::new("host.environment-mismatch")
                .confidence(shape.confidence)
                .evidence("an org that does not hold this user answers as if it had no approval"),
            lines,
        ));
    }
    if let Some(aud) = sent_audience(ev)
        && let Ok(url) = Url::parse(&aud)
        && matches!(
            host::classify_host(&url),
            HostKind::MyDomain { .. } | HostKind::SandboxMyDomain { .. } | HostKind::ScratchMyDomain { .. }
        )
    {
        causes.push(with_lines(
            Cause::new("claims.aud-my-domain")
                .severity(Severity::Error)
                .confidence(Confidence::Medium)
                .evidence(format!(
                    "aud was the My Domain URL {aud}; some orgs answer `user hasn't approved this consumer` to it"
                ))
                .confirm(format!("retry with --audience {}", ev.recommended_audience)),
            lines,
        ));
    }
    causes.extend(from_app_and_org(ev).into_iter().map(|cause| with_lines(cause, lines)));
    // The sf CLI also posts to the other environment's login host: when that host refused the
    // same way, the host is not the whole story and the approval question stands on its own.
    let both_environments_refused = seen_not_approved_on(ev).iter().any(|login| {
        let env = Url::parse(login).map(|u| host::classify_host(&u).environment()).unwrap_or(Environment::Unknown);
        env != Environment::Unknown && env.is_sandbox_like() != ev.host.kind.environment().is_sandbox_like()
    });
    let confidence = if both_environments_refused { Confidence::Medium } else { Confidence::Low };
    causes.push(with_lines(
        Cause::new("approval.missing")
            .confidence(confidence)
            .evidence("most often: the app's Permitted Users is \"All users may self-authorize\" and this user never approved it, the app lacks the refresh_token scope, or (admin approved) the user's profile or permission set is not on the app")
            .confirm("pass the app's metadata (--connected-app) or an admin session (--admin-org) so sfjwt can tell which"),
        lines,
    ));
    causes
}

/// The login hosts that answered "not approved", live or captured.
fn seen_not_approved_on(ev: &Evidence) -> Vec<String> {
    answers(ev)
        .iter()
        .filter(|s| s.answer.kind == ErrorKind::NotApproved)
        .filter_map(|s| s.login.map(str::to_string))
        .collect()
}

/// What the app's metadata and the admin session say about "not approved".
fn from_app_and_org(ev: &Evidence) -> Vec<Cause> {
    use crate::metadata::{PermittedUsers, Scope};
    let app = ev.apps.app();
    let org = ev.org.inspection();
    let mut causes = Vec::new();
    if let Some(app) = app
        && !app.has_scope(&Scope::RefreshToken)
        && !app.scopes.is_empty()
    {
        causes.push(Cause::new("app.missing-refresh-token-scope").evidence(format!(
            "{} lacks the RefreshToken scope, so no approval ever issued a refresh token",
            app.name
        )));
    }
    if let Some(user) = org.and_then(|o| o.user.as_ref()) {
        if !user.exists {
            causes.push(Cause::new("user.not-found").evidence(format!("the org has no user {}", user.username)));
        } else if user.is_frozen == Some(true) {
            causes.push(Cause::new("user.frozen").evidence(format!("{} is frozen", user.username)));
        }
    }
    let admin_approved = org
        .and_then(|o| o.app())
        .map(|a| a.admin_approved_only)
        .or_else(|| app.map(|a| a.permitted_users == Some(PermittedUsers::AdminApproved)));
    match admin_approved {
        Some(true) => match org.and_then(|o| o.access.as_ref()).and_then(|a| a.user_has_access) {
            Some(false) => causes.push(Cause::new("approval.user-not-preauthorized").evidence("the admin session shows the user is not pre-authorized for the app")),
            Some(true) => {}
            None => {
                let allowed = app.map(|a| [a.profiles.clone(), a.permission_sets.clone()].concat().join(", ")).unwrap_or_default();
                causes.push(
                    Cause::new("approval.user-not-preauthorized")
                        .confidence(Confidence::Medium)
                        .evidence(format!("the app is admin approved; pre-authorized: {}", if allowed.is_empty() { "nothing".into() } else { allowed }))
                        .confirm("check the user's profile and permission sets, or pass --admin-org so sfjwt can"),
                );
            }
        },
        Some(false) => match org.and_then(|o| o.approval.as_ref()) {
            Some(approval) if approval.tokens > 0 => {}
            Some(approval) => causes.push(
                Cause::new("approval.self-authorize-not-approved")
                    .confidence(if approval.conclusive { Confidence::High } else { Confidence::Medium })
                    .evidence("the app is self-authorize and the user has no OAuth token (approval) for it"),
            ),
            None => causes.push(
                Cause::new("approval.self-authorize-not-approved")
                    .confidence(Confidence::Medium)
                    .evidence("the app is \"All users may self-authorize\": a user who never approved it interactively is refused")
                    .confirm("pass --admin-org to see whether the user has an OAuth token for the app"),
            ),
        },
        None => {}
    }
    let now = ev.inputs.now;
    if let Some(facts) = org.and_then(|o| o.org.as_ref())
        && facts.is_scratch
        && facts.created_at.is_some_and(|t| now - t < super::org::REPLICATION_WINDOW_SECONDS)
    {
        causes.push(Cause::new("approval.scratch-not-replicated").evidence("the scratch org was created minutes ago"));
    }
    if let Some(changed) = org.and_then(|o| o.app()).and_then(|a| a.modified_at.or(a.created_at))
        && (0..super::org::PROPAGATION_WINDOW_SECONDS).contains(&(now - changed))
    {
        causes.push(Cause::new("approval.app-propagating").evidence("the connected app changed minutes ago"));
    }
    causes
}

fn audience_invalid(lines: &[String], seen: &[&Seen], ev: &Evidence) -> Vec<Cause> {
    let sent = sent_audience(ev);
    let mut auds: Vec<&str> = seen.iter().filter_map(|s| s.audience).collect();
    auds.extend(sent.as_deref());
    let my_domain = auds.into_iter().find(|aud| {
        Url::parse(aud).is_ok_and(|u| {
            matches!(host::classify_host(&u), HostKind::MyDomain { .. } | HostKind::SandboxMyDomain { .. })
        })
    });
    if let Some(aud) = my_domain {
        return vec![with_lines(
            Cause::new("claims.aud-my-domain")
                .severity(Severity::Error)
                .evidence(format!("this org rejects its My Domain URL {aud} as aud")),
            lines,
        )];
    }
    vec![
        with_lines(
            Cause::new("claims.aud-invalid")
                .confidence(Confidence::Medium)
                .evidence(format!("for {} the documented aud is {}", ev.host.raw, ev.recommended_audience)),
            lines,
        )
        .confirm_if(
            !ev.inputs.try_audiences,
            "run with --try-audiences to see which (host, aud) pair this org accepts",
        ),
    ]
}

fn invalid_assertion(lines: &[String], ev: &Evidence) -> Vec<Cause> {
    let key = ev.key.as_ref().and_then(|k| k.parsed()).and_then(|k| k.spki_sha256.clone());
    let cert = ev.cert.as_ref().and_then(|c| c.parsed()).map(|c| c.spki_sha256.clone());
    let mismatch = match (&key, &cert) {
        (Some(key), Some(cert)) if key != cert => {
            Cause::new("pair.key-cert-mismatch").evidence("the key and --cert differ (see pair.match)")
        }
        (Some(key), Some(_)) => Cause::new("pair.key-cert-mismatch")
            .confidence(Confidence::Medium)
            .evidence("the key matches --cert, so the certificate uploaded to the app is probably another one")
            .confirm(format!("download the app's certificate and compare its SPKI SHA-256 with the key's {key}")),
        (Some(key), None) => Cause::new("pair.key-cert-mismatch")
            .confidence(Confidence::Medium)
            .evidence(format!("the key's SPKI SHA-256 is {key}"))
            .confirm("pass the certificate uploaded to the app with --cert to compare"),
        _ => Cause::new("pair.key-cert-mismatch")
            .confidence(Confidence::Medium)
            .confirm("pass --jwt-key-file and --cert to compare them"),
    };
    vec![
        with_lines(mismatch, lines),
        with_lines(
            Cause::new("app.no-certificate")
                .confidence(Confidence::Low)
                .evidence("an app without \"Use digital signatures\" cannot verify any assertion"),
            lines,
        ),
    ]
}

fn expired(lines: &[String], ev: &Evidence) -> Vec<Cause> {
    if let ProbeEvidence::Done(probe) = &ev.probe
        && let Some(reading) = probe.clock
        && reading.skew().abs() > 30
    {
        return vec![with_lines(
            Cause::new("clock.skew").severity(Severity::Error).evidence(format!(
                "the local clock is {} off Salesforce's (Date header)",
                super::duration(reading.skew())
            )),
            lines,
        )];
    }
    let given_expired = matches!(&ev.assertion, AssertionEvidence::Given { .. })
        && ev
            .assertion
            .claims()
            .and_then(|c| c.get("exp").and_then(serde_json::Value::as_i64))
            .is_some_and(|exp| exp < ev.inputs.now && exp < 100_000_000_000);
    if given_expired {
        return vec![with_lines(Cause::new("claims.exp-expired"), lines)];
    }
    vec![with_lines(
        Cause::new("clock.skew")
            .confidence(Confidence::Medium)
            .evidence("exp was valid when the assertion was built, so the clocks probably disagree")
            .confirm("compare `date -u` with an NTP source, or run without --error to read Salesforce's Date header"),
        lines,
    )]
}

/// The `aud` the assertion carried: the given JWT's, else the one sfjwt built.
fn sent_audience(ev: &Evidence) -> Option<String> {
    ev.assertion.claims()?.get("aud")?.as_str().map(str::to_string)
}

fn local_cause(kind: LocalErrorKind, line: &str, ev: &Evidence) -> Vec<Cause> {
    let said = format!("the client reported: {line}");
    let cause = |id: &'static str| Cause::new(id).evidence(said.clone());
    match kind {
        LocalErrorKind::KeyFileMissing | LocalErrorKind::KeyFileIsDirectory => vec![cause("key.unreadable")],
        LocalErrorKind::KeyEmpty => vec![cause("key.empty")],
        LocalErrorKind::KeyTooSmall => vec![cause("key.too-small")],
        LocalErrorKind::KeyNotRsa => vec![cause("key.not-rsa")],
        LocalErrorKind::PemNoStartLine => vec![cause("key.mangled")],
        LocalErrorKind::InvalidInstanceUrl if line.to_ascii_lowercase().contains("lightning") => {
            vec![cause("host.lightning-domain")]
        }
        LocalErrorKind::InvalidInstanceUrl => vec![cause("host.invalid-url")],
        LocalErrorKind::MissingClientId => vec![cause("claims.iss-missing")],
        LocalErrorKind::CorruptAuthFile => vec![cause("endpoint.unknown-error").evidence(
            "the sf CLI's stored auth file is corrupt: `sf org logout` for this username, then log in again",
        )],
        LocalErrorKind::KeyNotAsymmetric => {
            // The CLI says the same for a certificate, an encrypted key and a damaged file. When
            // sfjwt read the key itself, the key checks already say which; otherwise list all three.
            match ev.key.as_ref().map(|k| k.parsed().is_some()) {
                Some(false) => Vec::new(),
                read_fine => {
                    let why = if read_fine == Some(true) {
                        "the key sfjwt read is fine, so the copy the client read differs (a CI secret written differently?)"
                    } else {
                        "pass the key with --jwt-key-file so sfjwt can tell which"
                    };
                    vec![
                        cause("key.mangled").confidence(Confidence::Medium).confirm(why),
                        cause("key.encrypted").confidence(Confidence::Low).confirm(why),
                        cause("key.not-private-key").confidence(Confidence::Low).confirm(why),
                    ]
                }
            }
        }
    }
}
