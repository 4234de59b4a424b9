//! Surgical edits to metadata XML: the element is found with the same parser the reader uses,
//! and only its bytes change, so the rest of the file (order, indentation, comments) and the diff
//! stay as the user wrote them. New elements go where a retrieve would put them: in name order
//! among their siblings, as Salesforce writes metadata.

use roxmltree::{Document, Node};

use super::XmlChange;
use crate::{metadata::xml::parse_untrusted, setup::templates::escape};

/// `text` with `change` made; the same text when there is nothing to change.
pub fn apply(text: &str, change: &XmlChange) -> Result<String, String> {
    let document = parse_untrusted(text).map_err(|e| format!("not well-formed XML ({})", e.describe()))?;
    match change {
        XmlChange::SetText { path, value } => set_text(text, &document, path, value),
        XmlChange::AddRepeated { path, value } => add_repeated(text, &document, path, value),
        XmlChange::AddToList { path, value } => add_to_list(text, &document, path, value),
        XmlChange::SetCertificate { path, pem } => set_certificate(text, &document, path, pem),
    }
}

fn set_text(text: &str, document: &Document, path: &[&str], value: &str) -> Result<String, String> {
    match find(document, path) {
        Some(element) if element.text().unwrap_or_default().trim() == value => Ok(text.to_string()),
        Some(element) => Ok(replace_content(text, element, &escape(value))),
        None => insert_child(text, document, path, value),
    }
}

fn add_repeated(text: &str, document: &Document, path: &[&str], value: &str) -> Result<String, String> {
    let (name, parent_path) = path.split_last().ok_or("an empty element path")?;
    let parent = find(document, parent_path).ok_or_else(|| missing(parent_path))?;
    let same: Vec<Node> = children(parent).filter(|c| c.tag_name().name() == *name).collect();
    let lower = value.to_ascii_lowercase();
    if same.iter().any(|c| c.text().unwrap_or_default().trim().eq_ignore_ascii_case(value)) {
        return Ok(text.to_string());
    }
    let element = format!("<{name}>{}</{name}>", escape(value));
    // Kept in value order among its kind (Api, RefreshToken, Web), after the last otherwise.
    match same.iter().find(|c| c.text().unwrap_or_default().trim().to_ascii_lowercase() > lower) {
        Some(next) => Ok(insert_before(text, *next, &element)),
        None => match same.last() {
            Some(last) => Ok(insert_after(text, *last, &element)),
            None => insert_child(text, document, path, value),
        },
    }
}

fn add_to_list(text: &str, document: &Document, path: &[&str], value: &str) -> Result<String, String> {
    let Some(element) = find(document, path) else { return insert_child(text, document, path, value) };
    let current = element.text().unwrap_or_default();
    let items: Vec<&str> = current.split(',').map(str::trim).filter(|i| !i.is_empty()).collect();
    if items.iter().any(|item| item.eq_ignore_ascii_case(value)) {
        return Ok(text.to_string());
    }
    // As the list is written, or as a retrieve writes it (`Api, RefreshToken, Web`).
    let separator = if current.contains(',') && !current.contains(", ") { "," } else { ", " };
    let mut all: Vec<&str> = items;
    all.push(value);
    Ok(replace_content(text, element, &escape(&all.join(separator))))
}

fn set_certificate(text: &str, document: &Document, path: &[&str], pem: &str) -> Result<String, String> {
    let Some(element) = find(document, path) else { return insert_child(text, document, path, pem.trim_end()) };
    let current = element.text().unwrap_or_default();
    // A retrieved External Client App holds the base64 body without the armour lines.
    let new = if current.contains("-----BEGIN") || current.trim().is_empty() {
        pem.trim_end().to_string()
    } else {
        pem.lines().filter(|line| !line.starts_with("-----")).collect::<Vec<_>>().join("\n")
    };
    if current.trim() == new.trim() {
        return Ok(text.to_string());
    }
    Ok(replace_content(text, element, &escape(&new)))
}

/// The element at `path` (child names from the root element).
fn find<'a, 'input>(document: &'a Document<'input>, path: &[&str]) -> Option<Node<'a, 'input>> {
    let mut node = document.root_element();
    for name in path {
        node = children(node).find(|child| child.tag_name().name() == *name)?;
    }
    Some(node)
}

fn children<'a, 'input>(node: Node<'a, 'input>) -> impl Iterator<Item = Node<'a, 'input>> {
    node.children().filter(Node::is_element)
}

fn missing(path: &[&str]) -> String {
    if path.is_empty() { "no root element".into() } else { format!("no <{}> element to add to", path.join("/")) }
}

/// Replaces what is between the element's tags (a self-closing element gets both tags).
fn replace_content(text: &str, element: Node, content: &str) -> String {
    let range = element.range();
    let whole = &text[range.clone()];
    if whole.ends_with("/>") {
        let name = element.tag_name().name();
        return format!("{}<{name}>{content}</{name}>{}", &text[..range.start], &text[range.end..]);
    }
    let open_end = range.start + whole.find('>').map_or(0, |i| i + 1);
    let close_start = range.start + whole.rfind("</").unwrap_or(whole.len());
    format!("{}{content}{}", &text[..open_end], &text[close_start..])
}

/// Adds `<last of path>value</…>` to its parent, in name order among the parent's children.
fn insert_child(text: &str, document: &Document, path: &[&str], value: &str) -> Result<String, String> {
    let (name, parent_path) = path.split_last().ok_or("an empty element path")?;
    let parent = find(document, parent_path).ok_or_else(|| missing(parent_path))?;
    let element = format!("<{name}>{}</{name}>", escape(value));
    let lower = name.to_ascii_lowercase();
    let siblings: Vec<Node> = children(parent).collect();
    if let Some(next) = siblings.iter().find(|c| c.tag_name().name().to_ascii_lowercase() > lower) {
        return Ok(insert_before(text, *next, &element));
    }
    if let Some(last) = siblings.last() {
        return Ok(insert_after(text, *last, &element));
    }
    // An empty parent: the child goes on its own line before the closing tag.
    let range = parent.range();
    let whole = &text[range.clone()];
    if whole.ends_with("/>") {
        let parent_name = parent.tag_name().name();
        let indent = indent_of(text, range.start);
        let opened = format!("<{parent_name}>\n{indent}    {element}\n{indent}</{parent_name}>");
        return Ok(format!("{}{opened}{}", &text[..range.start], &text[range.end..]));
    }
    let close_start = range.start + whole.rfind("</").unwrap_or(whole.len());
    let indent = indent_of(text, range.start);
    let before = text[..close_start].trim_end_matches([' ', '\t']);
    let newline = if before.ends_with('\n') { "" } else { "\n" };
    Ok(format!("{before}{newline}{indent}    {element}\n{indent}{}", &text[close_start..]))
}

fn insert_before(text: &str, next: Node, element: &str) -> String {
    let at = next.range().start;
    let indent = indent_of(text, at);
    format!("{}{element}\n{indent}{}", &text[..at], &text[at..])
}

fn insert_after(text: &str, last: Node, element: &str) -> String {
    let at = last.range().end;
    let indent = indent_of(text, last.range().start);
    format!("{}\n{indent}{element}{}", &text[..at], &text[at..])
}

/// The spaces and tabs between the start of the line and `at`.
fn indent_of(text: &str, at: usize) -> String {
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let prefix = &text[line_start..at];
    if prefix.chars().all(|c| c == ' ' || c == '\t') { prefix.to_string() } else { String::new() }
}

#[cfg(test)]
mod tests {
    use super::*;

    const APP: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ConnectedApp xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <label>CI</label>\n    <oauthConfig>\n        <callbackUrl>http://localhost:1717/OauthRedirect</callbackUrl>\n        <scopes>Api</scopes>\n        <scopes>Web</scopes>\n    </oauthConfig>\n</ConnectedApp>\n";

    fn change(text: &str, change: XmlChange) -> String {
        apply(text, &change).unwrap()
    }

    #[test]
    fn a_scope_goes_in_value_order_with_the_indentation_of_its_kind() {
        let added =
            change(APP, XmlChange::AddRepeated { path: vec!["oauthConfig", "scopes"], value: "RefreshToken".into() });
        assert!(
            added.contains(
                "        <scopes>Api</scopes>\n        <scopes>RefreshToken</scopes>\n        <scopes>Web</scopes>\n"
            ),
            "{added}"
        );
        let again = change(
            &added,
            XmlChange::AddRepeated { path: vec!["oauthConfig", "scopes"], value: "refreshtoken".into() },
        );
        assert_eq!(again, added, "already there: unchanged");
    }

    #[test]
    fn a_missing_element_is_added_in_name_order_and_an_existing_one_set() {
        let approved =
            change(APP, XmlChange::SetText { path: vec!["oauthConfig", "isAdminApproved"], value: "true".into() });
        assert!(
            approved.contains("</callbackUrl>\n        <isAdminApproved>true</isAdminApproved>\n        <scopes>Api"),
            "{approved}"
        );
        let top =
            change(&approved, XmlChange::AddRepeated { path: vec!["permissionSetName"], value: "CI & Co".into() });
        assert!(
            top.contains("    </oauthConfig>\n    <permissionSetName>CI &amp; Co</permissionSetName>\n</ConnectedApp>"),
            "{top}"
        );
        let relabelled = change(&top, XmlChange::SetText { path: vec!["label"], value: "New".into() });
        assert!(relabelled.contains("<label>New</label>") && !relabelled.contains("<label>CI</label>"));
    }

    #[test]
    fn a_comma_list_keeps_its_separator() {
        let eca = "<ExtlClntAppOauthSettings>\n    <commaSeparatedOauthScopes>Api, Web</commaSeparatedOauthScopes>\n</ExtlClntAppOauthSettings>\n";
        let added =
            change(eca, XmlChange::AddToList { path: vec!["commaSeparatedOauthScopes"], value: "RefreshToken".into() });
        assert!(added.contains(">Api, Web, RefreshToken<"), "{added}");
        let tight = "<S>\n    <commaSeparatedOauthScopes>Api,Web</commaSeparatedOauthScopes>\n</S>\n";
        let added = change(
            tight,
            XmlChange::AddToList { path: vec!["commaSeparatedOauthScopes"], value: "RefreshToken".into() },
        );
        assert!(added.contains(">Api,Web,RefreshToken<"), "{added}");
        let none = "<P>\n    <label>x</label>\n</P>\n";
        let inserted =
            change(none, XmlChange::AddToList { path: vec!["commaSeparatedPermissionSet"], value: "CI".into() });
        assert!(
            inserted
                .contains("    <commaSeparatedPermissionSet>CI</commaSeparatedPermissionSet>\n    <label>x</label>"),
            "{inserted}"
        );
    }

    #[test]
    fn a_certificate_keeps_the_form_of_the_file() {
        let pem = "-----BEGIN CERTIFICATE-----\nAAAA\nBBBB\n-----END CERTIFICATE-----\n";
        let bare = "<G>\n    <certificate>MIIC\nOLD=</certificate>\n</G>\n";
        let replaced = change(bare, XmlChange::SetCertificate { path: vec!["certificate"], pem: pem.into() });
        assert!(replaced.contains("<certificate>AAAA\nBBBB</certificate>"), "{replaced}");
        let armoured =
            "<G>\n    <certificate>-----BEGIN CERTIFICATE-----\nOLD=\n-----END CERTIFICATE-----</certificate>\n</G>\n";
        let replaced = change(armoured, XmlChange::SetCertificate { path: vec!["certificate"], pem: pem.into() });
        assert!(
            replaced.contains(
                "<certificate>-----BEGIN CERTIFICATE-----\nAAAA\nBBBB\n-----END CERTIFICATE-----</certificate>"
            ),
            "{replaced}"
        );
    }

    #[test]
    fn an_element_with_nowhere_to_go_is_an_error_not_a_guess() {
        let error = apply(APP, &XmlChange::SetText { path: vec!["oauthPolicy", "ipRelaxation"], value: "x".into() });
        assert_eq!(error.unwrap_err(), "no <oauthPolicy> element to add to");
        assert!(apply("<a><b></a>", &XmlChange::SetText { path: vec!["b"], value: "x".into() }).is_err());
    }
}
