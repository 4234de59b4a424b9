//! The connected app's metadata and the admin session: the two sources that settle approval.

use super::{AppEvidence, Evidence, OrgEvidence};
use crate::{inputs::Inputs, metadata, org};

/// `--connected-app` files and folders, else the apps of the sfdx project around us.
pub(super) fn load_apps(inputs: &Inputs) -> AppEvidence {
    let (loaded, errors, origin) = if !inputs.connected_apps.is_empty() {
        let (loaded, errors) = metadata::load(&inputs.connected_apps);
        (loaded, errors, Some("--connected-app".to_string()))
    } else if let Some(project) = inputs.project.as_ref().filter(|p| p.problem.is_none()) {
        let dir = project.path.parent().unwrap_or(std::path::Path::new("."));
        let (loaded, errors) = metadata::discover(dir);
        (loaded, errors, Some(format!("the sfdx project {}", dir.display())))
    } else {
        return AppEvidence::default();
    };
    let selected = match &inputs.client_id {
        Some(id) => {
            loaded.iter().position(|app| app.consumer_key.as_deref() == Some(id.value.as_str())).or_else(|| {
                // Salesforce assigns the consumer key on the first deploy, so the files of an app that
                // was never retrieved (`sfjwt setup` writes them so) have none: the only such app is it.
                let mut keyless = loaded.iter().enumerate().filter(|(_, app)| app.consumer_key.is_none());
                match (keyless.next(), keyless.next()) {
                    (Some((index, _)), None) => Some(index),
                    _ => None,
                }
            })
        }
        // Without a client id, one app given explicitly is the app.
        None => (loaded.len() == 1 && !inputs.connected_apps.is_empty()).then_some(0),
    };
    AppEvidence { loaded, errors, origin, selected }
}

/// Read-only admin queries about the user, the app and the org (never with --offline).
pub(super) fn inspect_org(ev: &Evidence) -> OrgEvidence {
    let Some(admin) = &ev.inputs.admin else { return OrgEvidence::NotGiven };
    let session = match admin {
        Ok(session) => session,
        Err(problem) => return OrgEvidence::Skipped(format!("the admin session cannot be used: {problem}")),
    };
    if ev.inputs.offline {
        return OrgEvidence::Skipped("not queried (--offline)".into());
    }
    let Some(username) = &ev.inputs.username else {
        return OrgEvidence::Skipped("give --username to look the user up".into());
    };
    let app = ev.apps.app();
    let reference = org::AppRef {
        label: app.and_then(|a| a.label.clone()),
        api_name: app.map(|a| a.name.clone()),
        consumer_key: ev.inputs.client_id.as_ref().map(|c| c.value.clone()),
    };
    let client = crate::http::Client::new(ev.inputs.timeout);
    OrgEvidence::Done(Box::new(org::inspect(&client, session, &username.value, &reference)))
}
