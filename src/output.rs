//! Writing reports safely: new files only, readable by the user alone, and every failure seen.
//!
//! A report names hosts, usernames and the shape of a key: it is for the user. So `--output` and
//! the `--report` bundle are created new with mode 0600, never through a symlink someone planted
//! under the expected name, and never over an existing file (sfjwt refuses, and says so, rather
//! than guess whether that file was meant to go). The job summary is the runner's file: it is
//! appended to, never created. A write that fails (a full disk, a closed stdout) is an error.

use std::{
    fs::{self, OpenOptions},
    io::{self, Write},
    path::Path,
};

/// Creates `path` (it must not exist, not even as a dangling symlink), writes `text`, and syncs
/// it so a full disk is reported here, not lost. A partly written file is removed. A missing
/// folder is created first, as for `--report`.
pub fn write_new(path: &Path, text: &str) -> io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty() && !d.exists()) {
        create_dir(dir)?;
    }
    create_new(path, text.as_bytes(), 0o600).map_err(|e| match e.kind() {
        io::ErrorKind::AlreadyExists => io::Error::new(
            e.kind(),
            "it already exists; sfjwt writes reports to new files only: remove it or choose another path",
        ),
        _ => e,
    })
}

/// The one way sfjwt makes a file: `O_EXCL` refuses an existing file and any symlink (even a
/// dangling one), `mode` applies from the start rather than after a chmod, and the data is synced
/// so a full disk is reported here. A partly written file is removed.
pub fn create_new(path: &Path, bytes: &[u8], mode: u32) -> io::Result<()> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(mode);
    }
    #[cfg(not(unix))]
    let _ = mode;
    let mut file = options.open(path)?;
    let written = file.write_all(bytes).and_then(|()| file.sync_data());
    if written.is_err() {
        drop(file);
        let _ = fs::remove_file(path);
    }
    written
}

/// Appends to a file that must already exist (the runner creates `GITHUB_STEP_SUMMARY`).
pub fn append_existing(path: &Path, text: &str) -> io::Result<()> {
    let mut file = OpenOptions::new().append(true).open(path).map_err(|e| match e.kind() {
        io::ErrorKind::NotFound => io::Error::new(
            e.kind(),
            "no such file; the runner creates it, so sfjwt does not: unset the variable to skip the summary",
        ),
        _ => e,
    })?;
    file.write_all(text.as_bytes()).and_then(|()| file.flush())
}

/// Creates the bundle directory (and its parents) readable by the user alone; an existing one is
/// used as it is.
pub fn create_dir(dir: &Path) -> io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

/// Fails when stdout is closed. Rust's runtime reopens a stdout that was closed at start as
/// `/dev/null` (read-write) before `main`, so writes to it "succeed" and the report would vanish
/// with exit 0; a shell's `> /dev/null` opens it write-only, which is left alone.
pub fn check_stdout() -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::fd::AsRawFd;
        use std::os::unix::fs::{FileTypeExt, MetadataExt};
        let fd = io::stdout().as_raw_fd();
        // SAFETY: F_GETFL only reads the status flags of a descriptor number; an invalid one is
        // reported as -1 (EBADF), nothing is dereferenced.
        let flags = unsafe { libc::fcntl(fd, libc::F_GETFL) };
        let closed = || io::Error::other("standard output is closed");
        if flags < 0 {
            return Err(closed());
        }
        let ours = fs::metadata(format!("/proc/self/fd/{fd}")).or_else(|_| fs::metadata("/dev/stdout"));
        let null = fs::metadata("/dev/null");
        if let (Ok(ours), Ok(null)) = (ours, null)
            && ours.file_type().is_char_device()
            && ours.rdev() == null.rdev()
            && flags & libc::O_ACCMODE == libc::O_RDWR
        {
            return Err(io::Error::other("standard output is closed"));
        }
    }
    Ok(())
}
