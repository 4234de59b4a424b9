//! The live probe against a fake Salesforce on 127.0.0.1: answers, faults and time-outs end in
//! the right cause and exit code, in bounded time, with one request to the host the user named.

mod support;

use std::time::{Duration, Instant};

use support::{
    cli::{Run, command, fixture, run},
    fake_salesforce::{App, CONSUMER_KEY, FakeSalesforce, Fault, Org, USERNAME, User},
};

fn certificate() -> String {
    std::fs::read_to_string(fixture("certs/rsa2048.crt")).unwrap()
}

fn doctor(url: &str, extra: &[&str]) -> Run {
    let timeout = if extra.contains(&"--timeout") { &[][..] } else { &["--timeout", "3"][..] };
    run(command()
        .args(["doctor", "--format", "json"])
        .args(timeout)
        .args(["--client-id", CONSUMER_KEY, "--username", USERNAME, "--instance-url", url])
        .args(["--jwt-key-file", &fixture("keys/rsa2048.pkcs8.pem"), "--cert", &fixture("certs/rsa2048.crt")])
        .args(extra))
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
    let fake = FakeSalesforce::start(scratch.with_replication_delay(Duration::from_secs(2)));
    let started = Instant::now();
    let first = run(command()
        .args(["doctor", "--format", "json", "--client-id", CONSUMER_KEY, "--username", scratch_user])
        .args(["--instance-url", &fake.url(), "--jwt-key-file", &fixture("keys/rsa2048.pkcs8.pem")]));
    assert_eq!(first.causes()[0], "approval.scratch-not-replicated", "{}", first.stdout);
    assert_eq!(first.json()["causes"][0]["transient"], true);
    let waited = run(command()
        .args(["doctor", "--format", "json", "--wait", "20s", "--client-id", CONSUMER_KEY, "--username", scratch_user])
        .args(["--instance-url", &fake.url(), "--jwt-key-file", &fixture("keys/rsa2048.pkcs8.pem")]));
    assert_eq!(waited.code, 0, "{}", waited.stdout);
    assert!(waited.json()["notes"].to_string().contains("cleared"), "{}", waited.stdout);
    assert!(started.elapsed() < Duration::from_secs(15));
}

#[test]
fn unknown_client_id_and_a_foreign_certificate() {
    let fake = FakeSalesforce::start(org());
    let out = run(command()
        .args([
            "doctor",
            "--format",
            "json",
            "--client-id",
            "3MVG9UnknownKeyForThisOrg000000000",
            "--username",
            USERNAME,
        ])
        .args(["--instance-url", &fake.url(), "--jwt-key-file", &fixture("keys/rsa2048.pkcs8.pem")]));
    assert_eq!(out.causes()[0], "client.unknown-client-id");

    let other = std::fs::read_to_string(fixture("certs/rsa2048-other.crt")).unwrap();
    let fake = FakeSalesforce::start(Org::standard(&other));
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

fn fault(fault: Fault, timeout: &str) -> (Run, Duration, FakeSalesforce) {
    let fake = FakeSalesforce::with_fault(fault);
    let started = Instant::now();
    let out = doctor(&fake.url(), &["--timeout", timeout]);
    (out, started.elapsed(), fake)
}

#[test]
fn network_faults_end_in_bounded_time_with_the_right_cause() {
    let (out, _, _) = fault(Fault::Refuse, "3");
    assert_eq!((out.code, out.causes()), (3, vec!["endpoint.unreachable".to_string()]), "{}", out.stdout);

    let (out, elapsed, _) = fault(Fault::SlowHeaders(Duration::from_secs(10)), "1");
    assert_eq!((out.code, out.causes()), (3, vec!["endpoint.unreachable".to_string()]), "{}", out.stdout);
    assert!(elapsed < Duration::from_secs(5), "took {elapsed:?}");

    let (out, _, _) = fault(Fault::ResetMidResponse, "3");
    assert_eq!(out.code, 3, "{}", out.stdout);
    assert!(
        out.causes().contains(&"endpoint.unreachable".to_string())
            || out.causes().contains(&"endpoint.unexpected-response".to_string())
    );

    let (out, _, _) = fault(Fault::Html(503), "3");
    assert_eq!((out.code, out.causes()[0].as_str()), (1, "org.unavailable"), "{}", out.stdout);
    assert_eq!(out.json()["causes"][0]["transient"], true);

    let (out, elapsed, _) = fault(Fault::HugeBody(20 * 1024 * 1024), "10");
    assert_eq!(out.causes()[0], "endpoint.unexpected-response", "{}", out.stdout);
    assert!(elapsed < Duration::from_secs(8), "took {elapsed:?}");

    let (out, _, fake) = fault(Fault::Redirect("http://127.0.0.1:9/elsewhere".into()), "3");
    assert_eq!(out.causes()[0], "endpoint.unexpected-response", "{}", out.stdout);
    assert!(out.json()["causes"][0]["evidence"].to_string().contains("redirect"));
    assert_eq!(fake.requests().len(), 1, "the redirect is not followed");

    let (out, _, _) = fault(Fault::NotJson, "3");
    assert_eq!(out.causes()[0], "endpoint.unexpected-response", "{}", out.stdout);
}

#[test]
fn plain_http_to_a_real_host_sends_nothing() {
    let out = run(command()
        .args(["doctor", "--format", "json", "--client-id", CONSUMER_KEY, "--username", USERNAME])
        .args(["--instance-url", "http://login.salesforce.com", "--jwt-key-file", &fixture("keys/rsa2048.pkcs8.pem")]));
    assert_eq!(out.causes(), ["host.insecure"]);
    assert_eq!(out.check_status("endpoint.reach"), "skip");
}
