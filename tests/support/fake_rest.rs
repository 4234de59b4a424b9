//! A fake Salesforce REST query API on 127.0.0.1 for the org-inspection tests.
//!
//! [`FakeRest::start`] serves an [`OrgModel`] (users with profiles and permission sets, frozen and
//! active flags, the org's sandbox/scratch flags, connected apps with their policy and
//! pre-authorized profiles and permission sets, OAuth tokens, login history) as the sObjects
//! `User`, `UserLogin`, `Organization`, `ConnectedApplication`, `SetupEntityAccess`,
//! `PermissionSetAssignment`, `OauthToken` and `LoginHistory`, in Salesforce's response shapes.
//!
//! Routes: `GET /services/data/vXX.X/query?q=<SOQL>` and `GET /services/data/vXX.X/query/<cursor>`
//! (the `nextRecordsUrl` of a paginated answer). Every request needs `Authorization: Bearer TOKEN`,
//! else 401 `INVALID_SESSION_ID`. Requests are recorded.
//!
//! The SOQL it understands is deliberately small (it is a fake):
//!
//! ```text
//! SELECT path[, path…] FROM Object [WHERE cond [AND cond…]] [ORDER BY path [ASC|DESC]] [LIMIT n]
//! cond    := path = literal | path IN (literal[, literal…])
//! literal := 'text' (with \' \\ \n \r \t escapes) | true | false | null
//! path    := Field | Relationship.Field | Relationship.Relationship.Field
//! ```
//!
//! Text compares case-insensitively, as in Salesforce. A path the model's records lack is an
//! `INVALID_FIELD` (checked against the first row, so not on empty tables), as is a filter on
//! `LoginHistory.Status`, which Salesforce cannot filter on. Field names are case-sensitive here.
//!
//! The HTTP server underneath is the shared core in `server.rs`. Dropping the handle stops it.

use std::collections::{BTreeSet, HashMap};
use std::sync::Mutex;

use serde_json::{Map, Value, json};

use super::server::{Fault, Info, JSON, Request, Response, Server, Service, lock};

/// The admin session's token the fake accepts.
pub const TOKEN: &str = "00D000000000001EAA!AQ4AQFakeAdminAccessToken.0123456789abcdef";
pub const ADMIN_USERNAME: &str = "admin@example.com";
pub const ADMIN_PROFILE: &str = "System Administrator";
pub const ORG_ID: &str = "00D000000000001EAA";
const VERSION: &str = "v62.0";

// ---------------------------------------------------------------------------------------------
// The org model
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone)]
pub struct OrgModel {
    pub org: OrgRow,
    pub users: Vec<UserRow>,
    pub apps: Vec<AppRow>,
    pub tokens: Vec<TokenRow>,
    pub logins: Vec<LoginRow>,
}

#[derive(Debug, Clone)]
pub struct OrgRow {
    pub name: String,
    pub instance: String,
    pub is_sandbox: bool,
    /// Set for scratch orgs (and trials).
    pub trial_expiration: Option<String>,
    pub organization_type: String,
    pub created: String,
}

#[derive(Debug, Clone)]
pub struct UserRow {
    pub username: String,
    pub active: bool,
    pub frozen: bool,
    pub profile: String,
    pub permission_sets: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct AppRow {
    pub name: String,
    pub admin_approved: bool,
    pub high_assurance: bool,
    pub created: String,
    pub modified: String,
    /// Pre-authorized profiles and permission sets (SetupEntityAccess rows).
    pub profiles: Vec<String>,
    pub permission_sets: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct TokenRow {
    pub username: String,
    pub app_name: String,
    pub use_count: u64,
    pub last_used: String,
}

#[derive(Debug, Clone)]
pub struct LoginRow {
    pub username: String,
    pub time: String,
    pub status: String,
    pub application: String,
    pub login_type: String,
    pub login_url: String,
}

impl OrgModel {
    /// A production org whose only user is the active System Administrator the session belongs to.
    pub fn production() -> OrgModel {
        OrgModel {
            org: OrgRow {
                name: "Acme".into(),
                instance: "USA123".into(),
                is_sandbox: false,
                trial_expiration: None,
                organization_type: "Enterprise Edition".into(),
                created: "2020-01-15T10:00:00.000+0000".into(),
            },
            users: vec![UserRow::new(ADMIN_USERNAME, ADMIN_PROFILE)],
            apps: Vec::new(),
            tokens: Vec::new(),
            logins: Vec::new(),
        }
    }

    pub fn sandbox() -> OrgModel {
        let mut model = OrgModel::production();
        model.org.is_sandbox = true;
        model.org.instance = "CS42".into();
        model
    }

    /// Scratch orgs are sandboxes with a trial expiration date.
    pub fn scratch(created: &str) -> OrgModel {
        let mut model = OrgModel::sandbox();
        model.org.trial_expiration = Some("2030-01-22T10:00:00.000+0000".into());
        model.org.organization_type = "Developer Edition".into();
        model.org.created = created.into();
        model
    }

    pub fn with_user(mut self, user: UserRow) -> OrgModel {
        self.users.push(user);
        self
    }

    pub fn with_app(mut self, app: AppRow) -> OrgModel {
        self.apps.push(app);
        self
    }

    pub fn with_token(mut self, username: &str, app_name: &str) -> OrgModel {
        self.tokens.push(TokenRow {
            username: username.into(),
            app_name: app_name.into(),
            use_count: 1,
            last_used: "2026-03-01T08:00:00.000+0000".into(),
        });
        self
    }

    pub fn with_login(mut self, username: &str, time: &str, status: &str, application: &str) -> OrgModel {
        self.logins.push(LoginRow {
            username: username.into(),
            time: time.into(),
            status: status.into(),
            application: application.into(),
            login_type: "Remote Access 2.0".into(),
            login_url: "login.salesforce.com".into(),
        });
        self
    }
}

impl UserRow {
    pub fn new(username: &str, profile: &str) -> UserRow {
        UserRow {
            username: username.into(),
            active: true,
            frozen: false,
            profile: profile.into(),
            permission_sets: Vec::new(),
        }
    }

    pub fn inactive(mut self) -> UserRow {
        self.active = false;
        self
    }

    pub fn frozen(mut self) -> UserRow {
        self.frozen = true;
        self
    }

    pub fn with_permission_set(mut self, name: &str) -> UserRow {
        self.permission_sets.push(name.into());
        self
    }
}

impl AppRow {
    /// "Admin approved users are pre-authorized".
    pub fn admin_approved(name: &str) -> AppRow {
        AppRow {
            name: name.into(),
            admin_approved: true,
            high_assurance: false,
            created: "2025-06-01T09:00:00.000+0000".into(),
            modified: "2025-06-02T09:00:00.000+0000".into(),
            profiles: Vec::new(),
            permission_sets: Vec::new(),
        }
    }

    /// "All users may self-authorize".
    pub fn self_authorize(name: &str) -> AppRow {
        AppRow { admin_approved: false, ..AppRow::admin_approved(name) }
    }

    pub fn allow_profile(mut self, profile: &str) -> AppRow {
        self.profiles.push(profile.into());
        self
    }

    pub fn allow_permission_set(mut self, name: &str) -> AppRow {
        self.permission_sets.push(name.into());
        self
    }
}

// ---------------------------------------------------------------------------------------------
// The model as sObject records
// ---------------------------------------------------------------------------------------------

/// Deterministic 18-character ids: key prefix, a zero-padded number, `AAA`.
fn sf_id(prefix: &str, n: usize) -> String {
    format!("{prefix}{n:012}AAA")
}

fn attributes(object: &str, id: Option<&str>) -> Value {
    let url = id.map_or_else(
        || format!("/services/data/{VERSION}/sobjects/{object}"),
        |id| format!("/services/data/{VERSION}/sobjects/{object}/{id}"),
    );
    json!({ "type": object, "url": url })
}

/// Numbers the model's profiles and permission sets, so every record agrees on their ids.
struct Ids {
    profiles: Vec<String>,
    permission_sets: Vec<String>,
}

impl Ids {
    fn of(model: &OrgModel) -> Ids {
        let profiles: BTreeSet<String> = model
            .users
            .iter()
            .map(|u| u.profile.clone())
            .chain(model.apps.iter().flat_map(|a| a.profiles.iter().cloned()))
            .collect();
        let permission_sets: BTreeSet<String> = model
            .users
            .iter()
            .flat_map(|u| u.permission_sets.iter().cloned())
            .chain(model.apps.iter().flat_map(|a| a.permission_sets.iter().cloned()))
            .collect();
        Ids { profiles: profiles.into_iter().collect(), permission_sets: permission_sets.into_iter().collect() }
    }

    fn index(names: &[String], name: &str) -> usize {
        names.iter().position(|n| n == name).expect("every name is numbered") + 1
    }

    fn profile_id(&self, profile: &str) -> String {
        sf_id("00e", Ids::index(&self.profiles, profile))
    }

    /// The permission set a profile owns.
    fn profile_set_id(&self, profile: &str) -> String {
        sf_id("0PS", Ids::index(&self.profiles, profile))
    }

    fn permission_set_id(&self, name: &str) -> String {
        sf_id("0PS", 500 + Ids::index(&self.permission_sets, name))
    }

    fn profile(&self, name: &str) -> Value {
        let id = self.profile_id(name);
        json!({ "attributes": attributes("Profile", Some(&id)), "Id": id, "Name": name })
    }

    fn profile_set(&self, profile: &str) -> Value {
        let id = self.profile_set_id(profile);
        json!({
            "attributes": attributes("PermissionSet", Some(&id)),
            "Id": id,
            // Salesforce names a profile's permission set after the profile's id.
            "Name": format!("X{}", self.profile_id(profile)),
            "IsOwnedByProfile": true,
            "ProfileId": self.profile_id(profile),
            "Profile": self.profile(profile),
        })
    }

    fn permission_set(&self, name: &str) -> Value {
        let id = self.permission_set_id(name);
        json!({
            "attributes": attributes("PermissionSet", Some(&id)),
            "Id": id,
            "Name": name,
            "IsOwnedByProfile": false,
            "ProfileId": null,
            "Profile": null,
        })
    }
}

impl OrgModel {
    fn user_id(&self, username: &str) -> String {
        sf_id("005", self.users.iter().position(|u| u.username == username).expect("a user of the model") + 1)
    }

    fn app_id(&self, index: usize) -> String {
        sf_id("0H4", index + 1)
    }

    /// The object's records, or `None` for an object the fake does not have.
    fn table(&self, object: &str) -> Option<Vec<Value>> {
        let ids = Ids::of(self);
        Some(match object {
            "User" => self.users.iter().map(|u| self.user_record(&ids, u)).collect(),
            "UserLogin" => self.users.iter().enumerate().map(|(i, u)| self.user_login_record(i, u)).collect(),
            "Organization" => vec![self.organization_record()],
            "ConnectedApplication" => self.apps.iter().enumerate().map(|(i, a)| self.app_record(i, a)).collect(),
            "SetupEntityAccess" => self.setup_entity_access(&ids),
            "PermissionSetAssignment" => self.assignments(&ids),
            "OauthToken" => self.tokens.iter().map(|t| self.token_record(t)).collect(),
            "LoginHistory" => self.logins.iter().enumerate().map(|(i, l)| self.login_record(i, l)).collect(),
            _ => return None,
        })
    }

    fn user_record(&self, ids: &Ids, user: &UserRow) -> Value {
        let id = self.user_id(&user.username);
        json!({
            "attributes": attributes("User", Some(&id)),
            "Id": id,
            "Username": user.username,
            "IsActive": user.active,
            "UserType": "Standard",
            "ProfileId": ids.profile_id(&user.profile),
            "Profile": ids.profile(&user.profile),
        })
    }

    fn user_login_record(&self, index: usize, user: &UserRow) -> Value {
        let id = sf_id("060", index + 1);
        json!({
            "attributes": attributes("UserLogin", Some(&id)),
            "Id": id,
            "UserId": self.user_id(&user.username),
            "IsFrozen": user.frozen,
            "IsPasswordLocked": false,
        })
    }

    fn organization_record(&self) -> Value {
        let org = &self.org;
        json!({
            "attributes": attributes("Organization", Some(ORG_ID)),
            "Id": ORG_ID,
            "Name": org.name,
            "InstanceName": org.instance,
            "IsSandbox": org.is_sandbox,
            "TrialExpirationDate": org.trial_expiration,
            "OrganizationType": org.organization_type,
            "NamespacePrefix": null,
            "CreatedDate": org.created,
        })
    }

    fn app_record(&self, index: usize, app: &AppRow) -> Value {
        let id = self.app_id(index);
        json!({
            "attributes": attributes("ConnectedApplication", Some(&id)),
            "Id": id,
            "Name": app.name,
            "OptionsAllowAdminApprovedUsersOnly": app.admin_approved,
            "OptionsHasSessionLevelPolicy": app.high_assurance,
            "CreatedDate": app.created,
            "LastModifiedDate": app.modified,
        })
    }

    fn setup_entity_access(&self, ids: &Ids) -> Vec<Value> {
        let mut rows = Vec::new();
        for (index, app) in self.apps.iter().enumerate() {
            let parents = app.profiles.iter().map(|p| ids.profile_set(p));
            for parent in parents.chain(app.permission_sets.iter().map(|s| ids.permission_set(s))) {
                let id = sf_id("0J0", rows.len() + 1);
                rows.push(json!({
                    "attributes": attributes("SetupEntityAccess", Some(&id)),
                    "Id": id,
                    "ParentId": parent["Id"],
                    "SetupEntityId": self.app_id(index),
                    "SetupEntityType": "ConnectedApplication",
                    "Parent": parent,
                }));
            }
        }
        rows
    }

    /// Each user's assignments, including the one of their profile's permission set.
    fn assignments(&self, ids: &Ids) -> Vec<Value> {
        let mut rows = Vec::new();
        for user in &self.users {
            let sets = std::iter::once(ids.profile_set(&user.profile))
                .chain(user.permission_sets.iter().map(|s| ids.permission_set(s)));
            for set in sets {
                let id = sf_id("0Pa", rows.len() + 1);
                let user_id = self.user_id(&user.username);
                rows.push(json!({
                    "attributes": attributes("PermissionSetAssignment", Some(&id)),
                    "Id": id,
                    "AssigneeId": user_id,
                    "PermissionSetId": set["Id"],
                    "PermissionSetGroupId": null,
                    "IsActive": true,
                    "PermissionSet": set,
                    "Assignee": { "attributes": attributes("User", Some(&user_id)), "Username": user.username },
                }));
            }
        }
        rows
    }

    fn token_record(&self, token: &TokenRow) -> Value {
        json!({
            // OauthToken.Id is always null.
            "attributes": attributes("OauthToken", None),
            "Id": null,
            "UserId": self.user_id(&token.username),
            "AppName": token.app_name,
            "UseCount": token.use_count,
            "LastUsedDate": token.last_used,
        })
    }

    fn login_record(&self, index: usize, login: &LoginRow) -> Value {
        let id = sf_id("0Ya", index + 1);
        json!({
            "attributes": attributes("LoginHistory", Some(&id)),
            "Id": id,
            "UserId": self.user_id(&login.username),
            "LoginTime": login.time,
            "Status": login.status,
            "Application": login.application,
            "LoginType": login.login_type,
            "LoginUrl": login.login_url,
            "SourceIp": "203.0.113.7",
        })
    }
}

// ---------------------------------------------------------------------------------------------
// The server
// ---------------------------------------------------------------------------------------------

/// How the fake refuses a query on an object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// 403 `INSUFFICIENT_ACCESS`: the admin lacks the permission.
    InsufficientAccess,
    /// 400 `INVALID_TYPE`: the object is not there for this session.
    InvalidType,
    /// 500 with an HTML page.
    ServerError,
}

/// One request as the fake saw it.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    /// The decoded `q` parameter.
    pub soql: Option<String>,
    pub authorized: bool,
}

/// A running fake; dropping it stops the server.
pub struct FakeRest {
    server: Server<RestApi>,
}

/// The org behind the API, what the test changed about it, and what it was asked.
struct RestApi {
    model: OrgModel,
    settings: Mutex<Settings>,
    requests: Mutex<Vec<Recorded>>,
}

#[derive(Default)]
struct Settings {
    /// Replaces `TOKEN` as the one accepted token.
    accepted_token: Option<String>,
    expired: bool,
    refusals: HashMap<String, Refusal>,
    rejected_fields: BTreeSet<(String, String)>,
    page_size: Option<usize>,
    /// The rows still to serve, by cursor id, with the query's total size.
    cursors: HashMap<String, (usize, Vec<Value>)>,
    next_cursor: usize,
}

impl FakeRest {
    pub fn start(model: OrgModel) -> FakeRest {
        let api = RestApi { model, settings: Mutex::default(), requests: Mutex::default() };
        FakeRest { server: Server::start(api) }
    }

    /// `http://127.0.0.1:<port>`: the instance URL.
    pub fn url(&self) -> String {
        self.server.url()
    }

    fn settings(&self) -> std::sync::MutexGuard<'_, Settings> {
        lock(&self.server.service().settings)
    }

    /// Accepts `token` instead of `TOKEN`.
    pub fn accept_token(&self, token: &str) {
        self.settings().accepted_token = Some(token.into());
    }

    /// From now on every request gets 401 INVALID_SESSION_ID.
    pub fn expire_token(&self) {
        self.settings().expired = true;
    }

    pub fn refuse(&self, object: &str, refusal: Refusal) {
        self.settings().refusals.insert(object.into(), refusal);
    }

    /// Answers INVALID_FIELD to any query that selects `object.field`, as an older API version would.
    pub fn reject_field(&self, object: &str, field: &str) {
        self.settings().rejected_fields.insert((object.into(), field.into()));
    }

    /// Serves at most `rows` records per page, with `done:false` and a `nextRecordsUrl`.
    pub fn paginate(&self, rows: usize) {
        self.settings().page_size = Some(rows.max(1));
    }

    /// Serves `fault` instead of the API's answers from now on; `None` brings the API back.
    pub fn inject(&self, fault: Option<Fault>) {
        self.server.inject(fault);
    }

    pub fn requests(&self) -> Vec<Recorded> {
        lock(&self.server.service().requests).clone()
    }

    /// How many requests were about `object`: the queries selecting FROM it and their next pages.
    pub fn requests_for(&self, object: &str) -> usize {
        let mut current = None;
        let mut count = 0;
        for request in self.requests() {
            if let Some(soql) = &request.soql {
                current = parse_select(soql).ok().map(|s| s.object);
            }
            count += usize::from(current.as_deref() == Some(object));
        }
        count
    }
}

impl Service for RestApi {
    fn respond(&self, request: &Request, _: &Info) -> Response {
        let (status, content_type, body) = self.answer(request);
        Response::new(status, content_type, body)
    }
}

type Answer = (u16, &'static str, String);

fn error(status: u16, code: &str, message: &str) -> Answer {
    (status, JSON, json!([{ "message": message, "errorCode": code }]).to_string())
}

impl RestApi {
    fn answer(&self, request: &Request) -> Answer {
        let authorized = self.authorized(request);
        let (path, soql) = (request.route(), request.query("q"));
        lock(&self.requests).push(Recorded {
            method: request.method.clone(),
            path: path.to_string(),
            soql: soql.clone(),
            authorized,
        });
        if !authorized {
            return error(401, "INVALID_SESSION_ID", "Session expired or invalid");
        }
        let Some(rest) = path.strip_prefix("/services/data/v") else {
            return error(404, "NOT_FOUND", "The requested resource does not exist");
        };
        match (rest.split_once('/'), soql, request.method.as_str()) {
            (Some((_, "query")), Some(soql), "GET") => self.query(&soql),
            (Some((_, next)), None, "GET") if next.starts_with("query/") => self.next_page(&next["query/".len()..]),
            _ => error(404, "NOT_FOUND", "The requested resource does not exist"),
        }
    }

    fn authorized(&self, request: &Request) -> bool {
        let settings = lock(&self.settings);
        let expected = format!("Bearer {}", settings.accepted_token.as_deref().unwrap_or(TOKEN));
        !settings.expired && request.header("authorization") == Some(expected.as_str())
    }

    fn query(&self, soql: &str) -> Answer {
        let select = match parse_select(soql) {
            Ok(select) => select,
            Err(why) => return error(400, "MALFORMED_QUERY", &why),
        };
        if let Some(refusal) = lock(&self.settings).refusals.get(&select.object).copied() {
            return refused(refusal, soql, &select.object);
        }
        let Some(table) = self.model.table(&select.object) else {
            return refused(Refusal::InvalidType, soql, &select.object);
        };
        if let Some(field) = self.invalid_field(&select, table.first()) {
            return error(400, "INVALID_FIELD", &field);
        }
        let mut rows: Vec<Value> = table.into_iter().filter(|r| select.conditions.iter().all(|c| c.holds(r))).collect();
        if let Some((path, descending)) = &select.order {
            rows.sort_by_key(|r| at(r, path).map(Value::to_string).unwrap_or_default());
            if *descending {
                rows.reverse();
            }
        }
        rows.truncate(select.limit.unwrap_or(usize::MAX));
        let rows: Vec<Value> = rows.iter().map(|r| project(r, &select.fields)).collect();
        self.page(rows.len(), rows)
    }

    /// The INVALID_FIELD message for the first field the query may not use.
    fn invalid_field(&self, select: &Select, sample: Option<&Value>) -> Option<String> {
        let rejected = &lock(&self.settings).rejected_fields;
        let object = &select.object;
        let no_such_column = |field: &str| {
            format!(
                "\n{}\n^\nERROR at Row:1:Column:8\nNo such column '{field}' on entity '{object}'. If you are attempting \
                 to use a custom field, be sure to append the '__c' after the custom field name. Please reference \
                 your WSDL or the describe call for the appropriate names.",
                select.text
            )
        };
        let used = select.fields.iter().chain(select.conditions.iter().map(|c| &c.path));
        for path in used.chain(select.order.iter().map(|(p, _)| p)) {
            let unknown = sample.is_some_and(|r| !has_path(r, path));
            if unknown || rejected.contains(&(object.clone(), path.clone())) {
                return Some(no_such_column(path));
            }
        }
        let status_filter = object == "LoginHistory" && select.conditions.iter().any(|c| c.path == "Status");
        status_filter.then(|| "field 'Status' can not be filtered in a query call".to_string())
    }

    /// The first page of `rows`; the rest wait under a cursor for `nextRecordsUrl`.
    fn page(&self, total: usize, mut rows: Vec<Value>) -> Answer {
        let mut settings = lock(&self.settings);
        let size = settings.page_size.unwrap_or(usize::MAX);
        let mut body = json!({ "totalSize": total, "done": true });
        if rows.len() > size {
            let rest = rows.split_off(size);
            settings.next_cursor += 1;
            let cursor = format!("01gFAKE{:011}", settings.next_cursor);
            body["done"] = json!(false);
            body["nextRecordsUrl"] = json!(format!("/services/data/{VERSION}/query/{cursor}-{size}"));
            settings.cursors.insert(cursor, (total, rest));
        }
        body["records"] = Value::Array(rows);
        (200, JSON, body.to_string())
    }

    fn next_page(&self, locator: &str) -> Answer {
        let cursor = locator.split('-').next().unwrap_or_default();
        let Some((total, rows)) = lock(&self.settings).cursors.remove(cursor) else {
            return error(400, "INVALID_QUERY_LOCATOR", "invalid query locator");
        };
        self.page(total, rows)
    }
}

fn refused(refusal: Refusal, soql: &str, object: &str) -> Answer {
    match refusal {
        Refusal::InsufficientAccess => error(
            403,
            "INSUFFICIENT_ACCESS",
            "Insufficient Privileges: You do not have the level of access necessary to perform the operation you \
             requested. Please contact the owner of the record or your administrator if access is necessary.",
        ),
        Refusal::InvalidType => error(
            400,
            "INVALID_TYPE",
            &format!(
                "\n{soql}\n^\nERROR at Row:1:Column:1\nsObject type '{object}' is not supported. If you are attempting \
                 to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL \
                 or the describe call for the appropriate names."
            ),
        ),
        Refusal::ServerError => {
            (500, "text/html", "<html><body>An internal server error has occurred</body></html>".into())
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Records: paths and projection
// ---------------------------------------------------------------------------------------------

fn at<'a>(record: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(record, |value, key| value.get(key))
}

/// Whether the record has the field; a null relationship still has its fields.
fn has_path(record: &Value, path: &str) -> bool {
    let mut value = record;
    for key in path.split('.') {
        if value.is_null() {
            return true;
        }
        match value.get(key) {
            Some(next) => value = next,
            None => return false,
        }
    }
    true
}

/// The selected fields only, with `attributes` on the record and on every relationship.
fn project(record: &Value, fields: &[String]) -> Value {
    let mut out = Map::new();
    out.insert("attributes".into(), record["attributes"].clone());
    for field in fields {
        copy_path(record, &mut out, &field.split('.').collect::<Vec<_>>());
    }
    Value::Object(out)
}

fn copy_path(source: &Value, target: &mut Map<String, Value>, path: &[&str]) {
    let [head, rest @ ..] = path else { return };
    let value = source.get(*head).cloned().unwrap_or(Value::Null);
    if rest.is_empty() || value.is_null() {
        target.insert((*head).into(), value);
        return;
    }
    let nested = target.entry(*head).or_insert_with(|| json!({ "attributes": value["attributes"].clone() }));
    if let Value::Object(nested) = nested {
        copy_path(&value, nested, rest);
    }
}

// ---------------------------------------------------------------------------------------------
// SOQL: the small grammar in the module documentation
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Word(String),
    Text(String),
    Symbol(char),
}

#[derive(Debug, Clone, PartialEq)]
enum Literal {
    Text(String),
    Bool(bool),
    Null,
}

#[derive(Debug, Clone)]
struct Condition {
    path: String,
    /// `=` is an IN with one value.
    values: Vec<Literal>,
}

impl Condition {
    fn holds(&self, record: &Value) -> bool {
        let value = at(record, &self.path).unwrap_or(&Value::Null);
        self.values.iter().any(|literal| match (value, literal) {
            (Value::Null, Literal::Null) => true,
            (Value::String(s), Literal::Text(t)) => s.eq_ignore_ascii_case(t),
            (Value::Bool(b), Literal::Bool(l)) => b == l,
            _ => false,
        })
    }
}

#[derive(Debug, Clone)]
struct Select {
    text: String,
    fields: Vec<String>,
    object: String,
    conditions: Vec<Condition>,
    /// (path, descending)
    order: Option<(String, bool)>,
    limit: Option<usize>,
}

fn parse_select(soql: &str) -> Result<Select, String> {
    let mut parser = Parser { tokens: tokenize(soql)?, at: 0 };
    parser.expect_keyword("SELECT")?;
    let mut fields = vec![parser.word()?];
    while parser.symbol(',') {
        fields.push(parser.word()?);
    }
    parser.expect_keyword("FROM")?;
    let object = parser.word()?;
    let mut conditions = Vec::new();
    if parser.keyword("WHERE") {
        conditions.push(parser.condition()?);
        while parser.keyword("AND") {
            conditions.push(parser.condition()?);
        }
    }
    let mut order = None;
    if parser.keyword("ORDER") {
        parser.expect_keyword("BY")?;
        let path = parser.word()?;
        let descending = parser.keyword("DESC");
        if !descending {
            parser.keyword("ASC");
        }
        order = Some((path, descending));
    }
    let mut limit = None;
    if parser.keyword("LIMIT") {
        limit = Some(parser.word()?.parse().map_err(|_| "LIMIT needs a number".to_string())?);
    }
    match parser.tokens.get(parser.at) {
        None => Ok(Select { text: soql.to_string(), fields, object, conditions, order, limit }),
        Some(token) => Err(format!("unexpected token: {token:?}")),
    }
}

fn tokenize(soql: &str) -> Result<Vec<Token>, String> {
    let mut tokens = Vec::new();
    let mut chars = soql.chars().peekable();
    let is_word = |c: char| c.is_alphanumeric() || c == '.' || c == '_';
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
        } else if c == '\'' {
            chars.next();
            tokens.push(Token::Text(read_literal(&mut chars)?));
        } else if ",()=".contains(c) {
            chars.next();
            tokens.push(Token::Symbol(c));
        } else if is_word(c) {
            let mut word = String::new();
            while let Some(&c) = chars.peek().filter(|c| is_word(**c)) {
                word.push(c);
                chars.next();
            }
            tokens.push(Token::Word(word));
        } else {
            return Err(format!("unexpected character '{c}'"));
        }
    }
    Ok(tokens)
}

/// The rest of a string literal after its opening quote.
fn read_literal(chars: &mut impl Iterator<Item = char>) -> Result<String, String> {
    let mut text = String::new();
    loop {
        match chars.next() {
            None => return Err("unterminated string literal".into()),
            Some('\'') => return Ok(text),
            Some('\\') => text.push(match chars.next() {
                Some('n') => '\n',
                Some('r') => '\r',
                Some('t') => '\t',
                Some(c) => c,
                None => return Err("unterminated escape".into()),
            }),
            Some(c) => text.push(c),
        }
    }
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
}

impl Parser {
    fn next(&mut self) -> Option<Token> {
        let token = self.tokens.get(self.at).cloned();
        self.at += usize::from(token.is_some());
        token
    }

    fn keyword(&mut self, keyword: &str) -> bool {
        let found = matches!(self.tokens.get(self.at), Some(Token::Word(w)) if w.eq_ignore_ascii_case(keyword));
        self.at += usize::from(found);
        found
    }

    fn expect_keyword(&mut self, keyword: &str) -> Result<(), String> {
        if self.keyword(keyword) { Ok(()) } else { Err(format!("expected {keyword}")) }
    }

    fn symbol(&mut self, symbol: char) -> bool {
        let found = self.tokens.get(self.at) == Some(&Token::Symbol(symbol));
        self.at += usize::from(found);
        found
    }

    fn word(&mut self) -> Result<String, String> {
        match self.next() {
            Some(Token::Word(word)) => Ok(word),
            other => Err(format!("expected a name, found {other:?}")),
        }
    }

    fn literal(&mut self) -> Result<Literal, String> {
        match self.next() {
            Some(Token::Text(text)) => Ok(Literal::Text(text)),
            Some(Token::Word(w)) if w.eq_ignore_ascii_case("true") => Ok(Literal::Bool(true)),
            Some(Token::Word(w)) if w.eq_ignore_ascii_case("false") => Ok(Literal::Bool(false)),
            Some(Token::Word(w)) if w.eq_ignore_ascii_case("null") => Ok(Literal::Null),
            other => Err(format!("expected a value, found {other:?}")),
        }
    }

    fn condition(&mut self) -> Result<Condition, String> {
        let path = self.word()?;
        if self.symbol('=') {
            return Ok(Condition { path, values: vec![self.literal()?] });
        }
        if !(self.keyword("IN") && self.symbol('(')) {
            return Err(format!("expected = or IN after {path}"));
        }
        let mut values = vec![self.literal()?];
        while self.symbol(',') {
            values.push(self.literal()?);
        }
        if self.symbol(')') { Ok(Condition { path, values }) } else { Err("expected )".into()) }
    }
}
