//! The sf CLI's own state: which org it targets, the login it stored for that org, and whether
//! the CLI can still use that login.
//!
//! Read-only and plaintext-only. Nothing here writes to `~/.sf` or `~/.sfdx`, and no encrypted
//! field (a name matching `token`, `password` or `secret`) is ever kept, decrypted or shown: only
//! its name and whether its shape is the CLI's encrypted format. The caller passes the home
//! directory, working directory and environment in ([`Context`]), so nothing in this module reads
//! the real process environment and tests run against temporary homes.
//!
//! Followed in `forcedotcom/sfdx-core` 9.1.1 (commit cd4bdcb9, August 2026):
//! - `src/global.ts`: the state folders are `os.homedir()` + `.sfdx` and `.sf`. No variable moves
//!   them (`SF_DATA_DIR` and kin are oclif's plugin and cache folders, not sfdx-core's); the only
//!   way to point the CLI elsewhere is `HOME` (`USERPROFILE` on Windows).
//! - `src/config/config.ts`, `configFile.ts`, `configAggregator.ts`, `envVars.ts`, `lwwMap.ts`,
//!   `lwwRegister.ts`, `src/util/internal.ts`: config files and their precedence ([`config`]).
//! - `src/stateAggregator/accessors/aliasAccessor.ts`, `orgAccessor.ts`, `src/config/authInfoConfig.ts`,
//!   `src/org/authInfo.ts`: aliases and stored logins ([`store`]).
//! - `src/crypto/keyChain.ts`, `keyChainImpl.ts`, `crypto.ts`, `messages/encryption.md`: where the
//!   encryption key lives and what the CLI checks before using it ([`keychain`]).
//!
//! sfdx-core 3.x (mid-2021 to mid-2022) also mirrored logins and aliases into `~/.sf/sf.json`
//! (`GlobalInfo`, removed in "feat: remove GlobalInfo", June 2022); it always kept the `~/.sfdx`
//! files in step, so reading `~/.sfdx` covers those versions too. No version has `~/.sf/alias.json`.

pub mod ci_vars;
pub mod config;
pub mod keychain;
pub mod store;
#[cfg(test)]
pub(crate) mod testing;

use std::{
    collections::BTreeMap,
    fmt,
    path::{Path, PathBuf},
};

pub use config::{Origin, Setting};
pub use keychain::{GenericKeychain, Keychain};
pub use store::{KeyFile, LoginKind, Problem, ProblemKind, StoredLogin, UrlMismatch};

/// The folder the sf CLI keeps logins, aliases, the legacy config and the generic keychain in.
pub const SFDX_DIR: &str = ".sfdx";
/// The folder of the sf CLI's own config (`config.json`).
pub const SF_DIR: &str = ".sf";

/// The operating system, as far as the choice of keychain goes (`src/crypto/keyChain.ts`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Platform {
    /// `secret_tool`: whether `secret-tool` (libsecret) is installed and executable, which makes
    /// the CLI use the desktop keyring instead of `~/.sfdx/key.json`.
    Linux {
        secret_tool: bool,
    },
    MacOs,
    Windows,
    Other,
}

/// Everything the reader needs from the outside world, passed in.
#[derive(Debug, Clone)]
pub struct Context {
    /// `os.homedir()` as the sf CLI sees it; `None` when there is none.
    pub home: Option<PathBuf>,
    /// Where the project search starts (the CLI uses its working directory).
    pub cwd: PathBuf,
    pub env: Env,
    pub platform: Platform,
    /// The user who should own the CLI's files (the owner of the home directory); `None` skips
    /// the ownership checks.
    pub owner_uid: Option<u32>,
}

impl Context {
    pub fn sfdx_dir(&self) -> Option<PathBuf> {
        self.home.as_ref().map(|home| home.join(SFDX_DIR))
    }
}

/// Environment variables by name. Empty values count as unset, as `if (value)` does in sfdx-core.
#[derive(Debug, Clone, Default)]
pub struct Env(BTreeMap<String, String>);

impl Env {
    pub fn new(vars: impl IntoIterator<Item = (String, String)>) -> Env {
        Env(vars.into_iter().collect())
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str).filter(|value| !value.is_empty())
    }

    /// `true` in any case. (@salesforce/kit's `getBoolean` is read the same way here; its exact
    /// parsing was not checked.)
    pub fn is_true(&self, name: &str) -> bool {
        self.get(name).is_some_and(|value| value.trim().eq_ignore_ascii_case("true"))
    }
}

/// What the command line asked for: `--target-org` and `--target-dev-hub`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Request<'a> {
    pub target_org: Option<&'a str>,
    pub target_dev_hub: Option<&'a str>,
}

/// What was found: the targets, the instance URL setting, the keychain, and the problems the CLI
/// itself would run into.
#[derive(Debug, Clone)]
pub struct SfState {
    pub home: Option<PathBuf>,
    pub target_org: Option<Target>,
    pub target_dev_hub: Option<Target>,
    /// `org-instance-url` (`SF_ORG_INSTANCE_URL`, config): the sf CLI's default instance URL.
    pub org_instance_url: Option<Setting>,
    pub keychain: Keychain,
    /// Problems with `alias.json` (every command that takes an org reads it).
    pub alias_problem: Option<Problem>,
    /// Things worth saying that are not problems (a config file the CLI ignores…).
    pub notes: Vec<String>,
}

impl SfState {
    /// Everything that stops the CLI from using its store for this login: `alias.json`, the
    /// generic keychain file, the login's own file, and encrypted fields with no key here.
    pub fn store_problems(&self, login: Option<&StoredLogin>) -> Vec<Problem> {
        let mut problems: Vec<Problem> = self.alias_problem.iter().cloned().collect();
        if let Keychain::Generic(generic) = &self.keychain {
            problems.extend(generic.problems.iter().cloned());
            if let Some(login) = login
                && !generic.present
                && !login.encrypted_fields.is_empty()
            {
                let kind =
                    ProblemKind::KeyNotHere { fields: login.encrypted_fields.clone(), key_file: generic.path.clone() };
                problems.push(Problem::new(&login.path, kind));
            }
        }
        if let Some(login) = login {
            problems.extend(login.problems.iter().cloned());
        }
        problems
    }
}

/// An org the CLI was asked for or defaults to, and its stored login.
#[derive(Debug, Clone)]
pub struct Target {
    /// The alias or username as given, and where it came from.
    pub requested: Setting,
    /// The username after alias resolution.
    pub username: String,
    /// An alias of that username, if any (the requested one when it was an alias).
    pub alias: Option<String>,
    pub login: Result<StoredLogin, Missing>,
}

impl Target {
    /// "ci-hub" or "ci@acme.com": how to name the org in a report.
    pub fn label(&self) -> &str {
        self.alias.as_deref().unwrap_or(&self.username)
    }

    pub fn stored(&self) -> Option<&StoredLogin> {
        self.login.as_ref().ok()
    }
}

/// Why a target has no usable stored login.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Missing {
    /// No auth file: `sf org list` does not know the org (`NamedOrgNotFoundError`).
    NotFound { path: PathBuf },
    /// The name cannot be a file name (it holds a path separator, or starts with a dot).
    InvalidName,
    /// The auth file is there but the CLI cannot use it.
    Unusable(Problem),
    /// No home directory to look in.
    NoHome,
}

impl fmt::Display for Missing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Missing::NotFound { path } => write!(f, "the sf CLI has no stored login for it (no {})", path.display()),
            Missing::InvalidName => f.write_str("it is not a name the sf CLI can store a login under"),
            Missing::Unusable(problem) => write!(f, "{problem}"),
            Missing::NoHome => f.write_str("there is no home directory (HOME is not set)"),
        }
    }
}

/// Reads the sf CLI's state for the requested (or default) orgs.
pub fn read(ctx: &Context, request: &Request) -> SfState {
    let mut notes = Vec::new();
    let configs = config::Configs::load(ctx, &mut notes);
    let aliases = match ctx.sfdx_dir() {
        Some(dir) => store::Aliases::read(&dir, ctx.owner_uid),
        None => store::Aliases::default(),
    };
    let target = |flag: Option<&str>, flag_name: &'static str, property: &config::Property| {
        let requested = match flag {
            Some(value) => Some(Setting { value: value.to_string(), origin: Origin::Flag(flag_name) }),
            None => configs.resolve(&ctx.env, property),
        }?;
        Some(resolve_target(ctx, &aliases, requested))
    };
    SfState {
        home: ctx.home.clone(),
        target_org: target(request.target_org, "target-org", &config::TARGET_ORG),
        target_dev_hub: target(request.target_dev_hub, "target-dev-hub", &config::TARGET_DEV_HUB),
        org_instance_url: configs.resolve(&ctx.env, &config::ORG_INSTANCE_URL),
        keychain: keychain::detect(ctx),
        alias_problem: aliases.problem.clone(),
        notes,
    }
}

/// One org by alias or username, as `--target-org` would find it.
pub fn lookup(ctx: &Context, name: &str) -> Target {
    let aliases = match ctx.sfdx_dir() {
        Some(dir) => store::Aliases::read(&dir, ctx.owner_uid),
        None => store::Aliases::default(),
    };
    resolve_target(ctx, &aliases, Setting { value: name.to_string(), origin: Origin::Flag("admin-org") })
}

/// Alias to username (`AliasAccessor.resolveUsername`), then the auth file.
fn resolve_target(ctx: &Context, aliases: &store::Aliases, requested: Setting) -> Target {
    let given = requested.value.trim().to_string();
    let (username, alias) = match aliases.username_for(&given) {
        Some(username) => (username.to_string(), Some(given)),
        None => (given.clone(), aliases.alias_of(&given).map(str::to_string)),
    };
    let login = match ctx.sfdx_dir() {
        Some(dir) => store::read_login(&dir, &username, ctx),
        None => Err(Missing::NoHome),
    };
    Target { requested, username, alias, login }
}

/// Every alias and stored username, for "did you mean" suggestions (`orgAccessor.ts` lists
/// `<username>.json` files whose name has an `@`).
pub fn known_orgs(ctx: &Context) -> Vec<String> {
    let Some(dir) = ctx.sfdx_dir() else { return Vec::new() };
    let mut names: Vec<String> = store::Aliases::read(&dir, None).names().map(str::to_string).collect();
    if let Ok(entries) = std::fs::read_dir(&dir) {
        names.extend(entries.filter_map(|e| {
            let name = e.ok()?.file_name().into_string().ok()?;
            let user = name.strip_suffix(".json")?;
            (user.contains('@') && !user.starts_with('.')).then(|| user.to_string())
        }));
    }
    names
}

/// The user id owning a file or folder (Unix), for the ownership checks.
pub fn owner_of(path: &Path) -> Option<u32> {
    store::file_owner(path)
}

#[cfg(test)]
mod tests {
    use super::{testing::*, *};

    fn state(home: &TempHome, request: Request) -> SfState {
        read(&home.context(), &request)
    }

    #[test]
    fn a_flag_alias_resolves_to_its_stored_login() {
        let mut home = TempHome::new();
        home.write(".sfdx/alias.json", r#"{"orgs":{"ci-hub":"ci@acme.com"}}"#);
        home.write(".sfdx/ci@acme.com.json", &jwt_login("ci@acme.com", "/keys/server.key"));
        let read = state(&home, Request { target_org: Some("ci-hub"), target_dev_hub: None });
        let target = read.target_org.unwrap();
        assert_eq!((target.username.as_str(), target.label()), ("ci@acme.com", "ci-hub"));
        assert_eq!(target.requested.origin, Origin::Flag("target-org"));
        assert_eq!(target.stored().unwrap().client_id.as_deref().map(|c| &c[..5]), Some("3MVG9"));
        // A username works too, and is labelled with its alias.
        let by_name = state(&home, Request { target_org: Some("ci@acme.com"), target_dev_hub: None });
        assert_eq!(by_name.target_org.unwrap().label(), "ci-hub");
    }

    #[test]
    fn defaults_come_from_config_and_unknown_orgs_say_so() {
        let mut home = TempHome::new();
        home.project_file(".sf/config.json", r#"{"target-org":"nobody","target-dev-hub":"hub@acme.com"}"#);
        home.write(".sfdx/hub@acme.com.json", &jwt_login("hub@acme.com", "/keys/hub.key"));
        let read = state(&home, Request::default());
        let target = read.target_org.unwrap();
        assert!(matches!(target.requested.origin, Origin::Config { key: "target-org", .. }));
        let missing = target.login.unwrap_err();
        assert!(missing.to_string().contains("no stored login"), "{missing}");
        assert!(read.target_dev_hub.unwrap().stored().is_some());
        assert!(state(&TempHome::new(), Request::default()).target_org.is_none());
    }

    #[test]
    fn encrypted_tokens_without_the_key_file_cannot_be_decrypted_here() {
        let mut home = TempHome::new();
        home.write(".sfdx/ci@acme.com.json", &jwt_login("ci@acme.com", "/k"));
        let read = state(&home, Request { target_org: Some("ci@acme.com"), target_dev_hub: None });
        let login = read.target_org.as_ref().unwrap().stored().unwrap();
        let problems = read.store_problems(Some(login));
        assert!(matches!(&problems[..], [Problem { kind: ProblemKind::KeyNotHere { .. }, .. }]), "{problems:?}");
        assert!(problems[0].to_string().contains("another machine"));
        // With the key file there, or with an OS keychain, nothing is wrong.
        home.write(
            ".sfdx/key.json",
            r#"{"account":"local","key":"00112233445566778899aabbccddeeff","service":"sfdx"}"#,
        );
        #[cfg(unix)]
        home.chmod(".sfdx/key.json", 0o600);
        assert!(state(&home, Request::default()).store_problems(Some(login)).is_empty());
        home.platform = Platform::MacOs;
        std::fs::remove_file(home.path().join(".sfdx/key.json")).unwrap();
        assert!(state(&home, Request::default()).store_problems(Some(login)).is_empty());
    }

    #[test]
    fn no_home_no_state() {
        let ctx = Context {
            home: None,
            cwd: PathBuf::from("/"),
            env: Env::default(),
            platform: Platform::Other,
            owner_uid: None,
        };
        let read = read(&ctx, &Request { target_org: Some("x@y.z"), target_dev_hub: None });
        assert_eq!(read.target_org.unwrap().login.unwrap_err(), Missing::NoHome);
        assert_eq!(read.keychain, Keychain::Unknown);
    }
}
