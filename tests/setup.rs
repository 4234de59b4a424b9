//! `sfjwt setup` from nothing to a working login against the fake Salesforce, and
//! `sfjwt doctor --fix` / `--diff` on a fixture project.

use std::path::{Path, PathBuf};

#[cfg(unix)]
use crate::support::files::mode;
use crate::support::{
    Output, Test, USERNAME,
    fake_salesforce::{FakeSalesforce, Org, User},
};

fn sfdx_project(dir: &Path) {
    std::fs::write(
        dir.join("sfdx-project.json"),
        r#"{"packageDirectories":[{"path":"force-app","default":true}],"sourceApiVersion":"67.0"}"#,
    )
    .unwrap();
}

fn setup(dir: &Path, args: &[&str]) -> Output {
    Test::new().current_dir(dir).env("CI", "true").arg("setup").args(args).run()
}

fn json_path(run: &Output, pointer: &str) -> PathBuf {
    PathBuf::from(run.json().pointer(pointer).and_then(|v| v.as_str()).unwrap_or_else(|| panic!("no {pointer}")))
}

/// The whole path a new user takes: setup, deploy, assign, doctor, and Salesforce issues a token.
#[test]
fn setup_then_deploy_then_doctor_is_a_working_login() {
    for connected_app in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        sfdx_project(dir.path());
        let fake = FakeSalesforce::start(Org::production());
        let url = fake.url();
        let mut args = vec!["--format", "json", "--username", USERNAME, "--instance-url", &url];
        if connected_app {
            args.extend(["--connected-app", "--contact-email", "owner@example.com"]);
        }
        let out = setup(dir.path(), &args);
        assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
        let report = out.json();
        assert_eq!(report["schema"], "sfjwt.setup.v1");
        assert_eq!(report["kind"], if connected_app { "connected-app" } else { "external-client-app" });
        let key_file = json_path(&out, "/key/path");
        assert!(key_file.starts_with(dir.path().join("jwt")), "{}", key_file.display());
        #[cfg(unix)]
        assert_eq!(mode(&key_file), 0o600);
        let key_text = std::fs::read_to_string(&key_file).unwrap();
        assert!(key_text.starts_with("-----BEGIN PRIVATE KEY-----\n"), "PKCS#8");
        assert!(!out.stdout.contains("PRIVATE KEY"), "the key never shows");
        let types: Vec<&str> =
            report["files"].as_array().unwrap().iter().filter_map(|f| f["metadata_type"].as_str()).collect();
        let expected: &[&str] = if connected_app {
            &["PermissionSet", "ConnectedApp"]
        } else {
            &[
                "PermissionSet",
                "ExternalClientApplication",
                "ExtlClntAppGlobalOauthSettings",
                "ExtlClntAppOauthSettings",
                "ExtlClntAppOauthConfigurablePolicies",
                "ExtlClntAppConfigurablePolicies",
            ]
        };
        assert_eq!(types, expected);
        let steps = report["steps"].to_string();
        for command in ["sf project deploy start", "sf org assign permset", "gh secret set SFJWT_KEY", "sfjwt doctor"] {
            assert!(steps.contains(command), "{command} missing from {steps}");
        }

        // The deploy, as Salesforce would take it; then the admin creates the user and assigns
        // the permission set.
        let mut deployed = Vec::new();
        fake.update_org(|org| {
            deployed = org.deploy(&dir.path().join("force-app")).expect("the metadata deploys");
            let user = User::new(USERNAME).with_profile("Integration User").with_permission_set("Sfjwt_CI_JWT_Users");
            *org = std::mem::take(org).with_user(user);
        });
        assert_eq!(deployed.len(), 1);

        let doctor = Test::new()
            .current_dir(dir.path())
            .args(["doctor", "--format", "json", "--timeout", "5", "--client-id", &deployed[0].consumer_key])
            .args(["--jwt-key-file", &key_file.display().to_string(), "--username", USERNAME])
            .args(["--instance-url", &fake.url()])
            .run();
        assert_eq!(doctor.code, 0, "{}", doctor.stdout);
        assert!(doctor.causes().is_empty(), "{:?}", doctor.causes());
        assert_eq!(doctor.check_status("login.answer"), "pass", "{}", doctor.stdout);
        for check in ["app.metadata", "app.settings", "app.scopes", "pair.match"] {
            assert_eq!(doctor.check_status(check), "pass", "{check}: {}", doctor.stdout);
        }
        assert_eq!(fake.token_requests(), 1);
    }
}

/// Without the permission set the same login is refused: the assignment step matters.
#[test]
fn without_the_permission_set_assignment_salesforce_refuses() {
    let dir = tempfile::tempdir().unwrap();
    sfdx_project(dir.path());
    let fake = FakeSalesforce::start(Org::production());
    let out = setup(dir.path(), &["--format", "json", "--username", USERNAME, "--instance-url", &fake.url()]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let mut deployed = Vec::new();
    fake.update_org(|org| {
        deployed = org.deploy(&dir.path().join("force-app")).unwrap();
        *org = std::mem::take(org).with_user(User::new(USERNAME).with_profile("Integration User"));
    });
    let doctor = Test::new()
        .current_dir(dir.path())
        .args(["doctor", "--format", "json", "--timeout", "5", "--client-id", &deployed[0].consumer_key])
        .args(["--jwt-key-file", &json_path(&out, "/key/path").display().to_string(), "--username", USERNAME])
        .args(["--instance-url", &fake.url()])
        .run();
    assert_eq!(doctor.code, 1, "{}", doctor.stdout);
}

#[test]
fn an_existing_file_is_never_overwritten_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    sfdx_project(dir.path());
    let first = setup(dir.path(), &["--format", "json", "--username", USERNAME]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    let key_file = json_path(&first, "/key/path");
    let before = std::fs::read(&key_file).unwrap();
    let again = setup(dir.path(), &["--username", USERNAME]);
    assert_eq!(again.code, 2);
    assert!(again.stderr.contains("refusing to overwrite jwt/server.key"), "{}", again.stderr);
    assert_eq!(std::fs::read(&key_file).unwrap(), before);

    // Another app name, but the key folder still holds a key: refused before anything is written.
    let other = setup(dir.path(), &["--username", USERNAME, "--app-name", "Other_App"]);
    assert_eq!(other.code, 2);
    assert!(!dir.path().join("force-app/main/default/externalClientApps/Other_App.eca-meta.xml").exists());
}

#[cfg(unix)]
#[test]
fn a_symlink_where_the_key_goes_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    sfdx_project(dir.path());
    std::fs::create_dir(dir.path().join("jwt")).unwrap();
    let target = dir.path().join("elsewhere.key");
    std::os::unix::fs::symlink(&target, dir.path().join("jwt/server.key")).unwrap();
    let out = setup(dir.path(), &["--username", USERNAME]);
    assert_eq!(out.code, 2);
    assert!(!target.exists(), "nothing was written through the link");
}

#[test]
fn in_ci_nothing_is_asked_and_a_missing_answer_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = setup(dir.path(), &[]);
    assert_eq!(out.code, 2);
    assert_eq!(out.stderr.lines().count(), 1, "{}", out.stderr);
    assert!(out.stderr.contains("--username is required"), "{}", out.stderr);
    let out = setup(dir.path(), &["--username", USERNAME, "--connected-app"]);
    assert!(out.stderr.contains("--contact-email is required"), "{}", out.stderr);
    assert!(!dir.path().join("sfjwt").exists(), "nothing written");
}

#[test]
fn outside_a_project_a_new_one_is_made_and_the_text_output_gives_commands_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let out = setup(dir.path(), &["--username", "ci@acme.com.uat", "--instance-url", "https://test.salesforce.com"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let project: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("sfjwt/sfdx-project.json")).unwrap()).unwrap();
    assert_eq!(project["sourceApiVersion"], "67.0");
    assert!(dir.path().join("sfjwt/force-app/main/default/externalClientApps/Sfjwt_CI.eca-meta.xml").is_file());
    let text = &out.stdout;
    let order = [
        "cd sfjwt",
        "--metadata PermissionSet:Sfjwt_CI_JWT_Users",
        "--metadata ExternalClientApplication:Sfjwt_CI",
        "sf org assign permset --name Sfjwt_CI_JWT_Users --on-behalf-of ci@acme.com.uat",
        "sf project retrieve start",
        "base64 < jwt/server.key | tr -d '\\n' | gh secret set SFJWT_KEY",
        "sfjwt doctor --jwt-key-file jwt/server.key --username ci@acme.com.uat --instance-url https://test.salesforce.com",
    ];
    let mut from = 0;
    for expected in order {
        let at =
            text[from..].find(expected).unwrap_or_else(|| panic!("`{expected}` not after position {from}:\n{text}"));
        from += at + expected.len();
    }
}

#[test]
fn connected_app_setup_says_creation_is_restricted_since_spring_26() {
    let dir = tempfile::tempdir().unwrap();
    sfdx_project(dir.path());
    let out = setup(dir.path(), &["--username", USERNAME, "--connected-app", "--contact-email", "owner@example.com"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("Spring '26"), "{}", out.stdout);
    assert!(out.stdout.contains("--metadata ConnectedApp:Sfjwt_CI"), "{}", out.stdout);
}

// ---- doctor --fix and --diff ------------------------------------------------------------------

const BROKEN_CA: &str = "3MVG9EXAMPLE0nly.FixFixture_BrokenCA00000000000000000000000000000000000000000000000";
const BROKEN_ECA: &str = "3MVG9EXAMPLE0nly.FixFixture_BrokenECA0000000000000000000000000000000000000000000000";
const NOBODY_CA: &str = "3MVG9EXAMPLE0nly.FixFixture_Nobody0000000000000000000000000000000000000000000000000";

/// fixtures/fix-project in a temporary folder, with the one-line (mangled) test key as jwt/server.key.
fn fix_project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/fix-project");
    copy_tree(&source, dir.path());
    std::fs::create_dir(dir.path().join("jwt")).unwrap();
    let key = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/keys/mangled/one-line.pem");
    std::fs::copy(key, dir.path().join("jwt/server.key")).unwrap();
    dir
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Every file under `dir` with its contents, to tell whether anything changed.
fn snapshot_tree(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        for entry in std::fs::read_dir(folder).unwrap().flatten() {
            if entry.path().is_dir() {
                pending.push(entry.path());
            } else {
                files.push((entry.path(), std::fs::read(entry.path()).unwrap()));
            }
        }
    }
    files.sort();
    files
}

fn doctor_in(dir: &Path, args: &[&str]) -> Output {
    Test::new().current_dir(dir).args(["doctor", "--offline"]).args(args).run()
}

fn app_args(client_id: &'static str, key: &'static str) -> Vec<&'static str> {
    vec!["--client-id", client_id, "--username", USERNAME, "--jwt-key-file", key]
}

/// The causes a JSON report names, with whether `--fix` has something for each.
fn causes_with_autofix(out: &Output) -> Vec<(String, bool)> {
    out.json()["causes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["id"].as_str().unwrap().to_string(), c["autofix"].as_array().is_some_and(|a| !a.is_empty())))
        .collect()
}

fn fixes_every_local_cause(client_id: &'static str, snapshot: &str, fixed: &[&str]) {
    let dir = fix_project();
    let args = app_args(client_id, "jwt/server.key");
    let before = doctor_in(dir.path(), &[&["--format", "json"], args.as_slice()].concat());
    let found = causes_with_autofix(&before);
    for id in fixed {
        assert!(found.contains(&(id.to_string(), true)), "{id} with a fix in {found:?}");
    }

    let untouched = snapshot_tree(dir.path());
    let diff = doctor_in(dir.path(), &[&["--diff"], args.as_slice()].concat());
    assert_eq!(diff.code, 1, "--diff with changes exits 1:\n{}{}", diff.stdout, diff.stderr);
    assert_eq!(snapshot_tree(dir.path()), untouched, "--diff writes nothing");
    assert!(!diff.stdout.contains("PRIVATE KEY") && !diff.stdout.contains("MIIE"), "no key material:\n{}", diff.stdout);
    insta::assert_snapshot!(snapshot, diff.stdout);

    let applied = doctor_in(dir.path(), &[&["--fix"], args.as_slice()].concat());
    assert!(applied.stdout.contains("sfjwt doctor --fix: changed"), "{}", applied.stdout);
    assert!(applied.stdout.contains("sf project deploy start --source-dir"), "{}", applied.stdout);
    // The damaged key is left as it was; its repaired copy is new, and private.
    assert_eq!(
        std::fs::read(dir.path().join("jwt/server.key")).unwrap(),
        untouched_file(&untouched, "jwt/server.key", dir.path())
    );
    #[cfg(unix)]
    assert_eq!(mode(&dir.path().join("jwt/server.fixed.key")), 0o600);

    let after = doctor_in(
        dir.path(),
        &[&["--format", "json"], app_args(client_id, "jwt/server.fixed.key").as_slice()].concat(),
    );
    let remaining = causes_with_autofix(&after);
    for id in fixed {
        assert!(!remaining.iter().any(|(found, _)| found == id), "{id} still reported: {remaining:?}");
    }
    for check in ["key.format", "pair.match", "app.settings", "app.scopes"] {
        assert_eq!(after.check_status(check), "pass", "{check}: {}", after.stdout);
    }
    let again = doctor_in(dir.path(), &[&["--diff"], app_args(client_id, "jwt/server.fixed.key").as_slice()].concat());
    assert_eq!(again.code, 0, "{}", again.stdout);
    assert!(again.stdout.starts_with("sfjwt doctor --diff: nothing to change in local files"), "{}", again.stdout);
}

fn untouched_file(tree: &[(PathBuf, Vec<u8>)], relative: &str, root: &Path) -> Vec<u8> {
    tree.iter().find(|(path, _)| path == &root.join(relative)).map(|(_, bytes)| bytes.clone()).unwrap()
}

#[test]
fn fix_repairs_every_local_cause_of_a_connected_app() {
    fixes_every_local_cause(
        BROKEN_CA,
        "fix_diff_connected_app",
        &["key.mangled", "pair.key-cert-mismatch", "app.missing-refresh-token-scope", "app.self-authorize-policy"],
    );
}

#[test]
fn fix_repairs_every_local_cause_of_an_external_client_app() {
    fixes_every_local_cause(
        BROKEN_ECA,
        "fix_diff_external_client_app",
        &[
            "key.mangled",
            "pair.key-cert-mismatch",
            "app.missing-refresh-token-scope",
            "app.missing-api-scope",
            "app.self-authorize-policy",
        ],
    );
}

/// Admin approved with nobody pre-authorized: the fix adds a permission set for the app, and what
/// is left (assigning it) is a step in Salesforce.
#[test]
fn fix_pre_authorizes_a_permission_set_when_nobody_is() {
    let dir = fix_project();
    let refused = ["--error", "invalid_grant: user hasn't approved this consumer", "--format", "json"];
    let args = ["--client-id", NOBODY_CA, "--username", USERNAME];
    let before = doctor_in(dir.path(), &[refused.as_slice(), args.as_slice()].concat());
    assert!(
        causes_with_autofix(&before).contains(&("approval.user-not-preauthorized".into(), true)),
        "{}",
        before.stdout
    );
    let applied = doctor_in(dir.path(), &[&["--fix"], &refused[..2], args.as_slice()].concat());
    assert!(
        applied.stdout.contains("sf org assign permset --name Nobody_CA_JWT_Users --on-behalf-of ci@example.com"),
        "{}",
        applied.stdout
    );
    let deploy_ps = "sf project deploy start --source-dir force-app/main/default/permissionsets/Nobody_CA_JWT_Users.permissionset-meta.xml";
    let at_ps = applied.stdout.find(deploy_ps).unwrap_or_else(|| panic!("{}", applied.stdout));
    let at_app = applied
        .stdout
        .find("--source-dir force-app/main/default/connectedApps/Nobody_CA.connectedApp-meta.xml")
        .unwrap();
    assert!(at_ps < at_app, "the permission set deploys first");
    let after = doctor_in(dir.path(), &[refused.as_slice(), args.as_slice()].concat());
    let cause = after.json()["causes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "approval.user-not-preauthorized")
        .cloned();
    // Still a possible cause (the assignment happens in Salesforce), with nothing left to change here.
    let cause = cause.expect("still reported: whether the user holds the permission set is unknown offline");
    assert!(cause["autofix"].is_null(), "nothing more to change locally: {cause}");
    assert!(cause["evidence"].to_string().contains("permission set Nobody_CA_JWT_Users"), "{cause}");
}

#[test]
fn fix_refuses_a_file_that_is_a_symlink_out_of_the_project() {
    let dir = fix_project();
    let outside = tempfile::tempdir().unwrap();
    let app = dir.path().join("force-app/main/default/connectedApps/Broken_CA.connectedApp-meta.xml");
    let real = outside.path().join("Broken_CA.connectedApp-meta.xml");
    std::fs::rename(&app, &real).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(&real, &app).unwrap();
    #[cfg(not(unix))]
    return;
    let before = std::fs::read(&real).unwrap();
    let out = doctor_in(dir.path(), &[&["--fix"], app_args(BROKEN_CA, "jwt/server.key").as_slice()].concat());
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(out.stdout.contains("Not changed:"), "{}", out.stdout);
    assert!(out.stdout.contains("is a symbolic link"), "{}", out.stdout);
    assert_eq!(std::fs::read(&real).unwrap(), before, "nothing written through the link");
}
