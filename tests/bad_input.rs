//! Bad input, every way it can come in: key file, `SFJWT_KEY`, `--cert`, `--assertion` (file,
//! inline, stdin), `--error`, `--connected-app`, an `sfdx-project.json` in the working directory,
//! and the environment variables sfjwt reads.
//!
//! Each input gets the same kinds of damage: empty, binary (random bytes from a fixed seed),
//! truncated (half of a valid fixture), huge (tens of MB, sparse), wrong encoding (UTF-16 LE and BE
//! with a BOM, a UTF-8 BOM), deeply nested (100k `[`, `{`, XML elements), NUL bytes, and one very
//! long line. Every case must end, in bounded time and without a panic, in what its table row
//! says: a named cause in the JSON report, a one-line usage error (exit 2), or exit 0 when the input
//! is legitimately fine (a valid key behind a BOM). Some damage cannot reach some inputs (an
//! environment variable or an argument cannot hold a NUL byte or more than 128 KiB on Linux); those
//! rows are left out, and the stdin forms of the same inputs carry the huge cases instead.

use std::{
    fs,
    path::{Path, PathBuf},
    sync::OnceLock,
    time::{Duration, Instant},
};

use crate::support::{CLIENT_ID, Output, Test, USERNAME};

/// Every run ends well within this. A case takes milliseconds; the bound is generous so that a
/// debug build on a loaded 2-core machine passes, while a hang or a blow-up (a quadratic pass
/// over a megabyte takes hours) still fails.
const LIMIT: Duration = Duration::from_secs(20);
/// A report echoes inputs in part at most: nothing near the size of a huge input.
const MAX_REPORT_BYTES: usize = 512 * 1024;
/// Larger than every limit sfjwt has (1 MiB for keys, 8 MiB for captures, 5 MiB for metadata).
const HUGE_BYTES: u64 = 40 * 1024 * 1024;
/// `--jwt-key-file`, `--cert`, `--assertion` and `sfdx-project.json` are read up to this.
const INPUT_LIMIT: &str = "more than the 1048576 bytes sfjwt reads";
const CAPTURE_LIMIT: &str = "more than the 8388608 bytes sfjwt reads";

const KEY: &str = "fixtures/keys/rsa2048.pkcs8.pem";
const CERT: &str = "fixtures/certs/rsa2048.crt";
const DER_CERT: &str = "fixtures/certs/rsa2048.der.crt";
const JWT: &str = "fixtures/assertions/healthy.jwt";
const CAPTURE: &str = "tests/fixtures/captured/sf-cli-2.146/a_json.stdout";
const APP: &str = "fixtures/metadata/connected-app-healthy/connectedApps/Sfjwt_CI.connectedApp-meta.xml";

/// What a case must end in.
#[derive(Debug, Clone, Copy)]
enum Ends {
    /// Exit `code` with `cause` among the causes and `says` in that cause's evidence.
    Cause { cause: &'static str, code: i32, says: &'static str },
    /// Exit 0 and no error-severity cause: the input is fine.
    Fine,
    /// Exit 2, nothing on stdout, one `error:` line on stderr that contains `says`.
    Usage(&'static str),
}

fn cause(cause: &'static str, says: &'static str) -> Ends {
    Ends::Cause { cause, code: 1, says }
}

/// One way in: the run and what it must end in.
struct Case {
    name: String,
    test: Test,
    ends: Ends,
}

impl Case {
    fn new(name: impl Into<String>, test: Test, ends: Ends) -> Case {
        Case { name: name.into(), test, ends }
    }

    fn stdin(mut self, bytes: Vec<u8>) -> Case {
        self.test = self.test.stdin(bytes);
        self
    }
}

/// Runs every case and checks it; returns one line per failure.
fn judge(cases: Vec<Case>) -> Vec<String> {
    let mut failures = Vec::new();
    for case in cases {
        let run = case.test.run();
        if let Err(why) = check(&run, case.ends) {
            failures.push(format!(
                "{}: {why} (exit {}, {:?})\n  stderr: {}",
                case.name,
                run.code,
                run.elapsed,
                cut(&run.stderr)
            ));
        }
    }
    failures
}

fn check(run: &Output, ends: Ends) -> Result<(), String> {
    if run.stderr.contains("panicked") || ![0, 1, 2].contains(&run.code) {
        return Err("panicked or crashed".into());
    }
    if run.elapsed > LIMIT {
        return Err(format!("took {:?}, over {LIMIT:?}", run.elapsed));
    }
    if run.stdout.len() > MAX_REPORT_BYTES {
        return Err(format!("the report is {} bytes: it echoes the input", run.stdout.len()));
    }
    if let Ends::Usage(says) = ends {
        let errors: Vec<&str> = run.stderr.lines().filter(|line| line.starts_with("error:")).collect();
        return match errors.as_slice() {
            [line] if run.code == 2 && run.stdout.is_empty() && line.contains(says) => Ok(()),
            _ => Err(format!("want a one-line usage error containing `{says}`")),
        };
    }
    let json: serde_json::Value =
        serde_json::from_str(&run.stdout).map_err(|e| format!("stdout is not JSON ({e}): {}", cut(&run.stdout)))?;
    let causes = json["causes"].as_array().cloned().unwrap_or_default();
    let ids: Vec<&str> = causes.iter().filter_map(|c| c["id"].as_str()).collect();
    match ends {
        Ends::Fine => {
            let errors = json["counts"]["errors"].as_u64();
            (run.code == 0 && errors == Some(0)).then_some(()).ok_or(format!("want exit 0 and no errors, got {ids:?}"))
        }
        Ends::Cause { cause, code, says } => {
            let found = causes.iter().find(|c| c["id"] == cause);
            let evidence = found.map(|c| c["evidence"].to_string()).unwrap_or_default();
            if run.code != code || found.is_none() || !evidence.contains(says) {
                return Err(format!("want {cause} saying `{says}` with exit {code}, got {ids:?}: {}", cut(&evidence)));
            }
            Ok(())
        }
        Ends::Usage(_) => unreachable!(),
    }
}

fn cut(text: &str) -> String {
    let end = (0..=text.len().min(300)).rev().find(|&i| text.is_char_boundary(i)).unwrap_or(0);
    text[..end].replace('\n', " | ")
}

fn assert_no_failures(failures: Vec<String>) {
    assert!(failures.is_empty(), "{} case(s) failed:\n{}", failures.len(), failures.join("\n"));
}

/// The damaged inputs, written once for every test in a temporary directory.
struct Corpus {
    dir: tempfile::TempDir,
}

fn corpus() -> &'static Corpus {
    static CORPUS: OnceLock<Corpus> = OnceLock::new();
    CORPUS.get_or_init(Corpus::write)
}

/// xorshift64*: random-looking bytes that are the same on every run.
fn random_bytes(len: usize, mut seed: u64) -> Vec<u8> {
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        seed ^= seed >> 12;
        seed ^= seed << 25;
        seed ^= seed >> 27;
        out.extend_from_slice(&seed.wrapping_mul(0x2545_F491_4F6C_DD1D).to_le_bytes());
    }
    out.truncate(len);
    out
}

fn read_fixture(path: &str) -> Vec<u8> {
    fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn absolute(path: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path).display().to_string()
}

fn utf16(text: &[u8], big_endian: bool) -> Vec<u8> {
    let text = String::from_utf8(text.to_vec()).unwrap();
    let mut out = if big_endian { vec![0xFE, 0xFF] } else { vec![0xFF, 0xFE] };
    for unit in text.encode_utf16() {
        out.extend(if big_endian { unit.to_be_bytes() } else { unit.to_le_bytes() });
    }
    out
}

/// A JWT whose header is 100k nested arrays: valid base64url of JSON too deep for any parser.
fn deep_jwt() -> String {
    use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
    let header = URL_SAFE_NO_PAD.encode("[".repeat(100_000));
    format!("{header}.{}.{}", URL_SAFE_NO_PAD.encode(r#"{"iss":"x"}"#), URL_SAFE_NO_PAD.encode("signature"))
}

impl Corpus {
    fn write() -> Corpus {
        let corpus = Corpus { dir: tempfile::tempdir().expect("a temporary directory") };
        // The first byte is not 0x30 (a DER SEQUENCE), so these bytes are not mistaken for DER.
        let mut binary = random_bytes(64 * 1024, 0x5EED_5EED_5EED_5EED);
        binary[0] = 0xA5;
        corpus.put("empty", b"");
        corpus.put("binary", &binary);
        // Sparse: tens of MB on paper, nothing on disk, and every reader must refuse it by size.
        fs::File::create(corpus.path("huge")).and_then(|f| f.set_len(HUGE_BYTES)).expect("a sparse file");
        corpus.put("nested-arrays", "[".repeat(100_000).as_bytes());
        corpus.put("nested-objects", r#"{"a":"#.repeat(100_000).as_bytes());
        let xml = format!(r#"<?xml version="1.0"?>{}{}"#, "<a>".repeat(100_000), "</a>".repeat(100_000));
        corpus.put("nested-xml", xml.as_bytes());
        corpus.put("long-line", "A".repeat(900_000).as_bytes());
        corpus.put("deep.jwt", deep_jwt().as_bytes());
        for (name, fixture) in [("key", KEY), ("cert", CERT), ("jwt", JWT), ("capture", CAPTURE), ("app", APP)] {
            let valid = read_fixture(fixture);
            let half = valid.len() / 2;
            corpus.put(&format!("{name}.truncated"), &valid[..half]);
            corpus.put(&format!("{name}.utf16le"), &utf16(&valid, false));
            corpus.put(&format!("{name}.utf16be"), &utf16(&valid, true));
            corpus.put(&format!("{name}.utf8bom"), &[b"\xEF\xBB\xBF".as_slice(), &valid].concat());
            corpus.put(&format!("{name}.nul"), &[&valid[..half], b"\0\0\0\0".as_slice(), &valid[half..]].concat());
            corpus.put(&format!("{name}.nul-padded"), &[valid.as_slice(), &[0; 4096]].concat());
        }
        let der = read_fixture(DER_CERT);
        corpus.put("der-cert.truncated", &der[..der.len() / 2]);
        corpus
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn arg(&self, name: &str) -> String {
        self.path(name).display().to_string()
    }

    fn put(&self, name: &str, bytes: &[u8]) {
        fs::write(self.path(name), bytes).expect("write a corpus file");
    }
}

/// `sfjwt doctor --offline --format json` with a healthy client id and username, plus `args`.
fn doctor(args: &[&str]) -> Test {
    Test::offline_json().args(["--client-id", CLIENT_ID, "--username", USERNAME]).args(args)
}

#[test]
fn key_file() {
    let c = corpus();
    let key = |name: &str| doctor(&["--cert", CERT, "--jwt-key-file", &c.arg(name)]);
    let cases = vec![
        Case::new("empty", key("empty"), cause("key.empty", "no characters other than whitespace")),
        // Random bytes used to read as "binary DER, damaged in transit" (key.mangled).
        Case::new("binary", key("binary"), cause("key.unparseable", "neither PEM text nor a DER-encoded key")),
        Case::new("truncated", key("key.truncated"), cause("key.mangled", "the END line is missing")),
        Case::new("huge", key("huge"), cause("key.unreadable", "41943040 bytes, more than the 1048576")),
        // A device is refused before it is read (issue 10: only regular files are read).
        Case::new(
            "endless stream",
            doctor(&["--jwt-key-file", "/dev/zero"]),
            cause("key.unreadable", "not a regular file"),
        ),
        Case::new("utf-16 le with bom", key("key.utf16le"), Ends::Fine),
        Case::new("utf-16 be with bom", key("key.utf16be"), Ends::Fine),
        Case::new("utf-8 bom", key("key.utf8bom"), Ends::Fine),
        Case::new("nested arrays", key("nested-arrays"), cause("key.unparseable", "no PEM armor")),
        Case::new("nested objects", key("nested-objects"), cause("key.unparseable", "no PEM armor")),
        Case::new("nested xml", key("nested-xml"), cause("key.unparseable", "no PEM armor")),
        // NUL bytes inside a PEM used to make the whole file "binary DER".
        Case::new("nul inside", key("key.nul"), cause("key.unparseable", "NUL (zero) bytes")),
        // Text after the END line is ignored, by OpenSSL as by sfjwt.
        Case::new("nul padding after the key", key("key.nul-padded"), Ends::Fine),
        Case::new("one long line of base64", key("long-line"), cause("key.mangled", "armor lines are missing")),
    ];
    assert_no_failures(judge(cases));
}

#[test]
fn key_from_the_environment_and_stdin() {
    let c = corpus();
    let env_key = |value: Vec<u8>| doctor(&["--cert", CERT]).env("SFJWT_KEY", std::ffi::OsString::from_vec(value));
    use std::os::unix::ffi::OsStringExt;
    let pem = read_fixture(KEY);
    // An environment variable cannot hold a NUL byte: keep the rest of the random bytes.
    let binary: Vec<u8> = fs::read(c.path("binary")).unwrap().into_iter().filter(|b| *b != 0).take(4096).collect();
    let base64 = |bytes: &[u8]| {
        use base64::{Engine, engine::general_purpose::STANDARD};
        STANDARD.encode(bytes).into_bytes()
    };
    let cases = vec![
        Case::new("empty", env_key(Vec::new()), cause("key.empty", "no characters other than whitespace")),
        Case::new("binary", env_key(binary), cause("key.unparseable", "no PEM armor")),
        Case::new("truncated", env_key(pem[..pem.len() / 2].to_vec()), cause("key.mangled", "the END line is missing")),
        Case::new("utf-8 bom", env_key(fs::read(c.path("key.utf8bom")).unwrap()), Ends::Fine),
        // A CI secret made from a file PowerShell wrote: base64 of UTF-16. It used to read as a
        // key whose armor lines were missing.
        Case::new("base64 of utf-16 le", env_key(base64(&fs::read(c.path("key.utf16le")).unwrap())), Ends::Fine),
        Case::new("base64 of utf-16 be", env_key(base64(&fs::read(c.path("key.utf16be")).unwrap())), Ends::Fine),
        Case::new("nested arrays", env_key("[".repeat(100_000).into_bytes()), cause("key.unparseable", "no PEM armor")),
        Case::new(
            "long line",
            env_key("A".repeat(120_000).into_bytes()),
            cause("key.mangled", "armor lines are missing"),
        ),
        Case::new("huge on stdin", doctor(&["--jwt-key-file", "-"]), Ends::Usage(INPUT_LIMIT))
            .stdin(pem.repeat(HUGE_BYTES as usize / 2 / pem.len())),
        Case::new("empty on stdin", doctor(&["--jwt-key-file", "-"]), cause("key.empty", "whitespace"))
            .stdin(Vec::new()),
    ];
    assert_no_failures(judge(cases));
}

#[test]
fn certificate() {
    let c = corpus();
    let cert = |name: &str| doctor(&["--jwt-key-file", KEY, "--cert", &c.arg(name)]);
    let not_cert = |says| cause("cert.not-certificate", says);
    let cases = vec![
        Case::new("empty", cert("empty"), not_cert("empty")),
        Case::new("binary", cert("binary"), not_cert("no `-----BEGIN CERTIFICATE-----` block")),
        Case::new("truncated", cert("cert.truncated"), not_cert("a CERTIFICATE block that is cut short")),
        Case::new("truncated der", cert("der-cert.truncated"), not_cert("binary data that is not a DER certificate")),
        Case::new("huge", cert("huge"), cause("cert.unreadable", "41943040 bytes, more than the 1048576")),
        Case::new("utf-16 le with bom", cert("cert.utf16le"), Ends::Fine),
        Case::new("utf-16 be with bom", cert("cert.utf16be"), Ends::Fine),
        Case::new("utf-8 bom", cert("cert.utf8bom"), Ends::Fine),
        Case::new("nested arrays", cert("nested-arrays"), not_cert("no `-----BEGIN CERTIFICATE-----` block")),
        Case::new("nested objects", cert("nested-objects"), not_cert("no `-----BEGIN CERTIFICATE-----` block")),
        Case::new("nested xml", cert("nested-xml"), not_cert("no `-----BEGIN CERTIFICATE-----` block")),
        Case::new("nul inside", cert("cert.nul"), not_cert("cut short or not valid base64")),
        Case::new("nul padding after the certificate", cert("cert.nul-padded"), Ends::Fine),
        Case::new("long line", cert("long-line"), not_cert("no `-----BEGIN CERTIFICATE-----` block")),
    ];
    assert_no_failures(judge(cases));
}

#[test]
fn assertion() {
    let c = corpus();
    let file =
        |name: &str| doctor(&["--jwt-key-file", KEY, "--cert", CERT, "--assertion", &format!("@{}", c.arg(name))]);
    let inline = |jwt: &str| doctor(&["--jwt-key-file", KEY, "--cert", CERT, "--assertion", jwt]);
    let malformed = |says| cause("assertion.malformed", says);
    let invalid_utf8 = doctor(&["--jwt-key-file", KEY])
        .arg("--assertion")
        .arg(<std::ffi::OsString as std::os::unix::ffi::OsStringExt>::from_vec(vec![b'e', b'y', 0xFF, 0xFE, b'.']));
    let cases = vec![
        Case::new("empty file", file("empty"), malformed("the assertion is empty")),
        Case::new("binary file", file("binary"), malformed("dot-separated segment")),
        Case::new("truncated file", file("jwt.truncated"), malformed("not valid base64url")),
        Case::new("huge file", file("huge"), Ends::Usage(INPUT_LIMIT)),
        Case::new("utf-16 le with bom", file("jwt.utf16le"), Ends::Fine),
        Case::new("utf-16 be with bom", file("jwt.utf16be"), Ends::Fine),
        Case::new("utf-8 bom", file("jwt.utf8bom"), Ends::Fine),
        Case::new("nested arrays", file("nested-arrays"), malformed("1 dot-separated segment")),
        Case::new("nested objects", file("nested-objects"), malformed("1 dot-separated segment")),
        Case::new("header nested 100k deep", file("deep.jwt"), malformed("does not decode to a JSON object")),
        Case::new("nul inside", file("jwt.nul"), malformed("not valid base64url")),
        Case::new("long line", file("long-line"), malformed("1 dot-separated segment")),
        Case::new("huge on stdin", doctor(&["--assertion", "-"]), Ends::Usage(INPUT_LIMIT)).stdin(vec![
            b'e';
            HUGE_BYTES
                as usize
                / 2
        ]),
        Case::new("inline empty", inline(""), malformed("the assertion is empty")),
        Case::new("inline not utf-8", invalid_utf8, Ends::Usage("invalid UTF-8")),
        Case::new("inline nested header", inline(&deep_jwt()[..120_000]), malformed("segment")),
        Case::new("inline long line", inline(&"A".repeat(120_000)), malformed("1 dot-separated segment")),
    ];
    assert_no_failures(judge(cases));
}

#[test]
fn captured_error() {
    let c = corpus();
    // Online on purpose: --error alone decides that nothing is sent.
    let error = |name: &str| Test::new().args(["doctor", "--format", "json", "--error", &format!("@{}", c.arg(name))]);
    let not_approved = cause("approval.missing", "user hasn't approved this consumer");
    // Text with no failure in it is not read as an answer nobody knows (issue 11).
    let unreadable = Ends::Usage("holds no failure sfjwt can read");
    let stdin = Test::new().args(["doctor", "--format", "json", "--error", "-"]);
    let cases = vec![
        // An empty capture used to end in exit 0, "healthy": no failure read as no problem.
        Case::new("empty", error("empty"), cause("capture.unusable", "holds no words to read")),
        // Random bytes used to become "Salesforce answered `<garbage>`".
        Case::new("binary", error("binary"), cause("capture.unusable", "is binary data")),
        // Half of an sf --json output used to give "Salesforce answered `\"exitCode\": 1,`".
        Case::new("truncated sf json", error("capture.truncated"), not_approved),
        Case::new("huge", error("huge"), cause("capture.unusable", CAPTURE_LIMIT)),
        Case::new("utf-16 le with bom", error("capture.utf16le"), not_approved),
        Case::new("utf-16 be with bom", error("capture.utf16be"), not_approved),
        Case::new("utf-8 bom", error("capture.utf8bom"), not_approved),
        Case::new("nested arrays", error("nested-arrays"), cause("capture.unusable", "holds no words to read")),
        Case::new("nested objects", error("nested-objects"), unreadable),
        // An XML document used to be read as an HTML maintenance page (org.unavailable).
        Case::new("nested xml", error("nested-xml"), unreadable),
        Case::new("nul inside", error("capture.nul"), not_approved),
        Case::new("long line", error("long-line"), unreadable),
        Case::new("huge on stdin", stdin, cause("capture.unusable", CAPTURE_LIMIT))
            .stdin(vec![b'x'; HUGE_BYTES as usize / 2]),
    ];
    assert_no_failures(judge(cases));

    // The regressions, beyond the top cause.
    let truncated = error("capture.truncated").run();
    let ids: Vec<String> = truncated.json()["causes"].as_array().unwrap().iter().map(|c| c["id"].to_string()).collect();
    assert!(!truncated.stdout.contains("exitCode"), "a JSON line passed for an answer: {ids:?}");
    let xml = error("nested-xml").run();
    assert!(!xml.stdout.contains("org.unavailable"), "XML read as an HTML error page");
}

/// `--connected-app`: a file that is not app metadata is a named warning (`app.metadata-invalid`,
/// exit 0: the login may still work, only the app cannot be checked), never a crash or a stall.
#[test]
fn connected_app() {
    let c = corpus();
    let app = |name: &str| doctor(&["--jwt-key-file", KEY, "--cert", CERT, "--connected-app", &c.arg(name)]);
    // Files the user named and sfjwt cannot use are an error-severity finding.
    let invalid = |says| Ends::Cause { cause: "app.metadata-invalid", code: 1, says };
    let cases = vec![
        Case::new("empty", app("empty"), invalid("the file is empty")),
        Case::new("binary", app("binary"), invalid("is it a binary file?")),
        Case::new("truncated", app("app.truncated"), invalid("not usable XML")),
        Case::new("huge", app("huge"), invalid("41943040 bytes is over the 5 MiB limit")),
        Case::new("nested arrays", app("nested-arrays"), invalid("not usable XML")),
        Case::new("nested objects", app("nested-objects"), invalid("not usable XML")),
        Case::new("nested xml", app("nested-xml"), invalid("elements nest deeper than 128 levels")),
        Case::new("nul inside", app("app.nul"), invalid("not usable XML")),
        Case::new("long line", app("long-line"), invalid("not usable XML")),
    ];
    let mut failures = judge(cases);
    // The valid app behind a BOM is read: whatever it says about this client id, it is not invalid.
    for name in ["app.utf16le", "app.utf16be", "app.utf8bom"] {
        let run = app(name).run();
        let elapsed = run.elapsed;
        let sound = [0, 1].contains(&run.code) && !run.stderr.contains("panicked") && elapsed < LIMIT;
        let read = serde_json::from_str::<serde_json::Value>(&run.stdout).is_ok_and(|json| {
            json["causes"].as_array().is_some_and(|causes| causes.iter().all(|c| c["id"] != "app.metadata-invalid"))
        });
        if !(sound && read) {
            failures.push(format!(
                "{name}: the app was not read (exit {}, {elapsed:?}): {}",
                run.code,
                cut(&run.stdout)
            ));
        }
    }
    assert_no_failures(failures);
}

#[test]
fn connected_app_metadata_parser() {
    let c = corpus();
    let refused = [
        ("empty", "the file is empty"),
        ("binary", "binary"),
        ("app.truncated", "not usable XML"),
        ("huge", "over the 5 MiB limit"),
        ("nested-arrays", "not usable XML"),
        ("nested-objects", "not usable XML"),
        ("nested-xml", ""),
        ("app.nul", "not usable XML"),
        ("long-line", "not usable XML"),
    ];
    let mut failures = Vec::new();
    for (name, says) in refused {
        let started = Instant::now();
        let result = std::panic::catch_unwind(|| sfjwt::metadata::parse_file(&c.path(name)));
        let elapsed = started.elapsed();
        match result {
            Err(_) => failures.push(format!("{name}: panicked")),
            Ok(Ok(apps)) => failures.push(format!("{name}: parsed as {} app(s)", apps.len())),
            Ok(Err(e)) if !e.to_string().contains(says) || e.to_string().contains('\n') => {
                failures.push(format!("{name}: want one line saying `{says}`, got `{e}`"));
            }
            Ok(Err(_)) if elapsed > LIMIT => failures.push(format!("{name}: took {elapsed:?}")),
            Ok(Err(_)) => {}
        }
    }
    for name in ["app.utf16le", "app.utf16be", "app.utf8bom"] {
        match sfjwt::metadata::parse_file(&c.path(name)) {
            Ok(apps) if apps.len() == 1 && apps[0].consumer_key.is_some() => {}
            other => failures.push(format!("{name}: want the app, got {other:?}")),
        }
    }
    assert_no_failures(failures);
}

/// An `sfdx-project.json` in the working directory only supplies the login URL. One that cannot
/// be read is skipped with a note, as the sf CLI falls back to production when it cannot resolve
/// the project, so these runs are fine (exit 0) and say why the file was not used.
#[test]
fn project_file() {
    let c = corpus();
    let project = serde_json::json!({ "packageDirectories": [{ "path": "force-app", "default": true }],
        "sfdcLoginUrl": "https://acme.my.salesforce.com" })
    .to_string()
    .into_bytes();
    let mut contents: Vec<(&str, Vec<u8>, &str)> = vec![
        ("utf-8 bom", [b"\xEF\xBB\xBF".as_slice(), &project].concat(), ""),
        ("utf-16 le with bom", utf16(&project, false), ""),
        ("utf-16 be with bom", utf16(&project, true), ""),
        ("truncated", project[..project.len() / 2].to_vec(), "not valid JSON"),
        ("nul inside", [&project[..20], b"\0".as_slice(), &project[20..]].concat(), "not valid JSON"),
    ];
    for (name, says) in [
        ("empty", "not valid JSON"),
        ("binary", "not valid JSON"),
        ("nested-arrays", "recursion limit exceeded"),
        ("nested-objects", "recursion limit exceeded"),
        ("long-line", "not valid JSON"),
    ] {
        contents.push((name, fs::read(c.path(name)).unwrap(), says));
    }
    let mut failures = Vec::new();
    let dirs: Vec<(String, tempfile::TempDir, &str)> = contents
        .into_iter()
        .map(|(name, bytes, says)| {
            let dir = tempfile::tempdir().unwrap();
            fs::write(dir.path().join("sfdx-project.json"), bytes).unwrap();
            (name.to_string(), dir, says)
        })
        .chain(std::iter::once({
            let dir = tempfile::tempdir().unwrap();
            let file = fs::File::create(dir.path().join("sfdx-project.json")).unwrap();
            file.set_len(HUGE_BYTES).unwrap();
            ("huge".to_string(), dir, "41943040 bytes, more than the 1048576")
        }))
        .collect();
    for (name, dir, says) in &dirs {
        let run = doctor(&["--jwt-key-file", &absolute(KEY), "--cert", &absolute(CERT)]).current_dir(dir.path()).run();
        if let Err(why) = check(&run, Ends::Fine) {
            failures.push(format!("{name}: {why}"));
            continue;
        }
        let json = run.json();
        let notes = json["notes"].to_string();
        let used = json.to_string().contains("https://acme.my.salesforce.com");
        match says {
            &"" if !used => failures.push(format!("{name}: the sfdcLoginUrl was not used: {notes}")),
            &"" => {}
            says if used || !notes.contains("was not used") || !notes.contains(says) => {
                failures.push(format!("{name}: want a note saying `{says}`, got {notes}"));
            }
            _ => {}
        }
    }
    assert_no_failures(failures);
}

#[test]
fn environment_variables() {
    use std::os::unix::ffi::OsStringExt;
    let with_env = |name: &str, value: &[u8]| {
        doctor(&["--jwt-key-file", KEY, "--cert", CERT]).env(name, std::ffi::OsString::from_vec(value.to_vec()))
    };
    let long_host = format!("https://{}.my.salesforce.com", "a".repeat(100_000));
    let invalid_url = |says| cause("host.invalid-url", says);
    let aud_invalid = |says| cause("claims.aud-invalid", says);
    let mut cases = vec![
        Case::new("instance url empty", with_env("SFJWT_INSTANCE_URL", b""), invalid_url("no scheme")),
        Case::new(
            "instance url not utf-8",
            with_env("SFJWT_INSTANCE_URL", b"https://\xFF\xFE.my.salesforce.com"),
            Ends::Usage("SFJWT_INSTANCE_URL is not valid UTF-8"),
        ),
        // Shown as "the scheme is `https`, expected https" before: the BOM was invisible.
        Case::new(
            "instance url with a bom",
            with_env("SFJWT_INSTANCE_URL", "\u{feff}https://login.salesforce.com".as_bytes()),
            invalid_url("U+FEFF (a byte order mark)"),
        ),
        // A host no DNS name can be used to pass every offline check.
        Case::new(
            "instance url host too long",
            with_env("SFJWT_INSTANCE_URL", long_host.as_bytes()),
            invalid_url("at most 253"),
        ),
        Case::new(
            "instance url nested brackets",
            with_env("SFJWT_INSTANCE_URL", format!("https://{}", "[".repeat(100_000)).as_bytes()),
            invalid_url("no closing `]`"),
        ),
        Case::new(
            "instance url label too long",
            with_env("SFJWT_INSTANCE_URL", format!("https://{}.my.salesforce.com", "a".repeat(64)).as_bytes()),
            invalid_url("a label of 64 characters"),
        ),
        Case::new(
            "instance url empty label",
            with_env("SFJWT_INSTANCE_URL", b"https://login..salesforce.com"),
            invalid_url("empty label"),
        ),
        Case::new("audience empty", with_env("SF_AUDIENCE_URL", b""), Ends::Fine),
        Case::new("audience not a url", with_env("SF_AUDIENCE_URL", b"[[[["), aud_invalid("no scheme")),
        // Used to be skipped silently, so the assertion carried another aud than sf sends.
        Case::new(
            "audience not utf-8",
            with_env("SF_AUDIENCE_URL", b"https://\xFF"),
            Ends::Usage("SF_AUDIENCE_URL is not valid UTF-8"),
        ),
        Case::new(
            "audience with a bom",
            with_env("SF_AUDIENCE_URL", "\u{feff}https://login.salesforce.com".as_bytes()),
            aud_invalid("U+FEFF"),
        ),
        Case::new("audience long", with_env("SF_AUDIENCE_URL", long_host.as_bytes()), aud_invalid("at most 253")),
        Case::new(
            "timeout not utf-8",
            with_env("SFJWT_TIMEOUT", b"3\xFF"),
            Ends::Usage("SFJWT_TIMEOUT is not valid UTF-8"),
        ),
    ];
    // Clap checks the value; the message names the variable, not only `--timeout`.
    for value in ["", "abc", "0", "601", "-1", "99999999999999999999999", "11m", "\u{feff}5", &"9".repeat(100_000)] {
        let name = format!("timeout {:?}", &value[..value.len().min(12)]);
        cases.push(Case::new(
            name,
            with_env("SFJWT_TIMEOUT", value.as_bytes()),
            Ends::Usage("environment variable SFJWT_TIMEOUT"),
        ));
    }
    assert_no_failures(judge(cases));
}

#[test]
fn the_same_damage_on_the_command_line_blames_the_flag() {
    let run = doctor(&["--timeout", "5x"]).run();
    run.status(2);
    assert!(run.stderr.starts_with("error: invalid value '5x' for '--timeout <DURATION>'"), "{}", run.describe());
    assert!(!run.stderr.contains("environment"), "{}", run.describe());
}
