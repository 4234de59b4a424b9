//! The SAML bearer grant (`urn:ietf:params:oauth:grant-type:saml2-bearer`) on the fake token
//! endpoint: the same org model answers a SAML assertion as it answers a JWT.
//!
//! Rules in order, first failure wins. Salesforce's help page for the flow ("OAuth 2.0 SAML
//! Bearer Assertion Flow for Previously Authorized Apps") and RFC 7522 §3 give the requirements;
//! which error each violation gets is INFERRED from the JWT grant's answers unless noted.
//!
//! The signature check is a test fake's: it verifies RSA-SHA256 over assertions written in
//! exclusive canonical form already (as fixtures/saml/generate.py and tests/saml.rs write them),
//! by removing the enveloped signature from the text. It is not an XML Signature verifier.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use roxmltree::{Document, Node};
use rsa::{Pkcs1v15Sign, PublicKey as RsaPublicKey};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use super::token::{
    self, CLOCK_SKEW_ALLOWANCE_SECS, Context, EXPIRED, INVALID_ASSERTION, INVALID_AUDIENCE, INVALID_CLIENT_ID,
    OAuthError, TOKEN_PATH, TokenSuccess,
};

pub const SAML_BEARER: &str = "urn:ietf:params:oauth:grant-type:saml2-bearer";

const SAML_NS: &str = "urn:oasis:names:tc:SAML:2.0:assertion";
const DS_NS: &str = "http://www.w3.org/2000/09/xmldsig#";
const BEARER: &str = "urn:oasis:names:tc:SAML:2.0:cm:bearer";
const RSA_SHA256: &str = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";

/// Answers a SAML bearer request whose form is already parsed.
pub fn grant(context: &Context, assertion: Option<&str>) -> Result<TokenSuccess, OAuthError> {
    // Rule S1: base64url (or base64) of XML, else `invalid assertion` (§2.4 E4 by analogy).
    let encoded = assertion.ok_or(INVALID_ASSERTION)?;
    let bytes = URL_SAFE_NO_PAD
        .decode(encoded.trim_end_matches('='))
        .or_else(|_| STANDARD.decode(encoded))
        .map_err(|_| INVALID_ASSERTION)?;
    let xml = String::from_utf8(bytes).map_err(|_| INVALID_ASSERTION)?;
    // Rule S2: one SAML 2.0 Assertion (RFC 7522 §2.1); DTDs stay refused (roxmltree's default).
    let document = Document::parse(&xml).map_err(|_| INVALID_ASSERTION)?;
    let root = document.root_element();
    if root.tag_name().name() != "Assertion" || root.tag_name().namespace() != Some(SAML_NS) {
        return Err(INVALID_ASSERTION);
    }
    // Rule S3: the Issuer is the consumer key of an app in this org (help page).
    let issuer = text(child(root, "Issuer")).ok_or(INVALID_CLIENT_ID)?;
    let app = context.org.app(&issuer).ok_or(INVALID_CLIENT_ID)?;
    // Rule S4: signed by the key of the app's certificate (help page; RFC 7522 §3 item 8).
    let key = app.certificate_pem.as_deref().and_then(token::public_key_of_certificate).ok_or(INVALID_ASSERTION)?;
    verify(&xml, root, &key)?;
    // Rule S5: the Audience is one the org accepts (help page), else as the JWT grant answers.
    let conditions = child(root, "Conditions").ok_or(INVALID_AUDIENCE)?;
    let audiences: Vec<String> = conditions
        .descendants()
        .filter(|n| n.is_element() && n.tag_name().name() == "Audience")
        .filter_map(|n| text(Some(n)))
        .collect();
    let audience = audiences
        .iter()
        .find(|a| context.org.accepted_audiences.iter().any(|known| known == *a))
        .ok_or(INVALID_AUDIENCE)?;
    // Rule S6: a bearer confirmation whose Recipient is that host's token endpoint (help page;
    // RFC 7522 §3 item 5), or this fake's own.
    let subject = child(root, "Subject").ok_or(INVALID_ASSERTION)?;
    let bearer = subject
        .children()
        .find(|n| n.tag_name().name() == "SubjectConfirmation" && n.attribute("Method") == Some(BEARER))
        .ok_or(INVALID_ASSERTION)?;
    let data = child(bearer, "SubjectConfirmationData").ok_or(INVALID_ASSERTION)?;
    let recipient = data.attribute("Recipient").ok_or(INVALID_ASSERTION)?;
    if recipient != format!("{audience}{TOKEN_PATH}") && recipient != format!("{}{TOKEN_PATH}", context.base_url) {
        return Err(INVALID_ASSERTION);
    }
    // Rule S7: inside NotBefore..NotOnOrAfter with the skew allowance; an expired one gets the
    // JWT grant's `expired authorization code` (a SAML bearer report of it, §1.2).
    let now = context.now.unix_timestamp() as f64;
    let expiry = conditions.attribute("NotOnOrAfter").or(data.attribute("NotOnOrAfter")).ok_or(INVALID_ASSERTION)?;
    if instant(expiry)? < now - CLOCK_SKEW_ALLOWANCE_SECS {
        return Err(EXPIRED);
    }
    if let Some(not_before) = conditions.attribute("NotBefore")
        && instant(not_before)? > now + CLOCK_SKEW_ALLOWANCE_SECS
    {
        return Err(INVALID_ASSERTION);
    }
    // Rules 9 to 12 of the JWT grant, with the NameID as the subject: the same approval,
    // activity and rate rules (help page: "based on prior approval of the app").
    let name_id = text(child(subject, "NameID")).ok_or(INVALID_ASSERTION)?;
    let claims: Map<String, Value> = [("sub".to_string(), Value::String(name_id))].into_iter().collect();
    let user = token::approved_user(context, app, &claims)?;
    token::check_active(user)?;
    token::check_rate_limit(context, user)?;
    Ok(TokenSuccess::new(context, app, user))
}

fn child<'a, 'i>(node: Node<'a, 'i>, name: &str) -> Option<Node<'a, 'i>> {
    node.children().find(|n| n.is_element() && n.tag_name().name() == name)
}

fn text(node: Option<Node>) -> Option<String> {
    node?.text().map(|t| t.trim().to_string()).filter(|t| !t.is_empty())
}

fn instant(value: &str) -> Result<f64, OAuthError> {
    let format = time::format_description::well_known::Rfc3339;
    OffsetDateTime::parse(value, &format).map(|t| t.unix_timestamp() as f64).map_err(|_| INVALID_ASSERTION)
}

/// The enveloped RSA-SHA256 signature over the assertion, for canonical-form input.
fn verify(xml: &str, root: Node, key: &RsaPublicKey) -> Result<(), OAuthError> {
    let signature = child(root, "Signature").filter(|s| s.tag_name().namespace() == Some(DS_NS));
    let signature = signature.ok_or(INVALID_ASSERTION)?;
    let signed_info = child(signature, "SignedInfo").ok_or(INVALID_ASSERTION)?;
    let method = child(signed_info, "SignatureMethod").and_then(|m| m.attribute("Algorithm"));
    let reference = child(signed_info, "Reference").ok_or(INVALID_ASSERTION)?;
    let own = root.attribute("ID").map(|id| format!("#{id}"));
    if method != Some(RSA_SHA256) || reference.attribute("URI").map(str::to_string) != own {
        return Err(INVALID_ASSERTION);
    }
    let digest = text(child(reference, "DigestValue")).ok_or(INVALID_ASSERTION)?;
    let value = text(child(signature, "SignatureValue")).ok_or(INVALID_ASSERTION)?;
    // The enveloped-signature transform: the assertion's text without its Signature element.
    let enveloped = format!("{}{}", &xml[..signature.range().start], &xml[signature.range().end..]);
    if STANDARD.encode(Sha256::digest(enveloped.trim_end().as_bytes())) != digest {
        return Err(INVALID_ASSERTION);
    }
    // SignedInfo canonicalised alone declares the ds prefix it uses.
    let info = &xml[signed_info.range()];
    let canonical = info.replacen("<ds:SignedInfo>", &format!("<ds:SignedInfo xmlns:ds=\"{DS_NS}\">"), 1);
    let value = STANDARD.decode(value.split_whitespace().collect::<String>()).map_err(|_| INVALID_ASSERTION)?;
    key.verify(Pkcs1v15Sign::new::<Sha256>(), &Sha256::digest(canonical.as_bytes()), &value)
        .map_err(|_| INVALID_ASSERTION)
}
