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
    cli::{ChecksArgs, Cli, ColorChoice, Command, DoctorArgs, ExplainArgs, Format, ListFormat, ManArgs},
    diagnosis, engine,
    error::{self, Error, Exit},
    evidence,
    inputs::Inputs,
    levels::Overrides,
    output, redact,
    registry::{self, CHECKS},
    render,
    report::Report,
    scrub::scrub,
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
            if let Some(error) = unknown_flag(&e, &args) {
                return error::report(&error);
            }
            print_clap_error(&e);
            return if e.use_stderr() { Exit::Usage } else { Exit::Healthy }.into();
        }
    };
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => {
            print_clap_error(&e);
            return Exit::Usage.into();
        }
    };
    let result = match cli.command {
        Command::Doctor(args) if args.many() => {
            doctor_all(&args, matches.subcommand_matches("doctor").expect("doctor matches"))
        }
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
        Command::Man(args) => man(&args),
    };
    match result {
        Ok(exit) => exit.into(),
        Err(e) => error::report(&e),
    }
}

/// Help and version go to stdout as clap prints them; an error quotes the value it refused, which
/// may be a secret given to the wrong flag, so it is scrubbed first.
fn print_clap_error(error: &clap::Error) {
    if error.use_stderr() {
        eprint!("{}", scrub(&error.render().to_string()));
    } else {
        let _ = error.print();
    }
}

/// An unknown flag, with the nearest one by its main name: `--instanceur` suggests
/// `--instance-url` even though the alias `--instanceurl` is nearer, since the main name is the one
/// the docs use.
fn unknown_flag(error: &clap::Error, args: &[OsString]) -> Option<Error> {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    if error.kind() != ErrorKind::UnknownArgument {
        return None;
    }
    let Some(ContextValue::String(given)) = error.get(ContextKind::InvalidArg) else { return None };
    let given = given.split('=').next().unwrap_or(given);
    let long = given.strip_prefix("--")?;
    let mut command = Cli::command();
    command.build();
    let sub = args.iter().skip(1).filter_map(|a| a.to_str()).find(|a| !a.starts_with('-'));
    let command = sub.and_then(|name| command.find_subcommand(name)).unwrap_or(&command);
    // Every long name and alias, each mapped to the flag's main name.
    let names: Vec<(String, String)> = command
        .get_arguments()
        .filter(|arg| !arg.is_hide_set())
        .filter_map(|arg| {
            let main = arg.get_long()?;
            let aliases = arg.get_all_aliases().unwrap_or_default();
            Some(std::iter::once(main).chain(aliases).map(move |name| (name.to_string(), main.to_string())))
        })
        .flatten()
        .collect();
    let mut mains: Vec<&str> = Vec::new();
    for best in catalog::suggest(long, names.iter().map(|(name, _)| name.as_str())) {
        let main = &names.iter().find(|(name, _)| name == best)?.1;
        if !mains.contains(&main.as_str()) {
            mains.push(main);
        }
    }
    let message = format!("unknown flag `{given}`");
    Some(match mains.first() {
        Some(main) => Error::usage(message).suggest(format!("did you mean `--{main}`?")),
        None => Error::usage(message).suggest("`sfjwt help` lists the flags"),
    })
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
    if inputs.is_empty() {
        return Err(Error::usage(
            "nothing to check: no key, username, client id, captured error or other input was given",
        )
        .suggest(
            "pass what you give `sf org login jwt` (--client-id, --jwt-key-file, --username, --instance-url), \
                 or --error with the failure you have; `sfjwt doctor --help` lists every input",
        ));
    }
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
        // A diff's context lines can hold a secret (a connected app's consumerSecret): masked.
        print(&scrub(&text))?;
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
    report.notes.extend(ignored_flags(args, &evidence));
    let mut identities = if args.redact_identities { redact::identities(&evidence) } else { Vec::new() };
    // Under --redact-identities the consumer key goes too: it names the org's app.
    if args.redact_identities
        && let Some(client_id) = &evidence.inputs.client_id
    {
        identities.push(client_id.value.clone());
    }
    let finish = |text: String| redact::identities_in(&text, &identities);
    let rendered = match args.format() {
        Format::Text => render::text::render(&report, &text_style(args)),
        Format::Json => render::json::render(&report),
        Format::Markdown => render::markdown::render(&report),
        Format::Junit => render::junit::render(&report),
        Format::Github => render::github::render(&report),
    };
    let mut failures = Vec::new();
    if let Some(dir) = &args.report {
        match write_bundle(dir, &report, &finish) {
            Ok(written) => eprintln!("sfjwt: support bundle written: {}", scrub(&written.join(", "))),
            Err(source) => failures.push(Error::Write { what: "the support bundle", path: dir.clone(), source }),
        }
    }
    deliver(args, finish(rendered), || finish(render::github::summary(&report)), failures)?;
    if args.fix {
        // After the report: on stdout with it as text, on stderr beside a machine-readable one.
        let (text, exit) = crate::fix::run(&evidence, &causes, crate::fix::Mode::Apply);
        // Fixes quote paths and values from the inputs: masked like everything else shown.
        let text = scrub(&text);
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

/// `doctor --all` and `--config`: every login, one table, the worst exit code.
fn doctor_all(args: &DoctorArgs, matches: &clap::ArgMatches) -> Result<Exit, Error> {
    let (reports, identities) = crate::all::diagnose_all(args, matches)?;
    let finish = |text: String| redact::identities_in(&text, &identities);
    let rendered = match args.format() {
        Format::Text => render::table::text(&reports, &text_style(args)),
        Format::Json => render::table::json(&reports),
        Format::Markdown => render::table::markdown(&reports),
        Format::Junit => render::table::junit(&reports),
        Format::Github => render::table::github(&reports),
    };
    deliver(args, finish(rendered), || finish(render::table::github_summary(&reports)), Vec::new())?;
    Ok(reports.exit_code())
}

/// The text report's style: colour by `--color`, `NO_COLOR` and whether stdout is a terminal.
fn text_style(args: &DoctorArgs) -> render::text::Style {
    let to_terminal = args.output.is_none() && std::io::stdout().is_terminal();
    let color = use_color(args.color, to_terminal);
    colored::control::set_override(color);
    render::text::Style { color, verbose: args.verbose }
}

/// Writes the report where `--output` says (a new file) or to stdout, and the job summary under
/// `--format github`. Every write is attempted; any that failed (here or before, in `failures`)
/// makes the run exit 2 with its reason.
fn deliver(
    args: &DoctorArgs,
    report: String,
    summary: impl FnOnce() -> String,
    mut failures: Vec<Error>,
) -> Result<(), Error> {
    match &args.output {
        Some(path) => {
            if let Err(source) = output::write_new(path, &report) {
                failures.push(Error::Write { what: "the report", path: path.clone(), source });
            }
        }
        None => failures.extend(print(&report).err()),
    }
    if args.format() == Format::Github {
        failures.extend(append_summary(&summary()).err());
    }
    match failures.pop() {
        Some(last) => {
            for failure in &failures {
                error::report(failure);
            }
            Err(last)
        }
        None => Ok(()),
    }
}

/// Appends to the job summary when `GITHUB_STEP_SUMMARY` names one.
fn append_summary(text: &str) -> Result<(), Error> {
    let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) else { return Ok(()) };
    let path = std::path::PathBuf::from(path);
    output::append_existing(&path, text).map_err(|source| Error::Write {
        what: "the job summary (GITHUB_STEP_SUMMARY)",
        path,
        source,
    })
}

/// Notes for flags that had no effect: those of `sf org login jwt` that only store the login,
/// and `--wait` and `--try-audiences` when no server was contacted.
fn ignored_flags(args: &DoctorArgs, evidence: &evidence::Evidence) -> Vec<String> {
    let mut notes = Vec::new();
    let given = args.sf_only.given();
    if !given.is_empty() {
        notes.push(format!("ignored {}: sf stores the login, sfjwt stores nothing", given.join(", ")));
    }
    if let evidence::ProbeEvidence::Skipped(reason) = &evidence.probe {
        let why = if args.offline { "--offline contacts no server".to_string() } else { reason.clone() };
        if args.wait.is_some() {
            notes.push(format!("--wait did nothing: {why}"));
        }
        if args.try_audiences {
            notes.push(format!("--try-audiences did nothing: {why}"));
        }
    }
    notes
}

/// `<timestamp>-sfjwt.json` and `<timestamp>-sfjwt.md`, ready to attach to a ticket.
fn write_bundle(
    dir: &std::path::Path,
    report: &Report,
    finish: &dyn Fn(String) -> String,
) -> std::io::Result<Vec<String>> {
    output::create_dir(dir)?;
    let stamp: String = report.generated_at.chars().filter(char::is_ascii_digit).collect();
    let stamp = format!("{}T{}Z", &stamp[..8.min(stamp.len())], &stamp[8.min(stamp.len())..]);
    let mut written = Vec::new();
    for (extension, text) in [("json", render::json::render(report)), ("md", render::markdown::render(report))] {
        let path = dir.join(format!("{stamp}-sfjwt.{extension}"));
        output::write_new(&path, &finish(text))?;
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

/// Writes to stdout; a closed pipe (`sfjwt … | head`) is not an error, any other failure is,
/// including a stdout that was closed before sfjwt started.
fn print(text: &str) -> Result<(), Error> {
    let mut stdout = std::io::stdout().lock();
    let written = output::check_stdout().and_then(|()| stdout.write_all(text.as_bytes())).and_then(|()| stdout.flush());
    match written {
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
    let Some(id) = args.id.as_deref().map(str::trim) else {
        print(&cause_list())?;
        return Ok(Exit::Healthy);
    };
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
        // Placeholders read as their defaults: `server.key`, `<consumer key>`.
        out.push_str(catalog::fill(body, &[]).trim());
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

/// Every cause id with its title, by group, for `sfjwt explain` without an id.
fn cause_list() -> String {
    let mut out =
        String::from("sfjwt explain <id> explains one of these causes (or a check id from `sfjwt checks`):\n");
    let mut group = "";
    for entry in catalog::all() {
        if entry.id.group() != group {
            group = entry.id.group();
            let _ = writeln!(out, "\n{group}");
        }
        let _ = writeln!(out, "  {:<38} {}", entry.id.as_str(), entry.title);
    }
    out
}

/// `sfjwt man`: one page for the whole tool (every command with its options), or with `--all`
/// or `--dir` one page per command.
fn man(args: &ManArgs) -> Result<Exit, Error> {
    let failed = |e: std::io::Error| Error::Internal { message: format!("cannot render the man page: {e}") };
    let mut command = with_aliases(Cli::command().disable_help_subcommand(true));
    command.build();
    if let Some(dir) = &args.dir {
        std::fs::create_dir_all(dir)
            .and_then(|()| clap_mangen::generate_to(with_aliases(Cli::command()), dir))
            .map_err(|source| Error::Write { what: "the man pages", path: dir.clone(), source })?;
        eprintln!("sfjwt: man pages written to {}", dir.display());
        return Ok(Exit::Healthy);
    }
    let mut out = Vec::new();
    if args.all {
        clap_mangen::Man::new(command.clone()).render(&mut out).map_err(failed)?;
        for sub in command.get_subcommands().filter(|s| !s.is_hide_set()) {
            clap_mangen::Man::new(sub.clone()).render(&mut out).map_err(failed)?;
        }
    } else {
        whole_tool_page(&command, &mut out).map_err(failed)?;
    }
    print(&String::from_utf8_lossy(&out))?;
    Ok(Exit::Healthy)
}

/// clap_mangen leaves aliases out; the man page names them in each option's text, as `--help` does.
fn with_aliases(command: clap::Command) -> clap::Command {
    let names: Vec<String> = command.get_subcommands().map(|s| s.get_name().to_string()).collect();
    let mut command = names.iter().fold(command, |command, name| command.mut_subcommand(name, with_aliases));
    let ids: Vec<String> = command.get_arguments().map(|a| a.get_id().to_string()).collect();
    for id in ids {
        command = command.mut_arg(id, |arg| {
            let longs = arg.get_visible_aliases().unwrap_or_default().into_iter().map(|a| format!("--{a}"));
            let shorts = arg.get_visible_short_aliases().unwrap_or_default().into_iter().map(|a| format!("-{a}"));
            let aliases: Vec<String> = longs.chain(shorts).collect();
            if aliases.is_empty() {
                return arg;
            }
            let help = arg.get_help().map(ToString::to_string).unwrap_or_default();
            arg.long_help(format!("{help} [aliases: {}]", aliases.join(", ")))
        });
    }
    command
}

/// The top-level page, then a section per command with its synopsis, description and options
/// (their `.SH` headings demoted to `.SS`).
fn whole_tool_page(command: &clap::Command, out: &mut Vec<u8>) -> std::io::Result<()> {
    let man = clap_mangen::Man::new(command.clone());
    man.render_title(out)?;
    man.render_name_section(out)?;
    man.render_synopsis_section(out)?;
    man.render_description_section(out)?;
    man.render_subcommands_section(out)?;
    for sub in command.get_subcommands().filter(|s| !s.is_hide_set()) {
        let page = clap_mangen::Man::new(sub.clone());
        let mut section = Vec::new();
        page.render_synopsis_section(&mut section)?;
        page.render_description_section(&mut section)?;
        if sub.get_arguments().any(|a| !a.is_hide_set()) {
            page.render_options_section(&mut section)?;
        }
        if sub.get_after_help().is_some() {
            page.render_extra_section(&mut section)?;
        }
        let section = String::from_utf8_lossy(&section).replace(".SH ", ".SS ");
        out.extend_from_slice(format!(".SH \"SFJWT {}\"\n", sub.get_name().to_uppercase()).as_bytes());
        out.extend_from_slice(section.as_bytes());
    }
    if command.get_after_help().is_some() {
        man.render_extra_section(out)?;
    }
    man.render_version_section(out)
}
