//! The catalog (`checks/*.md`) and the code agree in both directions, and `explain` serves it.

mod support;

use std::collections::BTreeSet;

use sfjwt::{catalog, cause_id::CauseId, registry};
use support::cli::{command, run};

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
    let out = run(command().args(["explain", "key.encrypted"]));
    assert_eq!(out.code, 0);
    assert!(out.stdout.starts_with("# "), "{}", out.stdout);
    assert!(out.stdout.contains("## How to fix") && out.stdout.contains("openssl"), "{}", out.stdout);
    assert!(out.stdout.contains("reported by: key.format"), "{}", out.stdout);
}

#[test]
fn explain_a_check_lists_its_causes() {
    let out = run(command().args(["explain", "key.format"]));
    assert_eq!(out.code, 0);
    assert!(out.stdout.contains("key.mangled") && out.stdout.contains("key.encrypted"), "{}", out.stdout);
}

#[test]
fn explain_unknown_id_suggests_the_closest() {
    let out = run(command().args(["explain", "key.encryptd"]));
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("`key.encrypted`"), "{}", out.stderr);
    assert!(out.stdout.is_empty());
}

#[test]
fn checks_lists_the_registry_in_order() {
    let out = run(command().args(["checks", "--format", "json"]));
    assert_eq!(out.code, 0);
    let listed: Vec<serde_json::Value> = serde_json::from_str(&out.stdout).unwrap();
    let ids: Vec<&str> = listed.iter().map(|c| c["id"].as_str().unwrap()).collect();
    let registry_ids: Vec<&str> = registry::CHECKS.iter().map(|c| c.id).collect();
    assert_eq!(ids, registry_ids);
    let text = run(command().arg("checks"));
    assert!(text.stdout.contains("Private key") && text.stdout.contains("key.format"), "{}", text.stdout);
}

#[test]
fn readme_lists_the_registry() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let table = run(command().args(["checks", "--format", "markdown"])).stdout;
    assert!(readme.contains(&table), "README's check table is stale: paste `sfjwt checks --format markdown`:\n{table}");
}
