//! Tests of the fakes themselves (the token endpoint and the server core under every fake),
//! through a hand-written HTTP client so that nothing between the test and the fake can hide a
//! byte.

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::thread;
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};
use time::PrimitiveDateTime;
use time::macros::format_description;

use crate::support::fake_salesforce::{
    App, Approval, CONSUMER_KEY, FakeSalesforce, Fault, LOGIN_URL, Org, SUCCESS_BODY, TEST_URL, USERNAME, User,
};
use crate::support::server::{Info, Request, Response, Server, TEXT};
use crate::support::test_key::{TestKey, claims, unix_now};

const JWT_BEARER_FORM: &str = "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer";

// ---------------------------------------------------------------------------
// A raw HTTP client
// ---------------------------------------------------------------------------

/// A response as read off the wire.
#[derive(Debug)]
struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(key, _)| key.eq_ignore_ascii_case(name)).map(|(_, value)| value.as_str())
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|_| panic!("not JSON: {}", self.body))
    }
}

/// Sends raw request bytes and reads the response until the server closes.
fn exchange(address: SocketAddr, request: &[u8]) -> Reply {
    let mut stream = TcpStream::connect(address).expect("connect to the fake");
    stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    stream.write_all(request).expect("send the request");
    let mut bytes = Vec::new();
    stream.read_to_end(&mut bytes).expect("read the response");
    parse_reply(&bytes)
}

fn parse_reply(bytes: &[u8]) -> Reply {
    let text = String::from_utf8_lossy(bytes);
    let (head, body) = text.split_once("\r\n\r\n").expect("a complete head");
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap();
    let status = status_line.split(' ').nth(1).unwrap().parse().unwrap();
    let headers = lines
        .map(|line| {
            let (name, value) = line.split_once(':').expect("a header line");
            (name.to_string(), value.trim().to_string())
        })
        .collect();
    Reply { status, headers, body: body.to_string() }
}

/// A request with a `Content-Length` body.
fn request(method: &str, path: &str, content_type: &str, body: &str) -> Vec<u8> {
    format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {content_type}\r\n\
         Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

fn post_form(fake: &FakeSalesforce, body: &str) -> Reply {
    let form = "application/x-www-form-urlencoded";
    exchange(fake.address(), &request("POST", "/services/oauth2/token", form, body))
}

fn post_assertion(fake: &FakeSalesforce, assertion: &str) -> Reply {
    post_form(fake, &format!("{JWT_BEARER_FORM}&assertion={}", form_encode(assertion)))
}

/// Signs `claims` with the shared key and posts them.
fn login(fake: &FakeSalesforce, claims: &Value) -> Reply {
    post_assertion(fake, &key().jwt(claims))
}

fn form_encode(text: &str) -> String {
    text.bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (byte as char).to_string(),
            _ => format!("%{byte:02X}"),
        })
        .collect()
}

// ---------------------------------------------------------------------------
// Fixtures and assertions
// ---------------------------------------------------------------------------

fn key() -> &'static TestKey {
    TestKey::shared()
}

fn standard_org() -> Org {
    Org::standard(&key().certificate_pem)
}

fn good_claims() -> Value {
    claims(CONSUMER_KEY, USERNAME, LOGIN_URL)
}

fn with_claim(mut claims: Value, name: &str, value: Value) -> Value {
    claims[name] = value;
    claims
}

fn without_claim(mut claims: Value, name: &str) -> Value {
    claims.as_object_mut().unwrap().remove(name);
    claims
}

/// An org whose only app is `app`, used by [`USERNAME`].
fn org_with_app(app: App) -> Org {
    Org::production().with_user(User::new(USERNAME)).with_app(app)
}

fn standard_app() -> App {
    App::new(CONSUMER_KEY, &key().certificate_pem)
}

/// Asserts a Salesforce OAuth error: 400, the exact JSON body, Salesforce's headers.
#[track_caller]
fn assert_oauth_error(reply: &Reply, error: &str, description: &str) {
    let expected = format!(r#"{{"error":"{error}","error_description":"{description}"}}"#);
    assert_eq!((reply.status, reply.body.as_str()), (400, expected.as_str()));
    assert_salesforce_headers(reply, 0);
}

#[track_caller]
fn assert_success(reply: &Reply) -> Value {
    assert_eq!(reply.status, 200, "body: {}", reply.body);
    assert_salesforce_headers(reply, 0);
    reply.json()
}

#[track_caller]
fn assert_salesforce_headers(reply: &Reply, clock_offset: i64) {
    assert_eq!(reply.header("content-type"), Some("application/json;charset=UTF-8"));
    assert_eq!(reply.header("cache-control"), Some("no-cache,must-revalidate,max-age=0,no-store,private"));
    assert_eq!(reply.header("content-length"), Some(reply.body.len().to_string().as_str()));
    assert_date_near(reply, unix_now() + clock_offset);
}

#[track_caller]
fn assert_date_near(reply: &Reply, expected_unix: i64) {
    let format =
        format_description!("[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT");
    let date = reply.header("date").expect("a Date header");
    let parsed = PrimitiveDateTime::parse(date, format)
        .unwrap_or_else(|error| panic!("Date {date:?} is not an IMF-fixdate: {error}"));
    let skew = parsed.assume_utc().unix_timestamp() - expected_unix;
    assert!(skew.abs() <= 5, "Date {date} is {skew} s off");
}

// ---------------------------------------------------------------------------
// Rule 1: method and path
// ---------------------------------------------------------------------------

#[test]
fn get_on_the_token_endpoint_must_use_post() {
    let fake = FakeSalesforce::start(standard_org());
    let reply = exchange(fake.address(), b"GET /services/oauth2/token HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_oauth_error(&reply, "invalid_request", "must use HTTP POST");
}

#[test]
fn unknown_path_is_an_html_404() {
    let fake = FakeSalesforce::start(standard_org());
    let reply = exchange(fake.address(), &request("POST", "/services/oauth2/tokens", "text/plain", ""));
    assert_eq!(reply.status, 404);
    assert_eq!(reply.header("content-type"), Some("text/html;charset=UTF-8"));
    assert!(reply.body.contains("URL No Longer Exists"), "{}", reply.body);
}

// ---------------------------------------------------------------------------
// Rule 2: grant type
// ---------------------------------------------------------------------------

#[test]
fn json_body_is_an_unsupported_grant_type() {
    let fake = FakeSalesforce::start(standard_org());
    let body = json!({"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer"}).to_string();
    let reply = exchange(fake.address(), &request("POST", "/services/oauth2/token", "application/json", &body));
    assert_oauth_error(&reply, "unsupported_grant_type", "grant type not supported");
}

#[test]
fn other_grant_type_is_unsupported() {
    let fake = FakeSalesforce::start(standard_org());
    let reply = post_form(&fake, "grant_type=password&username=a&password=b");
    assert_oauth_error(&reply, "unsupported_grant_type", "grant type not supported");
}

// ---------------------------------------------------------------------------
// Rule 3: assertion shape
// ---------------------------------------------------------------------------

#[test]
fn missing_or_malformed_assertions_are_invalid() {
    let fake = FakeSalesforce::start(standard_org());
    assert_oauth_error(&post_form(&fake, JWT_BEARER_FORM), "invalid_grant", "invalid assertion");
    let jwt = key().jwt(&good_claims());
    let (two_segments, _) = jwt.rsplit_once('.').unwrap();
    for assertion in [two_segments, "a.b.c", "e30.bm90IGpzb24.c2ln", "-----BEGIN PRIVATE KEY-----"] {
        let reply = post_assertion(&fake, assertion);
        assert_oauth_error(&reply, "invalid_grant", "invalid assertion");
    }
}

// ---------------------------------------------------------------------------
// Rule 4: algorithm and encoding
// ---------------------------------------------------------------------------

#[test]
fn non_rs256_algorithm_is_invalid_client() {
    let fake = FakeSalesforce::start(standard_org());
    let jwt = key().jwt_with_header(&json!({"alg": "HS256", "typ": "JWT"}), &good_claims());
    let reply = post_assertion(&fake, &jwt);
    assert_oauth_error(&reply, "invalid_client", "invalid client credentials");
}

#[test]
fn standard_base64_is_invalid_client() {
    let fake = FakeSalesforce::start(standard_org());
    let header = STANDARD.encode(r#"{"alg":"RS256"}"#);
    let claims = STANDARD.encode(good_claims().to_string());
    let signing_input = format!("{header}.{claims}");
    // A 256-byte signature always ends in "==" in padded base64.
    let signature = STANDARD.encode(key().sign(signing_input.as_bytes()));
    let reply = post_assertion(&fake, &format!("{signing_input}.{signature}"));
    assert_oauth_error(&reply, "invalid_client", "invalid client credentials");
}

// ---------------------------------------------------------------------------
// Rule 5: issuer
// ---------------------------------------------------------------------------

#[test]
fn unknown_issuer_is_an_invalid_client_id() {
    let fake = FakeSalesforce::start(standard_org());
    let reply = login(&fake, &with_claim(good_claims(), "iss", json!("3MVGsomeOtherApp")));
    assert_oauth_error(&reply, "invalid_client_id", "client identifier invalid");
}

// ---------------------------------------------------------------------------
// Rule 6: signature
// ---------------------------------------------------------------------------

#[test]
fn signature_from_another_key_is_an_invalid_assertion() {
    let fake = FakeSalesforce::start(standard_org());
    let reply = post_assertion(&fake, &TestKey::other().jwt(&good_claims()));
    assert_oauth_error(&reply, "invalid_grant", "invalid assertion");
}

#[test]
fn app_without_certificate_is_an_invalid_assertion() {
    let fake = FakeSalesforce::start(org_with_app(standard_app().without_certificate()));
    assert_oauth_error(&login(&fake, &good_claims()), "invalid_grant", "invalid assertion");
}

// ---------------------------------------------------------------------------
// Rule 7: audience
// ---------------------------------------------------------------------------

#[test]
fn production_rejects_the_sandbox_audience() {
    let fake = FakeSalesforce::start(standard_org());
    let reply = login(&fake, &with_claim(good_claims(), "aud", json!(TEST_URL)));
    assert_oauth_error(&reply, "invalid_grant", "audience is invalid");
}

#[test]
fn sandbox_takes_only_the_sandbox_audience() {
    let sandbox = Org::sandbox().with_user(User::new(USERNAME)).with_app(standard_app());
    let fake = FakeSalesforce::start(sandbox);
    let reply = login(&fake, &good_claims());
    assert_oauth_error(&reply, "invalid_grant", "audience is invalid");
    assert_success(&login(&fake, &claims(CONSUMER_KEY, USERNAME, TEST_URL)));
}

#[test]
fn audience_may_have_a_trailing_slash_or_be_an_array() {
    let fake = FakeSalesforce::start(standard_org());
    let slash = format!("{LOGIN_URL}/");
    assert_success(&login(&fake, &with_claim(good_claims(), "aud", json!(slash))));
    let array = json!(["https://example.com", LOGIN_URL]);
    assert_success(&login(&fake, &with_claim(good_claims(), "aud", array)));
}

#[test]
fn own_url_as_audience_can_be_allowed_after_start() {
    let fake = FakeSalesforce::start(standard_org());
    let own = claims(CONSUMER_KEY, USERNAME, &format!("{}/", fake.url()));
    assert_oauth_error(&login(&fake, &own), "invalid_grant", "audience is invalid");
    let url = fake.url();
    fake.update_org(|org| org.accepted_audiences.push(url));
    assert_success(&login(&fake, &own));
}

// ---------------------------------------------------------------------------
// Rule 8: expiry
// ---------------------------------------------------------------------------

#[test]
fn missing_exp_is_an_invalid_assertion() {
    let fake = FakeSalesforce::start(standard_org());
    let reply = login(&fake, &without_claim(good_claims(), "exp"));
    assert_oauth_error(&reply, "invalid_grant", "invalid assertion");
}

#[test]
fn exp_past_the_three_minute_allowance_is_expired() {
    let fake = FakeSalesforce::start(standard_org());
    let expired = with_claim(good_claims(), "exp", json!(unix_now() - 200));
    assert_oauth_error(&login(&fake, &expired), "invalid_grant", "expired authorization code");
    let within_allowance = with_claim(good_claims(), "exp", json!(unix_now() - 120));
    assert_success(&login(&fake, &within_allowance));
}

#[test]
fn exp_in_milliseconds_is_accepted_like_the_sf_cli_sends_it() {
    let fake = FakeSalesforce::start(standard_org());
    let milliseconds = with_claim(good_claims(), "exp", json!(unix_now() * 1000 + 300));
    assert_success(&login(&fake, &milliseconds));
    let expired = with_claim(good_claims(), "exp", json!((unix_now() - 200) * 1000));
    assert_oauth_error(&login(&fake, &expired), "invalid_grant", "expired authorization code");
}

#[test]
fn clock_offset_skews_the_date_header_and_the_exp_check() {
    let fake = FakeSalesforce::start(standard_org().with_clock_offset(3600));
    let reply = login(&fake, &good_claims());
    assert_eq!(reply.status, 400);
    assert_eq!(reply.json()["error_description"], json!("expired authorization code"));
    assert_date_near(&reply, unix_now() + 3600);
}

// ---------------------------------------------------------------------------
// Rule 9: approval
// ---------------------------------------------------------------------------

const NOT_APPROVED: (&str, &str) = ("invalid_grant", "user hasn't approved this consumer");

#[track_caller]
fn assert_not_approved(reply: &Reply) {
    assert_oauth_error(reply, NOT_APPROVED.0, NOT_APPROVED.1);
}

#[test]
fn unknown_user_is_not_approved() {
    let fake = FakeSalesforce::start(standard_org());
    assert_not_approved(&login(&fake, &with_claim(good_claims(), "sub", json!("nobody@example.com"))));
}

#[test]
fn username_matches_case_insensitively() {
    let fake = FakeSalesforce::start(standard_org());
    let shouting = USERNAME.to_uppercase();
    assert_success(&login(&fake, &with_claim(good_claims(), "sub", json!(shouting))));
}

#[test]
fn prn_wins_over_sub() {
    let fake = FakeSalesforce::start(standard_org());
    let both = with_claim(good_claims(), "prn", json!("nobody@example.com"));
    assert_not_approved(&login(&fake, &both));
    let prn_only = with_claim(without_claim(good_claims(), "sub"), "prn", json!(USERNAME));
    assert_success(&login(&fake, &prn_only));
}

#[test]
fn users_are_not_approved_until_the_org_has_replicated() {
    let fake = FakeSalesforce::start(standard_org().with_replication_delay(Duration::from_secs(600)));
    assert_not_approved(&login(&fake, &good_claims()));
    fake.update_org(|org| org.replicated_after = Duration::ZERO);
    assert_success(&login(&fake, &good_claims()));
}

#[test]
fn a_new_app_works_once_it_has_propagated() {
    // Signed before the fake starts, so that only the exchange itself runs within the delay.
    let jwt = key().jwt(&good_claims());
    let delay = Duration::from_secs(1);
    let fake = FakeSalesforce::start(org_with_app(standard_app().ready_after(delay)));
    assert_not_approved(&post_assertion(&fake, &jwt));
    thread::sleep(delay);
    assert_success(&post_assertion(&fake, &jwt));
}

#[test]
fn admin_approved_app_needs_the_profile_or_a_permission_set() {
    let app = standard_app().admin_approved(&["Integration"], &["JWT_Login"]);
    let org = Org::production()
        .with_user(User::new(USERNAME))
        .with_user(User::new("via-profile@example.com").with_profile("Integration"))
        .with_user(User::new("via-set@example.com").with_permission_set("JWT_Login"))
        .with_app(app);
    let fake = FakeSalesforce::start(org);
    assert_not_approved(&login(&fake, &good_claims()));
    for user in ["via-profile@example.com", "via-set@example.com"] {
        assert_success(&login(&fake, &claims(CONSUMER_KEY, user, LOGIN_URL)));
    }
}

#[test]
fn admin_approval_miss_can_be_reported_as_invalid_app_access() {
    let app = standard_app().admin_approved(&["Integration"], &[]).reporting_invalid_app_access();
    let fake = FakeSalesforce::start(org_with_app(app));
    let reply = login(&fake, &good_claims());
    assert_oauth_error(&reply, "invalid_app_access", "user is not admin approved to access this app");
}

#[test]
fn self_authorize_app_needs_an_approval_with_a_refresh_token() {
    let fake = FakeSalesforce::start(org_with_app(standard_app().self_authorize()));
    assert_not_approved(&login(&fake, &good_claims()));
    fake.update_org(|org| {
        org.approvals.push(Approval {
            username: USERNAME.to_string(),
            consumer_key: CONSUMER_KEY.to_string(),
            refresh_token: false,
        })
    });
    assert_not_approved(&login(&fake, &good_claims()));
    fake.update_org(|org| org.approvals[0].refresh_token = true);
    assert_success(&login(&fake, &good_claims()));
}

#[test]
fn app_without_the_refresh_token_scope_is_not_approved() {
    let fake = FakeSalesforce::start(org_with_app(standard_app().with_scopes(&["api", "web"])));
    assert_not_approved(&login(&fake, &good_claims()));
    fake.update_org(|org| org.apps[0].scopes.push("offline_access".to_string()));
    assert_success(&login(&fake, &good_claims()));
}

// ---------------------------------------------------------------------------
// Rules 10 and 11: user state and rate limit
// ---------------------------------------------------------------------------

#[test]
fn inactive_and_frozen_users_are_inactive() {
    let org = Org::production()
        .with_user(User::new("gone@example.com").inactive())
        .with_user(User::new("frozen@example.com").frozen())
        .with_app(standard_app());
    let fake = FakeSalesforce::start(org);
    for user in ["gone@example.com", "frozen@example.com"] {
        let reply = login(&fake, &claims(CONSUMER_KEY, user, LOGIN_URL));
        assert_oauth_error(&reply, "inactive_user", "user is inactive");
    }
}

#[test]
fn logins_past_the_hourly_limit_are_rate_limited() {
    let fake = FakeSalesforce::start(standard_org().with_logins_per_hour(2));
    let jwt = key().jwt(&good_claims());
    assert_success(&post_assertion(&fake, &jwt));
    assert_success(&post_assertion(&fake, &jwt));
    let reply = post_assertion(&fake, &jwt);
    assert_oauth_error(&reply, "rate_limit_exceeded", "number of logins exceeded");
}

// ---------------------------------------------------------------------------
// Rule 12: success
// ---------------------------------------------------------------------------

#[test]
fn success_has_salesforce_fields() {
    let fake = FakeSalesforce::start(standard_org().with_my_domain("acme"));
    let body = assert_success(&login(&fake, &good_claims()));
    let fields: Vec<&str> = body.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(fields, ["access_token", "id", "instance_url", "issued_at", "scope", "token_type"]);
    assert!(body["access_token"].as_str().unwrap().starts_with("00D000000000001!AR"));
    assert_eq!(body["scope"], "api refresh_token web");
    assert_eq!(body["instance_url"], "https://acme.my.salesforce.com");
    assert_eq!(body["id"], "https://login.salesforce.com/id/00D000000000001EAA/005000000000001AAA");
    assert_eq!(body["token_type"], "Bearer");
    let issued_at: i64 = body["issued_at"].as_str().unwrap().parse().unwrap();
    assert!((issued_at / 1000 - unix_now()).abs() <= 5);
}

#[test]
fn success_points_back_at_the_fake_without_a_my_domain() {
    let fake = FakeSalesforce::start(standard_org());
    let body = assert_success(&login(&fake, &good_claims()));
    assert_eq!(body["instance_url"], json!(fake.url()));
}

#[test]
fn sandbox_success_names_sandbox_hosts() {
    let sandbox = Org::sandbox().with_my_domain("acme--uat").with_user(User::new(USERNAME)).with_app(standard_app());
    let fake = FakeSalesforce::start(sandbox);
    let body = assert_success(&login(&fake, &claims(CONSUMER_KEY, USERNAME, TEST_URL)));
    assert_eq!(body["instance_url"], "https://acme--uat.sandbox.my.salesforce.com");
    assert!(body["id"].as_str().unwrap().starts_with("https://test.salesforce.com/id/"));
}

/// The request exactly as `sf org login jwt` sends it (chunked, `exp` in ms).
#[test]
fn sf_cli_request_succeeds_and_is_recorded() {
    let fake = FakeSalesforce::start(standard_org());
    let exp_ms = unix_now() * 1000 + 300;
    let jwt = key().jwt(&with_claim(good_claims(), "exp", json!(exp_ms)));
    let body = format!("{JWT_BEARER_FORM}&assertion={jwt}");
    let (first, second) = body.split_at(40);
    let chunked = format!(
        "POST /services/oauth2/token HTTP/1.1\r\nhost: {}\r\nconnection: keep-alive\r\n\
         content-type: application/x-www-form-urlencoded\r\naccept: */*\r\n\
         accept-language: *\r\nsec-fetch-mode: cors\r\nuser-agent: undici\r\n\
         accept-encoding: gzip, deflate\r\ntransfer-encoding: chunked\r\n\r\n\
         {:x}\r\n{first}\r\n{:x};ext=1\r\n{second}\r\n0\r\n\r\n",
        fake.address(),
        first.len(),
        second.len()
    );
    assert_success(&exchange(fake.address(), chunked.as_bytes()));

    let requests = fake.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].method, "POST");
    assert_eq!(requests[0].path, "/services/oauth2/token");
    assert_eq!(requests[0].header("User-Agent"), Some("undici"));
    assert_eq!(requests[0].body, body);
    assert_eq!(fake.token_requests(), 1);
}

#[test]
fn expect_100_continue_gets_an_interim_response() {
    let fake = FakeSalesforce::start(standard_org());
    let body = format!("{JWT_BEARER_FORM}&assertion={}", key().jwt(&good_claims()));
    let head = format!(
        "POST /services/oauth2/token HTTP/1.1\r\nHost: x\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\
         Expect: 100-continue\r\n\r\n",
        body.len()
    );
    let mut stream = TcpStream::connect(fake.address()).unwrap();
    stream.write_all(head.as_bytes()).unwrap();
    let mut interim = [0; 25];
    stream.read_exact(&mut interim).unwrap();
    assert_eq!(&interim, b"HTTP/1.1 100 Continue\r\n\r\n");
    stream.write_all(body.as_bytes()).unwrap();
    let mut rest = Vec::new();
    stream.read_to_end(&mut rest).unwrap();
    assert_success(&parse_reply(&rest));
}

// ---------------------------------------------------------------------------
// The server itself
// ---------------------------------------------------------------------------

#[test]
fn oversized_request_is_refused_with_413() {
    let fake = FakeSalesforce::start(standard_org());
    let huge = "a".repeat(2 * 1024 * 1024);
    let head = format!("POST /services/oauth2/token HTTP/1.1\r\nContent-Length: {}\r\n\r\n", huge.len());
    let reply = exchange(fake.address(), head.as_bytes());
    assert_eq!(reply.status, 413);
    assert!(fake.requests().is_empty());
}

#[test]
fn dropping_the_handle_stops_the_server() {
    let fake = FakeSalesforce::start(standard_org());
    let address = fake.address();
    drop(fake);
    let error = TcpStream::connect(address).expect_err("nobody listens any more");
    assert_eq!(error.kind(), ErrorKind::ConnectionRefused);
}

#[test]
fn requests_to_other_paths_are_recorded_but_not_counted_as_token_requests() {
    let fake = FakeSalesforce::start(standard_org());
    exchange(fake.address(), b"GET /services/data HTTP/1.1\r\n\r\n");
    login(&fake, &good_claims());
    let paths: Vec<String> = fake.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(paths, ["/services/data", "/services/oauth2/token"]);
    assert_eq!(fake.token_requests(), 1);
}

// ---------------------------------------------------------------------------
// Faults
// ---------------------------------------------------------------------------

const ANY_TOKEN_REQUEST: &[u8] = b"POST /services/oauth2/token HTTP/1.1\r\n\
    Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 3\r\n\r\na=b";

#[test]
fn refuse_fault_refuses_connections() {
    let fake = FakeSalesforce::with_fault(Fault::Refuse);
    let error = TcpStream::connect(fake.address()).expect_err("refused");
    assert_eq!(error.kind(), ErrorKind::ConnectionRefused);
}

#[test]
fn reset_fault_sends_part_of_a_head_then_resets() {
    let fake = FakeSalesforce::with_fault(Fault::ResetMidResponse);
    let mut stream = TcpStream::connect(fake.address()).unwrap();
    stream.write_all(ANY_TOKEN_REQUEST).unwrap();
    let mut received = Vec::new();
    let error = stream.read_to_end(&mut received).expect_err("a reset");
    assert_eq!(error.kind(), ErrorKind::ConnectionReset);
    assert!(!String::from_utf8_lossy(&received).contains("\r\n\r\n"));
    assert_eq!(fake.token_requests(), 1);
}

#[test]
fn slow_headers_fault_stays_silent_then_succeeds() {
    let delay = Duration::from_millis(400);
    let fake = FakeSalesforce::with_fault(Fault::SlowHeaders(delay));

    let mut impatient = TcpStream::connect(fake.address()).unwrap();
    impatient.set_read_timeout(Some(Duration::from_millis(100))).unwrap();
    impatient.write_all(ANY_TOKEN_REQUEST).unwrap();
    let error = impatient.read(&mut [0; 1]).expect_err("no byte before the delay");
    assert!(matches!(error.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut));

    let started = Instant::now();
    let reply = exchange(fake.address(), ANY_TOKEN_REQUEST);
    assert!(started.elapsed() >= delay);
    assert_eq!((reply.status, reply.body.as_str()), (200, SUCCESS_BODY));
}

#[test]
fn slow_body_fault_sends_the_head_then_trickles() {
    let duration = Duration::from_secs(2);
    let fake = FakeSalesforce::with_fault(Fault::SlowBody(duration));
    let started = Instant::now();
    let mut stream = TcpStream::connect(fake.address()).unwrap();
    stream.write_all(ANY_TOKEN_REQUEST).unwrap();
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        let mut byte = [0];
        stream.read_exact(&mut byte).unwrap();
        head.push(byte[0]);
    }
    assert!(head.starts_with(b"HTTP/1.1 200 OK"), "{}", String::from_utf8_lossy(&head));
    // The whole head is here while most of the body is still to come: what has arrived of it
    // (without waiting) is short of the body.
    stream.set_nonblocking(true).unwrap();
    let mut arrived = vec![0; SUCCESS_BODY.len()];
    let early = stream.read(&mut arrived).unwrap_or(0);
    assert!(early < SUCCESS_BODY.len(), "the body came with the head");
    stream.set_nonblocking(false).unwrap();
    let mut rest = arrived[..early].to_vec();
    stream.read_to_end(&mut rest).unwrap();
    assert!(started.elapsed() >= duration * 9 / 10, "the body takes the duration");
    let reply = parse_reply(&[&head[..], &rest].concat());
    assert_eq!(reply.header("content-length"), Some(SUCCESS_BODY.len().to_string().as_str()));
    assert_eq!(reply.body, SUCCESS_BODY);
}

#[test]
fn html_fault_serves_data_not_available() {
    let fake = FakeSalesforce::with_fault(Fault::Html(503));
    let reply = exchange(fake.address(), ANY_TOKEN_REQUEST);
    assert_eq!(reply.status, 503);
    assert_eq!(reply.header("content-type"), Some("text/html;charset=UTF-8"));
    assert!(reply.body.contains("The data you were trying to access could not be found"));
    assert_date_near(&reply, unix_now());
}

#[test]
fn huge_body_fault_sends_exactly_that_many_bytes() {
    let size = 3 * 1024 * 1024 + 7;
    let fake = FakeSalesforce::with_fault(Fault::HugeBody(size));
    let reply = exchange(fake.address(), ANY_TOKEN_REQUEST);
    assert_eq!(reply.status, 400);
    assert_eq!(reply.header("content-length"), Some(size.to_string().as_str()));
    assert_eq!(reply.body.len(), size);
    assert_eq!(reply.json()["error"], "invalid_grant");
}

#[test]
fn redirect_fault_redirects_and_records_whether_it_was_followed() {
    let fake = FakeSalesforce::with_fault(Fault::Redirect("/login?from=token".to_string()));
    let reply = exchange(fake.address(), ANY_TOKEN_REQUEST);
    assert_eq!(reply.status, 302);
    assert_eq!(reply.header("location"), Some("/login?from=token"));
    assert_eq!(fake.requests().len(), 1, "nothing followed yet");

    let followed = exchange(fake.address(), b"GET /login?from=token HTTP/1.1\r\n\r\n");
    assert_eq!(followed.status, 200);
    assert_eq!(fake.requests().len(), 2);
}

#[test]
fn canned_fault_serves_exactly_the_given_response() {
    let fault =
        Fault::Canned { status: 420, content_type: "text/plain".to_string(), body: "Enhance your calm".to_string() };
    let fake = FakeSalesforce::with_fault(fault);
    let reply = exchange(fake.address(), ANY_TOKEN_REQUEST);
    assert_eq!(reply.status, 420);
    assert_eq!(reply.header("content-type"), Some("text/plain"));
    assert_eq!(reply.body, "Enhance your calm");
}

#[test]
fn not_json_fault_serves_plain_text() {
    let fake = FakeSalesforce::with_fault(Fault::NotJson);
    let reply = exchange(fake.address(), ANY_TOKEN_REQUEST);
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("content-type"), Some("text/plain;charset=UTF-8"));
    assert!(serde_json::from_str::<Value>(&reply.body).is_err());
}

// ---------------------------------------------------------------------------
// The server core: what every fake gets from it
// ---------------------------------------------------------------------------

/// Echoes the method, route, `q` parameter and body of each request.
fn echo() -> Server<impl Fn(&Request, &Info) -> Response + Send + Sync + 'static> {
    Server::start(|request: &Request, _: &Info| {
        let q = request.query("q").unwrap_or_default();
        Response::new(200, TEXT, format!("{} {} q={q} body={}", request.method, request.route(), request.body))
    })
}

#[test]
fn the_core_reads_query_strings_and_bodies_and_records_every_request() {
    let server = echo();
    let reply = exchange(server.address(), &request("POST", "/a/b?x=1&q=SELECT+Id%2C+Name", "text/plain", "hello"));
    assert_eq!((reply.status, reply.body.as_str()), (200, "POST /a/b q=SELECT Id, Name body=hello"));
    assert_eq!(reply.header("connection"), Some("close"));
    let recorded = server.requests();
    assert_eq!(recorded.len(), 1);
    assert_eq!(
        (recorded[0].path.as_str(), recorded[0].header("CONTENT-TYPE")),
        ("/a/b?x=1&q=SELECT+Id%2C+Name", Some("text/plain"))
    );
    assert_eq!(server.connections(), 1);
}

#[test]
fn the_core_refuses_malformed_and_oversized_requests_without_recording_them() {
    let server = echo();
    assert_eq!(exchange(server.address(), b"NONSENSE\r\n\r\n").status, 400);
    let huge = format!("POST / HTTP/1.1\r\nContent-Length: {}\r\n\r\n", 2 * 1024 * 1024);
    assert_eq!(exchange(server.address(), huge.as_bytes()).status, 413);
    assert!(server.requests().is_empty());
}

#[test]
fn a_fault_can_be_injected_into_a_running_server_and_lifted() {
    let server = echo();
    server.inject(Some(Fault::Html(503)));
    let faulted = exchange(server.address(), &request("GET", "/x", "text/plain", ""));
    assert_eq!(faulted.status, 503);
    assert!(faulted.body.contains("Data Not Available"), "{}", faulted.body);
    server.inject(None);
    assert_eq!(exchange(server.address(), &request("GET", "/x", "text/plain", "")).status, 200);
    assert_eq!(server.requests().len(), 2, "faulted requests are recorded too");
}

#[test]
fn the_token_fake_serves_its_org_again_once_a_fault_is_lifted() {
    let fake = FakeSalesforce::start(standard_org());
    fake.inject(Some(Fault::NotJson));
    assert_eq!(login(&fake, &good_claims()).header("content-type"), Some("text/plain;charset=UTF-8"));
    fake.inject(None);
    assert_success(&login(&fake, &good_claims()));
}
