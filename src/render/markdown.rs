//! `--format markdown`: a report to paste into a support ticket, complete and self-explanatory.
//!
//! Text from inputs and answers cannot break out of its place: every field goes through
//! [`inline`] (one line, Markdown punctuation escaped outside code spans, code spans closed) or
//! [`fenced`] (a fence longer than any backtick run inside), after control characters were made
//! visible.

use std::fmt::Write;

use super::{Seen, groups, plural, verdict_word, visible};
use crate::{finding::Status, report::Report};

pub fn render(report: &Report) -> String {
    let report = &report.map_text(visible);
    let mut out = String::new();
    let _ = writeln!(out, "# sfjwt doctor report\n");
    let _ = writeln!(
        out,
        "- **Verdict:** {}\n- **sfjwt:** {} ({}/{})\n- **Generated:** {}\n- **Found:** {}, {}, {} info\n",
        verdict_word(report.verdict),
        report.sfjwt_version,
        report.platform.os,
        report.platform.arch,
        inline(&report.generated_at),
        plural(report.counts.errors, "error"),
        plural(report.counts.warnings, "warning"),
        report.counts.info
    );
    let _ = writeln!(out, "## Inputs\n\n| input | value | from |\n|---|---|---|");
    for input in &report.inputs {
        let _ = writeln!(out, "| {} | {} | {} |", input.name, code(&input.value, true), cell(&input.source));
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
            let _ = writeln!(out, "- {}", inline(note));
        }
    }
    let _ = writeln!(out, "\n## Causes\n");
    if report.causes.is_empty() {
        let _ = writeln!(out, "No cause found.");
    }
    let mut seen = Seen::default();
    for (index, cause) in report.causes.iter().enumerate() {
        let number = index + 1;
        let _ =
            writeln!(out, "### {number}. {} (`{}`)\n\n{}\n", inline(&cause.title), cause.id, super::cause_tags(cause));
        if !cause.summary.is_empty() {
            let _ = writeln!(out, "{}\n", inline(&cause.summary));
        }
        let _ = writeln!(out, "**Evidence**\n");
        for line in &cause.evidence {
            let _ = writeln!(out, "- {}", inline(line));
        }
        let _ = writeln!(out, "\n**Why Salesforce rejects it:** {}\n", inline(&cause.why));
        if let Some(confirm) = &cause.confirm {
            let _ = writeln!(out, "**To confirm:** {}\n", inline(confirm));
        }
        let _ = writeln!(out, "**Fix**\n");
        for (step, text) in cause.fix.iter().enumerate() {
            // A step another cause already gave is named, not repeated.
            let text = if seen.step(text) { inline(text) } else { "The same step as above.".to_string() };
            let _ = writeln!(out, "{}. {text}", step + 1);
        }
        if !cause.references.is_empty() {
            let references: Vec<String> = cause.references.iter().map(|r| link(r)).collect();
            let _ = writeln!(out, "\n**References:** {}", references.join(", "));
        }
        let _ = writeln!(out);
    }
    if !report.transcripts.is_empty() {
        let _ = writeln!(out, "## Probe transcript\n\nSecrets (the assertion, any token) are masked.\n");
        for transcript in &report.transcripts {
            let body =
                format!("{}\n\n{}", transcript.request, transcript.response.as_deref().unwrap_or("(no response)"));
            let _ = writeln!(out, "{}\n", fenced(&body, "http"));
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

/// One line of inline Markdown: the text's `code spans` kept (and closed), everything else with
/// Markdown's punctuation escaped, so no input can open a block, a link, an image or HTML.
pub fn inline(text: &str) -> String {
    spans(text, false)
}

/// [`inline`] for a table cell: pipes escaped too, inside code spans as well (GFM splits cells
/// before it reads spans).
pub fn cell(text: &str) -> String {
    spans(text, true)
}

/// A catalog reference as an autolink (`<https://…>`), else as inline text.
fn link(reference: &str) -> String {
    let plain =
        reference.starts_with("https://") && !reference.contains(|c: char| c.is_whitespace() || "<>".contains(c));
    if plain { format!("<{reference}>") } else { inline(reference) }
}

/// The whole text as one code span.
fn code(text: &str, in_table: bool) -> String {
    let text = text.replace(['\r', '\n'], " ");
    let text = if in_table { text.replace('|', "\\|") } else { text };
    let fence = "`".repeat(longest_run(&text, '`') + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') { " " } else { "" };
    format!("{fence}{pad}{text}{pad}{fence}")
}

fn spans(text: &str, in_table: bool) -> String {
    let text = text.replace(['\r', '\n'], " ");
    let mut out = String::with_capacity(text.len() + 8);
    for (index, segment) in text.split('`').enumerate() {
        if index % 2 == 1 {
            if !segment.is_empty() {
                let segment = if in_table { segment.replace('|', "\\|") } else { segment.to_string() };
                let _ = write!(out, "`{segment}`");
            }
            continue;
        }
        for (at, c) in segment.char_indices() {
            // Emphasis, links, images, HTML, entities, tables, headings and quotes anywhere; a
            // list marker or a numbered item only where it would start one.
            let starts = index == 0 && segment[..at].trim().is_empty();
            let numbered = index == 0 && (c == '.' || c == ')') && {
                let before = segment[..at].trim_start();
                !before.is_empty() && before.chars().all(|d| d.is_ascii_digit())
            };
            if "\\*_[]<>!|~&$".contains(c) || (starts && "-+=#".contains(c)) || numbered {
                out.push('\\');
            }
            out.push(c);
        }
    }
    out
}

/// A fenced code block whose fence no line of the text can close.
pub fn fenced(text: &str, language: &str) -> String {
    let fence = "`".repeat(longest_run(text, '`').max(2) + 1);
    format!("{fence}{language}\n{text}\n{fence}")
}

fn longest_run(text: &str, c: char) -> usize {
    let (mut longest, mut run) = (0, 0);
    for ch in text.chars() {
        run = if ch == c { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    longest
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_text_cannot_open_blocks_links_or_html() {
        assert_eq!(
            inline("# [x](javascript:alert(1)) <img> *a* #8"),
            r"\# \[x\](javascript:alert(1)) \<img\> \*a\* #8"
        );
        assert_eq!(inline("- item"), r"\- item");
        assert_eq!(inline("12. item, 3.5 a-b"), r"12\. item, 3.5 a-b");
        assert_eq!(inline("line\n# heading"), "line # heading");
        assert_eq!(inline("# heading"), r"\# heading");
        assert_eq!(inline("run `a | b` now"), "run `a | b` now");
        assert_eq!(cell("run `a | b` | c"), r"run `a \| b` \| c");
        assert_eq!(inline("unclosed `code"), "unclosed `code`");
    }

    #[test]
    fn fences_outlast_any_backticks_inside() {
        assert_eq!(fenced("a\n```\nb", "http"), "````http\na\n```\nb\n````");
        assert_eq!(code("a`b", false), "``a`b``");
    }
}
