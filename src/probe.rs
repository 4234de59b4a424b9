//! The live probe: posts the assertion to the token endpoint exactly as the sf CLI does (form
//! fields `grant_type` and `assertion`, nothing else), once per planned (host, aud) attempt, and
//! records what came back. The access token of a success is dropped on arrival.

use std::time::Duration;

use serde::Serialize;
use serde_json::Value;
use time::OffsetDateTime;

use crate::{
    captured::{Answer, Symptom},
    evidence::jwt::Jws,
    http::{self, Client, Failure, Response},
    scrub::scrub,
    secret::Secret,
};

pub const GRANT_TYPE: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

/// One token request to make: where, and with which credential.
pub struct Planned {
    pub login: String,
    pub audience: String,
    pub credential: Credential,
}

/// What a token request carries: a JWS that parsed, or a SAML assertion that parsed, and nothing
/// else. The fields are private, so a key file, an access token or prose given as `--assertion`
/// cannot reach a token endpoint whatever path it takes through the evidence.
pub struct Credential {
    grant_type: &'static str,
    assertion: Secret<String>,
}

impl Credential {
    pub fn jwt(jws: Jws) -> Credential {
        Credential { grant_type: GRANT_TYPE, assertion: Secret::new(jws.expose().to_string()) }
    }

    /// The assertion's wire form (base64url of its XML), if it is one the grant takes.
    pub fn saml(reading: &crate::saml::Reading) -> Option<Credential> {
        Some(Credential { grant_type: crate::saml::GRANT_TYPE, assertion: reading.wire_form()? })
    }
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

/// At most this many token requests of one probe are in flight at once. The sf CLI's plans have
/// two, three or five attempts (eleven for a GovCloud My Domain).
pub const MAX_IN_FLIGHT: usize = 6;

/// Posts the planned attempts and records them in plan order, the sf CLI's order.
///
/// The attempts are independent, so they are sent at once (at most [`MAX_IN_FLIGHT`]) and the
/// probe waits for one round trip, not one per attempt. The sf CLI sends them one after another
/// and stops at the first token; here the ones after it were sent too, and are kept, because a
/// support transcript lists every request made.
///
/// When the first host is loopback (a local test server), assertions are never sent anywhere
/// else: `--try-audiences` then only tries the combinations on that host.
pub fn run(plan: Vec<Planned>, timeout: Duration) -> Probe {
    let client = Client::new(timeout);
    let local_only = plan.first().is_some_and(|p| is_loopback(&p.login));
    let sent = crate::parallel::map_bounded(&plan, MAX_IN_FLIGHT, |_, planned| send(&client, planned, local_only));
    let mut probe = Probe { attempts: Vec::new(), clock: None };
    for (planned, (attempt, clock)) in plan.into_iter().zip(sent) {
        debug_assert_eq!((&planned.login, &planned.audience), (&attempt.login, &attempt.audience));
        // The first answer in plan order with a `Date`, as when they were sent one by one.
        probe.clock = probe.clock.or(clock);
        probe.attempts.push(attempt);
    }
    probe
}

/// Posts one planned attempt (or says why it was not sent), with the server's clock if it answered.
fn send(client: &Client, planned: &Planned, local_only: bool) -> (Attempt, Option<ClockReading>) {
    let token_url = token_url(&planned.login);
    let attempt = |outcome, elapsed: Duration, transcript| Attempt {
        login: planned.login.clone(),
        audience: planned.audience.clone(),
        token_url: token_url.clone(),
        outcome,
        elapsed_ms: elapsed.as_millis() as u64,
        transcript,
    };
    if local_only && !is_loopback(&planned.login) {
        let reason = "not sent: with a loopback instance URL, sfjwt sends assertions nowhere else".to_string();
        return (attempt(Outcome::NotSent { reason }, Duration::ZERO, Transcript::default()), None);
    }
    let grant_type = planned.credential.grant_type;
    let request = format!(
        "POST {token_url}\nContent-Type: application/x-www-form-urlencoded\n\ngrant_type={}&assertion=[redacted]",
        url::form_urlencoded::byte_serialize(grant_type.as_bytes()).collect::<String>()
    );
    let result = client
        .post_form(&token_url, &[("grant_type", grant_type), ("assertion", planned.credential.assertion.expose())]);
    let (outcome, response, elapsed, clock) = match result {
        Ok(response) => {
            let clock = response
                .header("date")
                .and_then(parse_http_date)
                .map(|server| ClockReading { server, local: OffsetDateTime::now_utc() });
            (interpret(&response), Some(describe_response(&response)), response.elapsed, clock)
        }
        Err(Failure::Insecure) => {
            (Outcome::NotSent { reason: Failure::Insecure.describe() }, None, Duration::ZERO, None)
        }
        Err(failure) => {
            (Outcome::Network { failure: failure.describe(), tls: failure.is_tls() }, None, Duration::ZERO, None)
        }
    };
    (attempt(outcome, elapsed, Transcript { request, response }), clock)
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
    let truncated =
        if response.truncated { format!("\n[body cut at {} bytes]", http::BODY_LIMIT) } else { String::new() };
    format!("HTTP {}\n{}\n\n{}{truncated}", response.status, headers.join("\n"), scrub(&response.body))
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
}
