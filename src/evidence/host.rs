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
    /// An instance host such as `na123.salesforce.com` or `cs42.salesforce.com` (letters, then
    /// digits: no hyphen, so no punycode `xn--` label).
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

/// An http(s) URL as the WHATWG URL Standard parses it (the `url` crate; the sf CLI uses Node's
/// `URL`), held to what a login host can be: http or https, a host that is an IP address or a
/// name DNS can hold, and no invisible characters anywhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Url(url::Url);

impl Url {
    pub fn parse(text: &str) -> Result<Url, String> {
        let text = text.trim();
        // Shown verbatim, a byte order mark or a zero-width space would make the message absurd
        // ("the scheme is `https`, expected https"), and WHATWG drops tabs and newlines silently:
        // name the character instead.
        if let Some((at, c)) = text.char_indices().find(|&(_, c)| is_invisible(c)) {
            let what = if c == '\u{feff}' { " (a byte order mark)" } else { "" };
            return Err(format!(
                "it holds an invisible character, U+{:04X}{what}, at byte {at}: retype the URL",
                u32::from(c)
            ));
        }
        let url = url::Url::parse(text).map_err(|e| describe_error(e, text))?;
        match url.scheme() {
            "https" | "http" => {}
            // `acme.my.salesforce.com:443` parses as the scheme `acme.my.salesforce.com`.
            _ if url.cannot_be_a_base() => return Err("it has no scheme (expected https://…)".into()),
            other => return Err(format!("the scheme is `{other}`, expected https")),
        }
        if let Some(url::Host::Domain(name)) = url.host() {
            check_dns_name(name)?;
        }
        Ok(Url(url))
    }

    pub fn scheme(&self) -> &str {
        self.0.scheme()
    }

    pub fn is_https(&self) -> bool {
        self.0.scheme() == "https"
    }

    /// Lower case, punycode for international names, IPv6 addresses in brackets.
    pub fn host(&self) -> &str {
        self.0.host_str().unwrap_or_default()
    }

    /// The port when it is not the scheme's default (WHATWG drops `:443` from https URLs).
    pub fn port(&self) -> Option<u16> {
        self.0.port()
    }

    /// The path alone: `/` at least, without the query or fragment.
    pub fn path(&self) -> &str {
        self.0.path()
    }

    /// What follows the origin: the path, query and fragment (`/` when there is nothing else).
    pub fn after_origin(&self) -> &str {
        &self.0[url::Position::BeforePath..]
    }

    /// `scheme://host[:port]`, the default port dropped.
    pub fn origin(&self) -> String {
        self.0.origin().ascii_serialization()
    }

    /// The origin and path without a trailing slash, as a login URL or an `aud` is written:
    /// the token URL is this plus `/services/oauth2/token`.
    pub fn base(&self) -> String {
        format!("{}{}", self.origin(), self.path().trim_end_matches('/'))
    }

    /// The URL as WHATWG serializes it (Node's `href`).
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// `localhost` or a loopback IP address. Only an address counts: a name such as
    /// `127.example.com` resolves anywhere, and plain http is allowed to loopback.
    pub fn is_loopback(&self) -> bool {
        match self.0.host() {
            Some(url::Host::Domain(name)) => name == "localhost",
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            None => false,
        }
    }
}

/// Control characters and the invisible format characters pasted text carries.
fn is_invisible(c: char) -> bool {
    c.is_control() || matches!(c, '\u{feff}' | '\u{200b}'..='\u{200f}' | '\u{2060}' | '\u{202a}'..='\u{202e}')
}

/// WHATWG's reasons, in words, naming the character or bracket at fault where there is one.
fn describe_error(error: url::ParseError, text: &str) -> String {
    use url::ParseError;
    let authority = text.split_once("//").map_or(text, |(_, rest)| rest);
    let authority = authority.split(['/', '\\', '?', '#']).next().unwrap_or_default();
    let host = authority.rsplit_once('@').map_or(authority, |(_, host)| host);
    match error {
        ParseError::RelativeUrlWithoutBase => "it has no scheme (expected https://…)".into(),
        ParseError::EmptyHost => "it has no valid host".into(),
        ParseError::InvalidPort => "the port is not a number from 0 to 65535".into(),
        ParseError::InvalidIpv4Address => "the host ends in a number but is not a valid IPv4 address".into(),
        ParseError::InvalidIpv6Address if host.starts_with('[') && !host.contains(']') => {
            "the IPv6 address in the host has no closing `]`".into()
        }
        ParseError::InvalidIpv6Address => "the host is not a valid IPv6 address".into(),
        // The `url` crate reports a forbidden character as either.
        ParseError::InvalidDomainCharacter | ParseError::IdnaError => match host.chars().find(|&c| is_forbidden(c)) {
            Some(c) => format!("the host holds `{c}`, which no host name can hold"),
            None if error == ParseError::IdnaError => "the host is not a valid international domain name".into(),
            None => "the host holds a character no host name can hold".into(),
        },
        other => other.to_string(),
    }
}

/// WHATWG's forbidden domain code points, less the `:` that starts a port.
fn is_forbidden(c: char) -> bool {
    c.is_ascii_control() || matches!(c, ' ' | '#' | '%' | '/' | '<' | '>' | '?' | '@' | '[' | '\\' | ']' | '^' | '|')
}

/// What WHATWG accepts and DNS does not: labels of 1 to 63 bytes, at most 253 in all, of
/// letters, digits, `-` and `_` (the name is ASCII by now: international names are punycode).
fn check_dns_name(host: &str) -> Result<(), String> {
    if let Some(c) = host.chars().find(|&c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'))) {
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
    let host = url.host();
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
        && !instance.contains(['.', '-'])
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
    /// A host under one of Salesforce's own domains.
    pub fn is_salesforce(&self) -> bool {
        !matches!(self, HostKind::Loopback | HostKind::NotSalesforce | HostKind::Invalid { .. })
    }

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
        assert_eq!((url.path(), url.after_origin()), ("/path", "/path?q"));
        assert_eq!(url.base(), "https://acme.my.salesforce.com:8443/path");
        assert!(Url::parse("acme.my.salesforce.com").unwrap_err().contains("no scheme"));
        assert!(Url::parse("acme.my.salesforce.com:443").unwrap_err().contains("no scheme"));
        assert!(Url::parse("ftp://x").unwrap_err().contains("`ftp`"));
        assert_eq!(Url::parse("http://[::1]/services").unwrap().host(), "[::1]");
        assert_eq!(Url::parse("http://[::1]:8080").unwrap().port(), Some(8080));
        assert!(Url::parse("https://x.com:99999").unwrap_err().contains("port"));
    }

    /// Where WHATWG (and so the sf CLI) reads a URL differently from a naive split, sfjwt follows it.
    #[test]
    fn follows_whatwg() {
        let url = |text: &str| Url::parse(text).unwrap();
        // Default ports are dropped, as from an origin in Node.
        assert_eq!(url("https://login.salesforce.com:443/").origin(), "https://login.salesforce.com");
        assert_eq!(url("https://login.salesforce.com:443").port(), None);
        assert_eq!(url("http://127.0.0.1:80").origin(), "http://127.0.0.1");
        // Special schemes need no slashes and read `\` as `/`.
        assert_eq!(url("https:login.salesforce.com").origin(), "https://login.salesforce.com");
        assert_eq!(url("https:\\\\acme.my.salesforce.com\\x").after_origin(), "/x");
        // Short and hexadecimal IPv4 forms are addresses, so loopback ones are loopback.
        assert!(url("http://127.1:8080").is_loopback());
        assert_eq!(url("http://0x7f.0.0.1").host(), "127.0.0.1");
        // International names become punycode, so a look-alike host shows what it really is.
        assert_eq!(url("https://lоgin.salesforce.com").host(), "xn--lgin-55d.salesforce.com");
        assert_eq!(kind("https://lоgin.salesforce.com"), HostKind::OtherSalesforce);
        // Escapes in a host are decoded before it is read.
        assert_eq!(url("https://login%2Esalesforce.com").host(), "login.salesforce.com");
    }

    #[test]
    fn refuses_hosts_no_name_can_be() {
        let refused = |url: &str| Url::parse(url).unwrap_err();
        assert!(refused("https://[::1").contains("closing `]`"));
        assert!(refused("https://a..b").contains("empty label"));
        assert!(refused(&format!("https://{}.my.salesforce.com", "a".repeat(64))).contains("at most 63"));
        assert!(refused(&format!("https://{}", "a.".repeat(200))).contains("at most 253"));
        assert!(refused("http://%zz").contains("`%`"));
        assert!(refused("https://login salesforce.com").contains("` `"));
        assert!(refused("https://a!b.com").contains("`!`"), "WHATWG allows it, DNS does not");
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
