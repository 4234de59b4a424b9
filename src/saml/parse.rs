//! Reading the parts of a SAML 2.0 assertion that Salesforce's SAML bearer flow checks, through
//! the same untrusted-XML entry point as app metadata (no DTD, size, node and depth caps).

use base64::{Engine, engine::general_purpose::STANDARD};
use roxmltree::Node;

use super::{Assertion, Confirmation, EmbeddedCert, Instant, Signature};
use crate::{
    evidence::cert::{self, CertState},
    metadata::xml::{child, child_text, children, parse_untrusted},
};

pub(super) const SAML_NS: &str = "urn:oasis:names:tc:SAML:2.0:assertion";
const SAML1_NS: &str = "urn:oasis:names:tc:SAML:1.0:assertion";
const SAMLP_NS: &str = "urn:oasis:names:tc:SAML:2.0:protocol";
const DS_NS: &str = "http://www.w3.org/2000/09/xmldsig#";

/// The assertion, and what keeps it from being one the bearer grant takes (`saml.not-saml`).
pub(super) fn parse(xml: &str) -> (Option<Assertion>, Option<String>) {
    let document = match parse_untrusted(xml) {
        Ok(document) => document,
        Err(error) => return (None, Some(format!("it is not usable XML: {}", error.describe()))),
    };
    let root = document.root_element();
    let (name, namespace) = (root.tag_name().name(), root.tag_name().namespace().unwrap_or(""));
    match (name, namespace) {
        ("Assertion", SAML_NS) => (Some(read_assertion(root)), None),
        ("Assertion", SAML1_NS) => (None, Some("it is a SAML 1.1 assertion; the bearer flow takes SAML 2.0".into())),
        ("Response", SAMLP_NS) => {
            let inner: Vec<Node> =
                root.children().filter(|n| n.is_element() && n.tag_name().namespace() == Some(SAML_NS)).collect();
            let encrypted = inner.iter().any(|n| n.tag_name().name() == "EncryptedAssertion");
            let assertions: Vec<&Node> = inner.iter().filter(|n| n.tag_name().name() == "Assertion").collect();
            let problem = match (assertions.len(), encrypted) {
                (_, true) => "it is a SAML Response holding an encrypted assertion; the bearer grant takes one plain, signed <Assertion>".to_string(),
                (1, false) => "it is a SAML protocol <Response> around the assertion (web single sign-on's shape); the bearer grant takes the <Assertion> element alone (RFC 7522 §2.1)".to_string(),
                (n, false) => format!("it is a SAML Response holding {n} assertions; the bearer grant takes exactly one <Assertion>"),
            };
            let assertion = (assertions.len() == 1).then(|| read_assertion(*assertions[0]));
            (assertion, Some(problem))
        }
        ("EncryptedAssertion", SAML_NS) => (
            None,
            Some(
                "it is an <EncryptedAssertion>; sfjwt cannot read it, and the grant takes a plain, signed assertion"
                    .into(),
            ),
        ),
        (name, "") => (None, Some(format!("its root element is <{name}>, not a SAML 2.0 <Assertion>"))),
        (name, namespace) => {
            (None, Some(format!("its root element is <{name}> in {namespace}, not a SAML 2.0 <Assertion>")))
        }
    }
}

fn read_assertion(node: Node) -> Assertion {
    let subject = child(node, "Subject");
    let conditions = child(node, "Conditions");
    let name_id = subject.and_then(|s| child(s, "NameID"));
    Assertion {
        id: node.attribute("ID").map(str::to_string),
        version: node.attribute("Version").map(str::to_string),
        issue_instant: node.attribute("IssueInstant").map(Instant::parse),
        issuer: child_text(node, "Issuer"),
        name_id: name_id.and_then(|n| n.text()).map(|t| t.trim().to_string()).filter(|t| !t.is_empty()),
        name_id_format: name_id.and_then(|n| n.attribute("Format")).map(str::to_string),
        confirmations: subject
            .map(|s| children(s, "SubjectConfirmation").map(read_confirmation).collect())
            .unwrap_or_default(),
        has_conditions: conditions.is_some(),
        not_before: conditions.and_then(|c| c.attribute("NotBefore")).map(Instant::parse),
        not_on_or_after: conditions.and_then(|c| c.attribute("NotOnOrAfter")).map(Instant::parse),
        audiences: conditions
            .map(|c| {
                children(c, "AudienceRestriction")
                    .flat_map(|r| crate::metadata::xml::children_text(r, "Audience"))
                    .collect()
            })
            .unwrap_or_default(),
        signature: children(node, "Signature").find(|s| s.tag_name().namespace() == Some(DS_NS)).map(read_signature),
    }
}

fn read_confirmation(node: Node) -> Confirmation {
    let data = child(node, "SubjectConfirmationData");
    Confirmation {
        method: node.attribute("Method").map(str::to_string),
        has_data: data.is_some(),
        recipient: data.and_then(|d| d.attribute("Recipient")).map(str::to_string),
        not_before: data.and_then(|d| d.attribute("NotBefore")).map(Instant::parse),
        not_on_or_after: data.and_then(|d| d.attribute("NotOnOrAfter")).map(Instant::parse),
    }
}

fn read_signature(node: Node) -> Signature {
    let signed_info = child(node, "SignedInfo");
    let algorithm = |parent: Option<Node>, name: &str| {
        parent.and_then(|p| child(p, name)).and_then(|n| n.attribute("Algorithm")).map(str::to_string)
    };
    let reference = signed_info.and_then(|s| child(s, "Reference"));
    let certificate = child(node, "KeyInfo")
        .and_then(|k| child(k, "X509Data"))
        .and_then(|x| child_text(x, "X509Certificate"))
        .map(|text| embedded_cert(&text));
    Signature {
        method: algorithm(signed_info, "SignatureMethod"),
        canonicalization: algorithm(signed_info, "CanonicalizationMethod"),
        digest: algorithm(reference, "DigestMethod"),
        reference_uri: reference.and_then(|r| r.attribute("URI")).map(str::to_string),
        has_value: child_text(node, "SignatureValue").is_some(),
        certificate,
    }
}

/// The certificate in `<ds:X509Certificate>`: base64 of its DER, often wrapped.
fn embedded_cert(text: &str) -> EmbeddedCert {
    let compact: String = text.split_ascii_whitespace().collect();
    let Ok(der) = STANDARD.decode(&compact) else {
        return EmbeddedCert { spki_sha256: None, subject: None, problem: Some("it is not valid base64".into()) };
    };
    match cert::examine("the assertion's X509Certificate".into(), &der).state {
        CertState::Parsed(parsed) => {
            EmbeddedCert { spki_sha256: Some(parsed.spki_sha256), subject: Some(parsed.subject), problem: None }
        }
        _ => EmbeddedCert { spki_sha256: None, subject: None, problem: Some("it is not an X.509 certificate".into()) },
    }
}

impl Instant {
    /// An `xs:dateTime`; SAML requires UTC (`Z`), RFC 3339 covers that and explicit offsets.
    pub(super) fn parse(raw: &str) -> Instant {
        let format = time::format_description::well_known::Rfc3339;
        let unix = time::OffsetDateTime::parse(raw.trim(), &format).ok().map(|t| t.unix_timestamp());
        Instant { raw: raw.to_string(), unix }
    }
}
