//! The values that fill the catalog's `{name|default}` placeholders, taken from typed evidence
//! (paths, hosts, ids), never from a label such as `env SFJWT_KEY`, so that every suggested
//! command runs as shown. Files that fixes create get names that no input has.

use std::path::{Path, PathBuf};

use super::{Evidence, host::HostKind, key::KeyState};
use crate::{
    inputs::{KeyInput, Source, TextInput},
    metadata::{AppKind, MetadataError},
};

/// The callback `sf org login web` listens on (sfdx-core; `PlatformCLI` pairs with it too).
pub const CLI_CALLBACK_URL: &str = "http://localhost:1717/OauthRedirect";

/// The sf CLI reads the key from a file; when the key came from the environment or stdin, a
/// fix that runs `sf` first writes it to one. Filled like a catalog step.
const KEY_FROM_ENV: &str = "The sf CLI reads the key from a file: write {key_env|SF_JWT_KEY} to one that only you can read first: `test ! -e {key_file|server.key} && (umask 077 && printf '%s\\n' \"${key_env|SF_JWT_KEY}\" > {key_file|server.key})`.";
const KEY_FROM_ENV_BASE64: &str = "The sf CLI reads the key from a file: decode {key_env|SF_JWT_KEY} (base64 of the PEM) into one that only you can read first: `test ! -e {key_file|server.key} && (umask 077 && printf '%s' \"${key_env|SF_JWT_KEY}\" | base64 -d > {key_file|server.key})`.";
const KEY_FROM_STDIN: &str = "The sf CLI reads the key from a file: save the key you piped to sfjwt as `{key_file|server.key}`, readable only by you (`umask 077` before writing it).";

impl Evidence {
    /// Values for the `{name|default}` placeholders of every catalog fix, so steps show the
    /// user's own paths, hosts and ids. A cause's own values take precedence.
    pub fn fix_vars(&self) -> Vec<(&'static str, String)> {
        let taken = self.input_paths();
        let fresh = |names: &[&str]| fresh_name(names, &taken);
        let mut vars = vec![
            ("instance_url", self.host.raw.clone()),
            ("login_url", self.recommended_login_url.clone()),
            ("audience", self.recommended_audience.clone()),
            ("callback_url", CLI_CALLBACK_URL.to_string()),
            ("fixed_key", fresh(&["server.fixed.key", "server.fixed2.key", "sfjwt.fixed.key"])),
            ("new_key", fresh(&["server.new.key", "server.new2.key", "sfjwt.new.key"])),
            ("new_cert", fresh(&["server.crt", "server.new.crt", "sfjwt.new.crt"])),
        ];
        let (sandbox, production) = self.environment_urls();
        vars.push(("sandbox_login_url", sandbox));
        vars.push(("production_login_url", production));
        if let Some(my_domain) = self.my_domain_url() {
            vars.push(("my_domain_url", my_domain));
        }
        if let Some(key) = &self.inputs.key {
            match (&key.value, &key.source) {
                (KeyInput::File(path), _) => vars.push(("key_file", path.display().to_string())),
                (KeyInput::Inline(_), source) => {
                    vars.push(("key_file", fresh(&["server.key", "sfjwt.key"])));
                    if let Source::Env(name) = source {
                        vars.push(("key_env", name.clone()));
                    }
                }
            }
        }
        if let Some(cert) = &self.inputs.cert {
            vars.push(("cert_file", cert.value.display().to_string()));
        }
        if let Some(username) = &self.inputs.username {
            vars.push(("username", username.value.clone()));
        }
        // The consumer key is an identifier, not a secret (every assertion carries it as `iss`),
        // and the commands that need it need it whole.
        if let Some(client_id) = &self.inputs.client_id {
            vars.push(("client_id", client_id.value.clone()));
        }
        if let Some(app) = self.apps.app() {
            vars.push(("app_name", app.label.clone().unwrap_or_else(|| app.name.clone())));
            let kind = match app.kind {
                AppKind::ConnectedApp => "ConnectedApp",
                AppKind::ExternalClientApp => "ExternalClientApplication",
            };
            vars.push(("app_metadata", format!("{kind}:{}", app.name)));
        }
        if let Some(run) = &self.inputs.admin_sf {
            vars.push(("admin_org", run.target.clone()));
        }
        if let Some(target) = &self.inputs.sf.state.target_org {
            vars.push(("target_org", target.requested.value.clone()));
        }
        if let Some(path) = self.apps.errors.iter().map(MetadataError::path).next() {
            vars.push(("metadata_file", path.display().to_string()));
        }
        vars
    }

    /// The step that puts a key from the environment or stdin into the file the other steps
    /// name, when the key is usable as it is (a damaged key has fixes of its own).
    pub fn key_file_step(&self) -> Option<&'static str> {
        let key = self.inputs.key.as_ref()?;
        let usable = self.key.as_ref().is_some_and(|k| matches!(k.state, KeyState::Parsed(_)) && k.damage.is_empty());
        match (&key.value, &key.source) {
            (KeyInput::Inline(bytes), Source::Env(_)) if usable => {
                let armored = String::from_utf8_lossy(bytes.expose()).contains("-----BEGIN");
                Some(if armored { KEY_FROM_ENV } else { KEY_FROM_ENV_BASE64 })
            }
            (KeyInput::Inline(_), _) if usable => Some(KEY_FROM_STDIN),
            _ => None,
        }
    }

    /// Every file the user gave: no fix may write over one.
    pub fn input_paths(&self) -> Vec<PathBuf> {
        let inputs = &self.inputs;
        let mut paths: Vec<PathBuf> = inputs.connected_apps.clone();
        if let Some(KeyInput::File(path)) = inputs.key.as_ref().map(|k| &k.value) {
            paths.push(path.clone());
        }
        paths.extend(inputs.cert.as_ref().map(|c| c.value.clone()));
        for text in [&inputs.assertion, &inputs.error].into_iter().flatten() {
            if let TextInput::File(path) = &text.value {
                paths.push(path.clone());
            }
        }
        paths
    }

    /// The login URLs of the two environments, as near to this org as the evidence allows: its
    /// My Domain, the sandbox's My Domain when the username names the sandbox, else login/test.
    fn environment_urls(&self) -> (String, String) {
        let suffix = self.username.as_ref().and_then(|u| u.sandbox_suffix.clone());
        let domain = |name: &str| format!("https://{name}.my.salesforce.com");
        let sandbox_domain = |name: &str, sandbox: &str| format!("https://{name}--{sandbox}.sandbox.my.salesforce.com");
        match &self.host.kind {
            HostKind::MyDomain { name } => (
                suffix.map_or_else(|| "https://test.salesforce.com".into(), |s| sandbox_domain(name, &s)),
                domain(name),
            ),
            HostKind::SandboxMyDomain { name, sandbox } if !name.is_empty() && !sandbox.is_empty() => {
                let sandbox = suffix.unwrap_or_else(|| sandbox.clone());
                (sandbox_domain(name, &sandbox), domain(name))
            }
            _ => ("https://test.salesforce.com".into(), "https://login.salesforce.com".into()),
        }
    }

    /// The org's own My Domain login URL, when the host names it.
    fn my_domain_url(&self) -> Option<String> {
        match (&self.host.kind, &self.host.url) {
            // The legacy sandbox form (no `.sandbox.`) is retired: name the current one.
            (HostKind::SandboxMyDomain { name, sandbox }, Ok(url)) if !url.host().contains(".sandbox.") => {
                Some(format!("https://{name}--{sandbox}.sandbox.my.salesforce.com"))
            }
            (
                HostKind::MyDomain { .. } | HostKind::SandboxMyDomain { .. } | HostKind::ScratchMyDomain { .. },
                Ok(url),
            ) => Some(url.origin()),
            _ => None,
        }
    }
}

/// The first name that is not one of the user's files (compared as written and, when both exist,
/// as the same file on disk).
fn fresh_name(candidates: &[&str], taken: &[PathBuf]) -> String {
    let same = |name: &str, path: &Path| {
        let lexical =
            |p: &Path| p.components().filter(|c| !matches!(c, std::path::Component::CurDir)).collect::<PathBuf>();
        lexical(Path::new(name)) == lexical(path)
            || matches!((std::fs::canonicalize(name), std::fs::canonicalize(path)), (Ok(a), Ok(b)) if a == b)
    };
    let free = |name: &str| !taken.iter().any(|path| same(name, path));
    let last = candidates.last().copied().unwrap_or("sfjwt.out");
    let numbered = (2..).map(|n| format!("{last}.{n}"));
    candidates.iter().map(|name| name.to_string()).chain(numbered).find(|name| free(name)).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fresh_names_avoid_the_inputs() {
        let taken = [PathBuf::from("./server.crt"), PathBuf::from("keys/server.key")];
        assert_eq!(fresh_name(&["server.crt", "server.new.crt"], &taken), "server.new.crt");
        assert_eq!(fresh_name(&["server.key"], &taken), "server.key");
        assert_eq!(fresh_name(&["server.fixed.key"], &[PathBuf::from("server.fixed.key")]), "server.fixed.key.2");
    }
}
