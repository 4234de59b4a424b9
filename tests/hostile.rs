//! Hostile input stays harmless (issue 10). sfjwt runs on files customers send and on whatever a
//! repository holds, so its promises must hold against input made to break them: no secret in any
//! output, only a JWT sent and only where the user said, bounded on every input, files written
//! safely. Each test here fails when the mechanism that holds its promise is removed.
//!
//! Every run goes through [`Test`] (a clean environment, a hang guard, every output channel read
//! back); the token endpoints and the "proxy" are the shared server core's, on 127.0.0.1.

use std::{fs, path::Path, time::Duration};

use base64::{Engine as _, engine::general_purpose::STANDARD, engine::general_purpose::URL_SAFE_NO_PAD};
use proptest::prelude::*;
use sfjwt::scrub::plant::{self, Encoding, Form};

use crate::support::fake_salesforce::FakeSalesforce;
use crate::support::files::mkfifo;
use crate::support::server::{self, Fault, Info, Request, Response, Server};
use crate::support::{CLIENT_ID, Output, Test, USERNAME, fixture_path, formats};

/// `SFJWT_NOW` as the bundle's file names spell it.
const BUNDLE_STAMP: &str = "20270101T000000Z";
const NOT_APPROVED: &str = r#"{"error":"invalid_grant","error_description":"user hasn't approved this consumer"}"#;

fn key_path() -> String {
    fixture_path("keys/rsa2048.pkcs8.pem").display().to_string()
}

/// A token endpoint on 127.0.0.1 whose every answer is this status line, these headers and this
/// body, as they are. `connections()` counts whatever reached it.
fn endpoint(status_line: &str, headers: &[(&str, &str)], body: &str) -> FakeSalesforce {
    let headers = headers.iter().map(|(name, value)| (name.to_string(), value.to_string())).collect();
    FakeSalesforce::with_fault(Fault::Raw { status_line: status_line.into(), headers, body: body.into() })
}

fn not_approved() -> FakeSalesforce {
    endpoint("400 Bad Request", &[("Content-Type", "application/json")], NOT_APPROVED)
}

fn assert_no_leak(needles: &[String], outputs: &[(String, String)], context: &str) {
    for (name, text) in outputs {
        if let Some(run) = plant::leak(needles, text) {
            panic!("{context}: {name} holds {run:?}:\n{text}");
        }
    }
}

// -------------------------------------------------------------------------------------------
// The two serious cases

/// The base64 lines of the test-only key the damaged variants are made from.
fn key_lines() -> Vec<String> {
    fs::read_to_string(key_path()).unwrap().lines().filter(|l| !l.starts_with("-----")).map(str::to_string).collect()
}

fn damaged_keys() -> Vec<(&'static str, String)> {
    let pem = fs::read_to_string(key_path()).unwrap();
    let label = "PRIVATE KEY";
    let body = key_lines().join("\n");
    vec![
        ("one dash missing", pem.replacen(&format!("BEGIN {label}-----"), &format!("BEGIN {label}----"), 1)),
        ("BEGIN without dashes", pem.replacen(&format!("-----BEGIN {label}-----"), &format!("BEGIN {label}"), 1)),
        ("END dash missing", pem.replacen(&format!("END {label}-----"), &format!("END {label}----"), 1)),
        ("one line, a dash missing", format!("-----BEGIN {label}----{}-----END {label}-----", body.replace('\n', ""))),
        ("one line, no dashes", format!("BEGIN {label} {} END {label}", body.replace('\n', " "))),
        ("body on the BEGIN line", format!("-----BEGIN {label}-----{body}\n-----END {label}-----\n")),
    ]
}

/// Regression: a private key whose armor was damaged had its whole body printed as "a PEM block
/// labelled …", in every format and the support bundle, from a file, SFJWT_KEY or stdin.
#[test]
fn a_damaged_key_never_shows_its_body() {
    let needles = key_lines();
    for (damage, pem) in damaged_keys() {
        for source in ["file", "SFJWT_KEY", "SFJWT_KEY base64", "stdin"] {
            for &format in formats() {
                let dir = tempfile::tempdir().unwrap();
                let mut test = Test::new()
                    .current_dir(dir.path())
                    .args(["doctor", "--offline", "-i", CLIENT_ID, "-o", USERNAME])
                    .full_report(format)
                    .every_channel(format == "json");
                test = match source {
                    "file" => {
                        let path = dir.path().join("server.key");
                        fs::write(&path, &pem).unwrap();
                        test.arg("-f").arg(path)
                    }
                    "SFJWT_KEY" => test.env("SFJWT_KEY", &pem),
                    "SFJWT_KEY base64" => test.env("SFJWT_KEY", STANDARD.encode(&pem)),
                    _ => test.args(["-f", "-"]).stdin(pem.as_bytes()),
                };
                let out = test.run();
                assert!(matches!(out.code, 0 | 1), "{damage} via {source}: {}", out.describe());
                assert_no_leak(&needles, &out.channels(), &format!("{damage} via {source} {format:?}"));
                assert!(!out.stdout.contains("labelled `PRIVATE KEY-"), "{}", out.stdout);
            }
        }
    }
}

fn jws(claims: &str, signature: &str) -> String {
    format!(
        "{}.{}.{signature}",
        URL_SAFE_NO_PAD.encode(r#"{"alg":"RS256","typ":"JWT"}"#),
        URL_SAFE_NO_PAD.encode(claims)
    )
}

/// Regression: `--assertion @server.key` (or an access token given as the assertion) was reported
/// as not a JWT and then posted to the token endpoint anyway.
#[test]
fn only_a_jws_is_ever_posted() {
    let dir = tempfile::tempdir().unwrap();
    let token_file = dir.path().join("token.txt");
    fs::write(&token_file, "00D000000000001!AQ4AQExampleTokenValue0123456789abcdef").unwrap();
    let not_jws = [
        format!("@{}", key_path()),
        format!("@{}", fixture_path("certs/rsa2048.crt").display()),
        format!("@{}", token_file.display()),
        "00D000000000001!AQ4AQExampleTokenValue0123456789abcdef".to_string(),
        "hello world".to_string(),
        format!("{}.{}.c2ln.YQ.Yg", URL_SAFE_NO_PAD.encode("{}"), URL_SAFE_NO_PAD.encode("{}")),
        format!("{}.not json.c2ln", URL_SAFE_NO_PAD.encode(r#"{"alg":"RS256"}"#)),
        jws(r#"{"iss":"x"}"#, ""),
    ];
    let doctor = |endpoint: &FakeSalesforce, assertion: &str| {
        Test::new()
            .current_dir(dir.path())
            .args(["doctor", "--format", "json", "--timeout", "3", "--instance-url", &endpoint.url()])
            .args(["--assertion", assertion])
            .run()
    };
    for assertion in &not_jws {
        let endpoint = not_approved();
        let out = doctor(&endpoint, assertion);
        assert_eq!(endpoint.connections(), 0, "{assertion:?} was posted:\n{}", out.stdout);
        assert!(out.stdout.contains("not contacted: the --assertion is not a signed JWT"), "{}", out.stdout);
    }
    // The control: a well-formed JWS is sent, once.
    let endpoint = not_approved();
    doctor(&endpoint, &format!("@{}", fixture_path("assertions/healthy.jwt").display()));
    assert_eq!(endpoint.connections(), 1);
    assert_eq!(endpoint.token_requests(), 1);
}

// -------------------------------------------------------------------------------------------
// Class 2: only a JWT is ever sent, only where the user said

/// The probe in `dir`, with the test-only key, a client id and a username.
fn probe(dir: &Path) -> Test {
    Test::new().current_dir(dir).args(["doctor", "--format", "json", "--timeout", "3"]).args([
        "-i",
        CLIENT_ID,
        "-o",
        USERNAME,
        "-f",
        &key_path(),
    ])
}

#[test]
fn a_loopback_target_never_goes_through_a_proxy() {
    let dir = tempfile::tempdir().unwrap();
    let endpoint = not_approved();
    // A proxy forwards nothing: a request through it would never reach the endpoint.
    let proxy = Server::start(|_: &Request, _: &Info| Response::new(502, server::TEXT, "Bad Gateway\n"));
    let mut test = probe(dir.path()).args(["--instance-url", &endpoint.url()]);
    for name in ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"] {
        test = test.env(name, proxy.url());
    }
    let out = test.run();
    assert_eq!(proxy.connections(), 0, "the loopback request went through the proxy: {}", out.stdout);
    assert_eq!(endpoint.connections(), 1, "{}", out.stdout);
}

#[test]
fn a_found_project_file_cannot_send_the_assertion_to_a_host_it_chose() {
    let endpoint = not_approved();
    let project = tempfile::tempdir().unwrap();
    let project_file = serde_json::json!({ "packageDirectories": [{ "path": "force-app", "default": true }], "sfdcLoginUrl": endpoint.url() });
    fs::write(project.path().join("sfdx-project.json"), project_file.to_string()).unwrap();
    let below = project.path().join("force-app/main");
    fs::create_dir_all(&below).unwrap();

    let out = probe(&below).run();
    assert_eq!(endpoint.connections(), 0, "the project's host got the assertion:\n{}", out.stdout);
    let skipped = format!("name it with --instance-url {}", endpoint.url());
    assert!(out.stdout.contains(&skipped) && out.stdout.contains("found by itself"), "{}", out.stdout);

    // Named by the user, on the command line or in the environment, it is used.
    probe(&below).args(["--instance-url", &endpoint.url()]).run();
    assert_eq!(endpoint.connections(), 1);
    probe(&below).env("SFJWT_INSTANCE_URL", endpoint.url()).run();
    assert_eq!(endpoint.connections(), 2);
}

// -------------------------------------------------------------------------------------------
// Class 4: bounded on every input

/// `sfjwt doctor --offline --format json` in `dir`.
fn offline_json_in(dir: &Path) -> Test {
    Test::offline_json().current_dir(dir)
}

#[cfg(unix)]
#[test]
fn special_files_are_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo.xml");
    mkfifo(&fifo);
    let fifo = fifo.display().to_string();
    let at_fifo = format!("@{fifo}");
    let cases: [&[&str]; 8] = [
        &["-f", &fifo],
        &["--cert", &fifo],
        &["--assertion", &at_fifo],
        &["--error", &at_fifo],
        &["--connected-app", &fifo],
        &["--admin-org", &fifo],
        &["-f", "/dev/zero"],
        &["--error", "@/dev/zero"],
    ];
    for args in cases {
        let out = offline_json_in(dir.path()).args(args).run();
        assert!(out.elapsed < Duration::from_secs(10), "{args:?} took {:?}", out.elapsed);
        let said = out.stdout.contains("not a regular file") || out.stderr.contains("not a regular file");
        assert!(said, "{args:?}: {}", out.describe());
    }

    // Discovered, not given: an sfdx-project.json, and an app file in its package directory.
    let project = tempfile::tempdir().unwrap();
    mkfifo(&project.path().join("sfdx-project.json"));
    let out = offline_json_in(project.path()).run();
    assert!(out.stdout.contains("FIFO"), "{}", out.describe());
    let project = tempfile::tempdir().unwrap();
    fs::write(project.path().join("sfdx-project.json"), r#"{"packageDirectories":[{"path":"app"}]}"#).unwrap();
    fs::create_dir(project.path().join("app")).unwrap();
    mkfifo(&project.path().join("app/Ci.connectedApp-meta.xml"));
    let out = offline_json_in(project.path()).args(["-i", CLIENT_ID]).run();
    assert!(out.elapsed < Duration::from_secs(10), "took {:?}", out.elapsed);
}

#[test]
fn a_project_listing_a_directory_many_times_is_walked_within_one_budget() {
    let project = tempfile::tempdir().unwrap();
    for d in 0..50 {
        let sub = project.path().join(format!("d{d}"));
        fs::create_dir(&sub).unwrap();
        for f in 0..60 {
            fs::write(sub.join(format!("f{f}")), "").unwrap();
        }
    }
    // 2000 package directories, each the whole project (3050 entries): 6 million entries walked
    // with a budget per directory and no memory of what was walked (about 20 s in a debug build),
    // 50,000 at most with one budget for them all, a few thousand when a directory is walked once.
    let paths: Vec<_> = (0..2000).map(|i| serde_json::json!({ "path": if i % 2 == 0 { "." } else { "./" } })).collect();
    let json = serde_json::json!({ "packageDirectories": paths });
    fs::write(project.path().join("sfdx-project.json"), json.to_string()).unwrap();
    let out = offline_json_in(project.path()).args(["-i", CLIENT_ID]).run();
    assert!(out.elapsed < Duration::from_secs(8), "took {:?}", out.elapsed);
    assert!(matches!(out.code, 0 | 1), "{}", out.describe());
}

#[test]
fn overflowing_numbers_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        ["--wait", "99999999999999999999h"],
        ["--wait", "5124095576030432h"],
        ["--wait", "18446744073709551615s1s"],
        ["--timeout", "99999999999999999999"],
    ] {
        let out = Test::new().current_dir(dir.path()).args(["doctor", "--offline"]).args(args).run();
        assert_eq!(out.code, 2, "{args:?}: {}", out.describe());
        assert_eq!(out.stderr.trim().lines().filter(|l| l.starts_with("error")).count(), 1, "{}", out.stderr);
        // The error is the number's, not the one a run without inputs gets anyway.
        out.stderr_contains(&format!("invalid value '{}' for '{}", args[1], args[0]));
    }
}

// -------------------------------------------------------------------------------------------
// Class 5: files written safely

fn doctor_offline(dir: &Path) -> Test {
    Test::new().current_dir(dir).args(["doctor", "--offline", "-i", CLIENT_ID, "-o", USERNAME, "-f", &key_path()])
}

#[cfg(unix)]
#[test]
fn reports_are_created_new_and_private() {
    use crate::support::files::mode;

    let dir = tempfile::tempdir().unwrap();
    let new = dir.path().join("report.json");
    let out = doctor_offline(dir.path()).args(["--json", "--output"]).arg(&new).run();
    assert_eq!(out.code, 0, "{}", out.describe());
    assert_eq!(mode(&new), 0o600);

    // An existing file, a symlink to one, a dangling symlink: refused, nothing written anywhere.
    let victim = dir.path().join("victim");
    fs::write(&victim, "keep").unwrap();
    let link = dir.path().join("link.json");
    std::os::unix::fs::symlink(&victim, &link).unwrap();
    let dangling = dir.path().join("dangling.json");
    std::os::unix::fs::symlink(dir.path().join("created-through-link"), &dangling).unwrap();
    for target in [&new, &victim, &link, &dangling] {
        let before = fs::read(target).ok();
        let out = doctor_offline(dir.path()).args(["--json", "--output"]).arg(target).run();
        assert_eq!(out.code, 2, "{}: {}", target.display(), out.describe());
        assert!(out.stderr.contains("already exists"), "{}", out.stderr);
        assert_eq!(fs::read(target).ok(), before);
    }
    assert_eq!(fs::read_to_string(&victim).unwrap(), "keep");
    assert!(!dir.path().join("created-through-link").exists());

    // The bundle: a private directory of private files; a planted link under the name sfjwt will
    // use (the clock is pinned, so the name is predictable) is refused too.
    let bundle = dir.path().join("bundle");
    let out = doctor_offline(dir.path()).arg("--report").arg(&bundle).run();
    assert_eq!(out.code, 0, "{}", out.describe());
    assert_eq!(mode(&bundle), 0o700);
    for extension in ["json", "md"] {
        assert_eq!(mode(&bundle.join(format!("{BUNDLE_STAMP}-sfjwt.{extension}"))), 0o600);
    }
    let planted = dir.path().join("planted");
    fs::create_dir(&planted).unwrap();
    std::os::unix::fs::symlink(&victim, planted.join(format!("{BUNDLE_STAMP}-sfjwt.json"))).unwrap();
    let out = doctor_offline(dir.path()).arg("--report").arg(&planted).run();
    assert_eq!(out.code, 2, "{}", out.describe());
    assert_eq!(fs::read_to_string(&victim).unwrap(), "keep");

    // The job summary is appended to, never created.
    let summary = dir.path().join("summary.md");
    fs::write(&summary, "earlier step\n").unwrap();
    let out = doctor_offline(dir.path()).args(["--format", "github"]).env("GITHUB_STEP_SUMMARY", &summary).run();
    assert_eq!(out.code, 0, "{}", out.describe());
    let text = fs::read_to_string(&summary).unwrap();
    assert!(text.starts_with("earlier step\n") && text.len() > 20, "{text}");
    let missing = dir.path().join("no-summary.md");
    let out = doctor_offline(dir.path()).args(["--format", "github"]).env("GITHUB_STEP_SUMMARY", &missing).run();
    assert_eq!(out.code, 2, "{}", out.describe());
    assert!(!missing.exists());
}

#[cfg(unix)]
#[test]
fn a_failed_write_is_exit_2_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    if Path::new("/dev/full").exists() {
        let out = shell(r#"exec "$0" "$@" > /dev/full"#);
        assert_eq!(out.code, 2, "{}", out.describe());
        assert!(out.stderr.contains("No space left"), "{}", out.stderr);
        let out = doctor_offline(dir.path()).args(["--format", "github"]).env("GITHUB_STEP_SUMMARY", "/dev/full").run();
        assert_eq!(out.code, 2, "{}", out.describe());
        assert!(out.stderr.contains("job summary") && out.stderr.contains("No space left"), "{}", out.stderr);
    }
    // A closed stdout (not a pipe) ...
    let closed = shell(r#"exec "$0" "$@" >&-"#);
    assert_eq!(closed.code, 2, "{}", closed.describe());
    assert!(closed.stderr.contains("standard output is closed"), "{}", closed.stderr);
    // ... but not /dev/null, where the user sent it on purpose.
    let null = shell(r#"exec "$0" "$@" > /dev/null"#);
    assert_eq!(null.code, 0, "{}", null.describe());
}

/// `sfjwt doctor --offline --json` with its stdout redirected by `sh` as `script` says.
fn shell(script: &str) -> Output {
    Test::new().via_shell(script).args(["doctor", "--offline", "--json", "-i", CLIENT_ID, "-o", USERNAME]).run()
}

// -------------------------------------------------------------------------------------------
// Class 1: masking by kind, whatever the channel, form and encoding

/// Where a planted secret comes in.
#[derive(Debug, Clone, Copy)]
enum Channel {
    ErrorInline,
    ErrorFile,
    ErrorStdin,
    /// The token endpoint's answer: status line, a header, `Location`, a JSON field, a 200 body
    /// that is not JSON, an HTML error page.
    StatusLine,
    Header,
    Location,
    JsonField,
    PlainBody,
    HtmlPage,
    /// `--instance-url` and `sfdcLoginUrl` with `user:password@`, `sid=`, `#access_token=`.
    InstanceUrl,
    ProjectUrl,
    /// `HTTPS_PROXY` with and without a scheme.
    Proxy,
    /// `--admin-org`: the CLI's error message, the instance URL, the username.
    AdminOrg,
    /// `--assertion` whose `sub` claim holds the planted text.
    Claims,
    /// Key material as the key file, `SFJWT_KEY` or stdin.
    KeyFile,
    KeyEnv,
    KeyStdin,
    /// Connected app metadata: `consumerSecret`, and the label.
    AppMetadata,
    /// A secret given to the wrong flag: the usage error quotes the value.
    WrongFlag,
}

const CHANNELS: [Channel; 19] = [
    Channel::ErrorInline,
    Channel::ErrorFile,
    Channel::ErrorStdin,
    Channel::StatusLine,
    Channel::Header,
    Channel::Location,
    Channel::JsonField,
    Channel::PlainBody,
    Channel::HtmlPage,
    Channel::InstanceUrl,
    Channel::ProjectUrl,
    Channel::Proxy,
    Channel::AdminOrg,
    Channel::Claims,
    Channel::KeyFile,
    Channel::KeyEnv,
    Channel::KeyStdin,
    Channel::AppMetadata,
    Channel::WrongFlag,
];

fn one_line(text: &str) -> String {
    text.replace(['\r', '\n'], " ")
}

fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// Runs sfjwt with `planted` in `channel` and returns every output, and what must not be in them.
fn plant_and_run(
    channel: Channel,
    form: Form,
    encoding: Encoding,
    canary: &str,
    format: &str,
    to_file: bool,
) -> (Vec<(String, String)>, Vec<String>) {
    let planted = plant::plant(form, encoding, canary);
    let mut needles = planted.needles.clone();
    let work = tempfile::tempdir().unwrap();
    let dir = work.path();
    let mut running = None;
    let test =
        Test::new().current_dir(dir).arg("doctor").full_report(format).args(["--timeout", "3"]).every_channel(to_file);
    let login = |test: Test| test.args(["-i", CLIENT_ID, "-o", USERNAME, "-f", &key_path()]);
    let url_with = |canary: &str| match canary.len() % 3 {
        0 => format!("https://ci:{canary}@login.salesforce.com"),
        1 => format!("https://login.salesforce.com/?sid={canary}"),
        _ => format!("https://login.salesforce.com/secur/frontdoor.jsp#access_token={canary}&x=1"),
    };
    let error_text = format!("ERROR running org login jwt: failed\n{}\nexit 1\n", planted.text);
    let test = match channel {
        Channel::ErrorInline => test.args(["--error", &error_text]),
        Channel::ErrorFile => {
            fs::write(dir.join("error.txt"), &error_text).unwrap();
            test.arg("--error").arg(format!("@{}", dir.join("error.txt").display()))
        }
        Channel::ErrorStdin => test.args(["--error", "-"]).stdin(error_text),
        Channel::StatusLine
        | Channel::Header
        | Channel::Location
        | Channel::JsonField
        | Channel::PlainBody
        | Channel::HtmlPage => {
            let line = one_line(&planted.text);
            let json_type = ("Content-Type", "application/json");
            let fake = match channel {
                Channel::StatusLine => endpoint(&format!("400 {line}"), &[json_type], NOT_APPROVED),
                Channel::Header => endpoint("400 Bad Request", &[json_type, ("X-Debug", &line)], NOT_APPROVED),
                Channel::Location => endpoint(
                    "302 Found",
                    &[("Location", &format!("https://acme.my.salesforce.com/cb?state=1&{line}"))],
                    "",
                ),
                Channel::JsonField => {
                    let body = serde_json::json!({ "error": "invalid_grant", "error_description": planted.text, "id_token": canary });
                    endpoint("400 Bad Request", &[json_type], &body.to_string())
                }
                Channel::PlainBody => endpoint("200 OK", &[("Content-Type", "text/plain")], &planted.text),
                _ => endpoint(
                    "500 Server Error",
                    &[("Content-Type", "text/html")],
                    &format!("<html><head><title>{line}</title></head><body>{}</body></html>", planted.text),
                ),
            };
            let test = login(test).args(["--instance-url", &fake.url()]);
            running = Some(fake);
            test
        }
        Channel::InstanceUrl => test.args(["--offline", "--instance-url", &url_with(canary)]),
        Channel::ProjectUrl => {
            let json = serde_json::json!({ "packageDirectories": [{ "path": "." }], "sfdcLoginUrl": url_with(canary) });
            fs::write(dir.join("sfdx-project.json"), json.to_string()).unwrap();
            test.arg("--offline")
        }
        Channel::Proxy => {
            // Nothing listens there: the refusal names the proxy, which must come out masked.
            let port = server::closed_address().port();
            let scheme = if canary.len().is_multiple_of(2) { "http://" } else { "" };
            login(test.env("HTTPS_PROXY", format!("{scheme}proxyuser:{canary}@127.0.0.1:{port}")))
                .args(["--instance-url", "https://sfjwt-hostile.invalid"])
        }
        Channel::AdminOrg => {
            let json = match canary.len() % 2 {
                0 => serde_json::json!({ "status": 1, "name": "AuthError", "message": planted.text }),
                _ => serde_json::json!({ "status": 0, "result": {
                    "accessToken": canary,
                    "refreshToken": format!("5Aep861{canary}"),
                    "instanceUrl": format!("http://admin:{canary}@acme.example.com"),
                    "username": one_line(&planted.text),
                    "sfdxAuthUrl": format!("force://PlatformCLI::{canary}@acme.my.salesforce.com"),
                }}),
            };
            fs::write(dir.join("admin.json"), json.to_string()).unwrap();
            test.arg("--offline").arg("--admin-org").arg(dir.join("admin.json")).args(["-o", USERNAME])
        }
        Channel::Claims => {
            let signature = format!("{canary}Sig");
            needles.push(signature.clone());
            let claims = serde_json::json!({ "iss": CLIENT_ID, "sub": planted.text, "aud": "https://login.salesforce.com", "exp": 1_798_761_700 });
            test.args(["--offline", "--assertion", &jws(&claims.to_string(), &signature)])
        }
        Channel::KeyFile | Channel::KeyEnv | Channel::KeyStdin => {
            let test = test.args(["--offline", "-i", CLIENT_ID, "-o", USERNAME]);
            match channel {
                Channel::KeyFile => {
                    fs::write(dir.join("server.key"), &planted.text).unwrap();
                    test.arg("-f").arg(dir.join("server.key"))
                }
                Channel::KeyEnv => test.env("SFJWT_KEY", &planted.text),
                _ => test.args(["-f", "-"]).stdin(planted.text.clone()),
            }
        }
        Channel::AppMetadata => {
            let xml = format!(
                r#"<?xml version="1.0" encoding="UTF-8"?>
<ConnectedApp xmlns="http://soap.sforce.com/2006/04/metadata">
    <label>{}</label>
    <contactEmail>ci@example.com</contactEmail>
    <oauthConfig>
        <callbackUrl>https://login.salesforce.com/services/oauth2/success?sid={canary}</callbackUrl>
        <consumerKey>{CLIENT_ID}</consumerKey>
        <consumerSecret>{canary}</consumerSecret>
        <isAdminApproved>true</isAdminApproved>
        <scopes>Api</scopes>
    </oauthConfig>
</ConnectedApp>
"#,
                xml_escape(&one_line(&planted.text))
            );
            fs::write(dir.join("Ci.connectedApp-meta.xml"), xml).unwrap();
            test.args(["--offline", "-i", CLIENT_ID, "-o", USERNAME, "--connected-app"])
                .arg(dir.join("Ci.connectedApp-meta.xml"))
        }
        Channel::WrongFlag => test.arg(format!("--timeout={}", one_line(&planted.text))),
    };
    let out = test.run();
    drop(running);
    assert!(matches!(out.code, 0..=3), "{channel:?}: {}", out.describe());
    (out.channels(), needles)
}

/// `PROPTEST_CASES` when set, else `default`.
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn channels() -> impl Strategy<Value = Channel> {
    proptest::sample::select(CHANNELS.to_vec())
}

/// Key channels take key forms; the others take every form.
fn form_for(channel: Channel, pick: usize) -> Form {
    match channel {
        Channel::KeyFile | Channel::KeyEnv | Channel::KeyStdin => Form::Key(plant::ARMORS[pick % plant::ARMORS.len()]),
        _ => {
            let forms = plant::forms();
            forms[pick % forms.len()]
        }
    }
}

/// Key files are read as they are, so only the encodings a key file or secret really has.
fn encoding_for(channel: Channel, pick: usize) -> Encoding {
    let all = plant::ENCODINGS;
    match channel {
        Channel::KeyFile | Channel::KeyEnv | Channel::KeyStdin => {
            [Encoding::Plain, Encoding::Whitespace, Encoding::JsonString, Encoding::Base64][pick % 4]
        }
        _ => all[pick % all.len()],
    }
}

proptest! {
    // PROPTEST_CASES raises it for a longer hunt.
    #![proptest_config(ProptestConfig { cases: cases(160), failure_persistence: None, ..ProptestConfig::default() })]

    /// A canary of every kind, in every channel, form and encoding: no 16-character run of it
    /// reaches stdout, stderr, `--output`, the `--report` bundle or the job summary.
    #[test]
    fn no_planted_secret_reaches_any_output(
        channel in channels(),
        form in any::<usize>(),
        encoding in any::<usize>(),
        seed in any::<[u8; 8]>(),
        format in proptest::sample::select(formats()),
        to_file in any::<bool>(),
    ) {
        let form = form_for(channel, form);
        let encoding = encoding_for(channel, encoding);
        let canary = plant::canary(&seed);
        let (outputs, needles) = plant_and_run(channel, form, encoding, &canary, format, to_file);
        for (name, text) in &outputs {
            prop_assert_eq!(plant::leak(&needles, text), None, "{:?} {:?} {:?} {:?}: {}:\n{}", channel, form, encoding, format, name, text);
        }
    }
}

/// Every channel at least once, whatever the random draw: each with a JSON field and a JWT.
#[test]
fn every_channel_is_covered() {
    for (i, channel) in CHANNELS.into_iter().enumerate() {
        for (form, encoding) in
            [(form_for(channel, 0), Encoding::Plain), (form_for(channel, i + 8), encoding_for(channel, i))]
        {
            let canary = plant::canary(&[i as u8, 7]);
            let (outputs, needles) =
                plant_and_run(channel, form, encoding, &canary, formats()[i % formats().len()], i % 2 == 0);
            assert_no_leak(&needles, &outputs, &format!("{channel:?} {form:?} {encoding:?}"));
        }
    }
}
