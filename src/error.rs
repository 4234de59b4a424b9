//! Errors that stop a command before (or instead of) a report, and the process exit codes, in one
//! place. After just's `error.rs`: each error carries what went wrong and what to do about it, and
//! maps to its exit code here rather than at every call site.

use std::{fmt, io, path::PathBuf};

/// The process exit codes, as `--help` and the README document them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Exit {
    /// No error-severity cause was found.
    Healthy = 0,
    /// At least one error-severity cause (or warning, under `--fail-on warning`).
    Problems = 1,
    /// A usage error, an input that cannot be read at all, or sfjwt itself failed.
    Usage = 2,
    /// The token endpoint could not be reached and nothing else was found.
    Inconclusive = 3,
}

impl From<Exit> for u8 {
    fn from(exit: Exit) -> u8 {
        exit as u8
    }
}

#[derive(Debug)]
pub enum Error {
    /// Flags that contradict each other or a value that cannot be right.
    Usage { message: String, suggestion: Option<String> },
    /// An input the user named cannot be read or is not what the flag takes.
    Input { flag: String, message: String, suggestion: Option<String> },
    /// A report, bundle or summary could not be written.
    Write { what: &'static str, path: PathBuf, source: io::Error },
    /// sfjwt itself failed.
    Internal { message: String },
}

impl Error {
    pub fn usage(message: impl Into<String>) -> Error {
        Error::Usage { message: message.into(), suggestion: None }
    }

    pub fn input(flag: impl Into<String>, message: impl Into<String>) -> Error {
        Error::Input { flag: flag.into(), message: message.into(), suggestion: None }
    }

    /// Adds what to do about it.
    pub fn suggest(mut self, fix: impl Into<String>) -> Error {
        if let Error::Usage { suggestion, .. } | Error::Input { suggestion, .. } = &mut self {
            *suggestion = Some(fix.into());
        }
        self
    }

    pub fn suggestion(&self) -> Option<&str> {
        match self {
            Error::Usage { suggestion, .. } | Error::Input { suggestion, .. } => suggestion.as_deref(),
            Error::Write { .. } => None,
            Error::Internal { .. } => Some("please report this at the sfjwt issue tracker"),
        }
    }

    pub fn code(&self) -> Exit {
        Exit::Usage
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Usage { message, .. } => f.write_str(message)?,
            Error::Input { flag, message, .. } => write!(f, "{flag}: {message}")?,
            Error::Write { what, path, source } => write!(f, "cannot write {what} to {}: {source}", path.display())?,
            Error::Internal { message } => write!(f, "sfjwt failed: {message}")?,
        }
        match self.suggestion() {
            Some(fix) => write!(f, "; {fix}"),
            None => Ok(()),
        }
    }
}

impl std::error::Error for Error {}

/// Prints the error as one line on stderr, secrets masked (a message may quote an input), and
/// gives its exit code.
pub fn report(error: &Error) -> u8 {
    // The message may quote an input (a path, a value): secrets are masked and control
    // characters made visible.
    eprintln!("error: {}", crate::render::visible(&crate::scrub::scrub(&error.to_string())));
    error.code().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_are_one_line_with_their_fix() {
        let error = Error::input("--error", "stdin is binary data").suggest("pass the text the command printed");
        assert_eq!(error.to_string(), "--error: stdin is binary data; pass the text the command printed");
        assert_eq!(error.code(), Exit::Usage);
        let write =
            Error::Write { what: "the report", path: "/x/r.json".into(), source: io::Error::other("disk full") };
        assert_eq!(write.to_string(), "cannot write the report to /x/r.json: disk full");
        assert!(!Error::Internal { message: "boom".into() }.to_string().contains('\n'));
        assert_eq!(u8::from(Exit::Inconclusive), 3);
    }
}
