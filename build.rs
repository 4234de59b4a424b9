//! Embeds the cause catalog (`checks/*.md`) in the binary, so `sfjwt explain` needs no files, and
//! generates `CauseId` from the file names, so a misspelt cause id anywhere does not compile.
//! The `explains:` list of each entry becomes typed `Symptom` values the same way.

use std::{env, fmt::Write, fs, path::Path};

fn main() {
    println!("cargo:rerun-if-changed=checks");
    let dir = Path::new(&env::var("CARGO_MANIFEST_DIR").unwrap()).join("checks");
    let mut files: Vec<_> = fs::read_dir(&dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "md"))
                .filter(|p| p.file_name().is_some_and(|n| n != "README.md"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();

    let entries: Vec<(String, String, Vec<String>)> = files
        .iter()
        .map(|path| {
            let id = path.file_stem().unwrap().to_string_lossy().into_owned();
            let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let explains = explains(&text);
            (id, path.display().to_string(), explains)
        })
        .collect();

    let mut out = String::new();
    out.push_str("/// A cause id of the catalog: one variant per `checks/<id>.md`, in id order.\n");
    out.push_str("#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]\npub enum CauseId {\n");
    for (id, path, _) in &entries {
        let _ = writeln!(out, "    /// `{id}` ({path})\n    {},", variant(id));
    }
    out.push_str("}\n\nimpl CauseId {\n    /// Every id, sorted.\n    pub const ALL: &'static [CauseId] = &[\n");
    for (id, _, _) in &entries {
        let _ = writeln!(out, "        CauseId::{},", variant(id));
    }
    out.push_str("    ];\n\n    /// The id as written in the catalog, the JSON report and `sfjwt explain`.\n");
    out.push_str("    pub const fn as_str(self) -> &'static str {\n        match self {\n");
    for (id, _, _) in &entries {
        let _ = writeln!(out, "            CauseId::{} => {id:?},", variant(id));
    }
    out.push_str("        }\n    }\n\n    /// The catalog file, embedded.\n");
    out.push_str("    pub(crate) const fn markdown(self) -> &'static str {\n        match self {\n");
    for (id, path, _) in &entries {
        let _ = writeln!(out, "            CauseId::{} => include_str!({path:?}),", variant(id));
    }
    out.push_str(
        "        }\n    }\n\n    /// The symptoms the entry says it can explain (`explains:` in its front matter).\n",
    );
    out.push_str("    pub const fn explains(self) -> &'static [crate::symptom::Symptom] {\n        match self {\n");
    for (id, _, explains) in &entries {
        let symptoms: Vec<String> =
            explains.iter().map(|s| format!("crate::symptom::Symptom::{}", variant(s))).collect();
        let _ = writeln!(out, "            CauseId::{} => &[{}],", variant(id), symptoms.join(", "));
    }
    out.push_str("        }\n    }\n}\n");
    fs::write(Path::new(&env::var("OUT_DIR").unwrap()).join("cause_ids.rs"), out).unwrap();
}

/// `claims.aud-my-domain` → `ClaimsAudMyDomain`; `not-approved` → `NotApproved`.
fn variant(id: &str) -> String {
    id.split(['.', '-'])
        .map(|part| {
            let mut chars = part.chars();
            chars.next().map(|c| c.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
        })
        .collect()
}

/// The items of the front matter's `explains:` list (`explains: [a, b]` or one `- a` per line).
fn explains(text: &str) -> Vec<String> {
    let Some(front) = text.strip_prefix("---\n").and_then(|t| t.split_once("\n---\n")).map(|(f, _)| f) else {
        return Vec::new();
    };
    let mut items = Vec::new();
    let mut in_list = false;
    for line in front.lines() {
        if let Some(rest) = line.strip_prefix("explains:") {
            let rest = rest.trim();
            in_list = rest.is_empty();
            if let Some(inline) = rest.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
                items.extend(inline.split(',').map(str::trim).filter(|s| !s.is_empty()).map(String::from));
            }
            continue;
        }
        match line.trim_start().strip_prefix("- ") {
            Some(item) if in_list => items.push(item.trim().to_string()),
            _ => in_list = false,
        }
    }
    items
}
