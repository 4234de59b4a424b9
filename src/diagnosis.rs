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
    /// Position of that check in the registry: earlier checks are more fundamental.
    pub order: usize,
    /// Set by `-D/-W/-A`: the severity before, and the flag.
    pub relevelled: Option<(Severity, &'static str)>,
}

pub fn diagnose(runs: &[CheckRun]) -> Vec<RankedCause> {
    let mut ranked: Vec<RankedCause> = Vec::new();
    for (order, run) in runs.iter().enumerate() {
        for cause in &run.outcome.causes {
            if let Some(existing) = ranked.iter_mut().find(|r| r.cause.id == cause.id) {
                merge(&mut existing.cause, cause);
                existing.severity = existing.severity.min(cause.effective_severity());
                continue;
            }
            ranked.push(RankedCause {
                severity: cause.effective_severity(),
                entry: catalog::get(cause.id),
                check_id: run.check.id,
                order,
                relevelled: None,
                cause: cause.clone(),
            });
        }
    }
    demote_generic_approval(&mut ranked);
    rank(&mut ranked);
    ranked
}

/// Errors before warnings before info; then confidence; then the most fundamental check.
pub fn rank(causes: &mut [RankedCause]) {
    causes.sort_by_key(|r| (r.severity, r.cause.confidence, r.order));
}

/// `approval.missing` is the catch-all for "user hasn't approved this consumer". When the other
/// findings already explain that answer with at least medium confidence, it becomes context.
fn demote_generic_approval(causes: &mut [RankedCause]) {
    const EXPLAINS_NOT_APPROVED: &[&str] = &[
        "host.environment-mismatch",
        "claims.aud-my-domain",
        "claims.aud-sub-swapped",
        "claims.sub-mismatch",
        "claims.sub-not-username",
        "claims.aud-environment-mismatch",
        "app.missing-refresh-token-scope",
        "approval.self-authorize-not-approved",
        "approval.user-not-preauthorized",
        "approval.scratch-not-replicated",
        "approval.app-propagating",
        "approval.hyperforce-scratch-user",
        "user.not-found",
        "user.inactive",
        "user.frozen",
    ];
    let explained = causes.iter().find(|r| {
        EXPLAINS_NOT_APPROVED.contains(&r.cause.id)
            && r.severity == Severity::Error
            && r.cause.confidence <= crate::finding::Confidence::Medium
    });
    let Some(explainer) = explained.map(|r| r.cause.id) else { return };
    // A medium-confidence catch-all (the CLI saw the same refusal in both environments) stays.
    if let Some(generic) = causes
        .iter_mut()
        .find(|r| r.cause.id == "approval.missing" && r.cause.confidence == crate::finding::Confidence::Low)
    {
        generic.severity = Severity::Info;
        generic
            .cause
            .evidence
            .push(format!("{explainer} explains this answer first; check the rest only if fixing it is not enough"));
    }
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
