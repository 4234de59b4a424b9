//! Symptoms: what was observed when a login failed, as opposed to what sfjwt infers. Salesforce's
//! answer (`user hasn't approved this consumer`), a network failure in front of it, or the
//! client's own error before any request. Catalog entries name the symptoms they can explain
//! (`explains:` in `checks/<id>.md`), and diagnosis ranks the findings by them.

use serde::Serialize;

/// One kind of failure, named as the catalog's `explains:` lists name it (`not-approved`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Symptom {
    // What the token endpoint answered (sf_facts.md §2.4).
    NotApproved,
    AudienceInvalid,
    ClientIdInvalid,
    InvalidAssertion,
    InvalidClientCredentials,
    ExpiredAuthorizationCode,
    NotAdminApproved,
    EcaNotInstalled,
    AppMustBeInstalled,
    IpRestricted,
    InactiveUser,
    InactiveOrg,
    RateLimited,
    UnsupportedGrantType,
    /// `HTTPS required`: the assertion was posted over plain HTTP.
    HttpsRequired,
    InvalidRequest,
    AuthenticationFailure,
    ExpiredRefreshToken,
    NoValidScopes,
    /// An HTML page instead of an OAuth answer (maintenance, proxy, 5xx).
    Html,
    /// The request never got an answer (DNS, refused, TLS; the sf CLI prints `fetch failed`).
    FetchFailed,
    /// An answer with no description at all.
    Empty,
    /// An answer sfjwt does not know.
    Unknown,

    // What the client reported before (or instead of) a request (sf_facts.md §6.6).
    /// `ENOENT: no such file or directory`.
    KeyFileMissing,
    /// `EISDIR: illegal operation on a directory`.
    KeyFileIsDirectory,
    /// `secretOrPrivateKey must have a value`.
    KeyEmpty,
    /// `secretOrPrivateKey must be an asymmetric key when using RS256`.
    KeyNotAsymmetric,
    /// `secretOrPrivateKey has a minimum key size of 2048 bits for RS256`.
    KeyTooSmall,
    /// `"alg" parameter for "ec" key type must be one of: …`.
    KeyNotRsa,
    /// OpenSSL `PEM_read_bio:no start line` / `get_name:no start line`.
    PemNoStartLine,
    /// An unparseable `--instance-url`.
    InvalidInstanceUrl,
    /// `Invalid instance URL. It should NOT be a lightning domain.`
    LightningInstanceUrl,
    /// `Unexpected end of JSON input` (a corrupt sf auth file).
    CorruptAuthFile,
    /// `Client ID is required for JWT authentication.` / a missing `--client-id`.
    MissingClientId,
}

/// Who produced the symptom: it decides whether the report may say "Salesforce answered".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Origin {
    Salesforce,
    Network,
    Client,
}

impl Symptom {
    pub fn origin(self) -> Origin {
        use Symptom::*;
        match self {
            FetchFailed => Origin::Network,
            KeyFileMissing | KeyFileIsDirectory | KeyEmpty | KeyNotAsymmetric | KeyTooSmall | KeyNotRsa
            | PemNoStartLine | InvalidInstanceUrl | LightningInstanceUrl | CorruptAuthFile | MissingClientId => {
                Origin::Client
            }
            _ => Origin::Salesforce,
        }
    }

    /// The symptom in the words Salesforce or the client uses, for evidence lines.
    pub fn phrase(self) -> &'static str {
        use Symptom::*;
        match self {
            NotApproved => "user hasn't approved this consumer",
            AudienceInvalid => "audience is invalid",
            ClientIdInvalid => "client identifier invalid",
            InvalidAssertion => "invalid assertion",
            InvalidClientCredentials => "invalid client credentials",
            ExpiredAuthorizationCode => "expired authorization code",
            NotAdminApproved => "user is not admin approved to access this app",
            EcaNotInstalled => "External client app is not installed in this org",
            AppMustBeInstalled => "app must be installed into org",
            IpRestricted => "ip restricted",
            InactiveUser => "user is inactive",
            InactiveOrg => "organization is locked, closed, or suspended",
            RateLimited => "number of logins exceeded",
            UnsupportedGrantType => "grant type not supported",
            HttpsRequired => "HTTPS required",
            InvalidRequest => "invalid_request",
            AuthenticationFailure => "authentication failure",
            ExpiredRefreshToken => "expired access/refresh token",
            NoValidScopes => "no valid scopes defined",
            Html => "an HTML page instead of an OAuth answer",
            FetchFailed => "a network failure before any answer",
            Empty => "an answer without a description",
            Unknown => "an answer sfjwt does not know",
            KeyFileMissing => "ENOENT: no such file or directory",
            KeyFileIsDirectory => "EISDIR: illegal operation on a directory",
            KeyEmpty => "secretOrPrivateKey must have a value",
            KeyNotAsymmetric => "secretOrPrivateKey must be an asymmetric key",
            KeyTooSmall => "secretOrPrivateKey has a minimum key size of 2048 bits",
            KeyNotRsa => "the key type is not RSA",
            PemNoStartLine => "no start line",
            InvalidInstanceUrl => "invalid instance URL",
            LightningInstanceUrl => "It should NOT be a lightning domain",
            CorruptAuthFile => "Unexpected end of JSON input",
            MissingClientId => "Client ID is required",
        }
    }

    /// `Salesforce's answer `…``, `the client's error `…``, or the network failure.
    pub fn quoted(self) -> String {
        match self.origin() {
            Origin::Salesforce if matches!(self, Symptom::Html | Symptom::Empty | Symptom::Unknown) => {
                format!("Salesforce's answer ({})", self.phrase())
            }
            Origin::Salesforce => format!("Salesforce's answer `{}`", self.phrase()),
            Origin::Network => self.phrase().to_string(),
            Origin::Client => format!("the client's error `{}`", self.phrase()),
        }
    }

    /// Classifies an answer by its description, falling back to the OAuth error code.
    /// Case-insensitive; tolerant of the capitalised newer wordings and curly apostrophes.
    pub fn classify(error: Option<&str>, description: &str) -> Symptom {
        crate::captured::classify_answer(error, description)
    }
}

/// One symptom as a login check saw it: every distinct answer of a capture or a probe is one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Observation {
    pub symptom: Symptom,
    /// The answer as shown to the user, one line per distinct answer and where it came from.
    pub lines: Vec<String>,
    /// The login hosts that gave it, when known.
    pub logins: Vec<String>,
    /// The `aud` of the attempts that gave it, when known.
    pub audiences: Vec<String>,
    /// Why this observation does not decide the login, when it does not: a later attempt
    /// succeeded, or the line is a side effect of the sf CLI trying other hosts and audiences.
    pub incidental: Option<String>,
}

impl Observation {
    pub fn decisive(&self) -> bool {
        self.incidental.is_none()
    }
}
