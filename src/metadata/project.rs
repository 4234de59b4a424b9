//! Finding app metadata through a Salesforce DX project's `sfdx-project.json`.

use std::path::{Path, PathBuf};

use super::{AppSettings, MetadataError, load, read};

/// Real project files are a few kilobytes.
const MAX_PROJECT_FILE_BYTES: u64 = 1024 * 1024;

/// Loads every app under the package directories that
/// `project_dir/sfdx-project.json` lists (`packageDirectories[].path`).
pub fn discover(project_dir: &Path) -> (Vec<AppSettings>, Vec<MetadataError>) {
    match package_directories(project_dir) {
        Ok(directories) => load(&directories),
        Err(error) => (Vec::new(), vec![error]),
    }
}

/// The package directory new source goes to, as `sf` picks it: the one marked `"default": true`,
/// else the first listed.
pub fn default_package_directory(project_dir: &Path) -> Result<PathBuf, MetadataError> {
    let entries = package_entries(project_dir)?;
    let default = entries.iter().find(|(_, default)| *default).or(entries.first());
    Ok(default.map(|(path, _)| path.clone()).unwrap_or_default())
}

/// Every package directory the project lists, in its order.
pub fn package_directories(project_dir: &Path) -> Result<Vec<PathBuf>, MetadataError> {
    Ok(package_entries(project_dir)?.into_iter().map(|(path, _)| path).collect())
}

fn package_entries(project_dir: &Path) -> Result<Vec<(PathBuf, bool)>, MetadataError> {
    let project_file = project_dir.join("sfdx-project.json");
    let project_error = |message: String| MetadataError::Project { path: project_file.clone(), message };
    if !project_file.is_file() {
        return Err(project_error(
            "not found; run from the Salesforce DX project root or pass the app's metadata \
             files directly"
                .to_string(),
        ));
    }
    let text = read::read_text(&project_file, MAX_PROJECT_FILE_BYTES)?;
    let json: serde_json::Value = serde_json::from_str(&text).map_err(|error| {
        project_error(format!("not valid JSON ({error}); fix the file or pass the app's metadata files directly"))
    })?;
    let paths: Vec<(PathBuf, bool)> = json
        .get("packageDirectories")
        .and_then(serde_json::Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|entry| {
            let path = entry.get("path").and_then(serde_json::Value::as_str)?;
            let default = entry.get("default").and_then(serde_json::Value::as_bool).unwrap_or(false);
            Some((project_dir.join(path), default))
        })
        .collect();
    if paths.is_empty() {
        return Err(project_error(
            "lists no packageDirectories with a path; add one such as \
             {\"path\": \"force-app\", \"default\": true}"
                .to_string(),
        ));
    }
    Ok(paths)
}
