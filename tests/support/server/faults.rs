//! Misbehaving servers: network and HTTP failures a client must survive. A fault answers every
//! request the same way, whatever its path or body, with what Salesforce's token endpoint would
//! send in that situation.

use std::io;
use std::thread;
use std::time::Duration;

use time::OffsetDateTime;

use super::Wire;
use super::http::{self, JSON, Request, Response};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Nothing listens on the port: connecting fails with "connection refused".
    Refuse,
    /// Reads the request, sends the first bytes of a response head, then resets
    /// the connection (RST, via `SO_LINGER` 0).
    ResetMidResponse,
    /// Reads the request and stays silent this long, then sends [`SUCCESS_BODY`].
    SlowHeaders(Duration),
    /// Reads the request and never answers: the connection stays open, silent, until the client
    /// gives up and closes it.
    Silent,
    /// Sends the head (with `Content-Length`) at once, then trickles
    /// [`SUCCESS_BODY`] a byte at a time, spread over this long.
    SlowBody(Duration),
    /// This status with Salesforce's "Data Not Available" HTML page, as during
    /// maintenance or for an org that is not ready (§2.4 E19).
    Html(u16),
    /// A 400 JSON error whose body is this many bytes (at least the ~60 the JSON
    /// needs), streamed, for clients that must cap what they read.
    HugeBody(usize),
    /// `302 Found` to this `Location`. A request for the location's own path gets
    /// a 200 HTML login page instead, so a client that follows shows up in
    /// `requests()` without looping.
    Redirect(String),
    /// Exactly this response (plus the standard headers).
    Canned { status: u16, content_type: String, body: String },
    /// `200 OK` with a `text/plain` body.
    NotJson,
    /// `HTTP/1.1 <status_line>`, these headers and this body, written as they are, with only
    /// `Content-Length` and `Connection: close` added: answers no real server sends, such as a
    /// status line or a header holding a secret.
    Raw { status_line: String, headers: Vec<(String, String)>, body: String },
}

/// A well-formed success, sent after the slow faults' delays so that a patient
/// client can be told apart from one that gave up.
pub const SUCCESS_BODY: &str = concat!(
    r#"{"access_token":"00D000000000001!ARslowButFine","scope":"api refresh_token web","#,
    r#""instance_url":"https://example.my.salesforce.com","#,
    r#""id":"https://login.salesforce.com/id/00D000000000001EAA/005000000000001AAA","#,
    r#""token_type":"Bearer","issued_at":"1795343759160"}"#
);

/// Salesforce's maintenance page text (§2.4 E19); the markup is ours.
const DATA_NOT_AVAILABLE_PAGE: &str = "<!DOCTYPE html>\n<html><head><title>Data Not Available</title></head>\n\
    <body><h1>Data Not Available</h1>\n\
    <p>The data you were trying to access could not be found. It may be due to another user \
    deleting the data or a system error. If you know the data is not deleted but cannot access \
    it, please look at our support page.</p>\n</body></html>\n";

const LOGIN_PAGE: &str = "<!DOCTYPE html>\n<html><head><title>Login | Salesforce</title></head>\n\
    <body><form method=\"post\" action=\"/\"><input name=\"username\"></form></body></html>\n";

/// Serves one already-read request with the fault. Errors mean the client left.
pub fn serve(fault: &Fault, stream: &mut impl Wire, request: &Request, now: OffsetDateTime) -> io::Result<()> {
    match fault {
        // No connection ever reaches a refusing server.
        Fault::Refuse => Ok(()),
        Fault::ResetMidResponse => reset_mid_response(stream, now),
        Fault::SlowHeaders(delay) => {
            thread::sleep(*delay);
            Response::new(200, JSON, SUCCESS_BODY).write_to(stream, now)
        }
        Fault::Silent => wait_for_the_client_to_leave(stream),
        Fault::SlowBody(duration) => trickle_body(stream, *duration, now),
        Fault::Html(status) => Response::new(*status, http::HTML, DATA_NOT_AVAILABLE_PAGE).write_to(stream, now),
        Fault::HugeBody(size) => huge_json_error(stream, *size, now),
        Fault::Redirect(location) => redirect(location, request).write_to(stream, now),
        Fault::Canned { status, content_type, body } => {
            Response::new(*status, content_type, body.as_str()).write_to(stream, now)
        }
        Fault::NotJson => Response::new(200, http::TEXT, "OK: this is not JSON\n").write_to(stream, now),
        Fault::Raw { status_line, headers, body } => raw(stream, status_line, headers, body),
    }
}

/// Reads (and drops) whatever the client still sends until it closes the connection; the
/// socket's idle time-out only wakes the loop.
fn wait_for_the_client_to_leave(stream: &mut impl Wire) -> io::Result<()> {
    let mut buffer = [0; 1024];
    loop {
        match stream.read(&mut buffer) {
            Ok(0) => return Ok(()),
            Ok(_) => {}
            Err(error) if matches!(error.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut) => {}
            Err(error) => return Err(error),
        }
    }
}

fn raw(stream: &mut impl Wire, status_line: &str, headers: &[(String, String)], body: &str) -> io::Result<()> {
    let mut response = format!("HTTP/1.1 {status_line}\r\nContent-Length: {}\r\nConnection: close\r\n", body.len());
    for (name, value) in headers {
        response += &format!("{name}: {value}\r\n");
    }
    response += "\r\n";
    response += body;
    stream.write_all(response.as_bytes())?;
    stream.flush()
}

fn reset_mid_response(stream: &mut impl Wire, now: OffsetDateTime) -> io::Result<()> {
    let head = Response::new(200, JSON, SUCCESS_BODY).head(now);
    stream.write_all(&head.as_bytes()[..head.len() / 2])?;
    stream.flush()?;
    // Let the partial head reach the client before the reset overtakes it.
    thread::sleep(Duration::from_millis(20));
    // With linger 0, closing sends RST instead of FIN: the client sees
    // "connection reset", not a clean end of stream.
    socket2::SockRef::from(stream.socket()).set_linger(Some(Duration::ZERO))
}

fn trickle_body(stream: &mut impl Wire, duration: Duration, now: OffsetDateTime) -> io::Result<()> {
    let response = Response::new(200, JSON, SUCCESS_BODY);
    stream.write_all(response.head(now).as_bytes())?;
    stream.flush()?;
    let pause = duration / SUCCESS_BODY.len() as u32;
    for byte in SUCCESS_BODY.as_bytes() {
        thread::sleep(pause);
        stream.write_all(std::slice::from_ref(byte))?;
        stream.flush()?;
    }
    Ok(())
}

/// `{"error":"invalid_grant","error_description":"xxxx…"}`, `size` bytes long,
/// written in slices so that a huge size costs no memory.
fn huge_json_error(stream: &mut impl Wire, size: usize, now: OffsetDateTime) -> io::Result<()> {
    const PREFIX: &str = r#"{"error":"invalid_grant","error_description":""#;
    const SUFFIX: &str = r#""}"#;
    static SLICE: [u8; 64 * 1024] = [b'x'; 64 * 1024];
    let mut padding = size.saturating_sub(PREFIX.len() + SUFFIX.len());
    let headers = [("Content-Type".to_string(), JSON.to_string())];
    let length = PREFIX.len() + padding + SUFFIX.len();
    stream.write_all(http::head(400, &headers, length, now).as_bytes())?;
    stream.write_all(PREFIX.as_bytes())?;
    while padding > 0 {
        let n = padding.min(SLICE.len());
        stream.write_all(&SLICE[..n])?;
        padding -= n;
    }
    stream.write_all(SUFFIX.as_bytes())?;
    stream.flush()
}

fn redirect(location: &str, request: &Request) -> Response {
    if request.route() == path_of(location) {
        return Response::new(200, http::HTML, LOGIN_PAGE);
    }
    let body = format!("<html><body>Moved to <a href=\"{location}\">{location}</a></body></html>\n");
    Response::new(302, http::HTML, body).with_header("Location", location)
}

/// `http://host:1/a/b?c` → `/a/b`; a relative location is already a path.
fn path_of(location: &str) -> &str {
    let without_origin = match location.split_once("://") {
        Some((_, rest)) => rest.find('/').map_or("/", |slash| &rest[slash..]),
        None => location,
    };
    without_origin.split('?').next().unwrap_or_default()
}
