//! The SAML bearer flow's assertion: the rules of `crate::saml`, over the assertion given with
//! `--assertion` or found in `--error`.

use crate::{
    evidence::Evidence,
    finding::Outcome,
    saml::{self, Context, Reading},
};

fn with_reading(ev: &Evidence, rule: impl Fn(&Reading, &Context) -> Outcome) -> Outcome {
    match ev.saml() {
        Some((reading, captured)) => rule(reading, &ev.saml_context(captured)),
        None => Outcome::skip("no SAML assertion: give it with --assertion (XML, base64 or base64url)"),
    }
}

pub fn structure(ev: &Evidence) -> Outcome {
    with_reading(ev, |reading, _| saml::structure(reading))
}

pub fn signature(ev: &Evidence) -> Outcome {
    with_reading(ev, saml::signature)
}

pub fn issuer(ev: &Evidence) -> Outcome {
    with_reading(ev, saml::issuer)
}

pub fn subject(ev: &Evidence) -> Outcome {
    with_reading(ev, saml::subject)
}

pub fn audience(ev: &Evidence) -> Outcome {
    with_reading(ev, saml::audience)
}

pub fn validity(ev: &Evidence) -> Outcome {
    with_reading(ev, saml::validity)
}
