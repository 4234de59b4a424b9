//! `sfjwt::captured` against the real sf CLI's output and hand-written samples of every other form.

use std::time::{Duration, Instant};

use sfjwt::captured::{self, Captured, Form, Symptom};

use Symptom::{
    AudienceInvalid, ClientIdInvalid, Empty, FetchFailed, Html, InvalidAssertion, NotAdminApproved, NotApproved,
};
use Symptom::{
    InvalidInstanceUrl, KeyEmpty, KeyFileIsDirectory, KeyFileMissing, KeyNotAsymmetric, KeyNotRsa, KeyTooSmall,
    MissingClientId,
};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/captured");
const LOOPBACK: &str = "http://127.0.0.1:42005";
const LOOPBACK_HREF: &str = "http://127.0.0.1:42005/";
const LOGIN: &str = "https://login.salesforce.com";
const TEST: &str = "https://test.salesforce.com";

fn fixture(name: &str) -> String {
    let path = format!("{FIXTURES}/{name}");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn sf_output(name: &str) -> String {
    fixture(&format!("sf-cli-2.146/{name}"))
}

fn kinds(captured: &Captured) -> Vec<Symptom> {
    captured.answers.iter().map(|a| a.kind).collect()
}

fn attempts(captured: &Captured) -> Vec<(Option<&str>, Option<&str>)> {
    captured.answers.iter().map(|a| (a.login.as_deref(), a.audience.as_deref())).collect()
}

fn locals(captured: &Captured) -> Vec<(Symptom, usize)> {
    captured.local_errors.iter().map(|e| (e.kind, e.count)).collect()
}

/// What each real sf CLI case must yield: answer kinds and local errors (kind, count).
fn expected(case: &str) -> (Vec<Symptom>, Vec<(Symptom, usize)>) {
    let loopback = |first: Symptom| vec![first, FetchFailed, FetchFailed, first, first];
    match case {
        "a"
        | "a_after_success"
        | "flag_localhost_url"
        | "key_crlf_ok"
        | "key_pkcs1_ok"
        | "legacy_sf_force_auth_jwt_grant"
        | "legacy_sf_force_colon_auth_jwt_grant"
        | "legacy_sf_org_login_jwt_short_flags"
        | "legacy_sfdx_auth_jwt_grant" => (loopback(NotApproved), vec![]),
        "b" => (loopback(AudienceInvalid), vec![]),
        "c" => (loopback(InvalidAssertion), vec![]),
        "d" => (loopback(ClientIdInvalid), vec![]),
        "e" => (loopback(NotAdminApproved), vec![]),
        "f" => (loopback(Html), vec![]),
        "g" | "g_debuglog" => (vec![FetchFailed; 5], vec![]),
        "env_SF_AUDIENCE_URL" => {
            let mut kinds = vec![NotApproved];
            kinds.extend([FetchFailed; 5]);
            kinds.extend([NotApproved; 3]);
            kinds.extend([FetchFailed; 2]);
            (kinds, vec![])
        }
        "flag_bad_url" => (vec![], vec![(InvalidInstanceUrl, 1)]),
        "flag_lightning_url" => (vec![], vec![(Symptom::LightningInstanceUrl, 1)]),
        "flag_missing_client_id" => (vec![], vec![(MissingClientId, 1)]),
        "flag_no_instance_url_offline" => (vec![FetchFailed; 2], vec![]),
        "flag_url_with_path" => (vec![Empty, FetchFailed, FetchFailed, Empty, Empty], vec![]),
        "key_cert_instead_of_key"
        | "key_der_binary"
        | "key_encrypted_pkcs1"
        | "key_encrypted_pkcs8"
        | "key_public_key"
        | "key_truncated" => (vec![], vec![(KeyNotAsymmetric, 5)]),
        "key_directory" => (vec![], vec![(KeyFileIsDirectory, 1)]),
        "key_ec_p256" => (vec![], vec![(KeyNotRsa, 5)]),
        "key_empty_file" => (vec![], vec![(KeyEmpty, 5)]),
        "key_missing_file" => (vec![], vec![(KeyFileMissing, 1)]),
        "key_rsa1024" => (vec![], vec![(KeyTooSmall, 5)]),
        "mitm_default_a" => (vec![NotApproved; 2], vec![]),
        "mitm_login_a" | "mitm_test_a" => (vec![NotApproved; 3], vec![]),
        "mitm_mydomain_a" | "mitm_sandbox_mydomain_a" => (vec![NotApproved; 5], vec![]),
        "mitm_mydomain_b" => (vec![AudienceInvalid; 5], vec![]),
        "mitm_mydomain_c" => (vec![InvalidAssertion; 5], vec![]),
        "mitm_mydomain_d" => (vec![ClientIdInvalid; 5], vec![]),
        "mitm_mydomain_e" => (vec![NotAdminApproved; 5], vec![]),
        "mitm_mydomain_f" => (vec![Html; 5], vec![]),
        "ok" | "ok_with_alias" => (vec![], vec![]),
        other => panic!("no expectation for {other}"),
    }
}

/// The real outputs named `<case><marker>[<more>]<extension>`, as (case + more, file name).
fn sf_cases(marker: &str, extension: &str) -> Vec<(String, String)> {
    let mut cases: Vec<(String, String)> = std::fs::read_dir(format!("{FIXTURES}/sf-cli-2.146"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .filter_map(|name| {
            let stem = name.strip_suffix(extension)?;
            stem.contains(marker).then(|| (stem.replacen(marker, "", 1), name.clone()))
        })
        .collect();
    cases.sort();
    cases
}

#[test]
fn every_real_json_output() {
    let cases = sf_cases("_json", ".stdout");
    assert_eq!(cases.len(), 44);
    for (case, file) in cases {
        let captured = captured::parse(&sf_output(&file), None);
        let (answers, local_errors) = expected(&case);
        assert_eq!(captured.form, Form::SfCliJson, "{file}");
        assert_eq!(kinds(&captured), answers, "{file}");
        assert_eq!(locals(&captured), local_errors, "{file}");
        assert!(captured.answers.iter().all(|a| a.error.is_none()), "{file}");
        assert!(!captured.contained_secret, "{file}");
    }
}

#[test]
fn every_real_text_output() {
    // ok_text.stderr holds only the insecure-protocol warning of a success.
    let mut cases: Vec<_> = sf_cases("_text", ".stderr").into_iter().filter(|(case, _)| case != "ok").collect();
    cases.push(("a".into(), "a_tty.stdout".into()));
    assert_eq!(cases.len(), 26);
    for (case, file) in cases {
        let text = sf_output(&file);
        let captured = captured::parse(&text, None);
        let (answers, local_errors) = expected(&case);
        assert_eq!(captured.form, Form::SfCliText, "{file}");
        assert_eq!(kinds(&captured), answers, "{file}");
        assert_eq!(locals(&captured), local_errors, "{file}");
        if let Some((_, origin)) = text.split_once("insecure protocol: http: on url: ") {
            assert_eq!(captured.hosts, [origin.trim()], "{file}");
        }
    }
}

#[test]
fn ansi_and_crlf_make_no_difference() {
    let plain = captured::parse(&sf_output("a_text.stderr"), None);
    let tty = captured::parse(&sf_output("a_tty.stdout"), None);
    let crlf = captured::parse(&sf_output("a_text.stderr").replace('\n', "\r\n"), None);
    assert_eq!(tty, plain);
    assert_eq!(crlf, plain);
}

#[test]
fn the_hint_assigns_each_line_its_attempt() {
    let captured = captured::parse(&sf_output("a_json.stdout"), Some(LOOPBACK));
    assert_eq!(
        attempts(&captured),
        [
            (Some(LOOPBACK_HREF), Some(LOOPBACK_HREF)),
            (Some(TEST), Some(TEST)),
            (Some(LOGIN), Some(LOGIN)),
            (Some(LOOPBACK_HREF), Some(LOGIN)),
            (Some(LOOPBACK_HREF), Some(TEST)),
        ]
    );
}

#[test]
fn without_a_hint_json_lines_stay_unassigned() {
    let captured = captured::parse(&sf_output("a_json.stdout"), None);
    assert!(attempts(&captured).iter().all(|a| *a == (None, None)));
}

#[test]
fn the_insecure_protocol_warning_recovers_the_login_url() {
    let captured = captured::parse(&sf_output("a_text.stderr"), None);
    assert_eq!(attempts(&captured)[1], (Some(TEST), Some(TEST)));
    assert_eq!(attempts(&captured)[4], (Some(LOOPBACK_HREF), Some(TEST)));
}

#[test]
fn bracketed_lines_recover_the_order_for_the_others() {
    let captured = captured::parse(&sf_output("b_json.stdout"), None);
    assert_eq!(
        attempts(&captured),
        [
            (Some(LOOPBACK_HREF), Some(LOOPBACK_HREF)),
            (Some(TEST), Some(TEST)),
            (Some(LOGIN), Some(LOGIN)),
            (Some(LOOPBACK_HREF), Some(LOGIN)),
            (Some(LOOPBACK_HREF), Some(TEST)),
        ]
    );
    assert_eq!(captured.answers[0].description, "audience is invalid");
}

#[test]
fn my_domain_lines_carry_their_own_attempts() {
    let me = "https://acme.my.salesforce.com/";
    let captured = captured::parse(&sf_output("mitm_mydomain_b_text.stderr"), None);
    assert_eq!(
        attempts(&captured),
        [
            (Some(me), Some(me)),
            (Some(TEST), Some(TEST)),
            (Some(LOGIN), Some(LOGIN)),
            (Some(me), Some(LOGIN)),
            (Some(me), Some(TEST)),
        ]
    );
    assert_eq!(
        captured.hosts,
        ["https://acme.my.salesforce.com", "https://test.salesforce.com", "https://login.salesforce.com"]
    );
}

#[test]
fn a_hint_is_used_only_when_the_line_count_matches() {
    let text = sf_output("mitm_mydomain_a_json.stdout");
    let right = captured::parse(&text, Some("https://acme.my.salesforce.com"));
    assert_eq!(attempts(&right)[3], (Some("https://acme.my.salesforce.com/"), Some(LOGIN)));
    let wrong = captured::parse(&text, Some("https://login.salesforce.com"));
    assert!(attempts(&wrong).iter().all(|a| *a == (None, None)));

    let test = captured::parse(&sf_output("mitm_test_a_json.stdout"), Some(TEST));
    assert_eq!(
        attempts(&test),
        [
            (Some("https://test.salesforce.com/"), Some(TEST)),
            (Some(LOGIN), Some(LOGIN)),
            (Some("https://test.salesforce.com/"), Some(LOGIN)),
        ]
    );

    // SF_AUDIENCE_URL made 11 attempts; the hint alone predicts 5.
    let env = captured::parse(&sf_output("env_SF_AUDIENCE_URL_json.stdout"), Some(LOOPBACK));
    assert_eq!(env.answers.len(), 11);
    assert!(attempts(&env).iter().all(|a| *a == (None, None)));
}

#[test]
fn empty_answers_keep_their_positions() {
    let with_path = "http://127.0.0.1:42005/some/path";
    let captured = captured::parse(&sf_output("flag_url_with_path_json.stdout"), Some(with_path));
    assert_eq!(captured.answers[0].description, "");
    assert_eq!(attempts(&captured)[0], (Some(with_path), Some(with_path)));
    assert_eq!(attempts(&captured)[4], (Some(with_path), Some(TEST)));
}

#[test]
fn html_answers_keep_the_body() {
    let captured = captured::parse(&sf_output("f_json.stdout"), None);
    assert!(captured.answers[0].description.starts_with("<html><head><title>Error</title>"));
}

#[test]
fn key_errors_name_the_file() {
    let captured = captured::parse(&sf_output("key_missing_file_text.stderr"), None);
    assert_eq!(captured.key_path.as_deref(), Some("/home/ci/project/keys/does-not-exist.key"));
    assert_eq!(
        captured.local_errors[0].text,
        "ENOENT: no such file or directory, open '/home/ci/project/keys/does-not-exist.key'"
    );
    assert!(captured.answers.is_empty());

    let empty = captured::parse(&sf_output("key_empty_file_json.stdout"), None);
    assert_eq!(empty.local_errors[0].text, "secretOrPrivateKey must have a value");
}

#[test]
fn success_output_yields_facts_and_no_answer() {
    let captured = captured::parse(&sf_output("ok_json.stdout"), None);
    assert_eq!(captured.form, Form::SfCliJson);
    assert!(captured.answers.is_empty());
    assert_eq!(captured.usernames, ["ci@example.com"]);
    assert_eq!(captured.client_ids, ["3MVGFAKE"]);
    assert_eq!(captured.key_path.as_deref(), Some("/home/ci/project/keys/server.key"));
    assert_eq!(captured.hosts, [LOOPBACK]);

    let warning = captured::parse(&sf_output("ok_text.stderr"), None);
    assert_eq!(warning.hosts, [LOOPBACK]);

    let text = captured::parse(&sf_output("ok_text.stdout"), None);
    assert_eq!(text.form, Form::SfCliText);
    assert!(text.answers.is_empty());
    assert_eq!(text.usernames, ["ci@example.com"]);
}

#[test]
fn older_cli_without_the_error_name_prefix() {
    let captured = captured::parse(&fixture("sf_no_prefix.txt"), None);
    assert_eq!(captured.form, Form::SfCliText);
    assert_eq!(kinds(&captured), [NotApproved, NotApproved, AudienceInvalid]);
    assert_eq!(
        attempts(&captured),
        [
            (Some("https://test.salesforce.com/"), Some(TEST)),
            (Some(LOGIN), Some(LOGIN)),
            (Some("https://test.salesforce.com/"), Some(LOGIN)),
        ]
    );
}

#[test]
fn core_sf_error_json() {
    let captured = captured::parse(&fixture("sf_sferror.json"), None);
    assert_eq!(captured.form, Form::SfCliJson);
    assert_eq!(kinds(&captured), [NotApproved; 5]);
}

#[test]
fn pre_2022_single_attempt_messages() {
    let json = captured::parse(&fixture("sfdx_pre2022.json"), None);
    assert_eq!(json.form, Form::SfCliJson);
    assert_eq!(kinds(&json), [NotApproved]);
    assert_eq!(json.answers[0].description, "user hasn't approved this consumer");

    let text = captured::parse(&fixture("sfdx_v7_due_to.txt"), None);
    assert_eq!(text.form, Form::SfCliText);
    assert_eq!(kinds(&text), [NotApproved]);
    assert_eq!(text.usernames, ["ci@example.com"]);
    assert_eq!(text.client_ids, ["3MVG9FAKEconsumerKEY"]);
    assert_eq!(text.key_path.as_deref(), Some("assets/server.key"));

    let pem = captured::parse(&fixture("pem_no_start_line.txt"), None);
    assert_eq!(locals(&pem), [(Symptom::PemNoStartLine, 1)]);
    assert_eq!(pem.local_errors[0].text, "error:0906D06C:PEM routines:PEM_read_bio:no start line");
    assert!(pem.answers.is_empty());
}

#[test]
fn a_pasted_command_line_gives_the_login_url() {
    let captured = captured::parse(&fixture("ci_log_with_command.txt"), None);
    assert_eq!(kinds(&captured), [NotApproved; 5]);
    assert_eq!(
        attempts(&captured)[0],
        (Some("https://acme.my.salesforce.com/"), Some("https://acme.my.salesforce.com/"))
    );
    assert_eq!(captured.hosts, ["https://acme.my.salesforce.com"]);
    assert_eq!(captured.usernames, ["ci@example.com"]);
    assert_eq!(captured.key_path.as_deref(), Some("server.key"));
}

#[test]
fn other_local_errors_in_text() {
    let cases = [
        ("Error: Client ID is required for JWT authentication.", MissingClientId),
        ("Error (JwtGrantError): Unexpected end of JSON input", Symptom::CorruptAuthFile),
    ];
    for (text, kind) in cases {
        let captured = captured::parse(text, None);
        assert_eq!(locals(&captured), [(kind, 1)], "{text}");
        assert!(captured.answers.is_empty(), "{text}");
    }
}

#[test]
fn legacy_sfdx_message() {
    let captured = captured::parse(&fixture("legacy_sfdx.txt"), None);
    assert_eq!(captured.form, Form::LegacySfdx);
    let answer = &captured.answers[0];
    assert_eq!(answer.error.as_deref(), Some("invalid_grant"));
    assert_eq!(answer.description, "invalid assertion");
    assert_eq!(answer.kind, InvalidAssertion);
    assert_eq!(answer.login.as_deref(), Some(LOGIN));
    assert_eq!(captured.usernames, ["ci@example.com"]);
    assert_eq!(captured.client_ids, ["3MVG9FAKEconsumerKEY"]);
    assert_eq!(captured.hosts, [LOGIN]);
    assert_eq!(captured.key_path.as_deref(), Some("/home/ci/build/assets/server.key"));
}

#[test]
fn raw_token_json_in_its_spellings() {
    let strict =
        captured::parse(r#"{"error":"invalid_grant","error_description":"user hasn't approved this consumer"}"#, None);
    assert_eq!(strict.form, Form::TokenJson);
    assert_eq!(strict.answers[0].error.as_deref(), Some("invalid_grant"));
    assert_eq!(strict.answers[0].description, "user hasn't approved this consumer");
    assert_eq!(strict.answers[0].kind, NotApproved);

    let loose =
        captured::parse(r"{error: 'invalid_grant', error_description: 'user hasn\'t approved this consumer'}", None);
    assert_eq!(loose.answers, strict.answers);
    assert_eq!(loose.form, Form::TokenJson);

    let code_only = captured::parse("{\"error\":\"invalid_client_id\"}\n", None);
    assert_eq!(code_only.form, Form::TokenJson);
    assert_eq!(code_only.answers[0].kind, ClientIdInvalid);
    assert_eq!(code_only.answers[0].description, "{\"error\":\"invalid_client_id\"}");

    for (code, kind) in [
        ("inactive_user", Symptom::InactiveUser),
        ("rate_limit_exceeded", Symptom::RateLimited),
        ("unsupported_grant_type", Symptom::UnsupportedGrantType),
        ("invalid_app_access", NotAdminApproved),
    ] {
        let captured = captured::parse(&format!(r#"{{"error":"{code}"}}"#), None);
        assert_eq!(captured.answers[0].kind, kind, "{code}");
    }
}

#[test]
fn newer_capitalised_descriptions() {
    for (description, kind) in [
        ("User is inactive", Symptom::InactiveUser),
        ("Org is locked, closed, or suspended", Symptom::InactiveOrg),
        ("Number of logins exceeded", Symptom::RateLimited),
        ("ip restricted", Symptom::IpRestricted),
        ("IP restricted or invalid login hours", Symptom::IpRestricted),
    ] {
        let body = format!(r#"{{"error":"invalid_grant","error_description":"{description}"}}"#);
        assert_eq!(captured::parse(&body, None).answers[0].kind, kind, "{description}");
        assert_eq!(Symptom::classify(None, description), kind);
    }
}

#[test]
fn http_transcript_with_its_request() {
    let captured = captured::parse(&fixture("transcript_request_response.http"), None);
    assert_eq!(captured.form, Form::HttpTranscript);
    assert_eq!(captured.http_status, Some(400));
    assert_eq!(captured.date.as_deref(), Some("Sun, 22 Nov 2026 21:40:42 GMT"));
    assert!(captured.contained_secret);
    let answer = &captured.answers[0];
    assert_eq!(answer.error.as_deref(), Some("invalid_grant"));
    assert_eq!(answer.kind, NotApproved);
    assert_eq!(answer.http_status, Some(400));
    assert_eq!(answer.login.as_deref(), Some(LOGIN));
    assert_eq!(answer.audience.as_deref(), Some(LOGIN));
    assert_eq!(captured.hosts, [LOGIN]);
    assert_eq!(captured.usernames, ["ci@example.com"]);
    assert_eq!(captured.client_ids, ["3MVG9FAKEconsumerKEY"]);
}

#[test]
fn curl_verbose_transcript() {
    let captured = captured::parse(&fixture("curl_verbose.txt"), None);
    assert_eq!(captured.form, Form::HttpTranscript);
    assert_eq!(kinds(&captured), [ClientIdInvalid]);
    assert_eq!(captured.answers[0].login.as_deref(), Some("https://acme.my.salesforce.com"));
    assert_eq!(captured.date.as_deref(), Some("Mon, 23 Nov 2026 08:01:12 GMT"));
    assert!(!captured.contained_secret);
}

#[test]
fn html_transcript() {
    let captured = captured::parse(&fixture("transcript_html.http"), None);
    assert_eq!(captured.http_status, Some(503));
    assert_eq!(kinds(&captured), [Html]);
    assert!(captured.answers[0].description.contains("Data Not Available"));
}

#[test]
fn bare_status_and_body() {
    let captured = captured::parse(
        "HTTP/1.1 400 Bad Request\n{\"error\":\"invalid_grant\",\"error_description\":\"expired authorization code\"}",
        None,
    );
    assert_eq!(kinds(&captured), [Symptom::ExpiredAuthorizationCode]);
    assert_eq!(captured.answers[0].http_status, Some(400));
}

#[test]
fn secrets_never_reach_the_output() {
    let text = fixture("transcript_canary.http");
    let assertions: Vec<&str> =
        text.lines().filter_map(|line| line.split_once("assertion=").map(|(_, jwt)| jwt)).collect();
    assert_eq!(assertions.len(), 2);

    let captured = captured::parse(&text, None);
    assert!(captured.contained_secret);
    assert_eq!(kinds(&captured), [AudienceInvalid]);
    assert_eq!(captured.answers[0].login.as_deref(), Some(TEST));
    assert_eq!(captured.answers[0].audience.as_deref(), Some(TEST));

    let debug = format!("{captured:?}");
    let json = serde_json::to_string(&captured).unwrap();
    for output in [&debug, &json] {
        for jwt in &assertions {
            assert!(!output.contains(jwt));
            assert!(!output.contains(jwt.rsplit('.').next().unwrap()));
        }
        assert!(!output.contains("Canary"), "{output}");
        assert!(!output.contains("00D5e000000CANA!"), "{output}");
    }
}

#[test]
fn private_keys_are_never_echoed() {
    let key = format!(
        "-----BEGIN {label}-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END {label}-----\n",
        label = "PRIVATE KEY"
    );
    let captured = captured::parse(&key, None);
    assert!(captured.contained_secret);
    assert!(!format!("{captured:?}").contains("MIIEvQ"));
}

#[test]
fn guzzle() {
    let captured = captured::parse(&fixture("guzzle.txt"), None);
    assert_eq!(captured.form, Form::ClientLibrary("guzzle".into()));
    assert_eq!(captured.http_status, Some(400));
    assert_eq!(kinds(&captured), [NotApproved]);
    let answer = &captured.answers[0];
    assert_eq!(answer.error.as_deref(), Some("invalid_grant"));
    assert_eq!(answer.http_status, Some(400));
    assert_eq!(answer.login.as_deref(), Some("https://acme.my.salesforce.com"));
    assert_eq!(captured.hosts, ["https://acme.my.salesforce.com"]);
}

#[test]
fn simple_salesforce() {
    let captured = captured::parse(&fixture("simple_salesforce.txt"), None);
    assert_eq!(captured.form, Form::ClientLibrary("simple-salesforce".into()));
    assert_eq!(kinds(&captured), [NotApproved]);
    assert_eq!(captured.answers[0].error.as_deref(), Some("invalid_grant"));
    assert_eq!(captured.usernames, ["ci@example.com"]);
    assert_eq!(captured.client_ids, ["3MVG9FAKEconsumerKEY"]);
    assert_eq!(captured.key_path.as_deref(), Some("/app/keys/server.key"));

    let variant = captured::parse(&fixture("simple_salesforce_code_message.txt"), None);
    assert_eq!(variant.form, Form::ClientLibrary("simple-salesforce".into()));
    assert_eq!(kinds(&variant), [Symptom::ExpiredAuthorizationCode]);
    assert_eq!(variant.answers[0].error.as_deref(), Some("invalid_grant"));
    assert_eq!(variant.answers[0].description, "expired authorization code");
}

#[test]
fn apex() {
    let log = captured::parse(&fixture("apex_debug.log"), None);
    assert_eq!(log.form, Form::ClientLibrary("apex".into()));
    assert_eq!(kinds(&log), [NotApproved], "the log repeats the exception");

    let phrase = captured::parse(&fixture("apex_code_phrase.txt"), None);
    assert_eq!(phrase.form, Form::ClientLibrary("apex".into()));
    assert_eq!(kinds(&phrase), [AudienceInvalid]);
    assert_eq!(phrase.answers[0].description, "audience is invalid");
}

#[test]
fn n8n() {
    let captured = captured::parse(&fixture("n8n.txt"), None);
    assert_eq!(captured.form, Form::ClientLibrary("n8n".into()));
    assert_eq!(captured.http_status, Some(400));
    assert_eq!(kinds(&captured), [NotApproved]);

    let ui = captured::parse(&fixture("n8n_ui.txt"), None);
    assert_eq!(ui.form, Form::ClientLibrary("n8n".into()));
    assert_eq!(ui.http_status, Some(400));
    assert_eq!(kinds(&ui), [NotAdminApproved]);
    assert_eq!(ui.answers[0].error.as_deref(), Some("invalid_app_access"));
}

#[test]
fn talend() {
    let captured = captured::parse(&fixture("talend.txt"), None);
    assert_eq!(captured.form, Form::ClientLibrary("talend".into()));
    assert_eq!(captured.http_status, Some(400));
    assert_eq!(captured.hosts, [LOGIN]);
    assert_eq!(kinds(&captured), [ClientIdInvalid]);
    assert_eq!(captured.answers[0].login.as_deref(), Some(LOGIN));
}

#[test]
fn restforce() {
    let captured = captured::parse(&fixture("restforce.txt"), None);
    assert_eq!(captured.form, Form::ClientLibrary("restforce".into()));
    assert_eq!(kinds(&captured), [Symptom::AuthenticationFailure]);
    assert_eq!(captured.answers[0].description, "authentication failure");
}

#[test]
fn a_bare_description_line() {
    let captured = captured::parse("user hasn't approved this consumer\n", None);
    assert_eq!(captured.form, Form::PlainText);
    assert_eq!(kinds(&captured), [NotApproved]);
    assert_eq!(captured.answers[0].description, "user hasn't approved this consumer");
}

#[test]
fn text_with_no_failure_is_unreadable() {
    // Issue 11: such a text is a usage error (`--error … holds no failure sfjwt can read`), not
    // an answer nobody knows.
    let captured = captured::parse("\n  ----\n  Something odd happened: E42  \nmore\n", None);
    assert_eq!(captured.form, Form::PlainText);
    assert!(captured.answers.is_empty() && captured.local_errors.is_empty());
    assert!(captured.is_unreadable());
    assert!(!captured::parse("invalid_grant: user hasn't approved this consumer", None).is_unreadable());
}

#[test]
fn empty_and_blank_input() {
    for text in ["", "   \n\t\n", "\u{feff}"] {
        let captured = captured::parse(text, None);
        assert_eq!(captured.form, Form::PlainText);
        assert!(captured.answers.is_empty());
        assert!(captured.local_errors.is_empty());
    }
}

#[test]
fn binary_junk_does_not_panic() {
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let bytes: Vec<u8> = (0..200_000)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed >> 32) as u8
        })
        .collect();
    let _ = captured::parse_bytes(&bytes, Some("https://x"));
    let _ = captured::parse(&String::from_utf8_lossy(&bytes), None);
    for chunk in bytes.chunks(97).take(500) {
        let _ = captured::parse_bytes(chunk, None);
    }
}

#[test]
fn structural_junk_does_not_panic() {
    for text in [
        "{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{",
        &"[".repeat(100_000),
        &"{\"a\":".repeat(50_000),
        "Errors encountered:",
        "Errors encountered:\n  [audience= login=]",
        "Here’s the error: ::",
        "HTTP/1.1 999 x\n\n",
        "POST / HTTP/1.1\nHTTP/1.1 400\n",
        "This org appears to have a problem with its OAuth configuration. Reason: ",
        "é\u{1b}[é",
        "eyJ.eyJ.eyJ",
    ] {
        let _ = captured::parse(text, Some("not a url"));
    }
}

/// The bounds here and below are generous (a debug build on a loaded 2-core machine takes a few
/// seconds at most) and still catch what matters: a pass that is quadratic in a megabyte of input
/// takes hours.
#[test]
fn huge_input_is_capped_and_fast() {
    let line = r#"{"error":"invalid_grant","error_description":"user hasn't approved this consumer"} eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0 00D "#;
    let huge = line.repeat(20 * 1024 * 1024 / line.len());
    let started = Instant::now();
    let captured = captured::parse(&huge, None);
    assert!(started.elapsed() < Duration::from_secs(30), "{:?}", started.elapsed());
    assert_eq!(kinds(&captured), [NotApproved]);

    let started = Instant::now();
    let _ = captured::parse_bytes(&vec![b'x'; 20 * 1024 * 1024], None);
    assert!(started.elapsed() < Duration::from_secs(30), "{:?}", started.elapsed());
}

#[test]
fn bytes_in_other_encodings() {
    let text = sf_output("key_missing_file_text.stderr");
    let expected = captured::parse(&text, None);

    let mut utf8_bom = b"\xEF\xBB\xBF".to_vec();
    utf8_bom.extend(text.as_bytes());
    assert_eq!(captured::parse_bytes(&utf8_bom, None), expected);

    let mut utf16le = vec![0xFF, 0xFE];
    utf16le.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    assert_eq!(captured::parse_bytes(&utf16le, None), expected);

    let mut utf16be = vec![0xFE, 0xFF];
    utf16be.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
    assert_eq!(captured::parse_bytes(&utf16be, None), expected);

    let invalid = b"user hasn't approved this consumer\xFF\xFE\xC3";
    assert_eq!(kinds(&captured::parse_bytes(invalid, None)), [NotApproved]);
}

#[test]
fn serialises_as_snake_case_data() {
    let captured = captured::parse(&fixture("guzzle.txt"), None);
    let json: serde_json::Value = serde_json::to_value(&captured).unwrap();
    assert_eq!(json["form"], serde_json::json!({"client_library": "guzzle"}));
    assert_eq!(json["answers"][0]["kind"], "not-approved");
}

#[test]
fn legacy_message_inside_json() {
    let json = r#"{"status":1,"name":"authJwtGrantError","message":"This org appears to have a problem with its OAuth configuration. Reason: invalid_grant - user hasn't approved this consumer \nusername: ci@example.com, \nclientId: 3MVG9FAKEconsumerKEY, \nloginUrl: https://test.salesforce.com, \nprivateKey: /ci/server.key","exitCode":1,"commandName":"AuthJwtGrantCommand"}"#;
    let captured = captured::parse(json, None);
    assert_eq!(captured.form, Form::LegacySfdx);
    assert_eq!(kinds(&captured), [NotApproved]);
    assert_eq!(captured.answers[0].login.as_deref(), Some(TEST));
    assert_eq!(captured.usernames, ["ci@example.com"]);
    assert_eq!(captured.client_ids, ["3MVG9FAKEconsumerKEY"]);
    assert_eq!(captured.key_path.as_deref(), Some("/ci/server.key"));
    assert_eq!(captured.hosts, [TEST]);
}

#[test]
fn jsforce_error_objects_carry_the_status() {
    let captured = captured::parse(
        "Error: {error: 'ERROR_HTTP_503', error_description: '<html><body>Maintenance</body></html>'}",
        None,
    );
    assert_eq!(kinds(&captured), [Html]);
    assert_eq!(captured.http_status, Some(503));
}

#[test]
fn hostile_repetitions_stay_fast() {
    let patterns = [
        "username:",
        "error=a&error_description=b&",
        "Here’s the error: s the error: ",
        "{a:{",
        "{\"error\":\"",
        "Errors encountered:\nx  [audience=https://a login=https://b]\n",
        "fetch failed ",
        "<html>\n",
        "sf org login jwt -r https://a.example -o a@b.c\n",
        "http://",
        "00D000000000001!",
        "bearer ",
        "\"alg\" parameter for \"",
        "HTTP/1.1 400 x\nPOST / HTTP/1.1\n",
        "invalid_grant: ",
        "user hasn't approved this consumer ",
    ];
    // A quarter of the scanned size is plenty to expose anything quadratic.
    let size = captured::MAX_SCAN_BYTES / 4;
    let distinct: String = (0..20_000).map(|i| format!("fetch failed {i}\n")).collect();
    let inputs = patterns
        .iter()
        .map(|pattern| (*pattern, pattern.repeat(size / pattern.len()) + "\nline\n"))
        .chain([("distinct lines", distinct)]);
    for (name, input) in inputs {
        let started = Instant::now();
        let _ = captured::parse(&input, Some("https://acme.my.salesforce.com"));
        let elapsed = started.elapsed();
        assert!(elapsed < Duration::from_secs(20), "{name:?}: {elapsed:?}");
    }
}
