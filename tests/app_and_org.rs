//! The connected app's metadata and an admin session, end to end through the binary: each
//! approval cause from its evidence, and a healthy setup with none. Each app cause from its
//! metadata fixture is a scenario in `scenarios.rs`.

use crate::support::fake_rest::{ADMIN_PROFILE, AppRow, FakeRest, OrgModel, Refusal, TOKEN, UserRow};
use crate::support::{Output, Test, fixture};

const HEALTHY_KEY: &str = "3MVG9EXAMPLE0nly.TestKey_ForSfjwtDocs0000000000000000000000000000000000000000000";
const USER: &str = "ci@example.com";

fn doctor(client_id: &str, extra: &[&str]) -> Output {
    Test::offline_json()
        .args(["--client-id", client_id, "--username", USER, "--jwt-key-file", &fixture("example/server.key")])
        .args(extra)
        .run()
}

fn app(folder: &str) -> String {
    fixture(&format!("metadata/{folder}"))
}

#[test]
fn a_healthy_admin_approved_app_reports_nothing() {
    let out = doctor(HEALTHY_KEY, &["--connected-app", &app("connected-app-healthy")]);
    assert_eq!((out.code, out.causes().len()), (0, 0), "{}", out.stdout);
    assert_eq!(out.check_status("app.settings"), "pass");
    assert_eq!(out.check_status("pair.match"), "pass", "the app's certificate pairs with the key");
    let eca = doctor(
        "3MVG9EXAMPLE0nly.Eca_ForSfjwtDocs00000000000000000000000000000000000000000000000",
        &["--connected-app", &app("eca-healthy")],
    );
    assert_eq!((eca.code, eca.causes().len()), (0, 0), "{}", eca.stdout);
}

#[test]
fn missing_api_scope_and_a_foreign_app_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let healthy =
        std::fs::read_to_string(app("connected-app-healthy/connectedApps/Sfjwt_CI.connectedApp-meta.xml")).unwrap();
    let only_refresh = healthy.replace("<scopes>Api</scopes>", "").replace("<scopes>Web</scopes>", "");
    let path = dir.path().join("Only_Refresh.connectedApp-meta.xml");
    std::fs::write(&path, only_refresh).unwrap();
    let out = doctor(HEALTHY_KEY, &["--connected-app", path.to_str().unwrap()]);
    assert_eq!(out.causes(), ["app.missing-api-scope"], "{}", out.stdout);

    let other_key = Test::offline_json()
        .args(["--client-id", HEALTHY_KEY, "--username", USER, "--jwt-key-file", &fixture("keys/rsa2048.pkcs8.pem")])
        .args(["--connected-app", &app("connected-app-healthy")])
        .run();
    assert_eq!(other_key.causes(), ["pair.key-cert-mismatch"], "{}", other_key.stdout);
}

#[test]
fn apps_are_discovered_in_the_sfdx_project() {
    let project = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/metadata/sfdx-project");
    let key = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/example/server.key");
    let out = Test::offline_json()
        .current_dir(&project)
        .args(["--username", USER, "--jwt-key-file"])
        .arg(&key)
        .args(["--client-id", "3MVG9EXAMPLE0nly.Project_ForSfjwtDocs0000000000000000000000000000000000000000000"])
        .run();
    let metadata = out.check("app.metadata");
    assert_eq!(metadata["status"], "pass", "{metadata}");
    assert!(metadata["summary"].as_str().unwrap().contains("Sfjwt_Project_App"), "{metadata}");
}

/// An org whose admin session sfjwt reads, with the CI user and the app `sfjwt CI`.
fn org(user: UserRow, app: AppRow) -> FakeRest {
    FakeRest::start(OrgModel::production().with_user(user).with_app(app))
}

fn with_admin(fake: &FakeRest, extra: &[&str]) -> Output {
    Test::new()
        .env("SFJWT_ADMIN_TOKEN", TOKEN)
        .args(["doctor", "--format", "json", "--client-id", HEALTHY_KEY, "--username", USER])
        .args(["--jwt-key-file", &fixture("example/server.key"), "--connected-app", &app("connected-app-healthy")])
        .args(["--admin-instance-url", &fake.url(), "--instance-url", "http://127.0.0.1:9"])
        .args(extra)
        .run()
}

#[test]
fn admin_session_settles_pre_authorization() {
    let allowed =
        org(UserRow::new(USER, ADMIN_PROFILE), AppRow::admin_approved("sfjwt CI").allow_profile(ADMIN_PROFILE));
    let out = with_admin(&allowed, &["--offline"]);
    assert_eq!(out.check_status("org.access"), "skip", "--offline never queries: {}", out.stdout);
    let out = with_admin(&allowed, &[]);
    assert_eq!(out.check_status("org.access"), "pass", "{}", out.stdout);
    assert!(!out.causes().iter().any(|c| c.starts_with("approval.")), "{:?}", out.causes());

    let not_allowed =
        org(UserRow::new(USER, "Integration User"), AppRow::admin_approved("sfjwt CI").allow_profile(ADMIN_PROFILE));
    let out = with_admin(&not_allowed, &[]);
    let cause = out.cause("approval.user-not-preauthorized");
    assert_eq!(cause["confidence"], "high");
    assert!(cause["fix"][0].as_str().unwrap().contains("Integration User"), "{cause}");
}

#[test]
fn admin_session_settles_self_authorization_and_the_user() {
    let never_approved = org(UserRow::new(USER, ADMIN_PROFILE), AppRow::self_authorize("sfjwt CI"));
    let out = with_admin(&never_approved, &[]);
    assert!(out.causes().contains(&"approval.self-authorize-not-approved".to_string()), "{}", out.stdout);
    let fix = out.json()["causes"].to_string();
    assert!(fix.contains("sf org login web --client-id 3MVG9EXAMPLE0nly"), "the approval route: {fix}");

    let frozen = org(
        UserRow::new(USER, ADMIN_PROFILE).frozen(),
        AppRow::admin_approved("sfjwt CI").allow_profile(ADMIN_PROFILE),
    );
    assert!(with_admin(&frozen, &[]).causes().contains(&"user.frozen".to_string()));
    let inactive = org(
        UserRow::new(USER, ADMIN_PROFILE).inactive(),
        AppRow::admin_approved("sfjwt CI").allow_profile(ADMIN_PROFILE),
    );
    assert!(with_admin(&inactive, &[]).causes().contains(&"user.inactive".to_string()));
    let nobody = FakeRest::start(OrgModel::production().with_app(AppRow::admin_approved("sfjwt CI")));
    assert!(with_admin(&nobody, &[]).causes().contains(&"user.not-found".to_string()));
}

#[test]
fn a_permission_error_is_a_skip_naming_the_permission() {
    let fake = org(UserRow::new(USER, ADMIN_PROFILE), AppRow::admin_approved("sfjwt CI").allow_profile(ADMIN_PROFILE));
    fake.refuse("SetupEntityAccess", Refusal::InsufficientAccess);
    let out = with_admin(&fake, &[]);
    let access = out.check("org.access");
    assert_eq!(access["status"], "skip", "{access}");
    assert!(access["summary"].as_str().unwrap().contains("View Setup and Configuration"), "{access}");
    assert!(!out.stdout.contains(TOKEN) && !out.stderr.contains(TOKEN), "the admin token leaked");
}

#[test]
fn verbose_output_shows_every_query() {
    let fake = org(UserRow::new(USER, ADMIN_PROFILE), AppRow::admin_approved("sfjwt CI").allow_profile(ADMIN_PROFILE));
    let out = Test::new()
        .env("SFJWT_ADMIN_TOKEN", TOKEN)
        .args(["doctor", "-v", "--client-id", HEALTHY_KEY, "--username", USER, "--instance-url", "http://127.0.0.1:9"])
        .args(["--jwt-key-file", &fixture("example/server.key"), "--connected-app", &app("connected-app-healthy")])
        .args(["--admin-instance-url", &fake.url()])
        .run();
    let queries = out.stdout.lines().filter(|l| l.trim_start().starts_with("query SELECT")).count();
    assert_eq!(queries, fake.requests().len(), "{}", out.stdout);
    assert!(out.stdout.contains("FROM User WHERE Username = 'ci@example.com'"), "{}", out.stdout);
}
