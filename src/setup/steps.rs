//! The next steps after `sfjwt setup`, in the order they must run, with exact commands.

use serde::Serialize;

use super::{layout::Layout, templates::MetadataFile};
use crate::shell::{Word, line, lits};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Step {
    pub title: String,
    /// Shell-quoted command lines, run from the project root.
    pub commands: Vec<String>,
    pub notes: Vec<String>,
}

/// What the steps are about.
pub struct Context<'a> {
    pub layout: &'a Layout,
    pub files: &'a [(std::path::PathBuf, MetadataFile)],
    pub app_name: &'a str,
    pub permission_set: &'a str,
    pub connected_app: bool,
    pub username: &'a str,
    pub instance_url: &'a str,
    pub target_org: Option<&'a str>,
    pub key_file: &'a std::path::Path,
}

pub fn next_steps(context: &Context) -> Vec<Step> {
    let target = |mut words: Vec<Word>| {
        if let Some(org) = context.target_org {
            words.extend(lits(["--target-org", org]));
        }
        line(&words)
    };
    let key_file = context.layout.from_root(context.key_file);
    let mut steps = Vec::new();
    if context.layout.root != context.layout.cwd {
        steps.push(Step {
            title: "Go to the sfdx project the files belong to".into(),
            commands: vec![line(&lits(["cd", &context.layout.show(&context.layout.root)]))],
            notes: vec![],
        });
    }

    let (permission_sets, app_parts): (Vec<_>, Vec<_>) =
        context.files.iter().map(|(_, file)| file).partition(|file| file.metadata_type == "PermissionSet");
    let deploy = |files: &[&MetadataFile]| {
        let mut words = lits(["sf", "project", "deploy", "start"]);
        for file in files {
            words.push(Word::Lit("--metadata".into()));
            words.push(Word::Lit(format!("{}:{}", file.metadata_type, file.member)));
        }
        target(words)
    };
    let mut deploy_notes = vec![
        "The permission set goes first: the app names it, and a deploy of an app that names a missing permission set fails."
            .to_string(),
    ];
    if context.connected_app {
        deploy_notes.push(
            "Since Spring '26 Salesforce blocks creating connected apps, through Setup and the Metadata API alike, unless Salesforce Support enables it for the org (KB 005228017); existing connected apps keep working. If this deploy is refused, run sfjwt setup without --connected-app for an External Client App."
                .to_string(),
        );
    } else {
        deploy_notes.push(
            "External Client App metadata needs \"Opt in to External Client Apps\" in the org, and the global OAuth settings need \"Allow Access to OAuth Consumer Secrets via Metadata API\" (Setup → External Client App Settings)."
                .to_string(),
        );
    }
    steps.push(Step {
        title: "Deploy the permission set, then the app".into(),
        commands: vec![deploy(&permission_sets), deploy(&app_parts)],
        notes: deploy_notes,
    });

    steps.push(Step {
        title: format!("Pre-authorize the integration user: assign the permission set to {}", context.username),
        commands: vec![target(lits([
            "sf",
            "org",
            "assign",
            "permset",
            "--name",
            context.permission_set,
            "--on-behalf-of",
            context.username,
        ]))],
        notes: vec![],
    });

    steps.push(consumer_key_step(context, &target));

    steps.push(Step {
        title: "Store the key and the login details as CI secrets (GitHub Actions shown)".into(),
        commands: vec![
            line(&[
                Word::Lit("base64".into()),
                Word::Raw("<"),
                Word::Lit(key_file.clone()),
                Word::Raw("|"),
                Word::Lit("tr".into()),
                Word::Lit("-d".into()),
                Word::Lit("\\n".into()),
                Word::Raw("|"),
                Word::Lit("gh".into()),
                Word::Lit("secret".into()),
                Word::Lit("set".into()),
                Word::Lit("SFJWT_KEY".into()),
            ]),
            line(&lits(["gh", "secret", "set", "SFJWT_CLIENT_ID"])),
            line(&lits(["gh", "secret", "set", "SFJWT_USERNAME", "--body", context.username])),
            line(&lits(["gh", "secret", "set", "SFJWT_INSTANCE_URL", "--body", context.instance_url])),
        ],
        notes: vec![
            "`gh secret set SFJWT_CLIENT_ID` asks for the value: paste the consumer key.".into(),
            "sfjwt reads SFJWT_KEY as it is (base64 of the PEM). For `sf org login jwt`, write it to a file in the job: `umask 077; printf %s \"$SFJWT_KEY\" | base64 --decode > server.key`.".into(),
            format!("Keep {key_file} out of git (the .gitignore next to it does that) and delete local copies you do not need."),
        ],
    });

    steps.push(Step {
        title: "Check the login, then log in".into(),
        commands: vec![
            line(&[Word::Lit("export".into()), Word::Raw("SFJWT_CLIENT_ID='<the consumer key>'")]),
            line(&lits([
                "sfjwt",
                "doctor",
                "--jwt-key-file",
                &key_file,
                "--username",
                context.username,
                "--instance-url",
                context.instance_url,
            ])),
            line(&[
                Word::Lit("sf".into()),
                Word::Lit("org".into()),
                Word::Lit("login".into()),
                Word::Lit("jwt".into()),
                Word::Lit("--client-id".into()),
                Word::Raw("\"$SFJWT_CLIENT_ID\""),
                Word::Lit("--jwt-key-file".into()),
                Word::Lit(key_file.clone()),
                Word::Lit("--username".into()),
                Word::Lit(context.username.into()),
                Word::Lit("--instance-url".into()),
                Word::Lit(context.instance_url.into()),
            ]),
        ],
        notes: vec![
            "A new app or policy can take a few minutes to reach the login servers; `sfjwt doctor --wait 10m` retries until it does.".into(),
        ],
    });
    steps
}

fn consumer_key_step(context: &Context, target: &dyn Fn(Vec<Word>) -> String) -> Step {
    if context.connected_app {
        let file = context
            .files
            .iter()
            .find(|(_, f)| f.metadata_type == "ConnectedApp")
            .map(|(path, _)| context.layout.from_root(path))
            .unwrap_or_default();
        return Step {
            title: "Read the consumer key Salesforce gave the app".into(),
            commands: vec![
                target(lits([
                    "sf",
                    "project",
                    "retrieve",
                    "start",
                    "--metadata",
                    &format!("ConnectedApp:{}", context.app_name),
                ])),
                line(&lits(["sed", "-n", r"s:.*<consumerKey>\(.*\)</consumerKey>.*:\1:p", &file])),
            ],
            notes: vec![format!("Or in Setup: App Manager → {} → View → Manage Consumer Details.", context.app_name)],
        };
    }
    let global = format!("{}_glbloauth", context.app_name);
    let file = context
        .files
        .iter()
        .find(|(_, f)| f.metadata_type == "ExtlClntAppGlobalOauthSettings")
        .map(|(path, _)| context.layout.from_root(path))
        .unwrap_or_default();
    Step {
        title: "Read the consumer key Salesforce gave the app".into(),
        commands: vec![
            target(lits(["sf", "project", "retrieve", "start", "--metadata", &format!("ExtlClntAppGlobalOauthSettings:{global}")])),
            line(&lits(["sed", "-n", r"s:.*<consumerKey>\(.*\)</consumerKey>.*:\1:p", &file])),
        ],
        notes: vec![
            format!(
                "Or in Setup: External Client App Manager → {} → Settings → OAuth Settings → Consumer Key and Secret (Salesforce emails a verification code).",
                context.app_name
            ),
            "The retrieve needs the consumer-secret access setting named in the deploy step and may be refused where Salesforce retires it; Setup always works.".into(),
        ],
    }
}
