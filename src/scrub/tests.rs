use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use proptest::prelude::*;

use super::plant::{self, ENCODINGS, Encoding, Form};
use super::*;

/// A JWT with claims {"iss":"3MVGFAKE","sub":"ci@example.com","aud":"https://login.salesforce.com"}.
fn jwt() -> String {
    let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"RS256","typ":"JWT"}"#);
    let claims =
        URL_SAFE_NO_PAD.encode(r#"{"iss":"3MVGFAKE","sub":"ci@example.com","aud":"https://login.salesforce.com"}"#);
    format!("{header}.{claims}.c2lnbmF0dXJlLXNpZ25hdHVyZQ")
}

#[test]
fn jwts_are_numbered_and_their_claims_kept() {
    let text = format!("grant_type=x&assertion={}&y=1", jwt());
    let scrubbed = scrub_numbered(&text);
    assert_eq!(scrubbed.text, "grant_type=x&assertion=[REDACTED-JWT-1]&y=1");
    assert!(scrubbed.found);
    let claims = claims_for("[REDACTED-JWT-1]&y", &scrubbed.claims).unwrap();
    assert_eq!(claims.sub.as_deref(), Some("ci@example.com"));
    assert_eq!(claims.iss.as_deref(), Some("3MVGFAKE"));
    assert_eq!(claims.aud.as_deref(), Some("https://login.salesforce.com"));
    assert_eq!(scrub(&text), "grant_type=x&assertion=[REDACTED-JWT]&y=1");
}

#[test]
fn a_jwt_in_a_claim_is_masked_in_the_claims_too() {
    let inner = jwt();
    let outer = format!("eyJhbGciOiJub25lIn0.{}.", URL_SAFE_NO_PAD.encode(format!(r#"{{"sub":"{inner}"}}"#)));
    let scrubbed = scrub_numbered(&outer);
    assert_eq!(scrubbed.text, "[REDACTED-JWT-1]");
    assert_eq!(scrubbed.claims[0].sub.as_deref(), Some("[REDACTED-JWT]"));
}

#[test]
fn non_jwt_assertions_are_masked_too() {
    assert_eq!(scrub("grant_type=x&assertion=not-a-jwt&y=1"), "grant_type=x&assertion=[REDACTED-TOKEN]&y=1");
    assert_eq!(
        scrub("invalid_grant - invalid assertion \nusername: a@b.c"),
        "invalid_grant - invalid assertion \nusername: a@b.c"
    );
}

#[test]
fn tokens_in_every_spelling() {
    let text = concat!(
        r#"{"access_token":"00Dxx0000001gPL!AR8AQJXg5oj8jXSgxJfA0lBog.39AsX","token_type":"Bearer"}"#,
        "\nAuthorization: Bearer abcdefgh12345678\nrefresh_token=5Aep861abc&x=1\n",
        "{accessToken: 'tok-tok-tok'} sid 00D000000000001!AQ8AQJXg5oj8jXSgxJfA0lBog.39\n",
        "Cookie: sid=AQ8AQJXg5oj8jXSg; path=/\n<consumerSecret>F00DCAFE</consumerSecret>\n",
        "sfjwt doctor --admin-token s3cr3t-v4lue --offline\nHTTPS_PROXY=user:hunter2@proxy.corp:3128\n",
        "Location: https://x.example/cb#access_token=zzzzzzzzzz&state=1\n",
        r#""accessToken": "[REDACTED] Use 'sf org auth show-access-token' to view""#,
    );
    let out = scrub(text);
    for secret in ["AR8AQ", "abcdefgh", "5Aep861abc", "tok-tok", "AQ8AQ", "F00DCAFE", "s3cr3t", "hunter2", "zzzzz"] {
        assert!(!out.contains(secret), "{secret}: {out}");
    }
    for kept in [r#""token_type":"Bearer""#, "[REDACTED] Use 'sf org auth", "path=/", "--offline", "@proxy.corp:3128"] {
        assert!(out.contains(kept), "{kept}: {out}");
    }
}

/// Found by the property test: noise after an unpadded base64 run joined it ("…WEps a0=A").
#[test]
fn a_base64_run_followed_by_noise_is_still_decoded() {
    let planted = plant::plant(Form::Jwt, Encoding::Base64, "CnSignatureCanary0123456789");
    for noise in [
        " a0=A",
        " abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJ",
        "\nx",
        " g+++aA+aAa+++aaa0A0+0Aa+0c/++AK+0+0A0++AA+za",
    ] {
        let out = scrub(&format!("{}{noise}", planted.text.trim_end_matches('=')));
        assert!(out.starts_with("[REDACTED-JWT]"), "{noise:?}: {out}");
    }
}

/// Found by the `scrub` fuzz target: a long base64-looking word of noise right before a key body
/// joined its run, which then did not start like DER.
#[test]
fn a_key_body_after_a_long_word_is_still_a_key() {
    let body = plant::key_body("CnKeyBodyCanary0123456789");
    for before in ["approveMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMCIsInN1YiI6Im ", "x".repeat(80).as_str()] {
        let text = format!(
            "{before} {}",
            body.as_bytes().chunks(76).map(|c| std::str::from_utf8(c).unwrap()).collect::<Vec<_>>().join("\n")
        );
        let out = scrub(&text);
        assert!(!out.contains("CnKeyBodyCanary0"), "{out}");
    }
}

/// Certificates, CSRs and public keys are not secrets: diffs and reports may show them.
#[test]
fn public_der_stays_and_private_der_goes() {
    let body = |path: &str| {
        let pem = std::fs::read_to_string(format!("{}/fixtures/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap();
        pem.lines()
            .filter(|l| !l.starts_with("-----") && !l.contains(':') && !l.is_empty())
            .collect::<Vec<_>>()
            .join("\n")
    };
    for public in ["certs/rsa2048.crt", "keys/rsa2048.public.pem", "keys/rsa2048.csr.pem"] {
        let text = body(public);
        assert_eq!(scrub(&text), text, "{public}");
    }
    for private in [
        "keys/rsa2048.pkcs8.pem",
        "keys/rsa2048.pkcs1.pem",
        "keys/ec-p256.pem",
        "keys/rsa2048.encrypted-pkcs8.pem",
        "keys/ed25519.pem",
    ] {
        assert_eq!(scrub(&body(private)), "[REDACTED-KEY]", "{private}");
    }
}

#[test]
fn key_bodies_with_any_armor_or_none() {
    for armor in plant::ARMORS {
        let planted = plant::plant(Form::Key(*armor), Encoding::Plain, "CnKeyBodyCanary0123456789");
        let out = scrub(&planted.text);
        assert_eq!(planted.leak_in(&out), None, "{armor:?}: {out}");
        assert!(out.contains("[REDACTED-KEY]"), "{armor:?}: {out}");
    }
}

#[test]
fn innocuous_text_is_left_alone() {
    for text in [
        "user hasn't approved this consumer",
        "invalid_grant: audience is invalid (aud https://test.salesforce.com)",
        "3MVG9EXAMPLE0nly.TestKey_ForSfjwtDocs0000000000000000000000000000000000000000000",
        "SPKI SHA-256 494e72c79fa287880e1a37307ec85618b3763cfdf5cfe787a23d26226abf7c52",
        "https://acme--uat.sandbox.my.salesforce.com/services/oauth2/token",
        "https://login.salesforce.com/services/oauth2/authorize?response_type=code&client_id=3MVG9x&redirect_uri=http%3A%2F%2Flocalhost%3A1717%2FOauthRedirect&scope=api%20refresh_token",
        "username: ci@acme.com.uat, org 00D000000000001EAA, user 005000000000001AAA",
        "username:ci@acme.com",
        r#"{"token_type":"Bearer","scope":"api id","instance_url":"https://acme.my.salesforce.com"}"#,
        "run it again as `SF_TEMP_SHOW_SECRETS=true sf org display --json`",
        "printf '%s' \"$SF_JWT_KEY_B64\" | base64 -d > server.key",
        "SFJWT_ADMIN_TOKEN=… sfjwt doctor",
        "no PEM armor (`-----BEGIN … PRIVATE KEY-----`) and not base64",
        "the private key file was damaged in transit: Bearer tokens",
        "exp 1798761780 (2027-01-01 00:03:00 UTC)",
        "sfjwt explain key.mangled",
    ] {
        assert_eq!(scrub(text), text);
        assert!(!contains_secret(text), "{text}");
    }
}

/// Found by the `scrub` fuzz target: 40 bytes before `PRIVATE KEY` fell inside a character.
#[test]
fn multibyte_text_before_an_armor_label_does_not_panic() {
    for prefix in ["\u{e9}".repeat(30), "\u{fffd}".repeat(20), format!("x{}", "\u{1f600}".repeat(15))] {
        let text = format!("{prefix} PRIVATE KEY----- MIIEvgIBADANBgkqhkiG9w0BAQEFAASC");
        let _ = scrub(&text);
        let _ = scrub(&format!("BEGIN{prefix}PRIVATE KEY MIIEvgIBADANBgkqhkiG9w0BAQEFAASC"));
    }
}

/// Found by the `scrub` fuzz target: a planted `sid: …` in base64, joined by noise whose decoded
/// bytes held a vertical tab, made the bare value "not a token".
#[test]
fn a_bare_value_ends_at_any_control_character() {
    for control in ['\u{b}', '\u{10}', '\u{7f}', '\u{0}'] {
        let text = format!("sid: Cn7TTEHwddNHrdUCNf2kfnKmcx2{control}QfAAmAT");
        assert!(!scrub(&text).contains("Cn7TTEH"), "{control:?}");
    }
}

#[test]
fn near_misses_stay() {
    for text in ["eyJ", "eyJabc.def", "eyJhbGciOiJIUzI1NiJ9.e", "-----BEGIN ", "00D!x", "bearer x", "MIIE"] {
        assert_eq!(scrub(text), text);
    }
}

#[test]
fn pathological_runs_stay_linear() {
    for unit in [
        "A",
        "AAAA\n",
        "eyJ",
        "00D",
        "%25",
        "&#",
        "\\u",
        "a:",
        "@",
        ":@",
        "M",
        "MIIE ",
        "5Aep8",
        "password=",
        "://a@",
        "Bearer ",
    ] {
        let text = unit.repeat(300_000 / unit.len());
        let started = std::time::Instant::now();
        let _ = scrub(&text);
        eprintln!("{unit:?}: {:?}", started.elapsed());
        assert!(started.elapsed().as_secs() < 10, "{unit:?} took {:?}", started.elapsed());
    }
}

fn forms() -> impl Strategy<Value = Form> {
    proptest::sample::select(plant::forms())
}

fn encodings() -> impl Strategy<Value = Encoding> {
    proptest::sample::select(ENCODINGS.to_vec())
}

/// Printable noise, and base64-looking words long enough to join a planted body's run.
fn noise() -> impl Strategy<Value = String> {
    prop_oneof!["[ -~\n\t]{0,60}", "[A-Za-z0-9+/]{30,90}=?", "[A-Za-z0-9 ]{0,60}"]
}

fn separator() -> impl Strategy<Value = &'static str> {
    proptest::sample::select(vec![" ", "\n", ", ", "; ", " (", "\t", "\r\n", " | "])
}

proptest! {
    // PROPTEST_CASES raises it for a longer hunt.
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(2000),
        ..ProptestConfig::default()
    })]

    /// Any canary, in any form and encoding, in any noise: no 16-character run survives.
    #[test]
    fn no_planted_secret_survives(
        form in forms(),
        encoding in encodings(),
        seed in any::<Vec<u8>>(),
        before in noise(),
        after in noise(),
        left in separator(),
        right in separator(),
    ) {
        let planted = plant::plant(form, encoding, &plant::canary(&seed));
        let text = format!("{before}{left}{}{right}{after}", planted.text);
        let out = scrub(&text);
        prop_assert_eq!(planted.leak_in(&out), None, "{:?} {:?}:\n{}\n=>\n{}", form, encoding, text, out);
    }

    /// Scrubbing is idempotent and never panics.
    #[test]
    fn scrubbing_twice_changes_nothing(text in "[ -~\n]{0,200}|(eyJ|ey|\\.|%2[25]|&#|&quot;|\\\\u00|\\\\\"|:|=|@|://|MII|00D|!|Bearer |password|sid|[A-Za-z0-9]{1,20}| |\n){0,60}") {
        let once = scrub(&text);
        prop_assert_eq!(scrub(&once), once.clone());
    }
}
