//! Which sf command failed. The same error means different things in different commands: an
//! `ENOENT` on the key file in `sf org login jwt` is the `--jwt-key-file` flag's, in `sf project
//! deploy start` it is the stored login's key path; `user hasn't approved this consumer` in `sf org
//! create user` is a Hyperforce scratch org's user.

use super::scan::Text;

/// The failing sf command, named as the text names it (`project deploy start`,
/// `force:source:deploy`, or the `--json` output's `CreateUserCommand`).
pub(super) fn failing(text: &Text, json_command: Option<&str>, error_line: Option<usize>) -> Option<String> {
    if let Some(name) = json_command.filter(|name| !name.trim().is_empty()) {
        return Some(name.trim().to_string());
    }
    // sfdx v7: `ERROR running force:source:deploy:  …`.
    if let Some(at) = text.find("error running ")
        && let Some(name) = text.raw[at + "error running ".len()..].split_whitespace().next()
    {
        return Some(name.trim_end_matches(':').to_string());
    }
    // The last command line before the error (a shell prompt, a CI step's `Run …`).
    let before = error_line.unwrap_or(usize::MAX);
    text.raw.lines().take(before).filter(|line| line.contains("sf")).filter_map(command_of).last()
}

/// `sf project deploy start --target-org ci` → `project deploy start`.
fn command_of(line: &str) -> Option<String> {
    let tokens: Vec<&str> = line.split_whitespace().collect();
    let at = tokens.iter().position(|token| {
        let name = token.rsplit(['/', '\\']).next().unwrap_or(token).to_ascii_lowercase();
        matches!(name.as_str(), "sf" | "sfdx" | "sf.cmd" | "sfdx.cmd" | "sf.exe")
    })?;
    // Only a command line: at its start, after a prompt, a `Run` step or environment settings.
    let lead_ok = tokens[..at].iter().all(|t| matches!(*t, "$" | ">" | "#" | "PS>" | "Run" | "run") || t.contains('='));
    let is_word = |t: &&&str| {
        t.starts_with(|c: char| c.is_ascii_lowercase())
            && t.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == ':' || c == '-')
    };
    let words: Vec<&str> = tokens[at + 1..].iter().take_while(is_word).copied().take(4).collect();
    (lead_ok && !words.is_empty()).then(|| words.join(" "))
}

/// Whether `command` is a JWT login (`org login jwt`, `auth:jwt:grant`, `LoginJwt`).
pub(super) fn is_jwt_login(command: &str) -> bool {
    let squashed: String = command.to_ascii_lowercase().chars().filter(char::is_ascii_alphanumeric).collect();
    squashed.contains("loginjwt") || squashed.contains("jwtgrant")
}

/// Whether `command` creates a user (`org create user`, `force:user:create`, `CreateUserCommand`).
pub fn creates_user(command: &str) -> bool {
    let squashed: String = command.to_ascii_lowercase().chars().filter(char::is_ascii_alphanumeric).collect();
    squashed.contains("createuser") || squashed.contains("usercreate")
}

/// Prose that says the failing step came after a login that worked (lowercase).
const LATER_STEP_WORDS: &[&str] = &[
    "after the auth",
    "after the login",
    "after login",
    "after logging in",
    "after authenticating",
    "after sf org login",
];

/// Whether a line in prose places the failure after the login.
pub(super) fn says_later_step(line: &str) -> bool {
    let lower = line.to_ascii_lowercase();
    LATER_STEP_WORDS.iter().any(|word| lower.contains(word))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failing_in(text: &str) -> Option<String> {
        let error = text.lines().position(|l| l.contains("ENOENT"));
        failing(&Text::new(text), None, error)
    }

    #[test]
    fn the_last_command_before_the_error() {
        let log = "Run sf org login jwt --client-id $K --jwt-key-file k --username u\nSuccessfully authorized u\nRun sf apex run test --target-org ci\nError (ENOENT): ENOENT: no such file";
        assert_eq!(failing_in(log).as_deref(), Some("apex run test"));
        assert_eq!(
            failing_in("$ SF_X=1 sf project deploy start --target-org ci\nError (ENOENT): x").as_deref(),
            Some("project deploy start")
        );
        assert_eq!(failing_in("ERROR running force:source:deploy:  ENOENT: x").as_deref(), Some("force:source:deploy"));
        assert_eq!(failing_in("we run sf org login jwt and get ENOENT"), None);
        assert_eq!(failing_in("    sf = Salesforce(\nFileNotFoundError: ENOENT"), None);
    }

    #[test]
    fn json_names_win() {
        assert_eq!(
            failing(&Text::new("$ sf org login jwt"), Some("CreateUserCommand"), None).as_deref(),
            Some("CreateUserCommand")
        );
    }

    #[test]
    fn prose_places_the_failure_after_the_login_only_when_it_says_so() {
        assert!(says_later_step("the deploy fails with ENOENT on server.key hours after the auth step"));
        assert!(!says_later_step("sf org login jwt fails with ENOENT on server.key in our deploy pipeline"));
    }

    #[test]
    fn logins_and_user_creation() {
        for login in ["org login jwt", "auth:jwt:grant", "force:auth:jwt:grant", "LoginJwt", "auth jwt grant"] {
            assert!(is_jwt_login(login), "{login}");
        }
        assert!(!is_jwt_login("project deploy start"));
        assert!(
            creates_user("CreateUserCommand") && creates_user("org create user") && creates_user("force:user:create")
        );
    }
}
