//! One way to run the real `sfjwt` binary the way a user would, after just's `tests/test.rs`:
//!
//! ```ignore
//! Test::new().args(["doctor", "--offline", "--format", "json"]).arg("--cert").arg(path).run()
//!     .status(1)
//!     .stdout_contains("key.encrypted");
//! ```
//!
//! Every run starts from a clean environment: the variables sfjwt, the sf CLI, GitHub Actions
//! and the proxies read are removed (so a developer's own `SF_AUDIENCE_URL`, `HTTPS_PROXY` or
//! `CI` changes nothing), `HOME` is an empty directory (the sf CLI's state lives there: never the
//! real one), colour is off, the clock is pinned to [`NOW`], and the working directory is the
//! crate root, where the fixtures are. A test's own `.env(..)` comes after all that and wins.
//!
//! Every run is bounded: one that has not ended after [`TIME_LIMIT`] (or `.time_limit(..)`) is
//! killed and fails the test, and so does one that panicked or died of a signal.

use std::ffi::{OsStr, OsString};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{OnceLock, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::Value;

/// The clock every run is pinned to (2027-01-01 00:00:00 UTC), matching fixtures/assertions.
pub const NOW: i64 = 1_798_761_600;
/// The quick start's consumer key (fixtures/example/README.md).
pub const CLIENT_ID: &str = "3MVG9EXAMPLE0nly.TestKey_ForSfjwtDocs0000000000000000000000000000000000000000000";
pub const USERNAME: &str = "ci@example.com";

/// How long a run may take before it counts as hung. A run takes well under a second; the bound
/// is generous so that a debug build on a loaded 2-core machine passes.
pub const TIME_LIMIT: Duration = Duration::from_secs(30);

/// Variables removed from every run, besides those starting with `SFJWT_`, `SF_`, `SFDX_` or
/// `GITHUB_` and those ending in `_PROXY` in any case (`NO_PROXY`, `https_proxy`…).
const REMOVED: &[&str] = &["NO_COLOR", "CI", "TARGET_USERNAME"];
const REMOVED_PREFIXES: &[&str] = &["SFJWT_", "SF_", "SFDX_", "GITHUB_"];

fn removed(name: &OsStr) -> bool {
    let name = name.to_string_lossy();
    REMOVED.contains(&name.as_ref())
        || REMOVED_PREFIXES.iter().any(|prefix| name.starts_with(prefix))
        || name.to_ascii_uppercase().ends_with("_PROXY")
}

/// Every report format, as `--format` names them (from sfjwt's own list, so that a new format is
/// covered by every test that loops over them).
pub fn formats() -> &'static [&'static str] {
    static FORMATS: OnceLock<Vec<&'static str>> = OnceLock::new();
    FORMATS.get_or_init(|| {
        use clap::ValueEnum;
        let names = sfjwt::cli::Format::value_variants().iter().map(|format| {
            let value = format.to_possible_value().expect("every format has a name");
            &*value.get_name().to_string().leak()
        });
        names.collect()
    })
}

/// A run of the binary, being described.
#[must_use = "a Test does nothing until .run()"]
pub struct Test {
    args: Vec<OsString>,
    env: Vec<(OsString, OsString)>,
    stdin: Option<Vec<u8>>,
    current_dir: PathBuf,
    time_limit: Duration,
    /// With `--output` too: see [`Test::every_channel`].
    every_channel: Option<bool>,
    /// The `sh -c` script of [`Test::via_shell`].
    shell: Option<String>,
}

impl Default for Test {
    fn default() -> Test {
        Test::new()
    }
}

impl Test {
    pub fn new() -> Test {
        let home = empty_home();
        Test {
            args: Vec::new(),
            env: vec![
                ("SFJWT_NOW".into(), NOW.to_string().into()),
                ("HOME".into(), home.clone().into()),
                ("USERPROFILE".into(), home.into()),
            ],
            stdin: None,
            current_dir: PathBuf::from(env!("CARGO_MANIFEST_DIR")),
            time_limit: TIME_LIMIT,
            every_channel: None,
            shell: None,
        }
    }

    /// `sfjwt doctor --offline --format json`, the most common run.
    pub fn offline_json() -> Test {
        Test::new().args(["doctor", "--offline", "--format", "json"])
    }

    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Test {
        self.args.push(arg.as_ref().to_owned());
        self
    }

    pub fn args<I>(mut self, args: I) -> Test
    where
        I: IntoIterator,
        I::Item: AsRef<OsStr>,
    {
        self.args.extend(args.into_iter().map(|arg| arg.as_ref().to_owned()));
        self
    }

    pub fn env(mut self, name: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> Test {
        self.env.push((name.as_ref().to_owned(), value.as_ref().to_owned()));
        self
    }

    /// `--format <format>`, with `--verbose` for text: the report with every detail it can hold,
    /// for tests that look for what must never be in one.
    pub fn full_report(self, format: &str) -> Test {
        self.args(["--format", format]).args((format == "text").then_some("--verbose"))
    }

    /// Bytes for stdin; without it stdin is empty (closed at once).
    pub fn stdin(mut self, bytes: impl Into<Vec<u8>>) -> Test {
        self.stdin = Some(bytes.into());
        self
    }

    pub fn current_dir(mut self, dir: impl AsRef<Path>) -> Test {
        self.current_dir = dir.as_ref().to_owned();
        self
    }

    /// Makes the run write to every output channel a `doctor` run has besides stdout and stderr,
    /// in a temporary folder of its own: the `--report` bundle, the job summary
    /// (`GITHUB_STEP_SUMMARY`, an empty file as the runner creates it) and, with `output_file`,
    /// `--output` (the report then leaves stdout). [`Output::channels`] reads them all back.
    /// The flags go last, so that they follow the subcommand.
    pub fn every_channel(mut self, output_file: bool) -> Test {
        self.every_channel = Some(output_file);
        self
    }

    /// Runs sfjwt through `sh -c script`, with the binary as `$0` and the arguments as `$@`, for
    /// what only a shell sets up: `exec "$0" "$@" >&-` runs it with stdout closed.
    pub fn via_shell(mut self, script: &str) -> Test {
        self.shell = Some(script.to_string());
        self
    }

    /// The arguments so far, for describing the run.
    pub fn arguments(&self) -> impl Iterator<Item = &OsString> {
        self.args.iter()
    }

    pub fn run(mut self) -> Output {
        let channels = self.every_channel.map(|output_file| {
            let dir = tempfile::tempdir().expect("a folder for the output channels");
            std::fs::write(dir.path().join(SUMMARY), "").expect("the job summary file");
            self.env.push(("GITHUB_STEP_SUMMARY".into(), dir.path().join(SUMMARY).into()));
            self.args.extend(["--report".into(), dir.path().join(BUNDLE).into()]);
            if output_file {
                self.args.extend(["--output".into(), dir.path().join(OUTPUT_FILE).into()]);
            }
            dir
        });
        let binary = env!("CARGO_BIN_EXE_sfjwt");
        let mut command = match &self.shell {
            Some(script) => {
                let mut shell = Command::new("sh");
                shell.arg("-c").arg(script).arg(binary);
                shell
            }
            None => Command::new(binary),
        };
        for (name, _) in std::env::vars_os() {
            if removed(&name) {
                command.env_remove(&name);
            }
        }
        command.envs(self.env.iter().map(|(name, value)| (name, value)));
        command.args(&self.args).current_dir(&self.current_dir);
        command.stdout(Stdio::piped()).stderr(Stdio::piped());
        command.stdin(if self.stdin.is_some() { Stdio::piped() } else { Stdio::null() });
        let started = Instant::now();
        let mut child = command.spawn().expect("sfjwt starts");
        // sfjwt stops reading at its limit: the rest of a huge input meets a closed pipe.
        if let Some(bytes) = self.stdin {
            let mut pipe = child.stdin.take().expect("stdin is piped");
            thread::spawn(move || {
                let _ = pipe.write_all(&bytes);
            });
        }
        let (done, finished) = mpsc::channel();
        let stdout = read_to_end(child.stdout.take().expect("stdout is piped"), done.clone());
        let stderr = read_to_end(child.stderr.take().expect("stderr is piped"), done);
        let deadline = started + self.time_limit;
        // Both pipes close when sfjwt ends; the wait after that is for the exit status alone.
        let ended = (0..2).all(|_| finished.recv_timeout(deadline.saturating_duration_since(Instant::now())).is_ok())
            && wait_until(&mut child, deadline);
        if !ended {
            let _ = child.kill();
            let _ = child.wait();
            let args: Vec<_> = self.args.iter().map(|arg| arg.to_string_lossy()).collect();
            panic!("sfjwt {} hung: killed after {:?}", args.join(" "), self.time_limit);
        }
        let status = child.wait().expect("sfjwt's exit status");
        let output = Output {
            args: self.args,
            code: status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&stdout.join().expect("stdout is read")).into_owned(),
            stderr: String::from_utf8_lossy(&stderr.join().expect("stderr is read")).into_owned(),
            elapsed: started.elapsed(),
            channels,
        };
        // 101 is a Rust panic's exit code; -1 a signal.
        let crashed = output.stderr.contains("panicked") || output.code == 101 || output.code < 0;
        assert!(!crashed, "sfjwt crashed: {}", output.describe());
        output
    }
}

/// The folder of the `--report` bundle, and the files of the job summary and `--output`, in the
/// folder of [`Test::every_channel`].
const BUNDLE: &str = "bundle";
const SUMMARY: &str = "summary.md";
const OUTPUT_FILE: &str = "report.out";

/// Reads `pipe` to its end on a thread of its own and says so on `done`.
fn read_to_end(mut pipe: impl Read + Send + 'static, done: mpsc::Sender<()>) -> thread::JoinHandle<Vec<u8>> {
    thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = pipe.read_to_end(&mut bytes);
        let _ = done.send(());
        bytes
    })
}

/// Whether `child` has exited by `deadline`.
fn wait_until(child: &mut Child, deadline: Instant) -> bool {
    loop {
        match child.try_wait() {
            Ok(Some(_)) => return true,
            Ok(None) if Instant::now() < deadline => thread::sleep(Duration::from_millis(1)),
            _ => return false,
        }
    }
}

/// What a run did. The assertions panic with the whole output, and return the output so that
/// they chain.
#[derive(Debug)]
pub struct Output {
    args: Vec<OsString>,
    /// The exit code; -1 when a signal ended the process.
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    pub elapsed: Duration,
    /// The folder of [`Test::every_channel`], kept until the output goes.
    channels: Option<tempfile::TempDir>,
}

impl Output {
    #[track_caller]
    pub fn status(&self, code: i32) -> &Output {
        assert_eq!(self.code, code, "exit code of {}", self.describe());
        self
    }

    #[track_caller]
    pub fn stdout_contains(&self, text: &str) -> &Output {
        assert!(self.stdout.contains(text), "stdout lacks {text:?}: {}", self.describe());
        self
    }

    #[track_caller]
    pub fn stdout_lacks(&self, text: &str) -> &Output {
        assert!(!self.stdout.contains(text), "stdout has {text:?}: {}", self.describe());
        self
    }

    #[track_caller]
    pub fn stderr_contains(&self, text: &str) -> &Output {
        assert!(self.stderr.contains(text), "stderr lacks {text:?}: {}", self.describe());
        self
    }

    #[track_caller]
    pub fn stderr_empty(&self) -> &Output {
        assert!(self.stderr.is_empty(), "stderr is not empty: {}", self.describe());
        self
    }

    /// Every output channel and what it holds, labelled: stdout, stderr and, for a run with
    /// [`Test::every_channel`], the job summary, the `--output` file and the bundle's files.
    pub fn channels(&self) -> Vec<(String, String)> {
        let mut channels =
            vec![("stdout".to_string(), self.stdout.clone()), ("stderr".to_string(), self.stderr.clone())];
        let Some(dir) = &self.channels else { return channels };
        let mut files = vec![dir.path().join(SUMMARY), dir.path().join(OUTPUT_FILE)];
        if let Ok(entries) = std::fs::read_dir(dir.path().join(BUNDLE)) {
            files.extend(entries.map(|entry| entry.expect("a bundle entry").path()));
        }
        for file in files {
            if let Ok(text) = std::fs::read_to_string(&file) {
                channels.push((file.display().to_string(), text));
            }
        }
        channels
    }

    /// stdout as JSON (a `--format json` run).
    #[track_caller]
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|error| panic!("stdout is not JSON ({error}): {}", self.describe()))
    }

    /// The cause ids of a `--format json` run, in rank order.
    #[track_caller]
    pub fn causes(&self) -> Vec<String> {
        let json = self.json();
        let causes = json["causes"].as_array().unwrap_or_else(|| panic!("no causes: {}", self.describe()));
        causes.iter().map(|cause| cause["id"].as_str().expect("a cause id").to_string()).collect()
    }

    /// The cause with this id of a `--format json` run.
    #[track_caller]
    pub fn cause(&self, id: &str) -> Value {
        let json = self.json();
        let found = json["causes"].as_array().and_then(|causes| causes.iter().find(|cause| cause["id"] == id));
        found.cloned().unwrap_or_else(|| panic!("no cause {id}: {}", self.describe()))
    }

    /// The check with this id of a `--format json` run.
    #[track_caller]
    pub fn check(&self, id: &str) -> Value {
        let json = self.json();
        let found = json["checks"].as_array().and_then(|checks| checks.iter().find(|check| check["id"] == id));
        found.cloned().unwrap_or_else(|| panic!("no check {id}: {}", self.describe()))
    }

    /// The status (`pass`, `fail`, `skip`…) of a check of a `--format json` run.
    #[track_caller]
    pub fn check_status(&self, id: &str) -> String {
        self.check(id)["status"].as_str().expect("a check status").to_string()
    }

    /// Where an input of a `--format json` run came from (`flag --username`, `env SFJWT_KEY`…),
    /// or "" when the report has no such input.
    pub fn input_source(&self, name: &str) -> String {
        let json = self.json();
        let row = json["inputs"].as_array().and_then(|inputs| inputs.iter().find(|row| row["name"] == name));
        row.and_then(|row| row["source"].as_str()).unwrap_or_default().to_string()
    }

    /// The command line, exit code and both streams, for assertion messages.
    pub fn describe(&self) -> String {
        let args: Vec<_> = self.args.iter().map(|arg| arg.to_string_lossy()).collect();
        format!(
            "sfjwt {}\nexit {} after {:?}\n--- stdout\n{}\n--- stderr\n{}",
            args.join(" "),
            self.code,
            self.elapsed,
            cut(&self.stdout),
            cut(&self.stderr)
        )
    }
}

/// At most 8 KiB of `text`, so that a huge output does not drown the message.
fn cut(text: &str) -> &str {
    let end = (0..=text.len().min(8 * 1024)).rev().find(|&i| text.is_char_boundary(i)).unwrap_or(0);
    &text[..end]
}

/// An empty home directory shared by the runs that need no sf CLI state.
pub fn empty_home() -> PathBuf {
    let home = Path::new(env!("CARGO_TARGET_TMPDIR")).join("empty-home");
    std::fs::create_dir_all(&home).expect("empty home");
    home
}

/// `fixtures/<path>`, relative to the crate root (the working directory of every run), after
/// checking that the fixture exists.
pub fn fixture(path: &str) -> String {
    let full = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures").join(path);
    assert!(full.exists(), "missing fixture {}", full.display());
    format!("fixtures/{path}")
}

/// `fixtures/<path>` as an absolute path, for runs in another working directory.
pub fn fixture_path(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(fixture(path))
}

/// The contents of `fixtures/<path>`.
pub fn read_fixture(path: &str) -> String {
    let full = Path::new(env!("CARGO_MANIFEST_DIR")).join(fixture(path));
    std::fs::read_to_string(&full).unwrap_or_else(|error| panic!("{}: {error}", full.display()))
}
