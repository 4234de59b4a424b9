//! Hostile input stays harmless (issue 10). sfjwt runs on files customers send and on whatever a
//! repository holds, so its promises must hold against input made to break them: no secret in any
//! output, only a JWT sent and only where the user said, bounded on every input, files written
//! safely. Each test here fails when the mechanism that holds its promise is removed.
//!
//! Self-contained: its own runner, a raw token endpoint and a listening "proxy" on 127.0.0.1.

use std::{
    fs,
    io::{Read, Write},
    net::{TcpListener, TcpStream},
    path::{Path, PathBuf},
    process::{Command, Stdio},
    sync::{Arc, Mutex, mpsc},
    thread,
    time::{Duration, Instant},
};

use base64::{Engine as _, engine::general_purpose::STANDARD, engine::general_purpose::URL_SAFE_NO_PAD};
use proptest::prelude::*;
use sfjwt::scrub::plant::{self, Encoding, Form};

const NOW: &str = "1798761600";
const CLIENT_ID: &str = "3MVG9EXAMPLE0nly.TestKey_ForSfjwtDocs0000000000000000000000000000000000000000000";
const USERNAME: &str = "ci@example.com";
const FORMATS: [&[&str]; 5] = [
    &["--format", "text", "--verbose"],
    &["--format", "json"],
    &["--format", "markdown"],
    &["--format", "junit"],
    &["--format", "github"],
];
/// `SFJWT_NOW` as the bundle's file names spell it.
const BUNDLE_STAMP: &str = "20270101T000000Z";

fn fixture(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures").join(path)
}

fn key_path() -> String {
    fixture("keys/rsa2048.pkcs8.pem").display().to_string()
}

/// sfjwt in `dir`, with no sfjwt, sf or proxy variables, and the clock pinned.
fn sfjwt(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sfjwt"));
    for (name, _) in std::env::vars_os() {
        let lower = name.to_string_lossy().to_ascii_lowercase();
        if lower.starts_with("sfjwt_")
            || lower.starts_with("sf_")
            || lower.starts_with("sfdx_")
            || lower.ends_with("_proxy")
            || ["github_step_summary", "no_color", "ci"].contains(&lower.as_str())
        {
            cmd.env_remove(name);
        }
    }
    cmd.env("SFJWT_NOW", NOW).current_dir(dir).stdin(Stdio::null());
    cmd
}

struct Out {
    code: i32,
    stdout: String,
    stderr: String,
    elapsed: Duration,
}

impl Out {
    fn both(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }
}

/// Runs `cmd`, feeding `stdin`; a run that takes 30 s is killed and fails the test (a hang).
fn run(cmd: &mut Command, stdin: Option<&[u8]>) -> Out {
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    if stdin.is_some() {
        cmd.stdin(Stdio::piped());
    }
    let started = Instant::now();
    let mut child = cmd.spawn().expect("sfjwt starts");
    if let Some(bytes) = stdin {
        let mut pipe = child.stdin.take().unwrap();
        let bytes = bytes.to_vec();
        thread::spawn(move || {
            let _ = pipe.write_all(&bytes);
        });
    }
    let pid = child.id();
    let (done, wait) = mpsc::channel();
    thread::spawn(move || {
        let _ = done.send(child.wait_with_output());
    });
    let output = match wait.recv_timeout(Duration::from_secs(30)) {
        Ok(output) => output.unwrap(),
        Err(_) => {
            let _ = Command::new("kill").arg("-9").arg(pid.to_string()).status();
            panic!("sfjwt hung: {cmd:?}");
        }
    };
    let out = Out {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        elapsed: started.elapsed(),
    };
    assert!(!out.stderr.contains("panicked") && out.code != 101, "{cmd:?} panicked: {}", out.stderr);
    out
}

/// A token endpoint on 127.0.0.1 that answers every request with the same raw bytes and records
/// each request it read.
struct Endpoint {
    url: String,
    requests: Arc<Mutex<Vec<String>>>,
}

impl Endpoint {
    fn start(response: Vec<u8>) -> Endpoint {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let recorded = Arc::clone(&requests);
        thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { break };
                let request = read_request(&mut stream);
                recorded.lock().unwrap().push(request);
                let _ = stream.write_all(&response);
            }
        });
        Endpoint { url, requests }
    }

    fn answering(status_line: &str, headers: &[(&str, &str)], body: &str) -> Endpoint {
        let mut response = format!("HTTP/1.1 {status_line}\r\nContent-Length: {}\r\nConnection: close\r\n", body.len());
        for (name, value) in headers {
            response.push_str(&format!("{name}: {value}\r\n"));
        }
        response.push_str("\r\n");
        response.push_str(body);
        Endpoint::start(response.into_bytes())
    }

    fn not_approved() -> Endpoint {
        Endpoint::answering(
            "400 Bad Request",
            &[("Content-Type", "application/json")],
            r#"{"error":"invalid_grant","error_description":"user hasn't approved this consumer"}"#,
        )
    }

    fn requests(&self) -> usize {
        self.requests.lock().unwrap().len()
    }
}

fn read_request(stream: &mut TcpStream) -> String {
    stream.set_read_timeout(Some(Duration::from_secs(3))).unwrap();
    let mut bytes = Vec::new();
    let mut buffer = [0u8; 4096];
    while let Ok(n) = stream.read(&mut buffer) {
        if n == 0 {
            break;
        }
        bytes.extend_from_slice(&buffer[..n]);
        let text = String::from_utf8_lossy(&bytes);
        if let Some(head_end) = text.find("\r\n\r\n") {
            let length = text[..head_end]
                .lines()
                .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().to_string()))
                .and_then(|v| v.parse::<usize>().ok())
                .unwrap_or(0);
            if bytes.len() >= head_end + 4 + length {
                break;
            }
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Every output sfjwt can write in one run: stdout, stderr, `--output`, the `--report` bundle and
/// the job summary, read back after it.
struct Outputs {
    dir: tempfile::TempDir,
}

impl Outputs {
    fn new() -> Outputs {
        let outputs = Outputs { dir: tempfile::tempdir().unwrap() };
        fs::write(outputs.summary(), "").unwrap();
        outputs
    }

    fn summary(&self) -> PathBuf {
        self.dir.path().join("summary.md")
    }

    /// Adds `--report`, `GITHUB_STEP_SUMMARY` and, with `to_file`, `--output` to `cmd`.
    fn attach(&self, cmd: &mut Command, to_file: bool) {
        cmd.arg("--report").arg(self.dir.path().join("bundle"));
        cmd.env("GITHUB_STEP_SUMMARY", self.summary());
        if to_file {
            cmd.arg("--output").arg(self.dir.path().join("report.out"));
        }
    }

    /// Everything written, labelled.
    fn read(&self, out: &Out) -> Vec<(String, String)> {
        let mut all = vec![("stdout".to_string(), out.stdout.clone()), ("stderr".to_string(), out.stderr.clone())];
        let mut files = vec![self.summary(), self.dir.path().join("report.out")];
        if let Ok(entries) = fs::read_dir(self.dir.path().join("bundle")) {
            files.extend(entries.map(|e| e.unwrap().path()));
        }
        for file in files {
            if let Ok(text) = fs::read_to_string(&file) {
                all.push((file.display().to_string(), text));
            }
        }
        all
    }
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
    fs::read_to_string(fixture("keys/rsa2048.pkcs8.pem"))
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .map(str::to_string)
        .collect()
}

fn damaged_keys() -> Vec<(&'static str, String)> {
    let pem = fs::read_to_string(fixture("keys/rsa2048.pkcs8.pem")).unwrap();
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
            for (i, format) in FORMATS.iter().enumerate() {
                let outputs = Outputs::new();
                let mut cmd = sfjwt(outputs.dir.path());
                cmd.args(["doctor", "--offline", "-i", CLIENT_ID, "-o", USERNAME]).args(*format);
                outputs.attach(&mut cmd, i == 1);
                let mut stdin = None;
                match source {
                    "file" => {
                        let path = outputs.dir.path().join("server.key");
                        fs::write(&path, &pem).unwrap();
                        cmd.arg("-f").arg(path);
                    }
                    "SFJWT_KEY" => {
                        cmd.env("SFJWT_KEY", &pem);
                    }
                    "SFJWT_KEY base64" => {
                        cmd.env("SFJWT_KEY", STANDARD.encode(&pem));
                    }
                    _ => {
                        cmd.args(["-f", "-"]);
                        stdin = Some(pem.as_bytes());
                    }
                }
                let out = run(&mut cmd, stdin);
                assert!(matches!(out.code, 0 | 1), "{damage} via {source}: exit {}: {}", out.code, out.stderr);
                assert_no_leak(&needles, &outputs.read(&out), &format!("{damage} via {source} {format:?}"));
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
        format!("@{}", fixture("certs/rsa2048.crt").display()),
        format!("@{}", token_file.display()),
        "00D000000000001!AQ4AQExampleTokenValue0123456789abcdef".to_string(),
        "hello world".to_string(),
        format!("{}.{}.c2ln.YQ.Yg", URL_SAFE_NO_PAD.encode("{}"), URL_SAFE_NO_PAD.encode("{}")),
        format!("{}.not json.c2ln", URL_SAFE_NO_PAD.encode(r#"{"alg":"RS256"}"#)),
        jws(r#"{"iss":"x"}"#, ""),
    ];
    for assertion in &not_jws {
        let endpoint = Endpoint::not_approved();
        let out = run(
            sfjwt(dir.path())
                .args(["doctor", "--format", "json", "--timeout", "3", "--instance-url", &endpoint.url])
                .args(["--assertion", assertion]),
            None,
        );
        assert_eq!(endpoint.requests(), 0, "{assertion:?} was posted:\n{}", out.stdout);
        assert!(out.stdout.contains("not contacted: the --assertion is not a signed JWT"), "{}", out.stdout);
    }
    // The control: a well-formed JWS is sent, once.
    let endpoint = Endpoint::not_approved();
    let good = format!("@{}", fixture("assertions/healthy.jwt").display());
    run(
        sfjwt(dir.path()).args(["doctor", "--format", "json", "--instance-url", &endpoint.url, "--assertion", &good]),
        None,
    );
    assert_eq!(endpoint.requests(), 1);
}

// -------------------------------------------------------------------------------------------
// Class 2: only a JWT is ever sent, only where the user said

/// The probe's command for `url`, with the test-only key, a client id and a username.
fn probe(dir: &Path, url: &str) -> Command {
    let mut cmd = sfjwt(dir);
    cmd.args(["doctor", "--format", "json", "--timeout", "3", "-i", CLIENT_ID, "-o", USERNAME, "-f", &key_path()]);
    if !url.is_empty() {
        cmd.args(["--instance-url", url]);
    }
    cmd
}

#[test]
fn a_loopback_target_never_goes_through_a_proxy() {
    let dir = tempfile::tempdir().unwrap();
    let endpoint = Endpoint::not_approved();
    let proxy = TcpListener::bind("127.0.0.1:0").unwrap();
    proxy.set_nonblocking(true).unwrap();
    let proxy_url = format!("http://127.0.0.1:{}", proxy.local_addr().unwrap().port());
    let mut cmd = probe(dir.path(), &endpoint.url);
    for name in ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"] {
        cmd.env(name, &proxy_url);
    }
    let out = run(&mut cmd, None);
    assert_eq!(endpoint.requests(), 1, "{}", out.stdout);
    assert!(proxy.accept().is_err(), "the loopback request went through the proxy");
}

#[test]
fn a_found_project_file_cannot_send_the_assertion_to_a_host_it_chose() {
    let endpoint = Endpoint::not_approved();
    let project = tempfile::tempdir().unwrap();
    let project_file = serde_json::json!({ "packageDirectories": [{ "path": "force-app", "default": true }], "sfdcLoginUrl": endpoint.url });
    fs::write(project.path().join("sfdx-project.json"), project_file.to_string()).unwrap();
    let below = project.path().join("force-app/main");
    fs::create_dir_all(&below).unwrap();

    let out = run(&mut probe(&below, ""), None);
    assert_eq!(endpoint.requests(), 0, "the project's host got the assertion:\n{}", out.stdout);
    let skipped = format!("name it with --instance-url {}", endpoint.url);
    assert!(out.stdout.contains(&skipped) && out.stdout.contains("found by itself"), "{}", out.stdout);

    // Named by the user, on the command line or in the environment, it is used.
    run(&mut probe(&below, &endpoint.url), None);
    assert_eq!(endpoint.requests(), 1);
    run(probe(&below, "").env("SFJWT_INSTANCE_URL", &endpoint.url), None);
    assert_eq!(endpoint.requests(), 2);
}

// -------------------------------------------------------------------------------------------
// Class 4: bounded on every input

fn mkfifo(path: &Path) {
    assert!(Command::new("mkfifo").arg(path).status().unwrap().success());
}

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
        let out = run(sfjwt(dir.path()).args(["doctor", "--offline", "--format", "json"]).args(args), None);
        assert!(out.elapsed < Duration::from_secs(10), "{args:?} took {:?}", out.elapsed);
        let both = out.both();
        assert!(both.contains("not a regular file"), "{args:?}: exit {} {both}", out.code);
    }

    // Discovered, not given: an sfdx-project.json, and an app file in its package directory.
    let project = tempfile::tempdir().unwrap();
    mkfifo(&project.path().join("sfdx-project.json"));
    let out = run(sfjwt(project.path()).args(["doctor", "--offline", "--format", "json"]), None);
    assert!(out.stdout.contains("FIFO"), "{}", out.both());
    let project = tempfile::tempdir().unwrap();
    fs::write(project.path().join("sfdx-project.json"), r#"{"packageDirectories":[{"path":"app"}]}"#).unwrap();
    fs::create_dir(project.path().join("app")).unwrap();
    mkfifo(&project.path().join("app/Ci.connectedApp-meta.xml"));
    let out = run(sfjwt(project.path()).args(["doctor", "--offline", "--format", "json", "-i", CLIENT_ID]), None);
    assert!(out.elapsed < Duration::from_secs(10), "took {:?}", out.elapsed);
}

#[test]
fn a_project_listing_a_directory_many_times_is_walked_within_one_budget() {
    let project = tempfile::tempdir().unwrap();
    for d in 0..40 {
        let sub = project.path().join(format!("d{d}"));
        fs::create_dir(&sub).unwrap();
        for f in 0..40 {
            fs::write(sub.join(format!("f{f}")), "").unwrap();
        }
    }
    // 2000 package directories, each the whole project (1640 entries): 3 million entries walked
    // with a budget per directory, 50,000 with one for them all.
    let paths: Vec<_> = (0..2000).map(|i| serde_json::json!({ "path": if i % 2 == 0 { "." } else { "./" } })).collect();
    let json = serde_json::json!({ "packageDirectories": paths });
    fs::write(project.path().join("sfdx-project.json"), json.to_string()).unwrap();
    let out = run(sfjwt(project.path()).args(["doctor", "--offline", "--format", "json", "-i", CLIENT_ID]), None);
    assert!(out.elapsed < Duration::from_secs(15), "took {:?}", out.elapsed);
    assert!(matches!(out.code, 0 | 1), "{}", out.both());
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
        let out = run(sfjwt(dir.path()).args(["doctor", "--offline"]).args(args), None);
        assert_eq!(out.code, 2, "{args:?}: {}", out.both());
        assert_eq!(out.stderr.trim().lines().filter(|l| l.starts_with("error")).count(), 1, "{}", out.stderr);
    }
}

// -------------------------------------------------------------------------------------------
// Class 5: files written safely

fn doctor_offline(dir: &Path) -> Command {
    let mut cmd = sfjwt(dir);
    cmd.args(["doctor", "--offline", "-i", CLIENT_ID, "-o", USERNAME, "-f", &key_path()]);
    cmd
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[cfg(unix)]
#[test]
fn reports_are_created_new_and_private() {
    let dir = tempfile::tempdir().unwrap();
    let new = dir.path().join("report.json");
    let out = run(doctor_offline(dir.path()).args(["--json", "--output"]).arg(&new), None);
    assert_eq!(out.code, 0, "{}", out.both());
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
        let out = run(doctor_offline(dir.path()).args(["--json", "--output"]).arg(target), None);
        assert_eq!(out.code, 2, "{}: {}", target.display(), out.both());
        assert!(out.stderr.contains("already exists"), "{}", out.stderr);
        assert_eq!(fs::read(target).ok(), before);
    }
    assert_eq!(fs::read_to_string(&victim).unwrap(), "keep");
    assert!(!dir.path().join("created-through-link").exists());

    // The bundle: a private directory of private files; a planted link under the name sfjwt will
    // use (the clock is pinned, so the name is predictable) is refused too.
    let bundle = dir.path().join("bundle");
    let out = run(doctor_offline(dir.path()).arg("--report").arg(&bundle), None);
    assert_eq!(out.code, 0, "{}", out.both());
    assert_eq!(mode(&bundle), 0o700);
    for extension in ["json", "md"] {
        assert_eq!(mode(&bundle.join(format!("{BUNDLE_STAMP}-sfjwt.{extension}"))), 0o600);
    }
    let planted = dir.path().join("planted");
    fs::create_dir(&planted).unwrap();
    std::os::unix::fs::symlink(&victim, planted.join(format!("{BUNDLE_STAMP}-sfjwt.json"))).unwrap();
    let out = run(doctor_offline(dir.path()).arg("--report").arg(&planted), None);
    assert_eq!(out.code, 2, "{}", out.both());
    assert_eq!(fs::read_to_string(&victim).unwrap(), "keep");

    // The job summary is appended to, never created.
    let summary = dir.path().join("summary.md");
    fs::write(&summary, "earlier step\n").unwrap();
    let out = run(doctor_offline(dir.path()).args(["--format", "github"]).env("GITHUB_STEP_SUMMARY", &summary), None);
    assert_eq!(out.code, 0, "{}", out.both());
    let text = fs::read_to_string(&summary).unwrap();
    assert!(text.starts_with("earlier step\n") && text.len() > 20, "{text}");
    let missing = dir.path().join("no-summary.md");
    let out = run(doctor_offline(dir.path()).args(["--format", "github"]).env("GITHUB_STEP_SUMMARY", &missing), None);
    assert_eq!(out.code, 2, "{}", out.both());
    assert!(!missing.exists());
}

#[cfg(unix)]
#[test]
fn a_failed_write_is_exit_2_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    if Path::new("/dev/full").exists() {
        let out = run(&mut shell(r#"exec "$0" "$@" > /dev/full"#), None);
        assert_eq!(out.code, 2, "{}", out.both());
        assert!(out.stderr.contains("No space left"), "{}", out.stderr);
        let out =
            run(doctor_offline(dir.path()).args(["--format", "github"]).env("GITHUB_STEP_SUMMARY", "/dev/full"), None);
        assert_eq!(out.code, 2, "{}", out.both());
        assert!(out.stderr.contains("job summary") && out.stderr.contains("No space left"), "{}", out.stderr);
    }
    // A closed stdout (not a pipe) ...
    let closed = run(&mut shell(r#"exec "$0" "$@" >&-"#), None);
    assert_eq!(closed.code, 2, "{}", closed.both());
    assert!(closed.stderr.contains("standard output is closed"), "{}", closed.stderr);
    // ... but not /dev/null, where the user sent it on purpose.
    let null = run(&mut shell(r#"exec "$0" "$@" > /dev/null"#), None);
    assert_eq!(null.code, 0, "{}", null.both());
}

/// `sfjwt doctor --offline --json` with its stdout redirected by `sh` as `script` says.
fn shell(script: &str) -> Command {
    let mut cmd = Command::new("sh");
    cmd.arg("-c").arg(script).arg(env!("CARGO_BIN_EXE_sfjwt")).args(["doctor", "--offline", "--json"]);
    cmd.args(["-i", CLIENT_ID, "-o", USERNAME]);
    cmd.env_clear().env("SFJWT_NOW", NOW);
    cmd
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
    format: &[&str],
    to_file: bool,
) -> (Vec<(String, String)>, Vec<String>) {
    let planted = plant::plant(form, encoding, canary);
    let mut needles = planted.needles.clone();
    let outputs = Outputs::new();
    let dir = outputs.dir.path().to_path_buf();
    let mut stdin: Option<Vec<u8>> = None;
    let mut endpoint = None;
    let mut cmd = sfjwt(&dir);
    cmd.arg("doctor").args(format).args(["--timeout", "3"]);
    outputs.attach(&mut cmd, to_file);
    let login = |cmd: &mut Command| {
        cmd.args(["-i", CLIENT_ID, "-o", USERNAME, "-f", &key_path()]);
    };
    let url_with = |canary: &str| match canary.len() % 3 {
        0 => format!("https://ci:{canary}@login.salesforce.com"),
        1 => format!("https://login.salesforce.com/?sid={canary}"),
        _ => format!("https://login.salesforce.com/secur/frontdoor.jsp#access_token={canary}&x=1"),
    };
    let error_text = format!("ERROR running org login jwt: failed\n{}\nexit 1\n", planted.text);
    match channel {
        Channel::ErrorInline => {
            cmd.args(["--error", &error_text]);
        }
        Channel::ErrorFile => {
            fs::write(dir.join("error.txt"), &error_text).unwrap();
            cmd.arg("--error").arg(format!("@{}", dir.join("error.txt").display()));
        }
        Channel::ErrorStdin => {
            cmd.args(["--error", "-"]);
            stdin = Some(error_text.into_bytes());
        }
        Channel::StatusLine
        | Channel::Header
        | Channel::Location
        | Channel::JsonField
        | Channel::PlainBody
        | Channel::HtmlPage => {
            let line = one_line(&planted.text);
            let json = r#"{"error":"invalid_grant","error_description":"user hasn't approved this consumer"}"#;
            let fake = match channel {
                Channel::StatusLine => {
                    Endpoint::answering(&format!("400 {line}"), &[("Content-Type", "application/json")], json)
                }
                Channel::Header => Endpoint::answering(
                    "400 Bad Request",
                    &[("Content-Type", "application/json"), ("X-Debug", &line)],
                    json,
                ),
                Channel::Location => Endpoint::answering(
                    "302 Found",
                    &[("Location", &format!("https://acme.my.salesforce.com/cb?state=1&{line}"))],
                    "",
                ),
                Channel::JsonField => {
                    let body = serde_json::json!({ "error": "invalid_grant", "error_description": planted.text, "id_token": canary });
                    Endpoint::answering("400 Bad Request", &[("Content-Type", "application/json")], &body.to_string())
                }
                Channel::PlainBody => Endpoint::answering("200 OK", &[("Content-Type", "text/plain")], &planted.text),
                _ => Endpoint::answering(
                    "500 Server Error",
                    &[("Content-Type", "text/html")],
                    &format!("<html><head><title>{line}</title></head><body>{}</body></html>", planted.text),
                ),
            };
            login(&mut cmd);
            cmd.args(["--instance-url", &fake.url]);
            endpoint = Some(fake);
        }
        Channel::InstanceUrl => {
            cmd.args(["--offline", "--instance-url", &url_with(canary)]);
        }
        Channel::ProjectUrl => {
            let json = serde_json::json!({ "packageDirectories": [{ "path": "." }], "sfdcLoginUrl": url_with(canary) });
            fs::write(dir.join("sfdx-project.json"), json.to_string()).unwrap();
            cmd.arg("--offline");
        }
        Channel::Proxy => {
            // Nothing listens there: the refusal names the proxy, which must come out masked.
            let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
            let scheme = if canary.len().is_multiple_of(2) { "http://" } else { "" };
            cmd.env("HTTPS_PROXY", format!("{scheme}proxyuser:{canary}@127.0.0.1:{port}"));
            login(&mut cmd);
            cmd.args(["--instance-url", "https://sfjwt-hostile.invalid"]);
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
            cmd.arg("--offline").arg("--admin-org").arg(dir.join("admin.json"));
            cmd.args(["-o", USERNAME]);
        }
        Channel::Claims => {
            let signature = format!("{canary}Sig");
            needles.push(signature.clone());
            let claims = serde_json::json!({ "iss": CLIENT_ID, "sub": planted.text, "aud": "https://login.salesforce.com", "exp": 1_798_761_700 });
            cmd.args(["--offline", "--assertion", &jws(&claims.to_string(), &signature)]);
        }
        Channel::KeyFile | Channel::KeyEnv | Channel::KeyStdin => {
            cmd.args(["--offline", "-i", CLIENT_ID, "-o", USERNAME]);
            match channel {
                Channel::KeyFile => {
                    fs::write(dir.join("server.key"), &planted.text).unwrap();
                    cmd.arg("-f").arg(dir.join("server.key"));
                }
                Channel::KeyEnv => {
                    cmd.env("SFJWT_KEY", &planted.text);
                }
                _ => {
                    cmd.args(["-f", "-"]);
                    stdin = Some(planted.text.clone().into_bytes());
                }
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
            cmd.args(["--offline", "-i", CLIENT_ID, "-o", USERNAME, "--connected-app"])
                .arg(dir.join("Ci.connectedApp-meta.xml"));
        }
        Channel::WrongFlag => {
            cmd.arg(format!("--timeout={}", one_line(&planted.text)));
        }
    }
    let out = run(&mut cmd, stdin.as_deref());
    drop(endpoint);
    assert!(matches!(out.code, 0..=3), "{channel:?}: exit {}: {}", out.code, out.stderr);
    (outputs.read(&out), needles)
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
        format in 0..FORMATS.len(),
        to_file in any::<bool>(),
    ) {
        let form = form_for(channel, form);
        let encoding = encoding_for(channel, encoding);
        let canary = plant::canary(&seed);
        let (outputs, needles) = plant_and_run(channel, form, encoding, &canary, FORMATS[format], to_file);
        for (name, text) in &outputs {
            prop_assert_eq!(plant::leak(&needles, text), None, "{:?} {:?} {:?} {:?}: {}:\n{}", channel, form, encoding, FORMATS[format], name, text);
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
                plant_and_run(channel, form, encoding, &canary, FORMATS[i % FORMATS.len()], i % 2 == 0);
            assert_no_leak(&needles, &outputs, &format!("{channel:?} {form:?} {encoding:?}"));
        }
    }
}
