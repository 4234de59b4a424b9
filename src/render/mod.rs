//! One renderer per output format. Each reads the finished `Report` and decides nothing.

pub mod github;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod table;
pub mod text;

use crate::{
    finding::{Severity, Status},
    registry::Group,
    report::{CheckRow, Report},
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
    let mut tags =
        format!("{} · {} confidence", severity_word(cause.severity), format!("{:?}", cause.confidence).to_lowercase());
    if cause.transient {
        tags.push_str(" · transient");
    }
    if let Some(r) = &cause.relevelled {
        tags.push_str(&format!(" · was {} ({})", severity_word(r.from), r.by));
    }
    tags
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
