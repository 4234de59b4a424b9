//! One renderer per output format. Each reads the finished `Report` and decides nothing.

pub mod github;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod table;
pub mod text;

use std::fmt::Write as _;

use crate::{
    finding::{Confidence, Severity, Status},
    registry::Group,
    report::{CheckRow, Report, Verdict},
};

/// The checks of each group, in registry order, with the group's overall status.
pub fn groups(report: &Report) -> Vec<(Group, Status, Vec<&CheckRow>)> {
    let mut groups: Vec<(Group, Status, Vec<&CheckRow>)> = Vec::new();
    for check in &report.checks {
        match groups.iter_mut().find(|(g, ..)| *g == check.group) {
            Some((_, _, checks)) => checks.push(check),
            None => groups.push((check.group, Status::Skip, vec![check])),
        }
    }
    for (_, status, checks) in &mut groups {
        *status = group_status(checks);
    }
    groups
}

fn group_status(checks: &[&CheckRow]) -> Status {
    let has = |s: Status| checks.iter().any(|c| c.status == s);
    if has(Status::Fail) {
        Status::Fail
    } else if has(Status::Error) || has(Status::Warn) {
        Status::Warn
    } else if checks.iter().all(|c| c.status == Status::Skip) {
        Status::Skip
    } else {
        Status::Pass
    }
}

/// `error · high confidence · transient · was warning (-D)`: how sure, and whether re-levelled.
pub fn cause_tags(cause: &crate::report::CauseRow) -> String {
    let mut tags = format!("{} · {} confidence", severity_word(cause.severity), confidence_word(cause.confidence));
    if cause.transient {
        tags.push_str(" · transient");
    }
    if let Some(r) = &cause.relevelled {
        tags.push_str(&format!(" · was {} ({})", severity_word(r.from), r.by));
    }
    tags
}

pub fn confidence_word(confidence: Confidence) -> &'static str {
    match confidence {
        Confidence::High => "high",
        Confidence::Medium => "medium",
        Confidence::Low => "low",
    }
}

pub fn verdict_word(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Healthy => "healthy",
        Verdict::Problems => "problems",
        Verdict::Inconclusive => "inconclusive",
    }
}

pub fn status_word(status: Status) -> &'static str {
    match status {
        Status::Pass => "pass",
        Status::Warn => "warn",
        Status::Fail => "fail",
        Status::Skip => "skip",
        Status::Error => "error",
    }
}

/// What a report already showed, so that an answer quoted by several causes, or a fix step they
/// share, is shown once.
#[derive(Default)]
pub struct Seen {
    texts: Vec<String>,
    steps: Vec<String>,
}

impl Seen {
    /// Records a line of text; true the first time it is seen (or contained in one seen).
    pub fn text(&mut self, line: &str) -> bool {
        if self.texts.iter().any(|t| t.contains(line)) {
            return false;
        }
        self.texts.push(line.to_string());
        true
    }

    /// Records a fix step; true the first time.
    pub fn step(&mut self, step: &str) -> bool {
        if self.steps.iter().any(|s| s == step) {
            return false;
        }
        self.steps.push(step.to_string());
        true
    }
}

/// Text from any input or answer with every control character, and every invisible character
/// that can reorder or hide text, made visible as `\u{…}`, so that it cannot drive a terminal
/// or a document. Line breaks and tabs stay where a field holds several lines.
pub fn visible(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if (c == '\n' || c == '\t') || !hidden(c) {
            out.push(c);
        } else {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        }
    }
    out
}

/// C0 and C1 controls, DEL, and the format characters that reorder or hide text (bidirectional
/// overrides and isolates, zero-width characters, the BOM).
pub fn hidden(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2069}' | '\u{feff}')
}

pub fn severity_word(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "info",
    }
}

pub fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}
