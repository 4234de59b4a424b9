//! RSA key pairs and self-signed certificates for tests, and JWTs signed with them.
//!
//! The tests use the committed TEST-ONLY fixture pairs (`fixtures/generate.sh`), so that they
//! need no tool besides cargo. [`TestKey::generate`] makes a fresh pair with the `openssl`
//! command, for the example fake server (generating a 2048-bit key with the rsa crate takes
//! seconds in a debug build, openssl a fraction of one).

// Each test crate and the example use a different part of this module.
#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rsa::pkcs8::DecodePrivateKey;
use rsa::{Pkcs1v15Sign, PrivateKey as RsaPrivateKey};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// A private key with the self-signed certificate an app would hold.
pub struct TestKey {
    /// PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`), unencrypted, as `sf org login jwt` wants.
    pub private_key_pem: String,
    pub certificate_pem: String,
    key: RsaPrivateKey,
}

impl TestKey {
    /// A fresh 2048-bit key and a one-year certificate for it.
    pub fn generate() -> TestKey {
        let dir = tempfile::tempdir().expect("create a temporary directory");
        let (key_path, cert_path) = (dir.path().join("server.key"), dir.path().join("server.crt"));
        let output = Command::new("openssl")
            .args(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "365"])
            .args(["-subj", "/CN=sfjwt fake salesforce test"])
            .arg("-keyout")
            .arg(&key_path)
            .arg("-out")
            .arg(&cert_path)
            .output()
            .expect("run openssl (it must be on PATH)");
        assert!(output.status.success(), "openssl failed: {}", String::from_utf8_lossy(&output.stderr));
        let private_key_pem = fs::read_to_string(&key_path).expect("read the generated key");
        let key = RsaPrivateKey::from_pkcs8_pem(&private_key_pem).expect("openssl wrote PKCS#8");
        TestKey {
            private_key_pem,
            certificate_pem: fs::read_to_string(&cert_path).expect("read the generated certificate"),
            key,
        }
    }

    /// A key pair from `fixtures/`: a PKCS#8 key and its certificate.
    pub fn from_fixtures(key: &str, certificate: &str) -> TestKey {
        let read = |path: &str| {
            let full = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures").join(path);
            fs::read_to_string(&full).unwrap_or_else(|error| panic!("{}: {error}", full.display()))
        };
        let private_key_pem = read(key);
        let key = RsaPrivateKey::from_pkcs8_pem(&private_key_pem).expect("a PKCS#8 RSA fixture key");
        TestKey { private_key_pem, certificate_pem: read(certificate), key }
    }

    /// The fixture pair `keys/rsa2048.pkcs8.pem` and `certs/rsa2048.crt`.
    pub fn shared() -> &'static TestKey {
        static KEY: OnceLock<TestKey> = OnceLock::new();
        KEY.get_or_init(|| TestKey::from_fixtures("keys/rsa2048.pkcs8.pem", "certs/rsa2048.crt"))
    }

    /// A second, unrelated fixture pair: its signatures do not match [`TestKey::shared`]'s certificate.
    pub fn other() -> &'static TestKey {
        static KEY: OnceLock<TestKey> = OnceLock::new();
        KEY.get_or_init(|| TestKey::from_fixtures("keys/rsa2048-other.pkcs8.pem", "certs/rsa2048-other.crt"))
    }

    /// Writes `server.key` and `server.crt` into `dir`; returns their paths.
    pub fn write_files(&self, dir: &Path) -> (PathBuf, PathBuf) {
        let key_path = dir.join("server.key");
        let cert_path = dir.join("server.crt");
        fs::write(&key_path, &self.private_key_pem).expect("write server.key");
        fs::write(&cert_path, &self.certificate_pem).expect("write server.crt");
        (key_path, cert_path)
    }

    /// RSASSA-PKCS1-v1_5 with SHA-256 over `data` (the JWS RS256 signature).
    pub fn sign(&self, data: &[u8]) -> Vec<u8> {
        let digest = Sha256::digest(data);
        self.key.sign(Pkcs1v15Sign::new::<Sha256>(), &digest).expect("RSA signing")
    }

    /// A compact RS256 JWT with the sf CLI's header `{"alg":"RS256","typ":"JWT"}`.
    pub fn jwt(&self, claims: &Value) -> String {
        self.jwt_with_header(&json!({"alg": "RS256", "typ": "JWT"}), claims)
    }

    /// A compact JWT with any header, signed RS256 whatever the header says.
    pub fn jwt_with_header(&self, header: &Value, claims: &Value) -> String {
        let signing_input = format!("{}.{}", base64url_json(header), base64url_json(claims));
        let signature = URL_SAFE_NO_PAD.encode(self.sign(signing_input.as_bytes()));
        format!("{signing_input}.{signature}")
    }
}

/// Claims a correct client sends: `exp` five minutes ahead, in seconds.
pub fn claims(issuer: &str, subject: &str, audience: &str) -> Value {
    json!({"iss": issuer, "sub": subject, "aud": audience, "exp": unix_now() + 300})
}

pub fn unix_now() -> i64 {
    let since_epoch = SystemTime::now().duration_since(UNIX_EPOCH).expect("the clock is after 1970");
    since_epoch.as_secs() as i64
}

fn base64url_json(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(value.to_string())
}
