//! One test per rule of `rules.rs`, over evidence built as the binary builds it, and the
//! consistency of the rules with the catalog.

use super::{Basis, RankedCause, diagnose, rules};
use crate::{
    captured, catalog, cause_id::CauseId, engine, finding::Confidence, finding::Severity, registry, symptom::Symptom,
    testing::evidence,
};

const CID: &str = "3MVG9EXAMPLE0nly.TestKey_ForSfjwtDocs0000000000000000000000000000000000000000000";

fn ranked(args: &[&str]) -> Vec<RankedCause> {
    let ev = evidence(args);
    diagnose(&engine::run_all(&ev), &ev)
}

fn ids(causes: &[RankedCause]) -> Vec<CauseId> {
    causes.iter().map(|r| r.cause.id).collect()
}

fn find(causes: &[RankedCause], id: CauseId) -> &RankedCause {
    causes.iter().find(|r| r.cause.id == id).unwrap_or_else(|| panic!("no {id} in {:?}", ids(causes)))
}

const SELF_AUTHORIZE: &str = "fixtures/metadata/connected-app-self-authorize";
const NOT_APPROVED: &str = "invalid_grant: user hasn't approved this consumer";

#[test]
fn a_specific_answer_is_read_as_its_cause() {
    let causes = ranked(&["--error", "inactive_user: user is inactive"]);
    assert_eq!(ids(&causes)[0], CauseId::UserInactive);
    assert_eq!(causes[0].basis, Basis::Reading { symptom: Symptom::InactiveUser, catch_all: false });
    assert_eq!(causes[0].cause.confidence, Confidence::High);
}

#[test]
fn every_distinct_answer_of_a_capture_is_read() {
    for text in [
        "invalid_client_id: client identifier invalid\ninvalid_grant: invalid assertion",
        "invalid_grant: invalid assertion\ninvalid_client_id: client identifier invalid",
    ] {
        let found = ids(&ranked(&["--error", text]));
        assert!(found.contains(&CauseId::ClientUnknownClientId), "{text}: {found:?}");
        assert!(found.contains(&CauseId::PairKeyCertMismatch), "{text}: {found:?}");
    }
}

#[test]
fn a_latent_cause_needs_its_symptom() {
    let quiet = ranked(&["--connected-app", SELF_AUTHORIZE]);
    assert!(!ids(&quiet).contains(&CauseId::ApprovalSelfAuthorizeNotApproved), "{:?}", ids(&quiet));
    let refused = ranked(&["--connected-app", SELF_AUTHORIZE, "--error", NOT_APPROVED]);
    let cause = find(&refused, CauseId::ApprovalSelfAuthorizeNotApproved);
    assert_eq!(cause.basis, Basis::Explains(Symptom::NotApproved));
    assert_eq!(cause.severity, Severity::Error);
    assert!(cause.cause.evidence.iter().any(|e| e.starts_with("ranked first: it explains Salesforce's answer")));
}

#[test]
fn what_explains_the_answer_ranks_before_the_catch_all_which_steps_back() {
    let causes = ranked(&["--connected-app", SELF_AUTHORIZE, "--error", NOT_APPROVED]);
    let first = &causes[0];
    assert!(matches!(first.basis, Basis::Explains(Symptom::NotApproved)), "{:?}", ids(&causes));
    let catch_all = find(&causes, CauseId::ApprovalMissing);
    assert_eq!(catch_all.severity, Severity::Info);
    assert!(catch_all.cause.evidence.iter().any(|e| e.contains("explains this answer first")));
}

#[test]
fn a_catch_all_stays_when_nothing_explains_the_answer() {
    let causes = ranked(&["--error", NOT_APPROVED]);
    assert_eq!(ids(&causes), [CauseId::ApprovalMissing]);
    assert_eq!(causes[0].severity, Severity::Error);
    assert_eq!(causes[0].cause.confidence, Confidence::Low);
}

#[test]
fn a_warning_that_explains_the_answer_becomes_an_error() {
    let args = ["--client-id", CID, "--username", "ci@example.com", "--audience", "https://acme.my.salesforce.com"];
    let offline = ranked(&args);
    assert_eq!(find(&offline, CauseId::ClaimsAudMyDomain).severity, Severity::Warning);
    let refused = ranked(&[&args[..], &["--error", NOT_APPROVED]].concat());
    let cause = find(&refused, CauseId::ClaimsAudMyDomain);
    assert_eq!(cause.severity, Severity::Error);
    assert_eq!(cause.cause.confirm, None, "the answer is in: no 'run without --offline'");
}

#[test]
fn a_low_confidence_explanation_stays_a_warning() {
    // A sandbox host with a username without suffix: fine if the user was made in the sandbox.
    let causes = ranked(&[
        "--username",
        "ci@example.com",
        "--instance-url",
        "https://test.salesforce.com",
        "--error",
        NOT_APPROVED,
    ]);
    let mismatch = find(&causes, CauseId::HostEnvironmentMismatch);
    assert_eq!((mismatch.severity, mismatch.cause.confidence), (Severity::Warning, Confidence::Low));
    assert_eq!(find(&causes, CauseId::ApprovalMissing).severity, Severity::Error, "a low guess does not demote");
}

#[test]
fn evidence_that_excludes_a_reading_drops_it() {
    // The app's metadata holds a certificate: `invalid assertion` is not "no certificate".
    let causes = ranked(&[
        "--client-id",
        CID,
        "--connected-app",
        "fixtures/metadata/connected-app-healthy",
        "--error",
        "invalid_grant: invalid assertion",
    ]);
    assert!(!ids(&causes).contains(&CauseId::AppNoCertificate), "{:?}", ids(&causes));
    let without = ranked(&["--error", "invalid_grant: invalid assertion"]);
    assert!(ids(&without).contains(&CauseId::AppNoCertificate));
}

#[test]
fn an_unknown_answer_never_outranks_a_concrete_finding() {
    let causes = ranked(&["--jwt-key-file", "fixtures/keys/rsa1024.pem", "--error", "invalid_grant: something new"]);
    assert_eq!(ids(&causes), [CauseId::KeyTooSmall, CauseId::EndpointUnknownError]);
}

#[test]
fn the_sf_cli_search_side_effects_are_information() {
    let text = "Error (1): audience is invalid\nError (2): user hasn't approved this consumer";
    let causes = ranked(&["--error", text]);
    assert_eq!(causes[0].cause.id, CauseId::ApprovalMissing);
    assert_eq!(find(&causes, CauseId::ClaimsAudInvalid).severity, Severity::Info);
}

#[test]
fn the_client_id_reading_names_the_environment_mismatch_first() {
    // A sandbox username on the production host: the org there does not know the app either.
    let causes = ranked(&[
        "--username",
        "ci@acme.com.uat",
        "--instance-url",
        "https://login.salesforce.com",
        "--error",
        "invalid_client_id: client identifier invalid",
    ]);
    assert_eq!(causes[0].cause.id, CauseId::HostEnvironmentMismatch, "{:?}", ids(&causes));
}

#[test]
fn every_reading_is_explained_by_its_cause_and_listed_by_the_check() {
    let answer = registry::find("login.answer").unwrap();
    for reading in rules::READINGS {
        assert!(
            reading.cause.explains().contains(&reading.symptom),
            "{} does not explain {:?}",
            reading.cause,
            reading.symptom
        );
        assert!(answer.emits.contains(&reading.cause), "login.answer does not list {}", reading.cause);
    }
    for id in answer.emits {
        assert!(rules::READINGS.iter().any(|r| r.cause == *id), "login.answer lists {id}, which no reading gives");
    }
}

/// Entries whose symptom strings are context, explained through a more precise cause.
const CONTEXT_ONLY: &[(CauseId, Symptom)] =
    &[(CauseId::AppSelfAuthorizePolicy, Symptom::NotApproved), (CauseId::HostMyDomainRequired, Symptom::NotApproved)];

#[test]
fn every_listed_symptom_is_recognised_and_explained() {
    for entry in catalog::all() {
        // The sf CLI's warning about an http instance URL: printed, but not the failure.
        for text in entry.symptoms.iter().filter(|t| !t.starts_with("Using insecure protocol")) {
            let parsed = captured::parse(text, None);
            let symptom = parsed
                .answers
                .iter()
                .map(|a| a.kind)
                .chain(parsed.local_errors.iter().map(|e| e.kind))
                .find(|s| *s != Symptom::Unknown)
                .or_else(|| Some(Symptom::classify(Some(text), "")).filter(|s| *s != Symptom::Unknown));
            let Some(symptom) = symptom else { panic!("{}: the symptom {text:?} is not recognised", entry.id) };
            assert!(
                entry.id.explains().contains(&symptom) || CONTEXT_ONLY.contains(&(entry.id, symptom)),
                "{}: lists {text:?} ({symptom:?}) but does not explain it",
                entry.id
            );
        }
    }
}
