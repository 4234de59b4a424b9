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
//! The HTTP server underneath is the shared core in `server.rs`. Dropping the handle stops it.

// Each test module and the example use a different part of this module and its re-exports.
#![allow(dead_code, unused_imports)]

#[path = "fake_salesforce/deploy.rs"]
mod deploy;
#[path = "fake_salesforce/org.rs"]
mod org;
#[path = "fake_salesforce/saml.rs"]
mod saml;
#[path = "fake_salesforce/token.rs"]
mod token;

use std::io;
use std::net::SocketAddr;
use std::sync::Mutex;

use time::OffsetDateTime;

pub use super::server::{Fault, IDLE_TIMEOUT, MAX_REQUEST_BYTES, Request, SUCCESS_BODY, imf_fixdate};
pub use deploy::Deployed;
pub use org::{ADMIN_PROFILE, App, Approval, CONSUMER_KEY, LOGIN_URL, Org, Policy, TEST_URL, USERNAME, User};
pub use token::TOKEN_PATH;

use super::server::{self as http, Info, Response, Server, Service, lock};
use token::LoginLog;

/// A running fake; dropping it stops the server.
pub struct FakeSalesforce {
    server: Server<TokenEndpoint>,
}

/// The org behind the endpoint, and its memory of successful logins.
struct TokenEndpoint {
    org: Mutex<Org>,
    logins: Mutex<LoginLog>,
}

impl Service for TokenEndpoint {
    fn respond(&self, request: &Request, server: &Info) -> Response {
        // Decide on a snapshot so a slow decision never holds the lock.
        let org = lock(&self.org).clone();
        std::thread::sleep(org.latency);
        let now = OffsetDateTime::now_utc() + time::Duration::seconds(org.clock_offset);
        let context = token::Context {
            org: &org,
            now,
            uptime: server.started.elapsed(),
            logins: &self.logins,
            base_url: &server.base_url,
        };
        token::respond(&context, request)
    }

    /// The org's `clock_offset` skews the server's clock (and so the `Date` header and the `exp` check).
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc() + time::Duration::seconds(lock(&self.org).clock_offset)
    }
}

impl FakeSalesforce {
    /// Serves `org` on an ephemeral port.
    pub fn start(org: Org) -> FakeSalesforce {
        FakeSalesforce::start_on_port(0, org).expect("bind 127.0.0.1:0")
    }

    /// Serves `org` on `port` (0 for an ephemeral one).
    pub fn start_on_port(port: u16, org: Org) -> io::Result<FakeSalesforce> {
        FakeSalesforce::serve(port, org, None)
    }

    /// Serves `fault` on an ephemeral port, in front of an empty org.
    pub fn with_fault(fault: Fault) -> FakeSalesforce {
        FakeSalesforce::fault_on_port(0, fault).expect("bind 127.0.0.1:0")
    }

    /// Serves `fault` on `port` (0 for an ephemeral one), in front of an empty org.
    pub fn fault_on_port(port: u16, fault: Fault) -> io::Result<FakeSalesforce> {
        FakeSalesforce::serve(port, Org::production(), Some(fault))
    }

    fn serve(port: u16, org: Org, fault: Option<Fault>) -> io::Result<FakeSalesforce> {
        let endpoint = TokenEndpoint { org: Mutex::new(org), logins: Mutex::default() };
        Ok(FakeSalesforce { server: Server::start_on_port(port, endpoint, fault)? })
    }

    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn url(&self) -> String {
        self.server.url()
    }

    /// `http://127.0.0.1:PORT/services/oauth2/token`.
    pub fn token_url(&self) -> String {
        format!("{}{TOKEN_PATH}", self.server.url())
    }

    pub fn address(&self) -> SocketAddr {
        self.server.address()
    }

    /// Every complete request received so far, in arrival order.
    pub fn requests(&self) -> Vec<Request> {
        self.server.requests()
    }

    /// How many connections were accepted, complete requests or not.
    pub fn connections(&self) -> usize {
        self.server.connections()
    }

    /// How many requests went to the token endpoint's path, whatever their method.
    pub fn token_requests(&self) -> usize {
        self.requests().iter().filter(|request| request.route() == TOKEN_PATH).count()
    }

    /// Changes the org while the fake runs, e.g. to approve a user between two
    /// logins or to accept the fake's own URL as an audience.
    pub fn update_org(&self, change: impl FnOnce(&mut Org)) {
        change(&mut lock(&self.server.service().org));
    }

    /// Serves `fault` instead of the org's answers from now on; `None` brings the org back.
    pub fn inject(&self, fault: Option<Fault>) {
        self.server.inject(fault);
    }
}
