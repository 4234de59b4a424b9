//! Canaries: made-up secrets of every kind, planted in every form and encoding the scrubber must
//! see through. The property tests and the `scrub` fuzz target plant them in noise and check that
//! no 16-character run of one survives. Nothing here is real key material: a "key body" is the
//! DER prefix every key starts with, followed by the canary's characters.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};

/// How a secret is presented.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// A compact JWS whose signature is the canary.
    Jwt,
    /// A JWT whose `sub` claim is another JWT (signed with the canary).
    JwtInClaim,
    /// `00D…!<canary>`.
    SessionId,
    /// `5Aep861<canary>`.
    RefreshToken,
    /// `"<name>":"<canary>"`.
    JsonField(usize),
    /// `<name>=<canary>` in a query string or form body.
    FormField(usize),
    /// `<name>: <canary>` (a header, YAML, a log label).
    ColonField(usize),
    /// `<Name>canary</Name>`.
    XmlElement(usize),
    /// `--admin-token <canary>`.
    Flag,
    /// `Authorization: Bearer <canary>`.
    Bearer,
    /// `https://user:<canary>@proxy.example.com:3128/`.
    UrlPassword,
    /// `user:<canary>@proxy.example.com:3128`.
    ProxyWithoutScheme,
    /// A key body, armored or not, whole or damaged.
    Key(Armor),
}

/// Field names a secret travels under.
pub const NAMES: &[&str] = &[
    "access_token",
    "refresh_token",
    "id_token",
    "client_secret",
    "accessToken",
    "refreshToken",
    "password",
    "sid",
    "SFJWT_ADMIN_TOKEN",
    "x-sfdc-session",
    "consumerSecret",
    "sfdxAuthUrl",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Armor {
    Intact,
    /// The BEGIN line with a dash missing after the label.
    DashMissing,
    /// The BEGIN line without its dashes.
    NoDashes,
    /// The whole PEM on one line.
    OneLine,
    /// Only the base64 body.
    None,
    /// The body with spaces where its line breaks were.
    Spaces,
    /// Base64 of the whole PEM, as CI secrets hold it.
    Base64OfPem,
}

pub const ARMORS: &[Armor] = &[
    Armor::Intact,
    Armor::DashMissing,
    Armor::NoDashes,
    Armor::OneLine,
    Armor::None,
    Armor::Spaces,
    Armor::Base64OfPem,
];

/// How the planted text is encoded on its way in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Plain,
    /// Every byte that is not a letter or digit as `%XX`.
    Percent,
    /// Percent-encoded twice.
    DoublePercent,
    /// Every character that is not a letter or digit as an HTML entity (`&quot;`, `&#58;`).
    Html,
    /// Inside a JSON string: `\"`, `\n`, `\/`.
    JsonString,
    /// Every character that is not a letter or digit as `\u00XX`.
    JsonUnicode,
    /// Base64 of the whole planted text.
    Base64,
    /// CRLF line ends, and tabs and spaces around separators.
    Whitespace,
}

pub const ENCODINGS: &[Encoding] = &[
    Encoding::Plain,
    Encoding::Percent,
    Encoding::DoublePercent,
    Encoding::Html,
    Encoding::JsonString,
    Encoding::JsonUnicode,
    Encoding::Base64,
    Encoding::Whitespace,
];

/// Every form, for tests that want them all.
pub fn forms() -> Vec<Form> {
    let mut forms = vec![
        Form::Jwt,
        Form::JwtInClaim,
        Form::SessionId,
        Form::RefreshToken,
        Form::Flag,
        Form::Bearer,
        Form::UrlPassword,
        Form::ProxyWithoutScheme,
    ];
    for i in 0..NAMES.len() {
        forms.extend([Form::JsonField(i), Form::FormField(i), Form::ColonField(i), Form::XmlElement(i)]);
    }
    forms.extend(ARMORS.iter().map(|a| Form::Key(*a)));
    forms
}

/// A canary from arbitrary bytes: letters and digits only (so no encoding splits it), 24 to 48
/// characters, with a digit (as every token has), and not a word any detector keys on.
pub fn canary(seed: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    for &b in seed {
        state = (state ^ u64::from(b)).wrapping_mul(0x100_0000_01B3);
    }
    let len = 24 + (state % 25) as usize;
    let mut out = String::from("Cn7");
    while out.len() < len {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        out.push(char::from(ALPHABET[(state % ALPHABET.len() as u64) as usize]));
    }
    out
}

/// The secret in its form, and the strings that must not survive (the canary, and for base64
/// the encoded text around it).
pub fn plant(form: Form, encoding: Encoding, canary: &str) -> Planted {
    let text = present(form, canary);
    let (text, extra) = encode(&text, encoding);
    let mut needles = vec![canary.to_string()];
    needles.extend(extra);
    Planted { text, needles }
}

pub struct Planted {
    pub text: String,
    pub needles: Vec<String>,
}

impl Planted {
    /// The first 16-character run of a needle that `output` holds, if any.
    pub fn leak_in(&self, output: &str) -> Option<String> {
        leak(&self.needles, output)
    }
}

/// The first 16-character run of one of `needles` that `output` holds.
pub fn leak(needles: &[String], output: &str) -> Option<String> {
    needles.iter().find_map(|needle| {
        let chars: Vec<char> = needle.chars().collect();
        chars.windows(16.min(chars.len())).map(|w| w.iter().collect::<String>()).find(|run| output.contains(run))
    })
}

fn jwt_with_signature(claims: &str, signature: &str) -> String {
    format!(
        "{}.{}.{signature}",
        URL_SAFE_NO_PAD.encode(r#"{"alg":"RS256","typ":"JWT"}"#),
        URL_SAFE_NO_PAD.encode(claims)
    )
}

/// A key body: the DER prefix of a PKCS#8 RSA key, then the canary, repeated to a key's length.
pub fn key_body(canary: &str) -> String {
    let mut body = String::from("MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQ");
    while body.len() < 1200 {
        body.push_str(canary);
    }
    body
}

fn wrap(body: &str, width: usize, separator: &str) -> String {
    body.as_bytes().chunks(width).map(|c| String::from_utf8_lossy(c).into_owned()).collect::<Vec<_>>().join(separator)
}

fn present(form: Form, canary: &str) -> String {
    let name = |i: usize| NAMES[i % NAMES.len()];
    match form {
        Form::Jwt => jwt_with_signature(r#"{"iss":"3MVG9x","sub":"ci@example.com"}"#, canary),
        Form::JwtInClaim => {
            let inner = jwt_with_signature(r#"{"sub":"x"}"#, canary);
            jwt_with_signature(&format!(r#"{{"sub":"{inner}"}}"#), "c2lnbmF0dXJl")
        }
        Form::SessionId => format!("00D000000000001!{canary}"),
        Form::RefreshToken => format!("5Aep861{canary}"),
        Form::JsonField(i) => format!(r#"{{"{}":"{canary}","token_type":"Bearer"}}"#, name(i)),
        Form::FormField(i) => format!("https://example.com/cb?x=1&{}={canary}&y=2", name(i)),
        Form::ColonField(i) => format!("{}: {canary}", name(i)),
        Form::XmlElement(i) => format!("<{n}>{canary}</{n}>", n = name(i)),
        Form::Flag => format!("sfjwt doctor --admin-token {canary} --offline"),
        Form::Bearer => format!("Authorization: Bearer {canary}"),
        Form::UrlPassword => format!("https://proxyuser:{canary}@proxy.example.com:3128/"),
        Form::ProxyWithoutScheme => format!("proxyuser:{canary}@proxy.example.com:3128"),
        Form::Key(armor) => {
            let body = key_body(canary);
            let label = "PRIVATE KEY";
            match armor {
                Armor::Intact => format!("-----BEGIN {label}-----\n{}\n-----END {label}-----\n", wrap(&body, 64, "\n")),
                Armor::DashMissing => {
                    format!("-----BEGIN {label}----\n{}\n-----END {label}-----\n", wrap(&body, 64, "\n"))
                }
                Armor::NoDashes => format!("BEGIN {label}\n{}\nEND {label}\n", wrap(&body, 64, "\n")),
                Armor::OneLine => format!("-----BEGIN {label}-----{body}-----END {label}-----"),
                Armor::None => wrap(&body, 76, "\n"),
                Armor::Spaces => {
                    format!("-----BEGIN {label}----- {} -----END {label}-----", wrap(&body, 64, " "))
                }
                Armor::Base64OfPem => STANDARD
                    .encode(format!("-----BEGIN {label}-----\n{}\n-----END {label}-----\n", wrap(&body, 64, "\n"))),
            }
        }
    }
}

fn encode(text: &str, encoding: Encoding) -> (String, Vec<String>) {
    let keep = |c: char| c.is_ascii_alphanumeric();
    match encoding {
        Encoding::Plain => (text.to_string(), Vec::new()),
        Encoding::Percent => (percent(text), Vec::new()),
        Encoding::DoublePercent => (percent(&percent(text)), Vec::new()),
        Encoding::Html => {
            let html = text
                .chars()
                .map(|c| match c {
                    c if keep(c) => c.to_string(),
                    '"' => "&quot;".into(),
                    '&' => "&amp;".into(),
                    '<' => "&lt;".into(),
                    '>' => "&gt;".into(),
                    c => format!("&#{};", u32::from(c)),
                })
                .collect();
            (html, Vec::new())
        }
        Encoding::JsonString => {
            let json = serde_json::to_string(text).unwrap_or_default();
            (json.replace('/', "\\/"), Vec::new())
        }
        Encoding::JsonUnicode => (
            text.chars().map(|c| if keep(c) { c.to_string() } else { format!("\\u{:04x}", u32::from(c)) }).collect(),
            Vec::new(),
        ),
        Encoding::Base64 => {
            let encoded = STANDARD.encode(text);
            (encoded.clone(), vec![encoded])
        }
        Encoding::Whitespace => {
            let spaced = text.replace('\n', "\r\n").replacen(": ", " :\t ", 1).replacen('=', " = ", 1).replacen(
                "Bearer ",
                "Bearer \t ",
                1,
            );
            (spaced, Vec::new())
        }
    }
}

fn percent(text: &str) -> String {
    text.bytes()
        .map(|b| if b.is_ascii_alphanumeric() { char::from(b).to_string() } else { format!("%{b:02X}") })
        .collect()
}
