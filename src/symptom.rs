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
    /// `expired access/refresh token`: the refresh-token flow's answer.
    ExpiredRefreshToken,
    /// `no valid scopes defined`: the client-credentials flow's answer.
    NoValidScopes,
    /// SOAP `INVALID_LOGIN`: the username-password login's answer.
    PasswordLoginFailed,
    /// `jti already in use`: the assertion's `jti` was seen before.
    JtiReused,
    /// REST/SOAP `INVALID_SESSION_ID` (`Session expired or invalid`): an issued token refused later.
    SessionInvalid,
    /// `This session is not valid for use with the REST API`: a token without the `api` scope.
    SessionNotForApi,
    /// `API_DISABLED_FOR_ORG`: the org or the user has no API access.
    ApiDisabled,
    /// An HTTP 5xx without an OAuth answer (restforce's `ServerError`, an empty 503).
    ServerError,
    /// An HTML page instead of an OAuth answer (maintenance, proxy, 5xx).
    Html,
    /// The request never got an answer and the text does not say why (the sf CLI prints `fetch
    /// failed` for DNS, refused and TLS failures alike).
    FetchFailed,
    /// An answer with no description at all.
    Empty,
    /// An answer sfjwt does not know.
    Unknown,

    // What the network did instead of answering, in any runtime's words.
    /// The login host's name did not resolve (`ENOTFOUND`, `UnknownHostException`, `no such host`).
    DnsFailure,
    /// The connection was refused (`ECONNREFUSED`, `Connection refused`, `actively refused`).
    ConnectionRefused,
    /// The connection or the answer timed out.
    TimedOut,
    /// The connection was reset or closed mid-request (`ECONNRESET`, `socket hang up`).
    ConnectionReset,
    /// The proxy refused or failed the tunnel (`407 Proxy Authentication Required`, `proxyconnect`).
    ProxyFailed,
    /// The server's certificate chain is not trusted (`self-signed certificate in certificate
    /// chain`, `PKIX path building failed`, `CERTIFICATE_VERIFY_FAILED`).
    TlsUntrusted,
    /// The server's certificate is for other names (`x509: certificate is valid for …, not …`).
    TlsHostnameMismatch,

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
    /// A runtime could not parse the private key (Node `DECODER routines::unsupported`, PyJWT
    /// `Could not parse the provided public key`, .NET `No supported key formats were found`).
    KeyUnparsed,
    /// The key is encrypted and no passphrase was given (`bad password read`, `Password was not
    /// given but private key is encrypted`).
    KeyNeedsPassphrase,
    /// A certificate or public key where the private key belongs (`no BEGIN/END delimiters for a
    /// private key`).
    KeyIsNotPrivate,
    /// A PKCS#1 key given to a reader of PKCS#8 only (Java `algid parse error, not a sequence`).
    KeyNotPkcs8,
    /// `ENOENT` from an sf command other than the login: the stored login's key path is gone.
    StoredKeyMissing,
    /// The sf CLI cannot read or decrypt its stored logins (`AuthDecryptError`, the keychain,
    /// `key.json` permissions, a v1/v2 crypto key mix-up).
    AuthStoreUnreadable,
    /// `NamedOrgNotFoundError: No authorization information found for …`.
    LoginNotFound,
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
            FetchFailed | DnsFailure | ConnectionRefused | TimedOut | ConnectionReset | ProxyFailed | TlsUntrusted
            | TlsHostnameMismatch => Origin::Network,
            KeyFileMissing | KeyFileIsDirectory | KeyEmpty | KeyNotAsymmetric | KeyTooSmall | KeyNotRsa
            | PemNoStartLine | InvalidInstanceUrl | LightningInstanceUrl | KeyUnparsed | KeyNeedsPassphrase
            | KeyIsNotPrivate | KeyNotPkcs8 | StoredKeyMissing | AuthStoreUnreadable | LoginNotFound
            | CorruptAuthFile | MissingClientId => Origin::Client,
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
            PasswordLoginFailed => "INVALID_LOGIN: Invalid username, password, security token; or user locked out",
            JtiReused => "jti already in use",
            SessionInvalid => "INVALID_SESSION_ID: Session expired or invalid",
            SessionNotForApi => "This session is not valid for use with the REST API",
            ApiDisabled => "API_DISABLED_FOR_ORG: API is not enabled for this Organization or Partner",
            ServerError => "a server error without an OAuth answer",
            Html => "an HTML page instead of an OAuth answer",
            FetchFailed => "a network failure before any answer",
            DnsFailure => "the host name did not resolve",
            ConnectionRefused => "the connection was refused",
            TimedOut => "the connection timed out",
            ConnectionReset => "the connection was reset",
            ProxyFailed => "the proxy failed the connection",
            TlsUntrusted => "the server's TLS certificate is not trusted",
            TlsHostnameMismatch => "the server's TLS certificate is for another host",
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
            KeyUnparsed => "the private key could not be parsed",
            KeyNeedsPassphrase => "the private key is encrypted and no passphrase was given",
            KeyIsNotPrivate => "no private key in the PEM",
            KeyNotPkcs8 => "algid parse error, not a sequence",
            StoredKeyMissing => "ENOENT: no such file or directory (the stored login's key path)",
            AuthStoreUnreadable => "the sf CLI cannot read or decrypt its stored logins",
            LoginNotFound => "No authorization information found",
            CorruptAuthFile => "Unexpected end of JSON input",
            MissingClientId => "Client ID is required",
        }
    }

    /// `Salesforce's answer `…``, `the client's error `…``, or the network failure.
    pub fn quoted(self) -> String {
        match self.origin() {
            Origin::Salesforce
                if matches!(self, Symptom::Html | Symptom::Empty | Symptom::Unknown | Symptom::ServerError) =>
            {
                format!("Salesforce's answer ({})", self.phrase())
            }
            Origin::Salesforce => format!("Salesforce's answer `{}`", self.phrase()),
            Origin::Network if self == Symptom::FetchFailed => self.phrase().to_string(),
            Origin::Network => format!("a network failure: {}", self.phrase()),
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
