//! The connected app (or External Client App), read from its metadata: certificate, flow,
//! policies and scopes, the settings that decide whether a JWT login can work at all.

use crate::cause_id::CauseId;
use crate::{
    evidence::Evidence,
    finding::{Cause, Confidence, Outcome, Severity},
    fix,
    metadata::{AppKind, AppSettings, PermittedUsers, Scope},
};

const NO_METADATA: &str =
    "no connected app metadata: pass --connected-app <file or folder> (or run inside the sfdx project)";

fn selected(ev: &Evidence) -> Result<&AppSettings, Outcome> {
    ev.apps.app().ok_or_else(|| {
        Outcome::skip(if ev.apps.origin.is_some() {
            "no app matches --client-id (the Connected app line says why)"
        } else {
            NO_METADATA
        })
    })
}

fn kind(app: &AppSettings) -> &'static str {
    match app.kind {
        AppKind::ConnectedApp => "connected app",
        AppKind::ExternalClientApp => "External Client App",
    }
}

pub fn metadata(ev: &Evidence) -> Outcome {
    let apps = &ev.apps;
    let Some(origin) = &apps.origin else { return Outcome::skip(NO_METADATA) };
    let mut causes = Vec::new();
    // Files the user named and sfjwt cannot use are an error, as an unreadable key is; files it
    // found by itself in a project only a warning.
    let named = !ev.inputs.connected_apps.is_empty();
    let unusable = |cause: Cause| if named { cause.severity(Severity::Error) } else { cause };
    if !apps.errors.is_empty() {
        let mut cause = Cause::new(CauseId::AppMetadataInvalid);
        for error in &apps.errors {
            cause = cause.evidence(error.to_string());
        }
        causes.push(unusable(cause));
    } else if named && apps.loaded.is_empty() {
        causes.push(unusable(Cause::new(CauseId::AppMetadataInvalid).evidence(format!(
            "no ConnectedApp or External Client App metadata in {}",
            ev.inputs.connected_apps.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
        ))));
    }
    let summary = match (apps.app(), &ev.inputs.client_id) {
        (Some(app), _) => format!(
            "{} {} ({})",
            kind(app),
            app.name,
            app.sources.first().map(|p| p.display().to_string()).unwrap_or_default()
        ),
        (None, _) if apps.loaded.is_empty() => format!("no app metadata found in {origin}"),
        (None, Some(client_id)) => {
            let keys: Vec<String> = apps
                .loaded
                .iter()
                .map(|a| {
                    format!(
                        "{} {}",
                        a.name,
                        a.consumer_key.as_deref().map_or("(no consumer key in the file)".into(), str::to_string)
                    )
                })
                .collect();
            causes.push(
                Cause::new(CauseId::ClientUnknownClientId)
                    .confidence(Confidence::Medium)
                    // Whole keys: they are not secrets, and masked ones can look alike.
                    .evidence(format!("no app in {origin} has the consumer key {}", client_id.value))
                    .evidence(format!("apps found: {}", keys.join(", ")))
                    .confirm(
                        "retrieve the app's metadata from the org you log in to: the consumer key differs between orgs",
                    ),
            );
            format!("{} app(s) in {origin}, none with this consumer key", apps.loaded.len())
        }
        (None, None) => format!("{} apps in {origin}: give --client-id to pick one", apps.loaded.len()),
    };
    let mut outcome = if causes.is_empty() && apps.app().is_some() {
        Outcome::pass(summary)
    } else if causes.is_empty() {
        Outcome::skip(summary)
    } else {
        Outcome::found(summary, causes)
    };
    for problem in apps.app().map(|a| a.problems.as_slice()).unwrap_or_default() {
        outcome = outcome.detail(problem.clone());
    }
    if let (Some(app), Some(_)) = (apps.app(), &ev.inputs.client_id)
        && app.consumer_key.is_none()
    {
        outcome = outcome.detail(format!(
            "{} holds no consumer key (Salesforce assigns one on the first deploy): taken to be the app of --client-id, the only app without one",
            app.name
        ));
    }
    outcome
}

pub fn settings(ev: &Evidence) -> Outcome {
    let app = match selected(ev) {
        Ok(app) => app,
        Err(skip) => return skip,
    };
    let name = format!("{} {}", kind(app), app.name);
    let mut causes = Vec::new();
    match app.kind {
        AppKind::ConnectedApp if app.certificate_pem.is_none() => causes.push(
            Cause::new(CauseId::AppNoCertificate)
                .var("app_name", app.name.clone())
                .evidence(format!("{name} has no oauthConfig.certificate: \"Use digital signatures\" is off")),
        ),
        AppKind::ExternalClientApp if app.jwt_bearer_enabled == Some(false) || app.oauth_enabled == Some(false) => {
            let why = if app.oauth_enabled == Some(false) {
                "its OAuth plugin is disabled"
            } else {
                "its global OAuth settings hold no certificate"
            };
            causes.push(
                Cause::new(CauseId::AppJwtDisabled)
                    .var("app_name", app.name.clone())
                    .evidence(format!("{name}: {why}, so the JWT bearer flow is off")),
            );
        }
        _ => {}
    }
    if app.high_assurance_required {
        causes.push(Cause::new(CauseId::AppHighAssuranceRequired).var("app_name", app.name.clone()).evidence(format!(
            "{name} requires a High Assurance session; headless JWT logins cannot raise the session level"
        )));
    }
    let policy = match app.permitted_users {
        Some(PermittedUsers::AdminApproved) => {
            let mut allowed: Vec<String> = app.profiles.iter().map(|p| format!("profile {p}")).collect();
            allowed.extend(app.permission_sets.iter().map(|p| format!("permission set {p}")));
            let allowed =
                if allowed.is_empty() { "no profile or permission set is assigned".into() } else { allowed.join(", ") };
            // Nobody at all is pre-authorized: a permission set for the app is the local fix.
            let nobody = app.profiles.is_empty() && app.permission_sets.is_empty();
            let fixes =
                if nobody { fix::app::pre_authorize(app, false, Some(new_permission_set(ev))) } else { Vec::new() };
            causes.push(
                Cause::new(CauseId::ApprovalUserNotPreauthorized)
                    .latent()
                    .confidence(Confidence::Medium)
                    .var("app_name", app.name.clone())
                    .evidence(format!("{name} is admin approved; pre-authorized: {allowed}"))
                    .confirm(
                        "check the user's profile and permission sets, or pass --admin-org so sfjwt can check them",
                    )
                    .file_fixes(fixes),
            );
            format!("admin approved: {allowed}")
        }
        Some(PermittedUsers::SelfAuthorize) | None => {
            let default = if app.permitted_users.is_none() {
                " (the default: the metadata does not set isAdminApproved)"
            } else {
                ""
            };
            // The local fix: admin approved, with a permission set unless the app names some already.
            let grant = (app.profiles.is_empty() && app.permission_sets.is_empty()).then(|| new_permission_set(ev));
            let fixes = fix::app::pre_authorize(app, true, grant);
            causes.push(
                Cause::new(CauseId::AppSelfAuthorizePolicy)
                    .var("app_name", app.name.clone())
                    .evidence(format!("{name}: Permitted Users is \"All users may self-authorize\"{default}"))
                    .evidence("every user must approve the app once, interactively, before JWT logins work")
                    .file_fixes(fixes.clone()),
            );
            causes.push(
                Cause::new(CauseId::ApprovalSelfAuthorizeNotApproved)
                    .latent()
                    .confidence(Confidence::Medium)
                    .var("app_name", app.name.clone())
                    .evidence(format!(
                        "{name} is \"All users may self-authorize\": a user who never approved it interactively is refused"
                    ))
                    .confirm("pass --admin-org to see whether the user has an OAuth token for the app")
                    .file_fixes(fixes),
            );
            "all users may self-authorize".to_string()
        }
    };
    let mut outcome = Outcome::found(format!("{name}: {policy}"), causes);
    if app.certificate_pem.is_some() {
        outcome = outcome.rules_out(CauseId::AppNoCertificate);
    }
    if app.ip_relaxation.as_deref().is_none_or(|r| r != "BYPASS") {
        outcome = outcome.detail(
            "IP restrictions are enforced: the CI runner's address must be in the user's profile Login IP Ranges",
        );
    }
    outcome
}

pub fn scopes(ev: &Evidence) -> Outcome {
    let app = match selected(ev) {
        Ok(app) => app,
        Err(skip) => return skip,
    };
    if app.scopes.is_empty() && app.kind == AppKind::ExternalClientApp {
        return Outcome::skip("the External Client App's OAuth settings file (scopes) was not given");
    }
    let listed: Vec<String> = app.scopes.iter().map(|s| s.label().to_string()).collect();
    let mut causes = Vec::new();
    if !app.has_scope(&Scope::RefreshToken) {
        let mut cause = Cause::new(CauseId::AppMissingRefreshTokenScope)
            .var("app_name", app.name.clone())
            .evidence(format!("{} scopes: {}; no refresh_token (offline_access)", app.name, listed.join(", ")))
            .file_fixes(fix::app::add_scope(app, &Scope::RefreshToken));
        // Reports tie the missing scope to "not approved" only for self-authorize apps (a
        // connected app's default); for an admin-approved one it is not confirmed to matter.
        if app.permitted_users == Some(PermittedUsers::AdminApproved) {
            cause = cause
                .severity(Severity::Warning)
                .confidence(Confidence::Low)
                .evidence("the app is admin approved: that the scope matters then is not confirmed");
        }
        causes.push(cause);
    }
    if !app.has_scope(&Scope::Api) && !app.has_scope(&Scope::Full) {
        causes.push(
            Cause::new(CauseId::AppMissingApiScope)
                .var("app_name", app.name.clone())
                .evidence(format!("{} scopes: {}; no api or full", app.name, listed.join(", ")))
                .file_fixes(fix::app::add_scope(app, &Scope::Api)),
        );
    }
    let summary = format!("scopes {}", listed.join(", "));
    if causes.is_empty() { Outcome::pass(summary) } else { Outcome::found(summary, causes) }
}

/// With `--cert` given too, the key must also match the certificate the app really holds.
pub fn certificate(ev: &Evidence) -> Outcome {
    let app = match selected(ev) {
        Ok(app) => app,
        Err(skip) => return skip,
    };
    let Some(pem) = &app.certificate_pem else { return Outcome::skip("the app's metadata holds no certificate") };
    if ev.inputs.cert.is_none() {
        return Outcome::skip("the app's certificate is the one checked above (no --cert given)");
    }
    let Some(app_cert) =
        crate::evidence::cert::examine("app".into(), pem.as_bytes()).parsed().map(|c| c.spki_sha256.clone())
    else {
        return Outcome::skip("the app's certificate does not parse (the Connected app line says why)");
    };
    let key = ev.key.as_ref().and_then(|k| k.parsed()).and_then(|k| k.spki_sha256.clone());
    let given = ev.cert.as_ref().and_then(|c| c.parsed()).map(|c| c.spki_sha256.clone());
    let mut cause = Cause::new(CauseId::PairKeyCertMismatch)
        .evidence(format!("certificate in {}: SPKI SHA-256 {app_cert}", app.name));
    let mut differs = false;
    if let Some(key) = key.filter(|k| *k != app_cert) {
        cause = cause.evidence(format!("private key: SPKI SHA-256 {key}"));
        differs = true;
    }
    if let Some(given) = given.filter(|g| *g != app_cert) {
        cause = cause.evidence(format!("--cert: SPKI SHA-256 {given} (not the certificate the app holds)"));
        differs = true;
    }
    if differs {
        cause = cause.file_fixes(paired_certificate_fixes(ev, app));
        Outcome::found(format!("{} holds another certificate", app.name), vec![cause])
    } else {
        Outcome::pass(format!("{} holds the certificate of this key", app.name)).rules_out(CauseId::PairKeyCertMismatch)
    }
}

/// A new permission set for the app, assigned to `--username` after the deploy.
fn new_permission_set(ev: &Evidence) -> fix::app::Grant<'_> {
    fix::app::Grant::NewPermissionSet { username: ev.inputs.username.as_ref().map(|u| u.value.as_str()) }
}

/// Puts a certificate of the key into the app: `--cert` when it is one, else a new self-signed
/// one written next to the key file.
pub fn paired_certificate_fixes(ev: &Evidence, app: &AppSettings) -> Vec<fix::Fix> {
    let Some(key) = ev.key.as_ref() else { return Vec::new() };
    let Some(key_spki) = key.parsed().and_then(|k| k.spki_sha256.as_deref()) else { return Vec::new() };
    let given = ev.inputs.cert.as_ref().zip(ev.cert.as_ref().and_then(|c| c.parsed()));
    if let Some((path, cert)) = given.filter(|(_, cert)| cert.spki_sha256 == key_spki) {
        let pem = crate::setup::pem_armour("CERTIFICATE", &cert.der);
        let why = format!("put the certificate of {} (it pairs with the key) into {}", path.value.display(), app.name);
        return fix::app::replace_certificate(app, &pem, why).into_iter().collect();
    }
    let Some(crate::inputs::KeyInput::File(key_file)) = ev.inputs.key.as_ref().map(|k| &k.value) else {
        return Vec::new();
    };
    let Some((create, pem)) = fix::key::new_certificate(key, key_file, &app.name, ev.inputs.now) else {
        return Vec::new();
    };
    let why = format!("put a new certificate of the key in {} into {}", key_file.display(), app.name);
    let mut fixes = vec![create];
    fixes.extend(fix::app::replace_certificate(app, &pem, why));
    // Without the app's file there is nothing to put the certificate into.
    if fixes.len() == 1 { Vec::new() } else { fixes }
}
