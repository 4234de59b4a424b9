//! Every audit rule against the fixtures of fixtures/saml/ (generate.py): each rule fires on its
//! own fixture and on no healthy one.

use super::*;
use crate::{
    evidence::host::HostKind,
    finding::{Outcome, Status},
    testing::NOW,
};

const CID: &str = "3MVG9EXAMPLE0nly.TestKey_ForSfjwtDocs0000000000000000000000000000000000000000000";
/// SPKI SHA-256 of fixtures/certs/rsa2048.crt (fixtures/fingerprints.txt).
const APP_SPKI: &str = "494e72c79fa287880e1a37307ec85618b3763cfdf5cfe787a23d26226abf7c52";

fn fixture(name: &str) -> Reading {
    let path = format!("{}/fixtures/saml/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    read(&text).unwrap_or_else(|| panic!("{name} is not recognised as SAML"))
}

fn context(host: &HostKind) -> Context<'_> {
    Context {
        client_id: Some(CID),
        username: Some("ci@example.com"),
        host: Some(("https://login.salesforce.com", host)),
        now: NOW,
        expected_keys: vec![("--cert fixtures/certs/rsa2048.crt".into(), APP_SPKI.into())],
        captured: false,
    }
}

fn outcomes(reading: &Reading, ctx: &Context) -> Vec<Outcome> {
    vec![
        structure(reading),
        signature(reading, ctx),
        issuer(reading, ctx),
        subject(reading, ctx),
        audience(reading, ctx),
        validity(reading, ctx),
    ]
}

fn causes(name: &str) -> Vec<&'static str> {
    let reading = fixture(name);
    let mut ids: Vec<&'static str> = outcomes(&reading, &context(&HostKind::Login))
        .iter()
        .flat_map(|o| o.causes.iter().map(|c| c.id.as_str()))
        .collect();
    ids.dedup();
    ids
}

#[test]
fn the_healthy_assertions_pass_every_rule_in_every_encoding() {
    for name in ["healthy.xml", "healthy.b64url", "healthy.form", "healthy-sha1.xml"] {
        let reading = fixture(name);
        for outcome in outcomes(&reading, &context(&HostKind::Login)) {
            assert_eq!(outcome.status, Status::Pass, "{name}: {outcome:?}");
            assert!(outcome.causes.is_empty(), "{name}: {outcome:?}");
        }
    }
    let reading = fixture("healthy.form");
    assert!(reading.in_form && reading.encoding == Encoding::Base64Url);
    let assertion = reading.assertion.as_ref().unwrap();
    assert_eq!(assertion.issuer.as_deref(), Some(CID));
    assert_eq!(assertion.name_id.as_deref(), Some("ci@example.com"));
    assert_eq!(assertion.audiences, ["https://login.salesforce.com"]);
    let bearer = assertion.bearer().unwrap();
    assert_eq!(bearer.recipient.as_deref(), Some("https://login.salesforce.com/services/oauth2/token"));
    assert_eq!(assertion.expiry().and_then(|e| e.unix), Some(NOW + 300));
    let signature = assertion.signature.as_ref().unwrap();
    assert_eq!(signature.reference_uri.as_deref(), Some("#_sfjwt-test-only-0001"));
    assert_eq!(signature.certificate.as_ref().and_then(|c| c.spki_sha256.as_deref()), Some(APP_SPKI));
}

#[test]
fn each_rule_fires_on_its_fixture() {
    let cases: &[(&str, &[&str])] = &[
        ("issuer-entity-id.xml", &["saml.issuer-not-consumer-key"]),
        ("issuer-other-app.xml", &["saml.issuer-not-consumer-key"]),
        ("audience-entity-id.xml", &["saml.audience-invalid"]),
        ("recipient-login-url.xml", &["saml.recipient-mismatch"]),
        ("nameid-user-id.xml", &["saml.nameid-not-username"]),
        ("expired.xml", &["saml.expired"]),
        ("not-yet-valid.xml", &["saml.not-yet-valid"]),
        ("unsigned.xml", &["saml.unsigned"]),
        ("rsa-sha512.xml", &["saml.signature-algorithm"]),
        ("other-cert.xml", &["saml.cert-mismatch"]),
        ("holder-of-key.xml", &["saml.subject-confirmation-not-bearer"]),
        ("response-wrapped.xml", &["saml.not-saml"]),
        ("dtd.xml", &["saml.not-saml"]),
        ("standard-base64.b64", &["saml.not-base64url"]),
    ];
    for (name, expected) in cases {
        assert_eq!(causes(name), *expected, "{name}");
    }
}

#[test]
fn every_saml_cause_has_a_fixture_and_a_catalog_entry() {
    let fired: Vec<&str> = [
        "issuer-entity-id.xml",
        "audience-entity-id.xml",
        "recipient-login-url.xml",
        "nameid-user-id.xml",
        "expired.xml",
        "not-yet-valid.xml",
        "unsigned.xml",
        "rsa-sha512.xml",
        "other-cert.xml",
        "holder-of-key.xml",
        "response-wrapped.xml",
        "standard-base64.b64",
    ]
    .iter()
    .flat_map(|name| causes(name))
    .collect();
    let catalog: Vec<&str> =
        crate::catalog::all().iter().map(|e| e.id.as_str()).filter(|id| id.starts_with("saml.")).collect();
    for id in &catalog {
        assert!(fired.contains(id), "no fixture produces {id}");
    }
    for id in &fired {
        assert!(catalog.contains(id), "no checks/{id}.md");
    }
}

#[test]
fn the_evidence_names_what_is_wrong() {
    let evidence = |name: &str| -> String {
        let reading = fixture(name);
        outcomes(&reading, &context(&HostKind::Login))
            .iter()
            .flat_map(|o| o.causes.iter().flat_map(|c| c.evidence.clone()))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert!(evidence("issuer-entity-id.xml").contains("entity ID"));
    assert!(evidence("issuer-other-app.xml").contains("but --client-id 3MVG9…0000"));
    assert!(evidence("other-cert.xml").contains(APP_SPKI));
    assert!(evidence("rsa-sha512.xml").contains("rsa-sha512"));
    assert!(evidence("expired.xml").contains("expired before it was issued"));
    assert!(evidence("response-wrapped.xml").contains("<Response>"));
    assert!(evidence("dtd.xml").contains("DTD"));
    assert!(evidence("nameid-user-id.xml").contains("user id"));
}

#[test]
fn the_signature_is_never_claimed_verified() {
    let reading = fixture("healthy.xml");
    let outcome = signature(&reading, &context(&HostKind::Login));
    assert!(outcome.summary.contains("not verified"), "{}", outcome.summary);
    assert!(outcome.details.iter().any(|d| d.contains("not verified")));
}

#[test]
fn the_environment_of_the_audience_and_the_host_agree() {
    let reading = fixture("healthy.xml");
    let sandbox = HostKind::SandboxMyDomain { name: "acme".into(), sandbox: "uat".into() };
    let mut ctx = context(&sandbox);
    ctx.host = Some(("https://acme--uat.sandbox.my.salesforce.com", &sandbox));
    let outcome = audience(&reading, &ctx);
    assert_eq!(outcome.causes.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(), ["saml.audience-invalid"]);
    // Without a known host, the documented value alone passes.
    let mut unknown = context(&HostKind::Login);
    unknown.host = None;
    assert_eq!(audience(&reading, &unknown).status, Status::Pass);
}

#[test]
fn an_assertion_that_aged_after_it_was_made_is_not_called_expired() {
    let reading = fixture("healthy.xml");
    let mut ctx = context(&HostKind::Login);
    ctx.now = NOW + 3_600;
    let outcome = validity(&reading, &ctx);
    assert_eq!(outcome.status, Status::Pass, "{outcome:?}");
    assert!(outcome.summary.contains("aged"), "{}", outcome.summary);
}

#[test]
fn jwts_and_plain_text_are_not_saml() {
    let jwt = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/assertions/healthy.jwt")).unwrap();
    assert!(read(&jwt).is_none());
    assert!(read("user hasn't approved this consumer").is_none());
    assert!(names_grant("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Asaml2-bearer&assertion=x"));
    assert!(!names_grant("grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer"));
}

#[test]
fn hostile_xml_is_a_named_finding_not_a_panic() {
    for text in [
        "<a>",
        "<saml:Assertion xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\"><saml:Issuer>",
        &format!("{}{}", "<a>".repeat(10_000), "</a>".repeat(10_000)),
        "<Assertion xmlns=\"urn:oasis:names:tc:SAML:1.0:assertion\"/>",
        "<x/>",
    ] {
        let reading = read(text).expect("XML is read as an attempted SAML assertion");
        assert!(reading.problem.is_some(), "{text:.40}");
        assert_eq!(structure(&reading).causes[0].id.as_str(), "saml.not-saml");
        assert_eq!(signature(&reading, &context(&HostKind::Login)).status, Status::Skip);
    }
}

#[test]
fn the_assertion_is_never_printed() {
    let reading = fixture("healthy.xml");
    let printed = format!("{reading:?}");
    assert!(!printed.contains("SignatureValue") && !printed.contains("<saml:"), "{printed}");
    let reading_outcomes = outcomes(&reading, &context(&HostKind::Login));
    let shown = format!("{reading_outcomes:?}");
    let signature_value = reading.xml.expose().split("<ds:SignatureValue>").nth(1).unwrap().split('<').next().unwrap();
    assert!(!shown.contains(&signature_value[..40]));
}
