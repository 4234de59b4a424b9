//! The one in-process HTTP server core behind every fake: the token endpoint
//! (`fake_salesforce.rs`), the REST API (`fake_rest.rs`) and the TLS server of the wire-fault
//! tests. A fake is a [`Service`], which decides the answer to one request; the [`Server`] does
//! the rest: the accept loop on 127.0.0.1, a thread per connection, reading the request
//! (headers, `Content-Length` or chunked body, size and idle limits), writing the response,
//! recording what arrived, injecting a [`Fault`] instead of the answer, optional TLS, and
//! shutting down when the handle is dropped.
//!
//! ```ignore
//! let server = Server::start(|request: &Request, _: &Info| Response::new(200, TEXT, "ok"));
//! server.inject(Some(Fault::Html(503)));
//! // … point a client at server.url() …
//! assert_eq!(server.requests().len(), 1);
//! ```
//!
//! HTTP is written by hand on std::net, one request per connection (every response says
//! `Connection: close`), so that faults control every byte.

// The example (examples/fake_salesforce.rs) uses only part of this module.
#![allow(dead_code)]

#[path = "server/faults.rs"]
mod faults;
#[path = "server/http.rs"]
mod http;

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use time::OffsetDateTime;

pub use faults::{Fault, SUCCESS_BODY};
pub use http::{
    HTML, IDLE_TIMEOUT, JSON, MAX_REQUEST_BYTES, ReadError, Request, Response, TEXT, imf_fixdate, percent_decode,
};

/// What a fake does: the answer to each request.
pub trait Service: Send + Sync + 'static {
    fn respond(&self, request: &Request, server: &Info) -> Response;

    /// The server's clock, for the `Date` header.
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

/// Any closure over a request is a service.
impl<F> Service for F
where
    F: Fn(&Request, &Info) -> Response + Send + Sync + 'static,
{
    fn respond(&self, request: &Request, server: &Info) -> Response {
        self(request, server)
    }
}

/// What a service may want to know about the server answering.
pub struct Info {
    /// `http://127.0.0.1:PORT` (or `https://…`), without a trailing slash.
    pub base_url: String,
    pub started: Instant,
}

/// A running server; dropping it stops the accept loop. Connections already being served
/// finish on their own.
pub struct Server<S: Service> {
    address: SocketAddr,
    shared: Arc<Shared<S>>,
    accept_thread: Option<JoinHandle<()>>,
}

struct Shared<S> {
    service: S,
    info: Info,
    tls: Option<Arc<rustls::ServerConfig>>,
    fault: Mutex<Option<Fault>>,
    requests: Mutex<Vec<Request>>,
    connections: AtomicUsize,
    stopping: AtomicBool,
}

impl<S: Service> Server<S> {
    /// Serves `service` over HTTP on an ephemeral port.
    pub fn start(service: S) -> Server<S> {
        Server::start_on_port(0, service, None).expect("bind 127.0.0.1:0")
    }

    /// Serves `service` on `port` (0 for an ephemeral one), or serves `fault` instead of its
    /// answers. [`Fault::Refuse`] takes the port and lets it go, so that nothing listens there.
    pub fn start_on_port(port: u16, service: S, fault: Option<Fault>) -> io::Result<Server<S>> {
        Server::serve(port, service, fault, None)
    }

    /// Serves `service` over TLS with `config` on an ephemeral port.
    pub fn start_tls(service: S, config: rustls::ServerConfig) -> Server<S> {
        Server::serve(0, service, None, Some(Arc::new(config))).expect("bind 127.0.0.1:0")
    }

    fn serve(
        port: u16,
        service: S,
        fault: Option<Fault>,
        tls: Option<Arc<rustls::ServerConfig>>,
    ) -> io::Result<Server<S>> {
        let listener = TcpListener::bind(("127.0.0.1", port))?;
        let address = listener.local_addr()?;
        let scheme = if tls.is_some() { "https" } else { "http" };
        let shared = Arc::new(Shared {
            service,
            info: Info { base_url: format!("{scheme}://{address}"), started: Instant::now() },
            tls,
            fault: Mutex::new(fault.clone()),
            requests: Mutex::default(),
            connections: AtomicUsize::new(0),
            stopping: AtomicBool::new(false),
        });
        if fault == Some(Fault::Refuse) {
            // Connecting is now refused (barring a rare reuse of the port by another process).
            drop(listener);
            return Ok(Server { address, shared, accept_thread: None });
        }
        let accept_thread = thread::Builder::new().name(format!("fake-server-{}", address.port())).spawn({
            let shared = Arc::clone(&shared);
            move || accept_loop(&listener, &shared)
        })?;
        Ok(Server { address, shared, accept_thread: Some(accept_thread) })
    }

    /// `http://127.0.0.1:PORT` (or `https://…`), without a trailing slash.
    pub fn url(&self) -> String {
        self.shared.info.base_url.clone()
    }

    pub fn address(&self) -> SocketAddr {
        self.address
    }

    pub fn service(&self) -> &S {
        &self.shared.service
    }

    /// Serves `fault` instead of the service's answers from now on; `None` stops it.
    /// [`Fault::Refuse`] can only be chosen at start.
    pub fn inject(&self, fault: Option<Fault>) {
        assert!(fault != Some(Fault::Refuse), "a running server cannot refuse: start it with Fault::Refuse");
        *lock(&self.shared.fault) = fault;
    }

    /// Every complete request received so far, in arrival order.
    pub fn requests(&self) -> Vec<Request> {
        lock(&self.shared.requests).clone()
    }

    /// How many connections were accepted (TLS handshakes begun, for a TLS server).
    pub fn connections(&self) -> usize {
        self.shared.connections.load(Ordering::SeqCst)
    }
}

impl<S: Service> Drop for Server<S> {
    fn drop(&mut self) {
        let Some(accept_thread) = self.accept_thread.take() else {
            return;
        };
        self.shared.stopping.store(true, Ordering::SeqCst);
        // The accept loop blocks in accept(): a connection of our own wakes it so it sees the
        // flag. If even that fails, leave the thread rather than hang.
        if TcpStream::connect_timeout(&self.address, Duration::from_secs(1)).is_ok() {
            let _ = accept_thread.join();
        }
    }
}

fn accept_loop<S: Service>(listener: &TcpListener, shared: &Arc<Shared<S>>) {
    for stream in listener.incoming() {
        if shared.stopping.load(Ordering::SeqCst) {
            return;
        }
        match stream {
            Ok(stream) => {
                shared.connections.fetch_add(1, Ordering::SeqCst);
                let shared = Arc::clone(shared);
                thread::spawn(move || handle_connection(stream, &shared));
            }
            // E.g. out of file descriptors: back off instead of spinning.
            Err(_) => thread::sleep(Duration::from_millis(10)),
        }
    }
}

/// A connection, plain or TLS, with the socket under it (faults reach below the stream).
pub trait Wire: Read + Write {
    fn socket(&self) -> &TcpStream;
}

impl Wire for TcpStream {
    fn socket(&self) -> &TcpStream {
        self
    }
}

impl Wire for rustls::StreamOwned<rustls::ServerConnection, TcpStream> {
    fn socket(&self) -> &TcpStream {
        &self.sock
    }
}

fn handle_connection<S: Service>(stream: TcpStream, shared: &Shared<S>) {
    // Bounded: a silent or stuck client frees its thread after IDLE_TIMEOUT.
    let _ = stream.set_read_timeout(Some(IDLE_TIMEOUT));
    let _ = stream.set_write_timeout(Some(IDLE_TIMEOUT));
    let _ = stream.set_nodelay(true);
    let Some(config) = &shared.tls else {
        return serve_request(stream, shared);
    };
    // The handshake happens on the first read; a client that rejects the certificate ends it
    // there, and nothing is recorded.
    if let Ok(connection) = rustls::ServerConnection::new(Arc::clone(config)) {
        serve_request(rustls::StreamOwned::new(connection, stream), shared);
    }
}

fn serve_request<S: Service>(mut wire: impl Wire, shared: &Shared<S>) {
    let now = shared.service.now();
    let request = match http::read_request(&mut wire) {
        Ok(request) => request,
        Err(error) => return answer_unreadable(&mut wire, &error, now),
    };
    lock(&shared.requests).push(request.clone());
    let fault = lock(&shared.fault).clone();
    // Write errors only mean the client left; there is nobody to tell.
    let _ = match fault {
        Some(fault) => faults::serve(&fault, &mut wire, &request, now),
        None => shared.service.respond(&request, &shared.info).write_to(&mut wire, shared.service.now()),
    };
}

fn answer_unreadable(wire: &mut impl Wire, error: &ReadError, now: OffsetDateTime) {
    let (status, text) = match error {
        ReadError::Gone => return,
        ReadError::TooLarge => (413, "request too large\n"),
        ReadError::Malformed => (400, "malformed request\n"),
    };
    let _ = Response::new(status, TEXT, text).write_to(wire, now);
}

/// An address on 127.0.0.1 where nothing listens: connecting is refused (barring a rare reuse
/// of the port by another process in the meantime).
pub fn closed_address() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    listener.local_addr().expect("a bound address")
}

/// Locks, shrugging off poisoning: a panicking test thread must not take a fake down with it.
pub fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}
