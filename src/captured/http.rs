//! HTTP transcripts: `curl -i` / `curl -v` output, proxy dumps, hand-written exchanges. Each
//! response is one answer; the request before it (when shown) gives its host and, through the
//! redacted assertion's claims, its `aud`.

use super::facts::{header_value, strip_curl_marker, with_scheme};
use super::freetext::body_answer;
use super::scan::Text;
use super::{Captured, Form, Outcome};
use crate::scrub::{JwtClaims as Claims, claims_for, jwt_index};

const METHODS: &[&str] = &["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

#[derive(Default)]
struct Request<'a> {
    /// The request target: a path, or an absolute URL through a proxy.
    target: &'a str,
    host: Option<&'a str>,
    body: Vec<&'a str>,
}

struct Response<'a> {
    status: u16,
    body: Vec<&'a str>,
    /// Index of the request this answers (the last one shown before it).
    request: Option<usize>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Part {
    Preamble,
    RequestHead,
    RequestBody,
    ResponseHead,
    ResponseBody,
}

pub(super) fn transcript(text: &Text, claims: &[Claims], captured: &mut Captured) -> Option<Outcome> {
    let (requests, responses) = split(text.raw);
    if responses.is_empty() {
        return None;
    }
    let first_error = responses.iter().find(|r| r.status >= 400).or(responses.first());
    captured.set_http_status(first_error.map(|r| r.status));

    let mut outcome = Outcome::new(Form::HttpTranscript);
    for request in &requests {
        if let Some(index) = request.body.iter().find_map(|line| jwt_index(line.split_once("assertion=")?.1)) {
            outcome.sent.push((index, request_origin(request)));
        }
    }
    for response in &responses {
        let Some(mut answer) = body_answer(&response.body.join("\n"), Some(response.status)) else {
            continue;
        };
        answer.http_status = Some(response.status);
        if let Some(request) = response.request.map(|i| &requests[i]) {
            answer.login = request_origin(request);
            answer.audience = assertion_claims(request, claims).and_then(|c| c.aud.clone());
        }
        captured.push_answer(answer);
    }
    outcome.success = responses.iter().all(|r| r.status < 400) && captured.answers.is_empty();
    Some(outcome)
}

/// Splits the transcript into requests and responses.
fn split(raw: &str) -> (Vec<Request<'_>>, Vec<Response<'_>>) {
    let mut requests: Vec<Request> = Vec::new();
    let mut responses: Vec<Response> = Vec::new();
    let mut part = Part::Preamble;
    for raw_line in raw.lines() {
        // curl -v chatter: `* Connected to …`, `{ [5 bytes data]`.
        if raw_line.starts_with('*') || raw_line.starts_with("{ [") || raw_line.starts_with("} [") {
            continue;
        }
        let line = match raw_line {
            ">" | "<" => "",
            _ => strip_curl_marker(raw_line),
        };
        if let Some(target) = request_target(line) {
            requests.push(Request { target, ..Request::default() });
            part = Part::RequestHead;
            continue;
        }
        if let Some(status) = status_of(line) {
            responses.push(Response { status, body: Vec::new(), request: requests.len().checked_sub(1) });
            part = Part::ResponseHead;
            continue;
        }
        let blank = line.trim().is_empty();
        if matches!(part, Part::RequestHead | Part::ResponseHead) && (blank || !is_header(line)) {
            // Hand-written transcripts often omit the blank line before the body.
            part = if part == Part::RequestHead { Part::RequestBody } else { Part::ResponseBody };
            if blank {
                continue;
            }
        }
        match part {
            Part::RequestHead => {
                if let (Some(request), Some(host)) = (requests.last_mut(), header_value(line, "host")) {
                    request.host = Some(host);
                }
            }
            Part::RequestBody => requests.last_mut().into_iter().for_each(|r| r.body.push(line)),
            Part::ResponseBody => responses.last_mut().into_iter().for_each(|r| r.body.push(line)),
            Part::ResponseHead | Part::Preamble => {}
        }
    }
    (requests, responses)
}

/// `Name: value`, with a token for a name.
fn is_header(line: &str) -> bool {
    line.split_once(':')
        .is_some_and(|(name, _)| !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
}

/// `POST /services/oauth2/token HTTP/1.1` → the target.
fn request_target(line: &str) -> Option<&str> {
    let mut words = line.split_whitespace();
    let method = words.next()?;
    let target = words.next()?;
    let version = words.next()?;
    (METHODS.contains(&method) && version.starts_with("HTTP/") && words.next().is_none()).then_some(target)
}

/// `HTTP/1.1 400 Bad Request` (or `HTTP/2 400`) → 400.
fn status_of(line: &str) -> Option<u16> {
    let mut words = line.split_whitespace();
    let version = words.next()?.strip_prefix("HTTP/")?;
    if !version.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let code = words.next()?;
    (code.len() == 3).then(|| code.parse().ok()).flatten().filter(|status| (100..=599).contains(status))
}

fn request_origin(request: &Request) -> Option<String> {
    if let Some(origin) = crate::sf_cli::origin(request.target) {
        return Some(origin);
    }
    crate::sf_cli::origin(&with_scheme(request.host?))
}

/// The claims of the assertion in a form body (`…&assertion=[REDACTED-JWT-n]`).
fn assertion_claims<'c>(request: &Request, claims: &'c [Claims]) -> Option<&'c Claims> {
    request.body.iter().find_map(|line| {
        let (_, value) = line.split_once("assertion=")?;
        claims_for(value, claims)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_and_status_lines() {
        assert_eq!(request_target("POST /services/oauth2/token HTTP/1.1"), Some("/services/oauth2/token"));
        assert_eq!(
            request_target("POST https://x/services/oauth2/token HTTP/2"),
            Some("https://x/services/oauth2/token")
        );
        assert_eq!(request_target("POST the form"), None);
        assert_eq!(status_of("HTTP/1.1 400 Bad Request"), Some(400));
        assert_eq!(status_of("HTTP/2 500"), Some(500));
        assert_eq!(status_of("HTTP/1.1 4000"), None);
        assert_eq!(status_of("HTTP/x 400"), None);
    }
}
