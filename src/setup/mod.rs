//! `sfjwt setup`: from nothing to a working JWT bearer login. It makes a key pair in process,
//! writes the app metadata and a permission set that pre-authorizes users, and prints the steps
//! that remain, with exact commands. It asks only in a terminal, and nothing in CI.

pub mod keys;
pub mod layout;
pub mod prompt;
pub mod steps;
pub mod templates;

use std::{
    io::Write as _,
    path::{Path, PathBuf},
};

use base64::{Engine, engine::general_purpose::STANDARD};
use serde::Serialize;

use crate::{
    cli::{SetupArgs, SetupFormat},
    error::{Error, Exit},
};
use layout::Layout;
use templates::{AppSpec, MetadataFile};

pub const SCHEMA: &str = "sfjwt.setup.v1";
const KEY_FILE: &str = "server.key";
const CERT_FILE: &str = "server.crt";

pub fn run(args: &SetupArgs) -> Result<Exit, Error> {
    let cwd = std::env::current_dir()
        .map_err(|e| Error::Internal { message: format!("cannot read the working directory: {e}") })?;
    let layout = Layout::resolve(&cwd, args.source_dir.as_deref(), args.key_dir.as_deref())?;
    let spec_names = Names::from_args(args)?;
    let answers = Answers::gather(args, prompt::may_ask())?;
    let plan = Plan::new(&layout, args, &spec_names, &answers);
    plan.refuse_existing(&layout)?;

    let key = keys::generate_key(args.key_size).map_err(|message| Error::Internal { message })?;
    let request =
        keys::CertificateRequest { common_name: &spec_names.app, not_before: now(), valid_days: args.valid_days };
    let certificate = keys::self_signed(&key.rsa, &request).map_err(|message| Error::Internal { message })?;
    let spec = AppSpec {
        name: spec_names.app.clone(),
        label: args.label.clone().unwrap_or_else(|| spec_names.app.clone()),
        contact_email: answers.contact_email.clone(),
        callback_url: args.callback_url.clone(),
        certificate_pem: certificate.clone(),
        permission_set: spec_names.permission_set.clone(),
        connected_app: args.connected_app,
    };
    let metadata: Vec<(PathBuf, MetadataFile)> =
        templates::files(&spec).into_iter().map(|file| (layout.source_dir.join(&file.relative), file)).collect();

    let mut written = Vec::new();
    write_new(&plan.key_file, key.pem.expose().as_bytes(), 0o600)?;
    written.push(Written::new(&plan.key_file, "private-key").mode("0600"));
    write_new(&plan.cert_file, certificate.as_bytes(), 0o644)?;
    written.push(Written::new(&plan.cert_file, "certificate"));
    let gitignore = layout.key_dir.join(".gitignore");
    if !exists(&gitignore) {
        write_new(&gitignore, b"# Written by sfjwt setup: private keys never go into git.\n*.key\n", 0o644)?;
        written.push(Written::new(&gitignore, "gitignore"));
    }
    if layout.new_project {
        let project = layout.root.join("sfdx-project.json");
        write_new(&project, templates::sfdx_project(layout::NEW_PACKAGE_DIR).as_bytes(), 0o644)?;
        written.push(Written::new(&project, "project"));
    }
    for (path, file) in &metadata {
        write_new(path, file.text.as_bytes(), 0o644)?;
        let mut row = Written::new(path, "metadata");
        row.metadata_type = Some(file.metadata_type);
        row.member = Some(file.member.clone());
        written.push(row);
    }

    let steps = steps::next_steps(&steps::Context {
        layout: &layout,
        files: &metadata,
        app_name: &spec.name,
        permission_set: &spec.permission_set,
        connected_app: spec.connected_app,
        username: &answers.username,
        instance_url: &answers.instance_url,
        target_org: args.target_org.as_deref(),
        key_file: &plan.key_file,
    });
    let parsed_cert = crate::evidence::cert::examine(CERT_FILE.into(), certificate.as_bytes());
    let parsed_cert = parsed_cert
        .parsed()
        .ok_or_else(|| Error::Internal { message: "the certificate just made does not parse".into() })?;
    let report = SetupReport {
        schema: SCHEMA,
        kind: if spec.connected_app { "connected-app" } else { "external-client-app" },
        app: AppRow {
            name: spec.name.clone(),
            label: spec.label.clone(),
            permission_set: spec.permission_set.clone(),
            metadata_api_version: templates::METADATA_API_VERSION,
        },
        project_root: layout.root.display().to_string(),
        new_project: layout.new_project,
        username: answers.username.clone(),
        instance_url: answers.instance_url.clone(),
        key: KeyRow {
            path: plan.key_file.display().to_string(),
            bits: args.key_size,
            format: "PKCS#8 PEM",
            spki_sha256: keys::spki_sha256(&key.rsa).unwrap_or_default(),
        },
        certificate: CertRow {
            path: plan.cert_file.display().to_string(),
            subject: parsed_cert.subject.clone(),
            not_before: crate::checks::format_date(parsed_cert.not_before),
            not_after: crate::checks::format_date(parsed_cert.not_after),
            spki_sha256: parsed_cert.spki_sha256.clone(),
        },
        files: written,
        steps,
    };
    let out = match args.format {
        SetupFormat::Json => serde_json::to_string_pretty(&report).unwrap_or_default() + "\n",
        SetupFormat::Text => render_text(&report, &layout),
    };
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(out.as_bytes()).and_then(|()| stdout.flush());
    Ok(Exit::Healthy)
}

/// The API names of the app and its permission set.
struct Names {
    app: String,
    permission_set: String,
}

impl Names {
    fn from_args(args: &SetupArgs) -> Result<Names, Error> {
        templates::check_api_name(&args.app_name, 40).map_err(|e| Error::input("--app-name", e))?;
        let permission_set = args.permission_set.clone().unwrap_or_else(|| format!("{}_JWT_Users", args.app_name));
        // Permission set API names may be 80 characters long.
        templates::check_api_name(&permission_set, 80).map_err(|e| Error::input("--permission-set", e))?;
        Ok(Names { app: args.app_name.clone(), permission_set })
    }
}

/// The answers a flag, an environment variable or, in a terminal, a question gave.
struct Answers {
    username: String,
    instance_url: String,
    contact_email: Option<String>,
}

impl Answers {
    fn gather(args: &SetupArgs, may_ask: bool) -> Result<Answers, Error> {
        let mut prompter = may_ask.then(prompt::Prompter::terminal);
        let mut ask = |flag: &str, question: &str, default: Option<&str>, check: fn(&str) -> Result<(), String>| {
            let cannot_ask = || {
                Error::usage(format!("{flag} is required, and sfjwt setup asks nothing in CI or without a terminal"))
                    .suggest(format!("pass {flag}"))
            };
            match prompter.as_mut() {
                Some(prompter) => prompter.ask(question, default, check).ok_or_else(cannot_ask),
                None => default.map(str::to_string).ok_or_else(cannot_ask),
            }
        };
        let username = match &args.username {
            Some(given) => given.clone(),
            None => ask("--username", "Username of the integration user CI logs in as", None, check_username)?,
        };
        check_username(&username).map_err(|e| Error::input("--username", e))?;
        let instance_url = match &args.instance_url {
            Some(given) => given.clone(),
            None => ask(
                "--instance-url",
                "Login URL (https://login.salesforce.com, https://test.salesforce.com or your My Domain)",
                Some(crate::inputs::DEFAULT_LOGIN_URL),
                check_login_url,
            )?,
        };
        check_login_url(&instance_url).map_err(|e| Error::input("--instance-url", e))?;
        let contact_email = match (&args.contact_email, args.connected_app) {
            (Some(given), _) => Some(given.clone()),
            // ConnectedApp requires contactEmail; ExternalClientApplication does not.
            (None, true) => Some(ask("--contact-email", "Email of the app's owner", None, check_email)?),
            (None, false) => None,
        };
        if let Some(email) = &contact_email {
            check_email(email).map_err(|e| Error::input("--contact-email", e))?;
        }
        Ok(Answers {
            username: username.trim().to_string(),
            instance_url: instance_url.trim().to_string(),
            contact_email,
        })
    }
}

fn check_username(name: &str) -> Result<(), String> {
    let name = name.trim();
    if name.contains('@') && !name.contains(char::is_whitespace) && !name.starts_with('@') {
        Ok(())
    } else {
        Err("a Salesforce username looks like an email address (ci@acme.com, or ci@acme.com.uat in a sandbox)".into())
    }
}

fn check_email(email: &str) -> Result<(), String> {
    check_username(email).map_err(|_| "give an email address".to_string())
}

/// https, or http only to this machine (the fake token endpoint of the tests).
fn check_login_url(url: &str) -> Result<(), String> {
    let parsed = url::Url::parse(url.trim()).map_err(|e| format!("`{url}` is not a URL ({e})"))?;
    let loopback = matches!(parsed.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
    match parsed.scheme() {
        "https" => Ok(()),
        "http" if loopback => Ok(()),
        _ => Err(format!("`{url}` must start with https://")),
    }
}

/// Where the key pair goes, known before anything is written.
struct Plan {
    key_file: PathBuf,
    cert_file: PathBuf,
    metadata: Vec<PathBuf>,
    project_file: Option<PathBuf>,
}

impl Plan {
    fn new(layout: &Layout, args: &SetupArgs, names: &Names, answers: &Answers) -> Plan {
        // The file names only depend on the names, so they are known before the key exists.
        let spec = AppSpec {
            name: names.app.clone(),
            label: String::new(),
            contact_email: answers.contact_email.clone(),
            callback_url: String::new(),
            certificate_pem: String::new(),
            permission_set: names.permission_set.clone(),
            connected_app: args.connected_app,
        };
        Plan {
            key_file: layout.key_dir.join(KEY_FILE),
            cert_file: layout.key_dir.join(CERT_FILE),
            metadata: templates::files(&spec).into_iter().map(|f| layout.source_dir.join(f.relative)).collect(),
            project_file: layout.new_project.then(|| layout.root.join("sfdx-project.json")),
        }
    }

    /// Nothing is overwritten: if any file exists, nothing at all is written.
    fn refuse_existing(&self, layout: &Layout) -> Result<(), Error> {
        let all = [&self.key_file, &self.cert_file].into_iter().chain(&self.metadata).chain(&self.project_file);
        let existing: Vec<String> = all.filter(|path| exists(path)).map(|p| layout.show(p)).collect();
        let shown = match existing.len() {
            0 => return Ok(()),
            1..=3 => existing.join(", "),
            more => format!("{} and {} more", existing[..2].join(", "), more - 2),
        };
        Err(Error::usage(format!("refusing to overwrite {shown}"))
            .suggest("sfjwt setup never replaces a file: move them away, or choose other folders or names (--key-dir, --source-dir, --app-name)"))
    }
}

/// Whether anything (a file, a folder, a symlink even dangling) is at `path`.
fn exists(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok()
}

/// Writes a new file with `mode`, creating its folder (see `output::create_new`).
pub fn write_new(path: &Path, bytes: &[u8], mode: u32) -> Result<(), Error> {
    let fail = |source: std::io::Error| Error::Write { what: "a file", path: path.to_path_buf(), source };
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(fail)?;
    }
    crate::output::create_new(path, bytes, mode).map_err(fail)
}

/// `-----BEGIN <label>-----`, base64 at 64 columns, `-----END <label>-----`.
pub fn pem_armour(label: &str, der: &[u8]) -> String {
    let body = STANDARD.encode(der);
    let mut pem = format!("-----BEGIN {label}-----\n");
    for chunk in body.as_bytes().chunks(64) {
        pem.push_str(&String::from_utf8_lossy(chunk));
        pem.push('\n');
    }
    pem.push_str(&format!("-----END {label}-----\n"));
    pem
}

fn now() -> i64 {
    std::env::var("SFJWT_NOW").ok().and_then(|v| v.parse().ok()).unwrap_or_else(crate::clock::unix_now)
}

#[derive(Debug, Serialize)]
struct SetupReport {
    schema: &'static str,
    /// `external-client-app` or `connected-app`.
    kind: &'static str,
    app: AppRow,
    project_root: String,
    new_project: bool,
    username: String,
    instance_url: String,
    key: KeyRow,
    certificate: CertRow,
    files: Vec<Written>,
    steps: Vec<steps::Step>,
}

#[derive(Debug, Serialize)]
struct AppRow {
    name: String,
    label: String,
    permission_set: String,
    metadata_api_version: &'static str,
}

#[derive(Debug, Serialize)]
struct KeyRow {
    path: String,
    bits: usize,
    format: &'static str,
    spki_sha256: String,
}

#[derive(Debug, Serialize)]
struct CertRow {
    path: String,
    subject: String,
    not_before: String,
    not_after: String,
    spki_sha256: String,
}

#[derive(Debug, Serialize)]
struct Written {
    path: String,
    /// `private-key`, `certificate`, `gitignore`, `project` or `metadata`.
    role: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    metadata_type: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    member: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    mode: Option<&'static str>,
}

impl Written {
    fn new(path: &Path, role: &'static str) -> Written {
        Written { path: path.display().to_string(), role, metadata_type: None, member: None, mode: None }
    }

    fn mode(mut self, mode: &'static str) -> Written {
        self.mode = Some(mode);
        self
    }
}

fn render_text(report: &SetupReport, layout: &Layout) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let what = if report.kind == "connected-app" { "a connected app" } else { "an External Client App" };
    let _ = writeln!(out, "sfjwt setup: {what} for JWT bearer logins as {}\n", report.username);
    let _ = writeln!(out, "Wrote:");
    let rows: Vec<(String, String)> = report
        .files
        .iter()
        .map(|file| {
            let path = layout.show(Path::new(&file.path));
            let about = match (file.role, file.metadata_type, &file.member) {
                ("private-key", ..) => format!(
                    "private key, RSA {} {} (mode 0600): a secret, never commit or share it",
                    report.key.bits, report.key.format
                ),
                ("certificate", ..) => format!(
                    "self-signed certificate {}, valid until {} (SPKI SHA-256 {})",
                    report.certificate.subject,
                    report.certificate.not_after,
                    crate::checks::pair::short(&report.certificate.spki_sha256)
                ),
                ("gitignore", ..) => "keeps *.key out of git".to_string(),
                ("project", ..) => format!("a new sfdx project (API {})", report.app.metadata_api_version),
                (_, Some(kind), Some(member)) => format!("{kind} {member}"),
                _ => String::new(),
            };
            (path, about)
        })
        .collect();
    let width = rows.iter().map(|(path, _)| path.chars().count()).max().unwrap_or(0).min(60);
    for (path, about) in rows {
        let _ = writeln!(out, "  {path:<width$}  {about}");
    }
    let _ = writeln!(out, "\nNext steps, from {}:", layout.show(&layout.root));
    for (number, step) in report.steps.iter().enumerate() {
        let _ = writeln!(out, "\n{}. {}", number + 1, step.title);
        for command in &step.commands {
            let _ = writeln!(out, "     {command}");
        }
        for note in &step.notes {
            let _ = writeln!(out, "   {note}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::{cause_id::CauseId, finding::Status, testing::evidence};

    /// Generated metadata passes every app check, with the key whose certificate it holds.
    #[test]
    fn generated_metadata_passes_every_app_check() {
        for connected_app in [false, true] {
            let dir = tempfile::tempdir().unwrap();
            let spec = super::templates::AppSpec {
                name: "Sfjwt_CI".into(),
                label: "sfjwt CI".into(),
                contact_email: Some("owner@example.com".into()),
                callback_url: super::templates::DEFAULT_CALLBACK_URL.into(),
                certificate_pem: include_str!("../../fixtures/certs/rsa2048.crt").into(),
                permission_set: "Sfjwt_CI_JWT_Users".into(),
                connected_app,
            };
            for file in super::templates::files(&spec) {
                let path = dir.path().join(&file.relative);
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(path, &file.text).unwrap();
            }
            let app_dir = dir.path().display().to_string();
            let ev = evidence(&[
                "--connected-app",
                &app_dir,
                "--client-id",
                "3MVG9SfjwtSetupTestKey",
                "--username",
                "ci@example.com",
                "--jwt-key-file",
                "fixtures/keys/rsa2048.pkcs8.pem",
            ]);
            assert!(ev.apps.app().is_some(), "the app without a consumer key in its files is the app");
            let checks = [
                crate::checks::app::metadata(&ev),
                crate::checks::app::settings(&ev),
                crate::checks::app::scopes(&ev),
                crate::checks::pair::matches(&ev),
            ];
            for outcome in &checks {
                assert_eq!(outcome.status, Status::Pass, "{outcome:#?}");
                let found: Vec<CauseId> = outcome.causes.iter().filter(|c| !c.latent).map(|c| c.id).collect();
                assert!(found.is_empty(), "{found:?}");
            }
        }
    }
}
