//! `sfjwt doctor --all` and `--config`: many logins at once, against a temporary sf CLI home and
//! the fake token endpoint on 127.0.0.1; and `--try-audiences` sending its requests at once.
//! Every command gets a temporary HOME: nothing here reads or writes the real one.

use std::{
    path::{Path, PathBuf},
    process::Command,
    time::Duration,
};

use serde_json::{Value, json};

use crate::support::fake_salesforce::{App, CONSUMER_KEY, FakeSalesforce, Org, User};
use crate::support::{Output, Test};

/// The clock of fixtures/assertions (2027-01-01); fixtures/certs/rsa2048.crt is valid then.
const NOW: &str = "1798761600";
/// sfdx-core's encrypted format (made-up hex).
const ENCRYPTED: &str = "a1b2c3d4e5f60123456789abcdef0123456789abcdef:0123456789abcdef0123456789abcdef";
const KEY_JSON: &str = r#"{"account":"local","key":"00112233445566778899aabbccddeeff","service":"sfdx"}"#;

const HEALTHY: &str = "healthy@example.com";
const STALE: &str = "stale@example.com";
const WRONG_CERT: &str = "wrongcert@example.com";
const WEB: &str = "web@example.com";
const DOWN: &str = "down@example.com";

fn fixture(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures").join(path)
}

fn certificate() -> String {
    std::fs::read_to_string(fixture("certs/rsa2048.crt")).unwrap()
}

/// A production org whose app holds fixtures/certs/rsa2048.crt, with these users.
fn org(users: &[&str]) -> Org {
    let mut org = Org::production();
    for user in users {
        org = org.with_user(User::new(user));
    }
    org.with_app(App::new(CONSUMER_KEY, &certificate()))
}

/// A temporary HOME (with a working directory beside it) holding the sf CLI's files.
struct Home {
    root: tempfile::TempDir,
    aliases: serde_json::Map<String, Value>,
}

impl Home {
    fn new() -> Home {
        let home = Home { root: tempfile::tempdir().unwrap(), aliases: serde_json::Map::new() };
        std::fs::create_dir_all(home.path().join(".sfdx")).unwrap();
        std::fs::create_dir_all(home.work()).unwrap();
        let key_json = home.write(".sfdx/key.json", KEY_JSON);
        set_mode(&key_json, 0o600);
        home
    }

    fn path(&self) -> PathBuf {
        self.root.path().join("home")
    }

    fn work(&self) -> PathBuf {
        self.root.path().join("work")
    }

    fn write(&self, relative: &str, contents: &str) -> PathBuf {
        let path = self.path().join(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, contents).unwrap();
        path
    }

    fn alias(&mut self, alias: &str, username: &str) {
        self.aliases.insert(alias.into(), username.into());
        self.write(".sfdx/alias.json", &json!({ "orgs": self.aliases }).to_string());
    }

    /// `~/.sfdx/<username>.json` as `sf org login jwt` writes it.
    fn jwt_login(&self, username: &str, key: &Path, url: &str) {
        let login = json!({
            "accessToken": ENCRYPTED,
            "orgId": "00D000000000001EAA",
            "loginUrl": url,
            "privateKey": key.display().to_string(),
            "clientId": CONSUMER_KEY,
            "instanceUrl": url,
            "isDevHub": false,
            "username": username,
        });
        self.write(&format!(".sfdx/{username}.json"), &login.to_string());
    }

    /// What `sf org login web` writes: a refresh token and the CLI's own client id.
    fn web_login(&self, username: &str) {
        let login = json!({
            "accessToken": ENCRYPTED,
            "refreshToken": ENCRYPTED,
            "orgId": "00D000000000002EAA",
            "loginUrl": "https://login.salesforce.com",
            "clientId": "PlatformCLI",
            "instanceUrl": "https://example.my.salesforce.com",
            "username": username,
        });
        self.write(&format!(".sfdx/{username}.json"), &login.to_string());
    }

    /// The four kinds of login the issue names: healthy, stale key, wrong certificate, web.
    fn four_logins(&mut self, url: &str) {
        self.alias("ci-hub", HEALTHY);
        self.jwt_login(HEALTHY, &fixture("keys/rsa2048.pkcs8.pem"), url);
        self.jwt_login(STALE, &self.path().join("gone/server.key"), url);
        self.alias("uat", WRONG_CERT);
        self.jwt_login(WRONG_CERT, &fixture("keys/rsa2048-other.pkcs8.pem"), url);
        self.web_login(WEB);
    }

    /// `sfjwt doctor` with this HOME and working directory (support::Test removes the inherited
    /// sf/sfjwt variables and pins the clock).
    fn doctor(&self) -> Test {
        Test::new()
            .env("HOME", self.path())
            .env("USERPROFILE", self.path())
            // The probe's time-out, unless a test gives its own.
            .env("SFJWT_TIMEOUT", "3")
            .current_dir(self.work())
            .arg("doctor")
    }
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[cfg(not(unix))]
fn set_mode(_path: &Path, _mode: u32) {}

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
    let mut home = Home::new();
    home.four_logins(&fake.url());
    let out = home.doctor().args(["--all", "--format", "json"]).run();
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
    let mut home = Home::new();
    home.four_logins(&fake.url());

    let text = home.doctor().args(["--all", "--color", "never"]).run();
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

    let markdown = home.doctor().args(["--all", "--format", "markdown"]).run();
    assert_eq!(markdown.code, 1);
    assert!(markdown.stdout.contains("| alias | username | host | verdict | top cause | certificate expiry |"));
    assert!(markdown.stdout.contains(&format!("| - | {STALE} |")), "{}", markdown.stdout);
    assert!(markdown.stdout.contains(&format!("\n## {STALE}\n")), "{}", markdown.stdout);
    assert!(markdown.stdout.contains("\n### Inputs\n"), "each login's report is one level down");
    assert!(!markdown.stdout.contains("# sfjwt doctor report"), "{}", markdown.stdout);

    let dir = tempfile::tempdir().unwrap();
    let xml = dir.path().join("sfjwt.xml");
    let junit = home.doctor().args(["--all", "--format", "junit", "--output"]).arg(&xml).run();
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
    let github = home.doctor().env("GITHUB_STEP_SUMMARY", &summary).args(["--all", "--format", "github"]).run();
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
    let refused = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let mut home = Home::new();
    home.alias("ci-hub", HEALTHY);
    home.jwt_login(HEALTHY, &fixture("keys/rsa2048.pkcs8.pem"), &fake.url());
    home.web_login(WEB);
    let healthy = home.doctor().args(["--all", "--format", "json"]).run();
    assert_eq!((healthy.code, healthy.json()["verdict"].as_str()), (0, Some("healthy")), "{}", healthy.stdout);

    home.jwt_login(DOWN, &fixture("keys/rsa2048.pkcs8.pem"), &format!("http://{refused}"));
    let inconclusive = home.doctor().args(["--all", "--format", "json"]).run();
    assert_eq!(inconclusive.code, 3, "{}", inconclusive.stdout);
    assert_eq!(status(&inconclusive, DOWN), "inconclusive");
    assert_eq!(top_cause(&inconclusive, DOWN), "endpoint.unreachable");

    home.jwt_login(STALE, &home.path().join("gone.key"), &fake.url());
    let problems = home.doctor().args(["--all", "--format", "json"]).run();
    assert_eq!(problems.code, 1, "problems outrank inconclusive");
    assert_eq!(status(&problems, HEALTHY), "healthy");
}

#[test]
fn a_config_file_lists_logins_for_pipelines_without_the_sf_cli() {
    let fake = FakeSalesforce::start(org(&[HEALTHY, WRONG_CERT]));
    let home = Home::new();
    let dir = home.work();
    std::fs::copy(fixture("keys/rsa2048.pkcs8.pem"), dir.join("prod.key")).unwrap();
    std::fs::copy(fixture("certs/rsa2048.crt"), dir.join("prod.crt")).unwrap();
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
        other = fixture("keys/rsa2048-other.pkcs8.pem").display(),
    );
    std::fs::write(dir.join("logins.toml"), toml).unwrap();
    let out = home.doctor().args(["--config", "logins.toml", "--format", "json"]).run();
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
    let out = home.doctor().args(["--config", "logins.json", "--format", "json"]).run();
    assert_eq!((out.code, status(&out, HEALTHY)), (0, "healthy".into()), "{}", out.stdout);
}

#[test]
fn a_login_that_hangs_or_cannot_be_diagnosed_never_stops_the_others() {
    let fake = FakeSalesforce::start(org(&[HEALTHY]));
    let mut home = Home::new();
    home.alias("ci-hub", HEALTHY);
    home.jwt_login(HEALTHY, &fixture("keys/rsa2048.pkcs8.pem"), &fake.url());
    let dir = home.work();
    let mut entries = vec![json!({ "name": "unknown", "target-org": "no-such-org" })];
    // A certificate path that is a FIFO: it used to block until someone wrote to it; since issue 10
    // it is refused at once, so the entry is diagnosed (its certificate unreadable) without a hang.
    // TODO(lead): the per-login time-out needs another hang to be tested (a stalled endpoint).
    let fifo = dir.join("cert.fifo");
    #[cfg(unix)]
    if Command::new("mkfifo").arg(&fifo).status().is_ok_and(|s| s.success()) {
        entries.push(json!({ "name": "stuck", "target-org": "ci-hub", "cert": fifo }));
    }
    std::fs::write(dir.join("logins.json"), json!({ "login": entries }).to_string()).unwrap();
    let out = home.doctor().args(["--all", "--config", "logins.json", "--timeout", "1", "--format", "json"]).run();
    assert_eq!(out.code, 1, "a login that could not be diagnosed counts as problems:\n{}{}", out.stdout, out.stderr);
    let rows = out.json()["logins"].as_array().unwrap().clone();
    let unknown = rows.iter().find(|r| r["label"] == "unknown").unwrap();
    assert_eq!(unknown["status"], "not-diagnosed");
    assert!(unknown["reason"].as_str().unwrap().contains("--target-org no-such-org"), "{unknown}");
    if fifo.exists() {
        // The entry builds on ci-hub, so ci-hub is diagnosed once, as the entry.
        assert_eq!(rows.len(), 2, "{rows:?}");
        let stuck = rows.iter().find(|r| r["label"] == "stuck").unwrap();
        assert_ne!(stuck["status"], "not-diagnosed", "{stuck}");
        assert!(out.elapsed < Duration::from_secs(10), "took {:?}", out.elapsed);
    } else {
        assert_eq!(status(&out, HEALTHY), "healthy", "{}", out.stdout);
    }
}

#[test]
fn per_login_flags_are_refused_and_their_variables_ignored() {
    let fake = FakeSalesforce::start(org(&[HEALTHY]));
    let mut home = Home::new();
    home.alias("ci-hub", HEALTHY);
    home.jwt_login(HEALTHY, &fixture("keys/rsa2048.pkcs8.pem"), &fake.url());
    let out = home.doctor().args(["--all", "--username", "x@y.z", "--cert", "c.crt"]).run();
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("--username, --cert are one login's inputs"), "{}", out.stderr);

    // From the environment they are a single run's settings: left out, with a note.
    let out = home
        .doctor()
        .env("SFJWT_USERNAME", "someone@else.com")
        .env("SFJWT_KEY", "-----BEGIN PRIVATE KEY-----")
        .args(["--all", "--format", "json"])
        .run();
    assert_eq!((out.code, status(&out, HEALTHY)), (0, "healthy".into()), "{}", out.stdout);
    let notes = out.json()["notes"].to_string();
    assert!(notes.contains("SFJWT_USERNAME, SFJWT_KEY not used"), "{notes}");

    // --redact-identities masks every login's username, the skipped ones' too.
    home.web_login(WEB);
    let out = home.doctor().args(["--all", "--format", "markdown", "--redact-identities"]).run();
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert!(!out.stdout.contains(HEALTHY) && !out.stdout.contains(WEB), "{}", out.stdout);
    assert!(out.stdout.contains("| ci-hub | h…@…"), "{}", out.stdout);

    let empty = Home::new();
    let out = empty.doctor().arg("--all").run();
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
    let home = Home::new();
    let out = home
        .doctor()
        .args(["--format", "json", "--try-audiences", "--client-id", CONSUMER_KEY, "--username", HEALTHY])
        .args(["--instance-url", &fake.url(), "--jwt-key-file"])
        .arg(fixture("keys/rsa2048.pkcs8.pem"))
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
    let home = Home::new();
    let out = home
        .doctor()
        .args(["--format", "json", "--try-audiences", "--client-id", CONSUMER_KEY, "--username", HEALTHY])
        .args(["--instance-url", &fake.url(), "--jwt-key-file"])
        .arg(fixture("keys/rsa2048.pkcs8.pem"))
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
    let mut home = Home::new();
    home.alias("ci-hub", HEALTHY);
    home.jwt_login(HEALTHY, &fixture("keys/rsa2048.pkcs8.pem"), &fake.url());
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
fn on_terminal(home: &Home, format: &str) -> String {
    let line = format!("{} doctor --all --color never --format {format}", env!("CARGO_BIN_EXE_sfjwt"));
    let mut script = Command::new("script");
    for (name, _) in std::env::vars_os() {
        let text = name.to_string_lossy();
        let proxy = text.to_ascii_lowercase().ends_with("_proxy");
        if ["SFJWT_", "SF_", "SFDX_"].iter().any(|p| text.starts_with(p))
            || proxy
            || ["CI", "NO_COLOR"].contains(&&*text)
        {
            script.env_remove(&name);
        }
    }
    script.env("HOME", home.path()).env("SFJWT_NOW", NOW).env("TERM", "xterm").current_dir(home.work());
    let output = script.args(["-qefc", &line, "/dev/null"]).output().expect("script runs");
    String::from_utf8_lossy(&output.stdout).into_owned()
}
