//! Answers in text with no fixed shape: raw token bodies, library exceptions, logs.
//!
//! Tried from the most to the least structured: object literals, `error`/`error_description`
//! fields, `code: description` phrases, then lines that contain a known description.

use super::classify::{self, KNOWN_CODES};
use super::scan::{self, Text};
use super::{Answer, Captured, Form, MAX_ANSWERS, Outcome, Symptom};

/// A token endpoint's answer as an object literal: OAuth (`error`, `error_description`) or the
/// REST API's `[{"errorCode":…,"message":…}]`.
pub(super) fn answer_from_object(text: &str, object: &scan::Object) -> Option<Answer> {
    let present = |key| object.get(key).filter(|v| *v != "null" && *v != "undefined");
    if object.has("error") || object.has("error_description") {
        let description =
            present("error_description").map_or_else(|| text[object.range.clone()].to_string(), str::to_string);
        return Some(Answer::new(present("error").map(str::to_string), description));
    }
    let (code, message) = (present("errorCode")?, present("message")?);
    Some(Answer::new(Some(code.to_string()), message.to_string()))
}

/// The paste is one token-endpoint body (`{"error":…}`, `{error: '…'}`, or a success).
pub(super) fn token_json(text: &Text, captured: &mut Captured) -> Option<Outcome> {
    let body = text.raw.trim();
    // REST API errors come as an array of objects.
    let start = match body.as_bytes().first()? {
        b'{' => 0,
        b'[' => body.find('{')?,
        _ => return None,
    };
    let object = scan::object_at(body, start)?;
    if let Some(answer) = answer_from_object(body, &object) {
        captured.push_answer(answer);
        return Some(Outcome::new(Form::TokenJson));
    }
    let mut outcome = Outcome::new(Form::TokenJson);
    outcome.success = object.has("access_token") || object.has("instance_url");
    outcome.success.then_some(outcome)
}

/// The answer in an HTTP response body, if it is an error.
pub(super) fn body_answer(body: &str, status: Option<u16>) -> Option<Answer> {
    let body = body.trim();
    if let Some(answer) = scan::objects(body).iter().find_map(|object| answer_from_object(body, object)) {
        return Some(answer);
    }
    let failed = status.is_none_or(|status| status >= 400);
    if !failed || body.contains("access_token") {
        return None;
    }
    if classify::is_html(&body.to_ascii_lowercase()) {
        return Some(Answer::new(None, body.to_string()));
    }
    Some(Answer::new(None, first_meaningful_line(body).unwrap_or("").to_string()))
}

/// Every answer found in unstructured text, duplicates removed (logs repeat an exception).
pub(super) fn answers(text: &Text) -> Vec<Answer> {
    let mut found = if classify::is_html(&text.lower) {
        vec![Answer::new(None, text.raw.trim().to_string())]
    } else {
        object_answers(text.raw)
    };
    if found.is_empty() && text.raw.contains("\\\"") {
        // JSON that was itself put in a JSON string (n8n: `400 - "{\"error\":…}"`).
        found = object_answers(&text.raw.replace("\\\\", "\\").replace("\\\"", "\""));
    }
    if found.is_empty() {
        found = field_answers(text);
    }
    if found.is_empty() {
        found = text.raw.lines().filter_map(code_phrase_answer).collect();
    }
    if found.is_empty() && classify::may_state_an_answer(&text.lower) {
        let scan = classify::LocalScan::new(text.raw);
        found = text.raw.lines().filter_map(|line| known_line_answer(line, &scan)).collect();
    }
    let mut unique: Vec<Answer> = Vec::new();
    for answer in found {
        if unique.len() == MAX_ANSWERS {
            break;
        }
        if !unique.contains(&answer) {
            unique.push(answer);
        }
    }
    unique
}

fn object_answers(raw: &str) -> Vec<Answer> {
    scan::objects(raw).iter().filter_map(|object| answer_from_object(raw, object)).collect()
}

/// `error_description` fields outside a well-formed object (query strings, truncated bodies),
/// each paired with the `error` field just before it.
fn field_answers(text: &Text) -> Vec<Answer> {
    // In text order, so the last code before a description is a binary search away.
    let codes = scan::fields(text, "error");
    scan::fields(text, "error_description")
        .iter()
        .map(|description| {
            let start = description.value.start;
            let before = codes.partition_point(|code| code.value.end <= start);
            let code = before
                .checked_sub(1)
                .map(|i| &codes[i])
                .filter(|code| start - code.value.end < 300)
                .map(|code| code.decoded(text.raw));
            Answer::new(code, description.decoded(text.raw))
        })
        .collect()
}

/// `invalid_grant: user hasn't approved this consumer`, `invalid_grant - invalid assertion`,
/// `Code: invalid_grant. Message: …`: how libraries print the OAuth pair.
fn code_phrase_answer(line: &str) -> Option<Answer> {
    let lower = line.to_ascii_lowercase();
    if let Some((code, message)) = code_message_phrase(line, &lower) {
        return Some(Answer::new(Some(code.to_string()), message.to_string()));
    }
    if let Some(answer) = jsforce_http_answer(line).or_else(|| restforce_answer(line)) {
        return Some(answer);
    }
    let (at, code) = KNOWN_CODES
        .iter()
        .filter_map(|code| whole_word(&lower, code).map(|at| (at, *code)))
        .min_by_key(|(at, _)| *at)?;
    let rest = &line[at + code.len()..];
    let description = rest.strip_prefix(": ").or_else(|| rest.strip_prefix(" - "))?;
    let description = tidy_tail(description);
    (!description.is_empty()).then(|| Answer::new(Some(line[at..at + code.len()].to_string()), description.to_string()))
}

/// jsforce's `ERROR_HTTP_<status>: <body>`, for a body that is not an OAuth answer.
fn jsforce_http_answer(line: &str) -> Option<Answer> {
    let at = line.find("ERROR_HTTP_")?;
    let (code, body) = line[at..].split_once(": ")?;
    classify::jsforce_http_status(code)?;
    Some(Answer::new(Some(code.to_string()), body.trim().to_string()))
}

/// restforce's `Restforce::AuthenticationError: <error>: <description> (<status>)` and
/// `Restforce::ServerError: …` (an HTML body leaves `:  (503)`).
fn restforce_answer(line: &str) -> Option<Answer> {
    let at = line.find("Restforce::")?;
    let (_, rest) = line[at..].split_once(": ")?;
    let rest = rest.trim_end();
    let open = rest.rfind(" (")?;
    let status: u16 = rest[open + 2..].strip_suffix(')')?.parse().ok().filter(|s| (100..=599).contains(s))?;
    let (code, description) = rest[..open].split_once(':').unwrap_or(("", &rest[..open]));
    let code = code.trim();
    let mut answer = Answer::new((!code.is_empty()).then(|| code.to_string()), description.trim().to_string());
    answer.http_status = Some(status);
    Some(answer)
}

/// simple-salesforce's `Code: <code>. Message: <message>`.
fn code_message_phrase<'l>(line: &'l str, lower: &str) -> Option<(&'l str, &'l str)> {
    let code_at = lower.find("code: ")? + "code: ".len();
    let message_at = code_at + lower[code_at..].find(". message: ")?;
    let code = line[code_at..message_at].trim();
    let message = tidy_tail(&line[message_at + ". message: ".len()..]);
    let is_code = !code.is_empty() && code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    (is_code && !message.is_empty()).then_some((code, message))
}

/// The first occurrence of `word` in `lower` not embedded in a longer identifier.
fn whole_word(lower: &str, word: &str) -> Option<usize> {
    let bytes = lower.as_bytes();
    let is_ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    lower.match_indices(word).map(|(at, _)| at).find(|&at| {
        let before = at.checked_sub(1).map(|i| bytes[i]);
        let after = bytes.get(at + word.len()).copied();
        !before.is_some_and(is_ident) && !after.is_some_and(is_ident)
    })
}

/// Drops closing punctuation a wrapper added: `(invalid_grant: x)`, `'…'`, `"…"`.
fn tidy_tail(text: &str) -> &str {
    let text = text.trim();
    let text = if text.ends_with(')') && !text.contains('(') { &text[..text.len() - 1] } else { text };
    text.trim_end_matches(['\'', '"']).trim()
}

/// A line that states a known answer (and is not a client-side or network failure: those are
/// read as failures before any answer).
fn known_line_answer(line: &str, scan: &classify::LocalScan) -> Option<Answer> {
    let line = line.trim();
    if scan.line(line).is_some() {
        return None;
    }
    let answer = Answer::new(None, line.to_string());
    let answered = answer.kind.origin() == crate::symptom::Origin::Salesforce;
    (answered && !matches!(answer.kind, Symptom::Unknown | Symptom::Empty)).then_some(answer)
}

/// The first line with any letter or digit in it, trimmed.
/// The sf CLI's `Warning: …` lines (insecure http, deprecated flags) are never the failure.
pub(super) fn first_meaningful_line(text: &str) -> Option<&str> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.starts_with("Warning: "))
        .find(|line| line.chars().any(char::is_alphanumeric))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answers_of(text: &str) -> Vec<(Option<String>, String, Symptom)> {
        answers(&Text::new(text)).into_iter().map(|a| (a.error, a.description, a.kind)).collect()
    }

    #[test]
    fn code_phrases_in_library_spellings() {
        let cases = [
            "SalesforceAuthenticationFailed: invalid_grant: user hasn't approved this consumer",
            "Code: invalid_grant. Message: user hasn't approved this consumer",
            "Restforce::AuthenticationError (invalid_grant: user hasn't approved this consumer)",
            "Reason: invalid_grant - user hasn't approved this consumer ",
        ];
        for text in cases {
            assert_eq!(
                answers_of(text),
                [(
                    Some("invalid_grant".to_string()),
                    "user hasn't approved this consumer".to_string(),
                    Symptom::NotApproved
                )],
                "{text}"
            );
        }
    }

    #[test]
    fn longer_codes_are_not_mistaken_for_shorter_ones() {
        assert_eq!(
            answers_of("error invalid_client_id: client identifier invalid")[0].0.as_deref(),
            Some("invalid_client_id")
        );
    }

    #[test]
    fn query_strings_and_truncated_bodies() {
        assert_eq!(
            answers_of("callback?error=invalid_client&error_description=app+must+be+installed+into+org&state=x"),
            [(
                Some("invalid_client".to_string()),
                "app must be installed into org".to_string(),
                Symptom::AppMustBeInstalled
            )]
        );
        assert_eq!(
            answers_of(r#"{"error":"invalid_grant","error_description":"External client app is not installed in t (truncated...)"#)[0].2,
            Symptom::EcaNotInstalled
        );
    }

    #[test]
    fn repeated_exceptions_count_once() {
        let log = "EXCEPTION_THROWN|x: {\"error\":\"invalid_grant\",\"error_description\":\"audience is invalid\"}\nFATAL_ERROR|x: {\"error\":\"invalid_grant\",\"error_description\":\"audience is invalid\"}";
        assert_eq!(answers_of(log).len(), 1);
    }

    #[test]
    fn rest_api_error_arrays() {
        let body = r#"[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]"#;
        assert_eq!(
            answers_of(body),
            [(
                Some("INVALID_SESSION_ID".to_string()),
                "Session expired or invalid".to_string(),
                Symptom::SessionInvalid
            )]
        );
    }

    #[test]
    fn jsforce_and_restforce_wrappers() {
        let html =
            answers_of("ERROR_HTTP_503: <!DOCTYPE html><html><body>Down</body></html>\n    at OAuth2._postParams");
        assert_eq!(html[0].2, Symptom::Html);
        let found = answers(&Text::new("Restforce::ServerError: :  (503)"));
        assert_eq!((found[0].http_status, found[0].description.as_str()), (Some(503), ""));
        let found = answers(&Text::new(
            "Restforce::AuthenticationError: invalid_grant: user hasn't approved this consumer (400)",
        ));
        assert_eq!((found[0].kind, found[0].http_status), (Symptom::NotApproved, Some(400)));
    }

    #[test]
    fn bodies() {
        assert_eq!(body_answer("", Some(400)).map(|a| a.kind), Some(Symptom::Empty));
        assert_eq!(body_answer("", Some(200)), None);
        assert_eq!(body_answer(r#"{"access_token":"[REDACTED-TOKEN]"}"#, Some(200)), None);
        assert_eq!(body_answer("<html><body>down</body></html>", Some(503)).map(|a| a.kind), Some(Symptom::Html));
        assert_eq!(body_answer("Bad Request", Some(400)).map(|a| a.description), Some("Bad Request".to_string()));
    }
}
