//! Loading from files and directories, with bounded directory walks.

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};

use super::component::{Component, ComponentType, parse_component};
use super::{AppSettings, MetadataError, eca};

/// Deep enough for `force-app/main/default/connectedApps` inside nested packages.
const MAX_DEPTH: usize = 16;
/// Directory entries (and listed paths) looked at by one load, however many directories it is
/// given: a mistaken `/`, or an sfdx-project.json listing `.` ten thousand times, cannot run forever.
const MAX_ENTRIES: usize = 50_000;
/// Bytes of app files parsed by one load (each file is also capped at `MAX_FILE_BYTES`).
const MAX_TOTAL_BYTES: u64 = 64 * 1024 * 1024;

/// The one budget a load spends, across every path and walk.
struct Budget {
    entries: usize,
    bytes: u64,
    exhausted: bool,
}

impl Budget {
    /// Spends `n` entries; false (and one error, the first time) once they run out.
    fn spend(&mut self, n: usize, path: &Path, errors: &mut Vec<MetadataError>) -> bool {
        if self.exhausted {
            return false;
        }
        match self.entries.checked_sub(n) {
            Some(left) => {
                self.entries = left;
                true
            }
            None => {
                self.exhausted = true;
                errors.push(MetadataError::WalkLimit {
                    path: path.to_path_buf(),
                    message: "stopped: the directory entries sfjwt looks at, in all directories together, ran out"
                        .into(),
                });
                false
            }
        }
    }
}

/// Loads apps from files and directories.
///
/// Files are parsed whatever their name; directories are walked (hidden
/// directories and `node_modules` skipped, symlinked directories not
/// followed) for recognised `*-meta.xml` files. ECA parts naming the same app
/// are merged. Errors do not stop the rest from loading.
pub fn load(paths: &[PathBuf]) -> (Vec<AppSettings>, Vec<MetadataError>) {
    load_within(paths, MAX_ENTRIES)
}

/// [`load`] with a budget of `entries` directory entries in all.
pub(super) fn load_within(paths: &[PathBuf], entries: usize) -> (Vec<AppSettings>, Vec<MetadataError>) {
    let mut errors = Vec::new();
    let mut files = Vec::new();
    let mut budget = Budget { entries, bytes: MAX_TOTAL_BYTES, exhausted: false };
    let mut walked = HashSet::new();
    for path in paths {
        if !budget.spend(1, path, &mut errors) {
            break;
        }
        if path.is_dir() {
            // The same directory listed twice is walked once.
            if walked.insert(fs::canonicalize(path).unwrap_or_else(|_| path.clone())) {
                files.extend(walk(path, &mut budget, &mut errors));
            }
        } else {
            files.push(path.clone());
        }
    }
    // The same file given twice (or found by two overlapping walks) would
    // otherwise look like a duplicate ECA part.
    let mut seen = HashSet::new();
    files.retain(|file| seen.insert(file.clone()));

    let mut components: Vec<Component> = Vec::new();
    for file in &files {
        let size = fs::metadata(file).map_or(0, |m| m.len());
        match budget.bytes.checked_sub(size) {
            Some(left) => budget.bytes = left,
            None => {
                errors.push(MetadataError::WalkLimit {
                    path: file.clone(),
                    message: format!("stopped after reading {} MiB of app files", MAX_TOTAL_BYTES >> 20),
                });
                break;
            }
        }
        match parse_component(file) {
            Ok(component) => components.push(component),
            Err(error) => errors.push(error),
        }
    }
    (eca::merge_components(components), errors)
}

fn walk(root: &Path, budget: &mut Budget, errors: &mut Vec<MetadataError>) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![(root.to_path_buf(), 0usize)];
    while let Some((dir, depth)) = pending.pop() {
        let entries = match sorted_entries(&dir, budget.entries) {
            Ok(entries) => entries,
            Err(error) => {
                errors.push(error);
                continue;
            }
        };
        if !budget.spend(entries.len(), root, errors) {
            break;
        }
        // Reverse so the stack pops subdirectories in name order.
        for entry in entries.into_iter().rev() {
            match classify(&entry) {
                Entry::Directory if depth + 1 > MAX_DEPTH => errors.push(MetadataError::WalkLimit {
                    path: entry,
                    message: format!("deeper than {MAX_DEPTH} directories below {}", root.display()),
                }),
                Entry::Directory => pending.push((entry, depth + 1)),
                Entry::AppFile => files.push(entry),
                Entry::Other => {}
            }
        }
    }
    // Pops visit directories depth-first, so restore a stable overall order.
    files.sort();
    files
}

fn sorted_entries(dir: &Path, left: usize) -> Result<Vec<PathBuf>, MetadataError> {
    let io_error = |error: std::io::Error| MetadataError::Io { path: dir.to_path_buf(), message: error.to_string() };
    let mut entries = Vec::new();
    // One past what is left is enough for the caller to see the budget was crossed.
    for entry in fs::read_dir(dir).map_err(io_error)?.take(left + 1) {
        entries.push(entry.map_err(io_error)?.path());
    }
    entries.sort();
    Ok(entries)
}

enum Entry {
    Directory,
    AppFile,
    Other,
}

fn classify(path: &Path) -> Entry {
    let name = path.file_name().map(|n| n.to_string_lossy()).unwrap_or_default();
    // symlink_metadata does not follow links, so symlinked directories
    // (possible loops) are never entered.
    let Ok(metadata) = fs::symlink_metadata(path) else {
        return Entry::Other;
    };
    if metadata.is_dir() {
        if name.starts_with('.') || name == "node_modules" {
            return Entry::Other;
        }
        return Entry::Directory;
    }
    // A symlinked file is fine to read; parse_component checks it is a file.
    if ComponentType::from_file_name(&name).is_some() { Entry::AppFile } else { Entry::Other }
}
