//! The catalog (`checks/*.md`) and the code agree in both directions, and `explain` serves it.

use std::collections::BTreeSet;

use sfjwt::{catalog, cause_id::CauseId, registry};

use crate::support::Test;

#[test]
fn every_catalog_entry_is_reported_by_a_check() {
    // The other direction (every reported id has an entry) holds by construction: `CauseId` is
    // generated from the catalog's file names.
    let emitted: BTreeSet<CauseId> = registry::emitted_cause_ids().collect();
    let orphans: Vec<CauseId> = CauseId::ALL.iter().copied().filter(|id| !emitted.contains(id)).collect();
    assert!(orphans.is_empty(), "catalog entries no check reports: {orphans:?}");
}

#[test]
fn check_ids_are_unique_and_distinct_from_cause_ids() {
    let mut seen = BTreeSet::new();
    for check in registry::CHECKS {
        assert!(seen.insert(check.id), "duplicate check id {}", check.id);
        assert!(CauseId::parse(check.id).is_none(), "check id {} is also a cause id", check.id);
        assert!(!check.emits.is_empty(), "{} reports no cause", check.id);
    }
}

#[test]
fn every_entry_has_the_sections_a_user_needs() {
    for entry in catalog::all() {
        assert!(!entry.title.is_empty() && !entry.summary.is_empty(), "{}: title and summary", entry.id);
        assert!(entry.why.len() > 40, "{}: why is too thin", entry.id);
        assert!((1..=8).contains(&entry.fix.len()), "{}: {} fix steps", entry.id, entry.fix.len());
        for step in &entry.fix {
            let filled = catalog::fill(step, &[]);
            assert!(!filled.contains("{"), "{}: unfilled placeholder in {step}", entry.id);
        }
    }
}

#[test]
fn explain_prints_the_entry() {
    let out = Test::new().args(["explain", "key.encrypted"]).run();
    out.status(0)
        .stdout_contains("## How to fix")
        .stdout_contains("openssl")
        .stdout_contains("reported by: key.format");
    assert!(out.stdout.starts_with("# "), "{}", out.stdout);
}

#[test]
fn explain_a_check_lists_its_causes() {
    Test::new()
        .args(["explain", "key.format"])
        .run()
        .status(0)
        .stdout_contains("key.mangled")
        .stdout_contains("key.encrypted");
}

#[test]
fn explain_unknown_id_suggests_the_closest() {
    let out = Test::new().args(["explain", "key.encryptd"]).run();
    out.status(2).stderr_contains("`key.encrypted`");
    assert!(out.stdout.is_empty(), "{}", out.describe());
}

#[test]
fn checks_lists_the_registry_in_order() {
    let listed = Test::new().args(["checks", "--format", "json"]).run().status(0).json();
    let ids: Vec<&str> = listed.as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
    let registry_ids: Vec<&str> = registry::CHECKS.iter().map(|c| c.id).collect();
    assert_eq!(ids, registry_ids);
    Test::new().arg("checks").run().status(0).stdout_contains("Private key").stdout_contains("key.format");
}

#[test]
fn readme_lists_the_registry() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let table = Test::new().args(["checks", "--format", "markdown"]).run().stdout;
    assert!(readme.contains(&table), "README's check table is stale: paste `sfjwt checks --format markdown`:\n{table}");
}
