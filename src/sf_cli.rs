//! How `sf org login jwt` picks the token endpoints and audiences it tries.
//!
//! The Salesforce CLI does not choose one `aud`: `@salesforce/core`'s `getLoginAudienceCombos`
//! builds a list of (login host, `aud`) pairs and posts a freshly signed JWT to each in turn until
//! one succeeds. Every failure becomes one line of its "Errors encountered:" block, in that order,
//! so reproducing the list exactly (quirks included) tells us which host and audience produced
//! each line of a pasted CLI error.

use serde::Serialize;

/// `SfdcUrl.PRODUCTION`.
pub const PRODUCTION: &str = "https://login.salesforce.com";
/// `SfdcUrl.SANDBOX`.
pub const SANDBOX: &str = "https://test.salesforce.com";
/// The audience sfdx-core uses for GovCloud (`gs1`) My Domains.
pub const GS1_AUDIENCE: &str = "https://gs1.salesforce.com";

/// One token request the CLI makes: where it posts and the `aud` it signs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Attempt {
    /// The login URL string as the CLI holds it (the token URL is this plus `services/oauth2/token`).
    pub login: String,
    /// The `aud` claim, verbatim.
    pub audience: String,
}

/// The attempts `sf org login jwt` makes, in order.
///
/// `login_url` is the `--instance-url` flag value (`None`: no flag and no `sfdcLoginUrl` in
/// `sfdx-project.json`, so the CLI uses [`PRODUCTION`]). `audience_env` is `SF_AUDIENCE_URL`.
/// Returns an empty list when the CLI would fail before sending anything (a URL it cannot parse).
pub fn attempt_order(login_url: Option<&str>, audience_env: Option<&str>) -> Vec<Attempt> {
    let login = match login_url {
        // oclif's url flag hands the CLI a WHATWG URL and it uses `.href`, which adds the `/`.
        Some(flag) => match href(flag) {
            Some(href) => href,
            None => return Vec::new(),
        },
        None => PRODUCTION.to_string(),
    };
    let audience = jwt_audience_url(&login, audience_env);
    login_audience_combos(&audience, &login)
}

/// `SfdcUrl.getJwtAudienceUrl` for a fresh login (no `createdOrgInstance`).
fn jwt_audience_url(login: &str, audience_env: Option<&str>) -> String {
    // The CLI reads the variable with a default of '' and tests truthiness: empty means unset.
    if let Some(env) = audience_env.filter(|value| !value.is_empty()) {
        return env.to_string();
    }
    if origin(login).is_some_and(|origin| matches_gs1(&origin)) {
        return GS1_AUDIENCE.to_string();
    }
    PRODUCTION.to_string()
}

/// `getLoginAudienceCombos(audienceUrl, loginUrl)`, quirks included.
fn login_audience_combos(audience: &str, login: &str) -> Vec<Attempt> {
    let (a, l, p, s) = (audience, login, PRODUCTION, SANDBOX);
    let candidates = [(l, l), (s, s), (p, p), (a, a), (a, p), (a, s), (l, a), (l, p), (l, s), (p, a), (s, a)];
    let mut keyed: Vec<(String, Attempt)> = Vec::new();
    for (login, audience) in candidates {
        // The filter compares strings, so "https://login.salesforce.com/" (from a flag) is not
        // PRODUCTION and its pairing with the sandbox audience survives.
        if (login == p && audience == s) || (login == s && audience == p) {
            continue;
        }
        // `new URL(audience)` throws on a bad SF_AUDIENCE_URL before any request is made.
        let (Some(login_origin), Some(audience_origin)) = (origin(login), origin(audience)) else {
            return Vec::new();
        };
        let key = format!("{login_origin}:{audience_origin}");
        let attempt = Attempt { login: login.to_string(), audience: audience.to_string() };
        // A JS Map: the first `set` of a key fixes its position, the last one its value.
        match keyed.iter_mut().find(|(existing, _)| *existing == key) {
            Some(slot) => slot.1 = attempt,
            None => keyed.push((key, attempt)),
        }
    }
    keyed.into_iter().map(|(_, attempt)| attempt).collect()
}

/// `/(gs1.my.salesforce.com)/gi.test(origin)`: the dots are regex wildcards.
fn matches_gs1(origin: &str) -> bool {
    let pattern: Vec<char> = "gs1.my.salesforce.com".chars().collect();
    let text: Vec<char> = origin.to_lowercase().chars().collect();
    text.windows(pattern.len())
        .any(|window| window.iter().zip(&pattern).all(|(have, want)| *want == '.' || have == want))
}

/// The WHATWG origin of an http(s) URL: `scheme://host[:port]`, host lower-cased, default port
/// dropped. `None` for anything that is not an absolute http(s) URL.
pub fn origin(url: &str) -> Option<String> {
    http_url(url).map(|url| url.origin().ascii_serialization())
}

/// The WHATWG `href` of an http(s) URL, as Node's `URL` gives it to the CLI: `/` added when there
/// is no path, `\` read as `/`, dot segments resolved, user info and query kept.
pub fn href(url: &str) -> Option<String> {
    http_url(url).map(String::from)
}

fn http_url(text: &str) -> Option<url::Url> {
    url::Url::parse(text).ok().filter(|url| matches!(url.scheme(), "http" | "https"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOGIN: &str = "https://login.salesforce.com";
    const TEST: &str = "https://test.salesforce.com";

    fn pairs(attempts: &[Attempt]) -> Vec<(&str, &str)> {
        attempts.iter().map(|a| (a.login.as_str(), a.audience.as_str())).collect()
    }

    #[test]
    fn default_makes_two_attempts() {
        let attempts = attempt_order(None, None);
        assert_eq!(pairs(&attempts), [(LOGIN, LOGIN), (TEST, TEST)]);
    }

    #[test]
    fn explicit_login_url_makes_three_attempts_because_of_the_trailing_slash() {
        let attempts = attempt_order(Some("https://login.salesforce.com"), None);
        assert_eq!(pairs(&attempts), [(LOGIN, LOGIN), (TEST, TEST), ("https://login.salesforce.com/", TEST),]);
    }

    #[test]
    fn explicit_test_url_makes_three_attempts() {
        let attempts = attempt_order(Some("https://test.salesforce.com"), None);
        assert_eq!(
            pairs(&attempts),
            [
                // The Map keeps the first position of test:test but the last value written.
                ("https://test.salesforce.com/", TEST),
                (LOGIN, LOGIN),
                ("https://test.salesforce.com/", LOGIN),
            ]
        );
    }

    #[test]
    fn my_domain_makes_five_attempts() {
        let me = "https://acme.my.salesforce.com/";
        let attempts = attempt_order(Some("https://acme.my.salesforce.com"), None);
        assert_eq!(pairs(&attempts), [(me, me), (TEST, TEST), (LOGIN, LOGIN), (me, LOGIN), (me, TEST)]);
    }

    #[test]
    fn sandbox_my_domain_makes_five_attempts() {
        let me = "https://acme--uat.sandbox.my.salesforce.com/";
        let attempts = attempt_order(Some("https://acme--uat.sandbox.my.salesforce.com"), None);
        assert_eq!(pairs(&attempts), [(me, me), (TEST, TEST), (LOGIN, LOGIN), (me, LOGIN), (me, TEST)]);
    }

    #[test]
    fn loopback_http_makes_five_attempts() {
        let me = "http://127.0.0.1:42005/";
        let attempts = attempt_order(Some("http://127.0.0.1:42005"), None);
        assert_eq!(pairs(&attempts), [(me, me), (TEST, TEST), (LOGIN, LOGIN), (me, LOGIN), (me, TEST)]);
    }

    #[test]
    fn audience_env_set_to_test_swaps_the_last_two_attempts() {
        let me = "https://acme--uat.sandbox.my.salesforce.com/";
        let attempts =
            attempt_order(Some("https://acme--uat.sandbox.my.salesforce.com"), Some("https://test.salesforce.com"));
        assert_eq!(pairs(&attempts), [(me, me), (TEST, TEST), (LOGIN, LOGIN), (me, TEST), (me, LOGIN)]);
    }

    #[test]
    fn audience_env_elsewhere_gives_eleven_attempts_including_posts_to_itself() {
        let me = "http://127.0.0.1:42005/";
        let aud = "https://aud.example.com";
        let attempts = attempt_order(Some("http://127.0.0.1:42005"), Some(aud));
        assert_eq!(
            pairs(&attempts),
            [
                (me, me),
                (TEST, TEST),
                (LOGIN, LOGIN),
                (aud, aud),
                (aud, LOGIN),
                (aud, TEST),
                (me, aud),
                (me, LOGIN),
                (me, TEST),
                (LOGIN, aud),
                (TEST, aud),
            ]
        );
    }

    #[test]
    fn empty_audience_env_counts_as_unset() {
        assert_eq!(attempt_order(None, Some("")), attempt_order(None, None));
    }

    #[test]
    fn gs1_my_domain_gives_eleven_attempts() {
        let me = "https://gs1.my.salesforce.com/";
        let gs1 = GS1_AUDIENCE;
        let attempts = attempt_order(Some("https://gs1.my.salesforce.com"), None);
        assert_eq!(
            pairs(&attempts),
            [
                (me, me),
                (TEST, TEST),
                (LOGIN, LOGIN),
                (gs1, gs1),
                (gs1, LOGIN),
                (gs1, TEST),
                (me, gs1),
                (me, LOGIN),
                (me, TEST),
                (LOGIN, gs1),
                (TEST, gs1),
            ]
        );
    }

    #[test]
    fn gs1_test_uses_regex_wildcards_and_ignores_case() {
        assert!(matches_gs1("https://acme.GS1-MY-salesforce.com"));
        assert!(!matches_gs1("https://acme.my.salesforce.com"));
    }

    #[test]
    fn a_path_is_kept_in_login_and_first_audience() {
        let me = "http://127.0.0.1:42005/some/path";
        let attempts = attempt_order(Some(me), None);
        assert_eq!(attempts.len(), 5);
        assert_eq!(pairs(&attempts)[0], (me, me));
    }

    #[test]
    fn unparseable_inputs_make_no_attempts() {
        assert!(attempt_order(Some("not a url"), None).is_empty());
        assert!(attempt_order(Some(""), None).is_empty());
        assert!(attempt_order(None, Some("nope")).is_empty());
    }

    #[test]
    fn origin_normalises_scheme_host_and_default_port() {
        assert_eq!(origin("HTTPS://Acme.My.Salesforce.com:443/x?y").as_deref(), Some("https://acme.my.salesforce.com"));
        assert_eq!(origin("http://127.0.0.1:80").as_deref(), Some("http://127.0.0.1"));
        assert_eq!(origin("http://localhost:8443/").as_deref(), Some("http://localhost:8443"));
        assert_eq!(origin("https://[::1]:8443").as_deref(), Some("https://[::1]:8443"));
        assert_eq!(origin("https://user:pw@host.example").as_deref(), Some("https://host.example"));
        assert_eq!(origin("ftp://x"), None);
        assert_eq!(origin("https://"), None);
        assert_eq!(origin("https://host:99999"), None);
        assert_eq!(origin("https://host:12ab"), None);
    }

    #[test]
    fn href_adds_the_root_path_and_keeps_the_rest() {
        assert_eq!(href("https://acme.my.salesforce.com").as_deref(), Some("https://acme.my.salesforce.com/"));
        assert_eq!(href("https://ACME.my.salesforce.com?x=1").as_deref(), Some("https://acme.my.salesforce.com/?x=1"));
        assert_eq!(href("https://host\\a\\b#f").as_deref(), Some("https://host/a/b#f"));
        assert_eq!(href(" https://host/ ").as_deref(), Some("https://host/"));
    }
}
