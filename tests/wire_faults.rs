//! Faults on the wire that tests/probe.rs does not cover: a body that trickles in, a TLS server
//! whose certificate nobody trusts, a redirect to another host, and a proxy that is not there.
//! Each must end in the right cause and exit code, within the time-out plus a margin, with the
//! assertion sent at most once and only to the host the user named.

use std::time::Duration;

use crate::support::fake_salesforce::{CONSUMER_KEY, FakeSalesforce, Fault, Org, USERNAME};
use crate::support::server::{self, Info, Request, Response, Server, TEXT};
use crate::support::{Output, Test, fixture, read_fixture};

/// What a run may take beyond its `--timeout`: start-up, signing, writing the report, in a debug
/// build on a loaded machine. Each fault below would take far longer than this if it were not cut.
const MARGIN: Duration = Duration::from_secs(10);

/// `sfjwt doctor --format json` against `url` (the test environment has no proxy).
fn doctor(url: &str, timeout_seconds: u64) -> Test {
    Test::new()
        .args(["doctor", "--format", "json", "--timeout", &timeout_seconds.to_string()])
        .args(["--client-id", CONSUMER_KEY, "--username", USERNAME, "--instance-url", url])
        .args(["--jwt-key-file", &fixture("keys/rsa2048.pkcs8.pem"), "--cert", &fixture("certs/rsa2048.crt")])
}

/// The cause ids, the exit code, and the evidence of the first cause.
fn verdict(out: &Output) -> (Vec<String>, i32, String) {
    let evidence = out.json()["causes"][0]["evidence"].to_string();
    (out.causes(), out.code, evidence)
}

#[test]
fn a_body_that_trickles_in_is_cut_by_the_time_out() {
    // The head arrives at once, then one byte of the body every ~250 ms: 60 s in all.
    let fake = FakeSalesforce::with_fault(Fault::SlowBody(Duration::from_secs(60)));
    let timeout = 2;
    let out = doctor(&fake.url(), timeout).run();
    let (causes, code, evidence) = verdict(&out);
    assert!(
        out.elapsed < Duration::from_secs(timeout) + MARGIN,
        "took {:?}: the time-out bounds the whole exchange",
        out.elapsed
    );
    assert_eq!(code, 3, "{}", out.stdout);
    assert_eq!(causes, ["endpoint.unreachable"], "{}", out.stdout);
    assert!(evidence.contains("timed out"), "{evidence}");
    assert_eq!(fake.token_requests(), 1);
}

/// A TLS server on 127.0.0.1 whose certificate is self-signed, made for this test: no trust store
/// holds it. It answers 500 to any request that gets through (none must).
fn untrusted_tls() -> Server<impl Fn(&Request, &Info) -> Response + Send + Sync + 'static> {
    let certified = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_string(), "localhost".to_string()])
        .expect("a self-signed certificate");
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(certified.signing_key.serialize_der().into());
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("TLS versions")
        .with_no_client_auth()
        .with_single_cert(vec![certified.cert.der().clone()], key)
        .expect("a server config");
    Server::start_tls(|_: &Request, _: &Info| Response::new(500, TEXT, ""), config)
}

#[test]
fn an_untrusted_certificate_is_a_tls_failure_and_nothing_is_sent() {
    let server = untrusted_tls();
    let port = server.address().port();
    // The certificate names both 127.0.0.1 (an IP SAN) and localhost, so the only thing wrong
    // with it is that nobody trusts it, whether the URL names the address or the name.
    for url in [format!("https://127.0.0.1:{port}"), format!("https://localhost:{port}")] {
        let before = server.connections();
        let out = doctor(&url, 5).run();
        let (causes, code, evidence) = verdict(&out);
        assert_eq!(causes, ["endpoint.tls"], "{url}: {}", out.stdout);
        assert_eq!(code, 3, "{url}: inconclusive, since the endpoint could not be reached");
        assert!(evidence.contains("certificate"), "{url}: {evidence}");
        assert!(out.elapsed < Duration::from_secs(5) + MARGIN, "{url}: {}", out.describe());
        // One handshake for the one planned attempt; verification is never switched off and retried.
        assert_eq!(server.connections() - before, 1, "{url}");
    }
    assert_eq!(server.requests().len(), 0, "the assertion never crossed the untrusted connection");
}

#[test]
fn a_redirect_to_another_host_is_not_followed() {
    let elsewhere = FakeSalesforce::start(Org::standard(&read_fixture("certs/rsa2048.crt")));
    // Another host name, another port: a client that followed would post the assertion there.
    let location = format!("http://localhost:{}/elsewhere/services/oauth2/token", elsewhere.address().port());
    let named = FakeSalesforce::with_fault(Fault::Redirect(location.clone()));
    let out = doctor(&named.url(), 3).run();
    let (causes, code, evidence) = verdict(&out);
    assert_eq!(causes, ["endpoint.unexpected-response"], "{}", out.stdout);
    assert_eq!(code, 1, "{}", out.stdout);
    assert!(evidence.contains("redirect") && evidence.contains(&location), "{evidence}");
    assert!(out.elapsed < Duration::from_secs(3) + MARGIN, "{}", out.describe());
    assert_eq!(named.requests().len(), 1, "the assertion went once, to the host named");
    assert_eq!(elsewhere.requests().len(), 0, "nothing went to the redirect's host");
}

#[test]
fn a_proxy_that_is_not_there_is_named() {
    // Not a loopback target: those never go through a proxy (tests/hostile.rs). `.invalid` never
    // resolves, so a client that bypassed the proxy would fail on DNS, not on the proxy.
    let proxy_port = server::closed_address().port();
    let proxy = format!("http://127.0.0.1:{proxy_port}");
    let out = doctor("https://sfjwt-proxy-test.invalid", 3).env("HTTPS_PROXY", &proxy).run();
    let (causes, _, _) = verdict(&out);
    assert!(causes.contains(&"endpoint.unreachable".to_string()), "{}", out.stdout);
    // The refusal is the proxy's, not the token endpoint's: it used to read
    // "POST https://…/services/oauth2/token: connection refused".
    let blamed = format!("cannot reach the proxy {proxy} (from HTTPS_PROXY): connection refused");
    assert!(out.stdout.contains(&blamed), "the proxy is named: {}", out.stdout);
    assert!(out.elapsed < Duration::from_secs(3) + MARGIN, "{}", out.describe());
}
