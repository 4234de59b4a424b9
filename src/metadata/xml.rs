//! Small helpers over roxmltree that match elements by local name, because
//! metadata files put everything in the `http://soap.sforce.com/2006/04/metadata`
//! namespace and some tools write a prefix.

use roxmltree::Node;

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
