//! What a login URL and a username say about the org: production, sandbox, scratch, site.
//!
//! These are heuristics with known limits, written down where they apply: a user created directly
//! in a sandbox has no `.sandboxname` suffix, and a production username may end in a real
//! country domain that looks like a sandbox name.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Environment {
    Production,
    Sandbox,
    Scratch,
    Unknown,
}

impl Environment {
    /// Sandboxes and scratch orgs both log in through test.salesforce.com.
    pub fn is_sandbox_like(self) -> bool {
        matches!(self, Environment::Sandbox | Environment::Scratch)
    }

    pub fn label(self) -> &'static str {
        match self {
            Environment::Production => "production",
            Environment::Sandbox => "sandbox",
            Environment::Scratch => "scratch org",
            Environment::Unknown => "unknown",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum HostKind {
    Login,
    Test,
    MyDomain {
        name: String,
    },
    SandboxMyDomain {
        name: String,
        sandbox: String,
    },
    ScratchMyDomain {
        name: String,
    },
    ExperienceSite,
    Lightning,
    /// An instance host such as `na123.salesforce.com` or `cs42.salesforce.com`.
    Instance {
        sandbox: bool,
    },
    OtherSalesforce,
    Loopback,
    NotSalesforce,
    Invalid {
        reason: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Url {
    pub scheme: String,
    pub host: String,
    pub port: Option<u16>,
    pub path: String,
}

impl Url {
    pub fn parse(text: &str) -> Result<Url, String> {
        let text = text.trim();
        // Shown verbatim, a byte order mark or a zero-width space would make the message absurd
        // ("the scheme is `https`, expected https"): name it instead.
        if let Some((at, c)) = text.char_indices().find(|&(_, c)| is_invisible(c)) {
            let what = if c == '\u{feff}' { " (a byte order mark)" } else { "" };
            return Err(format!(
                "it holds an invisible character, U+{:04X}{what}, at byte {at}: retype the URL",
                u32::from(c)
            ));
        }
        let (scheme, rest) = text.split_once("://").ok_or("it has no scheme (expected https://…)")?;
        let scheme = scheme.to_ascii_lowercase();
        if scheme != "https" && scheme != "http" {
            return Err(format!("the scheme is `{scheme}`, expected https"));
        }
        let (authority, path) = rest.find(['/', '?', '#']).map_or((rest, ""), |i| rest.split_at(i));
        let authority = authority.rsplit_once('@').map_or(authority, |(_, host)| host);
        let port_of = |port: &str| port.parse::<u16>().map_err(|_| format!("the port `{port}` is not a number"));
        let (host, port) = if authority.starts_with('[') {
            // `[::1]` or `[::1]:8443`: the colons inside the brackets are not a port.
            let end = authority.find(']').ok_or("the IPv6 address in the host has no closing `]`")?;
            let (host, rest) = authority.split_at(end + 1);
            match rest.strip_prefix(':') {
                Some(port) => (host, Some(port_of(port)?)),
                None if rest.is_empty() => (host, None),
                None => return Err(format!("`{rest}` follows the IPv6 address in the host")),
            }
        } else {
            match authority.rsplit_once(':') {
                Some((host, port)) => (host, Some(port_of(port)?)),
                None => (authority, None),
            }
        };
        check_host(host)?;
        Ok(Url { scheme, host: host.to_ascii_lowercase(), port, path: path.to_string() })
    }

    pub fn origin(&self) -> String {
        match self.port {
            Some(port) => format!("{}://{}:{port}", self.scheme, self.host),
            None => format!("{}://{}", self.scheme, self.host),
        }
    }

    /// `localhost` or a loopback IP address. Only an address literal counts: a name such as
    /// `127.example.com` resolves anywhere, and plain http is allowed to loopback.
    pub fn is_loopback(&self) -> bool {
        let host = self.host.trim_start_matches('[').trim_end_matches(']');
        host == "localhost" || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
    }
}

/// Control characters and the invisible format characters pasted text carries.
fn is_invisible(c: char) -> bool {
    c.is_control() || matches!(c, '\u{feff}' | '\u{200b}'..='\u{200f}' | '\u{2060}' | '\u{202a}'..='\u{202e}')
}

/// A DNS name (labels of 1 to 63 bytes, at most 253 in all) or an IPv6 address in brackets.
fn check_host(host: &str) -> Result<(), String> {
    if host.is_empty() || host.contains(char::is_whitespace) {
        return Err("it has no valid host".into());
    }
    if let Some(inner) = host.strip_prefix('[') {
        let address = inner.strip_suffix(']').unwrap_or(inner);
        return match address.parse::<std::net::Ipv6Addr>() {
            Ok(_) => Ok(()),
            Err(_) => Err("the host is not a valid IPv6 address".into()),
        };
    }
    if let Some(c) = host.chars().find(|&c| !(c.is_alphanumeric() || matches!(c, '-' | '.' | '_'))) {
        return Err(format!("the host holds `{c}`, which no host name can hold"));
    }
    let name = host.strip_suffix('.').unwrap_or(host);
    if name.len() > 253 {
        return Err(format!("the host is {} characters long; a host name has at most 253", name.len()));
    }
    match name.split('.').find(|label| label.is_empty() || label.len() > 63) {
        Some("") => Err("the host has an empty label (`..`, or a leading dot)".into()),
        Some(label) => Err(format!("the host has a label of {} characters; a label has at most 63", label.len())),
        None => Ok(()),
    }
}

pub fn classify_host(url: &Url) -> HostKind {
    let host = url.host.as_str();
    if url.is_loopback() {
        return HostKind::Loopback;
    }
    if [".lightning.force.com", ".lightning.crmforce.mil", ".lightning.sfcrmapps.cn"].iter().any(|s| host.ends_with(s))
    {
        return HostKind::Lightning;
    }
    match host {
        "login.salesforce.com" => return HostKind::Login,
        "test.salesforce.com" => return HostKind::Test,
        _ => {}
    }
    if let Some(prefix) = strip_any(host, &[".sandbox.my.salesforce.com", ".sandbox.my.salesforce.mil"]) {
        let (name, sandbox) = prefix.split_once("--").unwrap_or((prefix, ""));
        return HostKind::SandboxMyDomain { name: name.into(), sandbox: sandbox.into() };
    }
    if let Some(prefix) = host.strip_suffix(".scratch.my.salesforce.com") {
        return HostKind::ScratchMyDomain { name: prefix.into() };
    }
    if host.ends_with(".my.site.com")
        || host.ends_with(".force.com") && !host.ends_with(".my.salesforce.com") && !host.contains(".lightning.")
    {
        return HostKind::ExperienceSite;
    }
    if let Some(prefix) = strip_any(host, &[".my.salesforce.com", ".my.salesforce.mil", ".my.sfcrmproducts.cn"]) {
        // Legacy sandbox My Domains are `name--sandbox.my.salesforce.com`; Developer Editions `name.develop`.
        let prefix = prefix.strip_suffix(".develop").unwrap_or(prefix);
        return match prefix.split_once("--") {
            Some((name, sandbox)) => HostKind::SandboxMyDomain { name: name.into(), sandbox: sandbox.into() },
            None => HostKind::MyDomain { name: prefix.into() },
        };
    }
    if let Some(instance) = host.strip_suffix(".salesforce.com")
        && !instance.contains('.')
        && instance.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && instance.chars().any(|c| c.is_ascii_digit())
    {
        return HostKind::Instance { sandbox: instance.starts_with("cs") };
    }
    let salesforce = [
        ".salesforce.com",
        ".force.com",
        ".site.com",
        ".salesforce.mil",
        ".sfcrmproducts.cn",
        ".cloudforce.com",
        ".database.com",
    ];
    if salesforce.iter().any(|s| host.ends_with(s)) {
        return HostKind::OtherSalesforce;
    }
    HostKind::NotSalesforce
}

fn strip_any<'a>(host: &'a str, suffixes: &[&str]) -> Option<&'a str> {
    suffixes.iter().find_map(|s| host.strip_suffix(s))
}

impl HostKind {
    pub fn environment(&self) -> Environment {
        match self {
            HostKind::Login | HostKind::MyDomain { .. } => Environment::Production,
            HostKind::Test | HostKind::SandboxMyDomain { .. } | HostKind::Instance { sandbox: true } => {
                Environment::Sandbox
            }
            HostKind::ScratchMyDomain { .. } => Environment::Scratch,
            HostKind::Instance { sandbox: false } => Environment::Production,
            _ => Environment::Unknown,
        }
    }

    pub fn describe(&self) -> String {
        match self {
            HostKind::Login => "the production login host".into(),
            HostKind::Test => "the sandbox login host".into(),
            HostKind::MyDomain { name } => format!("the My Domain of org `{name}`"),
            HostKind::SandboxMyDomain { name, sandbox } => format!("the My Domain of sandbox `{sandbox}` of `{name}`"),
            HostKind::ScratchMyDomain { name } => format!("the My Domain of scratch org `{name}`"),
            HostKind::ExperienceSite => "an Experience Cloud site".into(),
            HostKind::Lightning => "a Lightning Experience domain".into(),
            HostKind::Instance { sandbox: true } => "a legacy sandbox instance host".into(),
            HostKind::Instance { sandbox: false } => "an instance host".into(),
            HostKind::OtherSalesforce => "a Salesforce domain that does not serve logins".into(),
            HostKind::Loopback => "a loopback address (local testing)".into(),
            HostKind::NotSalesforce => "not a Salesforce domain".into(),
            HostKind::Invalid { reason } => format!("not a valid URL: {reason}"),
        }
    }
}

/// What a username's shape says about its org.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UsernameShape {
    pub environment: Environment,
    /// The sandbox name appended after the email domain, when there is one.
    pub sandbox_suffix: Option<String>,
    pub confidence: crate::finding::Confidence,
}

/// Top-level domains that end real email addresses; a last label outside them reads as a sandbox name.
const COMMON_TLDS: &[&str] = &[
    "com", "org", "net", "edu", "gov", "mil", "int", "io", "co", "ai", "app", "biz", "info", "me", "us", "uk", "de",
    "fr", "es", "it", "nl", "be", "ch", "at", "se", "no", "dk", "fi", "pl", "pt", "ie", "ca", "au", "nz", "jp", "cn",
    "in", "br", "mx", "ar", "za", "sg", "hk", "kr", "tw", "ru", "cloud", "tech", "online", "xyz", "eu", "asia",
    "global", "example",
];
/// Second-level labels under which a country code is a real domain (`example.com.au`).
const SECOND_LEVEL: &[&str] = &["com", "co", "org", "net", "ac", "gov", "edu"];

pub fn username_shape(username: &str) -> UsernameShape {
    use crate::finding::Confidence;
    let lower = username.trim().to_ascii_lowercase();
    let unknown =
        UsernameShape { environment: Environment::Unknown, sandbox_suffix: None, confidence: Confidence::Low };
    let Some((local, domain)) = lower.rsplit_once('@') else { return unknown };
    if domain == "example.com" && is_scratch_local(local) {
        return UsernameShape { environment: Environment::Scratch, sandbox_suffix: None, confidence: Confidence::High };
    }
    let labels: Vec<&str> = domain.split('.').collect();
    let [.., second, last] = labels.as_slice() else { return unknown };
    let looks_like_tld = COMMON_TLDS.contains(last);
    if labels.len() >= 3 && COMMON_TLDS.contains(second) {
        // `acme.com.au` is a real country domain; `acme.com.uat` is an email domain plus a sandbox name.
        let country_domain = SECOND_LEVEL.contains(second) && last.len() == 2;
        if !country_domain {
            let confidence = if looks_like_tld { Confidence::Medium } else { Confidence::High };
            return UsernameShape {
                environment: Environment::Sandbox,
                sandbox_suffix: Some(last.to_string()),
                confidence,
            };
        }
    } else if !looks_like_tld && last.len() > 2 {
        return UsernameShape {
            environment: Environment::Sandbox,
            sandbox_suffix: Some(last.to_string()),
            confidence: Confidence::Medium,
        };
    }
    // No suffix: production, or a user created directly in a sandbox (we cannot tell).
    UsernameShape { environment: Environment::Production, sandbox_suffix: None, confidence: Confidence::Low }
}

/// Scratch org admins are `test-<12 lowercase alphanumerics>@example.com`.
fn is_scratch_local(local: &str) -> bool {
    local
        .strip_prefix("test-")
        .is_some_and(|id| id.len() >= 10 && id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(url: &str) -> HostKind {
        classify_host(&Url::parse(url).unwrap())
    }

    #[test]
    fn classifies_hosts() {
        assert_eq!(kind("https://login.salesforce.com"), HostKind::Login);
        assert_eq!(kind("https://TEST.salesforce.com/"), HostKind::Test);
        assert_eq!(kind("https://acme.my.salesforce.com"), HostKind::MyDomain { name: "acme".into() });
        assert_eq!(
            kind("https://acme--uat.sandbox.my.salesforce.com"),
            HostKind::SandboxMyDomain { name: "acme".into(), sandbox: "uat".into() }
        );
        assert_eq!(
            kind("https://acme--uat.my.salesforce.com"),
            HostKind::SandboxMyDomain { name: "acme".into(), sandbox: "uat".into() }
        );
        assert_eq!(
            kind("https://energy-enterprise-2539-dev-ed.scratch.my.salesforce.com"),
            HostKind::ScratchMyDomain { name: "energy-enterprise-2539-dev-ed".into() }
        );
        assert_eq!(kind("https://acme.lightning.force.com"), HostKind::Lightning);
        assert_eq!(kind("https://acme.my.site.com"), HostKind::ExperienceSite);
        assert_eq!(kind("https://cs42.salesforce.com"), HostKind::Instance { sandbox: true });
        assert_eq!(kind("http://127.0.0.1:8080"), HostKind::Loopback);
        assert_eq!(kind("https://login.salesforce.co"), HostKind::NotSalesforce);
        assert_eq!(
            kind("https://acme-dev-ed.develop.my.salesforce.com"),
            HostKind::MyDomain { name: "acme-dev-ed".into() }
        );
    }

    #[test]
    fn parses_urls() {
        let url = Url::parse("HTTPS://Acme.my.salesforce.com:8443/path?q").unwrap();
        assert_eq!(url.origin(), "https://acme.my.salesforce.com:8443");
        assert_eq!(url.path, "/path?q");
        assert!(Url::parse("acme.my.salesforce.com").is_err());
        assert!(Url::parse("ftp://x").is_err());
        assert_eq!(Url::parse("http://[::1]/services").unwrap().host, "[::1]");
        assert_eq!(Url::parse("http://[::1]:8080").unwrap().port, Some(8080));
    }

    #[test]
    fn refuses_hosts_no_name_can_be() {
        let refused = |url: &str| Url::parse(url).unwrap_err();
        assert!(refused("https://[::1").contains("closing `]`"));
        assert!(refused("https://a..b").contains("empty label"));
        assert!(refused(&format!("https://{}.my.salesforce.com", "a".repeat(64))).contains("at most 63"));
        assert!(refused(&format!("https://{}", "a.".repeat(200))).contains("at most 253"));
        assert!(refused("http://%zz").contains("`%`"));
        assert!(refused("\u{feff}https://login.salesforce.com").contains("U+FEFF (a byte order mark)"));
        assert!(refused("https://login.salesforce.com\u{200b}/").contains("U+200B"));
    }

    #[test]
    fn only_loopback_addresses_are_loopback() {
        let loopback = |url: &str| Url::parse(url).unwrap().is_loopback();
        assert!(loopback("http://127.0.0.1:8080") && loopback("http://127.1.2.3") && loopback("http://[::1]:1"));
        assert!(loopback("http://localhost:3000"));
        assert!(!loopback("http://127.example.com"), "a name that starts with 127. resolves anywhere");
        assert!(!loopback("http://127.0.0.1.nip.io"));
    }

    #[test]
    fn reads_usernames() {
        assert_eq!(username_shape("ci@acme.com.uat").sandbox_suffix.as_deref(), Some("uat"));
        assert_eq!(username_shape("ci@acme.com.uat").environment, Environment::Sandbox);
        assert_eq!(username_shape("test-wvkpnfm5z113@example.com").environment, Environment::Scratch);
        assert_eq!(username_shape("ci@acme.com").environment, Environment::Production);
        assert_eq!(username_shape("ci@acme.com.au").environment, Environment::Production);
        assert_eq!(username_shape("ci@acme.co.uk").environment, Environment::Production);
        assert_eq!(username_shape("ci@acme.full").environment, Environment::Sandbox);
        assert_eq!(username_shape("not-an-email").environment, Environment::Unknown);
    }
}
