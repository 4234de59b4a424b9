//! What a description or a line means: token-endpoint answers (sf_facts.md §2.4) and client-side
//! failures (§6.6).

use super::{ErrorKind, LocalErrorKind};

/// Description fragments (lowercase, straight apostrophes) and what they mean. Fragments rather
/// than whole strings, because Salesforce has reworded several ("User is inactive", "Org is
/// locked, closed, or suspended", "IP restricted or invalid login hours") and wrappers add text.
const DESCRIPTIONS: &[(&str, ErrorKind)] = &[
    ("hasn't approved this consumer", ErrorKind::NotApproved),
    ("audience is invalid", ErrorKind::AudienceInvalid),
    ("audience validation failed", ErrorKind::AudienceInvalid),
    ("client identifier invalid", ErrorKind::ClientIdInvalid),
    ("invalid client credentials", ErrorKind::InvalidClientCredentials),
    ("invalid assertion", ErrorKind::InvalidAssertion),
    ("expired authorization code", ErrorKind::ExpiredAuthorizationCode),
    ("not admin approved", ErrorKind::NotAdminApproved),
    ("external client app is not installed", ErrorKind::EcaNotInstalled),
    ("app must be installed into org", ErrorKind::AppMustBeInstalled),
    ("ip restricted", ErrorKind::IpRestricted),
    ("user is inactive", ErrorKind::InactiveUser),
    ("locked, closed, or suspended", ErrorKind::InactiveOrg),
    ("number of logins exceeded", ErrorKind::RateLimited),
    ("login rate exceeded", ErrorKind::RateLimited),
    ("grant type not supported", ErrorKind::UnsupportedGrantType),
    ("https required", ErrorKind::InvalidRequest),
    ("must use http post", ErrorKind::InvalidRequest),
    ("authentication failure", ErrorKind::AuthenticationFailure),
    ("expired access/refresh token", ErrorKind::ExpiredRefreshToken),
    ("no valid scopes defined", ErrorKind::NoValidScopes),
];

/// Network failures: the request never got an answer. Node/undici/OpenSSL wordings.
const NETWORK_FAILURES: &[&str] = &[
    "fetch failed",
    "getaddrinfo enotfound",
    "getaddrinfo eai_again",
    "econnrefused",
    "econnreset",
    "etimedout",
    "socket hang up",
    "unable to get local issuer certificate",
    "self-signed certificate",
    "self signed certificate",
    "unable to verify the first certificate",
    "certificate has expired",
];

/// OAuth `error` codes that say enough on their own.
const CODES: &[(&str, ErrorKind)] = &[
    ("invalid_client_id", ErrorKind::ClientIdInvalid),
    ("invalid_client", ErrorKind::InvalidClientCredentials),
    ("invalid_app_access", ErrorKind::NotAdminApproved),
    ("inactive_user", ErrorKind::InactiveUser),
    ("inactive_org", ErrorKind::InactiveOrg),
    ("rate_limit_exceeded", ErrorKind::RateLimited),
    ("unsupported_grant_type", ErrorKind::UnsupportedGrantType),
    ("invalid_request", ErrorKind::InvalidRequest),
];

/// Every OAuth `error` code a Salesforce token endpoint is known to return, for spotting
/// `code: description` in library messages.
pub(super) const KNOWN_CODES: &[&str] = &[
    "invalid_grant",
    "invalid_client_id",
    "invalid_client",
    "invalid_app_access",
    "inactive_user",
    "inactive_org",
    "rate_limit_exceeded",
    "unsupported_grant_type",
    "invalid_request",
    "invalid_scope",
    "unsupported_response_type",
    "access_denied",
];

pub(super) fn error_kind(code: Option<&str>, description: &str) -> ErrorKind {
    if let Some(kind) = kind_of_description(description) {
        return kind;
    }
    let from_code = code.and_then(|code| {
        let code = code.trim().to_ascii_lowercase();
        CODES.iter().find(|(known, _)| *known == code).map(|(_, kind)| *kind)
    });
    match from_code {
        Some(kind) => kind,
        None if code.is_none() && description.trim().is_empty() => ErrorKind::Empty,
        None => ErrorKind::Unknown,
    }
}

fn kind_of_description(description: &str) -> Option<ErrorKind> {
    // Curly apostrophes come from word processors and chat tools the text passed through.
    let text = description.to_lowercase().replace(['\u{2019}', '\u{2018}'], "'");
    if is_html(&text) {
        return Some(ErrorKind::Html);
    }
    if let Some((_, kind)) = DESCRIPTIONS.iter().find(|(fragment, _)| text.contains(fragment)) {
        return Some(*kind);
    }
    NETWORK_FAILURES.iter().any(|fragment| text.contains(fragment)).then_some(ErrorKind::FetchFailed)
}

/// An HTML page (lowercase input).
pub(super) fn is_html(lower: &str) -> bool {
    let text = lower.trim_start();
    // An XML document (the token endpoint answers XML to `format=xml`) is not an error page.
    if text.starts_with("<?xml") && !text.contains("<html") {
        return false;
    }
    text.starts_with("<!doctype")
        || text.starts_with("<html")
        || (text.starts_with('<') && ["</html>", "<body", "<head", "</"].iter().any(|t| text.contains(t)))
}

/// jsforce reports a non-JSON error body with the code `ERROR_HTTP_<status>`.
pub(super) fn jsforce_http_status(code: &str) -> Option<u16> {
    let digits = code.strip_prefix("ERROR_HTTP_")?;
    digits.parse().ok().filter(|status| (100..=599).contains(status))
}

/// A local-error pattern: the fragment that identifies it (lowercase) and where its text starts.
struct LocalPattern {
    fragment: &'static str,
    kind: LocalErrorKind,
    /// The message starts at the last occurrence of this (lowercase) before the fragment, when
    /// present: `secretOrPrivateKey …`, OpenSSL's `error:0906D06C:…`.
    starts_at: Option<&'static str>,
}

const fn local(fragment: &'static str, kind: LocalErrorKind) -> LocalPattern {
    LocalPattern { fragment, kind, starts_at: None }
}

const LOCAL_PATTERNS: &[LocalPattern] = &[
    local("enoent: no such file or directory", LocalErrorKind::KeyFileMissing),
    local("eisdir: illegal operation on a directory", LocalErrorKind::KeyFileIsDirectory),
    local("secretorprivatekey must have a value", LocalErrorKind::KeyEmpty),
    LocalPattern {
        fragment: "must be an asymmetric key",
        kind: LocalErrorKind::KeyNotAsymmetric,
        starts_at: Some("secretorprivatekey"),
    },
    LocalPattern {
        fragment: "minimum key size of 2048",
        kind: LocalErrorKind::KeyTooSmall,
        starts_at: Some("secretorprivatekey"),
    },
    local("\"alg\" parameter for \"", LocalErrorKind::KeyNotRsa),
    local("unknown key type \"", LocalErrorKind::KeyNotRsa),
    LocalPattern { fragment: "no start line", kind: LocalErrorKind::PemNoStartLine, starts_at: Some("error:") },
    local("invalid instance url", LocalErrorKind::InvalidInstanceUrl),
    local("should not be a lightning domain", LocalErrorKind::InvalidInstanceUrl),
    local("expected a valid url but received", LocalErrorKind::InvalidInstanceUrl),
    local("unexpected end of json input", LocalErrorKind::CorruptAuthFile),
    local("client id is required for jwt authentication", LocalErrorKind::MissingClientId),
    local("missing required flag client-id", LocalErrorKind::MissingClientId),
    local("missing required flag clientid", LocalErrorKind::MissingClientId),
];

/// The client-side failure `line` reports, if any, and its text (from where the message starts to
/// the end of the line).
pub(super) fn local_error(line: &str) -> Option<(LocalErrorKind, &str)> {
    let lower = line.to_ascii_lowercase();
    LOCAL_PATTERNS.iter().find_map(|pattern| {
        let at = lower.find(pattern.fragment)?;
        let start = pattern.starts_at.and_then(|prefix| lower[..at].rfind(prefix)).unwrap_or(at);
        Some((pattern.kind, line[start..].trim()))
    })
}

/// The path in Node's `ENOENT: no such file or directory, open '<path>'`.
pub(super) fn enoent_path(line: &str) -> Option<&str> {
    let lower = line.to_ascii_lowercase();
    let at = lower.find("enoent: no such file or directory")?;
    let rest = &line[at..];
    let open = rest.find('\'')? + 1;
    let len = rest[open..].find('\'')?;
    Some(&rest[open..open + len])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(description: &str) -> ErrorKind {
        error_kind(None, description)
    }

    #[test]
    fn every_catalogued_description() {
        let cases = [
            ("user hasn't approved this consumer", ErrorKind::NotApproved),
            ("user hasn’t approved this consumer", ErrorKind::NotApproved),
            ("audience is invalid", ErrorKind::AudienceInvalid),
            ("Audience validation failed", ErrorKind::AudienceInvalid),
            ("client identifier invalid", ErrorKind::ClientIdInvalid),
            ("invalid assertion", ErrorKind::InvalidAssertion),
            ("invalid client credentials", ErrorKind::InvalidClientCredentials),
            ("expired authorization code", ErrorKind::ExpiredAuthorizationCode),
            ("user is not admin approved to access this app", ErrorKind::NotAdminApproved),
            ("External client app is not installed in this org", ErrorKind::EcaNotInstalled),
            ("app must be installed into org", ErrorKind::AppMustBeInstalled),
            ("ip restricted", ErrorKind::IpRestricted),
            ("IP restricted or invalid login hours", ErrorKind::IpRestricted),
            ("user is inactive", ErrorKind::InactiveUser),
            ("User is inactive", ErrorKind::InactiveUser),
            ("organization is locked, closed, or suspended", ErrorKind::InactiveOrg),
            ("Org is locked, closed, or suspended", ErrorKind::InactiveOrg),
            ("number of logins exceeded", ErrorKind::RateLimited),
            ("Number of logins exceeded", ErrorKind::RateLimited),
            ("grant type not supported", ErrorKind::UnsupportedGrantType),
            ("HTTPS required", ErrorKind::InvalidRequest),
            ("must use HTTP POST", ErrorKind::InvalidRequest),
            ("authentication failure", ErrorKind::AuthenticationFailure),
            ("expired access/refresh token", ErrorKind::ExpiredRefreshToken),
            ("no valid scopes defined", ErrorKind::NoValidScopes),
            ("<html><body>Data Not Available</body></html>", ErrorKind::Html),
            ("<!DOCTYPE html>\n<html>", ErrorKind::Html),
            ("fetch failed", ErrorKind::FetchFailed),
            ("getaddrinfo ENOTFOUND login.salesforce.com", ErrorKind::FetchFailed),
            ("", ErrorKind::Empty),
            ("   ", ErrorKind::Empty),
            ("high assurance session required", ErrorKind::Unknown),
        ];
        for (description, expected) in cases {
            assert_eq!(kind(description), expected, "{description:?}");
        }
    }

    #[test]
    fn codes_alone() {
        let cases = [
            ("invalid_client_id", ErrorKind::ClientIdInvalid),
            ("INVALID_CLIENT_ID", ErrorKind::ClientIdInvalid),
            ("invalid_client", ErrorKind::InvalidClientCredentials),
            ("inactive_user", ErrorKind::InactiveUser),
            ("inactive_org", ErrorKind::InactiveOrg),
            ("rate_limit_exceeded", ErrorKind::RateLimited),
            ("unsupported_grant_type", ErrorKind::UnsupportedGrantType),
            ("invalid_app_access", ErrorKind::NotAdminApproved),
            ("invalid_request", ErrorKind::InvalidRequest),
            ("invalid_grant", ErrorKind::Unknown),
        ];
        for (code, expected) in cases {
            assert_eq!(error_kind(Some(code), ""), expected, "{code}");
        }
    }

    #[test]
    fn the_description_wins_over_the_code() {
        assert_eq!(error_kind(Some("invalid_client"), "app must be installed into org"), ErrorKind::AppMustBeInstalled);
    }

    #[test]
    fn local_errors_and_their_text() {
        let cases = [
            (
                "Here’s the error: Error::ENOENT: no such file or directory, open '/k/server.key'",
                LocalErrorKind::KeyFileMissing,
                "ENOENT: no such file or directory, open '/k/server.key'",
            ),
            (
                "Error::EISDIR: illegal operation on a directory, read",
                LocalErrorKind::KeyFileIsDirectory,
                "EISDIR: illegal operation on a directory, read",
            ),
            ("secretOrPrivateKey must have a value", LocalErrorKind::KeyEmpty, "secretOrPrivateKey must have a value"),
            (
                "Error: secretOrPrivateKey must be an asymmetric key when using RS256",
                LocalErrorKind::KeyNotAsymmetric,
                "secretOrPrivateKey must be an asymmetric key when using RS256",
            ),
            (
                "secretOrPrivateKey has a minimum key size of 2048 bits for RS256",
                LocalErrorKind::KeyTooSmall,
                "secretOrPrivateKey has a minimum key size of 2048 bits for RS256",
            ),
            (
                r#""alg" parameter for "ec" key type must be one of: ES256, ES384, ES512."#,
                LocalErrorKind::KeyNotRsa,
                r#""alg" parameter for "ec" key type must be one of: ES256, ES384, ES512."#,
            ),
            (
                "due to: error:0906D06C:PEM routines:PEM_read_bio:no start line",
                LocalErrorKind::PemNoStartLine,
                "error:0906D06C:PEM routines:PEM_read_bio:no start line",
            ),
            (
                "error:0909006C:PEM routines:get_name:no start line",
                LocalErrorKind::PemNoStartLine,
                "error:0909006C:PEM routines:get_name:no start line",
            ),
            (
                "LightningDomain::Invalid instance URL. It should NOT be a lightning domain.",
                LocalErrorKind::InvalidInstanceUrl,
                "Invalid instance URL. It should NOT be a lightning domain.",
            ),
            ("Unexpected end of JSON input", LocalErrorKind::CorruptAuthFile, "Unexpected end of JSON input"),
            (
                "Client ID is required for JWT authentication.",
                LocalErrorKind::MissingClientId,
                "Client ID is required for JWT authentication.",
            ),
            ("  Missing required flag client-id", LocalErrorKind::MissingClientId, "Missing required flag client-id"),
        ];
        for (line, kind, text) in cases {
            assert_eq!(local_error(line), Some((kind, text)), "{line}");
        }
        assert_eq!(local_error("(node:1) [ENOENT] Error: spawn sf ENOENT"), None);
        assert_eq!(local_error("user hasn't approved this consumer"), None);
    }

    #[test]
    fn enoent_path_is_the_quoted_path() {
        assert_eq!(
            enoent_path("Error::ENOENT: no such file or directory, open 'C:\\k\\server.key'"),
            Some("C:\\k\\server.key")
        );
        assert_eq!(enoent_path("ENOENT: no such file or directory"), None);
    }

    #[test]
    fn jsforce_codes_carry_the_status() {
        assert_eq!(jsforce_http_status("ERROR_HTTP_500"), Some(500));
        assert_eq!(jsforce_http_status("ERROR_HTTP_42"), None);
        assert_eq!(jsforce_http_status("invalid_grant"), None);
    }
}
