//! What Salesforce (or the client) said, live or in a captured failure: one observation per
//! distinct symptom, with the attempts that gave it. What the answer means next to everything
//! else the evidence shows is diagnosis's job (src/diagnosis/rules.rs), not this check's.

use crate::{
    captured::Answer,
    captured::LocalError,
    cause_id::CauseId,
    evidence::{Evidence, ProbeEvidence},
    finding::Cause,
    finding::Outcome,
    probe::Outcome as Answered,
    symptom::{Observation, Origin, Symptom},
};

/// One answer with where it was seen.
struct Seen<'a> {
    answer: &'a Answer,
    login: Option<&'a str>,
    audience: Option<&'a str>,
}

impl Seen<'_> {
    fn line(&self) -> String {
        let what = self.answer.text();
        let network = self.answer.kind.origin() == Origin::Network;
        match (self.login, self.audience) {
            (Some(login), Some(aud)) => format!("{login} answered `{what}` (aud {aud})"),
            (Some(login), None) if network => format!("the request to {login} failed: `{what}`"),
            (Some(login), None) => format!("{login} answered `{what}`"),
            _ if network => format!("the request failed: `{what}`"),
            _ => format!("Salesforce answered `{what}`"),
        }
    }
}

fn answers(ev: &Evidence) -> Vec<Seen<'_>> {
    let mut seen = Vec::new();
    if let ProbeEvidence::Done(probe) = &ev.probe {
        for attempt in &probe.attempts {
            if let Answered::Answer(answer) = &attempt.outcome {
                seen.push(Seen { answer, login: Some(&attempt.login), audience: Some(&attempt.audience) });
            }
        }
    }
    if let Some(captured) = &ev.captured {
        for answer in &captured.parsed.answers {
            seen.push(Seen { answer, login: answer.login.as_deref(), audience: answer.audience.as_deref() });
        }
    }
    seen
}

/// The `--error` input could be used: one that cannot (unreadable, empty, binary, too large) is a
/// finding of its own, not an empty answer.
pub fn capture(ev: &Evidence) -> Outcome {
    let Some(captured) = &ev.captured else { return Outcome::skip("no captured failure given (--error)") };
    match &captured.problem {
        Some(problem) => Outcome::found(
            format!("cannot use the --error input ({})", captured.origin),
            vec![Cause::new(CauseId::CaptureUnusable).evidence(problem.clone())],
        ),
        None => Outcome::pass(format!("read as {}", captured.parsed.form.describe())),
    }
}

pub fn classify(ev: &Evidence) -> Outcome {
    let seen = answers(ev);
    let local = ev.captured.as_ref().map(|c| c.parsed.local_errors.as_slice()).unwrap_or_default();
    if seen.is_empty() && local.is_empty() {
        return match (&ev.probe, &ev.captured) {
            (ProbeEvidence::Done(probe), _) if probe.succeeded().is_some() => {
                Outcome::pass("Salesforce issued a token")
            }
            (_, Some(captured)) if captured.problem.is_some() => Outcome::skip("no captured failure to read"),
            (_, Some(captured)) if captured.parsed.success => {
                Outcome::pass("the captured output reports a successful login: there is no failure to explain")
            }
            (_, Some(_)) => Outcome::skip("the --error text holds no answer sfjwt recognises"),
            (ProbeEvidence::Done(_), None) => Outcome::skip("no OAuth answer (the Token endpoint line says why)"),
            (ProbeEvidence::Skipped(reason), None) => Outcome::skip(format!(
                "no answer to classify: the token endpoint was {reason}; --error classifies a captured one"
            )),
        };
    }
    // The sf CLI tries several (host, aud) pairs: when one of them got a real answer, the others'
    // `audience is invalid` and network failures are side effects of its search, not causes.
    let network = |kind: Symptom| kind.origin() == Origin::Network;
    let substantive = seen
        .iter()
        .any(|s| !matches!(s.answer.kind, Symptom::AudienceInvalid | Symptom::Empty) && !network(s.answer.kind));
    let answered = seen.iter().any(|s| !network(s.answer.kind));
    let succeeded = match &ev.probe {
        ProbeEvidence::Done(probe) => probe.succeeded().map(|a| format!("{} with aud {}", a.login, a.audience)),
        ProbeEvidence::Skipped(_) => None,
    };
    let mut observations = Vec::new();
    for symptom in distinct(seen.iter().map(|s| s.answer.kind)) {
        let group: Vec<&Seen> = seen.iter().filter(|s| s.answer.kind == symptom).collect();
        let incidental = if let Some(working) = &succeeded {
            Some(format!("a later attempt succeeded: use {working}"))
        } else if (substantive && symptom == Symptom::AudienceInvalid) || (answered && network(symptom)) {
            Some(
                "another attempt got a real answer: this line comes from the sf CLI trying other hosts and audiences"
                    .into(),
            )
        } else {
            None
        };
        observations.push(Observation {
            symptom,
            lines: summarise(&group),
            logins: distinct(group.iter().filter_map(|s| s.login.map(str::to_string))),
            audiences: distinct(group.iter().filter_map(|s| s.audience.map(str::to_string))),
            incidental,
        });
    }
    // A text with several failures (a CI log, retries): a network failure next to one that got
    // further (Salesforce answered) or failed on its own (the client's key) is another attempt's.
    let other_failure = answered || local.iter().any(|error| !network(error.kind));
    for error in local {
        let incidental = if network(error.kind) && other_failure {
            Some("another failure in the same text reached Salesforce or failed on its own: this network failure is from another attempt or step".to_string())
        } else if error.kind == Symptom::LoginNotFound && answered {
            // A failed `sf org login jwt` removes the stored login it was replacing.
            Some("the JWT login in the same text failed, and a failed login leaves no stored login: its answer is the cause".to_string())
        } else {
            None
        };
        observations.push(Observation {
            symptom: error.kind,
            lines: vec![failure_line(error)],
            logins: error.host.iter().cloned().collect(),
            audiences: Vec::new(),
            incidental,
        });
    }
    let summary = match (&succeeded, seen.first()) {
        (Some(working), _) => format!("a token was issued by {working}"),
        (None, Some(first)) => first.line(),
        (None, None) if local[0].kind.origin() == Origin::Network => {
            format!("the request failed before any answer came back: {}", local[0].text)
        }
        (None, None) => format!("the client failed before sending: {}", local[0].text),
    };
    let mut outcome = Outcome::with(crate::finding::Status::Fail, summary);
    if succeeded.is_some() {
        outcome.status = crate::finding::Status::Pass;
    }
    outcome.observations = observations;
    outcome
}

/// A failure before any answer, said as what it is: the client's own error or the network's.
fn failure_line(error: &LocalError) -> String {
    let times = if error.count > 1 { format!(" (printed {}×)", error.count) } else { String::new() };
    match error.kind.origin() {
        Origin::Network => format!("the request failed before any answer came back: {}{times}", error.text),
        _ => format!("the client reported: {}{times}", error.text),
    }
}

fn distinct<T: PartialEq>(items: impl Iterator<Item = T>) -> Vec<T> {
    let mut out = Vec::new();
    for item in items {
        if !out.contains(&item) {
            out.push(item);
        }
    }
    out
}

/// One evidence line per distinct answer: the sf CLI repeats the same answer for each host and
/// audience it tries, and the attempt table already lists them one by one.
fn summarise(group: &[&Seen]) -> Vec<String> {
    let same = group
        .windows(2)
        .all(|w| w[0].answer.description == w[1].answer.description && w[0].answer.error == w[1].answer.error);
    if group.len() > 1 && same {
        let hosts = distinct(group.iter().filter_map(|s| s.login));
        let what = Seen { answer: group[0].answer, login: None, audience: None }.line();
        let where_ = if hosts.is_empty() { String::new() } else { format!(" ({})", hosts.join(", ")) };
        let all = if group.len() == 2 { "both attempts".to_string() } else { format!("all {} attempts", group.len()) };
        return vec![format!("{what} on {all}{where_}")];
    }
    fold(group.iter().map(|s| s.line()))
}

/// Identical lines once, with a count: `… ×3`.
fn fold(lines: impl Iterator<Item = String>) -> Vec<String> {
    let mut folded: Vec<(String, usize)> = Vec::new();
    for line in lines {
        match folded.iter_mut().find(|(l, _)| *l == line) {
            Some((_, count)) => *count += 1,
            None => folded.push((line, 1)),
        }
    }
    folded.into_iter().map(|(line, n)| if n > 1 { format!("{line} ×{n}") } else { line }).collect()
}
