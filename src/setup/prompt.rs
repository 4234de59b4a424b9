//! Asking for what the flags did not give: plain lines on a terminal, never in CI.

use std::io::{BufRead, IsTerminal, Write};

/// Whether sfjwt may ask: a terminal on stdin and stderr, and not in CI (`CI` set to anything
/// but empty, `0` or `false`, as CI services set it).
pub fn may_ask() -> bool {
    let ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && !v.eq_ignore_ascii_case("false"));
    !ci && std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
}

/// Asks questions on `output` and reads one line of answer each from `input`.
pub struct Prompter<R, W> {
    input: R,
    output: W,
}

impl Prompter<std::io::StdinLock<'static>, std::io::Stderr> {
    /// Questions on stderr (stdout is for the result), answers from stdin.
    pub fn terminal() -> Self {
        Prompter { input: std::io::stdin().lock(), output: std::io::stderr() }
    }
}

impl<R: BufRead, W: Write> Prompter<R, W> {
    pub fn new(input: R, output: W) -> Self {
        Prompter { input, output }
    }

    /// Asks until `check` accepts the answer (an empty answer takes `default` when there is one).
    /// `None` when the input ends.
    pub fn ask(
        &mut self,
        question: &str,
        default: Option<&str>,
        check: impl Fn(&str) -> Result<(), String>,
    ) -> Option<String> {
        loop {
            let shown = default.map(|d| format!(" [{d}]")).unwrap_or_default();
            let _ = write!(self.output, "{question}{shown}: ");
            let _ = self.output.flush();
            let mut line = String::new();
            if self.input.read_line(&mut line).ok()? == 0 {
                let _ = writeln!(self.output);
                return None;
            }
            let answer = match line.trim() {
                "" => default.unwrap_or_default().to_string(),
                answer => answer.to_string(),
            };
            match check(&answer) {
                Ok(()) => return Some(answer),
                Err(problem) => {
                    let _ = writeln!(self.output, "  {problem}");
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn asks_again_until_the_answer_is_accepted_and_takes_defaults() {
        let mut shown = Vec::new();
        let input = b"not an email\nowner@example.com\n\n" as &[u8];
        let mut prompter = Prompter::new(input, &mut shown);
        let needs_at = |a: &str| if a.contains('@') { Ok(()) } else { Err("give an email address".to_string()) };
        assert_eq!(prompter.ask("Email", None, needs_at).as_deref(), Some("owner@example.com"));
        assert_eq!(
            prompter.ask("Login URL", Some("https://login.salesforce.com"), |_| Ok(())).as_deref(),
            Some("https://login.salesforce.com")
        );
        assert_eq!(prompter.ask("More", None, |_| Ok(())), None, "end of input");
        let shown = String::from_utf8(shown).unwrap();
        assert!(shown.contains("Email: ") && shown.contains("give an email address"), "{shown}");
        assert!(shown.contains("Login URL [https://login.salesforce.com]: "), "{shown}");
    }
}
