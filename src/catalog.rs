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

/// Replaces each `{name|default}` with the value given for `name`, else with `default`.
pub fn fill(template: &str, vars: &[(&str, String)]) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let Some(len) = rest[open..].find('}') else { break };
        let inner = &rest[open + 1..open + len];
        let Some((name, default)) = inner.split_once('|') else {
            out.push_str(&rest[..=open]);
            rest = &rest[open + 1..];
            continue;
        };
        out.push_str(&rest[..open]);
        let value = vars.iter().find(|(n, _)| *n == name).map(|(_, v)| v.as_str());
        out.push_str(value.unwrap_or(default));
        rest = &rest[open + len + 1..];
    }
    out.push_str(rest);
    out
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
            fill("openssl rsa -in {key_file|server.key} -out {cert_file|server.crt} {x}", &vars),
            "openssl rsa -in ci/server.key -out server.crt {x}"
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
