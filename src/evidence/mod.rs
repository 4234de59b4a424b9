//! Evidence gathering: the only place that reads files (and, later, the network). Every check is
//! a pure function of the `Evidence` built here.

pub mod cert;
mod fix_values;
pub mod host;
pub mod jwt;
pub mod key;
mod live;
mod sources;

pub use fix_values::CLI_CALLBACK_URL;
pub use live::reprobe;

use std::path::Path;

use crate::{
    captured::{self, Captured},
    error::Error,
    files::{self, ReadError},
    inputs::{Inputs, KeyInput, Source, Sourced, TextInput},
    metadata::{AppSettings, MetadataError},
    org::OrgInspection,
    probe::Probe,
    saml,
    secret::Secret,
};
use host::{Environment, HostKind, Url, UsernameShape};

#[derive(Debug)]
pub struct Evidence {
    pub inputs: Inputs,
    pub key: Option<key::KeyReport>,
    pub cert: Option<cert::CertReport>,
    pub host: HostEvidence,
    pub username: Option<UsernameShape>,
    pub assertion: AssertionEvidence,
    /// The `aud` sfjwt recommends for this host and username.
    pub recommended_audience: String,
    /// The `--instance-url` sfjwt recommends: the user's own when it fits, else login or test.
    pub recommended_login_url: String,
    /// A failure the user brought with `--error`.
    pub captured: Option<CapturedError>,
    pub apps: AppEvidence,
    pub org: OrgEvidence,
    pub probe: ProbeEvidence,
}

/// Connected app metadata: given with `--connected-app`, or found in the sfdx project.
#[derive(Debug, Default)]
pub struct AppEvidence {
    pub loaded: Vec<AppSettings>,
    pub errors: Vec<MetadataError>,
    /// Where the files came from: `--connected-app`, or the project that was searched.
    pub origin: Option<String>,
    /// The app for `--client-id`, or the only one.
    pub selected: Option<usize>,
}

impl AppEvidence {
    pub fn app(&self) -> Option<&AppSettings> {
        self.selected.map(|i| &self.loaded[i])
    }
}

#[derive(Debug)]
pub enum OrgEvidence {
    NotGiven,
    Skipped(String),
    Done(Box<OrgInspection>),
}

impl OrgEvidence {
    pub fn inspection(&self) -> Option<&OrgInspection> {
        match self {
            OrgEvidence::Done(inspection) => Some(inspection),
            _ => None,
        }
    }
}

#[derive(Debug)]
pub struct CapturedError {
    pub origin: String,
    pub parsed: Captured,
    /// Why the input could not be used (unreadable, empty, binary, too large); `parsed` is then
    /// empty. Still a capture: the user asked for no live request.
    pub problem: Option<String>,
    /// The SAML assertion the text held (a transcript's form body), read before it was masked.
    pub saml: Option<saml::Reading>,
}

/// Which OAuth 2.0 bearer grant the evidence is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Flow {
    /// `urn:ietf:params:oauth:grant-type:jwt-bearer` (RFC 7523), what `sf org login jwt` uses.
    JwtBearer,
    /// `urn:ietf:params:oauth:grant-type:saml2-bearer` (RFC 7522).
    SamlBearer,
}

impl Flow {
    pub fn describe(self) -> &'static str {
        match self {
            Flow::JwtBearer => "the OAuth 2.0 JWT bearer flow",
            Flow::SamlBearer => "the OAuth 2.0 SAML bearer flow",
        }
    }
}

#[derive(Debug)]
pub enum ProbeEvidence {
    /// Not contacted, and why (`--offline`, `--error`, nothing to send…).
    Skipped(String),
    Done(Probe),
}

impl Evidence {
    /// The SAML bearer flow when the assertion is SAML, or the captured failure names its grant
    /// or holds a SAML assertion; otherwise the JWT bearer flow.
    pub fn flow(&self) -> Flow {
        let captured_saml = self.captured.as_ref().is_some_and(|c| c.parsed.saml_bearer || c.saml.is_some());
        if matches!(self.assertion, AssertionEvidence::Saml { .. }) || captured_saml {
            Flow::SamlBearer
        } else {
            Flow::JwtBearer
        }
    }

    /// The SAML assertion to audit: `--assertion`'s, else the one in `--error`; and whether it
    /// came from a captured failure.
    pub fn saml(&self) -> Option<(&saml::Reading, bool)> {
        match &self.assertion {
            AssertionEvidence::Saml { reading, .. } => Some((reading, false)),
            _ => self.captured.as_ref().and_then(|c| c.saml.as_ref()).map(|r| (r, true)),
        }
    }

    /// What the SAML rules compare an assertion with.
    pub fn saml_context(&self, captured: bool) -> saml::Context<'_> {
        let mut expected_keys = Vec::new();
        if let Some(cert) = self.cert.as_ref().and_then(|c| c.parsed().map(|p| (c, p))) {
            expected_keys.push((cert.0.origin.clone(), cert.1.spki_sha256.clone()));
        }
        if let Some((origin, spki)) = self
            .key
            .as_ref()
            .and_then(|k| k.parsed().and_then(|p| p.spki_sha256.clone()).map(|s| (k.origin.clone(), s)))
        {
            expected_keys.push((format!("the private key {origin}"), spki));
        }
        saml::Context {
            client_id: self.inputs.client_id.as_ref().map(|c| c.value.as_str()),
            username: self.inputs.username.as_ref().map(|u| u.value.as_str()),
            host: (self.host_known() && self.host.url.is_ok()).then_some((self.host.raw.as_str(), &self.host.kind)),
            now: self.inputs.now,
            expected_keys,
            captured,
        }
    }

    /// Whether the login host is known: given, configured, or what the probe actually used. For a
    /// captured error with no host in it, the default is only a guess.
    pub fn host_known(&self) -> bool {
        self.captured.is_none() || self.inputs.instance_url.source != Source::Default
    }

    /// Whether an answer to judge by exists: a captured failure or a live probe.
    pub fn has_answer(&self) -> bool {
        self.captured.is_some() || matches!(self.probe, ProbeEvidence::Done(_))
    }
}

#[derive(Debug)]
pub struct HostEvidence {
    pub raw: String,
    pub url: Result<Url, String>,
    pub kind: HostKind,
}

#[derive(Debug)]
pub enum AssertionEvidence {
    /// `--assertion`: a JWT the user's own code built; or the one a client sent, as the `--error`
    /// text shows it (then `sent` says so).
    Given { origin: String, decoded: jwt::Decoded, raw: Secret<String>, sent: Option<Sent> },
    /// Built as the sf CLI would, from the client id, username and audience.
    Built { claims: jwt::BuiltClaims, signed: Option<jwt::Jws>, audience_source: String },
    /// `--assertion` held a SAML assertion (XML, base64 or base64url of it, or a form body).
    Saml { origin: String, reading: Box<saml::Reading> },
    /// Nothing to build from; says which inputs are missing.
    Missing(String),
}

/// Where and when a captured assertion was sent, as far as the capture says.
#[derive(Debug, Clone)]
pub struct Sent {
    /// The origin it was posted to.
    pub to: Option<String>,
    /// The `Date` of the answer to it (Unix seconds): the time its `exp` is judged against.
    pub at: Option<i64>,
}

impl AssertionEvidence {
    /// The JWT the claims checks audit, in words: `the assertion in --error (sent to …)`.
    pub fn described(&self) -> Option<String> {
        match self {
            AssertionEvidence::Given { sent: Some(sent), .. } => Some(match &sent.to {
                Some(to) => format!("the assertion the client sent to {to} (from --error)"),
                None => "the assertion in --error".to_string(),
            }),
            AssertionEvidence::Given { origin, .. } => Some(format!("--assertion ({origin})")),
            _ => None,
        }
    }

    pub fn claims(&self) -> Option<jwt::Claims> {
        match self {
            AssertionEvidence::Given { decoded, .. } => decoded.claims.clone(),
            AssertionEvidence::Built { claims, .. } => Some(claims.to_map()),
            AssertionEvidence::Saml { .. } | AssertionEvidence::Missing(_) => None,
        }
    }
}

pub fn gather(mut inputs: Inputs) -> Result<Evidence, Error> {
    let captured = read_captured(&inputs)?;
    if let Some(captured) = &captured {
        fill_from_captured(&mut inputs, &captured.parsed);
    }
    let key = inputs.key.as_ref().map(|key| match &key.value {
        KeyInput::File(path) => match files::read_limited(path, files::MAX_INPUT_BYTES) {
            Ok(bytes) => key::examine(path.display().to_string(), &bytes, false),
            Err(e) => key::KeyReport {
                origin: path.display().to_string(),
                state: key::KeyState::Unreadable(e),
                damage: Vec::new(),
                base64_wrapped: false,
            },
        },
        KeyInput::Inline(bytes) => key::examine(key.source.to_string(), bytes.expose(), true),
    });
    let apps = sources::load_apps(&inputs);
    let cert = inputs.cert.as_ref().map(|cert| {
        let origin = cert.value.display().to_string();
        match files::read_limited(&cert.value, files::MAX_INPUT_BYTES) {
            Ok(bytes) => cert::examine(origin, &bytes),
            Err(e) => cert::CertReport { origin, state: cert::CertState::Unreadable(e) },
        }
    });
    // Without --cert, the certificate in the app's metadata is the one Salesforce verifies with.
    let cert = cert.or_else(|| {
        let app = apps.app()?;
        let pem = app.certificate_pem.as_ref()?;
        Some(cert::examine(format!("the certificate of connected app {}", app.name), pem.as_bytes()))
    });
    let host = host_evidence(&inputs.instance_url.value);
    let username = inputs.username.as_ref().map(|u| host::username_shape(&u.value));
    let recommended_audience = recommended_audience(&host, username.as_ref());
    let recommended_login_url = recommended_login_url(&host, &recommended_audience);
    let assertion = assertion_evidence(&inputs, key.as_ref(), &recommended_audience, captured.as_ref())?;
    let mut evidence = Evidence {
        inputs,
        key,
        cert,
        host,
        username,
        assertion,
        recommended_audience,
        recommended_login_url,
        captured,
        apps,
        org: OrgEvidence::NotGiven,
        probe: ProbeEvidence::Skipped(String::new()),
    };
    evidence.org = sources::inspect_org(&evidence);
    evidence.probe = live::run_probe(&evidence);
    Ok(evidence)
}

/// The `--error` input, read and classified. An input that cannot be used is a finding
/// (`capture.unusable`), as an unreadable key is: neither is a failure to classify, and "no cause
/// found" would read as a healthy login.
/// The failure given with `--error`. One that cannot be read at all (missing, binary, blank) is
/// kept as a problem for the `login.capture` check to report.
fn read_captured(inputs: &Inputs) -> Result<Option<CapturedError>, Error> {
    let Some(error) = inputs.error.as_ref() else { return Ok(None) };
    let hint = match inputs.instance_url.source {
        Source::Default => None,
        _ => Some(inputs.instance_url.value.as_str()),
    };
    let unusable = |origin: String, problem: String| CapturedError {
        origin,
        parsed: captured::parse("", None),
        problem: Some(problem),
        saml: None,
    };
    let (origin, text) = match read_text_input(&error.value, "--error", files::MAX_CAPTURE_BYTES) {
        Ok(read) => read,
        Err(e) => {
            let origin = match &error.value {
                TextInput::File(path) => path.display().to_string(),
                TextInput::Stdin => "stdin".into(),
                TextInput::Inline(_) => "inline".into(),
            };
            let problem = match e {
                Error::Input { message, .. } => message,
                other => other.to_string(),
            };
            return Ok(Some(unusable(origin, problem)));
        }
    };
    let name = if origin == "inline" { "the --error text".to_string() } else { origin.clone() };
    if files::looks_binary(text.expose()) {
        return Ok(Some(unusable(origin, format!("{name} is binary data, not the text of a failure"))));
    }
    if !text.expose().chars().any(char::is_alphanumeric) {
        return Ok(Some(unusable(origin, format!("{name} holds no words to read (it is empty or blank)"))));
    }
    let saml = saml::find_in_text(text.expose());
    // Text that could be read but holds nothing sfjwt recognises is a usage error: reporting
    // "no cause found" would read as a healthy login.
    let parsed = captured::parse(text.expose(), hint);
    if parsed.is_unreadable() && saml.is_none() {
        return Err(Error::input("--error", format!("{name} holds no failure sfjwt can read")).suggest(READS));
    }
    Ok(Some(CapturedError { origin, parsed, problem: None, saml }))
}

/// What `--error` can read, for a text in which nothing was recognised.
const READS: &str = "sfjwt reads the sf CLI's output (text or --json), a token endpoint's answer (JSON, or an HTTP transcript), a client library's exception or stack trace with the OAuth error in it, network and TLS errors in any runtime's words, key-loading errors, and REST API error codes; pass the whole error as printed";

/// Usernames, client ids and hosts found in `--error` stand in for flags that were not given.
fn fill_from_captured(inputs: &mut Inputs, parsed: &Captured) {
    let found =
        |values: &[String]| values.first().map(|value| Sourced { value: value.clone(), source: Source::Captured });
    if inputs.username.is_none() {
        inputs.username = found(&parsed.usernames);
    }
    if inputs.client_id.is_none() {
        inputs.client_id = found(&parsed.client_ids);
    }
    if inputs.instance_url.source == Source::Default {
        // The first attempt's host is the one the user chose (the sf CLI tries its own after it).
        let chosen = parsed.answers.iter().find_map(|a| a.login.clone()).or_else(|| parsed.hosts.first().cloned());
        if let Some(host) = chosen {
            inputs.instance_url = Sourced { value: host, source: Source::Captured };
        }
    }
}

pub fn host_evidence(raw: &str) -> HostEvidence {
    let url = Url::parse(raw);
    let kind = match &url {
        Ok(url) => host::classify_host(url),
        Err(reason) => HostKind::Invalid { reason: reason.clone() },
    };
    HostEvidence { raw: raw.to_string(), url, kind }
}

/// The documented `aud`: the site for Experience Cloud, test for sandboxes and scratch orgs, else login.
pub fn recommended_audience(host: &HostEvidence, username: Option<&UsernameShape>) -> String {
    if let (HostKind::ExperienceSite, Ok(url)) = (&host.kind, &host.url) {
        return url.base();
    }
    let username_sandbox =
        username.is_some_and(|u| u.environment.is_sandbox_like() && u.confidence != crate::finding::Confidence::Low);
    let host_env = host.kind.environment();
    // The host decides when it names an environment; otherwise a confidently suffixed username does.
    if host_env.is_sandbox_like() || (host_env == Environment::Unknown && username_sandbox) {
        "https://test.salesforce.com".into()
    } else {
        "https://login.salesforce.com".into()
    }
}

/// The user's own login URL when it is a login host of the recommended environment, else login/test.
fn recommended_login_url(host: &HostEvidence, recommended_audience: &str) -> String {
    let own = match (&host.kind, &host.url) {
        (HostKind::Login | HostKind::Test | HostKind::MyDomain { .. } | HostKind::SandboxMyDomain { .. }, Ok(url))
        | (HostKind::ScratchMyDomain { .. } | HostKind::ExperienceSite | HostKind::Loopback, Ok(url)) => Some(url),
        _ => None,
    };
    let sandbox_recommended = recommended_audience == "https://test.salesforce.com";
    match own {
        Some(url)
            if host.kind.environment().is_sandbox_like() == sandbox_recommended
                || host.kind.environment() == Environment::Unknown =>
        {
            url.base()
        }
        _ => recommended_audience.to_string(),
    }
}

fn assertion_evidence(
    inputs: &Inputs,
    key: Option<&key::KeyReport>,
    recommended: &str,
    captured: Option<&CapturedError>,
) -> Result<AssertionEvidence, Error> {
    if let Some(given) = &inputs.assertion {
        let (origin, text) = read_text_input(&given.value, "--assertion", files::MAX_INPUT_BYTES)?;
        if let Some(reading) = saml::read(text.expose()) {
            return Ok(AssertionEvidence::Saml { origin, reading: Box::new(reading) });
        }
        let raw = Secret::new(text.expose().trim().to_string());
        return Ok(AssertionEvidence::Given { origin, decoded: jwt::decode(text.expose()), raw, sent: None });
    }
    // The JWT the client really sent says more than one sfjwt would build.
    if let Some(captured) = captured
        && let Some(assertion) = captured.parsed.assertions.first()
    {
        let raw = Secret::new(assertion.jwt.expose().clone());
        let sent = Sent {
            to: assertion.login.clone(),
            at: captured.parsed.date.as_deref().and_then(crate::probe::parse_http_date).map(|t| t.unix_timestamp()),
        };
        return Ok(AssertionEvidence::Given {
            origin: captured.origin.clone(),
            decoded: jwt::decode(raw.expose()),
            raw,
            sent: Some(sent),
        });
    }
    let (Some(client_id), Some(username)) = (&inputs.client_id, &inputs.username) else {
        return Ok(AssertionEvidence::Missing(
            "give --client-id and --username to build the assertion sf would send, or --assertion to audit yours"
                .into(),
        ));
    };
    let (audience, audience_source) = match &inputs.audience {
        Some(aud) => (aud.value.clone(), aud.source.to_string()),
        None => (recommended.to_string(), "recommended for this host and username".to_string()),
    };
    let claims = jwt::BuiltClaims::new(&client_id.value, &username.value, &audience, inputs.now);
    let signed = key.and_then(|k| k.parsed()).and_then(|k| k.rsa.as_ref()).and_then(|rsa| claims.sign(rsa).ok());
    Ok(AssertionEvidence::Built { claims, signed, audience_source })
}

/// Reads a `TEXT`, `@PATH` or `-` input. A file that cannot be read is a usage error.
pub fn read_text_input(input: &TextInput, flag: &str, limit: u64) -> Result<(String, Secret<String>), Error> {
    let describe = |path: &Path, e: ReadError| Error::input(flag, format!("cannot read {}: {e}", path.display()));
    match input {
        TextInput::Inline(text) => Ok(("inline".into(), text.clone())),
        TextInput::File(path) => {
            let bytes = files::read_limited(path, limit).map_err(|e| describe(path, e))?;
            Ok((path.display().to_string(), Secret::new(files::decode_text(&bytes))))
        }
        TextInput::Stdin => {
            let bytes =
                files::read_stdin_limited(limit).map_err(|e| Error::input(flag, format!("cannot read stdin: {e}")))?;
            Ok(("stdin".into(), Secret::new(files::decode_text(&bytes))))
        }
    }
}
