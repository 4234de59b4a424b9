//! `--error`: every form users paste is classified offline into the right causes and exit code,
//! and an answer sfjwt does not know is reported verbatim, never dropped.

mod support;

use support::cli::{Run, command, run};

fn classify(args: &[&str]) -> Run {
    run(command().args(["doctor", "--format", "json"]).args(args))
}

fn file(name: &str) -> String {
    format!("@tests/fixtures/captured/{name}")
}

/// (file, the top cause, exit code)
const CLI_OUTPUTS: &[(&str, &str, i32)] = &[
    ("sf-cli-2.146/a_json.stdout", "approval.missing", 1),
    ("sf-cli-2.146/a_text.stderr", "approval.missing", 1),
    ("sf-cli-2.146/a_tty.stdout", "approval.missing", 1),
    ("sf-cli-2.146/b_json.stdout", "claims.aud-invalid", 1),
    ("sf-cli-2.146/c_json.stdout", "pair.key-cert-mismatch", 1),
    ("sf-cli-2.146/d_text.stderr", "client.unknown-client-id", 1),
    ("sf-cli-2.146/e_json.stdout", "approval.user-not-preauthorized", 1),
    ("sf-cli-2.146/f_json.stdout", "org.unavailable", 1),
    ("sf-cli-2.146/g_json.stdout", "endpoint.unreachable", 3),
    ("sf-cli-2.146/mitm_mydomain_b_json.stdout", "claims.aud-my-domain", 1),
    ("sf-cli-2.146/key_missing_file_json.stdout", "key.unreadable", 1),
    ("sf-cli-2.146/key_directory_text.stderr", "key.unreadable", 1),
    ("sf-cli-2.146/key_empty_file_json.stdout", "key.empty", 1),
    ("sf-cli-2.146/key_rsa1024_json.stdout", "key.too-small", 1),
    ("sf-cli-2.146/key_ec_p256_text.stderr", "key.not-rsa", 1),
    ("sf-cli-2.146/key_encrypted_pkcs8_json.stdout", "key.mangled", 1),
    ("sf-cli-2.146/flag_lightning_url_json.stdout", "host.lightning-domain", 1),
    ("sf-cli-2.146/flag_bad_url_json.stdout", "host.invalid-url", 1),
    ("sf-cli-2.146/flag_missing_client_id_json.stdout", "claims.iss-missing", 1),
    ("sf-cli-2.146/legacy_sfdx_auth_jwt_grant_text.stderr", "approval.missing", 1),
    ("sfdx_v7_due_to.txt", "approval.missing", 1),
    // `sf org create user` (CreateUserCommand): a Hyperforce scratch org's user (issue 11).
    ("sf_sferror.json", "approval.hyperforce-scratch-user", 1),
    ("legacy_sfdx.txt", "pair.key-cert-mismatch", 1),
    ("pem_no_start_line.txt", "key.mangled", 1),
    ("guzzle.txt", "approval.missing", 1),
    ("simple_salesforce.txt", "approval.missing", 1),
    ("simple_salesforce_code_message.txt", "clock.skew", 1),
    ("apex_code_phrase.txt", "claims.aud-invalid", 1),
    ("apex_debug.log", "approval.missing", 1),
    ("n8n.txt", "approval.missing", 1),
    ("n8n_ui.txt", "approval.user-not-preauthorized", 1),
    ("talend.txt", "client.unknown-client-id", 1),
    ("curl_verbose.txt", "client.unknown-client-id", 1),
    ("transcript_html.http", "org.unavailable", 1),
    ("transcript_request_response.http", "approval.missing", 1),
];

#[test]
fn every_captured_form_is_classified() {
    let mut failures = Vec::new();
    for (name, top, code) in CLI_OUTPUTS {
        let out = classify(&["--error", &file(name)]);
        let causes = out.causes();
        if causes.first().map(String::as_str) != Some(top) || out.code != *code {
            failures.push(format!("{name}: got {causes:?} exit {}, want {top} exit {code}", out.code));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_successful_run_is_not_a_failure() {
    for name in ["sf-cli-2.146/ok_json.stdout", "sf-cli-2.146/ok_text.stderr", "sf-cli-2.146/ok_text.stdout"] {
        let out = classify(&["--error", &file(name)]);
        assert_eq!((out.code, out.causes().len()), (0, 0), "{name}: {}", out.stdout);
    }
}

/// Every error string of sf_facts.md §2.4, as raw token-endpoint JSON.
#[test]
fn every_token_endpoint_error_maps_to_its_cause() {
    let cases = [
        ("invalid_grant", "user hasn't approved this consumer", "approval.missing"),
        ("invalid_grant", "audience is invalid", "claims.aud-invalid"),
        ("invalid_client_id", "client identifier invalid", "client.unknown-client-id"),
        ("invalid_grant", "invalid assertion", "pair.key-cert-mismatch"),
        ("invalid_client", "invalid client credentials", "client.invalid-credentials"),
        ("invalid_grant", "expired authorization code", "clock.skew"),
        ("invalid_app_access", "user is not admin approved to access this app", "approval.user-not-preauthorized"),
        ("invalid_grant", "External client app is not installed in this org", "client.eca-not-installed"),
        ("invalid_client", "app must be installed into org", "client.app-not-installed"),
        ("invalid_grant", "ip restricted", "user.ip-restricted"),
        ("invalid_grant", "IP restricted or invalid login hours", "user.ip-restricted"),
        ("inactive_user", "user is inactive", "user.inactive"),
        ("inactive_org", "organization is locked, closed, or suspended", "org.inactive"),
        ("rate_limit_exceeded", "number of logins exceeded", "user.login-rate-exceeded"),
        ("unsupported_grant_type", "grant type not supported", "client.unsupported-grant"),
        ("invalid_request", "HTTPS required", "host.insecure"),
        ("invalid_grant", "authentication failure", "endpoint.unknown-error"),
        ("invalid_grant", "expired access/refresh token", "flow.not-jwt"),
        ("invalid_grant", "no valid scopes defined", "flow.not-jwt"),
    ];
    let mut failures = Vec::new();
    for (error, description, cause) in cases {
        let body = format!(r#"{{"error":"{error}","error_description":"{description}"}}"#);
        let out = classify(&["--error", &body]);
        if !out.causes().iter().any(|c| c == cause) || out.code != 1 {
            failures.push(format!("{error}/{description}: got {:?} exit {}, want {cause}", out.causes(), out.code));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let html = classify(&["--error", "<html><head><title>Data Not Available</title></head><body>…</body></html>"]);
    assert_eq!(html.causes(), ["org.unavailable"]);
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
    let generic = sandbox_on_prod.json()["causes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "approval.missing")
        .cloned()
        .unwrap();
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
    let out = run(command().args([
        "doctor",
        "--error",
        &file("sf-cli-2.146/mitm_mydomain_a_json.stdout"),
        "--instance-url",
        "https://acme.my.salesforce.com",
    ]));
    assert!(out.stdout.contains("Token requests, in order:"), "{}", out.stdout);
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
