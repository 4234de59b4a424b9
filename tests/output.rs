//! The words around the cause (issue 12) and untrusted text (issue 10, class 3): fix commands
//! that a shell runs and that never write over an input, reports without internal names or
//! placeholders that fit a screen, control characters and Markdown that cannot escape, and the
//! edges of the command line. The fix steps run in `sh` (with `openssl` when installed;
//! otherwise a stand-in with its file behaviour runs the steps).

use std::{
    collections::BTreeSet,
    path::{Path, PathBuf},
    process::{Command, Stdio},
};

use crate::support::files::set_mode;
use crate::support::{CLIENT_ID, Test, fixture_path, formats};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn doctor(args: &[&str]) -> Test {
    Test::new().arg("doctor").args(args)
}

const NOT_APPROVED: &str = r#"{"error":"invalid_grant","error_description":"user hasn't approved this consumer"}"#;

/// Client id, username, key and certificate; `extra` pairs replace or add flags.
fn setup(key: &str, cert: Option<&str>, extra: &[&str]) -> Vec<String> {
    let mut pairs: Vec<(String, String)> = vec![
        ("--client-id".into(), CLIENT_ID.into()),
        ("--username".into(), "ci@example.com".into()),
        ("--jwt-key-file".into(), format!("fixtures/{key}")),
    ];
    pairs.extend(cert.map(|c| ("--cert".into(), format!("fixtures/{c}"))));
    for pair in extra.chunks(2) {
        match pairs.iter_mut().find(|(flag, _)| flag == pair[0]) {
            Some(existing) => existing.1 = pair[1].to_string(),
            None => pairs.push((pair[0].to_string(), pair[1].to_string())),
        }
    }
    pairs.into_iter().flat_map(|(f, v)| [f, v]).collect()
}

struct Scenario {
    name: String,
    args: Vec<String>,
    env: Vec<(&'static str, String)>,
}

impl Scenario {
    /// `sfjwt doctor --offline --format <format>` with the scenario's flags and environment.
    fn test(&self, format: &str) -> Test {
        let test = Test::new().args(["doctor", "--offline", "--format", format]).args(&self.args);
        self.env.iter().fold(test, |test, (name, value)| test.env(name, value))
    }
}

fn scenario(name: &str, args: Vec<String>) -> Scenario {
    Scenario { name: name.into(), args, env: Vec::new() }
}

const KEY: &str = "keys/rsa2048.pkcs8.pem";
const CERT: Option<&str> = Some("certs/rsa2048.crt");

/// The fixture scenarios: every offline cause, the common answers, the app metadata, and a key
/// from the environment.
fn scenarios() -> Vec<Scenario> {
    let mut all = Vec::new();
    let keys = [
        "keys/empty.pem",
        "keys/mangled/literal-newlines.pem",
        "keys/mangled/quoted-literal-newlines.pem",
        "keys/mangled/one-line.pem",
        "keys/mangled/base64-of-pem.txt",
        "keys/mangled/no-armor.txt",
        "keys/mangled/truncated.pem",
        "keys/mangled/bad-der.pem",
        "keys/rsa2048.der",
        "certs/rsa2048.crt",
        "keys/rsa2048.public.pem",
        "keys/rsa2048.encrypted-pkcs8.pem",
        "keys/ec-p256.pem",
        "keys/rsa1024.pem",
        "keys/does-not-exist.pem",
    ];
    for key in keys {
        all.push(scenario(key, setup(key, CERT, &[])));
    }
    for cert in ["certs/expired.crt", "certs/not-yet-valid.crt", "certs/ec-p256.crt", "certs/rsa2048-other.crt"] {
        all.push(scenario(cert, setup(KEY, Some(cert), &[])));
    }
    all.push(scenario("cert is the key", setup(KEY, Some(KEY), &[])));
    all.push(scenario("cert missing", setup(KEY, Some("certs/none.crt"), &[])));
    for jwt in [
        "two-segments",
        "hs256",
        "alg-none",
        "other-key",
        "no-iss",
        "iss-url",
        "no-sub",
        "sub-user-id",
        "aud-sub-swapped",
        "no-aud",
        "aud-my-domain",
        "aud-test",
        "no-exp",
        "expired",
        "timezone-shift",
        "too-short",
        "milliseconds",
        "exp-string",
        "standard-base64",
    ] {
        let extra = ["--assertion".to_string(), format!("@fixtures/assertions/{jwt}.jwt")];
        all.push(scenario(jwt, [setup(KEY, CERT, &[]), extra.to_vec()].concat()));
    }
    let hosts: [&[&str]; 8] = [
        &["--instance-url", "acme.my.salesforce.com"],
        &["--instance-url", "https://acme.lightning.force.com"],
        &["--instance-url", "http://login.salesforce.com"],
        &["--instance-url", "https://login.salesforce.co"],
        &["--username", "ci@acme.com.uat"],
        &["--instance-url", "https://acme--uat.sandbox.my.salesforce.com", "--username", "ci@acme.com.qa2"],
        &["--instance-url", "https://acme--uat.my.salesforce.com", "--username", "ci@acme.com.uat"],
        &["--instance-url", "https://acme.my.salesforce.com", "--username", "ci@acme.com.uat"],
    ];
    for extra in hosts {
        all.push(scenario(&extra.join(" "), setup(KEY, CERT, extra)));
    }
    for (name, aud) in
        [("aud lightning", "https://acme.lightning.force.com"), ("aud my domain", "https://acme.my.salesforce.com")]
    {
        all.push(scenario(name, setup(KEY, CERT, &["--audience", aud])));
    }
    // Answers, as the token endpoint or the sf CLI gave them.
    let answers = [
        NOT_APPROVED.to_string(),
        r#"{"error":"invalid_client_id","error_description":"client identifier invalid"}"#.into(),
        r#"{"error":"invalid_grant","error_description":"invalid assertion"}"#.into(),
        r#"{"error":"invalid_grant","error_description":"audience is invalid"}"#.into(),
        r#"{"error":"invalid_grant","error_description":"expired authorization code"}"#.into(),
        r#"{"error":"invalid_app_access","error_description":"user is not admin approved to access this app"}"#.into(),
        r#"{"error":"invalid_grant","error_description":"ip restricted"}"#.into(),
        r#"{"error":"inactive_user","error_description":"user is inactive"}"#.into(),
        r#"{"error":"rate_limit_exceeded","error_description":"number of logins exceeded"}"#.into(),
        r#"{"error":"invalid_client","error_description":"invalid client credentials"}"#.into(),
        "External client app is not installed in this org".into(),
        "Error: this org is locked".into(),
    ];
    for (index, answer) in answers.into_iter().enumerate() {
        all.push(scenario(
            &format!("answer {index}"),
            [setup(KEY, CERT, &[]), vec!["--error".into(), answer]].concat(),
        ));
    }
    let captured = Path::new(ROOT).join("tests/fixtures/captured/sf-cli-2.146");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&captured).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    for file in files.iter().filter(|f| f.is_file()) {
        let arg = format!("@{}", file.strip_prefix(ROOT).unwrap().display());
        all.push(scenario(&arg, [setup(KEY, CERT, &[]), vec!["--error".into(), arg.clone()]].concat()));
    }
    for app in [
        "connected-app-healthy",
        "connected-app-high-assurance",
        "connected-app-no-cert",
        "connected-app-self-authorize",
        "eca-jwt-disabled",
        "eca-plugin-disabled",
        "malformed",
    ] {
        let extra =
            ["--connected-app".to_string(), format!("fixtures/metadata/{app}"), "--error".into(), NOT_APPROVED.into()];
        all.push(scenario(app, [setup(KEY, None, &[]), extra.to_vec()].concat()));
    }
    let pem = std::fs::read_to_string(fixture_path(KEY)).unwrap();
    let base64 = std::fs::read_to_string(fixture_path("keys/mangled/base64-of-pem.txt")).unwrap();
    for (name, value) in [("key in SFJWT_KEY", pem.clone()), ("base64 key in SFJWT_KEY", base64)] {
        let mut args = setup(KEY, CERT, &["--username", "ci@acme.com.uat"]);
        args.drain(4..6); // no --jwt-key-file
        all.push(Scenario { name: name.into(), args, env: vec![("SFJWT_KEY", value)] });
    }
    let literal = pem.replace('\n', "\\n");
    let mut args = setup(KEY, CERT, &[]);
    args.drain(4..6);
    all.push(Scenario { name: "mangled key in SFJWT_KEY".into(), args, env: vec![("SFJWT_KEY", literal)] });
    all
}

/// The programs a suggested command starts with.
const PROGRAMS: &[&str] = &[
    "base64", "cat", "chmod", "cp", "curl", "date", "echo", "export", "gh", "grep", "head", "ls", "mv", "nslookup",
    "openssl", "printf", "sf", "sfdx", "sfjwt", "sudo", "test", "umask", "xmllint", "awk", "tr",
];

/// The commands in a line of report text: code spans that start with a program, a subshell or
/// an assignment.
fn commands(text: &str) -> Vec<String> {
    text.split('`')
        .skip(1)
        .step_by(2)
        .filter(|span| {
            let first = span.split_whitespace().next().unwrap_or("");
            let assignment = first.contains('=') && first.chars().next().is_some_and(|c| c.is_ascii_uppercase());
            span.starts_with('(') || assignment || PROGRAMS.contains(&first)
        })
        .map(str::to_string)
        .collect()
}

/// sh's words of a command (quotes removed, operators as their own words), enough to find what
/// it writes.
fn words(command: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut chars = command.chars().peekable();
    let flush = |word: &mut String, words: &mut Vec<String>| {
        if !word.is_empty() {
            words.push(std::mem::take(word));
        }
    };
    while let Some(c) = chars.next() {
        match c {
            '\'' => word.extend(chars.by_ref().take_while(|&c| c != '\'')),
            '"' => {
                while let Some(c) = chars.next() {
                    match c {
                        '"' => break,
                        '\\' => word.extend(chars.next()),
                        c => word.push(c),
                    }
                }
            }
            '\\' => word.extend(chars.next()),
            ' ' | '\t' => flush(&mut word, &mut words),
            '>' | '<' | '|' | '(' | ')' | ';' | '&' => {
                flush(&mut word, &mut words);
                let mut op = c.to_string();
                if chars.peek() == Some(&c) || (c == '>' && chars.peek() == Some(&'&')) {
                    op.push(chars.next().unwrap());
                }
                words.push(op);
            }
            c => word.push(c),
        }
    }
    flush(&mut word, &mut words);
    words
}

/// The files a command writes: after `>`, `>>`, `-out`, `tee`, and the target of `cp`/`mv`.
fn writes(command: &str) -> Vec<String> {
    let words = words(command);
    let mut targets = Vec::new();
    for (i, word) in words.iter().enumerate() {
        if matches!(word.as_str(), ">" | ">>" | "-out" | "tee") {
            targets.extend(words.get(i + 1).cloned());
        }
        if matches!(word.as_str(), "cp" | "mv") {
            let end = words[i..]
                .iter()
                .position(|w| ["&&", "|", ";", ")"].contains(&w.as_str()))
                .map_or(words.len(), |p| i + p);
            targets.extend(words.get(end - 1).cloned());
        }
    }
    targets.retain(|t| t != "/dev/null" && t != "&1");
    targets
}

/// Every input file a scenario names that exists.
fn input_files(args: &[String]) -> BTreeSet<PathBuf> {
    args.iter()
        .map(|a| Path::new(ROOT).join(a.trim_start_matches('@')))
        .filter(|p| p.is_file())
        .map(|p| p.canonicalize().unwrap())
        .collect()
}

fn sh_parses(command: &str) -> Result<(), String> {
    let out = Command::new("sh").args(["-n", "-c", command]).output().expect("sh runs");
    if out.status.success() { Ok(()) } else { Err(String::from_utf8_lossy(&out.stderr).trim().to_string()) }
}

#[test]
fn every_fix_command_runs_names_no_label_and_writes_no_input() {
    let mut problems = Vec::new();
    let mut checked = 0;
    for s in scenarios() {
        let report = s.test("json").run().json();
        let inputs = input_files(&s.args);
        for cause in report["causes"].as_array().unwrap() {
            for step in cause["fix"].as_array().unwrap() {
                let step = step.as_str().unwrap();
                for command in commands(step) {
                    checked += 1;
                    let at = format!("{} / {}: `{command}`", s.name, cause["id"]);
                    if let Err(e) = sh_parses(&command) {
                        problems.push(format!("{at}: sh -n: {e}"));
                    }
                    for label in
                        ["env SFJWT_KEY", "stdin", "(not shown)", "the --error text", "inline", "<consumer key>"]
                    {
                        if command.contains(label) {
                            problems.push(format!("{at}: names the label `{label}`"));
                        }
                    }
                    for target in writes(&command) {
                        let path = Path::new(ROOT).join(&target);
                        if path.canonicalize().is_ok_and(|p| inputs.contains(&p)) {
                            problems.push(format!("{at}: writes over the input {target}"));
                        }
                    }
                }
            }
        }
    }
    assert!(checked > 300, "only {checked} commands were checked");
    assert!(problems.is_empty(), "{} problem(s):\n{}", problems.len(), problems.join("\n"));
}

/// Names that only the code knows: enum variants, Debug output, stale notes.
const INTERNAL: &[&str] = &[
    "PlainText",
    "SfCliJson",
    "SfCliText",
    "TokenJson",
    "HttpTranscript",
    "LegacySfdx",
    "ClientLibrary",
    "Other(\"",
    "Some(",
    "None)",
    "Status::",
    "needs cert.file",
    "needs key.file",
    "does not analyse connected app metadata yet",
    "| Skip |",
    "| Pass |",
    "| Fail |",
];

#[test]
fn no_report_holds_an_internal_name_or_a_placeholder() {
    let summary_dir = tempfile::tempdir().unwrap();
    let mut problems = Vec::new();
    for s in scenarios() {
        for &format in formats() {
            let mut text = s.test(format).run().stdout;
            if format == "text" {
                text.push_str(&s.test("text").arg("-v").run().stdout);
            }
            if format == "github" {
                let summary = summary_dir.path().join("summary.md");
                // The runner creates the summary file; sfjwt only appends to it.
                if !summary.exists() {
                    std::fs::write(&summary, "").unwrap();
                }
                s.test("github").env("GITHUB_STEP_SUMMARY", &summary).run();
                text.push_str(&std::fs::read_to_string(&summary).unwrap_or_default());
            }
            for name in INTERNAL {
                if text.contains(name) {
                    problems.push(format!("{} ({format}): `{name}`", s.name));
                }
            }
            let placeholder = text.split('{').skip(1).find(|rest| {
                let name: String = rest.chars().take_while(|c| c.is_ascii_lowercase() || *c == '_').collect();
                !name.is_empty() && rest[name.len()..].starts_with('|')
            });
            if let Some(rest) = placeholder {
                problems.push(format!("{} ({format}): unfilled placeholder {{{}", s.name, &rest[..rest.len().min(40)]));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

fn real_openssl() -> bool {
    Command::new("openssl").arg("version").output().is_ok_and(|o| o.status.success())
}

/// A stand-in for `openssl` where it is not installed, with the file behaviour that makes a step
/// harmful: `-out` is truncated before `-in` (or `-key`) is read, as openssl does, and output goes
/// to stdout otherwise.
const OPENSSL_STAND_IN: &str = r#"#!/bin/sh
out=""; in=""
while [ $# -gt 0 ]; do
  case "$1" in -out) out="$2"; shift ;; -in|-key) in="$2"; shift ;; esac
  shift
done
[ -n "$out" ] && : > "$out"
if [ -n "$in" ]; then data=$(cat "$in") || exit 1; [ -n "$data" ] || exit 1; fi
if [ -n "$out" ]; then echo "made from $in" >> "$out"; else echo "made from $in"; fi
"#;

/// The PATH the steps run with: the stand-in first when openssl is missing.
fn steps_path(dir: &Path) -> std::ffi::OsString {
    let path = std::env::var_os("PATH").unwrap_or_default();
    if real_openssl() {
        return path;
    }
    let bin = dir.join(".bin");
    std::fs::create_dir_all(&bin).unwrap();
    let stand_in = bin.join("openssl");
    std::fs::write(&stand_in, OPENSSL_STAND_IN).unwrap();
    set_mode(&stand_in, 0o755);
    let mut paths = vec![bin];
    paths.extend(std::env::split_paths(&path));
    std::env::join_paths(paths).unwrap()
}

/// Runs a fix's file-writing commands (openssl, the repairs) in `dir`, skipping those that need a
/// network or a Salesforce login.
fn run_local_steps(dir: &Path, fix: &[serde_json::Value]) -> Vec<String> {
    let path = steps_path(dir);
    let mut ran = Vec::new();
    for step in fix {
        for command in commands(step.as_str().unwrap()) {
            let first = command.trim_start_matches('(').split_whitespace().next().unwrap_or("").to_string();
            let local = ["openssl", "set", "test", "awk", "tr", "base64", "head", "ls"].contains(&first.as_str());
            if local && !command.contains("sf ") && !command.contains("gh ") && !command.contains('$') {
                let _ = Command::new("sh")
                    .args(["-c", &command])
                    .current_dir(dir)
                    .env("PATH", &path)
                    .stdin(Stdio::null())
                    .output();
                ran.push(command);
            }
        }
    }
    ran
}

/// A scenario in a folder of its own, with fixture files copied under the names given.
fn in_folder(files: &[(&str, &str)], args: &[&str]) -> (tempfile::TempDir, serde_json::Value) {
    let dir = tempfile::tempdir().unwrap();
    for (fixture, name) in files {
        std::fs::copy(fixture_path(fixture), dir.path().join(name)).unwrap();
    }
    let out = Test::offline_json().current_dir(dir.path()).args(["--client-id", CLIENT_ID]).args(args).run();
    (dir, out.json())
}

fn fix_of(report: &serde_json::Value, id: &str) -> Vec<serde_json::Value> {
    let cause = report["causes"].as_array().unwrap().iter().find(|c| c["id"] == id);
    cause.unwrap_or_else(|| panic!("no {id}: {report}"))["fix"].as_array().unwrap().clone()
}

fn bytes(dir: &Path, name: &str) -> Vec<u8> {
    std::fs::read(dir.join(name)).unwrap()
}

/// `openssl <args>` succeeds on a file the steps made; with the stand-in, that the file is there
/// and not empty.
fn openssl_ok(dir: &Path, args: &[&str]) -> bool {
    if !real_openssl() {
        let file = args.iter().position(|a| *a == "-in").map(|i| dir.join(args[i + 1]));
        return file.is_some_and(|f| std::fs::metadata(f).is_ok_and(|m| m.len() > 0));
    }
    Command::new("openssl").args(args).current_dir(dir).output().is_ok_and(|o| o.status.success())
}

/// Fact-check row 1: a DER key named server.key used to be converted with `-in server.key -out
/// server.key`, which leaves it empty.
#[test]
fn converting_a_der_key_named_server_key_keeps_it() {
    let (dir, report) =
        in_folder(&[("keys/rsa2048.der", "server.key")], &["--username", "ci@example.com", "-f", "server.key"]);
    let before = bytes(dir.path(), "server.key");
    let ran = run_local_steps(dir.path(), &fix_of(&report, "key.der-format"));
    assert!(!ran.is_empty());
    assert_eq!(bytes(dir.path(), "server.key"), before, "the input key changed; ran {ran:?}");
    assert!(openssl_ok(dir.path(), &["pkey", "-in", "server.fixed.key", "-noout"]), "ran {ran:?}");
}

/// Fact-check row 2: with the private key given as --cert, the certificate used to be written
/// over it (`-key server.key -out server.key`, or `-out server.crt` over a key named server.crt).
#[test]
fn making_a_certificate_never_replaces_the_key_given_as_the_certificate() {
    for (key_name, cert_name) in [("server.key", "server.key"), ("server.key", "server.crt")] {
        let (dir, report) = in_folder(
            &[("keys/rsa2048.pkcs8.pem", key_name), ("keys/rsa2048.pkcs8.pem", cert_name)],
            &["--username", "ci@example.com", "-f", key_name, "--cert", cert_name],
        );
        let before = bytes(dir.path(), cert_name);
        let ran = run_local_steps(dir.path(), &fix_of(&report, "cert.not-certificate"));
        assert_eq!(bytes(dir.path(), cert_name), before, "{cert_name} changed; ran {ran:?}");
        assert_eq!(bytes(dir.path(), key_name), before, "{key_name} changed; ran {ran:?}");
        let made = if cert_name == "server.crt" { "server.new.crt" } else { "server.crt" };
        assert!(openssl_ok(dir.path(), &["x509", "-in", made, "-noout"]), "no {made}; ran {ran:?}");
    }
}

/// Fact-check row 1 (key.mangled) and row 2 (pair.key-cert-mismatch, key.not-rsa): repairs and
/// new files go to new names, and a file already there stops the command instead of being lost.
#[test]
fn repairs_and_new_pairs_leave_every_existing_file_alone() {
    let (dir, report) = in_folder(
        &[("keys/mangled/literal-newlines.pem", "server.key")],
        &["--username", "ci@example.com", "-f", "server.key"],
    );
    let key = bytes(dir.path(), "server.key");
    run_local_steps(dir.path(), &fix_of(&report, "key.mangled"));
    assert!(openssl_ok(dir.path(), &["pkey", "-in", "server.fixed.key", "-noout"]), "the repair did not work");
    assert_eq!(bytes(dir.path(), "server.key"), key);

    let (dir, report) = in_folder(
        &[("keys/rsa2048.pkcs8.pem", "server.key"), ("certs/rsa2048-other.crt", "server.crt")],
        &["--username", "ci@example.com", "-f", "server.key", "--cert", "server.crt"],
    );
    let (key, cert) = (bytes(dir.path(), "server.key"), bytes(dir.path(), "server.crt"));
    run_local_steps(dir.path(), &fix_of(&report, "pair.key-cert-mismatch"));
    assert_eq!((bytes(dir.path(), "server.key"), bytes(dir.path(), "server.crt")), (key, cert));
    assert!(openssl_ok(dir.path(), &["x509", "-in", "server.new.crt", "-noout"]));

    // A file that is not an input but already exists: the step refuses instead of replacing it.
    let (dir, report) =
        in_folder(&[("keys/ec-p256.pem", "server.key")], &["--username", "ci@example.com", "-f", "server.key"]);
    std::fs::write(dir.path().join("server.new.key"), "keep me").unwrap();
    run_local_steps(dir.path(), &fix_of(&report, "key.not-rsa"));
    assert_eq!(bytes(dir.path(), "server.new.key"), b"keep me");
}

#[test]
fn a_key_from_the_environment_is_written_to_a_file_first_and_values_are_quoted() {
    let pem = std::fs::read_to_string(fixture_path(KEY)).unwrap();
    let out = Test::offline_json().args(["-i", CLIENT_ID, "-o", "ci o'neil@acme.com.uat"]).env("SFJWT_KEY", &pem).run();
    let report = out.json();
    let fix = fix_of(&report, "host.environment-mismatch");
    let first = fix[0].as_str().unwrap();
    assert!(first.contains(r#"printf '%s\n' "$SFJWT_KEY" > server.key"#), "{first}");
    let login = fix.iter().filter_map(|s| s.as_str()).find(|s| s.contains("sf org login jwt")).unwrap();
    assert!(
        login.contains(r"--username 'ci o'\''neil@acme.com.uat' --instance-url https://test.salesforce.com"),
        "{login}"
    );
    assert!(login.contains(&format!("--client-id {CLIENT_ID}")), "the consumer key is whole: {login}");
    // The sandbox and production slots each get their own value.
    let hosts = fix_of(&report, "host.environment-mismatch")[1].as_str().unwrap().to_string();
    assert!(
        hosts.contains("`--instance-url https://test.salesforce.com` for a sandbox")
            && hosts.contains("`--instance-url https://login.salesforce.com` for production"),
        "{hosts}"
    );
}

#[test]
fn known_my_domain_and_sandbox_names_are_filled_in() {
    let args = setup(KEY, CERT, &["--instance-url", "https://acme.my.salesforce.com", "--username", "ci@acme.com.uat"]);
    let out = Test::offline_json().args(&args).run();
    let step = out.json()["causes"][0]["fix"][0].as_str().unwrap().to_string();
    assert!(
        step.contains("https://acme--uat.sandbox.my.salesforce.com") && step.contains("https://acme.my.salesforce.com"),
        "{step}"
    );
    assert!(!step.contains("<MyDomainName>"), "{step}");
}

/// The five situations users hit most, at 100 columns.
#[test]
fn the_common_failures_fit_a_screen() {
    let not_approved = setup(KEY, CERT, &["--error", NOT_APPROVED]);
    let sandbox_user = setup(
        KEY,
        CERT,
        &["--username", "ci@acme.com.uat", "-r", "https://login.salesforce.com", "--error", NOT_APPROVED],
    );
    let offline = |mut args: Vec<String>| {
        args.push("--offline".into());
        args
    };
    let mangled = offline(setup("keys/mangled/literal-newlines.pem", CERT, &[]));
    let mismatch = offline(setup(KEY, Some("certs/rsa2048-other.crt"), &[]));
    let client_id = setup(
        KEY,
        CERT,
        &["--error", r#"{"error":"invalid_client_id","error_description":"client identifier invalid"}"#],
    );
    for (name, args) in [
        ("not approved", not_approved),
        ("not approved, sandbox user", sandbox_user),
        ("key mangled", mangled),
        ("key/cert mismatch", mismatch),
        ("invalid_client_id", client_id),
    ] {
        let out = Test::new().args(["doctor", "--color", "never"]).args(&args).run();
        assert_eq!(out.code, 1, "{name}: {}", out.stderr);
        let screen: usize = out.stdout.lines().map(|l| l.chars().count().div_ceil(100).max(1)).sum();
        assert!(screen <= 33, "{name}: {screen} lines at 100 columns:\n{}", out.stdout);
        let verbose = Test::new().args(["doctor", "--color", "never", "-v"]).args(&args).run();
        assert!(verbose.stdout.lines().count() > out.stdout.lines().count() + 10, "{name}: -v shows more");
        // An answer is quoted once, and no fix step is repeated.
        let steps: Vec<&str> =
            out.stdout.lines().filter(|l| l.trim_start().starts_with(char::is_numeric) && l.contains("`")).collect();
        let distinct: BTreeSet<&str> =
            steps.iter().map(|l| l.trim_start().split_once(". ").map_or(*l, |(_, s)| s)).collect();
        assert_eq!(distinct.len(), steps.len(), "{name}: a step is repeated:\n{}", out.stdout);
        assert!(
            out.stdout.matches("invalid_grant: user hasn't approved this consumer").count() <= 1,
            "{name}:\n{}",
            out.stdout
        );
    }
}

/// Issue 10, class 3: what an input or an answer holds cannot drive the terminal or a document,
/// whatever --color says. Fails if a renderer stops making control characters visible.
#[test]
fn control_characters_from_inputs_and_answers_are_shown_not_emitted() {
    let planted = "ci\u{1b}]0;owned\u{7}\u{1b}[2J\u{9b}31m\u{202e}@example.com";
    let answer =
        format!(r#"{{"error":"invalid_grant","error_description":"user hasn't approved \u001b[8m{planted}"}}"#);
    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("summary.md");
    // The runner creates the summary file; sfjwt only appends to it.
    std::fs::write(&summary, "").unwrap();
    for &format in formats() {
        for color in ["always", "never"] {
            let output = dir.path().join(format!("{format}-{color}.out"));
            let out =
                doctor(&["--format", format, "--color", color, "-i", CLIENT_ID, "-o", planted, "--error", &answer])
                    .args(["--output"])
                    .arg(&output)
                    .env("GITHUB_STEP_SUMMARY", &summary)
                    .run();
            let written = std::fs::read_to_string(&output).unwrap();
            for (what, text) in [("--output", &written), ("stderr", &out.stderr)] {
                for bad in ['\u{7}', '\u{9b}', '\u{202e}'] {
                    assert!(!text.contains(bad), "{format} {color} {what}: {bad:?} emitted:\n{text}");
                }
                // Colour is sfjwt's own SGR (`ESC [ digits m`); no other escape gets through.
                for (at, _) in text.match_indices('\u{1b}') {
                    let sgr = text[at + 1..].starts_with('[')
                        && text[at + 2..].chars().take_while(|c| *c != 'm').all(|c| c.is_ascii_digit() || c == ';');
                    assert!(
                        sgr && color == "always" && format == "text",
                        "{format} {color} {what}: escape at {at}:\n{text}"
                    );
                }
            }
            if ["text", "json", "markdown"].contains(&format) {
                assert!(written.contains("owned"), "{format}: the text itself is kept, made visible");
            }
        }
    }
    let summary = std::fs::read_to_string(&summary).unwrap();
    assert!(!summary.contains('\u{1b}') && !summary.contains('\u{9b}'), "{summary}");
}

/// Markdown cannot be broken out of: a value cannot start a heading, close a fence, add a table
/// row, a link or HTML.
#[test]
fn markdown_output_cannot_be_broken_out_of() {
    let username = "ci@example.com\n# Injected heading\n| x | y |\n<img src=x onerror=alert(1)>[link](http://evil)`";
    let answer = "Error: user hasn't approved this consumer\n```\n# After the fence\n</details>";
    let out = doctor(&["--format", "markdown", "-i", CLIENT_ID, "-o", username, "--error", answer]).run();
    let md = out.stdout;
    for line in md.lines() {
        assert!(!line.starts_with("# Injected") && !line.starts_with("# After"), "a planted heading: {line}");
        let text = outside_code(line).replace("\\<", "").replace("\\[", "");
        assert!(!text.contains("<img") && !text.contains("</details>"), "raw HTML: {line}");
        assert!(!text.contains("[link](http://evil)"), "a planted link: {line}");
    }
    // Every table row has as many cells as its header.
    let mut columns = None;
    for line in md.lines() {
        if !line.starts_with('|') {
            columns = None;
            continue;
        }
        let cells = line.replace("\\|", "").matches('|').count();
        match columns {
            None => columns = Some(cells),
            Some(n) => assert_eq!(cells, n, "a table row was broken: {line}"),
        }
    }
    // Fences open and close in pairs.
    let fences = md.lines().filter(|l| l.starts_with("```")).count();
    assert_eq!(fences % 2, 0, "{md}");
}

/// A line of Markdown without its code spans (a span opens and closes with equal backtick runs).
fn outside_code(line: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(open) = rest.find('`') {
        out.push_str(&rest[..open]);
        let run = rest[open..].chars().take_while(|c| *c == '`').count();
        let fence = "`".repeat(run);
        let after = &rest[open + run..];
        match after.find(&fence) {
            Some(close) => rest = &after[close + run..],
            None => return out + after,
        }
    }
    out + rest
}

#[test]
fn the_edges_say_what_happened() {
    let none = doctor(&[]).current_dir(std::env::temp_dir()).run();
    assert_eq!(none.code, 2);
    assert!(none.stderr.contains("nothing to check") && none.stderr.contains("--jwt-key-file"), "{}", none.stderr);

    let ids = Test::new().arg("explain").run();
    assert_eq!(ids.code, 0);
    assert!(ids.stdout.contains("key.mangled") && ids.stdout.contains("approval.missing"), "{}", ids.stdout);

    let explain = Test::new().args(["explain", "approval.self-authorize-not-approved"]).run();
    assert!(
        !explain.stdout.contains("{username|")
            && explain.stdout.contains("sf org login web --client-id <consumer key>")
    );
    assert!(!explain.stdout.contains("/services/oauth2/authorize?"), "the bare approval URL is gone");

    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.txt");
    std::fs::write(&empty, "").unwrap();
    let captured =
        doctor(&["--format", "json", "-o", "ci@example.com", "--error", &format!("@{}", empty.display())]).run();
    assert_eq!(captured.code, 1);
    assert_eq!(captured.json()["causes"][0]["id"], "capture.unusable");
    let metadata = doctor(&[
        "--offline",
        "--format",
        "json",
        "-o",
        "ci@example.com",
        "--connected-app",
        &empty.display().to_string(),
    ])
    .run();
    assert_eq!(metadata.code, 1, "{}", metadata.stdout);
    assert_eq!(metadata.json()["causes"][0]["severity"], "error");

    let output = dir.path().join("new/folder/report.txt");
    let notes = doctor(&[
        "--offline",
        "-o",
        "ci@example.com",
        "--wait",
        "5m",
        "--try-audiences",
        "--timeout",
        "5s",
        "-d",
        "-s",
        "-a",
        "ci",
        "--output",
        &output.display().to_string(),
    ])
    .run();
    assert_eq!(notes.code, 0, "{}", notes.stderr);
    let text = std::fs::read_to_string(&output).unwrap();
    for says in
        ["--wait did nothing", "--try-audiences did nothing", "ignored --set-default-dev-hub, --set-default, --alias"]
    {
        assert!(text.contains(says), "{says}:\n{text}");
    }
    for legacy in ["--setdefaultdevhubusername", "--setdefaultusername", "--setalias"] {
        let args = if legacy == "--setalias" { vec![legacy, "ci"] } else { vec![legacy] };
        let out = doctor(&["--offline", "-o", "ci@example.com"]).args(args).run();
        assert_eq!(out.code, 0, "{legacy}: {}", out.stderr);
    }

    let typo = doctor(&["--instanceur", "x"]).run();
    assert_eq!(typo.code, 2);
    assert!(typo.stderr.contains("did you mean `--instance-url`?"), "{}", typo.stderr);
}

#[test]
fn the_man_page_documents_every_command_and_option() {
    let page = Test::new().arg("man").run().stdout.replace("\\-", "-");
    let help = |args: &[&str]| Test::new().args(args).run().stdout;
    for command in ["doctor", "checks", "explain", "completions", "man"] {
        assert!(page.contains(&format!("SFJWT {}", command.to_uppercase())), "no section for {command}");
        for line in help(&[command, "--help"]).lines() {
            let Some(flag) = line.split_whitespace().find(|w| w.starts_with("--") && w.len() > 2) else { continue };
            let flag = flag.trim_end_matches([',', ']']).split(['=', '<', '[']).next().unwrap();
            assert!(page.contains(flag), "`sfjwt man` lacks {command} {flag}");
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let out = Test::new().args(["man", "--dir"]).arg(dir.path().join("man")).run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    for page in ["sfjwt.1", "sfjwt-doctor.1", "sfjwt-explain.1"] {
        assert!(dir.path().join("man").join(page).is_file(), "{page}");
    }
    let all = Test::new().args(["man", "--all"]).run().stdout;
    assert!(all.matches(".TH").count() >= 6, "one page per command");
}
