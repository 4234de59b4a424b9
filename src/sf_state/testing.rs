//! A temporary home (and optional project) holding the sf CLI's files, for unit tests.

use std::{
    fs,
    path::{Path, PathBuf},
    time::{Duration, SystemTime},
};

use super::{Context, Env, Platform};

pub struct TempHome {
    root: tempfile::TempDir,
    env: Vec<(String, String)>,
    pub platform: Platform,
    pub owner_uid: Option<u32>,
}

impl TempHome {
    /// An empty home on Linux without `secret-tool`, so the generic keychain is in use.
    pub fn new() -> TempHome {
        let root = tempfile::tempdir().expect("temp dir");
        fs::create_dir_all(root.path().join("home")).unwrap();
        TempHome { root, env: Vec::new(), platform: Platform::Linux { secret_tool: false }, owner_uid: None }
    }

    pub fn path(&self) -> PathBuf {
        self.root.path().join("home")
    }

    pub fn project_dir(&self) -> PathBuf {
        self.root.path().join("project")
    }

    /// Writes a file under the home directory, creating its folders.
    pub fn write(&mut self, relative: &str, contents: &str) -> PathBuf {
        write(&self.path().join(relative), contents)
    }

    /// Writes a file under the project directory, which becomes an sfdx project.
    pub fn project_file(&mut self, relative: &str, contents: &str) -> PathBuf {
        let project = self.project_dir();
        if !project.join("sfdx-project.json").exists() {
            write(&project.join("sfdx-project.json"), "{}");
        }
        write(&project.join(relative), contents)
    }

    /// Moves a file's mtime `seconds` into the past.
    pub fn age(&self, relative: &str, seconds: u64) {
        let file = fs::File::options().write(true).open(self.path().join(relative)).unwrap();
        file.set_modified(SystemTime::now() - Duration::from_secs(seconds)).unwrap();
    }

    #[cfg(unix)]
    pub fn chmod(&self, relative: &str, mode: u32) {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(self.path().join(relative), fs::Permissions::from_mode(mode)).unwrap();
    }

    pub fn set_env(&mut self, name: &str, value: &str) {
        self.env.retain(|(n, _)| n != name);
        self.env.push((name.to_string(), value.to_string()));
    }

    /// The context of a CLI run from the project (if one was made) or from an unrelated folder.
    pub fn context(&self) -> Context {
        let cwd = if self.project_dir().exists() { self.project_dir() } else { self.root.path().join("work") };
        Context {
            home: Some(self.path()),
            cwd,
            env: Env::new(self.env.clone()),
            platform: self.platform,
            owner_uid: self.owner_uid,
        }
    }
}

fn write(path: &Path, contents: &str) -> PathBuf {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, contents).unwrap();
    path.to_path_buf()
}

/// An auth file as `sf org login jwt` writes it: plaintext fields and an encrypted access token
/// (`<hex iv+ciphertext>:<32 hex tag>`, made-up hex, not a real token).
pub fn jwt_login(username: &str, key_path: &str) -> String {
    serde_json::json!({
        "accessToken": ENCRYPTED,
        "orgId": "00D000000000001EAA",
        "loginUrl": "https://login.salesforce.com",
        "privateKey": key_path,
        "clientId": "3MVG9EXAMPLE0nly.TestKey_ForSfjwtDocs0000000000000000000000000000000000000000000",
        "instanceUrl": "https://acme.my.salesforce.com",
        "isDevHub": true,
        "username": username,
        "instanceApiVersion": "66.0",
        "isSandbox": false,
        "isScratch": false,
    })
    .to_string()
}

/// What `sf org login web` writes: encrypted access and refresh tokens, the CLI's own client id.
pub fn web_login(username: &str) -> String {
    serde_json::json!({
        "accessToken": ENCRYPTED,
        "refreshToken": ENCRYPTED,
        "orgId": "00D000000000002EAA",
        "loginUrl": "https://login.salesforce.com",
        "clientId": "PlatformCLI",
        "instanceUrl": "https://acme.my.salesforce.com",
        "isDevHub": false,
        "username": username,
    })
    .to_string()
}

/// The shape sfdx-core's v1 crypto writes: 12 hex of IV, the ciphertext in hex, `:`, a 32-hex tag.
pub const ENCRYPTED: &str = "a1b2c3d4e5f60123456789abcdef0123456789abcdef:0123456789abcdef0123456789abcdef";
