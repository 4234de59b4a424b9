//! The org inspection against a fake REST API: each cause it must tell apart, the permissions it
//! must name when it cannot, and the admin token it must never show.

use std::time::Duration;

use serde_json::json;
use sfjwt::{
    http::Client,
    org::{
        AccessVia, AdminSession, AppLookup, AppRef, MAX_PAGES, NOT_APPROVED_STATUS, OrgInspection, QueryError,
        QueryOutcome, SObject, Topic, inspect, run_query, session_from_org_display,
    },
};

use crate::support::fake_rest::{
    self, ADMIN_PROFILE, ADMIN_USERNAME, AppRow, FakeRest, OrgModel, Refusal, TOKEN, UserRow,
};
use crate::support::server::{self, Fault};

const CI_USER: &str = "ci@example.com";
const CI_APP: &str = "CI Deploy";
const INTEGRATION: &str = "Integration User";

fn client() -> Client {
    Client::new(Duration::from_secs(10))
}

/// The session as `SF_TEMP_SHOW_SECRETS=true sf org display --json` would give it.
fn session_with(fake: &FakeRest, token: &str) -> AdminSession {
    let display = json!({
        "status": 0,
        "result": {
            "id": fake_rest::ORG_ID,
            "accessToken": token,
            "instanceUrl": fake.url(),
            "username": ADMIN_USERNAME,
            "connectedStatus": "Connected",
        },
        "warnings": [],
    });
    session_from_org_display(&display.to_string()).expect("a usable session")
}

fn app(label: &str) -> AppRef {
    AppRef { label: Some(label.into()), ..AppRef::default() }
}

fn inspect_with(fake: &FakeRest, username: &str, app_ref: &AppRef) -> OrgInspection {
    inspect(&client(), &session_with(fake, TOKEN), username, app_ref)
}

/// An org with the CI user on `profile` and `app` installed.
fn org_with(user: UserRow, app: AppRow) -> OrgModel {
    OrgModel::production().with_user(user).with_app(app)
}

fn objects_queried(inspection: &OrgInspection) -> Vec<SObject> {
    inspection.queries.iter().map(|q| q.object).collect()
}

#[test]
fn an_admin_approved_app_that_allows_the_users_profile_grants_access_through_it() {
    let fake = FakeRest::start(org_with(
        UserRow::new(CI_USER, INTEGRATION),
        AppRow::admin_approved(CI_APP).allow_profile(INTEGRATION).allow_permission_set("CI_Access"),
    ));
    let found = inspect_with(&fake, CI_USER, &app(CI_APP));

    assert_eq!(found.session_problem, None);
    assert!(found.skipped.is_empty(), "{:?}", found.skipped);
    let user = found.user.as_ref().unwrap();
    assert!(user.exists);
    assert_eq!((user.is_active, user.is_frozen), (Some(true), Some(false)));
    assert_eq!(user.profile_name.as_deref(), Some(INTEGRATION));
    let org = found.org.as_ref().unwrap();
    assert!(!org.is_sandbox && !org.is_scratch);
    assert_eq!(org.instance.as_deref(), Some("USA123"));
    let app = found.app().unwrap();
    assert!(app.admin_approved_only);
    assert_eq!(app.high_assurance, Some(false));
    assert!(app.created_at.is_some() && app.modified_at.is_some());
    let access = found.access.as_ref().unwrap();
    assert_eq!(access.user_has_access, Some(true));
    assert_eq!(access.via, Some(AccessVia::Profile(INTEGRATION.into())));
    assert_eq!(access.allowed_profiles, [INTEGRATION]);
    assert_eq!(access.allowed_permission_sets, ["CI_Access"]);

    use SObject::*;
    assert_eq!(
        objects_queried(&found),
        [
            User,
            UserLogin,
            Organization,
            ConnectedApplication,
            SetupEntityAccess,
            PermissionSetAssignment,
            OauthToken,
            LoginHistory
        ]
    );
    assert!(found.queries.iter().all(|q| matches!(q.outcome, QueryOutcome::Rows { .. })));
    assert_eq!(fake.requests().len(), found.queries.len());
    assert!(
        fake.requests().iter().all(|r| r.authorized && r.method == "GET" && r.path.starts_with("/services/data/v"))
    );
}

#[test]
fn an_assigned_permission_set_grants_access() {
    let fake = FakeRest::start(org_with(
        UserRow::new(CI_USER, INTEGRATION).with_permission_set("Reports").with_permission_set("CI_Access"),
        AppRow::admin_approved(CI_APP).allow_permission_set("CI_Access"),
    ));
    let found = inspect_with(&fake, CI_USER, &app(CI_APP));
    let access = found.access.unwrap();
    assert_eq!(access.user_has_access, Some(true));
    assert_eq!(access.via, Some(AccessVia::PermissionSet("CI_Access".into())));
    assert!(access.allowed_profiles.is_empty());
}

#[test]
fn a_user_neither_profile_nor_permission_set_allows_has_no_access() {
    let fake = FakeRest::start(org_with(
        UserRow::new(CI_USER, "Standard User").with_permission_set("Reports"),
        AppRow::admin_approved(CI_APP).allow_profile(ADMIN_PROFILE).allow_permission_set("CI_Access"),
    ));
    let found = inspect_with(&fake, CI_USER, &app(CI_APP));
    let access = found.access.unwrap();
    assert_eq!(access.user_has_access, Some(false));
    assert_eq!(access.via, None);
    assert_eq!(access.allowed_profiles, [ADMIN_PROFILE]);
    assert_eq!(access.allowed_permission_sets, ["CI_Access"]);
}

#[test]
fn a_self_authorize_app_shows_whether_the_user_ever_approved_it() {
    let model = org_with(UserRow::new(CI_USER, INTEGRATION), AppRow::self_authorize(CI_APP));

    let approved = FakeRest::start(model.clone().with_token(CI_USER, CI_APP).with_token(CI_USER, "Workbench"));
    let found = inspect_with(&approved, CI_USER, &app(CI_APP));
    assert!(!found.app().unwrap().admin_approved_only);
    let approval = found.approval.unwrap();
    assert_eq!((approval.tokens, approval.use_count), (1, 1));
    assert!(approval.last_used_at.is_some() && approval.conclusive);
    assert_eq!(approval.other_apps, ["Workbench"]);
    assert_eq!(approval.app_label.as_deref(), Some(CI_APP));

    let other_app_only = FakeRest::start(model.clone().with_token(CI_USER, "Workbench"));
    let approval = inspect_with(&other_app_only, CI_USER, &app(CI_APP)).approval.unwrap();
    assert_eq!(approval.tokens, 0);
    assert!(approval.conclusive, "a row for another app shows the admin can see this user's tokens");

    // No rows at all about someone else: an admin without Customize Application would see the same.
    let never = FakeRest::start(model);
    let approval = inspect_with(&never, CI_USER, &app(CI_APP)).approval.unwrap();
    assert_eq!(approval.tokens, 0);
    assert!(!approval.conclusive);
}

#[test]
fn the_admins_own_empty_token_list_is_conclusive() {
    let fake = FakeRest::start(OrgModel::production().with_app(AppRow::self_authorize(CI_APP)));
    let approval = inspect_with(&fake, ADMIN_USERNAME, &app(CI_APP)).approval.unwrap();
    assert_eq!(approval.tokens, 0);
    assert!(approval.conclusive);
}

#[test]
fn frozen_and_inactive_users_are_reported() {
    let fake = FakeRest::start(
        OrgModel::production()
            .with_user(UserRow::new("frozen@example.com", INTEGRATION).frozen())
            .with_user(UserRow::new("gone@example.com", INTEGRATION).inactive()),
    );
    let frozen = inspect_with(&fake, "frozen@example.com", &app(CI_APP)).user.unwrap();
    assert_eq!((frozen.is_active, frozen.is_frozen), (Some(true), Some(true)));
    let inactive = inspect_with(&fake, "gone@example.com", &app(CI_APP)).user.unwrap();
    assert_eq!((inactive.is_active, inactive.is_frozen), (Some(false), Some(false)));
}

#[test]
fn an_unknown_user_is_reported_and_nothing_about_them_is_queried() {
    let fake = FakeRest::start(org_with(UserRow::new(CI_USER, INTEGRATION), AppRow::admin_approved(CI_APP)));
    let found = inspect_with(&fake, "nobody@example.com", &app(CI_APP));
    let user = found.user.as_ref().unwrap();
    assert!(!user.exists && user.id.is_none());
    assert_eq!(user.username, "nobody@example.com");
    use SObject::*;
    assert_eq!(objects_queried(&found), [User, Organization, ConnectedApplication, SetupEntityAccess]);
    let access = found.access.unwrap();
    assert_eq!(access.user_has_access, None);
    assert!(found.approval.is_none() && found.logins.is_none());
    assert!(found.skipped.is_empty(), "a missing user makes the rest moot, not unsettled: {:?}", found.skipped);
}

#[test]
fn sandbox_and_scratch_orgs_are_told_apart() {
    let sandbox = FakeRest::start(OrgModel::sandbox());
    let org = inspect_with(&sandbox, ADMIN_USERNAME, &app(CI_APP)).org.unwrap();
    assert!(org.is_sandbox && !org.is_scratch);
    assert_eq!(org.trial_expires_at, None);

    let scratch = FakeRest::start(OrgModel::scratch("2026-03-01T12:00:00.000+0000"));
    let org = inspect_with(&scratch, ADMIN_USERNAME, &app(CI_APP)).org.unwrap();
    assert!(!org.is_sandbox && org.is_scratch);
    assert_eq!(org.created_at, sfjwt::org::parse_datetime("2026-03-01T12:00:00.000Z"));
    assert_eq!(org.organization_type.as_deref(), Some("Developer Edition"));
}

#[test]
fn a_denied_setup_entity_access_is_skipped_with_the_permission_that_would_settle_it() {
    let fake = FakeRest::start(org_with(
        UserRow::new(CI_USER, INTEGRATION),
        AppRow::admin_approved(CI_APP).allow_profile(INTEGRATION),
    ));
    fake.refuse("SetupEntityAccess", Refusal::InsufficientAccess);
    fake.refuse("LoginHistory", Refusal::InvalidType);
    let found = inspect_with(&fake, CI_USER, &app(CI_APP));

    assert_eq!(found.session_problem, None);
    assert!(found.access.is_none());
    let access = found.skipped_for(Topic::Access).unwrap();
    assert_eq!(access.permission, Some("View Setup and Configuration"));
    assert!(access.reason.contains("SetupEntityAccess"), "{}", access.reason);
    let logins = found.skipped_for(Topic::Logins).unwrap();
    assert_eq!(logins.permission, Some("Manage Users or Monitor Login History"));
    assert!(logins.reason.contains("sObject type 'LoginHistory' is not supported"), "{}", logins.reason);
    // The rest still ran.
    assert!(found.approval.is_some() && found.app().is_some());
    let denied = found.queries.iter().find(|q| q.object == SObject::SetupEntityAccess).unwrap();
    assert!(matches!(denied.outcome, QueryOutcome::Skipped { permission: Some("View Setup and Configuration"), .. }));
}

#[test]
fn a_server_error_is_a_failed_query_not_an_abort() {
    let fake = FakeRest::start(org_with(UserRow::new(CI_USER, INTEGRATION), AppRow::self_authorize(CI_APP)));
    fake.refuse("Organization", Refusal::ServerError);
    let found = inspect_with(&fake, CI_USER, &app(CI_APP));
    assert!(found.org.is_none() && found.app().is_some());
    let org = found.skipped_for(Topic::Org).unwrap();
    assert_eq!(org.permission, None);
    assert!(org.reason.contains("HTTP 500"), "{}", org.reason);
}

#[test]
fn an_expired_token_stops_the_inspection_at_the_first_query() {
    let fake = FakeRest::start(org_with(UserRow::new(CI_USER, INTEGRATION), AppRow::admin_approved(CI_APP)));
    fake.expire_token();
    let found = inspect_with(&fake, CI_USER, &app(CI_APP));
    let problem = found.session_problem.as_deref().unwrap();
    assert!(problem.contains("INVALID_SESSION_ID") && problem.contains(ADMIN_USERNAME), "{problem}");
    assert_eq!(found.queries.len(), 1);
    assert_eq!(fake.requests().len(), 1);
    assert!(found.user.is_none() && found.org.is_none() && found.app.is_none());
}

#[test]
fn pages_are_followed_up_to_the_limit() {
    let mut model = OrgModel::production().with_user(UserRow::new(CI_USER, INTEGRATION));
    for minute in 0..7 {
        model = model.with_login(CI_USER, &format!("2026-03-01T08:0{minute}:00.000+0000"), "Success", CI_APP);
    }
    let fake = FakeRest::start(model.clone());
    fake.paginate(3);
    let logins = inspect_with(&fake, CI_USER, &app(CI_APP)).logins.unwrap();
    assert_eq!(logins.logins.len(), 7);
    assert!(logins.complete);
    assert_eq!(fake.requests_for("LoginHistory"), 3);
    // Newest first, as asked.
    assert!(logins.logins.windows(2).all(|w| w[0].time >= w[1].time));

    let capped = FakeRest::start(model);
    capped.paginate(1);
    let logins = inspect_with(&capped, CI_USER, &app(CI_APP)).logins.unwrap();
    assert_eq!(logins.logins.len(), MAX_PAGES);
    assert!(!logins.complete);
    assert_eq!(capped.requests_for("LoginHistory"), MAX_PAGES);
}

#[test]
fn not_approved_failures_are_counted_from_the_login_history() {
    let model = OrgModel::production()
        .with_user(UserRow::new(CI_USER, INTEGRATION))
        .with_login(CI_USER, "2026-03-01T08:00:00.000+0000", NOT_APPROVED_STATUS, CI_APP)
        .with_login(CI_USER, "2026-03-01T08:01:00.000+0000", "Success", CI_APP)
        .with_login(CI_USER, "2026-03-01T08:02:00.000+0000", NOT_APPROVED_STATUS, CI_APP);
    let fake = FakeRest::start(model);
    let found = inspect_with(&fake, CI_USER, &app(CI_APP));
    let logins = found.logins.unwrap();
    assert_eq!(logins.not_approved_failures, 2);
    assert_eq!(logins.logins[0].application.as_deref(), Some(CI_APP));
    let soql = &found.queries.last().unwrap().soql;
    assert!(!soql.contains("Status ="), "Status cannot be filtered: {soql}");
}

#[test]
fn a_rejected_optional_field_is_dropped_and_the_query_retried() {
    let fake = FakeRest::start(org_with(UserRow::new(CI_USER, INTEGRATION), AppRow::admin_approved(CI_APP)));
    fake.reject_field("ConnectedApplication", "LastModifiedDate");
    let found = inspect_with(&fake, CI_USER, &app(CI_APP));
    let app = found.app().unwrap();
    assert_eq!(app.modified_at, None);
    assert!(app.created_at.is_some());
    let attempts: Vec<_> = found.queries.iter().filter(|q| q.topic == Topic::App).collect();
    assert_eq!(attempts.len(), 2);
    assert!(matches!(attempts[0].outcome, QueryOutcome::Failed { .. }));
    assert!(!attempts[1].soql.contains("LastModifiedDate"));
    assert!(found.skipped.is_empty(), "{:?}", found.skipped);
}

#[test]
fn an_app_that_is_not_there_lists_the_apps_that_are() {
    let fake = FakeRest::start(
        org_with(UserRow::new(CI_USER, INTEGRATION), AppRow::self_authorize("Deploy Bot"))
            .with_app(AppRow::self_authorize("Workbench")),
    );
    let found = inspect_with(
        &fake,
        CI_USER,
        &AppRef { label: Some("CI App".into()), api_name: Some("CI_App".into()), consumer_key: None },
    );
    assert_eq!(
        found.app,
        Some(AppLookup::NotFound {
            searched: vec!["CI App".into(), "CI_App".into()],
            org_apps: vec!["Deploy Bot".into(), "Workbench".into()]
        })
    );
    assert!(found.access.is_none());
    assert!(found.queries.iter().any(|q| q.soql.contains("Name IN ('CI App', 'CI_App')")));
}

#[test]
fn the_api_name_finds_an_app_whose_label_was_not_given() {
    let fake = FakeRest::start(org_with(UserRow::new(CI_USER, INTEGRATION), AppRow::self_authorize("CI_App")));
    let found = inspect_with(&fake, CI_USER, &AppRef { api_name: Some("CI_App".into()), ..AppRef::default() });
    assert_eq!(found.app().unwrap().name, "CI_App");
}

#[test]
fn a_consumer_key_alone_cannot_identify_the_app() {
    let fake = FakeRest::start(
        org_with(UserRow::new(CI_USER, INTEGRATION), AppRow::admin_approved(CI_APP)).with_token(CI_USER, CI_APP),
    );
    let key = "3MVG9szVa2Rx_sqBb444p50YjQx7zABCDEFGH";
    let found = inspect_with(&fake, CI_USER, &AppRef { consumer_key: Some(key.into()), ..AppRef::default() });
    assert_eq!(found.app, Some(AppLookup::Unidentified { org_apps: vec![CI_APP.into()] }));
    let reason = &found.skipped_for(Topic::App).unwrap().reason;
    assert!(reason.contains("consumer-key") && !reason.contains(key), "{reason}");
    assert!(found.skipped_for(Topic::Access).is_some());
    // The tokens are still listed, by app name.
    let approval = found.approval.unwrap();
    assert_eq!((approval.app_label, approval.other_apps), (None, vec![CI_APP.to_string()]));
}

#[test]
fn quotes_in_a_username_are_escaped_not_injected() {
    let tricky = "o'brien\\ci@example.com";
    let fake = FakeRest::start(OrgModel::production().with_user(UserRow::new(tricky, INTEGRATION)));
    let found = inspect_with(&fake, tricky, &app(CI_APP));
    assert!(found.user.unwrap().exists);
    let injected = inspect_with(&fake, "x' OR Username != '", &app(CI_APP));
    assert!(!injected.user.unwrap().exists);
}

#[test]
fn the_runner_sorts_errors_by_what_they_mean() {
    let fake = FakeRest::start(OrgModel::production());
    let session = session_with(&fake, TOKEN);
    let client = client();
    let query = |object, soql: &str| run_query(&client, &session, object, soql);

    let rows = query(SObject::User, "SELECT Id, Profile.Name FROM User").unwrap();
    assert_eq!(rows.records.len(), 1);
    assert_eq!(rows.records[0]["attributes"]["type"], "User");
    assert_eq!(rows.records[0]["Profile"]["attributes"]["type"], "Profile");
    assert_eq!(rows.records[0]["Profile"]["Name"], ADMIN_PROFILE);

    assert!(matches!(query(SObject::User, "SELECT Nope FROM User"), Err(QueryError::InvalidField { .. })));
    assert!(matches!(query(SObject::OauthToken, "SELECT Id FROM Nothing"), Err(QueryError::NotAvailable { .. })));
    fake.refuse("OauthToken", Refusal::InsufficientAccess);
    assert_eq!(
        query(SObject::OauthToken, "SELECT AppName FROM OauthToken"),
        Err(QueryError::NoAccess { permission: "Customize Application" })
    );
    let expired = session_with(&fake, "00D000000000001EAA!AQ4AQSomeOtherTokenThatExpired01234");
    assert_eq!(run_query(&client, &expired, SObject::User, "SELECT Id FROM User"), Err(QueryError::InvalidSession));

    let closed = server::closed_address();
    let unreachable = AdminSession::new(&format!("http://{closed}"), TOKEN.into(), "test").unwrap();
    assert!(matches!(
        run_query(&client, &unreachable, SObject::User, "SELECT Id FROM User"),
        Err(QueryError::Network(_))
    ));
}

#[test]
fn an_unreachable_instance_stops_the_inspection() {
    let closed = server::closed_address();
    let session = AdminSession::new(&format!("http://{closed}"), TOKEN.into(), "test").unwrap();
    let found = inspect(&client(), &session, CI_USER, &app(CI_APP));
    assert!(found.session_problem.unwrap().contains("could not query"));
    assert_eq!(found.queries.len(), 1);
}

#[test]
fn the_admin_token_never_appears_in_any_output() {
    let canary = "00D000000000001EAA!CANARYtokenQ8vX3zLm4Rt7Wp2Ks9Jd6Hf1";
    let secret_part = "CANARYtokenQ8vX3zLm4Rt7Wp2Ks9Jd6Hf1";
    let fake = FakeRest::start(org_with(
        UserRow::new(CI_USER, INTEGRATION),
        AppRow::admin_approved(CI_APP).allow_profile(INTEGRATION),
    ));
    fake.refuse("SetupEntityAccess", Refusal::InsufficientAccess);
    fake.refuse("Organization", Refusal::ServerError);
    fake.refuse("LoginHistory", Refusal::InvalidType);
    fake.accept_token(canary);
    let session = session_with(&fake, canary);
    let mut outputs = vec![format!("{session:?}")];

    let refused_in_part = inspect(&client(), &session, CI_USER, &app(CI_APP));
    assert!(refused_in_part.session_problem.is_none() && refused_in_part.skipped.len() == 3);
    fake.expire_token();
    let expired = inspect(&client(), &session, CI_USER, &app(CI_APP));
    assert!(expired.session_problem.is_some());
    for inspection in [&refused_in_part, &expired] {
        outputs.push(format!("{inspection:?}"));
        outputs.push(serde_json::to_string(inspection).unwrap());
        outputs.extend(inspection.skipped.iter().map(|s| s.reason.clone()));
        outputs.extend(inspection.session_problem.clone());
    }
    for object in [SObject::User, SObject::OauthToken] {
        let error = run_query(&client(), &session, object, "SELECT Id FROM User").unwrap_err();
        outputs.push(format!("{error} {error:?}"));
    }
    let error_echoing_token = json!({"status": 1, "name": "AuthError", "message": format!("bad token {canary}")});
    outputs.push(session_from_org_display(&error_echoing_token.to_string()).unwrap_err());
    let bad_url = json!({"status": 0, "result": {"accessToken": canary, "instanceUrl": "http://example.com"}});
    outputs.push(session_from_org_display(&bad_url.to_string()).unwrap_err());

    for output in &outputs {
        assert!(!output.contains(secret_part), "the token leaked: {output}");
    }
}

#[test]
fn a_maintenance_page_fails_the_queries_and_the_inspection_goes_on() {
    let fake = FakeRest::start(org_with(UserRow::new(CI_USER, INTEGRATION), AppRow::admin_approved(CI_APP)));
    fake.inject(Some(Fault::Html(503)));
    let found = inspect_with(&fake, CI_USER, &app(CI_APP));
    assert_eq!(found.session_problem, None, "a 503 says nothing about the session");
    use SObject::*;
    assert_eq!(objects_queried(&found), [User, Organization, ConnectedApplication], "the rest needs their ids");
    for query in &found.queries {
        assert!(matches!(&query.outcome, QueryOutcome::Failed { error } if error.contains("HTTP 503")), "{query:?}");
    }
    assert!(found.skipped_for(Topic::User).unwrap().reason.contains("HTTP 503"));
    assert!(found.user.is_none() && found.org.is_none() && found.app.is_none());

    fake.inject(None);
    let recovered = inspect_with(&fake, CI_USER, &app(CI_APP));
    assert!(recovered.user.unwrap().exists && recovered.skipped.is_empty(), "{:?}", recovered.skipped);
}
