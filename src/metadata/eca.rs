//! External Client Apps: one app is spread over up to five files, each named
//! by the app it belongs to (`externalClientApplication`), not by file name.

use roxmltree::Node;

use super::component::{Component, ComponentType};
use super::normalise::{
    add_scopes, certificate_pem, ip_relaxation, parse_bool, permitted_users_from_eca, push_unique,
    requires_high_assurance, split_callback_urls, split_comma_list,
};
use super::xml::child_text;
use super::{AppKind, AppSettings};

/// `ExternalClientApplication`: the header, which names the app itself.
pub(crate) fn parse_header(root: Node, name_from_file: &str) -> AppSettings {
    let name = child_text(root, "fullName").unwrap_or_else(|| name_from_file.to_string());
    let mut app = AppSettings::new(AppKind::ExternalClientApp, name);
    app.label = child_text(root, "label");
    app
}

/// `ExtlClntAppGlobalOauthSettings`: consumer key, callback URL, certificate.
pub(crate) fn parse_global_oauth(root: Node, name_from_file: &str) -> AppSettings {
    let mut app = part_settings(root, name_from_file);
    app.consumer_key = child_text(root, "consumerKey");
    app.callback_urls = child_text(root, "callbackUrl").map(|urls| split_callback_urls(&urls)).unwrap_or_default();
    app.certificate_pem = child_text(root, "certificate").and_then(|raw| certificate_pem(&raw, &mut app.problems));
    // The docs give no separate JWT switch: "When provided, [the certificate]
    // enables the JWT Bearer flow." (The UI's "Enable JWT Bearer Flow" box is
    // that certificate upload.)
    app.jwt_bearer_enabled = Some(app.certificate_pem.is_some());
    app
}

/// `ExtlClntAppOauthSettings`: the scopes.
pub(crate) fn parse_oauth_settings(root: Node, name_from_file: &str) -> AppSettings {
    let mut app = part_settings(root, name_from_file);
    if let Some(list) = child_text(root, "commaSeparatedOauthScopes") {
        add_scopes(&mut app.scopes, list.split(','), &mut app.problems);
    }
    app
}

/// `ExtlClntAppOauthConfigurablePolicies`: who may use the app and how.
pub(crate) fn parse_oauth_policies(root: Node, name_from_file: &str) -> AppSettings {
    let mut app = part_settings(root, name_from_file);
    app.permitted_users =
        child_text(root, "permittedUsersPolicyType").and_then(|raw| permitted_users_from_eca(&raw, &mut app.problems));
    app.profiles = child_text(root, "commaSeparatedProfile").map(|list| split_comma_list(&list)).unwrap_or_default();
    app.permission_sets =
        child_text(root, "commaSeparatedPermissionSet").map(|list| split_comma_list(&list)).unwrap_or_default();
    app.ip_relaxation = child_text(root, "ipRelaxationPolicyType")
        .map(|raw| ip_relaxation("ipRelaxationPolicyType", &raw, &mut app.problems));
    app.high_assurance_required = requires_high_assurance(
        ("requiredSessionLevel", child_text(root, "requiredSessionLevel")),
        ("policyAction", child_text(root, "policyAction")),
        &mut app.problems,
    );
    app
}

/// `ExtlClntAppConfigurablePolicies`: whether the OAuth plugin is on.
/// Both flags default to true; `isEnabled = false` turns every plugin off.
pub(crate) fn parse_plugin_policies(root: Node, name_from_file: &str) -> AppSettings {
    let mut app = part_settings(root, name_from_file);
    let all_plugins = parse_bool("isEnabled", child_text(root, "isEnabled"), &mut app.problems);
    let oauth_plugin = parse_bool("isOauthPluginEnabled", child_text(root, "isOauthPluginEnabled"), &mut app.problems);
    app.oauth_enabled = Some(all_plugins.unwrap_or(true) && oauth_plugin.unwrap_or(true));
    app
}

/// A part names its app in `externalClientApplication`; its file name is its
/// own component name (often `App_glbloauth`), so it is only a last resort.
fn part_settings(root: Node, name_from_file: &str) -> AppSettings {
    match child_text(root, "externalClientApplication") {
        Some(app_name) => AppSettings::new(AppKind::ExternalClientApp, app_name),
        None => {
            let mut app = AppSettings::new(AppKind::ExternalClientApp, name_from_file.to_string());
            app.problems.push(format!(
                "externalClientApplication is missing, so this part was assigned to '{name_from_file}' \
                 by its file name"
            ));
            app
        }
    }
}

/// Merges ECA parts that name the same app; connected apps pass through.
/// Output is sorted by name so results do not depend on directory order.
pub(crate) fn merge_components(components: Vec<Component>) -> Vec<AppSettings> {
    let mut apps = Vec::new();
    let mut groups: Vec<EcaGroup> = Vec::new();
    for component in components {
        if component.component_type == ComponentType::ConnectedApp {
            apps.push(component.settings);
            continue;
        }
        // Exact match: the names come from the same org's metadata, so they
        // agree in case; a case-only difference is worth seeing as two apps.
        match groups.iter_mut().find(|group| group.app.name == component.settings.name) {
            Some(group) => group.absorb(component),
            None => groups.push(EcaGroup::start(component)),
        }
    }
    apps.extend(groups.into_iter().map(EcaGroup::finish));
    apps.sort_by(|a, b| a.name.cmp(&b.name));
    apps
}

struct EcaGroup {
    app: AppSettings,
    found: Vec<ComponentType>,
}

impl EcaGroup {
    fn start(component: Component) -> Self {
        EcaGroup { app: component.settings, found: vec![component.component_type] }
    }

    fn absorb(&mut self, component: Component) {
        let part = component.settings;
        let app = &mut self.app;
        if self.found.contains(&component.component_type) {
            app.problems.push(format!(
                "more than one {} file for this app; where they differ the first one's values are used",
                component.component_type.source_location()
            ));
        }
        self.found.push(component.component_type);

        let problems = &mut app.problems;
        keep_first("label", &mut app.label, part.label, problems);
        keep_first("consumer key", &mut app.consumer_key, part.consumer_key, problems);
        keep_first("certificate", &mut app.certificate_pem, part.certificate_pem, problems);
        keep_first("permitted users", &mut app.permitted_users, part.permitted_users, problems);
        keep_first("IP relaxation", &mut app.ip_relaxation, part.ip_relaxation, problems);
        keep_first("JWT bearer flow", &mut app.jwt_bearer_enabled, part.jwt_bearer_enabled, problems);
        keep_first("OAuth plugin", &mut app.oauth_enabled, part.oauth_enabled, problems);
        extend_unique(&mut app.callback_urls, part.callback_urls);
        extend_unique(&mut app.scopes, part.scopes);
        extend_unique(&mut app.profiles, part.profiles);
        extend_unique(&mut app.permission_sets, part.permission_sets);
        app.high_assurance_required |= part.high_assurance_required;
        app.sources.extend(part.sources);
        app.files.extend(part.files);
        app.problems.extend(part.problems);
    }

    fn finish(mut self) -> AppSettings {
        for part in ComponentType::ECA_PARTS {
            if !self.found.contains(&part) {
                self.app.problems.push(missing_part_problem(part));
            }
        }
        self.app
    }
}

fn missing_part_problem(part: ComponentType) -> String {
    let consequence = match part {
        ComponentType::EcaHeader => "the app's label is unknown".to_string(),
        ComponentType::EcaGlobalOauth => "the consumer key, callback URLs and certificate are unknown; \
             these settings are kept out of source control, so retrieve them with \
             `sf project retrieve start --metadata ExtlClntAppGlobalOauthSettings`"
            .to_string(),
        ComponentType::EcaOauthSettings => "the OAuth scopes are unknown".to_string(),
        ComponentType::EcaOauthPolicies => {
            "permitted users, profiles, permission sets, IP relaxation and session level are unknown".to_string()
        }
        ComponentType::EcaPolicies => {
            "whether the OAuth plugin is on is unknown (Salesforce's default is on)".to_string()
        }
        ComponentType::ConnectedApp => String::new(),
    };
    format!("no {} file for this app, so {consequence}", part.source_location())
}

/// The first value found wins; a different later value is noted, not used.
fn keep_first<T: PartialEq>(field: &str, kept: &mut Option<T>, incoming: Option<T>, problems: &mut Vec<String>) {
    match (kept.as_ref(), incoming) {
        (None, incoming) => *kept = incoming,
        (Some(first), Some(other)) if *first != other => {
            problems.push(format!("two files give different {field} values; the first one is used"))
        }
        _ => {}
    }
}

fn extend_unique<T: PartialEq>(items: &mut Vec<T>, more: Vec<T>) {
    for item in more {
        push_unique(items, item);
    }
}
