//! `--format json`: the report model as is (schema `sfjwt.report.v1`).

use crate::report::Report;

pub fn render(report: &Report) -> String {
    let mut out = serde_json::to_string_pretty(report).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"));
    out.push('\n');
    escape_hidden(&out)
}

/// serde_json escapes C0 controls but writes DEL, C1 controls and the characters that reorder or
/// hide text as they are; as `\uXXXX` escapes they are the same JSON value and cannot drive a
/// terminal that shows the file. Outside strings JSON is ASCII, so every such character is in one.
fn escape_hidden(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        if c != '\n' && super::hidden(c) {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn hidden_characters_become_escapes_of_the_same_value() {
        let json = serde_json::to_string(&"a\u{9b}b\u{202e}c\u{7f}").unwrap();
        let escaped = super::escape_hidden(&json);
        assert_eq!(escaped, r#""a\u009bb\u202ec\u007f""#);
        assert_eq!(serde_json::from_str::<String>(&escaped).unwrap(), "a\u{9b}b\u{202e}c\u{7f}");
    }
}
