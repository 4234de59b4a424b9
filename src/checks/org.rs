//! What an admin session shows about the org: the user, the app's access policy and the user's
//! approval, and the org's environment and age.

use super::{date, duration};
use crate::cause_id::CauseId;
use crate::{
    evidence::{Evidence, OrgEvidence},
    finding::{Cause, Confidence, Outcome, Severity},
    org::{AccessVia, AppLookup, OrgInspection, QueryOutcome, Topic},
};

/// New scratch orgs take minutes to reach every login server.
pub const REPLICATION_WINDOW_SECONDS: i64 = 15 * 60;
/// Connected app changes take up to about ten minutes to apply.
pub const PROPAGATION_WINDOW_SECONDS: i64 = 10 * 60;

const NO_SESSION: &str = "no admin session: pass --admin-org <admin's sf CLI alias, or a file of `sf org display --json`>, or SFJWT_ADMIN_TOKEN with --admin-instance-url";

fn inspection(ev: &Evidence) -> Result<&OrgInspection, Outcome> {
    match &ev.org {
        OrgEvidence::NotGiven => Err(Outcome::skip(NO_SESSION)),
        OrgEvidence::Skipped(reason) => Err(Outcome::skip(reason.clone())),
        OrgEvidence::Done(inspection) => match &inspection.session_problem {
            Some(problem) => Err(Outcome::skip(format!("the admin session could not be used: {problem}"))),
            None => Ok(inspection),
        },
    }
}

fn unsettled(org: &OrgInspection, topic: Topic) -> Outcome {
    match org.skipped_for(topic) {
        Some(skip) => Outcome::skip(match skip.permission {
            Some(permission) => format!("{} (needs the {permission} permission)", skip.reason),
            None => skip.reason.clone(),
        }),
        None => Outcome::skip(format!("not settled: {}", topic.settles())),
    }
}

/// Every query the inspection sent, for `-v`: the admin can see exactly what was read.
fn with_queries(mut outcome: Outcome, org: &OrgInspection) -> Outcome {
    for query in &org.queries {
        let result = match &query.outcome {
            QueryOutcome::Rows { count, complete: true, .. } => format!("{count} row(s)"),
            QueryOutcome::Rows { count, .. } => format!("{count} row(s), more pages left unread"),
            QueryOutcome::Skipped { reason, .. } => format!("skipped: {reason}"),
            QueryOutcome::Failed { error } => format!("failed: {error}"),
        };
        outcome = outcome.detail(format!("query {} → {result} ({} ms)", query.soql, query.elapsed_ms));
    }
    outcome
}

pub fn user(ev: &Evidence) -> Outcome {
    let org = match inspection(ev) {
        Ok(org) => org,
        Err(skip) => return skip,
    };
    with_queries(user_outcome(org), org)
}

fn user_outcome(org: &OrgInspection) -> Outcome {
    let Some(user) = &org.user else { return unsettled(org, Topic::User) };
    if !user.exists {
        return Outcome::found(
            format!("no user {}", user.username),
            vec![
                Cause::new(CauseId::UserNotFound)
                    .evidence(format!("no User with Username = '{}' in this org", user.username)),
            ],
        );
    }
    let mut causes = Vec::new();
    if user.is_active == Some(false) {
        causes.push(Cause::new(CauseId::UserInactive).evidence(format!("{} has IsActive = false", user.username)));
    }
    if user.is_frozen == Some(true) {
        causes.push(
            Cause::new(CauseId::UserFrozen)
                .evidence(format!("{} is frozen (UserLogin.IsFrozen = true)", user.username)),
        );
    }
    let profile = user.profile_name.as_deref().unwrap_or("unknown profile");
    let summary = format!("{} ({profile})", user.username);
    if causes.is_empty() { Outcome::pass(format!("{summary}, active")) } else { Outcome::found(summary, causes) }
}

pub fn access(ev: &Evidence) -> Outcome {
    let org = match inspection(ev) {
        Ok(org) => org,
        Err(skip) => return skip,
    };
    let app = match &org.app {
        Some(AppLookup::Found(app)) => app,
        Some(AppLookup::NotFound { searched, org_apps }) => {
            return Outcome::skip(format!("no connected app named {} in the org", searched.join(" or ")))
                .detail(format!("the org's apps: {}", org_apps.join(", ")));
        }
        Some(AppLookup::Unidentified { org_apps }) => {
            return Outcome::skip(
                "the app cannot be identified from a consumer key alone: pass its metadata with --connected-app",
            )
            .detail(format!("the org's apps: {}", org_apps.join(", ")));
        }
        None => return unsettled(org, Topic::App),
    };
    let failures = org.logins.as_ref().map_or(0, |l| l.not_approved_failures);
    let history =
        (failures > 0).then(|| format!("LoginHistory: {failures} recent \"Failed: Not approved for access\""));
    let mut causes = Vec::new();
    if app.high_assurance == Some(true) {
        causes.push(
            Cause::new(CauseId::AppHighAssuranceRequired)
                .var("app_name", app.name.clone())
                .evidence(format!("{} has a session-level (High Assurance) policy", app.name)),
        );
    }
    let summary = if app.admin_approved_only {
        match &org.access {
            Some(access) if access.user_has_access == Some(false) => {
                let mut cause = Cause::new(CauseId::ApprovalUserNotPreauthorized)
                    .var("app_name", app.name.clone())
                    .evidence(format!(
                        "{} is admin approved, and neither the user's profile nor a permission set of theirs is on it",
                        app.name
                    ))
                    .evidence(format!("pre-authorized profiles: {}", list(&access.allowed_profiles)))
                    .evidence(format!("pre-authorized permission sets: {}", list(&access.allowed_permission_sets)));
                if let Some(profile) = org.user.as_ref().and_then(|u| u.profile_name.clone()) {
                    if let Some(local) = ev.apps.app() {
                        let grant = crate::fix::app::Grant::Profile(&profile);
                        cause = cause.file_fixes(crate::fix::app::pre_authorize(local, false, Some(grant)));
                    }
                    cause = cause.evidence(format!("the user's profile: {profile}")).fix(format!(
                        "Add the profile `{profile}` to the app: Setup → App Manager → {} → Manage → Manage Profiles (External Client Apps: Policies → App Policies → Select Profiles)",
                        app.name
                    ));
                }
                causes.push(cause.evidence_opt(history.clone()));
                format!("{}: admin approved, the user is not pre-authorized", app.name)
            }
            Some(access) if access.user_has_access == Some(true) => match &access.via {
                Some(AccessVia::Profile(name)) => format!("{}: admin approved, via profile {name}", app.name),
                Some(AccessVia::PermissionSet(name)) => {
                    format!("{}: admin approved, via permission set {name}", app.name)
                }
                None => format!("{}: admin approved, the user has access", app.name),
            },
            _ => return unsettled(org, Topic::Access),
        }
    } else {
        match &org.approval {
            Some(approval) if approval.tokens > 0 => {
                format!("{}: self-authorize, approved by the user ({} uses)", app.name, approval.use_count)
            }
            Some(approval) => {
                let (confidence, note) = if approval.conclusive {
                    (
                        Confidence::High,
                        "the user has no OAuth token for it: no interactive approval ever issued a refresh token",
                    )
                } else {
                    (
                        Confidence::Medium,
                        "no OAuth token is visible for it; without Customize Application an admin sees only their own tokens",
                    )
                };
                causes.push(
                    Cause::new(CauseId::ApprovalSelfAuthorizeNotApproved)
                        .confidence(confidence)
                        .var("app_name", app.name.clone())
                        .evidence(format!("{} is \"All users may self-authorize\"", app.name))
                        .evidence(note)
                        .evidence_opt(history.clone()),
                );
                format!("{}: self-authorize, not approved by the user", app.name)
            }
            None => return unsettled(org, Topic::Approval),
        }
    };
    let mut outcome = Outcome::found(summary, causes);
    // The org's own policy settles which approval question applies; a user with access or a
    // token settles it too.
    if app.admin_approved_only {
        outcome = outcome.rules_out(CauseId::ApprovalSelfAuthorizeNotApproved);
        if org.access.as_ref().is_some_and(|a| a.user_has_access == Some(true)) {
            outcome = outcome.rules_out(CauseId::ApprovalUserNotPreauthorized);
        }
    } else {
        outcome = outcome.rules_out(CauseId::ApprovalUserNotPreauthorized);
        if org.approval.as_ref().is_some_and(|a| a.tokens > 0) {
            outcome = outcome.rules_out(CauseId::ApprovalSelfAuthorizeNotApproved);
        }
    }
    outcome
}

fn list(items: &[String]) -> String {
    if items.is_empty() { "none".into() } else { items.join(", ") }
}

pub fn environment(ev: &Evidence) -> Outcome {
    let org = match inspection(ev) {
        Ok(org) => org,
        Err(skip) => return skip,
    };
    let Some(facts) = &org.org else { return unsettled(org, Topic::Org) };
    let kind = if facts.is_scratch {
        "scratch org"
    } else if facts.is_sandbox {
        "sandbox"
    } else {
        "production org"
    };
    let now = ev.inputs.now;
    let mut causes = Vec::new();
    let host_env = ev.host.kind.environment();
    let org_sandbox_like = facts.is_sandbox || facts.is_scratch;
    if host_env != crate::evidence::host::Environment::Unknown && host_env.is_sandbox_like() != org_sandbox_like {
        causes.push(Cause::new(CauseId::HostEnvironmentMismatch).evidence(format!(
            "the admin session's org is a {kind}, but the login host {} is {}",
            ev.host.raw,
            ev.host.kind.describe()
        )));
    }
    if let Some(created) = facts.created_at
        && facts.is_scratch
        && now - created < REPLICATION_WINDOW_SECONDS
    {
        causes.push(
            Cause::new(CauseId::ApprovalScratchNotReplicated)
                .severity(Severity::Warning)
                .confidence(Confidence::Medium)
                .evidence(format!("the scratch org was created {} ago ({})", duration(now - created), date(created))),
        );
    }
    if let Some(modified) = org.app().and_then(|a| a.modified_at.or(a.created_at))
        && now - modified < PROPAGATION_WINDOW_SECONDS
        && now >= modified
    {
        causes.push(
            Cause::new(CauseId::ApprovalAppPropagating)
                .severity(Severity::Warning)
                .confidence(Confidence::Medium)
                .evidence(format!("the connected app changed {} ago ({})", duration(now - modified), date(modified))),
        );
    }
    let summary = format!("{kind}{}", facts.instance.as_ref().map(|i| format!(" on {i}")).unwrap_or_default());
    if causes.is_empty() { Outcome::pass(summary) } else { Outcome::found(summary, causes) }
}
