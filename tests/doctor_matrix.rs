//! The fixture matrix: each scenario runs the real binary offline and must report exactly its
//! causes; together they cover every cause of the offline groups, and the healthy setup none.

mod support;

use std::collections::BTreeSet;

use support::cli::{CLIENT_ID, USERNAME, doctor_json, fixture};

struct Scenario {
    name: &'static str,
    args: Vec<String>,
    env: Vec<(&'static str, String)>,
    causes: &'static [&'static str],
}

fn scenario(name: &'static str, args: &[&str], causes: &'static [&'static str]) -> Scenario {
    Scenario { name, args: args.iter().map(|a| a.to_string()).collect(), env: Vec::new(), causes }
}

/// Client id, username, key and certificate of the healthy setup; `extra` flags replace them.
fn setup(key: &str, cert: Option<&str>, extra: &[&str]) -> Vec<String> {
    let mut pairs: Vec<(String, String)> = vec![
        ("--client-id".into(), CLIENT_ID.into()),
        ("--username".into(), USERNAME.into()),
        ("--jwt-key-file".into(), fixture(key)),
    ];
    if let Some(cert) = cert {
        pairs.push(("--cert".into(), fixture(cert)));
    }
    for pair in extra.chunks(2) {
        let (flag, value) = (pair[0].to_string(), pair[1].to_string());
        match pairs.iter_mut().find(|(f, _)| *f == flag) {
            Some(existing) => existing.1 = value,
            None => pairs.push((flag, value)),
        }
    }
    pairs.into_iter().flat_map(|(f, v)| [f, v]).collect()
}

fn with_setup(
    name: &'static str,
    key: &str,
    cert: Option<&str>,
    extra: &[&str],
    causes: &'static [&'static str],
) -> Scenario {
    Scenario { name, args: setup(key, cert, extra), env: Vec::new(), causes }
}

fn assertion(name: &'static str, jwt: &str, extra: &[&str], causes: &'static [&'static str]) -> Scenario {
    let mut args = setup("keys/rsa2048.pkcs8.pem", Some("certs/rsa2048.crt"), extra);
    args.extend(["--assertion".into(), format!("@{}", fixture(&format!("assertions/{jwt}.jwt")))]);
    Scenario { name, args, env: Vec::new(), causes }
}

const KEY: &str = "keys/rsa2048.pkcs8.pem";
const CERT: Option<&str> = Some("certs/rsa2048.crt");

fn scenarios() -> Vec<Scenario> {
    vec![
        with_setup("healthy", KEY, CERT, &[], &[]),
        with_setup("healthy-pkcs1", "keys/rsa2048.pkcs1.pem", CERT, &[], &[]),
        with_setup("healthy-crlf", "keys/rsa2048.crlf.pem", CERT, &[], &[]),
        with_setup("healthy-leading-text", "keys/mangled/with-leading-text.pem", CERT, &[], &[]),
        with_setup("healthy-der-cert", KEY, Some("certs/rsa2048.der.crt"), &[], &[]),
        with_setup("healthy-3072", "keys/rsa3072.pkcs8.pem", None, &[], &[]),
        with_setup(
            "sandbox-host",
            KEY,
            CERT,
            &["--instance-url", "https://acme--uat.sandbox.my.salesforce.com", "--username", "ci@acme.com.uat"],
            &[],
        ),
        with_setup(
            "key-missing",
            "keys/rsa2048.pkcs8.pem",
            CERT,
            &["--jwt-key-file", "fixtures/keys/does-not-exist.pem"],
            &["key.unreadable"],
        ),
        with_setup("key-directory", KEY, CERT, &["--jwt-key-file", "fixtures/keys"], &["key.unreadable"]),
        with_setup("key-empty", "keys/empty.pem", CERT, &[], &["key.empty"]),
        with_setup("key-whitespace", "keys/whitespace.pem", CERT, &[], &["key.empty"]),
        with_setup("key-literal-newlines", "keys/mangled/literal-newlines.pem", CERT, &[], &["key.mangled"]),
        with_setup("key-quoted", "keys/mangled/quoted-literal-newlines.pem", CERT, &[], &["key.mangled"]),
        with_setup("key-one-line", "keys/mangled/one-line.pem", CERT, &[], &["key.mangled"]),
        with_setup("key-base64-of-pem", "keys/mangled/base64-of-pem.txt", CERT, &[], &["key.mangled"]),
        with_setup("key-no-armor", "keys/mangled/no-armor.txt", CERT, &[], &["key.mangled"]),
        with_setup("key-truncated", "keys/mangled/truncated.pem", CERT, &[], &["key.mangled"]),
        with_setup("key-bad-der", "keys/mangled/bad-der.pem", CERT, &[], &["key.unparseable"]),
        with_setup("key-der", "keys/rsa2048.der", CERT, &[], &["key.der-format"]),
        with_setup("key-is-cert", "certs/rsa2048.crt", CERT, &[], &["key.not-private-key"]),
        with_setup("key-is-public", "keys/rsa2048.public.pem", CERT, &[], &["key.not-private-key"]),
        with_setup("key-is-csr", "keys/rsa2048.csr.pem", CERT, &[], &["key.not-private-key"]),
        with_setup("key-encrypted-pkcs8", "keys/rsa2048.encrypted-pkcs8.pem", CERT, &[], &["key.encrypted"]),
        with_setup("key-encrypted-pkcs1", "keys/rsa2048.encrypted-pkcs1.pem", CERT, &[], &["key.encrypted"]),
        with_setup("key-ec", "keys/ec-p256.pem", None, &[], &["key.not-rsa"]),
        with_setup("key-ec-pkcs8", "keys/ec-p256.pkcs8.pem", None, &[], &["key.not-rsa"]),
        with_setup("key-ed25519", "keys/ed25519.pem", None, &[], &["key.not-rsa"]),
        with_setup("key-1024", "keys/rsa1024.pem", None, &[], &["key.too-small"]),
        with_setup("cert-missing", KEY, None, &["--cert", "fixtures/certs/none.crt"], &["cert.unreadable"]),
        with_setup("cert-is-key", KEY, Some("keys/rsa2048.pkcs8.pem"), &[], &["cert.not-certificate"]),
        with_setup("cert-is-empty", KEY, Some("keys/empty.pem"), &[], &["cert.not-certificate"]),
        with_setup("cert-expired", KEY, Some("certs/expired.crt"), &[], &["cert.expired"]),
        with_setup("cert-not-yet-valid", KEY, Some("certs/not-yet-valid.crt"), &[], &["cert.not-yet-valid"]),
        with_setup("cert-ec", KEY, Some("certs/ec-p256.crt"), &[], &["cert.not-rsa"]),
        with_setup("pair-mismatch", KEY, Some("certs/rsa2048-other.crt"), &[], &["pair.key-cert-mismatch"]),
        with_setup(
            "pair-mismatch-chain-first",
            "keys/rsa2048-other.pkcs8.pem",
            Some("certs/chain.pem"),
            &[],
            &["pair.key-cert-mismatch"],
        ),
        assertion("jwt-healthy", "healthy", &[], &[]),
        assertion("jwt-aged-capture", "aged-capture", &[], &[]),
        assertion("jwt-two-segments", "two-segments", &[], &["assertion.malformed"]),
        assertion("jwt-header-not-json", "header-not-json", &[], &["assertion.malformed"]),
        assertion("jwt-standard-base64", "standard-base64", &[], &["assertion.not-base64url", "claims.sub-mismatch"]),
        assertion("jwt-hs256", "hs256", &[], &["assertion.alg-not-rs256", "assertion.signature-invalid"]),
        assertion("jwt-alg-none", "alg-none", &[], &["assertion.malformed", "assertion.alg-not-rs256"]),
        assertion("jwt-other-key", "other-key", &[], &["assertion.signature-invalid"]),
        assertion("jwt-no-iss", "no-iss", &[], &["claims.iss-missing"]),
        assertion("jwt-iss-url", "iss-url", &[], &["claims.iss-not-consumer-key", "claims.iss-mismatch"]),
        assertion("jwt-iss-other-app", "iss-other-app", &[], &["claims.iss-mismatch"]),
        assertion("jwt-no-sub", "no-sub", &[], &["claims.sub-missing"]),
        assertion("jwt-sub-url-encoded", "sub-url-encoded", &[], &["claims.sub-mismatch"]),
        assertion("jwt-sub-user-id", "sub-user-id", &[], &["claims.sub-not-username", "claims.sub-mismatch"]),
        assertion("jwt-swapped", "aud-sub-swapped", &[], &["claims.aud-sub-swapped", "claims.aud-invalid"]),
        assertion("jwt-no-aud", "no-aud", &[], &["claims.aud-missing"]),
        assertion("jwt-aud-token-endpoint", "aud-token-endpoint", &[], &["claims.aud-invalid"]),
        assertion("jwt-aud-my-domain", "aud-my-domain", &[], &["claims.aud-my-domain"]),
        assertion("jwt-aud-test-on-prod", "aud-test", &[], &["claims.aud-environment-mismatch"]),
        assertion("jwt-no-exp", "no-exp", &[], &["claims.exp-missing"]),
        assertion("jwt-expired", "expired", &[], &["claims.exp-expired"]),
        assertion("jwt-timezone", "timezone-shift", &[], &["claims.exp-timezone-shift"]),
        assertion("jwt-too-short", "too-short", &[], &["claims.exp-too-short"]),
        assertion("jwt-milliseconds", "milliseconds", &[], &["claims.exp-milliseconds"]),
        assertion("jwt-exp-string", "exp-string", &[], &["claims.exp-not-number"]),
        scenario("jwt-pem-pasted", &["--assertion", "@fixtures/keys/rsa2048.pkcs8.pem"], &["assertion.malformed"]),
        with_setup(
            "built-aud-my-domain",
            KEY,
            CERT,
            &["--audience", "https://acme.my.salesforce.com"],
            &["claims.aud-my-domain"],
        ),
        with_setup(
            "built-aud-invalid",
            KEY,
            CERT,
            &["--audience", "https://acme.lightning.force.com"],
            &["claims.aud-invalid"],
        ),
        with_setup(
            "built-aud-login-for-sandbox",
            KEY,
            CERT,
            &[
                "--instance-url",
                "https://test.salesforce.com",
                "--username",
                "ci@acme.com.uat",
                "--audience",
                "https://login.salesforce.com",
            ],
            &["claims.aud-environment-mismatch"],
        ),
        with_setup(
            "built-iss-not-3mvg",
            KEY,
            CERT,
            &["--client-id", "MyCustomKey123"],
            &["claims.iss-not-consumer-key"],
        ),
        with_setup("host-invalid", KEY, CERT, &["--instance-url", "acme.my.salesforce.com"], &["host.invalid-url"]),
        with_setup(
            "host-lightning",
            KEY,
            CERT,
            &["--instance-url", "https://acme.lightning.force.com"],
            &["host.lightning-domain"],
        ),
        with_setup("host-http", KEY, CERT, &["--instance-url", "http://login.salesforce.com"], &["host.insecure"]),
        with_setup(
            "host-typo",
            KEY,
            CERT,
            &["--instance-url", "https://login.salesforce.co"],
            &["host.not-salesforce"],
        ),
        with_setup(
            "host-prod-sandbox-user",
            KEY,
            CERT,
            &["--username", "ci@acme.com.uat"],
            &["host.environment-mismatch"],
        ),
        with_setup(
            "host-prod-scratch-user",
            KEY,
            CERT,
            &["--username", "test-wvkpnfm5z113@example.com"],
            &["host.environment-mismatch"],
        ),
        with_setup(
            "host-sandbox-names-differ",
            KEY,
            CERT,
            &["--instance-url", "https://acme--uat.sandbox.my.salesforce.com", "--username", "ci@acme.com.qa2"],
            &["host.environment-mismatch"],
        ),
        Scenario {
            name: "key-from-env-base64",
            args: vec![
                "--client-id".into(),
                CLIENT_ID.into(),
                "--username".into(),
                USERNAME.into(),
                "--cert".into(),
                fixture("certs/rsa2048.crt"),
            ],
            env: vec![("SFJWT_KEY", std::fs::read_to_string(fixture("keys/mangled/base64-of-pem.txt")).unwrap())],
            causes: &[],
        },
        Scenario {
            name: "cert-expiring-soon",
            args: setup(KEY, CERT, &[]),
            env: vec![("SFJWT_NOW", (not_after("certs/rsa2048.crt") - 12 * 86_400).to_string())],
            causes: &["cert.expiring-soon"],
        },
    ]
}

/// notAfter of a fixture certificate, read with openssl's own parser to stay independent of sfjwt.
fn not_after(cert: &str) -> i64 {
    let out = std::process::Command::new("openssl")
        .args(["x509", "-noout", "-enddate", "-dateopt", "iso_8601", "-in", &fixture(cert)])
        .output();
    let text = String::from_utf8(out.expect("openssl runs").stdout).unwrap();
    let date = text.trim().trim_start_matches("notAfter=");
    let format = time::format_description::well_known::Iso8601::DEFAULT;
    time::OffsetDateTime::parse(&date.replace(' ', "T"), &format)
        .map(|t| t.unix_timestamp())
        .unwrap_or_else(|e| panic!("{date}: {e}"))
}

#[test]
fn every_scenario_reports_exactly_its_causes() {
    let mut failures = Vec::new();
    for s in scenarios() {
        let mut cmd = support::cli::command();
        cmd.args(["doctor", "--offline", "--format", "json"]).args(&s.args);
        for (name, value) in &s.env {
            cmd.env(name, value);
        }
        let run = support::cli::run(&mut cmd);
        let got: BTreeSet<String> = run.causes().into_iter().collect();
        let want: BTreeSet<String> = s.causes.iter().map(|c| c.to_string()).collect();
        let errors = run.json()["counts"]["errors"].as_u64().unwrap();
        let expected_code = if errors > 0 { 1 } else { 0 };
        if got != want || run.code != expected_code {
            failures.push(format!("{}: got {got:?} (exit {}), want {want:?} (exit {expected_code})", s.name, run.code));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_matrix_covers_every_offline_cause() {
    let covered: BTreeSet<&str> = scenarios().iter().flat_map(|s| s.causes.iter().copied()).collect();
    let offline_groups = ["key.", "cert.", "pair.", "assertion.", "claims.", "host."];
    let missing: Vec<&str> = sfjwt::catalog::all()
        .iter()
        .map(|e| e.id.as_str())
        .filter(|id| offline_groups.iter().any(|g| id.starts_with(g)))
        .filter(|id| !["host.my-domain-required"].contains(id))
        .filter(|id| !covered.contains(id))
        .collect();
    assert!(missing.is_empty(), "no scenario produces {missing:?}");
}

#[test]
fn healthy_setup_passes_every_check_it_can_run() {
    let run = doctor_json(&setup(KEY, CERT, &[]).iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(run.code, 0, "{}", run.stdout);
    let json = run.json();
    assert_eq!(json["verdict"], "healthy");
    for check in json["checks"].as_array().unwrap() {
        let offline_only = ["sfcli", "endpoint", "login", "app", "org"].contains(&check["group"].as_str().unwrap());
        let needs_more_inputs = offline_only || check["id"] == "app.certificate";
        let expected = if needs_more_inputs { "skip" } else { "pass" };
        assert_eq!(check["status"], expected, "{check}");
    }
}
