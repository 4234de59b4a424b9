//! The report of `--all`: one row per login (the table), each diagnosed login's own report, and
//! the worst verdict. Serialised as is for `--format json` (schema `sfjwt.reports.v1`).

use serde::Serialize;

use crate::{
    cause_id::CauseId,
    error::Exit,
    finding::Severity,
    report::{Report, Verdict},
};

pub const SCHEMA: &str = "sfjwt.reports.v1";

#[derive(Debug, Clone, Serialize)]
pub struct Reports {
    pub schema: &'static str,
    pub sfjwt_version: &'static str,
    /// The worst of the logins': problems (or a login not diagnosed), else inconclusive, else healthy.
    pub verdict: Verdict,
    pub generated_at: String,
    /// How many logins were diagnosed at once (`--jobs`).
    pub jobs: u16,
    pub counts: Counts,
    pub notes: Vec<String>,
    /// In table order: the sf CLI's logins by alias (or username), then the `--config` file's.
    pub logins: Vec<LoginRow>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Counts {
    pub logins: usize,
    pub healthy: usize,
    pub problems: usize,
    pub inconclusive: usize,
    pub skipped: usize,
    pub not_diagnosed: usize,
}

/// How one login came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LoginStatus {
    Healthy,
    Problems,
    Inconclusive,
    /// Not a JWT login (a web login…): listed, not diagnosed.
    Skipped,
    /// Diagnosing it failed (an input that cannot be read, its time-out, sfjwt itself): counts
    /// as problems.
    NotDiagnosed,
}

impl LoginStatus {
    pub fn word(self) -> &'static str {
        match self {
            LoginStatus::Healthy => "healthy",
            LoginStatus::Problems => "problems",
            LoginStatus::Inconclusive => "inconclusive",
            LoginStatus::Skipped => "skipped",
            LoginStatus::NotDiagnosed => "not diagnosed",
        }
    }

    /// Whether its details follow the table.
    pub fn failing(self) -> bool {
        matches!(self, LoginStatus::Problems | LoginStatus::Inconclusive | LoginStatus::NotDiagnosed)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct LoginRow {
    /// The alias (or `--config` entry name), else the username.
    pub label: String,
    pub alias: Option<String>,
    pub username: Option<String>,
    /// The login host the assertion is posted to.
    pub host: Option<String>,
    /// Where the login is listed: the sf CLI's stored login file, or the `--config` entry.
    pub source: String,
    pub status: LoginStatus,
    /// The most likely cause (also for a healthy login with a warning).
    pub top_cause: Option<TopCause>,
    /// The certificate's last day (given in `--config`, or the app's from `--connected-app`).
    pub cert_expiry: Option<String>,
    pub cert_days_left: Option<i64>,
    /// Why it was skipped or could not be diagnosed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub elapsed_ms: u64,
    /// Its full `sfjwt.report.v1` report, when it was diagnosed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub report: Option<Report>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TopCause {
    pub id: CauseId,
    pub severity: Severity,
    pub title: String,
}

impl Reports {
    pub fn new(logins: Vec<LoginRow>, jobs: u16, generated_at: String, notes: Vec<String>) -> Reports {
        let count = |status: LoginStatus| logins.iter().filter(|row| row.status == status).count();
        let counts = Counts {
            logins: logins.len(),
            healthy: count(LoginStatus::Healthy),
            problems: count(LoginStatus::Problems),
            inconclusive: count(LoginStatus::Inconclusive),
            skipped: count(LoginStatus::Skipped),
            not_diagnosed: count(LoginStatus::NotDiagnosed),
        };
        let verdict = if counts.problems + counts.not_diagnosed > 0 {
            Verdict::Problems
        } else if counts.inconclusive > 0 {
            Verdict::Inconclusive
        } else {
            Verdict::Healthy
        };
        Reports {
            schema: SCHEMA,
            sfjwt_version: env!("CARGO_PKG_VERSION"),
            verdict,
            generated_at,
            jobs,
            counts,
            notes,
            logins,
        }
    }

    /// The worst of all: 1 problems, else 3 inconclusive, else 0.
    pub fn exit_code(&self) -> Exit {
        match self.verdict {
            Verdict::Problems => Exit::Problems,
            Verdict::Inconclusive => Exit::Inconclusive,
            Verdict::Healthy => Exit::Healthy,
        }
    }
}

impl From<Exit> for LoginStatus {
    fn from(exit: Exit) -> LoginStatus {
        match exit {
            Exit::Healthy => LoginStatus::Healthy,
            Exit::Inconclusive => LoginStatus::Inconclusive,
            Exit::Problems | Exit::Usage => LoginStatus::Problems,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(status: LoginStatus) -> LoginRow {
        LoginRow {
            label: "x".into(),
            alias: None,
            username: None,
            host: None,
            source: String::new(),
            status,
            top_cause: None,
            cert_expiry: None,
            cert_days_left: None,
            reason: None,
            elapsed_ms: 0,
            report: None,
        }
    }

    #[test]
    fn the_exit_code_is_the_worst_and_an_undiagnosed_login_is_a_problem() {
        use LoginStatus::*;
        let exit = |statuses: &[LoginStatus]| {
            Reports::new(statuses.iter().map(|s| row(*s)).collect(), 4, String::new(), Vec::new()).exit_code()
        };
        assert_eq!(exit(&[Healthy, Skipped]), Exit::Healthy);
        assert_eq!(exit(&[Healthy, Inconclusive, Skipped]), Exit::Inconclusive);
        assert_eq!(exit(&[Inconclusive, Problems, Healthy]), Exit::Problems);
        assert_eq!(exit(&[Inconclusive, NotDiagnosed]), Exit::Problems);
        assert_eq!(exit(&[Skipped]), Exit::Healthy);
    }
}
