//! The command line: flags of `sf org login jwt` with their aliases, plus sfjwt's own.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

pub const EXIT_CODES: &str = "\
Exit codes:
  0  no error-severity cause was found
  1  at least one error-severity cause was found
  2  usage error, or sfjwt itself failed
  3  inconclusive: the token endpoint could not be reached and nothing else was found";

#[derive(Debug, Parser)]
#[command(
    name = "sfjwt",
    version,
    about = "Diagnose Salesforce OAuth 2.0 JWT bearer logins (sf org login jwt) and say how to fix them",
    after_help = EXIT_CODES,
    propagate_version = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run every check the given inputs allow and report the causes, most likely first
    #[command(after_help = EXIT_CODES)]
    Doctor(Box<DoctorArgs>),
    /// Create a key, a certificate and the app metadata for JWT bearer logins, then say what to run
    Setup(Box<SetupArgs>),
    /// List the checks in the order they run, with the causes each can report
    Checks(ChecksArgs),
    /// Explain a cause: what it means, why Salesforce rejects it, how to fix it
    Explain(ExplainArgs),
    /// Print a shell completion script
    Completions(CompletionsArgs),
    /// Print the man page (roff): the whole tool, or one page per command
    Man(ManArgs),
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Clone, Args)]
pub struct DoctorArgs {
    /// OAuth client id (consumer key) of the connected app
    #[arg(
        short = 'i',
        long,
        visible_alias = "clientid",
        env = "SFJWT_CLIENT_ID",
        hide_env_values = true,
        value_name = "KEY"
    )]
    pub client_id: Option<String>,

    /// Private key file, as given to `sf org login jwt` (`-` reads it from stdin; SFJWT_KEY may hold the key itself)
    #[arg(short = 'f', long, visible_aliases = ["jwtkeyfile", "keyfile"], env = "SFJWT_KEY_FILE", hide_env_values = true, value_name = "PATH")]
    pub jwt_key_file: Option<PathBuf>,

    /// Username of the user logging in
    #[arg(
        short = 'o',
        long,
        visible_short_alias = 'u',
        env = "SFJWT_USERNAME",
        hide_env_values = true,
        value_name = "NAME"
    )]
    pub username: Option<String>,

    /// Login URL the assertion is posted to [default: sfdcLoginUrl of sfdx-project.json, else https://login.salesforce.com]
    #[arg(
        short = 'r',
        long,
        visible_alias = "instanceurl",
        visible_short_alias = 'l',
        env = "SFJWT_INSTANCE_URL",
        hide_env_values = true,
        value_name = "URL"
    )]
    pub instance_url: Option<String>,

    /// Take the inputs the flags do not give from the sf CLI's stored login for this org (SF_TARGET_ORG and the CLI's default org are honoured; no short flag: -o is --username)
    #[arg(long, visible_alias = "targetusername", value_name = "ALIAS|USERNAME")]
    pub target_org: Option<String>,

    /// The Dev Hub whose stored JWT login supplies the client id and key a scratch org's login reuses (SF_TARGET_DEV_HUB is honoured)
    #[arg(long, visible_alias = "targetdevhubusername", value_name = "ALIAS|USERNAME")]
    pub target_dev_hub: Option<String>,

    /// The `aud` claim to use (SF_AUDIENCE_URL is honoured) [default: the documented value for the environment]
    #[arg(long, value_name = "URL")]
    pub audience: Option<String>,

    /// The certificate uploaded to the connected app
    #[arg(long, env = "SFJWT_CERT", hide_env_values = true, value_name = "PATH")]
    pub cert: Option<PathBuf>,

    /// Audit a JWT your own code built instead of building one: the JWT, @PATH, or - for stdin
    #[arg(long, value_name = "JWT|@PATH|-")]
    pub assertion: Option<String>,

    /// ConnectedApp or External Client App metadata (file or folder), repeatable
    #[arg(long, value_name = "PATH")]
    pub connected_app: Vec<PathBuf>,

    /// Admin access token for read-only org queries (prefer SFJWT_ADMIN_TOKEN: flags show in process lists)
    #[arg(
        long,
        env = "SFJWT_ADMIN_TOKEN",
        hide_env_values = true,
        value_name = "TOKEN",
        requires = "admin_instance_url"
    )]
    pub admin_token: Option<String>,

    /// Instance URL for --admin-token (e.g. https://acme.my.salesforce.com)
    #[arg(long, env = "SFJWT_ADMIN_INSTANCE_URL", hide_env_values = true, value_name = "URL")]
    pub admin_instance_url: Option<String>,

    /// An admin of the org: an sf CLI alias or username (sfjwt runs `sf org auth show-access-token`), or a file holding `sf org display --json` output (`-` reads stdin)
    #[arg(long, value_name = "ALIAS|USERNAME|FILE", conflicts_with = "admin_token")]
    pub admin_org: Option<String>,

    /// A failure you already have (token JSON, HTTP transcript, sf CLI output): TEXT, @PATH, or - for stdin
    #[arg(long, value_name = "TEXT|@PATH|-")]
    pub error: Option<String>,

    /// Never contact Salesforce
    #[arg(long, env = "SFJWT_OFFLINE", hide_env_values = true, value_parser = clap::builder::FalseyValueParser::new())]
    pub offline: bool,

    /// How long to wait for each request before giving up (e.g. 30, 30s, 2m; at most 10m)
    #[arg(long, value_name = "DURATION", default_value = "30s", env = "SFJWT_TIMEOUT", hide_env_values = true, value_parser = parse_timeout)]
    pub timeout: std::time::Duration,

    /// Try every (host, aud) pair `sf org login jwt` tries, in its order, and show which works
    #[arg(long)]
    pub try_audiences: bool,

    /// When the top cause is transient (replication, propagation, maintenance), retry until it clears or this much time passes (e.g. 90s, 5m)
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub wait: Option<std::time::Duration>,

    /// Diagnose every JWT login the sf CLI has stored, several at once, and report them in one table (with --config, also the logins that file lists)
    #[arg(long)]
    pub all: bool,

    /// A TOML or JSON file listing logins to diagnose, each with the inputs doctor takes (client-id, jwt-key-file, username, instance-url, cert…): for pipelines that do not use the sf CLI
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// With --all or --config: how many logins are diagnosed at once
    #[arg(long, value_name = "N", default_value_t = crate::all::DEFAULT_JOBS, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub jobs: u16,

    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Text, env = "SFJWT_FORMAT", hide_env_values = true)]
    pub format: Format,

    /// Same as --format json
    #[arg(long, conflicts_with = "format")]
    pub json: bool,

    /// Write the report to this file instead of stdout
    #[arg(long, value_name = "PATH")]
    pub output: Option<PathBuf>,

    /// Also write a support bundle (<timestamp>-sfjwt.json and .md) into this directory
    #[arg(long, value_name = "DIR", env = "SFJWT_REPORT_DIR", hide_env_values = true)]
    pub report: Option<PathBuf>,

    /// Mask usernames and org/user ids too, for reports shared outside the team
    #[arg(long, env = "SFJWT_REDACT_IDENTITIES", hide_env_values = true, value_parser = clap::builder::FalseyValueParser::new())]
    pub redact_identities: bool,

    /// Exit 1 on causes of this severity or worse
    #[arg(long, value_enum, default_value_t = FailOn::Error, env = "SFJWT_FAIL_ON", hide_env_values = true)]
    pub fail_on: FailOn,

    /// Treat as an error: a cause id (cert.expired), a group (cert) or a level (warnings); repeatable
    #[arg(short = 'D', long = "deny", value_name = "CAUSE|GROUP|LEVEL")]
    pub deny: Vec<String>,

    /// Treat as a warning: a cause id, a group or a level (errors); repeatable
    #[arg(short = 'W', long = "warn", value_name = "CAUSE|GROUP|LEVEL")]
    pub warn: Vec<String>,

    /// Accept (report as info): a cause id, a group or a level; repeatable
    #[arg(short = 'A', long = "allow", value_name = "CAUSE|GROUP|LEVEL")]
    pub allow: Vec<String>,

    /// Show every check and its details
    #[arg(short, long)]
    pub verbose: bool,

    /// When to use colour (NO_COLOR is honoured)
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,

    /// Make the changes to local files that fix what was found (app metadata, a repaired copy of a mangled key), show their diff and the deploy command
    #[arg(long, conflicts_with = "diff")]
    pub fix: bool,

    /// Show the diff --fix would apply, and change nothing
    #[arg(long)]
    pub diff: bool,

    #[command(flatten)]
    pub sf_only: SfOnlyFlags,
}

/// Flags of `sf org login jwt` that only concern how the CLI stores the login. sfjwt stores
/// nothing, so it accepts them (a user can swap one command for the other) and says it ignored
/// them.
#[derive(Debug, Clone, Args, Default)]
#[command(next_help_heading = "Accepted from sf org login jwt, and ignored")]
pub struct SfOnlyFlags {
    /// Set the org as the default Dev Hub (sf only)
    #[arg(short = 'd', long, visible_alias = "setdefaultdevhubusername")]
    pub set_default_dev_hub: bool,

    /// Set the org as the default org (sf only)
    #[arg(short = 's', long, visible_alias = "setdefaultusername")]
    pub set_default: bool,

    /// Alias for the org (sf only)
    #[arg(short = 'a', long, visible_alias = "setalias", value_name = "ALIAS")]
    pub alias: Option<String>,
}

impl SfOnlyFlags {
    /// The flags given, as the user would recognise them.
    pub fn given(&self) -> Vec<&'static str> {
        let mut given = Vec::new();
        if self.set_default_dev_hub {
            given.push("--set-default-dev-hub");
        }
        if self.set_default {
            given.push("--set-default");
        }
        if self.alias.is_some() {
            given.push("--alias");
        }
        given
    }
}

#[derive(Debug, Args)]
pub struct SetupArgs {
    /// Username of the integration user that will log in with the key (asked in a terminal)
    #[arg(short = 'o', long, env = "SFJWT_USERNAME", hide_env_values = true, value_name = "NAME")]
    pub username: Option<String>,

    /// Login URL of the org: https://login.salesforce.com, https://test.salesforce.com or a My Domain (asked in a terminal)
    #[arg(short = 'r', long, env = "SFJWT_INSTANCE_URL", hide_env_values = true, value_name = "URL")]
    pub instance_url: Option<String>,

    /// The sf CLI alias or username of an admin of the org, for the deploy and assign commands shown
    #[arg(long, env = "SF_TARGET_ORG", hide_env_values = true, value_name = "ALIAS|USERNAME")]
    pub target_org: Option<String>,

    /// API name of the app
    #[arg(long, env = "SFJWT_APP_NAME", hide_env_values = true, default_value = "Sfjwt_CI", value_name = "NAME")]
    pub app_name: String,

    /// Label of the app [default: the API name]
    #[arg(long, value_name = "TEXT")]
    pub label: Option<String>,

    /// API name of the permission set that pre-authorizes users [default: <app name>_JWT_Users]
    #[arg(long, value_name = "NAME")]
    pub permission_set: Option<String>,

    /// Email Salesforce uses to contact the app's owner (required for --connected-app; asked in a terminal)
    #[arg(long, env = "SFJWT_CONTACT_EMAIL", hide_env_values = true, value_name = "EMAIL")]
    pub contact_email: Option<String>,

    /// OAuth callback URL of the app (`sf org login web` listens on the default)
    #[arg(long, default_value = crate::setup::templates::DEFAULT_CALLBACK_URL, value_name = "URL")]
    pub callback_url: String,

    /// RSA key size in bits: 2048 or 4096
    #[arg(long, default_value_t = 2048, value_parser = parse_key_size, value_name = "BITS")]
    pub key_size: usize,

    /// How long the certificate is valid, in days
    #[arg(long, default_value_t = 730, value_parser = clap::value_parser!(u32).range(1..=3650), value_name = "DAYS")]
    pub valid_days: u32,

    /// Where the metadata goes [default: <default package directory>/main/default of the sfdx project, else ./sfjwt/force-app/main/default in a new project]
    #[arg(long, value_name = "DIR")]
    pub source_dir: Option<PathBuf>,

    /// Where server.key and server.crt go, outside every package directory [default: <project>/jwt]
    #[arg(long, value_name = "DIR")]
    pub key_dir: Option<PathBuf>,

    /// Write the legacy ConnectedApp instead of an External Client App (creating connected apps is blocked since Spring '26 unless Salesforce Support enables it)
    #[arg(long)]
    pub connected_app: bool,

    /// Output format: what was written and the next steps
    #[arg(long, value_enum, default_value_t = SetupFormat::Text)]
    pub format: SetupFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SetupFormat {
    Text,
    Json,
}

/// `90`, `90s`, `5m`, `1h`, `2m30s`.
pub fn parse_duration(text: &str) -> Result<std::time::Duration, String> {
    let out_of_range = || format!("`{text}`: give a duration between 1s and 1h");
    let mut total = 0u64;
    let mut number = String::new();
    for c in text.trim().chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let unit = match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            _ => return Err(format!("`{text}`: use a number with s, m or h, e.g. 90s or 5m")),
        };
        if number.is_empty() {
            return Err(format!("`{text}`: a unit needs a number before it"));
        }
        // Overflow is out of range, never a wrapped (and then accepted) small number.
        let seconds = number.parse::<u64>().ok().and_then(|n| n.checked_mul(unit)).ok_or_else(out_of_range)?;
        total = total.checked_add(seconds).ok_or_else(out_of_range)?;
        number.clear();
    }
    if !number.is_empty() {
        let seconds = number.parse::<u64>().map_err(|_| out_of_range())?;
        total = total.checked_add(seconds).ok_or_else(out_of_range)?;
    }
    if total == 0 || total > 3600 {
        return Err(out_of_range());
    }
    Ok(std::time::Duration::from_secs(total))
}

/// `2048` or `4096`: what the sf CLI takes (at least 2048) and what setup offers.
fn parse_key_size(text: &str) -> Result<usize, String> {
    match text.trim() {
        "2048" => Ok(2048),
        "4096" => Ok(4096),
        _ => Err(format!("`{text}`: choose 2048 or 4096")),
    }
}

/// A [`parse_duration`] of at most ten minutes: a token request never needs longer.
pub fn parse_timeout(text: &str) -> Result<std::time::Duration, String> {
    let duration = parse_duration(text)?;
    if duration > std::time::Duration::from_secs(600) {
        return Err(format!("`{text}`: give a timeout between 1s and 10m"));
    }
    Ok(duration)
}

impl DoctorArgs {
    pub fn format(&self) -> Format {
        if self.json { Format::Json } else { self.format }
    }

    /// `--all` or `--config`: many logins, each with its own inputs.
    pub fn many(&self) -> bool {
        self.all || self.config.is_some()
    }
}

#[derive(Debug, Args)]
pub struct ChecksArgs {
    /// Output format
    #[arg(long, value_enum, default_value_t = ListFormat::Text)]
    pub format: ListFormat,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// A cause id such as `key.mangled`, or a check id such as `key.format`; without one, every id
    pub id: Option<String>,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// One page per command (sfjwt.1, sfjwt-doctor.1, …) instead of one page for the whole tool
    #[arg(long)]
    pub all: bool,

    /// Write the pages into this folder (created if missing) instead of printing them
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
    Markdown,
    Junit,
    Github,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Text,
    Json,
    Markdown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[cfg(test)]
mod tests {
    use super::parse_duration;

    #[test]
    fn durations_parse_within_their_range() {
        assert_eq!(parse_duration("2m30s").unwrap().as_secs(), 150);
        assert_eq!(parse_duration("90").unwrap().as_secs(), 90);
        assert!(parse_duration("0s").is_err() && parse_duration("2h").is_err() && parse_duration("m").is_err());
    }

    /// Regression (issue 10): `n * 3600` overflowed, panicking in debug builds and wrapping to a
    /// small, accepted duration in release ones.
    #[test]
    fn overflowing_durations_are_out_of_range() {
        for text in ["99999999999999999999h", "5124095576030432h", "18446744073709551615s1s", "4000000000000000m"] {
            let error = parse_duration(text).unwrap_err();
            assert!(error.contains("between 1s and 1h"), "{text}: {error}");
        }
    }
}
