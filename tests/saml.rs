//! The SAML bearer flow end to end: a captured SAML failure is diagnosed as one, the healthy
//! fixtures (fixtures/saml/generate.py) pass (each rule's fixture is a scenario), and the live
//! probe posts a SAML assertion with its grant type to a fake token endpoint that answers it as
//! Salesforce does for the same org model.

use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use rsa::pkcs8::DecodePrivateKey;
use rsa::{Pkcs1v15Sign, PrivateKey as RsaPrivateKey};
use sha2::{Digest, Sha256};

use crate::support::fake_salesforce::{App, FakeSalesforce, Org, User};
use crate::support::{CLIENT_ID, NOW, Output, Test, USERNAME, fixture};

const SELF_AUTHORIZE_APP: &str = "3MVG9EXAMPLE0nly.SelfAuth_ForSfjwtDocs000000000000000000000000000000000000000000";
const LOGIN: &str = "https://login.salesforce.com";

fn read(path: &str) -> String {
    std::fs::read_to_string(fixture(path)).unwrap()
}

/// A TEST-ONLY SAML assertion built here, in exclusive canonical form like generate.py's, and
/// signed (RSA-SHA256) with a fixture key.
struct Spec {
    issuer: String,
    name_id: String,
    audience: String,
    issued: i64,
    lifetime: i64,
    key: &'static str,
    cert: &'static str,
}

impl Spec {
    fn new(issued: i64) -> Spec {
        Spec {
            issuer: CLIENT_ID.into(),
            name_id: USERNAME.into(),
            audience: LOGIN.into(),
            issued,
            lifetime: 300,
            key: "keys/rsa2048.pkcs8.pem",
            cert: "certs/rsa2048.crt",
        }
    }

    fn signed(&self) -> String {
        let instant = |unix: i64| {
            let format = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
            time::OffsetDateTime::from_unix_timestamp(unix).unwrap().format(&format).unwrap()
        };
        let (start, end) = (instant(self.issued), instant(self.issued + self.lifetime));
        let id = "_sfjwt-test-only-live";
        let issuer = format!("<saml:Issuer>{}</saml:Issuer>", self.issuer);
        let rest = format!(
            "<saml:Subject><saml:NameID Format=\"urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified\">{}</saml:NameID>\
             <saml:SubjectConfirmation Method=\"urn:oasis:names:tc:SAML:2.0:cm:bearer\"><saml:SubjectConfirmationData \
             NotOnOrAfter=\"{end}\" Recipient=\"{}/services/oauth2/token\"></saml:SubjectConfirmationData>\
             </saml:SubjectConfirmation></saml:Subject><saml:Conditions NotBefore=\"{start}\" NotOnOrAfter=\"{end}\">\
             <saml:AudienceRestriction><saml:Audience>{}</saml:Audience></saml:AudienceRestriction></saml:Conditions>",
            self.name_id, self.audience, self.audience
        );
        let open = format!(
            "<saml:Assertion xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\" ID=\"{id}\" IssueInstant=\"{start}\" Version=\"2.0\">"
        );
        let digest = STANDARD.encode(Sha256::digest(format!("{open}{issuer}{rest}</saml:Assertion>")));
        let signed_info = format!(
            "<ds:SignedInfo><ds:CanonicalizationMethod Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"></ds:CanonicalizationMethod>\
             <ds:SignatureMethod Algorithm=\"http://www.w3.org/2001/04/xmldsig-more#rsa-sha256\"></ds:SignatureMethod>\
             <ds:Reference URI=\"#{id}\"><ds:Transforms><ds:Transform Algorithm=\"http://www.w3.org/2000/09/xmldsig#enveloped-signature\"></ds:Transform>\
             <ds:Transform Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"></ds:Transform></ds:Transforms>\
             <ds:DigestMethod Algorithm=\"http://www.w3.org/2001/04/xmlenc#sha256\"></ds:DigestMethod>\
             <ds:DigestValue>{digest}</ds:DigestValue></ds:Reference></ds:SignedInfo>"
        );
        let ds = "http://www.w3.org/2000/09/xmldsig#";
        let canonical = signed_info.replacen("<ds:SignedInfo>", &format!("<ds:SignedInfo xmlns:ds=\"{ds}\">"), 1);
        let key = RsaPrivateKey::from_pkcs8_pem(&read(self.key)).unwrap();
        let value = key.sign(Pkcs1v15Sign::new::<Sha256>(), &Sha256::digest(canonical.as_bytes())).unwrap();
        let cert: String = read(self.cert).lines().filter(|l| !l.starts_with("-----")).collect();
        format!(
            "{open}{issuer}<ds:Signature xmlns:ds=\"{ds}\">{signed_info}<ds:SignatureValue>{}</ds:SignatureValue>\
             <ds:KeyInfo><ds:X509Data><ds:X509Certificate>{cert}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>\
             </ds:Signature>{rest}</saml:Assertion>",
            STANDARD.encode(value)
        )
    }
}

/// A transcript of a SAML bearer request and Salesforce's answer, as curl -v prints it.
fn transcript(assertion_b64url: &str, error: &str, description: &str) -> String {
    format!(
        "> POST /services/oauth2/token HTTP/1.1\n> Host: login.salesforce.com\n> Content-Type: application/x-www-form-urlencoded\n>\n\
         grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Asaml2-bearer&assertion={assertion_b64url}\n\
         < HTTP/1.1 400 Bad Request\n< Content-Type: application/json;charset=UTF-8\n<\n\
         {{\"error\":\"{error}\",\"error_description\":\"{description}\"}}\n"
    )
}

fn write_temp(dir: &tempfile::TempDir, name: &str, text: &str) -> String {
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

fn assert_nothing_secret_shown(out: &Output, assertion_xml: &str) {
    let b64 = URL_SAFE_NO_PAD.encode(assertion_xml);
    let signature = assertion_xml.split("<ds:SignatureValue>").nth(1).unwrap().split('<').next().unwrap();
    for shown in [&out.stdout, &out.stderr] {
        assert!(!shown.contains(&b64[..60]), "the encoded assertion leaked:\n{shown}");
        assert!(!shown.contains(&signature[..40]), "the signature value leaked:\n{shown}");
        assert!(!shown.contains("<saml:Assertion"), "the assertion's XML leaked:\n{shown}");
    }
}

#[test]
fn a_captured_saml_failure_is_reported_as_the_saml_flow_with_the_refresh_token_scope_first() {
    let assertion = Spec { issuer: SELF_AUTHORIZE_APP.into(), ..Spec::new(NOW) }.signed();
    let dir = tempfile::tempdir().unwrap();
    let capture =
        transcript(&URL_SAFE_NO_PAD.encode(&assertion), "invalid_grant", "user hasn't approved this consumer");
    let path = write_temp(&dir, "saml-failure.txt", &capture);
    let app = fixture("metadata/connected-app-self-authorize");
    let out = Test::offline_json().args(["--error", &format!("@{path}"), "--connected-app", &app]).run();
    assert_eq!(out.code, 1, "{}", out.stdout);
    let json = out.json();
    assert_eq!(json["flow"], "saml-bearer");
    assert_eq!(out.causes()[0], "app.missing-refresh-token-scope", "{:?}", out.causes());
    assert!(out.causes().contains(&"approval.self-authorize-not-approved".to_string()), "{:?}", out.causes());
    let checks: Vec<&str> = json["checks"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert!(checks.contains(&"saml.issuer") && checks.contains(&"login.answer"), "{checks:?}");
    assert!(!checks.iter().any(|id| id.starts_with("claims.") || id.starts_with("assertion.")), "{checks:?}");
    assert!(!out.causes().iter().any(|id| id.starts_with("claims.") || id.starts_with("assertion.")));
    // The Issuer and NameID stood in for the flags: the app was selected, and the user shown.
    assert_eq!(out.check_status("saml.issuer"), "pass");
    assert!(json["notes"].to_string().contains("SAML bearer flow"), "{}", json["notes"]);
    assert_nothing_secret_shown(&out, &assertion);
}

#[test]
fn without_the_app_the_approval_catch_all_comes_first_as_for_jwt() {
    let capture = transcript(read("saml/healthy.b64url").trim(), "invalid_grant", "user hasn't approved this consumer");
    let out = Test::offline_json().args(["--error", &capture]).run();
    assert_nothing_secret_shown(&out, read("saml/healthy.xml").trim());
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert_eq!(out.json()["flow"], "saml-bearer");
    assert_eq!(out.causes()[0], "approval.missing", "{:?}", out.causes());
    assert!(
        out.causes().iter().all(|id| !id.starts_with("saml.")),
        "the healthy assertion is faultless: {:?}",
        out.causes()
    );
}

#[test]
fn a_client_error_that_names_the_saml_grant_is_the_saml_flow() {
    let text = "POST https://login.salesforce.com/services/oauth2/token grant_type=urn:ietf:params:oauth:grant-type:saml2-bearer failed: {\"error\":\"invalid_grant\",\"error_description\":\"audience is invalid\"}";
    let out = Test::offline_json().args(["--error", text]).run();
    assert_eq!(out.json()["flow"], "saml-bearer", "{}", out.stdout);
    assert!(out.causes().contains(&"saml.audience-invalid".to_string()), "{:?}", out.causes());
    assert!(!out.causes().iter().any(|id| id.starts_with("claims.")), "{:?}", out.causes());
}

/// Each SAML rule's fixture is a scenario in `scenarios.rs`; the healthy ones also pass here.
#[test]
fn the_healthy_fixtures_pass_the_saml_checks() {
    for healthy in ["healthy.xml", "healthy.b64url", "healthy.form", "healthy-sha1.xml"] {
        let assertion = format!("@{}", fixture(&format!("saml/{healthy}")));
        let out = Test::offline_json()
            .args(["--assertion", &assertion, "--client-id", CLIENT_ID, "--username", USERNAME])
            .args(["--cert", &fixture("certs/rsa2048.crt")])
            .run();
        assert_eq!((out.code, out.causes()), (0, Vec::<String>::new()), "{healthy}: {}", out.stdout);
        assert_eq!(out.json()["flow"], "saml-bearer");
        assert_eq!(out.check_status("saml.signature"), "pass");
    }
}

#[test]
fn a_jwt_run_says_so_and_runs_no_saml_check() {
    let out = Test::offline_json()
        .args(["--assertion", &format!("@{}", fixture("assertions/healthy.jwt")), "--client-id", CLIENT_ID])
        .run();
    assert_eq!(out.json()["flow"], "jwt-bearer");
    assert!(!out.stdout.contains("\"saml."), "{}", out.stdout);
}

fn unix_now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() as i64
}

/// The live probe, against the fake with sfjwt's clock at the real time (the fake's clock).
fn probe(fake: &FakeSalesforce, assertion: &str, extra: &[&str]) -> Output {
    let dir = tempfile::tempdir().unwrap();
    let path = write_temp(&dir, "assertion.xml", assertion);
    Test::new()
        .env("SFJWT_NOW", unix_now().to_string())
        .args(["doctor", "--format", "json", "--timeout", "5", "--assertion", &format!("@{path}")])
        .args(["--instance-url", &fake.url(), "--cert", &fixture("certs/rsa2048.crt")])
        .args(extra)
        .run()
}

fn org(app: App) -> Org {
    Org::production().with_user(User::new(USERNAME)).with_app(app)
}

#[test]
fn the_probe_posts_a_live_saml_assertion_with_its_grant_type_and_a_token_comes_back() {
    let fake = FakeSalesforce::start(org(App::new(CLIENT_ID, &read("certs/rsa2048.crt"))));
    let assertion = Spec::new(unix_now()).signed();
    let out = probe(&fake, &assertion, &[]);
    assert_eq!((out.code, out.causes()), (0, Vec::<String>::new()), "{}", out.stdout);
    assert_eq!(out.check_status("login.answer"), "pass");
    assert_eq!(fake.token_requests(), 1);
    let body = &fake.requests()[0].body;
    let sent = format!("assertion={}", URL_SAFE_NO_PAD.encode(&assertion));
    assert!(body.starts_with("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Asaml2-bearer&"), "{body}");
    assert!(body.ends_with(&sent), "the assertion goes base64url-encoded, as given");
    assert_nothing_secret_shown(&out, &assertion);
    assert!(!out.stdout.contains("!AR"), "the access token leaked");
}

#[test]
fn the_fake_answers_saml_as_it_answers_jwt_and_the_classifier_reads_it() {
    // Self-authorize without a prior approval: the JWT grant's answer, and the same reading.
    let self_authorize = App::new(CLIENT_ID, &read("certs/rsa2048.crt")).self_authorize();
    let fake = FakeSalesforce::start(org(self_authorize));
    let out = probe(&fake, &Spec::new(unix_now()).signed(), &[]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert_eq!(out.causes()[0], "approval.missing", "{:?}", out.causes());
    assert!(out.json()["causes"][0]["evidence"].to_string().contains("user hasn't approved this consumer"));

    // Signed with another key: Salesforce cannot verify it, and the pairing says why.
    let fake = FakeSalesforce::start(org(App::new(CLIENT_ID, &read("certs/rsa2048.crt"))));
    let other = Spec { key: "keys/rsa2048-other.pkcs8.pem", cert: "certs/rsa2048-other.crt", ..Spec::new(unix_now()) };
    let out = probe(&fake, &other.signed(), &[]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert_eq!(out.causes()[0], "saml.cert-mismatch", "{:?}", out.causes());
    assert!(out.stdout.contains("invalid assertion"), "{}", out.stdout);

    // An Audience the org does not take.
    let test_audience = Spec { audience: "https://test.salesforce.com".into(), ..Spec::new(unix_now()) };
    let out = probe(&fake, &test_audience.signed(), &[]);
    assert_eq!(out.causes()[0], "saml.audience-invalid", "{:?}", out.causes());
}

#[test]
fn an_expired_saml_assertion_is_never_sent() {
    let fake = FakeSalesforce::start(org(App::new(CLIENT_ID, &read("certs/rsa2048.crt"))));
    let expired = Spec::new(unix_now() - 3_600).signed();
    let out = probe(&fake, &expired, &[]);
    assert_eq!(fake.token_requests(), 0, "an expired assertion was posted");
    assert_eq!(out.check_status("login.answer"), "skip");
    assert!(out.stdout.contains("has expired"), "{}", out.stdout);
}
