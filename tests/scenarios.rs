//! Every end-to-end scenario as data, in one place: the offline fixture matrix (one scenario per
//! cause of the offline groups, and the healthy setups), the connected-app metadata, the captured
//! failures users paste (`--error`: the sf CLI's real outputs, other clients' messages, every
//! token-endpoint error), and live probes against the fake token endpoint.
//!
//! Each scenario runs the real binary, must report what its row expects, and has its whole report
//! snapshotted in text and in JSON (`tests/snapshots/scenarios/<group>/<name>.{text,json}.snap`).
//! A changed report shows up as a snapshot diff to review as a user would: a stale note or an
//! internal name in the output must be caught there. After an intended change, rewrite the
//! snapshots with `INSTA_UPDATE=always cargo test --test tests scenarios` and review `git diff`.
//!
//! Snapshots are stable: the clock is pinned (`SFJWT_NOW`), and the few things a live probe cannot
//! pin (the fake's port, its `Date` header, durations) are replaced by placeholders.

use std::collections::BTreeSet;
use std::panic::{AssertUnwindSafe, catch_unwind};

use serde_json::Value;

use crate::support::fake_rest::{self, AppRow, FakeRest, OrgModel, UserRow};
use crate::support::fake_salesforce::{self, App, FakeSalesforce, Fault, Org, TEST_URL, User};
use crate::support::{CLIENT_ID, Output, Test, USERNAME, fixture, read_fixture};

/// One end-to-end case: how to run it and what it must report.
pub struct Scenario {
    /// Its snapshot's name, unique within its group.
    name: String,
    how: How,
    expect: Expect,
    env: Vec<(&'static str, String)>,
}

enum How {
    /// `sfjwt doctor --offline <args>`.
    Offline(Vec<String>),
    /// `sfjwt doctor --error <error> <args>`, online on purpose: `--error` alone decides that
    /// nothing is sent.
    Captured { error: String, args: Vec<String> },
    /// `sfjwt doctor <args> --instance-url <fake>` against a fresh fake token endpoint serving
    /// this org, or this fault in front of it.
    Probe { org: fn() -> Org, fault: Option<Fault>, args: Vec<String> },
    /// `sfjwt doctor <args> --admin-instance-url <fake>` with the admin token of a fresh fake REST
    /// API serving this org.
    Admin { org: fn() -> OrgModel, args: Vec<String> },
}

/// The fake a scenario runs against, alive for one run.
enum Live {
    Token(FakeSalesforce),
    Rest(FakeRest),
}

impl Live {
    fn url(&self) -> String {
        match self {
            Live::Token(fake) => fake.url(),
            Live::Rest(fake) => fake.url(),
        }
    }

    fn port(&self) -> u16 {
        let url = self.url();
        url.rsplit(':').next().and_then(|port| port.parse().ok()).expect("a fake's URL ends in its port")
    }
}

/// What a scenario must report. The exit code follows from the causes: 1 when one is an error.
enum Expect {
    /// Exactly these causes, in any order.
    Causes(&'static [&'static str]),
    /// Exactly these causes, in any order, and this exit code.
    Exactly(&'static [&'static str], i32),
    /// This cause first, and this exit code.
    First(&'static str, i32),
    /// This cause among the causes, and this exit code.
    Includes(&'static str, i32),
}

impl Scenario {
    fn new(name: impl Into<String>, how: How, expect: Expect) -> Scenario {
        Scenario { name: name.into(), how, expect, env: Vec::new() }
    }

    fn offline<I: IntoIterator<Item = S>, S: AsRef<str>>(
        name: &str,
        args: I,
        causes: &'static [&'static str],
    ) -> Scenario {
        let args = args.into_iter().map(|a| a.as_ref().to_string()).collect();
        Scenario::new(name, How::Offline(args), Expect::Causes(causes))
    }

    fn env(mut self, name: &'static str, value: String) -> Scenario {
        self.env.push((name, value));
        self
    }

    fn group(&self) -> &'static str {
        match self.how {
            How::Offline(_) => "offline",
            How::Captured { .. } => "captured",
            How::Probe { .. } => "probe",
            How::Admin { .. } => "admin",
        }
    }

    /// A fresh fake for one run, if the scenario needs one.
    fn start(&self) -> Option<Live> {
        match &self.how {
            How::Probe { fault: Some(fault), .. } => Some(Live::Token(FakeSalesforce::with_fault(fault.clone()))),
            How::Probe { org, .. } => Some(Live::Token(FakeSalesforce::start(org()))),
            How::Admin { org, .. } => Some(Live::Rest(FakeRest::start(org()))),
            How::Offline(_) | How::Captured { .. } => None,
        }
    }

    /// The run in `format`, against the fake at `fake_url`.
    fn test(&self, format: &str, fake_url: &str) -> Test {
        let doctor = Test::new().args(["doctor", "--format", format]);
        let test = match &self.how {
            How::Offline(args) => doctor.arg("--offline").args(args),
            How::Captured { error, args } => doctor.args(["--error", error]).args(args),
            How::Probe { args, .. } => doctor.args(args).args(["--instance-url", fake_url]),
            How::Admin { args, .. } => {
                doctor.args(args).args(["--admin-instance-url", fake_url]).env("SFJWT_ADMIN_TOKEN", fake_rest::TOKEN)
            }
        };
        self.env.iter().fold(test, |test, (name, value)| test.env(name, value))
    }

    /// Runs the scenario in JSON and in text, checks what it reports, and snapshots both reports.
    /// Returns what went wrong, if anything.
    fn check(&self) -> Result<(), String> {
        let (json, json_port) = self.run("json");
        let verdict = self.judge(&json).map_err(|why| format!("{}: {why}\n{}", self.name, json.describe()));
        let (text, text_port) = self.run("text");
        let snapshots = [("json", &json, json_port), ("text", &text, text_port)].map(|(format, out, port)| {
            let name = format!("{}.{format}", self.name);
            let snapshot = catch_unwind(AssertUnwindSafe(|| self.snapshot(format, &name, out, port)));
            snapshot.map_err(|_| format!("{}/{name}: the report changed (see the diff above)", self.group()))
        });
        let problems: Vec<String> = std::iter::once(verdict).chain(snapshots).filter_map(Result::err).collect();
        if problems.is_empty() { Ok(()) } else { Err(problems.join("\n")) }
    }

    /// Runs in `format`; returns the output and the fake's port, if there was a fake.
    fn run(&self, format: &str) -> (Output, Option<u16>) {
        let live = self.start();
        let url = live.as_ref().map(Live::url).unwrap_or_default();
        let out = self.test(format, &url).run();
        (out, live.as_ref().map(Live::port))
    }

    fn judge(&self, out: &Output) -> Result<(), String> {
        let json: Value = serde_json::from_str(&out.stdout).map_err(|e| format!("stdout is not JSON ({e})"))?;
        let causes: Vec<String> = json["causes"]
            .as_array()
            .ok_or("no causes")?
            .iter()
            .map(|cause| cause["id"].as_str().unwrap_or_default().to_string())
            .collect();
        let errors = json["counts"]["errors"].as_u64().ok_or("no counts.errors")?;
        let (fits, code) = match self.expect {
            Expect::Causes(want) => {
                let got: BTreeSet<&str> = causes.iter().map(String::as_str).collect();
                (got == want.iter().copied().collect(), i32::from(errors > 0))
            }
            Expect::Exactly(want, code) => {
                let got: BTreeSet<&str> = causes.iter().map(String::as_str).collect();
                (got == want.iter().copied().collect(), code)
            }
            Expect::First(cause, code) => (causes.first().is_some_and(|c| c == cause), code),
            Expect::Includes(cause, code) => (causes.iter().any(|c| c == cause), code),
        };
        let expected = match self.expect {
            Expect::Causes(want) | Expect::Exactly(want, _) => format!("exactly {want:?}"),
            Expect::First(cause, _) => format!("{cause} first"),
            Expect::Includes(cause, _) => format!("{cause} among the causes"),
        };
        if fits && out.code == code {
            Ok(())
        } else {
            Err(format!("got {causes:?} (exit {}), want {expected} (exit {code})", out.code))
        }
    }

    fn snapshot(&self, format: &str, name: &str, out: &Output, port: Option<u16>) {
        let mut settings = insta::Settings::clone_current();
        settings.set_snapshot_path(format!("snapshots/scenarios/{}", self.group()));
        settings.set_prepend_module_to_snapshot(false);
        settings.set_omit_expression(true);
        settings.set_description(format!("{} → exit {}", self.command_line(format), out.code));
        if let Some(port) = port {
            settings.add_filter(&format!("127\\.0\\.0\\.1:{port}\\b"), "127.0.0.1:[PORT]");
        }
        // Where the clone is, and what machine it runs on.
        settings.add_filter(&regex_escape(env!("CARGO_MANIFEST_DIR")), "[CRATE]");
        for (pattern, replacement) in UNSTABLE {
            settings.add_filter(pattern, *replacement);
        }
        let mut report = out.stdout.clone();
        if !out.stderr.is_empty() {
            report.push_str("\n--- stderr\n");
            report.push_str(&out.stderr);
        }
        settings.bind(|| insta::assert_snapshot!(name, report));
    }

    /// `sfjwt doctor …` as the scenario runs it, for the snapshot's header.
    fn command_line(&self, format: &str) -> String {
        let test = self.test(format, "<fake>");
        let env = self.env.iter().map(|(name, value)| format!("{name}={}", shorten(value)));
        let args = test.arguments().map(|arg| shorten(&arg.to_string_lossy()));
        let words: Vec<String> = env.chain(std::iter::once("sfjwt".to_string())).chain(args).collect();
        words.join(" ")
    }
}

/// What a live run cannot pin: the fake's clock and the time things took.
const UNSTABLE: &[(&str, &str)] = &[
    // The fake's Date header and what sfjwt reads from it.
    (r"(?i)date: \w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT", "date: [DATE]"),
    (r#""issued_at\\?":\s*\\?"\d+\\?""#, r#""issued_at":"[ISSUED_AT]""#),
    (r"\(\d+ ms\)", "([ELAPSED] ms)"),
    (r#""elapsed_ms":\s*\d+"#, r#""elapsed_ms": "[ELAPSED]""#),
    (r"clocks agree within \d+ s", "clocks agree within [SKEW] s"),
    (r#""os": "[^"]*""#, r#""os": "[OS]""#),
    (r#""arch": "[^"]*""#, r#""arch": "[ARCH]""#),
    (r"Date header [\d-]+ [\d:]+ UTC; local time [\d-]+ [\d:]+ UTC", "Date header [DATE]; local time [NOW]"),
];

fn regex_escape(text: &str) -> String {
    text.chars().map(|c| if c.is_alphanumeric() || c == '/' { c.to_string() } else { format!("\\{c}") }).collect()
}

/// A value as short as a header line needs: long arguments (inline errors, keys) are cut.
fn shorten(text: &str) -> String {
    let text = text.replace('\n', "\\n");
    if text.chars().count() <= 80 { text } else { format!("{}…", text.chars().take(77).collect::<String>()) }
}

/// Runs every scenario of a group; fails listing all that went wrong, not just the first.
fn check_all(scenarios: Vec<Scenario>) {
    let failures: Vec<String> = scenarios.iter().filter_map(|s| s.check().err()).collect();
    assert!(failures.is_empty(), "{} scenario(s) failed:\n{}", failures.len(), failures.join("\n"));
}

// ---------------------------------------------------------------------------------------------
// The offline fixture matrix
// ---------------------------------------------------------------------------------------------

const KEY: &str = "keys/rsa2048.pkcs8.pem";
const CERT: Option<&str> = Some("certs/rsa2048.crt");

/// Client id, username, key and certificate of the healthy setup; `extra` flags replace them.
fn setup(key: &str, cert: Option<&str>, extra: &[&str]) -> Vec<String> {
    let mut base = vec!["--client-id".into(), CLIENT_ID.into(), "--username".into(), USERNAME.into()];
    base.extend(["--jwt-key-file".into(), fixture(key)]);
    if let Some(cert) = cert {
        base.extend(["--cert".into(), fixture(cert)]);
    }
    merge(base, extra)
}

/// `base` flag-value pairs with `extra`'s: a flag in both takes `extra`'s value; a flag alone
/// (`--try-audiences`) is kept as it is.
fn merge(base: Vec<String>, extra: &[&str]) -> Vec<String> {
    let mut pairs: Vec<(String, Option<String>)> =
        base.chunks(2).map(|pair| (pair[0].clone(), pair.get(1).cloned())).collect();
    let mut extra = extra.iter().peekable();
    while let Some(flag) = extra.next() {
        let value = extra.next_if(|next| !next.starts_with("--")).map(|v| v.to_string());
        match pairs.iter_mut().find(|(f, _)| f == flag) {
            Some(existing) => existing.1 = value,
            None => pairs.push((flag.to_string(), value)),
        }
    }
    pairs.into_iter().flat_map(|(f, v)| std::iter::once(f).chain(v)).collect()
}

fn with_setup(name: &str, key: &str, cert: Option<&str>, extra: &[&str], causes: &'static [&'static str]) -> Scenario {
    Scenario::offline(name, setup(key, cert, extra), causes)
}

fn assertion(name: &str, jwt: &str, extra: &[&str], causes: &'static [&'static str]) -> Scenario {
    let mut args = setup(KEY, CERT, extra);
    args.extend(["--assertion".into(), format!("@{}", fixture(&format!("assertions/{jwt}.jwt")))]);
    Scenario::offline(name, args, causes)
}

fn offline() -> Vec<Scenario> {
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
        Scenario::offline(
            "jwt-pem-pasted",
            ["--assertion", "@fixtures/keys/rsa2048.pkcs8.pem"],
            &["assertion.malformed"],
        ),
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
            "host-legacy-sandbox-domain",
            KEY,
            CERT,
            &["--instance-url", "https://acme--uat.my.salesforce.com", "--username", "ci@acme.com.uat"],
            &["host.legacy-domain"],
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
        Scenario::offline(
            "key-from-env-base64",
            ["--client-id", CLIENT_ID, "--username", USERNAME, "--cert", &fixture("certs/rsa2048.crt")],
            &[],
        )
        .env("SFJWT_KEY", read_fixture("keys/mangled/base64-of-pem.txt")),
        with_setup("cert-expiring-soon", KEY, CERT, &[], &["cert.expiring-soon"])
            .env("SFJWT_NOW", (not_after("certs/rsa2048.crt") - 12 * 86_400).to_string()),
    ]
}

/// SAML bearer assertions (`fixtures/saml`, made by generate.py): the healthy ones and one per
/// `saml.*` rule, each audited against the fixture certificate.
fn saml() -> Vec<Scenario> {
    let audit = |name: &str, file: &str, causes: &'static [&'static str]| {
        let assertion = format!("@{}", fixture(&format!("saml/{file}")));
        let args = ["--assertion", &assertion, "--client-id", CLIENT_ID, "--username", USERNAME, "--cert"];
        Scenario::offline(
            &format!("saml-{name}"),
            args.into_iter().map(String::from).chain([fixture("certs/rsa2048.crt")]),
            causes,
        )
    };
    vec![
        audit("healthy", "healthy.xml", &[]),
        audit("healthy-b64url", "healthy.b64url", &[]),
        audit("healthy-form", "healthy.form", &[]),
        audit("healthy-sha1", "healthy-sha1.xml", &[]),
        audit("issuer-entity-id", "issuer-entity-id.xml", &["saml.issuer-not-consumer-key"]),
        audit("issuer-other-app", "issuer-other-app.xml", &["saml.issuer-not-consumer-key"]),
        audit("audience-entity-id", "audience-entity-id.xml", &["saml.audience-invalid"]),
        audit("recipient-login-url", "recipient-login-url.xml", &["saml.recipient-mismatch"]),
        audit("nameid-user-id", "nameid-user-id.xml", &["saml.nameid-not-username"]),
        audit("expired", "expired.xml", &["saml.expired"]),
        audit("not-yet-valid", "not-yet-valid.xml", &["saml.not-yet-valid"]),
        audit("unsigned", "unsigned.xml", &["saml.unsigned"]),
        audit("rsa-sha512", "rsa-sha512.xml", &["saml.signature-algorithm"]),
        audit("other-cert", "other-cert.xml", &["saml.cert-mismatch"]),
        audit("holder-of-key", "holder-of-key.xml", &["saml.subject-confirmation-not-bearer"]),
        audit("response-wrapped", "response-wrapped.xml", &["saml.not-saml"]),
        audit("dtd", "dtd.xml", &["saml.not-saml"]),
        audit("standard-base64", "standard-base64.b64", &["saml.not-base64url"]),
    ]
}

/// notAfter of a fixture certificate, read by x509-parser rather than by sfjwt's own rules.
fn not_after(cert: &str) -> i64 {
    let pem = read_fixture(cert);
    let (_, pem) = x509_parser::pem::parse_x509_pem(pem.as_bytes()).expect("a PEM certificate");
    pem.parse_x509().expect("an X.509 certificate").validity().not_after.timestamp()
}

/// Connected-app and External Client App metadata (`fixtures/metadata`), each with the consumer
/// key its scenario needs.
fn connected_apps() -> Vec<Scenario> {
    let app = |name: &str, folder: &str, client_id: &str, expect: Expect| {
        let args = ["--client-id", client_id, "--username", USERNAME, "--jwt-key-file", &fixture("example/server.key")]
            .into_iter()
            .chain(["--connected-app", &fixture(&format!("metadata/{folder}"))])
            .map(String::from)
            .collect();
        Scenario::new(name, How::Offline(args), expect)
    };
    let healthy = "3MVG9EXAMPLE0nly.TestKey_ForSfjwtDocs0000000000000000000000000000000000000000000";
    let self_authorize = "3MVG9EXAMPLE0nly.SelfAuth_ForSfjwtDocs000000000000000000000000000000000000000000";
    vec![
        app("app-healthy", "connected-app-healthy", healthy, Expect::Causes(&[])),
        app(
            "app-eca-healthy",
            "eca-healthy",
            "3MVG9EXAMPLE0nly.Eca_ForSfjwtDocs00000000000000000000000000000000000000000000000",
            Expect::Causes(&[]),
        ),
        app(
            "app-no-certificate",
            "connected-app-no-cert",
            "3MVG9EXAMPLE0nly.NoCert_ForSfjwtDocs00000000000000000000000000000000000000000000",
            Expect::Includes("app.no-certificate", 1),
        ),
        app(
            "app-high-assurance",
            "connected-app-high-assurance",
            "3MVG9EXAMPLE0nly.HighAssurance_ForSfjwtDocs0000000000000000000000000000000000000",
            Expect::Includes("app.high-assurance-required", 1),
        ),
        app(
            "app-self-authorize",
            "connected-app-self-authorize",
            self_authorize,
            Expect::Includes("app.self-authorize-policy", 1),
        ),
        app(
            "app-self-authorize-no-refresh-token",
            "connected-app-self-authorize",
            self_authorize,
            Expect::Includes("app.missing-refresh-token-scope", 1),
        ),
        app(
            "app-eca-jwt-disabled",
            "eca-jwt-disabled",
            "3MVG9EXAMPLE0nly.EcaNoJwt_ForSfjwtDocs000000000000000000000000000000000000000000",
            Expect::Includes("app.jwt-disabled", 1),
        ),
        app("app-malformed", "malformed", healthy, Expect::Includes("app.metadata-invalid", 1)), // named with --connected-app and unusable: an error
        app(
            "app-other-orgs-key",
            "connected-app-healthy",
            "3MVG9SomeOtherOrgsKey00000000000",
            Expect::Includes("client.unknown-client-id", 1),
        ),
    ]
}

// ---------------------------------------------------------------------------------------------
// Captured failures (`--error`)
// ---------------------------------------------------------------------------------------------

/// A capture under tests/fixtures/captured: (file, the top cause, exit code).
const CAPTURES: &[(&str, &str, i32)] = &[
    ("sf-cli-2.146/a_json.stdout", "approval.missing", 1),
    ("sf-cli-2.146/a_text.stderr", "approval.missing", 1),
    ("sf-cli-2.146/a_tty.stdout", "approval.missing", 1),
    ("sf-cli-2.146/b_json.stdout", "claims.aud-invalid", 1),
    ("sf-cli-2.146/c_json.stdout", "pair.key-cert-mismatch", 1),
    ("sf-cli-2.146/d_text.stderr", "client.unknown-client-id", 1),
    ("sf-cli-2.146/e_json.stdout", "approval.user-not-preauthorized", 1),
    ("sf-cli-2.146/f_json.stdout", "org.unavailable", 1),
    ("sf-cli-2.146/g_json.stdout", "endpoint.unreachable", 3),
    ("sf-cli-2.146/mitm_mydomain_b_json.stdout", "claims.aud-my-domain", 1),
    ("sf-cli-2.146/key_missing_file_json.stdout", "key.unreadable", 1),
    ("sf-cli-2.146/key_directory_text.stderr", "key.unreadable", 1),
    ("sf-cli-2.146/key_empty_file_json.stdout", "key.empty", 1),
    ("sf-cli-2.146/key_rsa1024_json.stdout", "key.too-small", 1),
    ("sf-cli-2.146/key_ec_p256_text.stderr", "key.not-rsa", 1),
    ("sf-cli-2.146/key_encrypted_pkcs8_json.stdout", "key.mangled", 1),
    ("sf-cli-2.146/flag_lightning_url_json.stdout", "host.lightning-domain", 1),
    ("sf-cli-2.146/flag_bad_url_json.stdout", "host.invalid-url", 1),
    ("sf-cli-2.146/flag_missing_client_id_json.stdout", "claims.iss-missing", 1),
    ("sf-cli-2.146/legacy_sfdx_auth_jwt_grant_text.stderr", "approval.missing", 1),
    ("sfdx_v7_due_to.txt", "approval.missing", 1),
    // `sf org create user` (CreateUserCommand): a Hyperforce scratch org's user (issue 11).
    ("sf_sferror.json", "approval.hyperforce-scratch-user", 1),
    ("legacy_sfdx.txt", "pair.key-cert-mismatch", 1),
    ("pem_no_start_line.txt", "key.mangled", 1),
    ("guzzle.txt", "approval.missing", 1),
    ("simple_salesforce.txt", "approval.missing", 1),
    ("simple_salesforce_code_message.txt", "clock.skew", 1),
    ("apex_code_phrase.txt", "claims.aud-invalid", 1),
    ("apex_debug.log", "approval.missing", 1),
    ("n8n.txt", "approval.missing", 1),
    ("n8n_ui.txt", "approval.user-not-preauthorized", 1),
    ("talend.txt", "client.unknown-client-id", 1),
    ("curl_verbose.txt", "client.unknown-client-id", 1),
    ("transcript_html.http", "org.unavailable", 1),
    ("transcript_request_response.http", "approval.missing", 1),
    ("sf-cli-2.146/ok_json.stdout", "", 0),
    ("sf-cli-2.146/ok_text.stderr", "", 0),
    ("sf-cli-2.146/ok_text.stdout", "", 0),
];

/// Every error string of sf_facts.md §2.4, as raw token-endpoint JSON: (error, description, a cause).
const TOKEN_ERRORS: &[(&str, &str, &str)] = &[
    ("invalid_grant", "user hasn't approved this consumer", "approval.missing"),
    ("invalid_grant", "audience is invalid", "claims.aud-invalid"),
    ("invalid_client_id", "client identifier invalid", "client.unknown-client-id"),
    ("invalid_grant", "invalid assertion", "pair.key-cert-mismatch"),
    ("invalid_client", "invalid client credentials", "client.invalid-credentials"),
    ("invalid_grant", "expired authorization code", "clock.skew"),
    ("invalid_app_access", "user is not admin approved to access this app", "approval.user-not-preauthorized"),
    ("invalid_grant", "External client app is not installed in this org", "client.eca-not-installed"),
    ("invalid_client", "app must be installed into org", "client.app-not-installed"),
    ("invalid_grant", "ip restricted", "user.ip-restricted"),
    ("invalid_grant", "IP restricted or invalid login hours", "user.ip-restricted"),
    ("inactive_user", "user is inactive", "user.inactive"),
    ("inactive_org", "organization is locked, closed, or suspended", "org.inactive"),
    ("rate_limit_exceeded", "number of logins exceeded", "user.login-rate-exceeded"),
    ("unsupported_grant_type", "grant type not supported", "client.unsupported-grant"),
    ("invalid_request", "HTTPS required", "host.insecure"),
    ("invalid_grant", "authentication failure", "endpoint.unknown-error"),
    ("invalid_grant", "expired access/refresh token", "flow.not-jwt"),
    ("invalid_grant", "no valid scopes defined", "flow.not-jwt"),
];

fn captured() -> Vec<Scenario> {
    let mut scenarios: Vec<Scenario> = CAPTURES
        .iter()
        .map(|&(file, top, code)| {
            let name = file.replace("sf-cli-2.146/", "sf-").replace(['.', '_'], "-");
            let error = format!("@tests/fixtures/captured/{file}");
            // A successful run is not a failure: no cause at all.
            let expect = if top.is_empty() { Expect::Causes(&[]) } else { Expect::First(top, code) };
            Scenario::new(name, How::Captured { error, args: Vec::new() }, expect)
        })
        .collect();
    for &(error, description, cause) in TOKEN_ERRORS {
        let slug: String =
            description.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect();
        let body = format!(r#"{{"error":"{error}","error_description":"{description}"}}"#);
        let how = How::Captured { error: body, args: Vec::new() };
        scenarios.push(Scenario::new(format!("token-{error}-{slug}"), how, Expect::Includes(cause, 1)));
    }
    let html = "<html><head><title>Data Not Available</title></head><body>…</body></html>".to_string();
    scenarios.push(Scenario::new(
        "token-html-page",
        How::Captured { error: html, args: Vec::new() },
        Expect::Causes(&["org.unavailable"]),
    ));
    scenarios
}

// ---------------------------------------------------------------------------------------------
// Live probes against the fake token endpoint
// ---------------------------------------------------------------------------------------------

fn certificate() -> String {
    read_fixture("certs/rsa2048.crt")
}

fn standard() -> Org {
    Org::standard(&certificate())
}

fn probe(name: &str, org: fn() -> Org, extra: &[&str], expect: Expect) -> Scenario {
    let key = fixture("keys/rsa2048.pkcs8.pem");
    let base = ["--timeout", "20", "--client-id", fake_salesforce::CONSUMER_KEY]
        .into_iter()
        .chain(["--username", fake_salesforce::USERNAME, "--jwt-key-file", &key])
        .map(String::from)
        .collect();
    let args = merge(base, extra);
    Scenario::new(name, How::Probe { org, fault: None, args }, expect)
}

fn fault(name: &str, fault: Fault, expect: Expect) -> Scenario {
    let mut scenario = probe(name, Org::production, &["--cert", "fixtures/certs/rsa2048.crt"], expect);
    if let How::Probe { fault: slot, .. } = &mut scenario.how {
        *slot = Some(fault);
    }
    scenario
}

fn probes() -> Vec<Scenario> {
    let cert = ["--cert", "fixtures/certs/rsa2048.crt"];
    vec![
        probe("healthy", standard, &cert, Expect::Causes(&[])),
        probe(
            "self-authorize-never-approved",
            || {
                let app = App::new(fake_salesforce::CONSUMER_KEY, &certificate()).self_authorize();
                Org::production().with_user(User::new(fake_salesforce::USERNAME)).with_app(app)
            },
            &cert,
            Expect::First("approval.missing", 1),
        ),
        probe(
            "unknown-client-id",
            standard,
            &["--client-id", "3MVG9UnknownKeyForThisOrg000000000"],
            Expect::First("client.unknown-client-id", 1),
        ),
        probe(
            "foreign-certificate",
            || Org::standard(&read_fixture("certs/rsa2048-other.crt")),
            &cert,
            Expect::First("pair.key-cert-mismatch", 1),
        ),
        probe("clock-ten-minutes-ahead", || standard().with_clock_offset(600), &cert, Expect::First("clock.skew", 1)),
        probe(
            "sandbox-rejects-the-login-audience",
            || {
                let app = App::new(fake_salesforce::CONSUMER_KEY, &certificate());
                Org::sandbox().with_user(User::new(fake_salesforce::USERNAME)).with_app(app)
            },
            &["--cert", "fixtures/certs/rsa2048.crt", "--audience", "https://login.salesforce.com"],
            Expect::Causes(&["claims.aud-invalid"]),
        ),
        probe(
            "try-audiences",
            || {
                let mut org = standard();
                org.accepted_audiences = vec![TEST_URL.to_string()];
                org
            },
            &["--cert", "fixtures/certs/rsa2048.crt", "--try-audiences"],
            Expect::Includes("claims.aud-invalid", 0),
        ),
        fault("refused", Fault::Refuse, Expect::Exactly(&["endpoint.unreachable"], 3)),
        fault("maintenance-page", Fault::Html(503), Expect::First("org.unavailable", 1)),
        fault(
            "redirect",
            Fault::Redirect("http://127.0.0.1:9/elsewhere".into()),
            Expect::First("endpoint.unexpected-response", 1),
        ),
        fault("not-json", Fault::NotJson, Expect::First("endpoint.unexpected-response", 1)),
        fault("huge-body", Fault::HugeBody(20 * 1024 * 1024), Expect::First("endpoint.unexpected-response", 1)),
    ]
}

// ---------------------------------------------------------------------------------------------
// An admin session against the fake REST API
// ---------------------------------------------------------------------------------------------

const APP_NAME: &str = "sfjwt CI";

/// The healthy app's metadata and key, the admin session of a fresh fake REST API, and a token
/// endpoint that refuses connections (port 9), so the report rests on what the org says.
fn admin(name: &str, org: fn() -> OrgModel, expect: Expect) -> Scenario {
    let args = ["--client-id", CLIENT_ID, "--username", USERNAME, "--jwt-key-file", &fixture("example/server.key")]
        .into_iter()
        .chain(["--connected-app", &fixture("metadata/connected-app-healthy"), "--instance-url", "http://127.0.0.1:9"])
        .map(String::from)
        .collect();
    Scenario::new(name, How::Admin { org, args }, expect)
}

/// An app that pre-authorizes the System Administrator profile.
fn admin_approved() -> AppRow {
    AppRow::admin_approved(APP_NAME).allow_profile(fake_rest::ADMIN_PROFILE)
}

/// The CI user, a System Administrator.
fn ci_user() -> UserRow {
    UserRow::new(USERNAME, fake_rest::ADMIN_PROFILE)
}

fn admin_sessions() -> Vec<Scenario> {
    vec![
        admin(
            "pre-authorized",
            || OrgModel::production().with_user(ci_user()).with_app(admin_approved()),
            Expect::Exactly(&["endpoint.unreachable"], 3),
        ),
        admin(
            "profile-not-pre-authorized",
            || {
                let user = UserRow::new(USERNAME, "Integration User");
                OrgModel::production().with_user(user).with_app(admin_approved())
            },
            Expect::Includes("approval.user-not-preauthorized", 1),
        ),
        admin(
            "self-authorize-never-approved",
            || OrgModel::production().with_user(ci_user()).with_app(AppRow::self_authorize(APP_NAME)),
            Expect::Includes("approval.self-authorize-not-approved", 1),
        ),
        admin(
            "frozen-user",
            || OrgModel::production().with_user(ci_user().frozen()).with_app(admin_approved()),
            Expect::Includes("user.frozen", 1),
        ),
        admin(
            "inactive-user",
            || OrgModel::production().with_user(ci_user().inactive()).with_app(admin_approved()),
            Expect::Includes("user.inactive", 1),
        ),
        admin(
            "unknown-user",
            || OrgModel::production().with_app(AppRow::admin_approved(APP_NAME)),
            Expect::Includes("user.not-found", 1),
        ),
    ]
}

// ---------------------------------------------------------------------------------------------
// The tests
// ---------------------------------------------------------------------------------------------

#[test]
fn offline_scenarios() {
    check_all(offline());
}

#[test]
fn connected_app_scenarios() {
    check_all(connected_apps());
}

#[test]
fn saml_scenarios() {
    check_all(saml());
}

#[test]
fn captured_scenarios() {
    check_all(captured());
}

#[test]
fn probe_scenarios() {
    check_all(probes());
}

#[test]
fn admin_scenarios() {
    check_all(admin_sessions());
}

#[test]
fn every_scenario_has_a_snapshot_of_its_own() {
    let all = [offline(), connected_apps(), saml(), captured(), probes(), admin_sessions()];
    let mut names = BTreeSet::new();
    for scenario in all.iter().flatten() {
        let name = format!("{}/{}", scenario.group(), scenario.name);
        assert!(names.insert(name.clone()), "two scenarios are named {name}");
    }
}

#[test]
fn the_matrix_covers_every_offline_cause() {
    let covered: BTreeSet<&str> = offline()
        .iter()
        .flat_map(|s| match s.expect {
            Expect::Causes(causes) | Expect::Exactly(causes, _) => causes.to_vec(),
            Expect::First(cause, _) | Expect::Includes(cause, _) => vec![cause],
        })
        .collect();
    let offline_groups = ["key.", "cert.", "pair.", "assertion.", "claims.", "host."];
    let missing: Vec<&str> = sfjwt::catalog::all()
        .iter()
        .map(|e| e.id.as_str())
        .filter(|id| offline_groups.iter().any(|g| id.starts_with(g)))
        // Causes that hold only when the answer says so: no offline scenario can produce them.
        .filter(|id| !["host.my-domain-required", "assertion.jti-reused", "key.pkcs8-required"].contains(id))
        .filter(|id| !covered.contains(id))
        .collect();
    assert!(missing.is_empty(), "no scenario produces {missing:?}");
}

#[test]
fn healthy_setup_passes_every_check_it_can_run() {
    let run = Test::offline_json().args(setup(KEY, CERT, &[])).run();
    run.status(0);
    let json: Value = run.json();
    assert_eq!(json["verdict"], "healthy");
    for check in json["checks"].as_array().unwrap() {
        let offline_only = ["sfcli", "endpoint", "login", "app", "org"].contains(&check["group"].as_str().unwrap());
        let needs_more_inputs = offline_only || check["id"] == "app.certificate";
        let expected = if needs_more_inputs { "skip" } else { "pass" };
        assert_eq!(check["status"], expected, "{check}");
    }
}
