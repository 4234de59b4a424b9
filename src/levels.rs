//! Severity overrides in the manner of cargo-deny: `-D/--deny`, `-W/--warn`, `-A/--allow` take a
//! cause id (`cert.expired`), a group (`cert`) or a level (`warnings`). The most specific rule
//! wins; among equals, the last one given.

use crate::{catalog, cause_id::CauseId, diagnosis::RankedCause, finding::Severity};

#[derive(Debug, Clone, PartialEq, Eq)]
enum Selector {
    Cause(CauseId),
    Group(&'static str),
    Level(Severity),
}

impl Selector {
    /// Higher is more specific.
    fn specificity(&self) -> u8 {
        match self {
            Selector::Cause(_) => 3,
            Selector::Group(_) => 2,
            Selector::Level(_) => 1,
        }
    }

    fn matches(&self, id: CauseId, severity: Severity) -> bool {
        match self {
            Selector::Cause(cause) => *cause == id,
            Selector::Group(group) => id.group() == *group,
            Selector::Level(level) => *level == severity,
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Overrides {
    rules: Vec<(Selector, Severity, &'static str)>,
}

impl Overrides {
    /// Builds the rules in the order deny, warn, allow as given; unknown names are usage errors.
    pub fn parse(deny: &[String], warn: &[String], allow: &[String]) -> Result<Overrides, String> {
        let mut rules = Vec::new();
        for (names, severity, flag) in
            [(deny, Severity::Error, "-D"), (warn, Severity::Warning, "-W"), (allow, Severity::Info, "-A")]
        {
            for name in names {
                rules.push((selector(name).map_err(|e| format!("{flag} {name}: {e}"))?, severity, flag));
            }
        }
        Ok(Overrides { rules })
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// Re-levels the causes and ranks them again.
    pub fn apply(&self, causes: &mut [RankedCause]) {
        for cause in causes.iter_mut() {
            let rule = self
                .rules
                .iter()
                .filter(|(selector, ..)| selector.matches(cause.cause.id, cause.severity))
                .max_by_key(|(selector, ..)| selector.specificity());
            // `max_by_key` keeps the last of equals: the flag given last wins.
            if let Some((_, severity, flag)) = rule
                && *severity != cause.severity
            {
                cause.relevelled = Some((cause.severity, flag));
                cause.severity = *severity;
            }
        }
        crate::diagnosis::rank(causes);
    }
}

fn selector(name: &str) -> Result<Selector, String> {
    let name = name.trim();
    match name {
        "errors" | "error" => return Ok(Selector::Level(Severity::Error)),
        "warnings" | "warning" => return Ok(Selector::Level(Severity::Warning)),
        "info" | "infos" => return Ok(Selector::Level(Severity::Info)),
        _ => {}
    }
    if let Some(id) = CauseId::parse(name) {
        return Ok(Selector::Cause(id));
    }
    if let Some(group) = CauseId::ALL.iter().map(|id| id.group()).find(|group| *group == name) {
        return Ok(Selector::Group(group));
    }
    let suggestions = catalog::suggest(name, CauseId::ALL.iter().map(|id| id.as_str()));
    let hint = match suggestions.first() {
        Some(best) => format!("did you mean `{best}`?"),
        None => "use a cause id (sfjwt explain), a group such as `cert`, or `errors`/`warnings`".into(),
    };
    Err(format!("unknown cause, group or level: {hint}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Cause;

    fn ranked(id: CauseId, severity: Severity) -> RankedCause {
        RankedCause {
            cause: Cause::new(id),
            severity,
            entry: catalog::get(id),
            check_id: "t",
            order: 0,
            basis: crate::diagnosis::Basis::Finding,
            relevelled: None,
        }
    }

    #[test]
    fn most_specific_rule_wins() {
        let overrides = Overrides::parse(&["warnings".into()], &[], &["cert.expiring-soon".into()]).unwrap();
        let mut causes =
            vec![ranked(CauseId::CertExpired, Severity::Warning), ranked(CauseId::CertExpiringSoon, Severity::Warning)];
        overrides.apply(&mut causes);
        assert_eq!(causes[0].cause.id, CauseId::CertExpired);
        assert_eq!(causes[0].severity, Severity::Error);
        assert_eq!(causes[0].relevelled, Some((Severity::Warning, "-D")));
        assert_eq!(causes[1].severity, Severity::Info);
    }

    #[test]
    fn groups_and_unknown_names() {
        let overrides = Overrides::parse(&[], &[], &["cert".into()]).unwrap();
        let mut causes = vec![ranked(CauseId::CertNotRsa, Severity::Error), ranked(CauseId::KeyEmpty, Severity::Error)];
        overrides.apply(&mut causes);
        assert_eq!(causes.iter().map(|c| c.severity).collect::<Vec<_>>(), [Severity::Error, Severity::Info]);
        let error = Overrides::parse(&["cert.expird".into()], &[], &[]).unwrap_err();
        assert!(error.contains("`cert.expired`"), "{error}");
    }
}
