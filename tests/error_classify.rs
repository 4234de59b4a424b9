//! `--error`: an answer sfjwt does not know is reported verbatim, never dropped, and the evidence
//! around a captured answer narrows its cause. Every captured form users paste, with its top cause
//! and exit code, is a scenario in `scenarios.rs`.

use crate::support::{Output, Test};

fn classify(args: &[&str]) -> Output {
    Test::new().args(["doctor", "--format", "json"]).args(args).run()
}

fn file(name: &str) -> String {
    format!("@tests/fixtures/captured/{name}")
}

#[test]
fn an_unknown_answer_is_kept_verbatim() {
    let out =
        classify(&["--error", r#"{"error":"weird_new_error","error_description":"the moon is in the wrong phase"}"#]);
    assert_eq!(out.causes(), ["endpoint.unknown-error"]);
    let evidence = out.json()["causes"][0]["evidence"].to_string();
    assert!(evidence.contains("weird_new_error") && evidence.contains("the moon is in the wrong phase"), "{evidence}");
    // Prose with no failure in it is a usage error that says what sfjwt can read (issue 11).
    let prose = classify(&["--error", "Something odd happened while logging in"]);
    assert_eq!(prose.code, 2, "{}", prose.stdout);
    assert!(
        prose.stderr.contains("holds no failure sfjwt can read") && prose.stderr.contains("sf CLI"),
        "{}",
        prose.stderr
    );
}

#[test]
fn facts_in_the_text_stand_in_for_flags() {
    let out = classify(&["--error", &file("legacy_sfdx.txt")]);
    let inputs = out.json()["inputs"].clone();
    let from_text: Vec<&str> = inputs
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["source"] == "the --error text")
        .map(|i| i["name"].as_str().unwrap())
        .collect();
    assert_eq!(from_text, ["client id", "username", "instance URL"]);
}

#[test]
fn evidence_narrows_not_approved() {
    let scratch =
        classify(&["--error", "user hasn't approved this consumer", "--username", "test-wvkpnfm5z113@example.com"]);
    assert_eq!(scratch.causes()[0], "approval.scratch-not-replicated", "{}", scratch.stdout);
    let sandbox_on_prod = classify(&[
        "--error",
        "user hasn't approved this consumer",
        "--username",
        "ci@acme.com.uat",
        "--instance-url",
        "https://login.salesforce.com",
    ]);
    assert_eq!(sandbox_on_prod.causes()[0], "host.environment-mismatch", "{}", sandbox_on_prod.stdout);
    let generic = sandbox_on_prod.cause("approval.missing");
    assert_eq!(generic["severity"], "info", "the generic cause yields to the specific one");
    let my_domain = classify(&[
        "--error",
        "user hasn't approved this consumer",
        "--client-id",
        "3MVG9x",
        "--username",
        "ci@acme.com",
        "--audience",
        "https://acme.my.salesforce.com",
    ]);
    assert!(my_domain.causes().contains(&"claims.aud-my-domain".to_string()));
    let swapped = classify(&[
        "--error",
        "user hasn't approved this consumer",
        "--assertion",
        "@fixtures/assertions/aud-sub-swapped.jwt",
    ]);
    assert_eq!(swapped.causes()[0], "claims.aud-sub-swapped", "{}", swapped.stdout);
}

#[test]
fn the_sf_cli_attempts_are_listed_and_folded() {
    let out = Test::new()
        .args(["doctor", "--error", &file("sf-cli-2.146/mitm_mydomain_a_json.stdout")])
        .args(["--instance-url", "https://acme.my.salesforce.com"])
        .run();
    out.stdout_contains("Token requests, in order:");
    assert!(out.stdout.contains("×5") || out.stdout.matches("user hasn't approved").count() >= 5, "{}", out.stdout);
}

#[test]
fn an_external_client_app_behind_the_generic_host_needs_the_my_domain() {
    let body = r#"{"error":"invalid_grant","error_description":"External client app is not installed in this org"}"#;
    let on_login = classify(&["--error", body, "--instance-url", "https://login.salesforce.com"]);
    assert_eq!(on_login.causes(), ["client.eca-not-installed", "host.my-domain-required"], "{}", on_login.stdout);
    let unknown_host = classify(&["--error", body]);
    assert_eq!(unknown_host.causes(), ["client.eca-not-installed"], "the default host is not evidence");
}
