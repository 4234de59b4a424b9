//! Fixture-driven tests for the metadata module (fixtures/metadata/).

use std::fs;
use std::path::{Path, PathBuf};

use super::*;

const HEALTHY_KEY: &str = "3MVG9EXAMPLE0nly.TestKey_ForSfjwtDocs0000000000000000000000000000000000000000000";
const ECA_KEY: &str = "3MVG9EXAMPLE0nly.Eca_ForSfjwtDocs00000000000000000000000000000000000000000000000";
const METADATA_NS: &str = "http://soap.sforce.com/2006/04/metadata";

fn fixture(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/metadata").join(relative)
}

fn test_certificate() -> String {
    fs::read_to_string(fixture("test-only-server.crt")).unwrap()
}

/// The file as the reader records it: its part and the SHA-256 of its bytes.
fn source_file(path: &Path, part: Part) -> SourceFile {
    SourceFile { path: path.to_path_buf(), part, sha256: crate::secret::sha256_hex(&fs::read(path).unwrap()) }
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn parse_one(relative: &str) -> AppSettings {
    let mut apps = parse_file(&fixture(relative)).unwrap();
    assert_eq!(apps.len(), 1);
    apps.remove(0)
}

fn load_one(relative: &str) -> AppSettings {
    let (mut apps, errors) = load(&[fixture(relative)]);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(apps.len(), 1, "{apps:#?}");
    apps.remove(0)
}

fn write_temp(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).unwrap();
    }
    fs::write(&path, text).unwrap();
    path
}

// ---- connected apps -------------------------------------------------------

#[test]
fn healthy_connected_app_parses_to_the_full_model() {
    let path = fixture("connected-app-healthy/connectedApps/Sfjwt_CI.connectedApp-meta.xml");
    let expected = AppSettings {
        kind: AppKind::ConnectedApp,
        name: "Sfjwt_CI".into(),
        label: Some("sfjwt CI".into()),
        sources: vec![path.clone()],
        files: vec![source_file(&path, Part::ConnectedApp)],
        consumer_key: Some(HEALTHY_KEY.into()),
        callback_urls: strings(&[
            "http://localhost:1717/OauthRedirect",
            "https://login.salesforce.com/services/oauth2/callback",
        ]),
        certificate_pem: Some(test_certificate()),
        scopes: vec![Scope::Api, Scope::RefreshToken, Scope::Web],
        permitted_users: Some(PermittedUsers::AdminApproved),
        profiles: strings(&["System Administrator"]),
        permission_sets: strings(&["CI_Integration"]),
        ip_relaxation: Some("ENFORCE".into()),
        high_assurance_required: false,
        jwt_bearer_enabled: None,
        oauth_enabled: Some(true),
        problems: vec![],
    };
    assert_eq!(parse_file(&path).unwrap(), vec![expected]);
}

#[test]
fn self_authorize_connected_app_leaves_permitted_users_unsaid() {
    let app = parse_one("connected-app-self-authorize/connectedApps/Sfjwt_Self_Authorize.connectedApp-meta.xml");
    assert_eq!(app.permitted_users, None);
    assert_eq!(app.scopes, vec![Scope::Api, Scope::Web]);
    assert!(!app.has_scope(&Scope::RefreshToken));
    assert!(app.profiles.is_empty() && app.permission_sets.is_empty());
    assert_eq!(app.certificate_pem, Some(test_certificate()));
    assert!(app.problems.is_empty(), "{:?}", app.problems);
}

#[test]
fn connected_app_without_certificate_has_none() {
    let app = parse_one("connected-app-no-cert/connectedApps/Sfjwt_No_Cert.connectedApp-meta.xml");
    assert_eq!(app.certificate_pem, None);
    assert_eq!(app.oauth_enabled, Some(true));
    assert_eq!(app.permitted_users, Some(PermittedUsers::AdminApproved));
    assert_eq!(app.profiles, strings(&["System Administrator"]));
    assert!(app.problems.is_empty(), "{:?}", app.problems);
}

#[test]
fn high_assurance_session_policy_is_detected() {
    let app = parse_one("connected-app-high-assurance/connectedApps/Sfjwt_High_Assurance.connectedApp-meta.xml");
    assert!(app.high_assurance_required);
    assert_eq!(app.ip_relaxation.as_deref(), Some("BYPASS"));
    assert_eq!(app.permission_sets, strings(&["CI_Integration"]));
    assert!(app.problems.is_empty(), "{:?}", app.problems);
    let healthy = parse_one("connected-app-healthy/connectedApps/Sfjwt_CI.connectedApp-meta.xml");
    assert!(!healthy.high_assurance_required, "a sessionTimeout alone is no High Assurance policy");
}

#[test]
fn connected_app_without_oauth_config_is_not_oauth_enabled() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_temp(
        dir.path(),
        "Saml_Only.connectedApp-meta.xml",
        &format!("<ConnectedApp xmlns=\"{METADATA_NS}\"><label>SAML only</label></ConnectedApp>"),
    );
    let app = &parse_file(&path).unwrap()[0];
    assert_eq!(app.oauth_enabled, Some(false));
    assert_eq!(app.consumer_key, None);
}

#[test]
fn full_name_and_namespace_prefixes_are_honoured() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_temp(
        dir.path(),
        "whatever.xml",
        &format!(
            "<md:ConnectedApp xmlns:md=\"{METADATA_NS}\"><md:fullName>Named_In_File</md:fullName>\
             <md:oauthConfig><md:consumerKey>KEY12345</md:consumerKey>\
             <md:scopes><![CDATA[Api]]></md:scopes></md:oauthConfig></md:ConnectedApp>"
        ),
    );
    let app = &parse_file(&path).unwrap()[0];
    assert_eq!(app.name, "Named_In_File");
    assert_eq!(app.consumer_key.as_deref(), Some("KEY12345"));
    assert_eq!(app.scopes, vec![Scope::Api]);
}

#[test]
fn unknown_enum_values_become_problems_not_errors() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_temp(
        dir.path(),
        "Odd.connectedApp-meta.xml",
        &format!(
            "<ConnectedApp xmlns=\"{METADATA_NS}\"><oauthConfig><isAdminApproved>yes</isAdminApproved>\
             <scopes>Api</scopes><scopes>MindReading</scopes></oauthConfig>\
             <oauthPolicy><ipRelaxation>SOMETIMES</ipRelaxation></oauthPolicy>\
             <sessionPolicy><sessionLevel>HIGH_ASSURANCE</sessionLevel><policyAction>Shrug</policyAction></sessionPolicy>\
             </ConnectedApp>"
        ),
    );
    let app = &parse_file(&path).unwrap()[0];
    assert_eq!(app.permitted_users, None);
    assert_eq!(app.scopes, vec![Scope::Api, Scope::Other("MindReading".into())]);
    assert_eq!(app.ip_relaxation.as_deref(), Some("SOMETIMES"));
    assert!(app.high_assurance_required, "the level alone demands High Assurance");
    assert_eq!(app.problems.len(), 4, "{:?}", app.problems);
    assert!(app.problems.iter().all(|p| p.starts_with("Odd.connectedApp-meta.xml: ")));
}

#[test]
fn encodings_with_boms_are_decoded() {
    let (apps, errors) = load(&[fixture("encodings")]);
    assert!(errors.is_empty(), "{errors:?}");
    let labels: Vec<_> = apps.iter().map(|a| a.label.clone().unwrap()).collect();
    assert_eq!(labels, strings(&["UTF-16 little endian", "UTF-8 with BOM"]));
    assert!(apps.iter().all(|a| a.scopes == vec![Scope::Api]));
}

// ---- External Client Apps --------------------------------------------------

fn healthy_eca_sources() -> Vec<PathBuf> {
    [
        "eca-healthy/externalClientApps/Sfjwt_ECA.eca-meta.xml",
        "eca-healthy/extlClntAppGlobalOauthSets/Sfjwt_ECA_glbloauth.ecaGlblOauth-meta.xml",
        "eca-healthy/extlClntAppOauthPolicies/Sfjwt_ECA_oauthPlcy.ecaOauthPlcy-meta.xml",
        "eca-healthy/extlClntAppOauthSettings/Sfjwt_ECA_oauth.ecaOauth-meta.xml",
        "eca-healthy/extlClntAppPolicies/Sfjwt_ECA_plcy.ecaPlcy-meta.xml",
    ]
    .iter()
    .map(|p| fixture(p))
    .collect()
}

#[test]
fn healthy_eca_parts_merge_into_the_full_model() {
    let expected = AppSettings {
        kind: AppKind::ExternalClientApp,
        name: "Sfjwt_ECA".into(),
        label: Some("sfjwt ECA".into()),
        sources: healthy_eca_sources(),
        files: healthy_eca_sources()
            .iter()
            .zip([
                Part::EcaHeader,
                Part::EcaGlobalOauth,
                Part::EcaOauthPolicies,
                Part::EcaOauthSettings,
                Part::EcaPolicies,
            ])
            .map(|(path, part)| source_file(path, part))
            .collect(),
        consumer_key: Some(ECA_KEY.into()),
        callback_urls: strings(&["http://localhost:1717/OauthRedirect"]),
        // The file holds bare base64; the model holds armoured PEM.
        certificate_pem: Some(test_certificate()),
        scopes: vec![Scope::Api, Scope::RefreshToken, Scope::Web],
        permitted_users: Some(PermittedUsers::AdminApproved),
        profiles: strings(&["System Administrator"]),
        permission_sets: strings(&["CI_Integration"]),
        ip_relaxation: Some("ENFORCE".into()),
        high_assurance_required: false,
        jwt_bearer_enabled: Some(true),
        oauth_enabled: Some(true),
        problems: vec![],
    };
    assert_eq!(load_one("eca-healthy"), expected);
}

#[test]
fn eca_parts_merge_whatever_order_they_are_given_in() {
    let mut files = healthy_eca_sources();
    files.reverse();
    let (apps, errors) = load(&files);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(apps.len(), 1);
    let from_dir = load_one("eca-healthy");
    assert_eq!(apps[0].consumer_key, from_dir.consumer_key);
    assert_eq!(apps[0].label, from_dir.label);
    assert_eq!(apps[0].scopes, from_dir.scopes);
    assert_eq!(apps[0].jwt_bearer_enabled, Some(true));
    assert!(apps[0].problems.is_empty(), "{:?}", apps[0].problems);
}

#[test]
fn one_eca_part_parses_to_a_partial_app() {
    let global = parse_one("eca-healthy/extlClntAppGlobalOauthSets/Sfjwt_ECA_glbloauth.ecaGlblOauth-meta.xml");
    assert_eq!(global.kind, AppKind::ExternalClientApp);
    assert_eq!(global.name, "Sfjwt_ECA", "named by externalClientApplication, not the file");
    assert_eq!(global.jwt_bearer_enabled, Some(true));
    assert_eq!(global.label, None);
    assert!(global.scopes.is_empty());

    let policies = parse_one("eca-healthy/extlClntAppOauthPolicies/Sfjwt_ECA_oauthPlcy.ecaOauthPlcy-meta.xml");
    assert_eq!(policies.permitted_users, Some(PermittedUsers::AdminApproved));
    assert_eq!(policies.consumer_key, None);
    assert_eq!(policies.oauth_enabled, None);
}

#[test]
fn eca_without_certificate_has_jwt_disabled() {
    let app = load_one("eca-jwt-disabled");
    assert_eq!(app.name, "Sfjwt_ECA_No_JWT");
    assert_eq!(app.jwt_bearer_enabled, Some(false));
    assert_eq!(app.certificate_pem, None);
    assert_eq!(app.oauth_enabled, Some(true));
    assert!(app.problems.is_empty(), "{:?}", app.problems);
}

#[test]
fn eca_with_plugin_off_and_missing_parts_says_so() {
    let app = load_one("eca-plugin-disabled");
    assert_eq!(app.oauth_enabled, Some(false));
    assert_eq!(app.jwt_bearer_enabled, None, "no global settings, so unknown");
    assert_eq!(app.label.as_deref(), Some("sfjwt ECA plugin off"));
    assert_eq!(app.problems.len(), 3, "{:?}", app.problems);
    assert!(app.problems.iter().any(|p| p.contains("extlClntAppGlobalOauthSets")));
    assert!(app.problems.iter().any(|p| p.contains("extlClntAppOauthSettings")));
    assert!(app.problems.iter().any(|p| p.contains("extlClntAppOauthPolicies")));
}

#[test]
fn conflicting_eca_parts_keep_the_first_value_and_say_so() {
    let dir = tempfile::tempdir().unwrap();
    let global = |key: &str| {
        format!(
            "<ExtlClntAppGlobalOauthSettings xmlns=\"{METADATA_NS}\"><consumerKey>{key}</consumerKey>\
             <externalClientApplication>Twice</externalClientApplication></ExtlClntAppGlobalOauthSettings>"
        )
    };
    write_temp(dir.path(), "a/Twice_a.ecaGlblOauth-meta.xml", &global("FIRSTKEY1"));
    write_temp(dir.path(), "b/Twice_b.ecaGlblOauth-meta.xml", &global("SECONDKEY2"));
    let (apps, errors) = load(&[dir.path().to_path_buf()]);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(apps.len(), 1);
    assert_eq!(apps[0].consumer_key.as_deref(), Some("FIRSTKEY1"));
    assert!(apps[0].problems.iter().any(|p| p.contains("more than one")));
    assert!(apps[0].problems.iter().any(|p| p.contains("different consumer key")));
}

#[test]
fn eca_part_without_app_name_falls_back_to_its_file_name() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_temp(
        dir.path(),
        "Orphan.ecaOauthPlcy-meta.xml",
        &format!(
            "<ExtlClntAppOauthConfigurablePolicies xmlns=\"{METADATA_NS}\">\
             <permittedUsersPolicyType>AllSelfAuthorized</permittedUsersPolicyType>\
             <ipRelaxationPolicyType>Bypass_2factor</ipRelaxationPolicyType>\
             <requiredSessionLevel>HIGH_ASSURANCE</requiredSessionLevel>\
             <policyAction>Block</policyAction></ExtlClntAppOauthConfigurablePolicies>"
        ),
    );
    let app = &parse_file(&path).unwrap()[0];
    assert_eq!(app.name, "Orphan");
    assert_eq!(app.permitted_users, Some(PermittedUsers::SelfAuthorize));
    assert_eq!(app.ip_relaxation.as_deref(), Some("BYPASS_2FACTOR"));
    assert!(app.high_assurance_required);
    assert_eq!(app.problems.len(), 1, "{:?}", app.problems);
}

// ---- selection, discovery, serialisation ---------------------------------

#[test]
fn select_for_client_id_matches_consumer_keys_exactly() {
    let (apps, errors) =
        load(&[fixture("connected-app-healthy"), fixture("connected-app-self-authorize"), fixture("eca-healthy")]);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(apps.len(), 3);
    assert_eq!(select_for_client_id(&apps, HEALTHY_KEY).unwrap().name, "Sfjwt_CI");
    assert_eq!(select_for_client_id(&apps, ECA_KEY).unwrap().name, "Sfjwt_ECA");
    assert!(select_for_client_id(&apps, &HEALTHY_KEY[..40]).is_none());
    assert!(select_for_client_id(&apps, &HEALTHY_KEY.to_lowercase()).is_none());
    assert!(select_for_client_id(&apps, "").is_none());
}

#[test]
fn discover_walks_the_package_directories() {
    let (apps, errors) = discover(&fixture("sfdx-project"));
    assert!(errors.is_empty(), "{errors:?}");
    let names: Vec<_> = apps.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, vec!["Sfjwt_Project_App"], "the .sfdx decoy and Apex class are skipped");
    assert_eq!(apps[0].permitted_users, Some(PermittedUsers::AdminApproved));
}

#[test]
fn discover_reports_project_file_problems() {
    let dir = tempfile::tempdir().unwrap();
    let missing = discover(dir.path());
    assert!(missing.0.is_empty());
    assert!(matches!(missing.1.as_slice(), [MetadataError::Project { .. }]));

    write_temp(dir.path(), "sfdx-project.json", "{ not json");
    assert!(matches!(discover(dir.path()).1.as_slice(), [MetadataError::Project { .. }]));

    write_temp(dir.path(), "sfdx-project.json", "{\"packageDirectories\": []}");
    assert!(matches!(discover(dir.path()).1.as_slice(), [MetadataError::Project { .. }]));

    write_temp(dir.path(), "sfdx-project.json", "{\"packageDirectories\": [{\"path\": \"nope\"}]}");
    assert!(matches!(discover(dir.path()).1.as_slice(), [MetadataError::Io { .. }]));
}

#[test]
fn scopes_serialise_as_metadata_names() {
    let app = load_one("connected-app-healthy");
    let json = serde_json::to_value(&app).unwrap();
    assert_eq!(json["scopes"], serde_json::json!(["Api", "RefreshToken", "Web"]));
    assert_eq!(json["kind"], "ConnectedApp");
    assert_eq!(json["permitted_users"], "AdminApproved");
}

// ---- malformed and hostile input ---------------------------------------------

#[test]
fn malformed_files_give_the_right_errors() {
    let error = |name: &str| parse_file(&fixture(&format!("malformed/{name}"))).unwrap_err();
    assert!(matches!(error("truncated.connectedApp-meta.xml"), MetadataError::NotXml { .. }));
    assert!(matches!(
        error("wrong-root.connectedApp-meta.xml"),
        MetadataError::WrongRoot { found, .. } if found == "CustomObject"
    ));
    assert!(matches!(
        error("empty.connectedApp-meta.xml"),
        MetadataError::NotXml { message, .. } if message.contains("empty")
    ));
    assert!(matches!(
        error("binary.connectedApp-meta.xml"),
        MetadataError::NotXml { message, .. } if message.contains("binary")
    ));
    assert!(matches!(error("dtd-entities.connectedApp-meta.xml"), MetadataError::NotXml { .. }));
}

#[test]
fn loading_the_malformed_directory_collects_every_error() {
    let (apps, errors) = load(&[fixture("malformed")]);
    assert!(apps.is_empty());
    assert_eq!(errors.len(), 5, "{errors:?}");
}

#[test]
fn files_over_the_limit_are_refused_by_size() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("Huge.connectedApp-meta.xml");
    let file = fs::File::create(&path).unwrap();
    file.set_len(6 * 1024 * 1024).unwrap();
    assert_eq!(parse_file(&path).unwrap_err(), MetadataError::TooLarge { path, bytes: 6 * 1024 * 1024 });
}

#[test]
fn parse_bytes_gives_what_parse_file_gives() {
    let mut files = Vec::new();
    let mut dirs = vec![fixture("")];
    while let Some(dir) = dirs.pop() {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.to_string_lossy().ends_with(".xml") {
                files.push(path);
            }
        }
    }
    assert!(files.len() > 20, "{files:?}");
    for path in files {
        let bytes = fs::read(&path).unwrap();
        assert_eq!(parse_bytes(path.to_str().unwrap(), &bytes), parse_file(&path), "{}", path.display());
    }
    let huge = vec![b' '; 6 * 1024 * 1024];
    assert!(matches!(parse_bytes("Huge.connectedApp-meta.xml", &huge), Err(MetadataError::TooLarge { .. })));
}

#[test]
fn missing_files_and_directories_are_io_errors() {
    let missing = fixture("no-such-file.connectedApp-meta.xml");
    assert!(matches!(parse_file(&missing), Err(MetadataError::Io { .. })));
    let dir = tempfile::tempdir().unwrap();
    assert!(matches!(parse_file(dir.path()), Err(MetadataError::Io { .. })));
}

#[test]
fn deep_directory_trees_stop_at_the_depth_bound() {
    let dir = tempfile::tempdir().unwrap();
    let mut deep = dir.path().to_path_buf();
    for level in 0..20 {
        deep = deep.join(format!("d{level}"));
    }
    fs::create_dir_all(&deep).unwrap();
    let (apps, errors) = load(&[dir.path().to_path_buf()]);
    assert!(apps.is_empty());
    assert!(matches!(errors.as_slice(), [MetadataError::WalkLimit { .. }]), "{errors:?}");
}

#[test]
fn every_error_displays_as_one_line() {
    let path = PathBuf::from("x.connectedApp-meta.xml");
    let errors = [
        MetadataError::Io { path: path.clone(), message: "denied".into() },
        MetadataError::TooLarge { path: path.clone(), bytes: 6 * 1024 * 1024 },
        MetadataError::NotXml { path: path.clone(), message: "bad".into() },
        MetadataError::WrongRoot { path: path.clone(), found: "CustomObject".into() },
        MetadataError::Project { path: path.clone(), message: "bad".into() },
        MetadataError::WalkLimit { path, message: "deep".into() },
    ];
    for error in errors {
        let text = error.to_string();
        assert!(!text.contains('\n'), "{text}");
        assert!(text.starts_with("x.connectedApp-meta.xml: "), "{text}");
        let _: &dyn std::error::Error = &error;
    }
}

#[test]
fn hostile_inputs_never_panic() {
    let dir = tempfile::tempdir().unwrap();
    let mut inputs: Vec<Vec<u8>> = vec![
        b"<".to_vec(),
        b"<?xml version=\"1.0\"?>".to_vec(),
        b"<ConnectedApp>".to_vec(),
        b"<ConnectedApp><oauthConfig><certificate>-----BEGIN</certificate></oauthConfig></ConnectedApp>".to_vec(),
        b"<ConnectedApp><oauthConfig><certificate>\xE2\x82\xAC\xE2\x82\xAC</certificate></oauthConfig></ConnectedApp>"
            .to_vec(),
        b"<ExtlClntAppOauthSettings><commaSeparatedOauthScopes>,,,</commaSeparatedOauthScopes></ExtlClntAppOauthSettings>"
            .to_vec(),
        b"\xFF\xFE<".to_vec(),
        b"\xFE\xFF\xD8\x00".to_vec(),
        format!("{}{}", "<a>".repeat(5000), "</a>".repeat(5000)).into_bytes(),
        format!("<ConnectedApp><label>{}</label></ConnectedApp>", "&amp;".repeat(10000)).into_bytes(),
        b"<ConnectedApp><label>&undefined;</label></ConnectedApp>".to_vec(),
    ];
    // A fixed pseudo-random stream keeps the test deterministic.
    let mut state: u32 = 0x2545_F491;
    for length in [1usize, 7, 64, 512, 4096] {
        let mut bytes = Vec::with_capacity(length);
        for _ in 0..length {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            bytes.push((state >> 24) as u8);
        }
        inputs.push(bytes);
    }
    for (index, bytes) in inputs.iter().enumerate() {
        let path = dir.path().join(format!("input{index}.connectedApp-meta.xml"));
        fs::write(&path, bytes).unwrap();
        let _ = parse_file(&path);
    }
    let _ = load(&[dir.path().to_path_buf()]);
}

#[test]
fn the_same_file_given_twice_is_read_once() {
    let file = fixture("eca-healthy/extlClntAppGlobalOauthSets/Sfjwt_ECA_glbloauth.ecaGlblOauth-meta.xml");
    let (apps, errors) = load(&[file.clone(), fixture("eca-healthy"), file]);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(apps.len(), 1);
    assert_eq!(apps[0].sources.len(), 5);
    assert!(apps[0].problems.is_empty(), "{:?}", apps[0].problems);
}
