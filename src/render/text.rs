//! The terminal report, in the manner of flutter doctor: one line per group that ran, the groups
//! that could not run folded into one hint line, then the causes with their evidence and fix, and
//! a footer that counts. What one cause already showed (an answer, a fix step) is not repeated;
//! info-level causes take one line each. `-v` shows everything: every check with its details,
//! every cause in full, the token requests, the inputs.

use std::fmt::Write;

use colored::{ColoredString, Colorize};

use super::{Seen, groups, plural, visible};
use crate::{
    finding::{Confidence, Severity, Status},
    report::{CauseRow, Report, Verdict},
};

pub struct Style {
    /// Unicode glyphs and colour; off gives plain ASCII glyphs without escapes.
    pub color: bool,
    pub verbose: bool,
}

pub fn render(report: &Report, style: &Style) -> String {
    // Untrusted text is made visible here, once, before any colour is added.
    let report = &report.map_text(visible);
    let mut out = String::new();
    header(&mut out, report);
    let mut seen = Seen::default();
    for (group, status, checks) in groups(report) {
        if status == Status::Skip && !style.verbose {
            continue;
        }
        let summaries: Vec<&str> = match status {
            Status::Skip => checks.iter().map(|c| c.summary.as_str()).take(1).collect(),
            Status::Pass => checks.iter().filter(|c| c.status != Status::Skip).map(|c| c.summary.as_str()).collect(),
            _ => checks
                .iter()
                .filter(|c| !matches!(c.status, Status::Pass | Status::Skip))
                .map(|c| c.summary.as_str())
                .collect(),
        };
        let line = joined(&summaries);
        seen.text(&line);
        let _ = writeln!(out, "{} {}: {line}", glyph(status, style), group.title().bold());
        if style.verbose {
            for check in checks {
                let _ = writeln!(out, "    {} {:<22} {}", small_glyph(check.status, style), check.id, check.summary);
                for detail in &check.details {
                    let _ = writeln!(out, "        {detail}");
                }
            }
        }
    }
    if !style.verbose && !report.not_checked.is_empty() {
        let _ = writeln!(out, "{} {}", "[-]".dimmed(), format!("Not checked: {}", not_checked(report)).dimmed());
    }
    // One request is the Login line above; several are worth listing, and -v lists them all.
    if report.attempts.len() > 1 || (style.verbose && !report.attempts.is_empty()) {
        let _ = writeln!(out, "\n{}", "Token requests, in order:".bold());
        for (i, row) in report.attempts.iter().enumerate() {
            let _ = writeln!(out, "  {}. {}", i + 1, attempt_line(row));
        }
    }
    if style.verbose {
        let _ = writeln!(out, "\n{}", "Inputs:".bold());
        for input in &report.inputs {
            let _ = writeln!(out, "  {}: {} (from {})", input.name, input.value, input.source);
        }
    }
    if !report.notes.is_empty() {
        out.push('\n');
        for note in &report.notes {
            let _ = writeln!(out, "{} {note}", if style.color { "•" } else { "-" }.dimmed());
        }
    }
    let (full, brief): (Vec<&CauseRow>, Vec<&CauseRow>) =
        report.causes.iter().partition(|c| style.verbose || c.severity != Severity::Info);
    for (index, cause) in full.iter().enumerate() {
        render_cause(&mut out, index + 1, cause, style, &mut seen);
    }
    if !brief.is_empty() {
        let _ = writeln!(out);
        for cause in brief {
            let mark = severity_glyph("•", "i", style).blue();
            let _ = writeln!(out, "{mark} {}  {}", cause.title, format!("[{}]", tags(cause, style)).dimmed());
        }
    }
    footer(&mut out, report, style);
    out
}

/// `connected app (--connected-app), token endpoint and login (not with --offline)`: groups that
/// need the same input share it.
fn not_checked(report: &Report) -> String {
    let mut parts: Vec<(Vec<&str>, &str)> = Vec::new();
    for group in &report.not_checked {
        let name = group.group.short_name();
        match parts.iter_mut().find(|(_, needs)| *needs == group.needs) {
            Some((names, _)) => names.push(name),
            None => parts.push((vec![name], &group.needs)),
        }
    }
    let parts: Vec<String> = parts.iter().map(|(names, needs)| format!("{} ({needs})", names.join(" and "))).collect();
    parts.join(", ")
}

/// Group summaries joined with ` · `, leaving out one that an earlier one already says.
fn joined(summaries: &[&str]) -> String {
    let mut kept: Vec<&str> = Vec::new();
    for summary in summaries {
        if !summary.is_empty() && !kept.iter().any(|k| k.contains(summary)) {
            kept.push(summary);
        }
    }
    kept.join(" · ")
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
        // Shortened for the width of a line, not hidden: it is not a secret (-v shows it whole).
        let _ = write!(line, " (client id {})", crate::secret::mask_client_id(client));
    }
    let _ = writeln!(out, "{}\n", line.dimmed());
}

fn render_cause(out: &mut String, number: usize, cause: &CauseRow, style: &Style, seen: &mut Seen) {
    let mark = match cause.severity {
        Severity::Error => severity_glyph("✗", "x", style).red().bold(),
        Severity::Warning => "!".yellow().bold(),
        Severity::Info => severity_glyph("•", "i", style).blue(),
    };
    let _ =
        writeln!(out, "\n{number}. {mark} {}  {}", cause.title.bold(), format!("[{}]", tags(cause, style)).dimmed());
    if style.verbose && !cause.summary.is_empty() {
        let _ = writeln!(out, "   {}", cause.summary);
    }
    for line in &cause.evidence {
        if style.verbose || seen.text(line) {
            let _ = writeln!(out, "   - {line}");
        }
    }
    if style.verbose && !cause.why.is_empty() {
        let _ = writeln!(out, "   {} {}", "Why:".bold(), cause.why);
    }
    if let Some(confirm) = &cause.confirm {
        let _ = writeln!(out, "   {} {confirm}", "To confirm:".bold());
    }
    let steps: Vec<&String> = cause.fix.iter().filter(|step| style.verbose || seen.step(step)).collect();
    if !steps.is_empty() {
        let _ = writeln!(out, "   {}", "Fix:".bold());
        for (index, step) in steps.iter().enumerate() {
            let _ = writeln!(out, "   {}. {step}", index + 1);
        }
    }
    if style.verbose {
        for reference in &cause.references {
            let _ = writeln!(out, "   {} {reference}", "See:".dimmed());
        }
    }
}

/// `key.mangled`, plus how sure and whether re-levelled when that is not the plain case.
fn tags(cause: &CauseRow, style: &Style) -> String {
    if style.verbose {
        return format!("{} · {}", cause.id, super::cause_tags(cause));
    }
    let mut tags = cause.id.to_string();
    if cause.confidence != Confidence::High {
        let _ = write!(tags, " · {} confidence", super::confidence_word(cause.confidence));
    }
    if cause.transient {
        tags.push_str(" · transient");
    }
    if let Some(r) = &cause.relevelled {
        let _ = write!(tags, " · was {} ({})", super::severity_word(r.from), r.by);
    }
    tags
}

fn footer(out: &mut String, report: &Report, style: &Style) {
    let counts = &report.counts;
    let line = match report.verdict {
        Verdict::Healthy if counts.warnings == 0 => format!(
            "{} No issues found: {} passed, {} not checked.",
            severity_glyph("•", "-", style),
            plural(counts.checks_passed, "check"),
            counts.checks_skipped
        )
        .green()
        .to_string(),
        Verdict::Healthy => format!("! No errors, {}.", plural(counts.warnings, "warning")).yellow().to_string(),
        Verdict::Problems => {
            let mut found = plural(counts.errors, "error");
            if counts.warnings > 0 {
                let _ = write!(found, " and {}", plural(counts.warnings, "warning"));
            }
            format!("! Doctor found {found}.").red().bold().to_string()
        }
        Verdict::Inconclusive => {
            "? Inconclusive: the token endpoint could not be reached and nothing else was found.".yellow().to_string()
        }
    };
    let _ = writeln!(out, "\n{line}");
    if !report.causes.is_empty() && !style.verbose {
        let _ = writeln!(
            out,
            "{}",
            "`sfjwt explain <id>` says why and how to fix a cause; -v shows every detail.".dimmed()
        );
    }
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
