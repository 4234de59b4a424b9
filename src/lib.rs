//! sfjwt: diagnose Salesforce OAuth 2.0 JWT bearer logins.
//!
//! The pipeline is data all the way: inputs → evidence (the only I/O) → checks (the ordered
//! registry, pure functions) → diagnosis (ranking) → report (one model) → a renderer per format.

pub mod all;
pub mod captured;
pub mod catalog;
pub mod cause_id;
pub mod checks;
pub mod cli;
pub mod clock;
pub mod commands;
pub mod diagnosis;
pub mod engine;
pub mod error;
pub mod evidence;
pub mod files;
pub mod finding;
pub mod fix;
pub mod http;
pub mod inputs;
pub mod levels;
pub mod metadata;
pub mod org;
pub mod output;
pub mod parallel;
pub mod pem;
pub mod probe;
pub mod redact;
pub mod registry;
pub mod render;
pub mod report;
pub mod saml;
pub mod scrub;
pub mod secret;
pub mod setup;
pub mod sf_cli;
pub mod sf_inputs;
pub mod sf_state;
pub mod shell;
pub mod symptom;
#[cfg(test)]
mod testing;

use std::process::ExitCode;

/// Parses the command line, runs the command, and maps the result to an exit code.
pub fn run() -> ExitCode {
    engine::install_panic_hook();
    ExitCode::from(guarded(|| commands::run(std::env::args_os())))
}

/// Runs a command. The panic hook keeps panic messages quiet so the engine can report a
/// panicking check as an `error` result; a panic anywhere else (reading inputs, rendering) would
/// then end the process with code 101 and no word at all. Here it becomes a one-line error and
/// exit code 2, as the README promises when sfjwt itself fails.
pub fn guarded(command: impl FnOnce() -> u8) -> u8 {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(command)) {
        Ok(code) => code,
        Err(_) => {
            let message = engine::take_last_panic().unwrap_or_else(|| "unknown panic".into());
            error::report(&error::Error::Internal { message })
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_panic_outside_the_checks_is_a_one_line_error_and_exit_2() {
        crate::engine::install_panic_hook();
        assert_eq!(super::guarded(|| panic!("boom")), u8::from(crate::error::Exit::Usage));
        assert_eq!(super::guarded(|| 1), 1);
    }
}
