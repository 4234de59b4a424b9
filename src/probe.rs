//! The live probe: posts the assertion to the token endpoint exactly as the sf CLI does (form
//! fields `grant_type` and `assertion`, nothing else), once per planned (host, aud) attempt, and
//! records what came back. The access token of a success is dropped on arrival.

use std::time::Duration;

use serde::Serialize;
use serde_json::Value;
use time::OffsetDateTime;

use crate::{
    captured::{Answer, Symptom},
    http::{self, Client, Failure, Response},
    secret::{Secret, scrub},
};

pub const GRANT_TYPE: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

/// One token request to make: where, and with which assertion.
pub struct Planned {
    pub login: String,
    pub audience: String,
    pub assertion: Secret<String>,
    /// [`GRANT_TYPE`] for a JWT, [`crate::saml::GRANT_TYPE`] for a SAML assertion.
    pub grant_type: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct Attempt {
    pub login: String,
    pub audience: String,
    pub token_url: String,
    pub outcome: Outcome,
    pub elapsed_ms: u64,
    /// The exchange with secrets masked, for the support bundle and `-v`.
    pub transcript: Transcript,
}

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Outcome {
    /// A token was issued (the token itself is not kept).
    Token(TokenInfo),
    /// An OAuth error or an HTML page: something the classifier reads.
    Answer(Answer),
    /// An answer that is neither a token nor an OAuth error (a redirect, an odd status, not JSON).
    Unexpected { status: u16, content_type: Option<String>, location: Option<String>, snippet: String },
    /// No HTTP answer at all.
    Network { failure: String, tls: bool },
    /// Not sent, and why.
    NotSent { reason: String },
}

#[derive(Debug, Clone, Serialize)]
pub struct TokenInfo {
    pub scopes: Vec<String>,
    pub instance_url: Option<String>,
    pub org_id: Option<String>,
    pub user_id: Option<String>,
    pub token_type: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Transcript {
    pub request: String,
    pub response: Option<String>,
}

/// The server's clock, read from a response's `Date` header, against ours at that moment.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct ClockReading {
    #[serde(with = "time::serde::timestamp")]
    pub server: OffsetDateTime,
    #[serde(with = "time::serde::timestamp")]
    pub local: OffsetDateTime,
}

impl ClockReading {
    /// Whole seconds, positive when the local clock is ahead of Salesforce's (a `Date` header
    /// has no fractions, so neither does the local reading).
    pub fn skew(&self) -> i64 {
        self.local.unix_timestamp() - self.server.unix_timestamp()
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Probe {
    pub attempts: Vec<Attempt>,
    pub clock: Option<ClockReading>,
}

impl Probe {
    pub fn succeeded(&self) -> Option<&Attempt> {
        self.attempts.iter().find(|a| matches!(a.outcome, Outcome::Token(_)))
    }
}

/// Posts each planned attempt in order and stops at the first token, as the sf CLI does.
///
/// When the first host is loopback (a local test server), assertions are never sent anywhere
/// else: `--try-audiences` then only tries the combinations on that host.
pub fn run(plan: Vec<Planned>, timeout: Duration) -> Probe {
    let client = Client::new(timeout);
    let mut probe = Probe { attempts: Vec::new(), clock: None };
    let local_only = plan.first().is_some_and(|p| is_loopback(&p.login));
    for planned in plan {
        let token_url = token_url(&planned.login);
        if local_only && !is_loopback(&planned.login) {
            let reason = "not sent: with a loopback instance URL, sfjwt sends assertions nowhere else".to_string();
            probe.attempts.push(Attempt {
                login: planned.login,
                audience: planned.audience,
                token_url,
                outcome: Outcome::NotSent { reason },
                elapsed_ms: 0,
                transcript: Transcript::default(),
            });
            continue;
        }
        let grant_type = planned.grant_type;
        let request = format!(
            "POST {token_url}\nContent-Type: application/x-www-form-urlencoded\n\ngrant_type={}&assertion=[redacted]",
            url::form_urlencoded::byte_serialize(grant_type.as_bytes()).collect::<String>()
        );
        let result =
            client.post_form(&token_url, &[("grant_type", grant_type), ("assertion", planned.assertion.expose())]);
        let (outcome, response, elapsed) = match result {
            Ok(response) => {
                if probe.clock.is_none() {
                    probe.clock = response
                        .header("date")
                        .and_then(parse_http_date)
                        .map(|server| ClockReading { server, local: OffsetDateTime::now_utc() });
                }
                (interpret(&response), Some(describe_response(&response)), response.elapsed)
            }
            Err(Failure::Insecure) => (Outcome::NotSent { reason: Failure::Insecure.describe() }, None, Duration::ZERO),
            Err(failure) => {
                (Outcome::Network { failure: failure.describe(), tls: failure.is_tls() }, None, Duration::ZERO)
            }
        };
        let done = matches!(outcome, Outcome::Token(_));
        probe.attempts.push(Attempt {
            login: planned.login,
            audience: planned.audience,
            token_url,
            outcome,
            elapsed_ms: elapsed.as_millis() as u64,
            transcript: Transcript { request, response },
        });
        if done {
            break;
        }
    }
    probe
}

fn is_loopback(url: &str) -> bool {
    crate::evidence::host::Url::parse(url).is_ok_and(|u| u.is_loopback())
}

/// jsforce's rule: the login URL, a `/` if it lacks one, then `services/oauth2/token`.
pub fn token_url(login: &str) -> String {
    let slash = if login.ends_with('/') { "" } else { "/" };
    format!("{login}{slash}services/oauth2/token")
}

/// Classifies a token endpoint answer given as its parts, exactly as a live probe does. The entry
/// point for fuzzing and tests: a [`Response`] otherwise only comes from the network.
pub fn interpret_parts(status: u16, headers: Vec<(String, String)>, body: String) -> Outcome {
    interpret(&Response { status, headers, body, truncated: false, elapsed: Duration::ZERO })
}

fn interpret(response: &Response) -> Outcome {
    let status = response.status;
    if (300..400).contains(&status) {
        return unexpected(response);
    }
    if response.is_json()
        && let Ok(Value::Object(body)) = serde_json::from_str::<Value>(&response.body)
    {
        if status == 200 && body.contains_key("access_token") {
            return Outcome::Token(token_info(&body));
        }
        if let Some(error) = body.get("error").and_then(Value::as_str) {
            let description = body.get("error_description").and_then(Value::as_str).unwrap_or_default();
            return Outcome::Answer(Answer {
                error: Some(error.to_string()),
                description: scrub(description),
                kind: Symptom::classify(Some(error), description),
                login: None,
                audience: None,
                http_status: Some(status),
            });
        }
    }
    let html = response.header("content-type").is_some_and(|t| t.contains("html"))
        || response.body.trim_start().starts_with('<');
    if html {
        return Outcome::Answer(Answer {
            error: None,
            description: html_summary(&response.body),
            kind: Symptom::Html,
            login: None,
            audience: None,
            http_status: Some(status),
        });
    }
    unexpected(response)
}

fn unexpected(response: &Response) -> Outcome {
    Outcome::Unexpected {
        status: response.status,
        content_type: response.header("content-type").map(str::to_string),
        location: response.header("location").map(str::to_string),
        snippet: snippet(&response.body),
    }
}

fn token_info(body: &serde_json::Map<String, Value>) -> TokenInfo {
    let text = |name: &str| body.get(name).and_then(Value::as_str).map(str::to_string);
    // The `id` URL ends in /id/<org id>/<user id>.
    let ids: Vec<String> =
        text("id").map(|id| id.rsplit('/').take(2).map(str::to_string).collect()).unwrap_or_default();
    TokenInfo {
        scopes: text("scope").map(|s| s.split_whitespace().map(str::to_string).collect()).unwrap_or_default(),
        instance_url: text("instance_url"),
        org_id: ids.get(1).cloned(),
        user_id: ids.first().cloned(),
        token_type: text("token_type"),
    }
}

/// The title (or first words) of an HTML page, enough to recognise it.
fn html_summary(body: &str) -> String {
    let lower = body.to_ascii_lowercase();
    let title = lower.find("<title>").and_then(|start| {
        let end = lower[start..].find("</title>")? + start;
        Some(body[start + 7..end].trim().to_string())
    });
    match title {
        Some(title) if !title.is_empty() => format!("HTML page: {}", snippet(&title)),
        _ => format!("HTML page: {}", snippet(body)),
    }
}

/// At most 200 characters of a body, secrets scrubbed, on one line.
fn snippet(body: &str) -> String {
    let flat: String = body.split_whitespace().collect::<Vec<_>>().join(" ");
    let cut: String = flat.chars().take(200).collect();
    let suffix = if flat.chars().count() > 200 { "…" } else { "" };
    format!("{}{suffix}", scrub(&cut))
}

fn describe_response(response: &Response) -> String {
    let headers: Vec<String> = response
        .headers
        .iter()
        .filter(|(name, _)| !name.eq_ignore_ascii_case("set-cookie"))
        .map(|(name, value)| format!("{name}: {value}"))
        .collect();
    let body = mask_token(&response.body);
    let truncated =
        if response.truncated { format!("\n[body cut at {} bytes]", http::BODY_LIMIT) } else { String::new() };
    format!("HTTP {}\n{}\n\n{}{truncated}", response.status, headers.join("\n"), scrub(&body))
}

/// Replaces the `access_token` value of a token response, whatever its shape.
fn mask_token(body: &str) -> String {
    match serde_json::from_str::<Value>(body) {
        Ok(Value::Object(mut map)) if map.contains_key("access_token") => {
            map.insert("access_token".into(), Value::String("[redacted]".into()));
            map.remove("refresh_token");
            Value::Object(map).to_string()
        }
        _ => body.to_string(),
    }
}

/// An HTTP `Date` (RFC 9110: IMF-fixdate `Sun, 22 Nov 2026 21:40:42 GMT`, and the obsolete
/// RFC 850 and asctime forms a recipient must also accept).
pub fn parse_http_date(value: &str) -> Option<OffsetDateTime> {
    httpdate::parse_http_date(value.trim()).ok().map(OffsetDateTime::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_urls_follow_jsforce() {
        assert_eq!(token_url("https://login.salesforce.com"), "https://login.salesforce.com/services/oauth2/token");
        assert_eq!(
            token_url("https://acme.my.salesforce.com/"),
            "https://acme.my.salesforce.com/services/oauth2/token"
        );
        assert_eq!(token_url("http://127.0.0.1:9/x/"), "http://127.0.0.1:9/x/services/oauth2/token");
    }

    #[test]
    fn reads_http_dates() {
        let unix = |value: &str| parse_http_date(value).map(OffsetDateTime::unix_timestamp);
        assert_eq!(unix("Sun, 22 Nov 2026 21:40:00 GMT"), Some(1_795_383_600));
        assert_eq!(unix("Sunday, 22-Nov-26 21:40:00 GMT"), Some(1_795_383_600));
        assert_eq!(unix("Sun Nov 22 21:40:00 2026"), Some(1_795_383_600));
        assert_eq!(unix("yesterday"), None);
    }

    #[test]
    fn interprets_answers_from_their_parts() {
        let json = || vec![("Content-Type".to_string(), "application/json".to_string())];
        let token = r#"{"access_token":"x","scope":"api id","id":"https://login.salesforce.com/id/00D/005"}"#;
        match interpret_parts(200, json(), token.into()) {
            Outcome::Token(info) => {
                assert_eq!(info.scopes, ["api", "id"]);
                assert_eq!((info.org_id.as_deref(), info.user_id.as_deref()), (Some("00D"), Some("005")));
            }
            other => panic!("{other:?}"),
        }
        let error = r#"{"error":"invalid_grant","error_description":"user hasn't approved this consumer"}"#;
        assert!(matches!(
            interpret_parts(400, json(), error.into()),
            Outcome::Answer(Answer { http_status: Some(400), .. })
        ));
        assert!(matches!(interpret_parts(302, Vec::new(), String::new()), Outcome::Unexpected { status: 302, .. }));
    }

    #[test]
    fn masks_access_tokens() {
        let body = r#"{"access_token":"00Dxx0000001gPL!AR8AQJXg5oj8jXSgxJfA0lBog.39AsX","scope":"api"}"#;
        assert!(!mask_token(body).contains("AR8AQ"));
    }
}
