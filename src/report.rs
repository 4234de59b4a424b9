//! The report: one serialisable model that every renderer reads. Building it decides everything;
//! rendering decides nothing.

use serde::Serialize;

use crate::cause_id::CauseId;
use crate::{
    catalog,
    diagnosis::RankedCause,
    engine::CheckRun,
    error::Exit,
    evidence::{AssertionEvidence, Evidence, Flow, ProbeEvidence},
    finding::{Confidence, Severity, Status},
    inputs::{KeyInput, Source, TextInput},
    registry::Group,
    secret::mask_client_id,
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
    pub counts: Counts,
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
        let causes: Vec<CauseRow> = causes.iter().map(|c| cause_row(c, &vars)).collect();
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
        let verdict = if counts.errors > 0 {
            let only_unreachable = causes
                .iter()
                .filter(|c| c.severity == Severity::Error)
                .all(|c| matches!(c.id, CauseId::EndpointUnreachable | CauseId::EndpointTls));
            if only_unreachable { Verdict::Inconclusive } else { Verdict::Problems }
        } else {
            Verdict::Healthy
        };
        Report {
            schema: SCHEMA,
            sfjwt_version: env!("CARGO_PKG_VERSION"),
            verdict,
            flow: evidence.flow(),
            generated_at: crate::checks::date(evidence.inputs.now),
            platform: Platform { os: std::env::consts::OS, arch: std::env::consts::ARCH },
            inputs: input_rows(evidence),
            checks: runs
                .iter()
                .map(|r| CheckRow {
                    id: r.check.id,
                    group: r.check.group,
                    title: r.check.title,
                    status: r.outcome.status,
                    summary: r.outcome.summary.clone(),
                    details: r.outcome.details.clone(),
                })
                .collect(),
            causes,
            attempts: attempt_rows(evidence),
            transcripts: match &evidence.probe {
                ProbeEvidence::Done(probe) => probe.attempts.iter().map(|a| a.transcript.clone()).collect(),
                ProbeEvidence::Skipped(_) => Vec::new(),
            },
            notes: notes(evidence),
            counts,
        }
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

fn cause_row(ranked: &RankedCause, run_vars: &[(&'static str, String)]) -> CauseRow {
    let cause = &ranked.cause;
    let entry = ranked.entry;
    let mut fix = cause.fix.clone();
    let vars: Vec<(&str, String)> = cause.vars.iter().chain(run_vars).cloned().collect();
    fix.extend(entry.fix.iter().map(|step| catalog::fill(step, &vars)));
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
    }
}

fn input_rows(ev: &Evidence) -> Vec<InputRow> {
    let inputs = &ev.inputs;
    let mut rows = Vec::new();
    let mut push =
        |name, value: String, source: &Source| rows.push(InputRow { name, value, source: source.to_string() });
    if let Some(c) = &inputs.client_id {
        push("client id", mask_client_id(&c.value), &c.source);
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
        push("captured error", describe_text_input(&e.value), &e.source);
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
    if let Some(project) = &ev.inputs.project
        && let Some(problem) = &project.problem
    {
        notes.push(format!("{} was not used: {problem}", project.path.display()));
    }
    if !ev.inputs.connected_apps.is_empty() {
        notes.push("--connected-app was given but this version does not analyse connected app metadata yet".into());
    }
    if let Some(captured) = &ev.captured {
        let parsed = &captured.parsed;
        notes.push(format!(
            "--error ({}) read as {:?}: {} answer(s), {} client-side error(s)",
            captured.origin,
            parsed.form,
            parsed.answers.len(),
            parsed.local_errors.len()
        ));
        if parsed.contained_secret {
            notes.push(
                "the --error text held a secret (an assertion, token or key); it was masked and is not shown".into(),
            );
        }
    }
    notes
}
