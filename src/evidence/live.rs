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
    // A checked-out repository chooses this URL, not the user: its assertion goes to a host that
    // is not Salesforce's only when the user names that host.
    if let Source::ProjectFile(path) = &ev.inputs.instance_url.source
        && !ev.host.kind.is_salesforce()
    {
        return ProbeEvidence::Skipped(format!(
            "not contacted: the instance URL {} comes from sfdcLoginUrl in {}, which sfjwt found by itself, and is \
             not a Salesforce host; to send the assertion there, name it with --instance-url {} (or SFJWT_INSTANCE_URL)",
            url.origin(),
            path.display(),
            url.origin()
        ));
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
            let assertion = jwt::Jws::parse(raw.expose()).map_err(|why| {
                format!(
                    "not contacted: the --assertion is not a signed JWT ({why}); sfjwt sends only a well-formed JWS"
                )
            })?;
            let audience =
                decoded.claims.as_ref().and_then(|c| c.get("aud")).and_then(|a| a.as_str()).unwrap_or_default();
            Ok(vec![probe::Planned {
                login,
                audience: audience.to_string(),
                credential: probe::Credential::jwt(assertion),
            }])
        }
        AssertionEvidence::Saml { reading, .. } => {
            let Some((assertion, credential)) = reading.assertion.as_ref().zip(probe::Credential::saml(reading)) else {
                return Err(
                    "not contacted: it is not a SAML assertion the grant takes (the SAML assertion line says why)"
                        .into(),
                );
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
            Ok(vec![probe::Planned { login, audience, credential }])
        }
        AssertionEvidence::Built { claims, signed, .. } => {
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
                    let assertion = match audited(claims, signed.as_ref(), &audience, now) {
                        Some(assertion) => assertion,
                        None => jwt::BuiltClaims::new(&claims.iss, &claims.sub, &audience, now).sign(key)?,
                    };
                    Ok(probe::Planned { login, audience, credential: probe::Credential::jwt(assertion) })
                })
                .collect()
        }
    }
}

/// The assertion the checks audited, when it is the one this attempt would send: the same claims,
/// built by the real clock in the last minute (not under a pinned `SFJWT_NOW`). Sending it saves
/// an RSA signature, the bulk of a login's CPU time (`--all` signs one per login).
fn audited(claims: &jwt::BuiltClaims, signed: Option<&jwt::Jws>, audience: &str, now: i64) -> Option<jwt::Jws> {
    let signed = signed?;
    if claims.aud != audience || !(0..=60).contains(&(now - claims.iat)) {
        return None;
    }
    // It must carry exactly these claims (a --wait re-probe rebuilds them).
    (jwt::decode(signed.expose()).claims? == claims.to_map()).then(|| signed.clone())
}

#[cfg(test)]
mod tests {
    use rsa::pkcs8::DecodePrivateKey;

    use super::*;

    #[test]
    fn the_audited_assertion_is_sent_only_when_it_is_what_would_be_built_now() {
        let key = rsa::PrivateKey::from_pkcs8_pem(include_str!("../../fixtures/keys/rsa2048.pkcs8.pem")).unwrap();
        let now = unix_now();
        let aud = "https://login.salesforce.com";
        let claims = jwt::BuiltClaims::new("3MVG9abc", "ci@example.com", aud, now - 2);
        let signed = claims.sign(&key).unwrap();
        let reused = audited(&claims, Some(&signed), aud, now).expect("fresh, same claims");
        assert_eq!(reused.expose(), signed.expose());
        assert!(audited(&claims, Some(&signed), "https://test.salesforce.com", now).is_none(), "another aud");
        assert!(audited(&claims, None, aud, now).is_none());
        // Built under a pinned clock (SFJWT_NOW): a fresh one is signed for the real one.
        let pinned = jwt::BuiltClaims::new("3MVG9abc", "ci@example.com", aud, 1_798_761_600);
        let signed_pinned = pinned.sign(&key).unwrap();
        assert!(audited(&pinned, Some(&signed_pinned), aud, now).is_none());
        // Claims rebuilt since it was signed (--wait): not the same assertion any more.
        let rebuilt = jwt::BuiltClaims::new("3MVG9abc", "ci@example.com", aud, now);
        assert!(audited(&rebuilt, Some(&signed), aud, now).is_none());
    }
}
