//! `--format junit`: one test case per check, grouped in a suite per check group. A failing
//! check's `<failure>` carries its causes with evidence and fix. Read by GitLab, Jenkins and
//! Azure DevOps (the common JUnit XML schema).

use std::fmt::Write;

use super::groups;
use crate::{
    finding::Status,
    report::{CauseRow, Report},
};

pub fn render(report: &Report) -> String {
    // Made visible rather than dropped by `xml`: a control character in an answer is evidence.
    let report = &report.map_text(super::visible);
    let total = report.checks.len();
    let failures = report.checks.iter().filter(|c| c.status == Status::Fail).count();
    let errors = report.checks.iter().filter(|c| c.status == Status::Error).count();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"sfjwt doctor\" tests=\"{total}\" failures=\"{failures}\" errors=\"{errors}\" time=\"0\">"
    );
    for (group, _, checks) in groups(report) {
        let count = |s: Status| checks.iter().filter(|c| c.status == s).count();
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"0\" timestamp=\"{}\">",
            xml(group.title()),
            checks.len(),
            count(Status::Fail),
            count(Status::Error),
            count(Status::Skip),
            xml(&report.generated_at.replace(' ', "T").replace("TUTC", "Z")),
        );
        for check in checks {
            let causes: Vec<&CauseRow> = report.causes.iter().filter(|c| c.check == check.id).collect();
            let _ = writeln!(
                out,
                "    <testcase classname=\"sfjwt.{}\" name=\"{}: {}\" time=\"0\">",
                check.id.split('.').next().unwrap_or("sfjwt"),
                check.id,
                xml(check.title)
            );
            match check.status {
                Status::Fail => {
                    let first = causes.first().map_or(check.id, |c| c.id.as_str());
                    let _ = writeln!(
                        out,
                        "      <failure type=\"{first}\" message=\"{}\">{}</failure>",
                        xml(&check.summary),
                        xml(&cause_text(&causes))
                    );
                }
                Status::Error => {
                    let _ = writeln!(out, "      <error type=\"internal\" message=\"{}\"/>", xml(&check.summary));
                }
                Status::Skip => {
                    let _ = writeln!(out, "      <skipped message=\"{}\"/>", xml(&check.summary));
                }
                Status::Pass | Status::Warn => {
                    let mut text = check.summary.clone();
                    if !causes.is_empty() {
                        text.push_str("\n\n");
                        text.push_str(&cause_text(&causes));
                    }
                    let _ = writeln!(out, "      <system-out>{}</system-out>", xml(&text));
                }
            }
            let _ = writeln!(out, "    </testcase>");
        }
        let _ = writeln!(out, "  </testsuite>");
    }
    let _ = writeln!(out, "</testsuites>");
    out
}

pub(super) fn cause_text(causes: &[&CauseRow]) -> String {
    let mut text = String::new();
    for cause in causes {
        let _ = writeln!(text, "{} ({}): {}", cause.id, super::cause_tags(cause), cause.title);
        for line in &cause.evidence {
            let _ = writeln!(text, "  evidence: {line}");
        }
        let _ = writeln!(text, "  why: {}", cause.why);
        for (i, step) in cause.fix.iter().enumerate() {
            let _ = writeln!(text, "  fix {}: {step}", i + 1);
        }
        let _ = writeln!(text, "  more: sfjwt explain {}", cause.id);
    }
    text
}

/// Escapes text for XML attributes and content, dropping characters XML 1.0 forbids.
pub fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' | '\t' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}
