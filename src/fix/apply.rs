//! The one place fixes touch the disk: plan every change (read, verify, edit in memory, diff),
//! then write them, each only if it is still safe.

use std::{
    fmt::Write as _,
    path::{Path, PathBuf},
};

use super::{Action, Contents, Fix, xml_edit};
use crate::{secret::sha256_hex, setup::layout::normalise, shell};

const UTF8_BOM: &str = "\u{feff}";

/// Where fixes may write: inside the project root, read relative to the working directory.
pub struct Scope<'a> {
    pub root: &'a Path,
    pub cwd: &'a Path,
}

/// Every change, computed but not yet written.
#[derive(Debug, Default)]
pub struct Plan {
    pub changes: Vec<FileChange>,
    pub refused: Vec<Refusal>,
    /// Steps after the deploy, in order, without repeats.
    pub then: Vec<String>,
}

#[derive(Debug)]
pub struct FileChange {
    pub path: PathBuf,
    /// Relative to the project root.
    pub shown: String,
    pub kind: ChangeKind,
    pub why: Vec<String>,
}

#[derive(Debug)]
pub enum ChangeKind {
    Edit { old: String, new: String, bom: bool, sha256: String },
    Create { contents: Contents, mode: u32 },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub shown: String,
    pub reason: String,
}

impl Plan {
    /// Reads and edits in memory; a file that cannot be changed safely is refused with the reason.
    pub fn new(fixes: &[&Fix], scope: &Scope) -> Plan {
        let mut plan = Plan::default();
        let root = normalise(&scope.cwd.join(scope.root));
        for fix in unique(fixes) {
            let path = normalise(&scope.cwd.join(fix.action.file()));
            let shown = path.strip_prefix(&root).unwrap_or(&path).display().to_string();
            if plan.refused.iter().any(|r| r.shown == shown) {
                continue;
            }
            if let Err(reason) = safe_target(&path, &root) {
                plan.refuse(shown, reason);
                continue;
            }
            let result = match &fix.action {
                Action::Edit { sha256, change, .. } => {
                    plan.edit(&path, &shown, sha256, |text| xml_edit::apply(text, change))
                }
                Action::Create { contents, mode, .. } => plan.create(&path, &shown, contents, *mode),
            };
            match result {
                Ok(true) => {
                    if let Some(change) = plan.changes.iter_mut().find(|c| c.path == path)
                        && !change.why.contains(&fix.why)
                    {
                        change.why.push(fix.why.clone());
                    }
                    for step in &fix.then {
                        if !plan.then.contains(step) {
                            plan.then.push(step.clone());
                        }
                    }
                }
                Ok(false) => {}
                Err(reason) => plan.refuse(shown, reason),
            }
        }
        plan.changes.retain(|c| !matches!(&c.kind, ChangeKind::Edit { old, new, .. } if old == new));
        plan
    }

    fn refuse(&mut self, shown: String, reason: String) {
        self.changes.retain(|c| c.shown != shown);
        self.refused.push(Refusal { shown, reason });
    }

    /// `Ok(true)` when the file has a change planned (this one included).
    fn edit(
        &mut self,
        path: &Path,
        shown: &str,
        sha256: &str,
        change: impl Fn(&str) -> Result<String, String>,
    ) -> Result<bool, String> {
        if let Some(existing) = self.changes.iter_mut().find(|c| c.path == path) {
            let ChangeKind::Edit { new, .. } = &mut existing.kind else {
                return Err("two fixes disagree about this file".into());
            };
            *new = change(new)?;
            return Ok(true);
        }
        let bytes = std::fs::read(path).map_err(|e| format!("cannot read it: {e}"))?;
        if sha256_hex(&bytes) != sha256 {
            return Err("it changed since sfjwt read it: run sfjwt doctor again".into());
        }
        let text = String::from_utf8(bytes).map_err(|_| "it is not UTF-8 text; edit it by hand".to_string())?;
        let (bom, body) = match text.strip_prefix(UTF8_BOM) {
            Some(body) => (true, body.to_string()),
            None => (false, text),
        };
        let new = change(&body)?;
        self.changes.push(FileChange {
            path: path.to_path_buf(),
            shown: shown.to_string(),
            kind: ChangeKind::Edit { old: body, new, bom, sha256: sha256.to_string() },
            why: Vec::new(),
        });
        Ok(true)
    }

    fn create(&mut self, path: &Path, shown: &str, contents: &Contents, mode: u32) -> Result<bool, String> {
        if self.changes.iter().any(|c| c.path == path) {
            return Ok(true);
        }
        if std::fs::symlink_metadata(path).is_ok() {
            return Err("it exists already; sfjwt never overwrites a file: move it away first".into());
        }
        self.changes.push(FileChange {
            path: path.to_path_buf(),
            shown: shown.to_string(),
            kind: ChangeKind::Create { contents: contents.clone(), mode },
            why: Vec::new(),
        });
        Ok(true)
    }

    /// A unified diff of every change; new secret files are named, never shown.
    pub fn diff(&self) -> String {
        let mut out = String::new();
        for change in &self.changes {
            match &change.kind {
                ChangeKind::Edit { old, new, .. } => {
                    let diff = similar::TextDiff::from_lines(old, new);
                    let _ = write!(
                        out,
                        "{}",
                        diff.unified_diff()
                            .context_radius(3)
                            .header(&format!("a/{}", change.shown), &format!("b/{}", change.shown))
                    );
                }
                ChangeKind::Create { contents: Contents::Text(text), .. } => {
                    let diff = similar::TextDiff::from_lines("", text.as_str());
                    let _ = write!(
                        out,
                        "{}",
                        diff.unified_diff().context_radius(3).header("/dev/null", &format!("b/{}", change.shown))
                    );
                }
                ChangeKind::Create { contents: Contents::Secret { what, .. }, mode } => {
                    let _ = writeln!(out, "new file {} ({what}, mode {mode:04o}; contents not shown)", change.shown);
                }
            }
        }
        out
    }

    /// `sf project deploy start` for the metadata changed: permission sets first, since the app
    /// names them.
    pub fn deploy_commands(&self) -> Vec<String> {
        let metadata: Vec<&FileChange> = self.changes.iter().filter(|c| c.shown.ends_with("-meta.xml")).collect();
        let (permission_sets, rest): (Vec<&&FileChange>, Vec<&&FileChange>) =
            metadata.iter().partition(|c| c.shown.ends_with(".permissionset-meta.xml"));
        [permission_sets, rest]
            .into_iter()
            .filter(|group| !group.is_empty())
            .map(|group| {
                let mut words = shell::lits(["sf", "project", "deploy", "start"]);
                for change in group {
                    words.extend(shell::lits(["--source-dir", &change.shown]));
                }
                shell::line(&words)
            })
            .collect()
    }

    /// Writes every change. Each file is checked again first; one that fails is refused and the
    /// others still go.
    pub fn write(&mut self, root: &Path) -> Vec<Refusal> {
        let mut refused = Vec::new();
        for change in &self.changes {
            let result = safe_target(&change.path, root).and_then(|()| match &change.kind {
                ChangeKind::Edit { new, bom, sha256, .. } => replace(&change.path, new, *bom, sha256),
                ChangeKind::Create { contents, mode } => {
                    crate::setup::write_new(&change.path, contents.bytes(), *mode).map_err(|e| e.to_string())
                }
            });
            if let Err(reason) = result {
                refused.push(Refusal { shown: change.shown.clone(), reason });
            }
        }
        self.changes.retain(|c| !refused.iter().any(|r| r.shown == c.shown));
        self.refused.extend(refused.iter().cloned());
        refused
    }
}

/// Replaces a file's contents through a new file in the same folder and a rename, so a reader
/// never sees half a file, if its bytes are still the ones read.
fn replace(path: &Path, text: &str, bom: bool, sha256: &str) -> Result<(), String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read it again: {e}"))?;
    if sha256_hex(&bytes) != sha256 {
        return Err("it changed since sfjwt read it: run sfjwt doctor again".into());
    }
    let permissions = std::fs::metadata(path).map_err(|e| e.to_string())?.permissions();
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let temporary = path.with_file_name(format!(".{name}.sfjwt-fix"));
    let contents = if bom { format!("{UTF8_BOM}{text}") } else { text.to_string() };
    crate::setup::write_new(&temporary, contents.as_bytes(), 0o600).map_err(|e| e.to_string())?;
    let finish = std::fs::set_permissions(&temporary, permissions).and_then(|()| std::fs::rename(&temporary, path));
    finish.map_err(|e| {
        let _ = std::fs::remove_file(&temporary);
        format!("cannot replace it: {e}")
    })
}

/// Inside the project root, and no symlink on the way from the root to the file.
fn safe_target(path: &Path, root: &Path) -> Result<(), String> {
    let Ok(relative) = path.strip_prefix(root) else {
        return Err(format!("it is outside the project ({})", root.display()));
    };
    let mut walked = root.to_path_buf();
    for component in relative.components() {
        walked.push(component);
        if std::fs::symlink_metadata(&walked).is_ok_and(|m| m.file_type().is_symlink()) {
            return Err(format!("{} is a symbolic link; sfjwt does not write through links", walked.display()));
        }
    }
    // The root itself may sit behind a link (/tmp on macOS): compare where things really are.
    let existing = path.ancestors().find(|p| p.exists()).unwrap_or(root);
    match (existing.canonicalize(), root.canonicalize()) {
        (Ok(real), Ok(real_root)) if real.starts_with(&real_root) => Ok(()),
        (Ok(_), Ok(_)) => Err(format!("it is outside the project ({})", root.display())),
        (Err(e), _) | (_, Err(e)) => Err(format!("cannot resolve its folder: {e}")),
    }
}

fn unique<'a>(fixes: &[&'a Fix]) -> Vec<&'a Fix> {
    let mut seen: Vec<&Fix> = Vec::new();
    for fix in fixes {
        if !seen.contains(fix) {
            seen.push(fix);
        }
    }
    seen
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fix::{Action, XmlChange};

    const APP: &str = "<ConnectedApp>\n    <label>CI</label>\n</ConnectedApp>\n";

    fn relabel(file: &Path, sha256: &str) -> Fix {
        Fix::new(
            Action::Edit {
                file: file.to_path_buf(),
                sha256: sha256.to_string(),
                change: XmlChange::SetText { path: vec!["label"], value: "New".into() },
            },
            "relabel",
        )
    }

    fn project() -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let root = normalise(&dir.path().canonicalize().unwrap());
        std::fs::write(root.join("App.connectedApp-meta.xml"), APP).unwrap();
        (dir, root)
    }

    #[test]
    fn a_file_changed_since_it_was_read_is_refused_at_plan_and_at_write() {
        let (_dir, root) = project();
        let file = root.join("App.connectedApp-meta.xml");
        let stale = relabel(&file, &sha256_hex(b"what it held before"));
        let plan = Plan::new(&[&stale], &Scope { root: &root, cwd: &root });
        assert!(plan.changes.is_empty());
        assert!(plan.refused[0].reason.contains("changed since sfjwt read it"), "{:?}", plan.refused);

        let fresh = relabel(&file, &sha256_hex(APP.as_bytes()));
        let mut plan = Plan::new(&[&fresh], &Scope { root: &root, cwd: &root });
        assert_eq!(plan.changes.len(), 1);
        std::fs::write(&file, "<ConnectedApp>\n    <label>Edited meanwhile</label>\n</ConnectedApp>\n").unwrap();
        let refused = plan.write(&root);
        assert_eq!(refused.len(), 1, "{refused:?}");
        assert!(std::fs::read_to_string(&file).unwrap().contains("Edited meanwhile"), "left as the user wrote it");
    }

    #[test]
    fn a_change_outside_the_project_is_refused_and_one_inside_is_written_keeping_a_bom() {
        let (_dir, root) = project();
        let outside = tempfile::tempdir().unwrap();
        let stray = outside.path().join("App.connectedApp-meta.xml");
        std::fs::write(&stray, APP).unwrap();
        let plan = Plan::new(&[&relabel(&stray, &sha256_hex(APP.as_bytes()))], &Scope { root: &root, cwd: &root });
        assert!(plan.refused[0].reason.contains("outside the project"), "{:?}", plan.refused);

        let file = root.join("App.connectedApp-meta.xml");
        let with_bom = format!("{UTF8_BOM}{APP}");
        std::fs::write(&file, &with_bom).unwrap();
        let mut plan =
            Plan::new(&[&relabel(&file, &sha256_hex(with_bom.as_bytes()))], &Scope { root: &root, cwd: &root });
        assert!(plan.write(&root).is_empty());
        let written = std::fs::read_to_string(&file).unwrap();
        assert!(written.starts_with(UTF8_BOM) && written.contains("<label>New</label>"), "{written:?}");
        assert!(plan.diff().contains("-    <label>CI</label>\n+    <label>New</label>"), "{}", plan.diff());
    }
}
