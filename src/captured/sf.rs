//! The Salesforce CLI's failure output: `--json`, human text, and the older sfdx spellings.
//!
//! The CLI wraps the real error (`We encountered a JSON web token error, … Here’s the error:
//! <Name>::<message>`), and for a JWT login that message ends in `Errors encountered:` followed by
//! one line per (login, aud) attempt, in the order of [`crate::sf_cli::attempt_order`]. The CLI
//! keeps only each answer's `error_description`, so the OAuth `error` code is never known here.

use super::facts::instance_url_candidates;
use super::scan::{self, Text};
use super::{Answer, Captured, Form, Outcome, classify};
use crate::sf_cli::{Attempt, attempt_order};

/// Text that only the CLI's JWT login failure prints (lowercase).
const TEXT_MARKERS: &[&str] = &[
    "errors encountered:",
    "error authenticating with jwt",
    "jwtgranterror",
    "jwtautherror",
    "we encountered a json web token error",
    "error running auth:jwt",
    "error running force:auth:jwt",
    "lightningdomain::",
];

/// salesforce-alm's message (≈2019): `… Reason: %s \nusername: %s, \nclientId: %s, …`.
const LEGACY_REASON: &str = "this org appears to have a problem with its oauth configuration. reason: ";

/// How lines after `Errors encountered:` are delimited.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Layout {
    /// A JSON `message`: exactly one line per attempt, empty lines included.
    Exact,
    /// Human output: the block is followed by two blank lines and maybe `Warning:` lines.
    Printed,
}

/// `sf … --json` output (errors and successes alike).
pub(super) fn from_json(text: &Text, hint: Option<&str>, captured: &mut Captured) -> Option<Outcome> {
    let Some(document) = json_document(text.raw) else {
        return cut_short_json(text, hint, captured);
    };
    if document.get("status") == Some("0") && document.has("result") {
        let mut outcome = Outcome::new(Form::SfCliJson);
        outcome.success = true;
        return Some(outcome);
    }
    // A token endpoint's own body is not CLI output, whatever else it carries.
    if document.has("error") {
        return None;
    }
    let message = document.get("message")?.to_string();
    let is_cli_error = ["name", "commandName", "exitCode", "status", "code"].iter().any(|key| document.has(key));
    if !is_cli_error {
        return None;
    }
    let mut outcome = message_outcome(message, text, hint, captured);
    outcome.command = document.get("commandName").or_else(|| document.get("context")).map(str::to_string);
    Some(outcome)
}

/// `--json` output cut short (a truncated log, half a copy): no document parses, but the
/// `message` is still there. Read as printed text instead, its JSON lines (`"exitCode": 1,`)
/// would pass for answers from Salesforce.
fn cut_short_json(text: &Text, hint: Option<&str>, captured: &mut Captured) -> Option<Outcome> {
    let cli_keys = ["\"name\"", "\"exitcode\"", "\"commandname\"", "\"status\""];
    if !text.raw.trim_start().starts_with('{')
        || text.contains("\"error\"")
        || !cli_keys.iter().any(|key| text.contains(key))
    {
        return None;
    }
    let message = scan::field_values(text, "message").into_iter().next()?;
    Some(message_outcome(message, text, hint, captured))
}

/// Reads the `message` of an sf `--json` error: the legacy sfdx sentence, or the attempt lines.
fn message_outcome(message: String, text: &Text, hint: Option<&str>, captured: &mut Captured) -> Outcome {
    let form = if let Some(answer) = legacy_answer(&message) {
        captured.push_answer(answer);
        Form::LegacySfdx
    } else {
        read_message(&message, Layout::Exact, text, hint, captured);
        Form::SfCliJson
    };
    let mut outcome = Outcome::new(form);
    outcome.message = Some(message);
    outcome
}

/// The first JSON object in the text: at its start, or on a line of its own (after a pasted
/// command line). Read without recursion, however deeply hostile input nests.
fn json_document(raw: &str) -> Option<scan::Object> {
    let line_starts = raw.match_indices('\n').map(|(at, _)| at + 1);
    std::iter::once(0)
        .chain(line_starts)
        .filter_map(|at| {
            let line = &raw[at..];
            let indent = line.len() - line.trim_start_matches([' ', '\t']).len();
            line[indent..].starts_with('{').then_some(at + indent)
        })
        .take(3)
        .find_map(|at| scan::document_at(raw, at))
}

/// The salesforce-alm message, in text or inside JSON.
pub(super) fn from_legacy_text(text: &Text, captured: &mut Captured) -> Option<Outcome> {
    captured.push_answer(legacy_answer(text.raw)?);
    Some(Outcome::new(Form::LegacySfdx))
}

/// `Reason: invalid_grant - invalid assertion` → code and description; `loginUrl:` → the host.
fn legacy_answer(message: &str) -> Option<Answer> {
    let reason = after_ci(message, LEGACY_REASON)?;
    let reason = reason.lines().next().unwrap_or("").trim().trim_end_matches(',').trim();
    let (code, description) = match reason.split_once(" - ") {
        Some((code, description)) if is_oauth_code(code) => (Some(code.to_string()), description),
        _ => (None, reason),
    };
    let mut answer = Answer::new(code, description.trim().to_string());
    answer.login = scan::field_values(&Text::new(message), "loginurl")
        .into_iter()
        .find_map(|value| super::facts::clean_value(&value));
    Some(answer)
}

fn is_oauth_code(word: &str) -> bool {
    word.contains('_') && word.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
}

/// sf/sfdx human output.
pub(super) fn from_text(text: &Text, hint: Option<&str>, captured: &mut Captured) -> Option<Outcome> {
    if !TEXT_MARKERS.iter().any(|marker| text.contains(marker)) {
        // A login that worked prints its success on stdout and, at most, warnings on stderr.
        let only_warnings =
            text.raw.lines().map(str::trim).filter(|line| !line.is_empty()).all(|line| line.starts_with("Warning: "))
                && !text.raw.trim().is_empty();
        let succeeded = (text.contains("successfully authorized ") && text.contains(" with org id ")) || only_warnings;
        let mut outcome = Outcome::new(Form::SfCliText);
        outcome.success = true;
        return succeeded.then_some(outcome);
    }
    read_message(text.raw, Layout::Printed, text, hint, captured);
    Some(Outcome::new(Form::SfCliText))
}

/// Turns the CLI's message into answers: one per attempt line, or one for a single error.
fn read_message(message: &str, layout: Layout, text: &Text, hint: Option<&str>, captured: &mut Captured) {
    let part = strip_error_name(error_part(message));
    if let Some(block) = after_ci(part, "errors encountered:") {
        let lines: Vec<AttemptLine> =
            merge_html(attempt_block(block, layout)).iter().map(|line| AttemptLine::parse(line)).collect();
        let order = recover_order(&lines, hint, text);
        for (i, line) in lines.iter().enumerate() {
            if line.local {
                continue;
            }
            let mut answer = Answer::new(None, line.description.clone());
            let attempt = line.own.as_ref().or_else(|| order.as_ref().map(|o| &o[i]));
            if let Some(attempt) = attempt {
                answer.login = Some(attempt.login.clone());
                answer.audience = Some(attempt.audience.clone());
            }
            captured.push_answer(answer);
        }
        return;
    }
    // One error: the pre-2022 `Error authenticating with JWT config due to: …`, a local failure,
    // or something else the CLI reported.
    if part.lines().any(|line| classify::local_error(line).is_some()) {
        return;
    }
    let single = after_ci(part, "jwt config due to:").unwrap_or(part);
    let line = single.lines().next().unwrap_or("").trim();
    if !line.is_empty() {
        captured.push_answer(Answer::new(None, line.to_string()));
    }
}

/// The CLI's own error text without its wrappers: after `Here’s the error: ` (any apostrophe,
/// even mis-decoded), `Error (Name): ` or sfdx v7's `ERROR running <command>:  `.
fn error_part(message: &str) -> &str {
    let lower = message.to_ascii_lowercase();
    // "Here" then an apostrophe of up to 12 bytes (U+2019 read as Windows-1252 is 8).
    let heres = lower.match_indices("s the error: ").find(|(at, _)| {
        let from = (at.saturating_sub(16)..*at).find(|&i| lower.is_char_boundary(i)).unwrap_or(*at);
        lower[from..*at].contains("here")
    });
    if let Some((at, needle)) = heres {
        return &message[at + needle.len()..];
    }
    if let Some(at) = lower.find("error running ")
        && let Some(colon) = lower[at..].find(":  ")
    {
        return message[at + colon + 3..].trim_start();
    }
    if let Some(at) = lower.find("error (")
        && let Some(close) = lower[at..].find("): ")
    {
        return &message[at + close + 3..];
    }
    message
}

/// `JwtAuthError::…`, `Error::ENOENT…`, `LightningDomain::…` → the message after `::`.
fn strip_error_name(part: &str) -> &str {
    match part.split_once("::") {
        Some((name, rest))
            if name.starts_with(|c: char| c.is_ascii_alphabetic())
                && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') =>
        {
            rest
        }
        _ => part,
    }
}

/// Case-insensitive: the text after the first `needle` (lowercase).
fn after_ci<'t>(text: &'t str, needle: &str) -> Option<&'t str> {
    let at = text.to_ascii_lowercase().find(needle)?;
    Some(&text[at + needle.len()..])
}

/// The per-attempt lines that follow `Errors encountered:`.
fn attempt_block(block: &str, layout: Layout) -> Vec<&str> {
    let block = block.strip_prefix('\n').unwrap_or(block);
    if layout == Layout::Exact {
        return block.split('\n').collect();
    }
    let mut lines = Vec::new();
    let mut blank_run = 0;
    let mut reached_end = true;
    for line in block.split('\n') {
        let blank = line.trim().is_empty();
        // The CLI prints two blank lines, then its warnings; a log goes on with other text.
        if line.trim_start().starts_with("Warning:") || (!blank && blank_run >= 2) {
            reached_end = false;
            break;
        }
        blank_run = if blank { blank_run + 1 } else { 0 };
        lines.push(line);
    }
    // A final newline leaves an empty piece after it.
    if reached_end && lines.last() == Some(&"") {
        lines.pop();
    }
    // Then the two blank lines the CLI prints after the message.
    for _ in 0..2 {
        if lines.last().is_some_and(|line| line.trim().is_empty()) {
            lines.pop();
        }
    }
    lines
}

/// jsforce passes a non-JSON error body through verbatim, so a multi-line HTML page spans several
/// lines but is one attempt.
fn merge_html(lines: Vec<&str>) -> Vec<String> {
    let mut merged = Vec::with_capacity(lines.len());
    let mut no_close_ahead = false;
    let mut i = 0;
    while i < lines.len() {
        let lower = lines[i].trim_start().to_ascii_lowercase();
        let opens = (lower.starts_with("<!doctype") || lower.starts_with("<html")) && !lower.contains("</html>");
        if opens && !no_close_ahead {
            let close = (i + 1..lines.len()).find(|&j| lines[j].to_ascii_lowercase().contains("</html>"));
            // With no close after this line there is none after any later line either.
            no_close_ahead = close.is_none();
            if let Some(close) = close {
                merged.push(lines[i..=close].join("\n"));
                i = close + 1;
                continue;
            }
        }
        merged.push(lines[i].to_string());
        i += 1;
    }
    merged
}

/// One line of the `Errors encountered:` block.
struct AttemptLine {
    /// The `error_description` (without the CLI's `  [audience=… login=…]`).
    description: String,
    /// The attempt the CLI named on the line itself.
    own: Option<Attempt>,
    /// A client-side failure (bad key), not an answer.
    local: bool,
}

impl AttemptLine {
    fn parse(line: &str) -> AttemptLine {
        let line = line.trim_end();
        let local = classify::local_error(line).is_some();
        // sfdx-core appends `  [audience=<aud> login=<login>]` to messages mentioning "audience".
        let own = line.rfind("  [audience=").and_then(|at| {
            let inner = line[at + "  [audience=".len()..].strip_suffix(']')?;
            let (audience, login) = inner.rsplit_once(" login=")?;
            Some((at, Attempt { login: login.to_string(), audience: audience.to_string() }))
        });
        let description = own.as_ref().map_or(line, |(at, _)| &line[..*at]);
        AttemptLine { description: description.to_string(), own: own.map(|(_, attempt)| attempt), local }
    }
}

/// Most login URLs and audiences tried when recovering the attempt order.
const MAX_CANDIDATES: usize = 8;

/// The CLI's attempt order for these lines, if some login URL explains them: the same number of
/// attempts, and every line that names its attempt names the one at its position.
fn recover_order(lines: &[AttemptLine], hint: Option<&str>, text: &Text) -> Option<Vec<Attempt>> {
    let named: Vec<&Attempt> = lines.iter().filter_map(|line| line.own.as_ref()).collect();
    let mut logins: Vec<Option<String>> = Vec::new();
    let mut add = |login: Option<String>| {
        if !logins.contains(&login) && logins.len() < MAX_CANDIDATES {
            logins.push(login);
        }
    };
    hint.into_iter().for_each(|h| add(Some(h.to_string())));
    named.iter().for_each(|attempt| add(Some(attempt.login.clone())));
    instance_url_candidates(text).into_iter().for_each(|url| add(Some(url)));
    if !named.is_empty() {
        // No flag at all: only worth trying when some line confirms it.
        add(None);
    }
    let mut audiences: Vec<Option<&str>> = vec![None];
    for attempt in &named {
        let audience = Some(attempt.audience.as_str());
        if !audiences.contains(&audience) && audiences.len() < MAX_CANDIDATES {
            audiences.push(audience);
        }
    }
    logins.iter().find_map(|login| {
        audiences.iter().find_map(|audience| {
            let order = attempt_order(login.as_deref(), *audience);
            explains(&order, lines).then_some(order)
        })
    })
}

fn explains(order: &[Attempt], lines: &[AttemptLine]) -> bool {
    order.len() == lines.len()
        && lines.iter().zip(order).all(|(line, attempt)| line.own.as_ref().is_none_or(|own| own == attempt))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printed_blocks_lose_only_the_separator() {
        let block = "\nA\nB\n\n\nWarning: x\n";
        assert_eq!(attempt_block(block, Layout::Printed), ["A", "B"]);
        assert_eq!(attempt_block("\nA\nB\n\n\n", Layout::Printed), ["A", "B"]);
        assert_eq!(attempt_block("\nA\nB", Layout::Printed), ["A", "B"]);
        assert_eq!(attempt_block("\nA\n\n\nError: exit 1", Layout::Printed), ["A"]);
        assert_eq!(attempt_block("\n\nF\nF\n\n\n\n\nWarning: w", Layout::Printed), ["", "F", "F", "", ""]);
        assert_eq!(attempt_block("\n\nF\nF\n\n", Layout::Exact), ["", "F", "F", "", ""]);
    }

    #[test]
    fn wrappers_are_removed() {
        assert_eq!(error_part("Error (X): We … Here’s the error: Y::z"), "Y::z");
        assert_eq!(error_part("Here's the error: z"), "z");
        assert_eq!(error_part("Hereâ€™s the error: z"), "z");
        assert_eq!(error_part("ERROR running auth:jwt:grant:  Error authenticating"), "Error authenticating");
        assert_eq!(error_part("Error (JwtGrantError): msg"), "msg");
        assert_eq!(strip_error_name("Error::ENOENT: x"), "ENOENT: x");
        assert_eq!(strip_error_name("a b::c"), "a b::c");
    }

    #[test]
    fn attempt_lines_carry_their_own_attempt() {
        let line = AttemptLine::parse(
            "audience is invalid  [audience=https://login.salesforce.com login=https://test.salesforce.com/]",
        );
        assert_eq!(line.description, "audience is invalid");
        assert_eq!(
            line.own,
            Some(Attempt {
                login: "https://test.salesforce.com/".into(),
                audience: "https://login.salesforce.com".into()
            })
        );
    }

    #[test]
    fn multi_line_html_is_one_attempt() {
        let lines = vec!["<!DOCTYPE html>", "<html>", "<body>x</body>", "</html>", "fetch failed", "<html>"];
        assert_eq!(merge_html(lines), ["<!DOCTYPE html>\n<html>\n<body>x</body>\n</html>", "fetch failed", "<html>"]);
    }
}
