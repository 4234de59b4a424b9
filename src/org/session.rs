//! The admin session the inspection runs with, read from `sf org display --json`.

use serde_json::{Map, Value};

use crate::{http, scrub::scrub, secret::Secret};

/// An admin's access token for one org. `Debug` shows the token as `[redacted]`; nothing else
/// formats it.
#[derive(Debug, Clone)]
pub struct AdminSession {
    /// `https://mydomain.my.salesforce.com`, without a trailing slash.
    pub instance_url: String,
    pub token: Secret<String>,
    /// Where the session came from, for reports: `sf org display (admin@example.com)`.
    pub source: String,
    /// The admin's username when known. Without Customize Application an admin sees only their
    /// own OauthToken rows, so an empty answer about someone else is not conclusive.
    pub username: Option<String>,
}

impl AdminSession {
    /// Checks what can be checked offline: the URL may be used (https, or http to loopback for
    /// tests) and the token is one word.
    pub fn new(instance_url: &str, token: String, source: impl Into<String>) -> Result<AdminSession, String> {
        let instance_url = instance_url.trim().trim_end_matches('/').to_string();
        http::allowed(&instance_url)
            .map_err(|f| format!("the instance URL `{instance_url}` can't be used: {}", f.describe()))?;
        if token.is_empty() || token.chars().any(char::is_whitespace) {
            return Err("the access token is empty or contains spaces".into());
        }
        Ok(AdminSession { instance_url, token: Secret::new(token), source: source.into(), username: None })
    }
}

/// What to do when the CLI hid the token. plugin-org's `org display` replaces it with
/// "[REDACTED] Use 'sf org auth show-access-token' to view" unless SF_TEMP_SHOW_SECRETS=true is set
/// (`--verbose` does not bring it back; it only adds the likewise redacted sfdxAuthUrl).
const REDACTED_HELP: &str = "the access token in this `sf org display --json` output is redacted (the sf CLI hides \
     it by default): pass the output of `sf org auth show-access-token --json` instead, with --admin-instance-url";

/// Reads the output of `sf org display --json` (`{"status":0,"result":{…}}`). Also accepted: the
/// bare `result` object, and an OAuth token response (`access_token`, `instance_url`). Text the
/// CLI printed before the JSON (an update notice) is skipped.
pub fn session_from_org_display(json: &str) -> Result<AdminSession, String> {
    session_from_cli_json(json, None)
}

/// Like [`session_from_org_display`], and also reads `sf org auth show-access-token --json`
/// (`{"result":{"accessToken":…}}`), whose output has no instance URL: `instance_url` (from
/// `--admin-instance-url`) supplies it.
pub fn session_from_cli_json(json: &str, instance_url: Option<&str>) -> Result<AdminSession, String> {
    let value = parse_first_object(json)?;
    let fields = auth_fields(&value)?;
    let token = string_field(fields, &["accessToken", "access_token"])
        .ok_or("the `sf org display --json` output has no accessToken")?;
    if token.starts_with("[REDACTED]") {
        return Err(REDACTED_HELP.into());
    }
    let instance_url = string_field(fields, &["instanceUrl", "instance_url"]).or(instance_url).ok_or(
        "the JSON has no instanceUrl: pass --admin-instance-url (`sf org auth show-access-token` does not print it)",
    )?;
    let username = string_field(fields, &["username"]).map(str::to_string);
    let source = match &username {
        Some(name) => format!("sf org display ({name})"),
        None => "sf org display".to_string(),
    };
    let mut session = AdminSession::new(instance_url, token.to_string(), source)?;
    session.username = username;
    Ok(session)
}

pub(super) fn parse_first_object(text: &str) -> Result<Value, String> {
    let start = text.find('{').ok_or("expected the JSON output of `sf org display --json`, found no JSON object")?;
    let mut values = serde_json::Deserializer::from_str(&text[start..]).into_iter::<Value>();
    match values.next() {
        Some(Ok(value)) => Ok(value),
        Some(Err(e)) => Err(format!("the `sf org display --json` output is not valid JSON ({e})")),
        None => Err("the `sf org display --json` output is empty".into()),
    }
}

/// The object holding the auth fields, or the CLI's own error as one line.
fn auth_fields(value: &Value) -> Result<&Map<String, Value>, String> {
    let object = value.as_object().ok_or("the `sf org display --json` output is not a JSON object")?;
    if let Some(status) = object.get("status").and_then(Value::as_i64).filter(|s| *s != 0) {
        return Err(cli_error(object, status));
    }
    if let Some(result) = object.get("result").and_then(Value::as_object) {
        return Ok(result);
    }
    if string_field(object, &["accessToken", "access_token"]).is_some() {
        return Ok(object);
    }
    Err("this JSON is not `sf org display --json` output: it has neither a `result` object nor an accessToken".into())
}

/// `sf org display failed with status 1 (NamedOrgNotFoundError): No authorization information found for x.`
fn cli_error(object: &Map<String, Value>, status: i64) -> String {
    format!("sf org display failed with {}", cli_error_line(object, status))
}

/// `status 1 (NamedOrgNotFoundError): No authorization information found for x.`, scrubbed.
pub(super) fn cli_error_line(object: &Map<String, Value>, status: i64) -> String {
    let name = string_field(object, &["name", "code"]).unwrap_or("error");
    let message = string_field(object, &["message"]).unwrap_or("no message");
    // The message is the CLI's text: scrub it in case it quotes a token.
    let first_line = scrub(message).lines().next().unwrap_or_default().trim().to_string();
    format!("status {status} ({name}): {first_line}")
}

fn string_field<'a>(object: &'a Map<String, Value>, names: &[&str]) -> Option<&'a str> {
    names.iter().find_map(|name| object.get(*name).and_then(Value::as_str)).map(str::trim).filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "00D000000000001EAA!AQ4AQExampleTokenValue0123456789";

    fn display(result: &str) -> String {
        format!(r#"{{"status":0,"result":{result},"warnings":[]}}"#)
    }

    #[test]
    fn reads_the_current_output() {
        let json = display(&format!(
            r#"{{"id":"00D000000000001EAA","accessToken":"{TOKEN}","instanceUrl":"https://acme.my.salesforce.com/","username":"admin@acme.com","connectedStatus":"Connected"}}"#
        ));
        let session = session_from_org_display(&json).unwrap();
        assert_eq!(session.instance_url, "https://acme.my.salesforce.com");
        assert_eq!(session.token.expose(), TOKEN);
        assert_eq!(session.username.as_deref(), Some("admin@acme.com"));
        assert_eq!(session.source, "sf org display (admin@acme.com)");
        assert!(!format!("{session:?}").contains("AQ4AQ"));
    }

    #[test]
    fn reads_older_top_level_shapes_and_skips_leading_notices() {
        let bare = format!(r#"{{"accessToken":"{TOKEN}","instanceUrl":"https://acme.my.salesforce.com"}}"#);
        assert!(session_from_org_display(&bare).is_ok());
        let oauth = format!(r#"{{"access_token":"{TOKEN}","instance_url":"https://acme.my.salesforce.com"}}"#);
        assert!(session_from_org_display(&oauth).is_ok());
        let noisy = format!("Warning: a new version of sf is available\n{}", display(&bare));
        assert!(session_from_org_display(&noisy).is_ok());
    }

    #[test]
    fn a_redacted_token_explains_how_to_get_it() {
        let json = display(
            r#"{"accessToken":"[REDACTED] Use 'sf org auth show-access-token' to view","instanceUrl":"https://acme.my.salesforce.com"}"#,
        );
        let error = session_from_org_display(&json).unwrap_err();
        assert!(
            error.contains("sf org auth show-access-token --json") && error.contains("--admin-instance-url"),
            "{error}"
        );
    }

    #[test]
    fn show_access_token_output_takes_the_instance_url_from_the_flag() {
        let json = display(&format!(r#"{{"accessToken":"{TOKEN}"}}"#));
        assert!(session_from_cli_json(&json, None).unwrap_err().contains("--admin-instance-url"));
        let session = session_from_cli_json(&json, Some("https://acme.my.salesforce.com")).unwrap();
        assert_eq!(session.instance_url, "https://acme.my.salesforce.com");
    }

    #[test]
    fn cli_errors_become_one_scrubbed_line() {
        let json = format!(
            r#"{{"status":1,"name":"NamedOrgNotFoundError","message":"No authorization information found for ci.\nmore {TOKEN}","exitCode":1}}"#
        );
        let error = session_from_org_display(&json).unwrap_err();
        assert_eq!(
            error,
            "sf org display failed with status 1 (NamedOrgNotFoundError): No authorization information found for ci."
        );
        let leaky = format!(r#"{{"status":1,"name":"E","message":"bad token {TOKEN}"}}"#);
        assert!(!session_from_org_display(&leaky).unwrap_err().contains("AQ4AQ"));
    }

    #[test]
    fn other_input_is_refused_clearly() {
        assert!(session_from_org_display("").unwrap_err().contains("no JSON object"));
        assert!(session_from_org_display("{oops").unwrap_err().contains("not valid JSON"));
        assert!(session_from_org_display(r#"{"hello":1}"#).unwrap_err().contains("neither"));
        let no_url = display(&format!(r#"{{"accessToken":"{TOKEN}"}}"#));
        assert!(session_from_org_display(&no_url).unwrap_err().contains("no instanceUrl"));
        let plain_http = display(&format!(r#"{{"accessToken":"{TOKEN}","instanceUrl":"http://acme.example.com"}}"#));
        assert!(session_from_org_display(&plain_http).unwrap_err().contains("can't be used"));
    }
}
