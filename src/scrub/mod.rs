//! The one scrubber: masks secrets by what they are, not by where they were expected.
//!
//! Every piece of untrusted text passes through [`scrub`] where it enters the report: the
//! `--error` text before anything reads it, the token endpoint's answer (status, every header,
//! body) as it comes off the wire, proxy settings, admin-session errors, decoded claims, and,
//! last, every string of the finished report model, so a secret copied into a sentence by any
//! check is still caught.
//!
//! **Kinds** ([`kinds`]): private-key material (PEM bodies, DER in base64 with or without armor,
//! OpenSSH keys), JWTs (signed or encrypted, also inside other JWTs' claims), Salesforce session
//! ids and access tokens (`00D…!…`), refresh tokens (`5Aep…`), the value of any field whose name
//! says secret (`access_token`, `refreshToken`, `client_secret`, `password`, `sid`,
//! `SFJWT_ADMIN_TOKEN`, `Authorization`, `Bearer …`, XML elements, `--flag value`), and URL
//! credentials (`scheme://user:password@host`, and `user:password@host:port` without a scheme).
//!
//! **Encodings** ([`views`]): detection runs on the text as given and on decoded views of it
//! (percent-encoding, HTML entities, JSON and JS escapes, nested up to [`MAX_LAYERS`] deep),
//! each mapped back to the original bytes; a base64 run that decodes to text holding a secret is
//! masked whole. Whitespace is tolerated where secrets travel with it: around separators, and
//! between the wrapped lines of a key body.

pub mod kinds;
#[doc(hidden)]
pub mod plant;
mod views;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};

use kinds::Span;
pub use kinds::{JwtClaims, Kind};

use crate::secret::Secret;
use views::View;

/// Decoding layers tried on top of the text itself (`%255C%2522` needs three).
const MAX_LAYERS: usize = 3;
/// How deep base64 runs are decoded and searched (base64 of a PEM is one level).
const MAX_BASE64_DEPTH: usize = 2;
/// A base64 run shorter than this cannot hide a secret worth masking whole.
const MIN_BASE64_RUN: usize = 40;

/// The text with its secrets replaced by `[REDACTED-<KIND>]` markers.
pub fn scrub(text: &str) -> String {
    run(text, false).text
}

/// What [`scrub_numbered`] found.
pub struct Scrubbed {
    pub text: String,
    /// The identifying claims of each masked JWT or SAML assertion: `[REDACTED-JWT-n]` (or
    /// `[REDACTED-SAML-n]`) stands for `claims[n - 1]`.
    pub claims: Vec<JwtClaims>,
    /// Each masked JWT itself, aligned with `claims` (`None` for a SAML assertion), for auditing
    /// the assertion a client sent. Never for output.
    pub jwts: Vec<Option<Secret<String>>>,
    /// Something was masked.
    pub found: bool,
    /// A SAML assertion was among it.
    pub saml: bool,
}

/// Like [`scrub`], numbering JWT markers (`[REDACTED-JWT-1]`) and keeping what each JWT's
/// non-secret claims said, for the `--error` reader: they identify the app, user and audience.
pub fn scrub_numbered(text: &str) -> Scrubbed {
    run(text, true)
}

/// The claims behind a `[REDACTED-JWT-n]` or `[REDACTED-SAML-n]` marker at the start of `value`.
pub fn claims_for<'c>(value: &str, claims: &'c [JwtClaims]) -> Option<&'c JwtClaims> {
    claims.get(jwt_index(value)?)
}

/// The index (into `claims` and `jwts`) of the `[REDACTED-JWT-n]` or `[REDACTED-SAML-n]` marker at
/// the start of `value`.
pub fn jwt_index(value: &str) -> Option<usize> {
    let digits = value
        .strip_prefix(kinds::JWT_MARKER_PREFIX)
        .or_else(|| value.strip_prefix(kinds::SAML_MARKER_PREFIX))?
        .split(']')
        .next()?;
    digits.parse::<usize>().ok()?.checked_sub(1)
}

/// Whether `text` holds anything [`scrub`] would mask.
pub fn contains_secret(text: &str) -> bool {
    !find(text, 0).is_empty()
}

fn run(text: &str, numbered: bool) -> Scrubbed {
    let mut spans = find(text, 0);
    if spans.is_empty() {
        return Scrubbed { text: text.to_string(), claims: Vec::new(), jwts: Vec::new(), found: false, saml: false };
    }
    spans.sort_by(|a, b| a.range.start.cmp(&b.range.start).then(b.range.end.cmp(&a.range.end)));
    let mut out = String::with_capacity(text.len());
    let mut claims = Vec::new();
    let mut jwts = Vec::new();
    let saml = spans.iter().any(|s| s.kind == Kind::Saml);
    let mut last = 0;
    let mut i = 0;
    while i < spans.len() {
        // Overlapping spans (the same secret seen in two views, or a JWT inside a field) merge;
        // the first (outermost) names the marker.
        let first = &spans[i];
        let mut end = first.range.end;
        let mut j = i + 1;
        while j < spans.len() && spans[j].range.start < end {
            end = end.max(spans[j].range.end);
            j += 1;
        }
        let start = floor_boundary(text, first.range.start.max(last));
        let end = ceil_boundary(text, end);
        out.push_str(&text[last..start]);
        // An assertion (SAML or JWT) names the marker, and its claims are kept.
        let group = &spans[i..j];
        let kind =
            [Kind::Saml, Kind::Jwt].into_iter().find(|k| group.iter().any(|s| s.kind == *k)).unwrap_or(first.kind);
        if numbered && matches!(kind, Kind::Jwt | Kind::Saml) {
            let of_kind = group.iter().filter(|s| s.kind == kind);
            claims.push(of_kind.clone().find_map(|s| s.claims.clone()).unwrap_or_default());
            jwts.push(of_kind.clone().find_map(|s| s.jwt.clone()).map(Secret::new));
            let prefix = if kind == Kind::Saml { kinds::SAML_MARKER_PREFIX } else { kinds::JWT_MARKER_PREFIX };
            out.push_str(&format!("{prefix}{}]", claims.len()));
        } else {
            out.push_str(kind.marker());
        }
        last = end;
        i = j;
    }
    out.push_str(&text[last..]);
    Scrubbed { text: out, claims, jwts, found: true, saml }
}

/// Every secret in `text`, in its own coordinates, seen as given and through each decoding.
fn find(text: &str, depth: usize) -> Vec<Span> {
    let mut spans = kinds::detect(text);
    spans.extend(hidden_in_base64(text, depth));
    let mut view = View::identity(text);
    for _ in 0..MAX_LAYERS {
        let Some(next) = view.decode() else { break };
        let mut found = kinds::detect(&next.text);
        found.extend(hidden_in_base64(&next.text, depth));
        spans.extend(found.into_iter().map(|span| next.to_original(span)));
        view = next;
    }
    spans
}

/// Base64 runs whose decoded bytes hold a secret (a PEM or a token response, base64-encoded as CI
/// secrets and some transcripts hold them): each is masked whole.
fn hidden_in_base64(text: &str, depth: usize) -> Vec<Span> {
    if depth >= MAX_BASE64_DEPTH {
        return Vec::new();
    }
    kinds::base64_runs(text, MIN_BASE64_RUN)
        .into_iter()
        .filter_map(|run| {
            let body = &text[run.clone()];
            // Words of noise may have joined the run at either end (`xyz… <body> a0`): try without
            // the first few and the last.
            let starts = std::iter::once(0).chain(body.match_indices(char::is_whitespace).map(|(i, _)| i).take(3));
            let without_last = body.rfind(char::is_whitespace).map(|i| &body[..i]);
            let kind =
                starts.map(|i| &body[i..]).chain(without_last).find_map(|candidate| hidden_kind(candidate, depth))?;
            Some(Span::new(run, kind))
        })
        .collect()
}

/// The kind of the first secret in `body` once base64-decoded, if it decodes to text.
fn hidden_kind(body: &str, depth: usize) -> Option<Kind> {
    let compact: String = body.chars().filter(|c| !c.is_whitespace()).collect();
    let decoded = decode_base64(&compact)?;
    // Binary (a certificate, random bytes) hides no text; text may be followed by bytes decoded
    // from noise that joined the run, so only its start must look like text.
    let start = &decoded[..decoded.len().min(16)];
    if start.len() < 16 || !start.iter().all(|b| b.is_ascii_graphic() || b.is_ascii_whitespace()) {
        return None;
    }
    Some(find(&String::from_utf8_lossy(&decoded), depth + 1).first()?.kind)
}

/// Standard or URL-safe base64, padded or not.
/// Standard or URL-safe base64, padded or not; a stray last character is dropped.
pub(crate) fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let trimmed = text.trim_end_matches('=');
    let whole = |t: &str| STANDARD_NO_PAD.decode(t).ok().or_else(|| URL_SAFE_NO_PAD.decode(t).ok());
    whole(trimmed).or_else(|| whole(&trimmed[..trimmed.len() - trimmed.len() % 4]))
}

fn floor_boundary(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

pub(crate) fn ceil_boundary(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests;
