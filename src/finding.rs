//! Findings are data: what a check saw, and the causes it names. Nothing here prints.

use serde::Serialize;

use crate::{cause_id::CauseId, symptom::Observation};

/// The outcome of one check of the registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pass,
    Warn,
    Fail,
    Skip,
    Error,
}

impl Status {
    /// Whether a check that depends on this one may run.
    pub fn allows_dependents(self) -> bool {
        matches!(self, Status::Pass | Status::Warn)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    pub fn parse(text: &str) -> Option<Severity> {
        match text {
            "error" => Some(Severity::Error),
            "warning" => Some(Severity::Warning),
            "info" => Some(Severity::Info),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    High,
    Medium,
    Low,
}

/// One cause named by a check, before the catalog adds its title, explanation and fix.
#[derive(Debug, Clone, PartialEq)]
pub struct Cause {
    /// A stable id from the catalog (`checks/<id>.md`).
    pub id: CauseId,
    /// Holds only if the login fails with a symptom the cause's entry explains: the app is
    /// self-authorize, so "not approved" would mean this user never approved it. Diagnosis keeps
    /// a latent cause when such a symptom was observed and drops it otherwise.
    pub latent: bool,
    /// `None` keeps the catalog's default severity.
    pub severity: Option<Severity>,
    pub confidence: Confidence,
    /// Facts that support the cause, already redacted.
    pub evidence: Vec<String>,
    /// Steps specific to this run, shown before the catalog's generic fix.
    pub fix: Vec<String>,
    /// Values for the `{name|default}` placeholders of the catalog's fix.
    pub vars: Vec<(&'static str, String)>,
    /// What would confirm the cause, when it is not certain.
    pub confirm: Option<String>,
    /// Changes to local files that remove the cause, applied by `sfjwt doctor --fix`.
    pub file_fixes: Vec<crate::fix::Fix>,
}

impl Cause {
    pub fn new(id: CauseId) -> Cause {
        Cause {
            id,
            latent: false,
            severity: None,
            confidence: Confidence::High,
            evidence: Vec::new(),
            fix: Vec::new(),
            vars: Vec::new(),
            confirm: None,
            file_fixes: Vec::new(),
        }
    }

    /// Attaches the changes to local files that fix this cause, when there are any.
    pub fn file_fixes(mut self, fixes: impl IntoIterator<Item = crate::fix::Fix>) -> Cause {
        self.file_fixes.extend(fixes);
        self
    }

    pub fn evidence(mut self, line: impl Into<String>) -> Cause {
        self.evidence.push(line.into());
        self
    }

    /// Adds a line of evidence when there is one.
    pub fn evidence_opt(mut self, line: Option<String>) -> Cause {
        self.evidence.extend(line);
        self
    }

    pub fn fix(mut self, step: impl Into<String>) -> Cause {
        self.fix.push(step.into());
        self
    }

    pub fn var(mut self, name: &'static str, value: impl Into<String>) -> Cause {
        self.vars.push((name, value.into()));
        self
    }

    pub fn severity(mut self, severity: Severity) -> Cause {
        self.severity = Some(severity);
        self
    }

    /// Marks the cause as holding only if a symptom it explains is observed.
    pub fn latent(mut self) -> Cause {
        self.latent = true;
        self
    }

    pub fn confidence(mut self, confidence: Confidence) -> Cause {
        self.confidence = confidence;
        self
    }

    /// The severity this cause is reported with: its own, else the catalog's default.
    pub fn effective_severity(&self) -> Severity {
        self.severity.unwrap_or_else(|| crate::catalog::default_severity(self.id))
    }

    /// `confirm` when the advice applies.
    pub fn confirm_if(self, applies: bool, how: impl Into<String>) -> Cause {
        if applies { self.confirm(how) } else { self }
    }

    pub fn confirm(mut self, how: impl Into<String>) -> Cause {
        self.confirm = Some(how.into());
        self
    }
}

/// What one check returns: a status with a one-line summary, details for `-v`, the causes it
/// found, the symptoms it observed, and the causes its evidence rules out.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub status: Status,
    pub summary: String,
    pub details: Vec<String>,
    pub causes: Vec<Cause>,
    /// What Salesforce, the network or the client said (only the login checks observe).
    pub observations: Vec<Observation>,
    /// Causes this check's evidence excludes: diagnosis drops them when a symptom alone suggests
    /// them (the app's metadata holds a certificate, so `invalid assertion` is not "no certificate").
    pub rules_out: Vec<CauseId>,
}

impl Outcome {
    pub fn pass(summary: impl Into<String>) -> Outcome {
        Outcome::with(Status::Pass, summary)
    }

    pub fn skip(reason: impl Into<String>) -> Outcome {
        Outcome::with(Status::Skip, reason)
    }

    pub fn error(reason: impl Into<String>) -> Outcome {
        Outcome::with(Status::Error, reason)
    }

    pub fn with(status: Status, summary: impl Into<String>) -> Outcome {
        Outcome {
            status,
            summary: summary.into(),
            details: Vec::new(),
            causes: Vec::new(),
            observations: Vec::new(),
            rules_out: Vec::new(),
        }
    }

    /// A result carrying causes: its status follows the worst severity among them.
    pub fn found(summary: impl Into<String>, causes: Vec<Cause>) -> Outcome {
        let worst = causes.iter().filter(|c| !c.latent).map(Cause::effective_severity).min();
        let status = match worst {
            None | Some(Severity::Info) => Status::Pass,
            Some(Severity::Warning) => Status::Warn,
            Some(Severity::Error) => Status::Fail,
        };
        let mut outcome = Outcome::with(status, summary);
        outcome.causes = causes;
        outcome
    }

    pub fn detail(mut self, line: impl Into<String>) -> Outcome {
        self.details.push(line.into());
        self
    }

    pub fn rules_out(mut self, id: CauseId) -> Outcome {
        self.rules_out.push(id);
        self
    }
}
