//! The report: one serialisable model that every renderer reads. Building it decides everything;
//! rendering decides nothing.

use std::fmt::Write as _;

use serde::Serialize;

use crate::cause_id::CauseId;
use crate::{
    catalog,
    diagnosis::RankedCause,
    engine::CheckRun,
    error::Exit,
    evidence::{AssertionEvidence, Evidence, Flow, OrgEvidence, ProbeEvidence},
    finding::{Confidence, Severity, Status},
    inputs::{KeyInput, Source, TextInput},
    registry::Group,
    render::plural,
    scrub::scrub,
};

pub const SCHEMA: &str = "sfjwt.report.v1";

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub schema: &'static str,
    pub sfjwt_version: &'static str,
    pub verdict: Verdict,
    /// The OAuth 2.0 bearer grant diagnosed: `jwt-bearer` or `saml-bearer`.
    pub flow: Flow,
    pub generated_at: String,
    pub platform: Platform,
    pub inputs: Vec<InputRow>,
    pub checks: Vec<CheckRow>,
    pub causes: Vec<CauseRow>,
    /// Token requests, live or read from `--error`, in the order they were made.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub attempts: Vec<AttemptRow>,
    /// The live probe's requests and responses, secrets masked.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub transcripts: Vec<crate::probe::Transcript>,
    pub notes: Vec<String>,
    /// Groups none of whose checks could run, with what they need.
    pub not_checked: Vec<NotChecked>,
    pub counts: Counts,
}

#[derive(Debug, Clone, Serialize)]
pub struct NotChecked {
    pub group: Group,
    pub title: &'static str,
    /// The input that would let the group run.
    pub needs: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AttemptRow {
    pub login: Option<String>,
    pub audience: Option<String>,
    pub result: String,
    /// Identical rows are folded: `×count`.
    pub count: usize,
    /// `live` for the probe, `captured` for `--error`.
    pub source: &'static str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Healthy,
    Problems,
    Inconclusive,
}

#[derive(Debug, Clone, Serialize)]
pub struct Platform {
    pub os: &'static str,
    pub arch: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct InputRow {
    pub name: &'static str,
    /// Shown value, already masked where it is sensitive.
    pub value: String,
    pub source: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct CheckRow {
    pub id: &'static str,
    pub group: Group,
    pub title: &'static str,
    pub status: Status,
    pub summary: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CauseRow {
    pub id: CauseId,
    pub severity: Severity,
    pub confidence: Confidence,
    pub transient: bool,
    pub title: String,
    pub summary: String,
    pub why: String,
    pub evidence: Vec<String>,
    pub fix: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confirm: Option<String>,
    pub references: Vec<String>,
    /// The check that reported it.
    pub check: &'static str,
    /// When `-D/-W/-A` changed the severity: the one before and the flag.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub relevelled: Option<Relevelled>,
    /// What `sfjwt doctor --fix` would change in local files for this cause.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub autofix: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Relevelled {
    pub from: Severity,
    pub by: &'static str,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Counts {
    pub errors: usize,
    pub warnings: usize,
    pub info: usize,
    pub checks_passed: usize,
    pub checks_failed: usize,
    pub checks_skipped: usize,
}

impl Report {
    pub fn build(evidence: &Evidence, runs: &[CheckRun], causes: &[RankedCause]) -> Report {
        let vars = evidence.fix_vars();
        let key_step = evidence.key_file_step();
        let causes: Vec<CauseRow> = causes.iter().map(|c| cause_row(c, &vars, key_step)).collect();
        let count = |s: Severity| causes.iter().filter(|c| c.severity == s).count();
        let status_count = |f: fn(Status) -> bool| runs.iter().filter(|r| f(r.outcome.status)).count();
        let counts = Counts {
            errors: count(Severity::Error),
            warnings: count(Severity::Warning),
            info: count(Severity::Info),
            checks_passed: status_count(|s| matches!(s, Status::Pass | Status::Warn)),
            checks_failed: status_count(|s| matches!(s, Status::Fail | Status::Error)),
            checks_skipped: status_count(|s| s == Status::Skip),
        };
        let checks: Vec<CheckRow> = runs
            .iter()
            .map(|r| CheckRow {
                id: r.check.id,
                group: r.check.group,
                title: r.check.title,
                status: r.outcome.status,
                summary: r.outcome.summary.clone(),
                details: r.outcome.details.clone(),
            })
            .collect();
        let verdict = if counts.errors > 0 {
            let only_unreachable = causes
                .iter()
                .filter(|c| c.severity == Severity::Error)
                .all(|c| matches!(c.id, CauseId::EndpointUnreachable | CauseId::EndpointTls));
            if only_unreachable { Verdict::Inconclusive } else { Verdict::Problems }
        } else {
            Verdict::Healthy
        };
        let mut report = Report {
            schema: SCHEMA,
            sfjwt_version: env!("CARGO_PKG_VERSION"),
            verdict,
            flow: evidence.flow(),
            generated_at: crate::checks::date(evidence.inputs.now),
            platform: Platform { os: std::env::consts::OS, arch: std::env::consts::ARCH },
            inputs: input_rows(evidence),
            not_checked: not_checked(evidence, &checks),
            checks,
            causes,
            attempts: attempt_rows(evidence),
            transcripts: match &evidence.probe {
                ProbeEvidence::Done(probe) => probe.attempts.iter().map(|a| a.transcript.clone()).collect(),
                ProbeEvidence::Skipped(_) => Vec::new(),
            },
            notes: notes(evidence),
            counts,
        };
        report.scrub();
        report
    }

    /// Masks secrets in every field that can quote an input. Each source already scrubbed what it
    /// read; this catches whatever a check copied into a sentence (a key's "label", a claim that is
    /// a JWT, a URL with a password), so no renderer can print one.
    fn scrub(&mut self) {
        let all = |texts: &mut dyn Iterator<Item = &mut String>| texts.for_each(|t| *t = scrub(t));
        all(&mut self.inputs.iter_mut().flat_map(|row| [&mut row.value, &mut row.source]));
        all(&mut self.checks.iter_mut().flat_map(|c| std::iter::once(&mut c.summary).chain(c.details.iter_mut())));
        for cause in &mut self.causes {
            all(&mut cause
                .evidence
                .iter_mut()
                .chain(cause.fix.iter_mut())
                .chain(cause.autofix.iter_mut())
                .chain(cause.confirm.iter_mut()));
        }
        for attempt in &mut self.attempts {
            all(&mut attempt.login.iter_mut().chain(attempt.audience.iter_mut()).chain([&mut attempt.result]));
        }
        all(&mut self
            .transcripts
            .iter_mut()
            .flat_map(|t| std::iter::once(&mut t.request).chain(t.response.iter_mut())));
        all(&mut self.notes.iter_mut().chain(self.not_checked.iter_mut().map(|n| &mut n.needs)));
    }

    /// The same report with `f` applied to every piece of text in it: how a renderer makes
    /// untrusted text safe for its format in one place.
    pub fn map_text(&self, f: impl Fn(&str) -> String) -> Report {
        let all = |items: &[String]| items.iter().map(|s| f(s)).collect::<Vec<_>>();
        let mut report = self.clone();
        for input in &mut report.inputs {
            input.value = f(&input.value);
            input.source = f(&input.source);
        }
        for check in &mut report.checks {
            check.summary = f(&check.summary);
            check.details = all(&check.details);
        }
        for cause in &mut report.causes {
            cause.title = f(&cause.title);
            cause.summary = f(&cause.summary);
            cause.why = f(&cause.why);
            cause.evidence = all(&cause.evidence);
            cause.fix = all(&cause.fix);
            cause.confirm = cause.confirm.as_deref().map(&f);
            cause.references = all(&cause.references);
        }
        for attempt in &mut report.attempts {
            attempt.login = attempt.login.as_deref().map(&f);
            attempt.audience = attempt.audience.as_deref().map(&f);
            attempt.result = f(&attempt.result);
        }
        for transcript in &mut report.transcripts {
            transcript.request = f(&transcript.request);
            transcript.response = transcript.response.as_deref().map(&f);
        }
        report.notes = all(&report.notes);
        for group in &mut report.not_checked {
            group.needs = f(&group.needs);
        }
        report
    }

    /// 0 healthy, 1 problems (or warnings under `--fail-on warning`), 3 inconclusive; 2 is for
    /// usage errors, decided before a report exists.
    pub fn exit_code(&self, fail_on: crate::cli::FailOn) -> Exit {
        match self.verdict {
            Verdict::Problems => Exit::Problems,
            Verdict::Inconclusive => Exit::Inconclusive,
            Verdict::Healthy if fail_on == crate::cli::FailOn::Warning && self.counts.warnings > 0 => Exit::Problems,
            Verdict::Healthy => Exit::Healthy,
        }
    }
}

/// `key_step` writes a key that came from the environment or stdin to the file that steps which
/// run the sf CLI name; it comes first in every fix that needs it.
fn cause_row(ranked: &RankedCause, run_vars: &[(&'static str, String)], key_step: Option<&str>) -> CauseRow {
    let cause = &ranked.cause;
    let entry = ranked.entry;
    let vars: Vec<(&str, String)> = cause.vars.iter().chain(run_vars).cloned().collect();
    let templates: Vec<&str> = cause.fix.iter().chain(&entry.fix).map(String::as_str).collect();
    let runs_sf_with_key = templates.iter().any(|t| t.contains("--jwt-key-file {key_file|"));
    let mut fix: Vec<String> =
        key_step.filter(|_| runs_sf_with_key).map(|s| catalog::fill(s, &vars)).into_iter().collect();
    fix.extend(templates.iter().map(|step| catalog::fill(step, &vars)));
    CauseRow {
        id: cause.id,
        severity: ranked.severity,
        confidence: cause.confidence,
        transient: entry.transient,
        title: entry.title.clone(),
        summary: entry.summary.clone(),
        why: entry.why.clone(),
        evidence: cause.evidence.clone(),
        fix,
        confirm: cause.confirm.clone(),
        references: entry.references.clone(),
        check: ranked.check_id,
        relevelled: ranked.relevelled.map(|(from, by)| Relevelled { from, by }),
        autofix: cause.file_fixes.iter().map(crate::fix::Fix::describe).collect(),
    }
}

fn input_rows(ev: &Evidence) -> Vec<InputRow> {
    let inputs = &ev.inputs;
    let mut rows = Vec::new();
    let mut push =
        |name, value: String, source: &Source| rows.push(InputRow { name, value, source: source.to_string() });
    if let Some(c) = &inputs.client_id {
        // Not a secret: every assertion carries it, and the commands that need it need it whole.
        push("client id", c.value.clone(), &c.source);
    }
    if let Some(k) = &inputs.key {
        let value = match &k.value {
            KeyInput::File(path) => path.display().to_string(),
            KeyInput::Inline(bytes) => format!("{} bytes of key material (not shown)", bytes.expose().len()),
        };
        push("private key", value, &k.source);
    }
    if let Some(u) = &inputs.username {
        push("username", u.value.clone(), &u.source);
    }
    push("instance URL", inputs.instance_url.value.clone(), &inputs.instance_url.source);
    match (&inputs.audience, &ev.assertion) {
        (Some(a), _) => push("audience", a.value.clone(), &a.source),
        (None, AssertionEvidence::Built { claims, .. }) => push("audience", claims.aud.clone(), &Source::Default),
        _ => {}
    }
    if let Some(c) = &inputs.cert {
        push("certificate", c.value.display().to_string(), &c.source);
    }
    if let Some(a) = &inputs.assertion {
        push("assertion", describe_text_input(&a.value), &a.source);
    }
    for path in &inputs.connected_apps {
        push("connected app", path.display().to_string(), &Source::Flag("connected-app".into()));
    }
    if let Some(e) = &inputs.error {
        let mut value = describe_text_input(&e.value);
        if let Some(captured) = &ev.captured {
            let parsed = &captured.parsed;
            let _ = write!(value, ", read as {}: {}", parsed.form.describe(), plural(parsed.answers.len(), "answer"));
            if !parsed.local_errors.is_empty() {
                let _ = write!(value, ", {}", plural(parsed.local_errors.len(), "client-side error"));
            }
        }
        push("captured error", value, &e.source);
    }
    if inputs.offline {
        push("offline", "yes".into(), &Source::Flag("offline".into()));
    }
    rows
}

fn describe_text_input(input: &TextInput) -> String {
    match input {
        TextInput::Inline(text) => format!("given inline ({} characters, not shown)", text.expose().len()),
        TextInput::File(path) => format!("{} (contents not shown)", path.display()),
        TextInput::Stdin => "read from stdin (not shown)".into(),
    }
}

fn attempt_rows(ev: &Evidence) -> Vec<AttemptRow> {
    let mut rows: Vec<AttemptRow> = Vec::new();
    if let ProbeEvidence::Done(probe) = &ev.probe {
        for attempt in &probe.attempts {
            let result = crate::checks::endpoint::describe(&attempt.outcome);
            push_folded(&mut rows, Some(attempt.login.clone()), Some(attempt.audience.clone()), result, "live");
        }
    }
    if let Some(captured) = &ev.captured {
        for answer in &captured.parsed.answers {
            let result = answer.text();
            push_folded(&mut rows, answer.login.clone(), answer.audience.clone(), result, "captured");
        }
    }
    rows
}

fn push_folded(
    rows: &mut Vec<AttemptRow>,
    login: Option<String>,
    audience: Option<String>,
    result: String,
    source: &'static str,
) {
    if let Some(last) = rows.last_mut()
        && last.login == login
        && last.audience == audience
        && last.result == result
        && last.source == source
    {
        last.count += 1;
        return;
    }
    rows.push(AttemptRow { login, audience, result, count: 1, source });
}

/// The probe sends its attempts at once; the sf CLI stops at the first token, so requests after
/// it are sfjwt's own, and the report says so.
fn concurrent_attempts_note(ev: &Evidence) -> Option<String> {
    let ProbeEvidence::Done(probe) = &ev.probe else { return None };
    let first_token = probe.attempts.iter().position(|a| matches!(a.outcome, crate::probe::Outcome::Token(_)))?;
    let sent_after = probe.attempts[first_token + 1..]
        .iter()
        .filter(|a| !matches!(a.outcome, crate::probe::Outcome::NotSent { .. }))
        .count();
    (sent_after > 0).then(|| {
        format!(
            "the token requests were sent at once; `sf org login jwt` sends them one by one and stops at the first \
             token (request {}), so it would not have sent the {sent_after} after it",
            first_token + 1
        )
    })
}

fn notes(ev: &Evidence) -> Vec<String> {
    let mut notes = ev.inputs.sf.notes.clone();
    if ev.flow() == Flow::SamlBearer {
        let why = match (&ev.assertion, &ev.captured) {
            (AssertionEvidence::Saml { .. }, _) => "the assertion given is SAML",
            (_, Some(c)) if c.saml.is_some() => "the --error text holds a SAML assertion",
            _ => "the --error text names the SAML bearer grant type",
        };
        notes.push(format!(
            "diagnosed {} ({why}): the JWT checks do not apply; the XML signature is not verified, its certificate is paired with the app's",
            Flow::SamlBearer.describe()
        ));
    }
    if let Some(note) = concurrent_attempts_note(ev) {
        notes.push(note);
    }
    if let Some(project) = &ev.inputs.project
        && let Some(problem) = &project.problem
    {
        notes.push(format!("{} was not used: {problem}", project.path.display()));
    }
    if let Some(captured) = &ev.captured {
        if !captured.parsed.assertions.is_empty() {
            notes.push(
                "the --error text holds the assertion the client sent: the Assertion and Claims lines audit it".into(),
            );
        }
        if captured.parsed.contained_secret {
            notes.push(
                "the --error text held a secret (an assertion, token or key); it was masked and is not shown".into(),
            );
        }
    }
    notes
}

/// The groups with no check that ran, and the input that would let them run.
fn not_checked(ev: &Evidence, checks: &[CheckRow]) -> Vec<NotChecked> {
    let mut groups: Vec<Group> = Vec::new();
    for check in checks {
        if !groups.contains(&check.group) {
            groups.push(check.group);
        }
    }
    groups
        .into_iter()
        .filter(|group| checks.iter().filter(|c| c.group == *group).all(|c| c.status == Status::Skip))
        // The sf CLI's stored login only matters for inputs the flags did not give.
        .filter(|group| {
            let given = ev.inputs.client_id.is_some() && ev.inputs.key.is_some() && ev.inputs.username.is_some();
            !(*group == Group::SfCli && given)
        })
        .map(|group| NotChecked { group, title: group.title(), needs: needs(group, ev) })
        .collect()
}

/// What would let a group run, in a few words.
fn needs(group: Group, ev: &Evidence) -> String {
    let inputs = &ev.inputs;
    let claims = "--client-id and --username, or --assertion";
    match group {
        Group::Key => "--jwt-key-file".into(),
        Group::Certificate => "--cert".into(),
        Group::Pairing if inputs.key.is_none() => "--jwt-key-file".into(),
        Group::Pairing if ev.cert.is_none() => "--cert".into(),
        Group::Pairing if ev.key.as_ref().and_then(|k| k.parsed()).is_none() => "a usable key".into(),
        Group::Pairing => "a usable certificate".into(),
        Group::Assertion | Group::Claims => claims.into(),
        Group::Saml => "a SAML assertion (--assertion)".into(),
        Group::SfCli => "--target-org, or the sf CLI's default org".into(),
        Group::Host => "--instance-url and --username".into(),
        Group::App if ev.apps.origin.is_some() => "metadata that holds this app".into(),
        Group::App => "--connected-app".into(),
        Group::Org => match &ev.org {
            OrgEvidence::Skipped(reason) => reason.clone(),
            _ => "--admin-org".into(),
        },
        Group::Endpoint | Group::Login if ev.captured.is_some() => "--error is read offline".into(),
        Group::Endpoint | Group::Login if inputs.offline => "not with --offline".into(),
        Group::Endpoint | Group::Login => match &ev.assertion {
            AssertionEvidence::Missing(_) => claims.into(),
            _ => "a signed assertion".into(),
        },
    }
}
