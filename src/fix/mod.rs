//! Fixes as data: a check that finds a cause whose remedy is a change to local files attaches the
//! change (`Fix`) to the cause; `sfjwt doctor --fix` applies them all through [`apply`], and
//! `--diff` only shows them. Nothing here decides what is wrong: the checks did, from the
//! evidence. What needs Salesforce (an approval, waiting for replication) stays a fix step.
//!
//! After ruff's `--fix` / `--diff`: one module applies every fix, shows a unified diff of each
//! file it changes, and refuses to write outside the project, through a symlink, or over a file
//! that changed since sfjwt read it.

pub mod app;
pub mod apply;
pub mod key;
mod xml_edit;

use std::path::PathBuf;

use crate::secret::Secret;

/// One change to local files.
#[derive(Debug, Clone, PartialEq)]
pub struct Fix {
    pub action: Action,
    /// What the change does, for the summary (`add the RefreshToken scope`).
    pub why: String,
    /// Commands or steps that must follow once the change is deployed (assign a permission set).
    pub then: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Change a metadata file sfjwt read: `sha256` is what the bytes hashed to then.
    Edit { file: PathBuf, sha256: String, change: XmlChange },
    /// Write a new file next to the others; never over an existing one.
    Create { file: PathBuf, contents: Contents, mode: u32 },
}

impl Action {
    pub fn file(&self) -> &PathBuf {
        match self {
            Action::Edit { file, .. } | Action::Create { file, .. } => file,
        }
    }
}

/// A new file's contents: shown in the diff, or (key material) never shown.
#[derive(Debug, Clone, PartialEq)]
pub enum Contents {
    Text(String),
    Secret { contents: Secret<String>, what: &'static str },
}

impl Contents {
    fn bytes(&self) -> &[u8] {
        match self {
            Contents::Text(text) => text.as_bytes(),
            Contents::Secret { contents, .. } => contents.expose().as_bytes(),
        }
    }
}

/// An edit to an XML element reached from the root by child names (`["oauthConfig", "scopes"]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum XmlChange {
    /// Sets the element's text, adding the element when it is missing.
    SetText { path: Vec<&'static str>, value: String },
    /// Adds one more element with this text (a repeated field such as `scopes`) unless one has it.
    AddRepeated { path: Vec<&'static str>, value: String },
    /// Adds `value` to the element's comma-separated list unless it is in it already.
    AddToList { path: Vec<&'static str>, value: String },
    /// Replaces a certificate, keeping the file's form (armoured PEM, or bare base64 as an
    /// External Client App retrieve writes it).
    SetCertificate { path: Vec<&'static str>, pem: String },
}

impl Fix {
    pub fn new(action: Action, why: impl Into<String>) -> Fix {
        Fix { action, why: why.into(), then: Vec::new() }
    }

    pub fn then(mut self, step: impl Into<String>) -> Fix {
        self.then.push(step.into());
        self
    }

    /// One line for the report: what `--fix` would do to which file.
    pub fn describe(&self) -> String {
        let verb = match self.action {
            Action::Edit { .. } => "changes",
            Action::Create { .. } => "writes",
        };
        format!("sfjwt doctor --fix {verb} {}: {}", self.action.file().display(), self.why)
    }
}

/// `--diff` shows the changes; `--fix` makes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Diff,
    Apply,
}

/// Runs `sfjwt doctor --fix` or `--diff` over the causes diagnosed: the text it prints, and the
/// exit code (`--diff`: 1 when there is something to change; `--fix`: 1 when a change was refused).
pub fn run(
    evidence: &crate::evidence::Evidence,
    causes: &[crate::diagnosis::RankedCause],
    mode: Mode,
) -> (String, crate::error::Exit) {
    use std::fmt::Write as _;

    use crate::error::Exit;
    let cwd = evidence.inputs.context.working_dir.clone().unwrap_or_default();
    let root = evidence
        .inputs
        .project
        .as_ref()
        .and_then(|p| p.path.parent().map(std::path::Path::to_path_buf))
        .unwrap_or_else(|| cwd.clone());
    let root = crate::setup::layout::normalise(&cwd.join(root));
    let fixes: Vec<&Fix> = causes.iter().flat_map(|c| &c.cause.file_fixes).collect();
    let mut plan = apply::Plan::new(&fixes, &apply::Scope { root: &root, cwd: &cwd });
    let flag = if mode == Mode::Apply { "--fix" } else { "--diff" };
    let mut out = String::new();
    let (edits, creates) = plan.changes.iter().fold((0, 0), |(e, c), change| match change.kind {
        apply::ChangeKind::Edit { .. } => (e + 1, c),
        apply::ChangeKind::Create { .. } => (e, c + 1),
    });
    let diff = plan.diff();
    if mode == Mode::Apply {
        plan.write(&root);
    }
    let changed = plan.changes.len();
    let counted = |n: usize, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
    let headline = match (mode, changed) {
        (_, 0) => "nothing to change in local files".to_string(),
        (Mode::Diff, _) => {
            format!("would change {} and write {}", counted(edits, "file"), counted(creates, "new file"))
        }
        (Mode::Apply, _) => format!("changed {} and wrote {}", counted(edits, "file"), counted(creates, "new file")),
    };
    let _ = writeln!(out, "sfjwt doctor {flag}: {headline}");
    if changed > 0 {
        let _ = writeln!(out, "\n{}", diff.trim_end());
        let _ = writeln!(out, "\nFixes:");
        for change in &plan.changes {
            let _ = writeln!(out, "  - {}: {}", change.shown, change.why.join("; "));
        }
    }
    if !plan.refused.is_empty() {
        let _ = writeln!(out, "\nNot changed:");
        for refusal in &plan.refused {
            let _ = writeln!(out, "  - {}: {}", refusal.shown, refusal.reason);
        }
    }
    let deploy = plan.deploy_commands();
    if !deploy.is_empty() {
        let verb = if mode == Mode::Apply { "Deploy the changes" } else { "After --fix, deploy the changes" };
        let _ = writeln!(
            out,
            "\n{verb}, from {}:",
            root.strip_prefix(&cwd).map_or(root.display().to_string(), |r| if r.as_os_str().is_empty() {
                ".".into()
            } else {
                r.display().to_string()
            })
        );
        for command in deploy {
            let _ = writeln!(out, "    {command}");
        }
    }
    if !plan.then.is_empty() {
        let _ = writeln!(out, "\nThen:");
        for step in &plan.then {
            let _ = writeln!(out, "    {step}");
        }
    }
    let in_salesforce: Vec<String> = causes
        .iter()
        .filter(|c| c.cause.file_fixes.is_empty() && c.severity == crate::finding::Severity::Error)
        .map(|c| c.cause.id.to_string())
        .collect();
    if !in_salesforce.is_empty() {
        let _ = writeln!(
            out,
            "\nNot fixable in local files (see their fix steps in the report): {}",
            in_salesforce.join(", ")
        );
    }
    if mode == Mode::Diff && changed > 0 {
        let _ = writeln!(out, "\nNothing was written: run with --fix to make these changes.");
    }
    let exit = match mode {
        Mode::Diff if changed > 0 => Exit::Problems,
        Mode::Apply if !plan.refused.is_empty() => Exit::Problems,
        _ => Exit::Healthy,
    };
    (out, exit)
}
