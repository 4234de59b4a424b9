//! What a description or a line means: token-endpoint answers (sf_facts.md §2.4) and client-side
//! failures (§6.6).

use super::Symptom;

/// Description fragments (lowercase, straight apostrophes) and what they mean. Fragments rather
/// than whole strings, because Salesforce has reworded several ("User is inactive", "Org is
/// locked, closed, or suspended", "IP restricted or invalid login hours") and wrappers add text.
const DESCRIPTIONS: &[(&str, Symptom)] = &[
    ("hasn't approved this consumer", Symptom::NotApproved),
    ("audience is invalid", Symptom::AudienceInvalid),
    ("audience validation failed", Symptom::AudienceInvalid),
    ("client identifier invalid", Symptom::ClientIdInvalid),
    ("invalid client credentials", Symptom::InvalidClientCredentials),
    ("invalid assertion", Symptom::InvalidAssertion),
    ("expired authorization code", Symptom::ExpiredAuthorizationCode),
    ("not admin approved", Symptom::NotAdminApproved),
    ("external client app is not installed", Symptom::EcaNotInstalled),
    ("app must be installed into org", Symptom::AppMustBeInstalled),
    ("ip restricted", Symptom::IpRestricted),
    ("user is inactive", Symptom::InactiveUser),
    ("locked, closed, or suspended", Symptom::InactiveOrg),
    ("number of logins exceeded", Symptom::RateLimited),
    ("login rate exceeded", Symptom::RateLimited),
    ("grant type not supported", Symptom::UnsupportedGrantType),
    ("https required", Symptom::HttpsRequired),
    ("must use http post", Symptom::InvalidRequest),
    ("authentication failure", Symptom::AuthenticationFailure),
    ("expired access/refresh token", Symptom::ExpiredRefreshToken),
    ("no valid scopes defined", Symptom::NoValidScopes),
    ("jti already in use", Symptom::JtiReused),
    // Other flows' and APIs' answers (SOAP LoginFault, REST error bodies, Login History).
    ("invalid username, password, security token", Symptom::PasswordLoginFailed),
    ("not valid for use with the rest api", Symptom::SessionNotForApi),
    ("session expired or invalid", Symptom::SessionInvalid),
    ("invalid session id", Symptom::SessionInvalid),
    ("api is not enabled for this organization", Symptom::ApiDisabled),
    ("not approved for access", Symptom::NotAdminApproved),
    // The maintenance page's words, and jsforce's for an HTML body, when pasted without the HTML.
    ("the data you were trying to access could not be found", Symptom::Html),
    ("http response contains html content", Symptom::Html),
    // How people retell the answers (after every exact wording, so those win).
    ("has not approved this consumer", Symptom::NotApproved),
    ("not approved", Symptom::NotApproved),
    ("bad audience", Symptom::AudienceInvalid),
    ("invalid audience", Symptom::AudienceInvalid),
    ("invalid client id", Symptom::ClientIdInvalid),
    ("invalid client_id", Symptom::ClientIdInvalid),
    ("client id is invalid", Symptom::ClientIdInvalid),
    ("org is locked", Symptom::InactiveOrg),
    ("org is suspended", Symptom::InactiveOrg),
];

/// OAuth `error` codes that say enough on their own.
const CODES: &[(&str, Symptom)] = &[
    ("invalid_client_id", Symptom::ClientIdInvalid),
    ("invalid_client", Symptom::InvalidClientCredentials),
    ("invalid_app_access", Symptom::NotAdminApproved),
    ("inactive_user", Symptom::InactiveUser),
    ("inactive_org", Symptom::InactiveOrg),
    ("rate_limit_exceeded", Symptom::RateLimited),
    ("unsupported_grant_type", Symptom::UnsupportedGrantType),
    ("invalid_request", Symptom::InvalidRequest),
    // The REST and SOAP APIs' upper-case codes (`INVALID_SESSION_ID`), lower-cased.
    ("invalid_session_id", Symptom::SessionInvalid),
    ("api_disabled_for_org", Symptom::ApiDisabled),
    ("invalid_login", Symptom::PasswordLoginFailed),
    ("login_rate_exceeded", Symptom::RateLimited),
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
    "invalid_session_id",
    "api_disabled_for_org",
    "invalid_login",
];

pub(super) fn error_kind(code: Option<&str>, description: &str) -> Symptom {
    if let Some(kind) = kind_of_description(description) {
        return kind;
    }
    let from_code = code.and_then(|code| {
        let code = code.trim().to_ascii_lowercase();
        CODES.iter().find(|(known, _)| *known == code).map(|(_, kind)| *kind)
    });
    match from_code {
        Some(kind) => kind,
        None if code.is_none() && description.trim().is_empty() => Symptom::Empty,
        None => Symptom::Unknown,
    }
}

fn kind_of_description(description: &str) -> Option<Symptom> {
    // Curly apostrophes come from word processors and chat tools the text passed through.
    let text = description.to_lowercase().replace(['\u{2019}', '\u{2018}'], "'");
    if is_html(&text) {
        return Some(Symptom::Html);
    }
    if let Some((_, kind)) = DESCRIPTIONS.iter().find(|(fragment, _)| text.contains(fragment)) {
        return Some(*kind);
    }
    super::network::classify(&text)
}

/// Whether a text (lowercase) can hold an answer a single line states: some known description,
/// or the start of an HTML page. Lets a long paste skip the line-by-line search when it cannot.
pub(super) fn may_state_an_answer(lower: &str) -> bool {
    let text = lower.replace(['\u{2019}', '\u{2018}'], "'");
    text.contains('<') || DESCRIPTIONS.iter().any(|(fragment, _)| text.contains(fragment))
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
    kind: Symptom,
    /// The message starts at the last occurrence of this (lowercase) before the fragment, when
    /// present: `secretOrPrivateKey …`, OpenSSL's `error:0906D06C:…`.
    starts_at: Option<&'static str>,
}

const fn local(fragment: &'static str, kind: Symptom) -> LocalPattern {
    LocalPattern { fragment, kind, starts_at: None }
}

const LOCAL_PATTERNS: &[LocalPattern] = &[
    local("enoent: no such file or directory", Symptom::KeyFileMissing),
    // Python's, Java's and .NET's words for a key file that is not there.
    LocalPattern {
        fragment: "no such file or directory: '",
        kind: Symptom::KeyFileMissing,
        starts_at: Some("filenotfounderror"),
    },
    local("filenotfoundexception", Symptom::KeyFileMissing),
    local("could not find file '", Symptom::KeyFileMissing),
    local("eisdir: illegal operation on a directory", Symptom::KeyFileIsDirectory),
    local("secretorprivatekey must have a value", Symptom::KeyEmpty),
    LocalPattern {
        fragment: "must be an asymmetric key",
        kind: Symptom::KeyNotAsymmetric,
        starts_at: Some("secretorprivatekey"),
    },
    LocalPattern {
        fragment: "minimum key size of 2048",
        kind: Symptom::KeyTooSmall,
        starts_at: Some("secretorprivatekey"),
    },
    LocalPattern {
        fragment: "key type must be one of",
        kind: Symptom::KeyNotRsa,
        starts_at: Some("\"alg\" parameter"),
    },
    local("unknown key type \"", Symptom::KeyNotRsa),
    // Key loaders of other runtimes (FORMS.md: Node crypto, the JDK, .NET, PyJWT, cryptography,
    // Ruby OpenSSL, PHP openssl). Encrypted and not-a-private-key first: they say more.
    local("bad password read", Symptom::KeyNeedsPassphrase),
    local("password was not given but private key is encrypted", Symptom::KeyNeedsPassphrase),
    local("an encrypted key was found, but no password was provided", Symptom::KeyNeedsPassphrase),
    LocalPattern {
        fragment: "no begin/end delimiters for a private key",
        kind: Symptom::KeyIsNotPrivate,
        starts_at: Some("valid pem"),
    },
    local("algid parse error, not a sequence", Symptom::KeyNotPkcs8),
    // Go's crypto/x509 names the parser that would have worked.
    LocalPattern {
        fragment: "use parsepkcs1privatekey instead",
        kind: Symptom::KeyNotPkcs8,
        starts_at: Some("x509: failed to parse private key"),
    },
    local("key must be a pem encoded pkcs1 or pkcs8 key", Symptom::KeyUnparsed),
    local("invalid key format", Symptom::KeyUnparsed),
    LocalPattern { fragment: "decoder routines::unsupported", kind: Symptom::KeyUnparsed, starts_at: Some("error:") },
    local("could not parse the provided public key", Symptom::KeyUnparsed),
    local("unable to load pem file", Symptom::KeyUnparsed),
    local("could not deserialize key data", Symptom::KeyUnparsed),
    local("neither pub key nor priv key", Symptom::KeyUnparsed),
    local("cannot be coerced into a private key", Symptom::KeyUnparsed),
    local("no supported key formats were found", Symptom::KeyUnparsed),
    local("illegal base64 character", Symptom::KeyUnparsed),
    LocalPattern { fragment: "no start line", kind: Symptom::PemNoStartLine, starts_at: Some("error:") },
    LocalPattern {
        fragment: "should not be a lightning domain",
        kind: Symptom::LightningInstanceUrl,
        starts_at: Some("invalid instance url"),
    },
    local("invalid instance url", Symptom::InvalidInstanceUrl),
    local("expected a valid url but received", Symptom::InvalidInstanceUrl),
    local("unexpected end of json input", Symptom::CorruptAuthFile),
    LocalPattern { fragment: "parse error in file", kind: Symptom::CorruptAuthFile, starts_at: Some("jsonparseerror") },
    // The sf CLI's stored logins and the keychain that encrypts them (sfdx-core
    // `messages/encryption.md`, `messages/core.md`).
    local("failed to decipher auth data", Symptom::AuthStoreUnreadable),
    local("the encrypted data is not properly formatted", Symptom::AuthStoreUnreadable),
    local("invalid file permissions for secret file", Symptom::AuthStoreUnreadable),
    local("do not match the version of the toolbelt", Symptom::AuthStoreUnreadable),
    LocalPattern {
        fragment: "could not find password",
        kind: Symptom::AuthStoreUnreadable,
        starts_at: Some("error ("),
    },
    local("user canceled authentication", Symptom::AuthStoreUnreadable),
    LocalPattern { fragment: "setcredentialerror", kind: Symptom::AuthStoreUnreadable, starts_at: Some("error (") },
    local("unable to find required security software", Symptom::AuthStoreUnreadable),
    local("unable to execute security software", Symptom::AuthStoreUnreadable),
    local("failed to get the password after", Symptom::AuthStoreUnreadable),
    local("failed to create a password in the keychain", Symptom::AuthStoreUnreadable),
    local("crypto key was detected", Symptom::AuthStoreUnreadable),
    local("keychain being out of sync", Symptom::AuthStoreUnreadable),
    local("no authorization information found for", Symptom::LoginNotFound),
    local("client id is required for jwt authentication", Symptom::MissingClientId),
    local("missing required flag client-id", Symptom::MissingClientId),
    local("missing required flag clientid", Symptom::MissingClientId),
];

/// The client-side failure `line` reports, if any, and its text (from where the message starts to
/// the end of the line).
pub(super) fn local_error(line: &str) -> Option<(Symptom, &str)> {
    match_line(line, LOCAL_PATTERNS.iter(), true)
}

/// The local-error patterns that occur anywhere in a text: each line is then checked against those
/// only, so a long paste costs one search per pattern rather than one per pattern and line.
pub(super) struct LocalScan {
    patterns: Vec<&'static LocalPattern>,
    enoent: bool,
}

impl LocalScan {
    pub(super) fn new(text: &str) -> LocalScan {
        let lower = text.to_ascii_lowercase();
        LocalScan {
            patterns: LOCAL_PATTERNS.iter().filter(|p| lower.contains(p.fragment)).collect(),
            enoent: lower.contains("enoent"),
        }
    }

    /// [`local_error`], for a line of the scanned text.
    pub(super) fn line<'l>(&self, line: &'l str) -> Option<(Symptom, &'l str)> {
        if self.patterns.is_empty() && !self.enoent {
            return None;
        }
        match_line(line, self.patterns.iter().copied(), self.enoent)
    }
}

fn match_line<'l, 'p>(
    line: &'l str,
    mut patterns: impl Iterator<Item = &'p LocalPattern>,
    prose: bool,
) -> Option<(Symptom, &'l str)> {
    let line = head(line);
    let lower = line.to_ascii_lowercase();
    let found = patterns.find_map(|pattern| {
        let at = lower.find(pattern.fragment)?;
        let start = pattern.starts_at.and_then(|prefix| lower[..at].rfind(prefix)).unwrap_or(at);
        Some((pattern.kind, start))
    });
    let found =
        found.or_else(|| prose.then(|| enoent_in_prose(&lower)).flatten().map(|at| (Symptom::KeyFileMissing, at)));
    let (kind, start) = found?;
    // An item of a JS array (`'error:…:bad password read',`) loses its quote and comma.
    let text = line[start..].trim();
    Some((kind, text.strip_suffix("',").unwrap_or(text)))
}

/// Only this much of a line is searched for a failure: real messages state it near their start,
/// and a pathological line (900 KB of one character) must not cost a pattern scan each.
const MAX_LINE_SCAN: usize = 8 * 1024;

/// The part of `line` that is searched.
pub(super) fn head(line: &str) -> &str {
    &line[..super::prepare::floor_char_boundary(line, MAX_LINE_SCAN)]
}

/// `ENOENT` as people write it (`fails with ENOENT on server.key`): a whole word, about a key file,
/// and not Node's `spawn … ENOENT` (a missing program).
fn enoent_in_prose(lower: &str) -> Option<usize> {
    let at = lower.match_indices("enoent").map(|(at, _)| at).find(|&at| {
        let before = lower[..at].chars().next_back();
        let after = lower[at + "enoent".len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })?;
    (lower.contains("key") && !lower.contains("spawn")).then_some(at)
}

/// `sf org display`'s `Connected Status │ ENOENT`: the stored login could not re-read its key.
pub(super) fn stored_key_status(line: &str) -> bool {
    let lower = head(line).to_ascii_lowercase();
    lower.contains("connected status") && lower.contains("enoent")
}

/// The path in Node's `ENOENT: no such file or directory, open '<path>'`.
pub(super) fn enoent_path(line: &str) -> Option<&str> {
    let lower = line.to_ascii_lowercase();
    let at = lower.find("enoent: no such file or directory").or_else(|| lower.find("no such file or directory: '"))?;
    let rest = &line[at..];
    let open = rest.find('\'')? + 1;
    let len = rest[open..].find('\'')?;
    Some(&rest[open..open + len])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(description: &str) -> Symptom {
        error_kind(None, description)
    }

    #[test]
    fn every_catalogued_description() {
        let cases = [
            ("user hasn't approved this consumer", Symptom::NotApproved),
            ("user hasn’t approved this consumer", Symptom::NotApproved),
            ("audience is invalid", Symptom::AudienceInvalid),
            ("Audience validation failed", Symptom::AudienceInvalid),
            ("client identifier invalid", Symptom::ClientIdInvalid),
            ("invalid assertion", Symptom::InvalidAssertion),
            ("invalid client credentials", Symptom::InvalidClientCredentials),
            ("expired authorization code", Symptom::ExpiredAuthorizationCode),
            ("user is not admin approved to access this app", Symptom::NotAdminApproved),
            ("External client app is not installed in this org", Symptom::EcaNotInstalled),
            ("app must be installed into org", Symptom::AppMustBeInstalled),
            ("ip restricted", Symptom::IpRestricted),
            ("IP restricted or invalid login hours", Symptom::IpRestricted),
            ("user is inactive", Symptom::InactiveUser),
            ("User is inactive", Symptom::InactiveUser),
            ("organization is locked, closed, or suspended", Symptom::InactiveOrg),
            ("Org is locked, closed, or suspended", Symptom::InactiveOrg),
            ("number of logins exceeded", Symptom::RateLimited),
            ("Number of logins exceeded", Symptom::RateLimited),
            ("grant type not supported", Symptom::UnsupportedGrantType),
            ("HTTPS required", Symptom::HttpsRequired),
            ("must use HTTP POST", Symptom::InvalidRequest),
            ("authentication failure", Symptom::AuthenticationFailure),
            ("expired access/refresh token", Symptom::ExpiredRefreshToken),
            ("no valid scopes defined", Symptom::NoValidScopes),
            ("<html><body>Data Not Available</body></html>", Symptom::Html),
            ("<!DOCTYPE html>\n<html>", Symptom::Html),
            ("fetch failed", Symptom::FetchFailed),
            ("getaddrinfo ENOTFOUND login.salesforce.com", Symptom::DnsFailure),
            ("jti already in use", Symptom::JtiReused),
            ("Session expired or invalid", Symptom::SessionInvalid),
            ("This session is not valid for use with the REST API", Symptom::SessionNotForApi),
            ("API is not enabled for this Organization or Partner", Symptom::ApiDisabled),
            ("Invalid username, password, security token; or user locked out.", Symptom::PasswordLoginFailed),
            ("Failed: Not approved for access", Symptom::NotAdminApproved),
            ("JWT login fails with 'not approved'", Symptom::NotApproved),
            ("gives bad audience", Symptom::AudienceInvalid),
            ("every pipeline fails with invalid client id", Symptom::ClientIdInvalid),
            ("", Symptom::Empty),
            ("   ", Symptom::Empty),
            ("high assurance session required", Symptom::Unknown),
        ];
        for (description, expected) in cases {
            assert_eq!(kind(description), expected, "{description:?}");
        }
    }

    #[test]
    fn codes_alone() {
        let cases = [
            ("invalid_client_id", Symptom::ClientIdInvalid),
            ("INVALID_CLIENT_ID", Symptom::ClientIdInvalid),
            ("invalid_client", Symptom::InvalidClientCredentials),
            ("inactive_user", Symptom::InactiveUser),
            ("inactive_org", Symptom::InactiveOrg),
            ("rate_limit_exceeded", Symptom::RateLimited),
            ("unsupported_grant_type", Symptom::UnsupportedGrantType),
            ("invalid_app_access", Symptom::NotAdminApproved),
            ("invalid_request", Symptom::InvalidRequest),
            ("INVALID_SESSION_ID", Symptom::SessionInvalid),
            ("API_DISABLED_FOR_ORG", Symptom::ApiDisabled),
            ("INVALID_LOGIN", Symptom::PasswordLoginFailed),
            ("invalid_grant", Symptom::Unknown),
        ];
        for (code, expected) in cases {
            assert_eq!(error_kind(Some(code), ""), expected, "{code}");
        }
    }

    #[test]
    fn the_description_wins_over_the_code() {
        assert_eq!(error_kind(Some("invalid_client"), "app must be installed into org"), Symptom::AppMustBeInstalled);
    }

    #[test]
    fn local_errors_and_their_text() {
        let cases = [
            (
                "Here’s the error: Error::ENOENT: no such file or directory, open '/k/server.key'",
                Symptom::KeyFileMissing,
                "ENOENT: no such file or directory, open '/k/server.key'",
            ),
            (
                "Error::EISDIR: illegal operation on a directory, read",
                Symptom::KeyFileIsDirectory,
                "EISDIR: illegal operation on a directory, read",
            ),
            ("secretOrPrivateKey must have a value", Symptom::KeyEmpty, "secretOrPrivateKey must have a value"),
            (
                "Error: secretOrPrivateKey must be an asymmetric key when using RS256",
                Symptom::KeyNotAsymmetric,
                "secretOrPrivateKey must be an asymmetric key when using RS256",
            ),
            (
                "secretOrPrivateKey has a minimum key size of 2048 bits for RS256",
                Symptom::KeyTooSmall,
                "secretOrPrivateKey has a minimum key size of 2048 bits for RS256",
            ),
            (
                r#""alg" parameter for "ec" key type must be one of: ES256, ES384, ES512."#,
                Symptom::KeyNotRsa,
                r#""alg" parameter for "ec" key type must be one of: ES256, ES384, ES512."#,
            ),
            (
                "due to: error:0906D06C:PEM routines:PEM_read_bio:no start line",
                Symptom::PemNoStartLine,
                "error:0906D06C:PEM routines:PEM_read_bio:no start line",
            ),
            (
                "error:0909006C:PEM routines:get_name:no start line",
                Symptom::PemNoStartLine,
                "error:0909006C:PEM routines:get_name:no start line",
            ),
            (
                "LightningDomain::Invalid instance URL. It should NOT be a lightning domain.",
                Symptom::LightningInstanceUrl,
                "Invalid instance URL. It should NOT be a lightning domain.",
            ),
            ("Unexpected end of JSON input", Symptom::CorruptAuthFile, "Unexpected end of JSON input"),
            (
                "Error (AuthDecryptError): Failed to decipher auth data. reason: x.",
                Symptom::AuthStoreUnreadable,
                "Failed to decipher auth data. reason: x.",
            ),
            (
                "Error (GenericKeychainInvalidPermsError): Invalid file permissions for secret file: /h/.sfdx/key.json",
                Symptom::AuthStoreUnreadable,
                "Invalid file permissions for secret file: /h/.sfdx/key.json",
            ),
            (
                "Error (NamedOrgNotFoundError): No authorization information found for ci.",
                Symptom::LoginNotFound,
                "No authorization information found for ci.",
            ),
            (
                "Error (JsonParseError): Parse error in file /h/.sfdx/a@b.c.json on line 14",
                Symptom::CorruptAuthFile,
                "JsonParseError): Parse error in file /h/.sfdx/a@b.c.json on line 14",
            ),
            (
                "Client ID is required for JWT authentication.",
                Symptom::MissingClientId,
                "Client ID is required for JWT authentication.",
            ),
            ("  Missing required flag client-id", Symptom::MissingClientId, "Missing required flag client-id"),
        ];
        for (line, kind, text) in cases {
            assert_eq!(local_error(line), Some((kind, text)), "{line}");
        }
        assert_eq!(local_error("(node:1) [ENOENT] Error: spawn sf ENOENT"), None);
        assert_eq!(
            local_error("the deploy fails with ENOENT on server.key"),
            Some((Symptom::KeyFileMissing, "ENOENT on server.key"))
        );
        assert_eq!(
            local_error("FileNotFoundError: [Errno 2] No such file or directory: '/app/keys/server.key'"),
            Some((
                Symptom::KeyFileMissing,
                "FileNotFoundError: [Errno 2] No such file or directory: '/app/keys/server.key'"
            ))
        );
        assert_eq!(
            local_error("    'error:04800068:PEM routines::bad password read',"),
            Some((Symptom::KeyNeedsPassphrase, "bad password read"))
        );
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
