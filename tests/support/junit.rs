//! Checks a JUnit report against the rules of `tests/fixtures/junit/junit.xsd`, in Rust, so that
//! `cargo test` needs no `xmllint`.
//!
//! The rules are read from the schema file itself: which elements exist and may nest where
//! (`xs:sequence`, `xs:choice`, `minOccurs`, `maxOccurs`), which attributes each element may carry
//! and which it must, their types (`xs:string`, `xs:decimal`, `xs:nonNegativeInteger`,
//! `xs:dateTime`, restrictions with `minInclusive`), and where text may appear (`mixed`). A
//! construct of XML Schema this checker does not know makes it panic rather than pass a document
//! it did not check. On top of the schema, [`violations`] checks what a CI system relies on and a
//! schema cannot say: that the counts add up.

use std::collections::HashMap;

use roxmltree::{Document, Node};

const SCHEMA: &str = include_str!("../fixtures/junit/junit.xsd");
const XS: &str = "http://www.w3.org/2001/XMLSchema";

/// Every way `xml` breaks the schema or its counts, one line each; empty when it is valid.
pub fn violations(xml: &str) -> Vec<String> {
    let schema = Schema::parse(SCHEMA);
    let document = match Document::parse(xml) {
        Ok(document) => document,
        Err(error) => return vec![format!("not well-formed XML: {error}")],
    };
    let root = document.root_element();
    let mut found = Vec::new();
    match schema.elements.get(root.tag_name().name()) {
        Some(declaration) => schema.check_element(root, &declaration.content, &mut found),
        None => found.push(format!("<{}> is not an element of the schema", root.tag_name().name())),
    }
    if found.is_empty() {
        check_counts(root, &mut found);
    }
    found
}

/// The schema: its global elements and its named types.
struct Schema {
    elements: HashMap<String, Element>,
    complex_types: HashMap<String, Complex>,
    simple_types: HashMap<String, Simple>,
}

struct Element {
    name: String,
    content: Content,
}

/// What an element holds, as its declaration says.
enum Content {
    /// `type="…"`: a named type, looked up when used.
    Named(String),
    Complex(Complex),
}

struct Complex {
    mixed: bool,
    group: Option<Group>,
    attributes: Vec<Attribute>,
}

struct Group {
    choice: bool,
    min: usize,
    max: Option<usize>,
    items: Vec<Item>,
}

struct Item {
    element: ItemElement,
    min: usize,
    max: Option<usize>,
}

enum ItemElement {
    /// `ref="…"`: a global element.
    Ref(String),
    Local(Element),
}

struct Attribute {
    name: String,
    simple: Simple,
    required: bool,
}

#[derive(Clone, Copy)]
enum Builtin {
    String,
    Decimal,
    NonNegativeInteger,
    DateTime,
}

#[derive(Clone, Copy)]
struct Simple {
    base: Builtin,
    min_inclusive: Option<f64>,
}

fn xs_children<'a>(node: Node<'a, 'a>) -> impl Iterator<Item = Node<'a, 'a>> {
    node.children()
        .filter(|child| child.is_element())
        .inspect(|child| assert_eq!(child.tag_name().namespace(), Some(XS), "junit.xsd: an element outside XML Schema"))
}

fn unsupported(node: Node) -> ! {
    panic!("junit.xsd uses <xs:{}>, which tests/support/junit.rs does not check: teach it", node.tag_name().name())
}

fn occurs(node: Node, name: &str) -> Option<usize> {
    match node.attribute(name) {
        None => Some(1),
        Some("unbounded") => None,
        Some(number) => Some(number.parse().expect("junit.xsd: a number of occurrences")),
    }
}

impl Schema {
    fn parse(text: &str) -> Schema {
        let document = Document::parse(text).expect("junit.xsd is well-formed");
        let mut schema =
            Schema { elements: HashMap::new(), complex_types: HashMap::new(), simple_types: HashMap::new() };
        let named = |node: Node| node.attribute("name").expect("junit.xsd: a named declaration").to_string();
        // Simple types first: attributes refer to them.
        for node in xs_children(document.root_element()) {
            if node.tag_name().name() == "simpleType" {
                let simple = schema.simple_type(node);
                schema.simple_types.insert(named(node), simple);
            }
        }
        for node in xs_children(document.root_element()) {
            match node.tag_name().name() {
                "simpleType" => {}
                "complexType" => {
                    let complex = schema.complex_type(node);
                    schema.complex_types.insert(named(node), complex);
                }
                "element" => {
                    let element = schema.element(node);
                    schema.elements.insert(element.name.clone(), element);
                }
                _ => unsupported(node),
            }
        }
        schema
    }

    fn element(&self, node: Node) -> Element {
        let name = node.attribute("name").expect("junit.xsd: a named element").to_string();
        let content = match (node.attribute("type"), xs_children(node).next()) {
            (Some(type_name), None) => Content::Named(type_name.to_string()),
            (None, Some(child)) if child.tag_name().name() == "complexType" => {
                Content::Complex(self.complex_type(child))
            }
            (_, Some(child)) => unsupported(child),
            (None, None) => panic!("junit.xsd: element {name} has no type"),
        };
        Element { name, content }
    }

    fn complex_type(&self, node: Node) -> Complex {
        let mut complex =
            Complex { mixed: node.attribute("mixed") == Some("true"), group: None, attributes: Vec::new() };
        for child in xs_children(node) {
            match child.tag_name().name() {
                "sequence" | "choice" => complex.group = Some(self.group(child)),
                "attribute" => complex.attributes.push(Attribute {
                    name: child.attribute("name").expect("junit.xsd: a named attribute").to_string(),
                    simple: self.simple_named(child.attribute("type").unwrap_or("xs:string")),
                    required: child.attribute("use") == Some("required"),
                }),
                _ => unsupported(child),
            }
        }
        complex
    }

    fn group(&self, node: Node) -> Group {
        let items = xs_children(node)
            .map(|child| {
                if child.tag_name().name() != "element" {
                    unsupported(child);
                }
                let element = match child.attribute("ref") {
                    Some(name) => ItemElement::Ref(name.to_string()),
                    None => ItemElement::Local(self.element(child)),
                };
                Item { element, min: occurs(child, "minOccurs").unwrap_or(0), max: occurs(child, "maxOccurs") }
            })
            .collect();
        Group {
            choice: node.tag_name().name() == "choice",
            min: occurs(node, "minOccurs").unwrap_or(0),
            max: occurs(node, "maxOccurs"),
            items,
        }
    }

    fn simple_type(&self, node: Node) -> Simple {
        let restriction = xs_children(node).next().expect("junit.xsd: a simple type's restriction");
        if restriction.tag_name().name() != "restriction" {
            unsupported(restriction);
        }
        let mut simple = self.simple_named(restriction.attribute("base").expect("junit.xsd: a restriction's base"));
        for facet in xs_children(restriction) {
            match facet.tag_name().name() {
                "minInclusive" => {
                    let value = facet.attribute("value").and_then(|v| v.parse().ok());
                    simple.min_inclusive = Some(value.expect("junit.xsd: a numeric minInclusive"));
                }
                _ => unsupported(facet),
            }
        }
        simple
    }

    fn simple_named(&self, name: &str) -> Simple {
        let base = match name {
            "xs:string" => Builtin::String,
            "xs:decimal" => Builtin::Decimal,
            "xs:nonNegativeInteger" => Builtin::NonNegativeInteger,
            "xs:dateTime" => Builtin::DateTime,
            other => return *self.simple_types.get(other).unwrap_or_else(|| panic!("junit.xsd: unknown type {other}")),
        };
        Simple { base, min_inclusive: None }
    }

    fn check_element(&self, node: Node, content: &Content, found: &mut Vec<String>) {
        let path = path_of(node);
        let complex = match content {
            Content::Complex(complex) => complex,
            Content::Named(name) => match self.complex_types.get(name) {
                Some(complex) => complex,
                None => return self.check_simple_element(node, self.simple_named(name), found),
            },
        };
        for attribute in node.attributes() {
            match complex.attributes.iter().find(|declared| declared.name == attribute.name()) {
                None => found.push(format!("{path}: attribute {} is not allowed", attribute.name())),
                Some(declared) => {
                    if let Err(why) = declared.simple.check(attribute.value()) {
                        found.push(format!("{path}: attribute {}={:?}: {why}", attribute.name(), attribute.value()));
                    }
                }
            }
        }
        for declared in complex.attributes.iter().filter(|a| a.required) {
            if node.attribute(declared.name.as_str()).is_none() {
                found.push(format!("{path}: the required attribute {} is missing", declared.name));
            }
        }
        if !complex.mixed
            && node.children().any(|child| child.is_text() && !child.text().unwrap_or("").trim().is_empty())
        {
            found.push(format!("{path}: text is not allowed here"));
        }
        let children: Vec<Node> = node.children().filter(|child| child.is_element()).collect();
        let Some(group) = &complex.group else {
            if let Some(child) = children.first() {
                found.push(format!("{path}: <{}> is not allowed here", child.tag_name().name()));
            }
            return;
        };
        match self.match_group(group, &children) {
            Ok(matched) => {
                for (child, content) in matched {
                    self.check_element(child, content, found);
                }
            }
            Err(why) => found.push(format!("{path}: {why}")),
        }
    }

    fn check_simple_element(&self, node: Node, simple: Simple, found: &mut Vec<String>) {
        let path = path_of(node);
        if let Some(attribute) = node.attributes().next() {
            found.push(format!("{path}: attribute {} is not allowed", attribute.name()));
        }
        if let Some(child) = node.children().find(|child| child.is_element()) {
            found.push(format!("{path}: <{}> is not allowed in text-only content", child.tag_name().name()));
        }
        let text: String = node.children().filter_map(|child| child.text()).collect();
        if let Err(why) = simple.check(&text) {
            found.push(format!("{path}: {why}"));
        }
    }

    /// Which declaration each child matches, or why the children do not fit the group.
    fn match_group<'a, 'n>(
        &'a self,
        group: &'a Group,
        children: &[Node<'n, 'n>],
    ) -> Result<Vec<(Node<'n, 'n>, &'a Content)>, String> {
        let declaration = |item: &'a Item| -> &'a Element {
            match &item.element {
                ItemElement::Ref(name) => self.elements.get(name).expect("junit.xsd: a ref to a global element"),
                ItemElement::Local(element) => element,
            }
        };
        let mut matched = Vec::new();
        if group.choice {
            // Each child is one pick of the choice; items occur once per pick.
            if group.items.iter().any(|item| item.min != 1 || item.max != Some(1)) {
                panic!("junit.xsd: occurrences on a choice's elements are not supported");
            }
            for child in children {
                let Some(item) = group.items.iter().find(|item| declaration(item).name == child.tag_name().name())
                else {
                    return Err(format!("<{}> is not allowed here", child.tag_name().name()));
                };
                matched.push((*child, &declaration(item).content));
            }
            return within(children.len(), group.min, group.max).map(|()| matched);
        }
        if group.min != 1 || group.max != Some(1) {
            panic!("junit.xsd: occurrences on a sequence are not supported");
        }
        let mut rest = children;
        for item in &group.items {
            let element = declaration(item);
            let count = rest.iter().take_while(|child| child.tag_name().name() == element.name).count();
            within(count, item.min, item.max).map_err(|why| format!("<{}>: {why}", element.name))?;
            matched.extend(rest[..count].iter().map(|child| (*child, &element.content)));
            rest = &rest[count..];
        }
        match rest.first() {
            Some(child) => Err(format!("<{}> is not allowed here", child.tag_name().name())),
            None => Ok(matched),
        }
    }
}

fn within(count: usize, min: usize, max: Option<usize>) -> Result<(), String> {
    if count < min {
        return Err(format!("{count} found, at least {min} needed"));
    }
    match max {
        Some(max) if count > max => Err(format!("{count} found, at most {max} allowed")),
        _ => Ok(()),
    }
}

impl Simple {
    fn check(&self, value: &str) -> Result<(), String> {
        // Every type but xs:string collapses white space first.
        let collapsed = value.trim();
        let number = match self.base {
            Builtin::String => return Ok(()),
            Builtin::DateTime => return check_date_time(collapsed),
            Builtin::Decimal => {
                let digits = collapsed.strip_prefix(['+', '-']).unwrap_or(collapsed);
                let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
                let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
                if (whole.is_empty() && fraction.is_empty()) || !all_digits(whole) || !all_digits(fraction) {
                    return Err("not an xs:decimal".into());
                }
                collapsed.parse::<f64>().map_err(|_| "not an xs:decimal".to_string())?
            }
            Builtin::NonNegativeInteger => {
                let digits = collapsed.strip_prefix('+').unwrap_or(collapsed);
                if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                    return Err("not an xs:nonNegativeInteger".into());
                }
                digits.parse::<f64>().map_err(|_| "not an xs:nonNegativeInteger".to_string())?
            }
        };
        match self.min_inclusive {
            Some(min) if number < min => Err(format!("below the minimum {min}")),
            _ => Ok(()),
        }
    }
}

/// `[-]YYYY-MM-DDThh:mm:ss[.fff][Z|±hh:mm]`, the lexical form of xs:dateTime.
fn check_date_time(value: &str) -> Result<(), String> {
    let invalid = || Err(format!("{value:?} is not an xs:dateTime"));
    let value = value.strip_prefix('-').unwrap_or(value);
    let Some((date, time)) = value.split_once('T') else { return invalid() };
    let number = |text: &str, digits: usize| {
        (text.len() == digits && text.bytes().all(|b| b.is_ascii_digit())).then(|| text.parse::<u32>().unwrap())
    };
    let date: Vec<&str> = date.split('-').collect();
    let [year, month, day] = date.as_slice() else { return invalid() };
    let year_ok = year.len() >= 4 && year.bytes().all(|b| b.is_ascii_digit());
    let (Some(month), Some(day)) = (number(month, 2), number(day, 2)) else { return invalid() };
    let (clock, zone) = match time.find(['Z', '+', '-']) {
        Some(at) => time.split_at(at),
        None => (time, ""),
    };
    let zone_ok = match zone {
        "" | "Z" => true,
        zone => {
            let (hours, minutes) = zone[1..].split_once(':').unwrap_or(("", ""));
            number(hours, 2).is_some_and(|h| h <= 14) && number(minutes, 2).is_some_and(|m| m <= 59)
        }
    };
    let (whole, fraction) = clock.split_once('.').unwrap_or((clock, "0"));
    let clock: Vec<&str> = whole.split(':').collect();
    let [hour, minute, second] = clock.as_slice() else { return invalid() };
    let fraction_ok = !fraction.is_empty() && fraction.bytes().all(|b| b.is_ascii_digit());
    let (Some(hour), Some(minute), Some(second)) = (number(hour, 2), number(minute, 2), number(second, 2)) else {
        return invalid();
    };
    let ok = year_ok
        && (1..=12).contains(&month)
        && (1..=31).contains(&day)
        && hour <= 24
        && minute <= 59
        && second <= 59
        && fraction_ok
        && zone_ok;
    if ok { Ok(()) } else { invalid() }
}

/// `tests`, `failures`, `errors` and `skipped` of each suite count its test cases, and those of
/// `<testsuites>` add up the suites'.
fn check_counts(root: Node, found: &mut Vec<String>) {
    let count = |node: Node, name: &str| node.attribute(name).map(|v| v.trim().parse::<usize>().unwrap_or(usize::MAX));
    let suites: Vec<Node> = match root.tag_name().name() {
        "testsuites" => root.children().filter(|c| c.has_tag_name("testsuite")).collect(),
        "testsuite" => vec![root],
        _ => return,
    };
    let mut totals = [0usize; 3];
    for suite in &suites {
        let cases: Vec<Node> = suite.children().filter(|c| c.has_tag_name("testcase")).collect();
        let with = |outcome: &str| cases.iter().filter(|case| case.children().any(|c| c.has_tag_name(outcome))).count();
        let actual = [
            ("tests", cases.len()),
            ("failures", with("failure")),
            ("errors", with("error")),
            ("skipped", with("skipped")),
        ];
        for (index, (name, actual)) in actual.into_iter().enumerate() {
            match count(*suite, name) {
                Some(claimed) if claimed != actual => {
                    found.push(format!("{}: {name}=\"{claimed}\" but it holds {actual}", path_of(*suite)))
                }
                _ => {}
            }
            if let Some(total) = totals.get_mut(index) {
                *total += actual;
            }
        }
    }
    if root.has_tag_name("testsuites") {
        for (name, total) in ["tests", "failures", "errors"].into_iter().zip(totals) {
            match count(root, name) {
                Some(claimed) if claimed != total => {
                    found.push(format!("<testsuites>: {name}=\"{claimed}\" but its suites add up to {total}"))
                }
                _ => {}
            }
        }
    }
}

/// `<testsuites>/<testsuite name="Key">/<testcase name="key.file">`, to say where a problem is.
fn path_of(node: Node) -> String {
    let mut parts: Vec<String> = node
        .ancestors()
        .filter(|n| n.is_element())
        .map(|n| match n.attribute("name") {
            Some(name) => format!("<{} name={name:?}>", n.tag_name().name()),
            None => format!("<{}>", n.tag_name().name()),
        })
        .collect();
    parts.reverse();
    parts.join("/")
}

#[cfg(test)]
mod checks_itself {
    use super::violations;

    const VALID: &str = r#"<?xml version="1.0"?>
<testsuites name="x" tests="2" failures="1" errors="0" time="0.5">
  <testsuite name="A" tests="2" failures="1" errors="0" skipped="0" time="0" timestamp="2027-01-01T00:00:00Z">
    <testcase classname="a" name="one" time="0"><system-out>ok</system-out></testcase>
    <testcase classname="a" name="two"><failure type="t" message="m">why &amp; how</failure></testcase>
  </testsuite>
</testsuites>"#;

    #[test]
    fn a_valid_report_passes() {
        assert_eq!(violations(VALID), Vec::<String>::new());
    }

    /// Each broken report must be caught, with a message that names the problem.
    #[test]
    fn each_kind_of_damage_is_caught() {
        let cases = [
            (VALID.replace("<testsuites name", "<results name").replace("</testsuites>", "</results>"), "<results>"),
            (VALID.replace(r#"classname="a" name="one""#, r#"name="one""#), "required attribute classname"),
            (VALID.replace(r#"skipped="0""#, r#"skipped="0" flaky="1""#), "attribute flaky is not allowed"),
            (VALID.replace(r#"time="0.5""#, r#"time="-1""#), "below the minimum"),
            (VALID.replace(r#"time="0.5""#, r#"time="1s""#), "not an xs:decimal"),
            (VALID.replace(r#"errors="0" skipped"#, r#"errors="-1" skipped"#), "not an xs:nonNegativeInteger"),
            (VALID.replace("2027-01-01T00:00:00Z", "2027-01-01 00:00:00"), "not an xs:dateTime"),
            (VALID.replace("<system-out>ok</system-out>", "<system-out><b>ok</b></system-out>"), "text-only"),
            (VALID.replace("<system-out>ok</system-out>", "<output>ok</output>"), "<output> is not allowed"),
            (VALID.replace("why &amp; how", "<p>why</p>"), "<p> is not allowed"),
            (
                VALID.replace(
                    "<testcase classname=\"a\" name=\"one\"",
                    "stray text<testcase classname=\"a\" name=\"one\"",
                ),
                "text is not allowed",
            ),
            (
                VALID.replace(
                    r#"tests="2" failures="1" errors="0" skipped"#,
                    r#"tests="3" failures="1" errors="0" skipped"#,
                ),
                "holds 2",
            ),
            (VALID.replace(r#"<testsuites name="x" tests="2""#, r#"<testsuites name="x" tests="5""#), "add up to 2"),
            (VALID.replace(r#"skipped="0""#, r#"skipped="1""#), "skipped=\"1\" but it holds 0"),
            ("<testsuites><testsuite".to_string(), "not well-formed"),
        ];
        for (xml, says) in cases {
            let found = violations(&xml);
            assert!(found.iter().any(|v| v.contains(says)), "want a violation saying {says:?}, got {found:?}\n{xml}");
        }
    }
}
