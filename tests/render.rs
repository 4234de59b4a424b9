//! Snapshot tests of every renderer, on a healthy setup and on one with several problems.

mod support;

use support::cli::{CLIENT_ID, USERNAME, command, fixture, run};

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
    let out = run(command().args(["doctor", "--offline", "--format", format]).args(args).args(extra));
    assert!(out.stderr.is_empty(), "{}", out.stderr);
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
    let out = run(command().args(["doctor", "--offline", "--json"]).args(troubled()));
    assert_eq!(out.stdout, doctor("json", &troubled(), &[]));
}

#[test]
fn color_always_colors_and_never_does_not() {
    let colored = run(command().args(["doctor", "--offline", "--color", "always"]).args(troubled()));
    assert!(colored.stdout.contains("\u{1b}["), "{}", colored.stdout);
    assert!(colored.stdout.contains("[✗]"));
    let plain = run(command().args(["doctor", "--offline", "--color", "never"]).args(troubled()));
    assert!(!plain.stdout.contains("\u{1b}[") && plain.stdout.contains("[x]"));
    let no_color = run(command().env("NO_COLOR", "1").args(["doctor", "--offline"]).args(troubled()));
    assert!(!no_color.stdout.contains("\u{1b}["));
}

#[test]
fn output_writes_the_report_to_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.md");
    let out =
        run(command().args(["doctor", "--offline", "--format", "markdown", "--output"]).arg(&path).args(troubled()));
    assert_eq!(out.code, 1);
    assert!(out.stdout.is_empty());
    assert_eq!(std::fs::read_to_string(&path).unwrap(), doctor("markdown", &troubled(), &[]));
}
