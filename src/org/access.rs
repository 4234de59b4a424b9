//! Who an admin-approved app pre-authorizes, and whether the user is among them.
//!
//! SetupEntityAccess links the app to permission sets; a profile appears as the permission set it
//! owns (`Parent.IsOwnedByProfile`, `Parent.ProfileId`). The user matches through `User.ProfileId`
//! or a PermissionSetAssignment row; matching the profile by id does not depend on whether
//! profile-owned sets also show up among the assignments (unconfirmed, sf_facts.md §8).

use serde::Serialize;
use serde_json::Value;

use super::{
    facts::UserFacts,
    record::{flag, text},
};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccessFacts {
    /// Profiles pre-authorized for the app, by name.
    pub allowed_profiles: Vec<String>,
    /// Permission sets (not profile-owned) pre-authorized for the app, by API name.
    pub allowed_permission_sets: Vec<String>,
    /// `None`: not settled (the user or their assignments are unknown).
    pub user_has_access: Option<bool>,
    pub via: Option<AccessVia>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "name", rename_all = "kebab-case")]
pub enum AccessVia {
    Profile(String),
    PermissionSet(String),
}

/// Why a user's access stays unsettled although everything was read.
pub(super) const THROUGH_GROUPS: &str = "the user holds permission set groups, and access through a group's member \
     permission sets is not checked";

/// One pre-authorized profile or permission set: `id` is the ProfileId or the PermissionSetId.
struct Grant {
    id: String,
    name: String,
}

/// Reads the app's SetupEntityAccess rows and decides for the user. The second value is a reason
/// to report when the answer stays unsettled for a reason not reported elsewhere.
pub(super) fn access_facts(
    grants: &[Value],
    user: Option<&UserFacts>,
    assignments: Option<&[Value]>,
) -> (AccessFacts, Option<&'static str>) {
    let (profiles, permission_sets): (Vec<&Value>, Vec<&Value>) =
        grants.iter().partition(|r| flag(r, "Parent.IsOwnedByProfile") == Some(true));
    let profiles: Vec<Grant> = profiles.into_iter().filter_map(profile_grant).collect();
    let permission_sets: Vec<Grant> = permission_sets.into_iter().filter_map(permission_set_grant).collect();
    let decision = decide(&profiles, &permission_sets, user, assignments);
    let facts = AccessFacts {
        allowed_profiles: names(&profiles),
        allowed_permission_sets: names(&permission_sets),
        user_has_access: decision.has_access,
        via: decision.via,
    };
    (facts, decision.unsettled)
}

fn profile_grant(record: &Value) -> Option<Grant> {
    Some(Grant {
        id: text(record, "Parent.ProfileId")?,
        // A profile-owned permission set's own Name is an id-like string; the profile's reads better.
        name: text(record, "Parent.Profile.Name").or_else(|| text(record, "Parent.Name"))?,
    })
}

fn permission_set_grant(record: &Value) -> Option<Grant> {
    Some(Grant { id: text(record, "ParentId")?, name: text(record, "Parent.Name")? })
}

fn names(grants: &[Grant]) -> Vec<String> {
    let mut names: Vec<String> = grants.iter().map(|g| g.name.clone()).collect();
    names.sort();
    names.dedup();
    names
}

#[derive(Default)]
struct Decision {
    has_access: Option<bool>,
    via: Option<AccessVia>,
    unsettled: Option<&'static str>,
}

fn decide(
    profiles: &[Grant],
    permission_sets: &[Grant],
    user: Option<&UserFacts>,
    assignments: Option<&[Value]>,
) -> Decision {
    let Some(user) = user.filter(|u| u.exists) else { return Decision::default() };
    let granted = |via| Decision { has_access: Some(true), via: Some(via), unsettled: None };
    if let Some(profile) = profiles.iter().find(|p| user.profile_id.as_deref() == Some(p.id.as_str())) {
        return granted(AccessVia::Profile(profile.name.clone()));
    }
    let Some(assignments) = assignments else { return Decision::default() };
    let held =
        |grant: &&Grant| assignments.iter().any(|a| text(a, "PermissionSetId").as_deref() == Some(grant.id.as_str()));
    if let Some(set) = permission_sets.iter().find(held) {
        return granted(AccessVia::PermissionSet(set.name.clone()));
    }
    if assignments.iter().any(|a| text(a, "PermissionSetGroupId").is_some()) {
        return Decision { unsettled: Some(THROUGH_GROUPS), ..Decision::default() };
    }
    Decision { has_access: Some(false), ..Decision::default() }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn user(profile_id: &str) -> UserFacts {
        UserFacts {
            username: "ci@example.com".into(),
            exists: true,
            id: Some("005A".into()),
            is_active: Some(true),
            profile_id: Some(profile_id.into()),
            profile_name: None,
            is_frozen: None,
        }
    }

    fn grants() -> Vec<Value> {
        vec![
            json!({"ParentId": "0PS1", "Parent": {"Name": "X00e1", "IsOwnedByProfile": true, "ProfileId": "00e1", "Profile": {"Name": "Integration"}}}),
            json!({"ParentId": "0PS2", "Parent": {"Name": "CI_Access", "IsOwnedByProfile": false, "ProfileId": null, "Profile": null}}),
        ]
    }

    #[test]
    fn the_profile_grants_access_before_any_assignment_is_read() {
        let (facts, unsettled) = access_facts(&grants(), Some(&user("00e1")), None);
        assert_eq!(facts.user_has_access, Some(true));
        assert_eq!(facts.via, Some(AccessVia::Profile("Integration".into())));
        assert_eq!(
            (facts.allowed_profiles, facts.allowed_permission_sets),
            (vec!["Integration".into()], vec!["CI_Access".into()])
        );
        assert!(unsettled.is_none());
    }

    #[test]
    fn an_assigned_permission_set_grants_access() {
        let assignments = [json!({"PermissionSetId": "0PS9"}), json!({"PermissionSetId": "0PS2"})];
        let (facts, _) = access_facts(&grants(), Some(&user("00e2")), Some(&assignments));
        assert_eq!(facts.via, Some(AccessVia::PermissionSet("CI_Access".into())));
    }

    #[test]
    fn without_assignments_or_with_groups_it_stays_unsettled() {
        assert_eq!(access_facts(&grants(), Some(&user("00e2")), None).0.user_has_access, None);
        let grouped = [json!({"PermissionSetId": "0PSG", "PermissionSetGroupId": "0PG1"})];
        let (facts, unsettled) = access_facts(&grants(), Some(&user("00e2")), Some(&grouped));
        assert_eq!((facts.user_has_access, unsettled), (None, Some(THROUGH_GROUPS)));
        let (facts, _) = access_facts(&grants(), Some(&user("00e2")), Some(&[]));
        assert_eq!(facts.user_has_access, Some(false));
    }
}
