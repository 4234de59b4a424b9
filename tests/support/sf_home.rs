//! A temporary sf CLI home: a HOME holding `~/.sfdx` in the sf CLI's exact shapes (stored logins,
//! `alias.json`, the keychain file), and a working directory beside it.
//!
//! ```ignore
//! let home = SfHome::new();
//! home.alias("ci-hub", USERNAME).jwt_login(JwtLogin::new(USERNAME, fixture_path(KEY)));
//! home.doctor().args(["--offline", "--target-org", "ci-hub"]).run();
//! ```
//!
//! Nothing here reads or writes the real home directory.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use super::files::set_mode;
use super::{CLIENT_ID, Test};

/// sfdx-core's encrypted format (made-up hex): what the stored tokens look like. sfjwt never
/// decrypts them, and never shows them.
pub const ENCRYPTED: &str = "a1b2c3d4e5f60123456789abcdef0123456789abcdef:0123456789abcdef0123456789abcdef";
/// The generic keychain file the sf CLI decrypts them with (made-up key).
const KEY_JSON: &str = r#"{"account":"local","key":"00112233445566778899aabbccddeeff","service":"sfdx"}"#;

pub struct SfHome {
    root: tempfile::TempDir,
}

impl Default for SfHome {
    fn default() -> SfHome {
        SfHome::new()
    }
}

impl SfHome {
    /// A home with the keychain file `~/.sfdx/key.json` (mode 0600, as the sf CLI requires) and
    /// no logins, and an empty working directory.
    pub fn new() -> SfHome {
        let home = SfHome { root: tempfile::tempdir().expect("a temporary folder") };
        std::fs::create_dir_all(home.work()).expect("the working directory");
        home.key_json(0o600);
        home
    }

    /// The temporary folder that holds the home and the working directory, for anything else a
    /// test needs (a fake `sf` on PATH…).
    pub fn root(&self) -> &Path {
        self.root.path()
    }

    /// The home directory.
    pub fn path(&self) -> PathBuf {
        self.root.path().join("home")
    }

    /// The working directory of [`SfHome::doctor`].
    pub fn work(&self) -> PathBuf {
        self.root.path().join("work")
    }

    /// Writes `contents` to `relative` (to the home directory), creating its folders.
    pub fn write(&self, relative: &str, contents: &str) -> PathBuf {
        let path = self.path().join(relative);
        std::fs::create_dir_all(path.parent().expect("a file in a folder")).expect("the file's folder");
        std::fs::write(&path, contents).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
        path
    }

    /// The keychain file, with this mode.
    pub fn key_json(&self, mode: u32) -> &SfHome {
        set_mode(&self.write(".sfdx/key.json", KEY_JSON), mode);
        self
    }

    /// Adds `alias` for `username` to `~/.sfdx/alias.json` (a damaged file is started anew).
    pub fn alias(&self, alias: &str, username: &str) -> &SfHome {
        let path = self.path().join(".sfdx/alias.json");
        let read = std::fs::read_to_string(&path).ok().and_then(|text| serde_json::from_str::<Value>(&text).ok());
        let mut orgs = read.and_then(|file| file["orgs"].as_object().cloned()).unwrap_or_default();
        orgs.insert(alias.into(), username.into());
        self.write(".sfdx/alias.json", &json!({ "orgs": orgs }).to_string());
        self
    }

    /// `~/.sfdx/<username>.json` as `sf org login jwt` writes it.
    pub fn jwt_login(&self, login: JwtLogin) -> &SfHome {
        let stored = json!({
            "accessToken": ENCRYPTED,
            "orgId": "00D000000000001EAA",
            "loginUrl": login.login_url,
            "privateKey": login.key.display().to_string(),
            "clientId": login.client_id,
            "instanceUrl": login.instance_url,
            "isDevHub": false,
            "username": login.username,
            "instanceApiVersion": "66.0",
        });
        self.write(&format!(".sfdx/{}.json", login.username), &stored.to_string());
        self
    }

    /// `~/.sfdx/<username>.json` as `sf org login web` writes it: a refresh token and the CLI's
    /// own client id.
    pub fn web_login(&self, username: &str) -> &SfHome {
        let stored = json!({
            "accessToken": ENCRYPTED,
            "refreshToken": ENCRYPTED,
            "orgId": "00D000000000002EAA",
            "loginUrl": "https://login.salesforce.com",
            "clientId": "PlatformCLI",
            "instanceUrl": "https://example.my.salesforce.com",
            "username": username,
        });
        self.write(&format!(".sfdx/{username}.json"), &stored.to_string());
        self
    }

    /// Makes the working directory an sfdx project whose local sf config (`.sf/config.json`) is
    /// `config`, e.g. `{"target-org": "ci-hub"}`.
    pub fn project_config(&self, config: Value) -> &SfHome {
        std::fs::create_dir_all(self.work().join(".sf")).expect("the project's .sf folder");
        std::fs::write(self.work().join("sfdx-project.json"), "{}").expect("sfdx-project.json");
        std::fs::write(self.work().join(".sf/config.json"), config.to_string()).expect(".sf/config.json");
        self
    }

    /// `sfjwt doctor` with this home, in the working directory, and with no `sf` on PATH (an
    /// `.env("PATH", …)` of the test's gives one).
    pub fn doctor(&self) -> Test {
        Test::new()
            .env("HOME", self.path())
            .env("USERPROFILE", self.path())
            .env("PATH", "")
            .current_dir(self.work())
            .arg("doctor")
    }
}

/// A stored JWT login, for [`SfHome::jwt_login`].
pub struct JwtLogin {
    username: String,
    key: PathBuf,
    client_id: String,
    login_url: String,
    instance_url: String,
}

impl JwtLogin {
    /// `username`'s login with the key at `key` and the quick start's client id, made with
    /// `--instance-url https://login.salesforce.com` for the org at
    /// `https://example.my.salesforce.com`.
    pub fn new(username: &str, key: impl AsRef<Path>) -> JwtLogin {
        JwtLogin {
            username: username.into(),
            key: key.as_ref().to_owned(),
            client_id: CLIENT_ID.into(),
            login_url: "https://login.salesforce.com".into(),
            instance_url: "https://example.my.salesforce.com".into(),
        }
    }

    pub fn client_id(mut self, client_id: &str) -> JwtLogin {
        self.client_id = client_id.into();
        self
    }

    /// Logged in at `url`, which is the org's instance URL too (a fake org's URL).
    pub fn at(mut self, url: &str) -> JwtLogin {
        self.login_url = url.into();
        self.instance_url = url.into();
        self
    }
}
