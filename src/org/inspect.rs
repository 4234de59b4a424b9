//! The inspection: the queries in order, each logged, each answer turned into facts. A query the
//! org will not answer becomes a `Skipped` entry; a session that stops working ends the run.

use std::time::{Duration, Instant};

use serde_json::Value;

use super::{
    access::access_facts,
    facts::{
        AppFacts, AppLookup, ApprovalFacts, OrgFacts, OrgInspection, QueryOutcome, QueryRecord, RecentLogins, Skipped,
        Topic, UserFacts, frozen,
    },
    query::{QueryError, QueryResult, run_query},
    record::text,
    session::AdminSession,
    soql::{SObject, Select, equals_any, quote},
};
use crate::{http::Client, secret::mask_client_id};

/// How the JWT's app is known. The label and API name usually come from the connected app's
/// metadata; the consumer key alone cannot be looked up (ConnectedApplication has no such field).
#[derive(Debug, Clone, Default)]
pub struct AppRef {
    pub label: Option<String>,
    pub api_name: Option<String>,
    pub consumer_key: Option<String>,
}

impl AppRef {
    /// The names `ConnectedApplication.Name` may hold: the label first, then the API name.
    fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = [&self.label, &self.api_name]
            .into_iter()
            .flatten()
            .map(|n| n.trim().to_string())
            .filter(|n| !n.is_empty())
            .collect();
        names.dedup_by(|a, b| a.eq_ignore_ascii_case(b));
        names
    }
}

/// "The last 50 logins" is recent enough to show a pattern of refusals.
const RECENT_LOGINS: usize = 50;
/// Listed when the app cannot be found, so the user can pick the right name.
const LISTED_APPS: usize = 200;

/// Reads what the org knows about `username` and the app, with the admin's session.
pub fn inspect(client: &Client, session: &AdminSession, username: &str, app: &AppRef) -> OrgInspection {
    let mut inspector = Inspector {
        client,
        session,
        found: OrgInspection { session: session.source.clone(), ..OrgInspection::default() },
    };
    if let Err(Stopped(problem)) = inspector.run(username, app) {
        inspector.found.session_problem = Some(problem);
    }
    inspector.found
}

/// The session can no longer be used; says why.
struct Stopped(String);

type Step<T = ()> = Result<T, Stopped>;

struct Inspector<'a> {
    client: &'a Client,
    session: &'a AdminSession,
    found: OrgInspection,
}

impl Inspector<'_> {
    fn run(&mut self, username: &str, app: &AppRef) -> Step {
        self.read_user(username)?;
        self.read_frozen()?;
        self.read_org()?;
        self.read_app(app)?;
        self.read_access()?;
        self.read_approval(app)?;
        self.read_logins()
    }

    fn read_user(&mut self, username: &str) -> Step {
        let select = Select::new(SObject::User, &["Id", "Username", "IsActive", "ProfileId", "Profile.Name"])
            .filter(&format!("Username = {}", quote(username)));
        if let Some(result) = self.query(Topic::User, select)? {
            self.found.user = Some(UserFacts::from_records(username, &result.records));
        }
        Ok(())
    }

    fn read_frozen(&mut self) -> Step {
        let Some(user_id) = self.existing_user(Topic::Frozen).and_then(|u| u.id) else { return Ok(()) };
        let select = Select::new(SObject::UserLogin, &["IsFrozen"]).filter(&format!("UserId = {}", quote(&user_id)));
        if let (Some(result), Some(user)) = (self.query(Topic::Frozen, select)?, self.found.user.as_mut()) {
            user.is_frozen = frozen(&result.records);
        }
        Ok(())
    }

    fn read_org(&mut self) -> Step {
        let select = Select::new(SObject::Organization, &["Id", "Name", "IsSandbox", "TrialExpirationDate"])
            .optional(&["InstanceName", "OrganizationType", "CreatedDate"]);
        if let Some(record) = self.query(Topic::Org, select)?.and_then(|r| r.records.into_iter().next()) {
            self.found.org = Some(OrgFacts::from_record(&record));
        }
        Ok(())
    }

    fn read_app(&mut self, app: &AppRef) -> Step {
        let names = app.names();
        if names.is_empty() {
            self.skip(Topic::App, unidentified_reason(app), None);
            let org_apps = self.list_apps()?;
            self.found.app = Some(AppLookup::Unidentified { org_apps });
            return Ok(());
        }
        let select = Select::new(SObject::ConnectedApplication, &["Id", "Name", "OptionsAllowAdminApprovedUsersOnly"])
            .optional(&["OptionsHasSessionLevelPolicy", "CreatedDate", "LastModifiedDate"])
            .filter(&equals_any("Name", &names));
        let Some(result) = self.query(Topic::App, select)? else { return Ok(()) };
        self.found.app = Some(match best_match(&result.records, &names).and_then(AppFacts::from_record) {
            Some(facts) => AppLookup::Found(facts),
            None => AppLookup::NotFound { searched: names, org_apps: self.list_apps()? },
        });
        Ok(())
    }

    /// The org's connected apps by name; empty when the org would not list them.
    fn list_apps(&mut self) -> Step<Vec<String>> {
        let select = Select::new(SObject::ConnectedApplication, &["Id", "Name"])
            .append(&format!("ORDER BY Name LIMIT {LISTED_APPS}"));
        let records = self.query(Topic::OrgApps, select)?.map(|r| r.records).unwrap_or_default();
        Ok(records.iter().filter_map(|r| text(r, "Name")).collect())
    }

    fn read_access(&mut self) -> Step {
        let Some(app) = self.identified_app(Topic::Access) else { return Ok(()) };
        let select = Select::new(
            SObject::SetupEntityAccess,
            &["ParentId", "Parent.Name", "Parent.IsOwnedByProfile", "Parent.ProfileId", "Parent.Profile.Name"],
        )
        .filter(&format!("SetupEntityId = {}", quote(&app.id)));
        let Some(grants) = self.query(Topic::Access, select)? else { return Ok(()) };
        let user = self.existing_user(Topic::Access);
        let assignments = match &user {
            Some(user) => self.read_assignments(user)?,
            None => None,
        };
        let (access, unsettled) = access_facts(&grants.records, user.as_ref(), assignments.as_deref());
        if let Some(reason) = unsettled {
            self.skip(Topic::Access, reason.to_string(), None);
        }
        self.found.access = Some(access);
        Ok(())
    }

    fn read_assignments(&mut self, user: &UserFacts) -> Step<Option<Vec<Value>>> {
        let Some(user_id) = &user.id else { return Ok(None) };
        let select = Select::new(
            SObject::PermissionSetAssignment,
            &["PermissionSetId", "PermissionSet.Name", "PermissionSet.IsOwnedByProfile"],
        )
        .optional(&["PermissionSetGroupId"])
        .filter(&format!("AssigneeId = {}", quote(user_id)));
        Ok(self.query(Topic::Assignments, select)?.map(|r| r.records))
    }

    fn read_approval(&mut self, app: &AppRef) -> Step {
        let Some(user) = self.existing_user(Topic::Approval) else { return Ok(()) };
        let Some(user_id) = &user.id else { return Ok(()) };
        // AppName is not documented as filterable: match the label here.
        let select = Select::new(SObject::OauthToken, &["AppName", "UseCount", "LastUsedDate"])
            .filter(&format!("UserId = {}", quote(user_id)));
        let Some(result) = self.query(Topic::Approval, select)? else { return Ok(()) };
        let label = self.found.app().map(|a| a.name.clone()).or_else(|| app.label.clone());
        let admin_is_user =
            self.session.username.as_deref().is_some_and(|admin| admin.eq_ignore_ascii_case(&user.username));
        self.found.approval = Some(ApprovalFacts::from_tokens(label, &result.records, admin_is_user));
        Ok(())
    }

    fn read_logins(&mut self) -> Step {
        let Some(user) = self.existing_user(Topic::Logins) else { return Ok(()) };
        let Some(user_id) = &user.id else { return Ok(()) };
        // Status cannot be filtered in SOQL; the failures are counted from these rows.
        let select =
            Select::new(SObject::LoginHistory, &["LoginTime", "Status", "Application", "LoginType", "LoginUrl"])
                .filter(&format!("UserId = {}", quote(user_id)))
                .append(&format!("ORDER BY LoginTime DESC LIMIT {RECENT_LOGINS}"));
        if let Some(result) = self.query(Topic::Logins, select)? {
            self.found.logins = Some(RecentLogins::from_records(&result.records, result.complete));
        }
        Ok(())
    }

    /// The user when the User query found one. A User query that did not answer leaves `topic`
    /// unsettled; a user that does not exist makes it moot.
    fn existing_user(&mut self, topic: Topic) -> Option<UserFacts> {
        match &self.found.user {
            Some(user) if user.exists => Some(user.clone()),
            Some(_) => None,
            None => {
                self.skip(topic, "needs the user's Id, which the User query did not return".into(), None);
                None
            }
        }
    }

    /// The app when it was found. An app that could not be identified or looked up leaves
    /// `topic` unsettled; an app that does not exist makes it moot.
    fn identified_app(&mut self, topic: Topic) -> Option<AppFacts> {
        let reason = match &self.found.app {
            Some(AppLookup::Found(app)) => return Some(app.clone()),
            Some(AppLookup::NotFound { .. }) => return None,
            Some(AppLookup::Unidentified { .. }) => "needs the connected app, which could not be identified",
            None => "needs the connected app's Id, which the ConnectedApplication query did not return",
        };
        self.skip(topic, reason.into(), None);
        None
    }

    /// Sends `select`, dropping optional fields the org rejects, one query per attempt. `None`:
    /// the org would not answer, and a `Skipped` entry says why.
    fn query(&mut self, topic: Topic, select: Select) -> Step<Option<QueryResult>> {
        let mut select = select;
        loop {
            match self.send(topic, &select)? {
                Ok(result) => return Ok(Some(result)),
                Err(error) => match narrower(&select, &error) {
                    Some(next) => select = next,
                    None => {
                        let (reason, permission) = skip_reason(select.object, &error);
                        self.skip(topic, reason, permission);
                        return Ok(None);
                    }
                },
            }
        }
    }

    /// Sends one query and logs it; an unusable session stops the inspection.
    fn send(&mut self, topic: Topic, select: &Select) -> Step<Result<QueryResult, QueryError>> {
        let soql = select.text();
        let started = Instant::now();
        let result = run_query(self.client, self.session, select.object, &soql);
        self.log(topic, select.object, soql, &result, started.elapsed());
        match result {
            Err(QueryError::InvalidSession) => Err(Stopped(format!(
                "the admin access token from {} was refused (INVALID_SESSION_ID): it has expired or was revoked; \
                 get a fresh one and run again",
                self.session.source
            ))),
            Err(QueryError::Network(failure)) => {
                Err(Stopped(format!("could not query {}: {}", self.session.instance_url, failure.describe())))
            }
            other => Ok(other),
        }
    }

    fn log(
        &mut self,
        topic: Topic,
        object: SObject,
        soql: String,
        result: &Result<QueryResult, QueryError>,
        elapsed: Duration,
    ) {
        let outcome = match result {
            Ok(r) => QueryOutcome::Rows { count: r.records.len(), pages: r.pages, complete: r.complete },
            Err(error @ (QueryError::NoAccess { .. } | QueryError::NotAvailable { .. })) => {
                let (reason, permission) = skip_reason(object, error);
                QueryOutcome::Skipped { reason, permission }
            }
            Err(error) => QueryOutcome::Failed { error: error.to_string() },
        };
        let elapsed_ms = u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX);
        self.found.queries.push(QueryRecord { topic, object, soql, outcome, elapsed_ms });
    }

    fn skip(&mut self, topic: Topic, reason: String, permission: Option<&'static str>) {
        self.found.skipped.push(Skipped { topic, reason, permission });
    }
}

/// The same query without the field an INVALID_FIELD error rejected, while optional fields remain.
fn narrower(select: &Select, error: &QueryError) -> Option<Select> {
    if !matches!(error, QueryError::InvalidField { .. }) {
        return None;
    }
    error.rejected_field().and_then(|field| select.without(field)).or_else(|| select.required_only())
}

fn skip_reason(object: SObject, error: &QueryError) -> (String, Option<&'static str>) {
    let name = object.name();
    match error {
        QueryError::NoAccess { permission } => (format!("the admin session may not read {name}"), Some(*permission)),
        // Salesforce also answers INVALID_TYPE for an object the session may not see.
        QueryError::NotAvailable { message } => (
            format!(
                "{name} is not available to this session ({message}): the org may not have it, or the admin lacks the permission"
            ),
            Some(object.permission()),
        ),
        other => (format!("the {name} query failed: {other}"), None),
    }
}

fn unidentified_reason(app: &AppRef) -> String {
    let key = app.consumer_key.as_deref().map(|k| format!(" (consumer key {})", mask_client_id(k))).unwrap_or_default();
    format!(
        "the connected app could not be identified{key}: ConnectedApplication has no consumer-key field, so give the \
         app's name (label) to settle its policy and assignments"
    )
}

/// The row named like the label when several match, else the first.
fn best_match<'r>(records: &'r [Value], names: &[String]) -> Option<&'r Value> {
    let is_label =
        |r: &&Value| text(r, "Name").is_some_and(|n| names.first().is_some_and(|l| l.eq_ignore_ascii_case(&n)));
    records.iter().find(is_label).or_else(|| records.first())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn app_names_are_the_label_then_a_different_api_name() {
        let app = AppRef { label: Some("CI App".into()), api_name: Some("CI_App".into()), consumer_key: None };
        assert_eq!(app.names(), ["CI App", "CI_App"]);
        let same = AppRef { label: Some("CI".into()), api_name: Some("ci".into()), consumer_key: None };
        assert_eq!(same.names(), ["CI"]);
        assert!(AppRef { consumer_key: Some("3MVG9".into()), ..AppRef::default() }.names().is_empty());
    }

    #[test]
    fn only_rejected_optional_fields_are_dropped() {
        let select = Select::new(SObject::ConnectedApplication, &["Id"]).optional(&["CreatedDate", "LastModifiedDate"]);
        let rejected = QueryError::InvalidField { message: "No such column 'LastModifiedDate' on entity 'X'".into() };
        assert_eq!(narrower(&select, &rejected).unwrap().text(), "SELECT Id, CreatedDate FROM ConnectedApplication");
        let unnamed = QueryError::InvalidField { message: "something else".into() };
        assert_eq!(narrower(&select, &unnamed).unwrap().text(), "SELECT Id FROM ConnectedApplication");
        assert!(narrower(&select, &QueryError::NoAccess { permission: "x" }).is_none());
    }

    #[test]
    fn unidentified_apps_mask_the_consumer_key() {
        let app = AppRef { consumer_key: Some("3MVG9szVa2Rx_sqBb444p50YjQx7z".into()), ..AppRef::default() };
        let reason = unidentified_reason(&app);
        assert!(reason.contains("3MVG9…Qx7z") && !reason.contains("szVa2"), "{reason}");
    }
}
