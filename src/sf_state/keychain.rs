//! Where the sf CLI keeps the key that encrypts its stored tokens, and whether it will accept it.
//!
//! From sfdx-core 9.1.1:
//! - `src/crypto/keyChain.ts` `retrieveKeychain`: Windows always uses the generic keychain file;
//!   macOS uses the Keychain unless `SF_USE_GENERIC_UNIX_KEYCHAIN` is true; Linux uses it when the
//!   variable is true, else libsecret's `secret-tool` when it is installed and executable
//!   (`SFDX_SECRET_TOOL_PATH`, default `/usr/bin/secret-tool`, `keyChainImpl.ts`), else the
//!   generic file. (`envVars.ts` also copies the older `SFDX_USE_GENERIC_UNIX_KEYCHAIN` into it.)
//! - `src/crypto/keyChainImpl.ts`: the generic file is `~/.sfdx/key.json`,
//!   `{"account": "local", "key": "<hex>", "service": "sfdx"}`. Before reading it the CLI needs
//!   read, write and search access to `~/.sfdx`; on Unix the file's mode must be exactly 600
//!   ("Invalid file permissions for secret file: …"); service and account must be `sfdx` and
//!   `local` ("The service and account specified in … do not match the version of the
//!   toolbelt."). A missing file is not an error: the CLI makes a new key (`crypto.ts` `init`),
//!   which cannot decrypt tokens stored with the old one ("Failed to decipher auth data").

use std::path::{Path, PathBuf};

use super::{
    Context, Platform,
    store::{self, Problem, ProblemKind},
};

/// The key store in use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Keychain {
    /// The operating system's keychain: sfjwt does not look inside it.
    Os {
        name: &'static str,
    },
    Generic(GenericKeychain),
    /// No home directory, or a platform the sf CLI does not support.
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenericKeychain {
    pub path: PathBuf,
    /// Why the CLI uses the file rather than an OS keychain.
    pub why: &'static str,
    pub present: bool,
    pub problems: Vec<Problem>,
}

pub fn detect(ctx: &Context) -> Keychain {
    let Some(sfdx_dir) = ctx.sfdx_dir() else { return Keychain::Unknown };
    let forced = ctx.env.is_true("SF_USE_GENERIC_UNIX_KEYCHAIN") || ctx.env.is_true("SFDX_USE_GENERIC_UNIX_KEYCHAIN");
    let why = match ctx.platform {
        Platform::Windows => "the sf CLI always uses it on Windows",
        _ if forced => "SF_USE_GENERIC_UNIX_KEYCHAIN is true",
        Platform::MacOs => return Keychain::Os { name: "the macOS Keychain" },
        Platform::Linux { secret_tool: true } => {
            return Keychain::Os { name: "the desktop keyring (libsecret, through secret-tool)" };
        }
        Platform::Linux { secret_tool: false } => "secret-tool (libsecret) is not installed",
        Platform::Other => return Keychain::Unknown,
    };
    let unix_mode_check = ctx.platform != Platform::Windows;
    Keychain::Generic(inspect(&sfdx_dir, why, unix_mode_check, ctx.owner_uid))
}

fn inspect(sfdx_dir: &Path, why: &'static str, unix_mode_check: bool, owner_uid: Option<u32>) -> GenericKeychain {
    let path = sfdx_dir.join("key.json");
    let mut problems: Vec<Problem> = Vec::new();
    if sfdx_dir.is_dir() {
        problems.extend(store::owner_problem(sfdx_dir, owner_uid));
        if let Some(mode) = mode(sfdx_dir).filter(|m| m & 0o700 != 0o700) {
            problems.push(Problem::new(sfdx_dir, ProblemKind::FolderNotUsable { mode }));
        }
    }
    let present = path.exists();
    if present {
        if let Some(mode) = mode(&path).filter(|m| unix_mode_check && *m != 0o600) {
            problems.push(Problem::new(&path, ProblemKind::WrongMode { mode }));
        }
        match store::read_json_object(&path, owner_uid) {
            Ok(Some(object)) => {
                problems.extend(store::owner_problem(&path, owner_uid));
                let field = |name: &str| object.get(name).and_then(|v| v.as_str()).unwrap_or_default();
                if field("service") != "sfdx" || field("account") != "local" {
                    problems.push(Problem::new(&path, ProblemKind::WrongService));
                } else if field("key").is_empty() {
                    problems.push(Problem::new(&path, ProblemKind::NoKey));
                }
            }
            Ok(None) => {}
            Err(problem) => problems.push(problem),
        }
    }
    GenericKeychain { path, why, present, problems }
}

#[cfg(unix)]
fn mode(path: &Path) -> Option<u32> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).ok().map(|m| m.permissions().mode() & 0o777)
}

#[cfg(not(unix))]
fn mode(_path: &Path) -> Option<u32> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sf_state::testing::TempHome;

    const KEY_JSON: &str = r#"{"account":"local","key":"00112233445566778899aabbccddeeff","service":"sfdx"}"#;

    fn generic(home: &TempHome) -> GenericKeychain {
        match detect(&home.context()) {
            Keychain::Generic(generic) => generic,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn which_keychain_the_cli_uses() {
        let mut home = TempHome::new();
        assert_eq!(generic(&home).why, "secret-tool (libsecret) is not installed");
        home.platform = Platform::Linux { secret_tool: true };
        assert!(matches!(detect(&home.context()), Keychain::Os { .. }));
        home.set_env("SF_USE_GENERIC_UNIX_KEYCHAIN", "TRUE");
        assert_eq!(generic(&home).why, "SF_USE_GENERIC_UNIX_KEYCHAIN is true");
        home.platform = Platform::MacOs;
        home.set_env("SF_USE_GENERIC_UNIX_KEYCHAIN", "false");
        assert_eq!(detect(&home.context()), Keychain::Os { name: "the macOS Keychain" });
        home.platform = Platform::Windows;
        assert!(!generic(&home).present);
    }

    #[cfg(unix)]
    #[test]
    fn a_healthy_key_file_and_its_failures() {
        let mut home = TempHome::new();
        home.write(".sfdx/key.json", KEY_JSON);
        home.chmod(".sfdx", 0o700);
        home.chmod(".sfdx/key.json", 0o600);
        let healthy = generic(&home);
        assert!(healthy.present && healthy.problems.is_empty(), "{healthy:?}");

        home.chmod(".sfdx/key.json", 0o644);
        let loose = generic(&home);
        assert_eq!(loose.problems[0].kind, ProblemKind::WrongMode { mode: 0o644 });
        assert!(loose.problems[0].cli_says().unwrap().starts_with("Invalid file permissions for secret file: "));
        // Windows does not check the mode.
        home.platform = Platform::Windows;
        assert!(generic(&home).problems.is_empty());
        home.platform = Platform::Linux { secret_tool: false };

        home.chmod(".sfdx/key.json", 0o600);
        home.write(".sfdx/key.json", r#"{"account":"me","key":"00","service":"other"}"#);
        assert_eq!(generic(&home).problems[0].kind, ProblemKind::WrongService);
        home.write(".sfdx/key.json", r#"{"account":"local","service":"sfdx"}"#);
        assert_eq!(generic(&home).problems[0].kind, ProblemKind::NoKey);
        home.write(".sfdx/key.json", "{\"account\":");
        assert!(matches!(generic(&home).problems[0].kind, ProblemKind::Corrupt(_)));

        home.write(".sfdx/key.json", KEY_JSON);
        home.chmod(".sfdx", 0o500);
        assert_eq!(generic(&home).problems[0].kind, ProblemKind::FolderNotUsable { mode: 0o500 });
        home.chmod(".sfdx", 0o700);
        let me = store::file_owner(&home.path()).unwrap();
        home.owner_uid = Some(me + 7);
        let kinds: Vec<_> = generic(&home).problems.into_iter().map(|p| p.kind).collect();
        assert_eq!(kinds.len(), 2, "the folder and the file: {kinds:?}");
        assert!(kinds.iter().all(|k| matches!(k, ProblemKind::WrongOwner { .. })));
    }
}
