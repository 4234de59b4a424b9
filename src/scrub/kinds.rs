//! What a secret looks like, kind by kind. Each detector scans a text once (linear time, bounded
//! look-around) and returns the byte ranges to mask.

use std::ops::Range;

use serde_json::Value;

/// What was masked; the marker names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Private-key material: a PEM or DER body, an OpenSSH key.
    Key,
    /// A JWT (JWS or JWE): an assertion, an ID token, an access token of that shape.
    Jwt,
    /// An access, refresh or session token, a client secret, any value of a secret-named field.
    Token,
    /// The credentials of a URL (`user:password@`).
    Credentials,
    /// A SAML assertion (XML, or base64 of it): a bearer credential like a JWT.
    Saml,
}

impl Kind {
    pub fn marker(self) -> &'static str {
        match self {
            Kind::Key => "[REDACTED-KEY]",
            Kind::Jwt => "[REDACTED-JWT]",
            Kind::Token => "[REDACTED-TOKEN]",
            Kind::Credentials => "[REDACTED-CREDENTIALS]",
            Kind::Saml => "[REDACTED-SAML]",
        }
    }
}

pub(crate) const JWT_MARKER_PREFIX: &str = "[REDACTED-JWT-";
pub(crate) const SAML_MARKER_PREFIX: &str = "[REDACTED-SAML-";

/// The identifying (non-secret) claims of a masked JWT, or of a SAML assertion (its Issuer,
/// NameID and first Audience).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JwtClaims {
    pub iss: Option<String>,
    pub sub: Option<String>,
    pub aud: Option<String>,
    /// From a SAML assertion rather than a JWT.
    pub saml: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct Span {
    pub range: Range<usize>,
    pub kind: Kind,
    pub claims: Option<JwtClaims>,
    /// A JWT as found (decoded from its encoding), for auditing the assertion a client sent.
    pub jwt: Option<String>,
}

impl Span {
    pub fn new(range: Range<usize>, kind: Kind) -> Span {
        Span { range, kind, claims: None, jwt: None }
    }
}

/// Every secret in `text`, by every detector.
pub(crate) fn detect(text: &str) -> Vec<Span> {
    let mut spans = Vec::new();
    saml_assertions(text, &mut spans);
    jwts(text, &mut spans);
    key_bodies(text, &mut spans);
    armored_bodies(text, &mut spans);
    session_ids(text, &mut spans);
    refresh_tokens(text, &mut spans);
    named_fields(text, &mut spans);
    bearer_tokens(text, &mut spans);
    url_credentials(text, &mut spans);
    spans
}

fn is_b64(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'+' || b == b'/' || b == b'='
}

fn is_jwt_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-_+/=%".contains(&b)
}

fn at_word_start(bytes: &[u8], i: usize, word: fn(u8) -> bool) -> bool {
    i == 0 || !word(bytes[i - 1])
}

// ---------------------------------------------------------------------------------------------
// JWTs

/// Compact JWTs: a header segment that decodes to `{` (`eyJ…`, `ewog…`), then at least two more
/// segments. Standard base64 and percent-encoding inside segments are tolerated, as hand-built
/// assertions use them.
fn jwts(text: &str, spans: &mut Vec<Span>) {
    let bytes = text.as_bytes();
    // A match inside a run already scanned would end where that scan ended: skipping keeps this linear.
    let mut resume = 0;
    let mut from = 0;
    while let Some(offset) = text[from..].find('e') {
        let start = from + offset;
        from = start + 1;
        if start < resume
            || !matches!(bytes.get(start + 1), Some(b'y' | b'w'))
            || !at_word_start(bytes, start, |b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            continue;
        }
        match jwt_at(bytes, start) {
            Ok((end, payload)) => {
                let claims = Some(claims_of(&text[payload]));
                let jwt = Some(text[start..end].to_string());
                spans.push(Span { range: start..end, kind: Kind::Jwt, claims, jwt });
                resume = end;
            }
            Err(scanned) => resume = scanned,
        }
    }
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
    // The signature (and, for a JWE, the segments after it).
    let mut end = segment_end(payload_end + 1);
    while bytes.get(end) == Some(&b'.') && bytes.get(end + 1).is_some_and(|&b| is_jwt_byte(b)) {
        end = segment_end(end + 1);
    }
    Ok((end, payload_start..payload_end))
}

fn claims_of(payload: &str) -> JwtClaims {
    let decoded = super::decode_base64(&payload.replace('%', "")).and_then(|bytes| String::from_utf8(bytes).ok());
    let Some(Value::Object(claims)) = decoded.and_then(|json| serde_json::from_str::<Value>(&json).ok()) else {
        return JwtClaims::default();
    };
    // An array `aud` is skipped: Salesforce takes a single audience. A claim that is itself a
    // secret (a JWT in `sub`) is masked like any other text.
    let claim = |name: &str| claims.get(name).and_then(Value::as_str).map(super::scrub);
    JwtClaims { iss: claim("iss"), sub: claim("sub"), aud: claim("aud"), saml: false }
}

/// SAML assertions as XML, or base64 of it (a form body's `assertion=`), read for their claims.
fn saml_assertions(text: &str, spans: &mut Vec<Span>) {
    for range in crate::saml::locate(text) {
        let assertion = &text[range.clone()];
        let reading = crate::saml::read(assertion).or_else(|| crate::saml::find_in_text(assertion));
        let assertion = reading.as_ref().and_then(|r| r.assertion.as_ref());
        let claim = |value: Option<&String>| value.map(|v| super::scrub(v));
        let claims = JwtClaims {
            iss: claim(assertion.and_then(|a| a.issuer.as_ref())),
            sub: claim(assertion.and_then(|a| a.name_id.as_ref())),
            aud: claim(assertion.and_then(|a| a.audiences.first())),
            saml: true,
        };
        spans.push(Span { range, kind: Kind::Saml, claims: Some(claims), jwt: None });
    }
}

// ---------------------------------------------------------------------------------------------
// Key material

/// Base64 of DER (`MII…`, `MC4…`: a SEQUENCE, which every key format starts with) or of an
/// OpenSSH key, with or without PEM armor, on one line or wrapped: at least this many characters.
const MIN_KEY_BODY: usize = 48;
const OPENSSH_BODY: &str = "b3BlbnNzaC1rZXktdjE";

fn key_bodies(text: &str, spans: &mut Vec<Span>) {
    let bytes = text.as_bytes();
    // Every word start is a candidate, not only a run's first word: a long word of noise before
    // a body joins its run. A candidate inside a body already masked is skipped (linear time).
    let mut covered = 0;
    for i in 0..bytes.len() {
        if i < covered || !matches!(bytes[i], b'M' | b'b') || !at_word_start(bytes, i, is_b64) {
            continue;
        }
        // `M` then `A`–`P`: the first byte decodes to 0x30, a DER SEQUENCE.
        let der = bytes[i] == b'M' && bytes.get(i + 1).is_some_and(|b| (b'A'..=b'P').contains(b));
        if !der && !text[i..].starts_with(OPENSSH_BODY) {
            continue;
        }
        let (end, count) = run_at(text, i);
        if count >= MIN_KEY_BODY && (!der || der_may_be_private(&text[i..end])) {
            spans.push(Span::new(i..end, Kind::Key));
            covered = end;
        }
    }
}

/// Whether base64 DER starts like a private key rather than a certificate, a CSR or a public key
/// (which reports and diffs may show). Anything unreadable counts as a key.
fn der_may_be_private(body: &str) -> bool {
    let compact: String = body.chars().filter(|c| !c.is_whitespace()).take(64).collect();
    let Some(der) = super::decode_base64(&compact[..compact.len() - compact.len() % 4]) else { return true };
    // Skips a tag and its length, giving the offset of the contents.
    let contents = |at: usize| -> Option<usize> {
        let first = *der.get(at + 1)?;
        Some(at + 2 + if first & 0x80 == 0 { 0 } else { usize::from(first & 0x7F) })
    };
    let Some(inner) = contents(0) else { return true };
    match (der.get(inner), der.get(inner + 1), der.get(inner + 2)) {
        // A version INTEGER of one byte: PKCS#8 (0 or 1), PKCS#1 (0), SEC1 (1), DSA (0). A
        // PKCS#1 public key starts with its modulus, a longer INTEGER.
        (Some(0x02), Some(0x01), Some(_)) => true,
        (Some(0x02), ..) => false,
        // A SEQUENCE first: a certificate or CSR (its inner SEQUENCE), a public key (an algorithm
        // OID), or an encrypted PKCS#8 key (a PBES OID under 1.2.840.113549.1.5 or .1.12).
        (Some(0x30), ..) => {
            let Some(first) = contents(inner) else { return true };
            match der.get(first) {
                Some(0x06) => {
                    let oid = der.get(first + 2..first + 2 + usize::from(*der.get(first + 1).unwrap_or(&0)));
                    oid.is_none_or(|oid| {
                        oid.starts_with(&[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x05])
                            || oid.starts_with(&[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x0C])
                    })
                }
                Some(_) => false,
                None => true,
            }
        }
        _ => true,
    }
}

/// Whatever follows a `BEGIN … PRIVATE KEY` line (intact or damaged, on its own line or not),
/// however short or encrypted: RFC 1421 headers (`Proc-Type: 4,ENCRYPTED`), then the body.
fn armored_bodies(text: &str, spans: &mut Vec<Span>) {
    let bytes = text.as_bytes();
    for (at, label) in text.match_indices("PRIVATE KEY") {
        let line_start =
            super::ceil_boundary(text, text[..at].rfind('\n').map_or(0, |i| i + 1).max(at.saturating_sub(40)));
        if !text[line_start..at].contains("BEGIN") {
            continue;
        }
        let mut i = skip(bytes, at + label.len(), |b| b == b'-' || b.is_ascii_whitespace());
        // Header lines: `Name: value`.
        for _ in 0..4 {
            let line_end = text[i..].find('\n').map_or(text.len(), |n| i + n);
            let line = &text[i..line_end];
            match line.split_once(": ") {
                Some((name, _)) if !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphabetic() || b == b'-') => {
                    i = skip(bytes, line_end, |b| b.is_ascii_whitespace());
                }
                _ => break,
            }
        }
        if let Some(run) = base64_runs(&text[i..super::ceil_boundary(text, i + 64 * 1024)], 8).first()
            && run.start == 0
        {
            spans.push(Span::new(i..i + run.end, Kind::Key));
        }
    }
}

/// Runs of base64 of at least `min` characters (not counting whitespace), continuing across
/// whitespace (one line break at most) after a long word: a wrapped body, or one whose line breaks
/// became spaces.
pub(crate) fn base64_runs(text: &str, min: usize) -> Vec<Range<usize>> {
    let bytes = text.as_bytes();
    let mut runs = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if !is_b64(bytes[i]) || !at_word_start(bytes, i, is_b64) {
            i += 1;
            continue;
        }
        let (end, count) = run_at(text, i);
        if count >= min {
            runs.push(i..end);
        }
        i = end.max(i + 1);
    }
    runs
}

/// The end of the base64 run starting at word start `start`, and its characters (whitespace not
/// counted).
fn run_at(text: &str, start: usize) -> (usize, usize) {
    const WRAPPED: usize = 40;
    let bytes = text.as_bytes();
    let mut i = start;
    let mut count = 0;
    loop {
        let word_start = i;
        while i < bytes.len() && is_b64(bytes[i]) && bytes[i] != b'=' {
            i += 1;
        }
        // Padding ends a body.
        let padded = i < bytes.len() && bytes[i] == b'=';
        i = skip(bytes, i, |b| b == b'=');
        count += i - word_start;
        let end = i;
        if padded {
            return (end, count);
        }
        let next = (i..bytes.len()).find(|&j| !bytes[j].is_ascii_whitespace()).unwrap_or(bytes.len());
        let stop = next == i || next == bytes.len() || !is_b64(bytes[next]) || text[i..next].matches('\n').count() > 1;
        // Only a long line continues: a body wrapped at 64 or 76, or split by spaces.
        if stop || i - word_start < WRAPPED {
            return (end, count);
        }
        i = next;
    }
}

// ---------------------------------------------------------------------------------------------
// Salesforce tokens by shape

/// Session ids and access tokens: `<15 or 18 character org id>!<token>` (`00D…!AR…`).
fn session_ids(text: &str, spans: &mut Vec<Span>) {
    let bytes = text.as_bytes();
    let is_session_byte = |b: u8| b.is_ascii_alphanumeric() || b == b'.' || b == b'_';
    let mut resume = 0;
    for (start, _) in text.match_indices("00D") {
        if start < resume {
            continue;
        }
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
            spans.push(Span::new(start..end, Kind::Token));
        }
    }
}

/// Salesforce refresh tokens start `5Aep8` and run to about 90 characters; no word does.
fn refresh_tokens(text: &str, spans: &mut Vec<Span>) {
    let bytes = text.as_bytes();
    let is_token_byte = |b: u8| b.is_ascii_alphanumeric() || b == b'.' || b == b'_';
    for (start, _) in text.match_indices("5Aep8") {
        if !at_word_start(bytes, start, is_token_byte) {
            continue;
        }
        let end = (start..bytes.len()).find(|&i| !is_token_byte(bytes[i])).unwrap_or(bytes.len());
        if end - start >= 24 {
            spans.push(Span::new(start..end, Kind::Token));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Fields whose name says secret

/// Whether a field name (any case, with `_`, `-`, `.` or spaces or none) names a secret.
pub fn is_secret_name(name: &str) -> bool {
    let name: String = name.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_lowercase()).collect();
    const ANYWHERE: [&str; 3] = ["secret", "password", "passphrase"];
    // Not `privatekey` or `jwtkey`: those name paths as often as keys (`privateKey: server.key`,
    // `SFJWT_KEY: not PEM`), and key material is caught by what it is.
    const ENDINGS: [&str; 11] = [
        "token",
        "tokens",
        "passwd",
        "pwd",
        "sid",
        "session",
        "sessionid",
        "apikey",
        "authurl",
        "credential",
        "credentials",
    ];
    ANYWHERE.iter().any(|word| name.contains(word))
        || ENDINGS.iter().any(|ending| name.ends_with(ending))
        || name == "authorization"
}

/// Placeholders, shell variables and masks others already made are not secrets.
fn is_secret_value(value: &str) -> bool {
    let value = value.trim().trim_matches(['"', '\'']);
    !(value.is_empty()
        || value.contains("REDACTED-")
        || value.starts_with(['$', '<', '{', '%', '…'])
        || value.starts_with("...")
        || value.starts_with("[REDACTED")
        || value.starts_with("[redacted")
        || value.starts_with("<redacted")
        || value.starts_with("***")
        || value.eq_ignore_ascii_case("null")
        || value.eq_ignore_ascii_case("undefined")
        || value.eq_ignore_ascii_case("true")
        || value.eq_ignore_ascii_case("false"))
}

fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.'
}

/// `name: value`, `"name": "value"`, `name=value`, `name => value`, `<name>value</name>`,
/// `--name value`, for every name [`is_secret_name`] accepts. `assertion` counts only as a form
/// field or a quoted key (the word is common in prose).
fn named_fields(text: &str, spans: &mut Vec<Span>) {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if !is_name_byte(bytes[i]) {
            i += 1;
            continue;
        }
        let mut start = i;
        while i < bytes.len() && is_name_byte(bytes[i]) {
            i += 1;
        }
        let mut end = i;
        while start < end && matches!(bytes[start], b'-' | b'.') {
            start += 1;
        }
        while end > start && matches!(bytes[end - 1], b'-' | b'.') {
            end -= 1;
        }
        let name = &text[start..end];
        let assertion = name.eq_ignore_ascii_case("assertion");
        // `…/oauth2/token: timed out` is a URL path, not a field.
        let in_path = start > 0 && bytes[start - 1] == b'/';
        if name.is_empty() || name.len() > 64 || in_path || !(assertion || is_secret_name(name)) {
            continue;
        }
        if let Some(value) = field_value(text, start, end, assertion)
            && is_secret_value(&text[value.clone()])
        {
            i = i.max(value.end);
            spans.push(Span::new(value, Kind::Token));
        }
    }
}

/// The value after the name at `start..end`, if the name is used as a field name there.
fn field_value(text: &str, start: usize, end: usize, assertion: bool) -> Option<Range<usize>> {
    let bytes = text.as_bytes();
    let before = start.checked_sub(1).map(|i| bytes[i]);
    let quoted_key = matches!(before, Some(b'"' | b'\'')) && bytes.get(end) == before.as_ref();
    // <name>value</name>
    if before == Some(b'<') && bytes.get(end) == Some(&b'>') && !assertion {
        let from = end + 1;
        let to = text[from..].find('<').map_or(text.len(), |i| from + i);
        return (to > from).then_some(from..to);
    }
    // `--admin-token VALUE`, `--password VALUE`
    let flag = !assertion && start >= 2 && &bytes[start - 2..start] == b"--" && bytes.get(end) == Some(&b' ');
    let mut i = skip(bytes, if quoted_key { end + 1 } else { end }, |b| b == b' ' || b == b'\t');
    let separator = match (bytes.get(i), bytes.get(i + 1)) {
        (Some(b':'), Some(b':')) => return None,
        (Some(b':'), Some(b'=')) | (Some(b'='), Some(b'>')) => 2,
        (Some(b':'), _) => 1,
        (Some(b'='), Some(b'=')) => return None,
        (Some(b'='), _) => 1,
        (Some(b), _) if flag && *b != b'-' => 0,
        _ => return None,
    };
    if assertion && !(quoted_key || bytes.get(i) == Some(&b'=')) {
        return None;
    }
    let colon = bytes.get(i) == Some(&b':');
    i = skip(bytes, i + separator, |b| b == b' ' || b == b'\t');
    let value = value_at(text, i, is_authorization(&text[start..end]))?;
    // `name: word` in prose ("no admin session: pass --admin-org") is a sentence, unless the name
    // is unmistakable or the word looks like a token.
    // A value in backticks after `name:` is code quoted in a sentence: as bare as a word.
    let bare = !matches!(bytes.get(value.start.wrapping_sub(1)), Some(b'"' | b'\''));
    if colon && bare && !quoted_key && !is_strong_name(&text[start..end]) && !looks_like_token(&text[value.clone()]) {
        return None;
    }
    Some(value)
}

/// Names whose value may be any word: a password can be `hunter2`, a token never is.
fn is_strong_name(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    ["password", "passwd", "pwd", "secret", "passphrase", "authorization"].iter().any(|strong| name.contains(strong))
}

/// One word of at least 12 characters with letters and digits: a token, not a word of prose
/// (`SubjectConfirmationData`, `logins).`).
fn looks_like_token(value: &str) -> bool {
    value.len() >= 12
        && !value.contains(char::is_whitespace)
        && value.bytes().any(|b| b.is_ascii_digit())
        && value.bytes().any(|b| b.is_ascii_alphabetic())
}

fn is_authorization(name: &str) -> bool {
    name.eq_ignore_ascii_case("authorization") || name.eq_ignore_ascii_case("proxy-authorization")
}

fn skip(bytes: &[u8], mut i: usize, what: impl Fn(u8) -> bool) -> usize {
    while bytes.get(i).is_some_and(|&b| what(b)) {
        i += 1;
    }
    i
}

/// Longest field value looked at: a secret is shorter, and a bound keeps hostile text linear.
const MAX_VALUE: usize = 16 * 1024;

/// A quoted value (to its closing quote on the same line, or the line's end), or a bare one (to
/// whitespace or a delimiter). For `Authorization`, the scheme word stays visible.
fn value_at(text: &str, start: usize, authorization: bool) -> Option<Range<usize>> {
    let bytes = text.as_bytes();
    let limit = super::ceil_boundary(text, start.saturating_add(MAX_VALUE));
    let line_end = text[start..limit].find('\n').map_or(limit, |i| start + i);
    let (mut from, to) = match bytes.get(start)? {
        &q @ (b'"' | b'\'' | b'`') => {
            let mut i = start + 1;
            while i < line_end && bytes[i] != q {
                i += if bytes[i] == b'\\' { 2 } else { 1 };
            }
            (start + 1, i.min(line_end))
        }
        b'{' | b'[' => return None,
        _ => {
            let stop = |b: u8| b.is_ascii_whitespace() || b.is_ascii_control() || b",;&}])'\"<>#`".contains(&b);
            let end = (start..line_end).find(|&i| stop(bytes[i])).unwrap_or(line_end);
            (start, end)
        }
    };
    if authorization {
        // `Bearer abc`, `Basic abc`, `OAuth abc`: keep the scheme, mask the rest of the value.
        let value = &text[from..line_end];
        if let Some(space) = value.find(' ').filter(|&i| value[..i].bytes().all(|b| b.is_ascii_alphabetic())) {
            from += space + 1;
            let end = text[from..line_end].find(['"', '\'', ',', ';']).map_or(line_end, |i| from + i);
            return (end > from).then_some(from..end);
        }
    }
    (to > from).then_some(from..to)
}

/// `Bearer <token>` anywhere: a header, a log line, a curl command.
fn bearer_tokens(text: &str, spans: &mut Vec<Span>) {
    let lower = text.to_ascii_lowercase();
    let bytes = text.as_bytes();
    for (at, needle) in lower.match_indices("bearer") {
        let mut start = at + needle.len();
        if !bytes.get(start).is_some_and(|b| b.is_ascii_whitespace()) {
            continue;
        }
        start = skip(bytes, start, |b| b == b' ' || b == b'\t');
        let end = (start..bytes.len())
            .find(|&i| bytes[i].is_ascii_whitespace() || b"\"',;<>`".contains(&bytes[i]))
            .unwrap_or(bytes.len());
        // `Bearer tokens`, `JWT bearer logins).`: prose, not a token.
        let token = text[start..end].trim_end_matches(['.', ')', ':']);
        if end - start >= 8 && looks_like_token(token) && is_secret_value(token) {
            spans.push(Span::new(start..end, Kind::Token));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// URL credentials

fn is_userinfo_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-._~%!$&'()*+,;=:".contains(&b)
}

/// `scheme://user:password@host` (all of the userinfo), and, without a scheme as proxy settings
/// are often written, `user:password@host:port`.
fn url_credentials(text: &str, spans: &mut Vec<Span>) {
    let bytes = text.as_bytes();
    let mut covered = 0;
    for (at, _) in text.match_indices("://") {
        let start = at + 3;
        let authority_end = (start..bytes.len())
            .find(|&i| bytes[i].is_ascii_whitespace() || b"/?#\"'<>`[]{}|\\".contains(&bytes[i]))
            .unwrap_or(bytes.len());
        if let Some(userinfo) = text[start..authority_end].rfind('@') {
            if userinfo > 0 {
                spans.push(Span::new(start..start + userinfo, Kind::Credentials));
            }
            covered = authority_end;
        }
    }
    for (at, _) in text.match_indices('@') {
        if at < covered {
            continue;
        }
        let start = (at.saturating_sub(256)..at).rev().find(|&i| !is_userinfo_byte(bytes[i])).map_or(0, |i| i + 1);
        let start = start.max(at.saturating_sub(256));
        let userinfo = &text[start..at];
        if !userinfo.contains(':') || userinfo.starts_with(':') || text[..start].ends_with("//") {
            continue;
        }
        // host:port after the @
        let host_end = (at + 1..bytes.len())
            .find(|&i| !(bytes[i].is_ascii_alphanumeric() || bytes[i] == b'.' || bytes[i] == b'-'))
            .unwrap_or(bytes.len());
        let port = bytes.get(host_end) == Some(&b':') && bytes.get(host_end + 1).is_some_and(u8::is_ascii_digit);
        if host_end > at + 1 && port {
            spans.push(Span::new(start..at, Kind::Credentials));
        }
    }
}
