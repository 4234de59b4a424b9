//! The live probe against a fake Salesforce on 127.0.0.1: answers, faults and time-outs end in
//! the right cause and exit code, in bounded time, with one request to the host the user named.

use std::time::Duration;

use crate::support::fake_salesforce::{App, CONSUMER_KEY, FakeSalesforce, Fault, Org, USERNAME, User};
use crate::support::{Output, Test, fixture, read_fixture};

fn certificate() -> String {
    read_fixture("certs/rsa2048.crt")
}

/// `sfjwt doctor --format json` against `url` with the fixture key and certificate; `--timeout 3`
/// unless `extra` sets one.
fn doctor(url: &str, extra: &[&str]) -> Output {
    let timeout = if extra.contains(&"--timeout") { &[][..] } else { &["--timeout", "3"][..] };
    Test::new()
        .args(["doctor", "--format", "json"])
        .args(timeout)
        .args(["--client-id", CONSUMER_KEY, "--username", USERNAME, "--instance-url", url])
        .args(["--jwt-key-file", &fixture("keys/rsa2048.pkcs8.pem"), "--cert", &fixture("certs/rsa2048.crt")])
        .args(extra)
        .run()
}

/// `sfjwt doctor --format json` as a scratch-org user against `url`, with the key only.
fn as_scratch_user(url: &str, username: &str, extra: &[&str]) -> Output {
    Test::new()
        .args(["doctor", "--format", "json", "--client-id", CONSUMER_KEY, "--username", username])
        .args(["--instance-url", url, "--jwt-key-file", &fixture("keys/rsa2048.pkcs8.pem")])
        .args(extra)
        .run()
}

fn org() -> Org {
    Org::standard(&certificate())
}

#[test]
fn a_healthy_org_issues_a_token_and_the_token_never_shows() {
    let fake = FakeSalesforce::start(org());
    let out = doctor(&fake.url(), &[]);
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert!(out.causes().is_empty(), "{:?}", out.causes());
    assert_eq!(out.check_status("login.scopes"), "pass");
    assert_eq!(fake.token_requests(), 1);
    let request = &fake.requests()[0];
    assert_eq!(request.method, "POST");
    assert!(
        request.body.starts_with("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=eyJ"),
        "{}",
        request.body
    );
    assert!(!request.body.contains("client_id"));
    assert!(!out.stdout.contains("!AR") && !out.stdout.contains("eyJ"), "token or assertion leaked:\n{}", out.stdout);
}

#[test]
fn not_approved_is_narrowed_and_never_ends_at_the_terse_answer() {
    let self_authorize = App::new(CONSUMER_KEY, &certificate()).self_authorize();
    let fake = FakeSalesforce::start(Org::production().with_user(User::new(USERNAME)).with_app(self_authorize));
    let out = doctor(&fake.url(), &[]);
    assert_eq!(out.code, 1);
    assert_eq!(out.causes()[0], "approval.missing");
    let cause = &out.json()["causes"][0];
    assert!(cause["evidence"].to_string().contains("user hasn't approved this consumer"), "{cause}");
    assert!(cause["confirm"].as_str().unwrap().contains("--connected-app"));
}

#[test]
fn a_scratch_user_points_at_replication_and_wait_retries_until_it_clears() {
    let scratch_user = "test-wvkpnfm5z113@example.com";
    let scratch = org().with_user(User::new(scratch_user)).accepting_audience("https://test.salesforce.com");
    // Long enough for the first run to happen before it, even on a loaded machine.
    let fake = FakeSalesforce::start(scratch.with_replication_delay(Duration::from_secs(5)));
    let first = as_scratch_user(&fake.url(), scratch_user, &[]);
    assert_eq!(first.causes()[0], "approval.scratch-not-replicated", "{}", first.stdout);
    assert_eq!(first.json()["causes"][0]["transient"], true);
    let waited = as_scratch_user(&fake.url(), scratch_user, &["--wait", "90s"]);
    waited.status(0);
    assert!(waited.json()["notes"].to_string().contains("cleared"), "{}", waited.stdout);
    // Replication clears 5 s after the fake started, so one of the first retries (after 4.5,
    // 13.5, 31.5 s…) succeeds: --wait stops then, long before its 90 s.
    assert!(waited.elapsed < Duration::from_secs(45), "{}", waited.describe());
}

#[test]
fn unknown_client_id_and_a_foreign_certificate() {
    let fake = FakeSalesforce::start(org());
    let out = Test::new()
        .args(["doctor", "--format", "json", "--client-id", "3MVG9UnknownKeyForThisOrg000000000", "--username"])
        .args([USERNAME, "--instance-url", &fake.url(), "--jwt-key-file", &fixture("keys/rsa2048.pkcs8.pem")])
        .run();
    assert_eq!(out.causes()[0], "client.unknown-client-id");

    let fake = FakeSalesforce::start(Org::standard(&read_fixture("certs/rsa2048-other.crt")));
    let out = doctor(&fake.url(), &[]);
    assert_eq!(out.causes()[0], "pair.key-cert-mismatch", "{}", out.stdout);
    assert!(out.json()["causes"][0]["evidence"].to_string().contains("probably another one"));
}

#[test]
fn a_clock_off_by_ten_minutes_is_named_first() {
    let fake = FakeSalesforce::start(org().with_clock_offset(600));
    let out = doctor(&fake.url(), &[]);
    assert_eq!(out.code, 1);
    assert_eq!(out.causes()[0], "clock.skew", "{}", out.stdout);
    assert_eq!(out.check_status("endpoint.clock"), "fail");
}

#[test]
fn audience_rejected_by_a_sandbox_org() {
    let fake = FakeSalesforce::start(
        Org::sandbox().with_user(User::new(USERNAME)).with_app(App::new(CONSUMER_KEY, &certificate())),
    );
    let out = doctor(&fake.url(), &["--audience", "https://login.salesforce.com"]);
    assert_eq!(out.causes(), ["claims.aud-invalid"], "{}", out.stdout);
}

#[test]
fn try_audiences_shows_each_attempt_and_sends_nothing_beyond_loopback() {
    let fake = FakeSalesforce::start(org());
    let url = fake.url();
    fake.update_org(|o| o.accepted_audiences = vec!["https://test.salesforce.com".into()]);
    let out = doctor(&url, &["--try-audiences"]);
    let attempts = out.json()["attempts"].as_array().unwrap().clone();
    assert_eq!(attempts.len(), 5, "{}", out.stdout);
    assert!(attempts[0]["result"].as_str().unwrap().contains("audience is invalid"));
    assert!(attempts[1]["result"].as_str().unwrap().starts_with("not sent"));
    assert!(attempts[4]["result"].as_str().unwrap().contains("token issued"), "{attempts:?}");
    assert_eq!(fake.token_requests(), 3, "only the loopback attempts are sent");
    assert_eq!(out.code, 0, "{}", out.stdout);
}

fn fault(fault: Fault, timeout: &str) -> (Output, FakeSalesforce) {
    let fake = FakeSalesforce::with_fault(fault);
    (doctor(&fake.url(), &["--timeout", timeout]), fake)
}

/// Time bounds are generous (a debug build on a loaded machine) yet meaningful: a client that
/// waited for the server would take the server's full delay, several times the bound.
#[test]
fn network_faults_end_in_bounded_time_with_the_right_cause() {
    let unreachable = vec!["endpoint.unreachable".to_string()];
    let (out, _) = fault(Fault::Refuse, "3");
    assert_eq!((out.code, out.causes()), (3, unreachable.clone()), "{}", out.stdout);

    let (out, _) = fault(Fault::SlowHeaders(Duration::from_secs(60)), "1");
    assert_eq!((out.code, out.causes()), (3, unreachable), "{}", out.stdout);
    assert!(out.elapsed < Duration::from_secs(20), "the time-out did not cut the wait: {}", out.describe());

    let (out, _) = fault(Fault::ResetMidResponse, "3");
    out.status(3);
    assert!(
        out.causes().contains(&"endpoint.unreachable".to_string())
            || out.causes().contains(&"endpoint.unexpected-response".to_string())
    );

    let (out, _) = fault(Fault::Html(503), "3");
    assert_eq!((out.code, out.causes()[0].as_str()), (1, "org.unavailable"), "{}", out.stdout);
    assert_eq!(out.json()["causes"][0]["transient"], true);

    // 20 MiB arrive in well under a second on loopback: a run that reaches the time-out was
    // stuck, not capped.
    let (out, _) = fault(Fault::HugeBody(20 * 1024 * 1024), "60");
    assert_eq!(out.causes()[0], "endpoint.unexpected-response", "{}", out.stdout);
    assert!(out.elapsed < Duration::from_secs(30), "{}", out.describe());

    let (out, fake) = fault(Fault::Redirect("http://127.0.0.1:9/elsewhere".into()), "3");
    assert_eq!(out.causes()[0], "endpoint.unexpected-response", "{}", out.stdout);
    assert!(out.json()["causes"][0]["evidence"].to_string().contains("redirect"));
    assert_eq!(fake.requests().len(), 1, "the redirect is not followed");

    let (out, _) = fault(Fault::NotJson, "3");
    assert_eq!(out.causes()[0], "endpoint.unexpected-response", "{}", out.stdout);
}

#[test]
fn plain_http_to_a_real_host_sends_nothing() {
    let out = Test::new()
        .args(["doctor", "--format", "json", "--client-id", CONSUMER_KEY, "--username", USERNAME])
        .args(["--instance-url", "http://login.salesforce.com", "--jwt-key-file", &fixture("keys/rsa2048.pkcs8.pem")])
        .run();
    assert_eq!(out.causes(), ["host.insecure"]);
    assert_eq!(out.check_status("endpoint.reach"), "skip");
}
