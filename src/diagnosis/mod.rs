//! Diagnosis: the one place where evidence is combined. Checks report what they found and what
//! they observed; diagnosis turns that into one ranked list of causes, most likely first, by the
//! rules in [`rules`]: each observed symptom is read into its direct causes, findings that explain
//! a symptom are promoted, latent causes are kept only when their symptom was seen, catch-alls
//! step back when something specific explains the same answer, and every move leaves its reason
//! in the cause's evidence.

pub mod rules;

use crate::{
    catalog::{self, Entry},
    cause_id::CauseId,
    engine::CheckRun,
    evidence::Evidence,
    finding::{Cause, Confidence, Severity},
    symptom::{Observation, Symptom},
};

#[derive(Debug, Clone)]
pub struct RankedCause {
    pub cause: Cause,
    pub severity: Severity,
    pub entry: &'static Entry,
    /// The check that reported it (for a symptom's reading: the check that observed it).
    pub check_id: &'static str,
    /// Position of that check in the registry: earlier checks are more fundamental.
    pub order: usize,
    /// Why the cause is on the list; it decides the cause's tier in the ranking.
    pub basis: Basis,
    /// Set by `-D/-W/-A`: the severity before, and the flag.
    pub relevelled: Option<(Severity, &'static str)>,
}

/// How a cause came to be on the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Basis {
    /// A check found it, and it explains a symptom that was observed.
    Explains(Symptom),
    /// What an observed symptom means on its own; a catch-all names the usual suspects when
    /// nothing more specific is known (`approval.missing` for "not approved").
    Reading { symptom: Symptom, catch_all: bool },
    /// A check found it on its own evidence; it explains nothing that was observed.
    Finding,
}

impl Basis {
    /// Rank tier: what explains the failure at hand, then independent findings, then guesses.
    fn tier(self) -> u8 {
        match self {
            Basis::Explains(_) | Basis::Reading { catch_all: false, .. } => 0,
            Basis::Finding => 1,
            Basis::Reading { catch_all: true, .. } => 2,
        }
    }
}

pub fn diagnose(runs: &[CheckRun], ev: &Evidence) -> Vec<RankedCause> {
    let observations: Vec<(usize, &Observation)> = runs
        .iter()
        .enumerate()
        .flat_map(|(order, run)| run.outcome.observations.iter().map(move |o| (order, o)))
        .collect();
    let decisive: Vec<Symptom> = observations.iter().filter(|(_, o)| o.decisive()).map(|(_, o)| o.symptom).collect();
    let ruled_out: Vec<CauseId> = runs.iter().flat_map(|r| r.outcome.rules_out.iter().copied()).collect();

    let mut ranked: Vec<RankedCause> = Vec::new();
    for (order, run) in runs.iter().enumerate() {
        for cause in &run.outcome.causes {
            let explained = cause.id.explains().iter().find(|s| decisive.contains(s)).copied();
            if cause.latent && (explained.is_none() || ruled_out.contains(&cause.id)) {
                continue;
            }
            let basis = explained.map_or(Basis::Finding, Basis::Explains);
            add(&mut ranked, cause.clone(), basis, run.check.id, order);
        }
    }
    for (order, observation) in &observations {
        for (cause, catch_all) in rules::readings(observation, ev) {
            if ruled_out.contains(&cause.id) && !ranked.iter().any(|r| r.cause.id == cause.id) {
                continue;
            }
            let basis = Basis::Reading { symptom: observation.symptom, catch_all };
            add(&mut ranked, cause, basis, runs[*order].check.id, *order);
        }
    }
    for r in &mut ranked {
        if let Basis::Explains(symptom) = r.basis {
            rules::promote(r, symptom);
        }
    }
    rules::step_back_catch_alls(&mut ranked);
    rules::odd_one_out(&mut ranked, ev);
    rank(&mut ranked);
    ranked
}

/// Adds a cause, or merges it into the one with the same id: evidence and fixes are united, the
/// surer confidence and the worse severity kept, and the stronger basis wins.
fn add(ranked: &mut Vec<RankedCause>, cause: Cause, basis: Basis, check_id: &'static str, order: usize) {
    let severity = cause.effective_severity();
    if let Some(existing) = ranked.iter_mut().find(|r| r.cause.id == cause.id) {
        merge(&mut existing.cause, &cause);
        existing.severity = existing.severity.min(severity);
        if basis.tier() < existing.basis.tier() || matches!(basis, Basis::Explains(_)) {
            existing.basis = basis;
        }
        return;
    }
    ranked.push(RankedCause {
        severity,
        entry: catalog::get(cause.id),
        check_id,
        order,
        basis,
        relevelled: None,
        cause,
    });
}

/// Errors before warnings before info; then the tier (what explains the observed failure first,
/// guesses last); then confidence; then the most fundamental check.
pub fn rank(causes: &mut [RankedCause]) {
    causes.sort_by_key(|r| (r.severity, r.basis.tier(), r.cause.confidence, r.order));
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
    for var in &from.vars {
        if !into.vars.iter().any(|(name, _)| *name == var.0) {
            into.vars.push(var.clone());
        }
    }
    if from.confidence < into.confidence {
        into.confirm.clone_from(&from.confirm);
    }
    into.confidence = into.confidence.min(from.confidence);
    if into.confidence == Confidence::High {
        into.confirm = None;
    }
    into.latent &= from.latent;
}

#[cfg(test)]
mod tests;
