//! One way to run the real `sfjwt` binary the way a user would, after just's `tests/test.rs`:
//!
//! ```ignore
//! Test::new().args(["doctor", "--offline", "--format", "json"]).arg("--cert").arg(path).run()
//!     .status(1)
//!     .stdout_contains("key.encrypted");
//! ```
//!
//! Every run starts from a clean environment: the variables sfjwt, the sf CLI and the proxies
//! read are removed (so a developer's own `SF_AUDIENCE_URL`, `HTTPS_PROXY` or `CI` changes
//! nothing), `HOME` is an empty directory (the sf CLI's state lives there: never the real one),
//! colour is off, the clock is pinned to [`NOW`], and the working directory is the crate root,
//! where the fixtures are. A test's own `.env(..)` comes after all that and wins.

use std::ffi::{OsStr, OsString};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::Value;

/// The clock every run is pinned to (2027-01-01 00:00:00 UTC), matching fixtures/assertions.
pub const NOW: i64 = 1_798_761_600;
/// The quick start's consumer key (fixtures/example/README.md).
pub const CLIENT_ID: &str = "3MVG9EXAMPLE0nly.TestKey_ForSfjwtDocs0000000000000000000000000000000000000000000";
pub const USERNAME: &str = "ci@example.com";

/// Variables removed from every run, besides those starting with `SFJWT_`, `SF_` and `SFDX_`.
const REMOVED: &[&str] = &[
    "NO_COLOR",
    "CI",
    "TARGET_USERNAME",
    "GITHUB_STEP_SUMMARY",
    "HTTPS_PROXY",
    "https_proxy",
    "HTTP_PROXY",
    "http_proxy",
    "ALL_PROXY",
    "all_proxy",
    "NO_PROXY",
    "no_proxy",
];

/// A run of the binary, being described.
#[must_use = "a Test does nothing until .run()"]
pub struct Test {
    args: Vec<OsString>,
    env: Vec<(OsString, OsString)>,
    stdin: Option<Vec<u8>>,
    current_dir: PathBuf,
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

    /// Bytes for stdin; without it stdin is empty (closed at once).
    pub fn stdin(mut self, bytes: impl Into<Vec<u8>>) -> Test {
        self.stdin = Some(bytes.into());
        self
    }

    pub fn current_dir(mut self, dir: impl AsRef<Path>) -> Test {
        self.current_dir = dir.as_ref().to_owned();
        self
    }

    /// The arguments so far, for describing the run.
    pub fn arguments(&self) -> impl Iterator<Item = &OsString> {
        self.args.iter()
    }

    pub fn run(self) -> Output {
        let mut command = Command::new(env!("CARGO_BIN_EXE_sfjwt"));
        for (name, _) in std::env::vars_os() {
            let text = name.to_string_lossy();
            let sfjwt_or_sf = ["SFJWT_", "SF_", "SFDX_"].iter().any(|prefix| text.starts_with(prefix));
            if sfjwt_or_sf || REMOVED.contains(&text.as_ref()) {
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
        let writer = self.stdin.map(|bytes| {
            let mut pipe = child.stdin.take().expect("stdin is piped");
            thread::spawn(move || {
                let _ = pipe.write_all(&bytes);
            })
        });
        let output = child.wait_with_output().expect("sfjwt runs");
        let elapsed = started.elapsed();
        if let Some(writer) = writer {
            let _ = writer.join();
        }
        Output {
            args: self.args,
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
            elapsed,
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

    #[track_caller]
    pub fn no_panic(&self) -> &Output {
        assert!(!self.stderr.contains("panicked") && self.code >= 0, "sfjwt crashed: {}", self.describe());
        self
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

/// The contents of `fixtures/<path>`.
pub fn read_fixture(path: &str) -> String {
    let full = Path::new(env!("CARGO_MANIFEST_DIR")).join(fixture(path));
    std::fs::read_to_string(&full).unwrap_or_else(|error| panic!("{}: {error}", full.display()))
}
