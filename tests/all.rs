//! `sfjwt doctor --all` and `--config`: many logins at once, against a temporary sf CLI home and
//! the fake token endpoint on 127.0.0.1; and `--try-audiences` sending its requests at once.
//! Every command gets a temporary HOME: nothing here reads or writes the real one.

use std::{path::Path, process::Command, time::Duration};

use serde_json::{Value, json};

use crate::support::fake_salesforce::{App, CONSUMER_KEY, FakeSalesforce, Org, User};
use crate::support::server::{self, Fault};
use crate::support::sf_home::{ENCRYPTED, JwtLogin, SfHome};
use crate::support::{Output, Test, fixture_path};

const HEALTHY: &str = "healthy@example.com";
const STALE: &str = "stale@example.com";
const WRONG_CERT: &str = "wrongcert@example.com";
const WEB: &str = "web@example.com";
const DOWN: &str = "down@example.com";
const KEY: &str = "keys/rsa2048.pkcs8.pem";
/// A key that does not match the certificate of the fake's app.
const OTHER_KEY: &str = "keys/rsa2048-other.pkcs8.pem";

fn certificate() -> String {
    std::fs::read_to_string(fixture_path("certs/rsa2048.crt")).unwrap()
}

/// A production org whose app holds fixtures/certs/rsa2048.crt, with these users.
fn org(users: &[&str]) -> Org {
    let mut org = Org::production();
    for user in users {
        org = org.with_user(User::new(user));
    }
    org.with_app(App::new(CONSUMER_KEY, &certificate()))
}

/// `username`'s stored login with the key at `key`, to the fake at `url`.
fn jwt(username: &str, key: impl AsRef<Path>, url: &str) -> JwtLogin {
    JwtLogin::new(username, key).client_id(CONSUMER_KEY).at(url)
}

/// The four kinds of login the issue names: healthy, stale key, wrong certificate, web.
fn four_logins(url: &str) -> SfHome {
    let home = SfHome::new();
    home.alias("ci-hub", HEALTHY).jwt_login(jwt(HEALTHY, fixture_path(KEY), url));
    home.jwt_login(jwt(STALE, home.path().join("gone/server.key"), url));
    home.alias("uat", WRONG_CERT).jwt_login(jwt(WRONG_CERT, fixture_path(OTHER_KEY), url));
    home.web_login(WEB);
    home
}

/// A home with one healthy stored login, `ci-hub`, to the fake at `url`.
fn ci_hub(url: &str) -> SfHome {
    let home = SfHome::new();
    home.alias("ci-hub", HEALTHY).jwt_login(jwt(HEALTHY, fixture_path(KEY), url));
    home
}

/// `sfjwt doctor` in `home`, the probe's time-out 3 s unless a test gives its own.
fn doctor(home: &SfHome) -> Test {
    home.doctor().env("SFJWT_TIMEOUT", "3")
}

/// The row of a login in a `--format json` run of `--all`, by username.
#[track_caller]
fn login(out: &Output, username: &str) -> Value {
    let json = out.json();
    let rows = json["logins"].as_array().unwrap();
    rows.iter().find(|r| r["username"] == username).cloned().unwrap_or_else(|| panic!("no {username} in {json}"))
}

#[track_caller]
fn status(out: &Output, username: &str) -> String {
    login(out, username)["status"].as_str().unwrap().to_string()
}

#[track_caller]
fn top_cause(out: &Output, username: &str) -> String {
    login(out, username)["top_cause"]["id"].as_str().unwrap_or("-").to_string()
}

#[test]
fn every_stored_login_is_reported_with_the_worst_exit_code_in_json() {
    let fake = FakeSalesforce::start(org(&[HEALTHY, STALE, WRONG_CERT]));
    let home = four_logins(&fake.url());
    let out = doctor(&home).args(["--all", "--format", "json"]).run();
    assert_eq!(out.code, 1, "{}\n{}", out.stdout, out.stderr);
    let json = out.json();
    assert_eq!(json["schema"], "sfjwt.reports.v1");
    assert_eq!(json["verdict"], "problems");
    assert_eq!(
        json["counts"],
        json!({"logins": 4, "healthy": 1, "problems": 2, "inconclusive": 0, "skipped": 1, "not_diagnosed": 0})
    );

    // Table order: by alias, else username.
    let labels: Vec<&str> = json["logins"].as_array().unwrap().iter().map(|r| r["label"].as_str().unwrap()).collect();
    assert_eq!(labels, ["ci-hub", STALE, "uat", WEB]);

    let healthy = login(&out, HEALTHY);
    assert_eq!((healthy["status"].as_str(), healthy["alias"].as_str()), (Some("healthy"), Some("ci-hub")));
    assert_eq!(healthy["host"], fake.url());
    assert_eq!(healthy["report"]["schema"], "sfjwt.report.v1");
    assert_eq!(healthy["report"]["verdict"], "healthy");
    let sources: Vec<&str> =
        healthy["report"]["inputs"].as_array().unwrap().iter().filter_map(|i| i["source"].as_str()).collect();
    assert!(sources.contains(&"the sf CLI's stored login for ci-hub"), "{sources:?}");

    assert_eq!((status(&out, STALE), top_cause(&out, STALE)), ("problems".into(), "sfcli.key-path-stale".into()));
    // The wrong key reaches Salesforce (the fake) and is named from its answer.
    assert_eq!(status(&out, WRONG_CERT), "problems");
    let causes = login(&out, WRONG_CERT)["report"]["causes"].to_string();
    assert!(causes.contains("pair.key-cert-mismatch") || causes.contains("client.invalid-credentials"), "{causes}");

    let web = login(&out, WEB);
    assert_eq!(web["status"], "skipped");
    assert!(web["reason"].as_str().unwrap().contains("not a JWT login"), "{web}");
    assert!(web.get("report").is_none());

    // One request per JWT login that has a key: the stale one is never sent, nor the web one.
    assert_eq!(fake.token_requests(), 2);
    assert!(out.stderr.is_empty(), "no progress line when stderr is not a terminal: {}", out.stderr);
    assert!(!out.stdout.contains("eyJ") && !out.stdout.contains(ENCRYPTED), "an assertion or a stored token leaked");
}

#[test]
fn every_format_gives_the_table_then_the_failing_logins() {
    let fake = FakeSalesforce::start(org(&[HEALTHY, STALE, WRONG_CERT]));
    let home = four_logins(&fake.url());

    let text = doctor(&home).args(["--all", "--color", "never"]).run();
    assert_eq!(text.code, 1, "{}", text.stdout);
    let table_end = text.stdout.find("Details of the failing logins:").expect(&text.stdout);
    let table = &text.stdout[..table_end];
    for heading in ["alias", "username", "host", "verdict", "top cause", "certificate expiry"] {
        assert!(table.contains(heading), "{table}");
    }
    let line = |user: &str| table.lines().find(|l| l.contains(user)).unwrap_or_else(|| panic!("{table}")).to_string();
    assert!(line(HEALTHY).contains("healthy") && line(HEALTHY).contains("ci-hub"), "{table}");
    assert!(line(STALE).contains("problems") && line(STALE).contains("sfcli.key-path-stale"), "{table}");
    assert!(line(WEB).contains("skipped"), "{table}");
    let details = &text.stdout[table_end..];
    assert!(
        details.contains(&format!("── {STALE} ")) && details.contains(&format!("── uat ({WRONG_CERT}) ")),
        "{details}"
    );
    assert!(!details.contains(&format!("ci-hub ({HEALTHY})")), "a healthy login has no details: {details}");
    assert!(text.stdout.trim_end().ends_with("4 logins: 2 with problems, 1 healthy, 1 skipped"), "{}", text.stdout);

    let markdown = doctor(&home).args(["--all", "--format", "markdown"]).run();
    assert_eq!(markdown.code, 1);
    assert!(markdown.stdout.contains("| alias | username | host | verdict | top cause | certificate expiry |"));
    assert!(markdown.stdout.contains(&format!("| - | {STALE} |")), "{}", markdown.stdout);
    assert!(markdown.stdout.contains(&format!("\n## {STALE}\n")), "{}", markdown.stdout);
    assert!(markdown.stdout.contains("\n### Inputs\n"), "each login's report is one level down");
    assert!(!markdown.stdout.contains("# sfjwt doctor report"), "{}", markdown.stdout);

    let dir = tempfile::tempdir().unwrap();
    let xml = dir.path().join("sfjwt.xml");
    let junit = doctor(&home).args(["--all", "--format", "junit", "--output"]).arg(&xml).run();
    assert_eq!(junit.code, 1);
    let junit_text = std::fs::read_to_string(&xml).unwrap();
    assert_eq!(crate::support::junit::violations(&junit_text), Vec::<String>::new(), "{junit_text}");
    assert_eq!(junit_text.matches("<testcase ").count(), 4, "one test case per login:\n{junit_text}");
    assert_eq!(junit_text.matches("<failure ").count(), 2, "{junit_text}");
    assert!(junit_text.contains("<failure type=\"sfcli.key-path-stale\""), "{junit_text}");
    assert_eq!(junit_text.matches("<skipped ").count(), 1);

    let summary = dir.path().join("summary.md");
    // The runner creates the summary file; sfjwt only appends to it.
    std::fs::write(&summary, "").unwrap();
    let github = doctor(&home).env("GITHUB_STEP_SUMMARY", &summary).args(["--all", "--format", "github"]).run();
    assert_eq!(github.code, 1);
    let annotations: Vec<&str> = github.stdout.lines().filter(|l| l.starts_with("::")).collect();
    assert_eq!(annotations.len(), 2, "one annotation per failing login:\n{}", github.stdout);
    assert!(annotations.iter().all(|a| a.starts_with("::error title=sfjwt ")), "{annotations:?}");
    assert!(github.stdout.contains("sfcli.key-path-stale"));
    let summary = std::fs::read_to_string(&summary).unwrap();
    assert!(summary.contains("| ci-hub | healthy@example.com |"), "{summary}");
}

#[test]
fn the_exit_code_is_the_worst_of_all() {
    let fake = FakeSalesforce::start(org(&[HEALTHY]));
    // Nothing listens here: the login is inconclusive.
    let refused = server::closed_address();
    let home = ci_hub(&fake.url());
    home.web_login(WEB);
    let healthy = doctor(&home).args(["--all", "--format", "json"]).run();
    assert_eq!((healthy.code, healthy.json()["verdict"].as_str()), (0, Some("healthy")), "{}", healthy.stdout);

    home.jwt_login(jwt(DOWN, fixture_path(KEY), &format!("http://{refused}")));
    let inconclusive = doctor(&home).args(["--all", "--format", "json"]).run();
    assert_eq!(inconclusive.code, 3, "{}", inconclusive.stdout);
    assert_eq!(status(&inconclusive, DOWN), "inconclusive");
    assert_eq!(top_cause(&inconclusive, DOWN), "endpoint.unreachable");

    home.jwt_login(jwt(STALE, home.path().join("gone.key"), &fake.url()));
    let problems = doctor(&home).args(["--all", "--format", "json"]).run();
    assert_eq!(problems.code, 1, "problems outrank inconclusive");
    assert_eq!(status(&problems, HEALTHY), "healthy");
}

#[test]
fn a_config_file_lists_logins_for_pipelines_without_the_sf_cli() {
    let fake = FakeSalesforce::start(org(&[HEALTHY, WRONG_CERT]));
    let home = SfHome::new();
    let dir = home.work();
    std::fs::copy(fixture_path(KEY), dir.join("prod.key")).unwrap();
    std::fs::copy(fixture_path("certs/rsa2048.crt"), dir.join("prod.crt")).unwrap();
    let toml = format!(
        r#"
        # one login per table; relative paths are read from this file's folder
        [[login]]
        name = "prod"
        client-id = "{CONSUMER_KEY}"
        jwt-key-file = "prod.key"
        cert = "prod.crt"
        username = "{HEALTHY}"
        instance-url = "{url}"

        [[login]]
        name = "uat"
        client-id = "{CONSUMER_KEY}"
        jwt-key-file = "{other}"
        cert = "prod.crt"
        username = "{WRONG_CERT}"
        instance-url = "{url}"
        "#,
        url = fake.url(),
        other = fixture_path(OTHER_KEY).display(),
    );
    std::fs::write(dir.join("logins.toml"), toml).unwrap();
    let out = doctor(&home).args(["--config", "logins.toml", "--format", "json"]).run();
    assert_eq!(out.code, 1, "{}\n{}", out.stdout, out.stderr);
    let prod = login(&out, HEALTHY);
    assert_eq!((prod["status"].as_str(), prod["alias"].as_str()), (Some("healthy"), Some("prod")));
    assert_eq!(prod["cert_expiry"].as_str().map(|d| &d[..4]), Some("2036"), "{prod}");
    assert!(prod["cert_days_left"].as_i64().unwrap() > 3000);
    assert!(prod["source"].as_str().unwrap().starts_with("entry 1 of logins.toml"), "{prod}");
    let inputs = prod["report"]["inputs"].to_string();
    assert!(inputs.contains("login `prod` in logins.toml"), "each input says where it came from: {inputs}");
    assert_eq!(login(&out, WRONG_CERT)["top_cause"]["id"], "pair.key-cert-mismatch", "{}", login(&out, WRONG_CERT));

    // JSON says the same.
    let logins = json!({ "login": [{ "name": "prod", "client-id": CONSUMER_KEY, "jwt-key-file": "prod.key",
        "username": HEALTHY, "instance-url": fake.url() }] });
    std::fs::write(dir.join("logins.json"), logins.to_string()).unwrap();
    let out = doctor(&home).args(["--config", "logins.json", "--format", "json"]).run();
    assert_eq!((out.code, status(&out, HEALTHY)), (0, "healthy".into()), "{}", out.stdout);
}

/// One login whose token endpoint accepts the connection and never answers, one whose
/// certificate is a FIFO, one that cannot be diagnosed: each gets its row and the run ends in
/// about one `--timeout`. The probe's own time-out ends the silent endpoint's login (inconclusive,
/// "timed out"), well before the per-login deadline (twice `--timeout`, plus 2 s) would make it
/// "not diagnosed": no input left can hang a login past its requests' time-outs.
#[test]
fn a_login_that_hangs_or_cannot_be_diagnosed_never_stops_the_others() {
    let fake = FakeSalesforce::start(org(&[HEALTHY]));
    let silent = FakeSalesforce::with_fault(Fault::Silent);
    let home = ci_hub(&fake.url());
    home.jwt_login(jwt(DOWN, fixture_path(KEY), &silent.url()));
    let dir = home.work();
    #[allow(unused_mut)]
    let mut entries = vec![json!({ "name": "unknown", "target-org": "no-such-org" })];
    // A FIFO blocks its reader until someone writes to it; sfjwt refuses it at once.
    #[cfg(unix)]
    {
        crate::support::files::mkfifo(&dir.join("cert.fifo"));
        entries.push(json!({ "name": "stuck", "target-org": "ci-hub", "cert": dir.join("cert.fifo") }));
    }
    std::fs::write(dir.join("logins.json"), json!({ "login": entries }).to_string()).unwrap();
    let out = doctor(&home).args(["--all", "--config", "logins.json", "--timeout", "1", "--format", "json"]).run();
    assert_eq!(out.code, 1, "a login that could not be diagnosed counts as problems:\n{}", out.describe());
    assert!(out.elapsed < Duration::from_secs(10), "took {:?}", out.elapsed);
    let rows = out.json()["logins"].as_array().unwrap().clone();
    let row = |label: &str| rows.iter().find(|r| r["label"] == label).unwrap_or_else(|| panic!("no {label}: {rows:?}"));
    let unknown = row("unknown");
    assert_eq!(unknown["status"], "not-diagnosed");
    assert!(unknown["reason"].as_str().unwrap().contains("--target-org no-such-org"), "{unknown}");

    assert_eq!(silent.requests().len(), 1, "the request arrived and was never answered");
    let down = row(DOWN);
    assert_eq!(
        (down["status"].as_str(), top_cause(&out, DOWN).as_str()),
        (Some("inconclusive"), "endpoint.unreachable")
    );
    assert!(down["report"]["causes"].to_string().contains("timed out"), "{down}");

    if cfg!(unix) {
        // The entry builds on ci-hub, so ci-hub is diagnosed once, as the entry.
        assert_eq!(rows.len(), 3, "{rows:?}");
        let stuck = row("stuck");
        assert_eq!(stuck["status"], "problems", "{stuck}");
        assert!(stuck["report"].to_string().contains("FIFO"), "{stuck}");
    } else {
        assert_eq!(status(&out, HEALTHY), "healthy", "{}", out.stdout);
    }
}

#[test]
fn per_login_flags_are_refused_and_their_variables_ignored() {
    let fake = FakeSalesforce::start(org(&[HEALTHY]));
    let home = ci_hub(&fake.url());
    let out = doctor(&home).args(["--all", "--username", "x@y.z", "--cert", "c.crt"]).run();
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("--username, --cert are one login's inputs"), "{}", out.stderr);

    // From the environment they are a single run's settings: left out, with a note.
    let out = doctor(&home)
        .env("SFJWT_USERNAME", "someone@else.com")
        .env("SFJWT_KEY", "-----BEGIN PRIVATE KEY-----")
        .args(["--all", "--format", "json"])
        .run();
    assert_eq!((out.code, status(&out, HEALTHY)), (0, "healthy".into()), "{}", out.stdout);
    let notes = out.json()["notes"].to_string();
    assert!(notes.contains("SFJWT_USERNAME, SFJWT_KEY not used"), "{notes}");

    // --redact-identities masks every login's username, the skipped ones' too.
    home.web_login(WEB);
    let out = doctor(&home).args(["--all", "--format", "markdown", "--redact-identities"]).run();
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert!(!out.stdout.contains(HEALTHY) && !out.stdout.contains(WEB), "{}", out.stdout);
    assert!(out.stdout.contains("| ci-hub | h…@…"), "{}", out.stdout);

    let out = doctor(&SfHome::new()).arg("--all").run();
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("no stored logins") && out.stderr.contains("--config"), "{}", out.stderr);
}

#[test]
fn try_audiences_waits_for_one_round_trip_and_keeps_the_sf_cli_order() {
    const LATENCY: Duration = Duration::from_millis(1000);
    let fake = FakeSalesforce::start(org(&[HEALTHY]));
    // Only the last of the sf CLI's five attempts is accepted; two of them go to real hosts and
    // are not sent.
    fake.update_org(|o| {
        o.accepted_audiences = vec!["https://test.salesforce.com".into()];
        o.latency = LATENCY;
    });
    let out = doctor(&SfHome::new())
        .args(["--format", "json", "--try-audiences", "--client-id", CONSUMER_KEY, "--username", HEALTHY])
        .args(["--instance-url", &fake.url(), "--jwt-key-file"])
        .arg(fixture_path(KEY))
        .run();
    assert_eq!(out.code, 0, "{}", out.stdout);
    let attempts = out.json()["attempts"].as_array().unwrap().clone();
    let results: Vec<&str> = attempts.iter().map(|a| a["result"].as_str().unwrap()).collect();
    assert_eq!(attempts.len(), 5, "{results:?}");
    assert!(results[0].contains("audience is invalid"), "{results:?}");
    assert!(results[1].starts_with("not sent") && results[2].starts_with("not sent"), "{results:?}");
    assert!(results[3].contains("audience is invalid"), "{results:?}");
    assert!(results[4].contains("token issued"), "{results:?}");
    assert_eq!(attempts[4]["audience"], "https://test.salesforce.com");
    assert_eq!(fake.token_requests(), 3, "only the loopback attempts are sent");
    // One after another they take three round trips; at once, one (plus start-up and signing).
    assert!(out.elapsed < LATENCY * 2 + LATENCY / 2, "took {:?}", out.elapsed);
}

#[test]
fn the_sf_cli_order_is_kept_and_a_token_before_the_last_attempt_is_noted() {
    let fake = FakeSalesforce::start(org(&[HEALTHY]));
    // A production org accepts aud login.salesforce.com: the fourth of five attempts.
    let out = doctor(&SfHome::new())
        .args(["--format", "json", "--try-audiences", "--client-id", CONSUMER_KEY, "--username", HEALTHY])
        .args(["--instance-url", &fake.url(), "--jwt-key-file"])
        .arg(fixture_path(KEY))
        .run();
    assert_eq!(out.code, 0, "{}", out.stdout);
    let attempts = out.json()["attempts"].as_array().unwrap().clone();
    assert!(attempts[3]["result"].as_str().unwrap().contains("token issued"), "{attempts:?}");
    assert_eq!(attempts[3]["audience"], "https://login.salesforce.com");
    let notes = out.json()["notes"].to_string();
    assert!(notes.contains("stops at the first token (request 4)"), "{notes}");
}

/// Under a pseudo-terminal (`script`), a run longer than a second shows the progress line on
/// stderr and erases it before the report; machine formats never show it.
#[cfg(unix)]
#[test]
fn a_slow_run_on_a_terminal_shows_progress_and_erases_it() {
    if Command::new("script").arg("--version").output().is_err() {
        eprintln!("skipped: no `script` to make a terminal");
        return;
    }
    let fake = FakeSalesforce::start(org(&[HEALTHY]));
    fake.update_org(|o| o.latency = Duration::from_millis(1600));
    let home = ci_hub(&fake.url());
    let text = on_terminal(&home, "text");
    assert!(text.contains("sfjwt: 0 of 1 logins done · waiting for ci-hub"), "{text:?}");
    let erased = text.rfind("\r\x1b[2K").unwrap();
    let table = text.find("alias").unwrap();
    assert!(erased < table, "the line is erased before the report:\n{text:?}");
    let json = on_terminal(&home, "json");
    assert!(!json.contains("logins done"), "{json:?}");
}

/// What a terminal shows while `sfjwt doctor --all --format <format>` runs in `home`: `script`
/// gives it a terminal for stdin, stdout and stderr and copies the screen to its own stdout.
#[cfg(unix)]
fn on_terminal(home: &SfHome, format: &str) -> String {
    doctor(home)
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("TERM", "xterm")
        .via_shell(r#"exec script -qefc "'$0' $*" /dev/null"#)
        .args(["--all", "--color", "never", "--format", format])
        .run()
        .stdout
}
