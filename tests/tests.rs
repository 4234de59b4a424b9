//! sfjwt's integration tests: one binary (ripgrep's layout), one module per area.
//!
//! Every module runs the real binary through [`support::Test`], or calls the library, against
//! fixtures and in-process fakes on 127.0.0.1. `scenarios` is the fixture matrix: every scenario
//! as data, each checked for its causes and snapshotted whole, in text and JSON.

mod support;

mod all;
mod app_and_org;
mod bad_input;
mod captured;
mod catalog;
mod ci_formats;
mod corpus;
mod error_classify;
mod fakes;
mod hostile;
mod org_inspect;
mod output;
mod probe;
mod render;
mod saml;
mod scenarios;
mod secrets;
mod setup;
mod sf_state;
mod ship;
mod wire_faults;
