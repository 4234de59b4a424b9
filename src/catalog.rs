//! The cause catalog: one Markdown file per cause id in `checks/`, embedded at build time.
//!
//! A file has a small front matter (id, title, severity, transient, symptoms, references) and three
//! sections: what it means, why Salesforce rejects it, how to fix. Fix steps may hold `{name|default}`
//! placeholders that a finding fills with the user's own values.

use std::sync::OnceLock;

use crate::{cause_id::CauseId, finding::Severity};

#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub id: CauseId,
    pub title: String,
    pub severity: Severity,
    pub transient: bool,
    pub symptoms: Vec<String>,
    pub references: Vec<String>,
    /// The paragraph before the first section.
    pub summary: String,
    /// The first paragraph of "Why Salesforce rejects it".
    pub why: String,
    /// The numbered steps of "How to fix", placeholders unfilled.
    pub fix: Vec<String>,
    /// The whole file, for `sfjwt explain`.
    pub markdown: &'static str,
}

/// Every entry, sorted by id (the order of `CauseId::ALL`).
pub fn all() -> &'static [Entry] {
    static CATALOG: OnceLock<Vec<Entry>> = OnceLock::new();
    CATALOG.get_or_init(|| {
        CauseId::ALL
            .iter()
            .map(|&id| parse(id, id.markdown()).unwrap_or_else(|e| panic!("checks/{id}.md: {e}")))
            .collect()
    })
}

/// The entry of a cause: every `CauseId` has one, by construction.
pub fn get(id: CauseId) -> &'static Entry {
    &all()[id as usize]
}

/// The entry for an id as a user typed it.
pub fn find(id: &str) -> Option<&'static Entry> {
    CauseId::parse(id).map(get)
}

pub fn default_severity(id: CauseId) -> Severity {
    get(id).severity
}

/// The ids closest to a mistyped one, best first.
pub fn suggest<'a>(wanted: &str, ids: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut scored: Vec<(usize, &str)> = ids
        .map(|id| (strsim::levenshtein(wanted, id), id))
        .filter(|(d, id)| *d <= wanted.len().max(id.len()) / 3 + 1 || id.contains(wanted))
        .collect();
    scored.sort();
    scored.into_iter().take(3).map(|(_, id)| id).collect()
}

/// Replaces each `{name|default}` with the value given for `name`, else with `default` as
/// written. A value is written for where it lands, so that a pasted command runs exactly what is
/// shown: as one quoted word in shell text, escaped inside a command's "double-quoted" string (and
/// a 'SOQL literal' within it), JSON-escaped inside a JSON string, and as is in prose.
pub fn fill(template: &str, vars: &[(&str, String)]) -> String {
    let mut out = String::with_capacity(template.len());
    for (index, segment) in template.split('`').enumerate() {
        if index > 0 {
            out.push('`');
        }
        let in_code = index % 2 == 1;
        let context = match () {
            _ if !in_code => Context::Prose,
            _ if crate::shell::is_shell(segment) => Context::Shell,
            _ if segment.trim_start().starts_with('<') => Context::Xml,
            _ => Context::Code,
        };
        fill_segment(&mut out, segment, vars, context);
    }
    out
}

/// What a piece of a step is: prose, a command (shell), an XML snippet, or other code (JSON).
#[derive(Clone, Copy, PartialEq)]
enum Context {
    Prose,
    Shell,
    Xml,
    Code,
}

/// Where a placeholder sits inside a code span.
#[derive(Clone, Copy, PartialEq)]
enum Quote {
    None,
    Single,
    Double,
    /// A 'literal' inside a double-quoted string: SOQL's, in `--query "… = '…'"`.
    SoqlInDouble,
}

fn fill_segment(out: &mut String, segment: &str, vars: &[(&str, String)], context: Context) {
    let shell = context == Context::Shell;
    let mut quote = Quote::None;
    let mut rest = segment;
    while let Some(c) = rest.chars().next() {
        if c == '{'
            && let Some((name, default, len)) = placeholder(rest)
        {
            match vars.iter().find(|(n, _)| *n == name).map(|(_, v)| v.as_str()) {
                Some(value) => out.push_str(&encode(value, context, quote)),
                None => out.push_str(default),
            }
            rest = &rest[len..];
            continue;
        }
        quote = match (c, quote) {
            ('\'', Quote::None) if shell => Quote::Single,
            ('\'', Quote::Single) => Quote::None,
            ('"', Quote::None) => Quote::Double,
            ('"', Quote::Double) => Quote::None,
            ('\'', Quote::Double) if shell => Quote::SoqlInDouble,
            ('\'', Quote::SoqlInDouble) => Quote::Double,
            _ => quote,
        };
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
}

/// `{name|default}` at the start of `text`: the name, the default and the placeholder's length.
fn placeholder(text: &str) -> Option<(&str, &str, usize)> {
    let end = text.find('}')?;
    let (name, default) = text[1..end].split_once('|')?;
    let valid = !name.is_empty() && name.chars().all(|c| c.is_ascii_lowercase() || c == '_');
    valid.then_some((name, default, end + 1))
}

fn encode(value: &str, context: Context, quote: Quote) -> String {
    use crate::shell;
    match (context, quote) {
        (Context::Prose, _) => value.to_string(),
        (Context::Shell, Quote::None) => shell::quote(value),
        (Context::Shell, Quote::Single) => value.replace('\'', r"'\''"),
        (Context::Shell, Quote::Double) => shell::escape_double(value),
        (Context::Shell, Quote::SoqlInDouble) => shell::escape_soql_in_double(value),
        (Context::Xml, _) => {
            value.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
        }
        (Context::Code, Quote::Double) => {
            let json = serde_json::to_string(value).unwrap_or_default();
            json[1..json.len() - 1].to_string()
        }
        (Context::Code, _) => value.to_string(),
    }
}

fn parse(id: CauseId, text: &'static str) -> Result<Entry, String> {
    let text = text.strip_prefix("---\n").ok_or("no front matter")?;
    let (front, body) = text.split_once("\n---\n").ok_or("front matter not closed")?;
    let mut entry = Entry {
        id,
        title: String::new(),
        severity: Severity::Error,
        transient: false,
        symptoms: Vec::new(),
        references: Vec::new(),
        summary: String::new(),
        why: String::new(),
        fix: Vec::new(),
        markdown: text,
    };
    let mut list: Option<&str> = None;
    for line in front.lines() {
        if let Some(item) = line.trim_start().strip_prefix("- ") {
            let item = unquote(item.trim()).to_string();
            match list {
                Some("symptoms") => entry.symptoms.push(item),
                Some("references") => entry.references.push(item),
                // Read by build.rs into typed `Symptom`s (`CauseId::explains`).
                Some("explains") => {}
                _ => return Err(format!("list item outside a list: {line}")),
            }
            continue;
        }
        let (key, value) = line.split_once(':').ok_or_else(|| format!("not `key: value`: {line}"))?;
        let value = value.trim();
        list = None;
        match key {
            "id" if value == id.as_str() => {}
            "id" => return Err(format!("id {value} does not match the file name")),
            "title" => entry.title = unquote(value).to_string(),
            "severity" => entry.severity = Severity::parse(value).ok_or("unknown severity")?,
            "transient" => entry.transient = value == "true",
            "symptoms" | "references" | "explains" if value.is_empty() || value == "[]" => list = Some(key),
            "explains" => {}
            other => return Err(format!("unknown key {other}")),
        }
    }
    entry.summary = first_paragraph(body.split("\n## ").next().unwrap_or(""));
    entry.why = first_paragraph(section(body, "Why Salesforce rejects it").ok_or("no why section")?);
    entry.fix = section(body, "How to fix")
        .ok_or("no fix section")?
        .lines()
        .filter_map(numbered_item)
        .map(str::to_string)
        .collect();
    if entry.title.is_empty() || entry.fix.is_empty() {
        return Err("title and fix steps are required".into());
    }
    entry.markdown = text;
    Ok(entry)
}

fn section<'a>(body: &'a str, heading: &str) -> Option<&'a str> {
    let start = body.find(&format!("## {heading}\n"))? + heading.len() + 4;
    let rest = &body[start..];
    Some(rest.find("\n## ").map_or(rest, |end| &rest[..end]))
}

fn first_paragraph(text: &str) -> String {
    let text = text.trim();
    let para = text.split("\n\n").next().unwrap_or("");
    para.lines().map(str::trim).collect::<Vec<_>>().join(" ")
}

fn numbered_item(line: &str) -> Option<&str> {
    let (number, step) = line.split_once(". ")?;
    (!number.is_empty() && number.chars().all(|c| c.is_ascii_digit())).then(|| step.trim())
}

fn unquote(value: &str) -> &str {
    value.strip_prefix('"').and_then(|v| v.strip_suffix('"')).unwrap_or(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fill_uses_values_then_defaults() {
        let vars = [("key_file", "ci/server.key".to_string())];
        assert_eq!(
            fill("`openssl rsa -in {key_file|server.key} -out {cert_file|server.crt} {x}`", &vars),
            "`openssl rsa -in ci/server.key -out server.crt {x}`"
        );
    }

    #[test]
    fn fill_writes_each_value_for_where_it_lands() {
        let vars = [("key_file", "my key's.pem".to_string()), ("username", "o'n\"$x@y.com".to_string())];
        let filled = fill(
            "Log in as {username|u}: `openssl pkey -in {key_file|k} -noout`, \
             `sf data query --query \"SELECT Id FROM User WHERE Username = '{username|u}'\"`, \
             `\"sub\": \"{username|u}\"`",
            &vars,
        );
        assert_eq!(
            filled,
            r#"Log in as o'n"$x@y.com: `openssl pkey -in 'my key'\''s.pem' -noout`, `sf data query --query "SELECT Id FROM User WHERE Username = 'o\\'n\"\$x@y.com'"`, `"sub": "o'n\"$x@y.com"`"#
        );
    }

    #[test]
    fn xml_snippets_get_escaped_values() {
        let vars = [("username", "a<b>&\"c".to_string())];
        assert_eq!(
            fill("`<saml:NameID>{username|u}</saml:NameID>`", &vars),
            "`<saml:NameID>a&lt;b&gt;&amp;&quot;c</saml:NameID>`"
        );
    }

    #[test]
    fn every_file_parses() {
        for entry in all() {
            assert!(!entry.why.is_empty(), "{} has no why", entry.id);
        }
    }

    #[test]
    fn suggestions_find_near_misses() {
        let ids = ["key.mangled", "key.empty", "cert.expired"];
        assert_eq!(suggest("key.mangle", ids.into_iter())[0], "key.mangled");
        assert!(suggest("zzzzzzzzzzzzz", ids.into_iter()).is_empty());
    }
}
