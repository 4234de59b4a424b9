//! Client libraries' exception texts. The answer itself is found by [`super::freetext`]; this
//! names the library and reads what its message says about the request (status, token URL).

use super::facts::status_at;
use super::scan::Text;

pub(super) struct Library {
    pub name: &'static str,
    pub http_status: Option<u16>,
    pub url: Option<String>,
}

impl Library {
    fn named(name: &'static str) -> Library {
        Library { name, http_status: None, url: None }
    }
}

pub(super) fn detect(text: &Text) -> Option<Library> {
    guzzle(text)
        .or_else(|| java(text))
        .or_else(|| n8n(text))
        .or_else(|| marker(text, &["salesforceauthenticationfailed", "simple_salesforce"], "simple-salesforce"))
        .or_else(|| marker(text, &["jwtbearertokenexchange"], "apex"))
        .or_else(|| marker(text, &["restforce::"], "restforce"))
}

fn marker(text: &Text, needles: &[&str], name: &'static str) -> Option<Library> {
    needles.iter().any(|needle| text.contains(needle)).then(|| Library::named(name))
}

/// Guzzle (PHP): ``Client error: `POST https://…/services/oauth2/token` resulted in a `400 Bad
/// Request` response:``.
fn guzzle(text: &Text) -> Option<Library> {
    let lead =
        ["client error: `", "server error: `"].iter().find_map(|lead| text.find(lead).map(|at| at + lead.len()))?;
    let rest = &text.raw[lead..];
    let request = &rest[..rest.find('`')?];
    let status_lead = text.lower[lead..].find("resulted in a `")? + lead + "resulted in a `".len();
    Some(Library {
        name: "guzzle",
        http_status: status_at(&text.lower, status_lead),
        url: request.split_whitespace().nth(1).map(str::to_string),
    })
}

/// `java.io.IOException: Server returned HTTP response code: 400 for URL: https://…` (Talend and
/// other Java tools built on `HttpURLConnection`).
fn java(text: &Text) -> Option<Library> {
    const LEAD: &str = "server returned http response code: ";
    let at = text.find(LEAD)? + LEAD.len();
    let url = text.lower[at..].find("for url: ").map(|offset| {
        let start = at + offset + "for url: ".len();
        let rest = &text.raw[start..];
        rest[..rest.find(char::is_whitespace).unwrap_or(rest.len())].to_string()
    });
    let talend = text.contains("talend") || text.contains("tsalesforce");
    Some(Library { name: if talend { "talend" } else { "java" }, http_status: status_at(&text.lower, at), url })
}

/// n8n: `NodeApiError: 400 - {"error":…}` or the UI's `400 - "{\"error\":…}"`.
fn n8n(text: &Text) -> Option<Library> {
    if !(text.contains("nodeapierror") || text.contains("n8n")) {
        return None;
    }
    let http_status = text
        .lower
        .match_indices(" - ")
        .filter_map(|(at, _)| at.checked_sub(3))
        .find_map(|at| status_at(&text.lower, at));
    Some(Library { name: "n8n", http_status, url: None })
}
