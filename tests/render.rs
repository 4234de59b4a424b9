//! Snapshot tests of every renderer, on a healthy setup and on one with several problems.

use crate::support::{CLIENT_ID, Test, USERNAME, fixture};

fn healthy() -> Vec<String> {
    vec![
        "--client-id".into(),
        CLIENT_ID.into(),
        "--username".into(),
        USERNAME.into(),
        "--jwt-key-file".into(),
        fixture("keys/rsa2048.pkcs8.pem"),
        "--cert".into(),
        fixture("certs/rsa2048.crt"),
    ]
}

/// An encrypted key, an expired certificate, and a sandbox username on the production host.
fn troubled() -> Vec<String> {
    vec![
        "--client-id".into(),
        CLIENT_ID.into(),
        "--username".into(),
        "ci@acme.com.uat".into(),
        "--jwt-key-file".into(),
        fixture("keys/rsa2048.encrypted-pkcs8.pem"),
        "--cert".into(),
        fixture("certs/expired.crt"),
        "--instance-url".into(),
        "https://login.salesforce.com".into(),
    ]
}

fn doctor(format: &str, args: &[String], extra: &[&str]) -> String {
    let out = Test::new().args(["doctor", "--offline", "--format", format]).args(args).args(extra).run();
    out.stderr_empty();
    out.stdout
}

#[test]
fn text_healthy() {
    insta::assert_snapshot!(doctor("text", &healthy(), &[]));
}

#[test]
fn text_troubled() {
    insta::assert_snapshot!(doctor("text", &troubled(), &[]));
}

#[test]
fn text_troubled_verbose() {
    insta::assert_snapshot!(doctor("text", &troubled(), &["--verbose"]));
}

#[test]
fn json_troubled() {
    insta::assert_snapshot!(doctor("json", &troubled(), &[]));
}

#[test]
fn markdown_troubled() {
    insta::assert_snapshot!(doctor("markdown", &troubled(), &[]));
}

#[test]
fn json_flag_is_format_json() {
    let out = Test::new().args(["doctor", "--offline", "--json"]).args(troubled()).run();
    assert_eq!(out.stdout, doctor("json", &troubled(), &[]));
}

#[test]
fn color_always_colors_and_never_does_not() {
    let doctor = || Test::new().args(["doctor", "--offline"]).args(troubled());
    doctor().args(["--color", "always"]).run().stdout_contains("\u{1b}[").stdout_contains("[✗]");
    doctor().args(["--color", "never"]).run().stdout_lacks("\u{1b}[").stdout_contains("[x]");
    doctor().env("NO_COLOR", "1").run().stdout_lacks("\u{1b}[");
}

#[test]
fn output_writes_the_report_to_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.md");
    let out =
        Test::new().args(["doctor", "--offline", "--format", "markdown", "--output"]).arg(&path).args(troubled()).run();
    out.status(1);
    assert!(out.stdout.is_empty(), "{}", out.describe());
    assert_eq!(std::fs::read_to_string(&path).unwrap(), doctor("markdown", &troubled(), &[]));
}
