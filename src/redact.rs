//! `--redact-identities`: usernames and org/user ids masked in every output, for reports that
//! leave the team. Secrets are never shown in the first place; this hides who and where.

use crate::evidence::{Evidence, ProbeEvidence};

/// The usernames sfjwt saw, longest first so that a suffixed name is replaced whole.
pub fn identities(ev: &Evidence) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    if let Some(username) = &ev.inputs.username {
        names.push(username.value.clone());
    }
    if let Some(captured) = &ev.captured {
        names.extend(captured.parsed.usernames.iter().cloned());
    }
    if let ProbeEvidence::Done(probe) = &ev.probe {
        for attempt in &probe.attempts {
            if let crate::probe::Outcome::Token(info) = &attempt.outcome {
                names.extend(info.org_id.iter().chain(info.user_id.iter()).cloned());
            }
        }
    }
    names.retain(|n| n.len() > 2);
    names.sort_by_key(|n| std::cmp::Reverse(n.len()));
    names.dedup();
    names
}

/// Masks the given identities and every 15- or 18-character org (00D) or user (005) id.
pub fn identities_in(text: &str, identities: &[String]) -> String {
    if identities.is_empty() {
        return text.to_string();
    }
    let mut out = text.to_string();
    for name in identities {
        out = out.replace(name.as_str(), &mask(name));
    }
    mask_ids(&out)
}

fn mask(name: &str) -> String {
    match name.split_once('@') {
        Some((local, domain)) => format!("{}…@{}", local.chars().next().unwrap_or('x'), mask_domain(domain)),
        None => format!("{}…", name.chars().take(3).collect::<String>()),
    }
}

/// Keeps the sandbox suffix (`.uat`) visible: it is evidence, not identity.
fn mask_domain(domain: &str) -> String {
    let labels: Vec<&str> = domain.split('.').collect();
    match labels.as_slice() {
        [_, rest @ ..] if !rest.is_empty() => format!("…{}", rest.iter().map(|l| format!(".{l}")).collect::<String>()),
        _ => "…".into(),
    }
}

fn mask_ids(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let boundary = i == 0 || !chars[i - 1].is_ascii_alphanumeric();
        if boundary
            && chars[i] == '0'
            && chars.len() > i + 3
            && chars[i + 1] == '0'
            && (chars[i + 2] == 'D' || chars[i + 2] == '5')
        {
            let len = chars[i..].iter().take_while(|c| c.is_ascii_alphanumeric()).count();
            if len == 15 || len == 18 {
                out.extend(&chars[i..i + 3]);
                out.push('…');
                i += len;
                continue;
            }
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_usernames_and_ids() {
        let text = "user ci@acme.com.uat in org 00D000000000001EAA as 005000000000001AAA";
        let out = identities_in(text, &["ci@acme.com.uat".to_string()]);
        assert_eq!(out, "user c…@….com.uat in org 00D… as 005…");
    }
}
