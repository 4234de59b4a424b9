//! Resolves what the user gave (flags, environment, sfdx-project.json, stdin) into inputs that
//! remember where each value came from, so reports can say it.

use std::{
    env, fmt,
    path::{Path, PathBuf},
};

use clap::{ArgMatches, parser::ValueSource};
use serde::Serialize;

use crate::{cli::DoctorArgs, error::Error, files, secret::Secret, sf_state::Context as SfContext};

pub const DEFAULT_LOGIN_URL: &str = "https://login.salesforce.com";

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "name", rename_all = "snake_case")]
pub enum Source {
    Flag(String),
    Env(String),
    ProjectFile(PathBuf),
    Stdin,
    /// Found in the `--error` text.
    Captured,
    /// The sf CLI's stored login for this org (alias or username).
    SfLogin(String),
    /// A setting of the sf CLI's config (`org-instance-url in ~/.sf/config.json`).
    SfConfig(String),
    /// An entry of the `--config` file of logins (`login uat in logins.toml`).
    LoginList(String),
    Default,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Flag(name) => write!(f, "flag --{name}"),
            Source::Env(name) => write!(f, "env {name}"),
            Source::ProjectFile(path) => write!(f, "sfdcLoginUrl in {}", path.display()),
            Source::Stdin => f.write_str("stdin"),
            Source::Captured => f.write_str("the --error text"),
            Source::SfLogin(org) => write!(f, "the sf CLI's stored login for {org}"),
            Source::SfConfig(setting) => f.write_str(setting),
            Source::LoginList(entry) => f.write_str(entry),
            Source::Default => f.write_str("default"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sourced<T> {
    pub value: T,
    pub source: Source,
}

/// Where the private key comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyInput {
    File(PathBuf),
    /// Key contents held in an environment variable (`SFJWT_KEY`) or read from stdin.
    Inline(Secret<Vec<u8>>),
}

/// A JWT or captured error given as text, `@path` or `-`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TextInput {
    Inline(Secret<String>),
    File(PathBuf),
    Stdin,
}

#[derive(Debug, Clone)]
pub struct Inputs {
    pub client_id: Option<Sourced<String>>,
    pub key: Option<Sourced<KeyInput>>,
    pub username: Option<Sourced<String>>,
    pub instance_url: Sourced<String>,
    pub audience: Option<Sourced<String>>,
    pub cert: Option<Sourced<PathBuf>>,
    pub assertion: Option<Sourced<TextInput>>,
    pub connected_apps: Vec<PathBuf>,
    /// An admin session for read-only org queries, or why it cannot be used.
    pub admin: Option<Result<crate::org::AdminSession, String>>,
    /// How the sf CLI was asked for the admin session (`--admin-org <alias>`), if it was.
    pub admin_sf: Option<crate::org::SfRun>,
    pub error: Option<Sourced<TextInput>>,
    pub offline: bool,
    pub timeout: std::time::Duration,
    pub try_audiences: bool,
    /// The sfdx-project.json found upwards from the working directory, if any.
    pub project: Option<ProjectFile>,
    /// The sf CLI's own state and the stored logins that supplied inputs.
    pub sf: crate::sf_inputs::SfCli,
    /// Unix seconds used as "now" by every time rule (SFJWT_NOW pins it for reproducible reports).
    pub now: i64,
    pub context: RunContext,
}

/// Where sfjwt runs, read once here so that checks read no environment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunContext {
    /// Where relative paths are read from.
    pub working_dir: Option<PathBuf>,
    /// `CI` is set, as every CI service sets it.
    pub ci: bool,
    /// The variable the HTTP client takes its proxy from, and its value with any credentials masked.
    pub proxy: Option<(&'static str, String)>,
}

impl RunContext {
    pub fn read() -> RunContext {
        RunContext {
            working_dir: env::current_dir().ok(),
            ci: env::var_os("CI").is_some(),
            proxy: crate::http::proxy_variable().map(|(name, value)| (name, crate::http::mask_credentials(&value))),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectFile {
    pub path: PathBuf,
    pub login_url: Option<String>,
    /// Why the file could not be used, if it could not.
    pub problem: Option<String>,
}

impl Inputs {
    pub fn resolve(args: &DoctorArgs, matches: &ArgMatches) -> Result<Inputs, Error> {
        Inputs::resolve_in(args, matches, &crate::sf_inputs::process_context())
    }

    /// Resolves against the given view of the sf CLI's home and environment.
    pub fn resolve_in(args: &DoctorArgs, matches: &ArgMatches, sf: &SfContext) -> Result<Inputs, Error> {
        let sourced = |id: &str, flag: &str, env_name: &str, value: Option<String>| {
            value.map(|value| Sourced { value, source: source_of(matches, id, flag, env_name) })
        };
        let stdin_users = [
            args.jwt_key_file.as_deref() == Some(Path::new("-")),
            args.assertion.as_deref() == Some("-"),
            args.error.as_deref() == Some("-"),
            args.admin_org.as_deref() == Some("-"),
        ];
        if stdin_users.iter().filter(|used| **used).count() > 1 {
            return Err(Error::usage(
                "only one of --jwt-key-file, --assertion, --error and --admin-org can read stdin (`-`)",
            )
            .suggest("pass the others as files"));
        }
        let (admin, admin_sf) = resolve_admin(args, matches, sf)?;
        let context = RunContext::read();
        let project = find_project(context.working_dir.as_deref().unwrap_or(Path::new("")));
        let username = sourced("username", "username", "SFJWT_USERNAME", args.username.clone());
        let (mut sf, filled) = crate::sf_inputs::resolve(args, sf, username.as_ref().map(|u| u.value.as_str()))?;
        let setting_source = filled.org_instance_url.as_ref().map(|url| url.source.clone());
        let instance_url = sourced("instance_url", "instance-url", "SFJWT_INSTANCE_URL", args.instance_url.clone())
            .or(filled.login_url)
            .or_else(|| {
                let project = project.as_ref()?;
                Some(Sourced { value: project.login_url.clone()?, source: Source::ProjectFile(project.path.clone()) })
            })
            .or(filled.org_instance_url)
            .unwrap_or(Sourced { value: DEFAULT_LOGIN_URL.to_string(), source: Source::Default });
        if setting_source.as_ref() == Some(&instance_url.source) {
            sf.note_instance_url_setting(&instance_url);
        }
        Ok(Inputs {
            client_id: sourced("client_id", "client-id", "SFJWT_CLIENT_ID", args.client_id.clone())
                .or(filled.client_id),
            key: resolve_key(args, matches)?.or(filled.key),
            username: username.or(filled.username),
            instance_url,
            audience: resolve_audience(args)?,
            cert: sourced("cert", "cert", "SFJWT_CERT", args.cert.as_ref().map(|p| p.display().to_string()))
                .map(|s| Sourced { value: PathBuf::from(s.value), source: s.source }),
            assertion: args
                .assertion
                .as_deref()
                .map(|text| Sourced { value: text_input(text), source: Source::Flag("assertion".into()) }),
            connected_apps: args.connected_app.clone(),
            admin,
            admin_sf,
            error: args
                .error
                .as_deref()
                .map(|text| Sourced { value: text_input(text), source: Source::Flag("error".into()) }),
            offline: args.offline,
            timeout: args.timeout,
            try_audiences: args.try_audiences,
            project,
            sf,
            now: now(),
            context,
        })
    }
}

impl Inputs {
    /// Nothing to check: no input given, and no sfdx project around to read one from.
    pub fn is_empty(&self) -> bool {
        self.client_id.is_none()
            && self.key.is_none()
            && self.username.is_none()
            && self.instance_url.source == Source::Default
            && self.audience.is_none()
            && self.cert.is_none()
            && self.assertion.is_none()
            && self.connected_apps.is_empty()
            && self.admin.is_none()
            && self.error.is_none()
            && self.project.is_none()
            && self.sf.used.is_empty()
    }
}

fn source_of(matches: &ArgMatches, id: &str, flag: &str, env_name: &str) -> Source {
    match matches.value_source(id) {
        Some(ValueSource::EnvVariable) => Source::Env(env_name.to_string()),
        _ => Source::Flag(flag.to_string()),
    }
}

fn resolve_key(args: &DoctorArgs, matches: &ArgMatches) -> Result<Option<Sourced<KeyInput>>, Error> {
    if let Some(path) = &args.jwt_key_file {
        let source = source_of(matches, "jwt_key_file", "jwt-key-file", "SFJWT_KEY_FILE");
        if path == Path::new("-") {
            let bytes = files::read_stdin_limited(files::MAX_INPUT_BYTES)
                .map_err(|e| Error::input("--jwt-key-file", format!("cannot read the key from stdin: {e}")))?;
            return Ok(Some(Sourced { value: KeyInput::Inline(Secret::new(bytes)), source: Source::Stdin }));
        }
        return Ok(Some(Sourced { value: KeyInput::File(path.clone()), source }));
    }
    // One key for every login of `--all` would be wrong for all but one of them.
    if args.many() {
        return Ok(None);
    }
    Ok(env::var_os("SFJWT_KEY").map(|value| Sourced {
        value: KeyInput::Inline(Secret::new(value.into_encoded_bytes())),
        source: Source::Env("SFJWT_KEY".into()),
    }))
}

type Admin = Option<Result<crate::org::AdminSession, String>>;

fn resolve_admin(
    args: &DoctorArgs,
    matches: &ArgMatches,
    sf: &SfContext,
) -> Result<(Admin, Option<crate::org::SfRun>), Error> {
    if let Some(value) = &args.admin_org {
        let Some(path) = admin_org_file(value) else {
            let run = admin_from_sf(value, args, sf);
            return Ok((Some(run.outcome.clone().map_err(|e| e.to_string())), Some(run)));
        };
        let bytes = if path == Path::new("-") {
            files::read_stdin_limited(files::MAX_INPUT_BYTES)
        } else {
            files::read_limited(&path, files::MAX_INPUT_BYTES)
        }
        .map_err(|e| Error::input("--admin-org", format!("cannot read {}: {e}", path.display())))?;
        let instance_url = args.admin_instance_url.as_deref();
        return Ok((Some(crate::org::session_from_cli_json(&files::decode_text(&bytes), instance_url)), None));
    }
    let (Some(token), Some(url)) = (&args.admin_token, &args.admin_instance_url) else {
        return Ok((None, None));
    };
    let source = source_of(matches, "admin_token", "admin-token", "SFJWT_ADMIN_TOKEN");
    Ok((Some(crate::org::AdminSession::new(url, token.clone(), source.to_string())), None))
}

/// `--admin-org` names a file when it is `-`, an existing file, or looks like a path (a separator
/// or a `.json` ending, so a mistyped file name is reported as such); anything else is an sf CLI
/// alias or username.
fn admin_org_file(value: &str) -> Option<PathBuf> {
    let path = Path::new(value);
    let looks_like_path = value == "-" || value.contains(['/', '\\']) || value.to_ascii_lowercase().ends_with(".json");
    (looks_like_path || path.is_file()).then(|| path.to_path_buf())
}

/// Runs the sf CLI for the admin's token (never with --offline: it refreshes the token online).
fn admin_from_sf(target: &str, args: &DoctorArgs, sf: &SfContext) -> crate::org::SfRun {
    if args.offline {
        let outcome = Err(crate::org::SfFailure::Offline);
        return crate::org::SfRun { target: target.to_string(), outcome, commands: Vec::new() };
    }
    let stored = crate::sf_state::lookup(sf, target).login.ok();
    let stored = crate::org::StoredAdmin {
        username: stored.as_ref().map(|login| login.username.clone()),
        instance_url: stored.and_then(|login| login.instance_url),
    };
    // npm installs a `sf.cmd` shim on Windows, which CreateProcess does not find as `sf`.
    let program = if cfg!(windows) { "sf.cmd" } else { "sf" };
    let command = crate::org::SfCommand { program: program.into(), timeout: args.timeout };
    crate::org::admin_session(target, &command, &stored)
}

fn resolve_audience(args: &DoctorArgs) -> Result<Option<Sourced<String>>, Error> {
    if let Some(aud) = &args.audience {
        return Ok(Some(Sourced { value: aud.clone(), source: Source::Flag("audience".into()) }));
    }
    for name in ["SF_AUDIENCE_URL", "SFDX_AUDIENCE_URL"] {
        match env::var(name) {
            Ok(value) if !value.trim().is_empty() => {
                return Ok(Some(Sourced { value, source: Source::Env(name.into()) }));
            }
            // Skipping it would build the assertion with another `aud` than the sf CLI sends.
            Err(env::VarError::NotUnicode(_)) => {
                return Err(Error::usage(format!("the environment variable {name} is not valid UTF-8 text"))
                    .suggest("set it to plain text or unset it"));
            }
            _ => {}
        }
    }
    Ok(None)
}

fn text_input(text: &str) -> TextInput {
    match text {
        "-" => TextInput::Stdin,
        _ => match text.strip_prefix('@') {
            Some(path) => TextInput::File(PathBuf::from(path)),
            None => TextInput::Inline(Secret::new(text.to_string())),
        },
    }
}

/// The nearest `sfdx-project.json` upwards from `start`, as `sf` finds it.
pub fn find_project(start: &Path) -> Option<ProjectFile> {
    // Found whatever it is: a FIFO or device planted under that name is then refused, not skipped.
    let path = start.ancestors().map(|dir| dir.join("sfdx-project.json")).find(|p| p.exists() && !p.is_dir())?;
    let parsed = files::read_limited(&path, files::MAX_INPUT_BYTES).map_err(|e| e.to_string()).and_then(|bytes| {
        serde_json::from_str::<serde_json::Value>(&files::decode_text(&bytes))
            .map_err(|e| format!("not valid JSON ({e})"))
    });
    Some(match parsed {
        Ok(json) => ProjectFile {
            login_url: json.get("sfdcLoginUrl").and_then(|v| v.as_str()).map(str::to_string),
            path,
            problem: None,
        },
        Err(problem) => ProjectFile { path, login_url: None, problem: Some(problem) },
    })
}

fn now() -> i64 {
    env::var("SFJWT_NOW").ok().and_then(|v| v.parse().ok()).unwrap_or_else(crate::clock::unix_now)
}
