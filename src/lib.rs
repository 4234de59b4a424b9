//! sfjwt: diagnose Salesforce OAuth 2.0 JWT bearer logins.

pub mod metadata;

use std::process::ExitCode;

pub fn run() -> ExitCode {
    ExitCode::SUCCESS
}
