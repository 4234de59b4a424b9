//! The one HTTP client sfjwt uses (token probe, admin queries): HTTPS only (plain HTTP to loopback
//! for tests), no redirects, connect and total time-outs, capped bodies, proxies from the
//! environment (`HTTPS_PROXY`, `NO_PROXY`) and the platform's trust store.

use std::{
    io::Read,
    time::{Duration, Instant},
};

use ureq::{
    Agent,
    tls::{RootCerts, TlsConfig},
};

use crate::{evidence::host::Url, scrub::scrub};

/// Token and query answers are small; an HTML error page can be larger, but never this large.
pub const BODY_LIMIT: u64 = 256 * 1024;
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
    /// The body was longer than `BODY_LIMIT` and was cut.
    pub truncated: bool,
    pub elapsed: Duration,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    pub fn is_json(&self) -> bool {
        self.header("content-type").is_some_and(|t| t.contains("json")) || self.body.trim_start().starts_with('{')
    }
}

/// Why a request got no HTTP answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    Dns(String),
    Refused,
    Reset,
    Timeout(String),
    Tls(String),
    Proxy(String),
    /// Refused before sending: not https, and not loopback.
    Insecure,
    Other(String),
}

impl Failure {
    /// What went wrong, secrets masked (a proxy URL with its password can appear in an error).
    pub fn describe(&self) -> String {
        scrub(&match self {
            Failure::Dns(host) => format!("DNS lookup failed for {host}"),
            Failure::Refused => "connection refused".into(),
            Failure::Reset => "connection reset".into(),
            Failure::Timeout(what) => format!("timed out ({what})"),
            Failure::Tls(why) => format!("TLS handshake failed: {why}"),
            Failure::Proxy(why) => why.clone(),
            Failure::Insecure => "not sent: plain http is only allowed to loopback".into(),
            Failure::Other(why) => why.clone(),
        })
    }

    pub fn is_tls(&self) -> bool {
        matches!(self, Failure::Tls(_))
    }
}

pub struct Client {
    agent: Agent,
    /// For loopback targets: never through a proxy, which would carry a local test's assertion
    /// (or a local token endpoint's answer) off the machine.
    direct: Agent,
    /// The proxy ureq takes from the environment, as it does, to name it when it fails.
    proxy: Option<ureq::Proxy>,
}

impl Client {
    pub fn new(timeout: Duration) -> Client {
        let tls = TlsConfig::builder().root_certs(RootCerts::PlatformVerifier).build();
        let proxy = ureq::Proxy::try_from_env();
        let config = |proxy: Option<ureq::Proxy>| {
            Agent::config_builder()
                .timeout_global(Some(timeout))
                .timeout_connect(Some(CONNECT_TIMEOUT.min(timeout)))
                .max_redirects(0)
                .http_status_as_error(false)
                .user_agent(concat!("sfjwt/", env!("CARGO_PKG_VERSION")))
                .tls_config(tls.clone())
                .proxy(proxy)
                .build()
        };
        Client { agent: config(proxy.clone()).into(), direct: config(None).into(), proxy }
    }

    /// The agent for `url`: direct to loopback, else through the environment's proxy (if any).
    fn agent_for(&self, url: &str) -> &Agent {
        if is_loopback(url) { &self.direct } else { &self.agent }
    }

    /// A refused connection or a failed lookup through a proxy is the proxy's, not the token
    /// endpoint's: "POST https://login…: connection refused" would send the user to the wrong host.
    fn through_proxy(&self, url: &str, failure: Failure) -> Failure {
        let Some(proxy) = &self.proxy else { return failure };
        let bypassed = is_loopback(url) || url.parse::<ureq::http::Uri>().map_or(true, |uri| proxy.is_no_proxy(&uri));
        match failure {
            Failure::Refused | Failure::Dns(_) if !bypassed => {
                let (name, value) = proxy_variable().unwrap_or(("the environment", proxy.uri().to_string()));
                Failure::Proxy(format!(
                    "cannot reach the proxy {} (from {name}): {}",
                    mask_credentials(&value),
                    failure.describe()
                ))
            }
            other => other,
        }
    }

    /// POSTs a form. The caller's values may be secrets; nothing here logs them.
    pub fn post_form(&self, url: &str, fields: &[(&str, &str)]) -> Result<Response, Failure> {
        allowed(url)?;
        let started = Instant::now();
        let result =
            self.agent_for(url).post(url).header("Accept", "application/json").send_form(fields.iter().copied());
        finish(result, started).map_err(|failure| self.through_proxy(url, failure))
    }

    /// GETs with an optional bearer token.
    pub fn get(&self, url: &str, bearer: Option<&str>) -> Result<Response, Failure> {
        allowed(url)?;
        let started = Instant::now();
        let mut request = self.agent_for(url).get(url).header("Accept", "application/json");
        if let Some(token) = bearer {
            request = request.header("Authorization", format!("Bearer {token}"));
        }
        finish(request.call(), started).map_err(|failure| self.through_proxy(url, failure))
    }
}

/// The variable ureq reads its proxy from, in its order.
pub fn proxy_variable() -> Option<(&'static str, String)> {
    ["ALL_PROXY", "all_proxy", "HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"]
        .into_iter()
        .find_map(|name| std::env::var(name).ok().filter(|v| !v.trim().is_empty()).map(|v| (name, v)))
}

fn is_loopback(url: &str) -> bool {
    Url::parse(url).is_ok_and(|u| u.is_loopback())
}

/// A proxy setting with its credentials masked by the scrubber: `http://user:pass@proxy:3128`
/// and `user:pass@proxy:3128` (ureq reads a proxy without a scheme as http) alike. Text, not a
/// URL: a proxy value too broken to parse may still hold a password.
pub fn mask_credentials(proxy: &str) -> String {
    if proxy.contains("://") {
        return scrub(proxy);
    }
    let masked = scrub(&format!("http://{proxy}"));
    masked.strip_prefix("http://").map_or(masked.clone(), str::to_string)
}

/// HTTPS anywhere; plain HTTP only to loopback, where tests run their fake servers.
pub fn allowed(url: &str) -> Result<(), Failure> {
    match Url::parse(url) {
        Ok(parsed) if parsed.is_https() || parsed.is_loopback() => Ok(()),
        Ok(_) => Err(Failure::Insecure),
        Err(e) => Err(Failure::Other(format!("invalid URL: {e}"))),
    }
}

fn finish(
    result: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    started: Instant,
) -> Result<Response, Failure> {
    let response = result.map_err(classify)?;
    let status = response.status().as_u16();
    // Everything that arrives is untrusted: secrets are masked before anyone reads it (a token
    // endpoint's `access_token`, a `Location` carrying a session id, a body echoing the assertion).
    let headers = response
        .headers()
        .iter()
        .map(|(name, value)| (name.as_str().to_string(), scrub(&String::from_utf8_lossy(value.as_bytes()))))
        .collect();
    let mut bytes = Vec::new();
    let mut reader = response.into_body().into_reader().take(BODY_LIMIT + 1);
    if let Err(e) = reader.read_to_end(&mut bytes) {
        // A body cut by a reset still says something: keep what arrived. A body cut by the
        // time-out is a time-out: `HTTP 200: {"access` would read as a strange answer.
        match classify_io(&e) {
            Failure::Timeout(_) => {
                return Err(Failure::Timeout(format!("the body stopped arriving after {} bytes", bytes.len())));
            }
            failure if bytes.is_empty() => return Err(failure),
            _ => {}
        }
    }
    let truncated = bytes.len() as u64 > BODY_LIMIT;
    bytes.truncate(BODY_LIMIT as usize);
    Ok(Response {
        status,
        headers,
        body: scrub(&String::from_utf8_lossy(&bytes)),
        truncated,
        elapsed: started.elapsed(),
    })
}

fn classify(error: ureq::Error) -> Failure {
    match error {
        ureq::Error::HostNotFound => Failure::Dns("the host".into()),
        ureq::Error::Io(e) => classify_io(&e),
        ureq::Error::Timeout(which) => Failure::Timeout(format!("{which}")),
        ureq::Error::Rustls(e) => Failure::Tls(e.to_string()),
        ureq::Error::Tls(e) => Failure::Tls(e.to_string()),
        ureq::Error::ConnectProxyFailed(why) => Failure::Proxy(format!("the proxy refused the connection: {why}")),
        ureq::Error::ConnectionFailed => Failure::Refused,
        other => Failure::Other(other.to_string()),
    }
}

fn classify_io(e: &std::io::Error) -> Failure {
    use std::io::ErrorKind;
    // The body reader reports ureq's own time-out as an `Other` I/O error wrapping it.
    if let Some(ureq::Error::Timeout(which)) = e.get_ref().and_then(|inner| inner.downcast_ref::<ureq::Error>()) {
        return Failure::Timeout(format!("{which}"));
    }
    match e.kind() {
        ErrorKind::ConnectionRefused => Failure::Refused,
        ErrorKind::ConnectionReset
        | ErrorKind::ConnectionAborted
        | ErrorKind::BrokenPipe
        | ErrorKind::UnexpectedEof => Failure::Reset,
        ErrorKind::TimedOut | ErrorKind::WouldBlock => Failure::Timeout("socket".into()),
        _ if e.to_string().contains("certificate") || e.to_string().contains("tls") => Failure::Tls(e.to_string()),
        _ => Failure::Other(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proxy_credentials_are_masked() {
        assert_eq!(mask_credentials("http://user:pass@proxy:3128"), "http://[REDACTED-CREDENTIALS]@proxy:3128");
        assert_eq!(mask_credentials("user:p@ss@proxy:3128"), "[REDACTED-CREDENTIALS]@proxy:3128");
        assert_eq!(mask_credentials("http://proxy:3128/a@b"), "http://proxy:3128/a@b");
        assert_eq!(mask_credentials("http://proxy:3128"), "http://proxy:3128");
    }

    #[test]
    fn only_https_or_loopback_http_is_allowed() {
        assert_eq!(allowed("https://login.salesforce.com"), Ok(()));
        assert_eq!(allowed("http://127.0.0.1:8080"), Ok(()));
        assert_eq!(allowed("http://127.example.com"), Err(Failure::Insecure));
        assert!(matches!(allowed("https://a..b"), Err(Failure::Other(_))));
    }
}
