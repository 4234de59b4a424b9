//! Inputs the flags did not give, from the sf CLI's own state and the variables CI pipelines
//! already set, each with where it came from.
//!
//! Precedence, highest first: flags and `SFJWT_*` variables; the stored login of `--target-org`
//! (or of the sf CLI's default org, `SF_TARGET_ORG` or config); the stored login of
//! `--target-dev-hub` (client id and key only, which a scratch org's JWT login reuses, unless it
//! is the only org given); CI variable names ([`sf_state::ci_vars`]). For the login URL: the
//! stored login's `loginUrl`, then `sfdcLoginUrl` of `sfdx-project.json`, then the sf CLI's
//! `org-instance-url` (`SF_ORG_INSTANCE_URL`…), then login.salesforce.com.
//!
//! A JWT login's stored fields are exactly what the sf CLI signs with when it refreshes the
//! access token (`authInfo.ts` `refreshFn`), so filling from them reproduces its login.

use std::path::{Path, PathBuf};

use crate::{
    catalog,
    cli::DoctorArgs,
    error::Error,
    inputs::{KeyInput, Source, Sourced},
    secret::Secret,
    sf_state::{
        self, Context, Env, KeyFile, LoginKind, Missing, Origin, Platform, Request, SfState, Target,
        ci_vars::{self, CiInput},
    },
};

/// The sf CLI's state as this run saw it, and which stored logins it consulted.
#[derive(Debug, Clone)]
pub struct SfCli {
    pub state: SfState,
    pub used: Vec<Used>,
    /// Where a relative stored key path is read from.
    pub cwd: PathBuf,
    pub notes: Vec<String>,
}

/// A stored login that supplied inputs (or was asked for).
#[derive(Debug, Clone)]
pub struct Used {
    pub role: Role,
    pub target: Target,
    /// The stored login's key path and whether it can be read, looked at here so that the
    /// checks read no files.
    pub key_file: Option<(PathBuf, KeyFile)>,
}

impl Used {
    fn new(role: Role, target: Target, cwd: &Path) -> Used {
        let key_file = target.stored().and_then(|stored| stored.key_file(cwd));
        Used { role, target, key_file }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    TargetOrg,
    DevHub,
}

impl Role {
    pub fn label(self, target: &Target) -> String {
        match self {
            Role::TargetOrg => target.label().to_string(),
            Role::DevHub => format!("{} (Dev Hub)", target.label()),
        }
    }
}

/// Candidates for each input; the caller keeps what the flags gave.
#[derive(Debug, Default)]
pub struct Filled {
    pub username: Option<Sourced<String>>,
    pub client_id: Option<Sourced<String>>,
    pub key: Option<Sourced<KeyInput>>,
    /// The stored login URL: above `sfdcLoginUrl`.
    pub login_url: Option<Sourced<String>>,
    /// `org-instance-url`: below `sfdcLoginUrl`.
    pub org_instance_url: Option<Sourced<String>>,
}

/// Reads the sf CLI's state and proposes inputs. `username` is the one the flags gave: a default
/// org (not `--target-org`) for another user is left alone.
pub fn resolve(args: &DoctorArgs, ctx: &Context, username: Option<&str>) -> Result<(SfCli, Filled), Error> {
    let request = Request { target_org: args.target_org.as_deref(), target_dev_hub: args.target_dev_hub.as_deref() };
    let state = sf_state::read(ctx, &request);
    for (flag, target) in [("--target-org", &state.target_org), ("--target-dev-hub", &state.target_dev_hub)] {
        if let Some(target) = target
            && target.requested.origin.is_flag()
        {
            explicit_target_usable(flag, target, ctx)?;
        }
    }
    let mut sf = SfCli { used: Vec::new(), cwd: ctx.cwd.clone(), notes: state.notes.clone(), state };
    let mut filled = Filled::default();
    if let Some(target) = sf.state.target_org.clone() {
        match (&target.login, username) {
            // The CLI cannot use it either: the checks say why.
            (Err(Missing::Unusable(_)), _) => sf.used.push(Used::new(Role::TargetOrg, target, &sf.cwd)),
            (Err(missing), _) => sf.notes.push(format!(
                "the sf CLI's default org `{}` ({}) was not used: {missing}",
                target.requested.value, target.requested.origin
            )),
            (Ok(stored), Some(given))
                if !target.requested.origin.is_flag() && !stored.username.eq_ignore_ascii_case(given) =>
            {
                sf.notes.push(format!(
                    "the sf CLI's default org `{}` ({}) is {}, not --username {given}: nothing was taken from it",
                    target.requested.value, target.requested.origin, stored.username
                ))
            }
            (Ok(_), _) => {
                fill_from(&mut filled, &target, Role::TargetOrg, &sf.cwd);
                sf.used.push(Used::new(Role::TargetOrg, target, &sf.cwd));
            }
        }
    }
    if let Some(hub) = sf.state.target_dev_hub.clone()
        && matches!(hub.login, Ok(_) | Err(Missing::Unusable(_)))
        && !matches!(hub.requested.origin, Origin::Config { .. })
    {
        let alone = sf.used.is_empty() && username.is_none();
        let mut from_hub = Filled::default();
        fill_from(&mut from_hub, &hub, Role::DevHub, &sf.cwd);
        filled.client_id = filled.client_id.or(from_hub.client_id);
        filled.key = filled.key.or(from_hub.key);
        if alone {
            filled.username = from_hub.username;
            filled.login_url = from_hub.login_url;
        }
        sf.used.push(Used::new(Role::DevHub, hub, &sf.cwd));
    }
    fill_from_ci(&mut filled, &ctx.env);
    filled.org_instance_url = sf
        .state
        .org_instance_url
        .as_ref()
        .map(|setting| Sourced { value: setting.value.clone(), source: source_of(&setting.origin) });
    Ok((sf, filled))
}

impl SfCli {
    /// Says that the login URL came from `org-instance-url`, which `sf org login jwt` ignores.
    pub fn note_instance_url_setting(&mut self, used: &Sourced<String>) {
        self.notes.push(format!(
            "the login URL {} comes from {}; `sf org login jwt` itself does not read it: pass it with --instance-url",
            used.value, used.source
        ));
    }
}

/// A JWT login gives everything it signs with; any other login its username and login URL.
fn fill_from(filled: &mut Filled, target: &Target, role: Role, cwd: &Path) {
    let Some(stored) = target.stored() else { return };
    let source = || Source::SfLogin(role.label(target));
    let sourced = |value: &Option<String>| value.clone().map(|value| Sourced { value, source: source() });
    filled.username = Some(Sourced { value: stored.username.clone(), source: source() });
    filled.login_url = sourced(&stored.login_url);
    if stored.kind() != LoginKind::Jwt {
        return;
    }
    filled.client_id = sourced(&stored.client_id);
    // A stale path is reported by the sf CLI checks, not read as the key.
    filled.key = stored
        .key_file(cwd)
        .filter(|(_, state)| state.is_usable())
        .map(|(path, _)| Sourced { value: KeyInput::File(path), source: source() });
}

fn fill_from_ci(filled: &mut Filled, env: &Env) {
    let env_source = |name: &str| Source::Env(name.to_string());
    if filled.client_id.is_none() {
        filled.client_id =
            ci_vars::lookup(env, CiInput::ClientId).map(|(name, value)| Sourced { value, source: env_source(name) });
    }
    if filled.username.is_none() {
        filled.username =
            ci_vars::lookup(env, CiInput::Username).map(|(name, value)| Sourced { value, source: env_source(name) });
    }
    if filled.key.is_none() {
        filled.key = ci_vars::lookup(env, CiInput::Key).map(|(name, value)| Sourced {
            value: KeyInput::Inline(Secret::new(value.into_bytes())),
            source: env_source(name),
        });
    }
}

fn source_of(origin: &Origin) -> Source {
    match origin {
        Origin::Env(name) => Source::Env(name.to_string()),
        other => Source::SfConfig(other.to_string()),
    }
}

/// `--target-org x` that names no stored login is a usage error, as a missing `--error @file` is.
fn explicit_target_usable(flag: &str, target: &Target, ctx: &Context) -> Result<(), Error> {
    let name = &target.requested.value;
    let why = match &target.login {
        Ok(_) | Err(Missing::Unusable(_)) => return Ok(()),
        Err(missing) => missing.to_string(),
    };
    let known = sf_state::known_orgs(ctx);
    let suggestions = catalog::suggest(name, known.iter().map(String::as_str));
    let hint = match (suggestions.is_empty(), known.is_empty()) {
        (false, _) => {
            format!("did you mean {}?", suggestions.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", "))
        }
        (true, false) => "`sf org list` shows the orgs it has".to_string(),
        (true, true) => {
            "log in first with `sf org login jwt`, or give --client-id, --jwt-key-file and --username".into()
        }
    };
    Err(Error::input(format!("{flag} {name}"), why).suggest(hint))
}

/// The context of this process: its home, working directory, environment and keychain platform.
/// The only place that reads them for the sf CLI's state.
pub fn process_context() -> Context {
    let env = Env::new(std::env::vars_os().filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?))));
    let home = if cfg!(windows) { env.get("USERPROFILE") } else { env.get("HOME") }.map(PathBuf::from);
    let platform = if cfg!(windows) {
        Platform::Windows
    } else if cfg!(target_os = "macos") {
        Platform::MacOs
    } else if cfg!(target_os = "linux") {
        Platform::Linux { secret_tool: secret_tool_usable(&env) }
    } else {
        Platform::Other
    };
    Context {
        owner_uid: home.as_deref().and_then(sf_state::owner_of),
        home,
        cwd: std::env::current_dir().unwrap_or_default(),
        env,
        platform,
    }
}

/// `KeychainAccess.validateProgram` for libsecret: `secret-tool` exists and is executable.
fn secret_tool_usable(env: &Env) -> bool {
    let path = env.get("SFDX_SECRET_TOOL_PATH").unwrap_or("/usr/bin/secret-tool");
    is_executable(Path::new(path))
}

#[cfg(unix)]
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(path: &Path) -> bool {
    path.is_file()
}

/// A context that sees no sf CLI at all: for tests of everything else.
pub fn empty_context() -> Context {
    Context {
        home: None,
        cwd: std::env::current_dir().unwrap_or_default(),
        env: Env::default(),
        platform: Platform::Other,
        owner_uid: None,
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;
    use crate::{
        cli::{Cli, Command},
        sf_state::testing::{TempHome, jwt_login, web_login},
    };

    fn resolve_with(home: &TempHome, flags: &[&str], username: Option<&str>) -> (SfCli, Filled) {
        let cli = Cli::try_parse_from(["sfjwt", "doctor"].iter().chain(flags)).unwrap();
        let Command::Doctor(args) = cli.command else { unreachable!() };
        resolve(&args, &home.context(), username).unwrap()
    }

    fn home_with_hub() -> TempHome {
        let mut home = TempHome::new();
        home.write(".sfdx/alias.json", r#"{"orgs":{"devhub":"hub@acme.com","scratch":"test-abc@example.com"}}"#);
        let key = home.write("keys/hub.key", "the file only has to exist\n");
        home.write(".sfdx/hub@acme.com.json", &jwt_login("hub@acme.com", &key.display().to_string()));
        home
    }

    #[test]
    fn a_dev_hub_alone_is_the_org_under_diagnosis() {
        let home = home_with_hub();
        let (sf, filled) = resolve_with(&home, &["--target-dev-hub", "devhub"], None);
        assert_eq!(sf.used.len(), 1);
        assert_eq!(filled.username.unwrap().source, Source::SfLogin("devhub (Dev Hub)".into()));
        assert!(matches!(filled.key.unwrap().value, KeyInput::File(path) if path.ends_with("keys/hub.key")));
        assert_eq!(filled.login_url.unwrap().value, "https://login.salesforce.com");
    }

    #[test]
    fn a_dev_hub_lends_its_app_and_key_to_the_target_org() {
        let mut home = home_with_hub();
        home.write(".sfdx/test-abc@example.com.json", &web_login("test-abc@example.com"));
        let (sf, filled) = resolve_with(&home, &["--target-org", "scratch", "--target-dev-hub", "devhub"], None);
        assert_eq!(sf.used.iter().map(|u| u.role).collect::<Vec<_>>(), [Role::TargetOrg, Role::DevHub]);
        assert_eq!(filled.username.unwrap().value, "test-abc@example.com");
        assert_eq!(filled.client_id.unwrap().source, Source::SfLogin("devhub (Dev Hub)".into()));
        assert!(filled.key.is_some());
        // The dev hub of the config is a default for sf commands, not a statement about this login.
        home.write(".sf/config.json", r#"{"target-dev-hub":"devhub"}"#);
        let (sf, filled) = resolve_with(&home, &["--target-org", "scratch"], None);
        assert_eq!(sf.used.len(), 1);
        assert!(filled.client_id.is_none() && filled.key.is_none());
    }

    #[test]
    fn ci_variables_come_last() {
        let mut home = home_with_hub();
        home.set_env("SFDX_CLIENT_ID", "3MVG9fromCI");
        home.set_env("SFDX_HUB_USERNAME", "ci@acme.com");
        let (_, filled) = resolve_with(&home, &[], None);
        assert_eq!(filled.client_id.unwrap().source, Source::Env("SFDX_CLIENT_ID".into()));
        assert_eq!(filled.username.unwrap().value, "ci@acme.com");
        let (_, filled) = resolve_with(&home, &["--target-dev-hub", "devhub"], None);
        assert_eq!(filled.client_id.unwrap().source, Source::SfLogin("devhub (Dev Hub)".into()));
    }

    #[test]
    fn an_explicit_unknown_org_is_a_usage_error_but_a_default_one_is_a_note() {
        let mut home = home_with_hub();
        let cli = Cli::try_parse_from(["sfjwt", "doctor", "--target-org", "devhbu"]).unwrap();
        let Command::Doctor(args) = cli.command else { unreachable!() };
        let error = resolve(&args, &home.context(), None).unwrap_err().to_string();
        assert!(error.contains("did you mean `devhub`"), "{error}");
        home.set_env("SF_TARGET_ORG", "devhbu");
        let (sf, filled) = resolve_with(&home, &[], None);
        assert!(sf.used.is_empty() && filled.username.is_none());
        assert!(sf.notes[0].contains("was not used"), "{:?}", sf.notes);
    }
}
