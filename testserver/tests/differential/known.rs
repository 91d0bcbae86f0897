//! Steps whose difference from a real server is known, with why. Each entry is checked: a
//! listed step that answers as the real server does fails the suite (remove it from its
//! entry, and the entry once it is empty), and so does an entry naming no case or step.

use std::collections::BTreeSet;

use crate::Case;

/// `(case, steps, reason)`: the steps of `case` that differ (none listed: every step).
pub(crate) type Known = (&'static str, &'static [&'static str], &'static str);

/// Why built-in objects differ: no defaulting or admission (Deployment `strategy`,
/// `revisionHistoryLimit`, `progressDeadlineSeconds`; container `imagePullPolicy`,
/// `terminationMessagePath`; pod `dnsPolicy`, `schedulerName`, `tolerations`, `priority`,
/// `serviceAccountName`, `status.phase`/`qosClass`; an empty `status: {}`).
const DEFAULTS: &str = "KNOWN: built-in objects are not defaulted or admitted as a real server does (nor are the defaulted fields owned in managedFields)";
/// Why field ownership differs (structured-merge-diff follows the schema; we do not).
const MANAGED_FIELDS: &str = "KNOWN: managedFields ignore the schema: struct fields get \".\", atomic structs (label selectors) and keyed lists (containers by name) are not followed, an Update owns \".\" of maps it did not create, and apply conflicts on a whole keyed list";
const GO_TEXT: &str = "KNOWN: Go decoder and parser error texts are worded differently";

pub(crate) const KNOWN: &[Known] = &[
    (
        "openapi::crd_defaulting_and_pruning",
        &[],
        "KNOWN: custom resources are not defaulted or pruned from the CRD schema, nor validated against it",
    ),
    (
        "subresources::eviction_pdb_and_dry_run",
        &["pod after dry run"],
        "KNOWN: pods are not defaulted or admitted as a real server does",
    ),
    (
        "watch::from_future_version",
        &["get far ahead"],
        "KNOWN: a get from a future resourceVersion is served at once instead of a 504 Too large resource version after waiting",
    ),
    // Found by this suite, not fixed yet.
    (
        "crud::deployment_generation",
        &["create", "update metadata", "update spec", "get"],
        DEFAULTS,
    ),
    ("crud::pod_defaults", &["create", "get"], DEFAULTS),
    (
        "patch::strategic_lists",
        &["merge container by name", "delete directive", "merge patch replaces list"],
        "KNOWN: built-in objects are not defaulted as a real server does; managedFields ignore the schema",
    ),
    (
        "patch::apply",
        &["update by other manager", "yaml body"],
        "KNOWN: an Update owns \".\" of a map it did not create",
    ),
    (
        "patch::apply_deployment",
        &["apply create", "second manager adds a container", "status apply"],
        MANAGED_FIELDS,
    ),
    ("list::paging", &["bad continue"], GO_TEXT),
    (
        "list::field_selectors",
        &["pod phase", "pod node"],
        "KNOWN: pods get no status.phase (so status.phase=Pending matches none) nor defaults",
    ),
    (
        "list::table",
        &["table"],
        "KNOWN: Tables have the generic Name and Age columns only (no per-kind printers, no column descriptions)",
    ),
    ("subresources::scale", &["deployment after"], MANAGED_FIELDS),
    (
        "subresources::status",
        &[
            "get status",
            "update status ignores spec",
            "patch status",
            "deployment after",
            "main resource ignores status",
        ],
        DEFAULTS,
    ),
    (
        "subresources::binding",
        &["pod after"],
        "KNOWN: pods are not defaulted or admitted as a real server does; managedFields ignore the schema",
    ),
    (
        "discovery::legacy",
        &["apis"],
        "KNOWN: alpha groups that are off by default (internal.apiserver.k8s.io, storagemigration.k8s.io) are served",
    ),
    (
        "discovery::aggregated",
        &["apis"],
        "KNOWN: alpha groups that are off by default (internal.apiserver.k8s.io, storagemigration.k8s.io) are served",
    ),
    (
        "openapi::crd_document",
        &["document", "without hash"],
        "KNOWN: a CRD's OpenAPI document differs: items wrap $ref in allOf with defaults, list kind/apiVersion descriptions, DeleteOptions kinds, parameter texts",
    ),
    (
        "openapi::builtin_document",
        &["apps v1"],
        "KNOWN: built-in OpenAPI documents come from the pinned spec files, which wrap $ref in allOf with defaults",
    ),
];

/// The entry covering `step` of `case`, if any.
pub(crate) fn covering(case: &str, step: &str) -> Option<&'static Known> {
    KNOWN
        .iter()
        .find(|(c, steps, _)| *c == case && (steps.is_empty() || steps.contains(&step)))
}

/// Sorts a case's differences (`step <label>: …` lines) into the known and the unexpected,
/// and lists the known steps that no longer differ.
pub(crate) fn sort(case: &str, steps: &[String], diffs: &[String]) -> Verdict {
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
                verdict.now_matching.push(format!(
                    "{c}: known.rs lists step {s:?}, which the case does not have"
                ));
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
pub(crate) struct Verdict {
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
pub(crate) fn check_names(all: &[Case]) {
    for (name, _, _) in KNOWN {
        assert!(
            all.iter().any(|c| c.name == *name),
            "known.rs lists {name}, which is not a case"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The steps of `list::paging`, whose "bad continue" step is listed.
    fn steps() -> Vec<String> {
        vec!["first page".into(), "bad continue".into()]
    }

    #[test]
    fn listed_differences_are_known_others_unexpected() {
        let diffs = vec![
            "step bad continue: /body/message: real \"a\" ours \"b\"".to_string(),
            "step first page: /status: real 200 ours 500".to_string(),
        ];
        let v = sort("list::paging", &steps(), &diffs);
        assert_eq!(v.known.len(), 1);
        assert_eq!(v.unexpected, [diffs[1].clone()]);
        assert!(v.now_matching.is_empty());
    }

    #[test]
    fn a_known_step_that_matches_is_reported() {
        let v = sort("list::paging", &steps(), &[]);
        assert_eq!(v.now_matching.len(), 1);
        assert!(v.now_matching[0].contains("remove it"));
        let v = sort("list::paging", &["first page".to_string()], &[]);
        assert!(v.now_matching[0].contains("does not have"));
    }
}
