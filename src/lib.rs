//! sfjwt: diagnose Salesforce OAuth 2.0 JWT bearer logins.
//!
//! The pipeline is data all the way: inputs → evidence (the only I/O) → checks (the ordered
//! registry, pure functions) → diagnosis (ranking) → report (one model) → a renderer per format.

pub mod captured;
pub mod catalog;
pub mod checks;
pub mod cli;
pub mod commands;
pub mod diagnosis;
pub mod engine;
pub mod evidence;
pub mod files;
pub mod finding;
pub mod http;
pub mod inputs;
pub mod levels;
pub mod metadata;
pub mod org;
pub mod pem;
pub mod probe;
pub mod redact;
pub mod registry;
pub mod render;
pub mod report;
pub mod secret;
pub mod sf_cli;
#[cfg(test)]
mod testing;

use std::process::ExitCode;

/// Parses the command line, runs the command, and maps the result to an exit code.
pub fn run() -> ExitCode {
    engine::install_panic_hook();
    ExitCode::from(commands::run(std::env::args_os()))
}
