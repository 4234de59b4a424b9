//! The org as an admin sees it. With an admin's access token (from `sf org display --json`), read
//! the JWT's user, the org, the connected app, who the app pre-authorizes, the user's prior
//! approvals and recent logins, and turn the answers into facts for the diagnosis of
//! "user hasn't approved this consumer" (sf_facts.md §2.5, §4).
//!
//! Read-only: every request is a SOQL GET through `http::Client`. The admin token lives only in
//! `AdminSession::token` and goes only into the `Authorization` header; nothing this module returns
//! holds it.

mod access;
mod facts;
mod inspect;
mod query;
mod record;
mod session;
mod sf_admin;
mod soql;

pub use access::{AccessFacts, AccessVia};
pub use facts::{
    AppFacts, AppLookup, ApprovalFacts, LoginFacts, NOT_APPROVED_STATUS, OrgFacts, OrgInspection, QueryOutcome,
    QueryRecord, RecentLogins, Skipped, Topic, UserFacts,
};
pub use inspect::{AppRef, inspect};
pub use query::{API_VERSION, MAX_PAGES, QueryError, QueryResult, run_query};
pub use record::parse_datetime;
pub use session::{AdminSession, session_from_cli_json, session_from_org_display};
pub use sf_admin::{SfCommand, SfFailure, SfRun, StoredAdmin, admin_session};
pub use soql::{SObject, encode_component, quote};
