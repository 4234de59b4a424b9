//! `--format github`: GitHub Actions workflow commands (`::error`, `::warning`, `::notice`), one
//! per cause, and a Markdown job summary for `GITHUB_STEP_SUMMARY`.

use std::fmt::Write;

use super::{groups, markdown::cell, severity_word, status_word, verdict_word, visible};
use crate::{finding::Severity, report::Report};

pub fn render(report: &Report) -> String {
    // Control characters made visible first; `data` and `property` then escape what workflow
    // commands read.
    let report = &report.map_text(visible);
    let mut out = String::new();
    for cause in &report.causes {
        let command = match cause.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let mut message = format!("{}\n", cause.title);
        for line in &cause.evidence {
            let _ = writeln!(message, "- {line}");
        }
        if let Some(step) = cause.fix.first() {
            let _ = writeln!(message, "Fix: {step}");
        }
        let _ = write!(message, "More: sfjwt explain {}", cause.id);
        let _ = writeln!(out, "::{command} title={}::{}", property(&format!("sfjwt {}", cause.id)), data(&message));
    }
    if report.causes.is_empty() {
        let _ = writeln!(out, "::notice title=sfjwt::{}", data("sfjwt doctor found no issues"));
    }
    out
}

/// The job summary (Markdown): a table of checks and one of causes.
pub fn summary(report: &Report) -> String {
    let report = &report.map_text(visible);
    let mut out = format!("## sfjwt doctor: {}\n\n", verdict_word(report.verdict));
    let _ = writeln!(out, "| group | check | status | result |\n|---|---|---|---|");
    for (group, _, checks) in groups(report) {
        for check in checks {
            let _ = writeln!(
                out,
                "| {} | `{}` | {} | {} |",
                group.title(),
                check.id,
                status_word(check.status),
                cell(&check.summary)
            );
        }
    }
    if !report.causes.is_empty() {
        let _ = writeln!(out, "\n| # | cause | severity | fix |\n|---|---|---|---|");
        for (i, cause) in report.causes.iter().enumerate() {
            let fix = cause.fix.first().map(String::as_str).unwrap_or_default();
            let _ = writeln!(
                out,
                "| {} | **{}** (`{}`) | {} | {} |",
                i + 1,
                cell(&cause.title),
                cause.id,
                severity_word(cause.severity),
                cell(fix)
            );
        }
    }
    out.push('\n');
    out
}

/// Workflow command data: `%`, CR and LF are escaped.
pub(super) fn data(text: &str) -> String {
    text.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Workflow command properties also escape `:` and `,`.
pub(super) fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}
