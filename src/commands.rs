//! The subcommands: `doctor`, `checks`, `explain`. Each returns the process exit code.

use std::{
    ffi::OsString,
    fmt::Write as _,
    io::{IsTerminal, Write},
    time::{Duration, Instant},
};

use clap::{CommandFactory, FromArgMatches};

use crate::{
    catalog,
    cli::{ChecksArgs, Cli, ColorChoice, Command, DoctorArgs, ExplainArgs, Format, ListFormat},
    diagnosis, engine,
    error::{self, Error, Exit},
    evidence,
    inputs::Inputs,
    levels::Overrides,
    redact,
    registry::{self, CHECKS},
    render,
    report::Report,
};

/// Runs one command line and gives the process exit code.
pub fn run(args: impl IntoIterator<Item = OsString>) -> u8 {
    let args: Vec<OsString> = args.into_iter().collect();
    let matches = match Cli::command().try_get_matches_from(&args) {
        Ok(matches) => matches,
        Err(e) => {
            if let Some(message) = env_error(&e, &args) {
                return error::report(&Error::usage(message));
            }
            let _ = e.print();
            return if e.use_stderr() { Exit::Usage } else { Exit::Healthy }.into();
        }
    };
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return Exit::Usage.into();
        }
    };
    let result = match cli.command {
        Command::Doctor(args) => doctor(&args, matches.subcommand_matches("doctor").expect("doctor matches")),
        Command::Setup(args) => crate::setup::run(&args),
        Command::Checks(args) => list_checks(&args),
        Command::Explain(args) => explain(&args),
        Command::Completions(args) => {
            let mut command = Cli::command();
            let mut out = Vec::new();
            clap_complete::generate(args.shell, &mut command, "sfjwt", &mut out);
            print(&String::from_utf8_lossy(&out)).map(|()| Exit::Healthy)
        }
        Command::Man => {
            let mut out = Vec::new();
            clap_mangen::Man::new(Cli::command())
                .render(&mut out)
                .map_err(|e| Error::Internal { message: format!("cannot render the man page: {e}") })
                .and_then(|()| print(&String::from_utf8_lossy(&out)))
                .map(|()| Exit::Healthy)
        }
    };
    match result {
        Ok(exit) => exit.into(),
        Err(e) => error::report(&e),
    }
}

/// Clap blames a flag for a bad value that came from its environment variable, and "one or more
/// arguments" for an environment variable that is not UTF-8: name the variable instead.
fn env_error(error: &clap::Error, args: &[OsString]) -> Option<String> {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    let command = Cli::command();
    let doctor = command.find_subcommand("doctor")?;
    let from_env = |arg: &clap::Arg| {
        let name = arg.get_env()?;
        let value = std::env::var_os(name)?;
        let long = format!("--{}", arg.get_long()?);
        let on_command_line =
            args.iter().any(|a| a.to_str().is_some_and(|a| a == long || a.starts_with(&format!("{long}="))));
        (!on_command_line).then(|| (name.to_string_lossy().into_owned(), value))
    };
    match error.kind() {
        ErrorKind::InvalidUtf8 => {
            doctor.get_arguments().filter_map(from_env).find(|(_, value)| value.to_str().is_none()).map(|(name, _)| {
                format!("the environment variable {name} is not valid UTF-8 text: set it to plain text or unset it")
            })
        }
        ErrorKind::InvalidValue | ErrorKind::ValueValidation => {
            let Some(ContextValue::String(flag)) = error.get(ContextKind::InvalidArg) else { return None };
            let long = flag.split_whitespace().next()?.trim_start_matches('-');
            let arg = doctor.get_arguments().find(|arg| arg.get_long() == Some(long))?;
            let (name, _) = from_env(arg)?;
            let rendered = error.render().to_string();
            let first = rendered.lines().next()?.trim_start_matches("error: ");
            Some(format!("{first} (the value comes from the environment variable {name})"))
        }
        _ => None,
    }
}

fn doctor(args: &DoctorArgs, matches: &clap::ArgMatches) -> Result<Exit, Error> {
    let overrides = Overrides::parse(&args.deny, &args.warn, &args.allow).map_err(Error::usage)?;
    let inputs = Inputs::resolve(args, matches)?;
    let mut evidence = evidence::gather(inputs)?;
    let started = Instant::now();
    let mut retries = 0u32;
    let (runs, causes) = loop {
        let runs = engine::run_all(&evidence);
        let mut causes = diagnosis::diagnose(&runs, &evidence);
        overrides.apply(&mut causes);
        let transient_on_top = causes.first().is_some_and(|c| c.entry.transient);
        let live = matches!(evidence.probe, evidence::ProbeEvidence::Done(_));
        match args.wait {
            Some(limit) if transient_on_top && live && started.elapsed() < limit => {
                let remaining = limit.saturating_sub(started.elapsed());
                std::thread::sleep(backoff(limit, retries).min(remaining));
                evidence::reprobe(&mut evidence);
                retries += 1;
            }
            _ => break (runs, causes),
        }
    };
    // `--diff` prints the changes `--fix` would make, instead of the report (as ruff's does).
    if args.diff {
        let (text, exit) = crate::fix::run(&evidence, &causes, crate::fix::Mode::Diff);
        print(&text)?;
        return Ok(exit);
    }
    let mut report = Report::build(&evidence, &runs, &causes);
    if let Some(limit) = args.wait
        && retries > 0
    {
        let waited = started.elapsed().as_secs();
        let still = causes.first().is_some_and(|c| c.entry.transient);
        report.notes.push(if still {
            format!(
                "--wait {}s: retried {retries} times over {waited} s; the transient cause is still there",
                limit.as_secs()
            )
        } else {
            format!(
                "--wait {}s: retried {retries} times; the transient cause cleared after {waited} s",
                limit.as_secs()
            )
        });
    }
    let identities = if args.redact_identities { redact::identities(&evidence) } else { Vec::new() };
    let finish = |text: String| redact::identities_in(&text, &identities);
    let to_terminal = args.output.is_none() && std::io::stdout().is_terminal();
    let rendered = match args.format() {
        Format::Text => {
            let color = use_color(args.color, to_terminal);
            colored::control::set_override(color);
            render::text::render(&report, &render::text::Style { color, verbose: args.verbose })
        }
        Format::Json => render::json::render(&report),
        Format::Markdown => render::markdown::render(&report),
        Format::Junit => render::junit::render(&report),
        Format::Github => render::github::render(&report),
    };
    if args.format() == Format::Github
        && let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty())
        && let Err(e) = append(std::path::Path::new(&path), &finish(render::github::summary(&report)))
    {
        eprintln!("warning: cannot append the job summary to GITHUB_STEP_SUMMARY: {e}");
    }
    if let Some(dir) = &args.report {
        let written = write_bundle(dir, &report, &finish).map_err(|source| Error::Write {
            what: "the support bundle",
            path: dir.clone(),
            source,
        })?;
        eprintln!("sfjwt: support bundle written: {}", written.join(", "));
    }
    if let Some(path) = &args.output {
        std::fs::write(path, finish(rendered)).map_err(|source| Error::Write {
            what: "the report",
            path: path.clone(),
            source,
        })?;
    } else {
        print(&finish(rendered))?;
    }
    if args.fix {
        // After the report: on stdout with it as text, on stderr beside a machine-readable one.
        let (text, exit) = crate::fix::run(&evidence, &causes, crate::fix::Mode::Apply);
        if args.format() == Format::Text && args.output.is_none() {
            print(&format!("\n{text}"))?;
        } else {
            eprint!("{text}");
        }
        if exit != Exit::Healthy {
            return Ok(exit);
        }
    }
    Ok(report.exit_code(args.fail_on))
}

fn append(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    let mut file = std::fs::OpenOptions::new().create(true).append(true).open(path)?;
    file.write_all(text.as_bytes())
}

/// `<timestamp>-sfjwt.json` and `<timestamp>-sfjwt.md`, ready to attach to a ticket.
fn write_bundle(
    dir: &std::path::Path,
    report: &Report,
    finish: &dyn Fn(String) -> String,
) -> std::io::Result<Vec<String>> {
    std::fs::create_dir_all(dir)?;
    let stamp: String = report.generated_at.chars().filter(char::is_ascii_digit).collect();
    let stamp = format!("{}T{}Z", &stamp[..8.min(stamp.len())], &stamp[8.min(stamp.len())..]);
    let mut written = Vec::new();
    for (extension, text) in [("json", render::json::render(report)), ("md", render::markdown::render(report))] {
        let path = dir.join(format!("{stamp}-sfjwt.{extension}"));
        std::fs::write(&path, finish(text))?;
        written.push(path.display().to_string());
    }
    Ok(written)
}

/// Exponential steps from a twentieth of the wait (at least 250 ms), capped at 30 s.
fn backoff(limit: Duration, retries: u32) -> Duration {
    let base = (limit / 20).max(Duration::from_millis(250));
    (base * 2u32.saturating_pow(retries.min(8))).min(Duration::from_secs(30))
}

/// `--color`, then NO_COLOR (https://no-color.org), then whether stdout is a terminal.
fn use_color(choice: ColorChoice, to_terminal: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            to_terminal
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::env::var("TERM").map_or(true, |t| t != "dumb")
        }
    }
}

/// Writes to stdout; a closed pipe (`sfjwt … | head`) is not an error, any other failure is.
fn print(text: &str) -> Result<(), Error> {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(Error::Write { what: "the report", path: "standard output".into(), source: e })
        }
        _ => Ok(()),
    }
}

fn list_checks(args: &ChecksArgs) -> Result<Exit, Error> {
    let out = match args.format {
        ListFormat::Json => {
            let checks: Vec<_> = CHECKS
                .iter()
                .map(|c| serde_json::json!({ "id": c.id, "group": c.group, "title": c.title, "reads": c.reads, "needs": c.needs, "causes": c.emits }))
                .collect();
            serde_json::to_string_pretty(&checks).unwrap_or_default() + "\n"
        }
        ListFormat::Markdown => {
            let mut out = String::from("| check | group | what it checks | causes |\n|---|---|---|---|\n");
            for c in CHECKS {
                let causes: Vec<String> = c.emits.iter().map(|id| format!("`{id}`")).collect();
                let _ = writeln!(out, "| `{}` | {} | {} | {} |", c.id, c.group.title(), c.title, causes.join(", "));
            }
            out
        }
        ListFormat::Text => {
            let mut out = String::new();
            let mut group = None;
            for c in CHECKS {
                if group != Some(c.group) {
                    let _ = writeln!(out, "{}{}", if group.is_some() { "\n" } else { "" }, c.group.title());
                    group = Some(c.group);
                }
                let _ = writeln!(out, "  {:<22} {}", c.id, c.title);
                let _ = writeln!(out, "  {:<22} reads: {}", "", c.reads);
                let _ = writeln!(
                    out,
                    "  {:<22} causes: {}",
                    "",
                    c.emits.iter().map(|id| id.as_str()).collect::<Vec<_>>().join(", ")
                );
            }
            out
        }
    };
    print(&out)?;
    Ok(Exit::Healthy)
}

fn explain(args: &ExplainArgs) -> Result<Exit, Error> {
    let id = args.id.trim();
    if let Some(entry) = catalog::find(id) {
        let reported_by: Vec<&str> = CHECKS.iter().filter(|c| c.emits.contains(&entry.id)).map(|c| c.id).collect();
        let mut out = format!("# {} ({})\n\n", entry.title, entry.id);
        let _ = writeln!(
            out,
            "Severity: {} · transient: {} · reported by: {}\n",
            render::severity_word(entry.severity),
            if entry.transient { "yes" } else { "no" },
            if reported_by.is_empty() { "-".to_string() } else { reported_by.join(", ") }
        );
        let body = entry.markdown.split_once("\n---\n").map_or(entry.markdown, |(_, body)| body);
        out.push_str(body.trim());
        out.push('\n');
        if !entry.symptoms.is_empty() {
            let _ = writeln!(out, "\n## What Salesforce or the sf CLI prints\n");
            for symptom in &entry.symptoms {
                let _ = writeln!(out, "- `{symptom}`");
            }
        }
        if !entry.references.is_empty() {
            let _ = writeln!(out, "\n## References\n");
            for reference in &entry.references {
                let _ = writeln!(out, "- {reference}");
            }
        }
        print(&out)?;
        return Ok(Exit::Healthy);
    }
    if let Some(check) = registry::find(id) {
        let mut out = format!(
            "# {} ({})\n\nGroup: {} · reads: {}\n\nCauses it can report:\n",
            check.title,
            check.id,
            check.group.title(),
            check.reads
        );
        for cause in check.emits {
            let title = &catalog::get(*cause).title;
            let _ = writeln!(out, "- {cause}: {title}");
        }
        print(&out)?;
        return Ok(Exit::Healthy);
    }
    let known = catalog::all().iter().map(|e| e.id.as_str()).chain(CHECKS.iter().map(|c| c.id));
    let suggestions = catalog::suggest(id, known);
    let hint = if suggestions.is_empty() {
        "run `sfjwt checks` to list the checks and the causes they report".to_string()
    } else {
        format!("did you mean {}?", suggestions.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", "))
    };
    Err(Error::usage(format!("unknown cause or check id `{id}`")).suggest(hint))
}
