//! `--target-org`, the sf CLI's default org, its stored logins, and `--admin-org <alias>`, run
//! through the binary against a temporary HOME holding files in the sf CLI's exact shapes, and a
//! fake `sf` on PATH ([`SfHome`]: nothing here reads or writes the real home directory).

use std::{
    path::{Path, PathBuf},
    time::Duration,
};

use serde_json::json;

use crate::support::files::set_mode;
use crate::support::server::{Info, JSON, Request, Response, Server};
use crate::support::sf_home::{ENCRYPTED, JwtLogin, SfHome};
use crate::support::{CLIENT_ID, Output, Test, USERNAME, fixture_path};

/// A made-up admin token: it must reach the org queries and never any output.
const ADMIN_TOKEN: &str = "00D000000000001EAA!AQ4AQFakeAdminTokenForSfStateTests0123456789";
const KEY: &str = "keys/rsa2048.pkcs8.pem";

/// A healthy stored JWT login `ci-hub` for ci@example.com with the fixture key.
fn healthy() -> SfHome {
    let home = SfHome::new();
    home.alias("ci-hub", USERNAME).jwt_login(JwtLogin::new(USERNAME, fixture_path(KEY)));
    home
}

/// `sfjwt doctor --format json` in `home`, with a PATH of `path` only.
fn doctor(home: &SfHome, path: &[&Path]) -> Test {
    home.doctor().env("PATH", std::env::join_paths(path).unwrap()).args(["--format", "json"])
}

/// Checks and causes without the sf CLI group, the part that must not depend on where inputs came from.
fn verdict(out: &Output) -> (Vec<(String, String, String)>, Vec<String>) {
    let json = out.json();
    let checks = json["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["group"] != "sfcli")
        .map(|c| (c["id"].to_string(), c["status"].to_string(), c["summary"].to_string()))
        .collect();
    (checks, out.causes())
}

#[test]
fn a_stored_jwt_login_gives_the_same_report_as_the_flags_with_provenance() {
    let home = healthy();
    let cert = fixture_path("certs/rsa2048.crt");
    let key = fixture_path(KEY);
    let stored = doctor(&home, &[]).args(["--offline", "--target-org", "ci-hub"]).arg("--cert").arg(&cert).run();
    let flags = doctor(&home, &[])
        .args(["--offline", "-i", CLIENT_ID, "-o", USERNAME])
        .arg("-f")
        .arg(&key)
        .arg("--cert")
        .arg(&cert)
        .run();
    assert_eq!(stored.code, 0, "{}", stored.stdout);
    assert_eq!(verdict(&stored), verdict(&flags));
    for input in ["client id", "private key", "username", "instance URL"] {
        assert_eq!(stored.input_source(input), "the sf CLI's stored login for ci-hub", "{input}");
    }
    assert_eq!(stored.check("sfcli.login")["status"], "pass");
    assert_eq!(stored.check("sfcli.store")["status"], "pass");
    assert_eq!(stored.check("sfcli.key-path")["status"], "pass");
    // The flags run did not consult the sf CLI at all.
    assert_eq!(flags.check("sfcli.login")["status"], "skip");
}

#[test]
fn the_default_org_of_the_project_config_is_used_without_any_flag() {
    let home = healthy();
    home.project_config(json!({"target-org": "ci-hub"}));
    let out = doctor(&home, &[]).arg("--offline").run();
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert_eq!(out.input_source("username"), "the sf CLI's stored login for ci-hub");
    assert!(out.check("sfcli.login")["summary"].as_str().unwrap().contains("JWT login"));
    // SF_TARGET_ORG wins over the config, as in the sf CLI; an unknown default is a note, not an error.
    let unknown = doctor(&home, &[]).arg("--offline").env("SF_TARGET_ORG", "nobody").run();
    assert_eq!(unknown.code, 0, "{}", unknown.stdout);
    let notes = unknown.json()["notes"].to_string();
    assert!(notes.contains("default org `nobody` (env SF_TARGET_ORG) was not used"), "{notes}");
    // A default org for another user than --username is left alone.
    let other = doctor(&home, &[]).args(["--offline", "--username", "someone@else.com"]).run();
    assert_eq!(other.input_source("username"), "flag --username");
    assert_eq!(other.input_source("client id"), "");
}

#[test]
fn a_stale_key_path_is_named_with_its_fix() {
    let home = healthy();
    let gone = home.path().join("moved/server.key");
    home.jwt_login(JwtLogin::new(USERNAME, &gone));
    let out = doctor(&home, &[]).args(["--offline", "--target-org", "ci-hub"]).run();
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert_eq!(out.causes()[0], "sfcli.key-path-stale");
    let cause = out.cause("sfcli.key-path-stale");
    let text = cause.to_string();
    assert!(text.contains(&gone.display().to_string()) && text.contains("no longer exists"), "{text}");
    assert!(text.contains(&format!("Put the key back at {}", gone.display())), "{text}");
    assert!(text.contains("sf org login jwt --client-id") && text.contains("keeps the alias ci-hub"), "{text}");
    // The stale path is not passed on as the key: the key checks ask for one instead of failing too.
    assert_eq!(out.check("key.file")["status"], "skip");
}

#[cfg(unix)]
#[test]
fn an_unreadable_store_is_named_with_its_fix() {
    let home = healthy();
    home.key_json(0o644);
    let out = doctor(&home, &[]).args(["--offline", "--target-org", "ci-hub"]).run();
    assert_eq!(out.code, 1, "{}", out.stdout);
    let text = out.cause("sfcli.auth-store-unreadable").to_string();
    assert!(text.contains("Invalid file permissions for secret file") && text.contains("chmod 600"), "{text}");

    // Tokens copied from another machine: no key file here to decrypt them.
    std::fs::remove_file(home.path().join(".sfdx/key.json")).unwrap();
    let copied = doctor(&home, &[]).args(["--offline", "--target-org", "ci-hub"]).run();
    let text = copied.cause("sfcli.auth-store-unreadable").to_string();
    assert!(text.contains("another machine") && text.contains("`accessToken`"), "{text}");
    assert!(!copied.stdout.contains(&ENCRYPTED[..20]), "an encrypted value was shown");

    // A damaged alias file stops every sf command that names an org.
    home.key_json(0o600);
    home.write(".sfdx/alias.json", "{\"orgs\": {\"ci-hub\": ");
    let damaged = doctor(&home, &[]).args(["--offline", "--target-org", USERNAME]).run();
    let text = damaged.cause("sfcli.auth-store-unreadable").to_string();
    assert!(text.contains("alias.json is damaged"), "{text}");
}

#[test]
fn a_web_login_is_named_and_gives_only_the_username_and_login_url() {
    let home = SfHome::new();
    home.alias("dev", "dev@example.com").web_login("dev@example.com");
    let out = doctor(&home, &[]).args(["--offline", "--target-org", "dev"]).run();
    let cause = out.cause("sfcli.not-jwt-login").to_string();
    assert!(cause.contains("refresh token") && cause.contains("sf org login jwt"), "{cause}");
    assert_eq!(out.input_source("username"), "the sf CLI's stored login for dev");
    assert_eq!(out.input_source("client id"), "", "PlatformCLI is not the JWT app");
}

#[test]
fn a_stored_instance_url_that_is_a_login_host_is_named() {
    let home = healthy();
    home.jwt_login(JwtLogin::new(USERNAME, fixture_path(KEY)).at("https://login.salesforce.com"));
    let out = doctor(&home, &[]).args(["--offline", "--target-org", "ci-hub"]).run();
    let text = out.cause("sfcli.instance-url-mismatch").to_string();
    assert!(text.contains("Destination URL not reset"), "{text}");
}

#[test]
fn an_unknown_target_org_is_a_usage_error_with_suggestions() {
    let home = healthy();
    let out = doctor(&home, &[]).args(["--offline", "--target-org", "ci-hbu"]).run();
    assert_eq!(out.code, 2, "{}", out.stdout);
    assert!(
        out.stderr.contains("--target-org ci-hbu") && out.stderr.contains("did you mean `ci-hub`"),
        "{}",
        out.stderr
    );
}

#[test]
fn ci_variable_names_are_low_precedence_sources() {
    let home = SfHome::new();
    let key = std::fs::read_to_string(fixture_path(KEY)).unwrap();
    let out = doctor(&home, &[])
        .args(["--offline", "--cert"])
        .arg(fixture_path("certs/rsa2048.crt"))
        .env("SFDX_CLIENT_ID", CLIENT_ID)
        .env("SFDX_HUB_KEY", &key)
        .env("TARGET_USERNAME", USERNAME)
        .env("SF_ORG_INSTANCE_URL", "https://example.my.salesforce.com")
        .run();
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert_eq!(out.input_source("client id"), "env SFDX_CLIENT_ID");
    assert_eq!(out.input_source("private key"), "env SFDX_HUB_KEY");
    assert_eq!(out.input_source("username"), "env TARGET_USERNAME");
    assert_eq!(out.input_source("instance URL"), "env SF_ORG_INSTANCE_URL");
    assert!(out.json()["notes"].to_string().contains("`sf org login jwt` itself does not read it"));
    // A flag still wins.
    let flagged = doctor(&home, &[])
        .args(["--offline", "--username", "other@example.com"])
        .env("TARGET_USERNAME", USERNAME)
        .run();
    assert_eq!(flagged.input_source("username"), "flag --username");
    assert!(!out.stdout.contains("BEGIN PRIVATE KEY"));
}

/// A fake `sf` in its own folder: a shell script whose body answers per subcommand.
fn fake_sf(dir: &Path, body: &str) -> PathBuf {
    let bin = dir.join("fakebin");
    std::fs::create_dir_all(&bin).unwrap();
    let path = bin.join("sf");
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
    set_mode(&path, 0o755);
    bin
}

/// A REST API on 127.0.0.1 that answers every SOQL query with no rows; it records the requests,
/// and so the Authorization headers it saw.
fn fake_org() -> Server<impl Fn(&Request, &Info) -> Response + Send + Sync + 'static> {
    let no_rows = r#"{"totalSize":0,"done":true,"records":[]}"#;
    Server::start(move |_: &Request, _: &Info| Response::new(200, JSON, no_rows))
}

#[cfg(unix)]
#[test]
fn admin_org_alias_runs_the_fake_sf_and_its_token_reaches_the_org_queries_only() {
    let home = SfHome::new();
    let org = fake_org();
    let org_url = org.url();
    home.alias("admin", "admin@example.com");
    let admin = json!({"accessToken": ENCRYPTED, "refreshToken": ENCRYPTED, "username": "admin@example.com",
                       "instanceUrl": org_url, "loginUrl": "https://login.salesforce.com"});
    home.write(".sfdx/admin@example.com.json", &admin.to_string());
    // Answers only with --json and a closed stdin, as sfjwt must run it.
    let bin = fake_sf(
        home.root(),
        &format!(
            r#"if read line; then echo 'stdin was open' >&2; exit 3; fi
case "$*" in
  "org auth show-access-token --target-org admin --json") echo '{{"status":0,"result":{{"accessToken":"{ADMIN_TOKEN}"}},"warnings":["exposes a token"]}}';;
  *) echo "unexpected: $*" >&2; exit 4;;
esac"#
        ),
    );
    let out = doctor(&home, &[&bin, Path::new("/usr/bin"), Path::new("/bin")])
        .args(["--admin-org", "admin", "--username", USERNAME, "--instance-url", "http://127.0.0.1:9"])
        .run();
    let check = out.check("sfcli.admin");
    assert_eq!(check["status"], "pass", "{check}\n{}", out.stderr);
    assert!(
        check["summary"].as_str().unwrap().contains("sf org auth show-access-token (admin@example.com)"),
        "{check}"
    );
    let seen: Vec<String> =
        org.requests().iter().filter_map(|r| r.header("authorization").map(str::to_string)).collect();
    assert!(!seen.is_empty() && seen.iter().all(|h| h == &format!("Bearer {ADMIN_TOKEN}")), "{seen:?}");
    assert!(!out.stdout.contains("AQ4AQ") && !out.stderr.contains("AQ4AQ"), "the admin token was printed");
}

#[cfg(unix)]
#[test]
fn a_missing_slow_or_failing_sf_is_a_finding_not_a_crash_or_a_hang() {
    let home = SfHome::new();
    let admin_run = |path: &[&Path], extra: &[&str]| {
        doctor(&home, path).args(["--admin-org", "admin", "--instance-url", "http://127.0.0.1:9"]).args(extra).run()
    };
    let empty = home.root().join("empty-bin");
    std::fs::create_dir_all(&empty).unwrap();
    let missing = admin_run(&[&empty], &[]);
    let cause = missing.cause("sfcli.not-installed").to_string();
    assert!(cause.contains("npm install --global @salesforce/cli"), "{cause}");

    let system = [Path::new("/usr/bin"), Path::new("/bin")];
    let slow_bin = fake_sf(&home.root().join("slow"), "exec sleep 30");
    let slow = admin_run(&[&slow_bin, system[0], system[1]], &["--timeout", "1"]);
    // The fake sf sleeps 30 s: a run that waited for it would take that long.
    assert!(slow.elapsed < Duration::from_secs(20), "{}", slow.describe());
    assert!(slow.cause("sfcli.command-failed").to_string().contains("no answer within 1 s"), "{}", slow.stdout);

    let noise_bin = fake_sf(&home.root().join("noise"), &format!("echo 'Update available {ADMIN_TOKEN}'"));
    let noise = admin_run(&[&noise_bin, system[0], system[1]], &[]);
    let text = noise.cause("sfcli.command-failed").to_string();
    assert!(text.contains("printed no JSON") && !noise.stdout.contains("AQ4AQ"), "{text}");

    let failing_bin = fake_sf(
        &home.root().join("failing"),
        r#"echo '{"status":1,"name":"NamedOrgNotFoundError","message":"No authorization information found for admin."}'; exit 1"#,
    );
    let failing = admin_run(&[&failing_bin, system[0], system[1]], &[]);
    let text = failing.cause("sfcli.command-failed").to_string();
    assert!(text.contains("NamedOrgNotFoundError"), "{text}");
    // The org checks say why they could not run.
    assert!(failing.check("org.user")["summary"].as_str().unwrap().contains("admin session"), "{}", failing.stdout);

    // --offline never runs sf: refreshing the token would contact the org.
    let offline = admin_run(&[&failing_bin, system[0], system[1]], &["--offline"]);
    assert_eq!(offline.check("sfcli.admin")["status"], "skip");
    for out in [&missing, &slow, &noise, &failing, &offline] {
        assert!(out.code == 0 || out.code == 1 || out.code == 3, "exit {}: {}", out.code, out.stderr);
    }
}
