//! Removing secrets before anything else reads the text.
//!
//! Assertions (JWTs), access and refresh tokens, client secrets, session ids and PEM blocks are
//! replaced with `[REDACTED-…]` markers. Because this runs first, no later stage can copy a secret
//! into a field by accident. The non-secret claims of each assertion (`iss`, `sub`, `aud`) are kept
//! aside: they identify the app, the user and the audience of the failing request.

use std::ops::Range;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::scan::{self, Sep, Text};
use crate::secret::Secret;

/// The text with its secrets replaced, and what the replaced assertions said.
pub(super) struct Redacted {
    pub text: String,
    /// Claims of each redacted JWT; `[REDACTED-JWT-n]` (or `[REDACTED-SAML-n]` for a SAML
    /// assertion's Issuer, NameID and Audience) stands for `claims[n - 1]`.
    pub claims: Vec<Claims>,
    /// Each redacted JWT itself, in the same order (`None` for a SAML assertion), for auditing
    /// the assertion a client sent.
    pub jwts: Vec<Option<Secret<String>>>,
    pub contained_secret: bool,
    /// The text held a SAML assertion.
    pub saml: bool,
}

/// The identifying (non-secret) claims of a JWT.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Claims {
    pub iss: Option<String>,
    pub sub: Option<String>,
    pub aud: Option<String>,
    /// From a SAML assertion (Issuer, NameID, Audience) rather than a JWT.
    pub saml: bool,
}

const JWT_MARKER: &str = "[REDACTED-JWT-";
const SAML_MARKER: &str = "[REDACTED-SAML-";
const TOKEN_MARKER: &str = "[REDACTED-TOKEN]";
/// Field names whose values are bearer credentials (lowercase: matched case-insensitively).
const TOKEN_KEYS: [&str; 6] =
    ["access_token", "refresh_token", "client_secret", "accesstoken", "refreshtoken", "clientsecret"];

pub(super) fn redact(text: &str) -> Redacted {
    let mut found = false;
    let mut claims = Vec::new();
    let mut jwts = Vec::new();
    let text = redact_pem_blocks(text, &mut found);
    let (text, saml) = redact_saml(&text, &mut claims);
    found |= saml;
    // A SAML assertion has claims but no JWT: `jwts` stays aligned with `claims`.
    jwts.resize(claims.len(), None);
    let text = redact_jwts(&text, &mut claims, &mut jwts, &mut found);
    let text = redact_token_fields(&text, &mut found);
    let text = redact_bearer_tokens(&text, &mut found);
    let text = redact_session_ids(&text, &mut found);
    Redacted { text, claims, jwts, contained_secret: found, saml }
}

/// The claims behind a `[REDACTED-JWT-n]` marker at the start of `value`.
pub(super) fn claims_for<'c>(value: &str, claims: &'c [Claims]) -> Option<&'c Claims> {
    claims.get(jwt_index(value)?)
}

/// The index (into `claims` and `jwts`) of the `[REDACTED-JWT-n]` or `[REDACTED-SAML-n]` marker at
/// the start of `value`.
pub(super) fn jwt_index(value: &str) -> Option<usize> {
    let digits = value.strip_prefix(JWT_MARKER).or_else(|| value.strip_prefix(SAML_MARKER))?.split(']').next()?;
    digits.parse::<usize>().ok()?.checked_sub(1)
}

/// Replaces each span (sorted by start; overlaps are skipped) with its replacement.
fn replace_spans(text: &str, spans: &[(Range<usize>, String)]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for (range, replacement) in spans {
        if range.start < last {
            continue;
        }
        out.push_str(&text[last..range.start]);
        out.push_str(replacement);
        last = range.end;
    }
    out.push_str(&text[last..]);
    out
}

/// PEM blocks, whole. Private keys count as secrets; certificates are only removed (they are noise
/// in a report, and a "certificate" block may turn out to be something else).
fn redact_pem_blocks(text: &str, found: &mut bool) -> String {
    const BEGIN: &str = "-----BEGIN ";
    let mut spans = Vec::new();
    let mut from = 0;
    while let Some(offset) = text[from..].find(BEGIN) {
        let start = from + offset;
        let label_start = start + BEGIN.len();
        let Some(label_len) = text[label_start..]
            .find("-----")
            .filter(|&len| len <= 64 && !text[label_start..label_start + len].contains('\n'))
        else {
            from = label_start;
            continue;
        };
        let label = &text[label_start..label_start + label_len];
        let end = pem_end(text, label_start + label_len + 5);
        if label.contains("PRIVATE KEY") {
            *found = true;
        }
        spans.push((start..end, format!("[REDACTED-PEM:{}]", label.replace(' ', "-"))));
        from = end;
    }
    replace_spans(text, &spans)
}

/// Where a PEM body starting at `body` ends: after its END line, or, for a paste cut short, at the
/// first blank line.
fn pem_end(text: &str, body: usize) -> usize {
    const END: &str = "-----END ";
    if let Some(offset) = text[body..].find(END) {
        let label = body + offset + END.len();
        if let Some(close) = text[label..].find("-----") {
            return label + close + 5;
        }
    }
    text[body..].find("\n\n").map_or(text.len(), |i| body + i)
}

/// SAML assertions, as XML or base64 of it (a form body's `assertion=`): the whole assertion is a
/// bearer credential. Its Issuer, NameID and first Audience are kept, as a JWT's claims are.
fn redact_saml(text: &str, claims: &mut Vec<Claims>) -> (String, bool) {
    let mut spans = Vec::new();
    for span in crate::saml::locate(text) {
        let reading = crate::saml::read(&text[span.clone()]).or_else(|| crate::saml::find_in_text(&text[span.clone()]));
        let assertion = reading.as_ref().and_then(|r| r.assertion.as_ref());
        claims.push(Claims {
            iss: assertion.and_then(|a| a.issuer.clone()),
            sub: assertion.and_then(|a| a.name_id.clone()),
            aud: assertion.and_then(|a| a.audiences.first().cloned()),
            saml: true,
        });
        spans.push((span, format!("{SAML_MARKER}{}]", claims.len())));
    }
    let found = !spans.is_empty();
    (replace_spans(text, &spans), found)
}

/// Compact JWTs: `eyJ…` then two more base64url segments (standard base64 and percent-encoding are
/// tolerated: hand-built assertions often use them).
fn redact_jwts(
    text: &str,
    claims: &mut Vec<Claims>,
    jwts: &mut Vec<Option<Secret<String>>>,
    found: &mut bool,
) -> String {
    let bytes = text.as_bytes();
    let mut spans = Vec::new();
    // Start of text not yet covered by a scan: a match inside a run already scanned would end at
    // the same place and fail the same way, so skipping it keeps this linear.
    let mut resume = 0;
    for (start, _) in text.match_indices("eyJ") {
        if start < resume {
            continue;
        }
        match jwt_at(bytes, start) {
            Ok((end, payload)) => {
                claims.push(decode_claims(&text[payload]));
                jwts.push(Some(Secret::new(text[start..end].to_string())));
                spans.push((start..end, format!("{JWT_MARKER}{}]", claims.len())));
                *found = true;
                resume = end;
            }
            Err(scanned) => resume = scanned,
        }
    }
    replace_spans(text, &spans)
}

fn is_jwt_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-_+/=%".contains(&b)
}

/// `Ok((end, payload segment))` for a JWT starting at `start`, else `Err(end of the scanned run)`.
fn jwt_at(bytes: &[u8], start: usize) -> Result<(usize, Range<usize>), usize> {
    let segment_end = |from: usize| (from..bytes.len()).find(|&i| !is_jwt_byte(bytes[i])).unwrap_or(bytes.len());
    let header_end = segment_end(start);
    if header_end - start < 8 || bytes.get(header_end) != Some(&b'.') {
        return Err(header_end);
    }
    let payload_start = header_end + 1;
    let payload_end = segment_end(payload_start);
    if payload_end - payload_start < 4 || bytes.get(payload_end) != Some(&b'.') {
        return Err(payload_end);
    }
    Ok((segment_end(payload_end + 1), payload_start..payload_end))
}

fn decode_claims(payload: &str) -> Claims {
    let normalised: String = payload
        .trim_end_matches('=')
        .chars()
        .map(|c| match c {
            '+' => '-',
            '/' => '_',
            c => c,
        })
        .collect();
    let json = URL_SAFE_NO_PAD.decode(normalised).ok().and_then(|bytes| String::from_utf8(bytes).ok());
    let Some(claims) = json.and_then(|json| {
        let start = json.find('{')?;
        scan::object_at(&json, start)
    }) else {
        return Claims::default();
    };
    // An array `aud` is skipped: Salesforce takes a single audience.
    let claim = |name: &str| claims.get(name).map(str::to_string);
    Claims { iss: claim("iss"), sub: claim("sub"), aud: claim("aud"), saml: false }
}

/// Values of token fields in any spelling (`"access_token":"…"`, `access_token=…`, JS objects),
/// and `assertion` values of form bodies or JSON (a malformed assertion may be a pasted key).
fn redact_token_fields(text: &str, found: &mut bool) -> String {
    let scanned = Text::new(text);
    let assertions =
        scan::fields(&scanned, "assertion").into_iter().filter(|field| field.sep == Sep::Equals || field.key_quoted);
    let mut spans: Vec<(Range<usize>, String)> = TOKEN_KEYS
        .iter()
        .flat_map(|key| scan::fields(&scanned, key))
        .chain(assertions)
        .filter(|field| is_secret_value(&text[field.value.clone()]))
        .map(|field| (field.value, TOKEN_MARKER.to_string()))
        .collect();
    *found |= !spans.is_empty();
    spans.sort_by_key(|(range, _)| range.start);
    replace_spans(text, &spans)
}

/// Placeholders, shell variables and redactions others already made are not secrets.
fn is_secret_value(value: &str) -> bool {
    let value = value.trim();
    !(value.is_empty()
        || value.starts_with('$')
        || value.starts_with("[REDACTED")
        || value.eq_ignore_ascii_case("null")
        || value.eq_ignore_ascii_case("undefined"))
}

fn is_token_byte(b: u8) -> bool {
    !(b.is_ascii_whitespace() || b"\"',;".contains(&b))
}

/// `Authorization: Bearer <token>`.
fn redact_bearer_tokens(text: &str, found: &mut bool) -> String {
    let lower = text.to_ascii_lowercase();
    let bytes = text.as_bytes();
    let mut spans = Vec::new();
    for (at, needle) in lower.match_indices("bearer ") {
        let start = at + needle.len();
        let end = (start..bytes.len()).find(|&i| !is_token_byte(bytes[i])).unwrap_or(bytes.len());
        if end - start >= 8 && is_secret_value(&text[start..end]) {
            spans.push((start..end, TOKEN_MARKER.to_string()));
        }
    }
    *found |= !spans.is_empty();
    replace_spans(text, &spans)
}

/// Salesforce session ids / access tokens: `<org id>!<token>` (`00D…!AR…`).
fn redact_session_ids(text: &str, found: &mut bool) -> String {
    let bytes = text.as_bytes();
    let is_session_byte = |b: u8| b.is_ascii_alphanumeric() || b == b'.' || b == b'_';
    let mut spans = Vec::new();
    let mut resume = 0;
    for (start, _) in text.match_indices("00D") {
        if start < resume {
            continue;
        }
        // A 15- or 18-character org id, then `!`.
        let Some(bang) = [15, 18]
            .into_iter()
            .map(|len| start + len)
            .find(|&bang| bytes.get(bang) == Some(&b'!') && bytes[start..bang].iter().all(u8::is_ascii_alphanumeric))
        else {
            continue;
        };
        let end = (bang + 1..bytes.len()).find(|&i| !is_session_byte(bytes[i])).unwrap_or(bytes.len());
        resume = end;
        if end - bang > 16 {
            spans.push((start..end, TOKEN_MARKER.to_string()));
        }
    }
    *found |= !spans.is_empty();
    replace_spans(text, &spans)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A JWT with claims {"iss":"3MVGFAKE","sub":"ci@example.com","aud":"https://login.salesforce.com"}.
    fn jwt() -> String {
        let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"RS256","typ":"JWT"}"#);
        let claims =
            URL_SAFE_NO_PAD.encode(r#"{"iss":"3MVGFAKE","sub":"ci@example.com","aud":"https://login.salesforce.com"}"#);
        format!("{header}.{claims}.c2lnbmF0dXJlLXNpZ25hdHVyZQ")
    }

    #[test]
    fn jwts_are_replaced_and_their_claims_kept() {
        let text = format!("grant_type=x&assertion={}&y=1", jwt());
        let redacted = redact(&text);
        assert_eq!(redacted.text, "grant_type=x&assertion=[REDACTED-JWT-1]&y=1");
        assert!(redacted.contained_secret);
        let claims = claims_for("[REDACTED-JWT-1]&y", &redacted.claims).unwrap();
        assert_eq!(claims.sub.as_deref(), Some("ci@example.com"));
        assert_eq!(claims.iss.as_deref(), Some("3MVGFAKE"));
        assert_eq!(claims.aud.as_deref(), Some("https://login.salesforce.com"));
    }

    #[test]
    fn non_jwt_assertions_are_replaced_too() {
        let redacted = redact("grant_type=x&assertion=not-a-jwt&y=1");
        assert_eq!(redacted.text, "grant_type=x&assertion=[REDACTED-TOKEN]&y=1");
        assert!(redacted.contained_secret);
    }

    #[test]
    fn the_word_assertion_in_prose_is_not_a_field() {
        let redacted = redact("invalid_grant - invalid assertion \nusername: a@b.c");
        assert_eq!(redacted.text, "invalid_grant - invalid assertion \nusername: a@b.c");
        assert!(!redacted.contained_secret);
    }

    #[test]
    fn tokens_in_every_spelling() {
        let text = concat!(
            r#"{"access_token":"00Dxx0000001gPL!AR8AQJXg5oj8jXSgxJfA0lBog.39AsX","token_type":"Bearer"}"#,
            "\nAuthorization: Bearer abcdefgh12345678\nrefresh_token=5Aep861abc&x=1\n",
            "{accessToken: 'tok-tok-tok'} sid 00D000000000001!AQ8AQJXg5oj8jXSgxJfA0lBog.39\n",
            r#""accessToken": "[REDACTED] Use 'sf org auth show-access-token' to view""#,
        );
        let redacted = redact(text);
        for secret in ["AR8AQ", "abcdefgh", "5Aep861abc", "tok-tok", "AQ8AQ"] {
            assert!(!redacted.text.contains(secret), "{secret}: {}", redacted.text);
        }
        assert!(redacted.text.contains(r#""token_type":"Bearer""#));
        assert!(redacted.text.contains("[REDACTED] Use 'sf org auth"));
        assert!(redacted.contained_secret);
    }

    #[test]
    fn the_cli_placeholder_alone_is_not_a_secret() {
        let redacted = redact(r#""accessToken": "[REDACTED] Use 'sf org auth show-access-token'""#);
        assert!(!redacted.contained_secret);
    }

    #[test]
    fn pem_blocks_are_removed_whole() {
        let key = format!("key: -----BEGIN {kind}-----\\nMIIEabc\\n-----END {kind}-----, next", kind = "PRIVATE KEY");
        let redacted = redact(&key);
        assert_eq!(redacted.text, "key: [REDACTED-PEM:PRIVATE-KEY], next");
        assert!(redacted.contained_secret);

        let cut = "-----BEGIN CERTIFICATE-----\nMIIB\nMIIC\n\nafter";
        let redacted = redact(cut);
        assert_eq!(redacted.text, "[REDACTED-PEM:CERTIFICATE]\n\nafter");
        assert!(!redacted.contained_secret);
    }

    #[test]
    fn near_misses_stay() {
        for text in ["eyJ", "eyJabc.def", "eyJhbGciOiJIUzI1NiJ9.e", "-----BEGIN ", "00D!x", "bearer x"] {
            let redacted = redact(text);
            assert_eq!(redacted.text, text);
            assert!(!redacted.contained_secret, "{text}");
        }
    }

    #[test]
    fn pathological_runs_stay_linear() {
        let text = "eyJ".repeat(200_000) + &"00D".repeat(200_000);
        let started = std::time::Instant::now();
        let redacted = redact(&text);
        assert!(!redacted.contained_secret);
        assert!(started.elapsed().as_secs() < 5);
    }
}
