//! The terminal report, in the manner of flutter doctor: one line per group, then the causes with
//! evidence and numbered fixes, then a footer that counts.

use std::fmt::Write;

use colored::{ColoredString, Colorize};

use super::{groups, plural};
use crate::{
    finding::{Severity, Status},
    report::{CauseRow, Report, Verdict},
};

pub struct Style {
    /// Unicode glyphs and colour; off gives plain ASCII glyphs without escapes.
    pub color: bool,
    pub verbose: bool,
}

pub fn render(report: &Report, style: &Style) -> String {
    let mut out = String::new();
    header(&mut out, report);
    for (group, status, checks) in groups(report) {
        let summaries: Vec<&str> = match status {
            Status::Skip => checks.iter().map(|c| c.summary.as_str()).take(1).collect(),
            Status::Pass => checks.iter().filter(|c| c.status != Status::Skip).map(|c| c.summary.as_str()).collect(),
            _ => checks
                .iter()
                .filter(|c| !matches!(c.status, Status::Pass | Status::Skip))
                .map(|c| c.summary.as_str())
                .collect(),
        };
        let _ = writeln!(out, "{} {}: {}", glyph(status, style), group.title().bold(), summaries.join(" · "));
        if style.verbose {
            for check in checks {
                let _ = writeln!(out, "    {} {:<22} {}", small_glyph(check.status, style), check.id, check.summary);
                for detail in &check.details {
                    let _ = writeln!(out, "        {detail}");
                }
            }
        }
    }
    if !report.attempts.is_empty() {
        let _ = writeln!(out, "\n{}", "Token requests, in order:".bold());
        for (i, row) in report.attempts.iter().enumerate() {
            let _ = writeln!(out, "  {}. {}", i + 1, attempt_line(row));
        }
        out.push('\n');
    }
    for note in &report.notes {
        let _ = writeln!(out, "{} {note}", if style.color { "•" } else { "-" }.dimmed());
    }
    if !report.causes.is_empty() {
        let _ = writeln!(out, "\n{}", "Causes, most likely first:".bold());
        for (index, cause) in report.causes.iter().enumerate() {
            render_cause(&mut out, index + 1, cause, style);
        }
    }
    footer(&mut out, report, style);
    out
}

pub fn attempt_line(row: &crate::report::AttemptRow) -> String {
    let target = match (&row.login, &row.audience) {
        (Some(login), Some(aud)) => format!("{login} (aud {aud})"),
        (Some(login), None) => login.clone(),
        (None, Some(aud)) => format!("(aud {aud})"),
        (None, None) => "(host not known)".into(),
    };
    let times = if row.count > 1 { format!(" ×{}", row.count) } else { String::new() };
    format!("{target}: {}{times}", row.result)
}

fn header(out: &mut String, report: &Report) {
    let find = |name: &str| report.inputs.iter().find(|i| i.name == name).map(|i| i.value.as_str());
    let mut line = format!("sfjwt {} doctor", report.sfjwt_version);
    if let Some(url) = find("instance URL") {
        let _ = write!(line, ": {url}");
    }
    if let Some(user) = find("username") {
        let _ = write!(line, " as {user}");
    }
    if let Some(client) = find("client id") {
        let _ = write!(line, " (client id {client})");
    }
    let _ = writeln!(out, "{}\n", line.dimmed());
}

fn render_cause(out: &mut String, number: usize, cause: &CauseRow, style: &Style) {
    let mark = match cause.severity {
        Severity::Error => severity_glyph("✗", "x", style).red().bold(),
        Severity::Warning => "!".yellow().bold(),
        Severity::Info => severity_glyph("•", "i", style).blue(),
    };
    let _ = writeln!(
        out,
        "\n{number}. {mark} {}  {}",
        cause.title.bold(),
        format!("[{} · {}]", cause.id, super::cause_tags(cause)).dimmed()
    );
    if !cause.summary.is_empty() {
        let _ = writeln!(out, "   {}", cause.summary);
    }
    if !cause.evidence.is_empty() {
        let _ = writeln!(out, "   {}", "Evidence:".bold());
        for line in &cause.evidence {
            let _ = writeln!(out, "     - {line}");
        }
    }
    if !cause.why.is_empty() {
        let _ = writeln!(out, "   {} {}", "Why:".bold(), cause.why);
    }
    if let Some(confirm) = &cause.confirm {
        let _ = writeln!(out, "   {} {confirm}", "To confirm:".bold());
    }
    if !cause.fix.is_empty() {
        let _ = writeln!(out, "   {}", "Fix:".bold());
        for (step, text) in cause.fix.iter().enumerate() {
            let _ = writeln!(out, "     {}. {text}", step + 1);
        }
    }
    let _ = writeln!(out, "   {}", format!("More: sfjwt explain {}", cause.id).dimmed());
}

fn footer(out: &mut String, report: &Report, style: &Style) {
    let counts = &report.counts;
    let line = match report.verdict {
        Verdict::Healthy if counts.warnings == 0 => format!(
            "{} No issues found: {} passed, {} skipped for lack of input.",
            severity_glyph("•", "-", style),
            plural(counts.checks_passed, "check"),
            counts.checks_skipped
        )
        .green()
        .to_string(),
        Verdict::Healthy => format!("! No errors, {}.", plural(counts.warnings, "warning")).yellow().to_string(),
        Verdict::Problems => {
            format!("! Doctor found {} and {}.", plural(counts.errors, "error"), plural(counts.warnings, "warning"))
                .red()
                .bold()
                .to_string()
        }
        Verdict::Inconclusive => {
            "? Inconclusive: the token endpoint could not be reached and nothing else was found.".yellow().to_string()
        }
    };
    let _ = writeln!(out, "\n{line}");
}

fn glyph(status: Status, style: &Style) -> ColoredString {
    match status {
        Status::Pass => severity_glyph("[✓]", "[+]", style).green(),
        Status::Warn | Status::Error => "[!]".yellow(),
        Status::Fail => severity_glyph("[✗]", "[x]", style).red(),
        Status::Skip => "[-]".dimmed(),
    }
}

fn small_glyph(status: Status, style: &Style) -> ColoredString {
    match status {
        Status::Pass => severity_glyph("✓", "+", style).green(),
        Status::Warn => "!".yellow(),
        Status::Error => severity_glyph("☠", "E", style).red(),
        Status::Fail => severity_glyph("✗", "x", style).red(),
        Status::Skip => "-".dimmed(),
    }
}

fn severity_glyph(unicode: &'static str, ascii: &'static str, style: &Style) -> ColoredString {
    (if style.color { unicode } else { ascii }).normal()
}
