//! Loading from files and directories, with bounded directory walks.

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};

use super::component::{Component, ComponentType, parse_component};
use super::{AppSettings, MetadataError, eca};

/// Deep enough for `force-app/main/default/connectedApps` inside nested packages.
const MAX_DEPTH: usize = 16;
/// Directory entries looked at per walk, so a mistaken `/` cannot run forever.
const MAX_ENTRIES: usize = 50_000;

/// Loads apps from files and directories.
///
/// Files are parsed whatever their name; directories are walked (hidden
/// directories and `node_modules` skipped, symlinked directories not
/// followed) for recognised `*-meta.xml` files. ECA parts naming the same app
/// are merged. Errors do not stop the rest from loading.
pub fn load(paths: &[PathBuf]) -> (Vec<AppSettings>, Vec<MetadataError>) {
    let mut errors = Vec::new();
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            files.extend(walk(path, &mut errors));
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
        match parse_component(file) {
            Ok(component) => components.push(component),
            Err(error) => errors.push(error),
        }
    }
    (eca::merge_components(components), errors)
}

fn walk(root: &Path, errors: &mut Vec<MetadataError>) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![(root.to_path_buf(), 0usize)];
    let mut entries_seen = 0usize;
    while let Some((dir, depth)) = pending.pop() {
        let entries = match sorted_entries(&dir) {
            Ok(entries) => entries,
            Err(error) => {
                errors.push(error);
                continue;
            }
        };
        entries_seen += entries.len();
        if entries_seen > MAX_ENTRIES {
            errors.push(MetadataError::WalkLimit {
                path: root.to_path_buf(),
                message: format!("stopped after {MAX_ENTRIES} directory entries"),
            });
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

fn sorted_entries(dir: &Path) -> Result<Vec<PathBuf>, MetadataError> {
    let io_error = |error: std::io::Error| MetadataError::Io { path: dir.to_path_buf(), message: error.to_string() };
    let mut entries = Vec::new();
    // One past the bound is enough for the caller to see it was crossed.
    for entry in fs::read_dir(dir).map_err(io_error)?.take(MAX_ENTRIES + 1) {
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
