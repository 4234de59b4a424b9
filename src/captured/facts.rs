//! Identifying facts wherever they appear: hosts, usernames, client ids, the key path, the
//! response date and status, and `sf org login jwt` command lines.

use super::scan::{self, Text};
use super::{Captured, classify};
use crate::evidence::host::Url;
use crate::scrub::JwtClaims as Claims;

/// Field names (lowercase) that carry each fact.
const USERNAME_FIELDS: &[&str] = &["username", "sub"];
const CLIENT_ID_FIELDS: &[&str] = &["clientid", "client_id", "consumer_key", "iss"];
const KEY_PATH_FIELDS: &[&str] = &["privatekey", "privatekey_file", "jwtkeyfile"];

/// What precedes a URL (lowercase, separators trimmed) when the URL is a login or instance URL.
const LOGIN_URL_LABELS: &[&str] = &[
    "login",
    "loginurl",
    "sfdcloginurl",
    "instanceurl",
    "instance_url",
    "on url",
    "instance url",
    "login url",
    "--instance-url",
    "--instanceurl",
    " -r",
    " -l",
];

/// `sf org login jwt` flags and their aliases (sf_facts.md §6.1).
const USERNAME_FLAGS: &[&str] = &["--username", "-o", "-u", "--targetusername"];
const CLIENT_ID_FLAGS: &[&str] = &["--client-id", "--clientid", "-i"];
const KEY_FILE_FLAGS: &[&str] = &["--jwt-key-file", "--jwtkeyfile", "--keyfile", "-f"];
const INSTANCE_URL_FLAGS: &[&str] = &["--instance-url", "--instanceurl", "-r", "-l"];

pub(super) fn gather(text: &Text, claims: &[Claims], captured: &mut Captured) {
    gather_hosts(text, captured);
    let commands = commands(text);

    for command in &commands {
        command.username.iter().for_each(|v| captured.add_username(v));
        command.client_id.iter().for_each(|v| captured.add_client_id(v));
    }
    for key in USERNAME_FIELDS {
        scan::field_values(text, key).iter().for_each(|v| captured.add_username(v));
    }
    for line in text.raw.lines() {
        if let Some(username) = authorized_username(line).or_else(|| prose_username(line)) {
            captured.add_username(username);
        }
    }
    for key in CLIENT_ID_FIELDS {
        scan::field_values(text, key).iter().for_each(|v| captured.add_client_id(v));
    }
    for claims in claims {
        claims.sub.iter().for_each(|v| captured.add_username(v));
        claims.iss.iter().for_each(|v| captured.add_client_id(v));
    }

    // The ENOENT path is the file the client really tried to read, so it wins.
    if let Some(path) = text.raw.lines().find_map(classify::enoent_path) {
        captured.set_key_path(path);
    }
    for key in KEY_PATH_FIELDS {
        for value in scan::field_values(text, key) {
            // A key's contents pasted under this name are not a path.
            if !value.starts_with('[') && !value.starts_with('-') {
                captured.set_key_path(&value);
            }
        }
    }
    for command in &commands {
        command.key_file.iter().for_each(|v| captured.set_key_path(v));
    }

    if captured.date.is_none() {
        captured.date = text
            .raw
            .lines()
            .filter_map(|line| header_value(line, "date"))
            .find(|value| value.contains("GMT"))
            .map(str::to_string);
    }
}

/// Hosts in text order: token URLs, labelled login/instance URLs, `Host:` headers.
fn gather_hosts(text: &Text, captured: &mut Captured) {
    for line in text.raw.lines() {
        if let Some(host) = header_value(line, "host") {
            captured.add_host(&with_scheme(host));
        }
        let lower = line.to_ascii_lowercase();
        for (at, url) in scan::urls(line) {
            if is_token_url(url) || follows_login_label(&lower[..at]) {
                captured.add_host(url);
            }
        }
    }
}

fn is_token_url(url: &str) -> bool {
    url.to_ascii_lowercase().contains("/services/oauth2/")
}

fn follows_login_label(before: &str) -> bool {
    let before = before.trim_end_matches(|c: char| c.is_whitespace() || "\"'=:".contains(c));
    LOGIN_URL_LABELS.iter().any(|label| before.ends_with(label))
}

/// A `Host:` header names no scheme. Salesforce is HTTPS only; plain HTTP is only plausible for a
/// local test server.
pub(super) fn with_scheme(host: &str) -> String {
    let loopback = Url::parse(&format!("http://{host}")).is_ok_and(|url| url.is_loopback());
    format!("{}://{host}", if loopback { "http" } else { "https" })
}

/// The value of an HTTP header line `Name: value` (also with curl's `> `/`< ` markers).
pub(super) fn header_value<'l>(line: &'l str, name: &str) -> Option<&'l str> {
    let line = strip_curl_marker(line);
    let (field, value) = line.split_once(':')?;
    field.eq_ignore_ascii_case(name).then(|| value.trim()).filter(|v| !v.is_empty())
}

/// curl -v prefixes request lines with `> ` and response lines with `< `.
pub(super) fn strip_curl_marker(line: &str) -> &str {
    line.strip_prefix("> ").or_else(|| line.strip_prefix("< ")).unwrap_or(line)
}

/// `Successfully authorized <username> with org ID <id>` (sf success output).
fn authorized_username(line: &str) -> Option<&str> {
    let rest = line.split_once("Successfully authorized ")?.1;
    rest.split_once(" with org ID").map(|(username, _)| username)
}

/// `username ci@acme.com.uat` as people write it in a sentence (no `:` or `=`).
fn prose_username(line: &str) -> Option<&str> {
    let lower = line.to_ascii_lowercase();
    let at = lower.find("username ")? + "username ".len();
    let word = line[at..].split_whitespace().next()?;
    let word = word.trim_end_matches([',', ';', '.', ')']);
    word.contains('@').then_some(word)
}

/// A usable fact value: trimmed, unquoted, not a placeholder or a shell variable.
pub(super) fn clean_value(value: &str) -> Option<String> {
    let value = value.trim().trim_end_matches([',', ';']).trim_matches(['"', '\'', '`']).trim();
    let rejected = value.is_empty()
        || value.len() > 512
        || value.starts_with('$')
        || value.starts_with('%')
        || value.starts_with("[REDACTED")
        || value.eq_ignore_ascii_case("null")
        || value.eq_ignore_ascii_case("undefined")
        || value.chars().any(char::is_control);
    (!rejected).then(|| value.to_string())
}

/// The HTTP status a library message states, in the wordings clients use.
pub(super) fn find_status(text: &Text) -> Option<u16> {
    const LEADS: &[&str] = &[
        "resulted in a `",
        "http response code: ",
        "status code ",
        "statuscode=",
        "error_http_",
        "nodeapierror: ",
        "status: ",
        "status=",
    ];
    LEADS
        .iter()
        .flat_map(|lead| text.lower.match_indices(lead).map(|(at, _)| at + lead.len()))
        .filter_map(|at| status_at(&text.lower, at))
        .next()
}

/// A three-digit HTTP status starting at `at` (and not part of a longer number).
pub(super) fn status_at(text: &str, at: usize) -> Option<u16> {
    let digits = text.get(at..at + 3)?;
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if text.as_bytes().get(at + 3).is_some_and(u8::is_ascii_digit) {
        return None;
    }
    digits.parse().ok().filter(|s| (100..=599).contains(s))
}

/// The flags of an `sf org login jwt` (or `sfdx auth:jwt:grant`…) command line.
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct Command {
    pub username: Option<String>,
    pub client_id: Option<String>,
    pub key_file: Option<String>,
    pub instance_url: Option<String>,
}

/// Every JWT login command line in the text (continuation lines joined).
pub(super) fn commands(text: &Text) -> Vec<Command> {
    logical_lines(text.raw).iter().filter_map(|line| parse_command(line)).collect()
}

/// Joins shell continuation lines (`\` in sh, `` ` `` in PowerShell, `^` in cmd).
fn logical_lines(text: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut current = String::new();
    for line in text.lines() {
        let trimmed = line.trim_end();
        match trimmed.strip_suffix(['\\', '`', '^']) {
            Some(head) => {
                current.push_str(head);
                current.push(' ');
            }
            None => {
                current.push_str(trimmed);
                lines.push(std::mem::take(&mut current));
            }
        }
    }
    if !current.is_empty() {
        lines.push(current);
    }
    lines
}

fn parse_command(line: &str) -> Option<Command> {
    let tokens: Vec<&str> = line.split_whitespace().map(|t| t.trim_matches(['"', '\''])).collect();
    let is_sf = |t: &&str| {
        let name = t.rsplit(['/', '\\']).next().unwrap_or(t).to_ascii_lowercase();
        matches!(name.as_str(), "sf" | "sfdx" | "sf.cmd" | "sfdx.cmd" | "sf.exe")
    };
    let sf_at = tokens.iter().position(is_sf)?;
    let args = &tokens[sf_at + 1..];
    if !args.iter().any(|t| t.to_ascii_lowercase().contains("jwt")) {
        return None;
    }
    Some(Command {
        username: flag_value(args, USERNAME_FLAGS),
        client_id: flag_value(args, CLIENT_ID_FLAGS),
        key_file: flag_value(args, KEY_FILE_FLAGS),
        instance_url: flag_value(args, INSTANCE_URL_FLAGS),
    })
}

/// The value of the first of `names` in `args` (`--flag value` or `--flag=value`).
fn flag_value(args: &[&str], names: &[&str]) -> Option<String> {
    args.iter().enumerate().find_map(|(i, arg)| {
        let (flag, inline) = match arg.split_once('=') {
            Some((flag, value)) if flag.starts_with("--") => (flag, Some(value)),
            _ => (*arg, None),
        };
        if !names.contains(&flag) {
            return None;
        }
        let value = inline.or_else(|| args.get(i + 1).copied())?;
        clean_value(value).filter(|v| !v.starts_with('-'))
    })
}

/// Login URLs the failing command may have used, most direct evidence first: an `--instance-url`
/// on a pasted command line, then the origin in the CLI's insecure-protocol warning.
pub(super) fn instance_url_candidates(text: &Text) -> Vec<String> {
    let mut candidates: Vec<String> = commands(text).into_iter().filter_map(|command| command.instance_url).collect();
    for line in text.raw.lines() {
        let lower = line.to_ascii_lowercase();
        for (at, url) in scan::urls(line) {
            if lower[..at].trim_end().ends_with("on url:") {
                candidates.push(url.to_string());
            }
        }
    }
    candidates
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_lines_in_shell_and_ci_spellings() {
        let text = Text::new(
            "$ sf org login jwt --client-id 3MVGFAKE --jwt-key-file=/k/server.key \\\n  -o ci@example.com -r https://acme.my.salesforce.com\n",
        );
        assert_eq!(
            commands(&text),
            [Command {
                username: Some("ci@example.com".into()),
                client_id: Some("3MVGFAKE".into()),
                key_file: Some("/k/server.key".into()),
                instance_url: Some("https://acme.my.salesforce.com".into()),
            }]
        );
    }

    #[test]
    fn shell_variables_and_other_commands_are_ignored() {
        let text = Text::new(
            "sfdx auth:jwt:grant -i $CLIENT_ID -f ${KEY} -u ${{ secrets.USER }}\nWarning: The \"--clientid\" flag has been deprecated. Use \"--client-id | -i\" instead.\nnpm -i x",
        );
        assert_eq!(commands(&text), [Command::default()]);
    }

    #[test]
    fn statuses_in_library_wordings() {
        for (text, status) in [
            ("resulted in a `400 Bad Request` response", Some(400)),
            ("Server returned HTTP response code: 401 for URL", Some(401)),
            ("Request failed with status code 503", Some(503)),
            ("System.HttpResponse[Status=Bad Request, StatusCode=400]", Some(400)),
            ("\"status\": 1", None),
            ("status code 4000", None),
        ] {
            assert_eq!(find_status(&Text::new(text)), status, "{text}");
        }
    }

    #[test]
    fn host_headers_get_a_plausible_scheme() {
        assert_eq!(with_scheme("login.salesforce.com"), "https://login.salesforce.com");
        assert_eq!(with_scheme("127.0.0.1:42005"), "http://127.0.0.1:42005");
        assert_eq!(with_scheme("[::1]:42005"), "http://[::1]:42005");
        assert_eq!(with_scheme("127.example.com"), "https://127.example.com");
        assert_eq!(
            header_value("< Date: Sun, 22 Nov 2026 21:40:42 GMT", "date"),
            Some("Sun, 22 Nov 2026 21:40:42 GMT")
        );
        assert_eq!(header_value("Hostname: x", "host"), None);
    }

    #[test]
    fn usernames_in_prose() {
        assert_eq!(prose_username("auth error. username ci@acme.com.uat, instance url x"), Some("ci@acme.com.uat"));
        assert_eq!(prose_username("the username is wrong"), None);
    }

    #[test]
    fn values_are_cleaned() {
        assert_eq!(clean_value(" 'ci@example.com', ").as_deref(), Some("ci@example.com"));
        for junk in ["", "null", "undefined", "$USER", "%USER%", "[REDACTED-TOKEN]"] {
            assert_eq!(clean_value(junk), None, "{junk}");
        }
    }
}
