//! SAML 2.0 bearer assertions (`grant_type=urn:ietf:params:oauth:grant-type:saml2-bearer`):
//! recognising one in what the user gave, reading the parts Salesforce checks, and auditing them
//! against Salesforce's rules for the flow and RFC 7522.
//!
//! The XML signature is not verified. Doing that correctly needs exclusive XML canonicalisation,
//! and no well-kept Rust crate provides it without a C library; a home-made canonicaliser would be
//! crypto code of our own that could pass a forged assertion. So sfjwt reads the signature's
//! algorithms and pairs the certificate embedded in it with the app's, and says plainly that the
//! signature itself was not checked.
//!
//! The assertion is a bearer credential: whoever holds it can log in until it expires. Its XML and
//! its signature live only in a [`Secret`]; reports show the Issuer, NameID and Audience (as they
//! show a JWT's `iss`, `sub` and `aud`), never the assertion.

mod audit;
mod decode;
mod locate;
mod parse;
#[cfg(test)]
mod tests;

pub use audit::{Context, audience, issuer, signature, structure, subject, validity};
pub use locate::{find_in_text, locate};

use crate::secret::Secret;

/// The grant type of the SAML bearer flow (RFC 7522 §2.1).
pub const GRANT_TYPE: &str = "urn:ietf:params:oauth:grant-type:saml2-bearer";
/// What the bearer `SubjectConfirmation` says in `Method` (SAML 2.0 core, §3.3 of the profiles).
pub const BEARER_METHOD: &str = "urn:oasis:names:tc:SAML:2.0:cm:bearer";

/// How the assertion was written down.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// The XML itself.
    Xml,
    /// base64url without padding, as RFC 7522 and Salesforce ask.
    Base64Url,
    /// Standard base64: `+`, `/`, `=` padding or line breaks.
    Base64,
}

impl Encoding {
    pub fn describe(self) -> &'static str {
        match self {
            Encoding::Xml => "XML",
            Encoding::Base64Url => "base64url",
            Encoding::Base64 => "standard base64",
        }
    }
}

/// A SAML assertion as given, read as far as it goes.
#[derive(Debug, Clone)]
pub struct Reading {
    pub encoding: Encoding,
    /// Found as the `assertion` field of a form body.
    pub in_form: bool,
    /// The XML: a bearer credential.
    pub xml: Secret<String>,
    /// The assertion, when one could be read (also from inside a wrapping Response).
    pub assertion: Option<Assertion>,
    /// Why this is not an assertion the grant takes, when it is not (`saml.not-saml`).
    pub problem: Option<String>,
}

impl Reading {
    /// What the token endpoint is sent for this assertion: base64url of the XML, as RFC 7522 asks,
    /// however the user wrote it. `None` when there is no assertion the grant takes.
    pub fn wire_form(&self) -> Option<Secret<String>> {
        use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
        (self.problem.is_none() && self.assertion.is_some())
            .then(|| Secret::new(URL_SAFE_NO_PAD.encode(self.xml.expose().as_bytes())))
    }
}

/// The parts of `<saml:Assertion>` the SAML bearer flow checks.
#[derive(Debug, Clone, Default)]
pub struct Assertion {
    pub id: Option<String>,
    pub version: Option<String>,
    pub issue_instant: Option<Instant>,
    pub issuer: Option<String>,
    pub name_id: Option<String>,
    pub name_id_format: Option<String>,
    pub confirmations: Vec<Confirmation>,
    pub has_conditions: bool,
    pub not_before: Option<Instant>,
    pub not_on_or_after: Option<Instant>,
    pub audiences: Vec<String>,
    pub signature: Option<Signature>,
}

impl Assertion {
    /// The first `SubjectConfirmation` with the bearer method.
    pub fn bearer(&self) -> Option<&Confirmation> {
        self.confirmations.iter().find(|c| c.method.as_deref() == Some(BEARER_METHOD))
    }

    /// When it stops being usable: `Conditions/@NotOnOrAfter`, else the bearer confirmation's
    /// (RFC 7522 §3 item 4 allows either).
    pub fn expiry(&self) -> Option<&Instant> {
        self.not_on_or_after.as_ref().or_else(|| self.bearer().and_then(|c| c.not_on_or_after.as_ref()))
    }
}

#[derive(Debug, Clone, Default)]
pub struct Confirmation {
    pub method: Option<String>,
    pub has_data: bool,
    pub recipient: Option<String>,
    pub not_before: Option<Instant>,
    pub not_on_or_after: Option<Instant>,
}

/// An `xs:dateTime` as written, and as Unix seconds when it is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instant {
    pub raw: String,
    pub unix: Option<i64>,
}

/// What `<ds:Signature>` declares. The signature value itself is never kept.
#[derive(Debug, Clone, Default)]
pub struct Signature {
    pub method: Option<String>,
    pub canonicalization: Option<String>,
    pub digest: Option<String>,
    pub reference_uri: Option<String>,
    pub has_value: bool,
    pub certificate: Option<EmbeddedCert>,
}

/// The certificate in `<ds:KeyInfo>`, when the signer included one.
#[derive(Debug, Clone, Default)]
pub struct EmbeddedCert {
    pub spki_sha256: Option<String>,
    pub subject: Option<String>,
    pub problem: Option<String>,
}

/// Reads a SAML assertion from XML, base64, base64url or a form body. `None` when the text is not
/// one in any of those forms (a JWT, or anything else): the JWT reader takes it from there.
pub fn read(text: &str) -> Option<Reading> {
    let (xml, encoding, in_form) = decode::find_xml(text)?;
    let (assertion, problem) = parse::parse(&xml);
    Some(Reading { encoding, in_form, xml: Secret::new(xml), assertion, problem })
}

/// Whether a text names the SAML bearer grant (an HTTP transcript, a client's error).
pub fn names_grant(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    lower.contains("grant-type:saml2-bearer") || lower.contains("grant-type%3asaml2-bearer")
}
