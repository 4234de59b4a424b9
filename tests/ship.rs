//! Shipping: the npm packages (built by `npm/build.sh`, packed, installed offline from the
//! tarballs, run through the launcher) and the GitHub Action's script (`action/run.sh`) in a
//! simulated runner. Self-contained: it needs only the sfjwt binary, bash, and node and npm for
//! the npm tests (they say so and pass when node or npm is missing).
#![cfg(unix)]

use std::{
    fs,
    os::unix::process::ExitStatusExt,
    path::{Path, PathBuf},
    process::{Command, Output, Stdio},
    time::{Duration, Instant},
};

use crate::support::files::{mode, set_mode};
use crate::support::{CLIENT_ID, fixture_path};

const BINARY: &str = env!("CARGO_BIN_EXE_sfjwt");

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The doctor's offline quick start, with the README's example client id and user.
fn quick_start(cert: &str) -> Vec<String> {
    let key = fixture_path("example/server.key").display().to_string();
    let cert = fixture_path(cert).display().to_string();
    ["doctor", "--offline", "--client-id", CLIENT_ID, "--jwt-key-file", &key, "--cert", &cert]
        .into_iter()
        .chain(["--username", "ci@example.com"])
        .map(String::from)
        .collect()
}

// ---------------------------------------------------------------------------------------------
// npm

/// The npm platform package for the machine running the tests, when the release builds one.
fn host_platform() -> Option<&'static str> {
    match (std::env::consts::OS, std::env::consts::ARCH, cfg!(target_env = "musl")) {
        ("linux", "x86_64", false) => Some("linux-x64"),
        ("linux", "aarch64", false) => Some("linux-arm64"),
        ("linux", "x86_64", true) => Some("linux-x64-musl"),
        ("linux", "aarch64", true) => Some("linux-arm64-musl"),
        ("macos", "x86_64", _) => Some("darwin-x64"),
        ("macos", "aarch64", _) => Some("darwin-arm64"),
        _ => None,
    }
}

fn have(tool: &str) -> bool {
    Command::new(tool).arg("--version").stdout(Stdio::null()).stderr(Stdio::null()).status().is_ok_and(|s| s.success())
}

/// node and npm, isolated from the user's configuration and cache, never reaching a registry.
struct Npm {
    home: tempfile::TempDir,
}

impl Npm {
    fn new() -> Option<Npm> {
        if !have("node") || !have("npm") {
            eprintln!("skipped: node and npm are not installed");
            return None;
        }
        if host_platform().is_none() {
            eprintln!("skipped: the release builds no npm package for this platform");
            return None;
        }
        Some(Npm { home: tempfile::tempdir().unwrap() })
    }

    fn command(&self, program: &str, dir: &Path) -> Command {
        let mut command = Command::new(program);
        command
            .current_dir(dir)
            .env("HOME", self.home.path())
            .env("npm_config_cache", self.home.path().join("cache"))
            .env("npm_config_offline", "true")
            .env("npm_config_update_notifier", "false")
            .env("npm_config_audit", "false")
            .env("npm_config_fund", "false");
        command
    }

    fn run_status(&self, program: &str, dir: &Path, args: &[&str]) -> Output {
        self.command(program, dir).args(args).output().unwrap()
    }

    fn run(&self, program: &str, dir: &Path, args: &[&str]) -> Output {
        let output = self.run_status(program, dir, args);
        assert!(output.status.success(), "{program} {args:?} failed: {}{}", text(&output.stdout), text(&output.stderr));
        output
    }
}

/// `npm/build.sh` with this test's binary as the host's platform package, in `out`; returns the
/// platform. The binary is stripped first when `strip` is there: a debug build packs slowly.
fn build_packages(out: &Path) -> &'static str {
    let platform = host_platform().unwrap();
    fs::create_dir_all(out).unwrap();
    let binary = out.join("sfjwt-binary");
    fs::copy(BINARY, &binary).unwrap();
    let _ = Command::new("strip").arg(&binary).stderr(Stdio::null()).status();
    let built = Command::new("bash")
        .arg(root().join("npm/build.sh"))
        .arg("--out")
        .arg(out)
        .arg(format!("{platform}={}", binary.display()))
        .output()
        .unwrap();
    assert!(built.status.success(), "npm/build.sh failed: {}", text(&built.stderr));
    platform
}

fn cargo_version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

/// The file names `npm pack --dry-run --json` would put in the package.
fn packed_files(npm: &Npm, dir: &Path) -> Vec<String> {
    let out = npm.run("npm", dir, &["pack", "--dry-run", "--json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut files: Vec<String> =
        json[0]["files"].as_array().unwrap().iter().map(|f| f["path"].as_str().unwrap().to_owned()).collect();
    files.sort();
    files
}

#[test]
fn npm_packages_install_offline_from_their_tarballs_and_run_the_doctor() {
    let Some(npm) = Npm::new() else { return };
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("out");
    let platform = build_packages(&out);

    let launcher: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("sfjwt/package.json")).unwrap()).unwrap();
    assert_eq!(launcher["version"], cargo_version());
    assert_eq!(launcher["bin"]["sfjwt"], "bin/sfjwt");
    let optional = launcher["optionalDependencies"].as_object().unwrap();
    assert_eq!(optional.len(), 7, "linux x64/arm64 glibc and musl, macOS x64/arm64, Windows x64: {optional:?}");
    assert!(optional.values().all(|v| v == cargo_version()), "pinned to this version: {optional:?}");
    let native: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join(platform).join("package.json")).unwrap()).unwrap();
    assert_eq!(native["name"], format!("@sfjwt/{platform}"));
    assert!(native["os"].is_array() && native["cpu"].is_array(), "{native}");

    assert_eq!(
        packed_files(&npm, &out.join("sfjwt")),
        ["LICENSE-APACHE", "LICENSE-MIT", "README.md", "bin/sfjwt", "package.json"]
    );
    assert_eq!(packed_files(&npm, &out.join(platform)), ["README.md", "package.json", "sfjwt"]);

    let tarballs = work.path().join("tarballs");
    fs::create_dir(&tarballs).unwrap();
    for package in ["sfjwt", platform] {
        npm.run("npm", &out.join(package), &["pack", "--pack-destination", tarballs.to_str().unwrap()]);
    }
    let mut packed: Vec<PathBuf> = fs::read_dir(&tarballs).unwrap().map(|e| e.unwrap().path()).collect();
    packed.sort();
    assert_eq!(packed.len(), 2, "{packed:?}");

    // A project that installs both tarballs, offline: the optional dependency resolves from the
    // platform tarball, and the other platforms' packages are skipped without a download.
    let project = work.path().join("project");
    fs::create_dir(&project).unwrap();
    fs::write(project.join("package.json"), r#"{ "name": "ship-test", "private": true }"#).unwrap();
    let mut install = vec!["install", "--offline", "--no-audit", "--no-fund"];
    install.extend(packed.iter().map(|p| p.to_str().unwrap()));
    npm.run("npm", &project, &install);
    let installed = project.join("node_modules/@sfjwt").join(platform).join("sfjwt");
    let mode = mode(&installed);
    assert_eq!(mode & 0o111, 0o111, "the binary stays executable through pack and install: {mode:o}");

    let version = npm.run("npx", &project, &["--offline", "sfjwt", "--version"]);
    assert_eq!(text(&version.stdout).trim(), format!("sfjwt {}", cargo_version()));

    let healthy = npm
        .command("npx", &project)
        .arg("--offline")
        .arg("sfjwt")
        .args(quick_start("example/server.crt"))
        .output()
        .unwrap();
    let stdout = text(&healthy.stdout);
    assert_eq!(healthy.status.code(), Some(0), "{stdout}{}", text(&healthy.stderr));
    assert!(stdout.contains("[+] Private key") && stdout.contains("No issues found"), "{stdout}");

    // The exit code passes through: 1 for an error cause, 2 for a usage error.
    let mismatch = npm
        .command("npx", &project)
        .arg("--offline")
        .arg("sfjwt")
        .args(quick_start("certs/rsa2048-other.crt"))
        .output()
        .unwrap();
    assert_eq!(mismatch.status.code(), Some(1), "{}", text(&mismatch.stdout));
    assert!(text(&mismatch.stdout).contains("pair.key-cert-mismatch"), "{}", text(&mismatch.stdout));
    let usage = npm.run_status("npx", &project, &["--offline", "sfjwt", "doctor", "--no-such-flag"]);
    assert_eq!(usage.status.code(), Some(2));
    assert!(text(&usage.stderr).contains("--no-such-flag"), "{}", text(&usage.stderr));
}

/// The launcher alone, from the built `sfjwt` package, with `process.platform` faked by a preload.
fn launcher_on(npm: &Npm, work: &Path, platform: Option<&str>, args: &[&str]) -> Output {
    let out = work.join("out");
    if !out.exists() {
        build_packages(&out);
    }
    let mut command = npm.command("node", work);
    if let Some(platform) = platform {
        let preload = work.join("platform.js");
        fs::write(&preload, format!("Object.defineProperty(process, 'platform', {{ value: '{platform}' }});")).unwrap();
        command.arg("--require").arg(preload);
    }
    command.arg(out.join("sfjwt/bin/sfjwt")).args(args).output().unwrap()
}

#[test]
fn the_launcher_says_in_one_line_when_no_binary_fits() {
    let Some(npm) = Npm::new() else { return };
    let work = tempfile::tempdir().unwrap();

    let foreign = launcher_on(&npm, work.path(), Some("aix"), &["--version"]);
    let stderr = text(&foreign.stderr);
    assert_eq!(foreign.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    assert!(stderr.starts_with("sfjwt: no prebuilt binary for aix-"), "{stderr}");
    assert!(stderr.contains("linux-x64") && stderr.contains("cargo install sfjwt"), "{stderr}");

    // A supported platform whose optional dependency was left out (--omit=optional).
    let missing = launcher_on(&npm, work.path(), None, &["--version"]);
    let stderr = text(&missing.stderr);
    assert_eq!(missing.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    assert!(stderr.contains(&format!("@sfjwt/{}", host_platform().unwrap())), "{stderr}");
    assert!(stderr.contains("is not installed") && stderr.contains("--omit=optional"), "{stderr}");
}

#[test]
fn the_launcher_passes_a_signal_to_the_binary_and_dies_of_it() {
    let Some(npm) = Npm::new() else { return };
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("out");
    let platform = build_packages(&out);
    // Where the launcher looks for its platform package: node_modules beside it.
    let modules = out.join("sfjwt/node_modules/@sfjwt");
    fs::create_dir_all(&modules).unwrap();
    fs::rename(out.join(platform), modules.join(platform)).unwrap();

    // `--error -` waits for stdin, which stays open until the signal has done its work.
    let mut child = npm
        .command("node", work.path())
        .arg(out.join("sfjwt/bin/sfjwt"))
        .args(["doctor", "--offline", "--error", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_for_a_child_of(child.id());
    let killed = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(killed.success());
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "the launcher did not stop");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(status.signal(), Some(15), "the launcher leaves as the binary did: {status:?}");
    // The binary, the only other reader of the pipe, is gone too.
    use std::io::Write;
    let mut stdin = child.stdin.take().unwrap();
    let written = stdin.write_all(&[b'x'; 1 << 17]).and_then(|()| stdin.flush());
    assert_eq!(written.map_err(|e| e.kind()), Err(std::io::ErrorKind::BrokenPipe));
}

/// Until the process has a child (the launcher has started the binary), by `pgrep -P`.
fn wait_for_a_child_of(pid: u32) {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(20) {
        match Command::new("pgrep").args(["-P", &pid.to_string()]).output() {
            Ok(out) if !out.stdout.is_empty() => return,
            Ok(_) => std::thread::sleep(Duration::from_millis(50)),
            Err(_) => return std::thread::sleep(Duration::from_secs(2)), // no pgrep: give it time
        }
    }
    panic!("the launcher started no binary");
}

// ---------------------------------------------------------------------------------------------
// The GitHub Action

/// One run of `action/run.sh` in a simulated runner: RUNNER_TEMP, GITHUB_STEP_SUMMARY,
/// GITHUB_OUTPUT and GITHUB_PATH are files in a temporary folder, and `sfjwt` on PATH is a wrapper
/// that records the mode of the key file it is given, then runs this test's binary.
struct ActionRun {
    code: Option<i32>,
    /// stdout and stderr as the job log shows them: one stream, in order.
    log: String,
    summary: String,
    output: String,
    github_path: String,
    key_mode: Option<String>,
    temp_left: Vec<String>,
    bin: PathBuf,
}

fn run_action(inputs: &[(&str, &str)]) -> ActionRun {
    let runner = tempfile::tempdir().unwrap();
    let dir = runner.path();
    let bin = dir.join("bin");
    let temp = dir.join("temp");
    fs::create_dir_all(&bin).unwrap();
    fs::create_dir_all(&temp).unwrap();
    let wrapper = bin.join("sfjwt");
    fs::write(
        &wrapper,
        format!(
            "#!/bin/sh\nprev=\nfor arg in \"$@\"; do\n  if [ \"$prev\" = --jwt-key-file ]; then\n    \
             stat -c %a \"$arg\" >'{record}' 2>/dev/null || stat -f %Lp \"$arg\" >'{record}'\n  fi\n  \
             prev=$arg\ndone\nexec '{BINARY}' \"$@\"\n",
            record = dir.join("key-mode").display()
        ),
    )
    .unwrap();
    set_mode(&wrapper, 0o755);

    // The runner creates the summary file; sfjwt only appends to it.
    fs::write(dir.join("summary.md"), "").unwrap();
    let mut command = Command::new("bash");
    // 2>&1 inside, so the log keeps the order in which lines were written.
    command.arg("-c").arg("exec bash \"$0\" 2>&1").arg(root().join("action/run.sh"));
    command
        .env_clear()
        .current_dir(dir)
        .env("PATH", format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default()))
        .env("HOME", dir)
        .env("RUNNER_TEMP", &temp)
        .env("GITHUB_STEP_SUMMARY", dir.join("summary.md"))
        .env("GITHUB_OUTPUT", dir.join("output"))
        .env("GITHUB_PATH", dir.join("path"))
        .env("INPUT_INSTALL", "path")
        .env("INPUT_FORMAT", "github")
        .env("INPUT_FAIL_ON", "error");
    for (name, value) in inputs {
        command.env(format!("INPUT_{}", name.to_uppercase().replace('-', "_")), value);
    }
    let out = command.stdin(Stdio::null()).output().unwrap();
    let read = |name: &str| fs::read_to_string(dir.join(name)).unwrap_or_default();
    let mut temp_left: Vec<String> =
        fs::read_dir(&temp).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    temp_left.sort();
    ActionRun {
        code: out.status.code(),
        log: text(&out.stdout),
        summary: read("summary.md"),
        output: read("output"),
        github_path: read("path"),
        key_mode: fs::read_to_string(dir.join("key-mode")).ok().map(|m| m.trim().to_owned()),
        temp_left,
        bin,
    }
}

impl ActionRun {
    fn masks(&self) -> Vec<&str> {
        self.log.lines().filter_map(|l| l.strip_prefix("::add-mask::")).collect()
    }

    /// Masks come before every other line, and no piece of the key shows anywhere but in them.
    fn assert_key_hidden(&self, pieces: &[String]) {
        let lines: Vec<&str> = self.log.lines().collect();
        let first_other = lines.iter().position(|l| !l.starts_with("::add-mask::")).unwrap_or(lines.len());
        let last_mask = lines.iter().rposition(|l| l.starts_with("::add-mask::"));
        assert_eq!(last_mask.map(|i| i < first_other), Some(true), "masks first:\n{}", self.log);
        let shown: String = self.log.lines().filter(|l| !l.starts_with("::add-mask::")).collect::<Vec<_>>().join("\n");
        for piece in pieces {
            for (what, text) in [("log", &shown), ("summary", &self.summary), ("output", &self.output)] {
                assert!(!text.contains(piece.as_str()), "the {what} shows key material {piece:?}:\n{text}");
            }
        }
        assert!(self.temp_left.is_empty(), "RUNNER_TEMP keeps {:?}", self.temp_left);
    }
}

/// The lines of a PEM that carry key material.
fn key_lines(pem: &str) -> Vec<String> {
    pem.lines().filter(|l| !l.starts_with("-----") && !l.trim().is_empty()).map(String::from).collect()
}

fn base64_of(path: &Path) -> String {
    let out = Command::new("sh").arg("-c").arg("base64 < \"$0\" | tr -d '\\n'").arg(path).output().unwrap();
    assert!(out.status.success());
    text(&out.stdout)
}

fn identity() -> Vec<(&'static str, String)> {
    vec![("client-id", CLIENT_ID.to_owned()), ("username", "ci@example.com".to_owned())]
}

fn with<'a>(base: &'a [(&'static str, String)], more: &[(&'static str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    base.iter().map(|(k, v)| (*k, v.as_str())).chain(more.iter().copied()).collect()
}

#[test]
fn the_action_masks_the_key_writes_it_0600_and_reports_a_healthy_login() {
    let pem = fs::read_to_string(fixture_path("example/server.key")).unwrap();
    let args = format!("--offline --cert {}", fixture_path("example/server.crt").display());
    let base = identity();
    let run = run_action(&with(&base, &[("private-key", &pem), ("args", &args)]));

    assert_eq!(run.code, Some(0), "{}", run.log);
    assert!(run.log.starts_with("::add-mask::"), "{}", run.log);
    let lines = key_lines(&pem);
    for line in &lines {
        assert!(run.masks().contains(&line.as_str()), "unmasked key line {line:?}:\n{}", run.log);
    }
    assert!(run.masks().contains(&lines.concat().as_str()), "the body on one line is masked too");
    run.assert_key_hidden(&lines);
    assert_eq!(run.key_mode.as_deref(), Some("600"), "the key file is the runner's alone");
    assert!(run.log.contains("::notice title=sfjwt::sfjwt doctor found no issues"), "{}", run.log);
    assert!(run.summary.starts_with("## sfjwt doctor: healthy"), "{}", run.summary);
    let key_row = run.summary.lines().find(|l| l.contains("`key.file`")).unwrap_or_default().to_lowercase();
    assert!(key_row.contains("| pass |"), "the key check passed: {}", run.summary);
    assert_eq!(run.output, "exit-code=0\n");
    assert_eq!(run.github_path.trim(), run.bin.to_str().unwrap(), "later steps can run sfjwt");
}

#[test]
fn the_action_takes_a_base64_key_and_fails_the_job_on_an_error_cause() {
    let pem = fs::read_to_string(fixture_path("example/server.key")).unwrap();
    let encoded = base64_of(&fixture_path("example/server.key"));
    let args = format!("--offline --cert {}", fixture_path("certs/rsa2048-other.crt").display());
    let base = identity();
    let run = run_action(&with(&base, &[("private-key-base64", &encoded), ("args", &args)]));

    assert_eq!(run.code, Some(1), "{}", run.log);
    assert!(run.masks().contains(&encoded.as_str()), "the base64 secret is masked:\n{}", run.log);
    let lines = key_lines(&pem);
    for line in &lines {
        assert!(run.masks().contains(&line.as_str()), "unmasked decoded line {line:?}:\n{}", run.log);
    }
    let mut pieces = lines;
    pieces.extend(encoded.as_bytes().chunks(32).map(text));
    run.assert_key_hidden(&pieces);
    assert_eq!(run.key_mode.as_deref(), Some("600"));
    assert!(run.log.contains("::error title=sfjwt pair.key-cert-mismatch::"), "{}", run.log);
    assert!(run.summary.starts_with("## sfjwt doctor: problems"), "{}", run.summary);
    assert!(run.summary.contains("`pair.key-cert-mismatch`"), "{}", run.summary);
    assert_eq!(run.output, "exit-code=1\n");
}

#[test]
fn the_action_masks_a_key_pasted_onto_one_line() {
    let pem = fs::read_to_string(fixture_path("example/server.key")).unwrap();
    let one_line = pem.trim_end().replace('\n', " ");
    let base = identity();
    let run = run_action(&with(&base, &[("private-key", &one_line), ("args", "--offline")]));

    assert_eq!(run.code, Some(1), "a mangled key is an error cause:\n{}", run.log);
    let lines = key_lines(&pem);
    for line in &lines {
        assert!(run.masks().contains(&line.as_str()), "unmasked piece {line:?}:\n{}", run.log);
    }
    run.assert_key_hidden(&lines);
}

#[test]
fn the_action_stops_with_a_one_line_error_on_bad_key_inputs() {
    let pem = fs::read_to_string(fixture_path("example/server.key")).unwrap();
    let encoded = base64_of(&fixture_path("example/server.key"));
    let base = identity();

    let both = run_action(&with(&base, &[("private-key", &pem), ("private-key-base64", &encoded)]));
    assert_eq!(both.code, Some(2), "{}", both.log);
    let errors: Vec<&str> = both.log.lines().filter(|l| !l.starts_with("::add-mask::")).collect();
    assert_eq!(errors, ["::error title=sfjwt action::give private-key or private-key-base64, not both"]);
    let mut pieces = key_lines(&pem);
    pieces.push(encoded.clone());
    both.assert_key_hidden(&pieces);
    assert_eq!(both.key_mode, None, "sfjwt did not run");

    let garbage = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC!!not*base64";
    let bad = run_action(&with(&base, &[("private-key-base64", garbage)]));
    assert_eq!(bad.code, Some(2), "{}", bad.log);
    let errors: Vec<&str> = bad.log.lines().filter(|l| !l.starts_with("::add-mask::")).collect();
    assert_eq!(errors, ["::error title=sfjwt action::private-key-base64 is not valid base64"]);
    bad.assert_key_hidden(&[garbage.to_owned()]);
}

#[test]
fn the_action_reports_a_usage_error_in_the_summary() {
    let pem = fs::read_to_string(fixture_path("example/server.key")).unwrap();
    let base = identity();
    let run = run_action(&with(&base, &[("private-key", &pem), ("args", "--offline --no-such-flag")]));
    assert_eq!(run.code, Some(2), "{}", run.log);
    assert!(run.log.contains("--no-such-flag"), "{}", run.log);
    assert!(run.summary.starts_with("## sfjwt doctor: could not run"), "{}", run.summary);
    assert_eq!(run.output, "exit-code=2\n");
    run.assert_key_hidden(&key_lines(&pem));
}

#[test]
fn every_action_input_reaches_the_script() {
    let action = fs::read_to_string(root().join("action.yml")).unwrap();
    let script = fs::read_to_string(root().join("action/run.sh")).unwrap();
    let inputs_block = action.split("\ninputs:\n").nth(1).unwrap().split("\noutputs:\n").next().unwrap();
    let inputs: Vec<&str> = inputs_block
        .lines()
        .filter_map(|l| l.strip_prefix("  ").and_then(|l| l.strip_suffix(':')))
        .filter(|name| !name.starts_with(' '))
        .collect();
    assert!(inputs.len() >= 10, "{inputs:?}");
    for input in inputs {
        let variable = format!("INPUT_{}", input.to_uppercase().replace('-', "_"));
        assert!(
            action.contains(&format!("{variable}: ${{{{ inputs.{input} }}}}")),
            "action.yml passes {input} as {variable}"
        );
        assert!(script.contains(&variable), "action/run.sh reads {variable}");
    }
    let run_line = action.lines().find(|l| l.trim_start().starts_with("run:")).unwrap();
    assert!(!run_line.contains("${{"), "inputs never become script text: {run_line}");
}

// ---------------------------------------------------------------------------------------------
// The release

/// The release workflow, the npm packages, the Action's `install: release` and binstall's
/// overrides name the same targets, so every archive has a package and every lookup an archive.
#[test]
fn release_targets_agree_everywhere() {
    let read = |path: &str| fs::read_to_string(root().join(path)).unwrap();
    let release: Vec<String> = read(".github/workflows/release.yml")
        .lines()
        .filter_map(|l| l.trim().strip_prefix("- target: "))
        .map(String::from)
        .collect();
    let build = read("npm/build.sh");
    let table = build.split("PLATFORMS=\"").nth(1).unwrap().split('"').next().unwrap();
    let npm: Vec<String> = table.lines().filter_map(|l| l.split_whitespace().next()).map(String::from).collect();
    assert_eq!(release.len(), 7, "{release:?}");
    let sorted = |mut v: Vec<String>| {
        v.sort();
        v
    };
    assert_eq!(sorted(release.clone()), sorted(npm), "release.yml and npm/build.sh");

    let action = read("action/run.sh");
    let action_targets: Vec<&str> =
        action.lines().filter_map(|l| l.split(") echo ").nth(1)).map(|t| t.trim_end_matches(" ;;").trim()).collect();
    assert!(action_targets.len() >= 5, "{action_targets:?}");
    for target in action_targets {
        assert!(release.iter().any(|r| r == target), "action/run.sh installs {target}, which the release lacks");
    }
    let cargo = read("Cargo.toml");
    for target in cargo.lines().filter_map(|l| l.strip_prefix("[package.metadata.binstall.overrides.")) {
        let target = target.trim_end_matches(']');
        assert!(release.iter().any(|r| r == target), "binstall override for {target}, which the release lacks");
    }
    let pkg_url = cargo.lines().find(|l| l.starts_with("pkg-url")).unwrap();
    assert!(pkg_url.contains("{ name }-{ target }-v{ version }{ archive-suffix }"), "{pkg_url}");
    assert!(read(".github/workflows/release.yml").contains("stem=\"sfjwt-$TARGET-v$VERSION\""));
}
