//! `doctor --all` in every format: one table of the logins first (alias, username, host, verdict,
//! top cause, certificate expiry), then the details of the failing ones, each in the single-login
//! renderer's own words.

use std::fmt::Write;

use colored::Colorize;

use super::{github, junit, markdown, plural, text};
use crate::{
    all::model::{LoginRow, LoginStatus, Reports},
    finding::Severity,
};

const HEADINGS: [&str; 6] = ["alias", "username", "host", "verdict", "top cause", "certificate expiry"];

/// The six cells of a login's row, as text.
fn cells(row: &LoginRow) -> [String; 6] {
    let top = match (&row.top_cause, row.status) {
        (Some(cause), _) => cause.id.to_string(),
        (None, LoginStatus::Skipped) => "(not a JWT login)".into(),
        (None, LoginStatus::NotDiagnosed) => "(see below)".into(),
        (None, _) => "-".into(),
    };
    let expiry = match (&row.cert_expiry, row.cert_days_left) {
        (Some(date), Some(days)) => format!("{} ({})", date.split(' ').next().unwrap_or(date), days_left(days)),
        _ => "-".into(),
    };
    [
        row.alias.clone().unwrap_or_else(|| "-".into()),
        row.username.clone().unwrap_or_else(|| "-".into()),
        row.host.clone().unwrap_or_else(|| "-".into()),
        row.status.word().into(),
        top,
        expiry,
    ]
    .map(|cell| visible(&cell))
}

fn days_left(days: i64) -> String {
    match days {
        d if d < 0 => format!("expired {} ago", plural(d.unsigned_abs() as usize, "day")),
        d => format!("{} left", plural(d as usize, "day")),
    }
}

/// Control characters (from an alias or a file name) shown as escapes, never sent to a terminal.
fn visible(text: &str) -> String {
    text.chars().map(|c| if c.is_control() { c.escape_default().to_string() } else { c.to_string() }).collect()
}

/// "2 problems, 1 inconclusive, 3 healthy, 1 skipped".
fn tally(reports: &Reports) -> String {
    let c = &reports.counts;
    let parts = [
        (c.problems, "with problems"),
        (c.not_diagnosed, "not diagnosed"),
        (c.inconclusive, "inconclusive"),
        (c.healthy, "healthy"),
        (c.skipped, "skipped"),
    ];
    let counted: Vec<String> = parts.iter().filter(|(n, _)| *n > 0).map(|(n, what)| format!("{n} {what}")).collect();
    format!("{}: {}", plural(c.logins, "login"), counted.join(", "))
}

fn heading(row: &LoginRow) -> String {
    match (&row.alias, &row.username) {
        (Some(alias), Some(username)) if alias != username => format!("{alias} ({username})"),
        _ => row.label.clone(),
    }
}

pub fn text(reports: &Reports, style: &text::Style) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}\n",
        format!(
            "sfjwt {} doctor --all: {}, up to {} at a time",
            reports.sfjwt_version,
            plural(reports.counts.logins, "login"),
            reports.jobs
        )
        .dimmed()
    );
    let rows: Vec<[String; 6]> = reports.logins.iter().map(cells).collect();
    let mut widths = HEADINGS.map(|h| h.chars().count());
    for cells in &rows {
        for (width, cell) in widths.iter_mut().zip(cells) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: &[String; 6], status: Option<LoginStatus>| {
        let mut line = String::from(" ");
        for (i, (cell, width)) in cells.iter().zip(widths).enumerate() {
            let pad = " ".repeat(width - cell.chars().count());
            let shown = match (i, status) {
                (3, Some(status)) => paint(cell, status),
                _ => cell.normal().to_string(),
            };
            let _ = write!(line, " {shown}{pad} ");
        }
        line.trim_end().to_string()
    };
    let _ = writeln!(out, "{}", line(&HEADINGS.map(String::from), None).bold());
    for (cells, row) in rows.iter().zip(&reports.logins) {
        let _ = writeln!(out, "{}", line(cells, Some(row.status)));
    }
    for row in reports.logins.iter().filter(|r| r.status == LoginStatus::Skipped) {
        let _ = writeln!(out, "\n{} skipped: {}", heading(row), row.reason.as_deref().unwrap_or_default());
    }
    for note in &reports.notes {
        let _ = writeln!(out, "{} {note}", if style.color { "•" } else { "-" }.dimmed());
    }
    let shown: Vec<&LoginRow> =
        reports.logins.iter().filter(|r| r.status.failing() || (style.verbose && r.report.is_some())).collect();
    if !shown.is_empty() {
        let _ = writeln!(out, "\n{}", if style.verbose { "Details:" } else { "Details of the failing logins:" }.bold());
    }
    for row in shown {
        let title = format!("── {} ", heading(row));
        let rule = "─".repeat(72usize.saturating_sub(title.chars().count()));
        let _ = writeln!(out, "\n{}", format!("{title}{rule}").bold());
        match &row.report {
            Some(report) => out.push_str(&text::render(report, style)),
            None => {
                let _ = writeln!(out, "not diagnosed: {}", row.reason.as_deref().unwrap_or_default());
            }
        }
    }
    let footer = tally(reports);
    let _ = writeln!(
        out,
        "\n{}",
        match reports.verdict {
            crate::report::Verdict::Problems => format!("! {footer}").red().bold().to_string(),
            crate::report::Verdict::Inconclusive => format!("? {footer}").yellow().to_string(),
            crate::report::Verdict::Healthy => footer.green().to_string(),
        }
    );
    out
}

fn paint(word: &str, status: LoginStatus) -> String {
    match status {
        LoginStatus::Healthy => word.green().to_string(),
        LoginStatus::Problems | LoginStatus::NotDiagnosed => word.red().bold().to_string(),
        LoginStatus::Inconclusive => word.yellow().to_string(),
        LoginStatus::Skipped => word.dimmed().to_string(),
    }
}

pub fn json(reports: &Reports) -> String {
    let mut out = serde_json::to_string_pretty(reports).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"));
    out.push('\n');
    out
}

/// The table as Markdown: the job summary of `--format github`, and the head of `--format markdown`.
fn markdown_table(reports: &Reports) -> String {
    let cell = |text: &str| text.replace('|', "\\|").replace('\n', " ");
    let mut out = format!("| {} |\n|---|---|---|---|---|---|\n", HEADINGS.join(" | "));
    for row in &reports.logins {
        let [alias, username, host, verdict, top, expiry] = cells(row);
        let verdict = match row.status {
            LoginStatus::Healthy => format!("✅ {verdict}"),
            LoginStatus::Problems | LoginStatus::NotDiagnosed => format!("❌ {verdict}"),
            LoginStatus::Inconclusive => format!("❔ {verdict}"),
            LoginStatus::Skipped => format!("➖ {verdict}"),
        };
        let top = if top.contains('.') && row.top_cause.is_some() { format!("`{top}`") } else { top };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            cell(&alias),
            cell(&username),
            cell(&host),
            verdict,
            cell(&top),
            cell(&expiry)
        );
    }
    out
}

pub fn markdown(reports: &Reports) -> String {
    let mut out = format!(
        "# sfjwt doctor --all\n\n- **Verdict:** {}\n- **sfjwt:** {}\n- **Generated:** {}\n- **Logins:** {}\n\n",
        format!("{:?}", reports.verdict).to_lowercase(),
        reports.sfjwt_version,
        reports.generated_at,
        tally(reports)
    );
    out.push_str(&markdown_table(reports));
    let notes: Vec<String> = reports
        .logins
        .iter()
        .filter(|r| r.status == LoginStatus::Skipped)
        .map(|r| format!("{} skipped: {}", heading(r), r.reason.as_deref().unwrap_or_default()))
        .chain(reports.notes.iter().cloned())
        .collect();
    if !notes.is_empty() {
        out.push('\n');
        for note in notes {
            let _ = writeln!(out, "- {}", visible(&note));
        }
    }
    for row in reports.logins.iter().filter(|r| r.status.failing()) {
        let _ = writeln!(out, "\n## {}\n", visible(&heading(row)));
        match &row.report {
            // Under the login's heading, in place of the report's own title.
            Some(report) => out.push_str(&demote_headings(&markdown::render(report))),
            None => {
                let _ = writeln!(out, "Not diagnosed: {}", row.reason.as_deref().unwrap_or_default());
            }
        }
    }
    out
}

/// Drops a report's `# title` and moves its other headings one level down (`## Inputs` becomes
/// `### Inputs`), outside fenced code.
fn demote_headings(markdown: &str) -> String {
    let mut fenced = false;
    let mut out = String::with_capacity(markdown.len() + 64);
    let body = match markdown.split_once('\n') {
        Some((title, rest)) if title.starts_with("# ") => rest.trim_start_matches('\n'),
        _ => markdown,
    };
    for line in body.lines() {
        if line.starts_with("```") {
            fenced = !fenced;
        }
        if !fenced && line.starts_with('#') {
            out.push('#');
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// One test case per login, in one suite: a failure for problems, an error for a login that was
/// inconclusive or not diagnosed, skipped for the rest that are not JWT logins.
pub fn junit(reports: &Reports) -> String {
    let count = |f: fn(LoginStatus) -> bool| reports.logins.iter().filter(|r| f(r.status)).count();
    let failures = count(|s| s == LoginStatus::Problems);
    let errors = count(|s| matches!(s, LoginStatus::Inconclusive | LoginStatus::NotDiagnosed));
    let skipped = count(|s| s == LoginStatus::Skipped);
    let total = reports.logins.len();
    let seconds = |ms: u64| format!("{:.3}", ms as f64 / 1000.0);
    let time: u64 = reports.logins.iter().map(|r| r.elapsed_ms).max().unwrap_or(0);
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"sfjwt doctor --all\" tests=\"{total}\" failures=\"{failures}\" errors=\"{errors}\" time=\"{}\">",
        seconds(time)
    );
    let _ = writeln!(
        out,
        "  <testsuite name=\"logins\" tests=\"{total}\" failures=\"{failures}\" errors=\"{errors}\" skipped=\"{skipped}\" time=\"{}\" timestamp=\"{}\">",
        seconds(time),
        junit::xml(&reports.generated_at.replace(' ', "T").replace("TUTC", "Z")),
    );
    for row in &reports.logins {
        let _ = writeln!(
            out,
            "    <testcase classname=\"sfjwt.login\" name=\"{}\" time=\"{}\">",
            junit::xml(&heading(row)),
            seconds(row.elapsed_ms)
        );
        let summary = row.top_cause.as_ref().map(|c| format!("{}: {}", c.id, c.title));
        let causes = row.report.as_ref().map(|r| junit::cause_text(&r.causes.iter().collect::<Vec<_>>()));
        match row.status {
            LoginStatus::Problems => {
                let kind = row.top_cause.as_ref().map_or("problems".to_string(), |c| c.id.to_string());
                let _ = writeln!(
                    out,
                    "      <failure type=\"{}\" message=\"{}\">{}</failure>",
                    junit::xml(&kind),
                    junit::xml(summary.as_deref().unwrap_or("problems")),
                    junit::xml(causes.as_deref().unwrap_or_default())
                );
            }
            LoginStatus::Inconclusive => {
                let _ = writeln!(
                    out,
                    "      <error type=\"inconclusive\" message=\"{}\">{}</error>",
                    junit::xml(summary.as_deref().unwrap_or("inconclusive")),
                    junit::xml(causes.as_deref().unwrap_or_default())
                );
            }
            LoginStatus::NotDiagnosed => {
                let reason = row.reason.as_deref().unwrap_or_default();
                let _ = writeln!(out, "      <error type=\"not-diagnosed\" message=\"{}\"/>", junit::xml(reason));
            }
            LoginStatus::Skipped => {
                let reason = row.reason.as_deref().unwrap_or_default();
                let _ = writeln!(out, "      <skipped message=\"{}\"/>", junit::xml(reason));
            }
            LoginStatus::Healthy => {
                let text = format!("healthy{}", summary.map(|s| format!("; {s}")).unwrap_or_default());
                let _ = writeln!(out, "      <system-out>{}</system-out>", junit::xml(&text));
            }
        }
        let _ = writeln!(out, "    </testcase>");
    }
    let _ = writeln!(out, "  </testsuite>\n</testsuites>");
    out
}

/// One workflow annotation per failing login (its top cause, evidence and first fix), or one
/// notice when none fails.
pub fn github(reports: &Reports) -> String {
    let mut out = String::new();
    for row in reports.logins.iter().filter(|r| r.status.failing()) {
        let command = match (row.status, row.top_cause.as_ref().map(|c| c.severity)) {
            (LoginStatus::Inconclusive, _) | (_, Some(Severity::Warning)) => "warning",
            _ => "error",
        };
        let title = format!("sfjwt {}: {}", heading(row), row.status.word());
        let cause = row.report.as_ref().and_then(|r| r.causes.first());
        let mut message = match cause {
            Some(cause) => format!("{} ({})\n", cause.title, cause.id),
            None => format!("not diagnosed: {}\n", row.reason.as_deref().unwrap_or_default()),
        };
        if let Some(cause) = cause {
            for line in &cause.evidence {
                let _ = writeln!(message, "- {line}");
            }
            if let Some(step) = cause.fix.first() {
                let _ = writeln!(message, "Fix: {step}");
            }
            let _ = write!(message, "More: sfjwt explain {}", cause.id);
        }
        let _ = writeln!(out, "::{command} title={}::{}", github::property(&title), github::data(message.trim_end()));
    }
    if out.is_empty() {
        let _ =
            writeln!(out, "::notice title=sfjwt::{}", github::data(&format!("sfjwt doctor --all: {}", tally(reports))));
    }
    out
}

/// The job summary for `GITHUB_STEP_SUMMARY`: the table.
pub fn github_summary(reports: &Reports) -> String {
    format!(
        "## sfjwt doctor --all: {}\n\n{}\n",
        format!("{:?}", reports.verdict).to_lowercase(),
        markdown_table(reports)
    )
}
