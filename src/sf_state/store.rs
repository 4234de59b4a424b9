//! Aliases and stored logins: `~/.sfdx/alias.json` and `~/.sfdx/<username>.json`.
//!
//! From sfdx-core 9.1.1:
//! - `src/stateAggregator/accessors/aliasAccessor.ts`: `{"orgs": {"<alias>": "<username>"}}`; a
//!   missing file is created empty, a file that is not JSON makes `JSON.parse` throw, so every
//!   command that resolves an org fails; `resolveUsername` maps an alias, and takes anything else
//!   as a username.
//! - `src/stateAggregator/accessors/orgAccessor.ts`, `src/config/authInfoConfig.ts`: one file per
//!   username, `<username>.json`; fields matching `/token/i`, `/password/i`, `/secret/i` are
//!   encrypted (`src/config/configStore.ts` `isCryptoKey`, also inside nested objects).
//! - `src/org/authInfo.ts`: `isJwt()` is "`privateKey` and no `refreshToken`"; a login with a
//!   refresh token is an OAuth (web or sfdx-url) login; neither is an access-token login
//!   (`listAllAuthorizations` names them `jwt`, `web`, `token`). `privateKey` is the key path,
//!   made absolute with `path.resolve` at login time, and read again every time the access token
//!   is refreshed (`refreshFn` → `initAuthOptions` → `authJwt` → `readJwtKey`). After a JWT login
//!   `instanceUrl` is the token response's `instance_url`, or `loginUrl` when that host did not
//!   resolve yet ("This may result in a 'Destination URL not reset' error").
//! - `src/crypto/crypto.ts` `decrypt`: an encrypted value is `<hex iv + ciphertext>:<hex tag>`;
//!   anything without exactly one `:` is "The encrypted data is not properly formatted."

use std::{
    collections::BTreeMap,
    fmt, fs,
    path::{Path, PathBuf},
};

use serde_json::{Map, Value};

use super::{Context, Missing};
use crate::{
    evidence::host::{self, Environment, HostKind},
    files,
};

/// Something that stops the sf CLI from using its own store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub path: PathBuf,
    pub kind: ProblemKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProblemKind {
    /// The file or folder cannot be read (the reason, as the OS gives it).
    Unreadable(String),
    /// Not JSON, or not the expected JSON shape.
    Corrupt(String),
    /// Owned by another user than the home directory (typically left by `sudo sf …`).
    WrongOwner { owner: u32, expected: u32 },
    /// `key.json` must have exactly mode 600 (`GenericUnixKeychainAccess.isValidFileAccess`).
    WrongMode { mode: u32 },
    /// The sf CLI needs read, write and search permission on `~/.sfdx`.
    FolderNotUsable { mode: u32 },
    /// `key.json` does not name service `sfdx` and account `local`.
    WrongService,
    /// `key.json` holds no key.
    NoKey,
    /// Encrypted fields (their names) whose value is not in the CLI's encrypted format.
    NotEncrypted(Vec<String>),
    /// Encrypted fields (their names) but no key to decrypt them: the generic keychain file is
    /// missing, so they were encrypted with a key from another machine, user or home.
    KeyNotHere { fields: Vec<String>, key_file: PathBuf },
}

impl Problem {
    pub fn new(path: &Path, kind: ProblemKind) -> Problem {
        Problem { path: path.to_path_buf(), kind }
    }

    /// What the sf CLI prints when it hits this, where its source says so.
    pub fn cli_says(&self) -> Option<String> {
        let path = self.path.display();
        match &self.kind {
            ProblemKind::WrongMode { .. } => Some(format!("Invalid file permissions for secret file: {path}")),
            ProblemKind::WrongService => {
                Some(format!("The service and account specified in {path} do not match the version of the toolbelt."))
            }
            ProblemKind::NoKey => Some("Expected the keychain password to be set".into()),
            ProblemKind::NotEncrypted(_) => Some("The encrypted data is not properly formatted.".into()),
            ProblemKind::KeyNotHere { .. } => Some("Failed to decipher auth data.".into()),
            ProblemKind::Unreadable(reason) if reason == "permission denied" => {
                Some(format!("EACCES: permission denied, open '{path}'"))
            }
            _ => None,
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = self.path.display();
        match &self.kind {
            ProblemKind::Unreadable(reason) => write!(f, "{path} cannot be read: {reason}"),
            ProblemKind::Corrupt(detail) => write!(f, "{path} is damaged: {detail}"),
            ProblemKind::WrongOwner { owner, expected } => write!(
                f,
                "{path} belongs to user id {owner}, not to the owner of the home directory (user id {expected}): \
                 typically left by running the sf CLI with sudo"
            ),
            ProblemKind::WrongMode { mode } => {
                write!(f, "{path} has mode {mode:03o}; the sf CLI accepts this key file only with mode 600")
            }
            ProblemKind::FolderNotUsable { mode } => {
                write!(f, "{path} has mode {mode:03o}; the sf CLI needs to read, write and enter it (at least 700)")
            }
            ProblemKind::WrongService => {
                write!(f, "{path} does not name service `sfdx` and account `local`, so the sf CLI refuses its key")
            }
            ProblemKind::NoKey => write!(f, "{path} holds no key"),
            ProblemKind::NotEncrypted(fields) => write!(
                f,
                "{path}: {} not in the sf CLI's encrypted format (hex, one `:`), so the CLI cannot decrypt {}",
                list(fields),
                if fields.len() == 1 { "it" } else { "them" }
            ),
            ProblemKind::KeyNotHere { fields, key_file } => write!(
                f,
                "{path} holds encrypted {}, but there is no {}: they were encrypted with a key from another \
                 machine, user or home directory, and the sf CLI cannot decrypt them here",
                list(fields),
                key_file.display()
            ),
        }
    }
}

fn list(fields: &[String]) -> String {
    fields.iter().map(|f| format!("`{f}`")).collect::<Vec<_>>().join(", ")
}

/// `~/.sfdx/alias.json`.
#[derive(Debug, Clone, Default)]
pub struct Aliases {
    /// Alias → username. (The CLI keeps the file's order; here the first alias of a username is
    /// the alphabetically first.)
    map: BTreeMap<String, String>,
    pub problem: Option<Problem>,
}

impl Aliases {
    pub fn read(sfdx_dir: &Path, owner_uid: Option<u32>) -> Aliases {
        let path = sfdx_dir.join("alias.json");
        let object = match read_json_object(&path, owner_uid) {
            Ok(Some(object)) => object,
            Ok(None) => return Aliases::default(),
            Err(problem) => return Aliases { map: BTreeMap::new(), problem: Some(problem) },
        };
        let map = object
            .get("orgs")
            .and_then(Value::as_object)
            .map(|orgs| {
                orgs.iter().filter_map(|(alias, user)| Some((alias.clone(), user.as_str()?.to_string()))).collect()
            })
            .unwrap_or_default();
        Aliases { map, problem: None }
    }

    pub fn username_for(&self, alias: &str) -> Option<&str> {
        self.map.get(alias).map(String::as_str)
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.map.keys().map(String::as_str)
    }

    pub fn alias_of(&self, username: &str) -> Option<&str> {
        self.map.iter().find(|(_, user)| *user == username).map(|(alias, _)| alias.as_str())
    }
}

/// The kind of login, as sfdx-core tells them apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginKind {
    /// `sf org login jwt`: a key path and no refresh token.
    Jwt,
    /// A refresh token: `sf org login web` or `sf org login sfdx-url`.
    RefreshToken,
    /// Neither: `sf org login access-token`.
    AccessToken,
}

impl LoginKind {
    pub fn describe(self) -> &'static str {
        match self {
            LoginKind::Jwt => "a JWT login (sf org login jwt)",
            LoginKind::RefreshToken => "a web or auth-URL login with a refresh token (sf org login web or sfdx-url)",
            LoginKind::AccessToken => "an access-token login (sf org login access-token)",
        }
    }
}

/// The plaintext fields of one stored login. Encrypted fields are only named, never kept.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoredLogin {
    pub path: PathBuf,
    pub username: String,
    pub org_id: Option<String>,
    pub client_id: Option<String>,
    pub login_url: Option<String>,
    pub instance_url: Option<String>,
    /// The key path `sf org login jwt` stored.
    pub private_key: Option<String>,
    pub is_dev_hub: Option<bool>,
    pub is_sandbox: Option<bool>,
    pub is_scratch: Option<bool>,
    pub dev_hub_username: Option<String>,
    pub has_refresh_token: bool,
    /// Names of the encrypted fields present (`accessToken`, `clientApps.x.refreshToken`…).
    pub encrypted_fields: Vec<String>,
    /// Problems that leave the file readable but will trip the CLI.
    pub problems: Vec<Problem>,
}

impl StoredLogin {
    pub fn kind(&self) -> LoginKind {
        match (self.private_key.is_some(), self.has_refresh_token) {
            (true, false) => LoginKind::Jwt,
            (_, true) => LoginKind::RefreshToken,
            (false, false) => LoginKind::AccessToken,
        }
    }

    /// The stored key path and whether the CLI can still read it; `None` without a key path.
    pub fn key_file(&self, cwd: &Path) -> Option<(PathBuf, KeyFile)> {
        let stored = PathBuf::from(self.private_key.as_deref()?);
        // Stored absolute since the login resolved it; a relative one is read from the cwd.
        let path = if stored.is_absolute() { stored } else { cwd.join(stored) };
        let state = match fs::metadata(&path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => KeyFile::Missing,
            Err(e) => KeyFile::Unreadable(e.kind().to_string()),
            Ok(meta) if !meta.is_file() => KeyFile::NotAFile,
            Ok(meta) => match fs::File::open(&path) {
                Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
                    KeyFile::Unreadable("permission denied".into())
                }
                Err(e) => KeyFile::Unreadable(e.to_string()),
                Ok(_) if meta.len() == 0 => KeyFile::Empty,
                Ok(_) => KeyFile::Readable,
            },
        };
        Some((path, state))
    }

    /// Whether the stored instance URL fits the stored login URL.
    pub fn url_mismatch(&self) -> Option<UrlMismatch> {
        let (login_raw, instance_raw) = (self.login_url.as_deref()?, self.instance_url.as_deref()?);
        let kind = |raw: &str| host::Url::parse(raw).ok().map(|url| host::classify_host(&url));
        let (login, instance) = (kind(login_raw)?, kind(instance_raw)?);
        let pair = (login_raw.to_string(), instance_raw.to_string());
        match (&login, &instance) {
            (HostKind::Loopback, _) | (_, HostKind::Loopback) => None,
            (_, HostKind::Login | HostKind::Test) => Some(UrlMismatch::InstanceIsLoginHost { instance: pair.1 }),
            _ if my_domain(&login).is_some()
                && my_domain(&instance).is_some()
                && my_domain(&login) != my_domain(&instance) =>
            {
                Some(UrlMismatch::OtherMyDomain { login: pair.0, instance: pair.1 })
            }
            _ => {
                let (login_env, instance_env) = (login.environment(), instance.environment());
                let known = login_env != Environment::Unknown && instance_env != Environment::Unknown;
                (known && login_env.is_sandbox_like() != instance_env.is_sandbox_like())
                    .then_some(UrlMismatch::Environment { login: pair.0, login_env, instance: pair.1, instance_env })
            }
        }
    }
}

/// The org a My Domain host names: (`acme`, `uat`) for `acme--uat.sandbox.my.salesforce.com`.
fn my_domain(kind: &HostKind) -> Option<(String, Option<String>)> {
    match kind {
        HostKind::MyDomain { name } | HostKind::ScratchMyDomain { name } => Some((name.clone(), None)),
        HostKind::SandboxMyDomain { name, sandbox } => Some((name.clone(), Some(sandbox.clone()))),
        _ => None,
    }
}

/// How a stored instance URL disagrees with the stored login URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UrlMismatch {
    /// The instance URL is login/test.salesforce.com: the login fell back to the login URL because
    /// the org's own host did not resolve then.
    InstanceIsLoginHost { instance: String },
    /// Production on one side, sandbox or scratch on the other.
    Environment { login: String, login_env: Environment, instance: String, instance_env: Environment },
    /// Two different My Domains: renamed since, or the login URL names another org.
    OtherMyDomain { login: String, instance: String },
}

/// Whether the stored key path can still be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyFile {
    Readable,
    Missing,
    NotAFile,
    Empty,
    Unreadable(String),
}

impl KeyFile {
    pub fn is_usable(&self) -> bool {
        *self == KeyFile::Readable
    }

    pub fn describe(&self) -> String {
        match self {
            KeyFile::Readable => "readable".into(),
            KeyFile::Missing => "no longer exists".into(),
            KeyFile::NotAFile => "is not a file".into(),
            KeyFile::Empty => "is empty".into(),
            KeyFile::Unreadable(reason) => format!("cannot be read ({reason})"),
        }
    }
}

/// `~/.sfdx/<username>.json`: its plaintext fields, or why the CLI cannot use it.
pub fn read_login(sfdx_dir: &Path, username: &str, ctx: &Context) -> Result<StoredLogin, Missing> {
    if username.is_empty() || username.starts_with('.') || username.contains(['/', '\\', '\0']) {
        return Err(Missing::InvalidName);
    }
    let path = sfdx_dir.join(format!("{username}.json"));
    if !path.exists() {
        return Err(Missing::NotFound { path });
    }
    let object = match read_json_object(&path, ctx.owner_uid) {
        Ok(Some(object)) => object,
        Ok(None) => return Err(Missing::NotFound { path }),
        Err(problem) => return Err(Missing::Unusable(problem)),
    };
    let text = |name: &str| object.get(name).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty());
    let flag = |name: &str| object.get(name).and_then(Value::as_bool);
    let mut encrypted = Vec::new();
    let mut malformed = Vec::new();
    scan_encrypted(&object, "", &mut encrypted, &mut malformed);
    let mut problems = owner_problem(&path, ctx.owner_uid).into_iter().collect::<Vec<_>>();
    if !malformed.is_empty() {
        problems.push(Problem::new(&path, ProblemKind::NotEncrypted(malformed)));
    }
    Ok(StoredLogin {
        username: text("username").unwrap_or(username).to_string(),
        org_id: text("orgId").map(str::to_string),
        client_id: text("clientId").map(str::to_string),
        login_url: text("loginUrl").map(str::to_string),
        instance_url: text("instanceUrl").map(str::to_string),
        private_key: text("privateKey").map(str::to_string),
        is_dev_hub: flag("isDevHub"),
        is_sandbox: flag("isSandbox"),
        is_scratch: flag("isScratch"),
        dev_hub_username: text("devHubUsername").map(str::to_string),
        has_refresh_token: text("refreshToken").is_some(),
        encrypted_fields: encrypted,
        problems,
        path,
    })
}

/// Names every encrypted field and collects those whose value is not in the encrypted format.
/// Values are only looked at for their shape and dropped at once.
fn scan_encrypted(object: &Map<String, Value>, prefix: &str, encrypted: &mut Vec<String>, malformed: &mut Vec<String>) {
    for (name, value) in object {
        let full = if prefix.is_empty() { name.clone() } else { format!("{prefix}.{name}") };
        match value {
            Value::Object(inner) => scan_encrypted(inner, &full, encrypted, malformed),
            Value::String(text) if is_crypto_key(name) && !text.is_empty() => {
                if !has_encrypted_shape(text) {
                    malformed.push(full.clone());
                }
                encrypted.push(full);
            }
            _ => {}
        }
    }
}

/// `AuthInfoConfig.encryptedKeys`: `/token/i`, `/password/i`, `/secret/i`.
fn is_crypto_key(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    ["token", "password", "secret"].iter().any(|word| name.contains(word))
}

/// `<hex iv + ciphertext>:<32 hex tag>`, the format `Crypto.encrypt` writes (v1 and v2 alike).
fn has_encrypted_shape(text: &str) -> bool {
    let hex = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_hexdigit());
    match text.split_once(':') {
        Some((body, tag)) => hex(body) && tag.len() == 32 && hex(tag) && body.len() >= 12,
        None => false,
    }
}

/// A JSON object file: `Ok(None)` when missing, a problem when unreadable or not an object.
pub(super) fn read_json_object(path: &Path, owner_uid: Option<u32>) -> Result<Option<Map<String, Value>>, Problem> {
    let bytes = match files::read_limited(path, files::MAX_INPUT_BYTES) {
        Ok(bytes) => bytes,
        Err(files::ReadError::NotFound) => return Ok(None),
        Err(e) => {
            // A file the CLI cannot read because someone else owns it: say who.
            return Err(owner_problem(path, owner_uid)
                .unwrap_or_else(|| Problem::new(path, ProblemKind::Unreadable(e.to_string()))));
        }
    };
    let text = files::decode_text(&bytes);
    if text.trim().is_empty() {
        return Err(Problem::new(path, ProblemKind::Corrupt("it is empty".into())));
    }
    match serde_json::from_str::<Value>(&text) {
        Ok(Value::Object(object)) => Ok(Some(object)),
        Ok(_) => Err(Problem::new(path, ProblemKind::Corrupt("it is JSON, but not an object".into()))),
        Err(e) => Err(Problem::new(path, ProblemKind::Corrupt(format!("it is not valid JSON ({e})")))),
    }
}

/// A file or folder owned by someone else than `expected`.
pub(super) fn owner_problem(path: &Path, expected: Option<u32>) -> Option<Problem> {
    let owner = file_owner(path)?;
    let expected = expected?;
    (owner != expected).then(|| Problem::new(path, ProblemKind::WrongOwner { owner, expected }))
}

#[cfg(unix)]
pub(super) fn file_owner(path: &Path) -> Option<u32> {
    use std::os::unix::fs::MetadataExt;
    fs::metadata(path).ok().map(|m| m.uid())
}

#[cfg(not(unix))]
pub(super) fn file_owner(_path: &Path) -> Option<u32> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sf_state::testing::{ENCRYPTED, TempHome, jwt_login, web_login};

    fn read(home: &TempHome, username: &str) -> Result<StoredLogin, Missing> {
        read_login(&home.path().join(".sfdx"), username, &home.context())
    }

    #[test]
    fn reads_the_plaintext_fields_of_a_jwt_login() {
        let mut home = TempHome::new();
        home.write(".sfdx/ci@acme.com.json", &jwt_login("ci@acme.com", "/keys/server.key"));
        let login = read(&home, "ci@acme.com").unwrap();
        assert_eq!(login.kind(), LoginKind::Jwt);
        assert_eq!(login.private_key.as_deref(), Some("/keys/server.key"));
        assert_eq!(login.login_url.as_deref(), Some("https://login.salesforce.com"));
        assert_eq!(login.org_id.as_deref(), Some("00D000000000001EAA"));
        assert_eq!((login.is_dev_hub, login.is_sandbox), (Some(true), Some(false)));
        assert_eq!(login.encrypted_fields, ["accessToken"]);
        assert!(login.problems.is_empty(), "{:?}", login.problems);
        // Nothing of the encrypted value is kept.
        assert!(!format!("{login:?}").contains(&ENCRYPTED[..12]));
    }

    #[test]
    fn tells_login_kinds_apart() {
        let mut home = TempHome::new();
        home.write(".sfdx/dev@acme.com.json", &web_login("dev@acme.com"));
        let web = read(&home, "dev@acme.com").unwrap();
        assert_eq!((web.kind(), web.has_refresh_token), (LoginKind::RefreshToken, true));
        home.write(
            ".sfdx/t@acme.com.json",
            r#"{"username":"t@acme.com","accessToken":"00aa11:0123456789abcdef0123456789abcdef"}"#,
        );
        assert_eq!(read(&home, "t@acme.com").unwrap().kind(), LoginKind::AccessToken);
    }

    #[test]
    fn missing_damaged_and_odd_names() {
        let mut home = TempHome::new();
        assert!(matches!(read(&home, "nobody@acme.com"), Err(Missing::NotFound { .. })));
        assert_eq!(read(&home, "../escape"), Err(Missing::InvalidName));
        home.write(".sfdx/cut@acme.com.json", r#"{"username": "cut@acme.com", "orgId""#);
        match read(&home, "cut@acme.com") {
            Err(Missing::Unusable(Problem { kind: ProblemKind::Corrupt(detail), .. })) => {
                assert!(detail.contains("not valid JSON"), "{detail}")
            }
            other => panic!("{other:?}"),
        }
        home.write(".sfdx/empty@acme.com.json", "");
        assert!(matches!(read(&home, "empty@acme.com"), Err(Missing::Unusable(_))));
    }

    #[test]
    fn names_encrypted_fields_that_are_not_in_the_encrypted_format() {
        let mut home = TempHome::new();
        let login = serde_json::json!({
            "username": "ci@acme.com", "privateKey": "/k", "accessToken": "00D000000000001!AQ4AQplaintext",
            "clientApps": {"app": {"refreshToken": ENCRYPTED, "clientSecret": "not:hex"}},
        });
        home.write(".sfdx/ci@acme.com.json", &login.to_string());
        let login = read(&home, "ci@acme.com").unwrap();
        let problem = login.problems.iter().find(|p| matches!(p.kind, ProblemKind::NotEncrypted(_))).unwrap();
        assert_eq!(
            problem.kind,
            ProblemKind::NotEncrypted(vec!["accessToken".into(), "clientApps.app.clientSecret".into()])
        );
        assert_eq!(problem.cli_says().as_deref(), Some("The encrypted data is not properly formatted."));
        let shown = problem.to_string();
        assert!(shown.contains("`accessToken`") && !shown.contains("AQ4AQ"), "{shown}");
        // A refresh token only inside clientApps does not make the main login a refresh-token login.
        assert_eq!(login.kind(), LoginKind::Jwt);
    }

    #[cfg(unix)]
    #[test]
    fn another_owner_is_named() {
        let mut home = TempHome::new();
        home.write(".sfdx/ci@acme.com.json", &jwt_login("ci@acme.com", "/k"));
        let me = file_owner(&home.path()).unwrap();
        home.owner_uid = Some(me + 1);
        let login = read(&home, "ci@acme.com").unwrap();
        assert!(
            matches!(login.problems[0].kind, ProblemKind::WrongOwner { owner, expected } if owner == me && expected == me + 1)
        );
        assert!(login.problems[0].to_string().contains("sudo"));
    }

    #[test]
    fn aliases_map_both_ways() {
        let mut home = TempHome::new();
        home.write(".sfdx/alias.json", r#"{"orgs": {"ci-hub": "ci@acme.com", "hub2": "ci@acme.com", "n": 3}}"#);
        let aliases = Aliases::read(&home.path().join(".sfdx"), None);
        assert_eq!(aliases.username_for("ci-hub"), Some("ci@acme.com"));
        assert_eq!(aliases.alias_of("ci@acme.com"), Some("ci-hub"));
        assert_eq!(aliases.username_for("n"), None);
        home.write(".sfdx/alias.json", "{\"orgs\": {");
        let broken = Aliases::read(&home.path().join(".sfdx"), None);
        assert!(matches!(broken.problem, Some(Problem { kind: ProblemKind::Corrupt(_), .. })));
        assert!(Aliases::read(&home.path().join("nowhere"), None).problem.is_none());
    }

    #[test]
    fn key_file_states() {
        let mut home = TempHome::new();
        let key = home.write("keys/server.key", "the file only has to exist\n");
        let empty = home.write("keys/empty.key", "");
        let login = |path: &Path| StoredLogin { private_key: Some(path.display().to_string()), ..Default::default() };
        let cwd = home.path();
        assert_eq!(login(&key).key_file(&cwd).unwrap().1, KeyFile::Readable);
        assert_eq!(login(&empty).key_file(&cwd).unwrap().1, KeyFile::Empty);
        assert_eq!(login(&home.path().join("keys/gone.key")).key_file(&cwd).unwrap().1, KeyFile::Missing);
        assert_eq!(login(&home.path().join("keys")).key_file(&cwd).unwrap().1, KeyFile::NotAFile);
        let relative = login(Path::new("keys/server.key")).key_file(&cwd).unwrap();
        assert_eq!(relative, (key, KeyFile::Readable));
        assert_eq!(StoredLogin::default().key_file(&cwd), None);
    }

    #[test]
    fn instance_and_login_urls() {
        let urls = |login: &str, instance: &str| StoredLogin {
            login_url: Some(login.into()),
            instance_url: Some(instance.into()),
            ..Default::default()
        };
        assert_eq!(urls("https://login.salesforce.com", "https://acme.my.salesforce.com").url_mismatch(), None);
        assert_eq!(urls("https://acme.my.salesforce.com/", "https://acme.my.salesforce.com").url_mismatch(), None);
        assert_eq!(
            urls("https://test.salesforce.com", "https://acme--uat.sandbox.my.salesforce.com").url_mismatch(),
            None
        );
        assert!(matches!(
            urls("https://login.salesforce.com", "https://login.salesforce.com").url_mismatch(),
            Some(UrlMismatch::InstanceIsLoginHost { .. })
        ));
        assert!(matches!(
            urls("https://test.salesforce.com", "https://acme.my.salesforce.com").url_mismatch(),
            Some(UrlMismatch::Environment {
                login_env: Environment::Sandbox,
                instance_env: Environment::Production,
                ..
            })
        ));
        assert!(matches!(
            urls("https://old.my.salesforce.com/", "https://new.my.salesforce.com").url_mismatch(),
            Some(UrlMismatch::OtherMyDomain { .. })
        ));
        assert_eq!(urls("http://127.0.0.1:8080", "https://login.salesforce.com").url_mismatch(), None);
        assert_eq!(StoredLogin::default().url_mismatch(), None);
    }
}
