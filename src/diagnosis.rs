//! Turns the findings of all checks into one ranked list of causes, most likely first:
//! errors before warnings before info, then by confidence, then by how fundamental the check is
//! (the registry runs fundamentals first).

use crate::{
    catalog::{self, Entry},
    engine::CheckRun,
    finding::{Cause, Severity},
};

#[derive(Debug, Clone)]
pub struct RankedCause {
    pub cause: Cause,
    pub severity: Severity,
    pub entry: Option<&'static Entry>,
    /// The check that reported it.
    pub check_id: &'static str,
}

pub fn diagnose(runs: &[CheckRun]) -> Vec<RankedCause> {
    let mut ranked: Vec<(usize, RankedCause)> = Vec::new();
    for (order, run) in runs.iter().enumerate() {
        for cause in &run.outcome.causes {
            if let Some((_, existing)) = ranked.iter_mut().find(|(_, r)| r.cause.id == cause.id) {
                merge(&mut existing.cause, cause);
                existing.severity = existing.severity.min(cause.effective_severity());
                continue;
            }
            ranked.push((
                order,
                RankedCause {
                    severity: cause.effective_severity(),
                    entry: catalog::get(cause.id),
                    check_id: run.check.id,
                    cause: cause.clone(),
                },
            ));
        }
    }
    ranked.sort_by_key(|(order, r)| (r.severity, r.cause.confidence, *order));
    ranked.into_iter().map(|(_, r)| r).collect()
}

fn merge(into: &mut Cause, from: &Cause) {
    for line in &from.evidence {
        if !into.evidence.contains(line) {
            into.evidence.push(line.clone());
        }
    }
    for step in &from.fix {
        if !into.fix.contains(step) {
            into.fix.push(step.clone());
        }
    }
    into.confidence = into.confidence.min(from.confidence);
}
