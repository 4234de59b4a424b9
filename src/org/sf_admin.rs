//! An admin session from the sf CLI itself, for `--admin-org <alias|username>`: the admin who is
//! logged in with the sf CLI needs no file.
//!
//! From `salesforcecli/plugin-org` 6.0.10 (commit 22749ce5):
//! - `src/commands/org/auth/show-access-token.ts` (since 5.11.0, May 2026): with `--json` it asks
//!   no confirmation and prints `{"status":0,"result":{"accessToken":"…"}}`; it refreshes the
//!   token first, so it contacts the org.
//! - `src/commands/org/display.ts`, `messages/secrets-redacted.md`: since 5.11.1 `--json` replaces
//!   the token with "[REDACTED] Use 'sf org auth show-access-token' to view" unless
//!   `SF_TEMP_SHOW_SECRETS=true` (a workaround it will remove); before that it printed it. Its
//!   `result.instanceUrl` is the stored login's.
//!
//! So: `show-access-token` first; when that fails (an older sf), `sf org display` with
//! `SF_TEMP_SHOW_SECRETS=true`. The instance URL comes from the admin's stored login (plaintext),
//! else from `sf org display`. Each run has a time limit and no stdin (no prompt can wait); the
//! token goes straight into a `Secret` and nothing the CLI printed is shown unscrubbed.

use std::{
    fmt,
    io::Read,
    path::PathBuf,
    process::{Command, Stdio},
    sync::mpsc,
    time::{Duration, Instant},
};

use serde_json::Value;

use super::session::{self, AdminSession};
use crate::secret::{Secret, scrub};

/// How to run the CLI: the program (found on `PATH`) and the time limit for each command.
#[derive(Debug, Clone)]
pub struct SfCommand {
    pub program: PathBuf,
    pub timeout: Duration,
}

/// The admin's stored login, when sfjwt could read it: spares a second command.
#[derive(Debug, Clone, Default)]
pub struct StoredAdmin {
    pub username: Option<String>,
    pub instance_url: Option<String>,
}

/// What running the sf CLI gave.
#[derive(Debug, Clone)]
pub struct SfRun {
    /// The alias or username given to `--admin-org`.
    pub target: String,
    pub outcome: Result<AdminSession, SfFailure>,
    /// The commands run, without secrets (`sf org auth show-access-token --target-org admin --json`).
    pub commands: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SfFailure {
    /// `sf` is not on `PATH`.
    NotInstalled,
    /// `--offline`: the CLI would contact the org to refresh the token.
    Offline,
    TimedOut {
        command: String,
        seconds: u64,
    },
    /// The CLI answered with an error, or with something that is not its JSON.
    Failed {
        command: String,
        reason: String,
    },
}

impl fmt::Display for SfFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SfFailure::NotInstalled => f.write_str("the sf CLI (`sf`) is not installed or not on PATH"),
            SfFailure::Offline => f.write_str("not asked for a token (--offline): the sf CLI would contact the org"),
            SfFailure::TimedOut { command, seconds } => write!(f, "`{command}` gave no answer within {seconds} s"),
            SfFailure::Failed { command, reason } => write!(f, "`{command}` failed: {reason}"),
        }
    }
}

/// Gets `target`'s access token and instance URL from the sf CLI.
pub fn admin_session(target: &str, sf: &SfCommand, stored: &StoredAdmin) -> SfRun {
    let mut commands = Vec::new();
    let outcome = get_session(target, sf, stored, &mut commands);
    SfRun { target: target.to_string(), outcome, commands }
}

fn get_session(
    target: &str,
    sf: &SfCommand,
    stored: &StoredAdmin,
    commands: &mut Vec<String>,
) -> Result<AdminSession, SfFailure> {
    let show = ["org", "auth", "show-access-token", "--target-org", target, "--json"];
    let display = ["org", "display", "--target-org", target, "--json"];
    let first = run(sf, &show, &[], commands).and_then(|out| token_from_show(&out).map_err(|e| failed(&show, e)));
    let token = match first {
        Ok(token) => token,
        Err(failure @ (SfFailure::NotInstalled | SfFailure::TimedOut { .. })) => return Err(failure),
        // An sf older than plugin-org 5.11.0 has no show-access-token; its display shows the token.
        Err(first_failure) => {
            let out = run(sf, &display, &[("SF_TEMP_SHOW_SECRETS", "true")], commands)?;
            return session::session_from_org_display(&out).map_err(|e| match first_failure {
                SfFailure::Failed { command, reason } => {
                    SfFailure::Failed { command, reason: format!("{reason}; `{}` then: {e}", shown(&display)) }
                }
                other => other,
            });
        }
    };
    let (instance_url, username) = match &stored.instance_url {
        Some(url) => (url.clone(), stored.username.clone()),
        None => {
            let out = run(sf, &display, &[], commands)?;
            instance_from_display(&out).map_err(|e| failed(&display, e))?
        }
    };
    let source = match &username {
        Some(name) => format!("sf org auth show-access-token ({name})"),
        None => format!("sf org auth show-access-token ({target})"),
    };
    let mut session = AdminSession::new(&instance_url, token.expose().clone(), source)
        .map_err(|e| SfFailure::Failed { command: shown(&show), reason: e })?;
    session.username = username;
    Ok(session)
}

fn failed(args: &[&str], reason: String) -> SfFailure {
    SfFailure::Failed { command: shown(args), reason }
}

fn shown(args: &[&str]) -> String {
    format!("sf {}", args.join(" "))
}

/// `{"status":0,"result":{"accessToken":"…"}}`.
fn token_from_show(output: &str) -> Result<Secret<String>, String> {
    let result = result_object(output)?;
    let token = result.get("accessToken").and_then(Value::as_str).map(str::trim).unwrap_or_default();
    if token.is_empty() || token.starts_with("[REDACTED]") {
        return Err("its answer holds no access token".into());
    }
    Ok(Secret::new(token.to_string()))
}

/// `result.instanceUrl` and `result.username` of `sf org display --json`; the token is not read.
fn instance_from_display(output: &str) -> Result<(String, Option<String>), String> {
    let result = result_object(output)?;
    let text = |name: &str| result.get(name).and_then(Value::as_str).map(str::to_string);
    let url = text("instanceUrl").ok_or("its answer has no instanceUrl")?;
    Ok((url, text("username")))
}

/// The `result` of the CLI's JSON envelope, or its error as one scrubbed line.
fn result_object(output: &str) -> Result<serde_json::Map<String, Value>, String> {
    let value = session::parse_first_object(output).map_err(|_| {
        let first = scrub(output.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("nothing"));
        format!("it printed no JSON (first line: {})", first.chars().take(160).collect::<String>())
    })?;
    let object = value.as_object().ok_or("its answer is not a JSON object")?;
    if let Some(status) = object.get("status").and_then(Value::as_i64).filter(|s| *s != 0) {
        return Err(session::cli_error_line(object, status));
    }
    object.get("result").and_then(Value::as_object).cloned().ok_or_else(|| "its answer has no result".into())
}

/// Output kept per stream: a token answer is a few hundred bytes.
const OUTPUT_LIMIT: u64 = 1024 * 1024;

/// Runs `sf args` with no stdin and a time limit. Returns stdout, or stderr when the JSON went
/// there (older versions print errors to stderr).
fn run(
    sf: &SfCommand,
    args: &[&str],
    extra_env: &[(&str, &str)],
    commands: &mut Vec<String>,
) -> Result<String, SfFailure> {
    let command = shown(args);
    commands.push(command.clone());
    let mut child = Command::new(&sf.program)
        .args(args)
        .envs(extra_env.iter().copied())
        // No background update, no update notice, errors as JSON on stdout: sf_cli_behaviour.md §0.
        .env("SF_DISABLE_AUTOUPDATE", "true")
        .env("SF_AUTOUPDATE_DISABLE", "true")
        .env("SF_SKIP_NEW_VERSION_CHECK", "true")
        .env("SF_JSON_TO_STDOUT", "true")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => SfFailure::NotInstalled,
            _ => SfFailure::Failed { command: command.clone(), reason: format!("it could not be started ({e})") },
        })?;
    let (sender, receiver) = mpsc::channel();
    for (stream, reader) in [
        (0, child.stdout.take().map(|s| Box::new(s) as Box<dyn Read + Send>)),
        (1, child.stderr.take().map(|s| Box::new(s) as Box<dyn Read + Send>)),
    ] {
        let sender = sender.clone();
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            if let Some(reader) = reader {
                let _ = reader.take(OUTPUT_LIMIT).read_to_end(&mut bytes);
            }
            let _ = sender.send((stream, bytes));
        });
    }
    let deadline = Instant::now() + sf.timeout;
    let timed_out = || SfFailure::TimedOut { command: command.clone(), seconds: sf.timeout.as_secs() };
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(20)),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(timed_out());
            }
        }
    };
    // A process the CLI left behind may still hold the pipes: wait for them only until the deadline.
    let mut streams = [Vec::new(), Vec::new()];
    for _ in 0..2 {
        let left = deadline.saturating_duration_since(Instant::now());
        let (stream, bytes) = receiver.recv_timeout(left).map_err(|_| timed_out())?;
        streams[stream] = bytes;
    }
    let [stdout, stderr] = streams.map(|bytes| String::from_utf8_lossy(&bytes).into_owned());
    if stdout.contains('{') {
        return Ok(stdout);
    }
    if stderr.contains('{') {
        return Ok(stderr);
    }
    if !status.success() {
        let first = [&stderr, &stdout].iter().find_map(|s| s.lines().map(str::trim).find(|l| !l.is_empty()));
        let code = status.code().map_or("a signal".to_string(), |c| format!("code {c}"));
        let said = scrub(first.unwrap_or("no output")).chars().take(160).collect::<String>();
        return Err(SfFailure::Failed { command, reason: format!("it exited with {code}: {said}") });
    }
    Ok(stdout)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    /// A fake `sf`: a shell script that prints what the test wants for each subcommand.
    fn fake_sf(dir: &std::path::Path, body: &str) -> SfCommand {
        use std::os::unix::fs::PermissionsExt;
        let path = dir.join("sf");
        std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        SfCommand { program: path, timeout: Duration::from_secs(5) }
    }

    const TOKEN: &str = "00D000000000001EAA!AQ4AQFakeAdminTokenForTests0123456789";

    #[test]
    fn the_token_from_show_access_token_and_the_url_from_the_stored_login() {
        let dir = tempfile::tempdir().unwrap();
        let sf = fake_sf(
            dir.path(),
            &format!(r#"[ "$3" = show-access-token ] && echo '{{"status":0,"result":{{"accessToken":"{TOKEN}"}}}}'"#),
        );
        let stored = StoredAdmin {
            username: Some("admin@acme.com".into()),
            instance_url: Some("https://acme.my.salesforce.com".into()),
        };
        let run = admin_session("admin", &sf, &stored);
        let session = run.outcome.unwrap();
        assert_eq!(session.token.expose(), TOKEN);
        assert_eq!(session.instance_url, "https://acme.my.salesforce.com");
        assert_eq!(session.source, "sf org auth show-access-token (admin@acme.com)");
        assert_eq!(run.commands, ["sf org auth show-access-token --target-org admin --json"]);
    }

    #[test]
    fn an_older_sf_falls_back_to_org_display() {
        let dir = tempfile::tempdir().unwrap();
        let sf = fake_sf(
            dir.path(),
            &format!(
                r#"if [ "$2" = display ] && [ "$SF_TEMP_SHOW_SECRETS" = true ]; then
  echo '{{"status":0,"result":{{"accessToken":"{TOKEN}","instanceUrl":"https://acme.my.salesforce.com","username":"admin@acme.com"}}}}'
else echo 'Error: command org:auth:show-access-token not found' >&2; exit 127; fi"#
            ),
        );
        let run = admin_session("admin", &sf, &StoredAdmin::default());
        assert_eq!(run.outcome.unwrap().username.as_deref(), Some("admin@acme.com"));
        assert_eq!(run.commands.len(), 2);
    }

    #[test]
    fn failures_are_named_and_never_show_the_token() {
        let dir = tempfile::tempdir().unwrap();
        let missing = SfCommand { program: dir.path().join("no-sf-here"), timeout: Duration::from_secs(1) };
        assert_eq!(admin_session("a", &missing, &StoredAdmin::default()).outcome.unwrap_err(), SfFailure::NotInstalled);

        let error = fake_sf(
            dir.path(),
            &format!(
                r#"echo '{{"status":1,"name":"NamedOrgNotFoundError","message":"No authorization information found for a. {TOKEN}"}}'; exit 1"#
            ),
        );
        let failure = admin_session("a", &error, &StoredAdmin::default()).outcome.unwrap_err().to_string();
        assert!(failure.contains("NamedOrgNotFoundError") && !failure.contains("AQ4AQ"), "{failure}");

        let noise = fake_sf(dir.path(), &format!("echo 'Warning: update available {TOKEN}'"));
        let failure = admin_session("a", &noise, &StoredAdmin::default()).outcome.unwrap_err().to_string();
        assert!(failure.contains("printed no JSON") && !failure.contains("AQ4AQ"), "{failure}");

        let mut slow = fake_sf(dir.path(), "exec sleep 20");
        slow.timeout = Duration::from_millis(300);
        let started = Instant::now();
        let failure = admin_session("a", &slow, &StoredAdmin::default()).outcome.unwrap_err();
        assert!(matches!(failure, SfFailure::TimedOut { .. }), "{failure:?}");
        assert!(started.elapsed() < Duration::from_secs(5), "took {:?}", started.elapsed());
    }
}
