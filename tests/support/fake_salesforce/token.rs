//! The token endpoint's decision: which answer an [`Org`] gives a request.
//!
//! The rules run in a fixed order and the first failure wins. Each names the fact
//! it rests on, by section of `shared/knowledge/sf_facts.md` (§) or
//! `sf_cli_behaviour.md` (CLI §). Rules marked INFERRED or UNCONFIRMED are our best
//! guess where no source shows Salesforce's behaviour.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::{STANDARD_PAD_INDIFFERENT, URL_SAFE_NO_PAD, URL_SAFE_PAD_INDIFFERENT};
use rsa::pkcs8::DecodePublicKey;
use rsa::{Pkcs1v15Sign, PublicKey as RsaPublicKey};
use serde::Serialize;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use super::http::{self, Request, Response, percent_decode};
use super::org::{App, LOGIN_URL, Org, Policy, TEST_URL, User};

pub const TOKEN_PATH: &str = "/services/oauth2/token";

const JWT_BEARER: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

/// "Salesforce allows a 3-minute buffer for clock skew" (§1.2).
pub(super) const CLOCK_SKEW_ALLOWANCE_SECS: f64 = 180.0;

/// An `exp` above this is epoch milliseconds: the sf CLI sends `Date.now() + 300`
/// and Salesforce accepts it (§1.2, CLI §2). 1e11 seconds is the year 5138.
const MILLISECONDS_THRESHOLD: f64 = 1e11;

/// An OAuth error body, spelled exactly as Salesforce spells it (§2.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct OAuthError {
    error: &'static str,
    error_description: &'static str,
}

const fn oauth_error(error: &'static str, error_description: &'static str) -> OAuthError {
    OAuthError { error, error_description }
}

const MUST_USE_POST: OAuthError = oauth_error("invalid_request", "must use HTTP POST");
const UNSUPPORTED_GRANT_TYPE: OAuthError = oauth_error("unsupported_grant_type", "grant type not supported");
pub(super) const INVALID_ASSERTION: OAuthError = oauth_error("invalid_grant", "invalid assertion");
const INVALID_CLIENT_CREDENTIALS: OAuthError = oauth_error("invalid_client", "invalid client credentials");
pub(super) const INVALID_CLIENT_ID: OAuthError = oauth_error("invalid_client_id", "client identifier invalid");
pub(super) const INVALID_AUDIENCE: OAuthError = oauth_error("invalid_grant", "audience is invalid");
pub(super) const EXPIRED: OAuthError = oauth_error("invalid_grant", "expired authorization code");
const NOT_APPROVED: OAuthError = oauth_error("invalid_grant", "user hasn't approved this consumer");
const NOT_ADMIN_APPROVED: OAuthError =
    oauth_error("invalid_app_access", "user is not admin approved to access this app");
const INACTIVE_USER: OAuthError = oauth_error("inactive_user", "user is inactive");
const RATE_LIMITED: OAuthError = oauth_error("rate_limit_exceeded", "number of logins exceeded");

/// What the decision needs besides the org and the request.
pub struct Context<'a> {
    pub org: &'a Org,
    /// The server clock, `clock_offset` included.
    pub now: OffsetDateTime,
    /// Time since the fake started (for replication and propagation delays).
    pub uptime: Duration,
    pub logins: &'a Mutex<LoginLog>,
    /// The fake's own URL, the fallback `instance_url`.
    pub base_url: &'a str,
}

/// Answers one request the way the org would.
pub fn respond(context: &Context, request: &Request) -> Response {
    // Rule 1: only the token endpoint exists, and only for POST. Checking the path
    // first is INFERRED: an unknown path is a 404 page whatever the method.
    if request.route() != TOKEN_PATH {
        return not_found_page();
    }
    if request.method != "POST" {
        // "must use HTTP POST" (§2.4 E15).
        return error_response(MUST_USE_POST);
    }
    match grant(context, request) {
        Ok(success) => Response::new(200, http::JSON, to_json(&success)),
        Err(error) => error_response(error),
    }
}

/// Rules 2 to 12, in order.
fn grant(context: &Context, request: &Request) -> Result<TokenSuccess, OAuthError> {
    let form = parse_form(request)?;
    if form_value(&form, "grant_type") == Some(super::saml::SAML_BEARER) {
        return super::saml::grant(context, form_value(&form, "assertion"));
    }
    let assertion = Assertion::parse(form_value(&form, "assertion"))?;
    assertion.check_algorithm_and_encoding()?;
    let app = issuing_app(context.org, &assertion.claims)?;
    verify_signature(app, &assertion)?;
    check_audience(context.org, &assertion.claims)?;
    check_expiry(&assertion.claims, context.now)?;
    let user = approved_user(context, app, &assertion.claims)?;
    check_active(user)?;
    check_rate_limit(context, user)?;
    Ok(TokenSuccess::new(context, app, user))
}

/// Rule 2: a form-urlencoded body with the JWT (or SAML, `saml.rs`) bearer grant type, else
/// `unsupported_grant_type` (§2.4 E14; the content-type half is INFERRED).
fn parse_form(request: &Request) -> Result<Vec<(String, String)>, OAuthError> {
    let form_encoded = request
        .header("content-type")
        .is_some_and(|value| value.to_ascii_lowercase().starts_with("application/x-www-form-urlencoded"));
    let form = decode_form(&request.body);
    let grant_type = form_value(&form, "grant_type");
    if form_encoded && (grant_type == Some(JWT_BEARER) || grant_type == Some(super::saml::SAML_BEARER)) {
        Ok(form)
    } else {
        Err(UNSUPPORTED_GRANT_TYPE)
    }
}

fn form_value<'f>(form: &'f [(String, String)], name: &str) -> Option<&'f str> {
    form.iter().find(|(key, _)| key == name).map(|(_, value)| value.as_str())
}

/// `a=1&b=x%2By` → `[("a","1"), ("b","x+y")]`; `+` is a space.
fn decode_form(body: &str) -> Vec<(String, String)> {
    body.split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(key), percent_decode(value))
        })
        .collect()
}

/// A decoded (not yet verified) JWT.
struct Assertion<'a> {
    /// `header.claims` exactly as sent: what the signature covers.
    signing_input: &'a str,
    header: Map<String, Value>,
    claims: Map<String, Value>,
    signature: Vec<u8>,
    /// Some segment used the standard base64 alphabet or padding (`+`, `/`, `=`).
    standard_base64: bool,
}

impl<'a> Assertion<'a> {
    /// Rule 3: three base64 segments whose first two are JSON objects, else
    /// `invalid assertion` (§2.4 E4: "malformed assertion (e.g., raw key sent as
    /// assertion)").
    fn parse(assertion: Option<&'a str>) -> Result<Assertion<'a>, OAuthError> {
        let text = assertion.ok_or(INVALID_ASSERTION)?;
        let (signing_input, signature) = text.rsplit_once('.').ok_or(INVALID_ASSERTION)?;
        let (header, claims) = signing_input.split_once('.').ok_or(INVALID_ASSERTION)?;
        if claims.contains('.') {
            return Err(INVALID_ASSERTION);
        }
        Ok(Assertion {
            signing_input,
            header: decode_json_object(header)?,
            claims: decode_json_object(claims)?,
            signature: decode_segment(signature)?,
            standard_base64: text.contains(['+', '/', '=']),
        })
    }

    /// Rule 4: RS256 only (§1.1: HS256 got `invalid_client`; other algorithms
    /// UNCONFIRMED), base64url only (§1.1, §2.4 E5: a .NET sample with standard
    /// base64 got `invalid client credentials`; cause UNCONFIRMED).
    fn check_algorithm_and_encoding(&self) -> Result<(), OAuthError> {
        let rs256 = self.header.get("alg").and_then(Value::as_str) == Some("RS256");
        if rs256 && !self.standard_base64 { Ok(()) } else { Err(INVALID_CLIENT_CREDENTIALS) }
    }
}

/// Decodes either base64 alphabet, padded or not, so that rule 4 rather than
/// rule 3 reports a standard-base64 token.
fn decode_segment(segment: &str) -> Result<Vec<u8>, OAuthError> {
    let engine = if segment.contains(['+', '/']) { STANDARD_PAD_INDIFFERENT } else { URL_SAFE_PAD_INDIFFERENT };
    engine.decode(segment).map_err(|_| INVALID_ASSERTION)
}

fn decode_json_object(segment: &str) -> Result<Map<String, Value>, OAuthError> {
    let bytes = decode_segment(segment)?;
    match serde_json::from_slice(&bytes) {
        Ok(Value::Object(object)) => Ok(object),
        _ => Err(INVALID_ASSERTION),
    }
}

fn claim<'c>(claims: &'c Map<String, Value>, name: &str) -> Option<&'c str> {
    claims.get(name).and_then(Value::as_str)
}

/// Rule 5: `iss` must be the consumer key of an app in this org, else
/// `invalid_client_id` (§1.3).
fn issuing_app<'o>(org: &'o Org, claims: &Map<String, Value>) -> Result<&'o App, OAuthError> {
    claim(claims, "iss").and_then(|issuer| org.app(issuer)).ok_or(INVALID_CLIENT_ID)
}

/// Rule 6: RSASSA-PKCS1-v1_5 with SHA-256 against the app's certificate, else
/// `invalid assertion` (§1.5: key/cert mismatch). An app without a certificate
/// fails the same way (INFERRED).
fn verify_signature(app: &App, assertion: &Assertion) -> Result<(), OAuthError> {
    let key = app.certificate_pem.as_deref().and_then(public_key_of_certificate).ok_or(INVALID_ASSERTION)?;
    let digest = Sha256::digest(assertion.signing_input.as_bytes());
    key.verify(Pkcs1v15Sign::new::<Sha256>(), &digest, &assertion.signature).map_err(|_| INVALID_ASSERTION)
}

/// The RSA public key of a PEM certificate, or `None` when it has none.
pub(super) fn public_key_of_certificate(pem: &str) -> Option<RsaPublicKey> {
    let (_, pem) = x509_parser::pem::parse_x509_pem(pem.as_bytes()).ok()?;
    let certificate = pem.parse_x509().ok()?;
    RsaPublicKey::from_public_key_der(certificate.public_key().raw).ok()
}

/// Rule 7: `aud` (a string, or an array with any accepted member) must be one the
/// org takes, else `audience is invalid` (§2.4 E2, §2.6). Ignoring a trailing
/// `/` is INFERRED: the sf CLI sends My Domain audiences with one (CLI §3).
fn check_audience(org: &Org, claims: &Map<String, Value>) -> Result<(), OAuthError> {
    let accepted = |audience: &str| {
        org.accepted_audiences.iter().any(|known| known.trim_end_matches('/') == audience.trim_end_matches('/'))
    };
    let ok = match claims.get("aud") {
        Some(Value::String(audience)) => accepted(audience),
        Some(Value::Array(audiences)) => audiences.iter().filter_map(Value::as_str).any(accepted),
        _ => false,
    };
    if ok { Ok(()) } else { Err(INVALID_AUDIENCE) }
}

/// Rule 8: `exp` is required (§1.2); once it is more than the skew allowance in the
/// past the answer is `expired authorization code` (§2.4 E6). Milliseconds are
/// accepted (§1.2), and so are numeric strings, as in Salesforce's own doc
/// example (§1.2; acceptance today UNCONFIRMED). No upper bound (§1.2).
fn check_expiry(claims: &Map<String, Value>, now: OffsetDateTime) -> Result<(), OAuthError> {
    let exp = claims.get("exp").and_then(numeric_date).ok_or(INVALID_ASSERTION)?;
    let exp_seconds = if exp > MILLISECONDS_THRESHOLD { exp / 1000.0 } else { exp };
    let now_seconds = now.unix_timestamp_nanos() as f64 / 1e9;
    if exp_seconds < now_seconds - CLOCK_SKEW_ALLOWANCE_SECS { Err(EXPIRED) } else { Ok(()) }
}

fn numeric_date(value: &Value) -> Option<f64> {
    value.as_f64().or_else(|| value.as_str()?.trim().parse().ok())
}

/// Rule 9: the subject must be approved for the app, else "user hasn't approved
/// this consumer" (§2.5). `prn` wins over `sub` when both are present (§1.2).
pub(super) fn approved_user<'o>(
    context: &Context<'o>,
    app: &App,
    claims: &Map<String, Value>,
) -> Result<&'o User, OAuthError> {
    let org = context.org;
    let username = claim(claims, "prn").or_else(|| claim(claims, "sub")).ok_or(NOT_APPROVED)?;
    // An unknown username: the common belief, UNCONFIRMED (§1.4, §2.5 C13).
    let user = org.user(username).ok_or(NOT_APPROVED)?;
    // A fresh scratch org not yet replicated to the login servers (§2.5 C7).
    if context.uptime < org.replicated_after {
        return Err(NOT_APPROVED);
    }
    // A new app "hasn't finished replicating" (§2.5 C5).
    if context.uptime < app.ready_after {
        return Err(NOT_APPROVED);
    }
    check_permitted(org, app, user)?;
    // Without the refresh_token scope no approval counts (§2.5 C2).
    if !app.has_refresh_token_scope() {
        return Err(NOT_APPROVED);
    }
    Ok(user)
}

/// The app's Permitted Users policy (§3.2, §2.5 C1 and C4). Admin-approval misses
/// may instead be `invalid_app_access` (§2.4 E7; which one Salesforce sends is
/// UNCONFIRMED, hence the app option).
fn check_permitted(org: &Org, app: &App, user: &User) -> Result<(), OAuthError> {
    match &app.policy {
        Policy::AdminApproved { profiles, permission_sets } => {
            let permitted = profiles.contains(&user.profile)
                || user.permission_sets.iter().any(|set| permission_sets.contains(set));
            match (permitted, app.invalid_app_access) {
                (true, _) => Ok(()),
                (false, true) => Err(NOT_ADMIN_APPROVED),
                (false, false) => Err(NOT_APPROVED),
            }
        }
        Policy::SelfAuthorize if org.has_approval(&user.username, &app.consumer_key) => Ok(()),
        Policy::SelfAuthorize => Err(NOT_APPROVED),
    }
}

/// Rule 10: a deactivated user gets `inactive_user` (§2.4 E11, from the general
/// OAuth error list; for the JWT grant UNCONFIRMED). Frozen users get the same
/// answer: UNCONFIRMED, no source shows what Salesforce says for them.
pub(super) fn check_active(user: &User) -> Result<(), OAuthError> {
    if user.active && !user.frozen { Ok(()) } else { Err(INACTIVE_USER) }
}

/// Rule 11: per-user logins per sliding hour (§2.4 E13: the limit is per user per
/// hour; the exact token-endpoint body is UNCONFIRMED). Counting only logins that
/// would succeed is INFERRED.
pub(super) fn check_rate_limit(context: &Context, user: &User) -> Result<(), OAuthError> {
    let Some(limit) = context.org.logins_per_hour else {
        return Ok(());
    };
    let mut logins = context.logins.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if logins.admit(&user.username, limit, Instant::now()) { Ok(()) } else { Err(RATE_LIMITED) }
}

/// Successful logins per user, for the rate limit.
#[derive(Debug, Default)]
pub struct LoginLog {
    by_user: HashMap<String, Vec<Instant>>,
}

impl LoginLog {
    /// Records a login at `now` unless `limit` logins already happened in the hour before.
    fn admit(&mut self, username: &str, limit: u32, now: Instant) -> bool {
        const HOUR: Duration = Duration::from_secs(3600);
        let logins = self.by_user.entry(username.to_ascii_lowercase()).or_default();
        logins.retain(|login| now.duration_since(*login) < HOUR);
        if logins.len() >= limit as usize {
            return false;
        }
        logins.push(now);
        true
    }
}

/// Rule 12: the success body (§2.3), fields in Salesforce's order. No
/// `refresh_token`: the JWT grant never issues one.
#[derive(Debug, Serialize)]
pub(super) struct TokenSuccess {
    access_token: String,
    scope: String,
    instance_url: String,
    id: String,
    token_type: &'static str,
    issued_at: String,
}

impl TokenSuccess {
    pub(super) fn new(context: &Context, app: &App, user: &User) -> TokenSuccess {
        let org = context.org;
        let issued_at_ms = context.now.unix_timestamp_nanos() / 1_000_000;
        let login_host = if org.sandbox { TEST_URL } else { LOGIN_URL };
        TokenSuccess {
            access_token: access_token(org, user, issued_at_ms),
            scope: app.scopes.join(" "),
            instance_url: instance_url(org, context.base_url),
            id: format!("{login_host}/id/{}/{}", org.org_id, user.id),
            token_type: "Bearer",
            issued_at: issued_at_ms.to_string(),
        }
    }
}

/// `<15-char org id>!AR<opaque>`, the shape of a real session id (§2.3).
fn access_token(org: &Org, user: &User, issued_at_ms: i128) -> String {
    let org_prefix: String = org.org_id.chars().take(15).collect();
    let seed = format!("{}|{}|{issued_at_ms}", org.org_id, user.username);
    let opaque = URL_SAFE_NO_PAD.encode(Sha256::digest(seed.as_bytes()));
    format!("{org_prefix}!AR{}", opaque.replace(['-', '_'], "."))
}

fn instance_url(org: &Org, base_url: &str) -> String {
    if let Some(url) = &org.instance_url {
        return url.clone();
    }
    match (&org.my_domain, org.sandbox) {
        (Some(domain), false) => format!("https://{domain}.my.salesforce.com"),
        (Some(domain), true) => format!("https://{domain}.sandbox.my.salesforce.com"),
        // Pointing back at the fake keeps any follow-up request local.
        (None, _) => base_url.to_string(),
    }
}

fn error_response(error: OAuthError) -> Response {
    Response::new(400, http::JSON, to_json(&error))
}

fn to_json(value: &impl Serialize) -> String {
    serde_json::to_string(value).expect("token responses serialize")
}

/// What Salesforce serves for a URL that does not exist (wording INFERRED).
fn not_found_page() -> Response {
    const PAGE: &str = "<!DOCTYPE html>\n<html><head><title>URL No Longer Exists</title></head>\n\
        <body><h1>URL No Longer Exists</h1>\n\
        <p>You have attempted to reach a URL that no longer exists on salesforce.com.</p>\n\
        </body></html>\n";
    Response::new(404, http::HTML, PAGE)
}
