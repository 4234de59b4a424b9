//! The read-only SOQL runner: `GET {instance}/services/data/v62.0/query?q=…` with the admin's
//! bearer token, following `nextRecordsUrl` for a few pages, and Salesforce's REST errors sorted
//! into what the inspection can act on.

use std::fmt;

use serde_json::Value;

use super::{
    session::AdminSession,
    soql::{SObject, encode_component},
};
use crate::{
    http::{Client, Failure, Response},
    secret::scrub,
};

pub const API_VERSION: &str = "v62.0";

/// Every query here expects a handful of rows (LoginHistory asks for 50); the bound keeps a
/// surprising org from holding the run.
pub const MAX_PAGES: usize = 5;

/// How much of an unexpected body an error quotes.
const SNIPPET_CHARS: usize = 200;

#[derive(Debug, Clone, PartialEq)]
pub struct QueryResult {
    pub records: Vec<Value>,
    /// Salesforce's `totalSize`: all matching rows, even those on pages not fetched.
    pub total_size: u64,
    pub pages: usize,
    /// False when more pages remained after `MAX_PAGES`.
    pub complete: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueryError {
    /// 401 / INVALID_SESSION_ID: the token expired or was revoked.
    InvalidSession,
    /// INSUFFICIENT_ACCESS: the admin lacks `permission`.
    NoAccess {
        permission: &'static str,
    },
    /// INVALID_TYPE: the org does not expose the object to this session (absent at this API
    /// version or in this edition, or hidden for lack of a permission).
    NotAvailable {
        message: String,
    },
    /// INVALID_FIELD: a field the org does not know (or cannot filter on).
    InvalidField {
        message: String,
    },
    Network(Failure),
    Unexpected {
        status: u16,
        snippet: String,
    },
}

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            QueryError::InvalidSession => f.write_str("the access token was refused (expired or revoked)"),
            QueryError::NoAccess { permission } => write!(f, "insufficient access: needs {permission}"),
            QueryError::NotAvailable { message } => write!(f, "object not available: {message}"),
            QueryError::InvalidField { message } => write!(f, "field rejected: {message}"),
            QueryError::Network(failure) => f.write_str(&failure.describe()),
            QueryError::Unexpected { status, snippet } => write!(f, "unexpected answer (HTTP {status}): {snippet}"),
        }
    }
}

impl QueryError {
    /// The field an INVALID_FIELD message names: `No such column 'X' on entity 'Y'`.
    pub fn rejected_field(&self) -> Option<&str> {
        let QueryError::InvalidField { message } = self else { return None };
        let (_, rest) = message.split_once("column '").or_else(|| message.split_once("field '"))?;
        rest.split_once('\'').map(|(field, _)| field)
    }
}

/// Runs one SELECT and returns its records (each with Salesforce's `attributes`).
pub fn run_query(
    client: &Client,
    session: &AdminSession,
    object: SObject,
    soql: &str,
) -> Result<QueryResult, QueryError> {
    let first = format!("{}/services/data/{API_VERSION}/query?q={}", session.instance_url, encode_component(soql));
    let mut result = QueryResult { records: Vec::new(), total_size: 0, pages: 0, complete: false };
    let mut next = Some(first);
    while let Some(url) = next.take() {
        if result.pages == MAX_PAGES {
            return Ok(result);
        }
        let page = fetch_page(client, session, object, &url)?;
        result.pages += 1;
        result.total_size = page.total_size;
        result.records.extend(page.records);
        next = page.next_path.and_then(|path| next_page_url(&session.instance_url, &path));
    }
    result.complete = true;
    Ok(result)
}

struct Page {
    records: Vec<Value>,
    total_size: u64,
    /// `nextRecordsUrl`, as Salesforce gave it.
    next_path: Option<String>,
}

fn fetch_page(client: &Client, session: &AdminSession, object: SObject, url: &str) -> Result<Page, QueryError> {
    let response = client.get(url, Some(session.token.expose())).map_err(QueryError::Network)?;
    if response.status != 200 {
        return Err(classify(object, &response));
    }
    parse_page(&response).ok_or_else(|| unexpected(&response))
}

fn parse_page(response: &Response) -> Option<Page> {
    let body: Value = serde_json::from_str(&response.body).ok()?;
    let records = body.get("records")?.as_array()?.clone();
    let done = body.get("done").and_then(Value::as_bool).unwrap_or(true);
    let next_path = if done { None } else { body.get("nextRecordsUrl").and_then(Value::as_str) };
    Some(Page {
        total_size: body.get("totalSize").and_then(Value::as_u64).unwrap_or(records.len() as u64),
        records,
        next_path: next_path.map(str::to_string),
    })
}

/// The next page's URL, only when it stays on the instance's REST API: the token is sent
/// nowhere else.
fn next_page_url(instance_url: &str, next_records_url: &str) -> Option<String> {
    let instance = url::Url::parse(instance_url).ok()?;
    let next = instance.join(next_records_url).ok()?;
    (next.origin() == instance.origin() && next.path().starts_with("/services/data/")).then(|| next.into())
}

/// Salesforce REST errors are `[{"message":"…","errorCode":"…"}]`; the code decides, the status
/// only for 401.
fn classify(object: SObject, response: &Response) -> QueryError {
    let (code, message) = first_error(&response.body).unwrap_or_default();
    match code.as_str() {
        "INVALID_SESSION_ID" => QueryError::InvalidSession,
        _ if response.status == 401 => QueryError::InvalidSession,
        "INSUFFICIENT_ACCESS" | "INSUFFICIENT_ACCESS_OR_READONLY" => {
            QueryError::NoAccess { permission: object.permission() }
        }
        _ if message.to_ascii_lowercase().contains("insufficient privileges") => {
            QueryError::NoAccess { permission: object.permission() }
        }
        "INVALID_TYPE" => QueryError::NotAvailable { message: one_line(&message) },
        "INVALID_FIELD" => QueryError::InvalidField { message: one_line(&message) },
        _ => unexpected(response),
    }
}

fn first_error(body: &str) -> Option<(String, String)> {
    let errors: Value = serde_json::from_str(body).ok()?;
    let first = errors.as_array()?.first()?;
    let text = |key: &str| first.get(key).and_then(Value::as_str).unwrap_or_default().to_string();
    Some((text("errorCode"), text("message")))
}

fn unexpected(response: &Response) -> QueryError {
    QueryError::Unexpected { status: response.status, snippet: shorten(&one_line(&response.body)) }
}

/// Salesforce's query errors quote the SOQL over several lines with a caret; keep the sentence
/// that explains, on one line, scrubbed of anything token-like.
fn one_line(message: &str) -> String {
    let explaining = message
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('^') && !line.starts_with("ERROR at Row"))
        .filter(|line| !line.to_ascii_uppercase().starts_with("SELECT "))
        .collect::<Vec<_>>()
        .join(" ");
    scrub(&explaining)
}

fn shorten(text: &str) -> String {
    match text.char_indices().nth(SNIPPET_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn response(status: u16, body: &str) -> Response {
        Response { status, headers: Vec::new(), body: body.into(), truncated: false, elapsed: Duration::ZERO }
    }

    fn error(code: &str, message: &str) -> String {
        serde_json::json!([{ "message": message, "errorCode": code }]).to_string()
    }

    #[test]
    fn errors_are_sorted_by_code() {
        let expired = response(401, &error("INVALID_SESSION_ID", "Session expired or invalid"));
        assert_eq!(classify(SObject::User, &expired), QueryError::InvalidSession);
        let denied = response(403, &error("INSUFFICIENT_ACCESS", "Insufficient Privileges: You do not have…"));
        assert_eq!(
            classify(SObject::SetupEntityAccess, &denied),
            QueryError::NoAccess { permission: "View Setup and Configuration" }
        );
        let missing = response(
            400,
            &error(
                "INVALID_TYPE",
                "\nSELECT AppName FROM OauthToken\n                   ^\nERROR at Row:1:Column:21\nsObject type 'OauthToken' is not supported.",
            ),
        );
        assert_eq!(
            classify(SObject::OauthToken, &missing),
            QueryError::NotAvailable { message: "sObject type 'OauthToken' is not supported.".into() }
        );
        let html = response(500, "<html><body>Down for maintenance</body></html>");
        assert!(matches!(classify(SObject::User, &html), QueryError::Unexpected { status: 500, .. }));
    }

    #[test]
    fn the_rejected_field_is_named() {
        let rejected = classify(
            SObject::ConnectedApplication,
            &response(
                400,
                &error(
                    "INVALID_FIELD",
                    "\nSELECT Id, LastModifiedDate FROM ConnectedApplication\n           ^\nERROR at Row:1:Column:12\nNo such column 'LastModifiedDate' on entity 'ConnectedApplication'.",
                ),
            ),
        );
        assert_eq!(rejected.rejected_field(), Some("LastModifiedDate"));
        let unfilterable =
            QueryError::InvalidField { message: "field 'Status' can not be filtered in a query call".into() };
        assert_eq!(unfilterable.rejected_field(), Some("Status"));
    }

    #[test]
    fn next_pages_stay_on_the_instance() {
        let instance = "https://acme.my.salesforce.com";
        assert_eq!(
            next_page_url(instance, "/services/data/v62.0/query/01gD0000002HU6KIAW-2000").as_deref(),
            Some("https://acme.my.salesforce.com/services/data/v62.0/query/01gD0000002HU6KIAW-2000")
        );
        for elsewhere in [
            "https://evil.example.com/services/data/",
            "//evil.example.com/services/data/",
            "https://user@acme.my.salesforce.com.evil.example.com/services/data/",
            "/elsewhere",
            "/services/data/../../elsewhere",
        ] {
            assert_eq!(next_page_url(instance, elsewhere), None, "{elsewhere}");
        }
    }

    #[test]
    fn snippets_are_short_and_scrubbed() {
        let body = format!("oops 00D000000000001EAA!AQ4AQExampleTokenValue0123456789 {}", "x".repeat(500));
        let QueryError::Unexpected { snippet, .. } = unexpected(&response(502, &body)) else { panic!() };
        assert!(!snippet.contains("AQ4AQ") && snippet.chars().count() <= SNIPPET_CHARS + 1, "{snippet}");
    }
}
