//! The live probe's plan: what to send where, or why nothing is sent.

use crate::clock::unix_now;

use super::{AssertionEvidence, Evidence, ProbeEvidence, jwt};
use crate::{evidence::host::HostKind, inputs::Source, probe, sf_cli};

/// Probes again (for `--wait`), keeping everything else.
pub fn reprobe(evidence: &mut Evidence) {
    if let AssertionEvidence::Built { claims, .. } = &mut evidence.assertion {
        let now = unix_now();
        let rebuilt = jwt::BuiltClaims::new(&claims.iss, &claims.sub, &claims.aud, now);
        *claims = rebuilt;
    }
    evidence.probe = run_probe(evidence);
}

/// Plans and runs the live probe, unless there is a reason not to.
pub(super) fn run_probe(ev: &Evidence) -> ProbeEvidence {
    if ev.inputs.offline {
        return ProbeEvidence::Skipped("not contacted (--offline)".into());
    }
    if ev.captured.is_some() {
        return ProbeEvidence::Skipped("not contacted: --error is classified offline".into());
    }
    let url = match &ev.host.url {
        Ok(url) => url,
        Err(_) => return ProbeEvidence::Skipped("not contacted: the instance URL is not valid".into()),
    };
    if matches!(ev.host.kind, HostKind::Lightning) {
        return ProbeEvidence::Skipped("not contacted: a Lightning domain does not serve OAuth".into());
    }
    if !url.is_https() && !url.is_loopback() {
        return ProbeEvidence::Skipped("not contacted: sfjwt sends assertions over https only".into());
    }
    let plan = match plan(ev) {
        Ok(plan) => plan,
        Err(reason) => return ProbeEvidence::Skipped(reason),
    };
    ProbeEvidence::Done(probe::run(plan, ev.inputs.timeout))
}

fn plan(ev: &Evidence) -> Result<Vec<probe::Planned>, String> {
    let login = ev.host.url.as_ref().map(|u| u.base()).unwrap_or_default();
    match &ev.assertion {
        AssertionEvidence::Missing(reason) => Err(format!("not contacted: {reason}")),
        // Someone else's assertion, captured: replaying it is never sfjwt's to do.
        AssertionEvidence::Given { sent: Some(_), .. } => Err("not contacted: the assertion came from --error".into()),
        AssertionEvidence::Given { decoded, raw, .. } => {
            let audience =
                decoded.claims.as_ref().and_then(|c| c.get("aud")).and_then(|a| a.as_str()).unwrap_or_default();
            Ok(vec![probe::Planned {
                login,
                audience: audience.to_string(),
                assertion: raw.clone(),
                grant_type: probe::GRANT_TYPE,
            }])
        }
        AssertionEvidence::Saml { reading, .. } => {
            let Some((assertion, wire)) = reading.assertion.as_ref().zip(reading.wire_form()) else {
                return Err("not contacted: it is not a SAML assertion the grant takes (the SAML assertion line says why)".into());
            };
            // Only a live assertion is sent: an expired one teaches nothing and is a credential.
            match assertion.expiry().and_then(|e| e.unix) {
                Some(expiry) if expiry > ev.inputs.now => {}
                _ => return Err(
                    "not contacted: the SAML assertion has expired or has no readable NotOnOrAfter; build a fresh one"
                        .into(),
                ),
            }
            let audience = assertion.audiences.first().cloned().unwrap_or_default();
            Ok(vec![probe::Planned { login, audience, assertion: wire, grant_type: crate::saml::GRANT_TYPE }])
        }
        AssertionEvidence::Built { claims, .. } => {
            let key = ev
                .key
                .as_ref()
                .and_then(|k| k.parsed())
                .and_then(|k| k.rsa.as_ref())
                .ok_or("not contacted: no usable RSA private key to sign the assertion (see the key checks)")?;
            let pairs: Vec<(String, String)> = if ev.inputs.try_audiences {
                let flag = (ev.inputs.instance_url.source != Source::Default).then_some(ev.host.raw.as_str());
                let audience_env = ev.inputs.audience.as_ref().map(|a| a.value.as_str());
                sf_cli::attempt_order(flag, audience_env).into_iter().map(|a| (a.login, a.audience)).collect()
            } else {
                vec![(login, claims.aud.clone())]
            };
            let now = unix_now();
            pairs
                .into_iter()
                .map(|(login, audience)| {
                    let assertion = jwt::BuiltClaims::new(&claims.iss, &claims.sub, &audience, now).sign(key)?;
                    Ok(probe::Planned { login, audience, assertion, grant_type: probe::GRANT_TYPE })
                })
                .collect()
        }
    }
}
