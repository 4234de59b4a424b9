//! Deploying app metadata into the fake org, as `sf project deploy start` would: sfjwt's own
//! reader parses the files, Salesforce's part (a consumer key for a new app) is played here, and a
//! permission set the app names must be deployed with it.

use std::path::{Path, PathBuf};

use sfjwt::metadata::{self, AppKind, PermittedUsers, Scope};

use super::org::{App, Org, Policy};

/// One app the deploy created: its API name and the consumer key the org gave it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Deployed {
    pub name: String,
    pub consumer_key: String,
}

impl Org {
    /// Loads every app under `source` into the org. Fails as a deploy would: files that do not
    /// parse, or an app that pre-authorizes a permission set that is not deployed with it.
    pub fn deploy(&mut self, source: &Path) -> Result<Vec<Deployed>, String> {
        let (apps, errors) = metadata::load(&[source.to_path_buf()]);
        if !errors.is_empty() {
            return Err(errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "));
        }
        let permission_sets = permission_sets_under(source);
        let mut deployed = Vec::new();
        for app in apps {
            if let Some(missing) = app.permission_sets.iter().find(|name| !permission_sets.contains(name)) {
                return Err(format!("{}: no permission set named {missing} in this deploy or the org", app.name));
            }
            let consumer_key = app.consumer_key.clone().unwrap_or_else(|| consumer_key_for(&app.name));
            let policy = match app.permitted_users {
                Some(PermittedUsers::AdminApproved) => Policy::AdminApproved {
                    profiles: app.profiles.clone(),
                    permission_sets: app.permission_sets.clone(),
                },
                // Salesforce's default for both kinds of app.
                Some(PermittedUsers::SelfAuthorize) | None => Policy::SelfAuthorize,
            };
            let scopes = app.scopes.iter().map(oauth_scope).collect();
            // An External Client App's JWT flow is on exactly when it holds a certificate.
            let certificate_pem = app.certificate_pem.clone();
            let mut fake_app = App::new(&consumer_key, certificate_pem.as_deref().unwrap_or_default());
            fake_app.certificate_pem = certificate_pem;
            fake_app.policy = policy;
            fake_app.scopes = scopes;
            fake_app.eca = app.kind == AppKind::ExternalClientApp;
            self.apps.retain(|existing| existing.consumer_key != consumer_key);
            self.apps.push(fake_app);
            deployed.push(Deployed { name: app.name.clone(), consumer_key });
        }
        Ok(deployed)
    }
}

/// A consumer key shaped like Salesforce's (`3MVG9…`, 85 characters), the same for the same app.
fn consumer_key_for(name: &str) -> String {
    let mut key = format!("3MVG9FakeDeploy.{name}_");
    let filler = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    key.extend(filler.chars().cycle().take(85usize.saturating_sub(key.len())));
    key
}

/// The OAuth name of a metadata scope (`RefreshToken` → `refresh_token`).
fn oauth_scope(scope: &Scope) -> String {
    match scope {
        Scope::Api => "api".into(),
        Scope::Web => "web".into(),
        Scope::Full => "full".into(),
        Scope::RefreshToken => "refresh_token".into(),
        Scope::Basic => "id".into(),
        Scope::OpenId => "openid".into(),
        Scope::Other(name) => name.to_ascii_lowercase(),
    }
}

/// API names of the `*.permissionset-meta.xml` files under `dir`.
fn permission_sets_under(dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut pending: Vec<PathBuf> = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if path.is_dir() {
                pending.push(path);
            } else if let Some(api_name) = name.strip_suffix(".permissionset-meta.xml") {
                found.push(api_name.to_string());
            }
        }
    }
    found
}
