//! Just enough HTTP/1.1 for the fakes, written by hand so that faults can misbehave at the byte
//! level.
//!
//! One request per connection; every response says `Connection: close`. Requests
//! are bounded in size ([`MAX_REQUEST_BYTES`]) and in idle time ([`IDLE_TIMEOUT`]).

use std::io::{self, BufRead, BufReader, Read, Take, Write};
use std::time::Duration;

use time::OffsetDateTime;
use time::macros::format_description;

/// The most a request (head and body) may take before the server answers 413.
pub const MAX_REQUEST_BYTES: u64 = 1024 * 1024;

/// How long a connection may stay silent, and how long a write may block.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(5);

pub const JSON: &str = "application/json;charset=UTF-8";
pub const HTML: &str = "text/html;charset=UTF-8";
pub const TEXT: &str = "text/plain;charset=UTF-8";

/// The `Cache-Control` value Salesforce puts on its responses.
const CACHE_CONTROL: &str = "no-cache,must-revalidate,max-age=0,no-store,private";

/// One request as the server received it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    pub method: String,
    /// The request target as sent, query string included.
    pub path: String,
    /// Header names keep the client's spelling; use [`Request::header`] to look one up.
    pub headers: Vec<(String, String)>,
    /// The body after chunked decoding (lossy UTF-8).
    pub body: String,
}

impl Request {
    /// The first value of a header, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(key, _)| key.eq_ignore_ascii_case(name)).map(|(_, value)| value.as_str())
    }

    /// The path without its query string.
    pub fn route(&self) -> &str {
        self.path.split('?').next().unwrap_or_default()
    }

    /// A query-string parameter, percent-decoded (`+` is a space).
    pub fn query(&self, name: &str) -> Option<String> {
        let (_, query) = self.path.split_once('?')?;
        query.split('&').find_map(|pair| pair.strip_prefix(name)?.strip_prefix('=')).map(percent_decode)
    }
}

/// `a%20b+c` → `a b c` (form encoding: `+` is a space); a `%` not followed by two hex digits
/// stays as it is.
pub fn percent_decode(text: &str) -> String {
    percent_encoding::percent_decode_str(&text.replace('+', " ")).decode_utf8_lossy().into_owned()
}

/// Why a request could not be read.
#[derive(Debug)]
pub enum ReadError {
    /// The client went away or stayed idle too long: nothing to answer.
    Gone,
    /// The request passed [`MAX_REQUEST_BYTES`].
    TooLarge,
    /// Not HTTP/1.x as we know it.
    Malformed,
}

type Reader<'a, W> = BufReader<Take<&'a mut W>>;

/// Reads one request, answering `Expect: 100-continue` on the way (curl sends it
/// for larger bodies and would otherwise pause a second).
pub fn read_request<W: Read + Write>(stream: &mut W) -> Result<Request, ReadError> {
    let mut reader = BufReader::new(stream.take(MAX_REQUEST_BYTES));
    let request_line = read_line(&mut reader)?;
    let mut parts = request_line.split(' ');
    let (Some(method), Some(path), Some(version)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(ReadError::Malformed);
    };
    if !version.starts_with("HTTP/1.") {
        return Err(ReadError::Malformed);
    }
    let mut request = Request {
        method: method.to_string(),
        path: path.to_string(),
        headers: read_headers(&mut reader)?,
        body: String::new(),
    };
    if request.header("expect").is_some_and(|value| value.eq_ignore_ascii_case("100-continue")) {
        let writer = reader.get_mut().get_mut();
        writer
            .write_all(b"HTTP/1.1 100 Continue\r\n\r\n")
            .and_then(|()| writer.flush())
            .map_err(|_| ReadError::Gone)?;
    }
    let body = read_body(&mut reader, &request)?;
    request.body = String::from_utf8_lossy(&body).into_owned();
    Ok(request)
}

fn read_headers<W: Read>(reader: &mut Reader<W>) -> Result<Vec<(String, String)>, ReadError> {
    let mut headers = Vec::new();
    loop {
        let line = read_line(reader)?;
        if line.is_empty() {
            return Ok(headers);
        }
        let (name, value) = line.split_once(':').ok_or(ReadError::Malformed)?;
        headers.push((name.trim().to_string(), value.trim().to_string()));
    }
}

fn read_body<W: Read>(reader: &mut Reader<W>, request: &Request) -> Result<Vec<u8>, ReadError> {
    let chunked =
        request.header("transfer-encoding").is_some_and(|value| value.to_ascii_lowercase().contains("chunked"));
    if chunked {
        return read_chunked_body(reader);
    }
    let length: u64 = match request.header("content-length") {
        Some(value) => value.parse().map_err(|_| ReadError::Malformed)?,
        None => 0,
    };
    if length > MAX_REQUEST_BYTES {
        return Err(ReadError::TooLarge);
    }
    let mut body = vec![0; length as usize];
    reader.read_exact(&mut body).map_err(|_| end_of_input(reader))?;
    Ok(body)
}

/// Decodes `Transfer-Encoding: chunked` (the sf CLI's undici sends its form this way).
fn read_chunked_body<W: Read>(reader: &mut Reader<W>) -> Result<Vec<u8>, ReadError> {
    let mut body = Vec::new();
    loop {
        let size_line = read_line(reader)?;
        let size_hex = size_line.split(';').next().unwrap_or_default().trim();
        let size = usize::from_str_radix(size_hex, 16).map_err(|_| ReadError::Malformed)?;
        if size == 0 {
            // Skip any trailer fields up to the blank line that ends the message.
            while !read_line(reader)?.is_empty() {}
            return Ok(body);
        }
        let start = body.len();
        body.resize(start + size, 0);
        reader.read_exact(&mut body[start..]).map_err(|_| end_of_input(reader))?;
        if !read_line(reader)?.is_empty() {
            return Err(ReadError::Malformed);
        }
    }
}

/// Reads one CRLF- (or LF-) terminated line, without its terminator.
fn read_line<W: Read>(reader: &mut Reader<W>) -> Result<String, ReadError> {
    let mut line = Vec::new();
    match reader.read_until(b'\n', &mut line) {
        Ok(_) if line.ends_with(b"\n") => {
            let text = String::from_utf8_lossy(&line);
            Ok(text.trim_end_matches(['\r', '\n']).to_string())
        }
        _ => Err(end_of_input(reader)),
    }
}

/// Input ended early: either the size cap cut it or the client did.
fn end_of_input<W: Read>(reader: &Reader<W>) -> ReadError {
    if reader.get_ref().limit() == 0 { ReadError::TooLarge } else { ReadError::Gone }
}

/// A complete response, written in one go by [`Response::write_to`].
#[derive(Clone, Debug)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn new(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Response {
        Response { status, headers: vec![("Content-Type".to_string(), content_type.to_string())], body: body.into() }
    }

    pub fn with_header(mut self, name: &str, value: &str) -> Response {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    /// Status line and headers, Salesforce's standard ones included, up to the
    /// blank line. `Content-Length` is the body's.
    pub fn head(&self, now: OffsetDateTime) -> String {
        head(self.status, &self.headers, self.body.len(), now)
    }

    pub fn write_to(&self, stream: &mut impl Write, now: OffsetDateTime) -> io::Result<()> {
        let mut bytes = self.head(now).into_bytes();
        bytes.extend_from_slice(&self.body);
        stream.write_all(&bytes)?;
        stream.flush()
    }
}

/// A response head for a body of `content_length` bytes that the caller sends itself.
pub fn head(status: u16, headers: &[(String, String)], content_length: usize, now: OffsetDateTime) -> String {
    let mut head = format!("HTTP/1.1 {status} {}\r\n", reason_phrase(status));
    head += &format!("Date: {}\r\n", imf_fixdate(now));
    for (name, value) in headers {
        head += &format!("{name}: {value}\r\n");
    }
    head += &format!("Cache-Control: {CACHE_CONTROL}\r\n");
    head += &format!("Content-Length: {content_length}\r\n");
    head += "Connection: close\r\n\r\n";
    head
}

/// RFC 7231 IMF-fixdate, e.g. `Sun, 06 Nov 1994 08:49:37 GMT`.
pub fn imf_fixdate(now: OffsetDateTime) -> String {
    let format =
        format_description!("[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT");
    now.format(format).expect("an IMF-fixdate can be formatted for any UTC time")
}

fn reason_phrase(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        302 => "Found",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        413 => "Payload Too Large",
        420 => "Method Failure",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Unknown",
    }
}
