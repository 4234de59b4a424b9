//! A small model of one org's login configuration: users, apps, approvals, and
//! the timing quirks (replication, propagation, clock skew, rate limits) that
//! make real logins fail.
//!
//! Fields are public so a test can set anything; the builder methods cover the
//! common cases.

use std::time::Duration;

/// The production login host, the default `aud` a production org accepts.
pub const LOGIN_URL: &str = "https://login.salesforce.com";
/// The sandbox login host, the default `aud` a sandbox accepts.
pub const TEST_URL: &str = "https://test.salesforce.com";

/// A consumer key shaped like a real one (`3MVG…`, 85 characters).
pub const CONSUMER_KEY: &str = "3MVG9SfjwtFakeSalesforce.ConsumerKeyForLocalTestsOnly_0123456789abcdefABCDEF012345678";
/// The user of [`Org::standard`].
pub const USERNAME: &str = "ci@example.com";
/// The profile of [`User::new`]; [`App::new`] pre-authorizes it.
pub const ADMIN_PROFILE: &str = "System Administrator";

#[derive(Clone, Debug)]
pub struct Org {
    pub sandbox: bool,
    /// `acme` gives `https://acme.my.salesforce.com` as the success `instance_url`
    /// (`acme--uat` in a sandbox gives `https://acme--uat.sandbox.my.salesforce.com`).
    pub my_domain: Option<String>,
    pub users: Vec<User>,
    pub apps: Vec<App>,
    /// Prior approvals, consulted only for self-authorize apps.
    pub approvals: Vec<Approval>,
    /// Scratch-org replication: until this long after start, no user is approved.
    pub replicated_after: Duration,
    /// `aud` values the token endpoint takes (a trailing `/` is ignored).
    pub accepted_audiences: Vec<String>,
    /// Seconds added to the server clock, for the `Date` header and `exp` checks.
    pub clock_offset: i64,
    /// Successful logins allowed per user in any sliding hour; `None` is unlimited.
    pub logins_per_hour: Option<u32>,
    /// 18-character org id, e.g. `00D000000000001EAA`.
    pub org_id: String,
    /// Overrides the success `instance_url` (default: from `my_domain`, else the fake's own URL).
    pub instance_url: Option<String>,
    /// How long the token endpoint thinks before it answers (real ones take a TLS handshake and
    /// a round trip: hundreds of milliseconds), for timing concurrent requests.
    pub latency: Duration,
}

#[derive(Clone, Debug)]
pub struct User {
    /// Matched case-insensitively, as Salesforce usernames are.
    pub username: String,
    /// 18-character user id (`005…`); [`Org::with_user`] fills it in when empty.
    pub id: String,
    pub profile: String,
    pub permission_sets: Vec<String>,
    pub active: bool,
    pub frozen: bool,
}

#[derive(Clone, Debug)]
pub struct App {
    pub consumer_key: String,
    /// PEM certificate uploaded to the app; `None` means "Use digital signatures" is off.
    pub certificate_pem: Option<String>,
    pub policy: Policy,
    /// OAuth scopes by API name: `api`, `refresh_token`, `web`, …
    pub scopes: Vec<String>,
    /// External Client App rather than connected app. Informative only: no
    /// token-endpoint difference is known.
    pub eca: bool,
    /// Propagation of a new or edited app: until this long after start, every
    /// login through it is "user hasn't approved this consumer".
    pub ready_after: Duration,
    /// Answer admin-approval misses with `invalid_app_access` instead of
    /// "user hasn't approved this consumer" (both are reported in the wild).
    pub invalid_app_access: bool,
}

/// The app's "Permitted Users" setting.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Policy {
    /// "Admin approved users are pre-authorized": users with one of these
    /// profiles or permission sets may log in.
    AdminApproved { profiles: Vec<String>, permission_sets: Vec<String> },
    /// "All users may self-authorize": a user needs a prior approval that issued a
    /// refresh token.
    SelfAuthorize,
}

/// A user's earlier interactive approval of a self-authorize app.
#[derive(Clone, Debug)]
pub struct Approval {
    pub username: String,
    pub consumer_key: String,
    /// Whether that approval issued a refresh token (only those count).
    pub refresh_token: bool,
}

impl Org {
    /// An empty production org: accepts `aud` = `https://login.salesforce.com`.
    pub fn production() -> Org {
        Org {
            sandbox: false,
            my_domain: None,
            users: Vec::new(),
            apps: Vec::new(),
            approvals: Vec::new(),
            replicated_after: Duration::ZERO,
            accepted_audiences: vec![LOGIN_URL.to_string()],
            clock_offset: 0,
            logins_per_hour: None,
            org_id: "00D000000000001EAA".to_string(),
            instance_url: None,
            latency: Duration::ZERO,
        }
    }

    /// An empty sandbox: accepts `aud` = `https://test.salesforce.com`.
    pub fn sandbox() -> Org {
        Org { sandbox: true, accepted_audiences: vec![TEST_URL.to_string()], ..Org::production() }
    }

    /// A production org where [`USERNAME`] logs in through [`CONSUMER_KEY`], an
    /// admin-approved app holding `certificate_pem`: the happy path.
    pub fn standard(certificate_pem: &str) -> Org {
        Org::production().with_user(User::new(USERNAME)).with_app(App::new(CONSUMER_KEY, certificate_pem))
    }

    pub fn with_user(mut self, mut user: User) -> Org {
        if user.id.is_empty() {
            user.id = format!("005{:012}AAA", self.users.len() + 1);
        }
        self.users.push(user);
        self
    }

    pub fn with_app(mut self, app: App) -> Org {
        self.apps.push(app);
        self
    }

    /// Records that `username` approved the app interactively and got a refresh token.
    pub fn with_approval(mut self, username: &str, consumer_key: &str) -> Org {
        self.approvals.push(Approval {
            username: username.to_string(),
            consumer_key: consumer_key.to_string(),
            refresh_token: true,
        });
        self
    }

    pub fn with_my_domain(mut self, my_domain: &str) -> Org {
        self.my_domain = Some(my_domain.to_string());
        self
    }

    pub fn with_clock_offset(mut self, seconds: i64) -> Org {
        self.clock_offset = seconds;
        self
    }

    pub fn with_replication_delay(mut self, delay: Duration) -> Org {
        self.replicated_after = delay;
        self
    }

    pub fn with_logins_per_hour(mut self, limit: u32) -> Org {
        self.logins_per_hour = Some(limit);
        self
    }

    pub fn accepting_audience(mut self, audience: &str) -> Org {
        self.accepted_audiences.push(audience.to_string());
        self
    }

    pub fn user(&self, username: &str) -> Option<&User> {
        self.users.iter().find(|user| user.username.eq_ignore_ascii_case(username))
    }

    pub fn app(&self, consumer_key: &str) -> Option<&App> {
        self.apps.iter().find(|app| app.consumer_key == consumer_key)
    }

    /// Whether `username` holds a refresh-token approval for the app.
    pub fn has_approval(&self, username: &str, consumer_key: &str) -> bool {
        self.approvals.iter().any(|approval| {
            approval.refresh_token
                && approval.consumer_key == consumer_key
                && approval.username.eq_ignore_ascii_case(username)
        })
    }
}

impl Default for Org {
    fn default() -> Org {
        Org::production()
    }
}

impl User {
    /// An active, unfrozen System Administrator without permission sets.
    pub fn new(username: &str) -> User {
        User {
            username: username.to_string(),
            id: String::new(),
            profile: ADMIN_PROFILE.to_string(),
            permission_sets: Vec::new(),
            active: true,
            frozen: false,
        }
    }

    pub fn with_profile(mut self, profile: &str) -> User {
        self.profile = profile.to_string();
        self
    }

    pub fn with_permission_set(mut self, permission_set: &str) -> User {
        self.permission_sets.push(permission_set.to_string());
        self
    }

    pub fn inactive(mut self) -> User {
        self.active = false;
        self
    }

    pub fn frozen(mut self) -> User {
        self.frozen = true;
        self
    }
}

impl App {
    /// A connected app set up as the Salesforce DX guide says: digital signature
    /// with `certificate_pem`, scopes `api refresh_token web`, admin approved for
    /// the System Administrator profile, ready at once.
    pub fn new(consumer_key: &str, certificate_pem: &str) -> App {
        App {
            consumer_key: consumer_key.to_string(),
            certificate_pem: Some(certificate_pem.to_string()),
            policy: Policy::AdminApproved { profiles: vec![ADMIN_PROFILE.to_string()], permission_sets: Vec::new() },
            scopes: ["api", "refresh_token", "web"].map(String::from).to_vec(),
            eca: false,
            ready_after: Duration::ZERO,
            invalid_app_access: false,
        }
    }

    pub fn without_certificate(mut self) -> App {
        self.certificate_pem = None;
        self
    }

    /// Admin approved for exactly these profiles and permission sets.
    pub fn admin_approved(mut self, profiles: &[&str], permission_sets: &[&str]) -> App {
        self.policy = Policy::AdminApproved {
            profiles: profiles.iter().map(|name| name.to_string()).collect(),
            permission_sets: permission_sets.iter().map(|name| name.to_string()).collect(),
        };
        self
    }

    pub fn self_authorize(mut self) -> App {
        self.policy = Policy::SelfAuthorize;
        self
    }

    pub fn with_scopes(mut self, scopes: &[&str]) -> App {
        self.scopes = scopes.iter().map(|scope| scope.to_string()).collect();
        self
    }

    pub fn eca(mut self) -> App {
        self.eca = true;
        self
    }

    pub fn ready_after(mut self, delay: Duration) -> App {
        self.ready_after = delay;
        self
    }

    pub fn reporting_invalid_app_access(mut self) -> App {
        self.invalid_app_access = true;
        self
    }

    /// `refresh_token` and `offline_access` name the same scope.
    pub fn has_refresh_token_scope(&self) -> bool {
        self.scopes.iter().any(|scope| scope == "refresh_token" || scope == "offline_access")
    }
}
