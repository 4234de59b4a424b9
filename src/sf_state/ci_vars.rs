//! The names CI pipelines already use for the inputs of a JWT login, read as low-precedence
//! sources so a pipeline's own variables work without renaming. Only names with a public source
//! that uses them for exactly this meaning are listed.
//!
//! The instance URL has no entry here: the sf CLI's own `SF_ORG_INSTANCE_URL`, `SFDX_INSTANCE_URL`
//! and `SF_INSTANCE_URL` (`org-instance-url`, see [`super::config::ORG_INSTANCE_URL`]) cover it.

use super::Env;

/// Which input a variable holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CiInput {
    ClientId,
    /// The private key itself: PEM, or base64 of the PEM.
    Key,
    Username,
}

#[derive(Debug)]
pub struct CiVariable {
    pub name: &'static str,
    pub input: CiInput,
    /// Who uses the name, and where it is documented.
    pub used_by: &'static str,
}

/// In precedence order within each input.
pub static CI_VARIABLES: &[CiVariable] = &[
    CiVariable {
        name: "SFDX_CLIENT_ID",
        input: CiInput::ClientId,
        used_by: "CumulusCI (docs/headless.md, docs/env-var-reference.md) and sfdx-hardis (src/common/utils/authUtils.ts)",
    },
    CiVariable {
        name: "SFDX_CONSUMER_KEY",
        input: CiInput::ClientId,
        used_by: "the CircleCI Salesforce sfdx orb (CircleCI-Public/Salesforce-sfdx-cli-orb, README.md)",
    },
    CiVariable {
        name: "SFDX_HUB_KEY",
        input: CiInput::Key,
        used_by: "CumulusCI: the PEM of the key (docs/headless.md)",
    },
    CiVariable {
        name: "SFDX_HUB_KEY_BASE64",
        input: CiInput::Key,
        used_by: "CumulusCI's own CI: base64 of the PEM (.github/workflows/release_test_sfdx.yml)",
    },
    CiVariable {
        name: "SFDX_JWT_KEY",
        input: CiInput::Key,
        used_by: "the CircleCI Salesforce sfdx orb: base64 of the PEM (README.md)",
    },
    CiVariable {
        name: "SFDX_HUB_USERNAME",
        input: CiInput::Username,
        used_by: "CumulusCI's own CI: the Dev Hub user (.github/workflows/release_test_sfdx.yml)",
    },
    CiVariable {
        name: "TARGET_USERNAME",
        input: CiInput::Username,
        used_by: "sfdx-hardis (src/common/utils/authUtils.ts)",
    },
];

/// The first variable set for `input`, with its name.
pub fn lookup(env: &Env, input: CiInput) -> Option<(&'static str, String)> {
    CI_VARIABLES
        .iter()
        .filter(|v| v.input == input)
        .find_map(|v| env.get(v.name).map(|value| (v.name, value.to_string())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_set_name_wins_per_input() {
        let env = Env::new([
            ("SFDX_CONSUMER_KEY".to_string(), "3MVG9second".to_string()),
            ("SFDX_CLIENT_ID".to_string(), String::new()),
            ("SFDX_JWT_KEY".to_string(), "LS0t".to_string()),
            ("TARGET_USERNAME".to_string(), "ci@acme.com".to_string()),
        ]);
        assert_eq!(lookup(&env, CiInput::ClientId), Some(("SFDX_CONSUMER_KEY", "3MVG9second".into())));
        assert_eq!(lookup(&env, CiInput::Key).map(|(name, _)| name), Some("SFDX_JWT_KEY"));
        assert_eq!(lookup(&env, CiInput::Username), Some(("TARGET_USERNAME", "ci@acme.com".into())));
        assert_eq!(lookup(&Env::default(), CiInput::Username), None);
    }

    #[test]
    fn every_name_says_where_it_comes_from() {
        for variable in CI_VARIABLES {
            assert!(variable.used_by.contains('('), "{} has no source", variable.name);
        }
    }
}
