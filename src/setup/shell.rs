//! Commands shown to the user, quoted for a POSIX shell so they can be pasted as they are.

/// One word of a command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Word {
    /// A value, quoted when it needs to be.
    Lit(String),
    /// Shell syntax written as is: a pipe, a redirection, `"$VARIABLE"`.
    Raw(&'static str),
}

/// `value`, single-quoted unless every character is safe in a shell word.
pub fn quote(value: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "_@%+=:,./-".contains(c);
    if !value.is_empty() && value.chars().all(safe) {
        return value.to_string();
    }
    format!("'{}'", value.replace('\'', r"'\''"))
}

/// The words joined into one line.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_only_what_needs_it() {
        assert_eq!(quote("force-app/main/default"), "force-app/main/default");
        assert_eq!(quote("ci@acme.com.uat"), "ci@acme.com.uat");
        assert_eq!(quote("My Folder"), "'My Folder'");
        assert_eq!(quote("it's"), r"'it'\''s'");
        assert_eq!(quote("$HOME"), "'$HOME'");
        assert_eq!(quote(""), "''");
        let words = [Word::Lit("gh".into()), Word::Lit("a b".into()), Word::Raw("|"), Word::Raw("\"$KEY\"")];
        assert_eq!(line(&words), "gh 'a b' | \"$KEY\"");
    }
}
