//! Reading user files: regular files only, bounded in size, with errors that say what to do.

use std::{
    fmt,
    fs::{self, File},
    io::Read,
    path::Path,
};

/// Keys, certificates, JWTs and metadata are a few KB; anything past this is not what we want.
pub const MAX_INPUT_BYTES: u64 = 1024 * 1024;
/// Captured outputs can hold long logs.
pub const MAX_CAPTURE_BYTES: u64 = 8 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadError {
    NotFound,
    IsDirectory,
    /// A FIFO, socket or device: reading one can block forever or never end.
    NotRegular(&'static str),
    PermissionDenied,
    TooLarge {
        bytes: u64,
        limit: u64,
    },
    Other(String),
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::NotFound => f.write_str("no such file"),
            ReadError::IsDirectory => f.write_str("it is a directory, not a file"),
            ReadError::NotRegular(what) => write!(f, "it is {what}, not a regular file"),
            ReadError::PermissionDenied => f.write_str("permission denied"),
            // A stream (stdin, /dev/zero) is only read to one byte past the limit: its size is unknown.
            ReadError::TooLarge { bytes, limit } if *bytes == limit + 1 => {
                write!(f, "it is more than the {limit} bytes sfjwt reads")
            }
            ReadError::TooLarge { bytes, limit } => {
                write!(f, "it is {bytes} bytes, more than the {limit} bytes sfjwt reads")
            }
            ReadError::Other(message) => f.write_str(message),
        }
    }
}

/// Opens `path` (following symlinks) if it is a regular file. A FIFO, socket or device is refused
/// before it is opened, and the open itself does not block (a FIFO swapped in after the check),
/// so no input file can stall sfjwt or feed it forever.
pub fn open_regular(path: &Path) -> Result<(File, fs::Metadata), ReadError> {
    regular(&fs::metadata(path).map_err(io_error)?)?;
    let mut options = fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // Without effect on regular files, whose reads never block.
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path).map_err(io_error)?;
    let meta = file.metadata().map_err(io_error)?;
    regular(&meta)?;
    Ok((file, meta))
}

fn regular(meta: &fs::Metadata) -> Result<(), ReadError> {
    if meta.is_dir() {
        return Err(ReadError::IsDirectory);
    }
    if meta.is_file() {
        return Ok(());
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let kind = meta.file_type();
        if kind.is_fifo() {
            return Err(ReadError::NotRegular("a FIFO (named pipe)"));
        }
        if kind.is_socket() {
            return Err(ReadError::NotRegular("a socket"));
        }
        if kind.is_char_device() || kind.is_block_device() {
            return Err(ReadError::NotRegular("a device"));
        }
    }
    Err(ReadError::NotRegular("a special file"))
}

/// Reads a whole regular file, refusing anything larger than `limit` before reading it.
pub fn read_limited(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    let (file, meta) = open_regular(path)?;
    if meta.len() > limit {
        return Err(ReadError::TooLarge { bytes: meta.len(), limit });
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    // `take` guards against files that grow while they are read.
    file.take(limit + 1).read_to_end(&mut bytes).map_err(io_error)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge { bytes: bytes.len() as u64, limit });
    }
    Ok(bytes)
}

/// Reads standard input up to `limit` bytes.
pub fn read_stdin_limited(limit: u64) -> Result<Vec<u8>, ReadError> {
    let mut bytes = Vec::new();
    std::io::stdin().lock().take(limit + 1).read_to_end(&mut bytes).map_err(io_error)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge { bytes: bytes.len() as u64, limit });
    }
    Ok(bytes)
}

fn io_error(e: std::io::Error) -> ReadError {
    match e.kind() {
        std::io::ErrorKind::NotFound => ReadError::NotFound,
        std::io::ErrorKind::PermissionDenied => ReadError::PermissionDenied,
        std::io::ErrorKind::IsADirectory => ReadError::IsDirectory,
        _ => ReadError::Other(e.to_string()),
    }
}

/// Text from bytes: strips a UTF-8 BOM and decodes UTF-16 (with BOM), as Windows editors write it.
pub fn decode_text(bytes: &[u8]) -> String {
    match bytes {
        [0xEF, 0xBB, 0xBF, rest @ ..] => String::from_utf8_lossy(rest).into_owned(),
        [0xFF, 0xFE, rest @ ..] => utf16(rest, u16::from_le_bytes),
        [0xFE, 0xFF, rest @ ..] => utf16(rest, u16::from_be_bytes),
        _ => String::from_utf8_lossy(bytes).into_owned(),
    }
}

/// Whether decoded text is really binary data: replacement characters and control characters
/// (other than tab, newlines, form feed and the escape of terminal colours) are more than a tenth
/// of its first 4096 characters.
pub fn looks_binary(text: &str) -> bool {
    let (mut total, mut odd) = (0usize, 0usize);
    for c in text.chars().take(4096) {
        total += 1;
        if c == char::REPLACEMENT_CHARACTER || (c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\u{c}' | '\u{1b}'))
        {
            odd += 1;
        }
    }
    odd * 10 > total
}

fn utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16) -> String {
    let units = bytes.chunks_exact(2).map(|c| unit([c[0], c[1]]));
    char::decode_utf16(units).map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_large_files_and_directories() {
        let dir = tempfile::tempdir().unwrap();
        let big = dir.path().join("big");
        fs::write(&big, vec![b'a'; 2048]).unwrap();
        assert_eq!(read_limited(&big, 1024), Err(ReadError::TooLarge { bytes: 2048, limit: 1024 }));
        assert_eq!(read_limited(dir.path(), 1024), Err(ReadError::IsDirectory));
        assert_eq!(read_limited(&dir.path().join("none"), 1024), Err(ReadError::NotFound));
    }

    /// Regression (issue 10): a FIFO as an input file blocked sfjwt until something wrote to it,
    /// and a device such as /dev/zero was read to the limit.
    #[cfg(unix)]
    #[test]
    fn only_regular_files_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
        let started = std::time::Instant::now();
        assert_eq!(read_limited(&fifo, 1024), Err(ReadError::NotRegular("a FIFO (named pipe)")));
        assert!(started.elapsed().as_secs() < 2);
        assert_eq!(read_limited(Path::new("/dev/zero"), 1024), Err(ReadError::NotRegular("a device")));
        let socket = dir.path().join("socket");
        let _listener = std::os::unix::net::UnixListener::bind(&socket).unwrap();
        assert_eq!(read_limited(&socket, 1024), Err(ReadError::NotRegular("a socket")));
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&fifo, &link).unwrap();
        assert!(matches!(read_limited(&link, 1024), Err(ReadError::NotRegular(_))));
    }

    #[test]
    fn a_stream_cut_at_the_limit_does_not_claim_a_size() {
        let cut = ReadError::TooLarge { bytes: 1025, limit: 1024 };
        assert_eq!(cut.to_string(), "it is more than the 1024 bytes sfjwt reads");
        let sized = ReadError::TooLarge { bytes: 4096, limit: 1024 };
        assert_eq!(sized.to_string(), "it is 4096 bytes, more than the 1024 bytes sfjwt reads");
    }

    #[test]
    fn tells_binary_from_text() {
        assert!(looks_binary(&String::from_utf8_lossy(&[0x9f, 0x00, 0xc3, 0x28, 0xff, 0x01, 0x80, 0x7f])));
        assert!(!looks_binary("error: invalid_grant\n\u{1b}[31mred\u{1b}[0m\t"));
        assert!(!looks_binary(&format!("{}\0{}", "a".repeat(100), "b".repeat(100))));
        assert!(!looks_binary(""));
    }

    #[test]
    fn decodes_boms() {
        assert_eq!(decode_text(b"\xEF\xBB\xBFabc"), "abc");
        assert_eq!(decode_text(b"\xFF\xFEa\0b\0"), "ab");
        assert_eq!(decode_text(b"\xFE\xFF\0a\0b"), "ab");
    }
}
