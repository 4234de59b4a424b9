//! Runs the registry in order over the evidence: dependencies become skips, and a check that
//! panics becomes an `error` result while the run goes on (flutter doctor's crash isolation).

use std::{
    cell::RefCell,
    panic::{self, AssertUnwindSafe},
};

use crate::{
    evidence::Evidence,
    finding::{Outcome, Status},
    registry::{CHECKS, Check},
    scrub::scrub,
};

#[derive(Debug)]
pub struct CheckRun {
    pub check: &'static Check,
    pub outcome: Outcome,
}

impl std::fmt::Debug for Check {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id)
    }
}

thread_local! {
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Keeps panic messages out of the output (they could quote input) and hands them to the engine.
pub fn install_panic_hook() {
    panic::set_hook(Box::new(|info| {
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".into());
        let location = info.location().map(|l| format!(" at {}:{}", l.file(), l.line())).unwrap_or_default();
        LAST_PANIC.with(|last| *last.borrow_mut() = Some(format!("{}{location}", scrub(&message))));
    }));
}

pub fn take_last_panic() -> Option<String> {
    LAST_PANIC.with(|last| last.borrow_mut().take())
}

/// Runs every check of the registry that belongs to the evidence's flow: JWT checks are not run
/// for a SAML assertion, nor SAML checks for a JWT.
pub fn run_all(evidence: &Evidence) -> Vec<CheckRun> {
    let flow = evidence.flow();
    let checks: Vec<&'static Check> = CHECKS.iter().filter(|c| c.group.flow().is_none_or(|own| own == flow)).collect();
    run_selected(&checks, evidence)
}

pub fn run_checks(checks: &'static [Check], evidence: &Evidence) -> Vec<CheckRun> {
    run_selected(&checks.iter().collect::<Vec<_>>(), evidence)
}

fn run_selected(checks: &[&'static Check], evidence: &Evidence) -> Vec<CheckRun> {
    let mut runs: Vec<CheckRun> = Vec::with_capacity(checks.len());
    for &check in checks {
        let blocked = check.needs.iter().find_map(|needed| {
            let run = runs.iter().find(|r| r.check.id == *needed)?;
            (!run.outcome.status.allows_dependents()).then_some(run)
        });
        let outcome = match blocked {
            // Said in the prerequisite's own words: its reason to skip, or what it found.
            Some(prerequisite) if prerequisite.outcome.status == Status::Skip => {
                Outcome::skip(prerequisite.outcome.summary.clone())
            }
            Some(prerequisite) => Outcome::skip(format!("not checked: {}", prerequisite.outcome.summary)),
            None => run_isolated(check, evidence),
        };
        runs.push(CheckRun { check, outcome });
    }
    runs
}

fn run_isolated(check: &'static Check, evidence: &Evidence) -> Outcome {
    let outcome = match panic::catch_unwind(AssertUnwindSafe(|| (check.run)(evidence))) {
        Ok(outcome) => outcome,
        Err(_) => {
            let message = take_last_panic().unwrap_or_else(|| "the check panicked".into());
            return Outcome::error(format!(
                "the check did not complete: {message}. Please report this at the sfjwt issue tracker."
            ));
        }
    };
    if let Some(stray) = outcome.causes.iter().find(|c| !check.emits.contains(&c.id)) {
        return Outcome::error(format!(
            "internal error: {} reported {}, which it does not declare",
            check.id, stray.id
        ));
    }
    outcome
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{cause_id::CauseId, registry::Group};

    fn boom(_: &Evidence) -> Outcome {
        panic!("boom with eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJ4In0.c2lnbmF0dXJl inside")
    }
    fn fails(_: &Evidence) -> Outcome {
        Outcome::found("bad", vec![crate::finding::Cause::new(CauseId::KeyEmpty)])
    }
    fn passes(_: &Evidence) -> Outcome {
        Outcome::pass("fine")
    }

    static TEST_CHECKS: &[Check] = &[
        Check { id: "t.boom", group: Group::Key, title: "", reads: "", needs: &[], emits: &[], run: boom },
        Check {
            id: "t.fails",
            group: Group::Key,
            title: "",
            reads: "",
            needs: &[],
            emits: &[CauseId::KeyEmpty],
            run: fails,
        },
        Check {
            id: "t.after-fail",
            group: Group::Key,
            title: "",
            reads: "",
            needs: &["t.fails"],
            emits: &[],
            run: passes,
        },
        Check {
            id: "t.after-boom",
            group: Group::Key,
            title: "",
            reads: "",
            needs: &["t.boom"],
            emits: &[],
            run: passes,
        },
        Check { id: "t.stray", group: Group::Key, title: "", reads: "", needs: &[], emits: &[], run: fails },
    ];

    #[test]
    fn isolates_panics_and_skips_dependents() {
        install_panic_hook();
        let evidence = crate::testing::evidence(&[]);
        let runs = run_checks(TEST_CHECKS, &evidence);
        let statuses: Vec<Status> = runs.iter().map(|r| r.outcome.status).collect();
        assert_eq!(statuses, [Status::Error, Status::Fail, Status::Skip, Status::Skip, Status::Error]);
        assert!(runs[0].outcome.summary.contains("boom with [REDACTED-JWT] inside"), "{}", runs[0].outcome.summary);
        assert!(runs[2].outcome.summary.starts_with("not checked: "), "{}", runs[2].outcome.summary);
        assert!(runs[4].outcome.summary.contains("does not declare"));
    }
}
