//! sfjwt: diagnose Salesforce OAuth 2.0 JWT bearer logins.

pub mod captured;
pub mod sf_cli;

use std::process::ExitCode;

pub fn run() -> ExitCode {
    ExitCode::SUCCESS
}
