//! `ConnectedApp` (one file holds the whole app).

use roxmltree::Node;

use super::normalise::{
    add_scopes, certificate_pem, ip_relaxation, parse_bool, requires_high_assurance, split_callback_urls,
};
use super::xml::{child, child_text, children_text};
use super::{AppKind, AppSettings, PermittedUsers};

pub(crate) fn parse(root: Node, name_from_file: &str) -> AppSettings {
    let name = child_text(root, "fullName").unwrap_or_else(|| name_from_file.to_string());
    let mut app = AppSettings::new(AppKind::ConnectedApp, name);
    app.label = child_text(root, "label");
    read_oauth_config(root, &mut app);
    read_oauth_policy(root, &mut app);
    read_session_policy(root, &mut app);
    // Top-level and repeatable; an empty element clears the list on deploy.
    app.profiles = children_text(root, "profileName");
    app.permission_sets = children_text(root, "permissionSetName");
    app
}

fn read_oauth_config(root: Node, app: &mut AppSettings) {
    let Some(config) = child(root, "oauthConfig") else {
        app.oauth_enabled = Some(false);
        return;
    };
    app.oauth_enabled = Some(true);
    app.consumer_key = child_text(config, "consumerKey");
    app.callback_urls = child_text(config, "callbackUrl").map(|urls| split_callback_urls(&urls)).unwrap_or_default();
    app.certificate_pem = child_text(config, "certificate").and_then(|raw| certificate_pem(&raw, &mut app.problems));
    let scope_names = children_text(config, "scopes");
    add_scopes(&mut app.scopes, scope_names.iter().map(String::as_str), &mut app.problems);
    // isAdminApproved sits in oauthConfig, not oauthPolicy.
    let admin_approved =
        parse_bool("oauthConfig.isAdminApproved", child_text(config, "isAdminApproved"), &mut app.problems);
    app.permitted_users = admin_approved
        .map(|approved| if approved { PermittedUsers::AdminApproved } else { PermittedUsers::SelfAuthorize });
}

fn read_oauth_policy(root: Node, app: &mut AppSettings) {
    let Some(policy) = child(root, "oauthPolicy") else {
        return;
    };
    app.ip_relaxation = child_text(policy, "ipRelaxation")
        .map(|raw| ip_relaxation("oauthPolicy.ipRelaxation", &raw, &mut app.problems));
}

fn read_session_policy(root: Node, app: &mut AppSettings) {
    let Some(policy) = child(root, "sessionPolicy") else {
        return;
    };
    app.high_assurance_required = requires_high_assurance(
        ("sessionPolicy.sessionLevel", child_text(policy, "sessionLevel")),
        ("sessionPolicy.policyAction", child_text(policy, "policyAction")),
        &mut app.problems,
    );
}
