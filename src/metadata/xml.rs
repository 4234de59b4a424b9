//! The one way sfjwt parses untrusted XML (app metadata, SAML assertions), and small helpers over
//! roxmltree that match elements by local name, because metadata files put everything in the
//! `http://soap.sforce.com/2006/04/metadata` namespace and some tools write a prefix.

use roxmltree::{Document, Node, ParsingOptions};

use super::MAX_FILE_BYTES;

/// Real app files and SAML assertions have a few hundred nodes; this bounds memory on hostile input.
pub(crate) const MAX_XML_NODES: u32 = 200_000;
/// Real documents nest a dozen levels; deeper input is hostile or broken, and it would make any
/// recursive walk over the tree (ours or a future one) a stack hazard.
pub(crate) const MAX_XML_DEPTH: usize = 128;

/// Why untrusted text is not usable XML.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum XmlError {
    TooLarge(usize),
    Dtd,
    TooDeep,
    Malformed(String),
}

impl XmlError {
    pub(crate) fn describe(&self) -> String {
        match self {
            XmlError::TooLarge(bytes) => {
                format!("{bytes} bytes is over the {} MiB limit", MAX_FILE_BYTES / (1024 * 1024))
            }
            XmlError::Dtd => "it declares a DTD (<!DOCTYPE>); DTDs are refused, so no entity is ever expanded".into(),
            XmlError::TooDeep => format!("elements nest deeper than {MAX_XML_DEPTH} levels"),
            XmlError::Malformed(message) => message.clone(),
        }
    }
}

/// Parses untrusted XML under sfjwt's limits: no DTD (so no entity expansion), at most
/// [`MAX_FILE_BYTES`], [`MAX_XML_NODES`] nodes and [`MAX_XML_DEPTH`] levels.
pub(crate) fn parse_untrusted(text: &str) -> Result<Document<'_>, XmlError> {
    if text.len() as u64 > MAX_FILE_BYTES {
        return Err(XmlError::TooLarge(text.len()));
    }
    let options = ParsingOptions { allow_dtd: false, nodes_limit: MAX_XML_NODES, ..ParsingOptions::default() };
    let document = Document::parse_with_options(text, options).map_err(|error| match error {
        roxmltree::Error::DtdDetected => XmlError::Dtd,
        other => XmlError::Malformed(other.to_string()),
    })?;
    if depth(&document) > MAX_XML_DEPTH {
        return Err(XmlError::TooDeep);
    }
    Ok(document)
}

/// The deepest element nesting, without recursion: roxmltree walks descendants in document order
/// and a node's parent always comes before it, so one pass with a table by node id suffices.
fn depth(document: &Document) -> usize {
    let mut depths = vec![0usize; document.descendants().count()];
    let mut deepest = 0;
    for node in document.descendants() {
        let own = node.parent().map_or(0, |parent| depths[parent.id().get_usize()] + 1);
        depths[node.id().get_usize()] = own;
        deepest = deepest.max(own);
    }
    deepest
}

/// The first child element with this local name.
pub(crate) fn child<'a, 'input>(node: Node<'a, 'input>, name: &str) -> Option<Node<'a, 'input>> {
    children(node, name).next()
}

/// Every child element with this local name, in document order.
pub(crate) fn children<'a, 'input>(node: Node<'a, 'input>, name: &str) -> impl Iterator<Item = Node<'a, 'input>> {
    node.children().filter(move |n| n.is_element() && n.tag_name().name() == name)
}

/// The trimmed text of the first child with this name; `None` when the child
/// is absent or empty (an empty element means "unset" in metadata).
pub(crate) fn child_text(node: Node, name: &str) -> Option<String> {
    child(node, name).and_then(non_empty_text)
}

/// The non-empty trimmed texts of every child with this name.
pub(crate) fn children_text(node: Node, name: &str) -> Vec<String> {
    children(node, name).filter_map(non_empty_text).collect()
}

/// All text under the element (text and CDATA pieces joined), trimmed.
fn non_empty_text(node: Node) -> Option<String> {
    let text: String = node.descendants().filter(|n| n.is_text()).filter_map(|n| n.text()).collect();
    let trimmed = text.trim();
    (!trimmed.is_empty()).then(|| trimmed.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_dtds_deep_nesting_and_broken_xml() {
        assert_eq!(parse_untrusted("<!DOCTYPE a [<!ENTITY x \"y\">]><a>&x;</a>").err(), Some(XmlError::Dtd));
        let deep = format!("{}{}", "<a>".repeat(MAX_XML_DEPTH + 2), "</a>".repeat(MAX_XML_DEPTH + 2));
        assert_eq!(parse_untrusted(&deep).err(), Some(XmlError::TooDeep));
        let fine = format!("{}{}", "<a>".repeat(MAX_XML_DEPTH - 2), "</a>".repeat(MAX_XML_DEPTH - 2));
        assert!(parse_untrusted(&fine).is_ok());
        assert!(matches!(parse_untrusted("<a><b></a>"), Err(XmlError::Malformed(_))));
    }
}
