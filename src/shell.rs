//! POSIX sh quoting for the values sfjwt puts into suggested commands, so that pasting a command
//! runs exactly the command shown, whatever a path, username or URL holds.

/// Programs that open a suggested command line; a code span that starts with one (or with a flag,
/// a variable assignment or a subshell) is shell text, and values put into it are quoted.
const PROGRAMS: &[&str] = &[
    "base64", "cat", "chmod", "cp", "curl", "date", "echo", "export", "gh", "grep", "head", "ls", "mv", "nslookup",
    "openssl", "printenv", "printf", "set", "sf", "sfdx", "sfjwt", "sudo", "test", "umask", "xmllint",
];

/// `value` as one sh word: bare when every character is plain, else in single quotes (a quote
/// inside becomes `'\''`).
pub fn quote(value: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "@%+=:,./_-".contains(c);
    if !value.is_empty() && value.chars().all(plain) && !value.starts_with('=') {
        return value.to_string();
    }
    format!("'{}'", value.replace('\'', r"'\''"))
}

/// One word of a command line sfjwt builds from typed values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Word {
    /// A value, quoted when it needs to be.
    Lit(String),
    /// Shell syntax written as is: a pipe, a redirection, `"$VARIABLE"`.
    Raw(&'static str),
}

/// The words joined into one command line.
pub fn line(words: &[Word]) -> String {
    words
        .iter()
        .map(|word| match word {
            Word::Lit(value) => quote(value),
            Word::Raw(text) => (*text).to_string(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// `Word::Lit` for each of `values`.
pub fn lits<'a>(values: impl IntoIterator<Item = &'a str>) -> Vec<Word> {
    values.into_iter().map(|v| Word::Lit(v.to_string())).collect()
}

/// `value` for the inside of a "double-quoted" sh string: `\`, `"`, `$` and `` ` `` escaped.
pub fn escape_double(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        if matches!(c, '\\' | '"' | '$' | '`') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// `value` for the inside of a 'single-quoted' SOQL string literal (itself inside a double-quoted
/// sh string): SOQL escapes `\` and `'`, then sh escapes what it would expand.
pub fn escape_soql_in_double(value: &str) -> String {
    escape_double(&value.replace('\\', r"\\").replace('\'', r"\'"))
}

/// Whether a code span from the catalog reads as shell text: a command line, a flag (`--x y`), a
/// variable assignment (`NAME=value cmd`) or a subshell.
pub fn is_shell(span: &str) -> bool {
    let span = span.trim_start();
    let first = span.split_whitespace().next().unwrap_or("");
    let assignment = first.split_once('=').is_some_and(|(name, _)| {
        !name.is_empty() && name.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
    });
    span.starts_with('-') || span.starts_with('(') || assignment || PROGRAMS.contains(&first)
}

/// Whether a code span is a whole command line (what a user pastes and runs).
pub fn is_command(span: &str) -> bool {
    let span = span.trim_start();
    is_shell(span) && !span.starts_with('-')
}

/// The code spans of a line of catalog or report text, in order (single backticks, as the catalog
/// writes them).
pub fn code_spans(text: &str) -> Vec<&str> {
    text.split('`').skip(1).step_by(2).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_values_stay_bare_and_others_are_single_quoted() {
        assert_eq!(quote("fixtures/keys/server.key"), "fixtures/keys/server.key");
        assert_eq!(quote("ci@acme.com.uat"), "ci@acme.com.uat");
        assert_eq!(quote("https://acme.my.salesforce.com"), "https://acme.my.salesforce.com");
        assert_eq!(quote("my key.pem"), "'my key.pem'");
        assert_eq!(quote("it's"), r"'it'\''s'");
        assert_eq!(quote(""), "''");
        assert_eq!(quote("$(rm -rf ~)"), "'$(rm -rf ~)'");
        assert_eq!(quote("~/server.key"), "'~/server.key'");
        assert_eq!(quote("a\nb"), "'a\nb'");
    }

    #[test]
    fn words_join_into_a_line_with_values_quoted_and_syntax_kept() {
        let words = [Word::Lit("gh".into()), Word::Lit("a b".into()), Word::Raw("|"), Word::Raw("\"$KEY\"")];
        assert_eq!(line(&words), "gh 'a b' | \"$KEY\"");
        assert_eq!(line(&lits(["sf", "My Folder"])), "sf 'My Folder'");
    }

    #[test]
    fn double_quoted_and_soql_contexts_escape_what_they_expand() {
        assert_eq!(escape_double(r#"a"$b`c\"#), r#"a\"\$b\`c\\"#);
        assert_eq!(escape_soql_in_double("o'brien@x.com"), r"o\\'brien@x.com");
    }

    #[test]
    fn spans_are_told_apart() {
        assert!(is_command("openssl pkey -in server.key -noout"));
        assert!(is_command("SF_AUDIENCE_URL=https://test.salesforce.com sf org login jwt"));
        assert!(is_command("(umask 077 && printf x > y)"));
        assert!(is_shell("--instance-url https://test.salesforce.com") && !is_command("--instance-url x"));
        assert!(!is_shell(r#""aud": "https://login.salesforce.com""#));
        assert!(!is_shell("invalid_grant"));
        assert_eq!(code_spans("run `a b` then `c`, not d"), ["a b", "c"]);
    }
}
