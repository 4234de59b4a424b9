//! `--config <file>`: logins to diagnose, listed in TOML or JSON with the inputs `doctor` takes,
//! for pipelines that do not use the sf CLI.
//!
//! ```toml
//! [[login]]
//! name = "uat"
//! client-id = "3MVG9…"
//! jwt-key-file = "keys/uat.key"          # relative paths are read from the file's folder
//! username = "ci@acme.com.uat"
//! instance-url = "https://acme--uat.sandbox.my.salesforce.com"
//! cert = "certs/uat.crt"
//! ```
//!
//! JSON is `{"login": [{…}, …]}` with the same names (`logins` is accepted too). Keys are the
//! long flag names; snake_case spellings are accepted. An unknown key is an error, so a typo is
//! not silently a missing input. The file holds paths, never key material.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::{error::Error, files, scrub::scrub};

/// One listed login: the inputs of `sfjwt doctor` that differ from one login to the next.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Entry {
    /// How the table names it (default: the username, else its position).
    #[serde(alias = "alias")]
    pub name: Option<String>,
    #[serde(alias = "client_id", alias = "clientid")]
    pub client_id: Option<String>,
    #[serde(alias = "jwt_key_file", alias = "jwtkeyfile", alias = "keyfile")]
    pub jwt_key_file: Option<PathBuf>,
    pub username: Option<String>,
    #[serde(alias = "instance_url", alias = "instanceurl")]
    pub instance_url: Option<String>,
    pub audience: Option<String>,
    pub cert: Option<PathBuf>,
    /// Take what the entry does not give from this sf CLI stored login (alias or username).
    #[serde(alias = "target_org")]
    pub target_org: Option<String>,
    #[serde(default, alias = "connected_app", deserialize_with = "one_or_many")]
    pub connected_app: Vec<PathBuf>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default, alias = "logins")]
    login: Vec<Entry>,
}

/// The entries of a logins file, with relative paths made relative to the file's folder.
pub fn read(path: &Path) -> Result<Vec<Entry>, Error> {
    let flag = "--config";
    let bytes = files::read_limited(path, files::MAX_INPUT_BYTES)
        .map_err(|e| Error::input(flag, format!("cannot read {}: {e}", path.display())))?;
    let text = files::decode_text(&bytes);
    // By the extension, else by the first character (`[[login]]` is TOML, `{` is JSON).
    let json = match path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
        Some("json") => true,
        Some("toml") => false,
        _ => text.trim_start().starts_with('{'),
    };
    let entries = parse(&text, json).map_err(|why| {
        Error::input(flag, format!("{} is not a logins file: {why}", path.display()))
            .suggest("list each login as a [[login]] table (TOML) or in a \"login\" array (JSON) with keys named as the flags: client-id, jwt-key-file, username, instance-url, cert")
    })?;
    if entries.is_empty() {
        return Err(Error::input(flag, format!("{} lists no logins", path.display())).suggest(
            "add a [[login]] table (TOML) or a \"login\" array (JSON) with client-id, jwt-key-file and username",
        ));
    }
    let base = path.parent().unwrap_or(Path::new(""));
    Ok(entries.into_iter().map(|entry| relative_to(entry, base)).collect())
}

/// The entries of a logins file's text, TOML or JSON; the error is one line that quotes nothing
/// of the text. (Also the entry point of the `logins_file` fuzz target.)
pub fn parse(text: &str, json: bool) -> Result<Vec<Entry>, String> {
    let file = if json { parse_json(text) } else { parse_toml(text) }?;
    Ok(file.login)
}

fn parse_json(text: &str) -> Result<File, String> {
    serde_json::from_str(text).map_err(|e| one_line(&e.to_string()))
}

/// TOML errors quote the offending line, which could be anything pasted into the file: only the
/// message and the position are kept.
fn parse_toml(text: &str) -> Result<File, String> {
    toml::from_str(text).map_err(|e| {
        let position = e.span().map(|span| {
            let before = &text[..span.start.min(text.len())];
            let line = before.matches('\n').count() + 1;
            let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            format!("line {line}, column {column}: ")
        });
        format!("{}{}", position.unwrap_or_default(), one_line(e.message()))
    })
}

/// The first line of a parser's message, secrets masked, at most 200 characters.
fn one_line(message: &str) -> String {
    let first = message.lines().next().unwrap_or_default();
    let cut: String = first.chars().take(200).collect();
    scrub(&cut)
}

fn relative_to(mut entry: Entry, base: &Path) -> Entry {
    let join = |path: PathBuf| if path.is_absolute() { path } else { base.join(path) };
    entry.jwt_key_file = entry.jwt_key_file.map(join);
    entry.cert = entry.cert.map(join);
    entry.connected_app = entry.connected_app.into_iter().map(join).collect();
    entry
}

/// `connected-app = "dir"` or `connected-app = ["a", "b"]`.
fn one_or_many<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Vec<PathBuf>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(PathBuf),
        Many(Vec<PathBuf>),
    }
    Ok(match OneOrMany::deserialize(deserializer)? {
        OneOrMany::One(path) => vec![path],
        OneOrMany::Many(paths) => paths,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(name: &str, text: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        (dir, path)
    }

    #[test]
    fn toml_and_json_give_the_same_entries_with_paths_from_the_files_folder() {
        let toml = r#"
            [[login]]
            name = "uat"
            client-id = "3MVG9abc"
            jwt-key-file = "keys/uat.key"
            username = "ci@acme.com.uat"
            instance_url = "https://acme--uat.sandbox.my.salesforce.com"
            connected-app = "apps"

            [[login]]
            target-org = "ci-hub"
            cert = "/abs/hub.crt"
        "#;
        let (dir, path) = write("logins.toml", toml);
        let entries = read(&path).unwrap();
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].jwt_key_file.as_deref(), Some(dir.path().join("keys/uat.key").as_path()));
        assert_eq!(entries[0].instance_url.as_deref(), Some("https://acme--uat.sandbox.my.salesforce.com"));
        assert_eq!(entries[0].connected_app, [dir.path().join("apps")]);
        assert_eq!(entries[1].cert.as_deref(), Some(Path::new("/abs/hub.crt")));
        let json = r#"{"logins": [{"name": "uat", "client-id": "3MVG9abc", "jwt-key-file": "keys/uat.key",
            "username": "ci@acme.com.uat", "instance-url": "https://acme--uat.sandbox.my.salesforce.com",
            "connected-app": ["apps"]}, {"target-org": "ci-hub", "cert": "/abs/hub.crt"}]}"#;
        let (dir, path) = write("logins.json", json);
        let from_json = read(&path).unwrap();
        assert_eq!(from_json[0].jwt_key_file.as_deref(), Some(dir.path().join("keys/uat.key").as_path()));
        assert_eq!(from_json[1], entries[1]);
    }

    #[test]
    fn a_typo_or_a_broken_file_is_one_line_that_never_quotes_the_file() {
        let (_dir, path) = write("l.toml", "[[login]]\nusername = \"a@b.c\"\njwt-key = \"x\"\n");
        let error = read(&path).unwrap_err().to_string();
        assert!(error.contains("unknown field `jwt-key`") && error.contains("line 3"), "{error}");
        // A key pasted into the file (its armor named, not written, in this source).
        let pasted =
            format!("[[login]]\n-----BEGIN {}-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n", ["PRIVATE", "KEY"].join(" "));
        let (_dir, path) = write("l.toml", &pasted);
        let error = read(&path).unwrap_err().to_string();
        assert!(!error.contains("MIIE") && !error.contains('\n'), "{error}");
        assert!(error.contains("line 2"), "{error}");
        let (_dir, path) = write("l.json", r#"{"login": []}"#);
        assert!(read(&path).unwrap_err().to_string().contains("lists no logins"));
        assert!(read(Path::new("/no/such/logins.toml")).unwrap_err().to_string().contains("no such file"));
    }
}
