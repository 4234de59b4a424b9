//! Where `sfjwt setup` writes: the metadata into a package directory of the sfdx project (so
//! `sf project deploy start` finds it), the key and certificate outside every package directory.
//!
//! The split is deliberate: source-deploy-retrieve reads every file under a package directory
//! whose suffix names a metadata type, and `.crt` is the suffix of the `Certificate` type
//! (`src/resolve/metadataResolver.ts`, `isMetadata`), so a `server.crt` there would be deployed as
//! a broken Certificate, and a key there is one `git add` away from the repository.

use std::path::{Component, Path, PathBuf};

use crate::{error::Error, inputs, metadata};

/// The project a new setup creates when there is none: `./sfjwt`, holding `force-app`.
pub const NEW_PROJECT_DIR: &str = "sfjwt";
pub const NEW_PACKAGE_DIR: &str = "force-app";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    /// The working directory the paths are shown relative to.
    pub cwd: PathBuf,
    /// The sfdx project's root: the commands run from here.
    pub root: PathBuf,
    /// `sfdx-project.json` must be written (there was no project).
    pub new_project: bool,
    pub source_dir: PathBuf,
    pub key_dir: PathBuf,
}

impl Layout {
    pub fn resolve(cwd: &Path, source_dir: Option<&Path>, key_dir: Option<&Path>) -> Result<Layout, Error> {
        let absolute = |path: &Path| normalise(&cwd.join(path));
        let (root, new_project, package_dirs, default_dir) = match inputs::find_project(cwd) {
            Some(project) => {
                if let Some(problem) = &project.problem {
                    return Err(Error::input("sfdx-project.json", format!("{}: {problem}", project.path.display()))
                        .suggest("fix the file, or run sfjwt setup outside the project"));
                }
                let root = normalise(project.path.parent().unwrap_or(cwd));
                let project_error = |e: metadata::MetadataError| Error::input("sfdx-project.json", e.to_string());
                let dirs: Vec<PathBuf> =
                    metadata::package_directories(&root).map_err(project_error)?.iter().map(|d| normalise(d)).collect();
                let default = normalise(&metadata::default_package_directory(&root).map_err(project_error)?);
                (root, false, dirs, default)
            }
            None => {
                let root = absolute(Path::new(NEW_PROJECT_DIR));
                let default = root.join(NEW_PACKAGE_DIR);
                (root, true, vec![default.clone()], default)
            }
        };
        let source_dir = source_dir.map(absolute).unwrap_or_else(|| default_dir.join("main").join("default"));
        let key_dir = key_dir.map(absolute).unwrap_or_else(|| root.join("jwt"));
        if !package_dirs.iter().any(|dir| source_dir.starts_with(dir)) {
            return Err(Error::usage(format!(
                "--source-dir {} is outside the package directories of the sfdx project in {}, so `sf project deploy start` would not find the files",
                show(cwd, &source_dir),
                show(cwd, &root)
            ))
            .suggest("choose a folder inside a package directory, or leave --source-dir out"));
        }
        if let Some(dir) = package_dirs.iter().find(|dir| key_dir.starts_with(dir)) {
            return Err(Error::usage(format!(
                "--key-dir {} is inside the package directory {}: `sf project deploy start` would read server.crt there as Certificate metadata",
                show(cwd, &key_dir),
                show(cwd, dir)
            ))
            .suggest("choose a folder outside every package directory, or leave --key-dir out"));
        }
        Ok(Layout { cwd: cwd.to_path_buf(), root, new_project, source_dir, key_dir })
    }

    /// `path` as the user should read it: relative to the working directory when inside it.
    pub fn show(&self, path: &Path) -> String {
        show(&self.cwd, path)
    }

    /// `path` relative to the project root, for commands run there.
    pub fn from_root(&self, path: &Path) -> String {
        path.strip_prefix(&self.root).unwrap_or(path).display().to_string()
    }
}

fn show(cwd: &Path, path: &Path) -> String {
    match path.strip_prefix(cwd) {
        Ok(relative) if relative.as_os_str().is_empty() => ".".to_string(),
        Ok(relative) => relative.display().to_string(),
        Err(_) => path.display().to_string(),
    }
}

/// Removes `.` and resolves `..` lexically, so folders that do not exist yet compare correctly.
pub fn normalise(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project(dir: &Path, json: &str) {
        std::fs::write(dir.join("sfdx-project.json"), json).unwrap();
    }

    #[test]
    fn inside_a_project_the_metadata_goes_to_the_default_package_directory_and_the_key_outside() {
        let dir = tempfile::tempdir().unwrap();
        let root = normalise(dir.path());
        project(&root, r#"{"packageDirectories":[{"path":"base"},{"path":"force-app","default":true}]}"#);
        let nested = root.join("force-app/main");
        std::fs::create_dir_all(&nested).unwrap();
        let layout = Layout::resolve(&nested, None, None).unwrap();
        assert_eq!(layout.root, root);
        assert!(!layout.new_project);
        assert_eq!(layout.source_dir, root.join("force-app/main/default"));
        assert_eq!(layout.key_dir, root.join("jwt"));
        assert_eq!(layout.show(&layout.source_dir), "default");
        assert_eq!(layout.from_root(&layout.key_dir.join("server.key")), "jwt/server.key");
    }

    #[test]
    fn outside_a_project_a_new_one_is_planned_in_sfjwt() {
        let dir = tempfile::tempdir().unwrap();
        let cwd = normalise(dir.path());
        let layout = Layout::resolve(&cwd, None, None).unwrap();
        assert!(layout.new_project);
        assert_eq!(layout.root, cwd.join("sfjwt"));
        assert_eq!(layout.show(&layout.source_dir), "sfjwt/force-app/main/default");
        assert_eq!(layout.show(&layout.key_dir), "sfjwt/jwt");
    }

    #[test]
    fn a_key_folder_inside_a_package_directory_and_metadata_outside_one_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let root = normalise(dir.path());
        project(&root, r#"{"packageDirectories":[{"path":"force-app","default":true}]}"#);
        let error = Layout::resolve(&root, None, Some(Path::new("force-app/keys"))).unwrap_err().to_string();
        assert!(error.contains("Certificate metadata"), "{error}");
        let error = Layout::resolve(&root, Some(Path::new("elsewhere")), None).unwrap_err().to_string();
        assert!(error.contains("outside the package directories"), "{error}");
        let ok = Layout::resolve(&root, Some(Path::new("force-app/jwt-app")), Some(Path::new("../keys"))).unwrap();
        assert_eq!(ok.source_dir, root.join("force-app/jwt-app"));
        assert_eq!(ok.key_dir, root.parent().unwrap().join("keys"));
    }
}
