//! Reads connected app and External Client App (ECA) metadata into one model.
//!
//! The parser is pure: it reads files and returns data and errors, and never
//! prints. Every file is treated as untrusted input: sizes are checked before
//! reading, DTDs are refused (no entity expansion), and no input panics.
//!
//! Element names come from the Metadata API Developer Guide (v67) pages for
//! `ConnectedApp`, `ExternalClientApplication`, `ExtlClntAppGlobalOauthSettings`,
//! `ExtlClntAppOauthSettings`, `ExtlClntAppOauthConfigurablePolicies` and
//! `ExtlClntAppConfigurablePolicies`. Where a name is a guess, the code says so.

mod component;
mod connected_app;
mod eca;
mod error;
mod normalise;
mod project;
mod read;
mod walk;
pub(crate) mod xml;

#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};

pub use component::ComponentType as Part;
pub use error::MetadataError;
pub use project::{default_package_directory, discover, package_directories};
pub use walk::load;

/// Files larger than this are refused before they are read.
pub const MAX_FILE_BYTES: u64 = 5 * 1024 * 1024;

/// Which Salesforce construct the settings came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum AppKind {
    ConnectedApp,
    ExternalClientApp,
}

/// An OAuth scope, normalised from the metadata spelling.
///
/// Serialises as its metadata name (`"Api"`, `"RefreshToken"`, ...).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(into = "String")]
pub enum Scope {
    Api,
    Web,
    Full,
    /// Also what `OfflineAccess` / `offline_access` / `refresh_token` mean.
    RefreshToken,
    /// Also what `Profile`, `Email`, `Address` and `Phone` mean on deploy.
    Basic,
    OpenId,
    /// Any other scope, spelled as in the file.
    Other(String),
}

/// Who may use the app ("Permitted Users" in Setup).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum PermittedUsers {
    /// "Admin approved users are pre-authorized": needs a profile or permission set.
    AdminApproved,
    /// "All users may self-authorize": needs a prior user approval for JWT.
    SelfAuthorize,
}

/// One app's settings, whichever metadata shape they came from.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AppSettings {
    pub kind: AppKind,
    /// API name: `fullName` when the file has one, else the file name.
    pub name: String,
    pub label: Option<String>,
    /// Every file the settings were read from.
    pub sources: Vec<PathBuf>,
    /// The same files with the part each holds and the SHA-256 of the bytes read, so a fix can
    /// find the file to change and refuse one that changed since.
    pub files: Vec<SourceFile>,
    pub consumer_key: Option<String>,
    pub callback_urls: Vec<String>,
    /// Always armoured (`-----BEGIN CERTIFICATE-----`), even when the file
    /// holds bare base64 as ECA files usually do.
    pub certificate_pem: Option<String>,
    pub scopes: Vec<Scope>,
    /// `None` when the file does not say. For a connected app an absent
    /// `isAdminApproved` means Salesforce's default, self-authorize.
    pub permitted_users: Option<PermittedUsers>,
    pub profiles: Vec<String>,
    /// Connected apps give names; ECA files may give names or IDs.
    pub permission_sets: Vec<String>,
    /// One of `ENFORCE`, `BYPASS`, `BYPASS_2FACTOR`, `ENFORCE_RELAXREFRESH`,
    /// or the raw value when it is none of those (with a problem noted).
    pub ip_relaxation: Option<String>,
    /// A session policy demands High Assurance, which blocks JWT bearer logins.
    pub high_assurance_required: bool,
    /// ECA only: whether the global OAuth settings enable the JWT bearer flow.
    /// `None` for connected apps and when those settings were not found.
    pub jwt_bearer_enabled: Option<bool>,
    /// Connected app: whether `oauthConfig` is present. ECA: whether the
    /// plugin policies leave the OAuth plugin on; `None` when not found.
    pub oauth_enabled: Option<bool>,
    /// Non-fatal problems met while reading, each naming its file.
    pub problems: Vec<String>,
}

impl AppSettings {
    pub(crate) fn new(kind: AppKind, name: String) -> Self {
        AppSettings {
            kind,
            name,
            label: None,
            sources: Vec::new(),
            files: Vec::new(),
            consumer_key: None,
            callback_urls: Vec::new(),
            certificate_pem: None,
            scopes: Vec::new(),
            permitted_users: None,
            profiles: Vec::new(),
            permission_sets: Vec::new(),
            ip_relaxation: None,
            high_assurance_required: false,
            jwt_bearer_enabled: None,
            oauth_enabled: None,
            problems: Vec::new(),
        }
    }

    /// Whether the app grants the given scope.
    pub fn has_scope(&self, scope: &Scope) -> bool {
        self.scopes.contains(scope)
    }
}

/// A metadata file an app was read from.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SourceFile {
    pub path: PathBuf,
    pub part: Part,
    /// Lowercase hex SHA-256 of the file's bytes as read.
    pub sha256: String,
}

impl AppSettings {
    /// The file holding `part` of this app, when it was read.
    pub fn file(&self, part: Part) -> Option<&SourceFile> {
        self.files.iter().find(|file| file.part == part)
    }
}

/// Parses one file: a whole connected app, or one part of an ECA.
///
/// An ECA part comes back as a partial `AppSettings`; [`load`] merges the
/// parts of one app. Always returns exactly one app on success.
pub fn parse_file(path: &Path) -> Result<Vec<AppSettings>, MetadataError> {
    component::parse_component(path).map(|component| vec![component.settings])
}

/// Like [`parse_file`] for bytes already in memory (the fuzzing entry point). `name` stands for the
/// file name: it gives the API name when the XML has no `fullName`, and names the file in problems,
/// errors and `sources`.
pub fn parse_bytes(name: &str, bytes: &[u8]) -> Result<Vec<AppSettings>, MetadataError> {
    component::parse_component_bytes(Path::new(name), bytes).map(|component| vec![component.settings])
}

/// The app whose consumer key is exactly `client_id`, if any.
pub fn select_for_client_id<'a>(apps: &'a [AppSettings], client_id: &str) -> Option<&'a AppSettings> {
    apps.iter().find(|app| app.consumer_key.as_deref() == Some(client_id))
}
