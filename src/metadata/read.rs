//! Bounded, encoding-aware reading of untrusted files.

use std::io::Read;
use std::path::Path;

use super::MetadataError;

const UTF8_BOM: &[u8] = &[0xEF, 0xBB, 0xBF];
const UTF16_LE_BOM: &[u8] = &[0xFF, 0xFE];
const UTF16_BE_BOM: &[u8] = &[0xFE, 0xFF];

/// Reads a text file of at most `limit` bytes, decoding UTF-8 (with or
/// without a BOM) or UTF-16 (by its BOM).
pub(crate) fn read_text(path: &Path, limit: u64) -> Result<String, MetadataError> {
    let bytes = read_bounded(path, limit)?;
    decode_text(path, &bytes)
}

/// Decodes bytes already read (or given in memory) as `read_text` does; `path` names them in errors.
pub(crate) fn decode_text(path: &Path, bytes: &[u8]) -> Result<String, MetadataError> {
    decode(bytes).map_err(|message| MetadataError::NotXml { path: path.to_path_buf(), message })
}

/// Checks the size from metadata first so a huge file is never read, then
/// reads through `take` in case the file grows between the two steps.
pub(crate) fn read_bounded(path: &Path, limit: u64) -> Result<Vec<u8>, MetadataError> {
    let io_error = |error: std::io::Error| MetadataError::Io { path: path.to_path_buf(), message: error.to_string() };
    // A FIFO or device is refused before it is opened: opening a FIFO blocks.
    let (file, metadata) = crate::files::open_regular(path)
        .map_err(|error| MetadataError::Io { path: path.to_path_buf(), message: error.to_string() })?;
    if metadata.len() > limit {
        return Err(MetadataError::TooLarge { path: path.to_path_buf(), bytes: metadata.len() });
    }
    let mut bytes = Vec::new();
    file.take(limit + 1).read_to_end(&mut bytes).map_err(io_error)?;
    if bytes.len() as u64 > limit {
        return Err(MetadataError::TooLarge { path: path.to_path_buf(), bytes: bytes.len() as u64 });
    }
    Ok(bytes)
}

fn decode(bytes: &[u8]) -> Result<String, String> {
    let text = if let Some(rest) = bytes.strip_prefix(UTF8_BOM) {
        utf8(rest)?
    } else if let Some(rest) = bytes.strip_prefix(UTF16_LE_BOM) {
        utf16(rest, u16::from_le_bytes)?
    } else if let Some(rest) = bytes.strip_prefix(UTF16_BE_BOM) {
        utf16(rest, u16::from_be_bytes)?
    } else {
        utf8(bytes)?
    };
    if text.trim().is_empty() {
        return Err("the file is empty".to_string());
    }
    Ok(text)
}

fn utf8(bytes: &[u8]) -> Result<String, String> {
    String::from_utf8(bytes.to_vec()).map_err(|_| "not UTF-8 or UTF-16 text; is it a binary file?".to_string())
}

fn utf16(bytes: &[u8], to_unit: fn([u8; 2]) -> u16) -> Result<String, String> {
    if !bytes.len().is_multiple_of(2) {
        return Err("UTF-16 text with an odd number of bytes; the file is truncated".to_string());
    }
    let units: Vec<u16> = bytes.chunks_exact(2).map(|pair| to_unit([pair[0], pair[1]])).collect();
    String::from_utf16(&units).map_err(|_| "invalid UTF-16 text".to_string())
}

#[cfg(test)]
mod tests {
    use super::decode;

    #[test]
    fn decodes_utf8_with_and_without_bom() {
        assert_eq!(decode(b"\xEF\xBB\xBF<a/>").unwrap(), "<a/>");
        assert_eq!(decode(b"<a/>").unwrap(), "<a/>");
    }

    #[test]
    fn decodes_utf16_both_byte_orders() {
        assert_eq!(decode(b"\xFF\xFE<\0a\0/\0>\0").unwrap(), "<a/>");
        assert_eq!(decode(b"\xFE\xFF\0<\0a\0/\0>").unwrap(), "<a/>");
    }

    #[test]
    fn rejects_odd_utf16_binary_and_empty() {
        assert!(decode(b"\xFF\xFE<\0a").is_err());
        assert!(decode(b"\x00\x9F\x92\x96").is_err());
        assert!(decode(b"").is_err());
        assert!(decode(b"\xEF\xBB\xBF \n").is_err());
    }
}
