//! Which logins `--all` and `--config` diagnose, and the `doctor` flags each one gets.

use std::path::{Path, PathBuf};

use clap::{ArgMatches, parser::ValueSource};

use super::config::Entry;
use crate::{
    cli::DoctorArgs,
    error::Error,
    sf_state::{self, Context, LoginKind, Missing},
};

/// One login to diagnose (or to list as skipped).
#[derive(Debug, Clone)]
pub struct Login {
    /// The sf CLI alias, or the name the `--config` entry gives.
    pub alias: Option<String>,
    pub username: Option<String>,
    pub origin: Origin,
    pub todo: Todo,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// `~/.sfdx/<username>.json`.
    Stored,
    /// Entry `index` (from 0) of the `--config` file.
    Listed { file: PathBuf, index: usize },
}

#[derive(Debug, Clone)]
pub enum Todo {
    /// Diagnose with these `doctor` flags; `listed` names the `--config` entry whose values they
    /// hold, so the report can say where each input came from.
    Diagnose { args: Box<DoctorArgs>, listed: Option<String> },
    /// Not a login sfjwt can diagnose, and why.
    Skip(String),
}

impl Login {
    /// How the table names it: the alias, else the username, else the entry's position.
    pub fn label(&self) -> String {
        match (&self.alias, &self.username, &self.origin) {
            (Some(alias), ..) => alias.clone(),
            (None, Some(username), _) => username.clone(),
            (None, None, Origin::Listed { index, .. }) => format!("login {}", index + 1),
            (None, None, Origin::Stored) => "?".into(),
        }
    }
}

/// Flags that name one login's inputs: with `--all` they would apply to every login.
const PER_LOGIN: &[(&str, &str)] = &[
    ("client_id", "--client-id"),
    ("jwt_key_file", "--jwt-key-file"),
    ("username", "--username"),
    ("instance_url", "--instance-url"),
    ("target_org", "--target-org"),
    ("target_dev_hub", "--target-dev-hub"),
    ("audience", "--audience"),
    ("cert", "--cert"),
    ("assertion", "--assertion"),
    ("error", "--error"),
    ("admin_token", "--admin-token"),
    ("admin_instance_url", "--admin-instance-url"),
    ("admin_org", "--admin-org"),
    ("wait", "--wait"),
    ("report", "--report"),
    ("fix", "--fix"),
    ("diff", "--diff"),
];

/// A per-login flag on the command line is a usage error; one that came from its environment
/// variable (`SFJWT_USERNAME`…) is set for single runs, so it is left out, with a note.
pub fn check_flags(matches: &ArgMatches) -> Result<Vec<String>, Error> {
    let given: Vec<&str> = PER_LOGIN
        .iter()
        .filter(|(id, _)| matches.value_source(id) == Some(ValueSource::CommandLine))
        .map(|(_, flag)| *flag)
        .collect();
    if !given.is_empty() {
        return Err(Error::usage(format!(
            "{} {} one login's input{}, which --all and --config take from each login",
            given.join(", "),
            if given.len() == 1 { "is" } else { "are" },
            if given.len() == 1 { "" } else { "s" }
        ))
        .suggest("list each login's inputs in the --config file, or run `sfjwt doctor` for one login"));
    }
    let mut from_env: Vec<String> = PER_LOGIN
        .iter()
        .filter(|(id, _)| matches.value_source(id) == Some(ValueSource::EnvVariable))
        .filter_map(|(id, _)| env_name(id))
        .collect();
    if std::env::var_os("SFJWT_KEY").is_some() {
        from_env.push("SFJWT_KEY".into());
    }
    Ok(if from_env.is_empty() {
        Vec::new()
    } else {
        vec![format!("{} not used: with --all and --config, each login's inputs are its own", from_env.join(", "))]
    })
}

/// The environment variable a `doctor` flag falls back to.
fn env_name(id: &str) -> Option<String> {
    use clap::CommandFactory;
    let command = crate::cli::Cli::command();
    let doctor = command.find_subcommand("doctor")?;
    let arg = doctor.get_arguments().find(|arg| arg.get_id() == id)?;
    Some(arg.get_env()?.to_string_lossy().into_owned())
}

/// Every stored login of the sf CLI, by label: JWT logins to diagnose, the others skipped.
/// `except` holds usernames a `--config` entry already covers.
pub fn stored(args: &DoctorArgs, ctx: &Context, except: &[String]) -> Vec<Login> {
    let mut logins: Vec<Login> = stored_usernames(ctx)
        .into_iter()
        .filter(|username| !except.iter().any(|e| e.eq_ignore_ascii_case(username)))
        .map(|username| {
            let target = sf_state::lookup(ctx, &username);
            let todo = match &target.login {
                Ok(stored) if stored.kind() != LoginKind::Jwt => {
                    Todo::Skip(format!("{}: not a JWT login", stored.kind().describe()))
                }
                // A damaged login is diagnosed: the sf CLI state checks say what is wrong with it.
                Ok(_) | Err(Missing::Unusable(_)) => {
                    let mut one = for_one_login(args);
                    one.target_org = Some(username.clone());
                    Todo::Diagnose { args: Box::new(one), listed: None }
                }
                Err(missing) => Todo::Skip(missing.to_string()),
            };
            Login { alias: target.alias.clone(), username: Some(username), origin: Origin::Stored, todo }
        })
        .collect();
    logins.sort_by_key(|login| login.label().to_lowercase());
    logins
}

/// `<username>.json` files in `~/.sfdx` (an `@` in the name, as sfdx-core's `orgAccessor` lists
/// them).
fn stored_usernames(ctx: &Context) -> Vec<String> {
    let Some(dir) = ctx.sfdx_dir() else { return Vec::new() };
    let Ok(entries) = std::fs::read_dir(&dir) else { return Vec::new() };
    entries
        .filter_map(|entry| {
            let name = entry.ok()?.file_name().into_string().ok()?;
            let user = name.strip_suffix(".json")?;
            (user.contains('@') && !user.starts_with('.')).then(|| user.to_string())
        })
        .collect()
}

/// The logins a `--config` file lists, in its order.
pub fn listed(args: &DoctorArgs, file: &Path, entries: Vec<Entry>) -> Vec<Login> {
    entries
        .into_iter()
        .enumerate()
        .map(|(index, entry)| {
            let origin = Origin::Listed { file: file.to_path_buf(), index };
            let name = entry.name.clone();
            let username = entry.username.clone();
            let shown = name.clone().or(username.clone()).unwrap_or_else(|| format!("{}", index + 1));
            let listed = format!("login `{shown}` in {}", file.display());
            let mut one = for_one_login(args);
            one.client_id = entry.client_id;
            one.jwt_key_file = entry.jwt_key_file;
            one.username = entry.username;
            one.instance_url = entry.instance_url;
            one.audience = entry.audience;
            one.cert = entry.cert;
            one.target_org = entry.target_org;
            if !entry.connected_app.is_empty() {
                one.connected_app = entry.connected_app;
            }
            let nothing = one.client_id.is_none()
                && one.jwt_key_file.is_none()
                && one.username.is_none()
                && one.target_org.is_none();
            let todo = if nothing {
                Todo::Skip("the entry gives no client-id, jwt-key-file, username or target-org".into())
            } else {
                Todo::Diagnose { args: Box::new(one), listed: Some(listed) }
            };
            Login { alias: name, username, origin, todo }
        })
        .collect()
}

/// The command line's flags without the per-login ones (which came from the environment, if at
/// all: [`check_flags`] refused them on the command line).
fn for_one_login(args: &DoctorArgs) -> DoctorArgs {
    DoctorArgs {
        client_id: None,
        jwt_key_file: None,
        username: None,
        instance_url: None,
        target_org: None,
        target_dev_hub: None,
        audience: None,
        cert: None,
        assertion: None,
        error: None,
        admin_token: None,
        admin_instance_url: None,
        admin_org: None,
        wait: None,
        report: None,
        ..args.clone()
    }
}
