//! What the inspection found, as facts the diagnosis can use, and how each is read from the
//! query records. Nothing here holds the admin token, so all of it may be printed or serialized.

use serde::Serialize;
use serde_json::Value;

use super::{
    access::AccessFacts,
    record::{flag, instant, number, text},
    soql::SObject,
};

/// The LoginHistory status of a login refused because the user is not approved for the app
/// (Help KB 000212208).
pub const NOT_APPROVED_STATUS: &str = "Failed: Not approved for access";

#[derive(Debug, Clone, Default, Serialize)]
pub struct OrgInspection {
    /// Where the admin session came from (never the token).
    pub session: String,
    /// Every query sent, in order, for verbose output.
    pub queries: Vec<QueryRecord>,
    /// The admin session could not be used (token refused, instance unreachable): whatever
    /// came after it did not run.
    pub session_problem: Option<String>,
    /// `None`: not settled. `Some` with `exists: false`: no such user.
    pub user: Option<UserFacts>,
    pub org: Option<OrgFacts>,
    pub app: Option<AppLookup>,
    pub access: Option<AccessFacts>,
    pub approval: Option<ApprovalFacts>,
    pub logins: Option<RecentLogins>,
    /// What could not be settled, why, and the permission that would settle it.
    pub skipped: Vec<Skipped>,
}

impl OrgInspection {
    /// The connected app, when it was found.
    pub fn app(&self) -> Option<&AppFacts> {
        match &self.app {
            Some(AppLookup::Found(app)) => Some(app),
            _ => None,
        }
    }

    pub fn skipped_for(&self, topic: Topic) -> Option<&Skipped> {
        self.skipped.iter().find(|s| s.topic == topic)
    }
}

/// The questions the inspection answers; each query and each skip names one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Topic {
    User,
    Frozen,
    Org,
    App,
    OrgApps,
    Access,
    Assignments,
    Approval,
    Logins,
}

impl Topic {
    /// What the answer settles, for verbose output.
    pub fn settles(self) -> &'static str {
        match self {
            Topic::User => "whether the user exists and is active, and their profile",
            Topic::Frozen => "whether the user is frozen",
            Topic::Org => "whether the org is production, a sandbox or a scratch org, and its age",
            Topic::App => "the connected app's permitted-users policy and when it last changed",
            Topic::OrgApps => "which connected apps the org has",
            Topic::Access => "which profiles and permission sets are pre-authorized for the app",
            Topic::Assignments => "which permission sets the user holds",
            Topic::Approval => "whether the user ever approved the app (an OAuth token for it)",
            Topic::Logins => "the user's recent logins and their failures",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct QueryRecord {
    pub topic: Topic,
    pub object: SObject,
    pub soql: String,
    pub outcome: QueryOutcome,
    pub elapsed_ms: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum QueryOutcome {
    Rows {
        count: usize,
        pages: usize,
        /// False when pages were left unread.
        complete: bool,
    },
    /// The org answered, but would not show this object to the session.
    Skipped {
        reason: String,
        permission: Option<&'static str>,
    },
    Failed {
        error: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Skipped {
    pub topic: Topic,
    pub reason: String,
    /// The permission the admin would need to settle it.
    pub permission: Option<&'static str>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserFacts {
    pub username: String,
    pub exists: bool,
    pub id: Option<String>,
    pub is_active: Option<bool>,
    pub profile_id: Option<String>,
    pub profile_name: Option<String>,
    /// From UserLogin; `None` when not settled.
    pub is_frozen: Option<bool>,
}

impl UserFacts {
    pub(super) fn from_records(username: &str, records: &[Value]) -> UserFacts {
        let found = records.first();
        let field = |path| found.and_then(|r| text(r, path));
        UserFacts {
            username: found.and_then(|r| text(r, "Username")).unwrap_or_else(|| username.to_string()),
            exists: found.is_some(),
            id: field("Id"),
            is_active: found.and_then(|r| flag(r, "IsActive")),
            profile_id: field("ProfileId"),
            profile_name: field("Profile.Name"),
            is_frozen: None,
        }
    }
}

/// Frozen if any UserLogin row says so; unsettled without rows.
pub(super) fn frozen(records: &[Value]) -> Option<bool> {
    let flags: Vec<bool> = records.iter().filter_map(|r| flag(r, "IsFrozen")).collect();
    (!flags.is_empty()).then(|| flags.contains(&true))
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrgFacts {
    pub id: Option<String>,
    pub name: Option<String>,
    /// A sandbox that is not a scratch org, as the sf CLI computes it.
    pub is_sandbox: bool,
    pub is_scratch: bool,
    pub instance: Option<String>,
    pub organization_type: Option<String>,
    pub created_at: Option<i64>,
    pub trial_expires_at: Option<i64>,
}

impl OrgFacts {
    /// sfdx-core's determineOrg: `isSandbox = IsSandbox && !TrialExpirationDate`,
    /// `isScratch = IsSandbox && TrialExpirationDate`.
    pub(super) fn from_record(record: &Value) -> OrgFacts {
        let sandbox_flag = flag(record, "IsSandbox").unwrap_or(false);
        let has_trial = text(record, "TrialExpirationDate").is_some();
        OrgFacts {
            id: text(record, "Id"),
            name: text(record, "Name"),
            is_sandbox: sandbox_flag && !has_trial,
            is_scratch: sandbox_flag && has_trial,
            instance: text(record, "InstanceName"),
            organization_type: text(record, "OrganizationType"),
            created_at: instant(record, "CreatedDate"),
            trial_expires_at: instant(record, "TrialExpirationDate"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum AppLookup {
    Found(AppFacts),
    /// No connected app has any of these names; `org_apps` lists the ones that exist.
    NotFound {
        searched: Vec<String>,
        org_apps: Vec<String>,
    },
    /// Only a consumer key was given, and ConnectedApplication has no consumer-key field.
    Unidentified {
        org_apps: Vec<String>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AppFacts {
    pub id: String,
    pub name: String,
    /// "Admin approved users are pre-authorized" (otherwise "All users may self-authorize").
    pub admin_approved_only: bool,
    /// A session-level policy (High Assurance) is set; `None` when the org would not say.
    pub high_assurance: Option<bool>,
    pub created_at: Option<i64>,
    pub modified_at: Option<i64>,
}

impl AppFacts {
    pub(super) fn from_record(record: &Value) -> Option<AppFacts> {
        Some(AppFacts {
            id: text(record, "Id")?,
            name: text(record, "Name")?,
            admin_approved_only: flag(record, "OptionsAllowAdminApprovedUsersOnly").unwrap_or(false),
            high_assurance: flag(record, "OptionsHasSessionLevelPolicy"),
            created_at: instant(record, "CreatedDate"),
            modified_at: instant(record, "LastModifiedDate"),
        })
    }
}

/// The user's OAuth tokens: a row for the app means a prior approval that issued a refresh token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApprovalFacts {
    /// The label matched against `OauthToken.AppName`; `None` when the app is unknown.
    pub app_label: Option<String>,
    pub tokens: usize,
    pub use_count: u64,
    pub last_used_at: Option<i64>,
    /// The other apps this user has tokens for.
    pub other_apps: Vec<String>,
    /// False when nothing came back and the admin is someone else: without Customize
    /// Application an admin sees only their own tokens, so "none" may mean "none visible".
    pub conclusive: bool,
}

impl ApprovalFacts {
    pub(super) fn from_tokens(app_label: Option<String>, records: &[Value], admin_is_user: bool) -> ApprovalFacts {
        let is_for_app = |r: &&Value| {
            app_label.as_deref().is_some_and(|label| text(r, "AppName").is_some_and(|n| n.eq_ignore_ascii_case(label)))
        };
        let for_app: Vec<&Value> = records.iter().filter(is_for_app).collect();
        let mut other_apps: Vec<String> =
            records.iter().filter(|r| !is_for_app(r)).filter_map(|r| text(r, "AppName")).collect();
        other_apps.sort();
        other_apps.dedup();
        ApprovalFacts {
            tokens: for_app.len(),
            use_count: for_app.iter().filter_map(|r| number(r, "UseCount")).sum(),
            last_used_at: for_app.iter().filter_map(|r| instant(r, "LastUsedDate")).max(),
            other_apps,
            conclusive: !records.is_empty() || admin_is_user,
            app_label,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LoginFacts {
    pub time: Option<i64>,
    pub status: Option<String>,
    pub application: Option<String>,
    pub login_type: Option<String>,
    pub login_url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecentLogins {
    /// Newest first.
    pub logins: Vec<LoginFacts>,
    /// Logins refused with "Failed: Not approved for access" (counted here: LoginHistory.Status
    /// cannot be filtered in SOQL).
    pub not_approved_failures: usize,
    /// False when pages were left unread.
    pub complete: bool,
}

impl RecentLogins {
    pub(super) fn from_records(records: &[Value], complete: bool) -> RecentLogins {
        let logins: Vec<LoginFacts> = records
            .iter()
            .map(|r| LoginFacts {
                time: instant(r, "LoginTime"),
                status: text(r, "Status"),
                application: text(r, "Application"),
                login_type: text(r, "LoginType"),
                login_url: text(r, "LoginUrl"),
            })
            .collect();
        let not_approved_failures = logins
            .iter()
            .filter(|l| l.status.as_deref().is_some_and(|s| s.eq_ignore_ascii_case(NOT_APPROVED_STATUS)))
            .count();
        RecentLogins { logins, not_approved_failures, complete }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn sandbox_and_scratch_follow_the_cli() {
        let production = OrgFacts::from_record(&json!({"IsSandbox": false, "TrialExpirationDate": null}));
        assert!(!production.is_sandbox && !production.is_scratch);
        let sandbox = OrgFacts::from_record(&json!({"IsSandbox": true, "TrialExpirationDate": null}));
        assert!(sandbox.is_sandbox && !sandbox.is_scratch);
        let scratch =
            OrgFacts::from_record(&json!({"IsSandbox": true, "TrialExpirationDate": "2030-01-01T00:00:00.000+0000"}));
        assert!(!scratch.is_sandbox && scratch.is_scratch);
        // A trial org that is not a sandbox is neither.
        let trial =
            OrgFacts::from_record(&json!({"IsSandbox": false, "TrialExpirationDate": "2030-01-01T00:00:00.000+0000"}));
        assert!(!trial.is_sandbox && !trial.is_scratch);
    }

    #[test]
    fn tokens_are_matched_by_label_and_an_empty_answer_about_someone_else_is_not_conclusive() {
        let rows = [
            json!({"AppName": "CI", "UseCount": 3, "LastUsedDate": "1970-01-01T00:01:00.000+0000"}),
            json!({"AppName": "Other"}),
        ];
        let approval = ApprovalFacts::from_tokens(Some("ci".into()), &rows, false);
        assert_eq!((approval.tokens, approval.use_count, approval.last_used_at), (1, 3, Some(60)));
        assert_eq!(approval.other_apps, ["Other"]);
        assert!(approval.conclusive);
        assert!(!ApprovalFacts::from_tokens(Some("CI".into()), &[], false).conclusive);
        assert!(ApprovalFacts::from_tokens(Some("CI".into()), &[], true).conclusive);
    }

    #[test]
    fn frozen_needs_a_row() {
        assert_eq!(frozen(&[]), None);
        assert_eq!(frozen(&[json!({"IsFrozen": false})]), Some(false));
        assert_eq!(frozen(&[json!({"IsFrozen": false}), json!({"IsFrozen": true})]), Some(true));
    }
}
