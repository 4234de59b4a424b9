//! Fatal, per-file errors. Each one's `Display` is a single line that says
//! what went wrong and what to do about it.

use std::fmt;
use std::path::PathBuf;

use super::MAX_FILE_BYTES;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MetadataError {
    /// The file or directory could not be read.
    Io { path: PathBuf, message: String },
    /// The file is over [`MAX_FILE_BYTES`]; it was not read.
    TooLarge { path: PathBuf, bytes: u64 },
    /// Empty, binary, badly encoded, malformed, or carries a DTD.
    NotXml { path: PathBuf, message: String },
    /// Well-formed XML, but not one of the app metadata types.
    WrongRoot { path: PathBuf, found: String },
    /// `sfdx-project.json` is missing, unreadable or lists no package directories.
    Project { path: PathBuf, message: String },
    /// A directory walk stopped at its depth or file-count bound.
    WalkLimit { path: PathBuf, message: String },
}

impl MetadataError {
    /// The file or folder the error is about.
    pub fn path(&self) -> &std::path::Path {
        match self {
            MetadataError::Io { path, .. }
            | MetadataError::TooLarge { path, .. }
            | MetadataError::NotXml { path, .. }
            | MetadataError::WrongRoot { path, .. }
            | MetadataError::Project { path, .. }
            | MetadataError::WalkLimit { path, .. } => path,
        }
    }
}

impl fmt::Display for MetadataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MetadataError::Io { path, message } => {
                write!(f, "{}: cannot read it ({message}); check the path and its permissions", path.display())
            }
            MetadataError::TooLarge { path, bytes } => write!(
                f,
                "{}: {bytes} bytes is over the {} MiB limit for one metadata file; \
                 pass the app's own *-meta.xml files instead",
                path.display(),
                MAX_FILE_BYTES / (1024 * 1024)
            ),
            MetadataError::NotXml { path, message } => write!(
                f,
                "{}: not usable XML ({message}); retrieve the app again with \
                 `sf project retrieve start`",
                path.display()
            ),
            MetadataError::WrongRoot { path, found } => write!(
                f,
                "{}: the root element is <{found}>, not a connected app or External Client App \
                 part; pass a *.connectedApp-meta.xml file or the ECA's *-meta.xml files",
                path.display()
            ),
            MetadataError::Project { path, message } => {
                write!(f, "{}: {message}", path.display())
            }
            MetadataError::WalkLimit { path, message } => {
                write!(f, "{}: {message}; pass a narrower directory or the app files themselves", path.display())
            }
        }
    }
}

impl std::error::Error for MetadataError {}
