//! Fixes that come from the key: a repaired copy of a damaged key file (never in place), and a
//! certificate that pairs with the key for the app.

use std::path::{Path, PathBuf};

use rsa::pkcs1::EncodeRsaPrivateKey;

use super::{Action, Contents, Fix};
use crate::{
    evidence::key::{KeyReport, KeyState},
    secret::Secret,
    setup::keys,
};

/// `server.fixed.key` next to `server.key`, holding the key the damaged file held, as clean PEM
/// in its own format (PKCS#1 stays PKCS#1). Only for RSA keys read from a file.
pub fn repaired_copy(report: &KeyReport, key_file: &Path) -> Option<Fix> {
    let KeyState::Parsed(parsed) = &report.state else { return None };
    let rsa = parsed.rsa.as_ref()?;
    let pem = if parsed.format.starts_with("PKCS#1") {
        Secret::new(rsa.to_pkcs1_pem(rsa::pkcs8::LineEnding::LF).ok()?.to_string())
    } else {
        keys::pkcs8_pem(rsa).ok()?
    };
    let copy = sibling(key_file, "fixed", "key");
    Some(
        Fix::new(
            Action::Create {
                file: copy.clone(),
                contents: Contents::Secret { contents: pem, what: "the repaired private key" },
                mode: 0o600,
            },
            format!("a clean PEM copy of the key in {} (the damaged file is left as it is)", key_file.display()),
        )
        .then(format!(
            "use {} as the key (or store its contents as the CI secret again), then delete the damaged one",
            copy.display()
        )),
    )
}

/// A self-signed certificate for the key, written next to it (`server.fixed.crt`), for an app
/// whose certificate is another key's. The same key and clock give the same certificate.
pub fn new_certificate(report: &KeyReport, key_file: &Path, common_name: &str, now: i64) -> Option<(Fix, String)> {
    let rsa = report.parsed()?.rsa.as_ref()?;
    let request = keys::CertificateRequest { common_name, not_before: now, valid_days: 730 };
    let pem = keys::self_signed(rsa, &request).ok()?;
    let file = sibling(key_file, "fixed", "crt");
    let fix = Fix::new(
        Action::Create { file, contents: Contents::Text(pem.clone()), mode: 0o644 },
        format!("a self-signed certificate for the key in {}, valid 730 days", key_file.display()),
    );
    Some((fix, pem))
}

/// `dir/server.<tag>.<extension>` for `dir/server.key`.
fn sibling(file: &Path, tag: &str, extension: &str) -> PathBuf {
    let stem = file.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "server".into());
    file.with_file_name(format!("{stem}.{tag}.{extension}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::key::examine;

    #[test]
    fn a_damaged_key_gets_a_clean_copy_next_to_it_in_its_own_format() {
        let damaged = include_bytes!("../../fixtures/keys/mangled/one-line.pem");
        let report = examine("ci/server.key".into(), damaged, false);
        let fix = repaired_copy(&report, Path::new("ci/server.key")).expect("a fix");
        let Action::Create { file, contents: Contents::Secret { contents, .. }, mode } = &fix.action else {
            panic!("{fix:?}")
        };
        assert_eq!((file.as_path(), *mode), (Path::new("ci/server.fixed.key"), 0o600));
        let clean = examine("copy".into(), contents.expose().as_bytes(), false);
        assert!(clean.damage.is_empty(), "{:?}", clean.damage);
        assert_eq!(clean.parsed().unwrap().spki_sha256, report.parsed().unwrap().spki_sha256);
        assert!(!format!("{fix:?}").contains("PRIVATE KEY"), "the key never shows in debug output");
    }
}
