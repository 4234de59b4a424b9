//! Every fact in a failure the user pasted (`--error`).
//!
//! Users bring what they have: the sf CLI's text or `--json` output, an old sfdx log, an HTTP
//! transcript, a raw token-endpoint body, or some library's exception. [`parse`] recognises the
//! form, pulls out each token-endpoint answer (in attempt order, with host and `aud` when they can
//! be known), the client-side failures, and the identifying facts around them.
//!
//! The input is untrusted. The pipeline is: cap the size, normalise (ANSI, CRLF, BOM), mask
//! every secret with [`crate::scrub`] before anything else reads the text, then run the
//! recognisers. Nothing downstream ever sees a secret, so no field can store one.

mod classify;
pub mod command;
mod facts;
mod freetext;
mod http;
mod library;
mod network;
mod prepare;
mod scan;
mod sf;

use serde::Serialize;

pub use crate::symptom::Symptom;

use crate::scrub::JwtClaims as Claims;
use crate::secret::Secret;
use scan::Text;

/// Everything a pasted failure says.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Captured {
    /// What the text was.
    pub form: Form,
    /// Token-endpoint answers, in attempt order.
    pub answers: Vec<Answer>,
    /// Failures before any answer, deduplicated with counts: the client's own (the key file, the
    /// sf CLI's stored logins) and the network's (DNS, TLS, refused); `kind.origin()` tells which.
    pub local_errors: Vec<LocalError>,
    /// The text reports a success (a token was issued, the sf CLI authorized the user).
    pub success: bool,
    /// The sf command that failed, when the text says (`project deploy start`, `CreateUserCommand`).
    pub command: Option<String>,
    /// The assertions the client sent, as the text shows them (a transcript's form body, a debug
    /// log), in text order.
    pub assertions: Vec<SentAssertion>,
    /// From an HTTP status line or a library message.
    pub http_status: Option<u16>,
    /// Raw value of an HTTP `Date:` header.
    pub date: Option<String>,
    /// Origins found (token URLs, `login=…`, `loginUrl: …`), deduplicated, in order.
    pub hosts: Vec<String>,
    /// From `username: …`, `sub`, sf output.
    pub usernames: Vec<String>,
    /// From `clientId: …`, `client_id=…`, `iss`.
    pub client_ids: Vec<String>,
    /// From `ENOENT … '…'` or `privateKey: …`.
    pub key_path: Option<String>,
    /// The text held an assertion (JWT or SAML), an access token or a private key; never stored.
    pub contained_secret: bool,
    /// The failure is a SAML bearer login: the text names its grant type or holds a SAML assertion.
    pub saml_bearer: bool,
}

/// What kind of text was pasted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Form {
    /// A token-endpoint response body (JSON, or the JS-inspect form of one).
    TokenJson,
    /// An HTTP exchange: status line, headers, body; maybe the request before it.
    HttpTranscript,
    /// `sf … --json` output.
    SfCliJson,
    /// `sf`/`sfdx` human output.
    SfCliText,
    /// The salesforce-alm "problem with its OAuth configuration" message.
    LegacySfdx,
    /// A client library's exception: "guzzle", "simple-salesforce", "apex", "n8n", "talend",
    /// "java", "restforce".
    ClientLibrary(String),
    /// Anything else.
    PlainText,
}

impl Form {
    /// What the text was read as, in the user's words.
    pub fn describe(&self) -> String {
        match self {
            Form::TokenJson => "the token endpoint's JSON answer".into(),
            Form::HttpTranscript => "an HTTP exchange".into(),
            Form::SfCliJson => "sf CLI output (--json)".into(),
            Form::SfCliText => "sf CLI output".into(),
            Form::LegacySfdx => "legacy sfdx output".into(),
            Form::ClientLibrary(name) => format!("{name} error output"),
            Form::PlainText => "plain text".into(),
        }
    }
}

/// One answer from a token endpoint (or the CLI's rendering of one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Answer {
    /// OAuth `error` code when known (the sf CLI drops it, so `None` there).
    pub error: Option<String>,
    /// Verbatim `error_description`, or the raw line.
    pub description: String,
    pub kind: Symptom,
    /// The login URL (token host) the attempt was posted to, when known.
    pub login: Option<String>,
    /// The `aud` of the attempt, when known.
    pub audience: Option<String>,
    pub http_status: Option<u16>,
}

/// A failure on the client or the network before (or instead of) an answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LocalError {
    pub kind: Symptom,
    /// The message, from its recognisable start to the end of its line.
    pub text: String,
    /// How many times it was printed (the sf CLI repeats key errors once per attempt).
    pub count: usize,
    /// For a network failure, the name that failed (`login.salesforce.co`, `10.1.1.1:3128`).
    pub host: Option<String>,
}

/// An assertion (JWT) found in the text. Never shown: reports audit its claims.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SentAssertion {
    #[serde(skip)]
    pub jwt: Secret<String>,
    /// The origin it was posted to, when the text shows the request.
    pub login: Option<String>,
}

/// Classifies an answer by its description, falling back to the OAuth error code.
pub fn classify_answer(error: Option<&str>, description: &str) -> Symptom {
    classify::error_kind(error, description)
}

/// Extracts every fact from pasted text. Never panics; works on at most the first
/// [`MAX_SCAN_BYTES`] of the input.
///
/// `instance_url_hint` is the `--instance-url` the failing command used, when the caller knows it;
/// it lets sf CLI lines without their own `[audience=… login=…]` be matched to their attempt.
pub fn parse(text: &str, instance_url_hint: Option<&str>) -> Captured {
    let normalised = prepare::normalise(text);
    let redacted = crate::scrub::scrub_numbered(&normalised);
    let text = Text::new(&redacted.text);

    let mut captured = Captured::empty(redacted.found);
    captured.saml_bearer = redacted.saml || crate::saml::names_grant(&redacted.text);
    let outcome = recognise(&text, instance_url_hint, &redacted.claims, &mut captured);
    let error_text = outcome.message.as_deref().unwrap_or(text.raw);
    captured.add_local_errors(error_text);
    captured.add_network_failures(error_text);
    captured.read_command(&text, &outcome);
    facts::gather(&text, &redacted.claims, &mut captured);
    if let Some(message) = &outcome.message {
        // The decoded message shows what the JSON escaped (`\nclientId: …`).
        facts::gather(&Text::new(message), &[], &mut captured);
    }
    captured.apply_request_context(&outcome);
    captured.read_server_errors();
    captured.keep_assertions(&redacted, &outcome.sent);
    captured.success = outcome.success;
    captured.form = outcome.form;
    captured
}

impl Captured {
    /// Whether nothing in the text could be read: no answer, no failure, no success, no
    /// assertion. Such a text is not a failure sfjwt can classify.
    pub fn is_unreadable(&self) -> bool {
        self.answers.is_empty() && self.local_errors.is_empty() && !self.success && self.assertions.is_empty()
    }
}

/// Like [`parse`] for raw bytes: strips a UTF-8 BOM, decodes UTF-16 (by BOM, or by the NUL
/// pattern of ASCII text), and replaces invalid UTF-8.
pub fn parse_bytes(bytes: &[u8], instance_url_hint: Option<&str>) -> Captured {
    parse(&prepare::decode(bytes), instance_url_hint)
}

/// How much of the input is examined. Real failures are a few KB; a CI log tail is well under this.
pub const MAX_SCAN_BYTES: usize = prepare::MAX_SCAN;

/// The most answers kept, so a pathological paste cannot produce an unbounded report.
const MAX_ANSWERS: usize = 256;
/// The most distinct local errors kept.
const MAX_LOCAL_ERRORS: usize = 64;
/// Longest description kept (HTML pages can be large); longer ones are cut with `…`.
const MAX_DESCRIPTION: usize = 4096;

/// What a recogniser learned about the text as a whole.
struct Outcome {
    form: Form,
    /// The text reports a success, so no answer is expected.
    success: bool,
    /// The part of the text that carries the error (the `message` of sf JSON). Local errors are
    /// counted there only, because the JSON repeats it in `stack` and `cause`.
    message: Option<String>,
    /// The request a library reported (status, token URL), applied to answers that lack them.
    request: Option<RequestContext>,
    /// The command `--json` output names (`commandName`).
    command: Option<String>,
    /// Assertions a transcript shows being posted: the JWT's index and the origin it went to.
    sent: Vec<(usize, Option<String>)>,
}

impl Outcome {
    fn new(form: Form) -> Outcome {
        Outcome { form, success: false, message: None, request: None, command: None, sent: Vec::new() }
    }
}

struct RequestContext {
    http_status: Option<u16>,
    url: Option<String>,
}

/// Tries the recognisers from the most specific form to the least.
fn recognise(text: &Text, hint: Option<&str>, claims: &[Claims], captured: &mut Captured) -> Outcome {
    if let Some(outcome) = sf::from_json(text, hint, captured) {
        return outcome;
    }
    if let Some(outcome) = freetext::token_json(text, captured) {
        return outcome;
    }
    if let Some(outcome) = http::transcript(text, claims, captured) {
        return outcome;
    }
    if let Some(outcome) = sf::from_legacy_text(text, captured) {
        return outcome;
    }
    if let Some(outcome) = sf::from_text(text, hint, captured) {
        return outcome;
    }
    unstructured(text, captured)
}

/// Library exceptions and anything else: answers wherever they appear, plus what the message
/// says about the request.
fn unstructured(text: &Text, captured: &mut Captured) -> Outcome {
    for answer in freetext::answers(text) {
        captured.push_answer(answer);
    }
    let (form, http_status, url) = match library::detect(text) {
        Some(library) => (Form::ClientLibrary(library.name.to_string()), library.http_status, library.url),
        None => (Form::PlainText, None, None),
    };
    let mut outcome = Outcome::new(form);
    outcome.request = Some(RequestContext { http_status: http_status.or_else(|| facts::find_status(text)), url });
    outcome
}

impl Answer {
    /// `error: description`, or whichever of the two there is, as reports show an answer.
    pub fn text(&self) -> String {
        match (&self.error, self.description.is_empty()) {
            (Some(error), false) => format!("{error}: {}", self.description),
            (Some(error), true) => error.clone(),
            (None, _) => self.description.clone(),
        }
    }

    /// An answer classified from its code and description; jsforce's `ERROR_HTTP_<n>` code
    /// (used for non-JSON bodies) also gives the status.
    fn new(error: Option<String>, description: String) -> Answer {
        let kind = Symptom::classify(error.as_deref(), &description);
        let http_status = error.as_deref().and_then(classify::jsforce_http_status);
        Answer {
            error,
            description: truncate(description, MAX_DESCRIPTION),
            kind,
            login: None,
            audience: None,
            http_status,
        }
    }
}

impl Captured {
    fn empty(contained_secret: bool) -> Captured {
        Captured {
            form: Form::PlainText,
            answers: Vec::new(),
            local_errors: Vec::new(),
            http_status: None,
            date: None,
            hosts: Vec::new(),
            usernames: Vec::new(),
            client_ids: Vec::new(),
            key_path: None,
            contained_secret,
            saml_bearer: false,
            success: false,
            command: None,
            assertions: Vec::new(),
        }
    }

    fn push_answer(&mut self, answer: Answer) {
        if self.answers.len() < MAX_ANSWERS {
            self.answers.push(answer);
        }
    }

    fn add_local_error(&mut self, kind: Symptom, text: &str) {
        let text = truncate(text.trim().to_string(), MAX_DESCRIPTION);
        if let Some(seen) = self.local_errors.iter_mut().find(|seen| seen.kind == kind && seen.text == text) {
            seen.count += 1;
        } else if self.local_errors.len() < MAX_LOCAL_ERRORS {
            self.local_errors.push(LocalError { kind, text, count: 1, host: None });
        }
    }

    /// Records the origin of `url`; anything that is not an http(s) URL is ignored.
    fn add_host(&mut self, url: &str) {
        if let Some(origin) = crate::sf_cli::origin(url) {
            push_unique(&mut self.hosts, origin);
        }
    }

    fn add_username(&mut self, value: &str) {
        // Salesforce usernames always have the form of an email address.
        if let Some(value) = facts::clean_value(value).filter(|v| v.contains('@')) {
            push_unique(&mut self.usernames, value);
        }
    }

    fn add_client_id(&mut self, value: &str) {
        // Consumer keys are one token (`3MVG9…`); anything with spaces is prose.
        if let Some(value) = facts::clean_value(value).filter(|v| !v.contains(char::is_whitespace)) {
            push_unique(&mut self.client_ids, value);
        }
    }

    fn set_key_path(&mut self, value: &str) {
        if self.key_path.is_none() {
            self.key_path = facts::clean_value(value);
        }
    }

    fn set_http_status(&mut self, status: Option<u16>) {
        if self.http_status.is_none() {
            self.http_status = status;
        }
    }

    /// Every client-side failure in `text`, one per line at most.
    fn add_local_errors(&mut self, text: &str) {
        let scan = classify::LocalScan::new(text);
        for line in text.lines() {
            if let Some((kind, found)) = scan.line(line) {
                self.add_local_error(kind, found);
            }
        }
    }

    /// Network failures in the runtime's words. A name that did not resolve, or that a
    /// certificate was not for, is the host the client posted to. The sf CLI's own `fetch failed`
    /// lines are answers of their attempts already.
    fn add_network_failures(&mut self, text: &str) {
        let attempts_say_it = self.answers.iter().any(|answer| answer.kind.origin() == crate::symptom::Origin::Network);
        for failure in network::failures(text) {
            if attempts_say_it && failure.kind == Symptom::FetchFailed {
                continue;
            }
            if let Some(host) = &failure.host
                && matches!(failure.kind, Symptom::DnsFailure | Symptom::TlsHostnameMismatch)
            {
                self.add_host(&facts::with_scheme(host));
            }
            if self.local_errors.len() < MAX_LOCAL_ERRORS {
                self.local_errors.push(LocalError {
                    kind: failure.kind,
                    text: failure.text,
                    count: 1,
                    host: failure.host,
                });
            }
        }
    }

    /// The failing sf command; a missing key file in a command that is not the JWT login is the
    /// stored login's key path, not `--jwt-key-file`.
    fn read_command(&mut self, text: &Text, outcome: &Outcome) {
        let key_missing = self.local_errors.iter().any(|e| e.kind == Symptom::KeyFileMissing);
        let status_line = if text.contains("connected status") {
            text.raw.lines().position(classify::stored_key_status)
        } else {
            None
        };
        let error_line = if key_missing {
            let scan = classify::LocalScan::new(text.raw);
            text.raw.lines().position(|line| scan.line(line).is_some_and(|(kind, _)| kind == Symptom::KeyFileMissing))
        } else {
            status_line
        };
        self.command = command::failing(text, outcome.command.as_deref(), error_line);
        let later_step = match &self.command {
            Some(command) => !command::is_jwt_login(command),
            None => error_line.is_some_and(|at| text.raw.lines().nth(at).is_some_and(command::says_later_step)),
        };
        if later_step || status_line.is_some() {
            for error in &mut self.local_errors {
                if error.kind == Symptom::KeyFileMissing {
                    error.kind = Symptom::StoredKeyMissing;
                }
            }
        }
        if let Some(line) = status_line.and_then(|at| text.raw.lines().nth(at))
            && !self.local_errors.iter().any(|e| e.kind == Symptom::StoredKeyMissing)
        {
            let shown: Vec<&str> = line.split(['│', '|']).map(str::trim).filter(|cell| !cell.is_empty()).collect();
            self.add_local_error(Symptom::StoredKeyMissing, &shown.join(" "));
        }
    }

    /// A 5xx that carried no OAuth answer is the server's trouble, not an unknown answer.
    fn read_server_errors(&mut self) {
        for answer in &mut self.answers {
            if matches!(answer.kind, Symptom::Unknown | Symptom::Empty) && answer.http_status.is_some_and(|s| s >= 500)
            {
                answer.kind = Symptom::ServerError;
            }
        }
    }

    /// The JWTs in the text that are bearer assertions (they name an issuer and a subject or
    /// audience), with the origin a transcript shows each was posted to.
    fn keep_assertions(&mut self, redacted: &crate::scrub::Scrubbed, sent: &[(usize, Option<String>)]) {
        for (index, (claims, jwt)) in redacted.claims.iter().zip(&redacted.jwts).enumerate() {
            let Some(jwt) = jwt else { continue };
            if claims.iss.is_none() || (claims.sub.is_none() && claims.aud.is_none()) {
                continue;
            }
            let login = sent.iter().find(|(i, _)| *i == index).and_then(|(_, login)| login.clone());
            self.assertions.push(SentAssertion { jwt: jwt.clone(), login });
        }
    }

    /// Applies what a library said about its single request to the answers that lack it, and
    /// takes the status an answer carries (jsforce's `ERROR_HTTP_<n>`) when nothing else said.
    fn apply_request_context(&mut self, outcome: &Outcome) {
        if let Some(request) = &outcome.request {
            self.set_http_status(request.http_status);
            if let Some(url) = &request.url {
                self.add_host(url);
            }
            let login = request.url.as_deref().and_then(crate::sf_cli::origin);
            for answer in &mut self.answers {
                answer.http_status = answer.http_status.or(request.http_status);
                if answer.login.is_none() {
                    answer.login.clone_from(&login);
                }
            }
        }
        let answered = self.answers.iter().find_map(|answer| answer.http_status);
        self.set_http_status(answered);
    }
}

fn push_unique(list: &mut Vec<String>, value: String) {
    if !list.contains(&value) {
        list.push(value);
    }
}

/// Cuts `text` to at most `max` bytes on a character boundary, marking the cut with `…`.
fn truncate(mut text: String, max: usize) -> String {
    if text.len() > max {
        let cut = prepare::floor_char_boundary(&text, max);
        text.truncate(cut);
        text.push('…');
    }
    text
}
