//! Reading user files: bounded in size, with errors that say what to do.

use std::{fmt, fs, io::Read, path::Path};

/// Keys, certificates, JWTs and metadata are a few KB; anything past this is not what we want.
pub const MAX_INPUT_BYTES: u64 = 1024 * 1024;
/// Captured outputs can hold long logs.
pub const MAX_CAPTURE_BYTES: u64 = 8 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadError {
    NotFound,
    IsDirectory,
    PermissionDenied,
    TooLarge { bytes: u64, limit: u64 },
    Other(String),
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::NotFound => f.write_str("no such file"),
            ReadError::IsDirectory => f.write_str("it is a directory, not a file"),
            ReadError::PermissionDenied => f.write_str("permission denied"),
            ReadError::TooLarge { bytes, limit } => {
                write!(f, "it is {bytes} bytes, more than the {limit} bytes sfjwt reads")
            }
            ReadError::Other(message) => f.write_str(message),
        }
    }
}

/// Reads a whole file, refusing directories and anything larger than `limit` before reading it.
pub fn read_limited(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    let meta = fs::metadata(path).map_err(io_error)?;
    if meta.is_dir() {
        return Err(ReadError::IsDirectory);
    }
    if meta.len() > limit {
        return Err(ReadError::TooLarge { bytes: meta.len(), limit });
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    // `take` guards against files that grow, and against special files whose length is 0.
    fs::File::open(path).map_err(io_error)?.take(limit + 1).read_to_end(&mut bytes).map_err(io_error)?;
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

    #[test]
    fn decodes_boms() {
        assert_eq!(decode_text(b"\xEF\xBB\xBFabc"), "abc");
        assert_eq!(decode_text(b"\xFF\xFEa\0b\0"), "ab");
        assert_eq!(decode_text(b"\xFE\xFF\0a\0b"), "ab");
    }
}
