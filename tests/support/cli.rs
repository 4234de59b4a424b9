//! Runs the real `sfjwt` binary the way a user would, in a clean environment.
#![allow(dead_code)]

use std::{path::Path, process::Command};

/// The clock every test pins sfjwt to (2027-01-01 00:00:00 UTC), matching fixtures/assertions.
pub const NOW: i64 = 1_798_761_600;
pub const CLIENT_ID: &str = "3MVG9EXAMPLE0nly.TestKey_ForSfjwtDocs0000000000000000000000000000000000000000000";
pub const USERNAME: &str = "ci@example.com";

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// The cause ids of a `--format json` run, in rank order.
    pub fn causes(&self) -> Vec<String> {
        self.json()["causes"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap().to_string()).collect()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}\nstderr:\n{}", self.stdout, self.stderr))
    }

    pub fn check_status(&self, id: &str) -> String {
        let json = self.json();
        let check = json["checks"].as_array().unwrap().iter().find(|c| c["id"] == id).cloned();
        check.map(|c| c["status"].as_str().unwrap().to_string()).unwrap_or_else(|| panic!("no check {id}"))
    }
}

/// A command for the binary with sfjwt's and the sf CLI's variables removed, colour off, and the
/// clock pinned. The working directory is the crate root, where the fixtures are.
pub fn command() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sfjwt"));
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy();
        if name.starts_with("SFJWT_")
            || name.starts_with("SF_")
            || name.starts_with("SFDX_")
            || name == "NO_COLOR"
            || name == "CI"
            || name == "TARGET_USERNAME"
        {
            cmd.env_remove(name.as_ref());
        }
    }
    // The sf CLI's state lives in the home directory: never the real one.
    let home = empty_home();
    cmd.env("HOME", &home).env("USERPROFILE", &home);
    cmd.env("SFJWT_NOW", NOW.to_string()).current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd
}

/// An empty home directory shared by the tests that need no sf CLI state.
pub fn empty_home() -> std::path::PathBuf {
    let home = Path::new(env!("CARGO_TARGET_TMPDIR")).join("empty-home");
    std::fs::create_dir_all(&home).expect("empty home");
    home
}

pub fn run(cmd: &mut Command) -> Run {
    let output = cmd.output().expect("sfjwt runs");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// `sfjwt doctor --offline --format json <args>`.
pub fn doctor_json(args: &[&str]) -> Run {
    run(command().args(["doctor", "--offline", "--format", "json"]).args(args))
}

pub fn fixture(path: &str) -> String {
    let full = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures").join(path);
    assert!(full.exists(), "missing fixture {}", full.display());
    format!("fixtures/{path}")
}
