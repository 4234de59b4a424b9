//! `--format json`: the report model as is (schema `sfjwt.report.v1`).

use crate::report::Report;

pub fn render(report: &Report) -> String {
    let mut out = serde_json::to_string_pretty(report).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"));
    out.push('\n');
    out
}
