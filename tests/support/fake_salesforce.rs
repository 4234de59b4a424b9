//! A fake Salesforce token endpoint on 127.0.0.1 for sfjwt's tests and benchmarks.
//!
//! [`FakeSalesforce::start`] serves an [`Org`]: a small model of one org's login
//! configuration, answering `POST /services/oauth2/token` with the JWT bearer
//! grant's real success and error bodies (rules in `token.rs`), and the SAML bearer
//! grant's for the same org (`saml.rs`).
//! [`FakeSalesforce::with_fault`] serves a [`Fault`] instead: refused
//! connections, resets, stalls, HTML pages, huge bodies, redirects.
//!
//! ```ignore
//! let key = TestKey::shared();
//! let fake = FakeSalesforce::start(Org::standard(&key.certificate_pem));
//! // … point the client at fake.url() …
//! assert_eq!(fake.token_requests(), 1);
//! ```
//!
//! HTTP is hand-rolled on std::net (one thread per connection, one request per
//! connection) so that faults control every byte. Dropping the handle stops the
//! accept loop; connections already being served finish on their own.

// Each test crate and the example use a different part of this module and
// its re-exports.
#![allow(dead_code, unused_imports)]

#[path = "fake_salesforce/faults.rs"]
mod faults;
#[path = "fake_salesforce/http.rs"]
mod http;
#[path = "fake_salesforce/org.rs"]
mod org;
#[path = "fake_salesforce/saml.rs"]
mod saml;
#[path = "fake_salesforce/token.rs"]
mod token;

use std::io;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use time::OffsetDateTime;

pub use faults::{Fault, SUCCESS_BODY};
pub use http::{IDLE_TIMEOUT, MAX_REQUEST_BYTES, Recorded, imf_fixdate};
pub use org::{ADMIN_PROFILE, App, Approval, CONSUMER_KEY, LOGIN_URL, Org, Policy, TEST_URL, USERNAME, User};
pub use token::TOKEN_PATH;

use http::{ReadError, Response};
use token::LoginLog;

/// A running fake; dropping it stops the server.
pub struct FakeSalesforce {
    address: SocketAddr,
    shared: Arc<Shared>,
    accept_thread: Option<JoinHandle<()>>,
}

/// What the connection threads share with the handle.
struct Shared {
    behaviour: Behaviour,
    base_url: String,
    started: Instant,
    requests: Mutex<Vec<Recorded>>,
    stopping: AtomicBool,
}

// There is one per server, so the size difference costs nothing.
#[allow(clippy::large_enum_variant)]
enum Behaviour {
    Org { org: Mutex<Org>, logins: Mutex<LoginLog> },
    Fault(Fault),
}

impl FakeSalesforce {
    /// Serves `org` on an ephemeral port.
    pub fn start(org: Org) -> FakeSalesforce {
        FakeSalesforce::start_on_port(0, org).expect("bind 127.0.0.1:0")
    }

    /// Serves `org` on `port` (0 for an ephemeral one).
    pub fn start_on_port(port: u16, org: Org) -> io::Result<FakeSalesforce> {
        let behaviour = Behaviour::Org { org: Mutex::new(org), logins: Mutex::default() };
        FakeSalesforce::serve(port, behaviour)
    }

    /// Serves `fault` on an ephemeral port, with no org behind it.
    pub fn with_fault(fault: Fault) -> FakeSalesforce {
        FakeSalesforce::fault_on_port(0, fault).expect("bind 127.0.0.1:0")
    }

    /// Serves `fault` on `port` (0 for an ephemeral one).
    pub fn fault_on_port(port: u16, fault: Fault) -> io::Result<FakeSalesforce> {
        if fault == Fault::Refuse {
            return FakeSalesforce::refusing(port);
        }
        FakeSalesforce::serve(port, Behaviour::Fault(fault))
    }

    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn url(&self) -> String {
        self.shared.base_url.clone()
    }

    /// `http://127.0.0.1:PORT/services/oauth2/token`.
    pub fn token_url(&self) -> String {
        format!("{}{TOKEN_PATH}", self.shared.base_url)
    }

    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Every complete request received so far, in arrival order.
    pub fn requests(&self) -> Vec<Recorded> {
        lock(&self.shared.requests).clone()
    }

    /// How many requests went to the token endpoint's path, whatever their method.
    pub fn token_requests(&self) -> usize {
        lock(&self.shared.requests).iter().filter(|request| request.route() == TOKEN_PATH).count()
    }

    /// Changes the org while the fake runs, e.g. to approve a user between two
    /// logins or to accept the fake's own URL as an audience.
    ///
    /// Panics on a fault server, which has no org.
    pub fn update_org(&self, change: impl FnOnce(&mut Org)) {
        match &self.shared.behaviour {
            Behaviour::Org { org, .. } => change(&mut lock(org)),
            Behaviour::Fault(fault) => panic!("a {fault:?} fake has no org to update"),
        }
    }

    fn serve(port: u16, behaviour: Behaviour) -> io::Result<FakeSalesforce> {
        let listener = TcpListener::bind(("127.0.0.1", port))?;
        let address = listener.local_addr()?;
        let shared = Arc::new(Shared::new(address, behaviour));
        let accept_thread = thread::Builder::new().name(format!("fake-salesforce-{}", address.port())).spawn({
            let shared = Arc::clone(&shared);
            move || accept_loop(&listener, &shared)
        })?;
        Ok(FakeSalesforce { address, shared, accept_thread: Some(accept_thread) })
    }

    /// Takes a free port and lets it go: nothing listens there afterwards, so
    /// connecting is refused (barring a rare reuse by another process).
    fn refusing(port: u16) -> io::Result<FakeSalesforce> {
        let address = TcpListener::bind(("127.0.0.1", port))?.local_addr()?;
        Ok(FakeSalesforce {
            address,
            shared: Arc::new(Shared::new(address, Behaviour::Fault(Fault::Refuse))),
            accept_thread: None,
        })
    }
}

impl Drop for FakeSalesforce {
    fn drop(&mut self) {
        let Some(accept_thread) = self.accept_thread.take() else {
            return;
        };
        self.shared.stopping.store(true, Ordering::SeqCst);
        // The accept loop blocks in accept(): a connection of our own wakes it so it
        // sees the flag. If even that fails, leave the thread rather than hang.
        if TcpStream::connect_timeout(&self.address, Duration::from_secs(1)).is_ok() {
            let _ = accept_thread.join();
        }
    }
}

impl Shared {
    fn new(address: SocketAddr, behaviour: Behaviour) -> Shared {
        Shared {
            behaviour,
            base_url: format!("http://{address}"),
            started: Instant::now(),
            requests: Mutex::default(),
            stopping: AtomicBool::new(false),
        }
    }

    /// The server's clock: the org's `clock_offset` skews it (and so the `Date`
    /// header and the `exp` check).
    fn now(&self) -> OffsetDateTime {
        let offset = match &self.behaviour {
            Behaviour::Org { org, .. } => lock(org).clock_offset,
            Behaviour::Fault(_) => 0,
        };
        OffsetDateTime::now_utc() + time::Duration::seconds(offset)
    }
}

fn accept_loop(listener: &TcpListener, shared: &Arc<Shared>) {
    for stream in listener.incoming() {
        if shared.stopping.load(Ordering::SeqCst) {
            return;
        }
        match stream {
            Ok(stream) => {
                let shared = Arc::clone(shared);
                thread::spawn(move || handle_connection(&stream, &shared));
            }
            // E.g. out of file descriptors: back off instead of spinning.
            Err(_) => thread::sleep(Duration::from_millis(10)),
        }
    }
}

fn handle_connection(stream: &TcpStream, shared: &Shared) {
    // Bounded: a silent or stuck client frees its thread after IDLE_TIMEOUT.
    let _ = stream.set_read_timeout(Some(IDLE_TIMEOUT));
    let _ = stream.set_write_timeout(Some(IDLE_TIMEOUT));
    let _ = stream.set_nodelay(true);
    let request = match http::read_request(stream) {
        Ok(request) => request,
        Err(error) => return answer_unreadable(stream, &error, shared.now()),
    };
    lock(&shared.requests).push(request.clone());
    let now = shared.now();
    // Write errors only mean the client left; there is nobody to tell.
    let _ = match &shared.behaviour {
        Behaviour::Org { org, logins } => {
            // Decide on a snapshot so a slow decision never holds the lock.
            let org = lock(org).clone();
            let context =
                token::Context { org: &org, now, uptime: shared.started.elapsed(), logins, base_url: &shared.base_url };
            token::respond(&context, &request).write_to(stream, now)
        }
        Behaviour::Fault(fault) => faults::serve(fault, stream, &request, now),
    };
}

fn answer_unreadable(stream: &TcpStream, error: &ReadError, now: OffsetDateTime) {
    let (status, text) = match error {
        ReadError::Gone => return,
        ReadError::TooLarge => (413, "request too large\n"),
        ReadError::Malformed => (400, "malformed request\n"),
    };
    let _ = Response::new(status, http::TEXT, text).write_to(stream, now);
}

/// Locks, shrugging off poisoning: a panicking test thread must not take the
/// fake down with it.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}
