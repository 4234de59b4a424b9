//! The sf CLI's config, resolved as `ConfigAggregator` does it.
//!
//! From sfdx-core 9.1.1:
//! - `src/config/configAggregator.ts` `resolveProperties`: environment over the project (local)
//!   config over the global config.
//! - `src/config/config.ts`: each scope is `<root>/.sf/config.json`; while
//!   `SF_SFDX_INTEROPERABILITY` is on (the default, `src/global.ts`) the legacy
//!   `<root>/.sfdx/sfdx-config.json` of the same scope is merged in with its old key names
//!   translated (`defaultusername` → `target-org`, `defaultdevhubusername` → `target-dev-hub`,
//!   `instanceUrl` → `org-instance-url`). The merge is last-write-wins per key by file mtime
//!   (`stateFromSfdxFileSync`, `lwwRegister.ts`: the legacy value wins only when its file is
//!   strictly newer).
//! - `src/config/configFile.ts`, `src/util/internal.ts`: the global root is the home directory;
//!   the local root is the nearest ancestor of the working directory holding `sfdx-project.json`
//!   (no project: no local config). A file that is not JSON is read as empty (logged at debug).
//! - `src/config/envVars.ts`: the variable of a key is `SF_` + its snake-cased name; each old
//!   `SFDX_` name is a synonym copied to the new name when that one is unset; the deprecated key's
//!   own `SF_` name (`SF_DEFAULTUSERNAME`) is read too, below the new key's.

use std::{
    collections::BTreeMap,
    fmt,
    path::{Path, PathBuf},
    time::SystemTime,
};

use super::{Context, Env, SF_DIR, SFDX_DIR};
use crate::files;

/// One config key with every name it goes by.
#[derive(Debug)]
pub struct Property {
    pub key: &'static str,
    /// Its name in the legacy `sfdx-config.json`.
    pub legacy_key: &'static str,
    /// Variables in precedence order.
    pub env: &'static [&'static str],
}

pub const TARGET_ORG: Property = Property {
    key: "target-org",
    legacy_key: "defaultusername",
    env: &["SF_TARGET_ORG", "SFDX_DEFAULTUSERNAME", "SF_DEFAULTUSERNAME"],
};

pub const TARGET_DEV_HUB: Property = Property {
    key: "target-dev-hub",
    legacy_key: "defaultdevhubusername",
    env: &["SF_TARGET_DEV_HUB", "SFDX_DEFAULTDEVHUBUSERNAME", "SF_DEFAULTDEVHUBUSERNAME"],
};

/// "URL of the Salesforce instance that is hosting your org" (`messages/envVars.md`). `sf org
/// login jwt` does not read it (plugin-auth `common.ts` `resolveLoginUrl`).
pub const ORG_INSTANCE_URL: Property = Property {
    key: "org-instance-url",
    legacy_key: "instanceUrl",
    env: &["SF_ORG_INSTANCE_URL", "SFDX_INSTANCE_URL", "SF_INSTANCE_URL"],
};

/// A value and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting {
    pub value: String,
    pub origin: Origin,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Flag(&'static str),
    Env(&'static str),
    /// A key in a config file (its name as written there).
    Config {
        path: PathBuf,
        key: &'static str,
    },
}

impl Origin {
    /// Set by the user for this run (a flag), rather than a default of the environment or config.
    pub fn is_flag(&self) -> bool {
        matches!(self, Origin::Flag(_))
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Flag(name) => write!(f, "flag --{name}"),
            Origin::Env(name) => write!(f, "env {name}"),
            Origin::Config { path, key } => write!(f, "{key} in {}", path.display()),
        }
    }
}

/// One scope's values by key, after the legacy merge.
#[derive(Debug, Default)]
struct Scope {
    values: BTreeMap<&'static str, Setting>,
}

/// The local (project) and global scopes.
#[derive(Debug, Default)]
pub struct Configs {
    local: Scope,
    global: Scope,
}

const PROPERTIES: [&Property; 3] = [&TARGET_ORG, &TARGET_DEV_HUB, &ORG_INSTANCE_URL];

impl Configs {
    pub fn load(ctx: &Context, notes: &mut Vec<String>) -> Configs {
        let interop = ctx.env.get("SF_SFDX_INTEROPERABILITY").is_none_or(|v| !v.trim().eq_ignore_ascii_case("false"));
        let load_root = |root: &Path, notes: &mut Vec<String>| {
            Scope::load(
                &root.join(SF_DIR).join("config.json"),
                interop.then(|| root.join(SFDX_DIR).join("sfdx-config.json")),
                notes,
            )
        };
        Configs {
            local: project_root(&ctx.cwd).map(|root| load_root(&root, notes)).unwrap_or_default(),
            global: ctx.home.as_deref().map(|home| load_root(home, notes)).unwrap_or_default(),
        }
    }

    /// Environment, then the project's config, then the global config.
    pub fn resolve(&self, env: &Env, property: &Property) -> Option<Setting> {
        property
            .env
            .iter()
            .find_map(|name| env.get(name).map(|value| Setting { value: value.to_string(), origin: Origin::Env(name) }))
            .or_else(|| self.local.values.get(property.key).cloned())
            .or_else(|| self.global.values.get(property.key).cloned())
    }
}

impl Scope {
    fn load(config: &Path, legacy: Option<PathBuf>, notes: &mut Vec<String>) -> Scope {
        let mut scope = Scope::default();
        let config_time = read_object(config, notes).map(|(object, mtime)| {
            for property in PROPERTIES {
                if let Some(value) = string_value(&object, property.key) {
                    scope.values.insert(property.key, setting(value, config, property.key));
                }
            }
            mtime
        });
        let Some(legacy) = legacy else { return scope };
        let Some((object, legacy_time)) = read_object(&legacy, notes) else { return scope };
        for property in PROPERTIES {
            // translateToSf: the old name maps to the new one; a new name written there stays as is.
            let found = [property.legacy_key, property.key]
                .into_iter()
                .find_map(|name| string_value(&object, name).map(|value| (name, value)));
            let Some((name, value)) = found else { continue };
            let legacy_wins = !scope.values.contains_key(property.key)
                || matches!((legacy_time, config_time.flatten()), (Some(legacy), Some(config)) if legacy > config);
            if legacy_wins {
                scope.values.insert(property.key, setting(value, &legacy, name));
            }
        }
        scope
    }
}

fn setting(value: String, path: &Path, key: &'static str) -> Setting {
    Setting { value, origin: Origin::Config { path: path.to_path_buf(), key } }
}

fn string_value(object: &serde_json::Map<String, serde_json::Value>, key: &str) -> Option<String> {
    object.get(key)?.as_str().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string)
}

/// A config file's JSON object and its mtime. A file the CLI would ignore (unreadable, not JSON)
/// gives a note and `None`; a missing file gives `None` silently.
fn read_object(
    path: &Path,
    notes: &mut Vec<String>,
) -> Option<(serde_json::Map<String, serde_json::Value>, Option<SystemTime>)> {
    let bytes = match files::read_limited(path, files::MAX_INPUT_BYTES) {
        Ok(bytes) => bytes,
        Err(files::ReadError::NotFound) => return None,
        Err(e) => {
            notes.push(format!("{}: cannot be read ({e}); the sf CLI cannot use its settings either", path.display()));
            return None;
        }
    };
    match serde_json::from_str::<serde_json::Value>(&files::decode_text(&bytes)) {
        Ok(serde_json::Value::Object(object)) => {
            let mtime = std::fs::metadata(path).and_then(|m| m.modified()).ok();
            Some((object, mtime))
        }
        _ => {
            notes.push(format!(
                "{} is not a JSON object: the sf CLI ignores it, so none of its settings (such as a default org) apply",
                path.display()
            ));
            None
        }
    }
}

/// The nearest ancestor of `start` holding `sfdx-project.json` (`traverse.forFileSync`).
pub fn project_root(start: &Path) -> Option<PathBuf> {
    start.ancestors().find(|dir| dir.join("sfdx-project.json").exists()).map(Path::to_path_buf)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sf_state::testing::TempHome;

    fn resolve(home: &TempHome, property: &Property) -> Option<Setting> {
        let ctx = home.context();
        Configs::load(&ctx, &mut Vec::new()).resolve(&ctx.env, property)
    }

    #[test]
    fn environment_beats_project_beats_global() {
        let mut home = TempHome::new();
        home.write(".sf/config.json", r#"{"target-org": "global-org"}"#);
        assert_eq!(resolve(&home, &TARGET_ORG).unwrap().value, "global-org");
        home.project_file(".sf/config.json", r#"{"target-org": "project-org"}"#);
        let project = resolve(&home, &TARGET_ORG).unwrap();
        assert_eq!(project.value, "project-org");
        assert!(project.origin.to_string().ends_with("project/.sf/config.json"), "{}", project.origin);
        home.set_env("SFDX_DEFAULTUSERNAME", "legacy-env-org");
        assert_eq!(resolve(&home, &TARGET_ORG).unwrap().origin, Origin::Env("SFDX_DEFAULTUSERNAME"));
        home.set_env("SF_TARGET_ORG", "env-org");
        assert_eq!(resolve(&home, &TARGET_ORG).unwrap().value, "env-org");
        // An empty variable is unset, as in sfdx-core.
        home.set_env("SF_TARGET_ORG", "");
        assert_eq!(resolve(&home, &TARGET_ORG).unwrap().value, "legacy-env-org");
    }

    #[test]
    fn the_legacy_file_counts_with_its_old_names_and_wins_only_when_newer() {
        let mut home = TempHome::new();
        home.write(".sfdx/sfdx-config.json", r#"{"defaultusername": "old-org", "defaultdevhubusername": "hub"}"#);
        let legacy = resolve(&home, &TARGET_ORG).unwrap();
        assert_eq!(
            (legacy.value.as_str(), legacy.origin.to_string().starts_with("defaultusername in ")),
            ("old-org", true)
        );
        assert_eq!(resolve(&home, &TARGET_DEV_HUB).unwrap().value, "hub");
        home.write(".sf/config.json", r#"{"target-org": "new-org"}"#);
        home.age(".sfdx/sfdx-config.json", 60);
        assert_eq!(resolve(&home, &TARGET_ORG).unwrap().value, "new-org");
        home.age(".sf/config.json", 120);
        assert_eq!(resolve(&home, &TARGET_ORG).unwrap().value, "old-org", "the newer legacy file wins");
        // The dev hub is only in the legacy file: it stays.
        assert_eq!(resolve(&home, &TARGET_DEV_HUB).unwrap().value, "hub");
        home.set_env("SF_SFDX_INTEROPERABILITY", "false");
        assert_eq!(resolve(&home, &TARGET_ORG).unwrap().value, "new-org");
        assert_eq!(resolve(&home, &TARGET_DEV_HUB), None);
    }

    #[test]
    fn the_instance_url_setting_and_its_variables() {
        let mut home = TempHome::new();
        home.write(".sfdx/sfdx-config.json", r#"{"instanceUrl": "https://acme.my.salesforce.com"}"#);
        assert_eq!(resolve(&home, &ORG_INSTANCE_URL).unwrap().value, "https://acme.my.salesforce.com");
        home.set_env("SF_INSTANCE_URL", "https://deprecated.my.salesforce.com");
        home.set_env("SFDX_INSTANCE_URL", "https://synonym.my.salesforce.com");
        assert_eq!(resolve(&home, &ORG_INSTANCE_URL).unwrap().origin, Origin::Env("SFDX_INSTANCE_URL"));
    }

    #[test]
    fn unreadable_or_odd_files_are_notes_not_failures() {
        let mut home = TempHome::new();
        home.write(".sf/config.json", "{ not json");
        home.write(".sfdx/sfdx-config.json", r#"{"defaultusername": 42}"#);
        let ctx = home.context();
        let mut notes = Vec::new();
        let configs = Configs::load(&ctx, &mut notes);
        assert_eq!(configs.resolve(&ctx.env, &TARGET_ORG), None);
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert!(notes[0].contains("the sf CLI ignores it"), "{notes:?}");
    }

    #[test]
    fn no_project_no_local_scope() {
        let home = TempHome::new();
        assert_eq!(project_root(&home.path().join("nowhere")), None);
        let mut home = home;
        home.project_file("sfdx-project.json", "{}");
        assert_eq!(project_root(&home.project_dir().join("force-app/main")), Some(home.project_dir()));
    }
}
