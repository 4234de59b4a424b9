//! Turns the many spellings found in metadata into the model's values.
//! Anything unrecognised is kept where it can be and noted in `problems`.

use std::fmt;

use super::{PermittedUsers, Scope};

/// `ConnectedAppOauthAccessScope` values, deploy and retrieve lists (v67).
const DOCUMENTED_SCOPES: &[&str] = &[
    "Basic",
    "Api",
    "Web",
    "Full",
    "Chatter",
    "CustomApplications",
    "RefreshToken",
    "OpenID",
    "Profile",
    "Email",
    "Address",
    "Phone",
    "OfflineAccess",
    "CustomPermissions",
    "Wave",
    "Eclair",
    "Pardot",
    "Lightning",
    "Content",
    "CDPIngest",
    "Chatbot",
    "ForgotPassword",
    "UserRegistration",
    "PwdlessLogin",
];

/// `ConnectedAppOauthPolicy.ipRelaxation` values; ECA files spell the same
/// four as `Enforce`, `Bypass`, `Bypass_2factor`, `Enforce_RelaxRefresh`.
const IP_RELAXATION_VALUES: &[&str] = &["ENFORCE", "BYPASS", "BYPASS_2FACTOR", "ENFORCE_RELAXREFRESH"];

impl Scope {
    /// Reads a metadata scope name (`RefreshToken`) or an OAuth one
    /// (`refresh_token`), ignoring case.
    pub fn parse(name: &str) -> Scope {
        match name.trim().to_ascii_lowercase().as_str() {
            "api" => Scope::Api,
            "web" => Scope::Web,
            "full" => Scope::Full,
            // Retrieve folds OfflineAccess into RefreshToken ("synonymous").
            "refreshtoken" | "refresh_token" | "offlineaccess" | "offline_access" => Scope::RefreshToken,
            // Deploying Profile/Email/Address/Phone behaves as Basic; `id` is the OAuth name.
            "basic" | "id" | "profile" | "email" | "address" | "phone" => Scope::Basic,
            "openid" => Scope::OpenId,
            _ => Scope::Other(name.trim().to_string()),
        }
    }

    /// The OAuth name users see in Setup's scope labels (`api`, `refresh_token`), or the name as
    /// the file wrote it.
    pub fn label(&self) -> &str {
        match self {
            Scope::Api => "api",
            Scope::Web => "web",
            Scope::Full => "full",
            Scope::RefreshToken => "refresh_token",
            Scope::Basic => "id",
            Scope::OpenId => "openid",
            Scope::Other(name) => name,
        }
    }

    fn is_documented(name: &str) -> bool {
        let known_oauth_names = ["id", "refresh_token", "offline_access"];
        DOCUMENTED_SCOPES.iter().chain(known_oauth_names.iter()).any(|known| known.eq_ignore_ascii_case(name.trim()))
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            Scope::Api => "Api",
            Scope::Web => "Web",
            Scope::Full => "Full",
            Scope::RefreshToken => "RefreshToken",
            Scope::Basic => "Basic",
            Scope::OpenId => "OpenID",
            Scope::Other(name) => name,
        };
        f.write_str(name)
    }
}

impl From<Scope> for String {
    fn from(scope: Scope) -> String {
        scope.to_string()
    }
}

/// Adds scopes from metadata names, without duplicates, noting unknown names.
pub(crate) fn add_scopes<'a>(
    scopes: &mut Vec<Scope>,
    names: impl IntoIterator<Item = &'a str>,
    problems: &mut Vec<String>,
) {
    for name in names.into_iter().map(str::trim).filter(|n| !n.is_empty()) {
        if !Scope::is_documented(name) {
            problems.push(format!("unknown OAuth scope '{name}' (kept as written)"));
        }
        push_unique(scopes, Scope::parse(name));
    }
}

pub(crate) fn push_unique<T: PartialEq>(items: &mut Vec<T>, item: T) {
    if !items.contains(&item) {
        items.push(item);
    }
}

/// `true`/`false` in any case; anything else is a problem and `None`.
pub(crate) fn parse_bool(field: &str, raw: Option<String>, problems: &mut Vec<String>) -> Option<bool> {
    let raw = raw?;
    match raw.to_ascii_lowercase().as_str() {
        "true" => Some(true),
        "false" => Some(false),
        _ => {
            problems.push(format!("{field} is '{raw}', not true or false (ignored)"));
            None
        }
    }
}

/// Callback URLs are one per line in connected apps; commas are accepted too.
pub(crate) fn split_callback_urls(raw: &str) -> Vec<String> {
    let mut urls = Vec::new();
    for url in raw.split(['\n', '\r', ',']).map(str::trim).filter(|u| !u.is_empty()) {
        push_unique(&mut urls, url.to_string());
    }
    urls
}

/// ECA `commaSeparated*` fields.
pub(crate) fn split_comma_list(raw: &str) -> Vec<String> {
    let mut items = Vec::new();
    for item in raw.split(',').map(str::trim).filter(|i| !i.is_empty()) {
        push_unique(&mut items, item.to_string());
    }
    items
}

pub(crate) fn permitted_users_from_eca(raw: &str, problems: &mut Vec<String>) -> Option<PermittedUsers> {
    if raw.eq_ignore_ascii_case("AdminApprovedPreAuthorized") {
        Some(PermittedUsers::AdminApproved)
    } else if raw.eq_ignore_ascii_case("AllSelfAuthorized") {
        Some(PermittedUsers::SelfAuthorize)
    } else {
        problems.push(format!(
            "permittedUsersPolicyType is '{raw}', expected AdminApprovedPreAuthorized or AllSelfAuthorized"
        ));
        None
    }
}

/// Upper-cases to the connected app spelling; keeps unknown values as written.
pub(crate) fn ip_relaxation(field: &str, raw: &str, problems: &mut Vec<String>) -> String {
    let upper = raw.to_ascii_uppercase();
    if IP_RELAXATION_VALUES.contains(&upper.as_str()) {
        upper
    } else {
        problems.push(format!("{field} is '{raw}', not one of {}", IP_RELAXATION_VALUES.join(", ")));
        raw.to_string()
    }
}

/// Whether a session policy blocks the JWT bearer flow.
///
/// The ConnectedAppSessionPolicy docs say `Block` stops every session and
/// `RaiseSessionLevel` blocks flows without a user approval step, JWT bearer
/// included; so any High Assurance policy counts, even with no action given.
pub(crate) fn requires_high_assurance(
    (level_field, level): (&str, Option<String>),
    (action_field, action): (&str, Option<String>),
    problems: &mut Vec<String>,
) -> bool {
    let Some(level) = level else {
        return false;
    };
    if level.eq_ignore_ascii_case("STANDARD") || level.eq_ignore_ascii_case("LOW") {
        return false;
    }
    if !level.eq_ignore_ascii_case("HIGH_ASSURANCE") {
        problems.push(format!("{level_field} is '{level}', expected HIGH_ASSURANCE, STANDARD or LOW"));
        return false;
    }
    if let Some(action) = action {
        let known = ["Block", "RaiseSessionLevel"];
        if !known.iter().any(|k| k.eq_ignore_ascii_case(&action)) {
            problems.push(format!("{action_field} is '{action}', expected Block or RaiseSessionLevel"));
        }
    }
    true
}

/// Returns armoured PEM text. ECA files usually hold bare base64, which is
/// wrapped in CERTIFICATE armour at 64 columns like `openssl` writes it.
pub(crate) fn certificate_pem(raw: &str, problems: &mut Vec<String>) -> Option<String> {
    let lines: Vec<&str> = raw.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    if lines.is_empty() {
        return None;
    }
    let joined = lines.join("\n");
    if joined.contains("-----BEGIN") {
        note_unexpected_pem_block(&joined, problems);
        return Some(joined + "\n");
    }
    let body: String = lines.concat();
    if !is_base64(&body) {
        problems.push("certificate is neither PEM nor base64 (kept as written)".to_string());
        return Some(joined + "\n");
    }
    Some(wrap_in_certificate_armour(&body))
}

fn note_unexpected_pem_block(pem: &str, problems: &mut Vec<String>) {
    if pem.contains("PRIVATE KEY") {
        problems.push(
            "certificate holds a PRIVATE KEY: remove it from the file and from source control, \
             and give the certificate instead"
                .to_string(),
        );
    } else if !pem.contains("-----BEGIN CERTIFICATE-----") {
        problems.push("certificate holds a PEM block that is not a CERTIFICATE".to_string());
    }
}

fn is_base64(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
}

fn wrap_in_certificate_armour(base64: &str) -> String {
    let mut pem = String::from("-----BEGIN CERTIFICATE-----\n");
    // Base64 is ASCII, so byte chunks are whole characters.
    for line in base64.as_bytes().chunks(64) {
        pem.push_str(&String::from_utf8_lossy(line));
        pem.push('\n');
    }
    pem.push_str("-----END CERTIFICATE-----\n");
    pem
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_normalise_from_both_spellings() {
        let mut scopes = Vec::new();
        let mut problems = Vec::new();
        add_scopes(
            &mut scopes,
            ["Api", "offline_access", "RefreshToken", "Email", "openid", "Chatter", "Nonsense"],
            &mut problems,
        );
        assert_eq!(
            scopes,
            vec![
                Scope::Api,
                Scope::RefreshToken,
                Scope::Basic,
                Scope::OpenId,
                Scope::Other("Chatter".into()),
                Scope::Other("Nonsense".into()),
            ]
        );
        assert_eq!(problems.len(), 1, "{problems:?}");
    }

    #[test]
    fn bare_base64_certificates_get_armour() {
        let body = "A".repeat(70);
        let pem = certificate_pem(&format!("  {body}\n"), &mut Vec::new()).unwrap();
        let expected =
            format!("-----BEGIN CERTIFICATE-----\n{}\n{}\n-----END CERTIFICATE-----\n", &body[..64], &body[64..]);
        assert_eq!(pem, expected);
    }

    #[test]
    fn private_keys_in_certificate_fields_are_flagged() {
        let mut problems = Vec::new();
        // Armor built at run time: no private-key marker in the source tree outside fixtures.
        let raw = format!("-----BEGIN {0}-----\nAAAA\n-----END {0}-----", "PRIVATE KEY");
        let raw = raw.as_str();
        assert!(certificate_pem(raw, &mut problems).is_some());
        assert!(problems[0].contains("PRIVATE KEY"));
    }

    #[test]
    fn eca_ip_relaxation_spellings_map_to_connected_app_ones() {
        let mut problems = Vec::new();
        assert_eq!(ip_relaxation("f", "Bypass_2factor", &mut problems), "BYPASS_2FACTOR");
        assert_eq!(ip_relaxation("f", "Enforce_RelaxRefresh", &mut problems), "ENFORCE_RELAXREFRESH");
        assert!(problems.is_empty());
        assert_eq!(ip_relaxation("f", "Sometimes", &mut problems), "Sometimes");
        assert_eq!(problems.len(), 1);
    }

    #[test]
    fn high_assurance_needs_the_high_assurance_level() {
        let level = |v: &str| ("sessionLevel", Some(v.to_string()));
        let action = |v: Option<&str>| ("policyAction", v.map(str::to_string));
        let mut problems = Vec::new();
        assert!(requires_high_assurance(level("HIGH_ASSURANCE"), action(Some("Block")), &mut problems));
        assert!(requires_high_assurance(level("HIGH_ASSURANCE"), action(None), &mut problems));
        assert!(!requires_high_assurance(level("STANDARD"), action(Some("RaiseSessionLevel")), &mut problems));
        assert!(!requires_high_assurance(("sessionLevel", None), action(None), &mut problems));
        assert!(problems.is_empty());
    }

    #[test]
    fn callback_urls_split_on_lines_and_commas() {
        assert_eq!(
            split_callback_urls("http://localhost:1717/OauthRedirect\r\nhttps://a.example/cb, https://b.example/cb\n"),
            vec!["http://localhost:1717/OauthRedirect", "https://a.example/cb", "https://b.example/cb"]
        );
    }
}
