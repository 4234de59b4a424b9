//! Faults on the wire that tests/probe.rs does not cover: a body that trickles in, a TLS server
//! whose certificate nobody trusts, a redirect to another host, and a proxy that is not there.
//! Each must end in the right cause and exit code, within the time-out plus a margin, with the
//! assertion sent at most once and only to the host the user named.

mod support;

use std::{
    io::{Read, Write},
    net::{SocketAddr, TcpListener, TcpStream},
    process::Command,
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicUsize, Ordering},
    },
    thread::{self, JoinHandle},
    time::{Duration, Instant},
};

use support::{
    cli::{Run, command, fixture, run},
    fake_salesforce::{CONSUMER_KEY, FakeSalesforce, Fault, Org, USERNAME},
};

/// What a run may take beyond its `--timeout`: start-up, signing, writing the report.
const MARGIN: Duration = Duration::from_secs(3);

/// `sfjwt doctor --format json` against `url`, with no proxy from the test's environment.
fn doctor(url: &str, timeout_seconds: u64) -> Command {
    let mut cmd = command();
    for name in ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"] {
        cmd.env_remove(name);
    }
    cmd.env_remove("NO_PROXY").env_remove("no_proxy");
    cmd.args(["doctor", "--format", "json", "--timeout", &timeout_seconds.to_string()])
        .args(["--client-id", CONSUMER_KEY, "--username", USERNAME, "--instance-url", url])
        .args(["--jwt-key-file", &fixture("keys/rsa2048.pkcs8.pem"), "--cert", &fixture("certs/rsa2048.crt")]);
    cmd
}

fn timed(cmd: &mut Command) -> (Run, Duration) {
    let started = Instant::now();
    let out = run(cmd);
    (out, started.elapsed())
}

/// The cause ids, the exit code, and the evidence of the first cause.
fn verdict(out: &Run) -> (Vec<String>, i32, String) {
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
    let evidence = out.json()["causes"][0]["evidence"].to_string();
    (out.causes(), out.code, evidence)
}

#[test]
fn a_body_that_trickles_in_is_cut_by_the_time_out() {
    // The head arrives at once, then one byte of the body every ~250 ms: 60 s in all.
    let fake = FakeSalesforce::with_fault(Fault::SlowBody(Duration::from_secs(60)));
    let timeout = 2;
    let (out, elapsed) = timed(&mut doctor(&fake.url(), timeout));
    let (causes, code, evidence) = verdict(&out);
    assert!(
        elapsed < Duration::from_secs(timeout) + MARGIN,
        "took {elapsed:?}: the time-out bounds the whole exchange"
    );
    assert_eq!(code, 3, "{}", out.stdout);
    assert_eq!(causes, ["endpoint.unreachable"], "{}", out.stdout);
    assert!(evidence.contains("timed out"), "{evidence}");
    assert_eq!(fake.token_requests(), 1);
}

/// A TLS server on 127.0.0.1 whose certificate is self-signed, made for this test: no trust store
/// holds it. It counts handshakes begun and HTTP requests that got through.
struct UntrustedTls {
    address: SocketAddr,
    connections: Arc<AtomicUsize>,
    requests: Arc<AtomicUsize>,
    stopping: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl UntrustedTls {
    fn start() -> UntrustedTls {
        let certified = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_string(), "localhost".to_string()])
            .expect("a self-signed certificate");
        let key = rustls::pki_types::PrivateKeyDer::Pkcs8(certified.signing_key.serialize_der().into());
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("TLS versions")
            .with_no_client_auth()
            .with_single_cert(vec![certified.cert.der().clone()], key)
            .expect("a server config");
        let config = Arc::new(config);
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let address = listener.local_addr().unwrap();
        let (connections, requests, stopping) =
            (Arc::<AtomicUsize>::default(), Arc::<AtomicUsize>::default(), Arc::<AtomicBool>::default());
        let thread = thread::spawn({
            let (connections, requests, stopping) =
                (Arc::clone(&connections), Arc::clone(&requests), Arc::clone(&stopping));
            move || {
                for stream in listener.incoming() {
                    if stopping.load(Ordering::SeqCst) {
                        return;
                    }
                    let Ok(stream) = stream else { continue };
                    connections.fetch_add(1, Ordering::SeqCst);
                    let (config, requests) = (Arc::clone(&config), Arc::clone(&requests));
                    thread::spawn(move || serve_tls(stream, config, &requests));
                }
            }
        });
        UntrustedTls { address, connections, requests, stopping, thread: Some(thread) }
    }
}

/// Handshakes, and counts a request if one arrives (it must not: the client refuses the certificate).
fn serve_tls(tcp: TcpStream, config: Arc<rustls::ServerConfig>, requests: &AtomicUsize) {
    let _ = tcp.set_read_timeout(Some(Duration::from_secs(10)));
    let Ok(connection) = rustls::ServerConnection::new(config) else { return };
    let mut tls = rustls::StreamOwned::new(connection, tcp);
    let mut buffer = [0u8; 4096];
    if matches!(tls.read(&mut buffer), Ok(n) if n > 0) {
        requests.fetch_add(1, Ordering::SeqCst);
        let _ = tls.write_all(b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    }
}

impl Drop for UntrustedTls {
    fn drop(&mut self) {
        self.stopping.store(true, Ordering::SeqCst);
        if TcpStream::connect_timeout(&self.address, Duration::from_secs(1)).is_ok()
            && let Some(thread) = self.thread.take()
        {
            let _ = thread.join();
        }
    }
}

#[test]
fn an_untrusted_certificate_is_a_tls_failure_and_nothing_is_sent() {
    let server = UntrustedTls::start();
    let port = server.address.port();
    // The certificate names both 127.0.0.1 (an IP SAN) and localhost, so the only thing wrong
    // with it is that nobody trusts it, whether the URL names the address or the name.
    for url in [format!("https://127.0.0.1:{port}"), format!("https://localhost:{port}")] {
        let before = server.connections.load(Ordering::SeqCst);
        let (out, elapsed) = timed(&mut doctor(&url, 5));
        let (causes, code, evidence) = verdict(&out);
        assert_eq!(causes, ["endpoint.tls"], "{url}: {}", out.stdout);
        assert_eq!(code, 3, "{url}: inconclusive, since the endpoint could not be reached");
        assert!(evidence.contains("certificate"), "{url}: {evidence}");
        assert!(elapsed < Duration::from_secs(5) + MARGIN, "{url}: took {elapsed:?}");
        // One handshake for the one planned attempt; verification is never switched off and retried.
        assert_eq!(server.connections.load(Ordering::SeqCst) - before, 1, "{url}");
    }
    assert_eq!(server.requests.load(Ordering::SeqCst), 0, "the assertion never crossed the untrusted connection");
}

#[test]
fn a_redirect_to_another_host_is_not_followed() {
    let elsewhere =
        FakeSalesforce::start(Org::standard(&std::fs::read_to_string(fixture("certs/rsa2048.crt")).unwrap()));
    // Another host name, another port: a client that followed would post the assertion there.
    let location = format!("http://localhost:{}/elsewhere/services/oauth2/token", elsewhere.address().port());
    let named = FakeSalesforce::with_fault(Fault::Redirect(location.clone()));
    let (out, elapsed) = timed(&mut doctor(&named.url(), 3));
    let (causes, code, evidence) = verdict(&out);
    assert_eq!(causes, ["endpoint.unexpected-response"], "{}", out.stdout);
    assert_eq!(code, 1, "{}", out.stdout);
    assert!(evidence.contains("redirect") && evidence.contains(&location), "{evidence}");
    assert!(elapsed < Duration::from_secs(3) + MARGIN, "took {elapsed:?}");
    assert_eq!(named.requests().len(), 1, "the assertion went once, to the host named");
    assert_eq!(elsewhere.requests().len(), 0, "nothing went to the redirect's host");
}

#[test]
fn a_proxy_that_is_not_there_is_named() {
    // Not a loopback target: those never go through a proxy (tests/hostile.rs). `.invalid` never
    // resolves, so a client that bypassed the proxy would fail on DNS, not on the proxy.
    let proxy_port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let proxy = format!("http://127.0.0.1:{proxy_port}");
    let mut cmd = doctor("https://sfjwt-proxy-test.invalid", 3);
    cmd.env("HTTPS_PROXY", &proxy);
    let (out, elapsed) = timed(&mut cmd);
    let (causes, _, _) = verdict(&out);
    assert!(causes.contains(&"endpoint.unreachable".to_string()), "{}", out.stdout);
    // The refusal is the proxy's, not the token endpoint's: it used to read
    // "POST https://…/services/oauth2/token: connection refused".
    let blamed = format!("cannot reach the proxy {proxy} (from HTTPS_PROXY): connection refused");
    assert!(out.stdout.contains(&blamed), "the proxy is named: {}", out.stdout);
    assert!(elapsed < Duration::from_secs(3) + MARGIN, "took {elapsed:?}");
}
