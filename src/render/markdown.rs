//! `--format markdown`: a report to paste into a support ticket, complete and self-explanatory.

use std::fmt::Write;

use super::{groups, plural};
use crate::{finding::Status, report::Report};

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# sfjwt doctor report\n");
    let _ = writeln!(
        out,
        "- **Verdict:** {}\n- **sfjwt:** {} ({}/{})\n- **Generated:** {}\n- **Found:** {}, {}, {} info\n",
        format!("{:?}", report.verdict).to_lowercase(),
        report.sfjwt_version,
        report.platform.os,
        report.platform.arch,
        report.generated_at,
        plural(report.counts.errors, "error"),
        plural(report.counts.warnings, "warning"),
        report.counts.info
    );
    let _ = writeln!(out, "## Inputs\n\n| input | value | from |\n|---|---|---|");
    for input in &report.inputs {
        let _ = writeln!(out, "| {} | `{}` | {} |", input.name, cell(&input.value), cell(&input.source));
    }
    let _ = writeln!(out, "\n## Checks\n\n| | check | result |\n|---|---|---|");
    for (_, _, checks) in groups(report) {
        for check in checks {
            let _ = writeln!(
                out,
                "| {} | `{}` {} | {} |",
                status_word(check.status),
                check.id,
                cell(check.title),
                cell(&check.summary)
            );
        }
    }
    if !report.attempts.is_empty() {
        let _ = writeln!(out, "\n## Token requests\n\n| # | host | aud | result | source |\n|---|---|---|---|---|");
        for (i, row) in report.attempts.iter().enumerate() {
            let times = if row.count > 1 { format!(" ×{}", row.count) } else { String::new() };
            let _ = writeln!(
                out,
                "| {} | {} | {} | {}{times} | {} |",
                i + 1,
                cell(row.login.as_deref().unwrap_or("?")),
                cell(row.audience.as_deref().unwrap_or("?")),
                cell(&row.result),
                row.source
            );
        }
    }
    if !report.notes.is_empty() {
        let _ = writeln!(out, "\n## Notes\n");
        for note in &report.notes {
            let _ = writeln!(out, "- {note}");
        }
    }
    let _ = writeln!(out, "\n## Causes\n");
    if report.causes.is_empty() {
        let _ = writeln!(out, "No cause found.");
    }
    for (index, cause) in report.causes.iter().enumerate() {
        let _ = writeln!(out, "### {}. {} (`{}`)\n\n{}\n", index + 1, cause.title, cause.id, super::cause_tags(cause));
        if !cause.summary.is_empty() {
            let _ = writeln!(out, "{}\n", cause.summary);
        }
        let _ = writeln!(out, "**Evidence**\n");
        for line in &cause.evidence {
            let _ = writeln!(out, "- {line}");
        }
        let _ = writeln!(out, "\n**Why Salesforce rejects it:** {}\n", cause.why);
        if let Some(confirm) = &cause.confirm {
            let _ = writeln!(out, "**To confirm:** {confirm}\n");
        }
        let _ = writeln!(out, "**Fix**\n");
        for (step, text) in cause.fix.iter().enumerate() {
            let _ = writeln!(out, "{}. {text}", step + 1);
        }
        if !cause.references.is_empty() {
            let _ = writeln!(out, "\n**References:** {}", cause.references.join(", "));
        }
        let _ = writeln!(out);
    }
    if !report.transcripts.is_empty() {
        let _ = writeln!(out, "## Probe transcript\n\nSecrets (the assertion, any token) are masked.\n");
        for transcript in &report.transcripts {
            let _ = writeln!(
                out,
                "```http\n{}\n\n{}\n```\n",
                transcript.request,
                transcript.response.as_deref().unwrap_or("(no response)")
            );
        }
    }
    out
}

fn status_word(status: Status) -> &'static str {
    match status {
        Status::Pass => "✅ pass",
        Status::Warn => "⚠️ warn",
        Status::Fail => "❌ fail",
        Status::Skip => "➖ skip",
        Status::Error => "💥 error",
    }
}

fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}
