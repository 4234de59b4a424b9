//! `sfjwt doctor --all` and `--config <file>`: many logins at once.
//!
//! Each login is diagnosed exactly as `sfjwt doctor --target-org <username>` (or `sfjwt doctor`
//! with the entry's flags) would, on a bounded number of threads (`--jobs`), each with its own
//! time-out; a login that cannot be diagnosed becomes a row that says why, and the others go on.
//! The report is one table, then the details of the failing logins.

pub mod config;
pub mod logins;
pub mod model;
pub mod progress;

use std::{
    io::IsTerminal,
    sync::mpsc,
    time::{Duration, Instant},
};

use clap::ArgMatches;

use crate::{
    cli::{DoctorArgs, Format},
    diagnosis, engine,
    error::Error,
    evidence::{self, Evidence},
    inputs::{Inputs, Source},
    levels::Overrides,
    redact,
    report::Report,
    sf_inputs,
    sf_state::Context,
};
use logins::{Login, Origin, Todo};
use model::{LoginRow, LoginStatus, Reports, TopCause};

/// Logins diagnosed at once by default. Each waits on the network almost all the time (signing
/// takes milliseconds), so the bound is about connections, not cores: a team's logins fit in one
/// round trip, and a larger fleet goes in waves.
pub const DEFAULT_JOBS: u16 = 32;

/// Diagnoses every login and builds the report; the caller renders it.
pub fn diagnose_all(args: &DoctorArgs, matches: &ArgMatches) -> Result<(Reports, Vec<String>), Error> {
    let mut notes = logins::check_flags(matches)?;
    // A bad -D/-W/-A is the user's, once, not every login's.
    Overrides::parse(&args.deny, &args.warn, &args.allow).map_err(Error::usage)?;
    let ctx = sf_inputs::process_context();
    let entries = match &args.config {
        Some(path) => Some((path.clone(), config::read(path)?)),
        None => None,
    };
    let mut logins: Vec<Login> = Vec::new();
    if args.all {
        // A stored login a --config entry builds on is diagnosed once, as the entry.
        let covered: Vec<String> = entries
            .iter()
            .flat_map(|(_, entries)| entries.iter().filter_map(|e| e.target_org.as_deref()))
            .map(|name| crate::sf_state::lookup(&ctx, name).username)
            .collect();
        let stored = logins::stored(args, &ctx, &covered);
        if stored.is_empty() && entries.is_none() {
            let place = ctx.sfdx_dir().map_or("the home directory".into(), |dir| dir.display().to_string());
            return Err(Error::usage(format!("--all: the sf CLI has no stored logins in {place}"))
                .suggest("log in with `sf org login jwt`, or list logins in a file with --config <file>"));
        }
        logins.extend(stored);
    }
    if let Some((path, entries)) = entries {
        logins.extend(logins::listed(args, &path, entries));
    }
    if logins.iter().all(|login| matches!(login.todo, Todo::Skip(_))) {
        notes.push("no JWT login to diagnose: every login listed was skipped".into());
    }
    let deadline = login_deadline(args.timeout);
    let progress = progress::Progress::new(logins.iter().map(Login::label).collect());
    let show = matches!(args.format(), Format::Text | Format::Markdown)
        && std::io::stderr().is_terminal()
        && std::env::var("TERM").map_or(true, |t| t != "dumb");
    let outcomes = progress.show_while(show, &mut std::io::stderr(), || {
        crate::parallel::map_bounded(&logins, usize::from(args.jobs), |index, login| {
            progress.started(index);
            let outcome = diagnose_login(login, matches, &ctx, deadline);
            progress.finished(index);
            outcome
        })
    });
    let mut identities = Vec::new();
    let rows = logins
        .iter()
        .zip(outcomes)
        .map(|(login, outcome)| {
            if let Ok(done) = &outcome.result {
                identities.extend(done.identities.iter().cloned());
            }
            row(login, outcome, args)
        })
        .collect();
    if args.redact_identities {
        // Skipped and undiagnosed logins have no evidence, but their usernames are in the table.
        identities.extend(logins.iter().filter_map(|login| login.username.clone()).filter(|u| u.len() > 2));
    }
    let now = logins_now();
    identities.sort_by_key(|name: &String| std::cmp::Reverse(name.len()));
    identities.dedup();
    Ok((Reports::new(rows, args.jobs, crate::checks::date(now), notes), identities))
}

/// One login's time-out: its token requests (sent at once, [`crate::probe::MAX_IN_FLIGHT`] at a
/// time, so at most two rounds of `--timeout` for the sf CLI's longest plan) and a margin for
/// reading files and signing.
pub fn login_deadline(timeout: Duration) -> Duration {
    2 * timeout + Duration::from_secs(2)
}

/// What diagnosing one login gave.
struct Outcome {
    result: Result<Diagnosed, String>,
    elapsed: Duration,
}

/// What the table needs from one login's evidence, taken before the evidence goes.
struct Diagnosed {
    report: Report,
    host: String,
    username: Option<String>,
    cert_not_after: Option<i64>,
    /// The "now" it was judged at (`SFJWT_NOW` pins it).
    now: i64,
    identities: Vec<String>,
}

fn diagnose_login(login: &Login, matches: &ArgMatches, ctx: &Context, deadline: Duration) -> Outcome {
    let started = Instant::now();
    let result = match &login.todo {
        Todo::Skip(reason) => Err(reason.clone()),
        Todo::Diagnose { args, listed } => with_deadline(deadline, {
            let (args, listed, matches, ctx) = (args.clone(), listed.clone(), matches.clone(), ctx.clone());
            move || diagnose(&args, &matches, &ctx, listed.as_deref()).map_err(|e| e.to_string())
        }),
    };
    Outcome { result, elapsed: started.elapsed() }
}

/// Runs `work` on a thread of its own and waits at most `deadline` for it. A login that hangs (a
/// certificate path that is a FIFO, a stalled network disk) is left behind, still running, and
/// the run goes on; the process exits without waiting for it. A panic becomes the login's error.
fn with_deadline<T: Send + 'static>(
    deadline: Duration,
    work: impl FnOnce() -> Result<T, String> + Send + 'static,
) -> Result<T, String> {
    let (send, receive) = mpsc::channel();
    let spawned = std::thread::Builder::new().name("sfjwt-login".into()).stack_size(8 << 20).spawn(move || {
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)).unwrap_or_else(|_| {
            let message = engine::take_last_panic().unwrap_or_else(|| "unknown panic".into());
            Err(format!("sfjwt failed while diagnosing it: {message}"))
        });
        let _ = send.send(result);
    });
    if let Err(e) = spawned {
        return Err(format!("sfjwt could not start a thread for it: {e}"));
    }
    match receive.recv_timeout(deadline) {
        Ok(result) => result,
        Err(mpsc::RecvTimeoutError::Timeout) => Err(format!(
            "no result within {} s (its time-out: twice --timeout, plus 2 s); something it reads or calls hangs",
            deadline.as_secs()
        )),
        Err(mpsc::RecvTimeoutError::Disconnected) => Err("sfjwt failed while diagnosing it".into()),
    }
}

/// The pipeline of `sfjwt doctor`, for one login: inputs, evidence, checks, diagnosis, report.
fn diagnose(args: &DoctorArgs, matches: &ArgMatches, ctx: &Context, listed: Option<&str>) -> Result<Diagnosed, Error> {
    let overrides = Overrides::parse(&args.deny, &args.warn, &args.allow).map_err(Error::usage)?;
    let mut inputs = Inputs::resolve_in(args, matches, ctx)?;
    if let Some(entry) = listed {
        credit_entry(&mut inputs, args, entry);
    }
    let evidence = evidence::gather(inputs)?;
    let runs = engine::run_all(&evidence);
    let mut causes = diagnosis::diagnose(&runs, &evidence);
    overrides.apply(&mut causes);
    let report = Report::build(&evidence, &runs, &causes);
    Ok(Diagnosed {
        report,
        host: host_of(&evidence),
        username: evidence.inputs.username.as_ref().map(|u| u.value.clone()),
        cert_not_after: evidence.cert.as_ref().and_then(|c| c.parsed()).map(|c| c.not_after.unix_timestamp()),
        now: evidence.inputs.now,
        identities: if args.redact_identities { identities(&evidence) } else { Vec::new() },
    })
}

/// What `--redact-identities` masks in one login's report: as for `doctor`, its usernames and
/// ids, and the consumer key, which names the org's app.
fn identities(evidence: &Evidence) -> Vec<String> {
    let mut identities = redact::identities(evidence);
    identities.extend(evidence.inputs.client_id.as_ref().map(|c| c.value.clone()));
    identities
}

/// The inputs a `--config` entry gave say so, instead of naming the flag they travelled in.
fn credit_entry(inputs: &mut Inputs, args: &DoctorArgs, entry: &str) {
    let source = || Source::LoginList(entry.to_string());
    if let (Some(_), Some(client_id)) = (&args.client_id, &mut inputs.client_id) {
        client_id.source = source();
    }
    if let (Some(_), Some(key)) = (&args.jwt_key_file, &mut inputs.key) {
        key.source = source();
    }
    if let (Some(_), Some(username)) = (&args.username, &mut inputs.username) {
        username.source = source();
    }
    if args.instance_url.is_some() {
        inputs.instance_url.source = source();
    }
    if let (Some(_), Some(audience)) = (&args.audience, &mut inputs.audience) {
        audience.source = source();
    }
    if let (Some(_), Some(cert)) = (&args.cert, &mut inputs.cert) {
        cert.source = source();
    }
}

fn host_of(evidence: &Evidence) -> String {
    match &evidence.host.url {
        Ok(url) => url.base(),
        Err(_) => evidence.host.raw.clone(),
    }
}

fn row(login: &Login, outcome: Outcome, args: &DoctorArgs) -> LoginRow {
    let source = match &login.origin {
        Origin::Stored => "the sf CLI's stored login".to_string(),
        Origin::Listed { file, index } => format!("entry {} of {}", index + 1, file.display()),
    };
    let mut row = LoginRow {
        label: login.label(),
        alias: login.alias.clone(),
        username: login.username.clone(),
        host: None,
        source,
        status: LoginStatus::Skipped,
        top_cause: None,
        cert_expiry: None,
        cert_days_left: None,
        reason: None,
        elapsed_ms: outcome.elapsed.as_millis() as u64,
        report: None,
    };
    match (outcome.result, &login.todo) {
        (Err(reason), Todo::Skip(_)) => row.reason = Some(reason),
        (Err(reason), Todo::Diagnose { .. }) => {
            row.status = LoginStatus::NotDiagnosed;
            row.reason = Some(reason);
        }
        (Ok(done), _) => {
            let now = done.now;
            row.status = done.report.exit_code(args.fail_on).into();
            row.host = Some(done.host);
            row.username = row.username.or(done.username);
            row.top_cause = done.report.causes.first().map(|cause| TopCause {
                id: cause.id,
                severity: cause.severity,
                title: cause.title.clone(),
            });
            row.cert_expiry = done.cert_not_after.map(crate::checks::date);
            row.cert_days_left = done.cert_not_after.map(|end| (end - now).div_euclid(86_400));
            row.report = Some(done.report);
        }
    }
    row
}

/// The run's "now", as each login's inputs read it (`SFJWT_NOW` pins it for tests).
fn logins_now() -> i64 {
    std::env::var("SFJWT_NOW").ok().and_then(|v| v.parse().ok()).unwrap_or_else(crate::clock::unix_now)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_login_that_hangs_or_panics_becomes_its_own_error_and_the_run_goes_on() {
        crate::engine::install_panic_hook();
        let started = std::time::Instant::now();
        let hung = with_deadline(Duration::from_millis(200), || -> Result<(), String> {
            std::thread::sleep(Duration::from_secs(30));
            Ok(())
        });
        assert!(hung.unwrap_err().starts_with("no result within 0 s"));
        assert!(started.elapsed() < Duration::from_secs(10), "the deadline, not the work, ends the wait");
        let panicked = with_deadline(Duration::from_secs(10), || -> Result<(), String> { panic!("boom") });
        assert!(panicked.unwrap_err().contains("sfjwt failed while diagnosing it: boom"));
        assert_eq!(with_deadline(Duration::from_secs(10), || Ok(7)), Ok(7));
    }
}
