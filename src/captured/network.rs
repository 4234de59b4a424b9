//! Network failures in the words of each runtime: the request never got an answer from
//! Salesforce. Node, undici, Python (requests, urllib3, ssl), the JDK, .NET, Go, libcurl (and PHP
//! and Guzzle on top of it), Ruby (Faraday, OpenSSL), and the wrappers of CumulusCI, n8n, Spring
//! and Airbyte (tests/corpus/FORMS.md gives the provenance of each wording).
//!
//! Each failure keeps the name that failed when the text says it: the host that did not resolve,
//! the host a certificate was not for, or the peer that refused, so a report can say whether it
//! is a Salesforce host at all.

use super::Symptom;

/// One network failure read from the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct NetworkFailure {
    pub kind: Symptom,
    /// The line that says it, trimmed.
    pub text: String,
    /// The name (or `name:port`) that failed, when the text says which.
    pub host: Option<String>,
}

/// Fragments (lowercase) and what they mean, most telling first: a line that names a TLS failure
/// and a refused connection is a TLS failure, and a proxy's refusal is the proxy's.
const PATTERNS: &[(&str, Symptom)] = &[
    // The certificate is for other names (Go, Node, Python, curl, the JDK, .NET).
    ("x509: certificate is valid for", Symptom::TlsHostnameMismatch),
    ("does not match certificate's altnames", Symptom::TlsHostnameMismatch),
    ("hostname mismatch", Symptom::TlsHostnameMismatch),
    ("no alternative certificate subject name matches", Symptom::TlsHostnameMismatch),
    ("no subject alternative dns name matching", Symptom::TlsHostnameMismatch),
    ("remotecertificatenamemismatch", Symptom::TlsHostnameMismatch),
    // The chain does not lead to a trusted root: a proxy that re-signs HTTPS, most often.
    ("self-signed certificate", Symptom::TlsUntrusted),
    ("self signed certificate", Symptom::TlsUntrusted),
    ("unable to get local issuer certificate", Symptom::TlsUntrusted),
    ("unable to verify the first certificate", Symptom::TlsUntrusted),
    ("unable_to_verify_leaf_signature", Symptom::TlsUntrusted),
    ("self_signed_cert_in_chain", Symptom::TlsUntrusted),
    ("unable_to_get_issuer_cert", Symptom::TlsUntrusted),
    ("pkix path building failed", Symptom::TlsUntrusted),
    ("unable to find valid certification path", Symptom::TlsUntrusted),
    ("certificate_verify_failed", Symptom::TlsUntrusted),
    ("certificate verify failed", Symptom::TlsUntrusted),
    ("certificate signed by unknown authority", Symptom::TlsUntrusted),
    ("untrustedroot", Symptom::TlsUntrusted),
    ("remote certificate is invalid", Symptom::TlsUntrusted),
    ("could not establish trust relationship", Symptom::TlsUntrusted),
    ("ssl certificate problem", Symptom::TlsUntrusted),
    ("certificate has expired", Symptom::TlsUntrusted),
    // The proxy in between failed.
    ("proxy authentication required", Symptom::ProxyFailed),
    ("proxy tunnel request", Symptom::ProxyFailed),
    ("proxyconnect", Symptom::ProxyFailed),
    ("connect tunnel failed", Symptom::ProxyFailed),
    ("tunnel connection failed", Symptom::ProxyFailed),
    ("unable to connect to proxy", Symptom::ProxyFailed),
    // The name did not resolve.
    ("enotfound", Symptom::DnsFailure),
    ("eai_again", Symptom::DnsFailure),
    ("unknownhostexception", Symptom::DnsFailure),
    ("unresolvedaddressexception", Symptom::DnsFailure),
    ("no such host", Symptom::DnsFailure),
    ("name or service not known", Symptom::DnsFailure),
    ("nodename nor servname provided", Symptom::DnsFailure),
    ("temporary failure in name resolution", Symptom::DnsFailure),
    ("nameresolutionerror", Symptom::DnsFailure),
    ("failed to resolve", Symptom::DnsFailure),
    ("could not resolve host", Symptom::DnsFailure),
    ("getaddrinfo failed", Symptom::DnsFailure),
    ("incorrect host(domain) value", Symptom::DnsFailure),
    ("the dns server returned an error", Symptom::DnsFailure),
    ("the remote name could not be resolved", Symptom::DnsFailure),
    // Nothing listened, or a firewall said no.
    ("econnrefused", Symptom::ConnectionRefused),
    ("connection refused", Symptom::ConnectionRefused),
    ("actively refused", Symptom::ConnectionRefused),
    ("couldn't connect to server", Symptom::ConnectionRefused),
    ("the service refused the connection", Symptom::ConnectionRefused),
    ("closedchannelexception", Symptom::ConnectionRefused),
    // Nothing came back in time.
    ("etimedout", Symptom::TimedOut),
    ("timed out", Symptom::TimedOut),
    ("timeout exceeded", Symptom::TimedOut),
    ("httpclient.timeout", Symptom::TimedOut),
    ("context deadline exceeded", Symptom::TimedOut),
    ("i/o timeout", Symptom::TimedOut),
    ("econnaborted", Symptom::TimedOut),
    // The connection broke mid-request.
    ("econnreset", Symptom::ConnectionReset),
    ("socket hang up", Symptom::ConnectionReset),
    ("connection reset", Symptom::ConnectionReset),
    ("closed unexpectedly", Symptom::ConnectionReset),
    ("remotedisconnected", Symptom::ConnectionReset),
    ("socket disconnected before secure tls connection", Symptom::ConnectionReset),
    ("ssl_error_syscall", Symptom::ConnectionReset),
    // A network failure that does not say which.
    ("fetch failed", Symptom::FetchFailed),
    ("error with your internet connection", Symptom::FetchFailed),
    ("java.net.connectexception", Symptom::FetchFailed),
    ("i/o error on post request", Symptom::FetchFailed),
    ("requests.exceptions.connectionerror", Symptom::FetchFailed),
    ("unable to connect to the remote server", Symptom::FetchFailed),
];

/// The network failure a description or line states, if any.
pub(super) fn classify(text: &str) -> Option<Symptom> {
    let lower = super::classify::head(text).to_ascii_lowercase();
    PATTERNS.iter().find(|(fragment, _)| starts_a_word(&lower, fragment)).map(|(_, kind)| *kind)
}

/// `fragment` occurs in `lower` at the start of a word (`FileNotFoundError` holds no `ENOTFOUND`).
fn starts_a_word(lower: &str, fragment: &str) -> bool {
    lower.match_indices(fragment).any(|(at, _)| !lower[..at].chars().next_back().is_some_and(char::is_alphanumeric))
}

/// Every network failure in `text`, one per kind (a stack trace states one failure in several
/// lines), each with the name that failed when some line says it. A failure that does not say
/// which is dropped when another line says which.
pub(super) fn failures(text: &str) -> Vec<NetworkFailure> {
    // Only the patterns that occur at all are tried on each line: one search per pattern.
    let lower = text.to_ascii_lowercase();
    let present: Vec<&(&str, Symptom)> = PATTERNS.iter().filter(|(fragment, _)| lower.contains(fragment)).collect();
    if present.is_empty() {
        return Vec::new();
    }
    let mut found: Vec<NetworkFailure> = Vec::new();
    for line in text.lines() {
        let line_lower = super::classify::head(line).to_ascii_lowercase();
        let Some(kind) =
            present.iter().find(|(fragment, _)| starts_a_word(&line_lower, fragment)).map(|(_, kind)| *kind)
        else {
            continue;
        };
        let host = host_in(kind, line);
        match found.iter_mut().find(|f| f.kind == kind) {
            Some(seen) if seen.host.is_none() && host.is_some() => {
                seen.host = host;
                seen.text = clip(line);
            }
            Some(_) => {}
            None => found.push(NetworkFailure { kind, text: clip(line), host }),
        }
    }
    // The lookup name may sit on a line of its own (Node's `hostname: '…'`).
    for failure in &mut found {
        if failure.host.is_none() && failure.kind == Symptom::DnsFailure {
            failure.host = text.lines().find_map(|line| after(line, "hostname: '", Until::Quote));
        }
    }
    if found.iter().any(|f| f.kind != Symptom::FetchFailed) {
        found.retain(|f| f.kind != Symptom::FetchFailed);
    }
    found
}

/// Longest line kept as evidence.
const MAX_LINE: usize = 300;

fn clip(line: &str) -> String {
    let line = line.trim();
    match line.char_indices().nth(MAX_LINE) {
        Some((cut, _)) => format!("{}…", &line[..cut]),
        None => line.to_string(),
    }
}

#[derive(Clone, Copy)]
enum Until {
    /// The next `'` or `"`.
    Quote,
    /// The end of the word.
    Word,
    /// The next `)`.
    Paren,
}

/// Where each runtime names the host (lowercase leads).
const DNS_LEADS: &[(&str, Until)] = &[
    ("getaddrinfo enotfound ", Until::Word),
    ("getaddrinfo eai_again ", Until::Word),
    ("unknownhostexception: ", Until::Word),
    ("could not resolve host: ", Until::Word),
    ("failed to resolve '", Until::Quote),
    ("lookup ", Until::Word),
    ("no such host is known. (", Until::Paren),
    ("name or service not known (", Until::Paren),
    ("failed to open tcp connection to ", Until::Word),
    ("httpsconnectionpool(host='", Until::Quote),
    ("could not be resolved: '", Until::Quote),
];

const MISMATCH_LEADS: &[(&str, Until)] = &[
    (", not ", Until::Word),
    ("altnames: host: ", Until::Word),
    ("not valid for '", Until::Quote),
    ("matches target host name '", Until::Quote),
    ("dns name matching ", Until::Word),
];

const PEER_LEADS: &[(&str, Until)] = &[
    ("econnrefused ", Until::Word),
    ("etimedout ", Until::Word),
    ("failed to connect to ", Until::Word),
    ("proxyconnect tcp: dial tcp ", Until::Word),
    ("dial tcp ", Until::Word),
    ("connection to ", Until::Word),
    ("to proxy '", Until::Quote),
    ("actively refused it. (", Until::Paren),
    ("connection refused (", Until::Paren),
    ("httpsconnectionpool(host='", Until::Quote),
];

fn host_in(kind: Symptom, line: &str) -> Option<String> {
    let (leads, drop_port) = match kind {
        Symptom::DnsFailure => (DNS_LEADS, true),
        Symptom::TlsHostnameMismatch => (MISMATCH_LEADS, true),
        Symptom::ConnectionRefused | Symptom::TimedOut | Symptom::ProxyFailed => (PEER_LEADS, false),
        _ => return None,
    };
    let host = leads.iter().find_map(|(lead, until)| after(line, lead, *until))?;
    Some(if drop_port { without_port(&host).to_string() } else { host })
}

/// The name after `lead` (matched case-insensitively), if it looks like a host.
fn after(line: &str, lead: &str, until: Until) -> Option<String> {
    let lower = line.to_ascii_lowercase();
    let start = lower.find(lead)? + lead.len();
    let rest = &line[start..];
    let end = match until {
        Until::Quote => rest.find(['\'', '"']),
        Until::Paren => rest.find(')'),
        Until::Word => rest.find(|c: char| c.is_whitespace() || "'\"(),;".contains(c)),
    }
    .unwrap_or(rest.len());
    let value =
        rest[..end].trim().trim_end_matches(['.', ':']).trim_start_matches("http://").trim_start_matches("https://");
    let value = value.trim_end_matches('/');
    let plausible = !value.is_empty()
        && value.len() <= 253
        && value.contains(['.', ':'])
        && value.bytes().all(|b| b.is_ascii_alphanumeric() || b"-.:_[]".contains(&b));
    plausible.then(|| value.to_string())
}

fn without_port(host: &str) -> &str {
    match host.rsplit_once(':') {
        Some((name, port)) if !name.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => host,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> (Symptom, Option<String>) {
        let found = failures(text);
        assert_eq!(found.len(), 1, "{text}: {found:?}");
        (found[0].kind, found[0].host.clone())
    }

    #[test]
    fn dns_failures_name_the_host_in_every_runtime() {
        let cases = [
            "Error: getaddrinfo ENOTFOUND login.salesforce.co",
            "Exception in thread \"main\" java.net.UnknownHostException: login.salesforce.co",
            "System.Net.Http.HttpRequestException: No such host is known. (login.salesforce.co:443)",
            "System.Net.Http.HttpRequestException: Name or service not known (login.salesforce.co:443)",
            "Post \"https://login.salesforce.co/services/oauth2/token\": dial tcp: lookup login.salesforce.co on 127.0.0.53:53: no such host",
            "curl: (6) Could not resolve host: login.salesforce.co",
            "System.Net.WebException: The remote name could not be resolved: 'login.salesforce.co'",
            "(Caused by NameResolutionError(\"HTTPSConnection(host='login.salesforce.co', port=443): Failed to resolve 'login.salesforce.co' ([Errno -2] Name or service not known)\"))",
            "Faraday::ConnectionFailed: Failed to open TCP connection to login.salesforce.co:443 (getaddrinfo: Name or service not known)",
        ];
        for text in cases {
            assert_eq!(one(text), (Symptom::DnsFailure, Some("login.salesforce.co".into())), "{text}");
        }
    }

    #[test]
    fn node_names_the_host_on_its_own_line() {
        let text = "Error: getaddrinfo EAI_AGAIN\n  code: 'EAI_AGAIN',\n  hostname: 'acme.my.salesforce.com'\n}";
        assert_eq!(one(text), (Symptom::DnsFailure, Some("acme.my.salesforce.com".into())));
    }

    #[test]
    fn tls_failures_are_told_from_connect_failures() {
        for text in [
            "Error: self-signed certificate in certificate chain",
            "javax.net.ssl.SSLHandshakeException: PKIX path building failed: sun.security…",
            "ssl.SSLCertVerificationError: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed",
            "tls: failed to verify certificate: x509: certificate signed by unknown authority",
            "The remote certificate is invalid because of errors in the certificate chain: UntrustedRoot",
            "curl: (60) SSL certificate problem: unable to get local issuer certificate",
        ] {
            assert_eq!(one(text).0, Symptom::TlsUntrusted, "{text}");
        }
        let go = "x509: certificate is valid for *.salesforce.com.eu, salesforce.com.eu, not acme.my.salesforce.com.eu";
        assert_eq!(one(go), (Symptom::TlsHostnameMismatch, Some("acme.my.salesforce.com.eu".into())));
    }

    #[test]
    fn refused_timed_out_reset_and_proxies() {
        assert_eq!(
            one("Error: connect ECONNREFUSED 127.0.0.1:8443"),
            (Symptom::ConnectionRefused, Some("127.0.0.1:8443".into()))
        );
        assert_eq!(
            one(
                "Post \"https://x/services/oauth2/token\": proxyconnect tcp: dial tcp 10.1.1.1:3128: connect: connection refused"
            ),
            (Symptom::ProxyFailed, Some("10.1.1.1:3128".into()))
        );
        assert_eq!(
            one("context deadline exceeded (Client.Timeout exceeded while awaiting headers)").0,
            Symptom::TimedOut
        );
        assert_eq!(one("Error: socket hang up").0, Symptom::ConnectionReset);
        assert_eq!(one("Tunnel connection failed: 407 Proxy Authentication Required").0, Symptom::ProxyFailed);
    }

    #[test]
    fn a_failure_that_says_why_replaces_one_that_does_not() {
        let text = "TypeError: fetch failed\n  [cause]: Error: unable to verify the first certificate";
        assert_eq!(one(text).0, Symptom::TlsUntrusted);
        assert_eq!(one("TypeError: fetch failed").0, Symptom::FetchFailed);
    }

    #[test]
    fn answers_and_key_errors_are_not_network_failures() {
        for text in [
            "invalid_grant: user hasn't approved this consumer",
            "secretOrPrivateKey must have a value",
            "FileNotFoundError: [Errno 2] No such file or directory: 'server.key'",
            "",
        ] {
            assert!(failures(text).is_empty(), "{text}");
        }
    }
}
