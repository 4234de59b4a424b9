//! What CI pipelines and support engineers get: JUnit and GitHub formats, severity control, the
//! support bundle, identity redaction, environment-only configuration, completions and man page.

use crate::support::{CLIENT_ID, Output, Test, fixture, formats, junit, read_fixture};

/// An encrypted key (error), an expired certificate (warning), a sandbox user on production (error).
fn troubled() -> Vec<String> {
    let key = fixture("keys/rsa2048.encrypted-pkcs8.pem");
    let cert = fixture("certs/expired.crt");
    ["--client-id", CLIENT_ID, "--username", "ci@acme.com.uat", "--jwt-key-file", &key, "--cert", &cert]
        .map(String::from)
        .to_vec()
}

/// Only a warning: the expired certificate.
fn warning_only() -> Vec<String> {
    let key = fixture("keys/rsa2048.pkcs8.pem");
    let cert = fixture("certs/expired.crt");
    ["--client-id", CLIENT_ID, "--username", "ci@example.com", "--jwt-key-file", &key, "--cert", &cert]
        .map(String::from)
        .to_vec()
}

fn doctor(args: &[String], extra: &[&str]) -> Output {
    Test::new().args(["doctor", "--offline"]).args(args).args(extra).run()
}

#[test]
fn junit_validates_against_the_ci_schema() {
    let out = doctor(&troubled(), &["--format", "junit"]);
    assert_eq!(out.code, 1);
    assert!(out.stdout.starts_with("<?xml"), "only the document on stdout: {}", out.stdout);
    insta::assert_snapshot!(out.stdout);
    assert_eq!(junit::violations(&out.stdout), Vec::<String>::new(), "{}", out.stdout);
    // Every check of the JWT bearer flow's run (the SAML bearer flow's checks are not run for a JWT).
    let run = sfjwt::registry::CHECKS.iter().filter(|c| c.group.flow() != Some(sfjwt::evidence::Flow::SamlBearer));
    assert_eq!(out.stdout.matches("<testcase ").count(), run.count(), "one test case per check");
    assert!(out.stdout.contains("<failure type=\"key.encrypted\""));
}

#[test]
fn github_prints_workflow_commands_and_appends_the_summary() {
    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("summary.md");
    std::fs::write(&summary, "earlier step\n").unwrap();
    let out = Test::new()
        .env("GITHUB_STEP_SUMMARY", &summary)
        .args(["doctor", "--offline", "--format", "github"])
        .args(troubled())
        .run();
    assert_eq!(out.code, 1);
    assert!(out.stdout.lines().all(|l| l.starts_with("::")), "only workflow commands on stdout:\n{}", out.stdout);
    insta::assert_snapshot!(out.stdout);
    assert!(
        out.stdout.contains("::error title=sfjwt key.encrypted::")
            && out.stdout.contains("::warning title=sfjwt cert.expired::")
    );
    let written = std::fs::read_to_string(&summary).unwrap();
    assert!(written.starts_with("earlier step\n## sfjwt doctor: problems"), "{written}");
    assert!(written.contains("| Private key | `key.format` |") && written.contains("`key.encrypted`"), "{written}");
    // The job summary is a report a person reads too: snapshotted whole, like the others.
    insta::assert_snapshot!("github_job_summary", written);
}

#[test]
fn severity_can_be_raised_lowered_and_failed_on() {
    assert_eq!(doctor(&warning_only(), &[]).code, 0, "a warning alone passes");
    assert_eq!(doctor(&warning_only(), &["--fail-on", "warning"]).code, 1);
    let denied = doctor(&warning_only(), &["--format", "json", "-D", "cert.expired"]);
    assert_eq!(denied.code, 1);
    let cause = &denied.json()["causes"][0];
    assert_eq!(
        (cause["severity"].as_str(), cause["relevelled"]["from"].as_str()),
        (Some("error"), Some("warning")),
        "{cause}"
    );
    assert_eq!(doctor(&warning_only(), &["--deny", "warnings"]).code, 1);
    assert_eq!(doctor(&warning_only(), &["-D", "cert"]).code, 1);
    assert_eq!(doctor(&warning_only(), &["--fail-on", "warning", "-A", "cert.expired"]).code, 0);
    let allowed = doctor(&troubled(), &["-A", "key.encrypted", "-A", "host", "--format", "text"]);
    assert_eq!(allowed.code, 0, "{}", allowed.stdout);
    assert!(
        allowed.stdout.contains("was error (-A)"),
        "the report says a finding was re-levelled:\n{}",
        allowed.stdout
    );
    let typo = doctor(&warning_only(), &["-D", "cert.expird"]);
    assert_eq!(typo.code, 2);
    assert!(typo.stderr.contains("`cert.expired`"), "{}", typo.stderr);
}

#[test]
fn the_support_bundle_holds_json_and_markdown() {
    let dir = tempfile::tempdir().unwrap();
    let out = doctor(&troubled(), &["--report", dir.path().to_str().unwrap()]);
    assert_eq!(out.code, 1);
    let mut names: Vec<String> =
        std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    assert_eq!(names, ["20270101T000000Z-sfjwt.json", "20270101T000000Z-sfjwt.md"]);
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join(&names[0])).unwrap()).unwrap();
    assert_eq!(json["schema"], "sfjwt.report.v1");
    let sources: Vec<&str> = json["inputs"].as_array().unwrap().iter().map(|i| i["source"].as_str().unwrap()).collect();
    assert!(sources.contains(&"flag --client-id"), "{sources:?}");
    let markdown = std::fs::read_to_string(dir.path().join(&names[1])).unwrap();
    assert!(
        markdown.contains("## Inputs")
            && markdown.contains("## Causes")
            && markdown.contains(&format!("**sfjwt:** {}", env!("CARGO_PKG_VERSION")))
    );
    assert!(out.stderr.contains("support bundle written"), "{}", out.stderr);
}

#[test]
fn identities_can_be_redacted() {
    for &format in formats() {
        let out = doctor(&troubled(), &["--format", format, "--redact-identities"]);
        assert!(!out.stdout.contains("ci@acme.com.uat"), "{format} shows the username:\n{}", out.stdout);
        assert!(out.stdout.contains(".com.uat"), "{format} keeps the sandbox suffix");
    }
}

#[test]
fn everything_can_come_from_the_environment() {
    let out = Test::new()
        .env("SFJWT_CLIENT_ID", CLIENT_ID)
        .env("SFJWT_USERNAME", "ci@example.com")
        .env("SFJWT_KEY", read_fixture("keys/mangled/base64-of-pem.txt"))
        .env("SFJWT_CERT", fixture("certs/rsa2048.crt"))
        .env("SFJWT_INSTANCE_URL", "https://login.salesforce.com")
        .env("SFJWT_OFFLINE", "true")
        .env("SFJWT_FORMAT", "json")
        .arg("doctor")
        .run();
    out.status(0);
    let inputs = out.json()["inputs"].clone();
    let sources: Vec<String> =
        inputs.as_array().unwrap().iter().map(|i| i["source"].as_str().unwrap().to_string()).collect();
    for expected in
        ["env SFJWT_CLIENT_ID", "env SFJWT_USERNAME", "env SFJWT_KEY", "env SFJWT_CERT", "env SFJWT_INSTANCE_URL"]
    {
        assert!(sources.iter().any(|s| s == expected), "{expected} not in {sources:?}");
    }
}

#[test]
fn completions_and_man_page() {
    Test::new()
        .args(["completions", "bash"])
        .run()
        .status(0)
        .stdout_contains("_sfjwt")
        .stdout_contains("--jwt-key-file");
    Test::new().args(["completions", "zsh"]).run().status(0).stdout_contains("#compdef sfjwt");
    let man = Test::new().arg("man").run();
    assert!(
        man.stdout.starts_with(".ie") || man.stdout.contains(".TH sfjwt"),
        "{}",
        &man.stdout[..200.min(man.stdout.len())]
    );
    assert!(man.stdout.contains("Exit codes"));
}

#[test]
fn usage_errors_exit_2_with_clap_message() {
    Test::new()
        .args(["doctor", "--no-such-flag"])
        .run()
        .status(2)
        .stderr_contains("error: unknown flag `--no-such-flag`");
}
