//! The metadata `sfjwt setup` writes, in source format (`sf project deploy start` reads it).
//!
//! Followed, from the Metadata API Developer Guide v67.0 (Summer '26):
//! - `ExternalClientApplication` (`.eca`, `externalClientApps/`): the header; `distributionState`
//!   `Local` (not packaged), `isProtected` false, `label`, optional `contactEmail`.
//! - `ExtlClntAppGlobalOauthSettings` (`.ecaGlblOauth`, `extlClntAppGlobalOauthSets/`): `callbackUrl`,
//!   and `certificate`, "the PEM-encoded certificate string. When provided, it enables the JWT
//!   Bearer flow" (API 60.0+). No `consumerKey`: Salesforce generates one on the first deploy.
//!   `isPkceRequired` true (the default; `sf org login web` uses PKCE),
//!   `shouldRotateConsumerKey`/`shouldRotateConsumerSecret` false so a redeploy keeps the key.
//! - `ExtlClntAppOauthSettings` (`.ecaOauth`, `extlClntAppOauthSettings/`):
//!   `commaSeparatedOauthScopes` `Api, RefreshToken` (sf_facts §2.5: prior approval needs
//!   `refresh_token`; the sf CLI needs `api`).
//! - `ExtlClntAppOauthConfigurablePolicies` (`.ecaOauthPlcy`, `extlClntAppOauthPolicies/`):
//!   `permittedUsersPolicyType` `AdminApprovedPreAuthorized` with `commaSeparatedPermissionSet`
//!   ("This field or commaSeparatedProfile is used when permittedUsersPolicyType is set to
//!   AdminApprovedPreAuthorized"). The guide calls the list "Permission set IDs"; public projects
//!   that deploy External Client Apps give the permission set's API name there, which is what
//!   this writes (an ID differs in every org). `ipRelaxationPolicyType` `Enforce`, refresh
//!   tokens valid 90 days and a 15-minute session, as the DX guide's External Client App steps
//!   recommend (sf_facts §3.4). No `requiredSessionLevel`: High Assurance blocks JWT logins.
//! - `ExtlClntAppConfigurablePolicies` (`.ecaPlcy`, `extlClntAppPolicies/`): `isEnabled` and
//!   `isOauthPluginEnabled` true (both required to be on for OAuth, API 60.0+).
//! - `PermissionSet` (`.permissionset`, `permissionsets/`): only `label`, `description` and
//!   `hasActivationRequired` false. PermissionSet has no field that names an app: access to a
//!   connected app or External Client App is granted from the app's side (above, and
//!   `ConnectedApp.permissionSetName`), so this permission set is the pre-authorization gate.
//! - `ConnectedApp` (`.connectedApp`, `connectedApps/`), with `--connected-app` only:
//!   `contactEmail` (required), `oauthConfig.callbackUrl` (required), `oauthConfig.certificate`,
//!   `oauthConfig.isAdminApproved` true ("only users with the appropriate profile or permission
//!   set can access the app", API 46.0+), `oauthConfig.scopes` `Api` and `RefreshToken`,
//!   `oauthPolicy.ipRelaxation` `ENFORCE`, `oauthPolicy.refreshTokenPolicy`
//!   `specific_lifetime:90:DAYS`, top-level `permissionSetName`. "Connected apps creation is
//!   restricted as of Spring '26" (the same page; KB 005228017).

use std::path::PathBuf;

/// The Metadata API version the files are written for (and `sourceApiVersion` of a project
/// `sfjwt setup` creates): v67.0, Summer '26, the version of the guide pages above.
pub const METADATA_API_VERSION: &str = "67.0";

/// `sf org login web` listens here (sfdx-core `getRedirectUri`; catalog fact-check row 4).
pub const DEFAULT_CALLBACK_URL: &str = "http://localhost:1717/OauthRedirect";

const NAMESPACE: &str = "http://soap.sforce.com/2006/04/metadata";

/// What the files describe.
#[derive(Debug, Clone)]
pub struct AppSpec {
    /// API name: letters, digits and single underscores, starting with a letter.
    pub name: String,
    pub label: String,
    pub contact_email: Option<String>,
    pub callback_url: String,
    /// PEM, armoured.
    pub certificate_pem: String,
    pub permission_set: String,
    pub connected_app: bool,
}

/// One file to write, relative to the source directory (`force-app/main/default`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetadataFile {
    pub relative: PathBuf,
    /// The Metadata API type, for `--format json` and `--metadata Type:Name`.
    pub metadata_type: &'static str,
    pub member: String,
    pub text: String,
}

/// Every file `sf project deploy start` needs for the app and its permission set. The
/// permission set comes first: the app names it, so it must exist before the app is deployed.
pub fn files(spec: &AppSpec) -> Vec<MetadataFile> {
    let mut files = vec![permission_set(&spec.permission_set, &spec.label)];
    if spec.connected_app {
        files.push(connected_app(spec));
    } else {
        files.extend(external_client_app(spec));
    }
    files
}

/// A permission set named `name` that pre-authorizes the users of the app labelled `app_label`.
pub fn permission_set(name: &str, app_label: &str) -> MetadataFile {
    let description = format!(
        "Users with this permission set are pre-authorized for {app_label} (JWT bearer logins). Written by sfjwt."
    );
    file(
        format!("permissionsets/{name}.permissionset-meta.xml"),
        "PermissionSet",
        name,
        &[
            Element::text("description", &truncate(&description, 255)),
            Element::text("hasActivationRequired", "false"),
            Element::text("label", &truncate(&format!("{app_label} JWT users"), 80)),
        ],
    )
}

fn external_client_app(spec: &AppSpec) -> Vec<MetadataFile> {
    let name = spec.name.as_str();
    let mut header = Vec::new();
    if let Some(email) = &spec.contact_email {
        header.push(Element::text("contactEmail", email));
    }
    header.extend([
        Element::text("description", "OAuth 2.0 JWT bearer logins for CI. Written by sfjwt setup."),
        Element::text("distributionState", "Local"),
        Element::text("isProtected", "false"),
        Element::text("label", &spec.label),
    ]);
    vec![
        file(format!("externalClientApps/{name}.eca-meta.xml"), "ExternalClientApplication", name, &header),
        file(
            format!("extlClntAppGlobalOauthSets/{name}_glbloauth.ecaGlblOauth-meta.xml"),
            "ExtlClntAppGlobalOauthSettings",
            &format!("{name}_glbloauth"),
            &[
                Element::text("callbackUrl", &spec.callback_url),
                Element::text("certificate", spec.certificate_pem.trim_end()),
                Element::text("externalClientApplication", name),
                Element::text("isConsumerSecretOptional", "false"),
                Element::text("isPkceRequired", "true"),
                Element::text("isSecretRequiredForRefreshToken", "true"),
                Element::text("label", &format!("{name}_glbloauth")),
                Element::text("shouldRotateConsumerKey", "false"),
                Element::text("shouldRotateConsumerSecret", "false"),
            ],
        ),
        file(
            format!("extlClntAppOauthSettings/{name}_oauth.ecaOauth-meta.xml"),
            "ExtlClntAppOauthSettings",
            &format!("{name}_oauth"),
            &[
                Element::text("commaSeparatedOauthScopes", "Api, RefreshToken"),
                Element::text("externalClientApplication", name),
                Element::text("label", &format!("{name}_oauth")),
            ],
        ),
        file(
            format!("extlClntAppOauthPolicies/{name}_oauthPlcy.ecaOauthPlcy-meta.xml"),
            "ExtlClntAppOauthConfigurablePolicies",
            &format!("{name}_oauthPlcy"),
            &[
                Element::text("commaSeparatedPermissionSet", &spec.permission_set),
                Element::text("externalClientApplication", name),
                Element::text("ipRelaxationPolicyType", "Enforce"),
                Element::text("isClientCredentialsFlowEnabled", "false"),
                Element::text("isTokenExchangeFlowEnabled", "false"),
                Element::text("label", &format!("{name}_oauthPlcy")),
                Element::text("permittedUsersPolicyType", "AdminApprovedPreAuthorized"),
                Element::text("refreshTokenPolicyType", "SpecificLifetime"),
                Element::text("refreshTokenValidityPeriod", "90"),
                Element::text("refreshTokenValidityUnit", "Days"),
                Element::text("sessionTimeoutInMinutes", "15"),
            ],
        ),
        file(
            format!("extlClntAppPolicies/{name}_plcy.ecaPlcy-meta.xml"),
            "ExtlClntAppConfigurablePolicies",
            &format!("{name}_plcy"),
            &[
                Element::text("externalClientApplication", name),
                Element::text("isEnabled", "true"),
                Element::text("isOauthPluginEnabled", "true"),
                Element::text("label", &format!("{name}_plcy")),
            ],
        ),
    ]
}

fn connected_app(spec: &AppSpec) -> MetadataFile {
    let name = spec.name.as_str();
    let email = spec.contact_email.as_deref().unwrap_or_default();
    file(
        format!("connectedApps/{name}.connectedApp-meta.xml"),
        "ConnectedApp",
        name,
        &[
            Element::text("contactEmail", email),
            Element::text("description", "OAuth 2.0 JWT bearer logins for CI. Written by sfjwt setup."),
            Element::text("label", &spec.label),
            Element::parent(
                "oauthConfig",
                vec![
                    Element::text("callbackUrl", &spec.callback_url),
                    Element::text("certificate", spec.certificate_pem.trim_end()),
                    Element::text("isAdminApproved", "true"),
                    Element::text("isConsumerSecretOptional", "false"),
                    Element::text("isPkceRequired", "true"),
                    Element::text("scopes", "Api"),
                    Element::text("scopes", "RefreshToken"),
                ],
            ),
            Element::parent(
                "oauthPolicy",
                vec![
                    Element::text("ipRelaxation", "ENFORCE"),
                    Element::text("refreshTokenPolicy", "specific_lifetime:90:DAYS"),
                ],
            ),
            Element::text("permissionSetName", &spec.permission_set),
        ],
    )
}

/// A minimal `sfdx-project.json` for a folder that is not in a project yet.
pub fn sfdx_project(package_directory: &str) -> String {
    let project = serde_json::json!({
        "packageDirectories": [{ "path": package_directory, "default": true }],
        "name": "sfjwt",
        "namespace": "",
        "sourceApiVersion": METADATA_API_VERSION,
    });
    serde_json::to_string_pretty(&project).unwrap_or_default() + "\n"
}

enum Element {
    Text(&'static str, String),
    Parent(&'static str, Vec<Element>),
}

impl Element {
    fn text(name: &'static str, value: &str) -> Element {
        Element::Text(name, value.to_string())
    }

    fn parent(name: &'static str, children: Vec<Element>) -> Element {
        Element::Parent(name, children)
    }

    fn write(&self, depth: usize, out: &mut String) {
        let indent = "    ".repeat(depth);
        match self {
            Element::Text(name, value) => {
                out.push_str(&format!("{indent}<{name}>{}</{name}>\n", escape(value)));
            }
            Element::Parent(name, children) => {
                out.push_str(&format!("{indent}<{name}>\n"));
                for child in children {
                    child.write(depth + 1, out);
                }
                out.push_str(&format!("{indent}</{name}>\n"));
            }
        }
    }
}

fn file(relative: String, metadata_type: &'static str, member: &str, children: &[Element]) -> MetadataFile {
    let mut text = format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<{metadata_type} xmlns=\"{NAMESPACE}\">\n");
    for child in children {
        child.write(1, &mut text);
    }
    text.push_str(&format!("</{metadata_type}>\n"));
    MetadataFile { relative: PathBuf::from(relative), metadata_type, member: member.to_string(), text }
}

/// XML character data: `&`, `<` and `>` escaped (quotes need no escaping outside attributes).
pub fn escape(value: &str) -> String {
    value.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

fn truncate(text: &str, max_chars: usize) -> String {
    text.chars().take(max_chars).collect()
}

/// Whether `name` is a valid API name: a letter first, then letters, digits and underscores,
/// no two underscores together, none at the end, at most `max` characters.
pub fn check_api_name(name: &str, max: usize) -> Result<(), String> {
    let ok = name.len() <= max
        && name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !name.contains("__")
        && !name.ends_with('_');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "`{name}` is not an API name: use up to {max} letters, digits and single underscores, starting with a letter"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metadata::{self, AppKind, PermittedUsers, Scope};

    pub(crate) fn spec(connected_app: bool) -> AppSpec {
        AppSpec {
            name: "Sfjwt_CI".into(),
            label: "sfjwt CI & co".into(),
            contact_email: Some("owner@example.com".into()),
            callback_url: DEFAULT_CALLBACK_URL.into(),
            certificate_pem: include_str!("../../fixtures/certs/rsa2048.crt").into(),
            permission_set: "Sfjwt_CI_JWT_Users".into(),
            connected_app,
        }
    }

    fn write_all(dir: &std::path::Path, spec: &AppSpec) {
        for file in files(spec) {
            let path = dir.join(&file.relative);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, &file.text).unwrap();
        }
    }

    /// The files parse with sfjwt's own reader into an app with every setting a JWT login needs.
    #[test]
    fn external_client_app_files_parse_into_a_jwt_ready_app() {
        let dir = tempfile::tempdir().unwrap();
        write_all(dir.path(), &spec(false));
        let (apps, errors) = metadata::load(&[dir.path().to_path_buf()]);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(apps.len(), 1, "{apps:#?}");
        let app = &apps[0];
        assert_eq!(app.kind, AppKind::ExternalClientApp);
        assert_eq!(app.name, "Sfjwt_CI");
        assert_eq!(app.label.as_deref(), Some("sfjwt CI & co"));
        assert!(app.problems.is_empty(), "{:?}", app.problems);
        assert_eq!(app.scopes, vec![Scope::Api, Scope::RefreshToken]);
        assert_eq!(app.permitted_users, Some(PermittedUsers::AdminApproved));
        assert_eq!(app.permission_sets, vec!["Sfjwt_CI_JWT_Users".to_string()]);
        assert_eq!(app.jwt_bearer_enabled, Some(true));
        assert_eq!(app.oauth_enabled, Some(true));
        assert_eq!(app.certificate_pem.as_deref(), Some(include_str!("../../fixtures/certs/rsa2048.crt")));
        assert!(!app.high_assurance_required);
        assert_eq!(app.sources.len(), 5);
    }

    #[test]
    fn connected_app_file_parses_into_a_jwt_ready_app() {
        let dir = tempfile::tempdir().unwrap();
        write_all(dir.path(), &spec(true));
        let (apps, errors) = metadata::load(&[dir.path().to_path_buf()]);
        assert!(errors.is_empty(), "{errors:?}");
        let app = &apps[0];
        assert_eq!((apps.len(), app.kind), (1, AppKind::ConnectedApp));
        assert!(app.problems.is_empty(), "{:?}", app.problems);
        assert_eq!(app.scopes, vec![Scope::Api, Scope::RefreshToken]);
        assert_eq!(app.permitted_users, Some(PermittedUsers::AdminApproved));
        assert_eq!(app.permission_sets, vec!["Sfjwt_CI_JWT_Users".to_string()]);
        assert_eq!(app.callback_urls, vec![DEFAULT_CALLBACK_URL.to_string()]);
        assert!(app.certificate_pem.is_some());
    }

    #[test]
    fn every_file_is_well_formed_xml_of_its_type() {
        for connected_app in [false, true] {
            for file in files(&spec(connected_app)) {
                let document = roxmltree::Document::parse(&file.text).unwrap();
                let root = document.root_element();
                assert_eq!(root.tag_name().name(), file.metadata_type);
                assert_eq!(root.tag_name().namespace(), Some(NAMESPACE));
                let suffix = file.relative.to_string_lossy().into_owned();
                assert!(suffix.contains(&format!("/{}.", file.member)), "{suffix} names {}", file.member);
            }
        }
    }

    #[test]
    fn api_names_are_checked() {
        assert!(check_api_name("Sfjwt_CI", 40).is_ok());
        for bad in ["1app", "a__b", "trailing_", "has space", "dash-ed", &"x".repeat(41)] {
            assert!(check_api_name(bad, 40).is_err(), "{bad}");
        }
    }
}
