//! The private key: readable, an unencrypted PEM private key, RSA of 2048 bits or more.

use crate::cause_id::CauseId;
use crate::{
    evidence::{
        Evidence,
        key::{Algorithm, Damage, Encryption, KeyReport, KeyState},
    },
    files::ReadError,
    finding::{Cause, Outcome},
};

const NO_KEY: &str = "no key given: pass --jwt-key-file (or set SFJWT_KEY) to check it";

pub fn file(ev: &Evidence) -> Outcome {
    let Some(key) = &ev.key else { return Outcome::skip(NO_KEY) };
    let cause = |id| Cause::new(id);
    match &key.state {
        KeyState::Unreadable(e) => {
            let mut cause = cause(CauseId::KeyUnreadable).evidence(format!("{}: {e}", key.origin));
            if *e == ReadError::NotFound {
                let context = &ev.inputs.context;
                let working_dir = context.working_dir.as_ref().map_or("(unknown)".into(), |d| d.display().to_string());
                cause = cause.evidence(format!("working directory: {working_dir}"));
                if context.ci {
                    cause = cause.evidence(
                        "CI is set: a step that writes the key from a secret may not have run, or ran in another job",
                    );
                }
            }
            Outcome::found(format!("cannot read {}", key.origin), vec![cause])
        }
        KeyState::Empty => Outcome::found(
            format!("{} is empty", key.origin),
            vec![
                cause(CauseId::KeyEmpty).evidence(format!("{} holds no characters other than whitespace", key.origin)),
            ],
        ),
        _ => Outcome::pass(format!("read {}", key.origin)),
    }
}

pub fn format(ev: &Evidence) -> Outcome {
    let Some(key) = &ev.key else { return Outcome::skip(NO_KEY) };
    let base = Cause::new(CauseId::KeyMangled);
    let causes = match &key.state {
        KeyState::Parsed(parsed) if key.damage.is_empty() && !key.base64_wrapped => {
            let via = if key.origin.starts_with("env ") { " (decoded from base64)" } else { "" };
            let mut outcome = Outcome::pass(format!("{} private key{via}", parsed.format));
            // Fine for the sf CLI; a client that reads only PKCS#8 (Java) fails on it.
            if parsed.format.starts_with("PKCS#1") {
                outcome.causes.push(
                    Cause::new(CauseId::KeyPkcs8Required)
                        .latent()
                        .var("key_file", key.origin.clone())
                        .evidence(format!("{} is a PKCS#1 key (`RSA PRIVATE KEY`)", key.origin)),
                );
            }
            return outcome;
        }
        KeyState::Parsed(parsed) if key.damage == [Damage::Der] => vec![
            Cause::new(CauseId::KeyDerFormat)
                .evidence(format!("{}: {}", key.origin, Damage::Der.describe()))
                .evidence(format!("it parses as a {} {} key", parsed.format, parsed.algorithm))
                .file_fixes(repaired_copy(ev, key)),
        ],
        KeyState::Parsed(parsed) => {
            let mut cause = damage_evidence(base, key);
            if let Some(step) = repair_step(key, from_env(ev)) {
                cause = cause.fix(step);
            }
            cause = cause.evidence(format!(
                "repaired in memory, it is a {} {} key{}",
                parsed.format,
                parsed.algorithm,
                parsed.spki_sha256.as_ref().map(|f| format!(" (SPKI SHA-256 {f})")).unwrap_or_default()
            ));
            vec![cause.file_fixes(repaired_copy(ev, key))]
        }
        KeyState::NotPrivateKey(what) => vec![
            Cause::new(CauseId::KeyNotPrivateKey)
                .evidence(format!("{} holds {what}, not a private key", key.origin)),
        ],
        KeyState::Encrypted(how) => vec![
            Cause::new(CauseId::KeyEncrypted)
                .evidence(match how {
                    Encryption::Pkcs8 => format!("{} is an `ENCRYPTED PRIVATE KEY` (passphrase-protected PKCS#8)", key.origin),
                    Encryption::Traditional => format!("{} has `Proc-Type: 4,ENCRYPTED` (passphrase-protected PKCS#1)", key.origin),
                })
                .evidence("the sf CLI has no passphrase option: it reports `secretOrPrivateKey must be an asymmetric key when using RS256`"),
        ],
        KeyState::Unparseable(reason) if !key.damage.is_empty() => {
            vec![damage_evidence(base, key).evidence(format!("even after repair: {reason}"))]
        }
        KeyState::Unparseable(reason) => vec![
            Cause::new(CauseId::KeyUnparseable)
                .evidence(format!("{}: {reason}", key.origin)),
        ],
        KeyState::Unreadable(_) | KeyState::Empty => return Outcome::skip("the key could not be read"),
    };
    Outcome::found(format!("{} is not a usable PEM private key", key.origin), causes)
}

/// A clean copy next to a damaged key file (never for a key given in SFJWT_KEY or on stdin).
fn repaired_copy(ev: &Evidence, key: &KeyReport) -> Option<crate::fix::Fix> {
    match ev.inputs.key.as_ref().map(|k| &k.value) {
        Some(crate::inputs::KeyInput::File(path)) => crate::fix::key::repaired_copy(key, path),
        _ => None,
    }
}

/// Whether the key came from an environment variable (its name fills `{key_env|…}`).
fn from_env(ev: &Evidence) -> bool {
    ev.inputs.key.as_ref().is_some_and(|k| matches!(k.source, crate::inputs::Source::Env(_)))
}

/// A command that undoes the damage into a new file that only the user can read, when a plain
/// shell command can (quotes, literal `\n`, base64); a lost line break or armor cannot be undone.
fn repair_step(key: &KeyReport, from_env: bool) -> Option<String> {
    let only = |allowed: &[Damage]| key.damage.iter().all(|d| allowed.contains(d));
    let write = "`(set -C && umask 077 && ";
    let into = " > {fixed_key|server.fixed.key})`";
    let unquote = if key.damage.contains(&Damage::Quoted) { " | tr -d '\"'" } else { "" };
    let command = if key.base64_wrapped && key.damage.is_empty() && !from_env {
        format!("{write}base64 -d < {{key_file|server.key}}{into}")
    } else if key.damage.contains(&Damage::LiteralNewlines) && only(&[Damage::LiteralNewlines, Damage::Quoted]) {
        if from_env {
            format!("{write}printf '%b\\n' \"${{key_env|SF_JWT_KEY}}\"{unquote}{into}")
        } else {
            format!(
                "{write}awk '{{ gsub(/\\\\r/, \"\"); gsub(/\\\\n/, \"\\n\"); print }}' {{key_file|server.key}}{unquote}{into}"
            )
        }
    } else {
        return None;
    };
    Some(format!("Undo the damage into a new file that only you can read: {command}."))
}

fn damage_evidence(mut cause: Cause, key: &KeyReport) -> Cause {
    if key.base64_wrapped {
        cause = cause.evidence(format!("{} holds base64 of a PEM file, not the PEM itself", key.origin));
    }
    for damage in &key.damage {
        cause = cause.evidence(format!("{}: {}", key.origin, damage.describe()));
    }
    cause
}

pub fn algorithm(ev: &Evidence) -> Outcome {
    let Some(parsed) = ev.key.as_ref().and_then(KeyReport::parsed) else {
        return Outcome::skip("no parsed private key (the Private key line says why)");
    };
    match &parsed.algorithm {
        Algorithm::Rsa { bits } if *bits >= 2048 => Outcome::pass(format!("RSA {bits} bits")),
        Algorithm::Rsa { bits } => {
            Outcome::found(
                format!("RSA {bits} bits is too small"),
                vec![Cause::new(CauseId::KeyTooSmall).evidence(format!(
                    "the modulus is {bits} bits; RS256 signers (and the sf CLI) require at least 2048"
                ))],
            )
        }
        other => Outcome::found(
            format!("{other} key, not RSA"),
            vec![Cause::new(CauseId::KeyNotRsa).evidence(format!(
                "the key is {other}; the JWT bearer flow takes RS256 signatures, which need an RSA key"
            ))],
        ),
    }
}
