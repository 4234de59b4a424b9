//! Secrets never leak: a canary key and assertion, given every way sfjwt takes them, must not
//! appear in any output format, on stdout or stderr.

use crate::support::fake_salesforce::{self, FakeSalesforce, Org};
use crate::support::{CLIENT_ID, Test, USERNAME, fixture, formats, read_fixture};

/// Distinctive fragments of the secrets: every base64 line of the key, the whole JWT and its signature.
fn canaries() -> Vec<String> {
    let mut canaries = Vec::new();
    for key in ["keys/rsa2048.pkcs8.pem", "keys/rsa2048.encrypted-pkcs8.pem"] {
        let pem = read_fixture(key);
        canaries.extend(pem.lines().filter(|l| !l.starts_with("-----") && l.len() > 20).map(str::to_string));
    }
    let b64 = read_fixture("keys/mangled/base64-of-pem.txt");
    canaries.push(b64.chars().skip(100).take(60).collect());
    let jwt = read_fixture("assertions/healthy.jwt");
    let jwt = jwt.trim();
    canaries.push(jwt.to_string());
    canaries.push(jwt.rsplit('.').next().unwrap().to_string());
    canaries
}

fn assert_clean(label: &str, text: &str, canaries: &[String]) {
    for canary in canaries {
        assert!(!text.contains(canary.as_str()), "{label} leaks a secret fragment {canary:?}:\n{text}");
    }
}

#[test]
fn no_format_shows_a_key_or_an_assertion() {
    let canaries = canaries();
    let key = fixture("keys/rsa2048.pkcs8.pem");
    let jwt_file = format!("@{}", fixture("assertions/healthy.jwt"));
    let jwt_inline = read_fixture("assertions/healthy.jwt").trim().to_string();
    let base: Vec<&str> = vec!["--client-id", CLIENT_ID, "--username", USERNAME];
    type Input<'a> = (&'a str, Vec<String>, Option<(&'a str, String)>);
    let inputs: Vec<Input> = vec![
        ("key file", vec!["--jwt-key-file".into(), key.clone()], None),
        ("key in SFJWT_KEY", vec![], Some(("SFJWT_KEY", std::fs::read_to_string(&key).unwrap()))),
        ("base64 key in SFJWT_KEY", vec![], Some(("SFJWT_KEY", read_fixture("keys/mangled/base64-of-pem.txt")))),
        ("mangled key", vec!["--jwt-key-file".into(), fixture("keys/mangled/literal-newlines.pem")], None),
        ("encrypted key", vec!["--jwt-key-file".into(), fixture("keys/rsa2048.encrypted-pkcs8.pem")], None),
        ("key as certificate", vec!["--cert".into(), key.clone()], None),
        ("key as assertion", vec!["--assertion".into(), format!("@{key}")], None),
        ("assertion file", vec!["--jwt-key-file".into(), key.clone(), "--assertion".into(), jwt_file.clone()], None),
        ("assertion inline", vec!["--assertion".into(), jwt_inline.clone()], None),
    ];
    for (label, args, env) in &inputs {
        for &format in formats() {
            let mut test = Test::new().args(["doctor", "--offline"]).full_report(format).args(&base).args(args);
            if let Some((name, value)) = env {
                test = test.env(name, value);
            }
            let out = test.run();
            assert!(out.code == 0 || out.code == 1, "{label}: {}", out.describe());
            assert_clean(&format!("{label} {format:?} stdout"), &out.stdout, &canaries);
            assert_clean(&format!("{label} {format:?} stderr"), &out.stderr, &canaries);
        }
    }
}

#[test]
fn a_missing_assertion_file_is_a_usage_error_without_contents() {
    Test::new()
        .args(["doctor", "--offline", "--assertion", "@fixtures/assertions/none.jwt"])
        .run()
        .status(2)
        .stderr_contains("--assertion")
        .stderr_contains("no such file");
}

/// A live login against the fake: the access token it issues and the assertion sfjwt sends must
/// appear in no format, no bundle file, no job summary, and not in the admin-session output either.
#[test]
fn live_tokens_and_admin_tokens_never_show() {
    let fake = FakeSalesforce::start(Org::standard(&read_fixture("certs/rsa2048.crt")));
    let admin_token = "00D000000000001EAA!AQcanaryADMINtokenDoNotLeak1234567890";
    for &format in formats() {
        let out = Test::new()
            .env("SFJWT_ADMIN_TOKEN", admin_token)
            .arg("doctor")
            .full_report(format)
            .args(["--client-id", fake_salesforce::CONSUMER_KEY, "--username", fake_salesforce::USERNAME])
            .args(["--instance-url", &fake.url(), "--admin-instance-url", &fake.url()])
            .args(["--jwt-key-file", &fixture("keys/rsa2048.pkcs8.pem")])
            .every_channel(false)
            .run();
        // Exit 0: the bundle and the summary were written (each run has folders of its own).
        assert_eq!(out.code, 0, "{}", out.describe());
        let sent: Vec<String> =
            fake.requests().iter().filter_map(|r| r.body.split("assertion=").nth(1).map(str::to_string)).collect();
        let mut canaries: Vec<String> = sent.iter().map(|a| a.rsplit('.').next().unwrap().to_string()).collect();
        canaries.push("!AR".into());
        canaries.push("canaryADMINtoken".into());
        for (channel, text) in out.channels() {
            assert_clean(&format!("live {format} {channel}"), &text, &canaries);
        }
    }
}
