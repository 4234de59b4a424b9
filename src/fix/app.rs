//! Fixes to connected app and External Client App metadata, built by the app checks from what
//! the metadata reader found: which file holds which part, and its hash when read.
//!
//! Field names as in the Metadata API Developer Guide v67.0: `ConnectedApp.oauthConfig.scopes`,
//! `.oauthConfig.isAdminApproved`, `.oauthConfig.certificate`, top-level `profileName` and
//! `permissionSetName` (which need `isAdminApproved` true); for External Client Apps
//! `ExtlClntAppOauthSettings.commaSeparatedOauthScopes`,
//! `ExtlClntAppOauthConfigurablePolicies.permittedUsersPolicyType`, `.commaSeparatedProfile`,
//! `.commaSeparatedPermissionSet`, and `ExtlClntAppGlobalOauthSettings.certificate`.

use std::path::{Path, PathBuf};

use super::{Action, Contents, Fix, XmlChange};
use crate::{
    metadata::{AppKind, AppSettings, Part, Scope},
    setup::templates,
    shell,
};

/// Adds `scope` to the app's OAuth scopes.
pub fn add_scope(app: &AppSettings, scope: &Scope) -> Option<Fix> {
    let value = scope.to_string();
    let why = format!("add the {value} scope to {}", app.name);
    match app.kind {
        AppKind::ConnectedApp => {
            edit(app, Part::ConnectedApp, XmlChange::AddRepeated { path: vec!["oauthConfig", "scopes"], value }, why)
        }
        AppKind::ExternalClientApp => edit(
            app,
            Part::EcaOauthSettings,
            XmlChange::AddToList { path: vec!["commaSeparatedOauthScopes"], value },
            why,
        ),
    }
}

/// Whom to pre-authorize.
pub enum Grant<'a> {
    /// The user's own profile, known from the org.
    Profile(&'a str),
    /// A new permission set for the app, to be assigned to the user after the deploy.
    NewPermissionSet { username: Option<&'a str> },
}

/// Makes the app admin approved (when `switch_policy`) and pre-authorizes `grant` (none when the
/// app already names profiles or permission sets).
pub fn pre_authorize(app: &AppSettings, switch_policy: bool, grant: Option<Grant>) -> Vec<Fix> {
    let mut fixes = Vec::new();
    let (part, policy_change, profile_path, permission_set_path, list) = match app.kind {
        AppKind::ConnectedApp => (
            Part::ConnectedApp,
            XmlChange::SetText { path: vec!["oauthConfig", "isAdminApproved"], value: "true".into() },
            vec!["profileName"],
            vec!["permissionSetName"],
            false,
        ),
        AppKind::ExternalClientApp => (
            Part::EcaOauthPolicies,
            XmlChange::SetText { path: vec!["permittedUsersPolicyType"], value: "AdminApprovedPreAuthorized".into() },
            vec!["commaSeparatedProfile"],
            vec!["commaSeparatedPermissionSet"],
            true,
        ),
    };
    let Some(file) = app.file(part) else { return fixes };
    let add = |path: Vec<&'static str>, value: String| {
        if list { XmlChange::AddToList { path, value } } else { XmlChange::AddRepeated { path, value } }
    };
    if switch_policy {
        fixes.extend(edit(
            app,
            part,
            policy_change,
            format!("set Permitted Users of {} to \"Admin approved users are pre-authorized\"", app.name),
        ));
    }
    match grant {
        None => {}
        Some(Grant::Profile(profile)) => fixes.extend(edit(
            app,
            part,
            add(profile_path, profile.to_string()),
            format!("pre-authorize the profile {profile} for {}", app.name),
        )),
        Some(Grant::NewPermissionSet { username }) => {
            let name = format!("{}_JWT_Users", app.name);
            let folder = source_folder(&file.path).join("permissionsets");
            let ps_file = templates::permission_set(&name, app.label.as_deref().unwrap_or(&app.name));
            let mut create = Fix::new(
                Action::Create {
                    file: folder.join(ps_file.relative.file_name().unwrap_or_default()),
                    contents: Contents::Text(ps_file.text),
                    mode: 0o644,
                },
                format!("a permission set {name} that pre-authorizes users of {}", app.name),
            );
            let assignee = username.unwrap_or("<integration username>");
            create = create.then(shell::line(&shell::lits([
                "sf",
                "org",
                "assign",
                "permset",
                "--name",
                &name,
                "--on-behalf-of",
                assignee,
            ])));
            fixes.push(create);
            fixes.extend(edit(
                app,
                part,
                add(permission_set_path, name.clone()),
                format!("pre-authorize the permission set {name} for {}", app.name),
            ));
        }
    }
    fixes
}

/// Puts `pem` (a certificate that pairs with the key) into the app.
pub fn replace_certificate(app: &AppSettings, pem: &str, why: String) -> Option<Fix> {
    let (part, path) = match app.kind {
        AppKind::ConnectedApp => (Part::ConnectedApp, vec!["oauthConfig", "certificate"]),
        AppKind::ExternalClientApp => (Part::EcaGlobalOauth, vec!["certificate"]),
    };
    edit(app, part, XmlChange::SetCertificate { path, pem: pem.to_string() }, why)
}

fn edit(app: &AppSettings, part: Part, change: XmlChange, why: String) -> Option<Fix> {
    let file = app.file(part)?;
    Some(Fix::new(Action::Edit { file: file.path.clone(), sha256: file.sha256.clone(), change }, why))
}

/// `…/main/default` for `…/main/default/connectedApps/App.connectedApp-meta.xml`: the folder
/// that holds the type folders.
fn source_folder(app_file: &Path) -> PathBuf {
    app_file.parent().and_then(Path::parent).map(Path::to_path_buf).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use crate::{
        cause_id::CauseId,
        evidence::OrgEvidence,
        fix::{Action, XmlChange},
        org::{AccessFacts, AppFacts, AppLookup, OrgInspection, UserFacts},
        testing::evidence,
    };

    /// With an admin session showing the user's profile is not on the app, the org check's
    /// cause carries the edit that adds that profile to the app's metadata.
    #[test]
    fn the_users_profile_from_the_org_is_added_to_the_local_app() {
        let mut ev = evidence(&[
            "--connected-app",
            "fixtures/metadata/connected-app-healthy",
            "--client-id",
            "3MVG9EXAMPLE0nly.TestKey_ForSfjwtDocs0000000000000000000000000000000000000000000",
            "--username",
            "ci@example.com",
        ]);
        let user = UserFacts {
            username: "ci@example.com".into(),
            exists: true,
            id: Some("005000000000001AAA".into()),
            is_active: Some(true),
            profile_id: Some("00e000000000001AAA".into()),
            profile_name: Some("Integration User".into()),
            is_frozen: Some(false),
        };
        let app = AppFacts {
            id: "0H4000000000001AAA".into(),
            name: "Sfjwt_CI".into(),
            admin_approved_only: true,
            high_assurance: Some(false),
            created_at: None,
            modified_at: None,
        };
        let access = AccessFacts {
            allowed_profiles: vec!["System Administrator".into()],
            allowed_permission_sets: vec!["CI_Integration".into()],
            user_has_access: Some(false),
            via: None,
        };
        ev.org = OrgEvidence::Done(Box::new(OrgInspection {
            user: Some(user),
            app: Some(AppLookup::Found(app)),
            access: Some(access),
            ..OrgInspection::default()
        }));
        let outcome = crate::checks::org::access(&ev);
        let cause = outcome.causes.iter().find(|c| c.id == CauseId::ApprovalUserNotPreauthorized).expect("the cause");
        let [fix] = cause.file_fixes.as_slice() else { panic!("{:?}", cause.file_fixes) };
        let Action::Edit { file, change, .. } = &fix.action else { panic!("{fix:?}") };
        assert!(file.ends_with("connectedApps/Sfjwt_CI.connectedApp-meta.xml"), "{}", file.display());
        assert_eq!(change, &XmlChange::AddRepeated { path: vec!["profileName"], value: "Integration User".into() });
    }
}
