//! The sf CLI's own state: the stored login the inputs came from, whether the CLI can still read
//! and decrypt it, whether its key path still holds the key, and the admin session it provides.

use crate::{
    cause_id::CauseId,
    evidence::Evidence,
    finding::{Cause, Outcome},
    org::SfFailure,
    sf_inputs::{SfCli, Used},
    sf_state::{KeyFile, LoginKind, Missing, ProblemKind, StoredLogin, UrlMismatch},
};

/// Why the sf CLI checks have nothing to look at.
fn nothing(sf: &SfCli) -> Outcome {
    let ignored = sf.notes.iter().find(|n| n.starts_with("the sf CLI's default org"));
    Outcome::skip(match ignored {
        Some(note) => note.clone(),
        None => {
            "no sf CLI org: pass --target-org <alias> (or set SF_TARGET_ORG) to use and check its stored login".into()
        }
    })
}

/// `ci-hub (~/.sfdx/ci@acme.com.json)`.
fn named(used: &Used) -> String {
    let label = used.role.label(&used.target);
    match used.target.stored() {
        Some(stored) => format!("{label} ({})", stored.path.display()),
        None => label,
    }
}

fn stored_logins(sf: &SfCli) -> impl Iterator<Item = (&Used, &StoredLogin)> {
    sf.used.iter().filter_map(|used| Some((used, used.target.stored()?)))
}

pub fn login(ev: &Evidence) -> Outcome {
    let sf = &ev.inputs.sf;
    if sf.used.is_empty() {
        return nothing(sf);
    }
    let mut causes = Vec::new();
    let mut seen = Vec::new();
    for (used, stored) in stored_logins(sf) {
        let kind = stored.kind();
        seen.push(format!("{} is {}, {}", named(used), stored.username, kind.describe()));
        if kind == LoginKind::Jwt {
            continue;
        }
        causes.push(
            Cause::new(CauseId::SfcliNotJwtLogin)
                .var("username", stored.username.clone())
                .evidence(format!("the sf CLI's stored login for {} is {}", named(used), kind.describe()))
                .evidence(match kind {
                    LoginKind::RefreshToken => {
                        "the sf CLI renews its access token with the refresh token, never with a JWT"
                    }
                    _ => "the sf CLI cannot renew it at all: it fails once the access token expires",
                })
                .evidence("sfjwt took only the username and login URL from it, not a client id or key"),
        );
    }
    if seen.is_empty() {
        return Outcome::skip("the stored login could not be read: see the check sfcli.store");
    }
    let mut outcome = Outcome::found(seen.join("; "), causes);
    for used in &sf.used {
        outcome = outcome.detail(format!("{} from {}", used.target.requested.value, used.target.requested.origin));
    }
    outcome
}

pub fn store(ev: &Evidence) -> Outcome {
    let sf = &ev.inputs.sf;
    if sf.used.is_empty() {
        return nothing(sf);
    }
    let mut problems = Vec::new();
    for used in &sf.used {
        match &used.target.login {
            Ok(stored) => problems.extend(sf.state.store_problems(Some(stored)).into_iter().map(|p| (used, p))),
            Err(Missing::Unusable(problem)) => {
                problems.extend(sf.state.store_problems(None).into_iter().map(|p| (used, p)));
                problems.push((used, problem.clone()));
            }
            Err(_) => {}
        }
    }
    let mut unique: Vec<(&Used, crate::sf_state::Problem)> = Vec::new();
    for (used, problem) in problems {
        if !unique.iter().any(|(_, p)| *p == problem) {
            unique.push((used, problem));
        }
    }
    let problems = unique;
    if problems.is_empty() {
        return Outcome::pass(format!("{}; keychain: {}", readable(sf), keychain(sf)));
    }
    let mut cause = Cause::new(CauseId::SfcliAuthStoreUnreadable);
    for (used, problem) in &problems {
        cause = cause.evidence(format!("{}: {problem}", used.role.label(&used.target)));
        if let Some(says) = problem.cli_says() {
            cause = cause.evidence(format!("the sf CLI says: {says}"));
        }
    }
    let mut steps: Vec<String> = Vec::new();
    for (_, problem) in &problems {
        let path = problem.path.display();
        let step = match &problem.kind {
            ProblemKind::WrongMode { .. } => format!("`chmod 600 {path}`"),
            ProblemKind::FolderNotUsable { .. } => format!("`chmod 700 {path}`"),
            ProblemKind::WrongOwner { .. } => format!("give it back to yourself: `sudo chown -R \"$(id -un)\" {path}`"),
            ProblemKind::Unreadable(_) => format!("make it readable by you: `ls -l {path}`, then `chmod`/`chown` it"),
            ProblemKind::Corrupt(_) if path.to_string().ends_with("alias.json") => format!(
                "repair the JSON of {path}, or move it aside (`mv {path} {path}.bak`) and set the aliases again with `sf alias set`"
            ),
            ProblemKind::WrongService | ProblemKind::NoKey | ProblemKind::Corrupt(_)
                if path.to_string().ends_with("key.json") =>
            {
                format!(
                    "the key in {path} is unusable: move it aside (`mv {path} {path}.bak`) and log in again to each org"
                )
            }
            ProblemKind::Corrupt(_) => format!(
                "move the damaged login aside (`mv {path} {path}.bak`) and log in again with `sf org login jwt`"
            ),
            // Tokens the CLI cannot decrypt: the catalog's steps (log in again here) apply.
            _ => continue,
        };
        if !steps.contains(&step) {
            steps.push(step);
        }
    }
    for step in steps {
        cause = cause.fix(step);
    }
    Outcome::found(format!("the sf CLI cannot use its stored login: {}", problems[0].1), vec![cause])
}

fn readable(sf: &SfCli) -> String {
    let names: Vec<String> = stored_logins(sf).map(|(used, _)| named(used)).collect();
    format!("read {}", names.join(", "))
}

fn keychain(sf: &SfCli) -> String {
    match &sf.state.keychain {
        crate::sf_state::Keychain::Os { name } => format!("{name} (not inspected)"),
        crate::sf_state::Keychain::Generic(generic) if generic.present => {
            format!("{} ({})", generic.path.display(), generic.why)
        }
        crate::sf_state::Keychain::Generic(generic) => {
            format!("{} not created yet ({})", generic.path.display(), generic.why)
        }
        crate::sf_state::Keychain::Unknown => "unknown".into(),
    }
}

pub fn key_path(ev: &Evidence) -> Outcome {
    let sf = &ev.inputs.sf;
    let jwt: Vec<_> = stored_logins(sf).filter(|(_, stored)| stored.kind() == LoginKind::Jwt).collect();
    if jwt.is_empty() {
        return match sf.used.is_empty() {
            true => nothing(sf),
            false => Outcome::skip("no stored JWT login, so no stored key path"),
        };
    }
    let mut causes = Vec::new();
    let mut seen = Vec::new();
    for (used, stored) in jwt {
        let Some((path, state)) = used.key_file.clone() else { continue };
        seen.push(format!("{} signs with {} ({})", used.role.label(&used.target), path.display(), state.describe()));
        if state.is_usable() {
            continue;
        }
        let mut cause = Cause::new(CauseId::SfcliKeyPathStale)
            .var("key_file", path.display().to_string())
            .evidence(format!(
                "the sf CLI's stored login for {} signs with {}, which {}",
                named(used),
                path.display(),
                state.describe()
            ))
            .evidence("the sf CLI reads this path again each time the access token expires, so every sf command for this org fails from then on");
        if let Some(given) = ev.inputs.key.as_ref().filter(|k| !matches!(k.source, crate::inputs::Source::SfLogin(_))) {
            cause = cause.evidence(format!("sfjwt checked the key from {} instead", given.source));
        }
        if state == KeyFile::Missing && ev.inputs.context.ci {
            cause = cause.evidence(
                "CI is set: a key written to the workspace by an earlier step or job is gone when a later one runs",
            );
        }
        if let Some(alias) = &used.target.alias {
            cause = cause.evidence(format!("logging in again as {} keeps the alias {alias}", stored.username));
        }
        causes.push(cause.var("username", stored.username.clone()));
    }
    if seen.is_empty() {
        return Outcome::skip("the stored JWT login names no key path");
    }
    Outcome::found(seen.join("; "), causes)
}

pub fn instance_url(ev: &Evidence) -> Outcome {
    let sf = &ev.inputs.sf;
    let stored: Vec<_> = stored_logins(sf).collect();
    if stored.is_empty() {
        return nothing(sf);
    }
    let mut causes = Vec::new();
    let mut seen = Vec::new();
    for (used, login) in stored {
        let (Some(login_url), Some(instance)) = (&login.login_url, &login.instance_url) else { continue };
        seen.push(format!("{}: login {login_url}, instance {instance}", used.role.label(&used.target)));
        let Some(mismatch) = login.url_mismatch() else { continue };
        let mut cause = Cause::new(CauseId::SfcliInstanceUrlMismatch).evidence(format!(
            "the sf CLI's stored login for {} logs in at {login_url} and calls {instance}",
            named(used)
        ));
        cause = match &mismatch {
            UrlMismatch::InstanceIsLoginHost { .. } => cause
                .evidence("the instance URL is a login host: at login the org's own host did not resolve yet, and the sf CLI stored the login URL instead")
                .evidence("API calls to a login host fail: sfdx-core's log says this \"may result in a 'Destination URL not reset' error\""),
            UrlMismatch::Environment { login_env, instance_env, .. } => cause.evidence(format!(
                "the login URL is a {} host, the instance a {} org: each token renewal first asks the wrong environment",
                login_env.label(),
                instance_env.label()
            )),
            UrlMismatch::OtherMyDomain { .. } => cause.evidence(
                "two different My Domains: the My Domain was renamed, or the login URL names another org",
            ),
        };
        causes.push(cause.var("username", login.username.clone()));
    }
    if seen.is_empty() {
        return Outcome::skip("the stored login has no login URL or instance URL");
    }
    Outcome::found(seen.join("; "), causes)
}

pub fn admin(ev: &Evidence) -> Outcome {
    let Some(run) = &ev.inputs.admin_sf else {
        return Outcome::skip(match &ev.inputs.admin {
            Some(_) => "the admin session came from a file or SFJWT_ADMIN_TOKEN, not from the sf CLI",
            None => "no admin org: pass --admin-org <admin's sf CLI alias> so sfjwt asks the sf CLI for a session",
        });
    };
    let mut outcome = match &run.outcome {
        Ok(session) => Outcome::pass(format!("admin session for {} from {}", run.target, session.source)),
        Err(SfFailure::Offline) => Outcome::skip(format!("--admin-org {}: {}", run.target, SfFailure::Offline)),
        Err(SfFailure::NotInstalled) => Outcome::found(
            "the sf CLI is not installed",
            vec![
                Cause::new(CauseId::SfcliNotInstalled)
                    .evidence(format!("--admin-org {} names an sf CLI org, but `sf` is not on PATH", run.target)),
            ],
        ),
        Err(failure) => Outcome::found(
            format!("the sf CLI gave no admin session for {}", run.target),
            vec![Cause::new(CauseId::SfcliCommandFailed).evidence(failure.to_string()).fix(format!(
                "run it yourself to see the whole answer: `{}`",
                run.commands.first().map_or("sf org list", String::as_str)
            ))],
        ),
    };
    for command in &run.commands {
        outcome = outcome.detail(format!("ran `{command}`"));
    }
    outcome
}
