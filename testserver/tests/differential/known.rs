//! Steps whose difference from a real server is known, with why. Each entry is checked: a
//! listed step that answers as the real server does fails the suite (remove it from its
//! entry, and the entry once it is empty), and so does an entry naming no case or step.

use std::collections::BTreeSet;

use crate::Case;

/// `(case, steps, reason)`: the steps of `case` that differ (none listed: every step).
pub type Known = (&'static str, &'static [&'static str], &'static str);

pub const KNOWN: &[Known] = &[
    (
        "watch::metadata_only",
        &["list form", "client-go accept"],
        "KNOWN: a metadata-only watch (Accept as=PartialObjectMetadata) is answered in the list form",
    ),
    (
        "openapi::crd_defaulting_and_pruning",
        &[],
        "KNOWN: custom resources are not defaulted or pruned from the CRD schema",
    ),
    (
        "crud::update_noop",
        &["same object"],
        "KNOWN: an update that changes nothing bumps the resourceVersion",
    ),
    (
        "patch::empty_patch",
        &["empty merge"],
        "KNOWN: an empty patch bumps the resourceVersion",
    ),
    (
        "patch::apply_identical",
        &["again"],
        "KNOWN: applying an identical configuration bumps the resourceVersion",
    ),
    (
        "subresources::eviction_pdb_and_dry_run",
        &[],
        "KNOWN: eviction ignores PodDisruptionBudgets and dryRun",
    ),
    (
        "watch::from_future_version",
        &["watchlist far ahead", "get far ahead"],
        "KNOWN: a WatchList or get from a future resourceVersion is served at once instead of a 504 Too large resource version after waiting",
    ),
    (
        "crud::unknown_fields_warn",
        &["warn"],
        "KNOWN: no Warning header for unknown fields",
    ),
    (
        "watch::bookmark_frequency",
        &["idle watch"],
        "KNOWN: periodic bookmarks come every second, a real server's about once a minute",
    ),
];

/// The entry covering `step` of `case`, if any.
pub fn covering(case: &str, step: &str) -> Option<&'static Known> {
    KNOWN
        .iter()
        .find(|(c, steps, _)| *c == case && (steps.is_empty() || steps.contains(&step)))
}

/// Sorts a case's differences (`step <label>: …` lines) into the known and the unexpected,
/// and lists the known steps that no longer differ.
pub fn sort(case: &str, steps: &[String], diffs: &[String]) -> Verdict {
    let mut verdict = Verdict::default();
    let mut differing = BTreeSet::new();
    for d in diffs {
        let step = step_of(d);
        differing.insert(step.to_string());
        match covering(case, step) {
            Some((_, _, reason)) => verdict.known.push(format!("{d}  [{reason}]")),
            None => verdict.unexpected.push(d.clone()),
        }
    }
    for (c, listed, reason) in KNOWN.iter().filter(|(c, _, _)| *c == case) {
        if listed.is_empty() && diffs.is_empty() {
            verdict.now_matching.push(format!(
                "{c} is listed as KNOWN ({reason}) but now answers as the real server does: \
                 remove its entry from testserver/tests/differential/known.rs"
            ));
        }
        for s in listed.iter() {
            if !steps.iter().any(|t| t == s) {
                verdict
                    .now_matching
                    .push(format!("{c}: known.rs lists step {s:?}, which the case does not have"));
            } else if !differing.contains(*s) {
                verdict.now_matching.push(format!(
                    "{c}: step {s:?} is listed as KNOWN ({reason}) but now answers as the real \
                     server does: remove it from testserver/tests/differential/known.rs"
                ));
            }
        }
    }
    verdict
}

/// What [`sort`] found.
#[derive(Debug, Default)]
pub struct Verdict {
    pub known: Vec<String>,
    pub unexpected: Vec<String>,
    pub now_matching: Vec<String>,
}

/// The step label of a difference line (`step <label>: …`).
fn step_of(diff: &str) -> &str {
    let rest = diff.strip_prefix("step ").unwrap_or(diff);
    rest.split_once(": ").map_or(rest, |(s, _)| s)
}

/// Panics if an entry names no case (a renamed case would leave it stale).
pub fn check_names(all: &[Case]) {
    for (name, _, _) in KNOWN {
        assert!(
            all.iter().any(|c| c.name == *name),
            "known.rs lists {name}, which is not a case"
        );
    }
}
