//! File modes and special files, for the tests that check how sfjwt treats them.

use std::path::Path;
use std::process::Command;

/// The permission bits of `path` (`0o600`…).
#[cfg(unix)]
pub fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap_or_else(|error| panic!("{}: {error}", path.display())).permissions().mode() & 0o777
}

/// Sets the permission bits of `path`; elsewhere than on Unix, nothing.
pub fn set_mode(path: &Path, mode: u32) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
            .unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    }
    #[cfg(not(unix))]
    let _ = (path, mode);
}

/// Makes a FIFO at `path`: a file whose reader blocks until someone writes.
#[cfg(unix)]
pub fn mkfifo(path: &Path) {
    let made = Command::new("mkfifo").arg(path).status().is_ok_and(|status| status.success());
    assert!(made, "mkfifo {}", path.display());
}
